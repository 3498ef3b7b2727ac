//! Steps: nodes added, removed and renamed, and every clause of a paired node that
//! changed (performer, automation action, sub-workflow arguments, retries, timeouts,
//! durations, waits, titles and descriptions). Loop bounds are compared with the routes
//! ([`crate::paths`]), where the edges are paired.

use baton_ir::{format_duration, Node, NodeKind, Performer, WaitUntil, Workflow};
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use serde_json::Value;

use crate::{is_named, node_noun, Change, Kind, Message, Pair};

pub(crate) fn compare(pair: &Pair, changes: &mut Vec<Change>) {
    let (old, new) = (pair.old, pair.new);
    if old.title != new.title {
        let show = |t: &Option<baton_ir::SmolStr>| t.as_deref().unwrap_or("").to_string();
        changes.push(
            Change::new(
                Kind::WorkflowRetitled,
                Message::new()
                    .w("the workflow is now called ")
                    .t(show(&new.title))
                    .w(" (was ")
                    .t(show(&old.title))
                    .w(")"),
            )
            .before_after(show(&old.title), show(&new.title)),
        );
    }
    if old.description != new.description {
        changes.push(Change::new(
            Kind::DescriptionChanged,
            Message::new().w("the workflow's description changed"),
        ));
    }
    for (index, node) in old.nodes() {
        if pair.matching.to_new(index).is_none() && reported(node) {
            let mut message = describe(old, index, "removed ");
            if let Some(before) = previous(old, index) {
                message = after(message, old, before, pair.old_id(before));
            }
            changes.push(Change::new(Kind::NodeRemoved, message).node(&node.id));
        }
    }
    for (index, node) in new.nodes() {
        match pair.matching.to_old(index) {
            None if reported(node) => {
                let mut message = describe(new, index, "added ");
                if let Some(before) = previous(new, index) {
                    message = after(message, new, before, &new.graph[before].id);
                }
                changes.push(Change::new(Kind::NodeAdded, message).node(&node.id));
            }
            None => {}
            Some(o) => compare_node(old, o, new, index, changes),
        }
    }
}

/// ", after `x`", or ", after parallel `p`" for the join of a named `parallel`; nothing
/// for other unnamed nodes.
fn after(
    message: Message,
    workflow: &Workflow,
    before: NodeIndex,
    id: &baton_ir::SmolStr,
) -> Message {
    if let NodeKind::Join { fork } = &workflow.graph[before].kind {
        if is_named(fork) {
            return message.w(", after parallel ").n(fork.clone());
        }
        return message;
    }
    if is_named(id) {
        return message.w(", after ").n(id.clone());
    }
    message
}

/// Joins are told by their fork; the start never changes.
fn reported(node: &Node) -> bool {
    !matches!(node.kind, NodeKind::Join { .. } | NodeKind::Start)
}

/// The node written before `index` on its way in, for "added … after `x`".
fn previous(workflow: &Workflow, index: NodeIndex) -> Option<NodeIndex> {
    workflow
        .graph
        .neighbors_directed(index, Direction::Incoming)
        .filter(|p| !workflow.graph[*p].id.starts_with('#'))
        .min_by_key(|p| p.index())
}

/// "added step `legal` "Legal review" (run `legal_review`)".
fn describe(workflow: &Workflow, index: NodeIndex, verb: &str) -> Message {
    let node = &workflow.graph[index];
    let mut m = Message::new().w(verb).w(node_noun(&node.kind));
    if is_named(&node.id) {
        m = m.w(" ").n(node.id.clone());
    }
    if let Some(title) = node.title() {
        m = m.w(" ").t(title);
    }
    let detail = match &node.kind {
        NodeKind::Step(step) => Some(performer(&step.performer)),
        NodeKind::Decision(d) => d
            .role
            .as_ref()
            .map(|r| Message::new().w("by ").n(r.clone())),
        NodeKind::Branch { .. } => Some(branch_routes(workflow, index)),
        NodeKind::Wait { until, .. } => Some(match until {
            WaitUntil::For(seconds) => {
                Message::new().w(format!("for {}", format_duration(*seconds)))
            }
            WaitUntil::Until(expr) => Message::new().w("until ").n(expr.to_string()),
        }),
        NodeKind::End { outcome, .. } => Some(Message::new().w(outcome.as_str())),
        _ => None,
    };
    if let Some(detail) = detail {
        m = m.w(" (");
        m.0.extend(detail.0);
        m = m.w(")");
    }
    m
}

