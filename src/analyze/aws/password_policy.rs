//! The view of an account's IAM password policy.

use serde_json::{Map, Value as Json, json};

use crate::analyze::fields::to_map;
use crate::snapshot::PasswordPolicy;

/// The password policy view: `configured` plus the policy's fields (null when unconfigured).
pub fn view(policy: Option<&PasswordPolicy>) -> Map<String, Json> {
    let mut data = to_map(&policy.cloned().unwrap_or_default());
    if policy.is_none() {
        for v in data.values_mut() {
            *v = Json::Null;
        }
    }
    data.insert("configured".into(), json!(policy.is_some()));
    data
}
