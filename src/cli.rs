//! The command line, as clap definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::finding::Severity;
use crate::report::Format;

/// Cloud shared-responsibility posture scanner: of the security work that is the
/// customer's, what is done, what is not, and what could not be checked.
#[derive(Debug, Parser)]
#[command(name = "onus", version, about, long_about = None, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

pub const EXIT_CODES: &str = "\
Exit codes:
  0  nothing failed at or above --fail-on (or no --fail-on given)
  1  a result failed at or above --fail-on, or (with --fail-on-not-assessed) one could
     not be assessed
  2  error: bad input, bad rule, unreadable file";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Collect a snapshot of a cloud account (read-only) and save it.
    #[command(subcommand)]
    Collect(CollectCommand),
    /// Collect, evaluate and report in one run.
    #[command(subcommand)]
    Scan(ScanCommand),
    /// Evaluate a saved snapshot and write a report.
    Evaluate(EvaluateArgs),
    /// Write the assessment report (HTML, Markdown or PDF) from a results JSON or a snapshot.
    Report(ReportArgs),
    /// List, show and test rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Show a responsibility matrix.
    #[command(subcommand)]
    Matrix(MatrixCommand),
    /// List and show the compliance frameworks and how onus covers them.
    #[command(subcommand)]
    Frameworks(FrameworksCommand),
    /// Record today's failures, so later runs gate only on new ones.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Compare two runs (results JSON or snapshots): new, resolved and changed failures.
    Diff(DiffArgs),
    /// List resource kinds and the fields rules can read.
    Kinds {
        /// Show one kind's fields.
        kind: Option<String>,
    },
    /// Print shell completions.
    Completions { shell: clap_complete::Shell },
}

#[derive(Debug, Subcommand)]
pub enum CollectCommand {
    /// Snapshot an AWS account.
    Aws {
        #[command(flatten)]
        aws: AwsArgs,
        /// Where to write the snapshot (.json, .yaml or .yml).
        #[arg(long, short = 'o')]
        output: PathBuf,
    },
    /// Snapshot Azure subscriptions and their Entra ID tenant.
    Azure {
        #[command(flatten)]
        azure: AzureArgs,
        /// Where to write the snapshot (.json, .yaml or .yml).
        #[arg(long, short = 'o')]
        output: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ScanCommand {
    /// Scan an AWS account.
    Aws(Box<ScanAwsArgs>),
    /// Scan Azure subscriptions and their Entra ID tenant.
    Azure(Box<ScanAzureArgs>),
}

#[derive(Debug, Args)]
pub struct ScanAzureArgs {
    #[command(flatten)]
    pub azure: AzureArgs,
    /// Also save the collected snapshot here, to evaluate again later.
    #[arg(long, value_name = "FILE")]
    pub snapshot_out: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub rules: RuleArgs,
    #[command(flatten)]
    pub gate: GateArgs,
}

/// How a collector makes its API calls, and what it says while it does.
#[derive(Debug, Args)]
pub struct CallArgs {
    /// At most this many API calls in flight.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Attempts per API call, including the first, on throttling and transient errors.
    #[arg(long, default_value_t = 6)]
    pub max_attempts: u32,
    /// Seconds one API call may take, retries included.
    #[arg(long, default_value_t = 60)]
    pub call_timeout: u64,
    /// Print nothing but errors on standard error.
    #[arg(long, short = 'q', conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print every API call on standard error.
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

/// How to authenticate to Azure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AzureAuth {
    /// Service principal from AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET.
    Sp,
    /// Workload identity (AZURE_FEDERATED_TOKEN_FILE, as on AKS).
    Workload,
    /// Managed identity (App Service/Functions IDENTITY_ENDPOINT, or a VM's IMDS).
    ManagedIdentity,
    /// The Azure CLI's login (`az login`), then the Azure Developer CLI's.
    Cli,
}

/// Where and how to reach Azure. Without --auth, credentials are tried in this order:
/// environment service principal, workload identity, managed identity, Azure CLI, azd.
#[derive(Debug, Args)]
pub struct AzureArgs {
    /// Subscription to scan (repeatable). Default: every subscription the identity can list.
    #[arg(long = "subscription", value_name = "ID")]
    pub subscriptions: Vec<String>,
    /// Entra ID tenant to read through Microsoft Graph. Default: the subscriptions' tenant.
    #[arg(long, value_name = "ID")]
    pub tenant: Option<String>,
    /// Use this credential only instead of trying each in turn.
    #[arg(long, value_enum)]
    pub auth: Option<AzureAuth>,
    /// Azure Resource Manager endpoint (sovereign clouds: e.g. https://management.usgovcloudapi.net).
    #[arg(
        long,
        value_name = "URL",
        default_value = "https://management.azure.com"
    )]
    pub arm_endpoint: String,
    /// Microsoft Graph endpoint (sovereign clouds: e.g. https://graph.microsoft.us).
    #[arg(
        long,
        value_name = "URL",
        default_value = "https://graph.microsoft.com"
    )]
    pub graph_endpoint: String,
    /// Do not read Entra ID through Microsoft Graph (its rules are then not assessed).
    #[arg(long)]
    pub no_graph: bool,
    #[command(flatten)]
    pub calls: CallArgs,
}

