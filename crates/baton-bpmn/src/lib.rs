//! BPMN 2.0 XML for Camunda 8 (Zeebe) from a checked [`baton_ir::Workflow`].
//!
//! One file per workflow: one executable `process` in a `collaboration` with one
//! participant (the pool), a lane per role and per system. A `run` step is a
//! `callActivity` naming the sub-workflow's process id, which is exported (and deployed)
//! from its own file. The mapping, the value encoding and what does not map are in
//! `docs/bpmn.md`. The XML is written by quick-xml: no escaping is hand-written (the one
//! addition: line breaks and tabs in attributes become character references, since XML
//! parsers turn them into spaces otherwise).
//!
//! Like the other backends it is a pure function of the IR, and deterministic.

mod feel;
mod model;
mod xml;

use baton_diagnostics::{Code, Diagnostic, FileId, Span};
use baton_ir::{NodeKind, Performer, Workflow};
use std::collections::HashSet;

pub use feel::{expr as feel_expr, KEYWORDS as FEEL_KEYWORDS};

/// The Camunda 8 version the output targets (`modeler:executionPlatformVersion`).
pub const CAMUNDA_VERSION: &str = "8.6.0";

/// An exported document and the warnings about what it leaves out.
pub struct Export {
    pub xml: String,
    pub warnings: Vec<Diagnostic>,
}

/// Exports the workflow, or says why it cannot be (errors, with codes B10xx). `file` is
/// the workflow's source file, for the diagnostics' labels.
pub fn bpmn(workflow: &Workflow, file: FileId) -> Result<Export, Vec<Diagnostic>> {
    let mut diagnostics = validate(workflow, file);
    if diagnostics.iter().any(Diagnostic::is_error) {
        diagnostics.retain(Diagnostic::is_error);
        return Err(diagnostics);
    }
    let model = model::build(workflow);
    Ok(Export {
        xml: xml::write(&model),
        warnings: diagnostics,
    })
}

/// Characters XML 1.0 cannot hold, even as character references.
fn xml_forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

fn validate(workflow: &Workflow, file: FileId) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let variables: Vec<_> = workflow.inputs.iter().chain(&workflow.variables).collect();
    for variable in &variables {
        if feel::is_keyword(&variable.name) {
            out.push(
                Diagnostic::new(
                    Code::BpmnFeelKeyword,
                    file,
                    variable.span,
                    format!(
                        "the variable `{}` cannot be read in FEEL, where `{}` is a keyword",
                        variable.name, variable.name
                    ),
                    "a FEEL keyword",
                )
                .with_help(format!(
                    "rename it, e.g. `{}_value`; FEEL reserves {}",
                    variable.name,
                    feel::KEYWORDS.join(", ")
                )),
            );
        }
    }
    // Text that goes into the XML.
    let mut texts: Vec<(Span, &str)> = Vec::new();
    for t in [&workflow.title, &workflow.description]
        .into_iter()
        .flatten()
    {
        texts.push((workflow.graph[workflow.start].span, t));
    }
    for actor in workflow.roles.iter().chain(&workflow.systems) {
        if let Some(t) = &actor.title {
            texts.push((actor.span, t));
        }
    }
    for (_, node) in workflow.nodes() {
        if let Some(t) = node.title() {
            texts.push((node.name_span, t));
        }
        let description = match &node.kind {
            NodeKind::Step(s) => s.description.as_deref(),
            NodeKind::Decision(d) => d.description.as_deref(),
            _ => None,
        };
        if let Some(d) = description {
            texts.push((node.span, d));
        }
    }
    for (_, _, _, edge) in workflow.edges() {
        if let Some(label) = edge.kind.label() {
            if label.chars().any(xml_forbidden) {
                out.push(forbidden_text(file, edge.span, &label));
            }
        }
    }
    for (span, text) in texts {
        if text.chars().any(xml_forbidden) {
            out.push(forbidden_text(file, span, text));
        }
    }
    // Variables the export adds must not be the user's own.
    let names: HashSet<&str> = variables.iter().map(|v| v.name.as_str()).collect();
    let mut taken = |span: Span, name: String, what: &str| {
        if names.contains(name.as_str()) {
            out.push(
                Diagnostic::new(
                    Code::BpmnVariableClash,
                    file,
                    span,
                    format!("the BPMN export needs the variable `{name}` for {what}, but the workflow has its own"),
                    "needs this variable name",
                )
                .with_help(format!("rename the workflow's variable `{name}`")),
            );
        }
    };
    for (_, node) in workflow.nodes() {
        if let NodeKind::Decision(_) = node.kind {
            taken(
                node.name_span,
                model::outcome_variable(&node.id),
                "the decision's outcome",
            );
        }
    }
    for (_, from, to, edge) in workflow.edges() {
        if edge.bound.is_some() {
            let name = model::counter_variable(&workflow.graph[from].id, &workflow.graph[to].id);
            taken(edge.span, name, "the loop's counter");
        }
    }
    for (_, node) in workflow.nodes() {
        if let NodeKind::Step(step) = &node.kind {
            if step.retry.is_some() && !matches!(step.performer, Performer::System { .. }) {
                out.push(
                    Diagnostic::new(
                        Code::BpmnRetryNotMapped,
                        file,
                        node.name_span,
                        format!("`retry` on `{}` is left out of the BPMN: only automated steps are retried by Zeebe", node.id),
                        "retried here",
                    )
                    .with_help("remove `retry`, or make the step automated with `auto`"),
                );
            }
        }
    }
    out
}

fn forbidden_text(file: FileId, span: Span, text: &str) -> Diagnostic {
    let c = text.chars().find(|&c| xml_forbidden(c)).unwrap_or('\u{0}');
    Diagnostic::new(
        Code::BpmnUnwritableText,
        file,
        span,
        format!(
            "this text holds the character U+{:04X}, which XML cannot hold",
            c as u32
        ),
        "cannot be written in XML",
    )
    .with_help("remove the control character from the text")
}

/// Kahn's topological order of `0..n` over `succs` (edges that close loops left out).
/// Nodes on a cycle that remains (there should be none) follow in index order.
pub(crate) fn topological(n: usize, succs: &[Vec<usize>]) -> Vec<usize> {
    let mut indegree = vec![0usize; n];
    for list in succs {
        for &s in list {
            indegree[s] += 1;
        }
    }
    let mut queue: std::collections::VecDeque<usize> =
        (0..n).filter(|&i| indegree[i] == 0).collect();
    let mut order = Vec::with_capacity(n);
    let mut seen = vec![false; n];
    while let Some(i) = queue.pop_front() {
        order.push(i);
        seen[i] = true;
        for &s in &succs[i] {
            indegree[s] -= 1;
            if indegree[s] == 0 {
                queue.push_back(s);
            }
        }
    }
    order.extend((0..n).filter(|&i| !seen[i]));
    order
}
