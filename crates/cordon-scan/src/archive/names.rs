//! Names: distribution name and version from file names and metadata, and member paths made
//! safe.

use std::fmt::Write as _;

/// File-name endings of source distributions and other archives, longest first.
const SDIST_ENDINGS: &[&str] = &[
    ".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".tbz2", ".zip", ".tar",
];

/// Distribution name and version from a wheel or sdist file name (`foo_bar-1.2.0-py3-none-any.whl`,
/// `foo-bar-1.2.0.tar.gz`), when it parses. The name is returned as written in the file name
/// (not normalised).
pub fn name_version(file_name: &str) -> Option<(String, String)> {
    let base = base_name(file_name);
    let lower = base.to_ascii_lowercase();
    for ending in [".whl", ".egg"] {
        if lower.ends_with(ending) {
            return wheel_stem(&base[..base.len() - ending.len()]);
        }
    }
    let stem = SDIST_ENDINGS
        .iter()
        .find(|ending| lower.ends_with(*ending))
        .map(|ending| &base[..base.len() - ending.len()])?;
    sdist_stem(stem)
}

/// A wheel's name and version from a file name whatever its ending (a wheel misnamed
/// `.tar.gz`), falling back to [`name_version`].
pub(crate) fn wheel_name_version(file_name: &str) -> Option<(String, String)> {
    let base = base_name(file_name);
    let lower = base.to_ascii_lowercase();
    let stem = [".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", ".tar"]
        .iter()
        .find(|ending| lower.ends_with(*ending))
        .map_or(base, |ending| &base[..base.len() - ending.len()]);
    wheel_stem(stem).or_else(|| name_version(file_name))
}

/// The last path component of `file_name` (a path or a URL; a query or fragment is dropped).
pub(crate) fn base_name(file_name: &str) -> &str {
    let end = file_name.find(['?', '#']).unwrap_or(file_name.len());
    let path = &file_name[..end];
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// `{name}-{version}(-{build})?-{python}-{abi}-{platform}` (a wheel) or
/// `{name}-{version}(-{python}(-{platform})?)?` (an egg).
fn wheel_stem(stem: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = stem.split('-').collect();
    if !(2..=6).contains(&parts.len()) || parts[0].is_empty() || !is_version(parts[1]) {
        return None;
    }
    let parsed = match parts.len() {
        5 | 6 | 2 => true,
        // Eggs: `name-version-pyX.Y(-platform)`.
        _ => parts[2].starts_with("py"),
    };
    parsed.then(|| (parts[0].to_owned(), parts[1].to_owned()))
}

/// `{name}-{version}`, where a legacy name may itself contain `-`: the version starts at the
/// last `-` followed by a digit whose remainder has no `-`, else at the first `-` followed by a
/// digit.
fn sdist_stem(stem: &str) -> Option<(String, String)> {
    let candidates: Vec<usize> = stem
        .char_indices()
        .filter(|&(i, c)| {
            c == '-' && i > 0 && stem[i + 1..].starts_with(|d: char| d.is_ascii_digit())
        })
        .map(|(i, _)| i)
        .collect();
    let split = candidates
        .iter()
        .rev()
        .find(|&&i| !stem[i + 1..].contains('-'))
        .or_else(|| candidates.first())?;
    let (name, version) = (&stem[..*split], &stem[*split + 1..]);
    is_version(version).then(|| (name.to_owned(), version.to_owned()))
}

/// Looks like a version: starts with a digit (or `v` and a digit), made of version characters.
fn is_version(s: &str) -> bool {
    let digits = s.strip_prefix(['v', 'V']).unwrap_or(s);
    digits.starts_with(|c: char| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '!' | '_' | '-'))
}

/// `Name:` and `Version:` from core metadata (`METADATA`, `PKG-INFO`): the headers before the
/// first blank line. Both must be there.
pub(crate) fn metadata_name_version(data: &[u8]) -> Option<(String, String)> {
    let (name, version) = core_metadata_name_version(&String::from_utf8_lossy(data));
    Some((name?, version?))
}

/// `Name:` and `Version:` of a core-metadata text, each when present (keys are matched without
/// regard to case; headers end at the first blank line). Shared by the readers and the
/// `metadata-mismatch` rule.
pub fn core_metadata_name_version(text: &str) -> (Option<String>, Option<String>) {
    let (mut name, mut version) = (None, None);
    for line in text.lines() {
        if line.trim().is_empty() {
            break;
        }
        if let Some((key, value)) = line.split_once(':') {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            if key.eq_ignore_ascii_case("name") && name.is_none() {
                name = Some(value.to_owned());
            } else if key.eq_ignore_ascii_case("version") && version.is_none() {
                version = Some(value.to_owned());
            }
        }
    }
    (name, version)
}

/// A member path as read from an archive, made safe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sanitised {
    /// `/`-separated, no leading `/`, no `.` or `..` components; may be empty.
    pub path: String,
    /// The raw path was absolute (`/x`, `\x`, `C:x`) or had `..` components.
    pub escapes: bool,
    /// The raw path was not valid UTF-8 (the path is a lossy conversion) or has control
    /// characters.
    pub bad_name: bool,
    /// The raw path, lossily converted, for evidence snippets.
    pub raw: String,
}

