//! Runs every pair in `tests/cases/diff/` through the real `baton diff` and snapshots
//! each output format beside the pair: `NAME.old.baton` and `NAME.new.baton` (two
//! files), or `NAME.old/` and `NAME.new/` (two directories), give `NAME.text.snap`,
//! `NAME.json.snap` and `NAME.markdown.snap`. A first line `# args: --fail-on any` in
//! the old file (or `args` file in the old directory) adds arguments.

mod common;

use common::{baton, run_all, workspace_root};
use std::path::{Path, PathBuf};

/// The pairs under `dir`: (name, old, new), sorted by name.
fn pairs(dir: &Path) -> Vec<(String, PathBuf, PathBuf)> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let name = file_name
            .strip_suffix(".old.baton")
            .or_else(|| file_name.strip_suffix(".old"));
        let Some(name) = name else { continue };
        let new = dir.join(file_name.replacen(".old", ".new", 1));
        assert!(
            new.exists(),
            "{} has no new side {}",
            file_name,
            new.display()
        );
        found.push((name.to_string(), entry.path(), new));
    }
    found.sort();
    found
}

#[test]
fn diff_cases() {
    let root = workspace_root();
    std::env::set_current_dir(&root).expect("the workspace root is a directory");
    let dir = root.join("tests/cases/diff");
    let cases = pairs(&dir);
    assert!(
        cases.len() >= 10,
        "diff cases are missing in {}",
        dir.display()
    );
    let mut checks: Vec<(String, Box<dyn FnOnce()>)> = Vec::new();
    for (name, old, new) in cases {
        let relative = |p: &Path| {
            p.strip_prefix(&root)
                .expect("cases are in the workspace")
                .display()
                .to_string()
        };
        let (old, new) = (relative(&old), relative(&new));
        let args_source = if Path::new(&old).is_dir() {
            std::fs::read_to_string(Path::new(&old).join("args")).unwrap_or_default()
        } else {
            std::fs::read_to_string(&old).unwrap_or_default()
        };
        let extra: Vec<String> = args_source
            .lines()
            .next()
            .and_then(|line| line.strip_prefix("# args:"))
            .map(|a| a.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default();
        for format in ["text", "json", "markdown"] {
            let (name, old, new, extra, dir) = (
                name.clone(),
                old.clone(),
                new.clone(),
                extra.clone(),
                dir.clone(),
            );
            checks.push((
                format!("{name} ({format})"),
                Box::new(move || {
                    let mut args = vec![
                        "diff".to_string(),
                        "--format".to_string(),
                        format.to_string(),
                    ];
                    args.extend(extra);
                    args.push(old);
                    args.push(new);
                    let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
                    let out = baton(&arg_refs);
                    let snapshot = format!(
                        "$ baton {}\nexit code: {}\n--- stderr\n{}--- stdout\n{}",
                        args.join(" "),
                        out.code,
                        out.stderr,
                        out.stdout
                    );
                    insta::with_settings!({
                        snapshot_path => dir,
                        prepend_module_to_snapshot => false,
                        omit_expression => true,
                        description => format!("tests/cases/diff/{name}"),
                    }, {
                        insta::assert_snapshot!(format!("{name}.{format}"), snapshot);
                    });
                }),
            ));
        }
    }
    run_all(checks);
}
