//! GitHub Copilot's `preToolUse` hook (coding agent and Copilot CLI).
//!
//! Input: `{"timestamp": 1704614600000, "cwd": "/path", "toolName": "bash", "toolArgs":
//! "{\"command\":\"…\",\"description\":\"…\"}"}` — `toolArgs` is a JSON *string* holding the
//! arguments. Tool names: `bash` (`powershell` on Windows), `edit` (`path`, `old_str`,
//! `new_str`), `create` (`path`, `file_text`), `view`.
//!
//! Output: allow is no output and exit 0. Deny is
//! `{"permissionDecision": "deny", "permissionDecisionReason": "…"}` (Copilot processes only
//! `deny`).

use serde_json::Value;

use super::{Event, command_text, file_edit, json_string, str_field};
use crate::InputError;
use crate::decide::Decision;

pub(crate) fn event(v: &Value) -> Result<Event, InputError> {
    let tool =
        str_field(v, "toolName").ok_or_else(|| InputError::Shape("no `toolName`".to_owned()))?;
    let edit = matches!(tool, "edit" | "create");
    if !edit && !matches!(tool, "bash" | "powershell") {
        return Ok(Event::Other);
    }
    let shape = || InputError::Shape(format!("a `{tool}` call without readable `toolArgs`"));
    let args = match v.get("toolArgs") {
        // The documented form: the arguments as a JSON text.
        Some(Value::String(text)) => serde_json::from_str::<Value>(text).map_err(|_| shape())?,
        // Tolerated: the arguments as an object.
        Some(obj @ Value::Object(_)) => obj.clone(),
        _ => return Err(shape()),
    };
    if edit {
        return file_edit(&args, tool);
    }
    args.get("command")
        .and_then(command_text)
        .map(Event::Shell)
        .ok_or_else(shape)
}

pub(crate) fn render(decision: &Decision) -> String {
    match decision {
        Decision::Allow => String::new(),
        // Copilot processes only `deny`: a question is a denial here.
        Decision::Deny(reason) | Decision::Ask(reason) => format!(
            "{{\"permissionDecision\":\"deny\",\"permissionDecisionReason\":{}}}\n",
            json_string(reason)
        ),
    }
}
