//! Data and callers: inputs, outputs and variables added, removed or retyped; what a
//! step needs; and what that means for the workflows that `run` this one.
//!
//! Breaking, for a caller: a new input without a default, a default removed, an input
//! removed or retyped (a caller that passes it no longer checks), an output removed or
//! retyped, and a new workflow name. [`caller_impact`] checks each of them against the
//! `run` steps of actual callers (directory mode).

use baton_ir::{Performer, SmolStr, Type, Variable, Workflow};
use rustc_hash::FxHashMap as HashMap;

use crate::{Change, Kind, Message, Pair};

pub(crate) fn compare(pair: &Pair, changes: &mut Vec<Change>) {
    let (old, new) = (pair.old, pair.new);
    if old.name != new.name {
        changes.push(
            Change::new(
                Kind::WorkflowRenamed,
                Message::new()
                    .w("the workflow is now named ")
                    .n(new.name.clone())
                    .w(" (was ")
                    .n(old.name.clone())
                    .w("): every ")
                    .n(format!("run {}", old.name))
                    .w(" must change"),
            )
            .breaking()
            .name(&new.name)
            .before_after(old.name.as_str(), new.name.as_str()),
        );
    }
    inputs(old, new, changes);
    outputs(old, new, changes);
    variables(old, new, changes);
    needs(pair, changes);
}

fn default_text(input: &Variable) -> Option<String> {
    input.default.as_ref().map(|d| d.to_string())
}

fn inputs(old: &Workflow, new: &Workflow, changes: &mut Vec<Change>) {
    for input in &new.inputs {
        let name = input.name.clone();
        match old.inputs.iter().find(|i| i.name == input.name) {
            None => {
                let mut change = Change::new(
                    Kind::InputAdded,
                    match &input.default {
                        None => Message::new()
                            .w("new required input ")
                            .n(name.clone())
                            .w(format!(": {}", input.ty))
                            .w(" (callers must pass it)"),
                        Some(d) => Message::new()
                            .w("new input ")
                            .n(name.clone())
                            .w(format!(": {} = ", input.ty))
                            .n(d.to_string()),
                    },
                )
                .name(&name)
                .before_after(serde_json::Value::Null, input.ty.to_string());
                if input.default.is_none() {
                    change = change.breaking();
                }
                changes.push(change);
            }
            Some(before) => {
                if before.ty != input.ty {
                    changes.push(
                        type_change(
                            Kind::InputTypeChanged,
                            "input",
                            &name,
                            &before.ty,
                            &input.ty,
                        )
                        .breaking(),
                    );
                }
                let (was, now) = (default_text(before), default_text(input));
                if was != now {
                    let message = match (&was, &now) {
                        (Some(_), None) => Message::new()
                            .w("input ")
                            .n(name.clone())
                            .w(" has no default any more: callers must pass it"),
                        (None, Some(d)) => Message::new()
                            .w("input ")
                            .n(name.clone())
                            .w(" now defaults to ")
                            .n(d.clone()),
                        (Some(b), Some(a)) => Message::new()
                            .w("input ")
                            .n(name.clone())
                            .w(" now defaults to ")
                            .n(a.clone())
                            .w(" (was ")
                            .n(b.clone())
                            .w(")"),
                        (None, None) => Message::new(),
                    };
                    let mut change = Change::new(Kind::InputDefaultChanged, message)
                        .name(&name)
                        .before_after(
                            was.clone().map_or(serde_json::Value::Null, Into::into),
                            now.clone().map_or(serde_json::Value::Null, Into::into),
                        );
                    if now.is_none() {
                        change = change.breaking();
                    }
                    changes.push(change);
                }
            }
        }
    }
    for input in &old.inputs {
        if !new.inputs.iter().any(|i| i.name == input.name) {
            changes.push(
                Change::new(
                    Kind::InputRemoved,
                    Message::new()
                        .w("input ")
                        .n(input.name.clone())
                        .w(" was removed (callers that pass it must stop)"),
                )
                .breaking()
                .name(&input.name),
            );
        }
    }
}

fn type_change(kind: Kind, noun: &str, name: &SmolStr, before: &Type, after: &Type) -> Change {
    Change::new(
        kind,
        Message::new()
            .w(format!("{noun} "))
            .n(name.clone())
            .w(format!(" is now {after} (was {before})")),
    )
    .name(name)
    .before_after(before.to_string(), after.to_string())
}

/// Variables by name (a workflow of 10,000 steps has thousands).
fn by_name(variables: &[Variable]) -> HashMap<&str, &Variable> {
    variables.iter().map(|v| (v.name.as_str(), v)).collect()
}

/// Inputs and variables by name.
fn typed(workflow: &Workflow) -> HashMap<&str, &Variable> {
    let mut all = by_name(&workflow.inputs);
    all.extend(by_name(&workflow.variables));
    all
}

/// The type of a workflow output: the variable it names.
fn output_type<'a>(variables: &HashMap<&str, &'a Variable>, name: &str) -> Option<&'a Type> {
    variables.get(name).map(|v| &v.ty)
}

