//! The symbol index of one document: every definition and every reference of a role,
//! system, variable, flow node, enum variant and workflow, with its span. Built from the
//! AST alone (every name in it carries the span of the name), so it exists for broken
//! documents too: the parser keeps every item that parses.
//!
//! A bare name in an expression is resolved as the checker does: a variable if one of
//! that name exists, otherwise, when compared with an enum variable, one of its variants.

use baton_diagnostics::Span;
use baton_syntax::ast::{self, ClauseKind, ExprKind, ItemKind, Name, SmolStr};
use std::collections::HashMap;

/// What a name refers to. Names of different kinds live in different namespaces, except
/// roles and systems, which share one (as in the checker).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    Actor(SmolStr),
    Var(SmolStr),
    Node(SmolStr),
    /// A workflow: this document's own, or an imported one named by `run`.
    Workflow(SmolStr),
    /// A variant of the enum type of the variable `var`.
    Variant {
        var: SmolStr,
        variant: SmolStr,
    },
    /// An input of an imported workflow, named in `run ... with`.
    ImportedInput {
        workflow: SmolStr,
        input: SmolStr,
    },
}

/// One place where a name is written.
#[derive(Clone, Debug)]
pub struct Occurrence {
    pub key: Key,
    pub span: Span,
    pub is_def: bool,
    /// The named flow node the occurrence is written in, for "used in" lists.
    pub container: Option<SmolStr>,
}

/// What a definition defines, with what hover needs to describe it.
#[derive(Clone, Debug)]
pub enum Def {
    Role {
        title: Option<SmolStr>,
    },
    System {
        title: Option<SmolStr>,
    },
    /// An input, with the span of its default value.
    Input {
        default: Option<Span>,
    },
    /// A step's output.
    Output {
        step: SmolStr,
    },
    Node(Node),
    Variant,
    Workflow {
        title: Option<SmolStr>,
    },
}

/// A flow node that has a name (and so can be a jump target).
#[derive(Clone, Debug)]
pub enum Node {
    Step(ast::Step),
    Decision(ast::Decision),
    Parallel(ast::Parallel),
    Wait(ast::Wait),
    End(ast::End),
}

impl Node {
    pub fn what(&self) -> &'static str {
        match self {
            Node::Step(_) => "step",
            Node::Decision(_) => "decision",
            Node::Parallel(_) => "parallel",
            Node::Wait(_) => "wait",
            Node::End(_) => "end",
        }
    }

    pub fn title(&self) -> Option<&str> {
        let title = match self {
            Node::Step(s) => &s.title,
            Node::Decision(d) => &d.title,
            Node::Parallel(p) => &p.title,
            Node::Wait(w) => &w.title,
            Node::End(e) => &e.title,
        };
        title.as_ref().map(|t| t.value.as_str())
    }
}

#[derive(Debug, Default)]
pub struct Index {
    /// In source order.
    occurrences: Vec<Occurrence>,
    defs: HashMap<Key, Vec<(Span, Def)>>,
    /// Defined keys in the order of their first definition, for stable completion lists.
    order: Vec<Key>,
    /// Each variable's type as first declared.
    var_types: HashMap<SmolStr, ast::TypeExpr>,
    /// Variables in the workflow-level `output` list, handed back to a caller.
    returned: Vec<SmolStr>,
}

impl Index {
    pub fn build(file: &ast::File) -> Index {
        let mut index = Index::default();
        let Some(workflow) = &file.workflow else {
            return index;
        };
        index.collect_types(&workflow.items);
        let mut builder = Builder {
            index: &mut index,
            container: None,
        };
        builder.define(
            Key::Workflow(workflow.name.text.clone()),
            workflow.name.span,
            Def::Workflow {
                title: workflow.title.as_ref().map(|t| t.value.clone()),
            },
        );
        builder.items(&workflow.items);
        index
            .occurrences
            .sort_by_key(|o| (o.span.start, o.span.end));
        index
    }

    fn collect_types(&mut self, items: &[ast::Item]) {
        for item in items {
            match &item.kind {
                ItemKind::Input(input) => {
                    self.var_types
                        .entry(input.name.text.clone())
                        .or_insert_with(|| input.ty.clone());
                }
                ItemKind::Step(step) => {
                    for clause in &step.clauses {
                        if let ClauseKind::Output { name, ty } = &clause.kind {
                            self.var_types
                                .entry(name.text.clone())
                                .or_insert_with(|| ty.clone());
                        }
                    }
                }
                ItemKind::Parallel(parallel) => {
                    for branch in &parallel.branches {
                        self.collect_types(&branch.items);
                    }
                }
                _ => {}
            }
        }
    }

