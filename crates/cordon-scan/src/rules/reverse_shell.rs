//! `reverse-shell`: a socket wired to a shell — `connect` then `os.dup2` of the socket onto
//! stdin/stdout/stderr and a shell or `pty.spawn`; a process whose stdio is the socket;
//! commands received on a socket and run; `bash -i >& /dev/tcp/...`, `nc -e`, `socat exec:`.

use std::sync::LazyLock;

use cordon_diagnostics::{Confidence, Severity};
use regex::Regex;

use super::common::{self, CommandTrait};
use super::{MemberCx, Report, Rule, RuleMeta};
use crate::model::{Behaviour, Evidence};
use crate::python::PyFile;

pub struct ReverseShell;

static META: RuleMeta = RuleMeta {
    id: "reverse-shell",
    summary: "socket wired to a shell (dup2 + sh/pty), commands run from a socket, shell one-liners",
    emits: &[Behaviour::ReverseShell],
    payloads: false,
};

static TEXT_DUP2: LazyLock<Regex> =
    LazyLock::new(|| crate::pattern::new(r"\bdup2\s*\(").unwrap_or_else(|e| panic!("{e}")));
static TEXT_CONNECT: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r"\.\s*connect\s*\(\s*\(").unwrap_or_else(|e| panic!("{e}"))
});
static TEXT_SHELL: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r"/bin/(?:ba|z|da)?sh\b|\bpty\s*\.\s*spawn\b|cmd\.exe|powershell")
        .unwrap_or_else(|e| panic!("{e}"))
});

fn is_connect(py: &PyFile<'_>, name: &str) -> bool {
    name == "socket.create_connection"
        || (name.ends_with(".connect")
            && (name.starts_with("socket.")
                || (name.starts_with("?.") && py.imports_module("socket"))))
}

impl Rule for ReverseShell {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_member(&self, cx: &MemberCx<'_>, out: &mut Vec<Evidence>) {
        if !cx.is_code() {
            return;
        }
        let mut r = Report::new(cx, &META, out);
        if let Some(py) = cx.ast() {
            // Only scopes that connect a socket can wire it to a shell.
            let mut scopes: Vec<u32> = py
                .calls
                .iter()
                .filter(|c| is_connect(py, &c.name))
                .map(|c| c.scope)
                .collect();
            scopes.sort_unstable();
            scopes.dedup();
            let spawns = if scopes.is_empty() {
                Vec::new()
            } else {
                common::spawns(py)
            };
            for scope in scopes {
                let calls: Vec<_> = py.calls.iter().filter(|c| c.scope == scope).collect();
                let Some(connect) = calls.iter().find(|c| is_connect(py, &c.name)) else {
                    continue;
                };
                let dup2 = calls.iter().filter(|c| c.name == "os.dup2").count();
                let pty = calls.iter().any(|c| c.name == "pty.spawn");
                let scope_spawns: Vec<_> =
                    spawns.iter().filter(|s| s.call.scope == scope).collect();
                let shell = pty
                    || scope_spawns.iter().any(|s| {
                        s.command.as_deref().is_some_and(|c| {
                            TEXT_SHELL.is_match(c) || c.trim() == "sh" || c.trim() == "bash"
                        })
                    });
                let stdio_socket = scope_spawns.iter().any(|s| {
                    ["stdin", "stdout", "stderr"].iter().any(|k| {
                        s.call.kwarg(k).is_some_and(|v| {
                            py.slice(ruff_text_size::Ranged::range(v))
                                .contains("fileno")
                        })
                    })
                });
                let recv = calls
                    .iter()
                    .any(|c| c.method() == "recv" || c.method() == "recvfrom");
                let runs = !scope_spawns.is_empty()
                    || calls
                        .iter()
                        .any(|c| matches!(c.name.as_str(), "exec" | "eval"));
                let what = if dup2 >= 1 && shell {
                    Some("connects a socket and duplicates it onto stdin/stdout/stderr of a shell")
                } else if stdio_socket {
                    Some("starts a process whose standard streams are a socket")
                } else if recv && runs {
                    Some("runs commands received over a socket")
                } else {
                    None
                };
                if let Some(what) = what {
                    r.add(
                        Behaviour::ReverseShell,
                        Severity::High,
                        Confidence::High,
                        what,
                        connect.range(),
                    );
                }
            }
        } else if let Some(text) = cx.code_text()
            && TEXT_DUP2.find_iter(text).count() >= 2
            && TEXT_SHELL.is_match(text)
            && let Some(m) = TEXT_CONNECT.find(text)
        {
            r.add(
                Behaviour::ReverseShell,
                Severity::High,
                Confidence::Medium,
                "connects a socket and duplicates it onto a shell's standard streams",
                common::span(m.start(), m.end()),
            );
        }
        for (i, item) in cx.strings().iter().enumerate() {
            for c in cx.commands_in(i) {
                let (t, m) = (c.command, c.range.clone());
                if t == CommandTrait::ReverseShell {
                    r.add_snippet(
                        Behaviour::ReverseShell,
                        Severity::High,
                        if item.exact {
                            Confidence::Medium
                        } else {
                            Confidence::High
                        },
                        format!("a reverse-shell command line: {}", &item.text[m.clone()]),
                        item.at(m.start),
                        item.window(m.start, m.end),
                    );
                }
            }
        }
    }
}
