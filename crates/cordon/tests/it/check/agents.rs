//! `agent-policy-missing` and `agent-guard-missing`: the dependency-policy block in the files
//! agents read, and `cordon hook <agent>` wired into each configured agent's hooks.

use super::{Fixture, GOOD_TOOL_UV, line_of, pyproject};

const POLICY: &str = "# Agents\n\n<!-- cordon:dependency-policy -->\nDo not add dependencies without human approval.\n<!-- /cordon:dependency-policy -->\n";

const CLAUDE_WIRED: &str = r#"{
  "hooks": {
    "PreToolUse": [
      { "matcher": "Bash|Write|Edit", "hooks": [{ "type": "command", "command": "cordon hook claude" }] }
    ]
  }
}
"#;

fn project(extra: &[(&str, &str)]) -> Fixture {
    let manifest = pyproject(&[], GOOD_TOOL_UV);
    let mut files = vec![("pyproject.toml", manifest.as_str())];
    files.extend_from_slice(extra);
    Fixture::new(&files)
}

#[test]
fn agent_checks_are_quiet_without_any_sign_of_agents() {
    let report = project(&[]).cordon().json();
    report.none("agent-policy-missing");
    report.none("agent-guard-missing");
}

#[test]
fn agent_policy_missing_fires_when_agents_md_has_no_policy() {
    let report = project(&[("AGENTS.md", "# Agents\n\nRun the tests.\n")])
        .cordon()
        .json();
    let f = report.one("agent-policy-missing");
    f.assert_at("AGENTS.md", 1);
    assert_eq!(f.severity, "medium");
}

#[test]
fn agent_policy_missing_fires_when_only_an_agent_config_exists() {
    let report = project(&[(".claude/settings.json", CLAUDE_WIRED)])
        .cordon()
        .json();
    report
        .one("agent-policy-missing")
        .assert_message("no dependency policy");
}

#[test]
fn agent_policy_missing_quiet_with_the_block_in_agents_md() {
    let report = project(&[("AGENTS.md", POLICY)]).cordon().json();
    report.none("agent-policy-missing");
}

#[test]
fn agent_policy_missing_fires_for_claude_when_claude_md_does_not_import_agents_md() {
    let report = project(&[
        ("AGENTS.md", POLICY),
        ("CLAUDE.md", "# Claude\n"),
        (".claude/settings.json", CLAUDE_WIRED),
    ])
    .cordon()
    .json();
    report
        .one("agent-policy-missing")
        .assert_message("Claude Code is used here but does not read AGENTS.md");
}

#[test]
fn agent_policy_missing_quiet_when_claude_md_imports_agents_md() {
    let report = project(&[
        ("AGENTS.md", POLICY),
        ("CLAUDE.md", "# Claude\n@AGENTS.md\n"),
        (".claude/settings.json", CLAUDE_WIRED),
    ])
    .cordon()
    .json();
    report.none("agent-policy-missing");
    report.none("agent-guard-missing");
}

#[test]
fn agent_policy_missing_fires_for_an_unclosed_block() {
    let text = "# Agents\n<!-- cordon:dependency-policy -->\nno end marker\n";
    let report = project(&[("AGENTS.md", text)]).cordon().json();
    let found = report.all("agent-policy-missing");
    assert!(
        found
            .iter()
            .any(|f| f.message.contains("never closed") && f.line == Some(2)),
        "{report}"
    );
}

#[test]
fn agent_guard_missing_fires_when_claude_settings_lack_the_hook() {
    let settings = r#"{
  "hooks": {
    "PreToolUse": [
      { "matcher": "Bash", "hooks": [{ "type": "command", "command": "./scripts/lint-hook.sh" }] }
    ]
  }
}
"#;
    let report = project(&[("AGENTS.md", POLICY), (".claude/settings.json", settings)])
        .cordon()
        .json();
    let f = report.one("agent-guard-missing");
    f.assert_at(".claude/settings.json", line_of(settings, "\"PreToolUse\""));
    f.assert_message("`cordon hook claude` is not wired");
    assert_eq!(f.severity, "high");
}

#[test]
fn agent_guard_missing_fires_for_a_config_dir_without_hook_files() {
    let report = project(&[
        ("AGENTS.md", POLICY),
        (".cursor/rules/style.mdc", "Use black.\n"),
    ])
    .cordon()
    .json();
    let f = report.one("agent-guard-missing");
    f.assert_message("Cursor is configured here");
    assert_eq!(f.path, None);
}

#[test]
fn agent_guard_missing_quiet_for_each_wired_agent() {
    let cursor =
        r#"{"version":1,"hooks":{"beforeShellExecution":[{"command":"cordon hook cursor"}]}}"#;
    let codex = r#"{"hooks":{"PreToolUse":[{"matcher":"Bash|apply_patch","hooks":[{"type":"command","command":"cordon hook codex"}]}]}}"#;
    let gemini = r#"{"context":{"fileName":["AGENTS.md"]},"hooks":{"BeforeTool":[{"matcher":"run_shell_command","hooks":[{"type":"command","command":"cordon hook gemini"}]}]}}"#;
    let copilot =
        r#"{"version":1,"hooks":{"preToolUse":[{"type":"command","bash":"cordon hook copilot"}]}}"#;
    let report = project(&[
        ("AGENTS.md", POLICY),
        ("CLAUDE.md", "@AGENTS.md\n"),
        (".claude/settings.json", CLAUDE_WIRED),
        (".cursor/hooks.json", cursor),
        (".codex/hooks.json", codex),
        (".gemini/settings.json", gemini),
        (".github/hooks/guard.json", copilot),
    ])
    .cordon()
    .json();
    report.none("agent-guard-missing");
    report.none("agent-policy-missing");
}

#[test]
fn agent_guard_missing_does_not_count_another_agents_hook() {
    let codex = r#"{"hooks":{"PreToolUse":[{"hooks":[{"type":"command","command":"cordon hook claude"}]}]}}"#;
    let report = project(&[("AGENTS.md", POLICY), (".codex/hooks.json", codex)])
        .cordon()
        .json();
    report.one("agent-guard-missing").assert_message("Codex");
}

#[test]
fn agent_guard_missing_reports_invalid_hook_json_at_its_line() {
    let broken = "{\n  \"hooks\": {\n    \"PreToolUse\": [,]\n  }\n}\n";
    let report = project(&[("AGENTS.md", POLICY), (".claude/settings.json", broken)])
        .cordon()
        .json();
    let found = report.all("agent-guard-missing");
    assert!(
        found
            .iter()
            .any(|f| f.message.contains("invalid JSON") && f.line == Some(3)),
        "{report}"
    );
}
