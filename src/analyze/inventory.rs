//! The inventory: every resource of a snapshot as a uniform view, in a deterministic order.

use super::iam::SnapshotFacts;
use super::resource::{Pending, Resource};
use crate::snapshot::Snapshot;

/// Every resource of the snapshot with its field map, in a deterministic order.
pub fn inventory(snapshot: &Snapshot) -> Vec<Resource> {
    let facts = SnapshotFacts::of(snapshot);
    pending(snapshot, &facts)
        .into_iter()
        .map(Pending::build)
        .collect()
}

/// Every resource of the snapshot, field maps not yet built, in a deterministic order;
/// `facts` are the snapshot's IAM facts ([`SnapshotFacts::of`]).
pub fn pending<'s>(snapshot: &'s Snapshot, facts: &SnapshotFacts) -> Vec<Pending<'s>> {
    let mut out = Vec::new();
    if let Some(aws) = &snapshot.aws {
        for account in &aws.accounts {
            let facts = facts.account(&account.account_id);
            super::aws::inventory::account(account, facts, &snapshot.coverage_gaps, &mut out);
        }
    }
    if let Some(azure) = &snapshot.azure {
        super::azure::inventory::azure(azure, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::json;

    use super::*;
    use crate::analyze::kinds;
    use crate::snapshot::{
        AwsAccount, AwsRegion, AwsResources, Collector, Provider, Route, RouteTable,
        RouteTableAssociation, Subnet, kind,
    };

    fn snapshot_with(account: AwsAccount) -> Snapshot {
        Snapshot {
            schema_version: crate::snapshot::SCHEMA_VERSION,
            provider: Provider::Aws,
            accounts: vec![account.account_id.clone()],
            regions: account.regions.keys().cloned().collect(),
            collected_at: chrono::DateTime::UNIX_EPOCH,
            collector: Collector {
                name: "test".into(),
                version: "0".into(),
                principal: None,
            },
            coverage_gaps: vec![],
            aws: Some(AwsResources {
                accounts: vec![account],
            }),
            azure: None,
        }
    }

    #[test]
    fn every_view_has_exactly_its_kinds_fields() {
        let mut region = AwsRegion::default();
        region.vpcs.push(Default::default());
        region.subnets.push(Default::default());
        region.route_tables.push(Default::default());
        region.security_groups.push(Default::default());
        region.network_acls.push(Default::default());
        region.instances.push(Default::default());
        region.lambda_functions.push(Default::default());
        region.ssm_managed_instances.push(Default::default());
        region.cloudformation_stacks.push(Default::default());
        region.glue_dev_endpoints.push(Default::default());
        region.glue_jobs.push(Default::default());
        region.sagemaker_notebook_instances.push(Default::default());
        region.codebuild_projects.push(Default::default());
        region.ecs_task_definitions.push(Default::default());
        region.launch_templates.push(Default::default());
        let mut account = AwsAccount {
            account_id: "111122223333".into(),
            ..AwsAccount::default()
        };
        account.iam.users.push(Default::default());
        account.iam.groups.push(Default::default());
        account.iam.roles.push(Default::default());
        account.iam.policies.push(Default::default());
        account.s3.buckets.push(Default::default());
        account.cloudtrail.push(Default::default());
        account.regions.insert("eu-west-1".into(), region);
        let resources = inventory(&snapshot_with(account));
        let seen: BTreeSet<&str> = resources.iter().map(|r| r.kind.name).collect();
        let all: BTreeSet<&str> = kinds::all()
            .iter()
            .filter(|k| k.name.starts_with("aws."))
            .map(|k| k.name)
            .collect();
        assert_eq!(seen, all, "every AWS kind is produced by the inventory");
        for r in &resources {
            let fields: BTreeSet<&str> = r.data.keys().map(String::as_str).collect();
            let declared: BTreeSet<&str> = r.kind.fields().iter().map(String::as_str).collect();
            assert_eq!(fields, declared, "fields of {}", r.kind.name);
        }
    }

    #[test]
    fn subnet_is_public_through_main_route_table() {
        let mut region = AwsRegion::default();
        region.subnets.push(Subnet {
            id: "subnet-1".into(),
            vpc_id: "vpc-1".into(),
            ..Subnet::default()
        });
        region.route_tables.push(RouteTable {
            id: "rtb-main".into(),
            vpc_id: "vpc-1".into(),
            associations: vec![RouteTableAssociation {
                main: true,
                subnet_id: None,
            }],
            routes: vec![Route {
                destination_cidr_block: Some("0.0.0.0/0".into()),
                gateway_id: Some("igw-1".into()),
                state: "active".into(),
                ..Route::default()
            }],
            ..RouteTable::default()
        });
        let account = AwsAccount {
            account_id: "1".into(),
            regions: [("us-east-1".to_owned(), region)].into(),
            ..AwsAccount::default()
        };
        let resources = inventory(&snapshot_with(account));
        let subnet = resources
            .iter()
            .find(|r| r.kind.name == kind::AWS_EC2_SUBNET)
            .unwrap();
        assert_eq!(subnet.data["routes_to_internet"], json!(true));
        assert_eq!(subnet.data["route_table_id"], json!("rtb-main"));
    }
}
