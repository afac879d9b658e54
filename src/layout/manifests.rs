//! The `manifests` layout: every `*.yaml`, `*.yml` and `*.json` file below the
//! repo path, plus files turned into JSON by a host's `--compile` commands;
//! one resource per document. Workflow DAGs (a top-level `dag` mapping) are
//! validated as DAGs; every other document is kept as it is.
//!
//! Each resource's history key is derived from the repo and the file that
//! declares it, so a file deleted and later pushed back continues its story.

mod compile;
mod cron;
mod dag;
#[cfg(test)]
mod tests;

pub use compile::{matches as glob_matches, parse_rule as parse_compile_rule};
pub use cron::check as check_cron;
pub use dag::{CONFIG_TASK_TYPES, duration_ms};

use super::{
    FileEntry, LayoutError, LayoutOptions, Path, Problem, RepoFiles, check_readable, describe, yaml,
};
use crate::model::{DesiredResource, DesiredState};
use serde_json::Value;
use std::collections::HashMap;

/// Kind of a document that names none, and of every DAG document.
pub const DEFAULT_KIND: &str = "dag";

/// The history key of a resource declared by `path`: the repo and the path
/// when the file declares one resource, plus kind and name when it declares
/// several. Repo names hold no `@` (default keys are `repo:kind:name`) and
/// git paths hold no `//`, so no two keys can collide.
pub fn history_key(repo: &str, path: &str, several: Option<(&str, &str)>) -> String {
    match several {
        None => format!("{repo}@{path}"),
        Some((kind, name)) => format!("{repo}@{path}//{kind}/{name}"),
    }
}

/// How one file turns into documents.
enum Reader<'a> {
    Yaml,
    Json,
    Compiled(&'a str),
}

/// Parse every manifest below the repo path. All problems (unreadable
/// files, bad YAML or JSON, failed compiles, invalid DAGs, duplicate names)
/// are reported at once.
pub fn parse(files: &dyn RepoFiles, options: &LayoutOptions) -> Result<DesiredState, LayoutError> {
    let compiler = compile::Compiler {
        rules: &options.compile,
        cache: options.compile_cache.as_deref(),
        timeout: options.compile_timeout,
        scrub_env: &options.scrub_env,
    };
    let base = files.base().trim_end_matches('/');
    let mut problems = Vec::new();
    let mut resources: Vec<DesiredResource> = Vec::new();
    // (kind, name) -> where it was first declared.
    let mut declared: HashMap<(String, String), String> = HashMap::new();

    for entry in files.list() {
        let relative = match base {
            "" => entry.path.as_str(),
            base => entry
                .path
                .strip_prefix(base)
                .and_then(|p| p.strip_prefix('/'))
                .unwrap_or(&entry.path),
        };
        // Hidden files and folders (`.github/`, `.gitlab-ci.yml`,
        // `.pre-commit-config.yaml`) configure tools, not the platform.
        if relative.split('/').any(|part| part.starts_with('.')) {
            continue;
        }
        let reader = match compiler.command_for(relative) {
            Some(command) => Reader::Compiled(command),
            None => match extension(relative).map(str::to_ascii_lowercase).as_deref() {
                Some("yaml" | "yml") => Reader::Yaml,
                Some("json") => Reader::Json,
                _ => continue,
            },
        };
        let whole_file = |message: String| Problem {
            file: entry.path.clone(),
            path: String::new(),
            message,
        };
        if let Err(e) = check_readable(entry) {
            let message = match e {
                LayoutError::Refused { reason, .. } => reason,
                other => other.to_string(),
            };
            problems.push(whole_file(message));
            continue;
        }
        let documents = match read_documents(files, entry, &reader, &compiler) {
            Ok(documents) => documents,
            Err(message) => {
                problems.push(whole_file(message));
                continue;
            }
        };
        let stem = file_stem(&entry.path);
        let several = documents.len() > 1;
        for (i, document) in documents.into_iter().enumerate() {
            let file = if several {
                let unit = if matches!(reader, Reader::Yaml) {
                    "document"
                } else {
                    "item"
                };
                format!("{} ({unit} {})", entry.path, i + 1)
            } else {
                entry.path.clone()
            };
            let mut found = Vec::new();
            let identity = identify(&document, stem, &mut found);
            problems.extend(found.into_iter().map(|(path, message)| Problem {
                file: file.clone(),
                path: path.0,
                message,
            }));
            let Some((kind, name)) = identity else {
                continue;
            };
            let key = (kind.clone(), name.clone());
            if let Some(first) = declared.get(&key) {
                problems.push(Problem {
                    file: file.clone(),
                    path: String::new(),
                    message: format!(
                        "{kind} '{name}' is declared twice: in {first} and in {file}; each kind and name may be declared once"
                    ),
                });
                continue;
            }
            declared.insert(key, file.clone());
            resources.push(DesiredResource {
                history_key: Some(history_key(
                    &options.repo,
                    &entry.path,
                    several.then_some((kind.as_str(), name.as_str())),
                )),
                kind,
                name,
                spec: document,
                source_path: entry.path.clone(),
                informational: false,
            });
        }
    }
    if !problems.is_empty() {
        return Err(LayoutError::Invalid(problems));
    }
    resources.sort_by(|a, b| (&a.kind, &a.name).cmp(&(&b.kind, &b.name)));
    Ok(DesiredState {
        resources,
        warnings: Vec::new(),
    })
}

