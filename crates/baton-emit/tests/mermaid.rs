//! Mermaid backend: structure of the output for hand-built workflows, hostile text
//! that must stay inside its quoted labels, and acceptance by Mermaid's own parser.
//!
//! The parser check runs `node scripts/mermaid/parse.mjs --dump` when Node and the
//! npm packages are installed (`scripts/check-diagrams.sh` installs them) and is
//! skipped otherwise, unless `BATON_REQUIRE_MERMAID=1`, which that script sets, makes a
//! missing parser a failure.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use baton_emit::{mermaid, Direction, MermaidOptions};
use baton_ir::Workflow;
use serde_json::Value;
use support::{email_campaign, every_kind, hostile, Builder, HOSTILE};

/// Text aimed at Mermaid in particular, on top of the shared [`HOSTILE`] list.
const MERMAID_HOSTILE: &[&str] = &[
    "%%{init: {\"theme\": \"forest\", \"securityLevel\": \"loose\"}}%%",
    "x\"]\n%% comment\nclick n0 call alert(1)\nn0 --> n1",
    "a --> b -.-> c ==> d --- e ~~~ f",
    "#quot; #35; #lt;b#gt; &amp; &#60;",
    "`**markdown**` $$\\frac{1}{2}$$ fa:fa-car :::cls",
    "ﬂ°lt¶ß ﬂ°°60¶ß",
    "style n0 fill:#f00; classDef x color:red;",
    "end subgraph direction LR direction TB",
    "user@example.com e1@--> n0@{ shape: fork } @{",
    "]] )) }} |> <| /] \\]",
];

/// Every hostile text: the shared list and the Mermaid one.
fn hostile_texts() -> impl Iterator<Item = &'static str> {
    HOSTILE.iter().chain(MERMAID_HOSTILE).copied()
}

fn top_bottom(workflow: &Workflow) -> String {
    mermaid(workflow, &MermaidOptions::default())
}

/// The line declaring node `id` (with its shape), trimmed.
fn node_line<'a>(out: &'a str, id: &str) -> &'a str {
    out.lines()
        .map(str::trim_start)
        .find(|line| {
            line.strip_prefix(id)
                .is_some_and(|rest| rest.starts_with(['(', '[', '{', '@']))
        })
        .unwrap_or_else(|| panic!("no node {id} in:\n{out}"))
}

/// The subgraph a node is declared in, if any.
fn lane_of(out: &str, id: &str) -> Option<String> {
    let mut lane = None;
    for line in out.lines() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("subgraph ") {
            lane = rest.split('[').next().map(str::to_string);
        } else if trimmed == "end" {
            lane = None;
        } else if trimmed
            .strip_prefix(id)
            .is_some_and(|rest| rest.starts_with(['(', '[', '{', '@']))
        {
            return lane;
        }
    }
    panic!("no node {id} in:\n{out}");
}

/// The output with the contents of every quoted string removed: what user text must
/// never change. Labels contain no `"`, so splitting on it finds every string.
fn skeleton(out: &str) -> String {
    out.split('"')
        .enumerate()
        .map(|(i, part)| if i % 2 == 0 { part } else { "…" })
        .collect::<Vec<_>>()
        .join("\"")
}

/// The contents of every quoted string.
fn labels(out: &str) -> Vec<&str> {
    out.split('"').skip(1).step_by(2).collect()
}

/// Asserts that a label holds only what [`baton_emit`]'s escaper writes: plain
/// characters, `<br>` and entity codes.
fn assert_safe_label(label: &str) {
    let plain = |c: char| {
        c.is_ascii_alphanumeric()
            || " .,?!-_'()/+*=@".contains(c)
            || (!c.is_ascii() && !c.is_control())
    };
    let mut rest = label;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("<br>") {
            rest = after;
        } else if c == '#' {
            let end = rest
                .find(';')
                .unwrap_or_else(|| panic!("open code in {label:?}"));
            let code = &rest[1..end];
            assert!(
                ["quot", "lt", "gt", "amp"].contains(&code)
                    || (!code.is_empty() && code.chars().all(|c| c.is_ascii_digit())),
                "entity code #{code}; in {label:?}"
            );
            rest = &rest[end + 1..];
        } else {
            assert!(plain(c), "{c:?} written as is in {label:?}");
            rest = &rest[c.len_utf8()..];
        }
    }
}

