//! `agent-policy-missing`: no dependency policy in the files AI coding agents read, or one that
//! an agent in use here never sees (Claude Code reads CLAUDE.md, not AGENTS.md). The policy is
//! the marked block described in `crate::agents`.

use cordon_diagnostics::{Finding, Where};

use crate::Context;
use crate::agents::{Agent, POLICY_END, POLICY_START};
use crate::checks::Check;

crate::declare_check!(
    META,
    "agent-policy-missing",
    Agents,
    Medium,
    true,
    "no dependency policy in the instruction files AI coding agents read"
);

pub struct AgentPolicyMissing;

const HELP: &str = "add the cordon dependency-policy block to AGENTS.md (see docs/checks.md#agent-policy-missing); `cordon init --agents` writes it";

impl Check for AgentPolicyMissing {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let root = &cx.project.root;
        let agents = &cx.project.agents;
        for i in &agents.instructions {
            if let (Some(span), None) = (&i.unclosed, &i.policy)
                && let Some(at) = cx.loc(&i.source.path, span.clone())
            {
                out.push(cx.finding(
                        &META,
                        format!("the dependency-policy block is opened but never closed with `{POLICY_END}`"),
                        format!("close the block with `{POLICY_END}` so cordon (and `cordon init`) can find its end"),
                        at,
                    ));
            }
        }
        let has = |name: &str| {
            agents
                .instructions_named(root, name)
                .is_some_and(|i| i.policy.is_some())
        };
        let any_policy = agents.instructions.iter().any(|i| i.policy.is_some());
        if !any_policy {
            // A project that shows no sign of agents gets no finding: the check would only
            // add noise to every CI run of a team that does not use them.
            if agents.instructions.is_empty() && agents.configs.is_empty() {
                return;
            }
            let at = agents
                .instructions_named(root, "AGENTS.md")
                .or_else(|| agents.instructions.first())
                .and_then(|i| cx.loc(&i.source.path, 0..0))
                .map_or(Where::Project, Where::At);
            out.push(cx.finding(
                &META,
                format!("no dependency policy (a `{POLICY_START}` block) in the files AI coding agents read"),
                HELP,
                at,
            ));
            return;
        }
        let agents_md = has("AGENTS.md");
        for config in &agents.configs {
            let reached = match config.agent {
                Agent::Claude => {
                    has("CLAUDE.md")
                        || has("CLAUDE.local.md")
                        || agents.instructions.iter().any(|i| {
                            i.source.path.starts_with(root.join(".claude/rules"))
                                && i.policy.is_some()
                        })
                        || (agents_md && agents.instructions.iter().any(|i| i.imports_agents_md))
                }
                Agent::Gemini => {
                    has("GEMINI.md")
                        || (agents_md
                            && std::fs::read_to_string(root.join(".gemini/settings.json"))
                                .is_ok_and(|t| t.contains("AGENTS.md")))
                }
                Agent::Cursor => {
                    agents_md
                        || agents.instructions.iter().any(|i| {
                            i.source.path.starts_with(root.join(".cursor/rules"))
                                && i.policy.is_some()
                        })
                }
                Agent::Codex => agents_md,
                Agent::Copilot => agents_md || has(".github/copilot-instructions.md"),
            };
            if reached {
                continue;
            }
            let (message, help) = match config.agent {
                Agent::Claude if agents_md => (
                    "Claude Code is used here but does not read AGENTS.md, which holds the dependency policy".to_owned(),
                    "add a line `@AGENTS.md` to CLAUDE.md so Claude Code imports the policy".to_owned(),
                ),
                Agent::Gemini if agents_md => (
                    "Gemini CLI is used here but does not read AGENTS.md, which holds the dependency policy".to_owned(),
                    "set `\"context\": {\"fileName\": [\"AGENTS.md\", \"GEMINI.md\"]}` in .gemini/settings.json, or copy the block into GEMINI.md".to_owned(),
                ),
                agent => (
                    format!("{} is used here but none of the files it reads holds the dependency policy", agent.display()),
                    HELP.to_owned(),
                ),
            };
            out.push(cx.finding(&META, message, help, Where::Project));
        }
    }
}
