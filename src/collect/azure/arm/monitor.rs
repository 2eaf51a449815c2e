//! The activity log's export: the subscription's diagnostic settings.

use serde::Deserialize;

use crate::collect::azure::http::Http;
use crate::snapshot::{DiagnosticSetting, LogCategory, kind};

use super::wire::{INSIGHTS, Resource, listing};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct DiagnosticProps {
    #[serde(default)]
    storage_account_id: Option<String>,
    #[serde(default)]
    workspace_id: Option<String>,
    #[serde(default)]
    event_hub_authorization_rule_id: Option<String>,
    #[serde(default)]
    marketplace_partner_id: Option<String>,
    #[serde(default)]
    logs: Vec<LogProps>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct LogProps {
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    category_group: Option<String>,
    #[serde(default)]
    enabled: bool,
}

pub(super) async fn diagnostic_settings(
    http: &Http,
    s: &str,
    base: &str,
) -> Vec<DiagnosticSetting> {
    let settings = listing::<Resource<DiagnosticProps>>(
        http,
        s,
        "Microsoft.Insights/diagnosticSettings/read",
        format!("{base}/providers/Microsoft.Insights/diagnosticSettings?api-version={INSIGHTS}"),
        &[(
            kind::AZURE_SUBSCRIPTION,
            &["diagnostic_settings", "activity_log_exports"],
        )],
    )
    .await;
    settings
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            let p = r.properties;
            DiagnosticSetting {
                id: r.id,
                name: r.name,
                storage_account_id: p.storage_account_id,
                workspace_id: p.workspace_id,
                event_hub_authorization_rule_id: p.event_hub_authorization_rule_id,
                marketplace_partner_id: p.marketplace_partner_id,
                logs: p
                    .logs
                    .into_iter()
                    .map(|l| LogCategory {
                        category: l.category,
                        category_group: l.category_group,
                        enabled: l.enabled,
                    })
                    .collect(),
            }
        })
        .collect()
}
