//! Baton values and their one JSON encoding (`docs/values.md`), used by the plan, the
//! CLI's `--set`, automation stdin/stdout and the history.
//!
//! | type | JSON |
//! |---|---|
//! | `int` | integer |
//! | `number` | number |
//! | `percent` | number holding the fraction (`12%` → `0.12`), kept as an exact decimal |
//! | `text` | string |
//! | `bool` | `true` / `false` |
//! | `duration` | ISO 8601 duration string (`PT4H`, `P1DT12H`) |
//! | `date` | `"2026-12-01"` |
//! | `datetime` | RFC 3339 string with offset (`"2026-12-01T09:00:00Z"`) |
//! | enum | the variant's name |

use crate::PlanError;
use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat};
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize, Serializer};
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// The type of an input, variable or expression. JSON: `"int"`, ..., or
/// `{"enum": ["a", "b"]}` with the variants in declaration order.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
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
    Enum(Vec<String>),
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

impl From<&baton_ir::Type> for Type {
    fn from(ty: &baton_ir::Type) -> Type {
        match ty {
            baton_ir::Type::Text => Type::Text,
            baton_ir::Type::Int => Type::Int,
            baton_ir::Type::Number => Type::Number,
            baton_ir::Type::Bool => Type::Bool,
            baton_ir::Type::Percent => Type::Percent,
            baton_ir::Type::Duration => Type::Duration,
            baton_ir::Type::Date => Type::Date,
            baton_ir::Type::Datetime => Type::Datetime,
            baton_ir::Type::Enum(v) => Type::Enum(v.iter().map(|s| s.to_string()).collect()),
        }
    }
}

/// A value of a Baton type. Serialises as its JSON encoding (which does not say the
/// type: read one back with [`Value::decode`]).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(i64),
    /// Always finite.
    Number(f64),
    /// The fraction: `12%` is `0.12`, exactly.
    Percent(Decimal),
    Text(String),
    Bool(bool),
    /// Seconds.
    Duration(u64),
    Date(NaiveDate),
    /// Keeps the offset it was given; compared as instants.
    Datetime(DateTime<FixedOffset>),
    /// A variant's name.
    Enum(String),
}

fn value_error(message: String, help: impl Into<String>) -> PlanError {
    PlanError {
        code: "B0911",
        message,
        help: help.into(),
    }
}

