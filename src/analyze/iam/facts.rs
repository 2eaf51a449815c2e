//! Facts about every principal of an account, computed once per snapshot: administrator (and
//! why), takeover rights over other identities, escalation paths to an administrator, and
//! whether its privileged rights require MFA or known networks. Unknown stays unknown.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use super::escalation::{self, Step, Unknown};
use super::evaluate::{Decision, Grant, Policy, Protection, Request, Requirement, Source, decide};
use super::principals::{Account, Principal};
use crate::snapshot::Iam;

/// Actions a principal must be allowed on every resource to count as an administrator.
pub const ADMIN_PROBES: &[&str] = &[
    "iam:CreateUser",
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:CreateAccessKey",
    "sts:AssumeRole",
    "ec2:RunInstances",
    "s3:GetObject",
    "s3:PutBucketPolicy",
    "kms:Decrypt",
    "cloudtrail:StopLogging",
    "lambda:CreateFunction",
    "secretsmanager:GetSecretValue",
];

/// Most takeover targets listed per principal (the count says how many there are).
pub const MAX_TAKEOVER_LISTED: usize = 20;
/// Most escalation paths kept per principal.
pub const MAX_PATHS: usize = 3;

/// Another identity a principal can take over, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TakeoverTarget {
    pub identity: String,
    pub arn: String,
    /// `user` or `role`.
    pub kind: String,
    pub rights: Vec<Step>,
}

/// The facts of one principal. `None` means unknown; `unknown` says why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facts {
    pub admin: Option<bool>,
    /// Why it is an administrator, one sentence per reason.
    pub admin_reasons: Vec<String>,
    pub takeover: Option<Vec<TakeoverTarget>>,
    pub takeover_count: Option<usize>,
    pub escalation_paths: Option<Vec<Vec<Step>>>,
    pub privileged: Option<bool>,
    pub mfa_enforced: Option<bool>,
    pub source_restricted: Option<bool>,
    pub unknown: Option<String>,
}

const EDGE_ACTIONS: &[&str] = &[
    "iam:CreateAccessKey",
    "iam:UpdateLoginProfile",
    "iam:CreateLoginProfile",
    "sts:AssumeRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:PassRole",
];
const TAKEOVER_ACTIONS: &[&str] = &[
    "iam:UpdateLoginProfile",
    "iam:CreateLoginProfile",
    "iam:CreateAccessKey",
    "iam:DeactivateMFADevice",
    "iam:DeleteVirtualMFADevice",
    "iam:AttachUserPolicy",
    "iam:PutUserPolicy",
    "iam:UpdateAssumeRolePolicy",
    "iam:AttachRolePolicy",
    "iam:PutRolePolicy",
];

/// Grants for every admin probe on every resource: `None` unknown, `Some(None)` not admin.
fn admin_grants(acct: &Account<'_>, p: &Principal<'_>) -> Option<Option<Vec<Grant>>> {
    let mut out = Vec::new();
    for probe in ADMIN_PROBES {
        match acct.decide(p, probe, "*")? {
            Decision::Allowed(g) => out.push(g),
            _ => return Some(None),
        }
    }
    Some(Some(out))
}

fn group_is_admin(acct: &Account<'_>, name: &str) -> bool {
    let Some((_, Ok(list))) = acct.groups.get(name) else {
        return false;
    };
    let refs: Vec<&Policy> = list.iter().map(|i| &acct.policies[*i]).collect();
    let vars = Default::default();
    ADMIN_PROBES.iter().all(|probe| {
        decide(
            &refs,
            None,
            &Request {
                action: probe,
                resource: "*",
                vars: &vars,
            },
        )
        .allowed()
    })
}

fn sources_text(grants: &[Grant]) -> Vec<String> {
    let mut sources: Vec<&Source> = grants.iter().flat_map(|g| g.sources()).collect();
    sources.sort();
    sources.dedup();
    sources
        .into_iter()
        .map(|s| format!("{} allows every action on every resource", s.describe()))
        .collect()
}

