//! Pairs the nodes of two versions of a workflow, so that a renamed step is a rename and
//! an `if` written elsewhere in the file is the same `if`.
//!
//! 1. Named nodes with the same name and kind, and the two starts.
//! 2. Rounds, until one finds nothing new (at most [`MAX_ROUNDS`]):
//!    - the join of a paired fork;
//!    - nodes of one kind with the same title, when that title is unique among the
//!      unpaired nodes of each side (a rename that kept its title);
//!    - nodes with the same content (kind, performer, role, outcome …) and the same
//!      paired neighbours over edges with the same labels, when that signature is unique
//!      on each side (a rename in place, and the anonymous nodes: `if`, `match`,
//!      `parallel`, their joins, anonymous waits).
//! 3. Anonymous nodes left over with the same generated id and kind.
//!
//! Each round is one pass over the unpaired nodes and their edges with hash maps, so
//! pairing is linear in nodes + edges per round.

use baton_ir::{EdgeKind, NodeKind, Performer, Workflow};
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use rustc_hash::FxHashMap as HashMap;

use crate::is_named;

/// Rounds of pairing by title and by neighbours; each one can only use pairs found
/// before it, and real edits settle in two or three.
pub const MAX_ROUNDS: usize = 8;

/// Which old node is which new node.
#[derive(Clone, Debug, Default)]
pub struct Matching {
    old_to_new: Vec<Option<NodeIndex>>,
    new_to_old: Vec<Option<NodeIndex>>,
}

impl Matching {
    pub fn to_new(&self, old: NodeIndex) -> Option<NodeIndex> {
        self.old_to_new.get(old.index()).copied().flatten()
    }

    pub fn to_old(&self, new: NodeIndex) -> Option<NodeIndex> {
        self.new_to_old.get(new.index()).copied().flatten()
    }

    /// Pairs in the order of the old nodes.
    pub fn pairs(&self) -> impl Iterator<Item = (NodeIndex, NodeIndex)> + '_ {
        self.old_to_new
            .iter()
            .enumerate()
            .filter_map(|(i, n)| n.map(|n| (NodeIndex::new(i), n)))
    }

    fn link(&mut self, old: NodeIndex, new: NodeIndex) {
        self.old_to_new[old.index()] = Some(new);
        self.new_to_old[new.index()] = Some(old);
    }
}

/// The kind of a node without its details: only nodes of one class are paired.
fn class(kind: &NodeKind) -> u8 {
    match kind {
        NodeKind::Start => 0,
        NodeKind::Step(_) => 1,
        NodeKind::Decision(_) => 2,
        NodeKind::Fork { .. } => 3,
        NodeKind::Join { .. } => 4,
        NodeKind::Wait { .. } => 5,
        NodeKind::Branch { .. } => 6,
        NodeKind::End { .. } => 7,
    }
}

/// What a node does, apart from its name, title and place: the content that must agree
/// for two nodes in the same place to be one node renamed.
fn content(kind: &NodeKind) -> String {
    match kind {
        NodeKind::Step(step) => match &step.performer {
            Performer::Role { role } => format!("step by {role}"),
            Performer::System { system, action } => {
                format!("step auto {system} {}", action.as_deref().unwrap_or(""))
            }
            Performer::Workflow { workflow, .. } => format!("step run {workflow}"),
        },
        NodeKind::Decision(decision) => {
            format!("decision by {}", decision.role.as_deref().unwrap_or(""))
        }
        NodeKind::End { outcome, .. } => format!("end {}", outcome.as_str()),
        NodeKind::Wait { until, .. } => match until {
            baton_ir::WaitUntil::Until(expr) => format!("wait until {expr}"),
            baton_ir::WaitUntil::For(seconds) => format!("wait for {seconds}"),
        },
        NodeKind::Branch { subject } => format!("branch {}", subject.as_deref().unwrap_or("")),
        other => class(other).to_string(),
    }
}

