//! The `fleet` layout: one `fleet.yaml` at the repo path declaring templates,
//! modules, assignments, pools, platforms, the fleet section and provider
//! configs.
//!
//! The file is parsed as plain data (see [`yaml`]) and then validated by
//! walking the value, so every problem in the file is reported in one run
//! instead of one per fix-and-retry cycle. Each resource's `spec` holds only
//! its diff-scope fields, which is what later stages compare and apply.

use super::{LayoutError, LiveNames, Path, Problem, RepoFiles, check_readable, describe, yaml};
use crate::model::{DesiredResource, DesiredState};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// The one file this layout reads, relative to the repo path.
/// The longest resource name, in bytes.
pub const MAX_NAME_LEN: usize = 253;
pub const FILE_NAME: &str = "fleet.yaml";

/// The closed set of top-level keys, in the order they are reported.
pub const TOP_LEVEL_KEYS: [&str; 7] = [
    "templates",
    "modules",
    "assignments",
    "provider_configs",
    "pools",
    "platforms",
    "fleet",
];

const VARIETIES: &[&str] = &["subscription", "role", "config", "instance"];
const LIFECYCLE_CLASSES: &[&str] = &["ephemeral", "spot"];
const POOL_STATUSES: &[&str] = &["active", "paused", "draining", "archived"];
const SERVICE_ROLES: &[&str] = &[
    "api",
    "worker",
    "frontend",
    "postgres",
    "redis",
    "reverse-proxy",
    "satellite-runtime",
];
const FLEET_KEYS: &[&str] = &["default_template", "provider"];

