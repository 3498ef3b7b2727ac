//! `baton diff`: what a change to a workflow means, computed on two checked IRs.
//!
//! [`diff`] pairs the nodes of the old and the new [`Workflow`] ([`matching`]: by name,
//! then by title and by position in the graph, so a renamed step is a rename), then
//! compares them group by group, most important first:
//!
//! - [`paths`]: what every route to each end must pass (dominators, and one search per
//!   role), ends that became unreachable or reachable, routes added, removed or moved;
//! - [`people`]: work gained and lost per role, RACI, hand-offs, separation of duties;
//! - [`steps`]: nodes added, removed, renamed, and every clause that changed;
//! - [`time`]: the critical path to each end against the deadline;
//! - [`data`]: inputs, outputs and variables, with what breaks for callers.
//!
//! When a side does not check, [`partial`] compares the two syntax trees instead: what
//! the text says about declarations, inputs and outputs and each node by name.
//!
//! The result is a list of [`Change`]s, each with a [`Kind`], the ids it is about and a
//! [`Message`] whose pieces know which text is a name and which is a title, so every
//! renderer ([`render`]: text, JSON, Markdown) escapes user text for its target. Nothing
//! here reads files or prints. Everything is linear in nodes + edges (times the number
//! of ends or roles for the path group); no path is ever enumerated.

pub mod data;
pub mod matching;
pub mod partial;
pub mod paths;
pub mod people;
pub mod render;
pub mod steps;
pub mod time;

use baton_ir::{NodeKind, SmolStr, Workflow};
use serde::Serialize;
use serde_json::Value;

pub use data::caller_impact;
pub use matching::Matching;

/// Version of the JSON format (`docs/diff.md`). Bumped on any incompatible change.
pub const FORMAT_VERSION: u32 = 1;

/// The groups of changes, in the order they matter to a reviewer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Paths,
    People,
    Steps,
    Time,
    Data,
}

impl Group {
    pub const ALL: [Group; 5] = [
        Group::Paths,
        Group::People,
        Group::Steps,
        Group::Time,
        Group::Data,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Group::Paths => "paths",
            Group::People => "people",
            Group::Steps => "steps",
            Group::Time => "time",
            Group::Data => "data",
        }
    }

    /// The heading in text and Markdown.
    pub fn heading(self) -> &'static str {
        match self {
            Group::Paths => "Paths",
            Group::People => "People",
            Group::Steps => "Steps",
            Group::Time => "Time",
            Group::Data => "Data and callers",
        }
    }
}

macro_rules! kinds {
    ($($group:ident { $($kind:ident = $name:literal,)* })*) => {
        /// What changed. Within a group, kinds are declared (and sorted) by importance.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Kind { $($($kind,)*)* }

        impl Kind {
            /// Every kind, in order.
            pub const ALL: &'static [Kind] = &[$($(Kind::$kind,)*)*];

            /// The stable name used in JSON.
            pub fn as_str(self) -> &'static str {
                match self { $($(Kind::$kind => $name,)*)* }
            }

            pub fn group(self) -> Group {
                match self { $($(Kind::$kind => Group::$group,)*)* }
            }
        }
    };
}

kinds! {
    Paths {
        EndBypassesNode = "end_bypasses_node",
        EndBypassesRole = "end_bypasses_role",
        EndUnreachable = "end_unreachable",
        EndReachable = "end_reachable",
        EndOutcomeChanged = "end_outcome_changed",
        EndRequiresNode = "end_requires_node",
        EndRequiresRole = "end_requires_role",
        RouteChanged = "route_changed",
        RouteRemoved = "route_removed",
        RouteAdded = "route_added",
        RouteRelabelled = "route_relabelled",
    }
    People {
        SeparationLost = "separation_lost",
        SeparationRestored = "separation_restored",
        RoleGainsWork = "role_gains_work",
        RoleLosesWork = "role_loses_work",
        HandOffAdded = "hand_off_added",
        HandOffRemoved = "hand_off_removed",
        ConsultAdded = "consult_added",
        ConsultRemoved = "consult_removed",
        NotifyAdded = "notify_added",
        NotifyRemoved = "notify_removed",
        RoleAdded = "role_added",
        RoleRemoved = "role_removed",
        RoleRetitled = "role_retitled",
        SystemAdded = "system_added",
        SystemRemoved = "system_removed",
        SystemRetitled = "system_retitled",
    }
    Steps {
        NodeRemoved = "node_removed",
        NodeAdded = "node_added",
        NodeRenamed = "node_renamed",
        PerformerChanged = "performer_changed",
        ActionChanged = "action_changed",
        RunArgumentsChanged = "run_arguments_changed",
        LoopBoundChanged = "loop_bound_changed",
        RetryChanged = "retry_changed",
        TimeoutChanged = "timeout_changed",
        TakesChanged = "takes_changed",
        WaitChanged = "wait_changed",
        TitleChanged = "title_changed",
        DescriptionChanged = "description_changed",
        WorkflowRetitled = "workflow_retitled",
    }
    Time {
        DeadlineMissed = "deadline_missed",
        DeadlineMet = "deadline_met",
        DeadlineChanged = "deadline_changed",
        CriticalPathChanged = "critical_path_changed",
    }
    Data {
        CallerBreaks = "caller_breaks",
        WorkflowRenamed = "workflow_renamed",
        InputAdded = "input_added",
        InputRemoved = "input_removed",
        InputTypeChanged = "input_type_changed",
        InputDefaultChanged = "input_default_changed",
        OutputRemoved = "output_removed",
        OutputAdded = "output_added",
        OutputTypeChanged = "output_type_changed",
        VariableAdded = "variable_added",
        VariableRemoved = "variable_removed",
        VariableTypeChanged = "variable_type_changed",
        NeedsAdded = "needs_added",
        NeedsRemoved = "needs_removed",
    }
}

