//! The permanent hostile-input suite: an attacker who controls a
//! repository's content, and a careless operator's command line and
//! environment. Every case checks the same promises (see [`Area::check`]).

mod cli;
mod fleet;
mod manifests;
mod nodered;

use crate::harness::{GitRepo, MEMORY_CEILING_KIB, MeasuredRun, TestEnv};
use serde_json::Value;

/// One change to the upstream work tree, committed on top of the baseline.
pub enum Edit {
    /// Write a file (folders created), bytes as they are.
    Write(String, Vec<u8>),
    /// Replace a path by a symbolic link to the target.
    Link(String, String),
    /// A gitlink (a submodule entry) at the path, pointing at a commit.
    Gitlink(String),
    /// Delete a file of the baseline.
    Remove(String),
    /// `count` files `DIR/nI.yaml`, all with `content`, written straight
    /// into the index (one blob, one tree): far quicker than a work tree.
    Many {
        dir: String,
        count: usize,
        content: String,
    },
}

pub fn write(path: &str, text: impl Into<Vec<u8>>) -> Edit {
    Edit::Write(path.to_string(), text.into())
}

/// What a case must produce.
pub enum Expect {
    /// Refused: this exit code, and every needle on stderr.
    Refused(i32, Vec<String>),
    /// Accepted (exit 0): stdout holds every needle (a dry run's report).
    Accepted(Vec<String>),
}

pub fn refused(code: i32, needles: &[&str]) -> Expect {
    Expect::Refused(code, needles.iter().map(|s| s.to_string()).collect())
}

pub fn accepted(needles: &[&str]) -> Expect {
    Expect::Accepted(needles.iter().map(|s| s.to_string()).collect())
}

/// One hostile case.
pub struct Case {
    pub name: &'static str,
    pub edits: Vec<Edit>,
    /// The command (`REPO` is replaced by the area's repo name).
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub expect: Expect,
    /// The most stderr this case may print, in bytes.
    pub max_stderr: usize,
    /// Text that must appear on neither stdout nor stderr.
    pub absent: Vec<String>,
}

impl Case {
    /// A sync of the area's repo, refused with `code` and `needles`.
    pub fn sync(name: &'static str, edits: Vec<Edit>, code: i32, needles: &[&str]) -> Case {
        Case::new(name, edits, &["sync", "REPO"], refused(code, needles))
    }

    /// A dry run (`diff`) that is accepted and shows `needles`.
    pub fn diff(name: &'static str, edits: Vec<Edit>, needles: &[&str]) -> Case {
        Case::new(name, edits, &["diff", "REPO"], accepted(needles))
    }

    pub fn new(name: &'static str, edits: Vec<Edit>, args: &[&str], expect: Expect) -> Case {
        Case {
            name,
            edits,
            args: args.iter().map(|s| s.to_string()).collect(),
            env: Vec::new(),
            expect,
            max_stderr: 16 * 1024,
            absent: Vec::new(),
        }
    }

    pub fn absent(mut self, texts: &[&str]) -> Case {
        self.absent.extend(texts.iter().map(|s| s.to_string()));
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Case {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    pub fn max_stderr(mut self, bytes: usize) -> Case {
        self.max_stderr = bytes;
        self
    }
}

/// One registered repo whose baseline content was synced and applied, so
/// that there is live state to keep intact.
pub struct Area {
    pub env: TestEnv,
    pub up: GitRepo,
    pub repo: &'static str,
    base: String,
}

/// The state a refused (or dry-run) case must leave exactly as it was.
#[derive(Debug, PartialEq)]
struct Snapshot {
    live: Value,
    proposals: Value,
    halts: Value,
    /// Each repo's settings (not its schedule, which a sync moves).
    repos: Value,
}

impl Area {
    /// `files` committed as the baseline, registered as `repo` with
    /// `add_flags`, synced, and every proposal approved and applied.
    pub fn new(repo: &'static str, files: &[(&str, &str)], add_flags: &[&str]) -> Area {
        let env = TestEnv::new();
        let up = env.upstream(repo);
        for (path, text) in files {
            up.write(path, text);
        }
        let base = up.commit("baseline");
        let url = up.url();
        let mut args = vec!["repo", "add", repo, url.as_str()];
        args.extend_from_slice(add_flags);
        env.run(&args).success();
        env.json(&["sync", repo]);
        env.json(&["proposals", "approve", "--all", "--apply"]);
        assert_ne!(
            env.json(&["get"]),
            serde_json::json!([]),
            "baseline is live"
        );
        Area {
            env,
            up,
            repo,
            base,
        }
    }

    fn snapshot(&self) -> Snapshot {
        let status = self.env.json(&["status"]);
        Snapshot {
            live: self.env.json(&["get"]),
            proposals: self.env.json(&["proposals", "list", "--status", "all"]),
            halts: serde_json::json!([status["halted"], status["halt_reason"]]),
            repos: self
                .env
                .json(&["repo", "list"])
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let keys = [
                        "name",
                        "url",
                        "ref",
                        "path",
                        "layout",
                        "namespace",
                        "interval",
                    ];
                    let more = ["auto_apply", "max_proposals", "paused"];
                    keys.iter()
                        .chain(&more)
                        .map(|k| r[*k].clone())
                        .collect::<Value>()
                })
                .collect(),
        }
    }

