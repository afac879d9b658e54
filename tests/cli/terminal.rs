//! Nothing from a repository, the state file, a hook or an operator reaches
//! the terminal as a control character or a bidi control: every command's
//! text output escapes them, and JSON/YAML output carries them exactly.

use crate::harness::{Run, TestEnv};

/// The characters an attacker would use: ESC (colours, cursor moves, OSC
/// titles), BEL, the 8-bit CSI, DEL, a right-to-left override and a
/// line separator.
const HOSTILE: &[char] = &[
    '\u{1b}', '\u{7}', '\u{9b}', '\u{7f}', '\u{202e}', '\u{2066}', '\u{2028}', '\r',
];

#[track_caller]
fn assert_clean(what: &str, run: &Run) {
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        if let Some(c) = text.chars().find(|c| HOSTILE.contains(c)) {
            panic!("{what}: raw {c:?} on {stream}:\n{}", text.escape_debug());
        }
    }
}

/// A fleet whose free-text values, keys and commit subject carry escapes.
const FLEET: &str = r#"
templates:
  web:
    name: web
    description: "\e[31mred\a \u202Ertl \x9B2J del\x7F \u2066iso \u2028sep"
modules:
  m1:
    name: m1
    priority: 1
    variety: config
    config:
      "k\e[1m": "v\e]0;owned\a"
"#;

#[test]
fn escapes_from_a_repository_are_shown_escaped_by_every_command() {
    let env = TestEnv::new();
    let up = env.upstream("fleet");
    up.write("fleet.yaml", FLEET);
    up.commit("\u{1b}[31mred subject\u{7} \u{202e}txt.exe");
    let hook = "module=sh -c 'cat >/dev/null; printf \"\\033[2Jcleared\\007\\n\" >&2; exit 3'";
    env.run(&["repo", "add", "fleet", &up.url(), "--apply-hook", hook])
        .success();

    let sync = env.run(&["-v", "sync", "fleet"]);
    assert_clean("sync -v", &sync.success());
    let diff = env.run(&["diff", "fleet"]);
    assert_clean("diff", &diff);
    assert!(diff.stdout.contains("\\e[31mred\\a"), "{}", diff.stdout);
    assert!(diff.stdout.contains("\\u{202e}rtl"), "{}", diff.stdout);

    let list = env.json(&["proposals", "list"]);
    let ids: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].to_string())
        .collect();
    assert_clean("proposals list", &env.run(&["proposals", "list"]));
    for id in &ids {
        assert_clean("proposals show", &env.run(&["proposals", "show", id]));
    }
    // The module's hook fails with escapes on its stderr; the template applies.
    let approve = env.run(&["proposals", "approve", "--all", "--apply"]);
    assert_clean("approve --apply", &approve.code(1));
    for id in &ids {
        let shown = env.run(&["proposals", "show", id]);
        assert_clean("proposals show after a failed hook", &shown);
    }
    for args in [
        &["get"][..],
        &["get", "template", "web"],
        &["history", "template", "web"],
        &["status"],
        &["runs"],
        &["runs", "show", "1"],
        &["events"],
        &["repo", "show", "fleet"],
        &["repo", "list"],
        &["-o", "yaml", "get", "template", "web"],
        &["-o", "yaml", "status"],
        &["-o", "json", "status"],
        &["-o", "json", "proposals", "list", "--status", "all"],
    ] {
        assert_clean(&args.join(" "), &env.run(args));
    }
    // Machine output keeps the exact value.
    let live = env.json(&["get", "template", "web"]);
    let description = live[0]["spec"]["description"].as_str().unwrap();
    assert!(description.starts_with("\u{1b}[31mred\u{7} \u{202e}rtl \u{9b}2J"));
    let status = env.json(&["status"]);
    assert_eq!(
        status["repos"][0]["remote"]["subject"],
        "\u{1b}[31mred subject\u{7} \u{202e}txt.exe"
    );
    let yaml = env.run(&["-o", "yaml", "get", "template", "web"]).success();
    let back: serde_json::Value = serde_saphyr::from_str(&yaml.stdout).unwrap();
    assert_eq!(back, live);
}

