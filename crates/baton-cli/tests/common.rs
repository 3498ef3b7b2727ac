//! Helpers shared by the file-driven tests: run the real command in-process, find files.
//! Each test binary uses a different subset, hence the `dead_code` allowance.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The workspace root; tests run from there so paths in output are short and stable.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root exists")
}

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `baton ARGS` with empty standard input.
pub fn baton(args: &[&str]) -> Output {
    baton_with_stdin(args, b"")
}

pub fn baton_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut stdin = stdin;
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
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Every file under `dir` (recursively) with the given extension, sorted.
pub fn files_with_extension(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == extension) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Runs each check, collecting failures so one run reports every broken case.
pub fn run_all(cases: Vec<(String, Box<dyn FnOnce()>)>) {
    let mut failed = Vec::new();
    for (name, case) in cases {
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(case)).is_err() {
            failed.push(name);
        }
    }
    assert!(
        failed.is_empty(),
        "failing cases:\n  {}",
        failed.join("\n  ")
    );
}
