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
//! JSON files are validated and merged with `serde_json` (built with `preserve_order`, so key
//! order survives); a file that does not parse is never rewritten. The merge is then written as
//! splices into the original text, so every byte outside the additions stays as it was (its
//! indentation, line endings, one-line arrays, spacing), the new values laid out like their
//! neighbours. Should the spliced text not parse to exactly the merged document, the document is
//! written pretty-printed instead. A file cordon creates is pretty-printed with two spaces.

use std::ops::Range;
use std::path::Path;

use cordon_check::agents::{Agent, AgentFiles, POLICY_END, POLICY_START};
use cordon_python::{ParseError, Source};
use serde_json::{Map, Value, json};

use crate::change::{Change, InitError};
use crate::toml_edits::{Splice, apply_splices};

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
                        context.insert("fileName".to_owned(), gemini_file_names());
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
    // The edited text keeps every byte of the original outside the additions; when the splices
    // do not give exactly the merged document (a case the splicer does not foresee), the whole
    // document is written pretty-printed instead, so correctness never rests on the splicer.
    let after = match before.as_deref() {
        Some(t) => match spliced_text(t, agent, edits, &doc) {
            Some(after) => after,
            None => pretty_text(&path, &doc, Some(t))?,
        },
        None => pretty_text(&path, &doc, None)?,
    };
    let mut change = Change::new(path, before, after);
    change.what = what;
    Ok((!change.is_noop()).then_some(change))
}

/// What Gemini CLI's `context.fileName` becomes when it is not set: `AGENTS.md` and the
/// default `GEMINI.md`.
fn gemini_file_names() -> Value {
    json!(["AGENTS.md", "GEMINI.md"])
}

/// `doc` pretty-printed with two-space indentation: the text of a file cordon creates (`before`
/// is `None`, ends with a newline), or of one whose edit could not be spliced in (keeps the
/// original's line ending and final newline, or lack of one).
fn pretty_text(path: &Path, doc: &Value, before: Option<&str>) -> Result<String, InitError> {
    let mut after = serde_json::to_string_pretty(doc).map_err(|e| {
        InitError::stop(format!("could not write `{}` as JSON: {e}", path.display()))
    })?;
    if before.is_none_or(|t| t.ends_with('\n')) {
        after.push('\n');
    }
    if line_ending(before.unwrap_or("")) == "\r\n" {
        after = after.replace('\n', "\r\n");
    }
    Ok(after)
}

// ---------------------------------------------------------------------------------------------
// Splicing edits into JSON text
//
// A hook file is the user's: its indentation, line endings, one-line arrays and key spacing stay
// as they are. Each edit becomes an insertion (or, for a `context.fileName` string, a
// replacement of that value) at a place found by a small scanner over the original text, and
// the new values are laid out like their neighbours.

/// The deepest nesting the scanner follows. It only sees text serde_json has accepted, whose own
/// limit (128) is lower; the scanner is iterative, so this only bounds its memory.
const MAX_DEPTH: usize = 128;

/// A value's place in the text.
#[derive(Debug)]
struct Node {
    /// The value's bytes: for a container, from its opening bracket to just past its closing one.
    span: Range<usize>,
    /// The container holding it (`None` for the root).
    parent: Option<usize>,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Object(Vec<Member>),
    /// The elements, as node indices.
    Array(Vec<usize>),
    /// A string, number, `true`, `false` or `null`.
    Scalar,
}

#[derive(Debug)]
struct Member {
    /// The key, unescaped.
    key: String,
    /// The key's bytes, quotes included.
    key_span: Range<usize>,
    /// The value's node index.
    value: usize,
}

/// A member or element of a container: where it starts (the key, for a member) and ends (its
/// value's end), and its value's node.
#[derive(Debug, Clone, Copy)]
struct Child {
    start: usize,
    end: usize,
    value: usize,
}

/// The values of a JSON text in document order, the root first. Kept flat (children are
/// indices), so neither building nor dropping it recurses.
#[derive(Debug)]
struct Tree {
    nodes: Vec<Node>,
}

impl Tree {
    /// The value of the member `key` of the object `node`: the last one when the key repeats,
    /// as serde_json keeps the last.
    fn member(&self, node: usize, key: &str) -> Option<usize> {
        match &self.nodes[node].kind {
            Kind::Object(members) => members.iter().rev().find(|m| m.key == key).map(|m| m.value),
            _ => None,
        }
    }

    fn is_object(&self, node: usize) -> bool {
        matches!(self.nodes[node].kind, Kind::Object(_))
    }

    fn is_array(&self, node: usize) -> bool {
        matches!(self.nodes[node].kind, Kind::Array(_))
    }

    /// True for an object or array with at least one member or element.
    fn is_filled_container(&self, node: usize) -> bool {
        match &self.nodes[node].kind {
            Kind::Object(members) => !members.is_empty(),
            Kind::Array(items) => !items.is_empty(),
            Kind::Scalar => false,
        }
    }

