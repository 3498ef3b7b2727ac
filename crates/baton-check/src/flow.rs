//! Graph soundness: checks on the shape of the flow that need the lowered graph.
//!
//! Every check is linear in nodes + edges: reachability is one breadth-first search from
//! the start (and one backwards from the ends), strongly connected components use
//! Tarjan's algorithm (iterative, `scc.rs`), and the per-node rules look at each node's edges once.

use crate::resolve::Checker;
use baton_diagnostics::{Code, Diagnostic};
use baton_ir::{EdgeKind, NodeKind, Performer, SmolStr, Workflow};
use baton_syntax::ast;
use petgraph::visit::{Bfs, EdgeRef, Walker};
use petgraph::Direction;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

type Allowed = HashMap<SmolStr, Vec<SmolStr>>;

fn is_allowed(allowed: &Allowed, key: &str, lint: &str) -> bool {
    allowed
        .get(key)
        .is_some_and(|lints| lints.iter().any(|l| l == lint))
}

/// Adds a warning unless `@allow(lint)` silences it on `key`; the help says where the
/// attribute goes (`place`, e.g. "`review`" or "the `deadline` line").
fn warn_at(
    checker: &mut Checker,
    allowed: &Allowed,
    key: &str,
    lint: &str,
    place: &str,
    d: Diagnostic,
) {
    if !is_allowed(allowed, key, lint) {
        let help = d.help.clone().unwrap_or_default();
        checker.error(d.with_help(format!(
            "{help}{}silence it with `@allow({lint})` on the line before {place}",
            if help.is_empty() { "" } else { "; or " }
        )));
    }
}

/// [`warn_at`] for a flow node, whose id is its key.
fn warn(checker: &mut Checker, allowed: &Allowed, key: &str, lint: &str, d: Diagnostic) {
    let place = match key.split_once('#') {
        Some((kind, _)) if !kind.is_empty() => format!("this `{kind}`"),
        _ => format!("`{key}`"),
    };
    warn_at(checker, allowed, key, lint, &place, d);
}

pub(crate) fn check_outcomes(checker: &mut Checker, decision: &ast::Decision, allowed: &Allowed) {
    let name = &decision.name.text;
    if decision.outcomes.len() < 2 {
        let d = checker
            .diag(
                Code::TooFewOutcomes,
                decision.name.span,
                format!(
                    "decision `{name}` has {} outcome{}",
                    decision.outcomes.len(),
                    if decision.outcomes.len() == 1 { "" } else { "s" }
                ),
                "a decision chooses between at least two outcomes",
            )
            .with_help("add outcomes like `approved -> next_step` and `rejected -> cancelled`, or make it a step");
        checker.error(d);
    }
    let mut names: HashMap<&str, &ast::Outcome> = HashMap::default();
    let mut targets: HashMap<&str, &ast::Outcome> = HashMap::default();
    for outcome in &decision.outcomes {
        if let Some(first) = names.get(outcome.name.text.as_str()) {
            let d = checker
                .diag(
                    Code::DuplicateOutcome,
                    outcome.name.span,
                    format!(
                        "decision `{name}` has two outcomes named `{}`",
                        outcome.name.text
                    ),
                    "second outcome of this name",
                )
                .with_related(checker.file, first.name.span, "first one")
                .with_help("give each outcome its own name");
            checker.error(d);
        } else {
            names.insert(&outcome.name.text, outcome);
        }
        let target = outcome.jump.target.text.as_str();
        if let Some(first) = targets.get(target) {
            let d = checker
                .diag(
                    Code::DuplicateTarget,
                    outcome.jump.target.span,
                    format!(
                        "outcomes `{}` and `{}` both go to `{target}`",
                        first.name.text, outcome.name.text
                    ),
                    "same target as another outcome",
                )
                .with_related(
                    checker.file,
                    first.jump.target.span,
                    "the other outcome goes here too",
                )
                .with_help("merge the outcomes, or send one of them elsewhere");
            warn(checker, allowed, name, "duplicate_target", d);
        } else {
            targets.insert(target, outcome);
        }
    }
}

