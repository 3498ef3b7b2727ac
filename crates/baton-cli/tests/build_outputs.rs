//! `baton build` of several workflows (files or a directory) into `-o DIR`, the new
//! emit formats, and `--direction`.

mod common;

use std::path::Path;

use common::{baton, workspace_root};

fn in_workspace() {
    std::env::set_current_dir(workspace_root()).expect("the workspace root is a directory");
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

#[test]
fn a_directory_writes_one_page_per_workflow() {
    in_workspace();
    let dir = tempdir();
    let out = dir.path().join("docs/pages");
    let target = out.display().to_string();
    let built = baton(&["build", "examples/", "--emit", "markdown", "-o", &target]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .expect("the directory was created")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "blog_post.md",
            "content_creation.md",
            "email_campaign.md",
            "lead_generation.md",
            "legal_review.md",
            "product_launch.md"
        ]
    );
    // Each is what the single-file build writes.
    let single = baton(&[
        "build",
        "examples/email_campaign.baton",
        "--emit",
        "markdown",
    ]);
    assert_eq!(read(&out.join("email_campaign.md")), single.stdout);
    assert!(built.stderr.contains("wrote "), "{}", built.stderr);
}

#[test]
fn several_files_get_the_extension_of_their_format() {
    in_workspace();
    let dir = tempdir();
    let target = dir.path().display().to_string();
    for (emit, extension) in [
        ("json", "json"),
        ("dot", "dot"),
        ("mermaid", "mmd"),
        ("markdown", "md"),
    ] {
        let built = baton(&[
            "build",
            "examples/blog_post.baton",
            "examples/legal_review.baton",
            "--emit",
            emit,
            "-o",
            &target,
        ]);
        assert_eq!(built.code, 0, "{emit}: {}", built.stderr);
        for stem in ["blog_post", "legal_review"] {
            let file = dir.path().join(format!("{stem}.{extension}"));
            assert!(file.is_file(), "{} missing", file.display());
        }
    }
    let mermaid = read(&dir.path().join("blog_post.mmd"));
    assert!(mermaid.starts_with("flowchart TB\n"), "{mermaid}");
}

#[test]
fn several_workflows_need_an_output_directory() {
    in_workspace();
    for args in [
        vec![
            "build",
            "examples/blog_post.baton",
            "examples/legal_review.baton",
            "--emit",
            "dot",
        ],
        vec!["build", "examples", "--emit", "dot"],
    ] {
        let out = baton(&args);
        assert_eq!(out.code, 2, "{args:?}");
        assert!(out.stderr.contains("`-o DIR`"), "{}", out.stderr);
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn two_inputs_with_one_name_are_refused_before_writing() {
    in_workspace();
    let dir = tempdir();
    let target = dir.path().join("out").display().to_string();
    let out = baton(&[
        "build",
        "examples/blog_post.baton",
        "examples/../examples/blog_post.baton",
        "--emit",
        "dot",
        "-o",
        &target,
    ]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("would both be written to"),
        "{}",
        out.stderr
    );
    assert!(!dir.path().join("out").exists(), "nothing is written");
}

#[test]
fn standard_input_cannot_join_other_files() {
    in_workspace();
    let dir = tempdir();
    let target = dir.path().display().to_string();
    let out = baton(&[
        "build",
        "-",
        "examples/blog_post.baton",
        "--emit",
        "dot",
        "-o",
        &target,
    ]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("standard input"), "{}", out.stderr);
}

#[test]
fn an_empty_directory_is_an_error() {
    let dir = tempdir();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("a directory");
    let out = baton(&[
        "build",
        &empty.display().to_string(),
        "--emit",
        "dot",
        "-o",
        &dir.path().join("out").display().to_string(),
    ]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no `.baton` files"), "{}", out.stderr);
}

#[test]
fn a_broken_workflow_does_not_stop_the_others() {
    let dir = tempdir();
    let sources = dir.path().join("flows");
    std::fs::create_dir(&sources).expect("a directory");
    std::fs::write(
        sources.join("good.baton"),
        "workflow good \"Good\" {\n  role a \"A\"\n  step s \"S\" { by a }\n  end done success\n}\n",
    )
    .expect("written");
    std::fs::write(
        sources.join("bad.baton"),
        "workflow bad {\n  step s \"S\" { by nobody }\n  end done success\n}\n",
    )
    .expect("written");
    let out_dir = dir.path().join("out");
    let out = baton(&[
        "build",
        &sources.display().to_string(),
        "--emit",
        "mermaid",
        "-o",
        &out_dir.display().to_string(),
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out_dir.join("good.mmd").is_file());
    assert!(!out_dir.join("bad.mmd").exists());
    assert!(out.stderr.contains("nothing written"), "{}", out.stderr);
}

#[test]
fn direction_is_case_insensitive() {
    in_workspace();
    for (given, expected) in [("LR", "LR"), ("lr", "LR"), ("TB", "TB"), ("tb", "TB")] {
        let out = baton(&[
            "build",
            "examples/blog_post.baton",
            "--emit",
            "mermaid",
            "--direction",
            given,
        ]);
        assert_eq!(out.code, 0, "{given}: {}", out.stderr);
        assert!(out.stdout.starts_with(&format!("flowchart {expected}\n")));
        let dot = baton(&[
            "build",
            "examples/blog_post.baton",
            "--emit",
            "dot",
            "--direction",
            given,
        ]);
        assert!(
            dot.stdout.contains(&format!("rankdir=\"{expected}\"")),
            "{given}"
        );
    }
    assert_eq!(
        baton(&[
            "build",
            "examples/blog_post.baton",
            "--emit",
            "dot",
            "--direction",
            "up"
        ])
        .code,
        2
    );
}

#[test]
fn one_file_still_writes_to_a_file_or_standard_output() {
    in_workspace();
    let dir = tempdir();
    let file = dir.path().join("flow.mmd");
    let out = baton(&[
        "build",
        "examples/blog_post.baton",
        "--emit",
        "mermaid",
        "-o",
        &file.display().to_string(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let to_stdout = baton(&["build", "examples/blog_post.baton", "--emit", "mermaid"]);
    assert_eq!(read(&file), to_stdout.stdout);
}

#[test]
fn one_file_into_a_directory_keeps_its_name() {
    in_workspace();
    let dir = tempdir();
    // An existing directory.
    let out = baton(&[
        "build",
        "examples/blog_post.baton",
        "--emit",
        "markdown",
        "-o",
        &dir.path().display().to_string(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(dir.path().join("blog_post.md").is_file());
    // A new one, named with a trailing slash.
    let new = format!("{}/pages/", dir.path().display());
    let out = baton(&[
        "build",
        "examples/blog_post.baton",
        "--emit",
        "dot",
        "-o",
        &new,
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(dir.path().join("pages/blog_post.dot").is_file());
}
