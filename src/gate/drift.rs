//! Drift between two runs: which failures are new, which are resolved, which changed, and
//! which can no longer be assessed, matched by stable fingerprint.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::finding::{Finding, Severity, Status};

/// One side of a comparison: where it came from and its results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    /// The file it was read from.
    pub path: String,
    pub collected_at: String,
    pub results: Vec<Entry>,
}

/// A result as drift sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub fingerprint: String,
    pub rule: String,
    pub status: Status,
    pub severity: Severity,
    pub resource: EntryResource,
    pub message: String,
    /// The waiver's reason, when the failure was waived.
    #[serde(default)]
    pub waived: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryResource {
    pub kind: String,
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub region: Option<String>,
    pub account: String,
}

impl From<&Finding> for Entry {
    fn from(f: &Finding) -> Entry {
        Entry {
            fingerprint: f.fingerprint.clone(),
            rule: f.rule.to_string(),
            status: f.status,
            severity: f.severity,
            resource: EntryResource {
                kind: f.resource.kind.clone(),
                id: f.resource.id.clone(),
                name: f.resource.name.clone(),
                region: f.resource.region.clone(),
                account: f.resource.account.clone(),
            },
            message: f.message.clone(),
            waived: f.waiver.as_ref().map(|w| w.reason.clone()),
        }
    }
}

/// One side: the results of a run, read back or evaluated now.
pub fn side(path: &Path, collected_at: DateTime<Utc>, findings: &[Finding]) -> Side {
    Side {
        path: path.display().to_string(),
        collected_at: collected_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        results: findings.iter().map(Entry::from).collect(),
    }
}

/// Why a failure of the old run is no longer one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Resolution {
    /// The rule now passes on the resource.
    Passes,
    /// The resource is gone, and its kind was fully listed in the new run.
    ResourceGone,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resolved {
    #[serde(flatten)]
    pub entry: Entry,
    pub resolution: Resolution,
}

/// A failure in both runs whose severity or waiver changed. (Messages are not compared:
/// they hold ages such as "created 396 days ago" that change with every run.)
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Changed {
    #[serde(flatten)]
    pub entry: Entry,
    /// What changed, old → new, in words.
    pub changes: Vec<String>,
}

/// What changed between two runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drift {
    pub old: SideMeta,
    pub new: SideMeta,
    /// Failing now, not failing before (absent, passing or not assessed).
    pub new_failures: Vec<Entry>,
    /// Failing before, passing now or gone.
    pub resolved: Vec<Resolved>,
    /// Failing before, but the new run could not check it: not a resolution.
    pub no_longer_assessed: Vec<Entry>,
    /// Failing in both, with a different severity or waiver.
    pub changed: Vec<Changed>,
    /// Failing in both, as before.
    pub unchanged_failures: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SideMeta {
    pub path: String,
    pub collected_at: String,
    pub results: usize,
    pub failures: usize,
}

impl SideMeta {
    fn of(side: &Side) -> SideMeta {
        SideMeta {
            path: side.path.clone(),
            collected_at: side.collected_at.clone(),
            results: side.results.len(),
            failures: side
                .results
                .iter()
                .filter(|e| e.status == Status::Fail)
                .count(),
        }
    }
}

/// Report order: severity (highest first), rule, account, resource id.
fn order(a: &Entry, b: &Entry) -> std::cmp::Ordering {
    b.severity
        .cmp(&a.severity)
        .then_with(|| a.rule.cmp(&b.rule))
        .then_with(|| a.resource.account.cmp(&b.resource.account))
        .then_with(|| a.resource.id.cmp(&b.resource.id))
}

/// Whether the new run has a listing gap (a `not-assessed` result for a whole kind in a
/// place) for this rule that could hide the resource.
fn hidden_by_listing_gap(entry: &Entry, new: &Side) -> bool {
    new.results.iter().any(|e| {
        e.status == Status::NotAssessed
            && e.rule == entry.rule
            && e.resource.account == entry.resource.account
            && e.resource.id.ends_with(":*")
            && (e.resource.region.is_none() || e.resource.region == entry.resource.region)
    })
}

/// Compares two runs by fingerprint.
pub fn compare(old: &Side, new: &Side) -> Drift {
    let old_by: BTreeMap<&str, &Entry> = old
        .results
        .iter()
        .map(|e| (e.fingerprint.as_str(), e))
        .collect();
    let new_by: BTreeMap<&str, &Entry> = new
        .results
        .iter()
        .map(|e| (e.fingerprint.as_str(), e))
        .collect();

    let mut new_failures = Vec::new();
    let mut changed = Vec::new();
    let mut unchanged_failures = 0;
    for (fp, n) in &new_by {
        if n.status != Status::Fail {
            continue;
        }
        match old_by.get(fp) {
            Some(o) if o.status == Status::Fail => {
                let mut changes = Vec::new();
                if o.severity != n.severity {
                    changes.push(format!("severity {} → {}", o.severity, n.severity));
                }
                match (&o.waived, &n.waived) {
                    (None, Some(reason)) => changes.push(format!("now waived: {reason}")),
                    (Some(_), None) => changes.push("no longer waived".to_owned()),
                    (Some(a), Some(b)) if a != b => {
                        changes.push(format!("waiver reason was: {a}"));
                    }
                    _ => {}
                }
                if changes.is_empty() {
                    unchanged_failures += 1;
                } else {
                    changed.push(Changed {
                        entry: (*n).clone(),
                        changes,
                    });
                }
            }
            _ => new_failures.push((*n).clone()),
        }
    }

    let mut resolved = Vec::new();
    let mut no_longer_assessed = Vec::new();
    for (fp, o) in &old_by {
        if o.status != Status::Fail {
            continue;
        }
        match new_by.get(fp).map(|n| n.status) {
            Some(Status::Fail) => {}
            Some(Status::Pass) => resolved.push(Resolved {
                entry: (*o).clone(),
                resolution: Resolution::Passes,
            }),
            Some(Status::NotAssessed) => no_longer_assessed.push((*o).clone()),
            None if hidden_by_listing_gap(o, new) => no_longer_assessed.push((*o).clone()),
            None => resolved.push(Resolved {
                entry: (*o).clone(),
                resolution: Resolution::ResourceGone,
            }),
        }
    }

    new_failures.sort_by(order);
    resolved.sort_by(|a, b| order(&a.entry, &b.entry));
    no_longer_assessed.sort_by(order);
    changed.sort_by(|a, b| order(&a.entry, &b.entry));
    Drift {
        old: SideMeta::of(old),
        new: SideMeta::of(new),
        new_failures,
        resolved,
        no_longer_assessed,
        changed,
        unchanged_failures,
    }
}

