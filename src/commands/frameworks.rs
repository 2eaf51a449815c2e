//! `onus frameworks`: the built-in compliance frameworks, their requirements and the rules
//! that implement them, and how much of each onus covers.

use anyhow::{Context, Result, bail};

use super::write;
use crate::cli::FrameworksCommand;
use crate::compliance::{Assessment, Framework, Requirement};
use crate::engine::RuleSet;

pub fn run(cmd: &FrameworksCommand) -> Result<u8> {
    let rules = RuleSet::builtin().context("built-in rules")?;
    let all = Framework::builtin(&|id| rules.get(id).is_some())
        .context("built-in compliance frameworks")?;
    let mut out = String::new();
    match cmd {
        FrameworksCommand::List => {
            for f in &all {
                let c = Coverage::of(&f.requirements.iter().collect::<Vec<_>>());
                out.push_str(&format!(
                    "{:<30} {:<6} {} ({} requirements, {} covered by onus)\n",
                    f.id,
                    f.provider.as_str(),
                    f.name(),
                    f.requirements.len(),
                    c.full + c.partial
                ));
            }
        }
        FrameworksCommand::Show { id, coverage } => {
            let Some(f) = all.iter().find(|f| &f.id == id) else {
                bail!("no framework `{id}`; `onus frameworks list` lists them");
            };
            out.push_str(&format!("{} — {}\n{}\n\n", f.id, f.name(), f.url));
            if !coverage {
                for section in &f.sections {
                    let requirements: Vec<&Requirement> = f
                        .requirements
                        .iter()
                        .filter(|r| r.section == section.id)
                        .collect();
                    if requirements.is_empty() {
                        continue;
                    }
                    out.push_str(&format!("{} {}\n", section.id, section.title));
                    for r in requirements {
                        out.push_str(&requirement_line(r));
                    }
                    out.push('\n');
                }
            }
            out.push_str(&coverage_text(f));
        }
    }
    write::text(None, &out)?;
    Ok(0)
}

fn requirement_line(r: &Requirement) -> String {
    let assessment = match r.assessment {
        Assessment::Automated => "automated",
        Assessment::Manual => "manual",
    };
    let how = match (&r.rules[..], &r.partial, &r.out_of_scope) {
        ([], _, Some(why)) => format!("not covered ({why}): a person checks"),
        ([], _, None) => "not covered: a person checks".to_owned(),
        (rules, Some(_), _) => format!("in part: {}", rules.join(", ")),
        (rules, None, _) => rules.join(", "),
    };
    format!(
        "  {:<9} L{} {:<9} {}\n            {how}\n",
        r.id, r.level, assessment, r.title
    )
}

/// How many requirements onus covers: fully, in part, or not (and of those, how many are
/// about a service it does not read).
#[derive(Default)]
struct Coverage {
    total: usize,
    full: usize,
    partial: usize,
    none: usize,
    out_of_scope: usize,
}

impl Coverage {
    fn of(requirements: &[&Requirement]) -> Coverage {
        let mut c = Coverage::default();
        for r in requirements {
            c.total += 1;
            match (r.rules.is_empty(), r.partial.is_some()) {
                (true, _) => {
                    c.none += 1;
                    c.out_of_scope += usize::from(r.out_of_scope.is_some());
                }
                (false, true) => c.partial += 1,
                (false, false) => c.full += 1,
            }
        }
        c
    }

    fn line(&self, what: &str) -> String {
        format!(
            "{what}: {} requirements; covered by onus rules: {} fully, {} in part, {} not ({} about services onus does not read)\n",
            self.total, self.full, self.partial, self.none, self.out_of_scope
        )
    }
}

fn coverage_text(f: &Framework) -> String {
    let of = |keep: &dyn Fn(&Requirement) -> bool| -> Vec<&Requirement> {
        f.requirements.iter().filter(|r| keep(r)).collect()
    };
    let all = Coverage::of(&of(&|_| true));
    let automated = Coverage::of(&of(&|r| r.assessment == Assessment::Automated));
    let manual = Coverage::of(&of(&|r| r.assessment == Assessment::Manual));
    let in_scope = Coverage::of(&of(&|r| r.out_of_scope.is_none()));
    let automated_in_scope = Coverage::of(&of(&|r| {
        r.assessment == Assessment::Automated && r.out_of_scope.is_none()
    }));
    let mut out = String::from("Coverage\n");
    out.push_str(&all.line("  all"));
    out.push_str(&automated.line("  automated (as the benchmark marks them)"));
    out.push_str(&manual.line("  manual (as the benchmark marks them)"));
    out.push_str(&in_scope.line("  in onus's scope"));
    out.push_str(&automated_in_scope.line("  automated, in onus's scope"));
    out
}
