//! OpenAI Codex's `PreToolUse` hook: Claude Code's shape.
//!
//! Input: `{"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command":
//! "…"}, "session_id": …, "turn_id": …, …}`. `apply_patch` (Codex's file edit) carries the patch
//! text in `tool_input.command`: it is a file edit, not a shell command. Any other tool that
//! carries a `tool_input.command` is read as a shell command (fail closed: Codex's shell tool
//! names have changed over time).
//!
//! Output: allow is no output and exit 0. Deny is the same JSON as Claude Code's; Codex honours
//! only deny (an `ask` is rejected as unsupported and the call runs), so deny is all cordon says.

use serde_json::Value;

use super::{CLAUDE_OTHER_EVENTS, Event, Tools, claude, other_event, str_field, tool_event};
use crate::InputError;
use crate::decide::Decision;

pub(crate) fn event(v: &Value) -> Result<Event, InputError> {
    if other_event(v, &["PreToolUse"], CLAUDE_OTHER_EVENTS)? {
        return Ok(Event::Other);
    }
    let tool =
        str_field(v, "tool_name").ok_or_else(|| InputError::Shape("no `tool_name`".to_owned()))?;
    tool_event(
        v,
        tool,
        &Tools {
            shell: &["Bash"],
            edit: &[],
            patch: &["apply_patch"],
        },
    )
}

pub(crate) fn render(decision: &Decision) -> String {
    match decision {
        Decision::Allow => String::new(),
        // Codex rejects `ask` as unsupported and runs the call: a question is a denial here.
        Decision::Deny(reason) | Decision::Ask(reason) => claude::pre_tool_use_deny(reason),
    }
}
