//! Synthetic snapshots for benchmarks: a reproducible account of any size from a seed, with
//! a realistic mix of kinds (users, roles with policies, managed policies, buckets, security
//! groups with rules, instances, network) and a share of them misconfigured.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::json;

use onus::snapshot::{
    AccessKey, AttachedPolicy, AwsAccount, AwsRegion, AwsResources, Bucket, BucketAcl,
    BucketEncryption, BucketLogging, BucketVersioning, Collector, EncryptionRule, Grant, Iam,
    InlinePolicy, Instance, InternetGateway, ManagedPolicy, MetadataOptions, MfaDevice, NetworkAcl,
    NetworkAclEntry, PasswordPolicy, Permission, Provider, PublicAccessBlock, Role, RootAccount,
    Route, RouteTable, RouteTableAssociation, S3, SCHEMA_VERSION, SecurityGroup, Snapshot, Subnet,
    Trail, TrailStatus, User, Vpc,
};

const ACCOUNT: &str = "123456789012";
const REGIONS: [&str; 4] = ["eu-central-1", "eu-west-1", "us-east-1", "us-west-2"];

/// A small, fast, reproducible generator (SplitMix64): benchmarks need the same snapshot
/// from the same seed on every machine, not statistical quality.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// How many resources of each kind a snapshot of `total` resources holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mix {
    pub users: usize,
    pub roles: usize,
    pub policies: usize,
    pub buckets: usize,
    pub security_groups: usize,
    pub instances: usize,
    /// VPCs; each has two subnets, a route table, a network ACL and an internet gateway
    /// (the rest of the total).
    pub vpcs: usize,
}

impl Mix {
    /// Shares: users 20 %, roles 20 %, managed policies 10 %, buckets 10 %, security groups
    /// 15 %, instances 20 %, and the network (VPC, subnets, route tables, NACLs) the rest.
    pub fn for_total(total: usize) -> Mix {
        let pct = |p: usize| total * p / 100;
        let fixed = pct(20) + pct(20) + pct(10) + pct(10) + pct(15) + pct(20);
        // VPC + 2 subnets + route table + network ACL = 5 resources per VPC; the fixed
        // account-wide resources (root, password policy, ...) are few.
        let vpcs = (total.saturating_sub(fixed) / 5).max(1);
        Mix {
            users: pct(20),
            roles: pct(20),
            policies: pct(10),
            buckets: pct(10),
            security_groups: pct(15),
            instances: pct(20),
            vpcs,
        }
    }
}

fn at(base: DateTime<Utc>, rng: &mut Rng, max_days: u64) -> DateTime<Utc> {
    base - Duration::seconds(i64::try_from(rng.below(max_days * 86_400) + 1).unwrap_or(1))
}

fn admin_doc() -> serde_json::Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
}

fn read_doc(i: usize) -> serde_json::Value {
    json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:ListBucket"],
        "Resource": [format!("arn:aws:s3:::data-{i}"), format!("arn:aws:s3:::data-{i}/*")]
    }]})
}

/// The snapshot of `total` resources (approximately: the mix rounds) from `seed`.
pub fn snapshot(total: usize, seed: u64) -> Snapshot {
    let mut rng = Rng::new(seed);
    let now = Utc
        .with_ymd_and_hms(2026, 6, 1, 12, 0, 0)
        .single()
        .unwrap_or_default();
    let mix = Mix::for_total(total);
    let account = AwsAccount {
        account_id: ACCOUNT.into(),
        alias: Some("bench".into()),
        iam: iam(&mix, &mut rng, now),
        s3: s3(&mix, &mut rng, now),
        cloudtrail: vec![Trail {
            name: "main".into(),
            arn: format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/main"),
            home_region: "us-east-1".into(),
            is_multi_region: true,
            include_global_service_events: true,
            log_file_validation_enabled: true,
            s3_bucket_name: Some("trail-logs".into()),
            status: TrailStatus {
                is_logging: true,
                latest_delivery_time: Some(now),
                latest_delivery_error: None,
            },
            ..Trail::default()
        }],
        regions: regions(&mix, &mut rng, now),
    };
    Snapshot {
        schema_version: SCHEMA_VERSION,
        provider: Provider::Aws,
        accounts: vec![ACCOUNT.into()],
        regions: REGIONS.iter().map(|r| (*r).to_owned()).collect(),
        collected_at: now,
        collector: Collector {
            name: "onus-bench".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            principal: None,
        },
        coverage_gaps: Vec::new(),
        aws: Some(AwsResources {
            accounts: vec![account],
        }),
        azure: None,
    }
}

