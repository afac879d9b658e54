//! The manifests layout end to end: DAG repositories with several teams'
//! folders, compiled files, prune and restore with continuous history,
//! several repos feeding one namespace, tags and sub-folders.

use crate::harness::{GitRepo, TestEnv, fixtures};
use serde_json::Value;

/// The `--compile` rule that turns the fixtures' `*.py` files into DAGs.
fn compile_rule() -> String {
    let script = fixtures().join("manifests/compile-py.sh");
    format!(
        "*.py=sh {}",
        shell_words::quote(&script.display().to_string())
    )
}

/// An upstream repo holding fixtures/manifests/platform, registered as
/// `platform` with the manifests layout and the `*.py` compiler. The
/// compiler logs every file it compiles to `compile.log`.
fn platform_env(extra_add_flags: &[&str]) -> (TestEnv, GitRepo) {
    let mut env = TestEnv::new();
    let log = env.path().join("compile.log");
    env.env
        .push(("COMPILE_LOG".into(), log.display().to_string()));
    let up = env.upstream("platform");
    up.load_fixture("manifests/platform");
    up.commit("DAGs of the ingest and analytics teams");
    let url = up.url();
    let rule = compile_rule();
    let mut args = vec![
        "repo",
        "add",
        "platform",
        url.as_str(),
        "--layout",
        "manifests",
        "--compile",
        rule.as_str(),
    ];
    args.extend_from_slice(extra_add_flags);
    env.run(&args).success();
    (env, up)
}

fn compiled_files(env: &TestEnv) -> Vec<String> {
    std::fs::read_to_string(env.path().join("compile.log"))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

fn kinds_and_names(list: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap().to_string(),
                r["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, n)| (k.to_string(), n.to_string()))
        .collect()
}

fn approve_all(env: &TestEnv) -> Value {
    let applied = env.json(&["proposals", "approve", "--all", "--apply"]);
    assert!(
        applied
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] == "applied"),
        "{applied:#}"
    );
    applied
}

// Guards: every YAML document, JSON file and compiled file below the path is
// one resource, with its whole document as spec and its file as origin.
#[test]
fn a_dag_repository_syncs_into_one_resource_per_document() {
    let (env, up) = platform_env(&[]);
    let run = env.json(&["sync", "platform"])[0].clone();
    assert_eq!(run["status"], "success", "{run:#}");
    assert_eq!(run["diff_count"], 6);
    assert_eq!(run["summary"]["dag"], 4);
    assert_eq!(run["summary"]["connection"], 2);
    approve_all(&env);
    assert_eq!(
        kinds_and_names(&env.json(&["get"])),
        pairs(&[
            ("connection", "orders-db"),
            ("connection", "warehouse"),
            ("dag", "daily-etl"),
            ("dag", "hourly-sync"),
            ("dag", "revenue"),
            ("dag", "weekly-report"),
        ])
    );
    let etl = &env.json(&["get", "dag", "daily-etl"])[0];
    assert_eq!(etl["origin"]["type"], "git");
    assert_eq!(etl["origin"]["repo"], "platform");
    assert_eq!(etl["origin"]["path"], "teams/ingest/daily-etl.yaml");
    assert_eq!(etl["origin"]["commit"], up.head());
    // Keys the layout does not know are kept as they are.
    assert_eq!(etl["spec"]["dag"]["owner"], "ingest@example.com");
    assert_eq!(etl["spec"]["tasks"][0]["retries"], 3);
    let warehouse = &env.json(&["get", "connection", "warehouse"])[0];
    assert_eq!(warehouse["spec"]["metadata"]["labels"]["team"], "ingest");
    let revenue = &env.json(&["get", "dag", "revenue"])[0];
    assert_eq!(revenue["origin"]["path"], "teams/analytics/dags/revenue.py");
    assert_eq!(revenue["spec"]["tasks"][2]["requires"][0], "aggregate");
    assert_eq!(env.json(&["status"])["repos"][0]["health"], "in-sync");
}

