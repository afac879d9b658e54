//! Behaviour of the manifests layout, driven through [`parse`] with
//! in-memory files.

use super::*;
use crate::layout::{EntryKind, MAX_FILE_SIZE, MemFiles};
use serde_json::json;

const ETL: &str = r#"
dag:
  id: daily-etl
  schedule: "0 3 * * *"
  catchup: false
  default_timeout: 30m
  owner_team: data        # unknown keys are kept
tasks:
  - id: extract
    type: shell
    script: ./extract.sh
  - id: load
    type: python
    script: load.py
    requires: [extract]
    timeoutMs: 600000
"#;

fn options() -> LayoutOptions {
    LayoutOptions {
        repo: "team-a".into(),
        ..Default::default()
    }
}

fn ok(files: &MemFiles) -> DesiredState {
    match parse(files, &options()) {
        Ok(state) => state,
        Err(e) => panic!("expected success, got: {e}"),
    }
}

fn problems(files: &MemFiles) -> Vec<String> {
    match parse(files, &options()) {
        Err(LayoutError::Invalid(problems)) => problems.iter().map(|p| p.to_string()).collect(),
        Err(other) => panic!("expected validation problems, got: {other}"),
        Ok(state) => panic!("expected validation problems, got {:?}", state.resources),
    }
}

/// Problems of one DAG file `dags/etl.yaml`.
fn dag_problems(content: &str) -> Vec<String> {
    problems(&MemFiles::new("").with_file("dags/etl.yaml", content))
}

#[track_caller]
fn assert_has(problems: &[String], needle: &str) {
    assert!(
        problems.iter().any(|p| p.contains(needle)),
        "no problem contains {needle:?}: {problems:#?}"
    );
}

fn names(state: &DesiredState) -> Vec<(String, String)> {
    state
        .resources
        .iter()
        .map(|r| (r.kind.clone(), r.name.clone()))
        .collect()
}

#[test]
fn a_dag_document_is_kind_dag_named_by_its_id_with_the_whole_document_as_spec() {
    let state = ok(&MemFiles::new("").with_file("etl.yaml", ETL));
    let r = &state.resources[0];
    assert_eq!((r.kind.as_str(), r.name.as_str()), ("dag", "daily-etl"));
    assert_eq!(r.source_path, "etl.yaml");
    assert_eq!(r.spec["dag"]["owner_team"], "data");
    assert_eq!(r.spec["tasks"][1]["timeoutMs"], 600000);
    assert_eq!(r.history_key.as_deref(), Some("team-a@etl.yaml"));
}