impl Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One piece of a message: plain words, a name (an id, shown as code), or user text
/// (a title, an action, an expression), which renderers escape for their target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Words(String),
    Name(SmolStr),
    Text(String),
}

/// A sentence about a change, built from [`Piece`]s.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Message(pub Vec<Piece>);

impl Message {
    pub fn new() -> Message {
        Message::default()
    }

    /// Plain words.
    pub fn w(mut self, words: impl Into<String>) -> Message {
        self.0.push(Piece::Words(words.into()));
        self
    }

    /// A name: shown in backticks.
    pub fn n(mut self, name: impl Into<SmolStr>) -> Message {
        self.0.push(Piece::Name(name.into()));
        self
    }

    /// User text: shown in quotes.
    pub fn t(mut self, text: impl Into<String>) -> Message {
        self.0.push(Piece::Text(text.into()));
        self
    }

    /// Another message's pieces.
    pub fn m(mut self, other: Message) -> Message {
        self.0.extend(other.0);
        self
    }

    /// Names separated by commas, with "and" before the last.
    pub fn names<S: AsRef<str>>(mut self, names: &[S]) -> Message {
        for (i, name) in names.iter().enumerate() {
            if i > 0 {
                let sep = if i + 1 == names.len() { " and " } else { ", " };
                self.0.push(Piece::Words(sep.to_string()));
            }
            self.0.push(Piece::Name(name.as_ref().into()));
        }
        self
    }

    /// The message as plain text: names in backticks, user text in double quotes.
    pub fn plain(&self) -> String {
        let mut out = String::new();
        for piece in &self.0 {
            match piece {
                Piece::Words(words) => out.push_str(words),
                Piece::Name(name) => {
                    out.push('`');
                    out.push_str(name);
                    out.push('`');
                }
                Piece::Text(text) => {
                    out.push('"');
                    out.push_str(text);
                    out.push('"');
                }
            }
        }
        out
    }
}

impl Serialize for Message {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.plain())
    }
}

/// One change in meaning.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    pub group: Group,
    pub kind: Kind,
    /// Whether workflows that `run` this one can break.
    pub breaking: bool,
    /// The node the change is about: its new id, or its old id when it was removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<SmolStr>,
    /// The old id of a renamed node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_node: Option<SmolStr>,
    /// Several nodes (work a role gains or loses, the steps a decision reviews).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<SmolStr>,
    /// The ends concerned (path and time changes).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ends: Vec<SmolStr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<SmolStr>,
    /// The role on the other side of a hand-off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_role: Option<SmolStr>,
    /// An input, output, variable, system or workflow name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<SmolStr>,
    /// For a change to a route out of a node: the kind of edge, as the IR's JSON names
    /// it (`next`, `outcome`, `guard`, `arm`, `else`, `branch`, `failure`, `timeout`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edge: Option<SmolStr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
    pub message: Message,
}

impl Change {
    pub fn new(kind: Kind, message: Message) -> Change {
        Change {
            group: kind.group(),
            kind,
            breaking: false,
            node: None,
            old_node: None,
            nodes: Vec::new(),
            ends: Vec::new(),
            role: None,
            to_role: None,
            name: None,
            edge: None,
            before: None,
            after: None,
            message,
        }
    }

