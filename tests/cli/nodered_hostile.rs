//! A hostile Node-RED repository end to end: a git dependency smuggled past
//! a line-by-line check, escapes in node ids, types and package names. The
//! sync fails naming file and path, opens nothing, applies nothing, and
//! nothing it prints carries a raw control character.

use crate::harness::{GitRepo, Run, TestEnv, contrib};
use serde_json::{Value, json};

const TAB: &str = "3f9a1c5e7b2d4f60";

/// A tab with an inject and a debug node; `edit` may change any node.
fn flows(edit: impl FnOnce(&mut Vec<Value>)) -> String {
    let mut nodes = vec![
        json!({"id": TAB, "type": "tab", "label": "Main"}),
        json!({"id": "41b2c3d4e5f60718", "type": "inject", "z": TAB, "name": "tick", "wires": [["63d4e5f60718293a"]]}),
        json!({"id": "63d4e5f60718293a", "type": "debug", "z": TAB, "name": "out", "wires": []}),
    ];
    edit(&mut nodes);
    serde_json::to_string_pretty(&nodes).unwrap()
}

/// A fake `npm` first on the PATH that records each call, so a test can
/// prove the npm hook never reached it.
fn fake_npm(env: &TestEnv) -> (String, std::path::PathBuf) {
    let bin = env.path().join("fake-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = env.path().join("npm-calls.log");
    let script = format!("#!/bin/sh\nprintf '%s\\n' \"$*\" >>'{}'\n", log.display());
    let npm = bin.join("npm");
    std::fs::write(&npm, script).unwrap();
    std::fs::set_permissions(&npm, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    (path, log)
}

/// A registered auto-apply repo whose first commit (a good project with one
/// package) is synced and applied through the npm hook with a fake npm.
struct Project {
    env: TestEnv,
    up: GitRepo,
    npm_log: std::path::PathBuf,
    live: Value,
}

impl Project {
    fn new() -> Project {
        let mut env = TestEnv::new();
        let (path, npm_log) = fake_npm(&env);
        env.env.push(("PATH".into(), path));
        let user_dir = env.path().join("node-red-user");
        std::fs::create_dir_all(&user_dir).unwrap();
        let up = env.upstream("flows");
        up.write(
            "package.json",
            r#"{"dependencies": {"node-red-dashboard": "^3.2.3"}}"#,
        );
        up.write("flows.json", &flows(|_| {}));
        up.commit("v1");
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
            "--auto-apply",
            "--apply-hook",
            &hook,
        ])
        .success();
        env.run(&["sync", "flows"]).success();
        let live = env.json(&["get"]);
        assert_eq!(live.as_array().unwrap().len(), 2, "{live:#}");
        // The fake npm works: the good package reached it.
        let calls = std::fs::read_to_string(&npm_log).unwrap();
        assert_eq!(calls.lines().count(), 1, "{calls}");
        assert!(calls.contains("node-red-dashboard@^3.2.3"), "{calls}");
        Project {
            env,
            up,
            npm_log,
            live,
        }
    }

    /// Push a hostile commit and sync it: the sync must fail with `want` in
    /// its error, and leave everything as it was.
    #[track_caller]
    fn refuses(&self, package: &str, flows: &str, want: &str) {
        let env = &self.env;
        self.up.write("package.json", package);
        self.up.write("flows.json", flows);
        self.up.commit("hostile");
        let sync = env.run(&["sync", "flows"]).code(1);
        assert!(sync.stderr.contains(want), "{want}\n{}", sync.stderr);
        let runs = env.json(&["runs"]);
        assert_eq!(runs[0]["status"], "failed", "{runs:#}");
        let error = runs[0]["error"].as_str().unwrap();
        assert!(error.contains(want), "{want}\n{error}");
        // The message itself is escaped, not only its display.
        assert!(
            !error.chars().any(|c| c.is_control() && c != '\n'),
            "{error:?}"
        );
        assert_eq!(
            env.json(&["proposals", "list", "--status", "all"])
                .as_array()
                .unwrap()
                .len(),
            2,
            "no proposal beyond the first commit's"
        );
        assert_eq!(env.json(&["get"]), self.live, "live state unchanged");
        let calls = std::fs::read_to_string(&self.npm_log).unwrap();
        assert_eq!(calls.lines().count(), 1, "npm ran again: {calls}");
        for out in [
            &sync,
            &env.run(&["runs"]).success(),
            &env.run(&["status"]),
            &env.run(&["diff", "flows"]),
        ] {
            assert_clean(out);
        }
    }
}

/// No raw ESC, BEL, CSI or bidi override, and no line that a value injected
/// (a newline inside a value would start one with its rest).
#[track_caller]
fn assert_clean(run: &Run) {
    for text in [&run.stdout, &run.stderr] {
        assert!(
            !text
                .chars()
                .any(|c| matches!(c, '\u{1b}' | '\u{7}' | '\u{9b}' | '\u{202e}' | '\r')),
            "raw control character in {:?}",
            text
        );
        assert!(
            !text
                .lines()
                .any(|l| l.starts_with("1.0.0") || l.starts_with("ok\"")),
            "an injected line in {text}"
        );
    }
}

#[test]
fn a_git_dependency_behind_a_newline_fails_the_sync_and_never_reaches_npm() {
    // Issue #10: the npm hook once checked versions line by line, saw
    // "1.0.0" and installed the git source, whose postinstall ran.
    let project = Project::new();
    project.refuses(
        r#"{"dependencies": {"node-red-dashboard": "^3.2.3", "helper": "git+http://host/evil.git\n1.0.0"}}"#,
        &flows(|_| {}),
        "package.json: dependencies.helper: 'git+http://host/evil.git\\n1.0.0' holds control characters or bidirectional controls (the first is the control character \\n",
    );
}

