//! Agent instruction files and hook configurations: the edits that make `cordon check`'s agents
//! family (`agent-policy-missing`, `agent-guard-missing`) quiet.
//!
//! - `AGENTS.md` gets cordon's dependency-policy block (created, appended, or the text between
//!   the markers brought up to date).
//! - `CLAUDE.md` imports it with a line `@AGENTS.md` (Claude Code does not read `AGENTS.md`).
//! - `.gemini/settings.json` lists `AGENTS.md` in `context.fileName` (Gemini CLI reads only
//!   `GEMINI.md` by default), unless `GEMINI.md` holds the block itself.
//! - Each agent's hook file gets a handler running `cordon hook <agent>`, merged into what is
//!   there. An agent is "already wired" by the same test `cordon check` uses
//!   ([`AgentFiles::load`]), so what `plan` leaves alone the check accepts.
//!
//! JSON files are parsed with `serde_json` (built with `preserve_order`, so key order survives)
//! and written back pretty-printed with two-space indentation; a file that does not parse is
//! never rewritten.

use std::path::Path;

use cordon_check::agents::{Agent, AgentFiles, POLICY_END, POLICY_START};
use cordon_python::{ParseError, Source};
use serde_json::{Map, Value, json};

use crate::change::{Change, InitError};

/// The policy text between the markers, one line per entry (joined with the file's line ending).
const POLICY_BODY: &[&str] = &[
    "## Dependencies",
    "",
    "- Do not add, remove or upgrade Python dependencies without explicit approval from a human:",
    "  no `pip install`, `uv add`, `uv pip install`, `poetry add` or other install of a package by",
    "  name, and no edits to the dependencies in `pyproject.toml`, requirements files or PEP 723",
    "  `# /// script` headers.",
    "- Install only what the lock names: `uv sync --locked`.",
    "- To propose a new dependency, tell the human which package and why; they vet it with",
    "  `cordon vet NAME` and approve it with `cordon approve NAME --reason \"...\"`.",
    "- A hook (`cordon hook <agent>`) enforces this and blocks such commands and edits; do not",
    "  work around it.",
];

/// The title of an `AGENTS.md` cordon creates.
const AGENTS_MD_TITLE: &str = "# Agent instructions";

/// The explanation above the import in a `CLAUDE.md` cordon creates.
const CLAUDE_MD_NOTE: &str =
    "Claude Code reads this file, not AGENTS.md; the line below imports the shared instructions.";

/// Agents whose configuration exists in the project (the default for `cordon init` without
/// `--agents`): those whose configuration directory (`.claude/`, `.cursor/`, `.codex/`,
/// `.gemini/`, `.github/hooks/`) is present — the same test `cordon check` uses.
pub fn detected(root: &Path) -> Vec<Agent> {
    Agent::ALL
        .into_iter()
        .filter(|a| root.join(a.config_dir()).is_dir())
        .collect()
}

/// Parses "claude,cursor" (comma-separated, case-insensitive, whitespace tolerated, repeats
/// dropped). An unknown name is an [`InitError::Stop`] naming it and listing the valid names.
pub fn parse_list(s: &str) -> Result<Vec<Agent>, InitError> {
    let valid = Agent::ALL.map(Agent::as_str).join(", ");
    let help = "pass a comma-separated list, e.g. `--agents claude,cursor`";
    let mut out = Vec::new();
    for name in s.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let Some(agent) = Agent::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(name))
        else {
            return Err(InitError::stop_with_help(
                format!("unknown agent `{name}` (cordon knows {valid})"),
                help,
            ));
        };
        if !out.contains(&agent) {
            out.push(agent);
        }
    }
    if out.is_empty() {
        return Err(InitError::stop_with_help(
            format!("no agent named in `{s}` (cordon knows {valid})"),
            help,
        ));
    }
    Ok(out)
}

/// The edits that make `cordon check`'s agents family quiet for `agents`. Reads the files
/// itself; returns only changes that change something, `AGENTS.md` first, then `CLAUDE.md`,
/// then hook files in the order of `agents`.
///
/// With no agents, only the `AGENTS.md` block is planned, and only when the project has agent
/// instruction files but none holds a policy (when `agent-policy-missing` would report that).
///
/// Stops with [`InitError::Parse`] on a policy block opened but never closed (in any file agents
/// read), a hook file that is not valid JSON, or one whose `hooks` (or event) has the wrong type.
pub fn plan(root: &Path, agents: &[Agent]) -> Result<Vec<Change>, InitError> {
    let mut wanted: Vec<Agent> = Vec::new();
    for a in agents {
        if !wanted.contains(a) {
            wanted.push(*a);
        }
    }
    let files = AgentFiles::load(root);
    // Where a block's end is unknown, any edit would be a guess.
    for i in &files.instructions {
        if let (Some(span), None) = (&i.unclosed, &i.policy) {
            return Err(unclosed(&i.source.path, span.clone()).into());
        }
    }

    let mut changes = Vec::new();
    let any_policy = files.instructions.iter().any(|i| i.policy.is_some());
    if !wanted.is_empty() || (!files.instructions.is_empty() && !any_policy) {
        changes.extend(agents_md(root)?);
    }
    if wanted.contains(&Agent::Claude) {
        changes.extend(claude_md(root)?);
    }
    for agent in wanted {
        let mut edits = Vec::new();
        let wired = files
            .configs
            .iter()
            .any(|c| c.agent == agent && c.hook_files.iter().any(|h| h.wired));
        if !wired {
            edits.push(JsonEdit::Hook);
        }
        if agent == Agent::Gemini && gemini_needs_context(root, &files) {
            edits.push(JsonEdit::GeminiContext);
        }
        if !edits.is_empty() {
            changes.extend(json_change(root, agent, &edits)?);
        }
    }
    Ok(changes)
}

