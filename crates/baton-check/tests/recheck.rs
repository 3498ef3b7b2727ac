//! `recheck` (the language server's incremental path) gives what `check` gives.

use baton_check::{check, recheck, Analysis, NoFiles};

fn examples() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut found: Vec<(String, String)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "baton"))
        .filter_map(|p| Some((p.display().to_string(), std::fs::read_to_string(&p).ok()?)))
        .collect();
    found.sort();
    found
}

fn summary(analysis: &Analysis) -> (String, Option<String>) {
    (
        format!("{:?}{:?}", analysis.ast, analysis.diagnostics),
        analysis.workflow.as_ref().map(|ir| ir.to_json()),
    )
}

#[test]
fn recheck_after_edits_matches_a_full_check() {
    let edits: [(&str, &str); 5] = [
        ("\"", "\"Urgent: "),
        ("step ", "step x"),
        ("}\n", "}\n  step added { by nobody }\n"),
        ("->", "-> nowhere"),
        ("\n", "\n  # a comment\n"),
    ];
    let mut compared = 0;
    for (name, text) in examples() {
        let before = check(&name, text.as_str(), None, &NoFiles);
        for (find, replace) in edits {
            for (at, _) in text.match_indices(find).step_by(3) {
                let edited = format!("{}{replace}{}", &text[..at], &text[at + find.len()..]);
                let full = check(&name, edited.as_str(), None, &NoFiles);
                let incremental = recheck(&name, edited.as_str(), None, &NoFiles, &before);
                assert_eq!(
                    summary(&full),
                    summary(&incremental),
                    "{name}: {find:?} -> {replace:?} at {at}"
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 100, "only {compared} edits compared");
}
