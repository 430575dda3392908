//! `uv.lock` (format version 1), read into validated types with byte spans: the format version
//! and revision, `[options]` (the recorded cooldown and its per-package exemptions),
//! `[manifest] members`, and every `[[package]]` with its source, artifacts (hash, size, upload
//! time), dependency edges and declared requirements (`[package.metadata]`).
//!
//! There is no serde wire mirror: every field a check reports on needs its span. The text is
//! read into a small span-keeping value tree (`tree`), then walked into the public types
//! (`read`). The tree comes from a strict scanner for the TOML `uv lock` writes (`scan`), which
//! is several times faster than `toml_edit` on a large lock; anything outside that subset, and
//! every lock with an error, is parsed by `toml_edit` instead, so TOML syntax and every error
//! message come from one place. Keys this reader does not know are ignored: uv adds fields over
//! revisions, and only `version` marks a breaking change.

mod read;
mod scan;
mod tree;

use std::ops::Range;

use jiff::Timestamp;
use toml_edit::Document;

use self::read::{LockBody, Reader};
use crate::error::{ParseError, Source};
use crate::name::normalize;

/// The newest `revision` this reader was written against. A newer revision is read (revisions
/// are backwards compatible) with a warning, since fields it added are ignored.
pub const MAX_KNOWN_REVISION: u32 = 5;

/// A value with the byte span, in the lock's text, of the text it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Range<usize>,
}

/// A parsed `uv.lock`.
#[derive(Debug, Clone)]
pub struct Lock {
    pub source: Source,
    /// Major format version; always 1 (other versions are rejected).
    pub version: u32,
    /// Minor format revision; 0 when the key is absent (locks written before uv 0.6).
    pub revision: u32,
    pub requires_python: Option<String>,
    pub options: LockOptions,
    /// `[manifest] members`: the workspace members, as written.
    pub manifest_members: Vec<String>,
    /// Every `[[package]]`, in file order. A name may appear more than once (forked resolutions).
    pub packages: Vec<LockedPackage>,
    /// Things worth telling the user that do not stop the lock from being read.
    pub warnings: Vec<LockWarning>,
}

/// A problem with the lock that does not prevent reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockWarning {
    pub span: Option<Range<usize>>,
    pub message: String,
}

/// The lock's `[options]` table, restricted to what the cooldown checks need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LockOptions {
    /// The global cutoff. Its span is that of the `exclude-newer-span` value for a relative
    /// cutoff and of the `exclude-newer` value for an absolute one.
    pub exclude_newer: Option<Spanned<LockExcludeNewer>>,
    /// `[options.exclude-newer-package]`, keyed by PEP 503 normalized name, in file order. Each
    /// span covers the whole entry (`idna = false`).
    pub exclude_newer_package: Vec<(String, Spanned<LockPackageCutoff>)>,
    /// The `[options]` header (the braces of an inline table; the `options` key when only an
    /// `[options.…]` header implies the table).
    pub span: Option<Range<usize>>,
}

/// The global cutoff as uv recorded it.
///
/// uv's reading rule: a timestamp and a span mean relative (the timestamp is a sentinel or a
/// stale computed value and is ignored), a span alone means relative, a timestamp alone means
/// absolute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockExcludeNewer {
    /// A rolling cooldown, as an ISO 8601 duration exactly as written (`P7D`, `-P1W`).
    Relative { span_iso: String },
    /// A fixed snapshot date.
    Absolute(Timestamp),
}

/// One `[options.exclude-newer-package]` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockPackageCutoff {
    /// `pkg = false`: the cooldown does not apply to this package.
    Disabled,
    /// `pkg = "2026-01-01T00:00:00Z"`, or a table with a timestamp and no span.
    Absolute(Timestamp),
    /// `pkg = { timestamp = "...", span = "P30D" }`; the span as written.
    Relative { span_iso: String },
}

/// One `[[package]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedPackage {
    /// As written; uv writes names PEP 503 normalized.
    pub name: String,
    /// Absent for source trees with a dynamic version.
    pub version: Option<String>,
    pub source: PackageSource,
    /// The `[[package]]` header (the braces, for the `package = [{ ... }]` form; the `name`
    /// value when neither has a span).
    pub span: Range<usize>,
    /// The `name` value.
    pub name_span: Range<usize>,
    /// The `source` value.
    pub source_span: Option<Range<usize>>,
    pub sdist: Option<Artifact>,
    pub wheels: Vec<Artifact>,
    /// Names of the resolved dependency edges (`dependencies = [{ name = ... }]`), as written.
    pub dependencies: Vec<String>,
    /// `[package.optional-dependencies]`: extra name → names of its resolved edges.
    pub optional_dependencies: Vec<(String, Vec<String>)>,
    /// `[package.dev-dependencies]` (alias `dependency-groups`): group → names of its edges.
    pub dev_dependencies: Vec<(String, Vec<String>)>,
    /// `[package.metadata] requires-dist`: the declared requirements.
    pub requires_dist: Vec<LockRequirement>,
    /// `[package.metadata.requires-dev]`: group → its declared requirements.
    pub requires_dev: Vec<(String, Vec<LockRequirement>)>,
    /// `[package.metadata] provides-extras`.
    pub provides_extras: Vec<String>,
}

/// Where a locked package comes from: the single key of its `source` inline table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackageSource {
    /// `{ registry = "..." }`: an index URL, or a relative path for a flat local index.
    Registry(String),
    /// `{ git = "URL?tag=..#COMMIT" }`.
    Git {
        /// The repository URL, without the query and fragment.
        url: String,
        /// The full commit after `#`, when present.
        commit: Option<String>,
        /// The requested reference as written in the query: `tag=v1.0`, `branch=main` or
        /// `rev=abc123`.
        reference: Option<String>,
    },
    /// `{ url = "..." }`: a direct archive URL.
    Url(String),
    /// `{ path = "..." }`: a local wheel or sdist.
    Path(String),
    /// `{ directory = "..." }`: a non-editable source tree.
    Directory(String),
    /// `{ editable = "..." }`: an editable source tree (workspace members included).
    Editable(String),
    /// `{ virtual = "..." }`: a project without a build system.
    Virtual(String),
}

