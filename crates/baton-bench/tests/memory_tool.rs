//! `baton-memory` on a generated workflow: one line per step, and figures that add up
//! (each step holds what the one before held and more; the peak is at least what is
//! live; dropping the AST gives memory back).

use std::process::Command;

#[test]
fn baton_memory_reports_each_step() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let generated = Command::new(env!("CARGO_BIN_EXE_baton-gen"))
        .args(["--steps", "300", "--seed", "7", "-o"])
        .arg(dir.path())
        .status()
        .expect("baton-gen runs");
    assert!(generated.success());
    let output = Command::new(env!("CARGO_BIN_EXE_baton-memory"))
        .arg(dir.path().join("main.baton"))
        .output()
        .expect("baton-memory runs");
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    let steps: Vec<&str> = rows.iter().map(|r| r[0]).collect();
    assert_eq!(steps, ["step", "source", "parse", "check", "IR"], "{text}");
    let live = |step: usize| -> f64 { rows[step][1].parse().expect("live MB") };
    let (source, parse, check, ir) = (live(1), live(2), live(3), live(4));
    assert!(source > 0.0 && source < parse && parse < check, "{text}");
    assert!(ir < check && ir > source, "{text}");
    let check_peak: f64 = rows[3][2].parse().expect("peak MB");
    assert!(check_peak >= check, "{text}");
}

#[test]
fn baton_memory_refuses_a_missing_file() {
    let output = Command::new(env!("CARGO_BIN_EXE_baton-memory"))
        .arg("/nonexistent/main.baton")
        .output()
        .expect("baton-memory runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot read"), "{stderr}");
}
