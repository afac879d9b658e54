//! Running a host-configured command (an apply hook, a compile command)
//! without a shell, under a timeout, with its output captured and bounded.
// Times, sizes and counters here come from settings and hostile input:
// every operation is checked or saturating.
#![deny(clippy::arithmetic_side_effects)]

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

/// Bytes of stderr kept (the tail) for error messages.
const STDERR_KEEP: usize = 64 * 1024;
/// How long to wait for output after the command ended: a process it
/// started may still hold the pipes open.
const GRACE: Duration = Duration::from_secs(2);

/// What a finished (or stopped) command left behind.
#[derive(Debug)]
pub struct Finished {
    /// `None` when the command ran past the timeout and was killed.
    pub status: Option<ExitStatus>,
    /// At most `max_stdout + 1` bytes, so that a caller can tell it overflowed.
    pub stdout: Vec<u8>,
    /// Whether stdout went past `max_stdout` (with [`Overflow::Stop`], the
    /// command was stopped there).
    pub overflowed: bool,
    /// The tail of stderr.
    pub stderr: Vec<u8>,
}

impl Finished {
    pub fn success(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }

    /// "exited with status 3", "was killed by a signal" or "timed out after 5 s".
    pub fn describe(&self, timeout: Duration) -> String {
        match self.status {
            None => format!(
                "timed out after {} s and was stopped",
                timeout.as_secs_f64()
            ),
            Some(s) => match s.code() {
                Some(code) => format!("exited with status {code}"),
                None => "was killed by a signal".to_string(),
            },
        }
    }
}

/// What to do with a command whose stdout goes past its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overflow {
    /// Keep it running and drain the rest (a hook's output is only shown).
    Drain,
    /// Stop it at once: its output is refused anyway, and output that never
    /// ends (`yes`) would otherwise run, and burn a core, until the timeout.
    Stop,
}

