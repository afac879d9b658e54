//! The `--ref` syntax: a branch name, `tag:NAME` or `commit:SHA`, validated
//! with git's ref-name rules so that nothing odd reaches a refspec.

use super::GitRef;

/// Length of a full SHA-1 object id in hex.
const FULL_HEX_LEN: usize = 40;

impl GitRef {
    /// Parse the `--ref` syntax. Errors name the rule broken.
    ///
    /// Pins must be full 40-hex commit ids: an abbreviated id could become
    /// ambiguous as the repository grows, and a pin must never change meaning.
    pub fn parse(s: &str) -> Result<GitRef, String> {
        if let Some(name) = s.strip_prefix("tag:") {
            check_name(name, "tag")?;
            Ok(GitRef::Tag(name.to_string()))
        } else if let Some(sha) = s.strip_prefix("commit:") {
            Ok(GitRef::Commit(check_commit_id(sha)?))
        } else {
            check_name(s, "branch")?;
            if s == "HEAD" {
                return Err("invalid branch name 'HEAD': name the branch itself".into());
            }
            Ok(GitRef::Branch(s.to_string()))
        }
    }

    /// The local ref the mirror keeps for this ref.
    pub(crate) fn local_ref(&self) -> String {
        match self {
            GitRef::Branch(b) => format!("refs/remotes/origin/{b}"),
            GitRef::Tag(t) => format!("refs/tags/{t}"),
            GitRef::Commit(_) => super::PINNED_REF.to_string(),
        }
    }
}

/// Accept a full commit id, lower-casing it so that ids compare equal as strings.
pub(crate) fn check_commit_id(sha: &str) -> Result<String, String> {
    if sha.len() != FULL_HEX_LEN || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "invalid commit pin '{sha}': use the full {FULL_HEX_LEN}-character hex commit id (abbreviated ids are not accepted)"
        ));
    }
    Ok(sha.to_ascii_lowercase())
}

/// git's `check-ref-format` rules for one branch or tag name, plus "no
/// leading `-`" so a name can never be mistaken for an option.
fn check_name(name: &str, what: &str) -> Result<(), String> {
    let bad = |rule: &str| Err(format!("invalid {what} name '{name}': {rule}"));
    if name.is_empty() {
        return Err(format!("invalid {what} name: it is empty"));
    }
    if name.starts_with('-') {
        return bad("it must not start with '-'");
    }
    if let Some(c) = name.chars().find(|c| {
        c.is_ascii_control() || matches!(c, ' ' | '~' | '^' | ':' | '?' | '*' | '[' | '\\')
    }) {
        let shown = if c.is_ascii_control() {
            format!("control character {:#04x}", c as u32)
        } else {
            format!("'{c}'")
        };
        return bad(&format!("it must not contain {shown}"));
    }
    if name.contains("..") {
        return bad("it must not contain '..'");
    }
    if name.contains("@{") {
        return bad("it must not contain '@{'");
    }
    if name == "@" {
        return bad("'@' alone is reserved");
    }
    if name.starts_with('/') || name.ends_with('/') {
        return bad("it must not start or end with '/'");
    }
    if name.contains("//") {
        return bad("it must not contain '//'");
    }
    if name.ends_with('.') {
        return bad("it must not end with '.'");
    }
    for component in name.split('/') {
        if component.starts_with('.') {
            return bad("no part between slashes may start with '.'");
        }
        if component.ends_with(".lock") {
            return bad("no part between slashes may end with '.lock'");
        }
    }
    // Belt and braces: gix must accept the full name we are going to build.
    let full = format!(
        "refs/{}/{name}",
        if what == "tag" { "tags" } else { "heads" }
    );
    if let Err(e) = gix::validate::reference::name(full.as_str().into()) {
        return bad(&e.to_string());
    }
    Ok(())
}
