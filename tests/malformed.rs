//! Malformed and hostile input files: snapshots (truncated, wrong types, unknown schema,
//! invalid UTF-8, a gigabyte of nesting), YAML bombs in snapshots, rules and waiver files,
//! malformed policy documents. Each is a clear error naming the file and position with exit
//! 2 (or, for a policy document inside a good snapshot, `not-assessed`), never a panic, and
//! never a half-written or clobbered output file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};
use support::{onus_in, stderr};

const SAMPLE: &str = include_str!("../samples/aws-demo.snapshot.json");

/// Exit 2, an error line naming `file`, no panic, and the output file left as it was.
#[track_caller]
fn refused(dir: &Path, file: &str, expect: &str) -> String {
    let report = dir.join("report.html");
    std::fs::write(&report, "previous report").unwrap();
    let out = onus_in(dir, &["evaluate", file, "-f", "html", "-o", "report.html"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{file}: {err}");
    assert!(!err.contains("panicked"), "{file}: {err}");
    assert!(err.starts_with("onus: error: "), "{file}: {err}");
    assert!(
        err.contains(file),
        "{file}: error does not name the file: {err}"
    );
    assert!(err.contains(expect), "{file}: expected {expect:?} in {err}");
    assert_eq!(
        std::fs::read_to_string(&report).unwrap(),
        "previous report",
        "{file}: a failed run touched the output file"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    err
}

#[test]
fn truncated_snapshots_are_refused_with_a_position() {
    let dir = tempfile::tempdir().unwrap();
    // Cut the sample at a spread of places, including inside strings and numbers.
    let len = SAMPLE.len();
    for (i, cut) in [1, 17, 100, len / 7, len / 3, len / 2, len - 2]
        .into_iter()
        .enumerate()
    {
        let name = format!("cut{i}.json");
        let mut cut = cut;
        while !SAMPLE.is_char_boundary(cut) {
            cut -= 1;
        }
        std::fs::write(dir.path().join(&name), &SAMPLE[..cut]).unwrap();
        let err = refused(dir.path(), &name, "");
        // file:line:column
        let rest = err.split(&format!("{name}:")).nth(1).unwrap_or_default();
        assert!(
            rest.split(':')
                .take(2)
                .all(|n| n.trim().parse::<u64>().is_ok()),
            "{name}: no line and column: {err}"
        );
    }
}

#[test]
fn wrong_types_and_unknown_versions_are_refused_with_a_position() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "\"accounts\": [",
            "\"accounts\": 5, \"x\": [",
            "accounts.json",
            "invalid snapshot",
        ),
        (
            "\"schema_version\": 1",
            "\"schema_version\": \"1\"",
            "version-string.json",
            "schema_version must be a number",
        ),
        (
            "\"schema_version\": 1",
            "\"schema_version\": 2",
            "version-new.json",
            "newer onus",
        ),
        (
            "\"schema_version\": 1",
            "\"schema_version\": 0",
            "version-old.json",
            "older onus",
        ),
        (
            "\"provider\": \"aws\"",
            "\"provider\": \"gcp\"",
            "provider.json",
            "invalid snapshot",
        ),
        (
            "\"collected_at\": \"",
            "\"collected_at\": \"yesterday",
            "time.json",
            "invalid snapshot",
        ),
    ];
    for (from, to, name, expect) in cases {
        assert!(SAMPLE.contains(from), "{from}");
        std::fs::write(dir.path().join(name), SAMPLE.replacen(from, to, 1)).unwrap();
        refused(dir.path(), name, expect);
    }
    std::fs::write(dir.path().join("empty.json"), "").unwrap();
    refused(dir.path(), "empty.json", "empty.json:1:");
    std::fs::write(dir.path().join("array.json"), "[]").unwrap();
    refused(dir.path(), "array.json", "invalid snapshot");
    std::fs::write(dir.path().join("binary.json"), b"{\"a\": \"\xff\xfe\"}").unwrap();
    refused(dir.path(), "binary.json", "cannot read snapshot");
}

#[test]
fn a_gigabyte_of_nesting_is_refused_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deep.json");
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        file.write_all(b"{\"schema_version\": 1, \"provider\": \"aws\", \"regions\": ")
            .unwrap();
        let chunk = vec![b'['; 1 << 20];
        for _ in 0..1024 {
            file.write_all(&chunk).unwrap();
        }
        file.flush().unwrap();
    }
    let started = Instant::now();
    refused(dir.path(), "deep.json", "deep.json:1:");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    std::fs::remove_file(&path).unwrap();

    // Nesting that closes again, past serde_json's recursion limit, in JSON and in YAML.
    let nested = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    std::fs::write(
        dir.path().join("closed.json"),
        SAMPLE.replacen("\"regions\": [", &format!("\"regions\": [{nested}, "), 1),
    )
    .unwrap();
    refused(dir.path(), "closed.json", "recursion limit");
    std::fs::write(
        dir.path().join("deep.yaml"),
        format!("schema_version: 1\nprovider: aws\nregions: {nested}\n"),
    )
    .unwrap();
    refused(dir.path(), "deep.yaml", "deep.yaml:");
}

