//! Questions rules ask of one policy document: full administrator statements, statements open
//! to anyone, and whether insecure transport is refused.

use super::matcher::wildcard_match;
use super::policy::{Principal, Statement};

/// Condition keys that confine a statement to the owner's organisation, accounts or
/// networks, so `"Principal": "*"` with one of them is not public.
const CONFINING_KEYS: &[&str] = &[
    "aws:sourceip",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:userid",
    "aws:username",
    "aws:sourceowner",
    "s3:dataaccesspointaccount",
    "s3:dataaccesspointarn",
];

impl Statement {
    /// Whether a condition confines the statement to known accounts, organisations or networks
    /// (a wildcard value confines nothing).
    pub fn is_confined(&self) -> bool {
        self.conditions.iter().any(|c| {
            let op = c.operator.to_lowercase();
            let negated = op.contains("not");
            CONFINING_KEYS.contains(&c.key.to_lowercase().as_str())
                && !negated
                && !c.values.is_empty()
                && c.values
                    .iter()
                    .all(|v| v != "*" && v != "0.0.0.0/0" && v != "::/0")
        })
    }

    /// Whether the statement's actions cover `action` (`NotAction` counts as everything else).
    pub fn covers_action(&self, action: &str) -> bool {
        if !self.not_actions.is_empty() {
            return !self.not_actions.iter().any(|p| wildcard_match(p, action));
        }
        self.actions.iter().any(|p| wildcard_match(p, action))
    }

    fn grants_to_anyone(&self) -> bool {
        self.principal.as_ref().is_some_and(Principal::is_anyone) || self.not_principal.is_some()
    }
}

/// Allow statements that grant everything on everything (`"Action": "*"`, `"Resource": "*"`).
pub fn full_admin_statements(statements: &[Statement]) -> Vec<String> {
    statements
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            s.allow
                && s.not_actions.is_empty()
                && s.actions.iter().any(|a| a == "*" || a == "*:*")
                && s.resources.iter().any(|r| r == "*")
        })
        .map(|(i, s)| s.label(i))
        .collect()
}

/// Allow statements open to anyone (`"*"`, `{"AWS": "*"}` or `NotPrincipal`) with no
/// condition confining them to an organisation, account or network.
pub fn public_statements(statements: &[Statement]) -> Vec<String> {
    statements
        .iter()
        .enumerate()
        .filter(|(_, s)| s.allow && s.grants_to_anyone() && !s.is_confined())
        .map(|(i, s)| s.label(i))
        .collect()
}

/// Whether a Deny statement refuses requests that do not use TLS, for every principal and
/// every S3 action: `"Condition": {"Bool": {"aws:SecureTransport": "false"}}`, or a minimum
/// `s3:TlsVersion` with `NumericLessThan`.
pub fn denies_insecure_transport(statements: &[Statement]) -> bool {
    statements.iter().any(|s| {
        !s.allow
            && s.principal.as_ref().is_some_and(Principal::is_anyone)
            && s.covers_action("s3:GetObject")
            && s.covers_action("s3:PutObject")
            && s.conditions.iter().any(|c| {
                let op = c.operator.to_lowercase();
                let key = c.key.to_lowercase();
                (key == "aws:securetransport"
                    && (op == "bool" || op == "boolifexists")
                    && c.values.iter().any(|v| v.eq_ignore_ascii_case("false")))
                    || (key == "s3:tlsversion" && op.starts_with("numericlessthan"))
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::iam::policy::statements;
    use serde_json::json;

    #[test]
    fn string_documents_are_parsed() {
        let doc =
            json!("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}");
        assert_eq!(
            full_admin_statements(&statements(&doc).unwrap()),
            vec!["statement #1"]
        );
    }

    #[test]
    fn public_unless_confined() {
        let open = statements(&json!({"Statement": [{"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]})).unwrap();
        assert_eq!(public_statements(&open), vec!["statement Open"]);
        let org = statements(&json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}}]})).unwrap();
        assert!(public_statements(&org).is_empty());
        let fake = statements(&json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": "*",
            "Condition": {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}}]})).unwrap();
        assert_eq!(public_statements(&fake).len(), 1);
        let account = statements(&json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:*", "Resource": "*"}]})).unwrap();
        assert!(public_statements(&account).is_empty());
    }

    #[test]
    fn tls_only_policy_is_recognised() {
        let tls = statements(&json!({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})).unwrap();
        assert!(denies_insecure_transport(&tls));
        let only_get = statements(&json!({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})).unwrap();
        assert!(!denies_insecure_transport(&only_get));
        let allow = statements(&json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]})).unwrap();
        assert!(!denies_insecure_transport(&allow));
    }

    #[test]
    fn full_admin_needs_both_wildcards() {
        let scoped = statements(&json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b"}]})).unwrap();
        assert!(full_admin_statements(&scoped).is_empty());
        let deny =
            statements(&json!({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}))
                .unwrap();
        assert!(full_admin_statements(&deny).is_empty());
    }
}
