//! What AI coding agents read and run in a project: the instruction files where a dependency
//! policy can be written (AGENTS.md, CLAUDE.md, GEMINI.md, `.github/copilot-instructions.md`,
//! `.cursor/rules/`, `.claude/rules/`), and each agent's hook configuration, where `cordon hook`
//! must be wired for the policy to be enforced rather than merely asked for.
//!
//! The policy block cordon recognises (and `cordon init` writes) is a marked Markdown section:
//!
//! ```markdown
//! <!-- cordon:dependency-policy -->
//! ... the rules, in prose ...
//! <!-- /cordon:dependency-policy -->
//! ```

use std::ops::Range;
use std::path::{Path, PathBuf};

use cordon_python::Source;

/// The opening marker of the dependency-policy block.
pub const POLICY_START: &str = "<!-- cordon:dependency-policy -->";
/// The closing marker of the dependency-policy block.
pub const POLICY_END: &str = "<!-- /cordon:dependency-policy -->";

/// The agents cordon knows how to guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Agent {
    Claude,
    Cursor,
    Codex,
    Gemini,
    Copilot,
}

impl Agent {
    pub const ALL: [Agent; 5] = [
        Agent::Claude,
        Agent::Cursor,
        Agent::Codex,
        Agent::Gemini,
        Agent::Copilot,
    ];

    /// The name `cordon hook` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Agent::Claude => "claude",
            Agent::Cursor => "cursor",
            Agent::Codex => "codex",
            Agent::Gemini => "gemini",
            Agent::Copilot => "copilot",
        }
    }

    pub fn display(self) -> &'static str {
        match self {
            Agent::Claude => "Claude Code",
            Agent::Cursor => "Cursor",
            Agent::Codex => "Codex",
            Agent::Gemini => "Gemini CLI",
            Agent::Copilot => "GitHub Copilot",
        }
    }

    /// The project directory whose presence says the agent is used here.
    pub fn config_dir(self) -> &'static str {
        match self {
            Agent::Claude => ".claude",
            Agent::Cursor => ".cursor",
            Agent::Codex => ".codex",
            Agent::Gemini => ".gemini",
            Agent::Copilot => ".github/hooks",
        }
    }

    /// The hook files, relative to the project root, and the events whose handlers must
    /// include `cordon hook <agent>` (any one of them counts).
    fn hook_files(self, root: &Path) -> Vec<PathBuf> {
        match self {
            Agent::Claude => vec![
                root.join(".claude/settings.json"),
                root.join(".claude/settings.local.json"),
            ],
            Agent::Cursor => vec![root.join(".cursor/hooks.json")],
            Agent::Codex => vec![root.join(".codex/hooks.json")],
            Agent::Gemini => vec![root.join(".gemini/settings.json")],
            Agent::Copilot => {
                let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(".github/hooks"))
                    .map(|rd| {
                        rd.filter_map(Result::ok)
                            .map(|e| e.path())
                            .filter(|p| p.extension().is_some_and(|x| x == "json"))
                            .collect()
                    })
                    .unwrap_or_default();
                files.sort();
                files
            }
        }
    }

    fn events(self) -> &'static [&'static str] {
        match self {
            Agent::Claude | Agent::Codex => &["PreToolUse"],
            Agent::Cursor => &["beforeShellExecution", "preToolUse"],
            Agent::Gemini => &["BeforeTool"],
            Agent::Copilot => &["preToolUse"],
        }
    }

    /// The command cordon expects in the hook.
    pub fn hook_command(self) -> String {
        format!("cordon hook {}", self.as_str())
    }
}

/// A file agents read as instructions.
#[derive(Debug)]
pub struct Instructions {
    pub source: Source,
    /// Span of the policy block (start marker to end marker), when present and closed.
    pub policy: Option<Range<usize>>,
    /// Span of an opening marker without its closing marker.
    pub unclosed: Option<Range<usize>>,
    /// True when the file imports AGENTS.md (Claude Code's `@AGENTS.md`).
    pub imports_agents_md: bool,
}

