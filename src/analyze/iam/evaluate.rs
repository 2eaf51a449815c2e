//! Evaluation of identity policies for one request (principal, action, resource): explicit
//! Deny beats Allow, permission boundaries intersect, resource policies add grants in the same
//! account. The answer says whether an Allow is unconditional or which conditions it rests on;
//! a conditional statement is neither ignored nor taken as unconditional.

use serde::Serialize;

use super::matcher::{Vars, arn_match, resolve, wildcard_match};
use super::policy::{Condition, Principal, Statement};

/// A parsed policy with the name people know it by.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// e.g. `inline policy support-tools of user alice`, `managed policy AdministratorAccess`.
    pub name: String,
    pub statements: Vec<Statement>,
}

/// One request: what is asked, on what, with which policy-variable values.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub action: &'a str,
    pub resource: &'a str,
    pub vars: &'a Vars,
}

/// The statement a result rests on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Source {
    pub policy: String,
    pub statement: String,
}

impl Source {
    pub fn describe(&self) -> String {
        format!("{} of {}", self.statement, self.policy)
    }
}

/// A condition the result depends on. `unless` marks a condition of a Deny statement: the
/// request is allowed only when that condition does *not* hold.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Requirement {
    pub condition: Condition,
    pub unless: bool,
    pub source: Source,
}

/// One way a request is allowed: a statement and the conditions it carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alternative {
    pub sources: Vec<Source>,
    pub conditions: Vec<Requirement>,
}

/// An allowed request: any one alternative suffices, and every `required` condition (from
/// conditional Deny statements) must hold as well.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub alternatives: Vec<Alternative>,
    pub required: Vec<Requirement>,
}

/// The answer for one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Decision {
    /// Allowed, perhaps only under conditions.
    Allowed(Grant),
    /// Denied by an unconditional Deny statement.
    ExplicitDeny(Source),
    /// No statement allows it (or the permission boundary does not).
    ImplicitDeny,
}

/// What kind of protection a condition gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protection {
    /// `aws:MultiFactorAuthPresent` / `aws:MultiFactorAuthAge`.
    Mfa,
    /// `aws:SourceIp`, `aws:SourceVpc`, `aws:SourceVpce`.
    Network,
}

impl Requirement {
    /// Whether this condition, where it stands, demands the given protection.
    pub fn demands(&self, what: Protection) -> bool {
        let c = &self.condition;
        let key = c.key_lower();
        let op = c.base_operator();
        let values: Vec<String> = c.values.iter().map(|v| v.to_ascii_lowercase()).collect();
        match what {
            Protection::Mfa => match key.as_str() {
                "aws:multifactorauthpresent" if op == "bool" => {
                    // Allow … if true; Deny … if false (or missing, with IfExists).
                    let wanted = if self.unless { "false" } else { "true" };
                    (self.unless || !c.if_exists()) && values.iter().all(|v| v == wanted)
                }
                "aws:multifactorauthpresent" if op == "null" => {
                    // Deny if the key is null: MFA required.
                    self.unless && values.iter().all(|v| v == "true")
                }
                "aws:multifactorauthage" if op == "null" => {
                    self.unless && values.iter().all(|v| v == "true")
                }
                "aws:multifactorauthage" => {
                    (!self.unless && op.starts_with("numericless") && !c.if_exists())
                        || (self.unless && op.starts_with("numericgreater") && c.if_exists())
                }
                _ => false,
            },
            Protection::Network => {
                let network = matches!(
                    key.as_str(),
                    "aws:sourceip" | "aws:sourcevpc" | "aws:sourcevpce" | "aws:vpcsourceip"
                );
                let open = values
                    .iter()
                    .any(|v| v == "0.0.0.0/0" || v == "::/0" || v == "*");
                network
                    && !open
                    && if self.unless {
                        c.is_negative()
                    } else {
                        !c.is_negative() && !c.if_exists()
                    }
            }
        }
    }
}

impl Grant {
    /// Allowed with no condition at all.
    pub fn unconditional(&self) -> bool {
        self.required.is_empty() && self.alternatives.iter().any(|a| a.conditions.is_empty())
    }

