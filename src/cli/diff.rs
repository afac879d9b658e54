//! `gitsync diff`: a dry run. Fetch, parse and diff, print; open no proposal
//! and write no live state.

use super::error::{CmdResult, CommandError, Exit};
use super::{Ctx, ui};
use gitsync::diff::{self, Plan};
use gitsync::reconcile;
use gitsync::store;
use serde_json::{Value, json};

/// Show what a sync would change, without changing anything
#[derive(Debug, clap::Args)]
pub struct Args {
    /// One repo (default: every repo)
    pub name: Option<String>,
    /// Exit 3 when there are differences, 0 when there are none
    #[arg(long)]
    pub exit_code: bool,
    /// Use the mirror as last fetched; do not contact the remote
    #[arg(long)]
    pub offline: bool,
}

pub fn run(ctx: &mut Ctx, args: Args) -> CmdResult {
    let repos = match &args.name {
        Some(name) => vec![super::repo::find(ctx, name)?],
        None => store::repos::list(ctx.store()?.conn())?,
    };
    let verbose = ctx.ui.verbose && !ctx.ui.quiet;
    let mut log = |msg: &str| {
        if verbose {
            super::ui::progress_line(msg);
        }
    };
    let mut found = false;
    let mut values = Vec::new();
    // One repo that fails (unreachable, invalid) does not hide the others:
    // its error is reported and the command exits 1 at the end.
    let mut failures: Vec<CommandError> = Vec::new();
    for repo in &repos {
        let context = ctx.open()?;
        let Some(_lock) = context.lock_repo(&repo.config.name, context.lock_wait)? else {
            failures.push(CommandError {
                exit: Exit::Busy,
                message: format!(
                    "repo '{}' is being synced by another gitsync process",
                    repo.config.name
                ),
                hint: Some("try again when it finishes".into()),
            });
            continue;
        };
        let planned = if args.offline {
            reconcile::offline(context, &repo.config)
        } else {
            reconcile::fetch(context, &repo.config, &mut log)
        }
        .and_then(|(mirror, commit)| {
            reconcile::read_plan(context, &repo.config, &mirror, &commit).map(|p| (commit, p))
        });
        let (commit, (plan, warnings)) = match planned {
            Ok(planned) => planned,
            Err(e) => {
                let e = CommandError::from(e);
                if ctx.ui.json_mode() {
                    values.push(json!({ "repo": repo.config.name, "revision": null, "diffs": [], "error": e.message }));
                }
                failures.push(e);
                continue;
            }
        };
        found |= !plan.diffs.is_empty();
        for w in &warnings {
            ctx.ui.note(&format!("warning: {}: {w}", repo.config.name));
        }
        for c in &plan.conflicts {
            ctx.ui.note(&format!("warning: {}: {c}", repo.config.name));
        }
        if ctx.ui.json_mode() {
            values.push(
                json!({ "repo": repo.config.name, "revision": commit, "diffs": diffs_json(&plan), "error": null }),
            );
        } else {
            print_plan(ctx, &repo.config.name, &commit, &plan)?;
        }
    }
    if ctx.ui.json_mode() {
        ctx.ui.value(&Value::Array(values))?;
    }
    match failures.len() {
        0 => {}
        1 => return Err(failures.remove(0)),
        _ => {
            for e in &failures[..failures.len() - 1] {
                super::ui::error_line("error", &e.message);
            }
            return Err(failures.pop().expect("more than one"));
        }
    }
    Ok(if args.exit_code && found {
        Exit::Differences
    } else {
        Exit::Success
    })
}

fn diffs_json(plan: &Plan) -> Vec<Value> {
    let mut out: Vec<Value> = plan
        .diffs
        .iter()
        .map(|d| {
            json!({
                "namespace": d.key.namespace, "kind": d.key.kind, "name": d.key.name,
                "change": d.change.as_str(), "base": d.base, "desired": d.desired,
                "diff": d.rendered, "source_path": d.source_path,
            })
        })
        .collect();
    out.extend(plan.informational.iter().map(|i| {
        json!({
            "namespace": i.key.namespace, "kind": i.key.kind, "name": i.key.name,
            "change": "informational", "base": null, "desired": redact(&i.desired),
            "diff": "", "source_path": i.source_path,
        })
    }));
    out
}

/// Provider configs may carry credentials; they are shown, never proposed,
/// and values under secret-looking keys are masked.
fn redact(v: &Value) -> Value {
    const SECRET_KEYS: [&str; 11] = [
        "secret",
        "pass",
        "pwd",
        "token",
        "key",
        "credential",
        "auth",
        "cert",
        "private",
        "conn",
        "dsn",
    ];
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let lower = k.to_ascii_lowercase();
                    let secret = SECRET_KEYS.iter().any(|s| lower.contains(s));
                    let shown = if secret {
                        Value::String("<redacted>".into())
                    } else {
                        redact(v)
                    };
                    (k.clone(), shown)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(redact).collect()),
        // A URL with a user part (`scheme://user:pw@host`) may carry a password.
        Value::String(text) if text.contains("://") && text.contains('@') => {
            Value::String("<redacted>".into())
        }
        other => other.clone(),
    }
}

fn print_plan(ctx: &mut Ctx, repo: &str, commit: &str, plan: &Plan) -> CmdResult<()> {
    if plan.diffs.is_empty() {
        ctx.ui
            .line(&format!("{repo} at {}: no differences", ui::short(commit)))?;
    } else {
        ctx.ui.line(&format!(
            "{repo} at {}: {} difference(s)",
            ui::short(commit),
            plan.diffs.len()
        ))?;
    }
    for d in &plan.diffs {
        ctx.ui.line(&format!(
            "{} {} {}/{}",
            d.change, d.key.kind, d.key.namespace, d.key.name
        ))?;
        ctx.ui.diff(&d.rendered)?;
    }
    for i in &plan.informational {
        ctx.ui.line(&format!(
            "informational {} {}/{} (never applied through git)",
            i.key.kind, i.key.namespace, i.key.name
        ))?;
        ctx.ui.line(diff::to_yaml(&redact(&i.desired)).trim_end())?;
    }
    Ok(())
}
