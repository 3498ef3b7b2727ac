//! Drives the real tools that judge backend output: Graphviz `dot`. A missing tool is
//! not a failure (the check is skipped with a note); CI installs Graphviz.

#![allow(dead_code)]

use std::io::{ErrorKind, Write};
use std::process::{Command, Stdio};

/// What `dot -T{format}` made of `source`: `None` when `dot` is not installed.
/// An error when it exits non-zero or reports a syntax error (an HTML-like label that
/// does not parse is only a warning for dot, which then draws the raw text).
pub fn graphviz(source: &str, format: &str) -> Option<Result<String, String>> {
    let child = Command::new("dot")
        .arg(format!("-T{format}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            eprintln!("note: Graphviz `dot` not found, skipping the Graphviz check");
            return None;
        }
        Err(e) => return Some(Err(format!("cannot run dot: {e}"))),
    };
    let Some(mut stdin) = child.stdin.take() else {
        return Some(Err("dot has no standard input".to_string()));
    };
    // Feed stdin from a thread so that a large output cannot deadlock against the input.
    let input = source.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = match child.wait_with_output() {
        Ok(output) => output,
        Err(e) => return Some(Err(format!("dot did not finish: {e}"))),
    };
    if !matches!(writer.join(), Ok(Ok(()))) {
        return Some(Err("dot did not read all of its input".to_string()));
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lower = stderr.to_lowercase();
    if !output.status.success() || lower.contains("error") || lower.contains("syntax") {
        return Some(Err(format!(
            "dot -T{format} failed ({}):\n{stderr}",
            output.status
        )));
    }
    Some(Ok(String::from_utf8_lossy(&output.stdout).into_owned()))
}
