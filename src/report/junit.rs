//! JUnit XML for CI test reports: one test suite per rule, one test case per resource.
//!
//! Failures are `<failure>`; results onus could not assess, and waived failures (with the
//! waiver's reason), are `<skipped>`; passes are plain test cases. Written by hand: every value is escaped for its attribute or text position,
//! and characters XML 1.0 cannot carry (control characters other than tab, newline and
//! carriage return; U+FFFE and U+FFFF) are dropped.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{RenderError, Report};
use crate::finding::{Finding, Status};

/// Escapes a value for an attribute: tab, newline and carriage return become character
/// references, so that attribute-value normalisation keeps them.
fn attr(s: &str) -> String {
    escape(s, true)
}

/// Escapes a value for element content: quotes, newlines and tabs stay as they are.
fn text(s: &str) -> String {
    escape(s, false)
}

fn escape(s: &str, in_attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if in_attribute => out.push_str("&quot;"),
            '\'' if in_attribute => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\t' if in_attribute => out.push_str("&#9;"),
            '\n' if in_attribute => out.push_str("&#10;"),
            '\t' | '\n' => out.push(c),
            // Not XML 1.0 characters (and DEL, a control character): dropped.
            '\u{0}'..='\u{1f}' | '\u{7f}' | '\u{fffe}' | '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A failure that counts: not waived.
fn failing(f: &Finding) -> bool {
    f.status == Status::Fail && f.waiver.is_none()
}

/// Not assessed, or a waived failure.
fn skipped(f: &Finding) -> bool {
    f.status == Status::NotAssessed || f.waiver.is_some()
}

pub fn render(report: &Report<'_>) -> Result<String, RenderError> {
    // Results by rule, in rule-id order; within a rule, in report order.
    let mut suites: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in report.findings {
        suites.entry(&f.rule).or_default().push(f);
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"onus\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" errors=\"0\">",
        report.findings.len(),
        report.findings.iter().filter(|f| failing(f)).count(),
        report.findings.iter().filter(|f| skipped(f)).count()
    );
    for (rule_id, findings) in &suites {
        let rule = report.rules.get(*rule_id);
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" errors=\"0\">",
            attr(rule_id),
            findings.len(),
            findings.iter().filter(|f| failing(f)).count(),
            findings.iter().filter(|f| skipped(f)).count()
        );
        for f in findings {
            let r = &f.resource;
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\"",
                attr(&r.kind),
                attr(&format!("{} ({})", r.name, r.id))
            );
            match f.status {
                Status::Pass => out.push_str("/>\n"),
                Status::Fail if f.waiver.is_some() => {
                    let w = f.waiver.as_ref().map_or("", |w| w.reason.as_str());
                    let _ = writeln!(
                        out,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        attr(&format!("waived: {w} ({})", f.message))
                    );
                }
                Status::Fail => {
                    let mut body = format!(
                        "{}\n\nResource: {}\nAccount: {}\nRegion: {}\nMatrix: {} × {} ({})\nFingerprint: {}",
                        f.message,
                        r.id,
                        r.account,
                        r.region.as_deref().unwrap_or("global"),
                        f.matrix.layer.id(),
                        f.matrix.model,
                        f.matrix.owner.id(),
                        f.fingerprint
                    );
                    if let Some(rule) = rule {
                        body.push_str(&format!("\n\nRemediation: {}", rule.remediation));
                    }
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                        attr(&f.message),
                        f.severity.id(),
                        text(&body)
                    );
                }
                Status::NotAssessed => {
                    let _ = writeln!(
                        out,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        attr(&f.message)
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    Ok(out)
}
