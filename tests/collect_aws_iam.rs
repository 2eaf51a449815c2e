//! The IAM collector against moto: seeded users, groups, roles, policies and password
//! policies, scanned by the real binary; each rule family has a resource that must fail and a
//! twin that must pass.

#![cfg(feature = "aws")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aws_sdk_iam::Client;
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use serde_json::Value;

use common::{Account, account, moto_url, scan_json, status_of};

const ADMIN: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
const SCOPED: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::reports","arn:aws:s3:::reports/*"]}]}"#;
const TRUST_ANYONE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;
const TRUST_PARTNER: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}"#;

/// Accepts success and "already there" (so a test can run again against the same server).
fn seeded<T, E: ProvideErrorMetadata + std::fmt::Debug, R: std::fmt::Debug>(
    what: &str,
    result: Result<T, SdkError<E, R>>,
) {
    if let Err(err) = result {
        let code = err.code().unwrap_or_default().to_owned();
        assert!(code == "EntityAlreadyExists", "seeding {what}: {err:?}");
    }
}

/// The result of `rule` on `resource` is `expected`.
#[track_caller]
fn expect(results: &Value, rule: &str, resource: &str, expected: &str) {
    common::expect_any(results, rule, resource, &[Some(expected)]);
}

async fn user(iam: &Client, name: &str) {
    seeded(name, iam.create_user().user_name(name).send().await);
}

async fn console(iam: &Client, name: &str) {
    seeded(
        name,
        iam.create_login_profile()
            .user_name(name)
            .password("Correct-Horse-Battery-9")
            .send()
            .await,
    );
}

/// Gives `name` exactly `count` access keys.
async fn keys(iam: &Client, name: &str, count: usize) {
    let have = iam
        .list_access_keys()
        .user_name(name)
        .send()
        .await
        .expect("ListAccessKeys")
        .access_key_metadata()
        .len();
    for _ in have..count {
        iam.create_access_key()
            .user_name(name)
            .send()
            .await
            .expect("CreateAccessKey");
    }
}

async fn managed_policy(iam: &Client, account: &Account, name: &str, document: &str) -> String {
    seeded(
        name,
        iam.create_policy()
            .policy_name(name)
            .policy_document(document)
            .send()
            .await,
    );
    format!("arn:aws:iam::{}:policy/{name}", account.id)
}

async fn seed_identities(acct: &Account) {
    let iam = Client::new(&acct.config);

    // Console users: one without MFA, one with a virtual MFA device.
    user(&iam, "alice-console").await;
    console(&iam, "alice-console").await;
    user(&iam, "bob-console-mfa").await;
    console(&iam, "bob-console-mfa").await;
    let listed = iam
        .list_mfa_devices()
        .user_name("bob-console-mfa")
        .send()
        .await
        .expect("ListMFADevices");
    if listed.mfa_devices().is_empty() {
        let device = iam
            .create_virtual_mfa_device()
            .virtual_mfa_device_name("bob-phone")
            .send()
            .await
            .expect("CreateVirtualMFADevice");
        let serial = device
            .virtual_mfa_device()
            .expect("device")
            .serial_number()
            .to_owned();
        iam.enable_mfa_device()
            .user_name("bob-console-mfa")
            .serial_number(serial)
            .authentication_code1("123456")
            .authentication_code2("654321")
            .send()
            .await
            .expect("EnableMFADevice");
    }

    // Access keys: two active, and one.
    user(&iam, "carol-two-keys").await;
    keys(&iam, "carol-two-keys", 2).await;
    user(&iam, "dave-one-key").await;
    keys(&iam, "dave-one-key", 1).await;

    // Permissions given directly (a scoped inline policy; a full-admin inline policy) and
    // through a group.
    user(&iam, "erin-direct").await;
    seeded(
        "erin inline",
        iam.put_user_policy()
            .user_name("erin-direct")
            .policy_name("read-reports")
            .policy_document(SCOPED)
            .send()
            .await,
    );
    user(&iam, "gina-inline-admin").await;
    seeded(
        "gina inline",
        iam.put_user_policy()
            .user_name("gina-inline-admin")
            .policy_name("everything")
            .policy_document(ADMIN)
            .send()
            .await,
    );
    user(&iam, "frank-grouped").await;

    // Customer-managed policies, attached through groups.
    let admin = managed_policy(&iam, acct, "full-admin", ADMIN).await;
    let scoped = managed_policy(&iam, acct, "scoped-read", SCOPED).await;
    seeded(
        "admins",
        iam.create_group().group_name("admins").send().await,
    );
    seeded(
        "readers",
        iam.create_group().group_name("readers").send().await,
    );
    seeded(
        "attach admin",
        iam.attach_group_policy()
            .group_name("admins")
            .policy_arn(admin)
            .send()
            .await,
    );
    seeded(
        "attach scoped",
        iam.attach_group_policy()
            .group_name("readers")
            .policy_arn(scoped)
            .send()
            .await,
    );
    seeded(
        "frank in readers",
        iam.add_user_to_group()
            .group_name("readers")
            .user_name("frank-grouped")
            .send()
            .await,
    );

    // Roles: trusting anyone, and trusting one account.
    seeded(
        "trust-anyone",
        iam.create_role()
            .role_name("trust-anyone")
            .assume_role_policy_document(TRUST_ANYONE)
            .max_session_duration(7200)
            .description("assumable by everyone")
            .send()
            .await,
    );
    seeded(
        "trust-partner",
        iam.create_role()
            .role_name("trust-partner")
            .assume_role_policy_document(TRUST_PARTNER)
            .send()
            .await,
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn iam_users_policies_and_roles() {
    let Some(url) = moto_url() else { return };
    let acct = account(&url, "200000000001").await;
    seed_identities(&acct).await;

    let results = scan_json(&acct, &["--regions", "eu-west-1"]);

    expect(
        &results,
        "aws-iam-user-console-without-mfa",
        "alice-console",
        "fail",
    );
    expect(
        &results,
        "aws-iam-user-console-without-mfa",
        "bob-console-mfa",
        "pass",
    );

    expect(
        &results,
        "aws-iam-user-multiple-active-access-keys",
        "carol-two-keys",
        "fail",
    );
    expect(
        &results,
        "aws-iam-user-multiple-active-access-keys",
        "dave-one-key",
        "pass",
    );

    expect(
        &results,
        "aws-iam-user-direct-policy",
        "erin-direct",
        "fail",
    );
    expect(
        &results,
        "aws-iam-user-direct-policy",
        "frank-grouped",
        "pass",
    );
    expect(
        &results,
        "aws-iam-user-inline-full-admin",
        "gina-inline-admin",
        "fail",
    );
    expect(
        &results,
        "aws-iam-user-inline-full-admin",
        "erin-direct",
        "pass",
    );

    expect(&results, "aws-iam-policy-full-admin", "full-admin", "fail");
    expect(&results, "aws-iam-policy-full-admin", "scoped-read", "pass");

    expect(
        &results,
        "aws-iam-role-trust-allows-anyone",
        "trust-anyone",
        "fail",
    );
    expect(
        &results,
        "aws-iam-role-trust-allows-anyone",
        "trust-partner",
        "pass",
    );

    // moto's credential report has no root row: the fields only it gives are a gap, the
    // others still come from the account summary.
    expect(
        &results,
        "aws-iam-root-recently-used",
        "root user",
        "not-assessed",
    );
    let gaps = results["snapshot"]["coverage_gaps"].as_array().unwrap();
    assert!(
        gaps.iter().any(|g| g["kind"] == "aws.iam.root"
            && g["operation"] == "iam:GetCredentialReport"
            && g["fields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == "password_last_used")),
        "root gap: {gaps:#?}"
    );
    // Nothing about users, groups, roles or policies went unread.
    let unexpected: Vec<&Value> = gaps
        .iter()
        .filter(|g| {
            g["kind"]
                .as_str()
                .is_some_and(|k| k.starts_with("aws.iam.") && k != "aws.iam.root")
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "unexpected IAM gaps: {unexpected:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn iam_snapshot_details() {
    let Some(url) = moto_url() else { return };
    let acct = account(&url, "200000000006").await;
    seed_identities(&acct).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snapshot.json");
    common::collect(&acct, &path, &["-q"]);
    let snapshot: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let iam = &snapshot["aws"]["accounts"][0]["iam"];
    let find = |list: &str, name: &str| -> Value {
        iam[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{list} {name} in {iam:#}"))
    };

    // Documents are URL-decoded JSON.
    let policy = find("policies", "full-admin");
    assert_eq!(policy["document"]["Statement"][0]["Action"], "*");
    assert_eq!(policy["attachment_count"], 1);
    let role = find("roles", "trust-anyone");
    assert_eq!(
        role["assume_role_policy"]["Statement"][0]["Principal"]["AWS"],
        "*"
    );
    assert_eq!(role["max_session_duration"], 7200);
    assert_eq!(role["description"], "assumable by everyone");
    let erin = find("users", "erin-direct");
    assert_eq!(
        erin["inline_policies"][0]["document"]["Statement"][0]["Resource"][0],
        "arn:aws:s3:::reports"
    );
    assert_eq!(erin["password_enabled"], false);
    let bob = find("users", "bob-console-mfa");
    assert_eq!(bob["password_enabled"], true);
    assert_eq!(bob["mfa_devices"][0]["virtual_device"], true);
    let frank = find("users", "frank-grouped");
    assert_eq!(frank["groups"], serde_json::json!(["readers"]));
    let carol = find("users", "carol-two-keys");
    assert_eq!(carol["access_keys"].as_array().unwrap().len(), 2);
    assert_eq!(carol["access_keys"][0]["status"], "Active");
    // AWS-managed policies are not collected.
    assert!(
        iam["policies"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| !p["arn"].as_str().unwrap().contains(":iam::aws:"))
    );
    assert_eq!(iam["root"]["arn"], "arn:aws:iam::200000000006:root");
}

#[tokio::test(flavor = "multi_thread")]
async fn password_policy_missing_weak_and_strong() {
    let Some(url) = moto_url() else { return };
    let (missing, strong, weak) = tokio::join!(
        account(&url, "200000000002"),
        account(&url, "200000000003"),
        account(&url, "200000000004")
    );
    Client::new(&strong.config)
        .update_account_password_policy()
        .minimum_password_length(14)
        .password_reuse_prevention(24)
        .require_symbols(true)
        .send()
        .await
        .expect("UpdateAccountPasswordPolicy");
    Client::new(&weak.config)
        .update_account_password_policy()
        .minimum_password_length(8)
        .password_reuse_prevention(5)
        .send()
        .await
        .expect("UpdateAccountPasswordPolicy");
    let policy = "account password policy";

    let results = scan_json(&missing, &["--regions", "eu-west-1"]);
    expect(&results, "aws-iam-password-policy-missing", policy, "fail");
    // The length and reuse rules apply only to a configured policy.
    assert_eq!(
        status_of(
            &results,
            "aws-iam-password-policy-short-minimum-length",
            policy
        ),
        None
    );

    let results = scan_json(&strong, &["--regions", "eu-west-1"]);
    expect(&results, "aws-iam-password-policy-missing", policy, "pass");
    expect(
        &results,
        "aws-iam-password-policy-short-minimum-length",
        policy,
        "pass",
    );
    expect(
        &results,
        "aws-iam-password-policy-allows-reuse",
        policy,
        "pass",
    );

    let results = scan_json(&weak, &["--regions", "eu-west-1"]);
    expect(&results, "aws-iam-password-policy-missing", policy, "pass");
    expect(
        &results,
        "aws-iam-password-policy-short-minimum-length",
        policy,
        "fail",
    );
    expect(
        &results,
        "aws-iam-password-policy-allows-reuse",
        policy,
        "fail",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn snapshot_never_holds_secret_access_keys() {
    let Some(url) = moto_url() else { return };
    let acct = account(&url, "200000000005").await;
    let iam = Client::new(&acct.config);
    user(&iam, "deploy").await;
    // A fresh key every run, so its secret is known.
    let existing = iam
        .list_access_keys()
        .user_name("deploy")
        .send()
        .await
        .expect("ListAccessKeys");
    for key in existing.access_key_metadata() {
        iam.delete_access_key()
            .user_name("deploy")
            .access_key_id(key.access_key_id().unwrap())
            .send()
            .await
            .expect("DeleteAccessKey");
    }
    let created = iam
        .create_access_key()
        .user_name("deploy")
        .send()
        .await
        .expect("CreateAccessKey");
    let key = created.access_key().expect("key");
    let (key_id, secret) = (
        key.access_key_id().to_owned(),
        key.secret_access_key().to_owned(),
    );
    assert!(!secret.is_empty());

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snapshot.json");
    common::collect(&acct, &path, &["-q"]);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(&key_id), "the key itself is collected");
    assert!(
        !text.contains(&secret),
        "the secret access key is in the snapshot"
    );
    assert!(
        !text.contains(&acct.secret_key),
        "the scanner's own secret is in the snapshot"
    );
    assert!(
        !text.contains(&acct.session_token),
        "the session token is in the snapshot"
    );
}

/// How many `onus: call OPERATION` lines `-v` wrote for `operation`.
fn calls(stderr: &str, operation: &str) -> usize {
    let line = format!("onus: call {operation}");
    stderr.lines().filter(|l| *l == line).count()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_credential_report_this_scan_generated_replaces_per_user_calls_and_an_older_one_does_not()
{
    let Some(url) = moto_url() else { return };
    // An account never scanned before, even when the tests run again on the same server: the
    // first scan must be the one that starts the report.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let acct = account(&url, &format!("3{:011}", nanos % 100_000_000_000)).await;
    seed_identities(&acct).await;
    let dir = tempfile::tempdir().unwrap();
    let collect = |name: &str| {
        let path = dir.path().join(name);
        let log = common::collect(&acct, &path, &["-v"]);
        let snapshot: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        (snapshot["aws"]["accounts"][0]["iam"]["users"].clone(), log)
    };

    // First scan of the account: GenerateCredentialReport starts a new report, so its rows are
    // as current as the scan and stand in for the per-user calls they answer.
    let (fresh_users, fresh_log) = collect("fresh.json");
    let users = fresh_users.as_array().unwrap().len();
    assert_eq!(users, 7, "{fresh_users:#}");
    assert_eq!(calls(&fresh_log, "iam:GetLoginProfile"), 0);
    // Only bob has an MFA device; only carol and dave have keys.
    assert_eq!(calls(&fresh_log, "iam:ListMFADevices"), 1);
    assert_eq!(calls(&fresh_log, "iam:ListAccessKeys"), 2);

    // Second scan: IAM answers with the report it already has (it could be hours old), so
    // every user is asked about directly.
    let (stale_users, stale_log) = collect("stale.json");
    assert_eq!(calls(&stale_log, "iam:GetLoginProfile"), users);
    assert_eq!(calls(&stale_log, "iam:ListMFADevices"), users);
    assert_eq!(calls(&stale_log, "iam:ListAccessKeys"), users);
    assert_eq!(calls(&stale_log, "iam:GetAccessKeyLastUsed"), 3);

    // Both ways see the same users.
    assert_eq!(fresh_users, stale_users);
    let bob = |list: &Value| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|u| u["name"] == "bob-console-mfa")
            .cloned()
            .unwrap()
    };
    assert_eq!(bob(&fresh_users)["password_enabled"], true);
    assert_eq!(bob(&fresh_users)["mfa_devices"][0]["virtual_device"], true);
}
