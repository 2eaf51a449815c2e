//! The results document's shape: one model that the JSON writer writes and every reader
//! (`onus report`, `onus baseline create`, `onus diff`) reads.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::summary::Summary;
use crate::analyze::privileged::PrivilegedSection;
use crate::compliance::FrameworkResult;
use crate::engine::{Effort, EvalIssue, Rule};
use crate::finding::{Finding, Severity};
use crate::gate::baseline::Comparison;
use crate::gate::waiver::WaiverReport;
use crate::matrix::Layer;
use crate::snapshot::{CoverageGap, Provider};

/// The results document version this onus writes.
pub const RESULTS_VERSION: u32 = 2;

/// The versions this onus reads: 1 (written before documents carried a version, with the
/// privileged section's monitoring in AWS's terms) and 2.
pub const READABLE_VERSIONS: [u32; 2] = [1, 2];

/// A document without `results_version` is of version 1.
fn first_version() -> u32 {
    1
}

/// The results of one evaluation, with what a report needs to be rebuilt from them alone.
/// Fields borrow when written and own when read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Document<'a> {
    #[serde(default = "first_version")]
    pub results_version: u32,
    /// The onus that evaluated the results.
    pub onus_version: Cow<'a, str>,
    pub snapshot: Scope<'a>,
    pub matrix: MatrixMeta<'a>,
    /// Every result, in report order.
    pub results: Cow<'a, [Finding]>,
    /// Every rule evaluated, by id.
    pub rules: Cow<'a, BTreeMap<String, RuleInfo>>,
    pub summary: Cow<'a, Summary>,
    #[serde(default)]
    pub evaluation_issues: Cow<'a, [EvalIssue]>,
    /// Privileged identities and their protections (documents of onus before this analysis
    /// have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privileged: Option<Cow<'a, PrivilegedSection>>,
    /// The compliance frameworks assessed, requirement by requirement (absent when none was).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compliance: Option<Cow<'a, [FrameworkResult]>>,
    /// Present only when a baseline was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Cow<'a, Comparison>>,
    /// Present only when a waiver file is in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waivers: Option<Cow<'a, WaiverReport>>,
}

/// What was evaluated: the snapshot's scope and provenance.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Scope<'a> {
    pub provider: Provider,
    /// The first account, for consumers that expect one.
    pub account: Option<Cow<'a, str>>,
    pub accounts: Cow<'a, [String]>,
    #[serde(default)]
    pub regions: Cow<'a, [String]>,
    /// When the snapshot was collected (written in RFC 3339, to the second).
    #[serde(with = "to_the_second")]
    pub collected_at: DateTime<Utc>,
    /// The collector's name and version.
    pub collector: Cow<'a, str>,
    pub principal: Option<Cow<'a, str>>,
    #[serde(default)]
    pub coverage_gaps: Cow<'a, [CoverageGap]>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MatrixMeta<'a> {
    pub id: Cow<'a, str>,
    pub title: Cow<'a, str>,
}

/// What the results say about a rule: its metadata without its compiled conditions.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuleInfo {
    /// The key it is filed under in the document (not repeated in the file).
    #[serde(default, skip_serializing)]
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub kind: String,
    pub layer: Layer,
    pub description: String,
    pub rationale: String,
    pub remediation: String,
    /// A command that makes the fix, where one exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<String>,
    pub effort: Effort,
    #[serde(default)]
    pub references: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

impl RuleInfo {
    pub fn of(rule: &Rule) -> RuleInfo {
        RuleInfo {
            id: rule.id.clone(),
            title: rule.title.clone(),
            severity: rule.severity,
            kind: rule.kind.name.to_owned(),
            layer: rule.layer,
            description: rule.description.clone(),
            rationale: rule.rationale.clone(),
            remediation: rule.remediation.clone(),
            command: rule.command.clone(),
            risk: rule.risk.clone(),
            effort: rule.effort,
            references: rule.references.clone(),
            tags: rule.tags.clone(),
        }
    }

    /// The risk in one plain sentence: the rule's `risk`, else its description.
    pub fn risk_sentence(&self) -> &str {
        self.risk.as_deref().unwrap_or(&self.description)
    }
}

impl Document<'_> {
    /// The same document, borrowing every field from this one.
    pub fn borrowed(&self) -> Document<'_> {
        let s = &self.snapshot;
        Document {
            results_version: self.results_version,
            onus_version: Cow::Borrowed(&self.onus_version),
            snapshot: Scope {
                provider: s.provider,
                account: s.account.as_deref().map(Cow::Borrowed),
                accounts: Cow::Borrowed(&s.accounts),
                regions: Cow::Borrowed(&s.regions),
                collected_at: s.collected_at,
                collector: Cow::Borrowed(&s.collector),
                principal: s.principal.as_deref().map(Cow::Borrowed),
                coverage_gaps: Cow::Borrowed(&s.coverage_gaps),
            },
            matrix: MatrixMeta {
                id: Cow::Borrowed(&self.matrix.id),
                title: Cow::Borrowed(&self.matrix.title),
            },
            results: Cow::Borrowed(&self.results),
            rules: Cow::Borrowed(&self.rules),
            summary: Cow::Borrowed(&self.summary),
            evaluation_issues: Cow::Borrowed(&self.evaluation_issues),
            privileged: self.privileged.as_deref().map(Cow::Borrowed),
            compliance: self.compliance.as_deref().map(Cow::Borrowed),
            baseline: self.baseline.as_deref().map(Cow::Borrowed),
            waivers: self.waivers.as_deref().map(Cow::Borrowed),
        }
    }
}

/// A time written in RFC 3339 to the second (`2026-11-01T09:30:00Z`), read in any RFC 3339.
mod to_the_second {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Secs, true))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        DateTime::<Utc>::deserialize(d)
    }
}
