//! SIGTERM and SIGINT (systemd stop, `timeout`, Ctrl-C) stop gitsync
//! promptly and cleanly: what it started is stopped, the run is recorded
//! with the signal as its cause, and the next run carries on.

use crate::harness::TestEnv;
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

fn wait_for(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(child: &Child, name: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

fn gone(pid_file: &Path) -> bool {
    let pid = std::fs::read_to_string(pid_file).unwrap();
    std::fs::read_to_string(format!("/proc/{}/status", pid.trim()))
        .map_or(true, |s| s.contains("State:\tZ"))
}

#[test]
fn a_signalled_sync_stops_its_compile_command_and_records_why() {
    for sig in ["TERM", "INT"] {
        let env = TestEnv::new();
        let up = env.upstream("dags");
        up.write("a.py", "# a dag\n");
        up.commit("a dag");
        let (started, slow) = (env.path().join("started"), env.path().join("slow"));
        std::fs::write(&slow, "").unwrap();
        let rule = format!(
            "*.py=sh -c 'echo $$ > {s}; if [ -e {w} ]; then sleep 60; fi; echo \"{{\\\"dag\\\": {{\\\"id\\\": \\\"a\\\"}}, \\\"tasks\\\": [{{\\\"id\\\": \\\"t\\\", \\\"script\\\": \\\"x\\\"}}]}}\"'",
            s = started.display(),
            w = slow.display()
        );
        env.add_compiled_dags(&up, &rule);
        let child = env
            .command(&["sync", "dags"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        wait_for(&started);
        std::thread::sleep(Duration::from_millis(100));
        signal(&child, sig);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "SIG{sig}: {stderr}");
        assert!(
            stderr.contains(&format!("interrupted by SIG{sig}")),
            "{stderr}"
        );
        assert!(gone(&started), "the compile command outlived the sync");
        let runs = env.json(&["runs"]);
        assert_eq!(runs[0]["status"], "failed");
        let error = runs[0]["error"].as_str().unwrap();
        assert!(
            error.contains(&format!("interrupted by SIG{sig}")),
            "{error}"
        );
        // Nothing was left half done: the next run carries on.
        std::fs::remove_file(&slow).unwrap();
        let next = env.json(&["sync", "dags"]);
        assert_eq!(next[0]["status"], "success", "{next:#}");
        assert_eq!(next[0]["opened"].as_array().unwrap().len(), 1);
    }
}

#[test]
fn a_signalled_apply_stops_the_hook_and_applies_nothing_more() {
    let (env, _up) = crate::fleet::fleet_env(&[]);
    let started = env.path().join("hook.pid");
    let hook = format!(
        "*=sh -c 'cat >/dev/null; echo $$ > {}; sleep 60'",
        started.display()
    );
    env.run(&["repo", "pause", "fleet"]).success();
    env.run(&["repo", "set", "fleet", "--apply-hook", &hook])
        .success();
    env.run(&["repo", "resume", "fleet"]).success();
    env.json(&["sync", "fleet"]);
    let child = env
        .command(&["proposals", "approve", "--all", "--apply"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(&started);
    signal(&child, "TERM");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(gone(&started), "the hook outlived gitsync");
    assert_eq!(env.json(&["get"]), serde_json::json!([]), "nothing applied");
    let shown = env.json(&["proposals", "list"]);
    assert!(
        shown.as_array().unwrap().iter().any(|p| p["reason"]
            .as_str()
            .is_some_and(|r| r.contains("interrupted by SIGTERM"))),
        "{shown:#}"
    );
}

// Guards: what a host command started dies with a SIGKILLed gitsync too
// (found by the black-box hostile pass: grandchildren used to survive).
#[test]
fn a_sigkilled_sync_takes_its_compile_commands_children_with_it() {
    let env = TestEnv::new();
    let up = env.upstream("dags");
    up.write("a.py", "# a dag\n");
    up.commit("a dag");
    let pid_file = env.path().join("grandchild.pid");
    let rule = format!(
        "*.py=sh -c 'sleep 60 & echo $! > {p}.tmp; mv {p}.tmp {p}; sleep 60'",
        p = pid_file.display()
    );
    env.add_compiled_dags(&up, &rule);
    let mut child = env
        .command(&["sync", "dags"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_for(&pid_file);
    signal(&child, "KILL");
    child.wait().unwrap();
    // The guard notices its parent's death and ends the group; give it a
    // moment (this bounds a wait, it measures nothing).
    let deadline = Instant::now() + Duration::from_secs(10);
    while !gone(&pid_file) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        gone(&pid_file),
        "the compile command's child outlived gitsync"
    );
}

// Guards: private temporary folders a SIGKILLed gitsync left (an ssh key
// copy, files handed to a compile command) are removed by the next run.
#[test]
fn temporary_folders_a_killed_gitsync_left_are_removed_by_the_next_run() {
    let env = TestEnv::new();
    // A pid no process has: beyond the kernel's pid_max.
    let dead = std::fs::read_to_string("/proc/sys/kernel/pid_max")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(4_194_304)
        + 1;
    let stale = std::env::temp_dir().join(format!("gitsync-ssh-{dead}-test"));
    std::fs::create_dir_all(&stale).unwrap();
    std::fs::write(stale.join("key"), "-----BEGIN OPENSSH PRIVATE KEY-----").unwrap();
    let up = env.upstream("dags");
    up.write("a.py", "# a dag\n");
    up.commit("a dag");
    let rule = "*.py=sh -c 'echo \"{\\\"dag\\\": {\\\"id\\\": \\\"a\\\"}, \\\"tasks\\\": [{\\\"id\\\": \\\"t\\\", \\\"script\\\": \\\"x\\\"}]}\"'";
    env.add_compiled_dags(&up, rule);
    env.json(&["sync", "dags"]);
    assert!(!stale.exists(), "the stale key copy is still on disk");
}
