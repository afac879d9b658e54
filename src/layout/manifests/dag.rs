//! Validation of workflow DAG documents (a top-level `dag` mapping): unique
//! task ids, `requires` naming tasks of the same DAG, no cycle, a valid cron
//! schedule, known timeout syntax and no task without work to do. Every
//! problem is collected; keys this module does not know are left alone.

use super::cron;
use crate::layout::{Path, describe};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Task types that may describe their work with a `config` mapping instead
/// of a `script`: they call something rather than run code.
pub const CONFIG_TASK_TYPES: [&str; 5] = ["http", "sql", "email", "sensor", "trigger"];

/// Checks one DAG document; `report` receives each problem's path and message.
pub fn check(doc: &Map<String, Value>, dag: &Map<String, Value>, report: &mut Vec<(Path, String)>) {
    let dag_path = Path::default().key("dag");
    match dag.get("schedule") {
        None | Some(Value::Null) => {}
        Some(Value::String(expr)) => {
            if let Err(e) = cron::check(expr) {
                report.push((
                    dag_path.key("schedule"),
                    format!("invalid cron expression '{expr}': {e}"),
                ));
            }
        }
        Some(other) => report.push((
            dag_path.key("schedule"),
            format!(
                "expected a five-field cron expression as a string, found {}",
                describe(other)
            ),
        )),
    }
    if let Some(v) = dag.get("catchup")
        && !v.is_boolean()
        && !v.is_null()
    {
        report.push((
            dag_path.key("catchup"),
            format!("expected true or false, found {}", describe(v)),
        ));
    }
    timeouts(dag, &dag_path, report);

    // Tasks sit beside `dag` (the documented shape) or, in some exporters'
    // output, inside it.
    let (tasks, tasks_path) = match (doc.get("tasks"), dag.get("tasks")) {
        (Some(t), _) => (t, Path::default().key("tasks")),
        (None, Some(t)) => (t, dag_path.key("tasks")),
        (None, None) => return,
    };
    let tasks = match tasks {
        Value::Null => return,
        Value::Array(tasks) => tasks,
        other => {
            report.push((
                tasks_path,
                format!("expected a sequence of tasks, found {}", describe(other)),
            ));
            return;
        }
    };
    let dag_id = dag.get("id").and_then(Value::as_str).unwrap_or("?");
    let mut index_of: HashMap<&str, usize> = HashMap::new();
    let mut valid: Vec<Option<(&str, &Map<String, Value>)>> = Vec::new();
    for (i, task) in tasks.iter().enumerate() {
        let path = tasks_path.index(i);
        let Value::Object(task) = task else {
            report.push((
                path,
                format!("expected a task mapping, found {}", describe(task)),
            ));
            valid.push(None);
            continue;
        };
        let id = match task.get("id") {
            Some(Value::String(id)) if !id.trim().is_empty() => id.as_str(),
            None | Some(Value::Null) => {
                report.push((path.key("id"), "a task needs an id".into()));
                valid.push(None);
                continue;
            }
            Some(other) => {
                report.push((
                    path.key("id"),
                    format!("expected a non-empty string, found {}", describe(other)),
                ));
                valid.push(None);
                continue;
            }
        };
        if let Some(first) = index_of.get(id) {
            report.push((
                path.key("id"),
                format!(
                    "duplicate task id '{id}' (also {}); task ids must be unique within a DAG",
                    tasks_path.index(*first).0
                ),
            ));
            valid.push(None);
            continue;
        }
        index_of.insert(id, i);
        valid.push(Some((id, task)));
    }

    // Edges from a task to the tasks it requires, by index.
    let mut requires: Vec<Vec<usize>> = vec![Vec::new(); tasks.len()];
    for (i, slot) in valid.iter().enumerate() {
        let Some((id, task)) = slot else { continue };
        let path = tasks_path.index(i);
        work(id, task, &path, report);
        timeouts(task, &path, report);
        let names: Vec<(Path, &Value)> = match task.get("requires") {
            None | Some(Value::Null) => Vec::new(),
            Some(one @ Value::String(_)) => vec![(path.key("requires"), one)],
            Some(Value::Array(many)) => many
                .iter()
                .enumerate()
                .map(|(j, v)| (path.key("requires").index(j), v))
                .collect(),
            Some(other) => {
                report.push((
                    path.key("requires"),
                    format!(
                        "expected a task id or a sequence of task ids, found {}",
                        describe(other)
                    ),
                ));
                Vec::new()
            }
        };
        for (at, name) in names {
            match name {
                Value::String(name) => match index_of.get(name.as_str()) {
                    Some(&j) => requires[i].push(j),
                    None => report.push((
                        at,
                        format!(
                            "task '{id}' requires '{name}', which is not a task of DAG '{dag_id}'"
                        ),
                    )),
                },
                other => {
                    report.push((at, format!("expected a task id, found {}", describe(other))))
                }
            }
        }
    }
    for cycle in cycles(&requires) {
        let names: Vec<&str> = cycle
            .iter()
            .map(|&i| valid[i].map(|(id, _)| id).unwrap_or("?"))
            .collect();
        report.push((
            tasks_path.clone(),
            format!(
                "cycle in DAG '{dag_id}': {} (each task runs after the one before it)",
                cycle_text(&names)
            ),
        ));
    }
}

