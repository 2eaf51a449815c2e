//! The principals of one account (users with their groups, and roles), each with its identity
//! policies parsed once, its permission boundary and its role trust. A policy whose document
//! the snapshot does not hold, or that cannot be read, makes that principal's permissions
//! unknown, never empty.

use std::collections::HashMap;

use super::evaluate::{Decision, Policy, Request, decide};
use super::matcher::Vars;
use super::policy::statements;
use crate::snapshot::{AttachedPolicy, Group, Iam, InlinePolicy, Role, User};

/// Users or roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    User,
    Role,
}

impl PrincipalKind {
    pub fn id(self) -> &'static str {
        match self {
            PrincipalKind::User => "user",
            PrincipalKind::Role => "role",
        }
    }
}

/// One principal, ready to be asked about.
#[derive(Debug)]
pub struct Principal<'a> {
    pub kind: PrincipalKind,
    pub name: &'a str,
    pub arn: &'a str,
    pub user: Option<&'a User>,
    pub role: Option<&'a Role>,
    /// Indices into [`Account::policies`]; `Err` says why they are unknown.
    pub policies: Result<Vec<usize>, String>,
    pub boundary: Option<Result<usize, String>>,
    /// The role's trust policy; `Err` when it cannot be read.
    pub trust: Option<Result<Policy, String>>,
    pub vars: Vars,
}

/// An account's principals and the policies they use.
#[derive(Debug)]
pub struct Account<'a> {
    pub id: &'a str,
    pub policies: Vec<Policy>,
    pub principals: Vec<Principal<'a>>,
    /// Group name → (group, its policies or why unknown).
    pub groups: HashMap<&'a str, (&'a Group, Result<Vec<usize>, String>)>,
    /// Managed policy ARN → its index (absent: document not in the snapshot).
    pub managed: HashMap<&'a str, Result<usize, String>>,
}

impl<'a> Account<'a> {
    /// Reads every principal of `iam`.
    pub fn new(id: &'a str, iam: &'a Iam) -> Self {
        let mut policies = Vec::new();
        let mut managed = HashMap::new();
        for p in iam.policies.iter().chain(&iam.aws_managed_policies) {
            let parsed = statements(&p.document)
                .map(|s| {
                    policies.push(Policy {
                        name: format!("managed policy {}", p.name),
                        statements: s,
                    });
                    policies.len() - 1
                })
                .map_err(|e| format!("managed policy {} cannot be read: {e}", p.name));
            managed.insert(p.arn.as_str(), parsed);
        }
        let mut account = Account {
            id,
            policies,
            principals: Vec::new(),
            groups: HashMap::new(),
            managed,
        };
        for g in &iam.groups {
            let list = account.resolve(
                &format!("group {}", g.name),
                &g.inline_policies,
                &g.attached_policies,
            );
            account.groups.insert(g.name.as_str(), (g, list));
        }
        for u in &iam.users {
            let mut list = account.resolve(
                &format!("user {}", u.name),
                &u.inline_policies,
                &u.attached_policies,
            );
            for g in &u.groups {
                list = match (list, account.groups.get(g.as_str())) {
                    (Ok(mut l), Some((_, Ok(more)))) => {
                        l.extend(more);
                        Ok(l)
                    }
                    (Ok(_), Some((_, Err(e)))) => Err(e.clone()),
                    (Ok(_), None) => Err(format!(
                        "group {g} of user {} is not in the snapshot",
                        u.name
                    )),
                    (Err(e), _) => Err(e),
                };
            }
            let boundary = u
                .permissions_boundary
                .as_deref()
                .map(|b| account.boundary(b));
            account.principals.push(Principal {
                kind: PrincipalKind::User,
                name: &u.name,
                arn: &u.arn,
                user: Some(u),
                role: None,
                policies: list,
                boundary,
                trust: None,
                vars: Vars {
                    username: Some(u.name.clone()),
                    userid: Some(u.id.clone()),
                    account: Some(id.to_owned()),
                },
            });
        }
        for r in &iam.roles {
            let list = account.resolve(
                &format!("role {}", r.name),
                &r.inline_policies,
                &r.attached_policies,
            );
            let boundary = r
                .permissions_boundary
                .as_deref()
                .map(|b| account.boundary(b));
            let trust = statements(&r.assume_role_policy)
                .map(|s| Policy {
                    name: format!("trust policy of role {}", r.name),
                    statements: s,
                })
                .map_err(|e| format!("trust policy of role {} cannot be read: {e}", r.name));
            account.principals.push(Principal {
                kind: PrincipalKind::Role,
                name: &r.name,
                arn: &r.arn,
                user: None,
                role: Some(r),
                policies: list,
                boundary,
                trust: Some(trust),
                vars: Vars {
                    username: None,
                    userid: Some(r.id.clone()),
                    account: Some(id.to_owned()),
                },
            });
        }
        account
    }

