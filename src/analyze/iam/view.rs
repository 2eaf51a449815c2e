//! The facts as view fields of `aws.iam.user`, `aws.iam.role` and `aws.iam.account`, with
//! `unknown_facts` naming every field whose value could not be derived (rules reading one are
//! not assessed).

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value as Json, json};

use super::facts::Facts;
use super::trust;
use crate::analyze::fields::Field;
use crate::snapshot::{AwsAccount, CoverageGap, Role, User};

/// Declares the fields every principal's view derives from its IAM facts, once each: its
/// name, what it means (for `onus kinds` and the reports' readers), and its value. A fact
/// that is null is unknown, and `unknown_facts` says why.
macro_rules! principal_facts {
    ($facts:ident; $( $(#[doc = $doc:literal])+ $name:ident = $value:expr; )*) => {
        /// The fields a principal's view derives from its IAM facts.
        pub const FACTS: &[Field] = &[
            $(Field { name: stringify!($name), doc: concat!($($doc),+) },)*
        ];

        fn insert_facts($facts: &Facts, out: &mut Map<String, Json>) {
            $(out.insert(stringify!($name).to_owned(), json!($value));)*
        }
    };
}

principal_facts! { f;
    /// Can do everything, or can make itself able to (null: unknown).
    admin = f.admin;
    /// The statements or self-escalation that make it an administrator, one sentence each.
    admin_reasons = f.admin_reasons;
    /// Other identities it can take over and how: set or reset passwords, create access keys,
    /// deactivate or delete MFA devices, attach or write policies, rewrite trust (first 20).
    takeover = f.takeover;
    /// How many identities it can take over.
    takeover_count = f.takeover_count;
    /// Chains of steps to an administrator, each naming its technique.
    escalation_paths = f.escalation_paths;
    /// An administrator, or able to take over another identity.
    privileged = f.privileged;
    /// Every privileged right requires MFA (by policy condition or role trust).
    mfa_enforced = f.mfa_enforced;
    /// Every privileged right is confined to known networks (aws:SourceIp, SourceVpc, SourceVpce).
    source_restricted = f.source_restricted;
}

pub const LONG_LIVED_KEYS: Field = Field {
    name: "long_lived_keys",
    doc: "Active access keys (none for a role).",
};
pub const MAX_SESSION_HOURS: Field = Field {
    name: "max_session_hours",
    doc: "A role's longest session in hours (null for a user).",
};
pub const CONSOLE_ACCESS: Field = Field {
    name: "console_access",
    doc: "A console password (users) or a trust that people can assume (roles).",
};
pub const UNKNOWN_FACTS: Field = Field {
    name: "unknown_facts",
    doc: "The fields that could not be derived, and why (rules reading them are not assessed).",
};
pub const TRUST_WEAKNESSES: Field = Field {
    name: "trust_weaknesses",
    doc: "Weaknesses of the trust policy: open, cross-account-without-external-id, federated-without-conditions, service-without-source.",
};
pub const PRIVILEGED_IDENTITIES: Field = Field {
    name: "privileged_identities",
    doc: "How many identities of the account are privileged (null when some cannot be told).",
};
pub const MONITORING: Field = Field {
    name: "monitoring",
    doc: "multi_region_trail_validated (a logging multi-region trail with log-file validation), guardduty_enabled_regions, guardduty_missing_regions.",
};

/// Fields every principal view derives besides [`FACTS`].
pub const PRINCIPAL_FIELDS: &[Field] = &[
    LONG_LIVED_KEYS,
    MAX_SESSION_HOURS,
    CONSOLE_ACCESS,
    UNKNOWN_FACTS,
];

/// Fields only roles derive.
pub const ROLE_FIELDS: &[Field] = &[TRUST_WEAKNESSES];

/// Fields the account view derives.
pub const ACCOUNT_FIELDS: &[Field] = &[PRIVILEGED_IDENTITIES, MONITORING, UNKNOWN_FACTS];

fn facts_fields(
    facts: Option<&Facts>,
    unknown: &mut BTreeMap<String, String>,
) -> Map<String, Json> {
    let mut out = Map::new();
    let missing = Facts {
        unknown: Some("the principal is not in the IAM analysis".into()),
        ..Facts::default()
    };
    let f = facts.unwrap_or(&missing);
    insert_facts(f, &mut out);
    for field in FACTS {
        if out.get(field.name).is_none_or(Json::is_null) {
            // A fact left null without a stated reason is still unknown.
            let why = f
                .unknown
                .clone()
                .unwrap_or_else(|| "not derivable from the snapshot".into());
            unknown.insert(field.name.to_owned(), why);
        }
    }
    out
}

/// Extra view fields of an IAM user.
pub fn user_fields(user: &User, facts: Option<&Facts>) -> Map<String, Json> {
    let mut unknown = BTreeMap::new();
    let mut out = facts_fields(facts, &mut unknown);
    let keys: Vec<_> = user
        .access_keys
        .iter()
        .filter(|k| k.status == "Active")
        .collect();
    out.insert(LONG_LIVED_KEYS.name.into(), json!(keys));
    out.insert(MAX_SESSION_HOURS.name.into(), Json::Null);
    out.insert(CONSOLE_ACCESS.name.into(), json!(user.password_enabled));
    out.insert(UNKNOWN_FACTS.name.into(), json!(unknown));
    out
}

/// Extra view fields of an IAM role.
pub fn role_fields(role: &Role, account: &str, facts: Option<&Facts>) -> Map<String, Json> {
    let mut unknown = BTreeMap::new();
    let mut out = facts_fields(facts, &mut unknown);
    out.insert(LONG_LIVED_KEYS.name.into(), json!([]));
    out.insert(
        MAX_SESSION_HOURS.name.into(),
        json!(f64::from(role.max_session_duration) / 3600.0),
    );
    let weaknesses = trust::weaknesses(&role.assume_role_policy, account);
    let console = super::policy::statements(&role.assume_role_policy).map(|s| {
        s.iter().any(|s| {
            s.allow
                && s.principal.as_ref().is_some_and(|p| {
                    p.federated.iter().any(|f| f.contains(":saml-provider/"))
                        || p.aws.iter().any(|a| !a.is_empty())
                        || p.any
                })
        })
    });
    match (&weaknesses, &console) {
        (Err(e), _) | (_, Err(e)) => {
            for field in [TRUST_WEAKNESSES, CONSOLE_ACCESS] {
                unknown.insert(
                    field.name.to_owned(),
                    format!("trust policy cannot be read: {}", e.0),
                );
            }
        }
        _ => {}
    }
    out.insert(TRUST_WEAKNESSES.name.into(), json!(weaknesses.ok()));
    out.insert(CONSOLE_ACCESS.name.into(), json!(console.ok()));
    out.insert(UNKNOWN_FACTS.name.into(), json!(unknown));
    out
}

/// Extra view fields of the account: how many privileged identities it has, and whether a
/// first use of their rights would be recorded (a multi-region trail with log-file validation)
/// and noticed (GuardDuty in every scanned region).
pub fn account_fields(
    account: &AwsAccount,
    facts: &HashMap<String, Facts>,
    gaps: &[CoverageGap],
) -> Map<String, Json> {
    let mut unknown: BTreeMap<String, String> = BTreeMap::new();
    let mut out = Map::new();
    let privileged: Option<usize> = facts.values().try_fold(0, |n, f| match f.privileged {
        Some(true) => Some(n + 1),
        Some(false) => Some(n),
        None => None,
    });
    if privileged.is_none() {
        unknown.insert(
            PRIVILEGED_IDENTITIES.name.into(),
            "the rights of some principals are unknown".into(),
        );
    }
    out.insert(PRIVILEGED_IDENTITIES.name.into(), json!(privileged));
    let monitoring = match super::monitoring::of(account, gaps) {
        Ok(m) => json!({
            "multi_region_trail_validated": m.trail_validated,
            "guardduty_enabled_regions": m.guardduty_enabled,
            "guardduty_missing_regions": m.guardduty_missing,
        }),
        Err(reason) => {
            unknown.insert(MONITORING.name.into(), reason);
            Json::Null
        }
    };
    out.insert(MONITORING.name.into(), monitoring);
    out.insert(UNKNOWN_FACTS.name.into(), json!(unknown));
    out
}
