//! What one fetch or probe may cost: an overall deadline, and caps on the
//! bytes a remote may send while listing its refs and for its pack. Network
//! transports read the remote only through [`Metered`], which enforces them.

use super::SourceError;
use std::io::{self, BufRead, Read};
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Seconds one fetch or probe may take, start to finish, unless the repo
/// says otherwise (`--fetch-timeout`).
pub const DEFAULT_FETCH_TIMEOUT: u64 = 300;

/// The environment variable that caps the ref list.
pub const MAX_REFS_BYTES_VAR: &str = "GITSYNC_MAX_REFS_BYTES";
/// The environment variable that caps the pack.
pub const MAX_PACK_BYTES_VAR: &str = "GITSYNC_MAX_PACK_BYTES";

const KIB: u64 = 1 << 10;
const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;
const TIB: u64 = 1 << 40;

/// Default cap on the ref list: hundreds of thousands of refs, a few
/// hundred MiB of memory at most while gix parses them.
pub const DEFAULT_MAX_REFS_BYTES: u64 = 32 * MIB;
pub const MAX_REFS_BYTES_RANGE: RangeInclusive<u64> = 64 * KIB..=4 * GIB;
/// Default cap on one pack: far above any configuration repository, far
/// below a full disk.
pub const DEFAULT_MAX_PACK_BYTES: u64 = GIB;
pub const MAX_PACK_BYTES_RANGE: RangeInclusive<u64> = MIB..=TIB;

/// Bounds on one fetch or probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How long one fetch or probe may take in all, connections included.
    pub timeout: Duration,
    /// Most bytes the remote may send while it lists its refs.
    pub max_refs_bytes: u64,
    /// Most bytes the remote may send for the pack (negotiation included);
    /// no object in it may unpack to more either.
    pub max_pack_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_secs(DEFAULT_FETCH_TIMEOUT),
            max_refs_bytes: DEFAULT_MAX_REFS_BYTES,
            max_pack_bytes: DEFAULT_MAX_PACK_BYTES,
        }
    }
}

impl Limits {
    /// The default limits with the caps of [`MAX_REFS_BYTES_VAR`] and
    /// [`MAX_PACK_BYTES_VAR`] (unset or empty: the defaults). An error
    /// names the variable, its value and the range it must be in.
    pub fn from_env() -> Result<Limits, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let mut limits = Limits::default();
        if let Some(value) = var(MAX_REFS_BYTES_VAR) {
            limits.max_refs_bytes = cap(MAX_REFS_BYTES_VAR, &value, MAX_REFS_BYTES_RANGE)?;
        }
        if let Some(value) = var(MAX_PACK_BYTES_VAR) {
            limits.max_pack_bytes = cap(MAX_PACK_BYTES_VAR, &value, MAX_PACK_BYTES_RANGE)?;
        }
        Ok(limits)
    }
}

fn cap(var: &str, value: &str, range: RangeInclusive<u64>) -> Result<u64, String> {
    parse_size(value)
        .filter(|bytes| range.contains(bytes))
        .ok_or_else(|| {
            format!(
                "{var}='{value}' is not a size between {} and {}: give bytes, e.g. 67108864, or a size like 64MiB",
                format_size(*range.start()),
                format_size(*range.end())
            )
        })
}

/// A size in bytes: digits, optionally followed by KiB, MiB, GiB or TiB
/// (or K, M, G, T, meaning the same).
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let number: u64 = digits.parse().ok()?;
    let unit = match unit.trim().to_ascii_lowercase().as_str() {
        "" => 1,
        "k" | "kib" => KIB,
        "m" | "mib" => MIB,
        "g" | "gib" => GIB,
        "t" | "tib" => TIB,
        _ => return None,
    };
    number.checked_mul(unit)
}

/// `32 MiB` for whole units, else the number of bytes.
pub fn format_size(bytes: u64) -> String {
    for (unit, name) in [(TIB, "TiB"), (GIB, "GiB"), (MIB, "MiB"), (KIB, "KiB")] {
        if bytes >= unit && bytes.is_multiple_of(unit) {
            return format!("{} {name}", bytes / unit);
        }
    }
    format!("{bytes} bytes")
}

/// Which limit a fetch ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tripped {
    Deadline = 1,
    Refs = 2,
    Pack = 3,
    Signal = 4,
}

/// The limits of one fetch or probe as it runs, shared by every reader of
/// every connection it opens and by its watchdog.
pub(super) struct Guard {
    limits: Limits,
    deadline: Instant,
    /// Counting the pack (true) or the ref list (false).
    receiving: AtomicBool,
    received: AtomicU64,
    tripped: AtomicU8,
    /// gix's interrupt flag: set when any limit trips, so that work that
    /// does not read the network (indexing a pack) stops too.
    pub(super) interrupt: AtomicBool,
}

