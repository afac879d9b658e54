//! A careless operator: every numeric flag and variable at and past its
//! range, clocks far in the past and future, state files that are not
//! state files, refs that look like options, bad repo names and hook specs,
//! and text too long to show.

use super::{Area, Case, accepted, refused};
use crate::harness::fixtures;

fn area() -> Area {
    let base = std::fs::read_to_string(fixtures().join("fleet/v1/fleet.yaml")).unwrap();
    Area::new("fleet", &[("fleet.yaml", &base)], &[])
}

/// `repo add other URL FLAGS...`, refused as a usage error naming `needles`.
fn add(name: &'static str, url: &str, flags: &[&str], needles: &[&str]) -> Case {
    let mut args = vec!["repo", "add", "other", url];
    args.extend_from_slice(flags);
    Case::new(name, vec![], &args, refused(2, needles))
}

fn usage(name: &'static str, args: &[&str], needles: &[&str]) -> Case {
    Case::new(name, vec![], args, refused(2, needles))
}

fn range_cases(url: &str) -> Vec<Case> {
    vec![
        add(
            "--interval one past a year",
            url,
            &["--interval", "31536001"],
            &["--interval", "31536001", "60 to 31536000 seconds"],
        ),
        add(
            "--interval -1",
            url,
            &["--interval", "-1"],
            &["--interval", "-1", "60 to 31536000 seconds"],
        ),
        add(
            "--interval in hex",
            url,
            &["--interval", "0x3c"],
            &["--interval", "0x3c"],
        ),
        add(
            "--interval with a unit",
            url,
            &["--interval", "5m"],
            &["--interval", "5m"],
        ),
        add(
            "--max-proposals one past a million",
            url,
            &["--max-proposals", "1000001"],
            &["--max-proposals", "0 to 1000000 proposals"],
        ),
        add(
            "--max-proposals -1",
            url,
            &["--max-proposals", "-1"],
            &["--max-proposals", "0 to 1000000 proposals"],
        ),
        add(
            "--hook-timeout one past a day",
            url,
            &["--hook-timeout", "86401"],
            &["--hook-timeout", "1 to 86400 seconds"],
        ),
        add(
            "--max-attempts 101",
            url,
            &["--max-attempts", "101"],
            &["--max-attempts", "1 to 100 attempts"],
        ),
        usage(
            "runs --limit one past a million",
            &["runs", "--limit", "1000001"],
            &["--limit", "1 to 1000000 rows"],
        ),
        usage(
            "events --limit -1",
            &["events", "--limit", "-1"],
            &["--limit", "1 to 1000000 rows"],
        ),
        usage(
            "gc --keep-failed-days 36501",
            &["gc", "--keep-failed-days", "36501"],
            &["--keep-failed-days", "1 to 36500 days"],
        ),
        usage(
            "gc --keep-success-days 2^64",
            &["gc", "--keep-success-days", "18446744073709551616"],
            &["--keep-success-days"],
        ),
        usage(
            "gc --keep-failed-days -1",
            &["gc", "--keep-failed-days", "-1"],
            &["--keep-failed-days", "1 to 36500 days"],
        ),
        usage(
            "proposals show past u64",
            &["proposals", "show", "18446744073709551616"],
            &["18446744073709551616"],
        ),
        usage(
            "proposals approve -1",
            &["proposals", "approve", "-1"],
            &["-1"],
        ),
        usage("runs show 0", &["runs", "show", "0"], &["0"]),
        Case::new(
            "GITSYNC_LOCK_WAIT one past an hour",
            vec![],
            &["sync", "fleet"],
            refused(2, &["GITSYNC_LOCK_WAIT", "3601"]),
        )
        .env("GITSYNC_LOCK_WAIT", "3601"),
        Case::new(
            "GITSYNC_COMPILE_TIMEOUT 0",
            vec![],
            &["sync", "fleet"],
            refused(2, &["GITSYNC_COMPILE_TIMEOUT", "1 to 86400 seconds"]),
        )
        .env("GITSYNC_COMPILE_TIMEOUT", "0"),
        Case::new(
            "GITSYNC_MIRROR_MAX_PACKS 10001",
            vec![],
            &["sync", "fleet"],
            refused(2, &["GITSYNC_MIRROR_MAX_PACKS", "10001"]),
        )
        .env("GITSYNC_MIRROR_MAX_PACKS", "10001"),
        Case::new(
            "GITSYNC_MAX_PROPOSALS_PER_RUN past u64",
            vec![],
            &["sync", "fleet"],
            refused(2, &["GITSYNC_MAX_PROPOSALS_PER_RUN"]),
        )
        .env("GITSYNC_MAX_PROPOSALS_PER_RUN", "99999999999999999999"),
        Case::new(
            "GITSYNC_KEEP_SUCCESS_DAYS past u64",
            vec![],
            &["gc"],
            refused(2, &["18446744073709551616"]),
        )
        .env("GITSYNC_KEEP_SUCCESS_DAYS", "18446744073709551616"),
    ]
}

