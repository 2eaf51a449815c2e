//! JUnit XML for CI test reports: one test suite per rule, one test case per resource.
//!
//! Failures are `<failure>`; results onus could not assess, and waived failures (with the
//! waiver's reason), are `<skipped>`; passes are plain test cases. quick-xml writes the
//! document and escapes markup; what XML 1.0 itself asks beyond that stays here: characters it
//! cannot carry (control characters other than tab, newline and carriage return; U+FFFE and
//! U+FFFF) are dropped, and whitespace that a parser would normalise is written as character
//! references (tab, newline and carriage return in attributes, carriage return in text).

use std::borrow::Cow;
use std::collections::BTreeMap;

use quick_xml::Writer;
use quick_xml::escape::{escape, partial_escape};
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::{RenderError, Report};
use crate::finding::{Finding, Status};

/// Whether XML 1.0 can carry `c`.
fn is_xml_char(c: char) -> bool {
    !matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}' | '\u{fffe}' | '\u{ffff}')
}

/// `s` as an attribute value: markup escaped, whitespace kept through attribute-value
/// normalisation.
fn attr<'a>(name: &'a str, s: &str) -> Attribute<'a> {
    let text: String = s.chars().filter(|c| is_xml_char(*c)).collect();
    let value = escape(text)
        .replace('\t', "&#9;")
        .replace('\n', "&#10;")
        .replace('\r', "&#13;");
    Attribute {
        key: quick_xml::name::QName(name.as_bytes()),
        value: Cow::Owned(value.into_bytes()),
    }
}

/// `s` as element content: markup escaped, quotes and line breaks as they are, carriage
/// returns kept through end-of-line normalisation.
fn text(s: &str) -> BytesText<'static> {
    let text: String = s.chars().filter(|c| is_xml_char(*c)).collect();
    BytesText::from_escaped(partial_escape(text).replace('\r', "&#13;"))
}

/// A failure that counts: not waived.
fn failing(f: &Finding) -> bool {
    f.status == Status::Fail && f.waiver.is_none()
}

/// Not assessed, or a waived failure.
fn skipped(f: &Finding) -> bool {
    f.status == Status::NotAssessed || f.waiver.is_some()
}

/// An element with these attributes.
fn element<'a>(name: &'a str, attrs: Vec<Attribute<'a>>) -> BytesStart<'a> {
    BytesStart::new(name).with_attributes(attrs)
}

/// The `tests`, `failures`, `skipped` and `errors` counts of a set of results.
fn counts<'a>(findings: &[&Finding]) -> Vec<Attribute<'a>> {
    let count = |n: usize| Cow::Owned(n.to_string().into_bytes());
    let attr = |key: &'static str, n: usize| Attribute {
        key: quick_xml::name::QName(key.as_bytes()),
        value: count(n),
    };
    vec![
        attr("tests", findings.len()),
        attr("failures", findings.iter().filter(|f| failing(f)).count()),
        attr("skipped", findings.iter().filter(|f| skipped(f)).count()),
        attr("errors", 0),
    ]
}

pub fn render(report: &Report<'_>) -> Result<String, RenderError> {
    // Results by rule, in rule-id order; within a rule, in report order.
    let mut suites: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in report.findings {
        suites.entry(&f.rule).or_default().push(f);
    }
    let all: Vec<&Finding> = report.findings.iter().collect();
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let mut root = vec![attr("name", "onus")];
    root.extend(counts(&all));
    w.write_event(Event::Start(element("testsuites", root)))?;
    for (rule_id, findings) in &suites {
        let rule = report.rules.get(*rule_id);
        let mut suite = vec![attr("name", rule_id)];
        suite.extend(counts(findings));
        w.write_event(Event::Start(element("testsuite", suite)))?;
        for f in findings {
            let r = &f.resource;
            let case = element(
                "testcase",
                vec![
                    attr("classname", &r.kind),
                    attr("name", &format!("{} ({})", r.name, r.id)),
                ],
            );
            let skip = |w: &mut Writer<Vec<u8>>, message: &str| {
                w.write_event(Event::Start(case.borrow()))?;
                w.write_event(Event::Empty(element(
                    "skipped",
                    vec![attr("message", message)],
                )))?;
                w.write_event(Event::End(BytesEnd::new("testcase")))
            };
            match f.status {
                Status::Pass => w.write_event(Event::Empty(case.borrow()))?,
                Status::Fail if f.waiver.is_some() => {
                    let reason = f.waiver.as_ref().map_or("", |w| w.reason.as_str());
                    skip(&mut w, &format!("waived: {reason} ({})", f.message))?;
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
                    w.write_event(Event::Start(case.borrow()))?;
                    w.write_event(Event::Start(element(
                        "failure",
                        vec![attr("message", &f.message), attr("type", f.severity.id())],
                    )))?;
                    w.write_event(Event::Text(text(&body)))?;
                    w.write_event(Event::End(BytesEnd::new("failure")))?;
                    w.write_event(Event::End(BytesEnd::new("testcase")))?;
                }
                Status::NotAssessed => skip(&mut w, &f.message)?,
            }
        }
        w.write_event(Event::End(BytesEnd::new("testsuite")))?;
    }
    w.write_event(Event::End(BytesEnd::new("testsuites")))?;
    let mut out = w.into_inner();
    out.push(b'\n');
    Ok(String::from_utf8_lossy(&out).into_owned())
}
