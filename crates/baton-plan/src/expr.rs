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

fn eval_error(code: &'static str, message: String, help: &str) -> crate::PlanError {
    crate::PlanError {
        code,
        message,
        help: help.to_string(),
    }
}

/// Evaluates `expr` with the values `lookup` gives for inputs and variables.
///
/// `and` and `or` look at their right side only when the left does not decide. `==` and
/// `!=` work on every type; `<`, `<=`, `>`, `>=` on numbers (`int` and `number` compared
/// as numbers), percentages (exact decimals), durations, dates and datetimes (as
/// instants). Enum values are equal when they name the same variant.
/// B0920 when a variable has no value, B0921 when values do not fit the operator.
pub fn eval<'v>(
    expr: &Expr,
    lookup: &dyn Fn(&str) -> Option<&'v Value>,
) -> Result<Value, crate::PlanError> {
    // Recursion depth is the expression's: at most 64 from the parser, 128 from JSON.
    Ok(match expr {
        Expr::Literal { value, .. } => value.clone(),
        Expr::Var { name, .. } => lookup(name).cloned().ok_or_else(|| {
            eval_error(
                "B0920",
                format!("`{name}` has no value yet"),
                "the node that sets it has not run on this path; give it as an input or check the workflow's data flow",
            )
        })?,
        Expr::Not { arg } => Value::Bool(!truth(&eval(arg, lookup)?)?),
        Expr::And { lhs, rhs } => {
            Value::Bool(truth(&eval(lhs, lookup)?)? && truth(&eval(rhs, lookup)?)?)
        }
        Expr::Or { lhs, rhs } => {
            Value::Bool(truth(&eval(lhs, lookup)?)? || truth(&eval(rhs, lookup)?)?)
        }
        Expr::Compare { cmp, lhs, rhs } => {
            let (a, b) = (eval(lhs, lookup)?, eval(rhs, lookup)?);
            Value::Bool(compare(*cmp, &a, &b)?)
        }
    })
}

/// Evaluates a guard: `true` or `false`.
pub fn eval_bool<'v>(
    expr: &Expr,
    lookup: &dyn Fn(&str) -> Option<&'v Value>,
) -> Result<bool, crate::PlanError> {
    truth(&eval(expr, lookup)?)
}

/// The moment a timer's `until` value means: a datetime itself, a date its midnight UTC.
pub fn due_at(value: &Value) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    match value {
        Value::Datetime(t) => Some(*t),
        Value::Date(d) => d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().fixed_offset()),
        _ => None,
    }
}

fn truth(value: &Value) -> Result<bool, crate::PlanError> {
    match value {
        Value::Bool(b) => Ok(*b),
        other => Err(eval_error(
            "B0921",
            format!("a `{}` value is used as a condition", other.type_name()),
            "conditions need `bool` values; rebuild the plan with `baton build --emit plan`",
        )),
    }
}

