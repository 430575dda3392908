//! `cordon approve NAME[==VERSION]... --reason TEXT`: a person approves packages for AI coding
//! agents to add. `cordon vet` runs first (where the network allows) and its verdict is shown;
//! a `block` is not recorded without `--force`. The approval goes into
//! `.cordon/approvals.toml` at the project root, which the agent guard reads.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, bail};
use cordon_diagnostics::{OutputFormat, RenderOptions, render};
use cordon_guard::approvals::{self, Approval};
use cordon_python::settings::Env;
use cordon_vet::{Request, Verdict};
use jiff::Timestamp;

use crate::cli::ApproveArgs;
use crate::vet_cmd::Ctx;

/// Runs `cordon approve`; returns the exit code.
pub fn run(args: &ApproveArgs, cx: &Ctx<'_>) -> anyhow::Result<u8> {
    let requests = crate::vet_cmd::parse_requests(&args.packages)?;
    let reason = args.reason.trim();
    if reason.is_empty() {
        bail!("`--reason` is empty: say why the project needs the package");
    }
    let dir = args.project.clone().unwrap_or_else(|| PathBuf::from("."));
    let dir = std::fs::canonicalize(&dir).with_context(|| format!("{}", dir.display()))?;
    let Some(root) = cordon_guard::project::find_root(&dir) else {
        bail!(
            "no project at or above {}: approvals are kept beside pyproject.toml or uv.lock",
            dir.display()
        );
    };

    let mut verdicts: Vec<Option<&'static str>> = vec![None; requests.len()];
    if !args.no_vet {
        let plan = crate::vet_cmd::Plan {
            requests: requests.clone(),
            project_dir: root.clone(),
            index_url: None,
            deps: true,
            max_deps: 50,
            timeout: Duration::from_secs(30),
            deps_time_limit: Duration::from_mins(3),
            scan: true,
            offline: cx.offline,
            progress: cx.progress,
            env: cx.env,
            now: cx.now,
            notes: true,
        };
        match crate::vet_cmd::vet(&plan) {
            Ok(vetted) => {
                show(&vetted, cx.options)?;
                // The requested packages come first, in order.
                for (slot, v) in verdicts.iter_mut().zip(&vetted) {
                    *slot = Some(v.verdict.as_str());
                }
                let blocked: Vec<&str> = vetted
                    .iter()
                    .take(requests.len())
                    .filter(|v| v.verdict == Verdict::Block)
                    .map(|v| v.name.as_str())
                    .collect();
                if !blocked.is_empty() && !args.force {
                    eprintln!(
                        "cordon: not approved: `cordon vet` judges {} `block` (see above); pass \
                         --force to approve anyway",
                        blocked.join(", ")
                    );
                    return Ok(1);
                }
            }
            Err(e) => eprintln!(
                "cordon: `cordon vet` could not run ({e:#}); the approval is recorded without \
                 its verdict"
            ),
        }
    }

    let names: Vec<String> = requests.iter().map(describe).collect();
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            bail!(
                "approving needs a person: run it in a terminal to confirm, or pass --yes \
                 (agents may not run `cordon approve`)"
            );
        }
        eprint!(
            "Approve {} for AI coding agents to add to this project? [y/N] ",
            names.join(", ")
        );
        std::io::stderr().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "Yes") {
            eprintln!("cordon: not approved");
            return Ok(1);
        }
    }

    let by = approver(cx.env, &root);
    let at = Timestamp::from_second(cx.now.as_second())
        .unwrap_or(cx.now)
        .to_string();
    let new: Vec<Approval> = requests
        .iter()
        .zip(&verdicts)
        .map(|(r, v)| Approval {
            name: cordon_python::name::normalize(&r.name),
            version: r.version.clone(),
            reason: reason.to_owned(),
            by: by.clone(),
            at: at.clone(),
            vet: v.map(str::to_owned),
        })
        .collect();
    let path = approvals::record(&root, &new)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "approved {} for AI coding agents, by {by}; recorded in {}",
        names.join(", "),
        path.strip_prefix(&root).unwrap_or(&path).display()
    )?;
    Ok(0)
}

fn describe(r: &Request) -> String {
    match &r.version {
        Some(v) => format!("{}=={v}", r.name),
        None => r.name.clone(),
    }
}

/// Who approves: `CORDON_APPROVER`, else git's `user.name`, else the login name.
fn approver(env: &Env, root: &std::path::Path) -> String {
    if let Some(who) = env.get("CORDON_APPROVER").filter(|w| !w.trim().is_empty()) {
        return who.trim().to_owned();
    }
    let git = std::process::Command::new("git")
        .args(["config", "user.name"])
        .current_dir(root)
        .stderr(std::process::Stdio::null())
        .output();
    if let Ok(out) = git
        && out.status.success()
    {
        let name = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        if !name.is_empty() {
            return name;
        }
    }
    env.get("USER")
        .or_else(|| env.get("USERNAME"))
        .map_or_else(|| "unknown".to_owned(), ToOwned::to_owned)
}

/// `cordon vet`'s human report of the packages, before the approval.
fn show(vetted: &[cordon_vet::Vetted], options: &RenderOptions) -> anyhow::Result<()> {
    let report = crate::vet_cmd::report(vetted);
    let mut out = std::io::stdout().lock();
    render(&report, OutputFormat::Human, options, &mut out)?;
    writeln!(out)?;
    Ok(())
}
