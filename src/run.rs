//! What each subcommand does: load, evaluate, gate, render, write.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use clap::CommandFactory;

use crate::analyze::kinds;
use crate::baseline::{self, Baseline, Comparison};
use crate::cli::{
    BaselineCommand, Cli, CollectCommand, Command, DiffArgs, DiffFormat, EvaluateArgs, Format,
    GateArgs, MatrixCommand, OutputArgs, ReportArgs, ReportFormat, RuleArgs, RulesCommand,
    ScanCommand,
};
use crate::drift;
use crate::engine::{self, RuleSet};
use crate::finding::Severity;
use crate::gate;
use crate::matrix::Matrix;
use crate::report::{self, Report, ReportOptions};
use crate::scan;
use crate::snapshot::{self, Snapshot, SnapshotFormat};
use crate::waiver::{self, WaiverFile};

/// The bundled demo snapshot (`samples/aws-demo.snapshot.json`).
pub const SAMPLE: &str = include_str!("../samples/aws-demo.snapshot.json");

/// Runs a command; returns the exit code (0 or 1) or an error (exit 2).
pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Collect(CollectCommand::Aws { aws, output }) => {
            let snapshot = scan::collect_aws(&aws)?;
            snapshot::save(&snapshot, &output)?;
            Ok(0)
        }
        Command::Collect(CollectCommand::Azure { azure, output }) => {
            let snapshot = scan::collect_azure(&azure)?;
            snapshot::save(&snapshot, &output)?;
            Ok(0)
        }
        Command::Scan(ScanCommand::Aws(args)) => {
            // Refuse a bad --format/--output combination, baseline or waiver file before a
            // long collection.
            formats(&args.output)?;
            let inputs = load_gate(&args.gate)?;
            let snapshot = scan::collect_aws(&args.aws)?;
            if let Some(path) = &args.snapshot_out {
                snapshot::save(&snapshot, path)?;
            }
            report_on(&snapshot, &args.output, &args.rules, &args.gate, &inputs)
        }
        Command::Scan(ScanCommand::Azure(args)) => {
            formats(&args.output)?;
            let inputs = load_gate(&args.gate)?;
            let snapshot = scan::collect_azure(&args.azure)?;
            if let Some(path) = &args.snapshot_out {
                snapshot::save(&snapshot, path)?;
            }
            report_on(&snapshot, &args.output, &args.rules, &args.gate, &inputs)
        }
        Command::Evaluate(args) => evaluate(args),
        Command::Report(args) => report_cmd(args),
        Command::Rules(cmd) => rules(cmd),
        Command::Matrix(cmd) => matrix(cmd),
        Command::Baseline(BaselineCommand::Create { results, output }) => {
            let created = baseline::create(&results, &output)?;
            eprintln!(
                "onus: baseline of {} written to {}",
                crate::words::count(created.failures.len(), "failure"),
                output.display()
            );
            Ok(0)
        }
        Command::Diff(args) => diff(&args),
        Command::Kinds { kind } => kinds_cmd(kind.as_deref()),
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "onus", &mut std::io::stdout());
            Ok(0)
        }
    }
}

fn load_rules(args: &RuleArgs) -> Result<RuleSet> {
    let mut set = if args.no_builtin_rules {
        if args.dirs.is_empty() {
            bail!("--no-builtin-rules needs at least one --rules DIR");
        }
        None
    } else {
        Some(RuleSet::builtin().context("built-in rules")?)
    };
    for dir in &args.dirs {
        let extra = RuleSet::from_dir(dir)?;
        match &mut set {
            Some(s) => s.extend(extra)?,
            None => set = Some(extra),
        }
    }
    set.context("no rules")
}

/// What the gate reads besides the results: the baseline, the waivers and today's date.
struct GateInputs {
    baseline: Option<Baseline>,
    waivers: Option<WaiverFile>,
    today: waiver::Date,
}

fn load_gate(gate: &GateArgs) -> Result<GateInputs> {
    let baseline = match &gate.baseline {
        Some(path) => Some(baseline::load(path)?),
        None => None,
    };
    let waivers = waiver::load(gate.config.as_deref())?;
    Ok(GateInputs {
        baseline,
        waivers,
        today: waiver::today()?,
    })
}