/// Run `cmd` with `stdin` (or none), collecting stdout (up to `max_stdout`
/// bytes kept; past that, see [`Overflow`]) and the tail of stderr; kill it
/// after `timeout`.
pub fn run(
    cmd: Command,
    stdin: Option<Vec<u8>>,
    timeout: Duration,
    max_stdout: u64,
    overflow: Overflow,
) -> Result<Finished, String> {
    let mut cmd = dies_with_us(cmd)?;
    // Its own process group, so that a timeout stops whatever it started too.
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| format!("cannot start: {e}"))?;
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        // A command that does not read its stdin must not block us.
        std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        });
    }
    let overflowed = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&overflowed);
    let stdout = read_in_background(child.stdout.take(), move |mut r| {
        let mut out = Vec::new();
        (&mut r)
            .take(max_stdout.saturating_add(1))
            .read_to_end(&mut out)?;
        if out.len() as u64 > max_stdout {
            flag.store(true, Ordering::SeqCst);
            if overflow == Overflow::Stop {
                return Ok(out);
            }
        }
        std::io::copy(&mut r, &mut std::io::sink())?;
        Ok(out)
    });
    let stderr = read_in_background(child.stderr.take(), |mut r| {
        let mut kept = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            let n = r.read(&mut chunk)?;
            if n == 0 {
                return Ok(kept);
            }
            kept.extend_from_slice(&chunk[..n]);
            if kept.len() > 2 * STDERR_KEEP {
                kept.drain(..kept.len().saturating_sub(STDERR_KEEP));
            }
        }
    });
    // Settings are bounded (a day at most), but never let a deadline overflow.
    let started = Instant::now();
    let deadline = started
        .checked_add(timeout)
        .or_else(|| started.checked_add(Duration::from_secs(86_400)))
        .unwrap_or(started);
    let status = loop {
        match child
            .try_wait()
            .map_err(|e| format!("cannot wait for it: {e}"))?
        {
            Some(status) => {
                // What it left running in its group (a daemonised child that
                // holds the pipes open) ends with it: nothing outlives the
                // command, and its output is complete at once.
                kill_group(child.id());
                break Some(status);
            }
            None if crate::interrupt::requested().is_some() => {
                kill_group(child.id());
                let _ = child.kill();
                let _ = child.wait();
                return Err(crate::interrupt::check().unwrap_err());
            }
            None if overflow == Overflow::Stop && overflowed.load(Ordering::SeqCst) => {
                kill_group(child.id());
                let _ = child.kill();
                break child.wait().ok();
            }
            None if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            None => {
                kill_group(child.id());
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    Ok(Finished {
        status,
        overflowed: overflowed.load(Ordering::SeqCst),
        stdout: stdout.recv_timeout(GRACE).unwrap_or_default(),
        stderr: stderr.recv_timeout(GRACE).unwrap_or_default(),
    })
}

/// The first argument that makes the gitsync executable act as the guard
/// of a host command ([`guard_main`]) instead of parsing a command line.
pub const GUARD_ARG: &str = "__gitsync-command-guard";

static GUARD_EXE: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// Start host commands through `exe` (the gitsync executable), which
/// guards them with [`guard_main`]. The command line sets this at start; a
/// library user that does not falls back to `setpriv`, where installed.
pub fn use_guard(exe: std::path::PathBuf) {
    let _ = GUARD_EXE.set(exe);
}

/// The guard, run as `gitsync __gitsync-command-guard PID PROGRAM ARGS...`
/// in the child gitsync spawns (a process-group leader): it asks the kernel
/// for a SIGTERM when its parent dies, checks that the parent is still
/// gitsync (process `PID`), then runs PROGRAM as its child and waits. If
/// gitsync dies, the guard ends the whole group, so neither the command nor
/// anything it started outlives gitsync, and a command can never start
/// after gitsync died (the race a `setpriv` wrapper leaves open between
/// fork and its prctl). The guard exits with the command's status (128 + N
/// for a command killed by signal N).
pub fn guard_main(args: &[std::ffi::OsString]) -> std::process::ExitCode {
    use std::os::unix::process::ExitStatusExt;
    use std::process::ExitCode;
    let Some((parent, rest)) = args.split_first() else {
        return ExitCode::from(125);
    };
    let Some((program, program_args)) = rest.split_first() else {
        return ExitCode::from(125);
    };
    // SIGTERM, not SIGKILL, when gitsync dies: the guard stays to end the
    // command's whole process group, grandchildren included.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for signal in [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGHUP,
    ] {
        if signal_hook::flag::register(signal, stop.clone()).is_err() {
            return ExitCode::from(125);
        }
    }
    if rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::TERM))
        .is_err()
    {
        return ExitCode::from(125);
    }
    let expected = parent.to_str().and_then(|p| p.parse::<i32>().ok());
    let actual = rustix::process::getppid().map(rustix::process::Pid::as_raw_nonzero);
    if expected.is_none() || actual.map(|p| p.get()) != expected {
        // gitsync is gone: whatever it meant to hand over is lost, and
        // nobody would record what the command did.
        return ExitCode::from(125);
    }
    // The command runs as the guard's child in the guard's process group
    // (gitsync made the guard a group leader).
    let mut child = match Command::new(program).args(program_args).spawn() {
        Ok(child) => child,
        Err(err) => {
            let _ = writeln!(
                std::io::stderr(),
                "cannot start {}: {err}",
                crate::text::escape_line(&program.to_string_lossy())
            );
            return ExitCode::from(127);
        }
    };
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                let code = status
                    .code()
                    .or_else(|| status.signal().map(|s| s.saturating_add(128)))
                    .unwrap_or(1);
                return ExitCode::from(u8::try_from(code).unwrap_or(1));
            }
            Ok(None) if stop.load(std::sync::atomic::Ordering::SeqCst) => {
                // gitsync died or was stopped: nothing of the command may
                // go on. This ends the guard too.
                let _ = rustix::process::kill_process_group(
                    rustix::process::getpgrp(),
                    rustix::process::Signal::KILL,
                );
                let _ = child.kill();
                return ExitCode::from(137);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(_) => return ExitCode::from(125),
        }
    }
}

/// Where util-linux's `setpriv` is: the fallback guard when no gitsync
/// executable was named with [`use_guard`].
const SETPRIV: &str = "/usr/bin/setpriv";

