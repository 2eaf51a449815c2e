//! The policy language never panics: any JSON document (or JSON string holding one) is read
//! as statements or refused as malformed, and every question rules ask of statements answers.
//!
//! The policy analysis under test is `onus::analyze::iam::policy` (with `questions`); to fuzz another implementation,
//! change `check` alone.

#![no_main]

use libfuzzer_sys::fuzz_target;
use onus::analyze::iam::{policy, questions};
use serde_json::Value;

fn check(doc: &Value) {
    if let Ok(statements) = policy::statements(doc) {
        let _ = questions::full_admin_statements(&statements);
        let _ = questions::public_statements(&statements);
        let _ = questions::denies_insecure_transport(&statements);
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = serde_json::from_slice::<Value>(data) else {
        // Not JSON: as a string, the way collectors keep a document that does not parse.
        check(&Value::String(String::from_utf8_lossy(data).into_owned()));
        return;
    };
    check(&doc);
});
