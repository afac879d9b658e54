//! `gitsync status`: the health of every repo, with the commits involved,
//! one block per repo like `git status`.

use super::error::{CmdResult, Exit};
use super::{Ctx, json, ui};
use chrono::{DateTime, Utc};
use gitsync::reconcile::{self, Context};
use gitsync::source::Mirror;
use gitsync::status::{self, Health, RepoReport, commit_url};
use gitsync::store::{self, RepoState};
use serde_json::{Value, json};

/// Health of every repo: in-sync, behind, failing, stale, paused, never-synced
#[derive(Debug, clap::Args)]
#[command(after_long_help = HEALTH_WORDS)]
pub struct Args {
    /// One repo (default: every repo)
    pub name: Option<String>,
    /// Exit 3 when any repo is not in-sync
    #[arg(long)]
    pub exit_code: bool,
    /// Only the repos of this namespace
    #[arg(long, short = 'n', value_name = "NS")]
    pub namespace: Option<String>,
}

const HEALTH_WORDS: &str = "\
Health words, where several hold the first wins:

    paused        paused by an operator ('gitsync repo resume NAME')
    never-synced  registered, never synced
    failing       the last run failed; its error is shown
    stale         no successful sync for more than twice the interval
    behind        the remote has diffs not all applied yet (open proposals)
    in-sync       the last sync succeeded and no diff is open";

pub fn run(ctx: &mut Ctx, args: Args) -> CmdResult {
    let repos = match &args.name {
        Some(n) => vec![super::repo::find(ctx, n)?],
        None => store::repos::list(ctx.store()?.conn())?,
    };
    let repos: Vec<_> = repos
        .into_iter()
        .filter(|r| {
            args.namespace
                .as_ref()
                .is_none_or(|ns| &r.config.namespace == ns)
        })
        .collect();
    let now = ctx.now;
    let context = ctx.open()?;
    let halted = context.store.halted()?;
    let mut entries = Vec::new();
    let mut all_in_sync = true;
    for repo in repos {
        let report = status::report(context.store.conn(), repo, now)?;
        all_in_sync &= report.health == Health::InSync;
        entries.push(repo_json(context, &report));
    }
    let halts: Vec<Value> = store::halts(context.store.conn())?
        .iter()
        .map(|h| json!({ "namespace": h.namespace, "reason": h.reason, "at": store::ts(h.at), "by": h.actor }))
        .collect();
    let value = json!({ "halted": halted.is_some(), "halt_reason": halted, "halts": halts, "repos": entries });
    if ctx.ui.json_mode() {
        ctx.ui.value(&value)?;
    } else {
        print(ctx, &value, now)?;
    }
    Ok(if args.exit_code && !all_in_sync {
        Exit::Differences
    } else {
        Exit::Success
    })
}

fn repo_json(context: &Context, report: &RepoReport) -> Value {
    let repo = &report.repo;
    json!({
        "name": repo.config.name,
        "health": report.health.as_str(),
        "paused": repo.config.paused,
        "ref": repo.config.git_ref,
        "url": repo.config.url,
        "namespace": repo.config.namespace,
        "interval": repo.config.interval,
        "remote": commit_json(context, repo, repo.fetched_commit.as_deref()),
        "applied": commit_json(context, repo, repo.applied_commit.as_deref()),
        "last_run": report.last_run.as_ref().map(json::run),
        "last_success_at": repo.last_success_at.map(store::ts),
        "consecutive_failures": report.consecutive_failures,
        "next_due": report.next_due.map(store::ts),
        "open_proposals": report.open_proposals,
        "recovery": report.recovery,
    })
}

fn commit_json(context: &Context, repo: &RepoState, commit: Option<&str>) -> Value {
    let Some(commit) = commit else {
        return Value::Null;
    };
    // Read the mirror only where one exists: status never creates one.
    let path = context.mirror_path(&repo.config);
    let info = path
        .exists()
        .then(|| Mirror::open_or_init(&path).ok())
        .flatten()
        .and_then(|m| m.commit_info(commit).ok());
    json!({
        "commit": commit,
        "author": info.as_ref().map(|i| i.author.clone()),
        "date": info.as_ref().map(|i| i.date.clone()),
        "subject": info.as_ref().map(|i| i.subject.clone()),
        "url": commit_url(&repo.config, commit),
    })
}

fn print(ctx: &mut Ctx, value: &Value, now: DateTime<Utc>) -> CmdResult<()> {
    for h in value["halts"].as_array().into_iter().flatten() {
        let (scope, lift) = match h["namespace"].as_str() {
            Some(n) => (
                format!("namespace '{n}'"),
                format!("gitsync unhalt --namespace {n}"),
            ),
            None => ("everything".to_string(), "gitsync unhalt".to_string()),
        };
        ctx.ui.line(&format!(
            "HALTED {scope}: {} (nothing there is auto-applied; '{lift}' resumes)",
            h["reason"].as_str().unwrap_or("")
        ))?;
        ctx.ui.line("")?;
    }
    let repos = value["repos"].as_array().cloned().unwrap_or_default();
    if repos.is_empty() {
        ctx.ui
            .line("no repos registered; add one with 'gitsync repo add NAME URL'")?;
    }
    for (i, r) in repos.iter().enumerate() {
        if i > 0 {
            ctx.ui.line("")?;
        }
        for line in repo_block(r, now) {
            ctx.ui.line(line.trim_end())?;
        }
    }
    Ok(())
}

