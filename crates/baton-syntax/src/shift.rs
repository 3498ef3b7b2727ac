//! Moving a tree's spans by a fixed offset: an item reused by an incremental re-parse
//! after an edit that came before it sits that many bytes further on.

use crate::ast::*;
use baton_diagnostics::Span;

pub(crate) trait Shift {
    fn shift(&mut self, by: i64);
}

impl Shift for Span {
    fn shift(&mut self, by: i64) {
        // Reused items lie after the edit, in a file of at most MAX_FILE_BYTES.
        let moved = |offset: u32| u32::try_from(i64::from(offset) + by).unwrap_or(0);
        self.start = moved(self.start);
        self.end = moved(self.end);
    }
}

impl<T: Shift> Shift for Option<T> {
    fn shift(&mut self, by: i64) {
        if let Some(inner) = self {
            inner.shift(by);
        }
    }
}

impl<T: Shift> Shift for Vec<T> {
    fn shift(&mut self, by: i64) {
        for inner in self {
            inner.shift(by);
        }
    }
}

impl<T: Shift> Shift for Box<T> {
    fn shift(&mut self, by: i64) {
        (**self).shift(by);
    }
}

/// `Shift` for a struct: every listed field.
macro_rules! shift_fields {
    ($($ty:ident { $($field:ident),* })*) => {$(
        impl Shift for $ty {
            fn shift(&mut self, by: i64) {
                $(self.$field.shift(by);)*
            }
        }
    )*};
}

shift_fields! {
    Name { span }
    Text { span }
    Duration { span }
    Item { attrs, kind, span }
    Attr { name, args, span }
    Actor { name, title }
    Input { name, ty, default }
    Step { name, title, clauses }
    Clause { kind, span }
    Argument { name, value }
    Decision { name, title, clauses, outcomes }
    Outcome { name, title, jump, span }
    Jump { target, bound, span }
    Bound { span }
    Parallel { name, title, branches, keyword }
    Branch { name, title, items, span }
    If { condition, then, otherwise }
    Match { subject, arms, otherwise }
    Arm { variants, jump, span }
    Wait { name, title, kind }
    End { name, title, kind }
    Expr { kind, span }
}

impl Shift for ItemKind {
    fn shift(&mut self, by: i64) {
        match self {
            ItemKind::Deadline(d) => d.shift(by),
            ItemKind::Description(t) => t.shift(by),
            ItemKind::Role(a) | ItemKind::System(a) => a.shift(by),
            ItemKind::Input(i) => i.shift(by),
            ItemKind::Outputs(names) => names.shift(by),
            ItemKind::Step(s) => s.shift(by),
            ItemKind::Decision(d) => d.shift(by),
            ItemKind::Parallel(p) => p.shift(by),
            ItemKind::If(i) => i.shift(by),
            ItemKind::Match(m) => m.shift(by),
            ItemKind::Wait(w) => w.shift(by),
            ItemKind::Goto(j) => j.shift(by),
            ItemKind::End(e) => e.shift(by),
        }
    }
}

impl Shift for TypeExpr {
    fn shift(&mut self, by: i64) {
        match self {
            TypeExpr::Named { name } => name.shift(by),
            TypeExpr::Enum { variants, span } => {
                variants.shift(by);
                span.shift(by);
            }
        }
    }
}

impl Shift for ClauseKind {
    fn shift(&mut self, by: i64) {
        match self {
            ClauseKind::By(n) => n.shift(by),
            ClauseKind::Auto { system, action } => {
                system.shift(by);
                action.shift(by);
            }
            ClauseKind::Run { workflow, args } => {
                workflow.shift(by);
                args.shift(by);
            }
            ClauseKind::Takes(d) | ClauseKind::Timeout(d) => d.shift(by),
            ClauseKind::Output { name, ty } => {
                name.shift(by);
                ty.shift(by);
            }
            ClauseKind::Needs(names) | ClauseKind::Notify(names) | ClauseKind::Consult(names) => {
                names.shift(by)
            }
            ClauseKind::Retry { span, .. } => span.shift(by),
            ClauseKind::Description(t) => t.shift(by),
        }
    }
}

impl Shift for WaitKind {
    fn shift(&mut self, by: i64) {
        match self {
            WaitKind::Until(e) => e.shift(by),
            WaitKind::For(d) => d.shift(by),
        }
    }
}

impl Shift for ExprKind {
    fn shift(&mut self, by: i64) {
        match self {
            ExprKind::Name(n) => n.shift(by),
            ExprKind::Not(e) | ExprKind::Paren(e) => e.shift(by),
            ExprKind::Binary { lhs, rhs, .. } => {
                lhs.shift(by);
                rhs.shift(by);
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
