//! Property tests over generated workflow sources (proptest).
//!
//! The generator (`support/generate.rs`) writes workflows that use every construct of
//! the language, with random names and hostile titles, descriptions, actions and text
//! literals. The properties:
//!
//! - parsing and checking never panic, on generated sources, on sources mangled by
//!   random edits, and on token soup; every diagnostic points inside the file;
//! - every generated workflow checks without errors, and its IR has the nodes the
//!   source describes;
//! - for every such workflow, every backend's output is well-formed
//!   (`support/wellformed.rs`): the JSON parses, lists the IR's nodes and edges and
//!   gives back every title exactly; the DOT is one `digraph` whose statements are
//!   exactly the IR's nodes and edges with balanced, escaped labels; the Mermaid and
//!   Markdown outputs have balanced quotes, fences and table rows;
//! - no user text changes the structure of any output: each output has the same
//!   skeleton as the output for the same source with every string literal masked;
//! - Graphviz accepts the DOT (`dot -Tcanon`), for a smaller number of cases, when it is
//!   installed;
//! - and, so that the above means something, the oracles reject real outputs broken on
//!   purpose (a new node, edge, attribute or subgraph, an unescaped `<` or `&`, an
//!   unbalanced quote, an extra table cell).
//!
//! Case counts keep the whole file to a few seconds.

#[path = "support/generate.rs"]
mod generate;
#[path = "support/tools.rs"]
mod tools;
#[path = "support/wellformed.rs"]
mod wellformed;

use baton_check::{check, Analysis, NoFiles};
use baton_diagnostics::Span;
use baton_emit::{Direction, DotOptions, MarkdownOptions, MermaidOptions};
use baton_ir::Workflow;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// Checks a source; asserts that every diagnostic points inside its file.
fn check_source(source: &str) -> Result<Analysis, TestCaseError> {
    let analysis = check("generated.baton", source, None, &NoFiles);
    for d in &analysis.diagnostics {
        let text = analysis.sources.text(d.primary.file);
        for span in std::iter::once(d.primary.span).chain(d.related.iter().map(|l| l.span)) {
            prop_assert!(span_fits(text, span), "{} points outside the file", d.code);
        }
    }
    Ok(analysis)
}

fn span_fits(text: &str, span: Span) -> bool {
    let (start, end) = (span.start as usize, span.end as usize);
    start <= end && end <= text.len() && text.is_char_boundary(start) && text.is_char_boundary(end)
}

fn errors(analysis: &Analysis) -> String {
    analysis
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{} {} at {}\n", d.code, d.message, d.primary.span))
        .collect()
}

