//! What can still be compared when a side does not check: its syntax tree. Names,
//! declarations, inputs and outputs, and the nodes by name with their clauses are read
//! from the AST of each side (which the parser builds even around errors), so a
//! reviewer learns what the change does as far as the text says. Paths, people's
//! hand-offs, time and renames need the checked graph and are not compared; the report
//! marks such a comparison as partial.

use baton_ir::SmolStr;
use baton_syntax::ast::{self, ClauseKind, ItemKind, TypeExpr};

use crate::{Change, Kind, Message};

/// One side's syntax tree with the text its spans point into.
pub struct Source<'a> {
    pub workflow: &'a ast::Workflow,
    pub text: &'a str,
    /// Whether the parser skipped items (syntax errors): a node missing from this side
    /// may only be one it could not read.
    pub skipped: bool,
}

impl Source<'_> {
    fn slice(&self, span: baton_diagnostics::Span) -> &str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }
}

/// A flow node as written: its kind word, title, and the clauses the diff looks at.
struct Node<'a> {
    noun: &'static str,
    name: &'a SmolStr,
    title: Option<&'a str>,
    performer: Option<String>,
    takes: Option<u64>,
    retry: Option<u32>,
    timeout: Option<u64>,
    outputs: Vec<(&'a SmolStr, String)>,
}

fn type_text(ty: &TypeExpr) -> String {
    match ty {
        TypeExpr::Named { name } => name.text.to_string(),
        TypeExpr::Enum { variants, .. } => {
            let names: Vec<&str> = variants.iter().map(|v| v.text.as_str()).collect();
            format!("enum {{ {} }}", names.join(", "))
        }
    }
}

/// Every flow node with a name, in source order, branches included.
fn nodes<'a>(items: &'a [ast::Item], out: &mut Vec<Node<'a>>) {
    for item in items {
        match &item.kind {
            ItemKind::Step(step) => {
                let mut node = Node {
                    noun: "step",
                    name: &step.name.text,
                    title: step.title.as_ref().map(|t| t.value.as_str()),
                    performer: None,
                    takes: None,
                    retry: None,
                    timeout: None,
                    outputs: Vec::new(),
                };
                for clause in &step.clauses {
                    match &clause.kind {
                        ClauseKind::By(role) => node.performer = Some(format!("by {}", role.text)),
                        ClauseKind::Auto { system, action } => {
                            node.noun = "automated step";
                            node.performer = Some(match action {
                                Some(a) => format!("auto {} \"{}\"", system.text, a.value),
                                None => format!("auto {}", system.text),
                            });
                        }
                        ClauseKind::Run { workflow, .. } => {
                            node.noun = "sub-workflow step";
                            node.performer = Some(format!("run {}", workflow.text));
                        }
                        ClauseKind::Takes(d) => node.takes = Some(d.seconds),
                        ClauseKind::Retry { times, .. } => node.retry = Some(*times),
                        ClauseKind::Timeout(d) => node.timeout = Some(d.seconds),
                        ClauseKind::Output { name, ty } => {
                            node.outputs.push((&name.text, type_text(ty)))
                        }
                        _ => {}
                    }
                }
                out.push(node);
            }
            ItemKind::Decision(decision) => {
                let mut node = Node {
                    noun: "decision",
                    name: &decision.name.text,
                    title: decision.title.as_ref().map(|t| t.value.as_str()),
                    performer: None,
                    takes: None,
                    retry: None,
                    timeout: None,
                    outputs: Vec::new(),
                };
                for clause in &decision.clauses {
                    match &clause.kind {
                        ClauseKind::By(role) => node.performer = Some(format!("by {}", role.text)),
                        ClauseKind::Takes(d) => node.takes = Some(d.seconds),
                        _ => {}
                    }
                }
                out.push(node);
            }
            ItemKind::End(end) => out.push(Node {
                noun: "end",
                name: &end.name.text,
                title: end.title.as_ref().map(|t| t.value.as_str()),
                performer: end.kind.as_ref().map(|k| k.text.to_string()),
                takes: None,
                retry: None,
                timeout: None,
                outputs: Vec::new(),
            }),
            ItemKind::Parallel(parallel) => {
                for branch in &parallel.branches {
                    nodes(&branch.items, out);
                }
            }
            _ => {}
        }
    }
}

type Actors<'a> = Vec<(&'static str, &'a SmolStr, Option<&'a str>)>;