/// An `if` or `match` by its routes: "`m1_issues > 5` → `m1_draft`; `else` → `m1_review`".
fn branch_routes(workflow: &Workflow, index: NodeIndex) -> Message {
    let mut routes: Vec<(usize, String, String)> = workflow
        .graph
        .edges_directed(index, Direction::Outgoing)
        .map(|e| {
            let label = e.weight().kind.label().unwrap_or_default();
            (
                e.id().index(),
                label,
                workflow.graph[e.target()].id.to_string(),
            )
        })
        .collect();
    routes.sort();
    let mut m = Message::new();
    for (i, (_, label, target)) in routes.into_iter().enumerate() {
        if i > 0 {
            m = m.w("; ");
        }
        m = m.n(label).w(" → ").n(target);
    }
    m
}

fn performer(p: &Performer) -> Message {
    match p {
        Performer::Role { role } => Message::new().w("by ").n(role.clone()),
        Performer::System { system, action } => {
            let m = Message::new().w("auto ").n(system.clone());
            match action {
                Some(action) => m.w(" ").t(action.as_str()),
                None => m,
            }
        }
        Performer::Workflow { workflow, .. } => Message::new().w("run ").n(workflow.clone()),
    }
}

fn wait_text(until: &WaitUntil) -> String {
    match until {
        WaitUntil::Until(expr) => format!("until {expr}"),
        WaitUntil::For(seconds) => format!("for {}", format_duration(*seconds)),
    }
}

fn duration(seconds: Option<u64>) -> String {
    seconds.map_or("none".to_string(), format_duration)
}

fn json_number<T: Into<Value>>(value: Option<T>) -> Value {
    value.map_or(Value::Null, Into::into)
}

fn compare_node(
    old: &Workflow,
    o: NodeIndex,
    new: &Workflow,
    n: NodeIndex,
    changes: &mut Vec<Change>,
) {
    let (before, after) = (&old.graph[o], &new.graph[n]);
    let id = after.id.clone();
    if before.id != after.id && is_named(&before.id) && is_named(&after.id) {
        let mut change = Change::new(
            Kind::NodeRenamed,
            Message::new()
                .n(before.id.clone())
                .w(" was renamed to ")
                .n(id.clone()),
        )
        .node(&id)
        .before_after(before.id.as_str(), id.as_str());
        change.old_node = Some(before.id.clone());
        changes.push(change);
    }
    if before.title() != after.title() {
        let (was, now) = (
            before.title().unwrap_or("").to_string(),
            after.title().unwrap_or("").to_string(),
        );
        changes.push(
            Change::new(
                Kind::TitleChanged,
                Message::new()
                    .n(id.clone())
                    .w(" is now titled ")
                    .t(now.clone())
                    .w(" (was ")
                    .t(was.clone())
                    .w(")"),
            )
            .node(&id)
            .before_after(was, now),
        );
    }
    let push_duration =
        |changes: &mut Vec<Change>, kind: Kind, what: [&str; 2], b: Option<u64>, a: Option<u64>| {
            let [what, gone] = what;
            if b != a {
                changes.push(
                    Change::new(
                        kind,
                        Message::new().n(id.clone()).w(match a {
                            Some(_) => format!(" now {what} {} (was {})", duration(a), duration(b)),
                            None => format!(" {gone} (was {})", duration(b)),
                        }),
                    )
                    .node(&id)
                    .before_after(json_number(b), json_number(a)),
                );
            }
        };
    match (&before.kind, &after.kind) {
        (NodeKind::Step(b), NodeKind::Step(a)) => {
            if b.description != a.description {
                changes.push(
                    Change::new(
                        Kind::DescriptionChanged,
                        Message::new().n(id.clone()).w("'s description changed"),
                    )
                    .node(&id),
                );
            }
            compare_performer(&id, &b.performer, &a.performer, changes);
            push_duration(
                changes,
                Kind::TakesChanged,
                ["takes", "has no expected duration"],
                b.takes,
                a.takes,
            );
            push_duration(
                changes,
                Kind::TimeoutChanged,
                ["times out after", "no longer times out"],
                b.timeout,
                a.timeout,
            );
            if b.retry != a.retry {
                let show =
                    |r: Option<u32>| r.map_or("not at all".to_string(), |r| format!("{r} times"));
                changes.push(
                    Change::new(
                        Kind::RetryChanged,
                        Message::new().n(id.clone()).w(match a.retry {
                            Some(_) => {
                                format!(" now retries {} (was {})", show(a.retry), show(b.retry))
                            }
                            None => format!(" no longer retries (was {})", show(b.retry)),
                        }),
                    )
                    .node(&id)
                    .before_after(json_number(b.retry), json_number(a.retry)),
                );
            }
        }
        (NodeKind::Decision(b), NodeKind::Decision(a)) => {
            if b.description != a.description {
                changes.push(
                    Change::new(
                        Kind::DescriptionChanged,
                        Message::new().n(id.clone()).w("'s description changed"),
                    )
                    .node(&id),
                );
            }
            if b.role != a.role {
                let show =
                    |r: &Option<baton_ir::SmolStr>| r.as_deref().unwrap_or("nobody").to_string();
                changes.push(
                    Change::new(
                        Kind::PerformerChanged,
                        Message::new()
                            .n(id.clone())
                            .w(" is now decided by ")
                            .n(show(&a.role))
                            .w(" (was ")
                            .n(show(&b.role))
                            .w(")"),
                    )
                    .node(&id)
                    .before_after(show(&b.role), show(&a.role)),
                );
            }
            push_duration(
                changes,
                Kind::TakesChanged,
                ["takes", "has no expected duration"],
                b.takes,
                a.takes,
            );
        }
        (NodeKind::Wait { until: b, .. }, NodeKind::Wait { until: a, .. }) if a != b => {
            changes.push(
                Change::new(
                    Kind::WaitChanged,
                    Message::new()
                        .n(id.clone())
                        .w(" now waits ")
                        .t(wait_text(a))
                        .w(" (was ")
                        .t(wait_text(b))
                        .w(")"),
                )
                .node(&id)
                .before_after(wait_text(b), wait_text(a)),
            );
        }
        _ => {}
    }
}

