//! Mermaid backend: the workflow as a Mermaid `flowchart`, for Markdown that GitHub,
//! GitLab or MkDocs render in place.
//!
//! The drawing follows the DOT backend ([`crate::dot`]) so both read the same way:
//! human steps are rounded boxes, automation square boxes, sub-workflow runs
//! "subroutine" boxes (double sides), decisions diamonds, data branches small diamonds,
//! fork and join bars, waits stadiums, the start a small dark circle and ends double
//! circles coloured by outcome. Back edges are dotted and carry their bound; failure and
//! timeout routes are dotted too, in the route colour, labelled "on failure" or "on
//! timeout". Every role
//! and every system that does work gets a `subgraph` lane. The colours are the DOT
//! palette, applied with `classDef`.
//!
//! Fork and join use the `@{ shape: fork }` syntax of Mermaid 11.3 (October 2024): the
//! classic shapes have no bar, and a box that merely looks black reads as a step.
//! Everything else is classic syntax.
//!
//! # Safety of user text
//! Node and subgraph ids are generated (`n0`, `n1`, … by node index, `lane_r0`,
//! `lane_s0` by actor index), so user text is only ever a label, and every label goes
//! through [`string`]: it is double-quoted, and everything but letters, digits and a few
//! harmless punctuation marks becomes a Mermaid entity code (`#quot;`, `#35;`, …).
//! That is stricter than Mermaid's grammar needs, on purpose: before its parser runs,
//! Mermaid scans the whole text with regular expressions that know nothing about quotes
//! (`%%` comments and `%%{init}%%` directives anywhere, `style…:…#…;` rewriting, `<tag>`
//! attribute rewriting), and the renderer gives meaning to `$$` (KaTeX), `fa:fa-x`
//! (icons), `<…>` (HTML) and `&…;` (entities). With all of those characters encoded, no
//! title, role, variant or guard can end a string, start a statement, a comment, a
//! directive, a click or link, or markup; it shows as written.

use std::fmt::{self, Write as _};

use baton_ir::{
    format_duration, Decision, Edge, EndOutcome, Node, NodeKind, Performer, Step, WaitUntil,
    Workflow,
};

use petgraph::graph::{EdgeIndex, NodeIndex};

use crate::dot::{clean, lane, palette, wrap, Lane};
use crate::Direction;

/// Options for [`mermaid`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MermaidOptions {
    pub direction: Direction,
    /// Nodes and edges to draw highlighted (`baton diff` marks what a change added).
    pub highlight: Highlight,
}

/// Nodes and edges drawn with a thick coloured outline, on top of their usual look:
/// `added` ones green, `changed` ones amber.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Highlight {
    pub added_nodes: Vec<NodeIndex>,
    pub changed_nodes: Vec<NodeIndex>,
    pub added_edges: Vec<EdgeIndex>,
}

impl Highlight {
    pub fn is_empty(&self) -> bool {
        self.added_nodes.is_empty() && self.changed_nodes.is_empty() && self.added_edges.is_empty()
    }
}

/// Outline colours of highlighted nodes and edges (GitHub's green and amber).
const ADDED: &str = "#1a7f37";
const CHANGED: &str = "#bf8700";

/// Renders the workflow as a Mermaid `flowchart`, ending with a newline.
pub fn mermaid(workflow: &Workflow, options: &MermaidOptions) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail: the fmt::Result carries no information.
    let _ = write_flowchart(&mut out, workflow, options);
    out
}

/// The look of a node or lane; each becomes one `classDef`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    Start,
    Human,
    Automation,
    Subflow,
    Decision,
    Gateway,
    Bar,
    Wait,
    Success,
    Failure,
    Cancelled,
    RoleLane,
    SystemLane,
}

impl Class {
    const ALL: [Class; 13] = [
        Class::Start,
        Class::Human,
        Class::Automation,
        Class::Subflow,
        Class::Decision,
        Class::Gateway,
        Class::Bar,
        Class::Wait,
        Class::Success,
        Class::Failure,
        Class::Cancelled,
        Class::RoleLane,
        Class::SystemLane,
    ];

