//! A resource as rules see it: kind, id, name, place and a field map that is built only when
//! something reads it ([`Pending::build`]), so evaluation can build, read and drop each map in
//! parallel instead of holding every map of a snapshot at once.

use serde_json::{Map, Value as Json};

use super::kinds::{self, Kind};

/// One resource as rules see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub kind: &'static Kind,
    /// An ARN where the provider has one, otherwise a stable, unique identifier.
    pub id: String,
    /// What a person calls it: the `Name` tag, the resource name, or the id.
    pub name: String,
    pub account: String,
    pub region: Option<String>,
    /// The fields rules read (see `onus kinds` for the list per kind).
    pub data: Map<String, Json>,
}

/// Builds a resource's field map.
type BuildFields<'s> = Box<dyn FnOnce() -> Map<String, Json> + Send + 's>;

/// A resource whose place and names are known and whose field map is built on demand.
pub struct Pending<'s> {
    pub kind: &'static Kind,
    pub id: String,
    pub name: String,
    pub account: &'s str,
    pub region: Option<&'s str>,
    fields: BuildFields<'s>,
}

impl Pending<'_> {
    /// The resource with its field map.
    pub fn build(self) -> Resource {
        Resource {
            kind: self.kind,
            id: self.id,
            name: self.name,
            account: self.account.to_owned(),
            region: self.region.map(str::to_owned),
            data: (self.fields)(),
        }
    }
}

impl std::fmt::Debug for Pending<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("kind", &self.kind.name)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Adds resources of one account to a list.
pub struct Push<'o, 's> {
    pub out: &'o mut Vec<Pending<'s>>,
    pub account: &'s str,
}

impl<'s> Push<'_, 's> {
    /// Adds a resource whose field map `fields` builds.
    pub fn add(
        &mut self,
        kind: &str,
        id: String,
        name: String,
        region: Option<&'s str>,
        fields: impl FnOnce() -> Map<String, Json> + Send + 's,
    ) {
        let kind = kinds::get(kind).unwrap_or_else(|| unreachable_kind(kind));
        self.out.push(Pending {
            kind,
            id,
            name,
            account: self.account,
            region,
            fields: Box::new(fields),
        });
    }
}

#[allow(clippy::panic)]
fn unreachable_kind(kind: &str) -> ! {
    // The inventory only names kinds from the catalogue; a typo here is a programming error
    // caught by the inventory tests.
    panic!("inventory uses kind {kind} that is not in the catalogue")
}
