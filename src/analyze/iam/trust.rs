//! Trust analysis of a role: who may assume it, and the ways a trust policy is weaker than it
//! looks (open to anyone, another account without an external id, a federated provider without
//! audience or subject, a service without the source it acts for).

use serde::Serialize;

use super::policy::{Statement, statements};
use super::questions;

/// One weakness of a trust policy.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct TrustWeakness {
    /// `open`, `cross-account-without-external-id`, `federated-without-conditions` or
    /// `service-without-source`.
    pub kind: &'static str,
    /// The principal the statement trusts.
    pub principal: String,
    /// `statement SID` or `statement #N`.
    pub statement: String,
    /// What is wrong, in a sentence.
    pub detail: String,
}

const ASSUME_ACTIONS: &[&str] = &[
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
];

/// Services that assume a role only on the request of someone in the role's own account who is
/// allowed to pass it (`iam:PassRole`), so there is no confused deputy to guard against.
const PASSED_ROLE_SERVICES: &[&str] = &[
    "ec2.amazonaws.com",
    "lambda.amazonaws.com",
    "edgelambda.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "eks.amazonaws.com",
    "eks-fargate-pods.amazonaws.com",
    "build.apprunner.amazonaws.com",
    "tasks.apprunner.amazonaws.com",
];

fn has_key(s: &Statement, pred: impl Fn(&str) -> bool) -> bool {
    s.conditions.iter().any(|c| {
        !c.is_negative()
            && !c.values.is_empty()
            && !c.values.iter().all(|v| v == "*")
            && pred(&c.key_lower())
    })
}

fn account_of(arn_or_id: &str) -> Option<&str> {
    if arn_or_id.len() == 12 && arn_or_id.chars().all(|c| c.is_ascii_digit()) {
        return Some(arn_or_id);
    }
    let mut parts = arn_or_id.split(':');
    match (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) {
        (Some("arn"), Some(_), Some(_), Some(_), Some(acct)) if !acct.is_empty() => Some(acct),
        _ => None,
    }
}

/// The weaknesses of a role's trust policy. `account` is the role's own account. A trust
/// policy that cannot be read is an error: its weaknesses are unknown.
pub fn weaknesses(
    trust: &serde_json::Value,
    account: &str,
) -> Result<Vec<TrustWeakness>, super::policy::MalformedPolicy> {
    let stmts = statements(trust)?;
    let mut out = Vec::new();
    for (i, s) in stmts.iter().enumerate() {
        if !s.allow || !ASSUME_ACTIONS.iter().any(|a| s.covers_action(a)) {
            continue;
        }
        let label = s.label(i);
        let mut push = |kind, principal: &str, detail: String| {
            out.push(TrustWeakness {
                kind,
                principal: principal.to_owned(),
                statement: label.clone(),
                detail,
            });
        };
        if !questions::public_statements(std::slice::from_ref(s)).is_empty() {
            let who = if s.not_principal.is_some() {
                "NotPrincipal"
            } else {
                "*"
            };
            push(
                "open",
                who,
                "any AWS principal in any account can assume the role: no condition limits it to an organisation, account or network".into(),
            );
            continue;
        }
        let Some(p) = &s.principal else { continue };
        let guarded = has_key(s, |k| {
            matches!(
                k,
                "sts:externalid"
                    | "aws:principalorgid"
                    | "aws:principalorgpaths"
                    | "aws:multifactorauthpresent"
            )
        });
        for aws in &p.aws {
            let Some(other) = account_of(aws).filter(|a| *a != account) else {
                continue;
            };
            if !guarded {
                push(
                    "cross-account-without-external-id",
                    aws,
                    format!(
                        "account {other} can assume the role without an sts:ExternalId (or organisation or MFA) condition: a third party acting for several customers can be tricked into using it (confused deputy)"
                    ),
                );
            }
        }
        for fed in &p.federated {
            let provider = fed
                .rsplit_once(":oidc-provider/")
                .map(|(_, h)| h.to_ascii_lowercase());
            let audience = |k: &str| k.ends_with(":aud") || k == "saml:aud";
            let subject = |k: &str| k.ends_with(":sub") || k.ends_with(":amr");
            let ok = match provider.as_deref() {
                // GitHub's audience is the same for every repository: only the subject limits.
                Some("token.actions.githubusercontent.com") => has_key(s, subject),
                Some(_) => has_key(s, |k| audience(k) || subject(k)),
                None if fed.contains(":saml-provider/") => has_key(s, audience),
                None => has_key(s, |k| audience(k) || subject(k)),
            };
            if !ok {
                push(
                    "federated-without-conditions",
                    fed,
                    format!(
                        "any identity {fed} vouches for can assume the role: no audience or subject condition names who"
                    ),
                );
            }
        }
        for svc in &p.service {
            let passed = PASSED_ROLE_SERVICES
                .iter()
                .any(|p| p.eq_ignore_ascii_case(svc));
            let sourced = has_key(s, |k| {
                matches!(
                    k,
                    "aws:sourceaccount"
                        | "aws:sourcearn"
                        | "aws:sourceorgid"
                        | "aws:sourceorgpaths"
                )
            });
            if !passed && !sourced {
                push(
                    "service-without-source",
                    svc,
                    format!(
                        "{svc} can assume the role on behalf of any account: no aws:SourceAccount or aws:SourceArn condition (confused deputy)"
                    ),
                );
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn kinds(trust: serde_json::Value) -> Vec<&'static str> {
        weaknesses(
            &json!({"Version": "2012-10-17", "Statement": trust}),
            "111122223333",
        )
        .unwrap()
        .into_iter()
        .map(|w| w.kind)
        .collect()
    }

    #[test]
    fn each_weakness_and_its_benign_twin() {
        let table: Vec<(serde_json::Value, Vec<&str>)> = vec![
            // open
            (
                json!({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}),
                vec!["open"],
            ),
            (
                json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}),
                vec!["open"],
            ),
            (
                json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}}),
                vec![],
            ),
            // cross-account
            (
                json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole"}),
                vec!["cross-account-without-external-id"],
            ),
            (
                json!({"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "sts:AssumeRole"}),
                vec!["cross-account-without-external-id"],
            ),
            (
                json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": "7d1c"}}}),
                vec![],
            ),
            (
                json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}),
                vec![],
            ),
            // federated
            (
                json!({"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}}),
                vec!["federated-without-conditions"],
            ),
            (
                json!({"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main"}}}),
                vec![],
            ),
            (
                json!({"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/okta"}, "Action": "sts:AssumeRoleWithSAML"}),
                vec!["federated-without-conditions"],
            ),
            (
                json!({"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/okta"}, "Action": "sts:AssumeRoleWithSAML",
                "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}),
                vec![],
            ),
            // services
            (
                json!({"Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"}, "Action": "sts:AssumeRole"}),
                vec!["service-without-source"],
            ),
            (
                json!({"Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"}, "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}),
                vec![],
            ),
            (
                json!({"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com"]}, "Action": "sts:AssumeRole"}),
                vec![],
            ),
            // not a grant of assumption
            (
                json!({"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"}),
                vec![],
            ),
        ];
        for (statement, expected) in table {
            assert_eq!(kinds(statement.clone()), expected, "{statement}");
        }
    }

    #[test]
    fn malformed_trust_is_an_error() {
        assert!(weaknesses(&json!({"Statement": [{"Effect": "Perhaps"}]}), "1").is_err());
    }
}