    /// The class name; never `default` or `end`, which Mermaid treats specially.
    fn name(self) -> &'static str {
        match self {
            Class::Start => "start",
            Class::Human => "human",
            Class::Automation => "automation",
            Class::Subflow => "subflow",
            Class::Decision => "decision",
            Class::Gateway => "gateway",
            Class::Bar => "bar",
            Class::Wait => "wait",
            Class::Success => "success",
            Class::Failure => "failure",
            Class::Cancelled => "cancelled",
            Class::RoleLane => "roleLane",
            Class::SystemLane => "systemLane",
        }
    }

    /// `fill`, `stroke`, text `color`, and extras. Mermaid's style values cannot hold
    /// `;` (it separates statements), so none is used.
    fn style(self) -> String {
        use palette::*;
        let (fill, stroke, color, extra) = match self {
            Class::Start => (SOLID, SOLID, SOLID, ""),
            Class::Human => (HUMAN_FILL, HUMAN_LINE, SOLID, ""),
            Class::Automation => (AUTO_FILL, AUTO_LINE, SOLID, ""),
            Class::Subflow => (RUN_FILL, RUN_LINE, SOLID, ""),
            Class::Decision => (DECISION_FILL, DECISION_LINE, SOLID, ""),
            Class::Gateway => (GATEWAY_FILL, INK, INK, ""),
            Class::Bar => (SOLID, SOLID, SOLID, ""),
            Class::Wait => (WAIT_FILL, WAIT_LINE, SOLID, ""),
            Class::Success => (SUCCESS_FILL, SUCCESS_LINE, SUCCESS_LINE, ""),
            Class::Failure => (FAILURE_FILL, FAILURE_LINE, FAILURE_LINE, ""),
            Class::Cancelled => (CANCELLED_FILL, CANCELLED_LINE, CANCELLED_LINE, ""),
            Class::RoleLane => (ROLE_LANE_FILL, ROLE_LANE_LINE, INK, ""),
            Class::SystemLane => (
                SYSTEM_LANE_FILL,
                SYSTEM_LANE_LINE,
                INK,
                ",stroke-dasharray:5 5",
            ),
        };
        format!("fill:{fill},stroke:{stroke},color:{color}{extra}")
    }
}

/// The generated id of a node: its index, never user text.
fn node_id(index: usize) -> String {
    format!("n{index}")
}

fn lane_id(lane: Lane) -> String {
    match lane {
        Lane::Role(index) => format!("lane_r{index}"),
        Lane::System(index) => format!("lane_s{index}"),
    }
}

