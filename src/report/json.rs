//! Machine-readable results: the report as a results document (see `crate::results`), the
//! JSON contract other tools read.

use std::borrow::Cow;

use super::{RenderError, Report};
use crate::results::{self, Document, MatrixMeta, RESULTS_VERSION, Scope};

/// The document the report's results make.
fn document<'a>(report: &'a Report<'_>) -> Document<'a> {
    let meta = &report.meta;
    Document {
        results_version: RESULTS_VERSION,
        onus_version: Cow::Borrowed(meta.onus_version),
        snapshot: Scope {
            provider: report.provider,
            account: meta.accounts.first().map(|a| Cow::Borrowed(a.as_str())),
            accounts: Cow::Borrowed(meta.accounts),
            regions: Cow::Borrowed(meta.regions),
            collected_at: report.collected_at,
            collector: Cow::Borrowed(&meta.collector),
            principal: meta.principal.map(Cow::Borrowed),
            coverage_gaps: Cow::Borrowed(report.coverage_gaps),
        },
        matrix: MatrixMeta {
            id: Cow::Borrowed(meta.matrix_id),
            title: Cow::Borrowed(meta.matrix_title),
        },
        results: Cow::Borrowed(report.findings),
        rules: Cow::Borrowed(&report.rules),
        summary: Cow::Borrowed(&report.summary),
        evaluation_issues: Cow::Borrowed(report.issues),
        privileged: report.privileged.map(Cow::Borrowed),
        compliance: (!report.compliance.is_empty()).then_some(Cow::Borrowed(report.compliance)),
        baseline: report.baseline.map(Cow::Borrowed),
        waivers: report.waivers.map(Cow::Borrowed),
    }
}

pub fn render(report: &Report<'_>) -> Result<String, RenderError> {
    let mut out = Vec::new();
    write(report, &mut out)?;
    String::from_utf8(out).map_err(|e| RenderError::Json(serde::ser::Error::custom(e)))
}

/// The results document, written to `out` as it is serialised.
pub fn write(report: &Report<'_>, out: &mut dyn std::io::Write) -> Result<(), RenderError> {
    Ok(results::write(&document(report), out)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `check` on the report of the evaluated demo sample.
    fn on_the_sample(check: impl FnOnce(&Report<'_>)) {
        let sample = crate::engine::sample::evaluated("aws-demo");
        let options = super::super::ReportOptions::default();
        check(&Report::build(
            &sample.snapshot,
            &sample.evaluation,
            &sample.rules,
            &sample.matrix,
            &options,
        ));
    }

    #[test]
    fn the_spliced_document_is_the_bytes_of_one_serialisation() {
        on_the_sample(|report| {
            let privileged = report.privileged.unwrap();
            assert!(report.findings.len() > 1 && privileged.identities.len() > 1);

            let mut spliced = Vec::new();
            write(report, &mut spliced).unwrap();
            let mut whole = serde_json::to_vec_pretty(&document(report)).unwrap();
            whole.push(b'\n');
            assert_eq!(
                String::from_utf8(spliced).unwrap(),
                String::from_utf8(whole).unwrap()
            );
        });
    }

    #[test]
    fn the_document_reads_back_as_it_was_written() {
        on_the_sample(|report| {
            let text = render(report).unwrap();
            let back = results::parse(&text, std::path::Path::new("r.json")).unwrap();
            assert_eq!(back.results_version, RESULTS_VERSION);
            assert_eq!(back.results.as_ref(), report.findings);
            assert_eq!(back.summary.as_ref(), &report.summary);
            let again = serde_json::to_string_pretty(&back).unwrap() + "\n";
            assert_eq!(again, text, "read back and written again, the same bytes");
        });
    }
}
