//! The YAML loader every layout uses, single- and multi-document: a result
//! or a one-line error, and a loaded value within the budgets the loader
//! promises (depth, nodes, expanded text, documents).
#![no_main]

use gitsync::layout::fuzzing::{
    MAX_DEPTH, MAX_DOCUMENTS, MAX_EXPANDED_BYTES, MAX_NODES, yaml_load, yaml_load_all,
};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// What a loaded value holds, as the budgets count it.
#[derive(Default)]
struct Size {
    nodes: usize,
    text: usize,
    depth: usize,
}

fn measure(value: &Value, depth: usize, size: &mut Size) {
    size.nodes += 1;
    size.depth = size.depth.max(depth);
    match value {
        Value::String(s) => size.text += s.len(),
        Value::Array(items) => items.iter().for_each(|v| measure(v, depth + 1, size)),
        Value::Object(map) => {
            for (k, v) in map {
                size.text += k.len();
                measure(v, depth + 1, size);
            }
        }
        _ => {}
    }
}

fn check_value(values: &[Value]) {
    let mut size = Size::default();
    for value in values {
        measure(value, 0, &mut size);
    }
    assert!(size.depth <= MAX_DEPTH, "nesting {} deep", size.depth);
    assert!(size.nodes <= MAX_NODES, "{} nodes", size.nodes);
    assert!(size.text <= MAX_EXPANDED_BYTES, "{} bytes of text", size.text);
}

fn check_error(err: &str, input_len: usize) {
    assert!(!err.contains('\n'), "a multi-line error: {err:?}");
    // Errors may quote the input (a key, a tag), never multiply it.
    assert!(
        err.len() <= 2 * input_len + 4096,
        "a {}-byte error from {input_len} bytes",
        err.len()
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match yaml_load(text) {
        Ok(value) => check_value(std::slice::from_ref(&value)),
        Err(err) => check_error(&err, text.len()),
    }
    match yaml_load_all(text) {
        Ok(values) => {
            assert!(values.len() <= MAX_DOCUMENTS, "{} documents", values.len());
            check_value(&values);
        }
        Err(err) => check_error(&err, text.len()),
    }
});
