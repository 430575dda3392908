//! The `exclude-newer` grammar exactly as uv 0.13.9 accepts it: RFC 3339 timestamps, civil dates
//! (meaning the end of that day in the local time zone), and spans in jiff's "friendly" or
//! ISO 8601 format, without months or years. `false` disables the cutoff where uv takes it (TOML
//! boolean, `UV_EXCLUDE_NEWER`, `--exclude-newer`), never as a TOML string.
//!
//! uv parses these values with jiff, and so does this module, in the same order and with the same
//! error messages, so that a value cordon accepts is one uv accepts and the span string cordon
//! derives is the one uv writes into `uv.lock` (`exclude-newer-span`).

use std::fmt::Write as _;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp, ToSpan, Unit, ZonedDateTime};

/// A parsed `exclude-newer` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExcludeNewer {
    /// The cutoff is switched off (`exclude-newer = false`, `UV_EXCLUDE_NEWER=false`).
    Disabled,
    /// A relative cooldown, re-evaluated by uv at every resolution.
    Span(CooldownSpan),
    /// An absolute cutoff. A civil date is already converted to the end of that day.
    Timestamp(Timestamp),
}

/// A relative cooldown as uv understands it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CooldownSpan {
    /// The span as uv records it in `uv.lock`: jiff's ISO 8601 printing of the span as written
    /// (`"7 days"` → `P7D`, `"1 week"` → `P1W`, `"0 days"` → `PT0S`, `"7 days ago"` → `-P7D`).
    pub iso: String,
    /// The absolute length in whole seconds, days being 24 hours; uv applies a negative span by
    /// its absolute value. Sub-second parts are truncated.
    pub seconds: i64,
    /// Whether the span was written as negative (`"-7 days"`, `"7 days ago"`).
    pub negative: bool,
}

const SECONDS_PER_DAY: i64 = 86_400;

impl CooldownSpan {
    /// Whether the span gives no cooldown at all (shorter than one second).
    pub fn is_zero(&self) -> bool {
        self.seconds == 0
    }

    /// A span of `seconds` (negative for a span written as negative), printed the way jiff
    /// prints a span balanced into days, hours, minutes and seconds (`604800` → `P7D`).
    /// `None` when the length is beyond what jiff can represent.
    pub fn from_seconds(seconds: i64) -> Option<Self> {
        let negative = seconds < 0;
        let abs = seconds.checked_abs()?;
        let span = Span::new()
            .try_days(abs / SECONDS_PER_DAY)
            .ok()?
            .try_hours(abs % SECONDS_PER_DAY / 3600)
            .ok()?
            .try_minutes(abs % 3600 / 60)
            .ok()?
            .try_seconds(abs % 60)
            .ok()?;
        let span = if negative { span.negate() } else { span };
        Some(Self {
            iso: span.to_string(),
            seconds: abs,
            negative,
        })
    }

    /// The length in days (24-hour days), as a fraction.
    #[expect(
        clippy::cast_precision_loss,
        reason = "cooldowns are far below 2^53 seconds"
    )]
    pub fn days(&self) -> f64 {
        self.seconds as f64 / SECONDS_PER_DAY as f64
    }

    /// The length for people: `7 days`, `1 day 12 hours`, `0 seconds`.
    pub fn human(&self) -> String {
        let parts = [
            (self.seconds / SECONDS_PER_DAY, "day"),
            (self.seconds % SECONDS_PER_DAY / 3600, "hour"),
            (self.seconds % 3600 / 60, "minute"),
            (self.seconds % 60, "second"),
        ];
        let mut out = String::new();
        for (count, unit) in parts.into_iter().filter(|&(count, _)| count != 0) {
            if !out.is_empty() {
                out.push(' ');
            }
            let plural = if count == 1 { "" } else { "s" };
            let _ = write!(out, "{count} {unit}{plural}");
        }
        if out.is_empty() {
            out.push_str("0 seconds");
        }
        out
    }

    /// Builds the cooldown from a span that holds no calendar units (years, months).
    fn from_span(span: Span) -> Self {
        let abs = span.abs();
        let nanos = i128::from(abs.get_weeks()) * 7 * i128::from(SECONDS_PER_DAY) * 1_000_000_000
            + i128::from(abs.get_days()) * i128::from(SECONDS_PER_DAY) * 1_000_000_000
            + i128::from(abs.get_hours()) * 3_600 * 1_000_000_000
            + i128::from(abs.get_minutes()) * 60 * 1_000_000_000
            + i128::from(abs.get_seconds()) * 1_000_000_000
            + i128::from(abs.get_milliseconds()) * 1_000_000
            + i128::from(abs.get_microseconds()) * 1_000
            + i128::from(abs.get_nanoseconds());
        // jiff bounds every unit far below `i64::MAX` seconds in total.
        let seconds = i64::try_from(nanos / 1_000_000_000).unwrap_or(i64::MAX);
        Self {
            iso: span.to_string(),
            seconds,
            negative: span.is_negative(),
        }
    }
}

