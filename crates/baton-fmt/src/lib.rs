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
//!
//! The file's conventions that are not layout are kept, as rustfmt's `newline_style =
//! "Auto"` and Prettier's `endOfLine: "auto"` do: the line ending is the one the file's
//! first line ends with (`\r\n` or `\n`; a file mixing them gets that one throughout), a
//! byte-order mark stays, and the output always ends with a line break.

mod layout;
mod print;
mod text;

use baton_diagnostics::{Diagnostic, FileId};

const BOM: char = '\u{FEFF}';

/// Formats one file. On syntax errors, returns the parser's diagnostics (for `FileId(0)`,
/// with spans in `source`) and formats nothing.
pub fn format(source: &str) -> Result<String, Vec<Diagnostic>> {
    let parsed = baton_syntax::parse(source, FileId(0));
    if parsed.diagnostics.iter().any(Diagnostic::is_error) {
        return Err(parsed.diagnostics);
    }
    let bom = source.starts_with(BOM);
    let crlf = first_line_ending_is_crlf(source);
    if !bom && !source.contains('\r') {
        return Ok(layout_of(source, &parsed.file));
    }
    // The layout is computed on the plain text (no BOM, `\n` only), so that comments
    // and blank-line detection never see a `\r`; then the file's conventions go back on.
    let plain = source
        .strip_prefix(BOM)
        .unwrap_or(source)
        .replace("\r\n", "\n");
    let reparsed = baton_syntax::parse(&plain, FileId(0));
    let mut out = String::with_capacity(plain.len() + 16);
    if bom {
        out.push(BOM);
    }
    let formatted = layout_of(&plain, &reparsed.file);
    if crlf {
        out.push_str(&formatted.replace('\n', "\r\n"));
    } else {
        out.push_str(&formatted);
    }
    Ok(out)
}

fn layout_of(source: &str, file: &baton_syntax::ast::File) -> String {
    let comments = baton_syntax::comments(source);
    let root = layout::build(source, file, &comments);
    print::Printer::new(source).file(&root)
}

/// Whether the first line break of `source` is `\r\n` (rustfmt's "Auto" rule).
fn first_line_ending_is_crlf(source: &str) -> bool {
    source
        .find('\n')
        .is_some_and(|at| at > 0 && source.as_bytes().get(at - 1) == Some(&b'\r'))
}
