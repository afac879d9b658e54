//! The proposal lifecycle of SPEC.md end to end: one open proposal per
//! resource, supersede, reject, the cap, stale conflicts, auto-apply gates
//! and referrer-blocked destroys.

use crate::fleet::{find, fleet_env};
use crate::harness::TestEnv;

#[test]
fn repeated_syncs_keep_one_open_proposal_per_resource() {
    let (env, _up) = fleet_env(&[]);
    let first = env.json(&["sync", "fleet"]);
    let second = env.json(&["sync", "fleet"]);
    assert_eq!(first[0]["opened"].as_array().unwrap().len(), 11);
    assert_eq!(second[0]["opened"], serde_json::json!([]));
    assert_eq!(second[0]["diff_count"], 11);
    let all = env.json(&["proposals", "list", "--status", "all"]);
    assert_eq!(all.as_array().unwrap().len(), 11);
}

#[test]
fn a_changed_desired_spec_supersedes_the_open_proposal() {
    let (env, up) = fleet_env(&[]);
    env.json(&["sync", "fleet"]);
    let before = find(&env.json(&["proposals", "list"]), "module", "nginx-public")["id"]
        .as_i64()
        .unwrap();
    let text = std::fs::read_to_string(up.path.join("fleet.yaml")).unwrap();
    up.write(
        "fleet.yaml",
        &text.replace("nginx_workers: 4", "nginx_workers: 6"),
    );
    up.commit("six workers");
    let run = &env.json(&["sync", "fleet"])[0];
    assert_eq!(run["opened"].as_array().unwrap().len(), 1);
    let old = env.json(&["proposals", "show", &before.to_string()]);
    assert_eq!(old["status"], "superseded");
    let now = find(&env.json(&["proposals", "list"]), "module", "nginx-public").clone();
    assert_eq!(now["status"], "pending_review");
    assert_ne!(now["id"], before);
    // A proposal whose diff vanished is superseded too.
    up.write(
        "fleet.yaml",
        &text
            .replace(
                "  node-exporter:\n    name: node-exporter\n    priority: 10\n    variety: role\n",
                "",
            )
            .replace("  app-01:node-exporter:\n    enabled: true\n", ""),
    );
    up.commit("no exporter");
    env.json(&["sync", "fleet"]);
    let open = env.json(&["proposals", "list"]);
    assert!(
        !open
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "node-exporter"),
        "{open:#}"
    );
}

#[test]
fn a_rejected_diff_is_not_reopened_until_it_changes() {
    let (env, up) = fleet_env(&[]);
    env.json(&["sync", "fleet"]);
    let id = find(&env.json(&["proposals", "list"]), "pool", "web")["id"].to_string();
    let rejected = env.json(&["proposals", "reject", &id, "--reason", "not now"]);
    assert_eq!(rejected[0]["status"], "rejected");
    let run = &env.json(&["sync", "fleet"])[0];
    assert_eq!(run["opened"], serde_json::json!([]));
    assert!(
        !env.json(&["proposals", "list"])
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["kind"] == "pool")
    );
    // Live state kept: nothing about the pool was applied.
    assert_eq!(env.json(&["get", "pool"]), serde_json::json!([]));
    let text = std::fs::read_to_string(up.path.join("fleet.yaml")).unwrap();
    up.write(
        "fleet.yaml",
        &text.replace("target_size: 3", "target_size: 4"),
    );
    up.commit("bigger pool");
    let run = &env.json(&["sync", "fleet"])[0];
    assert_eq!(run["opened"].as_array().unwrap().len(), 1);
    assert_eq!(
        find(&env.json(&["proposals", "list"]), "pool", "web")["status"],
        "pending_review"
    );
}

#[test]
fn the_cap_makes_a_partial_run_and_later_runs_open_the_rest() {
    let (env, _up) = fleet_env(&["--max-proposals", "4"]);
    let run = env.json(&["sync", "fleet"])[0].clone();
    assert_eq!(run["status"], "partial");
    assert_eq!(run["opened"].as_array().unwrap().len(), 4);
    assert_eq!(run["remaining"], 7);
    assert!(run["error"].as_str().unwrap().contains("7"), "{run:#}");
    let code = env.run(&["sync", "fleet"]).code;
    assert_eq!(code, 0, "a partial run still exits 0");
    let run = env.json(&["sync", "fleet"])[0].clone();
    assert_eq!(run["status"], "success");
    assert_eq!(
        env.json(&["proposals", "list"]).as_array().unwrap().len(),
        11
    );
    // References come first: templates and modules are within the first cap.
    let all = env.json(&["proposals", "list"]);
    let first_four: Vec<&str> = all.as_array().unwrap()[..4]
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert!(
        first_four
            .iter()
            .all(|k| ["template", "module", "fleet"].contains(k)),
        "{first_four:?}"
    );
}

