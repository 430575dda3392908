//! PEP 503 package names: normalization and comparison.

/// Normalizes a distribution name per PEP 503: lower-case, runs of `-`, `_`, `.` become one `-`.
pub fn normalize(name: &str) -> String {
    // Most names arrive normal already (from a lock, an index or a name list): copy them.
    let b = name.as_bytes();
    let normal = b.iter().enumerate().all(|(i, &c)| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || (c == b'-' && i > 0 && b[i - 1] != b'-')
    }) && b.last() != Some(&b'-');
    if normal {
        return name.to_owned();
    }
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// True when `name` is a valid distribution name (PEP 508 identifier rules).
pub fn is_valid(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_runs_of_separators_and_case() {
        assert_eq!(normalize("Friendly-Bard"), "friendly-bard");
        assert_eq!(normalize("FRIENDLY._-bard"), "friendly-bard");
        assert_eq!(normalize("zope.interface"), "zope-interface");
        assert_eq!(normalize("a"), "a");
    }

    #[test]
    fn validates_names() {
        assert!(is_valid("requests"));
        assert!(is_valid("zope.interface"));
        assert!(!is_valid("-bad"));
        assert!(!is_valid("bad name"));
        assert!(!is_valid(""));
    }
}
