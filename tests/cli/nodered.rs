//! The nodered layout end to end: Node-RED projects in git become flow,
//! subflow, config and package proposals; unknown node types are recovered
//! through a catalog or reported; packages and flows reach a real Node-RED
//! through the contrib hooks.

use crate::harness::{GitRepo, TestEnv, contrib, fixtures};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SENSORS: &str = "5e1f0c2a8b7d3e91";
const DASHBOARD: &str = "7c3a9e4b2f1d6a08";
const MAINTENANCE: &str = "0b8d6f2e4c9a1357";
const BROKER: &str = "d2c4e6f8a0b1c3d5";

/// An upstream repo holding `fixtures/nodered/<fixture>`, registered as
/// `flows` with the nodered layout and `flags`.
fn project(env: &TestEnv, fixture: &str, flags: &[&str]) -> GitRepo {
    let up = env.upstream("flows");
    up.load_fixture(&format!("nodered/{fixture}"));
    up.commit(fixture);
    let url = up.url();
    let mut args = vec!["repo", "add", "flows", url.as_str(), "--layout", "nodered"];
    args.extend_from_slice(flags);
    env.run(&args).success();
    up
}

fn find<'a>(list: &'a Value, kind: &str, name: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == kind && p["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name} in {list:#}"))
}

fn names_of(list: &Value, kind: &str) -> Vec<String> {
    let mut names: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == kind)
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn a_node_red_project_becomes_flow_subflow_config_and_package_proposals() {
    let env = TestEnv::new();
    project(&env, "home/v1", &[]);
    let run = env.json(&["sync", "flows"])[0].clone();
    assert_eq!(run["status"], "success", "{run:#}");
    assert_eq!(run["summary"]["flow"], 3);
    assert_eq!(run["summary"]["subflow"], 1);
    assert_eq!(run["summary"]["config"], 6);
    assert_eq!(run["summary"]["package"], 3);
    let open = env.json(&["proposals", "list"]);
    assert_eq!(
        names_of(&open, "package"),
        [
            "node-red-contrib-influxdb",
            "node-red-dashboard",
            "node-red-node-random"
        ]
    );
    assert_eq!(
        names_of(&open, "flow"),
        [MAINTENANCE, SENSORS, DASHBOARD]
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    );
    // The one the flows use but package.json forgot, recovered from the
    // catalog in the repo, marked as inferred.
    let random = find(&open, "package", "node-red-node-random")["id"].to_string();
    let shown = env.json(&["proposals", "show", &random]);
    assert_eq!(
        shown["desired"],
        serde_json::json!({"name": "node-red-node-random", "version": "0.4.1", "inferred": true})
    );
    // A new flow's diff lists its nodes before the YAML.
    let sensors = find(&open, "flow", SENSORS)["id"].to_string();
    let diff = env.json(&["proposals", "show", &sensors])["diff"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        diff.starts_with(&format!(
            "tab 'Sensors' ({SENSORS}): 10 nodes added, 0 removed, 0 changed\n"
        )),
        "{diff}"
    );
    assert!(
        diff.contains("  + mqtt in 'zigbee sensors' (4c5d6e7f8091a2b3)\n"),
        "{diff}"
    );
    assert!(diff.contains("  + junction (c1d2e3f4a5b6c7d8)\n"), "{diff}");
    assert!(diff.contains("--- live\n+++ desired\n"), "{diff}");
    env.json(&["proposals", "approve", "--all", "--apply"]);
    let live = env.json(&["get", "config", BROKER]);
    assert_eq!(live[0]["spec"]["node"]["name"], "Home broker");
    assert_eq!(live[0]["origin"]["path"], "flows.json");
    assert_eq!(env.json(&["status"])["repos"][0]["health"], "in-sync");
}