/// Whether every Allow statement of the principal demands the protection (or a Deny demands it
/// for everything): used for principals without privileged rights.
fn all_allows_demand(acct: &Account<'_>, p: &Principal<'_>, what: Protection) -> Option<bool> {
    let list = p.policies.as_ref().ok()?;
    let mut all = true;
    for i in list {
        let policy = &acct.policies[*i];
        for (n, s) in policy.statements.iter().enumerate() {
            let reqs: Vec<Requirement> = s
                .conditions
                .iter()
                .map(|c| Requirement {
                    condition: c.clone(),
                    unless: !s.allow,
                    source: Source {
                        policy: policy.name.clone(),
                        statement: s.label(n),
                    },
                })
                .collect();
            let demands = reqs.iter().any(|r| r.demands(what));
            if !s.allow && demands && s.not_actions.len() < 20 && s.actions.iter().any(|a| a == "*")
            {
                return Some(true);
            }
            if s.allow && !demands {
                all = false;
            }
        }
    }
    Some(all)
}

/// Whether every trust statement naming AWS principals demands the protection (roles).
fn trust_demands(p: &Principal<'_>, what: Protection) -> bool {
    let Some(Ok(trust)) = &p.trust else {
        return false;
    };
    let human: Vec<_> = trust
        .statements
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            s.allow
                && s.principal
                    .as_ref()
                    .is_some_and(|p| !p.aws.is_empty() || p.any)
        })
        .collect();
    !human.is_empty()
        && human.iter().all(|(n, s)| {
            s.conditions.iter().any(|c| {
                Requirement {
                    condition: c.clone(),
                    unless: false,
                    source: Source {
                        policy: trust.name.clone(),
                        statement: s.label(*n),
                    },
                }
                .demands(what)
            })
        })
}

/// The facts of every principal of every AWS account of a snapshot: account id → ARN → facts.
/// Computed once per evaluation and shared by the rules' views and the report.
#[derive(Debug, Default, Clone)]
pub struct SnapshotFacts(BTreeMap<String, Arc<HashMap<String, Facts>>>);

impl SnapshotFacts {
    pub fn of(snapshot: &crate::snapshot::Snapshot) -> Self {
        let accounts = snapshot.aws.iter().flat_map(|aws| &aws.accounts);
        SnapshotFacts(
            accounts
                .map(|a| {
                    let facts = account_facts(&a.account_id, &a.iam);
                    (a.account_id.clone(), Arc::new(facts))
                })
                .collect(),
        )
    }

    /// The facts of one account's principals (none for an account not in the snapshot).
    pub fn account(&self, account_id: &str) -> Arc<HashMap<String, Facts>> {
        self.0.get(account_id).cloned().unwrap_or_default()
    }
}

