//! Hover: what the name under the cursor is, in Markdown. A step says who does it, how
//! long it takes, what it needs and what it outputs; a decision its role and outcomes; a
//! role or system its title and where it is used; a variable its type and where it is set
//! (or that it is an input); an imported workflow its inputs and outputs.

use super::slice;
use crate::document::{Document, Imported};
use crate::index::{type_text, Def, Key, Node};
use baton_syntax::ast::SmolStr;
use baton_syntax::ast::{self, ClauseKind, ItemKind};
use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

pub fn hover(doc: &Document, position: Position) -> Option<Hover> {
    let offset = doc.lines.offset(&doc.text, position);
    let occurrence = doc.index().at(offset)?;
    let markdown = describe(doc, &occurrence.key)?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown,
        }),
        range: Some(doc.lines.range(&doc.text, occurrence.span)),
    })
}

/// The Markdown description of what `key` names; `None` for a name that is not defined.
pub fn describe(doc: &Document, key: &Key) -> Option<String> {
    match key {
        Key::Actor(name) => actor(doc, key, name),
        Key::Var(name) => variable(doc, key, name),
        Key::Node(name) => {
            let (_, def) = doc.index().defs(key).first()?;
            match def {
                Def::Node(node) => Some(node_text(doc, name, node)),
                _ => None,
            }
        }
        Key::Workflow(name) => match doc.index().defs(key).first() {
            Some((_, Def::Workflow { title })) => Some(format!(
                "**workflow** `{name}`{}\n\nThis file's workflow.",
                dash(title.as_deref())
            )),
            _ => doc.imported(name).map(|import| imported(doc, import)),
        },
        Key::Variant { var, variant } => {
            let ty = doc.index().var_type(var)?;
            Some(format!(
                "**variant** `{variant}` of `{var}`\n\n`{var}: {}`",
                type_text(ty)
            ))
        }
        Key::ImportedInput { workflow, input } => {
            let import = doc.imported(workflow)?;
            let text = doc.import_text(import);
            let decl = inputs(&import.workflow).find(|i| i.name.text == *input)?;
            Some(format!(
                "**input** `{input}` of workflow `{workflow}`\n\n`{}`",
                input_signature(decl, text)
            ))
        }
    }
}

/// ` — title`, or nothing.
fn dash(title: Option<&str>) -> String {
    title.map_or_else(String::new, |t| format!(" — {t}"))
}

fn actor(doc: &Document, key: &Key, name: &str) -> Option<String> {
    let (_, def) = doc.index().defs(key).first()?;
    let (what, title) = match def {
        Def::Role { title } => ("role", title),
        Def::System { title } => ("system", title),
        _ => return None,
    };
    let (count, users) = doc.index().users(key);
    let used = match count {
        0 => "Not used yet.".to_string(),
        1 => format!("Used once{}.", in_nodes(&users)),
        n => format!("Used {n} times{}.", in_nodes(&users)),
    };
    Some(format!(
        "**{what}** `{name}`{}\n\n{used}",
        dash(title.as_deref())
    ))
}

fn in_nodes(users: &[SmolStr]) -> String {
    if users.is_empty() {
        String::new()
    } else {
        format!(", in {}", code_list(users.iter().map(SmolStr::as_str)))
    }
}

fn code_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    items
        .into_iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn variable(doc: &Document, key: &Key, name: &str) -> Option<String> {
    let defs = doc.index().defs(key);
    let ty = doc.index().var_type(name)?;
    let mut out = format!("**variable** `{name}`: `{}`\n\n", type_text(ty));
    let mut setters: Vec<&str> = Vec::new();
    for (_, def) in defs {
        match def {
            Def::Input { default, .. } => {
                out.push_str("An input of the workflow");
                match default {
                    Some(span) => {
                        out.push_str(&format!(", by default `{}`.", slice(&doc.text, *span)));
                    }
                    None => out.push_str(": given when the workflow starts."),
                }
            }
            Def::Output { step, .. } if !setters.contains(&step.as_str()) => setters.push(step),
            _ => {}
        }
    }
    if !setters.is_empty() {
        out.push_str(&format!("Set by {}.", code_list(setters.iter().copied())));
    }
    let (_, users) = doc.index().users(key);
    if !users.is_empty() {
        out.push_str(&format!(
            " Read by {}.",
            code_list(users.iter().map(SmolStr::as_str))
        ));
    }
    if doc.index().is_returned(name) {
        out.push_str(" Handed back to the caller (workflow `output`).");
    }
    Some(out)
}

