//! `install-hook`: code that runs when the package is installed, beyond a plain `setup(...)`
//! call — top-level statements of `setup.py` other than imports, docstrings, constant
//! assignments, `find_packages()` and README reads; custom `install`/`develop`/`egg_info`/
//! `build*` commands whose `run` does more than call the parent; modules `setup.py` imports
//! and custom build backends. Context: it says where other evidence runs.

use cordon_diagnostics::{Confidence, Severity};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, ExprCall, Stmt, StmtClassDef};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::{MemberCx, MemberRole, Report, Rule, RuleMeta};
use crate::model::{Behaviour, Evidence};
use crate::python::PyFile;

pub struct InstallHook;

static META: RuleMeta = RuleMeta {
    id: "install-hook",
    summary: "setup.py code beyond setup(); custom install/develop/egg_info/build commands; build backends",
    emits: &[Behaviour::InstallHook],
    payloads: false,
};

/// setuptools/distutils command classes a custom command overrides.
const COMMANDS: &[&str] = &[
    "install",
    "develop",
    "egg_info",
    "build",
    "build_py",
    "build_ext",
    "build_clib",
    "sdist",
    "bdist_wheel",
    "bdist_egg",
    "easy_install",
    "install_lib",
    "install_scripts",
    "install_data",
    "bdist",
    "editable_wheel",
];

const BENIGN_CALLS: &[&str] = &[
    "setup",
    "setuptools.setup",
    "distutils.core.setup",
    "find_packages",
    "setuptools.find_packages",
    "find_namespace_packages",
    "setuptools.find_namespace_packages",
    "open",
    "io.open",
    "codecs.open",
    "os.getcwd",
    "os.environ.get",
    "os.getenv",
    "os.listdir",
    "os.walk",
    "glob.glob",
    "pathlib.Path",
    "print",
    "sys.exit",
    "len",
    "str",
    "int",
    "float",
    "bool",
    "list",
    "dict",
    "tuple",
    "set",
    "sorted",
    "map",
    "filter",
    "zip",
    "enumerate",
    "range",
    "isinstance",
    "any",
    "all",
    "min",
    "max",
    "repr",
    "warnings.warn",
    "platform.system",
    "platform.python_version",
    "platform.machine",
    "platform.python_implementation",
    "setuptools.Extension",
    "distutils.extension.Extension",
    "distutils.core.Extension",
    "Extension",
    "Cython.Build.cythonize",
    "cythonize",
    "numpy.get_include",
    "pybind11.get_include",
    "pybind11.setup_helpers.Pybind11Extension",
    "Pybind11Extension",
    "os.environ.setdefault",
    "io.StringIO",
    "ast.literal_eval",
    "json.load",
    "json.loads",
    "sysconfig.get_config_var",
    "sysconfig.get_path",
    "tomllib.load",
    "tomli.load",
    "configparser.ConfigParser",
    "read",
    "get_version",
    "setuptools.command.build_ext.build_ext",
];
const BENIGN_METHODS: &[&str] = &[
    "read",
    "read_text",
    "readlines",
    "readline",
    "strip",
    "split",
    "splitlines",
    "join",
    "replace",
    "format",
    "decode",
    "encode",
    "lower",
    "upper",
    "startswith",
    "endswith",
    "get",
    "items",
    "keys",
    "values",
    "append",
    "extend",
    "insert",
    "group",
    "match",
    "search",
    "findall",
    "fullmatch",
    "sub",
    "update",
    "copy",
    "rstrip",
    "lstrip",
    "format_map",
    "exists",
    "is_file",
    "is_dir",
    "resolve",
    "absolute",
    "with_suffix",
    "glob",
    "rglob",
    "relative_to",
    "as_posix",
    "partition",
    "rpartition",
    "compile",
    "abspath",
    "dirname",
    "basename",
    "isfile",
    "isdir",
    "realpath",
    "splitext",
    "normpath",
    "expanduser",
    "getmtime",
    "pop",
    "setdefault",
    "count",
    "index",
    "title",
    "capitalize",
];

struct Calls<'a> {
    calls: Vec<&'a ExprCall>,
}

impl<'a> Visitor<'a> for Calls<'a> {
    fn visit_expr(&mut self, e: &'a Expr) {
        if let Expr::Call(c) = e {
            self.calls.push(c);
        }
        visitor::walk_expr(self, e);
    }

    fn visit_stmt(&mut self, s: &'a Stmt) {
        // Definitions do not run; their bodies are judged when called.
        if matches!(s, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            return;
        }
        visitor::walk_stmt(self, s);
    }
}

