//! A misbehaving cloud, through a fault-injecting proxy in front of moto (tests/common/proxy.rs):
//! transient faults are retried and change nothing; persistent ones become coverage gaps and
//! `not-assessed`, never a pass, within a bounded time, and the exit code and reports say the
//! scan was incomplete. The same proxy proves a full scan makes read calls only, all of them
//! granted by the shipped least-privilege policy, which grants nothing more. Secrets seeded
//! into the account and the environment reach no output.

#![cfg(feature = "aws")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Output;
use std::time::{Duration, Instant};

use aws_sdk_s3::types::{
    BucketLocationConstraint, CreateBucketConfiguration, Tag, Tagging, VersioningConfiguration,
};
use common::proxy::{Fault, Plan, Proxy, iam_action};
use common::{Account, REGION, account, moto_url};
use serde_json::Value;

const POLICY: &str = include_str!("../policies/onus-read-only.json");

/// The same account, reached through the proxy.
fn via(acct: &Account, proxy: &Proxy) -> Account {
    Account {
        id: acct.id.clone(),
        url: proxy.url.clone(),
        access_key: acct.access_key.clone(),
        secret_key: acct.secret_key.clone(),
        session_token: acct.session_token.clone(),
        config: acct.config.clone(),
    }
}

/// Seeds one of everything the collectors read: users with keys, a console password and
/// policies, a group, a role, a managed policy, a password policy, buckets with policy, tags
/// and versioning, a trail with event selectors, a GuardDuty detector, a Config recorder.
/// Returns the secrets it created (access key secrets and the console password).
async fn seed(acct: &Account) -> Vec<String> {
    let mut secrets = Vec::new();
    let iam = aws_sdk_iam::Client::new(&acct.config);
    for user in ["alice", "bob"] {
        iam.create_user().user_name(user).send().await.unwrap();
        let key = iam
            .create_access_key()
            .user_name(user)
            .send()
            .await
            .unwrap();
        secrets.push(key.access_key().unwrap().secret_access_key().to_owned());
        iam.put_user_policy()
            .user_name(user)
            .policy_name("inline")
            .policy_document(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
            )
            .send()
            .await
            .unwrap();
    }
    let password = "Onus-Console-Pa55word!x9".to_owned();
    iam.create_login_profile()
        .user_name("alice")
        .password(&password)
        .send()
        .await
        .unwrap();
    secrets.push(password);
    iam.create_group()
        .group_name("admins")
        .send()
        .await
        .unwrap();
    iam.add_user_to_group()
        .group_name("admins")
        .user_name("bob")
        .send()
        .await
        .unwrap();
    iam.create_role()
        .role_name("deployer")
        .description("deploys things")
        .assume_role_policy_document(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{}:root"}},"Action":"sts:AssumeRole"}}]}}"#,
            acct.id
        ))
        .send()
        .await
        .unwrap();
    iam.create_policy()
        .policy_name("everything")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        )
        .send()
        .await
        .unwrap();
    iam.update_account_password_policy()
        .minimum_password_length(8)
        .send()
        .await
        .unwrap();

    let s3 = common::s3(acct);
    for suffix in ["site", "data"] {
        let bucket = format!("onus-{}-{suffix}", acct.id);
        s3.create_bucket()
            .bucket(&bucket)
            .create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(REGION))
                    .build(),
            )
            .send()
            .await
            .unwrap();
        s3.put_bucket_tagging()
            .bucket(&bucket)
            .tagging(
                Tagging::builder()
                    .tag_set(Tag::builder().key("owner").value("team").build().unwrap())
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    }
    let site = format!("onus-{}-site", acct.id);
    s3.put_bucket_policy()
        .bucket(&site)
        .policy(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{site}/*"}}]}}"#
        ))
        .send()
        .await
        .unwrap();
    s3.put_bucket_versioning()
        .bucket(format!("onus-{}-data", acct.id))
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .unwrap();

    let ct = aws_sdk_cloudtrail::Client::new(&acct.config);
    ct.create_trail()
        .name("main")
        .s3_bucket_name(format!("onus-{}-data", acct.id))
        .is_multi_region_trail(true)
        .send()
        .await
        .unwrap();
    ct.start_logging().name("main").send().await.unwrap();
    ct.put_event_selectors()
        .trail_name("main")
        .event_selectors(
            aws_sdk_cloudtrail::types::EventSelector::builder()
                .read_write_type(aws_sdk_cloudtrail::types::ReadWriteType::All)
                .include_management_events(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    aws_sdk_guardduty::Client::new(&acct.config)
        .create_detector()
        .enable(true)
        .send()
        .await
        .unwrap();
    aws_sdk_config::Client::new(&acct.config)
        .put_configuration_recorder()
        .configuration_recorder(
            aws_sdk_config::types::ConfigurationRecorder::builder()
                .name("default")
                .role_arn(format!("arn:aws:iam::{}:role/config", acct.id))
                .build(),
        )
        .send()
        .await
        .unwrap();
    secrets
}

/// Runs `onus scan aws` and returns the output and how long it took.
fn scan(acct: &Account, args: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let mut all = vec!["scan", "aws", "-q", "--regions", REGION];
    all.extend_from_slice(args);
    let out = common::onus(acct, &all);
    (out, started.elapsed())
}

fn json_of(out: &Output) -> Value {
    let results: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}); exit {:?}; stderr: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    common::assert_gaps_in_catalogue(&results["snapshot"]["coverage_gaps"]);
    results
}

/// Every result by (rule, resource id): its status and message.
fn verdicts(results: &Value) -> BTreeMap<(String, String), (String, String)> {
    results["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                (
                    r["rule"].as_str().unwrap().to_owned(),
                    r["resource"]["id"].as_str().unwrap().to_owned(),
                ),
                (
                    r["status"].as_str().unwrap().to_owned(),
                    r["message"].as_str().unwrap_or_default().to_owned(),
                ),
            )
        })
        .collect()
}

fn gap_errors(results: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for g in results["snapshot"]["coverage_gaps"].as_array().unwrap() {
        out.entry(g["operation"].as_str().unwrap().to_owned())
            .or_default()
            .insert(g["error"].as_str().unwrap().to_owned());
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn transient_faults_are_retried_and_the_results_equal_a_clean_run() {
    let Some(url) = moto_url() else { return };
    let acct = account(&url, "210000000001").await;
    seed(&acct).await;

    let clean_proxy = Proxy::start(&url, Vec::new());
    let (clean, _) = scan(&via(&acct, &clean_proxy), &["-f", "json"]);
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&clean.stderr)
    );
    let clean = json_of(&clean);
    let ops = clean_proxy.seen();
    assert!(
        ops.len() > 25,
        "the clean scan made few kinds of call: {ops:?}"
    );

    // Every operation fails once or twice before it succeeds, each kind of fault in turn; a
    // few answer too slowly instead.
    let faults = [
        Fault::Throttle,
        Fault::SlowDown,
        Fault::TooManyRequests,
        Fault::ServerError,
        Fault::Drop,
    ];
    let slow = [
        "iam:GetAccountPasswordPolicy",
        "ec2:DescribeVpcs",
        "s3:GetBucketAcl",
    ];
    let plans: Vec<Plan> = ops
        .keys()
        .enumerate()
        .map(|(i, op)| {
            if slow.contains(&op.as_str()) {
                Plan::first(op, Fault::Slow(Duration::from_secs(7)), 1)
            } else {
                Plan::first(op, faults[i % faults.len()], 1 + i % 2)
            }
        })
        .collect();
    let faulty_proxy = Proxy::start(&url, plans);
    let (faulty, elapsed) = scan(
        &via(&acct, &faulty_proxy),
        // Room for two faults and their backoff (200 ms doubling, at most 5 s) per call.
        &["-f", "json", "--call-timeout", "40", "--max-attempts", "5"],
    );
    assert_eq!(
        faulty.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&faulty.stderr)
    );
    let faulty = json_of(&faulty);

    // moto leaves some gaps of its own (its credential report has no root row): no others.
    assert_eq!(
        gap_errors(&faulty),
        gap_errors(&clean),
        "transient faults left gaps"
    );
    assert_eq!(
        verdicts(&faulty),
        verdicts(&clean),
        "faults changed results"
    );
    assert_eq!(faulty["summary"], clean["summary"]);
    let faulted = faulty_proxy.faulted();
    for op in ops.keys() {
        assert!(
            faulted.contains_key(op),
            "{op} was never faulted: {faulted:?}"
        );
    }
    assert!(elapsed < Duration::from_secs(240), "took {elapsed:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn persistent_faults_become_gaps_and_not_assessed_never_passes() {
    let Some(url) = moto_url() else { return };
    let acct = account(&url, "210000000002").await;
    seed(&acct).await;

    let clean_proxy = Proxy::start(&url, Vec::new());
    let (clean, _) = scan(&via(&acct, &clean_proxy), &["-f", "json"]);
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&clean.stderr)
    );
    let clean = json_of(&clean);

    // (operation, fault, the error class the gap must carry)
    // A throttled call's next attempt leaves onus seconds later (measured: 8.4 s after one
    // 503 SlowDown), and the adaptive retry mode slows the other calls of that client too,
    // so under this short call timeout a retried call may end as a timeout instead.
    let broken: &[(&str, Fault, &[&str])] = &[
        (
            "s3:GetBucketPolicy",
            Fault::Throttle,
            &["SlowDown", "Timeout"],
        ),
        (
            "s3:GetBucketVersioning",
            Fault::TooManyRequests,
            &["TooManyRequestsException", "Timeout"],
        ),
        (
            "ec2:DescribeSecurityGroups",
            Fault::ServerError,
            &["InternalError", "Timeout"],
        ),
        (
            "ec2:DescribeNetworkAcls",
            Fault::Throttle,
            &["RequestLimitExceeded", "Timeout"],
        ),
        (
            "iam:GetAccountPasswordPolicy",
            Fault::Slow(Duration::from_secs(4)),
            &["Timeout"],
        ),
        ("iam:ListRoles", Fault::Throttle, &["Throttling", "Timeout"]),
        (
            "cloudtrail:DescribeTrails",
            Fault::Drop,
            &["ConnectionError", "ResponseError", "Timeout"],
        ),
        (
            "guardduty:ListDetectors",
            Fault::AccessDenied,
            &["AccessDeniedException"],
        ),
        (
            "config:DescribeConfigurationRecorders",
            Fault::SlowDown,
            &["SlowDown", "Timeout"],
        ),
        // Answers that do not parse. (Timeout is accepted throughout: under load, the retry
        // delay of the known transient-fault failure can outlast the call timeout.)
        (
            "s3:GetBucketEncryption",
            Fault::Garbage,
            &["ResponseError", "ServiceError", "Timeout"],
        ),
        (
            "iam:GetAccountSummary",
            Fault::Garbage,
            &["ResponseError", "ServiceError", "Timeout"],
        ),
    ];
    let proxy = Proxy::start(
        &url,
        broken
            .iter()
            .map(|(op, fault, _)| Plan::always(op, *fault))
            .collect(),
    );
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().join("reports");
    let (out, elapsed) = scan(
        &via(&acct, &proxy),
        &[
            "-f",
            "json",
            "-f",
            "md",
            "-f",
            "html",
            "--output-dir",
            reports.to_str().unwrap(),
            "--call-timeout",
            "2",
            "--max-attempts",
            "2",
            "--fail-on-not-assessed",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Bounded: every broken call gives up after its attempts and timeout.
    assert!(elapsed < Duration::from_secs(60), "took {elapsed:?}");
    assert_eq!(out.status.code(), Some(1), "exit code; stderr: {stderr}");
    assert!(stderr.contains("incomplete"), "{stderr}");
    assert!(stderr.contains("--fail-on-not-assessed"), "{stderr}");
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(reports.join("onus.json")).unwrap()).unwrap();
    common::assert_gaps_in_catalogue(&results["snapshot"]["coverage_gaps"]);
    assert_eq!(results["summary"]["complete"], false);

    let gaps = gap_errors(&results);
    let wrong: Vec<String> = broken
        .iter()
        .filter(|(op, _, errors)| {
            !gaps
                .get(*op)
                .is_some_and(|got| got.iter().any(|e| errors.contains(&e.as_str())))
        })
        .map(|(op, fault, errors)| {
            format!("{op} ({fault:?}): expected a gap with one of {errors:?}")
        })
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}\ngaps: {gaps:#?}");
    let faulted: BTreeSet<&str> = broken.iter().map(|(op, _, _)| *op).collect();
    let clean_gaps = gap_errors(&clean);
    // A call that was not faulted may still end as a Timeout gap: retries after the faults
    // above wait seconds (the known failure of the transient test), and a slow or reset
    // connection can hold up calls that share it. Any other gap must come from a fault.
    for (op, errors) in &gaps {
        assert!(
            faulted.contains(op.as_str())
                || clean_gaps.contains_key(op)
                || errors
                    .iter()
                    .all(|e| e == "Timeout" || e == "ConnectionError"),
            "a gap for {op} ({errors:?}), which was not faulted"
        );
    }
    let not_assessed = |v: &Value| {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["status"] == "not-assessed")
            .count()
    };
    assert!(
        not_assessed(&results) > not_assessed(&clean) + 20,
        "faults hid little: {} not assessed, {} in the clean run",
        not_assessed(&results),
        not_assessed(&clean)
    );

    // No verdict was made without its data: each result is the clean run's, or not assessed.
    let clean_verdicts = verdicts(&clean);
    let faulty_verdicts = verdicts(&results);
    for (key, (status, message)) in &faulty_verdicts {
        if status == "not-assessed" {
            continue;
        }
        assert_eq!(
            clean_verdicts.get(key).map(|(s, _)| s),
            Some(status),
            "{key:?} is {status} ({message}) under faults but not in the clean run"
        );
    }
    // And what depends on the broken reads is not assessed, on every resource it covers.
    let site = format!("arn:aws:s3:::onus-{}-site", acct.id);
    for (rule, resource) in [
        ("aws-s3-bucket-public-policy", site.as_str()),
        ("aws-s3-bucket-tls-not-enforced", site.as_str()),
    ] {
        assert_eq!(
            faulty_verdicts
                .get(&(rule.to_owned(), resource.to_owned()))
                .map(|(s, _)| s.as_str()),
            Some("not-assessed"),
            "{rule} on {resource}"
        );
    }
    // The clean run did see the bucket policy (moto has no GetBucketPolicyStatus, so the
    // public-policy rule is not assessed even there; the TLS rule reads the policy alone).
    let clean_fails_on_site = clean_verdicts
        .get(&("aws-s3-bucket-tls-not-enforced".to_owned(), site.clone()))
        .map(|(s, _)| s.clone());
    assert_eq!(
        clean_fails_on_site.as_deref(),
        Some("fail"),
        "the clean run saw the bucket policy"
    );
    for prefix in [
        "aws-ec2-security-group-",
        "aws-ec2-network-acl-",
        "aws-iam-password-policy-",
        "aws-cloudtrail-",
        "aws-guardduty-",
        "aws-config-",
        "aws-s3-bucket-versioning-",
        "aws-s3-bucket-mfa-delete-",
        "aws-s3-bucket-default-encryption-",
        "aws-iam-root-",
    ] {
        let of_rule: Vec<_> = faulty_verdicts
            .iter()
            .filter(|((rule, _), _)| rule.starts_with(prefix))
            .collect();
        assert!(!of_rule.is_empty(), "no result for {prefix}*");
        for ((rule, resource), (status, _)) in of_rule {
            assert_eq!(status, "not-assessed", "{rule} on {resource}");
        }
    }
    // Reads that worked still give verdicts.
    assert!(
        faulty_verdicts.values().any(|(s, _)| s == "fail"),
        "nothing was judged at all"
    );

    // The human reports say so.
    let md = std::fs::read_to_string(reports.join("onus.md")).unwrap();
    assert!(md.contains("**Incomplete assessment.**"), "Markdown report");
    assert!(
        md.contains("s3:GetBucketPolicy"),
        "Markdown report lacks the failed call"
    );
    let html = std::fs::read_to_string(reports.join("onus.html")).unwrap();
    assert!(html.contains("Incomplete assessment."), "HTML report");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_scan_makes_only_reads_all_granted_by_the_shipped_policy() {
    let Some(url) = moto_url() else { return };
    let acct = account(&url, "210000000003").await;
    seed(&acct).await;

    let proxy = Proxy::start(&url, Vec::new());
    let started = Instant::now();
    // Twice: the first scan generates the credential report and lets it answer per-user
    // questions; the second finds that report already there and asks every user directly.
    for _ in 0..2 {
        let out = common::onus(
            &via(&acct, &proxy),
            &["scan", "aws", "-q", "--regions", "all", "-f", "json"],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let results = json_of(&out);
        assert!(results["snapshot"]["regions"].as_array().unwrap().len() > 10);
    }
    let elapsed = started.elapsed();

    let policy: Value = serde_json::from_str(POLICY).unwrap();
    let mut granted: BTreeSet<String> = BTreeSet::new();
    for statement in policy["Statement"].as_array().unwrap() {
        assert_eq!(statement["Effect"], "Allow");
        for action in statement["Action"].as_array().unwrap() {
            granted.insert(action.as_str().unwrap().to_owned());
        }
    }
    let is_read = |action: &str| {
        let name = action.split(':').nth(1).unwrap_or_default();
        ["List", "Get", "Describe"]
            .iter()
            .any(|p| name.starts_with(p))
            || action == "iam:GenerateCredentialReport"
    };
    for action in &granted {
        assert!(
            is_read(action),
            "the shipped policy grants {action}, which is not a read"
        );
    }

    let seen = proxy.seen();
    let mut called: BTreeSet<String> = BTreeSet::new();
    for (operation, count) in &seen {
        let action = iam_action(operation);
        assert!(
            is_read(&action),
            "the scan made a call that is not a read: {operation} ({count} times)"
        );
        assert!(
            granted.contains(&action),
            "the scan called {operation} ({action}), which the shipped policy does not grant"
        );
        called.insert(action);
    }
    // And the policy grants nothing more than a scan of this account calls.
    let not_called: BTreeSet<&String> = granted.difference(&called).collect();
    assert!(
        not_called.is_empty(),
        "the shipped policy grants actions no scan called: {not_called:?}"
    );
    eprintln!(
        "two full scans: {} calls of {} operations in {:?}",
        seen.values().sum::<usize>(),
        seen.len(),
        elapsed
    );
}

/// 40 characters of the alphabet AWS secret keys use, standing alone (outside URLs).
fn secret_shaped_tokens(text: &str) -> Vec<&str> {
    text.split(|c: char| c.is_whitespace() || "\"'<>(),;=`|[]{}".contains(c))
        .filter(|word| !word.contains("://"))
        .flat_map(|word| word.split(|c: char| !(c.is_ascii_alphanumeric() || c == '/' || c == '+')))
        .filter(|t| t.len() == 40)
        // Hex digests (fingerprints) and plain words are not secret-shaped.
        .filter(|t| !t.chars().all(|c| c.is_ascii_hexdigit()))
        .filter(|t| {
            t.chars().any(|c| c.is_ascii_digit())
                && t.chars().any(|c| c.is_ascii_uppercase())
                && t.chars().any(|c| c.is_ascii_lowercase())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_reach_no_snapshot_and_no_report() {
    let Some(url) = moto_url() else { return };
    let acct = account(&url, "210000000004").await;
    let mut secrets = seed(&acct).await;
    secrets.push(acct.secret_key.clone());
    secrets.push(acct.session_token.clone());
    assert!(secrets.iter().all(|s| s.len() >= 16), "{secrets:?}");

    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().join("reports");
    let snapshot_json = dir.path().join("snapshot.json");
    let snapshot_yaml = dir.path().join("snapshot.yaml");
    let mut args = vec![
        "--snapshot-out".to_owned(),
        snapshot_json.to_string_lossy().into_owned(),
        "--output-dir".to_owned(),
        reports.to_string_lossy().into_owned(),
    ];
    for f in [
        "text", "json", "md", "html", "sarif", "junit", "csv", "ocsf",
    ] {
        args.push("-f".into());
        args.push(f.into());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (out, _) = scan(&acct, &args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    common::collect(&acct, &snapshot_yaml, &["-q"]);

    let mut files: Vec<std::path::PathBuf> = vec![snapshot_json, snapshot_yaml];
    for entry in std::fs::read_dir(&reports).unwrap() {
        files.push(entry.unwrap().path());
    }
    assert_eq!(files.len(), 10, "{files:?}");
    let mut outputs: Vec<(String, String)> = files
        .iter()
        .map(|f| (f.display().to_string(), std::fs::read_to_string(f).unwrap()))
        .collect();
    outputs.push((
        "stdout".into(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    ));
    outputs.push((
        "stderr".into(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ));
    for (name, text) in &outputs {
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{name} holds a seeded secret"
            );
        }
        let lower = text.to_lowercase();
        for pattern in [
            "aws_secret_access_key",
            "secretaccesskey",
            "sessiontoken",
            "bearer ",
        ] {
            assert!(!lower.contains(pattern), "{name} contains {pattern:?}");
        }
        let shaped = secret_shaped_tokens(text);
        assert!(
            shaped.is_empty(),
            "{name} holds secret-shaped strings: {shaped:?}"
        );
    }
    // The outputs are about this account: the check above read real reports.
    let snapshot = &outputs[0].1;
    assert!(snapshot.contains("alice") && snapshot.contains("access_keys"));
}

#[test]
fn secret_shapes_are_recognised() {
    assert_eq!(
        secret_shaped_tokens("key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY here"),
        vec!["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"]
    );
    assert!(secret_shaped_tokens(&"ab12".repeat(10)).is_empty());
    assert!(secret_shaped_tokens("arn:aws:iam::123456789012:user/alice").is_empty());
    let url = "see https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html";
    assert!(secret_shaped_tokens(url).is_empty());
}