fn node_text(doc: &Document, name: &str, node: &Node) -> String {
    let mut out = format!("**{}** `{name}`{}\n\n", node.what(), dash(node.title()));
    match node {
        Node::Step(step) => clauses(doc, &step.clauses, &mut out),
        Node::Decision(decision) => {
            clauses(doc, &decision.clauses, &mut out);
            if !decision.outcomes.is_empty() {
                out.push_str("- outcomes:\n");
            }
            for outcome in &decision.outcomes {
                out.push_str(&format!(
                    "  - `{}`{} → `{}`{}\n",
                    outcome.name.text,
                    outcome
                        .title
                        .as_ref()
                        .map_or_else(String::new, |t| format!(" \"{}\"", t.value)),
                    outcome.jump.target.text,
                    bound(&outcome.jump)
                ));
            }
        }
        Node::Parallel(parallel) => {
            let branches: Vec<String> = parallel
                .branches
                .iter()
                .enumerate()
                .map(|(i, b)| match (&b.name, &b.title) {
                    (Some(n), Some(t)) => format!("`{}` ({})", n.text, t.value),
                    (Some(n), None) => format!("`{}`", n.text),
                    (None, Some(t)) => t.value.to_string(),
                    (None, None) => format!("branch {}", i + 1),
                })
                .collect();
            out.push_str(&format!(
                "Runs {} branch{} at the same time: {}.",
                branches.len(),
                if branches.len() == 1 { "" } else { "es" },
                branches.join(", ")
            ));
        }
        Node::Wait(wait) => match &wait.kind {
            ast::WaitKind::Until(expr) => {
                out.push_str(&format!("Waits until `{}`.", slice(&doc.text, expr.span)));
            }
            ast::WaitKind::For(duration) => {
                out.push_str(&format!("Waits for {}.", slice(&doc.text, duration.span)));
            }
        },
        Node::End(end) => {
            let kind = end.kind.as_ref().map_or("success", |k| k.text.as_str());
            out.push_str(&format!("Ends the workflow: {kind}."));
        }
    }
    out.trim_end().to_string()
}

fn bound(jump: &ast::Jump) -> String {
    jump.bound
        .map_or_else(String::new, |b| format!(" (at most {} times)", b.times))
}

