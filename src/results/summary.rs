//! The results' counts and posture scores: the `summary` of a results document, and the
//! figures every report section reads.

use serde::{Deserialize, Serialize};

use crate::finding::{Severity, Status};

/// Results (or controls) by outcome.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Counts {
    pub fail: usize,
    pub pass: usize,
    pub not_assessed: usize,
}

impl Counts {
    pub fn add(&mut self, status: Status) {
        match status {
            Status::Fail => self.fail += 1,
            Status::Pass => self.pass += 1,
            Status::NotAssessed => self.not_assessed += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.fail + self.pass + self.not_assessed
    }

    pub fn merge(&mut self, other: &Counts) {
        self.fail += other.fail;
        self.pass += other.pass;
        self.not_assessed += other.not_assessed;
    }

    /// How a control with these results came out: failed on any resource; else not assessed
    /// on any; else passed. `None` when it has no result at all.
    pub fn outcome(&self) -> Option<Status> {
        if self.fail > 0 {
            Some(Status::Fail)
        } else if self.not_assessed > 0 {
            Some(Status::NotAssessed)
        } else if self.pass > 0 {
            Some(Status::Pass)
        } else {
            None
        }
    }
}

/// A posture score: the severity-weighted share of assessed results that passed.
///
/// `value = round(100 × Σ weight(passed) ÷ Σ weight(passed or failed))`, with the weights of
/// `Severity::weight`. Results that could not be assessed are left out of both sums and counted
/// apart; waived failures count as failures. No assessed weight, no score.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Score {
    pub value: Option<u32>,
    pub grade: Grade,
    pub passed_weight: u64,
    pub assessed_weight: u64,
    pub results: Counts,
}

/// A score in a word.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Grade {
    /// 90 or more.
    Strong,
    /// 75 or more.
    Fair,
    /// 50 or more.
    Weak,
    Poor,
    /// Nothing was assessed.
    None,
}

impl Score {
    /// The score of results counted by severity.
    pub fn of_counts(at: impl Fn(Severity) -> Counts) -> Score {
        let (mut passed_weight, mut assessed_weight) = (0u64, 0u64);
        let mut results = Counts::default();
        for severity in Severity::ALL {
            let counts = at(severity);
            let w = u64::from(severity.weight());
            passed_weight += w * counts.pass as u64;
            assessed_weight += w * (counts.pass + counts.fail) as u64;
            results.merge(&counts);
        }
        let value = (assessed_weight > 0).then(|| {
            u32::try_from((passed_weight * 100 + assessed_weight / 2) / assessed_weight)
                .unwrap_or(100)
        });
        let grade = match value {
            None => Grade::None,
            Some(v) if v >= 90 => Grade::Strong,
            Some(v) if v >= 75 => Grade::Fair,
            Some(v) if v >= 50 => Grade::Weak,
            Some(_) => Grade::Poor,
        };
        Score {
            value,
            grade,
            passed_weight,
            assessed_weight,
            results,
        }
    }
}

/// The run in figures.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    pub resources: usize,
    pub rules: usize,
    pub results: Counts,
    /// Rules (controls) by outcome: failed on any resource; else not assessed on any; else passed.
    pub controls: Counts,
    /// Failed results by severity, highest first.
    pub failed_by_severity: Vec<SeverityCount>,
    /// Whether every applicable check could be made.
    pub complete: bool,
    /// The posture score over every layer.
    pub score: Score,
    /// Results by severity (failed, passed, not assessed), highest first.
    pub by_severity: Vec<SeverityCounts>,
    /// The severity weights the scores use, highest first.
    pub weights: Vec<SeverityWeight>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SeverityCounts {
    pub severity: Severity,
    pub counts: Counts,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SeverityWeight {
    pub severity: Severity,
    pub weight: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SeverityCount {
    pub severity: Severity,
    pub count: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by(counts: &[(Severity, Status)]) -> Score {
        Score::of_counts(|s| {
            let mut c = Counts::default();
            for (severity, status) in counts {
                if *severity == s {
                    c.add(*status);
                }
            }
            c
        })
    }

    #[test]
    fn score_weighs_by_severity_and_leaves_out_not_assessed() {
        let s = by(&[
            (Severity::Critical, Status::Fail),
            (Severity::Low, Status::Pass),
            (Severity::High, Status::Pass),
            (Severity::Critical, Status::NotAssessed),
        ]);
        // passed 1 + 6 = 7 of 10 + 1 + 6 = 17: 41.2 %
        assert_eq!((s.passed_weight, s.assessed_weight), (7, 17));
        assert_eq!(s.value, Some(41));
        assert_eq!(s.grade, Grade::Poor);
        assert_eq!(s.results.not_assessed, 1);
    }

    #[test]
    fn no_assessed_weight_is_no_score_not_a_perfect_one() {
        let s = by(&[
            (Severity::High, Status::NotAssessed),
            (Severity::Info, Status::Pass),
        ]);
        assert_eq!(s.value, None);
        assert_eq!(s.grade, Grade::None);
    }

    #[test]
    fn a_control_fails_on_any_failure_and_passes_only_when_all_pass() {
        let c = |fail, pass, not_assessed| Counts {
            fail,
            pass,
            not_assessed,
        };
        assert_eq!(c(1, 5, 1).outcome(), Some(Status::Fail));
        assert_eq!(c(0, 5, 1).outcome(), Some(Status::NotAssessed));
        assert_eq!(c(0, 5, 0).outcome(), Some(Status::Pass));
        assert_eq!(c(0, 0, 0).outcome(), None);
    }
}
