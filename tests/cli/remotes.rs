//! Real remotes end to end: git://, http(s):// with basic auth and ssh://
//! against servers on 127.0.0.1, credentials passed by reference, the
//! checks `repo add` makes, the failure paths of a sync, and a search of
//! every output and file for planted secrets.

use crate::harness::{GitRepo, Run, TestEnv};
use crate::servers::{CuttingProxy, GitDaemon, HttpServer, ServerRoot, SshServer};
use serde_json::Value;
use std::path::{Path, PathBuf};

const USER: &str = "deploy";
const TOKEN: &str = "tok-7d41c0ffee9b2aa1-planted";
const PASSPHRASE: &str = "pass-5e7a11ce0ddba11-planted";

/// A test environment whose temporary files (ssh's private folders) also
/// land under the test folder, so the secret search covers them.
fn remote_env() -> TestEnv {
    let mut env = TestEnv::new();
    let tmp = env.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    env.env.push(("TMPDIR".into(), tmp.display().to_string()));
    env
}

/// The fleet v1 fixture committed in a work repo and published as `fleet.git`.
fn published_fleet(env: &TestEnv, root: &ServerRoot) -> GitRepo {
    let up = env.upstream("fleet");
    up.load_fixture("fleet/v1");
    up.commit("v1: first fleet");
    root.publish(&up.path, "fleet");
    up
}

/// Commit fixtures/fleet/v2 and publish it; returns the commit.
fn publish_v2(up: &GitRepo, root: &ServerRoot) -> String {
    up.load_fixture("fleet/v2");
    let head = up.commit("v2: second fleet");
    root.publish(&up.path, "fleet");
    head
}

/// A secret file outside the test folder (the search must not find the plant).
fn secret_file(dir: &Path, name: &str, value: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("{value}\n")).unwrap();
    format!("file:{}", path.display())
}

/// The newest run of `repo`, from `runs -o json`.
fn last_run(env: &TestEnv, repo: &str) -> Value {
    env.json(&["runs", "--repo", repo, "--limit", "1"])[0].clone()
}

/// A sync that fails: exit 1, a failed run whose error is one line holding `needle`.
#[track_caller]
fn assert_sync_fails(env: &TestEnv, repo: &str, needle: &str) -> Value {
    let run = env.run(&["sync", repo]).code(1);
    let last = last_run(env, repo);
    assert_eq!(last["status"], "failed", "{last:#}");
    let error = last["error"].as_str().unwrap_or_default();
    assert!(
        error.contains(needle),
        "want {needle:?} in {error:?}\n{}",
        run.stderr
    );
    assert!(!error.contains('\n'), "{error:?}");
    eprintln!("failed run as expected: {error}");
    last
}