impl Guard {
    pub(super) fn new(limits: Limits) -> Arc<Guard> {
        Arc::new(Guard {
            limits,
            deadline: Instant::now() + limits.timeout,
            receiving: AtomicBool::new(false),
            received: AtomicU64::new(0),
            tripped: AtomicU8::new(0),
            interrupt: AtomicBool::new(false),
        })
    }

    /// A new connection: what follows is its ref list.
    pub(super) fn listing(&self) {
        self.receiving.store(false, Ordering::SeqCst);
        self.received.store(0, Ordering::SeqCst);
    }

    /// The refs are known: what follows is negotiation and the pack.
    pub(super) fn receiving(&self) {
        self.receiving.store(true, Ordering::SeqCst);
        self.received.store(0, Ordering::SeqCst);
    }

    /// Time left until the deadline, `None` once it has passed.
    fn remaining(&self) -> Option<Duration> {
        self.deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
    }

    /// Record that `why` stopped the fetch (the first reason wins) and
    /// return the error the reader reports to gix.
    fn trip(&self, why: Tripped) -> io::Error {
        let _ = self
            .tripped
            .compare_exchange(0, why as u8, Ordering::SeqCst, Ordering::SeqCst);
        self.interrupt.store(true, Ordering::SeqCst);
        let kind = match why {
            Tripped::Deadline => io::ErrorKind::TimedOut,
            Tripped::Signal => io::ErrorKind::Interrupted,
            Tripped::Refs | Tripped::Pack => io::ErrorKind::FileTooLarge,
        };
        io::Error::new(kind, "gitsync stopped the transfer at a limit")
    }

    fn tripped(&self) -> Option<Tripped> {
        match self.tripped.load(Ordering::SeqCst) {
            1 => Some(Tripped::Deadline),
            2 => Some(Tripped::Refs),
            3 => Some(Tripped::Pack),
            4 => Some(Tripped::Signal),
            _ => None,
        }
    }

    /// Count `n` bytes from the remote against the current cap.
    fn count(&self, n: usize) -> io::Result<()> {
        let total = self.received.fetch_add(n as u64, Ordering::SeqCst) + n as u64;
        let (cap, why) = if self.receiving.load(Ordering::SeqCst) {
            (self.limits.max_pack_bytes, Tripped::Pack)
        } else {
            (self.limits.max_refs_bytes, Tripped::Refs)
        };
        if total > cap {
            return Err(self.trip(why));
        }
        Ok(())
    }

    /// The limit that stopped the fetch, if one did: the reason to report
    /// instead of whatever error gix made of it.
    pub(super) fn verdict(&self) -> Option<Tripped> {
        self.tripped().or_else(|| {
            if self.remaining().is_none() {
                Some(self.tripped_now(Tripped::Deadline))
            } else {
                None
            }
        })
    }

    fn tripped_now(&self, why: Tripped) -> Tripped {
        self.trip(why);
        self.tripped().unwrap_or(why)
    }

    /// The error for a fetch of `url` stopped by `why`.
    pub(super) fn error(&self, url: &str, why: Tripped) -> SourceError {
        let url = shown_url(url);
        match why {
            Tripped::Deadline => SourceError::Deadline {
                url,
                secs: self.limits.timeout.as_secs(),
            },
            Tripped::Refs => SourceError::TooLarge {
                url,
                what: "the ref list",
                limit: format_size(self.limits.max_refs_bytes),
                var: MAX_REFS_BYTES_VAR,
            },
            Tripped::Pack => SourceError::TooLarge {
                url,
                what: "the pack",
                limit: format_size(self.limits.max_pack_bytes),
                var: MAX_PACK_BYTES_VAR,
            },
            Tripped::Signal => SourceError::Interrupted {
                signal: crate::interrupt::requested().unwrap_or("a signal"),
            },
        }
    }

    /// `result`, unless a limit stopped the fetch: then that limit's error.
    pub(super) fn judge<T>(
        &self,
        url: &str,
        result: Result<T, SourceError>,
    ) -> Result<T, SourceError> {
        match result {
            Err(e) => Err(match self.verdict() {
                Some(why) => self.error(url, why),
                None => e,
            }),
            ok => ok,
        }
    }
}

