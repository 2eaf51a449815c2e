//! Typed AWS resources as the collectors record them: IAM, S3, per-region network and compute,
//! CloudTrail, GuardDuty and Config.
//!
//! `Option` fields mean "not configured" when `None` (a fact), never "could not read":
//! a failed read is a [`CoverageGap`](super::CoverageGap) naming the field.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::compute::{
    CodeBuildProject, GlueDevEndpoint, GlueJob, LambdaFunction, LaunchTemplate, NotebookInstance,
    SsmManagedInstance, Stack, TaskDefinition,
};

pub use super::tags::Tags;

/// Everything collected from one or more AWS accounts.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AwsResources {
    #[serde(default)]
    pub accounts: Vec<AwsAccount>,
}

/// One AWS account: its global services and its regions.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AwsAccount {
    pub account_id: String,
    #[serde(default)]
    pub alias: Option<String>,
    pub iam: Iam,
    pub s3: S3,
    /// Trails visible from the scanned regions, de-duplicated by ARN.
    #[serde(default)]
    pub cloudtrail: Vec<Trail>,
    /// Scanned regions, keyed by region name.
    #[serde(default)]
    pub regions: BTreeMap<String, AwsRegion>,
}

// ---------------------------------------------------------------------------------------------
// IAM
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Iam {
    pub root: RootAccount,
    /// `GetAccountSummary` as returned (e.g. `AccountMFAEnabled`, `AccountAccessKeysPresent`).
    #[serde(default)]
    pub account_summary: BTreeMap<String, i64>,
    /// `None`: the account has no password policy.
    #[serde(default)]
    pub password_policy: Option<PasswordPolicy>,
    #[serde(default)]
    pub users: Vec<User>,
    #[serde(default)]
    pub groups: Vec<Group>,
    #[serde(default)]
    pub roles: Vec<Role>,
    /// Customer-managed policies, with their default version's document.
    #[serde(default)]
    pub policies: Vec<ManagedPolicy>,
    /// AWS-managed policies attached to a user, group or role or used as a permissions
    /// boundary, with their default version's document. Absent from snapshots of onus 0.1:
    /// what depends on a policy missing here is unknown, not assumed harmless.
    #[serde(default)]
    pub aws_managed_policies: Vec<ManagedPolicy>,
}

