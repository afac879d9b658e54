//! Sync runs: one row per attempt to sync one repo, successful or not.

use super::{Result, StoreError, json_ids, parse_json, parse_ts, ts};
use crate::model::RunStatus;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row};
use std::collections::BTreeMap;

/// The record of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub id: i64,
    pub repo: String,
    pub status: RunStatus,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub revision: Option<String>,
    pub diff_count: u64,
    pub opened: Vec<i64>,
    pub auto_applied: Vec<i64>,
    pub failed: Vec<i64>,
    pub remaining: u64,
    /// Diffs found per kind.
    pub summary: BTreeMap<String, u64>,
    pub error: Option<String>,
}

const COLUMNS: &str = "id, repo, status, started_at, finished_at, revision, diff_count, opened, \
    auto_applied, failed, remaining, summary, error";

type RawRun = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
    String,
    String,
    String,
    i64,
    String,
    Option<String>,
);

fn from_row(row: &Row<'_>) -> rusqlite::Result<RawRun> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
        row.get(7)?,
        row.get(8)?,
        row.get(9)?,
        row.get(10)?,
        row.get(11)?,
        row.get(12)?,
    ))
}

fn finish(raw: RawRun) -> Result<Run> {
    let (
        id,
        repo,
        status,
        started,
        finished,
        revision,
        diffs,
        opened,
        auto,
        failed,
        remaining,
        summary,
        error,
    ) = raw;
    Ok(Run {
        id,
        repo,
        status: RunStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("run {id} has status '{status}'")))?,
        started_at: parse_ts(&started)?,
        finished_at: finished.as_deref().map(parse_ts).transpose()?,
        revision,
        diff_count: diffs as u64,
        opened: parse_json(&opened, "run opened")?,
        auto_applied: parse_json(&auto, "run auto_applied")?,
        failed: parse_json(&failed, "run failed")?,
        remaining: remaining as u64,
        summary: parse_json(&summary, "run summary")?,
        error,
    })
}

/// Record the start of a run; returns its id.
pub fn start(conn: &Connection, repo: &str, now: DateTime<Utc>) -> Result<i64> {
    conn.execute(
        "INSERT INTO runs (repo, status, started_at) VALUES (?1, 'running', ?2)",
        (repo, ts(now)),
    )?;
    Ok(conn.last_insert_rowid())
}

/// Write the outcome of a run.
pub fn finish_run(conn: &Connection, run: &Run) -> Result<()> {
    conn.execute(
        "UPDATE runs SET status = ?2, finished_at = ?3, revision = ?4, diff_count = ?5, opened = ?6,
            auto_applied = ?7, failed = ?8, remaining = ?9, summary = ?10, error = ?11
         WHERE id = ?1",
        rusqlite::params![
            run.id,
            run.status.as_str(),
            run.finished_at.map(ts),
            run.revision,
            run.diff_count as i64,
            json_ids(&run.opened),
            json_ids(&run.auto_applied),
            json_ids(&run.failed),
            run.remaining as i64,
            serde_json::to_string(&run.summary).expect("summary serializes"),
            run.error,
        ],
    )?;
    Ok(())
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Run>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM runs WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()?
    .map(finish)
    .transpose()
}

/// Runs newest first.
pub fn list(conn: &Connection, repo: Option<&str>, limit: Option<u64>) -> Result<Vec<Run>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM runs WHERE (?1 IS NULL OR repo = ?1) ORDER BY id DESC LIMIT ?2"
    ))?;
    let limit = limit.map(|l| l as i64).unwrap_or(-1);
    let rows = stmt.query_map(rusqlite::params![repo, limit], from_row)?;
    rows.map(|r| finish(r?)).collect()
}

/// The newest run of a repo.
pub fn last(conn: &Connection, repo: &str) -> Result<Option<Run>> {
    Ok(list(conn, Some(repo), Some(1))?.into_iter().next())
}

/// The newest finished (not running) run of a repo: what its health is
/// judged by while another process is syncing it.
pub fn last_finished(conn: &Connection, repo: &str) -> Result<Option<Run>> {
    conn.query_row(
        &format!(
            "SELECT {COLUMNS} FROM runs WHERE repo = ?1 AND status != 'running'
             ORDER BY id DESC LIMIT 1"
        ),
        [repo],
        from_row,
    )
    .optional()?
    .map(finish)
    .transpose()
}

/// Runs still marked running (their process may have died).
pub fn running(conn: &Connection) -> Result<Vec<(i64, String)>> {
    let mut stmt =
        conn.prepare("SELECT id, repo FROM runs WHERE status = 'running' ORDER BY id")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn mark_interrupted(conn: &Connection, id: i64, now: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "UPDATE runs SET status = 'failed', finished_at = ?2,
            error = 'interrupted: the process running this sync stopped before it finished'
         WHERE id = ?1 AND status = 'running'",
        (id, ts(now)),
    )?;
    Ok(())
}

/// How many runs of a repo failed one after the other since its last
/// successful or partial run (0 when the newest finished run did not fail).
pub fn consecutive_failures(conn: &Connection, repo: &str) -> Result<u64> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM runs WHERE repo = ?1 AND status = 'failed' AND id > coalesce(
            (SELECT max(id) FROM runs WHERE repo = ?1 AND status IN ('success', 'partial')), 0)",
        [repo],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}

/// Delete finished runs older than the retention cut-offs (of one repo, or
/// of every repo); returns how many. The newest run of each repo is always
/// kept, however old, because `status` shows it; running runs are never
/// touched.
pub fn prune(
    conn: &Connection,
    success_before: DateTime<Utc>,
    failed_before: DateTime<Utc>,
    repo: Option<&str>,
    dry_run: bool,
) -> Result<u64> {
    let filter = "((status = 'success' AND started_at < ?1)
            OR (status IN ('failed', 'partial') AND started_at < ?2))
        AND (?3 IS NULL OR repo = ?3)
        AND id NOT IN (SELECT max(id) FROM runs WHERE ?3 IS NULL OR repo = ?3 GROUP BY repo)";
    let params = rusqlite::params![ts(success_before), ts(failed_before), repo];
    let n: i64 = conn.query_row(
        &format!("SELECT count(*) FROM runs WHERE {filter}"),
        params,
        |r| r.get(0),
    )?;
    if !dry_run && n > 0 {
        conn.execute(&format!("DELETE FROM runs WHERE {filter}"), params)?;
    }
    Ok(n as u64)
}
