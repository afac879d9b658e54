//! A Node-RED project (`package.json`, the flow file, the repo's node
//! catalog) through the nodered layout, as a sync reads it.
#![no_main]

#[path = "common.rs"]
mod common;

use gitsync::layout::{LayoutOptions, nodered};
use libfuzzer_sys::fuzz_target;

/// Files by position; `flows.json` is the default flow file, so a
/// `package.json` that names none still reaches the flow checks.
const NAMES: [&str; 3] = [
    nodered::PACKAGE_FILE,
    nodered::DEFAULT_FLOW_FILES[0],
    nodered::CATALOG_FILE,
];

fuzz_target!(|data: &[u8]| {
    let parts = common::split(data, NAMES.len());
    let files = common::files("project", &NAMES[..parts.len()], &parts);
    common::check(
        nodered::parse(&files, &LayoutOptions::default()),
        data.len(),
        parts.len(),
    );
});
