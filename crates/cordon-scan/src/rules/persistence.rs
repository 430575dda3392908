//! `persistence`: code that makes something run again later — shell rc files, cron, systemd
//! units, XDG autostart, LaunchAgents, Windows Run keys and the Startup folder, scheduled
//! tasks, `sitecustomize`/`.pth` files written into site-packages. Written or installed:
//! High; a Run key or Startup path named: Medium; other locations only named: Info.

use std::sync::LazyLock;

use cordon_diagnostics::{Confidence, Severity};
use regex::Regex;
use ruff_python_ast::Expr;

use super::common::{self, CommandTrait};
use super::{MemberCx, Report, Rule, RuleMeta};
use crate::model::{Behaviour, Evidence};
use crate::python::PyFile;

pub struct Persistence;

static META: RuleMeta = RuleMeta {
    id: "persistence",
    summary: "shell rc, cron, systemd, autostart, LaunchAgents, Run keys, Startup folder, scheduled tasks",
    emits: &[Behaviour::Persistence],
    payloads: false,
};

struct Place {
    re: Regex,
    what: &'static str,
    /// Severity when the place is only named.
    named: Severity,
}

static GATE: LazyLock<common::Gate> =
    LazyLock::new(|| common::Gate::new(PLACES.iter().map(|p| &p.re)));

static PLACES: LazyLock<Vec<Place>> = LazyLock::new(|| {
    let p = |re: &str, what, named| Place {
        re: crate::pattern::new(re).unwrap_or_else(|e| panic!("{re}: {e}")),
        what,
        named,
    };
    vec![
        p(
            r"(?i)CurrentVersion\\+(?:Run|RunOnce|RunServices|Policies\\+Explorer\\+Run)\b",
            "a Windows Run registry key",
            Severity::Medium,
        ),
        p(
            r"(?i)\\Winlogon\\*(?:$|\\|\x22|')|\bWinlogon\\+(?:Shell|Userinit)\b",
            "the Winlogon registry key",
            Severity::Medium,
        ),
        p(
            r"(?i)Start Menu[/\\]+Programs[/\\]+Startup|\bshell:startup\b|[/\\]Startup[/\\]",
            "the Windows Startup folder",
            Severity::Medium,
        ),
        p(r"(?i)@reboot\b", "a cron @reboot entry", Severity::Medium),
        p(
            r"(?i)/etc/cron(?:tab|\.d|\.daily|\.hourly)?\b|/var/spool/cron\b|\bcrontab\b",
            "cron",
            Severity::Info,
        ),
        p(
            r"(?i)/etc/systemd/system\b|\.config/systemd/user\b|\bExecStart\s*=",
            "a systemd unit",
            Severity::Info,
        ),
        p(
            r"(?i)\.config/autostart\b|X-GNOME-Autostart",
            "XDG autostart",
            Severity::Info,
        ),
        p(
            r"(?i)Library/Launch(?:Agents|Daemons)\b|\bRunAtLoad\b",
            "a launchd agent",
            Severity::Info,
        ),
        p(
            r"(?i)(?:^|[/\\~*%])\.(?:bashrc|zshrc|bash_profile|bash_login|profile|zprofile|zshenv|cshrc|tcshrc)\b|/etc/profile(?:\.d)?\b|\bconfig\.fish\b",
            "a shell startup file",
            Severity::Info,
        ),
        p(
            r"(?i)/etc/rc\.local\b|/etc/init\.d/",
            "an init script",
            Severity::Info,
        ),
        p(
            r"(?i)\b(?:sitecustomize|usercustomize)\.py\b",
            "an interpreter start-up hook (sitecustomize)",
            Severity::Info,
        ),
    ]
});

