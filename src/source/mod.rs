//! Git through gix: keep a bare mirror of each repo in the cache folder, fetch
//! the configured ref into it, and read files straight from a commit's tree.
//!
//! The mirror never stores anything about the remote: fetches go through an
//! anonymous remote built in memory, and credentials, CA file and the ssh
//! command are in-memory settings, so none of them is ever written to the
//! mirror's config. Refs the mirror keeps:
//! - branch `B`: `refs/remotes/origin/B`
//! - tag `T`: `refs/tags/T`
//! - commit pin: [`PINNED_REF`], so the pinned commit stays reachable.

mod fetch;
mod git_ref;
mod limits;
mod repair;
mod ssh;
mod transport;
mod tree;

#[cfg(test)]
mod tests;

use crate::credentials::{Reference, Secret};
use crate::layout::{FileEntry, LayoutError, MAX_READ_SIZE, RepoFiles, check_readable_within};
pub use limits::{
    DEFAULT_FETCH_TIMEOUT, DEFAULT_MAX_PACK_BYTES, DEFAULT_MAX_REFS_BYTES, Limits,
    MAX_PACK_BYTES_RANGE, MAX_PACK_BYTES_VAR, MAX_REFS_BYTES_RANGE, MAX_REFS_BYTES_VAR,
    format_size, parse_size,
};
use std::fmt;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The local ref that keeps a pinned commit reachable in the mirror.
pub const PINNED_REF: &str = "refs/gitsync/pinned";

/// The ref a repo follows: a branch (`main`), `tag:NAME` or `commit:SHA`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitRef {
    Branch(String),
    Tag(String),
    /// A full, lower-case 40-hex commit id.
    Commit(String),
}

impl fmt::Display for GitRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GitRef::Branch(b) => f.write_str(b),
            GitRef::Tag(t) => write!(f, "tag:{t}"),
            GitRef::Commit(c) => write!(f, "commit:{c}"),
        }
    }
}

/// What to fetch and how to authenticate. Secrets in here are resolved
/// values that live only in memory; `Debug` never shows them.
#[derive(Debug, Clone)]
pub struct Remote {
    pub url: String,
    pub git_ref: GitRef,
    /// History depth to fetch: `Some(1)` (the default) fetches only the
    /// commit the ref points at; `None` fetches full history.
    pub depth: Option<NonZeroU32>,
    pub auth: Auth,
    /// PEM CA certificates trusted for https (in-memory `http.sslCAInfo`).
    pub ca_file: Option<PathBuf>,
    /// The deadline and caps of each fetch or probe.
    pub limits: Limits,
}

impl Remote {
    /// A remote fetched shallowly (depth 1), the default for syncing.
    pub fn new(url: impl Into<String>, git_ref: GitRef) -> Remote {
        Remote {
            url: url.into(),
            git_ref,
            depth: Some(NonZeroU32::MIN),
            auth: Auth::None,
            ca_file: None,
            limits: Limits::default(),
        }
    }
}

/// How gitsync proves who it is to the remote.
#[derive(Debug, Clone, Default)]
pub enum Auth {
    /// Anonymous (or, for ssh, whatever the user's ssh setup offers).
    #[default]
    None,
    /// HTTP basic authentication, e.g. a username and a personal access token.
    Basic { username: Secret, password: Secret },
    /// The system `ssh` client with these settings.
    Ssh(SshAuth),
}

/// Settings for the system `ssh` client. Host keys are always checked
/// strictly; ssh never prompts.
#[derive(Debug, Clone, Default)]
pub struct SshAuth {
    /// The private key; `None` leaves the choice to ssh (agent, `~/.ssh/id_*`).
    pub key: Option<SshKey>,
    /// The key's passphrase. Kept as a reference: ssh's askpass helper reads
    /// it from where it is, so the value is never copied anywhere.
    pub passphrase: Option<Reference>,
    /// The known_hosts file; `None` means ssh's default (`~/.ssh/known_hosts`).
    pub known_hosts: Option<PathBuf>,
}

/// Where the ssh private key is.
#[derive(Debug, Clone)]
pub enum SshKey {
    /// A key file, handed to ssh as it is.
    File(PathBuf),
    /// Key material (from an environment variable), written to a 0600 file
    /// in a private temporary folder for the length of one connection.
    Material(Secret),
}

/// Author, date and subject of a commit, for `status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    /// Full hex id.
    pub id: String,
    pub author: String,
    /// RFC 3339, UTC.
    pub date: String,
    pub subject: String,
}

/// The result of [`Mirror::fetch`].
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Full hex id of the commit the ref points at now.
    pub commit: String,
    /// False when the remote still advertised what the mirror had, so no
    /// pack was negotiated (or, for a pin already present, the network was
    /// not used at all). Compare `commit` to learn whether the ref moved.
    pub transferred: bool,
}

