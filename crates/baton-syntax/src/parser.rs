//! The parse driver. pest stops at the first error, so the driver parses the file header
//! and then the workflow body one item at a time: when an item fails, the error is
//! reported, the item is skipped up to its end (matched braces, then end of line) and
//! parsing resumes, so every broken item in a file gets its own diagnostic.

use crate::ast;
use crate::build::Builder;
use crate::errors::syntax_error;
use crate::fast;
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

/// Parses one `.baton` file. A large file is parsed on several threads (see
/// [`Driver::body`]); the result is the same as on one.
pub fn parse(source: &str, file: FileId) -> Parsed {
    parse_with(source, file, None, true)
}

/// [`parse`] by the grammar alone, without the hand-written parser that takes most items
/// first: the reference the tests and the `parse` fuzz target compare [`parse`] with.
pub fn parse_reference(source: &str, file: FileId) -> Parsed {
    parse_with(source, file, None, false)
}

/// [`parse`], with the body split at `splits` instead of at guessed item starts (for tests).
#[cfg(test)]
fn parse_split(source: &str, file: FileId, splits: Option<Vec<usize>>) -> Parsed {
    parse_with(source, file, splits, true)
}

fn parse_with(source: &str, file: FileId, splits: Option<Vec<usize>>, fast: bool) -> Parsed {
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
        splits,
        fast,
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
    /// Where to split the body for parsing on several threads; `None`: guess.
    splits: Option<Vec<usize>>,
    fast: bool,
}

/// Bodies shorter than this are parsed on one thread: below it, starting a thread costs
/// more than it saves (a quarter megabyte is some 10 ms of parsing).
const MIN_CHUNK_BYTES: usize = 256 * 1024;

/// Stack of the extra parsing threads: as deep as the main thread's, since pest recurses
/// once per rule and the limits above are tuned for it.
const PARSER_STACK_BYTES: usize = 16 * 1024 * 1024;

/// A run of the workflow body parsed from one position.
struct Segment {
    items: Vec<ast::Item>,
    diagnostics: Vec<Diagnostic>,
    end: SegmentEnd,
}

enum SegmentEnd {
    /// The item loop came to a position at or past the stop it was given.
    Reached(usize),
    /// The workflow's `}` was found; the body ends after it, at this offset.
    Closed(usize),
    /// The file ended first (reported).
    FileEnd(usize),
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

        let splits = self.splits.take().unwrap_or_else(|| {
            split_points(self.source, body_start, worker_count(), MIN_CHUNK_BYTES)
        });
        let (items, close) = self.body(body_start, &splits, &name);
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

    /// Parses the workflow body from `body_start`; returns its items and the offset after
    /// its closing brace (or the end of the file).
    ///
    /// With `splits` (guessed item starts, increasing), the parts between them are parsed
    /// at the same time on threads of their own, each stopping at the next split. The item
    /// loop's only state is its position, so a part that starts exactly where the part
    /// before it stopped continues that part as if one thread had done both. When a part
    /// before a split stops elsewhere (the guess was inside an item), the split's part is
    /// dropped and the loop carries on from where it stopped, on this thread: the result
    /// is always the one-thread result (tested against it at random splits).
    fn body(
        &mut self,
        body_start: usize,
        splits: &[usize],
        name: &ast::Name,
    ) -> (Vec<ast::Item>, usize) {
        let source = self.source;
        let segments = Segments {
            source,
            file: self.file,
            name,
            fast: self.fast,
        };
        let stop_after = |i: usize| splits.get(i).copied();
        let mut parts: Vec<Option<Segment>> = if splits.is_empty() {
            vec![Some(segments.parse(body_start, None))]
        } else {
            std::thread::scope(|scope| {
                let workers: Vec<_> = splits
                    .iter()
                    .enumerate()
                    .map(|(i, &start)| {
                        std::thread::Builder::new()
                            .stack_size(PARSER_STACK_BYTES)
                            .spawn_scoped(scope, move || segments.parse(start, stop_after(i + 1)))
                    })
                    .collect();
                let first = segments.parse(body_start, stop_after(0));
                let mut parts = vec![Some(first)];
                // A part whose thread could not start or panicked is parsed again below,
                // on this thread, if it is needed at all.
                parts.extend(
                    workers
                        .into_iter()
                        .map(|worker| worker.ok().and_then(|w| w.join().ok())),
                );
                parts
            })
        };

        let mut chain = Vec::new();
        let mut part = parts[0].take();
        let close = loop {
            let Some(segment) = part.take() else {
                break source.len();
            };
            let pos = match segment.end {
                SegmentEnd::Closed(end) | SegmentEnd::FileEnd(end) => {
                    chain.push(segment);
                    break end;
                }
                SegmentEnd::Reached(pos) => pos,
            };
            chain.push(segment);
            // Part i + 1 starts at splits[i].
            let next = splits.partition_point(|&split| split < pos);
            part = match splits.get(next) {
                Some(&split) if split == pos => parts[next + 1]
                    .take()
                    .or_else(|| Some(segments.parse(pos, stop_after(next + 1)))),
                _ => Some(segments.parse(pos, stop_after(next))),
            };
        };
        drop(parts);
        if chain.len() == 1 {
            let segment = chain.swap_remove(0);
            self.diagnostics.extend(segment.diagnostics);
            return (segment.items, close);
        }
        // One allocation of the exact size: growing by doubling would leave up to half of
        // the largest array of the file unused.
        let mut items = Vec::with_capacity(chain.iter().map(|s| s.items.len()).sum());
        for segment in chain {
            items.extend(segment.items);
            self.diagnostics.extend(segment.diagnostics);
        }
        (items, close)
    }
}

