//! The command's behaviour beyond single files: exit codes, standard input, `-o`,
//! `explain`, colour.

mod common;

use common::{baton, baton_with_stdin, workspace_root};

const CLEAN: &str =
    "workflow w \"W\" {\n  role a\n  step s \"S\" { by a }\n  end done success\n}\n";

#[test]
fn reads_standard_input() {
    let out = baton_with_stdin(&["check", "-"], CLEAN.as_bytes());
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("<stdin>: workflow `w` checks clean"),
        "{}",
        out.stderr
    );
    let out = baton_with_stdin(&["build", "-", "--emit", "json"], CLEAN.as_bytes());
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("\"format\": \"baton-ir\""));
}

#[test]
fn missing_files_and_bad_usage_exit_2() {
    let out = baton(&["check", "no/such/file.baton"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("cannot read `no/such/file.baton`"),
        "{}",
        out.stderr
    );
    assert_eq!(baton(&["check"]).code, 2);
    assert_eq!(baton(&["build", "x.baton", "--emit", "nope"]).code, 2);
    assert_eq!(baton(&["frobnicate"]).code, 2);
}

#[test]
fn help_and_version_exit_0() {
    for args in [
        &["--help"][..],
        &["check", "--help"],
        &["build", "--help"],
        &["--version"],
    ] {
        let out = baton(args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert!(!out.stdout.is_empty());
    }
}

#[test]
fn output_files_are_written_only_for_clean_workflows() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let good = dir.path().join("good.baton");
    let bad = dir.path().join("bad.baton");
    let out_file = dir.path().join("out.dot");
    std::fs::write(&good, CLEAN).expect("write");
    std::fs::write(&bad, CLEAN.replace("by a", "by nobody")).expect("write");
    let path = |p: &std::path::Path| p.display().to_string();

    let out = baton(&[
        "build",
        &path(&bad),
        "--emit",
        "dot",
        "-o",
        &path(&out_file),
    ]);
    assert_eq!(out.code, 1);
    assert!(
        !out_file.exists(),
        "a failed build must not write its output"
    );

    let out = baton(&[
        "build",
        &path(&good),
        "--emit",
        "dot",
        "-o",
        &path(&out_file),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let written = std::fs::read_to_string(&out_file).expect("the output exists");
    assert!(written.starts_with("digraph"));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".baton") && n != "out.dot")
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn explain_prints_the_documentation_of_a_code() {
    let out = baton(&["explain", "b0101"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.starts_with("## B0101: "), "{}", out.stdout);
    assert!(!out.stdout.contains("## B0102"));
    let out = baton(&["explain", "B9999"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("unknown diagnostic code"));
    for code in baton_diagnostics::Code::ALL {
        assert_eq!(baton(&["explain", code.as_str()]).code, 0, "{code}");
    }
}

#[test]
fn colour_is_opt_in_when_not_a_terminal() {
    let broken = CLEAN.replace("by a", "by b");
    let plain = baton_with_stdin(&["check", "-"], broken.as_bytes());
    assert!(!plain.stderr.contains('\u{1b}'));
    let coloured = baton_with_stdin(&["--color", "always", "check", "-"], broken.as_bytes());
    assert!(coloured.stderr.contains('\u{1b}'), "{}", coloured.stderr);
}

#[test]
fn deny_warnings_fails_on_warnings() {
    let root = workspace_root();
    let case = root.join("tests/cases/flow/unbounded_loop.baton");
    let case = case.display().to_string();
    assert_eq!(baton(&["check", &case]).code, 0);
    assert_eq!(baton(&["check", "--deny", "warnings", &case]).code, 1);
}
