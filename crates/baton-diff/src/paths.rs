//! Paths: what every route from the start to each end must pass, and how the routes
//! themselves changed.
//!
//! No path is enumerated (a workflow with 30 decisions in a row has 2^30 of them):
//! - the nodes every route to an end passes are the end's dominators. The dominator
//!   tree (Cooper, Harvey and Kennedy's algorithm, `petgraph::algo::dominators`) takes a
//!   few linear passes, and an end's must-pass nodes are its chain of immediate
//!   dominators: ends × depth in all;
//! - a role every route passes is one whose nodes, all removed, cut the end off: one
//!   breadth-first search per role, linear, for all ends at once;
//! - routes are compared edge by edge, on paired nodes.

use baton_ir::{EdgeKind, EndOutcome, NodeKind, SmolStr, Workflow};
use petgraph::algo::dominators::simple_fast;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use rustc_hash::FxHashSet as HashSet;
use std::collections::BTreeMap;

use crate::matching::edge_key;
use crate::{is_work, node_noun, Change, Kind, Message, Pair};

pub(crate) fn compare(pair: &Pair, changes: &mut Vec<Change>) {
    ends(pair, changes);
    must_pass_nodes(pair, changes);
    must_pass_roles(pair, changes);
    routes(pair, changes);
}

/// The ends of a workflow, in source order.
pub fn end_nodes(workflow: &Workflow) -> Vec<NodeIndex> {
    workflow
        .nodes()
        .filter(|(_, n)| matches!(n.kind, NodeKind::End { .. }))
        .map(|(i, _)| i)
        .collect()
}

fn outcome(workflow: &Workflow, index: NodeIndex) -> Option<EndOutcome> {
    match &workflow.graph[index].kind {
        NodeKind::End { outcome, .. } => Some(*outcome),
        _ => None,
    }
}

/// Nodes reachable from the start, avoiding the nodes for which `blocked` holds.
pub fn reachable(workflow: &Workflow, blocked: impl Fn(NodeIndex) -> bool) -> Vec<bool> {
    let mut seen = vec![false; workflow.graph.node_count()];
    if blocked(workflow.start) {
        return seen;
    }
    let mut queue = vec![workflow.start];
    seen[workflow.start.index()] = true;
    while let Some(at) = queue.pop() {
        for next in workflow.graph.neighbors_directed(at, Direction::Outgoing) {
            if !seen[next.index()] && !blocked(next) {
                seen[next.index()] = true;
                queue.push(next);
            }
        }
    }
    seen
}

fn ends(pair: &Pair, changes: &mut Vec<Change>) {
    let (old, new) = (pair.old, pair.new);
    let old_reach = reachable(old, |_| false);
    let new_reach = reachable(new, |_| false);
    for end in end_nodes(old) {
        let id = &old.graph[end].id;
        match pair.matching.to_new(end) {
            None if old_reach[end.index()] => changes.push(
                Change::new(
                    Kind::EndUnreachable,
                    Message::new()
                        .n(id.clone())
                        .w(" can no longer be reached: the end was removed"),
                )
                .node(id),
            ),
            None => {}
            Some(other) => {
                let new_id = &new.graph[other].id;
                if old_reach[end.index()] && !new_reach[other.index()] {
                    changes.push(
                        Change::new(
                            Kind::EndUnreachable,
                            Message::new()
                                .n(new_id.clone())
                                .w(" can no longer be reached"),
                        )
                        .node(new_id),
                    );
                } else if !old_reach[end.index()] && new_reach[other.index()] {
                    changes.push(
                        Change::new(
                            Kind::EndReachable,
                            Message::new().n(new_id.clone()).w(" can now be reached"),
                        )
                        .node(new_id),
                    );
                }
                if let (Some(before), Some(after)) = (outcome(old, end), outcome(new, other)) {
                    if before != after {
                        changes.push(
                            Change::new(
                                Kind::EndOutcomeChanged,
                                Message::new()
                                    .n(new_id.clone())
                                    .w(format!(" now ends in {}", after.as_str()))
                                    .w(format!(" (was {})", before.as_str())),
                            )
                            .node(new_id)
                            .before_after(before.as_str(), after.as_str()),
                        );
                    }
                }
            }
        }
    }
    for end in end_nodes(new) {
        if pair.matching.to_old(end).is_none() && new_reach[end.index()] {
            let id = &new.graph[end].id;
            let what = outcome(new, end).map_or("", |o| o.as_str());
            changes.push(
                Change::new(
                    Kind::EndReachable,
                    Message::new()
                        .w("new end ")
                        .n(id.clone())
                        .w(format!(" ({what}) can be reached")),
                )
                .node(id),
            );
        }
    }
}

