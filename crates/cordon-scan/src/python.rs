//! Python sources as the rules see them: parsed once with ruff (nothing is imported or run),
//! positions as 1-based line and column, and an index of the facts rules ask about:
//!
//! * imports and the names they bind (`from os import system as s` makes `s` mean
//!   `os.system`), and simple assignments per function scope;
//! * every call with its callee resolved to a dotted name (`subprocess.Popen`, `os.system`,
//!   `exec`, `socket.socket().connect`), through aliases, `__import__('os')`,
//!   `getattr(builtins, 'exec')` and `globals()['eval']`;
//! * string literals (bytes and f-strings too), with docstrings told apart;
//! * strings folded from obfuscated expressions by a small, bounded constant evaluator
//!   ([`PyFile::eval`]): `''.join(chr(c) for c in [...])`, `'...'[::-1]`, concatenations,
//!   `b64decode('...')`, `zlib.decompress(...)`, `bytes.fromhex(...)`, XOR comprehensions.
//!
//! Files that do not parse, are larger than [`MAX_AST_SOURCE`] or nest deeper than
//! [`MAX_NESTING`] get no AST: rules fall back to patterns over their text.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{
    self as ast, BoolOp, CmpOp, Expr, ExprCall, InterpolatedStringElement, ModModule, Number,
    Operator, Stmt, UnaryOp,
};
use ruff_python_parser::Parsed;
use ruff_source_file::LineIndex;
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::rules::codec::{self, Budget};

/// Sources larger than this are scanned as text only.
pub const MAX_AST_SOURCE: usize = 4 * 1024 * 1024;
/// Nesting (see [`nesting_estimate`]) above which the AST is built and walked on a thread with
/// a large stack.
pub const DEEP_NESTING: u32 = 150;
/// Nesting above which no AST is built at all.
pub const MAX_NESTING: u32 = 20_000;
/// Longest string the evaluator builds by repetition or joining (bytes).
const MAX_EVAL_STR: usize = 4 * 1024 * 1024;
/// How many names the evaluator follows through assignments.
const MAX_EVAL_DEPTH: u32 = 24;

/// Name bindings per (scope, name). Looked up for nearly every name the index resolves, so
/// hashed with foldhash (randomly seeded per process) rather than SipHash.
type Binds<'a> = HashMap<(u32, &'a str), Vec<(TextSize, Bind<'a>)>, foldhash::fast::RandomState>;

/// Why a Python member has no AST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoAst {
    TooLarge,
    TooDeep(u32),
    Syntax(String),
}

/// A lexical estimate of how deeply expressions nest, computed without parsing: open brackets
/// plus the length of operator chains (`a+b+c` nests two deep in the AST) at each bracket
/// level, with strings and comments skipped. An upper bound in practice; linear time.
pub fn nesting_estimate(src: &str) -> u32 {
    let b = src.as_bytes();
    let len = b.len();
    let mut i = 0;
    // Chain length per open bracket level; [0] is the statement level.
    let mut chains: Vec<u32> = vec![0];
    let mut total: u32 = 0;
    let mut max: u32 = 0;
    loop {
        // Names, numbers and blanks change nothing: skip them in a tight loop.
        while i < len && NESTING_CLASS[usize::from(b[i])] == 0 {
            i += 1;
        }
        if i >= len {
            break;
        }
        let c = b[i];
        match NESTING_CLASS[usize::from(c)] {
            HASH => {
                i = memchr::memchr(b'\n', &b[i..]).map_or(len, |p| i + p);
            }
            QUOTE => {
                let triple = i + 2 < len && b[i + 1] == c && b[i + 2] == c;
                i += if triple { 3 } else { 1 };
                while i < len {
                    let next = if triple {
                        memchr::memchr2(c, b'\\', &b[i..])
                    } else {
                        memchr::memchr3(c, b'\\', b'\n', &b[i..])
                    };
                    let Some(at) = next else {
                        i = len;
                        break;
                    };
                    i += at;
                    if b[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if !triple {
                        i += 1;
                        break;
                    }
                    if i + 2 < len && b[i + 1] == c && b[i + 2] == c {
                        i += 3;
                        break;
                    }
                    i += 1;
                }
            }
            OPEN => {
                chains.push(0);
                total = total.saturating_add(1);
                max = max.max(total);
                i += 1;
            }
            CLOSE => {
                if chains.len() > 1 {
                    let popped = chains.pop().unwrap_or(0);
                    total = total.saturating_sub(popped.saturating_add(1));
                }
                i += 1;
            }
            SEPARATOR => {
                if (c != b'\n' || chains.len() == 1)
                    && let Some(top) = chains.last_mut()
                {
                    total = total.saturating_sub(*top);
                    *top = 0;
                }
                i += 1;
            }
            _ => {
                if let Some(top) = chains.last_mut() {
                    *top = top.saturating_add(1);
                    total = total.saturating_add(1);
                    max = max.max(total);
                }
                i += 1;
            }
        }
    }
    max
}

/// Byte classes of [`nesting_estimate`]; 0 for bytes that change nothing.
const HASH: u8 = 1;
const QUOTE: u8 = 2;
const OPEN: u8 = 3;
const CLOSE: u8 = 4;
const SEPARATOR: u8 = 5;
const OPERATOR: u8 = 6;
static NESTING_CLASS: [u8; 256] = {
    let classes: [(&[u8], u8); 6] = [
        (b"#", HASH),
        (b"'\"", QUOTE),
        (b"([{", OPEN),
        (b")]}", CLOSE),
        (b",;:\n", SEPARATOR),
        (b"+-*/%@&|^~<>.", OPERATOR),
    ];
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < classes.len() {
        let (bytes, class) = classes[c];
        let mut k = 0;
        while k < bytes.len() {
            t[bytes[k] as usize] = class;
            k += 1;
        }
        c += 1;
    }
    t
};

/// Parses a module. The caller checks size and nesting first ([`nesting_estimate`]).
pub fn parse(src: &str) -> Result<Parsed<ModModule>, NoAst> {
    if src.len() > MAX_AST_SOURCE {
        return Err(NoAst::TooLarge);
    }
    ruff_python_parser::parse_module(src).map_err(|e| NoAst::Syntax(e.to_string()))
}

/// Fold steps that decode (as opposed to joining or slicing): a string built through one of
/// these was hidden on purpose.
pub const DECODING_STEPS: &[&str] = &[
    "xor", "base64", "base32", "base85", "ascii85", "hex", "zlib", "rot13",
];

/// What a string fact is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrKind {
    Literal,
    Bytes,
    /// The literal parts of an f-string, `{}` in place of each interpolation.
    FString,
    /// A string statement (docstring or string used as a comment): never executed.
    Docstring,
    /// Folded from an expression by the evaluator.
    Folded,
}

/// A string in the source.
#[derive(Debug, Clone)]
pub struct StrFact<'a> {
    pub value: Cow<'a, str>,
    pub range: TextRange,
    pub kind: StrKind,
    /// For folded strings: the transforms that produced it (`base64`, `chr`, `reverse`, ...).
    pub steps: Vec<&'static str>,
}

/// A call, its callee resolved.
#[derive(Debug, Clone)]
pub struct CallFact<'a> {
    pub call: &'a ExprCall,
    /// Dotted name: `os.system`, `exec`, `socket.socket().connect`, `?.send` (unknown receiver).
    pub name: String,
    /// Function scope (0: module level).
    pub scope: u32,
}

impl<'a> CallFact<'a> {
    pub fn range(&self) -> TextRange {
        self.call.range()
    }

    /// The last dotted component (`Popen` of `subprocess.Popen`).
    pub fn method(&self) -> &str {
        self.name.rsplit('.').next().unwrap_or(&self.name)
    }

    /// Positional arguments, then keyword values, leaving out the keywords named in `skip`.
    pub fn args_except<'s>(&'s self, skip: &'s [&str]) -> impl Iterator<Item = &'a Expr> + 's {
        let call: &'a ExprCall = self.call;
        call.arguments.args.iter().chain(
            call.arguments
                .keywords
                .iter()
                .filter(move |k| k.arg.as_ref().is_none_or(|a| !skip.contains(&a.as_str())))
                .map(|k| &k.value),
        )
    }

    /// Positional argument `i`.
    pub fn arg(&self, i: usize) -> Option<&Expr> {
        self.call.arguments.args.get(i)
    }

    /// Keyword argument `name`.
    pub fn kwarg(&self, name: &str) -> Option<&Expr> {
        self.call
            .arguments
            .keywords
            .iter()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == name))
            .map(|k| &k.value)
    }

    /// Positional argument `i`, or keyword `name`.
    pub fn arg_or(&self, i: usize, name: &str) -> Option<&Expr> {
        self.arg(i).or_else(|| self.kwarg(name))
    }
}

/// A function scope.
#[derive(Debug, Clone)]
pub struct ScopeFact<'a> {
    pub name: &'a str,
    pub range: TextRange,
    pub def: Option<&'a ast::StmtFunctionDef>,
    /// The class it is a method of, if any.
    pub class: Option<&'a str>,
}

/// An import statement's module (`os.path` for `import os.path`, `urllib.request` for
/// `from urllib.request import urlopen`).
#[derive(Debug, Clone)]
pub struct ImportFact {
    pub module: String,
    /// Names imported from it (`from m import a, b`); empty for `import m`.
    pub names: Vec<String>,
    pub range: TextRange,
    pub scope: u32,
}