fn outputs(old: &Workflow, new: &Workflow, changes: &mut Vec<Change>) {
    let (old_vars, new_vars) = (typed(old), typed(new));
    for name in &old.outputs {
        if !new.outputs.contains(name) {
            changes.push(
                Change::new(
                    Kind::OutputRemoved,
                    Message::new()
                        .w("output ")
                        .n(name.clone())
                        .w(" is no longer handed back to callers"),
                )
                .breaking()
                .name(name),
            );
        }
    }
    for name in &new.outputs {
        if !old.outputs.contains(name) {
            changes.push(
                Change::new(
                    Kind::OutputAdded,
                    Message::new()
                        .w("new output ")
                        .n(name.clone())
                        .w(" handed back to callers"),
                )
                .name(name),
            );
        } else if let (Some(b), Some(a)) =
            (output_type(&old_vars, name), output_type(&new_vars, name))
        {
            if a != b {
                changes.push(type_change(Kind::OutputTypeChanged, "output", name, b, a).breaking());
            }
        }
    }
}

fn variables(old: &Workflow, new: &Workflow, changes: &mut Vec<Change>) {
    let before = by_name(&old.variables);
    let after = by_name(&new.variables);
    for variable in &new.variables {
        match before.get(variable.name.as_str()) {
            None => {
                let mut m = Message::new()
                    .w("new variable ")
                    .n(variable.name.clone())
                    .w(format!(": {}", variable.ty));
                if let Some(by) = &variable.set_by {
                    m = m.w(", set by ").n(by.clone());
                }
                let mut change = Change::new(Kind::VariableAdded, m).name(&variable.name);
                change.node = variable.set_by.clone();
                changes.push(change);
            }
            Some(before) if before.ty != variable.ty => {
                let mut change = type_change(
                    Kind::VariableTypeChanged,
                    "variable",
                    &variable.name,
                    &before.ty,
                    &variable.ty,
                );
                change.node = variable.set_by.clone();
                changes.push(change);
            }
            Some(_) => {}
        }
    }
    for variable in &old.variables {
        if !after.contains_key(variable.name.as_str()) {
            let mut change = Change::new(
                Kind::VariableRemoved,
                Message::new()
                    .w("variable ")
                    .n(variable.name.clone())
                    .w(" is no longer set"),
            )
            .name(&variable.name);
            change.node = variable.set_by.clone();
            changes.push(change);
        }
    }
}

/// What each paired step needs.
fn needs(pair: &Pair, changes: &mut Vec<Change>) {
    let list = |kind: &baton_ir::NodeKind| match kind {
        baton_ir::NodeKind::Step(s) => s.needs.clone(),
        _ => Vec::new(),
    };
    for (o, n) in pair.matching.pairs() {
        let before = list(&pair.old.graph[o].kind);
        let after = list(&pair.new.graph[n].kind);
        let id = pair.new.graph[n].id.clone();
        for name in after.iter().filter(|v| !before.contains(v)) {
            changes.push(
                Change::new(
                    Kind::NeedsAdded,
                    Message::new()
                        .n(id.clone())
                        .w(" now needs ")
                        .n(name.clone()),
                )
                .node(&id)
                .name(name),
            );
        }
        for name in before.iter().filter(|v| !after.contains(v)) {
            changes.push(
                Change::new(
                    Kind::NeedsRemoved,
                    Message::new()
                        .n(id.clone())
                        .w(" no longer needs ")
                        .n(name.clone()),
                )
                .node(&id)
                .name(name),
            );
        }
    }
}

/// The `run` steps of `caller` that run the workflow `name`, with the inputs they pass.
pub fn run_steps<'a>(caller: &'a Workflow, name: &str) -> Vec<(&'a SmolStr, Vec<&'a SmolStr>)> {
    caller
        .nodes()
        .filter_map(|(_, node)| match &node.kind {
            baton_ir::NodeKind::Step(baton_ir::Step {
                performer: Performer::Workflow { workflow, args },
                ..
            }) if workflow == name => Some((&node.id, args.iter().map(|a| &a.input).collect())),
            _ => None,
        })
        .collect()
}

/// For each caller that runs the old workflow, the breaking changes that reach it:
/// one [`Kind::CallerBreaks`] per `run` step, naming the reasons.
pub fn caller_impact(changes: &[Change], callee: &str, callers: &[&Workflow]) -> Vec<Change> {
    let mut impact = Vec::new();
    for caller in callers {
        for (step, passed) in run_steps(caller, callee) {
            let passes =
                |name: &Option<SmolStr>| name.as_ref().is_some_and(|n| passed.contains(&n));
            let reasons: Vec<&Change> = changes
                .iter()
                .filter(|c| c.breaking)
                .filter(|c| match c.kind {
                    Kind::InputAdded | Kind::InputDefaultChanged => !passes(&c.name),
                    Kind::InputRemoved | Kind::InputTypeChanged => passes(&c.name),
                    _ => true,
                })
                .collect();
            if reasons.is_empty() {
                continue;
            }
            let mut message = Message::new()
                .n(caller.name.clone())
                .w(" breaks where its step ")
                .n(step.clone())
                .w(" runs ")
                .n(callee.to_string())
                .w(": ");
            for (i, reason) in reasons.iter().enumerate() {
                if i > 0 {
                    message = message.w("; ");
                }
                message.0.extend(reason.message.0.iter().cloned());
            }
            let mut change = Change::new(Kind::CallerBreaks, message)
                .breaking()
                .name(&caller.name)
                .node(step);
            change.nodes = vec![step.clone()];
            impact.push(change);
        }
    }
    impact
}
