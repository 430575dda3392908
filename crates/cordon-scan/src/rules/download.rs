//! `download`: content fetched from the network to be saved, run or installed — `urlretrieve`,
//! a response written to a file, a fetched file handed to a process, `pip install` run from
//! code, command lines that download (`curl ... | sh`, `certutil -urlcache`,
//! `Invoke-WebRequest`), and URLs of executables.

use std::sync::LazyLock;

use cordon_diagnostics::{Confidence, Severity};
use regex::Regex;

use super::common::{self, CommandTrait};
use super::{MemberCx, Report, Rule, RuleMeta};
use crate::model::{Behaviour, Evidence};
use crate::python::PyFile;

pub struct Download;

static META: RuleMeta = RuleMeta {
    id: "download",
    summary: "fetches files to save or run them, installs packages at run time, downloads executables",
    emits: &[Behaviour::Download, Behaviour::DropExecutable],
    payloads: false,
};

static GATE: LazyLock<common::Gate> = LazyLock::new(|| common::Gate::new([&*EXE_URL]));

static EXE_URL: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r"(?i)\b(?:https?|ftp)://[^/\s'\x22<>]+/[^\s'\x22<>?#]*?\.(?:exe|dll|scr|msi|bat|cmd|ps1|vbs|hta|jar)(?:[?#][^\s'\x22<>]*)?(?:$|[\s'\x22<>])")
        .unwrap_or_else(|e| panic!("{e}"))
});
static SCRIPT_URL: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r"(?i)\b(?:https?|ftp)://[^/\s'\x22<>]+/[^\s'\x22<>]*?\.(?:sh|py|pyw|zip|bin|elf|apk|dmg|pkg|run)(?:[?#][^\s'\x22<>]*)?$")
        .unwrap_or_else(|e| panic!("{e}"))
});
static TEXT_SAVE: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r"\b(?:urlretrieve|wget\s*\.\s*download)\s*\(|\.write\s*\([^\n)]*\b(?:requests\s*\.\s*get|urlopen)\s*\(")
        .unwrap_or_else(|e| panic!("{e}"))
});
static PIP_MAIN: &[&str] = &[
    "pip.main",
    "pip._internal.main",
    "pip._internal.cli.main.main",
    "pip._internal.main.main",
];

const EXE_EXT: &[&str] = &[
    ".exe", ".dll", ".scr", ".msi", ".bat", ".cmd", ".ps1", ".vbs", ".hta", ".jar", ".sh", ".elf",
    ".bin",
];

impl Rule for Download {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_member(&self, cx: &MemberCx<'_>, out: &mut Vec<Evidence>) {
        if !cx.is_code() {
            return;
        }
        let mut r = Report::new(cx, &META, out);
        if let Some(py) = cx.ast() {
            check_ast(py, &mut r);
        } else if let Some(text) = cx.code_text() {
            for m in TEXT_SAVE.find_iter(text) {
                r.add(
                    Behaviour::Download,
                    Severity::Medium,
                    Confidence::Medium,
                    "saves content fetched from the network to a file",
                    common::span(m.start(), m.end()),
                );
            }
        }
        // URLs of executables, download command lines in any string.
        let exe_urls = GATE.open(cx);
        for (i, item) in cx.strings().iter().enumerate() {
            for m in exe_urls
                .then_some(item.text)
                .into_iter()
                .flat_map(|t| EXE_URL.find_iter(t))
            {
                let url = m
                    .as_str()
                    .trim_end_matches(['\'', '"', ' ', '<', '>', '\n', '\t']);
                r.add_snippet(
                    Behaviour::Download,
                    Severity::Medium,
                    Confidence::Medium,
                    format!("URL of an executable: {url}"),
                    item.at(m.start()),
                    item.window(m.start(), m.end()),
                );
            }
            for c in cx.commands_in(i) {
                let (t, m) = (c.command, c.range.clone());
                match t {
                    CommandTrait::DownloadExec => r.add_snippet(
                        Behaviour::Download,
                        Severity::Medium,
                        Confidence::Medium,
                        format!(
                            "a command line that downloads and runs: {}",
                            &item.text[m.clone()]
                        ),
                        item.at(m.start),
                        item.window(m.start, m.end),
                    ),
                    CommandTrait::PipInstallUrl => r.add_snippet(
                        Behaviour::Download,
                        Severity::Medium,
                        Confidence::Medium,
                        "a command line that installs from a URL or another index",
                        item.at(m.start),
                        item.window(m.start, m.end),
                    ),
                    _ => {}
                }
            }
        }
    }
}

