//! The account's IAM settings: the credential report, the password policy, the account summary,
//! virtual MFA devices, the alias, and the root user they describe.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use aws_sdk_iam::Client;
use aws_sdk_iam::types::ReportStateType;

use crate::collect::aws::credential_report::{Report, report_flag, report_time};
use crate::collect::aws::{Ctx, all_pages, classify, error_code};
use crate::snapshot::{PasswordPolicy, RootAccessKey, RootAccount};

use super::read::*;

/// How long to wait for the credential report to be generated.
const REPORT_WAIT: Duration = Duration::from_secs(30);

pub(super) async fn credential_report(ctx: &Ctx, client: &Client) -> Result<Report, Failure> {
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

/// `Some(None)`: no password policy (a fact); `None`: could not read it (a gap is recorded).
pub(super) async fn password_policy(ctx: &Ctx, client: &Client) -> Option<Option<PasswordPolicy>> {
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
                // Nothing is known about the policy: every field of its view.
                &[],
                "iam:GetAccountPasswordPolicy",
                classify(&err),
            );
            None
        }
    }
}

/// `None` when the summary could not be read (a gap is recorded).
pub(super) async fn account_summary(ctx: &Ctx, client: &Client) -> Option<BTreeMap<String, i64>> {
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
pub(super) async fn virtual_mfa_devices(
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

pub(super) async fn account_alias(ctx: &Ctx, client: &Client) -> Option<String> {
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

pub(super) fn root_account(
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
