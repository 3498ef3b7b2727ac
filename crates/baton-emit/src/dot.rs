//! Graphviz DOT backend: draws a workflow as a flowchart with swimlanes.
//!
//! Every role and every system that does at least one step or decision becomes a
//! `cluster` (a lane); nodes without an actor (start, end, fork/join, waits, branch
//! gateways, sub-workflow runs) stay outside lanes. Node shapes follow the usual
//! flowchart/BPMN conventions: rounded boxes for human work, square boxes for
//! automation, diamonds for decisions and gateways, bars for fork/join.
//!
//! All user text goes through one of two escapers: [`quote`] for DOT quoted strings
//! (node and graph ids) and [`html`] for HTML-like labels (every visible text). Output
//! follows IR order only, so it is deterministic.
//!
//! There are deliberately no tooltips with user text: Graphviz runs tooltips through
//! escape processing twice (and decodes entities in between), in ways that differ
//! between versions, so no escaping of `\` is reliable there.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use baton_ir::{
    format_duration, Actor, Decision, Edge, EdgeKind, EndOutcome, Node, NodeKind, Performer, Step,
    WaitUntil, Workflow,
};

/// The main direction of flow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Direction {
    /// Start at the top, flow downwards (`rankdir=TB`).
    #[default]
    TopBottom,
    /// Start on the left, flow rightwards (`rankdir=LR`).
    LeftRight,
}

impl Direction {
    fn rankdir(self) -> &'static str {
        match self {
            Direction::TopBottom => "TB",
            Direction::LeftRight => "LR",
        }
    }
}

/// Options for [`dot`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DotOptions {
    pub direction: Direction,
}

/// Colours, in one place so the diagrams stay consistent (the Mermaid backend uses
/// them too).
pub(crate) mod palette {
    pub const INK: &str = "#374151";
    pub const MUTED: &str = "#6b7280";
    pub const SOLID: &str = "#1f2937";
    pub const HUMAN_FILL: &str = "#dbeafe";
    pub const HUMAN_LINE: &str = "#3b6fb6";
    pub const AUTO_FILL: &str = "#fdebc8";
    pub const AUTO_LINE: &str = "#b7791f";
    pub const RUN_FILL: &str = "#e5e7eb";
    pub const RUN_LINE: &str = "#4b5563";
    pub const DECISION_FILL: &str = "#ede4fb";
    pub const DECISION_LINE: &str = "#6d4fa3";
    pub const WAIT_FILL: &str = "#d5f1ee";
    pub const WAIT_LINE: &str = "#2c7a7b";
    pub const GATEWAY_FILL: &str = "#ffffff";
    pub const ROLE_LANE_FILL: &str = "#f8fafc";
    pub const ROLE_LANE_LINE: &str = "#cbd5e1";
    pub const SYSTEM_LANE_FILL: &str = "#fffaf0";
    pub const SYSTEM_LANE_LINE: &str = "#d6b370";
    pub const SUCCESS_FILL: &str = "#d1fadf";
    pub const SUCCESS_LINE: &str = "#15803d";
    pub const CANCELLED_FILL: &str = "#e5e7eb";
    pub const CANCELLED_LINE: &str = "#6b7280";
    pub const FAILURE_FILL: &str = "#fde2e1";
    pub const FAILURE_LINE: &str = "#b91c1c";
    pub const BACK: &str = "#6d4fa3";
    pub const UNBOUNDED: &str = "#c62828";
    /// Failure and timeout routes: the way out of a step that did not complete.
    pub const ROUTE: &str = "#c2410c";
}

const FONT: &str = "Helvetica";
/// Point size of the second, smaller line of node labels.
const DETAIL_SIZE: u32 = 9;
/// Longest line of label text, in characters: Graphviz refuses a node or cluster wider
/// than 65,535 points (about 8,000 characters), and lane titles, step titles and edge
/// labels are not wrapped otherwise. Longer than any line of a realistic title.
const MAX_LINE: usize = 100;