// ---------------------------------------------------------------------------------------------
// Instruction files

/// The whole policy block, markers included, ending with a line ending.
fn policy_block(eol: &str) -> String {
    format!("{POLICY_START}{}{POLICY_END}{eol}", policy_inner(eol))
}

/// What goes between the markers.
fn policy_inner(eol: &str) -> String {
    let mut s = String::from(eol);
    for line in POLICY_BODY {
        s.push_str(line);
        s.push_str(eol);
    }
    s
}

/// The line ending a file uses: that of its first line (`\n` for a file with none).
fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if text[..i].ends_with('\r') => "\r\n",
        _ => "\n",
    }
}

/// `text` with `addition` appended after one blank line (none for an empty file).
fn append_paragraph(text: &str, addition: &str, eol: &str) -> String {
    let mut out = text.to_owned();
    if !out.trim().is_empty() {
        if !out.ends_with('\n') {
            out.push_str(eol);
        }
        if !(out.ends_with("\n\n") || out.ends_with("\n\r\n")) {
            out.push_str(eol);
        }
    }
    out.push_str(addition);
    out
}

fn unclosed(path: &Path, span: std::ops::Range<usize>) -> ParseError {
    ParseError::new(
        path,
        Some(span),
        format!("the dependency-policy block is opened here but never closed with `{POLICY_END}`"),
    )
    .with_help(format!(
        "add `{POLICY_END}` where the policy text ends (or delete this marker), then run the command again"
    ))
}

fn read_optional(path: &Path) -> Result<Option<String>, InitError> {
    if !path.exists() {
        return Ok(None);
    }
    Ok(Some(Source::read(path)?.text.to_string()))
}

/// `AGENTS.md`: created, or the block appended. A closed block already there is the team's own
/// wording (docs/checks.md) and is left as it is.
fn agents_md(root: &Path) -> Result<Option<Change>, InitError> {
    let path = root.join("AGENTS.md");
    let Some(text) = read_optional(&path)? else {
        let after = format!("{AGENTS_MD_TITLE}\n\n{}", policy_block("\n"));
        return Ok(Some(
            Change::new(path, None, after)
                .with("create AGENTS.md with cordon's dependency-policy block"),
        ));
    };
    let eol = line_ending(&text);
    let Some(start) = text.find(POLICY_START) else {
        let after = append_paragraph(&text, &policy_block(eol), eol);
        return Ok(Some(
            Change::new(path, Some(text), after).with("add cordon's dependency-policy block"),
        ));
    };
    let inner_start = start + POLICY_START.len();
    if !text[inner_start..].contains(POLICY_END) {
        return Err(unclosed(&path, start..inner_start).into());
    }
    Ok(None)
}

/// True for Claude Code's import of `AGENTS.md`, as `cordon check` recognises it.
fn is_agents_md_import(line: &str) -> bool {
    matches!(line.trim(), "@AGENTS.md" | "@./AGENTS.md")
}

/// `CLAUDE.md`: created with `@AGENTS.md`, or the import appended, unless it already holds the
/// policy block or the import.
fn claude_md(root: &Path) -> Result<Option<Change>, InitError> {
    let path = root.join("CLAUDE.md");
    let what = "import AGENTS.md (`@AGENTS.md`): Claude Code does not read AGENTS.md";
    let Some(text) = read_optional(&path)? else {
        let after = format!("{CLAUDE_MD_NOTE}\n\n@AGENTS.md\n");
        return Ok(Some(Change::new(path, None, after).with(what)));
    };
    if let Some(start) = text.find(POLICY_START) {
        if text[start..].contains(POLICY_END) {
            return Ok(None);
        }
        return Err(unclosed(&path, start..start + POLICY_START.len()).into());
    }
    if text.lines().any(is_agents_md_import) {
        return Ok(None);
    }
    let eol = line_ending(&text);
    let after = append_paragraph(&text, &format!("@AGENTS.md{eol}"), eol);
    Ok(Some(Change::new(path, Some(text), after).with(what)))
}

/// Whether `agent-policy-missing` would say Gemini CLI does not see the policy, given that
/// `AGENTS.md` holds it: neither `GEMINI.md` holds the block nor `.gemini/settings.json`
/// mentions `AGENTS.md` (the check's own test, on the file's text).
fn gemini_needs_context(root: &Path, files: &AgentFiles) -> bool {
    let gemini_md = files
        .instructions_named(root, "GEMINI.md")
        .is_some_and(|i| i.policy.is_some());
    let settings = std::fs::read_to_string(root.join(hook_file(Agent::Gemini)))
        .is_ok_and(|t| t.contains("AGENTS.md"));
    !gemini_md && !settings
}