/// The same command, run so that it is killed if gitsync dies first (a
/// SIGKILL, the OOM killer, `timeout` around a cron job) and never starts
/// once gitsync is gone: a hook must not finish an outside change that
/// gitsync can no longer record. Through the gitsync executable's guard
/// ([`guard_main`]); else `setpriv --pdeathsig KILL` where it is installed.
fn dies_with_us(cmd: Command) -> Result<Command, String> {
    // An executable replaced while gitsync runs (an upgrade) is no guard.
    let guard = GUARD_EXE.get().filter(|exe| exe.is_file());
    if guard.is_none() && !Path::new(SETPRIV).exists() {
        return Ok(cmd);
    }
    let program = cmd.get_program();
    // A missing program is reported as such, not as the guard's exit status.
    if resolve(program).is_none() {
        return Err(format!(
            "cannot start: {} not found",
            program.to_string_lossy()
        ));
    }
    let mut wrapped = match guard {
        Some(exe) => {
            let mut c = Command::new(exe);
            c.arg(GUARD_ARG).arg(std::process::id().to_string());
            c
        }
        None => {
            let mut c = Command::new(SETPRIV);
            c.args(["--pdeathsig", "KILL", "--"]);
            c
        }
    };
    wrapped.arg(program).args(cmd.get_args());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(value) => wrapped.env(key, value),
            None => wrapped.env_remove(key),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        wrapped.current_dir(dir);
    }
    Ok(wrapped)
}

