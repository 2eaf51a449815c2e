//! Would a first use of privileged rights in an AWS account be recorded and noticed: a
//! logging multi-region trail with log-file validation, and GuardDuty in every scanned region.

use crate::snapshot::{AwsAccount, CoverageGap, kind};

/// An account's monitoring, as far as the snapshot shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Monitoring {
    /// A logging multi-region trail with log-file validation exists.
    pub trail_validated: bool,
    /// Scanned regions with an enabled GuardDuty detector.
    pub guardduty_enabled: Vec<String>,
    /// Scanned regions without one.
    pub guardduty_missing: Vec<String>,
}

/// The account's monitoring, or why it cannot be told (a read it depends on failed).
pub fn of(account: &AwsAccount, gaps: &[CoverageGap]) -> Result<Monitoring, String> {
    let mine = |kind: &str, region: Option<&str>| {
        gaps.iter().find(|g| {
            g.account == account.account_id
                && g.kind == kind
                && (region.is_none() || g.region.is_none() || g.region.as_deref() == region)
        })
    };
    if let Some(g) =
        mine(kind::AWS_CLOUDTRAIL_ACCOUNT, None).or_else(|| mine(kind::AWS_CLOUDTRAIL_TRAIL, None))
    {
        return Err(g.describe());
    }
    let trail_validated = account
        .cloudtrail
        .iter()
        .any(|t| t.is_multi_region && t.log_file_validation_enabled && t.status.is_logging);
    let mut guardduty_enabled = Vec::new();
    let mut guardduty_missing = Vec::new();
    for (region, data) in &account.regions {
        if let Some(g) = mine(kind::AWS_GUARDDUTY_REGION, Some(region)) {
            return Err(g.describe());
        }
        if data
            .guardduty_detectors
            .iter()
            .any(|d| d.status == "ENABLED")
        {
            guardduty_enabled.push(region.clone());
        } else {
            guardduty_missing.push(region.clone());
        }
    }
    Ok(Monitoring {
        trail_validated,
        guardduty_enabled,
        guardduty_missing,
    })
}
