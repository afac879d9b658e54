//! What every layout target asserts about a parse, whatever the input: it
//! returns (libFuzzer catches panics, hangs and memory blow-ups), its result
//! is bounded by the input, and its error renders one escaped line per
//! problem, so repository text can never reach a terminal raw.

use gitsync::layout::fuzzing::{MAX_EXPANDED_BYTES, MAX_NODES};
use gitsync::layout::{LayoutError, MemFiles};
use gitsync::model::DesiredState;

/// Splits the input into at most `max` files at 0xFF bytes (a byte valid
/// UTF-8 never holds, so it separates text files without stealing from them).
#[allow(dead_code)] // fleet reads one file
pub fn split(data: &[u8], max: usize) -> Vec<&[u8]> {
    data.splitn(max, |&b| b == 0xFF).collect()
}

/// An in-memory repository at `base` with `names[i]` holding `parts[i]`.
pub fn files(base: &str, names: &[&str], parts: &[&[u8]]) -> MemFiles {
    names
        .iter()
        .zip(parts)
        .fold(MemFiles::new(base), |files, (name, content)| {
            let path = if base.is_empty() {
                (*name).to_string()
            } else {
                format!("{base}/{name}")
            };
            files.with_file(&path, content.to_vec())
        })
}

/// Most output a parse may produce from `input_len` bytes in `file_count`
/// files: what alias expansion may add per file (text plus a little
/// punctuation per node), plus a generous linear allowance. Quadratic
/// growth, as when a long key is repeated in every problem below it, breaks
/// this long before the fuzzer's memory limit.
fn output_bound(input_len: usize, file_count: usize) -> usize {
    file_count * (MAX_EXPANDED_BYTES + 16 * MAX_NODES) + 64 * input_len + 65_536
}

/// Asserts the promises above about one parse.
pub fn check(result: Result<DesiredState, LayoutError>, input_len: usize, file_count: usize) {
    let bound = output_bound(input_len, file_count);
    match result {
        Ok(state) => {
            let size: usize = state
                .resources
                .iter()
                .map(|r| {
                    r.kind.len()
                        + r.name.len()
                        + serde_json::to_vec(&r.spec).map_or(0, |v| v.len())
                })
                .sum::<usize>()
                + state.warnings.iter().map(String::len).sum::<usize>();
            assert!(
                size <= bound,
                "{size} bytes of resources from {input_len} bytes of input (bound {bound})"
            );
        }
        Err(err) => {
            let text = err.to_string();
            assert!(
                text.len() <= bound,
                "a {}-byte error from {input_len} bytes of input (bound {bound})",
                text.len()
            );
            let lines: Vec<&str> = text.split('\n').collect();
            if let LayoutError::Invalid(problems) = &err {
                // The header line, then exactly one line per problem.
                assert_eq!(lines.len(), problems.len() + 1, "{text:?}");
            }
            for line in lines {
                assert!(
                    gitsync::text::first_unsafe_char(line).is_none(),
                    "raw control character in an error line: {line:?}"
                );
            }
        }
    }
}
