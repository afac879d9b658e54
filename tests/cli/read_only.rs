//! The reading commands work on a state file gitsync cannot write (a
//! read-only mount, as CI or a standby host might give it), writing
//! nothing; the writing commands fail with the cause.

use crate::fleet::fleet_env;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A small tmpfs, unmounted when dropped.
struct Mount(PathBuf);

impl Mount {
    fn new(at: &Path) -> Option<Mount> {
        std::fs::create_dir_all(at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=8m,mode=0700", "none"])
            .arg(at)
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Mount(at.to_path_buf()))
    }

    fn read_only(&self) {
        let ok = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(ok.success());
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn reading_commands_work_on_a_read_only_mount_and_writing_ones_say_why() {
    let (env, _up) = fleet_env(&[]);
    env.json(&["sync", "fleet"]);
    let id = env.json(&["proposals", "list"])[0]["id"].to_string();
    env.json(&["proposals", "approve", &id, "--apply"]);
    let Some(mount) = Mount::new(&env.path().join("ro")) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "cannot mount a tmpfs under CI"
        );
        eprintln!("SKIPPED: cannot mount a tmpfs here (needs root)");
        return;
    };
    let copy = mount.0.join("state.db");
    // A consistent copy: the WAL is checkpointed by a clean close.
    std::fs::copy(env.state(), &copy).unwrap();
    let copy_text = copy.to_str().unwrap().to_string();
    let reads: &[&[&str]] = &[
        &["status"],
        &["get"],
        &["history", "template", "web-server"],
        &["runs"],
        &["runs", "show", "1"],
        &["events"],
        &["proposals", "list", "--status", "all"],
        &["proposals", "show", &id],
    ];
    let mut expected = Vec::new();
    for args in reads {
        let mut all = vec!["-o", "json"];
        all.extend_from_slice(args);
        expected.push(env.run(&all).success().stdout);
    }
    mount.read_only();
    let before = std::fs::read(&copy).unwrap();
    for (args, want) in reads.iter().zip(&expected) {
        let mut all = vec!["--state", copy_text.as_str(), "-o", "json"];
        all.extend_from_slice(args);
        let run = env.run(&all);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        if args[0] != "status" {
            assert_eq!(&run.stdout, want, "{args:?} reads the same as the original");
        }
    }
    assert_eq!(std::fs::read(&copy).unwrap(), before, "nothing was written");
    let write = env.run(&["--state", &copy_text, "sync", "fleet"]);
    assert_eq!(write.code, 1, "{write:?}");
    assert!(
        write.stderr.contains(&copy_text)
            && (write.stderr.contains("read-only") || write.stderr.contains("readonly")),
        "{}",
        write.stderr
    );
}

// Guards: a full disk under the state file fails the sync with that cause,
// kept on the run (not "interrupted"), and loses nothing: once space is
// freed the next sync completes.
#[test]
fn a_full_disk_fails_the_sync_with_its_cause_and_loses_nothing() {
    let env = crate::harness::TestEnv::new();
    let Some(mount) = Mount::new(&env.path().join("small")) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "cannot mount a tmpfs under CI"
        );
        eprintln!("SKIPPED: cannot mount a tmpfs here (needs root)");
        return;
    };
    let state = mount.0.join("state.db");
    let state_text = state.to_str().unwrap().to_string();
    let up = env.upstream("dags");
    for i in 0..300 {
        up.write(
            &format!("d/dag{i}.yaml"),
            &format!(
                "dag:\n  id: d{i}\n  note: \"{}\"\ntasks:\n  - id: t\n    script: x\n",
                "x".repeat(3000)
            ),
        );
    }
    up.commit("300 dags");
    let with_state = |args: &[&str]| {
        let mut all = vec!["--state", state_text.as_str()];
        all.extend_from_slice(args);
        env.run(&all)
    };
    with_state(&[
        "repo",
        "add",
        "dags",
        &up.url(),
        "--layout",
        "manifests",
        "--max-proposals",
        "0",
    ])
    .success();
    // Leave about 300 KiB free: the 300 proposals need several MiB.
    let filler = mount.0.join("filler");
    let free = free_bytes(&mount.0);
    std::fs::write(&filler, vec![0u8; free.saturating_sub(300 * 1024) as usize]).unwrap();
    let run = with_state(&["sync", "dags"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("disk holding it is full"),
        "{}",
        run.stderr
    );
    std::fs::remove_file(&filler).unwrap();
    let runs = with_state(&["-o", "json", "runs"]).success().json();
    assert_eq!(runs[0]["status"], "failed");
    assert!(
        runs[0]["error"]
            .as_str()
            .unwrap()
            .contains("disk holding it is full"),
        "{runs:#}"
    );
    let next = with_state(&["-o", "json", "sync", "dags"]).success().json();
    assert_eq!(next[0]["opened"].as_array().unwrap().len(), 300, "{next:#}");
    let conn = rusqlite::Connection::open(&state).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}

/// Free bytes on the file system holding `dir`, as `df` counts them.
fn free_bytes(dir: &Path) -> u64 {
    let out = Command::new("df")
        .args(["-B1", "--output=avail"])
        .arg(dir)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .unwrap()
}
