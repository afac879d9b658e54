//! Keeping a mirror usable after a crash or a bad disk: lock files and
//! half-written packs a killed fetch left behind, checks that tell a damaged mirror from a failing remote,
//! and a fresh mirror fetched beside the old one and swapped in.

use super::{Fetched, Mirror, Remote, SourceError, one_line};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

impl Mirror {
    /// Remove git's lock files (`*.lock`) anywhere in the mirror, and gix's
    /// temporary files (`.tmp*`) of packs being received, and return their
    /// paths, relative to the mirror.
    ///
    /// Call it only while holding gitsync's own lock on this mirror: then no
    /// fetch can be running, so all of them are left over from one that was
    /// killed. A lock file would fail every later fetch ("the lockfile …
    /// might need manual deletion"); a partial pack only wastes disk.
    pub fn remove_leftovers(&self) -> Result<Vec<String>, SourceError> {
        let mut removed = Vec::new();
        remove_locks(&self.path, &self.path, &mut removed).map_err(|e| self.error(&e))?;
        let packs = self.path.join("objects/pack");
        if let Ok(entries) = std::fs::read_dir(&packs) {
            for entry in entries.filter_map(Result::ok) {
                let name = entry.file_name().to_string_lossy().into_owned();
                let is_file = entry.file_type().is_ok_and(|t| t.is_file());
                if is_file && name.starts_with(".tmp") {
                    std::fs::remove_file(entry.path()).map_err(|e| self.error(&e))?;
                    removed.push(format!("objects/pack/{name}"));
                }
            }
        }
        removed.sort();
        Ok(removed)
    }

    /// Why the mirror's objects cannot be trusted, if they cannot: a pack
    /// without its index or the other way round, or a pack or index whose
    /// checksum does not match its contents. Reads every pack once, so it is
    /// for after a failure, not for every sync.
    pub fn damage(&self) -> Option<String> {
        let repo = match self.open() {
            Ok(repo) => repo,
            Err(e) => return Some(e.to_string()),
        };
        let hash = repo.object_hash();
        let dir = self.path.join("objects/pack");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return None;
        };
        let mut packs = Vec::new();
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
                continue;
            };
            let twin = match ext {
                "pack" => "idx",
                "idx" => "pack",
                _ => continue,
            };
            if !path.with_extension(twin).is_file() {
                return Some(format!("{} has no .{twin} file", shown(&path)));
            }
            if ext == "pack" {
                packs.push(path);
            }
        }
        let never = AtomicBool::new(false);
        for pack in packs {
            let index = pack.with_extension("idx");
            let checked = gix::odb::pack::data::File::at(&pack, hash)
                .and_then(|data| {
                    let sum = data.verify_checksum(&mut gix::progress::Discard, &never)?;
                    Ok(sum)
                })
                .map_err(|e| format!("{}: {}", shown(&pack), one_line(&e)))
                .and_then(|pack_sum| {
                    let idx = gix::odb::pack::index::File::at(&index, hash)
                        .map_err(|e| format!("{}: {}", shown(&index), one_line(&e)))?;
                    idx.verify_checksum(&mut gix::progress::Discard, &never)
                        .map_err(|e| format!("{}: {}", shown(&index), one_line(&e)))?;
                    if idx.pack_checksum() != pack_sum {
                        return Err(format!("{} belongs to another pack", shown(&index)));
                    }
                    Ok(())
                });
            if let Err(why) = checked {
                return Some(why);
            }
        }
        None
    }

    /// Whether reading a commit's files failed in a way only a damaged
    /// mirror explains: an object its own refs lead to could not be read.
    pub fn read_failed(&self) -> bool {
        self.damaged.load(Ordering::SeqCst)
    }

    /// Replace the mirror by a fresh one: fetch `remote` into a folder
    /// beside it, then swap the two. A failure keeps the old mirror as it was.
    pub fn rebuild(&self, remote: &Remote) -> Result<Fetched, SourceError> {
        let fresh = self.path.with_extension("rebuild");
        let old = self.path.with_extension("old");
        let _ = std::fs::remove_dir_all(&fresh);
        let _ = std::fs::remove_dir_all(&old);
        let io = |e: std::io::Error| SourceError::Other(format!("cannot swap mirrors: {e}"));
        let fetched = Mirror::open_or_init(&fresh).and_then(|m| m.fetch(remote));
        let fetched = match fetched {
            Ok(f) => f,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&fresh);
                return Err(e);
            }
        };
        std::fs::rename(&self.path, &old).map_err(io)?;
        std::fs::rename(&fresh, &self.path).map_err(io)?;
        let _ = std::fs::remove_dir_all(&old);
        self.damaged.store(false, Ordering::SeqCst);
        Ok(fetched)
    }
}

/// Remove every `*.lock` file below `dir`, never following a symlink.
fn remove_locks(base: &Path, dir: &Path, removed: &mut Vec<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let path = entry.path();
        if kind.is_dir() {
            remove_locks(base, &path, removed)?;
        } else if kind.is_file() && entry.file_name().to_string_lossy().ends_with(".lock") {
            std::fs::remove_file(&path)?;
            let rel = path.strip_prefix(base).unwrap_or(&path);
            removed.push(rel.display().to_string());
        }
    }
    Ok(())
}

/// A pack file's name for messages: the folder is the mirror's.
fn shown(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}