impl Drift {
    /// New failures, not waived, at or above `severity`.
    pub fn new_at_or_above(&self, severity: Severity) -> usize {
        self.new_failures
            .iter()
            .filter(|e| e.waived.is_none() && e.severity >= severity)
            .count()
    }

    /// One line: the counts.
    pub fn summary(&self) -> String {
        format!(
            "{} new, {} resolved, {} changed, {} no longer assessed, {}",
            self.new_failures.len(),
            self.resolved.len(),
            self.changed.len(),
            self.no_longer_assessed.len(),
            crate::words::count(self.unchanged_failures, "unchanged failure")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::kind;

    fn entry(fp: &str, status: Status, severity: Severity) -> Entry {
        Entry {
            fingerprint: fp.to_owned(),
            rule: format!("rule-{fp}"),
            status,
            severity,
            resource: EntryResource {
                kind: kind::AWS_S3_BUCKET.to_owned(),
                id: format!("arn:aws:s3:::{fp}"),
                name: fp.to_owned(),
                region: Some("eu-west-1".to_owned()),
                account: "111122223333".to_owned(),
            },
            message: format!("{fp} fails"),
            waived: None,
        }
    }

    fn side(results: Vec<Entry>) -> Side {
        Side {
            path: "x.json".to_owned(),
            collected_at: "2026-11-01T00:00:00Z".to_owned(),
            results,
        }
    }

    #[test]
    fn classifies_by_fingerprint() {
        use Severity::*;
        use Status::*;
        let mut sev_changed = entry("e", Fail, Critical);
        sev_changed.message = "e fails differently".to_owned();
        let old = side(vec![
            entry("a", Fail, High),       // passes now
            entry("b", Fail, Medium),     // gone
            entry("c", Fail, Low),        // not assessed now
            entry("d", Fail, High),       // unchanged
            entry("e", Fail, High),       // severity changed
            entry("f", Pass, High),       // fails now
            entry("g", NotAssessed, Low), // fails now
        ]);
        let new = side(vec![
            entry("a", Pass, High),
            entry("c", NotAssessed, Low),
            entry("d", Fail, High),
            sev_changed,
            entry("f", Fail, High),
            entry("g", Fail, Low),
            entry("h", Fail, Critical), // new resource
        ]);
        let drift = compare(&old, &new);
        let fps = |v: &[Entry]| v.iter().map(|e| e.fingerprint.clone()).collect::<Vec<_>>();
        assert_eq!(fps(&drift.new_failures), ["h", "f", "g"]);
        assert_eq!(
            drift
                .resolved
                .iter()
                .map(|r| (r.entry.fingerprint.as_str(), r.resolution))
                .collect::<Vec<_>>(),
            [("a", Resolution::Passes), ("b", Resolution::ResourceGone)]
        );
        assert_eq!(fps(&drift.no_longer_assessed), ["c"]);
        assert_eq!(drift.changed.len(), 1);
        assert_eq!(drift.changed[0].changes, ["severity high → critical"]);
        assert_eq!(drift.unchanged_failures, 1);
        assert_eq!(drift.new_at_or_above(Severity::High), 2);
        assert_eq!(drift.old.failures, 5);
        assert_eq!(drift.new.failures, 5);
    }

    #[test]
    fn a_vanished_resource_under_a_listing_gap_is_not_resolved() {
        let old = side(vec![entry("a", Status::Fail, Severity::High)]);
        let mut gap = entry("zz", Status::NotAssessed, Severity::High);
        gap.rule = "rule-a".to_owned();
        gap.resource.id = "aws.s3.bucket:111122223333:global:*".to_owned();
        gap.resource.region = None;
        let drift = compare(&old, &side(vec![gap]));
        assert!(drift.resolved.is_empty());
        assert_eq!(drift.no_longer_assessed.len(), 1);
    }

    #[test]
    fn waiver_changes_are_changes() {
        let old = side(vec![entry("a", Status::Fail, Severity::High)]);
        let mut waived = entry("a", Status::Fail, Severity::High);
        waived.waived = Some("accepted".to_owned());
        let drift = compare(&old, &side(vec![waived]));
        assert_eq!(drift.changed[0].changes, ["now waived: accepted"]);
    }
}
