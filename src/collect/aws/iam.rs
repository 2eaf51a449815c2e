//! IAM (global): users, groups, roles and policies through GetAccountAuthorizationDetails,
//! the credential report (root included), password policy, account summary, MFA devices,
//! access keys with last use, and the account alias.

use crate::snapshot::kind;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use aws_sdk_iam::Client;
use aws_sdk_iam::types::{EntityType, ReportStateType};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use serde_json::Value as Json;

use super::credential_report::{Report, report_flag, report_text, report_time};
use super::{Ctx, all_pages, classify, error_code, to_utc};
use crate::snapshot::{
    AccessKey, AttachedPolicy, Group, Iam, InlinePolicy, ManagedPolicy, MfaDevice, PasswordPolicy,
    Role, RootAccessKey, RootAccount, Tags, User,
};

const ROOT: &str = kind::AWS_IAM_ROOT;
const USER: &str = kind::AWS_IAM_USER;
const GROUP: &str = kind::AWS_IAM_GROUP;
const ROLE: &str = kind::AWS_IAM_ROLE;
const POLICY: &str = kind::AWS_IAM_POLICY;
const ACCOUNT: &str = kind::AWS_IAM_ACCOUNT;
const PASSWORD_POLICY: &str = kind::AWS_IAM_PASSWORD_POLICY;

/// Every view field of `aws.iam.password_policy`.
const PASSWORD_POLICY_FIELDS: &[&str] = &[
    "allow_users_to_change_password",
    "configured",
    "expire_passwords",
    "hard_expiry",
    "max_password_age",
    "minimum_password_length",
    "password_reuse_prevention",
    "require_lowercase_characters",
    "require_numbers",
    "require_symbols",
    "require_uppercase_characters",
];

/// Users whose MFA devices, keys and login profile are read at the same time.
const USER_CONCURRENCY: usize = 16;
/// How long to wait for the credential report to be generated.
const REPORT_WAIT: Duration = Duration::from_secs(30);

/// A read that failed: the operation and `(error, message)` as [`classify`] gives them.
#[derive(Debug, Clone)]
struct Failure {
    operation: &'static str,
    error: (String, String),
}

/// Returns the IAM model and the account alias.
pub(crate) async fn collect(ctx: &Ctx) -> (Iam, Option<String>) {
    let config = if ctx.config.region().is_some() {
        ctx.config.clone()
    } else {
        // IAM is global; any region of the partition reaches it.
        ctx.regional("us-east-1")
    };
    let client = Client::new(&config);
    let (details, role_extras, report, password_policy, summary, virtual_mfa, alias) = tokio::join!(
        authorization_details(ctx, &client),
        role_extras(ctx, &client),
        credential_report(ctx, &client),
        password_policy(ctx, &client),
        account_summary(ctx, &client),
        virtual_mfa_devices(ctx, &client),
        account_alias(ctx, &client),
    );
    let Details {
        users,
        mut groups,
        mut roles,
        mut policies,
        mut aws_managed_policies,
    } = details;

    // Description and maximum session duration come from ListRoles only.
    match &role_extras {
        Ok(extras) => {
            for role in &mut roles {
                match extras.get(&role.arn) {
                    Some((description, max)) => {
                        role.description.clone_from(description);
                        role.max_session_duration = *max;
                    }
                    None => ctx.gap(
                        ROLE,
                        None,
                        Some(&role.arn),
                        &["description", "max_session_duration"],
                        "iam:ListRoles",
                        (
                            "NotListed".into(),
                            "the role was not in the ListRoles answer".into(),
                        ),
                    ),
                }
            }
        }
        Err(f) => ctx.gap(
            ROLE,
            None,
            None,
            &["description", "max_session_duration"],
            f.operation,
            f.error.clone(),
        ),
    }

    let report_ref = report.as_ref();
    if let Err(f) = report_ref {
        // Only the credential report tells when a password was last used or changed.
        ctx.gap(
            USER,
            None,
            None,
            &["password_last_used", "password_last_changed"],
            f.operation,
            f.error.clone(),
        );
    }
    let virtual_serials: Option<BTreeSet<String>> = virtual_mfa
        .as_ref()
        .ok()
        .map(|list| list.iter().map(|(serial, _)| serial.clone()).collect());
    let mut users: Vec<User> = futures::stream::iter(users)
        .map(|user| user_details(ctx, &client, user, report_ref, virtual_serials.as_ref()))
        .buffer_unordered(USER_CONCURRENCY)
        .collect()
        .await;
    users.sort_by(|a, b| a.name.cmp(&b.name));
    groups.sort_by(|a, b| a.name.cmp(&b.name));
    roles.sort_by(|a, b| a.name.cmp(&b.name));
    policies.sort_by(|a, b| a.arn.cmp(&b.arn));
    aws_managed_policies.sort_by(|a, b| a.arn.cmp(&b.arn));

    let root = root_account(ctx, report_ref, summary.as_ref(), virtual_mfa.as_ref());
    let iam = Iam {
        root,
        account_summary: summary.unwrap_or_default(),
        password_policy: password_policy.unwrap_or_default(),
        users,
        groups,
        roles,
        policies,
        aws_managed_policies,
    };
    (iam, alias)
}

