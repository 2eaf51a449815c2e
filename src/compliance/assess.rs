//! A framework assessed on a run's results: each requirement passes only when every rule that
//! implements it was evaluated and passed everywhere it applies. A requirement with no rule is
//! for a person to check (`manual`), as is one whose rules cover it only in part and found
//! nothing wrong; a requirement whose rules could not see everything is `not-assessed`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::framework::{Assessment, Framework, Requirement};
use crate::finding::{Finding, Status};

/// How many failing resources a requirement lists (the results hold them all).
pub const FAILING_LISTED: usize = 25;

/// A requirement's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Fail,
    NotAssessed,
    Manual,
    Pass,
    NotApplicable,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::Fail,
        Outcome::NotAssessed,
        Outcome::Manual,
        Outcome::Pass,
        Outcome::NotApplicable,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Outcome::Fail => "fail",
            Outcome::NotAssessed => "not-assessed",
            Outcome::Manual => "manual",
            Outcome::Pass => "pass",
            Outcome::NotApplicable => "not-applicable",
        }
    }
}

/// Requirements by outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeCounts {
    pub pass: usize,
    pub fail: usize,
    pub not_assessed: usize,
    pub manual: usize,
    pub not_applicable: usize,
}

impl OutcomeCounts {
    fn add(&mut self, outcome: Outcome) {
        *match outcome {
            Outcome::Pass => &mut self.pass,
            Outcome::Fail => &mut self.fail,
            Outcome::NotAssessed => &mut self.not_assessed,
            Outcome::Manual => &mut self.manual,
            Outcome::NotApplicable => &mut self.not_applicable,
        } += 1;
    }

    pub fn total(&self) -> usize {
        self.pass + self.fail + self.not_assessed + self.manual + self.not_applicable
    }
}