/// The dominator tree of a workflow, numbered so that "does `a` dominate `b`" is two
/// comparisons: `a` dominates `b` when `b`'s preorder number lies in `a`'s subtree.
struct DomTree {
    /// Preorder number of each node in the tree; `u32::MAX` when unreachable.
    pre: Vec<u32>,
    /// The largest preorder number in each node's subtree.
    last: Vec<u32>,
    /// Nodes by preorder number.
    order: Vec<NodeIndex>,
    /// Each node's immediate dominator.
    parent: Vec<Option<NodeIndex>>,
}

impl DomTree {
    fn new(workflow: &Workflow) -> DomTree {
        let n = workflow.graph.node_count();
        let dominators = simple_fast(&workflow.graph, workflow.start);
        let mut children: Vec<Vec<NodeIndex>> = vec![Vec::new(); n];
        let mut parent = vec![None; n];
        for index in workflow.graph.node_indices() {
            if let Some(p) = dominators.immediate_dominator(index) {
                children[p.index()].push(index);
                parent[index.index()] = Some(p);
            }
        }
        let mut pre = vec![u32::MAX; n];
        let mut last = vec![u32::MAX; n];
        let mut order = Vec::with_capacity(n);
        // Iterative depth-first walk (no recursion on user input): (node, next child).
        let mut stack: Vec<(NodeIndex, usize)> = vec![(workflow.start, 0)];
        pre[workflow.start.index()] = 0;
        order.push(workflow.start);
        while let Some((node, next)) = stack.last_mut() {
            let node = *node;
            if let Some(&child) = children[node.index()].get(*next) {
                *next += 1;
                pre[child.index()] = order.len() as u32;
                order.push(child);
                stack.push((child, 0));
            } else {
                last[node.index()] = order.len() as u32 - 1;
                stack.pop();
            }
        }
        DomTree {
            pre,
            last,
            order,
            parent,
        }
    }

    fn reachable(&self, node: NodeIndex) -> bool {
        self.pre[node.index()] != u32::MAX
    }

    /// Whether every route from the start to `b` passes `a` (`a` ≠ `b`).
    fn dominates(&self, a: NodeIndex, b: NodeIndex) -> bool {
        let (pa, pb) = (self.pre[a.index()], self.pre[b.index()]);
        a != b && pa != u32::MAX && pb != u32::MAX && pa <= pb && pb <= self.last[a.index()]
    }

    /// The nodes of `a`'s subtree, `a` first.
    fn subtree(&self, a: NodeIndex) -> &[NodeIndex] {
        let (from, to) = (self.pre[a.index()], self.last[a.index()]);
        if from == u32::MAX {
            return &[];
        }
        &self.order[from as usize..=to as usize]
    }

    /// Per node, a fingerprint of the set of ends in its subtree: the sum of `weight`
    /// over them, added up from the leaves in one pass.
    fn fingerprints(&self, workflow: &Workflow, weight: impl Fn(NodeIndex) -> u64) -> Vec<u64> {
        let mut sums = vec![0u64; workflow.graph.node_count()];
        // Reverse preorder visits every child before its parent.
        for &node in self.order.iter().rev() {
            if matches!(workflow.graph[node].kind, NodeKind::End { .. }) {
                sums[node.index()] = sums[node.index()].wrapping_add(weight(node));
            }
            if let Some(p) = self.parent[node.index()] {
                sums[p.index()] = sums[p.index()].wrapping_add(sums[node.index()]);
            }
        }
        sums
    }
}

