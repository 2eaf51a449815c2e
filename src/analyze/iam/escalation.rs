//! Privilege-escalation and takeover techniques (after PMapper and pathfinding.cloud): how one
//! principal makes itself an administrator, becomes another principal, or seizes another
//! identity's credentials or permissions. Each technique is checked with the evaluator, so
//! conditions on the rights it needs are carried along, not dropped.

use serde::{Deserialize, Serialize};

use super::evaluate::Request;
use super::evaluate::{Decision, Grant, Protection, ResourceMode, with_resource_policy};
use super::principals::{Account, Principal, PrincipalKind};

/// One step of an escalation path, or one takeover technique.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The technique, named by the API calls it uses, e.g. `iam:CreateAccessKey`.
    pub technique: String,
    /// Who acts.
    pub from: String,
    /// Whom or what it acts on.
    pub to: String,
    /// What the step does, in a sentence.
    pub detail: String,
    /// The conditions the rights it uses depend on (empty: unconditional).
    pub conditions: Vec<String>,
    /// Whether every right it uses requires MFA.
    pub requires_mfa: bool,
    /// Whether some right it uses is confined to known networks.
    pub source_restricted: bool,
}

/// The grants a set of calls rests on: `None` unknown, `Some(None)` not allowed.
type Needs = Option<Option<Vec<Grant>>>;

fn needs(acct: &Account<'_>, p: &Principal<'_>, calls: &[(&str, &str)]) -> Needs {
    let mut grants = Vec::new();
    for (action, resource) in calls {
        match acct.decide(p, action, resource)? {
            Decision::Allowed(g) => grants.push(g),
            _ => return Some(None),
        }
    }
    Some(Some(grants))
}

