//! `encoded-payload`: long encoded blobs (base64, hex, zlib, nested layers) and PowerShell
//! `-EncodedCommand` arguments are decoded in memory (bounded) and, when they turn out to be
//! code, text or an executable, handed back to be scanned by every rule as
//! `<member>#decoded`. Programs folded from obfuscated expressions are handed back too.

use std::sync::LazyLock;

use cordon_diagnostics::{Confidence, Severity};
use regex::Regex;
use ruff_text_size::{TextRange, TextSize};

use super::common::{self, StrItem};
use super::{MemberCx, Report, Rule, RuleMeta, codec};
use crate::model::{Behaviour, Evidence};
use crate::python::StrKind;

pub struct EncodedPayload;

static META: RuleMeta = RuleMeta {
    id: "encoded-payload",
    summary: "decodes long base64/hex/zlib blobs and PowerShell encoded commands, and scans what they hide",
    emits: &[Behaviour::Obfuscation, Behaviour::LimitExceeded],
    payloads: true,
};

/// Shortest blob (in encoded characters) worth decoding.
const MIN_BLOB: usize = 200;

static PS_ENCODED: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r"(?i)\b(?:powershell|pwsh)(?:\.exe)?\b[^\n]*?\s-(?:e|ec|en|enc|enco|encodedcommand)\s+([A-Za-z0-9+/]{16,}={0,2})")
        .unwrap_or_else(|e| panic!("{e}"))
});

/// The runs of at least [`MIN_BLOB`] base64 characters (`[A-Za-z0-9+/_-]`, then up to two
/// `=`), then the runs of at least [`MIN_BLOB`] hex digits (an even count) — a hand-written
/// pass because these run over every text file, data included, where a regex is slow.
pub(super) fn blob_runs(text: &str) -> Vec<std::ops::Range<usize>> {
    const B64: [bool; 256] = {
        let mut t = [false; 256];
        let mut c: u8 = 0;
        loop {
            t[c as usize] = c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'_' | b'-');
            if c == u8::MAX {
                break;
            }
            c += 1;
        }
        t
    };
    let b = text.as_bytes();
    let b64 = |c: u8| B64[usize::from(c)];
    let mut out = Vec::new();
    let mut hex = Vec::new();
    // Every run of MIN_BLOB or more that starts in i..i+MIN_BLOB covers byte i+MIN_BLOB-1:
    // probe there, and skip MIN_BLOB bytes at once when it is outside the alphabet. Invariant:
    // `i` is 0 or follows a byte outside the alphabet.
    let mut i = 0;
    while i + MIN_BLOB <= b.len() {
        let probe = i + MIN_BLOB - 1;
        if !b64(b[probe]) {
            i = probe + 1;
            continue;
        }
        let mut start = probe;
        while start > i && b64(b[start - 1]) {
            start -= 1;
        }
        let mut stop = probe + 1;
        while stop < b.len() && b64(b[stop]) {
            stop += 1;
        }
        if stop - start >= MIN_BLOB {
            let mut end = stop;
            while end < b.len() && end - stop < 2 && b[end] == b'=' {
                end += 1;
            }
            out.push(start..end);
            let mut j = start;
            while j < stop {
                if !b[j].is_ascii_hexdigit() {
                    j += 1;
                    continue;
                }
                let h = j;
                while j < stop && b[j].is_ascii_hexdigit() {
                    j += 1;
                }
                if j - h >= MIN_BLOB {
                    hex.push(h..h + (j - h) / 2 * 2);
                }
            }
        }
        i = stop + 1;
    }
    out.extend(hex);
    out
}

/// True when `s` names PowerShell (any case), the only strings [`PS_ENCODED`] can match: `pwsh`
/// or `powershell`, found from their `w` (this runs over every text member, data included).
fn names_powershell(s: &str) -> bool {
    let b = s.as_bytes();
    let at = |from: usize, word: &[u8]| {
        b.get(from..from + word.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(word))
    };
    memchr::memchr2_iter(b'w', b'W', b)
        .any(|k| (k >= 1 && at(k - 1, b"pwsh")) || (k >= 2 && at(k - 2, b"powershell")))
}

