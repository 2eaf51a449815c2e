//! Microsoft Graph reads of one tenant: users and their MFA registration, directory role
//! assignments (with the principal), PIM eligibility and assignment instances, and
//! Conditional Access policies. A missing permission (403) is a gap, never an empty list.

use crate::snapshot::kind;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::http::{Api, Http};
use crate::snapshot::{
    ConditionalAccessPolicy, DirectoryRoleAssignment, DirectoryRoleAssignmentInstance,
    DirectoryRoleEligibility, EntraTenant, EntraUser,
};

const TENANT: &str = kind::AZURE_ENTRA_TENANT;
const USER: &str = kind::AZURE_ENTRA_USER;
const PRIVILEGED: &str = kind::AZURE_ENTRA_PRIVILEGED_USER;

async fn listing<T: for<'de> Deserialize<'de>>(
    http: &Http,
    tenant: &str,
    operation: &str,
    path: &str,
    hidden: &[(&str, &[&str])],
) -> Option<Vec<T>> {
    let owner = format!("/tenants/{tenant}");
    http.list_or_gaps(
        Api::Graph,
        tenant,
        (TENANT, &owner),
        operation,
        path,
        hidden,
    )
    .await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireUser {
    id: String,
    #[serde(default)]
    user_principal_name: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    user_type: Option<String>,
    #[serde(default)]
    account_enabled: Option<bool>,
    #[serde(default)]
    on_premises_sync_enabled: Option<bool>,
    #[serde(default)]
    mail: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Registration {
    id: String,
    #[serde(default)]
    is_mfa_registered: Option<bool>,
    #[serde(default)]
    methods_registered: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireAssignment {
    id: String,
    principal_id: String,
    role_definition_id: String,
    #[serde(default)]
    directory_scope_id: Option<String>,
    #[serde(default)]
    principal: Option<Principal>,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
struct Principal {
    #[serde(rename = "@odata.type", default)]
    odata_type: Option<String>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    user_principal_name: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    user_type: Option<String>,
    #[serde(default)]
    account_enabled: Option<bool>,
    #[serde(default)]
    on_premises_sync_enabled: Option<bool>,
    #[serde(default)]
    mail: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireSchedule {
    id: String,
    principal_id: String,
    role_definition_id: String,
    #[serde(default)]
    directory_scope_id: Option<String>,
    #[serde(default)]
    assignment_type: Option<String>,
    #[serde(default)]
    start_date_time: Option<DateTime<Utc>>,
    #[serde(default)]
    end_date_time: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WirePolicy {
    id: String,
    #[serde(default)]
    display_name: String,
    state: String,
    #[serde(default)]
    conditions: Option<Conditions>,
    #[serde(default)]
    grant_controls: Option<GrantControls>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Conditions {
    users: Option<UserConditions>,
    applications: Option<AppConditions>,
    client_app_types: Option<Vec<String>>,
    locations: Option<LocationConditions>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct UserConditions {
    include_users: Option<Vec<String>>,
    exclude_users: Option<Vec<String>>,
    include_groups: Option<Vec<String>>,
    exclude_groups: Option<Vec<String>>,
    include_roles: Option<Vec<String>>,
    exclude_roles: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct AppConditions {
    include_applications: Option<Vec<String>>,
    exclude_applications: Option<Vec<String>>,
    include_user_actions: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct LocationConditions {
    include_locations: Option<Vec<String>>,
    exclude_locations: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct GrantControls {
    operator: Option<String>,
    built_in_controls: Option<Vec<String>>,
    authentication_strength: Option<AuthStrength>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct AuthStrength {
    display_name: Option<String>,
    id: Option<String>,
}

fn policy(p: WirePolicy) -> ConditionalAccessPolicy {
    let c = p.conditions.unwrap_or_default();
    let users = c.users.unwrap_or_default();
    let apps = c.applications.unwrap_or_default();
    let locations = c.locations.unwrap_or_default();
    let grant = p.grant_controls.unwrap_or_default();
    ConditionalAccessPolicy {
        id: p.id,
        display_name: p.display_name,
        state: p.state,
        include_users: users.include_users.unwrap_or_default(),
        exclude_users: users.exclude_users.unwrap_or_default(),
        include_groups: users.include_groups.unwrap_or_default(),
        exclude_groups: users.exclude_groups.unwrap_or_default(),
        include_roles: users.include_roles.unwrap_or_default(),
        exclude_roles: users.exclude_roles.unwrap_or_default(),
        include_applications: apps.include_applications.unwrap_or_default(),
        exclude_applications: apps.exclude_applications.unwrap_or_default(),
        include_user_actions: apps.include_user_actions.unwrap_or_default(),
        client_app_types: c.client_app_types.unwrap_or_default(),
        include_locations: locations.include_locations.unwrap_or_default(),
        exclude_locations: locations.exclude_locations.unwrap_or_default(),
        grant_operator: grant.operator,
        built_in_controls: grant.built_in_controls.unwrap_or_default(),
        authentication_strength: grant
            .authentication_strength
            .and_then(|s| s.display_name.or(s.id)),
    }
}

/// `#microsoft.graph.user` → `user`.
fn principal_type(p: Option<&Principal>) -> Option<String> {
    p.and_then(|p| p.odata_type.as_deref())
        .map(|t| t.trim_start_matches("#microsoft.graph.").to_owned())
}

/// Reads the tenant the Graph token belongs to.
pub async fn collect(http: &Http, tenant_id: &str) -> EntraTenant {
    let t = tenant_id;
    let (users, registrations, assignments, eligible, active, policies) = tokio::join!(
        listing::<WireUser>(
            http,
            t,
            "graph GET /users",
            "/v1.0/users?$select=id,userPrincipalName,displayName,userType,accountEnabled,onPremisesSyncEnabled,mail&$top=999",
            &[(USER, &[]), (PRIVILEGED, &[]), (TENANT, &["user_count"])],
        ),
        listing::<Registration>(
            http,
            t,
            "graph GET /reports/authenticationMethods/userRegistrationDetails",
            "/v1.0/reports/authenticationMethods/userRegistrationDetails",
            &[
                (USER, &["mfa_registered", "methods_registered"]),
                (PRIVILEGED, &["mfa_registered", "methods_registered"]),
            ],
        ),
        listing::<WireAssignment>(
            http,
            t,
            "graph GET /roleManagement/directory/roleAssignments",
            "/v1.0/roleManagement/directory/roleAssignments?$expand=principal",
            &[
                (PRIVILEGED, &[]),
                (TENANT, &["global_admins", "global_admin_count"]),
                (USER, &["privileged_roles"]),
            ],
        ),
        listing::<WireSchedule>(
            http,
            t,
            "graph GET /roleManagement/directory/roleEligibilityScheduleInstances",
            "/v1.0/roleManagement/directory/roleEligibilityScheduleInstances",
            &[
                (PRIVILEGED, &["eligible_roles"]),
                (USER, &["privileged_roles"]),
            ],
        ),
        listing::<WireSchedule>(
            http,
            t,
            "graph GET /roleManagement/directory/roleAssignmentScheduleInstances",
            "/v1.0/roleManagement/directory/roleAssignmentScheduleInstances",
            &[(PRIVILEGED, &["permanent_roles"])],
        ),
        listing::<WirePolicy>(
            http,
            t,
            "graph GET /identity/conditionalAccess/policies",
            "/v1.0/identity/conditionalAccess/policies",
            &[(
                TENANT,
                &[
                    "conditional_access_policy_count",
                    "admin_roles_without_mfa_policy",
                    "azure_management_mfa_policies",
                ],
            )],
        ),
    );
    let registrations_read = registrations.is_some();
    let registrations = registrations.unwrap_or_default();
    let assignments = assignments.unwrap_or_default();
    let mut wire_users = users.unwrap_or_default();
    // A role holder the user listing did not return (e.g. it changed while being read) is
    // still described by the assignment's expanded principal.
    for a in &assignments {
        let Some(p) = a.principal.as_ref() else {
            continue;
        };
        let is_user = principal_type(Some(p)).as_deref() == Some("user");
        let id = p.id.clone().unwrap_or_else(|| a.principal_id.clone());
        if is_user && !wire_users.iter().any(|u| u.id.eq_ignore_ascii_case(&id)) {
            wire_users.push(WireUser {
                id,
                user_principal_name: p.user_principal_name.clone(),
                display_name: p.display_name.clone(),
                user_type: p.user_type.clone(),
                account_enabled: p.account_enabled,
                on_premises_sync_enabled: p.on_premises_sync_enabled,
                mail: p.mail.clone(),
            });
        }
    }
    let mut users: Vec<EntraUser> = wire_users
        .into_iter()
        .map(|u| {
            let reg = registrations
                .iter()
                .find(|r| r.id.eq_ignore_ascii_case(&u.id));
            EntraUser {
                user_principal_name: u.user_principal_name.unwrap_or_else(|| u.id.clone()),
                display_name: u.display_name.unwrap_or_default(),
                user_type: u.user_type,
                account_enabled: u.account_enabled,
                on_premises_sync_enabled: u.on_premises_sync_enabled,
                mail: u.mail,
                // Absent from a report that was read: the user has registered nothing.
                mfa_registered: registrations_read
                    .then(|| reg.and_then(|r| r.is_mfa_registered).unwrap_or(false)),
                methods_registered: reg
                    .map(|r| r.methods_registered.clone())
                    .unwrap_or_default(),
                id: u.id,
            }
        })
        .collect();
    users.sort_by(|a, b| a.user_principal_name.cmp(&b.user_principal_name));
    let mut role_assignments: Vec<DirectoryRoleAssignment> = assignments
        .into_iter()
        .map(|a| DirectoryRoleAssignment {
            principal_type: principal_type(a.principal.as_ref()),
            id: a.id,
            principal_id: a.principal_id,
            role_definition_id: a.role_definition_id,
            directory_scope_id: a.directory_scope_id.unwrap_or_else(|| "/".into()),
        })
        .collect();
    role_assignments.sort_by(|a, b| a.id.cmp(&b.id));
    let mut conditional_access_policies: Vec<ConditionalAccessPolicy> = policies
        .unwrap_or_default()
        .into_iter()
        .map(policy)
        .collect();
    conditional_access_policies.sort_by(|a, b| a.id.cmp(&b.id));
    EntraTenant {
        tenant_id: tenant_id.to_owned(),
        users,
        role_assignments,
        role_eligibilities: eligible
            .unwrap_or_default()
            .into_iter()
            .map(|e| DirectoryRoleEligibility {
                id: e.id,
                principal_id: e.principal_id,
                role_definition_id: e.role_definition_id,
                directory_scope_id: e.directory_scope_id.unwrap_or_else(|| "/".into()),
                start: e.start_date_time,
                end: e.end_date_time,
            })
            .collect(),
        role_assignment_instances: active
            .unwrap_or_default()
            .into_iter()
            .map(|e| DirectoryRoleAssignmentInstance {
                id: e.id,
                principal_id: e.principal_id,
                role_definition_id: e.role_definition_id,
                directory_scope_id: e.directory_scope_id.unwrap_or_else(|| "/".into()),
                assignment_type: e.assignment_type,
                start: e.start_date_time,
                end: e.end_date_time,
            })
            .collect(),
        conditional_access_policies,
    }
}
