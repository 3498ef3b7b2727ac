//! Data flow over the IR graph: definite assignment, write races between parallel
//! branches, and outputs nobody reads.
//!
//! Definite assignment is a forward "must" analysis: a variable is set on entry to a node
//! when it is set on exit of every predecessor; on entry to a join it is set when any
//! branch set it (all branches have run). Inputs are set at the start. Its exact solution
//! is the greatest fixpoint of those equations (the worklist over bit sets in
//! [`solve_exactly`]), but one bit set of all variables per node costs nodes × variables
//! / 8 bytes: 2 GB for a workflow of 100,000 steps with one output each.
//!
//! So the analysis answers each read with dominators first, in linear time:
//! - a variable is set on entry to a node when a step that outputs it strictly
//!   dominates the node (every path from the start passes that step first);
//! - it is set on entry to a join when it is set on exit of one of the join's
//!   predecessors, which the dominator chain of that predecessor up to the join's own
//!   dominators shows; such a join then counts as setting it (for itself and every node
//!   it dominates).
//!
//! Both rules only ever prove "set", and they are sound for the exact solution: a path
//! from the start that avoids every setter would have to pass the dominating node. The
//! reads they cannot prove (real mistakes, and variables set on each arm of an `if` with
//! no single dominating setter) are solved exactly, 64 variables at a time, with the
//! original worklist restricted to those variables. The result, and so every diagnostic,
//! is the exact solution's.

use crate::resolve::Checker;
use baton_diagnostics::Code;
use baton_ir::{EdgeKind, Expr, ExprKind, NodeKind, Performer, SmolStr, WaitUntil, Workflow};
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use rustc_hash::FxHashMap as HashMap;
use std::collections::VecDeque;

/// How a node reads a variable, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum How {
    Needs,
    Passes,
    MatchesOn,
    Tests,
    WaitsUntil,
}

impl How {
    fn verb(self) -> &'static str {
        match self {
            How::Needs => "needs",
            How::Passes => "passes",
            How::MatchesOn => "matches on",
            How::Tests => "tests",
            How::WaitsUntil => "waits until",
        }
    }
}

/// Calls `f` with every variable the node `index` reads, in order, and how it reads it.
fn each_read<'ir>(ir: &'ir Workflow, index: NodeIndex, f: &mut dyn FnMut(&'ir str, How)) {
    match &ir.graph[index].kind {
        NodeKind::Step(step) => {
            for var in &step.needs {
                f(var, How::Needs);
            }
            if let Performer::Workflow { args, .. } = &step.performer {
                for arg in args {
                    expr_vars(&arg.value, &mut |v| f(v, How::Passes));
                }
            }
        }
        NodeKind::Branch { subject } => {
            if let Some(subject) = subject {
                f(subject, How::MatchesOn);
            }
            for edge in ir.graph.edges_directed(index, Direction::Outgoing) {
                if let EdgeKind::Guard { guard } = &edge.weight().kind {
                    expr_vars(guard, &mut |v| f(v, How::Tests));
                }
            }
        }
        NodeKind::Wait {
            until: WaitUntil::Until(expr),
            ..
        } => expr_vars(expr, &mut |v| f(v, How::WaitsUntil)),
        _ => {}
    }
}

/// The variables a node reads, with a word saying how: the reference analysis' form.
#[cfg(test)]
fn reads(ir: &Workflow, index: NodeIndex) -> Vec<(&str, &'static str)> {
    let mut out = Vec::new();
    each_read(ir, index, &mut |var, how| out.push((var, how.verb())));
    out
}

/// Calls `f` with every variable in `expr`. Expressions are shallow (the parser bounds
/// their depth), so recursion is safe.
fn expr_vars<'e>(expr: &'e Expr, f: &mut dyn FnMut(&'e str)) {
    match &expr.kind {
        ExprKind::Var(name) => f(name),
        ExprKind::Value(_) => {}
        ExprKind::Not(inner) => expr_vars(inner, f),
        ExprKind::Binary { lhs, rhs, .. } => {
            expr_vars(lhs, f);
            expr_vars(rhs, f);
        }
    }
}

fn writes(ir: &Workflow, index: NodeIndex) -> &[SmolStr] {
    match &ir.graph[index].kind {
        NodeKind::Step(step) => &step.outputs,
        _ => &[],
    }
}

/// One list per node, all in two flat vectors: node `i`'s entries are
/// `items[start[i]..start[i + 1]]`. At 100,000 steps a `Vec` per node cost tens of
/// megabytes in headers and small allocations. Positions fit in `u32`: there are fewer
/// entries than source bytes, and a file has at most `MAX_FILE_BYTES` (64 MB).
struct PerNode<T> {
    start: Vec<u32>,
    items: Vec<T>,
}

impl<T: Copy> PerNode<T> {
    fn with_capacity(nodes: usize) -> PerNode<T> {
        let mut start = Vec::with_capacity(nodes + 1);
        start.push(0);
        PerNode {
            start,
            items: Vec::new(),
        }
    }

    /// Ends the list of the node being built: later pushes go to the next node's.
    fn end_node(&mut self) {
        self.start.push(self.items.len() as u32);
    }

