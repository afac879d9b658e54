//! The integration tests: one binary that drives the real `gitsync`
//! executable against git repos built at test time.

mod concurrency;
mod contrib_hooks;
mod crash;
mod docs;
mod fleet;
mod harness;
mod hooks;
mod hostile;
mod hostile_remotes;
mod lifecycle;
mod manifests;
mod nodered;
mod nodered_hostile;
mod read_only;
mod remotes;
mod schedule;
mod secrets;
mod servers;
mod settings;
mod signals;
mod terminal;