fn actors(workflow: &ast::Workflow) -> Actors<'_> {
    workflow
        .items
        .iter()
        .filter_map(|item| match &item.kind {
            ItemKind::Role(a) => Some((
                "role",
                &a.name.text,
                a.title.as_ref().map(|t| t.value.as_str()),
            )),
            ItemKind::System(a) => Some((
                "system",
                &a.name.text,
                a.title.as_ref().map(|t| t.value.as_str()),
            )),
            _ => None,
        })
        .collect()
}

fn inputs<'a>(source: &Source<'a>) -> Vec<(&'a SmolStr, String, Option<String>)> {
    source
        .workflow
        .items
        .iter()
        .filter_map(|item| match &item.kind {
            ItemKind::Input(input) => Some((
                &input.name.text,
                type_text(&input.ty),
                input
                    .default
                    .as_ref()
                    .map(|d| source.slice(d.span).to_string()),
            )),
            _ => None,
        })
        .collect()
}

fn outputs(workflow: &ast::Workflow) -> Vec<&SmolStr> {
    workflow
        .items
        .iter()
        .filter_map(|item| match &item.kind {
            ItemKind::Outputs(names) => Some(names.iter().map(|n| &n.text)),
            _ => None,
        })
        .flatten()
        .collect()
}

fn deadline(workflow: &ast::Workflow) -> Option<u64> {
    workflow.items.iter().find_map(|item| match &item.kind {
        ItemKind::Deadline(d) => Some(d.seconds),
        _ => None,
    })
}

fn duration(seconds: Option<u64>) -> String {
    seconds.map_or("none".to_string(), baton_ir::format_duration)
}

fn number(value: Option<u64>) -> serde_json::Value {
    value.map_or(serde_json::Value::Null, Into::into)
}

