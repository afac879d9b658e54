//! The `nodered` layout: a Node-RED project (`package.json` and the flow file
//! it names) becomes `flow`, `subflow`, `config` and `package` resources, and
//! every node type used is checked against core, subflows and a node catalog.
//!
//! Resources are named by node id, not by label: tab labels are not unique
//! and change when a tab is renamed, while the id is unique in the file and
//! stable, so a renamed tab is an update of one flow, not a destroy plus a
//! create. Labels appear in specs, diffs and warnings.
//!
//! Only `package.json`, the flow file and the catalog are ever read; in
//! particular Node-RED's credential files (`*_cred.json`) never are, and a
//! `credentials` property inside a node is dropped before it reaches a spec.

mod catalog;
mod core_types;
mod describe;
mod flows;
#[cfg(test)]
mod tests;

pub use catalog::Catalog;
pub use core_types::{CORE_NODE_TYPES, STRUCTURAL_TYPES};
pub use describe::describe_change;

use super::{
    LayoutError, LayoutOptions, MAX_FILE_SIZE, MAX_READ_SIZE, Problem, RepoFiles,
    check_readable_within,
};
use crate::model::{DesiredResource, DesiredState};
use flows::FlowNode;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// The project file at the repo path.
pub const PACKAGE_FILE: &str = "package.json";
/// Flow files tried, in order, when `package.json` names none.
pub const DEFAULT_FLOW_FILES: [&str; 2] = ["flows.json", "flow.json"];
/// The catalog file read from the repo path when no `--catalog` is given.
pub const CATALOG_FILE: &str = ".config.nodes.json";
/// Node-RED's credential files end with this; they are never read.
pub const CREDENTIALS_SUFFIX: &str = "_cred.json";
/// The version of an inferred package whose catalog entry records none.
pub const UNPINNED_VERSION: &str = "latest";
/// Largest host catalog file read (`--catalog`): a catalog of every module
/// on npm is far smaller.
const MAX_HOST_CATALOG_SIZE: u64 = 16 * 1_048_576;

/// Parse a Node-RED project at the repo path.
///
/// A missing `package.json` or flow file is an error, never an empty state:
/// treating it as empty would propose destroying everything the repo owns.
pub fn parse(files: &dyn RepoFiles, options: &LayoutOptions) -> Result<DesiredState, LayoutError> {
    let package_file = files.join(PACKAGE_FILE);
    if files.entry(&package_file).is_none() {
        return Err(whole_file(
            &package_file,
            format!(
                "no package.json at the repo path '{}'; a Node-RED project declares its node packages and flow file there",
                display_base(files)
            ),
        ));
    }
    let package = read_json(files, &package_file, MAX_FILE_SIZE)?;
    let mut problems = Vec::new();
    let project = Project::read(&package_file, &package, &mut problems);
    let flow_file = locate_flow_file(files, &package_file, &project, &mut problems);
    let catalog = load_catalog(files, options, &mut problems)?;
    let Some(flow_file) = flow_file else {
        return Err(LayoutError::Invalid(problems));
    };
    // Flow files of real projects pass 1 MiB; they get the larger limit.
    let flow_value = read_json(files, &flow_file, MAX_READ_SIZE)?;
    let nodes = flows::check(&flow_file, &flow_value, &mut problems);
    if !problems.is_empty() {
        return Err(LayoutError::Invalid(problems));
    }
    let mut state = DesiredState::default();
    build_node_resources(&flow_file, &nodes, &mut state.resources);
    for (name, version) in &project.dependencies {
        state
            .resources
            .push(package_resource(&package_file, name, version, false));
    }
    let types = check_types(&nodes, &project, &catalog);
    for (module, version) in types.inferred {
        state
            .resources
            .push(package_resource(&flow_file, &module, &version, true));
    }
    state.warnings = types.warnings;
    state
        .resources
        .sort_by(|a, b| (&a.kind, &a.name).cmp(&(&b.kind, &b.name)));
    Ok(state)
}

fn display_base(files: &dyn RepoFiles) -> &str {
    match files.base().trim_end_matches('/') {
        "" => ".",
        base => base,
    }
}