/// The commit the mirror holds for branch main.
fn mirror_head(env: &TestEnv) -> String {
    let mirrors = env.cache().join("mirrors");
    let dir = std::fs::read_dir(&mirrors)
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    let out = std::process::Command::new("git")
        .arg("--git-dir")
        .arg(dir.path())
        .args(["rev-parse", "refs/remotes/origin/main"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Sync v1 and apply it all: the state every failure test starts from.
fn synced_and_applied(env: &TestEnv, repo: &str, v1: &str) {
    let run = env.json(&["sync", repo]);
    assert_eq!(run[0]["status"], "success", "{run:#}");
    assert_eq!(run[0]["revision"], v1);
    env.json(&["proposals", "approve", "--all", "--apply"]);
}

/// After a failed sync: live state still v1, mirror still at v1.
#[track_caller]
fn assert_untouched(env: &TestEnv, live_before: &Value, v1: &str) {
    assert_eq!(&env.json(&["get"]), live_before);
    assert_eq!(mirror_head(env), v1);
    assert_eq!(env.json(&["status"])["repos"][0]["health"], "failing");
}

#[test]
fn git_daemon_remote_syncs_follows_force_push_and_moved_tags() {
    // git:// syncs shallowly, follows a rewritten branch and a moved tag.
    let root = ServerRoot::new();
    let Some(daemon) = GitDaemon::start(&root, "git_daemon_remote") else {
        return;
    };
    let env = remote_env();
    let up = published_fleet(&env, &root);
    up.git(&["tag", "release"]);
    root.publish(&up.path, "fleet");
    env.run(&["repo", "add", "fleet", &daemon.url("fleet")])
        .success();
    env.run(&[
        "repo",
        "add",
        "rel",
        &daemon.url("fleet"),
        "--ref",
        "tag:release",
    ])
    .success();
    let runs = env.json(&["sync", "fleet", "rel"]);
    assert_eq!(runs[0]["revision"], up.head());
    assert_eq!(runs[1]["revision"], up.head());
    let shallow = std::fs::read_dir(env.cache().join("mirrors"))
        .unwrap()
        .map(|e| e.unwrap().path().join("shallow"))
        .filter(|p| p.exists())
        .count();
    assert_eq!(shallow, 2, "depth 1 by default");

    let v2 = publish_v2(&up, &root);
    up.git(&["reset", "-q", "--hard", "HEAD~1"]);
    up.write("fleet.yaml", "templates: {}\n");
    let rewritten = up.commit("rewritten");
    assert_ne!(v2, rewritten);
    up.git(&["tag", "-f", "release"]);
    root.publish(&up.path, "fleet");
    let runs = env.json(&["sync", "fleet", "rel"]);
    assert_eq!(runs[0]["revision"], rewritten, "force-push followed");
    assert_eq!(runs[1]["revision"], rewritten, "moved tag followed");
}

#[test]
fn full_history_is_fetched_only_when_asked() {
    // --full-history makes a complete (non-shallow) mirror.
    let root = ServerRoot::new();
    let Some(daemon) = GitDaemon::start(&root, "full_history") else {
        return;
    };
    let env = remote_env();
    let up = published_fleet(&env, &root);
    publish_v2(&up, &root);
    let url = daemon.url("fleet");
    env.run(&["repo", "add", "fleet", &url, "--full-history"])
        .success();
    env.json(&["sync", "fleet"]);
    let mirror = std::fs::read_dir(env.cache().join("mirrors"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert!(!mirror.join("shallow").exists());
    let count = std::process::Command::new("git")
        .arg("--git-dir")
        .arg(&mirror)
        .args(["rev-list", "--count", "refs/remotes/origin/main"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&count.stdout).trim(), "2");
    assert_eq!(env.json(&["repo", "show", "fleet"])["full_history"], true);
}

#[test]
fn http_basic_auth_accepts_the_token_and_refuses_a_wrong_or_missing_one() {
    let root = ServerRoot::new();
    let Some(http) = HttpServer::start(&root, USER, TOKEN, "http_basic_auth") else {
        return;
    };
    let mut env = remote_env();
    let up = published_fleet(&env, &root);
    env.env.push(("GIT_USER".into(), USER.into()));
    env.env.push(("GIT_TOKEN".into(), TOKEN.into()));
    env.env.push(("WRONG_TOKEN".into(), "not-the-token".into()));
    let url = http.url("fleet");
    let creds = ["--username", "env:GIT_USER", "--password", "env:GIT_TOKEN"];
    let mut add = vec!["repo", "add", "fleet", url.as_str()];
    add.extend(creds);
    env.run(&add).success();
    let runs = env.json(&["sync", "fleet"]);
    assert_eq!(runs[0]["status"], "success", "{runs:#}");
    assert_eq!(runs[0]["revision"], up.head());

    let wrong = env
        .run(&[
            "repo",
            "add",
            "other",
            &url,
            "--username",
            "env:GIT_USER",
            "--password",
            "env:WRONG_TOKEN",
        ])
        .code(1);
    assert!(
        wrong.stderr.contains("authentication refused") && wrong.stderr.contains("did not accept"),
        "{}",
        wrong.stderr
    );
    let none = env.run(&["repo", "add", "other", &url]).code(1);
    assert!(
        none.stderr
            .contains("asks for credentials and none are configured"),
        "{}",
        none.stderr
    );
}

#[test]
fn https_trusts_a_custom_ca_only_when_given_with_ca_file() {
    let root = ServerRoot::new();
    let Some(http) = HttpServer::start(&root, USER, TOKEN, "https_custom_ca") else {
        return;
    };
    let mut env = remote_env();
    let up = published_fleet(&env, &root);
    env.env.push(("GIT_USER".into(), USER.into()));
    env.env.push(("GIT_TOKEN".into(), TOKEN.into()));
    let url = http.https_url("fleet");
    let creds = ["--username", "env:GIT_USER", "--password", "env:GIT_TOKEN"];
    let mut add = vec!["repo", "add", "fleet", url.as_str()];
    add.extend(creds);
    let untrusted = env.run(&add).code(1);
    assert!(
        untrusted.stderr.contains("cannot reach"),
        "{}",
        untrusted.stderr
    );
    let ca = http.ca_file.display().to_string();
    add.extend(["--ca-file", ca.as_str()]);
    env.run(&add).success();
    let runs = env.json(&["sync", "fleet"]);
    assert_eq!(runs[0]["revision"], up.head(), "{runs:#}");
}

#[test]
fn ssh_deploy_keys_plain_from_env_and_encrypted_from_file_work() {
    let root = ServerRoot::new();
    let Some(sshd) = SshServer::start(&root, "ssh_deploy_keys") else {
        return;
    };
    let mut env = remote_env();
    let up = published_fleet(&env, &root);
    let plain = sshd.authorize("plain", "");
    let locked = sshd.authorize("locked", PASSPHRASE);
    let secrets = tempfile::tempdir().unwrap();
    let known_hosts = secrets.path().join("known_hosts");
    std::fs::write(&known_hosts, format!("{}\n", sshd.known_hosts_line())).unwrap();
    let kh = known_hosts.display().to_string();
    env.env.push((
        "DEPLOY_KEY".into(),
        std::fs::read_to_string(&plain.private).unwrap(),
    ));
    let url = sshd.url(&root, "fleet");
    env.run(&[
        "repo",
        "add",
        "plain",
        &url,
        "--ssh-key",
        "env:DEPLOY_KEY",
        "--known-hosts",
        &kh,
    ])
    .success();
    let pass = secret_file(secrets.path(), "passphrase", PASSPHRASE);
    let key = format!("file:{}", locked.private.display());
    env.run(&[
        "repo",
        "add",
        "locked",
        &url,
        "--ssh-key",
        &key,
        "--ssh-passphrase",
        &pass,
        "--known-hosts",
        &kh,
    ])
    .success();
    let runs = env.json(&["sync", "plain", "locked"]);
    assert_eq!(runs[0]["revision"], up.head(), "{runs:#}");
    assert_eq!(runs[1]["revision"], up.head(), "{runs:#}");

    // A wrong passphrase is an authentication failure, said as such.
    let wrong = secret_file(secrets.path(), "wrong", "not-the-passphrase");
    let refused = env
        .run(&[
            "repo",
            "add",
            "wrong",
            &url,
            "--ssh-key",
            &key,
            "--ssh-passphrase",
            &wrong,
            "--known-hosts",
            &kh,
        ])
        .code(1);
    assert!(
        refused.stderr.contains("authentication refused"),
        "{}",
        refused.stderr
    );
    // Nothing of the private folders stays behind.
    let left = std::fs::read_dir(env.path().join("tmp")).unwrap().count();
    assert_eq!(left, 0);
}

#[test]
fn repo_add_says_which_check_failed() {
    // Reference / reachability / authentication / ref: four distinct messages.
    let root = ServerRoot::new();
    let Some(http) = HttpServer::start(&root, USER, TOKEN, "repo_add_checks") else {
        return;
    };
    let mut env = remote_env();
    published_fleet(&env, &root);
    env.env.push(("GIT_USER".into(), USER.into()));
    env.env.push(("GIT_TOKEN".into(), TOKEN.into()));
    env.env.push(("BAD".into(), "bad-token".into()));
    let url = http.url("fleet");
    let add = |extra: &[&str], password: &str| -> Run {
        let mut args = vec!["repo", "add", "fleet"];
        args.extend_from_slice(extra);
        args.extend(["--username", "env:GIT_USER", "--password", password]);
        env.run(&args)
    };
    let r = add(&[&url, "--no-verify"], "env:NOT_SET_ANYWHERE").code(1);
    assert!(
        r.stderr
            .contains("credential reference 'env:NOT_SET_ANYWHERE' does not resolve"),
        "{}",
        r.stderr
    );
    let down = format!("http://127.0.0.1:{}/fleet.git", crate::servers::free_port());
    let r = add(&[&down], "env:GIT_TOKEN").code(1);
    assert!(r.stderr.contains("cannot reach"), "{}", r.stderr);
    let r = add(&[&url], "file:/nonexistent/token").code(1);
    assert!(
        r.stderr
            .contains("'file:/nonexistent/token' does not resolve")
    );
    let r = add(&[&url], "env:BAD").code(1);
    assert!(r.stderr.contains("authentication refused"), "{}", r.stderr);
    let r = add(&[&url, "--ref", "nope"], "env:GIT_TOKEN").code(1);
    assert!(r.stderr.contains("ref 'nope' not found"), "{}", r.stderr);
    add(&[&url], "env:GIT_TOKEN").success();
}

#[test]
fn credentials_must_fit_the_transport_and_never_travel_over_plain_http() {
    let env = remote_env();
    let refused = |args: &[&str], needle: &str| {
        let mut all = vec!["repo", "add", "r"];
        all.extend_from_slice(args);
        let r = env.run(&all).code(2);
        assert!(r.stderr.contains(needle), "{args:?}: {}", r.stderr);
    };
    let http = ["--username", "env:U", "--password", "env:P"];
    let mut a = vec!["ssh://git@example.com/r.git"];
    a.extend(http);
    refused(&a, "protocol mismatch: --username");
    refused(
        &["https://example.com/r.git", "--ssh-key", "file:/k"],
        "protocol mismatch: --ssh-key",
    );
    let mut a = vec!["http://git.example.com/r.git"];
    a.extend(http);
    refused(&a, "never sent over plain http://");
    refused(
        &[
            "https://example.com/r.git",
            "--username",
            "env:U",
            "--password",
            "ghp_inline",
        ],
        "--password takes a reference",
    );
    refused(
        &["https://user:ghp_inline@example.com/r.git"],
        "the URL carries credentials",
    );
    // The secret pasted by mistake is not repeated.
    let r = env.run(&[
        "repo",
        "add",
        "r",
        "https://example.com/r.git",
        "--username",
        "u",
        "--password",
        "ghp_inline",
    ]);
    assert!(!r.stderr.contains("ghp_inline"), "{}", r.stderr);
}

#[test]
fn server_down_fails_the_run_keeps_state_and_recovers() {
    let root = ServerRoot::new();
    let Some(daemon) = GitDaemon::start(&root, "server_down") else {
        return;
    };
    let env = remote_env();
    let up = published_fleet(&env, &root);
    let v1 = up.head();
    env.run(&["repo", "add", "fleet", &daemon.url("fleet")])
        .success();
    synced_and_applied(&env, "fleet", &v1);
    let live = env.json(&["get"]);
    let v2 = publish_v2(&up, &root);
    let port = daemon.port;
    drop(daemon);
    assert_sync_fails(&env, "fleet", "cannot reach");
    assert_untouched(&env, &live, &v1);
    let _daemon = GitDaemon::start_on(&root, port, "server_down").unwrap();
    let runs = env.json(&["sync", "fleet"]);
    assert_eq!(runs[0]["status"], "success", "{runs:#}");
    assert_eq!(runs[0]["revision"], v2);
}

#[test]
fn connection_cut_mid_fetch_fails_the_run_keeps_state_and_recovers() {
    let root = ServerRoot::new();
    let Some(daemon) = GitDaemon::start(&root, "connection_cut") else {
        return;
    };
    let env = remote_env();
    let up = published_fleet(&env, &root);
    let v1 = up.head();
    let proxy = CuttingProxy::start(daemon.port);
    let url = format!("git://127.0.0.1:{}/fleet.git", proxy.port);
    env.run(&["repo", "add", "fleet", &url]).success();
    synced_and_applied(&env, "fleet", &v1);
    let live = env.json(&["get"]);
    // A pack big enough to be cut in the middle: incompressible bytes.
    let mut noise = Vec::with_capacity(1 << 20);
    let mut x: u64 = 0x9e3779b97f4a7c15;
    while noise.len() < 1 << 20 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        noise.extend_from_slice(&x.to_le_bytes());
    }
    std::fs::create_dir_all(up.path.join("data")).unwrap();
    std::fs::write(up.path.join("data/noise.bin"), &noise).unwrap();
    let v2 = publish_v2(&up, &root);
    proxy.cut_after(Some(64 * 1024));
    assert_sync_fails(&env, "fleet", "fetching 'main'");
    assert_untouched(&env, &live, &v1);
    proxy.cut_after(None);
    let runs = env.json(&["sync", "fleet"]);
    assert_eq!(runs[0]["status"], "success", "{runs:#}");
    assert_eq!(runs[0]["revision"], v2);
    // The mirror keeps following after the broken transfer.
    up.remove("data/noise.bin");
    let v3 = up.commit("drop the noise");
    root.publish(&up.path, "fleet");
    assert_eq!(env.json(&["sync", "fleet"])[0]["revision"], v3);
}

#[test]
fn wrong_credentials_fail_the_run_keep_state_and_recover() {
    let root = ServerRoot::new();
    let Some(http) = HttpServer::start(&root, USER, TOKEN, "wrong_credentials") else {
        return;
    };
    let mut env = remote_env();
    let up = published_fleet(&env, &root);
    let v1 = up.head();
    let secrets = tempfile::tempdir().unwrap();
    let token = secret_file(secrets.path(), "token", TOKEN);
    env.env.push(("GIT_USER".into(), USER.into()));
    env.run(&[
        "repo",
        "add",
        "fleet",
        &http.url("fleet"),
        "--username",
        "env:GIT_USER",
        "--password",
        &token,
    ])
    .success();
    synced_and_applied(&env, "fleet", &v1);
    let live = env.json(&["get"]);
    let v2 = publish_v2(&up, &root);
    // The token is rotated on the server side only.
    secret_file(secrets.path(), "token", "revoked-token");
    assert_sync_fails(&env, "fleet", "authentication refused");
    assert_untouched(&env, &live, &v1);
    secret_file(secrets.path(), "token", TOKEN);
    let runs = env.json(&["sync", "fleet"]);
    assert_eq!(runs[0]["revision"], v2, "{runs:#}");
}

#[test]
fn missing_ref_fails_the_run_keeps_state_and_recovers() {
    let root = ServerRoot::new();
    let Some(daemon) = GitDaemon::start(&root, "missing_ref") else {
        return;
    };
    let env = remote_env();
    let up = published_fleet(&env, &root);
    let v1 = up.head();
    env.run(&["repo", "add", "fleet", &daemon.url("fleet")])
        .success();
    synced_and_applied(&env, "fleet", &v1);
    let live = env.json(&["get"]);
    // The branch is renamed away on the server.
    up.git(&["branch", "-q", "-m", "main", "trunk"]);
    root.publish(&up.path, "fleet");
    assert_sync_fails(&env, "fleet", "ref 'main' not found");
    assert_untouched(&env, &live, &v1);
    up.git(&["branch", "-q", "-m", "trunk", "main"]);
    let v2 = publish_v2(&up, &root);
    let runs = env.json(&["sync", "fleet"]);
    assert_eq!(runs[0]["revision"], v2, "{runs:#}");
}

#[test]
fn unknown_or_changed_host_key_fails_the_run_and_is_never_trusted() {
    let root = ServerRoot::new();
    let Some(sshd) = SshServer::start(&root, "unknown_host_key") else {
        return;
    };
    let env = remote_env();
    let up = published_fleet(&env, &root);
    let v1 = up.head();
    let key = sshd.authorize("deploy", "");
    let secrets = tempfile::tempdir().unwrap();
    let known_hosts = secrets.path().join("known_hosts");
    std::fs::write(&known_hosts, "").unwrap();
    let kh = known_hosts.display().to_string();
    let key_ref = format!("file:{}", key.private.display());
    let url = sshd.url(&root, "fleet");
    let add = [
        "repo",
        "add",
        "fleet",
        &url,
        "--ssh-key",
        &key_ref,
        "--known-hosts",
        &kh,
    ];
    let unknown = env.run(&add).code(1);
    assert!(
        unknown.stderr.contains("host key") && unknown.stderr.contains("not trusted"),
        "{}",
        unknown.stderr
    );
    std::fs::write(&known_hosts, format!("{}\n", sshd.known_hosts_line())).unwrap();
    env.run(&add).success();
    synced_and_applied(&env, "fleet", &v1);
    let live = env.json(&["get"]);
    let v2 = publish_v2(&up, &root);
    // The pinned key is replaced by another one: a changed host key.
    let other = tempfile::tempdir().unwrap();
    let fake = other.path().join("fake");
    std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&fake)
        .status()
        .unwrap();
    let fake_pub = std::fs::read_to_string(fake.with_extension("pub")).unwrap();
    std::fs::write(
        &known_hosts,
        format!("[127.0.0.1]:{} {}", sshd.port, fake_pub.trim()),
    )
    .unwrap();
    assert_sync_fails(&env, "fleet", "host key");
    assert_untouched(&env, &live, &v1);
    std::fs::write(&known_hosts, format!("{}\n", sshd.known_hosts_line())).unwrap();
    let runs = env.json(&["sync", "fleet"]);
    assert_eq!(runs[0]["revision"], v2, "{runs:#}");
}

/// Every file below `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let t = entry.file_type().unwrap();
            if t.is_dir() {
                todo.push(entry.path());
            } else if t.is_file() {
                out.push(entry.path());
            }
        }
    }
    out
}

