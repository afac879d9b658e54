//! Apply proposals to the live state. Each proposal is one IMMEDIATE SQLite
//! transaction: the live resource, its history entry, the proposal's status
//! and the audit event commit together or not at all.
// Times, sizes and counters here come from settings and hostile input:
// every operation is checked or saturating.
#![deny(clippy::arithmetic_side_effects)]

use crate::diff::apply_rank;
use crate::hooks::{self, HookRunner};
use crate::layout::references;
use crate::limits;
use crate::model::{AUTO_APPLY_ACTOR, Change, DEFAULT_MAX_ATTEMPTS, ProposalStatus, canonical};
use crate::store::{self, HistoryEntry, LiveFilter, LiveResource, Proposal, Store, StoreError};
use chrono::{DateTime, Utc};
use rusqlite::Connection;
use std::time::Duration;

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

/// Runs after the live state is written and before the transaction commits:
/// `Ok(output)` lets the apply commit, `Err(reason)` rolls it back.
pub trait ApplyHook {
    fn run(&self, proposal: &Proposal) -> Result<String, String>;
}

/// The repo's apply hooks and recovery limit, from its settings (none when
/// the repo was removed).
fn repo_hooks(conn: &Connection, repo: &str) -> Result<(Option<HookRunner>, u32), String> {
    let Some(state) = store::repos::get(conn, repo).map_err(|e| e.to_string())? else {
        return Ok((None, DEFAULT_MAX_ATTEMPTS));
    };
    let s = &state.config.settings;
    let timeout = s
        .hook_timeout
        // A state file written before the range existed may hold any value.
        .map(|t| Duration::from_secs(t.clamp(limits::HOOK_TIMEOUT.min, limits::HOOK_TIMEOUT.max)))
        .unwrap_or(hooks::DEFAULT_TIMEOUT);
    let scrub = store::repos::credential_env_vars(conn).map_err(|e| e.to_string())?;
    let runner = HookRunner::new(&s.apply_hooks, timeout)?.scrubbing(scrub);
    let max = s.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS);
    Ok(((!runner.is_empty()).then_some(runner), max))
}

/// Whether recovery has given up on a proposal (its failed attempts reached
/// the repo's limit): then only an operator's re-approval retries it.
pub fn recovery_exhausted(conn: &Connection, p: &Proposal) -> bool {
    let max = repo_hooks(conn, &p.repo)
        .map(|(_, m)| m)
        .unwrap_or(DEFAULT_MAX_ATTEMPTS);
    p.retry && p.attempts >= max
}

/// Apply the proposals `ids` in dependency order.
pub fn apply_all(
    store: &mut Store,
    ids: &[i64],
    applier: &Applier,
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
        // After a stop signal, nothing more is started; what was applied
        // stays applied, the rest stays as it was.
        if crate::interrupt::requested().is_some() {
            break;
        }
        out.push(apply_one(store, p.id, applier, now)?);
    }
    Ok(out)
}

/// How long an apply waits for another process's apply (its hooks) to end.
const APPLY_WAIT: Duration = Duration::from_secs(15 * 60);

/// What the checks before an apply decided.
enum Checked {
    /// Not for this applier now: the outcome says why; nothing changes.
    NotReady(Outcome),
    /// Refused (stale, broken reference, ownership): recorded as a failure.
    Refused(String),
    Ready(Box<Proposal>, Option<HookRunner>),
}