/// Everything that can go wrong in this module. Every message is one line:
/// underlying causes are chained with ": ".
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("ref '{git_ref}' not found at '{url}'")]
    RefNotFound { url: String, git_ref: String },
    #[error("cannot reach '{url}': {cause}")]
    Unreachable { url: String, cause: String },
    #[error("authentication refused by '{url}': {cause}")]
    AuthRefused { url: String, cause: String },
    #[error("host key of '{url}' not trusted: {cause}")]
    HostKey { url: String, cause: String },
    #[error("fetching '{git_ref}' from '{url}' failed: {cause}")]
    Fetch {
        url: String,
        git_ref: String,
        cause: String,
    },
    #[error(
        "no complete answer from '{url}' within {secs} s: the server is stuck or too slow; if it is only slow, raise the repo's --fetch-timeout"
    )]
    Deadline { url: String, secs: u64 },
    /// A stop signal ended the fetch; the mirror keeps its last good state.
    #[error("interrupted by {signal} during the fetch")]
    Interrupted { signal: &'static str },
    #[error(
        "{what} from '{url}' is larger than {limit} ({var}): a broken or hostile server, or a repository that big; raise {var} to allow it"
    )]
    TooLarge {
        url: String,
        what: &'static str,
        limit: String,
        var: &'static str,
    },
    #[error("the mirror has no copy of '{git_ref}' yet: fetch it first")]
    NotFetched { git_ref: String },
    #[error("commit {commit} is not in the mirror")]
    CommitNotFound { commit: String },
    #[error("path '{path}' does not exist in commit {commit}")]
    PathNotFound { path: String, commit: String },
    #[error("path '{path}' in commit {commit} is {what}, not a folder")]
    NotAFolder {
        path: String,
        commit: String,
        what: &'static str,
    },
    #[error("invalid repo path '{path}': {reason}")]
    InvalidPath { path: String, reason: String },
    #[error("mirror '{path}': {cause}")]
    Mirror { path: String, cause: String },
    #[error("{0}")]
    Other(String),
}

impl SourceError {
    /// Whether a damaged mirror could explain this error, rather than the
    /// remote, the network or the configuration: worth checking the mirror.
    pub fn may_be_mirror_damage(&self) -> bool {
        matches!(
            self,
            SourceError::Fetch { .. }
                | SourceError::Mirror { .. }
                | SourceError::CommitNotFound { .. }
                | SourceError::NotFetched { .. }
                | SourceError::Other(_)
        )
    }
}

/// Render an error and all its sources on one line, joined by ": ", leaving
/// out a source whose text the previous message already contains (gix
/// errors often repeat their cause).
pub(crate) fn one_line(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !text.is_empty() && !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out.replace(['\n', '\r'], " ")
}

/// A bare mirror of one repo.
pub struct Mirror {
    path: PathBuf,
    /// Set when an object the mirror's refs lead to could not be read (see
    /// [`Mirror::read_failed`]); shared with the [`TreeFiles`] it lists.
    damaged: Arc<AtomicBool>,
}