fn whole_file(file: &str, message: String) -> LayoutError {
    LayoutError::Invalid(vec![Problem {
        file: file.to_string(),
        path: String::new(),
        message,
    }])
}

/// Read and parse one JSON file of the repo. Syntax errors name the line
/// and column.
fn read_json(files: &dyn RepoFiles, file: &str, limit: u64) -> Result<Value, LayoutError> {
    if let Some(entry) = files.entry(file) {
        // Size, symlink and submodule checks before any byte is read.
        check_readable_within(entry, limit)?;
    }
    let bytes = files.read(file)?;
    parse_json(&bytes).map_err(|message| whole_file(file, message))
}

/// Parse JSON text as Node-RED and npm write it (UTF-8, perhaps with a byte
/// order mark). A file holding only whitespace is `null`. A duplicate key
/// is refused, as in every other repository file: Node-RED keeps the last
/// one silently, so a reviewer reading the first would approve another flow.
pub fn parse_json(bytes: &[u8]) -> Result<Value, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "not valid UTF-8 (first bad byte at offset {})",
            e.valid_up_to()
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    super::json_without_duplicates(text.as_bytes()).map_err(|e| {
        let full = e.to_string();
        let what = full
            .rsplit_once(" at line ")
            .map_or(full.as_str(), |(what, _)| what);
        format!(
            "invalid JSON at line {}, column {}: {what}",
            e.line(),
            e.column()
        )
    })
}

/// A dotted path to a key, quoting keys that would make it ambiguous.
fn key_path(parent: &str, key: &str) -> String {
    let plain = !key.is_empty() && !key.contains(['.', '[', ']', '"']);
    match (plain, parent.is_empty()) {
        (true, true) => key.to_string(),
        (true, false) => format!("{parent}.{key}"),
        (false, _) => format!("{parent}[{}]", Value::String(key.to_string())),
    }
}

/// What `package.json` says about the project.
#[derive(Debug, Default)]
struct Project {
    /// `node-red.settings.flowFile`, relative to the repo path.
    flow_file: Option<String>,
    /// `dependencies`: package name → version.
    dependencies: BTreeMap<String, String>,
}

impl Project {
    fn read(file: &str, package: &Value, problems: &mut Vec<Problem>) -> Project {
        let mut problem = |path: String, message: String| {
            problems.push(Problem {
                file: file.to_string(),
                path,
                message,
            })
        };
        let mut project = Project::default();
        let Value::Object(top) = package else {
            problem(
                String::new(),
                format!("expected a JSON object, found {}", flows::describe(package)),
            );
            return project;
        };
        match top.get("dependencies") {
            None | Some(Value::Null) => {}
            Some(Value::Object(deps)) => {
                for (name, version) in deps {
                    match version {
                        Value::String(v) if !v.trim().is_empty() => {
                            project
                                .dependencies
                                .insert(name.clone(), v.trim().to_string());
                        }
                        other => problem(
                            key_path("dependencies", name),
                            format!(
                                "expected a version string, found {}",
                                flows::describe(other)
                            ),
                        ),
                    }
                }
            }
            Some(other) => problem(
                "dependencies".into(),
                format!(
                    "expected an object of package name → version, found {}",
                    flows::describe(other)
                ),
            ),
        }
        let path = "node-red.settings.flowFile";
        match top
            .get("node-red")
            .and_then(|n| n.get("settings"))
            .and_then(|s| s.get("flowFile"))
        {
            None | Some(Value::Null) => {}
            Some(Value::String(name)) => match flow_file_name(name) {
                Ok(name) => project.flow_file = Some(name),
                Err(message) => problem(path.into(), message),
            },
            Some(other) => problem(
                path.into(),
                format!(
                    "expected the flow file name as a string, found {}",
                    flows::describe(other)
                ),
            ),
        }
        project
    }
}

