//! `gitsync proposals approve`, `reject` and `ignore`: an operator's verdict.

use super::super::error::{CmdResult, CommandError, Exit};
use super::super::{Ctx, json};
use gitsync::apply::{self, Applier};
use gitsync::model::{Change, ProposalStatus};
use gitsync::store::{self, ProposalFilter};
use serde_json::Value;

/// Approve proposals (reviewer defaults to $USER); --apply applies them at once
#[derive(Debug, clap::Args)]
pub struct ApproveArgs {
    /// Proposal ids
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub ids: Vec<i64>,
    /// Every open proposal (narrow with --repo, --kind, --change)
    #[arg(long)]
    pub all: bool,
    #[arg(long, value_name = "R", requires = "all")]
    pub repo: Option<String>,
    #[arg(long, value_name = "K", requires = "all")]
    pub kind: Option<String>,
    /// create, update or destroy
    #[arg(long, value_name = "C", requires = "all")]
    pub change: Option<String>,
    /// Who approves [default: $USER]
    #[arg(long, value_name = "WHO")]
    pub by: Option<String>,
    /// Apply the approved proposals at once
    #[arg(long)]
    pub apply: bool,
}

/// Reject proposals: live state stays; the diff is not reopened until it changes
#[derive(Debug, clap::Args)]
pub struct RejectArgs {
    #[arg(required = true)]
    pub ids: Vec<i64>,
    /// Why
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    #[arg(long, value_name = "WHO")]
    pub by: Option<String>,
}

/// Ignore proposals: live state stays; the diff is not reopened until it changes
#[derive(Debug, clap::Args)]
pub struct IgnoreArgs {
    #[arg(required = true)]
    pub ids: Vec<i64>,
    #[arg(long, value_name = "WHO")]
    pub by: Option<String>,
}

pub fn approve(ctx: &mut Ctx, args: ApproveArgs) -> CmdResult {
    if let Some(by) = &args.by {
        CommandError::check_text("--by", by)?;
    }
    let by = args.by.clone().unwrap_or_else(|| ctx.actor.clone());
    let ids = if args.all {
        if let Some(r) = &args.repo {
            super::super::repo::check_filter(ctx, r)?;
        }
        let change = match &args.change {
            Some(c) => Some(Change::parse(c).ok_or_else(|| {
                CommandError::usage(format!(
                    "unknown change '{c}': use create, update or destroy"
                ))
            })?),
            None => None,
        };
        store::proposals::list(
            ctx.store()?.conn(),
            &ProposalFilter {
                repo: args.repo.as_deref(),
                kind: args.kind.as_deref(),
                change,
                ..Default::default()
            },
        )?
        .into_iter()
        .map(|p| p.id)
        .collect()
    } else {
        args.ids.clone()
    };
    let mut results = review(ctx, &ids, ProposalStatus::Approved, &by, None)?;
    let mut exit = exit_of(&results);
    if args.apply {
        let approved: Vec<i64> = results
            .iter()
            .filter(|r| r.1 == ProposalStatus::Approved)
            .map(|r| r.0)
            .collect();
        let now = ctx.now;
        let outcomes =
            apply::apply_all(ctx.store()?, &approved, &Applier::Operator(by.clone()), now)?;
        for o in outcomes {
            if let Some(r) = results.iter_mut().find(|r| r.0 == o.id) {
                *r = (
                    o.id,
                    o.status,
                    o.reason.clone(),
                    o.applied || o.status == ProposalStatus::Applied,
                );
            }
        }
        exit = exit_of(&results);
    }
    report(
        ctx,
        &results,
        if args.apply { "applied" } else { "approved" },
    )?;
    finish(exit)
}

pub fn reject(ctx: &mut Ctx, args: RejectArgs) -> CmdResult {
    if let Some(by) = &args.by {
        CommandError::check_text("--by", by)?;
    }
    if let Some(reason) = &args.reason {
        CommandError::check_text("--reason", reason)?;
    }
    let by = args.by.clone().unwrap_or_else(|| ctx.actor.clone());
    let results = review(
        ctx,
        &args.ids,
        ProposalStatus::Rejected,
        &by,
        args.reason.as_deref(),
    )?;
    report(ctx, &results, "rejected")?;
    finish(exit_of(&results))
}