/// Nine levels of ten aliases: 10^9 nodes once expanded.
fn billion_laughs(key: &str) -> String {
    let mut doc = String::from("a0: &a0 [\"lol\"]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        doc.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    doc.push_str(&format!("{key}: *a9\n"));
    doc
}

#[test]
fn billion_laughs_is_refused_quickly_in_snapshots_rules_and_waivers() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    std::fs::write(
        dir.path().join("bomb.yaml"),
        format!(
            "schema_version: 1\nprovider: aws\n{}",
            billion_laughs("regions")
        ),
    )
    .unwrap();
    refused(dir.path(), "bomb.yaml", "exceeds onus's YAML limits");

    // Rules and waiver files are typed throughout: the bomb's structure is refused before any
    // alias is expanded (src/yaml.rs tests the limits on untyped documents too).
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(rules.join("bomb-rule.yaml"), billion_laughs("references")).unwrap();
    let out = onus_in(dir.path(), &["evaluate", "--sample", "--rules", "rules"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("bomb-rule.yaml:1:1: "),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());

    std::fs::write(dir.path().join("waivers.yaml"), billion_laughs("waivers")).unwrap();
    let out = onus_in(
        dir.path(),
        &["evaluate", "--sample", "--config", "waivers.yaml"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("waivers.yaml:1:1: "),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());

    // A policy document is free-form JSON inside a typed snapshot: there the limit decides.
    let mut doc = String::from("schema_version: 1\nprovider: aws\naccounts: [\"111122223333\"]\n");
    doc.push_str("collected_at: 2026-11-01T00:00:00Z\ncollector: {name: t, version: \"1\"}\n");
    doc.push_str(
        "aws:\n  accounts:\n    - account_id: \"111122223333\"\n      iam:\n        policies:\n",
    );
    doc.push_str("          - document:\n");
    doc.push_str("              a0: &a0 [\"lol\"]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        doc.push_str(&format!("              a{i}: &a{i} [{refs}]\n"));
    }
    std::fs::write(dir.path().join("policy-bomb.yaml"), doc).unwrap();
    refused(dir.path(), "policy-bomb.yaml", "exceeds onus's YAML limits");

    assert!(
        started.elapsed() < Duration::from_secs(10),
        "three bombs took {:?}",
        started.elapsed()
    );
}

#[test]
fn malformed_rules_are_refused_with_a_position() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    let good = "id: my-rule\ntitle: t\nseverity: low\nkind: aws.iam.user\nlayer: identity\n\
                description: d\nrationale: r\nremediation: x\nreferences: [internal]\n\
                fails_when: password_enabled\n";
    let cases = [
        (
            good.replace("severity: low", "severity: [low"),
            "my-rule.yaml:",
        ),
        (
            good.replace("severity: low", "severity: 7"),
            "my-rule.yaml:3:",
        ),
        (
            good.replace(
                "fails_when: password_enabled",
                "fails_when: password_enabled and (",
            ),
            "my-rule.yaml:10:",
        ),
        (
            good.replace("fails_when: password_enabled", "fails_when: no_such_field"),
            "my-rule.yaml:10:",
        ),
        (
            good.replace("kind: aws.iam.user", "kind: aws.nothing"),
            "my-rule.yaml:4:",
        ),
        (format!("{good}\u{0}"), "my-rule.yaml:"),
        (String::new(), "my-rule.yaml"),
    ];
    for (text, expect) in cases {
        std::fs::write(rules.join("my-rule.yaml"), &text).unwrap();
        let out = onus_in(dir.path(), &["evaluate", "--sample", "--rules", "rules"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{text:?}: {err}");
        assert!(
            err.contains(expect),
            "{text:?}: expected {expect:?} in {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn malformed_policy_documents_are_not_assessed_never_passed() {
    let dir = tempfile::tempdir().unwrap();
    let mut snapshot: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
    // Policies attached somewhere: the rule reads the document of those only.
    let mut policies: Vec<&mut serde_json::Value> =
        snapshot["aws"]["accounts"][0]["iam"]["policies"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .filter(|p| p["attachment_count"].as_u64().unwrap_or(0) > 0)
            .collect();
    assert!(policies.len() >= 4);
    let bad_documents = [
        serde_json::json!("{\"Statement\": [{\"Effect\": \"Allow\", "),
        serde_json::json!({"Statement": 5}),
        serde_json::json!({"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}),
        serde_json::json!({"Statement": [{"Effect": "Allow", "Action": {"a": 1}, "Resource": "*"}]}),
    ];
    let mut names = Vec::new();
    for (policy, doc) in policies.iter_mut().zip(bad_documents) {
        policy["document"] = doc;
        names.push(policy["arn"].as_str().unwrap().to_owned());
    }
    std::fs::write(dir.path().join("bad-policies.json"), snapshot.to_string()).unwrap();
    let out = onus_in(dir.path(), &["evaluate", "bad-policies.json", "-f", "json"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("malformed policy document"), "{err}");
    let results: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for arn in &names {
        let on_it: Vec<&serde_json::Value> = results["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| {
                r["resource"]["id"] == arn.as_str() && r["rule"] == "aws-iam-policy-full-admin"
            })
            .collect();
        assert_eq!(on_it.len(), 1, "{arn}");
        assert_eq!(on_it[0]["status"], "not-assessed", "{arn}: {:#}", on_it[0]);
    }
}