fn compare_performer(
    id: &baton_ir::SmolStr,
    before: &Performer,
    after: &Performer,
    changes: &mut Vec<Change>,
) {
    if before == after {
        return;
    }
    let show = |p: &Performer| Value::String(performer(p).plain());
    match (before, after) {
        (
            Performer::System {
                system: s1,
                action: a1,
            },
            Performer::System {
                system: s2,
                action: a2,
            },
        ) if s1 == s2 => {
            let text = |a: &Option<baton_ir::SmolStr>| a.as_deref().unwrap_or("").to_string();
            changes.push(
                Change::new(
                    Kind::ActionChanged,
                    Message::new()
                        .n(id.clone())
                        .w(" now runs ")
                        .t(text(a2))
                        .w(" on ")
                        .n(s2.clone())
                        .w(" (was ")
                        .t(text(a1))
                        .w(")"),
                )
                .node(id)
                .before_after(text(a1), text(a2)),
            );
        }
        (
            Performer::Workflow {
                workflow: w1,
                args: a1,
            },
            Performer::Workflow {
                workflow: w2,
                args: a2,
            },
        ) if w1 == w2 => {
            let show_args = |args: &[baton_ir::Argument]| {
                args.iter()
                    .map(|a| format!("{} = {}", a.input, a.value))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            // Arguments are compared by input, whatever order they were written in.
            let mut b: Vec<String> = a1
                .iter()
                .map(|a| format!("{} = {}", a.input, a.value))
                .collect();
            let mut a: Vec<String> = a2
                .iter()
                .map(|a| format!("{} = {}", a.input, a.value))
                .collect();
            b.sort();
            a.sort();
            if a != b {
                changes.push(
                    Change::new(
                        Kind::RunArgumentsChanged,
                        Message::new()
                            .n(id.clone())
                            .w(" now runs ")
                            .n(w2.clone())
                            .w(" with ")
                            .t(show_args(a2))
                            .w(" (was ")
                            .t(show_args(a1))
                            .w(")"),
                    )
                    .node(id)
                    .before_after(show_args(a1), show_args(a2)),
                );
            }
        }
        _ => {
            let mut m = Message::new().n(id.clone()).w(" is now done ");
            m.0.extend(performer(after).0);
            m = m.w(" (was ");
            m.0.extend(performer(before).0);
            m = m.w(")");
            changes.push(
                Change::new(Kind::PerformerChanged, m)
                    .node(id)
                    .before_after(show(before), show(after)),
            );
        }
    }
}
