// Judges BPMN files written by `baton build --emit bpmn` with the real clients:
//   - bpmn-moddle with zeebe-bpmn-moddle (and the Modeler's execution-platform
//     attributes) parses each file with zero warnings;
//   - @camunda/linting, the Camunda Modeler's own linter, configured by the file's
//     `modeler:executionPlatformVersion`, reports no errors;
//   - every FEEL expression (conditions, timers, mappings, scripts) passes
//     @bpmn-io/feel-lint.
// bpmnlint's recommended rules run through its own CLI (check.sh).
// Bundled by esbuild first: @camunda/linting uses extension-less ESM imports.
// Usage: node check.bundle.mjs FILE.bpmn...   (exit 1 when anything is reported)
import { readFileSync } from 'node:fs';
import { BpmnModdle } from 'bpmn-moddle';
import zeebe from 'zeebe-bpmn-moddle/resources/zeebe.json' with { type: 'json' };
import { Linter } from '@camunda/linting';
import { lintExpression } from '@bpmn-io/feel-lint';

// The Modeler's attributes on `definitions` (it ships them in camunda-bpmn-moddle's
// "modeler" descriptor; these two are all Baton writes).
const modeler = {
  name: 'Modeler',
  prefix: 'modeler',
  uri: 'http://camunda.org/schema/modeler/1.0',
  xml: { tagAlias: 'lowerCase' },
  types: [
    {
      name: 'Definitions',
      isAbstract: true,
      extends: ['bpmn:Definitions'],
      properties: [
        { name: 'executionPlatform', isAttr: true, type: 'String' },
        { name: 'executionPlatformVersion', isAttr: true, type: 'String' },
      ],
    },
  ],
};

/** Every FEEL expression in the tree: strings that start with `=` in the properties
 *  where Zeebe reads FEEL, with where they were found. */
function feelExpressions(root) {
  const found = [];
  const seen = new Set();
  const walk = (node, where) => {
    if (!node || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith('$')) continue;
      if (typeof value === 'string') {
        if (['body', 'source', 'expression'].includes(key) && value.startsWith('=')) {
          found.push({ where: `${where} ${node.$type}.${key}`, text: value.slice(1) });
        }
      } else if (['incoming', 'outgoing', 'flowNodeRef'].includes(key)) {
        continue;
      } else if (Array.isArray(value)) {
        value.forEach((v) => walk(v, v && v.id ? v.id : where));
      } else if (typeof value === 'object' && !(key.endsWith('Ref') || key === 'default' || key === 'attachedToRef')) {
        walk(value, value.id || where);
      }
    }
  };
  walk(root, root.id);
  return found;
}

const files = process.argv.slice(2);
let problems = 0;
let checkedFeel = 0;
const report = (file, message) => {
  problems += 1;
  console.error(`${file}: ${message}`);
};
for (const file of files) {
  const xml = readFileSync(file, 'utf8');
  const moddle = new BpmnModdle({ zeebe, modeler });
  let parsed;
  try {
    parsed = await moddle.fromXML(xml, 'bpmn:Definitions');
  } catch (error) {
    report(file, `bpmn-moddle cannot read it: ${error.message}`);
    continue;
  }
  for (const warning of parsed.warnings) {
    report(file, `bpmn-moddle warning: ${warning.message}`);
  }
  const definitions = parsed.rootElement;
  if (definitions.executionPlatform !== 'Camunda Cloud') {
    report(file, `execution platform is ${definitions.executionPlatform}, not Camunda Cloud`);
  }
  const linter = new Linter({ type: 'cloud', modeler: 'desktop' });
  const reports = await linter.lint(definitions);
  for (const r of reports) {
    if (r.category === 'error') {
      report(file, `@camunda/linting (Camunda ${definitions.executionPlatformVersion}): ${r.id} ${r.rule}: ${r.message}`);
    }
  }
  for (const { where, text } of feelExpressions(definitions)) {
    checkedFeel += 1;
    const lint = lintExpression(text);
    for (const p of lint) {
      report(file, `feel-lint at ${where}: ${p.message} in \`${text}\``);
    }
  }
}
console.log(`${files.length} files, ${checkedFeel} FEEL expressions: ${problems} problems`);
process.exit(problems === 0 ? 0 : 1);
