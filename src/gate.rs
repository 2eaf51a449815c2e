//! The gate: turns results into an exit code and a one-line reason.

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
pub struct GatePolicy {
    /// Exit 1 when a result fails at or above this severity.
    pub fail_on: Option<Severity>,
    /// Exit 1 when any result could not be assessed (the scan was incomplete).
    pub fail_on_not_assessed: bool,
}

/// Exit 1 when a result fails at or above `policy.fail_on`, or when the scan was incomplete
/// and `policy.fail_on_not_assessed` is set; say which, and say when the scan was incomplete.
pub fn judge(findings: &[Finding], policy: GatePolicy) -> Verdict {
    let count = |s: Status| findings.iter().filter(|f| f.status == s).count();
    let (failed, passed, not_assessed) = (
        count(Status::Fail),
        count(Status::Pass),
        count(Status::NotAssessed),
    );
    let mut summary = format!("{failed} failed, {passed} passed, {not_assessed} not assessed");
    if not_assessed > 0 {
        summary.push_str(&format!(
            "; incomplete: {not_assessed} results could not be assessed"
        ));
    }
    let mut reasons = Vec::new();
    let mut passes = Vec::new();
    if let Some(threshold) = policy.fail_on {
        let blocking = findings
            .iter()
            .filter(|f| f.status == Status::Fail && f.severity >= threshold)
            .count();
        if blocking > 0 {
            reasons.push(format!("{blocking} failed at or above {threshold}"));
        } else {
            passes.push(format!("nothing failed at or above {threshold}"));
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

    fn finding(status: Status, severity: Severity) -> Finding {
        let resource = ResourceRef {
            kind: "aws.s3.bucket".into(),
            id: "arn:aws:s3:::b".into(),
            name: "b".into(),
            region: None,
            account: "1".into(),
        };
        Finding {
            rule: "r".into(),
            status,
            severity,
            fingerprint: Finding::fingerprint_of("r", &resource),
            resource,
            matrix: Cell {
                layer: Layer::Data,
                model: "paas".into(),
                owner: Owner::Customer,
            },
            message: String::new(),
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
                .contains("incomplete: 1 results could not be assessed"),
            "{}",
            v.summary
        );
        let strict = GatePolicy {
            fail_on: Some(Severity::Low),
            fail_on_not_assessed: true,
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
}
