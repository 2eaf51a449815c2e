//! CSV for spreadsheets: a header and one row per result (RFC 4180, through the `csv` crate:
//! CRLF line ends, fields quoted when they hold a comma, quote or line break). A waived
//! failure keeps its `fail` status and carries the waiver in the `waiver_*` columns.
//!
//! A cell that starts with `=`, `+`, `-`, `@`, tab or carriage return is prefixed with `'`,
//! so that a spreadsheet shows account data such as a resource name as text instead of
//! evaluating it as a formula.

use super::{RenderError, Report};

const HEADER: [&str; 17] = [
    "rule",
    "status",
    "severity",
    "layer",
    "model",
    "owner",
    "kind",
    "id",
    "name",
    "account",
    "region",
    "message",
    "fingerprint",
    "waiver_reason",
    "waiver_owner",
    "waiver_ticket",
    "waiver_expires",
];

/// The columns of `compliance-csv`: one row per framework requirement.
const COMPLIANCE_HEADER: [&str; 11] = [
    "framework",
    "section",
    "requirement",
    "title",
    "level",
    "assessment",
    "outcome",
    "rules",
    "failing_resources",
    "failing",
    "note",
];

/// A value as a spreadsheet shows it: text, never a formula.
fn guarded(value: &str) -> std::borrow::Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}").into()
    } else {
        value.into()
    }
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

fn finish(out: csv::Writer<Vec<u8>>) -> Result<String, RenderError> {
    let bytes = out.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// `compliance-csv`: one row per requirement of each framework assessed.
pub fn compliance(report: &Report<'_>) -> Result<String, RenderError> {
    let mut out = writer();
    let mut row = |cells: &[&str]| out.write_record(cells.iter().map(|c| guarded(c).into_owned()));
    row(&COMPLIANCE_HEADER)?;
    for f in report.compliance {
        let framework = format!("{} v{}", f.title, f.version);
        for s in &f.sections {
            for r in &s.requirements {
                let rules: Vec<String> = r
                    .rules
                    .iter()
                    .map(|x| format!("{}:{}", x.rule, x.outcome))
                    .collect();
                let failing: Vec<&str> = r.failing.iter().map(|x| x.id.as_str()).collect();
                let assessment = match r.assessment {
                    crate::compliance::Assessment::Automated => "automated",
                    crate::compliance::Assessment::Manual => "manual",
                };
                row(&[
                    &framework,
                    &format!("{} {}", s.id, s.title),
                    &r.id,
                    &r.title,
                    &r.level.to_string(),
                    assessment,
                    r.outcome.id(),
                    &rules.join("; "),
                    &r.failing_count.to_string(),
                    &failing.join("; "),
                    r.note.as_deref().unwrap_or(""),
                ])?;
            }
        }
    }
    finish(out)
}

pub fn render(report: &Report<'_>) -> Result<String, RenderError> {
    let mut out = writer();
    let mut row = |cells: &[&str]| out.write_record(cells.iter().map(|c| guarded(c).into_owned()));
    row(&HEADER)?;
    for f in report.findings {
        let r = &f.resource;
        let w = f.waiver.as_ref();
        let expires = w.and_then(|w| w.expires).map(|d| d.to_string());
        row(&[
            &f.rule,
            f.status.id(),
            f.severity.id(),
            f.matrix.layer.id(),
            f.matrix.model.as_str(),
            f.matrix.owner.id(),
            r.kind.as_str(),
            r.id.as_str(),
            r.name.as_str(),
            r.account.as_str(),
            r.region.as_deref().unwrap_or(""),
            f.message.as_str(),
            f.fingerprint.as_str(),
            w.map_or("", |w| w.reason.as_str()),
            w.and_then(|w| w.owner.as_deref()).unwrap_or(""),
            w.and_then(|w| w.ticket.as_deref()).unwrap_or(""),
            expires.as_deref().unwrap_or(""),
        ])?;
    }
    finish(out)
}
