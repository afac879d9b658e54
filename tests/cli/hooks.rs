//! Apply hooks, recovery retries, namespaces and the audit trail: applied
//! changes reach the world outside the state file all-or-nothing.

use crate::harness::{GitRepo, TestEnv, contrib};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;

/// A registered fleet repo holding fixtures/fleet/v1.
fn fleet(env: &TestEnv, name: &str, flags: &[&str]) -> GitRepo {
    let up = env.upstream(name);
    up.load_fixture("fleet/v1");
    up.commit("v1");
    let url = up.url();
    let mut args = vec!["repo", "add", name, url.as_str()];
    args.extend_from_slice(flags);
    env.run(&args).success();
    up
}

fn proposal_id(env: &TestEnv, kind: &str, name: &str) -> String {
    let open = env.json(&["proposals", "list"]);
    open.as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == kind && p["name"] == name)
        .unwrap_or_else(|| panic!("no open proposal for {kind} {name}: {open:#}"))["id"]
        .to_string()
}

#[test]
fn the_file_tree_hook_receives_each_change_as_json() {
    let env = TestEnv::new();
    let root = env.path().join("live");
    let hook = format!("*={} {}", contrib("write-file-tree"), root.display());
    fleet(&env, "fleet", &["--apply-hook", &hook]);
    env.json(&["sync", "fleet"]);
    env.json(&["proposals", "approve", "--all", "--apply"]);
    let file = root.join("default/module/nginx-public.json");
    let change: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(change["change"], "create");
    assert_eq!(change["kind"], "module");
    assert_eq!(change["desired"]["config"]["nginx_workers"], 4);
    assert_eq!(change["repo"], "fleet");
    assert!(change["proposal"].is_i64());
    assert!(
        root.join("default/assignment/app-01:nginx-public.json")
            .exists()
    );
}

