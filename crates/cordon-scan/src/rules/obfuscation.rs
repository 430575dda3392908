//! `obfuscation`: code written to be unreadable — strings built from character codes, XOR or
//! decoding, readable text behind escape sequences, builtins reached indirectly
//! (`__import__('builtins').exec`, `getattr(__builtins__, ...)`), computed `__import__`
//! names, PyArmor, code pushed off-screen by whitespace, generated identifier soup, shipped
//! bytecode. A signal, not a verdict.

use std::collections::HashSet;
use std::sync::LazyLock;

use cordon_diagnostics::{Confidence, Severity};
use regex::Regex;
use ruff_python_ast::Expr;
use ruff_python_ast::token::TokenKind;
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::common;
use super::{CodeKind, MemberCx, Report, Rule, RuleMeta};
use crate::model::{Behaviour, Evidence};
use crate::python::{PyFile, StrKind};

pub struct Obfuscation;

static META: RuleMeta = RuleMeta {
    id: "obfuscation",
    summary: "character-code strings, escapes, indirect builtins, computed imports, PyArmor, off-screen code, identifier soup",
    emits: &[Behaviour::Obfuscation],
    payloads: false,
};

static PYARMOR: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r"__pyarmor__|\bpytransform\b|\bpyarmor_runtime\w*|__armor_enter__|__armor_exit__|__armor_wrap__")
        .unwrap_or_else(|e| panic!("{e}"))
});
static PADDING: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r"(?m)\S[ \t]{120,}(?:;|[A-Za-z_]\w*\s*[(.=])")
        .unwrap_or_else(|e| panic!("{e}"))
});
static ESCAPE: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r"\\(?:x[0-9a-fA-F]{2}|u00[0-9a-fA-F]{2}|[0-7]{3})")
        .unwrap_or_else(|e| panic!("{e}"))
});
static IDENT: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r"\b[A-Za-z_][A-Za-z0-9_]*\b").unwrap_or_else(|e| panic!("{e}"))
});

/// Builtins that should be called by name; reaching them another way hides them.
const HIDDEN_BUILTINS: &[&str] = &["exec", "eval", "compile", "__import__", "execfile"];

/// A generated-looking identifier: `_0x1f2e`, `OOO0O0O0`, `lIlIlIl`, `_____`, or a long run of
/// random mixed case.
fn generated_identifier(id: &str) -> bool {
    let b = id.as_bytes();
    if id.starts_with("_0x") && b.len() >= 5 && b[3..].iter().all(u8::is_ascii_hexdigit) {
        return true;
    }
    if b.len() >= 5
        && b.iter().all(|c| matches!(c, b'O' | b'0' | b'o'))
        && id.contains('O')
        && id.contains('0')
    {
        return true;
    }
    if b.len() >= 6
        && b.iter().all(|c| matches!(c, b'I' | b'l' | b'1'))
        && id.contains('I')
        && id.contains('l')
    {
        return true;
    }
    if b.len() >= 4 && b.iter().all(|&c| c == b'_') {
        return true;
    }
    // Long names in a non-Latin script: generated, not words (`馬女水女口目人馬鳥月水`).
    if !id.is_ascii() && id.chars().count() >= 10 && id.chars().all(|c| !c.is_ascii()) {
        return true;
    }
    if b.len() >= 30 && !id.contains('_') && b.iter().all(u8::is_ascii_alphanumeric) {
        // Random mixed case flips case about every other letter; CamelCase words do not.
        let flips = b
            .windows(2)
            .filter(|w| w[0].is_ascii_uppercase() != w[1].is_ascii_uppercase())
            .count();
        return flips * 100 >= (b.len() - 1) * 45;
    }
    false
}

