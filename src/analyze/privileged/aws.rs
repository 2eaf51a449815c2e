//! Privileged access in AWS accounts: every privileged identity, why it is privileged (the
//! statements, or the escalation path step by step), and which protections it has or lacks;
//! identities whose rights could not be derived are listed as not assessed. Per account:
//! whether a first use would be recorded (a validated multi-region trail) and noticed
//! (GuardDuty).

use super::model::{
    AWS_MONITORING, AccountMonitoring, ControlState, Places, PrivilegedIdentity, PrivilegedSection,
    UnknownIdentity, detection, protection,
};
use crate::analyze::iam::facts::Facts;
use crate::analyze::iam::{SnapshotFacts, monitoring};
use crate::snapshot::{AwsAccount, AwsResources, CoverageGap, Role, User};
use crate::words::count;
use chrono::{DateTime, Utc};

/// Hours as a person writes them: "1 hour", "12 hours", "1.5 hours".
fn hours_text(hours: f64) -> String {
    if hours == 1.0 {
        "1 hour".to_owned()
    } else {
        format!("{hours} hours")
    }
}

/// A principal of the account: the user or the role itself.
#[derive(Clone, Copy)]
enum Principal<'a> {
    User(&'a User),
    Role(&'a Role),
}

impl<'a> Principal<'a> {
    fn kind(self) -> &'static str {
        match self {
            Principal::User(_) => "user",
            Principal::Role(_) => "role",
        }
    }

    fn name(self) -> &'a str {
        match self {
            Principal::User(u) => &u.name,
            Principal::Role(r) => &r.name,
        }
    }

    fn arn(self) -> &'a str {
        match self {
            Principal::User(u) => &u.arn,
            Principal::Role(r) => &r.arn,
        }
    }
}

fn identity(
    account: &AwsAccount,
    collected_at: DateTime<Utc>,
    principal: Principal<'_>,
    f: &Facts,
) -> PrivilegedIdentity {
    let (kind, name, arn) = (principal.kind(), principal.name(), principal.arn());
    let (user, role) = match principal {
        Principal::User(u) => (Some(u), None),
        Principal::Role(r) => (None, Some(r)),
    };
    let mut protections = Vec::new();
    if let Some(u) = user {
        protections.push(if u.password_enabled {
            protection(
                "MFA device",
                Some(!u.mfa_devices.is_empty()),
                format!(
                    "{} for its console password",
                    count(u.mfa_devices.len(), "MFA device")
                ),
                "signs in to the console with a password alone".into(),
            )
        } else {
            protection(
                "MFA device",
                None,
                "no console password".into(),
                String::new(),
            )
        });
    }
    protections.push(protection(
        "MFA required for privileged actions",
        f.mfa_enforced,
        "every privileged right requires MFA (a policy condition or the trust policy)".into(),
        "its privileged rights work without MFA".into(),
    ));
    protections.push(protection(
        "Restricted to known networks",
        f.source_restricted,
        "its privileged rights are confined by aws:SourceIp, aws:SourceVpc or aws:SourceVpce"
            .into(),
        "usable from any network".into(),
    ));
    if let Some(r) = role {
        let hours = f64::from(r.max_session_duration) / 3600.0;
        protections.push(protection(
            "Short sessions",
            Some(r.max_session_duration <= 3600),
            format!("sessions last at most {}", hours_text(hours)),
            format!("sessions may last up to {}", hours_text(hours)),
        ));
    }
    if let Some(u) = user {
        protections.push(protection(
            "Temporary credentials",
            Some(false),
            String::new(),
            "a standing IAM user: its rights never expire".into(),
        ));
        let active: Vec<String> = u
            .access_keys
            .iter()
            .filter(|k| k.status == "Active")
            .map(|k| {
                let age = (collected_at - k.created).num_days();
                let used = k
                    .last_used
                    .map(|t| {
                        format!(
                            "last used {} ago",
                            count((collected_at - t).num_days(), "day")
                        )
                    })
                    .unwrap_or_else(|| "never used".into());
                format!("{} ({} old, {used})", k.id, count(age, "day"))
            })
            .collect();
        protections.push(protection(
            "No long-lived access keys",
            Some(active.is_empty()),
            "no active access key".into(),
            format!("active access keys: {}", active.join(", ")),
        ));
    }
    let missing = protections.iter().filter(|p| p.state == "missing").count();
    PrivilegedIdentity {
        account: account.account_id.clone(),
        kind: kind.to_owned(),
        name: name.to_owned(),
        arn: arn.to_owned(),
        admin: f.admin == Some(true),
        why: f.admin_reasons.clone(),
        paths: f.escalation_paths.clone().unwrap_or_default(),
        takeover: f.takeover.clone().unwrap_or_default(),
        takeover_count: f.takeover_count.unwrap_or_default(),
        protections,
        missing,
    }
}

/// The section for the AWS accounts of a snapshot collected at `collected_at`.
pub fn section(
    aws: &AwsResources,
    gaps: &[CoverageGap],
    collected_at: DateTime<Utc>,
    facts: &SnapshotFacts,
) -> PrivilegedSection {
    let mut identities = Vec::new();
    let mut unknown = Vec::new();
    let mut accounts = Vec::new();
    for account in &aws.accounts {
        let facts = facts.account(&account.account_id);
        let principals = (account.iam.users.iter().map(Principal::User))
            .chain(account.iam.roles.iter().map(Principal::Role));
        for principal in principals {
            let (kind, name, arn) = (principal.kind(), principal.name(), principal.arn());
            let Some(f) = facts.get(arn) else { continue };
            match f.privileged {
                Some(true) => identities.push(identity(account, collected_at, principal, f)),
                Some(false) => {}
                None => unknown.push(UnknownIdentity {
                    account: account.account_id.clone(),
                    kind: kind.to_owned(),
                    name: name.to_owned(),
                    reason: f.unknown.clone().unwrap_or_else(|| "not derivable".into()),
                }),
            }
        }
        accounts.push(match monitoring::of(account, gaps) {
            Ok(m) => AccountMonitoring {
                account: account.account_id.clone(),
                controls: vec![
                    if m.trail_validated {
                        ControlState::new("present", "yes")
                    } else {
                        ControlState::new("missing", "no")
                    },
                    detection(&m.guardduty_enabled, &m.guardduty_missing, Places::Regions),
                ],
                unknown: None,
            },
            Err(reason) => AccountMonitoring {
                account: account.account_id.clone(),
                controls: vec![ControlState::new("not-assessed", ""); AWS_MONITORING.len()],
                unknown: Some(reason),
            },
        });
    }
    // Administrators first, then by how much protection is missing, then by name.
    identities.sort_by(|a, b| {
        (b.admin, b.missing, &a.account, a.kind.as_str(), &a.name).cmp(&(
            a.admin,
            a.missing,
            &b.account,
            b.kind.as_str(),
            &b.name,
        ))
    });
    unknown.sort_by(|a, b| {
        (&a.account, a.kind.as_str(), &a.name).cmp(&(&b.account, b.kind.as_str(), &b.name))
    });
    PrivilegedSection {
        state: if unknown.is_empty() {
            "assessed".to_owned()
        } else {
            "partial".to_owned()
        },
        identities,
        unknown,
        monitoring: AWS_MONITORING.iter().map(|m| (*m).to_owned()).collect(),
        accounts,
        not_assessed_reason: None,
    }
}
