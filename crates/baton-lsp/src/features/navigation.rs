//! Go to definition, find references and rename, all answered from the symbol index.
//!
//! Rename changes every occurrence in the document. It refuses, with a message, names
//! that are not identifiers, keywords, names already taken in the same namespace, and
//! workflow names and the inputs of imported workflows: those are written in other files,
//! which a rename of one document would leave behind.

use super::refused;
use crate::diagnostics::location;
use crate::document::Document;
use crate::index::Key;
use baton_diagnostics::Span;
use baton_syntax::ast::ItemKind;
use lsp_server::ResponseError;
use lsp_types::{Location, Position, PrepareRenameResponse, TextEdit, WorkspaceEdit};
use std::collections::HashMap;

/// Words the grammar reserves or gives a meaning somewhere. A name equal to one of them
/// either does not parse or parses differently in some position, so rename refuses them
/// all (the language guide asks to avoid the contextual ones too).
pub const KEYWORDS: &[&str] = &[
    // Reserved everywhere.
    "and",
    "or",
    "not",
    "true",
    "false",
    // Item keywords.
    "use",
    "workflow",
    "deadline",
    "description",
    "role",
    "system",
    "input",
    "output",
    "step",
    "decision",
    "parallel",
    "branch",
    "if",
    "match",
    "wait",
    "end",
    // Contextual keywords.
    "else",
    "until",
    "for",
    "by",
    "auto",
    "run",
    "with",
    "takes",
    "needs",
    "retry",
    "timeout",
    "notify",
    "consult",
    "on",
    "failure",
    "at",
    "most",
    "times",
    "time",
    "enum",
];

pub fn definition(doc: &Document, position: Position) -> Vec<Location> {
    let offset = doc.lines.offset(&doc.text, position);
    let Some(occurrence) = doc.index().at(offset) else {
        return Vec::new();
    };
    let local: Vec<Location> = doc
        .index()
        .defs(&occurrence.key)
        .iter()
        .map(|(span, _)| local(doc, *span))
        .collect();
    if !local.is_empty() {
        return local;
    }
    imported_definition(doc, &occurrence.key)
        .into_iter()
        .collect()
}

/// The definition of an imported workflow or of one of its inputs, in its own file.
fn imported_definition(doc: &Document, key: &Key) -> Option<Location> {
    let (workflow, input) = match key {
        Key::Workflow(name) => (name, None),
        Key::ImportedInput { workflow, input } => (workflow, Some(input)),
        _ => return None,
    };
    let import = doc.imported(workflow)?;
    let span = match input {
        None => import.workflow.name.span,
        Some(input) => import
            .workflow
            .items
            .iter()
            .find_map(|item| match &item.kind {
                ItemKind::Input(i) if i.name.text == *input => Some(i.name.span),
                _ => None,
            })?,
    };
    location(&doc.analysis, import.file, span, &doc.lines, &doc.uri)
}

fn local(doc: &Document, span: Span) -> Location {
    Location {
        uri: doc.uri.clone(),
        range: doc.lines.range(&doc.text, span),
    }
}

pub fn references(doc: &Document, position: Position, include_declaration: bool) -> Vec<Location> {
    let offset = doc.lines.offset(&doc.text, position);
    let Some(occurrence) = doc.index().at(offset) else {
        return Vec::new();
    };
    let key = &occurrence.key;
    let mut found: Vec<Location> = doc
        .index()
        .occurrences_of(key)
        .filter(|o| include_declaration || !o.is_def)
        .map(|o| local(doc, o.span))
        .collect();
    if include_declaration && doc.index().defs(key).is_empty() {
        found.extend(imported_definition(doc, key));
    }
    found
}

/// The range of the renameable name at `position`, or `None` (the client then says the
/// element cannot be renamed).
pub fn prepare_rename(doc: &Document, position: Position) -> Option<PrepareRenameResponse> {
    let offset = doc.lines.offset(&doc.text, position);
    let occurrence = doc.index().at(offset)?;
    renameable(&occurrence.key).ok()?;
    Some(PrepareRenameResponse::Range(
        doc.lines.range(&doc.text, occurrence.span),
    ))
}

fn renameable(key: &Key) -> Result<(), ResponseError> {
    match key {
        Key::Actor(_) | Key::Var(_) | Key::Node(_) | Key::Variant { .. } => Ok(()),
        Key::Workflow(_) => Err(refused(
            "a workflow's name is also written in every file that runs it; rename it by hand",
        )),
        Key::ImportedInput { .. } => Err(refused(
            "this input belongs to the imported workflow; rename it in that file",
        )),
    }
}

/// Whether `name` can name a role, system, variable, node or variant: an ASCII letter or
/// `_`, then letters, digits and `_`, and not a keyword.
pub fn check_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let valid = match chars.next() {
        Some(first) => {
            (first.is_ascii_alphabetic() || first == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        None => false,
    };
    if !valid {
        return Err(format!(
            "`{name}` is not a valid name: use ASCII letters, digits and `_`, not starting with a digit (e.g. `follow_up`)"
        ));
    }
    if KEYWORDS.contains(&name) {
        return Err(format!(
            "`{name}` is a keyword of Baton; choose another name"
        ));
    }
    Ok(())
}

pub fn rename(
    doc: &Document,
    position: Position,
    new_name: &str,
) -> Result<Option<WorkspaceEdit>, ResponseError> {
    let offset = doc.lines.offset(&doc.text, position);
    let Some(occurrence) = doc.index().at(offset) else {
        return Err(refused("there is no name to rename here"));
    };
    let key = &occurrence.key;
    renameable(key)?;
    check_name(new_name).map_err(refused)?;
    let renamed = match key {
        Key::Actor(_) => Key::Actor(new_name.into()),
        Key::Var(_) => Key::Var(new_name.into()),
        Key::Node(_) => Key::Node(new_name.into()),
        Key::Variant { var, .. } => Key::Variant {
            var: var.clone(),
            variant: new_name.into(),
        },
        Key::Workflow(_) | Key::ImportedInput { .. } => return Ok(None),
    };
    if renamed == *key {
        return Ok(None);
    }
    if doc.index().occurrences_of(&renamed).any(|o| o.is_def) {
        let what = match key {
            Key::Actor(_) => "role or system",
            Key::Var(_) => "variable",
            Key::Node(_) => "step, decision, wait, parallel or end",
            _ => "variant of this enum",
        };
        return Err(refused(format!(
            "there is already a {what} named `{new_name}`"
        )));
    }
    let edits: Vec<TextEdit> = doc
        .index()
        .occurrences_of(key)
        .map(|o| TextEdit {
            range: doc.lines.range(&doc.text, o.span),
            new_text: new_name.to_string(),
        })
        .collect();
    // `Uri` hashes by its text; the `Cell` clippy sees is a parse cache inside it.
    #[allow(clippy::mutable_key_type)]
    let mut changes = HashMap::new();
    changes.insert(doc.uri.clone(), edits);
    Ok(Some(WorkspaceEdit {
        changes: Some(changes),
        document_changes: None,
        change_annotations: None,
    }))
}
