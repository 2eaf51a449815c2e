//! Test support: snapshots whose account-controlled strings are hostile.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// Writes `dir/hostile.json`: a snapshot whose attacker-controlled strings (a user's name and
/// its `owner` tag) are `name`.
pub fn snapshot(dir: &Path, name: &str) -> PathBuf {
    let name_json = serde_json::to_string(name).unwrap();
    let text = format!(
        r#"{{
  "schema_version": 1, "provider": "aws", "accounts": ["111122223333"], "regions": [],
  "collected_at": "2026-11-01T00:00:00Z", "collector": {{"name": "test", "version": "1"}},
  "aws": {{"accounts": [{{
    "account_id": "111122223333",
    "iam": {{
      "root": {{"arn": "arn:aws:iam::111122223333:root", "mfa_active": false, "virtual_mfa": false, "password_enabled": true, "password_last_used": null, "access_keys": []}},
      "users": [{{
        "name": {name_json}, "arn": "arn:aws:iam::111122223333:user/x", "id": "AIDAX", "path": "/",
        "created": "2025-01-01T00:00:00Z", "password_enabled": true, "password_last_used": null,
        "password_last_changed": null, "mfa_devices": [], "access_keys": [], "groups": [],
        "attached_policies": [], "inline_policies": [], "permissions_boundary": null,
        "tags": {{"owner": {name_json}}}
      }}]
    }},
    "s3": {{"account_public_access_block": null}}
  }}]}}
}}"#
    );
    let path = dir.join("hostile.json");
    std::fs::write(&path, text).unwrap();
    path
}

/// Strings a scanned account can hold that attack whoever reads the report: markup that runs
/// script if it is ever parsed as HTML (each would mark the page `data-pwned`), links with a
/// `javascript:` URL, Markdown and table injection, control characters, a right-to-left
/// override, and a 100 KB name. `{leak}` stands for a URL the test listens on.
pub fn payloads(leak: &str) -> Vec<String> {
    vec![
        "<script>document.documentElement.setAttribute('data-pwned','script')</script>".into(),
        "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','img')\">".into(),
        "<a href=\"javascript:document.documentElement.setAttribute('data-pwned','link')\">x</a>"
            .into(),
        format!("<img src=\"{leak}/img\"><link rel=stylesheet href=\"{leak}/css\">"),
        format!("<style>@import url({leak}/import);</style><iframe src=\"{leak}/frame\"></iframe>"),
        "[click me](javascript:alert(1)) ![x](http://example.invalid/x.png)".into(),
        "name\n| forged | row |\n| --- | --- |\n# forged heading".into(),
        "ctl\u{0}\u{7}\u{1b}[31mred\u{1b}[0m\u{8}\r\n".into(),
        "\u{202e}txt.exe\u{202c} and \u{2067}isolate".into(),
        format!("{}<b>end</b>", "A".repeat(100 * 1024)),
        "=HYPERLINK(\"http://example.invalid\",\"x\")".into(),
    ]
}

/// Writes `dir/hostile-sample.json`: the demo snapshot with every IAM user's and bucket's
/// name, their tags, and a statement id of each managed policy replaced by `payloads`
/// (cycling). The demo's users and buckets all have failing results, so every payload
/// reaches the reports.
pub fn sample_with(dir: &Path, payloads: &[String]) -> PathBuf {
    let mut doc: serde_json::Value =
        serde_json::from_str(include_str!("../../samples/aws-demo.snapshot.json")).unwrap();
    let account = &mut doc["aws"]["accounts"][0];
    let mut next = payloads.iter().cycle();
    for user in account["iam"]["users"].as_array_mut().unwrap() {
        let p = next.next().unwrap();
        user["name"] = p.as_str().into();
        user["tags"] = serde_json::json!({ "owner": p });
    }
    for bucket in account["s3"]["buckets"].as_array_mut().unwrap() {
        let p = next.next().unwrap();
        bucket["name"] = p.as_str().into();
        bucket["tags"] = serde_json::json!({ "note": p });
    }
    for policy in account["iam"]["policies"].as_array_mut().unwrap() {
        if let Some(statement) = policy["document"]["Statement"].get_mut(0) {
            statement["Sid"] = next.next().unwrap().as_str().into();
        }
    }
    let path = dir.join("hostile-sample.json");
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    path
}
