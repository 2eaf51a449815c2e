//! A terminal summary: the failures, one line each, then the counts.

use std::fmt::Write;

use super::{RenderError, Report};
use crate::finding::Status;
use crate::words::count;

pub fn render(report: &Report<'_>) -> Result<String, RenderError> {
    let mut out = String::new();
    let s = &report.summary;
    for f in report.findings.iter().filter(|f| f.status == Status::Fail) {
        let _ = writeln!(
            out,
            "{:<8} {}  {}: {}",
            match f.waiver {
                Some(_) => "WAIVED".to_owned(),
                None => f.severity.id().to_uppercase(),
            },
            f.rule,
            printable(&f.resource.id),
            printable(&f.message)
        );
    }
    if s.results.not_assessed > 0 {
        let _ = writeln!(out, "\nNot assessed ({}):", s.results.not_assessed);
        for na in &report.not_assessed {
            let _ = writeln!(
                out,
                "  {}  {}: {}",
                na.rule,
                printable(&na.resource.id),
                printable(&na.resource.message)
            );
        }
    }
    let _ = writeln!(
        out,
        "\n{}, {}: {} failed, {} passed, {} not assessed (controls: {} failed, {} passed, {} not assessed){}",
        count(s.resources, "resource"),
        count(s.rules, "rule"),
        s.results.fail,
        s.results.pass,
        s.results.not_assessed,
        s.controls.fail,
        s.controls.pass,
        s.controls.not_assessed,
        if s.complete {
            ""
        } else {
            "; the scan is incomplete"
        }
    );
    for f in report.compliance {
        let c = &f.counts;
        let _ = writeln!(
            out,
            "{} v{}: {} passed, {} failed, {} not assessed, {} for a person to check, {} not applicable (of {})",
            f.title,
            f.version,
            c.pass,
            c.fail,
            c.not_assessed,
            c.manual,
            c.not_applicable,
            count(f.requirements, "requirement")
        );
    }
    Ok(out)
}

/// Control characters from the scanned account must not drive the terminal.
/// The text with control characters (escape sequences, line breaks) made visible and inert.
pub(super) fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}
