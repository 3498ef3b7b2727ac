//! Lowering a resolved workflow into the IR graph.
//!
//! Nodes are allocated first, in source order (a `parallel`'s join after its branches),
//! so that forward jumps can be wired; then every flow list is walked once to add edges.
//! A node falls through to the entry of the next flow item of its list; the last item of a
//! branch falls through to the join; the last item of the workflow falls through to
//! nothing, which is an error unless the item transfers control. An edge is a back edge
//! when it goes to a node written earlier (or to itself) inside a cycle: every cycle has
//! one.

use crate::resolve::{end_outcome, ActorKind, Checker};
use crate::Signature;
use baton_diagnostics::{Code, Span};
use baton_ir::{
    Actor, Argument, Decision, Edge, EdgeKind, EndOutcome, Import, Node, NodeKind, Performer,
    SmolStr, Step, Variable, WaitUntil,
};
use baton_syntax::ast::{self, ClauseKind, Item, ItemKind};
use petgraph::graph::{DiGraph, NodeIndex};
use rustc_hash::FxHashMap as HashMap;

/// Builds the IR; `None` (with diagnostics) if the flow cannot be wired.
pub(crate) fn lower(
    checker: &mut Checker,
    workflow: &ast::Workflow,
    imports: &HashMap<SmolStr, Signature>,
) -> Option<baton_ir::Workflow> {
    // Sized up front: at 100,000 steps, growing these by doubling copies each of them
    // several times, and the copies add up to more memory than the final tables.
    let (nodes, edges) = graph_size(&workflow.items);
    let nodes = nodes + 1;
    let mut lowering = Lowering {
        graph: DiGraph::with_capacity(nodes, edges + 1),
        by_name: HashMap::with_capacity_and_hasher(nodes, Default::default()),
        by_item: HashMap::with_capacity_and_hasher(nodes, Default::default()),
        joins: HashMap::default(),
        counters: HashMap::default(),
        failed: false,
        scopes: vec![Vec::new()],
        scope_of: Vec::new(),
        scope: Vec::new(),
        scope_ids: vec![0],
        parallels: 0,
        jumps: Vec::new(),
        allowed: HashMap::default(),
    };
    let start = lowering.graph.add_node(Node {
        id: "#start".into(),
        kind: NodeKind::Start,
        span: workflow.name.span,
        name_span: workflow.name.span,
    });
    lowering.allocate(checker, &workflow.items);

    let flow: Vec<&Item> = workflow.items.iter().filter(|i| i.kind.is_flow()).collect();
    let Some(first) = flow.first() else {
        let d = checker
            .diag(
                Code::EmptyWorkflow,
                workflow.name.span,
                format!("workflow `{}` has no steps", workflow.name.text),
                "nothing to do",
            )
            .with_help(
                "add the flow after the declarations: steps, decisions and at least one `end`",
            );
        checker.error(d);
        return None;
    };
    let entry = lowering.entry(first);
    lowering.add_edge(start, entry, EdgeKind::Next);
    lowering.wire_list(checker, &flow, None);
    lowering.check_crossings(checker);
    lowering.mark_back_edges();
    lowering.check_write_races(checker);
    if lowering.failed {
        return None;
    }

    let actors = |kind: ActorKind| -> Vec<Actor> {
        checker
            .actors
            .iter()
            .filter(|a| a.kind == kind)
            .map(|a| Actor {
                id: a.name.clone(),
                title: a.title.clone(),
                span: a.span,
            })
            .collect()
    };
    let roles = actors(ActorKind::Role);
    let systems = actors(ActorKind::System);
    // The checker is done with its variables: they move into the IR, into vectors of the
    // right size (75,000 of them at 100,000 steps).
    let defined = std::mem::take(&mut checker.variables);
    let input_count = defined.iter().filter(|v| v.set_by.is_none()).count();
    let mut inputs = Vec::with_capacity(input_count);
    let mut variables = Vec::with_capacity(defined.len() - input_count);
    for v in defined {
        let variable = Variable {
            default: v
                .default
                .as_ref()
                .and_then(|d| checker.infer(d, Some(&v.ty))),
            name: v.name,
            ty: v.ty,
            set_by: v.set_by,
            span: v.span,
        };
        if variable.set_by.is_none() {
            inputs.push(variable);
        } else {
            variables.push(variable);
        }
    }
    let mut import_list: Vec<Import> = imports
        .values()
        .map(|s| Import {
            workflow: s.name.clone(),
            path: s.path.clone(),
            file: s.file,
        })
        .collect();
    import_list.sort_by(|a, b| a.workflow.cmp(&b.workflow));

    // The lowering's tables are dropped here, before the graph checks allocate theirs.
    let (graph, allowed) = lowering.into_graph();
    let ir = baton_ir::Workflow {
        name: workflow.name.text.clone(),
        title: workflow.title.as_ref().map(|t| t.value.clone()),
        description: checker.description.as_ref().map(|d| d.value.clone()),
        deadline: checker.deadline.map(|d| d.seconds),
        roles,
        systems,
        inputs,
        variables,
        outputs: checker.outputs.iter().map(|n| n.text.clone()).collect(),
        imports: import_list,
        graph,
        start,
    };
    checker.release_tables();
    // The graph checks and data flow only read the IR: they run side by side, data flow
    // reporting into a checker of its own. The diagnostics are sorted afterwards.
    let (file, imports) = (checker.file, checker.imports);
    let data_flow = &|| {
        let mut data = Checker::new(file, imports, false);
        crate::dataflow::check(&mut data, &ir, &allowed);
        data.diagnostics
    };
    let data_flow_diagnostics = std::thread::scope(|scope| {
        // The main thread's stack size, as data flow had before it moved here.
        let worker = std::thread::Builder::new()
            .stack_size(8 * 1024 * 1024)
            .spawn_scoped(scope, data_flow);
        crate::flow::check_graph(checker, &ir, &allowed);
        worker.ok().and_then(|w| w.join().ok())
    })
    // No thread to be had (or it panicked): run it here, as it would have run.
    .unwrap_or_else(data_flow);
    checker.diagnostics.extend(data_flow_diagnostics);
    Some(ir)
}

