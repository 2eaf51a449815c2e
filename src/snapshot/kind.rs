//! The names of resource kinds, each spelled once: collectors name them in coverage gaps,
//! the analysis builds views of them, rules and the catalogue (`onus kinds`) refer to them.

pub const AWS_IAM_ROOT: &str = "aws.iam.root";
pub const AWS_IAM_PASSWORD_POLICY: &str = "aws.iam.password_policy";
pub const AWS_IAM_ACCOUNT: &str = "aws.iam.account";
pub const AWS_IAM_USER: &str = "aws.iam.user";
pub const AWS_IAM_GROUP: &str = "aws.iam.group";
pub const AWS_IAM_ROLE: &str = "aws.iam.role";
pub const AWS_IAM_POLICY: &str = "aws.iam.policy";
pub const AWS_S3_ACCOUNT: &str = "aws.s3.account";
pub const AWS_S3_BUCKET: &str = "aws.s3.bucket";
pub const AWS_CLOUDTRAIL_ACCOUNT: &str = "aws.cloudtrail.account";
pub const AWS_CLOUDTRAIL_TRAIL: &str = "aws.cloudtrail.trail";
pub const AWS_EC2_VPC: &str = "aws.ec2.vpc";
pub const AWS_EC2_SUBNET: &str = "aws.ec2.subnet";
pub const AWS_EC2_ROUTE_TABLE: &str = "aws.ec2.route_table";
pub const AWS_EC2_SECURITY_GROUP: &str = "aws.ec2.security_group";
pub const AWS_EC2_NETWORK_ACL: &str = "aws.ec2.network_acl";
pub const AWS_EC2_INSTANCE: &str = "aws.ec2.instance";
pub const AWS_EC2_REGION: &str = "aws.ec2.region";
pub const AWS_LAMBDA_FUNCTION: &str = "aws.lambda.function";
pub const AWS_SSM_MANAGED_INSTANCE: &str = "aws.ssm.managed_instance";
pub const AWS_CLOUDFORMATION_STACK: &str = "aws.cloudformation.stack";
pub const AWS_GLUE_DEV_ENDPOINT: &str = "aws.glue.dev_endpoint";
pub const AWS_GLUE_JOB: &str = "aws.glue.job";
pub const AWS_SAGEMAKER_NOTEBOOK_INSTANCE: &str = "aws.sagemaker.notebook_instance";
pub const AWS_CODEBUILD_PROJECT: &str = "aws.codebuild.project";
pub const AWS_ECS_TASK_DEFINITION: &str = "aws.ecs.task_definition";
pub const AWS_EC2_LAUNCH_TEMPLATE: &str = "aws.ec2.launch_template";
pub const AWS_GUARDDUTY_REGION: &str = "aws.guardduty.region";
pub const AWS_CONFIG_REGION: &str = "aws.config.region";
pub const AZURE_SUBSCRIPTION: &str = "azure.subscription";
pub const AZURE_AUTHORIZATION_ROLE_ASSIGNMENT: &str = "azure.authorization.role_assignment";
pub const AZURE_AUTHORIZATION_CUSTOM_ROLE: &str = "azure.authorization.custom_role";
pub const AZURE_NETWORK_NSG: &str = "azure.network.nsg";
pub const AZURE_NETWORK_VIRTUAL_NETWORK: &str = "azure.network.virtual_network";
pub const AZURE_NETWORK_SUBNET: &str = "azure.network.subnet";
pub const AZURE_NETWORK_FLOW_LOG: &str = "azure.network.flow_log";
pub const AZURE_NETWORK_PUBLIC_IP: &str = "azure.network.public_ip";
pub const AZURE_STORAGE_ACCOUNT: &str = "azure.storage.account";
pub const AZURE_ENTRA_TENANT: &str = "azure.entra.tenant";
pub const AZURE_ENTRA_USER: &str = "azure.entra.user";
pub const AZURE_ENTRA_PRIVILEGED_USER: &str = "azure.entra.privileged_user";

/// Every kind, in catalogue order.
pub const ALL: &[&str] = &[
    AWS_IAM_ROOT,
    AWS_IAM_PASSWORD_POLICY,
    AWS_IAM_ACCOUNT,
    AWS_IAM_USER,
    AWS_IAM_GROUP,
    AWS_IAM_ROLE,
    AWS_IAM_POLICY,
    AWS_S3_ACCOUNT,
    AWS_S3_BUCKET,
    AWS_CLOUDTRAIL_ACCOUNT,
    AWS_CLOUDTRAIL_TRAIL,
    AWS_EC2_VPC,
    AWS_EC2_SUBNET,
    AWS_EC2_ROUTE_TABLE,
    AWS_EC2_SECURITY_GROUP,
    AWS_EC2_NETWORK_ACL,
    AWS_EC2_INSTANCE,
    AWS_EC2_REGION,
    AWS_EC2_LAUNCH_TEMPLATE,
    AWS_LAMBDA_FUNCTION,
    AWS_SSM_MANAGED_INSTANCE,
    AWS_CLOUDFORMATION_STACK,
    AWS_GLUE_DEV_ENDPOINT,
    AWS_GLUE_JOB,
    AWS_SAGEMAKER_NOTEBOOK_INSTANCE,
    AWS_CODEBUILD_PROJECT,
    AWS_ECS_TASK_DEFINITION,
    AWS_GUARDDUTY_REGION,
    AWS_CONFIG_REGION,
    AZURE_SUBSCRIPTION,
    AZURE_AUTHORIZATION_ROLE_ASSIGNMENT,
    AZURE_AUTHORIZATION_CUSTOM_ROLE,
    AZURE_NETWORK_NSG,
    AZURE_NETWORK_VIRTUAL_NETWORK,
    AZURE_NETWORK_SUBNET,
    AZURE_NETWORK_FLOW_LOG,
    AZURE_NETWORK_PUBLIC_IP,
    AZURE_STORAGE_ACCOUNT,
    AZURE_ENTRA_TENANT,
    AZURE_ENTRA_USER,
    AZURE_ENTRA_PRIVILEGED_USER,
];
