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
