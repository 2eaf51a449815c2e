//! Human reports: hostile account data stays text, and the HTML report renders in a real
//! browser without network access or console errors.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod hostile;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn onus(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_onus"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run onus")
}

const HOSTILE_NAME: &str =
    "<script>alert(1)</script><img src=x onerror=alert(2)>|[x](javascript:alert(3))";

fn hostile_snapshot(dir: &Path) -> PathBuf {
    hostile::snapshot(dir, HOSTILE_NAME)
}

#[test]
fn hostile_names_are_escaped_in_html_and_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let snap = hostile_snapshot(dir.path());
    let html = onus(&["evaluate", snap.to_str().unwrap(), "-f", "html"]);
    assert_eq!(html.status.code(), Some(0));
    let html = String::from_utf8(html.stdout).unwrap();
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
        "name not shown escaped"
    );
    assert!(
        !html.to_lowercase().contains("<script"),
        "a script element reached the HTML"
    );
    assert!(!html.contains("<img"), "an img element reached the HTML");

    let md = onus(&["evaluate", snap.to_str().unwrap(), "-f", "md"]);
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(md.contains(r"\<script\>alert(1)\</script\>\<img src=x onerror=alert(2)\>\|\[x\](javascript:alert(3))"), "{md}");
    // Every `<` that reaches the Markdown is escaped, so no HTML tag can form.
    assert!(
        md.match_indices('<')
            .all(|(i, _)| i > 0 && md.as_bytes()[i - 1] == b'\\'),
        "an unescaped < in the Markdown"
    );

    let text = onus(&["evaluate", snap.to_str().unwrap(), "-f", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&text.stdout).unwrap();
    assert!(
        json["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["resource"]["name"] == HOSTILE_NAME)
    );
}

fn chromium() -> Option<String> {
    if let Ok(path) = std::env::var("ONUS_CHROMIUM") {
        return Some(path);
    }
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|_| (*c).to_owned())
        })
}

#[test]
fn html_report_renders_offline_in_chromium_without_console_errors() {
    let html_has_no_external_references = |html: &str| {
        let lower = html.to_lowercase();
        for needle in [
            "<script",
            "<link",
            "<iframe",
            "<object",
            "<embed",
            "@import",
            "url(",
            " src=\"http",
            " src='http",
        ] {
            assert!(!lower.contains(needle), "the report references {needle}");
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.html");
    let out = onus(&[
        "evaluate",
        "--sample",
        "-f",
        "html",
        "-o",
        report.to_str().unwrap(),
        "--customer",
        "Acme",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let html = std::fs::read_to_string(&report).unwrap();
    html_has_no_external_references(&html);

    let Some(browser) = chromium() else {
        assert!(
            std::env::var("ONUS_SKIP_BROWSER_TESTS").is_ok(),
            "no chromium found: install it (apt-get install chromium), point ONUS_CHROMIUM at it, \
             or set ONUS_SKIP_BROWSER_TESTS=1 to skip this test knowingly"
        );
        return;
    };
    let profile = dir.path().join("profile");
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            // Any request that is not the report itself goes nowhere.
            "--proxy-server=127.0.0.1:9",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("file://{}", report.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("The shared responsibility matrix"),
        "DOM lacks the matrix"
    );
    assert!(dom.contains("Prepared for <strong>Acme</strong>"));
    let log = String::from_utf8_lossy(&out.stderr);
    for line in log.lines() {
        assert!(!line.contains("CONSOLE"), "console message: {line}");
        assert!(
            !line.contains("Content Security Policy"),
            "CSP violation: {line}"
        );
        assert!(!line.contains("net::ERR_"), "network request: {line}");
    }
}

/// Runs headless Chromium on `report` with every request it might make sent to `proxy`, and
/// returns the DOM after load and the browser's log; `None` when no browser may be used.
fn render_in_chromium(report: &Path, proxy: &str) -> Option<(String, String)> {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var("ONUS_SKIP_BROWSER_TESTS").is_ok(),
            "no chromium found: install it (apt-get install chromium), point ONUS_CHROMIUM at it, \
             or set ONUS_SKIP_BROWSER_TESTS=1 to skip this test knowingly"
        );
        return None;
    };
    let profile = report.with_extension("profile");
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=3000",
            "--proxy-bypass-list=<-loopback>",
            "--dump-dom",
        ])
        .arg(format!("--proxy-server={proxy}"))
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("file://{}", report.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some((
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

#[test]
fn hostile_account_data_runs_no_script_and_loads_nothing_in_chromium() {
    // Everything the page might fetch, directly or through the browser's proxy, lands here;
    // each request's first line is kept.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let leak = format!("http://{}", listener.local_addr().unwrap());
    let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    {
        let requests = requests.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let _ = conn.set_read_timeout(Some(std::time::Duration::from_secs(2)));
                let mut line = String::new();
                let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(conn), &mut line);
                requests.lock().unwrap().push(line.trim().to_owned());
            }
        });
    }

    let dir = tempfile::tempdir().unwrap();
    let payloads = hostile::payloads(&leak);
    let snap = hostile::sample_with(dir.path(), &payloads);
    let report = dir.path().join("hostile.html");
    let out = onus(&[
        "evaluate",
        snap.to_str().unwrap(),
        "-f",
        "html",
        "-o",
        report.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&report).unwrap();
    let lower = html.to_lowercase();
    for element in [
        "<script",
        "<img",
        "<iframe",
        "<link",
        "<style>@import",
        "<a href=\"javascript",
    ] {
        assert!(!lower.contains(element), "{element} reached the HTML");
    }

    let Some((dom, log)) = render_in_chromium(&report, &leak[7..]) else {
        return;
    };
    assert!(
        dom.contains("The shared responsibility matrix"),
        "the report did not render"
    );
    assert!(!dom.contains("data-pwned=\""), "a payload ran script");
    for element in ["<script", "<img", "<iframe", "<link", "<style>@import"] {
        assert!(
            !dom.to_lowercase().contains(element),
            "the DOM has {element}"
        );
    }
    // Shown literally: the DOM holds each payload as text (the serialiser escapes < and >).
    let as_text = |p: &str| {
        p.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    for p in &payloads {
        if p.contains('\n') || p.contains('\u{0}') || p.contains('\u{1b}') {
            continue;
        }
        assert!(dom.contains(&as_text(p)), "not shown literally: {:.80}", p);
    }
    assert!(
        dom.contains(&"A".repeat(100 * 1024)),
        "the 100 KB name was cut"
    );
    for line in log.lines() {
        assert!(!line.contains("CONSOLE"), "console message: {line}");
        assert!(
            !line.contains("Content Security Policy"),
            "CSP violation: {line}"
        );
        assert!(!line.contains("net::ERR_"), "network request: {line}");
    }
    // Headless Chromium makes requests of its own (clock sync, Google accounts), which reach
    // this listener too as the browser's proxy; none may be for an address in the payloads.
    let requests = requests.lock().unwrap().clone();
    let leak_host = &leak["http://".len()..];
    for request in &requests {
        assert!(
            !request.contains(leak_host)
                && !request.contains("example.invalid")
                // A direct request to this listener can only come from the page.
                && !request.split_whitespace().nth(1).is_some_and(|t| t.starts_with('/')),
            "the report made a network request: {request}"
        );
    }
}
