//! Hostile `fleet.yaml` content: YAML bombs, tags, duplicate keys, bad
//! bytes, numbers past every range, keys that carry escapes, assignment keys
//! at the edges of `NODE:MODULE`, empty and missing files.

use super::{Area, Case, Edit, nested_brackets, write};
use crate::harness::fixtures;

fn base() -> String {
    std::fs::read_to_string(fixtures().join("fleet/v1/fleet.yaml")).unwrap()
}

fn area() -> Area {
    Area::new("fleet", &[("fleet.yaml", &base())], &[])
}

/// fleet.yaml replaced by `text`.
fn fleet(text: impl Into<Vec<u8>>) -> Vec<Edit> {
    vec![write("fleet.yaml", text)]
}

/// The baseline with one module whose `config` is `value` (YAML text).
fn module_config(value: &str) -> Vec<Edit> {
    fleet(base().replace(
        "modules:\n",
        &format!("modules:\n  hostile:\n    name: hostile\n    priority: 1\n    variety: config\n    config:\n      x: {value}\n"),
    ))
}

/// The baseline with the module nginx-public's priority written as `value`.
fn priority(value: &str) -> Vec<Edit> {
    fleet(base().replacen("priority: 50", &format!("priority: {value}"), 1))
}

/// The baseline with the pool's target size written as `value`.
fn target_size(value: &str) -> Vec<Edit> {
    fleet(base().replace("target_size: 3", &format!("target_size: {value}")))
}

/// The baseline with one more assignment, keyed `key`.
fn assignment(key: &str) -> Vec<Edit> {
    fleet(base().replace(
        "assignments:\n",
        &format!("assignments:\n  {key:?}:\n    enabled: true\n"),
    ))
}

/// Nine anchors, each nine times the one before: 9^9 strings.
fn billion_laughs() -> String {
    let mut text = String::from("[&a [lol, lol, lol, lol, lol, lol, lol, lol, lol]");
    let mut prev = 'a';
    for c in "bcdefghi".chars() {
        text.push_str(&format!(
            ", &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]"
        ));
        prev = c;
    }
    text.push(']');
    text
}

/// The baseline padded with a comment to exactly `size` bytes.
fn padded_to(size: usize) -> String {
    let mut text = base();
    text.push_str("# ");
    let pad = size - text.len() - 1;
    text.push_str(&"x".repeat(pad));
    text.push('\n');
    assert_eq!(text.len(), size);
    text
}

