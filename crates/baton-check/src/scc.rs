//! Strongly connected components without recursion.
//!
//! `petgraph::algo::tarjan_scc` recurses once per node on a path, so a long workflow (a
//! chain of 100,000 steps) overflows the stack. This is Tarjan's algorithm with an
//! explicit stack. It visits roots in node order and neighbours in petgraph's order, so
//! it finds the components in the same order as `tarjan_scc` (reverse topological
//! order); the order of the nodes inside a component may differ, and callers sort them.

use petgraph::graph::{DiGraph, NodeIndex};

/// The strongly connected components of `graph`, in reverse topological order.
pub(crate) fn tarjan<N, E>(graph: &DiGraph<N, E>) -> Vec<Vec<NodeIndex>> {
    const UNVISITED: u32 = 0;
    let n = graph.node_count();
    let mut index = vec![UNVISITED; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<NodeIndex> = Vec::new();
    let mut next = 1u32;
    let mut components = Vec::new();
    let mut calls: Vec<(NodeIndex, petgraph::graph::Neighbors<'_, E>)> = Vec::new();

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
                calls.push((v, graph.neighbors(v)));
            }};
        }
        enter!(root);
        while let Some((v, neighbours)) = calls.last_mut() {
            let v = *v;
            if let Some(w) = neighbours.next() {
                if index[w.index()] == UNVISITED {
                    enter!(w);
                } else if on_stack[w.index()] {
                    low[v.index()] = low[v.index()].min(index[w.index()]);
                }
                continue;
            }
            calls.pop();
            if low[v.index()] == index[v.index()] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w.index()] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                components.push(component);
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
    use super::tarjan;
    use petgraph::graph::DiGraph;

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
                sorted(tarjan(&graph)),
                sorted(petgraph::algo::tarjan_scc(&graph)),
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