#[test]
fn a_proposal_computed_against_an_older_live_spec_is_stale() {
    let (env, up) = fleet_env(&[]);
    env.json(&["sync", "fleet"]);
    env.json(&["proposals", "approve", "--all", "--apply"]);
    let text = std::fs::read_to_string(up.path.join("fleet.yaml")).unwrap();
    up.write(
        "fleet.yaml",
        &text.replace("nginx_workers: 4", "nginx_workers: 6"),
    );
    up.commit("six");
    env.json(&["sync", "fleet"]);
    let six = find(&env.json(&["proposals", "list"]), "module", "nginx-public")["id"].to_string();
    env.json(&["proposals", "approve", &six]);
    // A newer commit supersedes the approved proposal; eight is applied.
    up.write(
        "fleet.yaml",
        &text.replace("nginx_workers: 4", "nginx_workers: 8"),
    );
    up.commit("eight");
    env.json(&["sync", "fleet"]);
    let eight = find(&env.json(&["proposals", "list"]), "module", "nginx-public")["id"].to_string();
    assert_ne!(six, eight, "the approved six was superseded by eight");
    env.json(&["proposals", "approve", &eight, "--apply"]);
    // Going back to six: a proposal computed against live=8.
    up.write(
        "fleet.yaml",
        &text.replace("nginx_workers: 4", "nginx_workers: 6"),
    );
    up.commit("six again");
    env.json(&["sync", "fleet"]);
    let back = find(&env.json(&["proposals", "list"]), "module", "nginx-public")["id"].to_string();
    // The live spec moves under the proposal before it is applied.
    change_live_spec(
        &env,
        "module",
        "nginx-public",
        r#"{"config":{"nginx_workers":9},"name":"nginx-public","priority":50,"variety":"config"}"#,
    );
    let out = env.run(&["-o", "json", "proposals", "approve", &back, "--apply"]);
    assert_eq!(out.code, 1, "{out:?}");
    let v = out.json();
    assert_eq!(v[0]["status"], "pending_review");
    assert_eq!(v[0]["reason"], "stale");
    let live = env.json(&["get", "module", "nginx-public"]);
    assert_eq!(
        live[0]["spec"]["config"]["nginx_workers"], 9,
        "nothing was applied"
    );
}

/// Change a live spec behind gitsync's back, as another writer of the state
/// file would.
fn change_live_spec(env: &TestEnv, kind: &str, name: &str, spec: &str) {
    let conn = rusqlite::Connection::open(env.state()).unwrap();
    let n = conn
        .execute(
            "UPDATE resources SET spec = ?1 WHERE kind = ?2 AND name = ?3",
            (spec, kind, name),
        )
        .unwrap();
    assert_eq!(n, 1, "live {kind} {name} changed");
}

#[test]
fn auto_apply_applies_creates_but_never_destroys_and_halt_blocks_it() {
    let (env, up) = fleet_env(&["--auto-apply"]);
    let run = env.json(&["sync", "fleet"])[0].clone();
    assert_eq!(run["auto_applied"].as_array().unwrap().len(), 11);
    let p = env.json(&["proposals", "list", "--status", "applied"]);
    assert!(
        p.as_array()
            .unwrap()
            .iter()
            .all(|p| p["auto_applied"] == true && p["reviewed_by"] == "gitsync-auto-apply")
    );
    up.load_fixture("fleet/v2");
    up.commit("v2");
    env.run(&["halt", "--reason", "change freeze"]).success();
    let run = env.json(&["sync", "fleet"])[0].clone();
    assert_eq!(
        run["auto_applied"],
        serde_json::json!([]),
        "halted: nothing auto-applied"
    );
    let status = env.json(&["status"]);
    assert_eq!(status["halted"], true);
    assert_eq!(status["halt_reason"], "change freeze");
    env.run(&["unhalt"]).success();
    let run = env.json(&["sync", "fleet"])[0].clone();
    assert_eq!(
        run["auto_applied"].as_array().unwrap().len(),
        3,
        "the three updates: {run:#}"
    );
    let open = env.json(&["proposals", "list"]);
    assert_eq!(open.as_array().unwrap().len(), 3);
    assert!(
        open.as_array()
            .unwrap()
            .iter()
            .all(|p| p["change"] == "destroy" && p["status"] == "pending_review")
    );
}