/// The executable a program name stands for: a path as it is, a bare name
/// looked up in `PATH`.
fn resolve(program: &std::ffi::OsStr) -> Option<std::path::PathBuf> {
    let path = Path::new(program);
    if path.components().count() > 1 {
        return path.is_file().then(|| path.to_path_buf());
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// Kill a process group (its leader's id); the caller kills the leader
/// itself as a fallback.
fn kill_group(leader: u32) {
    if let Some(pid) = i32::try_from(leader)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
}

/// Keep the named variables (credential references of the repos: `env:VAR`)
/// out of a host command's environment: a compile command may run
/// repository code, and no hook needs another repo's token. git and curl
/// trace settings go too: a hook that runs `git push` under
/// `GIT_CURL_VERBOSE=1` would print its `Authorization` header, and the
/// tail of a hook's stderr is kept in the state file.
pub fn scrub(cmd: &mut Command, vars: &[String]) {
    for var in vars {
        cmd.env_remove(var);
    }
    for (name, _) in std::env::vars_os() {
        if is_trace_variable(&name.to_string_lossy()) {
            cmd.env_remove(name);
        }
    }
}

/// git's and curl's trace switches: `GIT_TRACE*` (`GIT_TRACE`,
/// `GIT_TRACE_CURL`, `GIT_TRACE_PACKET`, `GIT_TRACE2*`, `GIT_TRACE_REDACT`…)
/// and `GIT_CURL_VERBOSE`. Each can print credentials or protocol data.
pub fn is_trace_variable(name: &str) -> bool {
    name.starts_with("GIT_TRACE") || name == "GIT_CURL_VERBOSE"
}

/// A private (0700) temporary folder for this process, named
/// `PREFIX<pid>-…` in the temp dir, made after removing the folders of that
/// prefix that processes now gone left behind: a SIGKILLed gitsync cannot
/// clean up its ssh key copies or the files it handed to compile commands,
/// so the next one does.
pub fn private_temp_dir(prefix: &'static str) -> std::io::Result<tempfile::TempDir> {
    for known in TEMP_PREFIXES {
        sweep_temp(known);
    }
    debug_assert!(TEMP_PREFIXES.contains(&prefix));
    let mut builder = tempfile::Builder::new();
    let own = format!("{prefix}{}-", std::process::id());
    builder.prefix(&own);
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
    builder.tempdir()
}

/// Every prefix [`private_temp_dir`] is used with: each sweep clears them all.
const TEMP_PREFIXES: [&str; 2] = ["gitsync-ssh-", "gitsync-compile-"];

fn sweep_temp(prefix: &str) {
    use std::os::unix::fs::MetadataExt;
    let me = rustix::process::geteuid().as_raw();
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(prefix)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        let mine = entry.metadata().is_ok_and(|m| m.is_dir() && m.uid() == me);
        if mine && pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Read a pipe to its end on a thread; the receiver gets the bytes (empty
/// on a read error).
fn read_in_background<R: Read + Send + 'static>(
    pipe: Option<R>,
    read: impl FnOnce(R) -> std::io::Result<Vec<u8>> + Send + 'static,
) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    if let Some(pipe) = pipe {
        std::thread::spawn(move || {
            let _ = tx.send(read(pipe).unwrap_or_default());
        });
    }
    rx
}

/// The last `n` non-empty lines, joined with " | " to fit on one line.
pub fn last_lines(text: &[u8], n: usize) -> String {
    let text = String::from_utf8_lossy(text);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines[lines.len().saturating_sub(n)..].join(" | ")
}

/// A stable 64-bit FNV-1a hash of `parts` (std's hasher may change between
/// releases), for cache and mirror names.
pub fn fnv1a(parts: &[&str]) -> u64 {
    parts.iter().fold(0xcbf29ce484222325, |h, part| {
        part.bytes()
            .chain(std::iter::once(0))
            .fold(h, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100000001b3))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_that_hangs_is_killed() {
        let mut cmd = Command::new("sleep");
        cmd.arg("30");
        let done = run(cmd, None, Duration::from_millis(200), 1024, Overflow::Drain).unwrap();
        assert!(done.status.is_none());
        assert!(
            done.describe(Duration::from_millis(200))
                .starts_with("timed out")
        );
    }

    #[test]
    fn a_timeout_stops_what_the_command_started_too() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("survived");
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(format!("(sleep 1; touch {}) & sleep 30", marker.display()));
        let done = run(cmd, None, Duration::from_millis(200), 1024, Overflow::Drain).unwrap();
        assert!(done.status.is_none());
        std::thread::sleep(Duration::from_millis(1500));
        assert!(
            !marker.exists(),
            "a process the command started outlived the timeout"
        );
    }

    #[test]
    fn a_command_dies_with_its_parent() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("finished");
        // A parent shell runs the command through `run`'s wrapping and is
        // killed half way; the command must not finish after it.
        let mut inner = Command::new("sh");
        inner
            .arg("-c")
            .arg(format!("sleep 1; touch {}", marker.display()));
        let wrapped = dies_with_us(inner).unwrap();
        let mut line = vec![wrapped.get_program().to_string_lossy().into_owned()];
        line.extend(
            wrapped
                .get_args()
                .map(|a| format!("'{}'", a.to_string_lossy())),
        );
        let mut parent = Command::new("sh")
            .arg("-c")
            .arg(format!("{} & sleep 0.3; kill -9 $$", line.join(" ")))
            .spawn()
            .unwrap();
        parent.wait().unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        if Path::new(SETPRIV).exists() {
            assert!(!marker.exists(), "the command outlived its parent");
        }
    }

    #[test]
    fn a_missing_program_is_named() {
        let err = run(
            Command::new("no-such-program-here"),
            None,
            Duration::from_secs(1),
            10,
            Overflow::Drain,
        )
        .unwrap_err();
        assert!(err.contains("no-such-program-here"), "{err}");
    }

    #[test]
    fn output_is_bounded_and_stderr_keeps_its_tail() {
        let mut cmd = Command::new("sh");
        cmd.args([
            "-c",
            "head -c 5000 /dev/zero; for i in 1 2 3 4 5 6 7; do echo line$i >&2; done; exit 3",
        ]);
        let done = run(
            cmd,
            Some(b"ignored".to_vec()),
            Duration::from_secs(10),
            100,
            Overflow::Drain,
        )
        .unwrap();
        assert_eq!(done.stdout.len(), 101);
        assert_eq!(
            done.describe(Duration::from_secs(10)),
            "exited with status 3"
        );
        assert_eq!(
            last_lines(&done.stderr, 5),
            "line3 | line4 | line5 | line6 | line7"
        );
    }

    // Guards: output that never ends ran, burning a core, until the
    // timeout (60 s for compile commands) before it was refused.
    #[test]
    fn endless_output_is_stopped_at_the_limit() {
        let mut cmd = Command::new("yes");
        cmd.arg("{}");
        let done = run(cmd, None, Duration::from_secs(600), 1000, Overflow::Stop).unwrap();
        assert!(done.overflowed);
        assert_eq!(done.stdout.len(), 1001);
        assert!(
            done.status.is_some(),
            "stopped for its output, not timed out"
        );
    }
}