fn describe_conditions(grants: &[Grant]) -> Vec<String> {
    let mut out: Vec<String> = grants
        .iter()
        .flat_map(|g| g.conditions())
        .map(|r| {
            if r.unless {
                format!(
                    "denied when {} ({})",
                    r.condition.describe(),
                    r.source.describe()
                )
            } else {
                format!(
                    "only if {} ({})",
                    r.condition.describe(),
                    r.source.describe()
                )
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A step resting on `grants`.
pub fn step(technique: &str, from: &str, to: &str, detail: String, grants: &[Grant]) -> Step {
    Step {
        technique: technique.to_owned(),
        from: from.to_owned(),
        to: to.to_owned(),
        detail,
        conditions: describe_conditions(grants),
        // All the calls are needed: one that demands MFA protects the step.
        requires_mfa: grants.iter().any(|g| g.demands(Protection::Mfa)),
        source_restricted: grants.iter().any(|g| g.demands(Protection::Network)),
    }
}

/// A result that may be unknown: the reason why.
pub type Unknown = String;

/// The ways `p` makes itself an administrator directly, by editing its own permissions.
/// `admin_group` says whether a group's own policies make its members administrators.
pub fn self_escalation<'a>(
    acct: &'a Account<'a>,
    p: &'a Principal<'a>,
    admin_group: &dyn Fn(&str) -> bool,
) -> Result<Vec<Step>, Unknown> {
    let mut out = Vec::new();
    let mut try_calls =
        |technique: &str, calls: &[(&str, &str)], detail: String| -> Result<(), Unknown> {
            match needs(acct, p, calls) {
                None => Err(acct.unknown(p).unwrap_or_default()),
                Some(None) => Ok(()),
                Some(Some(grants)) => {
                    out.push(step(technique, p.name, p.name, detail, &grants));
                    Ok(())
                }
            }
        };
    let (put, attach, kind) = match p.kind {
        PrincipalKind::User => ("iam:PutUserPolicy", "iam:AttachUserPolicy", "user"),
        PrincipalKind::Role => ("iam:PutRolePolicy", "iam:AttachRolePolicy", "role"),
    };
    // With a permissions boundary, a policy it grants itself stays inside the boundary unless
    // it can also remove the boundary.
    let unbound: Vec<(&'a str, &'a str)> = match (&p.boundary, p.kind) {
        (None, _) => vec![],
        (Some(_), PrincipalKind::User) => vec![("iam:DeleteUserPermissionsBoundary", p.arn)],
        (Some(_), PrincipalKind::Role) => vec![("iam:DeleteRolePermissionsBoundary", p.arn)],
    };
    let with = |call: (&'a str, &'a str)| -> Vec<(&'a str, &'a str)> {
        let mut v = vec![call];
        v.extend(unbound.iter().copied());
        v
    };
    let bound_note = if unbound.is_empty() {
        ""
    } else {
        " after removing its permissions boundary"
    };
    try_calls(
        put,
        &with((put, p.arn)),
        format!("writes an inline policy granting everything onto its own {kind}{bound_note}"),
    )?;
    try_calls(
        attach,
        &with((attach, p.arn)),
        format!("attaches AdministratorAccess to its own {kind}{bound_note}"),
    )?;
    let own_managed: Vec<&str> = match (p.user, p.role) {
        (Some(u), _) => u
            .attached_policies
            .iter()
            .map(|a| a.arn.as_str())
            .chain(
                u.groups
                    .iter()
                    .filter_map(|g| acct.groups.get(g.as_str()))
                    .flat_map(|(g, _)| g.attached_policies.iter().map(|a| a.arn.as_str())),
            )
            .collect(),
        (_, Some(r)) => r.attached_policies.iter().map(|a| a.arn.as_str()).collect(),
        _ => vec![],
    };
    for arn in own_managed
        .iter()
        .filter(|a| !a.starts_with("arn:aws:iam::aws:"))
    {
        let name = arn.rsplit('/').next().unwrap_or(arn);
        try_calls(
            "iam:CreatePolicyVersion",
            &with(("iam:CreatePolicyVersion", arn)),
            format!(
                "writes a new default version of {name}, a policy attached to it, granting everything{bound_note}"
            ),
        )?;
        try_calls(
            "iam:SetDefaultPolicyVersion",
            &with(("iam:SetDefaultPolicyVersion", arn)),
            format!(
                "makes an older version of {name}, a policy attached to it, the default; an older version may grant more{bound_note}"
            ),
        )?;
    }
    if let Some(u) = p.user {
        for g in &u.groups {
            if let Some((group, _)) = acct.groups.get(g.as_str()) {
                try_calls(
                    "iam:PutGroupPolicy",
                    &with(("iam:PutGroupPolicy", &group.arn)),
                    format!(
                        "writes an inline policy granting everything onto its own group {g}{bound_note}"
                    ),
                )?;
                try_calls(
                    "iam:AttachGroupPolicy",
                    &with(("iam:AttachGroupPolicy", &group.arn)),
                    format!("attaches AdministratorAccess to its own group {g}{bound_note}"),
                )?;
            }
        }
        let mut groups: Vec<_> = acct.groups.values().collect();
        groups.sort_by_key(|(g, _)| g.name.as_str());
        for (group, _) in groups {
            if admin_group(&group.name) && !u.groups.contains(&group.name) {
                try_calls(
                    "iam:AddUserToGroup",
                    &with(("iam:AddUserToGroup", &group.arn)),
                    format!(
                        "adds itself to the administrators' group {}{bound_note}",
                        group.name
                    ),
                )?;
            }
        }
    }
    Ok(out)
}

/// Services that run code with a passed role, and the calls that start it.
const PASS_ROLE: &[(&str, &str, &[&str])] = &[
    (
        "ec2.amazonaws.com",
        "iam:PassRole + ec2:RunInstances",
        &["ec2:RunInstances"],
    ),
    (
        "lambda.amazonaws.com",
        "iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction",
        &["lambda:CreateFunction", "lambda:InvokeFunction"],
    ),
    (
        "lambda.amazonaws.com",
        "iam:PassRole + lambda:CreateFunction + lambda:CreateEventSourceMapping",
        &["lambda:CreateFunction", "lambda:CreateEventSourceMapping"],
    ),
    (
        "cloudformation.amazonaws.com",
        "iam:PassRole + cloudformation:CreateStack",
        &["cloudformation:CreateStack"],
    ),
    (
        "glue.amazonaws.com",
        "iam:PassRole + glue:CreateDevEndpoint",
        &["glue:CreateDevEndpoint"],
    ),
    (
        "glue.amazonaws.com",
        "iam:PassRole + glue:CreateJob + glue:StartJobRun",
        &["glue:CreateJob", "glue:StartJobRun"],
    ),
    (
        "codebuild.amazonaws.com",
        "iam:PassRole + codebuild:CreateProject + codebuild:StartBuild",
        &["codebuild:CreateProject", "codebuild:StartBuild"],
    ),
    (
        "sagemaker.amazonaws.com",
        "iam:PassRole + sagemaker:CreateNotebookInstance + sagemaker:CreatePresignedNotebookInstanceUrl",
        &[
            "sagemaker:CreateNotebookInstance",
            "sagemaker:CreatePresignedNotebookInstanceUrl",
        ],
    ),
    (
        "ecs-tasks.amazonaws.com",
        "iam:PassRole + ecs:RegisterTaskDefinition + ecs:RunTask",
        &["ecs:RegisterTaskDefinition", "ecs:RunTask"],
    ),
];

/// Whether the role's trust lets this service assume it.
fn trusts_service(q: &Principal<'_>, service: &str) -> bool {
    let Some(Ok(trust)) = &q.trust else {
        return false;
    };
    trust.statements.iter().any(|s| {
        s.allow
            && super::evaluate::matches_action(s, "sts:AssumeRole")
            && s.principal
                .as_ref()
                .is_some_and(|p| p.service.iter().any(|x| x.eq_ignore_ascii_case(service)))
    })
}

/// The ways `p` becomes `q` (acts with `q`'s permissions).
pub fn become_other(
    acct: &Account<'_>,
    p: &Principal<'_>,
    q: &Principal<'_>,
) -> Result<Vec<Step>, Unknown> {
    let mut out = Vec::new();
    if p.arn == q.arn {
        return Ok(out);
    }
    let unknown = || acct.unknown(p).unwrap_or_default();
    let check = |technique: &str,
                 calls: &[(&str, &str)],
                 detail: String|
     -> Result<Option<Step>, Unknown> {
        match needs(acct, p, calls) {
            None => Err(unknown()),
            Some(None) => Ok(None),
            Some(Some(grants)) => Ok(Some(step(technique, p.name, q.name, detail, &grants))),
        }
    };
    match q.kind {
        PrincipalKind::User => {
            let Some(u) = q.user else { return Ok(out) };
            if acct.may_ever(p, "iam:CreateAccessKey") {
                out.extend(check(
                    "iam:CreateAccessKey",
                    &[("iam:CreateAccessKey", q.arn)],
                    format!("creates an access key for {} and signs in as them", q.name),
                )?);
            }
            if u.mfa_devices.is_empty() {
                let (action, what) = if u.password_enabled {
                    ("iam:UpdateLoginProfile", "resets")
                } else {
                    ("iam:CreateLoginProfile", "sets")
                };
                if acct.may_ever(p, action) {
                    out.extend(check(action, &[(action, q.arn)], format!("{what} {}'s console password and signs in as them (they have no MFA device)", q.name))?);
                }
            }
        }
        PrincipalKind::Role => {
            let trust = match &q.trust {
                Some(Ok(t)) => t,
                Some(Err(e)) if acct.may_ever(p, "sts:AssumeRole") => return Err(e.clone()),
                _ => return Ok(out),
            };
            if acct.may_ever(p, "sts:AssumeRole") || trust_names(trust, p.arn) {
                let identity = acct
                    .decide(p, "sts:AssumeRole", q.arn)
                    .ok_or_else(unknown)?;
                let req = Request {
                    action: "sts:AssumeRole",
                    resource: q.arn,
                    vars: &p.vars,
                };
                if let Decision::Allowed(g) = with_resource_policy(
                    identity,
                    trust,
                    p.arn,
                    acct.id,
                    &req,
                    ResourceMode::Required,
                ) {
                    out.push(step(
                        "sts:AssumeRole",
                        p.name,
                        q.name,
                        format!("assumes role {}, which trusts it", q.name),
                        &[g],
                    ));
                }
            }
            if acct.may_ever(p, "iam:UpdateAssumeRolePolicy") {
                out.extend(check(
                    "iam:UpdateAssumeRolePolicy + sts:AssumeRole",
                    &[
                        ("iam:UpdateAssumeRolePolicy", q.arn),
                        ("sts:AssumeRole", q.arn),
                    ],
                    format!(
                        "rewrites the trust policy of role {} to trust itself, then assumes it",
                        q.name
                    ),
                )?);
            }
            if acct.may_ever(p, "iam:PassRole") {
                for (service, technique, actions) in PASS_ROLE {
                    if !trusts_service(q, service) {
                        continue;
                    }
                    let mut calls = vec![("iam:PassRole", q.arn)];
                    calls.extend(actions.iter().map(|a| (*a, "*")));
                    if let Some(s) = check(
                        technique,
                        &calls,
                        format!(
                            "passes role {} to {service} code it starts, which then runs with the role's permissions",
                            q.name
                        ),
                    )? {
                        out.push(s);
                        break;
                    }
                }
            }
        }
    }
    Ok(out)
}

fn trust_names(trust: &super::evaluate::Policy, arn: &str) -> bool {
    trust.statements.iter().any(|s| {
        s.principal
            .as_ref()
            .is_some_and(|p| p.aws.iter().any(|a| a == arn))
    })
}

/// The ways `p` changes `q`'s permissions or credentials (takeover rights over another
/// identity): passwords, access keys, MFA devices, policies, trust.
/// One principal's answers per action that do not depend on the resource: when none of the
/// statements matching an action names a resource other than `*` or has a condition on the
/// resource, the answer is the same for every target (an administrator asked about
/// thousands).
pub struct Memo {
    /// Build no text for the steps (the caller has listed enough targets and only counts).
    pub brief: bool,
    /// Action → `None` if its answer depends on the resource, else the answer once known.
    answers: std::collections::HashMap<&'static str, Option<Option<Needs>>>,
    /// Action → whether any Allow statement could grant it (the same for every target).
    may: std::collections::HashMap<&'static str, bool>,
}

impl Memo {
    pub fn new() -> Memo {
        Memo {
            brief: false,
            answers: std::collections::HashMap::new(),
            may: std::collections::HashMap::new(),
        }
    }

    fn may_ever(&mut self, acct: &Account<'_>, p: &Principal<'_>, action: &'static str) -> bool {
        *self
            .may
            .entry(action)
            .or_insert_with(|| acct.may_ever(p, action))
    }

    fn needs(
        &mut self,
        acct: &Account<'_>,
        p: &Principal<'_>,
        action: &'static str,
        resource: &str,
    ) -> Needs {
        let slot = self
            .answers
            .entry(action)
            .or_insert_with(|| acct.resource_free(p, action).then_some(None));
        match slot {
            None => needs(acct, p, &[(action, resource)]),
            Some(Some(known)) => known.clone(),
            Some(cached) => cached.insert(needs(acct, p, &[(action, resource)])).clone(),
        }
    }
}

impl Default for Memo {
    fn default() -> Memo {
        Memo::new()
    }
}

pub fn takeover(
    acct: &Account<'_>,
    p: &Principal<'_>,
    q: &Principal<'_>,
    memo: &mut Memo,
) -> Result<Vec<Step>, Unknown> {
    let mut out = Vec::new();
    if p.arn == q.arn {
        return Ok(out);
    }
    let brief = memo.brief;
    let mut add = |technique: &'static str,
                   resource: &str,
                   detail: &dyn Fn() -> String|
     -> Result<(), Unknown> {
        if !memo.may_ever(acct, p, technique) {
            return Ok(());
        }
        match memo.needs(acct, p, technique, resource) {
            None => Err(acct.unknown(p).unwrap_or_default()),
            Some(None) => Ok(()),
            Some(Some(grants)) if brief => {
                // Only counted and judged: no text is built for it.
                out.push(Step {
                    technique: String::new(),
                    from: String::new(),
                    to: String::new(),
                    detail: String::new(),
                    conditions: Vec::new(),
                    requires_mfa: grants.iter().any(|g| g.demands(Protection::Mfa)),
                    source_restricted: grants.iter().any(|g| g.demands(Protection::Network)),
                });
                Ok(())
            }
            Some(Some(grants)) => {
                out.push(step(technique, p.name, q.name, detail(), &grants));
                Ok(())
            }
        }
    };
    match (q.user, q.role) {
        (Some(u), _) => {
            let (login, what) = if u.password_enabled {
                ("iam:UpdateLoginProfile", "reset")
            } else {
                ("iam:CreateLoginProfile", "set")
            };
            add(login, q.arn, &|| {
                format!("can {what} the console password of user {}", q.name)
            })?;
            add("iam:CreateAccessKey", q.arn, &|| {
                format!("can create access keys for user {}", q.name)
            })?;
            if !u.mfa_devices.is_empty() {
                add("iam:DeactivateMFADevice", q.arn, &|| {
                    format!("can deactivate the MFA device of user {}", q.name)
                })?;
                for d in u.mfa_devices.iter().filter(|d| d.virtual_device) {
                    add("iam:DeleteVirtualMFADevice", &d.serial_number, &|| {
                        format!("can delete the virtual MFA device of user {}", q.name)
                    })?;
                }
            }
            add("iam:AttachUserPolicy", q.arn, &|| {
                format!("can attach any managed policy to user {}", q.name)
            })?;
            add("iam:PutUserPolicy", q.arn, &|| {
                format!("can write inline policies onto user {}", q.name)
            })?;
        }
        (_, Some(_)) => {
            add("iam:UpdateAssumeRolePolicy", q.arn, &|| {
                format!("can rewrite who may assume role {}", q.name)
            })?;
            add("iam:AttachRolePolicy", q.arn, &|| {
                format!("can attach any managed policy to role {}", q.name)
            })?;
            add("iam:PutRolePolicy", q.arn, &|| {
                format!("can write inline policies onto role {}", q.name)
            })?;
        }
        _ => {}
    }
    Ok(out)
}

/// Whether `p` can grant `q` more permissions (so that becoming `q` makes `p` an administrator).
pub fn empower(
    acct: &Account<'_>,
    p: &Principal<'_>,
    q: &Principal<'_>,
) -> Result<Option<Step>, Unknown> {
    let calls: &[&str] = match q.kind {
        PrincipalKind::User => &["iam:AttachUserPolicy", "iam:PutUserPolicy"],
        PrincipalKind::Role => &["iam:AttachRolePolicy", "iam:PutRolePolicy"],
    };
    for action in calls {
        if !acct.may_ever(p, action) {
            continue;
        }
        match needs(acct, p, &[(action, q.arn)]) {
            None => return Err(acct.unknown(p).unwrap_or_default()),
            Some(None) => {}
            Some(Some(grants)) => {
                return Ok(Some(step(
                    action,
                    p.name,
                    q.name,
                    format!("grants {} administrator rights", q.name),
                    &grants,
                )));
            }
        }
    }
    Ok(None)
}