    /// Where node `node`'s entries are in `items`; empty for a node not built yet.
    fn range(&self, node: usize) -> std::ops::Range<usize> {
        match (self.start.get(node), self.start.get(node + 1)) {
            (Some(&from), Some(&to)) => from as usize..to as usize,
            _ => 0..0,
        }
    }

    fn get(&self, node: usize) -> &[T] {
        &self.items[self.range(node)]
    }
}

impl<T: Copy + Default> PerNode<T> {
    /// The lists of `nodes` nodes from (node, entry) pairs, each list in the pairs' order.
    fn grouped(nodes: usize, pairs: impl Iterator<Item = (usize, T)> + Clone) -> PerNode<T> {
        let mut start = vec![0u32; nodes + 1];
        for (node, _) in pairs.clone() {
            start[node + 1] += 1;
        }
        for i in 0..nodes {
            start[i + 1] += start[i];
        }
        let mut next = start.clone();
        let mut items = vec![T::default(); start[nodes] as usize];
        for (node, item) in pairs {
            items[next[node] as usize] = item;
            next[node] += 1;
        }
        PerNode { start, items }
    }
}

/// A read of variable `var` (an index into inputs, then variables).
#[derive(Clone, Copy)]
struct Read {
    var: u32,
    how: How,
}

/// Each node's predecessors as one flat list, in petgraph's order: walking petgraph's
/// linked edge lists is a cache miss per edge at 100,000 steps.
fn predecessors(ir: &Workflow) -> PerNode<u32> {
    let mut predecessors = PerNode::with_capacity(ir.graph.node_count());
    predecessors.items.reserve(ir.graph.edge_count());
    for index in ir.graph.node_indices() {
        predecessors.items.extend(
            ir.graph
                .neighbors_directed(index, Direction::Incoming)
                .map(|p| p.index() as u32),
        );
        predecessors.end_node();
    }
    predecessors
}

pub(crate) fn check(
    checker: &mut Checker,
    ir: &Workflow,
    allowed: &HashMap<SmolStr, Vec<SmolStr>>,
) {
    let names: Vec<&str> = ir
        .inputs
        .iter()
        .chain(&ir.variables)
        .map(|v| v.name.as_str())
        .collect();
    // Variable indices fit in u32: there are fewer variables than source bytes.
    let index_of: HashMap<&str, u32> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (*n, i as u32))
        .collect();
    let n_vars = names.len();
    let n_nodes = ir.graph.node_count();

    let mut gen: PerNode<u32> = PerNode::with_capacity(n_nodes);
    for (index, _) in ir.nodes() {
        for var in writes(ir, index) {
            if let Some(&i) = index_of.get(var.as_str()) {
                gen.items.push(i);
            }
        }
        gen.end_node();
    }
    let mut is_input = vec![false; n_vars];
    for input in &ir.inputs {
        if let Some(&i) = index_of.get(input.name.as_str()) {
            is_input[i as usize] = true;
        }
    }

    // Every read of a declared variable, in node order, and whether the variable is set
    // on entry to the node (by read: `set[k]` for `reads.items[k]`).
    let mut reads: PerNode<Read> = PerNode::with_capacity(n_nodes);
    for (index, _) in ir.nodes() {
        each_read(ir, index, &mut |var, how| {
            if let Some(&var) = index_of.get(var) {
                reads.items.push(Read { var, how });
            }
        });
        reads.end_node();
    }
    let mut set: Vec<bool> = reads
        .items
        .iter()
        .map(|read| is_input[read.var as usize])
        .collect();
    // A step with a failure or timeout route does not set its outputs on that route, so
    // it does not set them for every node it dominates: its writes are left out of the
    // proof (which only ever proves "set") and solved exactly.
    let routed = routed_steps(ir);
    if routed.iter().any(|&r| r) {
        let mut proof_gen: PerNode<u32> = PerNode::with_capacity(n_nodes);
        for (node, &routed) in routed.iter().enumerate() {
            if !routed {
                proof_gen.items.extend_from_slice(gen.get(node));
            }
            proof_gen.end_node();
        }
        prove_with_dominators(ir, &proof_gen, &reads, n_vars, &mut set);
    } else {
        prove_with_dominators(ir, &gen, &reads, n_vars, &mut set);
    }

    // The rest, exactly, 64 variables at a time; with the path that leaves each unset
    // variable unset.
    let mut unproven: HashMap<u32, Vec<(usize, usize)>> = HashMap::default();
    for node in 0..n_nodes {
        for k in reads.range(node) {
            if !set[k] {
                unproven
                    .entry(reads.items[k].var)
                    .or_default()
                    .push((node, k));
            }
        }
    }
    let mut vars: Vec<u32> = unproven.keys().copied().collect();
    vars.sort_unstable();
    let mut paths: HashMap<usize, String> = HashMap::default();
    for chunk in vars.chunks(64) {
        let (inn, out) = solve_exactly(ir, &gen, &is_input, chunk);
        for (bit, var) in chunk.iter().enumerate() {
            for &(node, k) in unproven.get(var).into_iter().flatten() {
                let index = NodeIndex::new(node);
                if inn[index.index()] & (1 << bit) != 0 {
                    set[k] = true;
                } else {
                    let path = unset_path(ir, index, |pred, route| {
                        let after = if route { &inn } else { &out };
                        after[pred.index()] & (1 << bit) != 0
                    });
                    paths.insert(k, path);
                }
            }
        }
    }

    let mut read_anywhere = vec![false; n_vars];
    for name in &ir.outputs {
        if let Some(&i) = index_of.get(name.as_str()) {
            read_anywhere[i as usize] = true;
        }
    }
    let mut setters: Option<HashMap<&str, &baton_ir::Variable>> = None;
    for (index, node) in ir.nodes() {
        let mut reported = Vec::new();
        for k in reads.range(index.index()) {
            let Read { var: i, how } = reads.items[k];
            read_anywhere[i as usize] = true;
            if set[k] || reported.contains(&i) {
                continue;
            }
            reported.push(i);
            let var = names[i as usize];
            let how = how.verb();
            let path = paths.remove(&k).unwrap_or_default();
            let mut d = checker
                .diag(
                    Code::NotSet,
                    node.name_span,
                    format!("{} {how} `{var}`, which may not be set yet", describe(&node.id)),
                    format!("`{var}` is not set on every path to here").as_str(),
                )
                .with_help(format!(
                    "`{var}` is not set when `{}` is reached via {}; set it on that path (an `output` of an earlier step), or make it an `input`",
                    node.id, path
                ));
            // The first variable of that name, as a linear search would find it.
            let setters = setters.get_or_insert_with(|| {
                let mut map = HashMap::default();
                for v in &ir.variables {
                    map.entry(v.name.as_str()).or_insert(v);
                }
                map
            });
            if let Some(setter) = setters.get(var) {
                d = d.with_related(checker.file, setter.span, "set only here");
            }
            checker.error(d);
        }
    }

    for var in &ir.variables {
        let Some(&i) = index_of.get(var.name.as_str()) else {
            continue;
        };
        if read_anywhere[i as usize] {
            continue;
        }
        let setter = var.set_by.clone().unwrap_or_default();
        if allowed
            .get(&setter)
            .is_some_and(|l| l.iter().any(|l| l == "unused_output"))
        {
            continue;
        }
        let d = checker
            .diag(
                Code::UnusedOutput,
                var.span,
                format!("output `{}` is never read", var.name),
                "set but never used",
            )
            .with_help(format!(
                "read it (`needs {0}`, an `if` or `match`), list it in the workflow's `output {0}`, remove it, or silence it with `@allow(unused_output)` before `{setter}`",
                var.name
            ));
        checker.error(d);
    }
}

