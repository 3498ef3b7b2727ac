//! `baton completions SHELL`: prints a completion script for the shell (clap_complete),
//! generated from the same command definition as the parser, so it never falls behind.

use std::io::Write;

pub(crate) use clap_complete::Shell;

/// Writes the completion script of `command` for `shell` to `out`; returns the exit code.
pub(crate) fn run(shell: Shell, mut command: clap::Command, out: &mut dyn Write) -> i32 {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "baton", &mut script);
    match out.write_all(&script) {
        Ok(()) => crate::EXIT_OK,
        Err(_) => crate::EXIT_USAGE,
    }
}
