//! Evaluation: every rule over every resource of its kind, in parallel; coverage gaps turn
//! into `not-assessed`, never into `pass`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

use minijinja::value::{Enumerator, Object};
use minijinja::{Expression, Value};
use rayon::prelude::*;
use serde_json::Value as Json;

use super::helpers::{COLLECTED_AT, ENV};
use super::issue::EvalIssue;
use super::rule::Rule;
use super::tri::{Node, Tri};
use super::{RuleSet, gaps, order};
use crate::analyze::iam::SnapshotFacts;
use crate::analyze::inventory;
use crate::analyze::privileged::{self, PrivilegedSection};
use crate::analyze::resource::{Pending, Resource};
use crate::finding::{Finding, ResourceRef, Status};
use crate::matrix::{Cell, Matrix};
use crate::snapshot::{CoverageGap, Snapshot};

/// Evaluation cannot start.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error(
        "rule {rule} ({layer} × {model}) has no cell in matrix {matrix}; choose another --matrix"
    )]
    NoCell {
        rule: String,
        layer: &'static str,
        model: &'static str,
        matrix: String,
    },
}

/// All results of one evaluation, in report order.
#[derive(Debug)]
pub struct Evaluation {
    pub findings: Vec<Finding>,
    pub issues: Vec<EvalIssue>,
    pub resources: usize,
    /// Who is privileged, why, and what guards them (from the same IAM facts the rules read).
    pub privileged: PrivilegedSection,
}

/// Evaluates `rules` over `snapshot`, placing each result on `matrix`.
pub fn evaluate(
    snapshot: &Snapshot,
    rules: &RuleSet,
    matrix: &Matrix,
) -> Result<Evaluation, EvalError> {
    let refs: Vec<&Rule> = rules.rules().iter().collect();
    evaluate_rules(snapshot, &refs, matrix)
}