    /// Put the upstream back to the baseline, apply the case's edits and
    /// commit them.
    fn prepare(&self, case: &Case) {
        let up = &self.up;
        up.git(&["reset", "-q", "--hard", &self.base]);
        up.git(&["clean", "-qfdx"]);
        let mut gitlinks = Vec::new();
        for edit in &case.edits {
            match edit {
                Edit::Write(path, bytes) => {
                    let p = up.path.join(path);
                    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                    std::fs::write(p, bytes).unwrap();
                }
                Edit::Link(path, target) => {
                    let p = up.path.join(path);
                    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                    let _ = std::fs::remove_file(&p);
                    std::os::unix::fs::symlink(target, p).unwrap();
                }
                Edit::Gitlink(path) => gitlinks.push(path.clone()),
                Edit::Many { .. } => {}
                Edit::Remove(path) => std::fs::remove_file(up.path.join(path)).unwrap(),
            }
        }
        up.git(&["add", "-A"]);
        for edit in &case.edits {
            if let Edit::Many {
                dir,
                count,
                content,
            } = edit
            {
                let blob = git_stdin(up, &["hash-object", "-w", "--stdin"], content);
                let listing: String = (0..*count)
                    .map(|i| format!("100644 blob {blob}\tn{i}.yaml\n"))
                    .collect();
                let tree = git_stdin(up, &["mktree"], &listing);
                up.git(&["read-tree", &format!("--prefix={dir}/"), &tree]);
            }
        }
        for path in gitlinks {
            let entry = format!("160000,{},{path}", self.base);
            up.git(&["update-index", "--add", "--cacheinfo", &entry]);
        }
        up.git(&["commit", "-q", "--allow-empty", "-m", case.name]);
    }

    /// Run every case; collect every failure, each named, and fail once.
    pub fn check(&self, cases: Vec<Case>) {
        let mut failures = Vec::new();
        let mut names = std::collections::BTreeSet::new();
        for case in &cases {
            assert!(names.insert(case.name), "two cases named {}", case.name);
            self.prepare(case);
            let before = self.snapshot();
            let args: Vec<String> = case
                .args
                .iter()
                .map(|a| {
                    if a == "REPO" {
                        self.repo.to_string()
                    } else {
                        a.clone()
                    }
                })
                .collect();
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let env: Vec<(&str, &str)> = case
                .env
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let measured = self.env.run_measured(&args, &env);
            let mut problems = outcome_problems(case, &measured);
            let after = self.snapshot();
            if after != before {
                problems.push(format!(
                    "live state or proposals changed:\nbefore {before:#?}\nafter {after:#?}"
                ));
            }
            if !problems.is_empty() {
                failures.push(format!(
                    "case '{}': {}\n  exit {}\n  stderr: {}\n  stdout: {}",
                    case.name,
                    problems.join("; "),
                    measured.run.code,
                    shorten(&measured.run.stderr),
                    shorten(&measured.run.stdout),
                ));
            }
        }
        assert!(
            failures.is_empty(),
            "{} of {} hostile cases failed:\n{}",
            failures.len(),
            cases.len(),
            failures.join("\n\n")
        );
    }
}

/// Run git in the upstream with `input` on stdin; its trimmed stdout.
fn git_stdin(up: &GitRepo, args: &[&str], input: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("git")
        .args(args)
        .current_dir(&up.path)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run git");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "git {args:?} failed");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Everything wrong with one call's outcome against the promises of every
/// case: the expected exit and message, no panic, no raw control character,
/// valid UTF-8, bounded output and memory.
pub fn outcome_problems(case: &Case, measured: &MeasuredRun) -> Vec<String> {
    let run = &measured.run;
    let mut problems = Vec::new();
    match &case.expect {
        Expect::Refused(code, needles) => {
            if run.code != *code {
                problems.push(format!("expected exit {code}"));
            }
            for needle in needles {
                if !run.stderr.contains(needle.as_str()) {
                    problems.push(format!("stderr lacks {needle:?}"));
                }
            }
            if *code != 0 && !run.stderr.lines().any(|l| l.starts_with("error: ")) {
                problems.push("no 'error: ' line on stderr".into());
            }
        }
        Expect::Accepted(needles) => {
            if run.code != 0 {
                problems.push("expected exit 0".into());
            }
            for needle in needles {
                if !run.stdout.contains(needle.as_str()) {
                    problems.push(format!("stdout lacks {needle:?}"));
                }
            }
        }
    }
    for text in &case.absent {
        if run.stdout.contains(text.as_str()) || run.stderr.contains(text.as_str()) {
            problems.push(format!("output shows {text:?}"));
        }
    }
    if run.code == 101 || run.stderr.contains("panicked") {
        problems.push("gitsync panicked".into());
    }
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        if let Some(c) = text.chars().find(|&c| is_raw_control(c)) {
            problems.push(format!("raw {c:?} on {stream}"));
        }
    }
    if !measured.utf8 {
        problems.push("output is not valid UTF-8".into());
    }
    if run.stderr.len() > case.max_stderr {
        problems.push(format!(
            "stderr is {} bytes, over {}",
            run.stderr.len(),
            case.max_stderr
        ));
    }
    if measured.peak_kib > MEMORY_CEILING_KIB {
        problems.push(format!("peak memory {} KiB", measured.peak_kib));
    }
    problems
}

/// A character that must never reach a terminal raw: C0 but the newline,
/// DEL, C1, the bidi embeddings and overrides, the bidi isolates.
pub fn is_raw_control(c: char) -> bool {
    (c < ' ' && c != '\n')
        || ('\u{7f}'..='\u{9f}').contains(&c)
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// At most 2,000 characters of an output, escaped, for failure messages.
fn shorten(text: &str) -> String {
    let escaped = text.escape_debug().to_string();
    match escaped.char_indices().nth(2000) {
        Some((i, _)) => format!("{}… ({} bytes)", &escaped[..i], text.len()),
        None => escaped,
    }
}

/// `depth` nested flow sequences: `[[[...]]]`.
pub fn nested_brackets(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}
