//! Claude Code's `PreToolUse` hook.
//!
//! Input: `{"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command":
//! "npm test", "description": …}, "session_id": …, "cwd": …, …}`; the shell tools are `Bash`
//! and `PowerShell` (Windows without Git Bash).
//!
//! Output: allow is no output and exit 0, so Claude Code's own permission rules and prompts
//! apply as if the hook were not there (an explicit `"allow"` would skip the user's prompt).
//! Ask (`agent-decision = "ask"`) is the same JSON with `"permissionDecision": "ask"`: Claude
//! Code shows the reason to the user and asks them. Deny is exit 0 with
//! `{"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny",
//! "permissionDecisionReason": "…"}}`: the reason is shown to Claude. Exit 2 would also block,
//! but exit 0 with JSON keeps the reason structured.

use serde_json::Value;

use super::{CLAUDE_OTHER_EVENTS, Event, Tools, json_string, other_event, str_field, tool_event};
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
            shell: &["Bash", "PowerShell"],
            edit: &["Write", "Edit", "MultiEdit"],
            patch: &[],
        },
    )
}

pub(crate) fn render(decision: &Decision) -> String {
    match decision {
        Decision::Allow => String::new(),
        Decision::Deny(reason) => pre_tool_use("deny", reason),
        // The reason of an `ask` is shown to the user, who decides.
        Decision::Ask(reason) => pre_tool_use("ask", reason),
    }
}

/// The `PreToolUse` deny answer Claude Code and Codex share.
pub(crate) fn pre_tool_use_deny(reason: &str) -> String {
    pre_tool_use("deny", reason)
}

fn pre_tool_use(decision: &str, reason: &str) -> String {
    format!(
        "{{\"hookSpecificOutput\":{{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"{decision}\",\"permissionDecisionReason\":{}}}}}\n",
        json_string(reason)
    )
}
