//! YAML reading with serde-saphyr: positions in errors and explicit limits (size, nesting,
//! events, aliases) so that hostile YAML fails fast instead of exhausting memory or time.

use serde::Deserialize;

/// A YAML error with a 1-based position (0 when the parser could not tell).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: u64,
    pub column: u64,
    pub message: String,
}

/// What a document is allowed to cost. Every YAML document onus reads is one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limits {
    /// Rules, waiver files, matrices: small, hand-written documents.
    Config,
    /// Snapshots and rule fixtures: machine-written, possibly large, never with aliases of
    /// any size.
    Snapshot,
}

impl Limits {
    /// Largest accepted input, in bytes.
    pub fn max_bytes(self) -> usize {
        match self {
            Limits::Config => 4 * 1024 * 1024,
            Limits::Snapshot => 2 * 1024 * 1024 * 1024,
        }
    }

    fn options(self) -> serde_saphyr::Options {
        let mut budget = serde_saphyr::Budget::default();
        let mut options = serde_saphyr::Options::default();
        match self {
            Limits::Config => {
                budget.max_depth = 32;
                budget.flow_nesting_limit = 32;
                budget.max_events = 200_000;
                budget.max_nodes = 100_000;
                budget.max_aliases = 1_000;
                budget.max_anchors = 1_000;
                budget.max_recorded_anchor_events = 10_000;
                budget.max_total_scalar_bytes = self.max_bytes();
                budget.max_documents = 1;
                options.alias_limits.max_total_replayed_events = 10_000;
            }
            Limits::Snapshot => {
                // A snapshot of a large account is tens of millions of events; its nesting
                // is shallow (account, service, resource, policy document, condition).
                budget.max_depth = 64;
                budget.flow_nesting_limit = 64;
                budget.max_events = 100_000_000;
                budget.max_nodes = 50_000_000;
                budget.max_aliases = 10_000;
                budget.max_anchors = 10_000;
                budget.max_recorded_anchor_events = 100_000;
                budget.max_total_scalar_bytes = self.max_bytes();
                budget.max_documents = 1;
                options.alias_limits.max_total_replayed_events = 100_000;
            }
        }
        budget.max_inclusion_depth = 0;
        options.alias_limits.max_replay_stack_depth = 16;
        options.budget = Some(budget);
        options.with_snippet = false;
        options
    }
}

/// Deserialises a rule, waiver or matrix document ([`Limits::Config`]), refusing duplicate
/// keys.
pub fn from_str<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, YamlError> {
    from_str_limited(text, Limits::Config)
}

/// Deserialises YAML within `limits`, refusing duplicate keys.
pub fn from_str_limited<T: for<'de> Deserialize<'de>>(
    text: &str,
    limits: Limits,
) -> Result<T, YamlError> {
    if text.len() > limits.max_bytes() {
        return Err(YamlError {
            line: 0,
            column: 0,
            message: format!(
                "document is {} bytes, more than the {}-byte limit",
                text.len(),
                limits.max_bytes()
            ),
        });
    }
    serde_saphyr::from_str_with_options(text, limits.options()).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((0, 0));
        YamlError {
            line,
            column,
            message: clean_message(&e.to_string()),
        }
    })
}

/// Drops the position suffix the library adds (callers print the position themselves) and
/// says in words when a limit refused the document.
fn clean_message(message: &str) -> String {
    let first = message.lines().next().unwrap_or(message).trim();
    let first = match first.find(" at line ") {
        Some(i) => &first[..i],
        None => first,
    };
    match first.strip_prefix("budget breached: ") {
        Some(breach) => format!(
            "refused: the document exceeds onus's YAML limits on size, nesting and alias \
             expansion ({breach})"
        ),
        None => first.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::time::{Duration, Instant};

    use super::*;

    type Any = BTreeMap<String, serde_json::Value>;

    /// The classic "billion laughs": nine levels of ten aliases each, 10^9 strings.
    fn billion_laughs() -> String {
        let mut doc = String::from("a0: &a0 [\"lol\"]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            doc.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        doc
    }

    #[test]
    fn billion_laughs_is_refused_quickly_under_every_limit() {
        let doc = billion_laughs();
        for limits in [Limits::Config, Limits::Snapshot] {
            let started = Instant::now();
            let err = from_str_limited::<Any>(&doc, limits).unwrap_err();
            assert!(
                started.elapsed() < Duration::from_secs(2),
                "{limits:?}: took {:?}",
                started.elapsed()
            );
            assert!(
                err.message.contains("exceeds onus's YAML limits"),
                "{limits:?}: unclear message: {}",
                err.message
            );
        }
    }

    #[test]
    fn deep_nesting_is_refused_in_block_and_flow_style() {
        let flow = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let mut block = String::new();
        for depth in 0..200 {
            block.push_str(&" ".repeat(depth));
            block.push_str("k:\n");
        }
        for doc in [flow, block] {
            for limits in [Limits::Config, Limits::Snapshot] {
                let err = from_str_limited::<Any>(&doc, limits).unwrap_err();
                assert!(!err.message.is_empty());
            }
        }
    }

    #[test]
    fn oversized_documents_are_refused_before_parsing() {
        let doc = format!("a: \"{}\"\n", "x".repeat(Limits::Config.max_bytes()));
        let err = from_str::<Any>(&doc).unwrap_err();
        assert!(err.message.contains("byte limit"), "{}", err.message);
        // The same text is an ordinary snapshot-sized document.
        assert!(from_str_limited::<Any>(&doc, Limits::Snapshot).is_ok());
    }

    #[test]
    fn ordinary_aliases_and_duplicate_keys() {
        let ok: Any = from_str("a: &x [1, 2]\nb: *x\n").unwrap();
        assert_eq!(ok["b"], serde_json::json!([1, 2]));
        let err = from_str::<Any>("a: 1\na: 2\n").unwrap_err();
        assert_eq!(err.line, 2, "{}", err.message);
    }

    #[test]
    fn several_documents_are_refused() {
        let err = from_str::<Any>("a: 1\n---\nb: 2\n").unwrap_err();
        assert!(!err.message.is_empty());
    }
}
