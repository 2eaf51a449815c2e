//! The privileged-access section's shape, the same for every provider: identities, why they
//! are privileged, which protections they have, and whether each account would notice a first
//! use of their rights.

use serde::{Deserialize, Serialize};

use crate::analyze::iam::escalation::Step;
use crate::analyze::iam::facts::TakeoverTarget;

/// Every privileged identity of the scanned accounts, and what guards them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "wire::Section")]
pub struct PrivilegedSection {
    /// `assessed` (every principal analysed), `partial` (some could not be) or
    /// `not-assessed` (the snapshot holds no identity data).
    pub state: String,
    /// Administrators first, then by how many protections are missing.
    pub identities: Vec<PrivilegedIdentity>,
    pub unknown: Vec<UnknownIdentity>,
    /// The controls that would notice a first use of privileged rights, in the order each
    /// account lists their states (the columns of the report's table).
    pub monitoring: Vec<String>,
    pub accounts: Vec<AccountMonitoring>,
    /// Why the section is not assessed, when it is not for want of identity data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_assessed_reason: Option<String>,
}

impl PrivilegedSection {
    /// The section with no identities (the results JSON writes them apart, in parallel).
    pub fn without_identities(&self) -> PrivilegedSection {
        PrivilegedSection {
            state: self.state.clone(),
            identities: Vec::new(),
            unknown: self.unknown.clone(),
            monitoring: self.monitoring.clone(),
            accounts: self.accounts.clone(),
            not_assessed_reason: self.not_assessed_reason.clone(),
        }
    }

    /// A section with nothing to show: the snapshot holds no identity data.
    pub fn not_assessed() -> PrivilegedSection {
        PrivilegedSection {
            state: "not-assessed".to_owned(),
            identities: Vec::new(),
            unknown: Vec::new(),
            monitoring: Vec::new(),
            accounts: Vec::new(),
            not_assessed_reason: None,
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
    /// `present`, `missing`, `not-applicable` or `not-assessed`.
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

/// Whether a first use of privileged rights in an account would be recorded and noticed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountMonitoring {
    pub account: String,
    /// The state of each of the section's `monitoring` controls, in order.
    pub controls: Vec<ControlState>,
    /// Why the account's monitoring could not be assessed (its controls are then
    /// `not-assessed`).
    pub unknown: Option<String>,
}

/// One monitoring control in one account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ControlState {
    /// `present`, `missing`, `not-applicable` or `not-assessed`.
    pub state: String,
    /// What the control's state is, in a few words ("yes", "off in eu-west-1").
    pub summary: String,
}

impl ControlState {
    pub fn new(state: &str, summary: impl Into<String>) -> ControlState {
        ControlState {
            state: state.to_owned(),
            summary: summary.into(),
        }
    }
}

/// The monitoring controls of an AWS account, as the report's columns name them.
pub const AWS_MONITORING: [&str; 2] = ["Multi-region trail with log validation", "GuardDuty"];

/// The monitoring controls of an Azure subscription.
pub const AZURE_MONITORING: [&str; 2] = [
    "Activity log exported (Administrative, Alert, Policy, Security)",
    "Defender for Cloud plans (servers, storage, ARM, Key Vault, CSPM)",
];

/// What a detection service runs over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Places {
    /// Regions (GuardDuty): it must be on in every scanned region.
    Regions,
    /// Plans (Defender for Cloud): every plan must be on.
    Plans,
}

/// A detection service's state from where it is on and where it is off.
pub fn detection(on: &[String], off: &[String], places: Places) -> ControlState {
    match (off.is_empty(), on.is_empty(), places) {
        (false, _, Places::Regions) => {
            ControlState::new("missing", format!("off in {}", off.join(", ")))
        }
        (false, _, Places::Plans) => {
            ControlState::new("missing", format!("off: {}", off.join(", ")))
        }
        (true, false, Places::Regions) => {
            ControlState::new("present", "on in every scanned region")
        }
        (true, false, Places::Plans) => ControlState::new("present", "all on"),
        (true, true, _) => ControlState::new("not-applicable", "no region scanned"),
    }
}

/// A protection that is present, missing or (`ok` of `None`) does not apply.
pub fn protection(
    name: &'static str,
    ok: Option<bool>,
    present: String,
    missing: String,
) -> ProtectionView {
    let (state, detail) = match ok {
        Some(true) => ("present", present),
        Some(false) => ("missing", missing),
        None => ("not-applicable", present),
    };
    ProtectionView {
        name: name.to_owned(),
        state: state.to_owned(),
        detail,
    }
}

/// The section as documents hold it, in either version: version 1 documents (written before
/// results carried a version) gave each account's monitoring in AWS's terms, with the column
/// headings in `monitoring_labels` when they were Azure's.
mod wire {
    use serde::Deserialize;

    use super::{
        AWS_MONITORING, AccountMonitoring, ControlState, Places, PrivilegedIdentity,
        PrivilegedSection, UnknownIdentity, detection,
    };

    #[derive(Deserialize)]
    pub struct Section {
        state: String,
        identities: Vec<PrivilegedIdentity>,
        unknown: Vec<UnknownIdentity>,
        #[serde(default)]
        monitoring: Option<Vec<String>>,
        accounts: Vec<Account>,
        #[serde(default)]
        monitoring_labels: Option<[String; 2]>,
        #[serde(default)]
        not_assessed_reason: Option<String>,
    }

    #[derive(Deserialize)]
    struct Account {
        account: String,
        #[serde(default)]
        controls: Option<Vec<ControlState>>,
        #[serde(default)]
        unknown: Option<String>,
        // Version 1.
        #[serde(default)]
        multi_region_trail_validated: Option<bool>,
        #[serde(default)]
        guardduty_missing_regions: Vec<String>,
        #[serde(default)]
        guardduty_enabled_regions: Vec<String>,
    }

    impl From<Section> for PrivilegedSection {
        fn from(s: Section) -> PrivilegedSection {
            let places = match s.monitoring_labels {
                Some(_) => Places::Plans,
                None => Places::Regions,
            };
            let monitoring = match (s.monitoring, s.monitoring_labels) {
                (Some(m), _) => m,
                (None, Some(labels)) => labels.to_vec(),
                (None, None) => AWS_MONITORING.iter().map(|m| (*m).to_owned()).collect(),
            };
            let accounts = s
                .accounts
                .into_iter()
                .map(|a| {
                    let controls = match a.controls {
                        Some(c) => c,
                        None if a.unknown.is_some() => {
                            vec![ControlState::new("not-assessed", ""); monitoring.len()]
                        }
                        None => vec![
                            match a.multi_region_trail_validated {
                                Some(true) => ControlState::new("present", "yes"),
                                _ => ControlState::new("missing", "no"),
                            },
                            detection(
                                &a.guardduty_enabled_regions,
                                &a.guardduty_missing_regions,
                                places,
                            ),
                        ],
                    };
                    AccountMonitoring {
                        account: a.account,
                        controls,
                        unknown: a.unknown,
                    }
                })
                .collect();
            PrivilegedSection {
                state: s.state,
                identities: s.identities,
                unknown: s.unknown,
                monitoring,
                accounts,
                not_assessed_reason: s.not_assessed_reason,
            }
        }
    }
}
