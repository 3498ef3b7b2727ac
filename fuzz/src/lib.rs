//! The oracles behind Baton's fuzz targets, one function per target, so that a crash
//! found by libFuzzer can be replayed from an ordinary test or a debugger.
//!
//! Besides "does not panic, does not overflow the stack, does not hang", each target
//! checks invariants that a fuzzer can find broken:
//! - [`parse`]: every diagnostic points inside the file, on character boundaries; the
//!   tree and the diagnostics are those of the grammar alone (`parse_reference`), so the
//!   hand-written fast path never reads a text otherwise than pest;
//! - [`check`]: the same for every file of the analysis; an IR exists exactly when there
//!   is no error; every diagnostic renders through miette the way the CLI shows it;
//! - [`emit`]: for every IR, each backend's output is well-formed and contains exactly the
//!   IR's nodes and edges (see `wellformed`), and the outputs of the input and of its
//!   string-masked twin have the same skeletons: no user text can inject syntax;
//! - [`fmt_roundtrip`]: formatting is idempotent and keeps the meaning (the same
//!   diagnostics, the same graph).

use baton_check::{Analysis, NoFiles};
use baton_diagnostics::{Diagnostic, FileId, SourceMap, Span};

#[path = "../../crates/baton-check/tests/support/wellformed.rs"]
pub mod wellformed;

/// Fuzz input as text. Invalid UTF-8 is replaced (the CLI reports it as B0006 before
/// parsing, so the parser only ever sees text).
pub fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

fn assert_span_in(text: &str, span: Span, what: &str) {
    let (start, end) = (span.start as usize, span.end as usize);
    assert!(
        start <= end && end <= text.len(),
        "{what}: span {start}..{end} outside a file of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "{what}: span {start}..{end} splits a character"
    );
}

fn assert_diagnostic_spans(diagnostic: &Diagnostic, text_of: impl Fn(FileId) -> Option<String>) {
    let what = format!("{} {:?}", diagnostic.code, diagnostic.message);
    let labels = std::iter::once(&diagnostic.primary).chain(&diagnostic.related);
    for label in labels {
        let text = text_of(label.file).unwrap_or_else(|| panic!("{what}: unknown file"));
        assert_span_in(&text, label.span, &what);
    }
    for fix in &diagnostic.fixes {
        let text = text_of(fix.file).unwrap_or_else(|| panic!("{what}: fix in unknown file"));
        assert_span_in(&text, fix.span, &what);
    }
}

/// The `parse` target: `baton_syntax::parse` on any text.
pub fn parse(text: &str) {
    let parsed = baton_syntax::parse(text, FileId(0));
    for diagnostic in &parsed.diagnostics {
        assert_diagnostic_spans(diagnostic, |file| {
            (file == FileId(0)).then(|| text.to_string())
        });
    }
    let reference = baton_syntax::parse_reference(text, FileId(0));
    assert_eq!(parsed.file, reference.file, "the fast path builds another tree");
    assert_eq!(
        parsed.diagnostics, reference.diagnostics,
        "the fast path changes the diagnostics"
    );
}

fn file_text(sources: &SourceMap, file: FileId) -> Option<String> {
    sources.get(file).map(|_| sources.text(file).to_string())
}

/// The `check` target: the whole front end, without imports, and diagnostic rendering.
pub fn check(text: &str) -> Analysis {
    let analysis = baton_check::check("fuzz.baton", text, None, &NoFiles);
    for diagnostic in &analysis.diagnostics {
        assert_diagnostic_spans(diagnostic, |file| file_text(&analysis.sources, file));
        let shown = baton_cli::render(diagnostic, &analysis, false);
        assert!(
            shown.contains(diagnostic.code.as_str()),
            "rendering lost the code: {shown}"
        );
    }
    assert_eq!(
        analysis.workflow.is_some(),
        !analysis.has_errors(),
        "an IR must exist exactly when there is no error: {:?}",
        analysis.diagnostics
    );
    analysis
}

