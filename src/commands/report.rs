//! `onus report`: the assessment report (HTML, Markdown or PDF) from a results JSON, as it was
//! evaluated, or from a snapshot, evaluated now through the pipeline with the waivers in force.

use anyhow::{Result, bail};

use super::evaluate::warn;
use super::options;
use super::write;
use crate::cli::{ReportArgs, ReportFormat};
use crate::matrix::{self, Matrix};
use crate::pipeline;
use crate::report::{Format, Report};
use crate::results::{self, Input};

pub fn run(args: &ReportArgs) -> Result<u8> {
    let cover = options::cover(
        &args.title,
        &args.customer,
        &args.assessor,
        args.logo.as_deref(),
    )?;
    let frameworks = options::Frameworks::from_args(&args.frameworks)?;
    let format = match args.format {
        ReportFormat::Html => Format::Html,
        ReportFormat::Md => Format::Md,
        ReportFormat::Pdf => Format::Pdf,
    };
    let bytes = match results::input(&args.input)? {
        Input::Results(doc) => {
            let path = args.input.display();
            if !args.rules.dirs.is_empty() || args.rules.no_builtin_rules {
                bail!(
                    "{path}: a results JSON is reported as it was evaluated; --rules applies to snapshots"
                );
            }
            if args.waivers.config.is_some() {
                bail!(
                    "{path}: a results JSON is reported with the waivers it was evaluated with; --config applies to snapshots"
                );
            }
            if let Some(asked) = args.matrix.as_deref().filter(|m| *m != doc.matrix.id) {
                bail!(
                    "{path}: these results were placed on the {} matrix, not {asked}: evaluate the snapshot again with --matrix {asked}",
                    doc.matrix.id
                );
            }
            let matrix = Matrix::builtin(&doc.matrix.id)?;
            let compliance = frameworks.assess(
                doc.snapshot.provider,
                &doc.results,
                doc.rules.keys().map(String::as_str),
            )?;
            let mut report = Report::from_results(&doc, &matrix, &cover);
            report.compliance = &compliance;
            format.render(&report)?
        }
        Input::Snapshot(snapshot) => {
            let rules = options::rules(&args.rules)?.for_provider(snapshot.provider);
            let matrix = Matrix::builtin(args.matrix.as_deref().unwrap_or(matrix::DEFAULT))?;
            let inputs = options::gate_inputs(options::waivers(&args.waivers)?, None)?;
            let gated = pipeline::run(&snapshot, &rules, &matrix, &inputs)?;
            warn(&gated.evaluation);
            if let Some(w) = &gated.waivers {
                eprintln!("onus: waivers: {w}");
            }
            let compliance = frameworks.assess(
                snapshot.provider,
                &gated.evaluation.findings,
                rules.rules().iter().map(|r| r.id.as_str()),
            )?;
            let mut report = Report::build(&snapshot, &gated.evaluation, &rules, &matrix, &cover);
            report.waivers = gated.waivers.as_ref();
            report.compliance = &compliance;
            format.render(&report)?
        }
    };
    write::bytes(args.output.as_deref(), &bytes)?;
    Ok(0)
}