pub(crate) fn check_parallel(
    checker: &mut Checker,
    parallel: &ast::Parallel,
    key: &str,
    allowed: &Allowed,
) {
    if parallel.branches.len() < 2 {
        let d = checker
            .diag(
                Code::SingleBranch,
                parallel.keyword,
                format!(
                    "this `parallel` has {} branch{}, so nothing runs in parallel",
                    parallel.branches.len(),
                    if parallel.branches.len() == 1 {
                        ""
                    } else {
                        "es"
                    }
                ),
                "fewer than two branches",
            )
            .with_help("add a second `branch { ... }`, or write the steps without `parallel`");
        warn(checker, allowed, key, "single_branch", d);
    }
    for branch in &parallel.branches {
        if !branch.items.iter().any(|i| i.kind.is_flow()) {
            let d = checker
                .diag(
                    Code::EmptyBranch,
                    branch.span,
                    "this branch has no steps".into(),
                    "empty branch",
                )
                .with_help("add the branch's steps, or remove the branch");
            warn(checker, allowed, key, "empty_branch", d);
        }
    }
}

/// Reachability, termination, loop bounds, unused declarations and separation of duties.
pub(crate) fn check_graph(checker: &mut Checker, ir: &Workflow, allowed: &Allowed) {
    let graph = &ir.graph;
    let mut reachable = vec![false; graph.node_count()];
    for index in Bfs::new(graph, ir.start).iter(graph) {
        reachable[index.index()] = true;
    }
    for (index, node) in ir.nodes() {
        if reachable[index.index()] {
            continue;
        }
        // A join is unreachable exactly when its branches are; one report is enough.
        if matches!(node.kind, NodeKind::Join { .. }) {
            continue;
        }
        if let NodeKind::End { .. } = node.kind {
            let d = checker
                .diag(
                    Code::UnreachableEnd,
                    node.name_span,
                    format!("end `{}` is never reached", node.id),
                    "no path leads here",
                )
                .with_help("jump to it with `-> name`, or remove it");
            warn(checker, allowed, &node.id, "unreachable_end", d);
            continue;
        }
        let d = checker
            .diag(
                Code::UnreachableNode,
                node.name_span,
                format!("`{}` can never be reached from the start", node.id),
                "no path leads here",
            )
            .with_help("the node before it does not fall through (a decision, `if … else`, `->` or `end`): jump to it from somewhere, or remove it");
        checker.error(d);
    }

    // Nodes from which some end is reachable: one search backwards from all the ends.
    let mut terminates = vec![false; graph.node_count()];
    let mut queue: Vec<_> = ir
        .nodes()
        .filter(|(_, node)| matches!(node.kind, NodeKind::End { .. }))
        .map(|(index, _)| index)
        .collect();
    for index in &queue {
        terminates[index.index()] = true;
    }
    while let Some(index) = queue.pop() {
        for pred in graph.neighbors_directed(index, Direction::Incoming) {
            if !terminates[pred.index()] {
                terminates[pred.index()] = true;
                queue.push(pred);
            }
        }
    }
    let components = crate::scc::tarjan(graph);
    let mut reported: HashSet<_> = HashSet::default();
    let mut nodes = Vec::new();
    for c in 0..components.len() {
        let Some(&first) = components.members(c).iter().min() else {
            continue;
        };
        if terminates[first.index()] || !reachable[first.index()] {
            continue;
        }
        nodes.clear();
        nodes.extend_from_slice(components.members(c));
        nodes.sort();
        let is_cycle = nodes.len() > 1 || graph.contains_edge(first, first);
        // Report loops that trap the flow; nodes that merely lead into them are fixed
        // with the loop.
        let leaves = nodes.iter().any(|n| {
            graph
                .edges_directed(*n, Direction::Outgoing)
                .any(|e| components.of(e.target()) != c)
        });
        if !is_cycle || leaves || !reported.insert(first) {
            continue;
        }
        let names: Vec<&str> = nodes.iter().map(|n| graph[*n].id.as_str()).collect();
        let mut d = checker
            .diag(
                Code::NoWayToEnd,
                graph[first].name_span,
                format!(
                    "this loop never reaches an end: {} → {}",
                    names.join(" → "),
                    names[0]
                ),
                "the loop starts here",
            )
            .with_help(
                "give a decision or `if` in the loop an outcome that leaves it, towards an `end`",
            );
        for n in nodes.iter().skip(1) {
            d = d.with_related(checker.file, graph[*n].name_span, "part of the loop");
        }
        checker.error(d);
    }

    check_loop_bounds(checker, ir, allowed, &components);
    check_actors(checker, ir, allowed);
    check_self_review(checker, ir, allowed, &components);
    check_deadline(checker, ir, allowed);
}