/// Check a flow file name from `package.json`: relative to the repo path,
/// inside it, and not a credential file.
fn flow_file_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    let normalized = name.strip_prefix("./").unwrap_or(name);
    if normalized.is_empty() {
        return Err("the flow file name is empty".into());
    }
    if normalized.starts_with('/') || normalized.contains('\\') {
        return Err(format!(
            "flow file '{name}' must be a path relative to the project, with '/' separators"
        ));
    }
    if normalized
        .split('/')
        .any(|part| part == ".." || part.is_empty())
    {
        return Err(format!(
            "flow file '{name}' escapes the repo path or has an empty part; gitsync reads only files below the repo path"
        ));
    }
    if normalized.ends_with(CREDENTIALS_SUFFIX) {
        return Err(format!(
            "flow file '{name}' is a credential file; gitsync never reads *{CREDENTIALS_SUFFIX} files"
        ));
    }
    Ok(normalized.to_string())
}

/// The flow file to read: the one `package.json` names, else `flows.json`,
/// else `flow.json`. `None` (with a problem recorded) when there is none.
fn locate_flow_file(
    files: &dyn RepoFiles,
    package_file: &str,
    project: &Project,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    if let Some(named) = &project.flow_file {
        let path = files.join(named);
        if files.entry(&path).is_some() {
            return Some(path);
        }
        problems.push(Problem {
            file: package_file.to_string(),
            path: "node-red.settings.flowFile".into(),
            message: format!("names the flow file '{named}', but the repo path has no such file"),
        });
        return None;
    }
    if let Some(path) = DEFAULT_FLOW_FILES
        .iter()
        .map(|name| files.join(name))
        .find(|path| files.entry(path).is_some())
    {
        return Some(path);
    }
    if problems.is_empty() {
        problems.push(Problem {
            file: package_file.to_string(),
            path: String::new(),
            message: format!(
                "no flow file: package.json names none in node-red.settings.flowFile, and the repo path '{}' has no {}",
                display_base(files),
                DEFAULT_FLOW_FILES.join(" or ")
            ),
        });
    }
    None
}

/// The catalog from `--catalog PATH` (a host file), else from
/// `.config.nodes.json` at the repo path, else an empty one.
fn load_catalog(
    files: &dyn RepoFiles,
    options: &LayoutOptions,
    problems: &mut Vec<Problem>,
) -> Result<Catalog, LayoutError> {
    if let Some(path) = &options.catalog {
        let host_err =
            |what: String| LayoutError::Other(format!("node catalog {path} (--catalog): {what}"));
        let size = std::fs::metadata(path)
            .map_err(|e| host_err(format!("cannot read it: {e}")))?
            .len();
        if size > MAX_HOST_CATALOG_SIZE {
            return Err(host_err(format!(
                "is {size} bytes, over the limit of {MAX_HOST_CATALOG_SIZE} bytes"
            )));
        }
        let bytes = std::fs::read(path).map_err(|e| host_err(format!("cannot read it: {e}")))?;
        let value = parse_json(&bytes).map_err(host_err)?;
        return Catalog::from_json(&value).map_err(|errors| {
            let list: Vec<String> = errors
                .into_iter()
                .map(|(at, message)| {
                    if at.is_empty() {
                        message
                    } else {
                        format!("{at}: {message}")
                    }
                })
                .collect();
            host_err(list.join("; "))
        });
    }
    let file = files.join(CATALOG_FILE);
    if files.entry(&file).is_none() {
        return Ok(Catalog::default());
    }
    let value = match read_json(files, &file, MAX_FILE_SIZE) {
        Ok(value) => value,
        Err(LayoutError::Invalid(mut found)) => {
            problems.append(&mut found);
            return Ok(Catalog::default());
        }
        Err(other) => return Err(other),
    };
    Catalog::from_json(&value).or_else(|errors| {
        problems.extend(errors.into_iter().map(|(path, message)| Problem {
            file: file.clone(),
            path,
            message,
        }));
        Ok(Catalog::default())
    })
}

