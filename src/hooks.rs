//! Apply hooks: host-configured commands that carry an applied change to the
//! world outside the state file. A hook runs without a shell, gets the change
//! as JSON on stdin and `GITSYNC_*` variables, and must finish in time; a
//! failure rolls the apply back.
// Times, sizes and counters here come from settings and hostile input:
// every operation is checked or saturating.
#![deny(clippy::arithmetic_side_effects)]

use crate::apply::ApplyHook;
use crate::process;
use crate::store::Proposal;
use serde_json::json;
use std::process::Command;
use std::time::Duration;

/// Default time a hook may run.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);
/// How many trailing lines of stderr become the failure reason.
const REASON_LINES: usize = 5;

/// The hooks of one repo: `(KIND or "*", COMMAND)` pairs.
#[derive(Debug, Clone)]
pub struct HookRunner {
    hooks: Vec<(String, Vec<String>)>,
    timeout: Duration,
    /// Credential variables kept out of the hooks' environment.
    scrub: Vec<String>,
}

/// Parse `KIND=COMMAND` into its kind and argv (split like a shell would,
/// without expansion).
pub fn parse_spec(spec: &str) -> Result<(String, Vec<String>), String> {
    let (kind, command) = spec
        .split_once('=')
        .ok_or_else(|| format!("'{spec}' is not KIND=COMMAND"))?;
    let kind = kind.trim();
    if kind.is_empty() {
        return Err(format!(
            "'{spec}' has no kind before '='; use * for any kind"
        ));
    }
    let argv = shell_words::split(command)
        .map_err(|e| format!("cannot split the command of '{spec}': {e}"))?;
    if argv.is_empty() {
        return Err(format!("'{spec}' has an empty command"));
    }
    Ok((kind.to_string(), argv))
}

impl HookRunner {
    pub fn new(specs: &[(String, String)], timeout: Duration) -> Result<HookRunner, String> {
        let mut hooks = Vec::new();
        for (kind, command) in specs {
            let (kind, argv) = parse_spec(&format!("{kind}={command}"))?;
            hooks.push((kind, argv));
        }
        Ok(HookRunner {
            hooks,
            timeout,
            scrub: Vec::new(),
        })
    }

    /// Keep these variables (the repos' `env:` credentials) from the hooks.
    pub fn scrubbing(mut self, vars: Vec<String>) -> HookRunner {
        self.scrub = vars;
        self
    }

    pub fn is_empty(&self) -> bool {
        self.hooks.is_empty()
    }

    fn matching(&self, kind: &str) -> impl Iterator<Item = &Vec<String>> {
        self.hooks
            .iter()
            .filter(move |(k, _)| k == kind || k == "*")
            .map(|(_, argv)| argv)
    }
}

impl ApplyHook for HookRunner {
    fn run(&self, p: &Proposal) -> Result<String, String> {
        let input = json!({
            "proposal": p.id,
            "repo": p.repo,
            "namespace": p.key.namespace,
            "kind": p.key.kind,
            "name": p.key.name,
            "change": p.change.as_str(),
            "commit": p.commit,
            "source_path": p.source_path,
            "base": p.base,
            "desired": p.desired,
        });
        let mut output = String::new();
        for argv in self.matching(&p.key.kind) {
            let envs = [
                ("GITSYNC_REPO", p.repo.as_str()),
                ("GITSYNC_NAMESPACE", p.key.namespace.as_str()),
                ("GITSYNC_KIND", p.key.kind.as_str()),
                ("GITSYNC_NAME", p.key.name.as_str()),
                ("GITSYNC_CHANGE", p.change.as_str()),
                ("GITSYNC_COMMIT", p.commit.as_str()),
            ];
            let mut cmd = Command::new(&argv[0]);
            process::scrub(&mut cmd, &self.scrub);
            cmd.args(&argv[1..])
                .envs(envs)
                .env("GITSYNC_PROPOSAL", p.id.to_string());
            let out = run_with_timeout(cmd, input.to_string().as_bytes(), self.timeout)
                .map_err(|e| format!("apply hook '{}': {e}", argv[0]))?;
            output.push_str(&out);
        }
        Ok(output)
    }
}

/// Bytes of hook stdout kept for `proposals show`.
const MAX_OUTPUT: u64 = 64 * 1024;

/// Run a hook with `stdin` and `timeout`. Returns what it printed on
/// success; on failure, how it ended and the last lines of its stderr.
pub fn run_with_timeout(cmd: Command, stdin: &[u8], timeout: Duration) -> Result<String, String> {
    let done = process::run(
        cmd,
        Some(stdin.to_vec()),
        timeout,
        MAX_OUTPUT,
        process::Overflow::Drain,
    )?;
    let tail = process::last_lines(&done.stderr, REASON_LINES);
    if done.success() {
        let mut out = String::from_utf8_lossy(&done.stdout).into_owned();
        out.push_str(&String::from_utf8_lossy(&done.stderr));
        return Ok(out);
    }
    let how = match done.status {
        None => format!("timed out after {}s", timeout.as_secs()),
        Some(_) => done.describe(timeout),
    };
    Err(if tail.is_empty() {
        how
    } else {
        format!("{how}: {tail}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_split_like_a_shell_without_expansion() {
        let (kind, argv) = parse_spec("module=/bin/echo '$HOME' \"a b\" *").unwrap();
        assert_eq!(kind, "module");
        assert_eq!(argv, ["/bin/echo", "$HOME", "a b", "*"]);
        assert!(parse_spec("nocommand").is_err());
        assert!(parse_spec("=x").is_err());
        assert!(parse_spec("k=").is_err());
    }

    #[test]
    fn a_hook_that_hangs_is_killed() {
        let mut cmd = Command::new("sleep");
        cmd.arg("30");
        let err = run_with_timeout(cmd, b"", Duration::from_millis(200)).unwrap_err();
        assert!(err.starts_with("timed out"), "{err}");
    }

    #[test]
    fn failure_reason_is_the_tail_of_stderr() {
        let mut cmd = Command::new("sh");
        cmd.args([
            "-c",
            "cat >/dev/null; for i in 1 2 3 4 5 6 7; do echo line$i >&2; done; exit 3",
        ]);
        let err = run_with_timeout(cmd, b"{}", Duration::from_secs(10)).unwrap_err();
        assert_eq!(
            err,
            "exited with status 3: line3 | line4 | line5 | line6 | line7"
        );
    }
}
