//! SIGTERM, SIGINT and SIGHUP as a request to stop: a sync checks it
//! between stages, a fetch and a host command stop on it, and the run is
//! recorded as "interrupted by SIGTERM" instead of being killed half way.
//! A second signal ends the process at once.

use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

static SIGNAL: OnceLock<Arc<AtomicUsize>> = OnceLock::new();

const SIGNALS: [(i32, &str); 3] = [
    (signal_hook::consts::SIGTERM, "SIGTERM"),
    (signal_hook::consts::SIGINT, "SIGINT"),
    (signal_hook::consts::SIGHUP, "SIGHUP"),
];

/// Turn the stop signals into a request this module reports; call once, at
/// the start of the command line. Without it (a library user), signals
/// keep their default action.
pub fn install() -> std::io::Result<()> {
    let signal = SIGNAL.get_or_init(|| Arc::new(AtomicUsize::new(0)));
    let asked = Arc::new(AtomicBool::new(false));
    for (number, _) in SIGNALS {
        // Registered first, so it sees the flag before the second handler
        // sets it: the first signal asks, the second one terminates.
        signal_hook::flag::register_conditional_shutdown(number, 128 + number, asked.clone())?;
        signal_hook::flag::register(number, asked.clone())?;
        signal_hook::flag::register_usize(number, signal.clone(), number as usize)?;
    }
    Ok(())
}

/// The signal that asked this process to stop, if one did.
pub fn requested() -> Option<&'static str> {
    let number = SIGNAL.get()?.load(Ordering::SeqCst);
    SIGNALS
        .iter()
        .find(|(n, _)| *n as usize == number)
        .map(|(_, name)| *name)
}

/// `Err("interrupted by SIGTERM")` once a stop was asked for.
pub fn check() -> Result<(), String> {
    match requested() {
        Some(signal) => Err(format!("interrupted by {signal}")),
        None => Ok(()),
    }
}
