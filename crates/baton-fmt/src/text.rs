//! Canonical spellings of the small things: literals, expressions, types and jumps.
//!
//! Every function here must print text that the parser reads back as the same value:
//! the formatter's promise that a file means the same after formatting rests on it.
//! The AST keeps decoded values (a string's characters, a duration's seconds), so the
//! spelling the user chose is gone and one canonical spelling is chosen instead.

use baton_syntax::ast::{
    Argument, BinaryOp, Clause, ClauseKind, Expr, ExprKind, Jump, Name, TypeExpr,
};

/// A string literal: quoted, with `"` and `\` escaped, line breaks and tabs as `\n` and
/// `\t`, and every other control character as `\u{..}` so the file stays one line per
/// string and shows no invisible characters.
pub(crate) fn string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A duration in seconds, largest units first and without spaces: `1h30m`, `1d12h`,
/// `0s`. Weeks are used only for a whole number of weeks (`2w`, but `10d` rather than
/// `1w3d`, which reads worse). Each part is at most the total, so re-reading it cannot
/// overflow.
pub(crate) fn duration(seconds: u64) -> String {
    const WEEK: u64 = 7 * 86_400;
    const UNITS: [(u64, char); 4] = [(86_400, 'd'), (3_600, 'h'), (60, 'm'), (1, 's')];
    if seconds == 0 {
        return "0s".to_string();
    }
    // (`is_multiple_of` would need Rust 1.87; the workspace supports 1.80.)
    let (weeks, days_and_less) = (seconds / WEEK, seconds % WEEK);
    if days_and_less == 0 {
        return format!("{weeks}w");
    }
    let mut rest = seconds;
    let mut out = String::new();
    for (size, unit) in UNITS {
        let count = rest / size;
        if count > 0 {
            out.push_str(&count.to_string());
            out.push(unit);
            rest -= count * size;
        }
    }
    out
}

/// A decimal number that reads back as exactly `value` and, written without a `%`, as a
/// `number` rather than an `int` (so it always has a decimal point).
pub(crate) fn number(value: f64) -> String {
    let mut out = decimal(value);
    if !out.contains('.') {
        out.push_str(".0");
    }
    out
}

/// A percent literal, `15%` or `2.5%`.
pub(crate) fn percent(value: f64) -> String {
    format!("{}%", decimal(value))
}

/// `Display` for `f64` never uses an exponent and prints the shortest digits that read
/// back as the same value, which is what the grammar's plain decimals need. A literal
/// too large for `f64` was read as infinity; any literal beyond `f64::MAX` reads back as
/// infinity again, so one is made up (the grammar has no `inf`).
fn decimal(value: f64) -> String {
    if value.is_infinite() {
        let sign = if value < 0.0 { "-" } else { "" };
        return format!("{sign}1{}", "0".repeat(309));
    }
    format!("{value}")
}

/// Binding strength, loosest first; an operand printed where a stronger one is needed
/// gets parentheses.
fn precedence(kind: &ExprKind) -> u8 {
    match kind {
        ExprKind::Binary {
            op: BinaryOp::Or, ..
        } => 1,
        ExprKind::Binary {
            op: BinaryOp::And, ..
        } => 2,
        ExprKind::Not(_) => 3,
        ExprKind::Binary { .. } => 4,
        _ => 5,
    }
}

/// An expression with the parentheses the user wrote (kept in the AST as `Paren`) and
/// only the others that the grammar needs. The parser bounds an expression's depth
/// (`MAX_EXPRESSION_DEPTH`, `MAX_NESTING`), which bounds this recursion.
pub(crate) fn expr(e: &Expr) -> String {
    let mut out = String::new();
    write_expr(&mut out, e, 1);
    out
}

fn write_expr(out: &mut String, e: &Expr, needed: u8) {
    let parens = precedence(&e.kind) < needed;
    if parens {
        out.push('(');
    }
    match &e.kind {
        ExprKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        ExprKind::Int(n) => out.push_str(&n.to_string()),
        ExprKind::Number(n) => out.push_str(&number(*n)),
        ExprKind::Percent(n) => out.push_str(&percent(*n)),
        ExprKind::Duration(s) => out.push_str(&duration(*s)),
        ExprKind::Date(d) | ExprKind::DateTime(d) => out.push_str(d),
        ExprKind::Text(t) => out.push_str(&string(t)),
        ExprKind::Name(n) => out.push_str(&n.text),
        ExprKind::Not(inner) => {
            out.push_str("not ");
            write_expr(out, inner, 3);
        }
        ExprKind::Binary { op, lhs, rhs } => {
            // `or` and `and` chain to the left; a comparison has exactly two operands.
            let (left, right) = match op {
                BinaryOp::Or => (1, 2),
                BinaryOp::And => (2, 3),
                _ => (5, 5),
            };
            write_expr(out, lhs, left);
            out.push(' ');
            out.push_str(op.symbol());
            out.push(' ');
            write_expr(out, rhs, right);
        }
        ExprKind::Paren(inner) => {
            out.push('(');
            write_expr(out, inner, 1);
            out.push(')');
        }
    }
    if parens {
        out.push(')');
    }
}