#[derive(Debug, Clone, Copy)]
enum Bind<'a> {
    /// An import alias: the dotted path it names (index into `PyFile::modules`).
    Module(u32),
    Set(&'a Expr),
    AugAdd(&'a Expr),
    /// Augmented in a way the evaluator cannot follow (`s += c` in a loop, `x ^= k`).
    AugOther(&'a Expr),
    /// Assigned in a way the evaluator cannot follow (loop target, unpacking).
    Unknown,
}

impl Bind<'_> {
    fn is_aug(&self) -> bool {
        matches!(self, Bind::AugAdd(_) | Bind::AugOther(_))
    }

    /// The use at `at` sits inside this binding's own value (`x = f(x)`, `x += g(x)`): it reads
    /// the name as it was before, never this binding.
    fn encloses(&self, at: TextSize) -> bool {
        match self {
            Bind::Set(v) | Bind::AugAdd(v) | Bind::AugOther(v) => v.range().contains(at),
            Bind::Module(_) | Bind::Unknown => false,
        }
    }
}

/// A value the evaluator can build.
#[derive(Debug, Clone, PartialEq)]
pub enum Val<'a> {
    Str(Cow<'a, str>),
    Bytes(Cow<'a, [u8]>),
    Int(i128),
    List(Vec<Val<'a>>),
}

impl Val<'_> {
    /// As text: strings as they are, bytes when they are UTF-8.
    pub fn text(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            Val::Bytes(b) => std::str::from_utf8(b).ok(),
            _ => None,
        }
    }

    /// As bytes: bytes as they are, strings as UTF-8.
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Val::Str(s) => Some(s.as_bytes()),
            Val::Bytes(b) => Some(b),
            _ => None,
        }
    }

    fn len(&self) -> usize {
        match self {
            Val::Str(s) => s.len(),
            Val::Bytes(b) => b.len(),
            Val::Int(_) => 8,
            Val::List(l) => l.len(),
        }
    }
}

/// A folded value and how it was obtained.
#[derive(Debug, Clone)]
pub struct Folded<'a> {
    pub val: Val<'a>,
    pub steps: Vec<&'static str>,
}

/// One Python source with its (optional) AST and index.
pub struct PyFile<'a> {
    /// The text rules scan (for a `.pth`, only its executable lines; other lines blanked).
    pub source: &'a str,
    pub parsed: Option<&'a Parsed<ModModule>>,
    pub failure: Option<NoAst>,
    pub imports: Vec<ImportFact>,
    pub calls: Vec<CallFact<'a>>,
    pub strings: Vec<StrFact<'a>>,
    pub scopes: Vec<ScopeFact<'a>>,
    pub classes: Vec<&'a ast::StmtClassDef>,
    /// Ranges of arguments of `exec`-like calls (their folding is left to the payload rules).
    pub sink_args: Vec<TextRange>,
    binds: Binds<'a>,
    star_imports: Vec<(u32, String)>,
    modules: Vec<String>,
    budget: &'a Budget,
    /// Active frames of the mutually recursive resolvers (qualify, eval, partial, find).
    active: Cell<u32>,
    /// Decoding steps met by the current [`PyFile::eval_partial_steps`].
    partial_steps: RefCell<Vec<&'static str>>,
}

/// Most resolver frames active at once: names bound to each other (`a, b = b, a`) or chains
/// of `getattr`/`__import__` must not exhaust the stack.
const MAX_ACTIVE: u32 = 120;

/// Leaves a resolver frame when dropped.
struct Frame<'c>(&'c Cell<u32>);

impl Drop for Frame<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
}

/// Calls whose first argument is executed as code (after resolution).
pub const EXEC_SINKS: &[&str] = &[
    "exec",
    "eval",
    "execfile",
    "compile",
    "marshal.loads",
    "pickle.loads",
    "cPickle.loads",
    "_pickle.loads",
    "dill.loads",
    "types.FunctionType",
    "runpy.run_path",
    "code.InteractiveInterpreter().runsource",
];

/// Names `from M import *` makes available, for the modules rules care about.
const STAR_EXPORTS: &[(&str, &[&str])] = &[
    (
        "os",
        &[
            "system",
            "popen",
            "execv",
            "execve",
            "execl",
            "execvp",
            "spawnv",
            "spawnl",
            "startfile",
            "environ",
            "getenv",
            "getlogin",
            "chmod",
            "dup2",
            "remove",
            "path",
            "name",
            "getcwd",
            "listdir",
            "walk",
            "makedirs",
            "mkdir",
            "uname",
        ],
    ),
    (
        "subprocess",
        &[
            "Popen",
            "run",
            "call",
            "check_call",
            "check_output",
            "getoutput",
            "getstatusoutput",
            "PIPE",
            "DEVNULL",
            "STARTUPINFO",
            "CREATE_NO_WINDOW",
            "DETACHED_PROCESS",
        ],
    ),
    (
        "base64",
        &[
            "b64decode",
            "b32decode",
            "b16decode",
            "b85decode",
            "a85decode",
            "urlsafe_b64decode",
            "decodebytes",
            "standard_b64decode",
            "b64encode",
        ],
    ),
    (
        "socket",
        &[
            "socket",
            "create_connection",
            "gethostname",
            "AF_INET",
            "SOCK_STREAM",
        ],
    ),
    (
        "urllib.request",
        &["urlopen", "urlretrieve", "Request", "build_opener"],
    ),
    ("ctypes", &["windll", "cdll", "CDLL", "WinDLL"]),
    ("zlib", &["decompress", "compress"]),
    ("marshal", &["loads", "dumps"]),
    ("requests", &["get", "post", "put", "request", "Session"]),
    ("json", &["loads", "dumps", "load", "dump"]),
    ("pty", &["spawn"]),
    ("codecs", &["decode", "encode"]),
    ("binascii", &["unhexlify", "a2b_base64", "a2b_hex"]),
];

impl<'a> PyFile<'a> {
    /// A file without AST (text rules only).
    pub fn without_ast(source: &'a str, failure: NoAst, budget: &'a Budget) -> Self {
        Self {
            source,
            parsed: None,
            failure: Some(failure),
            imports: Vec::new(),
            calls: Vec::new(),
            strings: Vec::new(),
            scopes: Vec::new(),
            classes: Vec::new(),
            sink_args: Vec::new(),
            binds: Binds::default(),
            star_imports: Vec::new(),
            modules: Vec::new(),
            budget,
            active: Cell::new(0),
            partial_steps: RefCell::new(Vec::new()),
        }
    }

    /// Indexes a parsed module. `budget` bounds the folding of obfuscated strings.
    pub fn new(source: &'a str, parsed: &'a Parsed<ModModule>, budget: &'a Budget) -> Self {
        let mut b = Builder {
            scope: 0,
            loop_depth: 0,
            scopes: vec![ScopeFact {
                name: "<module>",
                range: parsed.syntax().range,
                def: None,
                class: None,
            }],
            class_stack: Vec::new(),
            classes: Vec::new(),
            imports: Vec::new(),
            binds: Binds::default(),
            star_imports: Vec::new(),
            modules: Vec::new(),
            raw_calls: Vec::new(),
            strings: Vec::new(),
            candidates: Vec::new(),
        };
        b.visit_body(&parsed.syntax().body);
        let Builder {
            scopes,
            classes,
            imports,
            binds,
            star_imports,
            modules,
            raw_calls,
            strings,
            candidates,
            ..
        } = b;
        let mut file = Self {
            source,
            parsed: Some(parsed),
            failure: None,
            imports,
            calls: Vec::with_capacity(raw_calls.len()),
            strings,
            scopes,
            classes,
            sink_args: Vec::new(),
            binds,
            star_imports,
            modules,
            budget,
            active: Cell::new(0),
            partial_steps: RefCell::new(Vec::new()),
        };
        let calls: Vec<CallFact<'a>> = raw_calls
            .into_iter()
            .map(|(call, scope)| {
                let name =
                    file.qualify(&call.func, scope, 0)
                        .unwrap_or_else(|| match &*call.func {
                            Expr::Attribute(a) => format!("?.{}", a.attr.as_str()),
                            _ => "?".to_owned(),
                        });
                CallFact { call, name, scope }
            })
            .collect();
        file.calls = calls;
        file.sink_args = file
            .calls
            .iter()
            .filter(|c| EXEC_SINKS.contains(&c.name.as_str()))
            .filter_map(|c| c.arg(0).map(Ranged::range))
            .collect();
        // Fold candidates outermost first; a folded expression covers its children.
        let mut covered: Option<TextRange> = None;
        let mut folded = Vec::new();
        // Operator chains share their start: once the outermost failed, the inner ones would.
        let mut failed_chains: HashSet<TextSize> = HashSet::new();
        for (expr, scope, call) in candidates {
            let r = expr.range();
            if covered.is_some_and(|c| c.contains_range(r)) {
                continue;
            }
            if matches!(expr, Expr::BinOp(_)) && !failed_chains.insert(r.start()) {
                continue;
            }
            if file.sink_args.iter().any(|s| s.contains_range(r)) {
                continue;
            }
            let call_name = call
                .and_then(|i| file.calls.get(i))
                .map(|c| c.name.as_str());
            if !file.is_fold_head(expr, scope, call_name) {
                continue;
            }
            if let Some(f) = file.eval(expr, scope)
                && let Some(text) = f.val.text()
                && !text.is_empty()
                && !f.steps.is_empty()
            {
                folded.push(StrFact {
                    value: Cow::Owned(text.to_owned()),
                    range: r,
                    kind: StrKind::Folded,
                    steps: f.steps,
                });
                covered = Some(r);
                continue;
            }
            if matches!(expr, Expr::FString(_) | Expr::BinOp(_) | Expr::Call(_))
                && let Some((p, inner)) = file.eval_partial_steps(expr, scope)
            {
                folded.push(StrFact {
                    value: Cow::Owned(p),
                    range: r,
                    kind: StrKind::Folded,
                    steps: std::iter::once("join").chain(inner).collect(),
                });
                covered = Some(r);
            }
        }
        file.strings.extend(folded);
        file
    }