// ---------------------------------------------------------------------------------------------
// Hook files

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JsonEdit {
    /// Add the `cordon hook <agent>` handler.
    Hook,
    /// Add `AGENTS.md` to Gemini CLI's `context.fileName`.
    GeminiContext,
}

/// The file cordon wires the hook into, relative to the root.
fn hook_file(agent: Agent) -> &'static str {
    match agent {
        Agent::Claude => ".claude/settings.json",
        Agent::Cursor => ".cursor/hooks.json",
        Agent::Codex => ".codex/hooks.json",
        Agent::Gemini => ".gemini/settings.json",
        Agent::Copilot => ".github/hooks/cordon.json",
    }
}

/// The event under `hooks` cordon's handler goes into.
fn hook_event(agent: Agent) -> &'static str {
    match agent {
        Agent::Claude | Agent::Codex => "PreToolUse",
        Agent::Cursor => "beforeShellExecution",
        Agent::Gemini => "BeforeTool",
        Agent::Copilot => "preToolUse",
    }
}

/// cordon's entry in the event's array.
fn hook_entry(agent: Agent) -> Value {
    let command = agent.hook_command();
    match agent {
        Agent::Claude => json!({
            "matcher": "Bash|PowerShell|Write|Edit|MultiEdit|NotebookEdit",
            "hooks": [{"type": "command", "command": command, "timeout": 30}],
        }),
        Agent::Codex => json!({
            "matcher": "Bash|apply_patch",
            "hooks": [{"type": "command", "command": command, "timeout": 30}],
        }),
        Agent::Cursor => json!({"command": command}),
        Agent::Gemini => json!({
            "matcher": "run_shell_command|write_file|replace",
            "hooks": [{"type": "command", "command": command, "name": "cordon", "timeout": 30000}],
        }),
        Agent::Copilot => json!({"type": "command", "bash": command, "timeoutSec": 30}),
    }
}

/// A hook file cordon creates: `{"version": 1}` where the agent's format is versioned.
fn new_hook_doc(agent: Agent) -> Map<String, Value> {
    let mut doc = Map::new();
    if matches!(agent, Agent::Cursor | Agent::Copilot) {
        doc.insert("version".to_owned(), json!(1));
    }
    doc
}

/// The span of the first `"key"` in `text`, to point an error at.
fn key_span(text: &str, key: &str) -> Option<std::ops::Range<usize>> {
    let quoted = format!("\"{key}\"");
    text.find(&quoted).map(|i| i..i + quoted.len())
}