/// The documents of one file: every non-empty YAML document, or the object
/// (or each object of the array) a JSON file or a compile command holds.
fn read_documents(
    files: &dyn RepoFiles,
    entry: &FileEntry,
    reader: &Reader<'_>,
    compiler: &compile::Compiler<'_>,
) -> Result<Vec<Value>, String> {
    let bytes = files.read(&entry.path).map_err(|e| match e {
        LayoutError::Refused { reason, .. } => reason,
        other => other.to_string(),
    })?;
    match reader {
        Reader::Compiled(command) => {
            let value = compiler.compile(entry, &bytes, command)?;
            objects(value).map_err(|e| format!("the output of '{command}' is {e}"))
        }
        Reader::Json => {
            let value =
                super::json_without_duplicates(&bytes).map_err(|e| format!("invalid JSON: {e}"))?;
            objects(value).map_err(|e| format!("the file is {e}"))
        }
        Reader::Yaml => {
            let text = String::from_utf8(bytes).map_err(|e| {
                format!(
                    "not valid UTF-8 (first bad byte at offset {})",
                    e.utf8_error().valid_up_to()
                )
            })?;
            yaml::load_all(&text)
        }
    }
}

/// A JSON object is one document, an array of objects several.
fn objects(value: Value) -> Result<Vec<Value>, String> {
    match value {
        Value::Object(_) => Ok(vec![value]),
        Value::Array(items) => {
            if let Some((i, bad)) = items.iter().enumerate().find(|(_, v)| !v.is_object()) {
                return Err(format!(
                    "an array whose item {} is {}; expected objects only",
                    i + 1,
                    describe(bad)
                ));
            }
            Ok(items)
        }
        other => Err(format!(
            "{}; expected a JSON object or an array of objects",
            describe(&other)
        )),
    }
}

