//! An in-process Azure test server: ARM and Microsoft Graph answers built from the public
//! example responses in `tests/fixtures/azure/` (varied per test), an App Service style
//! managed-identity token endpoint, queued one-off answers (429, 403, malformed bodies), and
//! a log of every request it saw.

use std::collections::{BTreeMap, VecDeque};
use std::io::{BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde_json::{Value as Json, json};

use super::proxy::read_request;

/// The subscription and tenant of `arm/subscriptions.json`.
pub const SUB: &str = "291bba3f-e0a5-47bc-a099-3bdcb2a50a05";
pub const TENANT: &str = "31c75423-32d6-4322-88b7-c478bdde4858";
/// What the token endpoint requires in `X-IDENTITY-HEADER`.
const IDENTITY_SECRET: &str = "onus-test-identity-header";
/// The access token the token endpoint issues: a JWT naming the tenant and a principal.
pub const TOKEN: &str = "eyJhbGciOiJub25lIn0.eyJ0aWQiOiIzMWM3NTQyMy0zMmQ2LTQzMjItODhiNy1jNDc4YmRkZTQ4NTgiLCJhcHBpZCI6Im9udXMtdGVzdC1pZGVudGl0eSJ9.c2ln";

/// One HTTP answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait this long before answering.
    pub delay: Option<Duration>,
    /// Close the connection instead of answering.
    pub drop: bool,
}

impl Reply {
    pub fn json(value: &Json) -> Reply {
        Reply {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: serde_json::to_vec(value).unwrap(),
            delay: None,
            drop: false,
        }
    }

    pub fn error(status: u16, code: &str, message: &str) -> Reply {
        let mut r = Reply::json(&json!({"error": {"code": code, "message": message}}));
        r.status = status;
        r
    }

    pub fn raw(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
            delay: None,
            drop: false,
        }
    }

    /// The connection is closed without an answer.
    pub fn reset() -> Reply {
        Reply {
            drop: true,
            ..Reply::raw(0, "")
        }
    }

    /// This answer, `delay` late.
    pub fn slow(self, delay: Duration) -> Reply {
        Reply {
            delay: Some(delay),
            ..self
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }
}

#[derive(Default)]
struct State {
    /// Path (decoded, without query) → answer.
    routes: BTreeMap<String, Reply>,
    /// Path → answers given once each, before the route's.
    queued: BTreeMap<String, VecDeque<Reply>>,
    /// Every request: method, target, whether it carried the issued token.
    seen: Vec<(String, String, bool)>,
}

pub struct AzureServer {
    pub url: String,
    addr: std::net::SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

impl AzureServer {
    /// A server with no routes but the token endpoint.
    pub fn start() -> AzureServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the Azure test server");
        let addr = listener.local_addr().expect("server address");
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        {
            let (state, stop) = (state.clone(), stop.clone());
            thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let state = state.clone();
                    thread::spawn(move || serve(conn, &state));
                }
            });
        }
        AzureServer {
            url: format!("http://{addr}"),
            addr,
            state,
            stop,
        }
    }

    /// Answers `path` (without query) with `reply` from now on.
    pub fn route(&self, path: &str, reply: Reply) {
        self.state
            .lock()
            .unwrap()
            .routes
            .insert(path.to_owned(), reply);
    }

    /// Answers the next request for `path` with `reply`, once, before its route.
    pub fn once(&self, path: &str, reply: Reply) {
        self.state
            .lock()
            .unwrap()
            .queued
            .entry(path.to_owned())
            .or_default()
            .push_back(reply);
    }

    /// Every request seen: (method, target, carried the token).
    pub fn seen(&self) -> Vec<(String, String, bool)> {
        self.state.lock().unwrap().seen.clone()
    }

    /// How many requests asked for `path`.
    pub fn hits(&self, path: &str) -> usize {
        self.seen()
            .iter()
            .filter(|(_, t, _)| decode(t.split('?').next().unwrap_or_default()) == path)
            .count()
    }

    /// Environment that makes azure_identity's managed identity use this server's token
    /// endpoint (the App Service protocol).
    pub fn identity_env(&self) -> Vec<(String, String)> {
        vec![
            (
                "IDENTITY_ENDPOINT".into(),
                format!("{}/msi/token", self.url),
            ),
            ("IDENTITY_HEADER".into(), IDENTITY_SECRET.into()),
        ]
    }
}

impl Drop for AzureServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

/// Percent-decodes a path (ids may hold non-ASCII names).
fn decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(Ok(b)) = path.get(i + 1..i + 3).map(|h| u8::from_str_radix(h, 16))
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn serve(conn: TcpStream, state: &Mutex<State>) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
    let Ok(mut writer) = conn.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(conn);
    while let Some(request) = read_request(&mut reader) {
        let (path, query) = request.path_and_query();
        let path = decode(path);
        let authorized = request.header("authorization") == Some(&format!("Bearer {TOKEN}"));
        let reply = {
            let mut s = state.lock().unwrap();
            s.seen
                .push((request.method.clone(), request.target.clone(), authorized));
            if path == "/msi/token" {
                token_reply(request.header("x-identity-header"), query)
            } else if !authorized {
                Reply::error(401, "InvalidAuthenticationToken", "no valid bearer token")
            } else if let Some(r) = s.queued.get_mut(&path).and_then(VecDeque::pop_front) {
                r
            } else if let Some(r) = s.routes.get(&path) {
                r.clone()
            } else {
                Reply::error(404, "NotFound", &format!("no route for {path}"))
            }
        };
        if let Some(delay) = reply.delay {
            thread::sleep(delay);
        }
        if reply.drop {
            let _ = writer.shutdown(std::net::Shutdown::Both);
            return;
        }
        let mut head = format!(
            "HTTP/1.1 {} X\r\nContent-Length: {}\r\n",
            reply.status,
            reply.body.len()
        );
        for (n, v) in &reply.headers {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&reply.body);
        if writer
            .write_all(&bytes)
            .and_then(|()| writer.flush())
            .is_err()
        {
            return;
        }
    }
}

fn token_reply(secret: Option<&str>, query: &str) -> Reply {
    if secret != Some(IDENTITY_SECRET) {
        return Reply::error(401, "Unauthorized", "missing X-IDENTITY-HEADER");
    }
    let expires = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    let resource = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("resource="))
        .unwrap_or_default();
    Reply::json(&json!({
        "access_token": TOKEN,
        "expires_on": expires.to_string(),
        "token_type": "Bearer",
        "resource": decode(resource),
    }))
}

/// A fixture of `tests/fixtures/azure/` (e.g. `arm/storage-accounts.json`).
pub fn fixture(name: &str) -> Json {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/azure")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `{"value": [..]}` around items.
pub fn list(items: Vec<Json>) -> Json {
    json!({ "value": items })
}
