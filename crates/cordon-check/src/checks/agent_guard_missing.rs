//! `agent-guard-missing`: an AI coding agent is configured in the project (`.claude/`,
//! `.cursor/`, `.codex/`, `.gemini/`, `.github/hooks/`) but `cordon hook <agent>` is not wired
//! into its pre-tool hooks, so nothing stops it from installing or adding a package.

use cordon_diagnostics::{Finding, Location, Where};

use crate::Context;
use crate::checks::Check;

crate::declare_check!(
    META,
    "agent-guard-missing",
    Agents,
    High,
    true,
    "an AI coding agent is configured but `cordon hook` is not wired into its hooks"
);

pub struct AgentGuardMissing;

impl Check for AgentGuardMissing {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for config in &cx.project.agents.configs {
            let agent = config.agent;
            let help = format!(
                "wire `{}` into {}'s pre-tool hook (see docs/checks.md#agent-guard-missing); `cordon init --agents {}` does it, keeping existing hooks",
                agent.hook_command(),
                agent.display(),
                agent.as_str()
            );
            if config.hook_files.iter().any(|h| h.wired) {
                continue;
            }
            for h in &config.hook_files {
                if let Some((message, offset)) = &h.invalid
                    && let Some(file) = cx.file(&h.source.path)
                {
                    let line = file.line_col(*offset).line;
                    out.push(cx.finding(
                        &META,
                        format!("{} cannot read its hook file: {message}", agent.display()),
                        help.clone(),
                        Location::line(file, line),
                    ));
                }
            }
            let at = config
                .hook_files
                .iter()
                .find(|h| h.invalid.is_none())
                .and_then(|h| cx.loc(&h.source.path, h.anchor.clone()))
                .map_or(Where::Project, Where::At);
            out.push(cx.finding(
                &META,
                format!(
                    "{} is configured here (`{}/`) but `{}` is not wired into its hooks",
                    agent.display(),
                    agent.config_dir(),
                    agent.hook_command()
                ),
                help,
                at,
            ));
        }
    }
}