    /// The name written at `offset` (the cursor may be right after it).
    pub fn at(&self, offset: usize) -> Option<&Occurrence> {
        let offset = u32::try_from(offset).ok()?;
        let inside = self
            .occurrences
            .iter()
            .find(|o| o.span.start <= offset && offset < o.span.end);
        inside.or_else(|| self.occurrences.iter().find(|o| o.span.end == offset))
    }

    pub fn occurrences_of<'a>(&'a self, key: &'a Key) -> impl Iterator<Item = &'a Occurrence> {
        self.occurrences.iter().filter(move |o| o.key == *key)
    }

    pub fn defs(&self, key: &Key) -> &[(Span, Def)] {
        self.defs.get(key).map_or(&[], Vec::as_slice)
    }

    /// Defined keys with their first definition, in source order.
    pub fn definitions(&self) -> impl Iterator<Item = (&Key, &Def)> {
        self.order.iter().filter_map(|key| {
            let (_, def) = self.defs.get(key)?.first()?;
            Some((key, def))
        })
    }

    pub fn var_type(&self, name: &str) -> Option<&ast::TypeExpr> {
        self.var_types.get(name)
    }

    /// The variants of variable `var`, when it is an enum.
    pub fn variants(&self, var: &str) -> Vec<SmolStr> {
        match self.var_types.get(var) {
            Some(ast::TypeExpr::Enum { variants, .. }) => {
                let mut names: Vec<SmolStr> = Vec::new();
                for v in variants {
                    if !names.contains(&v.text) {
                        names.push(v.text.clone());
                    }
                }
                names
            }
            _ => Vec::new(),
        }
    }

    /// Whether the workflow hands variable `name` back to its caller.
    pub fn is_returned(&self, name: &str) -> bool {
        self.returned.iter().any(|r| r == name)
    }

    /// How often `key` is referenced, and the distinct named nodes that reference it, in
    /// source order.
    pub fn users(&self, key: &Key) -> (usize, Vec<SmolStr>) {
        let mut count = 0;
        let mut users: Vec<SmolStr> = Vec::new();
        for occurrence in self.occurrences_of(key).filter(|o| !o.is_def) {
            count += 1;
            if let Some(container) = &occurrence.container {
                if !users.contains(container) {
                    users.push(container.clone());
                }
            }
        }
        (count, users)
    }
}

struct Builder<'a> {
    index: &'a mut Index,
    container: Option<SmolStr>,
}