/// One agent's hook configuration in the project.
#[derive(Debug)]
pub struct AgentConfig {
    pub agent: Agent,
    /// Hook files that exist, with whether `cordon hook <agent>` is wired in them.
    pub hook_files: Vec<HookFile>,
}

#[derive(Debug)]
pub struct HookFile {
    pub source: Source,
    pub wired: bool,
    /// Where to point: the event key, else the `hooks` key, else the file start.
    pub anchor: Range<usize>,
    /// A file that is not valid JSON: the message and the byte offset.
    pub invalid: Option<(String, usize)>,
}

/// Everything agent-related cordon found in a project.
#[derive(Debug, Default)]
pub struct AgentFiles {
    pub instructions: Vec<Instructions>,
    pub configs: Vec<AgentConfig>,
}

impl AgentFiles {
    /// Reads the agent files under `root`. Unreadable files are skipped (they are not the
    /// project's packaging; a broken one is reported through [`HookFile::invalid`]).
    pub fn load(root: &Path) -> Self {
        let mut instructions = Vec::new();
        let mut candidates: Vec<PathBuf> = [
            "AGENTS.md",
            "CLAUDE.md",
            "CLAUDE.local.md",
            "GEMINI.md",
            ".github/copilot-instructions.md",
        ]
        .iter()
        .map(|p| root.join(p))
        .collect();
        for (dir, ext) in [
            (".cursor/rules", &["mdc", "md"][..]),
            (".claude/rules", &["md"][..]),
        ] {
            if let Ok(rd) = std::fs::read_dir(root.join(dir)) {
                let mut found: Vec<PathBuf> = rd
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| {
                        p.extension()
                            .and_then(|x| x.to_str())
                            .is_some_and(|x| ext.contains(&x))
                    })
                    .collect();
                found.sort();
                candidates.extend(found);
            }
        }
        for path in candidates.into_iter().filter(|p| p.is_file()) {
            let Ok(source) = Source::read(&path) else {
                continue;
            };
            let (policy, unclosed) = find_policy(&source.text);
            let imports_agents_md = source
                .text
                .lines()
                .any(|l| l.trim() == "@AGENTS.md" || l.trim() == "@./AGENTS.md");
            instructions.push(Instructions {
                source,
                policy,
                unclosed,
                imports_agents_md,
            });
        }
        let mut configs = Vec::new();
        for agent in Agent::ALL {
            if !root.join(agent.config_dir()).is_dir() {
                continue;
            }
            let hook_files = agent
                .hook_files(root)
                .into_iter()
                .filter(|p| p.is_file())
                .filter_map(|p| Source::read(&p).ok())
                .map(|source| hook_file(agent, source))
                .collect();
            configs.push(AgentConfig { agent, hook_files });
        }
        Self {
            instructions,
            configs,
        }
    }

    /// The instruction file at `name` (relative path with `/`), if present.
    pub fn instructions_named(&self, root: &Path, name: &str) -> Option<&Instructions> {
        self.instructions
            .iter()
            .find(|i| i.source.path == root.join(name))
    }

    /// Every loaded file, for diagnostics locations.
    pub fn sources(&self) -> impl Iterator<Item = &Source> {
        self.instructions.iter().map(|i| &i.source).chain(
            self.configs
                .iter()
                .flat_map(|c| c.hook_files.iter().map(|h| &h.source)),
        )
    }
}

/// The span of a closed policy block, or of an unclosed opening marker.
fn find_policy(text: &str) -> (Option<Range<usize>>, Option<Range<usize>>) {
    let Some(start) = text.find(POLICY_START) else {
        return (None, None);
    };
    match text[start..].find(POLICY_END) {
        Some(end) => (Some(start..start + end + POLICY_END.len()), None),
        None => (None, Some(start..start + POLICY_START.len())),
    }
}

