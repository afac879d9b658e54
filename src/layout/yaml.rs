//! Loading repository YAML as plain data with explicit resource budgets,
//! shared by every layout that reads YAML.
//!
//! `serde-saphyr` does the parsing; this module fixes its options so that a
//! hostile document (alias bombs, deep nesting, object-building tags,
//! unexpected extra documents, duplicate keys) fails fast with a one-line
//! message, and builds the [`Value`] through a seed that also bounds how much
//! text alias expansion may produce (the parser's own budgets count events,
//! not bytes).

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::{DuplicateKeyPolicy, Error, NonFiniteFloatPolicy};
use std::cell::Cell;
use std::fmt;

/// Deepest nesting of sequences and mappings accepted.
pub const MAX_DEPTH: usize = 64;
/// Events alias replay may inject in total. A billion-laughs document trips
/// this within milliseconds; a few hundred aliases of ordinary anchors use a
/// few thousand.
pub const MAX_REPLAYED_EVENTS: usize = 100_000;
/// Alias (`*ref`) occurrences accepted in one document.
pub const MAX_ALIASES: usize = 10_000;
/// Nodes after alias expansion.
pub const MAX_NODES: usize = 250_000;
/// Bytes of scalar and key text after alias expansion: eight times the
/// largest file, so one big string aliased thousands of times cannot
/// exhaust memory while the event budgets are still far away.
pub const MAX_EXPANDED_BYTES: usize = 8 * 1024 * 1024;
/// Documents accepted in one multi-document file ([`load_all`]).
pub const MAX_DOCUMENTS: usize = 1_000;

fn options(max_documents: usize) -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            // With [`load`], a second document is refused rather than
            // silently ignored.
            max_documents: max_documents,
            max_nodes: MAX_NODES,
            max_aliases: MAX_ALIASES,
            max_anchors: MAX_ALIASES,
            max_merge_keys: MAX_ALIASES,
            // The default heuristic (more than 10 aliases per anchor once 100
            // aliases are seen) rejects harmless files that alias one shared
            // block many times; the absolute bounds above already stop bombs.
            enforce_alias_anchor_ratio: false,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: MAX_REPLAYED_EVENTS,
            max_replay_stack_depth: MAX_DEPTH,
        },
        duplicate_keys: DuplicateKeyPolicy::Error,
        // Without this, unknown tags such as `!!python/object` are dropped
        // and the tagged node read as plain data, hiding the author's intent.
        reject_unsupported_tags: true,
        // YAML 1.2 booleans only: `no`, `off`, `yes` stay strings, so a
        // config value like `country: no` is not silently turned into false.
        strict_booleans: true,
        // serde_json would turn `.nan`/`.inf` into null without a word.
        non_finite_float_policy: NonFiniteFloatPolicy::Reject,
        // Errors become one-line problems; the snippet renderer is multi-line.
        with_snippet: false,
        emit_comments: false,
    }
}

/// Parse one YAML document into a JSON value. An empty document (or one
/// holding only comments or `null`) is `Value::Null`. The error is a one-line
/// message with the line and column when the parser knows them.
pub(crate) fn load(text: &str) -> Result<Value, String> {
    let used = Cell::new(0usize);
    let exceeded = Cell::new(false);
    let result = serde_saphyr::with_deserializer_from_str_with_options(text, options(1), |de| {
        BoundedValue {
            used: &used,
            exceeded: &exceeded,
        }
        .deserialize(de)
    });
    result.map_err(|err| explain(&err, exceeded.get(), 1))
}

/// Parse every document of a YAML stream (`---`-separated), in order, with
/// the same budgets as [`load`] applied to the whole file. Empty documents
/// (nothing, only comments, or `null`) are skipped, so an empty file is an
/// empty list.
pub(crate) fn load_all(text: &str) -> Result<Vec<Value>, String> {
    STREAM_BUDGET.with(|budget| {
        budget.used.set(0);
        budget.exceeded.set(false);
    });
    let result = serde_saphyr::from_str_multiple_with_options::<StreamDocument, Vec<_>>(
        text,
        options(MAX_DOCUMENTS),
    );
    let exceeded = STREAM_BUDGET.with(|budget| budget.exceeded.get());
    result
        .map(|docs| docs.into_iter().map(|d| d.0).collect())
        .map_err(|err| explain(&err, exceeded, MAX_DOCUMENTS))
}

/// The expansion budget of the stream [`load_all`] is reading. The
/// multi-document API deserializes each document through `Deserialize`
/// rather than a seed, so the shared counter lives beside the thread.
struct StreamBudget {
    used: Cell<usize>,
    exceeded: Cell<bool>,
}

thread_local! {
    static STREAM_BUDGET: StreamBudget = const {
        StreamBudget {
            used: Cell::new(0),
            exceeded: Cell::new(false),
        }
    };
}

/// One document of a stream, built by [`BoundedValue`] against [`STREAM_BUDGET`].
struct StreamDocument(Value);

impl<'de> Deserialize<'de> for StreamDocument {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        STREAM_BUDGET.with(|budget| {
            BoundedValue {
                used: &budget.used,
                exceeded: &budget.exceeded,
            }
            .deserialize(deserializer)
            .map(StreamDocument)
        })
    }
}

/// The one-line message for a failed load.
fn explain(err: &Error, expansion_exceeded: bool, max_documents: usize) -> String {
    {
        if expansion_exceeded {
            with_location(
                format!(
                    "YAML alias expansion budget exceeded: the document expands to more than {MAX_EXPANDED_BYTES} bytes of text"
                ),
                err,
            )
        } else {
            describe(err, max_documents)
        }
    }
}

