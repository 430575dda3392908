//! The `cordon` binary: argument parsing, wiring and exit codes. Business rules live in the
//! library crates; this file only connects them.

mod approve_cmd;
mod cli;
mod errors;
mod hook_cmd;
mod init_cmd;
mod intel_cmd;
mod scan_cmd;
mod vet_cmd;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use cordon_check::{CheckOptions, Policy, Project, run_checks};
use cordon_diagnostics::{OutputFormat, RenderOptions, render};
use cordon_python::settings::Env;

use crate::cli::{Cli, ColorChoice, Command, Format};

/// Exit codes (see the README).
const EXIT_OK: u8 = 0;
const EXIT_FINDINGS: u8 = 1;
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) if is_broken_pipe(&err) => ExitCode::from(EXIT_OK),
        Err(err) => {
            let color = use_color(cli.global.color, std::io::stderr().is_terminal());
            errors::print_error(&err, color);
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// A reader that closed the pipe early (`cordon check | head`) is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.downcast_ref::<std::io::Error>()
        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}

fn use_color(choice: ColorChoice, tty: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

fn run(cli: &Cli) -> anyhow::Result<u8> {
    match &cli.command {
        Command::Check(args) => {
            if args.list {
                let mut out = std::io::stdout().lock();
                for m in cordon_check::checks::all_meta() {
                    writeln!(
                        out,
                        "{:<28} {:<8} {:<13} {}",
                        m.id,
                        m.severity,
                        m.family.as_str(),
                        m.summary
                    )?;
                }
                return Ok(EXIT_OK);
            }
            let env = Env::from_process();
            let now = resolve_now(args.now.as_deref(), &env)?;
            let path = args.path.clone().unwrap_or_else(|| ".".into());
            if args.fix {
                let project = Project::load(&path, &env)?;
                let policy = Policy::load(&project.root, project.pyproject.as_ref())?;
                let report = run_checks(
                    &project,
                    &policy,
                    &CheckOptions {
                        now,
                        uv_lock_check: None,
                        names: None,
                    },
                );
                init_cmd::fix(
                    &project.root,
                    &env,
                    &report.findings,
                    now,
                    cli.global.offline,
                )?;
            }
            let project = Project::load(&path, &env)?;
            if cli.global.verbose > 0 {
                for f in &project.settings.files {
                    eprintln!(
                        "cordon: read {} ({})",
                        f.source.path.display(),
                        f.origin.describe()
                    );
                }
            }
            if let Some(lock) = &project.lock {
                for w in &lock.warnings {
                    eprintln!("warning: {}: {}", project.rel(&lock.source.path), w.message);
                }
            }
            let policy = Policy::load(&project.root, project.pyproject.as_ref())?;
            let uv_lock_check = if args.uv {
                let uv = env.get("CORDON_UV").map(ToOwned::to_owned);
                let verdict = cordon_check::uv::uv_lock_check(&project.root, uv.as_deref());
                if verdict.up_to_date.is_none() {
                    anyhow::bail!(
                        "`uv lock --check --offline` could not give a verdict: {}",
                        verdict.output
                    );
                }
                Some(verdict)
            } else {
                None
            };
            let names = load_names(now);
            let report = run_checks(
                &project,
                &policy,
                &CheckOptions {
                    now,
                    uv_lock_check,
                    names,
                },
            );
            let stdout = std::io::stdout();
            let format = output_format(cli.global.format);
            let options = render_options(cli);
            let mut report = report;
            if cli.global.quiet > 0 && format == OutputFormat::Human {
                report
                    .findings
                    .retain(|f| f.severity >= cli.global.fail_on.into());
            }
            let mut out = stdout.lock();
            render(&report, format, &options, &mut out)?;
            out.flush()?;
            Ok(if report.fails(cli.global.fail_on.into()) {
                EXIT_FINDINGS
            } else {
                EXIT_OK
            })
        }
        Command::Init(args) => {
            let env = Env::from_process();
            let now = resolve_now(args.now.as_deref(), &env)?;
            init_cmd::run(args, cli.global.format, cli.global.offline, &env, now)
        }
        Command::Hook(args) => hook_cmd::run(args.agent.into(), args.vet),
        Command::Approve(args) => {
            with_vet_ctx(cli, args.now.as_deref(), |cx| approve_cmd::run(args, cx))
        }
        Command::Intel(args) => {
            let env = Env::from_process();
            let now = resolve_now(None, &env)?;
            intel_cmd::run(&args.action, cli.global.format, now)
        }
        Command::Vet(args) => with_vet_ctx(cli, args.now.as_deref(), |cx| vet_cmd::run(args, cx)),
        Command::Scan(args) => {
            let options = render_options(cli);
            scan_cmd::run(
                args,
                output_format(cli.global.format),
                &options,
                cli.global.offline,
                !cli.global.no_progress,
            )
        }
    }
}

/// The reference data for the name checks, with a note on stderr when it is missing or stale
/// (the checks that need it then do not run).
pub(crate) fn load_names(now: jiff::Timestamp) -> Option<std::sync::Arc<cordon_check::Names>> {
    names_from_store(now, true)
}

/// [`load_names`] without notes on stderr (for the agent hook, whose stderr a user may see).
pub(crate) fn load_names_quietly(
    now: jiff::Timestamp,
) -> Option<std::sync::Arc<cordon_check::Names>> {
    names_from_store(now, false)
}

fn names_from_store(
    now: jiff::Timestamp,
    notes: bool,
) -> Option<std::sync::Arc<cordon_check::Names>> {
    let store = cordon_intel::store::Store::default_location()?;
    let read = || -> Result<_, cordon_intel::store::StoreError> {
        Ok((
            store.popular()?,
            store.malicious()?,
            store.advisories()?,
            store.status()?,
        ))
    };
    let (popular, malicious, advisories, status) = match read() {
        Ok(v) => v,
        Err(e) => {
            if notes {
                eprintln!("cordon: warning: reference data unreadable, name checks skipped: {e}");
            }
            return None;
        }
    };
    if popular.is_none() && malicious.is_none() && advisories.is_none() {
        if !notes {
            return None;
        }
        eprintln!(
            "cordon: note: no reference data, so typosquat-suspect, known-malicious and \
             known-vulnerable did not run: load it with `cordon intel update` (offline: `cordon \
             intel import FILE...`)"
        );
        return None;
    }
    for (kind, part) in &status {
        if let Some(t) = part.updated
            && notes
            && intel_cmd::stale(t, now)
        {
            eprintln!(
                "cordon: warning: the {} are {} days old: run `cordon intel update`",
                kind.label(),
                now.duration_since(t).as_hours() / 24
            );
        }
    }
    Some(std::sync::Arc::new(cordon_check::Names {
        popular: popular
            .map(|p| cordon_intel::typosquat::Popular::new(p.iter().map(String::as_str))),
        malicious,
        advisories,
        tuning: cordon_intel::typosquat::Tuning::default(),
    }))
}

/// How reports are drawn on stdout: colours per `--color` and the terminal.
fn render_options(cli: &Cli) -> RenderOptions {
    RenderOptions {
        color: use_color(cli.global.color, std::io::stdout().is_terminal()),
        tool_version: env!("CARGO_PKG_VERSION"),
    }
}

/// Runs `f` with the context the network commands (`vet`, `approve`) share.
fn with_vet_ctx(
    cli: &Cli,
    now: Option<&str>,
    f: impl FnOnce(&vet_cmd::Ctx<'_>) -> anyhow::Result<u8>,
) -> anyhow::Result<u8> {
    let env = Env::from_process();
    let now = resolve_now(now, &env)?;
    let options = render_options(cli);
    f(&vet_cmd::Ctx {
        format: output_format(cli.global.format),
        options: &options,
        offline: cli.global.offline,
        progress: !cli.global.no_progress,
        env: &env,
        now,
    })
}

fn output_format(format: Format) -> OutputFormat {
    match format {
        Format::Human => OutputFormat::Human,
        Format::Json => OutputFormat::Json,
        Format::Sarif => OutputFormat::Sarif,
        Format::Github => OutputFormat::Github,
    }
}

/// `--now`, else `CORDON_NOW`, else the clock.
fn resolve_now(flag: Option<&str>, env: &Env) -> anyhow::Result<jiff::Timestamp> {
    Ok(match (flag, env.get("CORDON_NOW")) {
        (Some(s), _) => parse_now(s, "--now")?,
        (None, Some(s)) => parse_now(s, "CORDON_NOW")?,
        (None, None) => jiff::Timestamp::now(),
    })
}

fn parse_now(s: &str, from: &str) -> anyhow::Result<jiff::Timestamp> {
    s.parse::<jiff::Timestamp>()
        .map_err(|e| anyhow::anyhow!("invalid {from} `{s}`: {e}; expected an RFC 3339 timestamp such as `2026-11-26T00:00:00Z`"))
}