/// What a blob decoded to.
enum Decoded {
    /// Text (code, commands, data).
    Text(Vec<u8>, bool),
    /// A native executable.
    Executable(Vec<u8>, &'static str),
    /// Python bytecode (marshal).
    Bytecode(Vec<u8>),
}

/// Is `s` shaped like base64 (alphabet, length, mixed classes, entropy)? One pass that gives up
/// as soon as too much of `s` is outside the alphabet: every long docstring comes through here.
fn base64_shaped(s: &str) -> bool {
    let (mut n, mut bad) = (0usize, 0usize);
    let (mut up, mut low, mut dig) = (false, false, false);
    for &c in s.as_bytes() {
        if c.is_ascii_whitespace() || c == b'\\' {
            continue;
        }
        n += 1;
        if c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=' | b'-' | b'_') {
            up |= c.is_ascii_uppercase();
            low |= c.is_ascii_lowercase();
            dig |= c.is_ascii_digit();
        } else {
            bad += 1;
            // At most 2% of the body may be outside the alphabet, and the body is no longer
            // than `s`.
            if bad * 50 > s.len() {
                return false;
            }
        }
    }
    if n < MIN_BLOB || !(up && low && dig) || (n - bad) * 100 < n * 98 {
        return false;
    }
    let body: Vec<u8> = s
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'\\')
        .collect();
    codec::entropy(&body) >= 4.5
}

fn hex_shaped(s: &str) -> bool {
    let mut n = 0usize;
    for &c in s.as_bytes() {
        if c.is_ascii_whitespace() {
            continue;
        }
        if !c.is_ascii_hexdigit() {
            return false;
        }
        n += 1;
    }
    n >= MIN_BLOB && n.is_multiple_of(2)
}

fn utf16_shaped(d: &[u8]) -> bool {
    d.len() >= 8
        && d.len().is_multiple_of(2)
        && d.iter().skip(1).step_by(2).filter(|&&b| b == 0).count() * 10 >= d.len() / 2 * 9
}

fn executable_kind(d: &[u8]) -> Option<&'static str> {
    if d.starts_with(b"MZ") && d.len() >= 64 {
        Some("a Windows executable (PE)")
    } else if d.starts_with(b"\x7fELF") {
        Some("a Linux executable (ELF)")
    } else if d.starts_with(&[0xcf, 0xfa, 0xed, 0xfe]) || d.starts_with(&[0xce, 0xfa, 0xed, 0xfe]) {
        Some("a macOS executable (Mach-O)")
    } else {
        None
    }
}

/// Decodes a blob through up to [`codec::MAX_LAYERS`] layers of base64/hex/zlib/UTF-16.
fn decode_blob(s: &str, budget: &codec::Budget, steps: &mut Vec<&'static str>) -> Option<Decoded> {
    let mut data: Vec<u8> = if hex_shaped(s) {
        steps.push("hex");
        codec::hex(s.as_bytes(), budget)?
    } else if base64_shaped(s) {
        steps.push("base64");
        codec::base64(s.as_bytes(), false, budget)?
    } else if codec::looks_compressed(s.as_bytes()) {
        s.as_bytes().to_vec()
    } else {
        return None;
    };
    for _ in 0..codec::MAX_LAYERS {
        if codec::looks_compressed(&data) {
            steps.push("zlib");
            data = codec::inflate(&data, budget)?;
            continue;
        }
        if utf16_shaped(&data)
            && let Some(t) = codec::utf16le(&data)
        {
            steps.push("utf-16");
            data = t.into_bytes();
            continue;
        }
        if let Ok(t) = std::str::from_utf8(&data) {
            let t = t.trim().trim_matches(|c| c == '\'' || c == '"');
            if hex_shaped(t) {
                steps.push("hex");
                data = codec::hex(t.as_bytes(), budget)?;
                continue;
            }
            if base64_shaped(t) {
                steps.push("base64");
                data = codec::base64(t.as_bytes(), false, budget)?;
                continue;
            }
        }
        break;
    }
    if let Some(k) = executable_kind(&data) {
        return Some(Decoded::Executable(data, k));
    }
    if codec::is_text(&data) {
        let code = std::str::from_utf8(&data)
            .is_ok_and(|t| common::looks_like_code(t) || suspicious_text(t));
        return Some(Decoded::Text(data, code));
    }
    if matches!(data.first(), Some(0xe3 | 0x63)) && data.len() > 16 {
        return Some(Decoded::Bytecode(data));
    }
    None
}