/// A pseudo-random weight per end (SplitMix64 of its index), for fingerprints.
fn weight(index: NodeIndex) -> u64 {
    let mut z = (index.index() as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// "`launched` can now be reached without `legal`", and nodes that became a must.
///
/// The ends a node guards are the ends in its dominator subtree. Rather than list them
/// for every node (ends × depth), each node's set is fingerprinted on both sides (the
/// ends both sides reach, named by their new index), and only nodes whose fingerprints
/// differ are looked at: linear work, plus what is reported.
fn must_pass_nodes(pair: &Pair, changes: &mut Vec<Change>) {
    let (old, new) = (pair.old, pair.new);
    let old_tree = DomTree::new(old);
    let new_tree = DomTree::new(new);
    // An end counts when both sides have it and can reach it.
    let shared_old = |end: NodeIndex| {
        old_tree.reachable(end)
            && pair
                .matching
                .to_new(end)
                .is_some_and(|n| new_tree.reachable(n))
    };
    let shared_new = |end: NodeIndex| {
        new_tree.reachable(end)
            && pair
                .matching
                .to_old(end)
                .is_some_and(|o| old_tree.reachable(o))
    };
    let old_sums = old_tree.fingerprints(old, |e| match pair.matching.to_new(e) {
        Some(n) if shared_old(e) => weight(n),
        _ => 0,
    });
    let new_sums = new_tree.fingerprints(new, |e| if shared_new(e) { weight(e) } else { 0 });
    let is_end = |w: &Workflow, n: NodeIndex| matches!(w.graph[n].kind, NodeKind::End { .. });

    for (node, data) in old.nodes() {
        if !is_work(&data.kind) || !old_tree.reachable(node) {
            continue;
        }
        let counterpart = pair
            .matching
            .to_new(node)
            .filter(|n| new_tree.reachable(*n));
        if let Some(n) = counterpart {
            if old_sums[node.index()] == new_sums[n.index()] {
                continue;
            }
        }
        let ends: Vec<SmolStr> = old_tree
            .subtree(node)
            .iter()
            .filter(|e| is_end(old, **e) && shared_old(**e))
            .filter_map(|e| pair.matching.to_new(*e))
            .filter(|e| counterpart.is_none_or(|n| !new_tree.dominates(n, *e)))
            .collect::<std::collections::BTreeSet<NodeIndex>>()
            .into_iter()
            .map(|e| new.graph[e].id.clone())
            .collect();
        if ends.is_empty() {
            continue;
        }
        let id = pair.old_id(node).clone();
        let mut message = Message::new()
            .names(&ends)
            .w(" can now be reached without ")
            .w(node_noun(&data.kind))
            .w(" ")
            .n(id.clone());
        if let Some(title) = data.title() {
            message = message.w(" ").t(title);
        }
        if pair.matching.to_new(node).is_none() {
            message = message.w(" (removed)");
        }
        let mut change = Change::new(Kind::EndBypassesNode, message).node(&id);
        change.ends = ends;
        changes.push(change);
    }

    // Nodes that existed before and are now on every route to an end they were not.
    for (node, data) in new.nodes() {
        if !is_work(&data.kind) || !new_tree.reachable(node) {
            continue;
        }
        let Some(o) = pair
            .matching
            .to_old(node)
            .filter(|o| old_tree.reachable(*o))
        else {
            continue; // an added node: reported as added
        };
        if old_sums[o.index()] == new_sums[node.index()] {
            continue;
        }
        let ends: Vec<SmolStr> = new_tree
            .subtree(node)
            .iter()
            .filter(|e| is_end(new, **e) && shared_new(**e))
            .filter(|e| {
                pair.matching
                    .to_old(**e)
                    .is_some_and(|oe| !old_tree.dominates(o, oe))
            })
            .copied()
            .collect::<std::collections::BTreeSet<NodeIndex>>()
            .into_iter()
            .map(|e| new.graph[e].id.clone())
            .collect();
        if ends.is_empty() {
            continue;
        }
        let id = data.id.clone();
        let mut change = Change::new(
            Kind::EndRequiresNode,
            Message::new()
                .w("every route to ")
                .names(&ends)
                .w(" now passes ")
                .w(node_noun(&data.kind))
                .w(" ")
                .n(id.clone()),
        )
        .node(&id);
        change.ends = ends;
        changes.push(change);
    }
}

/// For each role of `workflow` (and each role a sub-workflow it runs must pass), the
/// ends that cannot be reached without its work; a `run` step counts as the work of
/// the roles its sub-workflow must pass.
fn role_guarded_ends(
    workflow: &Workflow,
    subflows: &crate::Subflows,
) -> BTreeMap<SmolStr, Vec<NodeIndex>> {
    let ends = end_nodes(workflow);
    let everywhere = reachable(workflow, |_| false);
    let mut guarded = BTreeMap::new();
    let mut roles: Vec<SmolStr> = workflow.roles.iter().map(|r| r.id.clone()).collect();
    for (_, node) in workflow.nodes() {
        if let Some(sub) = crate::subflow_of(subflows, node) {
            roles.extend(sub.must_pass.iter().cloned());
        }
    }
    roles.sort();
    roles.dedup();
    for role in roles {
        let avoiding = reachable(workflow, |n| {
            let node = &workflow.graph[n];
            node.role() == Some(&role)
                || crate::subflow_of(subflows, node).is_some_and(|s| s.must_pass.contains(&role))
        });
        let cut: Vec<NodeIndex> = ends
            .iter()
            .copied()
            .filter(|e| everywhere[e.index()] && !avoiding[e.index()])
            .collect();
        guarded.insert(role, cut);
    }
    guarded
}

/// "`cleared` can now be reached without any work by `senior_counsel`".
fn must_pass_roles(pair: &Pair, changes: &mut Vec<Change>) {
    let (old, new) = (pair.old, pair.new);
    let old_guarded = role_guarded_ends(old, pair.old_subflows);
    let new_guarded = role_guarded_ends(new, pair.new_subflows);
    let new_reach = reachable(new, |_| false);
    let old_reach = reachable(old, |_| false);
    for (role, ends) in &old_guarded {
        let now: HashSet<NodeIndex> = new_guarded
            .get(role)
            .map(|e| e.iter().copied().collect())
            .unwrap_or_default();
        let lost: Vec<SmolStr> = ends
            .iter()
            .filter_map(|e| pair.matching.to_new(*e))
            .filter(|e| new_reach[e.index()] && !now.contains(e))
            .map(|e| new.graph[e].id.clone())
            .collect();
        if !lost.is_empty() {
            let mut change = Change::new(
                Kind::EndBypassesRole,
                Message::new()
                    .names(&lost)
                    .w(" can")
                    .w(" now be reached without any work by ")
                    .n(role.clone()),
            )
            .role(role);
            change.ends = lost;
            changes.push(change);
        }
    }
    for (role, ends) in &new_guarded {
        let Some(before) = old_guarded.get(role) else {
            continue; // a new role: reported as added
        };
        let before: HashSet<NodeIndex> = before.iter().copied().collect();
        let gained: Vec<SmolStr> = ends
            .iter()
            .filter(|e| {
                pair.matching
                    .to_old(**e)
                    .is_some_and(|o| old_reach[o.index()] && !before.contains(&o))
            })
            .map(|e| new.graph[*e].id.clone())
            .collect();
        if !gained.is_empty() {
            let mut change = Change::new(
                Kind::EndRequiresRole,
                Message::new()
                    .w("every route to ")
                    .names(&gained)
                    .w(" now passes work by ")
                    .n(role.clone()),
            )
            .role(role);
            change.ends = gained;
            changes.push(change);
        }
    }
}

/// How an edge reads in a sentence: "outcome `rework` of `go_no_go`".
fn edge_phrase(kind: &EdgeKind, from: &str) -> Message {
    let m = Message::new();
    let from = from.to_string();
    // `if let` rather than `match`: kinds of edges added later read as "the `failure`
    // route of `x`" (their JSON tag) until they get words of their own.
    if is_sequence(kind) {
        return m.n(from);
    }
    if let EdgeKind::Branch {
        name: Some(name), ..
    } = kind
    {
        return m.w("branch ").n(name.clone()).w(" of ").n(from);
    }
    if let EdgeKind::Outcome { name, .. } = kind {
        return m.w("outcome ").n(name.clone()).w(" of ").n(from);
    }
    if let EdgeKind::Guard { guard } = kind {
        return m
            .w("the route of ")
            .n(from)
            .w(" when ")
            .t(guard.to_string());
    }
    if let EdgeKind::Arm { variants } = kind {
        return m.w("the route of ").n(from).w(" for ").names(variants);
    }
    if let EdgeKind::Failure | EdgeKind::Timeout = kind {
        return m
            .w("the ")
            .n(kind.label().unwrap_or_default())
            .w(" route of ")
            .n(from);
    }
    m.w("the ")
        .n(crate::matching::edge_tag(kind))
        .w(" route of ")
        .n(from)
}

/// Where the work of `node` goes on a failure or timeout when it has no route of that
/// kind (docs/language.md, "Failures and timeouts at run time"): a step that can fail
/// treats running out of time as failing; otherwise the instance stops in an incident.
fn without_route(workflow: &Workflow, node: NodeIndex, kind: &EdgeKind, past: bool) -> Message {
    let can_fail = matches!(
        &workflow.graph[node].kind,
        baton_ir::NodeKind::Step(step) if !matches!(step.performer, baton_ir::Performer::Role { .. })
    );
    let has_timeout = matches!(
        &workflow.graph[node].kind,
        baton_ir::NodeKind::Step(step) if step.timeout.is_some()
    );
    if *kind == EdgeKind::Timeout && !has_timeout {
        return Message::new()
            .w(if past {
                "could not happen: the step had no "
            } else {
                "cannot happen: the step has no "
            })
            .n("timeout");
    }
    let failure = workflow
        .graph
        .edges_directed(node, Direction::Outgoing)
        .find(|e| e.weight().kind == EdgeKind::Failure);
    match (kind, failure) {
        (EdgeKind::Timeout, Some(failure)) if can_fail => Message::new()
            .w(if past { "took its " } else { "takes its " })
            .n("on failure")
            .w(" route to ")
            .n(workflow.graph[failure.target()].id.clone()),
        _ => Message::new().w(if past {
            "stopped the instance in an incident"
        } else {
            "stops the instance in an incident"
        }),
    }
}

fn is_sequence(kind: &EdgeKind) -> bool {
    matches!(kind, EdgeKind::Next | EdgeKind::Branch { name: None, .. })
}

/// One out-edge of a paired node: its key, its target in `new` terms (`None`: a node
/// the other side does not have) and the edge.
struct Out<'a> {
    key: String,
    target: NodeIndex,
    mapped: Option<NodeIndex>,
    edge: &'a baton_ir::Edge,
}

fn outs<'a>(
    workflow: &'a Workflow,
    node: NodeIndex,
    map: impl Fn(NodeIndex) -> Option<NodeIndex>,
) -> Vec<Out<'a>> {
    let mut outs: Vec<Out> = workflow
        .graph
        .edges_directed(node, Direction::Outgoing)
        .map(|e| Out {
            key: edge_key(&e.weight().kind),
            target: e.target(),
            mapped: map(e.target()),
            edge: e.weight(),
        })
        .collect();
    // petgraph lists a node's edges newest first; sources order is the IR's.
    outs.reverse();
    outs
}

