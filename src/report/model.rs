//! The report model: everything a renderer shows, computed once from the evaluation so that
//! renderers only format.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::assessment::{self, Appendix, Monitoring, Risk, Roadmap};
use super::lines::{RESOURCE_LIMIT, ResourceLine, line};
use super::tally::Tally;
use crate::analyze::privileged::PrivilegedSection;
use crate::compliance::FrameworkResult;
use crate::engine::{EvalIssue, Evaluation, RuleSet};
use crate::finding::{Finding, Severity, Status};
use crate::gate::baseline::Comparison;
use crate::gate::waiver::WaiverReport;
use crate::matrix::{Layer, Matrix, Owner};
use crate::results::{
    Counts, Document, RuleInfo, Score, SeverityCount, SeverityCounts, SeverityWeight, Summary,
};
use crate::snapshot::{CoverageGap, Provider, Snapshot};

/// What the person running onus says about the report.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    pub title: Option<String>,
    pub customer: Option<String>,
    pub assessor: Option<String>,
    /// The cover logo as a `data:` URI (see `logo::data_uri`).
    pub logo: Option<String>,
}

/// What a report is made from, whether a fresh evaluation or a results JSON read back.
pub(super) struct Parts<'a> {
    pub provider: Provider,
    pub accounts: &'a [String],
    pub regions: &'a [String],
    pub collected_at: DateTime<Utc>,
    pub collector: String,
    pub principal: Option<&'a str>,
    pub coverage_gaps: &'a [CoverageGap],
    pub findings: &'a [Finding],
    pub issues: &'a [EvalIssue],
    pub resources: usize,
    pub rules_loaded: usize,
    pub rules: BTreeMap<String, RuleInfo>,
    /// Absent when a results JSON without it is read back.
    pub privileged: Option<&'a PrivilegedSection>,
}

#[derive(Debug, Serialize)]
pub struct Report<'a> {
    pub meta: Meta<'a>,
    pub summary: Summary,
    pub matrix: MatrixView,
    pub layers: Vec<LayerView>,
    /// The failed controls that matter most, highest severity first (at most five).
    pub risks: Vec<Risk>,
    pub monitoring: Monitoring,
    pub roadmap: Roadmap,
    /// Every not-assessed result (the text format lists them; the others use the appendix).
    #[serde(skip)]
    pub not_assessed: Vec<NotAssessedView>,
    /// Privileged identities and their protections (templates/partials/privileged_access.*).
    pub privileged: Option<&'a PrivilegedSection>,
    /// The compliance frameworks assessed on these results (templates/partials/compliance.*).
    pub compliance: &'a [FrameworkResult],
    pub coverage_gaps: &'a [CoverageGap],
    pub issues: &'a [EvalIssue],
    /// Every result, compact, for the HTML appendix's table (serialised apart: it can be large).
    #[serde(skip)]
    pub appendix: Appendix<'a>,
    #[serde(skip)]
    pub findings: &'a [Finding],
    #[serde(skip)]
    pub rules: BTreeMap<String, RuleInfo>,
    /// Today's failures against a baseline, when one was given.
    #[serde(skip)]
    pub baseline: Option<&'a Comparison>,
    /// What the waivers did, when a waiver file is in use.
    #[serde(skip)]
    pub waivers: Option<&'a WaiverReport>,
    #[serde(skip)]
    pub provider: Provider,
    /// When the snapshot was collected.
    #[serde(skip)]
    pub collected_at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct Meta<'a> {
    pub title: String,
    pub customer: Option<String>,
    pub assessor: Option<String>,
    pub onus_version: &'static str,
    /// The onus that evaluated the results (differs from `onus_version` for a results JSON
    /// written by another version).
    pub evaluated_by: String,
    pub logo: Option<String>,
    pub provider: &'static str,
    pub accounts: &'a [String],
    pub regions: &'a [String],
    pub collected_at: String,
    /// The collection day (YYYY-MM-DD): the assessment's date.
    pub date: String,
    /// The collection time as milliseconds since the Unix epoch.
    pub collected_at_ms: i64,
    pub collector: String,
    pub principal: Option<&'a str>,
    pub matrix_id: &'a str,
    pub matrix_title: &'a str,
    pub matrix_source: &'a str,
    pub matrix_description: &'a str,
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
    pub score: Score,
    /// Every control onus checked in this layer, failed first.
    pub checks: Vec<ControlLine>,
    pub severities: Vec<SeverityGroup>,
}

