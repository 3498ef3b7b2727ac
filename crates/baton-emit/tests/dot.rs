//! DOT backend: structure of the output for hand-built workflows, escaping of hostile
//! text, and acceptance by Graphviz (`dot -Tsvg` / `-Tjson`) when it is installed.

mod support;

use baton_emit::{dot, Direction, DotOptions};
use baton_ir::Workflow;
use serde_json::Value;
use support::{email_campaign, every_kind, hostile, render, Builder, HOSTILE};

fn top_bottom(workflow: &Workflow) -> String {
    dot(workflow, &DotOptions::default())
}

fn left_right(workflow: &Workflow) -> String {
    dot(
        workflow,
        &DotOptions {
            direction: Direction::LeftRight,
        },
    )
}

/// The statement line declaring node `id` (ids in these tests need no escaping).
fn node_line<'a>(dot: &'a str, id: &str) -> &'a str {
    let prefix = format!("\"{id}\" [");
    dot.lines()
        .find(|line| line.trim_start().starts_with(&prefix))
        .unwrap_or_else(|| panic!("no node {id} in:\n{dot}"))
}

/// The statement line of the edge `from -> to`.
fn edge_line<'a>(dot: &'a str, from: &str, to: &str) -> &'a str {
    let prefix = format!("\"{from}\" -> \"{to}\"");
    dot.lines()
        .find(|line| line.trim_start().starts_with(&prefix))
        .unwrap_or_else(|| panic!("no edge {from} -> {to} in:\n{dot}"))
}

/// The cluster a node is declared in, if any.
fn lane_of(dot: &str, id: &str) -> Option<String> {
    let prefix = format!("\"{id}\" [");
    let mut lane = None;
    for line in dot.lines() {
        if let Some(rest) = line.strip_prefix("  subgraph ") {
            lane = rest.strip_suffix(" {").map(str::to_string);
        } else if line == "  }" {
            lane = None;
        } else if line.trim_start().starts_with(&prefix) {
            return lane;
        }
    }
    panic!("no node {id} in:\n{dot}");
}

/// Clusters opened at the start of a line (user text may contain the words too).
fn cluster_count(dot: &str) -> usize {
    dot.lines()
        .filter(|line| line.starts_with("  subgraph cluster_"))
        .count()
}

/// Runs the output through Graphviz: SVG must render, and the parsed graph (via
/// `-Tjson`) must have exactly the IR's nodes, edges and `lanes` clusters.
fn assert_graphviz_accepts(workflow: &Workflow, source: &str, lanes: usize) {
    let Some(svg) = render(source, "svg") else {
        return;
    };
    assert!(svg.stdout.contains("<svg"), "no SVG produced");
    assert!(
        !svg.stdout
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')),
        "control characters leaked into the SVG"
    );
    if !svg.stderr.is_empty() {
        eprintln!("dot warnings: {}", svg.stderr);
    }
    let Some(json) = render(source, "json") else {
        return;
    };
    let parsed: Value = serde_json::from_str(&json.stdout).expect("dot -Tjson is JSON");
    let subgraphs = parsed["_subgraph_cnt"].as_u64().expect("subgraph count") as usize;
    let objects = parsed["objects"].as_array().expect("objects");
    let names: Vec<&str> = objects[subgraphs..]
        .iter()
        .map(|node| node["name"].as_str().expect("node name"))
        .collect();
    assert_eq!(subgraphs, lanes, "clusters as parsed by dot");
    assert_eq!(
        names.len(),
        workflow.graph.node_count(),
        "nodes as parsed by dot: {names:?}"
    );
    let edges = parsed["edges"].as_array().map_or(0, Vec::len);
    assert_eq!(edges, workflow.graph.edge_count(), "edges as parsed by dot");
    // Ids that need no backslash escaping come back from dot exactly as written.
    for (_, node) in workflow.nodes() {
        let plain = !node.id.contains('\\') && !node.id.chars().any(char::is_control);
        if plain {
            assert!(
                names.contains(&node.id.as_str()),
                "node {:?} lost: {names:?}",
                node.id
            );
        }
    }
}

#[test]
fn email_campaign_has_one_lane_per_actor() {
    let workflow = email_campaign();
    let out = top_bottom(&workflow);
    assert!(out.starts_with("digraph \"email_campaign\" {\n"), "{out}");
    assert!(out.ends_with("}\n"));
    assert!(out.contains("rankdir=\"TB\""));
    assert!(out.contains("newrank=\"true\""));
    assert!(out.contains("<B>Email marketing campaign</B>"));
    assert!(out.contains("deadline 1w 3d"));

    assert_eq!(cluster_count(&out), 5, "4 roles + 1 system:\n{out}");
    assert!(out.contains("label=<<B>Copywriter</B>>"));
    assert!(out.contains("label=<<B>⚙ Email service provider</B>>"));
    assert_eq!(lane_of(&out, "draft").as_deref(), Some("cluster_role_0"));
    assert_eq!(lane_of(&out, "proof").as_deref(), Some("cluster_role_0"));
    assert_eq!(lane_of(&out, "design").as_deref(), Some("cluster_role_1"));
    assert_eq!(lane_of(&out, "review").as_deref(), Some("cluster_role_2"));
    assert_eq!(lane_of(&out, "analyse").as_deref(), Some("cluster_role_3"));
    assert_eq!(
        lane_of(&out, "schedule").as_deref(),
        Some("cluster_system_0")
    );
    assert_eq!(lane_of(&out, "resend").as_deref(), Some("cluster_system_0"));
    for free in [
        "#start",
        "parallel#1",
        "join#1",
        "wait#1",
        "if#1",
        "done",
        "cancelled",
    ] {
        assert_eq!(lane_of(&out, free), None, "{free} belongs to no lane");
    }
}