impl Rule for Obfuscation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_member(&self, cx: &MemberCx<'_>, out: &mut Vec<Evidence>) {
        let mut r = Report::new(cx, &META, out);
        if cx.kind == CodeKind::Bytecode && cx.layer == 0 {
            let py_path = cx.path().trim_end_matches(['c', 'o']);
            let has_source = cx.artifact.members.iter().any(|m| m.path == py_path)
                || cx.path().contains("__pycache__/");
            let (sev, what) = if has_source {
                (Severity::Info, "ships compiled bytecode next to its source")
            } else {
                (Severity::Low, "ships compiled bytecode without its source")
            };
            r.add_snippet(
                Behaviour::Obfuscation,
                sev,
                Confidence::High,
                what,
                TextSize::default(),
                "",
            );
            return;
        }
        if !cx.is_code() {
            return;
        }
        let Some(text) = cx.code_text() else { return };
        if let Some(m) = PYARMOR.find(text) {
            r.add(
                Behaviour::Obfuscation,
                Severity::Medium,
                Confidence::High,
                "protected with PyArmor (code is encrypted and unreadable)",
                common::span(m.start(), m.end()),
            );
        }
        for m in PADDING
            .find_iter(if has_blank_run(text, 120) { text } else { "" })
            .take(3)
        {
            let spaces = m
                .as_str()
                .bytes()
                .filter(|&c| c == b' ' || c == b'\t')
                .count();
            r.add_snippet(
                Behaviour::Obfuscation,
                Severity::Medium,
                Confidence::High,
                format!("code pushed off-screen by a run of {spaces} spaces"),
                TextSize::try_from(m.end().saturating_sub(1)).unwrap_or_default(),
                &text[m.end().saturating_sub(1)
                    ..text[m.end()..]
                        .find('\n')
                        .map_or(text.len(), |i| m.end() + i)
                        .min(m.end() + 150)],
            );
        }
        let mut offset = 0usize;
        for line in text.split_inclusive('\n') {
            if line.len() > 5000 {
                let semis = line.matches(';').count();
                if line.contains("exec(")
                    || line.contains("eval(")
                    || line.contains("__import__")
                    || line.contains("lambda")
                    || semis >= 20
                {
                    r.add(
                        Behaviour::Obfuscation,
                        Severity::Low,
                        Confidence::Medium,
                        format!("a {}-character line of code", line.len()),
                        common::span(offset, offset + 200),
                    );
                }
            }
            offset += line.len();
        }
        match cx.ast() {
            Some(py) => check_ast(py, &mut r),
            None => check_text(text, &mut r),
        }
    }
}

/// True when `text` has a run of at least `n` spaces and tabs (what [`PADDING`] needs; far
/// cheaper than the regex over a whole file). A run of `n` covers a multiple of `n / 2`, so
/// only those bytes are probed, and a run is measured only around a blank probe.
fn has_blank_run(text: &str, n: usize) -> bool {
    let b = text.as_bytes();
    let blank = |c: u8| c == b' ' || c == b'\t';
    let step = (n / 2).max(1);
    let mut i = 0;
    while i < b.len() {
        if blank(b[i]) {
            let start = b[..i].iter().rposition(|&c| !blank(c)).map_or(0, |p| p + 1);
            let end = b[i..]
                .iter()
                .position(|&c| !blank(c))
                .map_or(b.len(), |p| i + p);
            if end - start >= n {
                return true;
            }
            i = end;
        }
        i += step;
    }
    false
}

fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if s.chars().count() > 80 {
        out.push('…');
    }
    out
}

