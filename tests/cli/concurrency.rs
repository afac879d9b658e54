//! Eight gitsync processes at once on one state file, mixing syncs, applies
//! and reads over three repos whose upstreams move between rounds: nothing is
//! opened twice, applied twice or lost, and only "busy" ever stops a command.
//!
//! `GITSYNC_CONCURRENCY_ROUNDS=20` runs the long mode (default 5 rounds);
//! `GITSYNC_CONCURRENCY_SEED=N` replays one failure's random choices.

use crate::crash::{
    Rng, check_state, check_tree, commit_generation, converge, env_count, live, serial_live,
};
use crate::harness::{TestEnv, contrib};
use std::collections::BTreeMap;
use std::process::Stdio;

const COMMANDS: [&[&str]; 6] = [
    &["sync", "alpha"],
    &["sync", "--all"],
    &["-o", "json", "proposals", "approve", "--all", "--apply"],
    &["-o", "json", "apply"],
    &["status"],
    &["get"],
];

#[test]
fn eight_processes_at_once_never_open_or_apply_a_proposal_twice() {
    let mut rng = Rng::from_env("GITSYNC_CONCURRENCY_SEED");
    let rounds = env_count("GITSYNC_CONCURRENCY_ROUNDS", 5);
    let env = TestEnv::new();
    let root = env.path().join("live");
    let deliveries = env.path().join("deliveries");
    let repos = [("alpha", "a"), ("beta", "b"), ("gamma", "c")];
    let ups: Vec<_> = repos.iter().map(|(name, _)| env.upstream(name)).collect();
    for ((name, namespace), up) in repos.iter().zip(&ups) {
        commit_generation(up, 0, &[0]);
        // Besides the file tree, every delivery is logged: each applied
        // proposal must reach the outside world exactly once.
        let log = format!(
            "*=sh -c 'cat >/dev/null; echo $GITSYNC_PROPOSAL >> {}'",
            deliveries.display()
        );
        let tree = format!("*={} {}", contrib("write-file-tree"), root.display());
        env.run(&[
            "repo",
            "add",
            name,
            &up.url(),
            "--namespace",
            namespace,
            "--apply-hook",
            &tree,
            "--apply-hook",
            &log,
        ])
        .success();
    }
    let (mut processes, mut busy, mut raced) = (0, 0, 0);
    let mut generations = vec![0u64; ups.len()];
    for round in 0..rounds {
        // Upstreams move on between rounds, not all of them every time.
        if round > 0 {
            for (i, up) in ups.iter().enumerate() {
                if rng.below(3) > 0 {
                    generations[i] += 1;
                    let g = generations[i];
                    let extras: Vec<u64> = (g.saturating_sub(2)..=g).collect();
                    commit_generation(up, g, &extras);
                }
            }
        }
        // Every command runs every round; two more are picked at random.
        let mut picked: Vec<&[&str]> = COMMANDS.to_vec();
        picked.push(COMMANDS[rng.below(6) as usize]);
        picked.push(COMMANDS[rng.below(6) as usize]);
        let children: Vec<_> = picked
            .iter()
            .map(|args| {
                env.command(args)
                    .stdin(Stdio::null())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn gitsync")
            })
            .collect();
        for (args, child) in picked.iter().zip(children) {
            let out = child.wait_with_output().unwrap();
            let code = out.status.code();
            processes += 1;
            busy += u64::from(code == Some(4));
            let output = format!(
                "round {round}: {args:?} exited {code:?}\nstdout:\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            if code == Some(1) && args.contains(&"json") {
                // An apply that a sync overtook: the sync superseded a
                // proposal after it was approved (upstream changed), so what
                // refers to it is refused and returns to review, in this
                // process or one beside it. Exit 1 says not all that was
                // approved was applied; any other reason is a failure.
                let outcomes: serde_json::Value =
                    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {output}"));
                for o in outcomes.as_array().unwrap() {
                    let reason = o["reason"].as_str().unwrap_or_default();
                    assert!(
                        o["status"] == "applied"
                            || o["status"] == "superseded"
                            || reason.contains("which is not live yet")
                            || reason.starts_with("not approved")
                            || reason == "stale",
                        "{o}: {output}"
                    );
                }
                raced += 1;
                continue;
            }
            assert!(matches!(code, Some(0 | 4)), "{output}");
        }
        let context = format!("after round {round}");
        check_state(&env, &context);
        check_tree(&env, &root, true, &context);
    }
    converge(&env);
    check_state(&env, "after converging");
    check_tree(&env, &root, true, "after converging");
    let mut delivered: BTreeMap<i64, u32> = BTreeMap::new();
    for line in std::fs::read_to_string(&deliveries).unwrap().lines() {
        *delivered.entry(line.parse().unwrap()).or_default() += 1;
    }
    let applied: Vec<i64> = env
        .json(&["proposals", "list", "--status", "applied"])
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    let twice: Vec<_> = delivered.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
    assert_eq!(
        delivered.keys().copied().collect::<Vec<_>>(),
        {
            let mut a = applied.clone();
            a.sort();
            a
        },
        "deliveries are not the applied proposals"
    );
    let serial: Vec<_> = repos
        .iter()
        .zip(&ups)
        .map(|((name, namespace), up)| (*name, up, *namespace))
        .collect();
    assert_eq!(
        live(&env),
        serial_live(&serial),
        "concurrent runs ended somewhere a serial run does not"
    );
    eprintln!(
        "{rounds} rounds, {processes} processes, {busy} exited busy (4), {raced} applies \
         overtaken by a sync (1), {} proposals applied, each delivered once",
        applied.len()
    );
}