/// Kind and name of one document (see SPEC "manifests"), checking DAGs on
/// the way. `None` when the document has no usable identity.
fn identify(
    document: &Value,
    stem: &str,
    problems: &mut Vec<(Path, String)>,
) -> Option<(String, String)> {
    let root = Path::default();
    let Value::Object(doc) = document else {
        problems.push((
            root,
            format!(
                "expected a mapping (one resource per document), found {}",
                describe(document)
            ),
        ));
        return None;
    };
    if let Some(other) = doc.get("dag").filter(|d| !d.is_object()) {
        // A top-level `dag` that is not a mapping is a broken DAG, not a
        // document that skips DAG validation.
        problems.push((
            root.key("dag"),
            format!(
                "a DAG's 'dag' must be a mapping (with an id), found {}",
                describe(other)
            ),
        ));
    }
    if let Some(Value::Object(dag)) = doc.get("dag") {
        match doc.get("kind") {
            None | Some(Value::Null) => {}
            Some(Value::String(k)) if k == DEFAULT_KIND => {}
            Some(other) => problems.push((
                root.key("kind"),
                format!(
                    "a document with a top-level 'dag' mapping is kind 'dag', found {}",
                    describe(other)
                ),
            )),
        }
        let id = match dag.get("id") {
            Some(Value::String(id)) => match check_name(id) {
                Ok(()) => Some(id.clone()),
                Err(e) => {
                    problems.push((root.key("dag").key("id"), e));
                    None
                }
            },
            None | Some(Value::Null) => {
                problems.push((root.key("dag").key("id"), "a DAG needs an id".into()));
                None
            }
            Some(other) => {
                problems.push((
                    root.key("dag").key("id"),
                    format!("expected a string, found {}", describe(other)),
                ));
                None
            }
        };
        dag::check(doc, dag, problems);
        return id.map(|id| (DEFAULT_KIND.to_string(), id));
    }
    let kind = match doc.get("kind") {
        None | Some(Value::Null) => DEFAULT_KIND.to_string(),
        Some(Value::String(k)) => match check_kind(k) {
            Ok(()) => k.clone(),
            Err(e) => {
                problems.push((root.key("kind"), e));
                return None;
            }
        },
        Some(other) => {
            problems.push((
                root.key("kind"),
                format!("expected a string, found {}", describe(other)),
            ));
            return None;
        }
    };
    let candidates = [
        (root.key("name"), doc.get("name")),
        (
            root.key("metadata").key("name"),
            doc.get("metadata").and_then(|m| m.get("name")),
        ),
        (root.key("id"), doc.get("id")),
    ];
    for (path, value) in candidates {
        match value {
            None | Some(Value::Null) => continue,
            Some(Value::String(name)) => {
                return match check_name(name) {
                    Ok(()) => Some((kind, name.clone())),
                    Err(e) => {
                        problems.push((path, e));
                        None
                    }
                };
            }
            Some(other) => {
                problems.push((
                    path,
                    format!("expected a string, found {}", describe(other)),
                ));
                return None;
            }
        }
    }
    match check_name(stem) {
        Ok(()) => Some((kind, stem.to_string())),
        Err(e) => {
            problems.push((
                root,
                format!("no name, and the file name cannot be one: {e}"),
            ));
            None
        }
    }
}

/// Kinds are typed on the command line (`gitsync get KIND`): 1 to 63 of
/// letters, digits, `.`, `_` and `-`, starting with a letter or digit.
fn check_kind(kind: &str) -> Result<(), String> {
    let ok = kind.len() <= 63
        && kind
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && kind
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid kind '{kind}': use 1 to 63 letters, digits, '.', '_' and '-', starting with a letter or digit"
        ))
    }
}

/// Names are free text, but never empty, blank at either end, over 253
/// bytes or holding control characters or bidi controls.
fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the name is empty".into());
    }
    super::check_plain(name).map_err(|why| format!("name {why}"))?;
    if name.trim() != name {
        return Err(format!(
            "name {} starts or ends with white space",
            Value::String(name.into())
        ));
    }
    if name.len() > 253 {
        return Err(format!(
            "name is {} bytes long; the limit is 253",
            name.len()
        ));
    }
    Ok(())
}

fn extension(path: &str) -> Option<&str> {
    let name = path.rsplit('/').next()?;
    name.rsplit_once('.')
        .map(|(_, ext)| ext)
        .filter(|_| !name.starts_with('.'))
}

/// The file name without its last extension: `dags/etl.dag.yaml` → `etl.dag`.
fn file_stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name,
    }
}
