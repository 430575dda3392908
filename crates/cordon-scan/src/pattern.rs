//! Regexes for rules. Every pattern goes through [`new`], which makes `\b` and `\B` ASCII word
//! boundaries: the regex crate's fast engines give up on a Unicode word boundary as soon as the
//! haystack holds a non-ASCII byte and fall back to its slowest one, and most source files hold
//! one somewhere. It makes `\w` and `\d` (and `\W`, `\D`) ASCII classes too: a Unicode `\w`
//! holds some 700 ranges, and under a counted repetition (`[\w-]{20,}`, a webhook token) it
//! made compiling the rules' patterns most of the time of a one-file scan. For the
//! identifiers, keywords, tokens and paths the rules look for, ASCII is the one meant.

use regex::{Regex, RegexBuilder, RegexSet};

/// `Regex::new` with ASCII word boundaries and classes.
pub fn new(pattern: &str) -> Result<Regex, regex::Error> {
    Regex::new(&ascii(pattern))
}

/// The same, with `^` and `$` matching at every line.
pub fn multi_line(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(&ascii(pattern)).multi_line(true).build()
}

/// `RegexSet::new` with ASCII word boundaries and classes.
pub fn set<'p>(patterns: impl IntoIterator<Item = &'p str>) -> Result<RegexSet, regex::Error> {
    RegexSet::new(patterns.into_iter().map(ascii))
}

/// Rewrites each `\b` / `\B` escape of `pattern` as `(?-u:\b)` / `(?-u:\B)`, and `\w`, `\W`,
/// `\d`, `\D` as ASCII classes (nested classes where they sit in a class, `[\w.]` reads
/// `[[0-9A-Za-z_].]`); other escapes (`\\b` is a backslash and a `b`) are kept as written.
pub fn ascii(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some(b @ ('b' | 'B')) => {
                out.push_str("(?-u:\\");
                out.push(b);
                out.push(')');
            }
            Some('w') => out.push_str("[0-9A-Za-z_]"),
            Some('W') => out.push_str("[^0-9A-Za-z_]"),
            Some('d') => out.push_str("[0-9]"),
            Some('D') => out.push_str("[^0-9]"),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_and_classes_become_ascii_and_other_escapes_stay() {
        assert_eq!(ascii(r"\bexec\b"), r"(?-u:\b)exec(?-u:\b)");
        assert_eq!(ascii(r"\Bx"), r"(?-u:\B)x");
        assert_eq!(ascii(r"Run\\b\d"), r"Run\\b[0-9]");
        assert_eq!(ascii(r"a\\\bb"), r"a\\(?-u:\b)b");
        assert_eq!(
            ascii(r"[\w-]{2}\W\D\s\\w"),
            r"[[0-9A-Za-z_]-]{2}[^0-9A-Za-z_][^0-9]\s\\w"
        );
        let token = new(r"^[\w-]{3,}\d$").unwrap();
        assert!(token.is_match("a_b-c7"));
        assert!(!token.is_match("ab7"));
        assert!(!token.is_match("éé-x7"));
        assert!(new(r"[^\w.]").unwrap().is_match("a-b"));
        assert!(!new(r"[^\w.]").unwrap().is_match("a.b"));
    }

    #[test]
    fn ascii_boundaries_match_next_to_non_ascii_text() {
        let re = new(r"\bexec\s*\(").unwrap();
        assert!(re.is_match("é = 1\nexec(x)"));
        assert!(!re.is_match("re_exec(x)"));
        // Next to a non-ASCII letter an ASCII boundary is a boundary.
        assert!(re.is_match("éexec(x)"));
    }
}
