//! `onus rules`: list, show and test the rules.

use anyhow::{Result, bail};

use super::options;
use super::write;
use crate::cli::RulesCommand;
use crate::engine;
use crate::matrix::Matrix;
use crate::words::count;

pub fn run(cmd: &RulesCommand) -> Result<u8> {
    match cmd {
        RulesCommand::List { rules, json } => {
            let set = options::rules(rules)?;
            if *json {
                let list: Vec<_> = set
                    .rules()
                    .iter()
                    .map(|r| {
                        serde_json::json!({
                            "id": r.id, "title": r.title, "severity": r.severity, "kind": r.kind.name,
                            "layer": r.layer, "references": r.references, "source": r.source.0,
                        })
                    })
                    .collect();
                write::text(None, &format!("{}\n", serde_json::to_string_pretty(&list)?))?;
            } else {
                let mut out = String::new();
                for r in set.rules() {
                    out.push_str(&format!(
                        "{:<52} {:<8} {:<12} {}\n",
                        r.id,
                        r.severity.id(),
                        r.layer.id(),
                        r.title
                    ));
                }
                out.push_str(&format!("{}\n", count(set.rules().len(), "rule")));
                write::text(None, &out)?;
            }
            Ok(0)
        }
        RulesCommand::Show { id, rules } => {
            let set = options::rules(rules)?;
            let Some(r) = set.get(id) else {
                bail!("no rule `{id}`; `onus rules list` lists them");
            };
            let mut out = format!(
                "{}\n  {}\n\nseverity:  {}\nkind:      {} ({})\nlayer:     {}\nsource:    {}\n",
                r.id, r.title, r.severity, r.kind.name, r.kind.title, r.layer, r.source
            );
            if let Some(a) = &r.applies_when_src {
                out.push_str(&format!("applies when: {}\n", a.trim()));
            }
            out.push_str(&format!("fails when:   {}\n", r.fails_when_src.trim()));
            out.push_str(&format!(
                "\n{}\n\nWhy it matters:\n{}\n\nRemediation:\n{}\n",
                r.description, r.rationale, r.remediation
            ));
            if let Some(command) = &r.command {
                out.push_str(&format!("\nCommand:\n  {command}\n"));
            }
            out.push_str("\nReferences:\n");
            for reference in &r.references {
                out.push_str(&format!("  - {reference}\n"));
            }
            write::text(None, &out)?;
            Ok(0)
        }
        RulesCommand::Test { fixtures, rules } => {
            let set = options::rules(rules)?;
            let matrix = Matrix::builtin(crate::matrix::DEFAULT)?;
            let outcomes = engine::fixtures::check(&set, fixtures, &matrix);
            let mut failed = 0;
            for o in &outcomes {
                if o.problems.is_empty() {
                    continue;
                }
                failed += 1;
                for p in &o.problems {
                    eprintln!("FAIL {} ({}): {p}", o.rule, o.fixture.display());
                }
            }
            eprintln!("{}, {failed} failed", count(outcomes.len(), "fixture"));
            Ok(if failed == 0 { 0 } else { 1 })
        }
    }
}