/// Every backend's outputs for one IR, with their names.
pub fn outputs(workflow: &baton_ir::Workflow) -> Vec<(&'static str, String)> {
    use baton_emit::{Direction, DotOptions, MarkdownOptions, MermaidOptions};
    let left_right = DotOptions {
        direction: Direction::LeftRight,
    };
    vec![
        ("json", baton_emit::json(workflow)),
        ("dot", baton_emit::dot(workflow, &DotOptions::default())),
        ("dot", baton_emit::dot(workflow, &left_right)),
        (
            "mermaid",
            baton_emit::mermaid(workflow, &MermaidOptions::default()),
        ),
        (
            "markdown",
            baton_emit::markdown(workflow, &MarkdownOptions::default()),
        ),
    ]
}

/// Checks each backend's output for one IR; returns their skeletons, concatenated.
pub fn check_outputs(workflow: &baton_ir::Workflow) -> String {
    let mut skeleton = String::new();
    for (backend, output) in outputs(workflow) {
        let checked = match backend {
            "json" => wellformed::json(workflow, &output).map(|_| String::new()),
            "dot" => wellformed::dot(workflow, &output),
            "mermaid" => wellformed::mermaid(&output),
            "markdown" => wellformed::markdown(&output),
            _ => Ok(output.clone()),
        };
        match checked {
            Ok(s) => {
                skeleton.push_str(backend);
                skeleton.push('\n');
                skeleton.push_str(&s);
            }
            Err(e) => panic!("{backend}: {e}\n{output}"),
        }
    }
    skeleton
}

/// The `emit` target: check, then every backend, then the masked twin.
pub fn emit(text: &str) {
    let analysis = check(text);
    let Some(workflow) = &analysis.workflow else {
        return;
    };
    let skeleton = check_outputs(workflow);
    let masked = wellformed::mask_strings(text);
    let twin = baton_check::check("fuzz.baton", masked.as_str(), None, &NoFiles);
    let Some(twin_workflow) = &twin.workflow else {
        panic!(
            "masking the strings broke the workflow:\n{masked}\n{:?}",
            twin.diagnostics
        );
    };
    let twin_skeleton = check_outputs(twin_workflow);
    assert_eq!(
        skeleton, twin_skeleton,
        "user text changed the structure of an output (its masked twin differs)"
    );
}

/// The `fmt_roundtrip` target: `baton_fmt::format` twice gives the same text, and the
/// formatted file checks exactly like the original.
pub fn fmt_roundtrip(text: &str) {
    let Ok(once) = baton_fmt::format(text) else {
        return;
    };
    let twice = match baton_fmt::format(&once) {
        Ok(twice) => twice,
        Err(diagnostics) => {
            panic!("the formatted text does not parse:\n{once}\n{diagnostics:?}")
        }
    };
    assert_eq!(once, twice, "formatting is not idempotent");
    let before = baton_check::check("fuzz.baton", text, None, &NoFiles);
    let after = baton_check::check("fuzz.baton", once.as_str(), None, &NoFiles);
    let codes = |a: &Analysis| {
        let mut codes: Vec<&str> = a.diagnostics.iter().map(|d| d.code.as_str()).collect();
        codes.sort_unstable();
        codes
    };
    assert_eq!(
        codes(&before),
        codes(&after),
        "formatting changed the diagnostics:\n{once}"
    );
    if let (Some(a), Some(b)) = (&before.workflow, &after.workflow) {
        let ids = |w: &baton_ir::Workflow| -> Vec<String> {
            w.nodes().map(|(_, n)| n.id.to_string()).collect()
        };
        assert_eq!(ids(a), ids(b), "formatting changed the nodes:\n{once}");
        assert_eq!(
            a.graph.edge_count(),
            b.graph.edge_count(),
            "formatting changed the edges:\n{once}"
        );
    }
}