/// How many graph nodes and edges `items` lower to (edges estimated from above): a node
/// per flow item and a join per `parallel`; an edge out of each node (a fall-through or a
/// jump), one per outcome or arm, one per branch out of a fork.
fn graph_size(items: &[Item]) -> (usize, usize) {
    let mut size = (0, 0);
    for item in items {
        let (nodes, edges) = match &item.kind {
            ItemKind::Step(step) => (1, 1 + routes(step).count()),
            ItemKind::Wait(_) => (1, 1),
            ItemKind::End(_) => (1, 0),
            ItemKind::Decision(decision) => (1, decision.outcomes.len()),
            ItemKind::If(_) => (1, 2),
            ItemKind::Match(node) => (1, node.arms.len() + 1),
            ItemKind::Parallel(parallel) => {
                let mut size = (2, parallel.branches.len() + 1);
                for branch in &parallel.branches {
                    let (nodes, edges) = graph_size(&branch.items);
                    size = (size.0 + nodes, size.1 + edges);
                }
                size
            }
            ItemKind::Goto(_)
            | ItemKind::Deadline(_)
            | ItemKind::Description(_)
            | ItemKind::Role(_)
            | ItemKind::System(_)
            | ItemKind::Input(_)
            | ItemKind::Outputs(_) => (0, 0),
        };
        size = (size.0 + nodes, size.1 + edges);
    }
    size
}

/// A step's `on failure` and `on timeout` routes, in source order, with their edge kinds.
fn routes(step: &ast::Step) -> impl Iterator<Item = (&ast::Jump, EdgeKind)> {
    step.clauses.iter().filter_map(|c| match &c.kind {
        ClauseKind::OnFailure(jump) => Some((jump, EdgeKind::Failure)),
        ClauseKind::OnTimeout(jump) => Some((jump, EdgeKind::Timeout)),
        _ => None,
    })
}