/// The label of an edge that tells it apart from its siblings: the outcome, guard, arm
/// or branch name. Plain sequence edges have none.
pub fn edge_key(kind: &EdgeKind) -> String {
    // Written with `if let` rather than an exhaustive `match`, so that a new kind of
    // edge (e.g. `on failure`, `on timeout` routes) is compared by its tag and label
    // without a change here.
    if let EdgeKind::Guard { guard } = kind {
        return format!("if {guard}");
    }
    let tag = edge_tag(kind);
    match kind.label() {
        Some(_) if matches!(kind, EdgeKind::Branch { name: None, .. }) => tag,
        Some(_) if matches!(kind, EdgeKind::Outcome { .. } | EdgeKind::Branch { .. }) => {
            format!("{tag} {}", edge_name(kind).unwrap_or_default())
        }
        // `on failure` says no more than `failure`.
        Some(_) if kind.is_route() => tag,
        Some(label) if label != tag => format!("{tag} {label}"),
        Some(_) => tag,
        None => tag,
    }
}

/// The edge's kind as the IR's JSON names it (`next`, `outcome`, `failure` …).
pub fn edge_tag(kind: &EdgeKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_string))
        .unwrap_or_default()
}

/// The name of an outcome or a named branch (its title may change; its name is its key).
fn edge_name(kind: &EdgeKind) -> Option<String> {
    if let EdgeKind::Outcome { name, .. } = kind {
        return Some(name.to_string());
    }
    if let EdgeKind::Branch {
        name: Some(name), ..
    } = kind
    {
        return Some(name.to_string());
    }
    None
}

/// Pairs the nodes of `old` and `new`.
pub fn match_nodes(old: &Workflow, new: &Workflow) -> Matching {
    let mut m = Matching {
        old_to_new: vec![None; old.graph.node_count()],
        new_to_old: vec![None; new.graph.node_count()],
    };
    let new_named: HashMap<&str, NodeIndex> = new
        .nodes()
        .filter(|(_, n)| is_named(&n.id))
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    for (index, node) in old.nodes() {
        if let Some(&other) = new_named.get(node.id.as_str()) {
            if class(&node.kind) == class(&new.graph[other].kind) {
                m.link(index, other);
            }
        }
    }
    m.link(old.start, new.start);

    for _ in 0..MAX_ROUNDS {
        let mut found = match_joins(old, new, &mut m);
        found += match_unique(old, new, &mut m, |w, i| {
            let node = &w.graph[i];
            node.title()
                .map(|title| format!("{}\u{0}{title}", class(&node.kind)))
        });
        found += match_by_place(old, new, &mut m);
        if found == 0 {
            break;
        }
    }

    // Anonymous nodes nothing else could tell apart: same generated id, same kind.
    let new_anonymous: HashMap<&str, NodeIndex> = new
        .nodes()
        .filter(|(i, n)| !is_named(&n.id) && m.to_old(*i).is_none())
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    for (index, node) in old.nodes() {
        if m.to_new(index).is_some() || is_named(&node.id) {
            continue;
        }
        if let Some(&other) = new_anonymous.get(node.id.as_str()) {
            if class(&node.kind) == class(&new.graph[other].kind) && m.to_old(other).is_none() {
                m.link(index, other);
            }
        }
    }
    m
}

/// The join of a paired fork is the paired fork's join.
fn match_joins(old: &Workflow, new: &Workflow, m: &mut Matching) -> usize {
    let new_joins: HashMap<&str, NodeIndex> = new
        .nodes()
        .filter_map(|(i, n)| match &n.kind {
            NodeKind::Join { fork } => Some((fork.as_str(), i)),
            _ => None,
        })
        .collect();
    let old_ids: HashMap<&str, NodeIndex> = old.nodes().map(|(i, n)| (n.id.as_str(), i)).collect();
    let mut found = 0;
    for (index, node) in old.nodes() {
        let NodeKind::Join { fork } = &node.kind else {
            continue;
        };
        if m.to_new(index).is_some() {
            continue;
        }
        let Some(&old_fork) = old_ids.get(fork.as_str()) else {
            continue;
        };
        let Some(new_fork) = m.to_new(old_fork) else {
            continue;
        };
        if let Some(&join) = new_joins.get(new.graph[new_fork].id.as_str()) {
            if m.to_old(join).is_none() {
                m.link(index, join);
                found += 1;
            }
        }
    }
    found
}

