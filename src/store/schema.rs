//! Schema and forward migrations. `schema_version` holds the number of the
//! last migration applied; each migration runs once, in order, in one
//! transaction with the version bump.

use super::{Result, StoreError};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use std::path::Path;

const MIGRATIONS: &[&str] = &[
    // 1: the initial schema.
    r#"
CREATE TABLE repos (
    name TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    git_ref TEXT NOT NULL,
    path TEXT NOT NULL,
    layout TEXT NOT NULL,
    namespace TEXT NOT NULL,
    interval_secs INTEGER NOT NULL,
    auto_apply INTEGER NOT NULL,
    max_proposals INTEGER NOT NULL,
    paused INTEGER NOT NULL,
    settings TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    next_due TEXT,
    fetched_commit TEXT,
    applied_commit TEXT,
    last_success_at TEXT
);
CREATE TABLE resources (
    namespace TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    spec TEXT NOT NULL,
    repo TEXT NOT NULL,
    source_path TEXT NOT NULL,
    git_commit TEXT NOT NULL,
    history_key TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (namespace, kind, name)
);
CREATE INDEX resources_repo ON resources (repo);
CREATE TABLE history (
    id INTEGER PRIMARY KEY,
    history_key TEXT NOT NULL,
    namespace TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    repo TEXT NOT NULL,
    at TEXT NOT NULL,
    change TEXT NOT NULL,
    git_commit TEXT,
    proposal_id INTEGER,
    approved_by TEXT,
    spec TEXT
);
CREATE INDEX history_by_key ON history (history_key);
CREATE INDEX history_by_name ON history (namespace, kind, name);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    repo TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    revision TEXT,
    diff_count INTEGER NOT NULL DEFAULT 0,
    opened TEXT NOT NULL DEFAULT '[]',
    auto_applied TEXT NOT NULL DEFAULT '[]',
    failed TEXT NOT NULL DEFAULT '[]',
    remaining INTEGER NOT NULL DEFAULT 0,
    summary TEXT NOT NULL DEFAULT '{}',
    error TEXT
);
CREATE INDEX runs_by_repo ON runs (repo, id);
CREATE INDEX runs_by_status ON runs (status);
CREATE TABLE proposals (
    id INTEGER PRIMARY KEY,
    repo TEXT NOT NULL,
    namespace TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    change TEXT NOT NULL,
    status TEXT NOT NULL,
    git_commit TEXT NOT NULL,
    source_path TEXT NOT NULL,
    history_key TEXT NOT NULL,
    base TEXT,
    desired TEXT,
    diff TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    reviewed_by TEXT,
    reviewed_at TEXT,
    applied_at TEXT,
    auto_applied INTEGER NOT NULL DEFAULT 0,
    reason TEXT,
    run_id INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0
);
-- One open proposal per resource, enforced by SQLite itself so that two
-- processes can never open the same one twice.
CREATE UNIQUE INDEX proposals_one_open ON proposals (namespace, kind, name)
    WHERE status IN ('pending_review', 'approved');
CREATE INDEX proposals_by_repo ON proposals (repo, status);
CREATE INDEX proposals_by_key ON proposals (namespace, kind, name, id);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    repo TEXT,
    proposal_id INTEGER,
    detail TEXT
);
CREATE INDEX events_by_at ON events (at);
CREATE TABLE halt (
    scope TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL
);
"#,
    // 2: apply hooks: their output, and whether a failed apply is retried.
    r#"
ALTER TABLE proposals ADD COLUMN hook_output TEXT;
ALTER TABLE proposals ADD COLUMN retry INTEGER NOT NULL DEFAULT 0;
"#,
];

/// The schema version this build writes.
pub const CURRENT: i64 = MIGRATIONS.len() as i64;

pub fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    // The common case reads only, so that opening the state file never
    // waits for another process's write transaction.
    let current: Option<i64> = conn
        .query_row("SELECT version FROM schema_version", [], |r| r.get(0))
        .optional()
        .unwrap_or(None);
    if current == Some(CURRENT) {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
        [],
    )?;
    let found: Option<i64> = tx
        .query_row("SELECT version FROM schema_version", [], |r| r.get(0))
        .optional()?;
    let found = match found {
        Some(v) => v,
        None => {
            tx.execute("INSERT INTO schema_version (version) VALUES (0)", [])?;
            0
        }
    };
    if found > CURRENT {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found,
            supported: CURRENT,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.execute_batch(sql)?;
        tx.execute(
            "UPDATE schema_version SET version = ?1",
            [i64::try_from(i).map_or(i64::MAX, |i| i.saturating_add(1))],
        )?;
    }
    tx.commit()?;
    Ok(())
}
