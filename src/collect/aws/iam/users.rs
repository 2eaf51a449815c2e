//! Per-user reads: MFA devices, access keys with their last use, and the login profile, or
//! the credential report where this scan generated it.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_iam::Client;
use chrono::{DateTime, Utc};

use crate::collect::aws::credential_report::{Report, report_flag, report_text, report_time};
use crate::collect::aws::{Ctx, all_pages, classify, error_code, to_utc};
use crate::snapshot::{AccessKey, MfaDevice, User};

use super::read::*;

pub(super) async fn user_details(
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

pub(super) async fn mfa_devices(
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
pub(super) type KeyUse = (Option<DateTime<Utc>>, Option<String>, Option<String>);

/// The user's access keys, each with its last use (`Ok(None)`: never used), taken from
/// `fresh_row` (a credential report row this scan generated) where it names the key
/// unambiguously, otherwise asked.
pub(super) async fn access_keys(
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

pub(super) async fn key_last_used(
    ctx: &Ctx,
    client: &Client,
    id: &str,
) -> Result<Option<KeyUse>, Failure> {
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
pub(super) fn report_key_use(row: &BTreeMap<String, String>, key: &AccessKey) -> Option<KeyUse> {
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
pub(super) async fn login_profile(ctx: &Ctx, client: &Client, user: &str) -> Result<bool, Failure> {
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
