//! Document symbols: the outline. The workflow contains its declarations and its flow
//! nodes in source order; a step lists its outputs, a decision its outcomes, a `match` its
//! arms, and a `parallel` its branches with their nodes inside.
//!
//! Editors reject a symbol whose name is empty or whose selection range is not inside its
//! range, so anonymous nodes get a descriptive name and ranges are widened when needed.

use super::slice;
use crate::document::Document;
use baton_diagnostics::Span;
use baton_syntax::ast::{self, ClauseKind, ItemKind};
use lsp_types::{DocumentSymbol, SymbolKind};

pub fn document_symbols(doc: &Document) -> Vec<DocumentSymbol> {
    let Some(workflow) = &doc.analysis.ast.workflow else {
        return Vec::new();
    };
    let outline = Outline { doc };
    vec![outline.symbol(
        workflow.name.text.clone(),
        workflow.title.as_ref().map(|t| t.value.to_string()),
        SymbolKind::MODULE,
        workflow.span,
        workflow.name.span,
        outline.items(&workflow.items),
    )]
}

struct Outline<'a> {
    doc: &'a Document,
}

impl Outline<'_> {
    fn symbol(
        &self,
        name: impl Into<String>,
        detail: Option<String>,
        kind: SymbolKind,
        range: Span,
        selection: Span,
        children: Vec<DocumentSymbol>,
    ) -> DocumentSymbol {
        let (text, lines) = (&self.doc.text, &self.doc.lines);
        let name = name.into();
        let name = if name.trim().is_empty() {
            "?".to_string()
        } else {
            name
        };
        #[allow(deprecated)] // `deprecated` is a required field of the struct.
        DocumentSymbol {
            name,
            detail,
            kind,
            tags: None,
            deprecated: None,
            range: lines.range(text, range.to(selection)),
            selection_range: lines.range(text, selection),
            children: (!children.is_empty()).then_some(children),
        }
    }

    fn items(&self, items: &[ast::Item]) -> Vec<DocumentSymbol> {
        items.iter().filter_map(|item| self.item(item)).collect()
    }

    fn item(&self, item: &ast::Item) -> Option<DocumentSymbol> {
        let text = &self.doc.text;
        let title = |t: &Option<ast::Text>| t.as_ref().map(|t| t.value.to_string());
        let symbol = match &item.kind {
            ItemKind::Deadline(_) | ItemKind::Description(_) | ItemKind::Outputs(_) => return None,
            ItemKind::Goto(_) => return None,
            ItemKind::Role(actor) => self.symbol(
                actor.name.text.clone(),
                Some(
                    title(&actor.title)
                        .map_or_else(|| "role".to_string(), |t| format!("role · {t}")),
                ),
                SymbolKind::CLASS,
                item.span,
                actor.name.span,
                Vec::new(),
            ),
            ItemKind::System(actor) => self.symbol(
                actor.name.text.clone(),
                Some(
                    title(&actor.title)
                        .map_or_else(|| "system".to_string(), |t| format!("system · {t}")),
                ),
                SymbolKind::INTERFACE,
                item.span,
                actor.name.span,
                Vec::new(),
            ),
            ItemKind::Input(input) => self.symbol(
                input.name.text.clone(),
                Some(format!("input: {}", crate::index::type_text(&input.ty))),
                SymbolKind::VARIABLE,
                item.span,
                input.name.span,
                Vec::new(),
            ),
            ItemKind::Step(step) => {
                let outputs = step
                    .clauses
                    .iter()
                    .filter_map(|clause| match &clause.kind {
                        ClauseKind::Output { name, ty } => Some(self.symbol(
                            name.text.clone(),
                            Some(crate::index::type_text(ty)),
                            SymbolKind::FIELD,
                            clause.span,
                            name.span,
                            Vec::new(),
                        )),
                        _ => None,
                    })
                    .collect();
                self.symbol(
                    step.name.text.clone(),
                    title(&step.title),
                    SymbolKind::FUNCTION,
                    item.span,
                    step.name.span,
                    outputs,
                )
            }
            ItemKind::Decision(decision) => {
                let outcomes = decision
                    .outcomes
                    .iter()
                    .map(|outcome| {
                        self.symbol(
                            outcome.name.text.clone(),
                            Some(format!("→ {}", outcome.jump.target.text)),
                            SymbolKind::ENUM_MEMBER,
                            outcome.span,
                            outcome.name.span,
                            Vec::new(),
                        )
                    })
                    .collect();
                self.symbol(
                    decision.name.text.clone(),
                    title(&decision.title),
                    SymbolKind::ENUM,
                    item.span,
                    decision.name.span,
                    outcomes,
                )
            }
            ItemKind::Parallel(parallel) => {
                let branches = parallel
                    .branches
                    .iter()
                    .enumerate()
                    .map(|(i, branch)| {
                        let (name, selection) = match &branch.name {
                            Some(n) => (n.text.to_string(), n.span),
                            None => (format!("branch {}", i + 1), keyword(branch.span, "branch")),
                        };
                        self.symbol(
                            name,
                            title(&branch.title),
                            SymbolKind::NAMESPACE,
                            branch.span,
                            selection,
                            self.items(&branch.items),
                        )
                    })
                    .collect();
                let (name, selection) = match &parallel.name {
                    Some(n) => (n.text.to_string(), n.span),
                    None => ("parallel".to_string(), parallel.keyword),
                };
                self.symbol(
                    name,
                    title(&parallel.title),
                    SymbolKind::STRUCT,
                    item.span,
                    selection,
                    branches,
                )
            }
            ItemKind::If(node) => self.symbol(
                format!("if {}", one_line(slice(text, node.condition.span))),
                Some(format!("→ {}", node.then.target.text)),
                SymbolKind::OPERATOR,
                item.span,
                node.condition.span,
                Vec::new(),
            ),
            ItemKind::Match(node) => {
                let arms = node
                    .arms
                    .iter()
                    .map(|arm| {
                        let variants: Vec<&str> =
                            arm.variants.iter().map(|v| v.text.as_str()).collect();
                        let first = arm.variants.first().map_or(arm.span, |v| v.span);
                        self.symbol(
                            variants.join(", "),
                            Some(format!("→ {}", arm.jump.target.text)),
                            SymbolKind::ENUM_MEMBER,
                            arm.span,
                            first,
                            Vec::new(),
                        )
                    })
                    .collect();
                self.symbol(
                    format!("match {}", node.subject.text),
                    None,
                    SymbolKind::OPERATOR,
                    item.span,
                    node.subject.span,
                    arms,
                )
            }
            ItemKind::Wait(wait) => {
                let what = match &wait.kind {
                    ast::WaitKind::Until(expr) => {
                        format!("until {}", one_line(slice(text, expr.span)))
                    }
                    ast::WaitKind::For(d) => format!("for {}", slice(text, d.span)),
                };
                match &wait.name {
                    Some(name) => self.symbol(
                        name.text.clone(),
                        Some(
                            title(&wait.title)
                                .map_or_else(|| what.clone(), |t| format!("{t} · {what}")),
                        ),
                        SymbolKind::EVENT,
                        item.span,
                        name.span,
                        Vec::new(),
                    ),
                    None => self.symbol(
                        format!("wait {what}"),
                        title(&wait.title),
                        SymbolKind::EVENT,
                        item.span,
                        keyword(item.span, "wait"),
                        Vec::new(),
                    ),
                }
            }
            ItemKind::End(end) => {
                let kind = end.kind.as_ref().map_or("success", |k| k.text.as_str());
                self.symbol(
                    end.name.text.clone(),
                    Some(
                        title(&end.title)
                            .map_or_else(|| kind.to_string(), |t| format!("{t} · {kind}")),
                    ),
                    SymbolKind::CONSTANT,
                    item.span,
                    end.name.span,
                    Vec::new(),
                )
            }
        };
        Some(symbol)
    }
}

/// The span of a keyword at the start of `span` (anonymous nodes are selected by it).
fn keyword(span: Span, word: &str) -> Span {
    let start = span.start as usize;
    Span::new(start, (start + word.len()).min(span.end as usize))
}

/// An expression on one line and not too long, for a symbol's name.
fn one_line(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let line = words.join(" ");
    if line.chars().count() > 60 {
        let short: String = line.chars().take(57).collect();
        format!("{short}…")
    } else {
        line
    }
}
