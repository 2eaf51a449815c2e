//! OCSF 1.1.0 Detection Finding events (class 2004) for security data lakes and SIEMs.
//!
//! A JSON array with one event per failed result; passes and not-assessed results are not
//! detections and stay in the JSON report. Each event carries the rule (`finding_info`),
//! the resource, the cloud account and region, the remediation, and the responsibility-matrix
//! cell and rule id under `unmapped`, which OCSF has no attribute for.

use serde::Serialize;
use serde_json::{Value, json};

use super::{RenderError, Report};
use crate::finding::{Finding, Severity, Status};

const OCSF_VERSION: &str = "1.1.0";

#[derive(Serialize)]
struct Event<'a> {
    class_uid: u32,
    class_name: &'static str,
    category_uid: u32,
    category_name: &'static str,
    activity_id: u32,
    activity_name: &'static str,
    type_uid: u32,
    type_name: &'static str,
    severity_id: u32,
    severity: &'static str,
    status_id: u32,
    status: &'static str,
    /// Why a waived failure is suppressed.
    #[serde(skip_serializing_if = "Option::is_none")]
    status_detail: Option<String>,
    time: i64,
    message: &'a str,
    metadata: Value,
    finding_info: Value,
    resources: Value,
    cloud: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    remediation: Option<Value>,
    unmapped: Value,
}

/// OCSF severity: 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical.
fn severity(s: Severity) -> (u32, &'static str) {
    match s {
        Severity::Info => (1, "Informational"),
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    }
}

fn event<'a>(report: &'a Report<'_>, f: &'a Finding) -> Event<'a> {
    let rule = report.rules.get(&*f.rule);
    let (severity_id, severity) = severity(f.severity);
    let r = &f.resource;
    let mut finding_info = json!({
        "uid": f.fingerprint,
        "title": rule.map_or(&*f.rule, |r| r.title.as_str()),
        "types": ["Cloud Posture", f.matrix.layer.id()],
    });
    if let Some(rule) = rule {
        finding_info["desc"] = json!(rule.description);
    }
    let mut resource = json!({
        "uid": r.id,
        "name": r.name,
        "type": r.kind,
    });
    let mut cloud = json!({
        "provider": "AWS",
        "account": { "uid": r.account },
    });
    if let Some(region) = &r.region {
        resource["region"] = json!(region);
        cloud["region"] = json!(region);
    }
    let mut unmapped = json!({ "onus": { "rule": &*f.rule, "matrix": &*f.matrix } });
    if let Some(w) = &f.waiver {
        unmapped["onus"]["waiver"] = json!(w);
    }
    Event {
        class_uid: 2004,
        class_name: "Detection Finding",
        category_uid: 2,
        category_name: "Findings",
        activity_id: 1,
        activity_name: "Create",
        type_uid: 200401,
        type_name: "Detection Finding: Create",
        severity_id,
        severity,
        // A waived failure is OCSF's "Suppressed" (3), with the waiver's reason.
        status_id: if f.waiver.is_some() { 3 } else { 1 },
        status: if f.waiver.is_some() {
            "Suppressed"
        } else {
            "New"
        },
        status_detail: f.waiver.as_ref().map(|w| format!("waived: {}", w.reason)),
        time: report.meta.collected_at_ms,
        message: &f.message,
        metadata: json!({
            "version": OCSF_VERSION,
            "product": {
                "name": "onus",
                "vendor_name": "onus",
                "version": report.meta.onus_version,
            },
        }),
        finding_info,
        resources: json!([resource]),
        cloud,
        remediation: rule.map(|rule| {
            json!({
                "desc": rule.remediation,
                "references": rule.references,
            })
        }),
        unmapped,
    }
}

pub fn render(report: &Report<'_>) -> Result<String, RenderError> {
    let events: Vec<Event<'_>> = report
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .map(|f| event(report, f))
        .collect();
    let mut text = serde_json::to_string_pretty(&events)?;
    text.push('\n');
    Ok(text)
}