fn evaluate(args: EvaluateArgs) -> Result<u8> {
    let inputs = load_gate(&args.gate)?;
    let snapshot: Snapshot = match (&args.snapshot, args.sample) {
        (Some(path), _) => snapshot::load(path)?,
        (None, _) => snapshot::load_str(
            SAMPLE,
            SnapshotFormat::Json,
            Path::new("samples/aws-demo.snapshot.json"),
        )?,
    };
    report_on(&snapshot, &args.output, &args.rules, &args.gate, &inputs)
}

/// Evaluates a snapshot, writes the report, and judges the result.
fn report_on(
    snapshot: &Snapshot,
    output: &OutputArgs,
    rule_args: &RuleArgs,
    gate: &GateArgs,
    inputs: &GateInputs,
) -> Result<u8> {
    let formats = formats(output)?;
    let rules = load_rules(rule_args)?.for_provider(snapshot.provider);
    let matrix = Matrix::builtin(&output.matrix)?;
    let mut evaluation = engine::evaluate(snapshot, &rules, &matrix)?;
    let waivers = inputs
        .waivers
        .as_ref()
        .map(|w| w.apply(&mut evaluation.findings, inputs.today));
    for issue in &evaluation.issues {
        eprintln!(
            "onus: warning: rule {} on {}: {}",
            issue.rule, issue.resource, issue.message
        );
    }
    let options = report_options(
        &output.title,
        &output.customer,
        &output.assessor,
        output.logo.as_deref(),
    )?;
    let comparison = inputs
        .baseline
        .as_ref()
        .map(|b| Comparison::new(b, &evaluation.findings));
    let mut report = Report::build(snapshot, &evaluation, &rules, &matrix, &options);
    report.baseline = comparison.as_ref();
    report.waivers = waivers.as_ref();
    // Render everything first: a failed render writes nothing. JSON, the largest, is
    // serialised straight into its file (or standard output) at write time instead: its
    // serialisation cannot fail but for I/O.
    let rendered = formats
        .iter()
        .map(|format| {
            Ok((
                *format,
                match format {
                    Format::Json => None,
                    _ => Some(render(*format, &report)?),
                },
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let target = |format: Format| match &output.output_dir {
        Some(dir) => Some(dir.join(format.file_name())),
        None => output.output.clone(),
    };
    if let Some(dir) = &output.output_dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create directory", dir.display()))?;
    }
    for (format, bytes) in &rendered {
        match (bytes, target(*format)) {
            (Some(bytes), path) => write_bytes(path.as_deref(), bytes)?,
            (None, Some(path)) => crate::output::write_atomic_with(&path, |w| {
                report::json_to(&report, w).map_err(std::io::Error::other)
            })?,
            (None, None) => {
                let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
                report::json_to(&report, &mut stdout)
                    .and_then(|()| stdout.flush().map_err(|e| serde_json::Error::io(e).into()))
                    .context("writing to standard output")?;
            }
        }
    }

    let policy = gate::GatePolicy {
        fail_on: gate.fail_on.map(Severity::from),
        fail_on_not_assessed: gate.fail_on_not_assessed,
        baseline: comparison.as_ref(),
        waivers: waivers.as_ref(),
    };
    let verdict = gate::judge(&evaluation.findings, policy);
    eprintln!("onus: {}", verdict.summary);
    Ok(verdict.exit_code)
}

/// One side of a diff: a results JSON as written, or a snapshot evaluated now.
fn drift_side(path: &Path, rules: &RuleArgs, matrix: &str) -> Result<drift::Side> {
    let text = drift::read(path)?;
    if drift::is_results(&text) {
        return Ok(drift::side_from_results(&text, path)?);
    }
    let snapshot = snapshot::load_str(&text, SnapshotFormat::for_path(path), path)?;
    let rules = load_rules(rules)?.for_provider(snapshot.provider);
    let matrix = Matrix::builtin(matrix)?;
    let evaluation = engine::evaluate(&snapshot, &rules, &matrix)?;
    Ok(drift::side_from_findings(
        path,
        snapshot
            .collected_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        &evaluation.findings,
    ))
}

fn diff(args: &DiffArgs) -> Result<u8> {
    let old = drift_side(&args.old, &args.rules, &args.matrix)?;
    let new = drift_side(&args.new, &args.rules, &args.matrix)?;
    let drift = drift::compare(&old, &new);
    let text = match args.format {
        DiffFormat::Text => report::drift::text(&drift)?,
        DiffFormat::Md => report::drift::markdown(&drift)?,
        DiffFormat::Json => report::drift::json(&drift)?,
    };
    write_output(args.output.as_deref(), &text)?;
    let code = match args.fail_on.map(Severity::from) {
        Some(sev) if drift.new_at_or_above(sev) > 0 => {
            eprintln!(
                "onus: exit 1: {} new unwaived failure(s) at or above {sev} ({})",
                drift.new_at_or_above(sev),
                drift.summary()
            );
            1
        }
        Some(sev) => {
            eprintln!(
                "onus: exit 0: no new unwaived failure at or above {sev} ({})",
                drift.summary()
            );
            0
        }
        None => {
            eprintln!("onus: {}", drift.summary());
            0
        }
    };
    Ok(code)
}

/// The requested formats, each once, in the order given; several need --output-dir.
fn formats(output: &OutputArgs) -> Result<Vec<Format>> {
    let mut formats: Vec<Format> = Vec::new();
    for f in &output.format {
        if !formats.contains(f) {
            formats.push(*f);
        }
    }
    if formats.len() > 1 && output.output_dir.is_none() {
        if output.output.is_some() {
            bail!(
                "--output takes one format, but {} were given: use --output-dir DIR to write one file per format",
                formats.len()
            );
        }
        bail!(
            "{} formats were given: use --output-dir DIR to write one file per format",
            formats.len()
        );
    }
    Ok(formats)
}

fn render(format: Format, report: &Report<'_>) -> Result<Vec<u8>> {
    let text = match format {
        Format::Text => report::text(report)?,
        Format::Json => report::json(report)?,
        Format::Md => report::markdown(report)?,
        Format::Html => report::html(report)?,
        Format::Sarif => report::sarif(report)?,
        Format::Junit => report::junit(report)?,
        Format::Csv => report::csv(report)?,
        Format::Ocsf => report::ocsf(report)?,
        Format::Pdf => return Ok(crate::pdf::print(&report::html(report)?)?),
    };
    Ok(text.into_bytes())
}

/// The cover details; the logo file is read and embedded now.
fn report_options(
    title: &Option<String>,
    customer: &Option<String>,
    assessor: &Option<String>,
    logo: Option<&Path>,
) -> Result<ReportOptions> {
    Ok(ReportOptions {
        title: title.clone(),
        customer: customer.clone(),
        assessor: assessor.clone(),
        logo: match logo {
            Some(path) => Some(report::logo::data_uri(path)?),
            None => None,
        },
    })
}

/// `onus report`: the human report from a results JSON (as written, no re-evaluation) or from
/// a snapshot (evaluated with the built-in rules, `--rules` and the waivers in ./onus.yaml).
fn report_cmd(args: ReportArgs) -> Result<u8> {
    let options = report_options(
        &args.title,
        &args.customer,
        &args.assessor,
        args.logo.as_deref(),
    )?;
    let format = match args.format {
        ReportFormat::Html => Format::Html,
        ReportFormat::Md => Format::Md,
        ReportFormat::Pdf => Format::Pdf,
    };
    let is_json = args
        .input
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let text = if is_json {
        Some(report::results::read(&args.input)?)
    } else {
        None
    };
    let bytes = match text.as_deref().filter(|t| report::results::is_results(t)) {
        Some(text) => {
            if !args.rules.dirs.is_empty() || args.rules.no_builtin_rules {
                bail!(
                    "{}: a results JSON is reported as it was evaluated; --rules applies to snapshots",
                    args.input.display()
                );
            }
            let results = report::results::parse(text, &args.input)?;
            if let Some(asked) = args.matrix.as_deref().filter(|m| *m != results.matrix.id) {
                bail!(
                    "{}: these results were placed on the {} matrix, not {asked}: evaluate the snapshot again with --matrix {asked}",
                    args.input.display(),
                    results.matrix.id
                );
            }
            let matrix = Matrix::builtin(&results.matrix.id)?;
            render(format, &Report::from_results(&results, &matrix, &options))?
        }
        None => {
            let snapshot = match text.as_deref() {
                Some(text) => snapshot::load_str(text, SnapshotFormat::Json, &args.input)?,
                None => snapshot::load(&args.input)?,
            };
            let rules = load_rules(&args.rules)?.for_provider(snapshot.provider);
            let matrix = Matrix::builtin(args.matrix.as_deref().unwrap_or(crate::matrix::DEFAULT))?;
            let mut evaluation = engine::evaluate(&snapshot, &rules, &matrix)?;
            if let Some(waivers) = waiver::load(None)? {
                let _ = waivers.apply(&mut evaluation.findings, waiver::today()?);
            }
            render(
                format,
                &Report::build(&snapshot, &evaluation, &rules, &matrix, &options),
            )?
        }
    };
    write_bytes(args.output.as_deref(), &bytes)?;
    Ok(0)
}

fn write_output(path: Option<&Path>, text: &str) -> Result<()> {
    write_bytes(path, text.as_bytes())
}

fn write_bytes(path: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match path {
        Some(path) => crate::output::write_atomic(path, bytes)?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(bytes)
                .context("writing to standard output")?;
            stdout.flush().context("writing to standard output")?;
        }
    }
    Ok(())
}

fn rules(cmd: RulesCommand) -> Result<u8> {
    match cmd {
        RulesCommand::List { rules, json } => {
            let set = load_rules(&rules)?;
            if json {
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
                write_output(None, &format!("{}\n", serde_json::to_string_pretty(&list)?))?;
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
                out.push_str(&format!(
                    "{}\n",
                    crate::words::count(set.rules().len(), "rule")
                ));
                write_output(None, &out)?;
            }
            Ok(0)
        }
        RulesCommand::Show { id, rules } => {
            let set = load_rules(&rules)?;
            let Some(r) = set.get(&id) else {
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
                "\n{}\n\nWhy it matters:\n{}\n\nRemediation:\n{}\n\nReferences:\n",
                r.description, r.rationale, r.remediation
            ));
            for reference in &r.references {
                out.push_str(&format!("  - {reference}\n"));
            }
            write_output(None, &out)?;
            Ok(0)
        }
        RulesCommand::Test { fixtures, rules } => {
            let set = load_rules(&rules)?;
            let matrix = Matrix::builtin(crate::matrix::DEFAULT)?;
            let outcomes = engine::fixtures::check(&set, &fixtures, &matrix);
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
            eprintln!(
                "{}, {failed} failed",
                crate::words::count(outcomes.len(), "fixture")
            );
            Ok(if failed == 0 { 0 } else { 1 })
        }
    }
}

fn matrix(cmd: MatrixCommand) -> Result<u8> {
    match cmd {
        MatrixCommand::List => {
            let mut out = String::new();
            for id in Matrix::builtin_ids() {
                let m = Matrix::builtin(id)?;
                out.push_str(&format!("{:<20} {}\n", m.id, m.title));
            }
            write_output(None, &out)?;
        }
        MatrixCommand::Show { matrix } => {
            let m = Matrix::builtin(&matrix)?;
            write_output(None, &crate::matrix::render_text(&m))?;
        }
    }
    Ok(0)
}

fn kinds_cmd(kind: Option<&str>) -> Result<u8> {
    let mut out = String::new();
    match kind {
        Some(name) => {
            let Some(k) = kinds::get(name) else {
                bail!("no kind `{name}`; `onus kinds` lists them");
            };
            out.push_str(&format!("{} — {} ({})\n", k.name, k.title, k.model.id()));
            for f in k.fields() {
                out.push_str(&format!("  {f}\n"));
            }
        }
        None => {
            for k in kinds::all() {
                out.push_str(&format!(
                    "{:<28} {:<14} {}\n",
                    k.name,
                    k.model.id(),
                    k.title
                ));
            }
        }
    }
    write_output(None, &out)?;
    Ok(0)
}
