//! Every numeric setting's range, in one place: flags and environment
//! variables are checked against these where they are parsed, so that no
//! value can overflow a date, a timeout or a counter further down.
// Times, sizes and counters here come from settings and hostile input:
// every operation is checked or saturating.
#![deny(clippy::arithmetic_side_effects)]

use std::time::Duration;

/// The allowed range of one numeric setting.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// The flag or variable, as the user writes it (`--interval`).
    pub name: &'static str,
    pub min: u64,
    pub max: u64,
    /// What the number counts (`seconds`, `days`, ...).
    pub unit: &'static str,
}

/// `--interval`: a minute to a year.
pub const INTERVAL: Limit = Limit::new("--interval", 60, 365 * 86_400, "seconds");
/// `--max-proposals` and `GITSYNC_MAX_PROPOSALS_PER_RUN`; 0 means no cap.
pub const MAX_PROPOSALS: Limit = Limit::new("--max-proposals", 0, 1_000_000, "proposals");
/// `--fetch-timeout`: ten seconds to a day.
pub const FETCH_TIMEOUT: Limit = Limit::new("--fetch-timeout", 10, 86_400, "seconds");
/// `--hook-timeout`: a second to a day.
pub const HOOK_TIMEOUT: Limit = Limit::new("--hook-timeout", 1, 86_400, "seconds");
/// `--max-attempts`.
pub const MAX_ATTEMPTS: Limit = Limit::new("--max-attempts", 1, 100, "attempts");
/// `--keep-success-days`, `--keep-failed-days`: a day to a century.
pub const KEEP_DAYS: Limit = Limit::new("--keep-*-days", 1, 36_500, "days");
/// `GITSYNC_LOCK_WAIT`: how long to wait for a busy repo (fractions allowed).
pub const LOCK_WAIT: Limit = Limit::new("GITSYNC_LOCK_WAIT", 0, 3_600, "seconds");
/// `GITSYNC_MIRROR_MAX_PACKS`: packs in a mirror before it is rebuilt.
pub const MIRROR_MAX_PACKS: Limit = Limit::new("GITSYNC_MIRROR_MAX_PACKS", 1, 10_000, "packs");
/// `GITSYNC_COMPILE_TIMEOUT`: how long a `--compile` command may run.
pub const COMPILE_TIMEOUT: Limit = Limit::new("GITSYNC_COMPILE_TIMEOUT", 1, 86_400, "seconds");
/// `GITSYNC_MAX_PROPOSALS_PER_RUN`, the default of `--max-proposals`.
pub const MAX_PROPOSALS_ENV: Limit = Limit {
    name: "GITSYNC_MAX_PROPOSALS_PER_RUN",
    ..MAX_PROPOSALS
};
/// `--limit` of `runs` and `events`.
pub const LIST_LIMIT: Limit = Limit::new("--limit", 1, 1_000_000, "rows");

/// The environment variables read as numbers, each with its range.
pub const ENV_LIMITS: &[Limit] = &[
    LOCK_WAIT,
    MIRROR_MAX_PACKS,
    COMPILE_TIMEOUT,
    MAX_PROPOSALS_ENV,
];

impl Limit {
    pub const fn new(name: &'static str, min: u64, max: u64, unit: &'static str) -> Limit {
        Limit {
            name,
            min,
            max,
            unit,
        }
    }

    /// The same range under another name (`--keep-failed-days`).
    pub const fn named(self, name: &'static str) -> Limit {
        Limit { name, ..self }
    }

    /// `value` if it is in range, else an error that names the setting,
    /// the value and the range.
    pub fn check(&self, value: u64) -> Result<u64, String> {
        if (self.min..=self.max).contains(&value) {
            Ok(value)
        } else {
            Err(self.refusal(&value.to_string()))
        }
    }

    /// A whole number in range, from text.
    pub fn parse(&self, text: &str) -> Result<u64, String> {
        let trimmed = text.trim();
        match trimmed.parse::<u64>() {
            Ok(v) => self.check(v),
            Err(_) => Err(self.refusal(trimmed)),
        }
    }

    /// For clap: a whole number in range, the error saying only the range
    /// (clap names the flag and the value itself).
    pub fn parse_value(&self, text: &str) -> Result<u64, String> {
        self.parse(text)
            .map_err(|_| format!("give a whole number from {}", self.describe()))
    }

