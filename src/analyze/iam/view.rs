//! The facts as view fields of `aws.iam.user`, `aws.iam.role` and `aws.iam.account`, with
//! `unknown_facts` naming every field whose value could not be derived (rules reading one are
//! not assessed).

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value as Json, json};

use super::facts::Facts;
use super::trust;
use crate::snapshot::{AwsAccount, CoverageGap, Role, User};

/// Fields every principal view gets.
pub const PRINCIPAL_FIELDS: &[&str] = &[
    "admin",
    "admin_reasons",
    "takeover",
    "takeover_count",
    "escalation_paths",
    "privileged",
    "mfa_enforced",
    "source_restricted",
    "long_lived_keys",
    "max_session_hours",
    "console_access",
    "unknown_facts",
];

/// Fields only roles get.
pub const ROLE_FIELDS: &[&str] = &["trust_weaknesses"];

/// Fields the account view gets.
pub const ACCOUNT_FIELDS: &[&str] = &["privileged_identities", "monitoring", "unknown_facts"];

const DERIVED: &[&str] = &[
    "admin",
    "admin_reasons",
    "takeover",
    "takeover_count",
    "escalation_paths",
    "privileged",
    "mfa_enforced",
    "source_restricted",
];

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
    out.insert("admin".into(), json!(f.admin));
    out.insert("admin_reasons".into(), json!(f.admin_reasons));
    out.insert("takeover".into(), json!(f.takeover));
    out.insert("takeover_count".into(), json!(f.takeover_count));
    out.insert("escalation_paths".into(), json!(f.escalation_paths));
    out.insert("privileged".into(), json!(f.privileged));
    out.insert("mfa_enforced".into(), json!(f.mfa_enforced));
    out.insert("source_restricted".into(), json!(f.source_restricted));
    if let Some(reason) = &f.unknown {
        for field in DERIVED {
            if out.get(*field).is_none_or(Json::is_null) {
                unknown.insert((*field).to_owned(), reason.clone());
            }
        }
    }
    // A fact left null without a stated reason is still unknown.
    for field in DERIVED {
        if out.get(*field).is_none_or(Json::is_null) && !unknown.contains_key(*field) {
            unknown.insert(
                (*field).to_owned(),
                "not derivable from the snapshot".into(),
            );
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
    out.insert("long_lived_keys".into(), json!(keys));
    out.insert("max_session_hours".into(), Json::Null);
    out.insert("console_access".into(), json!(user.password_enabled));
    out.insert("unknown_facts".into(), json!(unknown));
    out
}

/// Extra view fields of an IAM role.
pub fn role_fields(role: &Role, account: &str, facts: Option<&Facts>) -> Map<String, Json> {
    let mut unknown = BTreeMap::new();
    let mut out = facts_fields(facts, &mut unknown);
    out.insert("long_lived_keys".into(), json!([]));
    out.insert(
        "max_session_hours".into(),
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
            for field in ["trust_weaknesses", "console_access"] {
                unknown.insert(
                    field.to_owned(),
                    format!("trust policy cannot be read: {}", e.0),
                );
            }
        }
        _ => {}
    }
    out.insert("trust_weaknesses".into(), json!(weaknesses.ok()));
    out.insert("console_access".into(), json!(console.ok()));
    out.insert("unknown_facts".into(), json!(unknown));
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
            "privileged_identities".into(),
            "the rights of some principals are unknown".into(),
        );
    }
    out.insert("privileged_identities".into(), json!(privileged));
    let monitoring = match super::monitoring::of(account, gaps) {
        Ok(m) => json!({
            "multi_region_trail_validated": m.trail_validated,
            "guardduty_enabled_regions": m.guardduty_enabled,
            "guardduty_missing_regions": m.guardduty_missing,
        }),
        Err(reason) => {
            unknown.insert("monitoring".into(), reason);
            Json::Null
        }
    };
    out.insert("monitoring".into(), monitoring);
    out.insert("unknown_facts".into(), json!(unknown));
    out
}