    fn children(&self, node: usize) -> Vec<Child> {
        match &self.nodes[node].kind {
            Kind::Object(members) => members
                .iter()
                .map(|m| Child {
                    start: m.key_span.start,
                    end: self.nodes[m.value].span.end,
                    value: m.value,
                })
                .collect(),
            Kind::Array(items) => items
                .iter()
                .map(|&i| Child {
                    start: self.nodes[i].span.start,
                    end: self.nodes[i].span.end,
                    value: i,
                })
                .collect(),
            Kind::Scalar => Vec::new(),
        }
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// The end of the string starting with the `"` at `i`.
fn string_end(b: &[u8], i: usize) -> Option<usize> {
    let mut i = i + 1;
    loop {
        match *b.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => match *b.get(i + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                b'u' => {
                    let hex = b.get(i + 2..i + 6)?;
                    if !hex.iter().all(u8::is_ascii_hexdigit) {
                        return None;
                    }
                    i += 6;
                }
                _ => return None,
            },
            c if c < 0x20 => return None,
            _ => i += 1,
        }
    }
}

/// The end of `word` (`true`, `false`, `null`) when it starts at `i`.
fn literal_end(b: &[u8], i: usize, word: &[u8]) -> Option<usize> {
    b[i..].starts_with(word).then_some(i + word.len())
}

fn digits_end(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}

/// The end of the number starting at `i`.
fn number_end(b: &[u8], mut i: usize) -> Option<usize> {
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match *b.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => i = digits_end(b, i),
        _ => return None,
    }
    if b.get(i) == Some(&b'.') {
        let end = digits_end(b, i + 1);
        if end == i + 1 {
            return None;
        }
        i = end;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let end = digits_end(b, i);
        if end == i {
            return None;
        }
        i = end;
    }
    Some(i)
}

/// Reads the key starting at `i` and the `:` after it into the object `node`; returns where its
/// value starts.
fn scan_key(text: &str, i: usize, node: &mut Node) -> Option<usize> {
    let b = text.as_bytes();
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let end = string_end(b, i)?;
    let key: String = serde_json::from_str(&text[i..end]).ok()?;
    let Kind::Object(members) = &mut node.kind else {
        return None;
    };
    members.push(Member {
        key,
        key_span: i..end,
        // Set when the value has been read.
        value: usize::MAX,
    });
    let colon = skip_ws(b, end);
    (b.get(colon) == Some(&b':')).then(|| skip_ws(b, colon + 1))
}

/// Scans a JSON text: `None` for anything that is not exactly one JSON value (with whitespace
/// around it) or nests deeper than [`MAX_DEPTH`]. Iterative: the containers being read are on
/// an explicit stack.
fn scan(text: &str) -> Option<Tree> {
    let b = text.as_bytes();
    let mut nodes: Vec<Node> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut pos = skip_ws(b, 0);
    loop {
        // A value starts at `pos`.
        let start = pos;
        let parent = open.last().copied();
        // The end of a scalar; `None` for an empty container (already a node).
        let scalar_end = match *b.get(pos)? {
            c @ (b'{' | b'[') => {
                if open.len() >= MAX_DEPTH {
                    return None;
                }
                let (kind, close) = if c == b'{' {
                    (Kind::Object(Vec::new()), b'}')
                } else {
                    (Kind::Array(Vec::new()), b']')
                };
                nodes.push(Node {
                    span: start..start + 1,
                    parent,
                    kind,
                });
                let idx = nodes.len() - 1;
                pos = skip_ws(b, pos + 1);
                if b.get(pos) == Some(&close) {
                    pos += 1;
                    nodes[idx].span.end = pos;
                    None
                } else {
                    open.push(idx);
                    if c == b'{' {
                        pos = scan_key(text, pos, &mut nodes[idx])?;
                    }
                    continue;
                }
            }
            b'"' => Some(string_end(b, pos)?),
            b't' => Some(literal_end(b, pos, b"true")?),
            b'f' => Some(literal_end(b, pos, b"false")?),
            b'n' => Some(literal_end(b, pos, b"null")?),
            b'-' | b'0'..=b'9' => Some(number_end(b, pos)?),
            _ => return None,
        };
        if let Some(end) = scalar_end {
            nodes.push(Node {
                span: start..end,
                parent,
                kind: Kind::Scalar,
            });
            pos = end;
        }
        // The value just read is the last node (an empty container or a scalar); hand it to its
        // container, then close containers as long as their closing brackets follow.
        let mut done = nodes.len().checked_sub(1)?;
        loop {
            let Some(&parent) = open.last() else {
                return (skip_ws(b, pos) == b.len()).then_some(Tree { nodes });
            };
            let is_object = match &mut nodes[parent].kind {
                Kind::Object(members) => {
                    members.last_mut()?.value = done;
                    true
                }
                Kind::Array(items) => {
                    items.push(done);
                    false
                }
                Kind::Scalar => return None,
            };
            pos = skip_ws(b, pos);
            match (*b.get(pos)?, is_object) {
                (b',', _) => {
                    pos = skip_ws(b, pos + 1);
                    if is_object {
                        pos = scan_key(text, pos, &mut nodes[parent])?;
                    }
                    break;
                }
                (b'}', true) | (b']', false) => {
                    pos += 1;
                    open.pop();
                    nodes[parent].span.end = pos;
                    done = parent;
                }
                _ => return None,
            }
        }
    }
}