#[test]
fn a_destroy_is_refused_while_something_live_refers_to_it() {
    let (env, up) = fleet_env(&[]);
    env.json(&["sync", "fleet"]);
    env.json(&["proposals", "approve", "--all", "--apply"]);
    let text = std::fs::read_to_string(up.path.join("fleet.yaml")).unwrap();
    up.write(
        "fleet.yaml",
        &text
            .replace(
                "  node-exporter:\n    name: node-exporter\n    priority: 10\n    variety: role\n",
                "",
            )
            .replace("  app-01:node-exporter:\n    enabled: true\n", ""),
    );
    up.commit("drop the exporter");
    env.json(&["sync", "fleet"]);
    let open = env.json(&["proposals", "list"]);
    let module = find(&open, "module", "node-exporter")["id"].to_string();
    let out = env.run(&["-o", "json", "proposals", "approve", &module, "--apply"]);
    assert_eq!(out.code, 1);
    let reason = out.json()[0]["reason"].as_str().unwrap().to_string();
    assert!(
        reason.contains("assignment 'app-01:node-exporter'"),
        "{reason}"
    );
    assert_eq!(
        env.json(&["get", "module", "node-exporter"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Once the assignment is gone, the module goes too.
    let assignment = find(&open, "assignment", "app-01:node-exporter")["id"].to_string();
    env.json(&["proposals", "approve", &assignment, "--apply"]);
    env.json(&["proposals", "approve", &module, "--apply"]);
    assert_eq!(
        env.json(&["get", "module", "node-exporter"]),
        serde_json::json!([])
    );
}

// Guards: a rejected diff stays rejected when the desired spec changes and
// then changes back to exactly what was rejected.
#[test]
fn a_rejected_diff_stays_rejected_when_the_desired_spec_comes_back() {
    let (env, up) = fleet_env(&[]);
    env.json(&["sync", "fleet"]);
    let id = find(&env.json(&["proposals", "list"]), "pool", "web")["id"].to_string();
    env.json(&["proposals", "reject", &id]);
    let text = std::fs::read_to_string(up.path.join("fleet.yaml")).unwrap();
    up.write("fleet.yaml", &text.replace("max_size: 6", "max_size: 10"));
    up.commit("bigger max");
    env.json(&["sync", "fleet"]);
    let bigger = find(&env.json(&["proposals", "list"]), "pool", "web")["id"].to_string();
    up.write("fleet.yaml", &text);
    up.commit("back");
    env.json(&["sync", "fleet"]);
    assert_eq!(
        env.json(&["proposals", "show", &bigger])["status"],
        "superseded"
    );
    let open = env.json(&["proposals", "list"]);
    assert!(
        !open.as_array().unwrap().iter().any(|p| p["kind"] == "pool"),
        "{open:#}"
    );
}

// Guards: applying a proposal that is already applied (by this or another
// process) is an idempotent outcome, exit 0, never a failure.
#[test]
fn applying_an_already_applied_proposal_is_not_a_failure() {
    let (env, _up) = crate::fleet::fleet_env(&[]);
    env.json(&["sync", "fleet"]);
    let id = env.json(&["proposals", "list"])[0]["id"].to_string();
    env.json(&["proposals", "approve", &id, "--apply"]);
    let again = env.run(&["apply", &id]).success();
    assert!(again.stdout.contains("already applied"), "{}", again.stdout);
    let v = env.json(&["apply", &id]);
    assert_eq!(v[0]["status"], "applied");
    let approve = env.run(&["proposals", "approve", &id]).success();
    assert!(
        approve.stdout.contains("already applied"),
        "{}",
        approve.stdout
    );
}

// Guards: a sync that overlaps another process's apply opens nothing
// against the outdated base it read before: the plan is made inside the
// transaction that opens the proposals.
#[test]
fn a_sync_overlapping_an_apply_never_opens_a_stale_born_proposal() {
    let env = TestEnv::new();
    let up = env.upstream("dags");
    let dag = "dag:\n  id: a\ntasks:\n  - id: t\n    script: run.sh\n";
    up.write("a.yaml", dag);
    up.commit("dag a");
    let go = env.path().join("go");
    let waiting = env.path().join("waiting");
    // Compiles b.py only once the test says go: the sync is then held
    // between reading the tree and proposing.
    let rule = format!(
        "*.py=sh -c 'touch {w}; i=0; while [ ! -e {g} ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; echo \"{{\\\"dag\\\": {{\\\"id\\\": \\\"b\\\"}}, \\\"tasks\\\": [{{\\\"id\\\": \\\"t\\\", \\\"script\\\": \\\"x\\\"}}]}}\"'",
        w = waiting.display(),
        g = go.display()
    );
    env.add_compiled_dags(&up, &rule);
    env.json(&["sync", "dags"]);
    let a = env.json(&["proposals", "list"])[0]["id"].to_string();
    up.write("b.py", "# compiled\n");
    up.commit("dag b");
    let sync = env
        .command(&["-o", "json", "sync", "dags"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !waiting.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the compiler never ran"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Meanwhile another process applies dag a.
    env.json(&["proposals", "approve", &a, "--apply"]);
    std::fs::write(&go, "").unwrap();
    let out = sync.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let open = env.json(&["proposals", "list"]);
    let names: Vec<&str> = open
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["b"], "dag a was applied; nothing may re-propose it");
}
