//! The agents' hook protocols: how each one hands over a tool call, and how it wants the answer.
//! One file per agent; each reads the parsed JSON into an [`Event`] and renders a [`Decision`].

pub(crate) mod claude;
pub(crate) mod codex;
pub(crate) mod copilot;
pub(crate) mod cursor;
pub(crate) mod gemini;

use cordon_check::agents::Agent;
use serde_json::Value;

use crate::InputError;
use crate::decide::Decision;

/// What a hook payload asks about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Event {
    /// A shell command the agent is about to run.
    Shell(String),
    /// File writes and edits the agent is about to make.
    Edit(Vec<FileEdit>),
    /// Any other tool call (reads, MCP tools without a command) or another hook event.
    Other,
}

/// One file a tool call writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileEdit {
    /// As the agent gave it (absolute, or relative to the working directory).
    pub path: String,
    pub op: EditOp,
}

/// How the file changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EditOp {
    /// The whole new content.
    Write(String),
    /// String replacements, applied in order: `(old, new, replace_all)`.
    Replace(Vec<(String, String, bool)>),
    /// A Codex `apply_patch` patch (it names its own files; `path` is empty).
    Patch(String),
}

/// The file edit of a Claude-shaped tool call's `tool_input` (`file_path` or `path`, with
/// `content`/`file_text` for a write, `old_string`/`old_str` and `new_string`/`new_str` for a
/// replacement, `edits` for several): the shapes of Claude Code, Cursor, Gemini CLI and
/// Copilot. A tool input of none of these shapes is unreadable input.
pub(crate) fn file_edit(input: &Value, tool: &str) -> Result<Event, InputError> {
    let shape = || InputError::Shape(format!("a `{tool}` call without a file path and content"));
    let text = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| input.get(*k).and_then(Value::as_str))
    };
    let path = text(&["file_path", "path", "filePath"]).ok_or_else(shape)?;
    let op = if let Some(content) = text(&["content", "file_text", "fileText"]) {
        EditOp::Write(content.to_owned())
    } else if let Some(edits) = input.get("edits").and_then(Value::as_array) {
        let mut out = Vec::with_capacity(edits.len());
        for e in edits {
            out.push(replacement(e).ok_or_else(shape)?);
        }
        EditOp::Replace(out)
    } else {
        EditOp::Replace(vec![replacement(input).ok_or_else(shape)?])
    };
    Ok(Event::Edit(vec![FileEdit {
        path: path.to_owned(),
        op,
    }]))
}

fn replacement(v: &Value) -> Option<(String, String, bool)> {
    let text = |keys: &[&str]| keys.iter().find_map(|k| v.get(*k).and_then(Value::as_str));
    let old = text(&["old_string", "old_str", "oldString"])?;
    let new = text(&["new_string", "new_str", "newString"])?;
    let all = v
        .get("replace_all")
        .and_then(Value::as_bool)
        .unwrap_or(false)
        || v.get("expected_replacements")
            .and_then(Value::as_u64)
            .is_some_and(|n| n > 1);
    Some((old.to_owned(), new.to_owned(), all))
}

/// The working directory the payload names (`cwd`, else Cursor's first `workspace_roots`).
pub(crate) fn cwd(payload: &Value) -> Option<String> {
    str_field(payload, "cwd").map(str::to_owned).or_else(|| {
        payload
            .get("workspace_roots")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .and_then(Value::as_str)
            .map(str::to_owned)
    })
}

/// Reads the agent's payload (a JSON object).
pub(crate) fn event(agent: Agent, payload: &Value) -> Result<Event, InputError> {
    match agent {
        Agent::Claude => claude::event(payload),
        Agent::Codex => codex::event(payload),
        Agent::Cursor => cursor::event(payload),
        Agent::Gemini => gemini::event(payload),
        Agent::Copilot => copilot::event(payload),
    }
}

/// The answer on stdout, in the agent's protocol.
pub(crate) fn render(agent: Agent, decision: &Decision) -> String {
    match agent {
        Agent::Claude => claude::render(decision),
        Agent::Codex => codex::render(decision),
        Agent::Cursor => cursor::render(decision),
        Agent::Gemini => gemini::render(decision),
        Agent::Copilot => copilot::render(decision),
    }
}

