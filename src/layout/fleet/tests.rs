//! Behaviour of the fleet layout, driven through [`parse`] with in-memory files.

use super::*;
use crate::layout::{EntryKind, FileEntry, MAX_FILE_SIZE, MemFiles};
use serde_json::json;

const SPEC_EXAMPLE: &str = r#"
templates:
  web-server:
    name: web-server
    description: Standard nginx node
    node_platform_id: 4f6c2a8e-0d5b-4d8e-9a57-1c2b3d4e5f60
modules:
  nginx-public:
    name: nginx-public
    priority: 50
    variety: config
    config:
      nginx_workers: 4
assignments:
  app-01:nginx-public:
    enabled: true
    priority: 50
  app-03:nginx-public:
    enabled: false      # disabled on app-03 without detaching
provider_configs:
  aws-prod:
    provider: aws
    region: eu-west-1
"#;

fn files(content: &str) -> MemFiles {
    MemFiles::new("").with_file("fleet.yaml", content)
}

fn ok(content: &str) -> DesiredState {
    match parse(&files(content), &LiveNames::default()) {
        Ok(state) => state,
        Err(e) => panic!("expected success, got: {e}"),
    }
}

fn problems_with(content: &str, live: &LiveNames) -> Vec<Problem> {
    match parse(&files(content), live) {
        Err(LayoutError::Invalid(problems)) => problems,
        Err(other) => panic!("expected validation problems, got: {other}"),
        Ok(state) => panic!("expected validation problems, got {:?}", state.resources),
    }
}

fn problems(content: &str) -> Vec<Problem> {
    problems_with(content, &LiveNames::default())
}

/// The single problem of a document that has exactly one.
fn only_problem(content: &str) -> Problem {
    let mut all = problems(content);
    assert_eq!(all.len(), 1, "expected one problem, got {all:#?}");
    all.remove(0)
}

fn assert_problem(content: &str, path: &str, message_part: &str) {
    let all = problems(content);
    assert!(
        all.iter()
            .any(|p| p.path == path && p.message.contains(message_part)),
        "no problem at '{path}' containing '{message_part}' in {all:#?}"
    );
}

fn spec_of<'a>(state: &'a DesiredState, kind: &str, name: &str) -> &'a Value {
    &state
        .resources
        .iter()
        .find(|r| r.kind == kind && r.name == name)
        .unwrap_or_else(|| panic!("no {kind}/{name} in {:?}", state.resources))
        .spec
}

#[test]
fn spec_example_parses_to_its_resources() {
    let state = ok(SPEC_EXAMPLE);
    let keys: Vec<(&str, &str)> = state
        .resources
        .iter()
        .map(|r| (r.kind.as_str(), r.name.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("assignment", "app-01:nginx-public"),
            ("assignment", "app-03:nginx-public"),
            ("module", "nginx-public"),
            ("provider_config", "aws-prod"),
            ("template", "web-server"),
        ]
    );
    assert_eq!(
        spec_of(&state, "template", "web-server"),
        &json!({
            "name": "web-server",
            "description": "Standard nginx node",
            "node_platform_id": "4f6c2a8e-0d5b-4d8e-9a57-1c2b3d4e5f60",
        })
    );
    assert_eq!(
        spec_of(&state, "module", "nginx-public"),
        &json!({"name": "nginx-public", "priority": 50, "variety": "config",
                "config": {"nginx_workers": 4}})
    );
    assert_eq!(
        spec_of(&state, "assignment", "app-01:nginx-public"),
        &json!({"enabled": true, "priority": 50})
    );
    assert_eq!(
        spec_of(&state, "assignment", "app-03:nginx-public"),
        &json!({"enabled": false})
    );
    assert_eq!(
        spec_of(&state, "provider_config", "aws-prod"),
        &json!({"provider": "aws", "region": "eu-west-1"})
    );
    for r in &state.resources {
        assert_eq!(r.source_path, "fleet.yaml");
        assert_eq!(r.history_key, None);
        assert_eq!(r.informational, r.kind == "provider_config", "{}", r.kind);
    }
    assert!(state.warnings.is_empty());
}

