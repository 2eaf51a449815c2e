//! Azure credentials: onus's chain (azure_identity has none): an environment service
//! principal, workload identity, managed identity, then the Azure CLI and Azure Developer
//! CLI. The first that yields a token is used, and the scan says which.

use std::sync::Arc;
use std::time::Duration;

use azure_core::credentials::{Secret, TokenCredential};
use azure_identity::{
    AzureCliCredential, AzureDeveloperCliCredential, ClientSecretCredential,
    ManagedIdentityCredential, WorkloadIdentityCredential,
};

use crate::collect::CollectError;

/// How to authenticate (`--auth`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// Try each in turn: sp, workload, managed-identity, cli (then azd).
    Chain,
    /// `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET`.
    ServicePrincipal,
    /// `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_FEDERATED_TOKEN_FILE` (AKS).
    Workload,
    /// App Service / Functions (`IDENTITY_ENDPOINT`), or a VM's instance metadata service.
    ManagedIdentity,
    /// `az login` (then `azd auth login`).
    Cli,
}

impl AuthMethod {
    pub fn label(self) -> &'static str {
        match self {
            AuthMethod::Chain => "chain",
            AuthMethod::ServicePrincipal => "service principal (environment)",
            AuthMethod::Workload => "workload identity",
            AuthMethod::ManagedIdentity => "managed identity",
            AuthMethod::Cli => "developer tools (Azure CLI / azd)",
        }
    }
}

/// How long a credential of the chain may take before the next is tried (a VM metadata
/// endpoint that is not there never answers).
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn build(method: AuthMethod) -> Result<Option<Arc<dyn TokenCredential>>, String> {
    let err = |e: azure_core::Error| e.to_string();
    Ok(match method {
        AuthMethod::Chain => None,
        AuthMethod::ServicePrincipal => {
            let (Some(tenant), Some(client), Some(secret)) = (
                env("AZURE_TENANT_ID"),
                env("AZURE_CLIENT_ID"),
                env("AZURE_CLIENT_SECRET"),
            ) else {
                return Ok(None);
            };
            Some(
                ClientSecretCredential::new(&tenant, client, Secret::new(secret), None)
                    .map_err(err)?,
            )
        }
        AuthMethod::Workload => {
            if env("AZURE_FEDERATED_TOKEN_FILE").is_none() {
                return Ok(None);
            }
            Some(WorkloadIdentityCredential::new(None).map_err(err)?)
        }
        AuthMethod::ManagedIdentity => Some(ManagedIdentityCredential::new(None).map_err(err)?),
        AuthMethod::Cli => Some(AzureCliCredential::new(None).map_err(err)?),
    })
}

/// What `--auth` asked for, or the chain: the credential that produced a token for `scope`,
/// and which method it was.
pub async fn resolve(
    method: AuthMethod,
    scope: &str,
) -> Result<(Arc<dyn TokenCredential>, &'static str), CollectError> {
    let order: Vec<AuthMethod> = match method {
        AuthMethod::Chain => vec![
            AuthMethod::ServicePrincipal,
            AuthMethod::Workload,
            AuthMethod::ManagedIdentity,
            AuthMethod::Cli,
        ],
        one => vec![one],
    };
    let mut tried: Vec<String> = Vec::new();
    for m in order {
        let mut candidates: Vec<(Arc<dyn TokenCredential>, &'static str)> = Vec::new();
        match build(m) {
            Ok(Some(c)) => candidates.push((c, m.label())),
            Ok(None) => {
                tried.push(format!("{}: not configured", m.label()));
                continue;
            }
            Err(e) => {
                tried.push(format!("{}: {e}", m.label()));
                continue;
            }
        }
        if m == AuthMethod::Cli
            && let Ok(azd) = AzureDeveloperCliCredential::new(None)
        {
            candidates.push((azd, "Azure Developer CLI"));
        }
        for (credential, label) in candidates {
            match tokio::time::timeout(PROBE_TIMEOUT, credential.get_token(&[scope], None)).await {
                Ok(Ok(_)) => return Ok((credential, label)),
                Ok(Err(e)) => tried.push(format!("{label}: {e}")),
                Err(_) => tried.push(format!("{label}: no token within {PROBE_TIMEOUT:?}")),
            }
        }
    }
    Err(CollectError::AzureIdentity(format!(
        "no Azure credential produced a token ({})",
        tried.join("; ")
    )))
}
