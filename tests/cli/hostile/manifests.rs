//! Hostile manifests repositories: links and submodules, oversized and
//! countless files, path names with escapes, JSON and YAML bombs, DAGs with
//! huge cycles, schedules and timeouts past every range, and compile
//! commands whose output is huge, not JSON or never ends.

use super::{Area, Case, Edit, nested_brackets, write};

const ETL: &str = "dag:\n  id: etl\n  schedule: \"0 3 * * *\"\n  default_timeout: 30m\ntasks:\n  - id: extract\n    type: shell\n    script: ./extract.sh\n  - id: load\n    type: python\n    script: load.py\n    requires: [extract]\n";
const DB: &str = "{\"kind\": \"connection\", \"name\": \"db\", \"host\": \"db.internal\"}\n";

fn area() -> Area {
    // Files ending in `.gen` are shell scripts whose output is the resource:
    // the repo decides what the compile command prints.
    Area::new(
        "dags",
        &[("dags/etl.yaml", ETL), ("conns/db.json", DB)],
        &["--layout", "manifests", "--compile", "*.gen=sh"],
    )
}

/// The baseline DAG with `from` replaced by `to`.
fn etl(from: &str, to: &str) -> Vec<Edit> {
    assert!(ETL.contains(from), "{from}");
    vec![write("dags/etl.yaml", ETL.replace(from, to))]
}

/// One more DAG whose tasks form one cycle of `n` tasks.
fn cycle(n: usize) -> Vec<Edit> {
    let mut text = String::from("dag: {id: ring}\ntasks:\n");
    for i in 0..n {
        let next = (i + 1) % n;
        text.push_str(&format!(
            "  - {{id: t{i}, script: s.sh, requires: [t{next}]}}\n"
        ));
    }
    vec![write("dags/ring.yaml", text)]
}

fn link(path: &str, target: &str) -> Edit {
    Edit::Link(path.to_string(), target.to_string())
}

fn file_cases() -> Vec<Case> {
    vec![
        Case::diff(
            "a link to a folder is not followed",
            vec![link("dags/etc", "/etc")],
            &[],
        )
        .absent(&["create"]),
        Case::sync(
            "a link to a folder named like a manifest",
            vec![link("dags/etc.yaml", "/etc")],
            1,
            &["dags/etc.yaml", "symbolic link"],
        ),
        Case::sync(
            "a link to itself",
            vec![link("dags/loop.yaml", "loop.yaml")],
            1,
            &["dags/loop.yaml", "symbolic link"],
        ),
        Case::sync(
            "a JSON link to /etc/passwd",
            vec![link("conns/passwd.json", "/etc/passwd")],
            1,
            &["conns/passwd.json", "symbolic link"],
        ),
        Case::sync(
            "a link out of the repo",
            vec![link("dags/up.yaml", "../../../../etc/hostname")],
            1,
            &["dags/up.yaml", "symbolic link"],
        ),
        Case::diff(
            "a submodule is not fetched",
            vec![Edit::Gitlink("vendor/lib".into())],
            &[],
        ),
        Case::sync(
            "a manifest of 1 MiB and 1 byte",
            vec![write(
                "dags/big.yaml",
                format!("kind: note\nname: big\n# {}\n", "x".repeat(1_048_576)),
            )],
            1,
            &["dags/big.yaml", "1048576"],
        ),
        Case::sync(
            "a file name with a newline",
            vec![write("dags/a\nerror: fake.yaml", "kind: note\n")],
            1,
            &["dags/a\\nerror: fake.yaml: no name, and the file name cannot be one"],
        ),
        Case::sync(
            "a file name with ESC and a bidi override",
            vec![write("dags/\u{1b}[2Jx\u{202e}lmy.yaml", "kind: note\n")],
            1,
            &["dags/\\e[2Jx\\u{202e}lmy.yaml", "holds control characters"],
        ),
        Case::diff(
            "a named manifest whose file name has ESC",
            vec![write(
                "dags/\u{1b}]0;t\u{7}.yaml",
                "kind: note\nname: fine\n",
            )],
            &["note default/fine"],
        ),
        Case::diff(
            "'..'-looking names: hidden ones skipped, 'a..b' read",
            vec![
                write("dags/..yaml", "kind: note\nname: dots\n"),
                write("dags/...json", "{\"kind\": \"note\", \"name\": \"three\"}"),
                write("dags/a..b/c.yml", "kind: note\nname: c\n"),
            ],
            &["note default/c"],
        )
        .absent(&["dots", "three"]),
        Case::diff(
            "a hidden '..x' folder is skipped",
            vec![write("..x/evil.yaml", "kind: note\nname: evil\n")],
            &[],
        )
        .absent(&["evil"]),
        Case::sync(
            "duplicate JSON keys",
            vec![write(
                "conns/dup.json",
                "{\"kind\": \"connection\", \"name\": \"d\", \"name\": \"e\"}",
            )],
            1,
            &["conns/dup.json", "duplicate"],
        ),
        Case::sync(
            "10,000 nested JSON arrays",
            vec![write("conns/deep.json", nested_brackets(10_000))],
            1,
            &["conns/deep.json"],
        ),
        Case::sync(
            "a JSON number 1e400",
            vec![write(
                "conns/inf.json",
                "{\"kind\": \"connection\", \"name\": \"inf\", \"port\": 1e400}",
            )],
            1,
            &["conns/inf.json"],
        ),
        Case::sync(
            "JSON that is not UTF-8",
            vec![write(
                "conns/bytes.json",
                b"{\"kind\": \"connection\", \"name\": \"\xff\x9b\"}".to_vec(),
            )],
            1,
            &["conns/bytes.json"],
        ),
        Case::sync(
            "two files declaring one connection",
            vec![write("conns/again.yaml", "kind: connection\nname: db\n")],
            1,
            &["declared twice", "conns/again.yaml", "conns/db.json"],
        ),
        Case::sync(
            "one file declaring one DAG twice",
            vec![write(
                "dags/twice.yaml",
                "dag: {id: twice}\n---\ndag: {id: twice}\n",
            )],
            1,
            &["dags/twice.yaml", "declared twice"],
        ),
        Case::sync(
            "1,001 YAML documents in one file",
            vec![write("dags/many.yaml", "kind: note\n---\n".repeat(1_001))],
            1,
            &["dags/many.yaml", "more than 1000 YAML documents"],
        ),
        Case::sync(
            "billion laughs in a manifest",
            vec![write(
                "dags/lol.yaml",
                format!("kind: note\nname: lol\nx: {}\n", laughs()),
            )],
            1,
            &["dags/lol.yaml", "budget"],
        ),
        Case::sync(
            "an object-building tag in a manifest",
            vec![write(
                "dags/tag.yaml",
                "kind: note\nname: !!python/object/apply:os.system [id]\n",
            )],
            1,
            &["dags/tag.yaml", "tag"],
        ),
    ]
}

