//! Checking five-field cron expressions (`minute hour day-of-month month
//! day-of-week`) as Vixie cron reads them: numbers in range, `*`, lists,
//! ranges, steps, and month and weekday names. Nothing is scheduled here;
//! the point is that a typo fails the sync instead of the scheduler.

/// One field of a cron expression and the values it accepts.
struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    /// Three-letter names for `min`, `min + 1`, ...
    names: &'static [&'static str],
}

const FIELDS: [Field; 5] = [
    Field {
        name: "minute",
        min: 0,
        max: 59,
        names: &[],
    },
    Field {
        name: "hour",
        min: 0,
        max: 23,
        names: &[],
    },
    Field {
        name: "day-of-month",
        min: 1,
        max: 31,
        names: &[],
    },
    Field {
        name: "month",
        min: 1,
        max: 12,
        names: &[
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ],
    },
    // 0 and 7 are both Sunday.
    Field {
        name: "day-of-week",
        min: 0,
        max: 7,
        names: &["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
    },
];

/// Shorthands accepted in place of five fields; schedulers in the wild
/// (Airflow, Vixie cron) take them, and each stands for a plain expression.
pub const MACROS: [&str; 7] = [
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
];

/// Check one expression; the error names the field and what is wrong with it.
pub fn check(expr: &str) -> Result<(), String> {
    let expr = expr.trim();
    if expr.starts_with('@') {
        return if MACROS.contains(&expr.to_ascii_lowercase().as_str()) {
            Ok(())
        } else {
            Err(format!(
                "unknown shorthand '{expr}'; use five fields or one of {}",
                MACROS.join(", ")
            ))
        };
    }
    let parts: Vec<&str> = expr.split_whitespace().collect();
    if parts.len() != FIELDS.len() {
        return Err(format!(
            "expected 5 fields (minute hour day-of-month month day-of-week), found {}",
            parts.len()
        ));
    }
    for (text, field) in parts.iter().zip(&FIELDS) {
        check_field(text, field).map_err(|e| format!("{} field '{text}': {e}", field.name))?;
    }
    Ok(())
}

fn check_field(text: &str, field: &Field) -> Result<(), String> {
    for item in text.split(',') {
        if item.is_empty() {
            return Err("empty list item".into());
        }
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => (range, Some(step)),
            None => (item, None),
        };
        if let Some(step) = step {
            let step: u32 = step
                .parse()
                .map_err(|_| format!("step '{step}' is not a number"))?;
            if step == 0 || step > field.max {
                return Err(format!("step {step} is out of range 1-{}", field.max));
            }
        }
        if range == "*" {
            continue;
        }
        match range.split_once('-') {
            Some((low, high)) => {
                let (low, high) = (value(low, field)?, value(high, field)?);
                if low > high {
                    return Err(format!("range {low}-{high} runs backwards"));
                }
            }
            None => {
                value(range, field)?;
            }
        }
    }
    Ok(())
}

/// A number in the field's range, or one of its names.
fn value(text: &str, field: &Field) -> Result<u32, String> {
    if text.is_empty() {
        return Err("missing value".into());
    }
    if let Some(i) = field
        .names
        .iter()
        .position(|n| n.eq_ignore_ascii_case(text))
    {
        return Ok(field.min + i as u32);
    }
    let n: u32 = text.parse().map_err(|_| {
        if field.names.is_empty() {
            format!("'{text}' is not a number")
        } else {
            format!(
                "'{text}' is neither a number nor a name such as {}",
                field.names[1].to_uppercase()
            )
        }
    })?;
    if n < field.min || n > field.max {
        return Err(format!("{n} is out of range {}-{}", field.min, field.max));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn common_expressions_are_valid() {
        for expr in [
            "0 3 * * *",
            "*/15 * * * *",
            "0 9-17 * * MON-FRI",
            "30 2 1,15 * *",
            "0 0 * JAN,jul sun",
            "0 0 * * 7",
            "5-55/10 */2 1-31/3 1-12 0-6",
            "0 12 * * 1/2",
            "  0  3  *  *  *  ",
            "@daily",
            "@HOURLY",
        ] {
            assert_eq!(check(expr), Ok(()), "{expr}");
        }
    }

    #[test]
    fn wrong_field_counts_are_refused() {
        assert!(check("0 3 * *").unwrap_err().contains("found 4"));
        assert!(check("0 0 3 * * *").unwrap_err().contains("found 6"));
        assert!(check("").unwrap_err().contains("found 0"));
    }

    #[test]
    fn errors_name_the_field_and_the_rule() {
        let cases = [
            ("61 * * * *", "minute field '61': 61 is out of range 0-59"),
            ("0 24 * * *", "hour field '24': 24 is out of range 0-23"),
            (
                "0 0 0 * *",
                "day-of-month field '0': 0 is out of range 1-31",
            ),
            ("0 0 * 13 *", "month field '13': 13 is out of range 1-12"),
            ("0 0 * * 8", "day-of-week field '8': 8 is out of range 0-7"),
            (
                "0 0 * * MOX",
                "day-of-week field 'MOX': 'MOX' is neither a number",
            ),
            ("*/0 * * * *", "step 0 is out of range"),
            ("*/x * * * *", "step 'x' is not a number"),
            ("10-5 * * * *", "range 10-5 runs backwards"),
            ("1,,2 * * * *", "empty list item"),
            ("1- * * * *", "missing value"),
            ("? * * * *", "'?' is not a number"),
            ("@every5m", "unknown shorthand"),
        ];
        for (expr, needle) in cases {
            let err = check(expr).unwrap_err();
            assert!(err.contains(needle), "{expr}: {err}");
        }
    }
}