#[test]
fn email_campaign_nodes_have_their_shapes() {
    let out = top_bottom(&email_campaign());
    let draft = node_line(&out, "draft");
    assert!(draft.contains("shape=\"box\"") && draft.contains("style=\"rounded,filled\""));
    assert!(draft.contains("Draft the email content<BR/>"));
    assert!(draft.contains(">Copywriter · 1d</FONT>"), "{draft}");

    let schedule = node_line(&out, "schedule");
    assert!(schedule.contains("style=\"filled\"") && !schedule.contains("rounded"));
    assert!(schedule.contains("⚙ schedule_send"));

    let review = node_line(&out, "review");
    assert!(review.contains("shape=\"diamond\""));
    assert!(review.contains("Approve the campaign?<BR/>"));

    let start = node_line(&out, "#start");
    assert!(start.contains("shape=\"circle\"") && start.contains("label=\"\""));

    for bar in ["parallel#1", "join#1"] {
        let line = node_line(&out, bar);
        assert!(line.contains("width=\"1.5\", height=\"0.06\""), "{line}");
        assert!(line.contains("label=\"\""));
    }
    assert!(node_line(&out, "wait#1").contains("◷ until send_at"));

    let gateway = node_line(&out, "if#1");
    assert!(gateway.contains("shape=\"diamond\"") && gateway.contains("label=\"\""));

    let done = node_line(&out, "done");
    assert!(done.contains("shape=\"doublecircle\"") && done.contains("#15803d"));
    assert!(done.contains("label=<done>"));
    let cancelled = node_line(&out, "cancelled");
    assert!(cancelled.contains("shape=\"doublecircle\"") && cancelled.contains("#6b7280"));
}

#[test]
fn email_campaign_edges_are_labelled() {
    let out = top_bottom(&email_campaign());
    assert_eq!(
        edge_line(&out, "#start", "draft"),
        "  \"#start\" -> \"draft\";"
    );
    assert!(edge_line(&out, "review", "schedule").contains("label=<approved>"));
    assert!(edge_line(&out, "review", "cancelled").contains("label=<rejected>"));
    assert!(edge_line(&out, "if#1", "resend").contains("label=<open_rate &lt; 15%>"));
    assert!(edge_line(&out, "if#1", "done").contains("label=<<I>else</I>>"));

    let back = edge_line(&out, "review", "draft");
    assert!(back.contains("changes_requested (≤ 3×)"), "{back}");
    assert!(back.contains("style=\"dashed\""));
    assert!(back.contains("constraint=\"false\""));
    assert!(
        !back.contains("#c62828"),
        "a bounded loop is not an error colour"
    );
    // Only the loop is dashed.
    assert_eq!(out.matches("style=\"dashed\"").count(), 1);
}

#[test]
fn every_node_kind_is_drawn() {
    let workflow = every_kind();
    let out = top_bottom(&workflow);
    // People team, IT support, Identity provider; the role-less decision is outside.
    assert_eq!(cluster_count(&out), 3, "{out}");
    assert_eq!(lane_of(&out, "check"), None);
    assert_eq!(lane_of(&out, "contract"), None);
    assert_eq!(
        lane_of(&out, "account").as_deref(),
        Some("cluster_system_0")
    );
    assert!(
        out.contains("style=\"dashed,rounded,filled\""),
        "system lanes are dashed"
    );

    let contract = node_line(&out, "contract");
    assert!(contract.contains("peripheries=\"2\"") && contract.contains("run signing"));
    // Without an action the automation names its system.
    assert!(node_line(&out, "account").contains("⚙ Identity provider"));
    let fork = node_line(&out, "setup");
    assert!(fork.contains("xlabel=<Set up>"), "{fork}");
    let wait = node_line(&out, "wait#1");
    assert!(wait.contains("Cooling-off period<BR/>") && wait.contains("◷ for 2d"));
    let check = node_line(&out, "check");
    assert!(check.contains("shape=\"diamond\"") && check.contains("label=<Everything ready?>"));
    let gateway = node_line(&out, "match#1");
    assert!(gateway.contains("shape=\"diamond\"") && gateway.contains(">contract</FONT>"));
    let failed = node_line(&out, "failed");
    assert!(failed.contains("doublecircle") && failed.contains("#b91c1c"));
    assert!(node_line(&out, "done").contains("label=<Onboarded>"));

    assert!(edge_line(&out, "match#1", "contract").contains("label=<employee, intern>"));
    assert!(edge_line(&out, "setup", "account").contains("label=<accounts>"));
    assert_eq!(
        edge_line(&out, "setup", "laptop"),
        "  \"setup\" -> \"laptop\";"
    );
    assert!(edge_line(&out, "if#1", "done").contains("label=<ok == true>"));
    let unbounded = edge_line(&out, "check", "collect");
    assert!(unbounded.contains("no (unbounded)"), "{unbounded}");
    assert!(unbounded.contains("style=\"dashed\"") && unbounded.contains("#c62828"));
}