/// Text that is not Python but is worth reporting as hidden (commands, URLs).
fn suspicious_text(t: &str) -> bool {
    let l = t.to_ascii_lowercase();
    [
        "http://",
        "https://",
        "powershell",
        "cmd.exe",
        "/bin/sh",
        "/bin/bash",
        "invoke-",
        "start-process",
        "curl ",
        "wget ",
    ]
    .iter()
    .any(|m| l.contains(m))
}

impl Rule for EncodedPayload {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_member(&self, cx: &MemberCx<'_>, out: &mut Vec<Evidence>) {
        let mut r = Report::new(cx, &META, out);
        let items: Vec<StrItem<'_>> = if let Some(py) = cx.ast() {
            py.strings
                .iter()
                .map(|s| StrItem {
                    text: &s.value,
                    range: s.range,
                    exact: false,
                    kind: Some(s.kind),
                })
                .collect()
        } else {
            let Some(text) = cx.code_text().or(cx.text) else {
                return;
            };
            vec![StrItem {
                text,
                range: TextRange::new(
                    TextSize::default(),
                    TextSize::try_from(text.len()).unwrap_or_default(),
                ),
                exact: true,
                kind: None,
            }]
        };
        for item in &items {
            // PowerShell encoded commands (any length).
            let ps = names_powershell(item.text).then_some(item.text);
            for c in ps.into_iter().flat_map(|t| PS_ENCODED.captures_iter(t)) {
                let Some(g) = c.get(1) else { continue };
                let Some(raw) = codec::base64(g.as_str().as_bytes(), false, cx.budget) else {
                    continue;
                };
                let text = if utf16_shaped(&raw) {
                    codec::utf16le(&raw)
                } else {
                    String::from_utf8(raw).ok()
                };
                if let Some(t) = text {
                    r.add_snippet(
                        Behaviour::Obfuscation,
                        Severity::Medium,
                        Confidence::High,
                        format!("PowerShell encoded command decodes to: {}", clip(&t)),
                        item.at(g.start()),
                        item.window(g.start(), g.end()),
                    );
                    cx.push_payload(t.into_bytes(), item.at(g.start()));
                }
            }
            match item.kind {
                Some(StrKind::Folded) => {
                    if common::looks_like_code(item.text) {
                        cx.push_payload(item.text.as_bytes().to_vec(), item.range.start());
                    }
                }
                Some(_) => {
                    if item.text.len() >= MIN_BLOB {
                        blob(cx, &mut r, item, item.text, 0);
                    }
                }
                None => {
                    for m in blob_runs(item.text) {
                        blob(cx, &mut r, item, &item.text[m.clone()], m.start);
                    }
                }
            }
        }
        if cx.budget.exhausted() && cx.layer == 0 {
            r.add_snippet(
                Behaviour::LimitExceeded,
                Severity::Low,
                Confidence::High,
                format!(
                    "decoding stopped: more than {} MiB of payloads or too much folding in this file",
                    codec::MAX_DECODED / (1024 * 1024)
                ),
                TextSize::default(),
                "",
            );
        }
    }
}

