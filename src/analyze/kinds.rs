//! The catalogue of resource kinds: names, what they are, their service model and the
//! fields their views carry (rules are checked against these at load time).

use crate::snapshot::kind;
use std::sync::LazyLock;

use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::fields::Field;
use super::iam::view;
use crate::matrix::ServiceModel;
use crate::snapshot::{
    AzureFlowLog, Bucket, CodeBuildProject, EntraUser, GlueDevEndpoint, GlueJob, Group, Instance,
    LambdaFunction, LaunchTemplate, ManagedPolicy, NetworkAcl, NetworkSecurityGroup,
    NotebookInstance, PublicIpAddress, Role, RootAccount, RouteTable, SecurityGroup,
    SsmManagedInstance, Stack, StorageAccount, Subnet, TaskDefinition, Trail, User, Vpc,
};

/// A resource kind, e.g. `aws.s3.bucket`.
#[derive(Debug, PartialEq)]
pub struct Kind {
    pub name: &'static str,
    pub title: &'static str,
    pub model: ServiceModel,
    /// Every field of its view, sorted.
    fields: Vec<String>,
    /// The derived ones, with what they mean.
    derived: Vec<Field>,
}

impl Kind {
    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    pub fn has_field(&self, field: &str) -> bool {
        self.fields
            .binary_search_by(|f| f.as_str().cmp(field))
            .is_ok()
    }

    /// What a derived field means (`None` for a field the snapshot holds as such).
    pub fn doc(&self, field: &str) -> Option<&'static str> {
        self.derived
            .iter()
            .find(|f| f.name == field)
            .map(|f| f.doc.trim())
    }

    /// The kind with these derived fields added.
    fn deriving(mut self, derived: &[Field]) -> Kind {
        self.fields
            .extend(derived.iter().map(|f| f.name.to_owned()));
        self.fields.sort();
        self.fields.dedup();
        self.derived.extend_from_slice(derived);
        self
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
        derived: Vec::new(),
    }
}

