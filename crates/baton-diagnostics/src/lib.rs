//! Spans, stable diagnostic codes and the `Diagnostic` data type that every Baton phase
//! produces. Diagnostics are plain data: the CLI renders them with miette, the language
//! server turns them into LSP diagnostics, and tests snapshot them.

mod code;
mod source_code;

use source_code::LineIndex;
use std::fmt;
use std::sync::{Arc, OnceLock};

pub use code::{Code, Severity};

/// A byte range in one source file. `u32` keeps AST nodes small; the parser refuses files
/// larger than [`MAX_FILE_BYTES`], so offsets always fit. Serialised as `[start, end]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

/// Largest source file Baton reads (64 MiB): well above any hand-written or generated
/// workflow, small enough that offsets fit in `u32` and memory stays bounded.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        // Offsets come from files no larger than MAX_FILE_BYTES, so they fit.
        Span {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    pub fn empty_at(offset: usize) -> Span {
        Span::new(offset, offset)
    }

    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

impl serde::Serialize for Span {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (self.start, self.end).serialize(serializer)
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// Identifies a source file inside one [`SourceMap`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct FileId(pub u32);

/// One source file: the name shown to the user and its text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: Arc<str>,
}

/// The files of one compilation: the root file and everything it imports.
#[derive(Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
    /// Each file's line index, built the first time a report of that file is rendered and
    /// shared by all of them, so rendering N reports costs O(file + N), not O(file × N).
    line_indexes: Vec<OnceLock<Arc<LineIndex>>>,
    /// Each file's line starts (after each `\n`) for [`SourceMap::line_col`], built on
    /// first use: JSON and SARIF output ask for two positions per diagnostic.
    line_starts: Vec<OnceLock<Vec<usize>>>,
}

// The line indexes are a cache: leave them out, as before they existed.
impl fmt::Debug for SourceMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceMap")
            .field("files", &self.files)
            .finish()
    }
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<Arc<str>>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(SourceFile {
            name: name.into(),
            text: text.into(),
        });
        self.line_indexes.push(OnceLock::new());
        self.line_starts.push(OnceLock::new());
        id
    }

    /// The file's text with its line index, for miette to read spans from.
    fn indexed_source(&self, id: FileId) -> source_code::IndexedSource {
        let text = self.shared_text(id);
        let lines = match self.line_indexes.get(id.0 as usize) {
            Some(cell) => Arc::clone(cell.get_or_init(|| Arc::new(LineIndex::new(&text)))),
            None => Arc::new(LineIndex::new(&text)),
        };
        source_code::IndexedSource::new(text, lines)
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    pub fn name(&self, id: FileId) -> &str {
        self.get(id).map_or("<unknown>", |f| f.name.as_str())
    }

    pub fn text(&self, id: FileId) -> &str {
        self.get(id).map_or("", |f| &f.text)
    }

    /// The text, shared rather than copied.
    pub fn shared_text(&self, id: FileId) -> Arc<str> {
        self.get(id)
            .map_or_else(|| Arc::from(""), |f| Arc::clone(&f.text))
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// 1-based line and column (in characters) of a byte offset.
    /// Same as [`line_col`] on the file's text, in time proportional to the line.
    pub fn line_col(&self, id: FileId, offset: u32) -> (usize, usize) {
        let text = self.text(id);
        let Some(cell) = self.line_starts.get(id.0 as usize) else {
            return line_col(text, offset as usize);
        };
        let starts = cell.get_or_init(|| {
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let offset = (offset as usize).min(text.len());
        let line = starts.partition_point(|&start| start <= offset).max(1);
        let line_start = starts.get(line - 1).copied().unwrap_or(0);
        let col = text
            .get(line_start..offset)
            .map_or(0, |s| s.chars().count())
            + 1;
        (line, col)
    }
}

/// Byte offset where each line of `text` starts, a line ending at `\r\n`, a lone `\r` or
/// `\n` (as miette and the Language Server Protocol count lines). The first line starts
/// at 0; a text ending with a line break has an empty last line starting at its length.
pub fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => starts.push(i + 1),
            b'\r' => {
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                starts.push(i + 1);
            }
            _ => {}
        }
        i += 1;
    }
    starts
}

/// 1-based line and column (in characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, col)
}

/// A place in a file with a short message saying what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

/// A suggested source edit, e.g. the "did you mean" replacement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub message: String,
    pub file: FileId,
    pub span: Span,
    pub replacement: String,
}

