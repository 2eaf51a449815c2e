//! Storage accounts and their security settings.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::collect::azure::http::Http;
use crate::snapshot::{StorageAccount, kind};

use super::wire::{Resource, STORAGE, listing};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct StorageProps {
    #[serde(default)]
    allow_blob_public_access: Option<bool>,
    #[serde(default)]
    supports_https_traffic_only: Option<bool>,
    #[serde(default)]
    minimum_tls_version: Option<String>,
    #[serde(default)]
    allow_shared_key_access: Option<bool>,
    #[serde(default)]
    public_network_access: Option<String>,
    #[serde(default)]
    network_acls: Option<NetworkAcls>,
    #[serde(default)]
    encryption: Option<Encryption>,
    #[serde(default)]
    allow_cross_tenant_replication: Option<bool>,
    #[serde(default)]
    creation_time: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct NetworkAcls {
    #[serde(default)]
    default_action: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Encryption {
    #[serde(default)]
    key_source: Option<String>,
    #[serde(default)]
    require_infrastructure_encryption: Option<bool>,
}

pub(super) async fn storage_accounts(http: &Http, s: &str, base: &str) -> Vec<StorageAccount> {
    let accounts = listing::<Resource<StorageProps>>(
        http,
        s,
        "Microsoft.Storage/storageAccounts/read",
        format!("{base}/providers/Microsoft.Storage/storageAccounts?api-version={STORAGE}"),
        &[(kind::AZURE_STORAGE_ACCOUNT, &[])],
    )
    .await;
    accounts
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            let p = r.properties;
            let encryption = p.encryption;
            StorageAccount {
                id: r.id,
                name: r.name,
                location: r.location,
                kind: r.kind,
                allow_blob_public_access: p.allow_blob_public_access,
                supports_https_traffic_only: p.supports_https_traffic_only,
                minimum_tls_version: p.minimum_tls_version,
                allow_shared_key_access: p.allow_shared_key_access,
                public_network_access: p.public_network_access,
                network_default_action: p.network_acls.and_then(|a| a.default_action),
                encryption_key_source: encryption.as_ref().and_then(|e| e.key_source.clone()),
                require_infrastructure_encryption: encryption
                    .and_then(|e| e.require_infrastructure_encryption),
                allow_cross_tenant_replication: p.allow_cross_tenant_replication,
                created: p.creation_time,
                tags: r.tags.unwrap_or_default(),
            }
        })
        .collect()
}