/// One control (rule) in a layer and how it came out.
#[derive(Debug, Serialize)]
pub struct ControlLine {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    /// `fail`, `not-assessed` or `pass`.
    pub outcome: Status,
    pub results: Counts,
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
    /// The first `RESOURCE_LIMIT` resources it failed on; the appendix lists them all.
    pub resources: Vec<ResourceLine>,
    /// How many failed resources are not listed in `resources`.
    pub more: usize,
    /// Its step in the remediation roadmap.
    pub step: Option<usize>,
}

#[derive(Debug, Serialize)]
pub struct NotAssessedView {
    pub rule: String,
    pub title: String,
    pub severity: Severity,
    pub resource: ResourceLine,
}

impl<'a> Report<'a> {
    /// The report on a fresh evaluation of `snapshot`.
    pub fn build(
        snapshot: &'a Snapshot,
        evaluation: &'a Evaluation,
        rules: &'a RuleSet,
        matrix: &'a Matrix,
        options: &ReportOptions,
    ) -> Report<'a> {
        let parts = Parts {
            provider: snapshot.provider,
            accounts: &snapshot.accounts,
            regions: &snapshot.regions,
            collected_at: snapshot.collected_at,
            collector: format!("{} {}", snapshot.collector.name, snapshot.collector.version),
            principal: snapshot.collector.principal.as_deref(),
            coverage_gaps: &snapshot.coverage_gaps,
            findings: &evaluation.findings,
            issues: &evaluation.issues,
            resources: evaluation.resources,
            rules_loaded: rules.rules().len(),
            rules: rules
                .rules()
                .iter()
                .map(|r| (r.id.clone(), RuleInfo::of(r)))
                .collect(),
            privileged: Some(&evaluation.privileged),
        };
        Report::assemble(parts, env!("CARGO_PKG_VERSION").to_owned(), matrix, options)
    }

    /// The report on a results document (`onus evaluate -f json`) read back.
    pub fn from_results(
        doc: &'a Document<'static>,
        matrix: &'a Matrix,
        options: &ReportOptions,
    ) -> Report<'a> {
        let s = &doc.snapshot;
        let parts = Parts {
            provider: s.provider,
            accounts: &s.accounts,
            regions: &s.regions,
            collected_at: s.collected_at,
            collector: s.collector.to_string(),
            principal: s.principal.as_deref(),
            coverage_gaps: &s.coverage_gaps,
            findings: &doc.results,
            issues: &doc.evaluation_issues,
            resources: doc.summary.resources,
            rules_loaded: doc.summary.rules,
            rules: doc.rules.as_ref().clone(),
            privileged: doc.privileged.as_deref(),
        };
        Report::assemble(parts, doc.onus_version.to_string(), matrix, options)
    }

    fn assemble(
        parts: Parts<'a>,
        evaluated_by: String,
        matrix: &'a Matrix,
        options: &ReportOptions,
    ) -> Report<'a> {
        let findings = parts.findings;
        let by_id = &parts.rules;

        let tally = Tally::of(findings);
        let results = tally.counts(None, None);
        let cell_results = &tally.by_cell;
        let mut controls = Counts::default();
        let mut cell_controls: BTreeMap<(Layer, &str), Counts> = BTreeMap::new();
        for (rule, counts) in &tally.by_rule {
            let Some(outcome) = counts.outcome() else {
                continue;
            };
            controls.add(outcome);
            if let Some(cell) = tally.rule_cell.get(rule) {
                cell_controls.entry(*cell).or_default().add(outcome);
            }
        }

        let failed_by_severity = Severity::ALL
            .iter()
            .map(|s| SeverityCount {
                severity: *s,
                count: tally.counts(None, Some(*s)).fail,
            })
            .collect();
        let by_severity = Severity::ALL
            .iter()
            .map(|s| SeverityCounts {
                severity: *s,
                counts: tally.counts(None, Some(*s)),
            })
            .collect();
        let weights = Severity::ALL
            .iter()
            .map(|s| SeverityWeight {
                severity: *s,
                weight: s.weight(),
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
            .map(|row| layer_view(row, &tally, by_id, matrix))
            .collect();

        let not_assessed = findings
            .iter()
            .filter(|f| f.status == Status::NotAssessed)
            .map(|f| NotAssessedView {
                rule: f.rule.to_string(),
                title: by_id
                    .get(&*f.rule)
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

        let roadmap = assessment::roadmap(findings, by_id);
        let mut layers: Vec<LayerView> = layers;
        for group in layers
            .iter_mut()
            .flat_map(|l| l.severities.iter_mut())
            .flat_map(|s| s.rules.iter_mut())
        {
            group.step = roadmap.step_of(&group.id);
        }

        Report {
            meta: Meta {
                title,
                customer: options.customer.clone(),
                assessor: options.assessor.clone(),
                onus_version: env!("CARGO_PKG_VERSION"),
                evaluated_by,
                logo: options.logo.clone(),
                provider: parts.provider.as_str(),
                accounts: parts.accounts,
                regions: parts.regions,
                collected_at: parts
                    .collected_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                date: parts.collected_at.format("%Y-%m-%d").to_string(),
                collected_at_ms: parts.collected_at.timestamp_millis(),
                collector: parts.collector,
                principal: parts.principal,
                matrix_id: &matrix.id,
                matrix_title: &matrix.title,
                matrix_source: &matrix.source,
                matrix_description: &matrix.description,
            },
            summary: Summary {
                resources: parts.resources,
                rules: parts.rules_loaded,
                complete: results.not_assessed == 0,
                score: Score::of_counts(|s| tally.counts(None, Some(s))),
                results,
                controls,
                failed_by_severity,
                by_severity,
                weights,
            },
            matrix: matrix_view,
            layers,
            risks: assessment::risks(findings, by_id, matrix),
            monitoring: assessment::monitoring(&tally.by_rule, by_id),
            roadmap,
            not_assessed,
            privileged: parts.privileged,
            compliance: &[],
            coverage_gaps: parts.coverage_gaps,
            issues: parts.issues,
            appendix: Appendix::of(findings, by_id, matrix),
            findings,
            rules: parts.rules,
            baseline: None,
            waivers: None,
            provider: parts.provider,
            collected_at: parts.collected_at,
        }
    }
}

/// A failed or not-assessed result, for the Markdown appendix.
#[derive(Debug, Serialize)]
pub struct ResultLine<'a> {
    pub rule: &'a str,
    pub title: &'a str,
    pub severity: Severity,
    pub status: Status,
    pub waived: bool,
    pub layer: &'a str,
    pub owner: Owner,
    pub resource: ResourceLine,
}

impl Report<'_> {
    /// Every result that failed or could not be assessed, in report order.
    pub fn open_results(&self) -> Vec<ResultLine<'_>> {
        self.appendix
            .rows
            .iter()
            .filter(|r| r.status != Status::Pass)
            .filter_map(|r| {
                let rule = self.appendix.rules.get(r.rule)?;
                Some(ResultLine {
                    rule: &rule.id,
                    title: &rule.title,
                    severity: rule.severity,
                    status: r.status,
                    waived: r.finding.waiver.is_some(),
                    layer: &rule.layer,
                    owner: r.owner,
                    resource: line(r.finding),
                })
            })
            .collect()
    }
}