/// Calls that write a file at their first argument (with a mode check for `open`).
fn written_path<'a>(py: &PyFile<'a>, c: &crate::python::CallFact<'a>) -> Option<String> {
    let name = c.name.as_str();
    let path_arg = match name {
        "open" | "io.open" | "codecs.open" | "os.open" => {
            let mode = c
                .arg_or(1, "mode")
                .and_then(|m| py.eval(m, c.scope))
                .and_then(|f| f.val.text().map(str::to_owned));
            let writes = match name {
                "os.open" => c.arg(1).is_some_and(|m| {
                    py.slice(ruff_text_size::Ranged::range(m))
                        .contains("O_WRONLY")
                        || py
                            .slice(ruff_text_size::Ranged::range(m))
                            .contains("O_APPEND")
                }),
                _ => mode.is_some_and(|m| m.contains(['w', 'a', 'x', '+'])),
            };
            if !writes {
                return None;
            }
            c.arg_or(0, "file")?
        }
        "shutil.copy" | "shutil.copy2" | "shutil.copyfile" | "shutil.move" | "os.rename"
        | "os.replace" | "os.symlink" => c.arg(1)?,
        n if n.ends_with(".write_text") || n.ends_with(".write_bytes") => {
            if let Expr::Attribute(a) = &*c.call.func {
                return py.eval_partial(&a.value, c.scope);
            }
            return None;
        }
        _ => return None,
    };
    py.eval_partial(path_arg, c.scope)
}

impl Rule for Persistence {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_member(&self, cx: &MemberCx<'_>, out: &mut Vec<Evidence>) {
        if !cx.is_code() {
            return;
        }
        let mut r = Report::new(cx, &META, out);
        if let Some(py) = cx.ast() {
            for c in &py.calls {
                if let Some(path) = written_path(py, c) {
                    let lower = path.to_ascii_lowercase();
                    let place = PLACES
                        .iter()
                        .find(|p| p.re.is_match(&path))
                        .map(|p| p.what)
                        .or_else(|| {
                            (lower.ends_with(".pth")
                                && (lower.contains("site-packages") || lower.contains('*')))
                            .then_some("a .pth file (runs at every interpreter start)")
                        });
                    if let Some(what) = place {
                        // Installers write .pth and sitecustomize files for a living.
                        let hook = what.contains(".pth") || what.contains("sitecustomize");
                        r.add(
                            Behaviour::Persistence,
                            if hook { Severity::Info } else { Severity::High },
                            Confidence::High,
                            format!("writes to {what}: {path}"),
                            c.range(),
                        );
                    }
                }
                if c.name.starts_with("winreg.SetValue") || c.name.starts_with("_winreg.SetValue") {
                    let scope_src = py.slice(py.scopes[c.scope as usize].range);
                    if PLACES[0].re.is_match(scope_src) || scope_src.contains("\\Run") {
                        r.add(
                            Behaviour::Persistence,
                            Severity::High,
                            Confidence::High,
                            "sets a Windows Run registry value (starts at every logon)",
                            c.range(),
                        );
                    }
                }
            }
            for s in common::spawns(py) {
                let Some(cmd) = &s.command else { continue };
                for (t, m) in common::command_traits(cmd) {
                    if t == CommandTrait::Persistence {
                        r.add(
                            Behaviour::Persistence,
                            Severity::High,
                            Confidence::High,
                            format!("runs a command that installs persistence: {}", &cmd[m]),
                            s.call.range(),
                        );
                    }
                }
            }
        }
        let places = GATE.mask(cx);
        for (i, item) in cx.strings().iter().enumerate() {
            for p in common::masked(&PLACES, places) {
                if let Some(m) = p.re.find(item.text) {
                    r.add_snippet(
                        Behaviour::Persistence,
                        p.named,
                        if item.exact {
                            Confidence::Medium
                        } else {
                            Confidence::High
                        },
                        format!("names {}", p.what),
                        item.at(m.start()),
                        item.window(m.start(), m.end()),
                    );
                }
            }
            for c in cx.commands_in(i) {
                let (t, m) = (c.command, c.range.clone());
                if t == CommandTrait::Persistence {
                    let frag = &item.text[m.clone()];
                    let installs = frag.trim().contains(' ');
                    if installs {
                        r.add_snippet(
                            Behaviour::Persistence,
                            Severity::Medium,
                            if item.exact {
                                Confidence::Medium
                            } else {
                                Confidence::High
                            },
                            format!("a command line that installs persistence: {frag}"),
                            item.at(m.start),
                            item.window(m.start, m.end),
                        );
                    }
                }
            }
        }
    }
}
