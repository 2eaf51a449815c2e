//! The Azure HTTP client: GET only, a bearer token per API, retries of throttling and
//! transient failures honouring `Retry-After`, paging through `nextLink` /
//! `@odata.nextLink` on the same origin, one concurrency bound, and the gaps and call counts
//! of the whole collection.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use azure_core::credentials::TokenCredential;
use reqwest::{StatusCode, Url};
use serde::de::DeserializeOwned;
use serde_json::Value as Json;
use tokio::sync::Semaphore;

use crate::collect::events;
use crate::explain::error as error_chain;
use crate::snapshot::CoverageGap;

/// Which API a call goes to: each has its own base URL and token audience.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    Arm,
    Graph,
}

/// Why a read failed, as a coverage gap records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    /// The service's error code (`AuthorizationFailed`, `Authorization_RequestDenied`, …),
    /// or `Timeout`, `ConnectionError`, `MalformedResponse`, `TokenError`, `HTTP 500`.
    pub error: String,
    pub message: String,
}

impl Failure {
    /// A read onus did not make (`Skipped`), and why.
    pub fn skipped(why: &str) -> Failure {
        Failure::new("Skipped", why)
    }

    fn new(error: impl Into<String>, message: impl Into<String>) -> Failure {
        Failure {
            error: error.into(),
            message: message.into(),
        }
    }
}

/// Settings of the client.
#[derive(Debug, Clone)]
pub(crate) struct HttpSettings {
    pub arm: Url,
    pub graph: Url,
    pub concurrency: usize,
    pub max_attempts: u32,
    pub call_timeout: Duration,
}

/// Pages of one listing at most: a server that never stops paging is refused.
const MAX_PAGES: usize = 10_000;
/// The longest wait onus accepts from a `Retry-After` header.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

pub(crate) struct Http {
    client: reqwest::Client,
    credential: Arc<dyn TokenCredential>,
    tokens: tokio::sync::Mutex<BTreeMap<String, (String, Instant)>>,
    settings: HttpSettings,
    limit: Semaphore,
    calls: Mutex<BTreeMap<String, u64>>,
    gaps: Mutex<Vec<CoverageGap>>,
}

