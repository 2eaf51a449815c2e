//! The README documents what the code declares: every field a view derives is named there.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use onus::analyze::kinds;
use onus::snapshot::kind;

#[test]
fn every_derived_iam_field_is_in_the_readme() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let mut missing = Vec::new();
    for name in [
        kind::AWS_IAM_USER,
        kind::AWS_IAM_ROLE,
        kind::AWS_IAM_ACCOUNT,
    ] {
        let k = kinds::get(name).unwrap();
        let derived: Vec<&String> = k.fields().iter().filter(|f| k.doc(f).is_some()).collect();
        assert!(!derived.is_empty(), "{name} declares no derived field");
        for field in derived {
            if !readme.contains(&format!("`{field}`")) {
                missing.push(format!("{name}.{field}"));
            }
        }
    }
    assert!(missing.is_empty(), "not in the README: {missing:?}");
}
