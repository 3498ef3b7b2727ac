//! The Baton language server (`baton lsp`): the compiler's phases wired to an editor over
//! the Language Server Protocol.
//!
//! It re-checks a document on every change (full or incremental sync), publishes the same
//! diagnostics as `baton check` (code, severity, message, related labels, help), and
//! answers hover, go to definition, find references, rename, document symbols,
//! completion, formatting (through `baton-fmt`) and quick fixes for the checker's "did you
//! mean" fixes.
//!
//! Layout:
//! - [`server`]: the protocol: lifecycle, dispatch, one `catch_unwind` per message so a
//!   bug in one handler answers an `InternalError` instead of ending the session.
//! - `document`: an open document, its analysis and symbol index; imports read from open
//!   buffers first, then from the disk.
//! - `index`: every definition and reference of the document, built from the AST (every
//!   name carries its span), for navigation, rename and hover.
//! - `features`: one module per request.
//! - `line_index`, `uri`: byte offsets ↔ UTF-16 positions, `file:` URIs ↔ paths.
//!
//! The server is synchronous: it reads a message, answers it, and only then reads the
//! next, so it needs no threads, and `baton lsp` runs it on the streams `main` already
//! holds. A re-check of a hand-written workflow takes a few milliseconds, and of 5,000
//! steps some 20 ms ([`recheck`]'s check is what the benchmark times), so there is
//! nothing to cancel or debounce yet.

mod diagnostics;
mod document;
mod features;
mod index;
mod line_index;
pub mod server;
mod uri;

pub use line_index::LineIndex;
pub use server::{serve, serve_connection, serve_with, Options, Server};

/// Checks `text` as a freshly opened, unsaved buffer (imports are not read) and converts
/// the diagnostics to LSP form, as the server does on every edit (see `document.rs`).
pub fn recheck(text: &str) -> Vec<lsp_types::Diagnostic> {
    let analysis = baton_check::check("<buffer>", text, None, &baton_check::NoFiles);
    let lines = LineIndex::new(text);
    let Ok(uri) = "untitled:buffer".parse::<lsp_types::Uri>() else {
        return Vec::new();
    };
    diagnostics::for_document(&analysis, &lines, &uri)
}