/// The account root user, from the credential report and the account summary.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RootAccount {
    pub arn: String,
    pub mfa_active: bool,
    /// Whether the root MFA device is a virtual one (listed by `ListVirtualMFADevices`).
    pub virtual_mfa: bool,
    pub password_enabled: bool,
    pub password_last_used: Option<DateTime<Utc>>,
    pub access_keys: Vec<RootAccessKey>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RootAccessKey {
    pub active: bool,
    pub last_rotated: Option<DateTime<Utc>>,
    pub last_used: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PasswordPolicy {
    pub minimum_password_length: u32,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase_characters: bool,
    pub require_lowercase_characters: bool,
    pub allow_users_to_change_password: bool,
    pub expire_passwords: bool,
    pub max_password_age: Option<u32>,
    pub password_reuse_prevention: Option<u32>,
    pub hard_expiry: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub name: String,
    pub arn: String,
    pub id: String,
    pub path: String,
    pub created: DateTime<Utc>,
    /// Whether the user has a console password (a login profile).
    pub password_enabled: bool,
    pub password_last_used: Option<DateTime<Utc>>,
    pub password_last_changed: Option<DateTime<Utc>>,
    pub mfa_devices: Vec<MfaDevice>,
    pub access_keys: Vec<AccessKey>,
    pub groups: Vec<String>,
    pub attached_policies: Vec<AttachedPolicy>,
    pub inline_policies: Vec<InlinePolicy>,
    pub permissions_boundary: Option<String>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MfaDevice {
    pub serial_number: String,
    pub enable_date: Option<DateTime<Utc>>,
    /// Virtual (software) device rather than a hardware key or token.
    pub virtual_device: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AccessKey {
    pub id: String,
    /// `Active` or `Inactive`.
    pub status: String,
    pub created: DateTime<Utc>,
    pub last_used: Option<DateTime<Utc>>,
    pub last_used_service: Option<String>,
    pub last_used_region: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AttachedPolicy {
    pub name: String,
    pub arn: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct InlinePolicy {
    pub name: String,
    /// The policy document, URL-decoded JSON as written by the account owner.
    pub document: Json,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub name: String,
    pub arn: String,
    pub id: String,
    pub path: String,
    pub created: DateTime<Utc>,
    pub attached_policies: Vec<AttachedPolicy>,
    pub inline_policies: Vec<InlinePolicy>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub name: String,
    pub arn: String,
    pub id: String,
    pub path: String,
    pub created: DateTime<Utc>,
    pub description: Option<String>,
    /// The trust policy document.
    pub assume_role_policy: Json,
    /// Seconds, 3600 to 43200.
    pub max_session_duration: u32,
    pub attached_policies: Vec<AttachedPolicy>,
    pub inline_policies: Vec<InlinePolicy>,
    pub permissions_boundary: Option<String>,
    pub last_used: Option<DateTime<Utc>>,
    pub instance_profiles: Vec<String>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ManagedPolicy {
    pub name: String,
    pub arn: String,
    pub id: String,
    pub path: String,
    pub default_version_id: String,
    /// The default version's document.
    pub document: Json,
    pub attachment_count: u32,
    pub permissions_boundary_usage_count: u32,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
}

// ---------------------------------------------------------------------------------------------
// S3
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct S3 {
    /// `None`: the account has no account-level public-access block.
    pub account_public_access_block: Option<PublicAccessBlock>,
    #[serde(default)]
    pub buckets: Vec<Bucket>,
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    pub name: String,
    pub arn: String,
    pub region: String,
    pub created: Option<DateTime<Utc>>,
    pub acl: BucketAcl,
    /// `None`: the bucket has no bucket policy.
    pub policy: Option<Json>,
    /// `GetBucketPolicyStatus`: AWS's own verdict on the policy, when a policy exists.
    pub policy_is_public: Option<bool>,
    /// `None`: no bucket-level public-access block.
    pub public_access_block: Option<PublicAccessBlock>,
    /// `None`: no default-encryption configuration.
    pub encryption: Option<BucketEncryption>,
    pub versioning: BucketVersioning,
    /// `None`: server access logging is off.
    pub logging: Option<BucketLogging>,
    /// `ObjectOwnership` of the ownership controls; `None`: none configured.
    pub object_ownership: Option<String>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BucketAcl {
    pub owner_id: String,
    pub grants: Vec<Grant>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    /// `CanonicalUser`, `Group` or `AmazonCustomerByEmail`.
    pub grantee_type: String,
    pub grantee_id: Option<String>,
    /// Group URI, e.g. `http://acs.amazonaws.com/groups/global/AllUsers`.
    pub grantee_uri: Option<String>,
    /// `FULL_CONTROL`, `READ`, `WRITE`, `READ_ACP` or `WRITE_ACP`.
    pub permission: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BucketEncryption {
    pub rules: Vec<EncryptionRule>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EncryptionRule {
    /// `AES256`, `aws:kms` or `aws:kms:dsse`.
    pub sse_algorithm: String,
    pub kms_master_key_id: Option<String>,
    pub bucket_key_enabled: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BucketVersioning {
    /// `Enabled`, `Suspended`, or `None` when never enabled.
    pub status: Option<String>,
    /// `Enabled`, `Disabled`, or `None` when never configured.
    pub mfa_delete: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BucketLogging {
    pub target_bucket: String,
    pub target_prefix: String,
}

// ---------------------------------------------------------------------------------------------
// CloudTrail
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Trail {
    pub name: String,
    pub arn: String,
    pub home_region: String,
    pub is_multi_region: bool,
    pub is_organization_trail: bool,
    pub include_global_service_events: bool,
    pub log_file_validation_enabled: bool,
    pub kms_key_id: Option<String>,
    pub s3_bucket_name: Option<String>,
    pub cloudwatch_logs_log_group_arn: Option<String>,
    /// `GetTrailStatus`.
    pub status: TrailStatus,
    /// `GetEventSelectors` (classic selectors).
    pub event_selectors: Vec<EventSelector>,
    /// `GetEventSelectors` (advanced selectors), as returned.
    #[serde(default)]
    pub advanced_event_selectors: Vec<Json>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TrailStatus {
    pub is_logging: bool,
    pub latest_delivery_time: Option<DateTime<Utc>>,
    pub latest_delivery_error: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EventSelector {
    /// `All`, `ReadOnly` or `WriteOnly`.
    pub read_write_type: String,
    pub include_management_events: bool,
    pub data_resources: Vec<DataResource>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DataResource {
    #[serde(rename = "type")]
    pub resource_type: String,
    pub values: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Per region: network, compute, detection
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AwsRegion {
    #[serde(default)]
    pub vpcs: Vec<Vpc>,
    #[serde(default)]
    pub subnets: Vec<Subnet>,
    #[serde(default)]
    pub route_tables: Vec<RouteTable>,
    #[serde(default)]
    pub internet_gateways: Vec<InternetGateway>,
    #[serde(default)]
    pub security_groups: Vec<SecurityGroup>,
    #[serde(default)]
    pub network_acls: Vec<NetworkAcl>,
    #[serde(default)]
    pub flow_logs: Vec<FlowLog>,
    #[serde(default)]
    pub instances: Vec<Instance>,
    /// `GetEbsEncryptionByDefault`.
    pub ebs_encryption_by_default: bool,
    #[serde(default)]
    pub guardduty_detectors: Vec<GuardDutyDetector>,
    #[serde(default)]
    pub config_recorders: Vec<ConfigRecorder>,
    /// Compute that runs as an IAM role (see [`super::compute`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lambda_functions: Vec<LambdaFunction>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ssm_managed_instances: Vec<SsmManagedInstance>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cloudformation_stacks: Vec<Stack>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub glue_dev_endpoints: Vec<GlueDevEndpoint>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub glue_jobs: Vec<GlueJob>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sagemaker_notebook_instances: Vec<NotebookInstance>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codebuild_projects: Vec<CodeBuildProject>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ecs_task_definitions: Vec<TaskDefinition>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub launch_templates: Vec<LaunchTemplate>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Vpc {
    pub id: String,
    pub cidr_block: String,
    #[serde(default)]
    pub ipv6_cidr_blocks: Vec<String>,
    pub is_default: bool,
    pub state: String,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Subnet {
    pub id: String,
    pub vpc_id: String,
    pub cidr_block: String,
    pub availability_zone: String,
    pub map_public_ip_on_launch: bool,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RouteTable {
    pub id: String,
    pub vpc_id: String,
    pub associations: Vec<RouteTableAssociation>,
    pub routes: Vec<Route>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RouteTableAssociation {
    pub main: bool,
    pub subnet_id: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Route {
    pub destination_cidr_block: Option<String>,
    pub destination_ipv6_cidr_block: Option<String>,
    /// `igw-…`, `local`, a virtual private gateway, …
    pub gateway_id: Option<String>,
    pub nat_gateway_id: Option<String>,
    pub state: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct InternetGateway {
    pub id: String,
    /// Attached VPC ids.
    pub vpc_ids: Vec<String>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroup {
    pub id: String,
    pub name: String,
    pub description: String,
    pub vpc_id: Option<String>,
    pub ingress: Vec<Permission>,
    pub egress: Vec<Permission>,
    #[serde(default)]
    pub tags: Tags,
}

/// One `IpPermission`: a protocol, a port range and its sources or destinations.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Permission {
    /// `tcp`, `udp`, `icmp`, `icmpv6`, a protocol number, or `-1` for all.
    pub protocol: String,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    #[serde(default)]
    pub ipv4_ranges: Vec<String>,
    #[serde(default)]
    pub ipv6_ranges: Vec<String>,
    #[serde(default)]
    pub prefix_list_ids: Vec<String>,
    #[serde(default)]
    pub security_groups: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NetworkAcl {
    pub id: String,
    pub vpc_id: String,
    pub is_default: bool,
    pub entries: Vec<NetworkAclEntry>,
    pub subnet_ids: Vec<String>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NetworkAclEntry {
    pub rule_number: i32,
    /// Protocol number as a string, `-1` for all.
    pub protocol: String,
    /// `allow` or `deny`.
    pub rule_action: String,
    pub egress: bool,
    pub cidr_block: Option<String>,
    pub ipv6_cidr_block: Option<String>,
    pub port_from: Option<i32>,
    pub port_to: Option<i32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FlowLog {
    pub id: String,
    /// The VPC, subnet or network interface it watches.
    pub resource_id: String,
    /// `ACCEPT`, `REJECT` or `ALL`.
    pub traffic_type: String,
    /// `ACTIVE` once created.
    pub status: String,
    pub deliver_logs_status: Option<String>,
    pub log_destination_type: String,
    pub log_destination: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Instance {
    pub id: String,
    pub state: String,
    pub instance_type: String,
    pub image_id: String,
    pub vpc_id: Option<String>,
    pub subnet_id: Option<String>,
    pub private_ip: Option<String>,
    pub public_ip: Option<String>,
    pub iam_instance_profile_arn: Option<String>,
    pub security_groups: Vec<String>,
    pub metadata_options: MetadataOptions,
    pub launch_time: Option<DateTime<Utc>>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MetadataOptions {
    /// `required` (IMDSv2 only) or `optional` (IMDSv1 allowed).
    pub http_tokens: String,
    /// `enabled` or `disabled`.
    pub http_endpoint: String,
    pub http_put_response_hop_limit: Option<i32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GuardDutyDetector {
    pub id: String,
    /// `ENABLED` or `DISABLED`.
    pub status: String,
    pub finding_publishing_frequency: Option<String>,
    #[serde(default)]
    pub features: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ConfigRecorder {
    pub name: String,
    pub all_supported: bool,
    pub include_global_resource_types: bool,
    pub recording: bool,
    pub last_status: Option<String>,
}