impl std::fmt::Display for CooldownSpan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.iso)
    }
}

/// Parses an `exclude-newer` string as uv 0.13.9 does in `pyproject.toml` and `uv.toml`
/// (where the string `"false"` is rejected; only the TOML boolean `false` disables).
///
/// The error is uv's own message, e.g. ``Duration `1 month` uses 'months' which is not allowed;
/// use days instead, e.g., `30 days`.``
pub fn parse_exclude_newer_str(s: &str) -> Result<ExcludeNewer, String> {
    if let Ok(timestamp) = s.parse::<Timestamp>() {
        return Ok(ExcludeNewer::Timestamp(timestamp));
    }

    // A timestamp that failed to parse also fails as a date, so the date's error is the one to
    // show for anything date-like.
    let date_err = match s.parse::<Date>() {
        Ok(date) => return end_of_day(s, date).map(ExcludeNewer::Timestamp),
        Err(err) => err,
    };

    let span_err = match s.parse::<Span>() {
        Ok(span) => return span_cooldown(s, span).map(ExcludeNewer::Span),
        Err(err) => err,
    };

    Err(explain_failure(s, &date_err, &span_err))
}

/// Parses a `UV_EXCLUDE_NEWER` (or `--exclude-newer`) value: like [`parse_exclude_newer_str`],
/// plus the exact word `false` (case-sensitive) to disable the cutoff.
pub fn parse_exclude_newer_env(s: &str) -> Result<ExcludeNewer, String> {
    if s == "false" {
        return Ok(ExcludeNewer::Disabled);
    }
    parse_exclude_newer_str(s)
}

/// Parses an `exclude-newer` TOML value as uv 0.13.9 deserializes it in `[tool.uv]`, `[tool.uv.pip]`,
/// an index entry or an `exclude-newer-package` entry: a string, the boolean `false`, or the table
/// form `{ timestamp = "…", span = "…" }` that `uv.lock` uses (other keys of that table are
/// ignored by uv). In the table form a span, when present, wins.
pub fn parse_exclude_newer_item(item: &toml_edit::Item) -> Result<ExcludeNewer, String> {
    match item {
        toml_edit::Item::Value(value) => parse_exclude_newer_value(value),
        toml_edit::Item::Table(table) => parse_exclude_newer_table(table),
        toml_edit::Item::ArrayOfTables(_) => {
            Err(format!("invalid type: sequence, expected {EXPECTED_VALUE}"))
        }
        toml_edit::Item::None => Err(format!("invalid type: unit, expected {EXPECTED_VALUE}")),
    }
}