fn clock_and_state_cases(area: &Area) -> Vec<Case> {
    let dir = area.env.path();
    let folder = dir.join("a-folder");
    std::fs::create_dir_all(&folder).unwrap();
    let garbage = dir.join("garbage.db");
    std::fs::write(&garbage, vec![0x9bu8; 4096]).unwrap();
    let newer = dir.join("newer.db");
    std::fs::copy(area.env.state(), &newer).unwrap();
    rusqlite::Connection::open(&newer)
        .unwrap()
        .execute("UPDATE schema_version SET version = 999", [])
        .unwrap();
    let state =
        |case: Case, path: &std::path::Path| case.env("GITSYNC_STATE", path.to_str().unwrap());
    vec![
        Case::new(
            "GITSYNC_NOW in year 1",
            vec![],
            &["status"],
            accepted(&["fleet"]),
        )
        .env("GITSYNC_NOW", "0001-01-01T00:00:00Z"),
        Case::new(
            "GITSYNC_NOW at the end of 9999",
            vec![],
            &["status"],
            accepted(&["fleet"]),
        )
        .env("GITSYNC_NOW", "9999-12-31T23:59:59Z"),
        Case::new(
            "GITSYNC_NOW past year 9999",
            vec![],
            &["status"],
            refused(2, &["GITSYNC_NOW", "+275760-09-13T00:00:00Z"]),
        )
        .env("GITSYNC_NOW", "+275760-09-13T00:00:00Z"),
        Case::new(
            "GITSYNC_NOW not a time",
            vec![],
            &["status"],
            refused(2, &["GITSYNC_NOW", "yesterday"]),
        )
        .env("GITSYNC_NOW", "yesterday"),
        Case::new(
            "GITSYNC_NOW with an escape",
            vec![],
            &["status"],
            refused(2, &["GITSYNC_NOW", "\\e[2J"]),
        )
        .env("GITSYNC_NOW", "\u{1b}[2J"),
        Case::new(
            "a sync in year 1",
            vec![],
            &["sync", "fleet"],
            refused(0, &[]),
        )
        .env("GITSYNC_NOW", "0001-01-01T00:00:00Z"),
        Case::new(
            "a sync at the end of 9999",
            vec![],
            &["sync", "fleet"],
            refused(0, &[]),
        )
        .env("GITSYNC_NOW", "9999-12-31T23:59:59Z"),
        state(
            Case::new(
                "GITSYNC_STATE a folder",
                vec![],
                &["status"],
                refused(1, &["a-folder", "it is a directory"]),
            ),
            &folder,
        ),
        state(
            Case::new(
                "GITSYNC_STATE /dev/null",
                vec![],
                &["status"],
                refused(1, &["/dev/null"]),
            ),
            std::path::Path::new("/dev/null"),
        ),
        state(
            Case::new(
                "GITSYNC_STATE not SQLite",
                vec![],
                &["status"],
                refused(1, &["garbage.db", "file is not a database"]),
            ),
            &garbage,
        ),
        state(
            Case::new(
                "GITSYNC_STATE of a newer gitsync",
                vec![],
                &["status"],
                refused(1, &["newer.db", "schema version 999", "upgrade gitsync"]),
            ),
            &newer,
        ),
        state(
            Case::new(
                "a sync into a newer state file",
                vec![],
                &["sync", "fleet"],
                refused(1, &["newer.db", "schema version 999"]),
            ),
            &newer,
        ),
    ]
}