/// Where control goes: a node, and the bound and span of the `-> target` that led there.
#[derive(Clone, Copy)]
struct Target {
    node: NodeIndex,
    bound: Option<u32>,
    span: Span,
    /// Written as `-> target` (not a fall-through).
    explicit: bool,
}

struct Lowering {
    graph: DiGraph<Node, Edge>,
    by_name: HashMap<SmolStr, NodeIndex>,
    /// Flow items by address: the AST is not moved while lowering.
    by_item: HashMap<*const Item, NodeIndex>,
    joins: HashMap<*const Item, NodeIndex>,
    counters: HashMap<&'static str, usize>,
    failed: bool,
    /// The `parallel` branches a node sits in, outermost first, as (parallel, branch):
    /// each distinct list once (`scopes[0]` is the top level), and its index per node.
    scopes: Vec<Vec<(usize, usize)>>,
    scope_of: Vec<u32>,
    /// The branches being lowered now, and their index in `scopes`, innermost last.
    scope: Vec<(usize, usize)>,
    scope_ids: Vec<u32>,
    parallels: usize,
    /// Explicit jumps, to check that none crosses a `parallel` branch.
    jumps: Vec<(NodeIndex, Target)>,
    /// Lints silenced with `@allow`, by node id or `role:name`.
    pub(crate) allowed: HashMap<SmolStr, Vec<SmolStr>>,
}

impl Lowering {
    fn into_graph(self) -> (DiGraph<Node, Edge>, HashMap<SmolStr, Vec<SmolStr>>) {
        (self.graph, self.allowed)
    }

    fn generated_id(&mut self, kind: &'static str) -> SmolStr {
        let n = self.counters.entry(kind).or_insert(0);
        *n += 1;
        smol_str::format_smolstr!("{kind}#{n}")
    }

    fn add(&mut self, item: &Item, id: SmolStr, mut kind: NodeKind, name_span: Span) -> NodeIndex {
        let span = item.span;
        let lints: Vec<SmolStr> = item
            .attrs
            .iter()
            .flat_map(|a| a.args.iter().map(|n| n.text.clone()))
            .collect();
        if let NodeKind::Decision(decision) = &mut kind {
            // The runner enforces separation of duties unless the decision allows this.
            decision.allow_self_review = lints.iter().any(|lint| lint == "self_review");
        }
        if !lints.is_empty() {
            self.allowed.insert(id.clone(), lints);
        }
        let index = self.graph.add_node(Node {
            id,
            kind,
            span,
            name_span,
        });
        self.by_item.insert(item as *const Item, index);
        self.set_scope(index);
        index
    }

    fn set_scope(&mut self, index: NodeIndex) {
        let id = self.scope_ids.last().copied().unwrap_or(0);
        if self.scope_of.len() <= index.index() {
            self.scope_of.resize(index.index() + 1, 0);
        }
        self.scope_of[index.index()] = id;
    }

    fn scope_of(&self, index: NodeIndex) -> &[(usize, usize)] {
        let id = self.scope_of.get(index.index()).copied().unwrap_or(0);
        &self.scopes[id as usize]
    }

