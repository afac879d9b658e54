//! Git through gix: keep a bare mirror of each repo in the cache folder, fetch
//! the configured ref into it, and read files straight from a commit's tree.
//!
//! INTERFACE SKETCH: the implementation is being written; keep the public
//! signatures below.

use crate::layout::{FileEntry, LayoutError, RepoFiles};
use std::fmt;
use std::path::{Path, PathBuf};

/// The ref a repo follows: a branch (`main`), `tag:NAME` or `commit:SHA`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitRef {
    Branch(String),
    Tag(String),
    Commit(String),
}

impl GitRef {
    /// Parse the `--ref` syntax. Errors name the rule broken.
    pub fn parse(s: &str) -> Result<GitRef, String> {
        todo!("{s}")
    }
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

/// What to fetch: URL and ref (credentials slot in here later).
#[derive(Debug, Clone)]
pub struct Remote {
    pub url: String,
    pub git_ref: GitRef,
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
    /// pack was negotiated.
    pub transferred: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{0}")]
    Other(String),
}

/// A bare mirror of one repo.
pub struct Mirror {
    path: PathBuf,
}

impl Mirror {
    /// Open the mirror at `path`, creating an empty bare repository if none is there.
    pub fn open_or_init(path: &Path) -> Result<Mirror, SourceError> {
        todo!("{}", path.display())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Fetch `remote.git_ref` (shallow) and return the commit it resolves to.
    pub fn fetch(&self, remote: &Remote) -> Result<Fetched, SourceError> {
        todo!("{remote:?}")
    }

    /// Ask the remote for its refs only: `Ok(commit)` when the ref exists.
    pub fn probe(&self, remote: &Remote) -> Result<String, SourceError> {
        todo!("{remote:?}")
    }

    /// The commit `git_ref` resolved to at the last successful fetch.
    pub fn resolve_local(&self, git_ref: &GitRef) -> Result<String, SourceError> {
        todo!("{git_ref:?}")
    }

    pub fn commit_info(&self, commit: &str) -> Result<CommitInfo, SourceError> {
        todo!("{commit}")
    }

    /// The files of `commit` below `path`.
    pub fn files(&self, commit: &str, path: &str) -> Result<TreeFiles, SourceError> {
        todo!("{commit}{path}")
    }
}

/// Files of one commit below the repo path, read lazily from the object database.
pub struct TreeFiles {
    base: String,
    entries: Vec<FileEntry>,
}

impl RepoFiles for TreeFiles {
    fn base(&self) -> &str {
        &self.base
    }
    fn list(&self) -> &[FileEntry] {
        &self.entries
    }
    fn read(&self, path: &str) -> Result<Vec<u8>, LayoutError> {
        todo!("{path}")
    }
}
