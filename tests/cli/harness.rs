//! The test environment: the real `gitsync` executable run in a temporary
//! folder with a pinned environment, and fixture git repos built at test time
//! from the plain files under `fixtures/`.

use serde_json::Value;
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository's `fixtures/` folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The path of one of the example hooks in `contrib/hooks/`.
pub fn contrib(name: &str) -> String {
    fixtures()
        .parent()
        .unwrap()
        .join("contrib/hooks")
        .join(name)
        .display()
        .to_string()
}

/// One hermetic environment: a state file, a cache folder, a HOME, and
/// upstream repos, all under one temporary folder.
pub struct TestEnv {
    pub dir: tempfile::TempDir,
    /// Extra environment for every gitsync call (e.g. GITSYNC_NOW).
    pub env: Vec<(String, String)>,
}

/// What one gitsync call did.
#[derive(Debug)]
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Run {
    /// stdout parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    #[track_caller]
    pub fn success(self) -> Run {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn code(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

impl TestEnv {
    pub fn new() -> TestEnv {
        let dir = tempfile::Builder::new()
            .prefix("gitsync-test")
            .tempdir()
            .expect("temp dir");
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        TestEnv {
            dir,
            env: Vec::new(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn state(&self) -> PathBuf {
        self.path().join("state/state.db")
    }

    pub fn cache(&self) -> PathBuf {
        self.path().join("cache")
    }

    /// A gitsync command with the pinned environment, ready to run.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gitsync"));
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path().join("home"))
            .env("USER", "tester")
            .env("GITSYNC_STATE", self.state())
            .env("GITSYNC_CACHE_DIR", self.cache())
            .env("GITSYNC_LOCK_WAIT", "1")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("LANG", "C")
            .current_dir(self.path());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Run gitsync and collect its output.
    pub fn run(&self, args: &[&str]) -> Run {
        let out = self.command(args).output().expect("run gitsync");
        to_run(out)
    }

    /// Run gitsync with `-o json`, expect success, parse stdout.
    #[track_caller]
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["-o", "json"];
        all.extend_from_slice(args);
        self.run(&all).success().json()
    }

    /// Register `up` as repo `dags` with the manifests layout and one
    /// `--compile` rule.
    #[track_caller]
    pub fn add_compiled_dags(&self, up: &GitRepo, rule: &str) {
        let url = up.url();
        self.run(&[
            "repo",
            "add",
            "dags",
            &url,
            "--layout",
            "manifests",
            "--compile",
            rule,
        ])
        .success();
    }

    /// An upstream repo (created empty on first use) under `upstream/NAME`.
    pub fn upstream(&self, name: &str) -> GitRepo {
        let path = self.path().join("upstream").join(name);
        if !path.exists() {
            std::fs::create_dir_all(&path).unwrap();
            let repo = GitRepo {
                path: path.clone(),
                clock: Cell::new(0),
            };
            repo.git(&["init", "-q", "-b", "main"]);
            return repo;
        }
        GitRepo {
            path,
            clock: Cell::new(100),
        }
    }

    /// Text a user sees, with temporary paths and commit ids replaced by
    /// placeholders, in jj's snapshot format.
    pub fn normalize(&self, run: &Run) -> String {
        let mut text = String::new();
        if !run.stdout.is_empty() {
            text.push_str(&run.stdout);
            if !run.stdout.ends_with('\n') {
                text.push('\n');
            }
        }
        if !run.stderr.is_empty() {
            text.push_str("------- stderr -------\n");
            text.push_str(&run.stderr);
            if !run.stderr.ends_with('\n') {
                text.push('\n');
            }
        }
        if run.code != 0 {
            text.push_str(&format!("[exit status: {}]\n", run.code));
        }
        let text = text.replace(&self.path().display().to_string(), "$TEST");
        replace_hex(&text)
    }
}

fn to_run(out: Output) -> Run {
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// Replace runs of 12 or more hex digits (commit ids, short or full) by `[HASH]`.
fn replace_hex(text: &str) -> String {
    let mut out = String::new();
    let mut run = String::new();
    for c in text.chars() {
        if c.is_ascii_hexdigit() {
            run.push(c);
            continue;
        }
        flush_hex(&mut out, &mut run);
        out.push(c);
    }
    flush_hex(&mut out, &mut run);
    out
}

fn flush_hex(out: &mut String, run: &mut String) {
    if run.len() >= 12 && run.chars().any(|c| c.is_ascii_digit()) {
        out.push_str("[HASH]");
    } else {
        out.push_str(run);
    }
    run.clear();
}

/// An upstream git repository driven with the git CLI, with pinned author,
/// committer and dates so that commits are reproducible.
pub struct GitRepo {
    pub path: PathBuf,
    clock: Cell<u32>,
}

impl GitRepo {
    #[track_caller]
    pub fn git(&self, args: &[&str]) -> String {
        let n = self.clock.get();
        self.clock.set(n + 1);
        let date = format!("2024-01-01T00:{:02}:{:02}Z", (n / 60) % 60, n % 60);
        let out = Command::new("git")
            .args(args)
            .current_dir(&self.path)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "Ada Author")
            .env("GIT_AUTHOR_EMAIL", "ada@example.com")
            .env("GIT_COMMITTER_NAME", "Ada Author")
            .env("GIT_COMMITTER_EMAIL", "ada@example.com")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .output()
            .expect("run git");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Write a file (creating folders).
    pub fn write(&self, rel: &str, content: &str) -> &Self {
        let p = self.path.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
        self
    }

    #[allow(dead_code)] // for tests that delete declared files
    pub fn remove(&self, rel: &str) -> &Self {
        std::fs::remove_file(self.path.join(rel)).unwrap();
        self
    }

    /// Replace the work tree's files with those of `fixtures/<dir>`.
    pub fn load_fixture(&self, dir: &str) -> &Self {
        copy_dir(&fixtures().join(dir), &self.path);
        self
    }

    /// Commit everything; returns the full commit id.
    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.head()
    }

    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"])
    }

    pub fn url(&self) -> String {
        self.path.display().to_string()
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in
        std::fs::read_dir(from).unwrap_or_else(|e| panic!("fixture {}: {e}", from.display()))
    {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The most resident memory a gitsync call may reach, in KiB.
pub const MEMORY_CEILING_KIB: u64 = 300 * 1024;

/// What one gitsync call did, with the peak resident memory seen.
#[derive(Debug)]
pub struct MeasuredRun {
    pub run: Run,
    /// The highest VmHWM read from `/proc/<pid>/status` while it ran, in KiB
    /// (0 when it exited before the first look).
    pub peak_kib: u64,
    /// Whether stdout and stderr were valid UTF-8 as written (a raw byte
    /// 0x9B is an 8-bit CSI to a Latin-1 terminal).
    pub utf8: bool,
}

impl TestEnv {
    /// Run gitsync with `extra_env` added, watching its peak resident memory
    /// (VmHWM) until it exits. A call that goes past [`MEMORY_CEILING_KIB`]
    /// is killed at once, so a memory bomb fails the test instead of the
    /// machine. No time is asserted: the loop only waits for the exit.
    pub fn run_measured(&self, args: &[&str], extra_env: &[(&str, &str)]) -> MeasuredRun {
        use std::io::Read;
        use std::process::Stdio;
        let mut cmd = self.command(args);
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn gitsync");
        // Drain both pipes on their own threads so a chatty child never
        // blocks on a full pipe while it is being watched.
        let drain = |mut pipe: Box<dyn Read + Send>| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                pipe.read_to_end(&mut buf).map(|_| buf)
            })
        };
        let out = drain(Box::new(child.stdout.take().unwrap()));
        let err = drain(Box::new(child.stderr.take().unwrap()));
        let status_file = format!("/proc/{}/status", child.id());
        let mut peak_kib = 0;
        let status = loop {
            // Until exec the child shares the test's memory (vfork): only
            // count what the gitsync image itself reached.
            if let Ok(text) = std::fs::read_to_string(&status_file)
                && text.lines().next() == Some("Name:\tgitsync")
            {
                peak_kib = peak_kib.max(vm_kib(&text, "VmHWM:"));
            }
            if peak_kib > MEMORY_CEILING_KIB {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "gitsync {args:?} used {peak_kib} KiB, over the {MEMORY_CEILING_KIB} KiB ceiling"
                );
            }
            match child.try_wait().expect("wait for gitsync") {
                Some(status) => break status,
                None => std::thread::sleep(std::time::Duration::from_millis(2)),
            }
        };
        let stdout = out.join().unwrap().expect("read stdout");
        let stderr = err.join().unwrap().expect("read stderr");
        let utf8 = std::str::from_utf8(&stdout).is_ok() && std::str::from_utf8(&stderr).is_ok();
        MeasuredRun {
            utf8,
            run: to_run(Output {
                status,
                stdout,
                stderr,
            }),
            peak_kib,
        }
    }
}

/// One `VmXxx:   1234 kB` line of /proc/PID/status, in KiB (0 when absent,
/// as for a process that has already exited).
fn vm_kib(status: &str, key: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