#[test]
fn a_git_source_without_a_newline_is_refused_with_the_flag_that_allows_it() {
    let project = Project::new();
    project.refuses(
        r#"{"dependencies": {"node-red-dashboard": "github:evil/dashboard"}}"#,
        &flows(|_| {}),
        "package.json: dependencies.node-red-dashboard: version 'github:evil/dashboard' is a git source",
    );
    let sync = project.env.run(&["sync", "flows"]).code(1);
    assert!(
        sync.stderr
            .contains("or let the host allow git sources with --allow-package-source git"),
        "{}",
        sync.stderr
    );
}

#[test]
fn escapes_in_a_node_id_a_node_type_or_a_package_name_fail_the_sync_by_path() {
    let project = Project::new();
    let good_package = r#"{"dependencies": {"node-red-dashboard": "^3.2.3"}}"#;
    project.refuses(
        good_package,
        &flows(|nodes| nodes[2]["id"] = json!("63d4\u{1b}]0;owned\u{7}")),
        "flows.json: [2].id: '63d4\\e]0;owned\\a' holds control characters or bidirectional controls (the first is the control character \\e",
    );
    project.refuses(
        good_package,
        &flows(|nodes| nodes[1]["type"] = json!("inject\u{1b}[2J")),
        "flows.json: [1].type: 'inject\\e[2J' holds control characters or bidirectional controls (the first is the control character \\e",
    );
    project.refuses(
        good_package,
        &flows(|nodes| nodes[0]["id"] = json!("tab\u{202e}")),
        "flows.json: [0].id: 'tab\\u{202e}' holds control characters or bidirectional controls (the first is the bidirectional control \\u{202e}",
    );
    project.refuses(
        r#"{"dependencies": {"node-red-dashboard": "^3.2.3", "evil\u001b[31m": "1.0.0"}}"#,
        &flows(|_| {}),
        "package.json: dependencies[\"evil\\e[31m\"]: 'evil\\e[31m' holds control characters or bidirectional controls (the first is the control character \\e",
    );
    project.refuses(
        r#"{"dependencies": {"node-red-dashboard": "^3.2.3", "../../x\nok": "1.0.0"}}"#,
        &flows(|_| {}),
        "package.json: dependencies[\"../../x\\nok\"]: '../../x\\nok' holds control characters or bidirectional controls (the first is the control character \\n",
    );
}

#[test]
fn a_duplicate_key_in_package_json_fails_the_sync() {
    let project = Project::new();
    project.refuses(
        "{\"dependencies\": {\"node-red-dashboard\": \"^3.2.3\",\n \"node-red-dashboard\": \"github:evil/x\"}}",
        &flows(|_| {}),
        "package.json: invalid JSON at line 2, column 21: duplicate key 'node-red-dashboard'",
    );
}

#[test]
fn the_host_can_allow_git_sources_per_repo_and_take_it_back() {
    let env = TestEnv::new();
    let up = env.upstream("flows");
    up.write(
        "package.json",
        r#"{"dependencies": {"helper": "github:acme/helper#v1.0.0"}}"#,
    );
    up.write("flows.json", &flows(|_| {}));
    up.commit("a git dependency");
    let url = up.url();
    let add = |extra: &[&str]| {
        let mut args = vec!["repo", "add", "flows", url.as_str(), "--layout", "nodered"];
        args.extend_from_slice(extra);
        env.run(&args)
    };
    // Only for the nodered layout, and only the known kinds.
    let fleet = env.run(&[
        "repo",
        "add",
        "flows",
        &url,
        "--allow-package-source",
        "git",
    ]);
    assert_eq!(fleet.code, 2);
    assert!(
        fleet
            .stderr
            .contains("--allow-package-source is for the nodered layout, not 'fleet'"),
        "{}",
        fleet.stderr
    );
    let unknown = add(&["--allow-package-source", "ftp"]);
    assert_eq!(unknown.code, 2, "{unknown:?}");
    add(&[
        "--allow-package-source",
        "git",
        "--allow-package-source",
        "alias",
    ])
    .success();
    let shown = env.json(&["repo", "show", "flows"]);
    assert_eq!(shown["allow_package_sources"], json!(["git", "alias"]));
    let text = env.run(&["repo", "show", "flows"]).success();
    assert!(
        text.stdout.contains("allow sources  git, alias"),
        "{}",
        text.stdout
    );
    env.run(&["sync", "flows"]).success();
    let open = env.json(&["proposals", "list"]);
    let helper = open
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "package")
        .unwrap_or_else(|| panic!("{open:#}"));
    let id = helper["id"].to_string();
    assert_eq!(
        env.json(&["proposals", "show", &id])["desired"],
        json!({"name": "helper", "version": "github:acme/helper#v1.0.0"})
    );
    // Taken back: the same commit no longer syncs.
    env.run(&["repo", "pause", "flows"]).success();
    env.run(&["repo", "set", "flows", "--allow-package-source", "none"])
        .success();
    assert_eq!(
        env.json(&["repo", "show", "flows"])["allow_package_sources"],
        json!([])
    );
    env.run(&["repo", "resume", "flows"]).success();
    let sync = env.run(&["sync", "flows"]).code(1);
    assert!(
        sync.stderr
            .contains("version 'github:acme/helper#v1.0.0' is a git source"),
        "{}",
        sync.stderr
    );
}
