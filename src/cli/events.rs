//! `gitsync events`: the audit trail, oldest first, for people or a log pipeline.

use super::error::{CmdResult, CommandError};
use super::{Ctx, OK, ui};
use chrono::{DateTime, Utc};
use gitsync::store::{self, EventFilter};
use serde_json::{Value, json};

/// The audit trail: every state change with actor and time, oldest first
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only events at or after this time (RFC 3339)
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only this repo's events
    #[arg(long, value_name = "R")]
    pub repo: Option<String>,
    /// At most N events
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = |s: &str| gitsync::limits::LIST_LIMIT.parse_value(s))]
    pub limit: Option<u64>,
}

pub fn run(ctx: &mut Ctx, args: Args) -> CmdResult {
    let since = match &args.since {
        Some(s) => Some(
            DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| {
                    CommandError::usage(format!(
                        "invalid --since '{s}': {e} (use RFC 3339, e.g. 2026-01-31T12:00:00Z)"
                    ))
                })?,
        ),
        None => None,
    };
    if let Some(r) = &args.repo {
        super::repo::check_filter(ctx, r)?;
    }
    let filter = EventFilter {
        since,
        repo: args.repo.as_deref(),
        limit: args.limit,
    };
    let events = store::events::list(ctx.store()?.conn(), &filter)?;
    if ctx.ui.json_mode() {
        let v: Vec<Value> = events
            .iter()
            .map(|e| {
                json!({
                    "id": e.id, "at": store::ts(e.at), "actor": e.actor, "action": e.action,
                    "repo": e.repo, "proposal": e.proposal, "detail": e.detail,
                })
            })
            .collect();
        ctx.ui.value(&Value::Array(v))?;
        return OK;
    }
    let rows = events
        .iter()
        .map(|e| {
            vec![
                store::ts(e.at),
                e.actor.clone(),
                e.action.clone(),
                ui::opt(&e.repo),
                e.proposal
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "-".into()),
                ui::opt(&e.detail),
            ]
        })
        .collect();
    ctx.ui.table(
        &["at", "actor", "action", "repo", "proposal", "detail"],
        rows,
    )?;
    OK
}
