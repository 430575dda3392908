//! `dynamic-exec`: code executed from data at run time — `exec`/`eval`/`compile`, `marshal`
//! and `pickle` loads, `types.FunctionType` — and above all code executed from data it
//! decodes or deobfuscates first (`exec(b64decode(...))`, `exec(zlib.decompress(...))`,
//! `eval(''.join(chr(c) for c in ...))`, `exec(Fernet(k).decrypt(...))`). A payload it can fold
//! is handed back to be scanned as `<member>#decoded`.

use std::sync::LazyLock;

use cordon_diagnostics::{Confidence, Severity};
use regex::Regex;
use ruff_python_ast::{Expr, ExprCall};
use ruff_text_size::{Ranged, TextSize};

use super::common;
use super::{MemberCx, Report, Rule, RuleMeta, codec};
use crate::model::{Artifact, Behaviour, Evidence};
use crate::python::{PyFile, Val};

pub struct DynamicExec;

static META: RuleMeta = RuleMeta {
    id: "dynamic-exec",
    summary: "executes code built at run time; decode-and-execute chains (base64, zlib, marshal, chr, XOR, encryption)",
    emits: &[
        Behaviour::DynamicExec,
        Behaviour::DecodeExec,
        Behaviour::Download,
    ],
    payloads: true,
};

/// Calls whose presence in an executed expression means the code was decoded first.
fn is_decoder(name: &str, call: &ExprCall) -> bool {
    let method = name.rsplit('.').next().unwrap_or(name);
    if name.starts_with("base64.")
        && (method.contains("decode") || method == "decodestring" || method == "decodebytes")
    {
        return true;
    }
    if matches!(
        name,
        "codecs.decode"
            | "zlib.decompress"
            | "gzip.decompress"
            | "lzma.decompress"
            | "bz2.decompress"
            | "marshal.loads"
            | "bytes.fromhex"
            | "bytearray.fromhex"
            | "binascii.unhexlify"
            | "binascii.a2b_hex"
            | "binascii.a2b_base64"
    ) {
        return true;
    }
    // A character computed from another (`chr(ord(c) ^ key)`, `chr(x - 3)`).
    if name == "chr" {
        return call.arguments.args.first().is_some_and(|a| {
            matches!(a, Expr::BinOp(_) | Expr::UnaryOp(_))
                || matches!(a, Expr::Call(c) if matches!(&*c.func, Expr::Name(n) if n.id.as_str() == "ord"))
        });
    }
    if name.starts_with("zlib.decompressobj") || name.ends_with(".decompress") {
        return true;
    }
    // Fernet/AES/XOR helpers: `Fernet(key).decrypt(token)`, `AES.new(...).decrypt(...)`.
    if method == "decrypt" || method == "decrypt_and_verify" {
        return true;
    }
    // Python 2 `'...'.decode('base64')`, `.decode('hex')`, `.decode('rot13')`, `.decode('zlib')`.
    if method == "decode"
        && let Some(Expr::StringLiteral(s)) = call.arguments.args.first()
    {
        let enc = s.value.to_str().to_ascii_lowercase();
        return matches!(
            enc.as_str(),
            "base64" | "base_64" | "hex" | "rot13" | "rot_13" | "zlib" | "bz2" | "uu"
        );
    }
    false
}

static TEXT_DECODE_EXEC: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(
        r"\b(?:exec|eval)\s*\(\s*(?:compile\s*\(\s*)?(?:[\w.]+\s*\.\s*)?(?:b64decode|b32decode|b16decode|b85decode|a85decode|urlsafe_b64decode|decodebytes|decodestring|unhexlify|fromhex|decompress|loads|decrypt)\s*\(",
    )
    .unwrap_or_else(|e| panic!("{e}"))
});
static TEXT_NET_EXEC: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r"\b(?:exec|eval)\s*\([^\n]{0,80}\b(?:urlopen|requests\s*\.\s*get|urlretrieve|httpx\s*\.\s*get)\s*\(")
        .unwrap_or_else(|e| panic!("{e}"))
});
static TEXT_EXEC: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r"(?:^|[^\w.])(?:exec|eval|execfile)\s*\(")
        .unwrap_or_else(|e| panic!("{e}"))
});
static TEXT_MARSHAL: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r"\bmarshal\s*\.\s*loads\s*\(").unwrap_or_else(|e| panic!("{e}"))
});
static TEXT_B64_ARG: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r#"(?:b64decode|decodebytes|decodestring)\s*\(\s*[bBuUrR]?['"]([A-Za-z0-9+/=\s\\n]{16,})['"]"#)
        .unwrap_or_else(|e| panic!("{e}"))
});