/// A JSON string literal (quotes and escapes included).
pub(crate) fn json_string(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

/// The string field `key` of an object, if present as a string.
pub(crate) fn str_field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// Reads `hook_event_name`: `Ok(true)` for another of the agent's events (`others`), which is
/// not a pre-tool-use decision and is left alone; `Ok(false)` for a judged event (`judged`) or
/// none at all; an error for a name the agent does not use (another agent's payload).
pub(crate) fn other_event(v: &Value, judged: &[&str], others: &[&str]) -> Result<bool, InputError> {
    match v.get("hook_event_name") {
        None => Ok(false),
        Some(Value::String(e)) if judged.contains(&e.as_str()) => Ok(false),
        Some(Value::String(e)) if others.contains(&e.as_str()) => Ok(true),
        Some(Value::String(e)) => Err(InputError::Shape(format!("an unknown hook event `{e}`"))),
        Some(_) => Err(InputError::Shape(
            "a `hook_event_name` that is not a string".to_owned(),
        )),
    }
}

/// Claude Code's hook events besides `PreToolUse` (Codex uses the same names).
pub(crate) const CLAUDE_OTHER_EVENTS: &[&str] = &[
    "PostToolUse",
    "PostToolUseFailure",
    "PermissionRequest",
    "UserPromptSubmit",
    "Notification",
    "Stop",
    "SubagentStart",
    "SubagentStop",
    "PreCompact",
    "SessionStart",
    "SessionEnd",
    "Setup",
];

/// A shell command given as a string, or as an argv array (each word shell-quoted, so
/// `["bash", "-lc", "pip install x"]` is read as the shell would run it).
pub(crate) fn command_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Array(words) if !words.is_empty() => {
            let words: Option<Vec<&str>> = words.iter().map(Value::as_str).collect();
            Some(
                words?
                    .into_iter()
                    .map(shell_quote)
                    .collect::<Vec<_>>()
                    .join(" "),
            )
        }
        _ => None,
    }
}

/// The tools of one agent, by what they do.
pub(crate) struct Tools<'a> {
    /// Shell tools: `tool_input.command`.
    pub shell: &'a [&'a str],
    /// File writes and edits: [`file_edit`] of `tool_input`.
    pub edit: &'a [&'a str],
    /// Codex's `apply_patch`: the patch in `tool_input.command` (or `tool_input.input`).
    pub patch: &'a [&'a str],
}

/// The event of a Claude-shaped tool call (`tool_name`, `tool_input`): a shell tool's
/// `tool_input.command` (missing or of the wrong type is unreadable input); a file edit; and for
/// any other tool (MCP tools, tools renamed in a newer release) its `tool_input.command` when it
/// has one — fail closed.
pub(crate) fn tool_event(v: &Value, tool: &str, tools: &Tools<'_>) -> Result<Event, InputError> {
    if tools.shell.contains(&tool) {
        return tool_input_command(v, tool);
    }
    let input = v.get("tool_input").unwrap_or(&Value::Null);
    if tools.edit.contains(&tool) {
        return file_edit(input, tool);
    }
    if tools.patch.contains(&tool) {
        let patch = ["command", "input", "patch"]
            .iter()
            .find_map(|k| input.get(*k).and_then(command_text))
            .ok_or_else(|| InputError::Shape(format!("a `{tool}` call without its patch")))?;
        return Ok(Event::Edit(vec![FileEdit {
            path: String::new(),
            op: EditOp::Patch(patch),
        }]));
    }
    Ok(v.get("tool_input")
        .and_then(|input| input.get("command"))
        .and_then(command_text)
        .map_or(Event::Other, Event::Shell))
}

/// `tool_input.command` of a Claude-shaped payload, read for a shell tool: missing or of the
/// wrong type is unreadable input.
fn tool_input_command(v: &Value, tool: &str) -> Result<Event, InputError> {
    v.get("tool_input")
        .and_then(|input| input.get("command"))
        .and_then(command_text)
        .map(Event::Shell)
        .ok_or_else(|| InputError::Shape(format!("a `{tool}` call without a `tool_input.command`")))
}

fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_@%+=:,./-".contains(&b));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn argv_commands_are_quoted_for_the_shell() {
        let v = json!(["bash", "-lc", "pip install 'x'"]);
        assert_eq!(
            command_text(&v).unwrap(),
            r"bash -lc 'pip install '\''x'\'''"
        );
        assert!(crate::decide_command(&command_text(&v).unwrap()).is_deny());
        assert_eq!(command_text(&json!([])), None);
        assert_eq!(command_text(&json!(["ls", 1])), None);
        assert_eq!(command_text(&json!(7)), None);
    }

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_string("a \"b\"\n"), r#""a \"b\"\n""#);
    }
}
