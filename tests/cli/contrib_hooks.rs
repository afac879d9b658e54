//! The contrib hooks fed directly, as an attacker who gets past gitsync
//! would: hostile values, empty stdin and non-JSON stdin make each hook exit
//! non-zero before it touches anything (npm, Node-RED, an admin API, files).
//! Each refusal is paired with an accepted change, so a hook that does
//! nothing at all would fail these tests.

use crate::harness::{TestEnv, contrib};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What one hook run did.
struct Hook {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Run contrib hook `name` with `args`, exactly `vars` (and PATH) in its
/// environment, and `stdin`.
fn run_hook(name: &str, args: &[&str], vars: &[(&str, &str)], path: &str, stdin: &[u8]) -> Hook {
    let mut cmd = Command::new(contrib(name));
    cmd.args(args)
        .env_clear()
        .env("PATH", path)
        .envs(vars.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start hook");
    // A hook that refuses early may close stdin before reading it all.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    let out = child.wait_with_output().unwrap();
    Hook {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[track_caller]
fn assert_refused(hook: &Hook, want: &str) {
    assert_ne!(hook.code, 0, "accepted: {}{}", hook.stdout, hook.stderr);
    assert!(hook.stderr.contains(want), "{want}\n{}", hook.stderr);
    // The refusal shows the value escaped: no raw escape, no injected line.
    assert!(
        !hook.stderr.contains(['\u{1b}', '\u{7}', '\u{202e}']),
        "{:?}",
        hook.stderr
    );
    assert!(hook.stderr.lines().count() <= 1, "{:?}", hook.stderr);
}

fn system_path() -> String {
    std::env::var("PATH").unwrap_or_default()
}

/// The change gitsync would send, as JSON bytes.
fn change(kind: &str, name: &str, change: &str, desired: Value) -> Vec<u8> {
    json!({
        "proposal": 1, "repo": "flows", "namespace": "default", "kind": kind,
        "name": name, "change": change, "commit": "0123456789abcdef0123456789abcdef01234567",
        "source_path": "package.json", "base": null, "desired": desired,
    })
    .to_string()
    .into_bytes()
}

// ---------------------------------------------------------------------------
// nodered-npm-install

/// A fake `npm` first on the PATH that records its arguments.
struct FakeNpm {
    path: String,
    log: PathBuf,
    user_dir: PathBuf,
}

impl FakeNpm {
    fn new(env: &TestEnv) -> FakeNpm {
        let bin = env.path().join("fake-bin");
        std::fs::create_dir_all(&bin).unwrap();
        let log = env.path().join("npm-calls.log");
        let npm = bin.join("npm");
        std::fs::write(
            &npm,
            format!("#!/bin/sh\nprintf '%s\\n' \"$*\" >>'{}'\n", log.display()),
        )
        .unwrap();
        std::fs::set_permissions(&npm, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        let user_dir = env.path().join("node-red-user");
        std::fs::create_dir_all(&user_dir).unwrap();
        FakeNpm {
            path: format!("{}:{}", bin.display(), system_path()),
            log,
            user_dir,
        }
    }

    fn install(&self, extra: &[&str], name: &str, change_kind: &str, stdin: &[u8]) -> Hook {
        let user_dir = self.user_dir.display().to_string();
        let mut args = extra.to_vec();
        args.push(&user_dir);
        run_hook(
            "nodered-npm-install",
            &args,
            &[
                ("GITSYNC_KIND", "package"),
                ("GITSYNC_NAME", name),
                ("GITSYNC_CHANGE", change_kind),
            ],
            &self.path,
            stdin,
        )
    }

    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }
}

fn package(name: &str, version: &str) -> Vec<u8> {
    change(
        "package",
        name,
        "create",
        json!({"name": name, "version": version}),
    )
}

#[test]
fn the_npm_hook_refuses_hostile_specs_and_bad_stdin_before_npm_runs() {
    let env = TestEnv::new();
    let npm = FakeNpm::new(&env);
    let random = "node-red-node-random";
    for (name, stdin, want) in [
        // Issue #10: grep -Eq matched the second line and let this through.
        (
            random,
            package(random, "git+http://host/evil.git\n1.0.0"),
            "holds a control or bidi character",
        ),
        (
            random,
            package(random, "git+https://example.com/evil.git"),
            "is a git source; only registry versions are installed unless the hook is given --allow-source git",
        ),
        (
            random,
            package(random, "github:evil/x"),
            "--allow-source git",
        ),
        (random, package(random, "evil/x"), "--allow-source git"),
        (
            random,
            package(random, "https://example.com/x.tgz"),
            "--allow-source url",
        ),
        (
            random,
            package(random, "file:../../x"),
            "--allow-source file",
        ),
        (
            random,
            package(random, "npm:evil@1.0.0"),
            "--allow-source alias",
        ),
        (
            random,
            package(random, "-rf"),
            "is not an npm version, range or dist-tag",
        ),
        (
            random,
            package(random, "1.0.0\u{1b}]0;owned\u{7}"),
            "holds a control or bidi character",
        ),
        (
            "../../x\nok",
            package("../../x\nok", "1.0.0"),
            "holds a control or bidi character",
        ),
        (
            "Evil",
            package("Evil", "1.0.0"),
            "is not an npm package name",
        ),
        ("-g", package("-g", "1.0.0"), "is not an npm package name"),
        (
            "evil\u{202e}",
            package("evil\u{202e}", "1.0.0"),
            "holds a control or bidi character",
        ),
        // Environment and stdin must describe the same change.
        (
            random,
            package("node-red-dashboard", "1.0.0"),
            "stdin says name 'node-red-dashboard' but the environment says 'node-red-node-random'",
        ),
        (random, b"".to_vec(), "no change on stdin"),
        (random, b"  \n".to_vec(), "no change on stdin"),
        (
            random,
            b"not json".to_vec(),
            "the change on stdin is not JSON",
        ),
        (
            random,
            b"{\"desired\": {\"version\": \"1.0.0\"}".to_vec(),
            "the change on stdin is not JSON",
        ),
        (random, b"[1, 2]".to_vec(), "not a JSON object"),
    ] {
        let hook = npm.install(&[], name, "create", &stdin);
        assert_refused(&hook, want);
        assert_eq!(npm.calls(), Vec::<String>::new(), "npm ran for {want}");
    }
    // Destroys are checked too: a name npm would read as an option is refused.
    let hook = npm.install(
        &[],
        "-g",
        "destroy",
        &change("package", "-g", "destroy", Value::Null),
    );
    assert_refused(&hook, "is not an npm package name");
    assert_eq!(npm.calls(), Vec::<String>::new());
    assert!(
        !npm.user_dir.join("package.json").exists(),
        "nothing written"
    );

    // The same hook installs registry versions, and git sources when told to.
    let user_dir = npm.user_dir.display().to_string();
    for (extra, version) in [
        (&[][..], "^0.4.1"),
        (&[][..], ">=2.0.0 <3"),
        (&["--allow-source", "git"][..], "github:acme/random#v1"),
    ] {
        let hook = npm.install(
            extra,
            random,
            "update",
            &change(
                "package",
                random,
                "update",
                json!({"name": random, "version": version}),
            ),
        );
        assert_eq!(hook.code, 0, "{version}: {}", hook.stderr);
        assert_eq!(
            npm.calls().last().unwrap(),
            &format!("install --prefix {user_dir} --no-audit --no-fund --save {random}@{version}")
        );
    }
    assert!(npm.user_dir.join("package.json").exists());
    let hook = npm.install(
        &[],
        random,
        "destroy",
        &change("package", random, "destroy", Value::Null),
    );
    assert_eq!(hook.code, 0, "{}", hook.stderr);
    assert_eq!(
        npm.calls().last().unwrap(),
        &format!("uninstall --prefix {user_dir} --no-audit --no-fund --save {random}")
    );
}

// ---------------------------------------------------------------------------
// nodered-deploy-flows

/// A port on 127.0.0.1 that records whether anything connected.
struct Listener {
    listener: TcpListener,
    url: String,
}

impl Listener {
    fn new() -> Listener {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        listener.set_nonblocking(true).unwrap();
        Listener { listener, url }
    }

    /// Whether a client connected since the last call (the hook has exited).
    fn was_contacted(&self) -> bool {
        let mut any = false;
        while self.listener.accept().is_ok() {
            any = true;
        }
        any
    }
}

fn flow_change(tab: &str, nodes: Value) -> Vec<u8> {
    change(
        "flow",
        tab,
        "update",
        json!({"tab": {"id": tab, "type": "tab", "label": "Main"}, "nodes": nodes}),
    )
}

fn deploy(node_red: &Listener, name: &str, stdin: &[u8]) -> Hook {
    run_hook(
        "nodered-deploy-flows",
        &[&node_red.url],
        &[
            ("GITSYNC_KIND", "flow"),
            ("GITSYNC_NAME", name),
            ("GITSYNC_CHANGE", "update"),
            ("NODE_RED_TIMEOUT", "5"),
        ],
        &system_path(),
        stdin,
    )
}

#[test]
fn the_deploy_hook_refuses_forged_flows_and_bad_stdin_before_calling_node_red() {
    let node_red = Listener::new();
    let tab = "t1";
    for (name, stdin, want) in [
        (tab, b"".to_vec(), "no change on stdin"),
        (
            tab,
            b"{\"desired\":".to_vec(),
            "the change on stdin is not JSON",
        ),
        (tab, b"\"a string\"".to_vec(), "not a JSON object"),
        (
            tab,
            flow_change(
                tab,
                json!([{"id": "n1", "type": "debug\u{1b}[2J", "z": tab}]),
            ),
            "needs a plain string id and type",
        ),
        (
            tab,
            flow_change(tab, json!([{"id": "n1\nx", "type": "debug", "z": tab}])),
            "needs a plain string id and type",
        ),
        // A node of another tab in this tab's change would move or delete it.
        (
            tab,
            flow_change(
                tab,
                json!([{"id": "n1", "type": "debug", "z": "other-tab"}]),
            ),
            "is not on flow t1",
        ),
        (
            tab,
            flow_change("t2", json!([])),
            "stdin says name 't2' but the environment says 't1'",
        ),
        (
            "t1\u{1b}[31m",
            flow_change("t1\u{1b}[31m", json!([])),
            "not plain text",
        ),
    ] {
        let hook = deploy(&node_red, name, &stdin);
        assert_refused(&hook, want);
        assert!(!node_red.was_contacted(), "Node-RED was called for {want}");
    }
    // A well-formed change does reach Node-RED, and a Node-RED that drops
    // the connection fails the hook (Node.js's fetch once let it exit 0).
    let good = flow_change(tab, json!([{"id": "n1", "type": "debug", "z": tab}]));
    let mut child = Command::new(contrib("nodered-deploy-flows"))
        .arg(&node_red.url)
        .env_clear()
        .env("PATH", system_path())
        .env("GITSYNC_KIND", "flow")
        .env("GITSYNC_NAME", tab)
        .env("GITSYNC_CHANGE", "update")
        .env("NODE_RED_TIMEOUT", "5")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&good).unwrap();
    node_red.listener.set_nonblocking(false).unwrap();
    let (stream, _) = node_red.listener.accept().unwrap();
    drop(stream);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("nothing was deployed"), "{stderr}");
}

// ---------------------------------------------------------------------------
// write-file-tree

fn write_tree(root: &Path, name: &str, action: &str, stdin: &[u8]) -> Hook {
    let root = root.display().to_string();
    run_hook(
        "write-file-tree",
        &[&root],
        &[
            ("GITSYNC_NAMESPACE", "default"),
            ("GITSYNC_KIND", "module"),
            ("GITSYNC_NAME", name),
            ("GITSYNC_CHANGE", action),
        ],
        &system_path(),
        stdin,
    )
}

#[test]
fn the_file_tree_hook_never_replaces_a_file_with_bad_stdin_or_writes_a_hostile_name() {
    let env = TestEnv::new();
    let root = env.path().join("live");
    let good = change("module", "web", "create", json!({"variety": "role"}));
    assert_eq!(write_tree(&root, "web", "create", &good).code, 0);
    let file = root.join("default/module/web.json");
    assert_eq!(std::fs::read(&file).unwrap(), good);
    let listing = || {
        let mut names: Vec<String> = std::fs::read_dir(root.join("default/module"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    for (name, action, stdin, want) in [
        ("web", "update", b"".to_vec(), "no change on stdin"),
        (
            "web",
            "update",
            b"{\"trunc".to_vec(),
            "the change on stdin is not JSON",
        ),
        (
            "web",
            "update",
            b"NaN".to_vec(),
            "the change on stdin is not JSON",
        ),
        ("web", "destroy", b"".to_vec(), "no change on stdin"),
        (
            "web\nevil",
            "create",
            change("module", "web\nevil", "create", json!({})),
            "refusing name 'web\\u{a}evil'",
        ),
        (
            "web\u{1b}]0;x\u{7}",
            "create",
            change("module", "web\u{1b}]0;x\u{7}", "create", json!({})),
            "refusing name",
        ),
        (
            "web",
            "update",
            change("module", "other", "update", json!({})),
            "stdin says name 'other' but the environment says 'web'",
        ),
    ] {
        assert_refused(&write_tree(&root, name, action, &stdin), want);
        assert_eq!(std::fs::read(&file).unwrap(), good, "{want}");
        assert_eq!(listing(), ["web.json"], "{want}");
    }
    // A slash in a name stays inside the kind's folder.
    let dotted = change("module", "../../x", "create", json!({}));
    assert_eq!(write_tree(&root, "../../x", "create", &dotted).code, 0);
    assert_eq!(listing(), ["..%2F..%2Fx.json", "web.json"]);
}

// ---------------------------------------------------------------------------
// http-admin-api

#[test]
fn the_http_admin_api_hook_refuses_bad_stdin_and_dot_or_multi_line_names_before_sending() {
    let api = Listener::new();
    let base = format!("{}/api", api.url);
    let send = |name: &str, stdin: &[u8]| {
        run_hook(
            "http-admin-api",
            &[&base],
            &[
                ("GITSYNC_KIND", "module"),
                ("GITSYNC_NAME", name),
                ("GITSYNC_CHANGE", "update"),
                ("GITSYNC_ADMIN_TIMEOUT", "5"),
            ],
            &system_path(),
            stdin,
        )
    };
    let good = |name: &str| change("module", name, "update", json!({"variety": "role"}));
    for (name, stdin, want) in [
        ("web", b"".to_vec(), "no change on stdin"),
        ("web", b"{".to_vec(), "the change on stdin is not JSON"),
        ("web", b"42".to_vec(), "not a JSON object"),
        ("..", good(".."), "refusing name '..'"),
        (".", good("."), "refusing name '.'"),
        (
            "web\nX-Evil: 1",
            good("web\nX-Evil: 1"),
            "refusing name 'web\\u{a}X-Evil: 1'",
        ),
        (
            "web\u{202e}",
            good("web\u{202e}"),
            "refusing name 'web\\u{202e}'",
        ),
        ("web", good("other"), "stdin says name 'other'"),
    ] {
        assert_refused(&send(name, &stdin), want);
        assert!(!api.was_contacted(), "the API was called for {want}");
    }
    // A good change is sent, the name as one percent-encoded path segment.
    api.listener.set_nonblocking(false).unwrap();
    let server = std::thread::spawn(move || {
        let (stream, _) = api.listener.accept().unwrap();
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
        let mut stream = stream;
        write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
        )
        .unwrap();
        (request, body)
    });
    let hook = send("app-01:nginx/public", &good("app-01:nginx/public"));
    assert_eq!(hook.code, 0, "{}", hook.stderr);
    let (request, body) = server.join().unwrap();
    assert_eq!(
        request.trim(),
        "PUT /api/module/app-01%3Anginx%2Fpublic HTTP/1.1"
    );
    assert_eq!(body, good("app-01:nginx/public"));
}

// Guards: a temporary file a killed run of the file-tree hook left behind
// is removed by the next run for that resource.
#[test]
fn the_file_tree_hook_removes_what_a_killed_run_left_behind() {
    let env = TestEnv::new();
    let root = env.path().join("live");
    let folder = root.join("default/module");
    std::fs::create_dir_all(&folder).unwrap();
    let stale = folder.join(".web.json.k1ll3d.tmp");
    std::fs::write(&stale, b"{\"half").unwrap();
    let good = change("module", "web", "create", json!({"variety": "role"}));
    assert_eq!(write_tree(&root, "web", "create", &good).code, 0);
    assert!(!stale.exists(), "the stale temporary file is still there");
    let names: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["web.json"]);
}
