//! Divan benchmarks of each compiler phase on generated workflows of 1,000, 10,000 and
//! 100,000 steps: parse, check (parse + resolve + types + lowering + graph and data-flow
//! checks), and every backend on the checked IR.
//!
//! `cargo bench -p baton-bench` runs them (a few minutes; each benchmark stops sampling
//! after a few seconds); CI only builds them (`cargo bench --no-run -p baton-bench`).
//! `scripts/bench.sh` prints the same figures as one table, with whole-process times.

// The allocator the `baton` binary ships with, so the figures are the ones users get.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use baton_bench::phases::{Workload, BACKENDS};
use baton_diagnostics::FileId;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];
const SEED: u64 = 1;

fn main() {
    divan::main();
}

/// Generated workloads and their checked IRs, built once per size.
fn workload(steps: usize) -> &'static (Workload, baton_ir::Workflow) {
    static CACHE: OnceLock<Mutex<HashMap<usize, &'static (Workload, baton_ir::Workflow)>>> =
        OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    cache.entry(steps).or_insert_with(|| {
        let workload = Workload::generate(steps, SEED);
        let analysis = workload.check();
        let Some(ir) = analysis.workflow else {
            panic!("the generated workflow of {steps} steps does not check");
        };
        Box::leak(Box::new((workload, ir)))
    })
}

#[divan::bench(args = SIZES, max_time = 5)]
fn parse(bencher: divan::Bencher, steps: usize) {
    let (workload, _) = workload(steps);
    bencher
        .counter(divan::counter::BytesCount::new(workload.text.len()))
        .bench(|| baton_syntax::parse(divan::black_box(&workload.text), FileId(0)));
}

#[divan::bench(args = SIZES, max_time = 5)]
fn check(bencher: divan::Bencher, steps: usize) {
    let (workload, _) = workload(steps);
    bencher.bench(|| workload.check());
}

fn backend(bencher: divan::Bencher, steps: usize, name: &str) {
    let (_, ir) = workload(steps);
    let Some(backend) = BACKENDS.iter().find(|b| b.name == name) else {
        panic!("no backend {name}");
    };
    bencher.bench(|| (backend.render)(divan::black_box(ir)));
}

#[divan::bench(args = SIZES, max_time = 5)]
fn emit_json(bencher: divan::Bencher, steps: usize) {
    backend(bencher, steps, "json");
}

#[divan::bench(args = SIZES, max_time = 5)]
fn emit_dot(bencher: divan::Bencher, steps: usize) {
    backend(bencher, steps, "dot");
}

#[divan::bench(args = SIZES, max_time = 5)]
fn emit_mermaid(bencher: divan::Bencher, steps: usize) {
    backend(bencher, steps, "mermaid");
}

#[divan::bench(args = SIZES, max_time = 5)]
fn emit_markdown(bencher: divan::Bencher, steps: usize) {
    backend(bencher, steps, "markdown");
}
