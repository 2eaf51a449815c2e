//! The AWS policy document language, read tolerantly: statements, principals, actions,
//! resources and conditions in every legal shape (single values or lists, `Not*` elements,
//! condition operators with `…IfExists` and `ForAnyValue:`/`ForAllValues:` qualifiers).
//! A document that is not a policy is an error value, never a panic.

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
    pub conditions: Vec<Condition>,
}

/// One condition test: `operator` as written (e.g. `ForAnyValue:StringLikeIfExists`), a key,
/// and the values it is compared with.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Condition {
    pub operator: String,
    pub key: String,
    pub values: Vec<String>,
}

/// How a condition treats a multi-valued key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetQualifier {
    None,
    ForAnyValue,
    ForAllValues,
}

impl Condition {
    /// The set qualifier, if any.
    pub fn qualifier(&self) -> SetQualifier {
        let op = self.operator.to_ascii_lowercase();
        if op.starts_with("foranyvalue:") {
            SetQualifier::ForAnyValue
        } else if op.starts_with("forallvalues:") {
            SetQualifier::ForAllValues
        } else {
            SetQualifier::None
        }
    }

    /// Whether the operator ends in `IfExists` (a missing key satisfies the test).
    pub fn if_exists(&self) -> bool {
        self.operator.to_ascii_lowercase().ends_with("ifexists")
    }

    /// The operator without qualifier and `IfExists`, lower-cased: `stringequals`, `bool`, …
    pub fn base_operator(&self) -> String {
        let op = self.operator.to_ascii_lowercase();
        let op = op.rsplit(':').next().unwrap_or_default();
        op.strip_suffix("ifexists").unwrap_or(op).to_owned()
    }

    /// The key, lower-cased (condition keys are case-insensitive).
    pub fn key_lower(&self) -> String {
        self.key.to_ascii_lowercase()
    }

    /// Whether the operator tests for absence or inequality (`StringNotEquals`, `NotIpAddress`,
    /// `ArnNotLike`, …).
    pub fn is_negative(&self) -> bool {
        self.base_operator().contains("not")
    }

    /// `StringEquals aws:SourceIp 10.0.0.0/8` style, for messages.
    pub fn describe(&self) -> String {
        format!("{} {} {}", self.operator, self.key, self.values.join(", "))
    }
}

const OPERATORS: &[&str] = &[
    "stringequals",
    "stringnotequals",
    "stringequalsignorecase",
    "stringnotequalsignorecase",
    "stringlike",
    "stringnotlike",
    "numericequals",
    "numericnotequals",
    "numericlessthan",
    "numericlessthanequals",
    "numericgreaterthan",
    "numericgreaterthanequals",
    "dateequals",
    "datenotequals",
    "datelessthan",
    "datelessthanequals",
    "dategreaterthan",
    "dategreaterthanequals",
    "bool",
    "binaryequals",
    "ipaddress",
    "notipaddress",
    "arnequals",
    "arnlike",
    "arnnotequals",
    "arnnotlike",
    "null",
];

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
    let s = Statement {
        sid: obj.get("Sid").and_then(Json::as_str).map(str::to_owned),
        allow,
        principal: obj.get("Principal").map(principal).transpose()?,
        not_principal: obj.get("NotPrincipal").map(principal).transpose()?,
        actions: strings(obj.get("Action"))?,
        not_actions: strings(obj.get("NotAction"))?,
        resources: strings(obj.get("Resource"))?,
        not_resources: strings(obj.get("NotResource"))?,
        conditions: conditions(obj.get("Condition"))?,
    };
    if obj.contains_key("Action") && obj.contains_key("NotAction") {
        return Err(MalformedPolicy(
            "a statement has both Action and NotAction".into(),
        ));
    }
    if obj.contains_key("Resource") && obj.contains_key("NotResource") {
        return Err(MalformedPolicy(
            "a statement has both Resource and NotResource".into(),
        ));
    }
    if obj.contains_key("Principal") && obj.contains_key("NotPrincipal") {
        return Err(MalformedPolicy(
            "a statement has both Principal and NotPrincipal".into(),
        ));
    }
    Ok(s)
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
            let c = Condition {
                operator: operator.clone(),
                key: key.clone(),
                values: strings(Some(values))?,
            };
            let lower = operator.to_ascii_lowercase();
            let qualified = lower.starts_with("foranyvalue:") || lower.starts_with("forallvalues:");
            if (lower.contains(':') && !qualified)
                || !OPERATORS.contains(&c.base_operator().as_str())
            {
                return Err(MalformedPolicy(format!(
                    "unknown condition operator {operator}"
                )));
            }
            out.push(c);
        }
    }
    Ok(out)
}

