//! Waivers end to end, with the real binary: waived failures stay in the output but do not
//! close the gate; expired waivers do not waive; unmatched ones are reported; bad files are
//! refused with a position. Each run is in a temporary directory, so a stray onus.yaml
//! cannot interfere.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::stderr;

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/aws-demo.snapshot.json")
}

/// Runs `onus evaluate SAMPLE ARGS` in `dir`, with ONUS_TODAY set when `today` is given.
fn evaluate(dir: &Path, today: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_onus"));
    cmd.arg("evaluate")
        .arg(sample())
        .args(args)
        .current_dir(dir)
        .env_remove("ONUS_TODAY");
    if let Some(today) = today {
        cmd.env("ONUS_TODAY", today);
    }
    cmd.output().expect("run onus")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("JSON on standard output")
}

/// Waives every critical and high failure in the sample (the www bucket's until the end of
/// 2027-03-31).
const WAIVE_HIGH: &str = "\
waivers:
  - rule: aws-s3-bucket-public-*
    resource: \"arn:aws:s3:::*-www\"
    account: \"111122223333\"
    region: eu-west-1
    reason: static website, approved by the security team
    expires: 2027-03-31
    owner: platform-team
    ticket: SEC-123
  - rule: aws-iam-role-trust-allows-anyone
    resource: edi-partner-upload
    reason: partner upload role, trust reviewed
  - rule: aws-ec2-security-group-admin-ports-open-to-ipv?-internet
    reason: bastions
  - rule: aws-iam-policy-full-admin
    reason: ops
  - rule: aws-iam-user-console-without-mfa
    reason: mfa rollout
  - rule: aws-cloudtrail-trail-not-logging
    reason: legacy trail
  - rule: aws-s3-account-public-access-block-missing
    reason: website account
  - rule: aws-iam-privileged-*
    reason: identity programme
  - rule: aws-iam-admin-long-lived-user
    reason: identity programme
  - rule: aws-iam-user-holds-takeover-rights
    reason: identity programme
  - rule: aws-iam-user-privilege-escalation-path
    reason: identity programme
  - rule: aws-iam-role-trust-cross-account-without-external-id
    reason: organisation access role
  - rule: aws-iam-group-full-admin-attached
    reason: identity programme
  - rule: aws-iam-user-aws-admin-policy-attached
    reason: identity programme