/// By node index: whether the node has an outgoing failure or timeout route.
fn routed_steps(ir: &Workflow) -> Vec<bool> {
    let mut routed = vec![false; ir.graph.node_count()];
    for (_, from, _, edge) in ir.edges() {
        if edge.kind.is_route() {
            routed[from.index()] = true;
        }
    }
    routed
}

/// No node: the immediate dominator of the start and of unreachable nodes.
const NONE: u32 = u32::MAX;

/// The dominator tree of the nodes reachable from the start (Cooper, Harvey and
/// Kennedy's iterative algorithm over reverse post-order), with pre-order intervals so
/// that "`a` dominates `b`" is two comparisons. Node indices are petgraph's, `u32`.
struct DominatorTree {
    /// Immediate dominator by node index; [`NONE`] for the start and unreachable nodes.
    idom: Vec<u32>,
    reachable: Vec<bool>,
    /// Pre-order number, and the last pre-order number in the node's subtree.
    pre: Vec<u32>,
    last: Vec<u32>,
    /// Children in the tree, for the walk that proves reads.
    children: PerNode<u32>,
}

impl DominatorTree {
    fn new(ir: &Workflow, predecessors: &PerNode<u32>) -> DominatorTree {
        let n = ir.graph.node_count();
        let start = ir.start.index();
        // Post-order of a depth-first search from the start, without recursion; each node
        // on the stack with the next of its out-edges (petgraph's list, in its order).
        let (nodes, edges) = (ir.graph.raw_nodes(), ir.graph.raw_edges());
        let mut order = vec![NONE; n];
        let mut post: Vec<u32> = Vec::with_capacity(n);
        let mut reachable = vec![false; n];
        let mut stack = vec![(ir.start, nodes[start].next_edge(Direction::Outgoing))];
        reachable[start] = true;
        while let Some((node, edge)) = stack.last_mut() {
            let node = *node;
            match edges.get(edge.index()) {
                Some(e) => {
                    *edge = e.next_edge(Direction::Outgoing);
                    let successor = e.target();
                    if !reachable[successor.index()] {
                        reachable[successor.index()] = true;
                        let first = nodes[successor.index()].next_edge(Direction::Outgoing);
                        stack.push((successor, first));
                    }
                }
                None => {
                    order[node.index()] = post.len() as u32;
                    post.push(node.index() as u32);
                    stack.pop();
                }
            }
        }
        drop(stack);
        // Predecessors by post-order number, reachable ones only.
        let mut preds: PerNode<u32> = PerNode::with_capacity(post.len());
        for &node in &post {
            for &p in predecessors.get(node as usize) {
                if reachable[p as usize] {
                    preds.items.push(order[p as usize]);
                }
            }
            preds.end_node();
        }
        drop(order);
        let root = post.len() - 1;
        let mut doms = vec![NONE; post.len()];
        doms[root] = root as u32;
        let intersect = |doms: &[u32], mut a: u32, mut b: u32| {
            while a != b {
                while a < b {
                    a = doms[a as usize];
                }
                while b < a {
                    b = doms[b as usize];
                }
            }
            a
        };
        let mut changed = true;
        while changed {
            changed = false;
            for b in (0..root).rev() {
                let mut new_idom = NONE;
                for &p in preds.get(b) {
                    if doms[p as usize] == NONE {
                        continue;
                    }
                    new_idom = if new_idom == NONE {
                        p
                    } else {
                        intersect(&doms, p, new_idom)
                    };
                }
                if new_idom != doms[b] {
                    doms[b] = new_idom;
                    changed = true;
                }
            }
        }
        drop(preds);
        let mut idom = vec![NONE; n];
        for (b, &node) in post.iter().enumerate() {
            if b != root {
                idom[node as usize] = post[doms[b] as usize];
            }
        }
        drop(doms);
        let children = PerNode::grouped(
            n,
            post.iter()
                .map(|&node| (idom[node as usize], node))
                .filter(|&(parent, _)| parent != NONE)
                .map(|(parent, node)| (parent as usize, node)),
        );
        drop(post);
        // Pre-order intervals of the tree.
        let mut pre = vec![0; n];
        let mut last = vec![0; n];
        let mut counter = 0;
        let mut walk: Vec<(u32, u32)> = vec![(start as u32, 0)];
        while let Some((node, child)) = walk.last_mut() {
            let node = *node as usize;
            if *child == 0 {
                pre[node] = counter;
                counter += 1;
            }
            if let Some(&next) = children.get(node).get(*child as usize) {
                *child += 1;
                walk.push((next, 0));
            } else {
                last[node] = counter - 1;
                walk.pop();
            }
        }
        DominatorTree {
            idom,
            reachable,
            pre,
            last,
            children,
        }
    }

