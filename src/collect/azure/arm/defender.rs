//! Defender for Cloud: the pricing tier of each plan.

use serde::Deserialize;

use crate::collect::azure::http::Http;
use crate::snapshot::{DefenderPlan, kind};

use super::wire::{Resource, SECURITY, listing};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PricingProps {
    pricing_tier: String,
    #[serde(default)]
    sub_plan: Option<String>,
}

pub(super) async fn defender_plans(http: &Http, s: &str, base: &str) -> Vec<DefenderPlan> {
    let plans = listing::<Resource<PricingProps>>(
        http,
        s,
        "Microsoft.Security/pricings/read",
        format!("{base}/providers/Microsoft.Security/pricings?api-version={SECURITY}"),
        &[(kind::AZURE_SUBSCRIPTION, &["defender_plans"])],
    )
    .await;
    let mut plans: Vec<DefenderPlan> = plans
        .unwrap_or_default()
        .into_iter()
        .map(|r| DefenderPlan {
            name: r.name,
            pricing_tier: r.properties.pricing_tier,
            sub_plan: r.properties.sub_plan,
        })
        .collect();
    plans.sort_by(|a, b| a.name.cmp(&b.name));
    plans
}
