//! The rule catalogue stays honest: every built-in rule loads, is complete, lands on a cell of
//! every matrix, and proves itself on a failing and a passing fixture.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::Path;

use onus::engine::{RuleSet, fixtures};
use onus::matrix::Matrix;

fn builtin() -> RuleSet {
    RuleSet::builtin().unwrap_or_else(|e| panic!("built-in rules do not load: {e}"))
}

#[test]
fn builtin_rules_equal_the_rules_directory() {
    let on_disk = RuleSet::from_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")).unwrap();
    let builtin = builtin();
    let a: Vec<&str> = builtin.rules().iter().map(|r| r.id.as_str()).collect();
    let b: Vec<&str> = on_disk.rules().iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        a, b,
        "the binary embeds a different rule set than rules/ (rebuild?)"
    );
}

#[test]
fn catalogue_is_large_enough_and_complete() {
    let set = builtin();
    assert!(set.rules().len() >= 40, "only {} rules", set.rules().len());
    for rule in set.rules() {
        assert!(
            !rule.remediation.is_empty(),
            "{} has no remediation",
            rule.id
        );
        assert!(!rule.references.is_empty(), "{} has no references", rule.id);
        // The executive summary states the top risks in these words, not in rule ids.
        let risk = rule.risk.as_deref().unwrap_or_default();
        assert!(
            risk.ends_with('.') && risk.len() <= 200 && !risk.contains(&rule.id),
            "{} needs a plain one-sentence `risk:` (ending in a full stop, at most 200 characters)",
            rule.id
        );
        assert!(rule.title.len() <= 90, "{} has a long title", rule.id);
        // rules/<provider>/<area>/<id>.yaml, where the id reads <provider>-<area>-…
        let provider = rule.kind.name.split('.').next().unwrap();
        assert!(
            rule.id.starts_with(&format!("{provider}-")),
            "{}: rules on {provider} kinds have ids starting with {provider}-",
            rule.id
        );
        let area = rule.id.split('-').nth(1).unwrap();
        let expected = format!("rules/{provider}/{area}/{}.yaml", rule.id);
        assert_eq!(rule.source.0, expected, "{} lives elsewhere", rule.id);
    }
}

#[test]
fn every_rule_lands_on_a_cell_of_every_matrix() {
    let set = builtin();
    for id in Matrix::builtin_ids() {
        let matrix = Matrix::builtin(id).unwrap();
        for rule in set.rules() {
            assert!(
                matrix.cell(rule.layer, rule.kind.model).is_some(),
                "{} ({} × {}) has no cell in matrix {id}",
                rule.id,
                rule.layer,
                rule.kind.model.id()
            );
        }
    }
}

#[test]
fn every_rule_fails_and_passes_on_its_fixtures() {
    let set = builtin();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    let matrix = Matrix::builtin(onus::matrix::DEFAULT).unwrap();
    let outcomes = fixtures::check(&set, &dir, &matrix);
    assert_eq!(outcomes.len(), set.rules().len() * 2);
    let problems: Vec<String> = outcomes
        .iter()
        .flat_map(|o| {
            o.problems
                .iter()
                .map(move |p| format!("{} ({}): {p}", o.rule, o.fixture.display()))
        })
        .collect();
    assert!(
        problems.is_empty(),
        "fixture problems:\n{}",
        problems.join("\n")
    );
}

#[test]
fn no_fixture_without_a_rule() {
    let set = builtin();
    let ids: BTreeSet<&str> = set.rules().iter().map(|r| r.id.as_str()).collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            ids.contains(name.as_str()),
            "fixtures for unknown rule {name}"
        );
    }
}

/// Every fixture's results, reviewed: each result's status, resource and message, so that a
/// rule that stops failing on one of two failing resources, or says something else, shows.
#[test]
fn every_fixture_gives_the_reviewed_results() {
    let set = builtin();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    let matrix = Matrix::builtin(onus::matrix::DEFAULT).unwrap();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/fixtures");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for rule in set.rules() {
            let mut listing = String::new();
            for fixture in ["fail", "pass"] {
                let path = dir.join(&rule.id).join(format!("{fixture}.yaml"));
                let snapshot = onus::snapshot::load(&path).unwrap();
                let evaluation = onus::engine::evaluate_rules(&snapshot, &[rule], &matrix).unwrap();
                listing.push_str(&format!("{fixture}.yaml\n"));
                for f in &evaluation.findings {
                    listing.push_str(&format!(
                        "  {:<12} {}\n    {}\n",
                        f.status.id(),
                        f.resource.id,
                        f.message
                    ));
                }
            }
            insta::assert_snapshot!(rule.id.as_str(), listing);
        }
    });
}

#[test]
fn the_frameworks_hold_every_requirement_and_cite_only_known_rules() {
    let set = builtin();
    let frameworks = onus::compliance::Framework::builtin(&|id| set.get(id).is_some()).unwrap();
    let count = |id: &str| {
        frameworks
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.requirements.len())
    };
    // CIS AWS Foundations v7.0.0 has 70 requirements, CIS Azure Foundations v6.0.0 127.
    assert_eq!(count("cis-aws-foundations-7.0.0"), Some(70));
    assert_eq!(count("cis-azure-foundations-6.0.0"), Some(127));
    for f in &frameworks {
        for r in &f.requirements {
            for rule in &r.rules {
                let kind = set.get(rule).unwrap().kind.name;
                assert!(
                    kind.starts_with(&format!("{}.", f.provider.as_str())),
                    "{} {} cites {rule}, a rule on {kind}",
                    f.id,
                    r.id
                );
            }
        }
    }
}
