//! `baton diff` with real git: `REV:path` sides read with `git show` (imports from the
//! same revision), and `baton diff --git` as git's external diff driver, run by a real
//! `git diff` in a temporary repository.

use std::path::Path;
use std::process::Command;

const BATON: &str = env!("CARGO_BIN_EXE_baton");

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        // A user's or the machine's settings must not change what the test sees.
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env_remove("GIT_EXTERNAL_DIFF")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A repository with the product launch and its legal review committed, then the legal
/// review step removed from the work tree.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let flows = dir.path().join("flows");
    std::fs::create_dir(&flows).expect("mkdir");
    for name in ["product_launch.baton", "legal_review.baton"] {
        std::fs::copy(root.join(name), flows.join(name)).expect("copy an example");
    }
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "launch"]);
    let path = flows.join("product_launch.baton");
    let text = std::fs::read_to_string(&path).expect("read");
    let start = text.find("  step legal ").expect("the legal step");
    let end = text
        .find("  decision go_no_go")
        .expect("the go/no-go decision");
    std::fs::write(&path, format!("{}{}", &text[..start], &text[end..])).expect("write");
    dir
}

#[test]
fn a_side_at_a_git_revision_is_read_with_git_show() {
    let repo = repository();
    let out = Command::new(BATON)
        .args([
            "diff",
            "main:flows/product_launch.baton",
            "flows/product_launch.baton",
        ])
        .current_dir(repo.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("baton runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(
            "`launched` and `shelved` can now be reached without sub-workflow step `legal`"
        ),
        "{stdout}"
    );
    // The sub-workflow is read from the same revision: its roles count.
    assert!(
        stdout.contains("can now be reached without any work by `counsel`"),
        "{stdout}"
    );
    assert!(
        stdout.starts_with(
            "product_launch (main:flows/product_launch.baton → flows/product_launch.baton)"
        ),
        "{stdout}"
    );
    // Not a terminal: no colour.
    assert!(!stdout.contains('\u{1b}'), "{stdout}");

    // Paths relative to the current directory, as git understands `REV:./path`.
    let out = Command::new(BATON)
        .args([
            "diff",
            "main:./product_launch.baton",
            "product_launch.baton",
        ])
        .current_dir(repo.path().join("flows"))
        .output()
        .expect("baton runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A revision that does not exist is a usage error with git's reason.
    let out = Command::new(BATON)
        .args([
            "diff",
            "nosuch:flows/product_launch.baton",
            "flows/product_launch.baton",
        ])
        .current_dir(repo.path())
        .output()
        .expect("baton runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("git cannot read `nosuch:flows/product_launch.baton`"),
        "{stderr}"
    );
}

#[test]
fn git_diff_runs_baton_as_its_external_diff() {
    let repo = repository();
    std::fs::write(repo.path().join(".gitattributes"), "*.baton diff=baton\n").expect("write");
    git(
        repo.path(),
        &[
            "config",
            "diff.baton.command",
            &format!("{BATON} diff --git"),
        ],
    );
    let stdout = git(repo.path(), &["diff", "--ext-diff", "--", "flows/"]);
    assert!(
        stdout.contains("product_launch (a/flows/product_launch.baton → b/flows/product_launch.baton): 13 changes"),
        "{stdout}"
    );
    assert!(
        stdout.contains("can now be reached without sub-workflow step `legal`"),
        "{stdout}"
    );

    // A new workflow file and a removed one.
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/blog_post.baton"),
        repo.path().join("flows/blog_post.baton"),
    )
    .expect("copy");
    git(repo.path(), &["add", "flows/blog_post.baton"]);
    git(repo.path(), &["rm", "-q", "flows/legal_review.baton"]);
    let stdout = git(repo.path(), &["diff", "--ext-diff", "--cached"]);
    assert!(
        stdout.contains("blog_post (b/flows/blog_post.baton): new workflow"),
        "{stdout}"
    );
    assert!(
        stdout.contains("legal_review (a/flows/legal_review.baton): workflow removed"),
        "{stdout}"
    );

    // The work tree's product launch now imports a file that is gone: reported, and
    // `git diff` carries on (an external diff that fails stops git).
    let stdout = git(
        repo.path(),
        &[
            "diff",
            "--ext-diff",
            "HEAD",
            "--",
            "flows/product_launch.baton",
        ],
    );
    assert!(stdout.contains("not compared"), "{stdout}");
}
