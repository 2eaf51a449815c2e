//! What every AWS collector shares: the account, the SDK configuration, the concurrency
//! bound, the gaps recorded so far, and the count of calls per operation.

use std::collections::BTreeMap;
use std::sync::Mutex;

use aws_config::SdkConfig;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::collect::events;
pub(crate) use crate::explain::error as error_chain;
use crate::snapshot::CoverageGap;

pub(crate) struct Ctx {
    pub account: String,
    pub config: SdkConfig,
    /// An endpoint override is in effect: S3 needs path-style addressing and s3control a
    /// fixed endpoint.
    pub endpoint_overridden: bool,
    limit: Semaphore,
    gaps: Mutex<Vec<CoverageGap>>,
    calls: Mutex<BTreeMap<String, u64>>,
}

impl Ctx {
    pub fn new(
        account: String,
        config: SdkConfig,
        endpoint_overridden: bool,
        concurrency: usize,
    ) -> Ctx {
        Ctx {
            account,
            config,
            endpoint_overridden,
            limit: Semaphore::new(concurrency),
            gaps: Mutex::new(Vec::new()),
            calls: Mutex::new(BTreeMap::new()),
        }
    }

    /// Waits for a slot under the global concurrency bound; hold it for one API call.
    pub async fn permit(&self) -> SemaphorePermit<'_> {
        // The semaphore is never closed, so acquiring cannot fail.
        match self.limit.acquire().await {
            Ok(p) => p,
            Err(_) => unreachable_closed(),
        }
    }

    /// Counts one call of `operation` (e.g. `s3:GetBucketPolicy`).
    pub fn count(&self, operation: &str) {
        events::call(operation);
        if let Ok(mut calls) = self.calls.lock() {
            *calls.entry(operation.to_owned()).or_default() += 1;
        }
    }

    /// The SDK configuration for one region.
    pub fn regional(&self, region: &str) -> SdkConfig {
        self.config
            .to_builder()
            .region(aws_config::Region::new(region.to_owned()))
            .build()
    }

    /// Records that `operation` failed, leaving `fields` of `kind` unknown (see
    /// [`CoverageGap`] for what the scope means).
    pub fn gap(
        &self,
        kind: &str,
        region: Option<&str>,
        resource: Option<&str>,
        fields: &[&str],
        operation: &str,
        (error, message): (String, String),
    ) {
        events::gap(operation);
        let gap = CoverageGap {
            kind: kind.to_owned(),
            account: self.account.clone(),
            region: region.map(str::to_owned),
            resource: resource.map(str::to_owned),
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            operation: operation.to_owned(),
            error,
            message,
        };
        if let Ok(mut gaps) = self.gaps.lock() {
            gaps.push(gap);
        }
    }

    /// The gaps, sorted, without duplicates.
    pub fn into_gaps(self) -> Vec<CoverageGap> {
        let mut gaps = self.gaps.into_inner().unwrap_or_default();
        gaps.sort();
        gaps.dedup();
        gaps
    }

    /// Calls made per operation, for progress output and benchmarks.
    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

#[allow(clippy::panic)]
fn unreachable_closed() -> ! {
    panic!("the collector's semaphore is never closed")
}

/// Every item of a paginated listing: calls `page` with each next token (or marker) until none
/// is left, holding a permit and counting each call. On failure, returns what was read so far
/// and the failure as [`classify`] gives it.
pub(crate) async fn all_pages<T, F, Fut>(
    ctx: &Ctx,
    operation: &str,
    mut page: F,
) -> (Vec<T>, Option<(String, String)>)
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<String>), (String, String)>>,
{
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let result = {
            let _p = ctx.permit().await;
            ctx.count(operation);
            page(token.clone()).await
        };
        match result {
            Ok((mut batch, next)) => {
                items.append(&mut batch);
                match next.filter(|t| !t.is_empty()) {
                    // A token that does not move on would loop forever.
                    Some(next) if token.as_ref() != Some(&next) => token = Some(next),
                    _ => return (items, None),
                }
            }
            Err(failure) => return (items, Some(failure)),
        }
    }
}

/// An SDK error as `(code, message)`: the service's error code (`AccessDenied`,
/// `UnauthorizedOperation`, `Throttling`, …), or `Timeout` / `ConnectionError` /
/// `ResponseError` when no service answer arrived.
pub(crate) fn classify<E, R>(err: &SdkError<E, R>) -> (String, String)
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    match err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            let message = match e.message() {
                Some(m) if !m.is_empty() => m.to_owned(),
                // No message the SDK could parse: say what the service answered.
                _ => error_chain(err),
            };
            (e.code().unwrap_or("ServiceError").to_owned(), message)
        }
        SdkError::TimeoutError(_) => (
            "Timeout".to_owned(),
            "no answer within the call timeout".to_owned(),
        ),
        SdkError::DispatchFailure(d) if d.is_timeout() => ("Timeout".to_owned(), error_chain(err)),
        SdkError::DispatchFailure(_) => ("ConnectionError".to_owned(), error_chain(err)),
        _ => ("ResponseError".to_owned(), error_chain(err)),
    }
}

/// The error code of an SDK error, when the service answered with one.
pub(crate) fn error_code<E, R>(err: &SdkError<E, R>) -> Option<&str>
where
    E: ProvideErrorMetadata,
{
    match err {
        SdkError::ServiceError(service) => service.err().code(),
        _ => None,
    }
}

/// An SDK timestamp as a chrono UTC time.
pub(crate) fn to_utc(t: &aws_smithy_types::DateTime) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}
