//! Every limit Baton enforces, tested at and past its edge through the whole front end
//! (`baton_check::check`), and the inputs that are within the limits but extreme: the
//! result must be a checked workflow or a coded diagnostic, never a panic, a stack
//! overflow, an out-of-memory abort or a hang.
//!
//! | Limit | Value | Past it |
//! |---|---|---|
//! | file size (`baton_diagnostics::MAX_FILE_BYTES`) | 64 MiB | B0003 |
//! | `{}`/`()` nesting (`baton_syntax::MAX_NESTING`) | 32 | B0002 |
//! | operators in one condition (`baton_syntax::MAX_EXPRESSION_DEPTH`) | 64 | B0002 |
//! | `retry N`, `at most N times` | `u32` | B0005 |
//! | durations | `u64` seconds | B0005 |
//! | `int` literals | `i64` | B0005 |
//! | `\u{..}` escapes | a Unicode scalar value | B0004 |
//!
//! Each test prints how long it took (`cargo test --test limits -- --nocapture`);
//! `docs/reliability.md` records the numbers.

#[path = "support/wellformed.rs"]
mod wellformed;

use baton_check::{check, Analysis, NoFiles};
use baton_diagnostics::{Code, MAX_FILE_BYTES};
use baton_emit::{DotOptions, MarkdownOptions, MermaidOptions};
use baton_syntax::{MAX_EXPRESSION_DEPTH, MAX_NESTING};
use std::time::{Duration, Instant};

/// Checks `source` and reports the time taken.
fn timed(what: &str, source: &str) -> (Analysis, Duration) {
    let started = Instant::now();
    let analysis = check("limits.baton", source, None, &NoFiles);
    let elapsed = started.elapsed();
    eprintln!(
        "{what}: {} bytes checked in {elapsed:.2?}: {}",
        source.len(),
        summary(&analysis)
    );
    (analysis, elapsed)
}

fn summary(analysis: &Analysis) -> String {
    let mut codes: Vec<&str> = analysis
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    codes.dedup();
    match &analysis.workflow {
        Some(w) => format!("IR with {} nodes; {codes:?}", w.graph.node_count()),
        None => format!("no IR; {codes:?}"),
    }
}

fn codes(analysis: &Analysis) -> Vec<Code> {
    analysis.diagnostics.iter().map(|d| d.code).collect()
}

fn has(analysis: &Analysis, code: Code) -> bool {
    analysis.diagnostics.iter().any(|d| d.code == code)
}

/// Runs every backend on the IR and checks the outputs are well-formed.
fn emit_all(analysis: &Analysis) {
    let workflow = analysis.workflow.as_ref().expect("an IR");
    let json = baton_emit::json(workflow);
    wellformed::json(workflow, &json).expect("well-formed JSON");
    let dot = baton_emit::dot(workflow, &DotOptions::default());
    wellformed::dot(workflow, &dot).expect("well-formed DOT");
    let mermaid = baton_emit::mermaid(workflow, &MermaidOptions::default());
    wellformed::mermaid(&mermaid).expect("well-formed Mermaid");
    let markdown = baton_emit::markdown(workflow, &MarkdownOptions::default());
    wellformed::markdown(&markdown).expect("well-formed Markdown");
}

/// A small valid workflow around `items`.
fn workflow(items: &str) -> String {
    format!(
        "workflow limits \"Limits\" {{\n  role writer \"Writer\"\n  input flag: bool\n{items}\n  end done success\n}}\n"
    )
}

// ---------------------------------------------------------------- nesting

#[test]
fn nesting_at_the_limit_is_accepted() {
    // The workflow's braces are one level; a parallel and its branch two more each.
    let levels = (MAX_NESTING - 2) / 2;
    let open = "  parallel { branch { ".repeat(levels);
    let close = "} } ".repeat(levels);
    let source = workflow(&format!(
        "{open} step s {{ by writer }} {close}\n  step after {{ by writer }}"
    ));
    let (analysis, _) = timed("nesting at the limit", &source);
    assert!(
        !has(&analysis, Code::NestingTooDeep),
        "{:?}",
        codes(&analysis)
    );
    assert!(analysis.workflow.is_some(), "{:?}", analysis.diagnostics);
    emit_all(&analysis);
}

#[test]
fn a_hundred_thousand_nested_parallels_give_b0002() {
    let depth = 100_000;
    let source = workflow(&format!(
        "{}step s {{ by writer }}{}",
        "parallel { branch { ".repeat(depth),
        "} } ".repeat(depth)
    ));
    let (analysis, _elapsed) = timed("100,000 nested parallels", &source);
    assert_eq!(codes(&analysis), vec![Code::NestingTooDeep]);
}