/// Parse and validate `fleet.yaml` at the repo path.
///
/// A missing file is an error, never an empty state: treating it as empty
/// would propose destroying everything the repo owns. An empty file (or one
/// holding only comments or `null`) is a valid, empty desired state.
pub fn parse(files: &dyn RepoFiles, live: &LiveNames) -> Result<DesiredState, LayoutError> {
    let file = files.join(FILE_NAME);
    let Some(entry) = files.entry(&file) else {
        let base = match files.base().trim_end_matches('/') {
            "" => ".",
            base => base,
        };
        return Err(LayoutError::Invalid(vec![Problem {
            file,
            path: String::new(),
            message: format!("no fleet.yaml at the repo path '{base}'"),
        }]));
    };
    // Size, symlink and submodule checks happen on the entry, before any
    // byte is read.
    check_readable(entry)?;
    let bytes = files.read(&file)?;
    let whole_file = |message: String| {
        LayoutError::Invalid(vec![Problem {
            file: file.clone(),
            path: String::new(),
            message,
        }])
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        whole_file(format!(
            "not valid UTF-8 (first bad byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    let document = yaml::load(&text).map_err(whole_file)?;

    let mut checker = Checker {
        file: file.clone(),
        live,
        problems: Vec::new(),
        resources: Vec::new(),
    };
    checker.document(&document);
    if !checker.problems.is_empty() {
        return Err(LayoutError::Invalid(checker.problems));
    }
    let mut resources = checker.resources;
    resources.sort_by(|a, b| (&a.kind, &a.name).cmp(&(&b.kind, &b.name)));
    Ok(DesiredState {
        resources,
        warnings: Vec::new(),
    })
}

/// Walks the document, collecting problems and resources.
struct Checker<'a> {
    file: String,
    live: &'a LiveNames,
    problems: Vec<Problem>,
    resources: Vec<DesiredResource>,
}

/// One entry of a section, with what is needed to report on it.
struct Entry<'v> {
    key: &'v str,
    fields: &'v Map<String, Value>,
    path: Path,
}

impl Checker<'_> {
    fn problem(&mut self, path: &Path, message: impl Into<String>) {
        self.problems.push(Problem {
            file: self.file.clone(),
            path: path.0.clone(),
            message: message.into(),
        });
    }

    fn resource(&mut self, kind: &str, name: &str, spec: Map<String, Value>, informational: bool) {
        self.resources.push(DesiredResource {
            kind: kind.to_string(),
            name: name.to_string(),
            spec: Value::Object(spec),
            source_path: self.file.clone(),
            informational,
            history_key: None,
        });
    }

    fn document(&mut self, document: &Value) {
        let root = Path::default();
        let top = match document {
            Value::Null => return,
            Value::Object(top) => top,
            other => {
                self.problem(
                    &root,
                    format!(
                        "expected a mapping at the top level, found {}",
                        describe(other)
                    ),
                );
                return;
            }
        };
        for key in top.keys() {
            if !TOP_LEVEL_KEYS.contains(&key.as_str()) {
                self.problem(
                    &root.key(key),
                    format!(
                        "unknown top-level key '{key}'; expected one of {}",
                        TOP_LEVEL_KEYS.join(", ")
                    ),
                );
            }
        }

        let templates = self.section(top, "templates");
        let modules = self.section(top, "modules");
        let assignments = self.section(top, "assignments");
        let provider_configs = self.section(top, "provider_configs");
        let pools = self.section(top, "pools");
        let platforms = self.section(top, "platforms");

        // References resolve against declared keys even when the declaring
        // entry has problems of its own: one mistake, one problem.
        let template_names: BTreeSet<&str> = templates.iter().map(|e| e.key).collect();
        let module_names: BTreeSet<&str> = modules.iter().map(|e| e.key).collect();

        for entry in &templates {
            self.template(entry);
        }
        for entry in &modules {
            self.module(entry);
        }
        for entry in &assignments {
            self.assignment(entry, &module_names);
        }
        for entry in &provider_configs {
            self.provider_config(entry);
        }
        for entry in &pools {
            self.pool(entry, &template_names);
        }
        for entry in &platforms {
            self.platform(entry, &template_names);
        }
        if let Some(fleet) = top.get("fleet") {
            self.fleet(fleet, &root.key("fleet"));
        }
    }

    /// The entries of a `name → mapping` section; `null` or absent is empty.
    fn section<'v>(&mut self, top: &'v Map<String, Value>, name: &str) -> Vec<Entry<'v>> {
        let path = Path::default().key(name);
        let map = match top.get(name) {
            None | Some(Value::Null) => return Vec::new(),
            Some(Value::Object(map)) => map,
            Some(other) => {
                self.problem(
                    &path,
                    format!(
                        "expected a mapping of name to attributes, found {}",
                        describe(other)
                    ),
                );
                return Vec::new();
            }
        };
        let mut entries = Vec::new();
        for (key, value) in map {
            let entry_path = path.key(key);
            match value {
                Value::Object(fields) => entries.push(Entry {
                    key,
                    fields,
                    path: entry_path,
                }),
                Value::Null => self.problem(
                    &entry_path,
                    "expected a mapping of attributes, found null (write {} for an entry with no attributes)",
                ),
                other => self.problem(
                    &entry_path,
                    format!("expected a mapping of attributes, found {}", describe(other)),
                ),
            }
        }
        entries
    }

    /// Entry names are resource names: an empty one cannot be addressed, and
    /// control characters would reach operators' terminals.
    fn nonempty_key(&mut self, entry: &Entry<'_>) {
        if entry.key.trim().is_empty() {
            self.problem(&entry.path, "name must not be empty");
        } else if let Err(why) = super::check_plain(entry.key) {
            self.problem(
                &entry.path,
                format!(
                    "name must not contain control characters or bidirectional controls: {why}"
                ),
            );
        } else if entry.key.len() > MAX_NAME_LEN {
            self.problem(
                &entry.path,
                format!(
                    "name is {} bytes long; at most {MAX_NAME_LEN} are allowed",
                    entry.key.len()
                ),
            );
        }
    }

    /// Fields are a closed set per kind (SPEC's fleet table), so that a typo
    /// such as `priorty` is an error instead of a value silently dropped.
    fn known_fields(&mut self, entry: &Entry<'_>, kind: &str, allowed: &[&str]) {
        for key in entry.fields.keys() {
            if !allowed.contains(&key.as_str()) {
                self.problem(
                    &entry.path.key(key),
                    format!(
                        "unknown field '{key}' of a {kind}; expected one of {}",
                        allowed.join(", ")
                    ),
                );
            }
        }
    }

    /// An optional `name` field must repeat the map key exactly.
    fn name_matches_key(&mut self, entry: &Entry<'_>) {
        let path = entry.path.key("name");
        if let Some(name) = self.string(entry.fields, "name", &path)
            && name != entry.key
        {
            self.problem(
                &path,
                format!("name '{name}' differs from its key '{}'", entry.key),
            );
        }
    }

    // Typed field readers: `None` when the field is absent or has the wrong
    // type (then a problem is recorded).

    fn string<'v>(
        &mut self,
        fields: &'v Map<String, Value>,
        key: &str,
        path: &Path,
    ) -> Option<&'v str> {
        match fields.get(key)? {
            Value::String(s) => Some(s),
            other => {
                self.problem(
                    path,
                    format!("expected a string, found {}", describe(other)),
                );
                None
            }
        }
    }

    fn boolean(&mut self, fields: &Map<String, Value>, key: &str, path: &Path) -> Option<bool> {
        match fields.get(key)? {
            Value::Bool(b) => Some(*b),
            other => {
                self.problem(
                    path,
                    format!("expected a boolean, found {}", describe(other)),
                );
                None
            }
        }
    }

    /// YAML integers only: `"50"` and `50.0` are refused rather than coerced.
    /// They must fit a signed 64-bit integer, which is what SQLite, hooks
    /// and most consumers of the live state can hold.
    fn integer(&mut self, fields: &Map<String, Value>, key: &str, path: &Path) -> Option<Value> {
        match fields.get(key)? {
            Value::Number(n) if n.is_i64() => Some(Value::Number(n.clone())),
            // The YAML parser reads an integer past 64 bits as a float: say
            // that it is too large rather than "found float 1e+20".
            Value::Number(n)
                if n.is_u64()
                    || n.as_f64()
                        .is_some_and(|f| f.abs() >= 9.223_372_036_854_776e18) =>
            {
                self.problem(
                    path,
                    format!(
                        "{n} is out of range: integers must be from {} to {}",
                        i64::MIN,
                        i64::MAX
                    ),
                );
                None
            }
            other => {
                self.problem(
                    path,
                    format!("expected an integer, found {}", describe(other)),
                );
                None
            }
        }
    }

    /// An integer ≥ 0.
    fn count(&mut self, fields: &Map<String, Value>, key: &str, path: &Path) -> Option<u64> {
        let value = self.integer(fields, key, path)?;
        match value.as_u64() {
            Some(n) => Some(n),
            None => {
                self.problem(path, format!("{key} must not be negative, found {value}"));
                None
            }
        }
    }

    fn one_of(
        &mut self,
        fields: &Map<String, Value>,
        key: &str,
        allowed: &[&str],
        path: &Path,
    ) -> Option<String> {
        let value = fields.get(key)?;
        if let Value::String(s) = value
            && allowed.contains(&s.as_str())
        {
            return Some(s.clone());
        }
        let found = match value {
            Value::String(s) => format!("'{s}'"),
            other => describe(other),
        };
        self.problem(
            path,
            format!("{key} must be one of {}, found {found}", allowed.join(", ")),
        );
        None
    }

    fn mapping(&mut self, fields: &Map<String, Value>, key: &str, path: &Path) -> Option<Value> {
        match fields.get(key)? {
            value @ Value::Object(_) => Some(value.clone()),
            other => {
                self.problem(
                    path,
                    format!("expected a mapping, found {}", describe(other)),
                );
                None
            }
        }
    }

    fn template(&mut self, entry: &Entry<'_>) {
        self.nonempty_key(entry);
        self.known_fields(
            entry,
            "template",
            &[
                "name",
                "description",
                "node_platform_id",
                "node_platform",
                "provider_region",
                "instance_type",
            ],
        );
        self.name_matches_key(entry);
        let fields = entry.fields;
        let mut spec = Map::new();
        spec.insert("name".into(), Value::String(entry.key.to_string()));
        if let Some(d) = self.string(fields, "description", &entry.path.key("description")) {
            spec.insert("description".into(), d.into());
        }
        let current = self.string(
            fields,
            "node_platform_id",
            &entry.path.key("node_platform_id"),
        );
        let older_path = entry.path.key("node_platform");
        let older = self.string(fields, "node_platform", &older_path);
        match (current, older) {
            (Some(a), Some(b)) if a != b => self.problem(
                &older_path,
                format!(
                    "node_platform '{b}' (the older spelling of node_platform_id) differs from node_platform_id '{a}'; keep only node_platform_id"
                ),
            ),
            _ => {}
        }
        if let Some(id) = current.or(older) {
            spec.insert("node_platform_id".into(), id.into());
        }
        // Outside the diff scope, but still typed by the contract.
        self.string(
            fields,
            "provider_region",
            &entry.path.key("provider_region"),
        );
        self.string(fields, "instance_type", &entry.path.key("instance_type"));
        self.resource("template", entry.key, spec, false);
    }

    fn module(&mut self, entry: &Entry<'_>) {
        self.nonempty_key(entry);
        self.known_fields(entry, "module", &["name", "priority", "variety", "config"]);
        if entry.key.contains(':') {
            self.problem(
                &entry.path,
                "module name must not contain ':'; assignment keys are NODE:MODULE",
            );
        }
        self.name_matches_key(entry);
        let fields = entry.fields;
        let mut spec = Map::new();
        spec.insert("name".into(), Value::String(entry.key.to_string()));
        if let Some(p) = self.integer(fields, "priority", &entry.path.key("priority")) {
            spec.insert("priority".into(), p);
        }
        if let Some(v) = self.one_of(fields, "variety", VARIETIES, &entry.path.key("variety")) {
            spec.insert("variety".into(), v.into());
        }
        if let Some(c) = self.mapping(fields, "config", &entry.path.key("config")) {
            spec.insert("config".into(), c);
        }
        self.resource("module", entry.key, spec, false);
    }

    fn assignment(&mut self, entry: &Entry<'_>, modules: &BTreeSet<&str>) {
        self.nonempty_key(entry);
        self.known_fields(entry, "assignment", &["enabled", "priority", "config"]);
        // Split at the last ':' so a node name may itself contain ':'
        // (module names may not, see `module`).
        match entry.key.rsplit_once(':') {
            Some((node, module)) if !node.is_empty() && !module.is_empty() => {
                if !modules.contains(module) && !self.live.contains("module", module) {
                    self.problem(
                        &entry.path,
                        format!("module '{module}' is neither declared in fleet.yaml nor live"),
                    );
                }
            }
            _ => self.problem(
                &entry.path,
                "assignment key must be NODE:MODULE with both parts non-empty",
            ),
        }
        let fields = entry.fields;
        let mut spec = Map::new();
        if let Some(b) = self.boolean(fields, "enabled", &entry.path.key("enabled")) {
            spec.insert("enabled".into(), b.into());
        }
        if let Some(p) = self.integer(fields, "priority", &entry.path.key("priority")) {
            spec.insert("priority".into(), p);
        }
        if let Some(c) = self.mapping(fields, "config", &entry.path.key("config")) {
            spec.insert("config".into(), c);
        }
        self.resource("assignment", entry.key, spec, false);
    }

    fn provider_config(&mut self, entry: &Entry<'_>) {
        // Any fields: provider configs are shown, never applied.
        self.nonempty_key(entry);
        self.resource("provider_config", entry.key, entry.fields.clone(), true);
    }

    /// `node_template` of a pool or platform: a string naming a template
    /// declared here or live.
    fn node_template(
        &mut self,
        entry: &Entry<'_>,
        templates: &BTreeSet<&str>,
        spec: &mut Map<String, Value>,
    ) {
        let path = entry.path.key("node_template");
        if let Some(t) = self.string(entry.fields, "node_template", &path) {
            if !templates.contains(t) && !self.live.contains("template", t) {
                self.problem(
                    &path,
                    format!("node_template '{t}' is neither declared nor live"),
                );
            }
            spec.insert("node_template".into(), t.into());
        }
    }

    fn pool(&mut self, entry: &Entry<'_>, templates: &BTreeSet<&str>) {
        self.nonempty_key(entry);
        self.known_fields(
            entry,
            "pool",
            &[
                "name",
                "node_template",
                "target_size",
                "min_size",
                "max_size",
                "lifecycle_class",
                "status",
            ],
        );
        self.name_matches_key(entry);
        let fields = entry.fields;
        let mut spec = Map::new();
        self.node_template(entry, templates, &mut spec);
        let mut sizes = [None; 3];
        for (slot, key) in sizes
            .iter_mut()
            .zip(["min_size", "target_size", "max_size"])
        {
            *slot = self.count(fields, key, &entry.path.key(key));
            if let Some(n) = *slot {
                spec.insert(key.into(), n.into());
            }
        }
        let [min, target, max] = sizes;
        if let (Some(min), Some(target)) = (min, target)
            && min > target
        {
            self.problem(
                &entry.path.key("min_size"),
                format!("min_size ({min}) must not exceed target_size ({target})"),
            );
        }
        if let (Some(target), Some(max)) = (target, max)
            && target > max
        {
            self.problem(
                &entry.path.key("target_size"),
                format!("target_size ({target}) must not exceed max_size ({max})"),
            );
        }
        // With a target present, min > max already shows up as one of the
        // two problems above.
        if let (Some(min), None, Some(max)) = (min, target, max)
            && min > max
        {
            self.problem(
                &entry.path.key("min_size"),
                format!("min_size ({min}) must not exceed max_size ({max})"),
            );
        }
        let class_path = entry.path.key("lifecycle_class");
        if let Some(c) = self.one_of(fields, "lifecycle_class", LIFECYCLE_CLASSES, &class_path) {
            spec.insert("lifecycle_class".into(), c.into());
        }
        if let Some(s) = self.one_of(fields, "status", POOL_STATUSES, &entry.path.key("status")) {
            spec.insert("status".into(), s.into());
        }
        self.resource("pool", entry.key, spec, false);
    }

    fn platform(&mut self, entry: &Entry<'_>, templates: &BTreeSet<&str>) {
        self.nonempty_key(entry);
        self.known_fields(
            entry,
            "platform",
            &["name", "node_template", "service_role", "target_replicas"],
        );
        self.name_matches_key(entry);
        let fields = entry.fields;
        let mut spec = Map::new();
        self.node_template(entry, templates, &mut spec);
        let role_path = entry.path.key("service_role");
        if let Some(r) = self.one_of(fields, "service_role", SERVICE_ROLES, &role_path) {
            spec.insert("service_role".into(), r.into());
        }
        let replicas_path = entry.path.key("target_replicas");
        if let Some(n) = self.count(fields, "target_replicas", &replicas_path) {
            spec.insert("target_replicas".into(), n.into());
        }
        self.resource("platform", entry.key, spec, false);
    }

    /// The `fleet` section is one resource named `fleet`; unlike the other
    /// kinds its keys are a closed set, since all of them are applied.
    fn fleet(&mut self, value: &Value, path: &Path) {
        let fields = match value {
            Value::Null => return,
            Value::Object(fields) => fields,
            other => {
                self.problem(
                    path,
                    format!("expected a mapping, found {}", describe(other)),
                );
                return;
            }
        };
        let mut spec = Map::new();
        for key in fields.keys() {
            if !FLEET_KEYS.contains(&key.as_str()) {
                self.problem(
                    &path.key(key),
                    format!(
                        "unknown key '{key}' in the fleet section; expected one of {}",
                        FLEET_KEYS.join(", ")
                    ),
                );
            } else if let Some(s) = self.string(fields, key, &path.key(key)) {
                spec.insert(key.clone(), s.into());
            }
        }
        self.resource("fleet", "fleet", spec, false);
    }
}

#[cfg(test)]
mod tests;

/// The module part of an assignment key `NODE:MODULE` (split at the last `:`,
/// as validation does, so node names may contain `:`).
pub fn assignment_module(key: &str) -> Option<&str> {
    key.rsplit_once(':')
        .map(|(_, m)| m)
        .filter(|m| !m.is_empty())
}
