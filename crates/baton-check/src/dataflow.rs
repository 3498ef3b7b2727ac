//! Data flow over the IR graph: definite assignment, write races between parallel
//! branches, and outputs nobody reads.
//!
//! Definite assignment is a forward "must" analysis solved by a worklist fixpoint over bit
//! sets: a variable is set on entry to a node when it is set on exit of every predecessor;
//! on entry to a join it is set when any branch set it (all branches have run). Inputs are
//! set at the start. Each node's set only shrinks, so the work is bounded by
//! edges × variables / 64 word operations.

use crate::resolve::Checker;
use baton_diagnostics::Code;
use baton_ir::{EdgeKind, Expr, ExprKind, NodeKind, Performer, WaitUntil, Workflow};
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use std::collections::{HashMap, VecDeque};

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

/// The variables a node reads, with a word saying how (for messages).
fn reads(ir: &Workflow, index: NodeIndex) -> Vec<(String, &'static str)> {
    let node = &ir.graph[index];
    let mut out = Vec::new();
    match &node.kind {
        NodeKind::Step(step) => {
            out.extend(step.needs.iter().map(|v| (v.clone(), "needs")));
            if let Performer::Workflow { args, .. } = &step.performer {
                for arg in args {
                    expr_vars(&arg.value, &mut |v| out.push((v.to_string(), "passes")));
                }
            }
        }
        NodeKind::Branch { subject } => {
            if let Some(subject) = subject {
                out.push((subject.clone(), "matches on"));
            }
            for edge in ir.graph.edges_directed(index, Direction::Outgoing) {
                if let EdgeKind::Guard { guard } = &edge.weight().kind {
                    expr_vars(guard, &mut |v| out.push((v.to_string(), "tests")));
                }
            }
        }
        NodeKind::Wait {
            until: WaitUntil::Until(expr),
            ..
        } => expr_vars(expr, &mut |v| out.push((v.to_string(), "waits until"))),
        _ => {}
    }
    out
}

/// Calls `f` with every variable in `expr`. Expressions are shallow (the parser bounds
/// their depth), so recursion is safe.
fn expr_vars(expr: &Expr, f: &mut dyn FnMut(&str)) {
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

fn writes(ir: &Workflow, index: NodeIndex) -> &[String] {
    match &ir.graph[index].kind {
        NodeKind::Step(step) => &step.outputs,
        _ => &[],
    }
}

pub(crate) fn check(checker: &mut Checker, ir: &Workflow, allowed: &HashMap<String, Vec<String>>) {
    let names: Vec<&str> = ir
        .inputs
        .iter()
        .chain(&ir.variables)
        .map(|v| v.name.as_str())
        .collect();
    let index_of: HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
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
    let entry = |out: &Vec<Bits>, index: NodeIndex| -> Bits {
        if index == ir.start {
            return start_set.clone();
        }
        let is_join = matches!(ir.graph[index].kind, NodeKind::Join { .. });
        let mut preds = ir.graph.neighbors_directed(index, Direction::Incoming);
        let Some(first) = preds.next() else {
            return Bits::full(n_vars);
        };
        let mut set = out[first.index()].clone();
        for p in preds {
            if is_join {
                set.or(&out[p.index()]);
            } else {
                set.and(&out[p.index()]);
            }
        }
        set
    };
    let mut queue: VecDeque<NodeIndex> = ir.graph.node_indices().collect();
    let mut queued = vec![true; n_nodes];
    while let Some(index) = queue.pop_front() {
        queued[index.index()] = false;
        let mut new_out = entry(&out, index);
        new_out.or(&gen[index.index()]);
        if new_out != out[index.index()] {
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
        let set = entry(&out, index);
        let mut reported = Vec::new();
        for (var, how) in reads(ir, index) {
            let Some(&i) = index_of.get(var.as_str()) else {
                continue;
            };
            read_anywhere[i] = true;
            if set.has(i) || reported.contains(&i) {
                continue;
            }
            reported.push(i);
            let path = unset_path(ir, &out, index, i);
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

/// How messages name a node: anonymous ones by their kind.
fn describe(id: &str) -> String {
    match id.split_once('#') {
        Some((kind, _)) if !kind.is_empty() => format!("this `{kind}`"),
        _ => format!("`{id}`"),
    }
}

/// A path from the start to `target` along which variable `var` is never set, as node ids
/// and edge labels, found by walking backwards through nodes whose exit lacks it.
fn unset_path(ir: &Workflow, out: &[Bits], target: NodeIndex, var: usize) -> String {
    let mut parent: HashMap<NodeIndex, (NodeIndex, Option<String>)> = HashMap::new();
    let mut queue = VecDeque::from([target]);
    let mut found = false;
    while let Some(index) = queue.pop_front() {
        if index == ir.start {
            found = true;
            break;
        }
        for edge in ir.graph.edges_directed(index, Direction::Incoming) {
            let pred = edge.source();
            if out[pred.index()].has(var) || parent.contains_key(&pred) || pred == target {
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