/// [`parse_exclude_newer_item`] for a value (an inline table being the table form).
pub fn parse_exclude_newer_value(value: &toml_edit::Value) -> Result<ExcludeNewer, String> {
    match value {
        toml_edit::Value::String(s) => parse_exclude_newer_str(s.value()),
        toml_edit::Value::Boolean(b) if !*b.value() => Ok(ExcludeNewer::Disabled),
        toml_edit::Value::Boolean(_) => {
            Err("expected false to disable exclude-newer, got true".to_owned())
        }
        // uv sees a TOML datetime as a table without a `timestamp` key.
        toml_edit::Value::Datetime(_) => Err("missing field `timestamp`".to_owned()),
        toml_edit::Value::Integer(i) => Err(format!(
            "invalid type: integer `{}`, expected {EXPECTED_VALUE}",
            i.value()
        )),
        toml_edit::Value::Float(f) => Err(format!(
            "invalid type: floating point `{:?}`, expected {EXPECTED_VALUE}",
            f.value()
        )),
        toml_edit::Value::Array(_) => {
            Err(format!("invalid type: sequence, expected {EXPECTED_VALUE}"))
        }
        toml_edit::Value::InlineTable(table) => parse_exclude_newer_table(table),
    }
}

pub(crate) const EXPECTED_VALUE: &str = "a date/timestamp/duration string, false to disable exclude-newer, \
                              or a table with timestamp/span";

/// The table form `{ timestamp = "…", span = "…" }`, whatever the table's TOML spelling.
pub(crate) fn parse_exclude_newer_table(
    table: &dyn toml_edit::TableLike,
) -> Result<ExcludeNewer, String> {
    let timestamp = match table.get("timestamp") {
        None => return Err("missing field `timestamp`".to_owned()),
        Some(item) => match item.as_str() {
            Some(s) => s.parse::<Timestamp>().map_err(|err| err.to_string())?,
            None => {
                return Err(format!(
                    "invalid type: {}, expected a timestamp string",
                    describe_item(item)
                ));
            }
        },
    };
    let span = match table.get("span") {
        None => None,
        Some(item) => match item.as_str() {
            Some(s) => Some(s.parse::<Span>().map_err(|err| err.to_string())?),
            None => {
                return Err(format!(
                    "invalid type: {}, expected a string",
                    describe_item(item)
                ));
            }
        },
    };
    // uv does not forbid calendar units here; a span cordon cannot measure in seconds is
    // reported as the timestamp it travels with.
    match span {
        Some(span) if span.get_years() == 0 && span.get_months() == 0 => {
            Ok(ExcludeNewer::Span(CooldownSpan::from_span(span)))
        }
        _ => Ok(ExcludeNewer::Timestamp(timestamp)),
    }
}

fn describe_item(item: &toml_edit::Item) -> String {
    match item {
        toml_edit::Item::Value(toml_edit::Value::String(s)) => format!("string {:?}", s.value()),
        toml_edit::Item::Value(toml_edit::Value::Integer(i)) => format!("integer `{}`", i.value()),
        toml_edit::Item::Value(toml_edit::Value::Float(f)) => {
            format!("floating point `{:?}`", f.value())
        }
        toml_edit::Item::Value(toml_edit::Value::Boolean(b)) => format!("boolean `{}`", b.value()),
        toml_edit::Item::Value(toml_edit::Value::Array(_)) | toml_edit::Item::ArrayOfTables(_) => {
            "sequence".to_owned()
        }
        toml_edit::Item::Value(
            toml_edit::Value::Datetime(_) | toml_edit::Value::InlineTable(_),
        )
        | toml_edit::Item::Table(_) => "map".to_owned(),
        toml_edit::Item::None => "unit".to_owned(),
    }
}

/// A civil date means "up to the end of that day", i.e. the next midnight in the local zone.
fn end_of_day(input: &str, date: Date) -> Result<Timestamp, String> {
    date.checked_add(1.day())
        .and_then(|next| next.to_zoned_datetime(TimeZone::system()))
        .map(|zoned| zoned.timestamp())
        .map_err(|err| {
            format!("`{input}` parsed to date `{date}`, but could not be converted to a timestamp: {err}")
        })
}