/// Standard base64 with padding: how a basic-auth header carries `user:token`.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, b| n << 8 | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                ABC[(n >> (18 - 6 * i) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

/// git's and curl's trace switches, which make git print the Authorization
/// header; gitsync must honour none of them.
const TRACE_SETTINGS: [&str; 6] = [
    "GIT_CURL_VERBOSE",
    "GIT_TRACE",
    "GIT_TRACE_CURL",
    "GIT_TRACE_PACKET",
    "GIT_TRACE2",
    "GIT_TRACE_SETUP",
];

/// `repo add` calls where the secret is given in the wrong place: as the
/// value of a secret flag instead of a reference, to other flags, or inside
/// the URL in every form a URL can carry one. Each is a usage error.
fn misplaced_secrets(http_url: &str, ssh_url: &str, key_text: &str) -> Vec<Vec<String>> {
    let hostport = http_url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let namespace = format!("{TOKEN}!");
    let mut calls: Vec<Vec<&str>> = vec![
        vec![http_url, "--password", TOKEN],
        vec![http_url, "--username", TOKEN, "--password", "env:GIT_TOKEN"],
        vec![ssh_url, "--ssh-key", key_text],
        vec![
            ssh_url,
            "--ssh-key",
            "env:K",
            "--ssh-passphrase",
            PASSPHRASE,
        ],
        vec![http_url, "--ref", key_text],
        vec![http_url, "--interval", TOKEN],
        vec![http_url, "--namespace", &namespace],
        vec![http_url, "--layout", "nodered", "--catalog", TOKEN],
        vec![http_url, "--known-hosts", PASSPHRASE],
        vec![key_text],
        vec![key_text, http_url],
        vec![http_url, TOKEN],
    ];
    let password = format!("--password={TOKEN}");
    calls.push(vec![http_url, &password]);
    let mut urls = vec![
        format!("http://{USER}:{TOKEN}@{hostport}/fleet.git"),
        format!("http://{TOKEN}@{hostport}/fleet.git"),
        format!("https://{TOKEN}@{hostport}/fleet.git"),
        format!("http://{hostport}/fleet.git?access_token={TOKEN}"),
        format!("git://{TOKEN}@{hostport}/fleet.git"),
        format!("file://{USER}:{TOKEN}@localhost/srv/fleet.git"),
        format!("ssh://{USER}:{TOKEN}@{hostport}/fleet.git"),
        format!("{USER}:{TOKEN}@127.0.0.1:fleet.git"),
        format!("{TOKEN}:x-oauth-basic@127.0.0.1:fleet.git"),
        format!("https:/{TOKEN}@{hostport}/fleet.git"),
        format!("https:{TOKEN}@{hostport}/fleet.git"),
    ];
    urls.push(format!("https://{USER}:{PASSPHRASE}@{hostport}/fleet.git"));
    let mut all: Vec<Vec<String>> = calls
        .into_iter()
        .map(|c| c.into_iter().map(String::from).collect())
        .collect();
    all.extend(urls.into_iter().map(|u| vec![u, "--no-verify".to_string()]));
    all
}

