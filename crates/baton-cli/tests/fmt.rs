//! `baton fmt` beyond what the file-driven cases show (those only run `--check`): standard
//! input to standard output, rewriting files in place only when they change, keeping
//! permissions and symbolic links, and refusing broken or non-UTF-8 files.

mod common;

use common::{baton, baton_with_stdin};
use std::path::Path;

const MESSY: &str =
    "workflow w \"W\" { role a\n step s \"S\" {\n by a takes 60m }  # why\n end done success }\n";
const TIDY: &str =
    "workflow w \"W\" {\n  role a\n\n  step s \"S\" { by a  takes 1h }  # why\n  end done success\n}\n";

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

#[test]
fn formats_standard_input_to_standard_output() {
    let out = baton_with_stdin(&["fmt", "-"], MESSY.as_bytes());
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, TIDY);
    assert_eq!(out.stderr, "");

    let out = baton_with_stdin(&["fmt", "-"], TIDY.as_bytes());
    assert_eq!((out.code, out.stdout.as_str()), (0, TIDY));
}

#[test]
fn check_on_standard_input_prints_a_diff_and_exits_1() {
    let out = baton_with_stdin(&["fmt", "--check", "-"], MESSY.as_bytes());
    assert_eq!(out.code, 1);
    assert!(
        out.stdout
            .starts_with("--- <stdin>\n+++ <stdin> (formatted)\n@@ "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("+  step s \"S\" { by a  takes 1h }  # why\n"),
        "{}",
        out.stdout
    );
    assert_eq!(out.stderr, "<stdin>: not formatted\n");

    let out = baton_with_stdin(&["fmt", "--check", "-"], TIDY.as_bytes());
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
}

#[test]
fn rewrites_files_in_place_only_when_they_change() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let messy = dir.path().join("messy.baton");
    let tidy = dir.path().join("tidy.baton");
    std::fs::write(&messy, MESSY).expect("write");
    std::fs::write(&tidy, TIDY).expect("write");
    let tidy_before = std::fs::metadata(&tidy).expect("metadata");

    let out = baton(&["fmt", path_str(&messy), path_str(&tidy)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr, format!("formatted {}\n", messy.display()));
    assert_eq!(std::fs::read_to_string(&messy).expect("read"), TIDY);
    assert_eq!(std::fs::read_to_string(&tidy).expect("read"), TIDY);
    // The unchanged file was not replaced (a replaced file is a new file).
    let tidy_after = std::fs::metadata(&tidy).expect("metadata");
    assert_eq!(tidy_before.modified().ok(), tidy_after.modified().ok());
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        assert_eq!(tidy_before.ino(), tidy_after.ino());
    }

    // Formatted files pass the check.
    let out = baton(&["fmt", "--check", path_str(&messy), path_str(&tidy)]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{}", out.stderr);
    // Nothing but the two files is left in the directory (no temporary files).
    assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 2);
}

#[test]
fn check_changes_nothing() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let messy = dir.path().join("messy.baton");
    std::fs::write(&messy, MESSY).expect("write");
    let out = baton(&["fmt", "--check", path_str(&messy)]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains(&format!("--- {}\n", messy.display())));
    assert_eq!(std::fs::read_to_string(&messy).expect("read"), MESSY);
}

#[cfg(unix)]
#[test]
fn keeps_permissions_and_symbolic_links() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let real = dir.path().join("real.baton");
    let link = dir.path().join("link.baton");
    std::fs::write(&real, MESSY).expect("write");
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");

    let out = baton(&["fmt", path_str(&link)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(std::fs::symlink_metadata(&link)
        .expect("metadata")
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_to_string(&real).expect("read"), TIDY);
    let mode = std::fs::metadata(&real)
        .expect("metadata")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
}

#[test]
fn never_rewrites_a_broken_file() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let broken = dir.path().join("broken.baton");
    let text = "workflow w {\n  step { by a }\n}\n";
    std::fs::write(&broken, text).expect("write");
    let out = baton(&["--color", "never", "fmt", path_str(&broken)]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("B0001"), "{}", out.stderr);
    assert!(
        out.stderr.contains("expected a step name"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.ends_with("1 error; not formatted\n"),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read_to_string(&broken).expect("read"), text);

    let bytes = b"workflow w \"Caf\xe9\" {\n}\n";
    std::fs::write(&broken, bytes).expect("write");
    let out = baton(&["fmt", path_str(&broken)]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("B0006"), "{}", out.stderr);
    assert_eq!(std::fs::read(&broken).expect("read"), bytes);
}

#[test]
fn io_errors_exit_2_and_the_other_files_are_still_formatted() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let messy = dir.path().join("messy.baton");
    std::fs::write(&messy, MESSY).expect("write");
    let missing = dir.path().join("missing.baton");
    let out = baton(&["fmt", path_str(&missing), path_str(&messy)]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("cannot read"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&messy).expect("read"), TIDY);

    let out = baton_with_stdin(&["fmt", "-", "-"], TIDY.as_bytes());
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("can only be read once"),
        "{}",
        out.stderr
    );
}

#[test]
fn rewriting_in_place_keeps_crlf_and_a_byte_order_mark() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("w.baton");
    let messy = format!("\u{feff}{}", MESSY.replace('\n', "\r\n"));
    std::fs::write(&path, &messy).expect("write");
    let out = baton(&["fmt", path_str(&path)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let tidy = format!("\u{feff}{}", TIDY.replace('\n', "\r\n"));
    assert_eq!(std::fs::read_to_string(&path).expect("read"), tidy);
    let out = baton(&["fmt", "--check", path_str(&path)]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{}", out.stderr);
}

#[test]
fn every_reported_difference_is_visible() {
    // A line ending, a BOM and a final newline are each the only difference here: the
    // diff must show it, never print identical `-` and `+` lines.
    let tidy_crlf = TIDY.replace('\n', "\r\n");
    let cases = [
        (
            TIDY.replacen('\n', "\r\n", 2).replacen("\r\n", "\n", 1),
            "\\r",
        ),
        (TIDY.trim_end().to_string(), "\\ No newline at end of file"),
        (
            tidy_crlf.trim_end().to_string(),
            "\\ No newline at end of file",
        ),
    ];
    for (input, marker) in cases {
        let out = baton_with_stdin(&["fmt", "--check", "-"], input.as_bytes());
        assert_eq!(out.code, 1, "{input:?}");
        assert!(out.stdout.contains(marker), "{input:?}:\n{}", out.stdout);
        let minus: Vec<&str> = out
            .stdout
            .lines()
            .filter(|l| l.starts_with('-') && !l.starts_with("---"))
            .map(|l| &l[1..])
            .collect();
        let plus: Vec<&str> = out
            .stdout
            .lines()
            .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
            .map(|l| &l[1..])
            .collect();
        assert!(
            !minus.is_empty() || !plus.is_empty(),
            "{input:?}: empty diff"
        );
        assert!(
            minus != plus || out.stdout.contains("\\ No newline"),
            "{input:?}: the changed lines look identical:\n{}",
            out.stdout
        );
    }
}
