//! The state file: one SQLite database holding repos, live resources with
//! their origin and history, runs, proposals, audit events and the halt flag.
//! Every writing transaction is IMMEDIATE so that concurrent gitsync
//! processes queue on the write lock instead of failing on an upgrade.
// Times, sizes and counters here come from settings and hostile input:
// every operation is checked or saturating.
#![deny(clippy::arithmetic_side_effects)]

pub mod events;
pub mod proposals;
pub mod repos;
pub mod resources;
pub mod runs;
mod schema;

pub use events::{Event, EventFilter};
pub use proposals::{NewProposal, Proposal, ProposalFilter};
pub use repos::RepoState;
pub use resources::{HistoryEntry, LiveFilter, LiveResource};
pub use runs::Run;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a process waits for another one's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the state file {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error(
        "the state file {path} has schema version {found}, newer than this gitsync understands ({supported}); upgrade gitsync"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("there is no state file at {}", path.display())]
    Missing { path: PathBuf },
    #[error("the state file {} cannot be written: {why}", path.display())]
    ReadOnly { path: PathBuf, why: &'static str },
    #[error("the state file is busy: another gitsync process holds it; try again")]
    Busy,
    #[error("state file: {}", describe_sqlite(.0))]
    Sqlite(rusqlite::Error),
    #[error("state file holds a record that cannot be read: {0}")]
    Corrupt(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                StoreError::Busy
            }
            _ => StoreError::Sqlite(e),
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// An open state file.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    read_only: bool,
}

impl Store {
    /// Open (creating with mode 0600 if needed) and migrate the state file.
    /// Open the state file at `path`, which must exist: every command but
    /// `repo add` uses this, so that a mistyped `--state` or a deleted file
    /// fails loudly instead of starting over with an empty state.
    pub fn open_existing(path: &Path) -> Result<Store> {
        if std::fs::symlink_metadata(path).is_err() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        Store::open(path)
    }

    /// Open the state file at `path` for reading only, writing nothing (no
    /// migration, no journal switch): for the reading commands when the file
    /// or its folder cannot be written (a read-only copy or mount). On a
    /// folder nobody may write, the file is opened as immutable, since no
    /// writer can exist there.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        if std::fs::symlink_metadata(path).is_err() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        let open_err = |e: rusqlite::Error| StoreError::Open {
            path: path.to_path_buf(),
            source: Box::new(e),
        };
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let dir_writable = rustix::fs::access(dir, rustix::fs::Access::WRITE_OK).is_ok();
        let uri = format!(
            "file:{}?mode=ro{}",
            uri_path(path),
            if dir_writable { "" } else { "&immutable=1" }
        );
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
            | rusqlite::OpenFlags::SQLITE_OPEN_URI
            | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(uri, flags).map_err(open_err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        let version: Option<i64> = conn
            .query_row("SELECT version FROM schema_version", [], |r| r.get(0))
            .map_err(open_err)?;
        match version {
            Some(v) if v == schema::CURRENT => {}
            Some(v) if v > schema::CURRENT => {
                return Err(StoreError::TooNew {
                    path: path.to_path_buf(),
                    found: v,
                    supported: schema::CURRENT,
                });
            }
            _ => {
                return Err(StoreError::Open {
                    path: path.to_path_buf(),
                    source: "its schema is older than this gitsync and it cannot be written to migrate it; run a writing command on a writable copy first".into(),
                });
            }
        }
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(open_err)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            read_only: true,
        })
    }

    /// Whether this store was opened by [`Store::open_read_only`].
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Open the state file at `path`, creating it (and its folder, private)
    /// when it does not exist yet.
    pub fn open(path: &Path) -> Result<Store> {
        let open_err = |source: Box<dyn std::error::Error + Send + Sync>| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        // SQLite's own words ("file is not a database", "unable to open
        // database file") name no file: say which one.
        let sqlite_err = |e: StoreError| match e {
            StoreError::Sqlite(inner) => open_err(Box::new(inner)),
            other => other,
        };
        if path.is_dir() {
            return Err(open_err("it is a directory; name a file in it".into()));
        }
        // Say why a state file cannot be written before SQLite says only
        // "unable to open database file".
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        for target in [path, dir] {
            if target.exists()
                && let Err(e) = rustix::fs::access(target, rustix::fs::Access::WRITE_OK)
            {
                let why = match e {
                    rustix::io::Errno::ROFS => "it is on a read-only file system",
                    rustix::io::Errno::ACCESS | rustix::io::Errno::PERM => {
                        "permission denied (it or its folder)"
                    }
                    _ => continue,
                };
                return Err(StoreError::ReadOnly {
                    path: path.to_path_buf(),
                    why,
                });
            }
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.exists()
        {
            // Created private: the state file's folder is nobody else's business.
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| open_err(Box::new(e)))?;
        }
        create_private(path).map_err(|e| open_err(Box::new(e)))?;
        let conn = Connection::open(path).map_err(|e| open_err(Box::new(e)))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            read_only: false,
        };
        store.configure().map_err(sqlite_err)?;
        schema::migrate(&mut store.conn, path).map_err(sqlite_err)?;
        // WAL and SHM files are created by SQLite with the main file's mode
        // only on some systems; make sure secrets of history never go world-readable.
        for suffix in ["-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            set_private(Path::new(&p));
        }
        Ok(store)
    }

    /// WAL journal, a busy timeout, foreign keys.
    fn configure(&self) -> Result<()> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        let mode: String = self
            .conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Corrupt(format!(
                "cannot switch to WAL journal mode (got {mode})"
            )));
        }
        self.conn.pragma_update(None, "foreign_keys", true)?;
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Hold the state file's apply lock: live resources change only under
    /// it, so an apply hook can run outside any SQLite transaction (never
    /// blocking other writers) while what was checked before it still holds
    /// when its result is recorded. Waits up to `wait` for another process.
    pub fn apply_lock(&self, wait: Duration) -> Result<ApplyLock> {
        let mut path = self.path.as_os_str().to_owned();
        path.push(".apply-lock");
        let path = PathBuf::from(path);
        create_private(&path).map_err(|e| StoreError::Open {
            path: path.clone(),
            source: Box::new(e),
        })?;
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(|e| StoreError::Open {
                path: path.clone(),
                source: Box::new(e),
            })?;
        let start = std::time::Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(ApplyLock { _file: file }),
                Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < wait => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(std::fs::TryLockError::WouldBlock) => return Err(StoreError::Busy),
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(StoreError::Open {
                        path,
                        source: Box::new(e),
                    });
                }
            }
        }
    }

    /// A read-only view for queries.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Run `f` in one IMMEDIATE transaction: committed when it returns `Ok`,
    /// rolled back otherwise.
    pub fn write<T, E>(
        &mut self,
        f: impl FnOnce(&Connection) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E>
    where
        E: From<StoreError>,
    {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let value = f(&tx)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(value)
    }

    /// The halt flag: `Some(reason)` while nothing may be auto-applied.
    pub fn halted(&self) -> Result<Option<String>> {
        halted(&self.conn)
    }

    pub fn integrity_check(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }
}

