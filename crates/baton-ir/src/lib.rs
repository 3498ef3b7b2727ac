//! The Baton IR: a checked workflow as a petgraph graph of typed nodes and labelled
//! edges. It is the contract between the checker (the only producer) and the backends.
//!
//! Invariants, guaranteed by `baton-check` for every `Workflow` it hands out:
//! - node ids are unique and stable: user names for named nodes, `kind#n` (numbered in
//!   source order) for anonymous ones, `#start` for the start;
//! - every reference (role, system, variable, enum variant, workflow) resolves;
//! - node and edge order follow the source, so serialisations are deterministic.
//!
//! The JSON form (see [`Workflow::to_json`] and `docs/ir-json.md`) is versioned by
//! [`FORMAT_VERSION`].

mod expr;
mod review;
pub mod timing;

use baton_diagnostics::Span;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;

pub use expr::{BinaryOp, Expr, ExprKind, Type, Value};
/// Names, ids and titles: short ones inline, clones cheap (the IR shares the AST's).
pub use smol_str::SmolStr;

/// Version of the JSON format. Bumped on any incompatible change.
pub const FORMAT_VERSION: u32 = 2;

/// A checked workflow.
#[derive(Clone, Debug)]
pub struct Workflow {
    pub name: SmolStr,
    pub title: Option<SmolStr>,
    pub description: Option<SmolStr>,
    /// Whole-workflow SLA, in seconds.
    pub deadline: Option<u64>,
    pub roles: Vec<Actor>,
    pub systems: Vec<Actor>,
    pub inputs: Vec<Variable>,
    /// Variables set by steps, in order of first definition.
    pub variables: Vec<Variable>,
    /// Variables handed back to a caller (`output a, b` at workflow level).
    pub outputs: Vec<SmolStr>,
    /// Workflows this one runs with `run`, by name, with the file they come from.
    pub imports: Vec<Import>,
    pub graph: DiGraph<Node, Edge>,
    pub start: NodeIndex,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Actor {
    pub id: SmolStr,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<SmolStr>,
    pub span: Span,
}

impl Actor {
    /// The title if there is one, else the id.
    pub fn label(&self) -> &str {
        self.title.as_deref().unwrap_or(&self.id)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Variable {
    pub name: SmolStr,
    #[serde(rename = "type")]
    pub ty: Type,
    /// The node that sets it; `None` for inputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set_by: Option<SmolStr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Import {
    pub workflow: SmolStr,
    pub path: SmolStr,
    /// The imported file, for finding its IR (`baton_check::Analysis::imported`); not in
    /// the JSON form, where `path` says the same.
    #[serde(skip)]
    pub file: baton_diagnostics::FileId,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Node {
    pub id: SmolStr,
    #[serde(flatten)]
    pub kind: NodeKind,
    /// The whole node in the source.
    pub span: Span,
    /// The node's name, or its keyword when it has none: where diagnostics point.
    pub name_span: Span,
}

impl Node {
    /// The title if the node has one.
    pub fn title(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Step(s) => s.title.as_deref(),
            NodeKind::Decision(d) => d.title.as_deref(),
            NodeKind::Fork { title } | NodeKind::Wait { title, .. } => title.as_deref(),
            NodeKind::End { title, .. } => title.as_deref(),
            NodeKind::Start | NodeKind::Join { .. } | NodeKind::Branch { .. } => None,
        }
    }

    /// The role responsible for the node, if any.
    pub fn role(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Step(Step {
                performer: Performer::Role { role },
                ..
            }) => Some(role),
            NodeKind::Decision(d) => d.role.as_deref(),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NodeKind {
    Start,
    Step(Step),
    Decision(Decision),
    /// Starts the branches of a `parallel`.
    Fork {
        #[serde(skip_serializing_if = "Option::is_none")]
        title: Option<SmolStr>,
    },
    /// Waits for every branch of the fork `fork`.
    Join {
        fork: SmolStr,
    },
    Wait {
        #[serde(skip_serializing_if = "Option::is_none")]
        title: Option<SmolStr>,
        #[serde(flatten)]
        until: WaitUntil,
    },
    /// A data-driven branch (`if` or `match`): its out-edges carry guards.
    Branch {
        #[serde(skip_serializing_if = "Option::is_none")]
        subject: Option<SmolStr>,
    },
    End {
        #[serde(skip_serializing_if = "Option::is_none")]
        title: Option<SmolStr>,
        outcome: EndOutcome,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitUntil {
    /// A point in time computed from data.
    Until(Expr),
    /// A fixed delay, in seconds.
    For(u64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndOutcome {
    Success,
    Failure,
    Cancelled,
}

impl EndOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            EndOutcome::Success => "success",
            EndOutcome::Failure => "failure",
            EndOutcome::Cancelled => "cancelled",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Step {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<SmolStr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<SmolStr>,
    pub performer: Performer,
    /// Expected duration, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub takes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry: Option<u32>,
    /// In seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<SmolStr>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<SmolStr>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub consult: Vec<SmolStr>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notify: Vec<SmolStr>,
}

/// Who does a step.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Performer {
    /// A person in this role.
    Role { role: SmolStr },
    /// Automation run by a system.
    System {
        system: SmolStr,
        #[serde(skip_serializing_if = "Option::is_none")]
        action: Option<SmolStr>,
    },
    /// Another workflow, with the values passed to its inputs.
    Workflow {
        workflow: SmolStr,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        args: Vec<Argument>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Argument {
    pub input: SmolStr,
    pub value: Expr,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decision {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<SmolStr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<SmolStr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<SmolStr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub takes: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub consult: Vec<SmolStr>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notify: Vec<SmolStr>,
    /// `@allow(self_review)`: whoever did the reviewed work may take the decision.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allow_self_review: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Edge {
    #[serde(flatten)]
    pub kind: EdgeKind,
    /// `at most N times`: how often this edge may be taken in one instance. A loop is
    /// bounded when any of its edges has a bound (not necessarily its back edge).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound: Option<u32>,
    /// Whether the edge closes a loop: it goes to a node written earlier (or to itself)
    /// from which its source can be reached again. Every cycle has one such edge.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub back: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EdgeKind {
    /// Plain sequence: the next node in order.
    Next,
    /// A fork's edge into one of its branches.
    Branch {
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<SmolStr>,
        #[serde(skip_serializing_if = "Option::is_none")]
        title: Option<SmolStr>,
    },
    /// A decision's outcome.
    Outcome {
        name: SmolStr,
        #[serde(skip_serializing_if = "Option::is_none")]
        title: Option<SmolStr>,
    },
    /// Taken when the guard holds.
    Guard { guard: Expr },
    /// A `match` arm: taken when the subject is one of the variants.
    Arm { variants: Vec<SmolStr> },
    /// Taken when no guard or arm of the branch holds.
    Else,
    /// A step's `on failure` route: taken when the step fails after its retries. The
    /// step's outputs are not set on it.
    Failure,
    /// A step's `on timeout` route: taken when the step runs past its `timeout`. The
    /// step's outputs are not set on it.
    Timeout,
}

impl EdgeKind {
    /// A short label for diagrams, e.g. the outcome name or the guard.
    pub fn label(&self) -> Option<String> {
        match self {
            EdgeKind::Next => None,
            EdgeKind::Branch { name, title } => {
                title.as_ref().or(name.as_ref()).map(|l| l.to_string())
            }
            EdgeKind::Outcome { name, title } => Some(title.as_ref().unwrap_or(name).to_string()),
            EdgeKind::Guard { guard } => Some(guard.to_string()),
            EdgeKind::Arm { variants } => Some(variants.join(", ")),
            EdgeKind::Else => Some("else".to_string()),
            EdgeKind::Failure => Some("on failure".to_string()),
            EdgeKind::Timeout => Some("on timeout".to_string()),
        }
    }

    /// Whether the edge is a failure or timeout route: the way out of a step that did not
    /// complete, so the step's outputs are not set on it.
    pub fn is_route(&self) -> bool {
        matches!(self, EdgeKind::Failure | EdgeKind::Timeout)
    }
}

impl Workflow {
    pub fn node(&self, index: NodeIndex) -> &Node {
        &self.graph[index]
    }

    /// Nodes in source order.
    pub fn nodes(&self) -> impl Iterator<Item = (NodeIndex, &Node)> {
        self.graph.node_indices().map(|i| (i, &self.graph[i]))
    }

    /// Edges in source order: (index, from, to, edge).
    pub fn edges(&self) -> impl Iterator<Item = (EdgeIndex, NodeIndex, NodeIndex, &Edge)> {
        self.graph
            .edge_references()
            .map(|e| (e.id(), e.source(), e.target(), e.weight()))
    }

    pub fn find(&self, id: &str) -> Option<NodeIndex> {
        self.graph.node_indices().find(|i| self.graph[*i].id == id)
    }

    pub fn role(&self, id: &str) -> Option<&Actor> {
        self.roles.iter().find(|r| r.id == id)
    }

    pub fn system(&self, id: &str) -> Option<&Actor> {
        self.systems.iter().find(|s| s.id == id)
    }

    /// The stable JSON form, pretty-printed, ending with a newline.
    pub fn to_json(&self) -> String {
        let mut json = serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        json.push('\n');
        json
    }
}

/// An edge as it appears in JSON: endpoints by node id.
#[derive(Serialize)]
struct JsonEdge<'a> {
    from: &'a str,
    to: &'a str,
    #[serde(flatten)]
    edge: &'a Edge,
}

impl Serialize for Workflow {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let nodes: Vec<&Node> = self.graph.node_weights().collect();
        let edges: Vec<JsonEdge> = self
            .edges()
            .map(|(_, from, to, edge)| JsonEdge {
                from: &self.graph[from].id,
                to: &self.graph[to].id,
                edge,
            })
            .collect();
        let mut s = serializer.serialize_struct("Workflow", 14)?;
        s.serialize_field("format", "baton-ir")?;
        s.serialize_field("version", &FORMAT_VERSION)?;
        s.serialize_field("name", &self.name)?;
        s.serialize_field("title", &self.title)?;
        s.serialize_field("description", &self.description)?;
        s.serialize_field("deadline", &self.deadline)?;
        s.serialize_field("roles", &self.roles)?;
        s.serialize_field("systems", &self.systems)?;
        s.serialize_field("inputs", &self.inputs)?;
        s.serialize_field("variables", &self.variables)?;
        s.serialize_field("outputs", &self.outputs)?;
        s.serialize_field("imports", &self.imports)?;
        s.serialize_field("start", &self.graph[self.start].id)?;
        s.serialize_field("nodes", &nodes)?;
        s.serialize_field("edges", &edges)?;
        s.end()
    }
}

/// Seconds as an ISO 8601 duration (the plan's value encoding, FEEL's days-and-time
/// duration): `5400` → `PT1H30M`; `0` → `PT0S`. Weeks are written as days (`P7D`).
pub fn iso_duration(seconds: u64) -> String {
    if seconds == 0 {
        return "PT0S".to_string();
    }
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (hours, rest) = (rest / 3_600, rest % 3_600);
    let (minutes, secs) = (rest / 60, rest % 60);
    let mut out = String::from("P");
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if hours + minutes + secs > 0 {
        out.push('T');
        for (n, unit) in [(hours, 'H'), (minutes, 'M'), (secs, 'S')] {
            if n > 0 {
                out.push_str(&format!("{n}{unit}"));
            }
        }
    }
    out
}

/// Human-readable duration, e.g. `1d 4h` for 100800 seconds.
pub fn format_duration(seconds: u64) -> String {
    if seconds == 0 {
        return "0s".to_string();
    }
    let units = [
        ("w", 604_800),
        ("d", 86_400),
        ("h", 3_600),
        ("m", 60),
        ("s", 1),
    ];
    let mut rest = seconds;
    let mut parts = Vec::new();
    for (unit, size) in units {
        if rest >= size {
            parts.push(format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::format_duration;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(0), "0s");
        assert_eq!(format_duration(600), "10m");
        assert_eq!(format_duration(100_800), "1d 4h");
        assert_eq!(format_duration(694_861), "1w 1d 1h 1m 1s");
    }
}