    fn allocate(&mut self, checker: &mut Checker, items: &[Item]) {
        for item in items {
            match &item.kind {
                ItemKind::Deadline(_) => {
                    let lints: Vec<SmolStr> = item
                        .attrs
                        .iter()
                        .flat_map(|a| a.args.iter().map(|n| n.text.clone()))
                        .collect();
                    if !lints.is_empty() {
                        self.allowed.insert("#workflow".into(), lints);
                    }
                }
                ItemKind::Role(actor) | ItemKind::System(actor) => {
                    let lints: Vec<SmolStr> = item
                        .attrs
                        .iter()
                        .flat_map(|a| a.args.iter().map(|n| n.text.clone()))
                        .collect();
                    if !lints.is_empty() {
                        self.allowed
                            .insert(smol_str::format_smolstr!("role:{}", actor.name.text), lints);
                    }
                }
                ItemKind::Step(step) => {
                    let node = lower_step(checker, step);
                    let index = self.add(
                        item,
                        step.name.text.clone(),
                        NodeKind::Step(node),
                        step.name.span,
                    );
                    self.by_name.insert(step.name.text.clone(), index);
                }
                ItemKind::Decision(decision) => {
                    let node = lower_decision(decision);
                    let index = self.add(
                        item,
                        decision.name.text.clone(),
                        NodeKind::Decision(node),
                        decision.name.span,
                    );
                    self.by_name.insert(decision.name.text.clone(), index);
                }
                ItemKind::Parallel(parallel) => {
                    let id = match &parallel.name {
                        Some(name) => name.text.clone(),
                        None => self.generated_id("fork"),
                    };
                    let kind = NodeKind::Fork {
                        title: parallel.title.as_ref().map(|t| t.value.clone()),
                    };
                    let name_span = parallel.name.as_ref().map_or(parallel.keyword, |n| n.span);
                    let fork = self.add(item, id.clone(), kind, name_span);
                    if let Some(name) = &parallel.name {
                        self.by_name.insert(name.text.clone(), fork);
                    }
                    let parallel_index = self.parallels;
                    self.parallels += 1;
                    for (b, branch) in parallel.branches.iter().enumerate() {
                        self.scope.push((parallel_index, b));
                        self.scopes.push(self.scope.clone());
                        self.scope_ids
                            .push(u32::try_from(self.scopes.len() - 1).unwrap_or(u32::MAX));
                        self.allocate(checker, &branch.items);
                        self.scope.pop();
                        self.scope_ids.pop();
                    }
                    let join_id = match &parallel.name {
                        Some(name) => format!("{}#join", name.text),
                        None => id.replacen("fork", "join", 1),
                    };
                    let join = self.graph.add_node(Node {
                        id: join_id.into(),
                        kind: NodeKind::Join { fork: id },
                        span: item.span,
                        name_span: parallel.keyword,
                    });
                    self.joins.insert(item as *const Item, join);
                    self.set_scope(join);
                }
                ItemKind::If(_) => {
                    let id = self.generated_id("if");
                    let keyword = Span::new(item.span.start as usize, item.span.start as usize + 2);
                    self.add(item, id, NodeKind::Branch { subject: None }, keyword);
                }
                ItemKind::Match(node) => {
                    let id = self.generated_id("match");
                    let kind = NodeKind::Branch {
                        subject: Some(node.subject.text.clone()),
                    };
                    self.add(item, id, kind, node.subject.span);
                }
                ItemKind::Wait(wait) => {
                    let id = match &wait.name {
                        Some(name) => name.text.clone(),
                        None => self.generated_id("wait"),
                    };
                    let until = match &wait.kind {
                        ast::WaitKind::For(duration) => WaitUntil::For(duration.seconds),
                        ast::WaitKind::Until(expr) => match checker.check_time(expr) {
                            Some(expr) => WaitUntil::Until(expr),
                            None => {
                                self.failed = true;
                                WaitUntil::For(0)
                            }
                        },
                    };
                    let kind = NodeKind::Wait {
                        title: wait.title.as_ref().map(|t| t.value.clone()),
                        until,
                    };
                    let keyword = Span::new(item.span.start as usize, item.span.start as usize + 4);
                    let name_span = wait.name.as_ref().map_or(keyword, |n| n.span);
                    let index = self.add(item, id, kind, name_span);
                    if let Some(name) = &wait.name {
                        self.by_name.insert(name.text.clone(), index);
                    }
                }
                ItemKind::End(end) => {
                    // `end failure` alone is an end named and of kind `failure`.
                    let outcome = end
                        .kind
                        .as_ref()
                        .and_then(end_outcome)
                        .or_else(|| end_outcome(&end.name))
                        .unwrap_or(EndOutcome::Success);
                    let kind = NodeKind::End {
                        title: end.title.as_ref().map(|t| t.value.clone()),
                        outcome,
                    };
                    let index = self.add(item, end.name.text.clone(), kind, end.name.span);
                    self.by_name.insert(end.name.text.clone(), index);
                }
                ItemKind::Goto(_)
                | ItemKind::Description(_)
                | ItemKind::Input(_)
                | ItemKind::Outputs(_) => {}
            }
        }
    }

