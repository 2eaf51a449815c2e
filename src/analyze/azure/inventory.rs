//! Azure resources as rule views: subscriptions with their activity-log export and Defender
//! plans, RBAC assignments with their PIM state, custom roles, network security groups with
//! their flow logs, virtual networks, subnets, storage accounts, and Entra ID tenants, users
//! and privileged role holders.

use crate::snapshot::kind;
use std::collections::BTreeMap;

use serde_json::{Map, Value as Json, json};

use super::entra::{self, PrivilegedHolder};
use super::roles;
use super::{resource_group, scope_level};
use crate::analyze::fields::to_map;
use crate::analyze::resource::{Pending, Push};
use crate::snapshot::{
    AzureResources, DiagnosticSetting, EntraTenant, EntraUser, ScheduleInstance, Subscription,
};

/// The Defender for Cloud plans (pricing names) every subscription's view names: a plan its
/// listing does not name is off (`Free`).
pub const DEFENDER_PLANS: &[&str] = &[
    "Api",
    "AppServices",
    "Arm",
    "CloudPosture",
    "Containers",
    "CosmosDbs",
    "KeyVaults",
    "OpenSourceRelationalDatabases",
    "SqlServerVirtualMachines",
    "SqlServers",
    "StorageAccounts",
    "VirtualMachines",
];

/// The plans whose alerts would notice a first use of privileged rights (the privileged
/// section's monitoring).
pub const MONITORING_PLANS: &[&str] = &[
    "Arm",
    "CloudPosture",
    "KeyVaults",
    "StorageAccounts",
    "VirtualMachines",
];

/// Activity-log categories an export must carry to be useful for detection (CIS Azure 6.1.2).
const ACTIVITY_LOG_CATEGORIES: &[&str] = &["Administrative", "Alert", "Policy", "Security"];

pub fn azure<'s>(azure: &'s AzureResources, out: &mut Vec<Pending<'s>>) {
    for tenant in &azure.tenants {
        let mut push = Push {
            out,
            account: &tenant.tenant_id,
        };
        entra_tenant(tenant, &mut push);
    }
    let names = principal_names(azure);
    for sub in &azure.subscriptions {
        let mut push = Push {
            out,
            account: &sub.subscription_id,
        };
        subscription(sub, &names, &mut push);
    }
}

/// Adds a view, giving every Azure view `name` and (where it has one) `location` fields for
/// rule messages.
fn add<'s>(
    push: &mut Push<'_, 's>,
    kind: &str,
    id: String,
    name: String,
    location: Option<&'s str>,
    fields: impl FnOnce() -> Map<String, Json> + Send + 's,
) {
    let shown = name.clone();
    push.add(kind, id, name, location, move || {
        let mut data = fields();
        data.entry("name").or_insert_with(|| json!(shown));
        if let Some(l) = location {
            data.entry("location").or_insert_with(|| json!(l));
        }
        data
    });
}

fn same(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

fn principal_names(azure: &AzureResources) -> BTreeMap<String, String> {
    azure
        .tenants
        .iter()
        .flat_map(|t| &t.users)
        .map(|u| (u.id.to_ascii_lowercase(), u.user_principal_name.clone()))
        .collect()
}

/// Whether a diagnostic setting sends the activity log's detection categories somewhere.
pub fn exports_activity_log(setting: &DiagnosticSetting) -> bool {
    let has_destination = [
        &setting.storage_account_id,
        &setting.workspace_id,
        &setting.event_hub_authorization_rule_id,
        &setting.marketplace_partner_id,
    ]
    .iter()
    .any(|d| d.as_deref().is_some_and(|d| !d.is_empty()));
    let enabled = |cat: &str| {
        setting.logs.iter().any(|l| {
            l.enabled
                && (l.category.as_deref().is_some_and(|c| same(c, cat))
                    || l.category_group
                        .as_deref()
                        .is_some_and(|g| same(g, "allLogs")))
        })
    };
    has_destination && ACTIVITY_LOG_CATEGORIES.iter().all(|c| enabled(c))
}

fn subscription<'s>(
    sub: &'s Subscription,
    names: &BTreeMap<String, String>,
    push: &mut Push<'_, 's>,
) {
    let sid = &sub.subscription_id;
    let mut plans: BTreeMap<String, String> = DEFENDER_PLANS
        .iter()
        .map(|p| ((*p).to_owned(), "Free".to_owned()))
        .collect();
    for plan in &sub.defender_plans {
        plans.insert(plan.name.clone(), plan.pricing_tier.clone());
    }
    let exports: Vec<&str> = sub
        .diagnostic_settings
        .iter()
        .filter(|s| exports_activity_log(s))
        .map(|s| s.name.as_str())
        .collect();
    add(
        push,
        kind::AZURE_SUBSCRIPTION,
        format!("/subscriptions/{sid}"),
        if sub.display_name.is_empty() {
            format!("subscription {sid}")
        } else {
            format!("{} ({sid})", sub.display_name)
        },
        None,
        move || {
            to_map(&json!({
            "subscription_id": sid,
            "display_name": sub.display_name,
            "state": sub.state,
            "tenant_id": sub.tenant_id,
            "diagnostic_settings": sub.diagnostic_settings,
            "activity_log_exports": exports,
            "defender_plans": plans,
            }))
        },
    );
    role_assignments(sub, names, push);
    for def in sub
        .role_definitions
        .iter()
        .filter(|d| same(&d.role_type, "CustomRole"))
    {
        add(
            push,
            kind::AZURE_AUTHORIZATION_CUSTOM_ROLE,
            def.id.clone(),
            def.role_name.clone(),
            None,
            move || {
                let flat = |f: fn(&crate::snapshot::RolePermission) -> &Vec<String>| -> Vec<&str> {
                    def.permissions
                        .iter()
                        .flat_map(|p| f(p).iter().map(String::as_str))
                        .collect()
                };
                to_map(&json!({
                    "role_name": def.role_name,
                    "description": def.description,
                    "assignable_scopes": def.assignable_scopes,
                    "actions": flat(|p| &p.actions),
                    "not_actions": flat(|p| &p.not_actions),
                    "data_actions": flat(|p| &p.data_actions),
                }))
            },
        );
    }
    network(sub, push);
    for account in &sub.storage_accounts {
        add(
            push,
            kind::AZURE_STORAGE_ACCOUNT,
            account.id.clone(),
            account.name.clone(),
            Some(&account.location),
            move || {
                let mut data = to_map(account);
                data.insert("resource_group".into(), json!(resource_group(&account.id)));
                data
            },
        );
    }
}