    /// A number of seconds in range, fractions allowed (`0.5`).
    pub fn parse_duration(&self, text: &str) -> Result<Duration, String> {
        let trimmed = text.trim();
        match trimmed.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= self.min as f64 && v <= self.max as f64 => {
                Ok(Duration::from_secs_f64(v))
            }
            _ => Err(self.refusal(trimmed)),
        }
    }

    /// The variable `self.name` as a whole number, `None` when unset or
    /// empty.
    pub fn from_env(&self) -> Result<Option<u64>, String> {
        match std::env::var(self.name) {
            Ok(s) if !s.is_empty() => self.parse(&s).map(Some),
            Ok(_) | Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(self.refusal("(not UTF-8)")),
        }
    }

    /// What the range is, for help and errors: `60 to 31536000 seconds`.
    pub fn describe(&self) -> String {
        format!("{} to {} {}", self.min, self.max, self.unit)
    }

    fn refusal(&self, value: &str) -> String {
        let value = crate::text::escape_line(value);
        let shown: String = value.chars().take(40).collect();
        let cut = if shown.len() < value.len() { "…" } else { "" };
        format!(
            "invalid {} '{shown}{cut}': give a whole number from {}",
            self.name,
            self.describe()
        )
    }
}

/// The latest time gitsync writes: RFC 3339 (and so the state file) has
/// four-digit years.
pub fn latest_time() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("9999-12-31T23:59:59Z")
        .expect("a valid date")
        .to_utc()
}

/// `t` moved by `secs` seconds, saturating at the earliest and latest
/// times the state file can hold instead of overflowing.
pub fn add_secs(t: chrono::DateTime<chrono::Utc>, secs: i64) -> chrono::DateTime<chrono::Utc> {
    let earliest = chrono::DateTime::UNIX_EPOCH;
    chrono::TimeDelta::try_seconds(secs)
        .and_then(|d| t.checked_add_signed(d))
        .map_or(if secs < 0 { earliest } else { latest_time() }, |moved| {
            moved.clamp(earliest, latest_time())
        })
}

/// `t` moved by `days` days, saturating like [`add_secs`].
pub fn add_days(t: chrono::DateTime<chrono::Utc>, days: i64) -> chrono::DateTime<chrono::Utc> {
    add_secs(t, days.saturating_mul(86_400))
}

/// Check every numeric environment variable once, at start, so that a bad
/// value is a usage error instead of being ignored deep inside a sync.
pub fn check_env() -> Result<(), String> {
    for limit in ENV_LIMITS {
        if limit.name == LOCK_WAIT.name {
            if let Ok(s) = std::env::var(limit.name)
                && !s.is_empty()
            {
                limit.parse_duration(&s)?;
            }
        } else {
            limit.from_env()?;
        }
    }
    Ok(())
}

/// `GITSYNC_MIRROR_MAX_PACKS`, else 50 (checked by [`check_env`] at start).
pub fn mirror_max_packs() -> usize {
    MIRROR_MAX_PACKS.from_env().ok().flatten().unwrap_or(50) as usize
}

/// `GITSYNC_COMPILE_TIMEOUT`, else 60 s (checked by [`check_env`] at start).
pub fn compile_timeout() -> Duration {
    COMPILE_TIMEOUT
        .from_env()
        .ok()
        .flatten()
        .map_or(crate::layout::DEFAULT_COMPILE_TIMEOUT, Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_outside_a_range_are_refused_naming_setting_value_and_range() {
        assert_eq!(INTERVAL.check(60), Ok(60));
        assert_eq!(INTERVAL.check(31_536_000), Ok(31_536_000));
        let e = INTERVAL.check(300_000_000_000).unwrap_err();
        assert_eq!(
            e,
            "invalid --interval '300000000000': give a whole number from 60 to 31536000 seconds"
        );
        assert!(INTERVAL.parse("59").is_err());
        assert!(HOOK_TIMEOUT.parse("18446744073709551615").is_err());
        assert!(HOOK_TIMEOUT.parse("18446744073709551616").is_err());
        assert!(MIRROR_MAX_PACKS.parse("-1").is_err());
        assert!(COMPILE_TIMEOUT.parse("1e20").is_err());
        assert!(COMPILE_TIMEOUT.parse("abc").is_err());
        assert_eq!(
            LOCK_WAIT.parse_duration("0.5"),
            Ok(Duration::from_millis(500))
        );
        assert!(LOCK_WAIT.parse_duration("NaN").is_err());
        assert!(LOCK_WAIT.parse_duration("1e300").is_err());
    }

    #[test]
    fn time_arithmetic_saturates_within_what_the_state_file_holds() {
        let now = chrono::DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(add_secs(now, i64::MAX), latest_time());
        assert_eq!(add_secs(now, i64::MIN), chrono::DateTime::UNIX_EPOCH);
        assert_eq!(add_secs(latest_time(), 1), latest_time());
        assert_eq!(add_secs(now, 60).to_rfc3339(), "2024-01-01T00:01:00+00:00");
    }

    #[test]
    fn a_refused_value_is_shown_escaped_and_shortened() {
        let e = MAX_ATTEMPTS
            .parse(&format!("\u{1b}[31m{}", "9".repeat(100)))
            .unwrap_err();
        assert!(
            e.contains("\\e[31m") && e.contains('…') && e.len() < 140,
            "{e}"
        );
    }
}
