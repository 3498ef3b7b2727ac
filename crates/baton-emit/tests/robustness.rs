//! Hostile text through every backend, starting from source: each hostile string is put
//! in every place a workflow carries user text (workflow, role, system, step, decision,
//! outcome, parallel, branch, wait and end titles, descriptions, automation actions, a
//! text input's default and a text literal in a condition), the source goes through the
//! real checker (`baton_check::check`), and every backend's output is judged:
//!
//! - by the strict oracles of `baton-check/tests/support/wellformed.rs` (JSON parses and
//!   gives every title back; DOT, Mermaid and Markdown are well-formed and have exactly
//!   the structure of the same workflow with plain titles: no text adds a node, an edge,
//!   an attribute, a tag, a table cell or a block);
//! - by the real tools where they are installed: Graphviz `dot` (`-Tsvg` and `-Tjson0`,
//!   the parsed graph has exactly the IR's nodes and edges) and Mermaid's own parser
//!   (`scripts/mermaid/parse.mjs`, run once for all cases).
//!
//! Non-UTF-8 files never reach a backend: the CLI refuses them with B0006 (the case
//! `tests/cases/syntax/invalid_utf8.baton`).

#[path = "../../baton-check/tests/support/tools.rs"]
mod tools;
#[path = "../../baton-check/tests/support/wellformed.rs"]
mod wellformed;

use baton_check::{check, NoFiles};
use baton_emit::{DotOptions, MarkdownOptions, MermaidOptions};
use baton_ir::Workflow;
use std::path::Path;
use std::process::Command;