/// The lines of one repo's block.
fn repo_block(r: &Value, now: DateTime<Utc>) -> Vec<String> {
    let s = |v: &Value| v.as_str().unwrap_or("-").to_string();
    let mut lines = vec![format!("{}: {}", s(&r["name"]), s(&r["health"]))];
    let mut field = |name: &str, text: String| lines.push(format!("  {name:<10} {text}"));
    field(
        "ref",
        format!(
            "{} of {}, every {}",
            s(&r["ref"]),
            s(&r["url"]),
            span(r["interval"].as_i64().unwrap_or(0))
        ),
    );
    let remote = &r["remote"];
    let applied = &r["applied"];
    match commit_lines(remote) {
        None => field("remote", "never fetched".into()),
        Some(text) => text.into_iter().enumerate().for_each(|(i, t)| {
            field(if i == 0 { "remote" } else { "" }, t);
        }),
    }
    if applied.is_null() {
        field("applied", "nothing fully applied yet".into());
    } else if applied["commit"] == remote["commit"] {
        field("applied", "the remote head".into());
    } else if let Some(text) = commit_lines(applied) {
        text.into_iter().enumerate().for_each(|(i, t)| {
            field(if i == 0 { "applied" } else { "" }, t);
        });
    }
    let last = &r["last_run"];
    if last.is_null() {
        field("last run", "none".into());
    } else {
        let mut text = format!(
            "{} {}, run {}",
            s(&last["status"]),
            when(&last["started_at"], now),
            last["id"]
        );
        if last["status"] != "failed" && last["status"] != "running" {
            text.push_str(&format!(
                ": {} diff(s), {} opened",
                last["diff_count"],
                last["opened"].as_array().map_or(0, Vec::len)
            ));
        }
        field("last run", text);
        if let Some(e) = last["error"].as_str() {
            field("error", e.to_string());
        }
    }
    let failures = r["consecutive_failures"].as_u64().unwrap_or(0);
    if failures > 1 {
        let interval = r["interval"].as_u64().unwrap_or(0);
        field(
            "failures",
            format!(
                "{failures} runs in a row failed; failed syncs back off up to {} apart until one succeeds",
                span(reconcile::retry_delay(interval, failures) as i64)
            ),
        );
    }
    if r["paused"] == true {
        field("next due", "never while paused".into());
    } else {
        field("next due", when(&r["next_due"], now));
    }
    let open = r["open_proposals"].as_u64().unwrap_or(0);
    field(
        "proposals",
        if open == 0 {
            "none open".into()
        } else {
            format!(
                "{open} open ('gitsync proposals list --repo {}')",
                s(&r["name"])
            )
        },
    );
    if let Some(recovery) = r["recovery"].as_str() {
        field("recovery", recovery.to_string());
    }
    lines
}

/// A commit in one to three lines: short hash and subject, author and
/// date, web link.
fn commit_lines(c: &Value) -> Option<Vec<String>> {
    let commit = c["commit"].as_str()?;
    let mut first = ui::short(commit);
    if let Some(subject) = c["subject"].as_str() {
        first.push_str(&format!(" {subject}"));
    }
    let mut lines = vec![first];
    if let (Some(author), Some(date)) = (c["author"].as_str(), c["date"].as_str()) {
        lines.push(format!("{author}, {date}"));
    }
    if let Some(url) = c["url"].as_str() {
        lines.push(url.to_string());
    }
    Some(lines)
}

/// A timestamp with how far it is from now, e.g.
/// `2024-01-01T00:10:00Z (5m ago)`.
fn when(v: &Value, now: DateTime<Utc>) -> String {
    let Some(text) = v.as_str() else {
        return "-".into();
    };
    let Ok(t) = DateTime::parse_from_rfc3339(text) else {
        return text.into();
    };
    let secs = (t.with_timezone(&Utc) - now).num_seconds();
    let relative = match secs {
        0 => "now".to_string(),
        s if s > 0 => format!("in {}", span(s)),
        s => format!("{} ago", span(-s)),
    };
    format!("{text} ({relative})")
}

/// A duration in seconds for people: `45s`, `5m`, `2h 5m`, `3d 4h`.
fn span(secs: i64) -> String {
    let (d, h, m, s) = (
        secs / 86400,
        secs % 86400 / 3600,
        secs % 3600 / 60,
        secs % 60,
    );
    let parts: Vec<String> = [(d, "d"), (h, "h"), (m, "m"), (s, "s")]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n}{unit}"))
        .take(2)
        .collect();
    if parts.is_empty() {
        "0s".into()
    } else {
        parts.join(" ")
    }
}
