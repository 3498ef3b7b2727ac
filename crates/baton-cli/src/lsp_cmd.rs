//! `baton lsp`: runs the language server (`baton-lsp`) over standard input and output.
//!
//! The server is synchronous and writes only in answer to what it reads, so it runs on
//! the streams [`crate::run`] is given (already locked by `main`) without threads; the
//! protocol owns standard output, so nothing else may be printed there.

use std::io::{BufReader, Read, Write};
use std::path::PathBuf;

/// Serves until the client sends `exit`; returns the exit code the protocol asks for (0
/// after `shutdown`, 1 otherwise). `--import-root` applies as in `baton check`, unless
/// the editor sets its own (`initializationOptions.importRoot`).
pub(crate) fn run(
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    import_root: Option<PathBuf>,
) -> i32 {
    let mut input = BufReader::new(stdin);
    let options = baton_lsp::Options { import_root };
    baton_lsp::serve_with(&mut input, stdout, options)
}
