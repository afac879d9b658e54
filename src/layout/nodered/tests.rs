//! Unit tests of the nodered layout, on the projects under `fixtures/nodered`.

use super::*;
use crate::layout::MemFiles;
use serde_json::json;

const HOME_FLOWS: &str = include_str!("../../../fixtures/nodered/home/v1/flows.json");
const HOME_PACKAGE: &str = include_str!("../../../fixtures/nodered/home/v1/package.json");
const HOME_CATALOG: &str = include_str!("../../../fixtures/nodered/home/v1/.config.nodes.json");
const HOME_V2_FLOWS: &str = include_str!("../../../fixtures/nodered/home/v2/flows.json");
const MINIMAL_FLOW: &str = include_str!("../../../fixtures/nodered/minimal/flow.json");
const MINIMAL_PACKAGE: &str = include_str!("../../../fixtures/nodered/minimal/package.json");

fn home() -> MemFiles {
    MemFiles::new("")
        .with_file("package.json", HOME_PACKAGE)
        .with_file("flows.json", HOME_FLOWS)
        .with_file(".config.nodes.json", HOME_CATALOG)
}

fn parse_ok(files: &MemFiles) -> DesiredState {
    parse(files, &LayoutOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn problems(files: &MemFiles) -> Vec<String> {
    match parse(files, &LayoutOptions::default()) {
        Err(LayoutError::Invalid(problems)) => problems.iter().map(|p| p.to_string()).collect(),
        other => panic!("expected validation errors, got {other:?}"),
    }
}

fn find<'a>(state: &'a DesiredState, kind: &str, name: &str) -> &'a DesiredResource {
    state
        .resources
        .iter()
        .find(|r| r.kind == kind && r.name == name)
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

#[test]
fn core_types_are_sorted_for_binary_search() {
    assert!(CORE_NODE_TYPES.windows(2).all(|w| w[0] < w[1]));
    for ty in [
        "inject",
        "debug",
        "function",
        "mqtt in",
        "http in",
        "link call",
    ] {
        assert!(CORE_NODE_TYPES.binary_search(&ty).is_ok(), "{ty}");
    }
}

#[test]
fn a_project_becomes_flows_subflows_configs_and_packages() {
    let state = parse_ok(&home());
    let names: Vec<(String, String)> = state
        .resources
        .iter()
        .map(|r| (r.kind.clone(), r.name.clone()))
        .collect();
    let count = |kind: &str| names.iter().filter(|(k, _)| k == kind).count();
    assert_eq!(count("flow"), 3, "{names:?}");
    assert_eq!(count("subflow"), 1);
    assert_eq!(count("config"), 6);
    assert_eq!(count("package"), 3);
    assert!(state.warnings.is_empty(), "{:?}", state.warnings);
    let sensors = find(&state, "flow", "5e1f0c2a8b7d3e91");
    assert_eq!(sensors.spec["tab"]["label"], "Sensors");
    assert_eq!(sensors.source_path, "flows.json");
    let nodes = sensors.spec["nodes"].as_array().unwrap();
    let types: Vec<&str> = nodes.iter().map(|n| n["type"].as_str().unwrap()).collect();
    assert!(
        types.contains(&"group") && types.contains(&"junction"),
        "{types:?}"
    );
    let ids: Vec<&str> = nodes.iter().map(|n| n["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "nodes sorted by id");
    let subflow = find(&state, "subflow", "9a4e2c7b1d5f3e60");
    assert_eq!(subflow.spec["subflow"]["name"], "Format reading");
    assert_eq!(subflow.spec["nodes"].as_array().unwrap().len(), 2);
    let broker = find(&state, "config", "d2c4e6f8a0b1c3d5");
    assert_eq!(broker.spec["node"]["broker"], "mqtt.home.lan");
    assert_eq!(
        find(&state, "package", "node-red-dashboard").spec,
        json!({"name": "node-red-dashboard", "version": "~3.6.6"})
    );
    assert_eq!(
        find(&state, "package", "node-red-dashboard").source_path,
        "package.json"
    );
}

#[test]
fn a_type_only_the_catalog_maps_becomes_an_inferred_package() {
    let state = parse_ok(&home());
    assert_eq!(
        find(&state, "package", "node-red-node-random").spec,
        json!({"name": "node-red-node-random", "version": "0.4.1", "inferred": true})
    );
}

#[test]
fn an_unmapped_type_is_a_warning_naming_type_and_flow() {
    let files = MemFiles::new("")
        .with_file("package.json", MINIMAL_PACKAGE)
        .with_file("flow.json", MINIMAL_FLOW);
    let state = parse_ok(&files);
    assert_eq!(
        state.warnings,
        ["unknown node type 'random' used by flow 'Main'"]
    );
    // Everything else is still declared.
    assert_eq!(state.resources.len(), 1);
    assert_eq!(
        state.resources[0].spec["nodes"].as_array().unwrap().len(),
        3
    );
}

#[test]
fn a_host_catalog_replaces_the_one_in_the_repo() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.json");
    std::fs::write(
        &catalog,
        r#"{"node-red-node-random": {"name": "node-red-node-random", "nodes": {"random": {"types": ["random"]}}}}"#,
    )
    .unwrap();
    let files = MemFiles::new("")
        .with_file("package.json", MINIMAL_PACKAGE)
        .with_file("flow.json", MINIMAL_FLOW)
        .with_file(".config.nodes.json", "{}");
    let options = LayoutOptions {
        catalog: Some(catalog.display().to_string()),
        ..Default::default()
    };
    let state = parse(&files, &options).unwrap();
    assert!(state.warnings.is_empty(), "{:?}", state.warnings);
    assert_eq!(
        find(&state, "package", "node-red-node-random").spec,
        json!({"name": "node-red-node-random", "version": "latest", "inferred": true})
    );
    let missing = LayoutOptions {
        catalog: Some(dir.path().join("nope.json").display().to_string()),
        ..Default::default()
    };
    let err = parse(&files, &missing).unwrap_err().to_string();
    assert!(
        err.contains("nope.json (--catalog): cannot read it"),
        "{err}"
    );
}

#[test]
fn declared_packages_cover_the_types_the_catalog_maps_to_them() {
    let files = MemFiles::new("")
        .with_file(
            "package.json",
            r#"{"dependencies": {"node-red-node-random": "^0.4.0"}}"#,
        )
        .with_file("flow.json", MINIMAL_FLOW)
        .with_file(".config.nodes.json", HOME_CATALOG);
    let state = parse_ok(&files);
    assert!(state.warnings.is_empty());
    assert_eq!(
        find(&state, "package", "node-red-node-random").spec,
        json!({"name": "node-red-node-random", "version": "^0.4.0"})
    );
}

#[test]
fn the_flow_file_is_the_named_one_then_flows_json_then_flow_json() {
    let named = MemFiles::new("app")
        .with_file(
            "app/package.json",
            r#"{"node-red": {"settings": {"flowFile": "my-flows.json"}}}"#,
        )
        .with_file("app/my-flows.json", MINIMAL_FLOW)
        .with_file("app/flows.json", "not read");
    assert_eq!(
        parse_ok(&named).resources[0].source_path,
        "app/my-flows.json"
    );
    let both = MemFiles::new("")
        .with_file("package.json", "{}")
        .with_file("flows.json", "[]")
        .with_file("flow.json", MINIMAL_FLOW);
    assert!(parse_ok(&both).resources.is_empty());
    let missing_named = MemFiles::new("")
        .with_file(
            "package.json",
            r#"{"node-red": {"settings": {"flowFile": "gone.json"}}}"#,
        )
        .with_file("flows.json", "[]");
    assert_eq!(
        problems(&missing_named),
        [
            "package.json: node-red.settings.flowFile: names the flow file 'gone.json', but the repo path has no such file"
        ]
    );
    let none = MemFiles::new("").with_file("package.json", "{}");
    assert!(
        problems(&none)[0].contains("no flow file"),
        "{:?}",
        problems(&none)
    );
    let no_package = MemFiles::new("").with_file("flows.json", "[]");
    assert!(problems(&no_package)[0].contains("no package.json at the repo path '.'"));
}

#[test]
fn a_flow_file_outside_the_project_or_a_credential_file_is_refused() {
    for (name, why) in [
        ("../flows.json", "escapes the repo path"),
        ("/etc/flows.json", "relative"),
        ("flows_cred.json", "credential file"),
    ] {
        let files = MemFiles::new("")
            .with_file(
                "package.json",
                json!({"node-red": {"settings": {"flowFile": name}}}).to_string(),
            )
            .with_file("flows_cred.json", "{\"secret\": 1}");
        let found = problems(&files);
        assert!(
            found[0].starts_with("package.json: node-red.settings.flowFile: ")
                && found[0].contains(why),
            "{name}: {found:?}"
        );
    }
}

#[test]
fn invalid_package_json_names_line_and_column() {
    let files = MemFiles::new("")
        .with_file(
            "package.json",
            include_str!("../../../fixtures/nodered/broken/package-json/package.json"),
        )
        .with_file("flows.json", "[]");
    assert_eq!(
        problems(&files),
        ["package.json: invalid JSON at line 6, column 5: trailing comma"]
    );
}

#[test]
fn package_json_shape_problems_come_together() {
    let files = MemFiles::new("")
        .with_file(
            "package.json",
            r#"{"dependencies": {"a": 1, "b.c": "", "ok": "1.0.0"}, "node-red": {"settings": {"flowFile": 7}}}"#,
        )
        .with_file("flows.json", "[]");
    assert_eq!(
        problems(&files),
        [
            "package.json: dependencies.a: expected a version string, found number 1",
            "package.json: dependencies[\"b.c\"]: expected a version string, found string \"\"",
            "package.json: node-red.settings.flowFile: expected the flow file name as a string, found number 7",
        ]
    );
}

#[test]
fn structure_errors_of_the_flow_file_come_all_at_once() {
    let files = MemFiles::new("")
        .with_file(
            "package.json",
            include_str!("../../../fixtures/nodered/broken/node-without-id/package.json"),
        )
        .with_file(
            "flows_main.json",
            include_str!("../../../fixtures/nodered/broken/node-without-id/flows_main.json"),
        );
    assert_eq!(
        problems(&files),
        [
            "flows_main.json: [1]: 'inject' node has no 'id' (a non-empty string)",
            "flows_main.json: [2]: node '52c3d4e5f6071829' has no 'type' (a non-empty string)",
            "flows_main.json: [3]: node '63d4e5f60718293a' (debug) has z 'deadbeefdeadbeef', which names no tab or subflow in the flow file",
        ]
    );
}

#[test]
fn a_flow_file_that_is_not_an_array_is_refused() {
    let files = MemFiles::new("").with_file("package.json", "{}").with_file(
        "flows.json",
        include_str!("../../../fixtures/nodered/broken/flows-not-array/flows.json"),
    );
    assert_eq!(
        problems(&files),
        ["flows.json: expected a JSON array of nodes, found an object"]
    );
}

#[test]
fn duplicate_ids_are_refused() {
    let files = MemFiles::new("").with_file("package.json", "{}").with_file(
        "flows.json",
        include_str!("../../../fixtures/nodered/broken/duplicate-ids/flows.json"),
    );
    assert_eq!(
        problems(&files),
        [
            "flows.json: [3]: duplicate id '52c3d4e5f6071829': the node at [2] has it too; ids must be unique in the flow file"
        ]
    );
}

#[test]
fn inline_credentials_never_reach_a_spec() {
    let flows = json!([
        {"id": "t1", "type": "tab", "label": "Main"},
        {"id": "b1", "type": "mqtt-broker", "broker": "x", "credentials": {"password": "hunter2"}},
    ]);
    let files = MemFiles::new("")
        .with_file("package.json", "{}")
        .with_file("flows.json", flows.to_string());
    let state = parse_ok(&files);
    let text = serde_json::to_string(&state.resources.iter().map(|r| &r.spec).collect::<Vec<_>>())
        .unwrap();
    assert!(!text.contains("hunter2"), "{text}");
}

#[test]
fn subflow_instances_need_their_subflow_in_the_file() {
    let flows = json!([
        {"id": "t1", "type": "tab", "label": "Main"},
        {"id": "s1", "type": "subflow", "name": "Helper"},
        {"id": "n1", "type": "subflow:s1", "z": "t1", "x": 1, "y": 1},
        {"id": "n2", "type": "subflow:gone", "z": "t1", "x": 1, "y": 1},
        {"id": "n3", "type": "hue-light", "z": "s1", "x": 1, "y": 1},
        {"id": "c1", "type": "hue-bridge", "name": "Bridge"},
    ]);
    let files = MemFiles::new("")
        .with_file(
            "package.json",
            r#"{"dependencies": {"node-red-contrib-huemagic": "4.2.2"}}"#,
        )
        .with_file("flows.json", flows.to_string());
    let state = parse_ok(&files);
    assert_eq!(
        state.warnings,
        [
            "unknown node type 'hue-bridge' used by config node 'Bridge' (perhaps from node-red-contrib-huemagic, which the node catalog does not describe)",
            "unknown node type 'hue-light' used by subflow 'Helper' (perhaps from node-red-contrib-huemagic, which the node catalog does not describe)",
            "unknown node type 'subflow:gone' used by flow 'Main' (perhaps from node-red-contrib-huemagic, which the node catalog does not describe)",
        ]
    );
}

#[test]
fn a_flow_change_is_summarized_node_by_node() {
    let old = parse_ok(&home());
    let new = parse_ok(&home().with_file("flows.json", HOME_V2_FLOWS));
    let sensors = "5e1f0c2a8b7d3e91";
    let summary = describe_change(
        "flow",
        Some(&find(&old, "flow", sensors).spec),
        Some(&find(&new, "flow", sensors).spec),
    )
    .unwrap();
    assert_eq!(
        summary,
        "tab 'Sensors' (5e1f0c2a8b7d3e91): 1 node added, 1 removed, 1 changed\n\
         \x20 + rbe 'only changes' (ab12cd34ef567890)\n\
         \x20 - debug 'normal readings' (a2b3c4d5e6f70819)\n\
         \x20 ~ switch 'too hot?' (7f8091a2b3c4d5e6): rules, wires\n"
    );
    let renamed = describe_change(
        "flow",
        Some(&find(&old, "flow", "7c3a9e4b2f1d6a08").spec),
        Some(&find(&new, "flow", "7c3a9e4b2f1d6a08").spec),
    )
    .unwrap();
    assert!(
        renamed.contains("~ tab 'Living room' (7c3a9e4b2f1d6a08): label"),
        "{renamed}"
    );
    let removed = describe_change(
        "flow",
        Some(&find(&old, "flow", "0b8d6f2e4c9a1357").spec),
        None,
    )
    .unwrap();
    assert!(
        removed.starts_with(
            "tab 'Maintenance' (0b8d6f2e4c9a1357): 0 nodes added, 7 removed, 0 changed\n"
        ),
        "{removed}"
    );
    assert_eq!(
        describe_change(
            "config",
            Some(&find(&old, "config", "d2c4e6f8a0b1c3d5").spec),
            Some(&find(&new, "config", "d2c4e6f8a0b1c3d5").spec),
        )
        .unwrap(),
        "  ~ mqtt-broker 'Home broker' (d2c4e6f8a0b1c3d5): broker\n"
    );
    assert_eq!(describe_change("package", None, Some(&json!({}))), None);
}

// Guards: flow files of big projects pass 1 MiB; they are read up to the
// larger limit, while package.json keeps 1 MiB.
#[test]
fn a_flow_file_over_one_mib_is_read() {
    let mut nodes = vec![json!({"id": "t1", "type": "tab", "label": "Big"})];
    for i in 0..12_000 {
        nodes.push(json!({"id": format!("c{i}"), "type": "comment", "z": "t1", "name": "x".repeat(100), "x": 10, "y": 10, "wires": []}));
    }
    let flows = serde_json::to_string(&nodes).unwrap();
    assert!(flows.len() > 1_048_576);
    let files = MemFiles::new("")
        .with_file("package.json", "{}")
        .with_file("flows.json", flows);
    let state = parse_ok(&files);
    assert_eq!(
        find(&state, "flow", "t1").spec["nodes"]
            .as_array()
            .unwrap()
            .len(),
        12_000
    );
    let big_package = format!("{{\"description\": \"{}\"}}", "x".repeat(1_100_000));
    let files = MemFiles::new("")
        .with_file("package.json", big_package)
        .with_file("flows.json", "[]");
    assert!(matches!(
        parse(&files, &LayoutOptions::default()),
        Err(LayoutError::Refused { .. })
    ));
}

#[test]
fn a_duplicate_key_in_a_flow_file_is_refused() {
    // Node-RED would keep the second "func" and run it unseen.
    let flows = r#"[{"id": "t1", "type": "tab"},
        {"id": "f1", "type": "function", "z": "t1", "func": "return msg;", "func": "exfiltrate();"}]"#;
    let files = MemFiles::new("")
        .with_file("package.json", "{}")
        .with_file("flows.json", flows);
    let found = problems(&files);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("flows.json: invalid JSON at line 2")
            && found[0].contains("duplicate key 'func'"),
        "{found:?}"
    );
}