    fn jump_target(&mut self, jump: &ast::Jump) -> Option<Target> {
        let node = self.by_name.get(&jump.target.text).copied();
        if node.is_none() {
            // Resolution reported it already.
            self.failed = true;
        }
        Some(Target {
            node: node?,
            bound: jump.bound.map(|b| b.times),
            span: jump.span,
            explicit: true,
        })
    }

    /// Where control enters a flow item.
    fn entry(&mut self, item: &Item) -> Option<Target> {
        if let ItemKind::Goto(jump) = &item.kind {
            return self.jump_target(jump);
        }
        let node = self.by_item.get(&(item as *const Item)).copied()?;
        Some(Target {
            node,
            bound: None,
            span: item.span,
            explicit: false,
        })
    }

    fn add_edge(&mut self, from: NodeIndex, to: Option<Target>, kind: EdgeKind) {
        let Some(to) = to else { return };
        if to.explicit {
            self.jumps.push((from, to));
        }
        self.graph.add_edge(
            from,
            to.node,
            Edge {
                kind,
                bound: to.bound,
                // Decided once the whole graph is known: `mark_back_edges`.
                back: false,
                span: to.span,
            },
        );
    }

    /// Wires the flow items of one list; `after` is where the list falls through to.
    fn wire_list(&mut self, checker: &mut Checker, items: &[&Item], after: Option<Target>) {
        for (i, item) in items.iter().enumerate() {
            let next = match items.get(i + 1) {
                Some(next) => self.entry(next),
                None => after,
            };
            let Some(node) = self.by_item.get(&(*item as *const Item)).copied() else {
                continue;
            };
            match &item.kind {
                ItemKind::Step(step) => {
                    self.fall_through(checker, item, node, next, EdgeKind::Next);
                    for (jump, kind) in routes(step) {
                        let target = self.jump_target(jump);
                        self.add_edge(node, target, kind);
                    }
                }
                ItemKind::Wait(_) => {
                    self.fall_through(checker, item, node, next, EdgeKind::Next);
                }
                ItemKind::Decision(decision) => {
                    crate::flow::check_outcomes(checker, decision, &self.allowed);
                    for outcome in &decision.outcomes {
                        let target = self.jump_target(&outcome.jump);
                        let kind = EdgeKind::Outcome {
                            name: outcome.name.text.clone(),
                            title: outcome.title.as_ref().map(|t| t.value.clone()),
                        };
                        self.add_edge(node, target, kind);
                    }
                }
                ItemKind::If(node_ast) => {
                    let guard = checker.check_condition(&node_ast.condition);
                    let Some(guard) = guard else {
                        self.failed = true;
                        continue;
                    };
                    let then = self.jump_target(&node_ast.then);
                    self.add_edge(node, then, EdgeKind::Guard { guard });
                    match &node_ast.otherwise {
                        Some(jump) => {
                            let target = self.jump_target(jump);
                            self.add_edge(node, target, EdgeKind::Else);
                        }
                        None => self.fall_through(checker, item, node, next, EdgeKind::Else),
                    }
                }
                ItemKind::Match(node_ast) => {
                    for arm in &node_ast.arms {
                        let target = self.jump_target(&arm.jump);
                        let variants = arm.variants.iter().map(|v| v.text.clone()).collect();
                        self.add_edge(node, target, EdgeKind::Arm { variants });
                    }
                    if let Some(jump) = &node_ast.otherwise {
                        let target = self.jump_target(jump);
                        self.add_edge(node, target, EdgeKind::Else);
                    }
                }
                ItemKind::Parallel(parallel) => {
                    let Some(join) = self.joins.get(&(*item as *const Item)).copied() else {
                        continue;
                    };
                    let join_target = Some(Target {
                        node: join,
                        bound: None,
                        span: item.span,
                        explicit: false,
                    });
                    let fork_id = self.graph[node].id.clone();
                    crate::flow::check_parallel(checker, parallel, &fork_id, &self.allowed);
                    for branch in &parallel.branches {
                        let flow: Vec<&Item> =
                            branch.items.iter().filter(|i| i.kind.is_flow()).collect();
                        let entry = match flow.first() {
                            Some(first) => self.entry(first),
                            None => join_target,
                        };
                        let kind = EdgeKind::Branch {
                            name: branch.name.as_ref().map(|n| n.text.clone()),
                            title: branch.title.as_ref().map(|t| t.value.clone()),
                        };
                        self.add_edge(node, entry, kind);
                        self.wire_list(checker, &flow, join_target);
                    }
                    self.fall_through(checker, item, join, next, EdgeKind::Next);
                }
                _ => {}
            }
        }
    }