#[test]
fn a_pushed_flow_change_shows_which_nodes_were_added_removed_or_changed() {
    let env = TestEnv::new();
    let up = project(&env, "home/v1", &["--auto-apply"]);
    env.json(&["sync", "flows"]);
    up.load_fixture("nodered/home/v2");
    up.commit("v2: new threshold, living room, no maintenance");
    let run = env.json(&["sync", "flows"])[0].clone();
    assert_eq!(run["status"], "success", "{run:#}");
    // Updates applied themselves; the removed tab waits for review.
    let open = env.json(&["proposals", "list"]);
    assert_eq!(open.as_array().unwrap().len(), 1, "{open:#}");
    assert_eq!(find(&open, "flow", MAINTENANCE)["change"], "destroy");
    let all = env.json(&["proposals", "list", "--status", "all"]);
    let sensors_v2 = all
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "flow" && p["name"] == SENSORS && p["change"] == "update")
        .unwrap()["id"]
        .to_string();
    let out = env.run(&["proposals", "show", &sensors_v2]).success();
    for line in [
        &format!("tab 'Sensors' ({SENSORS}): 1 node added, 1 removed, 1 changed"),
        "  + rbe 'only changes' (ab12cd34ef567890)",
        "  - debug 'normal readings' (a2b3c4d5e6f70819)",
        "  ~ switch 'too hot?' (7f8091a2b3c4d5e6): rules, wires",
    ] {
        assert!(
            out.stdout.contains(line),
            "{line} missing from\n{}",
            out.stdout
        );
    }
    // The renamed tab keeps its identity: one update, same name.
    let dashboard = env.json(&["history", "flow", DASHBOARD]);
    assert_eq!(dashboard.as_array().unwrap().len(), 2);
    assert_eq!(dashboard[0]["spec"]["tab"]["label"], "Living room");
    // Declared now: no longer inferred.
    assert_eq!(
        env.json(&["get", "package", "node-red-node-random"])[0]["spec"],
        serde_json::json!({"name": "node-red-node-random", "version": "0.4.1"})
    );
    let destroy = find(&open, "flow", MAINTENANCE)["id"].to_string();
    let shown = env.json(&["proposals", "show", &destroy]);
    assert!(
        shown["diff"].as_str().unwrap().starts_with(&format!(
            "tab 'Maintenance' ({MAINTENANCE}): 0 nodes added, 7 removed"
        )),
        "{shown:#}"
    );
}

#[test]
fn broken_projects_fail_the_run_naming_file_path_and_rule() {
    for (fixture, expected) in [
        (
            "broken/package-json",
            vec!["package.json: invalid JSON at line 6, column 5: trailing comma"],
        ),
        (
            "broken/flows-not-array",
            vec!["flows.json: expected a JSON array of nodes, found an object"],
        ),
        (
            "broken/node-without-id",
            vec![
                "flows_main.json: [1]: 'inject' node has no 'id'",
                "flows_main.json: [2]: node '52c3d4e5f6071829' has no 'type'",
                "flows_main.json: [3]: node '63d4e5f60718293a' (debug) has z 'deadbeefdeadbeef', which names no tab or subflow",
            ],
        ),
        (
            "broken/duplicate-ids",
            vec!["flows.json: [3]: duplicate id '52c3d4e5f6071829': the node at [2] has it too"],
        ),
    ] {
        let env = TestEnv::new();
        project(&env, fixture, &[]);
        let out = env.run(&["sync", "flows"]).code(1);
        for want in &expected {
            assert!(
                out.stderr.contains(want),
                "{fixture}: {want}\n{}",
                out.stderr
            );
        }
        let run = &env.json(&["runs"])[0];
        assert_eq!(run["status"], "failed");
        for want in &expected {
            assert!(run["error"].as_str().unwrap().contains(want), "{run:#}");
        }
        assert_eq!(env.json(&["proposals", "list"]), serde_json::json!([]));
    }
}