fn clip(s: &str) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = one.chars().take(80).collect();
    if one.chars().count() > 80 {
        out.push('…');
    }
    out
}

fn blob(cx: &MemberCx<'_>, r: &mut Report<'_, '_, '_>, item: &StrItem<'_>, s: &str, at: usize) {
    let mut steps = Vec::new();
    let Some(d) = decode_blob(s, cx.budget, &mut steps) else {
        return;
    };
    let how = steps.join(" → ");
    let origin = item.at(at);
    let snippet = item.window(at, at + 40);
    match d {
        Decoded::Text(data, code) => {
            if code {
                r.add_snippet(
                    Behaviour::Obfuscation,
                    Severity::Medium,
                    Confidence::High,
                    format!(
                        "a {}-character encoded blob ({how}) hides code: {}",
                        s.len(),
                        clip(&String::from_utf8_lossy(&data))
                    ),
                    origin,
                    snippet,
                );
            }
            cx.push_payload(data, origin);
        }
        Decoded::Executable(data, kind) => {
            r.add_snippet(
                Behaviour::Obfuscation,
                Severity::High,
                Confidence::High,
                format!("a {}-character encoded blob ({how}) is {kind}", s.len()),
                origin,
                snippet,
            );
            cx.push_payload(data, origin);
        }
        Decoded::Bytecode(data) => {
            r.add_snippet(
                Behaviour::Obfuscation,
                Severity::Medium,
                Confidence::Medium,
                format!(
                    "a {}-character encoded blob ({how}) is Python bytecode",
                    s.len()
                ),
                origin,
                snippet,
            );
            cx.push_payload(data, origin);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The regexes `blob_runs` stands in for, run as the reference.
    fn reference(text: &str) -> Vec<std::ops::Range<usize>> {
        let b64 = Regex::new(r"[A-Za-z0-9+/_\-]{200,}={0,2}").unwrap();
        let hex = Regex::new(r"(?:[0-9a-fA-F]{2}){100,}").unwrap();
        b64.find_iter(text)
            .map(|m| m.range())
            .chain(hex.find_iter(text).map(|m| m.range()))
            .collect()
    }

    #[test]
    fn blob_runs_finds_what_the_regexes_find() {
        // Runs of every length around the threshold, hex and base64 alphabets, padding,
        // separators and multi-byte characters.
        let mut random = crate::archive::fixtures::xorshift(0x9e37_79b9_7f4a_7c15);
        let mut next = move || usize::try_from(random() >> 40).unwrap_or(0);
        for _ in 0..300 {
            let mut s = String::new();
            for _ in 0..(next() % 8) {
                let len = [3, 150, 199, 200, 201, 250, 399, 400, 401][next() % 9];
                let alphabet: &[u8] = match next() % 3 {
                    0 => b"0123456789abcdefABCDEF",
                    1 => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-",
                    _ => b"0123456789abcdef0123456789abcdefxyzXYZ+",
                };
                for _ in 0..len {
                    s.push(alphabet[next() % alphabet.len()] as char);
                }
                for _ in 0..(next() % 4) {
                    s.push('=');
                }
                s.push_str(["\"", " ", "\n", "é", "", "."][next() % 6]);
            }
            assert_eq!(blob_runs(&s), reference(&s), "{s}");
        }
    }

    #[test]
    fn names_powershell_finds_either_name_in_any_case_anywhere() {
        for yes in [
            "powershell",
            "PowerShell.exe -enc AAAA",
            "x pWsH -e AAAA",
            "start POWERSHELL",
            "pwsh",
            "ppowershellw",
        ] {
            assert!(names_powershell(yes), "{yes}");
        }
        for no in [
            "",
            "w",
            "pw",
            "pws",
            "powershel",
            "power shell",
            "p wsh",
            "showers",
            "wsh",
        ] {
            assert!(!names_powershell(no), "{no}");
        }
    }
}
