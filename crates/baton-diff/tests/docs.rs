//! `docs/diff.md` documents every kind of change, and the test cases show each one.

use baton_diff::Kind;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

#[test]
fn every_kind_is_documented() {
    let docs = std::fs::read_to_string(root().join("docs/diff.md")).expect("docs/diff.md");
    let missing: Vec<&str> = Kind::ALL
        .iter()
        .map(|k| k.as_str())
        .filter(|name| !docs.contains(&format!("`{name}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/diff.md does not describe: {missing:?}"
    );
}

#[test]
fn every_kind_has_a_test_case() {
    let mut snapshots = String::new();
    let dir = root().join("tests/cases/diff");
    for entry in std::fs::read_dir(&dir).expect("tests/cases/diff").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".json.snap") {
            snapshots.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
        }
    }
    let missing: Vec<&str> = Kind::ALL
        .iter()
        .map(|k| k.as_str())
        .filter(|name| !snapshots.contains(&format!("\"kind\": \"{name}\"")))
        .collect();
    assert!(
        missing.is_empty(),
        "no case in tests/cases/diff shows: {missing:?}"
    );
}