/// (what, how it is written in a Baton string, what it means).
const HOSTILE: &[(&str, &str, &str)] = &[
    ("quotes", r#"say \"hi\" \"\""#, r#"say "hi" """#),
    ("backslashes", r"C:\\new\\N\\G \\l \\", r"C:\new\N\G \l \"),
    (
        "markup",
        "<b>bold</b> <BR/> <FONT COLOR=\\\"red\\\">",
        "<b>bold</b> <BR/> <FONT COLOR=\"red\">",
    ),
    (
        "script",
        "<script>alert(1)</script> <img src=x onerror=alert(1)>",
        "<script>alert(1)</script> <img src=x onerror=alert(1)>",
    ),
    (
        "ampersands",
        "&amp; &lt; &#60; &#x3c; & ;",
        "&amp; &lt; &#60; &#x3c; & ;",
    ),
    ("angle brackets", "a < b > c <<>> <", "a < b > c <<>> <"),
    (
        "newlines",
        r"line one\nline two\n\nline four",
        "line one\nline two\n\nline four",
    ),
    ("crlf", r"one\u{d}\ntwo\u{d}three", "one\r\ntwo\rthree"),
    ("tabs", r"a\tb\t\tc", "a\tb\t\tc"),
    (
        "leading newline",
        r"\nafter a line break",
        "\nafter a line break",
    ),
    ("html comment", "<!-- --> -->", "<!-- --> -->"),
    (
        "mermaid comment",
        "%% comment %%{init: {\\\"theme\\\": \\\"dark\\\"}}%%",
        "%% comment %%{init: {\"theme\": \"dark\"}}%%",
    ),
    ("cdata", "]]> <![CDATA[ x ]]>", "]]> <![CDATA[ x ]]>"),
    (
        "control characters",
        r"nul \u{0} soh \u{1} bel \u{7} esc \u{1b}[31m del \u{7f} csi \u{9b}",
        "nul \u{0} soh \u{1} bel \u{7} esc \u{1b}[31m del \u{7f} csi \u{9b}",
    ),
    (
        "right-to-left",
        r"\u{202e}evil\u{202c} \u{200f}שלום\u{200e} \u{2066}x\u{2069}",
        "\u{202e}evil\u{202c} \u{200f}שלום\u{200e} \u{2066}x\u{2069}",
    ),
    (
        "invisible",
        r"zero\u{200b}width \u{feff}bom \u{2028}ls \u{2029}ps \u{a0}nbsp",
        "zero\u{200b}width \u{feff}bom \u{2028}ls \u{2029}ps \u{a0}nbsp",
    ),
    (
        "non-characters",
        r"\u{fffe}\u{ffff}\u{10ffff}",
        "\u{fffe}\u{ffff}\u{10ffff}",
    ),
    ("emoji", "🎉 👩‍💻 🏳️‍🌈 e\u{301} ⚙ ◷", "🎉 👩‍💻 🏳️‍🌈 e\u{301} ⚙ ◷"),
    (
        "dot injection",
        r#"\"]; evil -> x; [\" } subgraph cluster_x { y } {"#,
        r#""]; evil -> x; [" } subgraph cluster_x { y } {"#,
    ),
    (
        "dot escapes",
        r"\\N \\G \\E \\T \\H \\L \\l \\n \\r",
        r"\N \G \E \T \H \L \l \n \r",
    ),
    (
        "mermaid injection",
        r#"\"] --> evil[\"x\"] ;; click n0 call alert() ;; style n0 fill:red"#,
        r#""] --> evil["x"] ;; click n0 call alert() ;; style n0 fill:red"#,
    ),
    (
        "mermaid syntax",
        "A-->B ==> C -.-> D ~~~ E ((F)) {{G}} [/H/] :::cls `md` $$x^2$$ fa:fa-ban #quot;",
        "A-->B ==> C -.-> D ~~~ E ((F)) {{G}} [/H/] :::cls `md` $$x^2$$ fa:fa-ban #quot;",
    ),
    (
        "markdown table",
        "| a | b |\\n|---|---|",
        "| a | b |\n|---|---|",
    ),
    (
        "markdown blocks",
        r"# heading\n- item\n> quote\n```\ncode\n```\n1. one",
        "# heading\n- item\n> quote\n```\ncode\n```\n1. one",
    ),
    (
        "markdown inline",
        "*em* **strong** _u_ ~~s~~ [link](javascript:alert(1)) ![i](x) <http://x> \\\\*",
        "*em* **strong** _u_ ~~s~~ [link](javascript:alert(1)) ![i](x) <http://x> \\*",
    ),
    (
        "brackets",
        "{ } [ ] ( ) ; , = : | @ $ ` '",
        "{ } [ ] ( ) ; , = : | @ $ ` '",
    ),
    ("spaces only", "   ", "   "),
    ("long", "word ", "word "),
];

/// Repetitions of the "long" case: 1,000 characters on one line (the DOT backend breaks
/// such lines; see also `very_long_titles_are_accepted_by_graphviz`).
const LONG: usize = 200;

/// A title that is only a line break: once crashed Graphviz (see
/// `newline_only_titles_do_not_crash_graphviz`).
const NEWLINE_ONLY: (&str, &str, &str) = ("newline only", r"\n", "\n");

/// A workflow with `text` (as written in source) in every place that holds user text.
fn source(text: &str) -> String {
    let h = format!("\"{text}\"");
    format!(
        r#"workflow hostile {h} {{
  description {h}
  deadline 1w
  role writer {h}
  role editor {h}
  system esp {h}
  input who: text = {h}
  input tier: enum {{ gold, silver, bronze }}
  step draft {h} {{ by writer  takes 1d  description {h} }}
  parallel fan {h} {{
    branch left {h} {{ step send {h} {{ auto esp {h} }} }}
    branch right {h} {{ wait pause {h} for 1h }}
  }}
  decision review {h} {{
    by editor
    approved {h} -> route
    changes {h} -> draft  at most 2 times
    dropped {h} -> cancelled
  }}
  step route {h} {{ by writer }}
  if who == {h} -> done
  match tier {{
    gold -> done
    silver -> cancelled
    else -> done
  }}
  end done {h} success
  end cancelled {h} cancelled
}}
"#
    )
}

/// Every case, the long one made long.
fn cases() -> Vec<(String, String, String)> {
    HOSTILE
        .iter()
        .map(|(what, written, meant)| {
            if *what == "long" {
                (what.to_string(), written.repeat(LONG), meant.repeat(LONG))
            } else {
                (what.to_string(), written.to_string(), meant.to_string())
            }
        })
        .collect()
}

/// The checked workflow for one hostile text; panics with the errors if it has any.
fn checked(what: &str, written: &str) -> Workflow {
    let text = source(written);
    let analysis = check("hostile.baton", text.as_str(), None, &NoFiles);
    match analysis.workflow {
        Some(workflow) => workflow,
        None => panic!(
            "{what}: the hostile workflow does not check:\n{:#?}\n{text}",
            analysis.diagnostics
        ),
    }
}

/// The same workflow with every string masked (same lengths, spaces and line breaks).
fn masked_twin(written: &str) -> Workflow {
    let text = wellformed::mask_strings(&source(written));
    let analysis = check("masked.baton", text.as_str(), None, &NoFiles);
    analysis
        .workflow
        .unwrap_or_else(|| panic!("the masked twin does not check:\n{text}"))
}

