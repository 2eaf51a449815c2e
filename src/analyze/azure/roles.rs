//! Well-known Azure roles: the privileged Entra ID directory roles (by template id, the same in
//! every tenant) and the privileged Azure RBAC built-in roles (by role definition GUID).

/// Directory roles that can take over the tenant, its users or their credentials.
pub const PRIVILEGED_DIRECTORY_ROLES: &[(&str, &str)] = &[
    (
        "62e90394-69f5-4237-9190-012177145e10",
        "Global Administrator",
    ),
    (
        "e8611ab8-c189-46e8-94e1-60213ab1f814",
        "Privileged Role Administrator",
    ),
    (
        "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
        "Privileged Authentication Administrator",
    ),
    ("fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator"),
    (
        "729827e3-9c14-49f7-bb1b-9608f156bbb8",
        "Helpdesk Administrator",
    ),
    (
        "966707d0-3269-4727-9be2-8c3a10f19b9d",
        "Password Administrator",
    ),
    (
        "c4e39bd9-1100-46d3-8c65-fb160da0071f",
        "Authentication Administrator",
    ),
    (
        "194ae4cb-b126-40b2-bd5b-6091b380977d",
        "Security Administrator",
    ),
    (
        "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
        "Conditional Access Administrator",
    ),
    (
        "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
        "Application Administrator",
    ),
    (
        "158c047a-c907-4556-b7ef-446551a6b5f7",
        "Cloud Application Administrator",
    ),
    (
        "29232cdf-9323-42fd-ade2-1d097af3e4de",
        "Exchange Administrator",
    ),
    (
        "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
        "SharePoint Administrator",
    ),
    (
        "3a2c62db-5318-420d-8d74-23affee5d9d5",
        "Intune Administrator",
    ),
];

/// The name of a privileged directory role, by template id.
pub fn privileged_directory_role(template_id: &str) -> Option<&'static str> {
    PRIVILEGED_DIRECTORY_ROLES
        .iter()
        .find(|(id, _)| id.eq_ignore_ascii_case(template_id))
        .map(|(_, name)| *name)
}

/// Built-in Azure RBAC roles that can grant access to others (and so take over their scope).
/// Contributor changes everything but cannot grant access; deployment identities hold it.
pub const PRIVILEGED_RBAC_ROLES: &[(&str, &str)] = &[
    ("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Owner"),
    (
        "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
        "User Access Administrator",
    ),
    (
        "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
        "Role Based Access Control Administrator",
    ),
];

/// The last path segment of a role definition id (`…/roleDefinitions/{guid}`).
pub fn definition_guid(role_definition_id: &str) -> &str {
    role_definition_id
        .rsplit('/')
        .next()
        .unwrap_or(role_definition_id)
}

/// The name of a built-in privileged RBAC role, by role definition id or GUID.
pub fn privileged_rbac_role(role_definition_id: &str) -> Option<&'static str> {
    let guid = definition_guid(role_definition_id);
    PRIVILEGED_RBAC_ROLES
        .iter()
        .find(|(id, _)| id.eq_ignore_ascii_case(guid))
        .map(|(_, name)| *name)
}

/// The application id of the Windows Azure Service Management API (portal, CLI, PowerShell,
/// ARM), as Conditional Access names it.
pub const AZURE_MANAGEMENT_APP: &str = "797f4846-ba00-4fd7-ba43-dac1f8f63013";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_found_by_id_or_full_definition_path() {
        assert_eq!(
            privileged_directory_role("62E90394-69F5-4237-9190-012177145E10"),
            Some("Global Administrator")
        );
        assert_eq!(
            privileged_rbac_role(
                "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
            ),
            Some("Owner")
        );
        assert_eq!(
            privileged_rbac_role("acdd72a7-3385-48ef-bd42-f606fba81ae7"),
            None
        );
    }
}