/// The facts of every principal of an account, by ARN.
pub fn account_facts(account_id: &str, iam: &Iam) -> HashMap<String, Facts> {
    let acct = Account::new(account_id, iam);
    let n = acct.principals.len();
    let admin_groups: HashSet<&str> = acct
        .groups
        .keys()
        .copied()
        .filter(|g| group_is_admin(&acct, g))
        .collect();
    let is_admin_group = |g: &str| admin_groups.contains(g);

    let direct: Vec<Option<Option<Vec<Grant>>>> = acct
        .principals
        .iter()
        .map(|p| admin_grants(&acct, p))
        .collect();
    let selfesc: Vec<Result<Vec<Step>, Unknown>> = acct
        .principals
        .iter()
        .map(|p| escalation::self_escalation(&acct, p, &is_admin_group))
        .collect();
    // Whether each principal is an administrator by itself: Some(true/false) or None unknown.
    let intrinsic: Vec<Option<bool>> = (0..n)
        .map(|i| match (&direct[i], &selfesc[i]) {
            (Some(Some(_)), _) => Some(true),
            (_, Ok(s)) if !s.is_empty() => Some(true),
            (None, _) | (_, Err(_)) => None,
            _ => Some(false),
        })
        .collect();

    let named_in_trust: HashMap<&str, Vec<usize>> = {
        let mut m: HashMap<&str, Vec<usize>> = HashMap::new();
        for (j, q) in acct.principals.iter().enumerate() {
            if let Some(Ok(t)) = &q.trust {
                for s in &t.statements {
                    if let Some(p) = &s.principal {
                        for a in &p.aws {
                            m.entry(a.as_str()).or_default().push(j);
                        }
                    }
                }
            }
        }
        m
    };
    let by_arn: HashMap<&str, usize> = acct
        .principals
        .iter()
        .enumerate()
        .map(|(j, q)| (q.arn, j))
        .collect();
    // Edges: who can become whom. A search for escalation paths ends at the first
    // administrator it reaches, so an administrator's own edges are never followed: they are
    // not computed (an administrator with `iam:*` on `*` has an edge to every principal).
    let edges: Vec<Result<Vec<(usize, Step)>, Unknown>> = acct
        .principals
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut out = Vec::new();
            if intrinsic[i] == Some(true) {
                return Ok(out);
            }
            let mut candidates: Vec<usize> = named_in_trust.get(p.arn).cloned().unwrap_or_default();
            match narrow(&acct, p, EDGE_ACTIONS, &by_arn) {
                None => candidates = (0..n).collect(),
                Some(more) => candidates.extend(more),
            }
            candidates.sort_unstable();
            candidates.dedup();
            for j in candidates {
                for s in escalation::become_other(&acct, p, &acct.principals[j])? {
                    out.push((j, s));
                }
            }
            Ok(out)
        })
        .collect();

    // Principals by what decides another's rights over them when those rights do not depend on
    // the target's ARN (see `takeover` below); each list in principal order.
    let mut classes: std::collections::BTreeMap<TargetClass, Vec<usize>> = Default::default();
    for (j, q) in acct.principals.iter().enumerate() {
        classes.entry(target_class(q)).or_default().push(j);
    }
    // Each principal's facts only read what is shared above: computed in parallel.
    let one = |(i, p): (usize, &Principal<'_>)| -> (String, Facts) {
        let mut f = Facts::default();
        if let Some(reason) = acct.unknown(p) {
            f.unknown = Some(reason);
            return (p.arn.to_owned(), f);
        }
        // Whether every step that makes the principal privileged demands MFA / a known
        // network (kept as two flags: an administrator may take over thousands).
        let mut steps_mfa = true;
        let mut steps_net = true;
        let mut note = |s: &Step| {
            steps_mfa &= s.requires_mfa;
            steps_net &= s.source_restricted;
        };
        let mut admin_mfa = true;
        let mut admin_net = true;
        if let Some(Some(grants)) = &direct[i] {
            f.admin_reasons.extend(sources_text(grants));
            admin_mfa &= grants.iter().any(|g| g.demands(Protection::Mfa));
            admin_net &= grants.iter().any(|g| g.demands(Protection::Network));
        }
        if let Ok(steps) = &selfesc[i] {
            // A direct administrator's ability to grant itself more says nothing new.
            if !matches!(direct[i], Some(Some(_))) {
                for s in steps {
                    f.admin_reasons
                        .push(format!("it {} ({})", s.detail, s.technique));
                }
            }
            steps.iter().for_each(&mut note);
        }
        // Escalation paths through other principals.
        let paths = if intrinsic[i] == Some(true) {
            Ok(Vec::new())
        } else {
            paths_from(&acct, i, &edges, &intrinsic, &direct, &selfesc)
        };
        match &paths {
            Ok(paths) => {
                for path in paths {
                    if let Some(first) = path.first() {
                        note(first);
                    }
                }
            }
            Err(e) => f.unknown = Some(e.clone()),
        }
        f.admin = match (intrinsic[i], &paths) {
            (Some(true), _) => Some(true),
            (_, Ok(p)) if !p.is_empty() => Some(true),
            (Some(false), Ok(_)) => Some(false),
            _ => None,
        };
        f.escalation_paths = paths.ok();
        // Takeover rights over other identities.
        let takeover: Result<(Vec<TakeoverTarget>, usize, bool, bool), Unknown> = (|| {
            let mut out = Vec::new();
            if !TAKEOVER_ACTIONS.iter().any(|a| acct.may_ever(p, a)) {
                return Ok((out, 0, true, true));
            }
            let mut memo = escalation::Memo::new();
            let narrowed = narrow(&acct, p, TAKEOVER_ACTIONS, &by_arn);
            if narrowed.is_none() && TAKEOVER_ACTIONS.iter().all(|a| acct.resource_free(p, a)) {
                // Rights on every principal, the same whatever its ARN: they differ only by
                // the target's class, so each class is asked once (an account's
                // administrators would otherwise be asked about every principal).
                memo.brief = true;
                let (mut count, mut mfa, mut net) = (0, true, true);
                let mut live = Vec::new();
                for (class, members) in &classes {
                    let Some(&r) = members.iter().find(|&&j| j != i) else {
                        continue;
                    };
                    let rights = escalation::takeover(&acct, p, &acct.principals[r], &mut memo)?;
                    if rights.is_empty() {
                        continue;
                    }
                    count += members.len() - usize::from(members.binary_search(&i).is_ok());
                    for r in &rights {
                        mfa &= r.requires_mfa;
                        net &= r.source_restricted;
                    }
                    live.push(*class);
                }
                memo.brief = false;
                for (j, q) in acct.principals.iter().enumerate() {
                    if out.len() >= MAX_TAKEOVER_LISTED {
                        break;
                    }
                    if j == i || !live.contains(&target_class(q)) {
                        continue;
                    }
                    let rights = escalation::takeover(&acct, p, q, &mut memo)?;
                    out.push(TakeoverTarget {
                        identity: q.name.to_owned(),
                        arn: q.arn.to_owned(),
                        kind: q.kind.id().to_owned(),
                        rights,
                    });
                }
                return Ok((out, count, mfa, net));
            }
            let candidates: Vec<usize> = match narrowed {
                None => (0..n).collect(),
                Some(mut c) => {
                    c.sort_unstable();
                    c.dedup();
                    c
                }
            };
            // Every target is counted and its rights judged; only the first few are described.
            let mut count = 0;
            let (mut mfa, mut net) = (true, true);
            for q in candidates.into_iter().map(|j| &acct.principals[j]) {
                memo.brief = out.len() >= MAX_TAKEOVER_LISTED;
                let rights = escalation::takeover(&acct, p, q, &mut memo)?;
                if rights.is_empty() {
                    continue;
                }
                count += 1;
                for r in &rights {
                    mfa &= r.requires_mfa;
                    net &= r.source_restricted;
                }
                if !memo.brief {
                    out.push(TakeoverTarget {
                        identity: q.name.to_owned(),
                        arn: q.arn.to_owned(),
                        kind: q.kind.id().to_owned(),
                        rights,
                    });
                }
            }
            Ok((out, count, mfa, net))
        })();
        match takeover {
            Ok((t, count, mfa, net)) => {
                steps_mfa &= mfa;
                steps_net &= net;
                f.takeover_count = Some(count);
                f.takeover = Some(t);
            }
            Err(e) => f.unknown = Some(e),
        }
        f.privileged = match (f.admin, f.takeover_count) {
            (Some(true), _) => Some(true),
            (_, Some(c)) if c > 0 => Some(true),
            (Some(false), Some(0)) => Some(false),
            _ => None,
        };
        let has_direct = matches!(direct[i], Some(Some(_)));
        let trust_mfa = trust_demands(p, Protection::Mfa);
        let trust_net = trust_demands(p, Protection::Network);
        f.mfa_enforced = if f.privileged == Some(true) {
            Some(trust_mfa || ((!has_direct || admin_mfa) && steps_mfa))
        } else {
            all_allows_demand(&acct, p, Protection::Mfa).map(|a| a || trust_mfa)
        };
        f.source_restricted = if f.privileged == Some(true) {
            Some(trust_net || ((!has_direct || admin_net) && steps_net))
        } else {
            all_allows_demand(&acct, p, Protection::Network).map(|a| a || trust_net)
        };
        (p.arn.to_owned(), f)
    };
    acct.principals.par_iter().enumerate().map(one).collect()
}

