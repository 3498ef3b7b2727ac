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
                for emit in ["json", "plan", "dot", "mermaid", "markdown", "bpmn"] {
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

/// The workflow shown in the README is the bundled example, so it stays valid.
#[test]
fn readme_shows_the_blog_post_example() {
    let root = workspace_root();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap_or_default();
    let example =
        std::fs::read_to_string(root.join("examples/blog_post.baton")).unwrap_or_default();
    let shown = readme
        .split("```baton\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap_or_default();
    let example_body: String = example
        .lines()
        .skip_while(|line| line.starts_with('#'))
        .map(|line| format!("{line}\n"))
        .collect();
    assert_eq!(
        shown, example_body,
        "README's workflow differs from examples/blog_post.baton"
    );
}
