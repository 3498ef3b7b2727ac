//! The work a decision reviews, for separation of duties at run time.

use crate::{NodeKind, Performer, Step, Workflow};
use petgraph::graph::NodeIndex;
use petgraph::Direction;

impl Workflow {
    /// The steps done by people that `decision` reviews: every step with a role from
    /// which the decision is reached without passing another decision. That is the work
    /// since the previous decision on any path, including rework sent back by this
    /// decision's own outcomes. In node (source) order.
    ///
    /// The runner refuses the decision to anyone who did one of these steps in the same
    /// instance, unless the decision has `@allow(self_review)`.
    pub fn reviewed_steps(&self, decision: NodeIndex) -> Vec<NodeIndex> {
        let graph = &self.graph;
        let mut seen = vec![false; graph.node_count()];
        let mut stack = vec![decision];
        let mut found = Vec::new();
        // Iterative: the graph comes from user input.
        while let Some(index) = stack.pop() {
            for source in graph.neighbors_directed(index, Direction::Incoming) {
                let Some(visited) = seen.get_mut(source.index()) else {
                    continue;
                };
                if *visited {
                    continue;
                }
                *visited = true;
                match &graph[source].kind {
                    NodeKind::Decision(_) | NodeKind::Start => {}
                    NodeKind::Step(Step {
                        performer: Performer::Role { .. },
                        ..
                    }) => {
                        found.push(source);
                        stack.push(source);
                    }
                    _ => stack.push(source),
                }
            }
        }
        found.sort_unstable();
        found
    }
}