#[test]
fn a_hundred_thousand_unclosed_parallels_give_b0002() {
    let source = format!(
        "workflow w {{\n{}",
        "parallel p { branch b { ".repeat(100_000)
    );
    let (analysis, _) = timed("100,000 unclosed parallels", &source);
    assert!(
        has(&analysis, Code::NestingTooDeep),
        "{:?}",
        codes(&analysis)
    );
}

#[test]
fn a_hundred_thousand_parentheses_give_b0002() {
    let source = workflow(&format!(
        "  if {}flag{} -> done",
        "(".repeat(100_000),
        ")".repeat(100_000)
    ));
    let (analysis, _) = timed("100,000 parentheses", &source);
    assert_eq!(codes(&analysis), vec![Code::NestingTooDeep]);
}

// ---------------------------------------------------------------- expressions

#[test]
fn a_hundred_thousand_nots_give_b0002() {
    let source = workflow(&format!("  if {}flag -> done", "not ".repeat(100_000)));
    let (analysis, _elapsed) = timed("100,000 nots", &source);
    assert!(
        has(&analysis, Code::NestingTooDeep),
        "{:?}",
        codes(&analysis)
    );
    assert!(analysis.workflow.is_none());
}

#[test]
fn nots_up_to_the_expression_limit_are_accepted() {
    // `not` x 64 around one comparison: at the limit.
    let source = workflow(&format!(
        "  if {}flag -> done\n  step s {{ by writer }}",
        "not ".repeat(MAX_EXPRESSION_DEPTH)
    ));
    let (analysis, _) = timed("64 nots", &source);
    assert!(analysis.workflow.is_some(), "{:?}", analysis.diagnostics);
    emit_all(&analysis);
    let source = workflow(&format!(
        "  if {}flag -> done\n  step s {{ by writer }}",
        "not ".repeat(MAX_EXPRESSION_DEPTH + 1)
    ));
    let (analysis, _) = timed("65 nots", &source);
    assert_eq!(codes(&analysis), vec![Code::NestingTooDeep]);
}

#[test]
fn a_hundred_thousand_ors_give_b0002() {
    let chain = vec!["flag"; 100_000].join(" or ");
    let source = workflow(&format!("  if {chain} -> done"));
    let (analysis, _elapsed) = timed("100,000 ors", &source);
    assert!(
        has(&analysis, Code::NestingTooDeep),
        "{:?}",
        codes(&analysis)
    );
}

// ---------------------------------------------------------------- file size

/// A realistic workflow of at least `bytes` bytes: roles, a system, a deadline, steps
/// by people and by the system, a review loop and an end. Returns it and its steps.
fn big_workflow(bytes: usize) -> (String, usize) {
    let mut source = String::with_capacity(bytes + 1024);
    source.push_str(
        "workflow big \"A very large workflow\" {\n  deadline 52w\n  role writer \"Writer\"\n  \
         role editor \"Editor\"\n  system cms \"CMS\"\n",
    );
    let mut steps = 0;
    while source.len() < bytes {
        let line = if steps % 2 == 0 {
            format!("  step s{steps} \"Write part {steps}\" {{ by writer  takes 1h }}\n")
        } else {
            format!("  step s{steps} \"Publish part {steps}\" {{ auto cms \"publish\" }}\n")
        };
        source.push_str(&line);
        steps += 1;
    }
    source.push_str(
        "  decision review \"Ready?\" {\n    by editor\n    yes -> done\n    \
         no -> s0 at most 3 times\n  }\n  end done success\n}\n",
    );
    (source, steps)
}

#[test]
fn a_two_megabyte_workflow_is_checked() {
    let (source, steps) = big_workflow(2_000_000);
    let (analysis, _elapsed) = timed("2 MB workflow", &source);
    let workflow = analysis
        .workflow
        .as_ref()
        .expect("a large valid workflow checks");
    assert_eq!(workflow.graph.node_count(), steps + 3);
}

#[test]
#[ignore = "slow: checking 50 MB (844,000 steps) takes about 190 s in a debug build (34 s and \
            1.5 GB for `baton check` in release); run with --ignored --release"]