/// Renders the workflow as a Graphviz `digraph`.
pub fn dot(workflow: &Workflow, options: &DotOptions) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail: the fmt::Result carries no information.
    let _ = write_graph(&mut out, workflow, options);
    out
}

/// The lane (cluster) a node is drawn in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lane {
    Role(usize),
    System(usize),
}

pub(crate) fn lane(workflow: &Workflow, node: &Node) -> Option<Lane> {
    if let Some(role) = node.role() {
        return workflow
            .roles
            .iter()
            .position(|r| r.id == role)
            .map(Lane::Role);
    }
    match &node.kind {
        NodeKind::Step(Step {
            performer: Performer::System { system, .. },
            ..
        }) => workflow
            .systems
            .iter()
            .position(|s| &s.id == system)
            .map(Lane::System),
        _ => None,
    }
}

fn write_graph(out: &mut String, workflow: &Workflow, options: &DotOptions) -> fmt::Result {
    writeln!(out, "digraph {} {{", quote(&workflow.name))?;
    let graph = Attrs::new()
        .html("label", graph_label(workflow))
        .set("labelloc", "t")
        .set("fontname", FONT)
        .set("fontsize", "16")
        .set("fontcolor", palette::SOLID)
        .set("rankdir", options.direction.rankdir())
        // Global ranking across clusters keeps the flow order readable across lanes.
        .set("newrank", "true")
        .set("nodesep", "0.35")
        .set("ranksep", "0.45")
        .set("pad", "0.3")
        .set("bgcolor", "white");
    writeln!(out, "  graph {graph};")?;
    let node = Attrs::new()
        .set("fontname", FONT)
        .set("fontsize", "11")
        .set("fontcolor", palette::SOLID)
        .set("color", palette::INK)
        .set("penwidth", "1.2");
    writeln!(out, "  node {node};")?;
    let edge = Attrs::new()
        .set("fontname", FONT)
        .set("fontsize", "9")
        .set("fontcolor", palette::INK)
        .set("color", palette::INK)
        .set("arrowsize", "0.7");
    writeln!(out, "  edge {edge};")?;

    let lanes: Vec<Option<Lane>> = workflow
        .nodes()
        .map(|(_, node)| lane(workflow, node))
        .collect();
    // Roles first, then systems, each in declaration order; unused actors get no lane.
    let role_lanes = workflow.roles.iter().enumerate().map(|(index, role)| {
        let attrs = Attrs::new()
            .html("label", tag("B", &html(actor_label(role))))
            .set("style", "rounded,filled")
            .set("fillcolor", palette::ROLE_LANE_FILL)
            .set("color", palette::ROLE_LANE_LINE);
        (Lane::Role(index), format!("cluster_role_{index}"), attrs)
    });
    let system_lanes = workflow.systems.iter().enumerate().map(|(index, system)| {
        let attrs = Attrs::new()
            .html(
                "label",
                tag("B", &format!("⚙ {}", html(actor_label(system)))),
            )
            .set("style", "dashed,rounded,filled")
            .set("fillcolor", palette::SYSTEM_LANE_FILL)
            .set("color", palette::SYSTEM_LANE_LINE);
        (
            Lane::System(index),
            format!("cluster_system_{index}"),
            attrs,
        )
    });
    // Each lane's nodes in IR order, gathered in one pass (not one pass per lane).
    let mut role_members: Vec<Vec<&Node>> = vec![Vec::new(); workflow.roles.len()];
    let mut system_members: Vec<Vec<&Node>> = vec![Vec::new(); workflow.systems.len()];
    for ((_, node), lane) in workflow.nodes().zip(&lanes) {
        match lane {
            Some(Lane::Role(i)) => role_members[*i].push(node),
            Some(Lane::System(i)) => system_members[*i].push(node),
            None => {}
        }
    }
    for (lane, id, attrs) in role_lanes.chain(system_lanes) {
        let members = match lane {
            Lane::Role(i) => &role_members[i],
            Lane::System(i) => &system_members[i],
        };
        if !members.is_empty() {
            write_lane(out, &id, attrs, members, workflow, options)?;
        }
    }

    for ((_, node), lane) in workflow.nodes().zip(&lanes) {
        if lane.is_none() {
            let attrs = node_attrs(workflow, node, options);
            writeln!(out, "  {} {attrs};", quote(&node.id))?;
        }
    }
    for (_, from, to, edge) in workflow.edges() {
        let from_gateway = matches!(workflow.node(from).kind, NodeKind::Branch { .. });
        let from = quote(&workflow.node(from).id);
        let to = quote(&workflow.node(to).id);
        let attrs = edge_attrs(edge, from_gateway);
        if attrs.is_empty() {
            writeln!(out, "  {from} -> {to};")?;
        } else {
            writeln!(out, "  {from} -> {to} {attrs};")?;
        }
    }
    writeln!(out, "}}")
}