/// Unwrap the alias and snippet wrappers to the error that happened.
fn original(mut err: &Error) -> &Error {
    loop {
        match err {
            Error::AliasError { error, .. } | Error::WithSnippet { error, .. } => err = error,
            other => return other,
        }
    }
}

fn with_location(message: String, err: &Error) -> String {
    match err.location() {
        Some(loc) if loc.line() > 0 => {
            format!("{message} (line {}, column {})", loc.line(), loc.column())
        }
        _ => message,
    }
}

/// A message an operator can act on, for the errors a hostile or mistyped
/// file produces; anything else keeps the crate's own wording, which already
/// ends with the line and column.
fn describe(err: &Error, max_documents: usize) -> String {
    let message = match original(err) {
        Error::MultipleDocuments { .. }
        | Error::Budget {
            breach: BudgetBreach::Documents { .. },
            ..
        } if max_documents == 1 => {
            "more than one YAML document; this file must hold exactly one".to_string()
        }
        Error::Budget {
            breach: BudgetBreach::Documents { .. },
            ..
        } => format!("more than {max_documents} YAML documents in one file"),
        Error::Budget {
            breach: BudgetBreach::Depth { .. },
            ..
        } => format!("YAML nesting deeper than {MAX_DEPTH} levels"),
        Error::AliasReplayLimitExceeded { .. }
        | Error::AliasExpansionLimitExceeded { .. }
        | Error::AliasReplayCounterOverflow { .. } => format!(
            "YAML alias expansion budget exceeded: aliases expand to more than {MAX_REPLAYED_EVENTS} events"
        ),
        Error::AliasReplayStackDepthExceeded { .. } => format!(
            "YAML alias expansion budget exceeded: aliases nest deeper than {MAX_DEPTH} levels"
        ),
        Error::Budget {
            breach:
                BudgetBreach::Aliases { .. }
                | BudgetBreach::Anchors { .. }
                | BudgetBreach::MergeKeys { .. },
            ..
        } => format!(
            "YAML alias expansion budget exceeded: more than {MAX_ALIASES} aliases, anchors or merge keys"
        ),
        Error::Budget {
            breach: BudgetBreach::Nodes { .. },
            ..
        } => {
            format!("YAML node budget exceeded: more than {MAX_NODES} nodes after alias expansion")
        }
        Error::Budget { breach, .. } => format!("YAML budget exceeded: {breach:?}"),
        Error::DuplicateMappingKey { key, .. } => match key {
            Some(key) => format!("duplicate key {}", super::quote(key)),
            None => "duplicate mapping key".to_string(),
        },
        Error::UnsupportedTag { tag, .. } => format!(
            "YAML tag {} is not allowed; repository YAML is plain data (mappings, sequences, scalars)",
            super::quote(tag)
        ),
        Error::NullIntoString { .. } => "a mapping key is null; keys must be strings".to_string(),
        Error::NonFiniteFloat { value, .. } => {
            format!("'{value}' is not a finite number; quote it if it is meant as a string")
        }
        _ => return format!("invalid YAML: {err}"),
    };
    with_location(message, err)
}

/// Builds a [`Value`] like `serde_json::Value`'s own `Deserialize`, while
/// counting the text it materialises (alias replays included).
#[derive(Clone, Copy)]
struct BoundedValue<'a> {
    used: &'a Cell<usize>,
    exceeded: &'a Cell<bool>,
}

impl BoundedValue<'_> {
    fn charge<E: de::Error>(&self, bytes: usize) -> Result<(), E> {
        let total = self.used.get().saturating_add(bytes);
        self.used.set(total);
        if total > MAX_EXPANDED_BYTES {
            self.exceeded.set(true);
            return Err(E::custom("YAML alias expansion budget exceeded"));
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for BoundedValue<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// Mapping keys, charged like any other text.
struct BoundedKey<'a>(BoundedValue<'a>);

impl<'de> DeserializeSeed<'de> for BoundedKey<'_> {
    type Value = String;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        let key = String::deserialize(deserializer)?;
        self.0.charge(key.len())?;
        Ok(key)
    }
}

impl<'de> Visitor<'de> for BoundedValue<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        self.charge(1)?;
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        self.charge(8)?;
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        self.charge(8)?;
        Ok(Value::Number(v.into()))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        match i64::try_from(v) {
            Ok(v) => self.visit_i64(v),
            Err(_) => Err(E::custom(format!("integer {v} is out of range"))),
        }
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) => Err(E::custom(format!("integer {v} is out of range"))),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        self.charge(8)?;
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom(format!("float {v} is not a finite number")))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.charge(v.len())?;
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        self.charge(v.len())?;
        Ok(Value::String(v))
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key_seed(BoundedKey(self))? {
            let value = map.next_value_seed(self)?;
            // The parser already refuses duplicate keys (DuplicateKeyPolicy::Error).
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duplicate_key_with_newlines_is_reported_on_one_line() {
        let err = load("\"a\\nb\": 1\n\"a\\nb\": 2\n").unwrap_err();
        assert!(!err.contains('\n'), "{err:?}");
        assert!(err.starts_with(r"duplicate key 'a\nb' (line 2"), "{err}");
        let err = load_all(&format!("{k}: 1\n{k}: 2\n", k = "k".repeat(5000))).unwrap_err();
        assert!(err.len() < 200, "{err}");
    }
}
