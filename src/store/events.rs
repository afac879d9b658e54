//! The audit trail: one row per state change, with actor and time.

use super::{Result, parse_ts, ts};
use chrono::{DateTime, Utc};
use rusqlite::Connection;

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    /// e.g. `repo.added`, `proposal.opened`, `proposal.applied`, `halt`.
    pub action: String,
    pub repo: Option<String>,
    pub proposal: Option<i64>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct EventFilter<'a> {
    pub since: Option<DateTime<Utc>>,
    pub repo: Option<&'a str>,
    pub limit: Option<u64>,
}

pub fn record(
    conn: &Connection,
    at: DateTime<Utc>,
    actor: &str,
    action: &str,
    repo: Option<&str>,
    proposal: Option<i64>,
    detail: Option<&str>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO events (at, actor, action, repo, proposal_id, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        rusqlite::params![ts(at), actor, action, repo, proposal, detail],
    )?;
    Ok(())
}

/// Events oldest first.
pub fn list(conn: &Connection, filter: &EventFilter<'_>) -> Result<Vec<Event>> {
    let mut stmt = conn.prepare(
        "SELECT id, at, actor, action, repo, proposal_id, detail FROM events
         WHERE (?1 IS NULL OR at >= ?1) AND (?2 IS NULL OR repo = ?2)
         ORDER BY id LIMIT ?3",
    )?;
    let limit = filter.limit.map(|l| l as i64).unwrap_or(-1);
    let rows = stmt.query_map(
        rusqlite::params![filter.since.map(ts), filter.repo, limit],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        },
    )?;
    let mut out = Vec::new();
    for row in rows {
        let (id, at, actor, action, repo, proposal, detail) = row?;
        out.push(Event {
            id,
            at: parse_ts(&at)?,
            actor,
            action,
            repo,
            proposal,
            detail,
        });
    }
    Ok(out)
}
