//! IAM reasoning against moto: a support user whose inline policy resets other users'
//! passwords and creates their keys is reported with its takeover rights; a role trusting
//! anyone and a cross-account role without an external id are reported; their safe twins pass.
//! (moto serves AWS-managed policies only when started with MOTO_IAM_LOAD_MANAGED_POLICIES,
//! which the shared test server is not, so AWS-managed attachments are not seeded here.)

#![cfg(feature = "aws")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aws_sdk_iam::Client;
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use serde_json::Value;

use common::{account, moto_url, scan_json};

const SUPPORT: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"SupportTools","Effect":"Allow","Action":["iam:UpdateLoginProfile","iam:CreateAccessKey","iam:ListUsers"],"Resource":"arn:aws:iam::*:user/*"}]}"#;
const SELF_SERVICE: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"OwnCredentials","Effect":"Allow","Action":["iam:UpdateLoginProfile","iam:CreateAccessKey"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}"#;
const READ: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}"#;
const TRUST_ANYONE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}"#;
const TRUST_ORG: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}]}"#;
const TRUST_VENDOR: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole"}]}"#;
const TRUST_VENDOR_EXTERNAL_ID: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"acme-7731"}}}]}"#;

fn seeded<T, E: ProvideErrorMetadata + std::fmt::Debug, R: std::fmt::Debug>(
    what: &str,
    result: Result<T, SdkError<E, R>>,
) {
    if let Err(err) = result {
        let code = err.code().unwrap_or_default().to_owned();
        assert!(code == "EntityAlreadyExists", "seeding {what}: {err:?}");
    }
}

#[track_caller]
fn expect(results: &Value, rule: &str, resource: &str, expected: &str) {
    common::expect_any(results, rule, resource, &[Some(expected)]);
}

async fn user_with(iam: &Client, name: &str, policy: &str, console: bool) {
    seeded(name, iam.create_user().user_name(name).send().await);
    if console {
        seeded(
            name,
            iam.create_login_profile()
                .user_name(name)
                .password("Correct-Horse-Battery-9")
                .send()
                .await,
        );
    }
    iam.put_user_policy()
        .user_name(name)
        .policy_name("duties")
        .policy_document(policy)
        .send()
        .await
        .expect("PutUserPolicy");
}

async fn role(iam: &Client, name: &str, trust: &str) {
    seeded(
        name,
        iam.create_role()
            .role_name(name)
            .assume_role_policy_document(trust)
            .send()
            .await,
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn takeover_rights_and_trust_weaknesses() {
    let Some(url) = moto_url() else { return };
    let acct = account(&url, "200000000021").await;
    let iam = Client::new(&acct.config);

    user_with(&iam, "support-desk", SUPPORT, true).await;
    user_with(&iam, "self-service", SELF_SERVICE, true).await;
    user_with(&iam, "analyst", READ, true).await;
    // An administrator through a customer-managed policy (moto's shared server has no
    // AWS-managed policies): taking it over is the support user's path to admin.
    seeded(
        "ops-admin",
        iam.create_user().user_name("ops-admin").send().await,
    );
    let admin_policy = iam
        .create_policy()
        .policy_name("ops-everything")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        )
        .send()
        .await
        .expect("CreatePolicy");
    iam.attach_user_policy()
        .user_name("ops-admin")
        .policy_arn(
            admin_policy
                .policy()
                .and_then(|p| p.arn())
                .expect("policy ARN"),
        )
        .send()
        .await
        .expect("AttachUserPolicy");
    role(&iam, "open-to-anyone", TRUST_ANYONE).await;
    role(&iam, "org-only", TRUST_ORG).await;
    role(&iam, "vendor-audit", TRUST_VENDOR).await;
    role(&iam, "vendor-audit-external-id", TRUST_VENDOR_EXTERNAL_ID).await;

    let results = scan_json(&acct, &["--regions", "eu-west-1"]);

    // The administrator is recognised from its collected policy document.
    expect(
        &results,
        "aws-iam-admin-long-lived-user",
        "ops-admin",
        "fail",
    );

    // The support user can take over the others; the self-service twin cannot.
    expect(
        &results,
        "aws-iam-user-holds-takeover-rights",
        "support-desk",
        "fail",
    );
    expect(
        &results,
        "aws-iam-user-privilege-escalation-path",
        "support-desk",
        "fail",
    );
    expect(
        &results,
        "aws-iam-privileged-user-mfa-not-required",
        "support-desk",
        "fail",
    );
    expect(
        &results,
        "aws-iam-privileged-console-user-without-mfa",
        "support-desk",
        "fail",
    );
    expect(
        &results,
        "aws-iam-user-privilege-escalation-path",
        "self-service",
        "pass",
    );
    expect(
        &results,
        "aws-iam-admin-long-lived-user",
        "self-service",
        "pass",
    );
    expect(&results, "aws-iam-admin-long-lived-user", "analyst", "pass");
    common::expect_any(
        &results,
        "aws-iam-user-holds-takeover-rights",
        "self-service",
        &[None],
    );
    // Trust: anyone and another account without an external id fail; their twins pass.
    expect(
        &results,
        "aws-iam-role-trust-allows-anyone",
        "open-to-anyone",
        "fail",
    );
    expect(
        &results,
        "aws-iam-role-trust-allows-anyone",
        "org-only",
        "pass",
    );
    expect(
        &results,
        "aws-iam-role-trust-cross-account-without-external-id",
        "vendor-audit",
        "fail",
    );
    expect(
        &results,
        "aws-iam-role-trust-cross-account-without-external-id",
        "vendor-audit-external-id",
        "pass",
    );

    // The takeover rights are in the snapshot's facts, named per target and technique.
    let dir = tempfile::tempdir().expect("tempdir");
    let snapshot = dir.path().join("snap.json");
    let report = dir.path().join("report.md");
    common::collect(&acct, &snapshot, &["-q"]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_onus"))
        .args([
            "evaluate",
            snapshot.to_str().unwrap(),
            "-f",
            "md",
            "-o",
            report.to_str().unwrap(),
        ])
        .output()
        .expect("run onus");
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = std::fs::read_to_string(&report).expect("report");
    let section = md
        .split(". Privileged access\n")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("a Privileged access section");
    assert!(section.contains("### User support-desk"), "{section}");
    assert!(
        section.contains("can reset the console password of user analyst"),
        "{section}"
    );
    assert!(
        section.contains("can create access keys for user analyst"),
        "{section}"
    );
    assert!(!section.contains("### User self-service"), "{section}");
    assert!(!section.contains("### User analyst"), "{section}");
}
