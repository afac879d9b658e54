//! The diff engine: compare a repo's desired resources with the live state of
//! its namespace, within each kind's diff scope, and render each difference
//! as a unified diff of canonical YAML.

use crate::model::{Change, DesiredState, ResourceKey, canonical};
use crate::store::LiveResource;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// One resource whose desired and live specs differ.
#[derive(Debug, Clone, PartialEq)]
pub struct Diff {
    pub key: ResourceKey,
    pub change: Change,
    /// Live spec the diff was computed against.
    pub base: Option<Value>,
    /// Declared spec (`None` for a destroy).
    pub desired: Option<Value>,
    pub source_path: String,
    pub history_key: String,
    /// Unified diff of canonical YAML.
    pub rendered: String,
}

impl Diff {
    pub fn base_text(&self) -> Option<String> {
        self.base.as_ref().map(canonical)
    }

    pub fn desired_text(&self) -> Option<String> {
        self.desired.as_ref().map(canonical)
    }
}

/// A declared resource that is shown but never proposed (fleet `provider_config`).
#[derive(Debug, Clone, PartialEq)]
pub struct Informational {
    pub key: ResourceKey,
    pub desired: Value,
    pub source_path: String,
}

/// Everything one repo's commit would change.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// In apply order (see [`apply_rank`]).
    pub diffs: Vec<Diff>,
    pub informational: Vec<Informational>,
    /// Resources this repo declares that another repo owns, one message each.
    pub conflicts: Vec<String>,
}

impl Plan {
    /// Diffs found per kind, for the run summary.
    pub fn summary(&self) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for d in &self.diffs {
            let n = out.entry(d.key.kind.clone()).or_insert(0u64);
            *n = (*n).saturating_add(1);
        }
        out
    }
}

/// The history key of a resource declared without one: repo + kind + name.
pub fn default_history_key(repo: &str, kind: &str, name: &str) -> String {
    format!("{repo}:{kind}:{name}")
}

/// Compare `desired` (declared by `repo` into `namespace`) with `live`, the
/// live resources of that namespace. Only resources the repo owns are
/// updated or destroyed; a declared resource owned by another repo is a conflict.
pub fn plan(repo: &str, namespace: &str, desired: &DesiredState, live: &[LiveResource]) -> Plan {
    let live_by_key: HashMap<(&str, &str), &LiveResource> = live
        .iter()
        .filter(|r| r.key.namespace == namespace)
        .map(|r| ((r.key.kind.as_str(), r.key.name.as_str()), r))
        .collect();
    let mut plan = Plan::default();
    let mut declared = std::collections::HashSet::new();
    for d in &desired.resources {
        let key = ResourceKey::new(namespace, &d.kind, &d.name);
        if d.informational {
            plan.informational.push(Informational {
                key,
                desired: d.spec.clone(),
                source_path: d.source_path.clone(),
            });
            continue;
        }
        if !declared.insert((d.kind.as_str(), d.name.as_str())) {
            continue;
        }
        let history_key = d
            .history_key
            .clone()
            .unwrap_or_else(|| default_history_key(repo, &d.kind, &d.name));
        match live_by_key.get(&(d.kind.as_str(), d.name.as_str())) {
            Some(l) if l.repo != repo => plan.conflicts.push(format!(
                "{} '{}' in namespace '{}' is owned by repo '{}' (from {}); this repo's declaration in {} is ignored",
                d.kind, d.name, namespace, l.repo, l.source_path, d.source_path
            )),
            Some(l)
                if canonical(&l.spec) == canonical(&d.spec) && l.source_path == d.source_path => {}
            Some(l) => plan.diffs.push(Diff {
                // A file that moved is an update of the resource's origin,
                // so that `get` never points at a file that is gone.
                rendered: if l.source_path == d.source_path {
                    render_change(&d.kind, Some(&l.spec), Some(&d.spec))
                } else {
                    format!(
                        "source: {} -> {}\n{}",
                        l.source_path,
                        d.source_path,
                        render_change(&d.kind, Some(&l.spec), Some(&d.spec))
                    )
                },
                key,
                change: Change::Update,
                base: Some(l.spec.clone()),
                desired: Some(d.spec.clone()),
                source_path: d.source_path.clone(),
                // An updated resource keeps the identity it was created with.
                history_key: l.history_key.clone(),
            }),
            None => plan.diffs.push(Diff {
                rendered: render_change(&d.kind, None, Some(&d.spec)),
                key,
                change: Change::Create,
                base: None,
                desired: Some(d.spec.clone()),
                source_path: d.source_path.clone(),
                history_key,
            }),
        }
    }
    for l in live_by_key.values() {
        if l.repo == repo && !declared.contains(&(l.key.kind.as_str(), l.key.name.as_str())) {
            plan.diffs.push(Diff {
                key: l.key.clone(),
                change: Change::Destroy,
                rendered: render_change(&l.key.kind, Some(&l.spec), None),
                base: Some(l.spec.clone()),
                desired: None,
                source_path: l.source_path.clone(),
                history_key: l.history_key.clone(),
            });
        }
    }
    plan.diffs.sort_by(|a, b| {
        apply_rank(&a.key.kind, a.change)
            .cmp(&apply_rank(&b.key.kind, b.change))
            .then_with(|| a.key.cmp(&b.key))
    });
    plan.informational.sort_by(|a, b| a.key.cmp(&b.key));
    plan.conflicts.sort();
    plan
}

/// Apply order: creates and updates of things others reference first
/// (templates, modules), then what references them; destroys of referencing
/// things (assignments) before destroys of what they reference. So no step
/// ever breaks a reference.
pub fn apply_rank(kind: &str, change: Change) -> u8 {
    let referenced = matches!(
        kind,
        "template" | "module" | "fleet" | "package" | "config" | "subflow"
    );
    let referencing = matches!(kind, "assignment");
    match (change, referenced, referencing) {
        (Change::Create | Change::Update, true, _) => 0,
        (Change::Create | Change::Update, false, false) => 1,
        (Change::Create | Change::Update, false, true) => 2,
        (Change::Destroy, _, true) => 3,
        (Change::Destroy, false, false) => 4,
        (Change::Destroy, true, _) => 5,
    }
}

/// Canonical YAML of a spec: keys sorted, block style.
pub fn to_yaml(spec: &Value) -> String {
    match spec {
        Value::Object(m) if m.is_empty() => "{}\n".to_string(),
        _ => serde_saphyr::to_string(spec).unwrap_or_else(|_| canonical(spec)),
    }
}

/// The rendered diff of one resource: for Node-RED flows, subflows and
/// config nodes a node-level summary comes first.
fn render_change(kind: &str, base: Option<&Value>, desired: Option<&Value>) -> String {
    let text = render(base, desired);
    match crate::layout::nodered::describe_change(kind, base, desired) {
        Some(summary) => format!("{summary}{text}"),
        None => text,
    }
}

/// A unified diff between two specs (either may be absent).
pub fn render(base: Option<&Value>, desired: Option<&Value>) -> String {
    let old = base.map(to_yaml).unwrap_or_default();
    let new = desired.map(to_yaml).unwrap_or_default();
    similar::TextDiff::from_lines(&old, &new)
        .unified_diff()
        .context_radius(3)
        .header("live", "desired")
        .to_string()
}