/// What, besides its ARN, decides the takeover rights over a principal: user or role, and for
/// users a console password, MFA devices, virtual ones (see `escalation::takeover`).
type TargetClass = (u8, bool, bool, bool);

fn target_class(q: &Principal<'_>) -> TargetClass {
    match (q.user, q.role) {
        (Some(u), _) => (
            0,
            u.password_enabled,
            !u.mfa_devices.is_empty(),
            u.mfa_devices.iter().any(|d| d.virtual_device),
        ),
        (_, Some(_)) => (1, false, false, false),
        _ => (2, false, false, false),
    }
}

/// The principals `p` could act on with any of `actions`: `None` means any of them (a
/// wildcard pattern); otherwise the ones its statements name exactly. `iam:PassRole` with
/// wildcards is common, so asking every target stays the fallback, never a guess.
fn narrow(
    acct: &Account<'_>,
    p: &Principal<'_>,
    actions: &[&str],
    by_arn: &HashMap<&str, usize>,
) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    for action in actions {
        if !acct.may_ever(p, action) {
            continue;
        }
        for arn in acct.exact_targets(p, action)? {
            if let Some(j) = by_arn.get(arn.as_str()) {
                out.push(*j);
            }
        }
    }
    Some(out)
}

/// Shortest escalation paths from principal `start` to an administrator (breadth first).
/// An unknown principal on the way makes the answer unknown when no path is found.
fn paths_from(
    acct: &Account<'_>,
    start: usize,
    edges: &[Result<Vec<(usize, Step)>, Unknown>],
    intrinsic: &[Option<bool>],
    direct: &[Option<Option<Vec<Grant>>>],
    selfesc: &[Result<Vec<Step>, Unknown>],
) -> Result<Vec<Vec<Step>>, Unknown> {
    let mut found: Vec<Vec<Step>> = Vec::new();
    let mut unknown: Option<Unknown> = None;
    let mut seen = HashSet::from([start]);
    let mut queue: VecDeque<(usize, Vec<Step>)> = VecDeque::from([(start, Vec::new())]);
    while let Some((x, path)) = queue.pop_front() {
        if found.len() >= MAX_PATHS {
            break;
        }
        let out = match &edges[x] {
            Ok(out) => out,
            Err(e) => {
                unknown.get_or_insert_with(|| e.clone());
                continue;
            }
        };
        for (j, step) in out {
            if seen.contains(j) || found.len() >= MAX_PATHS {
                continue;
            }
            let q = &acct.principals[*j];
            let mut next = path.clone();
            next.push(step.clone());
            match intrinsic[*j] {
                Some(true) => {
                    next.push(admin_step(q, &direct[*j], &selfesc[*j]));
                    found.push(next);
                    seen.insert(*j);
                    continue;
                }
                None => {
                    unknown.get_or_insert_with(|| {
                        format!(
                            "{} can become {}, whose permissions are unknown: {}",
                            acct.principals[start].name,
                            q.name,
                            acct.unknown(q).unwrap_or_else(|| "see its facts".into())
                        )
                    });
                }
                Some(false) => {}
            }
            match escalation::empower(acct, &acct.principals[x], q) {
                Ok(Some(grant)) => {
                    let mut with = path.clone();
                    with.push(grant);
                    with.push(step.clone());
                    found.push(with);
                    seen.insert(*j);
                    continue;
                }
                Ok(None) => {}
                Err(e) => {
                    unknown.get_or_insert(e);
                }
            }
            seen.insert(*j);
            queue.push_back((*j, next));
        }
    }
    match (found.is_empty(), unknown) {
        (true, Some(e)) => Err(e),
        _ => Ok(found),
    }
}

fn admin_step(
    q: &Principal<'_>,
    direct: &Option<Option<Vec<Grant>>>,
    selfesc: &Result<Vec<Step>, Unknown>,
) -> Step {
    if let Some(Some(grants)) = direct {
        let why = sources_text(grants).join("; ");
        return escalation::step(
            "administrator",
            q.name,
            "everything",
            format!("{} {} is an administrator: {why}", q.kind.id(), q.name),
            grants,
        );
    }
    match selfesc.as_ref().ok().and_then(|s| s.first()) {
        Some(s) => s.clone(),
        None => escalation::step(
            "administrator",
            q.name,
            "everything",
            format!("{} {} is an administrator", q.kind.id(), q.name),
            &[],
        ),
    }
}

#[cfg(test)]
#[path = "facts_tests.rs"]
mod tests;
