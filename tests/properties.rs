//! Properties of the parsers, over generated input (the proptest versions of the fuzz targets
//! in fuzz/): snapshot, rule, waiver and policy reading never panics on arbitrary text or
//! JSON, errors carry the file and a position, and snapshots round-trip through JSON and YAML
//! whatever strings the scanned account put in them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::LazyLock;

use onus::analyze::iam::{policy, questions};
use onus::engine::Rule;
use onus::snapshot::{Snapshot, SnapshotFormat, load_str, to_string};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;

const SAMPLE: &str = include_str!("../samples/aws-demo.snapshot.json");
const RULE: &str = include_str!("../rules/aws/iam/aws-iam-user-console-without-mfa.yaml");

static SAMPLE_JSON: LazyLock<Value> = LazyLock::new(|| serde_json::from_str(SAMPLE).unwrap());

/// JSON pointers to every value in the sample snapshot.
static SAMPLE_POINTERS: LazyLock<Vec<String>> = LazyLock::new(|| {
    fn walk(v: &Value, at: String, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    walk(
                        child,
                        format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                        out,
                    );
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(child, format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
        out.push(at);
    }
    let mut out = Vec::new();
    walk(&SAMPLE_JSON, String::new(), &mut out);
    out
});

/// Words the parsers look for, mixed with arbitrary text.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Statement".to_owned()),
        Just("Effect".to_owned()),
        Just("Allow".to_owned()),
        Just("Deny".to_owned()),
        Just("Action".to_owned()),
        Just("NotAction".to_owned()),
        Just("Resource".to_owned()),
        Just("NotResource".to_owned()),
        Just("Principal".to_owned()),
        Just("NotPrincipal".to_owned()),
        Just("AWS".to_owned()),
        Just("Condition".to_owned()),
        Just("Bool".to_owned()),
        Just("aws:SecureTransport".to_owned()),
        Just("*".to_owned()),
        Just("s3:*".to_owned()),
        Just("iam:PassRole".to_owned()),
        Just("arn:aws:s3:::b/*".to_owned()),
        ".{0,12}",
    ]
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        word().prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((word(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// Text near the sample: a slice of it cut out, or something spliced in.
fn mutated(original: &'static str) -> impl Strategy<Value = String> {
    (any::<Index>(), any::<Index>(), ".{0,40}").prop_map(move |(a, b, insert)| {
        let boundary = |i: Index| {
            let mut at = i.index(original.len() + 1);
            while !original.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        let (from, to) = {
            let (x, y) = (boundary(a), boundary(b));
            (x.min(y), x.max(y).min(x.min(y) + 64))
        };
        let to = {
            let mut t = to;
            while !original.is_char_boundary(t) {
                t -= 1;
            }
            t
        };
        format!("{}{insert}{}", &original[..from], &original[to..])
    })
}

/// Loads `text` in `format`; an error must name the file and a line and column.
fn load_checked(text: &str, format: SnapshotFormat) -> Option<Snapshot> {
    match load_str(text, format, Path::new("p.snapshot")) {
        Ok(s) => Some(s),
        Err(e) => {
            let message = e.to_string();
            let mut parts = message.splitn(4, ':');
            assert_eq!(parts.next(), Some("p.snapshot"), "{message}");
            // Errors found before parsing (missing resources) have no position.
            if !message.contains("resources section") {
                assert!(
                    parts.next().is_some_and(|l| l.parse::<u64>().is_ok()),
                    "no line: {message}"
                );
                assert!(
                    parts.next().is_some_and(|c| c.parse::<u64>().is_ok()),
                    "no column: {message}"
                );
            }
            None
        }
    }
}

fn round_trips(snapshot: &Snapshot) {
    for format in [SnapshotFormat::Json, SnapshotFormat::Yaml] {
        let text = to_string(snapshot, format).unwrap();
        let again = load_str(&text, format, Path::new("again"))
            .unwrap_or_else(|e| panic!("{format:?}: a saved snapshot does not load: {e}"));
        assert_eq!(
            &again, snapshot,
            "{format:?} round trip changed the snapshot"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn snapshot_loading_never_panics_on_arbitrary_text(text in ".*") {
        load_checked(&text, SnapshotFormat::Json);
        load_checked(&text, SnapshotFormat::Yaml);
    }

    #[test]
    fn snapshot_loading_never_panics_on_a_damaged_sample(text in mutated(SAMPLE)) {
        if let Some(s) = load_checked(&text, SnapshotFormat::Json) {
            round_trips(&s);
        }
    }

    #[test]
    fn snapshot_loading_never_panics_when_any_value_is_replaced(at in any::<Index>(), value in json()) {
        let mut doc = SAMPLE_JSON.clone();
        let pointer = &SAMPLE_POINTERS[at.index(SAMPLE_POINTERS.len())];
        if let Some(slot) = doc.pointer_mut(pointer) {
            *slot = value;
        }
        let text = serde_json::to_string_pretty(&doc).unwrap();
        if let Some(s) = load_checked(&text, SnapshotFormat::Json) {
            round_trips(&s);
        }
    }

    #[test]
    fn snapshots_round_trip_whatever_strings_the_account_holds(name in "(?s).{0,64}", tag in "(?s).{0,64}", region in "(?s).{0,64}") {
        let mut doc = SAMPLE_JSON.clone();
        let user = &mut doc["aws"]["accounts"][0]["iam"]["users"][0];
        user["name"] = Value::String(name);
        let mut tags = serde_json::Map::new();
        tags.insert("owner".to_owned(), Value::String(tag.clone()));
        tags.insert(tag, Value::from("x"));
        user["tags"] = Value::Object(tags);
        doc["regions"] = serde_json::json!([region]);
        let snapshot = load_str(&doc.to_string(), SnapshotFormat::Json, Path::new("s.json")).unwrap();
        round_trips(&snapshot);
    }

    #[test]
    fn rule_loading_never_panics(text in prop_oneof![".*", mutated(RULE)]) {
        if let Err(e) = Rule::parse("rules/my-rule.yaml", &text) {
            prop_assert!(e.to_string().starts_with("rules/my-rule.yaml:"), "{}", e);
        }
    }

    #[test]
    fn waiver_loading_never_panics(text in ".*") {
        if let Err(e) = onus::gate::waiver::from_str(&text, Path::new("onus.yaml")) {
            prop_assert!(e.to_string().starts_with("onus.yaml"), "{}", e);
        }
    }

    #[test]
    fn policy_reading_never_panics(doc in json(), text in ".*") {
        for doc in [doc, Value::String(text)] {
            if let Ok(statements) = policy::statements(&doc) {
                let _ = questions::full_admin_statements(&statements);
                let _ = questions::public_statements(&statements);
                let _ = questions::denies_insecure_transport(&statements);
            }
        }
    }

    #[test]
    fn an_unconditional_allow_of_everything_is_always_full_admin(
        others in prop::collection::vec(json(), 0..4),
        at in any::<Index>(),
        as_string in any::<bool>(),
    ) {
        // Other statements that are themselves well formed.
        let mut list: Vec<Value> = others
            .into_iter()
            .map(|v| serde_json::json!({"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*", "Sid": v.to_string()}))
            .collect();
        let admin = serde_json::json!({"Effect": "Allow", "Action": "*", "Resource": "*"});
        list.insert(at.index(list.len() + 1), admin);
        let doc = serde_json::json!({"Version": "2012-10-17", "Statement": list});
        let doc = if as_string { Value::String(doc.to_string()) } else { doc };
        let statements = policy::statements(&doc).unwrap();
        prop_assert!(!questions::full_admin_statements(&statements).is_empty());
    }
}
