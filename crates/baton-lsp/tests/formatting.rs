//! Formatting answers with minimal edits (only the changed line ranges), and applying
//! them gives exactly the text a whole-document replacement would: `baton_fmt::format`'s.
//! Checked over every example, each edited at random many times (indentation, spacing,
//! blank lines, line endings, the final newline), through the protocol.

mod support;

use serde_json::{json, Value};
use std::path::PathBuf;
use support::{apply, Session};

const URI: &str = "file:///tmp/baton-lsp-formatting/flow.baton";

fn examples() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "baton"));
    files.sort();
    assert!(files.len() >= 5, "examples not found in {}", dir.display());
    files
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{e}"));
            (p.display().to_string(), text)
        })
        .collect()
}

fn formatting(session: &mut Session, text: &str) -> Vec<Value> {
    session.open(URI, text);
    let params = json!({ "textDocument": { "uri": URI }, "options": { "tabSize": 2, "insertSpaces": true } });
    let answer = session
        .call("textDocument/formatting", params)
        .unwrap_or_else(|e| panic!("formatting failed: {e:?}"));
    answer.as_array().cloned().unwrap_or_default()
}

/// (line, character) of an edit's start and end.
fn ends(edit: &Value) -> ((u64, u64), (u64, u64)) {
    let at = |p: &Value| {
        (
            p["line"].as_u64().unwrap_or(u64::MAX),
            p["character"].as_u64().unwrap_or(u64::MAX),
        )
    };
    (at(&edit["range"]["start"]), at(&edit["range"]["end"]))
}

/// Applying the edits gives the formatter's text; they are in order, do not overlap, and
/// none is a no-op. Returns them.
fn check(session: &mut Session, name: &str, text: &str) -> Vec<Value> {
    let edits = formatting(session, text);
    let Ok(expected) = baton_fmt::format(text) else {
        assert!(
            edits.is_empty(),
            "{name}: edits for a file that does not format"
        );
        return edits;
    };
    assert_eq!(
        apply(text, &edits),
        expected,
        "{name}: edits differ from whole-document replacement\n{text:?}\n{edits:#?}"
    );
    for pair in edits.windows(2) {
        assert!(
            ends(&pair[0]).1 <= ends(&pair[1]).0,
            "{name}: overlapping or unordered edits {pair:?}"
        );
    }
    for edit in &edits {
        let replaced = apply(text, std::slice::from_ref(edit));
        assert_ne!(replaced, text, "{name}: a no-op edit {edit}");
    }
    edits
}

/// A small deterministic generator (xorshift), so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// One random edit of `text` that keeps it (mostly) parsing.
fn perturb(rng: &mut Rng, text: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        return text.to_string();
    }
    let i = rng.below(lines.len());
    match rng.below(6) {
        0 => lines[i].insert_str(0, &" ".repeat(1 + rng.below(4))),
        1 => lines[i] = lines[i].trim_start().to_string(),
        2 => {
            // Double a space after the indentation (may be inside a string: still fine,
            // the formatter's output is whatever it is).
            let indent = lines[i].len() - lines[i].trim_start().len();
            if let Some(at) = lines[i][indent..].find(' ') {
                lines[i].insert(indent + at, ' ');
            }
        }
        3 => lines.insert(i, String::new()),
        4 => lines[i].push_str("   "),
        _ => {
            if i + 1 < lines.len() && !lines[i].contains('#') {
                let next = lines.remove(i + 1);
                lines[i] = format!("{} {}", lines[i], next.trim_start());
            }
        }
    }
    let mut out = lines.join("\n");
    match rng.below(8) {
        0 => out = out.replace('\n', "\r\n"),
        1 => {}
        _ => out.push('\n'),
    }
    out
}

#[test]
fn one_changed_line_is_one_edit_of_that_line() {
    let mut session = Session::new();
    for (name, text) in examples() {
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let mut changed: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            changed[i] = format!("   {line}");
            let changed = changed.join("\n") + "\n";
            let edits = check(&mut session, &name, &changed);
            assert_eq!(edits.len(), 1, "{name} line {i}: {edits:?}");
            let ((start_line, _), (end_line, end_char)) = ends(&edits[0]);
            assert_eq!(
                (start_line, end_line, end_char),
                (i as u64, i as u64 + 1, 0),
                "{name} line {i}"
            );
        }
    }
}

#[test]
fn random_edits_of_every_example_format_like_whole_document_replacement() {
    let mut session = Session::new();
    let mut rng = Rng(0x5eed_ba70);
    let mut checked = 0;
    for (name, text) in examples() {
        // Already formatted: nothing to do.
        assert!(formatting(&mut session, &text).is_empty(), "{name}");
        for _ in 0..150 {
            let mut edited = text.clone();
            for _ in 0..1 + rng.below(5) {
                edited = perturb(&mut rng, &edited);
            }
            let edits = check(&mut session, &name, &edited);
            if !edits.is_empty() {
                checked += 1;
            }
        }
    }
    assert!(
        checked > 500,
        "only {checked} edited files needed formatting"
    );
}