#[test]
fn no_secret_reaches_output_state_or_cache() {
    // Token, key passphrase and key text, after good and failed syncs, with
    // git's trace switches on and with secrets given in the wrong places,
    // appear nowhere.
    let root = ServerRoot::new();
    let Some(http) = HttpServer::start(&root, USER, TOKEN, "no_secret_leaks") else {
        return;
    };
    let Some(sshd) = SshServer::start(&root, "no_secret_leaks") else {
        return;
    };
    let mut env = remote_env();
    let up = published_fleet(&env, &root);
    let key = sshd.authorize("locked", PASSPHRASE);
    let secrets = tempfile::tempdir().unwrap();
    let known_hosts = secrets.path().join("known_hosts");
    std::fs::write(&known_hosts, format!("{}\n", sshd.known_hosts_line())).unwrap();
    let kh = known_hosts.display().to_string();
    env.env.push(("GIT_USER".into(), USER.into()));
    env.env.push(("GIT_TOKEN".into(), TOKEN.into()));
    env.env.push(("KEY_PASSPHRASE".into(), PASSPHRASE.into()));
    env.env.push(("RUST_BACKTRACE".into(), "1".into()));
    for var in TRACE_SETTINGS {
        env.env.push((var.into(), "1".into()));
    }
    let key_ref = format!("file:{}", key.private.display());
    let key_text = std::fs::read_to_string(&key.private).unwrap();
    // The key's base64 lines: none may be shown or stored anywhere.
    let key_lines: Vec<String> = key_text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(String::from)
        .collect();
    assert!(!key_lines.is_empty());
    let mut outputs: Vec<Run> = Vec::new();
    // Returns how many calls have run.
    let mut go = |args: &[&str]| {
        let r = env.run(args);
        outputs.push(r);
        outputs.len()
    };
    let http_url = http.url("fleet");
    let ssh_url = sshd.url(&root, "fleet");
    go(&[
        "-v",
        "repo",
        "add",
        "web",
        &http_url,
        "--username",
        "env:GIT_USER",
        "--password",
        "env:GIT_TOKEN",
        "--auto-apply",
    ]);
    go(&[
        "-v",
        "repo",
        "add",
        "ssh",
        &ssh_url,
        "--ssh-key",
        &key_ref,
        "--ssh-passphrase",
        "env:KEY_PASSPHRASE",
        "--known-hosts",
        &kh,
    ]);
    // A repo whose token the server refuses: the token is still sent.
    go(&[
        "repo",
        "add",
        "refused",
        &http_url,
        "--username",
        "env:GIT_USER",
        "--password",
        "env:KEY_PASSPHRASE",
        "--no-verify",
    ]);
    for args in [
        &["-v", "sync", "--all"][..],
        &["-o", "json", "sync", "--all"],
        &["-v", "-o", "json", "status"],
        &["status"],
        &["runs"],
        &["-o", "json", "runs"],
        &["-o", "yaml", "repo", "list"],
        &["-o", "json", "repo", "show", "web"],
        &["diff", "web"],
        &["-v", "diff", "ssh"],
    ] {
        go(args);
    }
    publish_v2(&up, &root);
    drop(http);
    go(&["-v", "sync", "--all"]);
    go(&["-o", "json", "runs"]);
    let good = go(&["status"]);
    for (i, call) in misplaced_secrets(&http_url, &ssh_url, &key_text)
        .iter()
        .enumerate()
    {
        let name = format!("bad{i}");
        let mut args = vec!["repo", "add", name.as_str()];
        args.extend(call.iter().map(String::as_str));
        go(&args);
    }
    go(&["repo", "pause", "web"]);
    go(&["repo", "set", "web", "--password", TOKEN]);
    let scp = format!("{USER}:{TOKEN}@127.0.0.1:fleet.git");
    go(&["repo", "set", "web", "--url", &scp, "--no-verify"]);

    assert!(outputs[0].code == 0 && outputs[1].code == 0, "{outputs:#?}");
    let misplaced = &outputs[good..outputs.len() - 3];
    for r in misplaced.iter().chain(&outputs[outputs.len() - 2..]) {
        assert_eq!(r.code, 2, "a misplaced secret is a usage error: {r:#?}");
        assert!(r.stderr.starts_with("error: "), "{r:#?}");
    }
    // Each says what is wrong, never what was given.
    let said = |needle: &str| {
        misplaced
            .iter()
            .filter(|r| r.stderr.contains(needle))
            .count()
    };
    assert_eq!(said("takes a reference to a secret"), 5, "{misplaced:#?}");
    assert_eq!(said("(the value is not shown)"), 5);
    assert!(said("carries credentials") >= 6, "{misplaced:#?}");
    assert_eq!(said("is ambiguous"), 2, "{misplaced:#?}");
    assert_eq!(said("mistyped"), 2, "{misplaced:#?}");
    assert_eq!(
        env.json(&["repo", "list"]).as_array().unwrap().len(),
        3,
        "none of them was added"
    );
    // What an `Authorization: Basic` header would show of the tokens sent.
    let headers = [
        base64(format!("{USER}:{TOKEN}").as_bytes()),
        base64(format!("{USER}:{PASSPHRASE}").as_bytes()),
    ];
    assert_eq!(base64(b"deploy:x"), "ZGVwbG95Ong=");
    let secrets: Vec<&str> = [TOKEN, PASSPHRASE]
        .into_iter()
        .chain(headers.iter().map(String::as_str))
        .chain(key_lines.iter().map(String::as_str))
        .collect();
    assert_eq!(last_run(&env, "web")["status"], "failed");
    assert_eq!(last_run(&env, "refused")["status"], "failed");
    for (i, r) in outputs.iter().enumerate() {
        for secret in &secrets {
            assert!(
                !r.stdout.contains(secret) && !r.stderr.contains(secret),
                "output {i} leaks a secret: {r:#?}"
            );
        }
    }
    let files = files_under(env.path());
    assert!(files.iter().any(|f| f.ends_with("state.db")));
    assert!(
        files.iter().any(|f| f.ends_with("config")),
        "the mirror config is searched"
    );
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        for secret in &secrets {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{} holds a secret",
                file.display()
            );
        }
    }
    assert_eq!(
        std::fs::read_dir(env.path().join("tmp")).unwrap().count(),
        0
    );
}
