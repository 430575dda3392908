//! `env-dump`: the whole environment collected — `os.environ` serialized (`json.dumps`,
//! `str`, `urlencode`, an f-string, a POST body), copied and then sent, its items enumerated —
//! or `env`/`printenv`/`set` run. Reading one variable (`os.environ.get('HOME')`,
//! `os.environ['X']`) and passing a copy to a child process (`env=os.environ.copy()`) are not.

use std::sync::LazyLock;

use cordon_diagnostics::{Confidence, Severity};
use regex::Regex;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, Keyword, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::common::{self, CommandTrait};
use super::{MemberCx, Report, Rule, RuleMeta};
use crate::model::{Behaviour, Evidence};
use crate::python::PyFile;

pub struct EnvDump;

static META: RuleMeta = RuleMeta {
    id: "env-dump",
    summary: "the whole environment serialized, sent or enumerated; env/printenv/set run",
    emits: &[Behaviour::EnvDump],
    payloads: false,
};

/// Calls that turn a mapping into something sent or stored.
const SERIALIZE: &[&str] = &[
    "str",
    "repr",
    "print",
    "json.dumps",
    "json.dump",
    "urllib.parse.urlencode",
    "urllib.urlencode",
    "pickle.dumps",
    "yaml.dump",
    "yaml.safe_dump",
    "pprint.pformat",
    "pprint.pprint",
    "base64.b64encode",
    "marshal.dumps",
    "bytes",
];

static TEXT_DUMP: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r"(?:json\s*\.\s*dumps?|\bstr|\brepr|\bprint|urlencode)\s*\(\s*(?:dict\s*\(\s*)?os\s*\.\s*environ\b\s*\)?\s*[),]|os\s*\.\s*environ\s*\.\s*items\s*\(\s*\)")
        .unwrap_or_else(|e| panic!("{e}"))
});

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    /// Serialized or sent.
    Serialized,
    /// Enumerated with values.
    Enumerated,
    /// Copied whole (`dict(os.environ)`, `.copy()`, `{**os.environ}`), not as a child's env.
    Copied,
}

struct Finder<'p, 'a> {
    py: &'p PyFile<'a>,
    parents: Vec<&'a Expr>,
    keyword: Option<&'a str>,
    iterated: Option<TextRange>,
    hits: Vec<(Use, TextRange, Option<&'a str>)>,
    assigned_to: Option<&'a str>,
}

impl<'a> Finder<'_, 'a> {
    fn is_environ(&self, e: &Expr) -> bool {
        let looks = match e {
            Expr::Attribute(a) => matches!(a.attr.as_str(), "environ" | "environb"),
            Expr::Name(n) => n.id.as_str() == "environ",
            _ => false,
        };
        looks && {
            let scope = self.py.scope_at(e.range().start());
            self.py
                .qualify(e, scope, 0)
                .is_some_and(|q| q == "os.environ" || q == "os.environb")
        }
    }

    #[allow(clippy::many_single_char_names)]
    fn classify(&mut self, e: &'a Expr) {
        let n = self.parents.len();
        let parent = n.checked_sub(2).and_then(|i| self.parents.get(i)).copied();
        let grand = n.checked_sub(3).and_then(|i| self.parents.get(i)).copied();
        let r = e.range();
        if self.iterated.is_some_and(|it| it == r) {
            self.hits.push((Use::Enumerated, r, None));
            return;
        }
        match parent {
            Some(Expr::Subscript(_) | Expr::Compare(_)) => {}
            Some(Expr::Attribute(a)) => match (a.attr.as_str(), grand) {
                ("copy", Some(Expr::Call(_))) if self.keyword != Some("env") => {
                    self.hits.push((Use::Copied, r, self.assigned_to));
                }
                ("items" | "values", Some(Expr::Call(c))) => {
                    let call_range = c.range();
                    let in_iter = self
                        .iterated
                        .is_some_and(|it| it.contains_range(call_range));
                    let as_arg = n >= 4
                        && matches!(
                            self.parents.get(n - 4),
                            Some(
                                Expr::Call(_)
                                    | Expr::ListComp(_)
                                    | Expr::DictComp(_)
                                    | Expr::Generator(_)
                            )
                        );
                    if in_iter || as_arg {
                        self.hits.push((Use::Enumerated, r, None));
                    }
                }
                ("_data", _) => self.hits.push((Use::Serialized, r, None)),
                _ => {}
            },
            Some(Expr::Call(c)) => {
                if self.keyword == Some("env") {
                    return;
                }
                let scope = self.py.scope_at(r.start());
                let callee = self.py.qualify(&c.func, scope, 0).unwrap_or_default();
                if matches!(callee.as_str(), "list" | "sorted" | "set" | "tuple") {
                    self.hits.push((Use::Enumerated, r, None));
                } else if callee == "dict" {
                    let outer = grand.and_then(|g| match g {
                        Expr::Call(gc) => self.py.qualify(&gc.func, scope, 0),
                        _ => None,
                    });
                    if outer.is_some_and(|o| {
                        SERIALIZE.contains(&o.as_str())
                            || o.ends_with("urlencode")
                            || o.ends_with(".post")
                    }) {
                        self.hits.push((Use::Serialized, r, None));
                    } else {
                        self.hits.push((Use::Copied, r, self.assigned_to));
                    }
                } else if SERIALIZE.contains(&callee.as_str())
                    || callee.ends_with(".post")
                    || callee.ends_with(".put")
                    || callee.ends_with(".send")
                    || callee.ends_with(".sendall")
                    || callee.ends_with(".write")
                    || callee.ends_with("urlencode")
                    || callee == "vars"
                {
                    self.hits.push((Use::Serialized, r, None));
                }
            }
            Some(Expr::Dict(_)) => {
                // `{**os.environ}`
                if self.keyword != Some("env") {
                    self.hits.push((Use::Copied, r, self.assigned_to));
                }
            }
            Some(Expr::FString(_)) => self.hits.push((Use::Serialized, r, None)),
            _ => {
                // An f-string interpolation's parent is the f-string.
                if self
                    .parents
                    .iter()
                    .rev()
                    .skip(1)
                    .take(2)
                    .any(|p| matches!(p, Expr::FString(_)))
                {
                    self.hits.push((Use::Serialized, r, None));
                }
            }
        }
    }
}

