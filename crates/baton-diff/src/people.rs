//! People: per role, the work gained and lost; who is consulted and informed (RACI);
//! hand-offs between roles; separation of duties; roles and systems declared.

use baton_ir::{Actor, EdgeKind, NodeKind, SmolStr, Workflow};
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use rustc_hash::FxHashSet as HashSet;
use std::collections::{BTreeMap, BTreeSet};

use crate::{Change, Kind, Message, Pair};

pub(crate) fn compare(pair: &Pair, changes: &mut Vec<Change>) {
    separation(pair, changes);
    work(pair, changes);
    hand_offs(pair, changes);
    raci(pair, changes);
    actors(
        &pair.old.roles,
        &pair.new.roles,
        "role",
        [Kind::RoleAdded, Kind::RoleRemoved, Kind::RoleRetitled],
        changes,
    );
    actors(
        &pair.old.systems,
        &pair.new.systems,
        "system",
        [Kind::SystemAdded, Kind::SystemRemoved, Kind::SystemRetitled],
        changes,
    );
}

/// Steps and decisions gained and lost, per role.
fn work(pair: &Pair, changes: &mut Vec<Change>) {
    let (old, new) = (pair.old, pair.new);
    let mut gained: BTreeMap<SmolStr, Vec<SmolStr>> = BTreeMap::new();
    let mut lost: BTreeMap<SmolStr, Vec<SmolStr>> = BTreeMap::new();
    for (index, node) in old.nodes() {
        let Some(role) = node.role() else { continue };
        let now = pair
            .matching
            .to_new(index)
            .and_then(|n| new.graph[n].role());
        if now != Some(role) {
            lost.entry(role.into())
                .or_default()
                .push(pair.old_id(index).clone());
        }
    }
    for (index, node) in new.nodes() {
        let Some(role) = node.role() else { continue };
        let before = pair
            .matching
            .to_old(index)
            .and_then(|o| old.graph[o].role());
        if before != Some(role) {
            gained.entry(role.into()).or_default().push(node.id.clone());
        }
    }
    for (role, nodes) in gained {
        let mut change = Change::new(
            Kind::RoleGainsWork,
            Message::new().n(role.clone()).w(" now does ").names(&nodes),
        )
        .role(&role);
        change.nodes = nodes;
        changes.push(change);
    }
    for (role, nodes) in lost {
        let mut change = Change::new(
            Kind::RoleLosesWork,
            Message::new()
                .n(role.clone())
                .w(" no longer does ")
                .names(&nodes),
        )
        .role(&role);
        change.nodes = nodes;
        changes.push(change);
    }
}

/// Consulted and informed roles per paired node.
fn raci(pair: &Pair, changes: &mut Vec<Change>) {
    let lists = |kind: &NodeKind| -> (Vec<SmolStr>, Vec<SmolStr>) {
        match kind {
            NodeKind::Step(s) => (s.consult.clone(), s.notify.clone()),
            NodeKind::Decision(d) => (d.consult.clone(), d.notify.clone()),
            _ => (Vec::new(), Vec::new()),
        }
    };
    for (o, n) in pair.matching.pairs() {
        let (old_consult, old_notify) = lists(&pair.old.graph[o].kind);
        let (new_consult, new_notify) = lists(&pair.new.graph[n].kind);
        let id = pair.new.graph[n].id.clone();
        for (before, after, added, removed, verb) in [
            (
                &old_consult,
                &new_consult,
                Kind::ConsultAdded,
                Kind::ConsultRemoved,
                "consults",
            ),
            (
                &old_notify,
                &new_notify,
                Kind::NotifyAdded,
                Kind::NotifyRemoved,
                "notifies",
            ),
        ] {
            for role in after.iter().filter(|r| !before.contains(r)) {
                changes.push(
                    Change::new(
                        added,
                        Message::new()
                            .n(id.clone())
                            .w(format!(" now {verb} "))
                            .n(role.clone()),
                    )
                    .node(&id)
                    .role(role),
                );
            }
            for role in before.iter().filter(|r| !after.contains(r)) {
                changes.push(
                    Change::new(
                        removed,
                        Message::new()
                            .n(id.clone())
                            .w(format!(" no longer {verb} "))
                            .n(role.clone()),
                    )
                    .node(&id)
                    .role(role),
                );
            }
        }
    }
}

