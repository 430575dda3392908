//! Cursor's `beforeShellExecution` hook (and the `preToolUse` hook of newer builds).
//!
//! Input: `{"hook_event_name": "beforeShellExecution", "command": "…", "cwd": "…",
//! "conversation_id": …, "generation_id": …, "workspace_roots": […], …}` — the command is at
//! the top level. Newer builds also have `preToolUse` with `tool_name` (`Shell` for commands)
//! and `tool_input.command` (third-party configurations only; not in Cursor's documentation).
//! Other events and tools are not judged.
//!
//! Output: Cursor's documentation has `beforeShellExecution` "return a permission decision",
//! `{"permission": "allow"|"deny"|"ask", "user_message": "…", "agent_message": "…"}`, and shows
//! no hook that answers nothing; so allow is `{"permission":"allow"}`. Deny sets both messages
//! to the reason (`user_message` is shown in Cursor, `agent_message` goes to the agent). The
//! snake_case names are Cursor 2.0's; 1.7 used camelCase. The same shape answers `preToolUse`.
//!
//! Open question: one third-party reference describes `allow` as "execute without user
//! intervention". If Cursor reads it that way, a command cordon allows skips Cursor's own
//! approval prompt. That is not verified; no output at all is not a documented answer either.

use serde_json::Value;

use super::{Event, Tools, command_text, json_string, other_event, str_field, tool_event};
use crate::InputError;
use crate::decide::Decision;

/// Cursor's hook events besides the two judged ones.
const OTHER_EVENTS: &[&str] = &[
    "beforeMCPExecution",
    "beforeReadFile",
    "beforeSubmitPrompt",
    "afterShellExecution",
    "afterMCPExecution",
    "afterFileEdit",
    "afterAgentResponse",
    "afterAgentThought",
    "beforeTabFileRead",
    "afterTabFileEdit",
    "postToolUse",
    "sessionStart",
    "sessionEnd",
    "subagentStop",
    "preCompact",
    "stop",
];

pub(crate) fn event(v: &Value) -> Result<Event, InputError> {
    if other_event(v, &["beforeShellExecution", "preToolUse"], OTHER_EVENTS)? {
        return Ok(Event::Other);
    }
    if str_field(v, "hook_event_name") == Some("preToolUse") {
        let tool = str_field(v, "tool_name").ok_or_else(|| {
            InputError::Shape("a `preToolUse` call without `tool_name`".to_owned())
        })?;
        return tool_event(
            v,
            tool,
            &Tools {
                shell: &["Shell"],
                edit: &["Write", "Edit", "MultiEdit", "StrReplace"],
                patch: &[],
            },
        );
    }
    // `beforeShellExecution`, or no event name at all: the command is at the top level.
    v.get("command")
        .and_then(command_text)
        .map(Event::Shell)
        .ok_or_else(|| InputError::Shape("no top-level `command`".to_owned()))
}

pub(crate) fn render(decision: &Decision) -> String {
    match decision {
        Decision::Allow => "{\"permission\":\"allow\"}\n".to_owned(),
        Decision::Deny(reason) => answer("deny", reason),
        Decision::Ask(reason) => answer("ask", reason),
    }
}

fn answer(permission: &str, reason: &str) -> String {
    let r = json_string(reason);
    format!("{{\"permission\":\"{permission}\",\"user_message\":{r},\"agent_message\":{r}}}\n")
}
