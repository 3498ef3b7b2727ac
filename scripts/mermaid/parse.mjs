// Parses Mermaid files with Mermaid's own parser, the one that GitHub, GitLab and MkDocs
// run in the browser, so a diagram Baton emits is known to be accepted before anyone
// pastes it into a handbook.
//
// Usage:
//   node parse.mjs FILE...          parse each file; exit 1 naming the first that fails
//   node parse.mjs --dump FILE...   also print what the parser understood, as JSON (one
//                                   object per line): nodes, edges, subgraphs, classes
//
// A file may be a Mermaid diagram (.mmd) or a Markdown page: then every ```mermaid
// block in it is parsed. `--dump` lets tests compare the parsed graph with the IR, which
// proves that user text did not add a node, an edge or a subgraph.

import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

// Mermaid reads `window` and `document` when its module is first evaluated (DOMPurify,
// d3), so they must exist before the dynamic import below.
const dom = new JSDOM('<!DOCTYPE html><html><body></body></html>', { pretendToBeVisual: true });
globalThis.window = dom.window;
globalThis.document = dom.window.document;

const { default: mermaid } = await import('mermaid');

mermaid.initialize({
  startOnLoad: false,
  // The defaults (50 000 characters, 500 edges) are for hand-written diagrams; a
  // generated one may be larger, and a limit hit would read as a syntax error.
  maxTextSize: 10000000,
  maxEdges: 100000,
  securityLevel: 'strict',
});

const args = process.argv.slice(2);
const dump = args[0] === '--dump';
const files = dump ? args.slice(1) : args;
if (files.length === 0) {
  console.error('usage: node parse.mjs [--dump] FILE...');
  process.exit(2);
}

/** The Mermaid sources in a file: the file itself, or the ```mermaid blocks of a page. */
function diagrams(file, text) {
  if (!/\.(md|markdown)$/i.test(file)) {
    return [text];
  }
  const blocks = [];
  const fence = /^```mermaid[^\n]*\n([\s\S]*?)^```[^\S\n]*$/gm;
  for (const match of text.matchAll(fence)) {
    blocks.push(match[1]);
  }
  if (blocks.length === 0) {
    throw new Error('no ```mermaid block in this Markdown file');
  }
  return blocks;
}

/** What the flowchart parser built: enough to compare with the workflow's IR. */
async function describe(text) {
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
  const db = diagram.db;
  if (typeof db.getVertices !== 'function') {
    return { type: diagram.type };
  }
  const vertices = [...db.getVertices().values()].map((v) => ({
    id: v.id,
    text: v.text,
    type: v.type,
    classes: v.classes,
  }));
  const edges = db.getEdges().map((e) => ({
    start: e.start,
    end: e.end,
    text: e.text,
    stroke: e.stroke,
    type: e.type,
  }));
  const subgraphs = db.getSubGraphs().map((s) => ({ id: s.id, title: s.title, nodes: s.nodes }));
  const classes = [...db.getClasses().keys()];
  return {
    type: diagram.type,
    title: db.getDiagramTitle?.() ?? '',
    direction: db.getDirection?.(),
    vertices,
    edges,
    subgraphs,
    classes,
  };
}

let failed = 0;
for (const file of files) {
  try {
    const text = readFileSync(file, 'utf8');
    for (const source of diagrams(file, text)) {
      // Both run the same preprocessing (front matter, directives, comments) as
      // rendering, then the diagram's grammar, and throw on any error; `describe`
      // also reads what was parsed. Parsing takes tens of milliseconds: do it once.
      if (dump) {
        console.log(JSON.stringify({ file, ...(await describe(source)) }));
      } else {
        await mermaid.parse(source);
      }
    }
    if (!dump) {
      console.error(`ok: ${file}`);
    }
  } catch (error) {
    failed += 1;
    const message = error?.message ?? String(error);
    console.error(`error: ${file}: Mermaid rejected it:\n${message}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