fn iam(mix: &Mix, rng: &mut Rng, now: DateTime<Utc>) -> Iam {
    let users = (0..mix.users)
        .map(|i| {
            let name = format!("user-{i:07}");
            let console = rng.chance(60);
            let mfa = console && !rng.chance(15);
            let keys = (0..rng.below(3))
                .map(|k| {
                    let created = at(now, rng, 400);
                    AccessKey {
                        id: format!("AKIA{i:012}{k:04}"),
                        status: if rng.chance(80) { "Active" } else { "Inactive" }.into(),
                        created,
                        last_used: rng.chance(85).then(|| at(now, rng, 120)),
                        last_used_service: Some("s3".into()),
                        last_used_region: Some("eu-west-1".into()),
                    }
                })
                .collect();
            User {
                arn: format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
                id: format!("AIDA{i:017}"),
                path: "/".into(),
                created: at(now, rng, 1000),
                password_enabled: console,
                password_last_used: console.then(|| at(now, rng, 200)),
                password_last_changed: console.then(|| at(now, rng, 300)),
                mfa_devices: if mfa {
                    vec![MfaDevice {
                        serial_number: format!("arn:aws:iam::{ACCOUNT}:mfa/{name}"),
                        enable_date: Some(at(now, rng, 500)),
                        virtual_device: true,
                    }]
                } else {
                    Vec::new()
                },
                access_keys: keys,
                groups: vec![format!("group-{}", i % 50)],
                attached_policies: if rng.chance(10) {
                    vec![AttachedPolicy {
                        name: "ReadOnlyAccess".into(),
                        arn: "arn:aws:iam::aws:policy/ReadOnlyAccess".into(),
                    }]
                } else {
                    Vec::new()
                },
                inline_policies: if rng.chance(3) {
                    vec![InlinePolicy {
                        name: "admin".into(),
                        document: admin_doc(),
                    }]
                } else {
                    Vec::new()
                },
                permissions_boundary: None,
                tags: BTreeMap::from([("team".into(), format!("team-{}", i % 20))]),
                name,
            }
        })
        .collect();
    let roles = (0..mix.roles)
        .map(|i| {
            let name = format!("role-{i:07}");
            let trust = if rng.chance(10) {
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"}, "Action": "sts:AssumeRole"}]})
            } else {
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
            };
            Role {
                arn: format!("arn:aws:iam::{ACCOUNT}:role/{name}"),
                id: format!("AROA{i:017}"),
                path: "/".into(),
                created: at(now, rng, 1000),
                description: Some(format!("service role {i}")),
                assume_role_policy: trust,
                max_session_duration: if rng.chance(10) { 43_200 } else { 3_600 },
                attached_policies: vec![AttachedPolicy {
                    name: format!("policy-{:07}", i % mix.policies.max(1)),
                    arn: format!(
                        "arn:aws:iam::{ACCOUNT}:policy/policy-{:07}",
                        i % mix.policies.max(1)
                    ),
                }],
                inline_policies: vec![InlinePolicy {
                    name: "inline".into(),
                    document: if rng.chance(5) {
                        admin_doc()
                    } else {
                        read_doc(i)
                    },
                }],
                permissions_boundary: None,
                last_used: rng.chance(70).then(|| at(now, rng, 90)),
                instance_profiles: Vec::new(),
                tags: BTreeMap::new(),
                name,
            }
        })
        .collect();
    let policies = (0..mix.policies)
        .map(|i| {
            let name = format!("policy-{i:07}");
            ManagedPolicy {
                arn: format!("arn:aws:iam::{ACCOUNT}:policy/{name}"),
                id: format!("ANPA{i:017}"),
                path: "/".into(),
                default_version_id: "v1".into(),
                document: if rng.chance(5) {
                    admin_doc()
                } else {
                    read_doc(i)
                },
                attachment_count: 2,
                permissions_boundary_usage_count: 0,
                created: at(now, rng, 1000),
                updated: at(now, rng, 100),
                name,
            }
        })
        .collect();
    Iam {
        // Synthetic identities attach only the customer-managed policies generated here.
        aws_managed_policies: Vec::new(),
        root: RootAccount {
            arn: format!("arn:aws:iam::{ACCOUNT}:root"),
            mfa_active: true,
            virtual_mfa: false,
            password_enabled: true,
            password_last_used: Some(at(now, rng, 400)),
            access_keys: Vec::new(),
        },
        account_summary: BTreeMap::from([
            ("AccountMFAEnabled".into(), 1),
            ("AccountAccessKeysPresent".into(), 0),
        ]),
        password_policy: Some(PasswordPolicy {
            minimum_password_length: 14,
            require_symbols: true,
            require_numbers: true,
            require_uppercase_characters: true,
            require_lowercase_characters: true,
            allow_users_to_change_password: true,
            expire_passwords: false,
            max_password_age: None,
            password_reuse_prevention: Some(24),
            hard_expiry: false,
        }),
        users,
        groups: Vec::new(),
        roles,
        policies,
    }
}

