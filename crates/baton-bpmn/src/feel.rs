//! Baton expressions and values as FEEL, the expression language of Camunda 8.
//!
//! The value encoding (docs/bpmn.md, "Value encoding"): process variables are JSON, so a
//! date, datetime or duration variable holds an ISO 8601 string and is converted where
//! it is read (`date(x)`, `date and time(x)`, `duration(x)`); a percent is its fraction
//! (`12%` is `0.12`); an enum value is the variant's name as a string.

use baton_ir::{BinaryOp, Expr, ExprKind, Type, Value};
use std::fmt::Write;

/// Words FEEL reserves that Baton allows as names: a variable with one of these names
/// cannot be read in a FEEL expression.
pub const KEYWORDS: &[&str] = &[
    "between",
    "else",
    "every",
    "external",
    "for",
    "function",
    "if",
    "in",
    "instance",
    "null",
    "of",
    "return",
    "satisfies",
    "some",
    "then",
];

pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// The expression in FEEL, without the leading `=`.
pub fn expr(e: &Expr) -> String {
    let mut out = String::new();
    write_expr(&mut out, e, 0);
    out
}

fn precedence(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Or => 1,
        BinaryOp::And => 2,
        _ => 3,
    }
}

fn write_expr(out: &mut String, e: &Expr, outer: u8) {
    match &e.kind {
        ExprKind::Value(value) => out.push_str(&self::value(value)),
        ExprKind::Var(name) => out.push_str(&var(name, &e.ty)),
        ExprKind::Not(inner) => {
            out.push_str("not(");
            write_expr(out, inner, 0);
            out.push(')');
        }
        ExprKind::Binary { op, lhs, rhs } => {
            let p = precedence(*op);
            // Comparisons do not chain in FEEL, so a comparison inside one is bracketed.
            let paren = p < outer || (p == 3 && outer == 3);
            if paren {
                out.push('(');
            }
            write_expr(out, lhs, p);
            let symbol = match op {
                BinaryOp::Or => "or",
                BinaryOp::And => "and",
                BinaryOp::Lt => "<",
                BinaryOp::Le => "<=",
                BinaryOp::Gt => ">",
                BinaryOp::Ge => ">=",
                BinaryOp::Eq => "=",
                BinaryOp::Ne => "!=",
            };
            let _ = write!(out, " {symbol} ");
            // Left-associative: a right operand of equal precedence is bracketed.
            write_expr(out, rhs, p + 1);
            if paren {
                out.push(')');
            }
        }
    }
}

/// A variable read, converted from its JSON form where FEEL has a type for it.
pub fn var(name: &str, ty: &Type) -> String {
    match ty {
        Type::Date => format!("date({name})"),
        Type::Datetime => format!("date and time({name})"),
        Type::Duration => format!("duration({name})"),
        _ => name.to_string(),
    }
}

/// A literal value in FEEL.
pub fn value(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Int(n) => n.to_string(),
        Value::Number(n) => number(*n),
        Value::Percent(p) => shift_left_two(&number(*p)),
        Value::Duration(seconds) => format!("duration(\"{}\")", duration(*seconds)),
        Value::Date(d) => format!("date(\"{d}\")"),
        Value::Datetime(d) => format!("date and time(\"{}\")", datetime(d)),
        Value::Text(t) => string(t),
        Value::Variant(v) => string(v),
    }
}

/// A number as FEEL writes it: plain decimal digits, never an exponent.
fn number(n: f64) -> String {
    // `Display` for f64 never uses an exponent and prints the shortest exact form.
    format!("{n}")
}

/// Divides a decimal numeral by 100 exactly, on its digits: `15` → `0.15`, `7.1` →
/// `0.071` (in floating point 7.1 / 100 prints as 0.07100000000000001).
fn shift_left_two(numeral: &str) -> String {
    let (sign, digits) = match numeral.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", numeral),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let padded = format!("{int:0>3}");
    let split = padded.len() - 2;
    let new_int = padded[..split].trim_start_matches('0');
    let new_int = if new_int.is_empty() { "0" } else { new_int };
    let new_frac = format!("{}{frac}", &padded[split..]);
    let new_frac = new_frac.trim_end_matches('0');
    if new_frac.is_empty() {
        format!("{sign}{new_int}")
    } else {
        format!("{sign}{new_int}.{new_frac}")
    }
}

/// Seconds as an ISO 8601 duration (days and time; FEEL's days-and-time duration).
pub fn duration(seconds: u64) -> String {
    baton_ir::iso_duration(seconds)
}

/// A Baton datetime (`YYYY-MM-DDTHH:MM`, optional `:SS` and zone) in the full form FEEL
/// and Zeebe's timers read: seconds always, and UTC when no zone is written.
pub fn datetime(text: &str) -> String {
    let (date, time) = text.split_once('T').unwrap_or((text, "00:00"));
    let zone_at = time.find(['Z', '+', '-']).unwrap_or(time.len());
    let (clock, zone) = time.split_at(zone_at);
    let clock = if clock.len() == 5 {
        format!("{clock}:00")
    } else {
        clock.to_string()
    };
    let zone = if zone.is_empty() { "Z" } else { zone };
    format!("{date}T{clock}{zone}")
}

/// A FEEL string literal.
pub fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The time a `wait until` waits for, as a FEEL expression giving a date and time (a
/// date waits until its midnight, UTC).
pub fn until(e: &Expr) -> String {
    let text = expr(e);
    match e.ty {
        Type::Date => format!("date and time({text}, time(\"00:00:00@UTC\"))"),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percents_are_exact_fractions() {
        assert_eq!(shift_left_two("15"), "0.15");
        assert_eq!(shift_left_two("7.1"), "0.071");
        assert_eq!(shift_left_two("150"), "1.5");
        assert_eq!(shift_left_two("100"), "1");
        assert_eq!(shift_left_two("0.5"), "0.005");
        assert_eq!(shift_left_two("0"), "0");
        assert_eq!(shift_left_two("-12.5"), "-0.125");
    }

    #[test]
    fn durations_are_iso_8601() {
        assert_eq!(duration(0), "PT0S");
        assert_eq!(duration(600), "PT10M");
        assert_eq!(duration(100_800), "P1DT4H");
        assert_eq!(duration(604_800), "P7D");
        assert_eq!(duration(3_661), "PT1H1M1S");
    }

    #[test]
    fn datetimes_get_seconds_and_a_zone() {
        assert_eq!(datetime("2026-12-01T09:00"), "2026-12-01T09:00:00Z");
        assert_eq!(datetime("2026-12-01T09:00:30Z"), "2026-12-01T09:00:30Z");
        assert_eq!(
            datetime("2026-12-01T09:00+01:00"),
            "2026-12-01T09:00:00+01:00"
        );
        assert_eq!(
            datetime("2026-12-01T09:00:05-05:00"),
            "2026-12-01T09:00:05-05:00"
        );
    }

    #[test]
    fn strings_escape_quotes_and_controls() {
        assert_eq!(string("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\u0001\"");
    }
}