    /// Whether `a` dominates `b` (or is `b`); both reachable.
    fn dominates(&self, a: usize, b: usize) -> bool {
        self.pre[a] <= self.pre[b] && self.pre[b] <= self.last[a]
    }
}

/// Marks in `set` the reads that dominators prove set (see the module documentation).
fn prove_with_dominators(
    ir: &Workflow,
    gen: &PerNode<u32>,
    reads: &PerNode<Read>,
    n_vars: usize,
    set: &mut [bool],
) {
    let n = ir.graph.node_count();
    let predecessors = predecessors(ir);
    let tree = DominatorTree::new(ir, &predecessors);
    // A node that is never reached has every variable set (nothing can unset it).
    for node in 0..n {
        if !tree.reachable[node] {
            set[reads.range(node)].iter_mut().for_each(|s| *s = true);
        }
    }
    // Variables set on entry to a node because of what its predecessors set below the
    // node's own dominators: on entry to a join, what one branch sets; on entry to any
    // other node with several predecessors (where the arms of an `if` meet), what every
    // arm sets. Nodes come in source order, so inner joins and merges come first; a
    // node's list is empty until its turn.
    let mut joined: PerNode<u32> = PerNode::with_capacity(n);
    let mut preds: Vec<usize> = Vec::new();
    let (mut vars, mut common) = (Vec::new(), Vec::new());
    for (index, node) in ir.nodes() {
        let j = index.index();
        // The start's entry is the inputs, whatever leads back to it.
        if !tree.reachable[j] || index == ir.start {
            joined.end_node();
            continue;
        }
        let is_join = matches!(node.kind, NodeKind::Join { .. });
        preds.clear();
        preds.extend(
            predecessors
                .get(j)
                .iter()
                .map(|&p| p as usize)
                .filter(|&p| tree.reachable[p]),
        );
        if is_join {
            vars.clear();
            for &pred in &preds {
                set_below(&tree, gen, &joined, pred, j, usize::MAX, &mut vars);
            }
            vars.sort_unstable();
            vars.dedup();
            joined.items.extend_from_slice(&vars);
        } else if (2..=MAX_MERGE_PREDECESSORS).contains(&preds.len()) {
            // A bounded walk keeps this linear; a merge it gives up on is solved exactly.
            common.clear();
            for (k, &pred) in preds.iter().enumerate() {
                vars.clear();
                if !set_below(&tree, gen, &joined, pred, j, MAX_MERGE_WALK, &mut vars) {
                    common.clear();
                    break;
                }
                vars.sort_unstable();
                vars.dedup();
                if k == 0 {
                    std::mem::swap(&mut common, &mut vars);
                } else {
                    common.retain(|v| vars.binary_search(v).is_ok());
                }
                if common.is_empty() {
                    break;
                }
            }
            joined.items.extend_from_slice(&common);
        }
        joined.end_node();
    }
    // Down the dominator tree, counting for each variable the nodes above (or, for a
    // join, at) the current one that set it.
    let mut active = vec![0u32; n_vars];
    let mut walk: Vec<(u32, u32)> = vec![(ir.start.index() as u32, 0)];
    while let Some((node, child)) = walk.last_mut() {
        let node = *node as usize;
        if *child == 0 {
            for &v in joined.get(node) {
                active[v as usize] += 1;
            }
            for k in reads.range(node) {
                if active[reads.items[k].var as usize] > 0 {
                    set[k] = true;
                }
            }
            for &v in gen.get(node) {
                active[v as usize] += 1;
            }
        }
        if let Some(&next) = tree.children.get(node).get(*child as usize) {
            *child += 1;
            walk.push((next, 0));
        } else {
            for &v in joined.get(node).iter().chain(gen.get(node)) {
                active[v as usize] -= 1;
            }
            walk.pop();
        }
    }
}

