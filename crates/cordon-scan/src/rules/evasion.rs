//! `evasion`: code that checks where it runs before acting — `sys.argv` checks that skip the
//! payload while the package is built (`'sdist' not in sys.argv`), operating-system checks
//! around a download or `exec`, virtual-machine/sandbox/analysis-tool and debugger checks,
//! CPU-count checks, long sleeps. Context for the verdict.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use cordon_diagnostics::{Confidence, Severity};
use regex::Regex;
use ruff_python_ast::statement_visitor::{StatementVisitor, walk_stmt};
use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::common;
use super::{MemberCx, Report, Rule, RuleMeta};
use crate::model::{Behaviour, Evidence};
use crate::python::{EXEC_SINKS, PyFile, Val};

pub struct Evasion;

static META: RuleMeta = RuleMeta {
    id: "evasion",
    summary: "sdist/install argv guards, OS checks around payloads, VM/sandbox/debugger checks, long sleeps",
    emits: &[Behaviour::Evasion],
    payloads: false,
};

static GATE: LazyLock<common::Gate> = LazyLock::new(|| common::Gate::new([&*ANALYSIS]));

static ANALYSIS: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r"(?i)\b(?:vboxservice|vboxtray|vboxmouse|vboxguest|VBOX_|VirtualBox|vmtoolsd|vmwaretray|vmwareuser|vmware|vmsrvc|vmusrvc|qemu-ga|xenservice|prl_cc|prl_tools|sandboxie|sbiedll|wireshark|fiddler|httpdebuggerui|processhacker|procmon|procexp|ollydbg|x64dbg|x32dbg|ida64|idaq|dumpcap|pestudio|joeboxserver|joeboxcontrol|WDAGUtilityAccount|IsDebuggerPresent|CheckRemoteDebuggerPresent)\b")
        .unwrap_or_else(|e| panic!("{e}"))
});
static TEXT_ARGV: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r#"['"](?:sdist|install|bdist_wheel|egg_info|develop)['"]\s+(?:not\s+)?in\s+(?:sys\s*\.\s*)?argv"#)
        .unwrap_or_else(|e| panic!("{e}"))
});

/// What a guarded body does that matters.
fn payload_in(py: &PyFile<'_>, range: TextRange) -> Option<&'static str> {
    let mut spawn = false;
    for c in py.calls.iter().filter(|c| range.contains_range(c.range())) {
        if EXEC_SINKS.contains(&c.name.as_str()) {
            return Some("executes code");
        }
        if common::is_fetch(&c.name) {
            return Some("downloads");
        }
        if common::SPAWN.contains(&c.name.as_str()) {
            spawn = true;
        }
    }
    spawn.then_some("starts a process")
}

struct Guards<'p, 'a> {
    py: &'p PyFile<'a>,
    found: Vec<(TextRange, &'static str, &'static str)>,
}

impl<'a> StatementVisitor<'a> for Guards<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let Stmt::If(i) = stmt {
            let test = self.py.slice(i.test.range());
            let body = TextRange::new(i.range.start(), i.range.end());
            let argv = test.contains("argv")
                && [
                    "sdist",
                    "install",
                    "bdist_wheel",
                    "egg_info",
                    "develop",
                    "build",
                ]
                .iter()
                .any(|w| test.contains(w));
            let os_check = (test.contains("os.name")
                || test.contains("platform.system")
                || test.contains("sys.platform")
                || test == "name")
                || matches!(&*i.test, Expr::Compare(c) if matches!(&*c.left, Expr::Name(n) if n.id.as_str() == "name"));
            let cpu = test.contains("cpu_count")
                || test.contains("virtual_memory")
                || test.contains("disk_usage");
            if let Some(what) = payload_in(self.py, body) {
                if argv {
                    self.found.push((
                        i.test.range(),
                        "checks the setup.py command before running its payload",
                        what,
                    ));
                } else if cpu {
                    self.found.push((i.test.range(), "checks the machine's resources (sandbox detection) before running its payload", what));
                } else if os_check && what != "starts a process" {
                    self.found.push((
                        i.test.range(),
                        "checks the operating system before running its payload",
                        what,
                    ));
                }
            }
        }
        walk_stmt(self, stmt);
    }
}

impl Rule for Evasion {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_member(&self, cx: &MemberCx<'_>, out: &mut Vec<Evidence>) {
        if !cx.is_code() {
            return;
        }
        let mut r = Report::new(cx, &META, out);
        if let Some(py) = cx.ast() {
            let mut g = Guards {
                py,
                found: Vec::new(),
            };
            g.visit_body(py.body());
            for (range, why, what) in g.found {
                r.add(
                    Behaviour::Evasion,
                    Severity::Low,
                    Confidence::High,
                    format!("{why} (the guarded code {what})"),
                    range,
                );
            }
            for c in py.calls.iter().filter(|c| c.name == "time.sleep") {
                if let Some(Val::Int(n)) = c.arg(0).and_then(|a| py.eval(a, c.scope)).map(|f| f.val)
                    && n >= 60
                {
                    r.add(
                        Behaviour::Evasion,
                        Severity::Low,
                        Confidence::High,
                        format!("sleeps {n} seconds (outwaits sandboxes)"),
                        c.range(),
                    );
                }
            }
        } else if let Some(text) = cx.code_text() {
            for m in TEXT_ARGV.find_iter(text) {
                r.add(
                    Behaviour::Evasion,
                    Severity::Low,
                    Confidence::Medium,
                    "checks the setup.py command line",
                    common::span(m.start(), m.end()),
                );
            }
        }
        let mut names: BTreeSet<String> = BTreeSet::new();
        let mut first = None;
        for item in GATE.strings(cx) {
            for m in ANALYSIS.find_iter(item.text).take(50) {
                if names.insert(m.as_str().to_ascii_lowercase()) {
                    first.get_or_insert((
                        item.at(m.start()),
                        item.window(m.start(), m.end()).to_owned(),
                    ));
                }
            }
        }
        if let Some((at, snippet)) = first {
            let (sev, what) = if names.len() >= 3 {
                (
                    Severity::Medium,
                    "looks for analysis tools, virtual machines or debuggers",
                )
            } else {
                (
                    Severity::Low,
                    "names an analysis tool, virtual machine or debugger",
                )
            };
            r.add_snippet(
                Behaviour::Evasion,
                sev,
                Confidence::Medium,
                format!(
                    "{what} ({})",
                    names.iter().take(6).cloned().collect::<Vec<_>>().join(", ")
                ),
                at,
                &snippet,
            );
        }
    }
}