fn layer_view(
    row: &crate::matrix::Row,
    tally: &Tally<'_>,
    by_id: &BTreeMap<String, RuleInfo>,
    matrix: &Matrix,
) -> LayerView {
    let results = tally.counts(Some(row.layer), None);
    let mut controls = Counts::default();
    let mut checks = Vec::new();
    for (rule, counts) in &tally.by_rule {
        let Some(info) = by_id.get(*rule).filter(|r| r.layer == row.layer) else {
            continue;
        };
        let Some(outcome) = counts.outcome() else {
            continue;
        };
        controls.add(outcome);
        checks.push(ControlLine {
            id: info.id.clone(),
            title: info.title.clone(),
            severity: info.severity,
            outcome,
            results: counts.clone(),
        });
    }
    checks.sort_by(|a, b| {
        a.outcome
            .rank()
            .cmp(&b.outcome.rank())
            .then(b.severity.cmp(&a.severity))
            .then_with(|| a.id.cmp(&b.id))
    });
    let mut severities = Vec::new();
    for severity in Severity::ALL {
        let mut groups: BTreeMap<&str, RuleGroup> = BTreeMap::new();
        let failures = tally.failures_by_layer.get(&row.layer);
        for f in failures
            .into_iter()
            .flatten()
            .filter(|f| f.severity == severity)
        {
            let Some(rule) = by_id.get(&*f.rule) else {
                continue;
            };
            let column = matrix
                .columns
                .iter()
                .find(|c| c.id == f.matrix.model)
                .map_or_else(|| f.matrix.model.clone(), |c| c.label.clone());
            let group = groups.entry(&rule.id).or_insert_with(|| RuleGroup {
                id: rule.id.clone(),
                title: rule.title.clone(),
                description: rule.description.clone(),
                rationale: rule.rationale.clone(),
                remediation: rule.remediation.clone(),
                references: rule.references.clone(),
                cell: format!("{} × {}", row.label, column),
                owner: f.matrix.owner,
                resources: Vec::new(),
                more: 0,
                step: None,
            });
            if group.resources.len() < RESOURCE_LIMIT {
                group.resources.push(line(f));
            } else {
                group.more += 1;
            }
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
        score: Score::of_counts(|s| tally.counts(Some(row.layer), Some(s))),
        checks,
        severities,
    }
}
