//! The JSON readers: `json_without_duplicates` (manifests) must agree with
//! serde_json except that it refuses duplicate keys, and `parse_json`
//! (nodered) must agree with it on text without a byte order mark.
#![no_main]

use gitsync::layout::json_without_duplicates;
use gitsync::layout::nodered::parse_json;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let strict = json_without_duplicates(data);
    let plain = serde_json::from_slice::<Value>(data);
    match (&strict, &plain) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "the strict reader changed the value"),
        (Ok(_), Err(e)) => panic!("the strict reader accepted what serde_json refuses: {e}"),
        (Err(e), Ok(_)) => assert!(
            e.to_string().contains("duplicate key"),
            "the strict reader refused valid JSON: {e}"
        ),
        (Err(_), Err(_)) => {}
    }
    let nodered = parse_json(data);
    // It strips a byte order mark and reads blank text as null.
    let plain_text = std::str::from_utf8(data)
        .is_ok_and(|t| !t.starts_with('\u{feff}') && !t.trim().is_empty());
    if let Ok(value) = &nodered
        && plain_text
    {
        assert_eq!(strict.as_ref().ok(), Some(value), "nodered read JSON differently");
    }
    if let Err(err) = nodered {
        assert!(!err.contains('\n'), "a multi-line error: {err:?}");
    }
});
