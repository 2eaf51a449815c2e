//! What collectors report while they work, as `tracing` events under the targets below; the
//! command line decides how to show them (a progress bar, lines, or nothing). Collectors never
//! print.

/// One API call (field `operation`, e.g. `s3:GetBucketPolicy`).
pub const CALL: &str = "onus::call";
/// A read that failed and became a coverage gap (field `operation`).
pub const GAP: &str = "onus::gap";
/// A service or region finished, with what it found (the message).
pub const PROGRESS: &str = "onus::progress";

/// Says that one call of `operation` is made.
pub fn call(operation: &str) {
    tracing::debug!(target: CALL, operation);
}

/// Says that a read of `operation` failed and is a gap.
pub fn gap(operation: &str) {
    tracing::debug!(target: GAP, operation);
}

/// Says what a service or region held, once read: `progress!("s3: {}", …)`.
macro_rules! progress {
    ($($arg:tt)*) => {
        tracing::info!(target: $crate::collect::events::PROGRESS, $($arg)*)
    };
}
pub(crate) use progress;
