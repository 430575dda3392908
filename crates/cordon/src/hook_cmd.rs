//! `cordon hook AGENT [--vet]`: the agent's payload from stdin (at most 4 MiB read), the answer
//! from `cordon_guard` to stdout. The project is loaded only for a tool call that installs or
//! changes dependencies, and nothing is spawned unless `--vet` has packages to vet: an agent
//! waits on this for every tool call.

use std::io::{Read, Write};
use std::time::Duration;

use cordon_check::agents::Agent;
use cordon_guard::MAX_INPUT;

/// The limit on each request `--vet` makes.
const VET_REQUEST_TIMEOUT: Duration = Duration::from_secs(3);
/// Most packages `--vet` looks up for one tool call.
const VET_MAX: usize = 4;

pub fn run(agent: Agent, vet: bool) -> anyhow::Result<u8> {
    let mut input = Vec::new();
    let mut stdin = std::io::stdin().lock();
    let limit = u64::try_from(MAX_INPUT)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    // A failed read leaves what was read so far, which the guard judges like any other
    // unreadable input (by the installer names in its text).
    if let Err(err) = (&mut stdin).take(limit).read_to_end(&mut input) {
        eprintln!(
            "cordon hook {}: reading stdin failed: {err}",
            agent.as_str()
        );
    }
    if input.len() > MAX_INPUT {
        // Drain the rest unread so the agent's write does not fail on a closed pipe.
        let _ = std::io::copy(&mut stdin, &mut std::io::sink());
    }
    let extra = |outcome: &cordon_guard::Outcome, cwd: &std::path::Path| {
        if vet && !outcome.unapproved.is_empty() {
            Some(vet_summary(&outcome.unapproved, cwd))
        } else {
            None
        }
    };
    let (response, _) = cordon_guard::handle_with(agent, &input, &extra);
    if let Some(note) = &response.note {
        eprintln!("{note}");
    }
    let mut out = std::io::stdout().lock();
    out.write_all(response.stdout.as_bytes())?;
    out.flush()?;
    Ok(u8::try_from(response.exit_code).unwrap_or(u8::MAX))
}

/// `cordon vet`'s verdicts on `packages`, as a sentence for the agent: bounded in time (no
/// dependencies, no download, a short timeout per request), quiet on stderr.
fn vet_summary(packages: &[(String, Option<String>)], cwd: &std::path::Path) -> String {
    let env = cordon_python::settings::Env::from_process();
    let now = jiff::Timestamp::now();
    let requests: Vec<cordon_vet::Request> = packages
        .iter()
        .take(VET_MAX)
        .map(|(name, version)| cordon_vet::Request {
            name: name.clone(),
            version: version.clone(),
        })
        .collect();
    let plan = crate::vet_cmd::Plan {
        requests,
        project_dir: cwd.to_path_buf(),
        index_url: None,
        deps: false,
        max_deps: 0,
        timeout: VET_REQUEST_TIMEOUT,
        deps_time_limit: Duration::ZERO,
        scan: false,
        offline: false,
        progress: false,
        env: &env,
        now,
        notes: false,
    };
    let vetted = match crate::vet_cmd::vet(&plan) {
        Ok(v) => v,
        Err(e) => return format!("(cordon vet could not run: {e})"),
    };
    let parts: Vec<String> = vetted
        .iter()
        .map(|v| {
            let why: Vec<&str> = v
                .reasons
                .iter()
                .filter(|r| r.severity >= cordon_diagnostics::Severity::Medium)
                .map(|r| r.message.as_str())
                .take(2)
                .collect();
            let what = match &v.version {
                Some(ver) => format!("{} {ver}", v.name),
                None => v.name.clone(),
            };
            if why.is_empty() {
                format!("{what}: {}", v.verdict.as_str())
            } else {
                format!("{what}: {} ({})", v.verdict.as_str(), why.join("; "))
            }
        })
        .collect();
    format!("cordon vet says: {}.", parts.join("; "))
}

#[cfg(test)]
mod tests {
    use clap::ValueEnum;
    use cordon_check::agents::Agent;

    use crate::cli::HookAgent;

    #[test]
    fn hook_agent_names_are_the_agents_names() {
        assert_eq!(HookAgent::value_variants().len(), Agent::ALL.len());
        for a in HookAgent::value_variants() {
            let name = a.to_possible_value().unwrap().get_name().to_owned();
            assert_eq!(name, Agent::from(*a).as_str());
        }
    }
}
