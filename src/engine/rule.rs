//! Rules as data: the YAML rule file, its validation, and the compiled rule.

use std::collections::BTreeSet;
use std::fmt;

use minijinja::Expression;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use super::helpers::{ENV, is_builtin_name};
use super::tri::{self, Node};
use crate::analyze::{Kind, kinds};
use crate::finding::Severity;
use crate::matrix::Layer;

/// How much work a fix takes, for ordering a remediation roadmap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Effort {
    Low,
    Medium,
    High,
}

/// A rule file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    id: Spanned<String>,
    title: String,
    severity: Severity,
    kind: Spanned<String>,
    layer: Layer,
    description: String,
    rationale: String,
    remediation: String,
    /// A command that makes the fix (`aws …`, `az …`), where one exists; `<placeholders>` for
    /// what the reader fills in.
    #[serde(default)]
    command: Option<String>,
    /// The risk in one plain sentence, for readers who are not engineers.
    #[serde(default)]
    risk: Option<String>,
    #[serde(default)]
    effort: Option<Effort>,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    applies_when: Option<Spanned<String>>,
    fails_when: Spanned<String>,
    #[serde(default)]
    message: Option<Spanned<String>>,
}

/// Where a rule came from: a built-in path under `rules/`, or a file of the user's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleSource(pub String);

impl fmt::Display for RuleSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A loaded, validated rule with its expressions compiled.
pub struct Rule {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub kind: &'static Kind,
    pub layer: Layer,
    pub description: String,
    pub rationale: String,
    pub remediation: String,
    /// A command that makes the fix, where one exists.
    pub command: Option<String>,
    /// The risk in one plain sentence, for an executive summary.
    pub risk: Option<String>,
    pub effort: Effort,
    pub references: Vec<String>,
    pub tags: Vec<String>,
    pub source: RuleSource,
    pub applies_when: Option<Expression<'static, 'static>>,
    pub fails_when: Expression<'static, 'static>,
    /// The failure message template (minijinja syntax); the title when absent.
    pub message: Option<String>,
    /// Resource fields the filter reads.
    pub filter_reads: BTreeSet<String>,
    /// Resource fields the condition reads.
    pub reads: BTreeSet<String>,
    /// Resource fields the message reads.
    pub message_reads: BTreeSet<String>,
    /// The filter's and the condition's `and`/`or`/`not` over their atoms, for deciding what
    /// the known fields decide when some cannot be known (`None`: nothing to split).
    pub filter_shape: Option<Node>,
    pub fails_shape: Option<Node>,
    /// Source text of the expressions, for `rules show`.
    pub applies_when_src: Option<String>,
    pub fails_when_src: String,
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rule")
            .field("id", &self.id)
            .field("source", &self.source)
            .finish()
    }
}

/// A rule that cannot be loaded, with its file and position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct RuleError {
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
}

fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

impl Rule {
    /// Parses and validates one rule file. `file` is its path (for messages and the
    /// id-equals-file-name check).
    pub fn parse(file: &str, text: &str) -> Result<Rule, RuleError> {
        let at = |line: u64, column: u64, message: String| RuleError {
            file: file.to_owned(),
            line,
            column,
            message,
        };
        let spanned_err = |s: &Spanned<String>, message: String| {
            at(s.referenced.line(), s.referenced.column(), message)
        };
        let raw: RuleFile =
            crate::yaml::from_str(text).map_err(|e| at(e.line, e.column, e.message))?;

        let id = raw.id.value.clone();
        if !is_kebab_case(&id) {
            return Err(spanned_err(
                &raw.id,
                format!("rule id `{id}` is not kebab-case"),
            ));
        }
        let stem = std::path::Path::new(file)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if stem != id {
            return Err(spanned_err(
                &raw.id,
                format!("rule id `{id}` differs from its file name `{stem}`"),
            ));
        }
        let kind = kinds::get(&raw.kind.value).ok_or_else(|| {
            let known: Vec<&str> = kinds::all().iter().map(|k| k.name).collect();
            spanned_err(
                &raw.kind,
                format!(
                    "unknown resource kind `{}`; known kinds: {}",
                    raw.kind.value,
                    known.join(", ")
                ),
            )
        })?;
        for (name, value) in [
            ("title", &raw.title),
            ("description", &raw.description),
            ("rationale", &raw.rationale),
            ("remediation", &raw.remediation),
        ] {
            if value.trim().is_empty() {
                return Err(at(1, 1, format!("`{name}` is empty")));
            }
        }
        if raw.risk.as_deref().is_some_and(|r| r.trim().is_empty()) {
            return Err(at(1, 1, "`risk` is empty".into()));
        }
        if raw.references.is_empty() {
            return Err(at(1, 1, "`references` is empty: name the benchmark control or documentation this rule follows".into()));
        }

        // An atom of a condition, compiled on its own with what it reads.
        let atom = |src: &str| {
            let expr = ENV.compile_expression_owned(src.to_owned()).ok()?;
            let reads = check_reads(kind, expr.undeclared_variables(false)).ok()?;
            Some((expr, reads))
        };
        let compile =
            |s: &Spanned<String>,
             what: &str|
             -> Result<(Expression<'static, 'static>, BTreeSet<String>), RuleError> {
                let expr = ENV.compile_expression_owned(s.value.clone()).map_err(|e| {
                    spanned_err(
                        s,
                        format!(
                            "`{what}` is not a valid expression: {}",
                            e.detail().unwrap_or(&e.to_string())
                        ),
                    )
                })?;
                let reads = check_reads(kind, expr.undeclared_variables(false))
                    .map_err(|m| spanned_err(s, format!("`{what}` {m}")))?;
                Ok((expr, reads))
            };
        let (applies_when, filter_reads) = match &raw.applies_when {
            Some(s) => {
                let (e, r) = compile(s, "applies_when")?;
                (Some(e), r)
            }
            None => (None, BTreeSet::new()),
        };
        let (fails_when, reads) = compile(&raw.fails_when, "fails_when")?;
        let filter_shape = raw
            .applies_when
            .as_ref()
            .and_then(|s| tri::split(&s.value, &atom));
        let fails_shape = tri::split(&raw.fails_when.value, &atom);
        let mut message_reads = BTreeSet::new();
        if let Some(m) = &raw.message {
            let template = ENV.template_from_str(&m.value).map_err(|e| {
                spanned_err(
                    m,
                    format!(
                        "`message` is not a valid template: {}",
                        e.detail().unwrap_or(&e.to_string())
                    ),
                )
            })?;
            message_reads = check_reads(kind, template.undeclared_variables(false))
                .map_err(|msg| spanned_err(m, format!("`message` {msg}")))?;
        }

        Ok(Rule {
            id,
            title: raw.title,
            severity: raw.severity,
            kind,
            layer: raw.layer,
            description: raw.description.trim().to_owned(),
            rationale: raw.rationale.trim().to_owned(),
            remediation: raw.remediation.trim().to_owned(),
            command: raw
                .command
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty()),
            risk: raw.risk.map(|r| r.trim().to_owned()),
            effort: raw.effort.unwrap_or(Effort::Medium),
            references: raw.references,
            tags: raw.tags,
            source: RuleSource(file.to_owned()),
            applies_when,
            fails_when,
            message: raw.message.map(|m| m.value),
            filter_reads,
            reads,
            message_reads,
            filter_shape,
            fails_shape,
            applies_when_src: raw.applies_when.map(|s| s.value),
            fails_when_src: raw.fails_when.value,
        })
    }
}

