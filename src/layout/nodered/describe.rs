//! A node-level summary of a change to a flow, subflow or config node: which
//! nodes were added, removed or changed (and which of their fields), by name
//! or type and id, so a reviewer does not have to read a wall of JSON.

use crate::text::escape_line;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Lines listed per section before the rest is counted.
const MAX_LINES: usize = 40;

/// The summary for a change of `kind` from `base` to `desired` (either may be
/// absent), or `None` for kinds other than `flow`, `subflow` and `config`.
pub fn describe_change(
    kind: &str,
    base: Option<&Value>,
    desired: Option<&Value>,
) -> Option<String> {
    let container = match kind {
        "flow" => "tab",
        "subflow" => "subflow",
        "config" => "node",
        _ => return None,
    };
    let old = nodes_of(base, container);
    let new = nodes_of(desired, container);
    let title = desired
        .or(base)
        .and_then(|spec| spec.get(container))
        .map(|node| label(node.as_object()))
        .unwrap_or_default();
    let mut added = Vec::new();
    let mut removed = Vec::new();
    let mut changed = Vec::new();
    for (id, node) in &new {
        match old.get(id) {
            None => added.push(format!("  + {}", label(Some(node)))),
            Some(before) if before != node => {
                let mut keys: Vec<&str> = node
                    .keys()
                    .chain(before.keys())
                    .filter(|k| node.get(*k) != before.get(*k))
                    .map(String::as_str)
                    .collect();
                keys.sort_unstable();
                keys.dedup();
                let keys = escape_line(&keys.join(", ")).into_owned();
                changed.push(format!("  ~ {}: {keys}", label(Some(node))));
            }
            Some(_) => {}
        }
    }
    for (id, node) in &old {
        if !new.contains_key(id) {
            removed.push(format!("  - {}", label(Some(node))));
        }
    }
    // A config node is one node: its change line says it all.
    let mut out = if kind == "config" {
        String::new()
    } else {
        format!(
            "{title}: {} node{} added, {} removed, {} changed\n",
            added.len(),
            if added.len() == 1 { "" } else { "s" },
            removed.len(),
            changed.len()
        )
    };
    for section in [added, removed, changed] {
        let extra = section.len().saturating_sub(MAX_LINES);
        for line in section.into_iter().take(MAX_LINES) {
            out.push_str(&line);
            out.push('\n');
        }
        if extra > 0 {
            out.push_str(&format!("  … and {extra} more\n"));
        }
    }
    Some(out)
}

/// Every node of a spec by id: the container (tab, subflow or config node)
/// and, for flows and subflows, its `nodes`.
fn nodes_of<'a>(
    spec: Option<&'a Value>,
    container: &str,
) -> BTreeMap<String, &'a Map<String, Value>> {
    let mut out = BTreeMap::new();
    let Some(spec) = spec else { return out };
    let listed = spec.get("nodes").and_then(Value::as_array);
    let all = spec
        .get(container)
        .into_iter()
        .chain(listed.into_iter().flatten());
    for node in all {
        if let Some(fields) = node.as_object() {
            let id = fields.get("id").and_then(Value::as_str).unwrap_or_default();
            out.insert(id.to_string(), fields);
        }
    }
    out
}

/// `type 'name' (id)`: how a reviewer recognizes a node. A tab's name is its
/// `label`; a node without a name is known by its type and id.
fn label(node: Option<&Map<String, Value>>) -> String {
    let Some(node) = node else {
        return String::new();
    };
    let text = |key: &str| {
        node.get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
    };
    // Live specs predate today's checks: everything shown is escaped.
    let node_type = escape_line(text("type").unwrap_or("node"));
    let id = escape_line(text("id").unwrap_or("?"));
    match text("name").or_else(|| text("label")) {
        Some(name) => format!("{node_type} '{}' ({id})", escape_line(name)),
        None => format!("{node_type} ({id})"),
    }
}
