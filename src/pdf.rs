//! `--format pdf`: the HTML report printed to PDF by a headless Chromium, found through
//! `ONUS_CHROMIUM` or on the PATH.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long Chromium may take to print one report.
const TIMEOUT: Duration = Duration::from_secs(180);

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "--format pdf needs Chromium, and none was found: install it (for example `apt-get install chromium`), \
         set ONUS_CHROMIUM to its path, or write --format html and use the browser's Save as PDF"
    )]
    NoChromium,
    #[error("ONUS_CHROMIUM={0} does not run")]
    BadChromium(String),
    #[error("cannot prepare a directory for Chromium under {path}")]
    TempDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot run {browser}")]
    Spawn {
        browser: String,
        source: std::io::Error,
    },
    #[error("{browser} did not print the report within {} seconds", TIMEOUT.as_secs())]
    Timeout { browser: String },
    #[error("{browser} failed to print the report: {stderr}")]
    Failed { browser: String, stderr: String },
}

fn runs(browser: &str) -> bool {
    Command::new(browser)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The Chromium to use: `ONUS_CHROMIUM`, else the first of the usual names on the PATH.
pub fn find_chromium() -> Result<String, PdfError> {
    if let Some(path) = std::env::var_os("ONUS_CHROMIUM") {
        let path = path.to_string_lossy().into_owned();
        return if runs(&path) {
            Ok(path)
        } else {
            Err(PdfError::BadChromium(path))
        };
    }
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .find(|b| runs(b))
    .map(|b| (*b).to_owned())
    .ok_or(PdfError::NoChromium)
}

/// A private directory removed when dropped.
struct WorkDir(PathBuf);

impl WorkDir {
    fn new() -> Result<WorkDir, PdfError> {
        let base = std::env::temp_dir();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = base.join(format!("onus-pdf-{}-{nanos}", std::process::id()));
        std::fs::create_dir(&path).map_err(|source| PdfError::TempDir {
            path: base.clone(),
            source,
        })?;
        Ok(WorkDir(path))
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Prints `html` to PDF and returns the PDF's bytes. Chromium gets a fresh profile and a proxy
/// that goes nowhere, so the report cannot reach the network even if it tried.
pub fn print(html: &str) -> Result<Vec<u8>, PdfError> {
    let browser = find_chromium()?;
    let dir = WorkDir::new()?;
    let temp = |source| PdfError::TempDir {
        path: dir.0.clone(),
        source,
    };
    let page = dir.0.join("report.html");
    std::fs::write(&page, html).map_err(temp)?;
    let pdf = dir.0.join("report.pdf");
    let log_path = dir.0.join("chromium.log");
    let log = std::fs::File::create(&log_path).map_err(temp)?;
    let mut child = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--proxy-server=127.0.0.1:9",
            "--no-pdf-header-footer",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.0.join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(file_url(&page))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .map_err(|source| PdfError::Spawn {
            browser: browser.clone(),
            source,
        })?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(PdfError::Timeout { browser });
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(source) => return Err(PdfError::Spawn { browser, source }),
        }
    };
    let stderr = std::fs::read_to_string(&log_path).unwrap_or_default();
    match std::fs::read(&pdf) {
        Ok(bytes) if status.success() && bytes.starts_with(b"%PDF-") => Ok(bytes),
        _ => Err(PdfError::Failed {
            browser,
            stderr: stderr.lines().rev().take(5).collect::<Vec<_>>().join(" | "),
        }),
    }
}

fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.' | b'_' | b'~') {
            url.push(char::from(b));
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}