fn write_flowchart(out: &mut String, workflow: &Workflow, options: &MermaidOptions) -> fmt::Result {
    let direction = match options.direction {
        Direction::TopBottom => "TB",
        Direction::LeftRight => "LR",
    };
    writeln!(out, "flowchart {direction}")?;

    // Members of each class, by id, in output order.
    let mut classes: Vec<(Class, Vec<String>)> =
        Class::ALL.iter().map(|c| (*c, Vec::new())).collect();
    let mut add_class = |class: Class, id: String| {
        if let Some((_, members)) = classes.iter_mut().find(|(c, _)| *c == class) {
            members.push(id);
        }
    };

    // Each node into its lane, in one pass; roles first, then systems, each in
    // declaration order, and unused actors get no lane.
    let mut role_lanes: Vec<Vec<(usize, &Node)>> = vec![Vec::new(); workflow.roles.len()];
    let mut system_lanes: Vec<Vec<(usize, &Node)>> = vec![Vec::new(); workflow.systems.len()];
    let mut free = Vec::new();
    for (index, node) in workflow.nodes() {
        let members = match lane(workflow, node) {
            Some(Lane::Role(i)) => role_lanes.get_mut(i),
            Some(Lane::System(i)) => system_lanes.get_mut(i),
            None => None,
        };
        match members {
            Some(members) => members.push((index.index(), node)),
            None => free.push((index.index(), node)),
        }
    }
    let roles = role_lanes.iter().enumerate().map(|(i, members)| {
        let title = workflow.roles.get(i).map_or("", |r| r.label()).to_string();
        (Lane::Role(i), title, Class::RoleLane, members)
    });
    let systems = system_lanes.iter().enumerate().map(|(i, members)| {
        let title = workflow.systems.get(i).map_or("", |s| s.label());
        (
            Lane::System(i),
            format!("⚙ {title}"),
            Class::SystemLane,
            members,
        )
    });
    for (this, title, class, members) in roles.chain(systems) {
        if members.is_empty() {
            continue;
        }
        let id = lane_id(this);
        writeln!(out, "  subgraph {id}[{}]", string(&title))?;
        for (index, node) in members {
            let (shape, class) = node_shape(workflow, node);
            writeln!(out, "    {}{shape}", node_id(*index))?;
            add_class(class, node_id(*index));
        }
        writeln!(out, "  end")?;
        add_class(class, id);
    }
    for (index, node) in free {
        let (shape, class) = node_shape(workflow, node);
        writeln!(out, "  {}{shape}", node_id(index))?;
        add_class(class, node_id(index));
    }

    // Mermaid numbers edges in the order they are written: `linkStyle` needs the index.
    let mut link_styles = Vec::new();
    for (number, (edge_index, from, to, edge)) in workflow.edges().enumerate() {
        let arrow = if edge.back || edge.kind.is_route() {
            "-.->"
        } else {
            "-->"
        };
        let from = node_id(from.index());
        let to = node_id(to.index());
        match edge_label(edge) {
            Some(text) => writeln!(out, "  {from} {arrow}|{}| {to}", string(&text))?,
            None => writeln!(out, "  {from} {arrow} {to}")?,
        }
        if options.highlight.added_edges.contains(&edge_index) {
            link_styles.push(format!(
                "  linkStyle {number} stroke:{ADDED},color:{ADDED},stroke-width:3px"
            ));
        } else if edge.kind.is_route() {
            link_styles.push(format!(
                "  linkStyle {number} stroke:{0},color:{0},stroke-dasharray:2 3",
                palette::ROUTE
            ));
        } else if edge.back {
            let colour = if edge.bound.is_some() {
                palette::BACK
            } else {
                palette::UNBOUNDED
            };
            link_styles.push(format!(
                "  linkStyle {number} stroke:{colour},color:{colour}"
            ));
        }
    }

    for (class, members) in &classes {
        if !members.is_empty() {
            writeln!(out, "  classDef {} {}", class.name(), class.style())?;
        }
    }
    for (class, members) in &classes {
        if !members.is_empty() {
            writeln!(out, "  class {} {}", members.join(","), class.name())?;
        }
    }
    // After the kinds' classes, so the outline wins over theirs.
    for (name, colour, nodes) in [
        ("added", ADDED, &options.highlight.added_nodes),
        ("changed", CHANGED, &options.highlight.changed_nodes),
    ] {
        let mut members: Vec<usize> = nodes
            .iter()
            .map(|n| n.index())
            .filter(|i| *i < workflow.graph.node_count())
            .collect();
        members.sort_unstable();
        members.dedup();
        if !members.is_empty() {
            writeln!(out, "  classDef {name} stroke:{colour},stroke-width:4px")?;
            let ids: Vec<String> = members.into_iter().map(node_id).collect();
            writeln!(out, "  class {} {name}", ids.join(","))?;
        }
    }
    for line in link_styles {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// The shape with its label (what follows the id), and the node's class.
fn node_shape(workflow: &Workflow, node: &Node) -> (String, Class) {
    let title = node.title().unwrap_or(&node.id);
    match &node.kind {
        // A one-space label keeps the circle small; the class fills it.
        NodeKind::Start => ("((\" \"))".to_string(), Class::Start),
        NodeKind::Step(step) => step_shape(workflow, step, title),
        NodeKind::Decision(decision) => {
            let label = two_lines(&wrap(title, 24), decision_detail(workflow, decision));
            (format!("{{{}}}", string(&label)), Class::Decision)
        }
        // The fork shape draws no label, so a parallel's title is not shown here; it is
        // in the Markdown page.
        NodeKind::Fork { .. } | NodeKind::Join { .. } => {
            ("@{ shape: fork }".to_string(), Class::Bar)
        }
        NodeKind::Wait { title, until } => {
            let what = match until {
                WaitUntil::Until(expr) => format!("◷ until {expr}"),
                WaitUntil::For(seconds) => format!("◷ for {}", format_duration(*seconds)),
            };
            let label = match title {
                Some(title) => two_lines(title, Some(what)),
                None => what,
            };
            (format!("([{}])", string(&label)), Class::Wait)
        }
        NodeKind::Branch { subject } => {
            // Guards and arms are on the out-edges; the gateway names its subject.
            let label = subject.as_deref().unwrap_or("");
            (format!("{{{}}}", string(label)), Class::Gateway)
        }
        NodeKind::End { outcome, .. } => {
            let class = match outcome {
                EndOutcome::Success => Class::Success,
                EndOutcome::Failure => Class::Failure,
                EndOutcome::Cancelled => Class::Cancelled,
            };
            // The circle grows with its label: wrap long titles to keep it compact.
            (format!("((({})))", string(&wrap(title, 12))), class)
        }
    }
}

fn step_shape(workflow: &Workflow, step: &Step, title: &str) -> (String, Class) {
    let (detail, open, close, class) = match &step.performer {
        Performer::Role { role } => {
            let role = workflow.role(role).map_or(role.as_str(), |r| r.label());
            (role.to_string(), "(", ")", Class::Human)
        }
        Performer::System { system, action } => {
            let what = match action {
                Some(action) => action.as_str(),
                None => workflow
                    .system(system)
                    .map_or(system.as_str(), |s| s.label()),
            };
            // A no-break space keeps the gear with its action when Mermaid wraps.
            (format!("⚙\u{a0}{what}"), "[", "]", Class::Automation)
        }
        // The subroutine shape (double sides) is the usual mark of a sub-process call.
        Performer::Workflow { workflow, .. } => {
            (format!("run {workflow}"), "[[", "]]", Class::Subflow)
        }
    };
    let detail = join_detail(detail, step.takes.map(format_duration));
    let label = two_lines(title, Some(detail));
    (format!("{open}{}{close}", string(&label)), class)
}

fn decision_detail(workflow: &Workflow, decision: &Decision) -> Option<String> {
    let role = decision
        .role
        .as_deref()
        .map(|role| workflow.role(role).map_or(role, |r| r.label()).to_string());
    let takes = decision.takes.map(format_duration);
    match role {
        Some(role) => Some(join_detail(role, takes)),
        None => takes,
    }
}

/// The edge's label: outcome, guard, arm or branch, then the loop bound.
fn edge_label(edge: &Edge) -> Option<String> {
    // An empty branch title has nothing to say; a label of one space would be noise.
    let base = edge.kind.label().filter(|base| !base.is_empty());
    let note = match (edge.bound, edge.back) {
        // A no-break space: Mermaid wraps long labels, and `(≤` alone on a line is noise.
        (Some(bound), _) => Some(format!("(≤\u{a0}{bound}×)")),
        (None, true) => Some("(unbounded)".to_string()),
        (None, false) => None,
    };
    match (base, note) {
        (Some(base), Some(note)) => Some(format!("{base} {note}")),
        (base, note) => base.or(note),
    }
}

/// `a · b`, leaving out a missing `b`.
fn join_detail(first: String, second: Option<String>) -> String {
    match second {
        Some(second) => format!("{first} · {second}"),
        None => first,
    }
}

/// Title, then a second line unless it is missing or empty.
fn two_lines(title: &str, detail: Option<String>) -> String {
    match detail {
        Some(detail) if !detail.is_empty() => format!("{title}\n{detail}"),
        _ => title.to_string(),
    }
}

/// Characters that would be invisible, or would change the look of the text around
/// them, if written as they are: format characters (bidirectional controls,
/// zero-width characters, the byte-order mark, the soft hyphen, tag characters) and
/// Unicode line or paragraph separators and other non-ASCII spaces. Backends write
/// them as numeric codes so that the generated source shows them.
pub(crate) fn is_invisible(c: char) -> bool {
    (!c.is_ascii() && c.is_whitespace())
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}'
            | '\u{17B5}' | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}'
            | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// ASCII characters written as they are in a label: none of them means anything to
/// Mermaid's preprocessing, its flowchart grammar inside a string, or its renderer.
fn is_plain(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            ' ' | '.'
                | ','
                | '?'
                | '!'
                | '-'
                | '_'
                | '\''
                | '('
                | ')'
                | '/'
                | '+'
                | '*'
                | '='
                | '@'
        )
}

