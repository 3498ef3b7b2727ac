//! Runs every `tests/cases/**/*.baton` through the real `baton` command and snapshots
//! what the user sees (exit code, diagnostics, output) in a `.snap` file beside the case.
//!
//! A case runs `baton check FILE` unless its first line says otherwise, e.g.
//! `# args: build --emit dot` (the file path is appended).

mod common;

use common::{baton, files_with_extension, run_all, workspace_root};

#[test]
fn cases() {
    let root = workspace_root();
    std::env::set_current_dir(&root).expect("the workspace root is a directory");
    // `tests/cases/diff` holds pairs of versions, run by `diff_cases.rs`.
    let diff_cases = root.join("tests/cases/diff");
    let cases: Vec<_> = files_with_extension(&root.join("tests/cases"), "baton")
        .into_iter()
        .filter(|path| !path.starts_with(&diff_cases))
        .collect();
    assert!(!cases.is_empty(), "no test cases found under tests/cases");
    let mut checks: Vec<(String, Box<dyn FnOnce()>)> = Vec::new();
    for path in cases {
        let relative = path
            .strip_prefix(&root)
            .expect("cases are in the workspace")
            .to_path_buf();
        let name = relative.display().to_string();
        let root = root.clone();
        checks.push((
            name.clone(),
            Box::new(move || {
                let source = std::fs::read_to_string(&relative).unwrap_or_default();
                // A case may start with a byte-order mark (`tests/cases/fmt/bom_crlf.baton`).
                let source = source.trim_start_matches('\u{feff}');
                let mut args: Vec<String> = source
                    .lines()
                    .next()
                    .and_then(|line| line.strip_prefix("# args:"))
                    .map(|a| a.split_whitespace().map(str::to_string).collect())
                    .unwrap_or_else(|| vec!["check".to_string()]);
                args.push(name.clone());
                let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
                let out = baton(&arg_refs);
                let snapshot = format!(
                    "$ baton {}\nexit code: {}\n--- stderr\n{}--- stdout\n{}",
                    args.join(" "),
                    out.code,
                    out.stderr,
                    // SARIF names the checkout as `%SRCROOT%`: an absolute path, which
                    // differs between machines.
                    out.stdout.replace(
                        &format!("file://{}/", root.display()),
                        "file:///<workspace>/"
                    )
                );
                let dir = relative.parent().map(|p| root.join(p)).unwrap_or_default();
                let stem = relative
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                insta::with_settings!({
                    snapshot_path => dir,
                    prepend_module_to_snapshot => false,
                    omit_expression => true,
                    description => name.clone(),
                }, {
                    insta::assert_snapshot!(stem, snapshot);
                });
            }),
        ));
    }
    run_all(checks);
}
