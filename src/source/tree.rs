//! Listing the files of one commit below the repo path, straight from the
//! object database (there is no work tree). Nothing is skipped: symlinks and
//! submodules are listed with their kind so that layouts can refuse them.

use super::{Mirror, SourceError, TreeFiles, one_line, parse_id, short};
use crate::layout::{EntryKind, FileEntry};
use gix::objs::tree::EntryKind as GitKind;

/// Check the repo path and return it normalised, by the same rule as
/// `repo add` ([`crate::validate::normalize_repo_path`]).
pub(crate) fn normalize_path(path: &str) -> Result<String, SourceError> {
    crate::validate::normalize_repo_path(path).map_err(|reason| SourceError::InvalidPath {
        path: path.to_string(),
        reason: reason.to_string(),
    })
}

pub(crate) fn files(mirror: &Mirror, commit: &str, path: &str) -> Result<TreeFiles, SourceError> {
    let base = normalize_path(path)?;
    let repo = mirror.open()?;
    let id = parse_id(commit)?;
    let commit = id.to_string();
    let entries = list(mirror, &repo, id, &commit, &base)?;
    Ok(TreeFiles {
        base,
        entries,
        commit,
        repo: repo.into_sync(),
        damaged: mirror.damaged.clone(),
    })
}

/// Every entry below `base` in commit `id`, sorted by path.
fn list(
    mirror: &Mirror,
    repo: &gix::Repository,
    id: gix::ObjectId,
    commit: &str,
    base: &str,
) -> Result<Vec<FileEntry>, SourceError> {
    let c = repo
        .find_commit(id)
        .map_err(|_| SourceError::CommitNotFound {
            commit: commit.to_string(),
        })?;
    let root = c
        .tree()
        .map_err(|e| mirror.error_msg(format!("commit {}: {}", short(commit), one_line(&e))))?;
    let tree = if base.is_empty() {
        root
    } else {
        let entry = root
            .lookup_entry(base.split('/').map(str::as_bytes))
            .map_err(|e| mirror.error_msg(format!("commit {}: {}", short(commit), one_line(&e))))?
            .ok_or_else(|| SourceError::PathNotFound {
                path: base.to_string(),
                commit: short(commit).to_string(),
            })?;
        let not_folder = |what| SourceError::NotAFolder {
            path: base.to_string(),
            commit: short(commit).to_string(),
            what,
        };
        match entry.mode().kind() {
            GitKind::Tree => {}
            GitKind::Link => return Err(not_folder("a symbolic link")),
            GitKind::Commit => return Err(not_folder("a submodule")),
            GitKind::Blob | GitKind::BlobExecutable => return Err(not_folder("a file")),
        }
        entry
            .object()
            .map_err(|e| mirror.error_msg(format!("commit {}: {}", short(commit), one_line(&e))))?
            .into_tree()
    };

    let records = tree
        .traverse()
        .breadthfirst
        .files()
        .map_err(|e| mirror.error_msg(format!("commit {}: {}", short(commit), one_line(&e))))?;
    let mut entries = Vec::with_capacity(records.len());
    for record in records {
        let kind = match record.mode.kind() {
            GitKind::Tree => continue,
            GitKind::Blob | GitKind::BlobExecutable => EntryKind::File,
            GitKind::Link => EntryKind::Symlink,
            GitKind::Commit => EntryKind::Submodule,
        };
        let rel = std::str::from_utf8(&record.filepath).map_err(|_| {
            mirror.error_msg(format!(
                "commit {}: a file name below '{base}' is not valid UTF-8: {:?}",
                short(commit),
                record.filepath
            ))
        })?;
        let full = if base.is_empty() {
            rel.to_string()
        } else {
            format!("{base}/{rel}")
        };
        // The object header gives the size without inflating the blob. A
        // gitlink's commit lives in another repository: it has no size here.
        let size = match kind {
            EntryKind::Submodule => 0,
            EntryKind::File | EntryKind::Symlink => repo
                .find_header(record.oid)
                .map_err(|e| {
                    mirror.error_msg(format!(
                        "commit {}: {full}: {}",
                        short(commit),
                        one_line(&e)
                    ))
                })?
                .size(),
        };
        entries.push(FileEntry {
            path: full,
            kind,
            size,
            id: record.oid.to_string(),
        });
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(entries)
}