// Guards: the acceptance story of issue 6 — delete a file, the resource is
// pruned through a reviewed destroy; push it back, history continues.
#[test]
fn deleting_a_file_prunes_and_restoring_it_continues_the_history() {
    let (env, up) = platform_env(&["--auto-apply"]);
    let run = env.json(&["sync", "platform"])[0].clone();
    assert_eq!(run["auto_applied"].as_array().unwrap().len(), 6);
    let first = env.json(&["history", "dag", "hourly-sync"]);
    assert_eq!(first.as_array().unwrap().len(), 1);
    assert_eq!(first[0]["change"], "create");

    let file = "teams/ingest/hourly-sync.yml";
    let content = std::fs::read_to_string(up.path.join(file)).unwrap();
    up.remove(file);
    let deleted = up.commit("retire the hourly sync");
    let run = env.json(&["sync", "platform"])[0].clone();
    assert_eq!(run["diff_count"], 1);
    // A destroy never auto-applies, even for an auto-apply repo.
    assert_eq!(run["auto_applied"], serde_json::json!([]));
    let open = env.json(&["proposals", "list"]);
    assert_eq!(open.as_array().unwrap().len(), 1, "{open:#}");
    assert_eq!(open[0]["change"], "destroy");
    assert_eq!(open[0]["name"], "hourly-sync");
    assert_eq!(
        env.json(&["get", "dag", "hourly-sync"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    approve_all(&env);
    assert_eq!(
        env.json(&["get", "dag", "hourly-sync"]),
        serde_json::json!([])
    );
    let pruned = env.json(&["history", "dag", "hourly-sync"]);
    assert_eq!(pruned.as_array().unwrap().len(), 2);
    assert_eq!(pruned[0]["change"], "destroy");
    assert_eq!(pruned[0]["commit"], deleted);

    up.write(file, &content);
    let restored = up.commit("bring the hourly sync back");
    env.json(&["sync", "platform"]);
    let history = env.json(&["history", "dag", "hourly-sync"]);
    let changes: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["change"].as_str().unwrap())
        .collect();
    assert_eq!(changes, ["create", "destroy", "create"]);
    assert_eq!(history[0]["commit"], restored);
    assert_eq!(history[0]["approved_by"], "gitsync-auto-apply");
    // The story before the prune is kept, unchanged, under the new entry.
    assert_eq!(history[1], pruned[0]);
    assert_eq!(history[2], pruned[1]);
    let live = &env.json(&["get", "dag", "hourly-sync"])[0];
    assert_eq!(live["origin"]["path"], file);
}

// Guards: compiled output is cached by blob id, so an unchanged file is
// never compiled twice, whatever else changes in the repo.
#[test]
fn an_unchanged_compiled_file_is_never_compiled_twice() {
    let (env, up) = platform_env(&[]);
    env.json(&["sync", "platform"]);
    env.json(&["diff"]);
    assert_eq!(compiled_files(&env), ["revenue.py"]);
    up.write(
        "teams/ingest/daily-etl.yaml",
        &std::fs::read_to_string(up.path.join("teams/ingest/daily-etl.yaml"))
            .unwrap()
            .replace("0 3 * * *", "0 2 * * *"),
    );
    up.commit("run the ETL an hour earlier");
    env.json(&["sync", "platform"]);
    assert_eq!(compiled_files(&env), ["revenue.py"]);
    // A changed file is compiled again, once.
    let py = "teams/analytics/dags/revenue.py";
    up.write(
        py,
        &std::fs::read_to_string(up.path.join(py))
            .unwrap()
            .replace("30 4 1 * *", "0 5 1 * *"),
    );
    up.commit("revenue later");
    let run = env.json(&["sync", "platform"])[0].clone();
    assert_eq!(run["status"], "success");
    env.json(&["sync", "platform"]);
    assert_eq!(compiled_files(&env), ["revenue.py", "revenue.py"]);
    let open = env.json(&["proposals", "list"]);
    let revenue = open
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "revenue")
        .unwrap();
    let show = env.json(&["proposals", "show", &revenue["id"].to_string()]);
    assert_eq!(show["desired"]["dag"]["schedule"], "0 5 1 * *");
}

// Guards: a compile command that fails stops the run, naming the file and
// showing the end of its stderr.
#[test]
fn a_failing_compile_fails_the_run_with_the_file_and_its_stderr() {
    let (env, up) = platform_env(&[]);
    up.write(
        "teams/analytics/dags/broken.py",
        "DAG_ID = \"broken\"\nraise RuntimeError\n",
    );
    up.commit("a DAG that does not build");
    let out = env.run(&["sync", "platform"]).code(1);
    assert!(
        out.stderr.contains("teams/analytics/dags/broken.py: 'sh "),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("exited with status 1"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("RuntimeError: cannot build the DAG"),
        "{}",
        out.stderr
    );
    assert_eq!(env.json(&["proposals", "list"]), serde_json::json!([]));
    let runs = env.json(&["runs", "--repo", "platform"]);
    assert_eq!(runs[0]["status"], "failed");
}

// Guards: broken DAGs fail the run before anything is proposed, with every
// problem named by file and path, the cycle spelled out.
#[test]
fn invalid_dags_fail_the_run_with_every_problem_named() {
    let env = TestEnv::new();
    let up = env.upstream("broken");
    up.load_fixture("manifests/invalid");
    up.commit("broken DAGs");
    env.run(&["repo", "add", "broken", &up.url(), "--layout", "manifests"])
        .success();
    // `diff` is how a team checks its DAGs before merging.
    let out = env.run(&["diff", "broken"]);
    insta::assert_snapshot!(env.normalize(&out), @r"
    ------- stderr -------
    error: repo 'broken': 9 validation errors in the repository:
      teams/analytics/no-id.yaml: dag.id: a DAG needs an id
      teams/analytics/no-id.yaml: tasks[0]: task 'notify' of type 'http' has neither a script nor a config mapping
      teams/ingest/daily-etl.yaml: dag.schedule: invalid cron expression '0 3 * * 8': day-of-week field '8': 8 is out of range 0-7
      teams/ingest/daily-etl.yaml: dag.default_timeout: integer 30 has no unit; write a duration such as '90s', or use 'default_timeout_ms' for milliseconds
      teams/ingest/daily-etl.yaml: tasks[3].id: duplicate task id 'load' (also tasks[2]); task ids must be unique within a DAG
      teams/ingest/daily-etl.yaml: tasks[1]: task 'transform' has no script; only tasks of type http, sql, email, sensor, trigger may give a config instead
      teams/ingest/daily-etl.yaml: tasks[1].requires[1]: task 'transform' requires 'cleanse', which is not a task of DAG 'daily-etl'
      teams/ingest/daily-etl.yaml: tasks: cycle in DAG 'daily-etl': extract -> transform -> load -> extract (each task runs after the one before it)
      teams/ingest/daily-etl.yaml: dag 'daily-etl' is declared twice: in teams/analytics/daily-etl.yml and in teams/ingest/daily-etl.yaml; each kind and name may be declared once
    [exit status: 1]
    ");
    env.run(&["sync", "broken"]).code(1);
    assert_eq!(
        env.json(&["proposals", "list", "--status", "all"]),
        serde_json::json!([])
    );
    assert_eq!(env.json(&["get"]), serde_json::json!([]));
    let runs = env.json(&["runs", "--repo", "broken"]);
    assert_eq!(runs[0]["status"], "failed");
    let error = runs[0]["error"].as_str().unwrap();
    assert!(
        error.contains("extract -> transform -> load -> extract"),
        "{error}"
    );
}

// Guards: a repo owns what it created; another repo declaring the same kind
// and name gets an ownership conflict named in its run, and the owner's
// resource stays as it was.
#[test]
fn two_repos_declaring_the_same_dag_conflict_and_the_owner_keeps_it() {
    let (env, _up) = platform_env(&[]);
    env.json(&["sync", "platform"]);
    approve_all(&env);
    let owned = env.json(&["get", "dag", "daily-etl"]);

    let other = env.upstream("finance");
    other.write(
        "dags/daily-etl.yaml",
        "dag:\n  id: daily-etl\n  schedule: \"0 1 * * *\"\ntasks:\n  - {id: steal, script: steal.sh}\n",
    );
    other.write(
        "dags/close-books.yaml",
        "dag:\n  id: close-books\n  schedule: \"0 0 L * *\"\n",
    );
    other.commit("finance DAGs");
    env.run(&[
        "repo",
        "add",
        "finance",
        &other.url(),
        "--layout",
        "manifests",
        "--auto-apply",
    ])
    .success();
    // L is not five-field cron: fix it and sync again.
    let out = env.run(&["sync", "finance"]).code(1);
    assert!(
        out.stderr
            .contains("dags/close-books.yaml: dag.schedule: invalid cron expression '0 0 L * *'"),
        "{}",
        out.stderr
    );
    other.write(
        "dags/close-books.yaml",
        "dag:\n  id: close-books\n  schedule: \"0 0 28-31 * *\"\n",
    );
    other.commit("valid schedule");
    let run = env.json(&["sync", "finance"])[0].clone();
    assert_eq!(run["status"], "partial", "{run:#}");
    let error = run["error"].as_str().unwrap();
    assert!(
        error.contains("dag 'daily-etl' in namespace 'default' is owned by repo 'platform'"),
        "{error}"
    );
    // What the second repo declares alone is created and owned by it.
    assert_eq!(run["auto_applied"].as_array().unwrap().len(), 1);
    let books = &env.json(&["get", "dag", "close-books"])[0];
    assert_eq!(books["origin"]["repo"], "finance");
    assert_eq!(env.json(&["get", "dag", "daily-etl"]), owned);
    assert!(
        env.json(&["proposals", "list", "--repo", "finance", "--status", "all"])
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["name"] != "daily-etl")
    );
    // The owner's next sync sees no change and no conflict.
    let again = env.json(&["sync", "platform"])[0].clone();
    assert_eq!(again["status"], "success");
    assert_eq!(again["diff_count"], 0);
}

// Guards: `--ref tag:NAME` reads the tagged commit and `--path` only the
// sub-folder, with origins still relative to the repository root.
#[test]
fn a_tag_and_a_sub_folder_select_what_is_read() {
    let env = TestEnv::new();
    let up = env.upstream("platform");
    up.load_fixture("manifests/platform");
    let tagged = up.commit("release 1");
    up.git(&["tag", "v1"]);
    up.write(
        "teams/ingest/late.yaml",
        "dag: {id: late}\ntasks: [{id: a, script: a.sh}]\n",
    );
    up.commit("after the release");
    let url = up.url();
    env.run(&[
        "repo",
        "add",
        "ingest",
        &url,
        "--layout",
        "manifests",
        "--ref",
        "tag:v1",
        "--path",
        "teams/ingest",
    ])
    .success();
    let run = env.json(&["sync", "ingest"])[0].clone();
    assert_eq!(run["revision"], tagged);
    approve_all(&env);
    let live = env.json(&["get"]);
    assert_eq!(
        kinds_and_names(&live),
        pairs(&[
            ("connection", "orders-db"),
            ("connection", "warehouse"),
            ("dag", "daily-etl"),
            ("dag", "hourly-sync"),
        ])
    );
    let etl = &env.json(&["get", "dag", "daily-etl"])[0];
    assert_eq!(etl["origin"]["path"], "teams/ingest/daily-etl.yaml");
    assert_eq!(etl["origin"]["commit"], tagged);
}

// Guards: repository content is untrusted: a symlink among the manifests
// fails the run with its path rather than being skipped or followed.
#[test]
fn a_symlinked_manifest_is_refused_by_path() {
    let env = TestEnv::new();
    let up = env.upstream("links");
    up.write("dags/etl.yaml", "dag: {id: etl}\n");
    std::os::unix::fs::symlink("/etc/passwd", up.path.join("dags/passwd.yaml")).unwrap();
    up.commit("a link");
    env.run(&["repo", "add", "links", &up.url(), "--layout", "manifests"])
        .success();
    let out = env.run(&["sync", "links"]).code(1);
    assert!(
        out.stderr.contains("dags/passwd.yaml: is a symbolic link"),
        "{}",
        out.stderr
    );
    assert_eq!(env.json(&["proposals", "list"]), serde_json::json!([]));
}

// Guards: compile rules are host configuration checked at `repo add`.
#[test]
fn repo_add_checks_compile_rules() {
    let env = TestEnv::new();
    let up = env.upstream("r");
    up.write("a.yaml", "dag: {id: a}\n");
    up.commit("a");
    let url = up.url();
    let cases: &[(&[&str], &str)] = &[
        (
            &["--layout", "manifests", "--compile", "*.py"],
            "is not GLOB=COMMAND",
        ),
        (
            &["--layout", "manifests", "--compile", "*.py="],
            "the command is empty",
        ),
        (
            &["--layout", "manifests", "--compile", "a**.py=x"],
            "'**' must be a whole folder",
        ),
        (
            &["--compile", "*.py=python3 -m x"],
            "--compile applies to the manifests layout only",
        ),
    ];
    for (flags, needle) in cases {
        let mut args = vec!["repo", "add", "r", url.as_str()];
        args.extend_from_slice(flags);
        let out = env.run(&args).code(2);
        assert!(out.stderr.contains(needle), "{flags:?}: {}", out.stderr);
    }
    assert!(!env.state().exists(), "a refused add creates no state file");
    env.run(&[
        "repo",
        "add",
        "r",
        &url,
        "--layout",
        "manifests",
        "--compile",
        "dags/**/*.py=python3 -m kiok.compile",
    ])
    .success();
    assert_eq!(env.json(&["repo", "show", "r"])["layout"], "manifests");
}

// Guards: a moved file updates the resource's origin, so `get` never points
// at a file that is gone, and its history goes on.
#[test]
fn a_moved_file_updates_the_origin_and_keeps_the_history() {
    let (env, up) = platform_env(&["--auto-apply"]);
    env.json(&["sync", "platform"]);
    up.git(&[
        "mv",
        "teams/ingest/hourly-sync.yml",
        "teams/ingest/hourly.yml",
    ]);
    up.commit("rename");
    let run = env.json(&["sync", "platform"])[0].clone();
    assert_eq!(run["diff_count"], 1, "{run:#}");
    assert_eq!(run["auto_applied"].as_array().unwrap().len(), 1);
    let live = env.json(&["get", "dag", "hourly-sync"]);
    assert_eq!(live[0]["origin"]["path"], "teams/ingest/hourly.yml");
    assert_eq!(
        env.json(&["history", "dag", "hourly-sync"])
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let again = env.json(&["sync", "platform"])[0].clone();
    assert_eq!(again["diff_count"], 0);
}
