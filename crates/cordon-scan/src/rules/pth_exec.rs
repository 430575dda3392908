//! `pth-exec`: a `.pth` file with an executable line. `site` runs every line of a `.pth` file
//! in site-packages that starts with `import` at every interpreter start — no import of the
//! package needed. The lines themselves are scanned by every other rule as Python.

use std::sync::LazyLock;

use cordon_diagnostics::{Confidence, Severity};
use regex::Regex;

use super::common;
use super::{CodeKind, MemberCx, Report, Rule, RuleMeta};
use crate::model::{Behaviour, Evidence};

pub struct PthExec;

static META: RuleMeta = RuleMeta {
    id: "pth-exec",
    summary: "a .pth file line that Python executes at every start",
    emits: &[Behaviour::PthExec],
    payloads: false,
};

/// `import a.b` or `import a; a.f(literal args)`: how editable installs, coverage and
/// virtualenv hooks look.
static SIMPLE: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r"^import[ \t]+[\w.]+(?:[ \t]*,[ \t]*[\w.]+)*[ \t]*(?:;[ \t]*[\w.]+\([^()]*\)[ \t]*)?;?[ \t]*$")
        .unwrap_or_else(|e| panic!("{e}"))
});
static DANGEROUS: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r"\b(?:exec|eval|compile|b64decode|b32decode|b85decode|decompress|marshal|subprocess|socket|urllib|urlopen|requests|http\.client|os\.system|popen|ctypes|codecs|fromhex|unhexlify|getattr)\b|\\x[0-9a-fA-F]{2}")
        .unwrap_or_else(|e| panic!("{e}"))
});

impl Rule for PthExec {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_member(&self, cx: &MemberCx<'_>, out: &mut Vec<Evidence>) {
        if cx.kind != CodeKind::Pth || cx.layer > 0 {
            return;
        }
        let Some(text) = cx.text else { return };
        let mut r = Report::new(cx, &META, out);
        let mut offset = 0usize;
        for line in text.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            if !(line.starts_with("import ") || line.starts_with("import\t")) {
                continue;
            }
            let l = line.trim_end();
            let (sev, what) = if DANGEROUS.is_match(l) {
                (
                    Severity::High,
                    "runs code that decodes, executes, spawns or reaches the network at every Python start",
                )
            } else if SIMPLE.is_match(l) && l.len() <= 300 {
                (Severity::Low, "imports a module at every Python start")
            } else {
                (Severity::Medium, "runs code at every Python start")
            };
            r.add(
                Behaviour::PthExec,
                sev,
                Confidence::High,
                format!("a .pth line {what}"),
                common::span(start, start + l.len()),
            );
        }
    }
}