";

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn waived_failures_do_not_close_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let out = evaluate(dir.path(), Some("2026-11-01"), &["--fail-on", "high"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    // The default file, onus.yaml in the working directory.
    write(dir.path(), "onus.yaml", WAIVE_HIGH);
    let out = evaluate(dir.path(), Some("2026-11-01"), &["--fail-on", "high"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("waivers: 36 waived, 0 expired, 0 matched nothing")
            && stderr(&out).contains("exit 0: nothing unwaived failed at or above high"),
        "{}",
        stderr(&out)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("WAIVED   aws-s3-bucket-public-acl  arn:aws:s3:::harbor-finch-www"),
        "{text}"
    );
    assert!(
        !text.contains("CRITICAL") && !text.contains("HIGH"),
        "{text}"
    );
    // Medium failures are not waived, and still fail a stricter gate.
    let out = evaluate(dir.path(), Some("2026-11-01"), &["--fail-on", "medium"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    // --config instead of the default file.
    let other = tempfile::tempdir().unwrap();
    let config = write(other.path(), "waivers.yaml", WAIVE_HIGH);
    let out = evaluate(
        other.path(),
        Some("2026-11-01"),
        &["--fail-on", "high", "--config", config.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn waived_results_stay_in_the_json_with_their_waiver() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "onus.yaml", WAIVE_HIGH);
    let out = evaluate(dir.path(), Some("2026-11-01"), &["-f", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let results = json(&out);
    let waived: Vec<&serde_json::Value> = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("waiver").is_some())
        .collect();
    // The 35 critical and high failures, and the www bucket's medium public-access-block one.
    assert_eq!(waived.len(), 36);
    assert!(waived.iter().all(|r| r["status"] == "fail"));
    let www = waived
        .iter()
        .find(|r| r["rule"] == "aws-s3-bucket-public-acl")
        .unwrap();
    assert_eq!(
        www["waiver"],
        serde_json::json!({
            "reason": "static website, approved by the security team",
            "owner": "platform-team",
            "ticket": "SEC-123",
            "expires": "2027-03-31",
            "index": 1
        })
    );
    // Every other field is still there.
    for key in [
        "rule",
        "status",
        "severity",
        "resource",
        "matrix",
        "message",
        "fingerprint",
    ] {
        assert!(www.get(key).is_some(), "{key} missing");
    }
    assert_eq!(
        results["waivers"],
        serde_json::json!({"waived": 36, "expired": [], "unmatched": []})
    );
    // Without a waiver file, neither key appears.
    let bare = tempfile::tempdir().unwrap();
    let plain = json(&evaluate(bare.path(), None, &["-f", "json"]));
    assert!(plain.get("waivers").is_none());
    assert!(
        plain["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r.get("waiver").is_none())
    );
}

#[test]
fn expired_waivers_do_not_waive() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "onus.yaml", WAIVE_HIGH);
    // The last day of the waiver still counts.
    let out = evaluate(dir.path(), Some("2027-03-31"), &["--fail-on", "high"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let out = evaluate(
        dir.path(),
        Some("2027-04-01"),
        &["--fail-on", "high", "-f", "json"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "waivers: 33 waived, 1 expired (#1 aws-s3-bucket-public-* expired 2027-03-31), 0 matched nothing"
        ) && stderr(&out).contains("exit 1: 2 unwaived failed at or above high"),
        "{}",
        stderr(&out)
    );
    let results = json(&out);
    assert_eq!(
        results["waivers"]["expired"],
        serde_json::json!([{"index": 1, "rule": "aws-s3-bucket-public-*", "expires": "2027-03-31", "matched": 3}])
    );
    let www = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "aws-s3-bucket-public-acl")
        .unwrap();
    assert_eq!(www["status"], "fail");
    assert!(www.get("waiver").is_none(), "{www}");
}

#[test]
fn unmatched_waivers_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{WAIVE_HIGH}  - rule: aws-s3-*\n    resource: arn:aws:s3:::legacy-*\n    reason: gone\n"
    );
    write(dir.path(), "onus.yaml", &text);
    let out = evaluate(dir.path(), Some("2026-11-01"), &["-f", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("1 matched nothing (#15)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        json(&out)["waivers"]["unmatched"],
        serde_json::json!([{"index": 15, "rule": "aws-s3-*"}])
    );
}

#[test]
fn waivers_combine_with_a_baseline() {
    let dir = tempfile::tempdir().unwrap();
    // Baseline everything but the www bucket's failures; waive those.
    let results = dir.path().join("r.json");
    let out = evaluate(
        dir.path(),
        None,
        &["-f", "json", "-o", results.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&results).unwrap()).unwrap();
    value["results"]
        .as_array_mut()
        .unwrap()
        .retain(|r| r["resource"]["name"] != "harbor-finch-www");
    std::fs::write(&results, value.to_string()).unwrap();
    let baseline = dir.path().join("b.json");
    let out = Command::new(env!("CARGO_BIN_EXE_onus"))
        .args(["baseline", "create"])
        .arg(&results)
        .arg("-o")
        .arg(&baseline)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let gate = [
        "--fail-on",
        "high",
        "--baseline",
        baseline.to_str().unwrap(),
    ];
    let out = evaluate(dir.path(), Some("2026-11-01"), &gate);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    write(
        dir.path(),
        "onus.yaml",
        "waivers:\n  - rule: \"*\"\n    resource: harbor-finch-www\n    reason: static website\n",
    );
    let out = evaluate(dir.path(), Some("2026-11-01"), &gate);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("exit 0: nothing new unwaived failed at or above high"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_waiver_files_exit_2_with_a_position() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "waivers:\n  - rule: aws-s3-*\n    reason: r\n    colour: red\n",
            "onus.yaml:4:5: invalid waiver file: unknown field `colour`",
        ),
        (
            "waivers:\n  - rule: aws-s3-*\n    owner: me\n",
            "invalid waiver file: missing field `reason`",
        ),
        (
            "waivers:\n  - rule: aws-s3-*\n    reason: \"\"\n",
            "onus.yaml:3:13: invalid waiver file: `reason` must not be empty",
        ),
        (
            "waivers:\n  - rule: aws-s3-*\n    reason: r\n    expires: 2027-02-30\n",
            "onus.yaml:4:14: invalid waiver file:",
        ),
        (
            "waivers:\n  - rule: aws-s3-[ab]\n    reason: r\n",
            "onus.yaml:2:11: invalid waiver file:",
        ),
        ("waivers: [\n", "onus.yaml:"),
    ];
    for (text, expected) in cases {
        write(dir.path(), "onus.yaml", text);
        let out = evaluate(dir.path(), None, &[]);
        assert_eq!(out.status.code(), Some(2), "{text}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(expected),
            "{text}: expected `{expected}` in {}",
            stderr(&out)
        );
        assert!(out.stdout.is_empty(), "{text}: a report was written");
    }
}

#[test]
fn missing_config_and_bad_today_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.yaml");
    let out = evaluate(dir.path(), None, &["--config", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("nope.yaml: cannot read"),
        "{}",
        stderr(&out)
    );

    write(dir.path(), "onus.yaml", WAIVE_HIGH);
    let out = evaluate(dir.path(), Some("31/03/2027"), &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("ONUS_TODAY=31/03/2027"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn waivers_match_on_tags() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "onus.yaml",
        "\
waivers:
  - rule: aws-s3-*
    tags:
      DataClass: public
      Owner: \"marketing@*\"
    reason: the public website bucket
  - rule: aws-s3-*
    tags:
      NoSuchTag: \"*\"
    reason: \"matches nothing, since no resource carries the tag\"
",
    );
    let out = evaluate(dir.path(), Some("2026-11-01"), &["-f", "json"]);
    let results = json(&out);
    let waived: Vec<&serde_json::Value> = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("waiver").is_some())
        .collect();
    assert!(!waived.is_empty());
    // Only the bucket tagged DataClass=public and owned by marketing.
    for r in &waived {
        assert_eq!(r["resource"]["id"], "arn:aws:s3:::harbor-finch-www", "{r}");
        assert_eq!(r["resource"]["tags"]["DataClass"], "public");
    }
    // Other S3 failures (untagged as public) stay unwaived.
    assert!(results["results"].as_array().unwrap().iter().any(|r| {
        r["status"] == "fail"
            && r["rule"].as_str().unwrap().starts_with("aws-s3-")
            && r.get("waiver").is_none()
    }));
    assert_eq!(
        results["waivers"]["unmatched"],
        serde_json::json!([{"index": 2, "rule": "aws-s3-*"}])
    );
}

/// The waiver report a run printed (`waivers: N waived, …`), up to the next `;` or line end.
/// Runs `onus ARGS` in `dir` on 2026-11-01.
fn onus_in(dir: &Path, args: &[&str]) -> Output {
    support::run(args, Some(dir), &[("ONUS_TODAY", "2026-11-01")])
}

fn waiver_line(out: &Output) -> String {
    let err = stderr(out);
    let at = err
        .find("waivers: ")
        .unwrap_or_else(|| panic!("no waiver report: {err}"));
    err[at..]
        .split([';', '\n'])
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn report_and_diff_apply_and_report_waivers_as_evaluate_does() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "onus.yaml", WAIVE_HIGH);
    let sample = sample();
    let sample = sample.to_str().unwrap();

    let evaluated = onus_in(dir.path(), &["evaluate", sample, "-f", "md"]);
    assert_eq!(evaluated.status.code(), Some(0), "{}", stderr(&evaluated));
    let expected = "waivers: 36 waived, 0 expired, 0 matched nothing";
    assert_eq!(waiver_line(&evaluated), expected);

    // `onus report` on the snapshot: the same waivers, the same report of them, the same
    // Markdown as `evaluate -f md` (which marks the waived failures).
    let reported = onus_in(dir.path(), &["report", sample, "-f", "md"]);
    assert_eq!(reported.status.code(), Some(0), "{}", stderr(&reported));
    assert_eq!(waiver_line(&reported), expected);
    assert_eq!(
        String::from_utf8_lossy(&reported.stdout),
        String::from_utf8_lossy(&evaluated.stdout)
    );
    let md = String::from_utf8_lossy(&reported.stdout);
    assert!(
        md.contains("waived"),
        "the Markdown marks no waived failure"
    );

    // `onus diff` of the snapshot against itself with a changed copy: each snapshot side
    // reports the waivers, and a waived new failure does not close the gate.
    let mut changed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sample).unwrap()).unwrap();
    let buckets = changed["aws"]["accounts"][0]["s3"]["buckets"]
        .as_array_mut()
        .unwrap();
    let mut copy = buckets
        .iter()
        .find(|b| b["name"] == "harbor-finch-www")
        .unwrap()
        .clone();
    copy["name"] = "harbor-finch-shop-www".into();
    copy["arn"] = "arn:aws:s3:::harbor-finch-shop-www".into();
    buckets.push(copy);
    let new = write(
        dir.path(),
        "new.json",
        &serde_json::to_string(&changed).unwrap(),
    );
    let diffed = onus_in(
        dir.path(),
        &["diff", sample, new.to_str().unwrap(), "--fail-on", "high"],
    );
    let err = stderr(&diffed);
    assert!(
        err.contains(&format!("{sample}: {expected}")),
        "the old side's waivers: {err}"
    );
    assert!(
        err.contains(&format!("{}: waivers: ", new.display())),
        "the new side's waivers: {err}"
    );
    // The copied bucket fails the public-ACL rules, which the *-www waiver accepts.
    assert!(err.contains("new,"), "{err}");
    assert_eq!(
        diffed.status.code(),
        Some(0),
        "waived new failures gated: {err}"
    );
    // Without the waivers, the same diff closes the gate.
    let bare = tempfile::tempdir().unwrap();
    let diffed = onus_in(
        bare.path(),
        &["diff", sample, new.to_str().unwrap(), "--fail-on", "high"],
    );
    assert_eq!(diffed.status.code(), Some(1), "{}", stderr(&diffed));
    assert!(!stderr(&diffed).contains("waivers:"), "{}", stderr(&diffed));
}

#[test]
fn a_results_json_is_reported_with_the_waivers_it_was_evaluated_with() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "w.yaml", WAIVE_HIGH);
    let sample = sample();
    let out = onus_in(
        dir.path(),
        &[
            "evaluate",
            sample.to_str().unwrap(),
            "-f",
            "json",
            "--config",
            config.to_str().unwrap(),
        ],
    );
    let results = write(
        dir.path(),
        "r.json",
        &String::from_utf8(out.stdout).unwrap(),
    );
    let out = onus_in(
        dir.path(),
        &[
            "report",
            results.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("reported with the waivers it was evaluated with"),
        "{}",
        stderr(&out)
    );
}
