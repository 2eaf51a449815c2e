//! Entra ID facts: who holds privileged directory roles (active, eligible, permanent), and
//! whether Conditional Access requires MFA of administrators and for Azure management.

use std::collections::{BTreeMap, BTreeSet};

use super::roles::{AZURE_MANAGEMENT_APP, PRIVILEGED_DIRECTORY_ROLES, privileged_directory_role};
use crate::snapshot::{ConditionalAccessPolicy, EntraTenant};

/// One principal's privileged directory roles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrivilegedHolder {
    pub principal_id: String,
    /// `user`, `group` or `servicePrincipal`, where known.
    pub principal_type: Option<String>,
    /// Active now (permanent or activated through PIM).
    pub active: BTreeSet<&'static str>,
    /// Active with no end date and not a PIM activation.
    pub permanent: BTreeSet<&'static str>,
    /// Eligible through PIM (must be activated, with whatever PIM demands, to be used).
    pub eligible: BTreeSet<&'static str>,
}

fn same(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Every principal holding a privileged directory role, by lower-case principal id.
pub fn privileged_holders(tenant: &EntraTenant) -> BTreeMap<String, PrivilegedHolder> {
    let mut out: BTreeMap<String, PrivilegedHolder> = BTreeMap::new();
    for a in &tenant.role_assignments {
        let Some(role) = privileged_directory_role(&a.role_definition_id) else {
            continue;
        };
        let holder = out.entry(a.principal_id.to_ascii_lowercase()).or_default();
        holder.principal_id.clone_from(&a.principal_id);
        if holder.principal_type.is_none() {
            holder.principal_type.clone_from(&a.principal_type);
        }
        holder.active.insert(role);
        // PIM's view of the same assignment says whether it is time-bound; without one it
        // is a plain (permanent) assignment.
        let instance = tenant.role_assignment_instances.iter().find(|i| {
            same(&i.principal_id, &a.principal_id)
                && same(&i.role_definition_id, &a.role_definition_id)
                && i.directory_scope_id == a.directory_scope_id
        });
        let time_bound = instance
            .is_some_and(|i| i.end.is_some() || i.assignment_type.as_deref() == Some("Activated"));
        if !time_bound {
            holder.permanent.insert(role);
        }
    }
    for e in &tenant.role_eligibilities {
        let Some(role) = privileged_directory_role(&e.role_definition_id) else {
            continue;
        };
        let holder = out.entry(e.principal_id.to_ascii_lowercase()).or_default();
        holder.principal_id.clone_from(&e.principal_id);
        holder.eligible.insert(role);
    }
    out
}

/// Whether the policy is on and demands MFA (the built-in MFA control or an authentication
/// strength) from every client app. With `OR`, every alternative must be MFA: "MFA or a
/// compliant device" lets a compliant device in without it.
fn requires_mfa(p: &ConditionalAccessPolicy) -> bool {
    let is_mfa = |c: &String| same(c, "mfa");
    let any_mfa = p.built_in_controls.iter().any(is_mfa) || p.authentication_strength.is_some();
    let mfa_demanded = if p.grant_operator.as_deref().is_some_and(|o| same(o, "AND")) {
        any_mfa
    } else {
        any_mfa && p.built_in_controls.iter().all(is_mfa)
    };
    same(&p.state, "enabled")
        && mfa_demanded
        && (p.client_app_types.is_empty() || p.client_app_types.iter().any(|c| same(c, "all")))
}

fn includes_all(list: &[String]) -> bool {
    list.iter().any(|x| same(x, "All"))
}

/// The privileged directory roles no enabled Conditional Access policy makes MFA mandatory
/// for (across all cloud apps), in catalogue order.
pub fn admin_roles_without_mfa_policy(tenant: &EntraTenant) -> Vec<&'static str> {
    PRIVILEGED_DIRECTORY_ROLES
        .iter()
        .filter(|(id, _)| {
            !tenant.conditional_access_policies.iter().any(|p| {
                requires_mfa(p)
                    && includes_all(&p.include_applications)
                    && (includes_all(&p.include_users)
                        || p.include_roles.iter().any(|r| same(r, id)))
                    && !p.exclude_roles.iter().any(|r| same(r, id))
            })
        })
        .map(|(_, name)| *name)
        .collect()
}

