//! The report model: everything a renderer shows, computed once from the evaluation so that
//! renderers only format.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::engine::{EvalIssue, Evaluation, Rule, RuleSet};
use crate::finding::{Finding, Severity, Status};
use crate::matrix::{Layer, Matrix, Owner};
use crate::snapshot::{CoverageGap, Snapshot};

/// What the person running onus says about the report.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    pub title: Option<String>,
    pub customer: Option<String>,
    pub assessor: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Report<'a> {
    pub meta: Meta<'a>,
    pub summary: Summary,
    pub matrix: MatrixView,
    pub layers: Vec<LayerView>,
    pub not_assessed: Vec<NotAssessedView>,
    /// Privileged identities and their protections (templates/partials/privileged_access.*).
    pub privileged: super::privileged::PrivilegedSection,
    pub coverage_gaps: &'a [CoverageGap],
    pub issues: &'a [EvalIssue],
    #[serde(skip)]
    pub findings: &'a [Finding],
    #[serde(skip)]
    pub rules: BTreeMap<&'a str, &'a Rule>,
    /// Today's failures against a baseline, when one was given.
    #[serde(skip)]
    pub baseline: Option<&'a crate::baseline::Comparison>,
    /// What the waivers did, when a waiver file is in use.
    #[serde(skip)]
    pub waivers: Option<&'a crate::waiver::WaiverReport>,
}

#[derive(Debug, Serialize)]
pub struct Meta<'a> {
    pub title: String,
    pub customer: Option<String>,
    pub assessor: Option<String>,
    pub onus_version: &'static str,
    pub provider: &'static str,
    pub accounts: &'a [String],
    pub regions: &'a [String],
    pub collected_at: String,
    /// The collection time as milliseconds since the Unix epoch.
    pub collected_at_ms: i64,
    pub collector: String,
    pub principal: Option<&'a str>,
    pub matrix_id: &'a str,
    pub matrix_title: &'a str,
    pub matrix_source: &'a str,
    pub matrix_description: &'a str,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub fail: usize,
    pub pass: usize,
    pub not_assessed: usize,
}