#[test]
fn email_campaign_has_one_lane_per_actor() {
    let out = top_bottom(&email_campaign());
    assert!(out.starts_with("flowchart TB\n"), "{out}");
    assert!(out.ends_with('\n'));
    assert_eq!(
        out.matches("\n  subgraph ").count(),
        5,
        "4 roles + 1 system"
    );
    assert!(out.contains("  subgraph lane_r0[\"Copywriter\"]\n"));
    assert!(out.contains("  subgraph lane_s0[\"⚙ Email service provider\"]\n"));
    // Node ids are node indices: draft is node 1, proof node 4, and so on.
    assert_eq!(lane_of(&out, "n1").as_deref(), Some("lane_r0"));
    assert_eq!(lane_of(&out, "n4").as_deref(), Some("lane_r0"));
    assert_eq!(lane_of(&out, "n3").as_deref(), Some("lane_r1"));
    assert_eq!(lane_of(&out, "n7").as_deref(), Some("lane_r2"));
    assert_eq!(lane_of(&out, "n8").as_deref(), Some("lane_s0"));
    for free in ["n0", "n2", "n6", "n9", "n11", "n13", "n14"] {
        assert_eq!(lane_of(&out, free), None, "{free} belongs to no lane");
    }
    assert!(out.contains("  class lane_r0,lane_r1,lane_r2,lane_r3 roleLane\n"));
    assert!(out.contains("  class lane_s0 systemLane\n"));
}

#[test]
fn email_campaign_nodes_have_their_shapes() {
    let out = top_bottom(&email_campaign());
    assert_eq!(node_line(&out, "n0"), "n0((\" \"))");
    assert_eq!(
        node_line(&out, "n1"),
        "n1(\"Draft the email content<br>Copywriter · 1d\")"
    );
    assert_eq!(node_line(&out, "n2"), "n2@{ shape: fork }");
    assert_eq!(node_line(&out, "n6"), "n6@{ shape: fork }");
    assert_eq!(
        node_line(&out, "n7"),
        "n7{\"Approve the campaign?<br>Marketing lead\"}"
    );
    // A no-break space (#160;) keeps the gear with the action.
    assert_eq!(
        node_line(&out, "n8"),
        "n8[\"Schedule delivery<br>⚙#160;schedule_send\"]"
    );
    assert_eq!(node_line(&out, "n9"), "n9([\"◷ until send_at\"])");
    assert_eq!(node_line(&out, "n11"), "n11{\" \"}");
    assert_eq!(node_line(&out, "n13"), "n13(((\"done\")))");
    assert_eq!(node_line(&out, "n14"), "n14(((\"cancelled\")))");
    assert!(out.contains("  class n0 start\n"));
    assert!(out.contains("  class n1,n4,n3,n5,n10 human\n"));
    assert!(out.contains("  class n8,n12 automation\n"));
    assert!(out.contains("  class n2,n6 bar\n"));
    assert!(out.contains("  class n13 success\n"));
    assert!(out.contains("  class n14 cancelled\n"));
    assert!(out.contains("  classDef success fill:#d1fadf,stroke:#15803d,color:#15803d\n"));
    assert!(
        !out.contains("classDef failure"),
        "unused classes are left out"
    );
}

#[test]
fn email_campaign_edges_are_labelled() {
    let out = top_bottom(&email_campaign());
    assert!(out.contains("\n  n0 --> n1\n"));
    assert!(out.contains("\n  n7 -->|\"approved\"| n8\n"));
    assert!(out.contains("\n  n7 -->|\"rejected\"| n14\n"));
    assert!(out.contains("\n  n11 -->|\"open_rate #lt; 15#37;\"| n12\n"));
    assert!(out.contains("\n  n11 -->|\"else\"| n13\n"));
    // The loop is dotted, carries its bound, and is coloured by its index (the 10th
    // edge written).
    assert!(out.contains("\n  n7 -.->|\"changes_requested (≤#160;3×)\"| n1\n"));
    assert_eq!(out.matches("-.->").count(), 1);
    assert!(
        out.ends_with("  linkStyle 9 stroke:#6d4fa3,color:#6d4fa3\n"),
        "{out}"
    );
}

