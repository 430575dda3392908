//! `cordon init` and `cordon check --fix`: wiring the planner of `cordon-init` to the command
//! line, and printing what it did (or, with `--dry-run`, a diff of what it would do).

use std::io::Write;
use std::path::Path;

use cordon_diagnostics::Finding;
use cordon_init::init::{self, Options, Outcome, Scope};
use cordon_init::{agents, ci, diff};
use cordon_python::settings::Env;

use crate::cli::{Format, InitArgs};

/// Runs `cordon init`; returns the exit code.
pub fn run(
    args: &InitArgs,
    format: Format,
    offline: bool,
    env: &Env,
    now: jiff::Timestamp,
) -> anyhow::Result<u8> {
    let path = args.path.clone().unwrap_or_else(|| ".".into());
    let no_agents = args
        .agents
        .as_deref()
        .is_some_and(|s| s.trim().eq_ignore_ascii_case("none"));
    let agents = match args.agents.as_deref() {
        Some(s) if !no_agents => Some(agents::parse_list(s)?),
        _ => None,
    };
    let provider = args
        .ci
        .as_deref()
        .map(str::parse::<ci::Provider>)
        .transpose()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let root = if path.is_file() {
        path.parent().unwrap_or(Path::new(".")).to_path_buf()
    } else {
        path.clone()
    };
    if args.global {
        let options = Options {
            scope: Scope {
                agents: None,
                ..Scope::init(&root, Some(Vec::new()), None, false)
            },
            dry_run: args.dry_run,
            now,
            offline,
        };
        let (outcome, file) = init::run_global(env, &options)?;
        let mut out = std::io::stdout().lock();
        print_outcome(
            &mut out,
            format,
            &outcome,
            file.parent().unwrap_or(&root),
            args.dry_run,
            "init",
        )?;
        if format == Format::Human && !outcome.changes.is_empty() {
            writeln!(
                out,
                "note: a project's own [tool.uv] or uv.toml still wins for any setting it sets; run `cordon init` in each project too"
            )?;
        }
        return Ok(0);
    }
    let mut scope = Scope::init(&root, agents, provider, args.migrate);
    if no_agents {
        scope.agents = None;
    }
    let options = Options {
        scope,
        dry_run: args.dry_run,
        now,
        offline,
    };
    let outcome = init::run(&path, env, &options)?;
    let mut out = std::io::stdout().lock();
    let shown_root = std::fs::canonicalize(&root).unwrap_or(root.clone());
    print_outcome(
        &mut out,
        format,
        &outcome,
        &shown_root,
        args.dry_run,
        "init",
    )?;
    Ok(u8::from(!outcome.manual.is_empty()))
}

/// `cordon check --fix`: what the fixable findings call for, done with init's edit code.
/// Returns the outcome (printed to stderr) so the caller can check again.
pub fn fix(
    path: &Path,
    env: &Env,
    findings: &[Finding],
    now: jiff::Timestamp,
    offline: bool,
) -> anyhow::Result<Option<Outcome>> {
    let ids: Vec<&str> = findings
        .iter()
        .filter(|f| f.fixable)
        .map(|f| f.id)
        .collect();
    let Some(scope) = cordon_init::fix::scope_for(path, &ids) else {
        return Ok(None);
    };
    let outcome = init::run(
        path,
        env,
        &Options {
            scope,
            dry_run: false,
            now,
            offline,
        },
    )?;
    let root = std::fs::canonicalize(path).unwrap_or(path.to_path_buf());
    let mut err = std::io::stderr().lock();
    print_outcome(&mut err, Format::Human, &outcome, &root, false, "fix")?;
    Ok(Some(outcome))
}

fn print_outcome(
    out: &mut dyn Write,
    format: Format,
    outcome: &Outcome,
    root: &Path,
    dry_run: bool,
    command: &str,
) -> anyhow::Result<()> {
    let rel = |p: &Path| {
        let p = std::fs::canonicalize(p).unwrap_or(p.to_path_buf());
        init::display(root, &p)
    };
    if format == Format::Json {
        let value = serde_json::json!({
            "tool": "cordon",
            "version": env!("CARGO_PKG_VERSION"),
            "format_version": 1,
            "command": command,
            "dry_run": dry_run,
            "changes": outcome.changes.iter().map(|c| serde_json::json!({
                "path": rel(&c.path),
                "created": c.before.is_none(),
                "what": c.what,
            })).collect::<Vec<_>>(),
            "manual": outcome.manual.iter().map(|m| serde_json::json!({
                "path": rel(&m.path),
                "line": m.line,
                "column": m.column,
                "before": m.before,
                "after": m.after,
                "why": m.why,
            })).collect::<Vec<_>>(),
            "notes": outcome.notes,
            "uv": outcome.uv_runs,
        });
        serde_json::to_writer_pretty(&mut *out, &value)?;
        writeln!(out)?;
        return Ok(());
    }
    if dry_run {
        for c in &outcome.changes {
            let label = rel(&c.path);
            write!(
                out,
                "{}",
                diff::unified(&label, c.before.as_deref(), &c.after, 3)
            )?;
        }
    } else {
        for c in &outcome.changes {
            let created = if c.before.is_none() { " (created)" } else { "" };
            writeln!(out, "{}{created}", rel(&c.path))?;
            for w in &c.what {
                writeln!(out, "  - {w}")?;
            }
        }
    }
    if !outcome.manual.is_empty() {
        writeln!(
            out,
            "cordon did not edit these lines safely; make the change by hand:"
        )?;
        for m in &outcome.manual {
            writeln!(
                out,
                "  {}:{}:{}: `{}` → `{}`",
                rel(&m.path),
                m.line,
                m.column,
                m.before,
                m.after
            )?;
            writeln!(out, "    ({})", m.why)?;
        }
    }
    for n in &outcome.notes {
        writeln!(out, "note: {n}")?;
    }
    if !outcome.uv_runs.is_empty() {
        writeln!(out, "ran: {}", outcome.uv_runs.join("; "))?;
    }
    if outcome.is_empty() {
        writeln!(out, "already hardened: nothing to change")?;
    } else if dry_run {
        writeln!(out, "dry run: nothing was written")?;
    }
    Ok(())
}