fn a_fifty_megabyte_workflow_is_checked() {
    let (source, steps) = big_workflow(50_000_000);
    assert!(source.len() < MAX_FILE_BYTES);
    let (analysis, _elapsed) = timed("50 MB workflow", &source);
    let workflow = analysis
        .workflow
        .as_ref()
        .expect("a large valid workflow checks");
    assert_eq!(workflow.graph.node_count(), steps + 3);
    let started = Instant::now();
    let json = baton_emit::json(workflow);
    let dot = baton_emit::dot(workflow, &DotOptions::default());
    eprintln!(
        "50 MB workflow: JSON ({} MB) and DOT ({} MB) in {:.2?}",
        json.len() / 1_000_000,
        dot.len() / 1_000_000,
        started.elapsed()
    );
}

#[test]
fn a_file_over_the_size_limit_gives_b0003() {
    // Valid text, one byte too many: refused before any parsing.
    let (mut source, _) = big_workflow(1_000);
    source.push_str(&"#".repeat(MAX_FILE_BYTES + 1 - source.len()));
    let (analysis, _elapsed) = timed("64 MiB + 1 byte", &source);
    assert_eq!(codes(&analysis), vec![Code::FileTooLarge]);
}

/// Renders every diagnostic the way `baton check` does (baton-cli's `render`).
fn render_all(analysis: &Analysis) -> usize {
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(100)
            .with_links(false);
    let mut bytes = 0;
    for diagnostic in &analysis.diagnostics {
        let report = baton_diagnostics::report::Report::new(diagnostic, &analysis.sources);
        let mut out = String::new();
        handler
            .render_report(&mut out, &report)
            .expect("rendering into a String");
        bytes += out.len();
    }
    bytes
}

/// Reports read their spans through a shared line index (`baton_diagnostics::report`);
/// with miette's own `str` each label rescanned the file, and this took 19 s in release.
#[test]
fn many_errors_render_in_linear_time() {
    let steps: String = (0..20_000)
        .map(|i| format!("  step s{i} {{ by writr }}\n"))
        .collect();
    let source = workflow(&steps);
    let (analysis, _) = timed("20,000 errors", &source);
    assert_eq!(analysis.diagnostics.len(), 20_000);
    let started = Instant::now();
    render_all(&analysis);
    let elapsed = started.elapsed();
    eprintln!("20,000 errors rendered in {elapsed:.2?}");
}

#[test]
fn a_long_critical_path_renders_quickly() {
    let steps: String = (0..16_000)
        .map(|i| format!("  step s{i} {{ by writer takes 1h }}\n"))
        .collect();
    let source = workflow(&format!("  deadline 1h\n{steps}"));
    let (analysis, _) = timed("16,000-step critical path", &source);
    assert!(has(&analysis, Code::DeadlineExceeded));
    let started = Instant::now();
    let bytes = render_all(&analysis);
    let elapsed = started.elapsed();
    eprintln!("16,000-step critical path: {bytes} bytes rendered in {elapsed:.2?}");
    assert!(bytes < 100_000, "the warning alone is {bytes} bytes");
}

// ---------------------------------------------------------------- long text

#[test]
fn a_one_megabyte_title_is_checked_and_emitted() {
    let title = "Write the \\\"draft\\\" <b>&amp; -->\\n ".repeat(1_000_000 / 32);
    let source = workflow(&format!(
        "  step s \"{title}\" {{ by writer }}\n  decision d \"{title}\" {{\n    by writer\n    \
         a \"{title}\" -> done\n    b -> s at most 2 times\n  }}"
    ));
    let (analysis, _) = timed("1 MB titles", &source);
    assert!(analysis.workflow.is_some(), "{:?}", codes(&analysis));
    let started = Instant::now();
    emit_all(&analysis);
    eprintln!("1 MB titles: every backend in {:.2?}", started.elapsed());
}

#[test]
fn a_ten_thousand_character_name_is_checked_and_emitted() {
    let name = format!("n{}", "a_b9".repeat(2_500));
    let source = format!(
        "workflow {name} {{\n  role {name}\n  input {name}: bool\n  step {name} {{ by {name} \
         output o: bool }}\n  if {name} -> done\n  decision d {{\n    by {name}\n    {name} -> done\n    \
         b -> {name} at most 1 time\n  }}\n  end done success\n  output o\n}}\n"
    );
    let (analysis, _) = timed("10,000-character names", &source);
    assert!(analysis.workflow.is_some(), "{:?}", analysis.diagnostics);
    emit_all(&analysis);
}

#[test]
fn a_misspelt_ten_thousand_character_name_is_diagnosed_quickly() {
    let name = "a".repeat(10_000);
    let typo = format!("{}b", &name[1..]);
    let source = workflow(&format!("  role {name}\n  step s {{ by {typo} }}"));
    let (analysis, _elapsed) = timed("misspelt 10,000-character name", &source);
    assert!(has(&analysis, Code::UnknownRole), "{:?}", codes(&analysis));
}

