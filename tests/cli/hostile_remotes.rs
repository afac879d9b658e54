//! Hostile remotes and damaged mirrors: a server whose ref list never ends,
//! servers that trickle, a pack over the cap, lock files left by a killed
//! sync, and a garbled pack in the mirror. None of them may hang a run,
//! exhaust memory, or break the syncs that follow.

mod fake;

use crate::harness::{GitRepo, Run, TestEnv};
use crate::servers::{GitDaemon, HttpServer, ServerRoot};
use fake::{Hostile, Mode};
use serde_json::Value;
use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const USER: &str = "deploy";
const TOKEN: &str = "tok-hostile-remotes";

/// The fleet v1 fixture committed in a work repo and published as `fleet.git`.
fn published_fleet(env: &TestEnv, root: &ServerRoot) -> GitRepo {
    let up = env.upstream("fleet");
    up.load_fixture("fleet/v1");
    up.commit("v1: first fleet");
    root.publish(&up.path, "fleet");
    up
}

/// `len` incompressible bytes.
fn noise(len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 8);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Commit fixtures/fleet/v2 plus `len` bytes of noise; returns the commit.
fn commit_v2_with_noise(up: &GitRepo, len: usize) -> String {
    up.load_fixture("fleet/v2");
    std::fs::create_dir_all(up.path.join("data")).unwrap();
    std::fs::write(up.path.join("data/noise.bin"), noise(len)).unwrap();
    up.commit("v2 with noise")
}

/// The one mirror in the cache.
fn mirror(env: &TestEnv) -> PathBuf {
    std::fs::read_dir(env.cache().join("mirrors"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "git"))
        .expect("a mirror")
}

fn last_run(env: &TestEnv, repo: &str) -> Value {
    env.json(&["runs", "--repo", repo, "--limit", "1"])[0].clone()
}

/// Sync v1 and apply it all: the state every failure starts from.
fn synced_and_applied(env: &TestEnv, repo: &str, v1: &str) -> Value {
    let run = env.json(&["sync", repo]);
    assert_eq!(run[0]["status"], "success", "{run:#}");
    assert_eq!(run[0]["revision"], v1);
    env.json(&["proposals", "approve", "--all", "--apply"]);
    env.json(&["get"])
}

/// A failed sync: exit 1, stderr and the recorded run both say `needle`,
/// and the live state and the fetched commit are still those of `v1`.
#[track_caller]
fn assert_failed_untouched(env: &TestEnv, run: &Run, needle: &str, live: &Value, v1: &str) {
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(needle),
        "want {needle:?} in:\n{}",
        run.stderr
    );
    let last = last_run(env, "fleet");
    assert_eq!(last["status"], "failed", "{last:#}");
    let error = last["error"].as_str().unwrap_or_default();
    assert!(error.contains(needle), "want {needle:?} in {error:?}");
    assert_eq!(&env.json(&["get"]), live);
    assert_eq!(env.json(&["repo", "show", "fleet"])["fetched_commit"], v1);
}

/// Peak resident memory (VmHWM, KiB) of a running process, if readable.
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Run gitsync, watching its peak memory; a run past `ceiling_kib` is
/// killed (an unbounded one would never end) and fails the test.
fn run_watching_memory(env: &TestEnv, args: &[&str], ceiling_kib: u64) -> (Run, u64) {
    let mut child = env
        .command(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = peak_kib(child.id()) {
            peak = peak.max(kib);
        }
        if peak > ceiling_kib {
            let _ = child.kill();
            let _ = child.wait();
            panic!("gitsync reached {peak} KiB of memory, more than {ceiling_kib} KiB");
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut run = Run {
        stdout: String::new(),
        stderr: String::new(),
        code: status.code().unwrap_or(-1),
    };
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut run.stdout)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut run.stderr)
        .unwrap();
    (run, peak)
}

