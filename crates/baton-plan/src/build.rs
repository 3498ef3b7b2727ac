//! From a checked IR to a plan.

use crate::expr::Expr;
use crate::value::Type;
use crate::{
    Actor, Argument, Edge, EdgeKind, EndOutcome, Field, Input, Node, NodeKind, Outcome, Plan,
    PlanError, Variable, Work, FORMAT, VERSION,
};
use baton_ir::{Performer, Workflow};
use std::collections::{BTreeMap, HashMap, HashSet};

/// How deep sub-workflows may nest (`run` inside `run`...). Import cycles are refused by
/// the checker; this bounds the recursion anyway.
pub(crate) const MAX_DEPTH: usize = 32;

/// The error of [`Plan::from_workflow`](crate::Plan::from_workflow): B0904.
pub type BuildError = PlanError;

fn build_error(message: String) -> BuildError {
    PlanError {
        code: "B0904",
        message,
        help: "build the plan from a workflow that checks without errors, with the IRs of its imports (`baton_check::Analysis::imported`)".into(),
    }
}

fn text(s: &Option<baton_ir::SmolStr>) -> Option<String> {
    s.as_ref().map(|s| s.to_string())
}

fn strings(v: &[baton_ir::SmolStr]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

pub(crate) fn build<'a>(
    ir: &Workflow,
    imported: &dyn Fn(&baton_ir::Import) -> Option<&'a Workflow>,
    depth: usize,
) -> Result<Plan, BuildError> {
    if depth > MAX_DEPTH {
        return Err(build_error(format!(
            "sub-workflows are nested more than {MAX_DEPTH} deep at `{}`",
            ir.name
        )));
    }
    let types: HashMap<&str, &baton_ir::Type> = ir
        .inputs
        .iter()
        .chain(&ir.variables)
        .map(|v| (v.name.as_str(), &v.ty))
        .collect();
    let field = |name: &baton_ir::SmolStr| -> Result<Field, BuildError> {
        let ty = types.get(name.as_str()).ok_or_else(|| {
            build_error(format!("`{name}` in `{}` has no type in the IR", ir.name))
        })?;
        Ok(Field {
            name: name.to_string(),
            ty: Type::from(*ty),
        })
    };
    let expr = |e: &baton_ir::Expr| {
        Expr::from_ir(e).ok_or_else(|| {
            build_error(format!(
                "the literal in `{e}` cannot be represented in a plan"
            ))
        })
    };

    let mut inputs = Vec::new();
    for input in &ir.inputs {
        let default = match &input.default {
            Some(d) => match expr(d)? {
                Expr::Literal { value, .. } => Some(value),
                _ => {
                    return Err(build_error(format!(
                        "the default of input `{}` is not a literal",
                        input.name
                    )))
                }
            },
            None => None,
        };
        inputs.push(Input {
            name: input.name.to_string(),
            ty: Type::from(&input.ty),
            default,
        });
    }
    let variables = ir
        .variables
        .iter()
        .map(|v| Variable {
            name: v.name.to_string(),
            ty: Type::from(&v.ty),
            set_by: v.set_by.as_ref().map(|s| s.to_string()).unwrap_or_default(),
        })
        .collect();
    let outputs = ir.outputs.iter().map(field).collect::<Result<_, _>>()?;

    // Edge ids: per source node, `kind#K` counts that kind's edges from 1, in order.
    let mut edges = Vec::with_capacity(ir.graph.edge_count());
    let mut counters: HashMap<(&str, &str), u32> = HashMap::new();
    let mut seen = HashSet::new();
    for (_, from, to, edge) in ir.edges() {
        let from_id = ir.node(from).id.as_str();
        let mut numbered = |kind: &'static str| {
            let n = counters.entry((from_id, kind)).or_insert(0);
            *n += 1;
            format!("{from_id}/{kind}#{n}")
        };
        let (id, kind) = match &edge.kind {
            baton_ir::EdgeKind::Next => (format!("{from_id}/next"), EdgeKind::Next),
            baton_ir::EdgeKind::Branch { name, title } => (
                numbered("branch"),
                EdgeKind::Branch {
                    name: text(name),
                    title: text(title),
                },
            ),
            baton_ir::EdgeKind::Outcome { name, title } => (
                format!("{from_id}/{name}"),
                EdgeKind::Outcome {
                    name: name.to_string(),
                    title: text(title),
                },
            ),
            baton_ir::EdgeKind::Guard { guard } => (
                numbered("when"),
                EdgeKind::Guard {
                    guard: expr(guard)?,
                },
            ),
            baton_ir::EdgeKind::Arm { variants } => (
                numbered("arm"),
                EdgeKind::Arm {
                    variants: strings(variants),
                },
            ),
            baton_ir::EdgeKind::Else => (format!("{from_id}/else"), EdgeKind::Else),
            baton_ir::EdgeKind::Failure => (format!("{from_id}/on_failure"), EdgeKind::OnFailure),
            baton_ir::EdgeKind::Timeout => (format!("{from_id}/on_timeout"), EdgeKind::OnTimeout),
        };
        if !seen.insert(id.clone()) {
            return Err(build_error(format!(
                "two edges of `{}` would both have the id `{id}`",
                ir.name
            )));
        }
        edges.push(Edge {
            id,
            from: from_id.to_string(),
            to: ir.node(to).id.to_string(),
            kind,
            bound: edge.bound,
            back: edge.back,
        });
    }

    let joins: HashMap<&str, &str> = ir
        .nodes()
        .filter_map(|(_, n)| match &n.kind {
            baton_ir::NodeKind::Join { fork } => Some((fork.as_str(), n.id.as_str())),
            _ => None,
        })
        .collect();

    let mut nodes = Vec::with_capacity(ir.graph.node_count());
    let mut workflows = BTreeMap::new();
    for (index, node) in ir.nodes() {
        let mut description = None;
        let kind = match &node.kind {
            baton_ir::NodeKind::Start => NodeKind::Start,
            baton_ir::NodeKind::Step(step) => {
                description = text(&step.description);
                let work = Work {
                    needs: strings(&step.needs),
                    outputs: step.outputs.iter().map(field).collect::<Result<_, _>>()?,
                    retry: step.retry,
                    timeout_seconds: step.timeout,
                    takes_seconds: step.takes,
                    consult: strings(&step.consult),
                    notify: strings(&step.notify),
                };
                match &step.performer {
                    Performer::Role { role } => NodeKind::Task {
                        role: role.to_string(),
                        work,
                    },
                    Performer::System { system, action } => NodeKind::Automation {
                        system: system.to_string(),
                        action: text(action),
                        work,
                    },
                    Performer::Workflow { workflow, args } => {
                        if !workflows.contains_key(workflow.as_str()) {
                            let child = ir
                                .imports
                                .iter()
                                .find(|i| i.workflow == *workflow)
                                .and_then(imported)
                                .ok_or_else(|| {
                                    build_error(format!(
                                        "`{}` runs `{workflow}`, whose IR was not given",
                                        node.id
                                    ))
                                })?;
                            workflows
                                .insert(workflow.to_string(), build(child, imported, depth + 1)?);
                        }
                        NodeKind::SubWorkflow {
                            workflow: workflow.to_string(),
                            args: args
                                .iter()
                                .map(|a| {
                                    Ok(Argument {
                                        input: a.input.to_string(),
                                        value: expr(&a.value)?,
                                    })
                                })
                                .collect::<Result<_, BuildError>>()?,
                            work,
                        }
                    }
                }
            }
            baton_ir::NodeKind::Decision(decision) => {
                description = text(&decision.description);
                let role = decision
                    .role
                    .as_ref()
                    .ok_or_else(|| build_error(format!("decision `{}` has no role", node.id)))?;
                let outcomes = edges
                    .iter()
                    .filter(|e| e.from == node.id)
                    .filter_map(|e| match &e.kind {
                        EdgeKind::Outcome { name, title } => Some(Outcome {
                            name: name.clone(),
                            title: title.clone(),
                            edge: e.id.clone(),
                        }),
                        _ => None,
                    })
                    .collect();
                NodeKind::Decision {
                    role: role.to_string(),
                    outcomes,
                    reviews: ir
                        .reviewed_steps(index)
                        .into_iter()
                        .map(|i| ir.node(i).id.to_string())
                        .collect(),
                    allow_self_review: decision.allow_self_review,
                    takes_seconds: decision.takes,
                    consult: strings(&decision.consult),
                    notify: strings(&decision.notify),
                }
            }
            baton_ir::NodeKind::Fork { .. } => NodeKind::Fork {
                join: joins
                    .get(node.id.as_str())
                    .map(|j| j.to_string())
                    .ok_or_else(|| build_error(format!("fork `{}` has no join", node.id)))?,
            },
            baton_ir::NodeKind::Join { fork } => NodeKind::Join {
                fork: fork.to_string(),
            },
            baton_ir::NodeKind::Wait { until, .. } => match until {
                baton_ir::WaitUntil::Until(time) => NodeKind::Timer {
                    until: Some(expr(time)?),
                    delay_seconds: None,
                },
                baton_ir::WaitUntil::For(seconds) => NodeKind::Timer {
                    until: None,
                    delay_seconds: Some(*seconds),
                },
            },
            baton_ir::NodeKind::Branch { subject } => NodeKind::Branch {
                subject: text(subject),
            },
            baton_ir::NodeKind::End { outcome, .. } => NodeKind::End {
                outcome: match outcome {
                    baton_ir::EndOutcome::Success => EndOutcome::Success,
                    baton_ir::EndOutcome::Failure => EndOutcome::Failure,
                    baton_ir::EndOutcome::Cancelled => EndOutcome::Cancelled,
                },
            },
        };
        nodes.push(Node {
            id: node.id.to_string(),
            title: node.title().map(str::to_string),
            description,
            kind,
        });
    }

    Ok(Plan {
        format: FORMAT.to_string(),
        version: VERSION,
        name: ir.name.to_string(),
        title: text(&ir.title),
        description: text(&ir.description),
        deadline_seconds: ir.deadline,
        roles: ir.roles.iter().map(actor).collect(),
        systems: ir.systems.iter().map(actor).collect(),
        inputs,
        variables,
        outputs,
        start: ir.node(ir.start).id.to_string(),
        nodes,
        edges,
        workflows,
    })
}

fn actor(a: &baton_ir::Actor) -> Actor {
    Actor {
        id: a.id.to_string(),
        title: text(&a.title),
    }
}
