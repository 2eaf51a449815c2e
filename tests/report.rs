//! The assessment report: hostile account data stays text; the report rebuilt from a results
//! JSON equals the one from the snapshot; the Markdown is as reviewed; and the HTML renders in
//! a real browser without network access or console errors, filters its appendix, stays small
//! at 100k results, and prints to a PDF.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod hostile;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::{SAMPLE, onus, stderr, stdout};

const HOSTILE_NAME: &str =
    "<script>alert(1)</script><img src=x onerror=alert(2)>|[x](javascript:alert(3))";

fn hostile_snapshot(dir: &Path) -> PathBuf {
    hostile::snapshot(dir, HOSTILE_NAME)
}

/// The report's own two script elements (the appendix data block and the inline script) and
/// nothing else that executes or loads.
fn assert_only_own_scripts(html: &str) {
    let lower = html.to_lowercase();
    let scripts: Vec<&str> = lower
        .match_indices("<script")
        .map(|(i, _)| &lower[i..i + 40.min(lower.len() - i)])
        .collect();
    assert_eq!(scripts.len(), 2, "script elements: {scripts:?}");
    assert!(scripts[0].starts_with("<script type=\"application/json\" id="));
    assert!(scripts[1].starts_with("<script>"));
    for needle in [
        "<link",
        "<iframe",
        "<object",
        "<embed",
        "@import",
        "url(",
        " src=\"http",
        " src='http",
        "<script src",
        "fetch(",
        "xmlhttprequest",
        "innerhtml",
        "eval(",
    ] {
        assert!(!lower.contains(needle), "the report contains {needle}");
    }
    let csp = html
        .split("Content-Security-Policy\" content=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap();
    assert!(csp.starts_with("default-src 'none';"), "{csp}");
    assert!(csp.contains("script-src 'sha256-"), "{csp}");
    assert!(!csp.contains("unsafe-eval") && !csp.contains("script-src 'unsafe-inline'"));
}

#[test]
fn hostile_names_are_escaped_in_html_and_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let snap = hostile_snapshot(dir.path());
    for args in [
        vec!["evaluate", snap.to_str().unwrap(), "-f", "html"],
        vec!["report", snap.to_str().unwrap(), "-f", "html"],
    ] {
        let html = stdout(&onus(&args));
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
            "name not shown escaped"
        );
        // In the appendix data block the name is JSON with <, > and & escaped.
        assert!(
            html.contains(r"\u003cscript\u003ealert(1)\u003c/script\u003e\u003cimg src=x"),
            "name not in the data block, escaped"
        );
        assert!(
            !html.contains("<script>alert"),
            "a script element reached the HTML"
        );
        assert!(
            !html.contains("<img src=x"),
            "an img element reached the HTML"
        );
        assert_only_own_scripts(&html);
    }

    for args in [
        vec!["evaluate", snap.to_str().unwrap(), "-f", "md"],
        vec!["report", snap.to_str().unwrap(), "-f", "md"],
    ] {
        let md = stdout(&onus(&args));
        assert!(md.contains(r"\<script\>alert(1)\</script\>\<img src=x onerror=alert(2)\>\|\[x\](javascript:alert(3))"), "{md}");
        // Every `<` that reaches the Markdown is escaped, so no HTML tag can form.
        assert!(
            md.match_indices('<')
                .all(|(i, _)| i > 0 && md.as_bytes()[i - 1] == b'\\'),
            "an unescaped < in the Markdown"
        );
    }

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