// ---------------------------------------------------------------------------------------------
// GetAccountAuthorizationDetails
// ---------------------------------------------------------------------------------------------

#[derive(Default)]
struct Details {
    users: Vec<User>,
    groups: Vec<Group>,
    roles: Vec<Role>,
    policies: Vec<ManagedPolicy>,
    aws_managed_policies: Vec<ManagedPolicy>,
}

async fn authorization_details(ctx: &Ctx, client: &Client) -> Details {
    let mut details = Details::default();
    let mut marker: Option<String> = None;
    loop {
        let out = {
            let _p = ctx.permit().await;
            ctx.count("iam:GetAccountAuthorizationDetails");
            client
                .get_account_authorization_details()
                .filter(EntityType::User)
                .filter(EntityType::Group)
                .filter(EntityType::Role)
                .filter(EntityType::LocalManagedPolicy)
                .filter(EntityType::AwsManagedPolicy)
                .set_marker(marker.clone())
                .send()
                .await
        };
        let page = match out {
            Ok(page) => page,
            Err(err) => {
                let error = classify(&err);
                for kind in [USER, GROUP, ROLE, POLICY] {
                    ctx.gap(
                        kind,
                        None,
                        None,
                        &[],
                        "iam:GetAccountAuthorizationDetails",
                        error.clone(),
                    );
                }
                ctx.gap(
                    ACCOUNT,
                    None,
                    Some(&account_arn(ctx)),
                    &["support_roles", "role_count", "user_count"],
                    "iam:GetAccountAuthorizationDetails",
                    error,
                );
                return details;
            }
        };
        details
            .users
            .extend(page.user_detail_list().iter().map(user_from_detail));
        details
            .groups
            .extend(page.group_detail_list().iter().map(group_from_detail));
        details
            .roles
            .extend(page.role_detail_list().iter().map(role_from_detail));
        for policy in page.policies() {
            let Some(p) = policy_from_detail(ctx, policy) else {
                continue;
            };
            if !p.arn.contains(":iam::aws:policy/") {
                details.policies.push(p);
            } else if p.attachment_count > 0 || p.permissions_boundary_usage_count > 0 {
                // AWS-managed policies in use: their documents decide who is an administrator.
                details.aws_managed_policies.push(p);
            }
        }
        match next_marker(page.is_truncated(), page.marker()) {
            // A marker that does not move on would loop forever.
            Some(next) if marker.as_ref() != Some(&next) => marker = Some(next),
            _ => break,
        }
    }
    details
}

fn user_from_detail(u: &aws_sdk_iam::types::UserDetail) -> User {
    let mut groups: Vec<String> = u.group_list().to_vec();
    groups.sort();
    User {
        name: u.user_name().unwrap_or_default().to_owned(),
        arn: u.arn().unwrap_or_default().to_owned(),
        id: u.user_id().unwrap_or_default().to_owned(),
        path: u.path().unwrap_or("/").to_owned(),
        created: time(u.create_date()),
        groups,
        attached_policies: attached(u.attached_managed_policies()),
        inline_policies: inline(u.user_policy_list()),
        permissions_boundary: u
            .permissions_boundary()
            .and_then(|b| b.permissions_boundary_arn())
            .map(str::to_owned),
        tags: tags(u.tags()),
        ..User::default()
    }
}

fn group_from_detail(g: &aws_sdk_iam::types::GroupDetail) -> Group {
    Group {
        name: g.group_name().unwrap_or_default().to_owned(),
        arn: g.arn().unwrap_or_default().to_owned(),
        id: g.group_id().unwrap_or_default().to_owned(),
        path: g.path().unwrap_or("/").to_owned(),
        created: time(g.create_date()),
        attached_policies: attached(g.attached_managed_policies()),
        inline_policies: inline(g.group_policy_list()),
    }
}

