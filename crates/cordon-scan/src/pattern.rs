//! Regexes for rules. Every pattern goes through [`new`], which makes `\b` and `\B` ASCII word
//! boundaries: the regex crate's fast engines give up on a Unicode word boundary as soon as the
//! haystack holds a non-ASCII byte and fall back to its slowest one, and most source files hold
//! one somewhere. For the identifiers, keywords and paths the rules look for, an ASCII boundary
//! is the one meant.

use regex::{Regex, RegexBuilder, RegexSet};

/// `Regex::new` with ASCII word boundaries.
pub fn new(pattern: &str) -> Result<Regex, regex::Error> {
    Regex::new(&ascii_boundaries(pattern))
}

/// The same, with `^` and `$` matching at every line.
pub fn multi_line(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(&ascii_boundaries(pattern))
        .multi_line(true)
        .build()
}

/// `RegexSet::new` with ASCII word boundaries.
pub fn set<'p>(patterns: impl IntoIterator<Item = &'p str>) -> Result<RegexSet, regex::Error> {
    RegexSet::new(patterns.into_iter().map(ascii_boundaries))
}

/// Rewrites each `\b` / `\B` escape of `pattern` as `(?-u:\b)` / `(?-u:\B)`; other escapes
/// (`\\b` is a backslash and a `b`) are kept as written.
pub fn ascii_boundaries(pattern: &str) -> String {
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
    fn boundaries_become_ascii_and_other_escapes_stay() {
        assert_eq!(ascii_boundaries(r"\bexec\b"), r"(?-u:\b)exec(?-u:\b)");
        assert_eq!(ascii_boundaries(r"\Bx"), r"(?-u:\B)x");
        assert_eq!(ascii_boundaries(r"Run\\b\d"), r"Run\\b\d");
        assert_eq!(ascii_boundaries(r"a\\\bb"), r"a\\(?-u:\b)b");
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