/// The URL as messages show it: gitsync refuses URLs with credentials, but
/// a library caller may not have checked, so any user:password is dropped.
fn shown_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let authority_end = rest.find('/').unwrap_or(rest.len());
        if let Some(at) = rest[..authority_end].rfind('@') {
            let userinfo = &rest[..at];
            if userinfo.contains(':') || matches!(scheme, "http" | "https") {
                return format!("{scheme}://{}", &rest[at + 1..]);
            }
        }
    }
    url.to_string()
}

/// Sets the interrupt flag when the deadline passes, for work that does not
/// read the network (a local `git-upload-pack`, indexing a received pack).
/// Stops when dropped.
pub(super) struct Watchdog {
    _stop: mpsc::Sender<()>,
}

pub(super) fn watch(guard: &Arc<Guard>) -> Watchdog {
    let (stop, stopped) = mpsc::channel::<()>();
    let guard = guard.clone();
    let _detached = std::thread::Builder::new()
        .name("gitsync-deadline".into())
        .spawn(move || {
            // Wakes up often enough to notice a stop signal promptly.
            loop {
                let left = guard.remaining().unwrap_or_default();
                match stopped.recv_timeout(left.min(Duration::from_millis(100))) {
                    Err(mpsc::RecvTimeoutError::Timeout) if left.is_zero() => {
                        guard.trip(Tripped::Deadline);
                        return;
                    }
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        if crate::interrupt::requested().is_some() {
                            guard.trip(Tripped::Signal);
                            return;
                        }
                    }
                    _ => return,
                }
            }
        });
    Watchdog { _stop: stop }
}

/// Chunks a pump thread may read ahead of the consumer.
const READ_AHEAD: usize = 8;

/// A reader of one remote's bytes that enforces the [`Guard`]: a pump thread
/// reads the source, and the consumer waits for each chunk no longer than
/// the deadline allows, so a silent or trickling server cannot hold a read
/// past it, and every byte counts against the current cap.
pub(super) struct Metered {
    chunks: mpsc::Receiver<io::Result<Vec<u8>>>,
    chunk: Vec<u8>,
    pos: usize,
    done: bool,
    guard: Arc<Guard>,
    on_drop: Option<Box<dyn FnOnce() + Send>>,
}

impl Metered {
    pub(super) fn new<R: BufRead + Send + 'static>(source: R, guard: &Arc<Guard>) -> Metered {
        let (send, chunks) = mpsc::sync_channel(READ_AHEAD);
        // The thread ends at the source's end or error, or when this reader
        // is gone; a source blocked forever ends with the process (sockets
        // also time out, and `on_drop` can close them).
        let _detached = std::thread::Builder::new()
            .name("gitsync-reader".into())
            .spawn(move || pump(source, send));
        Metered {
            chunks,
            chunk: Vec::new(),
            pos: 0,
            done: false,
            guard: guard.clone(),
            on_drop: None,
        }
    }

    /// Run `f` when the reader is dropped, e.g. to close a socket its pump
    /// thread may still be waiting on.
    pub(super) fn on_drop(mut self, f: impl FnOnce() + Send + 'static) -> Metered {
        self.on_drop = Some(Box::new(f));
        self
    }
}

fn pump<R: BufRead>(mut source: R, send: mpsc::SyncSender<io::Result<Vec<u8>>>) {
    loop {
        let chunk = match source.fill_buf() {
            Ok([]) => return,
            Ok(data) => data.to_vec(),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let _ = send.send(Err(e));
                return;
            }
        };
        source.consume(chunk.len());
        if send.send(Ok(chunk)).is_err() {
            return;
        }
    }
}

impl BufRead for Metered {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos == self.chunk.len() && !self.done {
            if let Some(why) = self.guard.tripped() {
                return Err(self.guard.trip(why));
            }
            let Some(left) = self.guard.remaining() else {
                return Err(self.guard.trip(Tripped::Deadline));
            };
            match self.chunks.recv_timeout(left) {
                Ok(Ok(data)) => {
                    self.guard.count(data.len())?;
                    self.chunk = data;
                    self.pos = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    return Err(self.guard.trip(Tripped::Deadline));
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => self.done = true,
            }
        }
        Ok(&self.chunk[self.pos..])
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.chunk.len());
    }
}