fn compare(cmp: CmpOp, a: &Value, b: &Value) -> Result<bool, crate::PlanError> {
    use std::cmp::Ordering;
    let mismatch = || {
        eval_error(
            "B0921",
            format!(
                "`{}` cannot compare a `{}` value with a `{}` value",
                cmp.symbol(),
                a.type_name(),
                b.type_name()
            ),
            "both sides of a comparison need the same type; rebuild the plan with `baton build --emit plan`",
        )
    };
    let equal = match (a, b) {
        (Value::Text(x), Value::Text(y)) | (Value::Enum(x), Value::Enum(y)) => Some(x == y),
        (Value::Bool(x), Value::Bool(y)) => Some(x == y),
        _ => a.compare(b).map(|o| o == Ordering::Equal),
    };
    Ok(match cmp {
        CmpOp::Eq => equal.ok_or_else(mismatch)?,
        CmpOp::Ne => !equal.ok_or_else(mismatch)?,
        _ => {
            let order = a.compare(b).ok_or_else(mismatch)?;
            match cmp {
                CmpOp::Lt => order == Ordering::Less,
                CmpOp::Le => order != Ordering::Greater,
                CmpOp::Gt => order == Ordering::Greater,
                _ => order != Ordering::Less,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn var(name: &str, ty: Type) -> Box<Expr> {
        Box::new(Expr::Var {
            ty,
            name: name.into(),
        })
    }

    fn lit(ty: Type, text: &str) -> Box<Expr> {
        let value = Value::parse(&ty, text).expect("literal");
        Box::new(Expr::Literal { ty, value })
    }

    fn cmp(cmp: CmpOp, lhs: Box<Expr>, rhs: Box<Expr>) -> Expr {
        Expr::Compare { cmp, lhs, rhs }
    }

    fn run(expr: &Expr, values: &HashMap<&str, Value>) -> Result<bool, crate::PlanError> {
        eval_bool(expr, &|name| values.get(name))
    }

    #[test]
    fn comparisons_follow_the_language() {
        let mut values = HashMap::new();
        values.insert(
            "open_rate",
            Value::parse(&Type::Percent, "14.9%").expect("p"),
        );
        values.insert("score", Value::Int(80));
        values.insert("ratio", Value::Number(79.5));
        values.insert("wait", Value::Duration(3600));
        values.insert("on", Value::parse(&Type::Date, "2026-12-01").expect("d"));
        values.insert(
            "at",
            Value::parse(&Type::Datetime, "2026-12-01T10:00+01:00").expect("dt"),
        );
        values.insert("tier", Value::Enum("hot".into()));
        values.insert("engaged", Value::Bool(true));
        values.insert("name", Value::Text("Ann".into()));
        let tiers = Type::Enum(vec!["hot".into(), "cold".into()]);
        let cases = [
            (
                cmp(
                    CmpOp::Lt,
                    var("open_rate", Type::Percent),
                    lit(Type::Percent, "15%"),
                ),
                true,
            ),
            (
                cmp(
                    CmpOp::Ge,
                    var("open_rate", Type::Percent),
                    lit(Type::Percent, "14.9%"),
                ),
                true,
            ),
            (
                cmp(
                    CmpOp::Gt,
                    var("open_rate", Type::Percent),
                    lit(Type::Percent, "14.9%"),
                ),
                false,
            ),
            (
                cmp(CmpOp::Ge, var("score", Type::Int), lit(Type::Int, "80")),
                true,
            ),
            (
                cmp(
                    CmpOp::Gt,
                    var("score", Type::Int),
                    var("ratio", Type::Number),
                ),
                true,
            ),
            (
                cmp(
                    CmpOp::Eq,
                    var("ratio", Type::Number),
                    lit(Type::Number, "79.5"),
                ),
                true,
            ),
            (
                cmp(
                    CmpOp::Le,
                    var("wait", Type::Duration),
                    lit(Type::Duration, "1h"),
                ),
                true,
            ),
            (
                cmp(
                    CmpOp::Lt,
                    var("wait", Type::Duration),
                    lit(Type::Duration, "59m"),
                ),
                false,
            ),
            (
                cmp(
                    CmpOp::Lt,
                    var("on", Type::Date),
                    lit(Type::Date, "2026-12-02"),
                ),
                true,
            ),
            // 10:00+01:00 is 09:00Z: the same instant.
            (
                cmp(
                    CmpOp::Eq,
                    var("at", Type::Datetime),
                    lit(Type::Datetime, "2026-12-01T09:00Z"),
                ),
                true,
            ),
            (
                cmp(
                    CmpOp::Eq,
                    var("tier", tiers.clone()),
                    lit(tiers.clone(), "hot"),
                ),
                true,
            ),
            (
                cmp(CmpOp::Ne, var("tier", tiers.clone()), lit(tiers, "cold")),
                true,
            ),
            (
                cmp(CmpOp::Eq, var("name", Type::Text), lit(Type::Text, "Ann")),
                true,
            ),
            (
                cmp(
                    CmpOp::Ne,
                    var("engaged", Type::Bool),
                    lit(Type::Bool, "true"),
                ),
                false,
            ),
        ];
        for (expr, expected) in cases {
            assert_eq!(run(&expr, &values), Ok(expected), "{expr:?}");
        }
        let both = Expr::And {
            lhs: var("engaged", Type::Bool),
            rhs: Box::new(Expr::Not {
                arg: Box::new(cmp(
                    CmpOp::Lt,
                    var("score", Type::Int),
                    lit(Type::Int, "40"),
                )),
            }),
        };
        assert_eq!(run(&both, &values), Ok(true));
    }

    #[test]
    fn missing_and_mistyped_values_are_coded_errors() {
        let values = HashMap::from([("name", Value::Text("Ann".into()))]);
        let missing = cmp(CmpOp::Gt, var("score", Type::Int), lit(Type::Int, "1"));
        assert_eq!(run(&missing, &values).expect_err("unset").code, "B0920");
        let ordered_text = cmp(CmpOp::Lt, var("name", Type::Text), lit(Type::Text, "B"));
        assert_eq!(
            run(&ordered_text, &values).expect_err("text <").code,
            "B0921"
        );
        let not_bool = Expr::Not {
            arg: var("name", Type::Text),
        };
        assert_eq!(run(&not_bool, &values).expect_err("not text").code, "B0921");
        // Short-circuit: the right side is not needed.
        let or = Expr::Or {
            lhs: lit(Type::Bool, "true"),
            rhs: var("unset", Type::Bool),
        };
        assert_eq!(run(&or, &values), Ok(true));
    }

    #[test]
    fn dates_are_due_at_midnight_utc() {
        let date = Value::parse(&Type::Date, "2026-12-01").expect("date");
        let due = due_at(&date).expect("due");
        assert_eq!(due.to_rfc3339(), "2026-12-01T00:00:00+00:00");
    }

    proptest! {
        /// Percent comparisons are exact: a < b as decimals exactly when the literals'
        /// numbers are, for any pair of two-decimal percentages.
        #[test]
        fn percent_order_is_decimal_order(a in -100_000i64..100_000, b in -100_000i64..100_000) {
            let text = |n: i64| format!("{}{}.{:02}%", if n < 0 { "-" } else { "" }, n.abs() / 100, n.abs() % 100);
            let values = HashMap::from([("x", Value::parse(&Type::Percent, &text(a)).expect("a"))]);
            let expr = cmp(CmpOp::Lt, var("x", Type::Percent), lit(Type::Percent, &text(b)));
            prop_assert_eq!(run(&expr, &values), Ok(a < b));
            let eq = cmp(CmpOp::Eq, var("x", Type::Percent), lit(Type::Percent, &text(b)));
            prop_assert_eq!(run(&eq, &values), Ok(a == b));
        }

        /// The JSON encoding round-trips for every type and keeps the order.
        #[test]
        fn encoding_round_trips(n in any::<i64>(), secs in 0u64..10_000_000_000, days in 0i64..100_000) {
            let date = chrono::NaiveDate::from_num_days_from_ce_opt(700_000 + days as i32).expect("date");
            for (ty, value) in [
                (Type::Int, Value::Int(n)),
                (Type::Duration, Value::Duration(secs)),
                (Type::Date, Value::Date(date)),
                (Type::Percent, Value::Percent(rust_decimal::Decimal::new(n % 1_000_000, 4).normalize())),
            ] {
                let back = Value::decode(&ty, &value.to_json());
                prop_assert_eq!(back, Ok(value));
            }
        }

        /// `not`, `and` and `or` are boolean logic.
        #[test]
        fn logic_is_boolean(a: bool, b: bool) {
            let values = HashMap::from([("a", Value::Bool(a)), ("b", Value::Bool(b))]);
            let and = Expr::And { lhs: var("a", Type::Bool), rhs: var("b", Type::Bool) };
            let or = Expr::Or { lhs: var("a", Type::Bool), rhs: var("b", Type::Bool) };
            let not = Expr::Not { arg: var("a", Type::Bool) };
            prop_assert_eq!(run(&and, &values), Ok(a && b));
            prop_assert_eq!(run(&or, &values), Ok(a || b));
            prop_assert_eq!(run(&not, &values), Ok(!a));
        }
    }
}
