//! Helpers shared by the formatter's tests: the meaning of a file with source positions
//! left out, to compare a file with its formatted version.

#![allow(dead_code)]

use baton_diagnostics::FileId;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The workspace root, where `examples/` and `tests/cases/` are.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every file under `dir` (recursively) with the given extension, sorted.
pub fn files_with_extension(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == extension) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Removes source positions, which formatting legitimately changes: `span`,
/// `name_span`, and a parallel's `keyword` (the span of its keyword).
pub fn strip_spans(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for key in ["span", "name_span", "keyword"] {
                map.remove(key);
            }
            map.values_mut().for_each(strip_spans);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_spans),
        _ => {}
    }
}

/// The syntax tree of `source` without source positions, as text, and whether it parsed
/// clean. (The AST's serde form cannot be used: serde refuses internally tagged newtype
/// variants holding a sequence, like `ClauseKind::Needs`; its `Debug` form is complete.)
pub fn ast_without_spans(source: &str) -> (String, bool) {
    let parsed = baton_syntax::parse(source, FileId(0));
    let clean = !parsed.diagnostics.iter().any(|d| d.is_error());
    (strip_debug_spans(&format!("{:#?}", parsed.file)), clean)
}

/// Replaces every `Span { start: N, end: M }` of a `{:#?}` dump by `Span`.
pub fn strip_debug_spans(dump: &str) -> String {
    let mut out = String::with_capacity(dump.len());
    let mut rest = dump;
    while let Some(at) = rest.find("Span {") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let close = after.find('}').expect("a span's braces close");
        let inside = &after["Span {".len()..close];
        assert!(
            inside.contains("start:") && inside.contains("end:"),
            "not a span: {inside}"
        );
        out.push_str("Span");
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Reads imports from the disk, like the CLI.
pub struct Disk;

impl baton_check::FileLoader for Disk {
    fn load(&self, path: &Path) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }
}

/// Checks that `formatted` means what `original` means: the same checked graph when the
/// file checks clean, else the same syntax tree and the same diagnostic codes (all with
/// source positions left out). `path` is where the file lives, for its imports.
pub fn assert_same_meaning(name: &str, path: Option<&Path>, original: &str, formatted: &str) {
    let before = baton_check::check(name, original, path, &Disk);
    let after = baton_check::check(name, formatted, path, &Disk);
    match (&before.workflow, &after.workflow) {
        (Some(a), Some(b)) => {
            let mut a: Value = serde_json::from_str(&a.to_json()).expect("IR JSON");
            let mut b: Value = serde_json::from_str(&b.to_json()).expect("IR JSON");
            strip_spans(&mut a);
            strip_spans(&mut b);
            assert_eq!(a, b, "{name}: the formatted file has another IR");
        }
        (None, None) => {
            let (a, _) = ast_without_spans(original);
            let (b, _) = ast_without_spans(formatted);
            assert_eq!(a, b, "{name}: the formatted file has another syntax tree");
        }
        _ => panic!("{name}: only one of the original and the formatted file checks clean"),
    }
    // Sorted: diagnostics come in source order, and a decision's clauses move before
    // its outcomes.
    let codes = |d: &[baton_diagnostics::Diagnostic]| -> Vec<String> {
        let mut codes: Vec<String> = d
            .iter()
            .map(|d| format!("{} {}", d.code, d.message))
            .collect();
        codes.sort();
        codes
    };
    assert_eq!(
        codes(&before.diagnostics),
        codes(&after.diagnostics),
        "{name}: the formatted file has other diagnostics"
    );
}

/// The comments of a file, as the formatter prints them (no trailing spaces), sorted.
pub fn comment_texts(source: &str) -> Vec<String> {
    let mut texts: Vec<String> = baton_syntax::comments(source)
        .into_iter()
        .map(|c| c.text.trim_end().to_string())
        .collect();
    texts.sort();
    texts
}
