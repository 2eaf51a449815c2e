//! SARIF 2.1.0 for code-scanning dashboards (GitHub code scanning and other SARIF readers).
//!
//! One run. Results are the failures (`kind: "fail"`, level by severity) and the results
//! onus could not assess (`kind: "open"`, level `"none"`: SARIF's "insufficient information
//! to decide whether a problem exists"). A waived failure carries an accepted external
//! suppression with the waiver's reason, which code scanning shows as dismissed; with a
//! baseline, failures carry `baselineState` `new` or `unchanged`. Passes are
//! left out: code-scanning dashboards list every result they receive. A cloud resource has
//! no file, so each result carries a logical location (the resource) and a
//! repository-relative physical location `{account}/{region or global}/{kind}/{percent-encoded
//! id}` that names it, since GitHub code scanning refuses URI schemes it does not know.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use super::{RenderError, Report};
use crate::finding::{Finding, Severity, Status};
use crate::results::RuleInfo;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
struct Run<'a> {
    tool: Tool<'a>,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<Descriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text<'a>,
    full_description: Text<'a>,
    help: Help,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<&'a str>,
    default_configuration: Configuration,
    properties: Value,
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    kind: &'static str,
    level: &'static str,
    message: Text<'a>,
    locations: [Location<'a>; 1],
    partial_fingerprints: BTreeMap<&'static str, &'a str>,
    /// With a baseline: `new` or `unchanged` (a baselined failure).
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    /// A waived failure: SARIF's accepted external suppression.
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<[Suppression<'a>; 1]>,
    properties: Value,
}

#[derive(Serialize)]
struct Suppression<'a> {
    kind: &'static str,
    status: &'static str,
    justification: &'a str,
    properties: Value,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation,
    logical_locations: [LogicalLocation<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    name: &'a str,
    fully_qualified_name: &'a str,
    kind: &'static str,
}

/// The level of a failure of this severity (and of its rule by default).
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity`: a CVSS-like score it maps back to critical … low.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters, so that an ARN (with its
/// colons and slashes) is one path segment of a relative URI.
fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn descriptor<'a>(rule: &'a RuleInfo) -> Descriptor<'a> {
    let mut markdown = format!(
        "{}\n\n**Why it matters:** {}\n\n**Remediation:** {}\n\n**References:**\n",
        rule.description, rule.rationale, rule.remediation
    );
    for reference in &rule.references {
        markdown.push_str(&format!("- {reference}\n"));
    }
    Descriptor {
        id: &rule.id,
        name: &rule.title,
        short_description: Text { text: &rule.title },
        full_description: Text {
            text: &rule.description,
        },
        help: Help {
            text: format!(
                "Why it matters: {}\n\nRemediation: {}",
                rule.rationale, rule.remediation
            ),
            markdown,
        },
        help_uri: rule
            .references
            .iter()
            .find(|r| r.starts_with("https://"))
            .map(String::as_str),
        default_configuration: Configuration {
            level: level(rule.severity),
        },
        properties: json!({
            "severity": rule.severity,
            "layer": rule.layer,
            "tags": rule.tags,
            "references": rule.references,
            "security-severity": security_severity(rule.severity),
        }),
    }
}

fn result<'a>(
    f: &'a Finding,
    rule_index: usize,
    baseline: Option<&crate::gate::baseline::Comparison>,
) -> SarifResult<'a> {
    let (kind, level) = match f.status {
        Status::Fail => ("fail", level(f.severity)),
        _ => ("open", "none"),
    };
    let r = &f.resource;
    SarifResult {
        rule_id: &f.rule,
        rule_index,
        kind,
        level,
        message: Text { text: &f.message },
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: format!(
                        "{}/{}/{}/{}",
                        segment(&r.account),
                        segment(r.region.as_deref().unwrap_or("global")),
                        segment(&r.kind),
                        segment(&r.id)
                    ),
                },
            },
            logical_locations: [LogicalLocation {
                name: &r.name,
                fully_qualified_name: &r.id,
                kind: "resource",
            }],
        }],
        partial_fingerprints: BTreeMap::from([("onus/v1", f.fingerprint.as_str())]),
        baseline_state: baseline.filter(|_| f.status == Status::Fail).map(|b| {
            if b.is_baselined(&f.fingerprint) {
                "unchanged"
            } else {
                "new"
            }
        }),
        suppressions: f.waiver.as_ref().map(|w| {
            [Suppression {
                kind: "external",
                status: "accepted",
                justification: &w.reason,
                properties: json!({
                    "owner": w.owner,
                    "ticket": w.ticket,
                    "expires": w.expires,
                    "waiver": w.index,
                }),
            }]
        }),
        properties: json!({
            "status": f.status.id(),
            "severity": f.severity,
            "account": r.account,
            "region": r.region,
            "resourceKind": r.kind,
            "matrix": &*f.matrix,
        }),
    }
}

pub fn render(report: &Report<'_>) -> Result<String, RenderError> {
    // Every rule that produced a result, in id order; results point into this list.
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rules = Vec::new();
    for (id, rule) in &report.rules {
        if report.findings.iter().any(|f| *f.rule == **id) {
            index.insert(id.as_str(), rules.len());
            rules.push(descriptor(rule));
        }
    }
    let results = report
        .findings
        .iter()
        .filter(|f| f.status != Status::Pass)
        .filter_map(|f| index.get(&*f.rule).map(|i| result(f, *i, report.baseline)))
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "onus",
                    version: report.meta.onus_version,
                    semantic_version: report.meta.onus_version,
                    rules,
                },
            },
            results,
        }],
    };
    let mut text = serde_json::to_string_pretty(&log)?;
    text.push('\n');
    Ok(text)
}
