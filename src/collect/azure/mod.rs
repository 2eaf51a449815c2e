//! The Azure collector: a credential from onus's chain, then every selected subscription
//! (Azure Resource Manager) and the tenant (Microsoft Graph) concurrently, GET only, under
//! one concurrency bound.

mod arm;
mod auth;
mod graph;
mod http;
mod token;

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::Utc;
use futures::future::join_all;
use reqwest::Url;

pub use auth::AuthMethod;
pub use http::Api;

use super::CollectError;
use super::events::progress;
use crate::snapshot::{
    AzureResources, Collector, Provider, SCHEMA_VERSION, Snapshot, Subscription, kind,
};
use crate::words::counts;

#[derive(Debug, Clone)]
pub struct AzureOptions {
    /// Subscriptions to scan; empty: every subscription the identity can list.
    pub subscriptions: Vec<String>,
    /// The Entra ID tenant; by default the subscriptions' (or the token's) tenant.
    pub tenant: Option<String>,
    pub auth: AuthMethod,
    /// Azure Resource Manager base URL (sovereign clouds, tests).
    pub arm_endpoint: String,
    /// Microsoft Graph base URL.
    pub graph_endpoint: String,
    /// Skip Microsoft Graph (identity rules are then not assessed).
    pub skip_graph: bool,
    pub concurrency: usize,
    pub max_attempts: u32,
    pub call_timeout: Duration,
}

impl Default for AzureOptions {
    fn default() -> Self {
        AzureOptions {
            subscriptions: Vec::new(),
            tenant: None,
            auth: AuthMethod::Chain,
            arm_endpoint: "https://management.azure.com".into(),
            graph_endpoint: "https://graph.microsoft.com".into(),
            skip_graph: false,
            concurrency: 16,
            max_attempts: 6,
            call_timeout: Duration::from_secs(60),
        }
    }
}

