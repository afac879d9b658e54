//! Live resources with their origin, and the history of every applied change.

use super::{Result, parse_json, parse_ts, ts};
use crate::model::{Change, ResourceKey, canonical};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row};
use serde_json::Value;

/// One resource of the live state.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveResource {
    pub key: ResourceKey,
    pub spec: Value,
    pub repo: String,
    pub source_path: String,
    pub commit: String,
    pub history_key: String,
    pub updated_at: DateTime<Utc>,
}

/// Which live resources to list.
#[derive(Debug, Clone, Default)]
pub struct LiveFilter<'a> {
    pub namespace: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub name: Option<&'a str>,
    pub repo: Option<&'a str>,
}

const COLUMNS: &str =
    "namespace, kind, name, spec, repo, source_path, git_commit, history_key, updated_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<(LiveResource, String, String)> {
    Ok((
        LiveResource {
            key: ResourceKey {
                namespace: row.get(0)?,
                kind: row.get(1)?,
                name: row.get(2)?,
            },
            spec: Value::Null,
            repo: row.get(4)?,
            source_path: row.get(5)?,
            commit: row.get(6)?,
            history_key: row.get(7)?,
            updated_at: DateTime::<Utc>::MIN_UTC,
        },
        row.get(3)?,
        row.get(8)?,
    ))
}

fn finish((mut r, spec, at): (LiveResource, String, String)) -> Result<LiveResource> {
    r.spec = parse_json(&spec, "live spec")?;
    r.updated_at = parse_ts(&at)?;
    Ok(r)
}

pub fn list(conn: &Connection, filter: &LiveFilter<'_>) -> Result<Vec<LiveResource>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM resources
         WHERE (?1 IS NULL OR namespace = ?1) AND (?2 IS NULL OR kind = ?2)
           AND (?3 IS NULL OR name = ?3) AND (?4 IS NULL OR repo = ?4)
         ORDER BY namespace, kind, name"
    ))?;
    let rows = stmt.query_map(
        (filter.namespace, filter.kind, filter.name, filter.repo),
        from_row,
    )?;
    rows.map(|r| finish(r?)).collect()
}

pub fn get(conn: &Connection, key: &ResourceKey) -> Result<Option<LiveResource>> {
    conn.query_row(
        &format!(
            "SELECT {COLUMNS} FROM resources WHERE namespace = ?1 AND kind = ?2 AND name = ?3"
        ),
        (&key.namespace, &key.kind, &key.name),
        from_row,
    )
    .optional()?
    .map(finish)
    .transpose()
}

/// Write a live resource (create or update).
pub fn upsert(conn: &Connection, r: &LiveResource) -> Result<()> {
    conn.execute(
        "INSERT INTO resources (namespace, kind, name, spec, repo, source_path, git_commit, history_key, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (namespace, kind, name) DO UPDATE SET
            spec = ?4, repo = ?5, source_path = ?6, git_commit = ?7, history_key = ?8, updated_at = ?9",
        rusqlite::params![
            r.key.namespace,
            r.key.kind,
            r.key.name,
            canonical(&r.spec),
            r.repo,
            r.source_path,
            r.commit,
            r.history_key,
            ts(r.updated_at),
        ],
    )?;
    Ok(())
}

pub fn delete(conn: &Connection, key: &ResourceKey) -> Result<()> {
    conn.execute(
        "DELETE FROM resources WHERE namespace = ?1 AND kind = ?2 AND name = ?3",
        (&key.namespace, &key.kind, &key.name),
    )?;
    Ok(())
}

/// One applied change of a resource.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub id: i64,
    pub history_key: String,
    pub key: ResourceKey,
    pub repo: String,
    pub at: DateTime<Utc>,
    pub change: Change,
    pub commit: Option<String>,
    pub proposal: Option<i64>,
    pub approved_by: Option<String>,
    /// The spec after the change; `None` after a destroy.
    pub spec: Option<Value>,
}

pub fn add_history(conn: &Connection, h: &HistoryEntry) -> Result<i64> {
    conn.execute(
        "INSERT INTO history (history_key, namespace, kind, name, repo, at, change, git_commit, proposal_id, approved_by, spec)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        rusqlite::params![
            h.history_key,
            h.key.namespace,
            h.key.kind,
            h.key.name,
            h.repo,
            ts(h.at),
            h.change.as_str(),
            h.commit,
            h.proposal,
            h.approved_by,
            h.spec.as_ref().map(canonical),
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Every applied change of one resource, newest first. A resource's history
/// follows its history key, so a pruned and re-created resource (same repo
/// and source) continues the same story.
pub fn history(conn: &Connection, key: &ResourceKey) -> Result<Vec<HistoryEntry>> {
    let mut stmt = conn.prepare(
        "SELECT id, history_key, namespace, kind, name, repo, at, change, git_commit, proposal_id, approved_by, spec
         FROM history
         WHERE history_key IN (SELECT history_key FROM history WHERE namespace = ?1 AND kind = ?2 AND name = ?3)
            OR (namespace = ?1 AND kind = ?2 AND name = ?3)
         ORDER BY id DESC",
    )?;
    let rows = stmt.query_map((&key.namespace, &key.kind, &key.name), |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            ResourceKey {
                namespace: row.get(2)?,
                kind: row.get(3)?,
                name: row.get(4)?,
            },
            row.get::<_, String>(5)?,
            row.get::<_, String>(6)?,
            row.get::<_, String>(7)?,
            row.get::<_, Option<String>>(8)?,
            row.get::<_, Option<i64>>(9)?,
            row.get::<_, Option<String>>(10)?,
            row.get::<_, Option<String>>(11)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, history_key, key, repo, at, change, commit, proposal, approved_by, spec) = row?;
        out.push(HistoryEntry {
            id,
            history_key,
            key,
            repo,
            at: parse_ts(&at)?,
            change: Change::parse(&change)
                .ok_or_else(|| super::StoreError::Corrupt(format!("history change '{change}'")))?,
            commit,
            proposal,
            approved_by,
            spec: spec.map(|s| parse_json(&s, "history spec")).transpose()?,
        });
    }
    Ok(out)
}
