//! Privileged access in Azure: every user holding a privileged Entra ID
//! directory role (active or PIM-eligible), why it matters, and which protections it has:
//! MFA registered, Conditional Access demanding MFA for its roles, time-bound (PIM) rather
//! than permanent, a separate admin account without a mailbox, a cloud-only account. Per
//! subscription: whether the activity log is exported and Defender for Cloud is on.

use super::model::{
    AZURE_MONITORING, AccountMonitoring, ControlState, Places, PrivilegedIdentity,
    PrivilegedSection, ProtectionView, UnknownIdentity, detection, protection,
};
use crate::analyze::azure::entra::{self, PrivilegedHolder};
use crate::analyze::azure::inventory::MONITORING_PLANS;
use crate::snapshot::{AzureResources, CoverageGap, EntraTenant, EntraUser, kind};

/// A protection whose state may be unknown (a read failed): then `not-assessed`, with why.
fn checked(
    name: &'static str,
    ok: Option<bool>,
    present: String,
    missing: String,
    why_unknown: &str,
) -> ProtectionView {
    match ok {
        Some(_) => protection(name, ok, present, missing),
        None => ProtectionView {
            name: name.to_owned(),
            state: "not-assessed".to_owned(),
            detail: why_unknown.to_owned(),
        },
    }
}

/// Roles that own the tenant outright.
const TENANT_ADMIN_ROLES: &[&str] = &[
    "Global Administrator",
    "Privileged Role Administrator",
    "Privileged Authentication Administrator",
];

/// Roles that can reset other users' passwords or authentication methods: the support-desk
/// rights of the 2020 Twitter incident.
const TAKEOVER_ROLES: &[&str] = &[
    "Global Administrator",
    "Privileged Authentication Administrator",
    "User Administrator",
    "Helpdesk Administrator",
    "Password Administrator",
    "Authentication Administrator",
];

fn gap_reason(
    gaps: &[CoverageGap],
    account: &str,
    kind: &str,
    field: Option<&str>,
) -> Option<String> {
    gaps.iter()
        .find(|g| {
            g.account == account
                && g.kind == kind
                && match field {
                    None => g.is_listing_gap(),
                    Some(f) => g.fields.iter().any(|x| x == f),
                }
        })
        .map(CoverageGap::describe)
}

pub fn section(azure: &AzureResources, gaps: &[CoverageGap]) -> PrivilegedSection {
    let mut identities = Vec::new();
    let mut unknown = Vec::new();
    let mut not_assessed_reason = None;
    if azure.tenants.is_empty() {
        not_assessed_reason =
            Some("the snapshot holds no Entra ID tenant (Microsoft Graph was not read)".to_owned());
    }
    for tenant in &azure.tenants {
        let tid = &tenant.tenant_id;
        if let Some(reason) = gap_reason(gaps, tid, kind::AZURE_ENTRA_PRIVILEGED_USER, None) {
            not_assessed_reason = Some(format!(
                "directory role holders could not be read: {reason}"
            ));
            continue;
        }
        let holders = entra::privileged_holders(tenant);
        let facts = TenantFacts::of(tenant, gaps);
        for h in holders.values() {
            let user = tenant
                .users
                .iter()
                .find(|u| u.id.eq_ignore_ascii_case(&h.principal_id));
            match user {
                Some(u) if h.principal_type.as_deref().is_none_or(|t| t.eq_ignore_ascii_case("user")) => {
                    identities.push(identity(tenant, u, h, &facts));
                }
                _ => unknown.push(UnknownIdentity {
                    account: tid.clone(),
                    kind: h.principal_type.clone().unwrap_or_else(|| "principal".into()),
                    name: h.principal_id.clone(),
                    reason: format!(
                        "holds {}; onus assesses users only (a group's members or a service principal's credentials are not read)",
                        roles(h)
                    ),
                }),
            }
        }
    }
    let accounts = azure
        .subscriptions
        .iter()
        .map(|s| {
            let sid = &s.subscription_id;
            let unknown = gap_reason(
                gaps,
                sid,
                kind::AZURE_SUBSCRIPTION,
                Some("activity_log_exports"),
            )
            .or_else(|| gap_reason(gaps, sid, kind::AZURE_SUBSCRIPTION, Some("defender_plans")));
            let tier = |plan: &str| {
                s.defender_plans
                    .iter()
                    .find(|p| p.name == plan)
                    .is_some_and(|p| p.pricing_tier.eq_ignore_ascii_case("Standard"))
            };
            let (on, off): (Vec<String>, Vec<String>) = MONITORING_PLANS
                .iter()
                .map(|p| (*p).to_owned())
                .partition(|p| tier(p));
            let exported = s
                .diagnostic_settings
                .iter()
                .any(crate::analyze::azure::inventory::exports_activity_log);
            let controls = match unknown {
                Some(_) => vec![ControlState::new("not-assessed", ""); AZURE_MONITORING.len()],
                None => vec![
                    if exported {
                        ControlState::new("present", "yes")
                    } else {
                        ControlState::new("missing", "no")
                    },
                    detection(&on, &off, Places::Plans),
                ],
            };
            AccountMonitoring {
                account: format!("{} ({sid})", s.display_name),
                controls,
                unknown,
            }
        })
        .collect();
    identities.sort_by(|a, b| {
        (b.admin, b.missing, &a.account, &a.name).cmp(&(a.admin, a.missing, &b.account, &b.name))
    });
    unknown.sort_by(|a, b| (&a.account, &a.name).cmp(&(&b.account, &b.name)));
    PrivilegedSection {
        state: if not_assessed_reason.is_some() && identities.is_empty() {
            "not-assessed".to_owned()
        } else if unknown.is_empty() && not_assessed_reason.is_none() {
            "assessed".to_owned()
        } else {
            "partial".to_owned()
        },
        identities,
        unknown,
        monitoring: AZURE_MONITORING.iter().map(|m| (*m).to_owned()).collect(),
        accounts,
        not_assessed_reason,
    }
}

