//! `baton-memory`: where the memory of a check goes, in live heap bytes (what the
//! program asked for, without the allocator's overhead), one line per step:
//!
//! ```text
//! source        the file's text, read once
//! parse         source + AST, and the peak while parsing
//! check         source + AST + IR after `baton_check::check`, and the peak of the check
//! IR            source + IR, the AST dropped
//! ```
//!
//! Counting goes through dhat's allocator, which is much slower than the one `baton`
//! ships with: use it for bytes, `baton-phases` for time. Peak RSS of the real binary is
//! `/usr/bin/time -v baton check FILE` (`scripts/bench.sh` prints it).

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

use baton_bench::phases::DiskFiles;
use baton_diagnostics::FileId;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

fn megabytes(bytes: usize) -> String {
    format!("{:.1}", bytes as f64 / 1e6)
}

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: baton-memory FILE");
        return ExitCode::from(2);
    };
    let _profiler = dhat::Profiler::builder().testing().build();
    let text: Arc<str> = match std::fs::read_to_string(&path) {
        Ok(text) => text.into(),
        Err(error) => {
            eprintln!("baton-memory: cannot read {}: {error}", path.display());
            return ExitCode::from(2);
        }
    };
    let mut peak_before = 0;
    let mut line = |what: &str| {
        let stats = dhat::HeapStats::get();
        // dhat's maximum cannot be reset: a step's peak is known when it exceeds all
        // earlier ones, which holds here (each step holds more than the one before).
        let peak = if stats.max_bytes > peak_before {
            megabytes(stats.max_bytes)
        } else {
            "-".to_string()
        };
        peak_before = stats.max_bytes;
        println!(
            "{what}\t{}\t{peak}\t{}",
            megabytes(stats.curr_bytes),
            stats.curr_blocks
        );
    };
    println!("step\tlive_MB\tpeak_MB\tblocks");
    line("source");
    let parsed = baton_syntax::parse(&text, FileId::default());
    line("parse");
    drop(parsed);
    let mut analysis = baton_check::check("main.baton", text, Some(&path), &DiskFiles);
    line("check");
    let ok = analysis.workflow.is_some();
    analysis.ast = baton_syntax::ast::File {
        uses: Vec::new(),
        workflow: None,
    };
    line("IR");
    if ok {
        ExitCode::SUCCESS
    } else {
        eprintln!("baton-memory: the file has errors; the IR was not built");
        ExitCode::FAILURE
    }
}
