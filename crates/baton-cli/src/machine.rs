//! Machine-readable diagnostics for CI and tools: JSON lines (one object per diagnostic)
//! and SARIF 2.1.0 (GitHub code scanning). Both carry the same facts as the terminal
//! rendering: code, severity, message, every labelled span with line and column, help
//! and fixes.

use baton_check::Analysis;
use baton_diagnostics::{Code, Diagnostic, FileId, Label, Severity, SourceMap, Span};
use serde_json::{json, Value};

/// 1-based line and column (in characters) of both ends of a span.
fn range(files: &SourceMap, file: FileId, span: Span) -> Value {
    let (start_line, start_column) = files.line_col(file, span.start);
    let (end_line, end_column) = files.line_col(file, span.end);
    json!({
        "start": { "line": start_line, "column": start_column },
        "end": { "line": end_line, "column": end_column },
    })
}

fn label(files: &SourceMap, label: &Label, primary: bool) -> Value {
    json!({
        "file": files.name(label.file),
        "span": { "start": label.span.start, "end": label.span.end },
        "range": range(files, label.file, label.span),
        "message": label.message,
        "primary": primary,
    })
}

/// One diagnostic as a JSON object (one line of `--format json`).
pub fn json_line(diagnostic: &Diagnostic, analysis: &Analysis) -> String {
    let files = &analysis.sources;
    let primary = &diagnostic.primary;
    let mut labels = vec![label(files, primary, true)];
    labels.extend(diagnostic.related.iter().map(|l| label(files, l, false)));
    let fixes: Vec<Value> = diagnostic
        .fixes
        .iter()
        .map(|f| {
            json!({
                "message": f.message,
                "file": files.name(f.file),
                "span": { "start": f.span.start, "end": f.span.end },
                "range": range(files, f.file, f.span),
                "replacement": f.replacement,
            })
        })
        .collect();
    let value = json!({
        "code": diagnostic.code.as_str(),
        "severity": diagnostic.severity.to_string(),
        "message": diagnostic.message,
        "file": files.name(primary.file),
        "span": { "start": primary.span.start, "end": primary.span.end },
        "range": range(files, primary.file, primary.span),
        "labels": labels,
        "help": diagnostic.help,
        "fixes": fixes,
    });
    format!("{value}\n")
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Advice => "note",
    }
}

fn sarif_location(files: &SourceMap, file: FileId, span: Span) -> Value {
    let (start_line, start_column) = files.line_col(file, span.start);
    let (end_line, end_column) = files.line_col(file, span.end);
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(files.name(file)) },
            "region": {
                "startLine": start_line,
                "startColumn": start_column,
                "endLine": end_line,
                "endColumn": end_column,
                "charOffset": span.start,
                "charLength": span.len(),
            }
        }
    })
}

/// A relative URI for a file name as given on the command line.
fn uri(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim_start_matches("./").chars() {
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '.' | '_' | '~' | '/' => out.push(c),
            '\\' => out.push('/'),
            other => {
                let mut buffer = [0u8; 4];
                for byte in other.encode_utf8(&mut buffer).bytes() {
                    out.push_str(&format!("%{byte:02X}"));
                }
            }
        }
    }
    out
}

/// One SARIF 2.1.0 log for all the analyses of a run.
pub fn sarif(analyses: &[Analysis]) -> String {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|code| {
            json!({
                "id": code.as_str(),
                "shortDescription": { "text": code.summary() },
                "fullDescription": { "text": code.summary() },
                "help": { "text": format!("Run `baton explain {}` or see docs/diagnostics.md.", code.as_str()) },
                "defaultConfiguration": { "level": sarif_level(code.default_severity()) },
            })
        })
        .collect();
    let mut results = Vec::new();
    for analysis in analyses {
        let files = &analysis.sources;
        for diagnostic in &analysis.diagnostics {
            let primary = &diagnostic.primary;
            let rule_index = Code::ALL.iter().position(|c| *c == diagnostic.code);
            let mut text = diagnostic.message.clone();
            if let Some(help) = &diagnostic.help {
                text.push_str(&format!("\nhelp: {help}"));
            }
            let related: Vec<Value> = diagnostic
                .related
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let mut location = sarif_location(files, l.file, l.span);
                    location["id"] = json!(i);
                    location["message"] = json!({ "text": l.message });
                    location
                })
                .collect();
            let fixes: Vec<Value> = diagnostic
                .fixes
                .iter()
                .map(|f| {
                    let location = sarif_location(files, f.file, f.span);
                    json!({
                        "description": { "text": f.message },
                        "artifactChanges": [{
                            "artifactLocation": location["physicalLocation"]["artifactLocation"].clone(),
                            "replacements": [{
                                "deletedRegion": location["physicalLocation"]["region"].clone(),
                                "insertedContent": { "text": f.replacement },
                            }]
                        }]
                    })
                })
                .collect();
            let mut result = json!({
                "ruleId": diagnostic.code.as_str(),
                "level": sarif_level(diagnostic.severity),
                "message": { "text": text },
                "locations": [sarif_location(files, primary.file, primary.span)],
            });
            if let Some(index) = rule_index {
                result["ruleIndex"] = json!(index);
            }
            if !related.is_empty() {
                result["relatedLocations"] = json!(related);
            }
            if !fixes.is_empty() {
                result["fixes"] = json!(fixes);
            }
            results.push(result);
        }
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "baton",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn uris_are_relative_and_percent_encoded() {
        assert_eq!(uri("./examples/a b.baton"), "examples/a%20b.baton");
        assert_eq!(uri("dir\\é.baton"), "dir/%C3%A9.baton");
    }
}
