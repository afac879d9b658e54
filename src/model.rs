//! The vocabulary every stage shares: resource keys, specs, changes and the
//! repository settings a sync is driven by.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// Identity of a live or desired resource: `(namespace, kind, name)`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ResourceKey {
    pub namespace: String,
    pub kind: String,
    pub name: String,
}

impl ResourceKey {
    pub fn new(namespace: &str, kind: &str, name: &str) -> Self {
        ResourceKey {
            namespace: namespace.to_string(),
            kind: kind.to_string(),
            name: name.to_string(),
        }
    }
}

impl fmt::Display for ResourceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.namespace, self.kind, self.name)
    }
}

/// One resource as a layout declares it. `spec` holds exactly the fields in
/// the kind's diff scope, so what is compared is what is applied.
#[derive(Debug, Clone, PartialEq)]
pub struct DesiredResource {
    pub kind: String,
    pub name: String,
    pub spec: Value,
    /// Path of the file that declared it, relative to the repository root.
    pub source_path: String,
    /// Shown by `diff` but never proposed or applied (fleet `provider_config`).
    pub informational: bool,
    /// Stable identity for history; `None` means derived from repo + kind + name.
    pub history_key: Option<String>,
}

/// Everything a layout found in one commit.
#[derive(Debug, Clone, Default)]
pub struct DesiredState {
    pub resources: Vec<DesiredResource>,
    /// Problems that do not stop the run but make it `partial`
    /// (for example an unknown Node-RED node type).
    pub warnings: Vec<String>,
}

/// What applying a proposal does to one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Create,
    Update,
    Destroy,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Create => "create",
            Change::Update => "update",
            Change::Destroy => "destroy",
        }
    }

    pub fn parse(s: &str) -> Option<Change> {
        match s {
            "create" => Some(Change::Create),
            "update" => Some(Change::Update),
            "destroy" => Some(Change::Destroy),
            _ => None,
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which files of a repository declare resources, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LayoutKind {
    Fleet,
    Manifests,
    Nodered,
}

impl LayoutKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LayoutKind::Fleet => "fleet",
            LayoutKind::Manifests => "manifests",
            LayoutKind::Nodered => "nodered",
        }
    }

    pub fn parse(s: &str) -> Option<LayoutKind> {
        match s {
            "fleet" => Some(LayoutKind::Fleet),
            "manifests" => Some(LayoutKind::Manifests),
            "nodered" => Some(LayoutKind::Nodered),
            _ => None,
        }
    }
}

/// Canonical text of a spec: JSON with sorted keys (serde_json's map is a
/// BTreeMap), so equal specs always compare equal as strings.
pub fn canonical(spec: &Value) -> String {
    serde_json::to_string(spec).expect("a JSON value always serializes")
}

/// A registered repository: where desired state comes from and how it is
/// reconciled. Credentials are references (`env:VAR`, `file:PATH`), never values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepoConfig {
    pub name: String,
    pub url: String,
    /// `main`, `tag:NAME` or `commit:SHA`.
    #[serde(rename = "ref")]
    pub git_ref: String,
    pub path: String,
    pub layout: LayoutKind,
    pub namespace: String,
    pub interval: u64,
    pub auto_apply: bool,
    pub max_proposals: u32,
    pub paused: bool,
    #[serde(default)]
    pub settings: RepoSettings,
}

/// Host configuration of a repo that is not part of SPEC's promised keys.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RepoSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh_passphrase: Option<String>,
    /// The known_hosts file ssh host keys are checked against (default: ssh's own, `~/.ssh/known_hosts`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_hosts: Option<String>,
    /// A PEM file of CA certificates trusted for https, instead of the system's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
    /// Fetch full history instead of the default depth of 1.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub full_history: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compile: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub apply_hooks: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<String>,
    /// Package sources besides the npm registry that the host lets this
    /// repo's `package.json` name (nodered); none by default.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_package_sources: Vec<PackageSource>,
    /// Seconds an apply hook may run (default 300).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hook_timeout: Option<u64>,
    /// Failed apply attempts before retries stop (default 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u32>,
    /// Seconds one fetch or probe may take in all (default 300).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetch_timeout: Option<u64>,
}

/// Where a Node-RED package may come from other than the npm registry. A
/// repository may name one only when the host allows it for that repo:
/// each runs code from a place the repository chooses (install scripts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageSource {
    /// `git+https://…`, `github:user/repo`, `user/repo` and other git specs.
    Git,
    /// A tarball over `http://` or `https://`.
    Url,
    /// `file:`, `link:` and local paths or tarballs.
    File,
    /// `npm:other-package@1.2.3`: another registry package under this name.
    Alias,
}

impl PackageSource {
    pub const ALL: [PackageSource; 4] = [
        PackageSource::Git,
        PackageSource::Url,
        PackageSource::File,
        PackageSource::Alias,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PackageSource::Git => "git",
            PackageSource::Url => "url",
            PackageSource::File => "file",
            PackageSource::Alias => "alias",
        }
    }

    pub fn parse(s: &str) -> Option<PackageSource> {
        PackageSource::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// Failed apply attempts after which recovery stops until an operator re-approves.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;

pub const DEFAULT_INTERVAL: u64 = 300;
pub const DEFAULT_MAX_PROPOSALS: u32 = 25;
pub const DEFAULT_NAMESPACE: &str = "default";
/// Who approved a proposal that was applied without an operator.
pub const AUTO_APPLY_ACTOR: &str = "gitsync-auto-apply";

/// Status of a proposal in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    PendingReview,
    Approved,
    Applied,
    Rejected,
    Ignored,
    Superseded,
}

impl ProposalStatus {
    pub const ALL: [ProposalStatus; 6] = [
        ProposalStatus::PendingReview,
        ProposalStatus::Approved,
        ProposalStatus::Applied,
        ProposalStatus::Rejected,
        ProposalStatus::Ignored,
        ProposalStatus::Superseded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProposalStatus::PendingReview => "pending_review",
            ProposalStatus::Approved => "approved",
            ProposalStatus::Applied => "applied",
            ProposalStatus::Rejected => "rejected",
            ProposalStatus::Ignored => "ignored",
            ProposalStatus::Superseded => "superseded",
        }
    }

    pub fn parse(s: &str) -> Option<ProposalStatus> {
        ProposalStatus::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Open proposals are the ones an operator still has to act on.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ProposalStatus::PendingReview | ProposalStatus::Approved
        )
    }
}

/// Status of one sync run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Running,
    Success,
    Partial,
    Failed,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Success => "success",
            RunStatus::Partial => "partial",
            RunStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<RunStatus> {
        [
            RunStatus::Running,
            RunStatus::Success,
            RunStatus::Partial,
            RunStatus::Failed,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_saved_before_package_sources_existed_still_load() {
        let old: RepoSettings = serde_json::from_str(r#"{"catalog": "/etc/nodes.json"}"#).unwrap();
        assert!(old.allow_package_sources.is_empty());
        let new = RepoSettings {
            allow_package_sources: vec![PackageSource::Git, PackageSource::Alias],
            ..Default::default()
        };
        let text = serde_json::to_string(&new).unwrap();
        assert_eq!(text, r#"{"allow_package_sources":["git","alias"]}"#);
        assert_eq!(serde_json::from_str::<RepoSettings>(&text).unwrap(), new);
        // Nothing is written for the default, so older gitsyncs read it too.
        assert_eq!(
            serde_json::to_string(&RepoSettings::default()).unwrap(),
            "{}"
        );
    }
}
