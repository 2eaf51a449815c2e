//! What the IAM reads share: the kinds they fill, how a failed read is told, paging markers.

use chrono::{DateTime, Utc};

use crate::collect::aws::{Ctx, to_utc};
use crate::snapshot::kind;

pub(super) const ROOT: &str = kind::AWS_IAM_ROOT;
pub(super) const USER: &str = kind::AWS_IAM_USER;
pub(super) const GROUP: &str = kind::AWS_IAM_GROUP;
pub(super) const ROLE: &str = kind::AWS_IAM_ROLE;
pub(super) const POLICY: &str = kind::AWS_IAM_POLICY;
pub(super) const ACCOUNT: &str = kind::AWS_IAM_ACCOUNT;
pub(super) const PASSWORD_POLICY: &str = kind::AWS_IAM_PASSWORD_POLICY;

/// A read that failed: the operation and `(error, message)` as [`classify`](crate::collect::aws::classify) gives them.
#[derive(Debug, Clone)]
pub(super) struct Failure {
    pub operation: &'static str,
    pub error: (String, String),
}

/// The marker of the next page, `None` after the last one ([`all_pages`](crate::collect::aws::all_pages) also stops when a
/// marker repeats).
pub(super) fn next_marker(truncated: bool, next: Option<&str>) -> Option<String> {
    next.filter(|m| truncated && !m.is_empty())
        .map(str::to_owned)
}

pub(super) fn account_arn(ctx: &Ctx) -> String {
    format!("arn:aws:iam::{}:account", ctx.account)
}

/// An IAM time, or the epoch when IAM leaves it out.
pub(super) fn time(t: Option<&aws_smithy_types::DateTime>) -> DateTime<Utc> {
    t.and_then(to_utc).unwrap_or(DateTime::UNIX_EPOCH)
}

/// An IAM count, 0 when absent or negative.
pub(super) fn count_u32(n: Option<i32>) -> u32 {
    n.and_then(|n| u32::try_from(n).ok()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_stop_at_the_end() {
        assert_eq!(next_marker(true, Some("b")), Some("b".to_owned()));
        assert_eq!(next_marker(false, Some("b")), None);
        assert_eq!(next_marker(true, Some("")), None);
        assert_eq!(next_marker(true, None), None);
    }
}
