//! Machine-readable results: the JSON contract other tools read.

use std::collections::BTreeMap;

use std::borrow::Cow;

use rayon::prelude::*;
use serde::Serialize;

use super::privileged::{PrivilegedIdentity, PrivilegedSection};
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
    results: Results<'a>,
    rules: BTreeMap<&'a str, RuleMeta<'a>>,
    summary: &'a super::model::Summary,
    evaluation_issues: &'a [crate::engine::EvalIssue],
    /// Privileged identities and their protections, for `onus report` to read back.
    #[serde(skip_serializing_if = "Option::is_none")]
    privileged: Option<Cow<'a, PrivilegedSection>>,
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

/// The document with every field in place.
fn output<'a>(report: &'a Report<'_>) -> Output<'a> {
    Output {
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
        results: Results::All(report.findings),
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
        privileged: report.privileged.as_ref().map(Cow::Borrowed),
        baseline: report.baseline,
        waivers: report.waivers,
    }
}

/// The results JSON, written to `out` as it is serialised: the same bytes as
/// `serde_json::to_writer_pretty` of the whole document, but its two long arrays (the
/// results, the privileged identities) are serialised on every core. The rest of the document
/// is serialised with those arrays empty, and the arrays are spliced in where it holds `[]`.
pub fn write(report: &Report<'_>, out: &mut dyn std::io::Write) -> Result<(), RenderError> {
    let mut doc = output(report);
    doc.results = Results::Placeholder;
    let identities = report.privileged.as_ref().map(|p| &p.identities[..]);
    if let Some(p) = &report.privileged {
        doc.privileged = Some(Cow::Owned(p.without_identities()));
    }
    let frame = serde_json::to_vec_pretty(&doc)?;
    let missing = |what: &str| {
        RenderError::Json(serde::ser::Error::custom(format!(
            "the {what} key is missing from the document"
        )))
    };
    let results_at = find(&frame, RESULTS_KEY, 0).ok_or_else(|| missing("results"))?;
    let mut splices: Vec<(usize, Splice<'_>)> = vec![(
        results_at + RESULTS_KEY.len(),
        Splice::Results(report.findings),
    )];
    if let Some(identities) = identities {
        let privileged = find(&frame, PRIVILEGED_KEY, 0).ok_or_else(|| missing("privileged"))?;
        let at = find(&frame, IDENTITIES_KEY, privileged).ok_or_else(|| missing("identities"))?;
        splices.push((at + IDENTITIES_KEY.len(), Splice::Identities(identities)));
    }
    let io = serde_json::Error::io;
    let mut from = 0;
    for (end, splice) in splices {
        // `end` is just past the `[]` that the array replaces.
        out.write_all(&frame[from..end - 2]).map_err(io)?;
        match splice {
            Splice::Results(items) => write_array(items, out, 1, BATCH, BATCH / 32),
            Splice::Identities(items) => write_array(items, out, 2, BATCH / 16, BATCH / 512),
        }
        .map_err(io)?;
        from = end;
    }
    out.write_all(&frame[from..]).map_err(io)?;
    out.write_all(b"\n").map_err(io)?;
    Ok(())
}

/// An array written apart from the document.
enum Splice<'a> {
    Results(&'a [Finding]),
    Identities(&'a [PrivilegedIdentity]),
}

/// What the results field holds.
enum Results<'a> {
    All(&'a [Finding]),
    /// `[]`, where [`write`] splices the results in.
    Placeholder,
}

impl Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Results::All(findings) => findings.serialize(s),
            Results::Placeholder => s.collect_seq(std::iter::empty::<()>()),
        }
    }
}

// How the spliced keys read in the pretty document when their arrays are empty. A key at a
// given indentation after a newline is a key at that depth: strings cannot hold raw newlines.
const RESULTS_KEY: &[u8] = b"\n  \"results\": []";
const PRIVILEGED_KEY: &[u8] = b"\n  \"privileged\": {";
const IDENTITIES_KEY: &[u8] = b"\n    \"identities\": []";

/// Where `needle` first occurs in `haystack` at or after `from`.
fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i)
}

/// Results per parallel batch: enough to keep every core busy, few enough to keep the
/// serialised batch small (about 12 MB).
const BATCH: usize = 16_384;