/// Merges with more predecessors than this (a common `end`, say) are left to the exact
/// analysis, as are those whose predecessors' dominators go up more than
/// [`MAX_MERGE_WALK`] nodes before they reach the merge's own.
const MAX_MERGE_PREDECESSORS: usize = 16;
const MAX_MERGE_WALK: usize = 256;

/// Adds to `vars` what is set on exit of `pred` by the nodes on its dominator chain below
/// the dominators of `node` (their outputs, and what is set on entry to them as joins or
/// merges). False when the chain is longer than `limit`.
fn set_below(
    tree: &DominatorTree,
    gen: &PerNode<u32>,
    joined: &PerNode<u32>,
    pred: usize,
    node: usize,
    limit: usize,
    vars: &mut Vec<u32>,
) -> bool {
    let mut at = pred;
    let mut steps = 0;
    while !tree.dominates(at, node) {
        if steps == limit {
            return false;
        }
        steps += 1;
        vars.extend_from_slice(gen.get(at));
        vars.extend_from_slice(joined.get(at));
        let up = tree.idom[at];
        if up == NONE {
            break;
        }
        at = up as usize;
    }
    true
}

/// The exact solution for the variables in `vars` (at most 64; bit `b` is `vars[b]`):
/// each node's in-set and out-set, by a worklist fixpoint from "everything set". A
/// failure or timeout route carries its step's in-set (the step's outputs are not set).
fn solve_exactly(
    ir: &Workflow,
    gen: &PerNode<u32>,
    is_input: &[bool],
    vars: &[u32],
) -> (Vec<u64>, Vec<u64>) {
    let n_nodes = ir.graph.node_count();
    let full = if vars.len() == 64 {
        u64::MAX
    } else {
        (1u64 << vars.len()) - 1
    };
    let bit_of: HashMap<u32, u32> = vars
        .iter()
        .enumerate()
        .map(|(b, &v)| (v, b as u32))
        .collect();
    let gen_bits: Vec<u64> = (0..n_nodes)
        .map(|node| {
            gen.get(node)
                .iter()
                .filter_map(|v| bit_of.get(v))
                .fold(0u64, |bits, b| bits | 1 << b)
        })
        .collect();
    let mut inn = vec![full; n_nodes];
    let mut out = vec![full; n_nodes];
    let mut queue: VecDeque<NodeIndex> = ir.graph.node_indices().collect();
    let mut queued = vec![true; n_nodes];
    while let Some(index) = queue.pop_front() {
        queued[index.index()] = false;
        let new_in = entry_bits(ir, &inn, &out, index, is_input, vars);
        let new_out = new_in | gen_bits[index.index()];
        if new_in != inn[index.index()] || new_out != out[index.index()] {
            inn[index.index()] = new_in;
            out[index.index()] = new_out;
            for succ in ir.graph.neighbors_directed(index, Direction::Outgoing) {
                if !queued[succ.index()] {
                    queued[succ.index()] = true;
                    queue.push_back(succ);
                }
            }
        }
    }
    (inn, out)
}

/// The entry set of `index` for the variables `vars`, from the in-sets `inn` (what a
/// route carries) and out-sets `out` (what any other edge carries).
fn entry_bits(
    ir: &Workflow,
    inn: &[u64],
    out: &[u64],
    index: NodeIndex,
    is_input: &[bool],
    vars: &[u32],
) -> u64 {
    let full = if vars.len() == 64 {
        u64::MAX
    } else {
        (1u64 << vars.len()) - 1
    };
    if index == ir.start {
        return vars
            .iter()
            .enumerate()
            .filter(|(_, &v)| is_input[v as usize])
            .fold(0u64, |bits, (b, _)| bits | 1 << b);
    }
    let is_join = matches!(ir.graph[index].kind, NodeKind::Join { .. });
    let mut preds = ir
        .graph
        .edges_directed(index, Direction::Incoming)
        .map(|e| {
            let after = if e.weight().kind.is_route() { inn } else { out };
            after[e.source().index()]
        });
    let Some(mut set) = preds.next() else {
        return full;
    };
    for p in preds {
        if is_join {
            set |= p;
        } else {
            set &= p;
        }
    }
    set
}

/// How messages name a node: anonymous ones by their kind.
fn describe(id: &str) -> String {
    match id.split_once('#') {
        Some((kind, _)) if !kind.is_empty() => format!("this `{kind}`"),
        _ => format!("`{id}`"),
    }
}

