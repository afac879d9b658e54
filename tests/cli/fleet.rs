//! The core reconciler end to end on the fleet layout: sync, review, apply,
//! every command's output and exit codes, untrusted content, refs and mirrors.
//! The proposal lifecycle rules are in `lifecycle.rs`.

use crate::harness::{GitRepo, TestEnv};
use serde_json::Value;

/// An environment with one upstream repo holding fixtures/fleet/v1,
/// registered as `fleet`.
pub fn fleet_env(extra_add_flags: &[&str]) -> (TestEnv, GitRepo) {
    let env = TestEnv::new();
    let up = env.upstream("fleet");
    up.load_fixture("fleet/v1");
    up.commit("v1: first fleet");
    let url = up.url();
    let mut args = vec!["repo", "add", "fleet", url.as_str()];
    args.extend_from_slice(extra_add_flags);
    env.run(&args).success();
    (env, up)
}

fn ids(v: &Value) -> Vec<i64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect()
}

pub fn find<'a>(list: &'a Value, kind: &str, name: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == kind && p["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name} in {list:#}"))
}

#[test]
fn first_sync_opens_a_proposal_per_resource_and_applies_after_approval() {
    let (env, up) = fleet_env(&[]);
    let runs = env.json(&["sync", "fleet"]);
    let run = &runs[0];
    assert_eq!(run["status"], "success");
    assert_eq!(run["revision"], up.head());
    assert_eq!(run["diff_count"], 11);
    assert_eq!(run["opened"].as_array().unwrap().len(), 11);
    assert_eq!(run["summary"]["assignment"], 4);
    // Nothing is live before approval.
    assert_eq!(env.json(&["get"]), serde_json::json!([]));
    let open = env.json(&["proposals", "list"]);
    assert!(
        open.as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] == "pending_review")
    );
    let applied = env.json(&["proposals", "approve", "--all", "--apply"]);
    assert!(
        applied
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] == "applied"),
        "{applied:#}"
    );
    let live = env.json(&["get", "module", "nginx-public"]);
    assert_eq!(live[0]["spec"]["config"]["nginx_workers"], 4);
    assert_eq!(live[0]["origin"]["repo"], "fleet");
    assert_eq!(live[0]["origin"]["commit"], up.head());
    // A template's spec holds only its diff scope.
    let t = env.json(&["get", "template", "web-server"]);
    assert!(t[0]["spec"].get("instance_type").is_none(), "{t:#}");
    // provider_configs are never proposed nor applied.
    assert_eq!(env.json(&["get", "provider_config"]), serde_json::json!([]));
    let status = env.json(&["status"]);
    assert_eq!(status["repos"][0]["health"], "in-sync");
    assert_eq!(status["repos"][0]["applied"]["commit"], up.head());
    assert_eq!(status["repos"][0]["applied"]["subject"], "v1: first fleet");
}