#[test]
fn every_node_kind_is_drawn() {
    let workflow = every_kind();
    let out = top_bottom(&workflow);
    assert_eq!(out.matches("\n  subgraph ").count(), 3, "{out}");
    // The sub-workflow run is a subroutine box; without an action, automation names
    // its system.
    let contract = node_line(&out, "n3");
    assert_eq!(contract, "n3[[\"Sign the contract<br>run signing\"]]");
    let account = node_line(&out, "n5");
    assert_eq!(account, "n5[\"Create account<br>⚙#160;Identity provider\"]");
    assert_eq!(node_line(&out, "n2"), "n2{\"contract\"}");
    assert_eq!(
        node_line(&out, "n8"),
        "n8([\"Cooling-off period<br>◷ for 2d\"])"
    );
    assert_eq!(node_line(&out, "n9"), "n9{\"Everything ready?\"}");
    assert_eq!(node_line(&out, "n11"), "n11(((\"Onboarded\")))");
    assert!(out.contains("  class n12 failure\n"));
    assert!(out.contains("  class n3 subflow\n"));
    assert!(out.contains("\n  n2 -->|\"employee, intern\"| n3\n"));
    assert!(out.contains("\n  n4 -->|\"accounts\"| n5\n"));
    assert!(out.contains("\n  n4 --> n6\n"));
    // The unbounded loop is red.
    assert!(
        out.contains("\n  n9 -.->|\"no (unbounded)\"| n1\n"),
        "{out}"
    );
    assert!(out.contains("stroke:#c62828,color:#c62828"));
}

#[test]
fn left_right_sets_the_direction() {
    let out = mermaid(
        &email_campaign(),
        &MermaidOptions {
            direction: Direction::LeftRight,
            ..MermaidOptions::default()
        },
    );
    assert!(out.starts_with("flowchart LR\n"));
}

#[test]
fn unused_actors_get_no_lane() {
    let mut b = Builder::new("tiny", None)
        .role("idle", "Never busy")
        .role("busy", "Busy")
        .system("unused", "Unused system");
    let start = b.start();
    let work = b.node("work", support::human("Work", "busy", None));
    let done = b.node("done", support::end(None, baton_ir::EndOutcome::Success));
    b.next(start, work);
    b.next(work, done);
    let out = top_bottom(&b.build());
    assert_eq!(out.matches("subgraph").count(), 1);
    // Subgraph ids come from the actor's index, not its position among used lanes.
    assert_eq!(lane_of(&out, "n1").as_deref(), Some("lane_r1"));
    assert!(!out.contains("Never busy") && !out.contains("Unused system"));
}

#[test]
fn output_is_deterministic() {
    let workflow = every_kind();
    assert_eq!(top_bottom(&workflow), top_bottom(&workflow.clone()));
}

#[test]
fn hostile_text_stays_inside_labels() {
    let benign = skeleton(&top_bottom(&hostile("x")));
    for text in hostile_texts() {
        let out = top_bottom(&hostile(text));
        // Everything outside the quotes is what a harmless title produces: user text
        // added no line, node, edge, subgraph, class, comment or directive.
        if !text.is_empty() {
            assert_eq!(skeleton(&out), benign, "{text:?}:\n{out}");
        }
        for label in labels(&out) {
            assert_safe_label(label);
        }
        assert!(!out.contains("%%"), "{text:?}");
        assert!(!out.contains('\r'), "{text:?}");
        assert!(
            !out.chars().any(|c| c.is_control() && c != '\n'),
            "{text:?}"
        );
    }
}

// ---------------------------------------------------------------------------------
// Mermaid's own parser

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// What Mermaid's parser makes of each source (see `parse.mjs --dump`), in one run of
/// Node (it takes a second to start), or `None` when Node or the npm packages are not
/// installed.
fn mermaid_dump(sources: &[String]) -> Option<Vec<Value>> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let script = workspace_root().join("scripts/mermaid/parse.mjs");
    let installed = workspace_root().join("scripts/mermaid/node_modules/mermaid");
    let required = std::env::var_os("BATON_REQUIRE_MERMAID").is_some_and(|v| v == "1");
    if !installed.is_dir() {
        assert!(
            !required,
            "the Mermaid parser is not installed: run scripts/check-diagrams.sh"
        );
        eprintln!("note: scripts/mermaid/node_modules missing, skipping Mermaid's parser");
        return None;
    }
    let files: Vec<PathBuf> = sources
        .iter()
        .map(|source| {
            let file = std::env::temp_dir().join(format!(
                "baton-mermaid-{}-{}.mmd",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::write(&file, source).expect("the temporary directory is writable");
            file
        })
        .collect();
    let output = Command::new("node")
        .arg(&script)
        .arg("--dump")
        .args(&files)
        .output();
    for file in &files {
        let _ = std::fs::remove_file(file);
    }
    let output = match output {
        Ok(output) => output,
        Err(error) => {
            assert!(!required, "cannot run node: {error}");
            eprintln!("note: cannot run node ({error}), skipping Mermaid's parser");
            return None;
        }
    };
    assert!(
        output.status.success(),
        "Mermaid rejected a diagram:\n{}\n--- inputs ---\n{}",
        String::from_utf8_lossy(&output.stderr),
        sources.join("\n---\n")
    );
    let stdout = String::from_utf8(output.stdout).expect("parse.mjs writes UTF-8");
    let parsed: Vec<Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("parse.mjs --dump writes JSON lines"))
        .collect();
    assert_eq!(parsed.len(), sources.len(), "one result per diagram");
    Some(parsed)
}

