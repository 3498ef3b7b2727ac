//! Every example checks clean, and its outputs are snapshot-tested in `tests/examples/`.

mod common;

use common::{baton, files_with_extension, run_all, workspace_root};

#[test]
fn examples() {
    let root = workspace_root();
    std::env::set_current_dir(&root).expect("the workspace root is a directory");
    let examples = files_with_extension(&root.join("examples"), "baton");
    assert!(examples.len() >= 3, "the examples are missing");
    let snapshots = root.join("tests/examples");
    let mut checks: Vec<(String, Box<dyn FnOnce()>)> = Vec::new();
    for path in examples {
        let relative = path
            .strip_prefix(&root)
            .expect("examples are in the workspace")
            .display()
            .to_string();
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let snapshots = snapshots.clone();
        checks.push((
            relative.clone(),
            Box::new(move || {
                let check = baton(&["check", "--deny", "warnings", &relative]);
                assert_eq!(
                    check.code, 0,
                    "{relative} does not check clean:\n{}",
                    check.stderr
                );
                for emit in ["json", "dot"] {
                    let out = baton(&["build", &relative, "--emit", emit]);
                    assert_eq!(out.code, 0, "{relative} --emit {emit}:\n{}", out.stderr);
                    let again = baton(&["build", &relative, "--emit", emit]);
                    assert_eq!(
                        out.stdout, again.stdout,
                        "{relative} --emit {emit} is not deterministic"
                    );
                    insta::with_settings!({
                        snapshot_path => snapshots.clone(),
                        prepend_module_to_snapshot => false,
                        omit_expression => true,
                        description => format!("baton build {relative} --emit {emit}"),
                    }, {
                        insta::assert_snapshot!(format!("{stem}.{emit}"), out.stdout);
                    });
                }
            }),
        ));
    }
    run_all(checks);
}
