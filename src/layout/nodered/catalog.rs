//! The node catalog: which module provides which node type, read from a
//! file in the format of Node-RED's `.config.nodes.json`
//! (module → `nodes` → node set → `types`).

use super::package;
use crate::layout::{Path, check_plain, describe_json};
use serde_json::Value;
use std::collections::BTreeMap;

/// The module name Node-RED lists its own core nodes under.
pub const CORE_MODULE: &str = "node-red";

/// Node type → the modules that provide it, and each module's version.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    providers: BTreeMap<String, Vec<String>>,
    versions: BTreeMap<String, Option<String>>,
}

impl Catalog {
    /// Read a catalog from its JSON value. Entries that do not describe a
    /// module (no `nodes` mapping) are problems, reported all at once as
    /// `(path, message)` pairs; unknown fields are ignored, since Node-RED
    /// adds fields between versions. A module the flows need becomes a
    /// package to install, so module names must be npm package names and
    /// versions registry versions; type names must be plain text.
    pub fn from_json(value: &Value) -> Result<Catalog, Vec<(String, String)>> {
        let Value::Object(modules) = value else {
            return Err(vec![(
                String::new(),
                "expected a JSON object of module name → module, as in Node-RED's .config.nodes.json"
                    .to_string(),
            )]);
        };
        let mut catalog = Catalog::default();
        let mut problems = Vec::new();
        for (module, entry) in modules {
            let at = Path::default().key(module);
            if let Err(why) = package::check_name(module) {
                problems.push((at.0, format!("module {why}")));
                continue;
            }
            let Some(sets) = entry.get("nodes").and_then(Value::as_object) else {
                problems.push((
                    at.0,
                    format!("module '{module}' has no 'nodes' mapping of node set → types"),
                ));
                continue;
            };
            let version = entry
                .get("version")
                .and_then(Value::as_str)
                .filter(|v| !v.trim().is_empty());
            if let Some(v) = version
                && let Err(why) = package::check_spec(v, &[])
            {
                problems.push((at.key("version").0, why));
                continue;
            }
            catalog
                .versions
                .insert(module.clone(), version.map(|v| v.trim().to_string()));
            for (set, node_set) in sets {
                let types_at = at.key("nodes").key(set).key("types");
                let types = match node_set.get("types") {
                    Some(Value::Array(types)) => types,
                    None | Some(Value::Null) => continue,
                    Some(_) => {
                        problems.push((
                            types_at.0,
                            "expected an array of node type names".to_string(),
                        ));
                        continue;
                    }
                };
                for (i, ty) in types.iter().enumerate() {
                    let Some(ty) = ty.as_str() else {
                        problems.push((
                            types_at.index(i).0,
                            format!("expected a node type name, found {}", describe_json(ty)),
                        ));
                        continue;
                    };
                    if let Err(why) = check_plain(ty) {
                        problems.push((types_at.index(i).0, format!("node type {why}")));
                        continue;
                    }
                    let list = catalog.providers.entry(ty.to_string()).or_default();
                    if !list.contains(module) {
                        list.push(module.clone());
                    }
                }
            }
        }
        if problems.is_empty() {
            Ok(catalog)
        } else {
            Err(problems)
        }
    }

    /// The modules that provide `node_type`, in name order.
    pub fn providers(&self, node_type: &str) -> &[String] {
        self.providers
            .get(node_type)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The version the catalog records for `module`, if any.
    pub fn version(&self, module: &str) -> Option<&str> {
        self.versions.get(module).and_then(|v| v.as_deref())
    }

    /// Whether the catalog describes `module` at all.
    pub fn has_module(&self, module: &str) -> bool {
        self.versions.contains_key(module)
    }
}
