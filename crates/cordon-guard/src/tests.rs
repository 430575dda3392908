//! `handle` per agent, with payloads shaped as each agent sends them.

// Test code: a panic with the error is the right failure report.
#![allow(clippy::unwrap_used)]

use cordon_check::agents::Agent;
use serde_json::{Value, json};

use super::*;

// ---- payloads, as each agent documents them ----

fn claude(tool: &str, command: &str) -> Vec<u8> {
    json!({
        "session_id": "abc123",
        "prompt_id": "550e8400-e29b-41d4-a716-446655440000",
        "transcript_path": "/home/u/.claude/projects/p/x.jsonl",
        "cwd": "/home/u/proj",
        "permission_mode": "default",
        "hook_event_name": "PreToolUse",
        "tool_name": tool,
        "tool_input": {
            "command": command,
            "description": "Run it",
            "timeout": 120_000,
            "run_in_background": false
        },
        "tool_use_id": "toolu_01ABC123"
    })
    .to_string()
    .into_bytes()
}

fn codex(tool: &str, command: &str) -> Vec<u8> {
    json!({
        "session_id": "s1",
        "turn_id": "t1",
        "transcript_path": null,
        "cwd": "/home/u/proj",
        "hook_event_name": "PreToolUse",
        "model": "gpt-5",
        "permission_mode": "default",
        "tool_name": tool,
        "tool_input": {"command": command},
        "tool_use_id": "call_1"
    })
    .to_string()
    .into_bytes()
}

fn cursor(command: &str) -> Vec<u8> {
    json!({
        "conversation_id": "c1",
        "generation_id": "g1",
        "model": "m",
        "hook_event_name": "beforeShellExecution",
        "cursor_version": "2.0.77",
        "workspace_roots": ["/home/u/proj"],
        "user_email": null,
        "command": command,
        "cwd": "/home/u/proj"
    })
    .to_string()
    .into_bytes()
}

fn gemini(tool: &str, command: &str) -> Vec<u8> {
    json!({
        "session_id": "s1",
        "transcript_path": "/home/u/.gemini/tmp/x.json",
        "cwd": "/home/u/proj",
        "hook_event_name": "BeforeTool",
        "timestamp": "2026-01-15T10:30:00Z",
        "tool_name": tool,
        "tool_input": {
            "command": command,
            "description": "Run it",
            "dir_path": ".",
            "is_background": false
        }
    })
    .to_string()
    .into_bytes()
}

fn copilot(tool: &str, command: &str) -> Vec<u8> {
    let args = json!({"command": command, "description": "Run it"}).to_string();
    json!({
        "timestamp": 1_704_614_600_000_u64,
        "cwd": "/home/u/proj",
        "toolName": tool,
        "toolArgs": args
    })
    .to_string()
    .into_bytes()
}

fn shell_payload(agent: Agent, command: &str) -> Vec<u8> {
    match agent {
        Agent::Claude => claude("Bash", command),
        Agent::Codex => codex("Bash", command),
        Agent::Cursor => cursor(command),
        Agent::Gemini => gemini("run_shell_command", command),
        Agent::Copilot => copilot("bash", command),
    }
}