    /// An edge closes a loop when it goes to a node written earlier (or to itself) and the
    /// target can reach the source again (same strongly connected component). Every cycle
    /// has such an edge, so leaving them out makes the graph acyclic.
    fn mark_back_edges(&mut self) {
        let components = crate::scc::tarjan(&self.graph);
        for edge in self.graph.edge_indices() {
            let Some((from, to)) = self.graph.edge_endpoints(edge) else {
                continue;
            };
            let back = to.index() <= from.index() && components.of(to) == components.of(from);
            self.graph[edge].back = back;
        }
    }

    /// Two branches of one `parallel` that set the same variable race: which value wins
    /// depends on timing.
    fn check_write_races(&mut self, checker: &mut Checker) {
        // (parallel, variable) → (branch, node) of the first write seen.
        let mut first: HashMap<(usize, &str), (usize, NodeIndex)> = HashMap::default();
        let mut reported = rustc_hash::FxHashSet::default();
        for index in self.graph.node_indices() {
            let NodeKind::Step(step) = &self.graph[index].kind else {
                continue;
            };
            let scope = self.scope_of(index);
            for var in &step.outputs {
                for &(parallel, branch) in scope {
                    match first.get(&(parallel, var.as_str())) {
                        None => {
                            first.insert((parallel, var.as_str()), (branch, index));
                        }
                        Some(&(other_branch, other)) if other_branch != branch => {
                            if !reported.insert((parallel, var.clone())) {
                                continue;
                            }
                            let d = checker
                                .diag(
                                    Code::ParallelWriteRace,
                                    self.graph[index].name_span,
                                    format!(
                                        "`{}` and `{}` both set `{var}` in parallel branches",
                                        self.graph[other].id, self.graph[index].id
                                    ),
                                    format!("sets `{var}`").as_str(),
                                )
                                .with_related(
                                    checker.file,
                                    self.graph[other].name_span,
                                    format!("also sets `{var}`, in another branch"),
                                )
                                .with_help("which value wins would depend on timing: give the outputs different names");
                            checker.error(d);
                        }
                        Some(_) => {}
                    }
                }
            }
        }
    }

    /// A jump into or out of a `parallel` branch would leave the join waiting forever.
    fn check_crossings(&mut self, checker: &mut Checker) {
        for (from, to) in std::mem::take(&mut self.jumps) {
            let from_scope = self.scope_of(from).to_vec();
            let to_scope = self.scope_of(to.node).to_vec();
            if from_scope == to_scope {
                continue;
            }
            let (message, help) = if to_scope.len() > from_scope.len()
                && to_scope.starts_with(&from_scope)
            {
                (
                    format!("this jumps into a `parallel` branch, to `{}`", self.graph[to.node].id),
                    "a branch is entered only through its `parallel`; jump to the `parallel` itself (give it a name) or restructure",
                )
            } else {
                (
                    format!("this jumps out of a `parallel` branch, to `{}`", self.graph[to.node].id),
                    "the join would wait forever for this branch; let the branch finish, then decide after the `parallel`",
                )
            };
            let d = checker
                .diag(
                    Code::JumpAcrossParallel,
                    to.span,
                    message,
                    "crosses a branch boundary",
                )
                .with_related(checker.file, self.graph[to.node].span, "the target")
                .with_help(help);
            checker.error(d);
            self.failed = true;
        }
    }