fn s3(mix: &Mix, rng: &mut Rng, now: DateTime<Utc>) -> S3 {
    let buckets = (0..mix.buckets)
        .map(|i| {
            let name = format!("bucket-{i:07}");
            let public_acl = rng.chance(2);
            let mut grants = vec![Grant {
                grantee_type: "CanonicalUser".into(),
                grantee_id: Some("owner".into()),
                grantee_uri: None,
                permission: "FULL_CONTROL".into(),
            }];
            if public_acl {
                grants.push(Grant {
                    grantee_type: "Group".into(),
                    grantee_id: None,
                    grantee_uri: Some("http://acs.amazonaws.com/groups/global/AllUsers".into()),
                    permission: "READ".into(),
                });
            }
            let tls_policy = rng.chance(60).then(|| {
                json!({"Version": "2012-10-17", "Statement": [{
                    "Sid": "TLS", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                    "Resource": [format!("arn:aws:s3:::{name}"), format!("arn:aws:s3:::{name}/*")],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}}
                }]})
            });
            Bucket {
                arn: format!("arn:aws:s3:::{name}"),
                region: REGIONS[i % REGIONS.len()].into(),
                created: Some(at(now, rng, 1500)),
                acl: BucketAcl {
                    owner_id: "owner".into(),
                    grants,
                },
                policy_is_public: Some(false),
                policy: tls_policy,
                public_access_block: (!public_acl && rng.chance(80)).then_some(PublicAccessBlock {
                    block_public_acls: true,
                    ignore_public_acls: true,
                    block_public_policy: true,
                    restrict_public_buckets: true,
                }),
                encryption: rng.chance(90).then(|| BucketEncryption {
                    rules: vec![EncryptionRule {
                        sse_algorithm: "aws:kms".into(),
                        kms_master_key_id: None,
                        bucket_key_enabled: true,
                    }],
                }),
                versioning: BucketVersioning {
                    status: rng.chance(70).then(|| "Enabled".into()),
                    mfa_delete: None,
                },
                logging: rng.chance(50).then(|| BucketLogging {
                    target_bucket: "access-logs".into(),
                    target_prefix: format!("{name}/"),
                }),
                object_ownership: Some(
                    if rng.chance(85) {
                        "BucketOwnerEnforced"
                    } else {
                        "ObjectWriter"
                    }
                    .into(),
                ),
                tags: BTreeMap::from([("env".into(), "prod".into())]),
                name,
            }
        })
        .collect();
    S3 {
        account_public_access_block: Some(PublicAccessBlock {
            block_public_acls: true,
            ignore_public_acls: true,
            block_public_policy: true,
            restrict_public_buckets: true,
        }),
        buckets,
    }
}

fn permission(port: i32, cidr: &str) -> Permission {
    Permission {
        protocol: "tcp".into(),
        from_port: Some(port),
        to_port: Some(port),
        ipv4_ranges: vec![cidr.into()],
        ..Permission::default()
    }
}

/// Splits `n` items over the regions: region `r` gets the items whose index is `r` modulo
/// the number of regions.
fn share(n: usize, r: usize) -> impl Iterator<Item = usize> {
    (r..n).step_by(REGIONS.len())
}

