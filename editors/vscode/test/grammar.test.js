// Checks the TextMate grammar the way VS Code runs it: every regex compiles in Oniguruma
// (through vscode-textmate, VS Code's own engine), every example tokenizes, and the
// constructs get the scopes themes colour. Run with `npm install && npm test`.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');
const oniguruma = require('vscode-oniguruma');
const textmate = require('vscode-textmate');

const examples = process.env.BATON_EXAMPLES || path.join(__dirname, '..', '..', '..', 'examples');

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== 'source.baton') return null;
      const file = path.join(__dirname, '..', 'syntaxes', 'baton.tmLanguage.json');
      return textmate.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
    },
  });
  return registry.loadGrammar('source.baton');
}

/** Each token of `text` as [token text, innermost scope]. */
function tokenize(grammar, text) {
  let stack = textmate.INITIAL;
  const out = [];
  for (const line of text.split('\n')) {
    const result = grammar.tokenizeLine(line, stack);
    for (const token of result.tokens) {
      out.push([line.slice(token.startIndex, token.endIndex), token.scopes[token.scopes.length - 1]]);
    }
    stack = result.ruleStack;
  }
  return out;
}

function scopeOf(tokens, text) {
  const found = tokens.find(([t]) => t === text);
  assert.ok(found, `no token ${JSON.stringify(text)} in ${JSON.stringify(tokens)}`);
  return found[1];
}

test('every example tokenizes', async () => {
  const grammar = await loadGrammar();
  const files = fs.readdirSync(examples).filter((f) => f.endsWith('.baton'));
  assert.ok(files.length >= 5, `examples not found in ${examples}`);
  for (const file of files) {
    const tokens = tokenize(grammar, fs.readFileSync(path.join(examples, file), 'utf8'));
    assert.ok(tokens.length > 50, file);
    assert.ok(!tokens.some(([, scope]) => scope.startsWith('invalid')), `${file} has invalid tokens`);
  }
});

test('constructs get their scopes', async () => {
  const grammar = await loadGrammar();
  const source = [
    'use "legal_review.baton"  # import',
    'workflow launch "Launch \\"now\\" \\u{00e9} \\q" {',
    '  deadline 1h 30m',
    '  role writer "Writer"',
    '  system cms "CMS"',
    '  input risk: enum { low, high } = low',
    '  input rate: percent = 15%',
    '  step draft "Draft" { by writer  takes 2d  needs risk  output words: int }',
    '  @allow(self_review, unbounded_loop)',
    '  decision review "Review" {',
    '    by writer',
    '    yes -> publish  at most 2 times',
    '  }',
    '  wait launch_day "Launch day" until 2026-12-01T09:00',
    '  wait until 2026-12-01',
    '  if rate < 15% and not done == true -> draft else -> published',
    '  step publish { auto cms "publish"  retry 3 }',
    '  step fetch { auto cms "fetch"  timeout 5m  on failure -> rescue  on timeout -> draft }',
    '  end shipped "Shipped" success',
    '}',
  ].join('\n');
  const tokens = tokenize(grammar, source);
  const expect = {
    'use': 'keyword.other.import.baton',
    '# import': 'comment.line.number-sign.baton',
    'launch': 'entity.name.namespace.workflow.baton',
    '\\"': 'constant.character.escape.baton',
    '\\u{00e9}': 'constant.character.escape.baton',
    '\\q': 'invalid.illegal.escape.baton',
    '1h 30m': 'constant.numeric.duration.baton',
    'writer': 'entity.name.type.role.baton',
    'cms': 'entity.name.type.system.baton',
    'risk': 'variable.other.definition.baton',
    'enum': 'support.type.baton',
    '15%': 'constant.numeric.percent.baton',
    'step': 'keyword.declaration.step.baton',
    'draft': 'entity.name.function.step.baton',
    '2d': 'constant.numeric.duration.baton',
    'self_review': 'constant.other.lint.baton',
    'allow': 'storage.type.annotation.baton',
    'review': 'entity.name.function.decision.baton',
    '->': 'keyword.operator.arrow.baton',
    'publish': 'entity.name.function.target.baton',
    'launch_day': 'entity.name.function.wait.baton',
    '2026-12-01T09:00': 'constant.other.datetime.baton',
    '2026-12-01': 'constant.other.date.baton',
    'and': 'keyword.operator.logical.baton',
    '==': 'keyword.operator.comparison.baton',
    'true': 'constant.language.boolean.baton',
    '3': 'constant.numeric.baton',
    'shipped': 'entity.name.function.end.baton',
    'success': 'constant.language.end-kind.baton',
    'on failure': 'keyword.other.clause.baton',
    'on timeout': 'keyword.other.clause.baton',
    'rescue': 'entity.name.function.target.baton',
  };
  for (const [text, scope] of Object.entries(expect)) {
    assert.equal(scopeOf(tokens, text), scope, `scope of ${JSON.stringify(text)}`);
  }
});
