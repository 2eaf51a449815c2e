//! Machine-readable results: the JSON contract other tools read.

use std::collections::BTreeMap;

use rayon::prelude::*;
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
    /// Written apart, in parallel (see [`write`]); serialised here as `[]`.
    #[serde(serialize_with = "empty_results")]
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
    // The document around the results, then the results spliced in where it has `[]`: the
    // bytes are those of serialising the whole document at once, but most of them (the
    // results) are serialised on every core.
    let frame = serde_json::to_vec_pretty(&output)?;
    let Some(at) = find(&frame, RESULTS_KEY) else {
        return Err(RenderError::Json(serde::ser::Error::custom(
            "the results key is missing from the document",
        )));
    };
    let split = at + RESULTS_KEY.len() - b"[]".len();
    let io = serde_json::Error::io;
    out.write_all(&frame[..split]).map_err(io)?;
    write_results(output.results, out, BATCH, BATCH / 32).map_err(io)?;
    out.write_all(&frame[split + b"[]".len()..]).map_err(io)?;
    out.write_all(b"\n").map_err(io)?;
    Ok(())
}

/// How the top-level `results` key reads in the pretty document when it holds no results
/// (a key at this indentation can only be a top-level one: strings cannot hold raw newlines).
const RESULTS_KEY: &[u8] = b"\n  \"results\": []";

fn empty_results<S: serde::Serializer>(_: &&[Finding], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(std::iter::empty::<()>())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Results per parallel batch: enough to keep every core busy, few enough to keep the
/// serialised batch small (about 12 MB).
const BATCH: usize = 16_384;

/// `results` as the pretty-printed array at the document's second level: `[`, each result
/// indented by four spaces, `]`; `batch` results at a time, in parallel pieces of `piece`.
fn write_results(
    results: &[Finding],
    out: &mut dyn std::io::Write,
    batch: usize,
    piece: usize,
) -> std::io::Result<()> {
    if results.is_empty() {
        return out.write_all(b"[]");
    }
    out.write_all(b"[\n")?;
    for (n, batch) in results.chunks(batch).enumerate() {
        let parts: Vec<Vec<u8>> = batch
            .par_chunks(piece)
            .map(|chunk| {
                let mut buf = Vec::with_capacity(chunk.len() * 800);
                for f in chunk {
                    if !buf.is_empty() {
                        buf.extend_from_slice(b",\n");
                    }
                    indented(f, &mut buf)?;
                }
                Ok(buf)
            })
            .collect::<Result<_, serde_json::Error>>()
            .map_err(std::io::Error::other)?;
        for (i, part) in parts.iter().enumerate() {
            if n > 0 || i > 0 {
                out.write_all(b",\n")?;
            }
            out.write_all(part)?;
        }
    }
    out.write_all(b"\n  ]")
}

/// One result, pretty-printed and indented by four spaces, appended to `buf`.
fn indented(finding: &Finding, buf: &mut Vec<u8>) -> Result<(), serde_json::Error> {
    let text = serde_json::to_vec_pretty(finding)?;
    buf.extend_from_slice(b"    ");
    for line in text.split_inclusive(|&b| b == b'\n') {
        buf.extend_from_slice(line);
        if line.ends_with(b"\n") {
            buf.extend_from_slice(b"    ");
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
                region: (n % 2 == 0).then(|| "eu-west-1".to_owned()),
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
                write_results(&results, &mut out, batch, piece).unwrap();
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    whole(&results),
                    "{n} results in batches of {batch}, pieces of {piece}"
                );
            }
        }
    }
}
