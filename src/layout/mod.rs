//! Layouts turn the files of one commit into desired resources. Each layout
//! reads files through [`RepoFiles`], never from disk, so repository content
//! can be checked (symlinks, sizes, paths) before anything parses it.

pub mod fleet;
pub mod manifests;
pub mod nodered;
mod yaml;

/// The YAML loader every layout uses, with its budgets, for the fuzz targets
/// in `fuzz/`; not part of the library's API.
#[doc(hidden)]
pub mod fuzzing {
    pub use super::yaml::{MAX_DEPTH, MAX_DOCUMENTS, MAX_EXPANDED_BYTES, MAX_NODES};

    /// [`super::yaml`]'s single-document loader (fleet.yaml).
    pub fn yaml_load(text: &str) -> Result<serde_json::Value, String> {
        super::yaml::load(text)
    }

    /// [`super::yaml`]'s multi-document loader (manifests).
    pub fn yaml_load_all(text: &str) -> Result<Vec<serde_json::Value>, String> {
        super::yaml::load_all(text)
    }
}

use crate::model::{DesiredState, LayoutKind};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Largest file a layout reads: 1 MiB.
pub const MAX_FILE_SIZE: u64 = 1_048_576;

/// What kind of tree entry a path is. Only `File` is ever read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Symlink,
    Submodule,
}

/// One entry below the repo path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// Path relative to the repository root, `/`-separated.
    pub path: String,
    pub kind: EntryKind,
    pub size: u64,
    /// Content id (the git blob id), stable while the content is unchanged.
    pub id: String,
}

/// Read access to the files of one commit below the repo path.
pub trait RepoFiles {
    /// The repo path (relative to the repository root, `""` for the root).
    fn base(&self) -> &str;
    /// Every entry below [`RepoFiles::base`], sorted by path.
    fn list(&self) -> &[FileEntry];
    /// The content of a file entry. Refuses symlinks, submodules and files
    /// over [`MAX_READ_SIZE`].
    fn read(&self, path: &str) -> Result<Vec<u8>, LayoutError>;

    /// The entry at `path` (relative to the repository root), if any.
    fn entry(&self, path: &str) -> Option<&FileEntry> {
        self.list().iter().find(|e| e.path == path)
    }

    /// `name` joined to the repo path.
    fn join(&self, name: &str) -> String {
        if self.base().is_empty() {
            name.to_string()
        } else {
            format!("{}/{}", self.base().trim_end_matches('/'), name)
        }
    }
}

/// Which resources are live in the repo's namespace, for reference checks
/// ("an assignment whose module is neither declared nor live").
#[derive(Debug, Clone, Default)]
pub struct LiveNames {
    names: HashSet<(String, String)>,
}

impl LiveNames {
    pub fn insert(&mut self, kind: &str, name: &str) {
        self.names.insert((kind.to_string(), name.to_string()));
    }

    pub fn contains(&self, kind: &str, name: &str) -> bool {
        self.names.contains(&(kind.to_string(), name.to_string()))
    }
}

/// Host configuration a layout may need beyond the files themselves.
#[derive(Debug, Clone)]
pub struct LayoutOptions {
    /// The repo being read: manifests derive history keys from it.
    pub repo: String,
    /// `--compile GLOB=COMMAND` pairs (manifests).
    pub compile: Vec<(String, String)>,
    /// Where compiled output is kept between runs, keyed by blob id and
    /// command (manifests); `None` compiles every time.
    pub compile_cache: Option<PathBuf>,
    /// How long one compile command may run before it is killed.
    pub compile_timeout: Duration,
    /// `--catalog PATH` (nodered).
    pub catalog: Option<String>,
    /// Credential variables kept out of compile commands' environment.
    pub scrub_env: Vec<String>,
}

/// A compile command that runs longer than this is killed.
pub const DEFAULT_COMPILE_TIMEOUT: Duration = Duration::from_secs(60);

impl Default for LayoutOptions {
    fn default() -> Self {
        LayoutOptions {
            repo: String::new(),
            compile: Vec::new(),
            compile_cache: None,
            compile_timeout: DEFAULT_COMPILE_TIMEOUT,
            catalog: None,
            scrub_env: Vec::new(),
        }
    }
}

/// One validation problem: the file, the path to the value inside it, and
/// the rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// A dotted path such as `modules.nginx.priority`; empty for the whole file.
    pub path: String,
    pub message: String,
}

