//! A compliance framework as data (`frameworks/*.yaml`): every requirement of a benchmark,
//! with its section, title, profile level and how the benchmark assesses it, mapped to the
//! rules that implement it or saying what a person checks. Loaded strictly: unknown fields,
//! unknown rules, unknown sections and duplicate requirements are refused with their position.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use crate::snapshot::Provider;

include!(concat!(env!("OUT_DIR"), "/builtin_frameworks.rs"));

/// A framework that cannot be loaded, with its file and position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct FrameworkError {
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
}

/// How the benchmark itself says a requirement is assessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Assessment {
    Automated,
    Manual,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Framework {
    pub id: String,
    pub title: String,
    pub version: String,
    pub provider: Provider,
    pub url: String,
    pub sections: Vec<Section>,
    pub requirements: Vec<Requirement>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Requirement {
    pub id: String,
    pub section: String,
    pub title: String,
    /// The profile level (1 or 2).
    pub level: u8,
    pub assessment: Assessment,
    /// The rules that implement it: a failure of any is a failure of the requirement.
    pub rules: Vec<String>,
    /// What those rules do not check, when they cover it in part.
    pub partial: Option<String>,
    /// What a person checks, where onus checks nothing.
    pub check: Option<String>,
    /// Why onus reads nothing of it (a service it does not collect).
    pub out_of_scope: Option<String>,
}

impl Framework {
    /// `{title} v{version}`, as a citation names it.
    pub fn name(&self) -> String {
        format!("{} v{}", self.title, self.version)
    }

    pub fn section(&self, id: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.id == id)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrameworkFile {
    id: Spanned<String>,
    title: String,
    version: String,
    provider: Provider,
    url: String,
    sections: Vec<Section>,
    requirements: Vec<RequirementFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequirementFile {
    id: Spanned<String>,
    section: Spanned<String>,
    title: String,
    level: u8,
    assessment: Assessment,
    rules: Vec<Spanned<String>>,
    #[serde(default)]
    partial: Option<String>,
    #[serde(default)]
    check: Option<String>,
    #[serde(default)]
    out_of_scope: Option<String>,
}

impl Framework {
    /// Parses and checks one framework file; `known` says which rule ids exist.
    pub fn parse(
        file: &str,
        text: &str,
        known: &dyn Fn(&str) -> bool,
    ) -> Result<Framework, FrameworkError> {
        let at = |line: u64, column: u64, message: String| FrameworkError {
            file: file.to_owned(),
            line,
            column,
            message,
        };
        let spanned = |s: &Spanned<String>, message: String| {
            at(s.referenced.line(), s.referenced.column(), message)
        };
        let raw: FrameworkFile =
            crate::yaml::from_str(text).map_err(|e| at(e.line, e.column, e.message))?;
        let stem = std::path::Path::new(file)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if raw.id.value != stem {
            return Err(spanned(
                &raw.id,
                format!(
                    "framework id `{}` differs from its file name `{stem}`",
                    raw.id.value
                ),
            ));
        }
        let sections: BTreeSet<&str> = raw.sections.iter().map(|s| s.id.as_str()).collect();
        if sections.len() != raw.sections.len() {
            return Err(at(1, 1, "a section is listed twice".into()));
        }
        let mut seen = BTreeSet::new();
        let mut requirements = Vec::with_capacity(raw.requirements.len());
        for r in raw.requirements {
            if !seen.insert(r.id.value.clone()) {
                return Err(spanned(
                    &r.id,
                    format!("requirement {} is listed twice", r.id.value),
                ));
            }
            if !sections.contains(r.section.value.as_str()) {
                return Err(spanned(
                    &r.section,
                    format!(
                        "requirement {} is in section {}, which `sections` does not list",
                        r.id.value, r.section.value
                    ),
                ));
            }
            if !(1..=2).contains(&r.level) {
                return Err(spanned(
                    &r.id,
                    format!(
                        "requirement {}: level {} is not 1 or 2",
                        r.id.value, r.level
                    ),
                ));
            }
            if let Some(rule) = r.rules.iter().find(|rule| !known(&rule.value)) {
                return Err(spanned(
                    rule,
                    format!("no rule `{}`; `onus rules list` lists them", rule.value),
                ));
            }
            let id = &r.id.value;
            match (r.rules.is_empty(), &r.partial, &r.check) {
                (true, Some(_), _) => {
                    return Err(spanned(
                        &r.id,
                        format!(
                            "requirement {id}: `partial` says what its rules miss, but it has none"
                        ),
                    ));
                }
                (true, _, None) => {
                    return Err(spanned(
                        &r.id,
                        format!(
                            "requirement {id} has no rule: `check` must say what a person checks"
                        ),
                    ));
                }
                _ => {}
            }
            if r.out_of_scope.is_some() && !r.rules.is_empty() {
                return Err(spanned(
                    &r.id,
                    format!("requirement {id} is out of scope but names rules"),
                ));
            }
            requirements.push(Requirement {
                id: r.id.value,
                section: r.section.value,
                title: r.title,
                level: r.level,
                assessment: r.assessment,
                rules: r.rules.into_iter().map(|s| s.value).collect(),
                partial: r.partial,
                check: r.check,
                out_of_scope: r.out_of_scope,
            });
        }
        Ok(Framework {
            id: raw.id.value,
            title: raw.title,
            version: raw.version,
            provider: raw.provider,
            url: raw.url,
            sections: raw.sections,
            requirements,
        })
    }

    /// The frameworks built into the binary, checked against the rule ids `known`.
    pub fn builtin(known: &dyn Fn(&str) -> bool) -> Result<Vec<Framework>, FrameworkError> {
        BUILTIN_FRAMEWORKS
            .iter()
            .map(|(path, text)| Framework::parse(&format!("frameworks/{path}"), text, known))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "id: f\ntitle: F\nversion: 1.0.0\nprovider: aws\nurl: https://example.com\nsections:\n  - id: \"1\"\n    title: One\nrequirements:\n  - id: \"1.1\"\n    section: \"1\"\n    title: A\n    level: 1\n    assessment: automated\n    rules: [r1]\n  - id: \"1.2\"\n    section: \"1\"\n    title: B\n    level: 2\n    assessment: manual\n    rules: []\n    check: Look.\n";

    fn parse(text: &str) -> Result<Framework, FrameworkError> {
        Framework::parse("frameworks/f.yaml", text, &|r| r == "r1")
    }

    #[test]
    fn a_framework_loads() {
        let f = parse(GOOD).unwrap();
        assert_eq!(f.requirements.len(), 2);
        assert_eq!(f.requirements[0].rules, ["r1"]);
        assert_eq!(f.name(), "F v1.0.0");
    }

    #[test]
    fn mistakes_are_refused_with_their_position() {
        let err = |text: String| parse(&text).unwrap_err();
        let e = err(GOOD.replace("rules: [r1]", "rules: [r1, r2]"));
        assert_eq!((e.line, e.column), (15, 17), "{e}");
        assert!(e.message.contains("no rule `r2`"), "{e}");
        let e = err(GOOD.replace("id: \"1.2\"", "id: \"1.1\""));
        assert!(e.message.contains("listed twice"), "{e}");
        assert_eq!(e.line, 16, "{e}");
        let e = err(GOOD.replace("    level: 2\n", "    level: 2\n    colour: red\n"));
        assert!(e.message.contains("colour"), "{e}");
        assert_eq!(e.line, 20, "{e}");
        let e = err(GOOD.replace(
            "section: \"1\"\n    title: B",
            "section: \"9\"\n    title: B",
        ));
        assert!(e.message.contains("section 9"), "{e}");
        let e = err(GOOD.replace("    check: Look.\n", ""));
        assert!(e.message.contains("`check`"), "{e}");
        let e = err(GOOD.replace("id: f\n", "id: g\n"));
        assert!(e.message.contains("file name"), "{e}");
    }
}
