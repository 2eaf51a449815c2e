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
