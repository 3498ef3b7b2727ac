//! Typed, resolved expressions: the compiled form of guards and `wait until` times.

use serde::Serialize;
use smol_str::SmolStr;
use std::fmt;

/// The type of a variable or expression.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Type {
    Text,
    Int,
    Number,
    Bool,
    Percent,
    Duration,
    Date,
    Datetime,
    /// An enum with its variants in declaration order.
    Enum(Vec<SmolStr>),
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Text => f.write_str("text"),
            Type::Int => f.write_str("int"),
            Type::Number => f.write_str("number"),
            Type::Bool => f.write_str("bool"),
            Type::Percent => f.write_str("percent"),
            Type::Duration => f.write_str("duration"),
            Type::Date => f.write_str("date"),
            Type::Datetime => f.write_str("datetime"),
            Type::Enum(variants) => write!(f, "enum {{ {} }}", variants.join(", ")),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Expr {
    #[serde(rename = "type")]
    pub ty: Type,
    #[serde(flatten)]
    pub kind: ExprKind,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExprKind {
    Value(Value),
    /// A variable, by name.
    Var(SmolStr),
    Not(Box<Expr>),
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Value {
    Bool(bool),
    Int(i64),
    Number(f64),
    /// `15%` is 15.0.
    Percent(f64),
    /// Seconds.
    Duration(u64),
    Date(SmolStr),
    Datetime(SmolStr),
    Text(SmolStr),
    /// A variant of the expression's enum type.
    Variant(SmolStr),
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

    /// Binding strength: higher binds tighter.
    fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            _ => 4,
        }
    }
}

/// Prints the expression in Baton syntax, with only the parentheses it needs.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, 0)
    }
}

impl Expr {
    fn write(&self, f: &mut fmt::Formatter<'_>, outer: u8) -> fmt::Result {
        match &self.kind {
            ExprKind::Value(value) => write!(f, "{value}"),
            ExprKind::Var(name) => f.write_str(name),
            ExprKind::Not(inner) => {
                let paren = outer > 3;
                if paren {
                    f.write_str("(")?;
                }
                f.write_str("not ")?;
                inner.write(f, 3)?;
                if paren {
                    f.write_str(")")?;
                }
                Ok(())
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let precedence = op.precedence();
                let paren = precedence < outer || (precedence == 4 && outer == 4);
                if paren {
                    f.write_str("(")?;
                }
                lhs.write(f, precedence)?;
                write!(f, " {} ", op.symbol())?;
                // Left-associative: a right operand of equal precedence needs parentheses.
                rhs.write(f, precedence + 1)?;
                if paren {
                    f.write_str(")")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(n) => write!(f, "{n}"),
            Value::Number(n) => write!(f, "{n:?}"),
            Value::Percent(p) => write!(f, "{p}%"),
            Value::Duration(s) => f.write_str(&crate::format_duration(*s).replace(' ', "")),
            Value::Date(d) | Value::Datetime(d) => f.write_str(d),
            Value::Text(t) => write!(f, "{t:?}"),
            Value::Variant(v) => f.write_str(v),
        }
    }
}