    pub fn breaking(mut self) -> Change {
        self.breaking = true;
        self
    }

    pub fn node(mut self, id: &str) -> Change {
        self.node = Some(id.into());
        self
    }

    pub fn role(mut self, role: &str) -> Change {
        self.role = Some(role.into());
        self
    }

    pub fn name(mut self, name: &str) -> Change {
        self.name = Some(name.into());
        self
    }

    pub fn edge(mut self, kind: &baton_ir::EdgeKind) -> Change {
        self.edge = Some(matching::edge_tag(kind).into());
        self
    }

    pub fn before_after(mut self, before: impl Into<Value>, after: impl Into<Value>) -> Change {
        self.before = Some(before.into());
        self.after = Some(after.into());
        self
    }

    /// Whether `--fail-on paths` counts this change: a route to an end changed.
    pub fn is_path(&self) -> bool {
        self.group == Group::Paths
    }
}

/// Both workflows, with their nodes paired, and what the workflows their `run` steps
/// start mean for roles (empty when the callee could not be read).
pub struct Pair<'a> {
    pub old: &'a Workflow,
    pub new: &'a Workflow,
    pub matching: Matching,
    pub old_subflows: &'a Subflows,
    pub new_subflows: &'a Subflows,
}

/// The roles of a sub-workflow, as seen from a `run` step that starts it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Subflow {
    /// Roles whose work every route from its start to any of its ends passes.
    pub must_pass: Vec<SmolStr>,
    /// Roles that can do its first work (reached from its start through automation,
    /// forks and branches only): whoever hands work to the `run` step hands it to them.
    pub entry: Vec<SmolStr>,
    /// Roles that can do its last work (an end reached from their work through nodes
    /// without a role): they hand the work back to whoever follows the `run` step.
    pub exit: Vec<SmolStr>,
}

/// Sub-workflows by workflow name.
pub type Subflows = std::collections::BTreeMap<SmolStr, Subflow>;

impl Subflow {
    /// The roles of `workflow` for a caller. Linear per role. One level: the run steps
    /// of `workflow` itself count as work by nobody.
    pub fn of(workflow: &Workflow) -> Subflow {
        use petgraph::Direction;
        let graph = &workflow.graph;
        let ends = paths::end_nodes(workflow);
        let mut must_pass = Vec::new();
        for role in &workflow.roles {
            let avoiding = paths::reachable(workflow, |n| graph[n].role() == Some(&role.id));
            if !ends.is_empty() && ends.iter().all(|e| !avoiding[e.index()]) {
                must_pass.push(role.id.clone());
            }
        }
        // First work: from the start through role-less nodes.
        let mut entry = Vec::new();
        let mut seen = vec![false; graph.node_count()];
        let mut stack = vec![workflow.start];
        while let Some(at) = stack.pop() {
            if std::mem::replace(&mut seen[at.index()], true) {
                continue;
            }
            match graph[at].role() {
                Some(role) => entry.push(SmolStr::from(role)),
                None => stack.extend(graph.neighbors_directed(at, Direction::Outgoing)),
            }
        }
        // Last work: back from the ends through role-less nodes.
        let mut exit = Vec::new();
        let mut seen = vec![false; graph.node_count()];
        let mut stack = ends;
        while let Some(at) = stack.pop() {
            if std::mem::replace(&mut seen[at.index()], true) {
                continue;
            }
            match graph[at].role() {
                Some(role) => exit.push(SmolStr::from(role)),
                None => stack.extend(graph.neighbors_directed(at, Direction::Incoming)),
            }
        }
        for list in [&mut entry, &mut exit] {
            list.sort();
            list.dedup();
        }
        Subflow {
            must_pass,
            entry,
            exit,
        }
    }
}

/// The sub-workflow a `run` step starts, if `node` is one and it is known.
pub(crate) fn subflow_of<'s>(subflows: &'s Subflows, node: &baton_ir::Node) -> Option<&'s Subflow> {
    match &node.kind {
        NodeKind::Step(baton_ir::Step {
            performer: baton_ir::Performer::Workflow { workflow, .. },
            ..
        }) => subflows.get(workflow),
        _ => None,
    }
}

impl Pair<'_> {
    /// The id a reviewer knows an old node by: its new id when it still exists.
    pub fn old_id(&self, index: petgraph::graph::NodeIndex) -> &SmolStr {
        match self.matching.to_new(index) {
            Some(new) => &self.new.graph[new].id,
            None => &self.old.graph[index].id,
        }
    }
}