fn roles(h: &PrivilegedHolder) -> String {
    let mut parts: Vec<String> = h
        .active
        .iter()
        .map(|r| {
            if h.permanent.contains(r) {
                format!("{r} (permanent)")
            } else {
                format!("{r} (active, time-bound)")
            }
        })
        .collect();
    parts.extend(
        h.eligible
            .iter()
            .map(|r| format!("{r} (eligible through PIM)")),
    );
    parts.join(", ")
}

/// What a tenant's role holders share: the roles no Conditional Access policy makes MFA
/// mandatory for, and whether the policies and PIM's schedules could be read.
struct TenantFacts {
    uncovered: Vec<&'static str>,
    ca_known: bool,
    pim_known: bool,
}

impl TenantFacts {
    fn of(tenant: &EntraTenant, gaps: &[CoverageGap]) -> TenantFacts {
        let tid = &tenant.tenant_id;
        TenantFacts {
            uncovered: entra::admin_roles_without_mfa_policy(tenant),
            ca_known: gap_reason(
                gaps,
                tid,
                kind::AZURE_ENTRA_TENANT,
                Some("admin_roles_without_mfa_policy"),
            )
            .is_none(),
            pim_known: gap_reason(
                gaps,
                tid,
                kind::AZURE_ENTRA_PRIVILEGED_USER,
                Some("permanent_roles"),
            )
            .is_none(),
        }
    }
}

fn identity(
    tenant: &EntraTenant,
    u: &EntraUser,
    h: &PrivilegedHolder,
    facts: &TenantFacts,
) -> PrivilegedIdentity {
    let tid = &tenant.tenant_id;
    let all: Vec<&str> = h.active.iter().chain(&h.eligible).copied().collect();
    let mut why: Vec<String> = h
        .active
        .iter()
        .map(|r| {
            if h.permanent.contains(r) {
                format!("holds {r}, permanently")
            } else {
                format!("holds {r}, active now (time-bound)")
            }
        })
        .chain(
            h.eligible
                .iter()
                .map(|r| format!("can activate {r} through PIM")),
        )
        .collect();
    let resetters: Vec<&str> = all
        .iter()
        .copied()
        .filter(|r| TAKEOVER_ROLES.contains(r))
        .collect();
    if !resetters.is_empty() {
        why.push(format!(
            "can reset other users' passwords or authentication methods ({}), and so sign in as them",
            resetters.join(", ")
        ));
    }
    let TenantFacts {
        uncovered,
        ca_known,
        pim_known,
    } = facts;
    let uncovered_roles: Vec<&str> = all
        .iter()
        .copied()
        .filter(|r| uncovered.contains(r))
        .collect();
    let protections = vec![
        checked(
            "MFA registered",
            u.mfa_registered,
            format!("registered: {}", u.methods_registered.join(", ")),
            "no MFA method registered: a phished password is enough".into(),
            "the authentication-methods registration report could not be read",
        ),
        checked(
            "Conditional Access demands MFA for its roles",
            ca_known.then_some(uncovered_roles.is_empty()),
            "an enabled policy requires MFA for every role it holds".into(),
            format!(
                "no enabled policy requires MFA for {}",
                uncovered_roles.join(", ")
            ),
            "the Conditional Access policies could not be read",
        ),
        checked(
            "Time-bound (PIM) rather than permanent",
            pim_known.then_some(h.permanent.is_empty()),
            "no role is held permanently".into(),
            format!(
                "permanently holds {}",
                h.permanent.iter().copied().collect::<Vec<_>>().join(", ")
            ),
            "PIM's assignment schedules could not be read",
        ),
        protection(
            "Admin account separate from e-mail",
            Some(u.mail.as_deref().is_none_or(str::is_empty)),
            "no mailbox: phishing e-mail does not reach this account".into(),
            format!(
                "has a mailbox ({}): phishing lands in the admin's inbox",
                u.mail.clone().unwrap_or_default()
            ),
        ),
        protection(
            "Cloud-only account",
            Some(u.on_premises_sync_enabled != Some(true)),
            "not synchronised from on-premises Active Directory".into(),
            "synchronised from on-premises: whoever controls that directory controls this admin"
                .into(),
        ),
    ];
    let missing = protections.iter().filter(|p| p.state == "missing").count();
    PrivilegedIdentity {
        account: tid.clone(),
        kind: "user".to_owned(),
        name: u.user_principal_name.clone(),
        arn: format!("/tenants/{tid}/users/{}", u.id),
        admin: all.iter().any(|r| TENANT_ADMIN_ROLES.contains(r)),
        why,
        paths: Vec::new(),
        takeover: Vec::new(),
        takeover_count: 0,
        protections,
        missing,
    }
}
