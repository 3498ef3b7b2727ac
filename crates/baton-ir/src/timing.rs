//! Time analysis: the critical path, the longest chain of expected durations from the
//! start to each end.
//!
//! A node takes its `takes` (steps and decisions), else its `timeout` (automation), or its
//! delay (`wait for`); `wait until` counts zero (its time is data). Every loop is counted
//! once: the critical path is the schedule when no rework happens, which is what a
//! deadline is planned against; the bounds of loops are reported with it so the worst
//! case can be judged. Back edges are left out, which makes the graph acyclic (every cycle
//! has one), so one pass in topological order suffices: linear in nodes + edges.

use crate::{NodeKind, WaitUntil, Workflow};
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

/// The critical path to every reachable end, in source order of the ends.
pub fn critical_paths(workflow: &Workflow) -> Vec<CriticalPath> {
    let graph = &workflow.graph;
    let forward = EdgeFiltered::from_fn(graph, |e| !e.weight().back);
    let Ok(order) = petgraph::algo::toposort(&forward, None) else {
        // Cannot happen for a checked IR: every cycle has a back edge.
        return Vec::new();
    };
    let n = graph.node_count();
    let mut best: Vec<Option<u64>> = vec![None; n];
    let mut via: Vec<Option<NodeIndex>> = vec![None; n];
    best[workflow.start.index()] = Some(0);
    for index in order {
        let Some(here) = best[index.index()] else {
            continue;
        };
        let total = here.saturating_add(node_duration(workflow, index));
        for edge in graph.edges_directed(index, Direction::Outgoing) {
            if edge.weight().back {
                continue;
            }
            let next = edge.target().index();
            if best[next].is_none_or(|b| total > b) {
                best[next] = Some(total);
                via[next] = Some(index);
            }
        }
    }
    let mut paths = Vec::new();
    for (index, node) in workflow.nodes() {
        if !matches!(node.kind, NodeKind::End { .. }) {
            continue;
        }
        let Some(total) = best[index.index()] else {
            continue;
        };
        let mut path = vec![(index, node_duration(workflow, index))];
        let mut at = index;
        while let Some(prev) = via[at.index()] {
            path.push((prev, node_duration(workflow, prev)));
            at = prev;
        }
        path.reverse();
        paths.push(CriticalPath {
            end: index,
            total,
            path,
        });
    }
    paths
}
