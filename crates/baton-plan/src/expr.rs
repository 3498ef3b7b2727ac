//! Guard and time expressions as trees: the compiled form a runner evaluates.

use crate::value::{self, Type, Value};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A typed expression. JSON: an object with `op` (`literal`, `var`, `not`, `and`, `or`,
/// `compare`). Literals carry their type and their value in the value encoding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "op", rename_all = "snake_case", try_from = "RawExpr")]
#[schemars(with = "RawExpr")]
pub enum Expr {
    Literal {
        #[serde(rename = "type")]
        ty: Type,
        value: Value,
    },
    /// An input or variable of the instance, by name.
    Var {
        #[serde(rename = "type")]
        ty: Type,
        name: String,
    },
    Not {
        arg: Box<Expr>,
    },
    And {
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Or {
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// Both sides have the same type (`int` and `number` mix).
    Compare {
        cmp: CmpOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }
}

impl Expr {
    /// The type of the expression's value.
    pub fn ty(&self) -> Type {
        match self {
            Expr::Literal { ty, .. } | Expr::Var { ty, .. } => ty.clone(),
            Expr::Not { .. } | Expr::And { .. } | Expr::Or { .. } | Expr::Compare { .. } => {
                Type::Bool
            }
        }
    }

    /// The variables the expression reads, in order of appearance, each once.
    pub fn variables(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let mut stack = vec![self];
        while let Some(expr) = stack.pop() {
            match expr {
                Expr::Literal { .. } => {}
                Expr::Var { name, .. } => {
                    if !out.contains(&name.as_str()) {
                        out.push(name);
                    }
                }
                Expr::Not { arg } => stack.push(arg),
                Expr::And { lhs, rhs } | Expr::Or { lhs, rhs } | Expr::Compare { lhs, rhs, .. } => {
                    stack.push(rhs);
                    stack.push(lhs);
                }
            }
        }
        out
    }

    /// The plan's form of an IR expression. `None` only for a literal the IR could not
    /// hold (the checker refuses those).
    pub(crate) fn from_ir(expr: &baton_ir::Expr) -> Option<Expr> {
        let ty = Type::from(&expr.ty);
        Some(match &expr.kind {
            baton_ir::ExprKind::Value(v) => Expr::Literal {
                value: value::from_ir(v)?,
                ty,
            },
            baton_ir::ExprKind::Var(name) => Expr::Var {
                ty,
                name: name.to_string(),
            },
            baton_ir::ExprKind::Not(inner) => Expr::Not {
                arg: Box::new(Expr::from_ir(inner)?),
            },
            baton_ir::ExprKind::Binary { op, lhs, rhs } => {
                let lhs = Box::new(Expr::from_ir(lhs)?);
                let rhs = Box::new(Expr::from_ir(rhs)?);
                let cmp = match op {
                    baton_ir::BinaryOp::And => return Some(Expr::And { lhs, rhs }),
                    baton_ir::BinaryOp::Or => return Some(Expr::Or { lhs, rhs }),
                    baton_ir::BinaryOp::Lt => CmpOp::Lt,
                    baton_ir::BinaryOp::Le => CmpOp::Le,
                    baton_ir::BinaryOp::Gt => CmpOp::Gt,
                    baton_ir::BinaryOp::Ge => CmpOp::Ge,
                    baton_ir::BinaryOp::Eq => CmpOp::Eq,
                    baton_ir::BinaryOp::Ne => CmpOp::Ne,
                };
                Expr::Compare { cmp, lhs, rhs }
            }
        })
    }
}

/// An expression as written in JSON, before literals are read with their types.
#[derive(Deserialize, JsonSchema)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
#[schemars(rename = "Expr")]
pub(crate) enum RawExpr {
    Literal {
        #[serde(rename = "type")]
        ty: Type,
        /// In the value encoding of `type` (docs/values.md).
        value: serde_json::Value,
    },
    Var {
        #[serde(rename = "type")]
        ty: Type,
        name: String,
    },
    Not {
        arg: Box<RawExpr>,
    },
    And {
        lhs: Box<RawExpr>,
        rhs: Box<RawExpr>,
    },
    Or {
        lhs: Box<RawExpr>,
        rhs: Box<RawExpr>,
    },
    Compare {
        cmp: CmpOp,
        lhs: Box<RawExpr>,
        rhs: Box<RawExpr>,
    },
}

impl TryFrom<RawExpr> for Expr {
    type Error = String;

    // Recursion is bounded: serde_json refuses input nested over 128 levels.
    fn try_from(raw: RawExpr) -> Result<Expr, String> {
        let boxed = |raw: Box<RawExpr>| Expr::try_from(*raw).map(Box::new);
        Ok(match raw {
            RawExpr::Literal { ty, value } => Expr::Literal {
                value: Value::decode(&ty, &value).map_err(|e| e.message)?,
                ty,
            },
            RawExpr::Var { ty, name } => Expr::Var { ty, name },
            RawExpr::Not { arg } => Expr::Not { arg: boxed(arg)? },
            RawExpr::And { lhs, rhs } => Expr::And {
                lhs: boxed(lhs)?,
                rhs: boxed(rhs)?,
            },
            RawExpr::Or { lhs, rhs } => Expr::Or {
                lhs: boxed(lhs)?,
                rhs: boxed(rhs)?,
            },
            RawExpr::Compare { cmp, lhs, rhs } => Expr::Compare {
                cmp,
                lhs: boxed(lhs)?,
                rhs: boxed(rhs)?,
            },
        })
    }
}
