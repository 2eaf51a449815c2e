//! Network: NSGs, virtual networks and their subnets, public IP addresses, network watchers
//! and their flow logs.

use serde::Deserialize;

use crate::collect::azure::http::Http;
use crate::snapshot::{
    AzureFlowLog, NetworkSecurityGroup, NetworkWatcher, NsgRule, PublicIpAddress, VirtualNetwork,
    VnetSubnet, kind,
};

use super::wire::{IdRef, NETWORK, Resource, both, ids, listing};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct NsgProps {
    #[serde(default)]
    security_rules: Vec<Resource<RuleProps>>,
    #[serde(default)]
    subnets: Option<Vec<IdRef>>,
    #[serde(default)]
    network_interfaces: Option<Vec<IdRef>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RuleProps {
    direction: String,
    access: String,
    protocol: String,
    priority: i64,
    #[serde(default)]
    source_address_prefix: Option<String>,
    #[serde(default)]
    source_address_prefixes: Option<Vec<String>>,
    #[serde(default)]
    source_application_security_groups: Option<Vec<IdRef>>,
    #[serde(default)]
    destination_port_range: Option<String>,
    #[serde(default)]
    destination_port_ranges: Option<Vec<String>>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct VnetProps {
    #[serde(default)]
    address_space: Option<AddressSpace>,
    #[serde(default)]
    subnets: Vec<SubnetResource>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AddressSpace {
    #[serde(default)]
    address_prefixes: Vec<String>,
}

#[derive(Deserialize)]
pub(super) struct SubnetResource {
    id: String,
    name: String,
    #[serde(default)]
    properties: Option<SubnetProps>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SubnetProps {
    #[serde(default)]
    address_prefix: Option<String>,
    #[serde(default)]
    address_prefixes: Option<Vec<String>>,
    #[serde(default)]
    network_security_group: Option<IdRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PublicIpProps {
    #[serde(default)]
    ip_address: Option<String>,
    #[serde(default)]
    ip_configuration: Option<IdRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FlowLogProps {
    target_resource_id: String,
    #[serde(default)]
    enabled: Option<bool>,
    #[serde(default)]
    storage_id: Option<String>,
    #[serde(default)]
    retention_policy: Option<RetentionPolicy>,
    #[serde(default)]
    flow_analytics_configuration: Option<FlowAnalytics>,
}

#[derive(Deserialize)]
pub(super) struct RetentionPolicy {
    #[serde(default)]
    days: Option<i64>,
    #[serde(default)]
    enabled: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FlowAnalytics {
    #[serde(default)]
    network_watcher_flow_analytics_configuration: Option<Enabled>,
}

#[derive(Deserialize)]
pub(super) struct Enabled {
    #[serde(default)]
    enabled: Option<bool>,
}

pub(super) type Network = (
    Vec<NetworkSecurityGroup>,
    Vec<VirtualNetwork>,
    Vec<PublicIpAddress>,
    Vec<NetworkWatcher>,
    Vec<AzureFlowLog>,
);

pub(super) async fn network(http: &Http, s: &str, base: &str) -> Network {
    let p = format!("{base}/providers/Microsoft.Network");
    let (nsgs, vnets, ips, flow) = tokio::join!(
        listing::<Resource<NsgProps>>(
            http,
            s,
            "Microsoft.Network/networkSecurityGroups/read",
            format!("{p}/networkSecurityGroups?api-version={NETWORK}"),
            &[(kind::AZURE_NETWORK_NSG, &[])],
        ),
        listing::<Resource<VnetProps>>(
            http,
            s,
            "Microsoft.Network/virtualNetworks/read",
            format!("{p}/virtualNetworks?api-version={NETWORK}"),
            &[
                (kind::AZURE_NETWORK_VIRTUAL_NETWORK, &[]),
                (kind::AZURE_NETWORK_SUBNET, &[]),
            ],
        ),
        listing::<Resource<PublicIpProps>>(
            http,
            s,
            "Microsoft.Network/publicIPAddresses/read",
            format!("{p}/publicIPAddresses?api-version={NETWORK}"),
            &[(kind::AZURE_NETWORK_PUBLIC_IP, &[])],
        ),
        watchers_and_flow_logs(http, s, &p),
    );
    let nsgs = nsgs
        .unwrap_or_default()
        .into_iter()
        .map(|r| NetworkSecurityGroup {
            id: r.id,
            name: r.name,
            location: r.location,
            security_rules: r
                .properties
                .security_rules
                .into_iter()
                .map(|rule| {
                    let p = rule.properties;
                    NsgRule {
                        name: rule.name,
                        direction: p.direction,
                        access: p.access,
                        protocol: p.protocol,
                        priority: p.priority,
                        source_address_prefixes: both(
                            p.source_address_prefix,
                            p.source_address_prefixes,
                        ),
                        source_application_security_groups: ids(
                            p.source_application_security_groups
                        ),
                        destination_port_ranges: both(
                            p.destination_port_range,
                            p.destination_port_ranges,
                        ),
                        description: p.description,
                    }
                })
                .collect(),
            subnet_ids: ids(r.properties.subnets),
            network_interface_ids: ids(r.properties.network_interfaces),
            tags: r.tags.unwrap_or_default(),
        })
        .collect();
    let vnets = vnets
        .unwrap_or_default()
        .into_iter()
        .map(|r| VirtualNetwork {
            id: r.id,
            name: r.name,
            location: r.location,
            address_prefixes: r
                .properties
                .address_space
                .map(|a| a.address_prefixes)
                .unwrap_or_default(),
            subnets: r
                .properties
                .subnets
                .into_iter()
                .map(|sn| {
                    let p = sn.properties;
                    VnetSubnet {
                        id: sn.id,
                        name: sn.name,
                        address_prefixes: p
                            .as_ref()
                            .map(|p| both(p.address_prefix.clone(), p.address_prefixes.clone()))
                            .unwrap_or_default(),
                        network_security_group_id: p
                            .and_then(|p| p.network_security_group)
                            .map(|n| n.id),
                    }
                })
                .collect(),
            tags: r.tags.unwrap_or_default(),
        })
        .collect();
    let ips = ips
        .unwrap_or_default()
        .into_iter()
        .map(|r| PublicIpAddress {
            id: r.id,
            name: r.name,
            location: r.location,
            ip_address: r.properties.ip_address,
            attached_to: r.properties.ip_configuration.map(|c| c.id),
            tags: r.tags.unwrap_or_default(),
        })
        .collect();
    let (watchers, logs) = flow;
    (nsgs, vnets, ips, watchers, logs)
}

/// Network watchers, then each watcher's flow logs. A failure hides every flow log (of that
/// watcher, or all), so flow-log facts on NSGs and virtual networks become unknown too.
pub(super) async fn watchers_and_flow_logs(
    http: &Http,
    s: &str,
    network: &str,
) -> (Vec<NetworkWatcher>, Vec<AzureFlowLog>) {
    const HIDDEN: &[(&str, &[&str])] = &[
        (kind::AZURE_NETWORK_FLOW_LOG, &[]),
        (kind::AZURE_NETWORK_NSG, &["flow_logs"]),
        (kind::AZURE_NETWORK_VIRTUAL_NETWORK, &["flow_logs"]),
    ];
    let Some(watchers) = listing::<Resource<serde_json::Value>>(
        http,
        s,
        "Microsoft.Network/networkWatchers/read",
        format!("{network}/networkWatchers?api-version={NETWORK}"),
        HIDDEN,
    )
    .await
    else {
        return (Vec::new(), Vec::new());
    };
    let watchers: Vec<NetworkWatcher> = watchers
        .into_iter()
        .map(|w| NetworkWatcher {
            id: w.id,
            name: w.name,
            location: w.location,
        })
        .collect();
    // The ids are used as the service gave them (they may hold non-ASCII names).
    let paths: Vec<String> = watchers
        .iter()
        .map(|w| format!("{}/flowLogs?api-version={NETWORK}", w.id))
        .collect();
    let lists = futures::future::join_all(paths.iter().map(|path| {
        listing::<Resource<FlowLogProps>>(
            http,
            s,
            "Microsoft.Network/networkWatchers/flowLogs/read",
            path.clone(),
            HIDDEN,
        )
    }))
    .await;
    let mut logs: Vec<AzureFlowLog> = lists
        .into_iter()
        .flat_map(Option::unwrap_or_default)
        .map(|r| {
            let p = r.properties;
            let retention = p.retention_policy;
            AzureFlowLog {
                id: r.id,
                name: r.name,
                location: r.location,
                target_resource_id: p.target_resource_id,
                enabled: p.enabled.unwrap_or(false),
                storage_id: p.storage_id,
                retention_enabled: retention.as_ref().and_then(|r| r.enabled).unwrap_or(false),
                retention_days: retention.and_then(|r| r.days).unwrap_or(0),
                traffic_analytics: p
                    .flow_analytics_configuration
                    .and_then(|f| f.network_watcher_flow_analytics_configuration)
                    .and_then(|c| c.enabled)
                    .unwrap_or(false),
            }
        })
        .collect();
    logs.sort_by(|a, b| a.id.cmp(&b.id));
    (watchers, logs)
}
