//! The structure of a flow file: a JSON array of node objects, each with a
//! unique `id` and a `type`, whose `z` (when present) names a tab or a
//! subflow of the same file. Every problem is reported in one pass.

use super::{Problem, check_plain};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

/// One node of a flow file that passed the structure check.
#[derive(Debug, Clone)]
pub struct FlowNode<'a> {
    pub id: &'a str,
    pub node_type: &'a str,
    /// The tab or subflow the node is on; `None` for tabs, subflows and
    /// global config nodes.
    pub z: Option<&'a str>,
    pub fields: &'a Map<String, Value>,
}

impl FlowNode<'_> {
    /// The node as it goes into a spec: every field except `credentials`,
    /// which Node-RED keeps out of flow files and gitsync out of its state.
    pub fn spec_value(&self) -> Value {
        let mut fields = self.fields.clone();
        fields.remove("credentials");
        Value::Object(fields)
    }

    /// The string field `key` (a tab's `label`, a node's `name`) if it is
    /// not empty, else the id.
    pub fn label_or_id(&self, key: &str) -> &str {
        self.fields
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .unwrap_or(self.id)
    }
}

pub(crate) use crate::layout::describe_json as describe;

/// Check the structure of the flow file `file` and return its nodes. An
/// empty file is refused: Node-RED reads it as no flows, but from git it is
/// far more likely a truncated file, and taking it at its word would propose
/// destroying every flow. `[]` says "no flows" on purpose.
pub fn check<'a>(file: &str, value: &'a Value, problems: &mut Vec<Problem>) -> Vec<FlowNode<'a>> {
    let mut problem = |path: String, message: String| {
        problems.push(Problem {
            file: file.to_string(),
            path,
            message,
        })
    };
    let items = match value {
        Value::Array(items) => items,
        Value::Null => {
            problem(
                String::new(),
                "the flow file is empty; write [] for a project with no flows".to_string(),
            );
            return Vec::new();
        }
        other => {
            problem(
                String::new(),
                format!("expected a JSON array of nodes, found {}", describe(other)),
            );
            return Vec::new();
        }
    };
    let mut nodes = Vec::new();
    let mut first_at: HashMap<&str, usize> = HashMap::new();
    // (index, z) pairs, checked once every container is known.
    let mut on_containers: Vec<(usize, &str, &str, &str)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("[{i}]");
        let Value::Object(fields) = item else {
            problem(
                path,
                format!("expected a node object, found {}", describe(item)),
            );
            continue;
        };
        let id = fields
            .get("id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty());
        let node_type = fields
            .get("type")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty());
        // Ids name resources and types name code; both reach terminals,
        // hooks and Node-RED, so they are checked before any message
        // quotes them.
        let mut plain = true;
        for (key, value) in [("id", id), ("type", node_type)] {
            if let Some(Err(why)) = value.map(check_plain) {
                problem(format!("{path}.{key}"), why);
                plain = false;
            }
        }
        if !plain {
            continue;
        }
        let (id, node_type) = match (id, node_type) {
            (Some(id), Some(t)) => (id, t),
            (None, t) => {
                let what = t.map_or("node".to_string(), |t| format!("'{t}' node"));
                problem(path, format!("{what} has no 'id' (a non-empty string)"));
                continue;
            }
            (Some(id), None) => {
                problem(
                    path,
                    format!("node '{id}' has no 'type' (a non-empty string)"),
                );
                continue;
            }
        };
        if let Some(first) = first_at.get(id) {
            problem(
                path,
                format!(
                    "duplicate id '{id}': the node at [{first}] has it too; ids must be unique in the flow file"
                ),
            );
            continue;
        }
        first_at.insert(id, i);
        let z = match fields.get("z") {
            None | Some(Value::Null) => None,
            Some(Value::String(z)) if z.is_empty() => None,
            Some(Value::String(z)) => match check_plain(z) {
                Ok(()) => Some(z.as_str()),
                Err(why) => {
                    problem(format!("{path}.z"), why);
                    continue;
                }
            },
            Some(other) => {
                problem(
                    path,
                    format!(
                        "node '{id}' has a 'z' that is not a string but {}",
                        describe(other)
                    ),
                );
                continue;
            }
        };
        // A tab or subflow definition is a container, never inside one.
        let z = z.filter(|_| !matches!(node_type, "tab" | "subflow"));
        if let Some(z) = z {
            on_containers.push((i, id, node_type, z));
        }
        nodes.push(FlowNode {
            id,
            node_type,
            z,
            fields,
        });
    }
    let containers: HashSet<&str> = nodes
        .iter()
        .filter(|n| matches!(n.node_type, "tab" | "subflow"))
        .map(|n| n.id)
        .collect();
    for (i, id, node_type, z) in on_containers {
        if !containers.contains(z) {
            problem(
                format!("[{i}]"),
                format!(
                    "node '{id}' ({node_type}) has z '{z}', which names no tab or subflow in the flow file"
                ),
            );
        }
    }
    nodes
}