#[test]
fn source_path_includes_the_repo_path() {
    let files = MemFiles::new("envs/prod").with_file("envs/prod/fleet.yaml", SPEC_EXAMPLE);
    let state = parse(&files, &LiveNames::default()).expect("valid");
    assert!(
        state
            .resources
            .iter()
            .all(|r| r.source_path == "envs/prod/fleet.yaml")
    );
}

#[test]
fn pools_platforms_and_fleet_keep_their_diff_scope() {
    let state = ok(r#"
templates:
  base: {instance_type: m5.large, provider_region: eu-west-1}
pools:
  edge:
    name: edge
    node_template: base
    min_size: 1
    target_size: 2
    max_size: 3
    lifecycle_class: spot
    status: active
platforms:
  api:
    node_template: base
    service_role: reverse-proxy
    target_replicas: 0
fleet:
  default_template: base
  provider: aws
"#);
    // Declared fields outside the diff scope are accepted but not carried.
    assert_eq!(
        spec_of(&state, "template", "base"),
        &json!({"name": "base"})
    );
    assert_eq!(
        spec_of(&state, "pool", "edge"),
        &json!({"node_template": "base", "min_size": 1, "target_size": 2, "max_size": 3,
                "lifecycle_class": "spot", "status": "active"})
    );
    assert_eq!(
        spec_of(&state, "platform", "api"),
        &json!({"node_template": "base", "service_role": "reverse-proxy", "target_replicas": 0})
    );
    assert_eq!(
        spec_of(&state, "fleet", "fleet"),
        &json!({"default_template": "base", "provider": "aws"})
    );
}

#[test]
fn empty_documents_are_an_empty_state() {
    for content in [
        "",
        "# nothing yet\n",
        "null\n",
        "---\n",
        "templates:\nmodules: ~\nfleet:\n",
    ] {
        let state = ok(content);
        assert!(
            state.resources.is_empty(),
            "{content:?}: {:?}",
            state.resources
        );
    }
}

#[test]
fn missing_file_is_an_error_not_an_empty_state() {
    let err = parse(&MemFiles::new(""), &LiveNames::default()).unwrap_err();
    let LayoutError::Invalid(problems) = err else {
        panic!("expected Invalid, got {err}");
    };
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].file, "fleet.yaml");
    assert_eq!(problems[0].message, "no fleet.yaml at the repo path '.'");

    let files = MemFiles::new("envs/prod").with_file("envs/fleet.yaml", "");
    let err = parse(&files, &LiveNames::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("no fleet.yaml at the repo path 'envs/prod'"),
        "{err}"
    );
}

#[test]
fn over_one_mebibyte_is_refused_before_reading() {
    // The entry claims a size over the limit; no content exists to read.
    let files = MemFiles::new("").with_entry(FileEntry {
        path: "fleet.yaml".into(),
        kind: EntryKind::File,
        size: MAX_FILE_SIZE + 1,
        id: "big".into(),
    });
    let err = parse(&files, &LiveNames::default()).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("fleet.yaml") && text.contains("1048576"),
        "{text}"
    );

    let content = format!("# {}\n", "x".repeat(MAX_FILE_SIZE as usize));
    let err = parse(&files_owned(content), &LiveNames::default()).unwrap_err();
    assert!(err.to_string().contains("over the limit"), "{err}");
}

fn files_owned(content: String) -> MemFiles {
    MemFiles::new("").with_file("fleet.yaml", content)
}

#[test]
fn symlinked_fleet_yaml_is_refused() {
    let files = MemFiles::new("").with_entry(FileEntry {
        path: "fleet.yaml".into(),
        kind: EntryKind::Symlink,
        size: 10,
        id: "link".into(),
    });
    let err = parse(&files, &LiveNames::default()).unwrap_err();
    assert!(err.to_string().contains("symbolic link"), "{err}");
}

