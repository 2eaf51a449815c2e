//! The EC2/VPC collector against moto: seeded security groups, network ACLs, flow logs, route
//! tables, instances and EBS encryption defaults, scanned by the real binary; each rule has a
//! resource that must fail and a twin that must pass.

#![cfg(feature = "aws")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{
    FlowLogsResourceType, HttpTokensState, InstanceMetadataOptionsRequest, InstanceType,
    IpPermission, IpRange, Ipv6Range, LogDestinationType, PortRange, RuleAction, TrafficType,
};
use serde_json::Value;

use common::{Account, REGION, account, moto_url, scan_json};

/// An AMI moto knows in every region.
const AMI: &str = "ami-12c6146b";

#[track_caller]
fn expect(results: &Value, rule: &str, resource: &str, expected: Option<&str>) {
    common::expect_any(results, rule, resource, &[expected]);
}

fn arn(acct: &Account, region: &str, kind: &str, id: &str) -> String {
    format!("arn:aws:ec2:{region}:{}:{kind}/{id}", acct.id)
}

fn ec2_in(acct: &Account, region: &str) -> Client {
    Client::from_conf(
        aws_sdk_ec2::config::Builder::from(&acct.config)
            .region(aws_sdk_ec2::config::Region::new(region.to_owned()))
            .build(),
    )
}

async fn vpc(ec2: &Client, cidr: &str) -> String {
    let out = ec2
        .create_vpc()
        .cidr_block(cidr)
        .send()
        .await
        .expect("CreateVpc");
    out.vpc().unwrap().vpc_id().unwrap().to_owned()
}

async fn subnet(ec2: &Client, vpc: &str, cidr: &str) -> String {
    let out = ec2
        .create_subnet()
        .vpc_id(vpc)
        .cidr_block(cidr)
        .send()
        .await
        .expect("CreateSubnet");
    out.subnet().unwrap().subnet_id().unwrap().to_owned()
}

async fn group(ec2: &Client, vpc: &str, name: &str, ingress: Vec<IpPermission>) -> String {
    let out = ec2
        .create_security_group()
        .group_name(name)
        .description(format!("onus test {name}"))
        .vpc_id(vpc)
        .send()
        .await
        .expect("CreateSecurityGroup");
    let id = out.group_id().unwrap().to_owned();
    if !ingress.is_empty() {
        ec2.authorize_security_group_ingress()
            .group_id(&id)
            .set_ip_permissions(Some(ingress))
            .send()
            .await
            .expect("AuthorizeSecurityGroupIngress");
    }
    id
}

fn tcp(port: i32) -> aws_sdk_ec2::types::builders::IpPermissionBuilder {
    IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(port)
        .to_port(port)
}

fn v4(cidr: &str) -> IpRange {
    IpRange::builder().cidr_ip(cidr).build()
}

fn v6(cidr: &str) -> Ipv6Range {
    Ipv6Range::builder().cidr_ipv6(cidr).build()
}

async fn default_group(ec2: &Client, vpc: &str) -> String {
    let out = ec2
        .describe_security_groups()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("vpc-id")
                .values(vpc)
                .build(),
        )
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("group-name")
                .values("default")
                .build(),
        )
        .send()
        .await
        .expect("DescribeSecurityGroups");
    out.security_groups()[0].group_id().unwrap().to_owned()
}

async fn acl(ec2: &Client, vpc: &str) -> String {
    let out = ec2
        .create_network_acl()
        .vpc_id(vpc)
        .send()
        .await
        .expect("CreateNetworkAcl");
    out.network_acl()
        .unwrap()
        .network_acl_id()
        .unwrap()
        .to_owned()
}

/// An inbound entry from 0.0.0.0/0.
async fn acl_entry(
    ec2: &Client,
    acl: &str,
    n: i32,
    action: RuleAction,
    protocol: &str,
    ports: Option<(i32, i32)>,
) {
    let mut req = ec2
        .create_network_acl_entry()
        .network_acl_id(acl)
        .rule_number(n)
        .protocol(protocol)
        .rule_action(action)
        .egress(false)
        .cidr_block("0.0.0.0/0");
    if let Some((from, to)) = ports {
        req = req.port_range(PortRange::builder().from(from).to(to).build());
    }
    req.send().await.expect("CreateNetworkAclEntry");
}