/// A loop is bounded when any edge of it carries `at most N`: so the graph without its
/// bounded edges must have no cycle. Each of its cycles has a back edge (see the
/// lowering), so an unbounded back edge whose ends stay in one component of that graph
/// is on an unbounded cycle, and every unbounded cycle has one: one more components
/// pass, linear. A bound on an edge that lies on no cycle (its ends in different
/// components of the whole graph) can never be reached more than once.
fn check_loop_bounds(
    checker: &mut Checker,
    ir: &Workflow,
    allowed: &Allowed,
    components: &crate::scc::Components,
) {
    let graph = &ir.graph;
    let unbounded = crate::scc::tarjan_where(graph, |edge| edge.bound.is_none());
    for (_, from, to, edge) in ir.edges() {
        let source = &graph[from];
        match edge.bound {
            None if edge.back && unbounded.of(from) == unbounded.of(to) => {
                let d = checker
                    .diag(
                        Code::UnboundedLoop,
                        edge.span,
                        format!(
                            "the loop from `{}` back to `{}` has no bound",
                            source.id, graph[to].id
                        ),
                        "unbounded feedback loop",
                    )
                    .with_help("say how often it may repeat: `-> target at most 3 times` on this jump or on another jump of the loop");
                warn(checker, allowed, &source.id, "unbounded_loop", d);
            }
            Some(times) if components.of(from) != components.of(to) => {
                let d = checker
                    .diag(
                        Code::NeedlessBound,
                        edge.span,
                        format!(
                            "`at most {times} {}` on the jump from `{}` to `{}` bounds no loop",
                            if times == 1 { "time" } else { "times" },
                            source.id, graph[to].id
                        ),
                        "this jump is part of no loop",
                    )
                    .with_help("nothing leads back here, so the jump is taken at most once: remove `at most …`, or put the bound on a jump of the loop you meant");
                warn(checker, allowed, &source.id, "needless_bound", d);
            }
            _ => {}
        }
    }
}

/// Warns when the longest path to a successful end exceeds the deadline.
fn check_deadline(checker: &mut Checker, ir: &Workflow, allowed: &Allowed) {
    let Some(deadline) = checker.deadline else {
        return;
    };
    // The longest of the critical paths to the successful ends (the last one when several
    // are as long); only that one path is built.
    let longest = baton_ir::timing::longest_paths(ir);
    let worst_end = ir
        .nodes()
        .filter(|(_, node)| {
            matches!(
                node.kind,
                NodeKind::End {
                    outcome: baton_ir::EndOutcome::Success,
                    ..
                }
            )
        })
        .filter_map(|(index, _)| longest.total(index).map(|total| (index, total)))
        .max_by_key(|(_, total)| *total);
    let Some(worst) = worst_end.and_then(|(end, _)| longest.path(ir, end)) else {
        return;
    };
    if worst.total <= deadline.seconds {
        return;
    }
    // A path can have thousands of steps: name the longest few, not all of them.
    const SHOWN: usize = 8;
    let timed: Vec<&(petgraph::graph::NodeIndex, u64)> = worst
        .path
        .iter()
        .filter(|(_, seconds)| *seconds > 0)
        .collect();
    let mut longest_steps = timed.clone();
    longest_steps.sort_by_key(|(n, seconds)| (std::cmp::Reverse(*seconds), *n));
    longest_steps.truncate(SHOWN);
    let mut steps: Vec<String> = timed
        .iter()
        .take(SHOWN)
        .map(|(n, seconds)| {
            format!(
                "`{}` {}",
                ir.graph[*n].id,
                baton_ir::format_duration(*seconds)
            )
        })
        .collect();
    if timed.len() > SHOWN {
        steps.push(format!("… ({} more steps)", timed.len() - SHOWN));
    }
    let mut d = checker
        .diag(
            Code::DeadlineExceeded,
            deadline.span,
            format!(
                "the critical path to `{}` takes {}, longer than the deadline of {}",
                ir.graph[worst.end].id,
                baton_ir::format_duration(worst.total),
                baton_ir::format_duration(deadline.seconds)
            ),
            "deadline",
        )
        .with_help(format!(
            "the path: {}; shorten those steps, run some in `parallel`, or extend the deadline",
            steps.join(" → ")
        ));
    for (n, seconds) in longest_steps {
        d = d.with_related(
            checker.file,
            ir.graph[*n].name_span,
            baton_ir::format_duration(*seconds),
        );
    }
    warn_at(
        checker,
        allowed,
        "#workflow",
        "deadline",
        "the `deadline` line",
        d,
    );
}