/// Apply one proposal: check it, run its repo's apply hook, then write the
/// live resource, its history, the proposal's status and the audit event in
/// one transaction. A refused check or a failed hook writes nothing but the
/// failure.
pub fn apply_one(
    store: &mut Store,
    id: i64,
    applier: &Applier,
    now: DateTime<Utc>,
) -> store::Result<Outcome> {
    let _lock = store.apply_lock(APPLY_WAIT)?;
    let (p, hook) = match check(store.conn(), id, applier)? {
        Checked::NotReady(outcome) => return Ok(outcome),
        Checked::Refused(reason) => return record_failure(store, id, applier, &reason, false, now),
        Checked::Ready(p, hook) => (p, hook),
    };
    // The hook runs outside any transaction, so a slow one never holds
    // SQLite's write lock; the apply lock keeps live state as checked.
    let output = match &hook {
        Some(hook) => match hook.run(&p) {
            Ok(output) => Some(output),
            Err(reason) => return record_failure(store, id, applier, &reason, true, now),
        },
        None => None,
    };
    let written = store.write(|tx| -> store::Result<bool> {
        // A sync may have moved the proposal on meanwhile; live state cannot
        // have changed (only applies change it, under the lock).
        let live = store::resources::get(tx, &p.key)?;
        if live.as_ref().map(|l| canonical(&l.spec)) != p.base_text {
            return Ok(false);
        }
        // Each attempt's output is kept, so `proposals show` tells the story.
        let entry = output.as_deref().map(|o| match o.trim_end() {
            "" => format!("{} applied", store::ts(now)),
            o => format!("{} applied: {o}", store::ts(now)),
        });
        write_live(tx, &p, applier, entry.as_deref(), now)?;
        Ok(true)
    })?;
    if !written {
        return record_failure(store, id, applier, "stale", false, now);
    }
    Ok(Outcome {
        id,
        status: ProposalStatus::Applied,
        reason: None,
        applied: true,
    })
}

/// Decide whether `id` may be applied now by `applier`.
fn check(conn: &Connection, id: i64, applier: &Applier) -> store::Result<Checked> {
    let Some(p) = store::proposals::get(conn, id)? else {
        return Err(StoreError::Corrupt(format!("proposal {id} vanished")));
    };
    let (hook, max_attempts) = match repo_hooks(conn, &p.repo) {
        Ok(h) => h,
        Err(reason) => return Ok(Checked::Refused(reason)),
    };
    let exhausted = p.retry && p.attempts >= max_attempts;
    // A hook failure returns the proposal to review; recovery retries it
    // (by `apply` for an operator's approval, by the next sync for
    // auto-apply) until the attempts run out.
    let retrying = p.status == ProposalStatus::PendingReview && p.retry && !exhausted;
    let ready = match applier {
        Applier::Operator(_) => {
            p.status == ProposalStatus::Approved || (retrying && p.reviewed_by.is_some())
        }
        Applier::Auto => p.status.is_open() && !exhausted,
    };
    if !ready {
        let reason = match p.status {
            _ if exhausted => format!(
                "recovery retried {} times and still failed: {}; re-approve it to try again",
                p.attempts,
                p.reason.as_deref().unwrap_or("unknown reason")
            ),
            ProposalStatus::PendingReview => {
                "not approved: run 'gitsync proposals approve' first".to_string()
            }
            ProposalStatus::Applied => "already applied".to_string(),
            other => format!("is {}, not approved", other.as_str()),
        };
        return Ok(Checked::NotReady(Outcome {
            id,
            status: p.status,
            reason: Some(reason),
            applied: false,
        }));
    }
    let live = store::resources::get(conn, &p.key)?;
    if live.as_ref().map(|l| canonical(&l.spec)) != p.base_text {
        return Ok(Checked::Refused("stale".to_string()));
    }
    if let Some(l) = &live
        && l.repo != p.repo
    {
        return Ok(Checked::Refused(format!(
            "{} is owned by repo '{}'",
            p.key, l.repo
        )));
    }
    if let Err(reason) = check_references(conn, &p) {
        return Ok(Checked::Refused(reason));
    }
    Ok(Checked::Ready(Box::new(p), hook))
}

/// Return the proposal to review with `reason`; `retry` marks a hook failure
/// that recovery retries.
fn record_failure(
    store: &mut Store,
    id: i64,
    applier: &Applier,
    reason: &str,
    retry: bool,
    now: DateTime<Utc>,
) -> store::Result<Outcome> {
    store.write(|tx| -> store::Result<()> {
        let entry = format!("{} failed: {reason}", store::ts(now));
        let output = retry.then_some(entry.as_str());
        store::proposals::mark_failed(tx, id, reason, retry, output, now)?;
        let repo = store::proposals::get(tx, id)?.map(|p| p.repo);
        store::events::record(
            tx,
            now,
            applier.name(),
            "proposal.failed",
            repo.as_deref(),
            Some(id),
            Some(reason),
        )
    })?;
    Ok(Outcome {
        id,
        status: ProposalStatus::PendingReview,
        reason: Some(reason.to_string()),
        applied: false,
    })
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
    hook_output: Option<&str>,
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
    store::proposals::mark_applied(
        conn,
        p.id,
        &by,
        matches!(applier, Applier::Auto),
        hook_output,
        now,
    )?;
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
