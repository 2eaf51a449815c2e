//! Azure Resource Manager reads of one subscription: authorization (assignments, role
//! definitions, PIM instances), network (NSGs, virtual networks, public IPs, watchers and
//! their flow logs), storage accounts, the activity log's diagnostic settings and Defender
//! for Cloud plans. Only the fields onus needs are parsed.

mod defender;
mod monitor;
mod network;
mod rbac;
mod storage;
mod wire;

use crate::collect::azure::http::Http;
use crate::snapshot::Subscription;

pub use wire::{SUBSCRIPTIONS, WireSubscription};

/// Reads everything of one subscription into `sub`, recording a gap for each failed read.
pub async fn collect(http: &Http, sub: &mut Subscription) {
    let s = sub.subscription_id.clone();
    let base = format!("/subscriptions/{s}");
    let (auth, net, storage, diag, defender) = tokio::join!(
        rbac::authorization(http, &s, &base),
        network::network(http, &s, &base),
        storage::storage_accounts(http, &s, &base),
        monitor::diagnostic_settings(http, &s, &base),
        defender::defender_plans(http, &s, &base),
    );
    (
        sub.role_definitions,
        sub.role_assignments,
        sub.role_eligibility_instances,
        sub.role_assignment_instances,
    ) = auth;
    (
        sub.network_security_groups,
        sub.virtual_networks,
        sub.public_ip_addresses,
        sub.network_watchers,
        sub.flow_logs,
    ) = net;
    sub.storage_accounts = storage;
    sub.diagnostic_settings = diag;
    sub.defender_plans = defender;
}