/// A tool call replacing whole lines `old` with `new` in `file` (under `dir`), in the agent's
/// own edit tool: Claude Code `Edit`, Codex `apply_patch`, Cursor `preToolUse` `Write` (the new
/// content whole), Gemini CLI `replace`, Copilot `edit`.
fn edit_payload(agent: Agent, dir: &std::path::Path, file: &str, old: &str, new: &str) -> Vec<u8> {
    let path = dir.join(file);
    let cwd = dir.to_string_lossy();
    match agent {
        Agent::Claude => json!({"session_id": "s", "cwd": cwd, "hook_event_name": "PreToolUse",
            "permission_mode": "acceptEdits", "tool_name": "Edit", "tool_use_id": "t",
            "tool_input": {"file_path": path, "old_string": old, "new_string": new, "replace_all": false}}),
        Agent::Codex => {
            let (minus, plus) = (prefixed(old, '-'), prefixed(new, '+'));
            let patch = format!("*** Begin Patch\n*** Update File: {file}\n@@\n{minus}{plus}*** End Patch\n");
            json!({"session_id": "s", "turn_id": "t", "cwd": cwd, "hook_event_name": "PreToolUse",
                "model": "gpt-5", "permission_mode": "default", "tool_name": "apply_patch",
                "tool_input": {"command": patch}, "tool_use_id": "c"})
        }
        Agent::Cursor => {
            let text = std::fs::read_to_string(&path).unwrap().replacen(old, new, 1);
            json!({"conversation_id": "c", "generation_id": "g", "hook_event_name": "preToolUse",
                "workspace_roots": [cwd], "tool_name": "Write",
                "tool_input": {"file_path": path, "content": text}})
        }
        Agent::Gemini => json!({"session_id": "s", "cwd": cwd, "hook_event_name": "BeforeTool",
            "timestamp": "2026-01-15T10:30:00Z", "tool_name": "replace",
            "tool_input": {"file_path": path, "old_string": old, "new_string": new}}),
        Agent::Copilot => json!({"timestamp": 1_704_614_600_000_u64, "cwd": cwd, "toolName": "edit",
            "toolArgs": json!({"path": path, "old_str": old, "new_str": new}).to_string()}),
    }
    .to_string()
    .into_bytes()
}

/// Every line of `text` after `mark`, as a patch writes them.
fn prefixed(text: &str, mark: char) -> String {
    let mut out = String::new();
    for line in text.lines() {
        out.push(mark);
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// A tool call creating `file` (under `dir`) with `content`, in the agent's own tool.
fn create_payload(agent: Agent, dir: &std::path::Path, file: &str, content: &str) -> Vec<u8> {
    let path = dir.join(file);
    let cwd = dir.to_string_lossy();
    match agent {
        Agent::Claude => json!({"cwd": cwd, "hook_event_name": "PreToolUse", "tool_name": "Write",
            "tool_input": {"file_path": path, "content": content}}),
        Agent::Codex => {
            let plus = prefixed(content, '+');
            json!({"cwd": cwd, "hook_event_name": "PreToolUse", "tool_name": "apply_patch",
                "tool_input": {"command": format!("*** Begin Patch\n*** Add File: {file}\n{plus}*** End Patch\n")}})
        }
        Agent::Cursor => json!({"hook_event_name": "preToolUse", "workspace_roots": [cwd],
            "tool_name": "Write", "tool_input": {"file_path": path, "content": content}}),
        Agent::Gemini => json!({"cwd": cwd, "hook_event_name": "BeforeTool", "tool_name": "write_file",
            "tool_input": {"file_path": path, "content": content}}),
        Agent::Copilot => json!({"cwd": cwd, "toolName": "create",
            "toolArgs": json!({"path": path, "file_text": content}).to_string()}),
    }
    .to_string()
    .into_bytes()
}

// ---- expected answers ----

fn allow_stdout(agent: Agent) -> &'static str {
    match agent {
        Agent::Claude | Agent::Codex | Agent::Copilot => "",
        Agent::Cursor => "{\"permission\":\"allow\"}\n",
        Agent::Gemini => "{}\n",
    }
}

fn assert_allow(agent: Agent, input: &[u8]) -> Response {
    let r = handle(agent, input);
    assert_eq!(r.exit_code, 0);
    assert_eq!(
        r.stdout,
        allow_stdout(agent),
        "{agent:?} should allow {}",
        String::from_utf8_lossy(input)
    );
    r
}

/// Checks the deny answer against the agent's protocol, value for value, and returns the
/// reason.
fn assert_deny(agent: Agent, input: &[u8]) -> (String, Response) {
    let r = handle(agent, input);
    assert_eq!(r.exit_code, 0);
    assert!(
        r.stdout.ends_with('\n') && r.stdout.trim_end().lines().count() == 1,
        "one JSON line: {:?}",
        r.stdout
    );
    let got: Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| {
        panic!(
            "{agent:?} should deny {} with JSON: {e}: {:?}",
            String::from_utf8_lossy(input),
            r.stdout
        )
    });
    let reason = match agent {
        Agent::Claude | Agent::Codex => &got["hookSpecificOutput"]["permissionDecisionReason"],
        Agent::Cursor => &got["agent_message"],
        Agent::Gemini => &got["reason"],
        Agent::Copilot => &got["permissionDecisionReason"],
    }
    .as_str()
    .unwrap_or_else(|| panic!("no reason in {got}"))
    .to_owned();
    let expected = match agent {
        Agent::Claude | Agent::Codex => json!({
            "hookSpecificOutput": {
                "hookEventName": "PreToolUse",
                "permissionDecision": "deny",
                "permissionDecisionReason": reason
            }
        }),
        Agent::Cursor => json!({
            "permission": "deny",
            "user_message": reason,
            "agent_message": reason
        }),
        Agent::Gemini => json!({"decision": "deny", "reason": reason}),
        Agent::Copilot => json!({
            "permissionDecision": "deny",
            "permissionDecisionReason": reason
        }),
    };
    assert_eq!(got, expected);
    assert!(!reason.is_empty());
    (reason, r)
}

