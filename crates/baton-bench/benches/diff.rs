//! Divan benchmarks of `baton diff` (`baton_diff::compare`) on generated workflows of
//! 1,000 and 10,000 steps: against a realistic edit of itself (a step renamed
//! everywhere, a duration changed, a step removed), against itself, and against an
//! unrelated workflow of the same size (almost nothing pairs by name). The target is
//! under a second at 10,000 steps; `docs/performance.md` has the figures.

// The allocator the `baton` binary ships with, so the figures are the ones users get.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use baton_bench::phases::Workload;
use baton_ir::Workflow;

const SIZES: [usize; 2] = [1_000, 10_000];

fn main() {
    divan::main();
}

fn checked(workload: &Workload, text: &str) -> Workflow {
    let name = workload.path.display().to_string();
    match baton_check::check(&name, text, Some(&workload.path), &workload.files).workflow {
        Some(workflow) => workflow,
        None => panic!("the workflow does not check"),
    }
}

/// Replaces the name `old` by `new` wherever it is a whole word.
fn rename(text: &str, old: &str, new: &str) -> String {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(old) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + old.len()..].chars().next();
        out.push_str(&rest[..at]);
        out.push_str(if before.is_some_and(word) || after.is_some_and(word) {
            old
        } else {
            new
        });
        rest = &rest[at + old.len()..];
    }
    out.push_str(rest);
    out
}

/// The workflow, and a version of it with a few real edits.
fn versions(steps: usize) -> (Workflow, Workflow) {
    let workload = Workload::generate(steps, 1);
    let old = checked(&workload, &workload.text);
    let names: Vec<&str> = workload
        .text
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("step "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let victim = names[names.len() / 2];
    let mut text = rename(&workload.text, victim, &format!("{victim}_renamed"));
    text = text.replacen("takes 15m", "takes 45m", 1);
    text = text.replacen("takes 2h", "takes 3h", 3);
    let new = checked(&workload, &text);
    (old, new)
}

#[divan::bench(args = SIZES, max_time = 5)]
fn diff_edited(bencher: divan::Bencher, steps: usize) {
    let (old, new) = versions(steps);
    bencher.bench(|| baton_diff::compare(divan::black_box(&old), divan::black_box(&new)));
}

#[divan::bench(args = SIZES, max_time = 5)]
fn diff_same(bencher: divan::Bencher, steps: usize) {
    let (old, _) = versions(steps);
    bencher.bench(|| baton_diff::compare(divan::black_box(&old), divan::black_box(&old)));
}

#[divan::bench(args = SIZES, max_time = 5)]
fn diff_unrelated(bencher: divan::Bencher, steps: usize) {
    let a = Workload::generate(steps, 1);
    let b = Workload::generate(steps, 2);
    let (a, b) = (checked(&a, &a.text), checked(&b, &b.text));
    bencher.bench(|| baton_diff::compare(divan::black_box(&a), divan::black_box(&b)));
}
