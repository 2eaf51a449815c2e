//! EC2 and VPC in one region: VPCs, subnets, route tables, internet gateways, security
//! groups, network ACLs, flow logs, instances and EBS encryption by default.

use crate::snapshot::kind;
use aws_sdk_ec2 as ec2;

use super::{Ctx, all_pages, classify, to_utc};
use crate::snapshot::{
    AwsRegion, FlowLog, Instance, InternetGateway, MetadataOptions, NetworkAcl, NetworkAclEntry,
    Permission, Route, RouteTable, RouteTableAssociation, SecurityGroup, Subnet, Tags, Vpc,
};

/// A failed call as `(error class, message)`, from [`classify`].
type Failure = (String, String);

/// One region's network and compute (detection settings are filled in by `logging`).
pub(crate) async fn collect_region(ctx: &Ctx, region: &str) -> AwsRegion {
    let client = ec2::Client::new(&ctx.regional(region));
    let c = &client;
    let (
        vpcs,
        subnets,
        route_tables,
        internet_gateways,
        security_groups,
        network_acls,
        flow_logs,
        instances,
        ebs_encryption_by_default,
    ) = tokio::join!(
        vpcs(ctx, c, region),
        subnets(ctx, c, region),
        route_tables(ctx, c, region),
        internet_gateways(ctx, c, region),
        security_groups(ctx, c, region),
        network_acls(ctx, c, region),
        flow_logs(ctx, c, region),
        instances(ctx, c, region),
        ebs_encryption_by_default(ctx, c, region),
    );
    AwsRegion {
        vpcs,
        subnets,
        route_tables,
        internet_gateways,
        security_groups,
        network_acls,
        flow_logs,
        instances,
        ebs_encryption_by_default,
        ..AwsRegion::default()
    }
}

fn tags(tags: &[ec2::types::Tag]) -> Tags {
    tags.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_owned(),
                t.value().unwrap_or_default().to_owned(),
            ))
        })
        .collect()
}

fn owned(s: Option<&str>) -> String {
    s.unwrap_or_default().to_owned()
}

/// Records the failure of a listing: the kind it lists (if it has one) is blind in the
/// region, and `derived` (kind, fields) computed from it are unknown on every resource there.
fn listing_failed(
    ctx: &Ctx,
    region: &str,
    operation: &str,
    listed: Option<&str>,
    derived: &[(&str, &[&str])],
    failure: Failure,
) {
    if let Some(kind) = listed {
        ctx.gap(kind, Some(region), None, &[], operation, failure.clone());
    }
    for (kind, fields) in derived {
        ctx.gap(kind, Some(region), None, fields, operation, failure.clone());
    }
}

async fn vpcs(ctx: &Ctx, client: &ec2::Client, region: &str) -> Vec<Vpc> {
    let op = "ec2:DescribeVpcs";
    let (mut items, failure) = all_pages(ctx, op, |token| {
        let req = client
            .describe_vpcs()
            .max_results(1000)
            .set_next_token(token);
        async move {
            let out = req.send().await.map_err(|e| classify(&e))?;
            let items = out.vpcs().iter().map(vpc).collect();
            Ok((items, out.next_token().map(str::to_owned)))
        }
    })
    .await;
    if let Some(failure) = failure {
        listing_failed(ctx, region, op, Some(kind::AWS_EC2_VPC), &[], failure);
    }
    items.sort_by(|a, b| a.id.cmp(&b.id));
    items
}

fn vpc(v: &ec2::types::Vpc) -> Vpc {
    let ipv6_cidr_blocks = v
        .ipv6_cidr_block_association_set()
        .iter()
        .filter(|a| {
            a.ipv6_cidr_block_state()
                .and_then(|s| s.state())
                .is_none_or(|s| {
                    matches!(
                        s,
                        ec2::types::VpcCidrBlockStateCode::Associated
                            | ec2::types::VpcCidrBlockStateCode::Associating
                    )
                })
        })
        .filter_map(|a| a.ipv6_cidr_block().map(str::to_owned))
        .collect();
    Vpc {
        id: owned(v.vpc_id()),
        cidr_block: owned(v.cidr_block()),
        ipv6_cidr_blocks,
        is_default: v.is_default().unwrap_or(false),
        state: v.state().map(|s| s.as_str().to_owned()).unwrap_or_default(),
        tags: tags(v.tags()),
    }
}