fn name_and_ref_cases(url: &str) -> Vec<Case> {
    let long = "a".repeat(64);
    let huge = "r".repeat(131_000);
    vec![
        add(
            "--ref that looks like a flag",
            url,
            &["--ref", "-x"],
            &["invalid --ref", "-x"],
        ),
        add(
            "--ref --upload-pack=evil",
            url,
            &["--ref=--upload-pack=evil"],
            &["invalid --ref"],
        ),
        add(
            "--ref refs/../..",
            url,
            &["--ref", "refs/../.."],
            &["invalid --ref"],
        ),
        add("--ref tag:", url, &["--ref", "tag:"], &["invalid --ref"]),
        add(
            "--ref commit:zz",
            url,
            &["--ref", "commit:zz"],
            &["invalid --ref"],
        ),
        add(
            "--ref commit: of 39 digits",
            url,
            &["--ref", "commit:0123456789012345678901234567890123456"],
            &["invalid --ref"],
        ),
        add(
            "--ref with ESC",
            url,
            &["--ref", "ma\u{1b}[2Jin"],
            &["invalid --ref", "\\e[2J"],
        ),
        usage(
            "a repo name in uppercase",
            &["repo", "add", "Fleet2", url],
            &["invalid repo name"],
        ),
        usage(
            "a repo name with unicode",
            &["repo", "add", "flëet", url],
            &["invalid repo name"],
        ),
        usage(
            "a repo name of 64 characters",
            &["repo", "add", &long, url],
            &["invalid repo name"],
        ),
        usage(
            "a repo name starting with '-'",
            &["repo", "add", "--", "-fleet", url],
            &["invalid repo name"],
        ),
        usage(
            "a repo name '..'",
            &["repo", "add", "..", url],
            &["invalid repo name"],
        ),
        usage(
            "a repo name with a slash",
            &["repo", "add", "a/b", url],
            &["invalid repo name"],
        ),
        add(
            "an apply hook without '='",
            url,
            &["--apply-hook", "module"],
            &["--apply-hook", "KIND=COMMAND"],
        ),
        add(
            "an apply hook without a kind",
            url,
            &["--apply-hook", "=/bin/true"],
            &["--apply-hook"],
        ),
        add(
            "an apply hook without a command",
            url,
            &["--apply-hook", "module="],
            &["--apply-hook"],
        ),
        add(
            "an apply hook of an unclosed quote",
            url,
            &["--apply-hook", "module=sh -c 'x"],
            &["--apply-hook"],
        ),
        add(
            "an apply hook for a kind the layout never applies",
            url,
            &["--apply-hook", "flow=/bin/true"],
            &["flow"],
        ),
        usage(
            "a halt reason of 128 KiB",
            &["halt", "--reason", &huge],
            &["--reason is 131000 characters; give at most 1000"],
        ),
        usage(
            "a reject reason of 128 KiB",
            &["proposals", "reject", "1", "--reason", &huge],
            &["--reason is 131000 characters; give at most 1000"],
        ),
        usage(
            "a reviewer name of 128 KiB",
            &["proposals", "approve", "--all", "--by", &huge],
            &["--by is 131000 characters; give at most 1000"],
        ),
        usage(
            "an ignoring reviewer of 1,001 characters",
            &["proposals", "ignore", "1", "--by", &"b".repeat(1_001)],
            &["--by is 1001 characters; give at most 1000"],
        ),
        usage(
            "a halt reason that is empty",
            &["halt", "--reason", ""],
            &["--reason"],
        ),
        Case::new(
            "a namespace with ESC",
            vec![],
            &["get", "--namespace", "x\u{1b}[2J"],
            accepted(&["NAMESPACE"]),
        ),
    ]
}

#[test]
fn out_of_range_flags_and_variables_are_usage_errors() {
    let area = area();
    let url = area.up.url();
    area.check(range_cases(&url));
}

#[test]
fn far_clocks_and_bad_state_files_fail_cleanly_and_touch_nothing() {
    let area = area();
    let cases = clock_and_state_cases(&area);
    area.check(cases);
}

#[test]
fn hostile_refs_names_hooks_and_reasons_are_refused() {
    let area = area();
    let url = area.up.url();
    area.check(name_and_ref_cases(&url));
}
