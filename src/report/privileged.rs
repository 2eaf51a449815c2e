//! The "Privileged access" section of the report model: every privileged identity, why it is
//! privileged (the statements, or the escalation path step by step), and which protections it
//! has or lacks; identities whose rights could not be derived are listed as not assessed.

use serde::{Deserialize, Serialize};

use crate::analyze::iam::escalation::Step;
use crate::analyze::iam::facts::{Facts, TakeoverTarget};
use crate::analyze::iam::{SnapshotFacts, view};
use crate::snapshot::{AwsAccount, Role, Snapshot, User};
use crate::words::count;

/// The section, as templates read it (`privileged`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PrivilegedSection {
    /// `assessed` (every principal analysed), `partial` (some could not be) or
    /// `not-assessed` (the snapshot holds no IAM data).
    pub state: String,
    pub identities: Vec<PrivilegedIdentity>,
    pub unknown: Vec<UnknownIdentity>,
    pub accounts: Vec<AccountMonitoring>,
    /// Column headings of the monitoring table when they are not AWS's (trail, GuardDuty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitoring_labels: Option<[String; 2]>,
    /// Why the section is not assessed, when it is not for want of IAM data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_assessed_reason: Option<String>,
}

impl PrivilegedSection {
    /// The section with no identities (the results JSON writes them apart, in parallel).
    pub(super) fn without_identities(&self) -> PrivilegedSection {
        PrivilegedSection {
            state: self.state.clone(),
            identities: Vec::new(),
            unknown: self.unknown.clone(),
            accounts: self.accounts.clone(),
            monitoring_labels: self.monitoring_labels.clone(),
            not_assessed_reason: self.not_assessed_reason.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PrivilegedIdentity {
    pub account: String,
    /// `user` or `role`.
    pub kind: String,
    pub name: String,
    pub arn: String,
    pub admin: bool,
    /// Why it is an administrator in its own right, one sentence per reason.
    pub why: Vec<String>,
    /// Escalation paths to an administrator, step by step.
    pub paths: Vec<Vec<Step>>,
    /// Other identities it can take over (at most a listed few; `takeover_count` says all).
    pub takeover: Vec<TakeoverTarget>,
    pub takeover_count: usize,
    pub protections: Vec<ProtectionView>,
    /// How many protections are missing.
    pub missing: usize,
}

/// One protection and whether it is in place.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProtectionView {
    pub name: String,
    /// `present`, `missing` or `not-applicable`.
    pub state: String,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnknownIdentity {
    pub account: String,
    pub kind: String,
    pub name: String,
    pub reason: String,
}

/// Whether a first use of privileged rights would be recorded and noticed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountMonitoring {
    pub account: String,
    /// `None`: could not be read.
    pub multi_region_trail_validated: Option<bool>,
    pub guardduty_missing_regions: Vec<String>,
    pub guardduty_enabled_regions: Vec<String>,
    pub unknown: Option<String>,
}

pub(super) fn protection(
    name: &'static str,
    ok: Option<bool>,
    present: String,
    missing: String,
) -> ProtectionView {
    match ok {
        Some(true) => ProtectionView {
            name: name.to_owned(),
            state: "present".to_owned(),
            detail: present,
        },
        Some(false) => ProtectionView {
            name: name.to_owned(),
            state: "missing".to_owned(),
            detail: missing,
        },
        None => ProtectionView {
            name: name.to_owned(),
            state: "not-applicable".to_owned(),
            detail: present,
        },
    }
}

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
    snapshot: &Snapshot,
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
                let age = (snapshot.collected_at - k.created).num_days();
                let used = k
                    .last_used
                    .map(|t| {
                        format!(
                            "last used {} ago",
                            count((snapshot.collected_at - t).num_days(), "day")
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

/// Builds the section from the snapshot.
pub fn section(snapshot: &Snapshot, facts: &SnapshotFacts) -> PrivilegedSection {
    if let Some(azure) = &snapshot.azure {
        return super::privileged_azure::section(azure, &snapshot.coverage_gaps);
    }
    let Some(aws) = &snapshot.aws else {
        return PrivilegedSection {
            state: "not-assessed".to_owned(),
            identities: Vec::new(),
            unknown: Vec::new(),
            accounts: Vec::new(),
            monitoring_labels: None,
            not_assessed_reason: None,
        };
    };
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
                Some(true) => identities.push(identity(account, snapshot, principal, f)),
                Some(false) => {}
                None => unknown.push(UnknownIdentity {
                    account: account.account_id.clone(),
                    kind: kind.to_owned(),
                    name: name.to_owned(),
                    reason: f.unknown.clone().unwrap_or_else(|| "not derivable".into()),
                }),
            }
        }
        let fields = view::account_fields(account, &facts, &snapshot.coverage_gaps);
        let monitoring = fields.get("monitoring").cloned().unwrap_or_default();
        let list = |key: &str| -> Vec<String> {
            monitoring
                .get(key)
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        accounts.push(AccountMonitoring {
            account: account.account_id.clone(),
            multi_region_trail_validated: monitoring
                .get("multi_region_trail_validated")
                .and_then(|v| v.as_bool()),
            guardduty_missing_regions: list("guardduty_missing_regions"),
            guardduty_enabled_regions: list("guardduty_enabled_regions"),
            unknown: fields
                .get("unknown_facts")
                .and_then(|u| u.get("monitoring"))
                .and_then(|v| v.as_str())
                .map(str::to_owned),
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
        accounts,
        monitoring_labels: None,
        not_assessed_reason: None,
    }
}
