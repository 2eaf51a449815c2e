//! The command line turned into what the commands work with, once, at the edge: rules loaded,
//! the gate's inputs read, the outputs planned and checked before any long work starts.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use std::collections::BTreeSet;

use crate::cli::{FrameworkArgs, GateArgs, OutputArgs, RuleArgs, WaiverArgs};
use crate::compliance::{self, Framework, FrameworkResult};
use crate::engine::RuleSet;
use crate::finding::Finding;
use crate::finding::Severity;
use crate::gate::baseline;
use crate::gate::waiver::{self, WaiverFile};
use crate::matrix::Matrix;
use crate::pipeline::GateInputs;
use crate::report::{self, Format, ReportOptions};
use crate::snapshot::Provider;

/// The built-in rules, each citing the framework requirements it implements, and those of
/// `--rules DIR`; or only the latter.
pub fn rules(args: &RuleArgs) -> Result<RuleSet> {
    let mut set = if args.no_builtin_rules {
        if args.dirs.is_empty() {
            bail!("--no-builtin-rules needs at least one --rules DIR");
        }
        None
    } else {
        let mut builtin = RuleSet::builtin().context("built-in rules")?;
        for framework in builtin_frameworks(&builtin)? {
            compliance::cite(&mut builtin, &framework);
        }
        Some(builtin)
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

/// The built-in frameworks, checked against the built-in rules `builtin`.
fn builtin_frameworks(builtin: &RuleSet) -> Result<Vec<Framework>> {
    Framework::builtin(&|id| builtin.get(id).is_some()).context("built-in compliance frameworks")
}

/// Which frameworks a run assesses.
#[derive(Debug, Clone)]
pub struct Frameworks {
    all: Vec<Framework>,
    /// `None`: every one of the snapshot's provider.
    chosen: Option<Vec<String>>,
}

impl Frameworks {
    /// The frameworks of `--framework ID ...` (checked now, before any long work).
    pub fn from_args(args: &FrameworkArgs) -> Result<Frameworks> {
        let all = builtin_frameworks(&RuleSet::builtin().context("built-in rules")?)?;
        let chosen = match args.ids.as_slice() {
            [] => None,
            [none] if none == "none" => Some(Vec::new()),
            ids => {
                for id in ids {
                    if !all.iter().any(|f| &f.id == id) {
                        let known: Vec<&str> = all.iter().map(|f| f.id.as_str()).collect();
                        bail!(
                            "no framework `{id}`; known frameworks: {}",
                            known.join(", ")
                        );
                    }
                }
                Some(ids.to_vec())
            }
        };
        Ok(Frameworks { all, chosen })
    }

    /// The frameworks to assess on a snapshot of `provider`.
    pub fn for_provider(&self, provider: Provider) -> Result<Vec<&Framework>> {
        match &self.chosen {
            None => Ok(self.all.iter().filter(|f| f.provider == provider).collect()),
            Some(ids) => ids
                .iter()
                .filter_map(|id| self.all.iter().find(|f| &f.id == id))
                .map(|f| {
                    if f.provider == provider {
                        Ok(f)
                    } else {
                        Err(anyhow::anyhow!(
                            "framework {} is for {}, and these results are {}",
                            f.id,
                            f.provider.as_str(),
                            provider.as_str()
                        ))
                    }
                })
                .collect(),
        }
    }

    /// Assesses the frameworks for `provider` on `findings`, of which `evaluated` are the
    /// rules that ran.
    pub fn assess<'r>(
        &self,
        provider: Provider,
        findings: &[Finding],
        evaluated: impl IntoIterator<Item = &'r str>,
    ) -> Result<Vec<FrameworkResult>> {
        let evaluated: BTreeSet<&str> = evaluated.into_iter().collect();
        Ok(self
            .for_provider(provider)?
            .into_iter()
            .map(|f| compliance::assess(f, findings, &evaluated))
            .collect())
    }
}

/// The waivers of `--config FILE`, or of `./onus.yaml` when there is one.
pub fn waivers(args: &WaiverArgs) -> Result<Option<WaiverFile>> {
    Ok(waiver::load(args.config.as_deref())?)
}

/// The gate's inputs: waivers and today's date always, a baseline when given.
pub fn gate_inputs(waivers: Option<WaiverFile>, baseline: Option<&Path>) -> Result<GateInputs> {
    Ok(GateInputs {
        baseline: match baseline {
            Some(path) => Some(baseline::load(path)?),
            None => None,
        },
        waivers,
        today: waiver::today()?,
    })
}

/// What decides the exit code.
#[derive(Debug, Clone, Copy)]
pub struct Gate {
    pub fail_on: Option<Severity>,
    pub fail_on_not_assessed: bool,
}

/// The gate of `--fail-on`, `--fail-on-not-assessed`, `--baseline` and `--config`.
pub fn gate(args: &GateArgs) -> Result<(Gate, GateInputs)> {
    let inputs = gate_inputs(waivers(&args.waivers)?, args.baseline.as_deref())?;
    Ok((
        Gate {
            fail_on: args.fail_on.map(Severity::from),
            fail_on_not_assessed: args.fail_on_not_assessed,
        },
        inputs,
    ))
}

/// Where reports go.
#[derive(Debug, Clone)]
pub enum Target {
    /// Standard output (one format).
    Stdout,
    /// One file (one format).
    File(PathBuf),
    /// `onus.<ext>` per format in a directory.
    Dir(PathBuf),
}

/// The reports a run writes: which formats, where, on which matrix, with which cover.
#[derive(Debug, Clone)]
pub struct Outputs {
    /// Each once, in the order given.
    pub formats: Vec<Format>,
    pub target: Target,
    pub matrix: Matrix,
    pub cover: ReportOptions,
    pub frameworks: Frameworks,
}

impl Outputs {
    /// Checks the formats against the target and reads the matrix and the logo.
    pub fn from_args(args: &OutputArgs) -> Result<Outputs> {
        let mut formats: Vec<Format> = Vec::new();
        for f in &args.format {
            if !formats.contains(f) {
                formats.push(*f);
            }
        }
        if formats.len() > 1 && args.output_dir.is_none() {
            if args.output.is_some() {
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
        let target = match (&args.output_dir, &args.output) {
            (Some(dir), _) => Target::Dir(dir.clone()),
            (None, Some(file)) => Target::File(file.clone()),
            (None, None) => Target::Stdout,
        };
        Ok(Outputs {
            formats,
            target,
            matrix: Matrix::builtin(&args.matrix)?,
            cover: cover(
                &args.title,
                &args.customer,
                &args.assessor,
                args.logo.as_deref(),
            )?,
            frameworks: Frameworks::from_args(&args.frameworks)?,
        })
    }
}

/// The cover details; the logo file is read and embedded now.
pub fn cover(
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