/// The enabled policies that make MFA mandatory for everyone signing in to Azure management
/// (the Azure portal, CLI, PowerShell and ARM), by display name.
pub fn azure_management_mfa_policies(tenant: &EntraTenant) -> Vec<String> {
    tenant
        .conditional_access_policies
        .iter()
        .filter(|p| {
            requires_mfa(p)
                && includes_all(&p.include_users)
                && (includes_all(&p.include_applications)
                    || p.include_applications
                        .iter()
                        .any(|a| same(a, AZURE_MANAGEMENT_APP) || same(a, "MicrosoftAdminPortals")))
                && !p
                    .exclude_applications
                    .iter()
                    .any(|a| same(a, AZURE_MANAGEMENT_APP))
        })
        .map(|p| p.display_name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{DirectoryRoleAssignment, DirectoryRoleAssignmentInstance};

    const GA: &str = "62e90394-69f5-4237-9190-012177145e10";

    fn policy(
        users: &[&str],
        roles: &[&str],
        apps: &[&str],
        controls: &[&str],
    ) -> ConditionalAccessPolicy {
        let v = |xs: &[&str]| xs.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        ConditionalAccessPolicy {
            id: "p".into(),
            display_name: "policy".into(),
            state: "enabled".into(),
            include_users: v(users),
            include_roles: v(roles),
            include_applications: v(apps),
            client_app_types: v(&["all"]),
            built_in_controls: v(controls),
            grant_operator: Some("OR".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_role_targeted_mfa_policy_covers_that_role_only() {
        let t = EntraTenant {
            conditional_access_policies: vec![policy(&[], &[GA], &["All"], &["mfa"])],
            ..Default::default()
        };
        let missing = admin_roles_without_mfa_policy(&t);
        assert!(!missing.contains(&"Global Administrator"));
        assert!(missing.contains(&"Helpdesk Administrator"));
        assert!(azure_management_mfa_policies(&t).is_empty());
    }

    #[test]
    fn report_only_or_block_policies_do_not_count() {
        let mut t = EntraTenant::default();
        let mut report_only = policy(&["All"], &[], &["All"], &["mfa"]);
        report_only.state = "enabledForReportingButNotEnforced".into();
        t.conditional_access_policies =
            vec![report_only, policy(&["All"], &[], &["All"], &["block"])];
        assert_eq!(
            admin_roles_without_mfa_policy(&t).len(),
            PRIVILEGED_DIRECTORY_ROLES.len()
        );
        assert!(azure_management_mfa_policies(&t).is_empty());
        t.conditional_access_policies =
            vec![policy(&["All"], &[], &[AZURE_MANAGEMENT_APP], &["mfa"])];
        assert_eq!(azure_management_mfa_policies(&t), ["policy"]);
        // "MFA or a compliant device" does not demand MFA.
        t.conditional_access_policies =
            vec![policy(&["All"], &[], &["All"], &["mfa", "compliantDevice"])];
        assert!(azure_management_mfa_policies(&t).is_empty());
        t.conditional_access_policies[0].grant_operator = Some("AND".into());
        assert_eq!(azure_management_mfa_policies(&t), ["policy"]);
    }

    #[test]
    fn an_assignment_pim_bounds_in_time_is_not_permanent() {
        let mut t = EntraTenant::default();
        for p in ["alice", "bob"] {
            t.role_assignments.push(DirectoryRoleAssignment {
                id: format!("a-{p}"),
                principal_id: p.into(),
                principal_type: Some("user".into()),
                role_definition_id: GA.into(),
                directory_scope_id: "/".into(),
            });
        }
        t.role_assignment_instances
            .push(DirectoryRoleAssignmentInstance {
                id: "i".into(),
                principal_id: "bob".into(),
                role_definition_id: GA.into(),
                directory_scope_id: "/".into(),
                assignment_type: Some("Activated".into()),
                start: None,
                end: None,
            });
        let h = privileged_holders(&t);
        assert!(h["alice"].permanent.contains("Global Administrator"));
        assert!(h["bob"].permanent.is_empty());
        assert!(!h.contains_key("Bob"));
        assert!(h["bob"].active.contains("Global Administrator"));
    }
}