#[test]
fn second_commit_proposes_updates_and_destroys_in_a_safe_order() {
    let (env, up) = fleet_env(&[]);
    env.json(&["sync", "fleet"]);
    env.json(&["proposals", "approve", "--all", "--apply"]);
    up.load_fixture("fleet/v2");
    up.commit("v2: more workers, exporter gone");
    let run = &env.json(&["sync", "fleet"])[0];
    assert_eq!(run["status"], "success");
    let open = env.json(&["proposals", "list"]);
    let change = |kind, name| {
        find(&open, kind, name)["change"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(change("module", "nginx-public"), "update");
    assert_eq!(change("template", "web-server"), "update");
    assert_eq!(change("pool", "web"), "update");
    assert_eq!(change("module", "node-exporter"), "destroy");
    assert_eq!(change("assignment", "app-01:node-exporter"), "destroy");
    assert_eq!(change("assignment", "app-02:nginx-public"), "destroy");
    assert_eq!(open.as_array().unwrap().len(), 6);
    let show = env.json(&[
        "proposals",
        "show",
        &find(&open, "module", "nginx-public")["id"].to_string(),
    ]);
    assert_eq!(show["base"]["config"]["nginx_workers"], 4);
    assert_eq!(show["desired"]["config"]["nginx_workers"], 8);
    assert!(
        show["diff"]
            .as_str()
            .unwrap()
            .contains("+  nginx_workers: 8"),
        "{}",
        show["diff"]
    );
    // Approving everything at once still destroys the assignment before its module.
    let applied = env.json(&["proposals", "approve", "--all", "--apply"]);
    assert!(
        applied
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] == "applied"),
        "{applied:#}"
    );
    assert_eq!(
        env.json(&["get", "module", "node-exporter"]),
        serde_json::json!([])
    );
    let history = env.json(&["history", "module", "nginx-public"]);
    assert_eq!(history.as_array().unwrap().len(), 2);
    assert_eq!(history[0]["change"], "update");
    assert_eq!(history[0]["approved_by"], "tester");
    assert_eq!(history[1]["change"], "create");
    // Applied changes are never proposed again.
    let run = &env.json(&["sync", "fleet"])[0];
    assert_eq!(run["diff_count"], 0);
    assert_eq!(env.json(&["status"])["repos"][0]["health"], "in-sync");
}

