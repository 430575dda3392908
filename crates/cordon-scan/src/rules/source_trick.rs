//! `source-trick`: source that reads differently from how it runs — bidirectional-control
//! characters (Trojan Source, U+202A–U+202E, U+2066–U+2069), identifiers mixing Latin with
//! Cyrillic/Greek look-alikes, compatibility characters Python folds to ASCII (`ｅｘｅｃ`,
//! `𝐞𝐱𝐞𝐜` both call `exec`), and non-ASCII module names in imports.

use std::sync::LazyLock;

use cordon_diagnostics::{Confidence, Severity};
use regex::Regex;
use ruff_python_ast::token::TokenKind;
use ruff_text_size::{Ranged, TextSize};

use super::common;
use super::{CodeKind, MemberCx, Report, Rule, RuleMeta};
use crate::model::{Behaviour, Evidence};

pub struct SourceTrick;

static META: RuleMeta = RuleMeta {
    id: "source-trick",
    summary: "bidirectional-control characters, mixed-script or compatibility-character identifiers, homoglyph imports",
    emits: &[Behaviour::SourceTrick],
    payloads: false,
};

static WORD: LazyLock<Regex> =
    LazyLock::new(|| crate::pattern::new(r"\w+").unwrap_or_else(|e| panic!("{e}")));

fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that NFKC folds to ASCII letters or digits.
fn is_compat(c: char) -> bool {
    matches!(c,
        '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}'
        | '\u{1D400}'..='\u{1D7FF}'
        | '\u{2100}'..='\u{214F}'
        | '\u{24B6}'..='\u{24E9}'
        | '\u{1F130}'..='\u{1F189}'
        | '\u{2070}'..='\u{209F}'
        | '\u{1D00}'..='\u{1D6A}'
        | '\u{FB00}'..='\u{FB06}')
}

/// Cyrillic and Greek letters that look like Latin ones.
fn is_confusable(c: char) -> bool {
    matches!(
        c,
        'а' | 'е'
            | 'о'
            | 'р'
            | 'с'
            | 'у'
            | 'х'
            | 'і'
            | 'ј'
            | 'ѕ'
            | 'ԁ'
            | 'ԛ'
            | 'ԝ'
            | 'һ'
            | 'ӏ'
            | 'ѵ'
            | 'ү'
            | 'А'
            | 'В'
            | 'Е'
            | 'К'
            | 'М'
            | 'Н'
            | 'О'
            | 'Р'
            | 'С'
            | 'Т'
            | 'Х'
            | 'І'
            | 'Ј'
            | 'Ѕ'
            | 'Ү'
            | 'ο'
            | 'ν'
            | 'ι'
            | 'κ'
            | 'ρ'
            | 'υ'
            | 'α'
            | 'Α'
            | 'Β'
            | 'Ε'
            | 'Ζ'
            | 'Η'
            | 'Ι'
            | 'Κ'
            | 'Μ'
            | 'Ν'
            | 'Ο'
            | 'Ρ'
            | 'Τ'
            | 'Υ'
            | 'Χ'
    )
}

/// Why an identifier is a trick, if it is.
fn identifier_trick(id: &str) -> Option<&'static str> {
    if id.is_ascii() {
        return None;
    }
    if id.chars().any(is_compat) {
        return Some("uses compatibility characters that Python reads as plain ASCII");
    }
    let latin = id.chars().any(|c| c.is_ascii_alphabetic());
    let other = id.chars().any(is_confusable);
    if latin && other {
        return Some("mixes Latin letters with Cyrillic or Greek look-alikes");
    }
    None
}

impl Rule for SourceTrick {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_member(&self, cx: &MemberCx<'_>, out: &mut Vec<Evidence>) {
        if !matches!(cx.kind, CodeKind::Python | CodeKind::Pth) {
            return;
        }
        let Some(text) = cx.code_text() else { return };
        if text.is_ascii() {
            return;
        }
        let mut r = Report::new(cx, &META, out);
        let py = cx.ast();
        for (i, c) in text.char_indices().filter(|(_, c)| is_bidi(*c)).take(10) {
            let at = TextSize::try_from(i).unwrap_or_default();
            let in_string = py.is_some_and(|p| p.strings.iter().any(|s| s.range.contains(at)));
            let line_start = text[..i].rfind('\n').map_or(0, |x| x + 1);
            let line_end = text[i..].find('\n').map_or(text.len(), |x| i + x);
            r.add_snippet(
                Behaviour::SourceTrick,
                if in_string {
                    Severity::Medium
                } else {
                    Severity::High
                },
                Confidence::High,
                format!(
                    "bidirectional-control character U+{:04X} {}",
                    c as u32,
                    if in_string {
                        "inside a string"
                    } else {
                        "in code or a comment (Trojan Source)"
                    }
                ),
                at,
                &text[line_start..line_end],
            );
        }
        if let Some(py) = py {
            if let Some(parsed) = py.parsed {
                for t in parsed
                    .tokens()
                    .iter()
                    .filter(|t| t.kind() == TokenKind::Name)
                {
                    let id = py.slice(t.range());
                    if let Some(why) = identifier_trick(id) {
                        r.add(
                            Behaviour::SourceTrick,
                            Severity::High,
                            Confidence::High,
                            format!("identifier `{id}` {why}"),
                            t.range(),
                        );
                    }
                }
            }
            for i in &py.imports {
                let src = py.slice(i.range);
                if !src.is_ascii() {
                    r.add(
                        Behaviour::SourceTrick,
                        Severity::High,
                        Confidence::High,
                        "imports a module by a name with non-ASCII characters",
                        i.range,
                    );
                }
            }
        } else {
            for m in WORD.find_iter(text) {
                if let Some(why) = identifier_trick(m.as_str()) {
                    r.add(
                        Behaviour::SourceTrick,
                        Severity::High,
                        Confidence::Medium,
                        format!("word `{}` {why}", m.as_str()),
                        common::span(m.start(), m.end()),
                    );
                }
            }
        }
    }
}