/// `text`, or `enum { a, b }` (a trailing comma is dropped).
pub(crate) fn type_expr(ty: &TypeExpr) -> String {
    match ty {
        TypeExpr::Named { name } => name.text.to_string(),
        TypeExpr::Enum { variants, .. } => format!("enum {{ {} }}", names(variants)),
    }
}

/// `a, b, c`
pub(crate) fn names(list: &[Name]) -> String {
    list.iter()
        .map(|n| n.text.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `-> target`, and `  at most N times` when bounded (two spaces, like clauses sharing a
/// line, so the bound reads as a clause of its own).
pub(crate) fn jump(j: &Jump) -> String {
    match &j.bound {
        Some(bound) => format!("-> {}  at most {} times", j.target.text, bound.times),
        None => format!("-> {}", j.target.text),
    }
}

/// `"title"` after a space, or nothing.
pub(crate) fn title(t: Option<&baton_syntax::ast::Text>) -> String {
    t.map(|t| format!(" {}", string(&t.value)))
        .unwrap_or_default()
}

/// One step or decision clause on one line.
pub(crate) fn clause(c: &Clause) -> String {
    match &c.kind {
        ClauseKind::By(role) => format!("by {}", role.text),
        ClauseKind::Auto { system, action } => match action {
            Some(action) => format!("auto {} {}", system.text, string(&action.value)),
            None => format!("auto {}", system.text),
        },
        ClauseKind::Run { workflow, args } => {
            if args.is_empty() {
                format!("run {}", workflow.text)
            } else {
                let args: Vec<String> = args.iter().map(argument).collect();
                format!("run {} with {}", workflow.text, args.join(", "))
            }
        }
        ClauseKind::Takes(d) => format!("takes {}", duration(d.seconds)),
        ClauseKind::Output { name, ty } => format!("output {}: {}", name.text, type_expr(ty)),
        ClauseKind::Needs(list) => format!("needs {}", names(list)),
        ClauseKind::Retry { times, .. } => format!("retry {times}"),
        ClauseKind::Timeout(d) => format!("timeout {}", duration(d.seconds)),
        ClauseKind::Notify(list) => format!("notify {}", names(list)),
        ClauseKind::Consult(list) => format!("consult {}", names(list)),
        ClauseKind::Description(t) => format!("description {}", string(&t.value)),
        ClauseKind::OnFailure(j) => format!("on failure {}", jump(j)),
        ClauseKind::OnTimeout(j) => format!("on timeout {}", jump(j)),
    }
}

fn argument(a: &Argument) -> String {
    format!("{} = {}", a.name.text, expr(&a.value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_what_the_parser_decodes() {
        assert_eq!(string("plain"), "\"plain\"");
        assert_eq!(string("a \"b\" \\ c"), r#""a \"b\" \\ c""#);
        assert_eq!(string("line\nnext\ttab"), r#""line\nnext\ttab""#);
        assert_eq!(string("\u{1b}[0m\r\u{7f}"), r#""\u{1b}[0m\u{d}\u{7f}""#);
        assert_eq!(string("Café # not a comment"), "\"Café # not a comment\"");
    }

    #[test]
    fn durations_use_the_largest_units_first() {
        assert_eq!(duration(0), "0s");
        assert_eq!(duration(5_400), "1h30m");
        assert_eq!(duration(36 * 3_600), "1d12h");
        assert_eq!(duration(7 * 86_400), "1w");
        assert_eq!(duration(16 * 7 * 86_400), "16w");
        assert_eq!(duration(10 * 86_400), "10d");
        assert_eq!(duration(9 * 86_400 + 61), "9d1m1s");
        // 213503982334601 days, 7 hours and 15 seconds is u64::MAX seconds.
        assert_eq!(duration(u64::MAX), "213503982334601d7h15s");
    }

    #[test]
    fn numbers_keep_their_value_and_kind() {
        assert_eq!(number(2.5), "2.5");
        assert_eq!(number(1.0), "1.0");
        assert_eq!(number(-0.0), "-0.0");
        assert_eq!(number(1e21), "1000000000000000000000.0");
        assert_eq!(number(1e-7), "0.0000001");
        assert_eq!(percent(15.0), "15%");
        assert_eq!(percent(2.25), "2.25%");
        let huge = number(f64::INFINITY);
        assert_eq!(huge.parse::<f64>().ok(), Some(f64::INFINITY));
    }
}
