//! A fault-injecting HTTP/1.1 proxy between onus and moto, on 127.0.0.1: it names the AWS
//! operation of every request, records it, and per operation either forwards the request or
//! answers with a fault (throttling in each protocol's shape, 503 SlowDown, 429 with
//! Retry-After, 500, a dropped connection, an answer slower than onus's call timeout,
//! AccessDenied, or a success whose body does not parse).
//!
//! Operations are named `service:Operation` after the API (`s3:GetBucketPolicy`,
//! `s3control:GetPublicAccessBlock`, `iam:GetAccountAuthorizationDetails`), as onus's own
//! call counts name them; [`iam_action`] maps them to the IAM actions a policy grants.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// What the proxy answers instead of forwarding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The protocol's throttling error: 400 `Throttling` (IAM, STS), 400
    /// `ThrottlingException` (JSON APIs), 503 `RequestLimitExceeded` (EC2), 503 `SlowDown` (S3).
    Throttle,
    /// 503 with the code `SlowDown`, in the protocol's shape.
    SlowDown,
    /// 429 `TooManyRequestsException` with `Retry-After: 1`.
    TooManyRequests,
    /// 500 `InternalError`.
    ServerError,
    /// The connection is closed after the request is read, with no answer.
    Drop,
    /// Forwarded, but only after this long (longer than onus's per-attempt timeout).
    Slow(Duration),
    /// 403 with the protocol's access-denied code.
    AccessDenied,
    /// 200 with a body that is not the protocol's XML or JSON (cut off mid-document).
    Garbage,
}

/// Fault `operation` (exact, or `service:*`) the first `times` times (`None`: always).
#[derive(Debug, Clone)]
pub struct Plan {
    pub operation: String,
    pub fault: Fault,
    pub times: Option<usize>,
}

impl Plan {
    pub fn always(operation: &str, fault: Fault) -> Plan {
        Plan {
            operation: operation.to_owned(),
            fault,
            times: None,
        }
    }

    pub fn first(operation: &str, fault: Fault, times: usize) -> Plan {
        Plan {
            operation: operation.to_owned(),
            fault,
            times: Some(times),
        }
    }

    fn matches(&self, operation: &str) -> bool {
        match self.operation.strip_suffix('*') {
            Some(prefix) => operation.starts_with(prefix),
            None => self.operation == operation,
        }
    }
}

#[derive(Default)]
struct State {
    plans: Vec<(Plan, usize)>,
    /// Requests seen per operation.
    seen: BTreeMap<String, usize>,
    /// Faults answered per operation.
    faulted: BTreeMap<String, usize>,
}

pub struct Proxy {
    pub url: String,
    addr: std::net::SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    open: Arc<AtomicUsize>,
}

impl Proxy {
    /// Starts a proxy in front of `upstream` (`http://127.0.0.1:PORT`).
    pub fn start(upstream: &str, plans: Vec<Plan>) -> Proxy {
        let upstream = upstream
            .strip_prefix("http://")
            .expect("an http:// upstream")
            .trim_end_matches('/')
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let addr = listener.local_addr().expect("proxy address");
        let state = Arc::new(Mutex::new(State {
            plans: plans.into_iter().map(|p| (p, 0)).collect(),
            ..State::default()
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let open = Arc::new(AtomicUsize::new(0));
        {
            let (state, stop, open) = (state.clone(), stop.clone(), open.clone());
            thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let (state, upstream, open) = (state.clone(), upstream.clone(), open.clone());
                    open.fetch_add(1, Ordering::SeqCst);
                    thread::spawn(move || {
                        serve(conn, &upstream, &state);
                        open.fetch_sub(1, Ordering::SeqCst);
                    });
                }
            });
        }
        Proxy {
            url: format!("http://{addr}"),
            addr,
            state,
            stop,
            open,
        }
    }

    /// Requests seen per operation.
    pub fn seen(&self) -> BTreeMap<String, usize> {
        self.state.lock().unwrap().seen.clone()
    }

