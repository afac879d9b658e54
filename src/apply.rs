//! Apply proposals to the live state. Each proposal is one IMMEDIATE SQLite
//! transaction: the live resource, its history entry, the proposal's status
//! and the audit event commit together or not at all.

use crate::diff::apply_rank;
use crate::layout::references;
use crate::model::{AUTO_APPLY_ACTOR, Change, ProposalStatus, canonical};
use crate::store::{self, HistoryEntry, LiveFilter, LiveResource, Proposal, Store, StoreError};
use chrono::{DateTime, Utc};
use rusqlite::Connection;

/// Who applies: an operator (the proposal must be approved) or auto-apply
/// (the proposal may still be pending review).
#[derive(Debug, Clone)]
pub enum Applier {
    Operator(String),
    Auto,
}

impl Applier {
    fn name(&self) -> &str {
        match self {
            Applier::Operator(by) => by,
            Applier::Auto => AUTO_APPLY_ACTOR,
        }
    }
}

/// The outcome of applying one proposal.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub id: i64,
    pub status: ProposalStatus,
    pub reason: Option<String>,
    /// True when the live state changed.
    pub applied: bool,
}

/// Runs after the live state is written and before the transaction commits;
/// an `Err` (the reason) rolls the apply back. Issue: apply hooks.
pub trait ApplyHook {
    fn run(&self, proposal: &Proposal) -> Result<(), String>;
}

/// Apply the proposals `ids` in dependency order.
pub fn apply_all(
    store: &mut Store,
    ids: &[i64],
    applier: &Applier,
    hook: Option<&dyn ApplyHook>,
    now: DateTime<Utc>,
) -> store::Result<Vec<Outcome>> {
    let mut proposals = Vec::new();
    for &id in ids {
        if let Some(p) = store::proposals::get(store.conn(), id)? {
            proposals.push(p);
        }
    }
    proposals.sort_by_key(|p| (apply_rank(&p.key.kind, p.change), p.id));
    let mut out = Vec::new();
    for p in proposals {
        out.push(apply_one(store, p.id, applier, hook, now)?);
    }
    Ok(out)
}

/// Apply one proposal in its own transaction.
pub fn apply_one(
    store: &mut Store,
    id: i64,
    applier: &Applier,
    hook: Option<&dyn ApplyHook>,
    now: DateTime<Utc>,
) -> store::Result<Outcome> {
    let attempt = store.write(|tx| -> Result<Result<Outcome, (Proposal, String)>, Abort> {
        let Some(p) = store::proposals::get(tx, id)? else {
            return Err(StoreError::Corrupt(format!("proposal {id} vanished")).into());
        };
        let ready = match applier {
            Applier::Operator(_) => p.status == ProposalStatus::Approved,
            Applier::Auto => p.status.is_open(),
        };
        if !ready {
            let reason = match p.status {
                ProposalStatus::PendingReview => {
                    "not approved: run 'gitsync proposals approve' first".to_string()
                }
                ProposalStatus::Applied => "already applied".to_string(),
                other => format!("is {}, not approved", other.as_str()),
            };
            return Ok(Ok(Outcome {
                id,
                status: p.status,
                reason: Some(reason),
                applied: false,
            }));
        }
        let live = store::resources::get(tx, &p.key)?;
        let live_text = live.as_ref().map(|l| canonical(&l.spec));
        if live_text != p.base_text {
            return Ok(Err((p, "stale".to_string())));
        }
        if let Some(l) = &live
            && l.repo != p.repo
        {
            let reason = format!("{} is owned by repo '{}'", p.key, l.repo);
            return Ok(Err((p, reason)));
        }
        if let Err(reason) = check_references(tx, &p) {
            return Ok(Err((p, reason)));
        }
        write_live(tx, &p, applier, now)?;
        if let Some(hook) = hook
            && let Err(reason) = hook.run(&p)
        {
            // Returning Err rolls the transaction back; the failure is
            // recorded in a fresh transaction below.
            return Err(Abort::Hook(reason));
        }
        Ok(Ok(Outcome {
            id,
            status: ProposalStatus::Applied,
            reason: None,
            applied: true,
        }))
    });
    let failure = match attempt {
        Ok(Ok(outcome)) => return Ok(outcome),
        Ok(Err((_, reason))) => reason,
        Err(Abort::Hook(reason)) => reason,
        Err(Abort::Store(e)) => return Err(e),
    };
    store.write(|tx| -> store::Result<()> {
        store::proposals::mark_failed(tx, id, &failure, now)?;
        let repo = store::proposals::get(tx, id)?.map(|p| p.repo);
        store::events::record(
            tx,
            now,
            applier.name(),
            "proposal.failed",
            repo.as_deref(),
            Some(id),
            Some(&failure),
        )
    })?;
    Ok(Outcome {
        id,
        status: ProposalStatus::PendingReview,
        reason: Some(failure),
        applied: false,
    })
}