/// Whether `a` and `b` are the same JSON, key order included (`Value`'s own `==` ignores the
/// order of keys).
fn same_json(a: &Value, b: &Value) -> bool {
    let mut pending = vec![(a, b)];
    while let Some((a, b)) = pending.pop() {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                if x.len() != y.len() {
                    return false;
                }
                for ((ka, va), (kb, vb)) in x.iter().zip(y) {
                    if ka != kb {
                        return false;
                    }
                    pending.push((va, vb));
                }
            }
            (Value::Array(x), Value::Array(y)) => {
                if x.len() != y.len() {
                    return false;
                }
                pending.extend(x.iter().zip(y));
            }
            _ => {
                if a != b {
                    return false;
                }
            }
        }
    }
    true
}

/// `text` with `edits` spliced in, when that gives exactly `expected` (the merged document);
/// `None` otherwise, and the caller writes `expected` pretty-printed.
fn spliced_text(text: &str, agent: Agent, edits: &[JsonEdit], expected: &Value) -> Option<String> {
    let after = splice_edits(text, agent, edits)?;
    let parsed: Value = serde_json::from_str(&after).ok()?;
    same_json(&parsed, expected).then_some(after)
}

/// Something added to a container.
#[derive(Debug)]
enum Addition {
    Member(String, Value),
    Element(Value),
}

/// How a new value is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// serde_json's pretty printing, in the file's indent unit.
    Pretty,
    /// On one line, with the file's spacing after `:` and `,`.
    Inline,
}

/// The start of the line holding byte `at`.
fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// The leading spaces and tabs of the line holding byte `at`.
fn indent_at(text: &str, at: usize) -> &str {
    let line = &text[line_start(text, at)..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// True when only spaces and tabs come before byte `at` on its line.
fn starts_line(text: &str, at: usize) -> bool {
    text[line_start(text, at)..at]
        .bytes()
        .all(|c| c == b' ' || c == b'\t')
}

/// The file's indent unit: what the first line indented deeper than the root's opening line adds
/// to it (spaces or a tab); two spaces when no line is.
fn indent_unit(text: &str, root_start: usize) -> String {
    let base = indent_at(text, root_start);
    text.lines()
        .find_map(|line| {
            let body = line.trim_start_matches([' ', '\t']);
            let ws = &line[..line.len() - body.len()];
            (!body.is_empty() && ws.len() > base.len())
                .then(|| ws.strip_prefix(base))
                .flatten()
        })
        .map_or_else(|| "  ".to_owned(), str::to_owned)
}

/// `v` on one line.
fn inline_json(v: &Value, colon: &str, comma: &str, out: &mut String) {
    match v {
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(comma);
                }
                inline_json(item, colon, comma, out);
            }
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            for (i, (k, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(comma);
                }
                out.push_str(&Value::from(k.as_str()).to_string());
                out.push_str(colon);
                inline_json(item, colon, comma, out);
            }
            out.push('}');
        }
        _ => out.push_str(&v.to_string()),
    }
}

/// What the text looks like, for laying out new values the same way.
struct Layout<'a> {
    text: &'a str,
    tree: &'a Tree,
    eol: &'static str,
    unit: String,
}

