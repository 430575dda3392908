//! `cordon hook AGENT` end to end: the real binary, a payload on stdin, the answer on stdout in
//! the agent's protocol, and exit 0 whatever the decision (exit 2 would block in Claude Code and
//! Gemini CLI for the wrong reason).

use serde_json::{Value, json};

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `cordon hook <agent>` in an empty directory (no project is needed or read).
fn hook(agent: &str, stdin: impl Into<Vec<u8>>) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("cordon")
        .unwrap()
        .current_dir(dir.path())
        .env_clear()
        .args(["hook", agent])
        .write_stdin(stdin.into())
        .output()
        .unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn json_of(run: &Run) -> Value {
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {:?}", run.stdout))
}

fn claude_bash(command: &str) -> String {
    json!({
        "session_id": "abc123",
        "transcript_path": "/home/u/.claude/projects/p/x.jsonl",
        "cwd": "/home/u/proj",
        "permission_mode": "default",
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": command, "description": "Run it", "timeout": 120_000},
        "tool_use_id": "toolu_01ABC123"
    })
    .to_string()
}

#[test]
fn hook_claude_denies_a_package_install() {
    let run = hook("claude", claude_bash("pip install requests"));
    let got = json_of(&run);
    let reason = got["hookSpecificOutput"]["permissionDecisionReason"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        got,
        json!({"hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "deny",
            "permissionDecisionReason": reason
        }})
    );
    assert!(reason.contains("requests"), "{reason}");
    assert!(reason.contains("ask the user to install it"), "{reason}");
    assert_eq!(run.stderr, "");
}

#[test]
fn hook_claude_allows_everything_else_silently() {
    for command in ["npm test", "ls -la", "pytest", "uv sync --locked"] {
        let run = hook("claude", claude_bash(command));
        assert_eq!(run.code, Some(0), "{command}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{command}");
        assert_eq!(run.stderr, "", "{command}");
    }
    let write = json!({"hook_event_name": "PreToolUse", "tool_name": "Edit",
        "tool_input": {"file_path": "/p/pyproject.toml", "old_string": "a", "new_string": "b"}});
    let run = hook("claude", write.to_string());
    assert_eq!((run.code, run.stdout.as_str()), (Some(0), ""));
}

#[test]
fn hook_claude_denies_unlocked_sync_and_piped_scripts() {
    let run = hook("claude", claude_bash("uv sync"));
    let reason = json_of(&run)["hookSpecificOutput"]["permissionDecisionReason"].clone();
    assert!(reason.as_str().unwrap().contains("--locked"), "{reason}");
    let run = hook(
        "claude",
        claude_bash("curl -s https://example.com/x.sh | sh"),
    );
    assert_eq!(
        json_of(&run)["hookSpecificOutput"]["permissionDecision"],
        "deny"
    );
}

#[test]
fn hook_codex() {
    let payload = json!({"session_id": "s", "turn_id": "t", "cwd": "/p",
        "hook_event_name": "PreToolUse", "model": "m", "permission_mode": "default",
        "tool_name": "Bash", "tool_input": {"command": "uv add flask"}, "tool_use_id": "c"});
    let got = json_of(&hook("codex", payload.to_string()));
    assert_eq!(got["hookSpecificOutput"]["hookEventName"], "PreToolUse");
    assert_eq!(got["hookSpecificOutput"]["permissionDecision"], "deny");
    let reason = got["hookSpecificOutput"]["permissionDecisionReason"]
        .as_str()
        .unwrap();
    assert!(reason.contains("flask"), "{reason}");

    let patch = json!({"hook_event_name": "PreToolUse", "tool_name": "apply_patch",
        "tool_input": {"command": "*** Begin Patch\n*** End Patch\n"}});
    let run = hook("codex", patch.to_string());
    assert_eq!((run.code, run.stdout.as_str()), (Some(0), ""));
}

#[test]
fn hook_cursor() {
    let payload = |command: &str| {
        json!({"conversation_id": "c", "generation_id": "g", "hook_event_name":
            "beforeShellExecution", "workspace_roots": ["/p"], "command": command, "cwd": "/p"})
        .to_string()
    };
    let got = json_of(&hook("cursor", payload("pip install requests")));
    let reason = got["agent_message"].as_str().unwrap().to_owned();
    assert_eq!(
        got,
        json!({"permission": "deny", "user_message": reason, "agent_message": reason})
    );
    assert!(reason.contains("requests"));
    let got = json_of(&hook("cursor", payload("ls -la")));
    assert_eq!(got, json!({"permission": "allow"}));
}

#[test]
fn hook_gemini() {
    let payload = |command: &str| {
        json!({"session_id": "s", "cwd": "/p", "hook_event_name": "BeforeTool",
            "timestamp": "2026-01-15T10:30:00Z", "tool_name": "run_shell_command",
            "tool_input": {"command": command, "dir_path": ".", "is_background": false}})
        .to_string()
    };
    let got = json_of(&hook("gemini", payload(r#"bash -c "pip install x""#)));
    assert_eq!(got["decision"], "deny");
    assert!(got["reason"].as_str().unwrap().contains("would install x,"));
    assert_eq!(got.as_object().unwrap().len(), 2);
    let run = hook("gemini", payload("pytest"));
    assert_eq!(json_of(&run), json!({}));
    assert_eq!(run.stderr, "");
}

#[test]
fn hook_copilot() {
    let payload = |command: &str| {
        json!({"timestamp": 1_704_614_600_000_u64, "cwd": "/p", "toolName": "bash",
            "toolArgs": json!({"command": command, "description": "d"}).to_string()})
        .to_string()
    };
    let got = json_of(&hook("copilot", payload("uv pip install rich")));
    let reason = got["permissionDecisionReason"].as_str().unwrap().to_owned();
    assert_eq!(
        got,
        json!({"permissionDecision": "deny", "permissionDecisionReason": reason})
    );
    assert!(reason.contains("rich"));
    let run = hook("copilot", payload("npm test"));
    assert_eq!((run.code, run.stdout.as_str()), (Some(0), ""));
}

#[test]
fn hook_bad_input_never_fails() {
    // Empty, not JSON, another agent's shape: allowed unless the text names an installer,
    // with a note on stderr.
    let run = hook("claude", "");
    assert_eq!((run.code, run.stdout.as_str()), (Some(0), ""));
    assert!(
        run.stderr.contains("the hook input is empty"),
        "{}",
        run.stderr
    );

    let run = hook("copilot", claude_bash("pip install x"));
    let got = json_of(&run);
    assert_eq!(got["permissionDecision"], "deny");
    assert!(run.stderr.contains("no `toolName`"), "{}", run.stderr);

    let run = hook("gemini", b"\xff\xfe not json".to_vec());
    assert_eq!(json_of(&run), json!({}));
    assert!(run.stderr.contains("not UTF-8"), "{}", run.stderr);

    // Over 4 MiB: read up to the cap, the rest drained, judged by its text.
    let mut big = claude_bash("uv add x").into_bytes();
    big.resize(5 * 1024 * 1024, b' ');
    let run = hook("claude", big);
    assert_eq!(
        json_of(&run)["hookSpecificOutput"]["permissionDecision"],
        "deny"
    );
    assert!(run.stderr.contains("larger than 4 MiB"), "{}", run.stderr);
}

#[test]
fn hook_unknown_agent_is_a_usage_error() {
    let run = hook("vim", claude_bash("ls"));
    assert_eq!(run.code, Some(2));
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("invalid value 'vim'"), "{}", run.stderr);
}
