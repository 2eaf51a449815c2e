//! The views of the compute that runs as an IAM role in a region: Lambda functions, SSM managed
//! instances, CloudFormation stacks, Glue endpoints and jobs, SageMaker notebook instances,
//! CodeBuild projects, ECS task definitions and launch templates.

use crate::analyze::fields::to_map;
use crate::analyze::resource::Push;
use crate::snapshot::{AwsRegion, kind};

/// Adds the compute of `region`.
pub fn region<'s>(acct: &'s str, region: &'s str, data: &'s AwsRegion, push: &mut Push<'_, 's>) {
    for f in &data.lambda_functions {
        push.add(
            kind::AWS_LAMBDA_FUNCTION,
            f.arn.clone(),
            f.name.clone(),
            Some(region),
            || to_map(f),
        );
    }
    for m in &data.ssm_managed_instances {
        push.add(
            kind::AWS_SSM_MANAGED_INSTANCE,
            managed_instance_arn(acct, region, &m.instance_id),
            m.instance_id.clone(),
            Some(region),
            || to_map(m),
        );
    }
    for s in &data.cloudformation_stacks {
        push.add(
            kind::AWS_CLOUDFORMATION_STACK,
            s.id.clone(),
            s.name.clone(),
            Some(region),
            || to_map(s),
        );
    }
    for e in &data.glue_dev_endpoints {
        push.add(
            kind::AWS_GLUE_DEV_ENDPOINT,
            format!("arn:aws:glue:{region}:{acct}:devEndpoint/{}", e.name),
            e.name.clone(),
            Some(region),
            || to_map(e),
        );
    }
    for j in &data.glue_jobs {
        push.add(
            kind::AWS_GLUE_JOB,
            format!("arn:aws:glue:{region}:{acct}:job/{}", j.name),
            j.name.clone(),
            Some(region),
            || to_map(j),
        );
    }
    for n in &data.sagemaker_notebook_instances {
        push.add(
            kind::AWS_SAGEMAKER_NOTEBOOK_INSTANCE,
            n.arn.clone(),
            n.name.clone(),
            Some(region),
            || to_map(n),
        );
    }
    for p in &data.codebuild_projects {
        push.add(
            kind::AWS_CODEBUILD_PROJECT,
            p.arn.clone(),
            p.name.clone(),
            Some(region),
            || to_map(p),
        );
    }
    for t in &data.ecs_task_definitions {
        push.add(
            kind::AWS_ECS_TASK_DEFINITION,
            t.arn.clone(),
            format!("{}:{}", t.family, t.revision),
            Some(region),
            || to_map(t),
        );
    }
    for t in &data.launch_templates {
        push.add(
            kind::AWS_EC2_LAUNCH_TEMPLATE,
            format!("arn:aws:ec2:{region}:{acct}:launch-template/{}", t.id),
            t.name.clone(),
            Some(region),
            || to_map(t),
        );
    }
}

/// The ARN Systems Manager acts on for a managed instance: the EC2 instance for `i-…`, the
/// managed instance for hybrid machines (`mi-…`).
pub fn managed_instance_arn(acct: &str, region: &str, id: &str) -> String {
    if id.starts_with("mi-") {
        format!("arn:aws:ssm:{region}:{acct}:managed-instance/{id}")
    } else {
        format!("arn:aws:ec2:{region}:{acct}:instance/{id}")
    }
}