async fn subnets(ctx: &Ctx, client: &ec2::Client, region: &str) -> Vec<Subnet> {
    let op = "ec2:DescribeSubnets";
    let (mut items, failure) = all_pages(ctx, op, |token| {
        let req = client
            .describe_subnets()
            .max_results(1000)
            .set_next_token(token);
        async move {
            let out = req.send().await.map_err(|e| classify(&e))?;
            let items = out
                .subnets()
                .iter()
                .map(|s| Subnet {
                    id: owned(s.subnet_id()),
                    vpc_id: owned(s.vpc_id()),
                    cidr_block: owned(s.cidr_block()),
                    availability_zone: owned(s.availability_zone()),
                    map_public_ip_on_launch: s.map_public_ip_on_launch().unwrap_or(false),
                    tags: tags(s.tags()),
                })
                .collect();
            Ok((items, out.next_token().map(str::to_owned)))
        }
    })
    .await;
    if let Some(failure) = failure {
        // An instance is in a public subnet only if its subnet was seen.
        listing_failed(
            ctx,
            region,
            op,
            Some(kind::AWS_EC2_SUBNET),
            &[(kind::AWS_EC2_INSTANCE, &["in_public_subnet"])],
            failure,
        );
    }
    items.sort_by(|a, b| a.id.cmp(&b.id));
    items
}

async fn route_tables(ctx: &Ctx, client: &ec2::Client, region: &str) -> Vec<RouteTable> {
    let op = "ec2:DescribeRouteTables";
    let (mut items, failure) = all_pages(ctx, op, |token| {
        let req = client
            .describe_route_tables()
            .max_results(100)
            .set_next_token(token);
        async move {
            let out = req.send().await.map_err(|e| classify(&e))?;
            let items = out.route_tables().iter().map(route_table).collect();
            Ok((items, out.next_token().map(str::to_owned)))
        }
    })
    .await;
    if let Some(failure) = failure {
        listing_failed(
            ctx,
            region,
            op,
            Some(kind::AWS_EC2_ROUTE_TABLE),
            &[
                (
                    kind::AWS_EC2_SUBNET,
                    &["route_table_id", "routes_to_internet"],
                ),
                (kind::AWS_EC2_INSTANCE, &["in_public_subnet"]),
            ],
            failure,
        );
    }
    items.sort_by(|a, b| a.id.cmp(&b.id));
    items
}

fn route_table(t: &ec2::types::RouteTable) -> RouteTable {
    RouteTable {
        id: owned(t.route_table_id()),
        vpc_id: owned(t.vpc_id()),
        associations: t
            .associations()
            .iter()
            .map(|a| RouteTableAssociation {
                main: a.main().unwrap_or(false),
                subnet_id: a.subnet_id().map(str::to_owned),
            })
            .collect(),
        routes: t
            .routes()
            .iter()
            .map(|r| Route {
                destination_cidr_block: r.destination_cidr_block().map(str::to_owned),
                destination_ipv6_cidr_block: r.destination_ipv6_cidr_block().map(str::to_owned),
                gateway_id: r.gateway_id().map(str::to_owned),
                nat_gateway_id: r.nat_gateway_id().map(str::to_owned),
                state: r.state().map(|s| s.as_str().to_owned()).unwrap_or_default(),
            })
            .collect(),
        tags: tags(t.tags()),
    }
}

