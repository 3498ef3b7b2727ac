//! Expression typing. Every expression gets a type; a bare name is a variable, or a
//! variant when it is compared with an enum. The result is the compiled, typed IR form.
//!
//! Rules: `==`/`!=` need equal types (`int` and `number` mix); `<`, `<=`, `>`, `>=` need
//! equal ordered types (`int`/`number`, `percent`, `duration`, `date`, `datetime`); a
//! `percent` compares only with percents, so `open_rate < 15` is an error that suggests
//! `15%`; `and`, `or`, `not` and conditions need `bool`.

use crate::resolve::Checker;
use baton_diagnostics::Code;
use baton_ir::{BinaryOp, Expr, ExprKind, SmolStr, Type, Value};
use baton_syntax::ast;

impl Checker<'_> {
    /// Types `expr`. `context` is the enum type a bare name may be a variant of.
    /// Returns `None` after reporting an error.
    pub fn infer(&mut self, expr: &ast::Expr, context: Option<&Type>) -> Option<Expr> {
        let typed = |ty: Type, kind: ExprKind| Some(Expr { ty, kind });
        match &expr.kind {
            ast::ExprKind::Bool(b) => typed(Type::Bool, ExprKind::Value(Value::Bool(*b))),
            ast::ExprKind::Int(n) => typed(Type::Int, ExprKind::Value(Value::Int(*n))),
            ast::ExprKind::Number(n) => typed(Type::Number, ExprKind::Value(Value::Number(*n))),
            ast::ExprKind::Percent(p) => typed(Type::Percent, ExprKind::Value(Value::Percent(*p))),
            ast::ExprKind::Duration(s) => {
                typed(Type::Duration, ExprKind::Value(Value::Duration(*s)))
            }
            ast::ExprKind::Date(d) => typed(Type::Date, ExprKind::Value(Value::Date(d.clone()))),
            ast::ExprKind::DateTime(d) => {
                typed(Type::Datetime, ExprKind::Value(Value::Datetime(d.clone())))
            }
            ast::ExprKind::Text(t) => typed(Type::Text, ExprKind::Value(Value::Text(t.clone()))),
            ast::ExprKind::Paren(inner) => self.infer(inner, context),
            ast::ExprKind::Name(name) => {
                if self.variable(&name.text).is_none() {
                    if let Some(Type::Enum(variants)) = context {
                        if variants.contains(&name.text) {
                            return typed(
                                Type::Enum(variants.clone()),
                                ExprKind::Value(Value::Variant(name.text.clone())),
                            );
                        }
                        let subject = self.enum_subject.clone();
                        self.unknown_variant(name, subject.as_deref(), &variants.clone());
                        return None;
                    }
                }
                let ty = self.resolve_variable(name)?;
                typed(ty, ExprKind::Var(name.text.clone()))
            }
            ast::ExprKind::Not(inner) => {
                let inner = self.infer(inner, None)?;
                self.expect_bool(&inner, expr, "`not`")?;
                typed(Type::Bool, ExprKind::Not(Box::new(inner)))
            }
            ast::ExprKind::Binary { op, lhs, rhs } => {
                let op = lower_op(*op);
                if matches!(op, BinaryOp::And | BinaryOp::Or) {
                    let l = self.infer(lhs, None);
                    let r = self.infer(rhs, None);
                    let (l, r) = (l?, r?);
                    self.expect_bool(&l, lhs, &format!("`{}`", op.symbol()))?;
                    self.expect_bool(&r, rhs, &format!("`{}`", op.symbol()))?;
                    return typed(
                        Type::Bool,
                        ExprKind::Binary {
                            op,
                            lhs: Box::new(l),
                            rhs: Box::new(r),
                        },
                    );
                }
                // A bare name that is not a variable takes its meaning from the other side.
                let var_name = |e: &Expr| match &e.kind {
                    ExprKind::Var(name) => Some(name.clone()),
                    _ => None,
                };
                let (l, r) = if self.is_free_name(lhs) {
                    let r = self.infer(rhs, None)?;
                    self.enum_subject = var_name(&r);
                    let l = self.infer(lhs, Some(&r.ty));
                    self.enum_subject = None;
                    (l?, r)
                } else {
                    let l = self.infer(lhs, None)?;
                    self.enum_subject = var_name(&l);
                    let r = self.infer(rhs, Some(&l.ty));
                    self.enum_subject = None;
                    (l, r?)
                };
                self.check_comparison(op, &l, &r, expr, rhs)?;
                typed(
                    Type::Bool,
                    ExprKind::Binary {
                        op,
                        lhs: Box::new(l),
                        rhs: Box::new(r),
                    },
                )
            }
        }
    }

    fn is_free_name(&self, expr: &ast::Expr) -> bool {
        match &expr.kind {
            ast::ExprKind::Name(name) => self.variable(&name.text).is_none(),
            ast::ExprKind::Paren(inner) => self.is_free_name(inner),
            _ => false,
        }
    }

    fn expect_bool(&mut self, typed: &Expr, expr: &ast::Expr, what: &str) -> Option<()> {
        if typed.ty == Type::Bool {
            return Some(());
        }
        let d = self
            .diag(
                Code::NotBool,
                expr.span,
                format!("{what} needs true/false, but this is `{}`", typed.ty),
                format!("`{}`", typed.ty).as_str(),
            )
            .with_help("compare it to make a condition, e.g. `score >= 80` or `segment == vip`");
        self.error(d);
        None
    }

    fn check_comparison(
        &mut self,
        op: BinaryOp,
        l: &Expr,
        r: &Expr,
        expr: &ast::Expr,
        rhs: &ast::Expr,
    ) -> Option<()> {
        let numeric = |t: &Type| matches!(t, Type::Int | Type::Number);
        let same = l.ty == r.ty || (numeric(&l.ty) && numeric(&r.ty));
        let ordered = |t: &Type| {
            matches!(
                t,
                Type::Int
                    | Type::Number
                    | Type::Percent
                    | Type::Duration
                    | Type::Date
                    | Type::Datetime
            )
        };
        let ordering = !matches!(op, BinaryOp::Eq | BinaryOp::Ne);
        if same && (!ordering || ordered(&l.ty)) {
            return Some(());
        }
        let message = if same {
            format!(
                "`{}` values cannot be compared with `{}`",
                l.ty,
                op.symbol()
            )
        } else {
            format!("cannot compare `{}` with `{}`", l.ty, r.ty)
        };
        let help = match (&l.ty, &r.ty) {
            (Type::Percent, t) | (t, Type::Percent) if numeric(t) => {
                "a percentage compares with a percentage: write the number with `%`, e.g. `15%`".to_string()
            }
            (Type::Date, Type::Datetime) | (Type::Datetime, Type::Date) => {
                "compare a date with a date, or give the time too, e.g. `2026-12-01T09:00`".to_string()
            }
            (Type::Enum(variants), _) | (_, Type::Enum(variants)) if same || !ordering => format!(
                "compare with one of the variants: {}",
                crate::resolve::quoted_list(&variants.iter().map(SmolStr::as_str).collect::<Vec<_>>())
            ),
            _ if same => "only numbers, percentages, durations, dates and datetimes are ordered; use `==` or `!=`".to_string(),
            _ => format!("compare `{}` with another `{}`", l.ty, l.ty),
        };
        let d = self
            .diag(
                Code::TypeMismatch,
                expr.span,
                message,
                format!("`{}` here", r.ty).as_str(),
            )
            .with_help(help);
        let d = if same { d } else { relabel(d, rhs.span) };
        self.error(d);
        None
    }

    /// A condition of `if`: must be `bool`.
    pub fn check_condition(&mut self, expr: &ast::Expr) -> Option<Expr> {
        let typed = self.infer(expr, None)?;
        self.expect_bool(&typed, expr, "a condition")?;
        Some(typed)
    }

    /// The time of `wait until`: must be a date or datetime.
    pub fn check_time(&mut self, expr: &ast::Expr) -> Option<Expr> {
        let typed = self.infer(expr, None)?;
        if matches!(typed.ty, Type::Date | Type::Datetime) {
            return Some(typed);
        }
        let help = if typed.ty == Type::Duration {
            "to wait for a length of time, write `wait for 2d`"
        } else {
            "give a date or datetime variable or literal, e.g. `wait until send_at` or `wait until 2026-12-01T09:00`"
        };
        let d = self
            .diag(
                Code::NotATime,
                expr.span,
                format!(
                    "`wait until` needs a date or datetime, but this is `{}`",
                    typed.ty
                ),
                format!("`{}`", typed.ty).as_str(),
            )
            .with_help(help);
        self.error(d);
        None
    }

    /// A value for a variable of type `ty` (an input default or a `run` argument).
    pub fn check_value(&mut self, expr: &ast::Expr, ty: &Type, what: &str) -> Option<Expr> {
        let typed = self.infer(expr, Some(ty))?;
        let numeric = |t: &Type| matches!(t, Type::Int | Type::Number);
        if typed.ty == *ty || (*ty == Type::Number && numeric(&typed.ty)) {
            return Some(typed);
        }
        let d = self
            .diag(
                Code::TypeMismatch,
                expr.span,
                format!("{what} is `{ty}`, but this value is `{}`", typed.ty),
                format!("`{}`", typed.ty).as_str(),
            )
            .with_help(format!("give a `{ty}` value"));
        self.error(d);
        None
    }
}

/// Points the primary label at the right operand, where the mismatch is usually noticed.
fn relabel(
    mut d: baton_diagnostics::Diagnostic,
    span: baton_diagnostics::Span,
) -> baton_diagnostics::Diagnostic {
    d.primary.span = span;
    d
}

fn lower_op(op: ast::BinaryOp) -> BinaryOp {
    match op {
        ast::BinaryOp::Or => BinaryOp::Or,
        ast::BinaryOp::And => BinaryOp::And,
        ast::BinaryOp::Lt => BinaryOp::Lt,
        ast::BinaryOp::Le => BinaryOp::Le,
        ast::BinaryOp::Gt => BinaryOp::Gt,
        ast::BinaryOp::Ge => BinaryOp::Ge,
        ast::BinaryOp::Eq => BinaryOp::Eq,
        ast::BinaryOp::Ne => BinaryOp::Ne,
    }
}
