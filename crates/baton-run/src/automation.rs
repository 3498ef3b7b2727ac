//! The automation driver: runs a system's command (an argv array from the project file,
//! never a shell string) for one attempt of an automated step. The request goes to the
//! command as JSON on standard input; the outputs come back as one JSON object on
//! standard output. A command that runs past its timeout is killed with its whole process
//! group. This module does the IO; whether the outputs have the right types is decided
//! by the engine against the plan.

use crate::project::SystemCommand;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use wait_timeout::ChildExt;

/// How much of standard error is kept in the history.
pub const STDERR_TAIL_BYTES: usize = 2048;
/// Standard output beyond this is refused (an automation returns values, not files).
pub const MAX_STDOUT_BYTES: usize = 1 << 20;

/// What the command receives on standard input.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub action: Option<String>,
    pub system: String,
    pub instance: i64,
    pub step: String,
    /// 1 for the first try.
    pub attempt: u32,
    /// The step's `needs` values, in the documented JSON encoding.
    pub needs: serde_json::Map<String, serde_json::Value>,
}

/// What happened when the command ran.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// The exit code; `None` when it was killed or could not start.
    pub exit_code: Option<i32>,
    pub timed_out: bool,
    /// Why it could not start, if it did not.
    pub spawn_error: Option<String>,
    /// It did not start because the project file binds no command to the system.
    #[serde(default)]
    pub unbound_system: bool,
    /// Standard output, when it was valid UTF-8 and not too long.
    pub stdout: Option<String>,
    /// The last [`STDERR_TAIL_BYTES`] of standard error.
    pub stderr_tail: String,
    /// Wall-clock milliseconds the attempt took (for the history, never for decisions).
    pub millis: u64,
}

impl Attempt {
    fn empty() -> Attempt {
        Attempt {
            exit_code: None,
            timed_out: false,
            spawn_error: None,
            unbound_system: false,
            stdout: None,
            stderr_tail: String::new(),
            millis: 0,
        }
    }

    /// Not run: the project file binds no command to the system.
    pub fn unbound() -> Attempt {
        Attempt {
            unbound_system: true,
            ..Attempt::empty()
        }
    }

    /// A command that exited 0 after printing `stdout` (a stand-in's reply).
    pub fn replied(stdout: String) -> Attempt {
        Attempt {
            exit_code: Some(0),
            stdout: Some(stdout),
            ..Attempt::empty()
        }
    }

    /// A command that exited 1 after printing `stderr` (a stand-in's failure).
    pub fn failed(stderr: String) -> Attempt {
        Attempt {
            exit_code: Some(1),
            stdout: Some(String::new()),
            stderr_tail: stderr,
            ..Attempt::empty()
        }
    }

    /// A command that ran past its timeout (a stand-in's).
    pub fn timed_out() -> Attempt {
        Attempt {
            timed_out: true,
            ..Attempt::empty()
        }
    }
}

/// Runs `command` for `request`, in `root` (the project's directory), killing it after
/// `timeout`.
pub fn run(
    command: &SystemCommand,
    root: &Path,
    request: &Request,
    timeout: Option<Duration>,
) -> Attempt {
    let started = Instant::now();
    let mut attempt = Attempt::empty();
    let Some((program, args)) = command.command.split_first() else {
        attempt.spawn_error = Some("the command is empty".to_string());
        return attempt;
    };
    // A program given as a relative path (`./scripts/esp.py`) is relative to the project.
    let program_path = if program.contains('/') && Path::new(program).is_relative() {
        // Absolute, so it does not matter which directory the spawn resolves it from.
        root.canonicalize()
            .unwrap_or_else(|_| root.to_path_buf())
            .join(program)
    } else {
        Path::new(program).to_path_buf()
    };
    let mut process = Command::new(&program_path);
    process
        .args(args)
        .current_dir(root)
        .envs(&command.env)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Its own process group, so a timeout kills whatever it started too.
        process.process_group(0);
    }
    let mut child = match process.spawn() {
        Ok(child) => child,
        Err(error) => {
            attempt.spawn_error = Some(format!("cannot start `{program}`: {error}"));
            attempt.millis = elapsed_millis(started);
            return attempt;
        }
    };
    let input = serde_json::to_vec(request).unwrap_or_default();
    let stdin = child.stdin.take();
    let writer = std::thread::spawn(move || {
        if let Some(mut stdin) = stdin {
            // A command that does not read its input is not an error.
            let _ = stdin.write_all(&input);
        }
    });
    let stdout = child.stdout.take();
    let out_reader = std::thread::spawn(move || read_limited(stdout, MAX_STDOUT_BYTES + 1));
    let stderr = child.stderr.take();
    let err_reader = std::thread::spawn(move || read_tail(stderr, STDERR_TAIL_BYTES));

    let status = match timeout {
        Some(limit) => match child.wait_timeout(limit) {
            Ok(Some(status)) => Some(status),
            Ok(None) => {
                attempt.timed_out = true;
                kill(&mut child);
                None
            }
            Err(_) => {
                kill(&mut child);
                None
            }
        },
        None => child.wait().ok(),
    };
    if status.is_none() {
        let _ = child.wait();
    }
    let _ = writer.join();
    let out = out_reader.join().unwrap_or_default();
    let err = err_reader.join().unwrap_or_default();
    attempt.exit_code = status.and_then(|s| s.code());
    attempt.stderr_tail = String::from_utf8_lossy(&err).into_owned();
    attempt.stdout = if out.len() > MAX_STDOUT_BYTES {
        None
    } else {
        String::from_utf8(out).ok()
    };
    attempt.millis = elapsed_millis(started);
    attempt
}