fn yaml_cases() -> Vec<Case> {
    let long = "y".repeat(10 * 1024);
    let fan_out = format!("[&s {long}, {}]", vec!["*s"; 2_000].join(", "));
    let within = format!("[&s [1, 2], {}]", vec!["*s"; 1_000].join(", "));
    vec![
        Case::sync(
            "billion laughs in a module config",
            module_config(&billion_laughs()),
            1,
            &["fleet.yaml", "budget"],
        ),
        Case::sync(
            "a 10 KiB string aliased 2,000 times",
            module_config(&fan_out),
            1,
            &["fleet.yaml", "budget"],
        ),
        Case::diff(
            "a small list aliased 1,000 times is data",
            module_config(&within),
            &["hostile"],
        ),
        Case::sync(
            "10,000 nested flow sequences",
            module_config(&nested_brackets(10_000)),
            1,
            &["fleet.yaml", "YAML nesting deeper than 64 levels"],
        ),
        Case::sync(
            "65 nested flow sequences",
            module_config(&nested_brackets(65)),
            1,
            &["fleet.yaml", "deeper than 64 levels"],
        ),
        Case::sync(
            "10,000 nested flow mappings",
            module_config(&format!("{}1{}", "{a: ".repeat(10_000), "}".repeat(10_000))),
            1,
            &["fleet.yaml", "deeper than 64 levels"],
        ),
        Case::sync(
            "5,000 nested block sequences on one line",
            module_config(&format!("\n{}x", "- ".repeat(5_000))),
            1,
            &["fleet.yaml"],
        ),
        Case::diff(
            "a file of exactly 1 MiB is read",
            fleet(padded_to(1_048_576)),
            &[],
        ),
        Case::sync(
            "a file of 1 MiB and 1 byte is refused",
            fleet(padded_to(1_048_577)),
            1,
            &["fleet.yaml", "1048576"],
        ),
        Case::sync(
            "a 1 MiB string in a description",
            fleet(base().replace("Standard nginx node", &"z".repeat(1_048_576))),
            1,
            &["fleet.yaml", "1048576"],
        ),
        Case::sync(
            "!!python/object/apply",
            module_config("!!python/object/apply:os.system [\"id\"]"),
            1,
            &["fleet.yaml", "tag"],
        ),
        Case::sync(
            "a local !Ref tag",
            module_config("!Ref web-server"),
            1,
            &["fleet.yaml", "tag"],
        ),
        Case::diff(
            "a !!binary tag is a string",
            module_config("!!binary aGVsbG8="),
            &["x: hello"],
        ),
        // ESC [ 2 J, then the bytes 0xff 0x9b: not UTF-8.
        Case::sync(
            "a !!binary tag of escapes and non-UTF-8 bytes",
            module_config("!!binary G1sySv+b"),
            1,
            &["fleet.yaml", "a !!binary value that is not UTF-8 text"],
        ),
        Case::diff(
            "a !!binary tag of escapes",
            module_config("!!binary G1sySg=="),
            &["x: \"\\e[2J\""],
        ),
        Case::sync(
            "a tag on a whole section",
            fleet(base().replace("modules:\n", "modules: !!python/name:os.system\n")),
            1,
            &["fleet.yaml", "tag"],
        ),
        Case::sync(
            "a duplicate section",
            fleet(format!("{}modules: {{}}\n", base())),
            1,
            &["fleet.yaml", "duplicate"],
        ),
        Case::sync(
            "a duplicate field in an entry",
            fleet(base().replacen("priority: 50\n", "priority: 50\n    priority: 99\n", 1)),
            1,
            &["fleet.yaml", "duplicate"],
        ),
        Case::sync(
            "non-UTF-8 bytes in a value",
            fleet(
                [
                    base().replace("Standard nginx node", "caf").into_bytes(),
                    vec![0xff, 0x9b, b'\n'],
                ]
                .concat(),
            ),
            1,
            &["fleet.yaml", "UTF-8"],
        ),
        Case::sync(
            "a NUL byte in a value",
            fleet(base().replace("Standard nginx node", "a\0b")),
            1,
            &["fleet.yaml"],
        ),
        Case::diff(
            "a byte order mark is not content",
            fleet(format!("\u{feff}{}", base())),
            &[],
        ),
        Case::sync(
            "a second YAML document",
            fleet(format!("{}---\nmodules: {{}}\n", base())),
            1,
            &["fleet.yaml", "document"],
        ),
        Case::sync(
            "a template anchored and used as a module",
            fleet(
                base()
                    .replace("  db-server:\n", "  db-server: &db\n")
                    .replace("modules:\n", "modules:\n  db-server: *db\n"),
            ),
            1,
            &["fleet.yaml", "modules.db-server"],
        ),
        Case::sync(
            "an alias before its anchor",
            module_config("*later"),
            1,
            &["fleet.yaml", "an alias names no anchor before it"],
        ),
        Case::diff(
            "an anchor in a template reused in a module config is data",
            fleet(
                base()
                    .replace("Standard nginx node", "&d Standard nginx node")
                    .replace(
                        "      nginx_workers: 4\n",
                        "      nginx_workers: 4\n      about: *d\n",
                    ),
            ),
            &["about: Standard nginx node"],
        ),
    ]
}

fn value_cases() -> Vec<Case> {
    vec![
        Case::sync(
            "priority one past i64",
            priority("9223372036854775808"),
            1,
            &[
                "modules.nginx-public.priority",
                "9223372036854775808 is out of range",
            ],
        ),
        Case::sync(
            "priority one past u64",
            priority("18446744073709551616"),
            1,
            &["modules.nginx-public.priority", "is out of range"],
        ),
        Case::diff(
            "priority at i64's minimum",
            priority("-9223372036854775808"),
            &["-9223372036854775808"],
        ),
        Case::sync(
            "priority .nan",
            priority(".nan"),
            1,
            &["fleet.yaml", "'.nan' is not a finite number"],
        ),
        Case::sync(
            "priority -.inf",
            priority("-.inf"),
            1,
            &["fleet.yaml", "'-.inf' is not a finite number"],
        ),
        Case::sync(
            "priority 1e400",
            priority("1e400"),
            1,
            &["fleet.yaml", "'1e400' is not a finite number"],
        ),
        Case::sync(
            "priority 1.5",
            priority("1.5"),
            1,
            &[
                "modules.nginx-public.priority",
                "expected an integer, found float 1.5",
            ],
        ),
        Case::sync(
            "target_size past u64",
            target_size("99999999999999999999"),
            1,
            &["pools.web.target_size", "1e+20 is out of range"],
        ),
        Case::sync(
            "target_size -1",
            target_size("-1"),
            1,
            &["pools.web.target_size"],
        ),
        Case::sync("target_size .inf", target_size(".inf"), 1, &["fleet.yaml"]),
        Case::sync(
            "target_size a quoted number",
            target_size("\"3\""),
            1,
            &["pools.web.target_size"],
        ),
    ]
}