pub fn ignore(ctx: &mut Ctx, args: IgnoreArgs) -> CmdResult {
    if let Some(by) = &args.by {
        CommandError::check_text("--by", by)?;
    }
    let by = args.by.clone().unwrap_or_else(|| ctx.actor.clone());
    let results = review(ctx, &args.ids, ProposalStatus::Ignored, &by, None)?;
    report(ctx, &results, "ignored")?;
    finish(exit_of(&results))
}

/// (id, status after, reason, succeeded)
type Reviewed = (i64, ProposalStatus, Option<String>, bool);

/// Move open proposals to `to`; unknown ids are a usage error before anything changes.
fn review(
    ctx: &mut Ctx,
    ids: &[i64],
    to: ProposalStatus,
    by: &str,
    reason: Option<&str>,
) -> CmdResult<Vec<Reviewed>> {
    for &id in ids {
        if store::proposals::get(ctx.store()?.conn(), id)?.is_none() {
            return Err(CommandError::unknown_proposal(id));
        }
    }
    // `approve 7 7 7` is one approval of proposal 7.
    let mut unique = Vec::with_capacity(ids.len());
    for &id in ids {
        if !unique.contains(&id) {
            unique.push(id);
        }
    }
    let ids = &unique[..];
    let now = ctx.now;
    let action = format!("proposal.{}", to.as_str());
    let results = ctx.store()?.write(|tx| -> store::Result<Vec<Reviewed>> {
        let mut out = Vec::new();
        for &id in ids {
            let p = store::proposals::get(tx, id)?.expect("checked above");
            if p.status == to {
                out.push((id, to, p.reason.clone(), true));
            } else if to == ProposalStatus::Approved && p.status == ProposalStatus::Applied {
                // Already past approval (another process may have applied it
                // meanwhile): the outcome asked for holds.
                out.push((id, p.status, Some("already applied".into()), true));
            } else if !p.status.is_open() {
                out.push((
                    id,
                    p.status,
                    Some(format!(
                        "is {}; only open proposals can be reviewed",
                        p.status.as_str()
                    )),
                    false,
                ));
            } else {
                // Approving keeps a failure reason visible until the next attempt.
                let keep = if to == ProposalStatus::Approved {
                    p.reason.as_deref()
                } else {
                    reason
                };
                store::proposals::set_reviewed(tx, id, to, by, keep, now)?;
                store::events::record(tx, now, by, &action, Some(&p.repo), Some(id), reason)?;
                out.push((id, to, keep.map(str::to_string), true));
            }
        }
        Ok(out)
    })?;
    Ok(results)
}

fn exit_of(results: &[Reviewed]) -> Exit {
    if results.iter().all(|r| r.3) {
        Exit::Success
    } else {
        Exit::Failure
    }
}

fn report(ctx: &mut Ctx, results: &[Reviewed], verb: &str) -> CmdResult<()> {
    if ctx.ui.json_mode() {
        let v: Vec<Value> = results
            .iter()
            .map(|(id, s, r, _)| json::outcome(*id, s.as_str(), r.as_deref()))
            .collect();
        ctx.ui.value(&Value::Array(v))?;
        return Ok(());
    }
    if results.is_empty() {
        ctx.ui.note("no matching proposals");
    }
    for (id, status, reason, ok) in results {
        let line = match (ok, reason) {
            (true, Some(r)) if *status == ProposalStatus::Applied && r == "already applied" => {
                format!("proposal {id}: already applied")
            }
            (true, _) => format!("proposal {id}: {verb}"),
            (false, Some(r)) => format!("proposal {id}: not {verb} ({}): {r}", status.as_str()),
            (false, None) => format!("proposal {id}: not {verb} ({})", status.as_str()),
        };
        ctx.ui.line(&line)?;
    }
    Ok(())
}

fn finish(exit: Exit) -> CmdResult {
    if exit == Exit::Failure {
        Err(CommandError::failure(
            "some proposals could not be processed (see above)",
        ))
    } else {
        Ok(exit)
    }
}
