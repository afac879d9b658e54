//! Host files (`file:` credentials, `--catalog`, `--ca-file`,
//! `--known-hosts`) are used only when they are regular files within their
//! caps, at `repo add` and at every sync; host commands never inherit git's
//! trace switches. A device, FIFO or folder would hang or exhaust memory if
//! it were read: these tests would then hang instead of failing.

use crate::harness::{Run, TestEnv, fixtures};
use std::path::{Path, PathBuf};

/// The host files a test plants: a FIFO, a folder, and sparse files one
/// byte over each cap (sparse, so that they cost no disk).
struct Planted {
    fifo: PathBuf,
    folder: PathBuf,
    dir: PathBuf,
}

impl Planted {
    fn new(env: &TestEnv) -> Planted {
        let dir = env.path().join("host");
        let folder = dir.join("a-folder");
        std::fs::create_dir_all(&folder).unwrap();
        let fifo = dir.join("a-fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("run mkfifo");
        assert!(made.success());
        Planted { fifo, folder, dir }
    }

    /// A sparse file of `len` bytes.
    fn sized(&self, name: &str, len: u64) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::File::create(&path).unwrap().set_len(len).unwrap();
        path
    }

    /// The FIFO, the folder, /dev/zero and a file of `over` bytes, each with
    /// what the error says it is.
    fn refused(&self, over: u64) -> Vec<(PathBuf, String)> {
        vec![
            (self.fifo.clone(), "it is a FIFO (named pipe)".into()),
            (self.folder.clone(), "it is a folder".into()),
            (
                PathBuf::from("/dev/zero"),
                "it is a character device".into(),
            ),
            (
                self.sized(&format!("over-{over}"), over),
                format!("it is {over} bytes, over the limit of"),
            ),
        ]
    }
}