    fn fall_through(
        &mut self,
        checker: &mut Checker,
        item: &Item,
        node: NodeIndex,
        next: Option<Target>,
        kind: EdgeKind,
    ) {
        if next.is_some() {
            self.add_edge(node, next, kind);
            return;
        }
        self.failed = true;
        let d = checker
            .diag(
                Code::FallsOffEnd,
                item.span,
                "the workflow runs past its last node without reaching an `end`".into(),
                "nothing comes after this",
            )
            .with_help("add `end done success` after it, or jump somewhere with `-> target`");
        checker.error(d);
    }
}

fn lower_step(checker: &mut Checker, step: &ast::Step) -> Step {
    let mut node = Step {
        title: step.title.as_ref().map(|t| t.value.clone()),
        description: None,
        performer: Performer::Role {
            role: SmolStr::default(),
        },
        takes: None,
        retry: None,
        timeout: None,
        needs: Vec::new(),
        outputs: Vec::new(),
        consult: Vec::new(),
        notify: Vec::new(),
    };
    for clause in &step.clauses {
        match &clause.kind {
            ClauseKind::By(role) => {
                node.performer = Performer::Role {
                    role: role.text.clone(),
                }
            }
            ClauseKind::Auto { system, action } => {
                node.performer = Performer::System {
                    system: system.text.clone(),
                    action: action.as_ref().map(|a| a.value.clone()),
                }
            }
            ClauseKind::Run { workflow, args } => {
                let signature = checker.imports.get(&workflow.text).cloned();
                let args = args
                    .iter()
                    .filter_map(|arg| {
                        let ty = signature
                            .as_ref()?
                            .inputs
                            .iter()
                            .find(|(n, _, _)| *n == arg.name.text)?
                            .1
                            .clone();
                        let value = checker.infer(&arg.value, Some(&ty))?;
                        Some(Argument {
                            input: arg.name.text.clone(),
                            value,
                        })
                    })
                    .collect();
                node.performer = Performer::Workflow {
                    workflow: workflow.text.clone(),
                    args,
                };
            }
            ClauseKind::Takes(d) => node.takes = Some(d.seconds),
            ClauseKind::Retry { times, .. } => node.retry = Some(*times),
            ClauseKind::Timeout(d) => node.timeout = Some(d.seconds),
            ClauseKind::Description(text) => node.description = Some(text.value.clone()),
            ClauseKind::Output { name, .. } => node.outputs.push(name.text.clone()),
            ClauseKind::Needs(names) => node.needs.extend(names.iter().map(|n| n.text.clone())),
            ClauseKind::Notify(roles) => node.notify.extend(roles.iter().map(|n| n.text.clone())),
            ClauseKind::Consult(roles) => node.consult.extend(roles.iter().map(|n| n.text.clone())),
            // Edges, wired with the flow.
            ClauseKind::OnFailure(_) | ClauseKind::OnTimeout(_) => {}
        }
    }
    node
}

fn lower_decision(decision: &ast::Decision) -> Decision {
    let mut node = Decision {
        title: decision.title.as_ref().map(|t| t.value.clone()),
        description: None,
        role: None,
        takes: None,
        consult: Vec::new(),
        notify: Vec::new(),
        allow_self_review: false,
    };
    for clause in &decision.clauses {
        match &clause.kind {
            ClauseKind::By(role) => node.role = Some(role.text.clone()),
            ClauseKind::Takes(d) => node.takes = Some(d.seconds),
            ClauseKind::Description(text) => node.description = Some(text.value.clone()),
            ClauseKind::Notify(roles) => node.notify.extend(roles.iter().map(|n| n.text.clone())),
            ClauseKind::Consult(roles) => node.consult.extend(roles.iter().map(|n| n.text.clone())),
            _ => {}
        }
    }
    node
}