fn write_lane(
    out: &mut String,
    id: &str,
    attrs: Attrs,
    members: &[&Node],
    workflow: &Workflow,
    options: &DotOptions,
) -> fmt::Result {
    // Cluster ids come from indices, never from user text.
    writeln!(out, "  subgraph {id} {{")?;
    let attrs = attrs
        .set("labeljust", "l")
        .set("fontsize", "12")
        .set("fontcolor", palette::INK)
        .set("margin", "12");
    writeln!(out, "    graph {attrs};")?;
    for node in members {
        let attrs = node_attrs(workflow, node, options);
        writeln!(out, "    {} {attrs};", quote(&node.id))?;
    }
    writeln!(out, "  }}")
}

/// Title in bold, then the name and the deadline in small print.
fn graph_label(workflow: &Workflow) -> String {
    let shown = workflow.title.as_deref().and_then(visible);
    let title = shown.unwrap_or(&workflow.name);
    let mut details = Vec::new();
    if shown.is_some() {
        details.push(html(&workflow.name));
    }
    if let Some(deadline) = workflow.deadline {
        details.push(format!("deadline {}", format_duration(deadline)));
    }
    let mut label = tag("B", &html(title));
    write_detail(&mut label, &details.join(" · "), 10);
    label
}

fn node_attrs(workflow: &Workflow, node: &Node, options: &DotOptions) -> Attrs {
    let title = title_or(node.title(), &node.id);
    match &node.kind {
        NodeKind::Start => Attrs::new()
            .set("shape", "circle")
            .set("style", "filled")
            .set("fillcolor", palette::SOLID)
            .set("color", palette::SOLID)
            .set("width", "0.22")
            .set("fixedsize", "true")
            .set("label", "")
            .set("tooltip", "start"),
        NodeKind::Step(step) => step_attrs(workflow, step, title),
        NodeKind::Decision(decision) => decision_attrs(workflow, decision, title),
        NodeKind::Fork { title } => {
            let attrs = bar(options.direction);
            match title.as_deref().and_then(visible) {
                Some(title) => attrs.html("xlabel", html(title)),
                None => attrs,
            }
        }
        NodeKind::Join { .. } => bar(options.direction),
        NodeKind::Wait { title, until } => {
            let what = match until {
                WaitUntil::Until(expr) => format!("until {expr}"),
                WaitUntil::For(seconds) => format!("for {}", format_duration(*seconds)),
            };
            // The clock glyph ◷ is in DejaVu Sans, so it renders with stock Linux fonts.
            let what = format!("◷ {what}");
            let label = match title.as_deref().and_then(visible) {
                Some(title) => two_lines(title, Some(&what)),
                None => html(&what),
            };
            Attrs::new()
                .set("shape", "ellipse")
                .set("style", "filled")
                .set("fillcolor", palette::WAIT_FILL)
                .set("color", palette::WAIT_LINE)
                .set("fontsize", "10")
                .set("margin", "0.08,0.04")
                .html("label", label)
        }
        NodeKind::Branch { subject } => {
            // Guards and arms are on the out-edges; the gateway itself names the subject.
            let label = subject.as_deref().map_or(String::new(), |subject| {
                let font = format!("FONT POINT-SIZE=\"{DETAIL_SIZE}\"");
                tag(&font, &html(subject))
            });
            Attrs::new()
                .set("shape", "diamond")
                .set("style", "filled")
                .set("fillcolor", palette::GATEWAY_FILL)
                .set("color", palette::INK)
                .set("width", "0.4")
                .set("height", "0.4")
                .set("margin", "0.02")
                .html("label", label)
        }
        NodeKind::End { outcome, .. } => {
            let (fill, line) = match outcome {
                EndOutcome::Success => (palette::SUCCESS_FILL, palette::SUCCESS_LINE),
                EndOutcome::Cancelled => (palette::CANCELLED_FILL, palette::CANCELLED_LINE),
                EndOutcome::Failure => (palette::FAILURE_FILL, palette::FAILURE_LINE),
            };
            Attrs::new()
                // The circle grows with its label: wrap long titles to keep it compact.
                .set("shape", "doublecircle")
                .set("style", "filled")
                .set("fillcolor", fill)
                .set("color", line)
                .set("fontcolor", line)
                .set("fontsize", "10")
                .set("margin", "0.02")
                .html("label", html(&wrap(title, 12)))
                .set("tooltip", &format!("end: {}", outcome.as_str()))
        }
    }
}

