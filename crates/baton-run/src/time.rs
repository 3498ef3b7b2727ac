//! Times: the runner works in Unix seconds (UTC). The clock is injectable: every command
//! that changes state takes `--now`, else the `BATON_NOW` environment variable, else the
//! system clock; tests never sleep.

use crate::error::{RunCode, RunError, RunResult};
use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};

/// The environment variable that sets the clock when `--now` is not given.
pub const NOW_ENV: &str = "BATON_NOW";

/// `2026-12-01T09:00:00Z`.
pub fn format_time(unix: i64) -> String {
    DateTime::<Utc>::from_timestamp(unix, 0).map_or_else(
        || unix.to_string(),
        |t| t.to_rfc3339_opts(SecondsFormat::Secs, true),
    )
}

/// Reads a time: `2026-12-01T09:00` (UTC), with seconds, with `Z` or an offset
/// (`+01:00`), a date (`2026-12-01`, its 00:00 UTC), or `@UNIX_SECONDS`.
pub fn parse_time(text: &str) -> RunResult<i64> {
    let text = text.trim();
    if let Some(seconds) = text.strip_prefix('@') {
        if let Ok(unix) = seconds.parse::<i64>() {
            return Ok(unix);
        }
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.timestamp());
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%:z",
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%dT%H:%M%#z",
    ] {
        if let Ok(at) = DateTime::parse_from_str(text, format) {
            return Ok(at.timestamp());
        }
    }
    let plain = text.strip_suffix('Z').unwrap_or(text);
    for format in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(at) = NaiveDateTime::parse_from_str(plain, format) {
            return Ok(at.and_utc().timestamp());
        }
    }
    if let Ok(day) = NaiveDate::parse_from_str(plain, "%Y-%m-%d") {
        if let Some(at) = day.and_hms_opt(0, 0, 0) {
            return Ok(at.and_utc().timestamp());
        }
    }
    Err(RunError::new(
        RunCode::BadTime,
        format!("`{text}` is not a time"),
        "write it as `2026-12-01T09:00` (UTC), `2026-12-01T09:00:00+01:00`, `2026-12-01` or `@1796115600`",
    ))
}

/// The current time: `given` (from `--now`), else `BATON_NOW`, else the system clock.
pub fn now(given: Option<&str>) -> RunResult<i64> {
    if let Some(text) = given {
        return parse_time(text);
    }
    match std::env::var(NOW_ENV) {
        Ok(text) if !text.trim().is_empty() => parse_time(&text).map_err(|e| RunError {
            message: format!("{} (from {NOW_ENV})", e.message),
            ..e
        }),
        _ => Ok(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_forms_people_write() -> RunResult<()> {
        let nine = parse_time("2026-12-01T09:00")?;
        assert_eq!(format_time(nine), "2026-12-01T09:00:00Z");
        assert_eq!(parse_time("2026-12-01T09:00:00Z")?, nine);
        assert_eq!(parse_time("2026-12-01T10:00+01:00")?, nine);
        assert_eq!(parse_time("2026-12-01T10:00:00+01:00")?, nine);
        assert_eq!(parse_time(&format!("@{nine}"))?, nine);
        assert_eq!(parse_time("2026-12-01")?, nine - 9 * 3600);
        let error = parse_time("tomorrow").expect_err("not a time");
        assert_eq!(error.code, RunCode::BadTime);
        Ok(())
    }
}
