//! Field maps: a value's serialised fields, as rules read them.

use serde::Serialize;
use serde_json::{Map, Value as Json};

/// The fields of `value` (which serialises as an object), by name.
pub fn to_map<T: Serialize>(value: &T) -> Map<String, Json> {
    match serde_json::to_value(value) {
        Ok(Json::Object(map)) => map,
        _ => Map::new(),
    }
}
