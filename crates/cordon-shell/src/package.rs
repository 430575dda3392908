//! Package arguments: what a requirement string on a command line names — a project (with a
//! version constraint), a URL, a VCS reference or a local path — in the PEP 508 form pip and uv
//! read, uv's `tool@version` form, and conda's `name=version` form.

use crate::args::A;
use crate::model::{PackageArg, PackageKind};

/// Normalizes a project name per PEP 503: lower-case, runs of `-`, `_`, `.` become one `-`.
pub(crate) fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
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

/// How to read a package argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// PEP 508, as pip and uv read it.
    Pep508,
    /// PEP 508, plus `name@version` / `name@latest` (uvx, `uv tool install`, poetry's
    /// `name@^2.0`).
    At,
    /// conda's match specs: `numpy=1.26`, `numpy==1.26.4`, `conda-forge::numpy>=1.2`.
    Conda,
}

const ARCHIVE_SUFFIXES: &[&str] = &[
    ".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar.xz", ".tar",
];
const VCS_PREFIXES: &[&str] = &["git+", "hg+", "svn+", "bzr+"];

fn is_vcs(s: &str) -> bool {
    VCS_PREFIXES.iter().any(|p| s.starts_with(p))
}

fn is_url(s: &str) -> bool {
    s.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'+')
    })
}

fn looks_like_path(s: &str) -> bool {
    s.starts_with(['.', '/', '~', '\\'])
        || s.starts_with("file:")
        || s.contains('/')
        || s.contains('\\')
        || s.as_bytes().get(1) == Some(&b':')
        || ARCHIVE_SUFFIXES.iter().any(|x| s.ends_with(x))
}

/// The length of a PEP 508 project name at the start of `s`.
fn name_len(s: &str) -> usize {
    let b = s.as_bytes();
    if !b.first().is_some_and(u8::is_ascii_alphanumeric) {
        return 0;
    }
    let mut n = 1;
    while b
        .get(n)
        .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
    {
        n += 1;
    }
    // A name ends with a letter or digit.
    while n > 0 && matches!(b.get(n - 1), Some(b'-' | b'_' | b'.')) {
        n -= 1;
    }
    n
}

fn compact(s: &str) -> Option<String> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (!s.is_empty()).then_some(s)
}

/// Reads one package argument.
pub(crate) fn package(arg: &A<'_>, form: Form, editable: bool) -> PackageArg {
    let text = arg.text.trim();
    let mut p = PackageArg {
        arg: arg.to_arg(),
        kind: PackageKind::Unknown,
        name: None,
        spec: None,
        editable,
    };
    if text.is_empty() || text.starts_with('$') || text.starts_with('`') {
        return p;
    }
    if is_vcs(text) {
        p.kind = PackageKind::Vcs;
        p.name = egg_name(text);
        return p;
    }
    if is_url(text) {
        p.kind = if text.starts_with("file:") {
            PackageKind::Path
        } else {
            PackageKind::Url
        };
        p.name = egg_name(text);
        return p;
    }
    if form == Form::Conda {
        return conda(p, text);
    }
    let n = name_len(text);
    let rest = text.get(n..).unwrap_or("");
    let valid_rest = rest.is_empty()
        || rest
            .trim_start()
            .starts_with(['[', '=', '<', '>', '!', '~', '@', ';', '(', ',']);
    if n == 0 || !valid_rest || (looks_like_path(text) && !rest.trim_start().starts_with('@')) {
        if looks_like_path(text) {
            p.kind = PackageKind::Path;
        }
        return p;
    }
    p.kind = PackageKind::Name;
    p.name = Some(normalize(text.get(..n).unwrap_or("")));
    // Extras.
    let mut rest = rest.trim_start();
    if let Some(after) = rest.strip_prefix('[') {
        rest = after.split_once(']').map_or("", |(_, r)| r).trim_start();
    }
    // Environment marker.
    let rest = rest.split_once(';').map_or(rest, |(r, _)| r).trim();
    if let Some(reference) = rest.strip_prefix('@') {
        let reference = reference.trim();
        if is_vcs(reference) {
            p.kind = PackageKind::Vcs;
        } else if is_url(reference) {
            p.kind = if reference.starts_with("file:") {
                PackageKind::Path
            } else {
                PackageKind::Url
            };
        } else if form == Form::At {
            // `ruff@0.6.0` is an exact version; `ruff@latest` asks for the newest release;
            // poetry also takes constraints (`requests@^2.31`).
            if reference.starts_with(|c: char| c.is_ascii_digit()) {
                p.spec = compact(reference).map(|v| format!("=={v}"));
            } else if reference != "latest" {
                p.spec = compact(reference);
            }
        } else {
            // `name @ something` that is not a URL: pip rejects it.
            p.kind = PackageKind::Unknown;
        }
        return p;
    }
    let rest = rest.trim_start_matches('(').trim_end_matches(')');
    p.spec = compact(rest);
    p
}

