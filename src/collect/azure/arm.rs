//! Azure Resource Manager reads of one subscription: authorization (assignments, role
//! definitions, PIM instances), network (NSGs, virtual networks, public IPs, watchers and
//! their flow logs), storage accounts, the activity log's diagnostic settings and Defender
//! for Cloud plans. Only the fields onus needs are parsed.

use crate::snapshot::kind;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::http::{Api, Http};
use crate::snapshot::{
    AzureFlowLog, DefenderPlan, DiagnosticSetting, LogCategory, NetworkSecurityGroup,
    NetworkWatcher, NsgRule, PublicIpAddress, RoleAssignment, RoleDefinition, RolePermission,
    ScheduleInstance, StorageAccount, Subscription, Tags, VirtualNetwork, VnetSubnet,
};

const AUTHORIZATION: &str = "2022-04-01";
const PIM: &str = "2020-10-01";
const NETWORK: &str = "2024-05-01";
const STORAGE: &str = "2023-05-01";
const INSIGHTS: &str = "2021-05-01-preview";
const SECURITY: &str = "2024-01-01";
pub const SUBSCRIPTIONS: &str = "2022-12-01";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireSubscription {
    pub subscription_id: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub tenant_id: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
}

impl WireSubscription {
    pub fn into_subscription(self) -> Subscription {
        Subscription {
            subscription_id: self.subscription_id,
            display_name: self.display_name,
            tenant_id: self.tenant_id,
            state: self.state,
            ..Subscription::default()
        }
    }
}

/// An ARM resource: id, name, location, tags and the properties of type `P`.
#[derive(Deserialize)]
struct Resource<P> {
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    tags: Option<Tags>,
    #[serde(default)]
    kind: Option<String>,
    properties: P,
}

#[derive(Deserialize)]
struct IdRef {
    id: String,
}

fn ids(refs: Option<Vec<IdRef>>) -> Vec<String> {
    refs.unwrap_or_default().into_iter().map(|r| r.id).collect()
}

/// A single value and a list, as ARM splits e.g. `sourceAddressPrefix(es)`.
fn both(one: Option<String>, many: Option<Vec<String>>) -> Vec<String> {
    one.into_iter()
        .filter(|s| !s.is_empty())
        .chain(many.unwrap_or_default())
        .collect()
}

/// Reads everything of one subscription into `sub`, recording a gap for each failed read.
pub async fn collect(http: &Http, sub: &mut Subscription) {
    let s = sub.subscription_id.clone();
    let base = format!("/subscriptions/{s}");
    let (auth, net, storage, diag, defender) = tokio::join!(
        authorization(http, &s, &base),
        network(http, &s, &base),
        storage_accounts(http, &s, &base),
        diagnostic_settings(http, &s, &base),
        defender_plans(http, &s, &base),
    );
    (
        sub.role_definitions,
        sub.role_assignments,
        sub.role_eligibility_instances,
        sub.role_assignment_instances,
    ) = auth;
    (
        sub.network_security_groups,
        sub.virtual_networks,
        sub.public_ip_addresses,
        sub.network_watchers,
        sub.flow_logs,
    ) = net;
    sub.storage_accounts = storage;
    sub.diagnostic_settings = diag;
    sub.defender_plans = defender;
}