/// Routes out of each paired node: retargeted, added, removed, relabelled; loop bounds.
fn routes(pair: &Pair, changes: &mut Vec<Change>) {
    let (old, new) = (pair.old, pair.new);
    for (old_node, new_node) in pair.matching.pairs() {
        let from = new.graph[new_node].id.clone();
        let mut before = outs(old, old_node, |t| pair.matching.to_new(t));
        let mut after = outs(new, new_node, Some);
        // Same label and same target: unchanged, apart from a loop bound.
        before.retain(|b| {
            let Some(pos) = after
                .iter()
                .position(|a| a.key == b.key && Some(a.target) == b.mapped)
            else {
                return true;
            };
            let a = after.remove(pos);
            if a.edge.bound != b.edge.bound {
                let show = |bound: Option<u32>| {
                    bound.map_or("unbounded".to_string(), |n| format!("at most {n} times"))
                };
                let mut change = Change::new(
                    Kind::LoopBoundChanged,
                    edge_phrase(&a.edge.kind, &from)
                        .w(" back to ")
                        .n(new.graph[a.target].id.clone())
                        .w(format!(
                            ": {} (was {})",
                            show(a.edge.bound),
                            show(b.edge.bound)
                        )),
                )
                .node(&from)
                .edge(&a.edge.kind)
                .before_after(
                    b.edge.bound.map_or(serde_json::Value::Null, Into::into),
                    a.edge.bound.map_or(serde_json::Value::Null, Into::into),
                );
                change.nodes = vec![new.graph[a.target].id.clone()];
                changes.push(change);
            }
            false
        });
        // Same label, another target.
        before.retain(|b| {
            let Some(pos) = after
                .iter()
                .position(|a| a.key == b.key && !is_sequence(&a.edge.kind))
            else {
                return true;
            };
            let a = after.remove(pos);
            let target = new.graph[a.target].id.clone();
            let was = pair.old_id(b.target).clone();
            let mut change = Change::new(
                Kind::RouteChanged,
                edge_phrase(&a.edge.kind, &from)
                    .w(" now goes to ")
                    .n(target.clone())
                    .w(" (was ")
                    .n(was.clone())
                    .w(")"),
            )
            .node(&from)
            .edge(&a.edge.kind)
            .before_after(was.as_str(), target.as_str());
            change.nodes = vec![target];
            changes.push(change);
            false
        });
        // Another label, same target: a renamed outcome or a changed condition.
        before.retain(|b| {
            let Some(pos) = after
                .iter()
                .position(|a| b.mapped == Some(a.target) && !is_sequence(&a.edge.kind))
            else {
                return true;
            };
            let a = after.remove(pos);
            let target = new.graph[a.target].id.clone();
            let message = match (&b.edge.kind, &a.edge.kind) {
                (EdgeKind::Outcome { name: was, .. }, EdgeKind::Outcome { name: now, .. }) => {
                    Message::new()
                        .w("outcome ")
                        .n(was.clone())
                        .w(" of ")
                        .n(from.clone())
                        .w(" is now called ")
                        .n(now.clone())
                }
                _ => edge_phrase(&a.edge.kind, &from)
                    .w(" goes to ")
                    .n(target.clone())
                    .w(" (was ")
                    .m(edge_phrase(&b.edge.kind, &from))
                    .w(")"),
            };
            let mut change = Change::new(Kind::RouteRelabelled, message)
                .node(&from)
                .edge(&a.edge.kind)
                .before_after(b.key.as_str(), a.key.as_str());
            change.nodes = vec![target];
            changes.push(change);
            false
        });
        // A plain sequence that now skips a removed node, or goes through an added
        // one, is told by that node's own change.
        let explained = |edge_kind: &EdgeKind, other_side_has_target: bool| {
            is_sequence(edge_kind) && !other_side_has_target
        };
        let sequence_moves: Vec<(usize, usize)> = before
            .iter()
            .enumerate()
            .filter(|(_, b)| is_sequence(&b.edge.kind))
            .filter_map(|(i, b)| after.iter().position(|a| a.key == b.key).map(|j| (i, j)))
            .collect();
        let mut moved_before = vec![false; before.len()];
        let mut moved_after = vec![false; after.len()];
        for (i, j) in sequence_moves {
            if moved_after[j] {
                continue;
            }
            let (b, a) = (&before[i], &after[j]);
            let removed_target = b.mapped.is_none();
            let added_target = new_added(pair, a.target);
            if removed_target || added_target {
                moved_before[i] = true;
                moved_after[j] = true;
                continue;
            }
            moved_before[i] = true;
            moved_after[j] = true;
            let target = new.graph[a.target].id.clone();
            let was = pair.old_id(b.target).clone();
            let mut change = Change::new(
                Kind::RouteChanged,
                edge_phrase(&a.edge.kind, &from)
                    .w(" now continues to ")
                    .n(target.clone())
                    .w(" (was ")
                    .n(was.clone())
                    .w(")"),
            )
            .node(&from)
            .edge(&a.edge.kind)
            .before_after(was.as_str(), target.as_str());
            change.nodes = vec![target];
            changes.push(change);
        }
        for (i, b) in before.iter().enumerate() {
            if moved_before[i] || explained(&b.edge.kind, b.mapped.is_some()) {
                continue;
            }
            let was = pair.old_id(b.target).clone();
            let mut message = edge_phrase(&b.edge.kind, &from)
                .w(" no longer goes to ")
                .n(was.clone());
            if b.edge.kind.is_route() {
                let what = if b.edge.kind == EdgeKind::Failure {
                    "a failure"
                } else {
                    "a timeout"
                };
                message = message.w(format!(": {what} now ")).m(without_route(
                    new,
                    new_node,
                    &b.edge.kind,
                    false,
                ));
            }
            let mut change = Change::new(Kind::RouteRemoved, message)
                .node(&from)
                .edge(&b.edge.kind);
            change.nodes = vec![was];
            changes.push(change);
        }
        for (j, a) in after.iter().enumerate() {
            if moved_after[j] || explained(&a.edge.kind, !new_added(pair, a.target)) {
                continue;
            }
            let target = new.graph[a.target].id.clone();
            let mut message = edge_phrase(&a.edge.kind, &from)
                .w(" now goes to ")
                .n(target.clone());
            if a.edge.back {
                message = message.w(match a.edge.bound {
                    Some(n) => format!(", a loop back (at most {n} times)"),
                    None => ", a loop back (unbounded)".to_string(),
                });
            }
            if a.edge.kind.is_route() {
                let what = if a.edge.kind == EdgeKind::Failure {
                    "a failure"
                } else {
                    "a timeout"
                };
                message = message
                    .w(format!(" (before, {what} "))
                    .m(without_route(old, old_node, &a.edge.kind, true))
                    .w(")");
            }
            let mut change = Change::new(Kind::RouteAdded, message)
                .node(&from)
                .edge(&a.edge.kind);
            change.nodes = vec![target];
            changes.push(change);
        }
    }
}

fn new_added(pair: &Pair, new_node: NodeIndex) -> bool {
    pair.matching.to_old(new_node).is_none()
}

#[cfg(test)]
mod tests {
    use super::DomTree;
    use petgraph::algo::dominators::simple_fast;

    /// The numbered tree answers "does `a` dominate `b`" as petgraph's chains do.
    #[test]
    fn the_numbered_tree_agrees_with_the_dominator_chains() {
        for (steps, seed) in [(40, 1), (300, 2), (600, 3)] {
            let workload = baton_bench::phases::Workload::generate(steps, seed);
            let Some(workflow) = workload.check().workflow else {
                panic!("generated workflows check");
            };
            let tree = DomTree::new(&workflow);
            let dominators = simple_fast(&workflow.graph, workflow.start);
            for b in workflow.graph.node_indices() {
                let chain: Vec<_> = dominators
                    .strict_dominators(b)
                    .map(|c| c.collect())
                    .unwrap_or_default();
                for a in workflow.graph.node_indices() {
                    assert_eq!(
                        tree.dominates(a, b),
                        chain.contains(&a),
                        "{} over {}",
                        workflow.graph[a].id,
                        workflow.graph[b].id
                    );
                }
            }
        }
    }
}
