//! Baselines end to end, with the real binary: create, gate on new failures only, report
//! new and fixed, refuse bad files.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use support::{SAMPLE, onus, stderr};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Evaluates SAMPLE to `dir/r.json` and baselines it to `dir/b.json`.
fn baseline_of_sample(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let results = dir.join("r.json");
    let baseline = dir.join("b.json");
    let out = onus(&["evaluate", SAMPLE, "-f", "json", "-o", s(&results)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = onus(&["baseline", "create", s(&results), "-o", s(&baseline)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    (results, baseline)
}

fn failing_fingerprint(results: &serde_json::Value, rule: &str, name: &str) -> String {
    results["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == rule && r["resource"]["name"] == name && r["status"] == "fail")
        .unwrap_or_else(|| panic!("no failure of {rule} on {name}"))["fingerprint"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn baseline_holds_todays_failures_sorted() {
    let dir = tempfile::tempdir().unwrap();
    let (results, baseline) = baseline_of_sample(dir.path());
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(results).unwrap()).unwrap();
    let b: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(baseline).unwrap()).unwrap();
    assert_eq!(b["baseline_version"], 1);
    assert_eq!(
        b["created_from"]["collected_at"],
        results["snapshot"]["collected_at"]
    );
    assert_eq!(b["created_from"]["onus_version"], results["onus_version"]);
    let failures = b["failures"].as_array().unwrap();
    let failed = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "fail")
        .count();
    assert_eq!(failures.len(), failed);
    let fps: Vec<&str> = failures
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    let mut sorted = fps.clone();
    sorted.sort_unstable();
    assert_eq!(fps, sorted, "failures are not sorted by fingerprint");
    for f in failures {
        for key in ["fingerprint", "rule", "severity", "message"] {
            assert!(f[key].is_string(), "failure lacks {key}: {f}");
        }
        assert!(f["resource"]["id"].is_string() && f["resource"]["name"].is_string());
    }
}

#[test]
fn baseline_gates_only_new_failures() {
    let dir = tempfile::tempdir().unwrap();
    let (_, baseline) = baseline_of_sample(dir.path());
    let b: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    let known = b["failures"].as_array().unwrap().len();
    assert!(known > 0);

    let out = onus(&["evaluate", SAMPLE, "--fail-on", "high"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    let out = onus(&[
        "evaluate",
        SAMPLE,
        "--fail-on",
        "high",
        "--baseline",
        s(&baseline),
        "-f",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("baseline: 0 new, {known} baselined, 0 fixed")),
        "{err}"
    );
    assert!(err.contains("nothing new failed at or above high"), "{err}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["baseline"]["new"], serde_json::json!([]));
    assert_eq!(json["baseline"]["fixed"], serde_json::json!([]));
    assert_eq!(json["baseline"]["baselined"], known);
    for key in [
        "onus_version",
        "snapshot",
        "matrix",
        "results",
        "rules",
        "summary",
        "evaluation_issues",
    ] {
        assert!(json.get(key).is_some(), "results JSON lost {key}");
    }

    // Without --baseline the JSON has no baseline key.
    let out = onus(&["evaluate", SAMPLE, "-f", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json.get("baseline").is_none());
}

#[test]
fn new_and_fixed_failures_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (results, baseline) = baseline_of_sample(dir.path());
    let before: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(results).unwrap()).unwrap();
    let rule = "aws-iam-user-console-without-mfa";
    let fixed_fp = failing_fingerprint(&before, rule, "d.mccarthy");

    // j.tanaka loses her MFA device (a new failure); d.mccarthy gets one (fixed).
    let mut snap: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(SAMPLE).unwrap()).unwrap();
    let users = snap["aws"]["accounts"][0]["iam"]["users"]
        .as_array_mut()
        .unwrap();
    for user in users.iter_mut() {
        if user["name"] == "j.tanaka" {
            user["mfa_devices"] = serde_json::json!([]);
        }
        if user["name"] == "d.mccarthy" {
            user["mfa_devices"] = serde_json::json!([{
                "serial_number": "arn:aws:iam::111122223333:mfa/d.mccarthy-phone",
                "enable_date": "2026-10-30T09:00:00Z",
                "virtual_device": true
            }]);
        }
    }
    let modified = dir.path().join("modified.json");
    std::fs::write(&modified, serde_json::to_string_pretty(&snap).unwrap()).unwrap();

    let out = onus(&[
        "evaluate",
        s(&modified),
        "--fail-on",
        "high",
        "--baseline",
        s(&baseline),
        "-f",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let after: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let new_fp = failing_fingerprint(&after, rule, "j.tanaka");
    let new: Vec<&str> = after["baseline"]["new"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(new.contains(&new_fp.as_str()), "{new:?}");
    assert!(!new.contains(&fixed_fp.as_str()));
    let fixed = after["baseline"]["fixed"].as_array().unwrap();
    let entry = fixed
        .iter()
        .find(|f| f["fingerprint"] == fixed_fp.as_str())
        .unwrap_or_else(|| panic!("d.mccarthy not fixed: {fixed:?}"));
    assert_eq!(entry["rule"], rule);
    assert_eq!(entry["resource"]["name"], "d.mccarthy");
    assert!(entry["resource"]["id"].is_string());

    let err = stderr(&out);
    let summary = format!(
        "baseline: {} new, {} baselined, {} fixed",
        new.len(),
        after["baseline"]["baselined"],
        fixed.len()
    );
    assert!(err.contains(&summary), "{err}");
    assert!(err.contains("new failed at or above high"), "{err}");
}

#[test]
fn bad_baseline_file_exits_2_with_position_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\n  \"baseline_version\": 1,\n  \"failures\": [}\n").unwrap();
    let report = dir.path().join("report.json");
    let out = onus(&[
        "evaluate",
        SAMPLE,
        "--baseline",
        s(&bad),
        "-f",
        "json",
        "-o",
        s(&report),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("bad.json:3:"), "{err}");
    assert!(!report.exists(), "a failed run wrote a report");

    let future = dir.path().join("future.json");
    std::fs::write(&future, r#"{"baseline_version": 9}"#).unwrap();
    let out = onus(&["evaluate", SAMPLE, "--baseline", s(&future)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("baseline_version 9"),
        "{}",
        stderr(&out)
    );

    let missing = dir.path().join("missing.json");
    let out = onus(&["evaluate", SAMPLE, "--baseline", s(&missing)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing.json"), "{}", stderr(&out));
}

#[test]
fn baseline_of_a_non_results_file_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("b.json");
    // A snapshot is JSON, but not results.
    let out = onus(&["baseline", "create", SAMPLE, "-o", s(&out_path)]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("aws-demo.snapshot.json:"), "{err}");
    assert!(err.contains("missing field"), "{err}");
    assert!(!out_path.exists());

    let not_json = dir.path().join("r.json");
    std::fs::write(&not_json, "results:\n  - nope\n").unwrap();
    let out = onus(&["baseline", "create", s(&not_json), "-o", s(&out_path)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("r.json:1:1"), "{}", stderr(&out));
    assert!(!out_path.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "a temporary file was left behind"
    );
}
