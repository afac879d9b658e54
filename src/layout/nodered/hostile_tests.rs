//! Unit tests of what the nodered layout refuses from a hostile repository:
//! package sources that run code, names npm would misread, control and bidi
//! characters in ids, types and names, duplicate JSON keys.

use super::*;
use crate::layout::MemFiles;
use serde_json::json;

const MINIMAL_FLOW: &str = include_str!("../../../fixtures/nodered/minimal/flow.json");

/// A project whose `package.json` declares `dependencies` (and whose flows
/// are the minimal fixture's).
fn with_dependencies(dependencies: &str) -> MemFiles {
    MemFiles::new("")
        .with_file(
            "package.json",
            format!(r#"{{"dependencies": {dependencies}}}"#),
        )
        .with_file("flow.json", MINIMAL_FLOW)
}

fn problems_with(files: &MemFiles, options: &LayoutOptions) -> Vec<String> {
    match parse(files, options) {
        Err(LayoutError::Invalid(problems)) => {
            let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
            for line in &text {
                // Every message can go to a terminal and a hook's log as it is.
                assert_eq!(crate::text::first_unsafe_char(line), None, "{line:?}");
            }
            text
        }
        other => panic!("expected validation errors, got {other:?}"),
    }
}

fn problems(files: &MemFiles) -> Vec<String> {
    problems_with(files, &LayoutOptions::default())
}

#[track_caller]
fn assert_one(problems: &[String], starts: &str, contains: &str) {
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].starts_with(starts) && problems[0].contains(contains),
        "want {starts}…{contains}, got {}",
        problems[0]
    );
}

