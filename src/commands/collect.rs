//! `onus collect`: a snapshot of a cloud account, saved. Also the collection `onus scan`
//! starts with: arguments to collector options, the async runtime, and the one-line summary of
//! what was collected.

#[cfg(any(feature = "aws", feature = "azure"))]
use anyhow::Context;
use anyhow::Result;
#[cfg(not(all(feature = "aws", feature = "azure")))]
use anyhow::bail;

#[cfg(any(feature = "aws", feature = "azure"))]
use super::watch::Watch;
use crate::cli::{AwsArgs, AzureArgs, CollectCommand};
use crate::snapshot::{self, Snapshot};

pub fn run(cmd: &CollectCommand) -> Result<u8> {
    let (snapshot, output) = match cmd {
        CollectCommand::Aws { aws, output } => (collect_aws(aws)?, output),
        CollectCommand::Azure { azure, output } => (collect_azure(azure)?, output),
    };
    snapshot::save(&snapshot, output)?;
    Ok(0)
}

#[cfg(any(feature = "aws", feature = "azure"))]
fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

#[cfg(any(feature = "aws", feature = "azure"))]
fn summary(snapshot: &Snapshot, what: &str, calls: u64, started: std::time::Instant) {
    use crate::words::{count, plural};
    let facts = crate::analyze::iam::SnapshotFacts::default();
    // Counting needs no facts: field maps are never built here.
    let resources = crate::analyze::inventory::pending(snapshot, &facts).len();
    let accounts = &snapshot.accounts;
    eprintln!(
        "onus: collected {} from {} {} as {} in {}: {} in {:.1}s; {}",
        count(resources, "resource"),
        if accounts.len() == 1 {
            what.to_owned()
        } else {
            plural(what)
        },
        accounts.join(", "),
        snapshot
            .collector
            .principal
            .as_deref()
            .unwrap_or("an unknown principal"),
        count(snapshot.regions.len(), "region"),
        count(calls, "API call"),
        started.elapsed().as_secs_f64(),
        count(snapshot.coverage_gaps.len(), "coverage gap")
    );
}

/// Runs a collection on a fresh runtime while `calls` says what is shown of it, then says
/// what was collected from which `what` (account, subscription).
#[cfg(any(feature = "aws", feature = "azure"))]
fn watched(
    calls: &crate::cli::CallArgs,
    what: &str,
    collection: impl std::future::Future<
        Output = Result<(Snapshot, crate::collect::CollectStats), crate::collect::CollectError>,
    >,
) -> Result<Snapshot> {
    let started = std::time::Instant::now();
    let watch = Watch::start(calls);
    let collected = runtime()?.block_on(collection);
    watch.finish();
    let (snapshot, stats) = collected?;
    if !calls.quiet {
        summary(&snapshot, what, stats.calls.values().sum(), started);
    }
    Ok(snapshot)
}

#[cfg(feature = "aws")]
pub fn collect_aws(args: &AwsArgs) -> Result<Snapshot> {
    use crate::collect::aws::{AwsOptions, Regions, collect};
    let regions = match args.regions.as_slice() {
        [] => Regions::Configured,
        [one] if one == "all" => Regions::All,
        list => Regions::List(list.to_vec()),
    };
    let options = AwsOptions {
        profile: args.profile.clone(),
        regions,
        endpoint_url: args.endpoint_url.clone(),
        concurrency: args.calls.concurrency,
        max_attempts: args.calls.max_attempts,
        call_timeout: std::time::Duration::from_secs(args.calls.call_timeout),
    };
    watched(&args.calls, "account", collect(&options))
}

#[cfg(not(feature = "aws"))]
pub fn collect_aws(_: &AwsArgs) -> Result<Snapshot> {
    bail!("this onus was built without AWS support: rebuild with `--features aws`")
}

#[cfg(feature = "azure")]
pub fn collect_azure(args: &AzureArgs) -> Result<Snapshot> {
    use crate::cli::AzureAuth;
    use crate::collect::azure::{AuthMethod, AzureOptions, collect};
    let options = AzureOptions {
        subscriptions: args.subscriptions.clone(),
        tenant: args.tenant.clone(),
        auth: match args.auth {
            None => AuthMethod::Chain,
            Some(AzureAuth::Sp) => AuthMethod::ServicePrincipal,
            Some(AzureAuth::Workload) => AuthMethod::Workload,
            Some(AzureAuth::ManagedIdentity) => AuthMethod::ManagedIdentity,
            Some(AzureAuth::Cli) => AuthMethod::Cli,
        },
        arm_endpoint: args.arm_endpoint.clone(),
        graph_endpoint: args.graph_endpoint.clone(),
        skip_graph: args.no_graph,
        concurrency: args.calls.concurrency,
        max_attempts: args.calls.max_attempts,
        call_timeout: std::time::Duration::from_secs(args.calls.call_timeout),
    };
    watched(&args.calls, "subscription", collect(&options))
}

#[cfg(not(feature = "azure"))]
pub fn collect_azure(_: &AzureArgs) -> Result<Snapshot> {
    bail!("this onus was built without Azure support: rebuild with `--features azure`")
}
