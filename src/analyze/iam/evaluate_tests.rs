//! Table-driven tests of the evaluator.

use serde_json::{Value as Json, json};

use super::*;
use crate::analyze::iam::policy::statements;

fn policy(name: &str, doc: Json) -> Policy {
    Policy {
        name: name.into(),
        statements: statements(&json!({"Version": "2012-10-17", "Statement": doc})).unwrap(),
    }
}

fn alice() -> Vars {
    Vars {
        username: Some("alice".into()),
        userid: Some("AIDAALICE".into()),
        account: Some("111122223333".into()),
    }
}

fn ask(policies: &[Policy], boundary: Option<&Policy>, action: &str, resource: &str) -> Decision {
    let refs: Vec<&Policy> = policies.iter().collect();
    let vars = alice();
    decide(
        &refs,
        boundary,
        &Request {
            action,
            resource,
            vars: &vars,
        },
    )
}

#[derive(Debug, PartialEq)]
enum Want {
    Unconditional,
    Conditional,
    Explicit,
    Implicit,
}

fn outcome(d: &Decision) -> Want {
    match d {
        Decision::Allowed(g) if g.unconditional() => Want::Unconditional,
        Decision::Allowed(_) => Want::Conditional,
        Decision::ExplicitDeny(_) => Want::Explicit,
        Decision::ImplicitDeny => Want::Implicit,
    }
}

