//! The committed man page and completion scripts are generated from the clap
//! definition; these tests fail when they drift. Regenerate with
//! `GITSYNC_BLESS=1 cargo test --test cli docs`.

use crate::harness::TestEnv;
use std::path::Path;

fn check_generated(env: &TestEnv, args: &[&str], committed: &str) {
    let run = env.run(args).success();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(committed);
    if std::env::var_os("GITSYNC_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &run.stdout).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == run.stdout,
        "{committed} is out of date with the command line; run GITSYNC_BLESS=1 cargo test --test cli docs"
    );
}

// Guards: man/gitsync.1 is what `gitsync man` prints.
#[test]
fn committed_man_page_matches_the_cli() {
    check_generated(&TestEnv::new(), &["man"], "man/gitsync.1");
}

// Guards: completions/ hold what `gitsync completions SHELL` prints.
#[test]
fn committed_completions_match_the_cli() {
    let env = TestEnv::new();
    check_generated(&env, &["completions", "bash"], "completions/gitsync.bash");
    check_generated(&env, &["completions", "zsh"], "completions/_gitsync");
    check_generated(&env, &["completions", "fish"], "completions/gitsync.fish");
}

#[test]
fn help_lists_every_command_of_the_spec() {
    let env = TestEnv::new();
    let run = env.run(&["--help"]).success();
    insta::assert_snapshot!(env.normalize(&run));
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let env = TestEnv::new();
    let run = env.run(&["sync", "--bogus"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("--bogus"), "{}", run.stderr);
}

// Guards: `gitsync ... | head` exits quietly when the reader goes away.
#[test]
fn a_closed_pipe_is_not_an_error() {
    let env = TestEnv::new();
    let mut child = env
        .command(&["completions", "bash"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The script is larger than a pipe's buffer, so gitsync is still
    // writing when the reader closes its end.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}