/// Every hand-off (role A's work followed by role B's, through automation, forks and
/// branches that belong to no role), with one example pair of node ids. One search per
/// role, from all its nodes at once: linear per role.
///
/// A `run` step whose sub-workflow is known stands for its roles: whoever works before it
/// hands off to the sub-workflow's first roles, its last roles hand off to whoever
/// works after it.
pub fn hand_off_pairs(
    workflow: &Workflow,
    subflows: &crate::Subflows,
) -> BTreeMap<(SmolStr, SmolStr), (SmolStr, SmolStr)> {
    let graph = &workflow.graph;
    let mut pairs = BTreeMap::new();
    let mut roles: Vec<SmolStr> = workflow.roles.iter().map(|r| r.id.clone()).collect();
    for (_, node) in workflow.nodes() {
        if let Some(sub) = crate::subflow_of(subflows, node) {
            roles.extend(sub.exit.iter().cloned());
        }
    }
    roles.sort();
    roles.dedup();
    for role in &roles {
        let mut seen = vec![false; graph.node_count()];
        let mut queue: Vec<(NodeIndex, NodeIndex)> = Vec::new();
        for (index, node) in workflow.nodes() {
            let ends_here = node.role() == Some(role)
                || crate::subflow_of(subflows, node).is_some_and(|s| s.exit.contains(role));
            if ends_here {
                for next in graph.neighbors_directed(index, Direction::Outgoing) {
                    queue.push((index, next));
                }
            }
        }
        // Depth-first from the back of the queue; reversed so sources go in order.
        queue.reverse();
        while let Some((from, at)) = queue.pop() {
            if seen[at.index()] {
                continue;
            }
            seen[at.index()] = true;
            let entry = crate::subflow_of(subflows, &graph[at]).map(|s| &s.entry);
            if let Some(entry) = entry.filter(|e| !e.is_empty()) {
                for other in entry.iter().filter(|o| *o != role) {
                    pairs
                        .entry((role.clone(), other.clone()))
                        .or_insert((graph[from].id.clone(), graph[at].id.clone()));
                }
                continue;
            }
            match graph[at].role() {
                Some(other) if other == role => {}
                Some(other) => {
                    pairs
                        .entry((role.clone(), SmolStr::from(other)))
                        .or_insert((graph[from].id.clone(), graph[at].id.clone()));
                }
                None => {
                    for next in graph.neighbors_directed(at, Direction::Outgoing) {
                        queue.push((from, next));
                    }
                }
            }
        }
    }
    pairs
}

fn hand_offs(pair: &Pair, changes: &mut Vec<Change>) {
    let before = hand_off_pairs(pair.old, pair.old_subflows);
    let after = hand_off_pairs(pair.new, pair.new_subflows);
    for ((from, to), (a, b)) in &after {
        if !before.contains_key(&(from.clone(), to.clone())) {
            let mut change = Change::new(
                Kind::HandOffAdded,
                Message::new()
                    .w("new hand-off from ")
                    .n(from.clone())
                    .w(" to ")
                    .n(to.clone())
                    .w(" (")
                    .n(a.clone())
                    .w(" → ")
                    .n(b.clone())
                    .w(")"),
            )
            .role(from);
            change.to_role = Some(to.clone());
            change.nodes = vec![a.clone(), b.clone()];
            changes.push(change);
        }
    }
    for ((from, to), (a, b)) in &before {
        if !after.contains_key(&(from.clone(), to.clone())) {
            let mut change = Change::new(
                Kind::HandOffRemoved,
                Message::new()
                    .w("no more hand-off from ")
                    .n(from.clone())
                    .w(" to ")
                    .n(to.clone())
                    .w(" (was ")
                    .n(a.clone())
                    .w(" → ")
                    .n(b.clone())
                    .w(")"),
            )
            .role(from);
            change.to_role = Some(to.clone());
            change.nodes = vec![a.clone(), b.clone()];
            changes.push(change);
        }
    }
}

