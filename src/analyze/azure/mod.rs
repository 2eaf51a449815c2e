//! Azure facts: network security group exposure, the privileged roles of Entra ID and Azure
//! RBAC, Conditional Access coverage, and the resource views rules read.

pub mod entra;
pub mod inventory;
pub mod nsg;
pub mod roles;

/// The resource group named in an ARM resource id (`/subscriptions/…/resourceGroups/{rg}/…`).
pub fn resource_group(id: &str) -> Option<&str> {
    let mut parts = id.split('/');
    while let Some(p) = parts.next() {
        if p.eq_ignore_ascii_case("resourceGroups") {
            return parts.next();
        }
    }
    None
}

/// What an ARM scope is: `management_group`, `subscription`, `resource_group`, `resource`
/// or `root` (`/`).
pub fn scope_level(scope: &str) -> &'static str {
    let parts: Vec<&str> = scope.trim_matches('/').split('/').collect();
    match parts.as_slice() {
        [""] => "root",
        [p, _, ..] if p.eq_ignore_ascii_case("providers") => "management_group",
        [s, _] if s.eq_ignore_ascii_case("subscriptions") => "subscription",
        [s, _, g, _]
            if s.eq_ignore_ascii_case("subscriptions")
                && g.eq_ignore_ascii_case("resourceGroups") =>
        {
            "resource_group"
        }
        _ => "resource",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_and_resource_groups_are_read_from_ids() {
        assert_eq!(scope_level("/"), "root");
        assert_eq!(
            scope_level("/providers/Microsoft.Management/managementGroups/mg1"),
            "management_group"
        );
        assert_eq!(scope_level("/subscriptions/s1"), "subscription");
        assert_eq!(
            scope_level("/subscriptions/s1/resourceGroups/rg"),
            "resource_group"
        );
        assert_eq!(
            scope_level(
                "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a"
            ),
            "resource"
        );
        assert_eq!(
            resource_group("/subscriptions/s1/resourcegroups/rg1/providers/x/y/z"),
            Some("rg1")
        );
        assert_eq!(resource_group("/subscriptions/s1"), None);
    }
}