#[derive(Debug, Args)]
pub struct ScanAwsArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Also save the collected snapshot here, to evaluate again later.
    #[arg(long, value_name = "FILE")]
    pub snapshot_out: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub rules: RuleArgs,
    #[command(flatten)]
    pub gate: GateArgs,
}

/// Where and how to reach AWS. Credentials come from the default chain: environment,
/// shared config and credentials files, SSO, assume-role profiles, web identity, IMDS.
#[derive(Debug, Args)]
pub struct AwsArgs {
    /// Named profile from the shared config files.
    #[arg(long)]
    pub profile: Option<String>,
    /// Regions to scan: a comma-separated list, or `all` (every region enabled for the
    /// account). Default: the configured region.
    #[arg(long, value_delimiter = ',')]
    pub regions: Vec<String>,
    /// Send every API call to this endpoint (also read from AWS_ENDPOINT_URL).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    #[command(flatten)]
    pub calls: CallArgs,
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Snapshot file (.json, .yaml or .yml).
    #[arg(required_unless_present = "sample", conflicts_with = "sample")]
    pub snapshot: Option<PathBuf>,
    /// Evaluate the bundled demo snapshot instead of a file.
    #[arg(long)]
    pub sample: bool,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub rules: RuleArgs,
    #[command(flatten)]
    pub gate: GateArgs,
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format; repeat it for several reports at once (they need --output-dir).
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    pub format: Vec<Format>,
    /// Write to this file instead of standard output (written atomically).
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Write each format to onus.<ext> in this directory (onus.json, onus.sarif,
    /// onus.junit.xml, onus.csv, onus.ocsf.json, onus.md, onus.html, onus.txt).
    #[arg(long, value_name = "DIR", conflicts_with = "output")]
    pub output_dir: Option<PathBuf>,
    /// Responsibility matrix: microsoft-2017 (default), microsoft-current, aws.
    #[arg(long, default_value = crate::matrix::DEFAULT)]
    pub matrix: String,
    /// Customer name for the report cover.
    #[arg(long)]
    pub customer: Option<String>,
    /// Report title.
    #[arg(long)]
    pub title: Option<String>,
    /// Who performed the assessment, for the report cover.
    #[arg(long)]
    pub assessor: Option<String>,
    /// Image for the report cover (PNG, JPEG, GIF, WebP or SVG; embedded in the file).
    #[arg(long, value_name = "FILE")]
    pub logo: Option<PathBuf>,
    #[command(flatten)]
    pub frameworks: FrameworkArgs,
}

/// Which compliance frameworks are assessed.
#[derive(Debug, Args)]
pub struct FrameworkArgs {
    /// Assess this compliance framework (repeatable; `onus frameworks list` lists them).
    /// Default: every built-in framework of the snapshot's provider; `none` for none.
    #[arg(long = "framework", value_name = "ID")]
    pub ids: Vec<String>,
}

/// The formats `onus report` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Single-file HTML report.
    Html,
    /// Markdown report.
    Md,
    /// The HTML report printed to PDF by a headless Chromium.
    Pdf,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A results JSON (`onus evaluate -f json`) or a snapshot (.json, .yaml or .yml), which is
    /// evaluated first.
    pub input: PathBuf,
    /// Report format.
    #[arg(long, short = 'f', value_enum, default_value = "html")]
    pub format: ReportFormat,
    /// Write to this file instead of standard output (written atomically).
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Responsibility matrix: microsoft-2017 (default), microsoft-current, aws. A results JSON
    /// keeps the matrix it was evaluated with.
    #[arg(long)]
    pub matrix: Option<String>,
    /// Customer name for the report cover.
    #[arg(long)]
    pub customer: Option<String>,
    /// Report title.
    #[arg(long)]
    pub title: Option<String>,
    /// Who performed the assessment, for the report cover.
    #[arg(long)]
    pub assessor: Option<String>,
    /// Image for the report cover (PNG, JPEG, GIF, WebP or SVG; embedded in the file).
    #[arg(long, value_name = "FILE")]
    pub logo: Option<PathBuf>,
    #[command(flatten)]
    pub rules: RuleArgs,
    #[command(flatten)]
    pub waivers: WaiverArgs,
    #[command(flatten)]
    pub frameworks: FrameworkArgs,
}

