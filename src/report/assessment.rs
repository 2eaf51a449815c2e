//! The assessment's judgements, computed once for every renderer: posture scores, the risks
//! that matter most, monitoring readiness, the remediation roadmap and the appendix rows.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use serde::ser::{SerializeTuple, Serializer};

use super::lines::{RESOURCE_LIMIT, ResourceLine, line};
use crate::engine::Effort;
use crate::finding::{Finding, Severity, Status};
use crate::matrix::{Layer, Matrix, Owner};
use crate::results::{Counts, RuleInfo};

/// A failed control, told as a risk.
#[derive(Debug, Serialize)]
pub struct Risk {
    pub rule: String,
    pub title: String,
    pub severity: Severity,
    /// One plain sentence.
    pub sentence: String,
    /// How many resources it failed on.
    pub resources: usize,
    pub layer: String,
}

/// Failed results per rule id.
fn failures_by_rule(findings: &[Finding]) -> BTreeMap<&str, Vec<&Finding>> {
    let mut out: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in findings.iter().filter(|f| f.status == Status::Fail) {
        out.entry(&*f.rule).or_default().push(f);
    }
    out
}

fn layer_label(matrix: &Matrix, layer: Layer) -> String {
    matrix
        .rows
        .iter()
        .find(|r| r.layer == layer)
        .map_or_else(|| layer.id().to_owned(), |r| r.label.clone())
}

/// The five failed controls that matter most: highest severity first, then the ones in the
/// incident lens (identity takeover, exposure), then the most resources, then by id.
pub fn risks(
    findings: &[Finding],
    rules: &BTreeMap<String, RuleInfo>,
    matrix: &Matrix,
) -> Vec<Risk> {
    let mut failed: Vec<(&RuleInfo, usize)> = failures_by_rule(findings)
        .into_iter()
        .filter_map(|(id, fs)| rules.get(id).map(|r| (r, fs.len())))
        .collect();
    failed.sort_by(|(a, an), (b, bn)| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| lens(b).cmp(&lens(a)))
            .then(bn.cmp(an))
            .then_with(|| a.id.cmp(&b.id))
    });
    failed
        .into_iter()
        .take(5)
        .map(|(r, n)| Risk {
            rule: r.id.clone(),
            title: r.title.clone(),
            severity: r.severity,
            sentence: r.risk_sentence().to_owned(),
            resources: n,
            layer: layer_label(matrix, r.layer),
        })
        .collect()
}

fn lens(rule: &RuleInfo) -> bool {
    rule.tags.iter().any(|t| t == "incident-lens")
}

/// Would a first use of a powerful tool be noticed? The controls tagged `monitoring`.
#[derive(Debug, Serialize)]
pub struct Monitoring {
    /// `yes` (every monitoring control passed), `no` (one failed), `unknown` (none failed, but
    /// one could not be assessed) or `unchecked` (no monitoring control had a resource).
    pub verdict: &'static str,
    pub controls: Vec<MonitoringControl>,
}

#[derive(Debug, Serialize)]
pub struct MonitoringControl {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    /// `fail`, `not-assessed`, `pass`, or `none` (no resource to check).
    pub outcome: &'static str,
    pub risk: String,
    pub results: Counts,
}

pub fn monitoring(
    by_rule: &BTreeMap<&str, Counts>,
    rules: &BTreeMap<String, RuleInfo>,
) -> Monitoring {
    let mut controls: Vec<MonitoringControl> = rules
        .values()
        .filter(|r| r.tags.iter().any(|t| t == "monitoring"))
        .map(|r| {
            let results = by_rule.get(r.id.as_str()).cloned().unwrap_or_default();
            let outcome = results.outcome().map_or("none", |o| o.id());
            MonitoringControl {
                id: r.id.clone(),
                title: r.title.clone(),
                severity: r.severity,
                outcome,
                risk: r.risk_sentence().to_owned(),
                results,
            }
        })
        .collect();
    let rank = |o: &str| match o {
        "fail" => 0,
        "not-assessed" => 1,
        "pass" => 2,
        _ => 3,
    };
    controls.sort_by(|a, b| {
        rank(a.outcome)
            .cmp(&rank(b.outcome))
            .then(b.severity.cmp(&a.severity))
            .then_with(|| a.id.cmp(&b.id))
    });
    let has = |o: &str| controls.iter().any(|c| c.outcome == o);
    let verdict = if has("fail") {
        "no"
    } else if has("not-assessed") {
        "unknown"
    } else if has("pass") {
        "yes"
    } else {
        "unchecked"
    };
    Monitoring { verdict, controls }
}

/// What to fix, in order: quick wins (high or critical severity, low effort) first.
#[derive(Debug, Serialize)]
pub struct Roadmap {
    pub quick_wins: Vec<RoadmapItem>,
    pub rest: Vec<RoadmapItem>,
}

