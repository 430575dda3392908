//! `uv.lock` (format version 1), read into validated types with byte spans: the format version
//! and revision, `[options]` (the recorded cooldown and its per-package exemptions),
//! `[manifest] members`, and every `[[package]]` with its source, artifacts (hash, size, upload
//! time), dependency edges and declared requirements (`[package.metadata]`).
//!
//! The lock is walked straight off `toml_edit`'s span-keeping document; there is no serde wire
//! mirror because every field a check reports on needs its span, and a round trip through owned
//! TOML values would cost more than the parse itself. Keys this reader does not know are
//! ignored: uv adds fields over revisions, and only `version` marks a breaking change.

use std::fmt;
use std::ops::Range;
use std::path::Path;

use jiff::Timestamp;
use toml_edit::{Document, Item, Key, TableLike, Value};

use crate::error::{ParseError, Source};
use crate::name::normalize;

/// The newest `revision` this reader was written against. A newer revision is read (revisions
/// are backwards compatible) with a warning, since fields it added are ignored.
pub const MAX_KNOWN_REVISION: u32 = 5;

/// The only major lock format version cordon understands.
const SUPPORTED_VERSION: i64 = 1;

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
    /// The `[options]` table header (or its first key, for inline or dotted forms).
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

/// The `source` keys uv writes, in the order the kind is reported.
const SOURCE_KINDS: [&str; 7] = [
    "registry",
    "git",
    "url",
    "path",
    "directory",
    "editable",
    "virtual",
];

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

/// The requirement source keys uv writes, in the order one is reported.
const REQUIREMENT_SOURCES: [&str; 7] = [
    "index",
    "git",
    "url",
    "path",
    "editable",
    "directory",
    "virtual",
];

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
        self.packages
            .iter()
            .filter(move |p| p.name == wanted || normalize(&p.name) == wanted)
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
    let body = {
        let doc = Document::parse(&*source.text).map_err(|e| ParseError::toml(&source, &e))?;
        Reader { path: &source.path }.lock(doc.as_table())?
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

/// Everything in a [`Lock`] but its source, built while the document borrows the text.
struct LockBody {
    version: u32,
    revision: u32,
    requires_python: Option<String>,
    options: LockOptions,
    manifest_members: Vec<String>,
    packages: Vec<LockedPackage>,
    warnings: Vec<LockWarning>,
}

/// Where a key was found, for error messages; rendered only when an error is built.
#[derive(Clone, Copy)]
enum At<'a> {
    Root,
    Table(&'static str),
    Package(&'a str),
    InPackage(&'static str, &'a str),
    Group(&'static str, &'a str, &'a str),
}

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Root => Ok(()),
            Self::Table(t) => write!(f, " in `[{t}]`"),
            Self::Package(p) => write!(f, " in package `{p}`"),
            Self::InPackage(what, p) => write!(f, " in `{what}` of package `{p}`"),
            Self::Group(what, group, p) => {
                write!(f, " in `{what}` group `{group}` of package `{p}`")
            }
        }
    }
}

fn article(type_name: &str) -> &'static str {
    if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// The value's span, else its key's.
fn entry_span(key: &Key, item: &Item) -> Option<Range<usize>> {
    item.span().or_else(|| key.span())
}

/// The span of a `[table]` header, an inline table, or failing those, `fallback`.
fn table_span(item: &Item, fallback: Option<&Range<usize>>) -> Option<Range<usize>> {
    item.span().or_else(|| fallback.cloned())
}

/// A table-like with the span of its header or braces.
type SubTable<'t> = (&'t dyn TableLike, Option<Range<usize>>);

/// Reads typed values out of the document, turning a wrong shape into an error at its span.
struct Reader<'a> {
    path: &'a Path,
}

