//! Evaluation semantics: exactly one result per applicable (rule, resource), and coverage
//! gaps become `not-assessed`, never `pass`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use onus::engine::{RuleSet, evaluate};
use onus::finding::Status;
use onus::matrix::{Matrix, Owner};
use onus::snapshot::{CoverageGap, SnapshotFormat, load_str};

const SNAPSHOT: &str = "\
schema_version: 1
provider: aws
accounts: ['111122223333']
regions: [eu-west-1]
collected_at: 2026-11-01T00:00:00Z
collector: {name: test, version: '1'}
aws:
  accounts:
    - account_id: '111122223333'
      iam:
        root: {arn: 'arn:aws:iam::111122223333:root', mfa_active: true, virtual_mfa: false, password_enabled: false, password_last_used: null, access_keys: []}
      s3:
        account_public_access_block: null
        buckets:
          - name: open
            arn: arn:aws:s3:::open
            region: eu-west-1
            created: null
            acl: {owner_id: abc, grants: [{grantee_type: Group, grantee_id: null, grantee_uri: 'http://acs.amazonaws.com/groups/global/AllUsers', permission: READ}]}
            policy: null
            policy_is_public: null
            public_access_block: null
            encryption: null
            versioning: {status: null, mfa_delete: null}
            logging: null
            object_ownership: null
          - name: hidden
            arn: arn:aws:s3:::hidden
            region: eu-west-1
            created: null
            acl: {owner_id: abc, grants: []}
            policy: null
            policy_is_public: null
            public_access_block: null
            encryption: null
            versioning: {status: null, mfa_delete: null}
            logging: null
            object_ownership: null
      regions:
        eu-west-1:
          ebs_encryption_by_default: true
";

fn rules(dir: &Path, files: &[(&str, &str)]) -> RuleSet {
    for (name, text) in files {
        std::fs::write(dir.join(format!("{name}.yaml")), text).unwrap();
    }
    RuleSet::from_dir(dir).unwrap()
}

fn rule(id: &str, kind: &str, fails_when: &str) -> String {
    format!(
        "id: {id}\ntitle: t\nseverity: high\nkind: {kind}\nlayer: data\ndescription: d\n\
         rationale: r\nremediation: x\nreferences: [test]\nfails_when: \"{fails_when}\"\n"
    )
}

fn snapshot_with(gaps: Vec<CoverageGap>) -> onus::snapshot::Snapshot {
    let mut s = load_str(SNAPSHOT, SnapshotFormat::Yaml, Path::new("t.yaml")).unwrap();
    s.coverage_gaps = gaps;
    s
}

fn gap(resource: Option<&str>, fields: &[&str], region: Option<&str>) -> CoverageGap {
    CoverageGap {
        kind: "aws.s3.bucket".into(),
        account: "111122223333".into(),
        region: region.map(Into::into),
        resource: resource.map(Into::into),
        fields: fields.iter().map(|f| (*f).to_owned()).collect(),
        operation: "s3:GetBucketAcl".into(),
        error: "AccessDenied".into(),
        message: "denied".into(),
    }
}

#[test]
fn one_result_per_rule_and_resource() {
    let dir = tempfile::tempdir().unwrap();
    let set = rules(
        dir.path(),
        &[(
            "public-acl",
            &rule(
                "public-acl",
                "aws.s3.bucket",
                "acl_public_grants(acl.grants) | length > 0",
            ),
        )],
    );
    let eval = evaluate(
        &snapshot_with(vec![]),
        &set,
        &Matrix::builtin("microsoft-2017").unwrap(),
    )
    .unwrap();
    assert_eq!(eval.findings.len(), 2);
    let open = eval
        .findings
        .iter()
        .find(|f| f.resource.name == "open")
        .unwrap();
    assert_eq!(open.status, Status::Fail);
    assert_eq!(open.matrix.owner, Owner::Customer);
    assert_eq!(open.matrix.model, "paas");
    let hidden = eval
        .findings
        .iter()
        .find(|f| f.resource.name == "hidden")
        .unwrap();
    assert_eq!(hidden.status, Status::Pass);
}

#[test]
fn a_gap_on_a_read_field_is_not_assessed_never_pass() {
    let dir = tempfile::tempdir().unwrap();
    let set = rules(
        dir.path(),
        &[
            (
                "public-acl",
                &rule(
                    "public-acl",
                    "aws.s3.bucket",
                    "acl_public_grants(acl.grants) | length > 0",
                ),
            ),
            (
                "no-logging",
                &rule("no-logging", "aws.s3.bucket", "logging is none"),
            ),
        ],
    );
    let eval = evaluate(
        &snapshot_with(vec![gap(Some("arn:aws:s3:::hidden"), &["acl"], None)]),
        &set,
        &Matrix::builtin("microsoft-2017").unwrap(),
    )
    .unwrap();
    let status = |rule: &str, name: &str| {
        eval.findings
            .iter()
            .find(|f| &*f.rule == rule && f.resource.name == name)
            .map(|f| (f.status, f.message.clone()))
            .unwrap()
    };
    let (s, msg) = status("public-acl", "hidden");
    assert_eq!(s, Status::NotAssessed);
    assert!(
        msg.contains("s3:GetBucketAcl failed with AccessDenied"),
        "{msg}"
    );
    // The gap names `acl` only: a rule that reads `logging` is still assessed.
    assert_eq!(status("no-logging", "hidden").0, Status::Fail);
    assert_eq!(status("public-acl", "open").0, Status::Fail);
}