/// What each type's JSON looks like, for help lines.
fn json_shape(ty: &Type) -> String {
    match ty {
        Type::Int => "a JSON integer, e.g. `3`".into(),
        Type::Number => "a JSON number, e.g. `2.5`".into(),
        Type::Percent => "a JSON number holding the fraction, e.g. `0.12` for 12%".into(),
        Type::Text => "a JSON string".into(),
        Type::Bool => "`true` or `false`".into(),
        Type::Duration => "an ISO 8601 duration string, e.g. `\"PT4H\"` or `\"P1DT12H\"`".into(),
        Type::Date => "a date string, e.g. `\"2026-12-01\"`".into(),
        Type::Datetime => {
            "an RFC 3339 string with an offset, e.g. `\"2026-12-01T09:00:00Z\"`".into()
        }
        Type::Enum(variants) => format!(
            "one of the strings {}",
            variants
                .iter()
                .map(|v| format!("`\"{v}\"`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

impl Value {
    /// The type of this value; for an enum variant, `ty` is only a one-variant stand-in,
    /// so compare enum values by name.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Int(_) => "int",
            Value::Number(_) => "number",
            Value::Percent(_) => "percent",
            Value::Text(_) => "text",
            Value::Bool(_) => "bool",
            Value::Duration(_) => "duration",
            Value::Date(_) => "date",
            Value::Datetime(_) => "datetime",
            Value::Enum(_) => "enum",
        }
    }

    /// Whether this value is of type `ty` (an enum value must be one of its variants).
    pub fn has_type(&self, ty: &Type) -> bool {
        match (self, ty) {
            (Value::Enum(v), Type::Enum(variants)) => variants.iter().any(|x| x == v),
            (Value::Int(_), Type::Int)
            | (Value::Number(_), Type::Number)
            | (Value::Percent(_), Type::Percent)
            | (Value::Text(_), Type::Text)
            | (Value::Bool(_), Type::Bool)
            | (Value::Duration(_), Type::Duration)
            | (Value::Date(_), Type::Date)
            | (Value::Datetime(_), Type::Datetime) => true,
            _ => false,
        }
    }

    /// The JSON encoding.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Int(n) => J::from(*n),
            Value::Number(n) => serde_json::Number::from_f64(*n).map_or(J::Null, J::Number),
            Value::Percent(p) => decimal_to_f64(*p)
                .and_then(serde_json::Number::from_f64)
                .map_or(J::Null, J::Number),
            Value::Text(t) => J::String(t.clone()),
            Value::Bool(b) => J::Bool(*b),
            Value::Duration(s) => J::String(iso_duration(*s)),
            Value::Date(d) => J::String(d.format("%Y-%m-%d").to_string()),
            Value::Datetime(t) => J::String(t.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
            Value::Enum(v) => J::String(v.clone()),
        }
    }

    /// Reads the JSON encoding of a value of type `ty` (B0911 when it is not one).
    pub fn decode(ty: &Type, json: &serde_json::Value) -> Result<Value, PlanError> {
        use serde_json::Value as J;
        let wrong = || {
            value_error(
                format!("{} is not a `{ty}` value", describe_json(json)),
                format!("write {}", json_shape(ty)),
            )
        };
        match (ty, json) {
            (Type::Int, J::Number(n)) => n.as_i64().map(Value::Int).ok_or_else(wrong),
            (Type::Number, J::Number(n)) => n
                .as_f64()
                .filter(|f| f.is_finite())
                .map(Value::Number)
                .ok_or_else(wrong),
            (Type::Percent, J::Number(n)) => n
                .as_f64()
                .and_then(decimal_from_f64)
                .map(Value::Percent)
                .ok_or_else(|| {
                    value_error(
                        format!("{n} is out of range for a `percent` value"),
                        "write the fraction, e.g. `0.12` for 12%, with at most 28 digits",
                    )
                }),
            (Type::Text, J::String(s)) => Ok(Value::Text(s.clone())),
            (Type::Bool, J::Bool(b)) => Ok(Value::Bool(*b)),
            (Type::Duration, J::String(s)) => {
                parse_iso_duration(s).map(Value::Duration).ok_or_else(wrong)
            }
            (Type::Date, J::String(s)) => parse_date(s).map(Value::Date).ok_or_else(wrong),
            (Type::Datetime, J::String(s)) => DateTime::parse_from_rfc3339(s)
                .map(Value::Datetime)
                .map_err(|_| wrong()),
            (Type::Enum(variants), J::String(s)) => {
                if variants.iter().any(|v| v == s) {
                    Ok(Value::Enum(s.clone()))
                } else {
                    Err(wrong())
                }
            }
            _ => Err(wrong()),
        }
    }

    /// Reads `text` as a value of type `ty`, written as a literal of the language
    /// (`12%`, `1h30m`, `2026-12-01T09:00`, `vip`), e.g. from `--set open_rate=12%`. For
    /// `text`, a value in double quotes is read as a string literal (with its escapes)
    /// and anything else is taken as it is. B0910 when it is not a literal of `ty`.
    pub fn parse(ty: &Type, text: &str) -> Result<Value, PlanError> {
        use baton_syntax::ast::ExprKind as L;
        if *ty == Type::Text && !text.starts_with('"') {
            return Ok(Value::Text(text.to_string()));
        }
        let literal = baton_syntax::parse_literal(text);
        let wrong = |why: String| PlanError {
            code: "B0910",
            message: if why.is_empty() {
                format!("`{text}` is not a `{ty}` value")
            } else {
                format!("`{text}` is not a `{ty}` value: {why}")
            },
            help: format!("write {}", literal_shape(ty)),
        };
        let literal = literal.map_err(wrong)?;
        let value = match (ty, literal) {
            (Type::Int, L::Int(n)) => Value::Int(n),
            (Type::Number, L::Int(n)) => Value::Number(n as f64),
            (Type::Number, L::Number(n)) => Value::Number(n),
            // Exact: from the digits as written, not through the parser's f64.
            (Type::Percent, L::Percent(_)) => Value::Percent(
                percent_fraction(text.trim_end_matches('%'))
                    .ok_or_else(|| wrong("out of range".into()))?,
            ),
            (Type::Text, L::Text(t)) => Value::Text(t.to_string()),
            (Type::Bool, L::Bool(b)) => Value::Bool(b),
            (Type::Duration, L::Duration(s)) => Value::Duration(s),
            (Type::Date, L::Date(d)) => {
                Value::Date(parse_date(&d).ok_or_else(|| wrong(String::new()))?)
            }
            (Type::Datetime, L::DateTime(t)) => {
                Value::Datetime(datetime_from_literal(&t).ok_or_else(|| wrong(String::new()))?)
            }
            (Type::Enum(variants), L::Name(name)) if variants.iter().any(|v| *v == name.text) => {
                Value::Enum(name.text.to_string())
            }
            _ => return Err(wrong(String::new())),
        };
        Ok(value)
    }

    /// Orders two values of the same type (`None` for unordered or different types).
    /// Percent values compare exactly (decimals); datetimes as instants.
    pub fn compare(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Value::Int(a), Value::Int(b)) => Some(a.cmp(b)),
            (Value::Number(a), Value::Number(b)) => a.partial_cmp(b),
            (Value::Int(a), Value::Number(b)) => (*a as f64).partial_cmp(b),
            (Value::Number(a), Value::Int(b)) => a.partial_cmp(&(*b as f64)),
            (Value::Percent(a), Value::Percent(b)) => Some(a.cmp(b)),
            (Value::Duration(a), Value::Duration(b)) => Some(a.cmp(b)),
            (Value::Date(a), Value::Date(b)) => Some(a.cmp(b)),
            (Value::Datetime(a), Value::Datetime(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

/// What each type's literal looks like, for help lines.
fn literal_shape(ty: &Type) -> String {
    match ty {
        Type::Int => "a whole number, e.g. `3`".into(),
        Type::Number => "a number, e.g. `2.5`".into(),
        Type::Percent => "a percentage with `%`, e.g. `12%` or `2.5%`".into(),
        Type::Text => "any text (in double quotes for escapes)".into(),
        Type::Bool => "`true` or `false`".into(),
        Type::Duration => "a duration, e.g. `45m`, `2d` or `1h30m`".into(),
        Type::Date => "a date `YYYY-MM-DD`, e.g. `2026-12-01`".into(),
        Type::Datetime => {
            "a datetime `YYYY-MM-DDTHH:MM`, optionally with `:SS` and a zone, e.g. `2026-12-01T09:00Z` (no zone: UTC)".into()
        }
        Type::Enum(variants) => format!(
            "one of {}",
            variants
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Shown in messages: the JSON, shortened.
fn describe_json(json: &serde_json::Value) -> String {
    let text = json.to_string();
    if text.chars().count() > 40 {
        let short: String = text.chars().take(37).collect();
        format!("`{short}...`")
    } else {
        format!("`{text}`")
    }
}

/// The nearest `f64` (decimals of up to 28 digits are exact as text, not as binary).
pub(crate) fn decimal_to_f64(d: Decimal) -> Option<f64> {
    d.normalize()
        .to_string()
        .parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
}

/// The decimal an `f64` was written as: its shortest round-trip text (`0.12`, not
/// `0.11999999999999999555910790149937`). `None` beyond 28 digits.
pub(crate) fn decimal_from_f64(f: f64) -> Option<Decimal> {
    if !f.is_finite() {
        return None;
    }
    Decimal::from_str(&format!("{f}"))
        .ok()
        .map(|d| d.normalize())
}

/// A percent literal's number (`12.5` in `12.5%`) as the exact fraction (`0.125`).
pub(crate) fn percent_fraction(percent_text: &str) -> Option<Decimal> {
    let number = Decimal::from_str_exact(percent_text).ok()?;
    number
        .checked_div(Decimal::ONE_HUNDRED)
        .map(|d| d.normalize())
}

pub use baton_ir::iso_duration;

/// Reads `PnW`, `PnD`, `PTnHnMnS` and their combinations, whole numbers only. Years and
/// months are refused: they have no fixed length.
pub fn parse_iso_duration(text: &str) -> Option<u64> {
    let rest = text.strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((date, time)) if !time.is_empty() => (date, Some(time)),
        Some(_) => return None,
        None => (rest, None),
    };
    let mut total: u64 = 0;
    let mut any = false;
    let mut add = |part: &str, units: &[(char, u64)]| -> Option<()> {
        let mut number = String::new();
        let mut next_unit = 0;
        for c in part.chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            let position = units[next_unit..].iter().position(|(u, _)| *u == c)?;
            let (_, size) = units[next_unit + position];
            next_unit += position + 1;
            let n: u64 = number.parse().ok()?;
            total = total.checked_add(n.checked_mul(size)?)?;
            number.clear();
            any = true;
        }
        number.is_empty().then_some(())
    };
    add(date, &[('W', 604_800), ('D', 86_400)])?;
    if let Some(time) = time {
        add(time, &[('H', 3_600), ('M', 60), ('S', 1)])?;
    }
    any.then_some(total)
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    // chrono accepts unpadded fields; the encoding is exactly `YYYY-MM-DD`.
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    shaped
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
}

/// A datetime literal of the language (`2026-12-01T09:00`, optional `:SS`, optional `Z`
/// or `±HH:MM`). Without a zone it is UTC.
pub(crate) fn datetime_from_literal(text: &str) -> Option<DateTime<FixedOffset>> {
    let split = text
        .char_indices()
        .skip(16)
        .find(|(_, c)| matches!(c, 'Z' | 'z' | '+' | '-'))
        .map_or(text.len(), |(i, _)| i);
    let (base, zone) = text.split_at(split);
    let base = if base.len() == 16 {
        format!("{base}:00")
    } else {
        base.to_string()
    };
    let zone = if zone.is_empty() { "Z" } else { zone };
    DateTime::parse_from_rfc3339(&format!("{base}{zone}")).ok()
}

/// The plan's value for an IR literal of type `ty`.
pub(crate) fn from_ir(value: &baton_ir::Value) -> Option<Value> {
    Some(match value {
        baton_ir::Value::Bool(b) => Value::Bool(*b),
        baton_ir::Value::Int(n) => Value::Int(*n),
        baton_ir::Value::Number(n) => Value::Number(*n),
        // The IR holds `15%` as 15.0; its shortest text is the literal's digits.
        baton_ir::Value::Percent(p) => Value::Percent(percent_fraction(&format!("{p}"))?),
        baton_ir::Value::Duration(s) => Value::Duration(*s),
        baton_ir::Value::Date(d) => Value::Date(parse_date(d)?),
        baton_ir::Value::Datetime(t) => Value::Datetime(datetime_from_literal(t)?),
        baton_ir::Value::Text(t) => Value::Text(t.to_string()),
        baton_ir::Value::Variant(v) => Value::Enum(v.to_string()),
    })
}

/// An input as it is written in JSON, before its default is read with its type.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawInput {
    name: String,
    #[serde(rename = "type")]
    ty: Type,
    /// In the value encoding of `type` (docs/values.md).
    #[serde(default)]
    default: Option<serde_json::Value>,
}

impl TryFrom<RawInput> for crate::Input {
    type Error = String;

    fn try_from(raw: RawInput) -> Result<Self, String> {
        let default = match &raw.default {
            Some(json) => Some(
                Value::decode(&raw.ty, json)
                    .map_err(|e| format!("the default of input `{}`: {}", raw.name, e.message))?,
            ),
            None => None,
        };
        Ok(crate::Input {
            name: raw.name,
            ty: raw.ty,
            default,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn durations_round_trip_through_iso_8601() {
        for (seconds, text) in [
            (0, "PT0S"),
            (14_400, "PT4H"),
            (86_400, "P1D"),
            (604_800, "P7D"),
            (5_400, "PT1H30M"),
            (93_784, "P1DT2H3M4S"),
        ] {
            assert_eq!(iso_duration(seconds), text);
            assert_eq!(parse_iso_duration(text), Some(seconds));
        }
        assert_eq!(parse_iso_duration("P1W"), Some(604_800));
        assert_eq!(parse_iso_duration("P1W2D"), Some(777_600));
        for bad in [
            "", "P", "PT", "P1Y", "P1M", "PT1.5H", "PT4", "P1DT", "PT1M1H", "4h", "P-1D",
        ] {
            assert_eq!(parse_iso_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn percent_is_the_exact_fraction() {
        let twelve = percent_fraction("12").expect("12%");
        assert_eq!(twelve.to_string(), "0.12");
        assert_eq!(Value::Percent(twelve).to_json(), json!(0.12));
        let back = Value::decode(&Type::Percent, &json!(0.12)).expect("decodes");
        assert_eq!(back, Value::Percent(twelve));
        // 0.1 + 0.2 style drift does not happen: 0.3 is 0.3.
        let a = percent_fraction("30").expect("30%");
        assert_eq!(
            Value::decode(&Type::Percent, &json!(0.3)).expect("decodes"),
            Value::Percent(a)
        );
    }

    #[test]
    fn literals_from_the_ir() {
        let p = from_ir(&baton_ir::Value::Percent(12.5)).expect("percent");
        assert_eq!(p.to_json(), json!(0.125));
        let t = from_ir(&baton_ir::Value::Datetime("2026-12-01T09:00".into())).expect("dt");
        assert_eq!(t.to_json(), json!("2026-12-01T09:00:00Z"));
        let t = from_ir(&baton_ir::Value::Datetime(
            "2026-12-01T09:00:30+01:00".into(),
        ))
        .expect("dt");
        assert_eq!(t.to_json(), json!("2026-12-01T09:00:30+01:00"));
        let d = from_ir(&baton_ir::Value::Date("2026-02-28".into())).expect("date");
        assert_eq!(d.to_json(), json!("2026-02-28"));
    }

    #[test]
    fn parsing_reads_the_language_literals() {
        let p = Value::parse(&Type::Percent, "12%").expect("12%");
        assert_eq!(p, Value::Percent(percent_fraction("12").expect("12")));
        assert_eq!(p.to_json(), json!(0.12));
        assert_eq!(
            Value::parse(&Type::Percent, "2.5%").map(|v| v.to_json()),
            Ok(json!(0.025))
        );
        assert_eq!(Value::parse(&Type::Int, "-3"), Ok(Value::Int(-3)));
        assert_eq!(Value::parse(&Type::Number, "3"), Ok(Value::Number(3.0)));
        assert_eq!(
            Value::parse(&Type::Duration, "1h30m"),
            Ok(Value::Duration(5400))
        );
        assert_eq!(
            Value::parse(&Type::Datetime, "2026-12-01T09:00").map(|v| v.to_json()),
            Ok(json!("2026-12-01T09:00:00Z"))
        );
        assert_eq!(
            Value::parse(&Type::Text, "Spring sale"),
            Ok(Value::Text("Spring sale".into()))
        );
        assert_eq!(
            Value::parse(&Type::Text, "\"a\\tb\""),
            Ok(Value::Text("a\tb".into()))
        );
        let tiers = Type::Enum(vec!["hot".into(), "cold".into()]);
        assert_eq!(Value::parse(&tiers, "hot"), Ok(Value::Enum("hot".into())));
        for (ty, bad) in [
            (&Type::Percent, "0.12"),
            (&Type::Percent, "12"),
            (&Type::Int, "2.5"),
            (&Type::Bool, "yes"),
            (&Type::Duration, "1.5d"),
            (&Type::Date, "2026-02-30"),
            (&tiers, "warm"),
            (&Type::Text, "\"open"),
        ] {
            let error = Value::parse(ty, bad).expect_err(bad);
            assert_eq!(error.code, "B0910", "{bad}");
            assert!(
                error.message.contains(&format!("`{bad}`")),
                "{}",
                error.message
            );
        }
        let error = Value::parse(&Type::Date, "2026-02-30").expect_err("no such day");
        assert!(
            error.message.contains("not a valid date"),
            "{}",
            error.message
        );
        assert!(Value::parse(&tiers, "warm")
            .expect_err("warm")
            .help
            .contains("`hot`"));
    }

    #[test]
    fn decoding_checks_the_type() {
        let low_high = Type::Enum(vec!["low".into(), "high".into()]);
        assert_eq!(
            Value::decode(&low_high, &json!("high")),
            Ok(Value::Enum("high".into()))
        );
        let error = Value::decode(&low_high, &json!("medium")).expect_err("not a variant");
        assert_eq!(error.code, "B0911");
        assert!(error.help.contains("`\"low\"`"), "{}", error.help);
        assert!(Value::decode(&Type::Int, &json!(3.5)).is_err());
        assert!(Value::decode(&Type::Int, &json!("3")).is_err());
        assert_eq!(
            Value::decode(&Type::Number, &json!(3)),
            Ok(Value::Number(3.0))
        );
        assert!(Value::decode(&Type::Date, &json!("2026-2-1")).is_err());
        assert!(Value::decode(&Type::Date, &json!("2026-02-30")).is_err());
        assert!(Value::decode(&Type::Datetime, &json!("2026-12-01T09:00:00")).is_err());
        assert!(Value::decode(&Type::Duration, &json!("4h")).is_err());
        assert!(Value::decode(&Type::Bool, &json!("true")).is_err());
        assert!(Value::decode(&Type::Percent, &json!(1e300)).is_err());
    }
}
