//! The command line, as clap derives it. Options shared by every command sit in [`GlobalArgs`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use cordon_diagnostics::Severity;

/// cordon: a supply-chain guard for Python projects built around uv.
#[derive(Debug, Parser)]
#[command(name = "cordon", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub global: GlobalArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit a project: cooldown, uv configuration, pinning and lockfile policy.
    Check(CheckArgs),
    /// Harden a project: cooldown, exact pins, pinned uv, a fresh lock, CI and agent guards.
    Init(InitArgs),
    /// Vet packages before they are added: existence, age, status, look-alike names, known
    /// malicious and vulnerable releases, provenance, a scan of the artifact, and the same for
    /// what each would bring in (network).
    Vet(VetArgs),
    /// Static malicious-code scan of wheels, sdists, folders, a virtual environment or a lock.
    Scan(ScanArgs),
    /// Agent hook: read the agent's pre-tool-use JSON on stdin and answer in its protocol.
    Hook(HookArgs),
    /// Record a person's approval of packages for AI coding agents to add (runs `cordon vet`
    /// first and shows its verdict).
    Approve(ApproveArgs),
    /// Reference data: popular package names, malicious-package records, advisories.
    Intel(IntelArgs),
}

#[derive(Debug, Args)]
pub struct IntelArgs {
    #[command(subcommand)]
    pub action: IntelAction,
}

#[derive(Debug, Subcommand)]
pub enum IntelAction {
    /// Load reference data from files, folders or zip archives: the top-packages JSON
    /// (`{"rows": [{"project": ...}]}`) and OSV records (malicious `MAL-*` and advisories).
    Import {
        /// Files, folders (read recursively) or zip archives.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Download the reference data and load it as `import` does: the top-packages list and
    /// OSV's PyPI records. Needs the network; with `--offline`, use `import` on files fetched
    /// elsewhere.
    Update {
        /// Download from this URL instead of the defaults (repeatable). Default: the URLs in
        /// `CORDON_INTEL_SOURCES` (separated by whitespace or commas), else the public
        /// top-packages list and OSV's PyPI export.
        #[arg(long = "source", value_name = "URL")]
        source: Vec<String>,
        /// Give up on a source after this many seconds (default: 300).
        #[arg(
            long,
            value_name = "SECONDS",
            value_parser = clap::value_parser!(u64).range(1..=86_400)
        )]
        timeout: Option<u64>,
        /// The global `--offline`.
        #[arg(from_global)]
        offline: bool,
        /// The global `-q`.
        #[arg(from_global)]
        quiet: u8,
    },
    /// Show what reference data is loaded, where it came from and how old it is.
    Status,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human, global = true)]
    pub format: Format,
    /// Exit with 1 when a finding is at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Low, global = true)]
    pub fail_on: FailOn,
    /// Use no network: `check` never does; `init` and `check --fix` run uv with `--offline`.
    #[arg(long, global = true)]
    pub offline: bool,
    /// Show no progress bars.
    #[arg(long, global = true)]
    pub no_progress: bool,
    /// Show only findings at or above `--fail-on`.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub quiet: u8,
    /// Say more about what was read.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// When to use colors (`NO_COLOR` is respected with `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The project directory (or its pyproject.toml). Default: the current directory.
    pub path: Option<PathBuf>,
    /// Measure cooldowns from this moment (RFC 3339) instead of the clock; also `CORDON_NOW`.
    #[arg(long)]
    pub now: Option<String>,
    /// Also run `uv lock --check --offline` (uv from `CORDON_UV` or PATH) and report its verdict.
    #[arg(long)]
    pub uv: bool,
    /// List every check id and exit.
    #[arg(long)]
    pub list: bool,
    /// Repair the fixable findings with `cordon init`'s edit code (runs `uv lock` when the
    /// manifests change), then check again.
    #[arg(long)]
    pub fix: bool,
}

