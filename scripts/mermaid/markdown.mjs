// Renders Baton's Markdown pages with a GitHub-flavoured Markdown renderer (marked, the
// one Mermaid itself uses) and checks that user text added no markup: the HTML may only
// hold the elements Baton writes. A link, image, emphasis, list, quote, script or an
// extra code block means some text was taken for Markdown or HTML.
//
// Usage: node markdown.mjs PAGE.md...   (exit 1 naming the first page that fails)

import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';
import { marked } from 'marked';

// Everything `baton build --emit markdown` writes, and the attributes marked adds.
const ALLOWED = new Map([
  ['H1', []], ['H2', []], ['H3', []], ['P', []], ['STRONG', []], ['SMALL', []], ['BR', []],
  ['CODE', ['class']], ['PRE', []],
  ['TABLE', []], ['THEAD', []], ['TBODY', []], ['TR', []], ['TH', ['align']], ['TD', ['align']],
]);

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node markdown.mjs PAGE.md...');
  process.exit(2);
}

function check(file) {
  const source = readFileSync(file, 'utf8');
  const html = marked.parse(source, { gfm: true, async: false });
  const body = new JSDOM(`<body>${html}</body>`).window.document.body;
  const problems = [];
  for (const element of body.querySelectorAll('*')) {
    const allowed = ALLOWED.get(element.tagName);
    if (!allowed) {
      problems.push(`<${element.tagName.toLowerCase()}> ${element.outerHTML.slice(0, 120)}`);
      continue;
    }
    for (const attribute of element.getAttributeNames()) {
      if (!allowed.includes(attribute)) {
        problems.push(`${attribute}= on <${element.tagName.toLowerCase()}>`);
      }
    }
  }
  // One code block, the diagram, holding exactly the fenced Mermaid text.
  const blocks = body.querySelectorAll('pre');
  const fenced = /^```mermaid\n([\s\S]*?)^```$/m.exec(source);
  if (blocks.length !== 1 || !fenced) {
    problems.push(`${blocks.length} code blocks, expected the one Mermaid diagram`);
  } else {
    const code = blocks[0].querySelector('code.language-mermaid');
    if (!code || code.textContent !== fenced[1]) {
      problems.push('the Mermaid block does not hold the diagram as written');
    }
  }
  // Every table row has as many cells as its header.
  for (const table of body.querySelectorAll('table')) {
    const columns = table.querySelectorAll('thead th').length;
    for (const row of table.querySelectorAll('tbody tr')) {
      if (row.children.length !== columns) {
        problems.push(`a row with ${row.children.length} cells under ${columns} headers`);
      }
    }
  }
  return problems;
}

let failed = 0;
for (const file of files) {
  try {
    const problems = check(file);
    if (problems.length > 0) {
      failed += 1;
      console.error(`error: ${file}: markup that Baton did not write:\n  ${problems.join('\n  ')}`);
    } else {
      console.error(`ok: ${file}`);
    }
  } catch (error) {
    failed += 1;
    console.error(`error: ${file}: ${error?.message ?? error}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
