//! The agent guard behind `cordon hook AGENT`: reads an AI coding agent's pre-tool-use hook
//! payload and answers in that agent's protocol (one file per agent in `protocol/`).
//!
//! What is inspected:
//!
//! - **Shell commands** (Claude Code `Bash`/`PowerShell`, Codex `Bash`, Cursor
//!   `beforeShellExecution`, Gemini CLI `run_shell_command`, Copilot `bash`): see
//!   [`decide_command_in`]. Installing a package a person approved (`cordon approve`,
//!   `[tool.cordon] allow`) or that `uv.lock` names at an accepted version is allowed; so is
//!   `uv sync --locked` and every command that installs nothing. Anything else that installs is
//!   denied, with a reason for the agent. Any other tool call that carries a `command` (an MCP
//!   shell tool, a shell tool renamed in a newer agent release) is read the same way: fail
//!   closed.
//! - **File writes and edits** (Claude Code `Write`/`Edit`/`MultiEdit`, Codex `apply_patch`,
//!   Gemini CLI `write_file`/`replace`, Copilot `create`/`edit`, Cursor `preToolUse` writes):
//!   judged on the dependency diff of `pyproject.toml`, requirements files, `setup.py`,
//!   `setup.cfg` and PEP 723 script headers (`edits`, `manifest`, `patch`); lockfiles and the
//!   approvals are not for agents to write.
//! - **Unreadable input** (empty, not UTF-8, not JSON, another agent's shape, over
//!   [`MAX_INPUT`]): denied when the raw text names a Python installer or a dependency file,
//!   allowed otherwise; either way [`Response::note`] says what was wrong. cordon never crashes
//!   on input and always exits 0, because Claude Code and Gemini CLI read exit 2 as "block" and
//!   other codes as "proceed".
//!
//! With `agent-decision = "ask"` in the policy, a refusal for want of an approval is put to the
//! user instead, where the protocol can (Claude Code, Cursor); the others deny.
//!
//! A tool call that installs nothing is answered without reading anything; the project (its
//! lock, policy and approvals, [`project::Project`]) is loaded only when a decision needs it.

pub mod approvals;
mod decide;
mod edits;
pub mod manifest;
pub mod patch;
pub mod project;
mod protocol;

use cordon_check::agents::Agent;
use serde_json::Value;

pub use decide::{Decision, Judge, Outcome, decide_command, decide_command_in};

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
    let (response, _) = handle_with(agent, input, &|_, _| None);
    response
}

/// [`handle`], with `extra` asked for more words on a refusal (the `--vet` verdicts of the
/// packages nobody approved; it is given the working directory of the tool call), and the
/// outcome returned too.
pub fn handle_with(
    agent: Agent,
    input: &[u8],
    extra: &dyn Fn(&Outcome, &std::path::Path) -> Option<String>,
) -> (Response, Option<Outcome>) {
    match read_event(agent, input) {
        Ok((event, cwd)) => {
            let cwd = cwd.map_or_else(
                || std::env::current_dir().unwrap_or_else(|_| std::path::PathBuf::from(".")),
                std::path::PathBuf::from,
            );
            let judge = Judge::new(&cwd);
            let mut outcome = match event {
                Event::Shell(cmd) => decide_command_in(&cmd, &judge),
                Event::Edit(edits) => edits::decide_edits(&edits, &judge),
                Event::Other => Outcome {
                    decision: Decision::Allow,
                    unapproved: Vec::new(),
                },
            };
            if let Some(more) = extra(&outcome, &cwd) {
                outcome.decision = match outcome.decision {
                    Decision::Deny(r) => Decision::Deny(format!("{r} {more}")),
                    Decision::Ask(r) => Decision::Ask(format!("{r} {more}")),
                    Decision::Allow => Decision::Allow,
                };
            }
            (respond(agent, &outcome.decision, None), Some(outcome))
        }
        Err(err) => (handle_unreadable(agent, input, &err), None),
    }
}

fn handle_unreadable(agent: Agent, input: &[u8], err: &InputError) -> Response {
    let text = String::from_utf8_lossy(&input[..input.len().min(MAX_INPUT)]);
    let (decision, verdict) = if cordon_shell::mentions_installer(&text) {
        (
            Decision::Deny(format!(
                "cordon could not read the hook input ({err}) and it names a Python installer, so the tool call is blocked. Ask the user to run the command."
            )),
            "denied: it names a Python installer",
        )
    } else if names_dependency_file(&text) {
        (
            Decision::Deny(format!(
                "cordon could not read the hook input ({err}) and it names a dependency file, so the tool call is blocked. Ask the user to make the change."
            )),
            "denied: it names a dependency file",
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

/// True when unreadable input names a file whose edits could add a dependency.
fn names_dependency_file(text: &str) -> bool {
    [
        "pyproject.toml",
        "requirements",
        "constraints",
        "setup.py",
        "setup.cfg",
        "# /// script",
        "uv.lock",
        "approvals.toml",
        "cordon.toml",
    ]
    .iter()
    .any(|n| text.contains(n))
}

/// The event, and the working directory the payload names.
fn read_event(agent: Agent, input: &[u8]) -> Result<(Event, Option<String>), InputError> {
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
    let event = protocol::event(agent, &payload)?;
    Ok((event, protocol::cwd(&payload)))
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
