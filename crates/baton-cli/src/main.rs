//! Entry point of the `baton` binary.

use std::io::IsTerminal;

fn main() {
    let stderr = std::io::stderr();
    let code = baton_cli::run(
        std::env::args_os(),
        baton_cli::Streams {
            stdin: &mut std::io::stdin().lock(),
            stdout: &mut std::io::stdout().lock(),
            stderr_is_terminal: stderr.is_terminal(),
            stderr: &mut stderr.lock(),
        },
    );
    std::process::exit(code);
}
