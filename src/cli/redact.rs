//! Errors never repeat an argument that looks like a secret pasted by
//! mistake (key text, a token, a URL with credentials): clap's messages and
//! gitsync's own are both passed through [`Redactor::redact`].

use gitsync::credentials::{Reference, looks_like_secret};
use std::ffi::OsString;

/// What stands in for a secret-looking argument.
const REDACTED: &str = "<redacted>";
/// What is shown instead of a message that would repeat a secret.
pub const HIDDEN: &str = "the message would repeat an argument that looks like a secret, so it is not shown; pass secrets as env:VAR or file:/PATH references";
/// The flags whose values are secrets unless they are references.
const SECRET_FLAGS: [&str; 4] = ["--username", "--password", "--ssh-key", "--ssh-passphrase"];

/// The secret-looking arguments of one command line.
pub struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    pub fn new(args: &[OsString]) -> Redactor {
        let args: Vec<String> = args
            .iter()
            .skip(1)
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let mut secrets = Vec::new();
        let mut after_secret_flag = false;
        for arg in &args {
            let (flag, value) = match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => (flag, value),
                _ => (arg.as_str(), arg.as_str()),
            };
            let secret_value = after_secret_flag || (value != arg && SECRET_FLAGS.contains(&flag));
            after_secret_flag = value == arg && SECRET_FLAGS.contains(&arg.as_str());
            let not_a_reference = !value.is_empty() && Reference::parse(value, flag).is_err();
            if (secret_value && not_a_reference) || looks_like_secret(value) {
                secrets.push(value.to_string());
            }
            if looks_like_secret(arg) {
                secrets.push(arg.clone());
            }
        }
        // Longest first, so that a secret inside another is not half-replaced.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Redactor { secrets }
    }

    /// `text` with every secret-looking argument replaced. Should a part of
    /// one survive (a renderer that quoted or wrapped it), nothing of `text`
    /// is kept but a message that says why.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for secret in &self.secrets {
            out = out.replace(secret.as_str(), REDACTED);
        }
        let survives = self.secrets.iter().any(|secret| {
            secret
                .lines()
                .map(str::trim)
                .filter(|line| line.len() >= 8)
                .any(|line| out.contains(line))
        });
        if survives {
            return HIDDEN.into();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redactor(args: &[&str]) -> Redactor {
        let mut all = vec![OsString::from("gitsync")];
        all.extend(args.iter().map(OsString::from));
        Redactor::new(&all)
    }

    #[test]
    fn secret_values_and_secret_looking_arguments_are_replaced() {
        let r = redactor(&[
            "repo",
            "add",
            "x",
            "https://example.com/r",
            "--password",
            "hunter2",
            "--username=alice",
            "--ref",
            "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
            "--ssh-passphrase",
            "env:PASS",
        ]);
        assert_eq!(
            r.redact("a hunter2, alice, ghp_16C7e42F292c6912E7710c838347Ae178B4a, env:PASS, https://example.com/r"),
            "a <redacted>, <redacted>, <redacted>, env:PASS, https://example.com/r"
        );
        assert!(redactor(&["repo", "list"]).secrets.is_empty());
    }

    #[test]
    fn a_secret_that_survives_replacement_hides_the_whole_message() {
        let key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----";
        let r = redactor(&["repo", "add", key]);
        let quoted = format!("error: unexpected argument {key:?}");
        let shown = r.redact(&quoted);
        assert!(!shown.contains("b3BlbnNzaC1rZXktdjEAAAAA"), "{shown}");
        assert_eq!(shown, HIDDEN);
    }
}