    /// Enters a resolver frame; `None` when too many are active.
    fn enter(&self) -> Option<Frame<'_>> {
        let n = self.active.get();
        if n >= MAX_ACTIVE {
            return None;
        }
        self.active.set(n + 1);
        Some(Frame(&self.active))
    }

    /// True when the file has an AST.
    pub fn has_ast(&self) -> bool {
        self.parsed.is_some()
    }

    /// The module body (empty without AST).
    pub fn body(&self) -> &'a [Stmt] {
        self.parsed.map_or(&[], |p| &p.syntax().body)
    }

    /// The source text of `range`.
    pub fn slice(&self, range: TextRange) -> &'a str {
        self.source
            .get(range.start().to_usize()..range.end().to_usize())
            .unwrap_or("")
    }

    /// Calls named `name` (exact dotted name).
    pub fn calls_named<'s>(&'s self, names: &'s [&str]) -> impl Iterator<Item = &'s CallFact<'a>> {
        self.calls
            .iter()
            .filter(move |c| names.contains(&c.name.as_str()))
    }

    /// Strings that are part of executed code (no docstrings).
    pub fn code_strings(&self) -> impl Iterator<Item = &StrFact<'a>> {
        self.strings.iter().filter(|s| s.kind != StrKind::Docstring)
    }

    /// The scope (function index) containing `offset`: the innermost function whose range
    /// contains it.
    pub fn scope_at(&self, offset: TextSize) -> u32 {
        let mut best = 0u32;
        let mut best_len = u32::MAX;
        for (i, s) in self.scopes.iter().enumerate().skip(1) {
            if s.range.contains_inclusive(offset) && s.range.len().to_u32() < best_len {
                best_len = s.range.len().to_u32();
                best = u32::try_from(i).unwrap_or(0);
            }
        }
        best
    }

    fn lookup(
        &self,
        scope: u32,
        name: &str,
        at: TextSize,
    ) -> Option<(u32, Bind<'a>, Vec<Bind<'a>>)> {
        for s in [scope, 0] {
            let Some(list) = self.binds.get(&(s, name)) else {
                if s == 0 {
                    break;
                }
                continue;
            };
            // In the own scope: the last binding before the use (else the first one); from a
            // function reading a module global: the last one.
            let base = |b: &Bind<'_>| !b.is_aug() && !b.encloses(at);
            let idx = if s == scope {
                list.iter()
                    .rposition(|(p, b)| *p < at && base(b))
                    .or_else(|| list.iter().position(|(_, b)| base(b)))
            } else {
                list.iter().rposition(|(_, b)| base(b))
            }?;
            let (pos, bind) = list[idx];
            let limit = if s == scope {
                at
            } else {
                TextSize::from(u32::MAX)
            };
            let augs: Vec<Bind<'a>> = list[idx + 1..]
                .iter()
                .filter(|(p, b)| *p < limit && *p > pos && b.is_aug() && !b.encloses(at))
                .map(|(_, b)| *b)
                .collect();
            return Some((s, bind, augs));
        }
        None
    }

    /// The dotted name an expression stands for, when it names a module, a function, or the
    /// result of calling one (`socket.socket()`).
    #[allow(clippy::many_single_char_names)]
    pub fn qualify(&self, e: &Expr, scope: u32, depth: u32) -> Option<String> {
        if depth > 12 {
            return None;
        }
        let _frame = self.enter()?;
        let mut q = match e {
            Expr::Name(n) => {
                let id = n.id.as_str();
                match self.lookup(scope, id, n.range.start()) {
                    Some((_, Bind::Module(m), _)) => self.modules.get(m as usize).cloned(),
                    Some((s, Bind::Set(v), augs)) if augs.is_empty() => match v {
                        Expr::Name(_) | Expr::Attribute(_) | Expr::Call(_) | Expr::Subscript(_) => {
                            self.qualify(v, s, depth + 1)
                        }
                        _ => None,
                    },
                    Some(_) => None,
                    None => Some(
                        self.star_imports
                            .iter()
                            .find_map(|(_, m)| {
                                STAR_EXPORTS
                                    .iter()
                                    .find(|(sm, names)| sm == m && names.contains(&id))
                                    .map(|(sm, _)| format!("{sm}.{id}"))
                            })
                            .unwrap_or_else(|| id.to_owned()),
                    ),
                }
            }
            Expr::Attribute(a) => {
                let mut base = self.qualify(&a.value, scope, depth + 1)?;
                base.push('.');
                base.push_str(a.attr.as_str());
                Some(base)
            }
            Expr::Call(c) => {
                let f = self.qualify(&c.func, scope, depth + 1)?;
                match normalize(&f) {
                    "__import__" | "importlib.import_module" => {
                        let m = self.eval_at(c.arguments.args.first()?, scope, depth + 1)?;
                        let m = m.val.text()?.to_owned();
                        Some(m)
                    }
                    "getattr" => {
                        let obj = c.arguments.args.first()?;
                        let name = self.eval_at(c.arguments.args.get(1)?, scope, depth + 1)?;
                        let name = name.val.text()?.to_owned();
                        let base = self.qualify(obj, scope, depth + 1)?;
                        Some(format!("{base}.{name}"))
                    }
                    "globals" | "locals" | "vars" => Some("__builtins__".to_owned()),
                    // `f = eval("o" + "s.sys" + "tem")` names `os.system`.
                    "eval" => {
                        let v = self.eval_at(c.arguments.args.first()?, scope, depth + 1)?;
                        let t = v.val.text()?;
                        (!t.is_empty()
                            && t.len() < 100
                            && t.chars()
                                .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '.'))
                        .then(|| t.to_owned())
                    }
                    _ => Some(format!("{f}()")),
                }
            }
            Expr::Subscript(s) => {
                // `globals()['eval']`, `vars(__builtins__)['exec']`, `builtins.__dict__['exec']`.
                let base = self.qualify(&s.value, scope, depth + 1)?;
                let key = self.eval_at(&s.slice, scope, depth + 1)?;
                let key = key.val.text()?.to_owned();
                let base = base.strip_suffix(".__dict__").unwrap_or(&base);
                Some(format!("{base}.{key}"))
            }
            _ => None,
        }?;
        q.drain(..q.len() - normalize(&q).len());
        Some(q)
    }

    /// Is `expr` worth folding (a transform the evaluator knows at its head)? `call_name`: the
    /// name a call already resolved to, when `expr` is one of [`PyFile::calls`].
    fn is_fold_head(&self, expr: &Expr, scope: u32, call_name: Option<&str>) -> bool {
        match expr {
            Expr::BinOp(b) => matches!(b.op, Operator::Add | Operator::Mult),
            Expr::FString(f) => f
                .value
                .elements()
                .any(|e| matches!(e, InterpolatedStringElement::Interpolation(_))),
            Expr::Subscript(s) => matches!(&*s.slice, Expr::Slice(_)),
            Expr::Call(c) => {
                if let Expr::Attribute(a) = &*c.func
                    && FOLD_METHODS.contains(&a.attr.as_str())
                {
                    return true;
                }
                let folds = |n: &str| FOLD_FUNCS.contains(&n) || decoder(n).is_some();
                match call_name {
                    Some(n) => folds(n),
                    None => self.qualify(&c.func, scope, 0).is_some_and(|n| folds(&n)),
                }
            }
            _ => false,
        }
    }

    /// Folds `e` to a constant, when the evaluator can.
    pub fn eval(&self, e: &'a Expr, scope: u32) -> Option<Folded<'a>> {
        self.eval_at(e, scope, 0)
    }

    fn eval_at(&self, e: &'a Expr, scope: u32, depth: u32) -> Option<Folded<'a>> {
        let mut ev = Eval {
            py: self,
            steps: Vec::new(),
            env: Vec::new(),
        };
        let val = ev.eval(e, scope, depth)?;
        Some(Folded {
            val,
            steps: ev.steps,
        })
    }

    /// A string with every part the evaluator cannot fold replaced by `*`, for matching paths
    /// and URLs built at run time: `os.path.join(os.getenv('APPDATA'), 'discord')` gives
    /// `%APPDATA%/discord`. `None` when no part is known.
    pub fn eval_partial(&self, e: &'a Expr, scope: u32) -> Option<String> {
        self.eval_partial_steps(e, scope).map(|(s, _)| s)
    }

    /// [`PyFile::eval_partial`] with the decoding steps met on the way.
    pub fn eval_partial_steps(
        &self,
        e: &'a Expr,
        scope: u32,
    ) -> Option<(String, Vec<&'static str>)> {
        self.partial_steps.borrow_mut().clear();
        let s = self.eval_partial_inner(e, scope)?;
        Some((s, std::mem::take(&mut *self.partial_steps.borrow_mut())))
    }

    fn eval_partial_inner(&self, e: &'a Expr, scope: u32) -> Option<String> {
        let mut out = String::new();
        let mut known = false;
        self.partial(e, scope, 0, &mut out, &mut known);
        (known && out.len() <= 64 * 1024).then_some(out)
    }

    /// Folds `e` to text for [`PyFile::partial`], remembering the decoding steps.
    fn text_of(&self, e: &'a Expr, scope: u32, depth: u32) -> Option<String> {
        let f = self.eval_at(e, scope, depth)?;
        let t = f.val.text()?.to_owned();
        let mut steps = self.partial_steps.borrow_mut();
        for st in f.steps {
            if !steps.contains(&st) {
                steps.push(st);
            }
        }
        Some(t)
    }

    fn partial(&self, e: &'a Expr, scope: u32, depth: u32, out: &mut String, known: &mut bool) {
        let frame = self.enter();
        if frame.is_none() || depth > MAX_EVAL_DEPTH || out.len() > 64 * 1024 || !self.budget.burn()
        {
            out.push('*');
            return;
        }
        match e {
            Expr::StringLiteral(s) => {
                out.push_str(s.value.to_str());
                *known = true;
            }
            Expr::FString(f) => {
                for el in f.value.elements() {
                    match el {
                        InterpolatedStringElement::Literal(l) => {
                            out.push_str(&l.value);
                            *known = true;
                        }
                        InterpolatedStringElement::Interpolation(i) => {
                            self.partial(&i.expression, scope, depth + 1, out, known);
                        }
                    }
                }
            }
            Expr::BinOp(b) if b.op == Operator::Add => {
                let mut operands = vec![&*b.right];
                let mut left = &*b.left;
                while let Expr::BinOp(inner) = left {
                    if inner.op != Operator::Add {
                        break;
                    }
                    operands.push(&inner.right);
                    left = &inner.left;
                }
                self.partial(left, scope, depth + 1, out, known);
                for r in operands.into_iter().rev() {
                    self.partial(r, scope, depth + 1, out, known);
                }
            }
            Expr::BinOp(b) if b.op == Operator::Div => {
                // pathlib: `Path.home() / '.ssh'`.
                self.partial(&b.left, scope, depth + 1, out, known);
                out.push('/');
                self.partial(&b.right, scope, depth + 1, out, known);
            }
            Expr::Name(n) => match self.lookup(scope, n.id.as_str(), n.range.start()) {
                Some((s, Bind::Set(v), augs)) if augs.is_empty() => {
                    self.partial(v, s, depth + 1, out, known);
                }
                _ => out.push('*'),
            },
            Expr::Call(c) => {
                let name = self.qualify(&c.func, scope, 0).unwrap_or_default();
                let args = &c.arguments.args;
                match name.as_str() {
                    "os.path.join"
                    | "posixpath.join"
                    | "ntpath.join"
                    | "pathlib.Path"
                    | "pathlib.PurePath"
                    | "pathlib.Path().joinpath"
                    | "?.joinpath" => {
                        for (i, a) in args.iter().enumerate() {
                            if i > 0 {
                                out.push('/');
                            }
                            self.partial(a, scope, depth + 1, out, known);
                        }
                    }
                    "os.getenv" | "os.environ.get" | "os.getenvb" => {
                        if let Some(v) =
                            args.first().and_then(|a| self.eval_at(a, scope, depth + 1))
                            && let Some(t) = v.val.text()
                        {
                            out.push('%');
                            out.push_str(t);
                            out.push('%');
                            *known = true;
                            return;
                        }
                        out.push('*');
                    }
                    "os.path.expanduser"
                    | "os.path.expandvars"
                    | "os.path.abspath"
                    | "os.path.normpath"
                    | "os.path.realpath"
                    | "str"
                    | "pathlib.Path().expanduser" => match args.first() {
                        Some(a) => self.partial(a, scope, depth + 1, out, known),
                        None => out.push('*'),
                    },
                    "pathlib.Path.home" | "pathlib.Path.cwd" => {
                        out.push('~');
                        *known = true;
                    }
                    "tempfile.gettempdir" | "tempfile.mkdtemp" => {
                        out.push_str("%TEMP%");
                        *known = true;
                    }
                    _ => match self.text_of(e, scope, depth + 1) {
                        Some(t) => {
                            out.push_str(&t);
                            *known = true;
                        }
                        None => out.push('*'),
                    },
                }
            }
            Expr::Subscript(s) => {
                // `os.environ['APPDATA']`
                if self
                    .qualify(&s.value, scope, 0)
                    .is_some_and(|q| q == "os.environ")
                    && let Some(t) = self
                        .eval_at(&s.slice, scope, depth + 1)
                        .and_then(|f| f.val.text().map(str::to_owned))
                {
                    out.push('%');
                    out.push_str(&t);
                    out.push('%');
                    *known = true;
                    return;
                }
                match self.text_of(e, scope, depth + 1) {
                    Some(t) => {
                        out.push_str(&t);
                        *known = true;
                    }
                    None => out.push('*'),
                }
            }
            _ => match self.text_of(e, scope, depth + 1) {
                Some(t) => {
                    out.push_str(&t);
                    *known = true;
                }
                None => out.push('*'),
            },
        }
    }

    /// Does `e` (following names through assignments, a few levels) contain a call for which
    /// `pred` holds? Returns that call's resolved name.
    pub fn find_call_in(
        &self,
        e: &'a Expr,
        scope: u32,
        pred: &dyn Fn(&str, &ExprCall) -> bool,
    ) -> Option<String> {
        let mut seen = HashSet::new();
        self.find_call_rec(e, scope, pred, 0, &mut seen)
    }

    fn find_call_rec(
        &self,
        e: &'a Expr,
        scope: u32,
        pred: &dyn Fn(&str, &ExprCall) -> bool,
        depth: u32,
        seen: &mut HashSet<TextSize>,
    ) -> Option<String> {
        if depth > 6 || !self.budget.burn() {
            return None;
        }
        let _frame = self.enter()?;
        let mut finder = CallFinder {
            py: self,
            scope,
            pred,
            found: None,
            names: Vec::new(),
            callees: Vec::new(),
        };
        finder.visit_expr(e);
        if finder.found.is_some() {
            return finder.found;
        }
        for (s, def) in std::mem::take(&mut finder.callees) {
            if !seen.insert(def.range.start()) {
                continue;
            }
            let mut inner = CallFinder {
                py: self,
                scope: s,
                pred,
                found: None,
                names: Vec::new(),
                callees: Vec::new(),
            };
            inner.visit_body(&def.body);
            if inner.found.is_some() {
                return inner.found;
            }
        }
        for (name, at) in finder.names {
            if let Some((s, bind, augs)) = self.lookup(scope, name, at) {
                let mut exprs: Vec<&'a Expr> = augs
                    .into_iter()
                    .filter_map(|b| match b {
                        Bind::AugAdd(e) | Bind::AugOther(e) => Some(e),
                        _ => None,
                    })
                    .collect();
                if let Bind::Set(v) = bind {
                    exprs.push(v);
                }
                for v in exprs {
                    if seen.insert(v.range().start())
                        && let Some(f) = self.find_call_rec(v, s, pred, depth + 1, seen)
                    {
                        return Some(f);
                    }
                }
            }
        }
        None
    }

    /// The expression last assigned to `name` before `at` (own scope, then module scope).
    pub fn binding(&self, scope: u32, name: &str, at: TextSize) -> Option<(u32, &'a Expr)> {
        match self.lookup(scope, name, at)? {
            (s, Bind::Set(v), _) => Some((s, v)),
            _ => None,
        }
    }

    /// A module-level or nested function (not a method) named `name`, with its scope.
    pub fn local_function(&self, name: &str) -> Option<(u32, &'a ast::StmtFunctionDef)> {
        self.scopes.iter().enumerate().find_map(|(i, s)| {
            let d = s.def?;
            (s.class.is_none() && d.name.as_str() == name)
                .then(|| (u32::try_from(i).unwrap_or(0), d))
        })
    }

    /// The expression a local function or lambda bound to `name` returns, with the scope to
    /// read it in and its parameter names.
    fn callee_body(
        &self,
        name: &str,
        scope: u32,
        at: TextSize,
    ) -> Option<(u32, &'a Expr, Vec<&'a str>)> {
        let params = |p: &'a ast::Parameters| -> Vec<&'a str> {
            p.posonlyargs
                .iter()
                .chain(p.args.iter())
                .map(|a| a.parameter.name.as_str())
                .collect()
        };
        if let Some((s, Bind::Set(Expr::Lambda(l)), augs)) = self.lookup(scope, name, at)
            && augs.is_empty()
        {
            let ps = l.parameters.as_deref().map(params).unwrap_or_default();
            return Some((s, &l.body, ps));
        }
        let (s, def) = self.local_function(name)?;
        let ret = def.body.iter().rev().find_map(|st| match st {
            Stmt::Return(r) => r.value.as_deref(),
            _ => None,
        })?;
        Some((s, ret, params(&def.parameters)))
    }

    /// The class named `name`, if the file defines one.
    pub fn class_named(&self, name: &str) -> Option<&'a ast::StmtClassDef> {
        self.classes
            .iter()
            .copied()
            .find(|c| c.name.as_str() == name)
    }

    /// True when the file imports `module` (or a submodule of it) anywhere.
    pub fn imports_module(&self, module: &str) -> bool {
        self.imports.iter().any(|i| {
            i.module == module
                || i.module
                    .strip_prefix(module)
                    .is_some_and(|r| r.starts_with('.'))
        })
    }
}

