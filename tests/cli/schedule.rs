//! Scheduling, status, run history, retention and the metrics file, with time
//! driven by `GITSYNC_NOW` instead of sleeping.

use crate::harness::{GitRepo, Run, TestEnv};
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use std::collections::BTreeMap;

const T0: &str = "2024-01-01T00:00:00Z";

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(T0)
        .unwrap()
        .with_timezone(&Utc)
}

/// `T0` moved on by `secs`, as RFC 3339.
fn at(secs: i64) -> String {
    (t0() + Duration::seconds(secs)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn parse(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("not a time: {v}")))
        .unwrap()
        .with_timezone(&Utc)
}

/// Seconds from `T0` to a JSON timestamp.
fn since_t0(v: &Value) -> i64 {
    (parse(v) - t0()).num_seconds()
}

trait Clock {
    /// Fix "now" for the following calls, `secs` after `T0`.
    fn set_now(&mut self, secs: i64) -> &mut Self;
}

impl Clock for TestEnv {
    fn set_now(&mut self, secs: i64) -> &mut Self {
        self.env.retain(|(k, _)| k != "GITSYNC_NOW");
        self.env.push(("GITSYNC_NOW".into(), at(secs)));
        self
    }
}

/// An upstream fleet repo holding fixtures/fleet/v1.
fn upstream(env: &TestEnv, name: &str) -> GitRepo {
    let up = env.upstream(name);
    up.load_fixture("fleet/v1");
    up.commit("v1: first fleet");
    up
}

fn add(env: &TestEnv, name: &str, url: &str, flags: &[&str]) {
    let mut args = vec!["repo", "add", name, url];
    args.extend_from_slice(flags);
    env.run(&args).success();
}

/// `sync` with `-o json`, whatever its exit code; entries by repo name.
fn sync(env: &TestEnv, args: &[&str]) -> BTreeMap<String, Value> {
    let mut all = vec!["-o", "json", "sync"];
    all.extend_from_slice(args);
    let run = env.run(&all);
    run.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let name = e.get("repo").and_then(Value::as_str).unwrap();
            (name.to_string(), e.clone())
        })
        .collect()
}

fn repo_status(env: &TestEnv, name: &str) -> Value {
    env.json(&["status", name])["repos"][0].clone()
}

fn health(env: &TestEnv, name: &str) -> String {
    repo_status(env, name)["health"]
        .as_str()
        .unwrap()
        .to_string()
}

fn next_due(env: &TestEnv, name: &str) -> i64 {
    since_t0(&env.json(&["repo", "show", name])["next_due"])
}

/// A repo whose URL is a folder that does not exist: every sync fails.
fn add_missing(env: &TestEnv, name: &str, flags: &[&str]) -> String {
    let url = env.path().join("upstream").join(name).display().to_string();
    let mut all = vec!["--no-verify"];
    all.extend_from_slice(flags);
    add(env, name, &url, &all);
    url
}