fn elapsed_millis(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Kills the command and its process group.
fn kill(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        if let Some(pid) = i32::try_from(child.id())
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        {
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
    }
    let _ = child.kill();
}

fn read_limited(pipe: Option<impl Read>, limit: usize) -> Vec<u8> {
    let mut bytes = Vec::new();
    if let Some(pipe) = pipe {
        let _ = pipe.take(limit as u64).read_to_end(&mut bytes);
    }
    bytes
}

/// Reads a pipe to its end, keeping only the last `keep` bytes.
fn read_tail(pipe: Option<impl Read>, keep: usize) -> Vec<u8> {
    let mut tail: Vec<u8> = Vec::new();
    let Some(mut pipe) = pipe else {
        return tail;
    };
    let mut buffer = [0u8; 8192];
    loop {
        match pipe.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                tail.extend_from_slice(&buffer[..n]);
                if tail.len() > 2 * keep {
                    tail.drain(..tail.len() - keep);
                }
            }
        }
    }
    if tail.len() > keep {
        tail.drain(..tail.len() - keep);
    }
    tail
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(script: &str) -> SystemCommand {
        SystemCommand {
            command: vec!["sh".into(), "-c".into(), script.into()],
            env: Default::default(),
        }
    }

    fn request() -> Request {
        Request {
            action: Some("send".into()),
            system: "esp".into(),
            instance: 7,
            step: "schedule".into(),
            attempt: 1,
            needs: serde_json::Map::new(),
        }
    }

    #[test]
    fn passes_the_request_and_reads_the_outputs() {
        let attempt = run(&sh("cat; echo oops >&2"), Path::new("."), &request(), None);
        assert_eq!(attempt.exit_code, Some(0));
        let echoed: Request =
            serde_json::from_str(attempt.stdout.as_deref().unwrap_or("")).expect("json");
        assert_eq!(echoed, request());
        assert_eq!(attempt.stderr_tail, "oops\n");
    }

    #[test]
    fn a_hanging_command_is_killed_with_its_children() {
        let started = Instant::now();
        let attempt = run(
            &sh("sleep 30 & sleep 30"),
            Path::new("."),
            &request(),
            Some(Duration::from_millis(300)),
        );
        assert!(attempt.timed_out);
        assert_eq!(attempt.exit_code, None);
        // The pipes closed, so the readers did not wait for the grandchild.
        assert!(started.elapsed() < Duration::from_secs(20));
    }

    #[test]
    fn a_missing_program_is_a_spawn_error() {
        let command = SystemCommand {
            command: vec!["./no/such/program".into()],
            env: Default::default(),
        };
        let attempt = run(&command, Path::new("."), &request(), None);
        assert!(attempt.spawn_error.is_some());
    }

    #[test]
    fn only_the_tail_of_stderr_is_kept() {
        let attempt = run(
            &sh("i=0; while [ $i -lt 2000 ]; do echo line$i >&2; i=$((i+1)); done; exit 3"),
            Path::new("."),
            &request(),
            None,
        );
        assert_eq!(attempt.exit_code, Some(3));
        assert!(attempt.stderr_tail.len() <= STDERR_TAIL_BYTES);
        assert!(attempt.stderr_tail.ends_with("line1999\n"));
    }
}