/// A path from the start to `target` along which a variable is never set, as node ids
/// and edge labels, found by walking backwards through nodes whose exit lacks it
/// (`set_on_exit` says whether a node's exit has it, on a route or on its other edges).
fn unset_path(
    ir: &Workflow,
    target: NodeIndex,
    set_on_exit: impl Fn(NodeIndex, bool) -> bool,
) -> String {
    let mut parent: HashMap<NodeIndex, (NodeIndex, Option<String>)> = HashMap::default();
    let mut queue = VecDeque::from([target]);
    let mut found = false;
    while let Some(index) = queue.pop_front() {
        if index == ir.start {
            found = true;
            break;
        }
        for edge in ir.graph.edges_directed(index, Direction::Incoming) {
            let pred = edge.source();
            if set_on_exit(pred, edge.weight().kind.is_route())
                || parent.contains_key(&pred)
                || pred == target
            {
                continue;
            }
            parent.insert(pred, (index, edge.weight().kind.label()));
            queue.push_back(pred);
        }
    }
    if !found {
        return format!("`{}`", ir.graph[target].id);
    }
    let mut path = String::from("the start");
    let mut at = ir.start;
    while let Some((next, label)) = parent.get(&at) {
        let id = &ir.graph[*next].id;
        match label {
            Some(label) => path.push_str(&format!(" —{label}→ `{id}`")),
            None => path.push_str(&format!(" → `{id}`")),
        }
        at = *next;
        if at == target {
            break;
        }
    }
    path
}

/// The original analysis, one bit set of all variables per node: the oracle that the
/// fast analysis above must agree with, diagnostic for diagnostic.
#[cfg(test)]
mod reference {
    use super::{describe, reads, writes};
    use crate::resolve::Checker;
    use baton_diagnostics::Code;
    use baton_ir::{NodeKind, SmolStr, Workflow};
    use petgraph::graph::NodeIndex;
    use petgraph::visit::EdgeRef;
    use petgraph::Direction;
    use rustc_hash::FxHashMap as HashMap;
    use std::collections::VecDeque;

    #[derive(Clone, PartialEq, Eq)]
    struct Bits(Vec<u64>);

    impl Bits {
        fn empty(n: usize) -> Bits {
            Bits(vec![0; n.div_ceil(64)])
        }
        fn full(n: usize) -> Bits {
            let mut bits = Bits(vec![u64::MAX; n.div_ceil(64)]);
            if !n.is_multiple_of(64) {
                if let Some(last) = bits.0.last_mut() {
                    *last = (1u64 << (n % 64)) - 1;
                }
            }
            bits
        }
        fn set(&mut self, i: usize) {
            self.0[i / 64] |= 1 << (i % 64);
        }
        fn has(&self, i: usize) -> bool {
            self.0[i / 64] & (1 << (i % 64)) != 0
        }
        fn and(&mut self, other: &Bits) {
            for (a, b) in self.0.iter_mut().zip(&other.0) {
                *a &= b;
            }
        }
        fn or(&mut self, other: &Bits) {
            for (a, b) in self.0.iter_mut().zip(&other.0) {
                *a |= b;
            }
        }
    }