/// A task must say what it runs: a `script`, or for [`CONFIG_TASK_TYPES`] a
/// non-empty `config` mapping.
fn work(id: &str, task: &Map<String, Value>, path: &Path, report: &mut Vec<(Path, String)>) {
    let kind = match task.get("type") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) => Some(t.as_str()),
        Some(other) => {
            report.push((
                path.key("type"),
                format!("expected a string, found {}", describe(other)),
            ));
            None
        }
    };
    match task.get("script") {
        Some(Value::String(s)) if !s.trim().is_empty() => return,
        None | Some(Value::Null) | Some(Value::String(_)) => {}
        Some(other) => {
            report.push((
                path.key("script"),
                format!("expected a string, found {}", describe(other)),
            ));
            return;
        }
    }
    let config_allowed = kind.is_some_and(|k| CONFIG_TASK_TYPES.contains(&k));
    if config_allowed {
        match task.get("config") {
            Some(Value::Object(c)) if !c.is_empty() => {}
            _ => report.push((
                path.clone(),
                format!(
                    "task '{id}' of type '{}' has neither a script nor a config mapping",
                    kind.unwrap_or_default()
                ),
            )),
        }
    } else {
        report.push((
            path.clone(),
            format!(
                "task '{id}' has no script; only tasks of type {} may give a config instead",
                CONFIG_TASK_TYPES.join(", ")
            ),
        ));
    }
}

/// Check the timeout keys of one mapping: a key ending in `timeout`
/// (`timeout`, `default_timeout`, `executionTimeout`) holds a duration such
/// as `30m`, one ending in `timeout_ms`/`TimeoutMs` holds whole milliseconds.
fn timeouts(map: &Map<String, Value>, path: &Path, report: &mut Vec<(Path, String)>) {
    for (key, value) in map {
        let folded: String = key
            .chars()
            .filter(|c| *c != '_' && *c != '-')
            .collect::<String>()
            .to_ascii_lowercase();
        if value.is_null() {
            continue;
        }
        if folded.ends_with("timeoutms") {
            if value.as_u64().is_none_or(|ms| ms == 0) {
                report.push((
                    path.key(key),
                    format!(
                        "expected a whole number of milliseconds above 0, found {}",
                        describe(value)
                    ),
                ));
            }
        } else if folded.ends_with("timeout") {
            let problem = match value {
                Value::String(s) => duration_ms(s).err(),
                Value::Number(_) => {
                    let ms_key = if key.contains('_') {
                        format!("{key}_ms")
                    } else {
                        format!("{key}Ms")
                    };
                    Some(format!(
                        "{} has no unit; write a duration such as '90s', or use '{ms_key}' for milliseconds",
                        describe(value)
                    ))
                }
                other => Some(format!(
                    "expected a duration such as '30m', found {}",
                    describe(other)
                )),
            };
            if let Some(message) = problem {
                report.push((path.key(key), message));
            }
        }
    }
}

/// Milliseconds in a duration: one or more `<number><unit>` with units
/// `d`, `h`, `m`, `s`, `ms`, largest first (`90s`, `2h`, `1h30m`).
pub fn duration_ms(text: &str) -> Result<u64, String> {
    const UNITS: [(&str, u64); 5] = [
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1_000),
        ("ms", 1),
    ];
    let bad = || format!("'{text}' is not a duration; write e.g. '90s', '30m', '2h' or '1h30m'");
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total: u64 = 0;
    let mut last_rank = None;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let letters = rest[digits..].len().saturating_sub(
            rest[digits..]
                .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                .len(),
        );
        if digits == 0 || letters == 0 {
            return Err(bad());
        }
        let number: u64 = rest[..digits].parse().map_err(|_| bad())?;
        let unit = &rest[digits..digits + letters];
        let Some(rank) = UNITS.iter().position(|(u, _)| *u == unit) else {
            return Err(bad());
        };
        if last_rank.is_some_and(|last| rank <= last) {
            return Err(format!(
                "'{text}': units must go from largest to smallest, each at most once"
            ));
        }
        last_rank = Some(rank);
        total = number
            .checked_mul(UNITS[rank].1)
            .and_then(|ms| total.checked_add(ms))
            .ok_or_else(|| format!("'{text}' is too long a duration"))?;
        rest = &rest[digits + letters..];
    }
    if total == 0 {
        return Err(format!("'{text}' is zero; a timeout must be above 0"));
    }
    Ok(total)
}

