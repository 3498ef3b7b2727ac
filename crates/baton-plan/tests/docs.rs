//! Every B09xx code the crate reports has a row and a section in `docs/diagnostics.md`
//! ("Plan and value errors"), and the section lists no code the crate does not use.

use std::collections::BTreeSet;
use std::path::Path;

fn codes_in(text: &str) -> BTreeSet<String> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(4))
        .filter(|&i| bytes[i] == b'B' && bytes[i + 1..i + 5].iter().all(u8::is_ascii_digit))
        .filter(|&i| &text[i + 1..i + 3] == "09")
        .filter(|&i| bytes.get(i + 5).is_none_or(|b| !b.is_ascii_alphanumeric()))
        .map(|i| text[i..i + 5].to_string())
        .collect()
}

#[test]
fn every_code_is_documented() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut used = BTreeSet::new();
    for entry in std::fs::read_dir(crate_dir.join("src")).expect("src/") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("source");
        used.extend(codes_in(&text));
    }
    assert!(used.len() >= 5, "{used:?}");
    let doc = std::fs::read_to_string(crate_dir.join("../../docs/diagnostics.md"))
        .expect("docs/diagnostics.md");
    let section = doc
        .split("## Plan and value errors")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("a \"Plan and value errors\" section");
    for code in &used {
        assert!(
            section.contains(&format!("\n### {code}: ")),
            "{code} has no `### {code}: ...` section"
        );
        assert!(
            section.contains(&format!("\n| {code} | ")),
            "{code} has no table row"
        );
    }
    let documented = codes_in(section);
    let unused: Vec<_> = documented.difference(&used).collect();
    assert!(
        unused.is_empty(),
        "documented but never reported: {unused:?}"
    );
}
