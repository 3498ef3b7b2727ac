//! Entry point of the `baton` binary.

use std::io::IsTerminal;

// The compiler allocates many small strings and nodes and frees them all at once;
// mimalloc is faster at that than the system allocator and wastes less memory on it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let stderr = std::io::stderr();
    let stdout = std::io::stdout();
    let code = baton_cli::run(
        std::env::args_os(),
        baton_cli::Streams {
            stdin: &mut std::io::stdin().lock(),
            stdout_is_terminal: stdout.is_terminal(),
            stdout: &mut stdout.lock(),
            stderr_is_terminal: stderr.is_terminal(),
            stderr: &mut stderr.lock(),
        },
    );
    std::process::exit(code);
}