/// The byte offset of serde_json's 1-based line and column (column counted in bytes).
fn json_offset(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let mut at = (line_start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn parse_json(path: &Path, text: &str) -> Result<Value, InitError> {
    if text.trim().is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_str(text).map_err(|e| {
        let at = json_offset(text, e.line(), e.column());
        let end = text[at..]
            .chars()
            .next()
            .filter(|c| *c != '\n' && *c != '\r')
            .map_or(at, |c| at + c.len_utf8());
        ParseError::new(path, Some(at..end), format!("invalid JSON: {e}"))
            .with_help("fix the file (cordon does not rewrite a file it cannot read), then run the command again")
            .into()
    })
}

/// What to do about a hook file cordon cannot merge into.
fn by_hand(agent: Agent) -> String {
    format!(
        "fix the file, or wire `{}` into it by hand (see docs/checks.md#agent-guard-missing)",
        agent.hook_command()
    )
}

/// What to do about a Gemini CLI `context` cordon cannot merge into.
fn gemini_help() -> String {
    "fix the file, or add \"AGENTS.md\" to `context.fileName` by hand so Gemini CLI reads the dependency policy (see docs/checks.md#agent-policy-missing)".to_owned()
}

/// A key whose value has a type cordon cannot merge into; points at the key's first occurrence.
fn wrong_type(
    path: &Path,
    text: &str,
    key: &str,
    what: &str,
    expected: &str,
    help: String,
) -> InitError {
    ParseError::new(
        path,
        key_span(text, key),
        format!("`{what}` must be {expected}"),
    )
    .with_help(help)
    .into()
}

/// Applies `edits` to the agent's hook file (created when missing).
fn json_change(root: &Path, agent: Agent, edits: &[JsonEdit]) -> Result<Option<Change>, InitError> {
    let path = root.join(hook_file(agent));
    let before = read_optional(&path)?;
    let text = before.as_deref().unwrap_or("");
    let mut doc = match &before {
        Some(t) => parse_json(&path, t)?,
        None => Value::Object(new_hook_doc(agent)),
    };
    let Some(obj) = doc.as_object_mut() else {
        return Err(
            ParseError::new(&path, None, "the file must hold a JSON object")
                .with_help(by_hand(agent))
                .into(),
        );
    };
    let mut what = Vec::new();
    for edit in edits {
        match edit {
            JsonEdit::Hook => {
                let event = hook_event(agent);
                let hooks = obj
                    .entry("hooks")
                    .or_insert_with(|| Value::Object(Map::new()))
                    .as_object_mut()
                    .ok_or_else(|| {
                        wrong_type(&path, text, "hooks", "hooks", "an object", by_hand(agent))
                    })?;
                let handlers = hooks
                    .entry(event)
                    .or_insert_with(|| Value::Array(Vec::new()))
                    .as_array_mut()
                    .ok_or_else(|| {
                        wrong_type(
                            &path,
                            text,
                            event,
                            &format!("hooks.{event}"),
                            "an array",
                            by_hand(agent),
                        )
                    })?;
                handlers.push(hook_entry(agent));
                what.push(format!(
                    "wire `{}` into {}'s `{event}` hook",
                    agent.hook_command(),
                    agent.display()
                ));
            }
            JsonEdit::GeminiContext => {
                let context = obj
                    .entry("context")
                    .or_insert_with(|| Value::Object(Map::new()))
                    .as_object_mut()
                    .ok_or_else(|| {
                        wrong_type(
                            &path,
                            text,
                            "context",
                            "context",
                            "an object",
                            gemini_help(),
                        )
                    })?;
                match context.get_mut("fileName") {
                    None => {
                        context.insert("fileName".to_owned(), json!(["AGENTS.md", "GEMINI.md"]));
                    }
                    Some(Value::String(s)) => {
                        let theirs = std::mem::take(s);
                        context.insert("fileName".to_owned(), json!([theirs, "AGENTS.md"]));
                    }
                    Some(Value::Array(names)) => names.push(json!("AGENTS.md")),
                    Some(_) => {
                        return Err(wrong_type(
                            &path,
                            text,
                            "fileName",
                            "context.fileName",
                            "a string or an array of strings",
                            gemini_help(),
                        ));
                    }
                }
                what.push(
                    "make Gemini CLI read AGENTS.md (add it to `context.fileName`)".to_owned(),
                );
            }
        }
    }
    let mut after = serde_json::to_string_pretty(&doc).map_err(|e| {
        InitError::stop(format!("could not write `{}` as JSON: {e}", path.display()))
    })?;
    let eol = line_ending(text);
    if before.as_deref().is_none_or(|t| t.ends_with('\n')) {
        after.push('\n');
    }
    if eol == "\r\n" {
        after = after.replace('\n', "\r\n");
    }
    let mut change = Change::new(path, before, after);
    change.what = what;
    Ok((!change.is_noop()).then_some(change))
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::path::PathBuf;

    fn project() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("pyproject.toml"),
            "[project]\nname = \"x\"\nversion = \"0\"\ndependencies = []\n",
        )
        .unwrap();
        dir
    }

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn read(root: &Path, rel: &str) -> String {
        std::fs::read_to_string(root.join(rel)).unwrap()
    }

    fn apply(root: &Path, agents: &[Agent]) -> Vec<Change> {
        let changes = plan(root, agents).unwrap();
        crate::change::write_all(&changes).unwrap();
        changes
    }

    fn change_for<'a>(changes: &'a [Change], root: &Path, rel: &str) -> Option<&'a Change> {
        changes.iter().find(|c| c.path == root.join(rel))
    }

    fn paths(changes: &[Change], root: &Path) -> Vec<PathBuf> {
        changes
            .iter()
            .map(|c| c.path.strip_prefix(root).unwrap().to_path_buf())
            .collect()
    }

    /// Ids of the agents-family findings `cordon check` reports for the project.
    fn agent_findings(root: &Path) -> Vec<String> {
        let env = cordon_python::settings::Env::from_pairs(Vec::<(String, String)>::new());
        let project = cordon_check::Project::load(root, &env).unwrap();
        let policy = cordon_check::Policy::load(&project.root, project.pyproject.as_ref()).unwrap();
        let report = cordon_check::run_checks(
            &project,
            &policy,
            &cordon_check::CheckOptions {
                now: jiff::Timestamp::now(),
                uv_lock_check: None,
            },
        );
        report
            .findings
            .iter()
            .filter(|f| f.id == "agent-policy-missing" || f.id == "agent-guard-missing")
            .map(|f| format!("{}: {}", f.id, f.message))
            .collect()
    }

    fn json(root: &Path, rel: &str) -> Value {
        serde_json::from_str(&read(root, rel)).unwrap()
    }

    fn keys(v: &Value) -> Vec<&str> {
        v.as_object().unwrap().keys().map(String::as_str).collect()
    }

    fn parse_err(err: InitError) -> ParseError {
        match err {
            InitError::Parse(p) => p,
            other => panic!("expected a parse error, got {other:?}"),
        }
    }

    fn line_of(text: &str, offset: usize) -> usize {
        text[..offset].matches('\n').count() + 1
    }

    #[test]
    fn detects_agents_by_their_configuration_directories() {
        let dir = project();
        let root = dir.path();
        assert!(detected(root).is_empty());
        std::fs::create_dir_all(root.join(".cursor")).unwrap();
        std::fs::create_dir_all(root.join(".claude")).unwrap();
        std::fs::create_dir_all(root.join(".github/hooks")).unwrap();
        // A file, not a directory, does not count.
        write(root, ".codex", "");
        assert_eq!(
            detected(root),
            [Agent::Claude, Agent::Cursor, Agent::Copilot]
        );
    }

    #[test]
    fn parses_agent_lists() {
        assert_eq!(
            parse_list("claude,cursor").unwrap(),
            [Agent::Claude, Agent::Cursor]
        );
        assert_eq!(
            parse_list(" Gemini , CODEX,copilot, gemini ,").unwrap(),
            [Agent::Gemini, Agent::Codex, Agent::Copilot]
        );
        let err = parse_list("claude,windsurf").unwrap_err();
        let InitError::Stop { message, .. } = &err else {
            panic!("{err:?}")
        };
        assert!(message.contains("`windsurf`"), "{message}");
        for a in Agent::ALL {
            assert!(message.contains(a.as_str()), "{message}");
        }
        assert!(matches!(
            parse_list(" , ").unwrap_err(),
            InitError::Stop { .. }
        ));
    }

    #[test]
    fn wires_each_agent_from_nothing() {
        for agent in Agent::ALL {
            let dir = project();
            let root = dir.path();
            let changes = apply(root, &[agent]);
            let rel = hook_file(agent);
            let c = change_for(&changes, root, rel).unwrap();
            assert!(c.before.is_none(), "{agent:?}");
            assert!(c.after.ends_with("}\n"), "{agent:?}");
            assert!(c.what.iter().any(|w| w.contains(&agent.hook_command())));
            let v = json(root, rel);
            let event = &v["hooks"][hook_event(agent)];
            assert_eq!(event, &json!([hook_entry(agent)]), "{agent:?}");
            match agent {
                Agent::Cursor | Agent::Copilot => {
                    assert_eq!(keys(&v), ["version", "hooks"]);
                    assert_eq!(v["version"], json!(1));
                }
                Agent::Gemini => {
                    assert_eq!(keys(&v), ["hooks", "context"]);
                    assert_eq!(v["context"]["fileName"], json!(["AGENTS.md", "GEMINI.md"]));
                }
                Agent::Claude | Agent::Codex => assert_eq!(keys(&v), ["hooks"]),
            }
            assert!(read(root, "AGENTS.md").contains(POLICY_START));
            assert_eq!(
                root.join("CLAUDE.md").exists(),
                agent == Agent::Claude,
                "{agent:?}"
            );
            assert!(plan(root, &[agent]).unwrap().is_empty(), "{agent:?}");
            assert_eq!(agent_findings(root), Vec::<String>::new(), "{agent:?}");
        }
    }

    #[test]
    fn keeps_existing_hooks_and_their_key_order() {
        let existing = [
            (
                Agent::Claude,
                r#"{"permissions": {"deny": ["Bash(curl *)"]}, "hooks": {"PostToolUse": [{"matcher": "Write", "hooks": [{"type": "command", "command": "fmt"}]}], "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "audit"}]}]}, "model": "x"}"#,
            ),
            (
                Agent::Codex,
                r#"{"hooks": {"SessionStart": [{"hooks": [{"type": "command", "command": "hello"}]}]}, "zeta": 1, "alpha": 2}"#,
            ),
            (
                Agent::Cursor,
                r#"{"version": 1, "hooks": {"afterFileEdit": [{"command": "fmt"}], "beforeShellExecution": [{"command": "audit"}]}}"#,
            ),
            (
                Agent::Gemini,
                r#"{"ui": {"theme": "dark"}, "context": {"fileName": "RULES.md"}, "hooks": {"AfterTool": [{"matcher": "x", "hooks": [{"type": "command", "command": "log"}]}]}}"#,
            ),
            (
                Agent::Copilot,
                r#"{"version": 1, "hooks": {"sessionStart": [{"type": "command", "bash": "hello"}], "preToolUse": [{"type": "command", "bash": "audit"}]}}"#,
            ),
        ];
        for (agent, text) in existing {
            let dir = project();
            let root = dir.path();
            let rel = hook_file(agent);
            write(root, rel, text);
            let before: Value = serde_json::from_str(text).unwrap();
            let changes = apply(root, &[agent]);
            let c = change_for(&changes, root, rel).unwrap();
            assert_eq!(c.before.as_deref(), Some(text));
            // No trailing newline before, none after.
            assert!(c.after.ends_with('}'), "{agent:?}");
            let after = json(root, rel);
            let mut want_keys = keys(&before);
            if agent == Agent::Codex {
                assert_eq!(want_keys, ["hooks", "zeta", "alpha"]);
            }
            if !want_keys.contains(&"hooks") {
                want_keys.push("hooks");
            }
            assert_eq!(keys(&after), want_keys, "{agent:?}");
            // Every event they had is kept, in order, and theirs come first within ours.
            let event = hook_event(agent);
            let mut their_events = keys(&before["hooks"]);
            if !their_events.contains(&event) {
                their_events.push(event);
            }
            assert_eq!(keys(&after["hooks"]), their_events, "{agent:?}");
            for (name, handlers) in before["hooks"].as_object().unwrap() {
                let now = after["hooks"][name].as_array().unwrap();
                let old = handlers.as_array().unwrap();
                assert_eq!(&now[..old.len()], &old[..], "{agent:?} {name}");
            }
            assert_eq!(
                after["hooks"][event].as_array().unwrap().last().unwrap(),
                &hook_entry(agent)
            );
            for (k, v) in before.as_object().unwrap() {
                if k != "hooks" && k != "context" {
                    assert_eq!(&after[k], v, "{agent:?} {k}");
                }
            }
            if agent == Agent::Gemini {
                assert_eq!(after["ui"], json!({"theme": "dark"}));
                assert_eq!(
                    after["context"]["fileName"],
                    json!(["RULES.md", "AGENTS.md"])
                );
            }
            assert!(plan(root, &[agent]).unwrap().is_empty(), "{agent:?}");
            assert_eq!(agent_findings(root), Vec::<String>::new(), "{agent:?}");
        }
    }

    #[test]
    fn already_wired_agents_are_left_alone() {
        let wired = [
            (
                Agent::Claude,
                ".claude/settings.local.json",
                r#"{"hooks":{"PreToolUse":[{"matcher":"Bash","hooks":[{"type":"command","command":"/opt/bin/cordon hook claude"}]}]}}"#,
            ),
            (
                Agent::Codex,
                ".codex/hooks.json",
                r#"{"hooks":{"PreToolUse":[{"hooks":[{"type":"command","command":"cordon hook codex"}]}]}}"#,
            ),
            (
                Agent::Cursor,
                ".cursor/hooks.json",
                r#"{"version":1,"hooks":{"preToolUse":[{"command":"cordon hook cursor"}]}}"#,
            ),
            (
                Agent::Gemini,
                ".gemini/settings.json",
                r#"{"context":{"fileName":["AGENTS.md"]},"hooks":{"BeforeTool":[{"hooks":[{"type":"command","command":"cordon hook gemini"}]}]}}"#,
            ),
            (
                Agent::Copilot,
                ".github/hooks/guard.json",
                r#"{"version":1,"hooks":{"preToolUse":[{"type":"command","bash":"cordon hook copilot"}]}}"#,
            ),
        ];
        for (agent, rel, text) in wired {
            let dir = project();
            let root = dir.path();
            write(root, rel, text);
            let changes = plan(root, &[agent]).unwrap();
            let touched = paths(&changes, root);
            assert!(
                touched
                    .iter()
                    .all(|p| p == Path::new("AGENTS.md") || p == Path::new("CLAUDE.md")),
                "{agent:?}: {touched:?}"
            );
            crate::change::write_all(&changes).unwrap();
            assert_eq!(read(root, rel), text);
            assert!(!root.join(hook_file(agent)).exists() || rel == hook_file(agent));
            assert_eq!(agent_findings(root), Vec::<String>::new(), "{agent:?}");
        }
    }

    #[test]
    fn a_pretty_printed_file_gets_only_additions() {
        let dir = project();
        let root = dir.path();
        let text = serde_json::to_string_pretty(&json!({
            "env": {"A": "1"},
            "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "bye"}]}]}
        }))
        .unwrap()
            + "\n";
        write(root, ".claude/settings.json", &text);
        let changes = plan(root, &[Agent::Claude]).unwrap();
        let c = change_for(&changes, root, ".claude/settings.json").unwrap();
        // The old lines are a subsequence of the new ones.
        let mut new_lines = c.after.lines();
        for old in text.lines() {
            assert!(new_lines.any(|l| l == old), "lost `{old}` in\n{}", c.after);
        }
        assert!(c.after.ends_with("}\n"));
    }

    #[test]
    fn a_crlf_hook_file_stays_crlf() {
        let dir = project();
        let root = dir.path();
        write(root, ".codex/hooks.json", "{\r\n  \"hooks\": {}\r\n}\r\n");
        let changes = plan(root, &[Agent::Codex]).unwrap();
        let c = change_for(&changes, root, ".codex/hooks.json").unwrap();
        assert!(c.after.ends_with("}\r\n"));
        assert!(!c.after.replace("\r\n", "").contains('\n'), "{:?}", c.after);
    }

    #[test]
    fn creates_agents_md_with_title_and_block() {
        let dir = project();
        let root = dir.path();
        let changes = plan(root, &[Agent::Codex]).unwrap();
        let c = change_for(&changes, root, "AGENTS.md").unwrap();
        assert!(c.before.is_none());
        assert!(
            c.after
                .starts_with("# Agent instructions\n\n<!-- cordon:dependency-policy -->\n")
        );
        assert!(c.after.ends_with("<!-- /cordon:dependency-policy -->\n"));
        for needle in [
            "pip install",
            "uv add",
            "uv pip install",
            "poetry add",
            "pyproject.toml",
            "requirements files",
            "PEP 723",
            "uv sync --locked",
            "cordon vet NAME",
            "cordon approve NAME --reason",
            "cordon hook",
        ] {
            assert!(c.after.contains(needle), "missing {needle}");
        }
    }

    #[test]
    fn appends_the_block_after_one_blank_line_keeping_the_rest() {
        for (text, sep) in [
            ("# Agents\n\nBuild with make.\n", "\n"),
            ("# Agents\n\nBuild with make.", "\n\n"),
            ("# Agents\n\nBuild with make.\n\n", ""),
        ] {
            let dir = project();
            let root = dir.path();
            write(root, "AGENTS.md", text);
            let changes = plan(root, &[Agent::Cursor]).unwrap();
            let c = change_for(&changes, root, "AGENTS.md").unwrap();
            assert_eq!(c.after, format!("{text}{sep}{}", policy_block("\n")));
        }
    }

    #[test]
    fn a_crlf_agents_md_gets_a_crlf_block() {
        let dir = project();
        let root = dir.path();
        let text = "# Agents\r\n\r\nRun tests with `make test`.\r\n";
        write(root, "AGENTS.md", text);
        let changes = apply(root, &[Agent::Codex]);
        let c = change_for(&changes, root, "AGENTS.md").unwrap();
        assert!(c.after.starts_with(text));
        let added = &c.after[text.len()..];
        assert!(added.starts_with("\r\n<!-- cordon:dependency-policy -->\r\n"));
        assert!(added.ends_with("<!-- /cordon:dependency-policy -->\r\n"));
        assert!(!added.replace("\r\n", "").contains('\n'), "{added:?}");
        assert!(plan(root, &[Agent::Codex]).unwrap().is_empty());
    }

    #[test]
    fn a_teams_own_block_is_left_alone() {
        let dir = project();
        let root = dir.path();
        let head = "# Agents\n\nIntro.\n\n";
        let tail = "\n\n## Style\nUse black.\n";
        let text = format!("{head}{POLICY_START}\nOld rules.\n{POLICY_END}{tail}");
        write(root, "AGENTS.md", &text);
        let changes = apply(root, &[Agent::Codex]);
        assert!(change_for(&changes, root, "AGENTS.md").is_none());
        assert_eq!(
            std::fs::read_to_string(root.join("AGENTS.md")).unwrap(),
            text
        );
    }

    #[test]
    fn an_identical_block_is_left_alone() {
        let dir = project();
        let root = dir.path();
        write(
            root,
            "AGENTS.md",
            &format!("Notes.\n\n{}More notes.\n", policy_block("\n")),
        );
        assert!(
            plan(root, &[Agent::Cursor, Agent::Codex])
                .unwrap()
                .iter()
                .all(|c| c.path != root.join("AGENTS.md"))
        );
    }

    #[test]
    fn an_unclosed_block_is_an_error_at_its_line() {
        for file in ["AGENTS.md", "CLAUDE.md", ".cursor/rules/deps.mdc"] {
            let dir = project();
            let root = dir.path();
            let text = format!("# Agents\n\n{POLICY_START}\nNo new deps.\n");
            write(root, file, &text);
            let err = parse_err(plan(root, &[Agent::Claude]).unwrap_err());
            assert_eq!(err.path, root.join(file));
            let span = err.span.clone().unwrap();
            assert_eq!(&text[span.clone()], POLICY_START);
            assert_eq!(line_of(&text, span.start), 3);
            assert!(err.message.contains("never closed"), "{}", err.message);
            assert!(err.help.unwrap().contains(POLICY_END));
        }
    }

    #[test]
    fn invalid_json_is_an_error_at_its_line() {
        let dir = project();
        let root = dir.path();
        let text = "{\n  \"hooks\": {\n    \"PreToolUse\": [,]\n  }\n}\n";
        write(root, ".claude/settings.json", text);
        let err = parse_err(plan(root, &[Agent::Claude]).unwrap_err());
        assert_eq!(err.path, root.join(".claude/settings.json"));
        let span = err.span.clone().unwrap();
        assert_eq!(line_of(text, span.start), 3);
        assert_eq!(&text[span], ",");
        assert!(err.message.starts_with("invalid JSON"), "{}", err.message);
        assert!(err.help.is_some());
        // Truncated input points at the last line.
        let text = "{\n  \"hooks\": {\n";
        write(root, ".codex/hooks.json", text);
        let err = parse_err(plan(root, &[Agent::Codex]).unwrap_err());
        let span = err.span.unwrap();
        assert!(line_of(text, span.start) >= 2);
        assert_eq!(read(root, ".codex/hooks.json"), text);
    }

    #[test]
    fn hooks_of_the_wrong_type_are_an_error() {
        for (agent, text, key) in [
            (Agent::Claude, r#"{"hooks": "x"}"#, "\"hooks\""),
            (
                Agent::Codex,
                r#"{"hooks": {"PreToolUse": {}}}"#,
                "\"PreToolUse\"",
            ),
            (Agent::Cursor, "[]", ""),
            (
                Agent::Gemini,
                r#"{"context": {"fileName": 3}}"#,
                "\"fileName\"",
            ),
        ] {
            let dir = project();
            let root = dir.path();
            write(root, hook_file(agent), text);
            let err = parse_err(plan(root, &[agent]).unwrap_err());
            assert_eq!(err.path, root.join(hook_file(agent)), "{agent:?}");
            if key.is_empty() {
                assert!(err.span.is_none());
            } else {
                assert_eq!(&text[err.span.unwrap()], key, "{agent:?}");
            }
            let help = err.help.unwrap();
            let want = if agent == Agent::Gemini {
                "AGENTS.md".to_owned()
            } else {
                agent.hook_command()
            };
            assert!(help.contains(&want), "{help}");
        }
    }

    #[test]
    fn claude_md_imports_agents_md() {
        // Missing: created with the import.
        let dir = project();
        let root = dir.path();
        let changes = plan(root, &[Agent::Claude]).unwrap();
        let c = change_for(&changes, root, "CLAUDE.md").unwrap();
        assert!(c.before.is_none());
        assert!(c.after.lines().any(is_agents_md_import));
        // Present without the import: appended after a blank line.
        let text = "# Claude\r\nBe brief.\r\n";
        write(root, "CLAUDE.md", text);
        let changes = plan(root, &[Agent::Claude]).unwrap();
        let c = change_for(&changes, root, "CLAUDE.md").unwrap();
        assert_eq!(c.after, format!("{text}\r\n@AGENTS.md\r\n"));
        // Already importing, or holding the block itself: left alone.
        for text in [
            "See below.\n  @AGENTS.md\n".to_owned(),
            "@./AGENTS.md\n".to_owned(),
            format!("# Claude\n{}", policy_block("\n")),
        ] {
            write(root, "CLAUDE.md", &text);
            let changes = plan(root, &[Agent::Claude]).unwrap();
            assert!(change_for(&changes, root, "CLAUDE.md").is_none(), "{text}");
        }
        // Not touched when Claude is not among the agents.
        std::fs::remove_file(root.join("CLAUDE.md")).unwrap();
        let changes = plan(root, &[Agent::Codex]).unwrap();
        assert!(change_for(&changes, root, "CLAUDE.md").is_none());
    }

    #[test]
    fn gemini_md_with_the_block_needs_no_context_setting() {
        let dir = project();
        let root = dir.path();
        write(root, "GEMINI.md", &policy_block("\n"));
        apply(root, &[Agent::Gemini]);
        let v = json(root, ".gemini/settings.json");
        assert!(v.get("context").is_none(), "{v}");
        assert_eq!(agent_findings(root), Vec::<String>::new());
    }

    #[test]
    fn a_wired_gemini_still_gets_the_context_setting() {
        let dir = project();
        let root = dir.path();
        let gemini = r#"{"hooks":{"BeforeTool":[{"hooks":[{"type":"command","command":"cordon hook gemini"}]}]}}"#;
        write(root, ".gemini/settings.json", gemini);
        let changes = plan(root, &[Agent::Gemini]).unwrap();
        let c = change_for(&changes, root, ".gemini/settings.json").unwrap();
        assert_eq!(c.what.len(), 1, "{:?}", c.what);
        assert!(c.what[0].contains("AGENTS.md"));
    }

    #[test]
    fn without_agents_only_a_missing_policy_is_planned() {
        let dir = project();
        let root = dir.path();
        // No sign of agents: nothing.
        assert!(plan(root, &[]).unwrap().is_empty());
        // An AGENTS.md without the block: the block.
        write(root, "AGENTS.md", "# Agents\n");
        let changes = apply(root, &[]);
        assert_eq!(paths(&changes, root), [PathBuf::from("AGENTS.md")]);
        assert!(plan(root, &[]).unwrap().is_empty());
        assert_eq!(agent_findings(root), Vec::<String>::new());
    }

    #[test]
    fn end_to_end_detected_claude_and_cursor() {
        let dir = project();
        let root = dir.path();
        std::fs::create_dir_all(root.join(".claude")).unwrap();
        std::fs::create_dir_all(root.join(".cursor")).unwrap();
        assert!(!agent_findings(root).is_empty());
        let agents = detected(root);
        assert_eq!(agents, [Agent::Claude, Agent::Cursor]);
        let changes = apply(root, &agents);
        assert_eq!(
            paths(&changes, root),
            [
                PathBuf::from("AGENTS.md"),
                PathBuf::from("CLAUDE.md"),
                PathBuf::from(".claude/settings.json"),
                PathBuf::from(".cursor/hooks.json"),
            ]
        );
        assert_eq!(agent_findings(root), Vec::<String>::new());
        assert!(plan(root, &detected(root)).unwrap().is_empty());
    }

    #[test]
    fn end_to_end_all_agents() {
        let dir = project();
        let root = dir.path();
        for a in Agent::ALL {
            std::fs::create_dir_all(root.join(a.config_dir())).unwrap();
        }
        // An existing AGENTS.md and CLAUDE.md of the team's own.
        write(root, "AGENTS.md", "# Agents\n\nUse `make test`.\n");
        write(root, "CLAUDE.md", "Prefer small diffs.\n");
        let agents = detected(root);
        assert_eq!(agents, Agent::ALL);
        let before = agent_findings(root);
        assert!(before.len() >= 5, "{before:?}");
        apply(root, &agents);
        assert_eq!(agent_findings(root), Vec::<String>::new());
        assert!(read(root, "AGENTS.md").starts_with("# Agents\n\nUse `make test`.\n\n"));
        assert!(read(root, "CLAUDE.md").starts_with("Prefer small diffs.\n\n@AGENTS.md"));
        assert!(plan(root, &agents).unwrap().is_empty());
    }
}
