//! The conventions of a command-line tool: `baton new`, shell completions and manual
//! pages (the committed `docs/man/` must equal what `baton man` writes).

mod common;

use common::{baton, workspace_root};

#[test]
fn new_writes_a_starter_that_checks_clean_and_is_formatted() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("customer_onboarding");
    let path_text = path.display().to_string();
    let out = baton(&["new", &path_text]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let file = dir.path().join("customer_onboarding.baton");
    let text = std::fs::read_to_string(&file).expect("the starter is written");
    assert!(text.contains("workflow customer_onboarding \"Customer onboarding\" {"));
    assert!(
        text.starts_with('#'),
        "the starter explains itself in comments"
    );
    let file_text = file.display().to_string();
    let out = baton(&["check", "--deny", "warnings", &file_text]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = baton(&["fmt", "--check", &file_text]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);

    // A name that already ends in `.baton` is the file name.
    let named = dir.path().join("b.baton").display().to_string();
    assert_eq!(baton(&["new", &named]).code, 0);
    assert!(dir.path().join("b.baton").is_file());
}

#[test]
fn new_never_overwrites_and_refuses_bad_names() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("mine.baton");
    std::fs::write(&file, "precious").expect("write");
    let out = baton(&["new", &file.display().to_string()]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.starts_with("B0801\n"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&file).expect("read"), "precious");

    for bad in ["1st", "and", "two words", "é"] {
        let out = baton(&["new", &dir.path().join(bad).display().to_string()]);
        assert_eq!(out.code, 2, "{bad}");
        assert!(out.stderr.starts_with("B0802\n"), "{bad}: {}", out.stderr);
    }
    let out = baton(&[
        "new",
        &dir.path().join("no/such/dir/x").display().to_string(),
    ]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("does not exist"), "{}", out.stderr);
    let entries = std::fs::read_dir(dir.path()).expect("list").count();
    assert_eq!(entries, 1, "refusals leave nothing behind");
}

#[test]
fn completions_cover_every_shell_and_command() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = baton(&["completions", shell]);
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        for word in [
            "check",
            "build",
            "fmt",
            "completions",
            "new",
            "emit",
            "deny",
        ] {
            assert!(
                out.stdout.contains(word),
                "{shell} completions lack `{word}`"
            );
        }
    }
    assert_eq!(baton(&["completions", "tcsh"]).code, 2);
}

#[test]
fn committed_manual_pages_are_current() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = baton(&["man", &dir.path().display().to_string()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let committed = workspace_root().join("docs/man");
    let names = |dir: &std::path::Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    };
    let fix = "regenerate them with `cargo run -p baton-cli -- man docs/man` (and delete pages of removed commands)";
    assert_eq!(
        names(dir.path()),
        names(&committed),
        "docs/man/ lists other pages; {fix}"
    );
    for name in names(dir.path()) {
        let generated = std::fs::read_to_string(dir.path().join(&name)).expect("read");
        let current = std::fs::read_to_string(committed.join(&name)).unwrap_or_default();
        assert!(
            generated == current,
            "docs/man/{name} is out of date; {fix}"
        );
    }
    let main = std::fs::read_to_string(dir.path().join("baton.1")).expect("read");
    assert!(
        main.contains(".TH baton 1"),
        "{}",
        &main[..200.min(main.len())]
    );
    let check = std::fs::read_to_string(dir.path().join("baton-check.1")).expect("read");
    assert!(check.contains("deny"), "the check page lists its options");
}
