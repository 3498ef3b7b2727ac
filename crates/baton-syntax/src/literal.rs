//! One literal on its own, e.g. a value given on the command line (`--set open_rate=12%`),
//! read with the grammar's own literal rules so values mean what they mean in a file.

use crate::ast::ExprKind;
use crate::build::Builder;
use crate::parser::{BatonParser, Rule};
use baton_diagnostics::FileId;
use pest::Parser;

/// Reads `text` as exactly one literal: a datetime, date, duration, percent, number,
/// string, boolean, or a bare name (an enum variant, as `ExprKind::Name`). `Err` holds
/// the message of the first problem (e.g. "`2026-02-30` is not a valid date or time"),
/// or is empty when the text is no literal at all.
pub fn parse_literal(text: &str) -> Result<ExprKind, String> {
    const RULES: [Rule; 8] = [
        Rule::datetime,
        Rule::date,
        Rule::duration,
        Rule::percent,
        Rule::number,
        Rule::string,
        Rule::boolean,
        Rule::var_ref,
    ];
    for rule in RULES {
        let Ok(mut pairs) = BatonParser::parse(rule, text) else {
            continue;
        };
        let Some(pair) = pairs.next() else { continue };
        if pair.as_str().len() != text.len() {
            continue;
        }
        let mut builder = Builder::new(FileId::default());
        let kind = builder.literal(pair);
        return match builder.diagnostics.into_iter().next() {
            Some(d) => Err(d.message),
            None => Ok(kind),
        };
    }
    Err(String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_read_as_in_a_file() {
        assert_eq!(parse_literal("12%"), Ok(ExprKind::Percent(12.0)));
        assert_eq!(parse_literal("-3"), Ok(ExprKind::Int(-3)));
        assert_eq!(parse_literal("2.5"), Ok(ExprKind::Number(2.5)));
        assert_eq!(parse_literal("1h30m"), Ok(ExprKind::Duration(5400)));
        assert_eq!(parse_literal("1w 2d"), Ok(ExprKind::Duration(777_600)));
        assert_eq!(parse_literal("true"), Ok(ExprKind::Bool(true)));
        assert_eq!(
            parse_literal("2026-12-01"),
            Ok(ExprKind::Date("2026-12-01".into()))
        );
        assert_eq!(
            parse_literal("2026-12-01T09:00Z"),
            Ok(ExprKind::DateTime("2026-12-01T09:00Z".into()))
        );
        assert_eq!(
            parse_literal("\"caf\\u{e9}\""),
            Ok(ExprKind::Text("café".into()))
        );
        assert!(matches!(parse_literal("vip"), Ok(ExprKind::Name(n)) if n.text == "vip"));
        assert!(parse_literal("2026-02-30").is_err_and(|m| m.contains("not a valid date")));
        assert!(parse_literal("99999999999999999999").is_err_and(|m| !m.is_empty()));
        for not_one in ["", "12 %", "1.5d", "12%%", "a b", "and", "1 + 2", "\"open"] {
            assert!(parse_literal(not_one).is_err(), "{not_one:?}");
        }
    }
}