    /// Faults answered per operation.
    pub fn faulted(&self) -> BTreeMap<String, usize> {
        self.state.lock().unwrap().faulted.clone()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        // Slow answers finish by themselves; wait briefly for them.
        for _ in 0..100 {
            if self.open.load(Ordering::SeqCst) == 0 {
                break;
            }
            thread::sleep(Duration::from_millis(50));
        }
    }
}

/// One request as read from the client.
pub struct Request {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn path_and_query(&self) -> (&str, &str) {
        self.target.split_once('?').unwrap_or((&self.target, ""))
    }
}

/// Serves one client connection: requests one after another (keep-alive) until it closes.
fn serve(conn: TcpStream, upstream: &str, state: &Mutex<State>) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
    let Ok(write_half) = conn.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(conn);
    let mut writer = write_half;
    loop {
        let Some(request) = read_request(&mut reader) else {
            return;
        };
        let operation = operation(&request);
        let fault = {
            let mut state = state.lock().unwrap();
            *state.seen.entry(operation.clone()).or_default() += 1;
            let fault = state
                .plans
                .iter_mut()
                .find(|(plan, used)| {
                    plan.matches(&operation) && plan.times.is_none_or(|t| *used < t)
                })
                .map(|(plan, used)| {
                    *used += 1;
                    plan.fault
                });
            if fault.is_some() {
                *state.faulted.entry(operation.clone()).or_default() += 1;
            }
            fault
        };
        let response = match fault {
            Some(Fault::Drop) => {
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
            Some(Fault::Slow(delay)) => {
                thread::sleep(delay);
                forward(&request, upstream)
            }
            Some(fault) => Some(fault_response(fault, &operation)),
            None => forward(&request, upstream),
        };
        let Some(response) = response else {
            let _ = writer.shutdown(Shutdown::Both);
            return;
        };
        if writer
            .write_all(&response)
            .and_then(|()| writer.flush())
            .is_err()
        {
            return;
        }
    }
}

fn read_head<R: BufRead>(reader: &mut R) -> Option<(String, Vec<(String, String)>)> {
    let mut first = String::new();
    loop {
        first.clear();
        if reader.read_line(&mut first).ok()? == 0 {
            return None;
        }
        if !first.trim().is_empty() {
            break;
        }
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    Some((first.trim_end().to_owned(), headers))
}

fn read_body<R: BufRead>(
    reader: &mut R,
    headers: &[(String, String)],
    to_eof: bool,
) -> Option<Vec<u8>> {
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        let mut body = Vec::new();
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).ok()?;
            let size = usize::from_str_radix(size.trim().split(';').next()?, 16).ok()?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).ok()?;
            if size == 0 {
                // Trailers, if any, end with an empty line; the 2 bytes read were its CRLF or
                // the start of a trailer (none are sent by these servers).
                return Some(body);
            }
            body.extend_from_slice(&chunk[..size]);
        }
    }
    if let Some(len) = header("content-length") {
        let mut body = vec![0; len.parse().ok()?];
        reader.read_exact(&mut body).ok()?;
        return Some(body);
    }
    let mut body = Vec::new();
    if to_eof {
        reader.read_to_end(&mut body).ok()?;
    }
    Some(body)
}

pub fn read_request<R: BufRead>(reader: &mut R) -> Option<Request> {
    let (line, headers) = read_head(reader)?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let body = read_body(reader, &headers, false)?;
    Some(Request {
        method,
        target,
        headers,
        body,
    })
}