/// An env with the http server's credentials, and `fleet` added through
/// `proxy` with `extra` flags.
fn http_env(root: &ServerRoot, proxy: &Hostile, extra: &[&str]) -> (TestEnv, GitRepo) {
    let mut env = TestEnv::new();
    env.env.push(("GIT_USER".into(), USER.into()));
    env.env.push(("GIT_TOKEN".into(), TOKEN.into()));
    let up = published_fleet(&env, root);
    let url = proxy.url("http", "fleet");
    let mut add = vec![
        "repo",
        "add",
        "fleet",
        url.as_str(),
        "--username",
        "env:GIT_USER",
        "--password",
        "env:GIT_TOKEN",
    ];
    add.extend_from_slice(extra);
    env.run(&add).success();
    (env, up)
}

#[test]
fn http_ref_list_that_never_ends_stops_at_the_cap_with_bounded_memory() {
    // Before the cap, a server advertising refs without end drove gitsync
    // past 2 GiB; now the default cap stops it and memory stays small.
    let root = ServerRoot::new();
    let Some(http) = HttpServer::start(&root, USER, TOKEN, "endless_ref_list") else {
        return;
    };
    let proxy = Hostile::start(http.port);
    let (env, up) = http_env(&root, &proxy, &[]);
    let v1 = up.head();
    let live = synced_and_applied(&env, "fleet", &v1);

    proxy.set(Mode::EndlessRefs);
    let (run, peak) = run_watching_memory(&env, &["sync", "fleet"], 300 * 1024);
    eprintln!("peak memory with an endless ref list: {peak} KiB");
    let needle = format!(
        "the ref list from '{}' is larger than 32 MiB (GITSYNC_MAX_REFS_BYTES)",
        proxy.url("http", "fleet")
    );
    assert_failed_untouched(&env, &run, &needle, &live, &v1);
    assert!(
        run.stderr.contains("raise GITSYNC_MAX_REFS_BYTES"),
        "{}",
        run.stderr
    );

    // A lower cap stops it sooner, with the cap it was given.
    let mut env = env;
    env.env
        .push(("GITSYNC_MAX_REFS_BYTES".into(), "64KiB".into()));
    let run = env.run(&["sync", "fleet"]);
    assert_failed_untouched(&env, &run, "larger than 64 KiB", &live, &v1);
}

#[test]
fn http_server_trickling_its_pack_fails_at_the_fetch_timeout() {
    // 2 KiB/s keeps curl's low-speed limit happy forever: only the overall
    // deadline ends the fetch.
    let root = ServerRoot::new();
    let Some(http) = HttpServer::start(&root, USER, TOKEN, "http_trickle") else {
        return;
    };
    let proxy = Hostile::start(http.port);
    let (env, up) = http_env(&root, &proxy, &["--fetch-timeout", "10"]);
    let v1 = up.head();
    let live = synced_and_applied(&env, "fleet", &v1);
    assert_eq!(env.json(&["repo", "show", "fleet"])["fetch_timeout"], 10);

    commit_v2_with_noise(&up, 256 * 1024);
    root.publish(&up.path, "fleet");
    proxy.set(Mode::Trickle {
        bytes: 512,
        every: Duration::from_millis(250),
    });
    let run = env.run(&["sync", "fleet"]);
    let needle = format!(
        "no complete answer from '{}' within 10 s",
        proxy.url("http", "fleet")
    );
    assert_failed_untouched(&env, &run, &needle, &live, &v1);
    assert!(run.stderr.contains("--fetch-timeout"), "{}", run.stderr);
}

#[test]
fn git_daemon_sending_a_byte_every_few_seconds_fails_at_the_fetch_timeout() {
    // Each read gets a byte well within git://'s 60 s silence limit, so
    // only the overall deadline ends the fetch.
    let root = ServerRoot::new();
    let Some(daemon) = GitDaemon::start(&root, "git_daemon_trickle") else {
        return;
    };
    let proxy = Hostile::start(daemon.port);
    let env = TestEnv::new();
    let up = published_fleet(&env, &root);
    let v1 = up.head();
    let url = proxy.url("git", "fleet");
    env.run(&["repo", "add", "fleet", &url, "--fetch-timeout", "10"])
        .success();
    let live = synced_and_applied(&env, "fleet", &v1);

    proxy.set(Mode::Trickle {
        bytes: 1,
        every: Duration::from_secs(3),
    });
    let run = env.run(&["sync", "fleet"]);
    let needle = format!("no complete answer from '{url}' within 10 s");
    assert_failed_untouched(&env, &run, &needle, &live, &v1);

    // The server recovers, and so does the repo.
    proxy.set(Mode::Pass);
    let v2 = commit_v2_with_noise(&up, 1024);
    root.publish(&up.path, "fleet");
    let runs = env.json(&["sync", "fleet"]);
    assert_eq!(runs[0]["status"], "success", "{runs:#}");
    assert_eq!(runs[0]["revision"], v2);
}

