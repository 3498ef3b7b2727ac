//! The parse driver. pest stops at the first error, so the driver parses the file header
//! and then the workflow body one item at a time: when an item fails, the error is
//! reported, the item is skipped up to its end (matched braces, then end of line) and
//! parsing resumes, so every broken item in a file gets its own diagnostic.

use crate::ast;
use crate::build::Builder;
use crate::errors::syntax_error;
use baton_diagnostics::{Code, Diagnostic, FileId, Span, MAX_FILE_BYTES};
use pest::iterators::Pairs;
use pest::Parser as _;
use pest_derive::Parser;
use std::sync::{Mutex, PoisonError};

#[derive(Parser)]
#[grammar = "../../../grammar/baton.pest"]
pub(crate) struct BatonParser;

/// Deepest nesting of `{}` and `()` Baton accepts. Real workflows nest a few levels; the
/// limit keeps every recursive walk over the tree far from the stack's end.
pub const MAX_NESTING: usize = 32;

/// Longest chain of operators in one expression (`a or b or c ...`), for the same reason.
pub const MAX_EXPRESSION_DEPTH: usize = 64;

/// The result of parsing one file: always a tree, plus what went wrong.
#[derive(Debug)]
pub struct Parsed {
    pub file: ast::File,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses one `.baton` file.
pub fn parse(source: &str, file: FileId) -> Parsed {
    let mut diagnostics = Vec::new();
    let empty = ast::File {
        uses: Vec::new(),
        workflow: None,
    };
    if source.len() > MAX_FILE_BYTES {
        diagnostics.push(
            Diagnostic::new(
                Code::FileTooLarge,
                file,
                Span::new(0, 0),
                format!(
                    "the file is {} bytes; Baton reads files up to {} bytes",
                    source.len(),
                    MAX_FILE_BYTES
                ),
                "file starts here",
            )
            .with_help("split the workflow into several files and `use` them"),
        );
        return Parsed {
            file: empty,
            diagnostics,
        };
    }
    if let Some(span) = too_deep(source) {
        diagnostics.push(
            Diagnostic::new(
                Code::NestingTooDeep,
                file,
                span,
                format!("braces and parentheses are nested more than {MAX_NESTING} levels deep"),
                "this opens one level too many",
            )
            .with_help("flatten the workflow: move inner parts into steps of their own or into a sub-workflow run with `run`"),
        );
        return Parsed {
            file: empty,
            diagnostics,
        };
    }

    let mut driver = Driver {
        source,
        file,
        builder: Builder::new(file),
        diagnostics: Vec::new(),
    };
    let parsed = driver.parse_file();
    let mut diagnostics = driver.diagnostics;
    diagnostics.append(&mut driver.builder.diagnostics);
    baton_diagnostics::sort_diagnostics(&mut diagnostics);
    Parsed {
        file: parsed,
        diagnostics,
    }
}

/// Serialises the parses that turn pest's error detail on; see [`parse_rule`].
static ERROR_DETAIL: Mutex<()> = Mutex::new(());

/// Parses `input` as `rule`. pest records the literal tokens it expected (`{`, `->`, ...),
/// which the messages name, only while its process-wide error detail is on, and that
/// bookkeeping about halves its speed. So the input is parsed with it off, and parsed
/// again with it on only when it fails, to build the message. Only these re-parses switch
/// the flag, one at a time and back off at once: a fast parse on another thread that
/// starts meanwhile is slower but gives the same result, since detail never changes what
/// parses.
fn parse_rule(rule: Rule, input: &str) -> Result<Pairs<'_, Rule>, pest::error::Error<Rule>> {
    BatonParser::parse(rule, input).or_else(|_| {
        let _one_at_a_time = ERROR_DETAIL.lock().unwrap_or_else(PoisonError::into_inner);
        pest::set_error_detail(true);
        let detailed = BatonParser::parse(rule, input);
        pest::set_error_detail(false);
        detailed
    })
}

struct Driver<'s> {
    source: &'s str,
    file: FileId,
    builder: Builder<'s>,
    diagnostics: Vec<Diagnostic>,
}

