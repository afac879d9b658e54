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
