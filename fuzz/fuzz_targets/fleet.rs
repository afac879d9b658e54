//! `fleet.yaml` through the fleet layout, as a sync reads it.
#![no_main]

#[path = "common.rs"]
mod common;

use gitsync::layout::{LiveNames, fleet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A few live resources, so references to undeclared ones take both
    // branches (known live, unknown).
    let mut live = LiveNames::default();
    live.insert("module", "nginx");
    live.insert("template", "base");
    let files = common::files("deploy", &["fleet.yaml"], &[data]);
    common::check(fleet::parse(&files, &live), data.len(), 1);
});