fn step_attrs(workflow: &Workflow, step: &Step, title: &str) -> Attrs {
    let takes = step.takes.map(format_duration);
    let (detail, attrs) = match &step.performer {
        Performer::Role { role } => {
            let role = workflow.role(role).map_or(role.as_str(), actor_label);
            let attrs = Attrs::new()
                .set("shape", "box")
                .set("style", "rounded,filled")
                .set("fillcolor", palette::HUMAN_FILL)
                .set("color", palette::HUMAN_LINE);
            (role.to_string(), attrs)
        }
        Performer::System { system, action } => {
            let what = match action.as_deref().and_then(visible) {
                Some(action) => action,
                None => workflow.system(system).map_or(system.as_str(), actor_label),
            };
            let attrs = Attrs::new()
                .set("shape", "box")
                .set("style", "filled")
                .set("fillcolor", palette::AUTO_FILL)
                .set("color", palette::AUTO_LINE);
            (format!("⚙ {what}"), attrs)
        }
        Performer::Workflow { workflow, .. } => {
            // Double border: the usual mark of a call to a sub-process.
            let attrs = Attrs::new()
                .set("shape", "box")
                .set("style", "filled")
                .set("peripheries", "2")
                .set("fillcolor", palette::RUN_FILL)
                .set("color", palette::RUN_LINE);
            (format!("run {workflow}"), attrs)
        }
    };
    let detail = join_detail(detail, takes);
    attrs
        .set("margin", "0.15,0.06")
        .html("label", two_lines(title, Some(&detail)))
}

fn decision_attrs(workflow: &Workflow, decision: &Decision, title: &str) -> Attrs {
    let role = decision
        .role
        .as_deref()
        .map(|role| workflow.role(role).map_or(role, actor_label).to_string());
    let takes = decision.takes.map(format_duration);
    let detail = match role {
        Some(role) => Some(join_detail(role, takes)),
        None => takes,
    };
    Attrs::new()
        .set("shape", "diamond")
        .set("style", "filled")
        .set("fillcolor", palette::DECISION_FILL)
        .set("color", palette::DECISION_LINE)
        .set("margin", "0.04,0.02")
        // A diamond is twice as wide as its label: wrap long questions.
        .html("label", two_lines(&wrap(title, 24), detail.as_deref()))
}

