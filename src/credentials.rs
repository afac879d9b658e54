//! Credentials by reference: a repo stores where a secret is (`env:VAR` or
//! `file:/path`), never the secret itself. References are resolved only when
//! a fetch needs them, and the values they yield never reach a message.

use crate::hostfile;
use std::fmt;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Where a secret is: an environment variable or a file holding it.
#[derive(Clone, PartialEq, Eq)]
pub enum Reference {
    Env(String),
    File(PathBuf),
}

/// A resolved secret. It has no `Display`, its `Debug` hides the value, and
/// the memory holding it is wiped when it is dropped.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

/// Why a reference cannot be used. No variant ever carries a secret value:
/// a malformed reference may be a secret pasted by mistake, so it is not
/// repeated either.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error(
        "{flag} takes a reference to a secret, env:VAR or file:/absolute/path, not the secret itself (the value is not shown)"
    )]
    Malformed { flag: String },
    #[error("credential reference '{reference}' does not resolve: {reason}")]
    Unresolved { reference: String, reason: String },
}

impl Reference {
    /// Parse `env:VAR` or `file:/absolute/path`; `flag` names the option in errors.
    pub fn parse(text: &str, flag: &str) -> Result<Reference, CredentialError> {
        let malformed = || CredentialError::Malformed { flag: flag.into() };
        if let Some(var) = text.strip_prefix("env:") {
            let mut chars = var.chars();
            let first_ok = chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
            if first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Ok(Reference::Env(var.to_string()));
            }
            return Err(malformed());
        }
        if let Some(path) = text.strip_prefix("file:") {
            // Relative paths would resolve against whatever folder cron starts in.
            if Path::new(path).is_absolute() {
                return Ok(Reference::File(PathBuf::from(path)));
            }
            return Err(malformed());
        }
        Err(malformed())
    }

    /// The secret, with one trailing line break removed (files written by
    /// `echo` end in one). An empty secret does not resolve.
    pub fn resolve(&self) -> Result<Secret, CredentialError> {
        let mut value = self.resolve_raw()?;
        let text = &mut *value.0;
        if text.ends_with('\n') {
            text.pop();
            if text.ends_with('\r') {
                text.pop();
            }
        }
        if text.is_empty() {
            return Err(self.unresolved("it is empty".into()));
        }
        Ok(value)
    }

    /// The secret exactly as stored (key material keeps its line breaks).
    pub fn resolve_raw(&self) -> Result<Secret, CredentialError> {
        let value = match self {
            Reference::Env(var) => match std::env::var(var) {
                Ok(v) => v,
                Err(std::env::VarError::NotPresent) => {
                    return Err(self.unresolved(format!("environment variable {var} is not set")));
                }
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(
                        self.unresolved(format!("environment variable {var} is not valid UTF-8"))
                    );
                }
            },
            Reference::File(path) => {
                let bytes = Zeroizing::new(
                    hostfile::read(path, hostfile::MAX_CREDENTIAL)
                        .map_err(|e| self.unresolved(e.to_string()))?,
                );
                match std::str::from_utf8(&bytes) {
                    Ok(text) => text.to_string(),
                    Err(_) => {
                        return Err(
                            self.unresolved(format!("{} is not valid UTF-8 text", path.display()))
                        );
                    }
                }
            }
        };
        if value.trim().is_empty() {
            return Err(self.unresolved("it is empty".into()));
        }
        Ok(Secret(Zeroizing::new(value)))
    }

    fn unresolved(&self, reason: String) -> CredentialError {
        CredentialError::Unresolved {
            reference: self.to_string(),
            reason,
        }
    }
}

/// Prefixes of well-known token formats (GitHub, GitLab, Slack, AWS, npm,
/// PyPI, Hugging Face, OpenAI, Bitbucket).
const TOKEN_PREFIXES: [&str; 18] = [
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "gldt-",
    "glrt-",
    "xoxb-",
    "xoxp-",
    "AKIA",
    "ASIA",
    "npm_",
    "pypi-",
    "hf_",
    "sk-",
    "ATBB",
];

/// Whether a command-line argument looks like secret material pasted by
/// mistake: key text, a known token format, a URL with credentials in it,
/// or a long random-looking word. Such an argument is never repeated in an
/// error. A valid reference (`env:VAR`, `file:/path`) is not secret.
pub fn looks_like_secret(arg: &str) -> bool {
    if Reference::parse(arg, "").is_ok() {
        return false;
    }
    if arg.contains("-----BEGIN") || arg.contains("PRIVATE KEY") {
        return true;
    }
    if crate::validate::carries_credentials(arg) {
        return true;
    }
    let is_token_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-');
    for prefix in TOKEN_PREFIXES {
        for (at, _) in arg.match_indices(prefix) {
            let boundary = arg[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_ascii_alphanumeric());
            let body = arg[at + prefix.len()..]
                .chars()
                .take_while(|c| is_token_char(*c))
                .count();
            if boundary && body >= 16 {
                return true;
            }
        }
    }
    // Paths and command lines have long words too; a commit pin is no secret.
    if arg.contains('/') || arg.chars().any(char::is_whitespace) || arg.starts_with("commit:") {
        return false;
    }
    arg.split(|c: char| !c.is_ascii_alphanumeric())
        .any(looks_random)
}