#[derive(Debug, Serialize)]
pub struct RoadmapItem {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub effort: Effort,
    pub risk: String,
    pub remediation: String,
    /// A command that makes the fix, where one exists.
    pub command: Option<String>,
    pub references: Vec<String>,
    /// Every failed resource (waived ones included, marked), up to `RESOURCE_LIMIT`.
    pub resources: Vec<ResourceLine>,
    pub count: usize,
    pub more: usize,
}

impl Roadmap {
    /// The 1-based step of a rule's item: quick wins first, then the rest.
    pub fn step_of(&self, rule: &str) -> Option<usize> {
        self.quick_wins
            .iter()
            .chain(&self.rest)
            .position(|i| i.id == rule)
            .map(|i| i + 1)
    }
}

pub fn roadmap(findings: &[Finding], rules: &BTreeMap<String, RuleInfo>) -> Roadmap {
    let mut items: Vec<RoadmapItem> = failures_by_rule(findings)
        .into_iter()
        .filter_map(|(id, fs)| {
            let r = rules.get(id)?;
            Some(RoadmapItem {
                id: r.id.clone(),
                title: r.title.clone(),
                severity: r.severity,
                effort: r.effort,
                risk: r.risk_sentence().to_owned(),
                remediation: r.remediation.clone(),
                command: r.command.clone(),
                references: r.references.clone(),
                resources: fs.iter().take(RESOURCE_LIMIT).map(|f| line(f)).collect(),
                count: fs.len(),
                more: fs.len().saturating_sub(RESOURCE_LIMIT),
            })
        })
        .collect();
    items.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.effort.cmp(&b.effort))
            .then(b.count.cmp(&a.count))
            .then_with(|| a.id.cmp(&b.id))
    });
    let (quick_wins, rest): (Vec<_>, Vec<_>) = items
        .into_iter()
        .partition(|i| i.effort == Effort::Low && i.severity >= Severity::High);
    Roadmap { quick_wins, rest }
}

/// Every result, compact, for the HTML appendix: the rules once, then one array per result.
#[derive(Debug, Serialize)]
pub struct Appendix<'a> {
    pub rules: Vec<AppendixRule>,
    pub rows: Vec<AppendixRow<'a>>,
}

#[derive(Debug, Serialize)]
pub struct AppendixRule {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub layer: String,
}

/// One result: `[rule index, status, owner, name, id, account, region, message, waived]`, with
/// status 0 fail, 1 not assessed, 2 pass; owner 0 customer, 1 shared, 2 provider. A pass has
/// no message (it would only repeat the rule).
#[derive(Debug)]
pub struct AppendixRow<'a> {
    pub rule: usize,
    pub status: Status,
    pub owner: Owner,
    pub finding: &'a Finding,
}

impl Serialize for AppendixRow<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f = self.finding;
        let mut t = s.serialize_tuple(9)?;
        t.serialize_element(&self.rule)?;
        t.serialize_element(&match self.status {
            Status::Fail => 0,
            Status::NotAssessed => 1,
            Status::Pass => 2,
        })?;
        t.serialize_element(&match self.owner {
            Owner::Customer => 0,
            Owner::Shared => 1,
            Owner::Provider => 2,
        })?;
        t.serialize_element(&f.resource.name)?;
        t.serialize_element(&f.resource.id)?;
        t.serialize_element(&f.resource.account)?;
        t.serialize_element(f.resource.region.as_deref().unwrap_or(""))?;
        t.serialize_element(if self.status == Status::Pass {
            ""
        } else {
            f.message.as_str()
        })?;
        t.serialize_element(&u8::from(f.waiver.is_some()))?;
        t.end()
    }
}

impl<'a> Appendix<'a> {
    pub fn of(
        findings: &'a [Finding],
        rules: &BTreeMap<String, RuleInfo>,
        matrix: &Matrix,
    ) -> Appendix<'a> {
        // Hashed, not ordered, per result: there can be millions of results and few rules.
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut list = Vec::new();
        let used: HashSet<&str> = findings.iter().map(|f| &*f.rule).collect();
        let mut used: Vec<&str> = used.into_iter().collect();
        used.sort_unstable();
        for id in used {
            let (title, severity, layer) = match rules.get(id) {
                Some(r) => (r.title.clone(), r.severity, layer_label(matrix, r.layer)),
                None => (id.to_owned(), Severity::Info, String::new()),
            };
            index.insert(id, list.len());
            list.push(AppendixRule {
                id: id.to_owned(),
                title,
                severity,
                layer,
            });
        }
        let rows = findings
            .iter()
            .map(|f| AppendixRow {
                rule: index.get(&*f.rule).copied().unwrap_or(0),
                status: f.status,
                owner: f.matrix.owner,
                finding: f,
            })
            .collect();
        Appendix { rules: list, rows }
    }
}