#[test]
fn decisions_table() {
    use Want::*;
    let user_arn = "arn:aws:iam::111122223333:user/bob";
    let table: Vec<(&str, Vec<Json>, &str, &str, Want)> = vec![
        (
            "plain allow",
            vec![json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})],
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            Unconditional,
        ),
        (
            "nothing allows",
            vec![json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})],
            "s3:PutObject",
            "arn:aws:s3:::b/k",
            Implicit,
        ),
        (
            "service wildcard",
            vec![json!({"Effect": "Allow", "Action": "*:Get*", "Resource": "*"})],
            "s3:GetObject",
            "x",
            Unconditional,
        ),
        (
            "action wildcard, other case",
            vec![json!({"Effect": "Allow", "Action": "IAM:create*", "Resource": "*"})],
            "iam:CreateAccessKey",
            user_arn,
            Unconditional,
        ),
        (
            "question mark",
            vec![json!({"Effect": "Allow", "Action": "iam:?etUser", "Resource": "*"})],
            "iam:GetUser",
            user_arn,
            Unconditional,
        ),
        (
            "NotAction allows the rest",
            vec![json!({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})],
            "ec2:RunInstances",
            "*",
            Unconditional,
        ),
        (
            "NotAction excludes",
            vec![
                json!({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}),
            ],
            "iam:CreateUser",
            "*",
            Implicit,
        ),
        (
            "NotResource allows the rest",
            vec![
                json!({"Effect": "Allow", "Action": "iam:*", "NotResource": "arn:aws:iam::111122223333:user/admin"}),
            ],
            "iam:CreateAccessKey",
            user_arn,
            Unconditional,
        ),
        (
            "NotResource excludes",
            vec![
                json!({"Effect": "Allow", "Action": "iam:*", "NotResource": "arn:aws:iam::111122223333:user/b*"}),
            ],
            "iam:CreateAccessKey",
            user_arn,
            Implicit,
        ),
        (
            "deny beats allow across policies",
            vec![
                json!({"Effect": "Allow", "Action": "*", "Resource": "*"}),
                json!({"Effect": "Deny", "Action": "iam:Create*", "Resource": "*"}),
            ],
            "iam:CreateAccessKey",
            user_arn,
            Explicit,
        ),
        (
            "deny elsewhere leaves allow",
            vec![
                json!({"Effect": "Allow", "Action": "*", "Resource": "*"}),
                json!({"Effect": "Deny", "Action": "iam:Create*", "Resource": "arn:aws:iam::111122223333:user/root-ish"}),
            ],
            "iam:CreateAccessKey",
            user_arn,
            Unconditional,
        ),
        (
            "conditional allow",
            vec![
                json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}),
            ],
            "iam:CreateUser",
            "*",
            Conditional,
        ),
        (
            "conditional deny makes allow conditional",
            vec![
                json!({"Effect": "Allow", "Action": "*", "Resource": "*"}),
                json!({"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}),
            ],
            "iam:CreateUser",
            "*",
            Conditional,
        ),
        (
            "unconditional allow wins over conditional allow",
            vec![
                json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}),
                json!({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}),
            ],
            "s3:GetObject",
            "arn:aws:s3:::b",
            Unconditional,
        ),
        (
            "username variable matches self",
            vec![
                json!({"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "arn:aws:iam::111122223333:user/${aws:username}"}),
            ],
            "iam:CreateAccessKey",
            "arn:aws:iam::111122223333:user/alice",
            Unconditional,
        ),
        (
            "username variable does not match others",
            vec![
                json!({"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "arn:aws:iam::111122223333:user/${aws:username}"}),
            ],
            "iam:CreateAccessKey",
            user_arn,
            Implicit,
        ),
        (
            "unknown variable matches nothing",
            vec![
                json!({"Effect": "Allow", "Action": "iam:*", "Resource": "arn:aws:iam::111122223333:user/${aws:PrincipalTag/team}/*"}),
            ],
            "iam:CreateAccessKey",
            user_arn,
            Implicit,
        ),
    ];
    for (name, docs, action, resource, want) in table {
        let policies: Vec<Policy> = docs
            .into_iter()
            .enumerate()
            .map(|(i, d)| policy(&format!("p{i}"), d))
            .collect();
        let got = ask(&policies, None, action, resource);
        assert_eq!(outcome(&got), want, "{name}: {got:?}");
    }
}

#[test]
fn boundaries_intersect() {
    let admin = [policy(
        "admin",
        json!({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    )];
    let s3_only = policy(
        "boundary",
        json!({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}),
    );
    assert_eq!(
        outcome(&ask(&admin, Some(&s3_only), "s3:GetObject", "x")),
        Want::Unconditional
    );
    assert_eq!(
        outcome(&ask(&admin, Some(&s3_only), "iam:CreateUser", "*")),
        Want::Implicit
    );
    // A boundary grants nothing by itself.
    let none = [policy(
        "none",
        json!({"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}),
    )];
    assert_eq!(
        outcome(&ask(&none, Some(&s3_only), "s3:GetObject", "x")),
        Want::Implicit
    );
    // A Deny in the boundary denies.
    let deny = policy(
        "b",
        json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]),
    );
    assert_eq!(
        outcome(&ask(&admin, Some(&deny), "iam:CreateUser", "*")),
        Want::Explicit
    );
    // Conditions of the boundary are carried into the answer.
    let mfa_boundary = policy(
        "b",
        json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}),
    );
    let got = ask(&admin, Some(&mfa_boundary), "iam:CreateUser", "*");
    assert!(got.grant().unwrap().demands(Protection::Mfa), "{got:?}");
}

#[test]
fn conditions_are_named_not_dropped() {
    let p = [policy(
        "admin",
        json!({"Sid": "AdminWithMfa", "Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {
        "Bool": {"aws:MultiFactorAuthPresent": "true"}, "IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}}),
    )];
    let d = ask(&p, None, "iam:CreateUser", "*");
    let g = d.grant().unwrap();
    assert!(!g.unconditional());
    assert!(g.demands(Protection::Mfa));
    assert!(g.demands(Protection::Network));
    let keys: Vec<&str> = g
        .conditions()
        .iter()
        .map(|r| r.condition.key.as_str())
        .collect();
    assert_eq!(keys, vec!["aws:MultiFactorAuthPresent", "aws:SourceIp"]);
    assert_eq!(g.sources()[0].describe(), "statement AdminWithMfa of admin");
}

#[test]
fn mfa_is_required_only_when_every_way_requires_it() {
    let deny_without_mfa = [
        policy(
            "admin",
            json!({"Effect": "Allow", "Action": "*", "Resource": "*"}),
        ),
        policy(
            "force-mfa",
            json!({"Effect": "Deny", "NotAction": ["iam:ChangePassword", "iam:*MFADevice"], "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}),
        ),
    ];
    assert!(
        ask(&deny_without_mfa, None, "iam:CreateUser", "*")
            .grant()
            .unwrap()
            .demands(Protection::Mfa)
    );
    let two_ways = [
        policy(
            "a",
            json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}),
        ),
        policy(
            "b",
            json!({"Effect": "Allow", "Action": "iam:*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}),
        ),
    ];
    let g = ask(&two_ways, None, "iam:CreateUser", "*");
    let g = g.grant().unwrap();
    assert!(!g.demands(Protection::Mfa));
    assert!(!g.demands(Protection::Network));
    // IfExists on an Allow lets requests without the key through: not a requirement.
    let if_exists = [policy(
        "c",
        json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}}),
    )];
    assert!(
        !ask(&if_exists, None, "iam:CreateUser", "*")
            .grant()
            .unwrap()
            .demands(Protection::Mfa)
    );
    // A world-wide network condition restricts nothing.
    let world = [policy(
        "d",
        json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}}),
    )];
    assert!(
        !ask(&world, None, "iam:CreateUser", "*")
            .grant()
            .unwrap()
            .demands(Protection::Network)
    );
}