fn hook_file(agent: Agent, source: Source) -> HookFile {
    let text = &source.text;
    let key_span = |key: &str| {
        let quoted = format!("\"{key}\"");
        text.find(&quoted).map(|i| i..i + quoted.len())
    };
    let anchor = agent
        .events()
        .iter()
        .find_map(|e| key_span(e))
        .or_else(|| key_span("hooks"))
        .unwrap_or(0..0);
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let offset = line_offset(text, e.line());
            return HookFile {
                wired: false,
                anchor,
                invalid: Some((format!("invalid JSON: {e}"), offset)),
                source,
            };
        }
    };
    let wired = agent.events().iter().any(|event| {
        value
            .get("hooks")
            .and_then(|h| h.get(*event))
            .is_some_and(|handlers| mentions_cordon(handlers, agent))
    });
    HookFile {
        source,
        wired,
        anchor,
        invalid: None,
    }
}

/// True when any string under `v` runs `cordon hook <agent>`.
fn mentions_cordon(v: &serde_json::Value, agent: Agent) -> bool {
    match v {
        serde_json::Value::String(s) => {
            let words: Vec<&str> = s.split_whitespace().collect();
            words.windows(3).any(|w| {
                (w[0] == "cordon" || w[0].ends_with("/cordon"))
                    && w[1] == "hook"
                    && w[2] == agent.as_str()
            })
        }
        serde_json::Value::Array(a) => a.iter().any(|x| mentions_cordon(x, agent)),
        serde_json::Value::Object(o) => o.values().any(|x| mentions_cordon(x, agent)),
        _ => false,
    }
}

fn line_offset(text: &str, line: usize) -> usize {
    text.split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_closed_and_unclosed_policy_blocks() {
        let text = format!("# Agents\n{POLICY_START}\nNo new deps.\n{POLICY_END}\n");
        let (p, u) = find_policy(&text);
        assert!(text[p.unwrap()].contains("No new deps."));
        assert!(u.is_none());
        let (p, u) = find_policy(&format!("x\n{POLICY_START}\n"));
        assert!(p.is_none());
        assert!(u.is_some());
        assert_eq!(find_policy("nothing here"), (None, None));
    }

    #[test]
    fn recognises_wired_hooks_per_agent() {
        let claude = r#"{"hooks":{"PreToolUse":[{"matcher":"Bash","hooks":[{"type":"command","command":"cordon hook claude"}]}]}}"#;
        let f = hook_file(
            Agent::Claude,
            Source::from_string("/p/.claude/settings.json", claude),
        );
        assert!(f.wired);
        assert_eq!(&claude[f.anchor.clone()], "\"PreToolUse\"");
        // Wired for another agent, or in another event, does not count.
        assert!(
            !hook_file(
                Agent::Codex,
                Source::from_string("/p/.codex/hooks.json", claude.replace("claude", "cursor"))
            )
            .wired
        );
        let post = claude.replace("PreToolUse", "PostToolUse");
        assert!(
            !hook_file(
                Agent::Claude,
                Source::from_string("/p/.claude/settings.json", post)
            )
            .wired
        );
        let copilot = r#"{"version":1,"hooks":{"preToolUse":[{"type":"command","bash":"/usr/local/bin/cordon hook copilot"}]}}"#;
        assert!(
            hook_file(
                Agent::Copilot,
                Source::from_string("/p/.github/hooks/c.json", copilot)
            )
            .wired
        );
    }

    #[test]
    fn invalid_json_is_reported_at_its_line() {
        let f = hook_file(
            Agent::Cursor,
            Source::from_string("/p/.cursor/hooks.json", "{\n  \"hooks\": [\n,]\n}"),
        );
        let (msg, offset) = f.invalid.unwrap();
        assert!(msg.starts_with("invalid JSON"));
        assert!(offset > 0);
    }
}