    pub(crate) fn check(
        checker: &mut Checker,
        ir: &Workflow,
        allowed: &HashMap<SmolStr, Vec<SmolStr>>,
    ) {
        let names: Vec<&str> = ir
            .inputs
            .iter()
            .chain(&ir.variables)
            .map(|v| v.name.as_str())
            .collect();
        let index_of: HashMap<&str, usize> =
            names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let n_vars = names.len();
        let n_nodes = ir.graph.node_count();

        // Out-sets start at "everything" (the top of the lattice) and only shrink.
        let mut out: Vec<Bits> = vec![Bits::full(n_vars); n_nodes];
        let mut gen: Vec<Bits> = vec![Bits::empty(n_vars); n_nodes];
        for (index, _) in ir.nodes() {
            for var in writes(ir, index) {
                if let Some(&i) = index_of.get(var.as_str()) {
                    gen[index.index()].set(i);
                }
            }
        }
        let mut start_set = Bits::empty(n_vars);
        for input in &ir.inputs {
            if let Some(&i) = index_of.get(input.name.as_str()) {
                start_set.set(i);
            }
        }
        // A failure or timeout route carries its step's in-set: the outputs are not set.
        let mut inn: Vec<Bits> = vec![Bits::full(n_vars); n_nodes];
        let entry = |inn: &Vec<Bits>, out: &Vec<Bits>, index: NodeIndex| -> Bits {
            if index == ir.start {
                return start_set.clone();
            }
            let is_join = matches!(ir.graph[index].kind, NodeKind::Join { .. });
            let mut preds = ir
                .graph
                .edges_directed(index, Direction::Incoming)
                .map(|e| {
                    let after = if e.weight().kind.is_route() { inn } else { out };
                    &after[e.source().index()]
                });
            let Some(first) = preds.next() else {
                return Bits::full(n_vars);
            };
            let mut set = first.clone();
            for p in preds {
                if is_join {
                    set.or(p);
                } else {
                    set.and(p);
                }
            }
            set
        };
        let mut queue: VecDeque<NodeIndex> = ir.graph.node_indices().collect();
        let mut queued = vec![true; n_nodes];
        while let Some(index) = queue.pop_front() {
            queued[index.index()] = false;
            let new_in = entry(&inn, &out, index);
            let mut new_out = new_in.clone();
            new_out.or(&gen[index.index()]);
            if new_out != out[index.index()] || new_in != inn[index.index()] {
                inn[index.index()] = new_in;
                out[index.index()] = new_out;
                for succ in ir.graph.neighbors_directed(index, Direction::Outgoing) {
                    if !queued[succ.index()] {
                        queued[succ.index()] = true;
                        queue.push_back(succ);
                    }
                }
            }
        }

        let mut read_anywhere = vec![false; n_vars];
        for name in &ir.outputs {
            if let Some(&i) = index_of.get(name.as_str()) {
                read_anywhere[i] = true;
            }
        }
        for (index, node) in ir.nodes() {
            let set = &inn[index.index()];
            let mut reported = Vec::new();
            for (var, how) in reads(ir, index) {
                let Some(&i) = index_of.get(var) else {
                    continue;
                };
                read_anywhere[i] = true;
                if set.has(i) || reported.contains(&i) {
                    continue;
                }
                reported.push(i);
                let path = unset_path(ir, &inn, &out, index, i);
                let mut d = checker
                    .diag(
                        Code::NotSet,
                        node.name_span,
                        format!("{} {how} `{var}`, which may not be set yet", describe(&node.id)),
                        format!("`{var}` is not set on every path to here").as_str(),
                    )
                    .with_help(format!(
                        "`{var}` is not set when `{}` is reached via {}; set it on that path (an `output` of an earlier step), or make it an `input`",
                        node.id, path
                    ));
                if let Some(setter) = ir.variables.iter().find(|v| v.name == var) {
                    d = d.with_related(checker.file, setter.span, "set only here");
                }
                checker.error(d);
            }
        }

        for var in &ir.variables {
            let Some(&i) = index_of.get(var.name.as_str()) else {
                continue;
            };
            if read_anywhere[i] {
                continue;
            }
            let setter = var.set_by.clone().unwrap_or_default();
            if allowed
                .get(&setter)
                .is_some_and(|l| l.iter().any(|l| l == "unused_output"))
            {
                continue;
            }
            let d = checker
                .diag(
                    Code::UnusedOutput,
                    var.span,
                    format!("output `{}` is never read", var.name),
                    "set but never used",
                )
                .with_help(format!(
                    "read it (`needs {0}`, an `if` or `match`), list it in the workflow's `output {0}`, remove it, or silence it with `@allow(unused_output)` before `{setter}`",
                    var.name
                ));
            checker.error(d);
        }
    }

    /// A path from the start to `target` along which variable `var` is never set, as node ids
    /// and edge labels, found by walking backwards through nodes whose exit lacks it.
    fn unset_path(
        ir: &Workflow,
        inn: &[Bits],
        out: &[Bits],
        target: NodeIndex,
        var: usize,
    ) -> String {
        let mut parent: HashMap<NodeIndex, (NodeIndex, Option<String>)> = HashMap::default();
        let mut queue = VecDeque::from([target]);
        let mut found = false;
        while let Some(index) = queue.pop_front() {
            if index == ir.start {
                found = true;
                break;
            }
            for edge in ir.graph.edges_directed(index, Direction::Incoming) {
                let pred = edge.source();
                let after = if edge.weight().kind.is_route() {
                    inn
                } else {
                    out
                };
                if after[pred.index()].has(var) || parent.contains_key(&pred) || pred == target {
                    continue;
                }
                parent.insert(pred, (index, edge.weight().kind.label()));
                queue.push_back(pred);
            }
        }
        if !found {
            return format!("`{}`", ir.graph[target].id);
        }
        let mut path = String::from("the start");
        let mut at = ir.start;
        while let Some((next, label)) = parent.get(&at) {
            let id = &ir.graph[*next].id;
            match label {
                Some(label) => path.push_str(&format!(" —{label}→ `{id}`")),
                None => path.push_str(&format!(" → `{id}`")),
            }
            at = *next;
            if at == target {
                break;
            }
        }
        path
    }
}

/// The fast analysis against the original on random graphs: every node kind, joins with
/// any predecessors, loops, unreachable parts, inputs, several setters per variable.
#[cfg(test)]
mod differential {
    use crate::resolve::Checker;
    use baton_diagnostics::{FileId, Span};
    use baton_ir::{
        Edge, EdgeKind, Expr, ExprKind, Node, NodeKind, Performer, SmolStr, Step, Type, Variable,
        WaitUntil, Workflow,
    };
    use petgraph::graph::DiGraph;
    use rustc_hash::FxHashMap as HashMap;

    struct Rng(u64);