impl<'a> Visitor<'a> for Finder<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::For(f) => {
                self.iterated = Some(f.iter.range());
                self.visit_expr(&f.iter);
                self.iterated = None;
                self.visit_expr(&f.target);
                self.visit_body(&f.body);
                self.visit_body(&f.orelse);
            }
            Stmt::Assign(a) => {
                self.assigned_to = match a.targets.as_slice() {
                    [Expr::Name(n)] => Some(n.id.as_str()),
                    _ => None,
                };
                self.visit_expr(&a.value);
                self.assigned_to = None;
                for t in &a.targets {
                    self.visit_expr(t);
                }
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_comprehension(&mut self, c: &'a ruff_python_ast::Comprehension) {
        let prev = self.iterated.replace(c.iter.range());
        self.visit_expr(&c.iter);
        self.iterated = prev;
        self.visit_expr(&c.target);
        for i in &c.ifs {
            self.visit_expr(i);
        }
    }

    fn visit_keyword(&mut self, k: &'a Keyword) {
        let prev = self.keyword;
        self.keyword = k.arg.as_ref().map(ruff_python_ast::Identifier::as_str);
        self.visit_expr(&k.value);
        self.keyword = prev;
    }

    fn visit_expr(&mut self, e: &'a Expr) {
        self.parents.push(e);
        if self.is_environ(e) {
            self.classify(e);
        }
        visitor::walk_expr(self, e);
        self.parents.pop();
    }
}

impl Rule for EnvDump {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_member(&self, cx: &MemberCx<'_>, out: &mut Vec<Evidence>) {
        if !cx.is_code() {
            return;
        }
        let mut r = Report::new(cx, &META, out);
        let Some(py) = cx.ast() else {
            if let Some(text) = cx.code_text() {
                for m in TEXT_DUMP.find_iter(text) {
                    r.add(
                        Behaviour::EnvDump,
                        Severity::Medium,
                        Confidence::Medium,
                        "collects the whole environment",
                        common::span(m.start(), m.end()),
                    );
                }
            }
            return;
        };
        let mut f = Finder {
            py,
            parents: Vec::new(),
            keyword: None,
            iterated: None,
            hits: Vec::new(),
            assigned_to: None,
        };
        f.visit_body(py.body());
        for (u, range, target) in f.hits {
            match u {
                Use::Serialized => r.add(
                    Behaviour::EnvDump,
                    Severity::Medium,
                    Confidence::High,
                    "serializes or sends the whole environment",
                    range,
                ),
                Use::Enumerated => r.add(
                    Behaviour::EnvDump,
                    Severity::Low,
                    Confidence::High,
                    "enumerates every environment variable with its value",
                    range,
                ),
                Use::Copied => {
                    // Quiet unless the copy is then serialized or sent.
                    let Some(name) = target else { continue };
                    let scope = py.scope_at(range.start());
                    let sent = py.calls.iter().filter(|c| c.scope == scope).find(|c| {
                        let callee = c.name.as_str();
                        let serializes = SERIALIZE.contains(&callee)
                            || callee.ends_with("urlencode")
                            || callee.ends_with(".post")
                            || callee.ends_with(".put")
                            || callee.ends_with(".send")
                            || callee.ends_with(".sendall")
                            || callee.ends_with(".Request");
                        serializes
                            && c.args_except(&["env"])
                                .any(|a| matches!(a, Expr::Name(n) if n.id.as_str() == name))
                    });
                    if let Some(c) = sent {
                        r.add(
                            Behaviour::EnvDump,
                            Severity::Medium,
                            Confidence::High,
                            format!("copies the whole environment and passes it to {}", c.name),
                            range,
                        );
                    }
                }
            }
        }
        for s in common::spawns(py) {
            if let Some(cmd) = &s.command
                && common::command_traits(cmd)
                    .iter()
                    .any(|(t, _)| *t == CommandTrait::EnvDump)
            {
                r.add(
                    Behaviour::EnvDump,
                    Severity::Medium,
                    Confidence::High,
                    format!("runs `{}` to dump the environment", cmd.trim()),
                    s.call.range(),
                );
            }
        }
    }
}
