//! Each escalation technique with a benign twin that must not be flagged, and unknown facts.

use serde_json::{Value as Json, json};

use super::*;
use crate::snapshot::{Iam, User};

const ACCT: &str = "111122223333";

fn user(name: &str, statements: Json) -> Json {
    json!({"name": name, "arn": format!("arn:aws:iam::{ACCT}:user/{name}"), "id": format!("AIDA{name}"), "path": "/",
        "created": "2025-01-01T00:00:00Z", "password_enabled": true, "password_last_used": null, "password_last_changed": null,
        "mfa_devices": [], "access_keys": [], "groups": [], "attached_policies": [],
        "inline_policies": [{"name": "p", "document": {"Version": "2012-10-17", "Statement": statements}}], "permissions_boundary": null})
}

fn role(name: &str, trust: Json, statements: Json) -> Json {
    json!({"name": name, "arn": format!("arn:aws:iam::{ACCT}:role/{name}"), "id": format!("AROA{name}"), "path": "/",
        "created": "2025-01-01T00:00:00Z", "description": null, "assume_role_policy": {"Version": "2012-10-17", "Statement": trust},
        "max_session_duration": 3600, "attached_policies": [],
        "inline_policies": [{"name": "p", "document": {"Version": "2012-10-17", "Statement": statements}}],
        "permissions_boundary": null, "last_used": null, "instance_profiles": []})
}

fn iam(users: Vec<Json>, roles: Vec<Json>) -> Iam {
    serde_json::from_value(json!({"root": {"arn": "", "mfa_active": true, "virtual_mfa": false, "password_enabled": false,
        "password_last_used": null, "access_keys": []}, "users": users, "roles": roles}))
    .unwrap()
}

fn admin_stmt() -> Json {
    json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}])
}

fn allow(actions: &[&str], resource: &str) -> Json {
    json!([{"Effect": "Allow", "Action": actions, "Resource": resource}])
}

fn service_trust(service: &str) -> Json {
    json!([{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}])
}

/// The techniques of the escalation paths from user `who`, first path.
fn techniques(iam: &Iam, who: &str) -> Option<Vec<String>> {
    let facts = account_facts(ACCT, iam);
    let f = &facts[&format!("arn:aws:iam::{ACCT}:user/{who}")];
    assert_ne!(f.admin, None, "{f:?}");
    if f.admin == Some(true) && f.escalation_paths.as_ref().is_some_and(Vec::is_empty) {
        return Some(f.admin_reasons.clone());
    }
    f.escalation_paths
        .as_ref()
        .and_then(|p| p.first())
        .map(|p| p.iter().map(|s| s.technique.clone()).collect())
}