/// One line whatever the repository put in the file name, path or quoted
/// value: a newline there cannot start a line of its own.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::text::escape_line;
        let file = escape_line(&self.file);
        let message = escape_line(&self.message);
        if self.path.is_empty() {
            write!(f, "{file}: {message}")
        } else {
            write!(f, "{file}: {}: {message}", escape_line(&self.path))
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    /// All problems found, reported at once.
    #[error("{} validation error{} in the repository:\n{}", .0.len(), if .0.len() == 1 { "" } else { "s" }, render_problems(.0))]
    Invalid(Vec<Problem>),
    #[error(
        "{}: {}",
        crate::text::escape_line(path),
        crate::text::escape_line(reason)
    )]
    Refused { path: String, reason: String },
    #[error("{0}")]
    Other(String),
}

fn render_problems(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A dotted path to a value inside a document: `modules.nginx.priority`,
/// `tasks[1].requires`. Keys that
/// would make the path ambiguous (dots, brackets, empty) are quoted as
/// `["a.b"]`.
#[derive(Clone, Default)]
pub(crate) struct Path(pub(crate) String);

impl Path {
    pub(crate) fn key(&self, key: &str) -> Path {
        let plain = !key.is_empty() && !key.contains(['.', '[', ']', '"']);
        if plain {
            if self.0.is_empty() {
                Path(key.to_string())
            } else {
                Path(format!("{}.{key}", self.0))
            }
        } else {
            Path(format!("{}[{}]", self.0, Value::String(key.to_string())))
        }
    }

    /// The item at `index` (from 0) of a sequence: `tasks[2]`.
    pub(crate) fn index(&self, index: usize) -> Path {
        Path(format!("{}[{index}]", self.0))
    }
}

/// A short description of a value for "expected X, found Y" messages, in
/// YAML's words (a mapping, a sequence).
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Number(n) if n.is_f64() => format!("float {n}"),
        Value::Number(n) => format!("integer {n}"),
        Value::Array(_) => "a sequence".to_string(),
        Value::Object(_) => "a mapping".to_string(),
        scalar => describe_scalar(scalar),
    }
}

/// The same in JSON's words (an object, an array), for JSON files.
pub(crate) fn describe_json(value: &Value) -> String {
    match value {
        Value::Number(n) => format!("number {n}"),
        Value::Array(_) => "an array".to_string(),
        Value::Object(_) => "an object".to_string(),
        scalar => describe_scalar(scalar),
    }
}

/// Repository text (a key, a tag) quoted inside a one-line message:
/// control characters escaped and at most 60 characters shown, so a key
/// holding newlines or a megabyte of text cannot break or flood the line.
pub(crate) fn quote(text: &str) -> String {
    let shown: String = text.chars().take(60).collect();
    let ellipsis = if shown.len() < text.len() { "…" } else { "" };
    format!("'{}{ellipsis}'", crate::text::escape_line(&shown))
}

fn describe_scalar(value: &Value) -> String {
    match value {
        Value::Bool(b) => format!("boolean {b}"),
        Value::String(s) => {
            let shown: String = s.chars().take(60).collect();
            let ellipsis = if shown.len() < s.len() { "…" } else { "" };
            format!("string {}{ellipsis}", Value::String(shown))
        }
        _ => "null".to_string(),
    }
}

/// Parse one commit's files with the given layout.
pub fn parse(
    layout: LayoutKind,
    files: &dyn RepoFiles,
    live: &LiveNames,
    options: &LayoutOptions,
) -> Result<DesiredState, LayoutError> {
    match layout {
        LayoutKind::Fleet => fleet::parse(files, live),
        LayoutKind::Manifests => manifests::parse(files, options),
        LayoutKind::Nodered => nodered::parse(files, options),
    }
}

/// Files held in memory: for tests and for `diff` on local input.
#[derive(Debug, Clone, Default)]
pub struct MemFiles {
    base: String,
    entries: Vec<FileEntry>,
    contents: BTreeMap<String, Vec<u8>>,
}

impl MemFiles {
    pub fn new(base: &str) -> Self {
        MemFiles {
            base: base.to_string(),
            ..Default::default()
        }
    }

    pub fn with_file(mut self, path: &str, content: impl Into<Vec<u8>>) -> Self {
        let content = content.into();
        self.entries.retain(|e| e.path != path);
        self.entries.push(FileEntry {
            path: path.to_string(),
            kind: EntryKind::File,
            size: content.len() as u64,
            id: format!("mem:{path}:{}", content.len()),
        });
        self.entries.sort_by(|a, b| a.path.cmp(&b.path));
        self.contents.insert(path.to_string(), content);
        self
    }

    pub fn with_entry(mut self, entry: FileEntry) -> Self {
        self.entries.push(entry);
        self.entries.sort_by(|a, b| a.path.cmp(&b.path));
        self
    }
}

