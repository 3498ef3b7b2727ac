// Baton for VS Code: a thin client that starts `baton lsp` (the language server built
// into the `baton` command) for `.baton` files. Highlighting comes from the TextMate
// grammar in syntaxes/; everything else (diagnostics, hover, go to definition, find
// references, rename, outline, completion, quick fixes, formatting) from the server.
'use strict';

const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;

function createClient() {
  const config = vscode.workspace.getConfiguration('baton');
  const command = config.get('path') || 'baton';
  // No `transport` option: vscode-languageclient would then add `--stdio`, which
  // `baton lsp` does not take; plain stdio is its only transport.
  const serverOptions = { command, args: ['lsp'] };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'baton' },
      { scheme: 'untitled', language: 'baton' },
    ],
    initializationOptions: { importRoot: config.get('importRoot') || '' },
  };
  return new LanguageClient('baton', 'Baton', serverOptions, clientOptions);
}

async function start() {
  client = createClient();
  try {
    await client.start();
  } catch (error) {
    const command = vscode.workspace.getConfiguration('baton').get('path') || 'baton';
    vscode.window.showErrorMessage(
      `Baton: cannot start \`${command} lsp\` (${error.message}). ` +
        'Install Baton with `cargo install --path crates/baton-cli`, or set "baton.path" to the `baton` program.'
    );
  }
}

async function restart() {
  if (client) {
    await client.stop().catch(() => undefined);
  }
  await start();
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('baton.restartServer', restart),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('baton.path') || event.affectsConfiguration('baton.importRoot')) {
        restart();
      }
    })
  );
  await start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
