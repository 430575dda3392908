//! `drop-executable`: an executable or script written to disk — a file with an executable
//! extension written (and run), a temporary file filled with code or fetched content and then
//! run, an executable bit set on a written or downloaded file, a PE/ELF image embedded in a
//! literal or decoded from one.

use std::sync::LazyLock;

use cordon_diagnostics::{Confidence, Severity};
use regex::Regex;
use ruff_python_ast::Expr;
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::common::{self, CommandTrait};
use super::{MemberCx, Report, Rule, RuleMeta};
use crate::model::{Behaviour, Evidence};
use crate::python::{CallFact, PyFile, StrKind};

pub struct DropExecutable;

static META: RuleMeta = RuleMeta {
    id: "drop-executable",
    summary: "executables or scripts written to disk and run; exec bits set on dropped files; embedded PE/ELF images",
    emits: &[Behaviour::DropExecutable],
    payloads: true,
};

const EXE_EXT: &[&str] = &[
    ".exe", ".dll", ".scr", ".msi", ".bat", ".cmd", ".ps1", ".vbs", ".vbe", ".hta", ".jar", ".com",
    ".sh", ".elf", ".lnk", ".jse", ".wsf",
];

static TEXT_WRITE_EXE: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r#"(?i)open\s*\([^\n]*?\.(?:exe|dll|scr|bat|cmd|ps1|vbs|hta|msi)['"][^\n]*?['"][wa]b?\+?['"]"#)
        .unwrap_or_else(|e| panic!("{e}"))
});
static TEXT_MZ: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r"MZ\\x90\\x00|This program cannot be run in DOS mode|\\x7fELF\\x0[12]")
        .unwrap_or_else(|e| panic!("{e}"))
});

fn is_exe_path(p: &str) -> bool {
    let l = p.to_ascii_lowercase();
    let l = l.trim_end_matches(['\'', '"']);
    EXE_EXT.iter().any(|e| l.ends_with(e))
}

/// Source or data files written to be compiled or read, not run.
fn is_source_path(p: &str) -> bool {
    let l = p.to_ascii_lowercase();
    [
        ".c", ".cc", ".cpp", ".cxx", ".h", ".hpp", ".f", ".f90", ".pyx", ".pxd", ".tex", ".txt",
        ".json", ".cfg", ".ini", ".toml", ".md", ".rst", ".html", ".xml", ".csv", ".log", ".yaml",
        ".yml",
    ]
    .iter()
    .any(|e| l.ends_with(e))
}

fn is_temp_path(p: &str) -> bool {
    let l = p.to_ascii_lowercase();
    l.contains("%temp%")
        || l.contains("%tmp%")
        || l.starts_with("/tmp/")
        || l.contains("%appdata%")
        || l.contains("%localappdata%")
        || l.contains("/dev/shm")
        || l.contains("\\temp\\")
}

/// A file write: the path (partially folded) and the data expression, when known.
struct Write<'a> {
    call: &'a CallFact<'a>,
    path: String,
    temp: bool,
}