/// Nine anchors, each nine times the one before.
fn laughs() -> String {
    let mut text = String::from("[&a [lol, lol, lol, lol, lol, lol, lol, lol, lol]");
    let mut prev = 'a';
    for c in "bcdefghi".chars() {
        text.push_str(&format!(", &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]"));
        prev = c;
    }
    text.push(']');
    text
}

fn dag_cases() -> Vec<Case> {
    vec![
        Case::sync(
            "a cycle of 10,000 tasks",
            cycle(10_000),
            1,
            &["dags/ring.yaml", "cycle in DAG 'ring'"],
        )
        .max_stderr(8 * 1024),
        Case::sync(
            "a cron field past u64",
            etl("0 3 * * *", "99999999999999999999 * * * *"),
            1,
            &["dags/etl.yaml: dag.schedule", "invalid cron expression"],
        ),
        Case::sync(
            "a cron step of 0",
            etl("0 3 * * *", "*/0 * * * *"),
            1,
            &["dags/etl.yaml: dag.schedule", "invalid cron expression"],
        ),
        Case::sync(
            "a cron range to 2^32",
            etl("0 3 * * *", "0-4294967296 * * * *"),
            1,
            &["dags/etl.yaml: dag.schedule", "invalid cron expression"],
        ),
        Case::sync(
            "a cron of 1,000 fields",
            etl("0 3 * * *", &vec!["*"; 1_000].join(" ")),
            1,
            &["dags/etl.yaml: dag.schedule", "invalid cron expression"],
        )
        .max_stderr(8 * 1024),
        Case::sync(
            "a timeout of 99999999999999999999h",
            etl("30m", "99999999999999999999h"),
            1,
            &["dags/etl.yaml: dag.default_timeout"],
        ),
        Case::sync(
            "a timeout of 1e400ms",
            etl("30m", "1e400ms"),
            1,
            &["dags/etl.yaml: dag.default_timeout"],
        ),
        Case::sync(
            "a timeout that overflows as milliseconds",
            etl("30m", "9999999999999999h"),
            1,
            &["dags/etl.yaml: dag.default_timeout"],
        ),
        Case::sync(
            "a timeout in milliseconds past u64",
            etl(
                "default_timeout: 30m",
                "defaultTimeoutMs: 18446744073709551616",
            ),
            1,
            &["dags/etl.yaml: dag.defaultTimeoutMs"],
        ),
        Case::sync(
            "a negative timeout in milliseconds",
            etl("default_timeout: 30m", "defaultTimeoutMs: -1"),
            1,
            &["dags/etl.yaml: dag.defaultTimeoutMs"],
        ),
        Case::diff(
            "a task id with ESC and a bidi override",
            etl("id: load", "id: \"lo\\e[2J\\u202Ead\""),
            &["id: \"lo\\e[2J\\u{202e}ad\""],
        ),
        Case::sync(
            "requires naming a task with escapes",
            etl(
                "requires: [extract]",
                "requires: [\"ex\\e]0;pwned\\a\\ntract\"]",
            ),
            1,
            &["dags/etl.yaml: tasks[1].requires[0]", "\\e]0;pwned"],
        ),
        Case::sync(
            "10,000 tasks requiring tasks that do not exist",
            vec![write(
                "dags/lost.yaml",
                format!(
                    "dag: {{id: lost}}\ntasks:\n{}",
                    (0..10_000)
                        .map(|i| format!("  - {{id: t{i}, script: s.sh, requires: [gone{i}]}}\n"))
                        .collect::<String>()
                ),
            )],
            1,
            &["10000 validation errors", "and 9950 more"],
        )
        .max_stderr(32 * 1024),
        Case::sync(
            "5,000 cycles of two tasks",
            vec![write(
                "dags/pairs.yaml",
                format!(
                    "dag: {{id: pairs}}\ntasks:\n{}",
                    (0..5_000)
                        .map(|i| format!("  - {{id: a{i}, script: s.sh, requires: [b{i}]}}\n  - {{id: b{i}, script: s.sh, requires: [a{i}]}}\n"))
                        .collect::<String>()
                ),
            )],
            1,
            &["5000 validation errors", "cycle in DAG 'pairs'"],
        )
        .max_stderr(32 * 1024),
        Case::sync(
            "a DAG id of 100,000 characters",
            etl("id: etl", &format!("id: {}", "e".repeat(100_000))),
            1,
            &["dags/etl.yaml"],
        )
        .max_stderr(8 * 1024),
    ]
}