#[test]
fn resource_policies_apply_where_they_matter() {
    let vars = alice();
    let caller = "arn:aws:iam::111122223333:user/alice";
    let req = Request {
        action: "s3:GetObject",
        resource: "arn:aws:s3:::b/k",
        vars: &vars,
    };
    let bucket = policy(
        "bucket policy of b",
        json!({"Effect": "Allow", "Principal": {"AWS": caller}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}),
    );
    // Same account: the bucket policy alone grants.
    let got = with_resource_policy(
        Decision::ImplicitDeny,
        &bucket,
        caller,
        "111122223333",
        &req,
        ResourceMode::Either,
    );
    assert_eq!(outcome(&got), Want::Unconditional);
    // A Deny in the bucket policy beats an identity Allow.
    let deny = policy(
        "bucket policy of b",
        json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}),
    );
    let allowed = ask(
        &[policy(
            "p",
            json!({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}),
        )],
        None,
        "s3:GetObject",
        "arn:aws:s3:::b/k",
    );
    assert_eq!(
        outcome(&with_resource_policy(
            allowed,
            &deny,
            caller,
            "111122223333",
            &req,
            ResourceMode::Either
        )),
        Want::Explicit
    );
    // Trust naming the account: the identity must allow too.
    let assume = Request {
        action: "sts:AssumeRole",
        resource: "arn:aws:iam::111122223333:role/r",
        vars: &vars,
    };
    let trust = policy(
        "trust",
        json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}),
    );
    assert_eq!(
        outcome(&with_resource_policy(
            Decision::ImplicitDeny,
            &trust,
            caller,
            "111122223333",
            &assume,
            ResourceMode::Required
        )),
        Want::Implicit
    );
    let may = ask(
        &[policy(
            "p",
            json!({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}),
        )],
        None,
        "sts:AssumeRole",
        "arn:aws:iam::111122223333:role/r",
    );
    assert_eq!(
        outcome(&with_resource_policy(
            may.clone(),
            &trust,
            caller,
            "111122223333",
            &assume,
            ResourceMode::Required
        )),
        Want::Unconditional
    );
    // A trust that does not name the caller: identity alone is not enough.
    let other = policy(
        "trust",
        json!({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}),
    );
    assert_eq!(
        outcome(&with_resource_policy(
            may,
            &other,
            caller,
            "111122223333",
            &assume,
            ResourceMode::Required
        )),
        Want::Implicit
    );
    // A trust naming the caller itself grants without an identity policy, under its conditions.
    let direct = policy(
        "trust",
        json!({"Effect": "Allow", "Principal": {"AWS": caller}, "Action": "sts:AssumeRole",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}),
    );
    let got = with_resource_policy(
        Decision::ImplicitDeny,
        &direct,
        caller,
        "111122223333",
        &assume,
        ResourceMode::Required,
    );
    assert!(got.grant().unwrap().demands(Protection::Mfa));
}
