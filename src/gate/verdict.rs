//! The gate: turns results into an exit code and a one-line reason.

use super::baseline::Comparison;
use super::waiver::WaiverReport;
use crate::finding::{Finding, Severity, Status};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// 0 or 1.
    pub exit_code: u8,
    /// Why the exit code is what it is, in one line.
    pub summary: String,
}

/// What makes the gate close.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GatePolicy<'a> {
    /// Exit 1 when a result fails at or above this severity.
    pub fail_on: Option<Severity>,
    /// Exit 1 when any result could not be assessed (the scan was incomplete).
    pub fail_on_not_assessed: bool,
    /// Count only failures that are not in this baseline against `fail_on`.
    pub baseline: Option<&'a Comparison>,
    /// What the waivers did, when a waiver file is in use; waived failures (marked on the
    /// findings) do not count against `fail_on`.
    pub waivers: Option<&'a WaiverReport>,
}

/// Exit 1 when a result fails at or above `policy.fail_on`, or when the scan was incomplete
/// and `policy.fail_on_not_assessed` is set; say which, and say when the scan was incomplete.
pub fn judge(findings: &[Finding], policy: GatePolicy<'_>) -> Verdict {
    let count = |s: Status| findings.iter().filter(|f| f.status == s).count();
    let (failed, passed, not_assessed) = (
        count(Status::Fail),
        count(Status::Pass),
        count(Status::NotAssessed),
    );
    let mut summary = format!("{failed} failed, {passed} passed, {not_assessed} not assessed");
    if not_assessed > 0 {
        summary.push_str(&format!(
            "; incomplete: {} could not be assessed",
            crate::words::count(not_assessed, "result")
        ));
    }
    if let Some(b) = policy.baseline {
        summary.push_str(&format!(
            "; baseline: {} new, {} baselined, {} fixed",
            b.new.len(),
            b.baselined,
            b.fixed.len()
        ));
    }
    if let Some(w) = policy.waivers {
        summary.push_str(&format!("; waivers: {w}"));
    }
    let new = match (policy.baseline.is_some(), policy.waivers.is_some()) {
        (false, false) => "",
        (true, false) => "new ",
        (false, true) => "unwaived ",
        (true, true) => "new unwaived ",
    };
    let mut reasons = Vec::new();
    let mut passes = Vec::new();
    if let Some(threshold) = policy.fail_on {
        let blocking = findings
            .iter()
            .filter(|f| f.status == Status::Fail && f.severity >= threshold)
            .filter(|f| f.waiver.is_none())
            .filter(|f| {
                !policy
                    .baseline
                    .is_some_and(|b| b.is_baselined(&f.fingerprint))
            })
            .count();
        if blocking > 0 {
            reasons.push(format!("{blocking} {new}failed at or above {threshold}"));
        } else {
            passes.push(format!("nothing {new}failed at or above {threshold}"));
        }
    }
    if policy.fail_on_not_assessed {
        if not_assessed > 0 {
            reasons.push(format!(
                "{not_assessed} not assessed (--fail-on-not-assessed)"
            ));
        } else {
            passes.push("every result was assessed".to_owned());
        }
    }
    let exit_code = u8::from(!reasons.is_empty());
    let why = if !reasons.is_empty() {
        reasons.join(" and ")
    } else if !passes.is_empty() {
        passes.join(" and ")
    } else {
        "no --fail-on given".to_owned()
    };
    let separator = if exit_code == 1 || !passes.is_empty() {
        ": "
    } else {
        " ("
    };
    let closing = if exit_code == 0 && passes.is_empty() {
        ")"
    } else {
        ""
    };
    Verdict {
        exit_code,
        summary: format!("{summary}; exit {exit_code}{separator}{why}{closing}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::ResourceRef;
    use crate::matrix::{Cell, Layer, Owner};
    use crate::snapshot::kind;

    fn finding(status: Status, severity: Severity) -> Finding {
        let resource = ResourceRef {
            kind: kind::AWS_S3_BUCKET.into(),
            id: "arn:aws:s3:::b".into(),
            name: "b".into(),
            region: None,
            account: "1".into(),
            tags: Default::default(),
        };
        Finding {
            rule: "r".into(),
            status,
            severity,
            fingerprint: Finding::fingerprint_of("r", &resource),
            resource: resource.into(),
            matrix: std::sync::Arc::new(Cell {
                layer: Layer::Data,
                model: "paas".into(),
                owner: Owner::Customer,
            }),
            message: String::new(),
            waiver: None,
        }
    }

    #[test]
    fn every_exit_path_says_why() {
        let low = [
            finding(Status::Fail, Severity::Low),
            finding(Status::Pass, Severity::High),
        ];
        let v = judge(&low, GatePolicy::default());
        assert_eq!(v.exit_code, 0);
        assert!(
            v.summary.ends_with("exit 0 (no --fail-on given)"),
            "{}",
            v.summary
        );
        let v = judge(
            &low,
            GatePolicy {
                fail_on: Some(Severity::High),
                ..GatePolicy::default()
            },
        );
        assert_eq!(v.exit_code, 0);
        assert!(
            v.summary
                .ends_with("exit 0: nothing failed at or above high"),
            "{}",
            v.summary
        );
        let v = judge(
            &low,
            GatePolicy {
                fail_on: Some(Severity::Low),
                ..GatePolicy::default()
            },
        );
        assert_eq!(v.exit_code, 1);
        assert!(
            v.summary.ends_with("exit 1: 1 failed at or above low"),
            "{}",
            v.summary
        );

        let blind = [
            finding(Status::NotAssessed, Severity::High),
            finding(Status::Pass, Severity::High),
        ];
        let v = judge(
            &blind,
            GatePolicy {
                fail_on: Some(Severity::Low),
                ..GatePolicy::default()
            },
        );
        assert_eq!(v.exit_code, 0, "not-assessed alone does not fail --fail-on");
        assert!(
            v.summary
                .contains("incomplete: 1 result could not be assessed"),
            "{}",
            v.summary
        );
        let strict = GatePolicy {
            fail_on: Some(Severity::Low),
            fail_on_not_assessed: true,
            ..GatePolicy::default()
        };
        let v = judge(&blind, strict);
        assert_eq!(v.exit_code, 1);
        assert!(
            v.summary
                .ends_with("exit 1: 1 not assessed (--fail-on-not-assessed)"),
            "{}",
            v.summary
        );
        let v = judge(&low[1..], strict);
        assert_eq!(v.exit_code, 0);
        assert!(
            v.summary
                .ends_with("nothing failed at or above low and every result was assessed"),
            "{}",
            v.summary
        );
    }

    #[test]
    fn baselined_failures_do_not_close_the_gate() {
        use crate::gate::baseline::{Baseline, BaselineFailure, BaselineResource, CreatedFrom};
        let failing = [finding(Status::Fail, Severity::High)];
        let baseline = Baseline {
            baseline_version: 1,
            created_from: CreatedFrom {
                collected_at: "2026-11-01T00:00:00Z".into(),
                onus_version: "0.1.0".into(),
            },
            failures: vec![BaselineFailure {
                fingerprint: failing[0].fingerprint.clone(),
                rule: "r".into(),
                severity: Severity::High,
                resource: BaselineResource {
                    id: "arn:aws:s3:::b".into(),
                    name: "b".into(),
                },
                message: String::new(),
            }],
        };
        let known = Comparison::new(&baseline, &failing);
        let policy = GatePolicy {
            fail_on: Some(Severity::High),
            baseline: Some(&known),
            ..GatePolicy::default()
        };
        let v = judge(&failing, policy);
        assert_eq!(v.exit_code, 0, "{}", v.summary);
        assert!(
            v.summary.contains("baseline: 0 new, 1 baselined, 0 fixed")
                && v.summary.ends_with("nothing new failed at or above high"),
            "{}",
            v.summary
        );
        // Passing now: fixed. An empty baseline makes every failure new.
        let fixed = Comparison::new(&baseline, &[finding(Status::Pass, Severity::High)]);
        assert_eq!(fixed.fixed.len(), 1);
        let empty = Baseline {
            failures: Vec::new(),
            ..baseline.clone()
        };
        let none_known = Comparison::new(&empty, &failing);
        let v = judge(
            &failing,
            GatePolicy {
                baseline: Some(&none_known),
                ..policy
            },
        );
        assert_eq!(v.exit_code, 1);
        assert!(
            v.summary.ends_with("exit 1: 1 new failed at or above high"),
            "{}",
            v.summary
        );
    }

    #[test]
    fn waived_failures_do_not_close_the_gate() {
        use crate::finding::AppliedWaiver;
        use crate::gate::waiver::WaiverReport;
        let mut failing = [
            finding(Status::Fail, Severity::High),
            finding(Status::Fail, Severity::Low),
        ];
        failing[0].waiver = Some(Box::new(AppliedWaiver {
            reason: "accepted".into(),
            owner: None,
            ticket: None,
            expires: None,
            index: 1,
        }));
        let report = WaiverReport {
            waived: 1,
            expired: Vec::new(),
            unmatched: Vec::new(),
        };
        let policy = GatePolicy {
            fail_on: Some(Severity::High),
            waivers: Some(&report),
            ..GatePolicy::default()
        };
        let v = judge(&failing, policy);
        assert_eq!(v.exit_code, 0, "{}", v.summary);
        assert!(
            v.summary
                .contains("waivers: 1 waived, 0 expired, 0 matched nothing")
                && v.summary
                    .ends_with("exit 0: nothing unwaived failed at or above high"),
            "{}",
            v.summary
        );
        let v = judge(
            &failing,
            GatePolicy {
                fail_on: Some(Severity::Low),
                ..policy
            },
        );
        assert_eq!(v.exit_code, 1);
        assert!(
            v.summary
                .ends_with("exit 1: 1 unwaived failed at or above low"),
            "{}",
            v.summary
        );
    }
}
