//! Authorization: role assignments, role definitions, and PIM's eligibility and assignment
//! schedule instances.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::collect::azure::http::Http;
use crate::snapshot::{RoleAssignment, RoleDefinition, RolePermission, ScheduleInstance, kind};

use super::wire::{AUTHORIZATION, PIM, Resource, listing};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RoleDefinitionProps {
    role_name: String,
    #[serde(rename = "type")]
    role_type: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    assignable_scopes: Vec<String>,
    #[serde(default)]
    permissions: Vec<PermissionProps>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PermissionProps {
    #[serde(default)]
    actions: Vec<String>,
    #[serde(default)]
    not_actions: Vec<String>,
    #[serde(default)]
    data_actions: Vec<String>,
    #[serde(default)]
    not_data_actions: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AssignmentProps {
    scope: String,
    role_definition_id: String,
    principal_id: String,
    #[serde(default)]
    principal_type: Option<String>,
    #[serde(default)]
    condition: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ScheduleProps {
    scope: String,
    role_definition_id: String,
    principal_id: String,
    #[serde(default)]
    principal_type: Option<String>,
    #[serde(default)]
    assignment_type: Option<String>,
    #[serde(default)]
    origin_role_assignment_id: Option<String>,
    #[serde(default)]
    start_date_time: Option<DateTime<Utc>>,
    #[serde(default)]
    end_date_time: Option<DateTime<Utc>>,
}

pub(super) fn schedule(r: Resource<ScheduleProps>) -> ScheduleInstance {
    let p = r.properties;
    ScheduleInstance {
        id: r.id,
        scope: p.scope,
        role_definition_id: p.role_definition_id,
        principal_id: p.principal_id,
        principal_type: p.principal_type.unwrap_or_default(),
        assignment_type: p.assignment_type,
        origin_role_assignment_id: p.origin_role_assignment_id,
        start: p.start_date_time,
        end: p.end_date_time,
    }
}

pub(super) type Authorization = (
    Vec<RoleDefinition>,
    Vec<RoleAssignment>,
    Vec<ScheduleInstance>,
    Vec<ScheduleInstance>,
);

pub(super) async fn authorization(http: &Http, s: &str, base: &str) -> Authorization {
    const ASSIGNMENT: &str = kind::AZURE_AUTHORIZATION_ROLE_ASSIGNMENT;
    let p = format!("{base}/providers/Microsoft.Authorization");
    let (defs, assignments, eligible, active) = tokio::join!(
        listing::<Resource<RoleDefinitionProps>>(
            http,
            s,
            "Microsoft.Authorization/roleDefinitions/read",
            format!("{p}/roleDefinitions?api-version={AUTHORIZATION}"),
            &[
                (kind::AZURE_AUTHORIZATION_CUSTOM_ROLE, &[]),
                (ASSIGNMENT, &["role_name", "role_type"]),
            ],
        ),
        listing::<Resource<AssignmentProps>>(
            http,
            s,
            "Microsoft.Authorization/roleAssignments/read",
            format!("{p}/roleAssignments?api-version={AUTHORIZATION}"),
            &[(ASSIGNMENT, &[])],
        ),
        listing::<Resource<ScheduleProps>>(
            http,
            s,
            "Microsoft.Authorization/roleEligibilityScheduleInstances/read",
            format!("{p}/roleEligibilityScheduleInstances?api-version={PIM}&$filter=atScope()"),
            &[(ASSIGNMENT, &["pim_eligibility"])],
        ),
        listing::<Resource<ScheduleProps>>(
            http,
            s,
            "Microsoft.Authorization/roleAssignmentScheduleInstances/read",
            format!("{p}/roleAssignmentScheduleInstances?api-version={PIM}&$filter=atScope()"),
            &[(ASSIGNMENT, &["pim", "end"])],
        ),
    );
    let defs = defs
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            let p = r.properties;
            RoleDefinition {
                id: r.id,
                role_name: p.role_name,
                role_type: p.role_type,
                description: p.description.unwrap_or_default(),
                assignable_scopes: p.assignable_scopes,
                permissions: p
                    .permissions
                    .into_iter()
                    .map(|p| RolePermission {
                        actions: p.actions,
                        not_actions: p.not_actions,
                        data_actions: p.data_actions,
                        not_data_actions: p.not_data_actions,
                    })
                    .collect(),
            }
        })
        .collect::<Vec<_>>();
    let assignments: Vec<RoleAssignment> = assignments
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            let p = r.properties;
            RoleAssignment {
                id: r.id,
                scope: p.scope,
                role_definition_id: p.role_definition_id,
                principal_id: p.principal_id,
                principal_type: p.principal_type.unwrap_or_default(),
                condition: p.condition,
            }
        })
        .collect();
    // Keep custom roles and the built-in roles in use; the ~600 other built-ins add nothing.
    let defs = defs
        .into_iter()
        .filter(|d| {
            d.role_type == "CustomRole"
                || assignments.iter().any(|a| {
                    crate::analyze::azure::roles::definition_guid(&a.role_definition_id)
                        .eq_ignore_ascii_case(crate::analyze::azure::roles::definition_guid(&d.id))
                })
        })
        .collect();
    (
        defs,
        assignments,
        eligible
            .unwrap_or_default()
            .into_iter()
            .map(schedule)
            .collect(),
        active
            .unwrap_or_default()
            .into_iter()
            .map(schedule)
            .collect(),
    )
}