fn check_ast(py: &PyFile<'_>, r: &mut Report<'_, '_, '_>) {
    // The path part of a URL (or a file path) ends with an executable extension; a host
    // name ending in a TLD like `.sh` does not count.
    let is_exe = |s: &str| {
        let l = s.to_ascii_lowercase();
        let l = l.split(['?', '#']).next().unwrap_or(&l);
        let path = match l.split_once("://") {
            Some((_, rest)) => rest.split_once('/').map_or("", |(_, p)| p),
            None => l,
        };
        EXE_EXT.iter().any(|e| path.ends_with(e))
    };
    for c in &py.calls {
        let name = c.name.as_str();
        let range = c.range();
        match name {
            "urllib.request.urlretrieve" | "urllib.urlretrieve" | "wget.download" => {
                let url = c
                    .arg(0)
                    .and_then(|a| py.eval_partial(a, c.scope))
                    .unwrap_or_default();
                let dest = c
                    .arg(1)
                    .and_then(|a| py.eval_partial(a, c.scope))
                    .unwrap_or_default();
                let exe = is_exe(&url) || is_exe(&dest);
                r.add(
                    Behaviour::Download,
                    if exe {
                        Severity::High
                    } else {
                        Severity::Medium
                    },
                    Confidence::High,
                    if exe {
                        format!("downloads an executable to disk ({name})")
                    } else {
                        format!("downloads a file to disk ({name})")
                    },
                    range,
                );
            }
            n if PIP_MAIN.contains(&n) => r.add(
                Behaviour::Download,
                Severity::Medium,
                Confidence::High,
                "installs packages at run time (pip called from code)",
                range,
            ),
            n if (n.ends_with(".write") && !n.starts_with("sys.")) || n == "shutil.copyfileobj" => {
                let Some(arg) = c.arg(0) else { continue };
                if let Some(f) = py.find_call_in(arg, c.scope, &|n, _| common::is_fetch(n)) {
                    r.add(
                        Behaviour::Download,
                        Severity::Medium,
                        Confidence::High,
                        format!("writes content fetched from the network to a file ({f})"),
                        range,
                    );
                }
            }
            n if common::is_fetch(n) => {
                if let Some(url) = c.arg(0).and_then(|a| py.eval_partial(a, c.scope))
                    && (is_exe(&url) || SCRIPT_URL.is_match(&url))
                {
                    r.add(
                        Behaviour::Download,
                        Severity::High,
                        Confidence::High,
                        format!("fetches an executable or script: {url}"),
                        range,
                    );
                }
            }
            _ => {}
        }
    }
    for s in common::spawns(py) {
        let range = s.call.range();
        if let Some(arg) = s.call.arg(0)
            && let Some(f) = py.find_call_in(arg, s.call.scope, &|n, _| common::is_fetch(n))
        {
            r.add(
                Behaviour::Download,
                Severity::High,
                Confidence::High,
                format!("runs a process on content fetched from the network ({f})"),
                range,
            );
            r.add(
                Behaviour::DropExecutable,
                Severity::High,
                Confidence::Medium,
                format!("starts a process on a file it downloaded ({f})"),
                range,
            );
        }
        let Some(cmd) = &s.command else { continue };
        for (t, _) in common::command_traits(cmd) {
            match t {
                CommandTrait::PipInstallUrl => r.add(
                    Behaviour::Download,
                    Severity::High,
                    Confidence::High,
                    "installs packages from a URL or another index at run time",
                    range,
                ),
                CommandTrait::PipInstall => r.add(
                    Behaviour::Download,
                    Severity::Medium,
                    Confidence::High,
                    "installs packages at run time (pip in a subprocess)",
                    range,
                ),
                _ => {}
            }
        }
    }
}
