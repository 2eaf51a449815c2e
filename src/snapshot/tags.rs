//! Resource tags, as AWS records them: key to value.

use std::collections::BTreeMap;

pub type Tags = BTreeMap<String, String>;