/// The clauses of a step or decision, one Markdown bullet each, performer first.
fn clauses(doc: &Document, clauses: &[ast::Clause], out: &mut String) {
    let text = &doc.text;
    let mut lines: Vec<String> = Vec::new();
    let mut outputs: Vec<String> = Vec::new();
    for clause in clauses {
        match &clause.kind {
            ClauseKind::By(role) => lines.insert(
                0,
                format!("- by role `{}`{}", role.text, actor_title(doc, &role.text)),
            ),
            ClauseKind::Auto { system, action } => lines.insert(
                0,
                format!(
                    "- automated by system `{}`{}{}",
                    system.text,
                    actor_title(doc, &system.text),
                    action
                        .as_ref()
                        .map_or_else(String::new, |a| format!(": \"{}\"", a.value))
                ),
            ),
            ClauseKind::Run { workflow, args } => {
                let title = doc
                    .imported(&workflow.text)
                    .and_then(|i| i.workflow.title.as_ref())
                    .map_or_else(String::new, |t| format!(" ({})", t.value));
                let with = if args.is_empty() {
                    String::new()
                } else {
                    let args: Vec<String> = args
                        .iter()
                        .map(|a| format!("`{} = {}`", a.name.text, slice(text, a.value.span)))
                        .collect();
                    format!(" with {}", args.join(", "))
                };
                lines.insert(
                    0,
                    format!("- runs workflow `{}`{title}{with}", workflow.text),
                );
            }
            ClauseKind::Takes(d) => lines.push(format!("- takes {}", slice(text, d.span))),
            ClauseKind::Needs(names) => lines.push(format!(
                "- needs {}",
                code_list(names.iter().map(|n| n.text.as_str()))
            )),
            ClauseKind::Output { name, ty } => {
                outputs.push(format!("`{}: {}`", name.text, type_text(ty)));
            }
            ClauseKind::Consult(roles) => lines.push(format!(
                "- consults {}",
                code_list(roles.iter().map(|n| n.text.as_str()))
            )),
            ClauseKind::Notify(roles) => lines.push(format!(
                "- notifies {}",
                code_list(roles.iter().map(|n| n.text.as_str()))
            )),
            ClauseKind::Retry { times, .. } => lines.push(format!("- retries up to {times} times")),
            ClauseKind::Timeout(d) => {
                lines.push(format!("- times out after {}", slice(text, d.span)))
            }
            ClauseKind::Description(d) => lines.push(format!("- {}", d.value)),
            ClauseKind::OnFailure(jump) => lines.push(format!(
                "- on failure goes to `{}`{}",
                jump.target.text,
                bound(jump)
            )),
            ClauseKind::OnTimeout(jump) => lines.push(format!(
                "- on timeout goes to `{}`{}",
                jump.target.text,
                bound(jump)
            )),
        }
    }
    if !outputs.is_empty() {
        lines.push(format!("- outputs {}", outputs.join(", ")));
    }
    if lines.is_empty() {
        lines.push("- nobody does it yet (no `by`, `auto` or `run`)".to_string());
    }
    for line in lines {
        out.push_str(&line);
        out.push('\n');
    }
}

fn actor_title(doc: &Document, name: &str) -> String {
    match doc.index().defs(&Key::Actor(name.into())).first() {
        Some((_, Def::Role { title: Some(t) } | Def::System { title: Some(t) })) => {
            format!(" ({t})")
        }
        _ => String::new(),
    }
}

fn inputs(workflow: &ast::Workflow) -> impl Iterator<Item = &ast::Input> {
    workflow.items.iter().filter_map(|item| match &item.kind {
        ItemKind::Input(input) => Some(input),
        _ => None,
    })
}

fn input_signature(input: &ast::Input, text: &str) -> String {
    let default = input
        .default
        .as_ref()
        .map_or_else(String::new, |d| format!(" = {}", slice(text, d.span)));
    format!("{}: {}{default}", input.name.text, type_text(&input.ty))
}

fn imported(doc: &Document, import: &Imported) -> String {
    let workflow = &import.workflow;
    let text = doc.import_text(import);
    let mut out = format!(
        "**workflow** `{}`{}\n\nImported from `{}`.",
        workflow.name.text,
        dash(workflow.title.as_ref().map(|t| t.value.as_str())),
        doc.analysis.sources.name(import.file)
    );
    for item in &workflow.items {
        if let ItemKind::Description(d) = &item.kind {
            out.push_str(&format!(" {}", d.value));
        }
    }
    let signatures: Vec<String> = inputs(workflow)
        .map(|i| format!("- `{}`", input_signature(i, text)))
        .collect();
    if !signatures.is_empty() {
        out.push_str(&format!("\n\nInputs:\n{}", signatures.join("\n")));
    }
    let outputs: Vec<&str> = workflow
        .items
        .iter()
        .filter_map(|item| match &item.kind {
            ItemKind::Outputs(names) => Some(names.iter().map(|n| n.text.as_str())),
            _ => None,
        })
        .flatten()
        .collect();
    if !outputs.is_empty() {
        out.push_str(&format!("\n\nOutputs: {}", code_list(outputs)));
    }
    out
}