fn check_ast(py: &PyFile<'_>, r: &mut Report<'_, '_, '_>) {
    // Strings folded from obfuscated expressions.
    for s in &py.strings {
        if s.kind != StrKind::Folded || s.steps == ["join"] {
            continue;
        }
        let src = py.slice(s.range);
        let printable = s
            .value
            .chars()
            .all(|c| !c.is_control() || c == '\n' || c == '\t');
        let steps: Vec<&str> = s.steps.iter().copied().filter(|x| *x != "join").collect();
        let (sev, report) = if steps
            .iter()
            .any(|x| crate::python::DECODING_STEPS.contains(x))
        {
            (Severity::Medium, printable && s.value.len() >= 4)
        } else if steps.contains(&"chr") {
            (
                Severity::Medium,
                printable
                    && s.value.is_ascii()
                    && s.value.chars().filter(char::is_ascii_alphabetic).count() >= 3
                    && !src.contains("range("),
            )
        } else if steps.contains(&"reverse") {
            (Severity::Low, printable && s.value.len() >= 8)
        } else if steps.contains(&"bytes") {
            (
                Severity::Low,
                printable
                    && s.value.len() >= 8
                    && s.value.chars().all(|c| c.is_ascii_graphic() || c == ' '),
            )
        } else {
            (Severity::Low, false)
        };
        if report {
            r.add(
                Behaviour::Obfuscation,
                sev,
                Confidence::High,
                format!(
                    "builds a string by {}: {:?}",
                    steps.join(" → "),
                    clip(&s.value)
                ),
                s.range,
            );
        }
    }
    // Readable text hidden behind escapes: `eval('\x6d\x61\x67\x69\x63')`.
    for s in &py.strings {
        if s.kind != StrKind::Literal || s.value.len() < 3 {
            continue;
        }
        let src = py.slice(s.range);
        let prefix = &src[..src
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(src.len())];
        if prefix.contains(['r', 'R']) || !src.contains('\\') {
            continue;
        }
        let escapes = ESCAPE.find_iter(src).count();
        let letters = s.value.chars().filter(char::is_ascii_alphabetic).count();
        if escapes >= 6
            && letters * 2 >= s.value.chars().count()
            && escapes * 4 * 10 >= src.len() * 6
            && s.value.chars().all(|c| c.is_ascii_graphic() || c == ' ')
        {
            r.add(
                Behaviour::Obfuscation,
                Severity::Medium,
                Confidence::High,
                format!(
                    "readable text written as escape sequences: {:?}",
                    clip(&s.value)
                ),
                s.range,
            );
        }
    }
    // Builtins reached indirectly, computed imports.
    for c in &py.calls {
        let name = c.name.as_str();
        // `f = eval("o" + "s.sys" + "tem")`: a function looked up by a name built at run time.
        if name == "eval"
            && let Some(a) = c.arg(0)
            && !matches!(a, Expr::StringLiteral(_))
            && let Some(f) = py.eval(a, c.scope)
            && let Some(t) = f.val.text()
            && !t.is_empty()
            && t.len() < 100
            && t.contains('.')
            && t.chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '.')
        {
            r.add(
                Behaviour::Obfuscation,
                Severity::Medium,
                Confidence::High,
                format!("eval() turns a string built at run time into a reference to {t}"),
                c.range(),
            );
        }
        let direct = matches!(&*c.call.func, Expr::Name(n) if n.id.as_str() == name);
        if HIDDEN_BUILTINS.contains(&name) && name != "__import__" && !direct {
            r.add(
                Behaviour::Obfuscation,
                Severity::Medium,
                Confidence::High,
                format!(
                    "calls {name}() indirectly ({})",
                    clip(py.slice(c.call.func.range()))
                ),
                c.range(),
            );
        }
        if matches!(name, "getattr")
            && let Some(obj) = c.arg(0)
        {
            let base = py.qualify(obj, c.scope, 0).unwrap_or_default();
            if matches!(base.as_str(), "builtins" | "__builtins__" | "__builtin__") {
                let attr = c
                    .arg(1)
                    .and_then(|a| py.eval(a, c.scope))
                    .and_then(|f| f.val.text().map(str::to_owned));
                let computed = c.arg(1).is_some_and(|a| {
                    attr.is_none()
                        && !matches!(
                            a,
                            Expr::Name(_) | Expr::Attribute(_) | Expr::StringLiteral(_)
                        )
                });
                if computed
                    || attr
                        .as_deref()
                        .is_some_and(|a| HIDDEN_BUILTINS.contains(&a))
                {
                    r.add(
                        Behaviour::Obfuscation,
                        Severity::Medium,
                        Confidence::High,
                        "looks up a builtin by name on the builtins module",
                        c.range(),
                    );
                }
            }
        }
        if matches!(name, "__import__" | "importlib.import_module")
            && let Some(a) = c.arg(0)
            && !matches!(
                a,
                Expr::StringLiteral(_) | Expr::Name(_) | Expr::Attribute(_)
            )
            && let Some(f) = py.eval(a, c.scope).filter(|f| !f.steps.is_empty())
            && let Some(m) = f.val.text()
        {
            r.add(
                Behaviour::Obfuscation,
                Severity::Medium,
                Confidence::High,
                format!("imports a module whose name is computed ({m})"),
                c.range(),
            );
        }
    }
    // Generated identifiers.
    if let Some(parsed) = py.parsed {
        let mut seen: HashSet<&str> = HashSet::new();
        let mut first: Option<TextRange> = None;
        for t in parsed.tokens() {
            if t.kind() != TokenKind::Name {
                continue;
            }
            let id = py.slice(t.range());
            if generated_identifier(id) && seen.insert(id) {
                first.get_or_insert(t.range());
            }
        }
        report_identifiers(r, &seen, first);
    }
}

