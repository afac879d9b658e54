//! Files named by host configuration (`file:` credentials, `--catalog`,
//! `--ca-file`, `--known-hosts`): read or handed on only when they are
//! regular files within a size cap, so a device, FIFO or huge file never
//! hangs a sync or fills memory.

use std::fmt;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// Largest `file:` credential: a password, token or private key (a 16384-bit
/// RSA key in PEM is about 12 KiB).
pub const MAX_CREDENTIAL: u64 = 64 * 1024;
/// Largest node catalog (`--catalog`): a catalog of every module on npm is
/// far smaller. The same cap holds at `repo add` and at every sync.
pub const MAX_CATALOG: u64 = 16 * 1024 * 1024;
/// Largest `--ca-file`: the whole Mozilla bundle
/// (`/etc/ssl/certs/ca-certificates.crt`) is about 220 KiB.
pub const MAX_CA_FILE: u64 = 1024 * 1024;
/// Largest `--known-hosts`: thousands of pinned host keys.
pub const MAX_KNOWN_HOSTS: u64 = 1024 * 1024;

/// A host file that cannot be used, naming the file and, where it matters,
/// the cap.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {}: {problem}", path.display())]
pub struct HostFileError {
    pub path: PathBuf,
    pub problem: Problem,
}

/// Why a host file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Missing, not permitted, or another io error (its text).
    Io(String),
    /// A FIFO, device, socket or folder: reading it could block forever or
    /// never end. Holds what it is, e.g. "a FIFO (named pipe)".
    NotRegular(&'static str),
    /// Larger than the cap (`size` is at least `max + 1` when the file grew
    /// while it was read, or its size is not known in advance, as in /proc).
    TooLarge { size: u64, max: u64 },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Io(reason) => f.write_str(reason),
            Problem::NotRegular(what) => {
                write!(f, "it is {what}; only a regular file is read")
            }
            Problem::TooLarge { size, max } => {
                write!(f, "it is {size} bytes, over the limit of {}", human(*max))
            }
        }
    }
}

/// Check that `path` is a regular file of at most `max` bytes, without
/// opening it (opening some devices has effects of its own). For files
/// another program reads (curl's CA file, ssh's known_hosts).
pub fn check(path: &Path, max: u64) -> Result<(), HostFileError> {
    regular(path, max).map(|_| ())
}

/// The contents of `path`, a regular file of at most `max` bytes. The type
/// is checked before opening, the file is opened without blocking (a FIFO
/// swapped in meanwhile cannot stall the open), checked again through the
/// open handle, and read no further than `max + 1` bytes.
pub fn read(path: &Path, max: u64) -> Result<Vec<u8>, HostFileError> {
    let fail = |problem| HostFileError {
        path: path.to_path_buf(),
        problem,
    };
    let before = regular(path, max)?;
    let flags = rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::NOCTTY;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags.bits() as i32)
        .open(path)
        .map_err(|e| fail(Problem::Io(io_reason(&e))))?;
    let opened = file
        .metadata()
        .map_err(|e| fail(Problem::Io(io_reason(&e))))?;
    if opened.dev() != before.dev() || opened.ino() != before.ino() {
        return Err(fail(Problem::Io(
            "it was replaced while being opened; try again".into(),
        )));
    }
    // Capacity for the whole file up front: a secret is not left behind in
    // memory freed by a reallocation.
    let mut bytes = Vec::with_capacity(before.len().min(max) as usize + 1);
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(Problem::Io(io_reason(&e))))?;
    if bytes.len() as u64 > max {
        return Err(fail(Problem::TooLarge {
            size: bytes.len() as u64,
            max,
        }));
    }
    Ok(bytes)
}

/// The metadata of `path` (links followed: host configuration may use
/// them, as Kubernetes secrets do) if it is a regular file within `max`.
fn regular(path: &Path, max: u64) -> Result<std::fs::Metadata, HostFileError> {
    let fail = |problem| HostFileError {
        path: path.to_path_buf(),
        problem,
    };
    let meta = std::fs::metadata(path).map_err(|e| fail(Problem::Io(io_reason(&e))))?;
    let kind = meta.file_type();
    let what = if kind.is_file() {
        None
    } else if kind.is_dir() {
        Some("a folder")
    } else if kind.is_fifo() {
        Some("a FIFO (named pipe)")
    } else if kind.is_char_device() {
        Some("a character device")
    } else if kind.is_block_device() {
        Some("a block device")
    } else if kind.is_socket() {
        Some("a socket")
    } else {
        Some("not a regular file")
    };
    if let Some(what) = what {
        return Err(fail(Problem::NotRegular(what)));
    }
    if meta.len() > max {
        return Err(fail(Problem::TooLarge {
            size: meta.len(),
            max,
        }));
    }
    Ok(meta)
}

/// An io error in a few words, without the "(os error N)" noise.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let text = e.to_string();
            match text.find(" (os error") {
                Some(at) => text[..at].to_string(),
                None => text,
            }
        }
    }
}

/// 65536 → "64 KiB (65536 bytes)", 16777216 → "16 MiB (16777216 bytes)".
fn human(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB ({bytes} bytes)", bytes / MIB)
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KiB ({bytes} bytes)", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regular_file_within_the_cap_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, "0123456789").unwrap();
        assert_eq!(read(&path, 10).unwrap(), b"0123456789");
        assert!(check(&path, 10).is_ok());
        let err = read(&path, 9).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "cannot read {}: it is 10 bytes, over the limit of 9 bytes",
                path.display()
            )
        );
        assert!(check(&path, 9).is_err());
    }

    #[test]
    fn devices_folders_and_fifos_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        for (path, what) in [
            (Path::new("/dev/zero"), "a character device"),
            (dir.path(), "a folder"),
            (fifo.as_path(), "a FIFO (named pipe)"),
        ] {
            let err = read(path, MAX_CREDENTIAL).unwrap_err();
            assert_eq!(err.problem, Problem::NotRegular(what), "{err}");
            assert!(err.to_string().contains(&path.display().to_string()));
            assert!(check(path, MAX_CA_FILE).is_err());
        }
    }

    #[test]
    fn a_file_whose_size_is_unknown_is_still_read_within_the_cap() {
        // /proc files report size 0 however much they hold.
        let err = read(Path::new("/proc/self/maps"), 16).unwrap_err();
        assert_eq!(err.problem, Problem::TooLarge { size: 17, max: 16 });
        let missing = read(Path::new("/nonexistent/x"), 16).unwrap_err();
        assert_eq!(
            missing.to_string(),
            "cannot read /nonexistent/x: no such file"
        );
    }

    #[test]
    fn caps_read_in_binary_units() {
        assert_eq!(human(MAX_CREDENTIAL), "64 KiB (65536 bytes)");
        assert_eq!(human(MAX_CATALOG), "16 MiB (16777216 bytes)");
        assert_eq!(human(1000), "1000 bytes");
    }
}
