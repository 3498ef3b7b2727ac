//! Name resolution. `collect` records every definition (roles, systems, variables, flow
//! nodes), then `resolve` checks every reference against them, with "did you mean"
//! suggestions, and the per-node rules that do not need the graph.

use crate::Signature;
use baton_diagnostics::{suggest, Code, Diagnostic, FileId, Span};
use baton_ir::{SmolStr, Type};
use baton_syntax::ast::{self, ClauseKind, Item, ItemKind, Name};
use rustc_hash::FxHashMap as HashMap;

/// How many variables `items` declare: inputs and step outputs.
fn count_variables(items: &[Item]) -> usize {
    items
        .iter()
        .map(|item| match &item.kind {
            ItemKind::Input(_) => 1,
            ItemKind::Step(step) => step
                .clauses
                .iter()
                .filter(|c| matches!(c.kind, ClauseKind::Output { .. }))
                .count(),
            ItemKind::Parallel(parallel) => parallel
                .branches
                .iter()
                .map(|b| count_variables(&b.items))
                .sum(),
            _ => 0,
        })
        .sum()
}

/// Lint names that `@allow(...)` accepts.
pub const LINTS: &[&str] = &[
    "self_review",
    "unbounded_loop",
    "needless_bound",
    "unused_output",
    "unused_declaration",
    "unreachable_end",
    "duplicate_target",
    "single_branch",
    "empty_branch",
    "deadline",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ActorKind {
    Role,
    System,
}

#[derive(Clone, Debug)]
pub(crate) struct ActorDef {
    pub name: SmolStr,
    pub title: Option<SmolStr>,
    pub span: Span,
    pub kind: ActorKind,
}

#[derive(Clone, Debug)]
pub(crate) struct VarDef {
    pub name: SmolStr,
    pub ty: Type,
    pub span: Span,
    /// The node that sets it; `None` for an input.
    pub set_by: Option<SmolStr>,
    /// Boxed: only inputs have one, and there are tens of thousands of outputs.
    pub default: Option<Box<ast::Expr>>,
}

#[derive(Clone, Debug)]
pub(crate) struct NodeDef {
    pub span: Span,
    pub what: &'static str,
}

pub(crate) struct Checker<'a> {
    pub file: FileId,
    pub imports: &'a HashMap<SmolStr, Signature>,
    pub diagnostics: Vec<Diagnostic>,
    /// Roles and systems share one namespace, so `by esp` can say "`esp` is a system".
    pub actors: Vec<ActorDef>,
    actor_index: HashMap<SmolStr, usize>,
    /// Inputs first, then step outputs in source order.
    pub variables: Vec<VarDef>,
    var_index: HashMap<SmolStr, usize>,
    pub nodes: HashMap<SmolStr, NodeDef>,
    pub deadline: Option<ast::Duration>,
    pub description: Option<ast::Text>,
    pub outputs: Vec<Name>,
    /// Whether a `use` of this file failed, so unknown workflows may be its fault.
    imports_failed: bool,
    /// The enum variable a bare name is being compared with, for messages.
    pub enum_subject: Option<SmolStr>,
    /// Variables whose declaration had an error: reads of them are not reported again.
    poisoned: rustc_hash::FxHashSet<SmolStr>,
}