impl Http {
    pub fn new(
        credential: Arc<dyn TokenCredential>,
        settings: HttpSettings,
    ) -> Result<Http, reqwest::Error> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(settings.call_timeout)
            .user_agent(concat!("onus/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Http {
            client,
            credential,
            tokens: tokio::sync::Mutex::new(BTreeMap::new()),
            limit: Semaphore::new(settings.concurrency.max(1)),
            settings,
            calls: Mutex::new(BTreeMap::new()),
            gaps: Mutex::new(Vec::new()),
        })
    }

    fn base(&self, api: Api) -> &Url {
        match api {
            Api::Arm => &self.settings.arm,
            Api::Graph => &self.settings.graph,
        }
    }

    /// The token audience (scope) of an API: its origin, so that sovereign clouds get theirs
    /// (`https://management.usgovcloudapi.net/.default`, `https://graph.microsoft.us/.default`).
    pub fn scope(&self, api: Api) -> String {
        format!("{}/.default", self.base(api).origin().ascii_serialization())
    }

    /// A bearer token for `api`, from the cache while it has five minutes left.
    pub async fn token(&self, api: Api) -> Result<String, Failure> {
        let scope = self.scope(api);
        let mut tokens = self.tokens.lock().await;
        if let Some((token, until)) = tokens.get(&scope)
            && Instant::now() < *until
        {
            return Ok(token.clone());
        }
        let token = self
            .credential
            .get_token(&[scope.as_str()], None)
            .await
            .map_err(|e| Failure::new("TokenError", e.to_string()))?;
        let left = token.expires_on - azure_core::time::OffsetDateTime::now_utc();
        let left = Duration::try_from(left).unwrap_or_default();
        let until = Instant::now() + left.saturating_sub(Duration::from_secs(300));
        let secret = token.token.secret().to_owned();
        tokens.insert(scope, (secret.clone(), until));
        Ok(secret)
    }

    /// `path` (starting with `/`) on the API's base URL.
    pub fn url(&self, api: Api, path: &str) -> Result<Url, Failure> {
        let base = self.base(api);
        let joined = format!("{}{}", base.as_str().trim_end_matches('/'), path);
        Url::parse(&joined).map_err(|e| Failure::new("BadRequest", format!("{joined}: {e}")))
    }

    fn count(&self, operation: &str) {
        events::call(operation);
        if let Ok(mut calls) = self.calls.lock() {
            *calls.entry(operation.to_owned()).or_default() += 1;
        }
    }

    /// One GET, retried on throttling (429), server trouble (500, 502, 503, 504), timeouts
    /// and broken connections, waiting as `Retry-After` says or backing off exponentially.
    pub async fn get(&self, api: Api, operation: &str, url: &Url) -> Result<Json, Failure> {
        let started = Instant::now();
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let outcome = self.attempt(api, operation, url).await;
            let (failure, wait) = match outcome {
                Ok(json) => return Ok(json),
                Err(Attempt::Final(f)) => return Err(f),
                Err(Attempt::Retry(f, wait)) => (f, wait),
            };
            let backoff = wait.unwrap_or_else(|| backoff(attempt));
            let elapsed = started.elapsed();
            if attempt >= self.settings.max_attempts
                || elapsed + backoff >= self.settings.call_timeout
            {
                return Err(failure);
            }
            tokio::time::sleep(backoff).await;
        }
    }

    async fn attempt(&self, api: Api, operation: &str, url: &Url) -> Result<Json, Attempt> {
        let token = self.token(api).await.map_err(Attempt::Final)?;
        let _permit =
            self.limit.acquire().await.map_err(|_| {
                Attempt::Final(Failure::new("Cancelled", "the collection was stopped"))
            })?;
        self.count(operation);
        let response = self
            .client
            .get(url.clone())
            .bearer_auth(token)
            .header("Accept", "application/json")
            .send()
            .await;
        let response = match response {
            Ok(r) => r,
            Err(e) if e.is_timeout() => {
                return Err(Attempt::Retry(
                    Failure::new("Timeout", "no answer within the call timeout"),
                    None,
                ));
            }
            Err(e) => {
                return Err(Attempt::Retry(
                    Failure::new("ConnectionError", error_chain(&e)),
                    None,
                ));
            }
        };
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let body = match response.bytes().await {
            Ok(b) => b,
            Err(e) if e.is_timeout() => {
                return Err(Attempt::Retry(
                    Failure::new(
                        "Timeout",
                        "the answer did not arrive within the call timeout",
                    ),
                    None,
                ));
            }
            Err(e) => {
                return Err(Attempt::Retry(
                    Failure::new("ConnectionError", error_chain(&e)),
                    None,
                ));
            }
        };
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|e| {
                Attempt::Final(Failure::new(
                    "MalformedResponse",
                    format!("{operation} answered {status} with a body that is not JSON: {e}"),
                ))
            });
        }
        let failure = service_failure(status, &body);
        if matches!(
            status,
            StatusCode::TOO_MANY_REQUESTS
                | StatusCode::INTERNAL_SERVER_ERROR
                | StatusCode::BAD_GATEWAY
                | StatusCode::SERVICE_UNAVAILABLE
                | StatusCode::GATEWAY_TIMEOUT
        ) {
            Err(Attempt::Retry(failure, retry_after))
        } else {
            Err(Attempt::Final(failure))
        }
    }

    /// Every item of a listing: `value` of each page, following `nextLink` (ARM) or
    /// `@odata.nextLink` (Graph) while it stays on the API's origin (the token must not
    /// travel elsewhere). On failure, what was read so far and the failure.
    pub async fn list<T: DeserializeOwned>(
        &self,
        api: Api,
        operation: &str,
        path: &str,
    ) -> (Vec<T>, Option<Failure>) {
        let mut items = Vec::new();
        let mut url = match self.url(api, path) {
            Ok(u) => u,
            Err(f) => return (items, Some(f)),
        };
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..MAX_PAGES {
            seen.insert(url.to_string());
            let page = match self.get(api, operation, &url).await {
                Ok(p) => p,
                Err(f) => return (items, Some(f)),
            };
            let Some(values) = page.get("value").and_then(Json::as_array) else {
                return (
                    items,
                    Some(Failure::new(
                        "MalformedResponse",
                        format!("{operation}: the answer has no `value` list"),
                    )),
                );
            };
            for (i, value) in values.iter().enumerate() {
                match T::deserialize(value) {
                    Ok(item) => items.push(item),
                    Err(e) => {
                        return (
                            items,
                            Some(Failure::new(
                                "MalformedResponse",
                                format!("{operation}: item {i} of a page: {e}"),
                            )),
                        );
                    }
                }
            }
            let next = page
                .get("nextLink")
                .or_else(|| page.get("@odata.nextLink"))
                .and_then(Json::as_str)
                .filter(|s| !s.is_empty());
            let Some(next) = next else {
                return (items, None);
            };
            match self.next_url(api, next) {
                Ok(n) if !seen.contains(n.as_str()) => url = n,
                Ok(n) => {
                    return (
                        items,
                        Some(Failure::new(
                            "MalformedResponse",
                            format!("{operation}: the next page link repeats an earlier one ({n})"),
                        )),
                    );
                }
                Err(f) => return (items, Some(f)),
            }
        }
        (
            items,
            Some(Failure::new(
                "MalformedResponse",
                format!("{operation}: more than {MAX_PAGES} pages"),
            )),
        )
    }

    /// [`list`](Http::list), keeping nothing of a listing that fails: then a gap is recorded
    /// for each `(kind, fields)` of `hidden` (on the `owner` view itself, `(kind, id)` such as
    /// the subscription or the tenant, a gap on that resource; on any other kind, one for the
    /// whole account) and the answer is `None`.
    pub async fn list_or_gaps<T: DeserializeOwned>(
        &self,
        api: Api,
        account: &str,
        owner: (&str, &str),
        operation: &str,
        path: &str,
        hidden: &[(&str, &[&str])],
    ) -> Option<Vec<T>> {
        let (items, failure) = self.list::<T>(api, operation, path).await;
        let Some(f) = failure else {
            return Some(items);
        };
        for (kind, fields) in hidden {
            let resource = (*kind == owner.0).then_some(owner.1);
            self.gap(kind, account, resource, fields, operation, &f);
        }
        None
    }

    fn next_url(&self, api: Api, next: &str) -> Result<Url, Failure> {
        let base = self.base(api);
        let url = base.join(next).map_err(|e| {
            Failure::new(
                "MalformedResponse",
                format!("the next page link {next:?} is not a URL: {e}"),
            )
        })?;
        if url.origin() != base.origin() {
            return Err(Failure::new(
                "MalformedResponse",
                format!(
                    "the next page link {url} leaves {}; onus does not send its token elsewhere",
                    base.origin().ascii_serialization()
                ),
            ));
        }
        Ok(url)
    }

    /// Records a coverage gap (see [`CoverageGap`] for what the scope means).
    pub fn gap(
        &self,
        kind: &str,
        account: &str,
        resource: Option<&str>,
        fields: &[&str],
        operation: &str,
        failure: &Failure,
    ) {
        events::gap(operation);
        let gap = CoverageGap {
            kind: kind.to_owned(),
            account: account.to_owned(),
            region: None,
            resource: resource.map(str::to_owned),
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            operation: operation.to_owned(),
            error: failure.error.clone(),
            message: failure.message.clone(),
        };
        if let Ok(mut gaps) = self.gaps.lock() {
            gaps.push(gap);
        }
    }

    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// The gaps, sorted, without duplicates.
    pub fn take_gaps(&self) -> Vec<CoverageGap> {
        let mut gaps = self
            .gaps
            .lock()
            .map(|mut g| std::mem::take(&mut *g))
            .unwrap_or_default();
        gaps.sort();
        gaps.dedup();
        gaps
    }
}