async fn internet_gateways(ctx: &Ctx, client: &ec2::Client, region: &str) -> Vec<InternetGateway> {
    let op = "ec2:DescribeInternetGateways";
    let (mut items, failure) = all_pages(ctx, op, |token| {
        let req = client
            .describe_internet_gateways()
            .max_results(1000)
            .set_next_token(token);
        async move {
            let out = req.send().await.map_err(|e| classify(&e))?;
            let items = out
                .internet_gateways()
                .iter()
                .map(|g| {
                    let mut vpc_ids: Vec<String> = g
                        .attachments()
                        .iter()
                        .filter_map(|a| a.vpc_id().map(str::to_owned))
                        .collect();
                    vpc_ids.sort();
                    InternetGateway {
                        id: owned(g.internet_gateway_id()),
                        vpc_ids,
                        tags: tags(g.tags()),
                    }
                })
                .collect();
            Ok((items, out.next_token().map(str::to_owned)))
        }
    })
    .await;
    if let Some(failure) = failure {
        // Internet gateways are no kind of their own: only the VPC view shows them.
        listing_failed(
            ctx,
            region,
            op,
            None,
            &[(kind::AWS_EC2_VPC, &["internet_gateway_ids"])],
            failure,
        );
    }
    items.sort_by(|a, b| a.id.cmp(&b.id));
    items
}

async fn security_groups(ctx: &Ctx, client: &ec2::Client, region: &str) -> Vec<SecurityGroup> {
    let op = "ec2:DescribeSecurityGroups";
    let (mut items, failure) = all_pages(ctx, op, |token| {
        let req = client
            .describe_security_groups()
            .max_results(1000)
            .set_next_token(token);
        async move {
            let out = req.send().await.map_err(|e| classify(&e))?;
            let items = out
                .security_groups()
                .iter()
                .map(|g| SecurityGroup {
                    id: owned(g.group_id()),
                    name: owned(g.group_name()),
                    description: owned(g.description()),
                    vpc_id: g.vpc_id().map(str::to_owned),
                    ingress: g.ip_permissions().iter().map(permission).collect(),
                    egress: g.ip_permissions_egress().iter().map(permission).collect(),
                    tags: tags(g.tags()),
                })
                .collect();
            Ok((items, out.next_token().map(str::to_owned)))
        }
    })
    .await;
    if let Some(failure) = failure {
        listing_failed(
            ctx,
            region,
            op,
            Some(kind::AWS_EC2_SECURITY_GROUP),
            &[],
            failure,
        );
    }
    items.sort_by(|a, b| a.id.cmp(&b.id));
    items
}

fn permission(p: &ec2::types::IpPermission) -> Permission {
    Permission {
        protocol: owned(p.ip_protocol()),
        from_port: p.from_port(),
        to_port: p.to_port(),
        ipv4_ranges: p
            .ip_ranges()
            .iter()
            .filter_map(|r| r.cidr_ip().map(str::to_owned))
            .collect(),
        ipv6_ranges: p
            .ipv6_ranges()
            .iter()
            .filter_map(|r| r.cidr_ipv6().map(str::to_owned))
            .collect(),
        prefix_list_ids: p
            .prefix_list_ids()
            .iter()
            .filter_map(|r| r.prefix_list_id().map(str::to_owned))
            .collect(),
        security_groups: p
            .user_id_group_pairs()
            .iter()
            .filter_map(|r| r.group_id().map(str::to_owned))
            .collect(),
    }
}

async fn network_acls(ctx: &Ctx, client: &ec2::Client, region: &str) -> Vec<NetworkAcl> {
    let op = "ec2:DescribeNetworkAcls";
    let (mut items, failure) = all_pages(ctx, op, |token| {
        let req = client
            .describe_network_acls()
            .max_results(100)
            .set_next_token(token);
        async move {
            let out = req.send().await.map_err(|e| classify(&e))?;
            let items = out.network_acls().iter().map(network_acl).collect();
            Ok((items, out.next_token().map(str::to_owned)))
        }
    })
    .await;
    if let Some(failure) = failure {
        listing_failed(
            ctx,
            region,
            op,
            Some(kind::AWS_EC2_NETWORK_ACL),
            &[],
            failure,
        );
    }
    items.sort_by(|a, b| a.id.cmp(&b.id));
    items
}