#[test]
fn an_unknown_node_type_is_reported_by_name_and_flow_while_the_rest_proceeds() {
    let env = TestEnv::new();
    project(&env, "minimal", &["--auto-apply"]);
    let run = env.json(&["sync", "flows"])[0].clone();
    assert_eq!(run["status"], "partial", "{run:#}");
    assert!(
        run["error"]
            .as_str()
            .unwrap()
            .contains("unknown node type 'random' used by flow 'Main'"),
        "{run:#}"
    );
    // The flow was still proposed and applied.
    assert_eq!(run["auto_applied"].as_array().unwrap().len(), 1);
    assert_eq!(
        env.json(&["get", "flow"])[0]["spec"]["tab"]["label"],
        "Main"
    );
    let diff = env.run(&["diff", "flows"]).success();
    assert!(
        diff.stderr
            .contains("warning: flows: unknown node type 'random' used by flow 'Main'"),
        "{}",
        diff.stderr
    );
}

#[test]
fn a_host_catalog_recovers_the_package_an_unknown_type_needs() {
    let env = TestEnv::new();
    let catalog = fixtures().join("nodered/host-catalog.json");
    project(
        &env,
        "minimal",
        &["--catalog", catalog.to_str().unwrap(), "--auto-apply"],
    );
    let run = env.json(&["sync", "flows"])[0].clone();
    assert_eq!(run["status"], "success", "{run:#}");
    let package = env.json(&["get", "package", "node-red-node-random"]);
    assert_eq!(
        package[0]["spec"],
        serde_json::json!({"name": "node-red-node-random", "version": "0.4.1", "inferred": true})
    );
    assert_eq!(env.json(&["repo", "show", "flows"])["layout"], "nodered");
}

#[test]
fn the_catalog_flag_is_checked_when_the_repo_is_added() {
    let env = TestEnv::new();
    let up = env.upstream("flows");
    up.load_fixture("nodered/minimal");
    up.commit("v1");
    let url = up.url();
    let missing = env.run(&[
        "repo",
        "add",
        "flows",
        &url,
        "--layout",
        "nodered",
        "--catalog",
        "nope.json",
    ]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("invalid --catalog 'nope.json'"),
        "{}",
        missing.stderr
    );
    let not_json = env.path().join("bad.json");
    std::fs::write(&not_json, "{\n  \"x\": [1,\n").unwrap();
    let bad = env.run(&[
        "repo",
        "add",
        "flows",
        &url,
        "--layout",
        "nodered",
        "--catalog",
        not_json.to_str().unwrap(),
    ]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("invalid JSON at line 3"),
        "{}",
        bad.stderr
    );
    let catalog = fixtures().join("nodered/host-catalog.json");
    let fleet = env.run(&[
        "repo",
        "add",
        "flows",
        &url,
        "--catalog",
        catalog.to_str().unwrap(),
    ]);
    assert_eq!(fleet.code, 2);
    assert!(
        fleet.stderr.contains("--catalog is for the nodered layout"),
        "{}",
        fleet.stderr
    );
}

