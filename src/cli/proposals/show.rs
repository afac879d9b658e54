//! `gitsync proposals show`: metadata and the full diff of one proposal.

use super::super::error::{CmdResult, CommandError};
use super::super::{Ctx, OK, json, ui};
use gitsync::store;

/// Show one proposal with its full diff
#[derive(Debug, clap::Args)]
pub struct Args {
    pub id: i64,
}

pub fn run(ctx: &mut Ctx, args: Args) -> CmdResult {
    let p = store::proposals::get(ctx.store()?.conn(), args.id)?
        .ok_or_else(|| CommandError::unknown_proposal(args.id))?;
    if ctx.ui.json_mode() {
        ctx.ui.value(&json::proposal_full(&p))?;
        return OK;
    }
    let ts =
        |t: Option<chrono::DateTime<chrono::Utc>>| t.map(store::ts).unwrap_or_else(|| "-".into());
    let lines = [
        ("proposal", p.id.to_string()),
        ("repo", p.repo.clone()),
        (
            "resource",
            format!("{} {}/{}", p.key.kind, p.key.namespace, p.key.name),
        ),
        ("change", p.change.to_string()),
        ("status", p.status.as_str().into()),
        ("commit", p.commit.clone()),
        ("source", p.source_path.clone()),
        ("created", store::ts(p.created_at)),
        (
            "reviewed by",
            p.reviewed_by.clone().unwrap_or_else(|| "-".into()),
        ),
        ("reviewed at", ts(p.reviewed_at)),
        ("applied at", ts(p.applied_at)),
        ("auto-applied", p.auto_applied.to_string()),
        ("attempts", p.attempts.to_string()),
        ("reason", p.reason.clone().unwrap_or_else(|| "-".into())),
    ];
    for (k, v) in lines {
        ctx.ui.line(&format!("{k:<13} {}", ui::printable(&v)))?;
    }
    if let Some(output) = &p.hook_output {
        ctx.ui.line("hook output:")?;
        for line in output.lines() {
            ctx.ui.line(&format!("  {line}"))?;
        }
    }
    ctx.ui.line("")?;
    ctx.ui.diff(&p.diff)?;
    OK
}