#[test]
fn more_than_one_document_is_refused() {
    let p = only_problem("templates: {}\n---\nmodules: {}\n");
    assert!(p.message.contains("more than one YAML document"), "{p}");
}

#[test]
fn duplicate_keys_are_refused_naming_the_key() {
    let p = only_problem("modules:\n  a: {priority: 1}\n  a: {priority: 2}\n");
    assert!(p.message.contains("duplicate key 'a'"), "{p}");
    assert!(p.message.contains("line 3"), "{p}");
}

#[test]
fn syntax_errors_carry_line_and_column() {
    let p = only_problem("modules:\n  a:\n    priority: [1, 2\n");
    assert_eq!(p.file, "fleet.yaml");
    assert!(p.message.contains("line"), "{p}");
    assert!(p.message.contains("column"), "{p}");
}

#[test]
fn object_building_tags_are_refused() {
    for content in [
        "modules:\n  a: !!python/object:os.system {}\n",
        "modules:\n  a:\n    config: !!python/object/apply:os.system [ls]\n",
        "templates:\n  t:\n    description: !Secret abc\n",
    ] {
        let p = only_problem(content);
        assert!(p.message.contains("not allowed"), "{content:?}: {p}");
    }
    // Standard tags are still data.
    let state = ok("modules:\n  a:\n    priority: !!int \"7\"\n    config: {v: !!str 5}\n");
    assert_eq!(
        spec_of(&state, "module", "a"),
        &json!({"name": "a", "priority": 7, "config": {"v": "5"}})
    );
}

// How quickly is measured by a benchmark, not here: this guards that the
// budget, not memory, is what stops it.
#[test]
fn billion_laughs_is_refused_by_the_alias_budget() {
    let mut doc =
        String::from("templates: {}\nx0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let prev = format!("*x{}", i - 1);
        let items = [prev.as_str(); 9].join(", ");
        doc.push_str(&format!("x{i}: &x{i} [{items}]\n"));
    }
    let p = only_problem(&doc);
    assert!(p.message.contains("alias expansion budget exceeded"), "{p}");
}

#[test]
fn one_big_string_aliased_many_times_is_refused() {
    let big = "y".repeat(200_000);
    let mut doc = format!("modules:\n  a:\n    config:\n      big: &big {big}\n");
    for i in 0..60 {
        doc.push_str(&format!("      c{i}: *big\n"));
    }
    let p = only_problem(&doc);
    assert!(p.message.contains("alias expansion budget exceeded"), "{p}");
}

#[test]
fn a_few_hundred_harmless_aliases_parse() {
    let mut doc = String::from(
        "modules:\n  base:\n    variety: config\n    config: &shared {workers: 4, tags: [a, b, c]}\n",
    );
    doc.push_str("assignments:\n");
    for i in 0..200 {
        doc.push_str(&format!(
            "  node-{i}:base:\n    enabled: true\n    config: *shared\n"
        ));
    }
    let state = ok(&doc);
    assert_eq!(state.resources.len(), 201);
    assert_eq!(
        spec_of(&state, "assignment", "node-199:base"),
        &json!({"enabled": true, "config": {"workers": 4, "tags": ["a", "b", "c"]}})
    );
}

#[test]
fn nesting_is_bounded() {
    let doc = format!(
        "modules:\n  a:\n    config: {{x: {}{}}}\n",
        "[".repeat(80),
        "]".repeat(80)
    );
    let p = only_problem(&doc);
    assert!(p.message.contains("nesting deeper than 64"), "{p}");
}

