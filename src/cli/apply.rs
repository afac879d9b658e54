//! `gitsync apply`: apply approved proposals (all of them when no id is given).

use super::error::{CmdResult, CommandError, Exit};
use super::{Ctx, json};
use gitsync::apply::{self, Applier};
use gitsync::model::ProposalStatus;
use gitsync::store::{self, ProposalFilter};
use serde_json::Value;

/// Apply approved proposals, in dependency order
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Proposal ids (default: every approved proposal)
    pub ids: Vec<i64>,
}

pub fn run(ctx: &mut Ctx, args: Args) -> CmdResult {
    let ids = if args.ids.is_empty() {
        // Approved proposals, and approved ones whose hook failed and that
        // recovery still retries.
        let conn = ctx.store()?.conn();
        store::proposals::list(conn, &ProposalFilter::default())?
            .into_iter()
            .filter(|p| {
                p.status == ProposalStatus::Approved
                    || (p.retry && p.reviewed_by.is_some() && !apply::recovery_exhausted(conn, p))
            })
            .map(|p| p.id)
            .collect()
    } else {
        for &id in &args.ids {
            if store::proposals::get(ctx.store()?.conn(), id)?.is_none() {
                return Err(CommandError::unknown_proposal(id));
            }
        }
        args.ids.clone()
    };
    let (now, actor) = (ctx.now, ctx.actor.clone());
    let outcomes = apply::apply_all(ctx.store()?, &ids, &Applier::Operator(actor), now)?;
    // A proposal another process applied first is done, not failed: a CI
    // step running beside cron must not fail at random.
    let failed = outcomes
        .iter()
        .filter(|o| !o.applied && o.status != ProposalStatus::Applied)
        .count();
    if ctx.ui.json_mode() {
        let v: Vec<Value> = outcomes
            .iter()
            .map(|o| json::outcome(o.id, o.status.as_str(), o.reason.as_deref()))
            .collect();
        ctx.ui.value(&Value::Array(v))?;
    } else if outcomes.is_empty() {
        ctx.ui.note("nothing to apply: no approved proposals");
    } else {
        for o in &outcomes {
            match (&o.applied, &o.reason) {
                (true, _) => ctx.ui.line(&format!("proposal {}: applied", o.id))?,
                (false, _) if o.status == ProposalStatus::Applied => ctx
                    .ui
                    .line(&format!("proposal {}: already applied", o.id))?,
                (false, r) => ctx.ui.line(&format!(
                    "proposal {}: not applied: {}",
                    o.id,
                    r.as_deref().unwrap_or(o.status.as_str())
                ))?,
            }
        }
    }
    if failed > 0 {
        return Err(CommandError::failure(format!(
            "{failed} of {} proposal(s) were not applied",
            outcomes.len()
        ))
        .with_hint("see 'gitsync proposals show ID' for the reason"));
    }
    Ok(Exit::Success)
}