/// Extensions an archive of code honestly carries.
const ARCHIVE_EXTENSIONS: &[&str] = &[
    ".zip", ".whl", ".egg", ".jar", ".pyz", ".pyzw", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst",
];

/// Archives shipped in the artifact that its own code loads with `zipimport` although their
/// name says they are something else (a zip named `server.crt`): code hidden as data.
fn disguised_archives(artifact: &Artifact, out: &mut Vec<Evidence>) {
    let mut outers: Vec<&str> = artifact
        .members
        .iter()
        .filter(|m| m.depth > 0)
        .filter_map(|m| m.path.split_once("!/").map(|(outer, _)| outer))
        .collect();
    outers.sort_unstable();
    outers.dedup();
    outers.retain(|outer| {
        let lower = outer.to_ascii_lowercase();
        !ARCHIVE_EXTENSIONS.iter().any(|e| lower.ends_with(e))
    });
    if outers.is_empty() {
        return;
    }
    // The files that could load one: Python of the artifact itself that names zipimport.
    let loaders: Vec<&crate::model::Member> = artifact
        .members
        .iter()
        .filter(|m| {
            m.depth == 0
                && m.path.to_ascii_lowercase().ends_with(".py")
                && memchr::memmem::find(&m.data, b"zipimport").is_some()
        })
        .collect();
    for outer in outers {
        let file = outer.rsplit('/').next().unwrap_or(outer);
        let loader = loaders
            .iter()
            .find(|m| !file.is_empty() && memchr::memmem::find(&m.data, file.as_bytes()).is_some());
        if let Some(loader) = loader {
            out.push(
                Evidence::new(
                    META.id,
                    Behaviour::DecodeExec,
                    Severity::High,
                    format!("loads code with zipimport from `{file}`, an archive named as something else"),
                )
                .in_member(&loader.path)
                .with_confidence(Confidence::Medium),
            );
        }
    }
}

impl Rule for DynamicExec {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_artifact(&self, artifact: &Artifact, out: &mut Vec<Evidence>) {
        disguised_archives(artifact, out);
    }

    fn check_member(&self, cx: &MemberCx<'_>, out: &mut Vec<Evidence>) {
        if !cx.is_code() {
            return;
        }
        let mut r = Report::new(cx, &META, out);
        if let Some(py) = cx.ast() {
            check_ast(cx, py, &mut r);
        } else if let Some(text) = cx.code_text() {
            check_text(cx, text, &mut r);
        }
    }
}

