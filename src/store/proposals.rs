//! Proposals: the audit record of one diff and where it is in its lifecycle.

use super::{Result, StoreError, parse_json, parse_ts, ts};
use crate::model::{Change, ProposalStatus, ResourceKey};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row};
use serde_json::Value;

/// One proposal as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub id: i64,
    pub repo: String,
    pub key: ResourceKey,
    pub change: Change,
    pub status: ProposalStatus,
    pub commit: String,
    pub source_path: String,
    pub history_key: String,
    /// The live spec the diff was computed against (`None`: did not exist).
    pub base: Option<Value>,
    /// The declared spec (`None` for a destroy).
    pub desired: Option<Value>,
    /// Canonical text of base and desired, for exact comparison.
    pub base_text: Option<String>,
    pub desired_text: Option<String>,
    pub diff: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub applied_at: Option<DateTime<Utc>>,
    pub auto_applied: bool,
    pub reason: Option<String>,
    pub run_id: Option<i64>,
    pub attempts: u32,
    /// What the apply hooks printed on the last attempt.
    pub hook_output: Option<String>,
    /// A failed apply that recovery retries (a hook failure, not a refusal).
    pub retry: bool,
}

/// What a run opens.
#[derive(Debug, Clone)]
pub struct NewProposal<'a> {
    pub repo: &'a str,
    pub key: &'a ResourceKey,
    pub change: Change,
    pub commit: &'a str,
    pub source_path: &'a str,
    pub history_key: &'a str,
    pub base_text: Option<&'a str>,
    pub desired_text: Option<&'a str>,
    pub diff: &'a str,
    pub run_id: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct ProposalFilter<'a> {
    pub repo: Option<&'a str>,
    /// `None`: open ones (pending_review and approved).
    pub statuses: Option<Vec<ProposalStatus>>,
    pub kind: Option<&'a str>,
    pub namespace: Option<&'a str>,
    pub change: Option<Change>,
}

const COLUMNS: &str = "id, repo, namespace, kind, name, change, status, git_commit, source_path, \
    history_key, base, desired, diff, created_at, updated_at, reviewed_by, reviewed_at, applied_at, \
    auto_applied, reason, run_id, attempts, hook_output, retry";

struct Raw {
    id: i64,
    repo: String,
    key: ResourceKey,
    change: String,
    status: String,
    commit: String,
    source_path: String,
    history_key: String,
    base: Option<String>,
    desired: Option<String>,
    diff: String,
    created_at: String,
    updated_at: String,
    reviewed_by: Option<String>,
    reviewed_at: Option<String>,
    applied_at: Option<String>,
    auto_applied: bool,
    reason: Option<String>,
    run_id: Option<i64>,
    attempts: i64,
    hook_output: Option<String>,
    retry: bool,
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Raw> {
    Ok(Raw {
        id: row.get(0)?,
        repo: row.get(1)?,
        key: ResourceKey {
            namespace: row.get(2)?,
            kind: row.get(3)?,
            name: row.get(4)?,
        },
        change: row.get(5)?,
        status: row.get(6)?,
        commit: row.get(7)?,
        source_path: row.get(8)?,
        history_key: row.get(9)?,
        base: row.get(10)?,
        desired: row.get(11)?,
        diff: row.get(12)?,
        created_at: row.get(13)?,
        updated_at: row.get(14)?,
        reviewed_by: row.get(15)?,
        reviewed_at: row.get(16)?,
        applied_at: row.get(17)?,
        auto_applied: row.get(18)?,
        reason: row.get(19)?,
        run_id: row.get(20)?,
        attempts: row.get(21)?,
        hook_output: row.get(22)?,
        retry: row.get(23)?,
    })
}

fn finish(r: Raw) -> Result<Proposal> {
    let opt_ts = |s: &Option<String>| s.as_deref().map(parse_ts).transpose();
    let opt_json = |s: &Option<String>, what| {
        s.as_deref()
            .map(|s| parse_json::<Value>(s, what))
            .transpose()
    };
    Ok(Proposal {
        id: r.id,
        change: Change::parse(&r.change).ok_or_else(|| {
            StoreError::Corrupt(format!("proposal {} change '{}'", r.id, r.change))
        })?,
        status: ProposalStatus::parse(&r.status).ok_or_else(|| {
            StoreError::Corrupt(format!("proposal {} status '{}'", r.id, r.status))
        })?,
        base: opt_json(&r.base, "proposal base")?,
        desired: opt_json(&r.desired, "proposal desired")?,
        created_at: parse_ts(&r.created_at)?,
        updated_at: parse_ts(&r.updated_at)?,
        reviewed_at: opt_ts(&r.reviewed_at)?,
        applied_at: opt_ts(&r.applied_at)?,
        repo: r.repo,
        key: r.key,
        commit: r.commit,
        source_path: r.source_path,
        history_key: r.history_key,
        base_text: r.base,
        desired_text: r.desired,
        diff: r.diff,
        reviewed_by: r.reviewed_by,
        auto_applied: r.auto_applied,
        reason: r.reason,
        run_id: r.run_id,
        attempts: r.attempts as u32,
        hook_output: r.hook_output,
        retry: r.retry,
    })
}

pub fn insert(conn: &Connection, p: &NewProposal<'_>, now: DateTime<Utc>) -> Result<i64> {
    conn.execute(
        "INSERT INTO proposals (repo, namespace, kind, name, change, status, git_commit, source_path,
            history_key, base, desired, diff, created_at, updated_at, run_id)
         VALUES (?1, ?2, ?3, ?4, ?5, 'pending_review', ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13)",
        rusqlite::params![
            p.repo,
            p.key.namespace,
            p.key.kind,
            p.key.name,
            p.change.as_str(),
            p.commit,
            p.source_path,
            p.history_key,
            p.base_text,
            p.desired_text,
            p.diff,
            ts(now),
            p.run_id,
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Proposal>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM proposals WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()?
    .map(finish)
    .transpose()
}

/// Proposals matching `filter`, oldest first.
pub fn list(conn: &Connection, filter: &ProposalFilter<'_>) -> Result<Vec<Proposal>> {
    let statuses = filter
        .statuses
        .clone()
        .unwrap_or_else(|| vec![ProposalStatus::PendingReview, ProposalStatus::Approved]);
    let status_list = statuses
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(",");
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM proposals
         WHERE status IN ({status_list}) AND (?1 IS NULL OR repo = ?1) AND (?2 IS NULL OR kind = ?2)
           AND (?3 IS NULL OR namespace = ?3) AND (?4 IS NULL OR change = ?4)
         ORDER BY id"
    ))?;
    let rows = stmt.query_map(
        rusqlite::params![
            filter.repo,
            filter.kind,
            filter.namespace,
            filter.change.map(|c| c.as_str())
        ],
        from_row,
    )?;
    rows.map(|r| finish(r?)).collect()
}

