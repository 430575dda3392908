//! PEP 508 requirements as declared in a manifest, with the span of the string they came from,
//! and the questions checks ask of them (is it an exact pin? a URL? which git ref?).

use std::ops::Range;
use std::path::Path;

use pep440_rs::{Operator, VersionSpecifiers};
use pep508_rs::{Requirement, VerbatimUrl, VersionOrUrl};

use crate::name::normalize;

/// Where a declared requirement lives in `pyproject.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeclaredIn {
    /// `[project] dependencies`
    Dependencies,
    /// `[project.optional-dependencies] <extra>`
    OptionalDependencies(String),
    /// `[dependency-groups] <group>` (or the legacy `[tool.uv] dev-dependencies`, group `dev`)
    DependencyGroup(String),
}

impl DeclaredIn {
    pub fn describe(&self) -> String {
        match self {
            DeclaredIn::Dependencies => "`[project] dependencies`".to_owned(),
            DeclaredIn::OptionalDependencies(e) => format!("optional dependencies `{e}`"),
            DeclaredIn::DependencyGroup(g) => format!("dependency group `{g}`"),
        }
    }
}

/// One requirement string from a manifest.
#[derive(Debug, Clone)]
pub struct DeclaredRequirement {
    /// The string as written (without quotes).
    pub raw: String,
    /// Span of the string literal in the manifest.
    pub span: Range<usize>,
    pub declared_in: DeclaredIn,
    /// The parsed requirement, or the parse error message.
    pub parsed: Result<Requirement<VerbatimUrl>, String>,
}

/// A dependency-group entry that includes another group (`{ include-group = "dev" }`).
#[derive(Debug, Clone)]
pub struct GroupInclude {
    pub group: String,
    pub include: String,
    pub span: Range<usize>,
}

impl DeclaredRequirement {
    pub fn parse(
        raw: &str,
        span: Range<usize>,
        declared_in: DeclaredIn,
        project_dir: &Path,
    ) -> Self {
        let parsed = Requirement::<VerbatimUrl>::parse(raw, project_dir).map_err(|e| {
            // pep508_rs renders a multi-line error with a caret; keep its first line.
            e.to_string().lines().next().unwrap_or_default().to_owned()
        });
        Self {
            raw: raw.to_owned(),
            span,
            declared_in,
            parsed,
        }
    }

    /// The normalized name, if the requirement parsed.
    pub fn name(&self) -> Option<String> {
        self.parsed
            .as_ref()
            .ok()
            .map(|r| normalize(r.name.as_ref()))
    }

    pub fn specifiers(&self) -> Option<&VersionSpecifiers> {
        match self.parsed.as_ref().ok()?.version_or_url.as_ref()? {
            VersionOrUrl::VersionSpecifier(s) => Some(s),
            VersionOrUrl::Url(_) => None,
        }
    }

    /// The direct URL (`name @ url`), as written.
    pub fn url(&self) -> Option<String> {
        match self.parsed.as_ref().ok()?.version_or_url.as_ref()? {
            VersionOrUrl::Url(u) => {
                Some(u.given().map_or_else(|| u.to_string(), ToOwned::to_owned))
            }
            VersionOrUrl::VersionSpecifier(_) => None,
        }
    }

    /// The marker expression, if any, as a string.
    pub fn marker(&self) -> Option<String> {
        let r = self.parsed.as_ref().ok()?;
        r.marker.contents().map(|m| m.to_string())
    }

    pub fn extras(&self) -> Vec<String> {
        self.parsed
            .as_ref()
            .map(|r| r.extras.iter().map(ToString::to_string).collect())
            .unwrap_or_default()
    }
}

/// The version an exact pin fixes (`==1.2.3` or `===1.2.3`; `==1.2.*` is not exact).
pub fn exact_version(specifiers: &VersionSpecifiers) -> Option<String> {
    let mut iter = specifiers.iter();
    let first = iter.next()?;
    if iter.next().is_some() {
        // `==1.0,<2` is still exact in effect; accept if any specifier is an exact pin.
        return specifiers
            .iter()
            .find(|s| matches!(s.operator(), Operator::Equal | Operator::ExactEqual))
            .map(|s| s.version().to_string());
    }
    matches!(first.operator(), Operator::Equal | Operator::ExactEqual)
        .then(|| first.version().to_string())
}