    /// Whether every way to be allowed demands the protection.
    pub fn demands(&self, what: Protection) -> bool {
        self.required.iter().any(|r| r.demands(what))
            || (!self.alternatives.is_empty()
                && self
                    .alternatives
                    .iter()
                    .all(|a| a.conditions.iter().any(|r| r.demands(what))))
    }

    /// Every condition the grant depends on, de-duplicated, in a stable order.
    pub fn conditions(&self) -> Vec<&Requirement> {
        let mut out: Vec<&Requirement> = self
            .required
            .iter()
            .chain(self.alternatives.iter().flat_map(|a| a.conditions.iter()))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The statements that allow it.
    pub fn sources(&self) -> Vec<&Source> {
        let mut out: Vec<&Source> = self
            .alternatives
            .iter()
            .flat_map(|a| a.sources.iter())
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

impl Decision {
    pub fn grant(&self) -> Option<&Grant> {
        match self {
            Decision::Allowed(g) => Some(g),
            _ => None,
        }
    }

    pub fn allowed(&self) -> bool {
        matches!(self, Decision::Allowed(_))
    }
}

/// Whether a statement's actions cover `action`.
pub fn matches_action(s: &Statement, action: &str) -> bool {
    if !s.not_actions.is_empty() {
        return !s.not_actions.iter().any(|p| wildcard_match(p, action));
    }
    s.actions.iter().any(|p| wildcard_match(p, action))
}

/// Whether a statement's resources cover `resource` (patterns resolved with `vars`).
/// A statement with neither `Resource` nor `NotResource` (a trust policy) covers everything.
pub fn matches_resource(s: &Statement, resource: &str, vars: &Vars) -> bool {
    let hit = |p: &String| resolve(p, vars).is_some_and(|p| arn_match(&p, resource));
    if !s.not_resources.is_empty() {
        // An unresolvable NotResource pattern excludes nothing it cannot name.
        return !s.not_resources.iter().any(hit);
    }
    if s.resources.is_empty() {
        return true;
    }
    s.resources.iter().any(hit)
}

fn requirements(s: &Statement, source: &Source, unless: bool) -> Vec<Requirement> {
    s.conditions
        .iter()
        .map(|c| Requirement {
            condition: c.clone(),
            unless,
            source: source.clone(),
        })
        .collect()
}

/// Evaluates a request against a set of policies (no boundary).
fn decide_set(policies: &[&Policy], req: &Request<'_>) -> Decision {
    let mut alternatives = Vec::new();
    let mut required = Vec::new();
    for policy in policies {
        for (i, s) in policy.statements.iter().enumerate() {
            if !matches_action(s, req.action) || !matches_resource(s, req.resource, req.vars) {
                continue;
            }
            let source = Source {
                policy: policy.name.clone(),
                statement: s.label(i),
            };
            if s.allow {
                alternatives.push(Alternative {
                    conditions: requirements(s, &source, false),
                    sources: vec![source],
                });
            } else if s.conditions.is_empty() {
                return Decision::ExplicitDeny(source);
            } else {
                required.extend(requirements(s, &source, true));
            }
        }
    }
    if alternatives.is_empty() {
        return Decision::ImplicitDeny;
    }
    // One unconditional way in makes the conditional ones irrelevant.
    if alternatives.iter().any(|a| a.conditions.is_empty()) {
        alternatives.retain(|a| a.conditions.is_empty());
    }
    Decision::Allowed(Grant {
        alternatives,
        required,
    })
}

/// Most alternatives kept when a boundary multiplies them out.
const MAX_ALTERNATIVES: usize = 32;

/// Evaluates a request for a principal: its identity policies, intersected with its
/// permission boundary when it has one.
pub fn decide(identity: &[&Policy], boundary: Option<&Policy>, req: &Request<'_>) -> Decision {
    let inner = decide_set(identity, req);
    let Some(boundary) = boundary else {
        return inner;
    };
    let Decision::Allowed(grant) = inner else {
        return inner;
    };
    match decide_set(&[boundary], req) {
        Decision::Allowed(limit) => {
            let mut alternatives = Vec::new();
            for a in &grant.alternatives {
                for b in &limit.alternatives {
                    if alternatives.len() == MAX_ALTERNATIVES {
                        break;
                    }
                    let mut sources = a.sources.clone();
                    sources.extend(b.sources.iter().cloned());
                    let mut conditions = a.conditions.clone();
                    conditions.extend(b.conditions.iter().cloned());
                    alternatives.push(Alternative {
                        sources,
                        conditions,
                    });
                }
            }
            let mut required = grant.required;
            required.extend(limit.required);
            Decision::Allowed(Grant {
                alternatives,
                required,
            })
        }
        // A boundary never grants; a Deny in it or no Allow in it denies.
        other => other,
    }
}

/// How a resource-based policy names a caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    /// Not named.
    No,
    /// Named by its own ARN, or by `"*"`: the resource policy alone grants (same account).
    Directly,
    /// Named through its account (`"123456789012"` or `arn:aws:iam::123456789012:root`): the
    /// account's own identity policies must also allow.
    ThroughAccount,
}

/// How `principal` names a caller with this ARN in this account.
pub fn names(p: &Principal, arn: &str, account: &str) -> Named {
    if p.is_anyone() {
        return Named::Directly;
    }
    let root = format!("arn:aws:iam::{account}:root");
    if p.aws.iter().any(|a| a == arn) {
        Named::Directly
    } else if p.aws.iter().any(|a| a == account || *a == root) {
        Named::ThroughAccount
    } else {
        Named::No
    }
}

/// Whether a resource-policy statement applies to the caller.
fn statement_names(s: &Statement, arn: &str, account: &str) -> Named {
    match (&s.principal, &s.not_principal) {
        (Some(p), _) => names(p, arn, account),
        (None, Some(np)) => {
            if names(np, arn, account) == Named::No {
                Named::Directly
            } else {
                Named::No
            }
        }
        (None, None) => Named::No,
    }
}

/// Whether the resource policy must allow for the request to be allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceMode {
    /// Either the identity or the resource policy suffices (an S3 bucket in the same account).
    Either,
    /// The resource policy must allow (a role trust policy for `sts:AssumeRole`).
    Required,
}

/// Combines the identity decision with a resource-based policy (an S3 bucket policy, a role
/// trust policy) for a caller in the resource's own account: a Deny in either denies; a
/// statement naming the caller directly grants by itself; one naming only the caller's account
/// grants when the identity policies allow as well.
pub fn with_resource_policy(
    identity: Decision,
    resource_policy: &Policy,
    caller_arn: &str,
    account: &str,
    req: &Request<'_>,
    mode: ResourceMode,
) -> Decision {
    if let Decision::ExplicitDeny(s) = identity {
        return Decision::ExplicitDeny(s);
    }
    let mut alternatives = Vec::new();
    let mut required = Vec::new();
    for (i, s) in resource_policy.statements.iter().enumerate() {
        let named = statement_names(s, caller_arn, account);
        if named == Named::No
            || !matches_action(s, req.action)
            || !matches_resource(s, req.resource, req.vars)
        {
            continue;
        }
        let source = Source {
            policy: resource_policy.name.clone(),
            statement: s.label(i),
        };
        if !s.allow {
            if s.conditions.is_empty() {
                return Decision::ExplicitDeny(source);
            }
            required.extend(requirements(s, &source, true));
        } else if named == Named::Directly {
            alternatives.push(Alternative {
                conditions: requirements(s, &source, false),
                sources: vec![source],
            });
        } else if let (Decision::Allowed(g), ResourceMode::Required) = (&identity, mode) {
            for a in &g.alternatives {
                let mut a = a.clone();
                a.sources.push(source.clone());
                a.conditions.extend(requirements(s, &source, false));
                alternatives.push(a);
            }
            required.extend(g.required.iter().cloned());
        }
    }
    if let (Decision::Allowed(g), ResourceMode::Either) = (identity, mode) {
        for a in g.alternatives {
            if !alternatives.contains(&a) {
                alternatives.push(a);
            }
        }
        required.extend(g.required);
    }
    if alternatives.is_empty() {
        return Decision::ImplicitDeny;
    }
    if alternatives.iter().any(|a| a.conditions.is_empty()) {
        alternatives.retain(|a| a.conditions.is_empty());
    }
    required.sort();
    required.dedup();
    Decision::Allowed(Grant {
        alternatives,
        required,
    })
}

#[cfg(test)]
#[path = "evaluate_tests.rs"]
mod tests;