impl PackageSource {
    /// The `source` key this came from (`registry`, `git`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Registry(_) => "registry",
            Self::Git { .. } => "git",
            Self::Url(_) => "url",
            Self::Path(_) => "path",
            Self::Directory(_) => "directory",
            Self::Editable(_) => "editable",
            Self::Virtual(_) => "virtual",
        }
    }

    /// The URL or path (for git, the repository URL).
    pub fn location(&self) -> &str {
        match self {
            Self::Registry(s)
            | Self::Url(s)
            | Self::Path(s)
            | Self::Directory(s)
            | Self::Editable(s)
            | Self::Virtual(s) => s,
            Self::Git { url, .. } => url,
        }
    }

    /// True for sources uv applies `exclude-newer` to (registries only).
    pub fn is_registry(&self) -> bool {
        matches!(self, Self::Registry(_))
    }

    /// True for the project's own trees (directory, editable, virtual), which have no
    /// artifacts and no hashes by design.
    pub fn is_local_tree(&self) -> bool {
        matches!(
            self,
            Self::Directory(_) | Self::Editable(_) | Self::Virtual(_)
        )
    }

    fn git(raw: &str) -> Self {
        let (before_fragment, commit) = match raw.split_once('#') {
            Some((url, commit)) => (url, Some(commit).filter(|c| !c.is_empty())),
            None => (raw, None),
        };
        let (url, query) = before_fragment
            .split_once('?')
            .unwrap_or((before_fragment, ""));
        let reference = query.split('&').find(|pair| {
            ["tag=", "branch=", "rev="]
                .iter()
                .any(|p| pair.starts_with(p))
        });
        Self::Git {
            url: url.to_owned(),
            commit: commit.map(str::to_owned),
            reference: reference.map(str::to_owned),
        }
    }
}

/// Whether an artifact is a source distribution or a wheel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArtifactKind {
    Sdist,
    Wheel,
}

impl ArtifactKind {
    fn key(self) -> &'static str {
        match self {
            Self::Sdist => "sdist",
            Self::Wheel => "wheels",
        }
    }
}

/// An `sdist = { ... }` or one entry of `wheels = [...]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    pub kind: ArtifactKind,
    pub url: Option<String>,
    /// `path` (local archives) or `filename` (wheels of a local archive source).
    pub path_or_filename: Option<String>,
    /// As written, `algorithm:hex` (usually but not always `sha256:`).
    pub hash: Option<String>,
    pub size: Option<u64>,
    pub upload_time: Option<Timestamp>,
    /// The artifact's inline table (or `[package.sdist]` header).
    pub span: Range<usize>,
}

/// A declared requirement from `[package.metadata]` (`requires-dist` or `requires-dev`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockRequirement {
    pub name: String,
    pub specifier: Option<String>,
    pub marker: Option<String>,
    pub extras: Vec<String>,
    /// A short description of a non-default source: `index: URL`, `git: URL`, `url: URL`,
    /// `path: P`, `editable: P`, `directory: P` or `virtual: P`.
    pub source: Option<String>,
    /// The `index` URL, when the requirement is pinned to one.
    pub index: Option<String>,
    /// The requirement's inline table.
    pub span: Range<usize>,
}

impl Lock {
    /// The first package with this name (normalized before comparing).
    pub fn package(&self, name: &str) -> Option<&LockedPackage> {
        self.packages_named(name).next()
    }

    /// Every package with this name: forked resolutions can lock several versions.
    pub fn packages_named<'a>(
        &'a self,
        name: &str,
    ) -> impl Iterator<Item = &'a LockedPackage> + 'a {
        let wanted = normalize(name);
        self.packages.iter().filter(move |p| {
            // uv writes normalized names; only a hand-edited one costs an allocation.
            p.name == wanted || (!is_normalized(&p.name) && normalize(&p.name) == wanted)
        })
    }

    /// The distinct registry URLs packages come from, in order of first appearance.
    pub fn registries(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for p in &self.packages {
            if let PackageSource::Registry(url) = &p.source
                && !out.contains(&url.as_str())
            {
                out.push(url);
            }
        }
        out
    }

    /// The cutoff recorded for a package in `[options.exclude-newer-package]`, if any.
    pub fn package_cutoff(&self, name: &str) -> Option<&Spanned<LockPackageCutoff>> {
        let wanted = normalize(name);
        self.options
            .exclude_newer_package
            .iter()
            .find(|(n, _)| *n == wanted)
            .map(|(_, c)| c)
    }
}

/// True when `name` is already in PEP 503 normal form (lower-case, single `-` separators).
fn is_normalized(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.first() != Some(&b'-')
        && b.last() != Some(&b'-')
        && !name.contains("--")
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
}

impl LockedPackage {
    /// The sdist, then the wheels.
    pub fn artifacts(&self) -> impl Iterator<Item = &Artifact> {
        self.sdist.iter().chain(&self.wheels)
    }

    /// The newest `upload-time` among the artifacts, with that artifact's span.
    pub fn newest_upload_time(&self) -> Option<(Timestamp, Range<usize>)> {
        self.artifacts()
            .filter_map(|a| a.upload_time.map(|t| (t, a.span.clone())))
            .max_by_key(|(t, _)| *t)
    }

    /// True when some artifact lacks an `upload-time`.
    pub fn has_artifact_without_upload_time(&self) -> bool {
        self.artifacts().any(|a| a.upload_time.is_none())
    }
}

/// Reads a `uv.lock`. Syntax errors, an unsupported `version` and wrongly typed known fields
/// are errors at the offending span; unknown keys are ignored.
pub fn parse_lock(source: Source) -> Result<Lock, ParseError> {
    let body = match read_fast(&source) {
        Some(body) => body,
        None => read_full(&source)?,
    };
    Ok(Lock {
        source,
        version: body.version,
        revision: body.revision,
        requires_python: body.requires_python,
        options: body.options,
        manifest_members: body.manifest_members,
        packages: body.packages,
        warnings: body.warnings,
    })
}

/// The fast path: uv's own output read by the strict scanner. `None` for anything else,
/// including a lock with errors, so that every error comes from [`read_full`].
fn read_fast(source: &Source) -> Option<LockBody> {
    let tree = scan::scan(&source.text)?;
    Reader {
        path: &source.path,
        tree: &tree,
    }
    .lock()
    .ok()
}