/// A Mermaid string with its double quotes, showing `text` exactly as written.
///
/// - Letters, digits, non-ASCII text (accents, CJK, emoji, `⚙`) and `. , ? ! - _ ' ( )
///   / + * = @` and the space are written as they are.
/// - Line breaks become `<br>`, the one piece of markup Mermaid turns into a line break
///   whatever its `htmlLabels` setting.
/// - Every other ASCII character becomes an entity code: `#quot;` `#lt;` `#gt;` `#amp;`
///   (which also mean the same in SVG text) or `#NN;`, so `"` cannot end the string,
///   `%%` cannot start a comment or directive, `#…;` in user text is not taken for an
///   entity, `<…>` is not markup, `|` cannot end an edge label, `` ` `` cannot start a
///   Markdown string, and `:` `;` `{}` `[]` never reach the grammar.
/// - Invisible characters ([`is_invisible`]) become numeric codes too, so the source
///   shows them; control characters become U+FFFD (see `dot::clean`).
/// - The space after `direction` is coded (`#32;`): Mermaid's flowchart lexer takes a
///   line with `direction TB` (or `LR`, …) anywhere in it for a direction statement.
/// - A zero-width space (`#8203;`) splits the few sequences that Mermaid's renderer
///   still acts on after it has decoded the entity codes (it decodes, sanitises with
///   DOMPurify, which turns codes back into characters, and decodes again): `$$`
///   (KaTeX maths), `fa:` before `fa-` (Font Awesome icons), and `ﬂ°` and `¶ß` (its
///   internal stand-ins for `&` and `;`). The text looks the same; it is not
///   reinterpreted.
///
/// The result is never `""`, which Mermaid rejects: empty text is one space.
pub(crate) fn string(text: &str) -> String {
    const SPLIT: &str = "#8203;";
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    let mut previous = None;
    for c in clean(text) {
        let splits = matches!(
            (previous, c),
            (Some('$'), '$') | (Some('ﬂ'), '°') | (Some('¶'), 'ß')
        ) || (c == ':' && ends_with_icon_prefix(&out));
        if splits {
            out.push_str(SPLIT);
        }
        match c {
            '\n' => out.push_str("<br>"),
            // The flowchart lexer reads any line containing `direction` + space + `TB`
            // (or `LR`, …) as a direction statement, quotes or not: the space is coded.
            ' ' if ends_with_ignoring_case(&out, "direction") => out.push_str("#32;"),
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            c if is_plain(c) => out.push(c),
            c if c.is_ascii() || is_invisible(c) => {
                let _ = write!(out, "#{};", u32::from(c));
            }
            c => out.push(c),
        }
        previous = Some(c);
    }
    if out.len() == 1 {
        out.push(' ');
    }
    out.push('"');
    out
}

