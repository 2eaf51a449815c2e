//! The rule engine: loads and validates rules, then evaluates them over a snapshot's
//! inventory in parallel, yielding exactly one result per applicable (rule, resource).

mod evaluate;
pub mod fixtures;
mod gaps;
mod helpers;
mod issue;
mod order;
mod rule;
#[cfg(test)]
pub(crate) mod sample;
mod tri;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use evaluate::{EvalError, Evaluation, evaluate, evaluate_rules};
pub use issue::EvalIssue;
pub use rule::{Effort, Rule, RuleError, RuleSource};

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// Everything that can go wrong loading rules.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{0}")]
    Rule(#[from] RuleError),
    #[error("{0}: cannot read rules: {1}")]
    Io(PathBuf, std::io::Error),
    #[error("duplicate rule id `{id}`: defined in {first} and in {second}")]
    Duplicate {
        id: String,
        first: String,
        second: String,
    },
    #[error("{0}: no rule files (*.yaml) found")]
    Empty(PathBuf),
}

/// A validated set of rules, sorted by id.
#[derive(Debug)]
pub struct RuleSet {
    rules: Vec<Rule>,
}

impl RuleSet {
    /// The rules built into the binary.
    pub fn builtin() -> Result<RuleSet, LoadError> {
        let mut set = RuleSet { rules: Vec::new() };
        for (path, text) in BUILTIN_RULES {
            set.add(Rule::parse(&format!("rules/{path}"), text)?)?;
        }
        set.sort();
        Ok(set)
    }

    /// Rules from `*.yaml` files under `dir`, recursively.
    pub fn from_dir(dir: &Path) -> Result<RuleSet, LoadError> {
        let mut files = Vec::new();
        collect_yaml(dir, &mut files)?;
        if files.is_empty() {
            return Err(LoadError::Empty(dir.to_owned()));
        }
        files.sort();
        let mut set = RuleSet { rules: Vec::new() };
        for file in files {
            let text =
                std::fs::read_to_string(&file).map_err(|e| LoadError::Io(file.clone(), e))?;
            set.add(Rule::parse(&file.to_string_lossy(), &text)?)?;
        }
        set.sort();
        Ok(set)
    }

    /// Adds another set's rules; ids must stay unique.
    pub fn extend(&mut self, other: RuleSet) -> Result<(), LoadError> {
        for rule in other.rules {
            self.add(rule)?;
        }
        self.sort();
        Ok(())
    }

    fn add(&mut self, rule: Rule) -> Result<(), LoadError> {
        if let Some(existing) = self.rules.iter().find(|r| r.id == rule.id) {
            return Err(LoadError::Duplicate {
                id: rule.id,
                first: existing.source.to_string(),
                second: rule.source.to_string(),
            });
        }
        self.rules.push(rule);
        Ok(())
    }

    fn sort(&mut self) {
        self.rules.sort_by(|a, b| a.id.cmp(&b.id));
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Only the rules on `provider`'s resource kinds: a report on an AWS account neither
    /// lists nor counts the Azure rules, and the other way round.
    pub fn for_provider(mut self, provider: crate::snapshot::Provider) -> RuleSet {
        let prefix = format!("{}.", provider.as_str());
        self.rules.retain(|r| r.kind.name.starts_with(&prefix));
        self
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Adds a reference (a benchmark requirement the rule implements) to rule `id`, once.
    pub fn cite(&mut self, id: &str, reference: String) {
        if let Some(rule) = self.rules.iter_mut().find(|r| r.id == id)
            && !rule.references.contains(&reference)
        {
            rule.references.push(reference);
        }
    }

    /// Keeps only the rules whose id is in `ids`.
    pub fn retain(&mut self, ids: &[&str]) {
        self.rules.retain(|r| ids.contains(&r.id.as_str()));
    }

    /// Rules by id, for renderers.
    pub fn by_id(&self) -> BTreeMap<&str, &Rule> {
        self.rules.iter().map(|r| (r.id.as_str(), r)).collect()
    }
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let entries = std::fs::read_dir(dir).map_err(|e| LoadError::Io(dir.to_owned(), e))?;
    for entry in entries {
        let path = entry.map_err(|e| LoadError::Io(dir.to_owned(), e))?.path();
        if path.is_dir() {
            collect_yaml(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
    Ok(())
}
