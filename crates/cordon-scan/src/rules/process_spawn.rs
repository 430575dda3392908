//! `process-spawn`: code that starts processes, and how — hidden or detached, with an encoded
//! PowerShell command, or a command line that downloads and runs something.

use std::sync::LazyLock;

use cordon_diagnostics::{Confidence, Severity};
use regex::Regex;

use super::common::{self, CommandTrait};
use super::{MemberCx, Report, Rule, RuleMeta};
use crate::model::{Behaviour, Evidence};

pub struct ProcessSpawn;

static META: RuleMeta = RuleMeta {
    id: "process-spawn",
    summary: "starts processes; hidden or detached ones, encoded PowerShell, download-and-run command lines",
};

static TEXT_SPAWN: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(
        r"\b(?:subprocess\s*\.\s*(?:Popen|run|call|check_call|check_output|getoutput|getstatusoutput)|os\s*\.\s*(?:system|popen[234]?|exec[lv]p?e?|spawn[lv]p?e?|posix_spawnp?|startfile)|pty\s*\.\s*spawn|create_subprocess_(?:exec|shell)|ShellExecute[AW]?|CreateProcess[AW]?|WinExec)\s*\(",
    )
    .unwrap_or_else(|e| panic!("{e}"))
});

static TEXT_HIDDEN: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r"CREATE_NO_WINDOW|DETACHED_PROCESS|0x08000000|SW_HIDE")
        .unwrap_or_else(|e| panic!("{e}"))
});

impl Rule for ProcessSpawn {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_member(&self, cx: &MemberCx<'_>, out: &mut Vec<Evidence>) {
        if !cx.is_code() {
            return;
        }
        let mut r = Report::new(cx, &META, out);
        if let Some(py) = cx.ast() {
            for s in common::spawns(py) {
                let range = s.call.range();
                let what = s.command.as_deref().map_or_else(
                    || format!("starts a process ({})", s.call.name),
                    |c| format!("starts a process ({}): {}", s.call.name, clip(c)),
                );
                r.add(
                    Behaviour::ProcessSpawn,
                    Severity::Low,
                    Confidence::High,
                    what,
                    range,
                );
                if let Some(flag) = common::hidden_flags(py, s.call)
                    && common::hides_something(s.command.as_deref(), s.shell)
                {
                    r.add(
                        Behaviour::HiddenProcess,
                        Severity::High,
                        Confidence::High,
                        format!("starts a hidden or detached process ({flag})"),
                        range,
                    );
                }
                if let Some(cmd) = &s.command {
                    report_command(&mut r, cmd, s.shell, range);
                }
            }
        } else if let Some(text) = cx.code_text() {
            for m in TEXT_SPAWN.find_iter(text) {
                let range = to_range(m.start(), m.end());
                r.add(
                    Behaviour::ProcessSpawn,
                    Severity::Low,
                    Confidence::Medium,
                    format!(
                        "starts a process ({})",
                        m.as_str().trim_end_matches('(').trim()
                    ),
                    range,
                );
                let line = line_of(text, m.start());
                if TEXT_HIDDEN.is_match(line) {
                    r.add(
                        Behaviour::HiddenProcess,
                        Severity::High,
                        Confidence::Medium,
                        "starts a hidden or detached process (window-hiding flags)",
                        range,
                    );
                }
                report_command(&mut r, line, true, range);
            }
            // Scripts and decoded PowerShell/shell payloads are command lines themselves.
            if cx.python.is_none() {
                for line in text.lines() {
                    let start = line.as_ptr() as usize - text.as_ptr() as usize;
                    let traits = common::command_traits_in_string(line);
                    report_traits(
                        &mut r,
                        line,
                        traits,
                        true,
                        to_range(start, start + line.len()),
                    );
                }
            }
        }
    }
}

fn line_of(text: &str, at: usize) -> &str {
    let s = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let e = text[at..].find('\n').map_or(text.len(), |i| at + i);
    &text[s..e]
}

fn to_range(s: usize, e: usize) -> ruff_text_size::TextRange {
    ruff_text_size::TextRange::new(
        ruff_text_size::TextSize::try_from(s).unwrap_or_default(),
        ruff_text_size::TextSize::try_from(e).unwrap_or_default(),
    )
}

fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(100).collect();
    if s.chars().count() > 100 {
        out.push('…');
    }
    out
}

/// Reports what a command line run by a process does.
fn report_command(
    r: &mut Report<'_, '_, '_>,
    cmd: &str,
    shell: bool,
    range: ruff_text_size::TextRange,
) {
    report_traits(r, cmd, common::command_traits(cmd), shell, range);
}

fn report_traits(
    r: &mut Report<'_, '_, '_>,
    cmd: &str,
    traits: Vec<(CommandTrait, std::ops::Range<usize>)>,
    shell: bool,
    range: ruff_text_size::TextRange,
) {
    for (t, m) in traits {
        let trailing_amp = cmd[m.clone()].trim_end().ends_with('&');
        let frag = clip(&cmd[m]);
        match t {
            CommandTrait::Hidden if shell || !trailing_amp => r.add(
                Behaviour::HiddenProcess,
                Severity::High,
                Confidence::High,
                format!("runs a command hidden or detached: {frag}"),
                range,
            ),
            CommandTrait::EncodedPowershell => r.add(
                Behaviour::HiddenProcess,
                Severity::High,
                Confidence::High,
                "runs PowerShell with an encoded command",
                range,
            ),
            CommandTrait::DownloadExec => r.add(
                Behaviour::Download,
                Severity::High,
                Confidence::High,
                format!("runs a command that downloads and executes: {frag}"),
                range,
            ),
            CommandTrait::Fetch => r.add(
                Behaviour::Download,
                Severity::Medium,
                Confidence::High,
                format!("runs a command that downloads: {frag}"),
                range,
            ),
            _ => {}
        }
    }
}