// Guards: 10,000 nested flow sequences stopped in the scanner with a bare
// "recursion limit exceeded"; the limit is the same, so are the words.
#[test]
fn very_deep_flow_nesting_names_the_depth_limit() {
    let doc = format!(
        "modules:\n  a:\n    config: {{x: {}{}}}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let p = only_problem(&doc);
    assert!(
        p.message.contains("YAML nesting deeper than 64 levels"),
        "{p}"
    );
}

// Guards: the YAML crate's own messages told the operator to change parser
// options (for !!binary) or left out what to fix (for an alias before its
// anchor).
#[test]
fn binary_and_unknown_anchor_errors_say_what_to_fix() {
    // !!binary of ESC [ 2 J 0xff 0x9b.
    let p = only_problem("modules:\n  a:\n    config: {x: !!binary G1sySv+b}\n");
    assert!(
        p.message
            .starts_with("a !!binary value that is not UTF-8 text; values must be text (line 3"),
        "{p}"
    );
    let p =
        only_problem("modules:\n  a:\n    config: {x: *later}\nfleet: {provider: &later aws}\n");
    assert!(
        p.message.starts_with("an alias names no anchor before it;"),
        "{p}"
    );
}

#[test]
fn unknown_top_level_key_is_named() {
    let p = only_problem("modulez: {}\n");
    assert_eq!(p.path, "modulez");
    assert_eq!(
        p.message,
        "unknown top-level key 'modulez'; expected one of templates, modules, assignments, provider_configs, pools, platforms, fleet"
    );
}

#[test]
fn top_level_sections_and_entries_must_be_mappings() {
    assert_problem(
        "- a\n- b\n",
        "",
        "expected a mapping at the top level, found a sequence",
    );
    assert_problem("modules: [a, b]\n", "modules", "found a sequence");
    assert_problem("templates:\n  web: 5\n", "templates.web", "found integer 5");
    assert_problem("templates:\n  web:\n", "templates.web", "found null");
    assert_problem("fleet: prod\n", "fleet", "expected a mapping");
}

#[test]
fn name_must_equal_its_key() {
    let p = only_problem("templates:\n  web-server:\n    name: web\n");
    assert_eq!(p.path, "templates.web-server.name");
    assert_eq!(p.message, "name 'web' differs from its key 'web-server'");
    assert_problem(
        "modules:\n  m:\n    name: n\n",
        "modules.m.name",
        "differs from its key",
    );
    assert_problem(
        "templates: {t: {}}\npools:\n  p:\n    name: q\n",
        "pools.p.name",
        "differs from its key",
    );
    assert_problem(
        "platforms:\n  p:\n    name: 5\n",
        "platforms.p.name",
        "expected a string, found integer 5",
    );
}

#[test]
fn integers_must_be_yaml_integers() {
    let p = only_problem("modules:\n  nginx-public:\n    priority: \"50\"\n");
    assert_eq!(p.path, "modules.nginx-public.priority");
    assert_eq!(p.message, "expected an integer, found string \"50\"");
    assert_problem(
        "assignments:\n  n:m: {priority: 1.5}\nmodules: {m: {}}\n",
        "assignments.n:m.priority",
        "expected an integer, found float 1.5",
    );
}

// Guards: an integer past 64 bits was reported as "found float 1e+20", and
// one between i64::MAX and u64::MAX was accepted.
#[test]
fn integers_past_i64_are_out_of_range_not_floats() {
    for (written, shown) in [
        ("9223372036854775808", "9223372036854775808"),
        ("18446744073709551616", "1.8446744073709552e+19"),
        ("-99999999999999999999", "-1e+20"),
    ] {
        let p = only_problem(&format!(
            "modules:\n  nginx-public:\n    priority: {written}\n"
        ));
        assert_eq!(p.path, "modules.nginx-public.priority");
        assert_eq!(
            p.message,
            format!(
                "{shown} is out of range: integers must be from -9223372036854775808 to 9223372036854775807"
            )
        );
    }
    assert_problem(
        "modules:\n  nginx-public:\n    priority: 50.0\n",
        "modules.nginx-public.priority",
        "expected an integer, found float 50.0",
    );
}

#[test]
fn enums_are_checked() {
    let p = only_problem("modules:\n  m:\n    variety: foo\n");
    assert_eq!(p.path, "modules.m.variety");
    assert_eq!(
        p.message,
        "variety must be one of subscription, role, config, instance, found 'foo'"
    );
    assert_problem(
        "pools:\n  p: {lifecycle_class: reserved}\n",
        "pools.p.lifecycle_class",
        "lifecycle_class must be one of ephemeral, spot, found 'reserved'",
    );
    assert_problem(
        "pools:\n  p: {status: 3}\n",
        "pools.p.status",
        "found integer 3",
    );
    assert_problem(
        "platforms:\n  p: {service_role: db}\n",
        "platforms.p.service_role",
        "service_role must be one of api, worker",
    );
}

#[test]
fn other_field_types_are_checked() {
    assert_problem(
        "modules: {m: {}}\nassignments:\n  n:m: {enabled: yes}\n",
        "assignments.n:m.enabled",
        "expected a boolean, found string \"yes\"",
    );
    assert_problem(
        "modules:\n  m: {config: [1]}\n",
        "modules.m.config",
        "expected a mapping",
    );
    assert_problem(
        "templates:\n  t: {description: 5}\n",
        "templates.t.description",
        "expected a string",
    );
    assert_problem(
        "templates:\n  t: {instance_type: [a]}\n",
        "templates.t.instance_type",
        "expected a string",
    );
}

#[test]
fn fleet_section_is_closed() {
    let p = only_problem("fleet:\n  provider: aws\n  region: x\n");
    assert_eq!(p.path, "fleet.region");
    assert!(p.message.contains("unknown key 'region'"), "{p}");
    assert_problem(
        "fleet: {provider: 1}\n",
        "fleet.provider",
        "expected a string",
    );
}

#[test]
fn assignment_keys_are_node_colon_module() {
    for key in ["app-01", ":m", "app-01:", "':'"] {
        let doc = format!("modules: {{m: {{}}}}\nassignments:\n  {key}: {{}}\n");
        let p = only_problem(&doc);
        assert_eq!(
            p.message, "assignment key must be NODE:MODULE with both parts non-empty",
            "{key}"
        );
    }
    // The module is what follows the last ':'.
    let state = ok("modules: {m: {}}\nassignments:\n  rack:7:m: {}\n");
    assert_eq!(spec_of(&state, "assignment", "rack:7:m"), &json!({}));
    assert_problem(
        "modules:\n  a:b: {}\n",
        "modules.a:b",
        "must not contain ':'",
    );
}

#[test]
fn references_must_be_declared_or_live() {
    let doc = "assignments:\n  n:ghost: {}\npools:\n  p: {node_template: t}\nplatforms:\n  q: {node_template: t}\n";
    let all = problems(doc);
    assert!(all.iter().any(|p| p.path == "assignments.n:ghost"
        && p.message == "module 'ghost' is neither declared in fleet.yaml nor live"));
    assert!(all.iter().any(|p| p.path == "pools.p.node_template"
        && p.message == "node_template 't' is neither declared nor live"));
    assert!(all.iter().any(|p| p.path == "platforms.q.node_template"));

    let mut live = LiveNames::default();
    live.insert("module", "ghost");
    live.insert("template", "t");
    let state = parse(&files(doc), &live).expect("live names satisfy the references");
    assert_eq!(state.resources.len(), 3);

    // Names of the wrong kind do not count.
    let mut wrong = LiveNames::default();
    wrong.insert("template", "ghost");
    wrong.insert("module", "t");
    assert_eq!(problems_with(doc, &wrong).len(), 3);
}

#[test]
fn pool_sizes_are_ordered_and_non_negative() {
    let p = only_problem("pools:\n  p: {min_size: 5, target_size: 3}\n");
    assert_eq!(p.path, "pools.p.min_size");
    assert_eq!(p.message, "min_size (5) must not exceed target_size (3)");
    assert_problem(
        "pools:\n  p: {target_size: 9, max_size: 4}\n",
        "pools.p.target_size",
        "target_size (9) must not exceed max_size (4)",
    );
    assert_problem(
        "pools:\n  p: {min_size: 9, max_size: 4}\n",
        "pools.p.min_size",
        "min_size (9) must not exceed max_size (4)",
    );
    assert_problem(
        "pools:\n  p: {target_size: -1}\n",
        "pools.p.target_size",
        "must not be negative",
    );
    assert_problem(
        "platforms:\n  p: {target_replicas: -2}\n",
        "platforms.p.target_replicas",
        "must not be negative",
    );
    ok("pools:\n  p: {min_size: 0, target_size: 0, max_size: 0}\n");
}

#[test]
fn node_platform_is_the_older_spelling() {
    let state =
        ok("templates:\n  t: {node_platform: abc}\n  u: {node_platform: x, node_platform_id: x}\n");
    assert_eq!(
        spec_of(&state, "template", "t"),
        &json!({"name": "t", "node_platform_id": "abc"})
    );
    assert_eq!(
        spec_of(&state, "template", "u"),
        &json!({"name": "u", "node_platform_id": "x"})
    );
    let p = only_problem("templates:\n  t: {node_platform: a, node_platform_id: b}\n");
    assert_eq!(p.path, "templates.t.node_platform");
    assert!(p.message.contains("differs from node_platform_id"), "{p}");
}

#[test]
fn all_problems_are_reported_together() {
    let doc = r#"
modulez: {}
templates:
  web-server:
    name: web
modules:
  m:
    priority: "50"
    variety: foo
assignments:
  bad: {}
  n:ghost: {enabled: 1}
pools:
  p: {node_template: nope, min_size: 5, target_size: 3}
fleet: {extra: 1}
"#;
    let all = problems(doc);
    let paths: BTreeSet<&str> = all.iter().map(|p| p.path.as_str()).collect();
    for expected in [
        "modulez",
        "templates.web-server.name",
        "modules.m.priority",
        "modules.m.variety",
        "assignments.bad",
        "assignments.n:ghost",
        "assignments.n:ghost.enabled",
        "pools.p.node_template",
        "pools.p.min_size",
        "fleet.extra",
    ] {
        assert!(paths.contains(expected), "missing {expected} in {all:#?}");
    }
    assert_eq!(all.len(), 10, "{all:#?}");
    assert!(all.iter().all(|p| p.file == "fleet.yaml"));
    let err = parse(&files(doc), &LiveNames::default()).unwrap_err();
    assert!(err.to_string().starts_with("10 validation errors"), "{err}");
}

#[test]
fn awkward_keys_are_quoted_in_paths() {
    let p = only_problem("modules:\n  a.b: {priority: x}\n");
    assert_eq!(p.path, "modules[\"a.b\"].priority");
}

#[test]
fn output_is_sorted_by_kind_then_name() {
    let state = ok("modules: {z: {}, a: {}}\ntemplates: {m: {}}\nfleet: {}\n");
    let keys: Vec<(&str, &str)> = state
        .resources
        .iter()
        .map(|r| (r.kind.as_str(), r.name.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("fleet", "fleet"),
            ("module", "a"),
            ("module", "z"),
            ("template", "m")
        ]
    );
}
#[test]
fn null_keys_and_non_finite_floats_are_refused() {
    let p = only_problem("~: 1\n");
    assert!(p.message.contains("mapping key is null"), "{p}");
    let p = only_problem("modules:\n  m:\n    config: {ratio: .nan}\n");
    assert!(p.message.contains("not a finite number"), "{p}");
}

#[test]
fn a_misspelt_field_is_an_error_not_a_value_dropped() {
    let problems = problems(
        r#"
modules:
  a: {name: a, priorty: 1, variety: role}
assignments:
  "n:a": {enabeld: true}
"#,
    );
    let text = problems
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        text.contains("modules.a.priorty: unknown field 'priorty' of a module"),
        "{text}"
    );
    assert!(text.contains("enabeld"), "{text}");
}

#[test]
fn names_with_control_characters_are_refused() {
    let problems = problems("modules:\n  \"evil\\u001b[31m\": {variety: role}\n");
    assert!(
        problems
            .iter()
            .any(|p| p.message.contains("control characters")),
        "{problems:?}"
    );
}