fn network_acl(a: &ec2::types::NetworkAcl) -> NetworkAcl {
    let mut entries: Vec<NetworkAclEntry> = a
        .entries()
        .iter()
        .map(|e| NetworkAclEntry {
            rule_number: e.rule_number().unwrap_or_default(),
            protocol: owned(e.protocol()),
            rule_action: e
                .rule_action()
                .map(|r| r.as_str().to_ascii_lowercase())
                .unwrap_or_default(),
            egress: e.egress().unwrap_or(false),
            cidr_block: e.cidr_block().map(str::to_owned),
            ipv6_cidr_block: e.ipv6_cidr_block().map(str::to_owned),
            port_from: e.port_range().and_then(|p| p.from()),
            port_to: e.port_range().and_then(|p| p.to()),
        })
        .collect();
    entries.sort_by_key(|e| (e.egress, e.rule_number));
    let mut subnet_ids: Vec<String> = a
        .associations()
        .iter()
        .filter_map(|s| s.subnet_id().map(str::to_owned))
        .collect();
    subnet_ids.sort();
    NetworkAcl {
        id: owned(a.network_acl_id()),
        vpc_id: owned(a.vpc_id()),
        is_default: a.is_default().unwrap_or(false),
        entries,
        subnet_ids,
        tags: tags(a.tags()),
    }
}

async fn flow_logs(ctx: &Ctx, client: &ec2::Client, region: &str) -> Vec<FlowLog> {
    let op = "ec2:DescribeFlowLogs";
    let (mut items, failure) = all_pages(ctx, op, |token| {
        let req = client
            .describe_flow_logs()
            .max_results(1000)
            .set_next_token(token);
        async move {
            let out = req.send().await.map_err(|e| classify(&e))?;
            let items = out
                .flow_logs()
                .iter()
                .map(|f| FlowLog {
                    id: owned(f.flow_log_id()),
                    resource_id: owned(f.resource_id()),
                    traffic_type: f
                        .traffic_type()
                        .map(|t| t.as_str().to_owned())
                        .unwrap_or_default(),
                    status: owned(f.flow_log_status()),
                    deliver_logs_status: f.deliver_logs_status().map(str::to_owned),
                    log_destination_type: f
                        .log_destination_type()
                        .map(|t| t.as_str().to_owned())
                        .unwrap_or_default(),
                    log_destination: f
                        .log_destination()
                        .or(f.log_group_name())
                        .map(str::to_owned),
                })
                .collect();
            Ok((items, out.next_token().map(str::to_owned)))
        }
    })
    .await;
    if let Some(failure) = failure {
        // Flow logs are no kind of their own: only the VPC view shows them.
        listing_failed(
            ctx,
            region,
            op,
            None,
            &[(kind::AWS_EC2_VPC, &["flow_logs"])],
            failure,
        );
    }
    items.sort_by(|a, b| a.id.cmp(&b.id));
    items
}

async fn instances(ctx: &Ctx, client: &ec2::Client, region: &str) -> Vec<Instance> {
    let op = "ec2:DescribeInstances";
    let (mut items, failure) = all_pages(ctx, op, |token| {
        let req = client
            .describe_instances()
            .max_results(1000)
            .set_next_token(token);
        async move {
            let out = req.send().await.map_err(|e| classify(&e))?;
            let items = out
                .reservations()
                .iter()
                .flat_map(|r| r.instances())
                .map(instance)
                .collect();
            Ok((items, out.next_token().map(str::to_owned)))
        }
    })
    .await;
    if let Some(failure) = failure {
        listing_failed(
            ctx,
            region,
            op,
            Some(kind::AWS_EC2_INSTANCE),
            &[
                (kind::AWS_EC2_SECURITY_GROUP, &["instance_ids"]),
                (kind::AWS_EC2_REGION, &["instance_count"]),
            ],
            failure,
        );
    }
    items.sort_by(|a, b| a.id.cmp(&b.id));
    items
}

