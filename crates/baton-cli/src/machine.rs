//! Machine-readable diagnostics for CI and tools: JSON lines (one object per diagnostic)
//! and SARIF 2.1.0 (GitHub code scanning). Both carry the same facts as the terminal
//! rendering: code, severity, message, every labelled span with line and column, help
//! and fixes.
//!
//! SARIF locations are relative to `%SRCROOT%`: the top of the git work tree that holds the
//! current directory (the nearest ancestor with a `.git`), or the current directory outside
//! git. The run's `originalUriBaseIds` gives `%SRCROOT%` as an absolute `file:` URI, so
//! code scanning places each result on the right file whatever directory `baton` ran from
//! (GitHub resolves the relative URIs against the checkout). A file outside `%SRCROOT%`
//! gets an absolute `file:` URI and no base.

use baton_check::Analysis;
use baton_diagnostics::{Code, Diagnostic, FileId, Label, Severity, SourceMap, Span};
use serde_json::{json, Value};
use std::path::{Component, Path, PathBuf};

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

/// The base of SARIF URIs (see the module comment).
pub struct SrcRoot {
    /// Absolute, with symbolic links resolved when possible.
    root: PathBuf,
    cwd: PathBuf,
}

/// The id of the base in `originalUriBaseIds`, the name GitHub's documentation uses.
const SRCROOT: &str = "%SRCROOT%";

impl SrcRoot {
    /// The git top level above `cwd`, or `cwd` itself.
    pub fn find(cwd: &Path) -> SrcRoot {
        let cwd = std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.to_path_buf());
        let root = cwd
            .ancestors()
            .find(|dir| dir.join(".git").exists())
            .unwrap_or(&cwd)
            .to_path_buf();
        SrcRoot { root, cwd }
    }

    /// The artifact location of a file named as on the command line (relative to the
    /// current directory, or absolute).
    fn artifact(&self, name: &str) -> Value {
        let path = Path::new(name);
        if name.starts_with('<') {
            // `<stdin>`: no file to point at; the name is kept, relative to the base.
            return json!({ "uri": uri(name), "uriBaseId": SRCROOT });
        }
        let absolute = if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.cwd.join(path)
        };
        let absolute = std::fs::canonicalize(&absolute).unwrap_or_else(|_| lexical(&absolute));
        match absolute.strip_prefix(&self.root) {
            Ok(relative) => json!({
                "uri": uri(&slashes(relative)),
                "uriBaseId": SRCROOT,
            }),
            Err(_) => json!({ "uri": file_uri(&absolute, false) }),
        }
    }

    fn original_uri_base_ids(&self) -> Value {
        json!({ SRCROOT: { "uri": file_uri(&self.root, true) } })
    }
}

/// `path` without `.` and `..` components (for a file that does not exist).
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn slashes(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// An absolute `file:` URI; a directory's ends with `/`, as SARIF requires of a base.
fn file_uri(path: &Path, directory: bool) -> String {
    let mut text = format!("file://{}", uri(&path.to_string_lossy()));
    if !text.starts_with("file:///") {
        // A Windows path (`C:/...`) needs the third slash.
        text = text.replacen("file://", "file:///", 1);
    }
    if directory && !text.ends_with('/') {
        text.push('/');
    }
    text
}

fn sarif_location(root: &SrcRoot, files: &SourceMap, file: FileId, span: Span) -> Value {
    let (start_line, start_column) = files.line_col(file, span.start);
    let (end_line, end_column) = files.line_col(file, span.end);
    json!({
        "physicalLocation": {
            "artifactLocation": root.artifact(files.name(file)),
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

/// A path as a URI reference: `/` separators, everything but unreserved characters
/// percent-encoded (a `:` after a drive letter stays).
fn uri(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.trim_start_matches("./").chars().enumerate() {
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '.' | '_' | '~' | '/' => out.push(c),
            ':' if i == 1 => out.push(c),
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
pub fn sarif(analyses: &[Analysis], root: &SrcRoot) -> String {
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
                    let mut location = sarif_location(root, files, l.file, l.span);
                    location["id"] = json!(i);
                    location["message"] = json!({ "text": l.message });
                    location
                })
                .collect();
            let fixes: Vec<Value> = diagnostic
                .fixes
                .iter()
                .map(|f| {
                    let location = sarif_location(root, files, f.file, f.span);
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
                "locations": [sarif_location(root, files, primary.file, primary.span)],
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
            "originalUriBaseIds": root.original_uri_base_ids(),
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
    use super::{uri, SrcRoot};
    use std::path::Path;

    #[test]
    fn locations_are_relative_to_the_git_top_level_from_any_directory() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let top = std::fs::canonicalize(dir.path()).expect("canonical");
        std::fs::create_dir_all(top.join(".git")).expect("mkdir");
        std::fs::create_dir_all(top.join("flows/sub")).expect("mkdir");
        std::fs::write(top.join("flows/a b.baton"), "").expect("write");
        let want = serde_json::json!({ "uri": "flows/a%20b.baton", "uriBaseId": "%SRCROOT%" });
        for (cwd, name) in [
            (top.clone(), "flows/a b.baton".to_string()),
            (top.join("flows"), "a b.baton".to_string()),
            (top.join("flows/sub"), "../a b.baton".to_string()),
            (
                top.join("flows/sub"),
                top.join("flows/a b.baton").display().to_string(),
            ),
        ] {
            let root = SrcRoot::find(&cwd);
            assert_eq!(
                root.artifact(&name),
                want,
                "from {} as {name}",
                cwd.display()
            );
            assert_eq!(
                root.original_uri_base_ids()["%SRCROOT%"]["uri"],
                format!("file://{}/", uri(&top.display().to_string()))
            );
        }
        // Outside the work tree: an absolute URI, no base.
        let root = SrcRoot::find(&top.join("flows"));
        let outside = root.artifact("/nonexistent/x.baton");
        assert_eq!(
            outside,
            serde_json::json!({ "uri": "file:///nonexistent/x.baton" })
        );
        // Without git, the current directory is the base.
        let plain = tempfile::tempdir().expect("a temporary directory");
        let plain_top = std::fs::canonicalize(plain.path()).expect("canonical");
        if !plain_top.ancestors().any(|d| d.join(".git").exists()) {
            let root = SrcRoot::find(Path::new(&plain_top));
            assert_eq!(root.artifact("x.baton")["uri"], "x.baton");
        }
    }

    #[test]
    fn uris_are_relative_and_percent_encoded() {
        assert_eq!(uri("./examples/a b.baton"), "examples/a%20b.baton");
        assert_eq!(uri("dir\\é.baton"), "dir/%C3%A9.baton");
    }
}