/// The open proposal for a resource, if any (there is at most one).
pub fn open_for(conn: &Connection, key: &ResourceKey) -> Result<Option<Proposal>> {
    conn.query_row(
        &format!(
            "SELECT {COLUMNS} FROM proposals WHERE namespace = ?1 AND kind = ?2 AND name = ?3
             AND status IN ('pending_review', 'approved')"
        ),
        (&key.namespace, &key.kind, &key.name),
        from_row,
    )
    .optional()?
    .map(finish)
    .transpose()
}

/// The newest closed proposal for a resource, to tell whether a rejected or
/// ignored diff is the same one found again.
pub fn last_closed_for(conn: &Connection, key: &ResourceKey) -> Result<Option<Proposal>> {
    conn.query_row(
        &format!(
            "SELECT {COLUMNS} FROM proposals WHERE namespace = ?1 AND kind = ?2 AND name = ?3
             AND status IN ('rejected', 'ignored', 'applied')
             ORDER BY id DESC LIMIT 1"
        ),
        (&key.namespace, &key.kind, &key.name),
        from_row,
    )
    .optional()?
    .map(finish)
    .transpose()
}

/// Move a proposal to `status`, keeping (or replacing) its reason.
pub fn set_status(
    conn: &Connection,
    id: i64,
    status: ProposalStatus,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        "UPDATE proposals SET status = ?2, reason = ?3, updated_at = ?4 WHERE id = ?1",
        rusqlite::params![id, status.as_str(), reason, ts(now)],
    )?;
    Ok(())
}

pub fn set_reviewed(
    conn: &Connection,
    id: i64,
    status: ProposalStatus,
    by: &str,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        "UPDATE proposals SET status = ?2, reviewed_by = ?3, reviewed_at = ?4, reason = ?5, updated_at = ?4,
            attempts = 0, retry = 0
         WHERE id = ?1",
        rusqlite::params![id, status.as_str(), by, ts(now), reason],
    )?;
    Ok(())
}

pub fn mark_applied(
    conn: &Connection,
    id: i64,
    by: &str,
    auto: bool,
    hook_output: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        "UPDATE proposals SET status = 'applied', applied_at = ?2, updated_at = ?2, auto_applied = ?3,
            reviewed_by = CASE WHEN ?3 THEN ?4 ELSE COALESCE(reviewed_by, ?4) END,
            reviewed_at = COALESCE(reviewed_at, ?2), reason = NULL, retry = 0,
            hook_output = CASE WHEN ?5 IS NULL THEN hook_output
                ELSE substr(COALESCE(hook_output || char(10), '') || ?5, -16384) END
         WHERE id = ?1",
        rusqlite::params![id, ts(now), auto, by, hook_output],
    )?;
    Ok(())
}

/// Return a proposal to review after a failed apply, keeping why. `retry`
/// marks a failure that recovery retries (a hook that failed), counted in
/// `attempts`; a refusal (stale, broken reference) is not retried.
pub fn mark_failed(
    conn: &Connection,
    id: i64,
    reason: &str,
    retry: bool,
    hook_output: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        "UPDATE proposals SET status = 'pending_review', reason = ?2, updated_at = ?3,
            attempts = attempts + CASE WHEN ?4 THEN 1 ELSE 0 END, retry = ?4,
            hook_output = CASE WHEN ?5 IS NULL THEN hook_output
                ELSE substr(COALESCE(hook_output || char(10), '') || ?5, -16384) END
         WHERE id = ?1",
        rusqlite::params![id, reason, ts(now), retry, hook_output],
    )?;
    Ok(())
}

/// Count open proposals of a repo.
pub fn open_count(conn: &Connection, repo: &str) -> Result<u64> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM proposals WHERE repo = ?1 AND status IN ('pending_review', 'approved')",
        [repo],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}