fn instance(i: &ec2::types::Instance) -> Instance {
    let metadata = i.metadata_options();
    // The instance's groups and those of each of its network interfaces.
    let mut security_groups: Vec<String> = i
        .security_groups()
        .iter()
        .chain(i.network_interfaces().iter().flat_map(|n| n.groups()))
        .filter_map(|g| g.group_id().map(str::to_owned))
        .collect();
    security_groups.sort();
    security_groups.dedup();
    Instance {
        id: owned(i.instance_id()),
        state: i
            .state()
            .and_then(|s| s.name())
            .map(|n| n.as_str().to_owned())
            .unwrap_or_default(),
        instance_type: i
            .instance_type()
            .map(|t| t.as_str().to_owned())
            .unwrap_or_default(),
        image_id: owned(i.image_id()),
        vpc_id: i.vpc_id().map(str::to_owned),
        subnet_id: i.subnet_id().map(str::to_owned),
        private_ip: i.private_ip_address().map(str::to_owned),
        public_ip: i.public_ip_address().map(str::to_owned),
        iam_instance_profile_arn: i
            .iam_instance_profile()
            .and_then(|p| p.arn())
            .map(str::to_owned),
        security_groups,
        metadata_options: MetadataOptions {
            http_tokens: metadata
                .and_then(|m| m.http_tokens())
                .map(|t| t.as_str().to_owned())
                .unwrap_or_default(),
            http_endpoint: metadata
                .and_then(|m| m.http_endpoint())
                .map(|t| t.as_str().to_owned())
                .unwrap_or_default(),
            http_put_response_hop_limit: metadata.and_then(|m| m.http_put_response_hop_limit()),
        },
        launch_time: i.launch_time().and_then(to_utc),
        tags: tags(i.tags()),
    }
}

