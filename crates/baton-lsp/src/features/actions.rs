//! Quick fixes and formatting.
//!
//! Quick fixes come from the checker: a diagnostic's `fixes` ("did you mean `writer`?")
//! become code actions for the diagnostics under the cursor. They are taken from the
//! document's current analysis rather than from the diagnostics the client sends back,
//! so they never apply to stale positions.
//!
//! Formatting is `baton_fmt::format`, which refuses files with syntax errors; such a file
//! is left as it is (an empty answer, not an error: editors that format on save would
//! otherwise show an error on every save of a half-written file). The answer is the
//! changed line ranges only (a line diff of the document against the formatted text), so
//! the editor keeps cursors, marks, folds and undo history on the lines that stay.

use crate::diagnostics::to_lsp;
use crate::document::Document;
use lsp_types::{CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit, WorkspaceEdit};
use std::collections::HashMap;

pub fn code_actions(doc: &Document, range: Range) -> Vec<CodeActionOrCommand> {
    let wanted = doc.lines.span(&doc.text, range);
    let analysis = &doc.analysis;
    let mut actions = Vec::new();
    for diagnostic in &analysis.diagnostics {
        let span = diagnostic.primary.span;
        if diagnostic.primary.file != analysis.root
            || diagnostic.fixes.is_empty()
            || span.start > wanted.end
            || wanted.start > span.end
        {
            continue;
        }
        let lsp_diagnostic = to_lsp(diagnostic, analysis, &doc.lines, &doc.uri);
        let single = diagnostic.fixes.len() == 1;
        for fix in diagnostic.fixes.iter().filter(|f| f.file == analysis.root) {
            let edit = TextEdit {
                range: doc.lines.range(&doc.text, fix.span),
                new_text: fix.replacement.clone(),
            };
            // `Uri` hashes by its text; the `Cell` clippy sees is a parse cache inside it.
            #[allow(clippy::mutable_key_type)]
            let mut changes = HashMap::new();
            changes.insert(doc.uri.clone(), vec![edit]);
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: capitalize(&fix.message),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![lsp_diagnostic.clone()]),
                edit: Some(WorkspaceEdit {
                    changes: Some(changes),
                    document_changes: None,
                    change_annotations: None,
                }),
                command: None,
                is_preferred: Some(single),
                disabled: None,
                data: None,
            }));
        }
    }
    actions
}

/// Menus start with a capital; the checker's messages are lowercase by convention.
fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The edits that format the document: one replacement of the whole text, or none when it
/// is already formatted or has syntax errors.
pub fn format(doc: &Document) -> Vec<TextEdit> {
    // The formatter refuses files with syntax errors (codes B00xx); the analysis already
    // knows, so do not parse the file a second time to hear it.
    let analysis = &doc.analysis;
    let syntax_errors = analysis.diagnostics.iter().any(|d| {
        d.is_error() && d.primary.file == analysis.root && d.code.as_str().starts_with("B00")
    });
    if syntax_errors {
        return Vec::new();
    }
    let Ok(formatted) = baton_fmt::format(&doc.text) else {
        return Vec::new();
    };
    if formatted == doc.text {
        return Vec::new();
    }
    minimal_edits(&doc.text, &formatted)
        .into_iter()
        .map(|(start, end, new_text)| TextEdit {
            range: Range {
                start: doc.lines.position(&doc.text, start),
                end: doc.lines.position(&doc.text, end),
            },
            new_text,
        })
        .collect()
}

/// Past this, the line diff stops looking for the smallest script and returns a coarser
/// one (still correct): formatting a huge file must not stall the server.
const DIFF_DEADLINE: std::time::Duration = std::time::Duration::from_millis(200);

/// The edits, as byte ranges of `old` and their new text, that turn `old` into `new`:
/// one per run of changed lines, in order and never overlapping.
pub fn minimal_edits(old: &str, new: &str) -> Vec<(usize, usize, String)> {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let deadline = std::time::Instant::now().checked_add(DIFF_DEADLINE);
    let ops = similar::capture_diff_slices_deadline(similar::Algorithm::Myers, &a, &b, deadline);
    let mut offsets = Vec::with_capacity(a.len() + 1);
    let mut at = 0;
    offsets.push(0);
    for line in &a {
        at += line.len();
        offsets.push(at);
    }
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    // The old position is counted here, op by op: similar's `Insert` after an `Equal` can
    // carry the old index of the equal run's start, which would put the text too early.
    let mut old_at = 0;
    for op in ops {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        let old_start = old_at;
        old_at += old_range.len();
        if tag == similar::DiffTag::Equal {
            continue;
        }
        let (start, end) = (offsets[old_start], offsets[old_at]);
        let text: String = b[new_range].concat();
        match edits.last_mut() {
            // Adjacent changes (a deletion then an insertion) are one edit.
            Some(last) if last.1 == start => {
                last.1 = end;
                last.2.push_str(&text);
            }
            _ => edits.push((start, end, text)),
        }
    }
    edits
}