#[derive(Debug, Args)]
pub struct VetArgs {
    /// Packages to vet: `NAME` (the release uv would install under the cooldown) or
    /// `NAME==VERSION`.
    #[arg(required = true, value_name = "NAME[==VERSION]")]
    pub packages: Vec<String>,
    /// The index to ask (the simple API root). Default: `CORDON_INDEX_URL`, else the index uv
    /// would use here, else the registry `uv.lock` records.
    #[arg(long, value_name = "URL")]
    pub index_url: Option<String>,
    /// The project whose cooldown, policy, uv configuration and lock apply (default: the
    /// current directory; none is needed).
    #[arg(long, value_name = "PATH")]
    pub project: Option<std::path::PathBuf>,
    /// Exit with 1 for a package judged `review` too, not only `block`.
    #[arg(long)]
    pub strict: bool,
    /// Do not resolve and vet what the packages would bring in.
    #[arg(long)]
    pub no_deps: bool,
    /// Vet at most this many packages brought in, for all requested packages together.
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub max_deps: usize,
    /// Limit on each network request, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
    /// Limit on resolving and vetting what the packages bring in, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 180)]
    pub deps_time_limit: u64,
    /// Do not download and scan the artifacts.
    #[arg(long)]
    pub no_scan: bool,
    /// Judge ages from this moment (RFC 3339) instead of the clock; also `CORDON_NOW`.
    #[arg(long)]
    pub now: Option<String>,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Wheels, sdists (.tar.gz, .zip, .tar.bz2) and folders to scan.
    pub paths: Vec<PathBuf>,
    /// Scan every artifact `uv.lock` names for this platform, downloaded from the lock's URLs,
    /// hash-verified and cached (PATH: the lock or its project; default: the current directory).
    #[arg(long, value_name = "PATH", num_args = 0..=1, default_missing_value = ".")]
    pub lock: Option<PathBuf>,
    /// With `--lock`: every platform's wheels and the sdist, not only this platform's.
    #[arg(long, requires = "lock")]
    pub all_platforms: bool,
    /// Scan a virtual environment: every installed distribution, stray `.pth` files and files
    /// no RECORD lists.
    #[arg(long, value_name = "PATH")]
    pub venv: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The project directory (or its pyproject.toml). Default: the current directory.
    pub path: Option<PathBuf>,
    /// Write the uv settings into the user's uv.toml instead of a project.
    #[arg(long, conflicts_with_all = ["migrate", "agents", "ci"])]
    pub global: bool,
    /// Print a unified diff of every file that would change, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Turn a project managed by requirements files into a uv project first.
    #[arg(long)]
    pub migrate: bool,
    /// Agents to guard: a comma-separated list of claude, cursor, codex, gemini, copilot, or
    /// `none`. Default: the agents whose configuration exists in the project.
    #[arg(long, value_name = "LIST")]
    pub agents: Option<String>,
    /// Write a CI job that installs only what the lock names and runs `cordon check`.
    #[arg(long, value_name = "github|gitlab")]
    pub ci: Option<String>,
    /// The moment cooldowns are measured from (RFC 3339), for explaining a failed resolution;
    /// also `CORDON_NOW`.
    #[arg(long)]
    pub now: Option<String>,
}

#[derive(Debug, Args)]
pub struct HookArgs {
    /// The agent whose hook protocol to speak.
    #[arg(value_enum)]
    pub agent: HookAgent,
    /// On a refusal, add `cordon vet`'s verdict on the packages nobody approved to the reason
    /// (network; at most a few seconds).
    #[arg(long)]
    pub vet: bool,
}

#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// Packages to approve: `NAME` (any version) or `NAME==VERSION`.
    #[arg(required = true, value_name = "NAME[==VERSION]")]
    pub packages: Vec<String>,
    /// Why the project needs it (recorded with the approval).
    #[arg(long, required = true)]
    pub reason: String,
    /// The project (default: the one containing the current directory).
    #[arg(long, value_name = "PATH")]
    pub project: Option<PathBuf>,
    /// Record the approval even when `cordon vet` judges a package `block`.
    #[arg(long)]
    pub force: bool,
    /// Do not ask for confirmation (without a terminal, it is required).
    #[arg(short, long)]
    pub yes: bool,
    /// Do not run `cordon vet` first.
    #[arg(long)]
    pub no_vet: bool,
    /// The moment recorded (RFC 3339) instead of the clock; also `CORDON_NOW`.
    #[arg(long)]
    pub now: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum HookAgent {
    Claude,
    Cursor,
    Codex,
    Gemini,
    Copilot,
}

impl From<HookAgent> for cordon_check::agents::Agent {
    fn from(a: HookAgent) -> Self {
        match a {
            HookAgent::Claude => Self::Claude,
            HookAgent::Cursor => Self::Cursor,
            HookAgent::Codex => Self::Codex,
            HookAgent::Gemini => Self::Gemini,
            HookAgent::Copilot => Self::Copilot,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FailOn {
    High,
    Medium,
    Low,
    Info,
}

impl From<FailOn> for Severity {
    fn from(f: FailOn) -> Self {
        match f {
            FailOn::High => Severity::High,
            FailOn::Medium => Severity::Medium,
            FailOn::Low => Severity::Low,
            FailOn::Info => Severity::Info,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}
