//! The catalogue of resource kinds: names, what they are, their service model and the
//! fields their views carry (rules are checked against these at load time).

use std::sync::LazyLock;

use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::iam::view;
use crate::matrix::ServiceModel;
use crate::snapshot::{
    AzureFlowLog, Bucket, EntraUser, Group, Instance, ManagedPolicy, NetworkAcl,
    NetworkSecurityGroup, PublicIpAddress, Role, RootAccount, RouteTable, SecurityGroup,
    StorageAccount, Subnet, Trail, User, Vpc,
};

/// A resource kind, e.g. `aws.s3.bucket`.
#[derive(Debug, PartialEq)]
pub struct Kind {
    pub name: &'static str,
    pub title: &'static str,
    pub model: ServiceModel,
    fields: Vec<String>,
}

impl Kind {
    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    pub fn has_field(&self, field: &str) -> bool {
        self.fields.iter().any(|f| f == field)
    }
}

fn keys<T: Serialize + Default>(extra: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = match serde_json::to_value(T::default()) {
        Ok(Json::Object(map)) => map.keys().cloned().collect(),
        _ => Vec::new(),
    };
    out.extend(extra.iter().map(|s| (*s).to_owned()));
    out.sort();
    out
}

fn only(fields: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = fields.iter().map(|s| (*s).to_owned()).collect();
    out.sort();
    out
}

fn kind(name: &'static str, title: &'static str, model: ServiceModel, fields: Vec<String>) -> Kind {
    Kind {
        name,
        title,
        model,
        fields,
    }
}

