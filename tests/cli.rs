//! The real binary, end to end: exit codes, error positions, determinism, outputs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use support::{SAMPLE, onus, stderr};

#[test]
fn sample_json_has_all_three_statuses() {
    let out = onus(&["evaluate", SAMPLE, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = json["results"].as_array().unwrap();
    for status in ["fail", "pass", "not-assessed"] {
        assert!(
            results.iter().any(|r| r["status"] == status),
            "no {status} result in the sample"
        );
    }
    for r in results {
        for key in ["rule", "status", "severity", "message"] {
            assert!(r.get(key).is_some(), "result lacks {key}: {r}");
        }
        for key in ["kind", "id", "name", "region", "account"] {
            assert!(
                r["resource"].get(key).is_some(),
                "resource lacks {key}: {r}"
            );
        }
        for key in ["layer", "model", "owner"] {
            assert!(r["matrix"].get(key).is_some(), "matrix lacks {key}: {r}");
        }
    }
    assert_eq!(json["snapshot"]["provider"], "aws");
    assert!(json["onus_version"].is_string());
    assert!(json["summary"]["results"]["fail"].as_u64().unwrap() > 0);
}

#[test]
fn sample_flag_matches_the_file() {
    let a = onus(&["evaluate", SAMPLE, "-f", "json"]);
    let b = onus(&["evaluate", "--sample", "-f", "json"]);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn fail_on_sets_the_exit_code_and_says_why() {
    let out = onus(&["evaluate", SAMPLE, "--fail-on", "critical"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("at or above critical"),
        "{}",
        stderr(&out)
    );

    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean.yaml");
    std::fs::write(&clean, CLEAN_SNAPSHOT).unwrap();
    // Its only failures are high (no multi-region trail) and below: the threshold decides.
    let out = onus(&["evaluate", clean.to_str().unwrap(), "--fail-on", "critical"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("nothing failed at or above critical"),
        "{}",
        stderr(&out)
    );
    let out = onus(&["evaluate", clean.to_str().unwrap(), "--fail-on", "high"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = onus(&["evaluate", clean.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "no --fail-on, no gate: {}",
        stderr(&out)
    );
}

/// An account whose root is locked down, with a support role, and no trail.
const CLEAN_SNAPSHOT: &str = "\
schema_version: 1
provider: aws
accounts: ['111122223333']
collected_at: 2026-11-01T00:00:00Z
collector: {name: test, version: '1'}
aws:
  accounts:
    - account_id: '111122223333'
      iam:
        root: {arn: 'arn:aws:iam::111122223333:root', mfa_active: true, virtual_mfa: false, password_enabled: false, password_last_used: null, access_keys: []}
        password_policy: {minimum_password_length: 16, require_symbols: true, require_numbers: true, require_uppercase_characters: true, require_lowercase_characters: true, allow_users_to_change_password: true, expire_passwords: false, max_password_age: null, password_reuse_prevention: 24, hard_expiry: false}
        roles:
          - name: support
            arn: arn:aws:iam::111122223333:role/support
            id: AROAEXAMPLE
            path: /
            created: 2025-01-01T00:00:00Z
            description: null
            assume_role_policy: {Version: '2012-10-17', Statement: [{Effect: Allow, Principal: {AWS: 'arn:aws:iam::111122223333:root'}, Action: 'sts:AssumeRole', Condition: {Bool: {'aws:MultiFactorAuthPresent': 'true'}}}]}
            max_session_duration: 3600
            attached_policies: [{name: AWSSupportAccess, arn: 'arn:aws:iam::aws:policy/AWSSupportAccess'}]
            inline_policies: []
            permissions_boundary: null
            last_used: null
            instance_profiles: []
        aws_managed_policies:
          - {name: AWSSupportAccess, arn: 'arn:aws:iam::aws:policy/AWSSupportAccess', id: ANPAJSNKQX2OW67GF4S7E, path: /, default_version_id: v4, attachment_count: 1, permissions_boundary_usage_count: 0, created: 2015-02-06T18:41:11Z, updated: 2024-06-26T17:49:00Z,
             document: {Version: '2012-10-17', Statement: [{Effect: Allow, Action: ['support:*'], Resource: '*'}]}}
      s3:
        account_public_access_block: {block_public_acls: true, ignore_public_acls: true, block_public_policy: true, restrict_public_buckets: true}
      cloudtrail: []
";

#[test]
fn malformed_snapshot_exits_2_with_position_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        "{\n  \"schema_version\": 1,\n  \"provider\": \"aws\",\n  \"accounts\": [\n",
    )
    .unwrap();
    let report = dir.path().join("report.html");
    let out = onus(&[
        "evaluate",
        bad.to_str().unwrap(),
        "-f",
        "html",
        "-o",
        report.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("bad.json:5:"), "{err}");
    assert!(!report.exists(), "a failed run left an output file");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "a temporary file was left behind"
    );
}

#[test]
fn wrong_type_in_yaml_snapshot_names_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        CLEAN_SNAPSHOT.replace("mfa_active: true", "mfa_active: maybe"),
    )
    .unwrap();
    let out = onus(&["evaluate", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bad.yaml:10:"), "{}", stderr(&out));
}

#[test]
fn unknown_schema_version_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.json");
    std::fs::write(&path, r#"{"schema_version": 7, "provider": "aws"}"#).unwrap();
    let out = onus(&["evaluate", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("future.json") && err.contains("schema_version 7"),
        "{err}"
    );
}

#[test]
fn rule_with_unknown_field_exits_2_with_position() {
    let dir = tempfile::tempdir().unwrap();
    let rule = dir.path().join("my-rule.yaml");
    std::fs::write(
        &rule,
        "id: my-rule\ntitle: t\nseverity: low\nkind: aws.iam.user\nlayer: identity\n\
         description: d\nrationale: r\nremediation: x\nreferences: [internal]\n\
         fails_when: password_enabled\nseverty: high\n",
    )
    .unwrap();
    let out = onus(&["evaluate", SAMPLE, "--rules", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("my-rule.yaml:11:1"), "{err}");
    assert!(err.contains("severty"), "{err}");
}

#[test]
fn user_rules_run_beside_builtin_ones() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("acme-user-without-owner-tag.yaml"),
        "id: acme-user-without-owner-tag\ntitle: User without an owner tag\nseverity: low\n\
         kind: aws.iam.user\nlayer: identity\ndescription: d\nrationale: r\nremediation: tag it\n\
         references: [ACME policy 7]\nfails_when: \"'owner' not in tags\"\n",
    )
    .unwrap();
    let out = onus(&[
        "evaluate",
        SAMPLE,
        "-f",
        "json",
        "--rules",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mine = json["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule"] == "acme-user-without-owner-tag")
        .count();
    assert!(mine > 0);
    // A clash with a built-in id is an error, not a silent override.
    std::fs::write(
        dir.path().join("aws-iam-user-console-without-mfa.yaml"),
        "id: aws-iam-user-console-without-mfa\ntitle: t\nseverity: low\nkind: aws.iam.user\n\
         layer: identity\ndescription: d\nrationale: r\nremediation: x\nreferences: [x]\n\
         fails_when: 'false'\n",
    )
    .unwrap();
    let out = onus(&["evaluate", SAMPLE, "--rules", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("duplicate rule id"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn output_file_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.md");
    let out = onus(&["evaluate", SAMPLE, "-f", "md", "-o", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("## 2. The shared responsibility matrix"));
    assert!(out.stdout.is_empty());
}

#[test]
fn rules_list_show_matrix_kinds_completions() {
    let list = onus(&["rules", "list"]);
    assert_eq!(list.status.code(), Some(0));
    let text = String::from_utf8(list.stdout).unwrap();
    assert!(text.contains("aws-iam-user-console-without-mfa"));

    let show = onus(&["rules", "show", "aws-iam-user-console-without-mfa"]);
    assert_eq!(show.status.code(), Some(0));
    assert!(
        String::from_utf8(show.stdout)
            .unwrap()
            .contains("Remediation:")
    );
    assert_eq!(
        onus(&["rules", "show", "no-such-rule"]).status.code(),
        Some(2)
    );

    for matrix in ["microsoft-2017", "microsoft-current", "aws"] {
        let out = onus(&["matrix", "show", "--matrix", matrix]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.lines().count() >= 9, "{text}");
        assert!(
            text.contains("customer") && text.contains("provider"),
            "{text}"
        );
    }
    assert_eq!(
        onus(&["matrix", "show", "--matrix", "gcp"]).status.code(),
        Some(2)
    );
    assert_eq!(onus(&["kinds", "aws.s3.bucket"]).status.code(), Some(0));
    let comp = onus(&["completions", "bash"]);
    assert_eq!(comp.status.code(), Some(0));
    assert!(!comp.stdout.is_empty());
}

#[test]
fn matrix_choice_changes_cells() {
    let seed = onus(&["evaluate", SAMPLE, "-f", "json"]);
    let aws = onus(&["evaluate", SAMPLE, "-f", "json", "--matrix", "aws"]);
    let seed: serde_json::Value = serde_json::from_slice(&seed.stdout).unwrap();
    let aws: serde_json::Value = serde_json::from_slice(&aws.stdout).unwrap();
    let model_of = |v: &serde_json::Value, kind: &str| {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["resource"]["kind"] == kind)
            .map(|r| r["matrix"]["model"].as_str().unwrap().to_owned())
    };
    assert_eq!(model_of(&seed, "aws.s3.bucket").as_deref(), Some("paas"));
    assert_eq!(
        model_of(&aws, "aws.s3.bucket").as_deref(),
        Some("abstracted")
    );
}

#[test]
fn yaml_snapshot_round_trips() {
    // Loading a YAML snapshot and the same content as JSON gives the same results.
    let dir = tempfile::tempdir().unwrap();
    let yaml = dir.path().join("s.yaml");
    std::fs::write(&yaml, CLEAN_SNAPSHOT).unwrap();
    let snap = onus::snapshot::load(&yaml).unwrap();
    let json = dir.path().join("s.json");
    onus::snapshot::save(&snap, &json).unwrap();
    let yaml2 = dir.path().join("s2.yaml");
    onus::snapshot::save(&snap, &yaml2).unwrap();
    assert_eq!(onus::snapshot::load(&json).unwrap(), snap);
    assert_eq!(onus::snapshot::load(&yaml2).unwrap(), snap);
    assert!(Path::new(&json).exists());
}

#[test]
fn sample_text_report_is_as_reviewed() {
    let out = onus(&["evaluate", SAMPLE]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

#[cfg(feature = "aws")]
#[test]
fn scan_without_credentials_exits_2_and_says_why() {
    let home = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_onus"))
        .args([
            "scan",
            "aws",
            "--endpoint-url",
            "http://127.0.0.1:9",
            "--call-timeout",
            "5",
        ])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("no usable AWS credentials"), "{err}");
    assert!(err.contains("no credentials found in chain"), "{err}");
    // What to do next.
    for step in [
        "--profile",
        "AWS_PROFILE",
        "aws sso login",
        "AWS_ACCESS_KEY_ID",
    ] {
        assert!(err.contains(step), "no `{step}` in: {err}");
    }
    assert!(out.stdout.is_empty());
}

#[test]
fn a_missing_snapshot_is_named_with_its_cause_once_and_the_next_step() {
    let out = onus(&["evaluate", "nope.json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.starts_with("onus: error: nope.json: cannot read snapshot: "),
        "{err}"
    );
    assert_eq!(
        err.matches("(os error 2)").count(),
        1,
        "the cause twice: {err}"
    );
    assert!(err.contains("onus collect aws -o FILE"), "{err}");
    assert!(err.contains("onus evaluate --sample"), "{err}");
}

#[test]
fn fail_on_not_assessed_closes_the_gate_on_an_incomplete_scan() {
    // The sample has coverage gaps, so some results could not be assessed.
    let out = onus(&["evaluate", SAMPLE, "--fail-on-not-assessed"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not assessed (--fail-on-not-assessed)"),
        "{}",
        stderr(&out)
    );
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean.yaml");
    std::fs::write(&clean, CLEAN_SNAPSHOT).unwrap();
    let out = onus(&[
        "evaluate",
        clean.to_str().unwrap(),
        "--fail-on-not-assessed",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("every result was assessed"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn frameworks_are_listed_shown_and_assessed() {
    let list = String::from_utf8(onus(&["frameworks", "list"]).stdout).unwrap();
    for id in ["cis-aws-foundations-7.0.0", "cis-azure-foundations-6.0.0"] {
        assert!(list.contains(id), "{list}");
    }
    let out = onus(&[
        "frameworks",
        "show",
        "cis-aws-foundations-7.0.0",
        "--coverage",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let coverage = String::from_utf8(out.stdout).unwrap();
    assert!(coverage.contains("all: 70 requirements"), "{coverage}");
    assert!(
        coverage.contains("automated (as the benchmark marks them): 34"),
        "{coverage}"
    );
    let out = onus(&["frameworks", "show", "cis-aws-foundations-7.0.0"]);
    let shown = String::from_utf8(out.stdout).unwrap();
    assert!(shown.contains("2.10") && shown.contains("aws-iam-user-console-without-mfa"));

    // Every requirement has an outcome in the results, and the CSV has a row per requirement.
    let out = onus(&["evaluate", SAMPLE, "-f", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cis = &json["compliance"][0];
    assert_eq!(cis["id"], "cis-aws-foundations-7.0.0");
    let counted: u64 = ["pass", "fail", "not_assessed", "manual", "not_applicable"]
        .iter()
        .map(|k| cis["counts"][k].as_u64().unwrap())
        .sum();
    assert_eq!(counted, 70);
    assert!(cis["counts"]["fail"].as_u64().unwrap() > 0);
    let csv =
        String::from_utf8(onus(&["evaluate", SAMPLE, "-f", "compliance-csv"]).stdout).unwrap();
    assert_eq!(csv.lines().count(), 71, "a header and 70 requirements");
    // A rule cites what it implements.
    let rule =
        String::from_utf8(onus(&["rules", "show", "aws-iam-root-mfa-disabled"]).stdout).unwrap();
    assert!(
        rule.contains("CIS Amazon Web Services Foundations Benchmark v7.0.0, 2.5"),
        "{rule}"
    );

    // None, another provider's, or an unknown one.
    let out = onus(&["evaluate", SAMPLE, "-f", "json", "--framework", "none"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json.get("compliance").is_none());
    let out = onus(&[
        "evaluate",
        SAMPLE,
        "--framework",
        "cis-azure-foundations-6.0.0",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is for azure, and these results are aws"),
        "{}",
        stderr(&out)
    );
    let out = onus(&["evaluate", SAMPLE, "--framework", "cis-nothing"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no framework `cis-nothing`"),
        "{}",
        stderr(&out)
    );
}
