//! `baton-gen`: writes a generated workflow of N steps (and the sub-workflow it imports)
//! into a directory, deterministically from a seed.
//!
//! ```sh
//! baton-gen --steps 10000 --seed 1 -o target/bench/10000
//! baton check --deny warnings target/bench/10000/main.baton
//! ```

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "baton-gen",
    about = "Write a realistic generated Baton workflow of N steps, for benchmarks"
)]
struct Args {
    /// Number of steps in the main workflow.
    #[arg(long)]
    steps: usize,
    /// Seed of the generator: the same seed gives the same files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Directory to write `main.baton` and the files it imports into (created if needed).
    #[arg(short, long, value_name = "DIR")]
    output: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let generated = baton_bench::generate(&baton_bench::Config {
        steps: args.steps,
        seed: args.seed,
    });
    if let Err(error) = std::fs::create_dir_all(&args.output) {
        eprintln!(
            "baton-gen: cannot create {}: {error}",
            args.output.display()
        );
        return ExitCode::from(2);
    }
    for file in &generated.files {
        let path = args.output.join(&file.path);
        if let Err(error) = std::fs::write(&path, &file.text) {
            eprintln!("baton-gen: cannot write {}: {error}", path.display());
            return ExitCode::from(2);
        }
        println!("{}", path.display());
    }
    ExitCode::SUCCESS
}
