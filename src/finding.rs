//! Findings: one result per (rule, resource), its status, severity, matrix cell and a
//! stable fingerprint.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::matrix::Cell;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Weight in posture scores.
    pub fn weight(self) -> u32 {
        match self {
            Severity::Info => 0,
            Severity::Low => 1,
            Severity::Medium => 3,
            Severity::High => 6,
            Severity::Critical => 10,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Fail,
    Pass,
    NotAssessed,
}

impl Status {
    /// Report order: failures, then what could not be assessed, then passes.
    pub fn rank(self) -> u8 {
        match self {
            Status::Fail => 0,
            Status::NotAssessed => 1,
            Status::Pass => 2,
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Status::Fail => "fail",
            Status::Pass => "pass",
            Status::NotAssessed => "not-assessed",
        }
    }
}

/// The resource a result is about. Every result on one resource shares one `ResourceRef`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceRef {
    pub kind: String,
    pub id: String,
    pub name: String,
    pub region: Option<String>,
    pub account: String,
    /// The resource's tags, for waivers that match on them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

/// One rule's verdict on one resource. The rule id, resource and cell are shared with the
/// other results of the same rule or resource (an evaluation yields millions of results).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    #[serde(with = "shared_str")]
    pub rule: Arc<str>,
    pub status: Status,
    pub severity: Severity,
    #[serde(with = "shared")]
    pub resource: Arc<ResourceRef>,
    #[serde(with = "shared")]
    pub matrix: Arc<Cell>,
    pub message: String,
    /// Stable across runs: rule, account, resource kind and id.
    pub fingerprint: String,
    /// The waiver that accepts this failure, when one does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<Box<AppliedWaiver>>,
}

/// The waiver a waived failure carries: which entry of the waiver file accepted it, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedWaiver {
    pub reason: String,
    pub owner: Option<String>,
    pub ticket: Option<String>,
    /// The last day it applies (`YYYY-MM-DD`).
    pub expires: Option<NaiveDate>,
    /// 1-based position of the waiver in the file.
    pub index: usize,
}

impl Finding {
    pub fn fingerprint_of(rule: &str, resource: &ResourceRef) -> String {
        let mut h = Sha256::new();
        for part in [rule, &resource.account, &resource.kind, &resource.id] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        let digest = h.finalize();
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(32);
        for b in &digest[..16] {
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
        out
    }

    /// Report order: failures first, then by severity (highest first), rule id, resource id
    /// (and message, so that only identical results tie: an unstable sort gives one order).
    pub fn report_order(a: &Finding, b: &Finding) -> Ordering {
        a.status
            .rank()
            .cmp(&b.status.rank())
            .then(b.severity.cmp(&a.severity))
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.resource.account.cmp(&b.resource.account))
            .then_with(|| a.resource.id.cmp(&b.resource.id))
            .then_with(|| a.message.cmp(&b.message))
    }
}

/// A shared value, serialised as the value itself.
mod shared {
    use std::sync::Arc;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer, T: Serialize>(value: &Arc<T>, s: S) -> Result<S::Ok, S::Error> {
        T::serialize(value, s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        d: D,
    ) -> Result<Arc<T>, D::Error> {
        T::deserialize(d).map(Arc::new)
    }
}

/// A shared string, serialised as the string itself.
mod shared_str {
    use std::sync::Arc;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(value)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<str>, D::Error> {
        String::deserialize(d).map(Arc::from)
    }
}