async fn launch(ec2: &Client, subnet: &str, tokens: HttpTokensState) -> String {
    let out = ec2
        .run_instances()
        .image_id(AMI)
        .instance_type(InstanceType::T3Micro)
        .min_count(1)
        .max_count(1)
        .subnet_id(subnet)
        .metadata_options(
            InstanceMetadataOptionsRequest::builder()
                .http_tokens(tokens)
                .build(),
        )
        .send()
        .await
        .expect("RunInstances");
    out.instances()[0].instance_id().unwrap().to_owned()
}

/// Gaps recorded by the collectors under test (other collectors may hit moto's limits).
fn my_gaps(results: &Value) -> Vec<&Value> {
    results["snapshot"]["coverage_gaps"]
        .as_array()
        .map(|gaps| {
            gaps.iter()
                .filter(|g| {
                    g["operation"]
                        .as_str()
                        .is_some_and(|op| op.starts_with("ec2:"))
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn security_groups() {
    let Some(url) = moto_url() else { return };
    let acct = account(&url, "300000000001").await;
    let ec2 = Client::new(&acct.config);
    let net = vpc(&ec2, "10.20.0.0/16").await;

    let ssh_world = group(
        &ec2,
        &net,
        "ssh-world",
        vec![tcp(22).ip_ranges(v4("0.0.0.0/0")).build()],
    )
    .await;
    let ssh_private = group(
        &ec2,
        &net,
        "ssh-private",
        vec![tcp(22).ip_ranges(v4("10.0.0.0/8")).build()],
    )
    .await;
    let rdp_v6 = group(
        &ec2,
        &net,
        "rdp-v6",
        vec![tcp(3389).ipv6_ranges(v6("::/0")).build()],
    )
    .await;
    let rdp_v6_private = group(
        &ec2,
        &net,
        "rdp-v6-private",
        vec![tcp(3389).ipv6_ranges(v6("2001:db8::/32")).build()],
    )
    .await;
    let all_world = group(
        &ec2,
        &net,
        "all-world",
        vec![
            IpPermission::builder()
                .ip_protocol("-1")
                .ip_ranges(v4("0.0.0.0/0"))
                .build(),
        ],
    )
    .await;
    let web_world = group(
        &ec2,
        &net,
        "web-world",
        vec![tcp(443).ip_ranges(v4("0.0.0.0/0")).build()],
    )
    .await;
    let db_world = group(
        &ec2,
        &net,
        "db-world",
        vec![tcp(5432).ip_ranges(v4("0.0.0.0/0")).build()],
    )
    .await;

    // moto's default group has no inbound rules and one outbound rule (all traffic to
    // 0.0.0.0/0); the second VPC's default group has it revoked.
    let default_open = default_group(&ec2, &net).await;
    let net2 = vpc(&ec2, "10.21.0.0/16").await;
    let default_empty = default_group(&ec2, &net2).await;
    ec2.revoke_security_group_egress()
        .group_id(&default_empty)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("-1")
                .ip_ranges(v4("0.0.0.0/0"))
                .build(),
        )
        .send()
        .await
        .expect("RevokeSecurityGroupEgress");

    // An instance launched without groups lands in the default group.
    let lan = subnet(&ec2, &net, "10.20.1.0/24").await;
    let member = launch(&ec2, &lan, HttpTokensState::Required).await;

    let results = scan_json(&acct, &["--regions", REGION]);
    let sg = |id: &str| arn(&acct, REGION, "security-group", id);

    let ipv4 = "aws-ec2-security-group-admin-ports-open-to-ipv4-internet";
    expect(&results, ipv4, &sg(&ssh_world), Some("fail"));
    expect(&results, ipv4, &sg(&ssh_private), Some("pass"));
    expect(&results, ipv4, &sg(&rdp_v6), Some("pass"));
    expect(&results, ipv4, &sg(&all_world), Some("fail"));
    expect(&results, ipv4, &sg(&web_world), Some("pass"));

    let ipv6 = "aws-ec2-security-group-admin-ports-open-to-ipv6-internet";
    expect(&results, ipv6, &sg(&rdp_v6), Some("fail"));
    expect(&results, ipv6, &sg(&rdp_v6_private), Some("pass"));
    expect(&results, ipv6, &sg(&ssh_world), Some("pass"));

    let all = "aws-ec2-security-group-all-ports-open-to-internet";
    expect(&results, all, &sg(&all_world), Some("fail"));
    expect(&results, all, &sg(&ssh_world), Some("pass"));

    let db = "aws-ec2-security-group-database-ports-open-to-internet";
    expect(&results, db, &sg(&db_world), Some("fail"));
    expect(&results, db, &sg(&web_world), Some("pass"));

    let default = "aws-ec2-default-security-group-not-restrictive";
    expect(&results, default, &sg(&default_open), Some("fail"));
    expect(&results, default, &sg(&default_empty), Some("pass"));
    let message = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == default && r["resource"]["id"] == sg(&default_open).as_str())
        .map(|r| r["message"].as_str().unwrap().to_owned())
        .unwrap();
    assert!(
        message.contains(&member),
        "the default group's message names its instance {member}: {message}"
    );
    // Only default groups are judged.
    expect(&results, default, &sg(&ssh_private), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn network_acls() {
    let Some(url) = moto_url() else { return };
    let acct = account(&url, "300000000002").await;
    let ec2 = Client::new(&acct.config);
    let net = vpc(&ec2, "10.30.0.0/16").await;

    // SSH allowed from anywhere.
    let open = acl(&ec2, &net).await;
    acl_entry(&ec2, &open, 100, RuleAction::Allow, "6", Some((22, 22))).await;
    // SSH and RDP denied before everything else is allowed.
    let deny_first = acl(&ec2, &net).await;
    acl_entry(&ec2, &deny_first, 50, RuleAction::Deny, "6", Some((22, 22))).await;
    acl_entry(
        &ec2,
        &deny_first,
        60,
        RuleAction::Deny,
        "6",
        Some((3389, 3389)),
    )
    .await;
    acl_entry(&ec2, &deny_first, 100, RuleAction::Allow, "-1", None).await;
    // Everything allowed first, the deny comes too late.
    let deny_late = acl(&ec2, &net).await;
    acl_entry(&ec2, &deny_late, 100, RuleAction::Allow, "-1", None).await;
    acl_entry(&ec2, &deny_late, 200, RuleAction::Deny, "6", Some((22, 22))).await;

    let results = scan_json(&acct, &["--regions", REGION]);
    let id = |acl: &str| arn(&acct, REGION, "network-acl", acl);
    let rule = "aws-ec2-network-acl-admin-ports-open-to-internet";
    expect(&results, rule, &id(&open), Some("fail"));
    expect(&results, rule, &id(&deny_first), Some("pass"));
    expect(&results, rule, &id(&deny_late), Some("fail"));
}

#[tokio::test(flavor = "multi_thread")]
async fn flow_logs_routes_and_instances() {
    let Some(url) = moto_url() else { return };
    let acct = account(&url, "300000000003").await;
    let ec2 = Client::new(&acct.config);

    // Flow logs on one VPC, none on its twin.
    let logged = vpc(&ec2, "10.40.0.0/16").await;
    let unlogged = vpc(&ec2, "10.41.0.0/16").await;
    ec2.create_flow_logs()
        .resource_type(FlowLogsResourceType::Vpc)
        .resource_ids(&logged)
        .traffic_type(TrafficType::All)
        .log_destination_type(LogDestinationType::CloudWatchLogs)
        .log_group_name("onus-flow-logs")
        .deliver_logs_permission_arn(format!("arn:aws:iam::{}:role/flow-logs", acct.id))
        .send()
        .await
        .expect("CreateFlowLogs");

    // A public subnet (its route table sends 0.0.0.0/0 to an internet gateway) and a
    // private one, both assigning public addresses on launch.
    let public = subnet(&ec2, &logged, "10.40.1.0/24").await;
    let private = subnet(&ec2, &logged, "10.40.2.0/24").await;
    for s in [&public, &private] {
        ec2.modify_subnet_attribute()
            .subnet_id(s)
            .map_public_ip_on_launch(
                aws_sdk_ec2::types::AttributeBooleanValue::builder()
                    .value(true)
                    .build(),
            )
            .send()
            .await
            .expect("ModifySubnetAttribute");
    }
    let igw = ec2
        .create_internet_gateway()
        .send()
        .await
        .expect("CreateInternetGateway");
    let igw = igw
        .internet_gateway()
        .unwrap()
        .internet_gateway_id()
        .unwrap()
        .to_owned();
    ec2.attach_internet_gateway()
        .internet_gateway_id(&igw)
        .vpc_id(&logged)
        .send()
        .await
        .expect("AttachInternetGateway");
    let table = ec2
        .create_route_table()
        .vpc_id(&logged)
        .send()
        .await
        .expect("CreateRouteTable");
    let table = table
        .route_table()
        .unwrap()
        .route_table_id()
        .unwrap()
        .to_owned();
    ec2.create_route()
        .route_table_id(&table)
        .destination_cidr_block("0.0.0.0/0")
        .gateway_id(&igw)
        .send()
        .await
        .expect("CreateRoute");
    ec2.associate_route_table()
        .route_table_id(&table)
        .subnet_id(&public)
        .send()
        .await
        .expect("AssociateRouteTable");

    // IMDSv1 allowed on one instance, IMDSv2 required on its twin.
    // IMDSv1 allowed on one instance, IMDSv2 required on its twin.
    let imds_v1 = launch(&ec2, &public, HttpTokensState::Optional).await;
    let imds_v2 = launch(&ec2, &private, HttpTokensState::Required).await;
    let described = ec2
        .describe_instances()
        .instance_ids(&imds_v1)
        .send()
        .await
        .expect("DescribeInstances");
    let v1_has_public_ip = described.reservations()[0].instances()[0]
        .public_ip_address()
        .is_some();

    let results = scan_json(&acct, &["--regions", REGION]);
    let id = |kind: &str, id: &str| arn(&acct, REGION, kind, id);

    let flow = "aws-ec2-vpc-flow-logs-disabled";
    expect(&results, flow, &id("vpc", &logged), Some("pass"));
    expect(&results, flow, &id("vpc", &unlogged), Some("fail"));

    let auto_ip = "aws-ec2-subnet-auto-assigns-public-ip";
    expect(&results, auto_ip, &id("subnet", &public), Some("fail"));
    expect(&results, auto_ip, &id("subnet", &private), Some("pass"));

    let imds = "aws-ec2-instance-imdsv1-allowed";
    expect(&results, imds, &id("instance", &imds_v1), Some("fail"));
    expect(&results, imds, &id("instance", &imds_v2), Some("pass"));

    // A public address matters only in the public subnet.
    let exposed = "aws-ec2-instance-public-ip-in-public-subnet";
    let v1_status = if v1_has_public_ip { "fail" } else { "pass" };
    expect(
        &results,
        exposed,
        &id("instance", &imds_v1),
        Some(v1_status),
    );
    expect(&results, exposed, &id("instance", &imds_v2), Some("pass"));
    assert!(
        my_gaps(&results).is_empty(),
        "gaps: {:#?}",
        my_gaps(&results)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ebs_encryption_by_default_per_region() {
    let Some(url) = moto_url() else { return };
    let acct = account(&url, "300000000004").await;
    ec2_in(&acct, "eu-west-1")
        .enable_ebs_encryption_by_default()
        .send()
        .await
        .expect("EnableEbsEncryptionByDefault");

    let results = scan_json(&acct, &["--regions", "eu-west-1,us-east-1"]);
    let settings = |region: &str| format!("arn:aws:ec2:{region}:{}:account-settings", acct.id);
    let rule = "aws-ec2-ebs-default-encryption-disabled";
    expect(&results, rule, &settings("eu-west-1"), Some("pass"));
    expect(&results, rule, &settings("us-east-1"), Some("fail"));
    assert!(
        my_gaps(&results).is_empty(),
        "gaps: {:#?}",
        my_gaps(&results)
    );
}
