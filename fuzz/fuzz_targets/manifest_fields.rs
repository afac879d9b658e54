//! The field checkers of manifests that read repository strings directly:
//! cron schedules, durations, and `--compile` globs matched against
//! repository paths (the glob is host configuration, the path is not).
#![no_main]

use gitsync::layout::manifests::{check_cron, duration_ms, glob_matches};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = check_cron(text);
    if let Ok(ms) = duration_ms(text) {
        // A duration is at least one `<number><unit>`, so it names a digit.
        assert!(text.bytes().any(|b| b.is_ascii_digit()), "{text:?} -> {ms}");
    }
    // First line the glob, the rest the path.
    let (glob, path) = text.split_once('\n').unwrap_or((text, ""));
    let _ = glob_matches(glob, path);
});