#[test]
fn left_right_turns_the_bars() {
    let out = left_right(&email_campaign());
    assert!(out.contains("rankdir=\"LR\""));
    assert!(node_line(&out, "parallel#1").contains("width=\"0.06\", height=\"1.5\""));
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
    let workflow = b.build();
    let out = top_bottom(&workflow);
    assert_eq!(cluster_count(&out), 1);
    // Cluster ids come from the actor's index, not its position among used lanes.
    assert_eq!(lane_of(&out, "work").as_deref(), Some("cluster_role_1"));
    assert!(!out.contains("Never busy") && !out.contains("Unused system"));
    assert_graphviz_accepts(&workflow, &out, 1);
}

#[test]
fn output_is_deterministic() {
    let workflow = every_kind();
    assert_eq!(top_bottom(&workflow), top_bottom(&workflow.clone()));
}

#[test]
fn graphviz_accepts_the_examples() {
    for (workflow, lanes) in [(email_campaign(), 5), (every_kind(), 3)] {
        assert_graphviz_accepts(&workflow, &top_bottom(&workflow), lanes);
        assert_graphviz_accepts(&workflow, &left_right(&workflow), lanes);
    }
}

/// One line per statement: header, three attribute defaults, each lane's opening,
/// attributes and closing, one line per node and per edge, and the closing brace.
fn expected_lines(workflow: &Workflow, lanes: usize) -> usize {
    1 + 3 + 3 * lanes + workflow.graph.node_count() + workflow.graph.edge_count() + 1
}

#[test]
fn hostile_text_cannot_break_out() {
    for text in HOSTILE {
        let workflow = hostile(text);
        let out = top_bottom(&workflow);
        // A raw newline or a closed statement would add lines or clusters.
        assert_eq!(
            out.lines().count(),
            expected_lines(&workflow, 2),
            "{text:?}:\n{out}"
        );
        assert_eq!(cluster_count(&out), 2, "{text:?}:\n{out}");
        assert!(!out.contains('\r'), "{text:?}");
        assert!(
            !out.chars().any(|c| c.is_control() && c != '\n'),
            "{text:?}"
        );
        if text.contains('<') {
            assert!(out.contains("&lt;"), "{text:?}");
        }
        assert_graphviz_accepts(&workflow, &out, 2);
    }
}

#[test]
fn hostile_text_is_shown_literally() {
    let text = r#"<b>bold</b> & "q" \N \G \T \H"#;
    let out = top_bottom(&hostile(text));
    let label = r"&lt;b&gt;bold&lt;/b&gt; &amp; &quot;q&quot; \\N \\G \\T \\H";
    assert!(out.contains(label), "{out}");
    assert!(!out.contains("label=<<b>"));
    // The graph name and node ids are quoted strings.
    let quoted = r#""<b>bold</b> & \"q\" \\N \\G \\T \\H""#;
    assert!(out.starts_with(&format!("digraph {quoted} {{")), "{out}");
    assert!(!out.contains("tooltip=\"<b>"), "no tooltips with user text");

    let Some(svg) = render(&out, "svg") else {
        return;
    };
    // Graphviz decodes each label and re-encodes it for SVG: the text survives as text,
    // and `\N` & co. are not replaced by node, graph, tail or head names.
    let shown = r"&lt;b&gt;bold&lt;/b&gt; &amp; &quot;q&quot; \N \G \T \H";
    let texts: Vec<&str> = svg
        .stdout
        .lines()
        .filter(|l| l.starts_with("<text"))
        .collect();
    assert!(texts.iter().any(|t| t.contains(shown)), "{}", svg.stdout);
    for text in &texts {
        assert!(!text.contains("<b>"), "{text}");
        for id in ["work", "ask", "done", "fork"] {
            assert!(!text.contains(id), "a name was substituted into {text}");
        }
    }
}

#[test]
fn guard_string_literals_are_escaped() {
    let out = top_bottom(&hostile("\"]; evil -> x; ["));
    // The guard prints its text literal with Rust-style escapes, then HTML-escaped.
    assert!(
        out.contains(r"label=<&quot;]; evil -&gt; x; [ == &quot;\\&quot;]; evil -&gt; x; [&quot;>"),
        "{out}"
    );
}