impl<'s> Driver<'s> {
    fn parse_file(&mut self) -> ast::File {
        let head = match parse_rule(Rule::file_head, self.source) {
            Ok(mut pairs) => pairs.next(),
            Err(error) => {
                self.diagnostics
                    .push(syntax_error(&error, 0, self.source, self.file));
                None
            }
        };
        let Some(head) = head else {
            return ast::File {
                uses: Vec::new(),
                workflow: None,
            };
        };
        let body_start = head.as_span().end();
        let (uses, name, title) = self.builder.file_head(head);

        let mut items = Vec::new();
        let mut pos = body_start;
        let close = loop {
            pos = skip_trivia(self.source, pos);
            let rest = &self.source[pos..];
            if rest.is_empty() {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::SyntaxError,
                        self.file,
                        Span::empty_at(pos),
                        format!("missing `}}` to close workflow `{}`", name.text),
                        "the file ends here",
                    )
                    .with_related(self.file, name.span, "the workflow starts here")
                    .with_help("add `}` at the end of the workflow"),
                );
                break pos;
            }
            if rest.starts_with('}') {
                break pos + 1;
            }
            match parse_rule(Rule::item, rest) {
                Ok(mut pairs) => match pairs.next() {
                    Some(pair) => {
                        let end = pos + pair.as_span().end();
                        items.push(self.builder.item(pair, pos));
                        pos = end;
                    }
                    None => break pos,
                },
                Err(error) => {
                    self.diagnostics
                        .push(syntax_error(&error, pos, self.source, self.file));
                    pos = skip_item(self.source, pos);
                }
            }
        };
        let after = skip_trivia(self.source, close);
        if after < self.source.len() {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::SyntaxError,
                    self.file,
                    Span::new(after, next_token_end(self.source, after)),
                    "unexpected text after the end of the workflow",
                    "the workflow was already closed",
                )
                .with_help("a file holds one workflow: move this into the workflow's braces, or into a file of its own"),
            );
        }
        let span = Span::new(name.span.start as usize, close);
        ast::File {
            uses,
            workflow: Some(ast::Workflow {
                name,
                title,
                items,
                span,
            }),
        }
    }
}

/// Skips whitespace and `#` comments.
pub(crate) fn skip_trivia(source: &str, mut pos: usize) -> usize {
    let bytes = source.as_bytes();
    while pos < bytes.len() {
        match bytes[pos] {
            b' ' | b'\t' | b'\r' | b'\n' => pos += 1,
            b'#' => {
                while pos < bytes.len() && bytes[pos] != b'\n' {
                    pos += 1;
                }
            }
            _ if source[pos..].starts_with('\u{FEFF}') => pos += '\u{FEFF}'.len_utf8(),
            _ => break,
        }
    }
    pos
}

/// End of the token starting at `pos`: a run of name characters, or one character.
pub(crate) fn next_token_end(source: &str, pos: usize) -> usize {
    let rest = &source[pos..];
    let word = rest
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map_or(rest.len(), |(i, _)| i);
    if word > 0 {
        pos + word
    } else {
        pos + rest.chars().next().map_or(0, char::len_utf8)
    }
}

/// Where to resume after a broken item starting at `pos`: past the line where the item's
/// braces balance again (strings and comments ignored), or at a `}` that closes the body.
fn skip_item(source: &str, pos: usize) -> usize {
    let bytes = source.as_bytes();
    let mut depth = 0usize;
    let mut i = pos;
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string && b != b'\n' {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
        } else {
            // Strings end at the end of their line, even when unterminated.
            in_string = false;
            match b {
                b'"' => in_string = true,
                b'#' => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                b'{' => depth += 1,
                b'}' if depth == 0 => return i,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        return i + 1;
                    }
                }
                b'\n' if depth == 0 => return i + 1,
                _ => {}
            }
        }
        i += 1;
    }
    bytes.len()
}

/// Finds the first bracket that opens more than [`MAX_NESTING`] levels, before any
/// recursive parsing happens.
fn too_deep(source: &str) -> Option<Span> {
    let bytes = source.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' | b'\n' => in_string = false,
                _ => {}
            }
        } else {
            match b {
                b'"' => in_string = true,
                b'#' => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                b'{' | b'(' => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Some(Span::new(i, i + 1));
                    }
                }
                b'}' | b')' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        i += 1;
    }
    None
}
