//! Properties of `diff`: a workflow compared with itself has no change, `baton fmt`
//! never changes the meaning, and real edits of big generated workflows are found
//! exactly (a renamed step is one rename, not a removal and an addition).

use baton_bench::phases::Workload;
use baton_check::{check, FileLoader};
use baton_diff::{diff, Kind};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

struct Disk;

impl FileLoader for Disk {
    fn load(&self, path: &Path) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, found);
        } else if path.extension().is_some_and(|e| e == "baton") {
            found.push(path);
        }
    }
}

/// Every example and every test case that checks without errors.
fn checked_files() -> Vec<(PathBuf, String, baton_ir::Workflow)> {
    let mut paths = Vec::new();
    files(&root().join("examples"), &mut paths);
    files(&root().join("tests/cases"), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            let analysis = check(
                &path.display().to_string(),
                text.as_str(),
                Some(&path),
                &Disk,
            );
            Some((path, text, analysis.workflow?))
        })
        .collect()
}

fn assert_no_change(what: &str, old: &baton_ir::Workflow, new: &baton_ir::Workflow) {
    let changes = diff(old, new);
    assert!(
        changes.is_empty(),
        "{what}: expected no change in meaning, got:\n  {}",
        changes
            .iter()
            .map(|c| c.message.plain())
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

#[test]
fn every_example_and_case_is_unchanged_by_itself_and_by_fmt() {
    let checked = checked_files();
    assert!(
        checked.len() > 50,
        "too few workflows found: {}",
        checked.len()
    );
    for (path, text, workflow) in &checked {
        let name = path.display().to_string();
        assert_no_change(&name, workflow, workflow);
        // Checked again from the same text: a second IR, same meaning.
        let again = check(&name, text.as_str(), Some(path), &Disk)
            .workflow
            .expect("it checked once");
        assert_no_change(&name, workflow, &again);
        let Ok(formatted) = baton_fmt::format(text) else {
            continue;
        };
        let Some(formatted) = check(&name, formatted.as_str(), Some(path), &Disk).workflow else {
            panic!("{name}: the formatted file does not check");
        };
        assert_no_change(&format!("{name} after fmt"), workflow, &formatted);
    }
}

fn generated(steps: usize, seed: u64) -> (Workload, baton_ir::Workflow) {
    let workload = Workload::generate(steps, seed);
    let workflow = workload
        .check()
        .workflow
        .expect("generated workflows check");
    (workload, workflow)
}

fn check_text(workload: &Workload, text: &str) -> Option<baton_ir::Workflow> {
    check("main.baton", text, Some(&workload.path), &workload.files).workflow
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn generated_workflows_are_unchanged_by_themselves_and_by_fmt(
        steps in 1usize..400,
        seed in any::<u64>(),
    ) {
        let (workload, workflow) = generated(steps, seed);
        assert_no_change("generated", &workflow, &workflow);
        let formatted = baton_fmt::format(&workload.text).expect("generated workflows parse");
        let formatted = check_text(&workload, &formatted).expect("formatted workflows check");
        assert_no_change("generated after fmt", &workflow, &formatted);
    }
}

/// Replaces the name `old` by `new` wherever it is a whole word.
fn rename(text: &str, old: &str, new: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let word = |c: char| c.is_alphanumeric() || c == '_';
    while let Some(at) = rest.find(old) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + old.len()..].chars().next();
        out.push_str(&rest[..at]);
        if before.is_some_and(word) || after.is_some_and(word) {
            out.push_str(old);
        } else {
            out.push_str(new);
        }
        rest = &rest[at + old.len()..];
    }
    out.push_str(rest);
    out
}

#[test]
fn edits_of_a_big_generated_workflow_are_found_exactly() {
    let (workload, old) = generated(10_000, 7);
    // A step in the middle, renamed everywhere it is referenced.
    let names: Vec<&str> = workload
        .text
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("step "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let victim = names[names.len() / 2].to_string();
    let mut text = rename(&workload.text, &victim, &format!("{victim}_v2"));
    // One duration changed.
    let at = text.find("takes 15m").expect("some step takes 15m");
    text.replace_range(at..at + "takes 15m".len(), "takes 45m");
    let new = check_text(&workload, &text).expect("the edited workflow checks");
    let changes = diff(&old, &new);
    let kinds: Vec<Kind> = changes.iter().map(|c| c.kind).collect();
    assert!(kinds.contains(&Kind::NodeRenamed), "{kinds:?}");
    assert!(kinds.contains(&Kind::TakesChanged), "{kinds:?}");
    assert!(
        !kinds.contains(&Kind::NodeAdded) && !kinds.contains(&Kind::NodeRemoved),
        "a rename is not a removal and an addition: {kinds:?}"
    );
    let renamed = changes
        .iter()
        .find(|c| c.kind == Kind::NodeRenamed)
        .expect("found above");
    assert_eq!(renamed.old_node.as_deref(), Some(victim.as_str()));
    let takes = changes
        .iter()
        .filter(|c| c.kind == Kind::TakesChanged)
        .count();
    assert_eq!(takes, 1, "{kinds:?}");
}

#[test]
fn unrelated_generated_workflows_compare_without_trouble() {
    // Two different seeds: almost nothing pairs by name; the diff must still finish and
    // report only what it can pair or not.
    let (_, a) = generated(2_000, 1);
    let (_, b) = generated(2_000, 2);
    let changes = diff(&a, &b);
    assert!(!changes.is_empty());
    let again = diff(&a, &b);
    assert_eq!(changes, again, "the diff is deterministic");
}

/// The partial comparison (used when a side does not check) finds nothing between a
/// file and itself, or the file and its formatted text, whether the file checks or not.
#[test]
fn the_partial_comparison_of_a_file_with_itself_is_empty() {
    let mut paths = Vec::new();
    files(&root().join("examples"), &mut paths);
    files(&root().join("tests/cases"), &mut paths);
    let mut compared = 0;
    for path in paths {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let parsed = baton_syntax::parse(&text, baton_diagnostics::FileId(0));
        let Some(workflow) = &parsed.file.workflow else {
            continue;
        };
        let side = |workflow, text| baton_diff::partial::Source {
            workflow,
            text,
            skipped: false,
        };
        let name = path.display();
        let changes = baton_diff::partial::compare(&side(workflow, &text), &side(workflow, &text));
        assert!(
            changes.is_empty(),
            "{name}: {:?}",
            changes[0].message.plain()
        );
        if let Ok(formatted) = baton_fmt::format(&text) {
            let reparsed = baton_syntax::parse(&formatted, baton_diagnostics::FileId(0));
            if let Some(again) = &reparsed.file.workflow {
                let changes =
                    baton_diff::partial::compare(&side(workflow, &text), &side(again, &formatted));
                assert!(
                    changes.is_empty(),
                    "{name} after fmt: {:?}",
                    changes[0].message.plain()
                );
            }
        }
        compared += 1;
    }
    assert!(compared > 50, "too few files: {compared}");
}