/// The changes the two syntax trees show, in the groups and kinds of a full comparison.
/// Nodes are paired by name only (a rename reads as a removal and an addition).
pub fn compare(old: &Source, new: &Source) -> Vec<Change> {
    let mut changes = Vec::new();
    let (o, n) = (old.workflow, new.workflow);
    if o.name.text != n.name.text {
        changes.push(
            Change::new(
                Kind::WorkflowRenamed,
                Message::new()
                    .w("the workflow is now named ")
                    .n(n.name.text.clone())
                    .w(" (was ")
                    .n(o.name.text.clone())
                    .w(")"),
            )
            .breaking()
            .name(&n.name.text)
            .before_after(o.name.text.as_str(), n.name.text.as_str()),
        );
    }
    let title = |w: &ast::Workflow| w.title.as_ref().map(|t| t.value.to_string());
    if title(o) != title(n) {
        let mut message = Message::new().w("the workflow's title is now ");
        message = match title(n) {
            Some(t) => message.t(t),
            None => message.w("none"),
        };
        changes.push(Change::new(Kind::WorkflowRetitled, message));
    }
    if deadline(o) != deadline(n) {
        changes.push(
            Change::new(
                Kind::DeadlineChanged,
                Message::new().w(format!(
                    "deadline: {} (was {})",
                    duration(deadline(n)),
                    duration(deadline(o))
                )),
            )
            .before_after(number(deadline(o)), number(deadline(n))),
        );
    }

    // A name declared twice (an error the checker reports) is compared by its first
    // declaration.
    let (old_actors, new_actors) = (actors(o), actors(n));
    for (i, (what, name, title)) in new_actors.iter().enumerate() {
        if new_actors[..i]
            .iter()
            .any(|(w, n, _)| w == what && n == name)
        {
            continue;
        }
        match old_actors.iter().find(|(w, n, _)| w == what && n == name) {
            None => {
                let kind = if *what == "role" {
                    Kind::RoleAdded
                } else {
                    Kind::SystemAdded
                };
                let mut change = Change::new(
                    kind,
                    Message::new().w(format!("new {what} ")).n((*name).clone()),
                );
                change = if *what == "role" {
                    change.role(name)
                } else {
                    change.name(name)
                };
                changes.push(change);
            }
            Some((_, _, was)) if was != title => {
                let kind = if *what == "role" {
                    Kind::RoleRetitled
                } else {
                    Kind::SystemRetitled
                };
                let message = Message::new()
                    .w(format!("{what} "))
                    .n((*name).clone())
                    .w(" is now called ");
                let message = match title {
                    Some(t) => message.t(*t),
                    None => message.w("by its name"),
                };
                changes.push(Change::new(kind, message));
            }
            Some(_) => {}
        }
    }
    for (what, name, _) in &old_actors {
        if !new_actors.iter().any(|(w, n, _)| w == what && n == name) {
            let kind = if *what == "role" {
                Kind::RoleRemoved
            } else {
                Kind::SystemRemoved
            };
            let change = Change::new(
                kind,
                Message::new()
                    .w(format!("removed {what} "))
                    .n((*name).clone()),
            );
            changes.push(if *what == "role" {
                change.role(name)
            } else {
                change.name(name)
            });
        }
    }

    let (old_inputs, new_inputs) = (inputs(old), inputs(new));
    for (i, (name, ty, default)) in new_inputs.iter().enumerate() {
        if new_inputs[..i].iter().any(|(n, ..)| n == name) {
            continue;
        }
        match old_inputs.iter().find(|(n, ..)| n == name) {
            None => {
                let message = match default {
                    None => Message::new()
                        .w("new required input ")
                        .n((*name).clone())
                        .w(format!(": {ty} (callers must pass it)")),
                    Some(d) => Message::new()
                        .w("new input ")
                        .n((*name).clone())
                        .w(format!(": {ty} = "))
                        .n(d.clone()),
                };
                let mut change = Change::new(Kind::InputAdded, message)
                    .name(name)
                    .before_after(serde_json::Value::Null, ty.as_str());
                if default.is_none() {
                    change = change.breaking();
                }
                changes.push(change);
            }
            Some((_, was_ty, was_default)) => {
                if was_ty != ty {
                    changes.push(
                        Change::new(
                            Kind::InputTypeChanged,
                            Message::new()
                                .w("input ")
                                .n((*name).clone())
                                .w(format!(" is now {ty} (was {was_ty})")),
                        )
                        .breaking()
                        .name(name)
                        .before_after(was_ty.as_str(), ty.as_str()),
                    );
                }
                if was_default != default {
                    let message = Message::new().w("input ").n((*name).clone());
                    let message = match default {
                        None => message.w(" has no default any more: callers must pass it"),
                        Some(d) => message.w(" now defaults to ").n(d.clone()),
                    };
                    let mut change = Change::new(Kind::InputDefaultChanged, message).name(name);
                    if default.is_none() {
                        change = change.breaking();
                    }
                    changes.push(change);
                }
            }
        }
    }
    for (name, ty, _) in &old_inputs {
        if !new_inputs.iter().any(|(n, ..)| n == name) {
            changes.push(
                Change::new(
                    Kind::InputRemoved,
                    Message::new().w("removed input ").n((*name).clone()),
                )
                .breaking()
                .name(name)
                .before_after(ty.as_str(), serde_json::Value::Null),
            );
        }
    }
    let (old_outputs, new_outputs) = (outputs(o), outputs(n));
    for name in &new_outputs {
        if !old_outputs.contains(name) {
            changes.push(
                Change::new(
                    Kind::OutputAdded,
                    Message::new().w("new output ").n((*name).clone()),
                )
                .name(name),
            );
        }
    }
    for name in &old_outputs {
        if !new_outputs.contains(name) {
            changes.push(
                Change::new(
                    Kind::OutputRemoved,
                    Message::new()
                        .w("removed output ")
                        .n((*name).clone())
                        .w(" (callers no longer get it)"),
                )
                .breaking()
                .name(name),
            );
        }
    }

    let (mut old_nodes, mut new_nodes) = (Vec::new(), Vec::new());
    nodes(&o.items, &mut old_nodes);
    nodes(&n.items, &mut new_nodes);
    // A name defined twice (an error the checker reports) pairs its n-th definitions.
    let nth = |nodes: &[Node], i: usize| {
        nodes[..i]
            .iter()
            .filter(|n| n.name == nodes[i].name)
            .count()
    };
    let find = |nodes: &'_ [Node<'_>], name: &SmolStr, k: usize| {
        nodes.iter().filter(|n| n.name == name).nth(k).is_some()
    };
    for (i, node) in new_nodes.iter().enumerate() {
        let k = nth(&new_nodes, i);
        let Some(was) = old_nodes.iter().filter(|w| w.name == node.name).nth(k) else {
            let mut message = Message::new()
                .w(format!("added {} ", node.noun))
                .n(node.name.clone());
            if let Some(t) = node.title {
                message = message.w(" ").t(t);
            }
            if old.skipped {
                message = message.w(" (or not readable: the old side has syntax errors)");
            }
            changes.push(Change::new(Kind::NodeAdded, message).node(node.name));
            continue;
        };
        node_changes(was, node, &mut changes);
    }
    for (i, node) in old_nodes.iter().enumerate() {
        if !find(&new_nodes, node.name, nth(&old_nodes, i)) {
            let mut message = Message::new()
                .w(format!("removed {} ", node.noun))
                .n(node.name.clone());
            if let Some(t) = node.title {
                message = message.w(" ").t(t);
            }
            if new.skipped {
                message = message.w(" (or not readable: the new side has syntax errors)");
            }
            changes.push(Change::new(Kind::NodeRemoved, message).node(node.name));
        }
    }
    changes.sort_by_key(|c| (c.group, c.kind));
    changes
}