fn conda(mut p: PackageArg, text: &str) -> PackageArg {
    let text = text.rsplit_once("::").map_or(text, |(_, t)| t);
    if looks_like_path(text) && !text.contains(['=', '<', '>']) {
        p.kind = PackageKind::Path;
        return p;
    }
    let end = text
        .find(['=', '<', '>', '!', '~', ' ', '['])
        .unwrap_or(text.len());
    let name = text.get(..end).unwrap_or("");
    if name_len(name) != name.len() || name.is_empty() {
        return p;
    }
    p.kind = PackageKind::Name;
    p.name = Some(name.to_lowercase());
    let rest = text.get(end..).unwrap_or("").trim();
    p.spec = compact(rest);
    p
}

/// The project named by `#egg=name` in a URL, if any.
fn egg_name(url: &str) -> Option<String> {
    let frag = url.split_once('#')?.1;
    frag.split('&')
        .find_map(|kv| kv.strip_prefix("egg="))
        .filter(|n| name_len(n) == n.len() && !n.is_empty())
        .map(normalize)
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    fn read(text: &'static str, form: Form) -> PackageArg {
        let a = A {
            text: Cow::Borrowed(text),
            span: 0..text.len(),
            dynamic: text.contains('$'),
            word: None,
        };
        package(&a, form, false)
    }

    fn summary(p: &PackageArg) -> (PackageKind, Option<&str>, Option<&str>) {
        (p.kind, p.name.as_deref(), p.spec.as_deref())
    }

    #[test]
    fn names_are_normalized_per_pep_503() {
        assert_eq!(normalize("Flask_SQLAlchemy"), "flask-sqlalchemy");
        assert_eq!(normalize("zope.interface"), "zope-interface");
        assert_eq!(normalize("A--B__c"), "a-b-c");
    }

    #[test]
    fn requirement_strings_give_name_and_spec() {
        use PackageKind::Name;
        assert_eq!(
            summary(&read("requests", Form::Pep508)),
            (Name, Some("requests"), None)
        );
        assert_eq!(
            summary(&read(
                "Requests[socks] >= 2.31, <3 ; python_version>'3.8'",
                Form::Pep508
            )),
            (Name, Some("requests"), Some(">=2.31,<3"))
        );
        assert_eq!(
            summary(&read("pkg (>=1.0)", Form::Pep508)),
            (Name, Some("pkg"), Some(">=1.0"))
        );
        assert_eq!(
            summary(&read("x==$V", Form::Pep508)),
            (Name, Some("x"), Some("==$V"))
        );
    }

    #[test]
    fn urls_vcs_and_paths_are_told_apart() {
        use PackageKind::{Path, Unknown, Url, Vcs};
        assert_eq!(
            read("git+https://example.com/r.git#egg=My_Pkg", Form::Pep508).kind,
            Vcs
        );
        assert_eq!(
            read("git+https://example.com/r.git#egg=My_Pkg", Form::Pep508)
                .name
                .as_deref(),
            Some("my-pkg")
        );
        assert_eq!(
            summary(&read("pkg @ https://example.com/p.whl", Form::Pep508)),
            (Url, Some("pkg"), None)
        );
        assert_eq!(
            read("https://example.com/p-1.0.tar.gz", Form::Pep508).kind,
            Url
        );
        assert_eq!(read("file:///tmp/p.whl", Form::Pep508).kind, Path);
        assert_eq!(read(".", Form::Pep508).kind, Path);
        assert_eq!(
            read("./dist/p-1.0-py3-none-any.whl", Form::Pep508).kind,
            Path
        );
        assert_eq!(read("p-1.0.tar.gz", Form::Pep508).kind, Path);
        assert_eq!(read("$PKG", Form::Pep508).kind, Unknown);
    }

    #[test]
    fn at_form_reads_tool_versions_and_poetry_constraints() {
        use PackageKind::Name;
        assert_eq!(
            summary(&read("ruff@0.6.9", Form::At)),
            (Name, Some("ruff"), Some("==0.6.9"))
        );
        assert_eq!(
            summary(&read("ruff@latest", Form::At)),
            (Name, Some("ruff"), None)
        );
        assert_eq!(
            summary(&read("requests@^2.31", Form::At)),
            (Name, Some("requests"), Some("^2.31"))
        );
        assert_eq!(read("ruff@0.6.9", Form::Pep508).kind, PackageKind::Unknown);
    }

    #[test]
    fn conda_match_specs_drop_the_channel() {
        use PackageKind::Name;
        assert_eq!(
            summary(&read("numpy=1.26.4", Form::Conda)),
            (Name, Some("numpy"), Some("=1.26.4"))
        );
        assert_eq!(
            summary(&read("conda-forge::SciPy>=1.11", Form::Conda)),
            (Name, Some("scipy"), Some(">=1.11"))
        );
        assert_eq!(
            summary(&read("numpy 1.26.*", Form::Conda)),
            (Name, Some("numpy"), Some("1.26.*"))
        );
    }

    #[test]
    fn only_single_exact_versions_are_pins() {
        assert!(read("a==1.2.3", Form::Pep508).is_pinned());
        assert!(read("a===1.2.3", Form::Pep508).is_pinned());
        assert!(read("uv@0.5.11", Form::At).is_pinned());
        assert!(!read("a==1.*", Form::Pep508).is_pinned());
        assert!(!read("a>=1", Form::Pep508).is_pinned());
        assert!(!read("a==1,!=1.1", Form::Pep508).is_pinned());
        assert!(!read("a", Form::Pep508).is_pinned());
    }
}