/// `flow`, `subflow` and `config` resources. Every node whose `z` is a tab or
/// subflow belongs to that resource (groups, junctions and flow-scoped
/// config nodes included), sorted by id so diffs are stable; nodes without
/// a `z` are global config nodes.
fn build_node_resources(file: &str, nodes: &[FlowNode], out: &mut Vec<DesiredResource>) {
    let mut members: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for node in nodes {
        if let Some(z) = node.z {
            members.entry(z).or_default().push(node.spec_value());
        }
    }
    for list in members.values_mut() {
        list.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    }
    let resource = |kind: &str, name: &str, spec: Value| DesiredResource {
        kind: kind.to_string(),
        name: name.to_string(),
        spec,
        source_path: file.to_string(),
        informational: false,
        history_key: None,
    };
    for node in nodes {
        let own = || Value::Array(members.get(node.id).cloned().unwrap_or_default());
        match (node.node_type, node.z) {
            ("tab", _) => out.push(resource(
                "flow",
                node.id,
                json!({ "tab": node.spec_value(), "nodes": own() }),
            )),
            ("subflow", _) => out.push(resource(
                "subflow",
                node.id,
                json!({ "subflow": node.spec_value(), "nodes": own() }),
            )),
            (_, None) => out.push(resource(
                "config",
                node.id,
                json!({ "node": node.spec_value() }),
            )),
            (_, Some(_)) => {}
        }
    }
}

fn package_resource(file: &str, name: &str, version: &str, inferred: bool) -> DesiredResource {
    let mut spec = Map::new();
    spec.insert("name".into(), Value::String(name.to_string()));
    spec.insert("version".into(), Value::String(version.to_string()));
    if inferred {
        spec.insert("inferred".into(), Value::Bool(true));
    }
    DesiredResource {
        kind: "package".into(),
        name: name.to_string(),
        spec: Value::Object(spec),
        source_path: file.to_string(),
        informational: false,
        history_key: None,
    }
}

/// What the node type check found.
#[derive(Debug, Default)]
struct TypeCheck {
    /// Module → version, for modules the catalog says provide a used type
    /// but `package.json` does not declare.
    inferred: BTreeMap<String, String>,
    warnings: Vec<String>,
}

/// Check every used node type: core, an instance of a subflow in the file,
/// or provided (per the catalog) by a declared or an inferred package.
fn check_types(nodes: &[FlowNode], project: &Project, catalog: &Catalog) -> TypeCheck {
    let subflows: BTreeSet<&str> = nodes
        .iter()
        .filter(|n| n.node_type == "subflow")
        .map(|n| n.id)
        .collect();
    let owners: BTreeMap<&str, String> = nodes
        .iter()
        .filter_map(|n| match n.node_type {
            "tab" => Some((n.id, format!("flow '{}'", n.label_or_id("label")))),
            "subflow" => Some((n.id, format!("subflow '{}'", n.label_or_id("name")))),
            _ => None,
        })
        .collect();
    let mut check = TypeCheck::default();
    let mut unknown: BTreeSet<(&str, String)> = BTreeSet::new();
    for node in nodes {
        let ty = node.node_type;
        if STRUCTURAL_TYPES.contains(&ty) || CORE_NODE_TYPES.binary_search(&ty).is_ok() {
            continue;
        }
        if let Some(id) = ty.strip_prefix("subflow:")
            && subflows.contains(id)
        {
            continue;
        }
        let providers = catalog.providers(ty);
        if providers
            .iter()
            .any(|m| m == catalog::CORE_MODULE || project.dependencies.contains_key(m))
        {
            continue;
        }
        if let Some(module) = providers.first() {
            let version = catalog.version(module).unwrap_or(UNPINNED_VERSION);
            check.inferred.insert(module.clone(), version.to_string());
            continue;
        }
        let owner = match node.z.and_then(|z| owners.get(z)) {
            Some(owner) => owner.clone(),
            None => format!("config node '{}'", node.label_or_id("name")),
        };
        unknown.insert((ty, owner));
    }
    let undescribed: Vec<&str> = project
        .dependencies
        .keys()
        .filter(|m| !catalog.has_module(m))
        .map(String::as_str)
        .collect();
    for (ty, owner) in unknown {
        let mut warning = format!("unknown node type '{ty}' used by {owner}");
        if !undescribed.is_empty() {
            warning.push_str(&format!(
                " (perhaps from {}, which the node catalog does not describe)",
                undescribed.join(", ")
            ));
        }
        check.warnings.push(warning);
    }
    check
}
