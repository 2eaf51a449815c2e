//! Derived facts: resource views with cross-resource joins, the policy language, and network
//! exposure. Pure code: no I/O.

pub mod azure;
pub mod iam;
pub mod inventory;
pub mod kinds;
pub mod network;
pub mod privileged;

pub use inventory::{Resource, inventory};
pub use kinds::Kind;
