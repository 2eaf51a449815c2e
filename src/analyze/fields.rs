//! Field maps: a value's serialised fields, as rules read them; and the declaration of a field
//! a view derives.

use serde::Serialize;
use serde_json::{Map, Value as Json};

/// The fields of `value` (which serialises as an object), by name.
pub fn to_map<T: Serialize>(value: &T) -> Map<String, Json> {
    match serde_json::to_value(value) {
        Ok(Json::Object(map)) => map,
        _ => Map::new(),
    }
}

/// A field a view derives (it is not in the snapshot as such): its name and what it means,
/// declared once where it is computed, and listed by the kind catalogue (`onus kinds`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub doc: &'static str,
}
