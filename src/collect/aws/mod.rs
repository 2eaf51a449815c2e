//! The AWS collector: credentials and endpoints through aws-config, then IAM and S3 (global)
//! and every selected region concurrently, under one concurrency bound.

mod credential_report;
mod ctx;
mod iam;
mod logging;
mod network;
mod s3;

use std::collections::BTreeMap;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use chrono::Utc;
use futures::future::join_all;

pub(crate) use ctx::{Ctx, all_pages, classify, error_code, to_utc};

use super::CollectError;
use super::events::progress;
use crate::snapshot::{AwsAccount, AwsResources, Collector, Provider, SCHEMA_VERSION, Snapshot};
use crate::words::{count, counts};

/// Which regions to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Regions {
    /// The region of the loaded configuration.
    Configured,
    /// Every region enabled for the account (`ec2:DescribeRegions`).
    All,
    List(Vec<String>),
}

#[derive(Debug, Clone)]
pub struct AwsOptions {
    pub profile: Option<String>,
    pub regions: Regions,
    /// Overrides every service endpoint (e.g. a local API implementation).
    pub endpoint_url: Option<String>,
    /// At most this many API calls in flight.
    pub concurrency: usize,
    /// Attempts per call, including the first, for throttling and transient errors.
    pub max_attempts: u32,
    /// Limit for one API call, retries included.
    pub call_timeout: std::time::Duration,
}

impl Default for AwsOptions {
    fn default() -> Self {
        AwsOptions {
            profile: None,
            regions: Regions::Configured,
            endpoint_url: None,
            concurrency: 16,
            max_attempts: 6,
            call_timeout: std::time::Duration::from_secs(60),
        }
    }
}

pub use super::CollectStats;

/// What a person does when no credentials could be found.
const NO_CREDENTIALS: &str = "onus reads AWS credentials as the AWS CLI does: choose a profile of ~/.aws/config with --profile NAME (or AWS_PROFILE=NAME), after `aws sso login --profile NAME` for an SSO profile; or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials); or run where an instance, task or pod role is attached";

/// What a person does when credentials were found but GetCallerIdentity failed.
const REFUSED: &str = "the credentials were found but STS did not accept them or could not be reached: check that they have not expired (`aws sso login` renews an SSO session), that the region (--regions or AWS_REGION) is enabled, and that --endpoint-url, if given, is right";