async fn ebs_encryption_by_default(ctx: &Ctx, client: &ec2::Client, region: &str) -> bool {
    let op = "ec2:GetEbsEncryptionByDefault";
    let result = {
        let _p = ctx.permit().await;
        ctx.count(op);
        client.get_ebs_encryption_by_default().send().await
    };
    match result {
        Ok(out) => out.ebs_encryption_by_default().unwrap_or(false),
        Err(err) => {
            // `false` is stored, but the gap makes the rule not-assessed rather than failed.
            ctx.gap(
                kind::AWS_EC2_REGION,
                Some(region),
                None,
                &["ebs_encryption_by_default"],
                op,
                classify(&err),
            );
            false
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use aws_config::BehaviorVersion;
    use aws_config::retry::RetryConfig;
    use aws_sdk_sts::config::Credentials;

    use super::*;
    use crate::snapshot::CoverageGap;

    /// A context whose every call fails at once: nothing listens on the endpoint.
    pub(in crate::collect::aws) async fn unreachable() -> Ctx {
        let config = aws_config::defaults(BehaviorVersion::latest())
            .region(aws_config::Region::new("eu-west-1"))
            .endpoint_url("http://127.0.0.1:1")
            .credentials_provider(Credentials::new("AKIDTEST", "test", None, None, "test"))
            .retry_config(RetryConfig::disabled())
            .load()
            .await;
        Ctx::new("111122223333".into(), config, true, 4)
    }

    /// `(kind, region, fields, operation)` of each gap.
    pub(in crate::collect::aws) fn scopes(
        gaps: &[CoverageGap],
    ) -> Vec<(String, Option<String>, Vec<String>, String)> {
        let mut out: Vec<_> = gaps
            .iter()
            .map(|g| {
                assert_eq!(g.error, "ConnectionError", "{g:?}");
                assert_eq!(g.resource, None, "{g:?}");
                (
                    g.kind.clone(),
                    g.region.clone(),
                    g.fields.clone(),
                    g.operation.clone(),
                )
            })
            .collect();
        out.sort();
        out
    }

    #[tokio::test]
    async fn every_failed_read_becomes_a_gap_on_what_it_feeds() {
        let ctx = unreachable().await;
        let region = collect_region(&ctx, "eu-west-1").await;
        assert_eq!(region, AwsRegion::default());
        let gaps = ctx.into_gaps();
        let r = Some("eu-west-1".to_owned());
        let gap = |kind: &str, fields: &[&str], op: &str| {
            (
                kind.to_owned(),
                r.clone(),
                fields.iter().map(|f| (*f).to_owned()).collect::<Vec<_>>(),
                format!("ec2:{op}"),
            )
        };
        let mut expected = vec![
            gap(kind::AWS_EC2_VPC, &[], "DescribeVpcs"),
            gap(kind::AWS_EC2_SUBNET, &[], "DescribeSubnets"),
            gap(
                kind::AWS_EC2_INSTANCE,
                &["in_public_subnet"],
                "DescribeSubnets",
            ),
            gap(kind::AWS_EC2_ROUTE_TABLE, &[], "DescribeRouteTables"),
            gap(
                kind::AWS_EC2_SUBNET,
                &["route_table_id", "routes_to_internet"],
                "DescribeRouteTables",
            ),
            gap(
                kind::AWS_EC2_INSTANCE,
                &["in_public_subnet"],
                "DescribeRouteTables",
            ),
            gap(
                kind::AWS_EC2_VPC,
                &["internet_gateway_ids"],
                "DescribeInternetGateways",
            ),
            gap(kind::AWS_EC2_SECURITY_GROUP, &[], "DescribeSecurityGroups"),
            gap(kind::AWS_EC2_NETWORK_ACL, &[], "DescribeNetworkAcls"),
            gap(kind::AWS_EC2_VPC, &["flow_logs"], "DescribeFlowLogs"),
            gap(kind::AWS_EC2_INSTANCE, &[], "DescribeInstances"),
            gap(
                kind::AWS_EC2_SECURITY_GROUP,
                &["instance_ids"],
                "DescribeInstances",
            ),
            gap(
                kind::AWS_EC2_REGION,
                &["instance_count"],
                "DescribeInstances",
            ),
            gap(
                kind::AWS_EC2_REGION,
                &["ebs_encryption_by_default"],
                "GetEbsEncryptionByDefault",
            ),
        ];
        expected.sort();
        assert_eq!(scopes(&gaps), expected);

        // The region's EBS setting is unknown, not "disabled"; a VPC seen elsewhere would have
        // unknown flow logs.
        let covers = |kind: &str, id: &str, field: &str| {
            gaps.iter()
                .any(|g| g.covers(kind, "111122223333", Some("eu-west-1"), id, field))
        };
        assert!(covers(
            kind::AWS_EC2_REGION,
            "arn:aws:ec2:eu-west-1:111122223333:account-settings",
            "ebs_encryption_by_default"
        ));
        assert!(covers(
            kind::AWS_EC2_VPC,
            "arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-1",
            "flow_logs"
        ));
        assert!(!covers(
            kind::AWS_EC2_VPC,
            "arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-1",
            "cidr_block"
        ));
    }

    #[tokio::test]
    async fn pages_follow_tokens_and_stop_on_a_repeated_one() {
        let ctx = unreachable().await;
        let mut calls = Vec::new();
        let (items, failure) = all_pages(&ctx, "test:List", |token| {
            calls.push(token.clone());
            let next = match token.as_deref() {
                None => Some("a".to_owned()),
                Some("a") => Some("b".to_owned()),
                // A service that keeps answering with the same token.
                _ => Some("b".to_owned()),
            };
            async move { Ok((vec![token], next)) }
        })
        .await;
        assert_eq!(failure, None);
        assert_eq!(items, [None, Some("a".into()), Some("b".into())]);
        assert_eq!(calls.len(), 3);
    }
}
