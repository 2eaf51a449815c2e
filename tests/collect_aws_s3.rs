//! The S3 collector against moto: seeded buckets (ACLs, policies, encryption, versioning,
//! logging, public-access blocks) and account-level public-access blocks, scanned by the real
//! binary; each rule has a bucket that must fail and a twin that must pass.

#![cfg(feature = "aws")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::types::{
    BucketCannedAcl, BucketLocationConstraint, BucketLoggingStatus, BucketVersioningStatus,
    CreateBucketConfiguration, LoggingEnabled, PublicAccessBlockConfiguration,
    ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
    ServerSideEncryptionRule, VersioningConfiguration,
};
use serde_json::Value;

use common::{Account, account, moto_url, scan_json};

/// Accepts success and "already there" (so a test can run again against the same server).
fn seeded<T, E: ProvideErrorMetadata + std::fmt::Debug, R: std::fmt::Debug>(
    what: &str,
    result: Result<T, SdkError<E, R>>,
) {
    if let Err(err) = result {
        let code = err.code().unwrap_or_default().to_owned();
        assert!(code == "BucketAlreadyOwnedByYou", "seeding {what}: {err:?}");
    }
}

/// The result of `rule` on `resource` is `expected`.
#[track_caller]
fn expect(results: &Value, rule: &str, resource: &str, expected: &str) {
    common::expect_any(results, rule, resource, &[Some(expected)]);
}

/// The result of `rule` on `resource` is one of `expected` (moto lacks some operations).
#[track_caller]
fn expect_one_of(results: &Value, rule: &str, resource: &str, expected: &[&str]) {
    let expected: Vec<Option<&str>> = expected.iter().map(|e| Some(*e)).collect();
    common::expect_any(results, rule, resource, &expected);
}

const LOG_DELIVERY: &str = r#"uri="http://acs.amazonaws.com/groups/s3/LogDelivery""#;

fn name(acct: &Account, suffix: &str) -> String {
    // Bucket names are global, also in moto: prefix them with the account.
    format!("onus-{}-{suffix}", acct.id)
}

async fn bucket(s3: &aws_sdk_s3::Client, name: &str) {
    seeded(
        name,
        s3.create_bucket()
            .bucket(name)
            .create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::EuWest1)
                    .build(),
            )
            .send()
            .await,
    );
}

async fn policy(s3: &aws_sdk_s3::Client, name: &str, document: String) {
    s3.put_bucket_policy()
        .bucket(name)
        .policy(document)
        .send()
        .await
        .expect("PutBucketPolicy");
}

fn block_all() -> PublicAccessBlockConfiguration {
    PublicAccessBlockConfiguration::builder()
        .block_public_acls(true)
        .ignore_public_acls(true)
        .block_public_policy(true)
        .restrict_public_buckets(true)
        .build()
}