/// Strips `builtins.` and friends: `builtins.exec` → `exec`.
fn normalize(q: &str) -> &str {
    for p in [
        "builtins.",
        "__builtins__.",
        "__builtin__.",
        "__main__.__builtins__.",
    ] {
        if let Some(rest) = q.strip_prefix(p) {
            return rest;
        }
    }
    q
}

/// Functions the evaluator can apply.
const FOLD_FUNCS: &[&str] = &[
    "chr",
    "bytes",
    "bytearray",
    "str",
    "reversed",
    "bytes.fromhex",
    "bytearray.fromhex",
    "codecs.decode",
    "codecs.encode",
    "map",
];
/// Methods the evaluator can apply.
const FOLD_METHODS: &[&str] = &[
    "join",
    "decode",
    "encode",
    "replace",
    "fromhex",
    "translate",
];

/// The decoder a dotted name stands for.
fn decoder(name: &str) -> Option<&'static str> {
    Some(match name {
        "base64.b64decode"
        | "base64.standard_b64decode"
        | "base64.decodebytes"
        | "base64.decodestring"
        | "binascii.a2b_base64" => "base64",
        "base64.urlsafe_b64decode" => "base64url",
        "base64.b32decode" => "base32",
        "base64.b85decode" => "base85",
        "base64.a85decode" => "ascii85",
        "base64.b16decode" | "binascii.unhexlify" | "binascii.a2b_hex" | "bytes.fromhex"
        | "bytearray.fromhex" => "hex",
        "zlib.decompress" | "gzip.decompress" => "zlib",
        _ => return None,
    })
}

/// Applies a named codec (`codecs.decode(x, name)`, `x.decode(name)`) to `v`.
fn apply_codec<'a>(
    v: Val<'a>,
    enc: &str,
    budget: &Budget,
    steps: &mut Vec<&'static str>,
) -> Option<Val<'a>> {
    let enc = enc.to_ascii_lowercase().replace('-', "_");
    let bytes_of = |v: &Val<'a>| v.bytes().map(<[u8]>::to_vec);
    Some(match enc.as_str() {
        "rot13" | "rot_13" => {
            steps.push("rot13");
            Val::Str(Cow::Owned(codec::rot13(v.text()?)))
        }
        "hex" | "hex_codec" => {
            steps.push("hex");
            Val::Bytes(Cow::Owned(codec::hex(&bytes_of(&v)?, budget)?))
        }
        "base64" | "base_64" | "base64_codec" => {
            steps.push("base64");
            Val::Bytes(Cow::Owned(codec::base64(&bytes_of(&v)?, false, budget)?))
        }
        "zlib" | "zip" | "zlib_codec" => {
            steps.push("zlib");
            Val::Bytes(Cow::Owned(codec::inflate(&bytes_of(&v)?, budget)?))
        }
        "utf_8" | "utf8" | "ascii" | "latin_1" | "latin1" | "iso_8859_1" | "" => match v {
            Val::Bytes(b) => Val::Str(Cow::Owned(String::from_utf8_lossy(&b).into_owned())),
            Val::Str(s) => Val::Bytes(Cow::Owned(s.as_bytes().to_vec())),
            _ => return None,
        },
        "utf_16" | "utf_16_le" | "utf_16le" => Val::Str(Cow::Owned(codec::utf16le(v.bytes()?)?)),
        _ => return None,
    })
}

