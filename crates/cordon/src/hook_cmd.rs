//! `cordon hook AGENT`: the agent's payload from stdin (at most 4 MiB read), the answer from
//! `cordon_guard` to stdout. No project is loaded and nothing is spawned: an agent waits on
//! this for every tool call.

use std::io::{Read, Write};

use cordon_check::agents::Agent;
use cordon_guard::MAX_INPUT;

pub fn run(agent: Agent) -> anyhow::Result<u8> {
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
    let response = cordon_guard::handle(agent, &input);
    if let Some(note) = &response.note {
        eprintln!("{note}");
    }
    let mut out = std::io::stdout().lock();
    out.write_all(response.stdout.as_bytes())?;
    out.flush()?;
    Ok(u8::try_from(response.exit_code).unwrap_or(u8::MAX))
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