impl RepoFiles for MemFiles {
    fn base(&self) -> &str {
        &self.base
    }

    fn list(&self) -> &[FileEntry] {
        &self.entries
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, LayoutError> {
        let entry = self.entry(path).ok_or_else(|| LayoutError::Refused {
            path: path.to_string(),
            reason: "no such file".into(),
        })?;
        check_readable_within(entry, MAX_READ_SIZE)?;
        Ok(self.contents.get(path).cloned().unwrap_or_default())
    }
}

/// Largest file read at all: the flow file of a big Node-RED project. Each
/// layout holds its files to its own limit (1 MiB for `fleet.yaml`, DAG
/// files and `package.json`), checked before reading.
pub const MAX_READ_SIZE: u64 = 16 * 1_048_576;

/// The checks a layout makes before reading a file: no link, no submodule,
/// at most [`MAX_FILE_SIZE`].
pub fn check_readable(entry: &FileEntry) -> Result<(), LayoutError> {
    check_readable_within(entry, MAX_FILE_SIZE)
}

/// The checks of [`check_readable`] with another size limit.
pub fn check_readable_within(entry: &FileEntry, limit: u64) -> Result<(), LayoutError> {
    let refuse = |reason: String| LayoutError::Refused {
        path: entry.path.clone(),
        reason,
    };
    match entry.kind {
        EntryKind::Symlink => Err(refuse(
            "is a symbolic link; gitsync never follows links in repository content".into(),
        )),
        EntryKind::Submodule => Err(refuse(
            "is a submodule; gitsync does not fetch submodules".into(),
        )),
        EntryKind::File if entry.size > limit => Err(refuse(format!(
            "is {} bytes, over the limit of {limit} bytes ({} MiB)",
            entry.size,
            limit / 1_048_576
        ))),
        EntryKind::File => Ok(()),
    }
}

/// The resources a resource refers to, as `(kind, name)`: an assignment
/// refers to its module, a pool or platform to its node template. Apply uses
/// this to keep every reference intact.
pub fn references(kind: &str, name: &str, spec: &serde_json::Value) -> Vec<(String, String)> {
    match kind {
        "assignment" => fleet::assignment_module(name)
            .map(|m| vec![("module".to_string(), m.to_string())])
            .unwrap_or_default(),
        "pool" | "platform" => spec
            .get("node_template")
            .and_then(|t| t.as_str())
            .map(|t| vec![("template".to_string(), t.to_string())])
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Parse JSON like `serde_json::from_slice`, but refuse duplicate object
/// keys (serde_json keeps the last one silently), as the YAML loader does.
pub fn json_without_duplicates(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    use serde::Deserialize;
    use serde::de::{self, MapAccess, SeqAccess, Visitor};

    struct Strict(Value);

    impl<'de> Deserialize<'de> for Strict {
        fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(StrictVisitor).map(Strict)
        }
    }

    struct StrictVisitor;

    impl<'de> Visitor<'de> for StrictVisitor {
        type Value = Value;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON value")
        }
        fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
            Ok(Value::Bool(v))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
            Ok(v.into())
        }
        fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
            Ok(v.into())
        }
        fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
            Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
        }
        fn visit_str<E>(self, v: &str) -> Result<Value, E> {
            Ok(Value::String(v.to_string()))
        }
        fn visit_string<E>(self, v: String) -> Result<Value, E> {
            Ok(Value::String(v))
        }
        fn visit_unit<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut items = Vec::new();
            while let Some(Strict(v)) = seq.next_element()? {
                items.push(v);
            }
            Ok(Value::Array(items))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut out = serde_json::Map::new();
            while let Some(key) = map.next_key::<String>()? {
                if out.contains_key(&key) {
                    return Err(de::Error::custom(format!("duplicate key {}", quote(&key))));
                }
                let Strict(v) = map.next_value()?;
                out.insert(key, v);
            }
            Ok(Value::Object(out))
        }
    }

    serde_json::from_slice::<Strict>(bytes).map(|s| s.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duplicate_json_key_is_quoted_on_one_line() {
        let err = json_without_duplicates(br#"{"a\nb": 1, "a\nb": 2}"#).unwrap_err();
        assert!(
            err.to_string().starts_with(r"duplicate key 'a\nb'"),
            "{err}"
        );
        let long = "k".repeat(1000);
        let text = format!(r#"{{"{long}": 1, "{long}": 2}}"#);
        let err = json_without_duplicates(text.as_bytes()).unwrap_err();
        assert!(err.to_string().len() < 200, "{err}");
    }
}
