//! `baton-phases`: times each compiler phase on one `.baton` file, in process, and prints
//! one tab-separated line (median of `--runs` runs, in milliseconds):
//!
//! ```text
//! bytes  parse_ms  check_ms  json_ms  dot_ms  mermaid_ms ...  diagnostics
//! ```
//!
//! With `--header`, a header line comes first. `scripts/bench.sh` builds its table from
//! this output.

// The allocator the `baton` binary ships with, so the figures are the ones users get.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use baton_bench::phases::{measure, DiskFiles, BACKENDS};
use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "baton-phases",
    about = "Time parse, check and every backend on one file"
)]
struct Args {
    /// The workflow file (imports are read from the disk).
    file: PathBuf,
    /// Runs per phase; the median is printed.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Print a header line first.
    #[arg(long)]
    header: bool,
    /// Backends not to run (e.g. `--skip markdown`); their column reads 0.
    #[arg(long, value_name = "BACKEND")]
    skip: Vec<String>,
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

fn main() -> ExitCode {
    let args = Args::parse();
    let text = match std::fs::read_to_string(&args.file) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("baton-phases: cannot read {}: {error}", args.file.display());
            return ExitCode::from(2);
        }
    };
    if args.header {
        let mut header = vec!["bytes".to_string(), "parse_ms".into(), "check_ms".into()];
        header.extend(BACKENDS.iter().map(|b| format!("{}_ms", b.name)));
        header.push("diagnostics".into());
        println!("{}", header.join("\t"));
    }
    let t = measure(&text, &args.file, &DiskFiles, args.runs, &args.skip);
    let mut row = vec![t.bytes.to_string(), ms(t.parse), ms(t.check)];
    if t.backends.is_empty() {
        row.extend(BACKENDS.iter().map(|_| "-".to_string()));
    } else {
        row.extend(t.backends.iter().map(|(_, d)| ms(*d)));
    }
    row.push(t.diagnostics.to_string());
    println!("{}", row.join("\t"));
    ExitCode::SUCCESS
}