/// Evaluates the given rules over `snapshot`.
pub fn evaluate_rules(
    snapshot: &Snapshot,
    rules: &[&Rule],
    matrix: &Matrix,
) -> Result<Evaluation, EvalError> {
    let cells = rules
        .iter()
        .map(|rule| {
            matrix
                .cell(rule.layer, rule.kind.model)
                .ok_or_else(|| EvalError::NoCell {
                    rule: rule.id.clone(),
                    layer: rule.layer.id(),
                    model: rule.kind.model.id(),
                    matrix: matrix.id.clone(),
                })
        })
        .collect::<Result<Vec<Cell>, EvalError>>()?;
    // Shared by every result of the rule.
    let shared: Vec<RuleShared> = rules
        .iter()
        .zip(cells)
        .map(|(rule, cell)| RuleShared {
            id: Arc::from(rule.id.as_str()),
            cell: Arc::new(cell),
        })
        .collect();
    let (coverage_gaps, gap_issues) = gaps::checked(&snapshot.coverage_gaps);
    let iam_facts = SnapshotFacts::of(snapshot);
    let mut pending = inventory::pending(snapshot, &iam_facts);
    let resources = pending.len();
    // A resource's place in report order is its index here (times two, plus one: listing
    // gaps go between).
    pending.par_sort_by(|a, b| (a.account, a.id.as_str()).cmp(&(b.account, b.id.as_str())));
    let rule_ranks = order::rule_ranks(&rules.iter().map(|r| r.id.as_str()).collect::<Vec<_>>());
    let gaps = keyed_listing_gaps(rules, &shared, &rule_ranks, &pending, &coverage_gaps);
    let collected_at = Value::from(
        snapshot
            .collected_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    );
    // Compiled once per rule, not once per failure.
    let messages: Vec<Option<Message<'_>>> = rules
        .iter()
        .map(|rule| {
            rule.message
                .as_deref()
                .map(|src| ENV.template_from_str(src))
        })
        .collect();
    let mut by_kind: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, rule) in rules.iter().enumerate() {
        by_kind.entry(rule.kind.name).or_default().push(i);
    }

    // Resource by resource, in parallel: its field map is built, moved into a context that
    // every rule of its kind reads, and dropped before the next resource, so field maps never
    // pile up.
    let parts = pending
        .into_par_iter()
        .enumerate()
        .fold(
            || (Vec::new(), Vec::new(), Vec::new()),
            |mut acc: (Vec<Finding>, Vec<u64>, Vec<EvalIssue>), (index, p)| {
                let Some(indices) = by_kind.get(p.kind.name) else {
                    return acc;
                };
                let place = 2 * index as u64 + 1;
                let mut r = p.build();
                let data = std::mem::take(&mut r.data);
                // What evaluation reads from the resource itself stays there: its tags (for
                // the results) and the facts the analysis could not derive (for not-assessed).
                for keep in ["tags", "unknown_facts"] {
                    if let Some(v) = data.get(keep) {
                        r.data.insert(keep.to_owned(), v.clone());
                    }
                }
                let resource = OnceLock::new();
                let ctx = Value::from_object(Fields {
                    data: data
                        .into_iter()
                        .map(|(k, v)| (k, v, OnceLock::new()))
                        .collect(),
                    collected_at: collected_at.clone(),
                });
                for &i in indices {
                    let on = On {
                        rule: rules[i],
                        shared: &shared[i],
                        resource: &r,
                        shared_ref: &resource,
                    };
                    let outcome = evaluate_one(&on, messages[i].as_ref(), &ctx, &coverage_gaps);
                    if let Some((finding, issue)) = outcome {
                        acc.1.push(order::key(
                            finding.status,
                            finding.severity,
                            rule_ranks[i],
                            place,
                        ));
                        acc.0.push(finding);
                        acc.2.extend(issue);
                    }
                }
                acc
            },
        )
        .collect_vec_list();
    // Each part moves once, into arrays of the exact size.
    let total = parts.iter().flatten().map(|p| p.0.len()).sum::<usize>() + gaps.len();
    let (mut findings, mut keys) = (Vec::with_capacity(total), Vec::with_capacity(total));
    let mut issues = Vec::new();
    for (part_findings, part_keys, part_issues) in parts.into_iter().flatten() {
        findings.extend(part_findings);
        keys.extend(part_keys);
        issues.extend(part_issues);
    }
    for (key, gap) in gaps {
        keys.push(key);
        findings.push(gap);
    }
    order::sort(&mut findings, &keys);
    drop(keys);
    issues.extend(gap_issues);
    issues.sort_by(|a, b| (&a.rule, &a.resource).cmp(&(&b.rule, &b.resource)));
    let privileged = privileged::section(snapshot, &iam_facts);
    Ok(Evaluation {
        findings,
        issues,
        resources,
        privileged,
    })
}

/// A resource's fields as a rule's context: the inventory's field map plus the collection
/// time, each field converted to a template value the first time a rule reads it (most rules
/// read a few fields; converting every field of every resource up front cost more time and
/// memory than the evaluation itself).
#[derive(Debug)]
struct Fields {
    data: Vec<(String, serde_json::Value, OnceLock<Value>)>,
    collected_at: Value,
}

impl Object for Fields {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let key = key.as_str()?;
        if key == COLLECTED_AT {
            return Some(self.collected_at.clone());
        }
        let (_, json, value) = self.data.iter().find(|(k, _, _)| k == key)?;
        Some(
            value
                .get_or_init(|| Value::from(minijinja::value::Serde(json)))
                .clone(),
        )
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        let mut keys: BTreeSet<&str> = self.data.iter().map(|(k, _, _)| k.as_str()).collect();
        keys.insert(COLLECTED_AT);
        Enumerator::Values(keys.into_iter().map(Value::from).collect())
    }
}