/// Sends the request to moto on a fresh connection and returns the answer, re-framed with a
/// Content-Length for the client's keep-alive connection.
fn forward(request: &Request, upstream: &str) -> Option<Vec<u8>> {
    let mut up = TcpStream::connect(upstream).ok()?;
    let mut out = format!("{} {} HTTP/1.1\r\n", request.method, request.target).into_bytes();
    for (name, value) in &request.headers {
        if ["connection", "content-length", "transfer-encoding"]
            .iter()
            .any(|h| name.eq_ignore_ascii_case(h))
        {
            continue;
        }
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            request.body.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&request.body);
    up.write_all(&out).ok()?;
    let mut reader = BufReader::new(up);
    let (status, headers) = read_head(&mut reader)?;
    let no_body = request.method == "HEAD"
        || status
            .split_whitespace()
            .nth(1)
            .is_some_and(|s| s == "204" || s == "304");
    let body = if no_body {
        Vec::new()
    } else {
        read_body(&mut reader, &headers, true)?
    };
    let mut response = format!("{status}\r\n").into_bytes();
    for (name, value) in &headers {
        if ["connection", "content-length", "transfer-encoding"]
            .iter()
            .any(|h| name.eq_ignore_ascii_case(h))
        {
            continue;
        }
        response.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    response.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    response.extend_from_slice(&body);
    Some(response)
}

/// The signing service of a request (`iam`, `ec2`, `s3`, …), from its SigV4 credential scope.
fn signing_service(request: &Request) -> String {
    request
        .header("authorization")
        .and_then(|a| a.split("Credential=").nth(1))
        .and_then(|c| c.split(',').next())
        .and_then(|scope| scope.split('/').nth(3))
        .unwrap_or("unsigned")
        .to_owned()
}

fn form_value<'a>(form: &'a str, key: &str) -> Option<&'a str> {
    form.split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

/// Names the AWS operation of a request. Anything not recognised is named by its method and
/// target, so an unexpected call is visible rather than mistaken for a read.
fn operation(request: &Request) -> String {
    let service = signing_service(request);
    if let Some(target) = request.header("x-amz-target") {
        let op = target.rsplit('.').next().unwrap_or(target);
        return format!("{service}:{op}");
    }
    let (path, query) = request.path_and_query();
    let body = String::from_utf8_lossy(&request.body);
    if let Some(action) = form_value(&body, "Action").or_else(|| form_value(query, "Action")) {
        return format!("{service}:{action}");
    }
    let unknown = || format!("{service}:{} {}", request.method, request.target);
    match service.as_str() {
        "guardduty" => {
            let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
            match (request.method.as_str(), segments.as_slice()) {
                ("GET", ["detector"]) => "guardduty:ListDetectors".to_owned(),
                ("GET", ["detector", _]) => "guardduty:GetDetector".to_owned(),
                _ => unknown(),
            }
        }
        "s3" if path.starts_with("/v20180820/") => match (request.method.as_str(), path) {
            ("GET", "/v20180820/configuration/publicAccessBlock") => {
                "s3control:GetPublicAccessBlock".to_owned()
            }
            _ => unknown(),
        },
        "s3" => {
            let bucket_level =
                !path.trim_matches('/').is_empty() && !path.trim_matches('/').contains('/');
            let keys: Vec<&str> = query
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|p| p.split('=').next().unwrap_or(p))
                .collect();
            let sub = |name: &str| keys.contains(&name);
            match request.method.as_str() {
                "GET" if path == "/" => "s3:ListBuckets".to_owned(),
                "GET" if bucket_level => {
                    let op = [
                        ("acl", "GetBucketAcl"),
                        ("policyStatus", "GetBucketPolicyStatus"),
                        ("policy", "GetBucketPolicy"),
                        ("publicAccessBlock", "GetPublicAccessBlock"),
                        ("encryption", "GetBucketEncryption"),
                        ("versioning", "GetBucketVersioning"),
                        ("logging", "GetBucketLogging"),
                        ("ownershipControls", "GetBucketOwnershipControls"),
                        ("tagging", "GetBucketTagging"),
                        ("location", "GetBucketLocation"),
                    ]
                    .iter()
                    .find(|(key, _)| sub(key))
                    .map(|(_, op)| format!("s3:{op}"));
                    op.unwrap_or_else(unknown)
                }
                "HEAD" if bucket_level && keys.is_empty() => "s3:HeadBucket".to_owned(),
                _ => unknown(),
            }
        }
        _ => unknown(),
    }
}

