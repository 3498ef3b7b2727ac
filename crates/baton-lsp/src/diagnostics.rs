//! Baton diagnostics → LSP diagnostics. The code, severity and message are the CLI's; the
//! related labels become related information (with their own file's URI when they point
//! into an import) and the help line is appended to the message, where every client
//! shows it.

use crate::line_index::LineIndex;
use crate::uri;
use baton_check::Analysis;
use baton_diagnostics::{Code, Diagnostic, FileId, Severity, Span};
use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, Location, NumberOrString, Uri,
};
use std::path::Path;

/// The diagnostics of the analysed document itself (those of imported files are summed
/// up by the checker on the `use` line, B0704), in LSP form.
pub fn for_document(
    analysis: &Analysis,
    lines: &LineIndex,
    uri: &Uri,
) -> Vec<lsp_types::Diagnostic> {
    analysis
        .diagnostics
        .iter()
        .filter(|d| d.primary.file == analysis.root)
        .map(|d| to_lsp(d, analysis, lines, uri))
        .collect()
}

pub fn to_lsp(
    diagnostic: &Diagnostic,
    analysis: &Analysis,
    lines: &LineIndex,
    uri: &Uri,
) -> lsp_types::Diagnostic {
    let text = analysis.sources.text(analysis.root);
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = diagnostic
        .related
        .iter()
        .filter_map(|label| {
            let location = location(analysis, label.file, label.span, lines, uri)?;
            Some(DiagnosticRelatedInformation {
                location,
                message: if label.message.is_empty() {
                    "here".to_string()
                } else {
                    label.message.clone()
                },
            })
        })
        .collect();
    // Unused things are faded out by editors that support the tag.
    let unnecessary = matches!(
        diagnostic.code,
        Code::UnusedOutput | Code::UnusedDeclaration | Code::UnreachableEnd
    );
    lsp_types::Diagnostic {
        range: lines.range(text, diagnostic.primary.span),
        severity: Some(match diagnostic.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Advice => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(diagnostic.code.as_str().to_string())),
        code_description: None,
        source: Some("baton".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: unnecessary.then(|| vec![DiagnosticTag::UNNECESSARY]),
        data: None,
    }
}

/// Where a span of one of the analysis's files is, for a client. The document's own
/// file uses its URI; an imported file the URI of its path, when it has an absolute one.
pub fn location(
    analysis: &Analysis,
    file: FileId,
    span: Span,
    lines: &LineIndex,
    uri: &Uri,
) -> Option<Location> {
    if file == analysis.root {
        let text = analysis.sources.text(file);
        return Some(Location {
            uri: uri.clone(),
            range: lines.range(text, span),
        });
    }
    let source = analysis.sources.get(file)?;
    let target = uri::from_path(Path::new(&source.name))?;
    let index = LineIndex::new(&source.text);
    Some(Location {
        uri: target,
        range: index.range(&source.text, span),
    })
}