#[test]
fn credential_files_are_never_read() {
    let env = TestEnv::new();
    let secret = "s3cr3t-broker-password-7781";
    let up = env.upstream("flows");
    up.load_fixture("nodered/home/v1");
    // Plain text, as a project with credentialSecret: false keeps it.
    up.write(
        "flows_cred.json",
        &format!(r#"{{"{BROKER}": {{"user": "house", "password": "{secret}"}}}}"#),
    );
    up.commit("with credentials");
    let tree = env.path().join("applied");
    let hook = format!("*={} {}", contrib("write-file-tree"), tree.display());
    let url = up.url();
    let mut outputs = vec![
        env.run(&[
            "repo",
            "add",
            "flows",
            &url,
            "--layout",
            "nodered",
            "--apply-hook",
            &hook,
        ])
        .success(),
        env.run(&["-v", "sync", "flows"]).success(),
        env.run(&["diff", "flows"]).success(),
        env.run(&["proposals", "approve", "--all", "--apply"])
            .success(),
    ];
    for args in [
        vec!["-o", "json", "proposals", "list", "--status", "all"],
        vec!["-o", "json", "get"],
        vec!["-o", "json", "runs"],
        vec!["-o", "json", "events"],
    ] {
        outputs.push(env.run(&args).success());
    }
    for id in 1..=13 {
        outputs.push(
            env.run(&["-o", "json", "proposals", "show", &id.to_string()])
                .success(),
        );
    }
    for out in &outputs {
        assert!(
            !out.stdout.contains(secret) && !out.stderr.contains(secret),
            "{out:?}"
        );
    }
    let state = std::fs::read(env.state()).unwrap();
    assert!(
        !state.windows(secret.len()).any(|w| w == secret.as_bytes()),
        "the state file holds the secret"
    );
    let mut applied = 0;
    for entry in walk(&tree) {
        applied += 1;
        assert!(
            !std::fs::read_to_string(&entry).unwrap().contains(secret),
            "{}",
            entry.display()
        );
    }
    assert_eq!(applied, 13, "every change reached the hook");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn a_failing_package_install_is_retried_then_reported_after_three_attempts() {
    let env = TestEnv::new();
    let hook = "package=sh -c 'cat >/dev/null; echo npm error 404 Not Found - GET https://registry.npmjs.org/$GITSYNC_NAME >&2; exit 1'";
    project(
        &env,
        "minimal",
        &[
            "--catalog",
            fixtures()
                .join("nodered/host-catalog.json")
                .to_str()
                .unwrap(),
            "--auto-apply",
            "--apply-hook",
            hook,
        ],
    );
    let first = env.run(&["-o", "json", "sync", "flows"]).code(1).json()[0].clone();
    assert_eq!(first["status"], "partial");
    assert_eq!(first["failed"].as_array().unwrap().len(), 1, "{first:#}");
    // The flow itself went through.
    assert_eq!(env.json(&["get", "flow"]).as_array().unwrap().len(), 1);
    env.run(&["sync", "flows"]).code(1);
    env.run(&["sync", "flows"]).code(1);
    let status = env.run(&["status"]).success();
    assert!(
        status
            .stdout
            .contains("recovery retried 3 times and still failed"),
        "{}",
        status.stdout
    );
    assert!(status.stdout.contains("404 Not Found"), "{}", status.stdout);
    assert_eq!(env.json(&["get", "package"]), serde_json::json!([]));
}

// Guards: defence in depth; a git source the host let past the layout is
// still refused by the npm hook until the hook is told too.
#[test]
fn the_npm_hook_refuses_a_git_source_the_host_allowed_only_to_the_layout() {
    let env = TestEnv::new();
    let user_dir = env.path().join("node-red-user");
    std::fs::create_dir_all(&user_dir).unwrap();
    let up = env.upstream("flows");
    up.load_fixture("nodered/minimal");
    up.write(
        "package.json",
        r#"{"dependencies": {"node-red-node-random": "git+https://example.com/evil.git"}}"#,
    );
    up.commit("a git dependency");
    let hook = format!(
        "package={} {}",
        contrib("nodered-npm-install"),
        user_dir.display()
    );
    let url = up.url();
    env.run(&[
        "repo",
        "add",
        "flows",
        &url,
        "--layout",
        "nodered",
        "--allow-package-source",
        "git",
        "--apply-hook",
        &hook,
    ])
    .success();
    env.json(&["sync", "flows"]);
    let out = env.run(&["-o", "json", "proposals", "approve", "--all", "--apply"]);
    assert_eq!(out.code, 1);
    let refused = out.json().as_array().unwrap().iter().any(|p| {
        p["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("unless the hook is given --allow-source git")
    });
    assert!(refused, "{}", out.stdout);
    assert!(!user_dir.join("node_modules").exists());
    assert_eq!(env.json(&["get", "package"]), serde_json::json!([]));
}

// ---------------------------------------------------------------------------
// Against a real Node-RED.

/// A Node-RED started from the npm package on 127.0.0.1 with a temporary
/// user folder, stopped when dropped.
struct NodeRed {
    child: Option<Child>,
    red_js: PathBuf,
    user_dir: PathBuf,
    log: PathBuf,
    url: String,
}

/// Where the `node-red` package is installed for the tests: the folder
/// `.ci/run` installs into (`target/node-red`), or `GITSYNC_NODE_RED_DIR`.
fn node_red_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("GITSYNC_NODE_RED_DIR") {
        return PathBuf::from(dir);
    }
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target dir")
        .join("node-red")
}

/// The path of Node-RED's `red.js`, installing `node-red@4` with npm when it
/// is missing; `Err` says why it is not available.
fn install_node_red() -> Result<PathBuf, String> {
    let dir = node_red_dir();
    let red_js = dir.join("node_modules/node-red/red.js");
    if red_js.exists() {
        return Ok(red_js);
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut npm = Command::new("npm");
    npm.args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&dir)
        .arg("node-red@4");
    gitsync::hooks::run_with_timeout(npm, b"", Duration::from_secs(600))
        .map_err(|e| format!("npm install node-red@4 into {}: {e}", dir.display()))?;
    if red_js.exists() {
        Ok(red_js)
    } else {
        Err(format!("npm installed no {}", red_js.display()))
    }
}

impl NodeRed {
    /// Start Node-RED, or `None` (after a loud SKIPPED line) when it cannot
    /// be installed outside CI. In CI (`CI` set) that is a failure.
    fn start(env: &TestEnv) -> Option<NodeRed> {
        let red_js = match install_node_red() {
            Ok(path) => path,
            Err(why) if std::env::var_os("CI").is_some() => {
                panic!("Node-RED is needed in CI: {why}")
            }
            Err(why) => {
                eprintln!("SKIPPED: the Node-RED end-to-end test: {why}");
                return None;
            }
        };
        let user_dir = env.path().join("node-red-user");
        std::fs::create_dir_all(&user_dir).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        std::fs::write(
            user_dir.join("settings.js"),
            format!(
                "module.exports = {{\n  uiHost: \"127.0.0.1\",\n  uiPort: {port},\n  flowFile: \"flows.json\",\n  credentialSecret: false,\n  logging: {{ console: {{ level: \"warn\" }} }},\n  diagnostics: {{ enabled: false }},\n  editorTheme: {{ tours: false }},\n}};\n"
            ),
        )
        .unwrap();
        let mut node_red = NodeRed {
            child: None,
            red_js,
            log: env.path().join("node-red.log"),
            url: format!("http://127.0.0.1:{port}"),
            user_dir,
        };
        node_red.launch();
        Some(node_red)
    }

    fn launch(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let child = Command::new("node")
            .arg(&self.red_js)
            .arg("--userDir")
            .arg(&self.user_dir)
            .arg("--settings")
            .arg(self.user_dir.join("settings.js"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start node");
        let child = self.child.insert(child);
        let deadline = Instant::now() + Duration::from_secs(90);
        while get_json(&self.url, "/flows").is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "Node-RED exited with {status}:\n{}",
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                );
            }
            assert!(
                Instant::now() < deadline,
                "Node-RED did not answer:\n{}",
                std::fs::read_to_string(&self.log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    fn restart(&mut self) {
        self.stop();
        self.launch();
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn get(&self, path: &str) -> Result<Value, String> {
        get_json(&self.url, path)
    }

    /// The deployed flows, sorted by id.
    fn flows(&self) -> Vec<Value> {
        let value = self.get("/flows").unwrap();
        sorted(value["flows"].as_array().unwrap().clone())
    }
}

/// GET a path of Node-RED's admin API as JSON, with Node.js's fetch (node is
/// there whenever Node-RED is).
fn get_json(url: &str, path: &str) -> Result<Value, String> {
    let script = "fetch(process.argv[1], {headers: {'Node-RED-API-Version': 'v2', Accept: 'application/json'}})\
            .then(async r => { const t = await r.text(); if (!r.ok) { console.error(r.status, t); process.exit(1) } process.stdout.write(t) })\
            .catch(e => { console.error(e.message); process.exit(1) })";
    let out = Command::new("node")
        .args(["-e", script, &format!("{url}{path}")])
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())
}

impl Drop for NodeRed {
    fn drop(&mut self) {
        self.stop();
    }
}

fn sorted(mut nodes: Vec<Value>) -> Vec<Value> {
    nodes.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    nodes
}

/// The nodes of a fixture's flow file, sorted by id.
fn fixture_flows(dir: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(fixtures().join(dir).join("flows.json")).unwrap();
    sorted(serde_json::from_str::<Vec<Value>>(&text).unwrap())
}

#[track_caller]
fn assert_same_flows(deployed: &[Value], expected: &[Value]) {
    let ids = |nodes: &[Value]| -> Vec<String> {
        nodes
            .iter()
            .map(|n| n["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(deployed), ids(expected), "node ids differ");
    for (d, e) in deployed.iter().zip(expected) {
        assert_eq!(d, e, "node {} differs", e["id"]);
    }
}

#[test]
fn flows_and_packages_reach_a_real_node_red_through_the_contrib_hooks() {
    let mut env = TestEnv::new();
    let Some(mut node_red) = NodeRed::start(&env) else {
        return;
    };
    // The npm hook reaches the registry the way the test's own npm did:
    // same proxies and certificate authorities, and a cache kept across runs.
    for (key, value) in std::env::vars() {
        let upper = key.to_ascii_uppercase();
        if upper.starts_with("NPM_CONFIG_")
            || upper.ends_with("_PROXY")
            || matches!(
                upper.as_str(),
                "NODE_EXTRA_CA_CERTS" | "SSL_CERT_FILE" | "SSL_CERT_DIR"
            )
        {
            env.env.push((key, value));
        }
    }
    env.env.push((
        "npm_config_cache".into(),
        node_red_dir().join("npm-cache").display().to_string(),
    ));
    let deploy = format!("{} {}", contrib("nodered-deploy-flows"), node_red.url);
    let install = format!(
        "package={} {}",
        contrib("nodered-npm-install"),
        node_red.user_dir.display()
    );
    let up = project(
        &env,
        "home/v1",
        &[
            "--apply-hook",
            &install,
            "--apply-hook",
            &format!("flow={deploy}"),
            "--apply-hook",
            &format!("subflow={deploy}"),
            "--apply-hook",
            &format!("config={deploy}"),
        ],
    );
    env.json(&["sync", "flows"]);
    let applied = env.json(&["proposals", "approve", "--all", "--apply"]);
    assert!(
        applied
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] == "applied"),
        "{applied:#}\n{}",
        node_red.log_text()
    );
    assert_same_flows(&node_red.flows(), &fixture_flows("nodered/home/v1"));
    // The packages are in the user folder, and Node-RED loads them on restart.
    let user_package: Value = serde_json::from_str(
        &std::fs::read_to_string(node_red.user_dir.join("package.json")).unwrap(),
    )
    .unwrap();
    for module in [
        "node-red-contrib-influxdb",
        "node-red-dashboard",
        "node-red-node-random",
    ] {
        assert!(
            user_package["dependencies"].get(module).is_some(),
            "{module} not installed: {user_package:#}"
        );
    }
    node_red.restart();
    let loaded = node_red.get("/nodes").unwrap();
    let modules: Vec<&str> = loaded
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|set| set["module"].as_str())
        .collect();
    assert!(modules.contains(&"node-red-node-random"), "{modules:?}");
    assert!(modules.contains(&"node-red-dashboard"), "{modules:?}");
    assert_same_flows(&node_red.flows(), &fixture_flows("nodered/home/v1"));

    up.load_fixture("nodered/home/v2");
    up.commit("v2: new threshold, living room, no maintenance");
    env.json(&["sync", "flows"]);
    let applied = env.json(&["proposals", "approve", "--all", "--apply"]);
    assert!(
        applied
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] == "applied"),
        "{applied:#}\n{}",
        node_red.log_text()
    );
    assert_same_flows(&node_red.flows(), &fixture_flows("nodered/home/v2"));
    assert_eq!(env.json(&["status"])["repos"][0]["health"], "in-sync");
}