/// `permanent`, `time-bound` or `activated`, from the PIM instance standing for the assignment.
fn pim_state(instance: Option<&ScheduleInstance>) -> &'static str {
    match instance {
        Some(i) if i.assignment_type.as_deref() == Some("Activated") => "activated",
        Some(i) if i.end.is_some() => "time-bound",
        _ => "permanent",
    }
}

fn role_assignments<'s>(
    sub: &'s Subscription,
    names: &BTreeMap<String, String>,
    push: &mut Push<'_, 's>,
) {
    for a in &sub.role_assignments {
        let guid = roles::definition_guid(&a.role_definition_id);
        let definition = sub
            .role_definitions
            .iter()
            .find(|d| same(roles::definition_guid(&d.id), guid));
        let role_name = definition
            .map(|d| d.role_name.clone())
            .or_else(|| roles::privileged_rbac_role(guid).map(str::to_owned))
            .unwrap_or_else(|| guid.to_owned());
        let instance = sub.role_assignment_instances.iter().find(|i| {
            i.origin_role_assignment_id
                .as_deref()
                .is_some_and(|o| same(o, &a.id))
        });
        let principal_name = names.get(&a.principal_id.to_ascii_lowercase()).cloned();
        add(
            push,
            kind::AZURE_AUTHORIZATION_ROLE_ASSIGNMENT,
            a.id.clone(),
            format!(
                "{role_name} for {} {} at {}",
                a.principal_type,
                principal_name.as_ref().unwrap_or(&a.principal_id),
                a.scope
            ),
            None,
            move || {
                to_map(&json!({
                "scope": a.scope,
                "scope_level": scope_level(&a.scope),
                "role_definition_id": a.role_definition_id,
                "role_name": role_name,
                "role_type": definition.map(|d| d.role_type.as_str()),
                "privileged": roles::privileged_rbac_role(guid).is_some(),
                "principal_id": a.principal_id,
                "principal_type": a.principal_type,
                "principal_name": principal_name,
                "condition": a.condition,
                "pim": pim_state(instance),
                "end": instance.and_then(|i| i.end),
                }))
            },
        );
    }
}