/// The steps a decision approves that its own role did: the checker's `self_review`
/// rule (a decision that can send work back approves the step it sends back to and
/// the steps right before it).
pub fn self_reviewed(workflow: &Workflow, decision: NodeIndex) -> Vec<SmolStr> {
    let graph = &workflow.graph;
    let NodeKind::Decision(d) = &graph[decision].kind else {
        return Vec::new();
    };
    let Some(role) = d.role.as_deref() else {
        return Vec::new();
    };
    let sends_back = graph
        .edges_directed(decision, Direction::Outgoing)
        .any(|e| e.weight().back && matches!(e.weight().kind, EdgeKind::Outcome { .. }));
    if !sends_back {
        return Vec::new();
    }
    let reworked = graph
        .edges_directed(decision, Direction::Outgoing)
        .filter(|e| e.weight().back)
        .map(|e| e.target());
    let before = graph
        .edges_directed(decision, Direction::Incoming)
        .map(|e| e.source());
    let mut seen = HashSet::default();
    let mut steps: BTreeSet<(usize, SmolStr)> = BTreeSet::new();
    for step in reworked.chain(before) {
        if seen.insert(step)
            && matches!(graph[step].kind, NodeKind::Step(_))
            && graph[step].role() == Some(role)
        {
            steps.insert((step.index(), graph[step].id.clone()));
        }
    }
    steps.into_iter().map(|(_, id)| id).collect()
}

fn separation(pair: &Pair, changes: &mut Vec<Change>) {
    let (old, new) = (pair.old, pair.new);
    for (index, node) in new.nodes() {
        if !matches!(node.kind, NodeKind::Decision(_)) {
            continue;
        }
        let now = self_reviewed(new, index);
        let before = pair
            .matching
            .to_old(index)
            .map(|o| self_reviewed(old, o))
            .unwrap_or_default();
        let role = node.role().unwrap_or_default();
        if !now.is_empty() && before.is_empty() {
            let mut change = Change::new(
                Kind::SeparationLost,
                Message::new()
                    .n(node.id.clone())
                    .w(" is now decided by ")
                    .n(role)
                    .w(", who also does ")
                    .names(&now)
                    .w(": no separation of duties"),
            )
            .node(&node.id)
            .role(role);
            change.nodes = now;
            changes.push(change);
        } else if now.is_empty() && !before.is_empty() {
            let mut change = Change::new(
                Kind::SeparationRestored,
                Message::new()
                    .n(node.id.clone())
                    .w(" is no longer decided by the role that does ")
                    .names(&before),
            )
            .node(&node.id);
            if let Some(r) = node.role() {
                change = change.role(r);
            }
            change.nodes = before;
            changes.push(change);
        }
    }
}

fn actors(old: &[Actor], new: &[Actor], noun: &str, kinds: [Kind; 3], changes: &mut Vec<Change>) {
    let [added, removed, retitled] = kinds;
    for actor in new {
        match old.iter().find(|a| a.id == actor.id) {
            None => {
                let mut message = Message::new().w(format!("new {noun} ")).n(actor.id.clone());
                if let Some(title) = &actor.title {
                    message = message.w(" ").t(title.as_str());
                }
                let change = Change::new(added, message);
                changes.push(if noun == "role" {
                    change.role(&actor.id)
                } else {
                    change.name(&actor.id)
                });
            }
            Some(before) if before.title != actor.title => {
                let change = Change::new(
                    retitled,
                    Message::new()
                        .w(format!("{noun} "))
                        .n(actor.id.clone())
                        .w(" is now called ")
                        .t(actor.label())
                        .w(" (was ")
                        .t(before.label())
                        .w(")"),
                )
                .before_after(before.label(), actor.label());
                changes.push(if noun == "role" {
                    change.role(&actor.id)
                } else {
                    change.name(&actor.id)
                });
            }
            Some(_) => {}
        }
    }
    for actor in old {
        if !new.iter().any(|a| a.id == actor.id) {
            let change = Change::new(
                removed,
                Message::new()
                    .w(format!("{noun} "))
                    .n(actor.id.clone())
                    .w(" was removed"),
            );
            changes.push(if noun == "role" {
                change.role(&actor.id)
            } else {
                change.name(&actor.id)
            });
        }
    }
}