#[test]
fn validation_errors_fail_the_run_and_leave_live_state_untouched() {
    let (env, up) = fleet_env(&[]);
    env.json(&["sync", "fleet"]);
    env.json(&["proposals", "approve", "--all", "--apply"]);
    let live_before = env.json(&["get"]);
    let history_before = env.json(&["history", "module", "nginx-public"]);
    up.load_fixture("fleet/invalid");
    up.commit("broken");
    let out = env.run(&["sync", "fleet"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.contains("modules.nginx-public.priority"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("unknown top-level key 'modulez'"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("assignments.app-09:missing"),
        "{}",
        out.stderr
    );
    let runs = env.json(&["runs", "--repo", "fleet"]);
    assert_eq!(runs[0]["status"], "failed");
    assert!(runs[0]["error"].as_str().unwrap().contains("fleet.yaml"));
    assert_eq!(env.json(&["get"]), live_before);
    assert_eq!(
        env.json(&["history", "module", "nginx-public"]),
        history_before
    );
    assert_eq!(env.json(&["proposals", "list"]), serde_json::json!([]));
    assert_eq!(env.json(&["status"])["repos"][0]["health"], "failing");
}

#[test]
fn a_force_pushed_branch_is_followed() {
    let (env, up) = fleet_env(&[]);
    env.json(&["sync", "fleet"]);
    let text = std::fs::read_to_string(up.path.join("fleet.yaml")).unwrap();
    up.write(
        "fleet.yaml",
        &text.replace("nginx_workers: 4", "nginx_workers: 5"),
    );
    let five = up.commit("five");
    env.json(&["sync", "fleet"]);
    // Rewrite history: drop "five", commit "seven" on top of v1.
    up.git(&["reset", "-q", "--hard", "HEAD~1"]);
    up.write(
        "fleet.yaml",
        &text.replace("nginx_workers: 4", "nginx_workers: 7"),
    );
    let seven = up.commit("seven");
    assert_ne!(five, seven);
    let run = env.json(&["sync", "fleet"])[0].clone();
    assert_eq!(run["revision"], seven);
    let p = find(&env.json(&["proposals", "list"]), "module", "nginx-public").clone();
    assert_eq!(p["commit"], seven);
    let show = env.json(&["proposals", "show", &p["id"].to_string()]);
    assert_eq!(show["desired"]["config"]["nginx_workers"], 7);
}

#[test]
fn diff_exit_code_tells_whether_there_are_differences() {
    let (env, _up) = fleet_env(&["--auto-apply"]);
    let out = env.run(&["diff", "--exit-code"]);
    assert_eq!(out.code, 3, "{out:?}");
    // A dry run opens nothing and writes no live state.
    assert_eq!(
        env.json(&["proposals", "list", "--status", "all"]),
        serde_json::json!([])
    );
    assert_eq!(env.json(&["get"]), serde_json::json!([]));
    let d = env.json(&["diff"]);
    assert_eq!(d[0]["repo"], "fleet");
    let diffs = d[0]["diffs"].as_array().unwrap();
    assert!(
        diffs
            .iter()
            .any(|x| x["change"] == "informational" && x["kind"] == "provider_config")
    );
    for key in [
        "namespace",
        "kind",
        "name",
        "change",
        "base",
        "desired",
        "diff",
    ] {
        assert!(diffs[0].get(key).is_some(), "diff entry lacks {key}");
    }
    env.json(&["sync", "fleet"]);
    env.run(&["diff", "--exit-code"]).success();
    env.run(&["diff", "--exit-code", "--offline"]).success();
}

#[test]
fn json_output_has_the_promised_keys() {
    let (env, _up) = fleet_env(&[]);
    let repo = env.json(&["repo", "show", "fleet"]);
    for key in [
        "name",
        "url",
        "ref",
        "path",
        "layout",
        "namespace",
        "interval",
        "auto_apply",
        "max_proposals",
        "paused",
    ] {
        assert!(repo.get(key).is_some(), "repo lacks {key}");
    }
    let run = env.json(&["sync", "fleet"])[0].clone();
    for key in [
        "id",
        "repo",
        "status",
        "started_at",
        "finished_at",
        "revision",
        "diff_count",
        "opened",
        "auto_applied",
        "failed",
        "remaining",
        "summary",
        "error",
    ] {
        assert!(run.get(key).is_some(), "run lacks {key}");
    }
    let p = env.json(&["proposals", "list"])[0].clone();
    for key in [
        "id",
        "repo",
        "namespace",
        "kind",
        "name",
        "change",
        "status",
        "commit",
        "created_at",
        "reviewed_by",
        "reviewed_at",
        "auto_applied",
        "reason",
    ] {
        assert!(p.get(key).is_some(), "proposal lacks {key}");
    }
    let status = env.json(&["status"]);
    for key in [
        "name",
        "health",
        "paused",
        "ref",
        "remote",
        "applied",
        "last_run",
        "next_due",
        "open_proposals",
        "recovery",
    ] {
        assert!(
            status["repos"][0].get(key).is_some(),
            "status repo lacks {key}"
        );
    }
    assert_eq!(status["repos"][0]["health"], "behind");
    let ids_opened = ids(&env.json(&["proposals", "list"]));
    assert_eq!(ids_opened.len(), 11);
}

#[test]
fn unknown_repo_and_proposal_are_usage_errors() {
    let (env, _up) = fleet_env(&["--no-verify"]);
    let out = env.run(&["sync", "nope"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("no repo named 'nope'"),
        "{}",
        out.stderr
    );
    assert_eq!(env.run(&["proposals", "show", "42"]).code, 2);
    assert_eq!(env.run(&["proposals", "approve", "42"]).code, 2);
}

#[test]
fn repo_add_refuses_bad_input_with_a_clear_error() {
    let env = TestEnv::new();
    let up = env.upstream("r");
    up.load_fixture("fleet/v1");
    up.commit("v1");
    let cases: &[(&[&str], &str)] = &[
        (&["repo", "add", "Bad_Name", "/x"], "invalid repo name"),
        (
            &["repo", "add", "r", "https://user:secret@example.com/r.git"],
            "carries credentials",
        ),
        (
            &["repo", "add", "r", &up.url(), "--interval", "10"],
            "from 60 to 31536000 seconds",
        ),
        (&["repo", "add", "r", &up.url(), "--path", "../up"], "'..'"),
        // One path rule for add and sync: what add accepts, sync reads.
        (
            &["repo", "add", "r", &up.url(), "--path", "conf\\prod"],
            "no '\\' or control character",
        ),
        (
            &["repo", "add", "r", &up.url(), "--ref", "no such"],
            "invalid --ref",
        ),
        (
            &["repo", "add", "r", &up.url(), "--ref", "nope"],
            "not found",
        ),
    ];
    for (args, needle) in cases {
        let out = env.run(args);
        assert_ne!(out.code, 0, "{args:?}");
        assert!(out.stderr.contains(needle), "{args:?}: {}", out.stderr);
        assert!(
            !out.stderr.contains("secret"),
            "a secret was printed: {}",
            out.stderr
        );
    }
    assert_eq!(env.json(&["repo", "list"]), serde_json::json!([]));
}

#[test]
fn repo_set_is_refused_while_active() {
    let (env, _up) = fleet_env(&[]);
    let out = env.run(&["repo", "set", "fleet", "--interval", "600"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("run 'gitsync repo pause fleet'"),
        "{}",
        out.stderr
    );
    env.run(&["repo", "pause", "fleet"]).success();
    env.run(&["repo", "set", "fleet", "--interval", "600"])
        .success();
    assert_eq!(env.json(&["repo", "show", "fleet"])["interval"], 600);
    // A paused repo is skipped unless forced.
    let skipped = env.json(&["sync", "fleet"]);
    assert_eq!(skipped[0]["status"], "skipped");
    let forced = env.json(&["sync", "fleet", "--force"]);
    assert_eq!(forced[0]["status"], "success");
}

#[test]
fn state_file_is_private_and_passes_integrity_check() {
    use std::os::unix::fs::PermissionsExt;
    let (env, _up) = fleet_env(&[]);
    env.json(&["sync", "fleet"]);
    let mode = std::fs::metadata(env.state()).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn repo_remove_keeps_live_resources_unless_pruned() {
    let (env, up) = fleet_env(&["--auto-apply"]);
    env.json(&["sync", "fleet"]);
    env.run(&["repo", "remove", "fleet"]).success();
    assert_eq!(env.json(&["get"]).as_array().unwrap().len(), 11);
    env.run(&["repo", "add", "again", &up.url()]).success();
    // Resources owned by the removed repo are an ownership conflict for another.
    let run = env.json(&["sync", "again"])[0].clone();
    assert_eq!(run["status"], "partial");
    assert!(
        run["error"]
            .as_str()
            .unwrap()
            .contains("owned by repo 'fleet'"),
        "{run:#}"
    );
    env.run(&["repo", "remove", "again", "--prune"]).success();
}

#[test]
fn every_command_prints_one_json_value_on_stdout_with_o_json() {
    let (env, up) = fleet_env(&[]);
    let url = up.url();
    let commands: Vec<Vec<&str>> = vec![
        vec!["repo", "list"],
        vec!["repo", "show", "fleet"],
        vec!["repo", "add", "second", &url, "--namespace", "other"],
        vec!["repo", "pause", "second"],
        vec!["repo", "set", "second", "--interval", "900"],
        vec!["repo", "resume", "second"],
        vec!["diff", "fleet"],
        vec!["sync", "fleet"],
        vec!["sync"],
        vec!["proposals", "list"],
        vec!["proposals", "show", "1"],
        vec!["proposals", "approve", "1"],
        vec!["apply"],
        vec!["proposals", "reject", "2"],
        vec!["proposals", "ignore", "3"],
        vec!["status"],
        vec!["runs"],
        vec!["runs", "show", "1"],
        vec!["get"],
        vec!["history", "fleet", "fleet"],
        vec!["events"],
        vec!["halt", "--reason", "x"],
        vec!["unhalt"],
        vec!["gc", "--dry-run"],
        vec!["repo", "remove", "second"],
    ];
    for args in commands {
        let mut all = vec!["-o", "json"];
        all.extend(args.iter().copied());
        let out = env.run(&all);
        assert_eq!(out.code, 0, "{args:?}: {out:?}");
        serde_json::from_str::<Value>(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{args:?}: stdout is not one JSON value ({e}): {}",
                out.stdout
            )
        });
    }
    // YAML for scripts too.
    let out = env.run(&["-o", "yaml", "repo", "show", "fleet"]).success();
    assert!(out.stdout.contains("name: fleet"), "{}", out.stdout);
}

#[test]
fn untrusted_content_is_refused_with_a_clear_error() {
    let (env, up) = fleet_env(&[]);
    env.json(&["sync", "fleet"]);
    env.json(&["proposals", "approve", "--all", "--apply"]);
    let live = env.json(&["get"]);
    // A symlink in place of fleet.yaml is never followed.
    up.git(&["rm", "-q", "fleet.yaml"]);
    std::os::unix::fs::symlink("/etc/passwd", up.path.join("fleet.yaml")).unwrap();
    up.commit("a link");
    let out = env.run(&["sync", "fleet"]).code(1);
    assert!(out.stderr.contains("symbolic link"), "{}", out.stderr);
    // A file over 1 MiB is refused before it is parsed.
    std::fs::remove_file(up.path.join("fleet.yaml")).unwrap();
    up.write(
        "fleet.yaml",
        &format!("templates: {{}}\n# {}\n", "x".repeat(1_100_000)),
    );
    up.commit("huge");
    let out = env.run(&["sync", "fleet"]).code(1);
    assert!(out.stderr.contains("1048576"), "{}", out.stderr);
    // A billion laughs is stopped by the alias budget.
    let mut laughs = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (i, c) in "bcdefghi".chars().enumerate() {
        let prev = (b'a' + i as u8) as char;
        laughs.push_str(&format!(
            "{c}: &{c} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
    }
    up.write("fleet.yaml", &laughs);
    up.commit("laughs");
    let out = env.run(&["sync", "fleet"]).code(1);
    assert!(out.stderr.contains("budget"), "{}", out.stderr);
    // YAML that builds objects is refused, not read as data.
    up.write("fleet.yaml", "templates: !!python/object:os.system {}\n");
    up.commit("tag");
    let out = env.run(&["sync", "fleet"]).code(1);
    assert!(out.stderr.contains("tag"), "{}", out.stderr);
    assert_eq!(
        env.json(&["get"]),
        live,
        "live state untouched by every bad commit"
    );
}

#[test]
fn tags_and_pinned_commits_are_followed() {
    let env = TestEnv::new();
    let up = env.upstream("fleet");
    up.load_fixture("fleet/v1");
    let v1 = up.commit("v1");
    up.git(&["tag", "v1"]);
    up.load_fixture("fleet/v2");
    up.commit("v2");
    env.run(&["repo", "add", "tagged", &up.url(), "--ref", "tag:v1"])
        .success();
    let pin = format!("commit:{v1}");
    env.run(&[
        "repo",
        "add",
        "pinned",
        &up.url(),
        "--ref",
        &pin,
        "--namespace",
        "pinned",
    ])
    .success();
    let runs = env.json(&["sync", "--all"]);
    assert!(
        runs.as_array().unwrap().iter().all(|r| r["revision"] == v1),
        "{runs:#}"
    );
    // Moving the tag moves the repo.
    up.git(&["tag", "-f", "v1", "HEAD"]);
    let run = env.json(&["sync", "tagged"])[0].clone();
    assert_eq!(run["revision"], up.head());
}

// Guards: gix never repacks, so a mirror that piles up packs is rebuilt.
#[test]
fn a_mirror_with_too_many_packs_is_rebuilt() {
    let (mut env, up) = fleet_env(&[]);
    env.env
        .push(("GITSYNC_MIRROR_MAX_PACKS".into(), "2".into()));
    let packs = |env: &TestEnv| {
        let mirrors = std::fs::read_dir(env.cache().join("mirrors")).unwrap();
        let mirror = mirrors
            .filter_map(Result::ok)
            .find(|e| e.path().extension().is_some_and(|x| x == "git"))
            .unwrap()
            .path();
        std::fs::read_dir(mirror.join("objects/pack"))
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "pack"))
            .count()
    };
    let text = std::fs::read_to_string(up.path.join("fleet.yaml")).unwrap();
    for workers in 5..10 {
        up.write(
            "fleet.yaml",
            &text.replace("nginx_workers: 4", &format!("nginx_workers: {workers}")),
        );
        let head = up.commit(&format!("{workers} workers"));
        let run = env.json(&["sync", "fleet"])[0].clone();
        assert_eq!(run["revision"], head);
        assert!(packs(&env) <= 2, "{} packs after {workers}", packs(&env));
    }
    let p = env.json(&["proposals", "list"]);
    assert!(
        p.as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "nginx-public")
    );
    env.run(&["diff", "--offline", "--exit-code"]).code(3);
}

#[test]
fn what_an_operator_sees_when_reviewing_a_second_commit() {
    let (mut env, up) = fleet_env(&["--auto-apply"]);
    env.env
        .push(("GITSYNC_NOW".into(), "2024-06-01T12:00:00Z".into()));
    env.json(&["sync", "fleet"]);
    up.load_fixture("fleet/v2");
    up.commit("v2: more workers, exporter gone");
    let out = env.run(&["sync", "fleet"]).success();
    insta::assert_snapshot!("review_sync", env.normalize(&out));
    let out = env.run(&["proposals", "list"]).success();
    insta::assert_snapshot!("review_list", env.normalize(&out));
    let id = find(&env.json(&["proposals", "list"]), "module", "node-exporter")["id"].to_string();
    let out = env.run(&["proposals", "show", &id]).success();
    insta::assert_snapshot!("review_show", env.normalize(&out));
    let out = env.run(&["proposals", "approve", &id, "--apply"]).code(1);
    insta::assert_snapshot!("review_refused", env.normalize(&out));
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let (env, _up) = fleet_env(&[]);
    env.json(&["sync", "fleet"]);
    let plain = env.run(&["diff", "fleet"]).code(0);
    assert!(
        !plain.stdout.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
    let forced = env.run(&["--color", "always", "diff", "fleet"]);
    assert!(forced.stdout.contains("\x1b[32m+"), "{}", forced.stdout);
    let never = env.run(&["--color", "never", "diff", "fleet"]);
    assert!(!never.stdout.contains('\x1b'));
}

// Guards: one repo that cannot be read does not hide the others' diffs.
#[test]
fn diff_reports_every_repo_even_when_one_fails() {
    let (env, _up) = fleet_env(&[]);
    let broken = env.upstream("broken");
    broken.write("fleet.yaml", "modules: [not, a, mapping]\n");
    broken.commit("broken");
    env.run(&[
        "repo",
        "add",
        "broken",
        &broken.url(),
        "--namespace",
        "other",
    ])
    .success();
    let out = env.run(&["-o", "json", "diff"]).code(1);
    let v = out.json();
    let entries = v.as_array().unwrap();
    assert_eq!(entries.len(), 2, "{v:#}");
    let good = entries.iter().find(|e| e["repo"] == "fleet").unwrap();
    assert_eq!(
        good["diffs"].as_array().unwrap().len(),
        12,
        "11 diffs and 1 informational"
    );
    let bad = entries.iter().find(|e| e["repo"] == "broken").unwrap();
    assert!(
        bad["error"].as_str().unwrap().contains("modules"),
        "{bad:#}"
    );
    assert!(out.stderr.contains("repo 'broken'"), "{}", out.stderr);
}

#[test]
fn a_repo_that_owns_live_resources_keeps_its_layout_and_its_proposals_stay_reachable() {
    let (env, _up) = fleet_env(&["--auto-apply"]);
    env.json(&["sync", "fleet"]);
    env.run(&["repo", "pause", "fleet"]).success();
    let out = env
        .run(&["repo", "set", "fleet", "--layout", "manifests"])
        .code(2);
    assert!(
        out.stderr
            .contains("cannot change to the 'manifests' layout"),
        "{}",
        out.stderr
    );
    // A removed repo's prune proposals are still found by --repo.
    let removed = env.json(&["repo", "remove", "fleet", "--prune"]);
    assert_eq!(removed["destroy_proposals"].as_array().unwrap().len(), 11);
    let open = env.json(&["proposals", "list", "--repo", "fleet"]);
    assert_eq!(open.as_array().unwrap().len(), 11);
    let applied = env.json(&[
        "proposals",
        "approve",
        "--all",
        "--repo",
        "fleet",
        "--apply",
    ]);
    assert!(
        applied
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] == "applied"),
        "{applied:#}"
    );
    assert_eq!(env.json(&["get"]), serde_json::json!([]));
    assert_eq!(
        env.json(&["runs", "--repo", "fleet"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    env.run(&["events", "--repo", "nosuch"]).code(2);
}

#[test]
fn provider_configs_are_shown_with_secret_values_masked() {
    let (env, up) = fleet_env(&[]);
    let text = std::fs::read_to_string(up.path.join("fleet.yaml")).unwrap();
    up.write(
        "fleet.yaml",
        &text.replace(
            "    region: eu-west-1\n",
            "    region: eu-west-1\n    pwd: hunter2\n    access_key_id: AKIAEXAMPLE\n    endpoint: postgres://u:pw@db.internal/x\n",
        ),
    );
    up.commit("provider secrets");
    let out = env.run(&["diff", "fleet"]).success();
    assert!(out.stdout.contains("region: eu-west-1"), "{}", out.stdout);
    for secret in ["hunter2", "AKIAEXAMPLE", "pw@db"] {
        assert!(
            !out.stdout.contains(secret),
            "{secret} shown: {}",
            out.stdout
        );
    }
}

// Guards: the cache holds mirrors of registered repos only.
#[test]
fn a_removed_or_refused_repo_leaves_no_mirror_behind() {
    let (env, _up) = fleet_env(&[]);
    env.json(&["sync", "fleet"]);
    let mirrors = |env: &TestEnv| {
        std::fs::read_dir(env.cache().join("mirrors"))
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                    .count()
            })
            .unwrap_or(0)
    };
    assert_eq!(mirrors(&env), 1);
    env.run(&[
        "repo",
        "add",
        "nope",
        &env.path().join("missing").display().to_string(),
    ])
    .code(1);
    assert_eq!(mirrors(&env), 1, "a refused repo left a mirror");
    let leftovers: Vec<_> = std::fs::read_dir(env.cache())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".verify-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    env.run(&["repo", "remove", "fleet"]).success();
    assert_eq!(mirrors(&env), 0);
}

#[test]
fn a_state_file_that_is_not_one_is_named_in_the_error() {
    let env = TestEnv::new();
    let bogus = env.path().join("notes.txt");
    std::fs::write(&bogus, "hello").unwrap();
    let out = env
        .run(&["--state", bogus.to_str().unwrap(), "status"])
        .code(1);
    assert!(
        out.stderr.contains("notes.txt: file is not a database"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("hint:"), "{}", out.stderr);
    let out = env
        .run(&["--state", env.path().to_str().unwrap(), "status"])
        .code(1);
    assert!(out.stderr.contains("it is a directory"), "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(&bogus).unwrap(),
        "hello",
        "nothing written to it"
    );
}

#[test]
fn the_cache_and_the_state_folder_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let (env, _up) = fleet_env(&[]);
    env.json(&["sync", "fleet"]);
    for dir in [env.cache(), env.state().parent().unwrap().to_path_buf()] {
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{}", dir.display());
    }
}