/// The apply lock, released on drop.
pub struct ApplyLock {
    _file: std::fs::File,
}

/// Create the file with mode 0600 before SQLite opens it, so it is never
/// readable by others, not even for a moment.
fn create_private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

fn set_private(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if path.exists() {
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
}

/// The global halt: `Some(reason)` while nothing at all is auto-applied.
pub fn halted(conn: &Connection) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT reason FROM halt WHERE scope = '*'", [], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Why auto-apply is halted for `namespace` (a global halt or one of that
/// namespace), if it is.
pub fn halted_for(conn: &Connection, namespace: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT reason FROM halt WHERE scope = '*' OR scope = ?1 ORDER BY scope = '*' DESC LIMIT 1",
            [namespace],
            |r| r.get(0),
        )
        .optional()?)
}

/// One halt in force: its scope (`None` for all namespaces) and reason.
#[derive(Debug, Clone, PartialEq)]
pub struct Halt {
    pub namespace: Option<String>,
    pub reason: String,
    pub at: DateTime<Utc>,
    pub actor: String,
}

pub fn halts(conn: &Connection) -> Result<Vec<Halt>> {
    let mut stmt = conn.prepare("SELECT scope, reason, at, actor FROM halt ORDER BY scope")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (scope, reason, at, actor) = row?;
        out.push(Halt {
            namespace: (scope != "*").then_some(scope),
            reason,
            at: parse_ts(&at)?,
            actor,
        });
    }
    Ok(out)
}

/// Lift every halt (of all namespaces and the global one); returns how many.
pub fn clear_halts(conn: &Connection) -> Result<usize> {
    Ok(conn.execute("DELETE FROM halt", [])?)
}

/// Halt (`Some(reason)`) or unhalt (`None`) one namespace, or all of them
/// when `namespace` is `None`.
pub fn set_halt(
    conn: &Connection,
    namespace: Option<&str>,
    reason: Option<&str>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let scope = namespace.unwrap_or("*");
    match reason {
        Some(reason) => {
            conn.execute(
                "INSERT INTO halt (scope, reason, at, actor) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(scope) DO UPDATE SET reason = ?2, at = ?3, actor = ?4",
                (scope, reason, ts(now), actor),
            )?;
        }
        None => {
            conn.execute("DELETE FROM halt WHERE scope = ?1", [scope])?;
        }
    }
    Ok(())
}

/// Timestamps are stored as RFC 3339 UTC with second precision, so that text
/// order is time order.
/// SQLite's words, with the cause an operator can act on named first.
fn describe_sqlite(e: &rusqlite::Error) -> String {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DiskFull) => {
            format!("the disk holding it is full; free space and run again ({e})")
        }
        Some(rusqlite::ErrorCode::ReadOnly) => {
            format!("it cannot be written (read-only file system or permissions) ({e})")
        }
        Some(rusqlite::ErrorCode::SystemIoFailure) => {
            format!("an I/O error while writing it; check the disk ({e})")
        }
        _ => e.to_string(),
    }
}

/// A path as the path part of an SQLite `file:` URI.
fn uri_path(path: &Path) -> String {
    let mut out = String::new();
    for b in path.as_os_str().as_encoded_bytes() {
        match b {
            b'?' | b'#' | b'%' | b'&' | b'=' | 0..=0x20 | 0x7f..=0xff => {
                out.push_str(&format!("%{b:02X}"));
            }
            b => out.push(char::from(*b)),
        }
    }
    out
}

pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn parse_ts(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("timestamp '{s}': {e}")))
}

fn json_ids(ids: &[i64]) -> String {
    serde_json::to_string(ids).expect("ids serialize")
}

fn parse_json<T: serde::de::DeserializeOwned>(s: &str, what: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}
