//! `--emit svg|png` runs Graphviz `dot` for the user; without Graphviz, a clear error.
//!
//! One test only, in its own binary: it changes `BATON_DOT`, which no other test may
//! see while it runs.

use std::path::{Path, PathBuf};

struct Output {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
}

/// Runs `baton ARGS` in-process, keeping standard output as bytes (PNG is binary).
fn baton(args: &[&str]) -> Output {
    let mut stdin: &[u8] = b"";
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let mut argv = vec!["baton"];
    argv.extend_from_slice(args);
    let code = baton_cli::run(
        argv,
        baton_cli::Streams {
            stdin: &mut stdin,
            stdout: &mut stdout,
            stderr: &mut stderr,
            stderr_is_terminal: false,
            stdout_is_terminal: false,
        },
    );
    Output {
        code,
        stdout,
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

fn example(name: &str) -> String {
    let root: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    root.join(name).display().to_string()
}

fn graphviz_installed() -> bool {
    std::process::Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn pictures_are_drawn_by_graphviz() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let flow = example("email_campaign.baton");

    if graphviz_installed() {
        let svg = baton(&["build", &flow, "--emit", "svg"]);
        assert_eq!(svg.code, 0, "{}", svg.stderr);
        let text = String::from_utf8(svg.stdout).expect("SVG is text");
        assert!(text.contains("<svg") && text.contains("Email marketing campaign"));

        let png = baton(&["build", &flow, "--emit", "png", "--direction", "LR"]);
        assert_eq!(png.code, 0, "{}", png.stderr);
        assert!(png.stdout.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");

        let file = dir.path().join("flow.png");
        let written = baton(&[
            "build",
            &flow,
            "--emit",
            "png",
            "-o",
            &file.display().to_string(),
        ]);
        assert_eq!(written.code, 0, "{}", written.stderr);
        let bytes = std::fs::read(&file).expect("the PNG was written");
        assert_eq!(bytes, png_without_direction(&flow));
    } else {
        eprintln!("note: Graphviz `dot` not found, skipping the pictures");
    }

    // Without Graphviz: exit 2, say what to install, write nothing.
    std::env::set_var("BATON_DOT", dir.path().join("no-such-dot"));
    let file = dir.path().join("missing.svg");
    let missing = baton(&[
        "build",
        &flow,
        "--emit",
        "svg",
        "-o",
        &file.display().to_string(),
    ]);
    std::env::remove_var("BATON_DOT");
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(missing.stderr.contains("Graphviz"), "{}", missing.stderr);
    assert!(
        missing.stderr.contains("apt-get install graphviz"),
        "{}",
        missing.stderr
    );
    assert!(
        missing.stderr.contains("brew install graphviz"),
        "{}",
        missing.stderr
    );
    assert!(missing.stdout.is_empty());
    assert!(!file.exists(), "nothing is written");

    // A `dot` that fails: its status is reported, exit 2.
    if Path::new("/bin/false").exists() {
        std::env::set_var("BATON_DOT", "/bin/false");
        let failed = baton(&["build", &flow, "--emit", "png"]);
        std::env::remove_var("BATON_DOT");
        assert_eq!(failed.code, 2, "{}", failed.stderr);
        assert!(failed.stderr.contains("failed"), "{}", failed.stderr);
        assert!(failed.stdout.is_empty());
    }
}

fn png_without_direction(flow: &str) -> Vec<u8> {
    let png = baton(&["build", flow, "--emit", "png"]);
    assert_eq!(png.code, 0, "{}", png.stderr);
    png.stdout
}