/// A thin black bar across the flow, for fork and join.
fn bar(direction: Direction) -> Attrs {
    let (width, height) = match direction {
        Direction::TopBottom => ("1.5", "0.06"),
        Direction::LeftRight => ("0.06", "1.5"),
    };
    Attrs::new()
        .set("shape", "box")
        .set("style", "filled")
        .set("fillcolor", palette::SOLID)
        .set("color", palette::SOLID)
        .set("width", width)
        .set("height", height)
        .set("fixedsize", "true")
        .set("label", "")
}

fn edge_attrs(edge: &Edge, from_gateway: bool) -> Attrs {
    let base = edge_text(&edge.kind);
    let note = match (edge.bound, edge.back) {
        (Some(bound), _) => Some(format!("(≤ {bound}×)")),
        (None, true) => Some("(unbounded)".to_string()),
        (None, false) => None,
    };
    let text = match (base, note) {
        (Some(base), Some(note)) => Some(format!("{base} {note}")),
        (base, note) => base.or(note),
    };
    let mut attrs = Attrs::new();
    if let Some(text) = text {
        let label = match edge.kind {
            EdgeKind::Else | EdgeKind::Failure | EdgeKind::Timeout => tag("I", &html(&text)),
            _ => html(&text),
        };
        // A plain `label` becomes a node of the layout, so dot routes the edge around
        // it and keeps it next to the curve (checked by eye on every example; back edges
        // included: an `xlabel` on a long loop landed far from it, on other lanes).
        // The guards of a data branch are the exception: its edges leave one small
        // diamond side by side, and dot overlapped their label nodes ("lead_score >= 80"
        // over "else"); `xlabel`s are placed after layout, clear of nodes and labels.
        let key = if from_gateway && !edge.back {
            "xlabel"
        } else {
            "label"
        };
        attrs = attrs.html(key, label);
    }
    if edge.kind.is_route() {
        // Dotted, where loops are dashed: the exceptional way out of a step.
        attrs = attrs
            .set("style", "dotted")
            .set("penwidth", "1.5")
            .set("color", palette::ROUTE)
            .set("fontcolor", palette::ROUTE);
        if edge.back {
            attrs = attrs.set("constraint", "false");
        }
    } else if edge.back {
        // constraint=false: a loop must not pull its target below its source.
        attrs = attrs.set("style", "dashed").set("constraint", "false");
        let colour = if edge.bound.is_some() {
            palette::BACK
        } else {
            palette::UNBOUNDED
        };
        attrs = attrs.set("color", colour).set("fontcolor", colour);
    }
    attrs
}

/// An edge's own text, like [`EdgeKind::label`] but with blank titles treated as none.
fn edge_text(kind: &EdgeKind) -> Option<String> {
    match kind {
        EdgeKind::Branch { name, title } => title
            .as_deref()
            .and_then(visible)
            .or(name.as_deref())
            .map(str::to_string),
        EdgeKind::Outcome { name, title } => Some(title_or(title.as_deref(), name).to_string()),
        _ => kind.label(),
    }
}

/// A role's or system's title as shown, else its id.
fn actor_label(actor: &Actor) -> &str {
    title_or(actor.title.as_deref(), &actor.id)
}

/// The title as shown (see [`visible`]), else `fallback` (an id or a name).
fn title_or<'a>(title: Option<&'a str>, fallback: &'a str) -> &'a str {
    title.and_then(visible).unwrap_or(fallback)
}

/// A title without the blank lines at either end, or `None` if it is blank.
///
/// A blank title would give an empty or zero-width label: `label=<>` can make Graphviz
/// read every plain `""` as HTML too (a syntax error), and a label of only `<BR/>`
/// makes Graphviz 2.43 abort in its xlabel placement. Blank lines at the ends are
/// dropped for the same reason and because they only add space. Titles without line
/// breaks at the ends come back unchanged.
fn visible(title: &str) -> Option<&str> {
    let is_break = |c: char| c == '\n' || c == '\r';
    let first = title.find(|c: char| !c.is_whitespace())?;
    let last = title.rfind(|c: char| !c.is_whitespace())?;
    let start = title[..first].rfind(is_break).map_or(0, |i| i + 1);
    let end = title[last..]
        .find(is_break)
        .map_or(title.len(), |i| last + i);
    Some(&title[start..end])
}

