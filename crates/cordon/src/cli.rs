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
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human, global = true)]
    pub format: Format,
    /// Exit with 1 when a finding is at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Low, global = true)]
    pub fail_on: FailOn,
    /// Use no network (check never does; accepted for symmetry with other commands).
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