#[test]
fn a_failing_hook_rolls_the_apply_back_and_keeps_the_proposal_open() {
    let env = TestEnv::new();
    fleet(
        &env,
        "fleet",
        &[
            "--apply-hook",
            "module=sh -c 'cat >/dev/null; echo first >&2; echo the admin API said no >&2; exit 7'",
        ],
    );
    env.json(&["sync", "fleet"]);
    let id = proposal_id(&env, "module", "nginx-public");
    let v = env
        .run(&["-o", "json", "proposals", "approve", &id, "--apply"])
        .code(1)
        .json();
    assert_eq!(v[0]["status"], "pending_review");
    let reason = v[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("the admin API said no") && reason.contains("status 7"),
        "{reason}"
    );
    assert_eq!(
        env.json(&["get", "module"]),
        serde_json::json!([]),
        "live state unchanged"
    );
    assert_eq!(
        env.json(&["history", "module", "nginx-public"]),
        serde_json::json!([])
    );
    let shown = env.json(&["proposals", "show", &id]);
    assert_eq!(shown["attempts"], 1);
    assert!(
        shown["hook_output"]
            .as_str()
            .unwrap()
            .contains("the admin API said no")
    );
    let events = env.json(&["events", "--repo", "fleet"]);
    assert!(
        events.as_array().unwrap().iter().any(
            |e| e["action"] == "proposal.failed" && e["proposal"] == id.parse::<i64>().unwrap()
        )
    );
    // Kinds without a hook apply normally.
    let t = proposal_id(&env, "template", "web-server");
    env.json(&["proposals", "approve", &t, "--apply"]);
    assert_eq!(
        env.json(&["get", "template", "web-server"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_hook_that_hangs_is_killed_at_the_timeout() {
    let env = TestEnv::new();
    fleet(
        &env,
        "fleet",
        &["--apply-hook", "fleet=sleep 30", "--hook-timeout", "1"],
    );
    env.json(&["sync", "fleet"]);
    let id = proposal_id(&env, "fleet", "fleet");
    let out = env.run(&["-o", "json", "proposals", "approve", &id, "--apply"]);
    assert_eq!(out.code, 1);
    assert!(
        out.json()[0]["reason"]
            .as_str()
            .unwrap()
            .contains("timed out after 1s"),
        "{out:?}"
    );
    assert_eq!(env.json(&["get", "fleet"]), serde_json::json!([]));
}

#[test]
fn recovery_retries_a_failed_auto_apply_then_stops_after_three_attempts() {
    let env = TestEnv::new();
    let flag = env.path().join("outage");
    std::fs::write(&flag, "down").unwrap();
    let hook = format!(
        "module=sh -c 'cat >/dev/null; if [ -e {} ]; then echo package mirror unreachable >&2; exit 1; fi'",
        flag.display()
    );
    fleet(&env, "fleet", &["--auto-apply", "--apply-hook", &hook]);
    // A failed auto-apply makes the sync exit 1, so cron mail tells.
    let out = env.run(&["-o", "json", "sync", "fleet"]).code(1);
    assert!(
        out.stderr.contains("auto-apply(s) failed"),
        "{}",
        out.stderr
    );
    let first = out.json()[0].clone();
    assert_eq!(first["status"], "partial");
    // Both modules fail in the hook; their assignments wait for them.
    let failed = first["failed"].as_array().unwrap();
    for module in ["nginx-public", "node-exporter"] {
        let id: i64 = proposal_id(&env, "module", module).parse().unwrap();
        assert!(
            failed.contains(&Value::from(id)),
            "{module} not in failed: {first:#}"
        );
    }
    let status = env.json(&["status"]);
    assert!(
        status["repos"][0]["recovery"]
            .as_str()
            .unwrap()
            .contains("failed 1 time"),
        "{status:#}"
    );
    env.run(&["sync", "fleet"]).code(1);
    env.run(&["sync", "fleet"]).code(1);
    let id = proposal_id(&env, "module", "nginx-public");
    assert_eq!(env.json(&["proposals", "show", &id])["attempts"], 3);
    let recovery = env.json(&["status"])["repos"][0]["recovery"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        recovery.contains("recovery retried 3 times and still failed"),
        "{recovery}"
    );
    assert!(
        recovery.contains("package mirror unreachable"),
        "{recovery}"
    );
    // Retries have stopped: a fourth sync does not try again.
    let fourth = env.run(&["-o", "json", "sync", "fleet"]).json()[0].clone();
    let module: i64 = id.parse().unwrap();
    assert!(
        !fourth["failed"]
            .as_array()
            .unwrap()
            .contains(&Value::from(module)),
        "{fourth:#}"
    );
    assert_eq!(env.json(&["proposals", "show", &id])["attempts"], 3);
    // The outage ends; an operator re-approves and the apply goes through.
    std::fs::remove_file(&flag).unwrap();
    env.json(&["proposals", "approve", &id, "--apply"]);
    assert_eq!(
        env.json(&["get", "module", "nginx-public"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // The failed attempts stay on record after the apply went through.
    let output = env.json(&["proposals", "show", &id])["hook_output"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(output.matches("failed: ").count(), 3, "{output}");
    assert!(
        output.lines().last().unwrap().contains("applied"),
        "{output}"
    );
}

#[test]
fn apply_retries_an_approved_proposal_whose_hook_failed() {
    let env = TestEnv::new();
    let flag = env.path().join("outage");
    std::fs::write(&flag, "down").unwrap();
    let hook = format!("pool=sh -c 'cat >/dev/null; test ! -e {}'", flag.display());
    fleet(&env, "fleet", &["--apply-hook", &hook]);
    env.json(&["sync", "fleet"]);
    let out = env.run(&["proposals", "approve", "--all", "--apply"]);
    assert_eq!(out.code, 1);
    std::fs::remove_file(&flag).unwrap();
    let applied = env.json(&["apply"]);
    assert_eq!(applied.as_array().unwrap().len(), 1, "{applied:#}");
    assert_eq!(applied[0]["status"], "applied");
    assert_eq!(
        env.json(&["get", "pool", "web"]).as_array().unwrap().len(),
        1
    );
}

#[test]
fn hook_arguments_are_not_expanded_by_a_shell() {
    let env = TestEnv::new();
    let out = env.path().join("argv.txt");
    let hook = format!(
        "template=sh -c 'cat >/dev/null; printf \"%s\\n\" \"$1\" \"$2\" \"$3\" > {}' hook $HOME * `id`",
        out.display()
    );
    fleet(&env, "fleet", &["--apply-hook", &hook]);
    env.json(&["sync", "fleet"]);
    let id = proposal_id(&env, "template", "db-server");
    env.json(&["proposals", "approve", &id, "--apply"]);
    let argv = std::fs::read_to_string(out).unwrap();
    assert_eq!(argv, "$HOME\n*\n`id`\n");
}

#[test]
fn hooks_see_the_gitsync_variables() {
    let env = TestEnv::new();
    let out = env.path().join("env.txt");
    let hook = format!(
        "module=sh -c 'cat >/dev/null; echo $GITSYNC_REPO $GITSYNC_KIND $GITSYNC_NAME $GITSYNC_CHANGE $GITSYNC_COMMIT >> {}'",
        out.display()
    );
    let up = fleet(&env, "fleet", &["--apply-hook", &hook]);
    env.json(&["sync", "fleet"]);
    let id = proposal_id(&env, "module", "nginx-public");
    env.json(&["proposals", "approve", &id, "--apply"]);
    assert_eq!(
        std::fs::read_to_string(out).unwrap(),
        format!("fleet module nginx-public create {}\n", up.head())
    );
}

#[test]
fn namespaces_keep_two_repos_with_the_same_names_apart() {
    let env = TestEnv::new();
    let a = fleet(&env, "team-a", &["--namespace", "team-a", "--auto-apply"]);
    fleet(&env, "team-b", &["--namespace", "team-b", "--auto-apply"]);
    let runs = env.json(&["sync", "--all"]);
    assert!(
        runs.as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "success" && r["auto_applied"].as_array().unwrap().len() == 11),
        "{runs:#}"
    );
    assert_eq!(
        env.json(&["get", "--namespace", "team-a"])
            .as_array()
            .unwrap()
            .len(),
        11
    );
    assert_eq!(
        env.json(&["get", "--namespace", "team-b"])
            .as_array()
            .unwrap()
            .len(),
        11
    );
    // team-a drops a module; team-b's same-named module stays.
    a.load_fixture("fleet/v2");
    a.commit("v2");
    env.run(&["halt", "--namespace", "team-b", "--reason", "freeze b"])
        .success();
    env.json(&["sync", "team-a"]);
    let a_open = env.json(&["proposals", "list", "--namespace", "team-a"]);
    assert!(
        a_open
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["change"] == "destroy"),
        "updates auto-applied in team-a: {a_open:#}"
    );
    let destroy = a_open
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "app-01:node-exporter")
        .unwrap()["id"]
        .to_string();
    env.json(&["proposals", "approve", &destroy, "--apply"]);
    assert_eq!(
        env.json(&["get", "assignment", "app-01:node-exporter", "-n", "team-a"]),
        serde_json::json!([])
    );
    assert_eq!(
        env.json(&["get", "assignment", "app-01:node-exporter", "-n", "team-b"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        env.json(&["get", "module", "nginx-public", "-n", "team-a"])[0]["spec"]["config"]["nginx_workers"],
        8
    );
    assert_eq!(
        env.json(&["get", "module", "nginx-public", "-n", "team-b"])[0]["spec"]["config"]["nginx_workers"],
        4
    );
    assert_eq!(
        env.json(&["history", "module", "nginx-public", "-n", "team-b"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // The namespace halt holds back team-b only.
    let b_up = env.upstream("team-b");
    b_up.load_fixture("fleet/v2");
    b_up.commit("v2");
    let run = env.json(&["sync", "team-b"])[0].clone();
    assert_eq!(run["auto_applied"], serde_json::json!([]));
    let status = env.json(&["status"]);
    assert_eq!(status["halted"], false, "no global halt");
    assert_eq!(status["halts"][0]["namespace"], "team-b");
    let only_b = env.json(&["status", "--namespace", "team-b"]);
    assert_eq!(only_b["repos"].as_array().unwrap().len(), 1);
    assert_eq!(only_b["repos"][0]["name"], "team-b");
    // A repo that owns live resources cannot move namespace.
    env.run(&["repo", "pause", "team-a"]).success();
    let out = env.run(&["repo", "set", "team-a", "--namespace", "team-b"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("owns"), "{}", out.stderr);
}

#[test]
fn every_state_change_is_an_audit_event() {
    let env = TestEnv::new();
    fleet(&env, "fleet", &[]);
    env.json(&["sync", "fleet"]);
    let id = proposal_id(&env, "pool", "web");
    env.json(&["proposals", "reject", &id, "--reason", "not yet"]);
    env.run(&["halt", "--reason", "audit"]).success();
    env.run(&["unhalt"]).success();
    env.run(&["repo", "pause", "fleet"]).success();
    let events = env.json(&["events"]);
    let actions: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for want in [
        "repo.added",
        "proposal.opened",
        "proposal.rejected",
        "halt",
        "unhalt",
        "repo.paused",
    ] {
        assert!(actions.contains(&want), "{want} missing from {actions:?}");
    }
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["actor"] == "tester")
    );
    let later = env.json(&["events", "--since", "2999-01-01T00:00:00Z"]);
    assert_eq!(later, serde_json::json!([]));
}

/// A one-request-at-a-time HTTP server on 127.0.0.1 that records each
/// request line and body and answers with `status`.
struct AdminApi {
    url: String,
    log: PathBuf,
}

impl AdminApi {
    fn start(env: &TestEnv, status: u16, requests: usize) -> AdminApi {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/api", listener.local_addr().unwrap());
        let log = env.path().join("admin.log");
        let log2 = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(requests) {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                reader.read_line(&mut request).unwrap();
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line).unwrap();
                    if line.trim().is_empty() {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                let mut f = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&log2)
                    .unwrap();
                writeln!(
                    f,
                    "{}{}",
                    request.trim(),
                    if body.is_empty() {
                        String::new()
                    } else {
                        format!(" {}", String::from_utf8_lossy(&body))
                    }
                )
                .unwrap();
                let reply = if status == 200 {
                    "ok"
                } else {
                    "admin API is down"
                };
                write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                    reply.len()
                )
                .unwrap();
            }
        });
        AdminApi { url, log }
    }
}

#[test]
fn the_http_admin_api_hook_puts_and_deletes() {
    let env = TestEnv::new();
    let api = AdminApi::start(&env, 200, 2);
    let hook = format!("module={} {}", contrib("http-admin-api"), api.url);
    let up = fleet(&env, "fleet", &["--apply-hook", &hook]);
    env.json(&["sync", "fleet"]);
    let id = proposal_id(&env, "module", "node-exporter");
    env.json(&["proposals", "approve", &id, "--apply"]);
    up.load_fixture("fleet/v2");
    up.commit("v2");
    env.json(&["sync", "fleet"]);
    let destroy = proposal_id(&env, "module", "node-exporter");
    env.json(&["proposals", "approve", &destroy, "--apply"]);
    let log = std::fs::read_to_string(&api.log).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert!(
        lines[0].starts_with("PUT /api/module/node-exporter HTTP/1.1 {"),
        "{log}"
    );
    assert!(lines[0].contains("\"variety\":\"role\""), "{log}");
    assert!(
        lines[1].starts_with("DELETE /api/module/node-exporter"),
        "{log}"
    );
}

#[test]
fn the_http_admin_api_hook_fails_the_apply_when_the_api_refuses() {
    let env = TestEnv::new();
    let api = AdminApi::start(&env, 503, 1);
    let hook = format!("module={} {}", contrib("http-admin-api"), api.url);
    fleet(&env, "fleet", &["--apply-hook", &hook]);
    env.json(&["sync", "fleet"]);
    let id = proposal_id(&env, "module", "node-exporter");
    let out = env.run(&["-o", "json", "proposals", "approve", &id, "--apply"]);
    assert_eq!(out.code, 1);
    let reason = out.json()[0]["reason"].as_str().unwrap().to_string();
    assert!(
        reason.contains("503") || reason.contains("admin API is down"),
        "{reason}"
    );
    assert_eq!(env.json(&["get", "module"]), serde_json::json!([]));
}

/// Start `gitsync sync` in the background and wait until its apply hook is
/// running (it touches `started`, then sleeps).
fn sync_with_slow_hook(env: &TestEnv) -> std::process::Child {
    let started = env.path().join("started");
    let child = env
        .command(&["sync", "fleet"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !started.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the hook never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child
}

fn slow_hook(env: &TestEnv) -> String {
    format!(
        "template=sh -c 'cat >/dev/null; touch {}; sleep 5'",
        env.path().join("started").display()
    )
}

#[test]
fn a_second_sync_of_a_busy_repo_skips_it_with_exit_code_4() {
    let env = TestEnv::new();
    fleet(
        &env,
        "fleet",
        &["--auto-apply", "--apply-hook", &slow_hook(&env)],
    );
    let mut first = sync_with_slow_hook(&env);
    let second = env.run(&["-o", "json", "sync", "fleet"]);
    assert_eq!(second.code, 4, "{second:?}");
    assert_eq!(second.json()[0]["status"], "skipped");
    assert!(first.wait().unwrap().success());
    // One proposal per resource, each applied once.
    let all = env.json(&["proposals", "list", "--status", "all"]);
    assert_eq!(all.as_array().unwrap().len(), 11);
    for p in all.as_array().unwrap() {
        let history = env.json(&[
            "history",
            p["kind"].as_str().unwrap(),
            p["name"].as_str().unwrap(),
        ]);
        assert_eq!(history.as_array().unwrap().len(), 1, "{p:#}");
    }
}

// Guards: locks belong to the state file, so an operator's command with
// another cache folder (the systemd unit's old hint) still sees the
// service's sync as running: no parallel sync, no "interrupted" run.
#[test]
fn processes_on_one_state_file_coordinate_whatever_their_cache_folders() {
    let env = TestEnv::new();
    fleet(
        &env,
        "fleet",
        &["--auto-apply", "--apply-hook", &slow_hook(&env)],
    );
    let mut first = sync_with_slow_hook(&env);
    let other_cache = env.path().join("other-cache");
    let mut status = env.command(&["-o", "json", "status"]);
    status.env("GITSYNC_CACHE_DIR", &other_cache);
    let status = status.output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(v["repos"][0]["last_run"]["status"], "running", "{v:#}");
    let mut second = env.command(&["-o", "json", "sync", "fleet"]);
    second.env("GITSYNC_CACHE_DIR", &other_cache);
    let second = second.output().unwrap();
    assert_eq!(second.status.code(), Some(4));
    assert!(first.wait().unwrap().success());
    let runs = env.json(&["runs"]);
    assert!(
        runs.as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "success"),
        "{runs:#}"
    );
}

// Guards: a slow apply hook never holds SQLite's write lock, so other repos
// keep syncing meanwhile instead of failing busy.
#[test]
fn a_slow_hook_does_not_block_syncs_of_other_repos() {
    let env = TestEnv::new();
    fleet(
        &env,
        "fleet",
        &["--auto-apply", "--apply-hook", &slow_hook(&env)],
    );
    fleet(&env, "other", &["--namespace", "other"]);
    let mut first = sync_with_slow_hook(&env);
    let other = env.json(&["sync", "other"]);
    assert_eq!(other[0]["status"], "success");
    assert_eq!(other[0]["opened"].as_array().unwrap().len(), 11);
    assert!(
        first.try_wait().unwrap().is_none(),
        "the slow hook was still running"
    );
    assert!(first.wait().unwrap().success());
}

#[test]
fn a_sync_killed_half_way_leaves_a_consistent_state_file() {
    let env = TestEnv::new();
    fleet(
        &env,
        "fleet",
        &["--auto-apply", "--apply-hook", &slow_hook(&env)],
    );
    let mut child = sync_with_slow_hook(&env);
    child.kill().unwrap();
    child.wait().unwrap();
    // The next invocation marks the run interrupted; nothing half-applied.
    let runs = env.json(&["runs"]);
    assert_eq!(runs[0]["status"], "failed");
    assert!(
        runs[0]["error"].as_str().unwrap().contains("interrupted"),
        "{runs:#}"
    );
    let conn = rusqlite::Connection::open(env.state()).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    for p in env
        .json(&["proposals", "list", "--status", "all"])
        .as_array()
        .unwrap()
    {
        let live = env.json(&[
            "get",
            p["kind"].as_str().unwrap(),
            p["name"].as_str().unwrap(),
        ]);
        let history = env.json(&[
            "history",
            p["kind"].as_str().unwrap(),
            p["name"].as_str().unwrap(),
        ]);
        if p["status"] == "applied" {
            assert_eq!(
                (
                    live.as_array().unwrap().len(),
                    history.as_array().unwrap().len()
                ),
                (1, 1),
                "{p:#}"
            );
        } else {
            assert_eq!(
                (
                    live.as_array().unwrap().len(),
                    history.as_array().unwrap().len()
                ),
                (0, 0),
                "{p:#}"
            );
        }
    }
    // The next sync finishes the job.
    env.json(&["sync", "fleet"]);
    assert_eq!(env.json(&["get"]).as_array().unwrap().len(), 11);
}

// Guards: host commands never see the tokens repos reference as env:VAR, so
// repository code run by a compile command cannot steal them.
#[test]
fn hooks_and_compile_commands_never_see_credential_variables() {
    let mut env = TestEnv::new();
    let token = "planted-token-7f3a9c";
    env.env.push(("DEPLOY_TOKEN".into(), token.into()));
    env.env.push(("DEPLOY_USER".into(), "ci-bot".into()));
    env.run(&[
        "repo",
        "add",
        "private",
        "http://127.0.0.1:9/x.git",
        "--username",
        "env:DEPLOY_USER",
        "--password",
        "env:DEPLOY_TOKEN",
        "--no-verify",
    ])
    .success();
    let seen = env.path().join("hook-env.txt");
    let hook = format!("module=sh -c 'cat >/dev/null; env >> {}'", seen.display());
    fleet(&env, "fleet", &["--auto-apply", "--apply-hook", &hook]);
    env.json(&["sync", "fleet"]);
    let hook_env = std::fs::read_to_string(&seen).unwrap();
    assert!(hook_env.contains("GITSYNC_KIND=module"), "{hook_env}");
    assert!(
        !hook_env.contains(token) && !hook_env.contains("DEPLOY_USER"),
        "{hook_env}"
    );
    // A compile command (which may run repository code) sees none either.
    let dags = env.upstream("dags");
    dags.write("steal.py", "x");
    dags.commit("a file to compile");
    let compiler = r#"*.py=sh -c 'printf "{\"kind\": \"probe\", \"name\": \"env\", \"token\": \"%s\"}" "$DEPLOY_TOKEN"' compile"#;
    env.run(&[
        "repo",
        "add",
        "dags",
        &dags.url(),
        "--layout",
        "manifests",
        "--compile",
        compiler,
    ])
    .success();
    env.json(&["sync", "dags"]);
    let p = env.json(&["proposals", "list", "--repo", "dags"]);
    let shown = env.json(&["proposals", "show", &p[0]["id"].to_string()]);
    assert_eq!(shown["desired"]["token"], "", "{shown:#}");
}

#[test]
fn plain_unhalt_lifts_every_halt() {
    let env = TestEnv::new();
    fleet(&env, "fleet", &["--auto-apply"]);
    env.run(&["halt", "--namespace", "default", "--reason", "incident"])
        .success();
    env.run(&["halt", "--reason", "freeze"]).success();
    let out = env.run(&["unhalt", "--namespace", "default"]).success();
    assert!(
        out.stderr.contains("everything is still halted: freeze"),
        "{}",
        out.stderr
    );
    env.run(&["halt", "--namespace", "default", "--reason", "incident"])
        .success();
    env.run(&["unhalt"]).success();
    assert_eq!(env.json(&["status"])["halts"], serde_json::json!([]));
    let run = env.json(&["sync", "fleet"])[0].clone();
    assert_eq!(run["auto_applied"].as_array().unwrap().len(), 11);
    let out = env.run(&["unhalt"]).success();
    assert!(out.stderr.contains("nothing was halted"), "{}", out.stderr);
    env.run(&["halt", "--reason", " "]).code(2);
}

#[test]
fn a_hook_for_a_kind_the_layout_never_applies_is_refused() {
    let env = TestEnv::new();
    let up = env.upstream("fleet");
    up.load_fixture("fleet/v1");
    up.commit("v1");
    let out = env
        .run(&[
            "repo",
            "add",
            "fleet",
            &up.url(),
            "--apply-hook",
            "modul=/bin/true",
        ])
        .code(2);
    assert!(out.stderr.contains("no kind 'modul'"), "{}", out.stderr);
    let out = env
        .run(&[
            "repo",
            "add",
            "fleet",
            &up.url(),
            "--apply-hook",
            "provider_config=/bin/true",
        ])
        .code(2);
    assert!(out.stderr.contains("template, module"), "{}", out.stderr);
}

// Guards: the command guard never starts a host command whose gitsync is
// gone (the parent it was told about is not its parent).
#[test]
fn the_command_guard_refuses_to_start_a_command_once_gitsync_is_gone() {
    let env = TestEnv::new();
    let marker = env.path().join("ran");
    let out = env
        .command(&[
            "__gitsync-command-guard",
            "1",
            "touch",
            marker.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(125));
    assert!(!marker.exists(), "the command ran without its gitsync");
}

// Guards: a hook's lingering children end when the hook exits, so they
// neither delay the apply nor outlive it.
#[test]
fn a_hook_that_leaves_a_child_behind_does_not_outlive_the_apply() {
    let env = TestEnv::new();
    let pid_file = env.path().join("child.pid");
    let hook = format!(
        "module=sh -c 'cat >/dev/null; sleep 60 & echo $! > {}; echo done >&2'",
        pid_file.display()
    );
    fleet(&env, "fleet", &["--apply-hook", &hook]);
    env.json(&["sync", "fleet"]);
    let id = proposal_id(&env, "module", "nginx-public");
    env.json(&["proposals", "approve", &id, "--apply"]);
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let status = std::fs::read_to_string(format!("/proc/{}/status", pid.trim()));
    // Gone, or at most a zombie waiting for init to reap it.
    assert!(
        status.as_ref().map_or(true, |s| s.contains("State:\tZ")),
        "the hook's child still runs: {status:?}"
    );
    let shown = env.json(&["proposals", "show", &id]);
    assert!(
        shown["hook_output"].as_str().unwrap().contains("done"),
        "{shown:#}"
    );
}