fn regions(mix: &Mix, rng: &mut Rng, now: DateTime<Utc>) -> BTreeMap<String, AwsRegion> {
    let mut out = BTreeMap::new();
    for (r, region) in REGIONS.iter().enumerate() {
        let mut data = AwsRegion {
            ebs_encryption_by_default: r % 2 == 0,
            ..AwsRegion::default()
        };
        let vpc_ids: Vec<String> = share(mix.vpcs, r).map(|v| format!("vpc-{v:08x}")).collect();
        for (v, vpc_id) in vpc_ids.iter().enumerate() {
            data.vpcs.push(Vpc {
                id: vpc_id.clone(),
                cidr_block: "10.0.0.0/16".into(),
                is_default: v == 0,
                state: "available".into(),
                ..Vpc::default()
            });
            let subnets = [format!("subnet-{vpc_id}-a"), format!("subnet-{vpc_id}-b")];
            for (s, id) in subnets.iter().enumerate() {
                data.subnets.push(Subnet {
                    id: id.clone(),
                    vpc_id: vpc_id.clone(),
                    cidr_block: format!("10.0.{s}.0/24"),
                    availability_zone: format!("{region}a"),
                    map_public_ip_on_launch: s == 0,
                    tags: BTreeMap::new(),
                });
            }
            let igw = format!("igw-{vpc_id}");
            data.internet_gateways.push(InternetGateway {
                id: igw.clone(),
                vpc_ids: vec![vpc_id.clone()],
                tags: BTreeMap::new(),
            });
            data.route_tables.push(RouteTable {
                id: format!("rtb-{vpc_id}"),
                vpc_id: vpc_id.clone(),
                associations: vec![RouteTableAssociation {
                    main: false,
                    subnet_id: Some(subnets[0].clone()),
                }],
                routes: vec![Route {
                    destination_cidr_block: Some("0.0.0.0/0".into()),
                    gateway_id: Some(igw),
                    state: "active".into(),
                    ..Route::default()
                }],
                tags: BTreeMap::new(),
            });
            data.network_acls.push(NetworkAcl {
                id: format!("acl-{vpc_id}"),
                vpc_id: vpc_id.clone(),
                is_default: true,
                entries: vec![NetworkAclEntry {
                    rule_number: 100,
                    protocol: "-1".into(),
                    rule_action: "allow".into(),
                    egress: false,
                    cidr_block: Some("0.0.0.0/0".into()),
                    ..NetworkAclEntry::default()
                }],
                subnet_ids: subnets.to_vec(),
                tags: BTreeMap::new(),
            });
        }
        let vpc_of = |i: usize| vpc_ids[i % vpc_ids.len().max(1)].clone();
        let sg_ids: Vec<String> = share(mix.security_groups, r)
            .map(|i| format!("sg-{i:08x}"))
            .collect();
        for (i, id) in sg_ids.iter().enumerate() {
            let mut ingress = vec![permission(443, "0.0.0.0/0"), permission(5432, "10.0.0.0/8")];
            if rng.chance(8) {
                ingress.push(permission(22, "0.0.0.0/0"));
            }
            if rng.chance(3) {
                ingress.push(permission(3389, "0.0.0.0/0"));
            }
            data.security_groups.push(SecurityGroup {
                id: id.clone(),
                name: format!("web-{i}"),
                description: "web tier".into(),
                vpc_id: Some(vpc_of(i)),
                ingress,
                egress: vec![Permission {
                    protocol: "-1".into(),
                    ipv4_ranges: vec!["0.0.0.0/0".into()],
                    ..Permission::default()
                }],
                tags: BTreeMap::new(),
            });
        }
        for i in share(mix.instances, r) {
            let vpc = vpc_of(i);
            let public = rng.chance(20);
            data.instances.push(Instance {
                id: format!("i-{i:017x}"),
                state: if rng.chance(90) { "running" } else { "stopped" }.into(),
                instance_type: "t3.micro".into(),
                image_id: "ami-0123456789abcdef0".into(),
                subnet_id: Some(format!("subnet-{vpc}-{}", if public { "a" } else { "b" })),
                vpc_id: Some(vpc),
                private_ip: Some(format!("10.0.{}.{}", i % 250, i % 200 + 4)),
                public_ip: public.then(|| format!("203.0.113.{}", i % 250)),
                iam_instance_profile_arn: None,
                security_groups: if sg_ids.is_empty() {
                    Vec::new()
                } else {
                    vec![sg_ids[i % sg_ids.len()].clone()]
                },
                metadata_options: MetadataOptions {
                    http_tokens: if rng.chance(25) {
                        "optional"
                    } else {
                        "required"
                    }
                    .into(),
                    http_endpoint: "enabled".into(),
                    http_put_response_hop_limit: Some(1),
                },
                launch_time: Some(at(now, rng, 300)),
                tags: BTreeMap::from([("Name".into(), format!("app-{i}"))]),
            });
        }
        out.insert((*region).to_owned(), data);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use onus::snapshot::kind;

    #[test]
    fn the_same_seed_gives_the_same_snapshot_and_another_seed_another() {
        let a = snapshot(2_000, 7);
        let b = snapshot(2_000, 7);
        let c = snapshot(2_000, 8);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn the_inventory_has_about_the_requested_size_and_every_kind_of_the_mix() {
        for total in [1_000, 10_000] {
            let snap = snapshot(total, 1);
            let inventory = onus::analyze::inventory(&snap);
            let n = inventory.len();
            assert!(
                n >= total * 95 / 100 && n <= total * 105 / 100,
                "{n} resources for {total}"
            );
            for kind in [
                kind::AWS_IAM_USER,
                kind::AWS_IAM_ROLE,
                kind::AWS_IAM_POLICY,
                kind::AWS_S3_BUCKET,
                kind::AWS_EC2_SECURITY_GROUP,
                kind::AWS_EC2_INSTANCE,
                kind::AWS_EC2_VPC,
                kind::AWS_EC2_SUBNET,
            ] {
                assert!(
                    inventory.iter().any(|r| r.kind.name == kind),
                    "no {kind} in {total}"
                );
            }
        }
    }
}