struct Eval<'p, 'a> {
    py: &'p PyFile<'a>,
    steps: Vec<&'static str>,
    /// Comprehension variables.
    env: Vec<(&'a str, Val<'a>)>,
}

impl<'a> Eval<'_, 'a> {
    fn step(&mut self, s: &'static str) {
        if !self.steps.contains(&s) {
            self.steps.push(s);
        }
    }

    fn owned_str(&self, s: String) -> Option<Val<'a>> {
        (s.len() <= MAX_EVAL_STR && self.py.budget.take(s.len())).then_some(Val::Str(Cow::Owned(s)))
    }

    fn owned_bytes(&self, b: Vec<u8>) -> Option<Val<'a>> {
        (b.len() <= MAX_EVAL_STR && self.py.budget.take(b.len()))
            .then_some(Val::Bytes(Cow::Owned(b)))
    }

    #[allow(clippy::too_many_lines, clippy::many_single_char_names)]
    fn eval(&mut self, e: &'a Expr, scope: u32, depth: u32) -> Option<Val<'a>> {
        if depth > MAX_EVAL_DEPTH * 8 || !self.py.budget.burn() {
            return None;
        }
        let _frame = self.py.enter()?;
        match e {
            Expr::StringLiteral(s) => Some(Val::Str(Cow::Borrowed(s.value.to_str()))),
            Expr::BytesLiteral(b) => {
                let parts = b.value.as_slice();
                if parts.len() == 1 {
                    Some(Val::Bytes(Cow::Borrowed(&parts[0].value)))
                } else {
                    let v: Vec<u8> = parts.iter().flat_map(|p| p.value.iter().copied()).collect();
                    self.owned_bytes(v)
                }
            }
            Expr::NumberLiteral(n) => match &n.value {
                Number::Int(i) => i.as_i64().map(|v| Val::Int(i128::from(v))),
                _ => None,
            },
            Expr::BooleanLiteral(b) => Some(Val::Int(i128::from(b.value))),
            Expr::UnaryOp(u) => match (u.op, self.eval(&u.operand, scope, depth + 1)?) {
                (UnaryOp::USub, Val::Int(i)) => Some(Val::Int(i.checked_neg()?)),
                (UnaryOp::UAdd, Val::Int(i)) => Some(Val::Int(i)),
                (UnaryOp::Invert, Val::Int(i)) => Some(Val::Int(!i)),
                _ => None,
            },
            Expr::List(l) => self.eval_seq(&l.elts, scope, depth),
            Expr::Tuple(t) => self.eval_seq(&t.elts, scope, depth),
            Expr::FString(f) => {
                let mut out = String::new();
                for el in f.value.elements() {
                    match el {
                        InterpolatedStringElement::Literal(l) => out.push_str(&l.value),
                        InterpolatedStringElement::Interpolation(i) => {
                            match self.eval(&i.expression, scope, depth + 1)? {
                                Val::Str(s) => out.push_str(&s),
                                Val::Int(n) => out.push_str(&n.to_string()),
                                _ => return None,
                            }
                        }
                    }
                    if out.len() > MAX_EVAL_STR {
                        return None;
                    }
                }
                self.owned_str(out)
            }
            Expr::BinOp(b) => {
                // Flatten a left-leaning chain of one operator (`a + b + c + ...`, thousands of
                // terms in obfuscated code) so its depth costs no recursion.
                let mut operands = vec![&*b.right];
                let mut left = &*b.left;
                while let Expr::BinOp(inner) = left {
                    if inner.op != b.op {
                        break;
                    }
                    operands.push(&inner.right);
                    left = &inner.left;
                }
                let mut acc = self.eval(left, scope, depth + 1)?;
                for r in operands.into_iter().rev() {
                    let r = self.eval(r, scope, depth + 1)?;
                    acc = self.binop(b.op, acc, r)?;
                }
                Some(acc)
            }
            Expr::Subscript(s) => {
                let v = self.eval(&s.value, scope, depth + 1)?;
                self.subscript(v, &s.slice, scope, depth)
            }
            Expr::Name(n) => {
                let id = n.id.as_str();
                if let Some((_, v)) = self.env.iter().rev().find(|(k, _)| *k == id) {
                    return Some(v.clone());
                }
                let (s, bind, augs) = self.py.lookup(scope, id, n.range.start())?;
                let Bind::Set(v) = bind else { return None };
                if depth > MAX_EVAL_DEPTH * 4 {
                    return None;
                }
                let mut val = self.eval(v, s, depth + 4)?;
                for a in augs {
                    let Bind::AugAdd(a) = a else { return None };
                    let r = self.eval(a, s, depth + 4)?;
                    val = self.binop(Operator::Add, val, r)?;
                }
                Some(val)
            }
            Expr::Call(c) => self.call(c, scope, depth),
            Expr::ListComp(l) => self.comprehension(&l.elt, &l.generators, scope, depth),
            Expr::Generator(g) => self.comprehension(&g.elt, &g.generators, scope, depth),
            Expr::If(i) => {
                // `a if cond else b` with a constant condition.
                let t = self.eval(&i.test, scope, depth + 1)?;
                if matches!(t, Val::Int(0)) {
                    self.eval(&i.orelse, scope, depth + 1)
                } else {
                    self.eval(&i.body, scope, depth + 1)
                }
            }
            Expr::BoolOp(b) if b.op == BoolOp::Or => {
                // `x or 'default'`: the first constant operand.
                b.values.iter().find_map(|v| self.eval(v, scope, depth + 1))
            }
            Expr::Compare(c)
                if c.ops.len() == 1 && matches!(c.ops[0], CmpOp::Eq | CmpOp::NotEq) =>
            {
                let l = self.eval(&c.left, scope, depth + 1)?;
                let r = self.eval(&c.comparators[0], scope, depth + 1)?;
                let eq = l == r;
                Some(Val::Int(i128::from(if c.ops[0] == CmpOp::Eq {
                    eq
                } else {
                    !eq
                })))
            }
            _ => None,
        }
    }

    fn eval_seq(&mut self, elts: &'a [Expr], scope: u32, depth: u32) -> Option<Val<'a>> {
        if elts.len() > 1_000_000 {
            return None;
        }
        let mut out = Vec::with_capacity(elts.len());
        for e in elts {
            out.push(self.eval(e, scope, depth + 1)?);
        }
        Some(Val::List(out))
    }

    #[allow(clippy::many_single_char_names)]
    fn binop(&mut self, op: Operator, l: Val<'a>, r: Val<'a>) -> Option<Val<'a>> {
        match (op, l, r) {
            (Operator::Add, Val::Str(a), Val::Str(b)) => {
                let mut s = a.into_owned();
                s.push_str(&b);
                self.owned_str(s)
            }
            (Operator::Add, Val::Bytes(a), Val::Bytes(b)) => {
                let mut v = a.into_owned();
                v.extend_from_slice(&b);
                self.owned_bytes(v)
            }
            (Operator::Add, Val::List(mut a), Val::List(b)) => {
                if a.len() + b.len() > 1_000_000 {
                    return None;
                }
                a.extend(b);
                Some(Val::List(a))
            }
            (Operator::Mult, Val::Str(a), Val::Int(n))
            | (Operator::Mult, Val::Int(n), Val::Str(a)) => {
                let n = usize::try_from(n).ok()?;
                if a.len().checked_mul(n)? > MAX_EVAL_STR {
                    return None;
                }
                self.owned_str(a.repeat(n))
            }
            (Operator::Mult, Val::Bytes(a), Val::Int(n)) => {
                let n = usize::try_from(n).ok()?;
                if a.len().checked_mul(n)? > MAX_EVAL_STR {
                    return None;
                }
                self.owned_bytes(a.repeat(n))
            }
            (op, Val::Int(a), Val::Int(b)) => {
                let v = match op {
                    Operator::Add => a.checked_add(b)?,
                    Operator::Sub => a.checked_sub(b)?,
                    Operator::Mult => a.checked_mul(b)?,
                    Operator::Mod => {
                        if b == 0 {
                            return None;
                        }
                        a.rem_euclid(b)
                    }
                    Operator::FloorDiv => {
                        if b == 0 {
                            return None;
                        }
                        a.div_euclid(b)
                    }
                    Operator::BitXor => {
                        self.step("xor");
                        a ^ b
                    }
                    Operator::BitAnd => a & b,
                    Operator::BitOr => a | b,
                    Operator::LShift => a.checked_shl(u32::try_from(b).ok()?)?,
                    Operator::RShift => a.checked_shr(u32::try_from(b).ok()?)?,
                    Operator::Pow => a.checked_pow(u32::try_from(b).ok()?)?,
                    _ => return None,
                };
                Some(Val::Int(v))
            }
            _ => None,
        }
    }

    fn subscript(
        &mut self,
        v: Val<'a>,
        slice: &'a Expr,
        scope: u32,
        depth: u32,
    ) -> Option<Val<'a>> {
        if let Expr::Slice(sl) = slice {
            let mut get = |e: &'a Option<Box<Expr>>| -> Option<Option<i128>> {
                match e {
                    None => Some(None),
                    Some(e) => match self.eval(e, scope, depth + 1)? {
                        Val::Int(i) => Some(Some(i)),
                        _ => None,
                    },
                }
            };
            let (lo, hi, step) = (get(&sl.lower)?, get(&sl.upper)?, get(&sl.step)?);
            let step = step.unwrap_or(1);
            if step == 0 {
                return None;
            }
            if step < 0 {
                self.step("reverse");
            }
            return match v {
                Val::Str(s) => {
                    let chars: Vec<char> = s.chars().collect();
                    let idx = slice_indices(chars.len(), lo, hi, step)?;
                    self.owned_str(idx.into_iter().map(|i| chars[i]).collect())
                }
                Val::Bytes(b) => {
                    let idx = slice_indices(b.len(), lo, hi, step)?;
                    self.owned_bytes(idx.into_iter().map(|i| b[i]).collect())
                }
                Val::List(l) => {
                    let idx = slice_indices(l.len(), lo, hi, step)?;
                    Some(Val::List(idx.into_iter().map(|i| l[i].clone()).collect()))
                }
                Val::Int(_) => None,
            };
        }
        let Val::Int(i) = self.eval(slice, scope, depth + 1)? else {
            return None;
        };
        let at = |len: usize| -> Option<usize> {
            let len = i128::try_from(len).ok()?;
            let j = if i < 0 { len + i } else { i };
            (0..len)
                .contains(&j)
                .then(|| usize::try_from(j).ok())
                .flatten()
        };
        match v {
            Val::Str(s) => {
                let chars: Vec<char> = s.chars().collect();
                Some(Val::Str(Cow::Owned(chars[at(chars.len())?].to_string())))
            }
            Val::Bytes(b) => Some(Val::Int(i128::from(b[at(b.len())?]))),
            Val::List(l) => l.get(at(l.len())?).cloned(),
            Val::Int(_) => None,
        }
    }

    fn iterate(v: Val<'a>) -> Option<Vec<Val<'a>>> {
        Some(match v {
            Val::List(l) => l,
            Val::Str(s) => s
                .chars()
                .map(|c| Val::Str(Cow::Owned(c.to_string())))
                .collect(),
            Val::Bytes(b) => b.iter().map(|&x| Val::Int(i128::from(x))).collect(),
            Val::Int(_) => return None,
        })
    }

    fn comprehension(
        &mut self,
        elt: &'a Expr,
        generators: &'a [ast::Comprehension],
        scope: u32,
        depth: u32,
    ) -> Option<Val<'a>> {
        let [g] = generators else { return None };
        if !g.ifs.is_empty() {
            return None;
        }
        let items = Self::iterate(self.eval(&g.iter, scope, depth + 1)?)?;
        let targets: Vec<&'a str> = match &g.target {
            Expr::Name(n) => vec![n.id.as_str()],
            Expr::Tuple(t) => t
                .elts
                .iter()
                .map(|e| match e {
                    Expr::Name(n) => Some(n.id.as_str()),
                    _ => None,
                })
                .collect::<Option<_>>()?,
            _ => return None,
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let base = self.env.len();
            if targets.len() == 1 {
                self.env.push((targets[0], item));
            } else {
                let Val::List(parts) = item else { return None };
                if parts.len() != targets.len() {
                    return None;
                }
                for (t, p) in targets.iter().zip(parts) {
                    self.env.push((t, p));
                }
            }
            let v = self.eval(elt, scope, depth + 1);
            self.env.truncate(base);
            out.push(v?);
        }
        Some(Val::List(out))
    }

    #[allow(clippy::too_many_lines, clippy::many_single_char_names)]
    fn call(&mut self, c: &'a ExprCall, scope: u32, depth: u32) -> Option<Val<'a>> {
        let args = &c.arguments.args;
        // A helper defined in the file (`def b64d(s): ... return ...`, `get = lambda: ...`):
        // evaluate what it returns with its parameters bound.
        if let Expr::Name(n) = &*c.func
            && let Some((s, body, params)) =
                self.py.callee_body(n.id.as_str(), scope, n.range.start())
            && params.len() >= args.len()
            && depth < MAX_EVAL_DEPTH * 6
        {
            let mut bound = Vec::with_capacity(args.len());
            for (p, a) in params.iter().zip(args.iter()) {
                bound.push((*p, self.eval(a, scope, depth + 1)?));
            }
            if bound.len() == params.len() {
                let base = self.env.len();
                self.env.extend(bound);
                let v = self.eval(body, s, depth + 2);
                self.env.truncate(base);
                return v;
            }
        }
        let name = self.py.qualify(&c.func, scope, 0);
        let kw = |k: &str| {
            c.arguments
                .keywords
                .iter()
                .find(|x| x.arg.as_ref().is_some_and(|a| a.as_str() == k))
                .map(|x| &x.value)
        };
        if let Some(n) = name.as_deref() {
            if let Some(d) = decoder(n) {
                let input = self.eval(args.first()?, scope, depth + 1)?;
                let input = input.bytes()?.to_vec();
                self.step(match d {
                    "base64url" => "base64",
                    other => other,
                });
                let budget = self.py.budget;
                let out = match d {
                    "base64" => codec::base64(&input, false, budget),
                    "base64url" => codec::base64(&input, true, budget),
                    "base32" => codec::base32(&input, budget),
                    "base85" => codec::base85(&input, budget),
                    "ascii85" => codec::ascii85(&input, budget),
                    "hex" => codec::hex(&input, budget),
                    _ => codec::inflate(&input, budget),
                }?;
                return Some(Val::Bytes(Cow::Owned(out)));
            }
            match n {
                "chr" => {
                    let Val::Int(i) = self.eval(args.first()?, scope, depth + 1)? else {
                        return None;
                    };
                    self.step("chr");
                    return Some(Val::Str(Cow::Owned(
                        char::from_u32(u32::try_from(i).ok()?)?.to_string(),
                    )));
                }
                "ord" => {
                    let v = self.eval(args.first()?, scope, depth + 1)?;
                    let mut chars = v.text()?.chars();
                    let ch = chars.next()?;
                    return chars
                        .next()
                        .is_none()
                        .then_some(Val::Int(i128::from(u32::from(ch))));
                }
                "len" => {
                    let v = self.eval(args.first()?, scope, depth + 1)?;
                    return Some(Val::Int(
                        i128::try_from(match &v {
                            Val::Str(s) => s.chars().count(),
                            other => other.len(),
                        })
                        .ok()?,
                    ));
                }
                "int" => {
                    let v = self.eval(args.first()?, scope, depth + 1)?;
                    let base = match args.get(1) {
                        Some(b) => match self.eval(b, scope, depth + 1)? {
                            Val::Int(b) => u32::try_from(b).ok()?,
                            _ => return None,
                        },
                        None => 10,
                    };
                    return match v {
                        Val::Int(i) => Some(Val::Int(i)),
                        Val::Str(s) => i128::from_str_radix(s.trim(), base).ok().map(Val::Int),
                        _ => None,
                    };
                }
                "str" => {
                    let v = self.eval(args.first()?, scope, depth + 1)?;
                    return match v {
                        Val::Str(s) => Some(Val::Str(s)),
                        Val::Int(i) => Some(Val::Str(Cow::Owned(i.to_string()))),
                        Val::Bytes(b) if args.len() > 1 || kw("encoding").is_some() => {
                            self.owned_str(String::from_utf8_lossy(&b).into_owned())
                        }
                        _ => None,
                    };
                }
                "bytes" | "bytearray" => {
                    let v = self.eval(args.first()?, scope, depth + 1)?;
                    return match v {
                        Val::List(l) => {
                            self.step("bytes");
                            let b: Option<Vec<u8>> = l
                                .iter()
                                .map(|x| match x {
                                    Val::Int(i) => u8::try_from(*i).ok(),
                                    _ => None,
                                })
                                .collect();
                            self.owned_bytes(b?)
                        }
                        Val::Str(s) => self.owned_bytes(s.as_bytes().to_vec()),
                        Val::Bytes(b) => Some(Val::Bytes(b)),
                        Val::Int(_) => None,
                    };
                }
                "list" | "tuple" => {
                    let v = self.eval(args.first()?, scope, depth + 1)?;
                    return Self::iterate(v).map(Val::List);
                }
                "reversed" => {
                    let v = self.eval(args.first()?, scope, depth + 1)?;
                    let mut l = Self::iterate(v)?;
                    l.reverse();
                    self.step("reverse");
                    return Some(Val::List(l));
                }
                "range" => {
                    let mut nums = Vec::new();
                    for a in args.iter().take(3) {
                        match self.eval(a, scope, depth + 1)? {
                            Val::Int(i) => nums.push(i),
                            _ => return None,
                        }
                    }
                    let (lo, hi, st) = match nums.as_slice() {
                        [hi] => (0, *hi, 1),
                        [lo, hi] => (*lo, *hi, 1),
                        [lo, hi, st] if *st != 0 => (*lo, *hi, *st),
                        _ => return None,
                    };
                    let count = if st > 0 {
                        (hi - lo).max(0) / st
                    } else {
                        (lo - hi).max(0) / -st
                    };
                    if count > 1_000_000 {
                        return None;
                    }
                    let mut v = Vec::new();
                    let mut x = lo;
                    while (st > 0 && x < hi) || (st < 0 && x > hi) {
                        v.push(Val::Int(x));
                        x += st;
                    }
                    return Some(Val::List(v));
                }
                "enumerate" => {
                    let v = self.eval(args.first()?, scope, depth + 1)?;
                    let l = Self::iterate(v)?;
                    return Some(Val::List(
                        l.into_iter()
                            .enumerate()
                            .map(|(i, x)| {
                                Val::List(vec![Val::Int(i128::try_from(i).unwrap_or(0)), x])
                            })
                            .collect(),
                    ));
                }
                "map" => {
                    let f = self.py.qualify(args.first()?, scope, 0)?;
                    let l = Self::iterate(self.eval(args.get(1)?, scope, depth + 1)?)?;
                    let mut out = Vec::with_capacity(l.len());
                    for x in l {
                        out.push(match (f.as_str(), x) {
                            ("chr", Val::Int(i)) => {
                                self.step("chr");
                                Val::Str(Cow::Owned(
                                    char::from_u32(u32::try_from(i).ok()?)?.to_string(),
                                ))
                            }
                            ("ord", Val::Str(s)) => {
                                Val::Int(i128::from(u32::from(s.chars().next()?)))
                            }
                            ("int", Val::Str(s)) => Val::Int(s.trim().parse().ok()?),
                            ("str", Val::Int(i)) => Val::Str(Cow::Owned(i.to_string())),
                            _ => return None,
                        });
                    }
                    return Some(Val::List(out));
                }
                "codecs.decode" | "codecs.encode" => {
                    let v = self.eval(args.first()?, scope, depth + 1)?;
                    let enc = match args.get(1).or_else(|| kw("encoding")) {
                        Some(e) => self.eval(e, scope, depth + 1)?.text()?.to_owned(),
                        None => "utf-8".to_owned(),
                    };
                    return apply_codec(v, &enc, self.py.budget, &mut self.steps);
                }
                _ => {}
            }
        }
        // Methods on a value the evaluator can build.
        let Expr::Attribute(a) = &*c.func else {
            return None;
        };
        let method = a.attr.as_str();
        if !FOLD_METHODS.contains(&method)
            && !matches!(
                method,
                "strip" | "lstrip" | "rstrip" | "lower" | "upper" | "format" | "split"
            )
        {
            return None;
        }
        let recv = self.eval(&a.value, scope, depth + 1)?;
        match method {
            "join" => {
                let sep = recv.text()?.to_owned();
                let items = Self::iterate(self.eval(args.first()?, scope, depth + 1)?)?;
                let is_bytes = matches!(recv, Val::Bytes(_));
                let mut out: Vec<u8> = Vec::new();
                for (i, it) in items.iter().enumerate() {
                    if i > 0 {
                        out.extend_from_slice(sep.as_bytes());
                    }
                    out.extend_from_slice(it.bytes()?);
                    if out.len() > MAX_EVAL_STR {
                        return None;
                    }
                }
                if is_bytes {
                    self.owned_bytes(out)
                } else {
                    self.owned_str(String::from_utf8(out).ok()?)
                }
            }
            "decode" | "encode" => {
                let enc = match args.first().or_else(|| kw("encoding")) {
                    Some(e) => self.eval(e, scope, depth + 1)?.text()?.to_owned(),
                    None => String::new(),
                };
                if enc.is_empty() {
                    return match (method, recv) {
                        ("decode", Val::Bytes(b)) => {
                            self.owned_str(String::from_utf8_lossy(&b).into_owned())
                        }
                        ("encode", Val::Str(s)) => self.owned_bytes(s.as_bytes().to_vec()),
                        (_, v @ (Val::Str(_) | Val::Bytes(_))) => Some(v),
                        _ => None,
                    };
                }
                if method == "encode"
                    && !matches!(enc.to_ascii_lowercase().as_str(), "rot13" | "rot_13")
                {
                    return match recv {
                        Val::Str(s) => self.owned_bytes(s.as_bytes().to_vec()),
                        other => Some(other),
                    };
                }
                apply_codec(recv, &enc, self.py.budget, &mut self.steps)
            }
            "replace" => {
                let from = self.eval(args.first()?, scope, depth + 1)?;
                let to = self.eval(args.get(1)?, scope, depth + 1)?;
                match recv {
                    Val::Str(s) => {
                        let (f, t) = (from.text()?, to.text()?);
                        if f.is_empty() {
                            return None;
                        }
                        let r = s.replace(f, t);
                        self.owned_str(r)
                    }
                    _ => None,
                }
            }
            "strip" | "lstrip" | "rstrip" if args.is_empty() => match recv {
                Val::Str(s) => {
                    let t = match method {
                        "strip" => s.trim(),
                        "lstrip" => s.trim_start(),
                        _ => s.trim_end(),
                    };
                    self.owned_str(t.to_owned())
                }
                _ => None,
            },
            "lower" => match recv {
                Val::Str(s) => self.owned_str(s.to_lowercase()),
                _ => None,
            },
            "upper" => match recv {
                Val::Str(s) => self.owned_str(s.to_uppercase()),
                _ => None,
            },
            "format" => {
                let Val::Str(tpl) = recv else { return None };
                let mut vals = Vec::new();
                for a in args {
                    match self.eval(a, scope, depth + 1)? {
                        Val::Str(s) => vals.push(s.into_owned()),
                        Val::Int(i) => vals.push(i.to_string()),
                        _ => return None,
                    }
                }
                let mut out = String::new();
                let mut rest: &str = &tpl;
                let mut n = 0usize;
                while let Some(i) = rest.find('{') {
                    out.push_str(&rest[..i]);
                    let close = rest[i..].find('}')? + i;
                    let inner = &rest[i + 1..close];
                    let idx = if inner.is_empty() {
                        n += 1;
                        n - 1
                    } else {
                        inner.parse().ok()?
                    };
                    out.push_str(vals.get(idx)?);
                    rest = &rest[close + 1..];
                }
                out.push_str(rest);
                self.owned_str(out)
            }
            _ => None,
        }
    }
}

