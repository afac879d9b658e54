//! `gitsync status`: the health of every repo, with the commits involved.

use super::error::{CmdResult, Exit};
use super::{Ctx, json, ui};
use gitsync::reconcile::Context;
use gitsync::source::Mirror;
use gitsync::status::{Health, commit_url, health};
use gitsync::store::{self, RepoState};
use serde_json::{Value, json};

/// Health of every repo: in-sync, behind, failing, stale, paused, never-synced
#[derive(Debug, clap::Args)]
pub struct Args {
    /// One repo (default: every repo)
    pub name: Option<String>,
    /// Exit 3 when any repo is not in-sync
    #[arg(long)]
    pub exit_code: bool,
}

pub fn run(ctx: &mut Ctx, args: Args) -> CmdResult {
    let repos = match &args.name {
        Some(n) => vec![super::repo::find(ctx, n)?],
        None => store::repos::list(ctx.store()?.conn())?,
    };
    let now = ctx.now;
    let context = ctx.open()?;
    let halted = context.store.halted()?;
    let mut entries = Vec::new();
    let mut all_in_sync = true;
    for repo in &repos {
        let conn = context.store.conn();
        let last = store::runs::last(conn, &repo.config.name)?;
        let open = store::proposals::open_count(conn, &repo.config.name)?;
        let h = health(repo, last.as_ref(), open, now);
        all_in_sync &= h == Health::InSync;
        entries.push(json!({
            "name": repo.config.name,
            "health": h.as_str(),
            "paused": repo.config.paused,
            "ref": repo.config.git_ref,
            "namespace": repo.config.namespace,
            "remote": commit_json(context, repo, repo.fetched_commit.as_deref()),
            "applied": commit_json(context, repo, repo.applied_commit.as_deref()),
            "last_run": last.as_ref().map(json::run),
            "next_due": if repo.config.paused { None } else { Some(repo.next_due.map(store::ts).unwrap_or_else(|| store::ts(now))) },
            "open_proposals": open,
            "recovery": gitsync::status::recovery(conn, &repo.config.name)?,
        }));
    }
    let halts: Vec<Value> = store::halts(context.store.conn())?
        .iter()
        .map(|h| json!({ "namespace": h.namespace, "reason": h.reason, "at": store::ts(h.at), "by": h.actor }))
        .collect();
    let value = json!({ "halted": halted.is_some(), "halt_reason": halted, "halts": halts, "repos": entries });
    if ctx.ui.json_mode() {
        ctx.ui.value(&value)?;
    } else {
        print(ctx, &value)?;
    }
    Ok(if args.exit_code && !all_in_sync {
        Exit::Differences
    } else {
        Exit::Success
    })
}

fn commit_json(context: &Context, repo: &RepoState, commit: Option<&str>) -> Value {
    let Some(commit) = commit else {
        return Value::Null;
    };
    let info = Mirror::open_or_init(&context.mirror_path(&repo.config))
        .ok()
        .and_then(|m| m.commit_info(commit).ok());
    json!({
        "commit": commit,
        "author": info.as_ref().map(|i| i.author.clone()),
        "date": info.as_ref().map(|i| i.date.clone()),
        "subject": info.as_ref().map(|i| i.subject.clone()),
        "url": commit_url(&repo.config, commit),
    })
}

fn print(ctx: &mut Ctx, value: &Value) -> CmdResult<()> {
    for h in value["halts"].as_array().into_iter().flatten() {
        let scope = h["namespace"]
            .as_str()
            .map(|n| format!("namespace '{n}'"))
            .unwrap_or_else(|| "everything".into());
        ctx.ui.line(&format!(
            "HALTED {scope}: {} (nothing there is auto-applied; 'gitsync unhalt' resumes)",
            h["reason"].as_str().unwrap_or("")
        ))?;
    }
    let s = |v: &Value| v.as_str().map(str::to_string).unwrap_or_else(|| "-".into());
    let commit = |v: &Value| {
        if v.is_null() {
            "-".to_string()
        } else {
            let mut out = ui::short(v["commit"].as_str().unwrap_or(""));
            if let Some(subject) = v["subject"].as_str() {
                out.push_str(&format!(" {subject}"));
            }
            out
        }
    };
    let rows = value["repos"]
        .as_array()
        .map(|repos| {
            repos
                .iter()
                .map(|r| {
                    let last = &r["last_run"];
                    let last_text = if last.is_null() {
                        "-".to_string()
                    } else {
                        format!("{} {}", s(&last["status"]), s(&last["started_at"]))
                    };
                    let mut health = s(&r["health"]);
                    if let Some(recovery) = r["recovery"].as_str() {
                        health = format!("{health}: {recovery}");
                    }
                    if let (Some("failed"), Some(e)) =
                        (last["status"].as_str(), last["error"].as_str())
                    {
                        health = format!("{health}: {e}");
                    }
                    vec![
                        s(&r["name"]),
                        health,
                        s(&r["ref"]),
                        commit(&r["remote"]),
                        commit(&r["applied"]),
                        last_text,
                        s(&r["next_due"]),
                        r["open_proposals"].to_string(),
                    ]
                })
                .collect()
        })
        .unwrap_or_default();
    ctx.ui.table(
        &[
            "repo", "health", "ref", "remote", "applied", "last run", "next due", "open",
        ],
        rows,
    )?;
    Ok(())
}
