//! `onus diff` with the real binary: two runs of the sample, before and after a change, as
//! snapshots and as results JSON; the Markdown as reviewed; gating on new failures; bad input.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;
use support::{onus, stderr};

use serde_json::{Value, json};

fn sample() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/aws-demo.snapshot.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The sample a week later: the website bucket's public ACL grant is gone, the invoices
/// archive bucket was deleted, and a new bucket copies the website bucket's settings.
fn changed_sample() -> Value {
    let mut s = sample();
    s["collected_at"] = json!("2026-11-02T09:30:00Z");
    let buckets = s["aws"]["accounts"][0]["s3"]["buckets"]
        .as_array_mut()
        .unwrap();
    let www = buckets
        .iter()
        .position(|b| b["name"] == "harbor-finch-www")
        .unwrap();
    let mut copy = buckets[www].clone();
    buckets[www]["acl"]["grants"]
        .as_array_mut()
        .unwrap()
        .retain(|g| g["grantee_type"] != "Group");
    copy["name"] = json!("harbor-finch-campaign-2027");
    copy["arn"] = json!("arn:aws:s3:::harbor-finch-campaign-2027");
    buckets.push(copy);
    buckets.retain(|b| b["name"] != "harbor-finch-invoices-archive");
    s
}

fn write(dir: &Path, name: &str, value: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(value).unwrap()).unwrap();
    path
}

fn diff(old: &Path, new: &Path, args: &[&str]) -> Output {
    let mut all = vec!["diff", old.to_str().unwrap(), new.to_str().unwrap()];
    all.extend_from_slice(args);
    onus(&all)
}

fn diff_json(old: &Path, new: &Path) -> Value {
    let out = diff(old, new, &["-f", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn resources(list: &Value) -> Vec<(String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["rule"].as_str().unwrap().to_owned(),
                e["resource"]["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn snapshots_and_their_results_give_the_same_drift() {
    let dir = tempfile::tempdir().unwrap();
    let old = write(dir.path(), "old.snapshot.json", &sample());
    let new = write(dir.path(), "new.snapshot.json", &changed_sample());
    let drift = diff_json(&old, &new);

    // Every failure of the new bucket is new; none of the others is.
    let new_failures = resources(&drift["new_failures"]);
    assert!(!new_failures.is_empty());
    assert!(
        new_failures
            .iter()
            .all(|(_, name)| name == "harbor-finch-campaign-2027"),
        "{new_failures:?}"
    );
    assert!(new_failures.contains(&(
        "aws-s3-bucket-public-acl".to_owned(),
        "harbor-finch-campaign-2027".to_owned()
    )));
    // The ACL fix passes now; the deleted bucket's failures are gone with it.
    let resolved = drift["resolved"].as_array().unwrap();
    assert!(
        resolved
            .iter()
            .any(|r| r["rule"] == "aws-s3-bucket-public-acl"
                && r["resource"]["name"] == "harbor-finch-www"
                && r["resolution"] == "passes")
    );
    assert!(
        resolved
            .iter()
            .any(|r| r["resource"]["name"] == "harbor-finch-invoices-archive"
                && r["resolution"] == "resource-gone")
    );
    assert!(resolved.iter().all(|r| {
        r["resource"]["name"] == "harbor-finch-www"
            || r["resource"]["name"] == "harbor-finch-invoices-archive"
    }));
    assert_eq!(drift["no_longer_assessed"], json!([]));
    assert_eq!(drift["old"]["collected_at"], "2026-11-01T09:30:00Z");
    assert_eq!(drift["new"]["collected_at"], "2026-11-02T09:30:00Z");
    let unchanged = drift["unchanged_failures"].as_u64().unwrap();
    assert_eq!(
        drift["new"]["failures"].as_u64().unwrap(),
        unchanged
            + drift["new_failures"].as_array().unwrap().len() as u64
            + drift["changed"].as_array().unwrap().len() as u64
    );

    // The same runs as results JSON give the same lists.
    for (snapshot, results) in [(&old, "old.results.json"), (&new, "new.results.json")] {
        let out = onus(&[
            "evaluate",
            snapshot.to_str().unwrap(),
            "-f",
            "json",
            "-o",
            dir.path().join(results).to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let from_results = diff_json(
        &dir.path().join("old.results.json"),
        &dir.path().join("new.results.json"),
    );
    for key in [
        "new_failures",
        "resolved",
        "changed",
        "no_longer_assessed",
        "unchanged_failures",
    ] {
        assert_eq!(from_results[key], drift[key], "{key}");
    }
}

#[test]
fn markdown_is_as_reviewed() {
    let dir = tempfile::tempdir().unwrap();
    let old = write(dir.path(), "old.json", &sample());
    let new = write(dir.path(), "new.json", &changed_sample());
    let run = || {
        let out = diff(&old, &new, &["-f", "md"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        String::from_utf8(out.stdout)
            .unwrap()
            .replace(dir.path().to_str().unwrap(), "DIR")
    };
    insta::assert_snapshot!(run());
}

#[test]
fn no_change_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let old = write(dir.path(), "old.json", &sample());
    let out = diff(&old, &old, &["--fail-on", "low"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("exit 0: no new unwaived failure at or above low (0 new, 0 resolved"),
        "{}",
        stderr(&out)
    );
    let out = diff(&old, &old, &["-f", "md"]);
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("No change in failures.")
    );
}

#[test]
fn fail_on_gates_on_new_failures_only() {
    let dir = tempfile::tempdir().unwrap();
    let old = write(dir.path(), "old.json", &sample());
    let new = write(dir.path(), "new.json", &changed_sample());
    // The sample itself has critical failures; only the new bucket's count here.
    let out = diff(&old, &new, &["--fail-on", "critical"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("exit 1: 2 new unwaived failures at or above critical"),
        "{}",
        stderr(&out)
    );
    // Reversed, the new bucket's failures are resolved (it is gone), and the website's
    // public ACL and the deleted bucket's failures are new.
    let out = diff(&new, &old, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("6 new, 6 resolved"),
        "{}",
        stderr(&out)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Resolved ("), "{text}");
    assert!(text.contains("[resource gone]"), "{text}");
}

#[test]
fn bad_input_exits_2_with_a_position_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.json", &sample());
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        "{\"onus_version\": \"0.1.0\", \"results\": [\n  {\"rule\": 3}\n]}",
    )
    .unwrap();
    let target = dir.path().join("drift.md");
    let out = diff(&good, &bad, &["-f", "md", "-o", target.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("bad.json:2:"),
        "no position: {}",
        stderr(&out)
    );
    assert!(!target.exists());
    let out = diff(&good, &dir.path().join("missing.json"), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing.json"), "{}", stderr(&out));
}