/// `items` as the pretty-printed array at nesting `depth`: `[`, each item indented by
/// `depth + 1` levels, the closing `]` by `depth`; `batch` items at a time, serialised in
/// parallel pieces of `piece` on another thread while this one writes the batch before.
fn write_array<T: Serialize + Sync>(
    items: &[T],
    out: &mut dyn std::io::Write,
    depth: usize,
    batch: usize,
    piece: usize,
) -> std::io::Result<()> {
    if items.is_empty() {
        return out.write_all(b"[]");
    }
    let indent = "  ".repeat(depth + 1);
    out.write_all(b"[\n")?;
    std::thread::scope(|scope| {
        // One serialised batch waits while the next is serialised and the one before written.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Vec<u8>>>(1);
        let indent = indent.as_bytes();
        let serialiser = scope.spawn(move || {
            for batch in items.chunks(batch) {
                let parts = batch
                    .par_chunks(piece)
                    .map(|chunk| {
                        let mut buf = Vec::new();
                        for item in chunk {
                            if !buf.is_empty() {
                                buf.extend_from_slice(b",\n");
                            }
                            indented(item, indent, &mut buf)?;
                        }
                        Ok(buf)
                    })
                    .collect::<Result<_, serde_json::Error>>()?;
                if tx.send(parts).is_err() {
                    break; // the writer stopped on an error of its own
                }
            }
            Ok::<(), serde_json::Error>(())
        });
        let written = (|| {
            let mut first = true;
            for part in rx.iter().flatten() {
                if !std::mem::take(&mut first) {
                    out.write_all(b",\n")?;
                }
                out.write_all(&part)?;
            }
            Ok::<(), std::io::Error>(())
        })();
        drop(rx);
        let serialised = serialiser
            .join()
            .unwrap_or_else(|_| Err(serde::ser::Error::custom("serialising panicked")));
        written?;
        serialised.map_err(std::io::Error::other)
    })?;
    out.write_all(b"\n")?;
    out.write_all(&indent.as_bytes()[2..])?;
    out.write_all(b"]")
}

/// One item, pretty-printed with every line indented by `indent`, appended to `buf`.
fn indented<T: Serialize>(
    item: &T,
    indent: &[u8],
    buf: &mut Vec<u8>,
) -> Result<(), serde_json::Error> {
    let text = serde_json::to_vec_pretty(item)?;
    buf.extend_from_slice(indent);
    for line in text.split_inclusive(|&b| b == b'\n') {
        buf.extend_from_slice(line);
        if line.ends_with(b"\n") {
            buf.extend_from_slice(indent);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::finding::{ResourceRef, Status};
    use crate::matrix::{Cell, Owner};

    fn finding(n: usize) -> Finding {
        Finding {
            rule: format!("rule-{}", n % 3).into(),
            status: Status::Fail,
            severity: Severity::High,
            resource: Arc::new(ResourceRef {
                kind: "aws.iam.user".into(),
                id: format!("arn:aws:iam::1:user/u{n}"),
                name: format!("u{n} \"quoted\"\n\u{2028}<b>"),
                region: n.is_multiple_of(2).then(|| "eu-west-1".to_owned()),
                account: "1".into(),
                tags: [("k".to_owned(), "v\tw".to_owned())].into(),
            }),
            matrix: Arc::new(Cell {
                layer: Layer::Identity,
                model: "iaas".into(),
                owner: Owner::Customer,
            }),
            message: format!("message {n}\r\n\\"),
            fingerprint: format!("{n:032x}"),
            waiver: None,
        }
    }

    /// The results as serialising them in one piece, inside a document, prints them.
    fn whole(results: &[Finding]) -> String {
        #[derive(Serialize)]
        struct Doc<'a> {
            results: &'a [Finding],
        }
        let text = serde_json::to_string_pretty(&Doc { results }).unwrap();
        let body = text.strip_prefix("{\n  \"results\": ").unwrap();
        body.strip_suffix("\n}").unwrap().to_owned()
    }

    #[test]
    fn results_written_in_parallel_pieces_are_the_bytes_of_one_serialisation() {
        for n in [0, 1, 2, 5, 6, 11, 40] {
            let results: Vec<Finding> = (0..n).map(finding).collect();
            for (batch, piece) in [(5, 2), (4, 4), (1, 1), (100, 3)] {
                let mut out = Vec::new();
                write_array(&results, &mut out, 1, batch, piece).unwrap();
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    whole(&results),
                    "{n} results in batches of {batch}, pieces of {piece}"
                );
            }
        }
    }

    #[test]
    fn the_spliced_document_is_the_bytes_of_one_serialisation() {
        let sample = crate::engine::sample::evaluated("aws-demo");
        let options = super::super::ReportOptions::default();
        let report = Report::build(
            &sample.snapshot,
            &sample.evaluation,
            &sample.rules,
            &sample.matrix,
            &options,
        );
        let privileged = report.privileged.as_ref().unwrap();
        assert!(report.findings.len() > 1 && privileged.identities.len() > 1);

        let mut spliced = Vec::new();
        write(&report, &mut spliced).unwrap();
        let mut whole = serde_json::to_vec_pretty(&output(&report)).unwrap();
        whole.push(b'\n');
        assert_eq!(
            String::from_utf8(spliced).unwrap(),
            String::from_utf8(whole).unwrap()
        );
    }
}