#[test]
fn report_from_results_json_equals_report_from_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results.json");
    let out = onus(&[
        "evaluate",
        SAMPLE,
        "-f",
        "json",
        "-o",
        results.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&results).unwrap()).unwrap();
    let rules = json["rules"].as_object().unwrap();
    assert!(
        rules
            .values()
            .all(|r| r["risk"].as_str().is_some_and(|s| s.ends_with('.')))
    );
    for format in ["md", "html"] {
        let cover = [
            "--customer",
            "Acme Ltd",
            "--assessor",
            "J. Doe",
            "--title",
            "Cloud review",
        ];
        let mut a = vec!["report", SAMPLE, "-f", format];
        a.extend(cover);
        let mut b = vec!["report", results.to_str().unwrap(), "-f", format];
        b.extend(cover);
        let from_snapshot = stdout(&onus(&a));
        let from_results = stdout(&onus(&b));
        assert!(from_snapshot.contains("Acme Ltd") && from_snapshot.contains("J. Doe"));
        assert_eq!(from_snapshot, from_results, "{format} differs");
        // And `evaluate` writes the same report.
        let mut c = vec!["evaluate", SAMPLE, "-f", format];
        c.extend(cover);
        assert_eq!(stdout(&onus(&c)), from_snapshot);
    }
    // Baselines still read the (extended) results JSON.
    let baseline = dir.path().join("baseline.json");
    let out = onus(&[
        "baseline",
        "create",
        results.to_str().unwrap(),
        "-o",
        baseline.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn sample_markdown_report_is_as_reviewed() {
    let md = stdout(&onus(&[
        "report",
        SAMPLE,
        "-f",
        "md",
        "--customer",
        "Harbor Finch Ltd",
        "--assessor",
        "Jane Doe, Example Consulting",
    ]));
    insta::assert_snapshot!(md);
}

#[test]
fn report_sections_come_in_order_with_score_formula_and_plain_risks() {
    let md = stdout(&onus(&["report", SAMPLE, "-f", "md"]));
    let headings = [
        "## 1. Executive summary",
        "## 2. The shared responsibility matrix",
        "## 3. Layer by layer",
        "## 4. Privileged access",
        "## 5. Monitoring readiness",
        "## 6. Compliance",
        "### CIS Amazon Web Services Foundations Benchmark v7.0.0",
        "## 7. Remediation roadmap",
        "## 8. Appendix",
        "### Coverage gaps",
        "### Methodology",
    ];
    let positions: Vec<usize> = headings
        .iter()
        .map(|h| md.find(h).unwrap_or_else(|| panic!("no {h}")))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    assert!(md.contains("**How the score is computed.**"));
    // Five risks, each a sentence, none of them a rule id.
    let summary = &md[positions[0]..positions[1]];
    let risks: Vec<&str> = summary
        .lines()
        .filter(|l| l.len() > 3 && l.as_bytes()[0].is_ascii_digit() && l[1..].starts_with(". **"))
        .collect();
    assert_eq!(risks.len(), 5, "{summary}");
    for r in &risks {
        let sentence = r.split("**: ").nth(1).unwrap();
        let sentence = sentence.split(" (").next().unwrap();
        assert!(sentence.ends_with('.') && !sentence.contains("aws-"), "{r}");
    }
    // Privileged access: the analysis names the support user who can take over others.
    assert!(!md.contains("**Not assessed.**"));
    let privileged = &md[positions[3]..positions[4]];
    assert!(privileged.contains("helpdesk.svc"), "{privileged}");
    // Without a framework, no compliance section, and the later parts are numbered on.
    let md = stdout(&onus(&[
        "report",
        SAMPLE,
        "-f",
        "md",
        "--framework",
        "none",
    ]));
    assert!(
        !md.contains("Compliance"),
        "a compliance part without a framework"
    );
    assert!(md.contains("## 6. Remediation roadmap") && md.contains("## 7. Appendix"));
}

#[test]
fn bad_inputs_exit_2_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("report.html");
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        "{\"onus_version\": \"0.1.0\", \"results\": [\n  {\"rule\": 3}\n]}",
    )
    .unwrap();
    let out = onus(&[
        "report",
        bad.to_str().unwrap(),
        "-o",
        out_file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bad.json:"), "{}", stderr(&out));
    assert!(!out_file.exists());

    let logo = dir.path().join("logo.txt");
    std::fs::write(&logo, "not an image").unwrap();
    let out = onus(&[
        "report",
        SAMPLE,
        "--logo",
        logo.to_str().unwrap(),
        "-o",
        out_file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("logo.txt: not a PNG"),
        "{}",
        stderr(&out)
    );
    assert!(!out_file.exists());

    let results = dir.path().join("results.json");
    stdout(&onus(&[
        "evaluate",
        SAMPLE,
        "-f",
        "json",
        "-o",
        results.to_str().unwrap(),
    ]));
    let out = onus(&["report", results.to_str().unwrap(), "--matrix", "aws"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("microsoft-2017 matrix, not aws"),
        "{}",
        stderr(&out)
    );

    let pdf = dir.path().join("report.pdf");
    let out = support::run(
        &["report", SAMPLE, "-f", "pdf", "-o", pdf.to_str().unwrap()],
        None,
        &[("ONUS_CHROMIUM", "/nonexistent/chromium")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("ONUS_CHROMIUM=/nonexistent/chromium"),
        "{}",
        stderr(&out)
    );
    assert!(!pdf.exists());
}

#[test]
fn logo_is_embedded_as_a_data_uri() {
    let dir = tempfile::tempdir().unwrap();
    let logo = dir.path().join("logo.svg");
    std::fs::write(
        &logo,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"20\"><rect width=\"40\" height=\"20\" fill=\"#23406e\"/></svg>",
    )
    .unwrap();
    let html = stdout(&onus(&["report", SAMPLE, "--logo", logo.to_str().unwrap()]));
    assert!(
        html.contains("<img class=\"logo\" src=\"data:image&#x2f;svg+xml;base64,PHN2Zy"),
        "logo not embedded"
    );
    assert_only_own_scripts(&html);
}

fn chromium() -> Option<String> {
    if let Ok(path) = std::env::var("ONUS_CHROMIUM") {
        return Some(path);
    }
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|_| (*c).to_owned())
        });
    if found.is_none() {
        assert!(
            std::env::var("ONUS_SKIP_BROWSER_TESTS").is_ok(),
            "no chromium found: install it (apt-get install chromium), point ONUS_CHROMIUM at it, \
             or set ONUS_SKIP_BROWSER_TESTS=1 to skip this test knowingly"
        );
    }
    found
}

/// Runs headless Chromium on `url` with `args`; every request that is not the file itself goes
/// to a proxy that does not exist. Returns (stdout, stderr) after checking the log for console
/// messages, CSP violations and network requests.
fn browse(browser: &str, profile: &Path, url: &str, args: &[&str]) -> (String, String) {
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
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            "--proxy-server=127.0.0.1:9",
        ])
        .args(args)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(url)
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "chromium failed: {log}");
    for line in log.lines() {
        assert!(!line.contains("CONSOLE"), "console message: {line}");
        assert!(
            !line.contains("Content Security Policy"),
            "CSP violation: {line}"
        );
        assert!(!line.contains("net::ERR_"), "network request: {line}");
    }
    (String::from_utf8_lossy(&out.stdout).into_owned(), log)
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// "N of M results match" from the rendered DOM.
fn match_count(dom: &str) -> (usize, usize) {
    let text = dom
        .split("id=\"results-count\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap();
    let mut words = text.split(' ');
    let n = words.next().unwrap().parse().unwrap();
    let m = words.nth(1).unwrap().parse().unwrap();
    (n, m)
}

fn is_png(path: &Path) -> usize {
    let bytes = std::fs::read(path).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is not a PNG",
        path.display()
    );
    bytes.len()
}

