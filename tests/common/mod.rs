//! Test support for collectors: a moto server (started by `.ci/test`, URL in ONUS_MOTO_URL),
//! one isolated moto account per test (moto runs an assumed role's calls in the role's
//! account), seeding with the real AWS SDK, and the real binary scanning it.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod azure;
pub mod proxy;

use std::process::{Command, Output};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::Credentials;

pub const REGION: &str = "eu-west-1";

/// moto's URL, or `None` when the tests may knowingly skip (ONUS_SKIP_MOTO_TESTS=1).
pub fn moto_url() -> Option<String> {
    match std::env::var("ONUS_MOTO_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("ONUS_SKIP_MOTO_TESTS").is_ok(),
                "ONUS_MOTO_URL is not set: run the tests with `bash .ci/test`, which starts moto, \
                 or set ONUS_SKIP_MOTO_TESTS=1 to skip collector tests knowingly"
            );
            None
        }
    }
}

/// An isolated account on the moto server, with credentials for it.
pub struct Account {
    pub id: String,
    pub url: String,
    pub access_key: String,
    pub secret_key: String,
    pub session_token: String,
    pub config: SdkConfig,
}

/// Credentials for a fresh moto account `id` (use a distinct id per test).
pub async fn account(url: &str, id: &str) -> Account {
    let base = config(
        url,
        Credentials::new("AKIAIOSFODNN7EXAMPLE", "moto-secret", None, None, "test"),
    );
    let sts = aws_sdk_sts::Client::new(&base);
    let out = sts
        .assume_role()
        .role_arn(format!("arn:aws:iam::{id}:role/onus-test"))
        .role_session_name("onus-test")
        .send()
        .await
        .expect("moto AssumeRole");
    let c = out.credentials().expect("credentials");
    let creds = Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_owned()),
        None,
        "moto",
    );
    Account {
        id: id.to_owned(),
        url: url.to_owned(),
        access_key: c.access_key_id().to_owned(),
        secret_key: c.secret_access_key().to_owned(),
        session_token: c.session_token().to_owned(),
        config: config(url, creds),
    }
}

pub fn config(url: &str, creds: Credentials) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .endpoint_url(url)
        .credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(creds))
        .build()
}

/// An S3 client for seeding (path-style, as moto needs).
pub fn s3(account: &Account) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&account.config)
            .force_path_style(true)
            .build(),
    )
}

/// Runs the real binary with this account's credentials and the moto endpoint.
pub fn onus(account: &Account, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_onus"))
        .args(args)
        .args(["--endpoint-url", &account.url])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .env("AWS_ACCESS_KEY_ID", &account.access_key)
        .env("AWS_SECRET_ACCESS_KEY", &account.secret_key)
        .env("AWS_SESSION_TOKEN", &account.session_token)
        .env("AWS_REGION", REGION)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run onus")
}

/// `onus collect aws --regions eu-west-1 -o PATH` and `extra` (e.g. `-q`), with this account's
/// credentials; panics with onus's standard error unless it exits 0, and returns that error
/// output (the `-v` call log, when asked for).
pub fn collect(account: &Account, path: &std::path::Path, extra: &[&str]) -> String {
    let file = path;
    let path = path.to_str().expect("a UTF-8 path");
    let mut args = vec!["collect", "aws", "--regions", REGION, "-o", path];
    args.extend_from_slice(extra);
    let out = onus(account, &args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "onus collect failed: {stderr}");
    let snapshot = onus::snapshot::load(file).expect("the collected snapshot loads");
    assert_gaps_in_catalogue(&serde_json::to_value(&snapshot.coverage_gaps).unwrap());
    stderr
}

/// Every coverage gap names a kind of the catalogue and only fields its view has: a gap that
/// named another field would hide nothing (evaluation widens it, and warns).
pub fn assert_gaps_in_catalogue(gaps: &serde_json::Value) {
    for gap in gaps.as_array().expect("coverage_gaps is an array") {
        let name = gap["kind"].as_str().unwrap();
        let kind = onus::analyze::kinds::get(name)
            .unwrap_or_else(|| panic!("a gap names kind {name}, which the catalogue lacks: {gap}"));
        for field in gap["fields"].as_array().unwrap() {
            let field = field.as_str().unwrap();
            assert!(
                kind.has_field(field),
                "a gap names field {field}, which {name} does not have: {gap}"
            );
        }
    }
}

/// `onus scan aws -f json` and the parsed results; panics with stderr when it errors.
pub fn scan_json(account: &Account, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["scan", "aws", "--format", "json", "-q"];
    args.extend_from_slice(extra);
    let out = onus(account, &args);
    assert!(
        out.status.code() == Some(0),
        "onus scan failed ({:?}): {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let results: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    assert_gaps_in_catalogue(&results["snapshot"]["coverage_gaps"]);
    results
}

/// The status of `rule` on the resource whose id or name is `resource`.
pub fn status_of(results: &serde_json::Value, rule: &str, resource: &str) -> Option<String> {
    results["results"]
        .as_array()?
        .iter()
        .find(|r| {
            r["rule"] == rule
                && (r["resource"]["id"] == resource || r["resource"]["name"] == resource)
        })
        .map(|r| r["status"].as_str().unwrap_or_default().to_owned())
}

/// Panics unless `rule` on `resource` has one of the `expected` statuses (`None`: no result),
/// showing that resource's results and the scan's gaps.
#[track_caller]
pub fn expect_any(
    results: &serde_json::Value,
    rule: &str,
    resource: &str,
    expected: &[Option<&str>],
) {
    let status = status_of(results, rule, resource);
    if !expected.contains(&status.as_deref()) {
        let found: Vec<&serde_json::Value> = results["results"]
            .as_array()
            .map(|r| {
                r.iter()
                    .filter(|r| {
                        r["resource"]["id"] == resource || r["resource"]["name"] == resource
                    })
                    .collect()
            })
            .unwrap_or_default();
        panic!(
            "{rule} on {resource}: expected one of {expected:?}, got {status:?}; results on it: {found:#?}\ngaps: {:#}",
            results["snapshot"]["coverage_gaps"]
        );
    }
}