struct Judge<'p, 'a> {
    py: &'p PyFile<'a>,
    depth: u32,
}

impl<'a> Judge<'_, 'a> {
    fn call_benign(&self, c: &'a ExprCall) -> bool {
        let name = self.py.qualify(&c.func, 0, 0).unwrap_or_default();
        if BENIGN_CALLS.contains(&name.as_str())
            || name.starts_with("os.path.")
            || name.starts_with("re.")
            || name.starts_with("sys.path.")
        {
            return true;
        }
        let method = name.rsplit('.').next().unwrap_or(&name);
        if name.contains('.') && BENIGN_METHODS.contains(&method) {
            return true;
        }
        // A helper defined in this file: benign when its body is.
        if self.depth < 3
            && let Some(f) = self
                .py
                .scopes
                .iter()
                .filter_map(|s| s.def)
                .find(|d| d.name.as_str() == name)
        {
            let inner = Judge {
                py: self.py,
                depth: self.depth + 1,
            };
            return f.body.iter().all(|s| inner.stmt_benign(s));
        }
        false
    }

    fn calls_benign(&self, calls: &[&'a ExprCall]) -> bool {
        calls.iter().all(|c| self.call_benign(c))
    }

    fn stmt_benign(&self, s: &'a Stmt) -> bool {
        match s {
            Stmt::Import(_)
            | Stmt::ImportFrom(_)
            | Stmt::FunctionDef(_)
            | Stmt::ClassDef(_)
            | Stmt::Pass(_)
            | Stmt::Global(_)
            | Stmt::Nonlocal(_)
            | Stmt::Return(_)
            | Stmt::Raise(_)
            | Stmt::Assert(_)
            | Stmt::Delete(_)
            | Stmt::Break(_)
            | Stmt::Continue(_) => {
                let mut v = Calls { calls: Vec::new() };
                if !matches!(s, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                    v.visit_stmt(s);
                }
                self.calls_benign(&v.calls)
            }
            Stmt::Expr(_) | Stmt::Assign(_) | Stmt::AnnAssign(_) | Stmt::AugAssign(_) => {
                let mut v = Calls { calls: Vec::new() };
                v.visit_stmt(s);
                self.calls_benign(&v.calls)
            }
            Stmt::With(w) => {
                let mut v = Calls { calls: Vec::new() };
                for i in &w.items {
                    v.visit_expr(&i.context_expr);
                }
                self.calls_benign(&v.calls) && w.body.iter().all(|s| self.stmt_benign(s))
            }
            Stmt::If(i) => {
                let mut v = Calls { calls: Vec::new() };
                v.visit_expr(&i.test);
                self.calls_benign(&v.calls)
                    && i.body.iter().all(|s| self.stmt_benign(s))
                    && i.elif_else_clauses.iter().all(|c| {
                        let mut v = Calls { calls: Vec::new() };
                        if let Some(t) = &c.test {
                            v.visit_expr(t);
                        }
                        self.calls_benign(&v.calls) && c.body.iter().all(|s| self.stmt_benign(s))
                    })
            }
            Stmt::Try(t) => {
                t.body.iter().all(|s| self.stmt_benign(s))
                    && t.orelse.iter().all(|s| self.stmt_benign(s))
                    && t.finalbody.iter().all(|s| self.stmt_benign(s))
                    && t.handlers.iter().all(|h| match h {
                        ruff_python_ast::ExceptHandler::ExceptHandler(h) => {
                            h.body.iter().all(|s| self.stmt_benign(s))
                        }
                    })
            }
            Stmt::For(f) => {
                let mut v = Calls { calls: Vec::new() };
                v.visit_expr(&f.iter);
                self.calls_benign(&v.calls) && f.body.iter().all(|s| self.stmt_benign(s))
            }
            _ => false,
        }
    }
}

fn kind_of(s: &Stmt) -> &'static str {
    match s {
        Stmt::Expr(_) => "a call",
        Stmt::Assign(_) | Stmt::AnnAssign(_) | Stmt::AugAssign(_) => {
            "an assignment that calls code"
        }
        Stmt::If(_) => "a conditional block",
        Stmt::Try(_) => "a try block",
        Stmt::With(_) => "a with block",
        Stmt::For(_) | Stmt::While(_) => "a loop",
        _ => "a statement",
    }
}