/// Every change in meaning from `old` to `new`, most important first. Empty when the
/// two mean the same (whatever their layout, order of declarations or comments).
pub fn diff(old: &Workflow, new: &Workflow) -> Vec<Change> {
    compare(old, new).changes
}

/// The changes, and what to highlight in a diagram of the new workflow.
pub struct Comparison {
    pub changes: Vec<Change>,
    pub highlight: baton_emit::Highlight,
}

/// [`diff`], with the nodes and edges of `new` that are added or changed.
pub fn compare(old: &Workflow, new: &Workflow) -> Comparison {
    let none = Subflows::new();
    compare_with(old, new, &none, &none)
}

/// [`compare`], where the `run` steps of each side start the workflows described in
/// `old_subflows` and `new_subflows`: their roles count for hand-offs and for the roles
/// every route must pass.
pub fn compare_with(
    old: &Workflow,
    new: &Workflow,
    old_subflows: &Subflows,
    new_subflows: &Subflows,
) -> Comparison {
    let pair = Pair {
        old,
        new,
        matching: matching::match_nodes(old, new),
        old_subflows,
        new_subflows,
    };
    let mut changes = Vec::new();
    paths::compare(&pair, &mut changes);
    people::compare(&pair, &mut changes);
    steps::compare(&pair, &mut changes);
    time::compare(&pair, &mut changes);
    data::compare(&pair, &mut changes);
    // Stable: within a kind, changes stay in the order of the nodes in the source.
    changes.sort_by_key(|c| (c.group, c.kind));
    let highlight = highlight(&pair, &changes);
    Comparison { changes, highlight }
}

fn highlight(pair: &Pair, changes: &[Change]) -> baton_emit::Highlight {
    use rustc_hash::FxHashSet as HashSet;
    let (old, new) = (pair.old, pair.new);
    let added_nodes: Vec<_> = new
        .nodes()
        .filter(|(i, _)| pair.matching.to_old(*i).is_none())
        .map(|(i, _)| i)
        .collect();
    // Nodes whose own clauses or routes changed (not the ones a path now skips).
    let mentioned: HashSet<&str> = changes
        .iter()
        .filter(|c| {
            !matches!(
                c.kind,
                Kind::EndBypassesNode
                    | Kind::EndRequiresNode
                    | Kind::EndUnreachable
                    | Kind::EndReachable
            ) && c.group != Group::Time
        })
        .filter_map(|c| c.node.as_deref())
        .collect();
    let changed_nodes = new
        .nodes()
        .filter(|(i, n)| pair.matching.to_old(*i).is_some() && mentioned.contains(n.id.as_str()))
        .map(|(i, _)| i)
        .collect();
    let old_edges: HashSet<(
        petgraph::graph::NodeIndex,
        petgraph::graph::NodeIndex,
        String,
    )> = old
        .edges()
        .filter_map(|(_, from, to, edge)| {
            Some((
                pair.matching.to_new(from)?,
                pair.matching.to_new(to)?,
                matching::edge_key(&edge.kind),
            ))
        })
        .collect();
    let added_edges = new
        .edges()
        .filter(|(_, from, to, edge)| {
            !old_edges.contains(&(*from, *to, matching::edge_key(&edge.kind)))
        })
        .map(|(e, ..)| e)
        .collect();
    baton_emit::Highlight {
        added_nodes,
        changed_nodes,
        added_edges,
    }
}

/// How a node is called in a sentence: `step`, `decision`, `end` …
pub fn node_noun(kind: &NodeKind) -> &'static str {
    match kind {
        NodeKind::Start => "start",
        NodeKind::Step(step) => match step.performer {
            baton_ir::Performer::Role { .. } => "step",
            baton_ir::Performer::System { .. } => "automated step",
            baton_ir::Performer::Workflow { .. } => "sub-workflow step",
        },
        NodeKind::Decision(_) => "decision",
        NodeKind::Fork { .. } => "parallel",
        NodeKind::Join { .. } => "join",
        NodeKind::Wait { .. } => "wait",
        NodeKind::Branch { .. } => "branch",
        NodeKind::End { .. } => "end",
    }
}

/// Whether a node carries work a reviewer cares about on a path: steps, decisions and
/// waits (not the start, forks, joins, data branches or ends).
pub fn is_work(kind: &NodeKind) -> bool {
    matches!(
        kind,
        NodeKind::Step(_) | NodeKind::Decision(_) | NodeKind::Wait { .. }
    )
}

/// Whether the node's id is one the user wrote (anonymous ids contain `#`).
pub fn is_named(id: &str) -> bool {
    !id.contains('#')
}