#[test]
fn other_documents_take_kind_and_name_from_their_fields_then_the_file_name() {
    let files = MemFiles::new("")
        .with_file("a.yaml", "kind: connection\nname: warehouse\nhost: db\n")
        .with_file(
            "b.yml",
            "kind: variable\nmetadata: {name: region}\nvalue: eu\n",
        )
        .with_file("c.json", r#"{"kind": "pool", "id": "slots", "size": 4}"#)
        .with_file("d.yaml", "kind: sensor\npoke: 5\n")
        .with_file("e.yaml", "id: legacy\ntasks: []\n");
    assert_eq!(
        names(&ok(&files)),
        vec![
            ("connection".into(), "warehouse".into()),
            ("dag".into(), "legacy".into()),
            ("pool".into(), "slots".into()),
            ("sensor".into(), "d".into()),
            ("variable".into(), "region".into()),
        ]
    );
}

#[test]
fn every_yaml_document_is_a_resource_with_its_own_history_key() {
    let files = MemFiles::new("").with_file(
        "vars.yaml",
        "kind: variable\nname: a\n---\n# only a comment\n---\nkind: variable\nname: b\n",
    );
    let state = ok(&files);
    assert_eq!(names(&state).len(), 2);
    assert_eq!(
        state.resources[1].history_key.as_deref(),
        Some("team-a@vars.yaml//variable/b")
    );
}

#[test]
fn a_json_array_holds_one_resource_per_object() {
    let files = MemFiles::new("").with_file(
        "vars.json",
        r#"[{"kind": "variable", "name": "a"}, {"kind": "variable", "name": "b"}]"#,
    );
    assert_eq!(names(&ok(&files)).len(), 2);
    let files = MemFiles::new("").with_file("bad.json", r#"[{"name": "a"}, 3]"#);
    assert_has(
        &problems(&files),
        "bad.json: the file is an array whose item 2 is integer 3",
    );
}

#[test]
fn files_outside_the_repo_path_hidden_files_and_other_extensions_are_not_read() {
    let files = MemFiles::new("dags")
        .with_file("dags/etl.yaml", ETL)
        .with_file("dags/README.md", "# docs")
        .with_file("dags/extract.sh", "echo")
        .with_file("dags/.github/workflows/ci.yml", "name: ci\non: push\n");
    assert_eq!(names(&ok(&files)), vec![("dag".into(), "daily-etl".into())]);
}

#[test]
fn links_submodules_and_big_files_among_manifests_are_refused_by_path() {
    let files = MemFiles::new("")
        .with_file("ok.yaml", ETL)
        .with_entry(FileEntry {
            path: "link.yaml".into(),
            kind: EntryKind::Symlink,
            size: 10,
            id: "l".into(),
        })
        .with_entry(FileEntry {
            path: "big.json".into(),
            kind: EntryKind::File,
            size: MAX_FILE_SIZE + 1,
            id: "b".into(),
        })
        .with_entry(FileEntry {
            path: "vendor.yaml".into(),
            kind: EntryKind::Submodule,
            size: 0,
            id: "s".into(),
        });
    let all = problems(&files);
    assert_eq!(all.len(), 3, "{all:#?}");
    assert_has(&all, "link.yaml: is a symbolic link");
    assert_has(&all, "big.json: is 1048577 bytes, over the limit");
    assert_has(&all, "vendor.yaml: is a submodule");
}

#[test]
fn the_same_kind_and_name_in_two_files_is_an_error_naming_both() {
    let files = MemFiles::new("")
        .with_file("team-a/etl.yaml", ETL)
        .with_file("team-b/etl.yaml", ETL);
    assert_has(
        &problems(&files),
        "team-b/etl.yaml: dag 'daily-etl' is declared twice: in team-a/etl.yaml and in team-b/etl.yaml",
    );
}

#[test]
fn dag_problems_are_all_reported_with_file_and_path() {
    let all = dag_problems(
        r#"
dag:
  schedule: "0 25 * * *"
  default_timeout: 30
tasks:
  - id: extract
    script: x.sh
    execution_timeout: soon
  - id: extract
    script: y.sh
  - id: load
    requires: [extract, missing]
  - id: notify
    type: http
  - script: z.sh
"#,
    );
    assert_has(&all, "dags/etl.yaml: dag.id: a DAG needs an id");
    assert_has(
        &all,
        "dags/etl.yaml: dag.schedule: invalid cron expression '0 25 * * *': hour field '25': 25 is out of range 0-23",
    );
    assert_has(&all, "dag.default_timeout: integer 30 has no unit");
    assert_has(&all, "tasks[0].execution_timeout: 'soon' is not a duration");
    assert_has(
        &all,
        "tasks[1].id: duplicate task id 'extract' (also tasks[0])",
    );
    assert_has(&all, "tasks[2]: task 'load' has no script");
    assert_has(
        &all,
        "tasks[2].requires[1]: task 'load' requires 'missing', which is not a task of DAG '?'",
    );
    assert_has(
        &all,
        "tasks[3]: task 'notify' of type 'http' has neither a script nor a config",
    );
    assert_has(&all, "tasks[4].id: a task needs an id");
    assert_eq!(all.len(), 9, "{all:#?}");
}

#[test]
fn a_cycle_is_an_error_naming_it() {
    let all = dag_problems(
        "dag: {id: loop}\ntasks:\n  - {id: extract, script: e.sh, requires: load}\n  - {id: load, script: l.sh, requires: [extract]}\n",
    );
    assert_eq!(
        all,
        vec![
            "dags/etl.yaml: tasks: cycle in DAG 'loop': extract -> load -> extract (each task runs after the one before it)"
        ]
    );
}

#[test]
fn config_only_tasks_and_millisecond_timeouts_are_valid() {
    let state = ok(&MemFiles::new("").with_file(
        "ping.yaml",
        "dag:\n  id: ping\n  defaultTimeoutMs: 600000\n  schedule: null\ntasks:\n  - id: call\n    type: http\n    config: {url: 'https://example.com'}\n    timeout: 1h30m\n",
    ));
    assert_eq!(names(&state), vec![("dag".into(), "ping".into())]);
    let all = dag_problems("dag: {id: x, defaultTimeoutMs: '10m'}\n");
    assert_has(
        &all,
        "dag.defaultTimeoutMs: expected a whole number of milliseconds",
    );
}

#[test]
fn a_dag_document_with_another_kind_is_refused() {
    let all = dag_problems("kind: job\ndag: {id: x}\n");
    assert_has(
        &all,
        "kind: a document with a top-level 'dag' mapping is kind 'dag'",
    );
}

#[test]
fn documents_that_are_not_mappings_and_bad_syntax_are_refused() {
    let files = MemFiles::new("")
        .with_file("list.yaml", "- a\n- b\n")
        .with_file("broken.yaml", "dag: {id: x\n")
        .with_file("broken.json", "{\"a\": }")
        .with_file("bad-kind.yaml", "kind: 'my kind'\n")
        .with_file("tag.yaml", "kind: !!python/object:os.system x\n");
    let all = problems(&files);
    assert_has(
        &all,
        "list.yaml: expected a mapping (one resource per document), found a sequence",
    );
    assert_has(&all, "broken.yaml: invalid YAML");
    assert_has(&all, "broken.json: invalid JSON");
    assert_has(&all, "bad-kind.yaml: kind: invalid kind 'my kind'");
    assert_has(&all, "tag.yaml: YAML tag");
    assert_eq!(all.len(), 5, "{all:#?}");
}

#[test]
fn an_empty_yaml_file_declares_nothing() {
    assert!(
        ok(&MemFiles::new("").with_file("empty.yaml", "# nothing yet\n"))
            .resources
            .is_empty()
    );
}

#[test]
fn compiled_files_become_resources_and_are_cached_by_blob_and_command() {
    let cache = tempfile::tempdir().unwrap();
    let counter = cache.path().join("count");
    let script = format!(
        "echo x >> '{}'; printf '[{{\"kind\":\"dag\",\"dag\":{{\"id\":\"from-py\"}},\"tasks\":[]}},{{\"kind\":\"variable\",\"name\":\"v\"}}]'",
        counter.display()
    );
    let options = LayoutOptions {
        repo: "r".into(),
        compile: vec![(
            "*.py".into(),
            format!("sh -c {} compiler", shell_words::quote(&script)),
        )],
        compile_cache: Some(cache.path().join("compiled")),
        ..Default::default()
    };
    let files = MemFiles::new("").with_file("dags/report.py", "print('hi')");
    for _ in 0..2 {
        let state = parse(&files, &options).unwrap();
        assert_eq!(
            names(&state),
            vec![
                ("dag".into(), "from-py".into()),
                ("variable".into(), "v".into())
            ]
        );
        assert_eq!(
            state.resources[0].history_key.as_deref(),
            Some("r@dags/report.py//dag/from-py")
        );
    }
    let compiled = std::fs::read_to_string(&counter).unwrap();
    assert_eq!(compiled.lines().count(), 1, "compiled more than once");
}

#[test]
fn a_failing_compile_names_the_file_and_shows_stderr() {
    let options = |command: &str| LayoutOptions {
        repo: "r".into(),
        compile: vec![("*.py".into(), command.into())],
        compile_timeout: std::time::Duration::from_millis(500),
        ..Default::default()
    };
    let files = MemFiles::new("").with_file("a.py", "x");
    let cases = [
        (
            "sh -c 'echo boom >&2; exit 3' c",
            "a.py: 'sh -c 'echo boom >&2; exit 3' c' exited with status 3; stderr: boom",
        ),
        ("sh -c 'echo not json' c", "did not print JSON"),
        (
            "sh -c 'echo 42' c",
            "the output of 'sh -c 'echo 42' c' is integer 42",
        ),
        ("sh -c 'sleep 5' c", "timed out after 0.5 s"),
        ("/no/such/compiler", "cannot run '/no/such/compiler'"),
    ];
    for (command, needle) in cases {
        match parse(&files, &options(command)) {
            Err(LayoutError::Invalid(p)) => {
                let all: Vec<String> = p.iter().map(|p| p.to_string()).collect();
                assert_has(&all, needle);
            }
            other => panic!("{command}: expected a problem, got {other:?}"),
        }
    }
}

#[test]
fn the_compile_command_gets_a_copy_of_the_file_under_its_own_name() {
    let options = LayoutOptions {
        repo: "r".into(),
        compile: vec![(
            "dags/*.py".into(),
            r#"sh -c 'printf "{\"kind\":\"file\",\"name\":\"%s\",\"content\":\"%s\"}" "$(basename "$1")" "$(cat "$1")"' c"#.into(),
        )],
        ..Default::default()
    };
    let files = MemFiles::new("")
        .with_file("dags/etl.py", "hello")
        .with_file("other/skip.py", "not compiled");
    let state = parse(&files, &options).unwrap();
    assert_eq!(names(&state), vec![("file".into(), "etl.py".into())]);
    assert_eq!(state.resources[0].spec["content"], json!("hello"));
}

#[test]
fn an_alias_bomb_in_a_later_document_is_stopped() {
    let mut bomb =
        String::from("kind: variable\nname: fine\n---\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (i, prev) in ["a", "b", "c", "d", "e", "f", "g", "h"].iter().enumerate() {
        let next = ["b", "c", "d", "e", "f", "g", "h", "i"][i];
        bomb.push_str(&format!(
            "{next}: &{next} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
        ));
    }
    let all = problems(&MemFiles::new("").with_file("bomb.yaml", bomb));
    assert_has(&all, "bomb.yaml: YAML alias expansion budget exceeded");
}

#[test]
fn a_dag_that_is_not_a_mapping_is_an_error() {
    assert_has(
        &dag_problems("dag: notamapping\n"),
        "dags/etl.yaml: dag: a DAG's 'dag' must be a mapping",
    );
}

#[test]
fn duplicate_keys_in_json_are_an_error_as_in_yaml() {
    let files =
        MemFiles::new("").with_file("k.json", r#"{"kind":"j","name":"dupkey","a":1,"a":2}"#);
    assert_has(&problems(&files), "duplicate key 'a'");
}