/// How many threads may parse one file at once.
fn worker_count() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// What every part of the body is parsed with.
#[derive(Clone, Copy)]
struct Segments<'a> {
    source: &'a str,
    file: FileId,
    /// The workflow's name, for the message when its `}` is missing.
    name: &'a ast::Name,
    /// Whether items are tried with the hand-written parser first (see [`fast`]).
    fast: bool,
}

impl Segments<'_> {
    /// Runs the item loop from `pos` until the workflow's `}`, the end of the file, or the
    /// first item boundary at or past `stop`.
    fn parse(self, mut pos: usize, stop: Option<usize>) -> Segment {
        let (source, file) = (self.source, self.file);
        let mut builder = Builder::new(file);
        let mut diagnostics = Vec::new();
        let mut items = Vec::new();
        let end = loop {
            pos = skip_trivia(source, pos);
            if stop.is_some_and(|stop| pos >= stop) {
                break SegmentEnd::Reached(pos);
            }
            let rest = &source[pos..];
            if rest.is_empty() {
                diagnostics.push(
                    Diagnostic::new(
                        Code::SyntaxError,
                        file,
                        Span::empty_at(pos),
                        format!("missing `}}` to close workflow `{}`", self.name.text),
                        "the file ends here",
                    )
                    .with_related(file, self.name.span, "the workflow starts here")
                    .with_help("add `}` at the end of the workflow"),
                );
                break SegmentEnd::FileEnd(pos);
            }
            if rest.starts_with('}') {
                break SegmentEnd::Closed(pos + 1);
            }
            let (item, end) = self.item(&mut builder, &mut diagnostics, pos);
            items.extend(item);
            pos = end;
        };
        diagnostics.append(&mut builder.diagnostics);
        Segment {
            items,
            diagnostics,
            end,
        }
    }
}

