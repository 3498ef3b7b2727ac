//! Timing of the compiler's phases on one workflow, in process: parse, check (which
//! parses again, resolves, types, lowers and runs the graph and data-flow checks), and
//! every backend on the checked IR. Used by the `baton-phases` binary, which
//! `scripts/bench.sh` runs to fill its table, and by the divan benches.

use baton_check::FileLoader;
use baton_diagnostics::FileId;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A backend under benchmark: a name for tables and the function that renders the IR.
pub struct Backend {
    pub name: &'static str,
    pub render: fn(&baton_ir::Workflow) -> String,
}

fn json(ir: &baton_ir::Workflow) -> String {
    baton_emit::json(ir)
}

fn dot(ir: &baton_ir::Workflow) -> String {
    baton_emit::dot(ir, &baton_emit::DotOptions::default())
}

fn mermaid(ir: &baton_ir::Workflow) -> String {
    baton_emit::mermaid(ir, &baton_emit::MermaidOptions::default())
}

fn markdown(ir: &baton_ir::Workflow) -> String {
    baton_emit::markdown(ir, &baton_emit::MarkdownOptions::default())
}

/// Every backend of `baton-emit`.
pub const BACKENDS: &[Backend] = &[
    Backend {
        name: "json",
        render: json,
    },
    Backend {
        name: "dot",
        render: dot,
    },
    Backend {
        name: "mermaid",
        render: mermaid,
    },
    Backend {
        name: "markdown",
        render: markdown,
    },
];

/// Files held in memory, for checking generated workflows without touching the disk.
pub struct MemoryFiles(pub HashMap<PathBuf, String>);

impl FileLoader for MemoryFiles {
    fn load(&self, path: &Path) -> std::io::Result<String> {
        self.0.get(path).cloned().ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::NotFound, path.display().to_string())
        })
    }
}

/// Reads imports from the disk, like the CLI.
pub struct DiskFiles;

impl FileLoader for DiskFiles {
    fn load(&self, path: &Path) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }
}

/// A generated workflow ready to check in memory: its text, its path and its imports.
pub struct Workload {
    pub text: String,
    pub path: PathBuf,
    pub files: MemoryFiles,
}

impl Workload {
    /// Generates `steps` steps from `seed` and keeps every file in memory under `bench/`.
    pub fn generate(steps: usize, seed: u64) -> Workload {
        let generated = crate::generate(&crate::Config { steps, seed });
        let dir = Path::new("bench");
        let files = generated
            .files
            .iter()
            .map(|f| (dir.join(&f.path), f.text.clone()))
            .collect();
        Workload {
            text: generated.main().text.clone(),
            path: dir.join(crate::MAIN_FILE),
            files: MemoryFiles(files),
        }
    }

    pub fn check(&self) -> baton_check::Analysis {
        baton_check::check(
            &self.path.display().to_string(),
            self.text.as_str(),
            Some(&self.path),
            &self.files,
        )
    }
}

/// Median wall-clock times of each phase on one file.
#[derive(Debug)]
pub struct Timings {
    pub bytes: usize,
    pub parse: Duration,
    pub check: Duration,
    /// (backend name, time), in [`BACKENDS`] order.
    pub backends: Vec<(&'static str, Duration)>,
    /// Diagnostics of the check (0 for a clean file).
    pub diagnostics: usize,
}

/// Runs of one phase stop early once they have taken this long in total, so that a slow
/// (say quadratic) phase cannot stall a benchmark: its median then has fewer samples.
pub const PHASE_BUDGET: Duration = Duration::from_secs(20);

/// The median of up to `runs` timings of `f` (at least one run; fewer when they exceed
/// [`PHASE_BUDGET`]).
pub fn median<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut times: Vec<Duration> = Vec::new();
    let budget = Instant::now();
    while times.len() < runs.max(1) && (times.is_empty() || budget.elapsed() < PHASE_BUDGET) {
        let start = Instant::now();
        std::hint::black_box(f());
        times.push(start.elapsed());
    }
    times.sort();
    times[times.len() / 2]
}

/// Times every phase on `text` (at `path`, imports through `loader`): the median of
/// `runs` runs each. Backends are only timed when the file checks without errors, and
/// not those named in `skip` (their time is then zero).
pub fn measure(
    text: &str,
    path: &Path,
    loader: &dyn FileLoader,
    runs: usize,
    skip: &[String],
) -> Timings {
    let name = path.display().to_string();
    let parse = median(runs, || baton_syntax::parse(text, FileId(0)));
    let check = median(runs, || baton_check::check(&name, text, Some(path), loader));
    let analysis = baton_check::check(&name, text, Some(path), loader);
    let backends = match &analysis.workflow {
        Some(ir) => BACKENDS
            .iter()
            .map(|b| {
                if skip.iter().any(|s| s == b.name) {
                    (b.name, Duration::ZERO)
                } else {
                    (b.name, median(runs, || (b.render)(ir)))
                }
            })
            .collect(),
        None => Vec::new(),
    };
    Timings {
        bytes: text.len(),
        parse,
        check,
        backends,
        diagnostics: analysis.diagnostics.len(),
    }
}
