//! The AWS views: every resource of an AWS account with cross-resource facts joined in (a
//! VPC's flow logs, a subnet's route to the internet, a group's members, the IAM facts of a
//! principal).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use serde_json::{Map, Value as Json, json};

use super::password_policy;
use crate::analyze::fields::to_map;
use crate::analyze::iam::{Facts, view};
use crate::analyze::resource::{Pending, Push};
use crate::snapshot::{AwsAccount, AwsRegion, Bucket, CoverageGap, RouteTable, Subnet, kind};

/// The facts of an account's principals, by ARN.
type AccountFacts = HashMap<String, Facts>;

fn name_tag(tags: &BTreeMap<String, String>, fallback: &str) -> String {
    tags.get("Name")
        .filter(|n| !n.is_empty())
        .cloned()
        .unwrap_or_else(|| fallback.to_owned())
}

/// Adds every resource of `account`.
pub fn account<'s>(
    account: &'s AwsAccount,
    facts: Arc<AccountFacts>,
    gaps: &'s [CoverageGap],
    out: &mut Vec<Pending<'s>>,
) {
    let acct = account.account_id.as_str();
    let mut push = Push { out, account: acct };
    iam(acct, account, facts, gaps, &mut push);
    s3(acct, account, &mut push);
    cloudtrail(acct, account, &mut push);
    for (region, data) in &account.regions {
        aws_region(acct, region, data, &mut push);
        super::compute::region(acct, region, data, &mut push);
    }
}

fn iam<'s>(
    acct: &'s str,
    account: &'s AwsAccount,
    facts: Arc<AccountFacts>,
    gaps: &'s [CoverageGap],
    push: &mut Push<'_, 's>,
) {
    let (alias, iam) = (account.alias.as_deref(), &account.iam);
    let root_arn = if iam.root.arn.is_empty() {
        format!("arn:aws:iam::{acct}:root")
    } else {
        iam.root.arn.clone()
    };
    push.add(
        kind::AWS_IAM_ROOT,
        root_arn,
        "root user".into(),
        None,
        || {
            let mut root = to_map(&iam.root);
            root.insert("account_summary".into(), json!(iam.account_summary));
            root
        },
    );

    push.add(
        kind::AWS_IAM_PASSWORD_POLICY,
        format!("arn:aws:iam::{acct}:account-password-policy"),
        "account password policy".into(),
        None,
        || password_policy::view(iam.password_policy.as_ref()),
    );

    let support_roles: Vec<&str> = iam
        .roles
        .iter()
        .filter(|r| {
            r.attached_policies
                .iter()
                .any(|p| p.arn.ends_with(":policy/AWSSupportAccess"))
        })
        .map(|r| r.name.as_str())
        .collect();
    push.add(
        kind::AWS_IAM_ACCOUNT,
        format!("arn:aws:iam::{acct}:account"),
        alias.map_or_else(
            || format!("account {acct}"),
            |a| format!("account {a} ({acct})"),
        ),
        None,
        {
            let facts = Arc::clone(&facts);
            move || {
                let mut data = to_map(&json!({
                    "alias": alias,
                    "support_roles": support_roles,
                    "user_count": iam.users.len(),
                    "role_count": iam.roles.len(),
                }));
                data.extend(view::account_fields(account, &facts, gaps));
                data
            }
        },
    );

    for user in &iam.users {
        let facts = Arc::clone(&facts);
        push.add(
            kind::AWS_IAM_USER,
            user.arn.clone(),
            user.name.clone(),
            None,
            move || {
                let mut data = to_map(user);
                data.extend(view::user_fields(user, facts.get(&user.arn)));
                data
            },
        );
    }
    let members =
        Arc::new(index(iam.users.iter().flat_map(|u| {
            u.groups.iter().map(move |g| (g.as_str(), u.name.as_str()))
        })));
    for group in &iam.groups {
        let members = Arc::clone(&members);
        push.add(
            kind::AWS_IAM_GROUP,
            group.arn.clone(),
            group.name.clone(),
            None,
            move || {
                let mut data = to_map(group);
                let members = members.get(group.name.as_str());
                data.insert("members".into(), json!(members.unwrap_or(&Vec::new())));
                data
            },
        );
    }
    for role in &iam.roles {
        let facts = Arc::clone(&facts);
        push.add(
            kind::AWS_IAM_ROLE,
            role.arn.clone(),
            role.name.clone(),
            None,
            move || {
                let mut data = to_map(role);
                data.extend(view::role_fields(role, acct, facts.get(&role.arn)));
                data
            },
        );
    }
    for policy in &iam.policies {
        push.add(
            kind::AWS_IAM_POLICY,
            policy.arn.clone(),
            policy.name.clone(),
            None,
            || to_map(policy),
        );
    }
}