/// Where screenshots are kept for a person to look at after the run.
fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn html_report_renders_offline_filters_and_prints_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.html");
    let out = onus(&[
        "report",
        SAMPLE,
        "-f",
        "html",
        "-o",
        report.to_str().unwrap(),
        "--customer",
        "Acme",
        "--assessor",
        "Jane Doe",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let html = std::fs::read_to_string(&report).unwrap();
    assert_only_own_scripts(&html);
    let Some(browser) = chromium() else {
        return;
    };
    let json: serde_json::Value =
        serde_json::from_slice(&onus(&["evaluate", SAMPLE, "-f", "json"]).stdout).unwrap();
    let results = json["results"].as_array().unwrap();

    // The whole report: the script ran (the appendix lists its first page) with no errors.
    let (dom, _) = browse(
        &browser,
        &dir.path().join("p1"),
        &file_url(&report),
        &["--dump-dom"],
    );
    assert!(
        dom.contains("The shared responsibility matrix"),
        "DOM lacks the matrix"
    );
    assert!(dom.contains("Prepared for <strong>Acme</strong>"));
    assert_eq!(match_count(&dom), (results.len(), results.len()));

    // A filter from the link: the count and every row shown match it.
    let expected = results
        .iter()
        .filter(|r| r["status"] == "fail" && r["severity"] == "high")
        .count();
    assert!(expected > 0);
    let filtered = format!("{}#results:status=fail&severity=high", file_url(&report));
    let (dom, _) = browse(&browser, &dir.path().join("p2"), &filtered, &["--dump-dom"]);
    assert_eq!(match_count(&dom), (expected, results.len()));
    let body = dom
        .split("id=\"results-body\">")
        .nth(1)
        .unwrap()
        .split("</tbody>")
        .next()
        .unwrap();
    assert_eq!(body.matches("<tr").count(), expected.min(50));
    assert_eq!(
        body.matches("class=\"status-fail\"").count(),
        expected.min(50)
    );
    assert_eq!(body.matches("sev sev-high").count(), expected.min(50));
    // Text search.
    let bucket = "harbor-finch-www";
    // What the page searches: the control, the resource, where, and (unless it passed) the message.
    let expected = results
        .iter()
        .filter(|r| {
            let res = &r["resource"];
            let mut fields = vec![
                r["rule"].as_str().unwrap(),
                json["rules"][r["rule"].as_str().unwrap()]["title"]
                    .as_str()
                    .unwrap(),
                res["name"].as_str().unwrap(),
                res["id"].as_str().unwrap(),
                res["account"].as_str().unwrap(),
                res["region"].as_str().unwrap_or(""),
            ];
            if r["status"] != "pass" {
                fields.push(r["message"].as_str().unwrap());
            }
            fields.iter().any(|f| f.to_lowercase().contains(bucket))
        })
        .count();
    let searched = format!("{}#results:q={bucket}", file_url(&report));
    let (dom, _) = browse(&browser, &dir.path().join("p3"), &searched, &["--dump-dom"]);
    assert_eq!(match_count(&dom), (expected, results.len()));

    // Screenshots, kept for a person to look at: the cover and matrix, and the filtered appendix.
    let shots = screenshot_dir();
    let cover = shots.join("cover-and-matrix.png");
    browse(
        &browser,
        &dir.path().join("p4"),
        &file_url(&report),
        &[
            "--window-size=1240,2400",
            &format!("--screenshot={}", cover.display()),
        ],
    );
    assert!(
        is_png(&cover) > 50_000,
        "the cover screenshot is nearly empty"
    );
    let appendix = shots.join("appendix-filtered.png");
    let filtered = format!("{}#results:status=fail&severity=high", file_url(&report));
    browse(
        &browser,
        &dir.path().join("p5"),
        &filtered,
        &[
            "--window-size=1240,1400",
            &format!("--screenshot={}", appendix.display()),
        ],
    );
    assert!(
        is_png(&appendix) > 30_000,
        "the appendix screenshot is nearly empty"
    );

    // PDF through onus itself: A4 pages, a sane count.
    let pdf = dir.path().join("report.pdf");
    let out = support::run(
        &[
            "report",
            SAMPLE,
            "-f",
            "pdf",
            "-o",
            pdf.to_str().unwrap(),
            "--customer",
            "Acme",
        ],
        None,
        &[("ONUS_CHROMIUM", &browser)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let text = String::from_utf8_lossy(&bytes);
    let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
    eprintln!("the sample report prints to {pages} A4 pages");
    assert!((10..=250).contains(&pages), "{pages} pages");
    assert!(
        text.contains("/MediaBox [0 0 594.95996 841.91998]") || text.contains("/MediaBox [0 0 595"),
        "not A4"
    );
}

#[test]
fn hostile_report_stays_inert_in_chromium() {
    let Some(browser) = chromium() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let snap = hostile_snapshot(dir.path());
    let report = dir.path().join("hostile.html");
    stdout(&onus(&[
        "report",
        snap.to_str().unwrap(),
        "-o",
        report.to_str().unwrap(),
    ]));
    let url = format!("{}#results:q=onerror", file_url(&report));
    let (dom, _) = browse(&browser, &dir.path().join("p"), &url, &["--dump-dom"]);
    // The name is listed, as text, and nothing it carries became an element.
    assert!(match_count(&dom).0 > 0);
    assert!(
        dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;")
    );
    assert!(!dom.contains("<img src=\"x\""));
}

/// A snapshot of the sample account with `buckets` copies of its first bucket.
fn large_snapshot(dir: &Path, buckets: usize) -> PathBuf {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SAMPLE)).unwrap();
    let mut snap: serde_json::Value = serde_json::from_str(&text).unwrap();
    let s3 = &mut snap["aws"]["accounts"][0]["s3"];
    let template = s3["buckets"][0].clone();
    let list: Vec<serde_json::Value> = (0..buckets)
        .map(|i| {
            let mut b = template.clone();
            let name = format!("load-test-bucket-{i:06}");
            b["arn"] = format!("arn:aws:s3:::{name}").into();
            b["name"] = name.into();
            b
        })
        .collect();
    s3["buckets"] = list.into();
    let path = dir.join("large.json");
    std::fs::write(&path, serde_json::to_string(&snap).unwrap()).unwrap();
    path
}

#[test]
fn a_100k_result_report_stays_under_20_mb_and_filters_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let snap = large_snapshot(dir.path(), 12_600);
    let results = dir.path().join("results.json");
    let out = onus(&[
        "evaluate",
        snap.to_str().unwrap(),
        "-f",
        "json",
        "-o",
        results.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&results).unwrap()).unwrap();
    let total = json["results"].as_array().unwrap().len();
    assert!(total >= 100_000, "only {total} results");

    let report = dir.path().join("large.html");
    let started = std::time::Instant::now();
    let out = onus(&[
        "report",
        results.to_str().unwrap(),
        "-o",
        report.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let elapsed = started.elapsed();
    let size = std::fs::metadata(&report).unwrap().len();
    eprintln!("{total} results: {size} bytes of HTML in {elapsed:?}");
    assert!(size <= 20 * 1024 * 1024, "{size} bytes");

    let Some(browser) = chromium() else {
        return;
    };
    let one = "load-test-bucket-004321";
    let expected = json["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["resource"]["name"] == one)
        .count();
    assert!(expected > 0);
    let url = format!("{}#results:q={one}", file_url(&report));
    let started = std::time::Instant::now();
    let (dom, _) = browse(&browser, &dir.path().join("p"), &url, &["--dump-dom"]);
    eprintln!("chromium loaded and filtered it in {:?}", started.elapsed());
    assert_eq!(match_count(&dom), (expected, total));
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
    // The report's own script elements (its data block and its hash-allowed script) are the
    // only ones: as many as in the report of the benign sample.
    let benign = stdout(&onus(&["report", SAMPLE, "-f", "html"])).to_lowercase();
    assert_eq!(
        lower.matches("<script").count(),
        benign.matches("<script").count(),
        "<script reached the HTML"
    );
    for element in [
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
    assert_eq!(
        dom.to_lowercase().matches("<script").count(),
        benign.matches("<script").count(),
        "the DOM has a <script of the account's"
    );
    for element in ["<img", "<iframe", "<link", "<style>@import"] {
        assert!(
            !dom.to_lowercase().contains(element),
            "the DOM has {element}"
        );
    }
    // Shown literally: the DOM holds each payload as text (the serialiser escapes < and >),
    // with direction overrides flattened to U+FFFD so they cannot reorder what follows.
    let bidi = |c: char| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    let as_text = |p: &str| {
        p.chars()
            .map(|c| if bidi(c) { '\u{fffd}' } else { c })
            .collect::<String>()
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    assert!(
        !dom.chars().any(bidi),
        "a direction override reached the page"
    );
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

#[test]
fn privileged_access_lists_the_first_fifty_identities_and_says_how_many_more() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SAMPLE)).unwrap();
    let mut snap: serde_json::Value = serde_json::from_str(&text).unwrap();
    let roles = snap["aws"]["accounts"][0]["iam"]["roles"]
        .as_array_mut()
        .unwrap();
    let admin = roles
        .iter()
        .find(|r| r["name"] == "hf-admin")
        .unwrap()
        .clone();
    for i in 0..120 {
        let mut r = admin.clone();
        let name = format!("break-glass-{i:03}");
        r["arn"] = format!("arn:aws:iam::111122223333:role/{name}").into();
        r["id"] = format!("AROABREAKGLASS{i:06}").into();
        r["name"] = name.into();
        roles.push(r);
    }
    let path = dir.path().join("many-admins.json");
    std::fs::write(&path, serde_json::to_string(&snap).unwrap()).unwrap();

    // Every identity is in the results JSON.
    let results = dir.path().join("results.json");
    let out = onus(&[
        "evaluate",
        path.to_str().unwrap(),
        "-f",
        "json",
        "-o",
        results.to_str().unwrap(),
    ]);
    assert!(out.status.code().is_some_and(|c| c < 2), "{}", stderr(&out));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&results).unwrap()).unwrap();
    let total = json["privileged"]["identities"].as_array().unwrap().len();
    assert!(total > 120, "{total} privileged identities");

    // The human reports show fifty, most dangerous first, and say how many more there are.
    for (format, heading) in [("md", "\n### Role "), ("html", "<h3>Role ")] {
        let report = dir.path().join(format!("report.{format}"));
        let out = onus(&[
            "report",
            results.to_str().unwrap(),
            "--format",
            format,
            "-o",
            report.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let text = std::fs::read_to_string(&report).unwrap();
        let users = text.matches(&heading.replace("Role", "User")).count();
        assert_eq!(text.matches(heading).count() + users, 50, "{format}");
        assert!(
            text.contains(&format!("nd {} more privileged identities", total - 50)),
            "{format}"
        );
    }
}

/// A results document as onus wrote it before documents carried a version: no
/// `results_version`, and each account's monitoring in AWS's terms.
fn as_version_1(doc: &serde_json::Value) -> serde_json::Value {
    let scanned: Vec<String> = doc["snapshot"]["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_owned())
        .collect();
    let mut doc = doc.clone();
    let top = doc.as_object_mut().unwrap();
    top.remove("results_version");
    let privileged = top["privileged"].as_object_mut().unwrap();
    privileged.remove("monitoring");
    for account in privileged["accounts"].as_array_mut().unwrap() {
        let controls = account["controls"].as_array().unwrap().clone();
        let a = account.as_object_mut().unwrap();
        a.remove("controls");
        if a["unknown"].is_string() {
            a.insert(
                "multi_region_trail_validated".into(),
                serde_json::Value::Null,
            );
            a.insert("guardduty_missing_regions".into(), serde_json::json!([]));
            a.insert("guardduty_enabled_regions".into(), serde_json::json!([]));
            continue;
        }
        a.insert(
            "multi_region_trail_validated".into(),
            (controls[0]["state"] == "present").into(),
        );
        let missing: Vec<String> = controls[1]["summary"]
            .as_str()
            .unwrap()
            .strip_prefix("off in ")
            .map(|r| r.split(", ").map(str::to_owned).collect())
            .unwrap_or_default();
        let enabled: Vec<&String> = scanned.iter().filter(|r| !missing.contains(r)).collect();
        a.insert(
            "guardduty_missing_regions".into(),
            serde_json::json!(missing),
        );
        a.insert(
            "guardduty_enabled_regions".into(),
            serde_json::json!(enabled),
        );
    }
    doc
}

#[test]
fn results_of_version_1_are_read_and_other_versions_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    // The sample, whose GuardDuty could not be read, and the sample as it would be had it been
    // read: GuardDuty off in its regions.
    let mut known: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(SAMPLE).unwrap()).unwrap();
    known["coverage_gaps"]
        .as_array_mut()
        .unwrap()
        .retain(|g| g["kind"] != "aws.guardduty.region");
    let known_path = dir.path().join("known.json");
    std::fs::write(&known_path, serde_json::to_string(&known).unwrap()).unwrap();
    let mut states = Vec::new();
    for (name, snapshot) in [("sample", SAMPLE), ("known", known_path.to_str().unwrap())] {
        let out = onus(&["evaluate", snapshot, "-f", "json"]);
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["results_version"], 2);
        states.push(doc["privileged"]["accounts"][0]["controls"][1]["state"].clone());
        let v1 = dir.path().join(format!("{name}-v1.json"));
        std::fs::write(
            &v1,
            serde_json::to_string_pretty(&as_version_1(&doc)).unwrap(),
        )
        .unwrap();
        let v2 = dir.path().join(format!("{name}-v2.json"));
        std::fs::write(&v2, &out.stdout).unwrap();
        for format in ["md", "html"] {
            let old = stdout(&onus(&["report", v1.to_str().unwrap(), "-f", format]));
            let new = stdout(&onus(&["report", v2.to_str().unwrap(), "-f", format]));
            assert_eq!(
                old, new,
                "{name}, {format}: a version 1 document reports differently"
            );
        }
        let out = onus(&["diff", v1.to_str().unwrap(), v2.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("0 new, 0 resolved"),
            "{}",
            stderr(&out)
        );

        let mut v3 = doc.clone();
        v3["results_version"] = 3.into();
        v3["results"] = "grouped differently".into();
        let v3_path = dir.path().join("v3.json");
        std::fs::write(&v3_path, serde_json::to_string(&v3).unwrap()).unwrap();
        for args in [
            vec!["report", v3_path.to_str().unwrap()],
            vec![
                "baseline",
                "create",
                v3_path.to_str().unwrap(),
                "-o",
                "/dev/null",
            ],
            vec!["diff", v3_path.to_str().unwrap(), v2.to_str().unwrap()],
        ] {
            let out = onus(&args);
            assert_eq!(out.status.code(), Some(2), "{args:?}");
            assert!(
                stderr(&out).contains(
                    "results_version 3 is not supported by this onus (it reads versions 1 and 2)"
                ),
                "{args:?}: {}",
                stderr(&out)
            );
        }
    }
    assert_eq!(
        states,
        ["not-assessed", "missing"],
        "both paths are exercised"
    );
}