#[test]
fn a_pack_over_the_cap_fails_until_the_cap_is_raised() {
    let root = ServerRoot::new();
    let Some(daemon) = GitDaemon::start(&root, "pack_cap") else {
        return;
    };
    let mut env = TestEnv::new();
    let up = published_fleet(&env, &root);
    let v1 = up.head();
    env.run(&["repo", "add", "fleet", &daemon.url("fleet")])
        .success();
    let live = synced_and_applied(&env, "fleet", &v1);
    assert_eq!(env.json(&["repo", "show", "fleet"])["fetch_timeout"], 300);

    let v2 = commit_v2_with_noise(&up, 3 << 20);
    root.publish(&up.path, "fleet");
    env.env
        .push(("GITSYNC_MAX_PACK_BYTES".into(), "1MiB".into()));
    let run = env.run(&["sync", "fleet"]);
    let needle = format!(
        "the pack from '{}' is larger than 1 MiB (GITSYNC_MAX_PACK_BYTES)",
        daemon.url("fleet")
    );
    assert_failed_untouched(&env, &run, &needle, &live, &v1);
    assert!(
        std::fs::read_dir(mirror(&env).join("objects/pack"))
            .unwrap()
            .all(|e| !e.unwrap().file_name().to_string_lossy().starts_with(".tmp")),
        "a stopped pack leaves no temporary file"
    );

    env.env.pop();
    env.env
        .push(("GITSYNC_MAX_PACK_BYTES".into(), "16MiB".into()));
    let runs = env.json(&["sync", "fleet"]);
    assert_eq!(runs[0]["status"], "success", "{runs:#}");
    assert_eq!(runs[0]["revision"], v2);
}

#[test]
fn an_object_that_unpacks_past_the_pack_cap_fails_cleanly() {
    // 64 MiB of zeros travel as a few KiB; gix would allocate whatever
    // size the pack claims, so the cap bounds what one object unpacks to.
    let mut env = TestEnv::new();
    let up = env.upstream("fleet");
    up.load_fixture("fleet/v1");
    std::fs::write(up.path.join("zeros.bin"), vec![0u8; 64 << 20]).unwrap();
    up.commit("a blob that unpacks to 64 MiB");
    env.run(&["repo", "add", "fleet", &up.url()]).success();
    env.env
        .push(("GITSYNC_MAX_PACK_BYTES".into(), "1MiB".into()));
    let run = env.run(&["sync", "fleet"]).code(1);
    assert!(
        run.stderr.contains(&format!(
            "an object in the pack from '{}' is larger than 1 MiB (GITSYNC_MAX_PACK_BYTES)",
            up.url()
        )),
        "{}",
        run.stderr
    );
    env.env.pop();
    assert_eq!(env.json(&["sync", "fleet"])[0]["status"], "success");
}