/// The resource fields an expression reads; every one must exist on the kind.
fn check_reads(
    kind: &Kind,
    names: std::collections::HashSet<String>,
) -> Result<BTreeSet<String>, String> {
    let mut reads = BTreeSet::new();
    for name in names {
        if is_builtin_name(&name) {
            continue;
        }
        if !kind.has_field(&name) {
            return Err(format!(
                "reads `{name}`, which {} does not have; its fields are: {}",
                kind.name,
                kind.fields().join(", ")
            ));
        }
        reads.insert(name);
    }
    Ok(reads)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::kind;

    const GOOD: &str = "\
id: test-rule
title: Console user without MFA
severity: high
kind: aws.iam.user
layer: identity
description: d
rationale: r
remediation: fix it
references: [CIS 1.10]
applies_when: password_enabled
fails_when: mfa_devices | length == 0
message: \"{{ name }} has no MFA\"
";

    #[test]
    fn a_good_rule_loads_and_knows_what_it_reads() {
        let rule = Rule::parse("rules/aws/iam/test-rule.yaml", GOOD).unwrap();
        assert_eq!(
            rule.filter_reads,
            BTreeSet::from(["password_enabled".to_owned()])
        );
        assert_eq!(rule.reads, BTreeSet::from(["mfa_devices".to_owned()]));
        assert_eq!(rule.message_reads, BTreeSet::from(["name".to_owned()]));
    }

    #[test]
    fn unknown_field_names_its_line() {
        let text = GOOD.replace("references:", "colour: red\nreferences:");
        let err = Rule::parse("x/test-rule.yaml", &text).unwrap_err();
        assert_eq!(err.line, 9, "{err}");
        assert!(err.message.contains("colour"), "{err}");
    }

    #[test]
    fn unknown_kind_layer_and_resource_field() {
        let err = Rule::parse(
            "test-rule.yaml",
            &GOOD.replace(kind::AWS_IAM_USER, "aws.iam.usr"),
        )
        .unwrap_err();
        assert_eq!((err.line, err.column), (4, 7), "{err}");
        let err = Rule::parse(
            "test-rule.yaml",
            &GOOD.replace("layer: identity", "layer: moon"),
        )
        .unwrap_err();
        assert_eq!(err.line, 5, "{err}");
        let err =
            Rule::parse("test-rule.yaml", &GOOD.replace("mfa_devices", "mfa_device")).unwrap_err();
        assert_eq!(err.line, 11, "{err}");
        assert!(err.message.contains("mfa_device`"), "{err}");
    }

    #[test]
    fn bad_expression_and_id() {
        let err = Rule::parse("test-rule.yaml", &GOOD.replace("== 0", "== == 0")).unwrap_err();
        assert_eq!(err.line, 11, "{err}");
        let err = Rule::parse("other.yaml", GOOD).unwrap_err();
        assert!(err.message.contains("file name"), "{err}");
        let err =
            Rule::parse("Test_Rule.yaml", &GOOD.replace("test-rule", "Test_Rule")).unwrap_err();
        assert!(err.message.contains("kebab-case"), "{err}");
    }
}