#[test]
fn every_technique_and_its_benign_twin() {
    let role_arn = |n: &str| format!("arn:aws:iam::{ACCT}:role/{n}");
    let user_arn = |n: &str| format!("arn:aws:iam::{ACCT}:user/{n}");
    let admin_user = user("boss", admin_stmt());
    let own = "arn:aws:iam::111122223333:user/${aws:username}";
    let cases: Vec<(&str, Vec<Json>, Vec<Json>, bool)> = vec![
        (
            "iam:CreateAccessKey",
            vec![
                user("x", allow(&["iam:CreateAccessKey"], &user_arn("*"))),
                admin_user.clone(),
            ],
            vec![],
            true,
        ),
        (
            "iam:CreateAccessKey (own only)",
            vec![
                user("x", allow(&["iam:CreateAccessKey"], own)),
                admin_user.clone(),
            ],
            vec![],
            false,
        ),
        (
            "iam:UpdateLoginProfile",
            vec![
                user("x", allow(&["iam:UpdateLoginProfile"], &user_arn("boss"))),
                admin_user.clone(),
            ],
            vec![],
            true,
        ),
        (
            "iam:UpdateLoginProfile (own only)",
            vec![
                user("x", allow(&["iam:UpdateLoginProfile"], own)),
                admin_user.clone(),
            ],
            vec![],
            false,
        ),
        (
            "sts:AssumeRole",
            vec![user("x", allow(&["sts:AssumeRole"], &role_arn("admin")))],
            vec![role(
                "admin",
                json!([{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCT}:root")}, "Action": "sts:AssumeRole"}]),
                admin_stmt(),
            )],
            true,
        ),
        (
            "sts:AssumeRole (trust names someone else)",
            vec![user("x", allow(&["sts:AssumeRole"], &role_arn("admin")))],
            vec![role(
                "admin",
                json!([{"Effect": "Allow", "Principal": {"AWS": user_arn("other")}, "Action": "sts:AssumeRole"}]),
                admin_stmt(),
            )],
            false,
        ),
        (
            "iam:UpdateAssumeRolePolicy + sts:AssumeRole",
            vec![user(
                "x",
                allow(
                    &["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"],
                    &role_arn("*"),
                ),
            )],
            vec![role(
                "admin",
                service_trust("ec2.amazonaws.com"),
                admin_stmt(),
            )],
            true,
        ),
        (
            "iam:UpdateAssumeRolePolicy alone",
            vec![user(
                "x",
                allow(&["iam:UpdateAssumeRolePolicy"], &role_arn("*")),
            )],
            vec![role(
                "admin",
                service_trust("ec2.amazonaws.com"),
                admin_stmt(),
            )],
            false,
        ),
        (
            "iam:PassRole + ec2:RunInstances",
            vec![user("x", allow(&["iam:PassRole", "ec2:RunInstances"], "*"))],
            vec![role(
                "admin",
                service_trust("ec2.amazonaws.com"),
                admin_stmt(),
            )],
            true,
        ),
        (
            "iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction",
            vec![user(
                "x",
                allow(
                    &[
                        "iam:PassRole",
                        "lambda:CreateFunction",
                        "lambda:InvokeFunction",
                    ],
                    "*",
                ),
            )],
            vec![role(
                "admin",
                service_trust("lambda.amazonaws.com"),
                admin_stmt(),
            )],
            true,
        ),
        (
            "lambda without PassRole",
            vec![user(
                "x",
                allow(&["lambda:CreateFunction", "lambda:InvokeFunction"], "*"),
            )],
            vec![role(
                "admin",
                service_trust("lambda.amazonaws.com"),
                admin_stmt(),
            )],
            false,
        ),
        (
            "iam:PassRole + cloudformation:CreateStack",
            vec![user(
                "x",
                allow(&["iam:PassRole", "cloudformation:CreateStack"], "*"),
            )],
            vec![role(
                "admin",
                service_trust("cloudformation.amazonaws.com"),
                admin_stmt(),
            )],
            true,
        ),
        (
            "iam:PassRole + glue:CreateDevEndpoint",
            vec![user(
                "x",
                allow(&["iam:PassRole", "glue:CreateDevEndpoint"], "*"),
            )],
            vec![role(
                "admin",
                service_trust("glue.amazonaws.com"),
                admin_stmt(),
            )],
            true,
        ),
        (
            "iam:PassRole + codebuild:CreateProject + codebuild:StartBuild",
            vec![user(
                "x",
                allow(
                    &[
                        "iam:PassRole",
                        "codebuild:CreateProject",
                        "codebuild:StartBuild",
                    ],
                    "*",
                ),
            )],
            vec![role(
                "admin",
                service_trust("codebuild.amazonaws.com"),
                admin_stmt(),
            )],
            true,
        ),
        (
            "iam:PassRole + sagemaker:CreateNotebookInstance + sagemaker:CreatePresignedNotebookInstanceUrl",
            vec![user(
                "x",
                allow(
                    &[
                        "iam:PassRole",
                        "sagemaker:CreateNotebookInstance",
                        "sagemaker:CreatePresignedNotebookInstanceUrl",
                    ],
                    "*",
                ),
            )],
            vec![role(
                "admin",
                service_trust("sagemaker.amazonaws.com"),
                admin_stmt(),
            )],
            true,
        ),
        (
            "PassRole to a service the role does not trust",
            vec![user("x", allow(&["iam:PassRole", "ec2:RunInstances"], "*"))],
            vec![role(
                "admin",
                service_trust("lambda.amazonaws.com"),
                admin_stmt(),
            )],
            false,
        ),
        (
            "iam:PutUserPolicy",
            vec![user("x", allow(&["iam:PutUserPolicy"], own))],
            vec![],
            true,
        ),
        (
            "iam:AttachUserPolicy",
            vec![user("x", allow(&["iam:AttachUserPolicy"], own))],
            vec![],
            true,
        ),
        (
            "iam:PutUserPolicy on others only",
            vec![user(
                "x",
                allow(&["iam:PutUserPolicy"], &user_arn("someone-else")),
            )],
            vec![],
            false,
        ),
        (
            "iam:AttachRolePolicy + sts:AssumeRole",
            vec![user(
                "x",
                allow(
                    &["iam:AttachRolePolicy", "sts:AssumeRole"],
                    &role_arn("ops"),
                ),
            )],
            vec![role(
                "ops",
                json!([{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCT}:root")}, "Action": "sts:AssumeRole"}]),
                allow(&["s3:GetObject"], "*"),
            )],
            true,
        ),
    ];
    for (name, users, roles, escalates) in cases {
        let iam = iam(users, roles);
        let got = techniques(&iam, "x");
        assert_eq!(got.is_some(), escalates, "{name}: {got:?}");
        if escalates {
            let text = got.unwrap_or_default().join(" ");
            let first = name.split(" (").next().unwrap_or(name);
            assert!(
                text.contains(first.split(" + ").next().unwrap_or(first)),
                "{name}: {text}"
            );
        }
    }
}

#[test]
fn createpolicyversion_on_an_attached_policy() {
    let mut doc: Iam = iam(vec![user("x", json!([]))], vec![]);
    let policy_arn = format!("arn:aws:iam::{ACCT}:policy/tools");
    let policy = json!({"name": "tools", "arn": policy_arn, "id": "ANPA", "path": "/", "default_version_id": "v1",
        "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": policy_arn}]},
        "attachment_count": 1, "permissions_boundary_usage_count": 0, "created": "2025-01-01T00:00:00Z", "updated": "2025-01-01T00:00:00Z"});
    doc.policies.push(serde_json::from_value(policy).unwrap());
    let u: &mut User = &mut doc.users[0];
    u.attached_policies
        .push(serde_json::from_value(json!({"name": "tools", "arn": policy_arn})).unwrap());
    let facts = account_facts(ACCT, &doc);
    let f = &facts[&format!("arn:aws:iam::{ACCT}:user/x")];
    assert_eq!(f.admin, Some(true));
    assert!(
        f.admin_reasons
            .iter()
            .any(|r| r.contains("iam:CreatePolicyVersion")),
        "{f:?}"
    );
}

#[test]
fn missing_managed_policy_makes_facts_unknown_not_false() {
    let mut doc = iam(vec![user("x", json!([]))], vec![]);
    doc.users[0].attached_policies.push(
        serde_json::from_value(json!({"name": "AdministratorAccess", "arn": "arn:aws:iam::aws:policy/AdministratorAccess"})).unwrap(),
    );
    let facts = account_facts(ACCT, &doc);
    let f = &facts[&format!("arn:aws:iam::{ACCT}:user/x")];
    assert_eq!(f.admin, None);
    assert_eq!(f.privileged, None);
    assert!(
        f.unknown
            .as_deref()
            .is_some_and(|u| u.contains("AdministratorAccess")),
        "{f:?}"
    );
    // Someone who can become x cannot be said to be harmless either.
    let mut doc2 = doc.clone();
    doc2.users
        .push(serde_json::from_value(user("y", allow(&["iam:CreateAccessKey"], "*"))).unwrap());
    let facts = account_facts(ACCT, &doc2);
    let y = &facts[&format!("arn:aws:iam::{ACCT}:user/y")];
    assert_eq!(y.admin, None, "{y:?}");
    assert_eq!(y.takeover_count, Some(1));
}

#[test]
fn takeover_names_targets_and_mfa_conditions() {
    let support = json!([{"Effect": "Allow", "Action": ["iam:UpdateLoginProfile", "iam:CreateAccessKey"], "Resource": "arn:aws:iam::111122223333:user/*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]);
    let doc = iam(
        vec![
            user("support", support),
            user("alice", allow(&["s3:GetObject"], "*")),
        ],
        vec![],
    );
    let facts = account_facts(ACCT, &doc);
    let s = &facts[&format!("arn:aws:iam::{ACCT}:user/support")];
    let t = s.takeover.as_ref().unwrap();
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].identity, "alice");
    let techniques: Vec<&str> = t[0].rights.iter().map(|r| r.technique.as_str()).collect();
    assert_eq!(
        techniques,
        vec!["iam:UpdateLoginProfile", "iam:CreateAccessKey"]
    );
    assert!(
        t[0].rights
            .iter()
            .all(|r| r.requires_mfa && !r.conditions.is_empty())
    );
    assert_eq!(s.privileged, Some(true));
    assert_eq!(s.mfa_enforced, Some(true));
    let a = &facts[&format!("arn:aws:iam::{ACCT}:user/alice")];
    assert_eq!(a.privileged, Some(false));
}