    fn boundary(&self, arn: &str) -> Result<usize, String> {
        match self.managed.get(arn) {
            Some(r) => r.clone(),
            None => Err(format!(
                "the permissions boundary {arn} is not in the snapshot"
            )),
        }
    }

    fn resolve(
        &mut self,
        owner: &str,
        inline: &[InlinePolicy],
        attached: &[AttachedPolicy],
    ) -> Result<Vec<usize>, String> {
        let mut out = Vec::new();
        for p in inline {
            let s = statements(&p.document)
                .map_err(|e| format!("inline policy {} of {owner} cannot be read: {e}", p.name))?;
            self.policies.push(Policy {
                name: format!("inline policy {} of {owner}", p.name),
                statements: s,
            });
            out.push(self.policies.len() - 1);
        }
        for a in attached {
            match self.managed.get(a.arn.as_str()) {
                Some(Ok(i)) => out.push(*i),
                Some(Err(e)) => return Err(e.clone()),
                None => {
                    return Err(format!(
                        "the document of managed policy {} (attached to {owner}) is not in the snapshot",
                        a.name
                    ));
                }
            }
        }
        Ok(out)
    }

    /// What the principal's identity policies and boundary say about a request; `None` when
    /// its permissions are unknown.
    pub fn decide(&self, p: &Principal<'_>, action: &str, resource: &str) -> Option<Decision> {
        let list = p.policies.as_ref().ok()?;
        let boundary = match &p.boundary {
            None => None,
            Some(Ok(i)) => Some(&self.policies[*i]),
            Some(Err(_)) => return None,
        };
        let refs: Vec<&Policy> = list.iter().map(|i| &self.policies[*i]).collect();
        let req = Request {
            action,
            resource,
            vars: &p.vars,
        };
        Some(decide(&refs, boundary, &req))
    }

    /// Whether the answer to `action` does not depend on the resource asked about: every
    /// statement of the principal's policies (and boundary) that matches the action names
    /// only `*` and has no condition on a resource key.
    pub fn resource_free(&self, p: &Principal<'_>, action: &str) -> bool {
        let Ok(list) = p.policies.as_ref() else {
            return false;
        };
        let boundary = match &p.boundary {
            None => None,
            Some(Ok(i)) => Some(*i),
            Some(Err(_)) => return false,
        };
        list.iter().copied().chain(boundary).all(|i| {
            self.policies[i]
                .statements
                .iter()
                .filter(|s| super::evaluate::matches_action(s, action))
                .all(|s| {
                    s.not_resources.is_empty()
                        && s.resources.iter().all(|r| r == "*")
                        && s.conditions
                            .iter()
                            .all(|c| resource_independent_key(&c.key))
                })
        })
    }

    /// Why the principal's permissions are unknown, if they are.
    pub fn unknown(&self, p: &Principal<'_>) -> Option<String> {
        if let Err(e) = &p.policies {
            return Some(e.clone());
        }
        if let Some(Err(e)) = &p.boundary {
            return Some(e.clone());
        }
        None
    }

    /// Whether any Allow statement of the principal names `action` at all (a cheap filter
    /// before asking about every target).
    pub fn may_ever(&self, p: &Principal<'_>, action: &str) -> bool {
        p.policies.as_ref().is_ok_and(|l| {
            l.iter().any(|i| {
                self.policies[*i]
                    .statements
                    .iter()
                    .any(|s| s.allow && super::evaluate::matches_action(s, action))
            })
        })
    }

    /// Which resources the principal's Allow statements for `action` can name: `None` when
    /// a pattern has a wildcard or a `NotResource` (any target may match, ask each),
    /// otherwise the exact ARNs named (every other target is certainly not allowed).
    pub fn exact_targets(&self, p: &Principal<'_>, action: &str) -> Option<Vec<String>> {
        let mut out = Vec::new();
        let Ok(list) = p.policies.as_ref() else {
            return None;
        };
        for i in list {
            for s in &self.policies[*i].statements {
                if !s.allow || !super::evaluate::matches_action(s, action) {
                    continue;
                }
                if !s.not_resources.is_empty() || s.resources.is_empty() {
                    return None;
                }
                for r in &s.resources {
                    match super::matcher::resolve(r, &p.vars) {
                        Some(r) if r.contains('*') || r.contains('?') => return None,
                        Some(r) => out.push(r),
                        None => {}
                    }
                }
            }
        }
        Some(out)
    }
}

/// Condition keys about the request or the caller, never about the resource acted on.
fn resource_independent_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        "aws:multifactorauthpresent",
        "aws:multifactorauthage",
        "aws:sourceip",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:vpcsourceip",
        "aws:securetransport",
        "aws:currenttime",
        "aws:epochtime",
        "aws:requestedregion",
        "aws:principalarn",
        "aws:principalaccount",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principaltype",
        "aws:userid",
        "aws:username",
        "aws:viaawsservice",
        "aws:calledvia",
        "aws:tokenissuetime",
    ]
    .contains(&k.as_str())
        || k.starts_with("aws:principaltag/")
}
