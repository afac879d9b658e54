//! Hostile Node-RED project structure (not package or node values): flow
//! files that are not arrays, numbers past every range, deep nesting,
//! credential files, and flow files named outside the repo or behind links.

use super::{Area, Case, Edit, nested_brackets, write};

const FLOWS: &str = r#"[
  {"id": "3f9a1c5e7b2d4f60", "type": "tab", "label": "Main"},
  {"id": "41b2c3d4e5f60718", "type": "inject", "z": "3f9a1c5e7b2d4f60", "name": "tick", "x": 120, "y": 80, "wires": [["63d4e5f60718293a"]]},
  {"id": "63d4e5f60718293a", "type": "debug", "z": "3f9a1c5e7b2d4f60", "name": "roll", "x": 420, "y": 80, "wires": []}
]
"#;

fn area() -> Area {
    Area::new(
        "flows",
        &[("flows.json", FLOWS), ("package.json", &package(""))],
        &["--layout", "nodered"],
    )
}

/// package.json, with `settings` as the `node-red.settings` members.
fn package(settings: &str) -> String {
    format!(
        "{{\"name\": \"home\", \"version\": \"1.0.0\", \"dependencies\": {{}}, \"node-red\": {{\"settings\": {{{settings}}}}}}}\n"
    )
}

fn flow_file(value: &str) -> Edit {
    write("package.json", package(&format!("\"flowFile\": {value}")))
}

/// The debug node with one more property, `value` (JSON text).
fn property(value: &str) -> Vec<Edit> {
    vec![write(
        "flows.json",
        FLOWS.replace(
            "\"name\": \"roll\"",
            &format!("\"name\": \"roll\", \"extra\": {value}"),
        ),
    )]
}

fn structure_cases() -> Vec<Case> {
    vec![
        Case::sync(
            "flows.json a string",
            vec![write("flows.json", "\"flows\"")],
            1,
            &["flows.json", "expected a JSON array of nodes"],
        ),
        Case::sync(
            "flows.json null",
            vec![write("flows.json", "null")],
            1,
            &["flows.json", "the flow file is empty"],
        ),
        Case::sync(
            "flows.json an array of numbers",
            vec![write("flows.json", "[1, 2, 3]")],
            1,
            &["flows.json", "[0]"],
        ),
        Case::sync(
            "flows.json empty",
            vec![write("flows.json", "")],
            1,
            &["flows.json"],
        ),
        Case::sync(
            "a number with an exponent of 2^30",
            property("1e1073741824"),
            1,
            &["flows.json"],
        ),
        Case::sync(
            "a 1,000,000-digit integer",
            property(&"9".repeat(1_000_000)),
            1,
            &["flows.json"],
        ),
        Case::diff(
            "a number claiming 1 GiB is data",
            property("1073741824"),
            &["1073741824"],
        ),
        Case::sync(
            "10,000 nested arrays in a node property",
            property(&nested_brackets(10_000)),
            1,
            &["flows.json"],
        ),
        Case::sync(
            "10,000 nested objects in a node property",
            property(&format!(
                "{}1{}",
                "{\"a\": ".repeat(10_000),
                "}".repeat(10_000)
            )),
            1,
            &["flows.json"],
        ),
        Case::sync(
            "a flow file over 16 MiB",
            vec![write(
                "flows.json",
                format!("{}{}", FLOWS, " ".repeat(16 * 1_048_576)),
            )],
            1,
            &["flows.json", "16"],
        ),
        Case::sync(
            "package.json an array",
            vec![write("package.json", "[]")],
            1,
            &["package.json"],
        ),
        Case::sync(
            "package.json nested 10,000 deep",
            vec![write("package.json", nested_brackets(10_000))],
            1,
            &["package.json"],
        ),
        Case::sync(
            "package.json a link to /etc/passwd",
            vec![Edit::Link("package.json".into(), "/etc/passwd".into())],
            1,
            &["package.json", "symbolic link"],
        ),
    ]
}

fn file_cases() -> Vec<Case> {
    vec![
        Case::diff(
            "a credential file that is not JSON is never read",
            vec![write("flows_cred.json", vec![0xffu8; 2 * 1_048_576])],
            &[],
        ),
        Case::diff(
            "a credential file that is a link is never read",
            vec![Edit::Link("flows_cred.json".into(), "/etc/shadow".into())],
            &[],
        ),
        Case::sync(
            "flowFile '../x.json'",
            vec![flow_file("\"../x.json\"")],
            1,
            &["package.json", "../x.json"],
        ),
        Case::sync(
            "flowFile '/etc/passwd'",
            vec![flow_file("\"/etc/passwd\"")],
            1,
            &["package.json", "/etc/passwd"],
        ),
        Case::sync(
            "flowFile 'a/../../x.json'",
            vec![flow_file("\"a/../../x.json\"")],
            1,
            &["package.json", "a/../../x.json"],
        ),
        Case::sync(
            "flowFile a link to /etc/passwd",
            vec![
                flow_file("\"main.json\""),
                Edit::Link("main.json".into(), "/etc/passwd".into()),
            ],
            1,
            &["main.json", "symbolic link"],
        ),
        Case::sync(
            "flowFile a link to the real flows",
            vec![
                flow_file("\"main.json\""),
                Edit::Link("main.json".into(), "flows.json".into()),
            ],
            1,
            &["main.json", "symbolic link"],
        ),
        Case::sync(
            "flowFile a folder",
            vec![flow_file("\"lib\""), write("lib/flows.json", FLOWS)],
            1,
            &["lib"],
        ),
        Case::sync(
            "flowFile empty",
            vec![flow_file("\"\"")],
            1,
            &["package.json", "flowFile"],
        ),
        Case::sync(
            "flowFile a number",
            vec![flow_file("42")],
            1,
            &["package.json", "flowFile"],
        ),
        Case::sync(
            "flowFile with ESC and a bidi override",
            vec![flow_file("\"\\u001b[2J\\u202eflows.json\"")],
            1,
            &["package.json", "\\e[2J"],
        ),
        Case::sync(
            "flowFile a credential file",
            vec![
                flow_file("\"flows_cred.json\""),
                write("flows_cred.json", "[]"),
            ],
            1,
            &["flows_cred.json"],
        ),
        Case::sync(
            "flowFile of 100,000 characters",
            vec![flow_file(&format!("\"{}.json\"", "f".repeat(100_000)))],
            1,
            &[
                "package.json",
                "characters in all]…",
                "but the repo path has no such file",
            ],
        ),
    ]
}

#[test]
fn hostile_flow_structure_is_refused_naming_the_file() {
    area().check(structure_cases());
}

#[test]
fn flow_files_outside_the_repo_behind_links_or_holding_credentials_are_never_read() {
    area().check(file_cases());
}