impl Mirror {
    /// Open the mirror at `path`, creating an empty bare repository if none is there.
    pub fn open_or_init(path: &Path) -> Result<Mirror, SourceError> {
        let mirror = Mirror {
            path: path.to_path_buf(),
            damaged: Arc::default(),
        };
        if mirror.open().is_ok() {
            return Ok(mirror);
        }
        // Only initialise where nothing is: never turn a folder holding
        // something else into a repository.
        let empty = match std::fs::read_dir(path) {
            Ok(mut entries) => entries.next().is_none(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
            Err(e) => return Err(mirror.error(&e)),
        };
        if !empty {
            // Report why opening failed: that is the useful cause.
            return Err(mirror
                .open()
                .err()
                .unwrap_or_else(|| mirror.error_msg("not a git repository and not empty".into())));
        }
        // Initialise beside it and rename into place, so a process killed
        // half way leaves no half-made repository (no HEAD) that every later
        // sync would refuse as "not a git repository and not empty".
        let parent = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|e| mirror.error(&e))?;
        let fresh = tempfile::Builder::new()
            .prefix(".init-")
            .tempdir_in(parent)
            .map_err(|e| mirror.error(&e))?;
        gix::init_bare(fresh.path()).map_err(|e| mirror.error(&e))?;
        std::fs::rename(fresh.path(), path).map_err(|e| mirror.error(&e))?;
        // Renamed away: nothing left for the guard to remove.
        let _ = fresh.keep();
        Ok(mirror)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Fetch `remote.git_ref` (shallow unless `remote.depth` is `None`) and
    /// return the commit it resolves to.
    pub fn fetch(&self, remote: &Remote) -> Result<Fetched, SourceError> {
        fetch::fetch(self, remote)
    }

    /// Ask the remote for its refs only: `Ok(commit)` when the ref exists.
    /// For a commit pin this only checks that the remote answers.
    pub fn probe(&self, remote: &Remote) -> Result<String, SourceError> {
        fetch::probe(self, remote)
    }

    /// The commit `git_ref` resolved to at the last successful fetch.
    pub fn resolve_local(&self, git_ref: &GitRef) -> Result<String, SourceError> {
        let repo = self.open()?;
        let not_fetched = || SourceError::NotFetched {
            git_ref: git_ref.to_string(),
        };
        if let GitRef::Commit(sha) = git_ref {
            // A pin resolves to itself once the commit is in the mirror.
            let id = parse_id(sha)?;
            return match repo.find_commit(id) {
                Ok(_) => Ok(id.to_string()),
                Err(_) => Err(not_fetched()),
            };
        }
        let name = git_ref.local_ref();
        let mut reference = match repo.try_find_reference(name.as_str()) {
            Ok(Some(r)) => r,
            Ok(None) => return Err(not_fetched()),
            Err(e) => return Err(self.error(&e)),
        };
        let commit = reference.peel_to_commit().map_err(|e| {
            self.error_msg(format!(
                "'{git_ref}' does not point to a commit: {}",
                one_line(&e)
            ))
        })?;
        Ok(commit.id.to_string())
    }

    /// Author, author date and subject of `commit`.
    pub fn commit_info(&self, commit: &str) -> Result<CommitInfo, SourceError> {
        let repo = self.open()?;
        let id = parse_id(commit)?;
        let c = repo
            .find_commit(id)
            .map_err(|_| SourceError::CommitNotFound {
                commit: commit.to_string(),
            })?;
        let bad = |e: &(dyn std::error::Error + 'static)| {
            self.error_msg(format!(
                "commit {commit} cannot be decoded: {}",
                one_line(e)
            ))
        };
        let author = c.author().map_err(|e| bad(&e))?;
        let time = author.time().map_err(|e| bad(&e))?;
        let date = chrono::DateTime::from_timestamp(time.seconds, 0)
            .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .ok_or_else(|| self.error_msg(format!("commit {commit} has an out-of-range date")))?;
        let raw = c.message_raw_sloppy();
        let subject = String::from_utf8_lossy(raw)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        Ok(CommitInfo {
            id: id.to_string(),
            author: String::from_utf8_lossy(author.name).trim().to_string(),
            date,
            subject,
        })
    }

    /// The files of `commit` below `path`.
    pub fn files(&self, commit: &str, path: &str) -> Result<TreeFiles, SourceError> {
        let files = tree::files(self, commit, path);
        // The commit came from the mirror's own refs: failing to read it or
        // its trees means the mirror is damaged, not that the repo is wrong.
        if let Err(SourceError::CommitNotFound { .. } | SourceError::Mirror { .. }) = &files {
            self.damaged.store(true, Ordering::SeqCst);
        }
        files
    }

    /// Open the mirror as a gix repository (a fresh handle each time, so
    /// every call sees refs and packs written by earlier fetches).
    pub(crate) fn open(&self) -> Result<gix::Repository, SourceError> {
        gix::open(&self.path).map_err(|e| self.error(&e))
    }

    pub(crate) fn error(&self, e: &(dyn std::error::Error + 'static)) -> SourceError {
        self.error_msg(one_line(e))
    }

    pub(crate) fn error_msg(&self, cause: String) -> SourceError {
        SourceError::Mirror {
            path: self.path.display().to_string(),
            cause,
        }
    }
}

/// A full 40-hex commit id as a gix object id.
pub(crate) fn parse_id(commit: &str) -> Result<gix::ObjectId, SourceError> {
    let hex = git_ref::check_commit_id(commit).map_err(SourceError::Other)?;
    gix::ObjectId::from_hex(hex.as_bytes())
        .map_err(|e| SourceError::Other(format!("invalid commit id '{commit}': {e}")))
}

/// The short form used in messages.
pub(crate) fn short(commit: &str) -> &str {
    commit.get(..7).unwrap_or(commit)
}

/// Files of one commit below the repo path, read lazily from the object database.
pub struct TreeFiles {
    base: String,
    entries: Vec<FileEntry>,
    commit: String,
    /// Owned, thread-safe handle so the listing outlives `Mirror::files`.
    repo: gix::ThreadSafeRepository,
    /// The mirror's damage flag: a listed blob that cannot be read sets it.
    damaged: Arc<AtomicBool>,
}

impl TreeFiles {
    /// The commit these files come from (full hex id).
    pub fn commit(&self) -> &str {
        &self.commit
    }
}

impl RepoFiles for TreeFiles {
    fn base(&self) -> &str {
        &self.base
    }
    fn list(&self) -> &[FileEntry] {
        &self.entries
    }
    fn read(&self, path: &str) -> Result<Vec<u8>, LayoutError> {
        let entry = self.entry(path).ok_or_else(|| LayoutError::Refused {
            path: path.to_string(),
            reason: format!("does not exist in commit {}", short(&self.commit)),
        })?;
        check_readable_within(entry, MAX_READ_SIZE)?;
        let id = gix::ObjectId::from_hex(entry.id.as_bytes())
            .map_err(|e| LayoutError::Other(format!("{path}: bad blob id: {e}")))?;
        let repo = self.repo.to_thread_local();
        let mut blob = repo.find_blob(id).map_err(|e| {
            self.damaged.store(true, Ordering::SeqCst);
            LayoutError::Other(format!("{path}: cannot read: {}", one_line(&e)))
        })?;
        Ok(blob.take_data())
    }
}