impl<'a> Checker<'a> {
    pub fn new(
        file: FileId,
        imports: &'a HashMap<SmolStr, Signature>,
        imports_failed: bool,
    ) -> Checker<'a> {
        Checker {
            file,
            imports,
            diagnostics: Vec::new(),
            actors: Vec::new(),
            actor_index: HashMap::default(),
            variables: Vec::new(),
            var_index: HashMap::default(),
            nodes: HashMap::default(),
            deadline: None,
            description: None,
            outputs: Vec::new(),
            imports_failed,
            enum_subject: None,
            poisoned: rustc_hash::FxHashSet::default(),
        }
    }

    /// Drops the table of flow node names once every reference is resolved: lowering has
    /// a table of its own. At 100,000 steps it holds over ten megabytes.
    pub fn release_node_names(&mut self) {
        self.nodes = HashMap::default();
    }

    /// Drops the name tables once the IR is built: the graph checks only report. At
    /// 100,000 steps they hold tens of megabytes.
    pub fn release_tables(&mut self) {
        self.actors = Vec::new();
        self.actor_index = HashMap::default();
        self.var_index = HashMap::default();
        self.nodes = HashMap::default();
        self.poisoned = rustc_hash::FxHashSet::default();
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    pub fn error(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    pub fn diag(&self, code: Code, span: Span, message: String, label: &str) -> Diagnostic {
        Diagnostic::new(code, self.file, span, message, label)
    }

    pub fn variable(&self, name: &str) -> Option<&VarDef> {
        self.var_index
            .get(name)
            .and_then(|i| self.variables.get(*i))
    }

    pub fn actor(&self, name: &str) -> Option<&ActorDef> {
        self.actor_index.get(name).and_then(|i| self.actors.get(*i))
    }

    // ------------------------------------------------------------------ definitions

    pub fn collect(&mut self, workflow: &ast::Workflow) {
        // Sized up front: grown by doubling, the table would be up to twice the size.
        let variables = count_variables(&workflow.items);
        self.variables.reserve_exact(variables);
        self.var_index.reserve(variables);
        self.collect_items(&workflow.items, false);
    }

    fn collect_items(&mut self, items: &[Item], in_branch: bool) {
        for item in items {
            if in_branch && !item.kind.is_flow() {
                let d = self
                    .diag(
                        Code::DeclarationInBranch,
                        item.span,
                        "declarations belong at the top level of the workflow".into(),
                        "declared inside a `parallel` branch",
                    )
                    .with_help(
                        "move this line out of the `parallel`, next to the other declarations",
                    );
                self.error(d);
                continue;
            }
            match &item.kind {
                ItemKind::Deadline(duration) => {
                    if let Some(first) = self.deadline {
                        self.duplicate_setting("deadline", item.span, first.span);
                    } else {
                        self.deadline = Some(*duration);
                    }
                }
                ItemKind::Description(text) => {
                    if let Some(first) = &self.description {
                        let first = first.span;
                        self.duplicate_setting("description", item.span, first);
                    } else {
                        self.description = Some(text.clone());
                    }
                }
                ItemKind::Role(actor) => self.define_actor(actor, ActorKind::Role),
                ItemKind::System(actor) => self.define_actor(actor, ActorKind::System),
                ItemKind::Input(input) => {
                    let ty = self.resolve_type(&input.ty);
                    self.define_variable(
                        &input.name,
                        ty,
                        None,
                        input.default.clone().map(Box::new),
                    );
                }
                ItemKind::Outputs(names) => self.outputs.extend(names.iter().cloned()),
                ItemKind::Step(step) => {
                    self.define_node(&step.name, "step");
                    for clause in &step.clauses {
                        if let ClauseKind::Output { name, ty } = &clause.kind {
                            let ty = self.resolve_type(ty);
                            self.define_variable(name, ty, Some(&step.name.text), None);
                        }
                    }
                }
                ItemKind::Decision(decision) => self.define_node(&decision.name, "decision"),
                ItemKind::End(end) => self.define_node(&end.name, "end"),
                ItemKind::Wait(wait) => {
                    if let Some(name) = &wait.name {
                        self.define_node(name, "wait");
                    }
                }
                ItemKind::Parallel(parallel) => {
                    if let Some(name) = &parallel.name {
                        self.define_node(name, "parallel");
                    }
                    for branch in &parallel.branches {
                        self.collect_items(&branch.items, true);
                    }
                }
                ItemKind::If(_) | ItemKind::Match(_) | ItemKind::Goto(_) => {}
            }
        }
    }

    fn duplicate_setting(&mut self, what: &str, span: Span, first: Span) {
        let d = self
            .diag(
                Code::DuplicateDefinition,
                span,
                format!("the workflow's `{what}` is given twice"),
                "second one",
            )
            .with_related(self.file, first, "first given here")
            .with_help(format!("keep one `{what}`"));
        self.error(d);
    }

    fn define_actor(&mut self, actor: &ast::Actor, kind: ActorKind) {
        let name = &actor.name;
        if let Some(first) = self.actor(&name.text) {
            let what = match first.kind {
                ActorKind::Role => "role",
                ActorKind::System => "system",
            };
            let d = self
                .diag(
                    Code::DuplicateDefinition,
                    name.span,
                    format!("`{}` is already declared as a {what}", name.text),
                    "declared again here",
                )
                .with_related(self.file, first.span, "first declared here")
                .with_help("roles and systems share one set of names: rename or remove one");
            self.error(d);
            return;
        }
        self.actor_index
            .insert(name.text.clone(), self.actors.len());
        self.actors.push(ActorDef {
            name: name.text.clone(),
            title: actor.title.as_ref().map(|t| t.value.clone()),
            span: name.span,
            kind,
        });
    }

    fn define_variable(
        &mut self,
        name: &Name,
        ty: Option<Type>,
        set_by: Option<&str>,
        default: Option<Box<ast::Expr>>,
    ) {
        let Some(ty) = ty else {
            self.poisoned.insert(name.text.clone());
            return;
        };
        if let Some(first) = self.variable(&name.text) {
            let (first_span, first_ty) = (first.span, first.ty.clone());
            if set_by.is_none() {
                let d = self
                    .diag(
                        Code::DuplicateDefinition,
                        name.span,
                        format!("input `{}` is declared twice", name.text),
                        "declared again here",
                    )
                    .with_related(self.file, first_span, "first declared here")
                    .with_help("remove one of the declarations");
                self.error(d);
            } else if first_ty != ty {
                let d = self
                    .diag(
                        Code::ConflictingOutputTypes,
                        name.span,
                        format!(
                            "`{}` is set as `{ty}` here but as `{first_ty}` before",
                            name.text
                        ),
                        format!("`{ty}` here").as_str(),
                    )
                    .with_related(self.file, first_span, format!("`{first_ty}` here"))
                    .with_help("a variable has one type: use the same type, or another name");
                self.error(d);
            }
            return;
        }
        self.var_index
            .insert(name.text.clone(), self.variables.len());
        self.variables.push(VarDef {
            name: name.text.clone(),
            ty,
            span: name.span,
            set_by: set_by.map(SmolStr::from),
            default,
        });
    }

    fn define_node(&mut self, name: &Name, what: &'static str) {
        if let Some(first) = self.nodes.get(&name.text) {
            let d = self
                .diag(
                    Code::DuplicateDefinition,
                    name.span,
                    format!("there is already a {} named `{}`", first.what, name.text),
                    "defined again here",
                )
                .with_related(self.file, first.span, "first defined here")
                .with_help(
                    "steps, decisions, ends and named waits and parallels need distinct names",
                );
            self.error(d);
            return;
        }
        self.nodes.insert(
            name.text.clone(),
            NodeDef {
                span: name.span,
                what,
            },
        );
    }

    pub fn resolve_type(&mut self, ty: &ast::TypeExpr) -> Option<Type> {
        match ty {
            ast::TypeExpr::Named { name } => {
                let ty = match name.text.as_str() {
                    "text" => Type::Text,
                    "int" => Type::Int,
                    "number" => Type::Number,
                    "bool" => Type::Bool,
                    "percent" => Type::Percent,
                    "duration" => Type::Duration,
                    "date" => Type::Date,
                    "datetime" => Type::Datetime,
                    other => {
                        const TYPES: [&str; 8] = [
                            "text", "int", "number", "bool", "percent", "duration", "date",
                            "datetime",
                        ];
                        let aliases = [
                            ("string", "text"),
                            ("str", "text"),
                            ("integer", "int"),
                            ("float", "number"),
                            ("boolean", "bool"),
                            ("timestamp", "datetime"),
                        ];
                        let suggestion = aliases
                            .iter()
                            .find(|(alias, _)| *alias == other)
                            .map(|(_, t)| *t)
                            .or_else(|| suggest(other, TYPES));
                        let mut d = self.diag(
                            Code::UnknownType,
                            name.span,
                            format!("unknown type `{other}`"),
                            "not a Baton type",
                        );
                        d = match suggestion {
                            Some(s) => d.with_help(format!("did you mean `{s}`?")).with_fix(format!("use `{s}`"), s),
                            None => d.with_help("the types are `text`, `int`, `number`, `bool`, `percent`, `duration`, `date`, `datetime` and `enum { a, b }`"),
                        };
                        self.error(d);
                        return None;
                    }
                };
                Some(ty)
            }
            ast::TypeExpr::Enum { variants, .. } => {
                let mut seen: HashMap<&str, Span> = HashMap::default();
                for variant in variants {
                    if let Some(first) = seen.get(variant.text.as_str()) {
                        let d = self
                            .diag(
                                Code::DuplicateDefinition,
                                variant.span,
                                format!("variant `{}` is listed twice", variant.text),
                                "listed again here",
                            )
                            .with_related(self.file, *first, "first listed here")
                            .with_help("remove the second one");
                        self.error(d);
                    } else {
                        seen.insert(&variant.text, variant.span);
                    }
                }
                let mut names: Vec<SmolStr> = Vec::new();
                for v in variants {
                    if !names.contains(&v.text) {
                        names.push(v.text.clone());
                    }
                }
                Some(Type::Enum(names))
            }
        }
    }

    // ------------------------------------------------------------------ references

    pub fn resolve(&mut self, workflow: &ast::Workflow) {
        for name in self.outputs.clone() {
            self.resolve_variable(&name);
        }
        let inputs: Vec<VarDef> = self
            .variables
            .iter()
            .filter(|v| v.set_by.is_none() && v.default.is_some())
            .cloned()
            .collect();
        for input in inputs {
            if let Some(default) = &input.default {
                self.check_value(default, &input.ty, &format!("input `{}`", input.name));
            }
        }
        self.resolve_items(&workflow.items);
    }

    fn resolve_items(&mut self, items: &[Item]) {
        for item in items {
            for attr in &item.attrs {
                self.resolve_attr(attr);
            }
            match &item.kind {
                ItemKind::Step(step) => self.resolve_step(step),
                ItemKind::Decision(decision) => self.resolve_decision(decision),
                ItemKind::Parallel(parallel) => {
                    for branch in &parallel.branches {
                        self.resolve_items(&branch.items);
                    }
                }
                ItemKind::If(node) => {
                    self.check_condition(&node.condition);
                    self.resolve_jump(&node.then);
                    if let Some(jump) = &node.otherwise {
                        self.resolve_jump(jump);
                    }
                }
                ItemKind::Match(node) => self.resolve_match(node),
                ItemKind::Wait(wait) => {
                    if let ast::WaitKind::Until(expr) = &wait.kind {
                        self.check_time(expr);
                    }
                }
                ItemKind::Goto(jump) => self.resolve_jump(jump),
                ItemKind::End(end) => {
                    if let Some(kind) = &end.kind {
                        end_outcome(kind).map_or_else(|| self.unknown_end_kind(kind), |_| ());
                    }
                }
                ItemKind::Deadline(_)
                | ItemKind::Description(_)
                | ItemKind::Role(_)
                | ItemKind::System(_)
                | ItemKind::Input(_)
                | ItemKind::Outputs(_) => {}
            }
        }
    }

    fn resolve_attr(&mut self, attr: &ast::Attr) {
        if attr.name.text != "allow" {
            let d = self
                .diag(
                    Code::UnknownAttribute,
                    attr.name.span,
                    format!("unknown attribute `@{}`", attr.name.text),
                    "unknown attribute",
                )
                .with_help(
                    "the only attribute is `@allow(lint)`, which silences a warning on this node",
                );
            self.error(d);
            return;
        }
        if attr.args.is_empty() {
            let d = self
                .diag(
                    Code::UnknownAttribute,
                    attr.span,
                    "`@allow` needs the name of the warning to silence".into(),
                    "nothing to allow",
                )
                .with_help(format!(
                    "write e.g. `@allow(self_review)`; the lints are {}",
                    quoted_list(LINTS)
                ));
            self.error(d);
        }
        for arg in &attr.args {
            if !LINTS.contains(&arg.text.as_str()) {
                let mut d = self.diag(
                    Code::UnknownAttribute,
                    arg.span,
                    format!("unknown lint `{}`", arg.text),
                    "not a lint name",
                );
                d = match suggest(&arg.text, LINTS.iter().copied()) {
                    Some(s) => d
                        .with_help(format!("did you mean `{s}`?"))
                        .with_fix(format!("use `{s}`"), s),
                    None => d.with_help(format!("the lints are {}", quoted_list(LINTS))),
                };
                self.error(d);
            }
        }
    }

    fn resolve_step(&mut self, step: &ast::Step) {
        let mut performer: Option<(&'static str, Span)> = None;
        let mut seen: HashMap<&'static str, Span> = HashMap::default();
        for clause in &step.clauses {
            let keyword = clause.kind.keyword();
            match &clause.kind {
                ClauseKind::By(_) | ClauseKind::Auto { .. } | ClauseKind::Run { .. } => {
                    if let Some((first, first_span)) = performer {
                        if first == keyword {
                            self.once(&mut seen, keyword, clause.span, "step", &step.name.text);
                            continue;
                        }
                        let message = format!(
                            "step `{}` has both `{first}` and `{keyword}`",
                            step.name.text
                        );
                        let d = self
                            .diag(Code::ConflictingActors, clause.span, message, "one too many")
                            .with_related(self.file, first_span, "first given here")
                            .with_help("a step is done by one role (`by`), one system (`auto`) or one sub-workflow (`run`); split it into several steps if several take part");
                        self.error(d);
                    } else {
                        performer = Some((keyword, clause.span));
                        seen.insert(keyword, clause.span);
                    }
                }
                ClauseKind::Takes(_)
                | ClauseKind::Retry { .. }
                | ClauseKind::Timeout(_)
                | ClauseKind::Description(_)
                | ClauseKind::OnFailure(_)
                | ClauseKind::OnTimeout(_) => {
                    self.once(&mut seen, keyword, clause.span, "step", &step.name.text);
                }
                ClauseKind::Output { .. }
                | ClauseKind::Needs(_)
                | ClauseKind::Notify(_)
                | ClauseKind::Consult(_) => {}
            }
            match &clause.kind {
                ClauseKind::By(role) => self.resolve_actor(role, ActorKind::Role),
                ClauseKind::Auto { system, .. } => self.resolve_actor(system, ActorKind::System),
                ClauseKind::Run { workflow, args } => self.resolve_run(workflow, args, clause.span),
                ClauseKind::Needs(names) => {
                    for name in names {
                        self.resolve_variable(name);
                    }
                }
                ClauseKind::Notify(roles) | ClauseKind::Consult(roles) => {
                    for role in roles {
                        self.resolve_actor(role, ActorKind::Role);
                    }
                }
                ClauseKind::OnFailure(jump) | ClauseKind::OnTimeout(jump) => {
                    self.resolve_jump(jump)
                }
                ClauseKind::Takes(_)
                | ClauseKind::Output { .. }
                | ClauseKind::Retry { .. }
                | ClauseKind::Timeout(_)
                | ClauseKind::Description(_) => {}
            }
        }
        self.check_routes(step, performer);
        if performer.is_none() {
            let d = self
                .diag(
                    Code::StepWithoutActor,
                    step.name.span,
                    format!("step `{}` has nobody to do it", step.name.text),
                    "no `by`, `auto` or `run`",
                )
                .with_help("add `by role` for a person, `auto system \"action\"` for automation, or `run workflow` for a sub-workflow");
            self.error(d);
        }
    }

    /// A failure route needs a step that can fail (automation or a sub-workflow: a person
    /// finishes or the task stays open), a timeout route a `timeout`: otherwise the route
    /// can never be taken, and the author believes a case is handled that is not.
    fn check_routes(&mut self, step: &ast::Step, performer: Option<(&'static str, Span)>) {
        let has_timeout = step
            .clauses
            .iter()
            .any(|c| matches!(c.kind, ClauseKind::Timeout(_)));
        for clause in &step.clauses {
            match &clause.kind {
                ClauseKind::OnFailure(_) => {
                    let Some((performer, performer_span)) = performer else {
                        continue;
                    };
                    if performer != "by" {
                        continue;
                    }
                    let d = self
                        .diag(
                            Code::FailureRouteCannotFail,
                            clause.span,
                            format!(
                                "step `{}` is done by a person, so it cannot fail",
                                step.name.text
                            ),
                            "this route is never taken",
                        )
                        .with_related(self.file, performer_span, "done by a person here")
                        .with_help("only automation (`auto`) and sub-workflow (`run`) steps fail; for a person, route a decision's outcome, or use `timeout` with `on timeout ->`");
                    self.error(d);
                }
                ClauseKind::OnTimeout(_) if !has_timeout => {
                    let d = self
                        .diag(
                            Code::TimeoutRouteWithoutTimeout,
                            clause.span,
                            format!(
                                "step `{}` has `on timeout` but no `timeout`",
                                step.name.text
                            ),
                            "this route is never taken",
                        )
                        .with_help("say how long the step may take, e.g. `timeout 10m`, or remove the route");
                    self.error(d);
                }
                _ => {}
            }
        }
    }

    fn once(
        &mut self,
        seen: &mut HashMap<&'static str, Span>,
        keyword: &'static str,
        span: Span,
        what: &str,
        node: &str,
    ) {
        if let Some(first) = seen.get(keyword) {
            let d = self
                .diag(
                    Code::DuplicateClause,
                    span,
                    format!("{what} `{node}` has `{keyword}` twice"),
                    "given again here",
                )
                .with_related(self.file, *first, "first given here")
                .with_help(format!("keep one `{keyword}`"));
            self.error(d);
        } else {
            seen.insert(keyword, span);
        }
    }

    fn resolve_decision(&mut self, decision: &ast::Decision) {
        let mut seen: HashMap<&'static str, Span> = HashMap::default();
        for clause in &decision.clauses {
            let keyword = clause.kind.keyword();
            match &clause.kind {
                ClauseKind::By(role) => {
                    self.once(
                        &mut seen,
                        keyword,
                        clause.span,
                        "decision",
                        &decision.name.text,
                    );
                    self.resolve_actor(role, ActorKind::Role);
                }
                ClauseKind::Notify(roles) | ClauseKind::Consult(roles) => {
                    for role in roles {
                        self.resolve_actor(role, ActorKind::Role);
                    }
                }
                _ => self.once(
                    &mut seen,
                    keyword,
                    clause.span,
                    "decision",
                    &decision.name.text,
                ),
            }
        }
        if !seen.contains_key("by") {
            let d = self
                .diag(
                    Code::DecisionWithoutRole,
                    decision.name.span,
                    format!("decision `{}` has nobody to make it", decision.name.text),
                    "no `by`",
                )
                .with_help("add `by role` with the role that makes the decision");
            self.error(d);
        }
        for outcome in &decision.outcomes {
            self.resolve_jump(&outcome.jump);
        }
    }

    fn resolve_actor(&mut self, name: &Name, expected: ActorKind) {
        let (wanted, keyword) = match expected {
            ActorKind::Role => ("role", "role"),
            ActorKind::System => ("system", "system"),
        };
        match self.actor(&name.text).map(|a| a.kind) {
            Some(kind) if kind == expected => {}
            Some(_) => {
                let (is, help) = match expected {
                    ActorKind::Role => ("a system", "a system acts through `auto system \"action\"`; `by`, `consult` and `notify` take roles"),
                    ActorKind::System => ("a role", "a person in a role does a step with `by role`; `auto` takes a system"),
                };
                let d = self
                    .diag(
                        Code::WrongActorKind,
                        name.span,
                        format!("`{}` is {is}, not a {wanted}", name.text),
                        format!("expected a {wanted}").as_str(),
                    )
                    .with_help(help);
                self.error(d);
            }
            None => {
                let code = match expected {
                    ActorKind::Role => Code::UnknownRole,
                    ActorKind::System => Code::UnknownSystem,
                };
                let candidates: Vec<&str> = self
                    .actors
                    .iter()
                    .filter(|a| a.kind == expected)
                    .map(|a| a.name.as_str())
                    .collect();
                let mut d = self.diag(
                    code,
                    name.span,
                    format!("unknown {wanted} `{}`", name.text),
                    format!("no {wanted} of this name").as_str(),
                );
                d = match suggest(&name.text, candidates.iter().copied()) {
                    Some(s) => d
                        .with_help(format!("did you mean `{s}`?"))
                        .with_fix(format!("use `{s}`"), s),
                    None => d.with_help(format!(
                        "declare it at the top of the workflow: `{keyword} {} \"Title\"`",
                        name.text
                    )),
                };
                self.error(d);
            }
        }
    }

    fn resolve_run(&mut self, workflow: &Name, args: &[ast::Argument], span: Span) {
        let Some(signature) = self.imports.get(&workflow.text).cloned() else {
            let mut d = self.diag(
                Code::UnknownWorkflow,
                workflow.span,
                format!("unknown workflow `{}`", workflow.text),
                "not imported",
            );
            d = match suggest(&workflow.text, self.imports.keys().map(SmolStr::as_str)) {
                Some(s) => d
                    .with_help(format!("did you mean `{s}`?"))
                    .with_fix(format!("use `{s}`"), s),
                None if self.imports_failed => {
                    d.with_help("an import of this file failed (see above): fix it first")
                }
                None => d.with_help(format!(
                    "import the file that defines it before `workflow`: `use \"{}.baton\"`",
                    workflow.text
                )),
            };
            self.error(d);
            for arg in args {
                self.infer(&arg.value, None);
            }
            return;
        };
        for arg in args {
            match signature
                .inputs
                .iter()
                .find(|(name, _, _)| *name == arg.name.text)
            {
                Some((name, ty, _)) => {
                    let (name, ty) = (name.clone(), ty.clone());
                    self.check_value(&arg.value, &ty, &format!("input `{name}`"));
                }
                None => {
                    let mut d = self.diag(
                        Code::InputNotFound,
                        arg.name.span,
                        format!(
                            "workflow `{}` has no input `{}`",
                            signature.name, arg.name.text
                        ),
                        "no such input",
                    );
                    d = match suggest(
                        &arg.name.text,
                        signature.inputs.iter().map(|(n, _, _)| n.as_str()),
                    ) {
                        Some(s) => d
                            .with_help(format!("did you mean `{s}`?"))
                            .with_fix(format!("use `{s}`"), s),
                        None => d.with_help(format!(
                            "its inputs are: {}",
                            if signature.inputs.is_empty() {
                                "none".to_string()
                            } else {
                                quoted_list(
                                    &signature
                                        .inputs
                                        .iter()
                                        .map(|(n, _, _)| n.as_str())
                                        .collect::<Vec<_>>(),
                                )
                            }
                        )),
                    };
                    self.error(d);
                    self.infer(&arg.value, None);
                }
            }
        }
        for (name, ty, has_default) in &signature.inputs {
            if !has_default && !args.iter().any(|a| a.name.text == *name) {
                let d = self
                    .diag(
                        Code::InputNotFound,
                        span,
                        format!("`run {}` does not pass the input `{name}`", signature.name),
                        format!("`{name}: {ty}` is missing").as_str(),
                    )
                    .with_related(signature.file, signature.name_span, "workflow defined here")
                    .with_help(format!(
                        "pass it: `run {} with {name} = ...`, or give the input a default",
                        signature.name
                    ));
                self.error(d);
            }
        }
    }

    pub fn resolve_variable(&mut self, name: &Name) -> Option<Type> {
        if let Some(var) = self.variable(&name.text) {
            return Some(var.ty.clone());
        }
        if self.poisoned.contains(&name.text) {
            return None;
        }
        let candidates: Vec<&str> = self.variables.iter().map(|v| v.name.as_str()).collect();
        let mut d = self.diag(
            Code::UnknownVariable,
            name.span,
            format!("unknown variable `{}`", name.text),
            "never set",
        );
        d = match suggest(&name.text, candidates.iter().copied()) {
            Some(s) => d
                .with_help(format!("did you mean `{s}`?"))
                .with_fix(format!("use `{s}`"), s),
            None => d.with_help(format!(
                "declare it with `input {}: type`, or set it with `output {}: type` in a step",
                name.text, name.text
            )),
        };
        self.error(d);
        None
    }

    fn resolve_jump(&mut self, jump: &ast::Jump) {
        let target = &jump.target;
        if self.nodes.contains_key(&target.text) {
            return;
        }
        if let Some(actor) = self.actor(&target.text) {
            let what = match actor.kind {
                ActorKind::Role => "role",
                ActorKind::System => "system",
            };
            let d = self
                .diag(
                    Code::NotATarget,
                    target.span,
                    format!("`{}` is a {what}, not a step to go to", target.text),
                    "not a flow node",
                )
                .with_related(
                    self.file,
                    actor.span,
                    format!("the {what} is declared here"),
                )
                .with_help("`->` goes to a step, decision, end, or named wait or parallel");
            self.error(d);
            return;
        }
        let mut candidates: Vec<&str> = self.nodes.keys().map(SmolStr::as_str).collect();
        candidates.sort_unstable();
        let mut d = self.diag(
            Code::UnknownTarget,
            target.span,
            format!("there is no step, decision or end named `{}`", target.text),
            "unknown target",
        );
        d = match suggest(&target.text, candidates.iter().copied()) {
            Some(s) => d
                .with_help(format!("did you mean `{s}`?"))
                .with_fix(format!("use `{s}`"), s),
            None => d.with_help(format!(
                "add it, e.g. `end {} success`, or jump to an existing node",
                target.text
            )),
        };
        self.error(d);
    }

    fn resolve_match(&mut self, node: &ast::Match) {
        for arm in &node.arms {
            self.resolve_jump(&arm.jump);
        }
        if let Some(jump) = &node.otherwise {
            self.resolve_jump(jump);
        }
        let Some(ty) = self.resolve_variable(&node.subject) else {
            return;
        };
        let Type::Enum(variants) = ty else {
            let d = self
                .diag(
                    Code::MatchOnNonEnum,
                    node.subject.span,
                    format!("`match` needs an enum, but `{}` is `{ty}`", node.subject.text),
                    format!("`{ty}`").as_str(),
                )
                .with_help("use `if` with a condition for other types, e.g. `if score >= 80 -> hot else -> cold`");
            self.error(d);
            return;
        };
        let mut seen: HashMap<&str, Span> = HashMap::default();
        for arm in &node.arms {
            for variant in &arm.variants {
                if !variants.contains(&variant.text) {
                    self.unknown_variant(variant, Some(&node.subject.text), &variants);
                } else if let Some(first) = seen.get(variant.text.as_str()) {
                    let d = self
                        .diag(
                            Code::DuplicateArm,
                            variant.span,
                            format!("variant `{}` is matched twice", variant.text),
                            "matched again here",
                        )
                        .with_related(self.file, *first, "first matched here")
                        .with_help("the first arm wins: remove this one");
                    self.error(d);
                } else {
                    seen.insert(&variant.text, variant.span);
                }
            }
        }
        if node.otherwise.is_none() {
            let missing: Vec<&str> = variants
                .iter()
                .filter(|v| !seen.contains_key(v.as_str()))
                .map(SmolStr::as_str)
                .collect();
            if !missing.is_empty() {
                let d = self
                    .diag(
                        Code::NonExhaustiveMatch,
                        node.subject.span,
                        format!(
                            "`match {}` does not handle {}",
                            node.subject.text,
                            quoted_list(&missing)
                        ),
                        "some variants are not handled",
                    )
                    .with_help(format!(
                        "add an arm per missing variant (`{} -> target`) or an `else -> target`",
                        missing.first().copied().unwrap_or("variant")
                    ));
                self.error(d);
            }
        }
    }

    /// `subject` is the enum variable, when known.
    pub fn unknown_variant(&mut self, variant: &Name, subject: Option<&str>, variants: &[SmolStr]) {
        let (of, subject) = match subject {
            Some(s) => (format!("`{s}`"), format!("`{s}`")),
            None => ("this enum".to_string(), "it".to_string()),
        };
        let mut d = self.diag(
            Code::UnknownVariant,
            variant.span,
            format!("`{}` is not a variant of {of}", variant.text),
            "unknown variant",
        );
        d = match suggest(&variant.text, variants.iter().map(SmolStr::as_str)) {
            Some(s) => d
                .with_help(format!("did you mean `{s}`?"))
                .with_fix(format!("use `{s}`"), s),
            None => d.with_help(format!(
                "{subject} is one of {}",
                quoted_list(&variants.iter().map(SmolStr::as_str).collect::<Vec<_>>())
            )),
        };
        self.error(d);
    }

    fn unknown_end_kind(&mut self, kind: &Name) {
        let mut d = self.diag(
            Code::UnknownEndKind,
            kind.span,
            format!("unknown kind of end `{}`", kind.text),
            "not an end kind",
        );
        let aliases = [
            ("failed", "failure"),
            ("fail", "failure"),
            ("canceled", "cancelled"),
            ("done", "success"),
            ("succeeded", "success"),
        ];
        let suggestion = aliases
            .iter()
            .find(|(a, _)| *a == kind.text)
            .map(|(_, k)| *k)
            .or_else(|| suggest(&kind.text, ["success", "failure", "cancelled"]));
        d = match suggestion {
            Some(s) => d
                .with_help(format!("did you mean `{s}`?"))
                .with_fix(format!("use `{s}`"), s),
            None => d.with_help("an end is `success`, `failure` or `cancelled`"),
        };
        self.error(d);
    }
}

pub(crate) fn end_outcome(kind: &Name) -> Option<baton_ir::EndOutcome> {
    match kind.text.as_str() {
        "success" => Some(baton_ir::EndOutcome::Success),
        "failure" => Some(baton_ir::EndOutcome::Failure),
        "cancelled" => Some(baton_ir::EndOutcome::Cancelled),
        _ => None,
    }
}

pub(crate) fn quoted_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