fn role_from_detail(r: &aws_sdk_iam::types::RoleDetail) -> Role {
    let mut instance_profiles: Vec<String> = r
        .instance_profile_list()
        .iter()
        .map(|p| p.arn().to_owned())
        .collect();
    instance_profiles.sort();
    Role {
        name: r.role_name().unwrap_or_default().to_owned(),
        arn: r.arn().unwrap_or_default().to_owned(),
        id: r.role_id().unwrap_or_default().to_owned(),
        path: r.path().unwrap_or("/").to_owned(),
        created: time(r.create_date()),
        // Filled from ListRoles (a gap when that fails).
        description: None,
        assume_role_policy: r
            .assume_role_policy_document()
            .map_or(Json::Null, decode_document),
        max_session_duration: 3600,
        attached_policies: attached(r.attached_managed_policies()),
        inline_policies: inline(r.role_policy_list()),
        permissions_boundary: r
            .permissions_boundary()
            .and_then(|b| b.permissions_boundary_arn())
            .map(str::to_owned),
        last_used: r
            .role_last_used()
            .and_then(|u| u.last_used_date())
            .and_then(to_utc),
        instance_profiles,
        tags: tags(r.tags()),
    }
}

fn policy_from_detail(
    ctx: &Ctx,
    p: &aws_sdk_iam::types::ManagedPolicyDetail,
) -> Option<ManagedPolicy> {
    let arn = p.arn()?.to_owned();
    let default_version_id = p.default_version_id().unwrap_or_default().to_owned();
    let version = p
        .policy_version_list()
        .iter()
        .find(|v| v.is_default_version())
        .or_else(|| {
            p.policy_version_list()
                .iter()
                .find(|v| v.version_id() == Some(default_version_id.as_str()))
        });
    let document = match version.and_then(|v| v.document()) {
        Some(doc) => decode_document(doc),
        None => {
            ctx.gap(
                POLICY,
                None,
                Some(&arn),
                &["document"],
                "iam:GetAccountAuthorizationDetails",
                (
                    "MissingDocument".into(),
                    "the default policy version's document was not returned".into(),
                ),
            );
            Json::Null
        }
    };
    Some(ManagedPolicy {
        // Derived from the ARN (…:policy/PATH/NAME) when the answer leaves it out.
        name: p
            .policy_name()
            .filter(|n| !n.is_empty())
            .or_else(|| arn.rsplit('/').next())
            .unwrap_or_default()
            .to_owned(),
        arn,
        id: p.policy_id().unwrap_or_default().to_owned(),
        path: p.path().unwrap_or("/").to_owned(),
        default_version_id,
        document,
        attachment_count: count_u32(p.attachment_count()),
        permissions_boundary_usage_count: count_u32(p.permissions_boundary_usage_count()),
        created: time(p.create_date()),
        updated: time(p.update_date()),
    })
}

fn attached(list: &[aws_sdk_iam::types::AttachedPolicy]) -> Vec<AttachedPolicy> {
    let mut out: Vec<AttachedPolicy> = list
        .iter()
        .map(|p| AttachedPolicy {
            name: p.policy_name().unwrap_or_default().to_owned(),
            arn: p.policy_arn().unwrap_or_default().to_owned(),
        })
        .collect();
    out.sort_by(|a, b| a.arn.cmp(&b.arn));
    out
}