#[test]
fn a_field_gap_for_a_whole_region_covers_every_resource_there() {
    let dir = tempfile::tempdir().unwrap();
    let set = rules(
        dir.path(),
        &[(
            "no-logging",
            &rule("no-logging", "aws.s3.bucket", "logging is none"),
        )],
    );
    let eval = evaluate(
        &snapshot_with(vec![gap(None, &["logging"], Some("eu-west-1"))]),
        &set,
        &Matrix::builtin("microsoft-2017").unwrap(),
    )
    .unwrap();
    assert_eq!(eval.findings.len(), 2);
    assert!(
        eval.findings
            .iter()
            .all(|f| f.status == Status::NotAssessed)
    );
    let other_region = evaluate(
        &snapshot_with(vec![gap(None, &["logging"], Some("us-east-1"))]),
        &set,
        &Matrix::builtin("microsoft-2017").unwrap(),
    )
    .unwrap();
    assert!(
        other_region
            .findings
            .iter()
            .all(|f| f.status == Status::Fail)
    );
}

#[test]
fn a_failed_listing_yields_a_not_assessed_result_per_rule() {
    let dir = tempfile::tempdir().unwrap();
    let set = rules(
        dir.path(),
        &[
            (
                "no-logging",
                &rule("no-logging", "aws.s3.bucket", "logging is none"),
            ),
            (
                "root-mfa",
                &rule("root-mfa", "aws.iam.root", "not mfa_active"),
            ),
        ],
    );
    let eval = evaluate(
        &snapshot_with(vec![gap(None, &[], Some("us-east-1"))]),
        &set,
        &Matrix::builtin("microsoft-2017").unwrap(),
    )
    .unwrap();
    let scope: Vec<_> = eval
        .findings
        .iter()
        .filter(|f| f.resource.id.ends_with(":*"))
        .collect();
    assert_eq!(scope.len(), 1, "one scope result, for the bucket rule only");
    assert_eq!(scope[0].status, Status::NotAssessed);
    assert_eq!(&*scope[0].rule, "no-logging");
    assert_eq!(scope[0].resource.region.as_deref(), Some("us-east-1"));
    // What was listed is still judged.
    assert_eq!(
        eval.findings
            .iter()
            .filter(|f| &*f.rule == "no-logging" && f.status == Status::Fail)
            .count(),
        2
    );
}

#[test]
fn a_rule_that_errors_at_runtime_is_not_assessed_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    // `created` is null here, and a null has no attribute `year`.
    let set = rules(
        dir.path(),
        &[(
            "bad-rule",
            &rule("bad-rule", "aws.s3.bucket", "created.year > 2020"),
        )],
    );
    let eval = evaluate(
        &snapshot_with(vec![]),
        &set,
        &Matrix::builtin("microsoft-2017").unwrap(),
    )
    .unwrap();
    assert_eq!(eval.findings.len(), 2);
    assert!(
        eval.findings
            .iter()
            .all(|f| f.status == Status::NotAssessed)
    );
    assert_eq!(eval.issues.len(), 2);
}

#[test]
fn applies_when_narrows_without_results() {
    let dir = tempfile::tempdir().unwrap();
    let text = rule("only-open", "aws.s3.bucket", "true")
        .replace("fails_when", "applies_when: name == 'open'\nfails_when");
    let set = rules(dir.path(), &[("only-open", &text)]);
    let eval = evaluate(
        &snapshot_with(vec![]),
        &set,
        &Matrix::builtin("microsoft-2017").unwrap(),
    )
    .unwrap();
    assert_eq!(eval.findings.len(), 1);
    assert_eq!(eval.findings[0].resource.name, "open");
}

/// The status of `rule` on bucket `bucket`.
fn status(set: &RuleSet, snapshot: &onus::snapshot::Snapshot, rule: &str, bucket: &str) -> Status {
    let matrix = Matrix::builtin(onus::matrix::DEFAULT).unwrap();
    let e = evaluate(snapshot, set, &matrix).unwrap();
    e.findings
        .iter()
        .find(|f| &*f.rule == rule && f.resource.name == bucket)
        .map(|f| f.status)
        .unwrap()
}

#[test]
fn what_the_known_fields_decide_is_decided_despite_a_gap() {
    let dir = tempfile::tempdir().unwrap();
    let set = rules(
        dir.path(),
        &[
            // True whatever the hidden field holds when the ACL is public; else it needs it.
            (
                "either",
                &rule(
                    "either",
                    "aws.s3.bucket",
                    "acl_public_grants(acl.grants) | length > 0 or policy_is_public",
                ),
            ),
            // False whatever the hidden field holds when the ACL is not public.
            (
                "both",
                &rule(
                    "both",
                    "aws.s3.bucket",
                    "acl_public_grants(acl.grants) | length > 0 and policy_is_public",
                ),
            ),
        ],
    );
    let hidden = |bucket: &str| {
        gap(
            Some(&format!("arn:aws:s3:::{bucket}")),
            &["policy_is_public"],
            None,
        )
    };
    let snapshot = snapshot_with(vec![hidden("open"), hidden("hidden")]);
    // `open` has a public ACL: `either` fails, `both` cannot be told.
    assert_eq!(status(&set, &snapshot, "either", "open"), Status::Fail);
    assert_eq!(status(&set, &snapshot, "both", "open"), Status::NotAssessed);
    // `hidden` has none: `both` passes, `either` cannot be told.
    assert_eq!(status(&set, &snapshot, "both", "hidden"), Status::Pass);
    assert_eq!(
        status(&set, &snapshot, "either", "hidden"),
        Status::NotAssessed
    );
    // A gap over the ACL itself hides what decides: nothing is decided on `open`.
    let snapshot = snapshot_with(vec![gap(Some("arn:aws:s3:::open"), &[], None)]);
    assert_eq!(
        status(&set, &snapshot, "either", "open"),
        Status::NotAssessed
    );
    assert_eq!(status(&set, &snapshot, "both", "open"), Status::NotAssessed);
}