impl Statement {
    /// `statement SID`, or `statement #N` (1-based) when it has no Sid.
    pub fn label(&self, index: usize) -> String {
        match &self.sid {
            Some(sid) if !sid.is_empty() => format!("statement {sid}"),
            _ => format!("statement #{}", index + 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
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
    fn every_principal_form_is_read() {
        let s = statements(&json!({"Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::1:root", "2"], "Service": "ec2.amazonaws.com",
              "Federated": "cognito-identity.amazonaws.com", "CanonicalUser": "abc"}, "Action": "sts:AssumeRole"},
            {"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::1:user/a"}, "NotAction": "s3:Get*", "NotResource": "arn:aws:s3:::b/*"}
        ]})).unwrap();
        assert!(s[0].principal.as_ref().unwrap().is_anyone());
        let p = s[1].principal.as_ref().unwrap();
        assert_eq!(p.aws, vec!["arn:aws:iam::1:root", "2"]);
        assert_eq!(p.service, vec!["ec2.amazonaws.com"]);
        assert_eq!(p.federated, vec!["cognito-identity.amazonaws.com"]);
        assert_eq!(p.canonical_user, vec!["abc"]);
        assert_eq!(
            s[2].not_principal.as_ref().unwrap().aws,
            vec!["arn:aws:iam::1:user/a"]
        );
        assert_eq!(s[2].not_actions, vec!["s3:Get*"]);
        assert_eq!(s[2].not_resources, vec!["arn:aws:s3:::b/*"]);
    }

    #[test]
    fn condition_qualifiers_and_if_exists() {
        let s = statements(
            &json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {
                "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["a*", "b"]},
                "BoolIfExists": {"aws:MultiFactorAuthPresent": true},
                "NumericLessThan": {"aws:MultiFactorAuthAge": 3600}
            }}}),
        )
        .unwrap();
        let c = &s[0].conditions;
        assert_eq!(c.len(), 3);
        let tags = c.iter().find(|c| c.key == "aws:TagKeys").unwrap();
        assert_eq!(tags.qualifier(), SetQualifier::ForAnyValue);
        assert!(tags.if_exists());
        assert_eq!(tags.base_operator(), "stringlike");
        let mfa = c
            .iter()
            .find(|c| c.key == "aws:MultiFactorAuthPresent")
            .unwrap();
        assert_eq!(mfa.values, vec!["true"]);
        assert_eq!(mfa.qualifier(), SetQualifier::None);
        let age = c
            .iter()
            .find(|c| c.key == "aws:MultiFactorAuthAge")
            .unwrap();
        assert_eq!(age.values, vec!["3600"]);
        assert!(!age.if_exists());
    }

    #[test]
    fn string_documents_are_parsed() {
        let doc =
            json!("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}");
        assert_eq!(statements(&doc).unwrap().len(), 1);
    }

    #[test]
    fn malformed_documents_are_errors_not_panics() {
        for doc in [
            json!([1, 2]),
            json!({"Statement": [{"Effect": "Maybe"}]}),
            json!("{not json"),
            json!({"Statement": [{"Effect": "Allow", "Principal": 7}]}),
            json!({"Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "s3:*"}]}),
            json!({"Statement": [{"Effect": "Allow", "Action": "*", "Condition": {"StringEqualz": {"a": "b"}}}]}),
            json!({"Statement": [{"Effect": "Allow", "Action": "*", "Condition": {"Sometimes:Bool": {"a": "b"}}}]}),
            json!({"Statement": [{"Effect": "Allow", "Action": {"a": 1}}]}),
            json!({"Statement": 3}),
            json!({"Version": "2012-10-17"}),
        ] {
            assert!(statements(&doc).is_err(), "{doc}");
        }
    }

    fn arb_json() -> impl Strategy<Value = Json> {
        let leaf = prop_oneof![
            Just(Json::Null),
            any::<bool>().prop_map(Json::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            prop_oneof![
                Just("Allow".to_owned()),
                Just("Deny".to_owned()),
                Just("*".to_owned()),
                ".{0,6}"
            ]
            .prop_map(Json::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            let key = prop_oneof![
                Just("Statement".to_owned()),
                Just("Effect".to_owned()),
                Just("Action".to_owned()),
                Just("NotAction".to_owned()),
                Just("Resource".to_owned()),
                Just("Principal".to_owned()),
                Just("NotPrincipal".to_owned()),
                Just("AWS".to_owned()),
                Just("Condition".to_owned()),
                Just("ForAnyValue:StringLike".to_owned()),
                Just("BoolIfExists".to_owned()),
                ".{0,4}"
            ];
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
                prop::collection::btree_map(key, inner, 0..5)
                    .prop_map(|m| Json::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn parsing_never_panics(doc in arb_json()) {
            // A document reads the same as an object and as the JSON string holding it.
            let direct = statements(&doc);
            let quoted = statements(&Json::String(doc.to_string()));
            if doc.is_object() {
                prop_assert_eq!(direct, quoted);
            } else {
                prop_assert!(direct.is_err());
            }
        }
    }
}
