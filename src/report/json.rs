//! Machine-readable results: the JSON contract other tools read.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{RenderError, Report};
use crate::engine::Effort;
use crate::finding::{Finding, Severity};
use crate::matrix::Layer;
use crate::snapshot::CoverageGap;

#[derive(Serialize)]
struct Output<'a> {
    onus_version: &'static str,
    snapshot: SnapshotMeta<'a>,
    matrix: MatrixMeta<'a>,
    results: &'a [Finding],
    rules: BTreeMap<&'a str, RuleMeta<'a>>,
    summary: &'a super::model::Summary,
    evaluation_issues: &'a [crate::engine::EvalIssue],
    /// Privileged identities and their protections, for `onus report` to read back.
    #[serde(skip_serializing_if = "Option::is_none")]
    privileged: Option<&'a super::privileged::PrivilegedSection>,
    /// Present only when a baseline was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<&'a crate::baseline::Comparison>,
    /// Present only when a waiver file is in use.
    #[serde(skip_serializing_if = "Option::is_none")]
    waivers: Option<&'a crate::waiver::WaiverReport>,
}

#[derive(Serialize)]
struct SnapshotMeta<'a> {
    provider: &'static str,
    /// The first account, for consumers that expect one.
    account: Option<&'a str>,
    accounts: &'a [String],
    regions: &'a [String],
    collected_at: &'a str,
    collector: &'a str,
    principal: Option<&'a str>,
    coverage_gaps: &'a [CoverageGap],
}

#[derive(Serialize)]
struct MatrixMeta<'a> {
    id: &'a str,
    title: &'a str,
}

#[derive(Serialize)]
struct RuleMeta<'a> {
    title: &'a str,
    severity: Severity,
    kind: &'a str,
    layer: Layer,
    description: &'a str,
    rationale: &'a str,
    remediation: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    risk: Option<&'a str>,
    effort: Effort,
    references: &'a [String],
    tags: &'a [String],
}

pub fn render(report: &Report<'_>) -> Result<String, RenderError> {
    let mut out = Vec::new();
    write(report, &mut out)?;
    String::from_utf8(out).map_err(|e| RenderError::Json(serde::ser::Error::custom(e)))
}

/// The results JSON, written to `out` as it is serialised.
pub fn write(report: &Report<'_>, out: &mut dyn std::io::Write) -> Result<(), RenderError> {
    let output = Output {
        onus_version: report.meta.onus_version,
        snapshot: SnapshotMeta {
            provider: report.meta.provider,
            account: report.meta.accounts.first().map(String::as_str),
            accounts: report.meta.accounts,
            regions: report.meta.regions,
            collected_at: &report.meta.collected_at,
            collector: &report.meta.collector,
            principal: report.meta.principal,
            coverage_gaps: report.coverage_gaps,
        },
        matrix: MatrixMeta {
            id: report.meta.matrix_id,
            title: report.meta.matrix_title,
        },
        results: report.findings,
        rules: report
            .rules
            .iter()
            .map(|(id, r)| {
                (
                    id.as_str(),
                    RuleMeta {
                        title: &r.title,
                        severity: r.severity,
                        kind: &r.kind,
                        layer: r.layer,
                        description: &r.description,
                        rationale: &r.rationale,
                        remediation: &r.remediation,
                        risk: r.risk.as_deref(),
                        effort: r.effort,
                        references: &r.references,
                        tags: &r.tags,
                    },
                )
            })
            .collect(),
        summary: &report.summary,
        evaluation_issues: report.issues,
        privileged: report.privileged.as_ref(),
        baseline: report.baseline,
        waivers: report.waivers,
    };
    serde_json::to_writer_pretty(&mut *out, &output)?;
    out.write_all(b"\n").map_err(serde_json::Error::io)?;
    Ok(())
}