/// Python slice semantics: the indices `seq[lo:hi:step]` selects from a sequence of `len`.
fn slice_indices(len: usize, lo: Option<i128>, hi: Option<i128>, step: i128) -> Option<Vec<usize>> {
    let n = i128::try_from(len).ok()?;
    let clamp = |v: i128, lo_b: i128, hi_b: i128| v.max(lo_b).min(hi_b);
    let norm = |v: i128| if v < 0 { v + n } else { v };
    let mut out = Vec::new();
    if step > 0 {
        let start = clamp(lo.map_or(0, norm), 0, n);
        let stop = clamp(hi.map_or(n, norm), 0, n);
        let mut i = start;
        while i < stop {
            out.push(usize::try_from(i).ok()?);
            i += step;
        }
    } else {
        let start = clamp(lo.map_or(n - 1, norm), -1, n - 1);
        let stop = clamp(hi.map_or(-1, norm), -1, n - 1);
        let mut i = start;
        while i > stop {
            out.push(usize::try_from(i).ok()?);
            i += step;
        }
    }
    Some(out)
}

/// Finds calls inside an expression (used by [`PyFile::find_call_in`]); collects the names
/// it meets to follow them through assignments.
struct CallFinder<'p, 'a, 'f> {
    py: &'p PyFile<'a>,
    scope: u32,
    pred: &'f dyn Fn(&str, &ExprCall) -> bool,
    found: Option<String>,
    names: Vec<(&'a str, TextSize)>,
    /// Local functions called (their bodies are searched too).
    callees: Vec<(u32, &'a ast::StmtFunctionDef)>,
}

impl<'a> Visitor<'a> for CallFinder<'_, 'a, '_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found.is_some() {
            return;
        }
        match expr {
            Expr::Call(c) => {
                let name =
                    self.py
                        .qualify(&c.func, self.scope, 0)
                        .unwrap_or_else(|| match &*c.func {
                            Expr::Attribute(a) => format!("?.{}", a.attr.as_str()),
                            _ => "?".to_owned(),
                        });
                if (self.pred)(&name, c) {
                    self.found = Some(name);
                    return;
                }
                if let Expr::Name(n) = &*c.func
                    && let Some(f) = self.py.local_function(n.id.as_str())
                {
                    self.callees.push(f);
                }
            }
            Expr::Name(n) => self.names.push((n.id.as_str(), n.range.start())),
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

/// The single walk that builds the index.
struct Builder<'a> {
    scope: u32,
    loop_depth: u32,
    scopes: Vec<ScopeFact<'a>>,
    class_stack: Vec<&'a str>,
    classes: Vec<&'a ast::StmtClassDef>,
    imports: Vec<ImportFact>,
    binds: Binds<'a>,
    star_imports: Vec<(u32, String)>,
    modules: Vec<String>,
    raw_calls: Vec<(&'a ExprCall, u32)>,
    strings: Vec<StrFact<'a>>,
    /// Expressions worth folding, with their scope and, for a call, its index in `raw_calls`.
    candidates: Vec<(&'a Expr, u32, Option<usize>)>,
}

impl<'a> Builder<'a> {
    fn module(&mut self, path: String) -> Bind<'a> {
        self.modules.push(path);
        Bind::Module(u32::try_from(self.modules.len() - 1).unwrap_or(u32::MAX))
    }

    fn bind(&mut self, name: &'a str, at: TextSize, b: Bind<'a>) {
        self.binds
            .entry((self.scope, name))
            .or_default()
            .push((at, b));
    }

    fn bind_target(&mut self, target: &'a Expr, value: Option<&'a Expr>) {
        match (target, value) {
            (Expr::Name(n), Some(v)) if self.loop_depth == 0 || !matches!(v, Expr::Name(_)) => {
                self.bind(n.id.as_str(), n.range.start(), Bind::Set(v));
            }
            (Expr::Name(n), _) => self.bind(n.id.as_str(), n.range.start(), Bind::Unknown),
            (Expr::Tuple(t), Some(Expr::Tuple(v))) if t.elts.len() == v.elts.len() => {
                for (a, b) in t.elts.iter().zip(v.elts.iter()) {
                    self.bind_target(a, Some(b));
                }
            }
            (Expr::Tuple(t), _) => {
                for a in &t.elts {
                    self.bind_target(a, None);
                }
            }
            (Expr::List(l), _) => {
                for a in &l.elts {
                    self.bind_target(a, None);
                }
            }
            _ => {}
        }
    }

    fn push_string(&mut self, value: Cow<'a, str>, range: TextRange, kind: StrKind) {
        self.strings.push(StrFact {
            value,
            range,
            kind,
            steps: Vec::new(),
        });
    }
}

impl<'a> Visitor<'a> for Builder<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(f) => {
                for d in &f.decorator_list {
                    self.visit_decorator(d);
                }
                self.visit_parameters(&f.parameters);
                let id = u32::try_from(self.scopes.len()).unwrap_or(u32::MAX);
                self.scopes.push(ScopeFact {
                    name: f.name.as_str(),
                    range: f.range,
                    def: Some(f),
                    class: self.class_stack.last().copied(),
                });
                let (prev, prev_loop) = (self.scope, self.loop_depth);
                self.bind(f.name.as_str(), f.range.start(), Bind::Unknown);
                self.scope = id;
                self.loop_depth = 0;
                self.visit_body(&f.body);
                self.scope = prev;
                self.loop_depth = prev_loop;
                return;
            }
            Stmt::ClassDef(c) => {
                self.classes.push(c);
                self.class_stack.push(c.name.as_str());
                visitor::walk_stmt(self, stmt);
                self.class_stack.pop();
                return;
            }
            Stmt::Import(i) => {
                for a in &i.names {
                    let full = a.name.as_str();
                    if let Some(asn) = &a.asname {
                        let m = self.module(full.to_owned());
                        self.bind(asn.as_str(), a.range.start(), m);
                    } else {
                        let first = full.split('.').next().unwrap_or(full);
                        let m = self.module(first.to_owned());
                        self.bind(first, a.range.start(), m);
                    }
                    self.imports.push(ImportFact {
                        module: full.to_owned(),
                        names: Vec::new(),
                        range: i.range,
                        scope: self.scope,
                    });
                }
                return;
            }
            Stmt::ImportFrom(i) => {
                let module = i.module.as_ref().map_or("", |m| m.as_str());
                let dots = ".".repeat(usize::try_from(i.level).unwrap_or(0));
                let full = format!("{dots}{module}");
                let mut names = Vec::new();
                for a in &i.names {
                    let n = a.name.as_str();
                    if n == "*" {
                        self.star_imports.push((self.scope, full.clone()));
                        continue;
                    }
                    names.push(n.to_owned());
                    let local = a.asname.as_ref().map_or(n, |x| x.as_str());
                    let m = self.module(format!("{full}.{n}"));
                    self.bind(local, a.range.start(), m);
                }
                self.imports.push(ImportFact {
                    module: full,
                    names,
                    range: i.range,
                    scope: self.scope,
                });
                return;
            }
            Stmt::Assign(a) => {
                self.visit_expr(&a.value);
                for t in &a.targets {
                    self.bind_target(t, Some(&a.value));
                    if !matches!(t, Expr::Name(_) | Expr::Tuple(_) | Expr::List(_)) {
                        self.visit_expr(t);
                    }
                }
                return;
            }
            Stmt::AnnAssign(a) => {
                if let Some(v) = &a.value {
                    self.visit_expr(v);
                    self.bind_target(&a.target, Some(v));
                }
                return;
            }
            Stmt::AugAssign(a) => {
                self.visit_expr(&a.value);
                if let Expr::Name(n) = &*a.target {
                    let b = if a.op == Operator::Add && self.loop_depth == 0 {
                        Bind::AugAdd(&a.value)
                    } else {
                        Bind::AugOther(&a.value)
                    };
                    self.bind(n.id.as_str(), n.range.start(), b);
                } else {
                    self.visit_expr(&a.target);
                }
                return;
            }
            Stmt::For(f) => {
                self.visit_expr(&f.iter);
                self.bind_target(&f.target, None);
                self.loop_depth += 1;
                self.visit_body(&f.body);
                self.visit_body(&f.orelse);
                self.loop_depth -= 1;
                return;
            }
            Stmt::While(w) => {
                self.visit_expr(&w.test);
                self.loop_depth += 1;
                self.visit_body(&w.body);
                self.visit_body(&w.orelse);
                self.loop_depth -= 1;
                return;
            }
            Stmt::With(w) => {
                for item in &w.items {
                    self.visit_expr(&item.context_expr);
                    if let Some(v) = &item.optional_vars {
                        self.bind_target(v, Some(&item.context_expr));
                    }
                }
                self.visit_body(&w.body);
                return;
            }
            Stmt::Expr(e) => {
                if let Expr::StringLiteral(s) = &*e.value {
                    self.push_string(Cow::Borrowed(s.value.to_str()), s.range, StrKind::Docstring);
                    return;
                }
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(c) => {
                self.candidates
                    .push((expr, self.scope, Some(self.raw_calls.len())));
                self.raw_calls.push((c, self.scope));
            }
            Expr::StringLiteral(s) => {
                self.push_string(Cow::Borrowed(s.value.to_str()), s.range, StrKind::Literal);
            }
            Expr::BytesLiteral(b) => {
                let parts = b.value.as_slice();
                let v = if parts.len() == 1 {
                    String::from_utf8_lossy(&parts[0].value)
                } else {
                    Cow::Owned(
                        String::from_utf8_lossy(
                            &parts
                                .iter()
                                .flat_map(|p| p.value.iter().copied())
                                .collect::<Vec<u8>>(),
                        )
                        .into_owned(),
                    )
                };
                self.push_string(v, b.range, StrKind::Bytes);
            }
            Expr::FString(f) => {
                let mut s = String::new();
                for el in f.value.elements() {
                    match el {
                        InterpolatedStringElement::Literal(l) => s.push_str(&l.value),
                        InterpolatedStringElement::Interpolation(_) => s.push_str("{}"),
                    }
                }
                self.push_string(Cow::Owned(s), f.range, StrKind::FString);
                self.candidates.push((expr, self.scope, None));
            }
            Expr::BinOp(_) | Expr::Subscript(_) => self.candidates.push((expr, self.scope, None)),
            Expr::Named(n) => self.bind_target(&n.target, Some(&n.value)),
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

/// 1-based line and column (in characters) of `offset` in `source`.
pub fn line_col(index: &LineIndex, source: &str, offset: TextSize) -> (usize, usize) {
    let lc = index.line_column(offset, source);
    (lc.line.get(), lc.column.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the evaluator folds the file's last statement (an expression) to, as text.
    fn fold_last(src: &str) -> Option<String> {
        let parsed = parse(src).expect("fixture parses");
        let budget = Budget::default();
        let py = PyFile::new(src, &parsed, &budget);
        let Some(Stmt::Expr(last)) = py.body().last() else {
            panic!("fixture must end in an expression");
        };
        let folded = py.eval(&last.value, 0)?;
        folded.val.text().map(str::to_owned)
    }

    /// The first, plain version of [`nesting_estimate`]: the oracle for the fast one.
    fn nesting_reference(src: &str) -> u32 {
        let b = src.as_bytes();
        let mut i = 0;
        // Chain length per open bracket level; [0] is the statement level.
        let mut chains: Vec<u32> = vec![0];
        let mut total: u32 = 0;
        let mut max: u32 = 0;
        while i < b.len() {
            let c = b[i];
            match c {
                b'#' => {
                    while i < b.len() && b[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                b'\'' | b'"' => {
                    let triple = i + 2 < b.len() && b[i + 1] == c && b[i + 2] == c;
                    i += if triple { 3 } else { 1 };
                    while i < b.len() {
                        if b[i] == b'\\' {
                            i += 2;
                            continue;
                        }
                        if triple {
                            if b[i] == c && i + 2 < b.len() && b[i + 1] == c && b[i + 2] == c {
                                i += 3;
                                break;
                            }
                        } else if b[i] == c || b[i] == b'\n' {
                            i += 1;
                            break;
                        }
                        i += 1;
                    }
                    continue;
                }
                b'(' | b'[' | b'{' => {
                    chains.push(0);
                    total = total.saturating_add(1);
                }
                b')' | b']' | b'}' if chains.len() > 1 => {
                    let popped = chains.pop().unwrap_or(0);
                    total = total.saturating_sub(popped.saturating_add(1));
                }
                b',' | b';' | b':' | b'\n' => {
                    if (c != b'\n' || chains.len() == 1)
                        && let Some(top) = chains.last_mut()
                    {
                        total = total.saturating_sub(*top);
                        *top = 0;
                    }
                }
                b'+' | b'-' | b'*' | b'/' | b'%' | b'@' | b'&' | b'|' | b'^' | b'~' | b'<'
                | b'>' | b'.' => {
                    if let Some(top) = chains.last_mut() {
                        *top = top.saturating_add(1);
                        total = total.saturating_add(1);
                    }
                }
                _ => {}
            }
            max = max.max(total);
            i += 1;
        }
        max
    }

    #[test]
    fn nesting_estimate_agrees_with_the_plain_byte_loop() {
        let alphabet: &[&str] = &[
            "a", "1", " ", "\n", "#", "'", "\"", "'''", "\"\"\"", "\\", "(", ")", "[", "]", "{",
            "}", ",", ";", ":", "+", "-", ".", "*", "<", "é", "x = ", "f(", "a+b+c",
        ];
        let mut next = crate::archive::fixtures::xorshift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..20_000 {
            let len = usize::try_from(next() % 60).unwrap();
            let src: String = (0..len)
                .map(|_| alphabet[usize::try_from(next() % alphabet.len() as u64).unwrap()])
                .collect();
            assert_eq!(nesting_estimate(&src), nesting_reference(&src), "{src:?}");
        }
        let deep = format!("x = {}1{}", "(".repeat(300), ")".repeat(300));
        assert_eq!(nesting_estimate(&deep), 300);
    }

    #[test]
    fn a_name_inside_its_own_assignment_reads_the_binding_before() {
        assert_eq!(
            fold_last("s = 'ab'\ns = '-'.join(s)\ns").as_deref(),
            Some("a-b")
        );
        assert_eq!(fold_last("s = 'ab'\ns += s\ns").as_deref(), Some("abab"));
        // With no binding before, the name is unknown: it never folds into itself.
        assert_eq!(fold_last("s = '-'.join(s)\ns"), None);
    }

    #[test]
    fn a_name_rebound_from_itself_many_times_folds_once_per_binding() {
        // Had each use read its own binding, every `s` would recurse into itself to the
        // evaluator's depth limit (with a `', '` separator, tripling the string each time).
        let mut src = String::from("s = 'ab'\n");
        for _ in 0..12 {
            src.push_str("s = ''.join(s)\n");
        }
        src.push_str("s\n");
        assert_eq!(fold_last(&src).as_deref(), Some("ab"));
    }
}
