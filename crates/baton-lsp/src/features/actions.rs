//! Quick fixes and formatting.
//!
//! Quick fixes come from the checker: a diagnostic's `fixes` ("did you mean `writer`?")
//! become code actions for the diagnostics under the cursor. They are taken from the
//! document's current analysis rather than from the diagnostics the client sends back,
//! so they never apply to stale positions.
//!
//! Formatting is `baton_fmt::format`, which refuses files with syntax errors; such a file
//! is left as it is (an empty answer, not an error: editors that format on save would
//! otherwise show an error on every save of a half-written file).

use crate::diagnostics::to_lsp;
use crate::document::Document;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Position, Range, TextEdit, WorkspaceEdit,
};
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
    let end: Position = doc.lines.position(&doc.text, doc.text.len());
    vec![TextEdit {
        range: Range {
            start: Position::default(),
            end,
        },
        new_text: formatted,
    }]
}