fn endpoint(name: &str, value: &str) -> Result<Url, CollectError> {
    let url = Url::parse(value)
        .map_err(|e| CollectError::Options(format!("{name} {value:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
        return Err(CollectError::Options(format!(
            "{name} {value:?} must be an http(s) URL with a host"
        )));
    }
    Ok(url)
}

/// Collects a snapshot of the selected subscriptions and their tenant.
pub async fn collect(
    options: &AzureOptions,
) -> Result<(Snapshot, super::CollectStats), CollectError> {
    let collected_at = Utc::now();
    if options.concurrency == 0 {
        return Err(CollectError::Options(
            "--concurrency must be at least 1".into(),
        ));
    }
    let settings = http::HttpSettings {
        arm: endpoint("--arm-endpoint", &options.arm_endpoint)?,
        graph: endpoint("--graph-endpoint", &options.graph_endpoint)?,
        concurrency: options.concurrency,
        max_attempts: options.max_attempts.max(1),
        call_timeout: options.call_timeout,
    };
    let arm_scope = format!("{}/.default", settings.arm.origin().ascii_serialization());
    let (credential, method) = auth::resolve(options.auth, &arm_scope).await?;
    progress!("azure: authenticated with {method}");
    let http = http::Http::new(credential, settings)
        .map_err(|e| CollectError::Options(format!("cannot build the HTTP client: {e}")))?;
    let arm_token = http
        .token(Api::Arm)
        .await
        .map_err(|f| CollectError::AzureIdentity(f.message))?;
    let claims = token::claims(&arm_token);

    let mut subscriptions = subscriptions(&http, &options.subscriptions).await?;
    let tenant = options
        .tenant
        .clone()
        .or_else(|| {
            let tenants: BTreeSet<&str> = subscriptions
                .iter()
                .filter_map(|s| s.tenant_id.as_deref())
                .collect();
            (tenants.len() == 1).then(|| tenants.into_iter().map(str::to_owned).collect())
        })
        .or_else(|| claims.tenant.clone());

    let http_ref = &http;
    let arm_reads = join_all(subscriptions.iter_mut().map(|sub| async move {
        arm::collect(http_ref, sub).await;
        progress!(
            "azure: subscription {}: {}",
            sub.subscription_id,
            counts(&[
                (sub.role_assignments.len(), "role assignment"),
                (sub.network_security_groups.len(), "NSG"),
                (sub.virtual_networks.len(), "virtual network"),
                (sub.storage_accounts.len(), "storage account"),
                (sub.flow_logs.len(), "flow log"),
            ])
        );
    }));
    let graph_read = async {
        match (&tenant, options.skip_graph) {
            (Some(t), false) => {
                let out = graph::collect(http_ref, t).await;
                progress!(
                    "azure: tenant {t}: {}",
                    counts(&[
                        (out.users.len(), "user"),
                        (out.role_assignments.len(), "directory role assignment"),
                        (
                            out.conditional_access_policies.len(),
                            "Conditional Access policy"
                        ),
                    ])
                );
                Some(out)
            }
            _ => None,
        }
    };
    let ((), tenant_data) = tokio::join!(
        async {
            arm_reads.await;
        },
        graph_read
    );
    // Entra ID not read is a coverage gap over every Entra kind, never a clean bill of health.
    let unread = match (&tenant, options.skip_graph) {
        (Some(t), true) => Some((
            t.as_str(),
            "--no-graph: Microsoft Graph was not read, so Entra ID was not assessed",
        )),
        (None, _) => {
            tracing::warn!(
                target: super::events::PROGRESS,
                "azure: the tenant is unknown (no subscription names one): pass --tenant to read Entra ID"
            );
            Some((
                "unknown-tenant",
                "the tenant is unknown (no subscription names one, and --tenant was not given), so Entra ID was not read",
            ))
        }
        (Some(_), false) => None,
    };
    if let Some((account, why)) = unread {
        let failure = http::Failure::skipped(why);
        for kind in [
            kind::AZURE_ENTRA_TENANT,
            kind::AZURE_ENTRA_USER,
            kind::AZURE_ENTRA_PRIVILEGED_USER,
        ] {
            http.gap(kind, account, None, &[], "graph:*", &failure);
        }
    }

    let mut locations: BTreeSet<String> = BTreeSet::new();
    for sub in &subscriptions {
        let all = sub
            .network_security_groups
            .iter()
            .map(|r| &r.location)
            .chain(sub.virtual_networks.iter().map(|r| &r.location))
            .chain(sub.storage_accounts.iter().map(|r| &r.location))
            .chain(sub.public_ip_addresses.iter().map(|r| &r.location));
        locations.extend(all.filter(|l| !l.is_empty()).cloned());
    }
    let stats = super::CollectStats {
        calls: http.calls(),
    };
    let snapshot = Snapshot {
        schema_version: SCHEMA_VERSION,
        provider: Provider::Azure,
        accounts: subscriptions
            .iter()
            .map(|s| s.subscription_id.clone())
            .collect(),
        regions: locations.into_iter().collect(),
        collected_at,
        collector: Collector {
            name: "onus".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            principal: Some(match claims.principal {
                Some(p) => format!("{p} ({method})"),
                None => method.to_owned(),
            }),
        },
        coverage_gaps: http.take_gaps(),
        aws: None,
        azure: Some(AzureResources {
            tenants: tenant_data.into_iter().collect(),
            subscriptions,
        }),
    };
    Ok((snapshot, stats))
}

/// The subscriptions asked for (each must be readable), or every one the identity can list.
async fn subscriptions(
    http: &http::Http,
    asked: &[String],
) -> Result<Vec<Subscription>, CollectError> {
    let version = arm::SUBSCRIPTIONS;
    let mut out = Vec::new();
    if asked.is_empty() {
        let (list, failure) = http
            .list::<arm::WireSubscription>(
                Api::Arm,
                "Microsoft.Resources/subscriptions/read",
                &format!("/subscriptions?api-version={version}"),
            )
            .await;
        if let Some(f) = failure {
            return Err(CollectError::AzureIdentity(format!(
                "cannot list subscriptions: {} {}",
                f.error, f.message
            )));
        }
        out.extend(
            list.into_iter()
                .map(arm::WireSubscription::into_subscription),
        );
    } else {
        for id in asked {
            let url = http
                .url(
                    Api::Arm,
                    &format!("/subscriptions/{id}?api-version={version}"),
                )
                .map_err(|f| CollectError::Options(f.message))?;
            let json = http
                .get(Api::Arm, "Microsoft.Resources/subscriptions/read", &url)
                .await
                .map_err(|f| {
                    CollectError::AzureIdentity(format!(
                        "subscription {id}: {} {}",
                        f.error, f.message
                    ))
                })?;
            let sub: arm::WireSubscription = serde_json::from_value(json).map_err(|e| {
                CollectError::AzureIdentity(format!("subscription {id}: unexpected answer: {e}"))
            })?;
            out.push(sub.into_subscription());
        }
    }
    out.sort_by(|a, b| a.subscription_id.cmp(&b.subscription_id));
    out.dedup_by(|a, b| a.subscription_id == b.subscription_id);
    Ok(out)
}