fn s3<'s>(acct: &str, account: &'s AwsAccount, push: &mut Push<'_, 's>) {
    push.add(
        kind::AWS_S3_ACCOUNT,
        format!("arn:aws:s3:::{acct}/account-settings"),
        "S3 account settings".into(),
        None,
        || to_map(&json!({ "public_access_block": account.s3.account_public_access_block })),
    );
    for bucket in &account.s3.buckets {
        push.add(
            kind::AWS_S3_BUCKET,
            bucket.arn.clone(),
            bucket.name.clone(),
            Some(&bucket.region),
            || bucket_view(bucket),
        );
    }
}

pub(crate) fn bucket_view(bucket: &Bucket) -> Map<String, Json> {
    to_map(bucket)
}

fn cloudtrail<'s>(acct: &str, account: &'s AwsAccount, push: &mut Push<'_, 's>) {
    push.add(
        kind::AWS_CLOUDTRAIL_ACCOUNT,
        format!("arn:aws:cloudtrail::{acct}:trails"),
        "CloudTrail for the account".into(),
        None,
        || to_map(&json!({ "trails": account.cloudtrail })),
    );
    for trail in &account.cloudtrail {
        push.add(
            kind::AWS_CLOUDTRAIL_TRAIL,
            trail.arn.clone(),
            trail.name.clone(),
            Some(&trail.home_region),
            || to_map(trail),
        );
    }
}

/// Groups values by key, keeping each key's values in input order.
fn index<'a, V>(pairs: impl Iterator<Item = (&'a str, V)>) -> HashMap<&'a str, Vec<V>> {
    let mut map: HashMap<&str, Vec<V>> = HashMap::new();
    for (k, v) in pairs {
        map.entry(k).or_default().push(v);
    }
    map
}

/// Which route table governs each subnet: its explicit association, else its VPC's main table.
struct RouteTables<'a> {
    by_subnet: HashMap<&'a str, &'a RouteTable>,
    main_by_vpc: HashMap<&'a str, &'a RouteTable>,
}

impl<'a> RouteTables<'a> {
    fn new(tables: &'a [RouteTable]) -> Self {
        let mut by_subnet = HashMap::new();
        let mut main_by_vpc = HashMap::new();
        // First match wins, as a scan in table order would find it.
        for t in tables {
            for a in &t.associations {
                if let Some(subnet) = a.subnet_id.as_deref() {
                    by_subnet.entry(subnet).or_insert(t);
                }
                if a.main {
                    main_by_vpc.entry(t.vpc_id.as_str()).or_insert(t);
                }
            }
        }
        RouteTables {
            by_subnet,
            main_by_vpc,
        }
    }

    fn for_subnet(&self, subnet: &Subnet) -> Option<&'a RouteTable> {
        self.by_subnet
            .get(subnet.id.as_str())
            .or_else(|| self.main_by_vpc.get(subnet.vpc_id.as_str()))
            .copied()
    }
}

/// Whether a route table sends a default route (IPv4 or IPv6) to an internet gateway.
fn routes_to_internet(table: &RouteTable) -> bool {
    table.routes.iter().any(|r| {
        let default = r.destination_cidr_block.as_deref() == Some("0.0.0.0/0")
            || r.destination_ipv6_cidr_block.as_deref() == Some("::/0");
        default
            && r.state != "blackhole"
            && r.gateway_id
                .as_deref()
                .is_some_and(|g| g.starts_with("igw-"))
    })
}

/// What a region's views join in from other resources of the region.
struct RegionJoins<'s> {
    tables: RouteTables<'s>,
    public_subnets: BTreeSet<&'s str>,
    flow_logs: HashMap<&'s str, Vec<&'s crate::snapshot::FlowLog>>,
    igws: HashMap<&'s str, Vec<&'s str>>,
    sg_instances: HashMap<&'s str, Vec<&'s str>>,
}

impl<'s> RegionJoins<'s> {
    fn new(data: &'s AwsRegion) -> Self {
        let tables = RouteTables::new(&data.route_tables);
        let public_subnets = data
            .subnets
            .iter()
            .filter(|s| tables.for_subnet(s).is_some_and(routes_to_internet))
            .map(|s| s.id.as_str())
            .collect();
        RegionJoins {
            public_subnets,
            tables,
            flow_logs: index(data.flow_logs.iter().map(|f| (f.resource_id.as_str(), f))),
            igws: index(
                data.internet_gateways
                    .iter()
                    .flat_map(|g| g.vpc_ids.iter().map(move |v| (v.as_str(), g.id.as_str()))),
            ),
            sg_instances: index(data.instances.iter().flat_map(|i| {
                i.security_groups
                    .iter()
                    .map(move |g| (g.as_str(), i.id.as_str()))
            })),
        }
    }
}