fn resource_ref(r: &Resource) -> ResourceRef {
    ResourceRef {
        kind: r.kind.name.to_owned(),
        id: r.id.clone(),
        name: r.name.clone(),
        region: r.region.clone(),
        account: r.account.clone(),
        tags: tags_of(r),
    }
}

/// The resource's `tags` field, when its kind has one.
fn tags_of(r: &Resource) -> BTreeMap<String, String> {
    match r.data.get("tags") {
        Some(Json::Object(tags)) => tags
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// What every result of one rule shares.
struct RuleShared {
    id: Arc<str>,
    cell: Arc<Cell>,
}

/// One rule on one resource: what a result is built from.
struct On<'a> {
    rule: &'a Rule,
    shared: &'a RuleShared,
    resource: &'a Resource,
    /// The resource's `ResourceRef`, made by its first result and shared by the rest.
    shared_ref: &'a OnceLock<Arc<ResourceRef>>,
}

impl On<'_> {
    fn finding(&self, status: Status, message: String) -> Finding {
        let resource = self
            .shared_ref
            .get_or_init(|| Arc::new(resource_ref(self.resource)));
        finding(
            self.rule,
            self.shared,
            Arc::clone(resource),
            status,
            message,
        )
    }
}

fn finding(
    rule: &Rule,
    shared: &RuleShared,
    resource: Arc<ResourceRef>,
    status: Status,
    message: String,
) -> Finding {
    Finding {
        fingerprint: Finding::fingerprint_of(&rule.id, &resource),
        rule: Arc::clone(&shared.id),
        status,
        severity: rule.severity,
        resource,
        matrix: Arc::clone(&shared.cell),
        message,
        waiver: None,
    }
}

/// The first gap that hides a field in `fields` on this resource.
fn gap_for<'g>(
    r: &Resource,
    fields: &BTreeSet<String>,
    gaps: &'g [CoverageGap],
) -> Option<&'g CoverageGap> {
    gaps.iter().find(|g| {
        fields
            .iter()
            .any(|f| g.covers(r.kind.name, &r.account, r.region.as_deref(), &r.id, f))
    })
}

/// A field the rule reads that the analysis could not derive (the view's `unknown_facts`).
fn unknown_fact<'r>(
    r: &'r Resource,
    fields: &std::collections::BTreeSet<String>,
) -> Option<(&'r str, &'r str)> {
    let unknown = r.data.get("unknown_facts")?.as_object()?;
    unknown
        .iter()
        .find(|(f, _)| fields.contains(f.as_str()))
        .map(|(f, why)| (f.as_str(), why.as_str().unwrap_or_default()))
}

/// The rule's compiled message template, or why it does not compile.
type Message<'a> = Result<minijinja::Template<'a, 'a>, minijinja::Error>;

