//! The proposal lifecycle for one run: open a proposal for each new diff,
//! keep the one already open for the same diff, supersede those whose diff
//! changed or vanished, never reopen a rejected or ignored diff that is
//! unchanged, and stop opening at the run's cap.

use crate::diff::Plan;
use crate::model::ProposalStatus;
use crate::store::{self, NewProposal, ProposalFilter};
use chrono::{DateTime, Utc};
use rusqlite::Connection;
use std::collections::HashSet;

/// What a run did with its diffs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Proposed {
    /// Proposals opened by this run.
    pub opened: Vec<i64>,
    /// Open proposals found again unchanged.
    pub kept: Vec<i64>,
    pub superseded: Vec<i64>,
    /// Diffs not proposed because a rejected or ignored proposal covers them.
    pub suppressed: u64,
    /// Diffs left for later runs by the cap.
    pub remaining: u64,
    /// Diffs another repo already has an open proposal for.
    pub conflicts: Vec<String>,
}

/// Where the run stands: which repo, commit and run.
pub struct RunContext<'a> {
    pub repo: &'a str,
    pub namespace: &'a str,
    pub commit: &'a str,
    pub run_id: Option<i64>,
    /// New proposals this run may open; 0 = no cap.
    pub cap: u32,
    pub actor: &'a str,
    pub now: DateTime<Utc>,
}

/// Record `plan` as proposals. Call inside one write transaction.
pub fn propose(conn: &Connection, ctx: &RunContext<'_>, plan: &Plan) -> store::Result<Proposed> {
    let mut out = Proposed::default();
    let mut seen = HashSet::new();
    for diff in &plan.diffs {
        seen.insert(diff.key.clone());
        let base = diff.base_text();
        let desired = diff.desired_text();
        if let Some(open) = store::proposals::open_for(conn, &diff.key)? {
            if open.repo != ctx.repo {
                out.conflicts.push(format!(
                    "{} '{}' in namespace '{}' has an open proposal #{} from repo '{}'; this repo's declaration in {} is ignored",
                    diff.key.kind, diff.key.name, diff.key.namespace, open.id, open.repo, diff.source_path
                ));
                continue;
            }
            if open.base_text == base && open.desired_text == desired && open.change == diff.change
            {
                out.kept.push(open.id);
                continue;
            }
            // The diff moved on: the open proposal no longer describes it.
            supersede(
                conn,
                ctx,
                open.id,
                "superseded: the desired or live spec changed",
            )?;
            out.superseded.push(open.id);
        }
        // An operator's verdict on exactly this diff stands, even when the
        // desired spec went elsewhere in between and came back.
        if let Some(closed) = store::proposals::last_closed_for(conn, &diff.key)? {
            let same = closed.base_text == base && closed.desired_text == desired;
            if same
                && matches!(
                    closed.status,
                    ProposalStatus::Rejected | ProposalStatus::Ignored
                )
            {
                out.suppressed = out.suppressed.saturating_add(1);
                continue;
            }
        }
        if ctx.cap != 0 && out.opened.len() as u64 >= u64::from(ctx.cap) {
            out.remaining = out.remaining.saturating_add(1);
            continue;
        }
        let id = store::proposals::insert(
            conn,
            &NewProposal {
                repo: ctx.repo,
                key: &diff.key,
                change: diff.change,
                commit: ctx.commit,
                source_path: &diff.source_path,
                history_key: &diff.history_key,
                base_text: base.as_deref(),
                desired_text: desired.as_deref(),
                diff: &diff.rendered,
                run_id: ctx.run_id,
            },
            ctx.now,
        )?;
        store::events::record(
            conn,
            ctx.now,
            ctx.actor,
            "proposal.opened",
            Some(ctx.repo),
            Some(id),
            Some(&format!("{} {}", diff.change, diff.key)),
        )?;
        out.opened.push(id);
    }
    // An open proposal whose diff has vanished (live now equals desired, or
    // the resource is no longer declared and not live) is superseded.
    let open = store::proposals::list(
        conn,
        &ProposalFilter {
            repo: Some(ctx.repo),
            namespace: Some(ctx.namespace),
            ..Default::default()
        },
    )?;
    for p in open {
        if !seen.contains(&p.key) {
            supersede(
                conn,
                ctx,
                p.id,
                "superseded: the diff vanished (live equals desired)",
            )?;
            out.superseded.push(p.id);
        }
    }
    Ok(out)
}

fn supersede(conn: &Connection, ctx: &RunContext<'_>, id: i64, reason: &str) -> store::Result<()> {
    store::proposals::set_status(conn, id, ProposalStatus::Superseded, Some(reason), ctx.now)?;
    store::events::record(
        conn,
        ctx.now,
        ctx.actor,
        "proposal.superseded",
        Some(ctx.repo),
        Some(id),
        Some(reason),
    )
}
