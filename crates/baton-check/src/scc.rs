//! Strongly connected components without recursion.
//!
//! `petgraph::algo::tarjan_scc` recurses once per node on a path, so a long workflow (a
//! chain of 100,000 steps) overflows the stack. This is Tarjan's algorithm with an
//! explicit stack. It visits roots in node order and neighbours in petgraph's order, so
//! it finds the components in the same order as `tarjan_scc` (reverse topological
//! order); the order of the nodes inside a component may differ, and callers sort them.
//!
//! The result is flat: a component per node and the members of every component in one
//! vector. At 100,000 steps a `Vec` per component (most hold one node) and petgraph's
//! neighbour iterators on the stack cost megabytes.

use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::Direction;

/// The strongly connected components of a graph, in reverse topological order.
pub(crate) struct Components {
    /// The component of each node, by node index.
    of: Vec<u32>,
    /// The nodes of component `c` are `members[start[c]..start[c + 1]]`.
    members: Vec<NodeIndex>,
    start: Vec<u32>,
}

impl Components {
    pub fn len(&self) -> usize {
        self.start.len() - 1
    }

    /// The component that `node` belongs to.
    pub fn of(&self, node: NodeIndex) -> usize {
        self.of[node.index()] as usize
    }

    /// The nodes of component `c`, in no particular order.
    pub fn members(&self, c: usize) -> &[NodeIndex] {
        &self.members[self.start[c] as usize..self.start[c + 1] as usize]
    }
}

/// The strongly connected components of `graph`, in reverse topological order.
pub(crate) fn tarjan<N, E>(graph: &DiGraph<N, E>) -> Components {
    tarjan_where(graph, |_| true)
}

/// The strongly connected components of `graph` without the edges `keep` refuses (the
/// graph as if they were not there), in reverse topological order.
pub(crate) fn tarjan_where<N, E>(graph: &DiGraph<N, E>, keep: impl Fn(&E) -> bool) -> Components {
    const UNVISITED: u32 = 0;
    let n = graph.node_count();
    let (nodes, edges) = (graph.raw_nodes(), graph.raw_edges());
    let mut index = vec![UNVISITED; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<NodeIndex> = Vec::new();
    let mut next = 1u32;
    let mut components = Components {
        of: vec![0; n],
        members: Vec::with_capacity(n),
        start: vec![0],
    };
    // The nodes being visited, each with the next of its out-edges to look at: petgraph's
    // own edge list, so neighbours come in `graph.neighbors` order.
    let mut calls: Vec<(NodeIndex, EdgeIndex)> = Vec::new();

    for root in graph.node_indices() {
        if index[root.index()] != UNVISITED {
            continue;
        }
        // Entering a node: number it, push it, and start on its neighbours.
        macro_rules! enter {
            ($v:expr) => {{
                let v: NodeIndex = $v;
                index[v.index()] = next;
                low[v.index()] = next;
                next += 1;
                on_stack[v.index()] = true;
                stack.push(v);
                calls.push((v, nodes[v.index()].next_edge(Direction::Outgoing)));
            }};
        }
        enter!(root);
        while let Some((v, edge)) = calls.last_mut() {
            let v = *v;
            if let Some(e) = edges.get(edge.index()) {
                *edge = e.next_edge(Direction::Outgoing);
                if !keep(&e.weight) {
                    continue;
                }
                let w = e.target();
                if index[w.index()] == UNVISITED {
                    enter!(w);
                } else if on_stack[w.index()] {
                    low[v.index()] = low[v.index()].min(index[w.index()]);
                }
                continue;
            }
            calls.pop();
            if low[v.index()] == index[v.index()] {
                let c = components.len() as u32;
                while let Some(w) = stack.pop() {
                    on_stack[w.index()] = false;
                    components.of[w.index()] = c;
                    components.members.push(w);
                    if w == v {
                        break;
                    }
                }
                components.start.push(components.members.len() as u32);
            }
            if let Some((u, _)) = calls.last() {
                low[u.index()] = low[u.index()].min(low[v.index()]);
            }
        }
    }
    components
}

#[cfg(test)]
mod tests {
    use super::{tarjan, tarjan_where, Components};
    use petgraph::graph::DiGraph;

    fn sorted_components(components: &Components) -> Vec<Vec<usize>> {
        (0..components.len())
            .map(|c| {
                let mut nodes: Vec<usize> =
                    components.members(c).iter().map(|n| n.index()).collect();
                nodes.sort_unstable();
                for &node in &nodes {
                    assert_eq!(components.of[node] as usize, c);
                }
                nodes
            })
            .collect()
    }

    fn sorted(mut components: Vec<Vec<petgraph::graph::NodeIndex>>) -> Vec<Vec<usize>> {
        components
            .iter_mut()
            .map(|c| {
                let mut c: Vec<usize> = c.iter().map(|n| n.index()).collect();
                c.sort_unstable();
                c
            })
            .collect()
    }

    /// Same components, in the same order, as petgraph's recursive version.
    #[test]
    fn matches_petgraph_on_random_graphs() {
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..300 {
            let nodes = 1 + (next() % 40) as usize;
            let edges = (next() % (3 * nodes as u64 + 1)) as usize;
            let mut graph = DiGraph::<(), ()>::new();
            let ids: Vec<_> = (0..nodes).map(|_| graph.add_node(())).collect();
            for _ in 0..edges {
                let a = ids[(next() % nodes as u64) as usize];
                let b = ids[(next() % nodes as u64) as usize];
                graph.add_edge(a, b, ());
            }
            assert_eq!(
                sorted_components(&tarjan(&graph)),
                sorted(petgraph::algo::tarjan_scc(&graph)),
                "round {round}"
            );
        }
    }

    /// Leaving edges out is the same as taking the components of the graph without them.
    #[test]
    fn leaving_edges_out_matches_a_graph_without_them() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..300 {
            let nodes = 1 + (next() % 40) as usize;
            let edges = (next() % (3 * nodes as u64 + 1)) as usize;
            let mut graph = DiGraph::<(), bool>::new();
            let mut kept = DiGraph::<(), ()>::new();
            let ids: Vec<_> = (0..nodes).map(|_| graph.add_node(())).collect();
            for _ in 0..nodes {
                kept.add_node(());
            }
            for _ in 0..edges {
                let a = ids[(next() % nodes as u64) as usize];
                let b = ids[(next() % nodes as u64) as usize];
                let keep = next() % 3 != 0;
                graph.add_edge(a, b, keep);
                if keep {
                    kept.add_edge(a, b, ());
                }
            }
            assert_eq!(
                sorted_components(&tarjan_where(&graph, |keep| *keep)),
                sorted(petgraph::algo::tarjan_scc(&kept)),
                "round {round}"
            );
        }
    }

    #[test]
    fn a_long_chain_does_not_overflow_the_stack() {
        let mut graph = DiGraph::<(), ()>::new();
        let mut last = graph.add_node(());
        for _ in 0..1_000_000 {
            let node = graph.add_node(());
            graph.add_edge(last, node, ());
            last = node;
        }
        assert_eq!(tarjan(&graph).len(), 1_000_001);
    }
}