#[test]
fn json_gives_back_every_text_exactly() {
    for (what, written, meant) in cases() {
        let workflow = checked(&what, &written);
        let json = baton_emit::json(&workflow);
        let value = wellformed::json(&workflow, &json).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(value["title"].as_str(), Some(meant.as_str()), "{what}");
        assert_eq!(
            value["description"].as_str(),
            Some(meant.as_str()),
            "{what}"
        );
        for role in value["roles"].as_array().expect("roles") {
            assert_eq!(role["title"].as_str(), Some(meant.as_str()), "{what}");
        }
        for node in value["nodes"].as_array().expect("nodes") {
            if let Some(title) = node.get("title") {
                assert_eq!(
                    title.as_str(),
                    Some(meant.as_str()),
                    "{what}: {}",
                    node["id"]
                );
            }
        }
        let send = value["nodes"]
            .as_array()
            .and_then(|nodes| nodes.iter().find(|n| n["id"] == "send"))
            .expect("the automated step");
        assert_eq!(send["performer"]["action"].as_str(), Some(meant.as_str()));
        assert_eq!(
            value["inputs"][0]["default"]["value"]["text"].as_str(),
            Some(meant.as_str()),
            "{what}: {}",
            value["inputs"][0]
        );
    }
}

/// One backend's output and skeleton for `workflow`, checked by its oracle.
fn skeleton(backend: &str, workflow: &Workflow) -> Result<String, String> {
    match backend {
        "dot" => wellformed::dot(workflow, &baton_emit::dot(workflow, &DotOptions::default())),
        "mermaid" => {
            wellformed::mermaid(&baton_emit::mermaid(workflow, &MermaidOptions::default()))
        }
        _ => wellformed::markdown(&baton_emit::markdown(workflow, &MarkdownOptions::default())),
    }
}

fn assert_structure_unchanged(backend: &str) {
    let mut all = cases();
    all.push(tuple(NEWLINE_ONLY));
    // Found by the `emit` fuzz target: a long text wraps at its spaces, and invisible
    // characters are shown as longer escapes, so the text and its mask wrap differently.
    // Line breaks are text, not structure (see `wellformed::html_skeleton`).
    let wrapped = "a \u{202E}\u{200B}b c ".repeat(40);
    all.push(("wrapped".to_string(), wrapped.clone(), wrapped));
    for (what, written, _) in all {
        let hostile = skeleton(backend, &checked(&what, &written))
            .unwrap_or_else(|e| panic!("{backend}, {what}: {e}"));
        let plain = skeleton(backend, &masked_twin(&written))
            .unwrap_or_else(|e| panic!("{backend}, {what} (masked): {e}"));
        assert_eq!(
            hostile, plain,
            "{backend}, {what}: user text changed the structure of the output"
        );
    }
}

fn tuple((a, b, c): (&str, &str, &str)) -> (String, String, String) {
    (a.to_string(), b.to_string(), c.to_string())
}

#[test]
fn dot_structure_does_not_depend_on_text() {
    assert_structure_unchanged("dot");
}

#[test]
fn mermaid_structure_does_not_depend_on_text() {
    assert_structure_unchanged("mermaid");
}

#[test]
fn markdown_structure_does_not_depend_on_text() {
    assert_structure_unchanged("markdown");
}

/// Graphviz renders the DOT, without control characters in the SVG, and parses exactly
/// the IR's nodes and edges.
fn assert_graphviz_accepts(what: &str, workflow: &Workflow) {
    let dot = baton_emit::dot(workflow, &DotOptions::default());
    let Some(svg) = tools::graphviz(&dot, "svg") else {
        return;
    };
    let svg = svg.unwrap_or_else(|e| panic!("{what}: {e}\n{dot}"));
    let bad = svg
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'));
    assert!(
        bad.is_none(),
        "{what}: control character {bad:?} in the SVG"
    );
    let Some(Ok(json)) = tools::graphviz(&dot, "json0") else {
        panic!("{what}: dot -Tjson0 failed");
    };
    let parsed: serde_json::Value = serde_json::from_str(&json).expect("dot -Tjson0 is JSON");
    let clusters = parsed["_subgraph_cnt"].as_u64().unwrap_or(0) as usize;
    let objects = parsed["objects"].as_array().map_or(0, Vec::len);
    let edges = parsed["edges"].as_array().map_or(0, Vec::len);
    assert_eq!(
        objects - clusters,
        workflow.graph.node_count(),
        "{what}: nodes"
    );
    assert_eq!(edges, workflow.graph.edge_count(), "{what}: edges");
}