impl Builder<'_> {
    fn define(&mut self, key: Key, span: Span, def: Def) {
        let defs = self.index.defs.entry(key.clone()).or_default();
        if defs.is_empty() {
            self.index.order.push(key.clone());
        }
        defs.push((span, def));
        self.index.occurrences.push(Occurrence {
            key,
            span,
            is_def: true,
            container: self.container.clone(),
        });
    }

    fn reference(&mut self, key: Key, span: Span) {
        self.index.occurrences.push(Occurrence {
            key,
            span,
            is_def: false,
            container: self.container.clone(),
        });
    }

    fn items(&mut self, items: &[ast::Item]) {
        for item in items {
            self.item(item);
        }
    }

    fn item(&mut self, item: &ast::Item) {
        match &item.kind {
            ItemKind::Deadline(_) | ItemKind::Description(_) => {}
            ItemKind::Role(actor) => self.define(
                Key::Actor(actor.name.text.clone()),
                actor.name.span,
                Def::Role {
                    title: actor.title.as_ref().map(|t| t.value.clone()),
                },
            ),
            ItemKind::System(actor) => self.define(
                Key::Actor(actor.name.text.clone()),
                actor.name.span,
                Def::System {
                    title: actor.title.as_ref().map(|t| t.value.clone()),
                },
            ),
            ItemKind::Input(input) => {
                self.define(
                    Key::Var(input.name.text.clone()),
                    input.name.span,
                    Def::Input {
                        default: input.default.as_ref().map(|d| d.span),
                    },
                );
                self.variants(&input.name.text, &input.ty);
                if let Some(default) = &input.default {
                    self.value(default, Some(&input.name.text));
                }
            }
            ItemKind::Outputs(names) => {
                for name in names {
                    self.var(name);
                    self.index.returned.push(name.text.clone());
                }
            }
            ItemKind::Step(step) => {
                self.container = Some(step.name.text.clone());
                self.define(
                    Key::Node(step.name.text.clone()),
                    step.name.span,
                    Def::Node(Node::Step(step.clone())),
                );
                for clause in &step.clauses {
                    self.clause(clause, &step.name.text);
                }
                self.container = None;
            }
            ItemKind::Decision(decision) => {
                self.container = Some(decision.name.text.clone());
                self.define(
                    Key::Node(decision.name.text.clone()),
                    decision.name.span,
                    Def::Node(Node::Decision(decision.clone())),
                );
                for clause in &decision.clauses {
                    self.clause(clause, &decision.name.text);
                }
                for outcome in &decision.outcomes {
                    self.jump(&outcome.jump);
                }
                self.container = None;
            }
            ItemKind::Parallel(parallel) => {
                if let Some(name) = &parallel.name {
                    self.define(
                        Key::Node(name.text.clone()),
                        name.span,
                        Def::Node(Node::Parallel(parallel.clone())),
                    );
                }
                for branch in &parallel.branches {
                    self.items(&branch.items);
                }
            }
            ItemKind::If(node) => {
                self.expr(&node.condition);
                self.jump(&node.then);
                if let Some(jump) = &node.otherwise {
                    self.jump(jump);
                }
            }
            ItemKind::Match(node) => {
                self.var(&node.subject);
                for arm in &node.arms {
                    for variant in &arm.variants {
                        self.reference(
                            Key::Variant {
                                var: node.subject.text.clone(),
                                variant: variant.text.clone(),
                            },
                            variant.span,
                        );
                    }
                    self.jump(&arm.jump);
                }
                if let Some(jump) = &node.otherwise {
                    self.jump(jump);
                }
            }
            ItemKind::Wait(wait) => {
                if let Some(name) = &wait.name {
                    self.container = Some(name.text.clone());
                    self.define(
                        Key::Node(name.text.clone()),
                        name.span,
                        Def::Node(Node::Wait(wait.clone())),
                    );
                }
                if let ast::WaitKind::Until(expr) = &wait.kind {
                    self.expr(expr);
                }
                self.container = None;
            }
            ItemKind::Goto(jump) => self.jump(jump),
            ItemKind::End(end) => self.define(
                Key::Node(end.name.text.clone()),
                end.name.span,
                Def::Node(Node::End(end.clone())),
            ),
        }
    }

    fn clause(&mut self, clause: &ast::Clause, node: &str) {
        match &clause.kind {
            ClauseKind::By(role) => self.actor(role),
            ClauseKind::Auto { system, .. } => self.actor(system),
            ClauseKind::Run { workflow, args } => {
                self.reference(Key::Workflow(workflow.text.clone()), workflow.span);
                for arg in args {
                    self.reference(
                        Key::ImportedInput {
                            workflow: workflow.text.clone(),
                            input: arg.name.text.clone(),
                        },
                        arg.name.span,
                    );
                    self.value(&arg.value, None);
                }
            }
            ClauseKind::Output { name, ty } => {
                self.define(
                    Key::Var(name.text.clone()),
                    name.span,
                    Def::Output { step: node.into() },
                );
                self.variants(&name.text, ty);
            }
            ClauseKind::Needs(names) => {
                for name in names {
                    self.var(name);
                }
            }
            ClauseKind::Notify(roles) | ClauseKind::Consult(roles) => {
                for role in roles {
                    self.actor(role);
                }
            }
            ClauseKind::OnFailure(jump) | ClauseKind::OnTimeout(jump) => self.jump(jump),
            ClauseKind::Takes(_)
            | ClauseKind::Retry { .. }
            | ClauseKind::Timeout(_)
            | ClauseKind::Description(_) => {}
        }
    }

    fn variants(&mut self, var: &str, ty: &ast::TypeExpr) {
        if let ast::TypeExpr::Enum { variants, .. } = ty {
            for variant in variants {
                self.define(
                    Key::Variant {
                        var: var.into(),
                        variant: variant.text.clone(),
                    },
                    variant.span,
                    Def::Variant,
                );
            }
        }
    }

    fn actor(&mut self, name: &Name) {
        self.reference(Key::Actor(name.text.clone()), name.span);
    }

    fn var(&mut self, name: &Name) {
        self.reference(Key::Var(name.text.clone()), name.span);
    }

    fn jump(&mut self, jump: &ast::Jump) {
        self.reference(Key::Node(jump.target.text.clone()), jump.target.span);
    }

    /// A value given for a variable (an input default): a bare name that is not a variable
    /// is a variant of `enum_var`'s type.
    fn value(&mut self, expr: &ast::Expr, enum_var: Option<&str>) {
        match (&expr.kind, enum_var) {
            (ExprKind::Name(name), Some(var)) if !self.is_var(&name.text) => self.reference(
                Key::Variant {
                    var: var.into(),
                    variant: name.text.clone(),
                },
                name.span,
            ),
            // A variant of an imported workflow's input: not a name of this document.
            (ExprKind::Name(name), None) if !self.is_var(&name.text) => {}
            _ => self.expr(expr),
        }
    }

    fn is_var(&self, name: &str) -> bool {
        self.index.var_types.contains_key(name)
    }

    /// The enum variable an expression is, through parentheses.
    fn enum_var(&self, expr: &ast::Expr) -> Option<SmolStr> {
        match &expr.kind {
            ExprKind::Paren(inner) => self.enum_var(inner),
            ExprKind::Name(name) => match self.index.var_types.get(&name.text) {
                Some(ast::TypeExpr::Enum { .. }) => Some(name.text.clone()),
                _ => None,
            },
            _ => None,
        }
    }

    fn expr(&mut self, expr: &ast::Expr) {
        match &expr.kind {
            ExprKind::Name(name) => self.var(name),
            ExprKind::Not(inner) | ExprKind::Paren(inner) => self.expr(inner),
            ExprKind::Binary { op, lhs, rhs } => {
                if op.is_comparison() {
                    let (left, right) = (self.enum_var(lhs), self.enum_var(rhs));
                    self.value(lhs, right.as_deref());
                    self.value(rhs, left.as_deref());
                    return;
                }
                self.expr(lhs);
                self.expr(rhs);
            }
            ExprKind::Bool(_)
            | ExprKind::Int(_)
            | ExprKind::Number(_)
            | ExprKind::Percent(_)
            | ExprKind::Duration(_)
            | ExprKind::Date(_)
            | ExprKind::DateTime(_)
            | ExprKind::Text(_) => {}
        }
    }
}