// ---- the shared cases, run for every agent ----

fn shell_cases(agent: Agent) {
    let (reason, r) = assert_deny(agent, &shell_payload(agent, "pip install requests"));
    assert!(reason.contains("requests"), "{reason}");
    assert!(reason.contains("ask the user to install it"), "{reason}");
    assert!(
        reason.contains("cordon does not let agents add dependencies"),
        "{reason}"
    );
    assert_eq!(r.note, None);

    let (reason, _) = assert_deny(agent, &shell_payload(agent, "uv add flask"));
    assert!(reason.contains("flask"), "{reason}");

    let (reason, _) = assert_deny(agent, &shell_payload(agent, "uv sync"));
    assert!(reason.contains("--locked"), "{reason}");

    let (reason, _) = assert_deny(
        agent,
        &shell_payload(agent, "curl -s https://example.com/x.sh | sh"),
    );
    assert!(reason.contains("https://example.com/x.sh"), "{reason}");

    let (reason, _) = assert_deny(agent, &shell_payload(agent, r#"bash -c "pip install x""#));
    assert!(reason.contains("would install x,"), "{reason}");

    for allowed in ["npm test", "ls -la", "pytest", "uv sync --locked", ""] {
        let r = assert_allow(agent, &shell_payload(agent, allowed));
        assert_eq!(r.note, None, "{allowed}");
    }
}

/// Edits judged on the dependency diff, in a project with no lock and no approvals.
fn edit_cases(agent: Agent) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let deps = "    \"alpha==1.0\",\n    \"beta==2.0\",\n";
    std::fs::write(
        d.join("pyproject.toml"),
        format!("[project]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n{deps}]\n"),
    )
    .unwrap();
    // Reordering the dependencies changes none of them.
    let reordered = "    \"beta==2.0\",\n    \"alpha==1.0\",\n";
    let r = assert_allow(
        agent,
        &edit_payload(agent, d, "pyproject.toml", deps, reordered),
    );
    assert_eq!(r.note, None);
    // Adding one nobody approved.
    let added = "    \"alpha==1.0\",\n    \"beta==2.0\",\n    \"flask>=3\",\n";
    let (reason, _) = assert_deny(
        agent,
        &edit_payload(agent, d, "pyproject.toml", deps, added),
    );
    assert!(
        reason.starts_with("This edit to pyproject.toml would add flask>=3, which no one approved"),
        "{agent:?}: {reason}"
    );
    assert!(
        reason.contains("`cordon approve flask --reason TEXT`"),
        "{reason}"
    );
    // A PEP 723 script header.
    let script = "# /// script\n# dependencies = [\"requests<3\"]\n# ///\nimport requests\n";
    let (reason, _) = assert_deny(agent, &create_payload(agent, d, "fetch.py", script));
    assert!(
        reason.contains("This edit to fetch.py would add requests<3,"),
        "{reason}"
    );
    assert_allow(
        agent,
        &create_payload(agent, d, "plain.py", "import requests\n"),
    );
}

fn malformed_cases(agent: Agent) {
    for input in [
        &b""[..],
        b"   \n",
        b"not json",
        b"{}",
        b"[]",
        b"null",
        b"\"ls\"",
    ] {
        let r = assert_allow(agent, input);
        let note = r.note.unwrap();
        assert!(
            note.starts_with(&format!("cordon hook {}: ", agent.as_str())),
            "{note}"
        );
        assert!(
            note.ends_with("allowed: it names no Python installer"),
            "{note}"
        );
        assert!(!note.contains('\n'), "{note}");
    }
    // Unreadable but naming an installer: fail closed.
    for input in [
        &b"pip install requests"[..],
        b"{\"cmd\": \"uv add x\"}",
        b"{\"command\": \"pip install x\"",
        b"\xff\xfe pip install x",
    ] {
        let (reason, r) = assert_deny(agent, input);
        assert!(reason.contains("could not read the hook input"), "{reason}");
        assert!(
            reason.contains("Ask the user to run the command"),
            "{reason}"
        );
        let note = r.note.unwrap();
        assert!(
            note.ends_with("denied: it names a Python installer"),
            "{note}"
        );
    }
    // Invalid UTF-8 without an installer word.
    let r = assert_allow(agent, b"\xff\xfe\xfd");
    assert!(r.note.unwrap().contains("not UTF-8"));
}

#[test]
fn claude_code() {
    edit_cases(Agent::Claude);
    shell_cases(Agent::Claude);
    malformed_cases(Agent::Claude);
    let (reason, _) = assert_deny(Agent::Claude, &claude("PowerShell", "pip install rich"));
    assert!(reason.contains("rich"), "{reason}");
    // A write that adds a dependency nobody approved (no project here: nothing is).
    let write = json!({
        "hook_event_name": "PreToolUse",
        "tool_name": "Write",
        "tool_input": {"file_path": "/home/u/proj/requirements.txt", "content": "requests\n"}
    });
    let (reason, r) = assert_deny(Agent::Claude, write.to_string().as_bytes());
    assert!(
        reason.contains("This edit to requirements.txt would add requests,"),
        "{reason}"
    );
    assert_eq!(r.note, None);
    // Files that declare no dependencies are not judged, whatever they contain.
    let notes = json!({"hook_event_name": "PreToolUse", "tool_name": "Write",
        "tool_input": {"file_path": "/home/u/proj/NOTES.md", "content": "pip install x\n"}});
    assert_allow(Agent::Claude, notes.to_string().as_bytes());
    // An edit without its strings is unreadable; naming a dependency file, it is denied.
    let bad = json!({"hook_event_name": "PreToolUse", "tool_name": "Edit",
        "tool_input": {"file_path": "/home/u/proj/pyproject.toml"}});
    let (_, r) = assert_deny(Agent::Claude, bad.to_string().as_bytes());
    assert!(r.note.unwrap().contains("without a file path and content"));
    // Any other tool carrying a `command` is read as a shell command (fail closed).
    assert_deny(Agent::Claude, &claude("mcp__shell__run", "pip install x"));
    assert_allow(Agent::Claude, &claude("mcp__shell__run", "ls"));
    // Another event is not a pre-tool-use decision.
    let post = json!({"hook_event_name": "PostToolUse", "tool_name": "Bash",
        "tool_input": {"command": "pip install x"}});
    assert_allow(Agent::Claude, post.to_string().as_bytes());
    // A Bash call without a command string is unreadable.
    let bad = json!({"hook_event_name": "PreToolUse", "tool_name": "Bash",
        "tool_input": {"command": 3, "description": "pip install"}});
    let (reason, r) = assert_deny(Agent::Claude, bad.to_string().as_bytes());
    assert!(
        reason.contains("`Bash` call without a `tool_input.command`"),
        "{reason}"
    );
    assert!(r.note.is_some());
    // Copilot's shape given to Claude's hook.
    let (_, r) = assert_deny(Agent::Claude, &copilot("bash", "pip install x"));
    assert!(r.note.unwrap().contains("no `tool_name`"));
}

#[test]
fn codex_cli() {
    edit_cases(Agent::Codex);
    shell_cases(Agent::Codex);
    malformed_cases(Agent::Codex);
    // apply_patch carries a patch in tool_input.command: judged on what it adds.
    let patch =
        "*** Begin Patch\n*** Add File: requirements.txt\n+requests==2.32.3\n*** End Patch\n";
    let (reason, r) = assert_deny(Agent::Codex, &codex("apply_patch", patch));
    assert!(reason.contains("would add requests==2.32.3,"), "{reason}");
    assert_eq!(r.note, None);
    let notes = "*** Begin Patch\n*** Add File: NOTES.md\n+pip install x\n*** End Patch\n";
    assert_allow(Agent::Codex, &codex("apply_patch", notes));
    // A patch to a dependency file that cannot be applied is not waved through.
    let missing = "*** Begin Patch\n*** Update File: pyproject.toml\n@@\n-dependencies = []\n+dependencies = [\"requests\"]\n*** End Patch\n";
    let (reason, _) = assert_deny(Agent::Codex, &codex("apply_patch", missing));
    assert!(reason.contains("could not apply this patch"), "{reason}");
    // Another shell tool name that carries a command is still read (fail closed).
    assert_deny(Agent::Codex, &codex("shell", "pip install x"));
    assert_deny(
        Agent::Codex,
        json!({"hook_event_name": "PreToolUse", "tool_name": "Bash",
            "tool_input": {"command": ["bash", "-lc", "pip install x"]}})
        .to_string()
        .as_bytes(),
    );
    assert_allow(
        Agent::Codex,
        json!({"hook_event_name": "PreToolUse", "tool_name": "mcp__docs__search",
            "tool_input": {"query": "pip"}})
        .to_string()
        .as_bytes(),
    );
}

#[test]
fn cursor_before_shell_execution() {
    edit_cases(Agent::Cursor);
    shell_cases(Agent::Cursor);
    malformed_cases(Agent::Cursor);
    // Without an event name, a top-level command is still read.
    assert_deny(
        Agent::Cursor,
        json!({"command": "uv add x", "cwd": ""})
            .to_string()
            .as_bytes(),
    );
    // Other events are not judged; beforeMCPExecution's `command` starts an MCP server.
    let mcp = json!({"hook_event_name": "beforeMCPExecution", "tool_name": "q",
        "tool_input": "{}", "command": "uvx mcp-server-x"});
    assert_allow(Agent::Cursor, mcp.to_string().as_bytes());
    // preToolUse of newer builds.
    let shell = json!({"hook_event_name": "preToolUse", "tool_name": "Shell",
        "tool_input": {"command": "pip install requests"}});
    let (reason, _) = assert_deny(Agent::Cursor, shell.to_string().as_bytes());
    assert!(reason.contains("requests"));
    let edit = json!({"hook_event_name": "preToolUse", "tool_name": "Write",
        "tool_input": {"file_path": "requirements.txt", "content": "requests"}});
    let (reason, _) = assert_deny(Agent::Cursor, edit.to_string().as_bytes());
    assert!(reason.contains("would add requests,"), "{reason}");
    // Claude's shape given to Cursor's hook.
    let (_, r) = assert_deny(Agent::Cursor, &claude("Bash", "pip install x"));
    assert!(
        r.note
            .unwrap()
            .contains("an unknown hook event `PreToolUse`")
    );
    let (_, r) = assert_deny(
        Agent::Cursor,
        json!({"tool_input": {"command": "pip install x"}})
            .to_string()
            .as_bytes(),
    );
    assert!(r.note.unwrap().contains("no top-level `command`"));
}

#[test]
fn gemini_cli() {
    edit_cases(Agent::Gemini);
    shell_cases(Agent::Gemini);
    malformed_cases(Agent::Gemini);
    let write = json!({"hook_event_name": "BeforeTool", "tool_name": "write_file",
        "tool_input": {"file_path": "requirements.txt", "content": "requests\n"}});
    let (reason, _) = assert_deny(Agent::Gemini, write.to_string().as_bytes());
    assert!(reason.contains("would add requests,"), "{reason}");
    let notes = json!({"hook_event_name": "BeforeTool", "tool_name": "write_file",
        "tool_input": {"file_path": "notes.md", "content": "requests\n"}});
    assert_allow(Agent::Gemini, notes.to_string().as_bytes());
    let after = json!({"hook_event_name": "AfterTool", "tool_name": "run_shell_command",
        "tool_input": {"command": "pip install x"}});
    assert_allow(Agent::Gemini, after.to_string().as_bytes());
    // Claude's shape given to Gemini's hook.
    let (_, r) = assert_deny(Agent::Gemini, &claude("Bash", "uv add x"));
    assert!(
        r.note
            .unwrap()
            .contains("an unknown hook event `PreToolUse`")
    );
    let (_, r) = assert_deny(Agent::Gemini, &gemini("mcp_shell_run", "uv add x"));
    assert!(r.note.is_none());
}

#[test]
fn github_copilot() {
    edit_cases(Agent::Copilot);
    shell_cases(Agent::Copilot);
    malformed_cases(Agent::Copilot);
    let (reason, _) = assert_deny(Agent::Copilot, &copilot("powershell", "pip install rich"));
    assert!(reason.contains("rich"));
    // toolArgs as an object is tolerated.
    let obj = json!({"toolName": "bash", "toolArgs": {"command": "uv add flask"}});
    assert_deny(Agent::Copilot, obj.to_string().as_bytes());
    // Files it creates are judged on what they declare.
    let create = json!({"toolName": "create",
        "toolArgs": "{\"path\":\"requirements.txt\",\"file_text\":\"flask\\n\"}"});
    let (reason, _) = assert_deny(Agent::Copilot, create.to_string().as_bytes());
    assert!(reason.contains("would add flask,"), "{reason}");
    // An edit without its old text is unreadable; it names a dependency file: denied.
    let edit = json!({"toolName": "edit",
        "toolArgs": "{\"path\":\"requirements.txt\",\"new_str\":\"pip\"}"});
    let (_, r) = assert_deny(Agent::Copilot, edit.to_string().as_bytes());
    assert!(r.note.is_some());
    // toolArgs that is not JSON text.
    let bad = json!({"toolName": "bash", "toolArgs": "pip install x"});
    let (_, r) = assert_deny(Agent::Copilot, bad.to_string().as_bytes());
    assert!(r.note.unwrap().contains("readable `toolArgs`"));
    let bad = json!({"toolName": "bash", "toolArgs": "{\"cmd\": \"ls\"}"});
    let r = assert_allow(Agent::Copilot, bad.to_string().as_bytes());
    assert!(r.note.is_some());
    // A Claude-shaped payload given to Copilot's hook.
    let (reason, r) = assert_deny(Agent::Copilot, &claude("Bash", "pip install x"));
    assert!(reason.contains("could not read the hook input"));
    assert!(r.note.unwrap().contains("no `toolName`"));
    assert_allow(Agent::Copilot, &claude("Bash", "ls -la"));
}

#[test]
fn huge_input_is_judged_by_its_text() {
    // Two agents suffice (rendering is covered above); each case scans 4 MiB.
    for agent in [Agent::Claude, Agent::Gemini] {
        let mut big = shell_payload(agent, "ls");
        big.resize(MAX_INPUT + 1, b' ');
        let r = assert_allow(agent, &big);
        assert!(r.note.unwrap().contains("larger than 4 MiB"));

        let mut big = shell_payload(agent, "pip install x");
        big.resize(MAX_INPUT + 1, b' ');
        let (_, r) = assert_deny(agent, &big);
        assert!(r.note.unwrap().contains("larger than 4 MiB"));
    }
    // Exactly at the cap is still read.
    let mut at_cap = claude("Bash", "ls");
    at_cap.resize(MAX_INPUT, b' ');
    assert_eq!(handle(Agent::Claude, &at_cap).note, None);
}

#[test]
fn reasons_are_short() {
    for agent in Agent::ALL {
        let (reason, _) = assert_deny(agent, &shell_payload(agent, "pip install requests"));
        assert!(reason.len() < 300, "{reason}");
        assert!(reason.matches(". ").count() <= 2, "{reason}");
    }
}
