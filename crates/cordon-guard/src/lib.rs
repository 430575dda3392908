//! The agent guard behind `cordon hook AGENT`: reads an AI coding agent's pre-tool-use hook
//! payload and answers in that agent's protocol (one file per agent in `protocol/`).
//!
//! What is inspected today:
//!
//! - **Shell commands** (Claude Code `Bash`/`PowerShell`, Codex `Bash`, Cursor
//!   `beforeShellExecution`, Gemini CLI `run_shell_command`, Copilot `bash`): denied when they
//!   install Python packages, with a reason for the agent — see [`decide_command`] for the exact
//!   rules. `uv sync --locked` and every command that installs nothing are allowed, silently
//!   where the protocol allows it. Any other tool call that carries a `command` (an MCP shell
//!   tool, a shell tool renamed in a newer agent release) is read the same way: fail closed.
//! - **Unreadable input** (empty, not UTF-8, not JSON, another agent's shape, over
//!   [`MAX_INPUT`]): denied when the raw text names a Python installer (pip, uv, uvx, pipx,
//!   poetry, pdm, conda, mamba, pixi, easy_install, …), allowed otherwise; either way
//!   [`Response::note`] says what was wrong. cordon never crashes on input and always exits 0,
//!   because Claude Code and Gemini CLI read exit 2 as "block" and other codes as "proceed".
//!
//! Not inspected yet (allowed silently): file edits (`Write`/`Edit`, `apply_patch`, Gemini
//! `write_file`/`replace`, Copilot `edit`/`create`), so an agent can still add a dependency by
//! editing `pyproject.toml`, a requirements file or a PEP 723 script header and then running
//! `uv sync --locked`/`uv lock`; reads; MCP tools without a `command`; the agents' other hook
//! events. Approvals (`cordon approve`) do not exist yet either: every package install is
//! denied, and the agent is told to ask the user.
//!
//! The guard loads no project and spawns nothing: it answers in well under a millisecond.

mod decide;
mod protocol;

use cordon_check::agents::Agent;
use serde_json::Value;

pub use decide::{Decision, decide_command};

use crate::protocol::Event;

/// The most input `cordon hook` reads; larger input is unreadable (and judged by its text).
pub const MAX_INPUT: usize = 4 * 1024 * 1024;

/// The answer to one hook call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// What to write on stdout, byte for byte (empty when the protocol wants no output).
    pub stdout: String,
    /// The process exit code: always 0, the decision is in `stdout`.
    pub exit_code: i32,
    /// One line for stderr, set when the input could not be read.
    pub note: Option<String>,
}

/// Why a payload could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("the hook input is empty")]
    Empty,
    #[error("the hook input is larger than {} MiB", MAX_INPUT / (1024 * 1024))]
    TooLarge,
    #[error("the hook input is not UTF-8")]
    NotUtf8,
    #[error("the hook input is not JSON ({0})")]
    NotJson(String),
    #[error("the hook input is not a JSON object")]
    NotObject,
    #[error("the hook input has {0}")]
    Shape(String),
}

/// Answers one hook call: `input` is what the agent wrote on stdin.
pub fn handle(agent: Agent, input: &[u8]) -> Response {
    match read_event(agent, input) {
        Ok(Event::Shell(cmd)) => respond(agent, &decide_command(&cmd), None),
        Ok(Event::Other) => respond(agent, &Decision::Allow, None),
        Err(err) => {
            let text = String::from_utf8_lossy(&input[..input.len().min(MAX_INPUT)]);
            let (decision, verdict) = if cordon_shell::mentions_installer(&text) {
                (
                    Decision::Deny(format!(
                        "cordon could not read the hook input ({err}) and it names a Python installer, so the tool call is blocked. Ask the user to run the command."
                    )),
                    "denied: it names a Python installer",
                )
            } else {
                (Decision::Allow, "allowed: it names no Python installer")
            };
            let note = format!(
                "cordon hook {}: {err}; the tool call is {verdict}",
                agent.as_str()
            );
            respond(agent, &decision, Some(note))
        }
    }
}

fn read_event(agent: Agent, input: &[u8]) -> Result<Event, InputError> {
    if input.len() > MAX_INPUT {
        return Err(InputError::TooLarge);
    }
    let text = std::str::from_utf8(input).map_err(|_| InputError::NotUtf8)?;
    if text.trim().is_empty() {
        return Err(InputError::Empty);
    }
    let payload: Value =
        serde_json::from_str(text).map_err(|e| InputError::NotJson(e.to_string()))?;
    if !payload.is_object() {
        return Err(InputError::NotObject);
    }
    protocol::event(agent, &payload)
}

fn respond(agent: Agent, decision: &Decision, note: Option<String>) -> Response {
    Response {
        stdout: protocol::render(agent, decision),
        exit_code: 0,
        note,
    }
}

#[cfg(test)]
mod tests;