#[test]
fn graphviz_accepts_every_hostile_text() {
    for (what, written, _) in cases() {
        assert_graphviz_accepts(&what, &checked(&what, &written));
    }
}

/// Regression: a `<BR/>`-only label has no width, and Graphviz 2.43 aborted
/// (`lblenclosing: Assertion ... failed`) when the graph also had an xlabel.
#[test]
fn newline_only_titles_do_not_crash_graphviz() {
    let (what, written, _) = NEWLINE_ONLY;
    assert_graphviz_accepts(what, &checked(what, written));
}

/// Regression: an empty title gave `label=<>`, which made Graphviz read the plain
/// `label=""` of other nodes as HTML too (`syntax error ... <HTML></HTML>`).
#[test]
fn empty_titles_are_accepted_by_graphviz() {
    assert_graphviz_accepts("empty", &checked("empty", ""));
}

/// Regression: lane titles were not wrapped, and Graphviz refuses a node or cluster
/// wider than 65,535 points (`Edge length ... larger than maximum 65535 allowed`).
#[test]
fn very_long_titles_are_accepted_by_graphviz() {
    let title = "word ".repeat(2_000);
    // One word with no space to break at.
    let word = "x".repeat(10_000);
    let text = format!(
        "workflow w {{\n  role r \"{title}\"\n  step s \"{word}\" {{ by r }}\n  end done success\n}}\n"
    );
    let analysis = check("long.baton", text.as_str(), None, &NoFiles);
    let workflow = analysis.workflow.expect("a long title checks");
    assert_graphviz_accepts("10,000-character title", &workflow);
}

/// Mermaid's own parser, once for every case (it takes seconds to start).
#[test]
fn mermaid_parser_accepts_every_hostile_text() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let script = root.join("scripts/mermaid/parse.mjs");
    if !root.join("scripts/mermaid/node_modules/mermaid").is_dir() {
        eprintln!("note: scripts/mermaid/node_modules missing (npm ci), skipping");
        return;
    }
    let dir = std::env::temp_dir().join(format!("baton-robustness-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let mut files = Vec::new();
    let mut workflows = Vec::new();
    let mut all = cases();
    all.push(tuple(NEWLINE_ONLY));
    // Found by the `emit` fuzz target: a long text wraps at its spaces, and invisible
    // characters are shown as longer escapes, so the text and its mask wrap differently.
    // Line breaks are text, not structure (see `wellformed::html_skeleton`).
    let wrapped = "a \u{202E}\u{200B}b c ".repeat(40);
    all.push(("wrapped".to_string(), wrapped.clone(), wrapped));
    all.push(("empty".to_string(), String::new(), String::new()));
    for (i, (what, written, _)) in all.iter().enumerate() {
        let workflow = checked(what, written);
        let path = dir.join(format!("{i}.mmd"));
        std::fs::write(
            &path,
            baton_emit::mermaid(&workflow, &MermaidOptions::default()),
        )
        .expect("writing a temporary file");
        files.push(path);
        workflows.push((what.clone(), workflow));
    }
    // The dump goes to a file: node cuts off what it writes to a pipe when it exits.
    let dump = dir.join("dump.jsonl");
    let output = Command::new("node")
        .arg(&script)
        .arg("--dump")
        .args(&files)
        .stdout(std::fs::File::create(&dump).expect("a temporary file"))
        .output();
    let stdout = std::fs::read_to_string(&dump).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    let output = match output {
        Ok(output) => output,
        Err(e) => {
            eprintln!("note: cannot run node ({e}), skipping");
            return;
        }
    };
    assert!(
        output.status.success(),
        "Mermaid rejected a diagram:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dumps: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("parse.mjs prints JSON lines"))
        .collect();
    assert_eq!(dumps.len(), workflows.len());
    for ((what, workflow), dump) in workflows.iter().zip(&dumps) {
        let vertices = dump["vertices"].as_array().map_or(0, Vec::len);
        let edges = dump["edges"].as_array().map_or(0, Vec::len);
        assert_eq!(
            vertices,
            workflow.graph.node_count(),
            "{what}: Mermaid vertices"
        );
        assert_eq!(edges, workflow.graph.edge_count(), "{what}: Mermaid edges");
    }
}