impl Layout<'_> {
    /// The text between a key and its value (`": "`, `":"`) and between neighbours on one line
    /// (`", "`, `","`): the first found in `scope`, then anywhere in the file. Without an
    /// example of one, it follows the other (no space after `:` means none after `,`); without
    /// either, one space after each.
    fn separators(&self, scope: usize) -> (String, String) {
        let text = self.text;
        let (mut colon, mut comma): (Option<&str>, Option<&str>) = (None, None);
        for start in [scope, 0] {
            let mut pending = vec![start];
            while let Some(n) = pending.pop() {
                if colon.is_some() && comma.is_some() {
                    break;
                }
                if let Kind::Object(members) = &self.tree.nodes[n].kind {
                    for m in members {
                        let between = &text[m.key_span.end..self.tree.nodes[m.value].span.start];
                        if colon.is_none() && !between.contains('\n') {
                            colon = Some(between);
                        }
                    }
                }
                let children = self.tree.children(n);
                for pair in children.windows(2) {
                    let between = &text[pair[0].end..pair[1].start];
                    if comma.is_none() && !between.contains('\n') {
                        comma = Some(between);
                    }
                }
                pending.extend(children.iter().rev().map(|c| c.value));
            }
        }
        let spaced = |s: &str| s.ends_with([' ', '\t']);
        let tight = colon.or(comma).is_some_and(|s| !spaced(s));
        let colon = colon.unwrap_or(if tight { ":" } else { ": " });
        let comma = comma.unwrap_or(if tight { "," } else { ", " });
        (colon.to_owned(), comma.to_owned())
    }

    /// How the children of a container are laid out, judged from the last that tells: one
    /// spanning lines is pretty-printed, a non-empty container on one line is inline.
    fn sibling_mode(&self, children: &[Child]) -> Option<Mode> {
        children.iter().rev().find_map(|c| {
            if self.text[c.start..c.end].contains('\n') {
                Some(Mode::Pretty)
            } else if self.tree.is_filled_container(c.value) {
                Some(Mode::Inline)
            } else {
                None
            }
        })
    }

    /// `v` pretty-printed, in the file's indent unit and line ending, its lines after the first
    /// indented by `base`.
    fn pretty(&self, v: &Value, base: &str, out: &mut String) -> Option<()> {
        let s = serde_json::to_string_pretty(v).ok()?;
        for (i, line) in s.split('\n').enumerate() {
            if i > 0 {
                out.push_str(self.eol);
                out.push_str(base);
            }
            // serde_json indents with two spaces per level, and a line starts with nothing else.
            let body = line.trim_start_matches(' ');
            for _ in 0..(line.len() - body.len()) / 2 {
                out.push_str(&self.unit);
            }
            out.push_str(body);
        }
        Some(())
    }

    fn render(
        &self,
        addition: &Addition,
        mode: Mode,
        base: &str,
        (colon, comma): (&str, &str),
        out: &mut String,
    ) -> Option<()> {
        let value = match addition {
            Addition::Member(key, value) => {
                out.push_str(&Value::from(key.as_str()).to_string());
                out.push_str(if mode == Mode::Pretty { ": " } else { colon });
                value
            }
            Addition::Element(value) => value,
        };
        match mode {
            Mode::Pretty => self.pretty(value, base, out)?,
            Mode::Inline => inline_json(value, colon, comma, out),
        }
        Some(())
    }

    /// The splice adding `additions` (in order) at the end of the container `node`.
    fn insert(&self, node: usize, additions: &[&Addition]) -> Option<Splice> {
        let text = self.text;
        let (colon, comma) = self.separators(node);
        let seps = (colon.as_str(), comma.as_str());
        let children = self.tree.children(node);
        let mut s = String::new();
        if let Some(last) = children.last() {
            // After the last child: on a line of its own with its indentation when it has one,
            // else on its line.
            let own_line = starts_line(text, last.start);
            let mode = self.sibling_mode(&children).unwrap_or(if own_line {
                Mode::Pretty
            } else {
                Mode::Inline
            });
            let base = indent_at(text, last.start);
            for addition in additions {
                if own_line {
                    s.push(',');
                    s.push_str(self.eol);
                    s.push_str(base);
                } else {
                    s.push_str(&comma);
                }
                self.render(addition, mode, base, seps, &mut s)?;
            }
            return Some(Splice {
                range: last.end..last.end,
                text: s,
            });
        }
        // An empty container: what is between its brackets is replaced. Opened onto new lines
        // when it already spans lines, is the root, or sits in a container spanning lines.
        let span = self.tree.nodes[node].span.clone();
        let interior = span.start + 1..span.end - 1;
        let spread = text[interior.clone()].contains('\n')
            || self.tree.nodes[node]
                .parent
                .is_none_or(|p| text[self.tree.nodes[p].span.clone()].contains('\n'));
        if spread {
            let base = indent_at(text, span.start);
            let inner = format!("{base}{}", self.unit);
            for (i, addition) in additions.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                s.push_str(self.eol);
                s.push_str(&inner);
                self.render(addition, Mode::Pretty, &inner, seps, &mut s)?;
            }
            s.push_str(self.eol);
            s.push_str(base);
        } else {
            for (i, addition) in additions.iter().enumerate() {
                if i > 0 {
                    s.push_str(&comma);
                }
                self.render(addition, Mode::Inline, "", seps, &mut s)?;
            }
        }
        Some(Splice {
            range: interior,
            text: s,
        })
    }

    /// The splice turning the string `node` into `[<it>, "AGENTS.md"]`.
    fn wrap_with_agents_md(&self, node: usize) -> Splice {
        let span = self.tree.nodes[node].span.clone();
        let (_, comma) = self.separators(node);
        Splice {
            text: format!("[{}{comma}\"AGENTS.md\"]", &self.text[span.clone()]),
            range: span,
        }
    }
}

