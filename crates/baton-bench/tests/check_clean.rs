//! Every generated workflow checks clean: no error and no warning (what
//! `baton check --deny warnings` requires), for several sizes and seeds, with the
//! imported sub-workflow read from memory.

use baton_bench::phases::Workload;

fn assert_clean(steps: usize, seed: u64) {
    let workload = Workload::generate(steps, seed);
    let analysis = workload.check();
    let problems: Vec<String> = analysis
        .diagnostics
        .iter()
        .take(5)
        .map(|d| format!("{}: {}", d.code.as_str(), d.message))
        .collect();
    assert!(
        analysis.diagnostics.is_empty(),
        "{steps} steps, seed {seed}: {} diagnostics, first: {problems:#?}",
        analysis.diagnostics.len()
    );
    let ir = analysis.workflow.expect("a clean workflow has an IR");
    let steps_in_ir = ir
        .nodes()
        .filter(|(_, n)| matches!(n.kind, baton_ir::NodeKind::Step(_)))
        .count();
    assert_eq!(steps_in_ir, steps, "{steps} steps, seed {seed}");
    assert_eq!(
        ir.imports.len(),
        usize::from(workload.text.contains("use \""))
    );
}

#[test]
fn small_workflows_check_clean_for_many_seeds() {
    for seed in 0..40 {
        for steps in [1, 2, 5, 9, 30] {
            assert_clean(steps, seed);
        }
    }
}

#[test]
fn workflows_of_every_size_check_clean() {
    for (steps, seed) in [
        (100, 1),
        (100, 2),
        (1_000, 1),
        (1_000, 7),
        (5_000, 3),
        (20_000, 11),
    ] {
        assert_clean(steps, seed);
    }
}

#[test]
fn every_construct_appears() {
    let text = &Workload::generate(1_000, 1).text;
    for construct in [
        "use \"",
        "role ",
        "system ",
        "input ",
        "output ",
        "deadline ",
        "parallel ",
        "branch ",
        "decision ",
        "if ",
        "else ->",
        "match ",
        "wait until",
        "wait for",
        " for 1d",
        "run ",
        "at most",
        "auto ",
        "takes ",
        "needs ",
        "consult ",
        "notify ",
        "retry ",
        "timeout ",
        "description ",
        "end ",
        "cancelled",
        "failure",
        "success",
        "%",
        "#",
    ] {
        assert!(
            text.contains(construct),
            "no `{construct}` in the generated file"
        );
    }
}

/// The parser's fast path (see `baton_syntax::parse_reference`) gives the grammar's
/// tree on generated workflows too, which have every construct the generator knows.
#[test]
fn generated_workflows_parse_as_the_grammar_says() {
    for (steps, seed) in [(300, 1), (300, 2), (2_000, 5)] {
        let text = &Workload::generate(steps, seed).text;
        let id = baton_diagnostics::FileId(0);
        let (fast, reference) = (
            baton_syntax::parse(text, id),
            baton_syntax::parse_reference(text, id),
        );
        assert!(
            reference.diagnostics.is_empty(),
            "{steps} steps, seed {seed}"
        );
        assert!(
            fast.file == reference.file && fast.diagnostics == reference.diagnostics,
            "{steps} steps, seed {seed}"
        );
    }
}
