//! The AWS policy document language, read tolerantly: statements, principals, actions,
//! resources and conditions in every legal shape, and the questions rules ask of them.

use serde_json::Value as Json;

/// One statement, with single values widened to lists.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Statement {
    pub sid: Option<String>,
    pub allow: bool,
    pub principal: Option<Principal>,
    pub not_principal: Option<Principal>,
    pub actions: Vec<String>,
    pub not_actions: Vec<String>,
    pub resources: Vec<String>,
    pub not_resources: Vec<String>,
    /// `(operator, key, values)` triples, e.g. `("Bool", "aws:SecureTransport", ["false"])`.
    pub conditions: Vec<Condition>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub operator: String,
    pub key: String,
    pub values: Vec<String>,
}

/// A `Principal` element: `"*"` or a map of principal types to lists.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Principal {
    pub any: bool,
    pub aws: Vec<String>,
    pub service: Vec<String>,
    pub federated: Vec<String>,
    pub canonical_user: Vec<String>,
}

impl Principal {
    /// Anyone at all: `"*"` or `{"AWS": "*"}`.
    pub fn is_anyone(&self) -> bool {
        self.any || self.aws.iter().any(|p| p == "*")
    }
}

/// A policy document that is not a JSON object with a `Statement`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed policy document: {0}")]
pub struct MalformedPolicy(pub String);

/// Reads a policy document (an object, or a JSON string holding one).
pub fn statements(doc: &Json) -> Result<Vec<Statement>, MalformedPolicy> {
    let owned;
    let doc = match doc {
        Json::String(s) => {
            owned = serde_json::from_str::<Json>(s).map_err(|e| MalformedPolicy(e.to_string()))?;
            &owned
        }
        other => other,
    };
    let obj = doc
        .as_object()
        .ok_or_else(|| MalformedPolicy("not a JSON object".into()))?;
    let raw = obj
        .get("Statement")
        .ok_or_else(|| MalformedPolicy("no Statement".into()))?;
    let list: Vec<&Json> = match raw {
        Json::Array(items) => items.iter().collect(),
        Json::Object(_) => vec![raw],
        _ => {
            return Err(MalformedPolicy(
                "Statement is neither an object nor a list".into(),
            ));
        }
    };
    list.into_iter().map(statement).collect()
}

fn statement(raw: &Json) -> Result<Statement, MalformedPolicy> {
    let obj = raw
        .as_object()
        .ok_or_else(|| MalformedPolicy("a statement is not an object".into()))?;
    let allow = match obj.get("Effect").and_then(Json::as_str) {
        Some("Allow") => true,
        Some("Deny") => false,
        other => return Err(MalformedPolicy(format!("Effect is {other:?}"))),
    };
    Ok(Statement {
        sid: obj.get("Sid").and_then(Json::as_str).map(str::to_owned),
        allow,
        principal: obj.get("Principal").map(principal).transpose()?,
        not_principal: obj.get("NotPrincipal").map(principal).transpose()?,
        actions: strings(obj.get("Action"))?,
        not_actions: strings(obj.get("NotAction"))?,
        resources: strings(obj.get("Resource"))?,
        not_resources: strings(obj.get("NotResource"))?,
        conditions: conditions(obj.get("Condition"))?,
    })
}

fn strings(value: Option<&Json>) -> Result<Vec<String>, MalformedPolicy> {
    match value {
        None => Ok(Vec::new()),
        Some(Json::String(s)) => Ok(vec![s.clone()]),
        Some(Json::Array(items)) => items
            .iter()
            .map(|i| match i {
                Json::String(s) => Ok(s.clone()),
                Json::Bool(b) => Ok(b.to_string()),
                Json::Number(n) => Ok(n.to_string()),
                _ => Err(MalformedPolicy(format!("expected a string, found {i}"))),
            })
            .collect(),
        Some(Json::Bool(b)) => Ok(vec![b.to_string()]),
        Some(Json::Number(n)) => Ok(vec![n.to_string()]),
        Some(other) => Err(MalformedPolicy(format!(
            "expected a string or list, found {other}"
        ))),
    }
}

fn principal(value: &Json) -> Result<Principal, MalformedPolicy> {
    match value {
        Json::String(s) if s == "*" => Ok(Principal {
            any: true,
            ..Principal::default()
        }),
        Json::Object(map) => {
            let mut p = Principal::default();
            for (kind, v) in map {
                let list = strings(Some(v))?;
                match kind.as_str() {
                    "AWS" => p.aws = list,
                    "Service" => p.service = list,
                    "Federated" => p.federated = list,
                    "CanonicalUser" => p.canonical_user = list,
                    other => {
                        return Err(MalformedPolicy(format!("unknown principal type {other}")));
                    }
                }
            }
            Ok(p)
        }
        other => Err(MalformedPolicy(format!("Principal is {other}"))),
    }
}

fn conditions(value: Option<&Json>) -> Result<Vec<Condition>, MalformedPolicy> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let ops = value
        .as_object()
        .ok_or_else(|| MalformedPolicy("Condition is not an object".into()))?;
    let mut out = Vec::new();
    for (operator, keys) in ops {
        let keys = keys
            .as_object()
            .ok_or_else(|| MalformedPolicy(format!("Condition {operator} is not an object")))?;
        for (key, values) in keys {
            out.push(Condition {
                operator: operator.clone(),
                key: key.clone(),
                values: strings(Some(values))?,
            });
        }
    }
    Ok(out)
}

/// Case-insensitive match of an IAM action or ARN pattern with `*` and `?` wildcards.
pub fn wildcard_match(pattern: &str, value: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let v: Vec<char> = value.to_lowercase().chars().collect();
    let (mut pi, mut vi) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while vi < v.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == v[vi]) {
            pi += 1;
            vi += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = vi;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            vi = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

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
        .map(|(i, s)| label(i, s))
        .collect()
}

/// Allow statements open to anyone (`"*"`, `{"AWS": "*"}` or `NotPrincipal`) with no
/// condition confining them to an organisation, account or network.
pub fn public_statements(statements: &[Statement]) -> Vec<String> {
    statements
        .iter()
        .enumerate()
        .filter(|(_, s)| s.allow && s.grants_to_anyone() && !s.is_confined())
        .map(|(i, s)| label(i, s))
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

fn label(index: usize, s: &Statement) -> String {
    match &s.sid {
        Some(sid) if !sid.is_empty() => format!("statement {sid}"),
        _ => format!("statement #{}", index + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn single_values_and_lists_read_the_same() {
        let a = statements(
            &json!({"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}),
        )
        .unwrap();
        let b = statements(&json!({"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]}]})).unwrap();
        assert_eq!(a, b);
    }

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
    fn malformed_documents_are_errors_not_panics() {
        assert!(statements(&json!([1, 2])).is_err());
        assert!(statements(&json!({"Statement": [{"Effect": "Maybe"}]})).is_err());
        assert!(statements(&json!("{not json")).is_err());
        assert!(statements(&json!({"Statement": [{"Effect": "Allow", "Principal": 7}]})).is_err());
    }

    #[test]
    fn wildcards_are_case_insensitive() {
        assert!(wildcard_match("iam:*", "IAM:CreateUser"));
        assert!(wildcard_match("s3:Get*", "s3:getobject"));
        assert!(wildcard_match("ec2:Describe?pc*", "ec2:DescribeVpcs"));
        assert!(!wildcard_match("s3:Get*", "s3:PutObject"));
        assert!(wildcard_match("*", ""));
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