static KINDS: LazyLock<Vec<Kind>> = LazyLock::new(|| {
    use ServiceModel::{ControlPlane, Iaas, Paas, Saas};
    let password_policy: Map<String, Json> = super::inventory::password_policy_view(None);
    vec![
        kind(
            "aws.iam.root",
            "AWS account root user",
            ControlPlane,
            keys::<RootAccount>(&["account_summary"]),
        ),
        kind(
            "aws.iam.password_policy",
            "IAM account password policy",
            ControlPlane,
            {
                let mut f: Vec<String> = password_policy.keys().cloned().collect();
                f.sort();
                f
            },
        ),
        kind(
            "aws.iam.account",
            "IAM settings of the account",
            ControlPlane,
            {
                let mut f = vec!["alias", "support_roles", "user_count", "role_count"];
                f.extend(view::ACCOUNT_FIELDS);
                only(&f)
            },
        ),
        kind(
            "aws.iam.user",
            "IAM user",
            ControlPlane,
            keys::<User>(view::PRINCIPAL_FIELDS),
        ),
        kind(
            "aws.iam.group",
            "IAM group",
            ControlPlane,
            keys::<Group>(&["members"]),
        ),
        kind("aws.iam.role", "IAM role", ControlPlane, {
            let mut f = view::PRINCIPAL_FIELDS.to_vec();
            f.extend(view::ROLE_FIELDS);
            keys::<Role>(&f)
        }),
        kind(
            "aws.iam.policy",
            "customer-managed IAM policy",
            ControlPlane,
            keys::<ManagedPolicy>(&[]),
        ),
        kind(
            "aws.s3.account",
            "S3 account-level settings",
            Paas,
            only(&["public_access_block"]),
        ),
        kind("aws.s3.bucket", "S3 bucket", Paas, keys::<Bucket>(&[])),
        kind(
            "aws.cloudtrail.account",
            "CloudTrail coverage of the account",
            ControlPlane,
            only(&["trails"]),
        ),
        kind(
            "aws.cloudtrail.trail",
            "CloudTrail trail",
            ControlPlane,
            keys::<Trail>(&[]),
        ),
        kind(
            "aws.ec2.vpc",
            "VPC",
            Iaas,
            keys::<Vpc>(&["flow_logs", "internet_gateway_ids"]),
        ),
        kind(
            "aws.ec2.subnet",
            "VPC subnet",
            Iaas,
            keys::<Subnet>(&["route_table_id", "routes_to_internet"]),
        ),
        kind(
            "aws.ec2.route_table",
            "VPC route table",
            Iaas,
            keys::<RouteTable>(&["routes_to_internet"]),
        ),
        kind(
            "aws.ec2.security_group",
            "EC2 security group",
            Iaas,
            keys::<SecurityGroup>(&["is_default", "instance_ids"]),
        ),
        kind(
            "aws.ec2.network_acl",
            "VPC network ACL",
            Iaas,
            keys::<NetworkAcl>(&[]),
        ),
        kind(
            "aws.ec2.instance",
            "EC2 instance",
            Iaas,
            keys::<Instance>(&["in_public_subnet"]),
        ),
        kind(
            "aws.ec2.region",
            "EC2 settings of a region",
            Iaas,
            only(&["ebs_encryption_by_default", "instance_count"]),
        ),
        kind(
            "aws.guardduty.region",
            "GuardDuty in a region",
            ControlPlane,
            only(&["detectors"]),
        ),
        kind(
            "aws.config.region",
            "AWS Config recording in a region",
            ControlPlane,
            only(&["recorders"]),
        ),
        kind(
            "azure.subscription",
            "Azure subscription (activity log, Defender for Cloud)",
            ControlPlane,
            only(&[
                "name",
                "subscription_id",
                "display_name",
                "state",
                "tenant_id",
                "diagnostic_settings",
                "activity_log_exports",
                "defender_plans",
            ]),
        ),
        kind(
            "azure.authorization.role_assignment",
            "Azure RBAC role assignment",
            ControlPlane,
            only(&[
                "name",
                "scope",
                "scope_level",
                "role_definition_id",
                "role_name",
                "role_type",
                "privileged",
                "principal_id",
                "principal_type",
                "principal_name",
                "condition",
                "pim",
                "end",
            ]),
        ),
        kind(
            "azure.authorization.custom_role",
            "Azure RBAC custom role",
            ControlPlane,
            only(&[
                "name",
                "role_name",
                "description",
                "assignable_scopes",
                "actions",
                "not_actions",
                "data_actions",
            ]),
        ),
        kind(
            "azure.network.nsg",
            "Azure network security group",
            Iaas,
            keys::<NetworkSecurityGroup>(&["resource_group", "flow_logs"]),
        ),
        kind(
            "azure.network.virtual_network",
            "Azure virtual network",
            Iaas,
            only(&[
                "name",
                "location",
                "resource_group",
                "address_prefixes",
                "subnets",
                "flow_logs",
                "tags",
            ]),
        ),
        kind(
            "azure.network.subnet",
            "Azure virtual network subnet",
            Iaas,
            only(&[
                "name",
                "location",
                "virtual_network",
                "address_prefixes",
                "network_security_group_id",
            ]),
        ),
        kind(
            "azure.network.flow_log",
            "Azure Network Watcher flow log",
            Iaas,
            keys::<AzureFlowLog>(&["target_kind"]),
        ),
        kind(
            "azure.network.public_ip",
            "Azure public IP address",
            Iaas,
            keys::<PublicIpAddress>(&[]),
        ),
        kind(
            "azure.storage.account",
            "Azure storage account",
            Paas,
            keys::<StorageAccount>(&["resource_group"]),
        ),
        kind(
            "azure.entra.tenant",
            "Entra ID tenant",
            Saas,
            only(&[
                "name",
                "tenant_id",
                "user_count",
                "global_admins",
                "global_admin_count",
                "conditional_access_policy_count",
                "admin_roles_without_mfa_policy",
                "azure_management_mfa_policies",
            ]),
        ),
        kind(
            "azure.entra.user",
            "Entra ID user",
            Saas,
            keys::<EntraUser>(&["name", "has_mailbox", "privileged_roles"]),
        ),
        kind(
            "azure.entra.privileged_user",
            "Entra ID user holding a privileged directory role",
            Saas,
            keys::<EntraUser>(&[
                "name",
                "has_mailbox",
                "active_roles",
                "eligible_roles",
                "permanent_roles",
            ]),
        ),
    ]
});

/// Every kind, in catalogue order.
pub fn all() -> &'static [Kind] {
    &KINDS
}

/// The kind with this name.
pub fn get(name: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.name == name)
}