/// A word of 12 or more letters and digits that switches between letters
/// and digits at least 5 times ("7d41c0ffee9b2aa1", not "fleet2024prod01").
fn looks_random(word: &str) -> bool {
    if word.len() < 12 {
        return false;
    }
    let switches = word
        .as_bytes()
        .windows(2)
        .filter(|w| w[0].is_ascii_digit() != w[1].is_ascii_digit())
        .count();
    switches >= 5
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reference::Env(var) => write!(f, "env:{var}"),
            Reference::File(path) => write!(f, "file:{}", path.display()),
        }
    }
}

/// A reference is not secret: show it as written.
impl fmt::Debug for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Secret {
    /// Wrap a value that is already in memory (tests, callbacks).
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(Zeroizing::new(value.into()))
    }

    /// The value, for the one place that hands it to a transport.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse_and_malformed_ones_are_not_echoed() {
        assert_eq!(
            Reference::parse("env:GH_TOKEN", "--password").unwrap(),
            Reference::Env("GH_TOKEN".into())
        );
        assert_eq!(
            Reference::parse("file:/run/secrets/t", "--password").unwrap(),
            Reference::File("/run/secrets/t".into())
        );
        for bad in [
            "ghp_secret123",
            "env:",
            "env:1X",
            "env:A-B",
            "file:rel/path",
            "",
        ] {
            let err = Reference::parse(bad, "--password").unwrap_err().to_string();
            assert!(err.contains("--password"), "{err}");
        }
        // What was given may be the secret itself: it is not repeated.
        let err = Reference::parse("ghp_secret123", "--password").unwrap_err();
        assert!(!err.to_string().contains("ghp_secret123"), "{err}");
    }

    #[test]
    fn arguments_that_look_like_secrets_are_recognised() {
        for secret in [
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n",
            "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
            "--ref=glpat-abcdefghijklmnopqrst",
            "tok-7d41c0ffee9b2aa1-planted",
            "pass-5e7a11ce0ddba11-planted",
            "dG9rZW4tc2VjcmV0LXZhbHVl",
            "https://user:hunter2@example.com/r.git",
            "deploy:hunter2@example.com:org/r.git",
            "https:/hunter2@example.com/r.git",
        ] {
            assert!(looks_like_secret(secret), "{secret}");
        }
        for plain in [
            "env:GH_TOKEN",
            "file:/run/secrets/tok-7d41c0ffee9b2aa1",
            "fleet2024prod01",
            "node-red-contrib-huemagic",
            "https://example.com/org/r.git",
            "git@example.com:org/r.git",
            "commit:0123456789abcdef0123456789abcdef01234567",
            "/srv/backups/7d41c0ffee9b2aa1",
            "task-runner-with-a-long-name",
            "module=sh -c 'exit 1'",
            "main",
        ] {
            assert!(!looks_like_secret(plain), "{plain}");
        }
    }

    #[test]
    fn files_resolve_without_their_trailing_newline_and_errors_name_the_reference() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "s3cret-value\r\n").unwrap();
        let r = Reference::File(path.clone());
        assert_eq!(r.resolve().unwrap().expose(), "s3cret-value");
        assert_eq!(r.resolve_raw().unwrap().expose(), "s3cret-value\r\n");
        assert!(!format!("{:?}", r.resolve().unwrap()).contains("s3cret"));

        std::fs::write(&path, "\n").unwrap();
        let err = r.resolve().unwrap_err().to_string();
        assert!(err.contains("it is empty"), "{err}");
        let missing = Reference::File(dir.path().join("nope"));
        let err = missing.resolve().unwrap_err().to_string();
        assert!(
            err.contains("file:") && err.contains("no such file"),
            "{err}"
        );
        let unset = Reference::Env("GITSYNC_TEST_SURELY_UNSET_VAR".into());
        let err = unset.resolve().unwrap_err().to_string();
        assert_eq!(
            err,
            "credential reference 'env:GITSYNC_TEST_SURELY_UNSET_VAR' does not resolve: environment variable GITSYNC_TEST_SURELY_UNSET_VAR is not set"
        );
    }
}