/// Mermaid keeps entity codes as placeholders until it renders (`ﬂ°°35¶ß` for `#35;`,
/// `ﬂ°quot¶ß` for `#quot;`); this decodes them the way the rendered page shows them.
fn shown(parsed: &str) -> String {
    let mut out = String::new();
    let mut rest = parsed;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("ﬂ°") {
            let end = after.find("¶ß").expect("a closed placeholder");
            let code = &after[..end];
            let decoded = match code.strip_prefix('°') {
                Some(number) => number.parse().ok().and_then(char::from_u32),
                None => match code {
                    "quot" => Some('"'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "amp" => Some('&'),
                    _ => None,
                },
            };
            out.push(decoded.unwrap_or_else(|| panic!("unknown code {code:?}")));
            rest = &after[end + "¶ß".len()..];
        } else if let Some(after) = rest.strip_prefix("<br>") {
            out.push('\n');
            rest = after;
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    // The zero-width spaces that split `$$`, `fa:` and the like are invisible.
    out.replace('\u{200B}', "")
}

/// Text as the escaper sees it: line ends normalised, tabs as spaces, control
/// characters as U+FFFD; line breaks and spaces counted alike (titles are wrapped).
fn normalised(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| match c {
            '\r' | '\n' | '\t' => ' ',
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn assert_parsed_like_the_ir(workflow: &Workflow, parsed: &Value, lanes: usize) {
    let vertices = parsed["vertices"].as_array().expect("vertices");
    let edges = parsed["edges"].as_array().expect("edges");
    let subgraphs = parsed["subgraphs"].as_array().expect("subgraphs");
    assert_eq!(vertices.len(), workflow.graph.node_count(), "{parsed}");
    assert_eq!(edges.len(), workflow.graph.edge_count(), "{parsed}");
    assert_eq!(subgraphs.len(), lanes, "{parsed}");
    for (i, vertex) in vertices.iter().enumerate() {
        let id = vertex["id"].as_str().expect("vertex id");
        assert!(
            id.strip_prefix('n')
                .is_some_and(|n| n.parse::<usize>().is_ok_and(|n| n < vertices.len())),
            "vertex {i} has id {id:?}"
        );
    }
    for (edge, (_, from, to, ir)) in edges.iter().zip(workflow.edges()) {
        assert_eq!(edge["start"], format!("n{}", from.index()));
        assert_eq!(edge["end"], format!("n{}", to.index()));
        let stroke = if ir.back { "dotted" } else { "normal" };
        assert_eq!(edge["stroke"], stroke);
    }
}

#[test]
fn mermaid_parses_the_examples() {
    let mut cases = Vec::new();
    for (workflow, lanes) in [(email_campaign(), 5), (every_kind(), 3)] {
        for direction in [Direction::TopBottom, Direction::LeftRight] {
            let out = mermaid(
                &workflow,
                &MermaidOptions {
                    direction,
                    ..MermaidOptions::default()
                },
            );
            cases.push((workflow.clone(), lanes, direction, out));
        }
    }
    let sources: Vec<String> = cases.iter().map(|case| case.3.clone()).collect();
    let Some(parsed) = mermaid_dump(&sources) else {
        return;
    };
    for ((workflow, lanes, direction, _), parsed) in cases.iter().zip(&parsed) {
        assert_parsed_like_the_ir(workflow, parsed, *lanes);
        let expected = match direction {
            Direction::TopBottom => "TB",
            Direction::LeftRight => "LR",
        };
        assert_eq!(parsed["direction"], expected);
    }
}

#[test]
fn mermaid_parses_hostile_text_and_shows_it_as_written() {
    let texts: Vec<&str> = hostile_texts().collect();
    let workflows: Vec<Workflow> = texts.iter().map(|text| hostile(text)).collect();
    let sources: Vec<String> = workflows.iter().map(top_bottom).collect();
    let Some(parsed) = mermaid_dump(&sources) else {
        return;
    };
    for ((text, workflow), parsed) in texts.iter().zip(&workflows).zip(&parsed) {
        assert_parsed_like_the_ir(workflow, parsed, 2);
        let expected = normalised(text);
        let find = |list: &str, id: &str| {
            parsed[list]
                .as_array()
                .and_then(|items| items.iter().find(|v| v["id"] == id).cloned())
                .unwrap_or_else(|| panic!("no {id} in {parsed}"))
        };
        // The role's lane, the human step's title and role, and the decision's outcome.
        let lane = find("subgraphs", "lane_r0");
        let lane = normalised(&shown(lane["title"].as_str().unwrap_or_default()));
        assert_eq!(lane, expected, "{text:?}");
        let work = find("vertices", "n1");
        let work = normalised(&shown(work["text"].as_str().unwrap_or_default()));
        let both = normalised(&format!("{expected} {expected} · 1h"));
        assert_eq!(work, both, "{text:?}");
        let outcome = parsed["edges"]
            .as_array()
            .and_then(|edges| {
                edges
                    .iter()
                    .find(|e| e["start"] == "n7" && e["end"] == "n8")
            })
            .and_then(|e| e["text"].as_str())
            .unwrap_or_default();
        assert_eq!(normalised(&shown(outcome)), expected, "{text:?}");
    }
}

/// Pieces of Mermaid syntax and other troublemakers, for [`random_hostile_texts`].
const PIECES: &[&str] = &[
    "end",
    "subgraph",
    "direction",
    "TB",
    "LR",
    "RL",
    "BT",
    "TD",
    "click",
    "call",
    "href",
    "style",
    "classDef",
    "class",
    "linkStyle",
    "default",
    "graph",
    "flowchart",
    "accTitle:",
    "accDescr {",
    "_blank",
    "n0",
    "n1",
    "lane_r0",
    "o",
    "x",
    "v",
    "-->",
    "-.->",
    "==>",
    "---",
    "~~~",
    "--",
    "-",
    ".",
    "=",
    "|",
    "\"",
    "'",
    "`",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    "[[",
    "]]",
    "((",
    "))",
    "{{",
    "}}",
    "[/",
    "/]",
    "[\\",
    "\\]",
    ">",
    "<",
    "<br>",
    "<b>",
    "&",
    "&amp;",
    "#",
    "#quot;",
    "#35;",
    ";",
    ":",
    ":::",
    "%%",
    "%%{",
    "}%%",
    "@",
    "@{",
    "$$",
    "$",
    "^",
    "fa:fa-car",
    "ﬂ°",
    "¶ß",
    "\\",
    "\n",
    "\r\n",
    "\t",
    " ",
    "  ",
    "é",
    "漢",
    "🎉",
    "\u{202E}",
    "\u{200B}",
    "\u{a0}",
    "\u{1}",
    "\u{7f}",
    "\u{FFFE}",
];

/// Deterministic random texts built from [`PIECES`] (xorshift, fixed seed), so every
/// run checks the same combinations.
fn random_hostile_texts(count: usize, seed: u64) -> Vec<String> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15 ^ seed;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|_| {
            let pieces = 1 + next() % 8;
            (0..pieces)
                .map(|_| {
                    let index = usize::try_from(next() % PIECES.len() as u64).unwrap_or(0);
                    let separator = if next() % 3 == 0 { " " } else { "" };
                    format!("{}{separator}", PIECES[index])
                })
                .collect()
        })
        .collect()
}

#[test]
fn random_hostile_text_keeps_the_structure() {
    // Mermaid takes tens of milliseconds per diagram: about a hundred keep the test
    // quick. `BATON_MERMAID_SEED=N` checks another hundred, to search further.
    let seed = std::env::var("BATON_MERMAID_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let texts = random_hostile_texts(120, seed);
    let benign = skeleton(&top_bottom(&hostile("x")));
    let workflows: Vec<Workflow> = texts.iter().map(|text| hostile(text)).collect();
    let sources: Vec<String> = workflows.iter().map(top_bottom).collect();
    for (text, out) in texts.iter().zip(&sources) {
        assert_eq!(skeleton(out), benign, "{text:?}:\n{out}");
        for label in labels(out) {
            assert_safe_label(label);
        }
    }
    let Some(parsed) = mermaid_dump(&sources) else {
        return;
    };
    for ((text, workflow), parsed) in texts.iter().zip(&workflows).zip(&parsed) {
        assert_parsed_like_the_ir(workflow, parsed, 2);
        let lane = parsed["subgraphs"][0]["title"].as_str().unwrap_or_default();
        // `shown` drops the zero-width spaces the escaper adds: drop the user's too.
        let expected = normalised(&text.replace('\u{200B}', ""));
        assert_eq!(normalised(&shown(lane)), expected, "{text:?}");
    }
}