/// Breaks lines longer than `width` characters at spaces, and words longer than
/// `width` anywhere; shorter lines are kept exactly (unlike [`wrap`]).
fn break_long_lines(text: &str, width: usize) -> Cow<'_, str> {
    if text.split('\n').all(|line| line.chars().count() <= width) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + text.len() / width);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if line.chars().count() <= width {
            out.push_str(line);
            continue;
        }
        let mut used = 0;
        for word in line.split(' ') {
            let chars: Vec<char> = word.chars().collect();
            if used > 0 && used + 1 + chars.len() > width {
                out.push('\n');
                used = 0;
            } else if used > 0 {
                out.push(' ');
                used += 1;
            }
            for (j, piece) in chars.chunks(width).enumerate() {
                if j > 0 {
                    out.push('\n');
                }
                out.extend(piece);
                used = if j > 0 {
                    piece.len()
                } else {
                    used + piece.len()
                };
            }
        }
    }
    Cow::Owned(out)
}

/// `a · b`, leaving out a missing `b`.
fn join_detail(first: String, second: Option<String>) -> String {
    match second {
        Some(second) => format!("{first} · {second}"),
        None => first,
    }
}

/// HTML label body: the title, then an optional smaller, muted detail line.
fn two_lines(title: &str, detail: Option<&str>) -> String {
    let mut label = html(title);
    if let Some(detail) = detail {
        write_detail(&mut label, &html(detail), DETAIL_SIZE);
    }
    label
}

/// Appends an already-escaped detail line in small muted print, if it is not empty.
fn write_detail(label: &mut String, escaped: &str, size: u32) {
    if escaped.is_empty() {
        return;
    }
    let font = format!("FONT POINT-SIZE=\"{size}\" COLOR=\"{}\"", palette::MUTED);
    label.push_str("<BR/>");
    label.push_str(&tag(&font, escaped));
}

/// Breaks text into lines of at most `width` characters at spaces (longer words
/// stay whole); existing line breaks are kept.
pub(crate) fn wrap(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut used = 0;
        for word in line.split(' ') {
            let len = word.chars().count();
            if used > 0 && used + 1 + len > width {
                out.push('\n');
                used = 0;
            } else if used > 0 {
                out.push(' ');
                used += 1;
            }
            out.push_str(word);
            used += len;
        }
    }
    out
}

/// Wraps already-escaped text in an HTML-label element, e.g. `tag("B", "x")` is
/// `<B>x</B>`. Graphviz rejects empty elements (`<B></B>` is a syntax error), so
/// empty text stays empty.
fn tag(open: &str, escaped: &str) -> String {
    if escaped.is_empty() {
        return String::new();
    }
    let name = open.split(' ').next().unwrap_or(open);
    format!("<{open}>{escaped}</{name}>")
}

/// An attribute list, rendered as `[key=value, ...]`. Values are always either quoted
/// with [`quote`] or HTML labels whose text went through [`html`].
#[derive(Clone, Debug, Default)]
struct Attrs(Vec<(&'static str, String)>);

impl Attrs {
    fn new() -> Attrs {
        Attrs::default()
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A plain value (colour, number, keyword), quoted.
    fn set(mut self, key: &'static str, value: &str) -> Attrs {
        self.0.push((key, quote(value)));
        self
    }

    /// An HTML-like label; `body` must already be escaped with [`html`].
    fn html(mut self, key: &'static str, body: String) -> Attrs {
        // An empty HTML label `<>` makes Graphviz 2.43 read the file's later `""` labels
        // as HTML too, and fail on them: an empty label is written as a plain one.
        let value = if body.is_empty() {
            "\"\"".to_string()
        } else {
            format!("<{body}>")
        };
        self.0.push((key, value));
        self
    }
}

impl fmt::Display for Attrs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, (key, value)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{key}={value}")?;
        }
        f.write_str("]")
    }
}