/// `raw` made safe: leading `/` and `./` stripped, `..` and `.` components dropped, `\` taken as
/// a separator too (a Windows path), a drive letter dropped; control, bidirectional and other
/// invisible characters written as `\u{..}` escapes, so a name cannot drive a terminal.
pub(crate) fn sanitise(raw: &[u8]) -> Sanitised {
    let (text, mut bad_name) = match std::str::from_utf8(raw) {
        Ok(s) => (s.to_owned(), false),
        Err(_) => (String::from_utf8_lossy(raw).into_owned(), true),
    };
    bad_name |= text
        .chars()
        .any(|c| c.is_control() || crate::safe::is_invisible(c));
    let bytes = text.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    let mut escapes = text.starts_with(['/', '\\']) || drive;
    let rest = if drive { &text[2..] } else { &text[..] };
    let mut parts: Vec<&str> = Vec::new();
    for part in rest.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => escapes = true,
            _ => parts.push(part),
        }
    }
    let mut path = String::with_capacity(rest.len());
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            path.push('/');
        }
        for c in part.chars() {
            if c.is_control() || crate::safe::is_invisible(c) {
                let _ = write!(path, "\\u{{{:x}}}", u32::from(c));
            } else {
                path.push(c);
            }
        }
    }
    Sanitised {
        path,
        escapes,
        bad_name,
        raw: text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::unnecessary_wraps)]
    fn nv(name: &str, version: &str) -> Option<(String, String)> {
        Some((name.to_owned(), version.to_owned()))
    }

    #[test]
    fn archive_name_version_of_wheels_and_sdists() {
        assert_eq!(
            name_version("foo_bar-1.2.0-py3-none-any.whl"),
            nv("foo_bar", "1.2.0")
        );
        assert_eq!(
            name_version("dir/foo-1.0-1build-cp312-cp312-manylinux_2_17_x86_64.whl"),
            nv("foo", "1.0")
        );
        assert_eq!(name_version("foo-bar-1.2.0.tar.gz"), nv("foo-bar", "1.2.0"));
        assert_eq!(name_version("foo_bar-1.2.0.tar.gz"), nv("foo_bar", "1.2.0"));
        assert_eq!(name_version("foo-2fa-0.3rc1.zip"), nv("foo-2fa", "0.3rc1"));
        assert_eq!(name_version("Foo-1.0.tgz"), nv("Foo", "1.0"));
        assert_eq!(name_version("foo-1.0.tar.bz2"), nv("foo", "1.0"));
        assert_eq!(name_version("foo-1.0.tar"), nv("foo", "1.0"));
        assert_eq!(name_version("foo-1.0-py3.8.egg"), nv("foo", "1.0"));
        assert_eq!(
            name_version("https://files.example/p/foo-1.0.tar.gz#sha256=00"),
            nv("foo", "1.0")
        );
        assert_eq!(name_version("foo.tar.gz"), None);
        assert_eq!(name_version("foo-bar.tar.gz"), None);
        assert_eq!(name_version("foo-1.0.txt"), None);
        assert_eq!(name_version("-1.0.tar.gz"), None);
        assert_eq!(name_version("foo-x-y-z.whl"), None);
        assert_eq!(
            wheel_name_version("foo-1.0-py3-none-any.tar.gz"),
            nv("foo", "1.0")
        );
        assert_eq!(wheel_name_version("foo-1.0.tar.gz"), nv("foo", "1.0"));
    }

    #[test]
    fn archive_metadata_headers() {
        let meta = b"Metadata-Version: 2.1\nName: foo-bar\nVersion: 1.0\n\nName: body\n";
        assert_eq!(metadata_name_version(meta), nv("foo-bar", "1.0"));
        assert_eq!(metadata_name_version(b"Name: x\n"), None);
    }

    #[test]
    fn archive_sanitise_paths() {
        let s = sanitise(b"./pkg/./a.py");
        assert_eq!(
            (s.path.as_str(), s.escapes, s.bad_name),
            ("pkg/a.py", false, false)
        );
        let s = sanitise(b"/etc/passwd");
        assert_eq!((s.path.as_str(), s.escapes), ("etc/passwd", true));
        let s = sanitise(b"a/../../b");
        assert_eq!((s.path.as_str(), s.escapes), ("a/b", true));
        let s = sanitise(b"..\\..\\evil.pth");
        assert_eq!((s.path.as_str(), s.escapes), ("evil.pth", true));
        let s = sanitise(b"C:\\x\\y");
        assert_eq!((s.path.as_str(), s.escapes), ("x/y", true));
        let s = sanitise(b"bad\xff.py");
        assert_eq!((s.path.as_str(), s.bad_name), ("bad\u{fffd}.py", true));
        let s = sanitise(b"esc\x1b[31m.py");
        assert_eq!((s.path.as_str(), s.bad_name), ("esc\\u{1b}[31m.py", true));
        let s = sanitise("invoice\u{202e}yp.exe".as_bytes());
        assert_eq!(
            (s.path.as_str(), s.bad_name),
            ("invoice\\u{202e}yp.exe", true)
        );
    }
}