fn compile_cases() -> Vec<Case> {
    vec![
        Case::sync(
            "compile output over 16 MiB",
            vec![write(
                "dags/huge.gen",
                "head -c 20000000 /dev/zero | tr '\\0' ' '\n",
            )],
            1,
            &[
                "dags/huge.gen",
                "printed more than 16777216 bytes and was stopped",
            ],
        ),
        Case::sync(
            "compile output that never ends",
            vec![write("dags/yes.gen", "yes '{}'\n")],
            1,
            &[
                "dags/yes.gen",
                "printed more than 16777216 bytes and was stopped",
            ],
        ),
        Case::sync(
            "compile output that is not JSON",
            vec![write("dags/text.gen", "echo 'hello, world'\n")],
            1,
            &["dags/text.gen", "JSON"],
        ),
        Case::sync(
            "compile output that is a JSON string",
            vec![write("dags/str.gen", "echo '\"a string\"'\n")],
            1,
            &["dags/str.gen"],
        ),
        Case::sync(
            "compile output of 10,000 nested arrays",
            vec![write(
                "dags/deep.gen",
                format!("echo '{}'\n", nested_brackets(10_000)),
            )],
            1,
            &["dags/deep.gen"],
        ),
        Case::sync(
            "a compile that never ends",
            vec![write("dags/sleep.gen", "sleep 30\n")],
            1,
            &["dags/sleep.gen", "'sh' timed out after 1 s and was stopped"],
        )
        .env("GITSYNC_COMPILE_TIMEOUT", "1"),
        Case::sync(
            "a compile that fails with megabytes of escapes on stderr",
            vec![write(
                "dags/noisy.gen",
                "i=0; while [ $i -lt 20000 ]; do printf '\\033[2J\\233 noise %s\\n' $i >&2; i=$((i+1)); done; exit 3\n",
            )],
            1,
            &["dags/noisy.gen", "exited with status 3", "noise 19999"],
        ),
        Case::sync(
            "compile output with escapes in names",
            vec![write(
                "dags/esc.gen",
                "printf '{\"kind\":\"note\",\"name\":\"n\\\\u001b[2J\\\\u202e\"}'\n",
            )],
            1,
            &["dags/esc.gen: name", "holds control characters"],
        ),
    ]
}

/// 10,000 files of one small resource each, named by their file names.
fn many_files() -> Vec<Edit> {
    vec![Edit::Many {
        dir: "notes".into(),
        count: 10_000,
        content: "kind: note\n".into(),
    }]
}

#[test]
fn hostile_manifest_files_are_refused_by_path() {
    area().check(file_cases());
}

#[test]
fn hostile_dags_are_refused_with_bounded_errors() {
    area().check(dag_cases());
}

#[test]
fn hostile_compile_output_is_refused_and_bounded() {
    area().check(compile_cases());
}

#[test]
fn ten_thousand_tiny_manifests_stay_within_the_memory_ceiling() {
    let mut case = Case::new(
        "10,000 tiny files",
        many_files(),
        &["-o", "json", "diff", "REPO"],
        super::accepted(&["\"n9999\""]),
    );
    case.max_stderr = 1024;
    area().check(vec![case]);
}
