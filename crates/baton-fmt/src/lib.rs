//! The Baton formatter: prints a `.baton` file in its one canonical layout.
//!
//! [`format`] parses the file, refuses it if it has syntax errors (a broken file is never
//! rewritten), and prints it again from its syntax tree: `use` lines, the workflow with
//! two-space indentation, declarations grouped, short steps on one line and the others
//! as blocks with one clause per line, decision outcomes and match arms aligned,
//! literals in one canonical spelling. Every `#` comment is kept with the item it was
//! written next to (see `layout`).
//!
//! Two properties hold for every file that parses, and are tested over the examples,
//! the test cases and generated workflows:
//! - idempotence: formatting a formatted file changes nothing;
//! - meaning: the formatted file has the same syntax tree (so the same checked graph)
//!   as the original, except for source positions.

mod layout;
mod print;
mod text;

use baton_diagnostics::{Diagnostic, FileId};

/// Formats one file. On syntax errors, returns the parser's diagnostics (for `FileId(0)`)
/// and formats nothing.
pub fn format(source: &str) -> Result<String, Vec<Diagnostic>> {
    let parsed = baton_syntax::parse(source, FileId(0));
    if parsed.diagnostics.iter().any(Diagnostic::is_error) {
        return Err(parsed.diagnostics);
    }
    let comments = baton_syntax::comments(source);
    let root = layout::build(source, &parsed.file, &comments);
    Ok(print::Printer::new(source).file(&root))
}