fn writes<'a>(py: &'a PyFile<'a>) -> Vec<Write<'a>> {
    let mut out = Vec::new();
    for c in &py.calls {
        let name = c.name.as_str();
        match name {
            "open" | "io.open" | "codecs.open" => {
                let mode = c
                    .arg_or(1, "mode")
                    .and_then(|m| py.eval(m, c.scope))
                    .and_then(|f| f.val.text().map(str::to_owned));
                if !mode.is_some_and(|m| m.contains(['w', 'a', 'x'])) {
                    continue;
                }
                let path = c
                    .arg_or(0, "file")
                    .and_then(|a| py.eval_partial(a, c.scope))
                    .unwrap_or_default();
                let temp = is_temp_path(&path);
                out.push(Write {
                    call: c,
                    path,
                    temp,
                });
            }
            "tempfile.NamedTemporaryFile" | "tempfile.mkstemp" | "tempfile.TemporaryFile" => {
                let kept = name == "tempfile.mkstemp"
                    || c.kwarg("delete")
                        .is_some_and(|d| matches!(d, Expr::BooleanLiteral(b) if !b.value));
                if !kept {
                    continue;
                }
                let suffix = c
                    .kwarg("suffix")
                    .and_then(|s| py.eval_partial(s, c.scope))
                    .unwrap_or_default();
                out.push(Write {
                    call: c,
                    path: format!("%TEMP%/*{suffix}"),
                    temp: true,
                });
            }
            "urllib.request.urlretrieve" | "urllib.urlretrieve" | "wget.download" => {
                let path = c
                    .arg_or(1, "filename")
                    .and_then(|a| py.eval_partial(a, c.scope))
                    .unwrap_or_default();
                let temp = is_temp_path(&path);
                out.push(Write {
                    call: c,
                    path,
                    temp,
                });
            }
            n if n.ends_with(".write_bytes") => {
                if let Expr::Attribute(a) = &*c.call.func {
                    let path = py.eval_partial(&a.value, c.scope).unwrap_or_default();
                    let temp = is_temp_path(&path);
                    out.push(Write {
                        call: c,
                        path,
                        temp,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// `os.chmod(path, mode)` with an execute bit.
fn chmod_exec(py: &PyFile<'_>, c: &CallFact<'_>) -> bool {
    if c.name != "os.chmod" && !c.name.ends_with(".chmod") {
        return false;
    }
    let Some(mode) = c.arg_or(1, "mode") else {
        return false;
    };
    if let Some(crate::python::Val::Int(m)) = py.eval(mode, c.scope).map(|f| f.val) {
        return m & 0o111 != 0;
    }
    let src = py.slice(mode.range());
    src.contains("S_IEXEC")
        || src.contains("S_IXUSR")
        || src.contains("S_IXGRP")
        || src.contains("S_IXOTH")
        || src.contains("S_IRWXU")
}

impl Rule for DropExecutable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_member(&self, cx: &MemberCx<'_>, out: &mut Vec<Evidence>) {
        let mut r = Report::new(cx, &META, out);
        // A decoded payload that is a native executable.
        if cx.layer > 0 {
            let d = &cx.member.data;
            let kind = if d.starts_with(b"MZ") && d.len() >= 64 {
                Some("a Windows executable (PE)")
            } else if d.starts_with(b"\x7fELF") {
                Some("a Linux executable (ELF)")
            } else {
                None
            };
            if let Some(k) = kind {
                r.add_snippet(
                    Behaviour::DropExecutable,
                    Severity::High,
                    Confidence::High,
                    format!("a decoded payload is {k}"),
                    TextSize::default(),
                    "",
                );
                return;
            }
        }
        if !cx.is_code() {
            return;
        }
        if let Some(py) = cx.ast() {
            check_ast(cx, py, &mut r);
        } else if let Some(text) = cx.code_text() {
            for m in TEXT_WRITE_EXE.find_iter(text) {
                r.add(
                    Behaviour::DropExecutable,
                    Severity::Medium,
                    Confidence::Medium,
                    "writes a file with an executable extension",
                    common::span(m.start(), m.end()),
                );
            }
            if let Some(m) = TEXT_MZ.find(text) {
                r.add(
                    Behaviour::DropExecutable,
                    Severity::High,
                    Confidence::Medium,
                    "embeds a native executable image in the source",
                    common::span(m.start(), m.end()),
                );
            }
        }
    }
}

/// The process started in the scope of `w` on the very variable `w` wrote to (`open(p, "wb")`
/// ... `subprocess.run(["cscript", p])`), unless the program only unpacks or checks files.
fn runs_written_path<'s, 'p, 'a>(
    py: &PyFile<'a>,
    spawns: &'s [common::Spawn<'p, 'a>],
    w: &Write<'_>,
) -> Option<&'s common::Spawn<'p, 'a>> {
    let target = match w.call.name.as_str() {
        n if n.contains("urlretrieve") || n == "wget.download" => w.call.arg_or(1, "filename")?,
        _ => w.call.arg_or(0, "file")?,
    };
    let Expr::Name(var) = target else { return None };
    let var = var.id.as_str();
    spawns.iter().find(|s| {
        if s.call.scope != w.call.scope {
            return false;
        }
        let program = s
            .command
            .as_deref()
            .and_then(|c| c.split_whitespace().next())
            .map(|p| {
                p.rsplit(['/', '\\'])
                    .next()
                    .unwrap_or(p)
                    .to_ascii_lowercase()
            });
        if program.as_deref().is_some_and(|p| UNPACKERS.contains(&p)) {
            return false;
        }
        let mut args = s
            .call
            .call
            .arguments
            .args
            .iter()
            .chain(s.call.call.arguments.keywords.iter().map(|k| &k.value));
        args.any(|a| mentions(py, a, var))
    })
}

/// Programs that unpack, list or check a downloaded file rather than run it.
const UNPACKERS: &[&str] = &[
    "tar",
    "unzip",
    "7z",
    "7za",
    "gzip",
    "gunzip",
    "bunzip2",
    "xz",
    "unxz",
    "zstd",
    "sha256sum",
    "shasum",
    "md5sum",
    "file",
    "ls",
    "cp",
    "mv",
    "rm",
    "chmod",
];

/// True when `e` is the name `var` or a list or tuple holding it.
fn mentions(py: &PyFile<'_>, e: &Expr, var: &str) -> bool {
    match e {
        Expr::Name(n) => n.id.as_str() == var,
        Expr::List(l) => l.elts.iter().any(|x| mentions(py, x, var)),
        Expr::Tuple(t) => t.elts.iter().any(|x| mentions(py, x, var)),
        Expr::FString(_) | Expr::BinOp(_) => py
            .slice(e.range())
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|w| w == var),
        _ => false,
    }
}

fn check_ast(cx: &MemberCx<'_>, py: &PyFile<'_>, r: &mut Report<'_, '_, '_>) {
    // Executable images in literals.
    for s in &py.strings {
        if !matches!(s.kind, StrKind::Bytes | StrKind::Literal) {
            continue;
        }
        let v = s.value.as_ref();
        let pe = v.starts_with("MZ")
            && v.len() >= 64
            && (v.contains("This program cannot be run in DOS mode") || v.contains("PE\0\0"));
        let elf = v.starts_with("\u{7f}ELF") && v.len() >= 52;
        if pe || elf {
            r.add(
                Behaviour::DropExecutable,
                Severity::High,
                Confidence::High,
                format!(
                    "embeds a {} executable image in a literal",
                    if pe { "Windows (PE)" } else { "Linux (ELF)" }
                ),
                TextRange::at(s.range.start(), TextSize::from(40)),
            );
        }
    }
    let spawns = common::spawns(py);
    let ws = writes(py);
    // Across helper functions: fetched content written to a file, an executable named by a
    // URL or path literal, and a process started on a path known only at run time.
    let fetched_write = py.calls.iter().find(|c| {
        c.name.contains("urlretrieve")
            || c.name == "wget.download"
            || ((c.method() == "write" || c.method() == "write_bytes")
                && c.arg(0).is_some_and(|a| {
                    py.find_call_in(a, c.scope, &|n, _| common::is_fetch(n))
                        .is_some()
                }))
    });
    // Only with a fetched write: most files have none, and this reads every string.
    let exe_named = || {
        py.code_strings().any(|s| {
            let v = s.value.as_bytes();
            let path = &v[..v
                .iter()
                .position(|&c| c == b'?' || c == b'#')
                .unwrap_or(v.len())];
            path.len() < 2048
                && [".exe", ".scr", ".msi", ".bat", ".ps1", ".vbs"]
                    .iter()
                    .any(|e| {
                        path.len() >= e.len()
                            && path[path.len() - e.len()..].eq_ignore_ascii_case(e.as_bytes())
                    })
        })
    };
    let dynamic_run = || {
        spawns.iter().find(|s| {
            s.command.as_deref().is_none_or(|c| {
                c.split_whitespace()
                    .next()
                    .is_none_or(|f| f.contains('*') || is_exe_path(f))
            }) || s.call.name == "os.startfile"
        })
    };
    if let Some(w) = fetched_write
        && exe_named()
        && let Some(run) = dynamic_run()
        && w.scope != run.call.scope
    {
        r.add(
                Behaviour::DropExecutable,
                Severity::High,
                Confidence::Medium,
                format!("downloads an executable to disk ({}) and starts a process on a path chosen at run time", w.name),
                run.call.range(),
            );
    }
    // Scopes that write, in scope order (most scopes write nothing).
    let mut writing: Vec<u32> = ws.iter().map(|w| w.call.scope).collect();
    writing.sort_unstable();
    writing.dedup();
    for scope in writing {
        let scope_writes: Vec<&Write<'_>> = ws.iter().filter(|w| w.call.scope == scope).collect();
        let runs = spawns.iter().any(|s| s.call.scope == scope);
        let chmod = py
            .calls
            .iter()
            .any(|c| c.scope == scope && chmod_exec(py, c))
            || spawns.iter().any(|s| {
                s.call.scope == scope
                    && s.command.as_deref().is_some_and(|c| {
                        common::command_traits(c)
                            .iter()
                            .any(|(t, _)| *t == CommandTrait::Chmod)
                    })
            });
        // What is written: code, fetched content, an executable image?
        let mut pending: Vec<(Vec<u8>, TextSize)> = Vec::new();
        let payload_written = py
            .calls
            .iter()
            .filter(|c| c.scope == scope && (c.method() == "write" || c.method() == "write_bytes"))
            .find_map(|c| {
                let arg = c.arg(0)?;
                if py
                    .find_call_in(arg, scope, &|n, _| common::is_fetch(n))
                    .is_some()
                {
                    return Some("content fetched from the network");
                }
                let folded = py.eval(arg, scope)?;
                let b = folded.val.bytes()?;
                if std::str::from_utf8(b).is_ok_and(common::looks_like_code) {
                    pending.push((b.to_vec(), c.range().start()));
                }
                if b.starts_with(b"MZ") || b.starts_with(b"\x7fELF") {
                    Some("an executable image")
                } else if std::str::from_utf8(b).is_ok_and(common::looks_like_code) {
                    Some("code")
                } else {
                    None
                }
            });
        for (data, at) in pending {
            cx.push_payload(data, at);
        }
        for w in scope_writes {
            if is_source_path(&w.path) {
                continue;
            }
            let exe = is_exe_path(&w.path);
            let downloaded = w.call.name.contains("urlretrieve") || w.call.name == "wget.download";
            // A Python program written to disk and started with the interpreter.
            let runs_python = spawns.iter().any(|s| {
                s.call.scope == scope
                    && s.command.as_deref().is_some_and(|c| {
                        let l = c.to_ascii_lowercase();
                        l.contains("python") || l.contains(".py")
                    })
            });
            let py_file = {
                let l = w.path.to_ascii_lowercase();
                l.ends_with(".py") || l.ends_with(".pyw") || w.temp
            };
            let fetched = downloaded || payload_written == Some("content fetched from the network");
            let (sev, what) = if fetched && let Some(run) = runs_written_path(py, &spawns, w) {
                (
                    Severity::High,
                    format!(
                        "downloads a file to {} and runs it ({})",
                        w.path, run.call.name
                    ),
                )
            } else if payload_written == Some("code") && py_file && runs_python {
                (
                    Severity::High,
                    format!("writes a Python program to {} and runs it", w.path),
                )
            } else if exe && (runs || chmod) {
                (
                    Severity::High,
                    format!("writes an executable file and runs it ({})", w.path),
                )
            } else if (w.temp || downloaded) && runs && payload_written.is_some() {
                (
                    Severity::High,
                    format!(
                        "writes {} to {} and starts a process",
                        payload_written.unwrap_or("data"),
                        w.path
                    ),
                )
            } else if (downloaded || payload_written == Some("content fetched from the network"))
                && chmod
            {
                (
                    Severity::High,
                    format!("makes a downloaded file executable ({})", w.path),
                )
            } else if exe {
                (
                    Severity::Medium,
                    format!("writes a file with an executable extension ({})", w.path),
                )
            } else if payload_written == Some("an executable image") {
                (
                    Severity::High,
                    format!("writes an executable image to disk ({})", w.path),
                )
            } else {
                continue;
            };
            r.add(
                Behaviour::DropExecutable,
                sev,
                Confidence::High,
                what,
                w.call.range(),
            );
        }
    }
}
