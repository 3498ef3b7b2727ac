//! Time analysis: the critical path, the longest chain of expected durations from the
//! start to each end.
//!
//! A node takes its `takes` (steps and decisions), else its `timeout` (automation), or its
//! delay (`wait for`); `wait until` counts zero (its time is data). Every loop is counted
//! once: the critical path is the schedule when no rework happens, which is what a
//! deadline is planned against; the bounds of loops are reported with it so the worst
//! case can be judged. Back edges are left out, which makes the graph acyclic (every cycle
//! has one), so one pass in topological order suffices: linear in nodes + edges.
//!
//! Failure and timeout routes are paths like any other. Along a timeout route the step
//! took its whole `timeout` (not its `takes`); along a failure route, its usual duration.

use crate::{EdgeKind, NodeKind, WaitUntil, Workflow};
use petgraph::graph::NodeIndex;
use petgraph::visit::{EdgeFiltered, EdgeRef};
use petgraph::Direction;

/// The longest path from the start to one end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CriticalPath {
    pub end: NodeIndex,
    /// Total expected duration, in seconds.
    pub total: u64,
    /// Nodes from the start to the end, with each node's own duration.
    pub path: Vec<(NodeIndex, u64)>,
}

/// A node's own expected duration, in seconds.
pub fn node_duration(workflow: &Workflow, index: NodeIndex) -> u64 {
    match &workflow.graph[index].kind {
        NodeKind::Step(step) => step.takes.or(step.timeout).unwrap_or(0),
        NodeKind::Decision(decision) => decision.takes.unwrap_or(0),
        NodeKind::Wait {
            until: WaitUntil::For(seconds),
            ..
        } => *seconds,
        _ => 0,
    }
}

/// The longest path from the start to every node (back edges left out), from which the
/// critical path to any one end is read off without building the others.
#[derive(Clone, Debug)]
pub struct LongestPaths {
    /// Longest expected duration from the start to each node's entry, by node index;
    /// `None` when the node cannot be reached.
    best: Vec<Option<u64>>,
    /// The predecessor on that path, and how long it took on the way (its timeout, when
    /// the path leaves it by its timeout route).
    via: Vec<Option<(NodeIndex, u64)>>,
}

impl LongestPaths {
    /// Total expected duration of the critical path to `end`, if it can be reached.
    pub fn total(&self, end: NodeIndex) -> Option<u64> {
        self.best.get(end.index()).copied().flatten()
    }

    /// The critical path to `end`, if it can be reached.
    pub fn path(&self, workflow: &Workflow, end: NodeIndex) -> Option<CriticalPath> {
        let total = self.total(end)?;
        let mut path = vec![(end, node_duration(workflow, end))];
        let mut at = end;
        while let Some((prev, took)) = self.via[at.index()] {
            path.push((prev, took));
            at = prev;
        }
        path.reverse();
        Some(CriticalPath { end, total, path })
    }
}

/// The longest paths from the start, in one pass in topological order.
pub fn longest_paths(workflow: &Workflow) -> LongestPaths {
    let graph = &workflow.graph;
    let n = graph.node_count();
    let mut best: Vec<Option<u64>> = vec![None; n];
    let mut via: Vec<Option<(NodeIndex, u64)>> = vec![None; n];
    let forward = EdgeFiltered::from_fn(graph, |e| !e.weight().back);
    let Ok(order) = petgraph::algo::toposort(&forward, None) else {
        // Cannot happen for a checked IR: every cycle has a back edge.
        return LongestPaths { best, via };
    };
    best[workflow.start.index()] = Some(0);
    for index in order {
        let Some(here) = best[index.index()] else {
            continue;
        };
        let own = node_duration(workflow, index);
        for edge in graph.edges_directed(index, Direction::Outgoing) {
            if edge.weight().back {
                continue;
            }
            let took = match (&edge.weight().kind, &workflow.graph[index].kind) {
                (EdgeKind::Timeout, NodeKind::Step(step)) => step.timeout.unwrap_or(own),
                _ => own,
            };
            let total = here.saturating_add(took);
            let next = edge.target().index();
            if best[next].is_none_or(|b| total > b) {
                best[next] = Some(total);
                via[next] = Some((index, took));
            }
        }
    }
    LongestPaths { best, via }
}

/// The critical path to every reachable end, in source order of the ends. (Each path is
/// as long as the workflow is deep: to look at one end, use [`longest_paths`].)
pub fn critical_paths(workflow: &Workflow) -> Vec<CriticalPath> {
    let longest = longest_paths(workflow);
    workflow
        .nodes()
        .filter(|(_, node)| matches!(node.kind, NodeKind::End { .. }))
        .filter_map(|(index, _)| longest.path(workflow, index))
        .collect()
}