/// The IAM action that authorises an API operation (they differ for a few S3 calls).
pub fn iam_action(operation: &str) -> String {
    match operation {
        "s3:ListBuckets" => "s3:ListAllMyBuckets".to_owned(),
        "s3:GetBucketEncryption" => "s3:GetEncryptionConfiguration".to_owned(),
        "s3:GetPublicAccessBlock" => "s3:GetBucketPublicAccessBlock".to_owned(),
        "s3control:GetPublicAccessBlock" => "s3:GetAccountPublicAccessBlock".to_owned(),
        "s3:HeadBucket" => "s3:ListBucket".to_owned(),
        other => other.to_owned(),
    }
}

/// The wire protocol of an operation's service.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Protocol {
    /// awsQuery: IAM, STS.
    Query,
    /// ec2Query.
    Ec2,
    /// awsJson1.1: CloudTrail, Config.
    Json,
    /// restJson1: GuardDuty.
    RestJson,
    /// restXml: S3, S3 Control.
    RestXml,
}

fn protocol(operation: &str) -> Protocol {
    match operation.split(':').next().unwrap_or_default() {
        "ec2" => Protocol::Ec2,
        "cloudtrail" | "config" => Protocol::Json,
        "guardduty" => Protocol::RestJson,
        "s3" | "s3control" => Protocol::RestXml,
        _ => Protocol::Query,
    }
}

fn fault_response(fault: Fault, operation: &str) -> Vec<u8> {
    let protocol = protocol(operation);
    let (status, code, message) = match fault {
        Fault::Throttle => match protocol {
            Protocol::Query => (400, "Throttling", "Rate exceeded"),
            Protocol::Ec2 => (503, "RequestLimitExceeded", "Request limit exceeded."),
            Protocol::Json | Protocol::RestJson => (400, "ThrottlingException", "Rate exceeded"),
            Protocol::RestXml => (503, "SlowDown", "Please reduce your request rate."),
        },
        Fault::SlowDown => (503, "SlowDown", "Please reduce your request rate."),
        Fault::TooManyRequests => (429, "TooManyRequestsException", "Too many requests"),
        Fault::ServerError => (500, "InternalError", "We encountered an internal error."),
        Fault::AccessDenied => match protocol {
            Protocol::Ec2 => (
                403,
                "UnauthorizedOperation",
                "You are not authorized to perform this operation.",
            ),
            Protocol::Json | Protocol::RestJson => (
                400,
                "AccessDeniedException",
                "User is not authorized to perform this action",
            ),
            Protocol::Query | Protocol::RestXml => (403, "AccessDenied", "Access Denied"),
        },
        Fault::Garbage => {
            let body = match protocol {
                Protocol::Json | Protocol::RestJson => "{\"trailList\": [{\"Name\": ",
                _ => "<?xml version=\"1.0\"?>\n<Response><Unclosed attr=",
            };
            return format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .into_bytes();
        }
        Fault::Drop | Fault::Slow(_) => unreachable!("not an answer"),
    };
    let reason = match status {
        400 => "Bad Request",
        403 => "Forbidden",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        _ => "Service Unavailable",
    };
    let (content_type, body) = match protocol {
        Protocol::Query => (
            "text/xml",
            format!(
                "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>onus-proxy</RequestId></ErrorResponse>"
            ),
        ),
        Protocol::Ec2 => (
            "text/xml;charset=UTF-8",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>onus-proxy</RequestID></Response>"
            ),
        ),
        Protocol::Json | Protocol::RestJson => (
            "application/x-amz-json-1.1",
            format!("{{\"__type\":\"{code}\",\"message\":\"{message}\"}}"),
        ),
        Protocol::RestXml => (
            "application/xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>onus-proxy</RequestId></Error>"
            ),
        ),
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nx-amzn-RequestId: onus-proxy\r\n",
        body.len()
    );
    if protocol == Protocol::RestJson {
        head.push_str(&format!("x-amzn-ErrorType: {code}\r\n"));
    }
    if status == 429 {
        head.push_str("Retry-After: 1\r\n");
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}
