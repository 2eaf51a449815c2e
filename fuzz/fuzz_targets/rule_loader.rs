//! Rule loading never panics: arbitrary bytes as a rule file are a rule or an error with a
//! file and position.

#![no_main]

use libfuzzer_sys::fuzz_target;
use onus::engine::Rule;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(err) = Rule::parse("rules/fuzz-rule.yaml", text) {
        assert!(err.to_string().starts_with("rules/fuzz-rule.yaml:"));
    }
});