/// Pairs unpaired nodes whose `key` is unique among the unpaired nodes of each side.
fn match_unique(
    old: &Workflow,
    new: &Workflow,
    m: &mut Matching,
    key: impl Fn(&Workflow, NodeIndex) -> Option<String>,
) -> usize {
    match_unique_sides(old, new, m, &key, &key)
}

/// Pairs unpaired nodes by content and paired neighbours (see the module docs).
fn match_by_place(old: &Workflow, new: &Workflow, m: &mut Matching) -> usize {
    // Neighbours are named by their index in `new`, for both sides.
    let signature =
        |w: &Workflow, i: NodeIndex, to_new: &dyn Fn(NodeIndex) -> Option<NodeIndex>| {
            let mut around: Vec<(u8, String, usize)> = Vec::new();
            for edge in w.graph.edges_directed(i, Direction::Incoming) {
                if let Some(n) = to_new(edge.source()) {
                    around.push((0, edge_key(&edge.weight().kind), n.index()));
                }
            }
            for edge in w.graph.edges_directed(i, Direction::Outgoing) {
                if let Some(n) = to_new(edge.target()) {
                    around.push((1, edge_key(&edge.weight().kind), n.index()));
                }
            }
            if around.is_empty() {
                return None;
            }
            around.sort();
            let mut key = content(&w.graph[i].kind);
            for (direction, label, n) in around {
                key.push_str(&format!("\u{0}{direction} {label} {n}"));
            }
            Some(key)
        };
    let snapshot = m.clone();
    let old_side = |w: &Workflow, i: NodeIndex| signature(w, i, &|o| snapshot.to_new(o));
    let new_side = |w: &Workflow, i: NodeIndex| signature(w, i, &|n| snapshot.to_old(n).map(|_| n));
    match_unique_sides(old, new, m, old_side, new_side)
}

/// [`match_unique`] with a different key function per side.
fn match_unique_sides(
    old: &Workflow,
    new: &Workflow,
    m: &mut Matching,
    old_key: impl Fn(&Workflow, NodeIndex) -> Option<String>,
    new_key: impl Fn(&Workflow, NodeIndex) -> Option<String>,
) -> usize {
    let mut old_keys: HashMap<String, Option<NodeIndex>> = HashMap::default();
    for (index, _) in old.nodes() {
        if m.to_new(index).is_none() {
            if let Some(k) = old_key(old, index) {
                old_keys
                    .entry(k)
                    .and_modify(|seen| *seen = None)
                    .or_insert(Some(index));
            }
        }
    }
    if old_keys.is_empty() {
        return 0;
    }
    let mut new_keys: HashMap<String, Option<NodeIndex>> = HashMap::default();
    for (index, _) in new.nodes() {
        if m.to_old(index).is_none() {
            if let Some(k) = new_key(new, index) {
                new_keys
                    .entry(k)
                    .and_modify(|seen| *seen = None)
                    .or_insert(Some(index));
            }
        }
    }
    let mut pairs: Vec<(NodeIndex, NodeIndex)> = new_keys
        .iter()
        .filter_map(|(k, n)| Some((old_keys.get(k).copied().flatten()?, (*n)?)))
        .collect();
    pairs.sort_by_key(|(_, n)| *n);
    let mut found = 0;
    for (o, n) in pairs {
        if m.to_new(o).is_none() && m.to_old(n).is_none() {
            m.link(o, n);
            found += 1;
        }
    }
    found
}