fn text(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[track_caller]
fn assert_says(run: &Run, code: i32, needles: &[&str]) {
    assert_eq!(run.code, code, "{run:#?}");
    for needle in needles {
        assert!(run.stderr.contains(needle), "want {needle:?} in {run:#?}");
    }
    assert_eq!(
        run.stderr
            .lines()
            .filter(|l| l.starts_with("error:"))
            .count(),
        1
    );
}

#[test]
fn credential_files_that_are_not_small_regular_files_are_refused() {
    let env = TestEnv::new();
    let host = Planted::new(&env);
    for (i, (path, what)) in host.refused(64 * 1024 + 1).iter().enumerate() {
        let reference = format!("file:{}", path.display());
        let name = format!("r{i}");
        let run = env.run(&[
            "repo",
            "add",
            &name,
            "http://127.0.0.1:9/x.git",
            "--password",
            &reference,
            "--no-verify",
        ]);
        assert_says(
            &run,
            1,
            &[
                &format!("credential reference '{reference}' does not resolve"),
                what,
            ],
        );
    }
    let run = env.run(&[
        "repo",
        "add",
        "big",
        "http://127.0.0.1:9/x.git",
        "--password",
        &format!("file:{}", host.dir.join("over-65537").display()),
        "--no-verify",
    ]);
    assert!(run.stderr.contains("64 KiB (65536 bytes)"), "{run:#?}");
    assert_eq!(env.json(&["repo", "list"]), serde_json::json!([]));
}

#[test]
fn catalogs_ca_files_and_known_hosts_are_checked_at_repo_add() {
    let env = TestEnv::new();
    let host = Planted::new(&env);
    let up = env.upstream("flows");
    up.load_fixture("nodered/minimal");
    up.commit("v1");
    let url = up.url();
    // 40 MB: once read whole (1.3 GiB of memory) though every sync refused it.
    let mut catalogs = host.refused(16 * 1024 * 1024 + 1);
    catalogs.push((
        host.sized("forty-mb.json", 40_000_000),
        "over the limit of 16 MiB".into(),
    ));
    for (path, what) in &catalogs {
        let run = env.run(&[
            "repo",
            "add",
            "flows",
            &url,
            "--layout",
            "nodered",
            "--catalog",
            text(path),
        ]);
        assert_says(&run, 2, &["invalid --catalog", text(path), what]);
    }
    for (path, what) in host.refused(1024 * 1024 + 1) {
        let run = env.run(&[
            "repo",
            "add",
            "web",
            "https://git.example.com/r.git",
            "--ca-file",
            text(&path),
            "--no-verify",
        ]);
        assert_says(&run, 2, &["invalid --ca-file", text(&path), &what]);
        let run = env.run(&[
            "repo",
            "add",
            "ssh",
            "git@git.example.com:org/r.git",
            "--known-hosts",
            text(&path),
            "--no-verify",
        ]);
        assert_says(&run, 2, &["invalid --known-hosts", text(&path), &what]);
    }
    assert!(!env.state().exists(), "a refused add creates no state file");
}

#[test]
fn a_host_file_replaced_by_a_fifo_fails_the_sync_instead_of_hanging_it() {
    let env = TestEnv::new();
    let host = Planted::new(&env);
    let swap = |path: &Path| {
        std::fs::remove_file(path).unwrap();
        std::os::unix::fs::symlink(&host.fifo, path).unwrap();
    };
    let up = env.upstream("flows");
    up.load_fixture("nodered/minimal");
    up.commit("v1");
    let catalog = host.dir.join("catalog.json");
    std::fs::copy(fixtures().join("nodered/host-catalog.json"), &catalog).unwrap();
    let url = up.url();
    env.run(&[
        "repo",
        "add",
        "flows",
        &url,
        "--layout",
        "nodered",
        "--catalog",
        text(&catalog),
    ])
    .success();
    let token = host.dir.join("token");
    std::fs::write(&token, "t0ken\n").unwrap();
    let ca = host.dir.join("ca.pem");
    std::fs::write(&ca, "").unwrap();
    let known_hosts = host.dir.join("known_hosts");
    std::fs::write(&known_hosts, "").unwrap();
    let password = format!("file:{}", token.display());
    env.run(&[
        "repo",
        "add",
        "web",
        "https://127.0.0.1:9/x.git",
        "--password",
        &password,
        "--ca-file",
        text(&ca),
        "--no-verify",
    ])
    .success();
    env.run(&[
        "repo",
        "add",
        "ssh",
        "ssh://git@127.0.0.1:9/x.git",
        "--known-hosts",
        text(&known_hosts),
        "--no-verify",
    ])
    .success();
    assert_eq!(env.json(&["sync", "flows"])[0]["status"], "success");

    swap(&catalog);
    let run = env.run(&["sync", "flows"]);
    assert_says(
        &run,
        1,
        &["(--catalog): cannot read it: it is a FIFO (named pipe)"],
    );
    swap(&ca);
    let run = env.run(&["sync", "web"]);
    assert_says(&run, 1, &["repo 'web': --ca-file: cannot read", "a FIFO"]);
    std::fs::remove_file(&ca).unwrap();
    std::fs::write(&ca, "").unwrap();
    swap(&token);
    let run = env.run(&["sync", "web"]);
    assert_says(
        &run,
        1,
        &[&format!("'{password}' does not resolve"), "a FIFO"],
    );
    swap(&known_hosts);
    let run = env.run(&["sync", "ssh"]);
    assert_says(
        &run,
        1,
        &["repo 'ssh': --known-hosts: cannot read", "a FIFO"],
    );
    let runs = env.json(&["runs"]);
    let failed = runs
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "failed")
        .count();
    assert_eq!(failed, 4, "{runs:#}");
}