enum Attempt {
    /// Worth another try, after the server's `Retry-After` when it sent one.
    Retry(Failure, Option<Duration>),
    Final(Failure),
}

/// Exponential backoff from 200 ms, doubling, at most 5 s, with up to 25 % jitter.
fn backoff(attempt: u32) -> Duration {
    let base = 200u64.saturating_mul(1 << attempt.saturating_sub(1).min(5));
    let base = base.min(5_000);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let jitter = base * u64::from(nanos % 250) / 1000;
    Duration::from_millis(base + jitter)
}

/// `Retry-After` in seconds (or `x-ms-retry-after-ms`), capped; an HTTP date is not used.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let wait = if let Some(ms) = text("x-ms-retry-after-ms").and_then(|v| v.trim().parse().ok()) {
        Duration::from_millis(ms)
    } else {
        Duration::from_secs(text("retry-after")?.trim().parse().ok()?)
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// A non-success answer as a failure: the `error.code` / `error.message` ARM and Graph put
/// in the body, or the status when the body has none.
fn service_failure(status: StatusCode, body: &[u8]) -> Failure {
    let parsed: Option<Json> = serde_json::from_slice(body).ok();
    let error = parsed.as_ref().and_then(|j| j.get("error"));
    let code = error
        .and_then(|e| e.get("code"))
        .and_then(Json::as_str)
        .filter(|c| !c.is_empty());
    let message = error
        .and_then(|e| e.get("message"))
        .and_then(Json::as_str)
        .unwrap_or_default();
    let code = code.map_or_else(|| format!("HTTP {}", status.as_u16()), str::to_owned);
    let message = if message.is_empty() {
        format!("the service answered {status}")
    } else {
        format!("{message} ({status})")
    };
    Failure::new(code, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_errors_keep_the_code_and_message_of_the_body() {
        let f = service_failure(
            StatusCode::FORBIDDEN,
            br#"{"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges"}}"#,
        );
        assert_eq!(f.error, "Authorization_RequestDenied");
        assert_eq!(f.message, "Insufficient privileges (403 Forbidden)");
        let f = service_failure(StatusCode::BAD_GATEWAY, b"<html>");
        assert_eq!(f.error, "HTTP 502");
    }

    #[test]
    fn backoff_grows_and_stays_bounded() {
        assert!(
            backoff(1) >= Duration::from_millis(200) && backoff(1) < Duration::from_millis(260)
        );
        assert!(backoff(3) >= Duration::from_millis(800));
        assert!(backoff(30) <= Duration::from_millis(6_250));
    }
}