impl Segments<'_> {
    /// Parses the item at `pos` (not trivia, not `}`, not the end); returns it (none if it
    /// is broken: then it is reported and skipped) and the offset after it.
    fn item(
        self,
        builder: &mut Builder<'_>,
        diagnostics: &mut Vec<Diagnostic>,
        pos: usize,
    ) -> (Option<ast::Item>, usize) {
        let source = self.source;
        if let Some((item, end)) = self.fast.then(|| fast::item(source, pos)).flatten() {
            return (Some(item), end);
        }
        match parse_rule(Rule::item, &source[pos..]) {
            Ok(mut pairs) => match pairs.next() {
                Some(pair) => {
                    let end = pos + pair.as_span().end();
                    (Some(builder.item(pair, pos)), end)
                }
                None => (None, source.len()),
            },
            Err(error) => {
                let before = diagnostics.len();
                if let Some((item, end)) = self.recover_parallel(builder, diagnostics, pos) {
                    if diagnostics.len() == before {
                        // Nothing inside was found broken (the file ended inside the
                        // block): the whole item's error stands.
                        diagnostics.push(syntax_error(&error, pos, source, self.file));
                    }
                    return (Some(item), end);
                }
                diagnostics.push(syntax_error(&error, pos, source, self.file));
                (None, skip_item(source, pos))
            }
        }
    }

    /// A `parallel` that does not parse as a whole, read piece by piece: its head, then
    /// each branch's head and items, each broken piece reported and skipped on its own, so
    /// the rest of the parallel (its other branches, the good items of a branch) is kept
    /// for the checker and the editor. `None` when the head itself is broken (the item is
    /// then reported as a whole). Recursion follows the braces, which `too_deep` bounds.
    fn recover_parallel(
        self,
        builder: &mut Builder<'_>,
        diagnostics: &mut Vec<Diagnostic>,
        pos: usize,
    ) -> Option<(ast::Item, usize)> {
        let (source, file) = (self.source, self.file);
        // Only a parallel without attributes (`@allow` before it) is read in pieces.
        let head = parse_rule(Rule::parallel_head, &source[pos..])
            .ok()?
            .next()?;
        let mut at = pos + head.as_span().end();
        let (name, title) = builder.head(head, pos);
        let mut branches = Vec::new();
        let end = loop {
            at = skip_trivia(source, at);
            if at >= source.len() {
                break at;
            }
            if source[at..].starts_with('}') {
                break at + 1;
            }
            let branch_head = match parse_rule(Rule::branch_head, &source[at..]) {
                Ok(mut pairs) => pairs.next(),
                Err(error) => {
                    diagnostics.push(syntax_error(&error, at, source, file));
                    at = skip_item(source, at);
                    continue;
                }
            };
            let Some(branch_head) = branch_head else {
                break source.len();
            };
            let branch_start = at;
            at += branch_head.as_span().end();
            let (branch_name, branch_title) = builder.head(branch_head, branch_start);
            let mut items = Vec::new();
            at = loop {
                at = skip_trivia(source, at);
                if at >= source.len() {
                    break at;
                }
                if source[at..].starts_with('}') {
                    break at + 1;
                }
                let (item, next) = self.item(builder, diagnostics, at);
                items.extend(item);
                at = next;
            };
            branches.push(ast::Branch {
                name: branch_name,
                title: branch_title,
                items,
                span: Span::new(branch_start, at),
            });
        };
        let item = ast::Item {
            attrs: Vec::new(),
            kind: ast::ItemKind::Parallel(ast::Parallel {
                name,
                title,
                branches,
                keyword: Span::new(pos, pos + "parallel".len()),
            }),
            span: Span::new(pos, end),
        };
        Some((item, end))
    }
}

/// Guesses up to `workers - 1` places in the body, about evenly apart and at least
/// `min_chunk` bytes apart, where a top-level item starts: the first word of a line
/// indented like the body's first item. A wrong guess costs time, never correctness
/// (see [`Driver::body`]).
fn split_points(source: &str, body_start: usize, workers: usize, min_chunk: usize) -> Vec<usize> {
    let bytes = source.as_bytes();
    let first = skip_trivia(source, body_start);
    let body = bytes.len().saturating_sub(first);
    let parts = workers.min(body / min_chunk.max(1));
    if parts < 2 {
        return Vec::new();
    }
    let line_start = bytes[..first]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let indent = &bytes[line_start..first];
    if !indent.iter().all(|&b| b == b' ' || b == b'\t') {
        return Vec::new();
    }
    let mut splits = Vec::new();
    let mut from = first;
    for part in 1..parts {
        let target = (first + body / parts * part).max(from);
        let Some(found) = item_line_after(bytes, target, indent) else {
            break;
        };
        splits.push(found);
        from = found + 1;
    }
    splits
}

