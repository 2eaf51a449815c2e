//! The single-file HTML report (templates/report.html.j2): inline CSS, SVG and one inline
//! script (allowed by its hash in the Content-Security-Policy), the appendix's results as one
//! JSON data block, no network.

use minijinja::Value;
use minijinja::value::Serde;
use sha2::{Digest, Sha256};

use super::logo::base64;
use super::{RenderError, Report, templates};

/// The appendix's filter and pagination, and the print view's failure list.
const SCRIPT: &str = include_str!("../../templates/report.js");

/// The CSP source that allows exactly `script`: `'sha256-…'` of its bytes.
fn script_source(script: &str) -> String {
    let digest = Sha256::digest(script.as_bytes());
    format!("'sha256-{}'", base64(digest.as_slice()))
}

/// JSON made safe inside a `<script type="application/json">` element: nothing in it can close
/// the element or open a comment, and line separators stay escaped.
fn json_for_script(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + 64);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            // The appendix shows names as text: no override may reorder what follows them.
            c if templates::is_bidi_control(c) => out.push_str("\\ufffd"),
            c => out.push(c),
        }
    }
    out
}

pub fn render(report: &Report<'_>) -> Result<String, RenderError> {
    let appendix = json_for_script(&serde_json::to_string(&report.appendix)?);
    let ctx = minijinja::context! {
        appendix_json => Value::from_safe_string(appendix),
        script => Value::from_safe_string(SCRIPT.to_owned()),
        script_source => Value::from_safe_string(script_source(SCRIPT)),
        ..Value::from(Serde(report))
    };
    templates::render("report.html.j2", ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_in_a_script_element_cannot_close_it() {
        let json = serde_json::to_string("</script><!-- & \u{2028}").unwrap_or_default();
        let safe = json_for_script(&json);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        let back: String = serde_json::from_str(&safe).unwrap_or_default();
        assert_eq!(back, "</script><!-- & \u{2028}");
    }

    #[test]
    fn script_source_is_the_base64_sha256_of_the_script() {
        // printf 'abc' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            script_source("abc"),
            "'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='"
        );
    }
}