/// The text of a type as Baton writes it.
pub fn type_text(ty: &ast::TypeExpr) -> String {
    match ty {
        ast::TypeExpr::Named { name } => name.text.to_string(),
        ast::TypeExpr::Enum { variants, .. } => {
            let names: Vec<&str> = variants.iter().map(|v| v.text.as_str()).collect();
            format!("enum {{ {} }}", names.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(text: &str) -> Index {
        let parsed = baton_syntax::parse(text, baton_diagnostics::FileId(0));
        Index::build(&parsed.file)
    }

    fn spans(index: &Index, key: &Key, text: &str) -> Vec<String> {
        index
            .occurrences_of(key)
            .map(|o| {
                let word = text.get(o.span.range()).unwrap_or("?");
                format!("{word}{}", if o.is_def { "!" } else { "" })
            })
            .collect()
    }

    #[test]
    fn finds_definitions_and_references() {
        let text = r#"workflow w {
  role writer "Writer"
  input tier: enum { hot, cold } = cold
  step draft { by writer  needs tier  output score: int }
  if tier == hot and score > 2 -> draft
  match tier { hot -> done  cold -> done }
  end done success
}"#;
        let index = index(text);
        assert_eq!(
            spans(&index, &Key::Actor("writer".into()), text),
            ["writer!", "writer"]
        );
        assert_eq!(
            spans(&index, &Key::Var("tier".into()), text),
            ["tier!", "tier", "tier", "tier"]
        );
        let hot = Key::Variant {
            var: "tier".into(),
            variant: "hot".into(),
        };
        assert_eq!(spans(&index, &hot, text), ["hot!", "hot", "hot"]);
        let cold = Key::Variant {
            var: "tier".into(),
            variant: "cold".into(),
        };
        assert_eq!(spans(&index, &cold, text), ["cold!", "cold", "cold"]);
        assert_eq!(
            spans(&index, &Key::Node("done".into()), text),
            ["done", "done", "done!"]
        );
        assert_eq!(
            spans(&index, &Key::Node("draft".into()), text),
            ["draft!", "draft"]
        );
        assert_eq!(
            index.users(&Key::Actor("writer".into())),
            (1, vec![SmolStr::from("draft")])
        );
    }
}