/// A problem found in a workflow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// Where the problem is; its message says what is wrong there.
    pub primary: Label,
    /// Related places: the first definition, the other branch, the loop's nodes.
    pub related: Vec<Label>,
    pub help: Option<String>,
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    pub fn new(
        code: Code,
        file: FileId,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message: message.into(),
            primary: Label {
                file,
                span,
                message: label.into(),
            },
            related: Vec::new(),
            help: None,
            fixes: Vec::new(),
        }
    }

    pub fn with_related(mut self, file: FileId, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Label {
            file,
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_fix(mut self, message: impl Into<String>, replacement: impl Into<String>) -> Self {
        self.fixes.push(Fix {
            message: message.into(),
            file: self.primary.file,
            span: self.primary.span,
            replacement: replacement.into(),
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Sort key that orders diagnostics by position, then code, for deterministic output.
    pub fn sort_key(&self) -> (FileId, u32, u32, Code) {
        (
            self.primary.file,
            self.primary.span.start,
            self.primary.span.end,
            self.code,
        )
    }
}

/// Sorts diagnostics by position and drops exact duplicates.
pub fn sort_diagnostics(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then_with(|| a.message.cmp(&b.message))
    });
    diagnostics.dedup();
}

/// Closest candidate to `name` by edit distance, if it is close enough to be a likely typo.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = match name.chars().count() {
        0..=5 => 1,
        6..=8 => 2,
        _ => 3,
    };
    // Typos are short; comparing long names would cost length² for nothing.
    let length = name.chars().count();
    if length > 64 {
        return None;
    }
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .filter(|c| c.chars().count().abs_diff(length) <= limit)
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// Edit distance over characters (insertions, deletions, substitutions and swaps of two
/// neighbours), ignoring ASCII case, so `Lead` suggests `lead` and `sned` suggests `send`.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    // rows[i][j]: distance between a[..i] and b[..j].
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let substitution = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j - 1] + substitution)
                .min(rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

/// Renders diagnostics through miette: the bridge between Baton's plain data and miette's
/// `Diagnostic` trait. Secondary labels in other files become related reports.
pub mod report {
    use super::source_code::IndexedSource;
    use super::{Diagnostic as BatonDiagnostic, FileId, Severity as BatonSeverity, SourceMap};
    use miette::{LabeledSpan, NamedSource, SourceSpan};
    use std::fmt;

    #[derive(Debug)]
    pub struct Report {
        code: &'static str,
        severity: BatonSeverity,
        message: String,
        help: Option<String>,
        /// Indexed rather than `Arc<str>`: miette's `str` rescans the file for every span.
        source: NamedSource<IndexedSource>,
        labels: Vec<LabeledSpan>,
        related: Vec<Report>,
    }

    impl Report {
        pub fn new(diagnostic: &BatonDiagnostic, files: &SourceMap) -> Report {
            let file = diagnostic.primary.file;
            let mut labels = vec![LabeledSpan::new_primary_with_span(
                non_empty(diagnostic.primary.message.clone()),
                to_source_span(diagnostic.primary.span),
            )];
            let mut related = Vec::new();
            for label in &diagnostic.related {
                if label.file == file {
                    labels.push(LabeledSpan::new_with_span(
                        non_empty(label.message.clone()),
                        to_source_span(label.span),
                    ));
                } else {
                    related.push(Report {
                        code: diagnostic.code.as_str(),
                        severity: BatonSeverity::Advice,
                        message: label.message.clone(),
                        help: None,
                        source: named_source(files, label.file),
                        labels: vec![LabeledSpan::new_primary_with_span(
                            None,
                            to_source_span(label.span),
                        )],
                        related: Vec::new(),
                    });
                }
            }
            Report {
                code: diagnostic.code.as_str(),
                severity: diagnostic.severity,
                message: diagnostic.message.clone(),
                help: diagnostic.help.clone(),
                source: named_source(files, file),
                labels,
                related,
            }
        }
    }

    fn non_empty(message: String) -> Option<String> {
        (!message.is_empty()).then_some(message)
    }

    fn named_source(files: &SourceMap, file: FileId) -> NamedSource<IndexedSource> {
        NamedSource::new(files.name(file), files.indexed_source(file)).with_language("baton")
    }

    fn to_source_span(span: super::Span) -> SourceSpan {
        SourceSpan::new((span.start as usize).into(), span.len())
    }

    impl fmt::Display for Report {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(&self.message)
        }
    }

    impl std::error::Error for Report {}

    impl miette::Diagnostic for Report {
        fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
            // Related notes repeat nothing: only the main report shows the code.
            match self.severity {
                BatonSeverity::Advice => None,
                _ => Some(Box::new(self.code)),
            }
        }

        fn severity(&self) -> Option<miette::Severity> {
            Some(match self.severity {
                BatonSeverity::Error => miette::Severity::Error,
                BatonSeverity::Warning => miette::Severity::Warning,
                BatonSeverity::Advice => miette::Severity::Advice,
            })
        }

        fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
            self.help
                .as_ref()
                .map(|h| Box::new(h) as Box<dyn fmt::Display>)
        }

        fn source_code(&self) -> Option<&dyn miette::SourceCode> {
            Some(&self.source)
        }

        fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
            Some(Box::new(self.labels.iter().cloned()))
        }

        fn related<'a>(
            &'a self,
        ) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
            if self.related.is_empty() {
                return None;
            }
            Some(Box::new(
                self.related.iter().map(|r| r as &dyn miette::Diagnostic),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_close_names_only() {
        let roles = ["copywriter", "designer", "lead"];
        assert_eq!(suggest("copywritter", roles), Some("copywriter"));
        assert_eq!(suggest("Lead", roles), Some("lead"));
        assert_eq!(suggest("legal", roles), None);
        assert_eq!(suggest("zzz", roles), None);
        assert_eq!(suggest("sned", ["send", "done"]), Some("send"));
    }

    #[test]
    fn source_map_line_col_matches_the_scan() {
        let text = "ab\r\ncé\n\n日本語\nlast";
        let mut files = SourceMap::new();
        let id = files.add("t", text);
        for offset in 0..=text.len() + 2 {
            if text.is_char_boundary(offset.min(text.len())) {
                assert_eq!(
                    files.line_col(id, offset as u32),
                    line_col(text, offset),
                    "{offset}"
                );
            }
        }
    }

    #[test]
    fn line_col_counts_characters() {
        let text = "ab\ncé d";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 6), (2, 3));
        assert_eq!(line_col(text, 999), (2, 5));
    }
}