/// Tasks of a cycle shown at each end; a longer cycle is elided in the
/// middle, so that a repo cannot make one error line megabytes long.
const CYCLE_ENDS: usize = 5;

/// `a -> b -> c -> a`, or for a long cycle its first and last tasks around
/// how many were left out.
fn cycle_text(names: &[&str]) -> String {
    let doubled = CYCLE_ENDS.saturating_mul(2);
    if names.len() <= doubled.saturating_add(1) {
        return names.join(" -> ");
    }
    let (head, rest) = names.split_at(CYCLE_ENDS);
    let (middle, tail) = rest.split_at(rest.len().saturating_sub(CYCLE_ENDS));
    format!(
        "{} -> ... {} more tasks ... -> {} ({} tasks in all)",
        head.join(" -> "),
        middle.len(),
        tail.join(" -> "),
        names.len().saturating_sub(1)
    )
}

/// Every cycle of the `requires` graph found by one depth-first search, each
/// as task indices in run order, closed by its first task
/// (`extract -> load -> extract`). Searching from tasks in declaration order
/// keeps the report stable between runs.
fn cycles(requires: &[Vec<usize>]) -> Vec<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnStack,
        Done,
    }
    let mut mark = vec![Mark::New; requires.len()];
    let mut found = Vec::new();
    for start in 0..requires.len() {
        if mark[start] != Mark::New {
            continue;
        }
        // An explicit stack of (task, next edge to follow) avoids recursion
        // depth limits on long task chains.
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        mark[start] = Mark::OnStack;
        while let Some(top) = stack.last_mut() {
            let (task, edge) = *top;
            if let Some(&next) = requires[task].get(edge) {
                top.1 += 1;
                match mark[next] {
                    Mark::New => {
                        mark[next] = Mark::OnStack;
                        stack.push((next, 0));
                    }
                    Mark::OnStack => {
                        // The stack from `next` to `task` follows `requires`
                        // edges; reversed it is the order the tasks run in.
                        let from = stack.iter().position(|(t, _)| *t == next).unwrap_or(0);
                        let mut cycle: Vec<usize> =
                            stack[from..].iter().map(|(t, _)| *t).rev().collect();
                        // Start from the task declared first.
                        let first = (0..cycle.len()).min_by_key(|&i| cycle[i]).unwrap_or(0);
                        cycle.rotate_left(first);
                        cycle.push(cycle[0]);
                        found.push(cycle);
                    }
                    Mark::Done => {}
                }
            } else {
                mark[task] = Mark::Done;
                stack.pop();
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_accept_units_and_combinations() {
        assert_eq!(duration_ms("90s"), Ok(90_000));
        assert_eq!(duration_ms("30m"), Ok(1_800_000));
        assert_eq!(duration_ms("2h"), Ok(7_200_000));
        assert_eq!(duration_ms("1h30m"), Ok(5_400_000));
        assert_eq!(duration_ms("1d"), Ok(86_400_000));
        assert_eq!(duration_ms("1s500ms"), Ok(1_500));
    }

    #[test]
    fn durations_refuse_what_a_scheduler_would_misread() {
        for bad in [
            "", "30", "m", "30 m", "1.5h", "30min", "-5m", "30m1h", "1h1h", "0s",
        ] {
            assert!(duration_ms(bad).is_err(), "{bad:?}");
        }
        assert!(
            duration_ms("99999999999999999d")
                .unwrap_err()
                .contains("too long")
        );
    }

    #[test]
    fn cycles_are_reported_in_run_order() {
        // load requires extract, extract requires load.
        assert_eq!(cycles(&[vec![1], vec![0]]), vec![vec![0, 1, 0]]);
        // A task requiring itself.
        assert_eq!(cycles(&[vec![0]]), vec![vec![0, 0]]);
        // 0 requires 2, 2 requires 1, 1 requires 0; 3 only requires 0.
        assert_eq!(
            cycles(&[vec![2], vec![0], vec![1], vec![0]]),
            vec![vec![0, 1, 2, 0]]
        );
        assert!(cycles(&[vec![], vec![0], vec![0, 1]]).is_empty());
    }

    // Guards: a cycle of 10,000 tasks made one error line of 89 KB.
    #[test]
    fn a_long_cycle_is_shown_by_its_ends() {
        let names: Vec<String> = (0..=10_000).map(|i| format!("t{}", i % 10_000)).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        assert_eq!(
            cycle_text(&names),
            "t0 -> t1 -> t2 -> t3 -> t4 -> ... 9991 more tasks ... -> t9996 -> t9997 -> t9998 -> t9999 -> t0 (10000 tasks in all)"
        );
        assert_eq!(cycle_text(&["a", "b", "a"]), "a -> b -> a");
        let eleven: Vec<String> = (0..=10).map(|i| format!("t{}", i % 10)).collect();
        let eleven: Vec<&str> = eleven.iter().map(String::as_str).collect();
        assert_eq!(cycle_text(&eleven).matches("->").count(), 10);
    }
}