/// Why an apply transaction was rolled back.
enum Abort {
    Store(StoreError),
    Hook(String),
}

impl From<StoreError> for Abort {
    fn from(e: StoreError) -> Self {
        Abort::Store(e)
    }
}

/// Refuse a step that would break a reference: a create or update whose
/// referent is not live, or a destroy of something live still refers to.
fn check_references(conn: &Connection, p: &Proposal) -> Result<(), String> {
    let live_in_ns = |kind: &str, name: Option<&str>| {
        store::resources::list(
            conn,
            &LiveFilter {
                namespace: Some(&p.key.namespace),
                kind: Some(kind),
                name,
                repo: None,
            },
        )
        .map_err(|e| e.to_string())
    };
    match p.change {
        Change::Create | Change::Update => {
            let spec = p.desired.clone().unwrap_or_default();
            let mut missing = Vec::new();
            for (kind, name) in references(&p.key.kind, &p.key.name, &spec) {
                if live_in_ns(&kind, Some(&name))?.is_empty() {
                    missing.push(format!("{kind} '{name}'"));
                }
            }
            if missing.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "refers to {} which is not live yet; apply that first",
                    missing.join(", ")
                ))
            }
        }
        Change::Destroy => {
            let mut referrers = Vec::new();
            let all = store::resources::list(
                conn,
                &LiveFilter {
                    namespace: Some(&p.key.namespace),
                    ..Default::default()
                },
            )
            .map_err(|e| e.to_string())?;
            for r in &all {
                if references(&r.key.kind, &r.key.name, &r.spec)
                    .iter()
                    .any(|(k, n)| *k == p.key.kind && *n == p.key.name)
                {
                    referrers.push(format!("{} '{}'", r.key.kind, r.key.name));
                }
            }
            if referrers.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "cannot destroy {} '{}': still referenced by {}",
                    p.key.kind,
                    p.key.name,
                    referrers.join(", ")
                ))
            }
        }
    }
}

/// Write the live row, the history entry, the proposal status and the event.
fn write_live(
    conn: &Connection,
    p: &Proposal,
    applier: &Applier,
    now: DateTime<Utc>,
) -> store::Result<()> {
    let by = match (&p.reviewed_by, applier) {
        (_, Applier::Auto) => AUTO_APPLY_ACTOR.to_string(),
        (Some(reviewer), _) => reviewer.clone(),
        (None, Applier::Operator(by)) => by.clone(),
    };
    match (&p.desired, p.change) {
        (Some(desired), Change::Create | Change::Update) => store::resources::upsert(
            conn,
            &LiveResource {
                key: p.key.clone(),
                spec: desired.clone(),
                repo: p.repo.clone(),
                source_path: p.source_path.clone(),
                commit: p.commit.clone(),
                history_key: p.history_key.clone(),
                updated_at: now,
            },
        )?,
        _ => store::resources::delete(conn, &p.key)?,
    }
    store::resources::add_history(
        conn,
        &HistoryEntry {
            id: 0,
            history_key: p.history_key.clone(),
            key: p.key.clone(),
            repo: p.repo.clone(),
            at: now,
            change: p.change,
            commit: Some(p.commit.clone()),
            proposal: Some(p.id),
            approved_by: Some(by.clone()),
            spec: p.desired.clone(),
        },
    )?;
    store::proposals::mark_applied(conn, p.id, &by, matches!(applier, Applier::Auto), now)?;
    store::events::record(
        conn,
        now,
        applier.name(),
        "proposal.applied",
        Some(&p.repo),
        Some(p.id),
        Some(&format!("{} {}", p.change, p.key)),
    )?;
    // When the last open proposal of the fetched commit lands, that commit is
    // fully applied.
    if store::proposals::open_count(conn, &p.repo)? == 0
        && let Some(repo) = store::repos::get(conn, &p.repo)?
        && repo.fetched_commit.as_deref() == Some(p.commit.as_str())
    {
        store::repos::set_applied(conn, &p.repo, &p.commit)?;
    }
    Ok(())
}
