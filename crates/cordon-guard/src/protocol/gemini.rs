//! Gemini CLI's `BeforeTool` hook.
//!
//! Input: `{"hook_event_name": "BeforeTool", "tool_name": "run_shell_command", "tool_input":
//! {"command": "…", "description": …, "dir_path": …, "is_background": …}, "session_id": …,
//! "cwd": …, "timestamp": …}`.
//!
//! Output: stdout must hold only JSON. Deny is `{"decision": "deny", "reason": "…"}` (the reason
//! reaches the agent as the tool's error). Allow is `{}`: a JSON answer with no decision, so
//! Gemini's own policy and confirmations apply unchanged. Not empty stdout: when stdout is empty,
//! newer Gemini CLI builds parse the hook's stderr instead and show any text there to the user.

use serde_json::Value;

use super::{Event, Tools, json_string, other_event, str_field, tool_event};
use crate::InputError;
use crate::decide::Decision;

/// Gemini CLI's hook events besides `BeforeTool`.
const OTHER_EVENTS: &[&str] = &[
    "AfterTool",
    "BeforeAgent",
    "AfterAgent",
    "BeforeModel",
    "AfterModel",
    "BeforeToolSelection",
    "SessionStart",
    "SessionEnd",
    "Notification",
    "PreCompress",
];

pub(crate) fn event(v: &Value) -> Result<Event, InputError> {
    if other_event(v, &["BeforeTool"], OTHER_EVENTS)? {
        return Ok(Event::Other);
    }
    let tool =
        str_field(v, "tool_name").ok_or_else(|| InputError::Shape("no `tool_name`".to_owned()))?;
    tool_event(
        v,
        tool,
        &Tools {
            shell: &["run_shell_command"],
            edit: &["write_file", "replace"],
            patch: &[],
        },
    )
}

pub(crate) fn render(decision: &Decision) -> String {
    match decision {
        Decision::Allow => "{}\n".to_owned(),
        // Gemini's hooks cannot ask (its policy engine can): a question is a denial here.
        Decision::Deny(reason) | Decision::Ask(reason) => format!(
            "{{\"decision\":\"deny\",\"reason\":{}}}\n",
            json_string(reason)
        ),
    }
}