/// Every backend's output, named.
fn outputs(workflow: &Workflow) -> Vec<(&'static str, String)> {
    let lr = DotOptions {
        direction: Direction::LeftRight,
    };
    vec![
        ("json", baton_emit::json(workflow)),
        ("dot", baton_emit::dot(workflow, &DotOptions::default())),
        ("dot", baton_emit::dot(workflow, &lr)),
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

/// Checks every output of one IR; returns their skeletons.
fn well_formed(workflow: &Workflow) -> Result<Vec<String>, TestCaseError> {
    let mut skeletons = Vec::new();
    for (backend, output) in outputs(workflow) {
        let skeleton = match backend {
            "json" => wellformed::json(workflow, &output).map(|_| String::new()),
            "dot" => wellformed::dot(workflow, &output),
            "mermaid" => wellformed::mermaid(&output),
            _ => wellformed::markdown(&output),
        };
        match skeleton {
            Ok(s) => skeletons.push(s),
            Err(e) => return Err(TestCaseError::fail(format!("{backend}: {e}\n{output}"))),
        }
    }
    Ok(skeletons)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn generated_workflows_check_clean_and_every_output_is_well_formed(
        model in generate::model()
    ) {
        let (source, expected) = model.render();
        let analysis = check_source(&source)?;
        let Some(workflow) = &analysis.workflow else {
            return Err(TestCaseError::fail(format!(
                "a generated workflow has errors:\n{}\n{source}",
                errors(&analysis)
            )));
        };
        prop_assert_eq!(workflow.graph.node_count(), expected.nodes, "{}", source);

        // JSON: well-formed, and every title comes back exactly.
        let json = wellformed::json(workflow, &baton_emit::json(workflow))
            .map_err(TestCaseError::fail)?;
        let nodes = json["nodes"].as_array().cloned().unwrap_or_default();
        for (id, title) in &expected.titles {
            let node = nodes.iter().find(|n| n["id"] == id.as_str());
            let node = node.ok_or_else(|| TestCaseError::fail(format!("no node {id}")))?;
            prop_assert_eq!(node["title"].as_str(), Some(title.as_str()), "node {}", id);
        }

        // Every output, and its masked twin: the same structure.
        let skeletons = well_formed(workflow)?;
        let masked = wellformed::mask_strings(&source);
        let twin = check_source(&masked)?;
        let Some(twin) = &twin.workflow else {
            return Err(TestCaseError::fail(format!("the masked twin has errors:\n{masked}")));
        };
        let twin_skeletons = well_formed(twin)?;
        for ((backend, _), (a, b)) in outputs(workflow).iter().zip(skeletons.iter().zip(&twin_skeletons)) {
            prop_assert_eq!(a, b, "user text changed the structure of the {} output", backend);
        }
    }

    #[test]
    fn mangled_sources_never_panic(
        model in generate::model(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0usize..40, edit()), 1..6),
    ) {
        let (mut source, _) = model.render();
        for (at, len, insert) in edits {
            let mut start = at.index(source.len() + 1);
            while !source.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (start + len).min(source.len());
            while !source.is_char_boundary(end) {
                end -= 1;
            }
            source.replace_range(start..end, &insert);
        }
        let analysis = check_source(&source)?;
        prop_assert_eq!(analysis.workflow.is_some(), !analysis.has_errors());
        if let Some(workflow) = &analysis.workflow {
            well_formed(workflow)?;
        }
    }

    #[test]
    fn token_soup_never_panics(tokens in prop::collection::vec(token(), 0..80)) {
        let source = tokens.concat();
        let analysis = check_source(&source)?;
        prop_assert_eq!(analysis.workflow.is_some(), !analysis.has_errors());
        if let Some(workflow) = &analysis.workflow {
            well_formed(workflow)?;
        }
    }
}

proptest! {
    // Each case starts Graphviz twice: keep the count small.
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn graphviz_accepts_every_generated_workflow(model in generate::model()) {
        let (source, _) = model.render();
        let analysis = check_source(&source)?;
        let Some(workflow) = &analysis.workflow else {
            return Err(TestCaseError::fail(format!("errors:\n{}", errors(&analysis))));
        };
        let dot = baton_emit::dot(workflow, &DotOptions::default());
        let Some(canon) = tools::graphviz(&dot, "canon") else {
            return Ok(());
        };
        canon.map_err(|e| TestCaseError::fail(format!("{e}\n{dot}")))?;
        // Graphviz's own parse has exactly the IR's nodes and edges.
        if let Some(json) = tools::graphviz(&dot, "json0") {
            let json = json.map_err(TestCaseError::fail)?;
            let parsed: serde_json::Value = serde_json::from_str(&json)
                .map_err(|e| TestCaseError::fail(format!("dot -Tjson0: {e}")))?;
            let clusters = parsed["_subgraph_cnt"].as_u64().unwrap_or(0) as usize;
            let objects = parsed["objects"].as_array().map_or(0, Vec::len);
            let edges = parsed["edges"].as_array().map_or(0, Vec::len);
            prop_assert_eq!(objects - clusters, workflow.graph.node_count());
            prop_assert_eq!(edges, workflow.graph.edge_count());
        }
    }
}

/// A random edit: text to put in place of a deleted range.
fn edit() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), token(), "[ -~]{0,6}", "\\PC{0,3}",]
}