fn check_ast(cx: &MemberCx<'_>, py: &PyFile<'_>, r: &mut Report<'_, '_, '_>) {
    for c in &py.calls {
        let name = c.name.as_str();
        if !crate::python::EXEC_SINKS.contains(&name) {
            continue;
        }
        let range = c.range();
        // The outermost sink speaks for a chain (`exec(compile(marshal.loads(...)))`).
        if py.sink_args.iter().any(|a| a.contains_range(range)) {
            continue;
        }
        let Some(arg) = c.arg(0) else { continue };
        let loader = matches!(
            name,
            "marshal.loads" | "pickle.loads" | "cPickle.loads" | "_pickle.loads" | "dill.loads"
        );
        // A serialization round trip (`loads(dumps(x))`) decodes nothing hidden.
        let roundtrip = py
            .find_call_in(arg, c.scope, &|n, _| {
                n.ends_with(".dumps") || n.ends_with(".dump")
            })
            .is_some();
        // Building a string from character codes is a decoding step only for exec/eval.
        let strict = loader || name == "compile";
        let decoded = if roundtrip {
            None
        } else {
            py.find_call_in(arg, c.scope, &|n, call| {
                is_decoder(n, call) && !(strict && n == "chr")
            })
        };
        // A `chr()` upstream decodes when it computes the character (`chr(ord(c) ^ k)`) or
        // feeds a join over character codes; one `chr(n)` somewhere is no chr chain.
        let decoded = decoded.or_else(|| {
            (!roundtrip && !strict && py.slice(arg.range()).contains("join"))
                .then(|| py.find_call_in(arg, c.scope, &|n, _| n == "chr"))
                .flatten()
        });
        let folded = fold_payload(py, arg, c.scope);
        let fold_steps: Vec<&'static str> = folded
            .as_ref()
            .map(|(_, s)| {
                s.iter()
                    .copied()
                    .filter(|x| !(strict && matches!(*x, "chr" | "reverse" | "bytes")))
                    .collect()
            })
            .unwrap_or_default();
        let fetched = py.find_call_in(arg, c.scope, &|n, _| common::is_fetch(n));
        let literal = is_literal(arg) && name == "marshal.loads" && literal_len(arg) >= 64;
        if let Some(d) = decoded.as_deref().or(if fold_steps.is_empty() {
            None
        } else {
            Some("")
        }) {
            let how = if fold_steps.is_empty() {
                d.to_owned()
            } else {
                fold_steps.join(" → ")
            };
            r.add(
                Behaviour::DecodeExec,
                Severity::High,
                Confidence::High,
                format!("{name}() runs decoded data ({how})"),
                range,
            );
        } else if loader && literal {
            r.add(
                Behaviour::DecodeExec,
                Severity::High,
                Confidence::High,
                format!("{name}() loads code embedded as a constant"),
                range,
            );
        }
        if let Some(f) = &fetched {
            r.add(
                Behaviour::Download,
                Severity::High,
                Confidence::High,
                format!("{name}() runs content fetched from the network ({f})"),
                range,
            );
            // Code taken from a server and run as is: the server decides what runs here.
            r.add(
                Behaviour::DecodeExec,
                Severity::High,
                Confidence::High,
                format!("{name}() runs code fetched from the network ({f})"),
                range,
            );
        }
        if decoded.is_none() && fold_steps.is_empty() && !(loader && literal) {
            match name {
                "pickle.loads" | "cPickle.loads" | "_pickle.loads" | "dill.loads" | "compile" => {}
                _ => {
                    let reads_file = py
                        .find_call_in(arg, c.scope, &|n, _| {
                            n == "open"
                                || n == "io.open"
                                || n.ends_with(".read_text")
                                || n == "codecs.open"
                        })
                        .is_some();
                    let (sev, what) = if literal {
                        (Severity::Low, "a constant string")
                    } else if reads_file {
                        (Severity::Info, "the contents of a file")
                    } else if fetched.is_some() {
                        (Severity::Medium, "fetched content")
                    } else {
                        (Severity::Low, "a value built at run time")
                    };
                    r.add(
                        Behaviour::DynamicExec,
                        sev,
                        Confidence::High,
                        format!("{name}() executes {what}"),
                        range,
                    );
                }
            }
        }
        if let Some((data, _)) = folded {
            cx.push_payload(data, range.start());
        }
    }
    check_indirect(cx, py, r);
}

/// Code run without `exec`: `python -c CODE` in a subprocess, modules loaded from a zip
/// archive, and a builtin picked by a computed name (`getattr(builtins, name)(...)`) applied
/// to decoded data.
fn check_indirect(cx: &MemberCx<'_>, py: &PyFile<'_>, r: &mut Report<'_, '_, '_>) {
    for s in common::spawns(py) {
        let elts = match s.call.arg(0) {
            Some(Expr::List(l)) => &l.elts[..],
            Some(Expr::Tuple(t)) => &t.elts[..],
            _ => continue,
        };
        let is_python = elts.first().is_some_and(|e| {
            py.qualify(e, s.call.scope, 0)
                .is_some_and(|q| q == "sys.executable")
                || py
                    .eval(e, s.call.scope)
                    .and_then(|f| {
                        f.val
                            .text()
                            .map(|t| t.to_ascii_lowercase().contains("python"))
                    })
                    .unwrap_or(false)
        });
        let Some(dash_c) = elts.iter().position(|e| {
            py.eval(e, s.call.scope)
                .is_some_and(|f| f.val.text() == Some("-c"))
        }) else {
            continue;
        };
        if !is_python {
            continue;
        }
        let range = s.call.range();
        r.add(
            Behaviour::DynamicExec,
            Severity::Low,
            Confidence::High,
            "runs Python code passed on a command line (python -c)",
            range,
        );
        if let Some(code) = elts.get(dash_c + 1).and_then(|e| py.eval(e, s.call.scope))
            && let Some(b) = code.val.bytes()
        {
            cx.push_payload(b.to_vec(), range.start());
        }
    }
    for c in &py.calls {
        if matches!(c.method(), "exec_module" | "load_module")
            && py
                .calls
                .iter()
                .any(|z| z.scope == c.scope && z.name == "zipimport.zipimporter")
        {
            r.add(
                Behaviour::DynamicExec,
                Severity::Medium,
                Confidence::High,
                "runs a module loaded from a zip archive (zipimport)",
                c.range(),
            );
        }
        let Expr::Call(g) = &*c.call.func else {
            continue;
        };
        if py.qualify(&g.func, c.scope, 0).as_deref() != Some("getattr") {
            continue;
        }
        let on_builtins = g.arguments.args.first().is_some_and(|o| {
            py.qualify(o, c.scope, 0)
                .is_some_and(|q| matches!(q.as_str(), "builtins" | "__builtins__" | "__builtin__"))
        });
        let computed = g
            .arguments
            .args
            .get(1)
            .is_some_and(|a| py.eval(a, c.scope).is_none());
        if !(on_builtins && computed) {
            continue;
        }
        if let Some(arg) = c.arg(0)
            && let Some(d) = py.find_call_in(arg, c.scope, &is_decoder)
        {
            r.add(
                Behaviour::DecodeExec,
                Severity::High,
                Confidence::Medium,
                format!("calls a builtin chosen by a computed name on decoded data ({d})"),
                c.range(),
            );
        }
    }
}

