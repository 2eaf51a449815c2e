//! What the ARM reads share: API versions, the shape of an ARM resource and of a
//! subscription, and listing with gaps.

use serde::Deserialize;

use crate::collect::azure::http::{Api, Http};
use crate::snapshot::{Subscription, Tags, kind};

pub(super) const AUTHORIZATION: &str = "2022-04-01";
pub(super) const PIM: &str = "2020-10-01";
pub(super) const NETWORK: &str = "2024-05-01";
pub(super) const STORAGE: &str = "2023-05-01";
pub(super) const INSIGHTS: &str = "2021-05-01-preview";
pub(super) const SECURITY: &str = "2024-01-01";
pub const SUBSCRIPTIONS: &str = "2022-12-01";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireSubscription {
    pub subscription_id: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub tenant_id: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
}

impl WireSubscription {
    pub fn into_subscription(self) -> Subscription {
        Subscription {
            subscription_id: self.subscription_id,
            display_name: self.display_name,
            tenant_id: self.tenant_id,
            state: self.state,
            ..Subscription::default()
        }
    }
}

/// An ARM resource: id, name, location, tags and the properties of type `P`.
#[derive(Deserialize)]
pub(super) struct Resource<P> {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub tags: Option<Tags>,
    #[serde(default)]
    pub kind: Option<String>,
    pub properties: P,
}

#[derive(Deserialize)]
pub(super) struct IdRef {
    pub id: String,
}

pub(super) fn ids(refs: Option<Vec<IdRef>>) -> Vec<String> {
    refs.unwrap_or_default().into_iter().map(|r| r.id).collect()
}

/// A single value and a list, as ARM splits e.g. `sourceAddressPrefix(es)`.
pub(super) fn both(one: Option<String>, many: Option<Vec<String>>) -> Vec<String> {
    one.into_iter()
        .filter(|s| !s.is_empty())
        .chain(many.unwrap_or_default())
        .collect()
}

/// Lists `path`, recording a listing gap for each of `kinds` on failure; what was read
/// before a failure is dropped (a partial list would pass resources it never saw).
pub(super) async fn listing<T: for<'de> Deserialize<'de>>(
    http: &Http,
    sub: &str,
    operation: &str,
    path: String,
    kinds: &[(&str, &[&str])],
) -> Option<Vec<T>> {
    let owner = format!("/subscriptions/{sub}");
    http.list_or_gaps(
        Api::Arm,
        sub,
        (kind::AZURE_SUBSCRIPTION, &owner),
        operation,
        &path,
        kinds,
    )
    .await
}