#[tokio::test(flavor = "multi_thread")]
async fn s3_bucket_settings() {
    let Some(url) = moto_url() else { return };
    let acct = account(&url, "200000000011").await;
    let s3 = common::s3(&acct);
    let n = |suffix: &str| name(&acct, suffix);

    // Baseline: a bucket with nothing configured; every setting below has its own twin.
    let plain = n("plain");
    bucket(&s3, &plain).await;

    // ACL granting AllUsers READ, and a private one.
    let acl_public = n("acl-public");
    bucket(&s3, &acl_public).await;
    s3.put_bucket_acl()
        .bucket(&acl_public)
        .acl(BucketCannedAcl::PublicRead)
        .send()
        .await
        .expect("PutBucketAcl");

    // A policy open to everyone, and one scoped to the account.
    let policy_public = n("policy-public");
    bucket(&s3, &policy_public).await;
    policy(
        &s3,
        &policy_public,
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Open","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{policy_public}/*"}}]}}"#
        ),
    )
    .await;
    let policy_account = n("policy-account");
    bucket(&s3, &policy_account).await;
    policy(
        &s3,
        &policy_account,
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Account","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{}:root"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::{policy_account}/*"}}]}}"#,
            acct.id
        ),
    )
    .await;

    // A TLS-only policy.
    let tls_only = n("tls-only");
    bucket(&s3, &tls_only).await;
    policy(
        &s3,
        &tls_only,
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"TlsOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::{tls_only}","arn:aws:s3:::{tls_only}/*"],"Condition":{{"Bool":{{"aws:SecureTransport":"false"}}}}}}]}}"#
        ),
    )
    .await;

    // Default encryption.
    let encrypted = n("encrypted");
    bucket(&s3, &encrypted).await;
    s3.put_bucket_encryption()
        .bucket(&encrypted)
        .server_side_encryption_configuration(
            ServerSideEncryptionConfiguration::builder()
                .rules(
                    ServerSideEncryptionRule::builder()
                        .apply_server_side_encryption_by_default(
                            ServerSideEncryptionByDefault::builder()
                                .sse_algorithm(ServerSideEncryption::Aes256)
                                .build()
                                .unwrap(),
                        )
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("PutBucketEncryption");

    // Versioning.
    let versioned = n("versioned");
    bucket(&s3, &versioned).await;
    s3.put_bucket_versioning()
        .bucket(&versioned)
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .expect("PutBucketVersioning");

    // Access logging into a log bucket the log-delivery group may write to.
    let logs = n("logs");
    bucket(&s3, &logs).await;
    s3.put_bucket_acl()
        .bucket(&logs)
        .grant_write(LOG_DELIVERY)
        .grant_read_acp(LOG_DELIVERY)
        .send()
        .await
        .expect("PutBucketAcl log-delivery-write");
    let logged = n("logged");
    bucket(&s3, &logged).await;
    s3.put_bucket_logging()
        .bucket(&logged)
        .bucket_logging_status(
            BucketLoggingStatus::builder()
                .logging_enabled(
                    LoggingEnabled::builder()
                        .target_bucket(&logs)
                        .target_prefix("logged/")
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .expect("PutBucketLogging");

    // Bucket-level public-access block.
    let blocked = n("blocked");
    bucket(&s3, &blocked).await;
    s3.put_public_access_block()
        .bucket(&blocked)
        .public_access_block_configuration(block_all())
        .send()
        .await
        .expect("PutPublicAccessBlock");

    // A bucket in another region: its location is read and it is read through that region.
    let use1 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&acct.config)
            .region(aws_sdk_s3::config::Region::new("us-east-1"))
            .force_path_style(true)
            .build(),
    );
    let virginia = n("virginia");
    seeded(
        &virginia,
        use1.create_bucket().bucket(&virginia).send().await,
    );

    let results = scan_json(&acct, &["--regions", "eu-west-1"]);

    expect(&results, "aws-s3-bucket-public-acl", &acl_public, "fail");
    expect(&results, "aws-s3-bucket-public-acl", &plain, "pass");

    // moto has no GetBucketPolicyStatus: the collector records a gap on policy_is_public,
    // which this rule reads, so with moto it is not assessed for buckets with a policy.
    expect_one_of(
        &results,
        "aws-s3-bucket-public-policy",
        &policy_public,
        &["fail", "not-assessed"],
    );
    expect_one_of(
        &results,
        "aws-s3-bucket-public-policy",
        &policy_account,
        &["pass", "not-assessed"],
    );
    expect(&results, "aws-s3-bucket-public-policy", &plain, "pass");

    expect(
        &results,
        "aws-s3-bucket-tls-not-enforced",
        &tls_only,
        "pass",
    );
    expect(&results, "aws-s3-bucket-tls-not-enforced", &plain, "fail");
    expect(
        &results,
        "aws-s3-bucket-tls-not-enforced",
        &policy_account,
        "fail",
    );

    expect(
        &results,
        "aws-s3-bucket-default-encryption-missing",
        &encrypted,
        "pass",
    );
    expect(
        &results,
        "aws-s3-bucket-default-encryption-missing",
        &plain,
        "fail",
    );

    expect(
        &results,
        "aws-s3-bucket-versioning-disabled",
        &versioned,
        "pass",
    );
    expect(
        &results,
        "aws-s3-bucket-versioning-disabled",
        &plain,
        "fail",
    );
    expect(
        &results,
        "aws-s3-bucket-mfa-delete-disabled",
        &versioned,
        "fail",
    );

    expect(
        &results,
        "aws-s3-bucket-access-logging-disabled",
        &logged,
        "pass",
    );
    expect(
        &results,
        "aws-s3-bucket-access-logging-disabled",
        &plain,
        "fail",
    );

    expect(
        &results,
        "aws-s3-bucket-public-access-block-missing",
        &blocked,
        "pass",
    );
    expect(
        &results,
        "aws-s3-bucket-public-access-block-missing",
        &plain,
        "fail",
    );

    // The us-east-1 bucket was read (path-style, through its own region).
    expect(
        &results,
        "aws-s3-bucket-versioning-disabled",
        &virginia,
        "fail",
    );
    let bucket_of = |name: &str| {
        results["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["resource"]["name"] == name)
            .map(|r| r["resource"]["region"].clone())
    };
    assert_eq!(bucket_of(&virginia), Some(Value::from("us-east-1")));
    assert_eq!(bucket_of(&plain), Some(Value::from("eu-west-1")));

    // Every gap on buckets is GetBucketPolicyStatus (moto) on a bucket with a policy.
    let gaps = results["snapshot"]["coverage_gaps"].as_array().unwrap();
    for gap in gaps
        .iter()
        .filter(|g| g["kind"].as_str().unwrap_or("").starts_with("aws.s3"))
    {
        assert_eq!(
            gap["operation"], "s3:GetBucketPolicyStatus",
            "unexpected gap {gap:#}"
        );
        assert_eq!(
            gap["fields"],
            serde_json::json!(["policy_is_public"]),
            "{gap:#}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn s3_account_public_access_block() {
    let Some(url) = moto_url() else { return };
    let (on, off) = tokio::join!(account(&url, "200000000012"), account(&url, "200000000013"));
    let control = aws_sdk_s3control::Client::from_conf(
        aws_sdk_s3control::config::Builder::from(&on.config)
            .endpoint_resolver(Fixed(on.url.clone()))
            .build(),
    );
    control
        .put_public_access_block()
        .account_id(&on.id)
        .public_access_block_configuration(
            aws_sdk_s3control::types::PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .expect("s3control PutPublicAccessBlock");

    let settings = "S3 account settings";
    let results = scan_json(&on, &["--regions", "eu-west-1"]);
    expect(
        &results,
        "aws-s3-account-public-access-block-missing",
        settings,
        "pass",
    );
    let results = scan_json(&off, &["--regions", "eu-west-1"]);
    expect(
        &results,
        "aws-s3-account-public-access-block-missing",
        settings,
        "fail",
    );
}

/// s3control's default endpoint puts the account id in the host name; moto needs its URL.
#[derive(Debug)]
struct Fixed(String);

impl aws_sdk_s3control::config::endpoint::ResolveEndpoint for Fixed {
    fn resolve_endpoint<'a>(
        &'a self,
        _params: &'a aws_sdk_s3control::config::endpoint::Params,
    ) -> aws_sdk_s3control::config::endpoint::EndpointFuture<'a> {
        aws_sdk_s3control::config::endpoint::EndpointFuture::ready(Ok(
            aws_sdk_s3control::config::endpoint::Endpoint::builder()
                .url(self.0.clone())
                .build(),
        ))
    }
}