/// Pieces of Baton, and pieces that are not.
fn token() -> impl Strategy<Value = String> {
    const TOKENS: &[&str] = &[
        "workflow w ",
        "{",
        "}",
        "(",
        ")",
        "\"",
        "\"t\" ",
        "->",
        " at most 2 times",
        "step ",
        "decision ",
        "parallel ",
        "branch ",
        "if ",
        "else ",
        "match ",
        "wait ",
        "until ",
        "for ",
        "end ",
        "by ",
        "auto ",
        "run ",
        "with ",
        "takes ",
        "needs ",
        "retry ",
        "timeout ",
        "notify ",
        "consult ",
        "role ",
        "system ",
        "input ",
        "output ",
        "use ",
        "deadline ",
        "description ",
        "enum ",
        "@allow(",
        "self_review",
        "and ",
        "or ",
        "not ",
        "== ",
        "< ",
        ">= ",
        "!= ",
        ": ",
        ", ",
        "= ",
        "x ",
        "y ",
        "r ",
        "done ",
        "success",
        "failure",
        "cancelled",
        "1d ",
        "1h30m ",
        "15% ",
        "2.5 ",
        "-3 ",
        "99999999999999999999 ",
        "18446744073709551615s ",
        "4294967296 ",
        "2026-02-30 ",
        "2026-12-01T09:00Z ",
        "true ",
        "false ",
        "int",
        "text",
        "bool",
        "date",
        "\n",
        "#c\n",
        "\\",
        "\\u{202e}",
        "\\u{110000}",
        "\\q",
        "\u{feff}",
        "é",
        "🎉",
        "\r\n",
        "\t",
    ];
    prop::sample::select(TOKENS).prop_map(str::to_string)
}

/// The oracles are only as good as what they reject: break real outputs on purpose.
#[test]
fn the_oracles_reject_injected_text() {
    let source = "workflow w \"T\" {\n  role r \"R\"\n  step s \"a<b|c\" { by r }\n  \
                  end done \"x\" success\n}\n";
    let analysis = check("oracle.baton", source, None, &NoFiles);
    let workflow = analysis.workflow.expect("a clean workflow");

    let dot = baton_emit::dot(&workflow, &DotOptions::default());
    assert!(wellformed::dot(&workflow, &dot).is_ok(), "{dot}");
    assert!(dot.contains("a&lt;b|c"), "{dot}");
    for (what, from, to) in [
        ("an unescaped <", "a&lt;b", "a<b"),
        ("a raw &", "a&lt;b", "a&b"),
        (
            "a new node",
            "label=<a&lt;b",
            "label=\"\"]; \"evil\" [label=<a",
        ),
        (
            "a new edge",
            "label=<a&lt;b",
            "label=\"\"]; \"s\" -> \"done\"; \"s\" [label=<a",
        ),
        (
            "a new attribute",
            "label=<a&lt;b",
            "URL=\"javascript:x\", label=<a",
        ),
        (
            "a repeated attribute",
            "label=<a&lt;b",
            "shape=\"box\", label=<a",
        ),
        (
            "a new subgraph",
            "label=<a&lt;b",
            "label=\"\"]; subgraph cluster_x { \"s\" }; \"s\" [label=<a",
        ),
    ] {
        let broken = dot.replacen(from, to, 1);
        assert_ne!(broken, dot, "{what}: nothing replaced");
        assert!(
            wellformed::dot(&workflow, &broken).is_err(),
            "{what} was accepted"
        );
    }
    // Markup that happens to stay well-formed is caught by the skeleton.
    let tagged = dot.replacen("a&lt;b|c", "a<B>b</B>c", 1);
    assert_ne!(
        wellformed::dot(&workflow, &tagged).ok(),
        wellformed::dot(&workflow, &dot).ok()
    );

    let mermaid = baton_emit::mermaid(&workflow, &MermaidOptions::default());
    let skeleton = wellformed::mermaid(&mermaid).expect("well-formed Mermaid");
    let line = mermaid
        .lines()
        .find(|l| l.contains("a#lt;b"))
        .expect("the step's line");
    let quoted = mermaid.replacen(line, &line.replacen("a#lt;b", "a\"b", 1), 1);
    assert!(wellformed::mermaid(&quoted).is_err(), "an unbalanced quote");
    let edge = mermaid.replacen(line, &format!("{line}\n  n0 --> n1"), 1);
    assert_ne!(
        wellformed::mermaid(&edge).ok(),
        Some(skeleton),
        "a new edge"
    );

    let markdown = baton_emit::markdown(&workflow, &MarkdownOptions::default());
    let skeleton = wellformed::markdown(&markdown).expect("well-formed Markdown");
    let row = markdown
        .lines()
        .find(|l| l.starts_with('|') && l.contains("a&lt;b"))
        .expect("the step's table row");
    let split = markdown.replacen(row, &row.replacen("a&lt;b", "a | b", 1), 1);
    assert!(wellformed::markdown(&split).is_err(), "an extra table cell");
    let heading = markdown.replacen(row, &format!("{row}\n\n# injected"), 1);
    assert_ne!(
        wellformed::markdown(&heading).ok(),
        Some(skeleton),
        "a new heading"
    );
}