fn ends_with_ignoring_case(text: &str, suffix: &str) -> bool {
    text.len() >= suffix.len()
        && text.is_char_boundary(text.len() - suffix.len())
        && text[text.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

/// Whether the output ends with an icon prefix (`fa`, `fab`, `fak`, `fal`, `far`,
/// `fas`) that a `:` would join to a following `fa-name`. Letters are written as they
/// are, so the output's tail is the text's tail.
fn ends_with_icon_prefix(out: &str) -> bool {
    let bytes = out.as_bytes();
    match bytes {
        [.., b'f', b'a'] => true,
        [.., b'f', b'a', last] => matches!(last, b'b' | b'k' | b'l' | b'r' | b's'),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::string;

    #[test]
    fn plain_text_stays_readable() {
        assert_eq!(string("Draft the email"), r##""Draft the email""##);
        assert_eq!(
            string("Approve? Yes, now! (v2) a-b_c/d+e*f=g@h 'x'"),
            r##""Approve? Yes, now! (v2) a-b_c/d+e*f=g@h 'x'""##
        );
        assert_eq!(string("Café ⚙ 漢字 🎉 ≤ 3×"), "\"Café ⚙ 漢字 🎉 ≤ 3×\"");
    }

    #[test]
    fn quotes_and_markup_become_entity_codes() {
        assert_eq!(string(r##"say "hi""##), r##""say #quot;hi#quot;""##);
        assert_eq!(string("<b>x</b>"), r##""#lt;b#gt;x#lt;/b#gt;""##);
        assert_eq!(string("a & b"), r##""a #amp; b""##);
        assert_eq!(
            string("<img src=x onerror=alert(1)>"),
            "\"#lt;img src=x onerror=alert(1)#gt;\""
        );
    }

    #[test]
    fn hash_and_semicolon_cannot_form_entities() {
        // User text that looks like an entity code is shown as typed.
        assert_eq!(string("#quot;"), r##""#35;quot#59;""##);
        assert_eq!(string("#35;"), r##""#35;35#59;""##);
        assert_eq!(string("&amp;"), r##""#amp;amp#59;""##);
    }

    #[test]
    fn statement_syntax_is_encoded() {
        assert_eq!(string("a --> b"), r##""a --#gt; b""##);
        assert_eq!(
            string("x\"] --> evil[\"y"),
            r##""x#quot;#93; --#gt; evil#91;#quot;y""##
        );
        assert_eq!(string("a | b"), r##""a #124; b""##);
        assert_eq!(
            string("]] }} {{ ;"),
            r##""#93;#93; #125;#125; #123;#123; #59;""##
        );
        assert_eq!(string("click n0 call x()"), r##""click n0 call x()""##);
        assert_eq!(string("a:::b"), r##""a#58;#58;#58;b""##);
    }

    #[test]
    fn comments_directives_and_renderer_syntax_are_encoded() {
        assert_eq!(string("%% c"), r##""#37;#37; c""##);
        assert_eq!(
            string("%%{init: {\"theme\":\"dark\"}}%%"),
            r##""#37;#37;#123;init#58; #123;#quot;theme#quot;#58;#quot;dark#quot;#125;#125;#37;#37;""##
        );
        assert_eq!(string("`md`"), r##""#96;md#96;""##);
        assert_eq!(string(r"back\slash ~ ^"), r##""back#92;slash #126; #94;""##);
    }

    #[test]
    fn line_breaks_become_br() {
        assert_eq!(
            string("one\ntwo\r\nthree\rfour"),
            r##""one<br>two<br>three<br>four""##
        );
        assert_eq!(string("tab\there"), r##""tab here""##);
    }

    #[test]
    fn invisible_and_control_characters_are_visible_in_the_source() {
        assert_eq!(
            string("\u{202E}rtl\u{200B}\u{FEFF}\u{00A0}\u{2028}"),
            r##""#8238;rtl#8203;#65279;#160;#8232;""##
        );
        assert_eq!(
            string("a\u{1}b\u{7f}c\u{FFFE}"),
            "\"a\u{FFFD}b\u{FFFD}c\u{FFFD}\""
        );
    }

    #[test]
    fn direction_statements_cannot_form() {
        assert_eq!(string("direction LR"), r##""direction#32;LR""##);
        assert_eq!(
            string("Change DIRECTION  TB"),
            r##""Change DIRECTION#32; TB""##
        );
        assert_eq!(string("directions LR"), r##""directions LR""##);
    }

    #[test]
    fn sequences_the_renderer_acts_on_are_split() {
        assert_eq!(
            string("$$x^2$$ $5"),
            r##""#36;#8203;#36;x#94;2#36;#8203;#36; #36;5""##
        );
        assert_eq!(string("fa:fa-car"), r##""fa#8203;#58;fa-car""##);
        assert_eq!(
            string("fab:fa-x fas:y"),
            r##""fab#8203;#58;fa-x fas#8203;#58;y""##
        );
        assert_eq!(string("sofa: ok"), r##""sofa#8203;#58; ok""##);
        assert_eq!(string("fax:fa-x"), r##""fax#58;fa-x""##);
        // Mermaid's own stand-ins for `&` and `;`.
        assert_eq!(string("ﬂ°lt¶ß"), r##""ﬂ#8203;°lt¶#8203;ß""##);
    }

    #[test]
    fn empty_text_is_a_space() {
        assert_eq!(string(""), r##"" ""##);
    }
}
