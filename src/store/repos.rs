//! Registered repositories and the facts recorded about each: when it is due,
//! which commit was last fetched and which was last fully applied.

use super::{Result, StoreError, parse_json, parse_ts, ts};
use crate::model::{LayoutKind, RepoConfig};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row};

/// What the store knows about a repo beyond its configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct RepoState {
    pub config: RepoConfig,
    pub created_at: DateTime<Utc>,
    pub next_due: Option<DateTime<Utc>>,
    pub fetched_commit: Option<String>,
    pub applied_commit: Option<String>,
    pub last_success_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "name, url, git_ref, path, layout, namespace, interval_secs, auto_apply, \
     max_proposals, paused, settings, created_at, next_due, fetched_commit, applied_commit, last_success_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<(RepoConfig, [Option<String>; 5], String, String)> {
    let layout: String = row.get(4)?;
    let settings: String = row.get(10)?;
    Ok((
        RepoConfig {
            name: row.get(0)?,
            url: row.get(1)?,
            git_ref: row.get(2)?,
            path: row.get(3)?,
            layout: LayoutKind::parse(&layout).unwrap_or(LayoutKind::Fleet),
            namespace: row.get(5)?,
            interval: row.get::<_, i64>(6)? as u64,
            auto_apply: row.get(7)?,
            max_proposals: row.get::<_, i64>(8)? as u32,
            paused: row.get(9)?,
            settings: Default::default(),
        },
        [
            row.get(11)?,
            row.get(12)?,
            row.get(13)?,
            row.get(14)?,
            row.get(15)?,
        ],
        settings,
        layout,
    ))
}

fn finish(raw: (RepoConfig, [Option<String>; 5], String, String)) -> Result<RepoState> {
    let (mut config, [created, due, fetched, applied, success], settings, layout) = raw;
    if LayoutKind::parse(&layout).is_none() {
        return Err(StoreError::Corrupt(format!(
            "repo '{}' has unknown layout '{layout}'",
            config.name
        )));
    }
    config.settings = parse_json(&settings, "repo settings")?;
    // Scheduling facts that cannot be read (a date an older gitsync wrote
    // past year 9999) cost only themselves: the repo is due now and the
    // next sync writes a good date, instead of every command failing.
    let lenient_ts = |s: Option<String>| s.as_deref().and_then(|s| parse_ts(s).ok());
    Ok(RepoState {
        config,
        created_at: parse_ts(created.as_deref().unwrap_or_default())?,
        next_due: lenient_ts(due),
        fetched_commit: fetched,
        applied_commit: applied,
        last_success_at: lenient_ts(success),
    })
}

pub fn get(conn: &Connection, name: &str) -> Result<Option<RepoState>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM repos WHERE name = ?1"),
        [name],
        from_row,
    )
    .optional()?
    .map(finish)
    .transpose()
}

pub fn list(conn: &Connection) -> Result<Vec<RepoState>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM repos ORDER BY name"))?;
    let rows = stmt.query_map([], from_row)?;
    rows.map(|r| finish(r?)).collect()
}

pub fn insert(conn: &Connection, repo: &RepoConfig, now: DateTime<Utc>) -> Result<()> {
    // A bare row first; `update` writes the configuration, in one place.
    conn.execute(
        "INSERT INTO repos (name, url, git_ref, path, layout, namespace, interval_secs, auto_apply,
            max_proposals, paused, created_at)
         VALUES (?1, '', '', '', '', '', 0, 0, 0, 0, ?2)",
        (&repo.name, ts(now)),
    )?;
    update(conn, repo)
}

/// Replace a repo's configuration; recorded facts stay.
pub fn update(conn: &Connection, repo: &RepoConfig) -> Result<()> {
    conn.execute(
        "UPDATE repos SET url = ?2, git_ref = ?3, path = ?4, layout = ?5, namespace = ?6,
            interval_secs = ?7, auto_apply = ?8, max_proposals = ?9, paused = ?10, settings = ?11
         WHERE name = ?1",
        rusqlite::params![
            repo.name,
            repo.url,
            repo.git_ref,
            repo.path,
            repo.layout.as_str(),
            repo.namespace,
            repo.interval as i64,
            repo.auto_apply,
            repo.max_proposals as i64,
            repo.paused,
            serde_json::to_string(&repo.settings).expect("settings serialize"),
        ],
    )?;
    Ok(())
}

/// The environment variables that repos name as credentials (`env:VAR`):
/// kept out of every host command's environment.
pub fn credential_env_vars(conn: &Connection) -> Result<Vec<String>> {
    let mut vars = Vec::new();
    for repo in list(conn)? {
        let s = &repo.config.settings;
        let references = [&s.username, &s.password, &s.ssh_key, &s.ssh_passphrase];
        for reference in references.into_iter().flatten() {
            if let Some(var) = reference.strip_prefix("env:") {
                vars.push(var.to_string());
            }
        }
    }
    vars.sort();
    vars.dedup();
    Ok(vars)
}

pub fn set_paused(conn: &Connection, name: &str, paused: bool) -> Result<()> {
    conn.execute(
        "UPDATE repos SET paused = ?2 WHERE name = ?1",
        rusqlite::params![name, paused],
    )?;
    Ok(())
}

pub fn delete(conn: &Connection, name: &str) -> Result<()> {
    conn.execute("DELETE FROM repos WHERE name = ?1", [name])?;
    Ok(())
}

pub fn set_next_due(conn: &Connection, name: &str, due: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "UPDATE repos SET next_due = ?2 WHERE name = ?1",
        (name, ts(due)),
    )?;
    Ok(())
}

/// Make a repo due at the next `sync`.
pub fn clear_next_due(conn: &Connection, name: &str) -> Result<()> {
    conn.execute("UPDATE repos SET next_due = NULL WHERE name = ?1", [name])?;
    Ok(())
}

pub fn set_fetched(conn: &Connection, name: &str, commit: &str) -> Result<()> {
    conn.execute(
        "UPDATE repos SET fetched_commit = ?2 WHERE name = ?1",
        (name, commit),
    )?;
    Ok(())
}

/// Record that every diff of `commit` is applied.
pub fn set_applied(conn: &Connection, name: &str, commit: &str) -> Result<()> {
    conn.execute(
        "UPDATE repos SET applied_commit = ?2 WHERE name = ?1",
        (name, commit),
    )?;
    Ok(())
}

pub fn set_last_success(conn: &Connection, name: &str, at: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "UPDATE repos SET last_success_at = ?2 WHERE name = ?1",
        (name, ts(at)),
    )?;
    Ok(())
}
