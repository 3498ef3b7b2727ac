//! The abstract syntax tree. Every node carries the byte span of its source text, and
//! every name carries the span of the name alone (for go-to-definition and rename).
//! The tree keeps clauses in source order, duplicates included: judging them is the
//! checker's job, and the formatter needs them as written.

use baton_diagnostics::Span;
use serde::Serialize;
pub use smol_str::SmolStr;

/// A name as written, e.g. a step name or a role reference. Names are short: most are
/// stored inline, without an allocation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Name {
    pub text: SmolStr,
    pub span: Span,
}

/// A string literal, escapes already decoded.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Text {
    pub value: SmolStr,
    pub span: Span,
}

/// A duration literal such as `2d` or `1h30m`, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Duration {
    pub seconds: u64,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct File {
    pub uses: Vec<Use>,
    /// `None` only when the file's header could not be parsed.
    pub workflow: Option<Workflow>,
}

/// `use "path.baton"`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Use {
    pub path: Text,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Workflow {
    pub name: Name,
    pub title: Option<Text>,
    pub items: Vec<Item>,
    pub span: Span,
}

/// One declaration or flow node, with the attributes written before it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Item {
    pub attrs: Vec<Attr>,
    pub kind: ItemKind,
    pub span: Span,
}

/// `@allow(self_review, unused_output)`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Attr {
    pub name: Name,
    pub args: Vec<Name>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum ItemKind {
    Deadline(Duration),
    Description(Text),
    Role(Actor),
    System(Actor),
    Input(Input),
    /// Workflow-level `output a, b`: the variables this workflow hands back to its caller.
    Outputs(Vec<Name>),
    Step(Step),
    Decision(Decision),
    Parallel(Parallel),
    If(If),
    Match(Match),
    Wait(Wait),
    /// A bare `-> target`.
    Goto(Jump),
    End(End),
}

impl ItemKind {
    /// Whether the item is a node of the flow (as opposed to a declaration).
    pub fn is_flow(&self) -> bool {
        !matches!(
            self,
            ItemKind::Deadline(_)
                | ItemKind::Description(_)
                | ItemKind::Role(_)
                | ItemKind::System(_)
                | ItemKind::Input(_)
                | ItemKind::Outputs(_)
        )
    }
}

/// A `role` or `system` declaration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Actor {
    pub name: Name,
    pub title: Option<Text>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Input {
    pub name: Name,
    pub ty: TypeExpr,
    pub default: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TypeExpr {
    /// `text`, `int`, ...; validated by the checker so a typo gets a suggestion.
    Named {
        name: Name,
    },
    Enum {
        variants: Vec<Name>,
        span: Span,
    },
}

impl TypeExpr {
    pub fn span(&self) -> Span {
        match self {
            TypeExpr::Named { name } => name.span,
            TypeExpr::Enum { span, .. } => *span,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Step {
    pub name: Name,
    pub title: Option<Text>,
    pub clauses: Vec<Clause>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Clause {
    pub kind: ClauseKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "clause", content = "value", rename_all = "snake_case")]
pub enum ClauseKind {
    /// The responsible role.
    By(Name),
    /// Automation run by a system, with the action it performs.
    Auto {
        system: Name,
        action: Option<Text>,
    },
    /// Run another workflow as this step.
    Run {
        workflow: Name,
        args: Vec<Argument>,
    },
    Takes(Duration),
    Output {
        name: Name,
        ty: TypeExpr,
    },
    Needs(Vec<Name>),
    Retry {
        times: u32,
        span: Span,
    },
    Timeout(Duration),
    Notify(Vec<Name>),
    Consult(Vec<Name>),
    Description(Text),
    /// `on failure -> target`: where the work goes when the step fails after its retries.
    OnFailure(Jump),
    /// `on timeout -> target`: where the work goes when the step runs past its `timeout`.
    OnTimeout(Jump),
}

impl ClauseKind {
    /// The keyword that starts the clause, for messages.
    pub fn keyword(&self) -> &'static str {
        match self {
            ClauseKind::By(_) => "by",
            ClauseKind::Auto { .. } => "auto",
            ClauseKind::Run { .. } => "run",
            ClauseKind::Takes(_) => "takes",
            ClauseKind::Output { .. } => "output",
            ClauseKind::Needs(_) => "needs",
            ClauseKind::Retry { .. } => "retry",
            ClauseKind::Timeout(_) => "timeout",
            ClauseKind::Notify(_) => "notify",
            ClauseKind::Consult(_) => "consult",
            ClauseKind::Description(_) => "description",
            ClauseKind::OnFailure(_) => "on failure",
            ClauseKind::OnTimeout(_) => "on timeout",
        }
    }
}

/// `name = expr` passed to a sub-workflow's input.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Argument {
    pub name: Name,
    pub value: Expr,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decision {
    pub name: Name,
    pub title: Option<Text>,
    pub clauses: Vec<Clause>,
    pub outcomes: Vec<Outcome>,
}

/// `approved "Looks good" -> schedule`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outcome {
    pub name: Name,
    pub title: Option<Text>,
    pub jump: Jump,
    pub span: Span,
}

/// `-> target at most 3 times`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Jump {
    pub target: Name,
    pub bound: Option<Bound>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Bound {
    pub times: u32,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Parallel {
    pub name: Option<Name>,
    pub title: Option<Text>,
    pub branches: Vec<Branch>,
    /// The `parallel` keyword, where anonymous parallels are reported.
    pub keyword: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Branch {
    pub name: Option<Name>,
    pub title: Option<Text>,
    pub items: Vec<Item>,
    pub span: Span,
}

/// `if cond -> then else -> otherwise`; without `else` it falls through.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct If {
    pub condition: Expr,
    pub then: Jump,
    pub otherwise: Option<Jump>,
}

/// `match var { a -> x  b, c -> y  else -> z }`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Match {
    pub subject: Name,
    pub arms: Vec<Arm>,
    pub otherwise: Option<Jump>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Arm {
    pub variants: Vec<Name>,
    pub jump: Jump,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Wait {
    pub name: Option<Name>,
    pub title: Option<Text>,
    pub kind: WaitKind,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "wait", content = "value", rename_all = "snake_case")]
pub enum WaitKind {
    Until(Expr),
    For(Duration),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct End {
    pub name: Name,
    pub title: Option<Text>,
    /// `success`, `failure` or `cancelled`; validated by the checker.
    pub kind: Option<Name>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl Expr {
    /// `lhs op rhs`, spanning both operands.
    pub fn binary(op: BinaryOp, lhs: Expr, rhs: Expr) -> Expr {
        let span = lhs.span.to(rhs.span);
        Expr {
            kind: ExprKind::Binary {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            },
            span,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "expr", content = "value", rename_all = "snake_case")]
pub enum ExprKind {
    Bool(bool),
    Int(i64),
    Number(f64),
    /// `15%` is stored as 15.0.
    Percent(f64),
    /// In seconds.
    Duration(u64),
    /// `2026-12-01`, as written.
    Date(SmolStr),
    /// `2026-12-01T09:00`, as written.
    DateTime(SmolStr),
    Text(SmolStr),
    /// A variable or an enum variant; the checker decides which.
    Name(Name),
    Not(Box<Expr>),
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// Kept so the formatter can print parentheses the user wrote.
    Paren(Box<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BinaryOp {
    Or,
    And,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
        }
    }

    pub fn is_comparison(self) -> bool {
        !matches!(self, BinaryOp::Or | BinaryOp::And)
    }
}