#[test]
fn limits_out_of_range_are_usage_errors_naming_the_value_and_range() {
    let mut env = TestEnv::new();
    let up = env.upstream("fleet");
    up.load_fixture("fleet/v1");
    up.commit("v1");
    for secs in ["9", "86401"] {
        let run = env
            .run(&["repo", "add", "fleet", &up.url(), "--fetch-timeout", secs])
            .code(2);
        assert!(
            run.stderr.contains(&format!(
                "invalid value '{secs}' for '--fetch-timeout <SECS>': give a whole number from 10 to 86400 seconds"
            )),
            "{}",
            run.stderr
        );
    }
    env.run(&[
        "repo",
        "add",
        "fleet",
        &up.url(),
        "--fetch-timeout",
        "86400",
    ])
    .success();
    env.run(&["repo", "pause", "fleet"]).success();
    env.run(&["repo", "set", "fleet", "--fetch-timeout", "0"])
        .code(2);
    env.run(&["repo", "set", "fleet", "--fetch-timeout", "60"])
        .success();
    assert_eq!(env.json(&["repo", "show", "fleet"])["fetch_timeout"], 60);

    for (var, value, range) in [
        (
            "GITSYNC_MAX_PACK_BYTES",
            "512KiB",
            "between 1 MiB and 1 TiB",
        ),
        ("GITSYNC_MAX_PACK_BYTES", "lots", "between 1 MiB and 1 TiB"),
        ("GITSYNC_MAX_REFS_BYTES", "5GiB", "between 64 KiB and 4 GiB"),
    ] {
        env.env.push((var.into(), value.into()));
        let run = env.run(&["sync", "--all"]).code(2);
        assert!(
            run.stderr
                .contains(&format!("{var}='{value}' is not a size {range}")),
            "{}",
            run.stderr
        );
        env.env.pop();
    }
}