/// Why the caller's identity could not be read, and what a person does next: whether
/// credentials could be found at all decides which.
async fn identity_failure(
    config: &aws_config::SdkConfig,
    err: &(dyn std::error::Error + 'static),
) -> String {
    use aws_sdk_sts::config::ProvideCredentials;
    let told = ctx::error_chain(err);
    let found = match config.credentials_provider() {
        Some(provider) => provider.provide_credentials().await.is_ok(),
        None => false,
    };
    let next = if found { REFUSED } else { NO_CREDENTIALS };
    format!("{told}\n{next}")
}

/// Collects a snapshot of the account the credentials belong to.
pub async fn collect(options: &AwsOptions) -> Result<(Snapshot, CollectStats), CollectError> {
    let collected_at = Utc::now();
    if options.concurrency == 0 {
        return Err(CollectError::Options(
            "--concurrency must be at least 1".into(),
        ));
    }
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        // Standard mode: exponential backoff with jitter from 200 ms, at most 5 s. (Adaptive
        // mode's client-side rate limiter held the next attempt back for seconds after a
        // throttling answer, so short call timeouts ended as Timeout gaps.)
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(options.max_attempts)
                .with_initial_backoff(std::time::Duration::from_millis(200))
                .with_max_backoff(std::time::Duration::from_secs(5)),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(options.call_timeout)
                .operation_attempt_timeout(options.call_timeout / 2)
                .connect_timeout(std::time::Duration::from_secs(10))
                .build(),
        );
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let config = loader.load().await;
    let endpoint_overridden = options.endpoint_url.is_some()
        || std::env::var_os("AWS_ENDPOINT_URL").is_some_and(|v| !v.is_empty());

    let sts = aws_sdk_sts::Client::new(&config);
    let identity = match sts.get_caller_identity().send().await {
        Ok(identity) => identity,
        Err(e) => return Err(CollectError::Identity(identity_failure(&config, &e).await)),
    };
    let account_id = identity
        .account()
        .ok_or_else(|| CollectError::Identity("GetCallerIdentity returned no account".into()))?
        .to_owned();
    let principal = identity.arn().map(str::to_owned);

    let ctx = Ctx::new(
        account_id.clone(),
        config,
        endpoint_overridden,
        options.concurrency,
    );
    let regions = resolve_regions(&ctx, &options.regions).await?;

    let ctx_ref = &ctx;
    let regional = join_all(regions.iter().map(|region| async move {
        let ctx = ctx_ref;
        let (mut data, (detectors, recorders)) = tokio::join!(
            network::collect_region(ctx, region),
            logging::collect_detection(ctx, region)
        );
        data.guardduty_detectors = detectors;
        data.config_recorders = recorders;
        progress!(
            "{region}: {}",
            counts(&[
                (data.vpcs.len(), "VPC"),
                (data.subnets.len(), "subnet"),
                (data.security_groups.len(), "security group"),
                (data.network_acls.len(), "network ACL"),
                (data.instances.len(), "instance"),
                (data.guardduty_detectors.len(), "GuardDuty detector"),
                (data.config_recorders.len(), "Config recorder"),
            ])
        );
        (region.clone(), data)
    }));
    let iam = async {
        let out = iam::collect(&ctx).await;
        let iam = &out.0;
        progress!(
            "iam: {}",
            counts(&[
                (iam.users.len(), "user"),
                (iam.groups.len(), "group"),
                (iam.roles.len(), "role"),
                (iam.policies.len(), "customer-managed policy"),
            ])
        );
        out
    };
    let s3 = async {
        let out = s3::collect(&ctx).await;
        progress!("s3: {}", count(out.buckets.len(), "bucket"));
        out
    };
    let trails = async {
        let out = logging::collect_trails(&ctx, &regions).await;
        progress!("cloudtrail: {}", count(out.len(), "trail"));
        out
    };
    let ((iam, alias), s3, trails, regional) = tokio::join!(iam, s3, trails, regional);
    let region_map: BTreeMap<_, _> = regional.into_iter().collect();

    let account = AwsAccount {
        account_id: account_id.clone(),
        alias,
        iam,
        s3,
        cloudtrail: trails,
        regions: region_map,
    };
    let stats = CollectStats { calls: ctx.calls() };
    let snapshot = Snapshot {
        schema_version: SCHEMA_VERSION,
        provider: Provider::Aws,
        accounts: vec![account_id],
        regions,
        collected_at,
        collector: Collector {
            name: "onus".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            principal,
        },
        coverage_gaps: ctx.into_gaps(),
        aws: Some(AwsResources {
            accounts: vec![account],
        }),
        azure: None,
    };
    Ok((snapshot, stats))
}

async fn resolve_regions(ctx: &Ctx, regions: &Regions) -> Result<Vec<String>, CollectError> {
    let mut list = match regions {
        Regions::List(list) => list.clone(),
        Regions::Configured => {
            vec![ctx.config.region().map(|r| r.to_string()).ok_or_else(|| {
                CollectError::Options(
                    "no region configured: set AWS_REGION, a profile region, or --regions".into(),
                )
            })?]
        }
        Regions::All => {
            let ec2 = aws_sdk_ec2::Client::new(&ctx.config);
            let _permit = ctx.permit().await;
            ctx.count("ec2:DescribeRegions");
            let out = ec2.describe_regions().send().await.map_err(|e| {
                CollectError::Options(format!(
                    "--regions all: DescribeRegions failed: {}",
                    ctx::error_chain(&e)
                ))
            })?;
            out.regions()
                .iter()
                .filter_map(|r| r.region_name().map(str::to_owned))
                .collect()
        }
    };
    list.sort();
    list.dedup();
    Ok(list)
}