impl Reader<'_> {
    fn error(&self, span: Option<Range<usize>>, message: impl Into<String>) -> ParseError {
        ParseError::new(self.path, span, message)
    }

    fn wrong_type(
        &self,
        key: &str,
        at: At<'_>,
        expected: &str,
        item: &Item,
        span: Option<Range<usize>>,
    ) -> ParseError {
        let found = item.type_name();
        self.error(
            span,
            format!(
                "`{key}`{at} must be {expected}, found {} {found}",
                article(found)
            ),
        )
    }

    fn str_opt<'t>(
        &self,
        table: &'t dyn TableLike,
        key: &str,
        at: At<'_>,
    ) -> Result<Option<(&'t str, Range<usize>)>, ParseError> {
        let Some((k, item)) = table.get_key_value(key) else {
            return Ok(None);
        };
        let span = entry_span(k, item);
        match item.as_str() {
            Some(s) => Ok(Some((s, span.unwrap_or_default()))),
            None => Err(self.wrong_type(key, at, "a string", item, span)),
        }
    }

    fn string_opt(
        &self,
        table: &dyn TableLike,
        key: &str,
        at: At<'_>,
    ) -> Result<Option<String>, ParseError> {
        Ok(self.str_opt(table, key, at)?.map(|(s, _)| s.to_owned()))
    }

    /// A required string; a missing key is reported at `container` (the enclosing table).
    fn str_req<'t>(
        &self,
        table: &'t dyn TableLike,
        key: &str,
        at: At<'_>,
        container: Option<Range<usize>>,
    ) -> Result<(&'t str, Range<usize>), ParseError> {
        self.str_opt(table, key, at)?
            .ok_or_else(|| self.error(container, format!("missing `{key}`{at}")))
    }

    fn u64_opt(
        &self,
        table: &dyn TableLike,
        key: &str,
        at: At<'_>,
    ) -> Result<Option<u64>, ParseError> {
        let Some((k, item)) = table.get_key_value(key) else {
            return Ok(None);
        };
        let span = entry_span(k, item);
        match item.as_integer() {
            Some(n) => u64::try_from(n).map(Some).map_err(|_| {
                self.error(span, format!("`{key}`{at} must not be negative, found {n}"))
            }),
            None => Err(self.wrong_type(key, at, "an integer", item, span)),
        }
    }

    /// A timestamp written as an RFC 3339 string (or, leniently, a TOML offset datetime).
    fn timestamp(
        &self,
        key: &str,
        at: At<'_>,
        item: &Item,
        span: Option<Range<usize>>,
    ) -> Result<Timestamp, ParseError> {
        let parsed = match item {
            Item::Value(Value::String(s)) => s.value().parse::<Timestamp>(),
            Item::Value(Value::Datetime(d)) => d.value().to_string().parse::<Timestamp>(),
            _ => return Err(self.wrong_type(key, at, "an RFC 3339 timestamp string", item, span)),
        };
        parsed.map_err(|e| {
            let shown = item.as_str().map_or_else(String::new, |s| format!(" `{s}`"));
            self.error(span, format!("`{key}`{at} is not an RFC 3339 timestamp{shown}: {e}"))
                .with_help("uv writes timestamps like `2026-10-22T00:02:38Z`; regenerate the lock with `uv lock`")
        })
    }

    fn timestamp_opt(
        &self,
        table: &dyn TableLike,
        key: &str,
        at: At<'_>,
    ) -> Result<Option<Timestamp>, ParseError> {
        let Some((k, item)) = table.get_key_value(key) else {
            return Ok(None);
        };
        self.timestamp(key, at, item, entry_span(k, item)).map(Some)
    }

    /// An ISO 8601 duration string (`P7D`, `-P1W`), validated and returned as written.
    fn duration_opt<'t>(
        &self,
        table: &'t dyn TableLike,
        key: &str,
        at: At<'_>,
    ) -> Result<Option<(&'t str, Range<usize>)>, ParseError> {
        let Some((s, span)) = self.str_opt(table, key, at)? else {
            return Ok(None);
        };
        let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
        let valid = unsigned.starts_with(['P', 'p'])
            && jiff::fmt::temporal::SpanParser::new().parse_span(s).is_ok();
        if !valid {
            return Err(self
                .error(
                    Some(span),
                    format!("`{key}`{at} is not an ISO 8601 duration: `{s}`"),
                )
                .with_help("uv writes durations like `P7D`; regenerate the lock with `uv lock`"));
        }
        Ok(Some((s, span)))
    }

    /// An array of strings.
    fn strings(
        &self,
        key: &str,
        at: At<'_>,
        item: &Item,
        span: Option<Range<usize>>,
    ) -> Result<Vec<String>, ParseError> {
        let Some(array) = item.as_array() else {
            return Err(self.wrong_type(key, at, "an array of strings", item, span));
        };
        array
            .iter()
            .map(|v| {
                v.as_str().map(str::to_owned).ok_or_else(|| {
                    let found = v.type_name();
                    self.error(
                        v.span(),
                        format!(
                            "`{key}`{at} must hold strings, found {} {found}",
                            article(found)
                        ),
                    )
                })
            })
            .collect()
    }

    fn strings_opt(
        &self,
        table: &dyn TableLike,
        key: &str,
        at: At<'_>,
    ) -> Result<Vec<String>, ParseError> {
        match table.get_key_value(key) {
            Some((k, item)) => self.strings(key, at, item, entry_span(k, item)),
            None => Ok(Vec::new()),
        }
    }

    /// A sub-table (`[a.b]` or `b = { ... }`), if present.
    fn table_opt<'t>(
        &self,
        table: &'t dyn TableLike,
        key: &str,
        at: At<'_>,
    ) -> Result<Option<SubTable<'t>>, ParseError> {
        let Some((k, item)) = table.get_key_value(key) else {
            return Ok(None);
        };
        match item.as_table_like() {
            Some(t) => Ok(Some((t, item.span().or_else(|| k.span())))),
            None => Err(self.wrong_type(key, at, "a table", item, entry_span(k, item))),
        }
    }

    /// Calls `f` on each table of an array of tables (`[[key]]`) or an array of inline tables
    /// (`key = [{ ... }]`), with the table's span.
    fn each_table<'t>(
        &self,
        key: &str,
        at: At<'_>,
        item: &'t Item,
        span: Option<Range<usize>>,
        mut f: impl FnMut(&'t dyn TableLike, Option<Range<usize>>) -> Result<(), ParseError>,
    ) -> Result<(), ParseError> {
        match item {
            Item::ArrayOfTables(tables) => {
                for t in tables {
                    f(t, t.span())?;
                }
                Ok(())
            }
            Item::Value(Value::Array(array)) => {
                for v in array {
                    let Some(t) = v.as_inline_table() else {
                        let found = v.type_name();
                        return Err(self.error(
                            v.span(),
                            format!(
                                "`{key}`{at} must hold tables, found {} {found}",
                                article(found)
                            ),
                        ));
                    };
                    f(t, t.span())?;
                }
                Ok(())
            }
            _ => Err(self.wrong_type(key, at, "an array of tables", item, span)),
        }
    }

    fn lock(&self, root: &dyn TableLike) -> Result<LockBody, ParseError> {
        // The version is checked first: a lock of another major version may use any shape.
        let version = self.version(root)?;
        let mut warnings = Vec::new();
        let revision = match root.get_key_value("revision") {
            None => 0,
            Some((k, item)) => {
                let span = entry_span(k, item);
                let Some(n) = item.as_integer() else {
                    return Err(self.wrong_type("revision", At::Root, "an integer", item, span));
                };
                let revision = u32::try_from(n).map_err(|_| {
                    self.error(
                        span.clone(),
                        format!("`revision` must be a small non-negative integer, found {n}"),
                    )
                })?;
                if revision > MAX_KNOWN_REVISION {
                    warnings.push(LockWarning {
                        span,
                        message: format!(
                            "uv.lock revision {revision} is newer than cordon knows ({MAX_KNOWN_REVISION}); some fields may be ignored"
                        ),
                    });
                }
                revision
            }
        };
        let requires_python = self.string_opt(root, "requires-python", At::Root)?;
        let options = match self.table_opt(root, "options", At::Root)? {
            Some((t, span)) => self.options(t, span)?,
            None => LockOptions::default(),
        };
        let manifest_members = match self.table_opt(root, "manifest", At::Root)? {
            Some((t, _)) => self.strings_opt(t, "members", At::Table("manifest"))?,
            None => Vec::new(),
        };
        let mut packages = Vec::new();
        if let Some((k, item)) = root.get_key_value("package") {
            if let Some(tables) = item.as_array_of_tables() {
                packages.reserve(tables.len());
            }
            self.each_table("package", At::Root, item, entry_span(k, item), |t, span| {
                packages.push(self.package(t, span)?);
                Ok(())
            })?;
        }
        Ok(LockBody {
            version,
            revision,
            requires_python,
            options,
            manifest_members,
            packages,
            warnings,
        })
    }

    fn version(&self, root: &dyn TableLike) -> Result<u32, ParseError> {
        let Some((k, item)) = root.get_key_value("version") else {
            return Err(self
                .error(None, "not a uv lockfile: no `version` key")
                .with_help("`uv.lock` files are written by `uv lock`"));
        };
        let span = entry_span(k, item);
        let Some(n) = item.as_integer() else {
            return Err(self
                .wrong_type("version", At::Root, "an integer", item, span)
                .with_help("`uv.lock` files are written by `uv lock`"));
        };
        if n != SUPPORTED_VERSION {
            return Err(self
                .error(span, format!("unsupported uv.lock version `{n}`; cordon understands version {SUPPORTED_VERSION}"))
                .with_help(format!(
                    "this lock was written by a uv release cordon does not support; update cordon, or lock with a uv that writes `version = {SUPPORTED_VERSION}`"
                )));
        }
        Ok(1)
    }

    fn options(
        &self,
        table: &dyn TableLike,
        span: Option<Range<usize>>,
    ) -> Result<LockOptions, ParseError> {
        let at = At::Table("options");
        let timestamp = match table.get_key_value("exclude-newer") {
            // uv writes nothing for a disabled cooldown; `false` is read as the same thing.
            Some((_, item)) if item.as_bool() == Some(false) => None,
            Some((k, item)) => {
                let span = entry_span(k, item);
                let t = self.timestamp("exclude-newer", at, item, span.clone())?;
                Some((t, span.unwrap_or_default()))
            }
            None => None,
        };
        let relative = self.duration_opt(table, "exclude-newer-span", at)?;
        let exclude_newer = match (relative, timestamp) {
            (Some((s, span)), _) => Some(Spanned {
                value: LockExcludeNewer::Relative {
                    span_iso: s.to_owned(),
                },
                span,
            }),
            (None, Some((t, span))) => Some(Spanned {
                value: LockExcludeNewer::Absolute(t),
                span,
            }),
            (None, None) => None,
        };
        let mut exclude_newer_package = Vec::new();
        if let Some((packages, _)) = self.table_opt(table, "exclude-newer-package", at)? {
            let at = At::Table("options.exclude-newer-package");
            for (name, _) in packages.iter() {
                let Some((k, item)) = packages.get_key_value(name) else {
                    continue;
                };
                let cutoff = self.package_cutoff(name, at, item, entry_span(k, item))?;
                let span = match (k.span(), item.span()) {
                    (Some(key), Some(value)) => key.start..value.end.max(key.end),
                    (key, value) => value.or(key).unwrap_or_default(),
                };
                exclude_newer_package.push((
                    normalize(name),
                    Spanned {
                        value: cutoff,
                        span,
                    },
                ));
            }
        }
        Ok(LockOptions {
            exclude_newer,
            exclude_newer_package,
            span,
        })
    }

    fn package_cutoff(
        &self,
        name: &str,
        at: At<'_>,
        item: &Item,
        span: Option<Range<usize>>,
    ) -> Result<LockPackageCutoff, ParseError> {
        if let Some(b) = item.as_bool() {
            return if b {
                Err(self
                    .error(
                        span,
                        format!(
                            "`{name}`{at} must be `false`, a timestamp or a table, found `true`"
                        ),
                    )
                    .with_help("uv writes `false` to exempt a package from the cooldown"))
            } else {
                Ok(LockPackageCutoff::Disabled)
            };
        }
        if let Some(t) = item.as_table_like() {
            let relative = self.duration_opt(t, "span", at)?;
            let timestamp = self.timestamp_opt(t, "timestamp", at)?;
            return match (relative, timestamp) {
                (Some((s, _)), _) => Ok(LockPackageCutoff::Relative {
                    span_iso: s.to_owned(),
                }),
                (None, Some(t)) => Ok(LockPackageCutoff::Absolute(t)),
                (None, None) => Err(self.error(
                    span,
                    format!("`{name}`{at} has neither `timestamp` nor `span`"),
                )),
            };
        }
        if item.is_str() {
            return self
                .timestamp(name, at, item, span)
                .map(LockPackageCutoff::Absolute);
        }
        Err(self.wrong_type(
            name,
            at,
            "`false`, a timestamp string or a table",
            item,
            span,
        ))
    }

    fn package(
        &self,
        table: &dyn TableLike,
        header: Option<Range<usize>>,
    ) -> Result<LockedPackage, ParseError> {
        let Some((name, name_span)) = self.str_opt(table, "name", At::Table("[package]"))? else {
            return Err(self
                .error(header, "a `[[package]]` entry has no `name`")
                .with_help("`uv.lock` files are written by `uv lock`; regenerate it"));
        };
        let at = At::Package(name);
        let span = header.clone().unwrap_or_else(|| name_span.clone());
        let version = self.string_opt(table, "version", at)?;

        let Some((k, item)) = table.get_key_value("source") else {
            return Err(self.error(Some(span), format!("package `{name}` has no `source`")));
        };
        let source_span = entry_span(k, item);
        let Some(source_table) = item.as_table_like() else {
            return Err(self.wrong_type("source", at, "an inline table", item, source_span));
        };
        let source = self.package_source(name, source_table, source_span.clone())?;

        let sdist = match table.get_key_value("sdist") {
            Some((k, item)) => {
                Some(self.artifact(ArtifactKind::Sdist, name, item, entry_span(k, item))?)
            }
            None => None,
        };
        let mut wheels = Vec::new();
        if let Some((k, item)) = table.get_key_value("wheels") {
            if let Some(array) = item.as_array() {
                wheels.reserve(array.len());
            }
            self.each_table("wheels", at, item, entry_span(k, item), |t, span| {
                wheels.push(self.artifact_table(ArtifactKind::Wheel, name, t, span)?);
                Ok(())
            })?;
        }

        let dependencies = match table.get_key_value("dependencies") {
            Some((k, item)) => self.edge_names(
                "dependencies",
                At::InPackage("dependencies", name),
                item,
                entry_span(k, item),
            )?,
            None => Vec::new(),
        };
        let optional_dependencies = self.edge_groups(table, &["optional-dependencies"], name)?;
        let dev_dependencies =
            self.edge_groups(table, &["dev-dependencies", "dependency-groups"], name)?;

        let mut requires_dist = Vec::new();
        let mut requires_dev = Vec::new();
        let mut provides_extras = Vec::new();
        if let Some((metadata, _)) = self.table_opt(table, "metadata", at)? {
            let at = At::InPackage("metadata", name);
            if let Some((k, item)) = metadata.get_key_value("requires-dist") {
                let entry_at = At::InPackage("requires-dist", name);
                requires_dist =
                    self.requirements("requires-dist", at, entry_at, item, entry_span(k, item))?;
            }
            if let Some((groups, _)) = self.table_opt(metadata, "requires-dev", at)? {
                for (group, _) in groups.iter() {
                    let Some((k, item)) = groups.get_key_value(group) else {
                        continue;
                    };
                    let at = At::Group("requires-dev", group, name);
                    let reqs = self.requirements(group, at, at, item, entry_span(k, item))?;
                    requires_dev.push((group.to_owned(), reqs));
                }
            }
            provides_extras = self.strings_opt(metadata, "provides-extras", at)?;
        }

        Ok(LockedPackage {
            name: name.to_owned(),
            version,
            source,
            span,
            name_span,
            source_span,
            sdist,
            wheels,
            dependencies,
            optional_dependencies,
            dev_dependencies,
            requires_dist,
            requires_dev,
            provides_extras,
        })
    }

    fn package_source(
        &self,
        name: &str,
        table: &dyn TableLike,
        span: Option<Range<usize>>,
    ) -> Result<PackageSource, ParseError> {
        let at = At::InPackage("source", name);
        let mut found: Option<(&str, &str)> = None;
        for kind in SOURCE_KINDS {
            let Some((value, value_span)) = self.str_opt(table, kind, at)? else {
                continue;
            };
            if let Some((first, _)) = found {
                return Err(self.error(
                    Some(value_span),
                    format!("`source` of package `{name}` has both `{first}` and `{kind}`; expected exactly one"),
                ));
            }
            found = Some((kind, value));
        }
        let Some((kind, value)) = found else {
            return Err(self
                .error(
                    span,
                    format!("`source` of package `{name}` has no known kind"),
                )
                .with_help(format!(
                    "expected one of {}",
                    SOURCE_KINDS.map(|k| format!("`{k}`")).join(", ")
                )));
        };
        let value_owned = || value.to_owned();
        Ok(match kind {
            "registry" => PackageSource::Registry(value_owned()),
            "git" => PackageSource::git(value),
            "url" => PackageSource::Url(value_owned()),
            "path" => PackageSource::Path(value_owned()),
            "directory" => PackageSource::Directory(value_owned()),
            "editable" => PackageSource::Editable(value_owned()),
            _ => PackageSource::Virtual(value_owned()),
        })
    }

    fn artifact(
        &self,
        kind: ArtifactKind,
        package: &str,
        item: &Item,
        span: Option<Range<usize>>,
    ) -> Result<Artifact, ParseError> {
        let Some(table) = item.as_table_like() else {
            return Err(self.wrong_type(
                kind.key(),
                At::Package(package),
                "an inline table",
                item,
                span,
            ));
        };
        self.artifact_table(kind, package, table, table_span(item, span.as_ref()))
    }

    fn artifact_table(
        &self,
        kind: ArtifactKind,
        package: &str,
        table: &dyn TableLike,
        span: Option<Range<usize>>,
    ) -> Result<Artifact, ParseError> {
        let at = At::InPackage(kind.key(), package);
        let path_or_filename = match self.string_opt(table, "path", at)? {
            Some(path) => Some(path),
            None => self.string_opt(table, "filename", at)?,
        };
        Ok(Artifact {
            kind,
            url: self.string_opt(table, "url", at)?,
            path_or_filename,
            hash: self.string_opt(table, "hash", at)?,
            size: self.u64_opt(table, "size", at)?,
            upload_time: self.timestamp_opt(table, "upload-time", at)?,
            span: span.unwrap_or_default(),
        })
    }

    /// The `name` of each edge in a `dependencies`-style array.
    fn edge_names(
        &self,
        key: &str,
        at: At<'_>,
        item: &Item,
        span: Option<Range<usize>>,
    ) -> Result<Vec<String>, ParseError> {
        let mut names = Vec::with_capacity(item.as_array().map_or(0, toml_edit::Array::len));
        self.each_table(key, at, item, span, |t, span| {
            let (name, _) = self.str_req(t, "name", at, span)?;
            names.push(name.to_owned());
            Ok(())
        })?;
        Ok(names)
    }

    /// A table of group (or extra) → edges, under the first of `keys` present.
    fn edge_groups(
        &self,
        table: &dyn TableLike,
        keys: &[&'static str],
        package: &str,
    ) -> Result<Vec<(String, Vec<String>)>, ParseError> {
        let Some(key) = keys.iter().copied().find(|k| table.contains_key(k)) else {
            return Ok(Vec::new());
        };
        let Some((groups, _)) = self.table_opt(table, key, At::Package(package))? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::with_capacity(groups.len());
        for (group, _) in groups.iter() {
            let Some((k, item)) = groups.get_key_value(group) else {
                continue;
            };
            let at = At::Group(key, group, package);
            let names = self.edge_names(group, at, item, entry_span(k, item))?;
            out.push((group.to_owned(), names));
        }
        Ok(out)
    }

    /// An array of declared requirements; `entry_at` names where each entry lives.
    fn requirements(
        &self,
        key: &str,
        at: At<'_>,
        entry_at: At<'_>,
        item: &Item,
        span: Option<Range<usize>>,
    ) -> Result<Vec<LockRequirement>, ParseError> {
        let mut out = Vec::with_capacity(item.as_array().map_or(0, toml_edit::Array::len));
        self.each_table(key, at, item, span, |t, span| {
            out.push(self.requirement(t, entry_at, span)?);
            Ok(())
        })?;
        Ok(out)
    }

    fn requirement(
        &self,
        table: &dyn TableLike,
        at: At<'_>,
        span: Option<Range<usize>>,
    ) -> Result<LockRequirement, ParseError> {
        let (name, _) = self.str_req(table, "name", at, span.clone())?;
        let mut source = None;
        let mut index = None;
        for key in REQUIREMENT_SOURCES {
            let Some((value, _)) = self.str_opt(table, key, at)? else {
                continue;
            };
            if key == "index" {
                index = Some(value.to_owned());
            }
            if source.is_none() {
                source = Some(format!("{key}: {value}"));
            }
        }
        Ok(LockRequirement {
            name: name.to_owned(),
            specifier: self.string_opt(table, "specifier", at)?,
            marker: self.string_opt(table, "marker", at)?,
            extras: self.strings_opt(table, "extras", at)?,
            source,
            index,
            span: span.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
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
            if let Err(err) = parse(text) {
                if let Some(span) = &err.span {
                    assert!(
                        span.start <= span.end && span.end <= text.len(),
                        "{end}: {span:?}"
                    );
                }
            }
        }
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
}