/// `text` with `edits` made by splicing (`None` when the text is not what the edits expect).
/// Mirrors the `Value` merge in [`json_change`], whose result the caller compares it with.
fn splice_edits(text: &str, agent: Agent, edits: &[JsonEdit]) -> Option<String> {
    let tree = scan(text)?;
    let root = 0;
    if !tree.is_object(root) {
        return None;
    }
    let layout = Layout {
        text,
        tree: &tree,
        eol: line_ending(text),
        unit: indent_unit(text, tree.nodes[root].span.start),
    };
    let mut additions: Vec<(usize, Addition)> = Vec::new();
    let mut splices = Vec::new();
    for edit in edits {
        match edit {
            JsonEdit::Hook => {
                let event = hook_event(agent);
                let handlers = Value::Array(vec![hook_entry(agent)]);
                match tree.member(root, "hooks") {
                    None => {
                        let mut hooks = Map::new();
                        hooks.insert(event.to_owned(), handlers);
                        additions.push((
                            root,
                            Addition::Member("hooks".to_owned(), Value::Object(hooks)),
                        ));
                    }
                    Some(hooks) if tree.is_object(hooks) => match tree.member(hooks, event) {
                        None => {
                            additions.push((hooks, Addition::Member(event.to_owned(), handlers)));
                        }
                        Some(list) if tree.is_array(list) => {
                            additions.push((list, Addition::Element(hook_entry(agent))));
                        }
                        Some(_) => return None,
                    },
                    Some(_) => return None,
                }
            }
            JsonEdit::GeminiContext => match tree.member(root, "context") {
                None => additions.push((
                    root,
                    Addition::Member(
                        "context".to_owned(),
                        json!({"fileName": gemini_file_names()}),
                    ),
                )),
                Some(context) if tree.is_object(context) => {
                    match tree.member(context, "fileName") {
                        None => additions.push((
                            context,
                            Addition::Member("fileName".to_owned(), gemini_file_names()),
                        )),
                        Some(names) if tree.is_array(names) => {
                            additions.push((names, Addition::Element(json!("AGENTS.md"))));
                        }
                        Some(name) if text[tree.nodes[name].span.clone()].starts_with('"') => {
                            splices.push(layout.wrap_with_agents_md(name));
                        }
                        Some(_) => return None,
                    }
                }
                Some(_) => return None,
            },
        }
    }
    // One splice per container, its additions in the order of the edits.
    let mut containers: Vec<usize> = Vec::new();
    for (node, _) in &additions {
        if !containers.contains(node) {
            containers.push(*node);
        }
    }
    for node in containers {
        let here: Vec<&Addition> = additions
            .iter()
            .filter(|(n, _)| *n == node)
            .map(|(_, a)| a)
            .collect();
        splices.push(layout.insert(node, &here)?);
    }
    Some(apply_splices(text, &splices))
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
                names: None,
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
        // Indeed, a single insertion after `Stop`'s array.
        assert!(inserted(&text, &c.after).starts_with(",\n    \"PreToolUse\": [\n      {\n"));
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
        // The empty `hooks` is opened onto new lines, as the file is laid out.
        let want = serde_json::to_string_pretty(
            &json!({"hooks": {"PreToolUse": [hook_entry(Agent::Codex)]}}),
        )
        .unwrap()
            + "\n";
        assert_eq!(c.after, want.replace('\n', "\r\n"));
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

    // -----------------------------------------------------------------------------------------
    // Splicing into existing hook files

    /// What `after` adds to `before`, asserting that is all it does: one insertion, every byte
    /// of `before` kept.
    fn inserted(before: &str, after: &str) -> String {
        let (b, a) = (before.as_bytes(), after.as_bytes());
        let prefix = b.iter().zip(a).take_while(|(x, y)| x == y).count();
        let room = b.len().min(a.len()) - prefix;
        let suffix = b
            .iter()
            .rev()
            .zip(a.iter().rev())
            .take(room)
            .take_while(|(x, y)| x == y)
            .count();
        assert_eq!(
            b.len(),
            prefix + suffix,
            "not a pure insertion:\n{before}\n---\n{after}"
        );
        String::from_utf8(a[prefix..a.len() - suffix].to_vec()).unwrap()
    }

    /// Writes `text` as the agent's hook file, applies `plan`, and checks `cordon check` then
    /// sees the agent wired (and `plan` has nothing left to do). Returns the file's new text.
    fn wire(agent: Agent, text: &str) -> String {
        let dir = project();
        let root = dir.path();
        let rel = hook_file(agent);
        write(root, rel, text);
        let changes = apply(root, &[agent]);
        let c = change_for(&changes, root, rel).unwrap();
        assert_eq!(c.before.as_deref(), Some(text));
        let files = AgentFiles::load(root);
        assert!(
            files
                .configs
                .iter()
                .any(|c| c.agent == agent && c.hook_files.iter().any(|h| h.wired)),
            "{agent:?} not wired:\n{}",
            c.after
        );
        assert!(plan(root, &[agent]).unwrap().is_empty(), "{agent:?}");
        assert_eq!(agent_findings(root), Vec::<String>::new(), "{agent:?}");
        read(root, rel)
    }

    #[test]
    fn a_four_space_file_with_a_one_line_array_keeps_every_byte() {
        let text = r#"{
    "permissions": {
        "allow": ["Bash(uv run pytest)", "Read(./src/**)"],
        "deny": []
    },
    "model": "opus"
}
"#;
        let after = wire(Agent::Claude, text);
        let want = r#",
    "hooks": {
        "PreToolUse": [
            {
                "matcher": "Bash|PowerShell|Write|Edit|MultiEdit|NotebookEdit",
                "hooks": [
                    {
                        "type": "command",
                        "command": "cordon hook claude",
                        "timeout": 30
                    }
                ]
            }
        ]
    }"#;
        assert_eq!(inserted(text, &after), want);
        assert!(after.contains(r#""allow": ["Bash(uv run pytest)", "Read(./src/**)"],"#));
        assert!(after.ends_with("\n}\n"));
    }

    #[test]
    fn a_tab_indented_file_gets_tabs() {
        let text = "{\n\t\"hooks\": {\n\t\t\"Stop\": [\n\t\t\t{\n\t\t\t\t\"hooks\": [{\"type\": \"command\", \"command\": \"bye\"}]\n\t\t\t}\n\t\t]\n\t}\n}\n";
        let after = wire(Agent::Codex, text);
        let want = [
            ",",
            "\t\t\"PreToolUse\": [",
            "\t\t\t{",
            "\t\t\t\t\"matcher\": \"Bash|apply_patch\",",
            "\t\t\t\t\"hooks\": [",
            "\t\t\t\t\t{",
            "\t\t\t\t\t\t\"type\": \"command\",",
            "\t\t\t\t\t\t\"command\": \"cordon hook codex\",",
            "\t\t\t\t\t\t\"timeout\": 30",
            "\t\t\t\t\t}",
            "\t\t\t\t]",
            "\t\t\t}",
            "\t\t]",
        ]
        .join("\n");
        assert_eq!(inserted(text, &after), want);
    }

    #[test]
    fn a_crlf_file_gets_crlf_lines_like_its_neighbours() {
        let text = "{\r\n  \"version\": 1,\r\n  \"hooks\": {\r\n    \"beforeShellExecution\": [\r\n      {\r\n        \"command\": \"audit\"\r\n      }\r\n    ]\r\n  }\r\n}\r\n";
        let after = wire(Agent::Cursor, text);
        assert_eq!(
            inserted(text, &after),
            ",\r\n      {\r\n        \"command\": \"cordon hook cursor\"\r\n      }"
        );
        // Compact entries on lines of their own: the new one is compact on a line of its own.
        let text = "{\r\n    \"version\": 1,\r\n    \"hooks\": {\r\n        \"beforeShellExecution\": [\r\n            {\"command\": \"audit\"}\r\n        ]\r\n    }\r\n}";
        let after = wire(Agent::Cursor, text);
        assert_eq!(
            inserted(text, &after),
            ",\r\n            {\"command\": \"cordon hook cursor\"}"
        );
    }

    #[test]
    fn a_one_line_file_stays_on_one_line() {
        let text = r#"{"hooks":{"PreToolUse":[]}}"#;
        let after = wire(Agent::Claude, text);
        assert_eq!(
            after,
            r#"{"hooks":{"PreToolUse":[{"matcher":"Bash|PowerShell|Write|Edit|MultiEdit|NotebookEdit","hooks":[{"type":"command","command":"cordon hook claude","timeout":30}]}]}}"#
        );
        // With spacing after `:` and `,`, and no `hooks` yet.
        let text = "{\"version\": 1, \"env\": {\"A\": \"1\"}}\n";
        let after = wire(Agent::Copilot, text);
        assert_eq!(
            inserted(text, &after),
            r#", "hooks": {"preToolUse": [{"type": "command", "bash": "cordon hook copilot", "timeoutSec": 30}]}"#
        );
    }

    #[test]
    fn an_array_hugging_its_entry_gets_a_hugging_entry() {
        let text = "{\n  \"hooks\": {\n    \"PreToolUse\": [{\n      \"matcher\": \"Bash\",\n      \"hooks\": []\n    }]\n  }\n}\n";
        let after = wire(Agent::Codex, text);
        let want = [
            ", {",
            "      \"matcher\": \"Bash|apply_patch\",",
            "      \"hooks\": [",
            "        {",
            "          \"type\": \"command\",",
            "          \"command\": \"cordon hook codex\",",
            "          \"timeout\": 30",
            "        }",
            "      ]",
            "    }",
        ]
        .join("\n");
        assert_eq!(inserted(text, &after), want);
    }

    #[test]
    fn an_empty_object_is_filled_pretty_printed() {
        let want = serde_json::to_string_pretty(&json!({
            "hooks": {"PreToolUse": [hook_entry(Agent::Claude)]}
        }))
        .unwrap();
        assert_eq!(wire(Agent::Claude, "{}"), want);
        assert_eq!(wire(Agent::Claude, "{}\n"), format!("{want}\n"));
        assert_eq!(
            wire(Agent::Claude, "{\r\n}\r\n"),
            format!("{want}\n").replace('\n', "\r\n")
        );
    }

    #[test]
    fn hooks_with_another_event_only_gain_the_event() {
        let text = r#"{"hooks": {"PostToolUse": [{"matcher": "Write", "hooks": [{"type": "command", "command": "fmt"}]}]}}"#;
        let after = wire(Agent::Claude, text);
        assert_eq!(
            inserted(text, &after),
            r#", "PreToolUse": [{"matcher": "Bash|PowerShell|Write|Edit|MultiEdit|NotebookEdit", "hooks": [{"type": "command", "command": "cordon hook claude", "timeout": 30}]}]"#
        );
        // Pretty-printed, four spaces, the other event's array hugging its entry.
        let text = "{\n    \"hooks\": {\n        \"Stop\": [{\n            \"hooks\": []\n        }]\n    }\n}\n";
        let after = wire(Agent::Codex, text);
        let want = [
            ",",
            "        \"PreToolUse\": [",
            "            {",
            "                \"matcher\": \"Bash|apply_patch\",",
            "                \"hooks\": [",
            "                    {",
            "                        \"type\": \"command\",",
            "                        \"command\": \"cordon hook codex\",",
            "                        \"timeout\": 30",
            "                    }",
            "                ]",
            "            }",
            "        ]",
        ]
        .join("\n");
        assert_eq!(inserted(text, &after), want);
        // An empty `hooks` on a line of its own is opened one indent deeper.
        let text = "{\n    \"hooks\": {}\n}\n";
        let after = wire(Agent::Cursor, text);
        assert_eq!(
            after,
            "{\n    \"hooks\": {\n        \"beforeShellExecution\": [\n            {\n                \"command\": \"cordon hook cursor\"\n            }\n        ]\n    }\n}\n"
        );
    }

    #[test]
    fn strings_with_brackets_quotes_and_escapes_do_not_confuse_the_splicer() {
        let text = r#"{
  "note": "a } and ] and \"quoted\" caf\u00e9 café \\",
  "hooks": {
    "PreToolUse": [
      {"matcher": "x]}\"", "hooks": [{"type": "command", "command": "echo \"}]\" \ud83d\ude00"}]}
    ]
  },
  "after": ["]", "}", "\\\""]
}
"#;
        let after = wire(Agent::Claude, text);
        assert_eq!(
            inserted(text, &after),
            r#",
      {"matcher": "Bash|PowerShell|Write|Edit|MultiEdit|NotebookEdit", "hooks": [{"type": "command", "command": "cordon hook claude", "timeout": 30}]}"#
        );
        // An escaped key is the key it spells.
        let text = r#"{"h\u006foks": {"PreToolUse": []}, "x": "\ud83d\ude00\/"}"#;
        let after = wire(Agent::Claude, text);
        assert!(
            inserted(text, &after).starts_with(r#"{"matcher": "Bash|"#),
            "{after}"
        );
        assert_eq!(
            json!(keys(&serde_json::from_str(&after).unwrap())),
            json!(["hooks", "x"])
        );
    }

    #[test]
    fn gemini_file_name_string_becomes_an_array() {
        let text = "{\n  \"context\": {\n    \"fileName\": \"RULES.md\"\n  }\n}\n";
        let after = wire(Agent::Gemini, text);
        let want = r#"{
  "context": {
    "fileName": ["RULES.md", "AGENTS.md"]
  },
  "hooks": {
    "BeforeTool": [
      {
        "matcher": "run_shell_command|write_file|replace",
        "hooks": [
          {
            "type": "command",
            "command": "cordon hook gemini",
            "name": "cordon",
            "timeout": 30000
          }
        ]
      }
    ]
  }
}
"#;
        assert_eq!(after, want);
    }

    #[test]
    fn gemini_file_name_array_gains_agents_md() {
        let text = r#"{"context": {"fileName": ["GEMINI.md"]}, "hooks": {"BeforeTool": []}}"#;
        let after = wire(Agent::Gemini, text);
        assert_eq!(
            after,
            r#"{"context": {"fileName": ["GEMINI.md", "AGENTS.md"]}, "hooks": {"BeforeTool": [{"matcher": "run_shell_command|write_file|replace", "hooks": [{"type": "command", "command": "cordon hook gemini", "name": "cordon", "timeout": 30000}]}]}}"#
        );
        // A multi-line array: a line of its own.
        let text = "{\n  \"context\": {\n    \"fileName\": [\n      \"GEMINI.md\"\n    ]\n  },\n  \"hooks\": {\"BeforeTool\": [{\"hooks\": [{\"type\": \"command\", \"command\": \"cordon hook gemini\"}]}]}\n}\n";
        let after = wire(Agent::Gemini, text);
        assert_eq!(inserted(text, &after), ",\n      \"AGENTS.md\"");
    }

    #[test]
    fn gemini_without_context_or_hooks_gets_both_in_order() {
        let text = r#"{"ui": {"theme": "dark"}}"#;
        let after = wire(Agent::Gemini, text);
        assert_eq!(
            inserted(text, &after),
            r#", "hooks": {"BeforeTool": [{"matcher": "run_shell_command|write_file|replace", "hooks": [{"type": "command", "command": "cordon hook gemini", "name": "cordon", "timeout": 30000}]}]}, "context": {"fileName": ["AGENTS.md", "GEMINI.md"]}"#
        );
        // An empty `context` in a multi-line file is opened onto new lines; the one-line `hooks`
        // stays on one line.
        let text = "{\n  \"context\": {},\n  \"hooks\": {\"BeforeTool\": []}\n}\n";
        let after = wire(Agent::Gemini, text);
        assert_eq!(
            after,
            "{\n  \"context\": {\n    \"fileName\": [\n      \"AGENTS.md\",\n      \"GEMINI.md\"\n    ]\n  },\n  \"hooks\": {\"BeforeTool\": [{\"matcher\": \"run_shell_command|write_file|replace\", \"hooks\": [{\"type\": \"command\", \"command\": \"cordon hook gemini\", \"name\": \"cordon\", \"timeout\": 30000}]}]}\n}\n"
        );
    }

    #[test]
    fn same_json_minds_key_order() {
        let a = json!({"a": 1, "b": [1, {"c": 2, "d": 3}]});
        let b = json!({"a": 1, "b": [1, {"d": 3, "c": 2}]});
        // `Value`'s own equality does not.
        assert_eq!(a, b);
        assert!(!same_json(&a, &b));
        assert!(same_json(&a, &a.clone()));
        assert!(!same_json(&json!([1, 2]), &json!([1, 2, 3])));
        assert!(!same_json(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
        assert!(!same_json(&json!({"a": 1}), &json!({"a": "1"})));
    }

    #[test]
    fn a_splice_that_does_not_give_the_merge_is_not_used() {
        let text = r#"{"hooks": {}}"#;
        let edits = [JsonEdit::Hook];
        let merged = json!({"hooks": {"PreToolUse": [hook_entry(Agent::Claude)]}});
        let spliced = spliced_text(text, Agent::Claude, &edits, &merged).unwrap();
        assert!(spliced.starts_with(r#"{"hooks": {"PreToolUse": [{"matcher": "#));
        // Any difference from the merge, key order included, rejects the splice.
        for wrong in [
            json!({"hooks": {}}),
            json!({"hooks": {"PreToolUse": [hook_entry(Agent::Codex)]}}),
            json!({"hooks": {"PreToolUse": [hook_entry(Agent::Claude)]}, "x": 1}),
        ] {
            assert_eq!(spliced_text(text, Agent::Claude, &edits, &wrong), None);
        }
        // And `json_change` then writes the merge pretty-printed: here for a file with nothing
        // to splice into (only whitespace), which the merge reads as `{}`.
        let dir = project();
        let root = dir.path();
        write(root, ".claude/settings.json", " \n");
        assert_eq!(spliced_text(" \n", Agent::Claude, &edits, &merged), None);
        let changes = apply(root, &[Agent::Claude]);
        let c = change_for(&changes, root, ".claude/settings.json").unwrap();
        assert_eq!(
            c.after,
            serde_json::to_string_pretty(&merged).unwrap() + "\n"
        );
        assert_eq!(agent_findings(root), Vec::<String>::new());
    }

    #[test]
    fn the_scanner_reads_any_valid_json() {
        let deep = format!("{}{}", "[".repeat(127), "]".repeat(127));
        let texts = [
            "{}",
            " [ ] ",
            "\r\n{\r\n\t\"a\" : [ 1 , -0.5e-3 , 2E+10, 0, -0, 1.25 ] ,\r\n\"b\":{\"c\":null}}\r\n",
            r#"{"a\"}]": "\u00e9\\\/\b\f\n\r\t\"", "": [true, false, null, {}, [], ""]}"#,
            "\"just a string\"",
            "-12.5e7",
            "true",
            "{\"é\": \"café 😀\"}",
            deep.as_str(),
        ];
        for text in texts {
            serde_json::from_str::<Value>(text).unwrap();
            let tree = scan(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(&text[tree.nodes[0].span.clone()], text.trim(), "{text}");
            for node in &tree.nodes {
                if let Kind::Object(members) = &node.kind {
                    for m in members {
                        let key: String = serde_json::from_str(&text[m.key_span.clone()]).unwrap();
                        assert_eq!(key, m.key);
                    }
                }
            }
        }
        let tree = scan(texts[3]).unwrap();
        assert_eq!(tree.member(0, "a\"}]"), Some(1));
        let list = tree.member(0, "").unwrap();
        assert!(tree.is_array(list));
        assert_eq!(tree.children(list).len(), 6);
        assert_eq!(
            &texts[3][tree.nodes[list].span.clone()],
            r#"[true, false, null, {}, [], ""]"#
        );
        // A repeated key: the last one, as serde_json keeps.
        let tree = scan(r#"{"k": 1, "k": [2]}"#).unwrap();
        assert!(tree.is_array(tree.member(0, "k").unwrap()));
    }

    #[test]
    fn the_scanner_rejects_what_is_not_json_without_panicking() {
        let too_deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        for text in [
            "",
            "  ",
            "{",
            "}",
            "[1,]",
            "[,1]",
            r#"{"a":}"#,
            r#"{"a" 1}"#,
            r#"{"a":1,}"#,
            "{1:2}",
            "[1 2]",
            "01",
            "1.",
            "-",
            "1e",
            ".5",
            r#""\x""#,
            r#""\u12g4""#,
            "\"unterminated",
            "\"tab\tinside\"",
            "tru",
            "nul",
            "{} {}",
            "[}",
            "{]",
            "[\"a\\",
            too_deep.as_str(),
        ] {
            assert!(scan(text).is_none(), "{text:?}");
        }
    }
}