fn check_actors(checker: &mut Checker, ir: &Workflow, allowed: &Allowed) {
    let mut used: HashSet<&str> = HashSet::default();
    for (_, node) in ir.nodes() {
        match &node.kind {
            NodeKind::Step(step) => {
                match &step.performer {
                    Performer::Role { role } => used.insert(role),
                    Performer::System { system, .. } => used.insert(system),
                    Performer::Workflow { .. } => false,
                };
                used.extend(step.consult.iter().chain(&step.notify).map(SmolStr::as_str));
            }
            NodeKind::Decision(decision) => {
                used.extend(decision.role.as_deref());
                used.extend(
                    decision
                        .consult
                        .iter()
                        .chain(&decision.notify)
                        .map(SmolStr::as_str),
                );
            }
            _ => {}
        }
    }
    let actors = ir
        .roles
        .iter()
        .map(|a| (a, "role"))
        .chain(ir.systems.iter().map(|a| (a, "system")));
    for (actor, what) in actors {
        if used.contains(actor.id.as_str()) {
            continue;
        }
        let d = checker
            .diag(
                Code::UnusedDeclaration,
                actor.span,
                format!("{what} `{}` is declared but never used", actor.id),
                "never used",
            )
            .with_help(format!(
                "remove it, or give it work with `{}`",
                if what == "role" { "by" } else { "auto" }
            ));
        let place = format!("the `{what} {}` line", actor.id);
        let key = format!("role:{}", actor.id);
        warn_at(checker, allowed, &key, "unused_declaration", &place, d);
    }
}

/// A decision whose outcome sends work back for changes approves that work, so the role
/// that did it should not decide. An outcome sends work back when it leads into a loop
/// through the decision (its target is in the decision's strongly connected component);
/// the work is the steps such outcomes go to and the steps that lead straight into the
/// decision.
fn check_self_review(
    checker: &mut Checker,
    ir: &Workflow,
    allowed: &Allowed,
    components: &crate::scc::Components,
) {
    let graph = &ir.graph;
    for (index, node) in ir.nodes() {
        let NodeKind::Decision(decision) = &node.kind else {
            continue;
        };
        let Some(role) = decision.role.as_deref() else {
            continue;
        };
        let component = components.of(index);
        let sends_back = |e: &petgraph::graph::EdgeReference<'_, baton_ir::Edge>| {
            matches!(e.weight().kind, EdgeKind::Outcome { .. })
                && components.of(e.target()) == component
        };
        if !graph
            .edges_directed(index, Direction::Outgoing)
            .any(|e| sends_back(&e))
        {
            continue;
        }
        let reworked = graph
            .edges_directed(index, Direction::Outgoing)
            .filter(|e| sends_back(e))
            .map(|e| e.target());
        let before = graph
            .edges_directed(index, Direction::Incoming)
            .map(|e| e.source());
        let mut seen = HashSet::default();
        for step_index in reworked.chain(before) {
            if !seen.insert(step_index) {
                continue;
            }
            let step = &graph[step_index];
            if step.role() != Some(role) || !matches!(step.kind, NodeKind::Step(_)) {
                continue;
            }
            let d = checker
                .diag(
                    Code::SelfReview,
                    node.name_span,
                    format!(
                        "`{}` is decided by `{role}`, who also does `{}`",
                        node.id, step.id
                    ),
                    "approval by the same role",
                )
                .with_related(
                    checker.file,
                    step.name_span,
                    format!("`{}` is done by `{role}`", step.id),
                )
                .with_help("have another role make the decision (separation of duties)");
            warn(checker, allowed, &node.id, "self_review", d);
            break;
        }
    }
}