/// The general path: any TOML `toml_edit` reads, with its syntax errors.
fn read_full(source: &Source) -> Result<LockBody, ParseError> {
    let doc = Document::parse(&*source.text).map_err(|e| ParseError::toml(source, &e))?;
    let tree = tree::from_document(&doc);
    Reader {
        path: &source.path,
        tree: &tree,
    }
    .lock()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::path::Path;

    use super::*;

    const LOCK: &str = r#"version = 1
revision = 3
requires-python = ">=3.12"
resolution-markers = [
    "python_full_version >= '3.13'",
    "python_full_version < '3.13'",
]

[options]
exclude-newer = "0001-01-01T00:00:00Z" # This has no effect and is included for backwards compatibility when using relative exclude-newer values.
exclude-newer-span = "P7D"

[options.exclude-newer-package]
certifi = { timestamp = "0001-01-01T00:00:00Z", span = "P30D" }
idna = false
Zope_Interface = "2026-01-01T00:00:00Z"

[manifest]
members = [
    "member",
    "root",
]
constraints = [{ name = "six", specifier = "<2" }]

[[package]]
name = "certifi"
version = "2026.10.5"
source = { registry = "https://example.com/simple" }
sdist = { url = "https://example.com/files/certifi-2026.10.5.tar.gz", hash = "sha256:aaaa", size = 164000, upload-time = "2026-10-05T12:00:01Z" }
wheels = [
    { url = "https://example.com/files/certifi-2026.10.5-py3-none-any.whl", hash = "sha256:bbbb", size = 159000, upload-time = "2026-10-05T12:00:03.398Z" },
]

[[package]]
name = "gitpkg"
version = "0.2.0"
source = { git = "https://example.com/org/gitpkg.git?tag=v0.2.0#20cc1fafee73644678859460320b80f4caadc023" }

[[package]]
name = "idna"
version = "3.10"
source = { registry = "http://127.0.0.1:8080/simple" }
resolution-markers = [
    "python_full_version < '3.13'",
]
wheels = [
    { url = "http://127.0.0.1:8080/files/idna-3.10-py3-none-any.whl", hash = "sha512:cafe", size = 70000, upload-time = "2026-01-02T03:04:05Z" },
]

[[package]]
name = "idna"
version = "3.11"
source = { registry = "https://example.com/simple" }
sdist = { url = "https://example.com/files/idna-3.11.tar.gz", hash = "sha256:eeee", size = 194000, upload-time = "2026-09-30T04:39:23.398Z" }
wheels = [
    { url = "https://example.com/files/idna-3.11-py3-none-any.whl", hash = "sha256:ffff", size = 71000, upload-time = "2026-10-22T00:02:38Z" },
    { url = "https://example.com/files/idna-3.11-py2-none-any.whl", hash = "sha256:0000", size = 71001 },
]

[[package]]
name = "iniconfig"
version = "2.1.0"
source = { url = "https://example.com/files/iniconfig-2.1.0-py3-none-any.whl" }
wheels = [
    { url = "https://example.com/files/iniconfig-2.1.0-py3-none-any.whl", hash = "sha256:cccc" },
]

[[package]]
name = "localdir"
version = "1.0.0"
source = { directory = "libs/localdir" }

[[package]]
name = "localwheel"
version = "1.0.0"
source = { path = "dist/localwheel-1.0.0-py3-none-any.whl" }
wheels = [
    { filename = "localwheel-1.0.0-py3-none-any.whl", hash = "sha256:dddd" },
]

[[package]]
name = "member"
version = "0.1.0"
source = { editable = "packages/member" }
dependencies = [
    { name = "idna", version = "3.11", source = { registry = "https://example.com/simple" }, marker = "python_full_version >= '3.13'" },
]

[package.metadata]
requires-dist = [{ name = "idna", specifier = "==3.11", index = "http://127.0.0.1:8080/simple" }]

[[package]]
name = "root"
source = { virtual = "." }
dependencies = [
    { name = "certifi" },
    { name = "gitpkg" },
    { name = "member" },
    { name = "requests", extra = ["socks"] },
]

[package.optional-dependencies]
socks = [
    { name = "pysocks" },
]

[package.dev-dependencies]
dev = [
    { name = "packaging" },
]

[package.metadata]
requires-dist = [
    { name = "certifi", specifier = "==2026.10.5" },
    { name = "gitpkg", git = "https://example.com/org/gitpkg.git?tag=v0.2.0" },
    { name = "iniconfig", url = "https://example.com/files/iniconfig-2.1.0-py3-none-any.whl" },
    { name = "localdir", directory = "libs/localdir" },
    { name = "localwheel", path = "dist/localwheel-1.0.0-py3-none-any.whl" },
    { name = "member", editable = "packages/member" },
    { name = "pysocks", marker = "extra == 'socks'", specifier = "==1.7.1" },
    { name = "requests", extras = ["socks"], specifier = "==2.32.5" },
]
provides-extras = ["socks"]

[package.metadata.requires-dev]
dev = [{ name = "packaging", specifier = "==26.3" }]
"#;

    fn parse(text: &str) -> Result<Lock, ParseError> {
        parse_lock(Source::from_string("uv.lock", text))
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    /// The text a span points at.
    fn at<'t>(text: &'t str, span: &Range<usize>) -> &'t str {
        &text[span.clone()]
    }

    /// The error a lock text produces; panics when it parses.
    fn error(text: &str) -> ParseError {
        parse(text).expect_err("the lock should be rejected")
    }

    fn minimal(package_body: &str) -> String {
        format!("version = 1\nrevision = 3\n\n[[package]]\n{package_body}")
    }

    #[test]
    fn reads_header_options_and_manifest() {
        let lock = parse(LOCK).unwrap();
        assert_eq!(lock.version, 1);
        assert_eq!(lock.revision, 3);
        assert_eq!(lock.requires_python.as_deref(), Some(">=3.12"));
        assert_eq!(lock.manifest_members, ["member", "root"]);
        assert!(lock.warnings.is_empty());
        assert_eq!(lock.source.path, Path::new("uv.lock"));

        let options = &lock.options;
        assert_eq!(at(LOCK, options.span.as_ref().unwrap()), "[options]");
        let global = options.exclude_newer.as_ref().unwrap();
        assert_eq!(
            global.value,
            LockExcludeNewer::Relative {
                span_iso: "P7D".into()
            }
        );
        assert_eq!(at(LOCK, &global.span), "\"P7D\"");

        let names: Vec<&str> = options
            .exclude_newer_package
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        assert_eq!(names, ["certifi", "idna", "zope-interface"]);
        let [(_, certifi), (_, idna), (_, zope)] = &options.exclude_newer_package[..] else {
            panic!("three exemptions expected");
        };
        assert_eq!(
            certifi.value,
            LockPackageCutoff::Relative {
                span_iso: "P30D".into()
            }
        );
        assert_eq!(
            at(LOCK, &certifi.span),
            r#"certifi = { timestamp = "0001-01-01T00:00:00Z", span = "P30D" }"#
        );
        assert_eq!(idna.value, LockPackageCutoff::Disabled);
        assert_eq!(at(LOCK, &idna.span), "idna = false");
        assert_eq!(
            zope.value,
            LockPackageCutoff::Absolute(ts("2026-01-01T00:00:00Z"))
        );
        assert_eq!(
            at(LOCK, &zope.span),
            r#"Zope_Interface = "2026-01-01T00:00:00Z""#
        );
        assert_eq!(
            lock.package_cutoff("zope.interface").map(|c| &c.value),
            Some(&zope.value)
        );
        assert_eq!(lock.package_cutoff("requests"), None);
    }

    #[test]
    fn reads_registry_package_with_artifacts() {
        let lock = parse(LOCK).unwrap();
        let certifi = lock.package("certifi").unwrap();
        assert_eq!(certifi.name, "certifi");
        assert_eq!(certifi.version.as_deref(), Some("2026.10.5"));
        assert_eq!(
            certifi.source,
            PackageSource::Registry("https://example.com/simple".into())
        );
        assert_eq!(at(LOCK, &certifi.span), "[[package]]");
        assert!(LOCK[certifi.span.end..].starts_with("\nname = \"certifi\""));
        assert_eq!(at(LOCK, &certifi.name_span), "\"certifi\"");
        assert_eq!(
            at(LOCK, certifi.source_span.as_ref().unwrap()),
            r#"{ registry = "https://example.com/simple" }"#
        );

        let sdist = certifi.sdist.as_ref().unwrap();
        assert_eq!(
            *sdist,
            Artifact {
                kind: ArtifactKind::Sdist,
                url: Some("https://example.com/files/certifi-2026.10.5.tar.gz".into()),
                path_or_filename: None,
                hash: Some("sha256:aaaa".into()),
                size: Some(164_000),
                upload_time: Some(ts("2026-10-05T12:00:01Z")),
                span: sdist.span.clone(),
            }
        );
        assert_eq!(
            at(LOCK, &sdist.span),
            r#"{ url = "https://example.com/files/certifi-2026.10.5.tar.gz", hash = "sha256:aaaa", size = 164000, upload-time = "2026-10-05T12:00:01Z" }"#
        );

        let [wheel] = &certifi.wheels[..] else {
            panic!("one wheel expected")
        };
        assert_eq!(wheel.kind, ArtifactKind::Wheel);
        assert_eq!(
            wheel.url.as_deref(),
            Some("https://example.com/files/certifi-2026.10.5-py3-none-any.whl")
        );
        assert_eq!(wheel.hash.as_deref(), Some("sha256:bbbb"));
        assert_eq!(wheel.size, Some(159_000));
        // Fractional seconds are kept.
        assert_eq!(wheel.upload_time, Some(ts("2026-10-05T12:00:03.398Z")));
        assert!(
            at(LOCK, &wheel.span)
                .starts_with("{ url = \"https://example.com/files/certifi-2026.10.5-py3")
        );
        assert!(at(LOCK, &wheel.span).ends_with("upload-time = \"2026-10-05T12:00:03.398Z\" }"));

        let (newest, span) = certifi.newest_upload_time().unwrap();
        assert_eq!(newest, ts("2026-10-05T12:00:03.398Z"));
        assert_eq!(span, wheel.span);
        assert!(!certifi.has_artifact_without_upload_time());
        assert!(certifi.dependencies.is_empty() && certifi.requires_dist.is_empty());
    }

    #[test]
    fn keeps_forked_duplicates_and_artifacts_without_upload_time() {
        let lock = parse(LOCK).unwrap();
        let versions: Vec<_> = lock
            .packages_named("IDNA")
            .map(|p| p.version.as_deref())
            .collect();
        assert_eq!(versions, [Some("3.10"), Some("3.11")]);
        assert_eq!(
            lock.package("idna").unwrap().version.as_deref(),
            Some("3.10")
        );
        assert!(lock.package("nope").is_none());
        assert!(is_normalized("zope-interface") && is_normalized("a1"));
        assert!(!is_normalized("Zope.Interface") && !is_normalized("a--b") && !is_normalized("-a"));

        let new = lock.packages_named("idna").nth(1).unwrap();
        assert_eq!(
            new.sdist.as_ref().unwrap().upload_time,
            Some(ts("2026-09-30T04:39:23.398Z"))
        );
        assert_eq!(new.wheels.len(), 2);
        assert_eq!(new.wheels[1].upload_time, None);
        assert!(new.has_artifact_without_upload_time());
        assert_eq!(
            new.newest_upload_time().unwrap().0,
            ts("2026-10-22T00:02:38Z")
        );
        assert_eq!(new.artifacts().count(), 3);

        let old = lock.package("idna").unwrap();
        assert_eq!(old.wheels[0].hash.as_deref(), Some("sha512:cafe"));
        assert_eq!(
            old.source,
            PackageSource::Registry("http://127.0.0.1:8080/simple".into())
        );
        assert_eq!(
            lock.registries(),
            ["https://example.com/simple", "http://127.0.0.1:8080/simple"]
        );
    }

    #[test]
    fn reads_every_source_kind() {
        let lock = parse(LOCK).unwrap();
        let source = |name: &str| &lock.package(name).unwrap().source;
        assert_eq!(
            *source("gitpkg"),
            PackageSource::Git {
                url: "https://example.com/org/gitpkg.git".into(),
                commit: Some("20cc1fafee73644678859460320b80f4caadc023".into()),
                reference: Some("tag=v0.2.0".into()),
            }
        );
        assert_eq!(
            *source("iniconfig"),
            PackageSource::Url("https://example.com/files/iniconfig-2.1.0-py3-none-any.whl".into())
        );
        assert_eq!(
            *source("localwheel"),
            PackageSource::Path("dist/localwheel-1.0.0-py3-none-any.whl".into())
        );
        assert_eq!(
            *source("localdir"),
            PackageSource::Directory("libs/localdir".into())
        );
        assert_eq!(
            *source("member"),
            PackageSource::Editable("packages/member".into())
        );
        assert_eq!(*source("root"), PackageSource::Virtual(".".into()));
        assert_eq!(source("gitpkg").kind(), "git");
        assert_eq!(
            source("gitpkg").location(),
            "https://example.com/org/gitpkg.git"
        );
        assert!(source("root").is_local_tree() && !source("root").is_registry());

        // A direct URL's wheel has a hash but neither size nor upload time.
        let url_wheel = &lock.package("iniconfig").unwrap().wheels[0];
        assert_eq!(
            (
                url_wheel.hash.as_deref(),
                url_wheel.size,
                url_wheel.upload_time
            ),
            (Some("sha256:cccc"), None, None)
        );
        let local = &lock.package("localwheel").unwrap().wheels[0];
        assert_eq!(local.url, None);
        assert_eq!(
            local.path_or_filename.as_deref(),
            Some("localwheel-1.0.0-py3-none-any.whl")
        );
        assert!(
            lock.package("localdir")
                .unwrap()
                .artifacts()
                .next()
                .is_none()
        );
        assert_eq!(lock.package("root").unwrap().version, None);
    }

    #[test]
    fn git_source_forms() {
        let git = PackageSource::git;
        assert_eq!(
            git("https://example.com/r.git?subdirectory=pkg&branch=main#0123"),
            PackageSource::Git {
                url: "https://example.com/r.git".into(),
                commit: Some("0123".into()),
                reference: Some("branch=main".into()),
            }
        );
        assert_eq!(
            git("https://example.com/r.git"),
            PackageSource::Git {
                url: "https://example.com/r.git".into(),
                commit: None,
                reference: None
            }
        );
        assert_eq!(
            git("ssh://git@example.com/r.git?rev=abc#"),
            PackageSource::Git {
                url: "ssh://git@example.com/r.git".into(),
                commit: None,
                reference: Some("rev=abc".into()),
            }
        );
    }

    #[test]
    fn reads_dependency_edges_and_declared_requirements() {
        let lock = parse(LOCK).unwrap();
        let member = lock.package("member").unwrap();
        assert_eq!(member.dependencies, ["idna"]);
        let [req] = &member.requires_dist[..] else {
            panic!("one requirement expected")
        };
        assert_eq!(
            *req,
            LockRequirement {
                name: "idna".into(),
                specifier: Some("==3.11".into()),
                marker: None,
                extras: vec![],
                source: Some("index: http://127.0.0.1:8080/simple".into()),
                index: Some("http://127.0.0.1:8080/simple".into()),
                span: req.span.clone(),
            }
        );
        assert_eq!(
            at(LOCK, &req.span),
            r#"{ name = "idna", specifier = "==3.11", index = "http://127.0.0.1:8080/simple" }"#
        );

        let root = lock.package("root").unwrap();
        assert_eq!(
            root.dependencies,
            ["certifi", "gitpkg", "member", "requests"]
        );
        assert_eq!(
            root.optional_dependencies,
            [("socks".to_owned(), vec!["pysocks".to_owned()])]
        );
        assert_eq!(
            root.dev_dependencies,
            [("dev".to_owned(), vec!["packaging".to_owned()])]
        );
        assert_eq!(root.provides_extras, ["socks"]);

        let described: Vec<(&str, Option<&str>)> = root
            .requires_dist
            .iter()
            .map(|r| (r.name.as_str(), r.source.as_deref()))
            .collect();
        assert_eq!(
            described,
            [
                ("certifi", None),
                (
                    "gitpkg",
                    Some("git: https://example.com/org/gitpkg.git?tag=v0.2.0")
                ),
                (
                    "iniconfig",
                    Some("url: https://example.com/files/iniconfig-2.1.0-py3-none-any.whl")
                ),
                ("localdir", Some("directory: libs/localdir")),
                (
                    "localwheel",
                    Some("path: dist/localwheel-1.0.0-py3-none-any.whl")
                ),
                ("member", Some("editable: packages/member")),
                ("pysocks", None),
                ("requests", None),
            ]
        );
        let certifi = &root.requires_dist[0];
        assert_eq!(certifi.specifier.as_deref(), Some("==2026.10.5"));
        assert_eq!(
            at(LOCK, &certifi.span),
            r#"{ name = "certifi", specifier = "==2026.10.5" }"#
        );
        let pysocks = &root.requires_dist[6];
        assert_eq!(pysocks.marker.as_deref(), Some("extra == 'socks'"));
        assert_eq!(pysocks.specifier.as_deref(), Some("==1.7.1"));
        let requests = &root.requires_dist[7];
        assert_eq!(requests.extras, ["socks"]);
        assert_eq!(requests.index, None);

        let [(group, dev)] = &root.requires_dev[..] else {
            panic!("one dev group expected")
        };
        assert_eq!(group, "dev");
        assert_eq!(dev[0].name, "packaging");
        assert_eq!(dev[0].specifier.as_deref(), Some("==26.3"));
        assert_eq!(
            at(LOCK, &dev[0].span),
            r#"{ name = "packaging", specifier = "==26.3" }"#
        );
    }

    #[test]
    fn exclude_newer_reading_rule() {
        let options = |body: &str| {
            parse(&format!("version = 1\n[options]\n{body}"))
                .unwrap()
                .options
        };
        let text = "version = 1\n[options]\nexclude-newer = \"2026-11-01T00:00:00Z\"\n";
        let absolute = parse(text).unwrap().options.exclude_newer.unwrap();
        assert_eq!(
            absolute.value,
            LockExcludeNewer::Absolute(ts("2026-11-01T00:00:00Z"))
        );
        assert_eq!(at(text, &absolute.span), "\"2026-11-01T00:00:00Z\"");
        // A computed timestamp written by uv before 0.11.8 is ignored next to a span.
        let stale = options(
            "exclude-newer = \"2026-04-08T13:22:04.171477384Z\"\nexclude-newer-span = \"-P1W\"\n",
        );
        assert_eq!(
            stale.exclude_newer.unwrap().value,
            LockExcludeNewer::Relative {
                span_iso: "-P1W".into()
            }
        );
        let span_only = options("exclude-newer-span = \"PT10080M\"\n");
        assert_eq!(
            span_only.exclude_newer.unwrap().value,
            LockExcludeNewer::Relative {
                span_iso: "PT10080M".into()
            }
        );
        assert_eq!(options("fork-strategy = \"fewest\"\n").exclude_newer, None);
        assert_eq!(options("exclude-newer = false\n").exclude_newer, None);
        assert_eq!(
            parse("version = 1\n").unwrap().options,
            LockOptions::default()
        );
        // A `{ timestamp }` table without a span is an absolute cutoff.
        let package = options(
            "[options.exclude-newer-package]\nsix = { timestamp = \"2026-02-03T04:05:06Z\" }\n",
        );
        assert_eq!(
            package.exclude_newer_package,
            [(
                "six".to_owned(),
                Spanned {
                    value: LockPackageCutoff::Absolute(ts("2026-02-03T04:05:06Z")),
                    span: package.exclude_newer_package[0].1.span.clone(),
                }
            )]
        );
    }

    #[test]
    fn unsupported_version_points_at_the_value() {
        let text = "version = 2\nrevision = 1\n";
        let err = error(text);
        assert_eq!(
            err.message,
            "unsupported uv.lock version `2`; cordon understands version 1"
        );
        assert_eq!(at(text, err.span.as_ref().unwrap()), "2");
        assert!(err.help.is_some());
        assert_eq!(err.path, Path::new("uv.lock"));
        // The version wins over any other problem in a file of another major version.
        let err = error("version = 2\n[[package]]\nsize = 1\n");
        assert!(
            err.message.starts_with("unsupported uv.lock version"),
            "{}",
            err.message
        );
    }

    #[test]
    fn newer_revision_is_a_warning() {
        let text = "version = 1\nrevision = 9\n";
        let lock = parse(text).unwrap();
        assert_eq!(lock.revision, 9);
        let [warning] = &lock.warnings[..] else {
            panic!("one warning expected")
        };
        assert_eq!(
            warning.message,
            "uv.lock revision 9 is newer than cordon knows (5); some fields may be ignored"
        );
        assert_eq!(at(text, warning.span.as_ref().unwrap()), "9");
        assert!(
            parse("version = 1\nrevision = 5\n")
                .unwrap()
                .warnings
                .is_empty()
        );
        assert_eq!(parse("version = 1\n").unwrap().revision, 0);
    }

    #[test]
    fn missing_version_empty_and_foreign_files_are_not_locks() {
        for text in [
            "",
            "\n# just a comment\n",
            "[project]\nname = \"demo\"\nversion = \"1.0\"\n",
            "revision = 3\n",
        ] {
            let err = error(text);
            assert_eq!(
                err.message, "not a uv lockfile: no `version` key",
                "{text:?}"
            );
            assert_eq!(
                err.help.as_deref(),
                Some("`uv.lock` files are written by `uv lock`")
            );
        }
    }

    #[test]
    fn garbage_toml_is_a_syntax_error_with_a_span() {
        for text in [
            "version = 1\n[[package]\nname = \"x\"",
            "\u{0}\u{1}garbage = = =",
            "version = 1\nversion = 1\n",
        ] {
            let err = error(text);
            assert!(
                err.message.starts_with("invalid TOML"),
                "{text:?}: {}",
                err.message
            );
            assert!(err.span.is_some());
        }
    }

    #[test]
    fn wrong_types_name_the_key_and_point_at_the_value() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "version = \"1\"\n",
                "`version` must be an integer, found a string",
                "\"1\"",
            ),
            (
                "version = 1\nrevision = -1\n",
                "`revision` must be a small non-negative integer, found -1",
                "-1",
            ),
            (
                "version = 1\nrevision = 1.5\n",
                "`revision` must be an integer, found a float",
                "1.5",
            ),
            (
                "version = 1\nrequires-python = 3\n",
                "`requires-python` must be a string, found an integer",
                "3",
            ),
            (
                "version = 1\npackage = \"x\"\n",
                "`package` must be an array of tables, found a string",
                "\"x\"",
            ),
            (
                "version = 1\npackage = [1]\n",
                "`package` must hold tables, found an integer",
                "1",
            ),
            (
                "version = 1\noptions = 1\n",
                "`options` must be a table, found an integer",
                "1",
            ),
            (
                "version = 1\n[manifest]\nmembers = [\"a\", 2]\n",
                "`members` in `[manifest]` must hold strings, found an integer",
                "2",
            ),
            (
                "version = 1\n[options]\nexclude-newer = \"last tuesday\"\n",
                "`exclude-newer` in `[options]` is not an RFC 3339 timestamp `last tuesday`",
                "\"last tuesday\"",
            ),
            (
                "version = 1\n[options]\nexclude-newer-span = \"7 days\"\n",
                "`exclude-newer-span` in `[options]` is not an ISO 8601 duration: `7 days`",
                "\"7 days\"",
            ),
            (
                "version = 1\n[options.exclude-newer-package]\nidna = true\n",
                "`idna` in `[options.exclude-newer-package]` must be `false`, a timestamp or a table, found `true`",
                "true",
            ),
            (
                "version = 1\n[options.exclude-newer-package]\nidna = 3\n",
                "`idna` in `[options.exclude-newer-package]` must be `false`, a timestamp string or a table, found an integer",
                "3",
            ),
            (
                "version = 1\n[options.exclude-newer-package]\nidna = {}\n",
                "`idna` in `[options.exclude-newer-package]` has neither `timestamp` nor `span`",
                "{}",
            ),
        ];
        for (text, message, snippet) in cases {
            let err = error(text);
            assert!(
                err.message.starts_with(message),
                "{text:?}: got {:?}",
                err.message
            );
            assert_eq!(
                at(text, err.span.as_ref().expect("a span")),
                *snippet,
                "{text:?}"
            );
        }
    }

    #[test]
    fn wrong_package_fields_name_the_key_and_package() {
        let source = "source = { registry = \"https://example.com/simple\" }\n";
        let cases: Vec<(String, &str, &str)> = vec![
            (
                minimal("version = \"1.0\"\n"),
                "a `[[package]]` entry has no `name`",
                "[[package]]",
            ),
            (
                minimal("name = 5\n"),
                "`name` in `[[package]]` must be a string, found an integer",
                "5",
            ),
            (
                minimal("name = \"a\"\nversion = \"1\"\n"),
                "package `a` has no `source`",
                "[[package]]",
            ),
            (
                minimal("name = \"a\"\nsource = \"https://example.com/simple\"\n"),
                "`source` in package `a` must be an inline table, found a string",
                "\"https://example.com/simple\"",
            ),
            (
                minimal("name = \"a\"\nsource = { registry = 1 }\n"),
                "`registry` in `source` of package `a` must be a string, found an integer",
                "1",
            ),
            (
                minimal("name = \"a\"\nsource = { foo = \"x\" }\n"),
                "`source` of package `a` has no known kind",
                "{ foo = \"x\" }",
            ),
            (
                minimal("name = \"a\"\nsource = { path = \"x\", url = \"y\" }\n"),
                "`source` of package `a` has both `url` and `path`",
                "\"x\"",
            ),
            (
                minimal(&format!(
                    "name = \"a\"\n{source}sdist = {{ size = \"12\" }}\n"
                )),
                "`size` in `sdist` of package `a` must be an integer, found a string",
                "\"12\"",
            ),
            (
                minimal(&format!("name = \"a\"\n{source}sdist = {{ size = -12 }}\n")),
                "`size` in `sdist` of package `a` must not be negative, found -12",
                "-12",
            ),
            (
                minimal(&format!("name = \"a\"\n{source}sdist = \"a.tar.gz\"\n")),
                "`sdist` in package `a` must be an inline table, found a string",
                "\"a.tar.gz\"",
            ),
            (
                minimal(&format!(
                    "name = \"a\"\n{source}wheels = [{{ upload-time = \"2026-13-01T00:00:00Z\" }}]\n"
                )),
                "`upload-time` in `wheels` of package `a` is not an RFC 3339 timestamp `2026-13-01T00:00:00Z`",
                "\"2026-13-01T00:00:00Z\"",
            ),
            (
                minimal(&format!(
                    "name = \"a\"\n{source}wheels = [{{ upload-time = 20260101 }}]\n"
                )),
                "`upload-time` in `wheels` of package `a` must be an RFC 3339 timestamp string, found an integer",
                "20260101",
            ),
            (
                minimal(&format!(
                    "name = \"a\"\n{source}wheels = {{ url = \"x\" }}\n"
                )),
                "`wheels` in package `a` must be an array of tables, found an inline table",
                "{ url = \"x\" }",
            ),
            (
                minimal(&format!("name = \"a\"\n{source}wheels = [\"x.whl\"]\n")),
                "`wheels` in package `a` must hold tables, found a string",
                "\"x.whl\"",
            ),
            (
                minimal(&format!(
                    "name = \"a\"\n{source}dependencies = [{{ version = \"1\" }}]\n"
                )),
                "missing `name` in `dependencies` of package `a`",
                "{ version = \"1\" }",
            ),
            (
                minimal(&format!(
                    "name = \"a\"\n{source}[package.metadata]\nrequires-dist = [{{ name = \"b\", extras = \"x\" }}]\n"
                )),
                "`extras` in `requires-dist` of package `a` must be an array of strings, found a string",
                "\"x\"",
            ),
            (
                minimal(&format!(
                    "name = \"a\"\n{source}[package.metadata]\nrequires-dist = \"b\"\n"
                )),
                "`requires-dist` in `metadata` of package `a` must be an array of tables, found a string",
                "\"b\"",
            ),
            (
                minimal(&format!(
                    "name = \"a\"\n{source}[package.metadata.requires-dev]\ndev = [{{ name = 1 }}]\n"
                )),
                "`name` in `requires-dev` group `dev` of package `a` must be a string, found an integer",
                "1",
            ),
            (
                minimal(&format!(
                    "name = \"a\"\n{source}[package.dev-dependencies]\ndev = 1\n"
                )),
                "`dev` in `dev-dependencies` group `dev` of package `a` must be an array of tables, found an integer",
                "1",
            ),
        ];
        for (text, message, snippet) in &cases {
            let err = error(text);
            assert!(
                err.message.starts_with(message),
                "{text}\ngot {:?}",
                err.message
            );
            assert_eq!(
                at(text, err.span.as_ref().expect("a span")),
                *snippet,
                "{text}"
            );
        }
    }

    #[test]
    fn unknown_keys_and_other_table_forms_are_accepted() {
        let text = r#"version = 1
revision = 5
future-top-level = { anything = [1, 2] }
package = [
    { name = "a", version = "1", source = { registry = "https://example.com/simple", future = true }, wheels = [{ url = "https://example.com/a.whl", zstd = { hash = "x" } }] },
]
"#;
        let lock = parse(text).unwrap();
        let a = lock.package("a").unwrap();
        assert!(at(text, &a.span).starts_with("{ name = \"a\""));
        assert_eq!(
            a.wheels[0].url.as_deref(),
            Some("https://example.com/a.whl")
        );

        // `[package.sdist]` written as a standard table, and a TOML datetime for upload-time.
        let text = minimal(
            "name = \"b\"\nsource = { registry = \"https://example.com/simple\" }\n\n[package.sdist]\nurl = \"https://example.com/b.tar.gz\"\nupload-time = 2026-10-22T00:02:38Z\n",
        );
        let lock = parse(&text).unwrap();
        let sdist = lock.packages[0].sdist.as_ref().unwrap();
        assert_eq!(sdist.upload_time, Some(ts("2026-10-22T00:02:38Z")));
        assert_eq!(at(&text, &sdist.span), "[package.sdist]");
    }

    #[test]
    fn truncated_files_never_panic() {
        // Every prefix of a real lock: each is either read or rejected, never a panic.
        for end in (0..=LOCK.len()).filter(|&i| LOCK.is_char_boundary(i)) {
            let text = &LOCK[..end];
            if let Err(ParseError {
                span: Some(span), ..
            }) = parse(text)
            {
                assert!(
                    span.start <= span.end && span.end <= text.len(),
                    "{end}: {span:?}"
                );
            }
        }
        // Nesting far deeper than any lock, in every place a value can go.
        let deep = format!(
            "version = 1\nx = {}{}\n",
            "[".repeat(5000),
            "]".repeat(5000)
        );
        assert!(parse(&deep).is_err());
        let deep = format!(
            "version = 1\nx = {}1{}\n",
            "{ a = ".repeat(5000),
            " }".repeat(5000)
        );
        assert!(parse(&deep).is_err());
    }

    /// A lock of `n` registry packages with an sdist and three wheels each.
    pub(super) fn generated_lock(n: usize) -> String {
        use std::fmt::Write as _;
        let mut text = String::from(
            "version = 1\nrevision = 3\nrequires-python = \">=3.12\"\n\n[options]\nexclude-newer-span = \"P7D\"\n",
        );
        for i in 0..n {
            let _ = write!(
                text,
                r#"
[[package]]
name = "pkg-{i}"
version = "1.{i}.0"
source = {{ registry = "https://example.com/simple" }}
dependencies = [
    {{ name = "pkg-{a}" }},
    {{ name = "pkg-{b}", marker = "sys_platform == 'win32'" }},
]
sdist = {{ url = "https://example.com/files/pkg_{i}-1.{i}.0.tar.gz", hash = "sha256:{h:064x}", size = {s0}, upload-time = "2026-09-30T04:39:23.398Z" }}
wheels = [
    {{ url = "https://example.com/files/pkg_{i}-1.{i}.0-cp312-cp312-manylinux_2_17_x86_64.whl", hash = "sha256:{h:064x}", size = {s1}, upload-time = "2026-09-30T04:39:24Z" }},
    {{ url = "https://example.com/files/pkg_{i}-1.{i}.0-cp312-cp312-macosx_11_0_arm64.whl", hash = "sha256:{h:064x}", size = {s2}, upload-time = "2026-09-30T04:39:25Z" }},
    {{ url = "https://example.com/files/pkg_{i}-1.{i}.0-cp312-cp312-win_amd64.whl", hash = "sha256:{h:064x}", size = {s3}, upload-time = "2026-09-30T04:39:26.5Z" }},
]
"#,
                a = (i + 1) % n,
                b = (i + 7) % n,
                h = i,
                s0 = i * 1000,
                s1 = i * 1000 + 1,
                s2 = i * 1000 + 2,
                s3 = i * 1000 + 3,
            );
        }
        text
    }

    #[test]
    fn large_generated_lock_parses() {
        let text = generated_lock(3000);
        let started = std::time::Instant::now();
        let lock = parse(&text).unwrap();
        eprintln!(
            "parsed {} bytes, {} packages in {:?}",
            text.len(),
            lock.packages.len(),
            started.elapsed()
        );
        assert_eq!(lock.packages.len(), 3000);
        let last = lock.package("pkg-2999").unwrap();
        assert_eq!(last.wheels.len(), 3);
        assert_eq!(last.dependencies, ["pkg-0", "pkg-6"]);
        assert_eq!(
            last.newest_upload_time().unwrap().0,
            ts("2026-09-30T04:39:26.5Z")
        );
    }

    /// Both readers on one text: the fast one must either decline or agree with `toml_edit`.
    fn assert_paths_agree(text: &str) -> bool {
        let source = Source::from_string("uv.lock", text);
        let Some(fast) = read_fast(&source) else {
            return false;
        };
        match read_full(&source) {
            Ok(full) => assert_eq!(fast, full, "the readers disagree on:\n{text}"),
            Err(e) => panic!("fast path accepted what toml_edit rejects ({e:?}):\n{text}"),
        }
        true
    }

    #[test]
    fn fast_path_takes_uv_output_and_agrees_with_toml_edit() {
        assert!(
            assert_paths_agree(LOCK),
            "the fixture is uv's format and must take the fast path"
        );
        assert!(assert_paths_agree(&generated_lock(50)));
        assert!(assert_paths_agree(
            "version = 1\r\nrevision = 3\r\n\r\n[[package]]\r\nname = 'a'\r\nsource = { registry = '.' }\r\n"
        ));
        assert!(assert_paths_agree(
            "version = 1\n[options.exclude-newer-package]\nsix = false\n[[package]]\nname = \"a\"\nsource = { virtual = \".\" }\n[package.metadata.requires-dev]\ndev = []\n"
        ));
    }

    #[test]
    fn fast_path_declines_what_it_does_not_know_and_toml_edit_decides() {
        // Valid TOML outside the subset: read by toml_edit with the same result.
        let valid = [
            "version = 1\n[manifest]\nmembers = [\"a\\u0062\"]\n",
            "version = 1\nx.y = 2\n",
            "version = 1\n[ options ]\nexclude-newer-span = \"P1D\"\n",
            "version = 1\nrevision = 1_0\n",
            "version = 1\nfloat = 1.5\n",
            "version = 1\nwhen = 2026-01-01T00:00:00Z\n",
            "version = 1\nmultiline = \"\"\"\nx\"\"\"\n",
            "version = 1\n[a.b]\n[a]\n",
            "version = 1\n[\"options\"]\nexclude-newer-span = \"P1D\"\n",
            "\u{feff}version = 1\n",
            "version = 0x1\n",
            // TOML 1.1, which toml_edit follows: a trailing comma in an inline table.
            "version = 1\nsource = { a = 1, }\n",
        ];
        for text in valid {
            assert!(
                !assert_paths_agree(text),
                "expected the fast path to decline:\n{text}"
            );
            assert!(parse(text).is_ok(), "{text}");
        }
        // Invalid TOML the scanner could mistake: never accepted by it.
        let invalid = [
            "version = 1\nversion = 1\n",
            "version = 1\n[options]\n[options]\n",
            "version = 1\n[[package]]\nname = \"a\"\nname = \"b\"\n",
            "version = 1\nsource = { a = 1, a = 2 }\n",
            "version = 1\nsource = { a = 1 }\n[source]\n",
            "version = 1\nsource = { a = 1 }\n[source.b]\n",
            "version = 1\n[package]\n[[package]]\n",
            "version = 1\n[[package]]\n[package]\n",
            "version = 1\np = [{ a = 1 }]\n[[p]]\n",
            "version = 1\nx = 01\n",
            "version = 1\nx = 99999999999999999999\n",
            "version = 1\nx = \"a\u{1}b\"\n",
            "version = 1\nx = \"unterminated\n",
            "version = 1 # c\u{7f}\n",
            "version = 1\rrevision = 2\n",
            "version = 1 revision = 2\n",
            "version = 1\nx = [1 2]\n",
            "version = 1\nx = truely\n",
            "version = 1\n[a.b]\nc = 1\n[a]\nb = 2\n",
        ];
        for text in invalid {
            assert!(
                !assert_paths_agree(text),
                "fast path accepted invalid TOML:\n{text}"
            );
            assert!(parse(text).is_err(), "{text}");
        }
    }

    /// Every construct the scanner takes, compactly, for the mutation test.
    const SMALL_LOCK: &str = "version = 1\nrevision = 3 # c\n\n[options]\nexclude-newer-span = 'P7D'\n\n\
        [options.exclude-newer-package]\nidna = false\nsix = { span = \"P1D\" }\n\n\
        [manifest]\nmembers = [\n    \"a\", # m\n    \"b\",\n]\n\n\
        [[package]]\nname = \"a\"\nversion = \"1\"\nsource = { registry = \"https://example.com/simple\" }\n\
        dependencies = [{ name = \"b\", extra = [\"x\"] }]\n\
        sdist = { url = \"https://example.com/a.tar.gz\", size = 10, upload-time = \"2026-01-01T00:00:00Z\" }\n\
        wheels = [\n    { filename = \"a.whl\", size = 0 },\n]\n\n\
        [package.metadata]\nrequires-dist = [{ name = \"b\", specifier = \">=1\", marker = \"os_name == 'nt'\" }]\n\n\
        [package.metadata.requires-dev]\ndev = []\n\n\
        [[package]]\nname = \"b\"\nsource = { git = \"https://example.com/b?rev=1#abc\" }\n";

    #[test]
    fn fast_path_agrees_on_every_prefix_and_mutation() {
        // Each prefix and each one-byte change of a lock: whenever the scanner takes the text,
        // toml_edit must read it the same way (or the scanner accepted something it should not).
        assert!(assert_paths_agree(SMALL_LOCK));
        let mut taken = 0;
        for text in [LOCK, SMALL_LOCK] {
            for end in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                taken += usize::from(assert_paths_agree(&text[..end]));
            }
        }
        assert!(taken > 100, "only {taken} prefixes took the fast path");
        let bytes = SMALL_LOCK.as_bytes();
        let replacements: [&[u8]; 16] = [
            b"", b" ", b"\n", b"\r", b"\"", b"'", b"[", b"]", b"{", b"}", b",", b".", b"=", b"#",
            b"0", b"\\",
        ];
        for i in 0..bytes.len() {
            for replacement in replacements {
                let mutated = [&bytes[..i], replacement, &bytes[i + 1..]].concat();
                if let Ok(text) = std::str::from_utf8(&mutated) {
                    assert_paths_agree(text);
                }
                let inserted = [&bytes[..i], replacement, &bytes[i..]].concat();
                if let Ok(text) = std::str::from_utf8(&inserted) {
                    assert_paths_agree(text);
                }
            }
        }
    }
}