impl Counts {
    fn add(&mut self, status: Status) {
        match status {
            Status::Fail => self.fail += 1,
            Status::Pass => self.pass += 1,
            Status::NotAssessed => self.not_assessed += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.fail + self.pass + self.not_assessed
    }
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub resources: usize,
    pub rules: usize,
    pub results: Counts,
    /// Rules (controls) by outcome: failed on any resource; else not assessed on any; else passed.
    pub controls: Counts,
    /// Failed results by severity, highest first.
    pub failed_by_severity: Vec<SeverityCount>,
    /// Whether every applicable check could be made.
    pub complete: bool,
}

#[derive(Debug, Serialize)]
pub struct SeverityCount {
    pub severity: Severity,
    pub count: usize,
}

#[derive(Debug, Serialize)]
pub struct MatrixView {
    pub columns: Vec<ColumnView>,
    pub rows: Vec<RowView>,
}

#[derive(Debug, Serialize)]
pub struct ColumnView {
    pub id: String,
    pub label: String,
    pub note: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct RowView {
    pub layer: Layer,
    pub label: String,
    pub cells: Vec<CellView>,
}

/// One filled-in cell: who owns it and what onus found there.
#[derive(Debug, Serialize)]
pub struct CellView {
    pub column: String,
    pub owner: Owner,
    /// Controls (rules) by outcome in this cell.
    pub controls: Counts,
    /// Results (rule × resource) by outcome in this cell.
    pub results: Counts,
    /// `fail`, `incomplete`, `pass`, `unchecked` (customer or shared, but no rule here),
    /// `provider` (inherited; not scanned) or `out-of-scope` (a column no scanned resource
    /// belongs to, such as on-premises).
    pub state: &'static str,
}

#[derive(Debug, Serialize)]
pub struct LayerView {
    pub layer: Layer,
    pub label: String,
    pub customer_job: String,
    pub controls: Counts,
    pub results: Counts,
    pub severities: Vec<SeverityGroup>,
}

#[derive(Debug, Serialize)]
pub struct SeverityGroup {
    pub severity: Severity,
    pub rules: Vec<RuleGroup>,
}

/// A failed rule and the resources it failed on.
#[derive(Debug, Serialize)]
pub struct RuleGroup {
    pub id: String,
    pub title: String,
    pub description: String,
    pub rationale: String,
    pub remediation: String,
    pub references: Vec<String>,
    pub cell: String,
    pub owner: Owner,
    pub resources: Vec<ResourceLine>,
}

#[derive(Debug, Serialize)]
pub struct ResourceLine {
    pub name: String,
    pub id: String,
    pub kind: String,
    pub region: Option<String>,
    pub account: String,
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct NotAssessedView {
    pub rule: String,
    pub title: String,
    pub severity: Severity,
    pub resource: ResourceLine,
}

fn control_outcome(statuses: &BTreeSet<StatusKey>) -> Status {
    if statuses.contains(&StatusKey::Fail) {
        Status::Fail
    } else if statuses.contains(&StatusKey::NotAssessed) {
        Status::NotAssessed
    } else {
        Status::Pass
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum StatusKey {
    Fail,
    NotAssessed,
    Pass,
}

impl From<Status> for StatusKey {
    fn from(s: Status) -> StatusKey {
        match s {
            Status::Fail => StatusKey::Fail,
            Status::NotAssessed => StatusKey::NotAssessed,
            Status::Pass => StatusKey::Pass,
        }
    }
}

fn line(f: &Finding) -> ResourceLine {
    ResourceLine {
        name: f.resource.name.clone(),
        id: f.resource.id.clone(),
        kind: f.resource.kind.clone(),
        region: f.resource.region.clone(),
        account: f.resource.account.clone(),
        message: f.message.clone(),
    }
}

impl<'a> Report<'a> {
    pub fn build(
        snapshot: &'a Snapshot,
        evaluation: &'a Evaluation,
        rules: &'a RuleSet,
        matrix: &'a Matrix,
        options: &ReportOptions,
    ) -> Report<'a> {
        let findings = &evaluation.findings;
        let by_id = rules.by_id();

        // Per rule: the set of statuses it produced, and its cell.
        let mut rule_statuses: BTreeMap<&str, BTreeSet<StatusKey>> = BTreeMap::new();
        let mut results = Counts::default();
        let mut cell_results: BTreeMap<(Layer, &str), Counts> = BTreeMap::new();
        let mut rule_cell: BTreeMap<&str, (Layer, &str)> = BTreeMap::new();
        for f in findings {
            results.add(f.status);
            rule_statuses
                .entry(&f.rule)
                .or_default()
                .insert(f.status.into());
            cell_results
                .entry((f.matrix.layer, &f.matrix.model))
                .or_default()
                .add(f.status);
            rule_cell.insert(&f.rule, (f.matrix.layer, &f.matrix.model));
        }
        let mut controls = Counts::default();
        let mut cell_controls: BTreeMap<(Layer, &str), Counts> = BTreeMap::new();
        for (rule, statuses) in &rule_statuses {
            let outcome = control_outcome(statuses);
            controls.add(outcome);
            if let Some(cell) = rule_cell.get(rule) {
                cell_controls.entry(*cell).or_default().add(outcome);
            }
        }

        let failed_by_severity = Severity::ALL
            .iter()
            .map(|s| SeverityCount {
                severity: *s,
                count: findings
                    .iter()
                    .filter(|f| f.status == Status::Fail && f.severity == *s)
                    .count(),
            })
            .collect();

        let matrix_view = MatrixView {
            columns: matrix
                .columns
                .iter()
                .map(|c| ColumnView {
                    id: c.id.clone(),
                    label: c.label.clone(),
                    note: c.note.clone(),
                })
                .collect(),
            rows: matrix
                .rows
                .iter()
                .map(|row| RowView {
                    layer: row.layer,
                    label: row.label.clone(),
                    cells: matrix
                        .columns
                        .iter()
                        .map(|col| {
                            let owner = row.owners.get(&col.id).copied().unwrap_or(Owner::Customer);
                            let key = (row.layer, col.id.as_str());
                            let controls = cell_controls.get(&key).cloned().unwrap_or_default();
                            let results = cell_results.get(&key).cloned().unwrap_or_default();
                            let state = if col.models.is_empty() {
                                "out-of-scope"
                            } else if controls.fail > 0 {
                                "fail"
                            } else if controls.not_assessed > 0 {
                                "incomplete"
                            } else if controls.pass > 0 {
                                "pass"
                            } else if owner == Owner::Provider {
                                "provider"
                            } else {
                                "unchecked"
                            };
                            CellView {
                                column: col.id.clone(),
                                owner,
                                controls,
                                results,
                                state,
                            }
                        })
                        .collect(),
                })
                .collect(),
        };

        let layers = matrix
            .rows
            .iter()
            .map(|row| layer_view(row, findings, &by_id, &rule_statuses, matrix))
            .collect();

        let not_assessed = findings
            .iter()
            .filter(|f| f.status == Status::NotAssessed)
            .map(|f| NotAssessedView {
                rule: f.rule.clone(),
                title: by_id
                    .get(f.rule.as_str())
                    .map(|r| r.title.clone())
                    .unwrap_or_default(),
                severity: f.severity,
                resource: line(f),
            })
            .collect();

        let title = options
            .title
            .clone()
            .unwrap_or_else(|| match &options.customer {
                Some(c) => format!("Shared-responsibility assessment for {c}"),
                None => "Shared-responsibility assessment".to_owned(),
            });

        Report {
            meta: Meta {
                title,
                customer: options.customer.clone(),
                assessor: options.assessor.clone(),
                onus_version: env!("CARGO_PKG_VERSION"),
                provider: snapshot.provider.as_str(),
                accounts: &snapshot.accounts,
                regions: &snapshot.regions,
                collected_at: snapshot
                    .collected_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                collected_at_ms: snapshot.collected_at.timestamp_millis(),
                collector: format!("{} {}", snapshot.collector.name, snapshot.collector.version),
                principal: snapshot.collector.principal.as_deref(),
                matrix_id: &matrix.id,
                matrix_title: &matrix.title,
                matrix_source: &matrix.source,
                matrix_description: &matrix.description,
            },
            summary: Summary {
                resources: evaluation.resources,
                rules: rules.rules().len(),
                complete: results.not_assessed == 0,
                results,
                controls,
                failed_by_severity,
            },
            matrix: matrix_view,
            layers,
            not_assessed,
            privileged: super::privileged::section(snapshot),
            coverage_gaps: &snapshot.coverage_gaps,
            issues: &evaluation.issues,
            findings,
            rules: by_id,
            baseline: None,
            waivers: None,
        }
    }
}

fn layer_view(
    row: &crate::matrix::Row,
    findings: &[Finding],
    by_id: &BTreeMap<&str, &Rule>,
    rule_statuses: &BTreeMap<&str, BTreeSet<StatusKey>>,
    matrix: &Matrix,
) -> LayerView {
    let mut results = Counts::default();
    let mut controls = Counts::default();
    for f in findings.iter().filter(|f| f.matrix.layer == row.layer) {
        results.add(f.status);
    }
    for (rule, statuses) in rule_statuses {
        if by_id.get(rule).is_some_and(|r| r.layer == row.layer) {
            controls.add(control_outcome(statuses));
        }
    }
    let mut severities = Vec::new();
    for severity in Severity::ALL {
        let mut groups: BTreeMap<&str, RuleGroup> = BTreeMap::new();
        for f in findings.iter().filter(|f| {
            f.status == Status::Fail && f.matrix.layer == row.layer && f.severity == severity
        }) {
            let Some(rule) = by_id.get(f.rule.as_str()) else {
                continue;
            };
            let column = matrix
                .columns
                .iter()
                .find(|c| c.id == f.matrix.model)
                .map_or_else(|| f.matrix.model.clone(), |c| c.label.clone());
            groups
                .entry(&rule.id)
                .or_insert_with(|| RuleGroup {
                    id: rule.id.clone(),
                    title: rule.title.clone(),
                    description: rule.description.clone(),
                    rationale: rule.rationale.clone(),
                    remediation: rule.remediation.clone(),
                    references: rule.references.clone(),
                    cell: format!("{} × {}", row.label, column),
                    owner: f.matrix.owner,
                    resources: Vec::new(),
                })
                .resources
                .push(line(f));
        }
        if !groups.is_empty() {
            severities.push(SeverityGroup {
                severity,
                rules: groups.into_values().collect(),
            });
        }
    }
    LayerView {
        layer: row.layer,
        label: row.label.clone(),
        customer_job: row.customer_job.clone(),
        controls,
        results,
        severities,
    }
}