static KINDS: LazyLock<Vec<Kind>> = LazyLock::new(|| {
    use ServiceModel::{ControlPlane, Iaas, Paas, Saas};
    let password_policy: Map<String, Json> = super::aws::password_policy::view(None);
    vec![
        kind(
            kind::AWS_IAM_ROOT,
            "AWS account root user",
            ControlPlane,
            keys::<RootAccount>(&["account_summary"]),
        ),
        kind(
            kind::AWS_IAM_PASSWORD_POLICY,
            "IAM account password policy",
            ControlPlane,
            {
                let mut f: Vec<String> = password_policy.keys().cloned().collect();
                f.sort();
                f
            },
        ),
        kind(
            kind::AWS_IAM_ACCOUNT,
            "IAM settings of the account",
            ControlPlane,
            only(&["alias", "support_roles", "user_count", "role_count"]),
        )
        .deriving(view::ACCOUNT_FIELDS),
        kind(
            kind::AWS_IAM_USER,
            "IAM user",
            ControlPlane,
            keys::<User>(&[]),
        )
        .deriving(view::FACTS)
        .deriving(view::PRINCIPAL_FIELDS),
        kind(
            kind::AWS_IAM_GROUP,
            "IAM group",
            ControlPlane,
            keys::<Group>(&["members"]),
        ),
        kind(
            kind::AWS_IAM_ROLE,
            "IAM role",
            ControlPlane,
            keys::<Role>(&[]),
        )
        .deriving(view::FACTS)
        .deriving(view::PRINCIPAL_FIELDS)
        .deriving(view::ROLE_FIELDS),
        kind(
            kind::AWS_IAM_POLICY,
            "customer-managed IAM policy",
            ControlPlane,
            keys::<ManagedPolicy>(&[]),
        ),
        kind(
            kind::AWS_S3_ACCOUNT,
            "S3 account-level settings",
            Paas,
            only(&["public_access_block"]),
        ),
        kind(kind::AWS_S3_BUCKET, "S3 bucket", Paas, keys::<Bucket>(&[])),
        kind(
            kind::AWS_CLOUDTRAIL_ACCOUNT,
            "CloudTrail coverage of the account",
            ControlPlane,
            only(&["trails"]),
        ),
        kind(
            kind::AWS_CLOUDTRAIL_TRAIL,
            "CloudTrail trail",
            ControlPlane,
            keys::<Trail>(&[]),
        ),
        kind(
            kind::AWS_EC2_VPC,
            "VPC",
            Iaas,
            keys::<Vpc>(&["flow_logs", "internet_gateway_ids"]),
        ),
        kind(
            kind::AWS_EC2_SUBNET,
            "VPC subnet",
            Iaas,
            keys::<Subnet>(&["route_table_id", "routes_to_internet"]),
        ),
        kind(
            kind::AWS_EC2_ROUTE_TABLE,
            "VPC route table",
            Iaas,
            keys::<RouteTable>(&["routes_to_internet"]),
        ),
        kind(
            kind::AWS_EC2_SECURITY_GROUP,
            "EC2 security group",
            Iaas,
            keys::<SecurityGroup>(&["is_default", "instance_ids"]),
        ),
        kind(
            kind::AWS_EC2_NETWORK_ACL,
            "VPC network ACL",
            Iaas,
            keys::<NetworkAcl>(&[]),
        ),
        kind(
            kind::AWS_EC2_INSTANCE,
            "EC2 instance",
            Iaas,
            keys::<Instance>(&["in_public_subnet"]),
        ),
        kind(
            kind::AWS_EC2_REGION,
            "EC2 settings of a region",
            Iaas,
            only(&["ebs_encryption_by_default", "instance_count"]),
        ),
        kind(
            kind::AWS_EC2_LAUNCH_TEMPLATE,
            "EC2 launch template",
            Iaas,
            keys::<LaunchTemplate>(&[]),
        ),
        kind(
            kind::AWS_LAMBDA_FUNCTION,
            "Lambda function",
            Paas,
            keys::<LambdaFunction>(&[]),
        ),
        kind(
            kind::AWS_SSM_MANAGED_INSTANCE,
            "instance managed by Systems Manager",
            Iaas,
            keys::<SsmManagedInstance>(&[]),
        ),
        kind(
            kind::AWS_CLOUDFORMATION_STACK,
            "CloudFormation stack",
            ControlPlane,
            keys::<Stack>(&[]),
        ),
        kind(
            kind::AWS_GLUE_DEV_ENDPOINT,
            "Glue development endpoint",
            Paas,
            keys::<GlueDevEndpoint>(&[]),
        ),
        kind(kind::AWS_GLUE_JOB, "Glue job", Paas, keys::<GlueJob>(&[])),
        kind(
            kind::AWS_SAGEMAKER_NOTEBOOK_INSTANCE,
            "SageMaker notebook instance",
            Paas,
            keys::<NotebookInstance>(&[]),
        ),
        kind(
            kind::AWS_CODEBUILD_PROJECT,
            "CodeBuild project",
            Paas,
            keys::<CodeBuildProject>(&[]),
        ),
        kind(
            kind::AWS_ECS_TASK_DEFINITION,
            "ECS task definition (latest active revision)",
            Paas,
            keys::<TaskDefinition>(&[]),
        ),
        kind(
            kind::AWS_GUARDDUTY_REGION,
            "GuardDuty in a region",
            ControlPlane,
            only(&["detectors"]),
        ),
        kind(
            kind::AWS_CONFIG_REGION,
            "AWS Config recording in a region",
            ControlPlane,
            only(&["recorders"]),
        ),
        kind(
            kind::AZURE_SUBSCRIPTION,
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
            kind::AZURE_AUTHORIZATION_ROLE_ASSIGNMENT,
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
            kind::AZURE_AUTHORIZATION_CUSTOM_ROLE,
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
            kind::AZURE_NETWORK_NSG,
            "Azure network security group",
            Iaas,
            keys::<NetworkSecurityGroup>(&["resource_group", "flow_logs"]),
        ),
        kind(
            kind::AZURE_NETWORK_VIRTUAL_NETWORK,
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
            kind::AZURE_NETWORK_SUBNET,
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
            kind::AZURE_NETWORK_FLOW_LOG,
            "Azure Network Watcher flow log",
            Iaas,
            keys::<AzureFlowLog>(&["target_kind"]),
        ),
        kind(
            kind::AZURE_NETWORK_PUBLIC_IP,
            "Azure public IP address",
            Iaas,
            keys::<PublicIpAddress>(&[]),
        ),
        kind(
            kind::AZURE_STORAGE_ACCOUNT,
            "Azure storage account",
            Paas,
            keys::<StorageAccount>(&["resource_group"]),
        ),
        kind(
            kind::AZURE_ENTRA_TENANT,
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
            kind::AZURE_ENTRA_USER,
            "Entra ID user",
            Saas,
            keys::<EntraUser>(&["name", "has_mailbox", "privileged_roles"]),
        ),
        kind(
            kind::AZURE_ENTRA_PRIVILEGED_USER,
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