// ---------------------------------------------------------------- numbers

#[test]
fn counts_are_u32() {
    let max = u32::MAX;
    let source = workflow(&format!(
        "  step s {{ by writer retry {max} }}\n  decision d {{\n    by writer\n    a -> done\n    \
         b -> s at most {max} times\n  }}"
    ));
    let (analysis, _) = timed("u32::MAX counts", &source);
    assert!(analysis.workflow.is_some(), "{:?}", analysis.diagnostics);
    emit_all(&analysis);

    let over = u64::from(max) + 1;
    let source = workflow(&format!("  step s {{ by writer retry {over} }}"));
    let (analysis, _) = timed("retry u32::MAX + 1", &source);
    assert_eq!(codes(&analysis), vec![Code::NumberOutOfRange]);
    let source = workflow(&format!(
        "  step s {{ by writer }}\n  decision d {{\n    by writer\n    a -> done\n    \
         b -> s at most {over} times\n  }}"
    ));
    let (analysis, _) = timed("bound u32::MAX + 1", &source);
    assert_eq!(codes(&analysis), vec![Code::NumberOutOfRange]);
}

#[test]
fn durations_are_u64_seconds() {
    // Each step takes u64::MAX seconds: the critical path saturates, nothing overflows.
    let max = u64::MAX;
    let source = format!(
        "workflow w {{\n  deadline {max}s\n  role r\n  step a {{ by r takes {max}s }}\n  \
         step b {{ by r takes {max}s timeout {max}s }}\n  wait for {max}s\n  end done success\n}}\n"
    );
    let (analysis, _) = timed("u64::MAX durations", &source);
    assert!(analysis.workflow.is_some(), "{:?}", analysis.diagnostics);
    emit_all(&analysis);

    for over in [
        "18446744073709551616s".to_string(),
        format!("{}w", max / 604_800 + 1),
        format!("{max}s 1s"),
        "1".repeat(10_000) + "d",
    ] {
        let source = format!(
            "workflow w {{\n  role r\n  step a {{ by r takes {over} }}\n  end done success\n}}\n"
        );
        let (analysis, _) = timed("duration past u64", &source);
        assert_eq!(codes(&analysis), vec![Code::NumberOutOfRange], "{over}");
    }
}

#[test]
fn integers_are_i64() {
    for (literal, ok) in [
        (i64::MAX.to_string(), true),
        (i64::MIN.to_string(), true),
        ("9223372036854775808".to_string(), false),
        ("-9223372036854775809".to_string(), false),
    ] {
        let source = format!(
            "workflow w {{\n  role r\n  input n: int = {literal}\n  if n < {literal} -> done\n  \
             step s {{ by r }}\n  end done success\n}}\n"
        );
        let (analysis, _) = timed("int literal", &source);
        if ok {
            assert!(
                analysis.workflow.is_some(),
                "{literal}: {:?}",
                analysis.diagnostics
            );
            emit_all(&analysis);
        } else {
            assert!(
                has(&analysis, Code::NumberOutOfRange),
                "{literal}: {:?}",
                codes(&analysis)
            );
        }
    }
}

#[test]
fn numbers_beyond_f64_give_b0005() {
    let huge = "9".repeat(400);
    for literal in [format!("{huge}.5"), format!("{huge}.5%")] {
        let ty = if literal.ends_with('%') {
            "percent"
        } else {
            "number"
        };
        let source = workflow(&format!(
            "  input x: {ty} = {literal}\n  if x < {literal} -> done\n  step s {{ by writer }}"
        ));
        let (analysis, _) = timed("number beyond f64", &source);
        assert!(
            has(&analysis, Code::NumberOutOfRange),
            "{ty}: {:?}",
            codes(&analysis)
        );
    }
}

#[test]
fn unicode_escapes_must_be_scalar_values() {
    for (escape, ok) in [
        ("\\u{10ffff}", true),
        ("\\u{0}", true),
        ("\\u{110000}", false),
        ("\\u{d800}", false),
        ("\\u{1234567}", false),
        ("\\u{}", false),
    ] {
        let source = workflow(&format!("  step s \"{escape}\" {{ by writer }}"));
        let (analysis, _) = timed("unicode escape", &source);
        if ok {
            assert!(
                analysis.workflow.is_some(),
                "{escape}: {:?}",
                analysis.diagnostics
            );
            emit_all(&analysis);
        } else {
            assert_eq!(codes(&analysis), vec![Code::InvalidEscape], "{escape}");
        }
    }
}