fn key_cases() -> Vec<Case> {
    vec![
        Case::sync(
            "a module key with ESC and a bidi override",
            fleet(base().replace(
                "  node-exporter:\n    name: node-exporter\n",
                "  \"ne\\e[2J\\u202Ex\":\n    name: \"ne\\e[2J\\u202Ex\"\n",
            )),
            1,
            &["fleet.yaml", "name must not contain control characters"],
        ),
        Case::sync(
            "a module key with a newline",
            fleet(base().replace(
                "  node-exporter:\n    name: node-exporter\n",
                "  \"ne\\nerror: fake\":\n    name: \"ne\\nerror: fake\"\n",
            )),
            1,
            &["fleet.yaml", "\\n"],
        ),
        Case::sync(
            "a module key of 400,000 characters",
            module_key(&"k".repeat(400_000)),
            1,
            &["fleet.yaml"],
        ),
        Case::sync(
            "an assignment key ':'",
            assignment(":"),
            1,
            &["NODE:MODULE"],
        ),
        Case::sync(
            "an assignment key 'a:'",
            assignment("a:"),
            1,
            &["NODE:MODULE"],
        ),
        Case::sync(
            "an assignment key ':b'",
            assignment(":nginx-public"),
            1,
            &["NODE:MODULE"],
        ),
        Case::sync(
            "an assignment key of colons only",
            assignment("::::::"),
            1,
            &["NODE:MODULE"],
        ),
        Case::diff(
            "an assignment key split at its last colon",
            assignment("a:b:nginx-public"),
            &["a:b:nginx-public"],
        ),
        Case::sync(
            "an assignment key with no colon",
            assignment("app-01"),
            1,
            &["NODE:MODULE"],
        ),
        Case::diff(
            "an empty file is an empty desired state",
            fleet(""),
            &["destroy"],
        ),
        Case::sync(
            "a missing fleet.yaml",
            vec![Edit::Remove("fleet.yaml".into())],
            1,
            &["fleet.yaml"],
        ),
        Case::sync(
            "fleet.yaml a folder",
            vec![
                Edit::Remove("fleet.yaml".into()),
                write("fleet.yaml/x", "a"),
            ],
            1,
            &["fleet.yaml"],
        ),
        Case::diff(
            "null sections are empty",
            fleet("templates: ~\nmodules:\nassignments: null\n"),
            &["destroy"],
        ),
        Case::sync(
            "a section that is a list",
            fleet(base().replace("pools:\n", "pools: [1, 2]\nunused:\n")),
            1,
            &["fleet.yaml", "pools"],
        ),
        Case::diff(
            "100,000 provider config keys",
            fleet(base().replace(
                "provider_configs:\n",
                &format!(
                    "provider_configs:\n  big: {{{}}}\n",
                    (0..100_000).map(|i| format!("{i}: 0")).collect::<Vec<_>>().join(", ")
                ),
            )),
            &["big"],
        ),
        Case::sync(
            "300,000 sequence items",
            module_config(&format!("[{}]", vec!["0"; 300_000].join(","))),
            1,
            &["fleet.yaml", "node budget exceeded"],
        ),
    ]
}

/// The baseline with one more module, keyed and named `key`.
fn module_key(key: &str) -> Vec<Edit> {
    fleet(base().replace(
        "modules:\n",
        &format!("modules:\n  {key}:\n    name: {key}\n    priority: 1\n    variety: config\n"),
    ))
}

#[test]
fn hostile_fleet_yaml_syntax_is_refused_or_read_as_data() {
    area().check(yaml_cases());
}

#[test]
fn hostile_fleet_values_are_refused_naming_the_rule() {
    area().check(value_cases());
}

#[test]
fn hostile_fleet_keys_and_files_are_refused_or_shown_escaped() {
    area().check(key_cases());
}