// Guards: a hook that runs `git push` under GIT_CURL_VERBOSE would print its
// Authorization header, and the tail of a hook's stderr is stored.
#[test]
fn host_commands_never_inherit_git_trace_settings() {
    let mut env = TestEnv::new();
    for var in [
        "GIT_CURL_VERBOSE",
        "GIT_TRACE",
        "GIT_TRACE_CURL",
        "GIT_TRACE_PACKET",
        "GIT_TRACE2_EVENT",
    ] {
        env.env.push((var.into(), "1".into()));
    }
    env.env.push(("GITSYNC_TEST_MARK".into(), "kept".into()));
    let up = env.upstream("fleet");
    up.load_fixture("fleet/v1");
    up.commit("v1");
    let seen = env.path().join("hook-env.txt");
    let hook = format!("module=sh -c 'cat >/dev/null; env >> {}'", seen.display());
    env.run(&[
        "repo",
        "add",
        "fleet",
        &up.url(),
        "--auto-apply",
        "--apply-hook",
        &hook,
    ])
    .success();
    env.json(&["sync", "fleet"]);
    let hook_env = std::fs::read_to_string(&seen).unwrap();
    assert!(hook_env.contains("GITSYNC_TEST_MARK=kept"), "{hook_env}");
    assert!(hook_env.contains("GITSYNC_KIND=module"), "{hook_env}");
    assert!(
        !hook_env.contains("GIT_TRACE") && !hook_env.contains("GIT_CURL_VERBOSE"),
        "{hook_env}"
    );
}

// Guards: a URL stored before the checks refused its form (the scp-like
// `user:TOKEN@host:path` sent the token as the path) is never fetched again.
#[test]
fn a_url_stored_before_the_checks_is_refused_at_sync() {
    let env = TestEnv::new();
    let up = env.upstream("fleet");
    up.load_fixture("fleet/v1");
    up.commit("v1");
    env.run(&["repo", "add", "fleet", &up.url()]).success();
    let conn = rusqlite::Connection::open(env.state()).unwrap();
    let stored = "deploy:tok-7d41c0ffee9b2aa1@127.0.0.1:fleet.git";
    conn.execute("UPDATE repos SET url = ?1 WHERE name = 'fleet'", [stored])
        .unwrap();
    drop(conn);
    let run = env.run(&["sync", "fleet"]);
    assert_says(
        &run,
        1,
        &[
            "repo 'fleet': its URL is refused: the URL is ambiguous",
            "repo set fleet --url",
        ],
    );
    assert!(!run.stderr.contains("7d41c0ffee9b2aa1"), "{run:#?}");
    let last = &env.json(&["runs", "--repo", "fleet", "--limit", "1"])[0];
    assert_eq!(last["status"], "failed", "{last:#}");
}

// Guards: a token is sent to the configured origin only; a redirect to
// another host gets no credentials (found by the black-box hostile pass).
#[test]
fn a_redirect_to_another_host_never_receives_the_token() {
    use std::io::{Read, Write};
    let env = TestEnv::new();
    let other = std::net::TcpListener::bind("127.0.0.2:0").unwrap();
    let other_port = other.local_addr().unwrap().port();
    let first = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let first_port = first.local_addr().unwrap().port();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in other.incoming().take(4).flatten() {
            let mut stream = stream;
            let mut buf = [0u8; 8192];
            let n = stream.read(&mut buf).unwrap_or(0);
            log.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
            let _ = stream.write_all(
                b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    std::thread::spawn(move || {
        for stream in first.incoming().take(4).flatten() {
            let mut stream = stream;
            let mut buf = [0u8; 8192];
            let n = stream.read(&mut buf).unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]);
            let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
            let answer = format!(
                "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.2:{other_port}{path}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    let url = format!("http://127.0.0.1:{first_port}/repo.git");
    let mut cmd = env.command(&["repo", "add", "r", &url, "--password", "env:TOKEN"]);
    cmd.env("TOKEN", "s3cr3t-planted-xyz");
    let out = cmd.output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    let got = seen.lock().unwrap().clone();
    assert!(
        !got.to_ascii_lowercase().contains("authorization"),
        "the redirect target got credentials:\n{got}"
    );
}