/// The first line start after `from` that has exactly `indent` and then a name character
/// or `@`: the offset of that character.
fn item_line_after(bytes: &[u8], from: usize, indent: &[u8]) -> Option<usize> {
    let mut i = from;
    while let Some(newline) = bytes.get(i..)?.iter().position(|&b| b == b'\n') {
        let start = i + newline + 1;
        let word = start + indent.len();
        if bytes.get(start..word) == Some(indent)
            && bytes
                .get(word)
                .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_' || b == b'@')
        {
            return Some(word);
        }
        i = start;
    }
    None
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
/// recursive parsing happens. It reads every byte of the file, so it jumps through strings
/// and comments with `memchr` and through other text a byte at a time with a table test.
pub(crate) fn too_deep(source: &str) -> Option<Span> {
    const PLAIN: [bool; 256] = {
        let mut plain = [true; 256];
        let mut special = 0;
        while special < 6 {
            plain[b"\"#{}()"[special] as usize] = false;
            special += 1;
        }
        plain
    };
    let bytes = source.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                // A string ends at its closing quote or at the end of its line; a
                // backslash escapes the byte after it.
                i += 1;
                loop {
                    let rest = bytes.get(i..).unwrap_or_default();
                    // No end: the string runs to the end of the file.
                    let k = memchr::memchr3(b'"', b'\\', b'\n', rest)?;
                    i += k + 1;
                    if bytes[i - 1] != b'\\' {
                        break;
                    }
                    i += 1;
                }
                continue;
            }
            b'#' => {
                i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |k| i + k);
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
        i += 1;
        while i < bytes.len() && PLAIN[bytes[i] as usize] {
            i += 1;
        }
    }
    None
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sources() -> Vec<(String, String)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut found = Vec::new();
        let mut dirs = vec![root.join("examples"), root.join("tests/cases")];
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "baton") {
                    if let Ok(text) = std::fs::read_to_string(&path) {
                        found.push((path.display().to_string(), text));
                    }
                }
            }
        }
        found.sort();
        found
    }

    pub(crate) fn same(a: &Parsed, b: &Parsed) -> bool {
        a.file == b.file && a.diagnostics == b.diagnostics
    }

    /// Splitting the body anywhere, right or wrong, gives the one-thread result: every
    /// example and case file, split at every line start and at pseudo-random bytes.
    #[test]
    fn any_split_gives_the_sequential_result() {
        let mut checked = 0;
        for (name, text) in sources() {
            let sequential = parse_split(&text, FileId(0), Some(Vec::new()));
            let line_starts: Vec<usize> = text
                .char_indices()
                .filter(|&(_, c)| c == '\n')
                .map(|(i, _)| i + 1)
                .collect();
            let mut seed = text.len() as u64 | 1;
            let mut random = || {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed
            };
            let mut cases: Vec<Vec<usize>> = line_starts
                .iter()
                .map(|&i| vec![skip_trivia(&text, i)])
                .collect();
            for _ in 0..20 {
                let mut splits: Vec<usize> = (0..1 + random() % 4)
                    .map(|_| (random() as usize) % (text.len() + 1))
                    .filter(|&i| text.is_char_boundary(i))
                    .collect();
                splits.sort_unstable();
                splits.dedup();
                cases.push(splits);
            }
            cases.push(line_starts.iter().map(|&i| skip_trivia(&text, i)).collect());
            for splits in cases {
                let mut splits: Vec<usize> = splits.into_iter().filter(|&i| i > 0).collect();
                splits.dedup();
                let split = parse_split(&text, FileId(0), Some(splits.clone()));
                assert!(
                    same(&sequential, &split),
                    "{name}: split at {splits:?} differs"
                );
                checked += 1;
            }
        }
        assert!(checked > 1000, "only {checked} splits checked");
    }

    /// A small xorshift generator: the tests are reproducible without a dependency.
    pub(crate) struct Random(pub(crate) u64);

    impl Random {
        pub(crate) fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n.max(1) as u64) as usize
        }
    }

    /// A random edit of `text`: text typed, deleted, replaced or pasted from elsewhere.
    pub(crate) fn edit(text: &str, random: &mut Random) -> String {
        const TYPED: &[&str] = &[
            "a",
            "x",
            " ",
            "\n",
            "{",
            "}",
            "\"",
            "#",
            "->",
            "step ",
            "end ",
            "at most 2 times",
            "by writer",
            "decision d {\n",
            "  step s \"T\" { by r }\n",
            "0",
            "\\q",
            "é",
            "@allow(x)\n",
            "else",
            "with",
            "(",
            ")",
            "==",
            "2d",
            "\t",
        ];
        let boundary = |random: &mut Random| {
            let mut i = random.below(text.len() + 1);
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let (mut a, mut b) = (boundary(random), boundary(random));
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        if random.below(3) == 0 {
            b = a; // pure insertion
        } else if b - a > 40 {
            b = a + text[a..]
                .char_indices()
                .nth(40)
                .map_or(text.len() - a, |(i, _)| i);
        }
        let inserted = match random.below(4) {
            0 => String::new(),
            1 => {
                let (c, d) = (boundary(random), boundary(random));
                text[c.min(d)..c.max(d)].chars().take(200).collect()
            }
            _ => (0..1 + random.below(3))
                .map(|_| TYPED[random.below(TYPED.len())])
                .collect(),
        };
        format!("{}{inserted}{}", &text[..a], &text[b..])
    }

    pub(crate) fn generated(steps: usize) -> String {
        let mut text = String::from("workflow w \"W\" {\n  role writer\n  role r\n");
        for i in 0..steps {
            text.push_str(&format!(
                "  step s{i} \"Step {i}\" {{\n    by writer\n  }}\n  decision d{i} {{\n    by r\n    ok -> s{} \n    redo -> s{i} at most 2 times\n  }}\n  # note {i}\n",
                i + 1
            ));
        }
        text.push_str(&format!("  step s{steps}\n  end done success\n}}\n"));
        text
    }

    /// An incremental re-parse gives the same tree and diagnostics as a full parse, on
    /// thousands of random edits (and chains of edits) of every example and case file.
    #[test]
    fn guessed_splits_are_item_starts_of_formatted_code() {
        let text = format!(
            "workflow w {{\n{}  end done\n}}\n",
            (0..2000)
                .map(|i| format!("  step s{i} \"Step {i}\" {{\n    by r\n  }}\n"))
                .collect::<String>()
        );
        let body_start = text.find('{').map_or(0, |i| i + 1);
        let splits = split_points(&text, body_start, 4, 1024);
        assert_eq!(splits.len(), 3);
        for &split in &splits {
            assert!(
                text[split..].starts_with("step s"),
                "{:?}",
                &text[split..split + 10]
            );
        }
        assert!(split_points(&text, body_start, 1, 1024).is_empty());
        assert!(split_points(&text, body_start, 4, text.len()).is_empty());
    }

    /// [`too_deep`] as it was first written, a byte at a time: the reference.
    fn too_deep_reference(source: &str) -> Option<Span> {
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

    /// The fast nesting check finds the same bracket as the plain one: on every file, on
    /// random edits of them, and on deep nests with strings and comments in between.
    #[test]
    fn too_deep_agrees_with_the_plain_scan() {
        let mut texts: Vec<String> = sources().into_iter().map(|(_, text)| text).collect();
        let mut random = Random(0x5DEE_CE66_D1CE_4E5B);
        for i in 0..texts.len() {
            let mut text = texts[i].clone();
            for _ in 0..20 {
                text = edit(&text, &mut random);
                texts.push(text.clone());
            }
        }
        // Mostly openers, so that many texts nest past the limit. The last five pieces open
        // strings and comments, which hide brackets: only every other text has them.
        let pieces = [
            "{", "(", "{", "(", "{ ", "(", "}", ")", "\\", "a", " ", "é", "\"{", "\\\"", "\n",
            "# {", "\"",
        ];
        for i in 0..20_000 {
            let kinds = if i % 2 == 0 { 12 } else { pieces.len() };
            let length = 1 + random.below(3 * MAX_NESTING);
            texts.push((0..length).map(|_| pieces[random.below(kinds)]).collect());
        }
        let mut deep = 0;
        for text in &texts {
            let expected = too_deep_reference(text);
            deep += usize::from(expected.is_some());
            assert_eq!(too_deep(text), expected, "{text:?}");
        }
        assert!(deep > 100, "only {deep} texts nest too deep");
    }
}