/// A git reference from a `git+` URL or a `[tool.uv.sources]` git entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitRef {
    pub url: String,
    /// The `@ref` part of a `git+` URL, or the `rev`/`tag`/`branch` value.
    pub reference: Option<String>,
}

/// Splits a `git+https://host/repo@ref#fragment` URL into repository and reference.
pub fn parse_git_url(url: &str) -> Option<GitRef> {
    let rest = url.strip_prefix("git+")?;
    let rest = rest.split('#').next().unwrap_or(rest);
    // The reference follows the last `@` after the path starts (user-info `@` comes earlier).
    let path_start = rest.find("://").map_or(0, |i| i + 3);
    let path_start = rest[path_start..]
        .find('/')
        .map_or(rest.len(), |i| path_start + i);
    match rest[path_start..].rfind('@') {
        Some(i) => Some(GitRef {
            url: rest[..path_start + i].to_owned(),
            reference: Some(rest[path_start + i + 1..].to_owned()),
        }),
        None => Some(GitRef {
            url: rest.to_owned(),
            reference: None,
        }),
    }
}

/// True for a full commit hash: 40 (SHA-1) or 64 (SHA-256) hexadecimal digits.
pub fn is_full_commit(reference: &str) -> bool {
    matches!(reference.len(), 40 | 64) && reference.bytes().all(|b| b.is_ascii_hexdigit())
}

/// True when a URL carries a hash fragment (`#sha256=...`, or another algorithm uv accepts).
pub fn url_has_hash(url: &str) -> bool {
    url.split_once('#').is_some_and(|(_, frag)| {
        frag.split('&').any(|kv| {
            kv.split_once('=').is_some_and(|(k, v)| {
                matches!(k, "sha256" | "sha384" | "sha512" | "blake2b") && !v.is_empty()
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(s: &str) -> DeclaredRequirement {
        DeclaredRequirement::parse(s, 0..s.len(), DeclaredIn::Dependencies, Path::new("/tmp"))
    }

    #[test]
    fn exact_pins_are_recognized() {
        let exact = |s: &str| req(s).specifiers().and_then(exact_version);
        assert_eq!(exact("requests==2.32.3").as_deref(), Some("2.32.3"));
        assert_eq!(exact("requests===2.32.3").as_deref(), Some("2.32.3"));
        assert_eq!(
            exact("requests == 2.32.3 ; python_version >= '3.8'").as_deref(),
            Some("2.32.3")
        );
        assert_eq!(exact("requests>=2.32.3"), None);
        assert_eq!(exact("requests~=2.32"), None);
        assert_eq!(exact("requests==2.*"), None);
        assert_eq!(exact("requests"), None);
    }

    #[test]
    fn names_are_normalized_and_bad_requirements_keep_an_error() {
        assert_eq!(req("Foo_Bar[x]>=1").name().as_deref(), Some("foo-bar"));
        assert!(req("foo >>> 1").parsed.is_err());
    }

    #[test]
    fn git_urls_split_into_repo_and_reference() {
        let g = parse_git_url("git+https://example.com/org/repo.git@v1.2#egg=x").unwrap();
        assert_eq!(g.url, "https://example.com/org/repo.git");
        assert_eq!(g.reference.as_deref(), Some("v1.2"));
        let g = parse_git_url("git+ssh://git@example.com/org/repo.git").unwrap();
        assert_eq!(g.url, "ssh://git@example.com/org/repo.git");
        assert_eq!(g.reference, None);
        assert!(is_full_commit("20cc1fafee73644678859460320b80f4caadc023"));
        assert!(!is_full_commit("20cc1fa"));
        assert!(!is_full_commit("main"));
    }

    #[test]
    fn url_hash_fragments() {
        assert!(url_has_hash(
            "https://example.com/a-1.0-py3-none-any.whl#sha256=abc"
        ));
        assert!(!url_has_hash("https://example.com/a-1.0-py3-none-any.whl"));
        assert!(!url_has_hash("https://example.com/a.whl#egg=a"));
    }
}