/// Characters that are unsafe in Graphviz output whatever the escaping: control
/// characters and the XML non-characters U+FFFE/U+FFFF make the HTML-label parser fail
/// and the SVG output invalid, so they are shown as U+FFFD instead.
fn is_unprintable(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || c == '\u{FFFE}' || c == '\u{FFFF}'
}

/// Normalises line ends (`\r\n`, `\r` → `\n`), tabs to spaces and unprintable
/// characters to U+FFFD, so each escaper only handles `\n` as a control character.
pub(crate) fn clean(text: &str) -> impl Iterator<Item = char> + '_ {
    let mut chars = text.chars().peekable();
    std::iter::from_fn(move || {
        let c = chars.next()?;
        Some(match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                '\n'
            }
            '\t' => ' ',
            c if is_unprintable(c) => '\u{FFFD}',
            c => c,
        })
    })
}

/// A DOT quoted string, with its quotes: for ids and constant attribute values.
///
/// `"` and `\` are backslash-escaped, so a user backslash can never escape the closing
/// quote, and newlines become `\n`, so there is no raw newline (nor a backslash-newline
/// line continuation). Nothing else is special inside a DOT quoted string. The mapping
/// is one-to-one, so distinct ids stay distinct (up to the characters [`clean`]
/// replaces, which identifiers never contain). Graphviz does not expand escapes in
/// ids; user text shown to readers goes through [`html`] instead.
pub(crate) fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in clean(text) {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text for an HTML-like label (`label=<...>`), without the angle brackets.
///
/// Lines longer than [`MAX_LINE`] are broken first, so no text is too wide for Graphviz.
///
/// `& < > " '` become entities, so the text cannot close the label or open markup;
/// newlines become `<BR/>`. The DOT lexer only tracks `<`/`>` nesting inside an HTML
/// string, so with those escaped nothing else (quotes, `]`, `;`, `{}`) is special.
/// Graphviz still expands `\N`, `\G`, `\E`, `\T`, `\H` in HTML text, after entity
/// decoding (so `&#92;` would not help); it turns `\\` into `\`, so `\` is doubled.
/// Invisible characters (bidirectional controls, zero-width characters) are written as
/// numeric references, so that the DOT file shows them.
pub(crate) fn html(text: &str) -> String {
    let cleaned: String = clean(text).collect();
    let text = break_long_lines(&cleaned, MAX_LINE);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("<BR/>"),
            // Bidirectional overrides, zero-width characters and the like as numeric
            // references: drawn the same, but visible in the DOT file.
            c if crate::mermaid::is_invisible(c) => {
                let _ = write!(out, "&#{};", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{break_long_lines, html, quote, visible, wrap};

    #[test]
    fn quote_escapes_quotes_backslashes_and_newlines() {
        assert_eq!(quote("plain"), r#""plain""#);
        assert_eq!(quote(r#"say "hi""#), r#""say \"hi\"""#);
        assert_eq!(quote(r"C:\new\N\G\l"), r#""C:\\new\\N\\G\\l""#);
        // A trailing backslash must not escape the closing quote.
        assert_eq!(quote("x\\"), r#""x\\""#);
        assert_eq!(quote("a\nb\r\nc\rd"), r#""a\nb\nc\nd""#);
        assert_eq!(quote("\"]; evil -> x; ["), r#""\"]; evil -> x; [""#);
        assert_eq!(quote("if#1"), r#""if#1""#);
    }

    #[test]
    fn quote_replaces_control_characters() {
        assert_eq!(
            quote("a\u{1}b\u{7f}c\u{9b}d\te"),
            "\"a\u{FFFD}b\u{FFFD}c\u{FFFD}d e\""
        );
    }

    #[test]
    fn quote_keeps_unicode() {
        assert_eq!(quote("café ⚙ \u{200F}שלום"), "\"café ⚙ \u{200F}שלום\"");
    }

    #[test]
    fn html_escapes_markup_and_entities() {
        assert_eq!(html("<b>bold</b>"), "&lt;b&gt;bold&lt;/b&gt;");
        assert_eq!(html("&amp; & ;"), "&amp;amp; &amp; ;");
        assert_eq!(html(r#"say "hi" 'x'"#), "say &quot;hi&quot; &#39;x&#39;");
        assert_eq!(html("]]> }{ |"), "]]&gt; }{ |");
        assert_eq!(html("\"]; evil -> x; ["), "&quot;]; evil -&gt; x; [");
    }

    #[test]
    fn html_doubles_backslashes() {
        // Graphviz would expand `\N` to the node name even in HTML labels.
        assert_eq!(
            html(r"\N \G \E \T \H \L \l \n x\"),
            r"\\N \\G \\E \\T \\H \\L \\l \\n x\\"
        );
    }

    #[test]
    fn wrap_breaks_at_spaces() {
        assert_eq!(wrap("Approve the campaign?", 24), "Approve the campaign?");
        assert_eq!(
            wrap("Campaign cancelled by the lead", 12),
            "Campaign\ncancelled by\nthe lead"
        );
        assert_eq!(
            wrap("Supercalifragilistic end", 8),
            "Supercalifragilistic\nend"
        );
        assert_eq!(wrap("one\ntwo three", 5), "one\ntwo\nthree");
        assert_eq!(wrap("", 5), "");
    }

    #[test]
    fn visible_drops_blank_lines_at_the_ends() {
        assert_eq!(visible("Approve it"), Some("Approve it"));
        assert_eq!(visible("  padded  "), Some("  padded  "));
        assert_eq!(visible("one\n\ntwo"), Some("one\n\ntwo"));
        assert_eq!(visible("\n  after\r\n \n"), Some("  after"));
        assert_eq!(visible("\r\nx y\rz\t\n"), Some("x y\rz\t"));
        assert_eq!(visible(""), None);
        assert_eq!(visible("\n"), None);
        assert_eq!(visible(" \t\r\n\u{a0}\u{2028}"), None);
    }

    #[test]
    fn break_long_lines_keeps_short_lines_exactly() {
        assert_eq!(break_long_lines(" a  b \n\n c", 6), " a  b \n\n c");
        assert_eq!(break_long_lines("aaa bbb ccc", 7), "aaa bbb\nccc");
        assert_eq!(
            break_long_lines("short\naaa bbb ccc", 7),
            "short\naaa bbb\nccc"
        );
        assert_eq!(break_long_lines("ab abcdefgh c", 3), "ab\nabc\ndef\ngh\nc");
        assert_eq!(break_long_lines("é".repeat(5).as_str(), 2), "éé\néé\né");
    }

    #[test]
    fn html_breaks_overlong_lines() {
        let long = "word ".repeat(40);
        let escaped = html(&long);
        assert!(escaped.contains("<BR/>"));
        assert_eq!(escaped.replace("<BR/>", " "), long);
        assert!(escaped
            .split("<BR/>")
            .all(|line| line.chars().count() <= super::MAX_LINE));
    }

    #[test]
    fn html_turns_newlines_into_breaks() {
        assert_eq!(
            html("one\ntwo\r\nthree\rfour"),
            "one<BR/>two<BR/>three<BR/>four"
        );
    }

    #[test]
    fn html_replaces_characters_xml_rejects() {
        assert_eq!(
            html("a\u{0}b\u{1b}c\u{FFFE}d"),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}d"
        );
        assert_eq!(
            html("\u{200F}rtl ⚙ \u{202E}x\u{200B}"),
            "&#8207;rtl ⚙ &#8238;x&#8203;"
        );
    }
}