#[test]
fn a_version_with_a_newline_is_refused_naming_file_and_dependency() {
    // The remote code execution of issue #10: a hook that checked the value
    // line by line saw only "1.0.0" and let npm install the git source.
    let files = with_dependencies(r#"{"helper": "git+http://host/evil.git\n1.0.0"}"#);
    assert_one(
        &problems(&files),
        "package.json: dependencies.helper: 'git+http://host/evil.git\\n1.0.0' holds control characters or bidirectional controls (the first is the control character \\n",
        "(the first is the control character \\n)",
    );
    // Allowing git sources does not let a control character through.
    let options = LayoutOptions {
        allow_package_sources: vec![PackageSource::Git],
        ..Default::default()
    };
    assert_eq!(problems_with(&files, &options).len(), 1);
}

#[test]
fn git_url_file_and_alias_sources_are_refused_with_the_flag_that_allows_them() {
    for (version, kind) in [
        ("git+https://example.com/evil.git", "git"),
        ("github:user/repo", "git"),
        ("user/repo", "git"),
        ("https://example.com/evil-1.0.0.tgz", "url"),
        ("file:../../evil", "file"),
        ("link:/opt/evil", "file"),
        ("./evil.tgz", "file"),
        ("npm:evil@1.0.0", "alias"),
    ] {
        let files = with_dependencies(&json!({ "helper": version }).to_string());
        assert_one(
            &problems(&files),
            "package.json: dependencies.helper: version ",
            &format!(
                "pin a registry version such as 1.2.3, or let the host allow {kind} sources with --allow-package-source {kind}"
            ),
        );
    }
}

#[test]
fn a_host_allowance_lets_its_kind_of_source_through() {
    let files = with_dependencies(r#"{"helper": "github:user/helper#v1.0.0"}"#);
    let options = LayoutOptions {
        allow_package_sources: vec![PackageSource::Git],
        ..Default::default()
    };
    let state = parse(&files, &options).unwrap();
    let helper = state
        .resources
        .iter()
        .find(|r| r.kind == "package")
        .unwrap();
    assert_eq!(
        helper.spec,
        json!({"name": "helper", "version": "github:user/helper#v1.0.0"})
    );
    // Git is allowed; a tarball URL is still not.
    let url = with_dependencies(r#"{"helper": "https://example.com/h.tgz"}"#);
    assert_eq!(problems_with(&url, &options).len(), 1);
}

#[test]
fn real_world_version_ranges_and_scoped_names_are_accepted() {
    let files = with_dependencies(
        r#"{
            "@flowfuse/node-red-dashboard": "^1.2.3",
            "node-red-contrib-influxdb": "~1.0.0",
            "node-red-dashboard": "^3.2.3",
            "node-red-node-random": "1.x",
            "node-red-node-serialport": ">=2.0.0 <3",
            "node-red-contrib-cron-plus": "latest"
        }"#,
    );
    let state = parse(&files, &LayoutOptions::default()).unwrap();
    let packages: Vec<(&str, &str)> = state
        .resources
        .iter()
        .filter(|r| r.kind == "package")
        .map(|r| (r.name.as_str(), r.spec["version"].as_str().unwrap()))
        .collect();
    assert_eq!(
        packages,
        [
            ("@flowfuse/node-red-dashboard", "^1.2.3"),
            ("node-red-contrib-cron-plus", "latest"),
            ("node-red-contrib-influxdb", "~1.0.0"),
            ("node-red-dashboard", "^3.2.3"),
            ("node-red-node-random", "1.x"),
            ("node-red-node-serialport", ">=2.0.0 <3"),
        ]
    );
}

#[test]
fn package_names_npm_would_misread_are_refused_by_dependency() {
    let files = with_dependencies(
        r#"{"../../x\nok": "1.0.0", "Evil": "1.0.0", "-rf": "1.0.0", "@x/y/z": "1.0.0", "ok\u202e": "1.0.0"}"#,
    );
    let found = problems(&files);
    assert_eq!(found.len(), 5, "{found:#?}");
    let expect = [
        "package.json: dependencies[\"../../x\\nok\"]: '../../x\\nok' holds control characters or bidirectional controls (the first is the control character \\n",
        "package.json: dependencies.-rf: '-rf' is not an npm package name",
        "package.json: dependencies.@x/y/z: '@x/y/z' is not an npm package name",
        "package.json: dependencies.Evil: 'Evil' is not an npm package name: npm package names are lower case",
        "package.json: dependencies[\"ok\\u{202e}\"]: 'ok\\u{202e}' holds control characters or bidirectional controls (the first is the bidirectional control \\u{202e}",
    ];
    for want in expect {
        assert!(
            found.iter().any(|p| p.starts_with(want)),
            "{want}\n{found:#?}"
        );
    }
}

#[test]
fn control_and_bidi_characters_in_ids_types_and_tab_ids_are_refused_by_path() {
    let flows = json!([
        {"id": "tab\u{1b}]0;owned\u{7}", "type": "tab", "label": "Main"},
        {"id": "3f9a1c5e7b2d4f60", "type": "tab", "label": "Main"},
        {"id": "a1", "type": "inject", "z": "3f9a1c5e7b2d4f60"},
        {"id": "a2", "type": "debug\u{1b}[2J", "z": "3f9a1c5e7b2d4f60"},
        {"id": "a3\u{202e}", "type": "debug", "z": "3f9a1c5e7b2d4f60"},
        {"id": "a4", "type": "debug", "z": "3f9a1c5e7b2d4f60\u{9b}"},
        {"id": "cfg\u{7f}", "type": "mqtt-broker"},
        {"id": "sf\u{2067}", "type": "subflow", "name": "S"}
    ]);
    let files = MemFiles::new("")
        .with_file("package.json", "{}")
        .with_file("flows.json", flows.to_string());
    assert_eq!(
        problems(&files),
        [
            "flows.json: [0].id: 'tab\\e]0;owned\\a' holds control characters or bidirectional controls (the first is the control character \\e)",
            "flows.json: [3].type: 'debug\\e[2J' holds control characters or bidirectional controls (the first is the control character \\e)",
            "flows.json: [4].id: 'a3\\u{202e}' holds control characters or bidirectional controls (the first is the bidirectional control \\u{202e})",
            "flows.json: [5].z: '3f9a1c5e7b2d4f60\\u{9b}' holds control characters or bidirectional controls (the first is the control character \\u{9b})",
            "flows.json: [6].id: 'cfg\\u{7f}' holds control characters or bidirectional controls (the first is the control character \\u{7f})",
            "flows.json: [7].id: 'sf\\u{2067}' holds control characters or bidirectional controls (the first is the bidirectional control \\u{2067})",
        ]
    );
}

#[test]
fn duplicate_keys_in_package_json_and_flows_json_are_errors() {
    // serde_json would keep the second version silently; a reviewer reading
    // the file sees the first.
    let package = MemFiles::new("")
        .with_file(
            "package.json",
            "{\"dependencies\": {\"helper\": \"1.0.0\",\n \"helper\": \"2.0.0\"}}",
        )
        .with_file("flows.json", "[]");
    assert_eq!(
        problems(&package),
        ["package.json: invalid JSON at line 2, column 9: duplicate key 'helper'"]
    );
    let flows = MemFiles::new("").with_file("package.json", "{}").with_file(
        "flows.json",
        "[{\"id\": \"t1\", \"type\": \"tab\", \"type\": \"inject\"}]",
    );
    let found = problems(&flows);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("flows.json: invalid JSON at line 1")
            && found[0].ends_with("duplicate key 'type'"),
        "{found:#?}"
    );
    // The key is repository content too: shown escaped.
    let hostile = MemFiles::new("")
        .with_file("package.json", r#"{"a\u001b": 1, "a\u001b": 2}"#)
        .with_file("flows.json", "[]");
    let found = problems(&hostile);
    assert!(found[0].ends_with("duplicate key 'a\\e'"), "{found:#?}");
}

#[test]
fn catalog_module_names_types_and_versions_obey_the_same_rules() {
    let catalog = json!({
        "node-red-node-random": {"version": "0.4.1", "nodes": {"random": {"types": ["random", "dice\u{1b}[1m"]}}},
        "Evil": {"version": "1.0.0", "nodes": {}},
        "helper": {"version": "git+http://host/evil.git", "nodes": {}},
        "bidi\u{202e}": {"nodes": {}}
    });
    let files = MemFiles::new("")
        .with_file("package.json", "{}")
        .with_file("flow.json", MINIMAL_FLOW)
        .with_file(".config.nodes.json", catalog.to_string());
    let found = problems(&files);
    assert_eq!(found.len(), 4, "{found:#?}");
    for want in [
        ".config.nodes.json: Evil: module 'Evil' is not an npm package name",
        ".config.nodes.json: [\"bidi\\u{202e}\"]: module 'bidi\\u{202e}' holds control characters or bidirectional controls (the first is the bidirectional control",
        ".config.nodes.json: helper.version: version 'git+http://host/evil.git' is a git source",
        ".config.nodes.json: node-red-node-random.nodes.random.types[1]: node type 'dice\\e[1m' holds control characters or bidirectional controls (the first is the control character \\e",
    ] {
        assert!(
            found.iter().any(|p| p.starts_with(want)),
            "{want}\n{found:#?}"
        );
    }
}

#[test]
fn labels_in_warnings_are_shown_escaped() {
    // Labels are free text and stay so; what gitsync says about them is safe.
    let flows = json!([
        {"id": "t1", "type": "tab", "label": "Main\u{1b}[2J\nfake line"},
        {"id": "n1", "type": "random", "z": "t1"}
    ]);
    let files = MemFiles::new("")
        .with_file("package.json", "{}")
        .with_file("flows.json", flows.to_string());
    let state = parse(&files, &LayoutOptions::default()).unwrap();
    assert_eq!(
        state.warnings,
        ["unknown node type 'random' used by flow 'Main\\e[2J\\nfake line'"]
    );
}
