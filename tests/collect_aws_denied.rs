//! Scanning with too little permission, against moto with IAM enforcement on
//! (INITIAL_NO_AUTH_ACTION_COUNT=3, URL in ONUS_MOTO_AUTH_URL): what onus could not read
//! becomes a coverage gap and `not-assessed`, never a pass; the shipped least-privilege
//! policy is enough for a scan without gaps; secrets never reach the snapshot.

#![cfg(feature = "aws")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aws_sdk_sts::config::Credentials;
use common::{Account, REGION};

const POLICY: &str = include_str!("../policies/onus-read-only.json");

fn auth_url() -> Option<String> {
    match std::env::var("ONUS_MOTO_AUTH_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("ONUS_SKIP_MOTO_TESTS").is_ok(),
                "ONUS_MOTO_AUTH_URL is not set: run the tests with `bash .ci/test`"
            );
            None
        }
    }
}

async fn user_with_policy(iam: &aws_sdk_iam::Client, name: &str, policy: &str) -> (String, String) {
    iam.create_user().user_name(name).send().await.unwrap();
    iam.put_user_policy()
        .user_name(name)
        .policy_name("scan")
        .policy_document(policy)
        .send()
        .await
        .unwrap();
    let key = iam
        .create_access_key()
        .user_name(name)
        .send()
        .await
        .unwrap();
    let key = key.access_key().unwrap();
    (
        key.access_key_id().to_owned(),
        key.secret_access_key().to_owned(),
    )
}

fn as_account(url: &str, id: &str, (key, secret): &(String, String)) -> Account {
    Account {
        id: id.to_owned(),
        url: url.to_owned(),
        access_key: key.clone(),
        secret_key: secret.clone(),
        session_token: String::new(),
        config: common::config(url, Credentials::new(key, secret, None, None, "test")),
    }
}

/// Gaps a scan holding exactly the shipped policy still gets from moto, each because moto
/// differs from AWS, not because the policy lacks an action (checked by hand against moto
/// 5.1.22's access control):
/// - moto maps these S3 bucket sub-resource reads to `s3:ListBucket` (AWS: the
///   `s3:GetEncryptionConfiguration`, … actions the policy holds);
/// - moto maps the account-level read to `s3:GetPublicAccessBlock` (AWS:
///   `s3:GetAccountPublicAccessBlock`);
/// - moto cannot verify signatures of GuardDuty's REST calls when IAM is enforced (it fails
///   for every client, with any credentials);
/// - moto's credential report has no root row.
const MOTO_DEVIATIONS: &[&str] = &[
    "s3:GetBucketEncryption",
    "s3:GetBucketOwnershipControls",
    "s3:GetBucketPolicyStatus",
    "s3:GetPublicAccessBlock",
    "s3control:GetPublicAccessBlock",
    "guardduty:ListDetectors",
    "iam:GetCredentialReport",
];

/// One test, because moto counts the unauthenticated calls of the whole server: the server
/// runs with INITIAL_NO_AUTH_ACTION_COUNT=8, and the seeding below makes exactly 8 calls.
#[tokio::test(flavor = "multi_thread")]
async fn denied_reads_become_gaps_and_the_shipped_policy_is_enough() {
    let Some(url) = auth_url() else { return };
    let seed = common::config(
        &url,
        Credentials::new("AKIAIOSFODNN7EXAMPLE", "seed", None, None, "test"),
    );
    let seed_account = as_account(
        &url,
        "123456789012",
        &("AKIAIOSFODNN7EXAMPLE".into(), "seed".into()),
    );

    // Calls 1-2: something for a denied read to hide, a public bucket policy. (Security
    // groups: moto's default VPC has its default group.)
    let s3 = common::s3(&seed_account);
    s3.create_bucket()
        .bucket("denied-public-site")
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(REGION))
                .build(),
        )
        .send()
        .await
        .unwrap();
    s3.put_bucket_policy()
        .bucket("denied-public-site")
        .policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::denied-public-site/*"}]}"#,
        )
        .send()
        .await
        .unwrap();

    let iam = aws_sdk_iam::Client::new(&seed);
    // Calls 3-5: a scanner holding only the shipped policy.
    let full = user_with_policy(&iam, "onus-scanner", POLICY).await;
    // Calls 6-8: a scanner whose reads of bucket policies and security groups are denied.
    let mut limited_policy: serde_json::Value = serde_json::from_str(POLICY).unwrap();
    limited_policy["Statement"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "Effect": "Deny",
            "Action": ["s3:GetBucketPolicy", "ec2:DescribeSecurityGroups"],
            "Resource": "*"
        }));
    let limited = user_with_policy(&iam, "onus-limited", &limited_policy.to_string()).await;
    // From here on moto enforces IAM.

    // With the shipped policy alone, nothing is out of sight but what moto itself hides.
    let dir = tempfile::tempdir().unwrap();
    let snapshot_path = dir.path().join("full.json");
    let scanner = as_account(&url, "123456789012", &full);
    common::collect(&scanner, &snapshot_path, &["-q"]);
    let text = std::fs::read_to_string(&snapshot_path).unwrap();
    let snapshot: serde_json::Value = serde_json::from_str(&text).unwrap();
    common::assert_gaps_in_catalogue(&snapshot["coverage_gaps"]);
    let unexplained: Vec<&serde_json::Value> = snapshot["coverage_gaps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| !MOTO_DEVIATIONS.contains(&g["operation"].as_str().unwrap_or_default()))
        .collect();
    assert!(
        unexplained.is_empty(),
        "the shipped policy left gaps: {unexplained:#?}"
    );
    assert_eq!(
        snapshot["collector"]["principal"], "arn:aws:iam::123456789012:user/onus-scanner",
        "the scan ran as the scanner"
    );
    // No secret of any seeded user reaches the snapshot.
    for secret in [&full.1, &limited.1] {
        assert!(
            !text.contains(secret.as_str()),
            "a secret access key is in the snapshot"
        );
    }

    // With reads denied: gaps, not-assessed, and no pass that depends on them.
    let limited_scanner = as_account(&url, "123456789012", &limited);
    let results = common::scan_json(&limited_scanner, &["--regions", REGION]);
    let gaps = results["snapshot"]["coverage_gaps"].as_array().unwrap();
    let denied = |op: &str| {
        gaps.iter().any(|g| {
            g["operation"] == op
                && g["error"]
                    .as_str()
                    .is_some_and(|e| e.contains("AccessDenied") || e.contains("Unauthorized"))
        })
    };
    assert!(denied("s3:GetBucketPolicy"), "gaps: {gaps:#?}");
    assert!(denied("ec2:DescribeSecurityGroups"), "gaps: {gaps:#?}");
    for rule in [
        "aws-s3-bucket-public-policy",
        "aws-s3-bucket-tls-not-enforced",
    ] {
        assert_eq!(
            common::status_of(&results, rule, "denied-public-site").as_deref(),
            Some("not-assessed"),
            "{rule}"
        );
    }
    let sg_results: Vec<&serde_json::Value> = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["resource"]["kind"] == "aws.ec2.security_group")
        .collect();
    assert!(
        !sg_results.is_empty(),
        "no result stands for the security groups that could not be listed"
    );
    assert!(
        sg_results.iter().all(|r| r["status"] == "not-assessed"),
        "a security-group result was judged without security groups: {sg_results:#?}"
    );
    // Reads that were allowed still produce verdicts.
    assert_eq!(
        common::status_of(
            &results,
            "aws-s3-bucket-versioning-disabled",
            "denied-public-site"
        )
        .as_deref(),
        Some("fail")
    );
    assert_eq!(results["summary"]["complete"], false);
}