fn evaluate_one(
    on: &On<'_>,
    message: Option<&Message<'_>>,
    ctx: &Value,
    gaps: &[CoverageGap],
) -> Option<(Finding, Option<EvalIssue>)> {
    let (rule, r) = (on.rule, on.resource);
    let not_assessed = |message: String| (on.finding(Status::NotAssessed, message), None);
    let broken = |what: &str, err: minijinja::Error| {
        let detail = format!("{what} could not be evaluated: {err}");
        let issue = EvalIssue {
            rule: rule.id.clone(),
            resource: r.id.clone(),
            message: detail.clone(),
        };
        (
            on.finding(Status::NotAssessed, format!("not assessed: {detail}")),
            Some(issue),
        )
    };
    // Why fields cannot be known on this resource, when one of them cannot.
    let hidden = |fields: &BTreeSet<String>| -> Option<String> {
        if let Some(gap) = gap_for(r, fields, gaps) {
            return Some(format!("not assessed: {}", gap.describe()));
        }
        unknown_fact(r, fields)
            .map(|(field, reason)| format!("not assessed: {field} is unknown: {reason}"))
    };
    // A condition's value; with unknown fields, what the known ones decide (three values).
    let decide = |whole: &Expression<'_, '_>, shape: &Option<Node>, reads: &BTreeSet<String>| match (
        hidden(reads),
        shape,
    ) {
        (None, _) => whole
            .eval(ctx.clone())
            .map(|v| if v.is_true() { Tri::True } else { Tri::False }),
        (Some(why), None) => Ok(Tri::Unknown(why)),
        (Some(_), Some(shape)) => shape.eval(ctx, &hidden),
    };

    if let Some(filter) = &rule.applies_when {
        match decide(filter, &rule.filter_shape, &rule.filter_reads) {
            Ok(Tri::True) => {}
            Ok(Tri::False) => return None,
            Ok(Tri::Unknown(why)) => return Some(not_assessed(why)),
            Err(e) => return Some(broken("applies_when", e)),
        }
    }
    match decide(&rule.fails_when, &rule.fails_shape, &rule.reads) {
        Ok(Tri::True) => {
            let message = match (message, hidden(&rule.message_reads)) {
                // The message would show what could not be read: the title, and why.
                (Some(_), Some(why)) => format!(
                    "{}: {} ({})",
                    r.name,
                    rule.title,
                    why.trim_start_matches("not assessed: ")
                ),
                (Some(template), None) => match match template {
                    Ok(t) => t.render(ctx.clone()),
                    // Compiling again yields the same error (minijinja errors are not Clone).
                    Err(_) => ENV
                        .template_from_str(rule.message.as_deref().unwrap_or_default())
                        .and_then(|t| t.render(ctx.clone())),
                } {
                    Ok(m) => m,
                    Err(e) => return Some(broken("message", e)),
                },
                (None, _) => format!("{}: {}", r.name, rule.title),
            };
            Some((on.finding(Status::Fail, message), None))
        }
        Ok(Tri::False) => {
            let message = format!("{}: passes {}", r.name, rule.id);
            Some((on.finding(Status::Pass, message), None))
        }
        Ok(Tri::Unknown(why)) => Some(not_assessed(why)),
        Err(e) => Some(broken("fails_when", e)),
    }
}

/// Every rule's listing-gap results with their report-order keys: each goes just before the
/// first resource (by account and id) that sorts after it.
fn keyed_listing_gaps(
    rules: &[&Rule],
    shared: &[RuleShared],
    rule_ranks: &[u16],
    pending: &[Pending<'_>],
    coverage_gaps: &[CoverageGap],
) -> Vec<(u64, Finding)> {
    let mut out = Vec::new();
    for (i, (rule, shared)) in rules.iter().zip(shared).enumerate() {
        for gap in listing_gaps(rule, shared, coverage_gaps) {
            let place = (gap.resource.account.as_str(), gap.resource.id.as_str());
            let before = pending.partition_point(|p| (p.account, p.id.as_str()) < place);
            let key = order::key(gap.status, gap.severity, rule_ranks[i], 2 * before as u64);
            out.push((key, gap));
        }
    }
    out
}

/// One `not-assessed` result per failed listing of the rule's kind: what could not be listed
/// could not be checked.
fn listing_gaps(rule: &Rule, shared: &RuleShared, gaps: &[CoverageGap]) -> Vec<Finding> {
    gaps.iter()
        .filter(|g| g.is_listing_gap() && g.kind == rule.kind.name)
        .map(|g| {
            let place = g.region.as_deref().unwrap_or("all regions");
            let resource = ResourceRef {
                kind: g.kind.clone(),
                id: format!(
                    "{}:{}:{}:*",
                    g.kind,
                    g.account,
                    g.region.as_deref().unwrap_or("global")
                ),
                name: format!("every {} in {place}", rule.kind.title),
                region: g.region.clone(),
                tags: BTreeMap::new(),
                account: g.account.clone(),
            };
            finding(
                rule,
                shared,
                Arc::new(resource),
                Status::NotAssessed,
                format!("not assessed: {}", g.describe()),
            )
        })
        .collect()
}
