//! A result as the report lists it under a control: the resource and what onus found.

use serde::Serialize;

use crate::finding::Finding;

/// How many resources a section lists per control before pointing to the appendix.
pub const RESOURCE_LIMIT: usize = 25;

#[derive(Debug, Serialize)]
pub struct ResourceLine {
    pub name: String,
    pub id: String,
    pub kind: String,
    pub region: Option<String>,
    pub account: String,
    pub message: String,
}

pub fn line(f: &Finding) -> ResourceLine {
    ResourceLine {
        name: f.resource.name.clone(),
        id: f.resource.id.clone(),
        kind: f.resource.kind.clone(),
        region: f.resource.region.clone(),
        account: f.resource.account.clone(),
        message: f.message.clone(),
    }
}
