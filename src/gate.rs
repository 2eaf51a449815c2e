//! The gate: turns results into an exit code and a one-line reason.

use crate::finding::{Finding, Severity, Status};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// 0 or 1.
    pub exit_code: u8,
    /// Why the exit code is what it is, in one line.
    pub summary: String,
}

/// Exit 1 when a result fails at or above `fail_on`; say so, and say when the scan was
/// incomplete.
pub fn judge(findings: &[Finding], fail_on: Option<Severity>) -> Verdict {
    let failed = findings.iter().filter(|f| f.status == Status::Fail).count();
    let passed = findings.iter().filter(|f| f.status == Status::Pass).count();
    let not_assessed = findings
        .iter()
        .filter(|f| f.status == Status::NotAssessed)
        .count();
    let counts = format!("{failed} failed, {passed} passed, {not_assessed} not assessed");
    let incomplete = if not_assessed > 0 {
        format!("; incomplete: {not_assessed} results could not be assessed")
    } else {
        String::new()
    };
    match fail_on {
        None => Verdict {
            exit_code: 0,
            summary: format!("{counts}{incomplete}; exit 0 (no --fail-on given)"),
        },
        Some(threshold) => {
            let blocking = findings
                .iter()
                .filter(|f| f.status == Status::Fail && f.severity >= threshold)
                .count();
            if blocking > 0 {
                Verdict {
                    exit_code: 1,
                    summary: format!(
                        "{counts}{incomplete}; exit 1: {blocking} failed at or above {threshold}"
                    ),
                }
            } else {
                Verdict {
                    exit_code: 0,
                    summary: format!(
                        "{counts}{incomplete}; exit 0: nothing failed at or above {threshold}"
                    ),
                }
            }
        }
    }
}