fn span_cooldown(input: &str, span: Span) -> Result<CooldownSpan, String> {
    // uv measures calendar units against the current time in UTC when it suggests a number of
    // days, so the suggestion matches uv's to the day.
    let now = Timestamp::now().to_zoned_datetime(TimeZone::UTC);
    if span.get_years() != 0 {
        let days = calendar_days(span, Unit::Year, &now) * 365.0;
        return Err(format!(
            "Duration `{input}` uses unit 'years' which is not allowed; use days instead, e.g., `{days:.0} days`."
        ));
    }
    if span.get_months() != 0 {
        let days = calendar_days(span, Unit::Month, &now) * 30.0;
        return Err(format!(
            "Duration `{input}` uses 'months' which is not allowed; use days instead, e.g., `{days:.0} days`."
        ));
    }
    now.checked_sub(span.abs()).map_err(|err| {
        format!("Duration `{input}` is too large to subtract from current time: {err}")
    })?;
    Ok(CooldownSpan::from_span(span))
}

fn calendar_days(span: Span, unit: Unit, now: &ZonedDateTime) -> f64 {
    span.total((unit, now)).map_or(1.0, f64::ceil).abs()
}

/// Picks the error for what the writer most likely meant, by the value's shape: an ISO 8601
/// duration (`[-+]P…`), a friendly duration (`[-+] 12 unit…`), a date (`YYYY-…`), or unknown.
fn explain_failure(input: &str, date_err: &jiff::Error, span_err: &jiff::Error) -> String {
    let unsigned = input.trim().trim_start_matches(['+', '-']);
    if unsigned.starts_with(['P', 'p']) {
        return format!("`{input}` could not be parsed as an ISO 8601 duration: {span_err}");
    }

    let after_digits = unsigned
        .trim_start()
        .trim_start_matches(|c: char| c.is_ascii_digit());
    let had_digits = after_digits.len() < unsigned.trim_start().len();
    if had_digits
        && after_digits
            .trim_start()
            .starts_with(|c: char| c.is_ascii_alphabetic())
    {
        return format!("`{input}` could not be parsed as a duration: {span_err}");
    }

    let bytes = unsigned.as_bytes();
    if bytes.len() >= 5 && bytes[..4].iter().all(u8::is_ascii_digit) && bytes[4] == b'-' {
        return format!("`{input}` could not be parsed as a valid date: {date_err}");
    }

    format!(
        "`{input}` could not be parsed as a valid exclude-newer value (expected a date like \
         `2024-01-01`, a timestamp like `2024-01-01T00:00:00Z`, or a duration like `3 days` or \
         `P3D`)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(s: &str) -> CooldownSpan {
        match parse_exclude_newer_str(s) {
            Ok(ExcludeNewer::Span(span)) => span,
            other => panic!("{s:?} should be a span, got {other:?}"),
        }
    }

    fn err(s: &str) -> String {
        match parse_exclude_newer_str(s) {
            Err(err) => err,
            Ok(other) => panic!("{s:?} should be rejected, got {other:?}"),
        }
    }

    /// Each row was written into `[tool.uv]` and locked with uv 0.13.9; the right-hand side is
    /// the `exclude-newer-span` uv wrote into `uv.lock`.
    #[test]
    fn spans_record_the_iso_string_uv_writes_into_the_lock() {
        let rows = [
            ("7 days", "P7D", 7 * 86_400, false),
            ("1 week", "P1W", 7 * 86_400, false),
            ("P7D", "P7D", 7 * 86_400, false),
            ("PT24H", "PT24H", 86_400, false),
            ("24 hours", "PT24H", 86_400, false),
            ("7d", "P7D", 7 * 86_400, false),
            ("1w", "P1W", 7 * 86_400, false),
            ("2 weeks", "P2W", 14 * 86_400, false),
            ("P1W", "P1W", 7 * 86_400, false),
            ("P1DT2H", "P1DT2H", 86_400 + 7_200, false),
            ("3 days 12 hours", "P3DT12H", 3 * 86_400 + 12 * 3_600, false),
            ("10080 minutes", "PT10080M", 7 * 86_400, false),
            ("0 days", "PT0S", 0, false),
            ("-7 days", "-P7D", 7 * 86_400, true),
            ("7 days ago", "-P7D", 7 * 86_400, true),
            ("1 week ago", "-P1W", 7 * 86_400, true),
            ("-P7D", "-P7D", 7 * 86_400, true),
            ("+7 days", "P7D", 7 * 86_400, false),
            ("PT0S", "PT0S", 0, false),
            ("36h", "PT36H", 36 * 3_600, false),
            ("1 day, 12 hours", "P1DT12H", 36 * 3_600, false),
            ("1d 12h", "P1DT12H", 36 * 3_600, false),
            ("1 hour 30 minutes", "PT1H30M", 5_400, false),
            ("1.5h", "PT1H30M", 5_400, false),
            ("1000 ms", "PT1S", 1, false),
            ("1 microsecond", "PT0.000001S", 0, false),
            ("p7d", "P7D", 7 * 86_400, false),
            ("P7d", "P7D", 7 * 86_400, false),
            ("7days", "P7D", 7 * 86_400, false),
            ("7 days ", "P7D", 7 * 86_400, false),
            ("1 week 2 days", "P1W2D", 9 * 86_400, false),
            ("1000000 days", "P1000000D", 1_000_000 * 86_400, false),
        ];
        for (input, iso, seconds, negative) in rows {
            let got = span(input);
            assert_eq!(
                got,
                CooldownSpan {
                    iso: iso.to_owned(),
                    seconds,
                    negative
                },
                "input {input:?}"
            );
        }
    }

    #[test]
    fn one_week_and_seven_days_are_equally_long_but_recorded_differently() {
        let week = span("1 week");
        let days = span("7 days");
        assert_eq!(week.seconds, days.seconds);
        assert_ne!(week.iso, days.iso);
    }

    #[test]
    fn months_and_years_are_rejected_with_uv_messages() {
        assert_eq!(
            err("1 month"),
            "Duration `1 month` uses 'months' which is not allowed; use days instead, e.g., `30 days`."
        );
        assert_eq!(
            err("P1M"),
            "Duration `P1M` uses 'months' which is not allowed; use days instead, e.g., `30 days`."
        );
        assert_eq!(
            err("18 months"),
            "Duration `18 months` uses 'months' which is not allowed; use days instead, e.g., `540 days`."
        );
        assert_eq!(
            err("1 year"),
            "Duration `1 year` uses unit 'years' which is not allowed; use days instead, e.g., `365 days`."
        );
        assert_eq!(
            err("P1Y"),
            "Duration `P1Y` uses unit 'years' which is not allowed; use days instead, e.g., `365 days`."
        );
        assert_eq!(
            err("1 year 6 months"),
            "Duration `1 year 6 months` uses unit 'years' which is not allowed; use days instead, e.g., `730 days`."
        );
        assert_eq!(
            err("-2 years"),
            "Duration `-2 years` uses unit 'years' which is not allowed; use days instead, e.g., `730 days`."
        );
        assert_eq!(
            err("100 years"),
            "Duration `100 years` uses unit 'years' which is not allowed; use days instead, e.g., `36500 days`."
        );
    }

    #[test]
    fn units_are_case_sensitive() {
        assert_eq!(
            err("7 Days"),
            "`7 Days` could not be parsed as a duration: failed to parse input in the \"friendly\" \
             duration format: expected to find unit designator suffix (e.g., `years` or `secs`) \
             after parsing integer"
        );
        assert!(err("7 DAYS").starts_with("`7 DAYS` could not be parsed as a duration: "));
    }

    #[test]
    fn the_string_false_and_other_non_values_get_the_generic_message() {
        let generic = |s: &str| {
            format!(
                "`{s}` could not be parsed as a valid exclude-newer value (expected a date like \
                 `2024-01-01`, a timestamp like `2024-01-01T00:00:00Z`, or a duration like \
                 `3 days` or `P3D`)"
            )
        };
        for input in ["false", "", "0", "7", "1.5 days", "true", "False"] {
            assert_eq!(err(input), generic(input), "input {input:?}");
        }
    }

    #[test]
    fn leading_space_is_rejected_trailing_space_is_not() {
        assert_eq!(
            err(" 7 days"),
            "` 7 days` could not be parsed as a duration: failed to parse input in the \
             \"friendly\" duration format: expected duration to start with a unit value (a \
             decimal integer) after an optional sign, but no integer was found"
        );
        assert_eq!(span("7 days ").iso, "P7D");
    }

    #[test]
    fn iso_and_date_failures_name_the_format_tried() {
        assert_eq!(
            err("P4Z"),
            "`P4Z` could not be parsed as an ISO 8601 duration: expected to find date unit \
             designator suffix (`Y`, `M`, `W` or `D`), but found `Z` instead"
        );
        assert_eq!(
            err("P1.5D"),
            "`P1.5D` could not be parsed as an ISO 8601 duration: expected to find date unit \
             designator suffix (`Y`, `M`, `W` or `D`), but found `.` instead"
        );
        assert_eq!(
            err("2026-13-01"),
            "`2026-13-01` could not be parsed as a valid date: failed to parse two digit integer \
             as month: parameter 'month' is not in the required range of 1..=12"
        );
    }

    #[test]
    fn timestamps_are_kept_as_written_in_utc() {
        let cases = [
            ("2026-11-01T00:00:00Z", "2026-11-01T00:00:00Z"),
            ("2026-11-01 00:00:00Z", "2026-11-01T00:00:00Z"),
            ("2026-11-01T00:00:00+02:00", "2026-10-31T22:00:00Z"),
            ("2026-11-01T00:00:00.5Z", "2026-11-01T00:00:00.5Z"),
        ];
        for (input, expected) in cases {
            match parse_exclude_newer_str(input) {
                Ok(ExcludeNewer::Timestamp(ts)) => assert_eq!(ts.to_string(), expected),
                other => panic!("{input:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_civil_date_means_the_next_local_midnight() {
        let next_midnight = date_of(2026, 11, 2)
            .to_zoned_datetime(TimeZone::system())
            .map(|z| z.timestamp())
            .expect("representable");
        // A civil date-time without offset is read as its date, as jiff (and so uv) does.
        for input in ["2026-11-01", "2026-11-01T00:00:00", "2026-11-01T12:34:56"] {
            assert_eq!(
                parse_exclude_newer_str(input),
                Ok(ExcludeNewer::Timestamp(next_midnight)),
                "input {input:?}"
            );
        }
    }

    fn date_of(year: i16, month: i8, day: i8) -> Date {
        Date::new(year, month, day).expect("valid date")
    }

    #[test]
    fn only_the_environment_takes_the_word_false() {
        assert_eq!(parse_exclude_newer_env("false"), Ok(ExcludeNewer::Disabled));
        assert!(parse_exclude_newer_str("false").is_err());
        assert!(parse_exclude_newer_env("False").is_err());
        assert!(parse_exclude_newer_env("").is_err());
        assert_eq!(
            parse_exclude_newer_env("7 days"),
            Ok(ExcludeNewer::Span(span("7 days")))
        );
    }

    #[test]
    fn spans_too_long_to_subtract_from_now_are_rejected() {
        let message = err("7000000 days");
        assert!(
            message.starts_with(
                "Duration `7000000 days` is too large to subtract from current time: "
            ),
            "{message}"
        );
    }

    fn item(toml: &str) -> toml_edit::Item {
        let doc: toml_edit::DocumentMut = format!("v = {toml}").parse().expect("valid TOML");
        doc["v"].clone()
    }

    #[test]
    fn toml_values_follow_uv_deserialization() {
        assert_eq!(
            parse_exclude_newer_item(&item("false")),
            Ok(ExcludeNewer::Disabled)
        );
        assert_eq!(
            parse_exclude_newer_item(&item("true")),
            Err("expected false to disable exclude-newer, got true".to_owned())
        );
        assert_eq!(
            parse_exclude_newer_item(&item("\"7 days\"")),
            Ok(ExcludeNewer::Span(span("7 days")))
        );
        assert_eq!(
            parse_exclude_newer_item(&item("7")),
            Err(format!(
                "invalid type: integer `7`, expected {EXPECTED_VALUE}"
            ))
        );
        assert_eq!(
            parse_exclude_newer_item(&item("[]")),
            Err(format!("invalid type: sequence, expected {EXPECTED_VALUE}"))
        );
        assert_eq!(
            parse_exclude_newer_item(&item("2026-11-01T00:00:00Z")),
            Err("missing field `timestamp`".to_owned())
        );
    }

    #[test]
    fn the_lock_table_form_is_accepted_and_its_span_wins() {
        assert_eq!(
            parse_exclude_newer_item(&item(
                r#"{ timestamp = "2026-11-01T00:00:00Z", span = "P7D" }"#
            )),
            Ok(ExcludeNewer::Span(span("P7D")))
        );
        let ts: Timestamp = "2026-11-01T00:00:00Z".parse().expect("timestamp");
        assert_eq!(
            parse_exclude_newer_item(&item(
                r#"{ timestamp = "2026-11-01T00:00:00Z", bogus = 1 }"#
            )),
            Ok(ExcludeNewer::Timestamp(ts))
        );
        // uv accepts calendar units in the table form.
        assert_eq!(
            parse_exclude_newer_item(&item(
                r#"{ timestamp = "2026-11-01T00:00:00Z", span = "P1M" }"#
            )),
            Ok(ExcludeNewer::Timestamp(ts))
        );
        assert_eq!(
            parse_exclude_newer_item(&item(r#"{ span = "P7D" }"#)),
            Err("missing field `timestamp`".to_owned())
        );
        assert_eq!(
            parse_exclude_newer_item(&item(r#"{ timestamp = "2026-11-01", span = "P7D" }"#)),
            Err(
                "failed to find time component, which is required for parsing a timestamp"
                    .to_owned()
            )
        );
        assert_eq!(
            parse_exclude_newer_item(&item(r#"{ timestamp = "2026-11-01T00:00:00Z", span = 5 }"#)),
            Err("invalid type: integer `5`, expected a string".to_owned())
        );
        assert_eq!(
            parse_exclude_newer_item(&item(r"{ timestamp = 2026-11-01T00:00:00Z }")),
            Err("invalid type: map, expected a timestamp string".to_owned())
        );
    }

    #[test]
    fn human_lengths() {
        assert_eq!(span("7 days").human(), "7 days");
        assert_eq!(span("1 week").human(), "7 days");
        assert_eq!(span("3 days 12 hours").human(), "3 days 12 hours");
        assert_eq!(span("P1DT12H").human(), "1 day 12 hours");
        assert_eq!(span("0 days").human(), "0 seconds");
        assert_eq!(span("1 hour 30 minutes").human(), "1 hour 30 minutes");
        assert_eq!(
            span("90061 seconds").human(),
            "1 day 1 hour 1 minute 1 second"
        );
        assert!((span("36h").days() - 1.5).abs() < f64::EPSILON);
        assert!(span("0 days").is_zero());
        assert!(!span("1 second").is_zero());
    }

    #[test]
    fn from_seconds_prints_like_jiff() {
        let week = CooldownSpan::from_seconds(7 * 86_400).expect("in range");
        assert_eq!(week, span("7 days"));
        assert_eq!(
            CooldownSpan::from_seconds(0).map(|s| s.iso),
            Some("PT0S".to_owned())
        );
        assert_eq!(
            CooldownSpan::from_seconds(129_600).map(|s| s.iso),
            Some("P1DT12H".to_owned())
        );
        assert_eq!(
            CooldownSpan::from_seconds(-7 * 86_400),
            Some(span("-7 days"))
        );
        assert_eq!(CooldownSpan::from_seconds(i64::MAX), None);
        assert_eq!(CooldownSpan::from_seconds(i64::MIN), None);
    }
}