#[test]
fn a_key_with_a_newline_cannot_fake_a_second_error_line() {
    // A validation error echoes the offending key: its newline and escapes
    // must stay inside the one error line.
    let env = TestEnv::new();
    let up = env.upstream("fleet");
    up.write(
        "fleet.yaml",
        "\"\\e[41mbad\\nerror: all good, nothing to see\": {}\n",
    );
    up.commit("hostile key");
    env.run(&["repo", "add", "fleet", &up.url()]).success();
    for args in [&["sync", "fleet"][..], &["diff", "fleet"], &["status"]] {
        let run = env.run(args);
        assert_clean(&args.join(" "), &run);
        for text in [&run.stdout, &run.stderr] {
            assert!(
                !text.lines().any(|l| l.starts_with("error: all good")),
                "{}: a fake line:\n{text}",
                args.join(" ")
            );
        }
    }
    let sync = env.run(&["sync", "fleet"]).code(1);
    assert!(sync.stderr.contains("'\\e[41mbad"), "{}", sync.stderr);
}

#[test]
fn operator_text_in_the_state_is_shown_escaped_to_later_operators() {
    let env = TestEnv::new();
    let up = env.upstream("fleet");
    up.load_fixture("fleet/v1");
    up.commit("v1");
    env.run(&["repo", "add", "fleet", &up.url()]).success();
    let reason = "maintenance \u{1b}]52;c;Y3VybCBldmlsIHwgc2g=\u{7} \u{202e}";
    assert_clean("halt", &env.run(&["halt", "--reason", reason]).success());
    assert_clean("status while halted", &env.run(&["status"]));
    assert_clean("events", &env.run(&["events"]));
    assert_eq!(env.json(&["status"])["halt_reason"], reason);
    env.json(&["sync", "fleet"]);
    let id = env.json(&["proposals", "list"])[0]["id"].to_string();
    assert_clean(
        "reject",
        &env.run(&["proposals", "reject", &id, "--reason", reason]),
    );
    assert_clean("proposals show", &env.run(&["proposals", "show", &id]));
    assert_clean(
        "proposals list --status all",
        &env.run(&["proposals", "list", "--status", "all"]),
    );
}

#[test]
fn usage_errors_quote_what_was_typed_escaped() {
    let env = TestEnv::new();
    for args in [
        &["\u{1b}[2Jsubcommand"][..],
        &["get", "--namespace"],
        &["proposals", "show", "\u{1b}]0;x\u{7}"],
        &["repo", "add", "bad\u{1b}name", "/tmp/x"],
        &["repo", "show", "n\u{202e}ame"],
    ] {
        let run = env.run(args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert_clean(&format!("{args:?}"), &run);
    }
}

// Guards: only a closed stdout ends a command quietly; a run whose error
// merely mentions a broken pipe (a compiler's Python traceback) still fails
// loudly, even under -q, so cron mails it.
#[test]
fn an_error_that_mentions_a_broken_pipe_still_fails_the_sync() {
    let env = TestEnv::new();
    let up = env.upstream("dags");
    up.write("dags/etl.py", "print('hi')\n");
    up.commit("a dag");
    let rule = "*.py=sh -c 'echo \"BrokenPipeError: [Errno 32] Broken pipe\" >&2; exit 1'";
    env.add_compiled_dags(&up, rule);
    let run = env.run(&["sync", "-q"]).code(1);
    assert!(run.stderr.contains("Broken pipe"), "{}", run.stderr);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
}

// Guards: a mistyped --state or a deleted state file fails every command
// but `repo add` loudly (exit 2), and creates nothing, so monitoring and
// cron never go green on an empty state.
#[test]
fn a_missing_state_file_is_an_error_not_a_fresh_start() {
    let env = TestEnv::new();
    let typo = env.path().join("sate/state.db");
    let typo = typo.to_str().unwrap();
    for args in [
        &["status", "--exit-code"][..],
        &["sync", "-q"],
        &["get"],
        &["proposals", "list"],
        &["apply"],
        &["halt", "--reason", "x"],
        &["events"],
        &["gc"],
    ] {
        let mut all = vec!["--state", typo];
        all.extend_from_slice(args);
        let run = env.run(&all);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(
            run.stderr.contains("there is no state file at") && run.stderr.contains(typo),
            "{args:?}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("'gitsync repo add' creates"),
            "{}",
            run.stderr
        );
    }
    assert!(!env.path().join("sate").exists(), "nothing was created");
    assert!(!env.cache().exists(), "no cache folder either");
}
