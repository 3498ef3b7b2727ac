//! `baton user`: accounts for `baton serve`, for the people of the project file only,
//! with coded refusals that change nothing.

mod common;

use common::{baton, baton_with_stdin};
use std::path::{Path, PathBuf};

struct Project {
    _dir: tempfile::TempDir,
    db: String,
    project: String,
}

fn project() -> Project {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let project: PathBuf = dir.path().join("baton.toml");
    std::fs::write(
        &project,
        "[people]\ndana = [\"copywriter\", \"analyst\"]\nlee = [\"lead\"]\n",
    )
    .expect("write the project file");
    Project {
        db: dir.path().join(".baton/state.db").display().to_string(),
        project: project.display().to_string(),
        _dir: dir,
    }
}

impl Project {
    fn run(&self, args: &[&str], stdin: &str) -> common::Output {
        let mut argv = args.to_vec();
        argv.extend(["--db", &self.db, "--project", &self.project]);
        baton_with_stdin(&argv, stdin.as_bytes())
    }
}

#[test]
fn add_list_passwd_token_revoke() {
    let p = project();
    let out = p.run(
        &["user", "add", "dana", "--password-stdin"],
        "correct horse\n",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("`dana` can now sign in"),
        "{}",
        out.stderr
    );
    assert!(Path::new(&p.db).is_file(), "the database is created");

    let out = p.run(&["user", "list"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "person  account  tokens  roles\n\
         dana    yes           0  copywriter, analyst\n\
         lee     no            0  lead\n"
    );

    let out = p.run(&["user", "token", "dana", "--label", "ci"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let token = out.stdout.trim();
    assert!(token.starts_with("baton_") && token.len() > 40, "{token}");

    let out = p.run(&["user", "list", "--json"], "");
    let list: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(list[0]["person"], "dana");
    assert_eq!(list[0]["tokens"], 1);
    assert_eq!(list[1]["has_account"], false);

    let out = p.run(&["user", "revoke", "dana"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("revoked 1 token(s)"), "{}", out.stderr);

    let out = p.run(
        &["user", "passwd", "dana", "--password-stdin"],
        "battery staple\r\n",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn refusals_are_coded_and_change_nothing() {
    let p = project();
    let add = |name: &str, password: &str| {
        p.run(
            &["user", "add", name, "--password-stdin"],
            &format!("{password}\n"),
        )
    };
    let out = add("mallory", "correct horse");
    assert_eq!(out.code, 1);
    assert!(out.stderr.starts_with("S0403\n"), "{}", out.stderr);
    assert!(
        out.stderr.contains("it names `dana`, `lee`"),
        "{}",
        out.stderr
    );

    let out = add("lee", "short");
    assert!(out.stderr.starts_with("S0404\n"), "{}", out.stderr);

    assert_eq!(add("lee", "correct horse").code, 0);
    let out = add("lee", "correct horse");
    assert!(out.stderr.starts_with("S0401\n"), "{}", out.stderr);
    assert!(out.stderr.contains("baton user passwd"), "{}", out.stderr);

    let out = p.run(
        &["user", "passwd", "dana", "--password-stdin"],
        "correct horse\n",
    );
    assert!(out.stderr.starts_with("S0402\n"), "{}", out.stderr);
    let out = p.run(&["user", "token", "dana"], "");
    assert!(out.stderr.starts_with("S0402\n"), "{}", out.stderr);
    assert!(out.stdout.is_empty());

    let out = p.run(&["user", "list", "--json"], "");
    let list: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(list[0]["has_account"], false, "dana still has no account");
    assert_eq!(list[1]["has_account"], true);
}

#[test]
fn a_missing_project_file_or_a_foreign_database_is_refused() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("state.db").display().to_string();
    let missing = dir.path().join("nope.toml").display().to_string();
    let out = baton(&["user", "list", "--db", &db, "--project", &missing]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.starts_with("R0201\n"), "{}", out.stderr);

    let p = project();
    std::fs::create_dir_all(Path::new(&p.db).parent().expect("a directory")).expect("mkdir");
    std::fs::write(&p.db, "this is not a database, it is a text file\n").expect("write");
    let out = p.run(&["user", "list"], "");
    assert_eq!(out.code, 1);
    assert!(out.stderr.starts_with("R01"), "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(&p.db).expect("read"),
        "this is not a database, it is a text file\n",
        "a file that is not ours is never written"
    );
}

#[test]
fn without_a_terminal_the_password_must_come_from_stdin() {
    let p = project();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_baton"))
        .args([
            "user",
            "add",
            "dana",
            "--db",
            &p.db,
            "--project",
            &p.project,
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run baton");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--password-stdin"), "{stderr}");
}
