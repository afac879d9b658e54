//! The integration tests: one binary that drives the real `gitsync`
//! executable against git repos built at test time.

mod docs;
mod fleet;
mod harness;
mod hooks;
mod hostile;
mod lifecycle;
mod manifests;
mod nodered;
mod remotes;
mod schedule;
mod servers;
mod settings;
mod terminal;