#[test]
fn stale_lock_files_left_in_the_mirror_are_removed_before_a_fetch() {
    // Every sync used to fail with "the lockfile … might need manual
    // deletion" once a killed fetch had left one.
    let env = TestEnv::new();
    let up = env.upstream("fleet");
    up.load_fixture("fleet/v1");
    let v1 = up.commit("v1");
    env.run(&["repo", "add", "fleet", &up.url()]).success();
    synced_and_applied(&env, "fleet", &v1);
    let mirror = mirror(&env);
    std::fs::write(mirror.join("shallow.lock"), "").unwrap();
    std::fs::write(mirror.join("refs/remotes/origin/main.lock"), "").unwrap();
    up.load_fixture("fleet/v2");
    let v2 = up.commit("v2");
    let run = env.run(&["-v", "sync", "fleet"]).success();
    assert!(
        run.stderr
            .contains("removed the stale refs/remotes/origin/main.lock from the mirror"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("removed the stale shallow.lock"));
    assert_eq!(last_run(&env, "fleet")["revision"], v2);
    assert!(!mirror.join("shallow.lock").exists());
}

#[test]
fn a_sync_killed_mid_fetch_leaves_no_lock_that_blocks_the_next() {
    let root = ServerRoot::new();
    let Some(daemon) = GitDaemon::start(&root, "killed_mid_fetch") else {
        return;
    };
    let proxy = Hostile::start(daemon.port);
    let env = TestEnv::new();
    let up = env.upstream("fleet");
    up.load_fixture("fleet/v1");
    // Many objects: gix writes each to the pack file once it has all of it.
    std::fs::create_dir_all(up.path.join("data")).unwrap();
    for (i, chunk) in noise(1 << 20).chunks(16 * 1024).enumerate() {
        std::fs::write(up.path.join(format!("data/{i}.bin")), chunk).unwrap();
    }
    let v1 = up.commit("v1 with noise");
    root.publish(&up.path, "fleet");
    env.run(&["repo", "add", "fleet", &proxy.url("git", "fleet")])
        .success();

    // Slow enough that the shallow fetch is surely under way when killed.
    proxy.set(Mode::Trickle {
        bytes: 4096,
        every: Duration::from_millis(50),
    });
    let mut child = env.command(&["sync", "fleet"]).spawn().unwrap();
    let mirrors = env.cache().join("mirrors");
    // Killed once the pack is arriving: the shallow lock is held and part
    // of the pack is on disk.
    let receiving = |mirror: &std::path::Path| {
        mirror.join("shallow.lock").exists()
            && std::fs::read_dir(mirror.join("objects/pack"))
                .into_iter()
                .flatten()
                .any(|e| e.unwrap().metadata().unwrap().len() > 64 * 1024)
    };
    let started = Instant::now();
    let mirror = loop {
        let found = std::fs::read_dir(&mirrors)
            .into_iter()
            .flatten()
            .map(|e| e.unwrap().path())
            .find(|m| receiving(m));
        if found.is_some() || started.elapsed() > Duration::from_secs(20) {
            break found.expect("the fetch took the shallow lock and received part of a pack");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    child.kill().unwrap(); // SIGKILL: nothing gets to clean up
    child.wait().unwrap();
    let held = mirror.join("shallow.lock");
    assert!(held.exists(), "the killed fetch left {}", held.display());

    proxy.set(Mode::Pass);
    let runs = env.json(&["sync", "fleet"]);
    assert_eq!(runs[0]["status"], "success", "{runs:#}");
    assert_eq!(runs[0]["revision"], v1);
    assert!(!held.exists());
    // Nor does the half-received pack stay behind.
    let left: Vec<String> = std::fs::read_dir(mirror.join("objects/pack"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp"))
        .collect();
    assert_eq!(left, Vec::<String>::new());
}

/// Overwrite every object byte of every pack in the mirror (the 12-byte
/// header and 20-byte trailer stay), as a bad disk would.
fn garble_packs(mirror: &std::path::Path) {
    for entry in std::fs::read_dir(mirror.join("objects/pack")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "pack") {
            let mut bytes = std::fs::read(&path).unwrap();
            let end = bytes.len() - 20;
            bytes[12..end].fill(0xa5);
            std::fs::write(&path, bytes).unwrap();
        }
    }
}

/// Overwrite the compressed bytes of the blob at `file` in the mirror's
/// main commit, leaving every other object readable.
fn garble_blob(mirror: &std::path::Path, file: &str) {
    let git = |args: &[&str], input: Option<&[u8]>| {
        use std::io::Write;
        let mut child = std::process::Command::new("git")
            .arg("--git-dir")
            .arg(mirror)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(input.unwrap_or_default()).unwrap();
        drop(stdin);
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let blob = git(
        &["rev-parse", &format!("refs/remotes/origin/main:{file}")],
        None,
    );
    let blob = blob.trim();
    for entry in std::fs::read_dir(mirror.join("objects/pack")).unwrap() {
        let idx = entry.unwrap().path();
        if idx.extension().is_none_or(|x| x != "idx") {
            continue;
        }
        let listing = git(&["show-index"], Some(&std::fs::read(&idx).unwrap()));
        let Some(offset) = listing.lines().find_map(|l| {
            let mut f = l.split_whitespace();
            let offset: usize = f.next()?.parse().ok()?;
            (f.next()? == blob).then_some(offset)
        }) else {
            continue;
        };
        let pack = idx.with_extension("pack");
        let mut bytes = std::fs::read(&pack).unwrap();
        // Past the entry's header (a few bytes) into its zlib stream.
        bytes[offset + 4..offset + 24].fill(0xa5);
        std::fs::write(&pack, bytes).unwrap();
        return;
    }
    panic!("blob {blob} of {file} is in no pack");
}

#[test]
fn a_garbled_pack_in_the_mirror_is_rebuilt_once_and_the_sync_succeeds() {
    let env = TestEnv::new();
    let up = env.upstream("fleet");
    up.load_fixture("fleet/v1");
    let v1 = up.commit("v1");
    env.run(&["repo", "add", "fleet", &up.url()]).success();
    let live = synced_and_applied(&env, "fleet", &v1);

    // Found while reading a file of the commit that is already fetched.
    garble_blob(&mirror(&env), "fleet.yaml");
    let run = env.run(&["-v", "sync", "fleet"]).success();
    assert!(
        run.stderr.contains("the mirror cannot read commit")
            && run.stderr.contains("rebuilding it"),
        "{}",
        run.stderr
    );
    assert_eq!(last_run(&env, "fleet")["status"], "success");
    assert_eq!(env.json(&["get"]), live);

    // Found while fetching: nothing the refs lead to can be read.
    garble_packs(&mirror(&env));
    up.load_fixture("fleet/v2");
    let v2 = up.commit("v2");
    let run = env.run(&["-v", "sync", "fleet"]).success();
    assert!(run.stderr.contains("rebuilding it"), "{}", run.stderr);
    assert_eq!(last_run(&env, "fleet")["revision"], v2);
    let again = env.run(&["-v", "sync", "fleet"]).success();
    assert!(!again.stderr.contains("rebuild"), "{}", again.stderr);
}
