//! Typed AWS compute that runs as an IAM role, per region: Lambda functions, SSM managed
//! instances, CloudFormation stacks, Glue development endpoints and jobs, SageMaker notebook
//! instances, CodeBuild projects, ECS task definitions and EC2 launch templates.
//!
//! Whoever can change or drive such compute acts with its role; the escalation analysis reads
//! these. Nothing here holds a secret: environment variables are recorded by name only.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::tags::Tags;

/// A Lambda function (`lambda:ListFunctions`, tags and URL config per function).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LambdaFunction {
    pub name: String,
    pub arn: String,
    /// The execution role's ARN.
    pub role: String,
    /// e.g. `python3.12`; `None` for container-image functions.
    pub runtime: Option<String>,
    pub last_modified: Option<DateTime<Utc>>,
    /// The function URL's auth type (`NONE` or `AWS_IAM`); `None` when it has no URL.
    pub url_auth_type: Option<String>,
    /// The names of its environment variables; their values are never read into a snapshot.
    #[serde(default)]
    pub environment_variable_names: Vec<String>,
    #[serde(default)]
    pub tags: Tags,
}

/// An instance registered with Systems Manager (`ssm:DescribeInstanceInformation`): commands
/// and sessions can reach it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SsmManagedInstance {
    /// `i-…` for EC2 instances, `mi-…` for hybrid machines.
    pub instance_id: String,
    /// `Online`, `ConnectionLost` or `Inactive`.
    pub ping_status: String,
    /// e.g. `Linux`, `Windows`.
    pub platform_type: Option<String>,
    /// The IAM role of a hybrid machine (`mi-…`), from its activation.
    pub iam_role: Option<String>,
}

/// A CloudFormation stack (`cloudformation:DescribeStacks`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Stack {
    pub name: String,
    /// The stack ARN.
    pub id: String,
    /// The service role CloudFormation uses for the stack's operations, when it has one.
    pub role_arn: Option<String>,
    /// e.g. `CREATE_COMPLETE`, `UPDATE_ROLLBACK_COMPLETE`.
    pub status: String,
    #[serde(default)]
    pub tags: Tags,
}

/// A Glue development endpoint (`glue:GetDevEndpoints`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GlueDevEndpoint {
    pub name: String,
    pub role_arn: String,
    /// e.g. `READY`, `PROVISIONING`, `FAILED`.
    pub status: Option<String>,
    /// Present when the endpoint is reachable from the internet.
    pub public_address: Option<String>,
}

/// A Glue job (`glue:GetJobs`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GlueJob {
    pub name: String,
    /// The role's ARN or name, as the job records it.
    pub role: String,
}

/// A SageMaker notebook instance (`sagemaker:ListNotebookInstances`, then
/// `DescribeNotebookInstance` for its role and settings).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NotebookInstance {
    pub name: String,
    pub arn: String,
    pub role_arn: String,
    /// e.g. `InService`, `Stopped`.
    pub status: String,
    /// `Enabled` or `Disabled`.
    pub direct_internet_access: Option<String>,
    /// `Enabled` or `Disabled`.
    pub root_access: Option<String>,
    /// The KMS key encrypting its storage volume, when one is set.
    pub kms_key_id: Option<String>,
}

/// A CodeBuild project (`codebuild:ListProjects`, `BatchGetProjects`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CodeBuildProject {
    pub name: String,
    pub arn: String,
    /// The service role's ARN.
    pub service_role: String,
    /// Whether its environment runs privileged (Docker-in-Docker).
    #[serde(default)]
    pub privileged_mode: bool,
    /// The names of its plain-text environment variables (`PLAINTEXT`); values are never read.
    #[serde(default)]
    pub plaintext_environment_variable_names: Vec<String>,
    #[serde(default)]
    pub tags: Tags,
}

/// The latest active revision of an ECS task definition family
/// (`ecs:ListTaskDefinitionFamilies`, `DescribeTaskDefinition`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TaskDefinition {
    pub family: String,
    pub revision: i32,
    pub arn: String,
    /// The role its containers act as.
    pub task_role_arn: Option<String>,
    /// The role ECS uses to pull images and write logs.
    pub execution_role_arn: Option<String>,
    /// `awsvpc`, `bridge`, `host` or `none`.
    pub network_mode: Option<String>,
    /// Whether any container runs privileged.
    #[serde(default)]
    pub privileged: bool,
}

/// An EC2 launch template and its default version (`ec2:DescribeLaunchTemplates`,
/// `DescribeLaunchTemplateVersions`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LaunchTemplate {
    pub id: String,
    pub name: String,
    pub default_version: i64,
    pub latest_version: i64,
    /// The instance profile of the default version (ARN or name, as the template records it).
    pub instance_profile: Option<String>,
    /// The default version's `HttpTokens` (`required`, `optional`), `None` when unset
    /// (instances then get the account or AMI default).
    pub http_tokens: Option<String>,
    /// The default version's `HttpEndpoint` (`enabled`, `disabled`), `None` when unset.
    pub http_endpoint: Option<String>,
    /// Whether the default version carries user data (its content is not kept).
    #[serde(default)]
    pub has_user_data: bool,
    #[serde(default)]
    pub tags: Tags,
}