/// Where waivers come from.
#[derive(Debug, Args)]
pub struct WaiverArgs {
    /// Read waivers from this file instead of ./onus.yaml (read when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RuleArgs {
    /// Add the rules in this directory (repeatable). Ids must not clash with built-in rules.
    #[arg(long = "rules", value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Use only the rules from --rules, not the built-in ones.
    #[arg(long)]
    pub no_builtin_rules: bool,
}

#[derive(Debug, Args)]
pub struct GateArgs {
    /// Exit 1 when a result fails at or above this severity.
    #[arg(long, value_enum)]
    pub fail_on: Option<SeverityArg>,
    /// Exit 1 when any result could not be assessed (the scan was incomplete).
    #[arg(long)]
    pub fail_on_not_assessed: bool,
    /// Gate only on failures not in this baseline (from `onus baseline create`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    #[command(flatten)]
    pub waivers: WaiverArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SeverityArg {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl From<SeverityArg> for Severity {
    fn from(s: SeverityArg) -> Severity {
        match s {
            SeverityArg::Critical => Severity::Critical,
            SeverityArg::High => Severity::High,
            SeverityArg::Medium => Severity::Medium,
            SeverityArg::Low => Severity::Low,
            SeverityArg::Info => Severity::Info,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the rules.
    List {
        #[command(flatten)]
        rules: RuleArgs,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show one rule in full.
    Show {
        id: String,
        #[command(flatten)]
        rules: RuleArgs,
    },
    /// Check every rule against its fixtures: FIXTURES/<rule-id>/fail.yaml must fail,
    /// FIXTURES/<rule-id>/pass.yaml must pass.
    Test {
        /// Directory of fixtures.
        #[arg(long, value_name = "DIR")]
        fixtures: PathBuf,
        #[command(flatten)]
        rules: RuleArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Write a baseline of the failures in a results JSON (`onus evaluate -f json`).
    Create {
        /// Results JSON written by `onus evaluate -f json` or `onus scan aws -f json`.
        results: PathBuf,
        /// Where to write the baseline (written atomically).
        #[arg(long, short = 'o')]
        output: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier run: a results JSON (`-f json`) or a snapshot (evaluated with the rules).
    pub old: PathBuf,
    /// The later run, likewise.
    pub new: PathBuf,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    pub format: DiffFormat,
    /// Write to this file instead of standard output (written atomically).
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Exit 1 when a new, unwaived failure is at or above this severity.
    #[arg(long, value_enum)]
    pub fail_on: Option<SeverityArg>,
    /// Matrix for evaluating snapshots.
    #[arg(long, default_value = crate::matrix::DEFAULT)]
    pub matrix: String,
    #[command(flatten)]
    pub rules: RuleArgs,
    #[command(flatten)]
    pub waivers: WaiverArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// A listing for the terminal.
    Text,
    /// Markdown, for a pull-request comment.
    Md,
    /// Machine-readable.
    Json,
}

#[derive(Debug, Subcommand)]
pub enum FrameworksCommand {
    /// List the built-in frameworks.
    List,
    /// Show a framework's requirements and the rules that implement them.
    Show {
        id: String,
        /// Only the counts: requirements automated and manual, covered by onus fully, in part
        /// or not.
        #[arg(long)]
        coverage: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum MatrixCommand {
    /// Print a matrix.
    Show {
        #[arg(long, default_value = crate::matrix::DEFAULT)]
        matrix: String,
    },
    /// List the built-in matrices.
    List,
}