/// Classes overriding a setuptools/distutils command, with the command they override.
fn command_classes<'a>(py: &PyFile<'a>) -> Vec<(&'a StmtClassDef, String)> {
    let mut out = Vec::new();
    for c in &py.classes {
        let Some(args) = &c.arguments else { continue };
        for base in &args.args {
            let q = py.qualify(base, 0, 0).unwrap_or_default();
            let last = q.rsplit('.').next().unwrap_or(&q).trim_start_matches('_');
            let from_setuptools = q.starts_with("setuptools.")
                || q.starts_with("distutils.")
                || q.starts_with("wheel.")
                || !q.contains('.');
            if COMMANDS.contains(&last) && from_setuptools {
                out.push((*c, last.to_owned()));
                break;
            }
        }
    }
    out
}

/// True for a statement that only calls the parent command (or is a docstring/pass).
#[allow(clippy::many_single_char_names)]
fn calls_parent(s: &Stmt) -> bool {
    match s {
        Stmt::Pass(_) => true,
        // `self.option = None` in initialize_options/finalize_options.
        Stmt::Assign(a) => {
            a.targets.iter().all(|t| matches!(t, Expr::Attribute(_)))
                && !matches!(&*a.value, Expr::Call(_))
        }
        Stmt::Expr(e) => match &*e.value {
            Expr::StringLiteral(_) => true,
            Expr::Call(c) => match &*c.func {
                Expr::Attribute(a) => {
                    let m = a.attr.as_str();
                    (m == "run"
                        || m == "__init__"
                        || m == "initialize_options"
                        || m == "finalize_options"
                        || m.starts_with("do_")
                        || m == "run_command")
                        && matches!(
                            &*a.value,
                            Expr::Name(_) | Expr::Call(_) | Expr::Attribute(_)
                        )
                }
                _ => false,
            },
            _ => false,
        },
        _ => false,
    }
}

impl Rule for InstallHook {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_member(&self, cx: &MemberCx<'_>, out: &mut Vec<Evidence>) {
        if cx.role != MemberRole::InstallTime || cx.layer > 0 {
            return;
        }
        let Some(py) = cx.python else { return };
        let mut r = Report::new(cx, &META, out);
        let file = cx.path().rsplit('/').next().unwrap_or(cx.path());
        if file != "setup.py" {
            r.add_snippet(
                Behaviour::InstallHook,
                Severity::Info,
                Confidence::Medium,
                "runs at install (a build backend or a module setup.py imports)",
                TextSize::default(),
                "",
            );
        }
        if !py.has_ast() {
            return;
        }
        if file == "setup.py" {
            let judge = Judge { py, depth: 0 };
            let mut n = 0;
            for s in py.body() {
                if judge.stmt_benign(s) {
                    continue;
                }
                n += 1;
                if n > 3 {
                    break;
                }
                r.add(
                    Behaviour::InstallHook,
                    Severity::Info,
                    Confidence::High,
                    format!("setup.py runs {} at install beyond setup()", kind_of(s)),
                    TextRange::new(
                        s.range().start(),
                        s.range().start()
                            + TextSize::from(
                                u32::try_from(
                                    py.slice(s.range()).lines().next().unwrap_or("").len(),
                                )
                                .unwrap_or(0),
                            ),
                    ),
                );
            }
        }
        for (class, cmd) in command_classes(py) {
            for s in &class.body {
                let Stmt::FunctionDef(f) = s else { continue };
                let method = f.name.as_str();
                if !matches!(
                    method,
                    "run" | "__init__" | "initialize_options" | "finalize_options"
                ) {
                    continue;
                }
                if let Some(extra) = f.body.iter().find(|s| !calls_parent(s)) {
                    let first_line = py.slice(extra.range()).lines().next().unwrap_or("");
                    r.add(
                        Behaviour::InstallHook,
                        if method == "run" || method == "__init__" { Severity::Low } else { Severity::Info },
                        Confidence::High,
                        format!(
                            "custom `{cmd}` command `{}` runs its own code in `{method}` at install",
                            class.name.as_str()
                        ),
                        TextRange::new(
                            extra.range().start(),
                            extra.range().start() + TextSize::from(u32::try_from(first_line.len()).unwrap_or(0)),
                        ),
                    );
                }
            }
        }
    }
}
