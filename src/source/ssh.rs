//! The system `ssh` client for gitsync's ssh transport. Each connection gets a
//! private temporary folder (0700) holding the askpass helper, key material
//! that came from an environment variable (0600), and ssh's own messages;
//! [`Session::command`] points ssh at them. The folder is deleted on drop.

use super::{SshAuth, SshKey};
use crate::credentials::Reference;
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Options every ssh invocation gets: never prompt, never trust an unknown
/// host key, never hang on a dead network.
const ALWAYS: &[&str] = &[
    "StrictHostKeyChecking=yes",
    "UpdateHostKeys=no",
    "PasswordAuthentication=no",
    "KbdInteractiveAuthentication=no",
    "ConnectTimeout=10",
    "ServerAliveInterval=15",
    "ServerAliveCountMax=4",
];

/// What went wrong, read from ssh's messages after a failed connection.
pub(super) enum Problem {
    HostKeyUnknown(String),
    HostKeyChanged(String),
    AuthRefused(String),
    Unreachable(String),
    Other(String),
}

/// One ssh connection's private folder and the options that use it.
pub(super) struct Session {
    dir: tempfile::TempDir,
    env: Vec<(&'static str, PathBuf)>,
    args: Vec<String>,
    known_hosts: String,
}

impl Session {
    pub(super) fn new(auth: &SshAuth) -> std::io::Result<Session> {
        // tempfile creates folders with mode 0700.
        let dir = crate::process::private_temp_dir("gitsync-ssh-")?;
        let mut env = Vec::new();
        let mut args: Vec<String> = Vec::new();
        let mut option = |o: &str| {
            args.push("-o".into());
            args.push(o.into());
        };
        for o in ALWAYS {
            option(o);
        }
        let known_hosts = match &auth.known_hosts {
            Some(path) => {
                // A pinned file is the only source of trusted host keys.
                option(&format!("UserKnownHostsFile={}", path.display()));
                option("GlobalKnownHostsFile=/dev/null");
                path.display().to_string()
            }
            None => "~/.ssh/known_hosts".to_string(),
        };
        if let Some(reference) = &auth.passphrase {
            // BatchMode would stop ssh from asking for the passphrase at
            // all, so it is off here; password and keyboard-interactive
            // logins are off above, and the helper answers nothing but the
            // key's passphrase prompt.
            let helper = dir.path().join("askpass");
            write_private(&helper, askpass_script(reference).as_bytes(), 0o700)?;
            env.push(("SSH_ASKPASS", helper));
            env.push(("SSH_ASKPASS_REQUIRE", PathBuf::from("force")));
            option("BatchMode=no");
            option("NumberOfPasswordPrompts=1");
            option("PreferredAuthentications=publickey");
        } else {
            option("BatchMode=yes");
        }
        if let Some(key) = &auth.key {
            let path = match key {
                SshKey::File(path) => path.clone(),
                SshKey::Material(secret) => {
                    let path = dir.path().join("key");
                    let mut material = secret.expose().as_bytes().to_vec();
                    // OpenSSH refuses a key file without a final newline.
                    if !material.ends_with(b"\n") {
                        material.push(b'\n');
                    }
                    let written = write_private(&path, &material, 0o600);
                    zeroize::Zeroize::zeroize(&mut material);
                    written?;
                    path
                }
            };
            args.push("-i".into());
            args.push(path.display().to_string());
            args.push("-o".into());
            args.push("IdentitiesOnly=yes".into());
        }
        Ok(Session {
            dir,
            env,
            args,
            known_hosts,
        })
    }

    /// `ssh` with this session's options and environment (which name files
    /// and variables, never a secret), its messages appended to the
    /// session's log for [`Session::problem`]. No shell is involved.
    pub(super) fn command(&self) -> std::io::Result<Command> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(self.dir.path().join("ssh.log"))?;
        let mut command = Command::new("ssh");
        command
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stderr(log);
        Ok(command)
    }

    /// Read ssh's messages and say what went wrong, if anything was said.
    pub(super) fn problem(&self) -> Option<Problem> {
        let text = std::fs::read(self.dir.path().join("ssh.log")).ok()?;
        let text = String::from_utf8_lossy(&text[..text.len().min(64 * 1024)]).into_owned();
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("@@@"))
            .collect();
        let find = |needle: &str| lines.iter().find(|l| l.contains(needle)).copied();
        if find("REMOTE HOST IDENTIFICATION HAS CHANGED").is_some() {
            return Some(Problem::HostKeyChanged(format!(
                "the server's host key differs from the one pinned in {}: this may be an attack; if the key really changed, replace its entry there",
                self.known_hosts
            )));
        }
        if let Some(line) =
            find("host key is known for").or_else(|| find("Host key verification failed"))
        {
            return Some(Problem::HostKeyUnknown(format!(
                "{line} (no host key for it in {}: check the server's fingerprint, then add it, e.g. with ssh-keyscan)",
                self.known_hosts
            )));
        }
        if let Some(line) = find("Permission denied") {
            return Some(Problem::AuthRefused(format!(
                "{line} (check --ssh-key and --ssh-passphrase, and that the key is authorized on the server)"
            )));
        }
        if let Some(line) = find("Load key").filter(|l| l.contains("bad permissions")) {
            return Some(Problem::AuthRefused(line.to_string()));
        }
        let network = [
            "Connection refused",
            "Connection timed out",
            "timed out",
            "Could not resolve hostname",
            "No route to host",
            "Network is unreachable",
            "Connection closed by",
            "Connection reset",
            "kex_exchange_identification",
        ];
        if let Some(line) = network.iter().find_map(|n| find(n)) {
            return Some(Problem::Unreachable(line.to_string()));
        }
        if let Some(line) = find("not found").filter(|l| l.contains("ssh")) {
            return Some(Problem::Unreachable(format!(
                "{line}: install the OpenSSH client ('ssh')"
            )));
        }
        lines.last().map(|l| Problem::Other((*l).to_string()))
    }
}

/// A helper that prints the passphrase from where the reference points,
/// and only for ssh's "Enter passphrase for key" prompt: the value is never
/// copied into the helper, a command line or the environment.
fn askpass_script(reference: &Reference) -> String {
    let print = match reference {
        Reference::Env(var) => format!("printf '%s\\n' \"${var}\""),
        Reference::File(path) => format!("exec cat -- {}", quote(path)),
    };
    format!(
        "#!/bin/sh\n# gitsync: answers ssh's key passphrase prompt, nothing else.\ncase \"$1\" in\n  \"Enter passphrase for\"*) ;;\n  *) exit 1 ;;\nesac\n{print}\n"
    )
}

fn quote(path: &Path) -> String {
    shell_words::quote(&path.display().to_string()).into_owned()
}

/// Create `path` (it must not exist) with `mode` and write `bytes`.
fn write_private(path: &PathBuf, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
