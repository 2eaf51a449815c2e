//! Typed Azure resources as the collectors record them: per subscription from Azure Resource
//! Manager (authorization, network, storage, monitoring, Defender) and per tenant from
//! Microsoft Graph (users, directory roles, PIM, Conditional Access).
//!
//! `Option` fields hold what the API returned, `None` where it left the property out (the
//! rules say what Azure does then); a failed read is a [`CoverageGap`](super::CoverageGap).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Tags;

/// Everything collected from Azure: the tenants (Entra ID) and the subscriptions (ARM).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AzureResources {
    #[serde(default)]
    pub tenants: Vec<EntraTenant>,
    #[serde(default)]
    pub subscriptions: Vec<Subscription>,
}

// ---------------------------------------------------------------------------------------------
// Subscriptions (Azure Resource Manager)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Subscription {
    pub subscription_id: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub tenant_id: Option<String>,
    /// `Enabled`, `Disabled`, `Warned`, `PastDue` or `Deleted`.
    #[serde(default)]
    pub state: Option<String>,
    /// Role definitions the assignments use, and every custom role of the subscription.
    #[serde(default)]
    pub role_definitions: Vec<RoleDefinition>,
    #[serde(default)]
    pub role_assignments: Vec<RoleAssignment>,
    /// PIM: who may activate a role (eligible), and the active assignments' schedules.
    #[serde(default)]
    pub role_eligibility_instances: Vec<ScheduleInstance>,
    #[serde(default)]
    pub role_assignment_instances: Vec<ScheduleInstance>,
    #[serde(default)]
    pub network_security_groups: Vec<NetworkSecurityGroup>,
    #[serde(default)]
    pub virtual_networks: Vec<VirtualNetwork>,
    #[serde(default)]
    pub public_ip_addresses: Vec<PublicIpAddress>,
    #[serde(default)]
    pub network_watchers: Vec<NetworkWatcher>,
    #[serde(default)]
    pub flow_logs: Vec<AzureFlowLog>,
    #[serde(default)]
    pub storage_accounts: Vec<StorageAccount>,
    /// Diagnostic settings of the subscription's activity log.
    #[serde(default)]
    pub diagnostic_settings: Vec<DiagnosticSetting>,
    /// Defender for Cloud plans (`Microsoft.Security/pricings`).
    #[serde(default)]
    pub defender_plans: Vec<DefenderPlan>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RoleDefinition {
    pub id: String,
    pub role_name: String,
    /// `BuiltInRole` or `CustomRole`.
    pub role_type: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub assignable_scopes: Vec<String>,
    #[serde(default)]
    pub permissions: Vec<RolePermission>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RolePermission {
    #[serde(default)]
    pub actions: Vec<String>,
    #[serde(default)]
    pub not_actions: Vec<String>,
    #[serde(default)]
    pub data_actions: Vec<String>,
    #[serde(default)]
    pub not_data_actions: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RoleAssignment {
    pub id: String,
    pub scope: String,
    pub role_definition_id: String,
    pub principal_id: String,
    /// `User`, `Group`, `ServicePrincipal`, `ForeignGroup` or `Device`.
    #[serde(default)]
    pub principal_type: String,
    #[serde(default)]
    pub condition: Option<String>,
}

/// A PIM schedule instance: an eligibility, or an active assignment with its time bounds.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInstance {
    pub id: String,
    pub scope: String,
    pub role_definition_id: String,
    pub principal_id: String,
    #[serde(default)]
    pub principal_type: String,
    /// Active instances: `Assigned` (given directly) or `Activated` (an eligibility used).
    #[serde(default)]
    pub assignment_type: Option<String>,
    /// The role assignment an active instance stands for.
    #[serde(default)]
    pub origin_role_assignment_id: Option<String>,
    #[serde(default)]
    pub start: Option<DateTime<Utc>>,
    /// `None`: permanent.
    #[serde(default)]
    pub end: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NetworkSecurityGroup {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub location: String,
    /// The customer's rules (the default rules are the same in every NSG and not kept).
    #[serde(default)]
    pub security_rules: Vec<NsgRule>,
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    #[serde(default)]
    pub network_interface_ids: Vec<String>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NsgRule {
    pub name: String,
    /// `Inbound` or `Outbound`.
    pub direction: String,
    /// `Allow` or `Deny`.
    pub access: String,
    /// `*`, `Tcp`, `Udp`, `Icmp`, `Esp` or `Ah`.
    pub protocol: String,
    pub priority: i64,
    /// `sourceAddressPrefix` and `sourceAddressPrefixes` together.
    #[serde(default)]
    pub source_address_prefixes: Vec<String>,
    /// Application security groups as a source: never the internet.
    #[serde(default)]
    pub source_application_security_groups: Vec<String>,
    /// `destinationPortRange` and `destinationPortRanges` together (`*`, `22`, `1000-2000`).
    #[serde(default)]
    pub destination_port_ranges: Vec<String>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct VirtualNetwork {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub address_prefixes: Vec<String>,
    #[serde(default)]
    pub subnets: Vec<VnetSubnet>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct VnetSubnet {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub address_prefixes: Vec<String>,
    /// `None`: no network security group is associated with the subnet.
    #[serde(default)]
    pub network_security_group_id: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PublicIpAddress {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub ip_address: Option<String>,
    /// The IP configuration (NIC, load balancer, gateway) the address is attached to.
    #[serde(default)]
    pub attached_to: Option<String>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NetworkWatcher {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub location: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AzureFlowLog {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub location: String,
    /// The NSG, virtual network, subnet or NIC whose traffic is logged.
    pub target_resource_id: String,
    pub enabled: bool,
    #[serde(default)]
    pub storage_id: Option<String>,
    pub retention_enabled: bool,
    /// `0` with retention enabled keeps logs for ever.
    pub retention_days: i64,
    #[serde(default)]
    pub traffic_analytics: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StorageAccount {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub location: String,
    /// `StorageV2`, `Storage`, `BlobStorage`, `FileStorage` or `BlockBlobStorage`.
    #[serde(default)]
    pub kind: Option<String>,
    /// Unset is read as allowed by accounts created before the default changed.
    pub allow_blob_public_access: Option<bool>,
    pub supports_https_traffic_only: Option<bool>,
    /// `TLS1_0`, `TLS1_1`, `TLS1_2` or `TLS1_3`; unset means TLS 1.0.
    pub minimum_tls_version: Option<String>,
    /// Unset means shared keys (and account SAS) are accepted.
    pub allow_shared_key_access: Option<bool>,
    /// `Enabled`, `Disabled` or `SecuredByPerimeter`; unset means enabled.
    pub public_network_access: Option<String>,
    /// `networkAcls.defaultAction`: `Allow` or `Deny`; unset means Allow.
    pub network_default_action: Option<String>,
    /// `Microsoft.Storage` (platform-managed keys) or `Microsoft.Keyvault` (customer-managed).
    pub encryption_key_source: Option<String>,
    pub require_infrastructure_encryption: Option<bool>,
    pub allow_cross_tenant_replication: Option<bool>,
    #[serde(default)]
    pub created: Option<DateTime<Utc>>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DiagnosticSetting {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub storage_account_id: Option<String>,
    #[serde(default)]
    pub workspace_id: Option<String>,
    #[serde(default)]
    pub event_hub_authorization_rule_id: Option<String>,
    #[serde(default)]
    pub marketplace_partner_id: Option<String>,
    #[serde(default)]
    pub logs: Vec<LogCategory>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LogCategory {
    /// E.g. `Administrative`, `Security`, `Policy`, `Alert`.
    #[serde(default)]
    pub category: Option<String>,
    /// E.g. `allLogs`.
    #[serde(default)]
    pub category_group: Option<String>,
    pub enabled: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DefenderPlan {
    /// E.g. `VirtualMachines`, `StorageAccounts`, `Arm`, `KeyVaults`, `CloudPosture`.
    pub name: String,
    /// `Free` or `Standard` (on).
    pub pricing_tier: String,
    #[serde(default)]
    pub sub_plan: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Tenants (Microsoft Graph)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EntraTenant {
    pub tenant_id: String,
    #[serde(default)]
    pub users: Vec<EntraUser>,
    /// Active directory role assignments (permanent ones and PIM activations alike).
    #[serde(default)]
    pub role_assignments: Vec<DirectoryRoleAssignment>,
    /// PIM: directory roles principals may activate.
    #[serde(default)]
    pub role_eligibilities: Vec<DirectoryRoleEligibility>,
    /// PIM: active assignments with their time bounds (absent without Entra ID P2).
    #[serde(default)]
    pub role_assignment_instances: Vec<DirectoryRoleAssignmentInstance>,
    #[serde(default)]
    pub conditional_access_policies: Vec<ConditionalAccessPolicy>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EntraUser {
    pub id: String,
    pub user_principal_name: String,
    #[serde(default)]
    pub display_name: String,
    /// `Member` or `Guest`.
    #[serde(default)]
    pub user_type: Option<String>,
    #[serde(default)]
    pub account_enabled: Option<bool>,
    /// Synchronised from an on-premises directory.
    #[serde(default)]
    pub on_premises_sync_enabled: Option<bool>,
    /// The user's e-mail address (a mailbox), when they have one.
    #[serde(default)]
    pub mail: Option<String>,
    /// From the authentication-methods registration report.
    #[serde(default)]
    pub mfa_registered: Option<bool>,
    #[serde(default)]
    pub methods_registered: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DirectoryRoleAssignment {
    pub id: String,
    pub principal_id: String,
    /// `user`, `group` or `servicePrincipal` (from the expanded principal's `@odata.type`).
    #[serde(default)]
    pub principal_type: Option<String>,
    /// The role's template id (the same in every tenant).
    pub role_definition_id: String,
    #[serde(default)]
    pub directory_scope_id: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DirectoryRoleEligibility {
    pub id: String,
    pub principal_id: String,
    pub role_definition_id: String,
    #[serde(default)]
    pub directory_scope_id: String,
    #[serde(default)]
    pub start: Option<DateTime<Utc>>,
    #[serde(default)]
    pub end: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DirectoryRoleAssignmentInstance {
    pub id: String,
    pub principal_id: String,
    pub role_definition_id: String,
    #[serde(default)]
    pub directory_scope_id: String,
    /// `Assigned` or `Activated`.
    #[serde(default)]
    pub assignment_type: Option<String>,
    #[serde(default)]
    pub start: Option<DateTime<Utc>>,
    /// `None`: permanent.
    #[serde(default)]
    pub end: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ConditionalAccessPolicy {
    pub id: String,
    pub display_name: String,
    /// `enabled`, `disabled` or `enabledForReportingButNotEnforced`.
    pub state: String,
    #[serde(default)]
    pub include_users: Vec<String>,
    #[serde(default)]
    pub exclude_users: Vec<String>,
    #[serde(default)]
    pub include_groups: Vec<String>,
    #[serde(default)]
    pub exclude_groups: Vec<String>,
    /// Directory role template ids.
    #[serde(default)]
    pub include_roles: Vec<String>,
    #[serde(default)]
    pub exclude_roles: Vec<String>,
    /// Application ids, or `All`, `Office365`, `MicrosoftAdminPortals`.
    #[serde(default)]
    pub include_applications: Vec<String>,
    #[serde(default)]
    pub exclude_applications: Vec<String>,
    #[serde(default)]
    pub include_user_actions: Vec<String>,
    #[serde(default)]
    pub client_app_types: Vec<String>,
    #[serde(default)]
    pub include_locations: Vec<String>,
    #[serde(default)]
    pub exclude_locations: Vec<String>,
    /// `AND` or `OR`.
    #[serde(default)]
    pub grant_operator: Option<String>,
    /// E.g. `mfa`, `block`, `compliantDevice`, `domainJoinedDevice`.
    #[serde(default)]
    pub built_in_controls: Vec<String>,
    /// The authentication strength the policy requires, by display name.
    #[serde(default)]
    pub authentication_strength: Option<String>,
}
