//! Every numeric setting has a range, enforced where it is parsed: a value
//! outside it is a usage error naming the setting, the value and the range,
//! and nothing is written. No setting can overflow a date or brick the
//! state file.

use crate::fleet::fleet_env;
use crate::harness::TestEnv;

#[test]
fn out_of_range_flags_are_usage_errors_naming_flag_value_and_range() {
    let (env, up) = fleet_env(&[]);
    let url = up.url();
    let before = env.json(&["repo", "show", "fleet"]);
    let cases: &[(&[&str], &str)] = &[
        (&["--interval", "300000000000"], "60 to 31536000 seconds"),
        (&["--interval", "59"], "60 to 31536000 seconds"),
        (&["--interval", "1.5"], "60 to 31536000 seconds"),
        (
            &["--hook-timeout", "18446744073709551615"],
            "1 to 86400 seconds",
        ),
        (&["--hook-timeout", "0"], "1 to 86400 seconds"),
        (&["--max-attempts", "0"], "1 to 100 attempts"),
        (
            &["--max-proposals", "99999999999"],
            "0 to 1000000 proposals",
        ),
    ];
    env.run(&["repo", "pause", "fleet"]).success();
    for (flags, range) in cases {
        for cmd in [
            &["repo", "add", "other", url.as_str()][..],
            &["repo", "set", "fleet"],
        ] {
            let mut args = cmd.to_vec();
            args.extend_from_slice(flags);
            let run = env.run(&args).code(2);
            assert!(
                run.stderr.contains(flags[0]) && run.stderr.contains(flags[1]),
                "{args:?}: {}",
                run.stderr
            );
            assert!(run.stderr.contains(range), "{args:?}: {}", run.stderr);
        }
    }
    let mut after = env.json(&["repo", "show", "fleet"]);
    after["paused"] = before["paused"].clone();
    assert_eq!(after, before, "nothing was changed");
    assert_eq!(env.json(&["repo", "list"]).as_array().unwrap().len(), 1);
    for args in [
        &["gc", "--keep-failed-days", "0"][..],
        &["gc", "--keep-success-days", "36501"],
        &["runs", "--limit", "0"],
        &["events", "--limit", "99999999999999999999"],
    ] {
        let run = env.run(args).code(2);
        assert!(run.stderr.contains(args[1]), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn out_of_range_environment_variables_are_usage_errors() {
    let (env, _up) = fleet_env(&[]);
    for (var, value) in [
        ("GITSYNC_COMPILE_TIMEOUT", "1e20"),
        ("GITSYNC_COMPILE_TIMEOUT", "abc"),
        ("GITSYNC_MIRROR_MAX_PACKS", "-1"),
        ("GITSYNC_MIRROR_MAX_PACKS", "0"),
        ("GITSYNC_LOCK_WAIT", "1e300"),
        ("GITSYNC_LOCK_WAIT", "NaN"),
        ("GITSYNC_MAX_PROPOSALS_PER_RUN", "-5"),
        ("GITSYNC_KEEP_FAILED_DAYS", "0"),
    ] {
        let mut cmd = env.command(&["sync", "fleet"]);
        cmd.env(var, value);
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{var}={value}: {stderr}");
        assert!(stderr.contains(value), "{var}={value}: {stderr}");
        assert!(
            stderr.contains(var) || stderr.contains("--keep-failed-days"),
            "{var}={value}: {stderr}"
        );
    }
    assert_eq!(env.json(&["runs"]), serde_json::json!([]), "no sync ran");
}

#[test]
fn the_longest_interval_and_backoff_keep_every_command_working() {
    // Guards the bricking found by the hostile pass: a huge interval or a
    // long failure backoff once wrote a next-due date past year 9999, after
    // which no command could read the state file.
    let mut env = TestEnv::new();
    let up = env.upstream("fleet");
    up.write("fleet.yaml", "modules: [not, a, mapping]\n");
    up.commit("broken");
    env.run(&["repo", "add", "fleet", &up.url(), "--interval", "31536000"])
        .success();
    env.env
        .push(("GITSYNC_NOW".into(), "9999-06-01T00:00:00Z".into()));
    for _ in 0..3 {
        env.run(&["sync", "--all"]).code(1);
    }
    for args in [
        &["status"][..],
        &["repo", "list"],
        &["runs"],
        &["sync", "-q"],
    ] {
        let run = env.run(args);
        assert!(run.code == 0 || run.code == 1, "{args:?}: {run:?}");
        assert!(!run.stderr.contains("cannot be read"), "{args:?}: {run:?}");
    }
    let due = env.json(&["repo", "show", "fleet"])["next_due"].clone();
    assert_eq!(due, "9999-12-31T23:59:59Z");
}

#[test]
fn a_next_due_date_an_older_gitsync_wrote_past_9999_no_longer_bricks_the_state() {
    let (env, _up) = fleet_env(&[]);
    env.json(&["sync", "fleet"]);
    let conn = rusqlite::Connection::open(env.state()).unwrap();
    conn.execute(
        "UPDATE repos SET next_due = '+11478-02-03T04:05:06Z' WHERE name = 'fleet'",
        [],
    )
    .unwrap();
    drop(conn);
    env.run(&["status"]).success();
    env.run(&["repo", "list"]).success();
    // The unreadable date means "due now": cron's sync runs it and heals it.
    let runs = env.json(&["sync"]);
    assert_eq!(runs[0]["repo"], "fleet");
    assert_ne!(runs[0]["status"], "skipped", "{runs:#}");
    let due = env.json(&["repo", "show", "fleet"])["next_due"].clone();
    assert!(due.as_str().unwrap().starts_with("20"), "{due}");
}