fn inline(list: &[aws_sdk_iam::types::PolicyDetail]) -> Vec<InlinePolicy> {
    let mut out: Vec<InlinePolicy> = list
        .iter()
        .map(|p| InlinePolicy {
            name: p.policy_name().unwrap_or_default().to_owned(),
            document: p.policy_document().map_or(Json::Null, decode_document),
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn tags(list: &[aws_sdk_iam::types::Tag]) -> Tags {
    list.iter()
        .map(|t| (t.key().to_owned(), t.value().to_owned()))
        .collect()
}

fn time(t: Option<&aws_smithy_types::DateTime>) -> DateTime<Utc> {
    t.and_then(to_utc).unwrap_or(DateTime::UNIX_EPOCH)
}

fn count_u32(n: Option<i32>) -> u32 {
    n.and_then(|n| u32::try_from(n).ok()).unwrap_or(0)
}

/// A policy document as IAM returns it (URL-encoded JSON) as JSON. A document that does not
/// parse stays a JSON string, so the policy analyzer reports it as malformed.
fn decode_document(raw: &str) -> Json {
    let decoded = percent_decode(raw);
    if let Ok(doc) = serde_json::from_str(&decoded) {
        return doc;
    }
    // Form encoding writes spaces as '+'.
    if raw.contains('+')
        && let Ok(doc) = serde_json::from_str(&percent_decode(&raw.replace('+', " ")))
    {
        return doc;
    }
    // Not encoded at all.
    if let Ok(doc) = serde_json::from_str(raw) {
        return doc;
    }
    Json::String(decoded)
}

/// Decodes `%XX` escapes; anything else, including a malformed escape, stays as written.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ---------------------------------------------------------------------------------------------
// ListRoles (description and maximum session duration)
// ---------------------------------------------------------------------------------------------

type RoleExtras = HashMap<String, (Option<String>, u32)>;

async fn role_extras(ctx: &Ctx, client: &Client) -> Result<RoleExtras, Failure> {
    let operation = "iam:ListRoles";
    let (pages, failure) = all_pages(ctx, operation, |marker| {
        let req = client.list_roles().set_marker(marker);
        async move {
            let page = req.send().await.map_err(|e| classify(&e))?;
            let roles: Vec<(String, (Option<String>, u32))> = page
                .roles()
                .iter()
                .map(|role| {
                    let max = role
                        .max_session_duration()
                        .and_then(|n| u32::try_from(n).ok())
                        .unwrap_or(3600);
                    (
                        role.arn().to_owned(),
                        (role.description().map(str::to_owned), max),
                    )
                })
                .collect();
            Ok((roles, next_marker(page.is_truncated(), page.marker())))
        }
    })
    .await;
    match failure {
        Some(error) => Err(Failure { operation, error }),
        None => Ok(pages.into_iter().collect()),
    }
}

// ---------------------------------------------------------------------------------------------
// Credential report
// ---------------------------------------------------------------------------------------------

async fn credential_report(ctx: &Ctx, client: &Client) -> Result<Report, Failure> {
    let started = Instant::now();
    let mut delay = Duration::from_millis(250);
    let mut generate_error: Option<(String, String)> = None;
    // Whether our first request started a new report (rather than finding one IAM had).
    let mut started_by_us: Option<bool> = None;
    loop {
        let out = {
            let _p = ctx.permit().await;
            ctx.count("iam:GenerateCredentialReport");
            client.generate_credential_report().send().await
        };
        if started_by_us.is_none() {
            started_by_us = Some(matches!(
                &out,
                Ok(o) if o.state() == Some(&ReportStateType::Started)
            ));
        }
        match out {
            Ok(o) if o.state() == Some(&ReportStateType::Complete) => break,
            Ok(_) => {}
            Err(err) => {
                // A recent report may still be there to read.
                generate_error = Some(classify(&err));
                break;
            }
        }
        if started.elapsed() + delay > REPORT_WAIT {
            return Err(Failure {
                operation: "iam:GenerateCredentialReport",
                error: (
                    "Timeout".into(),
                    format!(
                        "the credential report was not ready within {} s",
                        REPORT_WAIT.as_secs()
                    ),
                ),
            });
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
    let out = {
        let _p = ctx.permit().await;
        ctx.count("iam:GetCredentialReport");
        client.get_credential_report().send().await
    };
    match out {
        Ok(o) => {
            let content = o.content().map(|b| b.as_ref()).unwrap_or_default();
            let mut report = Report::parse(&String::from_utf8_lossy(content));
            report.fresh = generate_error.is_none() && started_by_us == Some(true);
            Ok(report)
        }
        Err(err) => match generate_error {
            // No report to read because generating it failed: that failure is the cause.
            Some(error)
                if matches!(
                    error_code(&err),
                    Some("ReportNotPresent" | "ReportExpired" | "ReportInProgress")
                ) =>
            {
                Err(Failure {
                    operation: "iam:GenerateCredentialReport",
                    error,
                })
            }
            _ => Err(Failure {
                operation: "iam:GetCredentialReport",
                error: classify(&err),
            }),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Account-level reads
// ---------------------------------------------------------------------------------------------

/// `Some(None)`: no password policy (a fact); `None`: could not read it (a gap is recorded).
async fn password_policy(ctx: &Ctx, client: &Client) -> Option<Option<PasswordPolicy>> {
    let out = {
        let _p = ctx.permit().await;
        ctx.count("iam:GetAccountPasswordPolicy");
        client.get_account_password_policy().send().await
    };
    match out {
        Ok(o) => Some(o.password_policy().map(|p| {
            PasswordPolicy {
                minimum_password_length: count_u32(p.minimum_password_length()),
                require_symbols: p.require_symbols(),
                require_numbers: p.require_numbers(),
                require_uppercase_characters: p.require_uppercase_characters(),
                require_lowercase_characters: p.require_lowercase_characters(),
                allow_users_to_change_password: p.allow_users_to_change_password(),
                expire_passwords: p.expire_passwords(),
                max_password_age: p
                    .max_password_age()
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|n| *n > 0),
                password_reuse_prevention: p
                    .password_reuse_prevention()
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|n| *n > 0),
                hard_expiry: p.hard_expiry().unwrap_or(false),
            }
        })),
        Err(err) if error_code(&err) == Some("NoSuchEntity") => Some(None),
        Err(err) => {
            ctx.gap(
                PASSWORD_POLICY,
                None,
                Some(&format!(
                    "arn:aws:iam::{}:account-password-policy",
                    ctx.account
                )),
                PASSWORD_POLICY_FIELDS,
                "iam:GetAccountPasswordPolicy",
                classify(&err),
            );
            None
        }
    }
}

/// `None` when the summary could not be read (a gap is recorded).
async fn account_summary(ctx: &Ctx, client: &Client) -> Option<BTreeMap<String, i64>> {
    let out = {
        let _p = ctx.permit().await;
        ctx.count("iam:GetAccountSummary");
        client.get_account_summary().send().await
    };
    match out {
        Ok(o) => Some(
            o.summary_map()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.as_str().to_owned(), i64::from(*v)))
                        .collect()
                })
                .unwrap_or_default(),
        ),
        Err(err) => {
            ctx.gap(
                ROOT,
                None,
                None,
                &["account_summary"],
                "iam:GetAccountSummary",
                classify(&err),
            );
            None
        }
    }
}

/// Virtual MFA devices as `(serial number, ARN of the user it is assigned to)`.
async fn virtual_mfa_devices(
    ctx: &Ctx,
    client: &Client,
) -> Result<Vec<(String, Option<String>)>, Failure> {
    let operation = "iam:ListVirtualMFADevices";
    let (devices, failure) = all_pages(ctx, operation, |marker| {
        let req = client.list_virtual_mfa_devices().set_marker(marker);
        async move {
            let page = req.send().await.map_err(|e| classify(&e))?;
            let devices: Vec<(String, Option<String>)> = page
                .virtual_mfa_devices()
                .iter()
                .map(|d| {
                    (
                        d.serial_number().to_owned(),
                        d.user().map(|u| u.arn().to_owned()),
                    )
                })
                .collect();
            Ok((devices, next_marker(page.is_truncated(), page.marker())))
        }
    })
    .await;
    match failure {
        Some(error) => Err(Failure { operation, error }),
        None => Ok(devices),
    }
}

async fn account_alias(ctx: &Ctx, client: &Client) -> Option<String> {
    let operation = "iam:ListAccountAliases";
    let (mut aliases, failure) = all_pages(ctx, operation, |marker| {
        let req = client.list_account_aliases().set_marker(marker);
        async move {
            let page = req.send().await.map_err(|e| classify(&e))?;
            Ok((
                page.account_aliases().to_vec(),
                next_marker(page.is_truncated(), page.marker()),
            ))
        }
    })
    .await;
    if let Some(error) = failure {
        ctx.gap(
            ACCOUNT,
            None,
            Some(&account_arn(ctx)),
            &["alias"],
            operation,
            error,
        );
        return None;
    }
    aliases.sort();
    aliases.into_iter().next()
}

/// The marker of the next page, `None` after the last one ([`all_pages`] also stops when a
/// marker repeats).
fn next_marker(truncated: bool, next: Option<&str>) -> Option<String> {
    next.filter(|m| truncated && !m.is_empty())
        .map(str::to_owned)
}

fn account_arn(ctx: &Ctx) -> String {
    format!("arn:aws:iam::{}:account", ctx.account)
}

// ---------------------------------------------------------------------------------------------
// Root user
// ---------------------------------------------------------------------------------------------

fn root_account(
    ctx: &Ctx,
    report: Result<&Report, &Failure>,
    summary: Option<&BTreeMap<String, i64>>,
    virtual_mfa: Result<&Vec<(String, Option<String>)>, &Failure>,
) -> RootAccount {
    let arn = format!("arn:aws:iam::{}:root", ctx.account);
    let row = report.ok().and_then(Report::root);
    let summary_value = |key: &str| summary.and_then(|s| s.get(key)).copied();
    let mut unknown: Vec<&str> = Vec::new();

    let root_virtual = match virtual_mfa {
        Ok(list) => Some(list.iter().any(|(serial, user)| {
            user.as_deref() == Some(arn.as_str())
                || serial.ends_with(":mfa/root-account-mfa-device")
        })),
        Err(f) => {
            ctx.gap(
                ROOT,
                None,
                None,
                &["virtual_mfa"],
                f.operation,
                f.error.clone(),
            );
            None
        }
    };

    // The account summary is live; the report may be hours old.
    let mfa_active = match summary_value("AccountMFAEnabled")
        .map(|v| v > 0)
        .or_else(|| row.and_then(|r| report_flag(r, "mfa_active")))
    {
        Some(v) => v || root_virtual == Some(true),
        None if root_virtual == Some(true) => true,
        None => {
            unknown.push("mfa_active");
            false
        }
    };
    // The report says `not_supported` for the root password; the root user has one unless it
    // was removed (centralized root access), which the summary reports when it knows.
    let password_enabled = match summary_value("AccountPasswordPresent") {
        Some(v) => v > 0,
        None => match row
            .and_then(|r| r.get("password_enabled"))
            .map(String::as_str)
        {
            Some("true" | "not_supported") => true,
            Some("false") => false,
            _ => {
                unknown.push("password_enabled");
                false
            }
        },
    };
    let password_last_used = match row {
        Some(r) => report_time(r, "password_last_used"),
        None => {
            unknown.push("password_last_used");
            None
        }
    };
    let access_keys = match row {
        Some(r) => ["access_key_1", "access_key_2"]
            .iter()
            .filter_map(|k| {
                let active = report_flag(r, &format!("{k}_active")).unwrap_or(false);
                let last_rotated = report_time(r, &format!("{k}_last_rotated"));
                (active || last_rotated.is_some()).then(|| RootAccessKey {
                    active,
                    last_rotated,
                    last_used: report_time(r, &format!("{k}_last_used_date")),
                })
            })
            .collect(),
        None if summary_value("AccountAccessKeysPresent") == Some(0) => Vec::new(),
        None => {
            unknown.push("access_keys");
            Vec::new()
        }
    };
    if !unknown.is_empty() {
        let (operation, error) = match report {
            Err(f) => (f.operation, f.error.clone()),
            Ok(_) => (
                "iam:GetCredentialReport",
                (
                    "NoRootRow".to_owned(),
                    "the credential report has no <root_account> row".to_owned(),
                ),
            ),
        };
        ctx.gap(ROOT, None, None, &unknown, operation, error);
    }
    RootAccount {
        arn,
        mfa_active,
        virtual_mfa: root_virtual.unwrap_or(false),
        password_enabled,
        password_last_used,
        access_keys,
    }
}

// ---------------------------------------------------------------------------------------------
// Per user: MFA devices, access keys, login profile, credential report row
// ---------------------------------------------------------------------------------------------

async fn user_details(
    ctx: &Ctx,
    client: &Client,
    mut user: User,
    report: Result<&Report, &Failure>,
    virtual_serials: Option<&BTreeSet<String>>,
) -> User {
    let row = report.ok().and_then(|r| r.user(&user.arn));
    // A report this scan generated answers what three of the per-user calls would: no MFA
    // device, no access key, whether there is a console password. Whatever it does not answer
    // plainly is still asked.
    let fresh = row.filter(|_| report.is_ok_and(|r| r.fresh));
    let fresh_flag = |column: &str| fresh.and_then(|r| report_flag(r, column));
    let no_keys = fresh.is_some_and(|r| {
        ["access_key_1", "access_key_2"].iter().all(|k| {
            report_flag(r, &format!("{k}_active")) == Some(false)
                && r.get(&format!("{k}_last_rotated")).map(String::as_str) == Some("N/A")
        })
    });
    let (mfa, keys, login) = tokio::join!(
        async {
            match fresh_flag("mfa_active") {
                Some(false) => Ok(Vec::new()),
                _ => mfa_devices(ctx, client, &user.name, virtual_serials).await,
            }
        },
        async {
            if no_keys {
                Ok(Vec::new())
            } else {
                access_keys(ctx, client, &user.name, fresh).await
            }
        },
        async {
            match fresh_flag("password_enabled") {
                Some(enabled) => Ok(enabled),
                None => login_profile(ctx, client, &user.name).await,
            }
        },
    );

    match mfa {
        Ok(devices) => user.mfa_devices = devices,
        Err(f) => ctx.gap(
            USER,
            None,
            Some(&user.arn),
            &["mfa_devices"],
            f.operation,
            f.error,
        ),
    }

    match keys {
        Ok(keys) => {
            let mut unknown_use: Option<Failure> = None;
            user.access_keys = keys
                .into_iter()
                .map(|(mut key, last_used)| {
                    match last_used {
                        Ok(Some((when, service, region))) => {
                            key.last_used = when;
                            key.last_used_service = service;
                            key.last_used_region = region;
                        }
                        Ok(None) => {}
                        Err(f) => match row.and_then(|r| report_key_use(r, &key)) {
                            Some((when, service, region)) => {
                                key.last_used = when;
                                key.last_used_service = service;
                                key.last_used_region = region;
                            }
                            None => unknown_use = Some(f),
                        },
                    }
                    key
                })
                .collect();
            user.access_keys.sort_by(|a, b| a.id.cmp(&b.id));
            if let Some(f) = unknown_use {
                ctx.gap(
                    USER,
                    None,
                    Some(&user.arn),
                    &["access_keys"],
                    f.operation,
                    f.error,
                );
            }
        }
        Err(f) => ctx.gap(
            USER,
            None,
            Some(&user.arn),
            &["access_keys"],
            f.operation,
            f.error,
        ),
    }

    // Read live, or from a report this scan generated; an older report row is only the
    // fallback when the live read fails.
    user.password_enabled = match login {
        Ok(enabled) => enabled,
        Err(f) => match row.and_then(|r| report_flag(r, "password_enabled")) {
            Some(enabled) => enabled,
            None => {
                ctx.gap(
                    USER,
                    None,
                    Some(&user.arn),
                    &["password_enabled"],
                    f.operation,
                    f.error,
                );
                false
            }
        },
    };

    match (row, report) {
        (Some(r), _) => {
            user.password_last_used = report_time(r, "password_last_used");
            user.password_last_changed = report_time(r, "password_last_changed");
        }
        // Recorded once for every user.
        (None, Err(_)) => {}
        (None, Ok(_)) => ctx.gap(
            USER,
            None,
            Some(&user.arn),
            &["password_last_used", "password_last_changed"],
            "iam:GetCredentialReport",
            (
                "NotInCredentialReport".into(),
                "the user is not in the credential report (created after it was generated?)".into(),
            ),
        ),
    }
    user
}

async fn mfa_devices(
    ctx: &Ctx,
    client: &Client,
    user: &str,
    virtual_serials: Option<&BTreeSet<String>>,
) -> Result<Vec<MfaDevice>, Failure> {
    let operation = "iam:ListMFADevices";
    let (mut out, failure) = all_pages(ctx, operation, |marker| {
        let req = client.list_mfa_devices().user_name(user).set_marker(marker);
        async move {
            let page = req.send().await.map_err(|e| classify(&e))?;
            let devices: Vec<MfaDevice> = page
                .mfa_devices()
                .iter()
                .map(|d| {
                    let serial = d.serial_number().to_owned();
                    MfaDevice {
                        enable_date: to_utc(d.enable_date()),
                        // Virtual devices are listed by ListVirtualMFADevices and named
                        // arn:aws:iam::ACCOUNT:mfa/NAME; hardware tokens and FIDO keys are not.
                        virtual_device: virtual_serials.is_some_and(|v| v.contains(&serial))
                            || serial.contains(":mfa/"),
                        serial_number: serial,
                    }
                })
                .collect();
            Ok((devices, next_marker(page.is_truncated(), page.marker())))
        }
    })
    .await;
    if let Some(error) = failure {
        return Err(Failure { operation, error });
    }
    out.sort_by(|a, b| a.serial_number.cmp(&b.serial_number));
    Ok(out)
}

/// When, with which service and in which region a key was last used.
type KeyUse = (Option<DateTime<Utc>>, Option<String>, Option<String>);

/// The user's access keys, each with its last use (`Ok(None)`: never used), taken from
/// `fresh_row` (a credential report row this scan generated) where it names the key
/// unambiguously, otherwise asked.
async fn access_keys(
    ctx: &Ctx,
    client: &Client,
    user: &str,
    fresh_row: Option<&BTreeMap<String, String>>,
) -> Result<Vec<(AccessKey, Result<Option<KeyUse>, Failure>)>, Failure> {
    let operation = "iam:ListAccessKeys";
    let (keys, failure) = all_pages(ctx, operation, |marker| {
        let req = client.list_access_keys().user_name(user).set_marker(marker);
        async move {
            let page = req.send().await.map_err(|e| classify(&e))?;
            let keys: Vec<AccessKey> = page
                .access_key_metadata()
                .iter()
                .map(|k| AccessKey {
                    id: k.access_key_id().unwrap_or_default().to_owned(),
                    status: k
                        .status()
                        .map_or_else(String::new, |s| s.as_str().to_owned()),
                    created: time(k.create_date()),
                    ..AccessKey::default()
                })
                .collect();
            Ok((keys, next_marker(page.is_truncated(), page.marker())))
        }
    })
    .await;
    if let Some(error) = failure {
        return Err(Failure { operation, error });
    }
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        let last_used = match fresh_row.and_then(|r| report_key_use(r, &key)) {
            Some(used) => Ok(Some(used)),
            None => key_last_used(ctx, client, &key.id).await,
        };
        out.push((key, last_used));
    }
    Ok(out)
}

async fn key_last_used(ctx: &Ctx, client: &Client, id: &str) -> Result<Option<KeyUse>, Failure> {
    let out = {
        let _p = ctx.permit().await;
        ctx.count("iam:GetAccessKeyLastUsed");
        client
            .get_access_key_last_used()
            .access_key_id(id)
            .send()
            .await
    };
    let out = out.map_err(|err| Failure {
        operation: "iam:GetAccessKeyLastUsed",
        error: classify(&err),
    })?;
    let Some(used) = out.access_key_last_used() else {
        return Ok(None);
    };
    let known = |s: &str| (!s.is_empty() && s != "N/A").then(|| s.to_owned());
    let when = used.last_used_date().and_then(to_utc);
    if when.is_none() {
        return Ok(None);
    }
    Ok(Some((
        when,
        known(used.service_name()),
        known(used.region()),
    )))
}

/// A key's last use from the credential report row, matching the key by its creation time;
/// `None` when no slot, or both, match (two keys made in the same second).
fn report_key_use(row: &BTreeMap<String, String>, key: &AccessKey) -> Option<KeyUse> {
    let mut matching = ["access_key_1", "access_key_2"].into_iter().filter(|k| {
        report_time(row, &format!("{k}_last_rotated"))
            .is_some_and(|rotated| rotated.timestamp() == key.created.timestamp())
    });
    let k = matching.next()?;
    if matching.next().is_some() {
        return None;
    }
    Some((
        report_time(row, &format!("{k}_last_used_date")),
        report_text(row, &format!("{k}_last_used_service")),
        report_text(row, &format!("{k}_last_used_region")),
    ))
}

/// Whether the user has a console password (a login profile).
async fn login_profile(ctx: &Ctx, client: &Client, user: &str) -> Result<bool, Failure> {
    let out = {
        let _p = ctx.permit().await;
        ctx.count("iam:GetLoginProfile");
        client.get_login_profile().user_name(user).send().await
    };
    match out {
        Ok(o) => Ok(o.login_profile().is_some()),
        Err(err) if error_code(&err) == Some("NoSuchEntity") => Ok(false),
        Err(err) => Err(Failure {
            operation: "iam:GetLoginProfile",
            error: classify(&err),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_url_encoded_documents() {
        let doc = decode_document(
            "%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement%22%3A%20%5B%5D%7D",
        );
        assert_eq!(
            doc,
            serde_json::json!({"Version": "2012-10-17", "Statement": []})
        );
        let plus = decode_document("%7B%22a%22%3A+1%7D");
        assert_eq!(plus, serde_json::json!({"a": 1}));
        let raw = decode_document("{\"a\": \"100%\"}");
        assert_eq!(raw, serde_json::json!({"a": "100%"}));
        let broken = decode_document("%7B%22Version%22");
        assert_eq!(broken, Json::String("{\"Version\"".into()));
    }

    #[test]
    fn pages_stop_at_the_end() {
        assert_eq!(next_marker(true, Some("b")), Some("b".to_owned()));
        assert_eq!(next_marker(false, Some("b")), None);
        assert_eq!(next_marker(true, Some("")), None);
        assert_eq!(next_marker(true, None), None);
    }
}