fn network<'s>(sub: &'s Subscription, push: &mut Push<'_, 's>) {
    let enabled_logs = move |target: &str| -> Vec<&'s str> {
        sub.flow_logs
            .iter()
            .filter(|f| f.enabled && same(&f.target_resource_id, target))
            .map(|f| f.name.as_str())
            .collect()
    };
    for nsg in &sub.network_security_groups {
        add(
            push,
            kind::AZURE_NETWORK_NSG,
            nsg.id.clone(),
            nsg.name.clone(),
            Some(&nsg.location),
            move || {
                let mut data = to_map(nsg);
                data.insert("resource_group".into(), json!(resource_group(&nsg.id)));
                data.insert("flow_logs".into(), json!(enabled_logs(&nsg.id)));
                data
            },
        );
    }
    for vnet in &sub.virtual_networks {
        // Traffic of a virtual network is logged by a flow log on it, on a subnet, or on
        // the network security group of a subnet.
        let mut logs = enabled_logs(&vnet.id);
        for subnet in &vnet.subnets {
            logs.extend(enabled_logs(&subnet.id));
            if let Some(nsg) = &subnet.network_security_group_id {
                logs.extend(enabled_logs(nsg));
            }
        }
        logs.sort_unstable();
        logs.dedup();
        add(
            push,
            kind::AZURE_NETWORK_VIRTUAL_NETWORK,
            vnet.id.clone(),
            vnet.name.clone(),
            Some(&vnet.location),
            move || {
                to_map(&json!({
                    "resource_group": resource_group(&vnet.id),
                    "address_prefixes": vnet.address_prefixes,
                    "subnets": vnet.subnets.iter().map(|s| &s.name).collect::<Vec<_>>(),
                    "flow_logs": logs,
                    "tags": vnet.tags,
                }))
            },
        );
        for subnet in &vnet.subnets {
            add(
                push,
                kind::AZURE_NETWORK_SUBNET,
                subnet.id.clone(),
                format!("{}/{}", vnet.name, subnet.name),
                Some(&vnet.location),
                move || {
                    to_map(&json!({
                        "name": subnet.name,
                        "virtual_network": vnet.name,
                        "address_prefixes": subnet.address_prefixes,
                        "network_security_group_id": subnet.network_security_group_id,
                    }))
                },
            );
        }
    }
    for log in &sub.flow_logs {
        add(
            push,
            kind::AZURE_NETWORK_FLOW_LOG,
            log.id.clone(),
            log.name.clone(),
            Some(&log.location),
            move || {
                let mut data = to_map(log);
                data.insert(
                    "target_kind".into(),
                    json!(target_kind(&log.target_resource_id)),
                );
                data
            },
        );
    }
    for ip in &sub.public_ip_addresses {
        add(
            push,
            kind::AZURE_NETWORK_PUBLIC_IP,
            ip.id.clone(),
            ip.name.clone(),
            Some(&ip.location),
            move || to_map(ip),
        );
    }
}

/// `nsg`, `virtual_network`, `subnet`, `network_interface` or `other`.
fn target_kind(id: &str) -> &'static str {
    let lower = id.to_ascii_lowercase();
    if lower.contains("/subnets/") {
        "subnet"
    } else if lower.contains("/networksecuritygroups/") {
        "nsg"
    } else if lower.contains("/virtualnetworks/") {
        "virtual_network"
    } else if lower.contains("/networkinterfaces/") {
        "network_interface"
    } else {
        "other"
    }
}

fn user_fields(user: &EntraUser) -> Map<String, Json> {
    let mut data = to_map(user);
    data.insert(
        "has_mailbox".into(),
        json!(user.mail.as_deref().is_some_and(|m| !m.is_empty())),
    );
    data
}

fn entra_tenant<'s>(tenant: &'s EntraTenant, push: &mut Push<'_, 's>) {
    let tid = &tenant.tenant_id;
    let holders = entra::privileged_holders(tenant);
    let user = |id: &str| tenant.users.iter().find(|u| same(&u.id, id));
    let label =
        |id: &str| user(id).map_or_else(|| id.to_owned(), |u| u.user_principal_name.clone());
    let global_admins: Vec<String> = holders
        .values()
        .filter(|h| h.active.contains("Global Administrator"))
        .map(|h| label(&h.principal_id))
        .collect();
    add(
        push,
        kind::AZURE_ENTRA_TENANT,
        format!("/tenants/{tid}"),
        format!("Entra ID tenant {tid}"),
        None,
        move || {
            to_map(&json!({
            "tenant_id": tid,
            "user_count": tenant.users.len(),
            "global_admins": global_admins,
            "global_admin_count": global_admins.len(),
            "conditional_access_policy_count": tenant.conditional_access_policies.len(),
            "admin_roles_without_mfa_policy": entra::admin_roles_without_mfa_policy(tenant),
            "azure_management_mfa_policies": entra::azure_management_mfa_policies(tenant),
            }))
        },
    );
    for u in &tenant.users {
        let holder = holders.get(&u.id.to_ascii_lowercase());
        let roles = json!(holder.map(|h| h.active.union(&h.eligible).collect::<Vec<_>>()));
        add(
            push,
            kind::AZURE_ENTRA_USER,
            format!("/tenants/{tid}/users/{}", u.id),
            u.user_principal_name.clone(),
            None,
            move || {
                let mut data = user_fields(u);
                data.insert("privileged_roles".into(), roles);
                data
            },
        );
    }
    for h in holders.values() {
        // Users only: groups and service principals need other protections.
        let is_user = h.principal_type.as_deref().is_none_or(|t| same(t, "user"));
        let Some(u) = user(&h.principal_id).filter(|_| is_user) else {
            continue;
        };
        let holder = holder_fields(h);
        add(
            push,
            kind::AZURE_ENTRA_PRIVILEGED_USER,
            format!("/tenants/{tid}/users/{}", u.id),
            u.user_principal_name.clone(),
            None,
            move || {
                let mut data = user_fields(u);
                data.extend(holder);
                data
            },
        );
    }
}

fn holder_fields(h: &PrivilegedHolder) -> Map<String, Json> {
    to_map(&json!({
        "active_roles": h.active,
        "eligible_roles": h.eligible,
        "permanent_roles": h.permanent,
    }))
}
