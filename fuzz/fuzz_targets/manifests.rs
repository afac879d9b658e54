//! Up to four manifest files (YAML streams and JSON) through the manifests
//! layout, DAG and cron checks included, as a sync reads them.
#![no_main]

#[path = "common.rs"]
mod common;

use gitsync::layout::{LayoutOptions, manifests};
use libfuzzer_sys::fuzz_target;

/// File names by position: both YAML extensions, JSON, a folder, and a
/// hidden file the layout must skip.
const NAMES: [&str; 5] = [
    "dag.yaml",
    "items.json",
    "jobs/nightly.yml",
    "second.yaml",
    ".ci.yaml",
];

fuzz_target!(|data: &[u8]| {
    let parts = common::split(data, NAMES.len());
    let files = common::files("", &NAMES[..parts.len()], &parts);
    let options = LayoutOptions {
        repo: "fuzz".into(),
        ..LayoutOptions::default()
    };
    common::check(
        manifests::parse(&files, &options),
        data.len(),
        parts.len(),
    );
});