fn node_changes(was: &Node, now: &Node, changes: &mut Vec<Change>) {
    let id = now.name;
    if was.performer != now.performer {
        let show = |p: &Option<String>| p.clone().unwrap_or_else(|| "nobody".to_string());
        let kind = if now.noun == "end" {
            Kind::EndOutcomeChanged
        } else {
            Kind::PerformerChanged
        };
        let label = if now.noun == "end" {
            " now ends as "
        } else {
            " is now done "
        };
        changes.push(
            Change::new(
                kind,
                Message::new()
                    .n(id.clone())
                    .w(label)
                    .n(show(&now.performer))
                    .w(" (was ")
                    .n(show(&was.performer))
                    .w(")"),
            )
            .node(id)
            .before_after(show(&was.performer), show(&now.performer)),
        );
    }
    if was.title != now.title {
        let message = Message::new().n(id.clone()).w(" is now titled ");
        let message = match now.title {
            Some(t) => message.t(t),
            None => message.w("by its name"),
        };
        changes.push(Change::new(Kind::TitleChanged, message).node(id));
    }
    let mut timing = |kind: Kind, what: &str, before: Option<u64>, after: Option<u64>| {
        if before != after {
            changes.push(
                Change::new(
                    kind,
                    Message::new().n(id.clone()).w(format!(
                        " {what} {} (was {})",
                        duration(after),
                        duration(before)
                    )),
                )
                .node(id)
                .before_after(number(before), number(after)),
            );
        }
    };
    timing(Kind::TakesChanged, "now takes", was.takes, now.takes);
    timing(
        Kind::TimeoutChanged,
        "now times out after",
        was.timeout,
        now.timeout,
    );
    if was.retry != now.retry {
        let show = |r: Option<u32>| r.map_or("none".to_string(), |r| r.to_string());
        changes.push(
            Change::new(
                Kind::RetryChanged,
                Message::new().n(id.clone()).w(format!(
                    " now retries {} (was {})",
                    show(now.retry),
                    show(was.retry)
                )),
            )
            .node(id)
            .before_after(
                number(was.retry.map(u64::from)),
                number(now.retry.map(u64::from)),
            ),
        );
    }
    for (name, ty) in &now.outputs {
        match was.outputs.iter().find(|(n, _)| n == name) {
            None => changes.push(
                Change::new(
                    Kind::VariableAdded,
                    Message::new()
                        .n(id.clone())
                        .w(" now outputs ")
                        .n((*name).clone())
                        .w(format!(": {ty}")),
                )
                .node(id)
                .name(name),
            ),
            Some((_, was_ty)) if was_ty != ty => changes.push(
                Change::new(
                    Kind::VariableTypeChanged,
                    Message::new()
                        .n((*name).clone())
                        .w(format!(" is now {ty} (was {was_ty})")),
                )
                .node(id)
                .name(name)
                .before_after(was_ty.as_str(), ty.as_str()),
            ),
            Some(_) => {}
        }
    }
    for (name, _) in &was.outputs {
        if !now.outputs.iter().any(|(n, _)| n == name) {
            changes.push(
                Change::new(
                    Kind::VariableRemoved,
                    Message::new()
                        .n(id.clone())
                        .w(" no longer outputs ")
                        .n((*name).clone()),
                )
                .node(id)
                .name(name),
            );
        }
    }
}