fn report_identifiers(r: &mut Report<'_, '_, '_>, seen: &HashSet<&str>, first: Option<TextRange>) {
    if let Some(at) = first {
        let long_random = seen.iter().filter(|s| s.len() >= 30).count();
        if seen.len() - long_random >= 5 || long_random >= 3 {
            // The first three in order, so that the same file always reads the same.
            let mut sample: Vec<&&str> = seen.iter().collect();
            sample.sort_unstable();
            sample.truncate(3);
            r.add(
                Behaviour::Obfuscation,
                Severity::Medium,
                Confidence::Medium,
                format!(
                    "{} generated-looking identifiers (e.g. {})",
                    seen.len(),
                    sample
                        .iter()
                        .map(|s| clip(s))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                at,
            );
        }
    }
}

fn check_text(text: &str, r: &mut Report<'_, '_, '_>) {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut first = None;
    for m in IDENT.find_iter(text) {
        if generated_identifier(m.as_str()) && seen.insert(m.as_str()) {
            first.get_or_insert(common::span(m.start(), m.end()));
        }
    }
    report_identifiers(r, &seen, first);
    // Escape-dense lines.
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let n = ESCAPE.find_iter(line).count();
        if n >= 12 && n * 4 * 10 >= line.len() * 5 {
            r.add(
                Behaviour::Obfuscation,
                Severity::Medium,
                Confidence::Medium,
                format!("a line made mostly of {n} escape sequences"),
                common::span(offset, offset + line.len().min(200)),
            );
        }
        offset += line.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_runs_are_found_wherever_they_sit() {
        for n in [1_usize, 2, 7, 120] {
            for len in [n.saturating_sub(1), n, n + 1, 3 * n] {
                for at in [0, 1, 5, 59, 60, 61, 200] {
                    for fill in [" ", "\t", " \t"] {
                        let run = fill.repeat(len).chars().take(len).collect::<String>();
                        let text = format!("{}{run}x=1\n", "a".repeat(at));
                        assert_eq!(
                            has_blank_run(&text, n),
                            len >= n,
                            "n {n} len {len} at {at} fill {fill:?}"
                        );
                        let regex_says = crate::pattern::new(&format!("[ \t]{{{n},}}"))
                            .unwrap()
                            .is_match(&text);
                        assert_eq!(has_blank_run(&text, n), regex_says);
                    }
                }
            }
        }
        assert!(!has_blank_run("", 120));
    }
}