/// A framework's requirements on one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkResult {
    pub id: String,
    pub title: String,
    pub version: String,
    pub url: String,
    /// How many requirements the framework has.
    pub requirements: usize,
    pub counts: OutcomeCounts,
    pub sections: Vec<SectionResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionResult {
    pub id: String,
    pub title: String,
    pub counts: OutcomeCounts,
    pub requirements: Vec<RequirementResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequirementResult {
    pub id: String,
    pub title: String,
    pub level: u8,
    pub assessment: Assessment,
    pub outcome: Outcome,
    /// Each rule that implements it, and how it came out (`none`: no resource to check).
    pub rules: Vec<RuleOutcome>,
    /// Failing resources, the first [`FAILING_LISTED`] (`failing_count` says how many).
    pub failing: Vec<FailingResource>,
    pub failing_count: usize,
    /// Why it came out so, in words: what a person checks, what the rules miss, what could
    /// not be seen.
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleOutcome {
    pub rule: String,
    /// `fail`, `not-assessed`, `pass`, `none` (no resource), or `not-evaluated`.
    pub outcome: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailingResource {
    pub rule: String,
    pub id: String,
    pub name: String,
    pub account: String,
    pub waived: bool,
}

/// Assesses `framework` on `findings`, of which `evaluated` are the rules that ran.
pub fn assess(
    framework: &Framework,
    findings: &[Finding],
    evaluated: &BTreeSet<&str>,
) -> FrameworkResult {
    let mapped: BTreeSet<&str> = framework
        .requirements
        .iter()
        .flat_map(|r| r.rules.iter().map(String::as_str))
        .collect();
    let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in findings.iter().filter(|f| mapped.contains(&*f.rule)) {
        by_rule.entry(&*f.rule).or_default().push(f);
    }
    let mut counts = OutcomeCounts::default();
    let sections = framework
        .sections
        .iter()
        .map(|section| {
            let mut section_counts = OutcomeCounts::default();
            let requirements: Vec<RequirementResult> = framework
                .requirements
                .iter()
                .filter(|r| r.section == section.id)
                .map(|r| {
                    let result = requirement(r, &by_rule, evaluated);
                    section_counts.add(result.outcome);
                    counts.add(result.outcome);
                    result
                })
                .collect();
            SectionResult {
                id: section.id.clone(),
                title: section.title.clone(),
                counts: section_counts,
                requirements,
            }
        })
        .filter(|s| !s.requirements.is_empty())
        .collect();
    FrameworkResult {
        id: framework.id.clone(),
        title: framework.title.clone(),
        version: framework.version.clone(),
        url: framework.url.clone(),
        requirements: framework.requirements.len(),
        counts,
        sections,
    }
}

fn requirement(
    r: &Requirement,
    by_rule: &BTreeMap<&str, Vec<&Finding>>,
    evaluated: &BTreeSet<&str>,
) -> RequirementResult {
    let mut rules = Vec::new();
    let mut failing = Vec::new();
    // Each failing resource once, however many of the requirement's rules it fails.
    let mut seen: std::collections::HashSet<(&str, &str)> = std::collections::HashSet::new();
    let (mut any_fail, mut any_unseen, mut any_pass) = (false, false, false);
    let mut not_evaluated = Vec::new();
    for rule in &r.rules {
        let findings = by_rule
            .get(rule.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        let outcome = if !evaluated.contains(rule.as_str()) {
            not_evaluated.push(rule.as_str());
            any_unseen = true;
            "not-evaluated"
        } else if findings.iter().any(|f| f.status == Status::Fail) {
            any_fail = true;
            "fail"
        } else if findings.iter().any(|f| f.status == Status::NotAssessed) {
            any_unseen = true;
            "not-assessed"
        } else if findings.is_empty() {
            "none"
        } else {
            any_pass = true;
            "pass"
        };
        rules.push(RuleOutcome {
            rule: rule.clone(),
            outcome: outcome.to_owned(),
        });
        for f in findings.iter().filter(|f| f.status == Status::Fail) {
            let new = seen.insert((f.resource.account.as_str(), f.resource.id.as_str()));
            if !new || failing.len() >= FAILING_LISTED {
                continue;
            }
            failing.push(FailingResource {
                rule: rule.clone(),
                id: f.resource.id.clone(),
                name: f.resource.name.clone(),
                account: f.resource.account.clone(),
                waived: f.waiver.is_some(),
            });
        }
    }
    let (outcome, note) = if r.rules.is_empty() {
        let mut note = r.check.clone().unwrap_or_default();
        if let Some(why) = &r.out_of_scope {
            note = format!("{note} ({why}.)");
        }
        (Outcome::Manual, Some(note))
    } else if any_fail {
        (
            Outcome::Fail,
            r.partial
                .as_ref()
                .map(|p| format!("Also not checked by onus: {p}")),
        )
    } else if any_unseen {
        let note = if not_evaluated.is_empty() {
            "A rule could not read everything it needs (see its not-assessed results).".to_owned()
        } else {
            format!("Not evaluated in this run: {}.", not_evaluated.join(", "))
        };
        (Outcome::NotAssessed, Some(note))
    } else if !any_pass {
        (
            Outcome::NotApplicable,
            Some("No resource of the kinds its rules check.".to_owned()),
        )
    } else if let Some(partial) = &r.partial {
        (
            Outcome::Manual,
            Some(format!(
                "onus's checks pass; a person checks the rest ({partial})"
            )),
        )
    } else {
        (Outcome::Pass, None)
    };
    let failing_count = seen.len();
    RequirementResult {
        id: r.id.clone(),
        title: r.title.clone(),
        level: r.level,
        assessment: r.assessment,
        outcome,
        rules,
        failing,
        failing_count,
        note,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::compliance::Framework;
    use crate::finding::{ResourceRef, Severity};
    use crate::matrix::{Cell, Layer, Owner};

    const FRAMEWORK: &str = "id: f\ntitle: F\nversion: 1\nprovider: aws\nurl: u\nsections:\n  - id: \"1\"\n    title: One\n  - id: \"2\"\n    title: Empty\nrequirements:\n  - {id: \"1.1\", section: \"1\", title: fails, level: 1, assessment: automated, rules: [passes, fails]}\n  - {id: \"1.2\", section: \"1\", title: unseen, level: 1, assessment: automated, rules: [passes, unseen]}\n  - {id: \"1.3\", section: \"1\", title: passes, level: 1, assessment: manual, rules: [passes]}\n  - {id: \"1.4\", section: \"1\", title: partial, level: 2, assessment: automated, rules: [passes], partial: more}\n  - {id: \"1.5\", section: \"1\", title: nothing, level: 1, assessment: automated, rules: [nothing]}\n  - {id: \"1.6\", section: \"1\", title: person, level: 1, assessment: manual, rules: [], check: Look., out_of_scope: not read}\n  - {id: \"1.7\", section: \"1\", title: absent, level: 1, assessment: automated, rules: [absent]}\n";

    fn finding(rule: &str, status: Status, id: &str) -> Finding {
        Finding {
            rule: rule.into(),
            status,
            severity: Severity::High,
            resource: Arc::new(ResourceRef {
                kind: "k".into(),
                id: id.into(),
                name: id.into(),
                region: None,
                account: "a".into(),
                tags: Default::default(),
            }),
            matrix: Arc::new(Cell {
                layer: Layer::Data,
                model: "paas".into(),
                owner: Owner::Customer,
            }),
            message: String::new(),
            fingerprint: String::new(),
            waiver: None,
        }
    }

    #[test]
    fn a_requirement_passes_only_when_every_rule_passed_where_it_applies() {
        let f = Framework::parse("frameworks/f.yaml", FRAMEWORK, &|_| true).unwrap();
        let findings = [
            finding("passes", Status::Pass, "x"),
            finding("fails", Status::Pass, "x"),
            finding("fails", Status::Fail, "y"),
            finding("unseen", Status::NotAssessed, "z"),
        ];
        let evaluated: BTreeSet<&str> = ["passes", "fails", "unseen", "nothing"].into();
        let result = assess(&f, &findings, &evaluated);
        let outcomes: Vec<(&str, Outcome)> = result.sections[0]
            .requirements
            .iter()
            .map(|r| (r.id.as_str(), r.outcome))
            .collect();
        assert_eq!(
            outcomes,
            [
                ("1.1", Outcome::Fail),
                ("1.2", Outcome::NotAssessed),
                ("1.3", Outcome::Pass),
                ("1.4", Outcome::Manual),
                ("1.5", Outcome::NotApplicable),
                ("1.6", Outcome::Manual),
                ("1.7", Outcome::NotAssessed),
            ]
        );
        let fails = &result.sections[0].requirements[0];
        assert_eq!(fails.failing_count, 1);
        assert_eq!(fails.failing[0].id, "y");
        assert!(
            result.sections[0].requirements[6]
                .note
                .as_deref()
                .unwrap()
                .contains("absent")
        );
        assert!(
            result.sections[0].requirements[5]
                .note
                .as_deref()
                .unwrap()
                .contains("Look.")
        );
        assert_eq!(
            result.sections.len(),
            1,
            "a section without requirements is left out"
        );
        assert_eq!(
            (
                result.counts.pass,
                result.counts.fail,
                result.counts.not_assessed,
                result.counts.manual,
                result.counts.not_applicable
            ),
            (1, 1, 2, 2, 1)
        );
    }
}