// Guards: sync without names does only the due work; names, --all and
// --force override the timer and the pause as SPEC.md says.
#[test]
fn sync_without_names_syncs_only_the_repos_that_are_due() {
    let mut env = TestEnv::new();
    let up = upstream(&env, "fleet");
    add(&env, "five", &up.url(), &["--interval", "300"]);
    add(
        &env,
        "ten",
        &up.url(),
        &["--interval", "600", "--namespace", "ten"],
    );
    add(
        &env,
        "held",
        &up.url(),
        &["--namespace", "held", "--paused"],
    );

    env.set_now(0);
    let first = sync(&env, &[]);
    assert_eq!(first["five"]["status"], "success");
    assert_eq!(first["ten"]["status"], "success");
    assert_eq!(first["held"]["status"], "skipped");
    assert!(first["held"]["reason"].as_str().unwrap().contains("paused"));
    let (five_due, ten_due) = (next_due(&env, "five"), next_due(&env, "ten"));
    assert!((300..=360).contains(&five_due), "{five_due}");
    assert!((600..=660).contains(&ten_due), "{ten_due}");

    // A minute later nothing is due.
    env.set_now(60);
    let idle = sync(&env, &[]);
    assert!(idle.values().all(|e| e["status"] == "skipped"), "{idle:?}");
    assert!(
        idle["five"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("not due until"),
        "{idle:?}"
    );
    assert_eq!(env.run(&["sync", "-q"]).success().stderr, "");

    // At its due time only the five-minute repo runs.
    env.set_now(five_due);
    let due = sync(&env, &[]);
    assert_eq!(due["five"]["status"], "success");
    assert_eq!(due["ten"]["status"], "skipped");
    assert_eq!(due["held"]["status"], "skipped");

    // Names and --all sync now whatever the timer says; paused only forced.
    env.set_now(five_due + 1);
    assert_eq!(sync(&env, &["ten"])["ten"]["status"], "success");
    let all = sync(&env, &["--all"]);
    assert_eq!(all["five"]["status"], "success");
    assert_eq!(all["ten"]["status"], "success");
    assert_eq!(all["held"]["status"], "skipped");
    assert_eq!(sync(&env, &["held"])["held"]["status"], "skipped");
    assert_eq!(
        sync(&env, &["held", "--force"])["held"]["status"],
        "success"
    );
}

// Guards: next_due = now + interval + jitter, jitter in 0..=min(60, interval/4).
#[test]
fn jitter_stays_within_its_bounds() {
    let mut env = TestEnv::new();
    let up = upstream(&env, "fleet");
    add(&env, "minute", &up.url(), &["--interval", "60"]);
    add(
        &env,
        "hour",
        &up.url(),
        &["--interval", "3600", "--namespace", "h"],
    );
    env.set_now(0);
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..6 {
        sync(&env, &["--all"]);
        let minute = next_due(&env, "minute");
        assert!((60..=75).contains(&minute), "interval 60: {minute}");
        let hour = next_due(&env, "hour");
        assert!((3600..=3660).contains(&hour), "interval 3600: {hour}");
        seen.insert(hour);
    }
    assert!(seen.len() > 1, "the jitter is random: {seen:?}");
}

// Guards: a failing repo is retried on its due time with a capped
// exponential backoff, not every minute, and is back to its interval once
// it succeeds.
#[test]
fn a_failing_repo_backs_off_and_recovers_on_its_next_due_time() {
    let mut env = TestEnv::new();
    let url = add_missing(&env, "broken", &["--interval", "300"]);
    let mut now = 0;
    let mut failed_at = Vec::new();
    for expected_delay in [300, 600, 1200, 2400, 3600, 3600] {
        env.set_now(now);
        let out = sync(&env, &[]);
        assert_eq!(out["broken"]["status"], "failed", "{out:?}");
        failed_at.push(now);
        let due = next_due(&env, "broken");
        let delay = due - now;
        assert!(
            (expected_delay..=expected_delay + 60).contains(&delay),
            "after failure {}: delay {delay}, expected {expected_delay} + jitter",
            failed_at.len()
        );
        // Not hammered: every minute until then is a skip, exit 0.
        env.set_now(now + 60);
        env.run(&["sync", "-q"]).success();
        env.set_now(due - 1);
        let early = sync(&env, &[]);
        assert_eq!(early["broken"]["status"], "skipped");
        now = due;
    }
    let st = repo_status(&env, "broken");
    assert_eq!(st["health"], "failing");
    assert_eq!(st["consecutive_failures"], 6);
    let runs = env.json(&["runs", "--repo", "broken"]);
    assert_eq!(runs.as_array().unwrap().len(), 6);

    // The server is back: the next due sync succeeds and the interval returns.
    let up = env.upstream("broken");
    assert_eq!(up.url(), url);
    up.load_fixture("fleet/v1");
    up.commit("v1");
    env.set_now(now);
    assert_eq!(sync(&env, &[])["broken"]["status"], "success");
    let delay = next_due(&env, "broken") - now;
    assert!((300..=360).contains(&delay), "{delay}");
    assert_eq!(repo_status(&env, "broken")["consecutive_failures"], 0);
}

// Guards: each health word of SPEC.md, from recorded facts, at a moved clock.
#[test]
fn status_shows_every_health_word() {
    let mut env = TestEnv::new();
    let up = upstream(&env, "fleet");
    add(&env, "fleet", &up.url(), &["--interval", "300"]);
    add(
        &env,
        "held",
        &up.url(),
        &["--namespace", "held", "--paused"],
    );
    env.set_now(0);
    assert_eq!(health(&env, "fleet"), "never-synced");
    assert_eq!(health(&env, "held"), "paused");
    assert_eq!(repo_status(&env, "held")["next_due"], Value::Null);
    env.run(&["status", "--exit-code"]).code(3);

    sync(&env, &["fleet"]);
    let st = repo_status(&env, "fleet");
    assert_eq!(st["health"], "behind");
    assert_eq!(st["open_proposals"], 11);
    assert_eq!(st["remote"]["commit"], up.head());
    assert_eq!(st["remote"]["subject"], "v1: first fleet");
    assert_eq!(st["remote"]["author"], "Ada Author");
    assert!(
        st["remote"]["date"]
            .as_str()
            .unwrap()
            .starts_with("2024-01-01T00:00")
    );
    assert_eq!(st["applied"], Value::Null);
    assert_eq!(st["last_run"]["status"], "success");

    env.json(&["proposals", "approve", "--all", "--apply"]);
    assert_eq!(health(&env, "fleet"), "in-sync");
    assert_eq!(repo_status(&env, "fleet")["applied"]["commit"], up.head());
    env.run(&["status", "fleet", "--exit-code"]).success();

    // No successful sync for more than twice the interval: stale.
    env.set_now(2 * 300 - 5);
    assert_eq!(health(&env, "fleet"), "in-sync");
    env.set_now(2 * 300 + 5);
    assert_eq!(health(&env, "fleet"), "stale");
    env.run(&["status", "fleet", "--exit-code"]).code(3);

    // A failed run wins over stale, and shows its error.
    let moved = env.path().join("upstream/moved");
    std::fs::rename(&up.path, &moved).unwrap();
    let out = env.run(&["sync", "fleet"]).code(1);
    assert!(out.stderr.contains("fleet: failed:"), "{}", out.stderr);
    let st = repo_status(&env, "fleet");
    assert_eq!(st["health"], "failing");
    assert!(st["last_run"]["error"].as_str().unwrap().contains("fleet"));
    let text = env.run(&["status", "fleet"]).success().stdout;
    assert!(text.starts_with("fleet: failing\n"), "{text}");
    assert!(text.contains("  error      repo 'fleet'"), "{text}");

    // Paused wins over everything.
    env.run(&["repo", "pause", "fleet"]).success();
    assert_eq!(health(&env, "fleet"), "paused");
}

// Guards: the status text is one readable block per repo, with halts on top.
#[test]
fn status_text_is_one_block_per_repo() {
    let mut env = TestEnv::new();
    let up = upstream(&env, "fleet");
    add(&env, "fleet", &up.url(), &["--interval", "300"]);
    add_missing(&env, "gone", &["--namespace", "gone"]);
    env.set_now(0);
    env.run(&["sync"]);
    env.run(&["halt", "--reason", "change freeze"]).success();
    // The jitter is random: pin the recorded due times.
    let conn = rusqlite::Connection::open(env.state()).unwrap();
    conn.execute("UPDATE repos SET next_due = ?1", [at(330)])
        .unwrap();
    env.set_now(90);
    let out = env.run(&["status"]).success();
    insta::assert_snapshot!(env.normalize(&out), @r#"
    HALTED everything: change freeze (nothing there is auto-applied; 'gitsync unhalt' resumes)

    fleet: behind
      ref        main of $TEST/upstream/fleet, every 5m
      remote     [HASH] v1: first fleet
                 Ada Author, 2024-01-01T00:00:02Z
      applied    nothing fully applied yet
      last run   success 2024-01-01T00:00:00Z (1m 30s ago), run 1: 11 diff(s), 11 opened
      next due   2024-01-01T00:05:30Z (in 4m)
      proposals  11 open ('gitsync proposals list --repo fleet')

    gone: failing
      ref        main of $TEST/upstream/gone, every 5m
      remote     never fetched
      applied    nothing fully applied yet
      last run   failed 2024-01-01T00:00:00Z (1m 30s ago), run 2
      error      repo 'gone': cannot reach '$TEST/upstream/gone': Could not verify that "$TEST/upstream/gone" is a valid git directory before attempting to use it: Could not retrieve metadata of "$TEST/upstream/gone/.git": No such file or directory (os error 2)
      next due   2024-01-01T00:05:30Z (in 4m)
      proposals  none open
    "#);
    let json = env.json(&["status"]);
    assert_eq!(json["halted"], true);
    assert_eq!(json["halt_reason"], "change freeze");
}

// Guards: a run left `running` by a dead process is marked failed by the
// next invocation, whatever command it is.
#[test]
fn a_run_left_running_is_marked_failed_by_the_next_invocation() {
    let mut env = TestEnv::new();
    let up = upstream(&env, "fleet");
    add(&env, "fleet", &up.url(), &[]);
    env.set_now(0);
    sync(&env, &["fleet"]);
    let conn = rusqlite::Connection::open(env.state()).unwrap();
    conn.execute(
        "INSERT INTO runs (repo, status, started_at) VALUES ('fleet', 'running', ?1)",
        [at(10)],
    )
    .unwrap();
    env.set_now(20);
    let runs = env.json(&["runs"]);
    assert_eq!(runs[0]["status"], "failed", "{runs:#}");
    assert!(
        runs[0]["error"]
            .as_str()
            .unwrap()
            .starts_with("interrupted")
    );
    assert_eq!(runs[0]["finished_at"], at(20));
    assert_eq!(health(&env, "fleet"), "failing");
    let show = env
        .run(&["runs", "show", &runs[0]["id"].to_string()])
        .success();
    assert!(show.stdout.contains("interrupted"), "{}", show.stdout);
}

/// Run ids of a repo, oldest first.
fn run_ids(env: &TestEnv, repo: &str) -> Vec<i64> {
    let mut ids: Vec<i64> = env
        .json(&["runs", "--repo", repo, "--limit", "1000"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    ids.reverse();
    ids
}

const DAY: i64 = 86400;

// Guards: gc keeps successful runs 90 days and failed ones 365, configurable,
// and never deletes the newest run of a repo.
#[test]
fn gc_applies_retention_and_keeps_each_repos_newest_run() {
    let mut env = TestEnv::new();
    let up = upstream(&env, "fleet");
    add(&env, "fleet", &up.url(), &[]);
    add_missing(&env, "broken", &["--namespace", "b"]);
    for day in [0, 1, 2] {
        env.set_now(day * DAY);
        sync(&env, &["--all"]);
    }
    let (fleet, broken) = (run_ids(&env, "fleet"), run_ids(&env, "broken"));
    assert_eq!((fleet.len(), broken.len()), (3, 3));

    env.set_now(90 * DAY + DAY / 2);
    let dry = env.json(&["gc", "--dry-run"]);
    assert_eq!(dry["runs_deleted"], 1);
    assert_eq!(run_ids(&env, "fleet").len(), 3);
    env.json(&["gc"]);
    assert_eq!(run_ids(&env, "fleet"), fleet[1..]);
    assert_eq!(run_ids(&env, "broken"), broken);

    // Long past every cut-off, the newest run of each repo stays.
    env.set_now(1000 * DAY);
    let gone = env.json(&["gc"]);
    assert_eq!(gone["runs_deleted"], 3);
    assert_eq!(run_ids(&env, "fleet"), fleet[2..]);
    assert_eq!(run_ids(&env, "broken"), broken[2..]);
    assert_eq!(health(&env, "fleet"), "stale");
    assert_eq!(health(&env, "broken"), "failing");
}

#[test]
fn retention_is_configurable_by_flag_and_environment() {
    let mut env = TestEnv::new();
    add_missing(&env, "broken", &[]);
    for day in [0, 1, 2] {
        env.set_now(day * DAY);
        sync(&env, &["broken"]);
    }
    env.set_now(3 * DAY);
    assert_eq!(env.json(&["gc"])["runs_deleted"], 0);
    let dry = env.json(&["gc", "--dry-run", "--keep-failed-days", "2"]);
    assert_eq!(dry["runs_deleted"], 1);
    env.env
        .push(("GITSYNC_KEEP_FAILED_DAYS".into(), "1".into()));
    assert_eq!(env.json(&["gc"])["runs_deleted"], 2);
    let bad = env.run(&["gc", "--keep-failed-days", "0"]).code(2);
    assert!(bad.stderr.contains("--keep-failed-days"), "{}", bad.stderr);
}

// Guards: the cheap pass at the end of each sync prunes the synced repo's
// old runs with the same settings as gc, and only that repo's.
#[test]
fn each_sync_prunes_the_old_runs_of_the_repo_it_synced() {
    let mut env = TestEnv::new();
    let up = upstream(&env, "fleet");
    add(&env, "fleet", &up.url(), &[]);
    add(&env, "other", &up.url(), &["--namespace", "o"]);
    for day in [0, 1] {
        env.set_now(day * DAY);
        sync(&env, &["--all"]);
    }
    env.set_now(100 * DAY);
    env.env
        .push(("GITSYNC_KEEP_SUCCESS_DAYS".into(), "200".into()));
    sync(&env, &["fleet"]);
    assert_eq!(run_ids(&env, "fleet").len(), 3, "200 days keep them");
    env.env.pop();
    sync(&env, &["fleet"]);
    assert_eq!(run_ids(&env, "fleet").len(), 2, "the two runs of today");
    assert_eq!(run_ids(&env, "other").len(), 2, "not synced: left to gc");
    env.json(&["sync", "fleet", "--keep-success-days", "1"]);
    assert_eq!(run_ids(&env, "fleet").len(), 3);
}

/// A parsed exposition: `name{labels}` → value, checking the format.
fn parse_metrics(text: &str) -> BTreeMap<String, f64> {
    let mut samples = BTreeMap::new();
    let mut typed = std::collections::BTreeSet::new();
    let mut helped = std::collections::BTreeSet::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            helped.insert(rest.split(' ').next().unwrap().to_string());
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            assert_eq!(kind, "gauge", "{line}");
            assert!(
                typed.insert(name.to_string()),
                "one TYPE per family: {line}"
            );
            continue;
        }
        assert!(!line.starts_with('#'), "{line}");
        let (series, value) = line.rsplit_once(' ').unwrap();
        let name = series.split('{').next().unwrap();
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "metric name {name}"
        );
        assert!(
            typed.contains(name) && helped.contains(name),
            "HELP and TYPE before {line}"
        );
        let labels = &series[name.len()..];
        assert!(
            labels.is_empty() || (labels.starts_with('{') && labels.ends_with('}')),
            "{line}"
        );
        let value: f64 = value.parse().unwrap_or_else(|e| panic!("{line}: {e}"));
        assert!(
            samples.insert(series.to_string(), value).is_none(),
            "{line}"
        );
    }
    assert!(text.ends_with('\n'));
    samples
}

// Guards: --metrics-file (or GITSYNC_METRICS_FILE) writes Prometheus text
// after each sync, atomically, for node_exporter's textfile collector.
#[test]
fn sync_writes_a_metrics_file_that_parses() {
    let mut env = TestEnv::new();
    let up = upstream(&env, "fleet");
    add(&env, "fleet", &up.url(), &[]);
    add_missing(&env, "broken", &["--namespace", "b"]);
    add(&env, "held", &up.url(), &["--namespace", "h", "--paused"]);
    let dir = env.path().join("textfile");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("gitsync.prom");
    env.set_now(0);
    env.run(&["sync", "-q", "--metrics-file", file.to_str().unwrap()])
        .code(1);
    let m = parse_metrics(&std::fs::read_to_string(&file).unwrap());
    let get = |k: &str| *m.get(k).unwrap_or_else(|| panic!("no {k} in {m:#?}"));
    let t0 = t0().timestamp() as f64;
    assert_eq!(get("gitsync_halted"), 0.0);
    assert_eq!(
        get(r#"gitsync_last_run_status{repo="fleet",status="success"}"#),
        1.0
    );
    assert_eq!(
        get(r#"gitsync_last_run_status{repo="fleet",status="failed"}"#),
        0.0
    );
    assert_eq!(
        get(r#"gitsync_last_run_status{repo="broken",status="failed"}"#),
        1.0
    );
    assert_eq!(
        get(r#"gitsync_repo_health{repo="fleet",health="behind"}"#),
        1.0
    );
    assert_eq!(
        get(r#"gitsync_repo_health{repo="broken",health="failing"}"#),
        1.0
    );
    assert_eq!(
        get(r#"gitsync_repo_health{repo="held",health="paused"}"#),
        1.0
    );
    assert_eq!(get(r#"gitsync_open_proposals{repo="fleet"}"#), 11.0);
    assert_eq!(get(r#"gitsync_last_run_diffs{repo="fleet"}"#), 11.0);
    assert_eq!(
        get(r#"gitsync_last_run_timestamp_seconds{repo="fleet"}"#),
        t0
    );
    assert!(get(r#"gitsync_last_run_duration_seconds{repo="fleet"}"#) >= 0.0);
    assert_eq!(
        get(r#"gitsync_last_success_timestamp_seconds{repo="fleet"}"#),
        t0
    );
    assert!(!m.contains_key(r#"gitsync_last_success_timestamp_seconds{repo="broken"}"#));
    assert!(!m.contains_key(r#"gitsync_last_run_status{repo="held",status="success"}"#));
    assert_eq!(
        get(r#"gitsync_repo_consecutive_failures{repo="broken"}"#),
        1.0
    );
    let due = get(r#"gitsync_repo_next_due_timestamp_seconds{repo="fleet"}"#) - t0;
    assert!((300.0..=360.0).contains(&due), "{due}");

    // The environment variable works as well, and the file is replaced whole.
    env.run(&["halt", "--reason", "freeze"]).success();
    env.env
        .push(("GITSYNC_METRICS_FILE".into(), file.display().to_string()));
    env.set_now(60);
    env.run(&["sync", "-q"]).success();
    let m = parse_metrics(&std::fs::read_to_string(&file).unwrap());
    assert_eq!(m["gitsync_halted"], 1.0);
    assert_eq!(m["gitsync_metrics_timestamp_seconds"], t0 + 60.0);
    let names: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(names.len(), 1, "no temporary file left in the folder");

    // A metrics file that cannot be written is an error that says where.
    env.env.pop();
    let missing = env.path().join("nowhere/gitsync.prom");
    let out = env
        .run(&["sync", "--metrics-file", missing.to_str().unwrap()])
        .code(1);
    assert!(
        out.stderr.contains("cannot write the metrics file"),
        "{}",
        out.stderr
    );
}

// Guards: no progress in captured output; -q is silent; -v says what was
// fetched, parsed and decided.
#[test]
fn feedback_is_one_line_per_repo_with_details_under_verbose() {
    let mut env = TestEnv::new();
    let up = upstream(&env, "fleet");
    add(&env, "fleet", &up.url(), &[]);
    env.set_now(0);
    let out = env.run(&["sync"]).success();
    assert_eq!(out.stdout, "");
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", out.stderr);
    assert!(lines[0].starts_with("fleet: success at "), "{}", out.stderr);
    assert!(!out.stderr.contains('\r') && !out.stderr.contains('\x1b'));

    env.set_now(1);
    assert_eq!(env.run(&["sync", "fleet", "-q"]).success().stderr, "");

    up.load_fixture("fleet/v2");
    up.commit("v2");
    env.set_now(2);
    let verbose = env.run(&["sync", "fleet", "-v"]).success().stderr;
    for expected in [
        "fleet: fetching main from",
        "fleet: main at ",
        "fleet:   create module default/nginx-public (from fleet.yaml)",
        " superseded, ",
        "fleet: proposals: ",
        "; next due 2024-01-01T00:0",
    ] {
        assert!(verbose.contains(expected), "{expected:?} in\n{verbose}");
    }
    env.set_now(3);
    let skipped = env.run(&["sync", "-v"]).success().stderr;
    assert!(
        skipped.contains("fleet: skipped: not due until"),
        "{skipped}"
    );
}

// Guards: the unit files of contrib/systemd pass systemd-analyze verify.
#[test]
fn systemd_units_pass_verify() {
    let Ok(probe) = std::process::Command::new("systemd-analyze")
        .arg("--version")
        .output()
    else {
        eprintln!("systemd-analyze is not installed: skipped");
        return;
    };
    assert!(probe.status.success());
    let env = TestEnv::new();
    let contrib = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/systemd");
    // verify checks that ExecStart= exists: point it at the binary under test.
    let service = std::fs::read_to_string(contrib.join("gitsync.service"))
        .unwrap()
        .replace("/usr/local/bin/gitsync", env!("CARGO_BIN_EXE_gitsync"));
    assert!(service.contains("ExecStart=") && service.contains(" sync -q"));
    std::fs::write(env.path().join("gitsync.service"), service).unwrap();
    std::fs::copy(
        contrib.join("gitsync.timer"),
        env.path().join("gitsync.timer"),
    )
    .unwrap();
    let out = std::process::Command::new("systemd-analyze")
        .args(["verify", "--man=no", "gitsync.service", "gitsync.timer"])
        .current_dir(env.path())
        .output()
        .unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

// Guards: the man page documents cron, the systemd timer and GITSYNC_NOW.
#[test]
fn man_page_documents_scheduling_and_the_testing_clock() {
    let env = TestEnv::new();
    let man: Run = env.run(&["man"]).success();
    for expected in [
        "* * * * * gitsync sync \\-q",
        "gitsync.timer",
        "GITSYNC_NOW",
        "GITSYNC_METRICS_FILE",
        "GITSYNC_KEEP_SUCCESS_DAYS",
    ] {
        assert!(
            man.stdout.contains(expected),
            "{expected:?} in the man page"
        );
    }
}

// Guards: a timer set by a wrong clock (years ahead) does not stop
// scheduled syncs once the clock is right again.
#[test]
fn a_clock_that_went_back_does_not_stop_scheduled_syncs() {
    let mut env = TestEnv::new();
    let up = upstream(&env, "fleet");
    add(&env, "fleet", &up.url(), &[]);
    env.set_now(10 * 365 * 24 * 3600);
    sync(&env, &[]);
    env.set_now(0);
    let entries = sync(&env, &[]);
    assert_eq!(entries["fleet"]["status"], "success", "{entries:#?}");
    let due = next_due(&env, "fleet");
    assert!((300..=360).contains(&due), "next due {due}s after now");
}

// Guards: a shorter interval takes effect at once, not after the old timer.
#[test]
fn changing_the_interval_reschedules_the_repo() {
    let mut env = TestEnv::new();
    let up = upstream(&env, "fleet");
    add(&env, "fleet", &up.url(), &["--interval", "86400"]);
    env.set_now(0);
    sync(&env, &[]);
    env.run(&["repo", "pause", "fleet"]).success();
    env.run(&["repo", "set", "fleet", "--interval", "60"])
        .success();
    env.run(&["repo", "resume", "fleet"]).success();
    env.set_now(120);
    let entries = sync(&env, &[]);
    assert_eq!(entries["fleet"]["status"], "success", "{entries:#?}");
}