    impl Rng {
        fn next(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    fn var(name: &str) -> Expr {
        Expr {
            ty: Type::Bool,
            kind: ExprKind::Var(name.into()),
        }
    }

    fn random_workflow(rng: &mut Rng) -> Workflow {
        let n_vars = 1 + rng.next(8);
        let n_inputs = rng.next(3).min(n_vars);
        // `ghost` is read but never declared.
        let name = |i: usize| -> SmolStr {
            if i == n_vars {
                "ghost".into()
            } else {
                smol_str::format_smolstr!("v{i}")
            }
        };
        let mut graph = DiGraph::new();
        let span = Span::new(0, 1);
        let start = graph.add_node(Node {
            id: "#start".into(),
            kind: NodeKind::Start,
            span,
            name_span: span,
        });
        // Now and then a long one, whose dominator chains exceed the walks' limits.
        let long = rng.next(100) == 0;
        let n_nodes = if long {
            300 + rng.next(700)
        } else {
            1 + rng.next(30)
        };
        let mut setter: HashMap<usize, SmolStr> = HashMap::default();
        for k in 0..n_nodes {
            let pick = |rng: &mut Rng| -> Vec<SmolStr> {
                let count = rng.next(3);
                (0..count).map(|_| name(rng.next(n_vars + 1))).collect()
            };
            let id = smol_str::format_smolstr!("n{k}");
            let kind = match rng.next(6) {
                0 | 1 => {
                    let needs = pick(rng);
                    let outputs: Vec<SmolStr> = (0..rng.next(3))
                        .map(|_| n_inputs + rng.next(n_vars - n_inputs + 1))
                        .filter(|&i| i < n_vars)
                        .map(|i| {
                            setter.entry(i).or_insert_with(|| id.clone());
                            name(i)
                        })
                        .collect();
                    NodeKind::Step(Step {
                        title: None,
                        description: None,
                        performer: Performer::Role { role: "r".into() },
                        takes: None,
                        retry: None,
                        timeout: None,
                        needs,
                        outputs,
                        consult: Vec::new(),
                        notify: Vec::new(),
                    })
                }
                2 => NodeKind::Join { fork: "f".into() },
                3 => NodeKind::Branch {
                    subject: (rng.next(2) == 0).then(|| name(rng.next(n_vars + 1))),
                },
                4 => NodeKind::Wait {
                    title: None,
                    until: WaitUntil::Until(var(&name(rng.next(n_vars + 1)))),
                },
                _ => NodeKind::End {
                    title: None,
                    outcome: baton_ir::EndOutcome::Success,
                },
            };
            graph.add_node(Node {
                id,
                kind,
                span: Span::new(k, k + 1),
                name_span: Span::new(k, k + 1),
            });
        }
        let n = graph.node_count();
        if long {
            for k in 1..n {
                let (from, to) = (
                    petgraph::graph::NodeIndex::new(k - 1),
                    petgraph::graph::NodeIndex::new(k),
                );
                graph.add_edge(
                    from,
                    to,
                    Edge {
                        kind: EdgeKind::Next,
                        bound: None,
                        back: false,
                        span,
                    },
                );
            }
        }
        let extra = if long { n / 8 } else { 3 * n };
        for _ in 0..rng.next(extra + 1) {
            let from = petgraph::graph::NodeIndex::new(rng.next(n));
            let to = petgraph::graph::NodeIndex::new(rng.next(n));
            let kind = match (&graph[from].kind, rng.next(4)) {
                (NodeKind::Branch { .. }, 0) => EdgeKind::Guard {
                    guard: var(&name(rng.next(n_vars + 1))),
                },
                (NodeKind::Step(_), 0) => EdgeKind::Failure,
                (NodeKind::Step(_), 3) => EdgeKind::Timeout,
                (_, 1) => EdgeKind::Else,
                _ => EdgeKind::Next,
            };
            graph.add_edge(
                from,
                to,
                Edge {
                    kind,
                    bound: None,
                    back: false,
                    span,
                },
            );
        }
        let variable = |i: usize, set_by: Option<SmolStr>| Variable {
            name: name(i),
            ty: Type::Bool,
            set_by,
            default: None,
            span: Span::new(100 + i, 101 + i),
        };
        Workflow {
            name: "w".into(),
            title: None,
            description: None,
            deadline: None,
            roles: Vec::new(),
            systems: Vec::new(),
            inputs: (0..n_inputs).map(|i| variable(i, None)).collect(),
            variables: (n_inputs..n_vars)
                .map(|i| variable(i, Some(setter.get(&i).cloned().unwrap_or_default())))
                .collect(),
            outputs: (0..rng.next(2)).map(|_| name(rng.next(n_vars))).collect(),
            imports: Vec::new(),
            graph,
            start,
        }
    }

    #[test]
    fn agrees_with_the_original_analysis() {
        let imports = HashMap::default();
        let allowed = HashMap::default();
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut reported = 0;
        for round in 0..20_000 {
            let ir = random_workflow(&mut rng);
            let mut fast = Checker::new(FileId(0), &imports, false);
            super::check(&mut fast, &ir, &allowed);
            let mut original = Checker::new(FileId(0), &imports, false);
            super::reference::check(&mut original, &ir, &allowed);
            assert_eq!(fast.diagnostics, original.diagnostics, "round {round}");
            reported += fast.diagnostics.len();
        }
        assert!(reported > 1_000, "the graphs should produce diagnostics");
    }
}
