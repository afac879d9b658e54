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
            .args(["-t", "tmpfs", "-o", "size=16m,mode=0700", "none"])
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
