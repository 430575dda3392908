//! Printing untrusted text safely: evidence snippets come from hostile files.

/// Longest snippet kept, in characters.
pub const MAX_SNIPPET: usize = 160;

/// `raw` made safe for a terminal and a log: control characters (terminal escapes included),
/// bidirectional-control and other invisible formatting characters are shown as `\u{..}`
/// escapes, whitespace runs are collapsed, and the result is cut to [`MAX_SNIPPET`] characters.
pub fn snippet(raw: &str) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut last_space = false;
    for c in raw.trim().chars() {
        if count >= MAX_SNIPPET {
            out.push('…');
            break;
        }
        if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
            if !last_space {
                out.push(' ');
                count += 1;
            }
            last_space = true;
            continue;
        }
        last_space = false;
        if c.is_control() || is_invisible(c) {
            let esc = format!("\\u{{{:x}}}", c as u32);
            count += esc.chars().count();
            out.push_str(&esc);
        } else {
            out.push(c);
            count += 1;
        }
    }
    out
}

/// Bidirectional controls, zero-width and other format characters.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}'
        | '\u{00AD}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralises_escapes_and_truncates() {
        assert_eq!(snippet("a\x1b[31mred\x07"), "a\\u{1b}[31mred\\u{7}");
        assert_eq!(snippet("x\u{202E}y"), "x\\u{202e}y");
        assert_eq!(snippet("  a \n\n  b  "), "a b");
        let long = "x".repeat(500);
        let s = snippet(&long);
        assert!(s.chars().count() <= MAX_SNIPPET + 1 && s.ends_with('…'));
    }
}
