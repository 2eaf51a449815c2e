//! A rule's benchmark citations come from the frameworks, not from the rule: the requirement
//! ids are written once, in `frameworks/`, and every rule that implements one cites it.

use super::framework::Framework;
use crate::engine::RuleSet;

/// Adds to each rule of `rules` the requirements of `framework` it implements:
/// "CIS Amazon Web Services Foundations Benchmark v7.0.0, 2.4" ("…, 2.14, in part" where the
/// rule covers part of the requirement).
pub fn cite(rules: &mut RuleSet, framework: &Framework) {
    let name = framework.name();
    for requirement in &framework.requirements {
        let part = if requirement.partial.is_some() {
            ", in part"
        } else {
            ""
        };
        for rule in &requirement.rules {
            rules.cite(rule, format!("{name}, {}{part}", requirement.id));
        }
    }
}