impl Read for Metered {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let data = self.fill_buf()?;
        let n = data.len().min(out.len());
        out[..n].copy_from_slice(&data[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl Drop for Metered {
    fn drop(&mut self) {
        if let Some(f) = self.on_drop.take() {
            f();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_print() {
        assert_eq!(parse_size("1048576"), Some(MIB));
        assert_eq!(parse_size("64KiB"), Some(64 * KIB));
        assert_eq!(parse_size("16 MiB"), Some(16 * MIB));
        assert_eq!(parse_size("2g"), Some(2 * GIB));
        assert_eq!(parse_size("1T"), Some(TIB));
        for bad in [
            "",
            "MiB",
            "1.5MiB",
            "-1",
            "12MB",
            "1 2",
            "99999999999999999999",
        ] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
        assert_eq!(parse_size("18446744073709551615T"), None);
        assert_eq!(format_size(32 * MIB), "32 MiB");
        assert_eq!(format_size(GIB), "1 GiB");
        assert_eq!(format_size(1000), "1000 bytes");
    }

    #[test]
    fn caps_outside_their_range_are_refused_with_the_range() {
        let err = cap(MAX_PACK_BYTES_VAR, "1KiB", MAX_PACK_BYTES_RANGE).unwrap_err();
        assert_eq!(
            err,
            "GITSYNC_MAX_PACK_BYTES='1KiB' is not a size between 1 MiB and 1 TiB: give bytes, e.g. 67108864, or a size like 64MiB"
        );
        assert!(cap(MAX_REFS_BYTES_VAR, "lots", MAX_REFS_BYTES_RANGE).is_err());
        assert_eq!(
            cap(MAX_REFS_BYTES_VAR, "64KiB", MAX_REFS_BYTES_RANGE),
            Ok(64 * KIB)
        );
    }

    #[test]
    fn messages_never_show_url_credentials() {
        assert_eq!(
            shown_url("https://user:tok@host/x.git"),
            "https://host/x.git"
        );
        assert_eq!(shown_url("http://tok@host/x.git"), "http://host/x.git");
        assert_eq!(shown_url("ssh://git@host/x.git"), "ssh://git@host/x.git");
        assert_eq!(shown_url("git@host:x.git"), "git@host:x.git");
    }

    /// A source that sends `chunks`, then blocks until the test ends.
    fn source(chunks: Vec<Vec<u8>>) -> impl BufRead + Send + 'static {
        struct Stalling(std::collections::VecDeque<Vec<u8>>, Vec<u8>);
        impl Read for Stalling {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                unreachable!("read through BufRead")
            }
        }
        impl BufRead for Stalling {
            fn fill_buf(&mut self) -> io::Result<&[u8]> {
                if self.1.is_empty() {
                    match self.0.pop_front() {
                        Some(c) => self.1 = c,
                        None => std::thread::sleep(Duration::from_secs(3600)),
                    }
                }
                Ok(&self.1)
            }
            fn consume(&mut self, amt: usize) {
                self.1.drain(..amt);
            }
        }
        Stalling(chunks.into(), Vec::new())
    }

    #[test]
    fn a_silent_source_fails_at_the_deadline() {
        let guard = Guard::new(Limits {
            timeout: Duration::from_millis(200),
            ..Limits::default()
        });
        let mut r = Metered::new(source(vec![b"abc".to_vec()]), &guard);
        let mut out = Vec::new();
        let err = r.read_to_end(&mut out).unwrap_err();
        assert_eq!(out, b"abc");
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert_eq!(guard.verdict(), Some(Tripped::Deadline));
        let text = guard.error("git://h/x", Tripped::Deadline).to_string();
        assert!(
            text.starts_with("no complete answer from 'git://h/x' within 0 s"),
            "{text}"
        );
    }

    #[test]
    fn bytes_past_the_cap_of_the_phase_fail() {
        let guard = Guard::new(Limits {
            max_refs_bytes: 10,
            max_pack_bytes: 20,
            ..Limits::default()
        });
        let mut r = Metered::new(source(vec![vec![1; 8], vec![2; 8]]), &guard);
        let mut buf = [0; 8];
        r.read_exact(&mut buf).unwrap();
        assert!(r.read_exact(&mut buf).is_err());
        assert_eq!(guard.verdict(), Some(Tripped::Refs));
        assert!(guard.interrupt.load(Ordering::SeqCst));

        // The pack is counted from zero against its own cap.
        let guard = Guard::new(Limits {
            max_refs_bytes: 10,
            max_pack_bytes: 20,
            ..Limits::default()
        });
        guard.receiving();
        let mut r = Metered::new(source(vec![vec![1; 8], vec![2; 8], vec![3; 8]]), &guard);
        let mut buf = [0; 16];
        r.read_exact(&mut buf).unwrap();
        assert!(r.read_exact(&mut buf[..8]).is_err());
        assert_eq!(guard.verdict(), Some(Tripped::Pack));
        let text = guard.error("http://h/x", Tripped::Pack).to_string();
        assert!(text.contains("GITSYNC_MAX_PACK_BYTES"), "{text}");
    }
}