/// Lists `path`, recording a listing gap for each of `kinds` on failure; what was read
/// before a failure is dropped (a partial list would pass resources it never saw).
async fn listing<T: for<'de> Deserialize<'de>>(
    http: &Http,
    sub: &str,
    operation: &str,
    path: String,
    kinds: &[(&str, &[&str])],
) -> Option<Vec<T>> {
    let owner = format!("/subscriptions/{sub}");
    http.list_or_gaps(
        Api::Arm,
        sub,
        (kind::AZURE_SUBSCRIPTION, &owner),
        operation,
        &path,
        kinds,
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Authorization
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoleDefinitionProps {
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
struct PermissionProps {
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
struct AssignmentProps {
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
struct ScheduleProps {
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

fn schedule(r: Resource<ScheduleProps>) -> ScheduleInstance {
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

type Authorization = (
    Vec<RoleDefinition>,
    Vec<RoleAssignment>,
    Vec<ScheduleInstance>,
    Vec<ScheduleInstance>,
);

async fn authorization(http: &Http, s: &str, base: &str) -> Authorization {
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

// ---------------------------------------------------------------------------------------------
// Network
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NsgProps {
    #[serde(default)]
    security_rules: Vec<Resource<RuleProps>>,
    #[serde(default)]
    subnets: Option<Vec<IdRef>>,
    #[serde(default)]
    network_interfaces: Option<Vec<IdRef>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RuleProps {
    direction: String,
    access: String,
    protocol: String,
    priority: i64,
    #[serde(default)]
    source_address_prefix: Option<String>,
    #[serde(default)]
    source_address_prefixes: Option<Vec<String>>,
    #[serde(default)]
    source_application_security_groups: Option<Vec<IdRef>>,
    #[serde(default)]
    destination_port_range: Option<String>,
    #[serde(default)]
    destination_port_ranges: Option<Vec<String>>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VnetProps {
    #[serde(default)]
    address_space: Option<AddressSpace>,
    #[serde(default)]
    subnets: Vec<SubnetResource>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AddressSpace {
    #[serde(default)]
    address_prefixes: Vec<String>,
}

#[derive(Deserialize)]
struct SubnetResource {
    id: String,
    name: String,
    #[serde(default)]
    properties: Option<SubnetProps>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubnetProps {
    #[serde(default)]
    address_prefix: Option<String>,
    #[serde(default)]
    address_prefixes: Option<Vec<String>>,
    #[serde(default)]
    network_security_group: Option<IdRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PublicIpProps {
    #[serde(default)]
    ip_address: Option<String>,
    #[serde(default)]
    ip_configuration: Option<IdRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FlowLogProps {
    target_resource_id: String,
    #[serde(default)]
    enabled: Option<bool>,
    #[serde(default)]
    storage_id: Option<String>,
    #[serde(default)]
    retention_policy: Option<RetentionPolicy>,
    #[serde(default)]
    flow_analytics_configuration: Option<FlowAnalytics>,
}

#[derive(Deserialize)]
struct RetentionPolicy {
    #[serde(default)]
    days: Option<i64>,
    #[serde(default)]
    enabled: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FlowAnalytics {
    #[serde(default)]
    network_watcher_flow_analytics_configuration: Option<Enabled>,
}

#[derive(Deserialize)]
struct Enabled {
    #[serde(default)]
    enabled: Option<bool>,
}

type Network = (
    Vec<NetworkSecurityGroup>,
    Vec<VirtualNetwork>,
    Vec<PublicIpAddress>,
    Vec<NetworkWatcher>,
    Vec<AzureFlowLog>,
);

async fn network(http: &Http, s: &str, base: &str) -> Network {
    let p = format!("{base}/providers/Microsoft.Network");
    let (nsgs, vnets, ips, flow) = tokio::join!(
        listing::<Resource<NsgProps>>(
            http,
            s,
            "Microsoft.Network/networkSecurityGroups/read",
            format!("{p}/networkSecurityGroups?api-version={NETWORK}"),
            &[(kind::AZURE_NETWORK_NSG, &[])],
        ),
        listing::<Resource<VnetProps>>(
            http,
            s,
            "Microsoft.Network/virtualNetworks/read",
            format!("{p}/virtualNetworks?api-version={NETWORK}"),
            &[
                (kind::AZURE_NETWORK_VIRTUAL_NETWORK, &[]),
                (kind::AZURE_NETWORK_SUBNET, &[]),
            ],
        ),
        listing::<Resource<PublicIpProps>>(
            http,
            s,
            "Microsoft.Network/publicIPAddresses/read",
            format!("{p}/publicIPAddresses?api-version={NETWORK}"),
            &[(kind::AZURE_NETWORK_PUBLIC_IP, &[])],
        ),
        watchers_and_flow_logs(http, s, &p),
    );
    let nsgs = nsgs
        .unwrap_or_default()
        .into_iter()
        .map(|r| NetworkSecurityGroup {
            id: r.id,
            name: r.name,
            location: r.location,
            security_rules: r
                .properties
                .security_rules
                .into_iter()
                .map(|rule| {
                    let p = rule.properties;
                    NsgRule {
                        name: rule.name,
                        direction: p.direction,
                        access: p.access,
                        protocol: p.protocol,
                        priority: p.priority,
                        source_address_prefixes: both(
                            p.source_address_prefix,
                            p.source_address_prefixes,
                        ),
                        source_application_security_groups: ids(
                            p.source_application_security_groups
                        ),
                        destination_port_ranges: both(
                            p.destination_port_range,
                            p.destination_port_ranges,
                        ),
                        description: p.description,
                    }
                })
                .collect(),
            subnet_ids: ids(r.properties.subnets),
            network_interface_ids: ids(r.properties.network_interfaces),
            tags: r.tags.unwrap_or_default(),
        })
        .collect();
    let vnets = vnets
        .unwrap_or_default()
        .into_iter()
        .map(|r| VirtualNetwork {
            id: r.id,
            name: r.name,
            location: r.location,
            address_prefixes: r
                .properties
                .address_space
                .map(|a| a.address_prefixes)
                .unwrap_or_default(),
            subnets: r
                .properties
                .subnets
                .into_iter()
                .map(|sn| {
                    let p = sn.properties;
                    VnetSubnet {
                        id: sn.id,
                        name: sn.name,
                        address_prefixes: p
                            .as_ref()
                            .map(|p| both(p.address_prefix.clone(), p.address_prefixes.clone()))
                            .unwrap_or_default(),
                        network_security_group_id: p
                            .and_then(|p| p.network_security_group)
                            .map(|n| n.id),
                    }
                })
                .collect(),
            tags: r.tags.unwrap_or_default(),
        })
        .collect();
    let ips = ips
        .unwrap_or_default()
        .into_iter()
        .map(|r| PublicIpAddress {
            id: r.id,
            name: r.name,
            location: r.location,
            ip_address: r.properties.ip_address,
            attached_to: r.properties.ip_configuration.map(|c| c.id),
            tags: r.tags.unwrap_or_default(),
        })
        .collect();
    let (watchers, logs) = flow;
    (nsgs, vnets, ips, watchers, logs)
}

/// Network watchers, then each watcher's flow logs. A failure hides every flow log (of that
/// watcher, or all), so flow-log facts on NSGs and virtual networks become unknown too.
async fn watchers_and_flow_logs(
    http: &Http,
    s: &str,
    network: &str,
) -> (Vec<NetworkWatcher>, Vec<AzureFlowLog>) {
    const HIDDEN: &[(&str, &[&str])] = &[
        (kind::AZURE_NETWORK_FLOW_LOG, &[]),
        (kind::AZURE_NETWORK_NSG, &["flow_logs"]),
        (kind::AZURE_NETWORK_VIRTUAL_NETWORK, &["flow_logs"]),
    ];
    let Some(watchers) = listing::<Resource<serde_json::Value>>(
        http,
        s,
        "Microsoft.Network/networkWatchers/read",
        format!("{network}/networkWatchers?api-version={NETWORK}"),
        HIDDEN,
    )
    .await
    else {
        return (Vec::new(), Vec::new());
    };
    let watchers: Vec<NetworkWatcher> = watchers
        .into_iter()
        .map(|w| NetworkWatcher {
            id: w.id,
            name: w.name,
            location: w.location,
        })
        .collect();
    // The ids are used as the service gave them (they may hold non-ASCII names).
    let paths: Vec<String> = watchers
        .iter()
        .map(|w| format!("{}/flowLogs?api-version={NETWORK}", w.id))
        .collect();
    let lists = futures::future::join_all(paths.iter().map(|path| {
        listing::<Resource<FlowLogProps>>(
            http,
            s,
            "Microsoft.Network/networkWatchers/flowLogs/read",
            path.clone(),
            HIDDEN,
        )
    }))
    .await;
    let mut logs: Vec<AzureFlowLog> = lists
        .into_iter()
        .flat_map(Option::unwrap_or_default)
        .map(|r| {
            let p = r.properties;
            let retention = p.retention_policy;
            AzureFlowLog {
                id: r.id,
                name: r.name,
                location: r.location,
                target_resource_id: p.target_resource_id,
                enabled: p.enabled.unwrap_or(false),
                storage_id: p.storage_id,
                retention_enabled: retention.as_ref().and_then(|r| r.enabled).unwrap_or(false),
                retention_days: retention.and_then(|r| r.days).unwrap_or(0),
                traffic_analytics: p
                    .flow_analytics_configuration
                    .and_then(|f| f.network_watcher_flow_analytics_configuration)
                    .and_then(|c| c.enabled)
                    .unwrap_or(false),
            }
        })
        .collect();
    logs.sort_by(|a, b| a.id.cmp(&b.id));
    (watchers, logs)
}

// ---------------------------------------------------------------------------------------------
// Storage, monitoring, Defender
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StorageProps {
    #[serde(default)]
    allow_blob_public_access: Option<bool>,
    #[serde(default)]
    supports_https_traffic_only: Option<bool>,
    #[serde(default)]
    minimum_tls_version: Option<String>,
    #[serde(default)]
    allow_shared_key_access: Option<bool>,
    #[serde(default)]
    public_network_access: Option<String>,
    #[serde(default)]
    network_acls: Option<NetworkAcls>,
    #[serde(default)]
    encryption: Option<Encryption>,
    #[serde(default)]
    allow_cross_tenant_replication: Option<bool>,
    #[serde(default)]
    creation_time: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NetworkAcls {
    #[serde(default)]
    default_action: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Encryption {
    #[serde(default)]
    key_source: Option<String>,
    #[serde(default)]
    require_infrastructure_encryption: Option<bool>,
}

async fn storage_accounts(http: &Http, s: &str, base: &str) -> Vec<StorageAccount> {
    let accounts = listing::<Resource<StorageProps>>(
        http,
        s,
        "Microsoft.Storage/storageAccounts/read",
        format!("{base}/providers/Microsoft.Storage/storageAccounts?api-version={STORAGE}"),
        &[(kind::AZURE_STORAGE_ACCOUNT, &[])],
    )
    .await;
    accounts
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            let p = r.properties;
            let encryption = p.encryption;
            StorageAccount {
                id: r.id,
                name: r.name,
                location: r.location,
                kind: r.kind,
                allow_blob_public_access: p.allow_blob_public_access,
                supports_https_traffic_only: p.supports_https_traffic_only,
                minimum_tls_version: p.minimum_tls_version,
                allow_shared_key_access: p.allow_shared_key_access,
                public_network_access: p.public_network_access,
                network_default_action: p.network_acls.and_then(|a| a.default_action),
                encryption_key_source: encryption.as_ref().and_then(|e| e.key_source.clone()),
                require_infrastructure_encryption: encryption
                    .and_then(|e| e.require_infrastructure_encryption),
                allow_cross_tenant_replication: p.allow_cross_tenant_replication,
                created: p.creation_time,
                tags: r.tags.unwrap_or_default(),
            }
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DiagnosticProps {
    #[serde(default)]
    storage_account_id: Option<String>,
    #[serde(default)]
    workspace_id: Option<String>,
    #[serde(default)]
    event_hub_authorization_rule_id: Option<String>,
    #[serde(default)]
    marketplace_partner_id: Option<String>,
    #[serde(default)]
    logs: Vec<LogProps>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LogProps {
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    category_group: Option<String>,
    #[serde(default)]
    enabled: bool,
}

async fn diagnostic_settings(http: &Http, s: &str, base: &str) -> Vec<DiagnosticSetting> {
    let settings = listing::<Resource<DiagnosticProps>>(
        http,
        s,
        "Microsoft.Insights/diagnosticSettings/read",
        format!("{base}/providers/Microsoft.Insights/diagnosticSettings?api-version={INSIGHTS}"),
        &[(
            kind::AZURE_SUBSCRIPTION,
            &["diagnostic_settings", "activity_log_exports"],
        )],
    )
    .await;
    settings
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            let p = r.properties;
            DiagnosticSetting {
                id: r.id,
                name: r.name,
                storage_account_id: p.storage_account_id,
                workspace_id: p.workspace_id,
                event_hub_authorization_rule_id: p.event_hub_authorization_rule_id,
                marketplace_partner_id: p.marketplace_partner_id,
                logs: p
                    .logs
                    .into_iter()
                    .map(|l| LogCategory {
                        category: l.category,
                        category_group: l.category_group,
                        enabled: l.enabled,
                    })
                    .collect(),
            }
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PricingProps {
    pricing_tier: String,
    #[serde(default)]
    sub_plan: Option<String>,
}

async fn defender_plans(http: &Http, s: &str, base: &str) -> Vec<DefenderPlan> {
    let plans = listing::<Resource<PricingProps>>(
        http,
        s,
        "Microsoft.Security/pricings/read",
        format!("{base}/providers/Microsoft.Security/pricings?api-version={SECURITY}"),
        &[(kind::AZURE_SUBSCRIPTION, &["defender_plans"])],
    )
    .await;
    let mut plans: Vec<DefenderPlan> = plans
        .unwrap_or_default()
        .into_iter()
        .map(|r| DefenderPlan {
            name: r.name,
            pricing_tier: r.properties.pricing_tier,
            sub_plan: r.properties.sub_plan,
        })
        .collect();
    plans.sort_by(|a, b| a.name.cmp(&b.name));
    plans
}