/// The data an executed expression folds to (through `compile(...)`, `marshal.loads(...)`,
/// `types.FunctionType(...)` wrappers), with the folding steps.
fn fold_payload<'a>(
    py: &PyFile<'a>,
    arg: &'a Expr,
    scope: u32,
) -> Option<(Vec<u8>, Vec<&'static str>)> {
    let mut e = arg;
    for _ in 0..4 {
        let Expr::Call(c) = e else { break };
        let name = py.qualify(&c.func, scope, 0).unwrap_or_default();
        if matches!(
            name.as_str(),
            "compile" | "marshal.loads" | "types.FunctionType" | "types.CodeType"
        ) {
            match c.arguments.args.first() {
                Some(a) => e = a,
                None => break,
            }
        } else {
            break;
        }
    }
    let f = py.eval(e, scope)?;
    let data = match &f.val {
        Val::Str(s) => s.as_bytes().to_vec(),
        Val::Bytes(b) => b.to_vec(),
        _ => return None,
    };
    (data.len() >= 8).then_some((data, f.steps))
}

fn literal_len(e: &Expr) -> usize {
    match e {
        Expr::BytesLiteral(b) => b.value.iter().map(|p| p.value.len()).sum(),
        Expr::StringLiteral(s) => s.value.len(),
        _ => 0,
    }
}

fn is_literal(e: &Expr) -> bool {
    match e {
        Expr::StringLiteral(_) | Expr::BytesLiteral(_) => true,
        Expr::FString(f) => f
            .value
            .elements()
            .all(|el| matches!(el, ruff_python_ast::InterpolatedStringElement::Literal(_))),
        _ => false,
    }
}

fn check_text(cx: &MemberCx<'_>, text: &str, r: &mut Report<'_, '_, '_>) {
    let mut decode_lines = Vec::new();
    for m in TEXT_DECODE_EXEC.find_iter(text) {
        decode_lines.push(m.start());
        r.add(
            Behaviour::DecodeExec,
            Severity::High,
            Confidence::Medium,
            "executes decoded data",
            common::span(m.start(), m.end()),
        );
    }
    for m in TEXT_NET_EXEC.find_iter(text) {
        r.add(
            Behaviour::Download,
            Severity::High,
            Confidence::Medium,
            "executes content fetched from the network",
            common::span(m.start(), m.end()),
        );
        r.add(
            Behaviour::DecodeExec,
            Severity::High,
            Confidence::Medium,
            "runs code fetched from the network",
            common::span(m.start(), m.end()),
        );
    }
    if cx.kind == super::CodeKind::Python || cx.kind == super::CodeKind::Pth {
        for m in TEXT_MARSHAL.find_iter(text) {
            r.add(
                Behaviour::DecodeExec,
                Severity::Medium,
                Confidence::Medium,
                "loads marshalled code",
                common::span(m.start(), m.end()),
            );
        }
        for m in TEXT_EXEC.find_iter(text) {
            if decode_lines.iter().any(|&d| d >= m.start() && d <= m.end()) {
                continue;
            }
            r.add(
                Behaviour::DynamicExec,
                Severity::Low,
                Confidence::Medium,
                "executes code built at run time",
                common::span(m.start(), m.end()),
            );
        }
    }
    for c in TEXT_B64_ARG.captures_iter(text) {
        let Some(g) = c.get(1) else { continue };
        let budget = cx.budget;
        let cleaned = g.as_str().replace("\\n", "");
        if let Some(data) = codec::base64(cleaned.as_bytes(), false, budget)
            && (codec::is_text(&data) || codec::looks_compressed(&data))
        {
            let data = if codec::looks_compressed(&data) {
                codec::inflate(&data, budget).unwrap_or(data)
            } else {
                data
            };
            cx.push_payload(data, TextSize::try_from(g.start()).unwrap_or_default());
        }
    }
}