fn aws_region<'s>(acct: &str, region: &'s str, data: &'s AwsRegion, push: &mut Push<'_, 's>) {
    let arn = |kind: &str, id: &str| format!("arn:aws:ec2:{region}:{acct}:{kind}/{id}");
    let joins = Arc::new(RegionJoins::new(data));

    for vpc in &data.vpcs {
        let joins = Arc::clone(&joins);
        push.add(
            kind::AWS_EC2_VPC,
            arn("vpc", &vpc.id),
            name_tag(&vpc.tags, &vpc.id),
            Some(region),
            move || {
                let mut view = to_map(vpc);
                let flow_logs = joins.flow_logs.get(vpc.id.as_str());
                view.insert("flow_logs".into(), json!(flow_logs.unwrap_or(&Vec::new())));
                let igws = joins.igws.get(vpc.id.as_str());
                view.insert(
                    "internet_gateway_ids".into(),
                    json!(igws.unwrap_or(&Vec::new())),
                );
                view
            },
        );
    }
    for subnet in &data.subnets {
        let joins = Arc::clone(&joins);
        push.add(
            kind::AWS_EC2_SUBNET,
            arn("subnet", &subnet.id),
            name_tag(&subnet.tags, &subnet.id),
            Some(region),
            move || {
                let mut view = to_map(subnet);
                let table = joins.tables.for_subnet(subnet);
                view.insert("route_table_id".into(), json!(table.map(|t| &t.id)));
                view.insert(
                    "routes_to_internet".into(),
                    json!(joins.public_subnets.contains(subnet.id.as_str())),
                );
                view
            },
        );
    }
    for table in &data.route_tables {
        push.add(
            kind::AWS_EC2_ROUTE_TABLE,
            arn("route-table", &table.id),
            name_tag(&table.tags, &table.id),
            Some(region),
            || {
                let mut view = to_map(table);
                view.insert(
                    "routes_to_internet".into(),
                    json!(routes_to_internet(table)),
                );
                view
            },
        );
    }
    for sg in &data.security_groups {
        let joins = Arc::clone(&joins);
        push.add(
            kind::AWS_EC2_SECURITY_GROUP,
            arn("security-group", &sg.id),
            format!("{} ({})", sg.name, sg.id),
            Some(region),
            move || {
                let mut view = to_map(sg);
                view.insert("is_default".into(), json!(sg.name == "default"));
                let users = joins.sg_instances.get(sg.id.as_str());
                view.insert("instance_ids".into(), json!(users.unwrap_or(&Vec::new())));
                view
            },
        );
    }
    for acl in &data.network_acls {
        push.add(
            kind::AWS_EC2_NETWORK_ACL,
            arn("network-acl", &acl.id),
            name_tag(&acl.tags, &acl.id),
            Some(region),
            || to_map(acl),
        );
    }
    for instance in &data.instances {
        let joins = Arc::clone(&joins);
        push.add(
            kind::AWS_EC2_INSTANCE,
            arn("instance", &instance.id),
            name_tag(&instance.tags, &instance.id),
            Some(region),
            move || {
                let mut view = to_map(instance);
                let public = instance
                    .subnet_id
                    .as_deref()
                    .is_some_and(|s| joins.public_subnets.contains(s));
                view.insert("in_public_subnet".into(), json!(public));
                view
            },
        );
    }
    push.add(
        kind::AWS_EC2_REGION,
        format!("arn:aws:ec2:{region}:{acct}:account-settings"),
        format!("EC2 settings in {region}"),
        Some(region),
        || {
            to_map(&json!({
                "ebs_encryption_by_default": data.ebs_encryption_by_default,
                "instance_count": data.instances.len(),
            }))
        },
    );
    push.add(
        kind::AWS_GUARDDUTY_REGION,
        format!("arn:aws:guardduty:{region}:{acct}:detectors"),
        format!("GuardDuty in {region}"),
        Some(region),
        || to_map(&json!({ "detectors": data.guardduty_detectors })),
    );
    push.add(
        kind::AWS_CONFIG_REGION,
        format!("arn:aws:config:{region}:{acct}:recorders"),
        format!("AWS Config in {region}"),
        Some(region),
        || to_map(&json!({ "recorders": data.config_recorders })),
    );
}
