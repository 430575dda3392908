//! The walk from a lock's value tree to the validated [`Lock`](super::Lock) fields: format
//! version checks, the reading rules for cutoffs, and an error naming the key and pointing at
//! its span for every known field of the wrong shape.

use std::fmt;
use std::ops::Range;
use std::path::Path;

use jiff::Timestamp;

use super::tree::{NodeId, ROOT, Tree};
use super::{
    Artifact, ArtifactKind, LockExcludeNewer, LockOptions, LockPackageCutoff, LockRequirement,
    LockWarning, LockedPackage, MAX_KNOWN_REVISION, PackageSource, Spanned,
};
use crate::error::ParseError;
use crate::name::normalize;

/// The only major lock format version cordon understands.
const SUPPORTED_VERSION: i64 = 1;

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

/// Everything in a [`Lock`](super::Lock) but its source.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct LockBody {
    pub(super) version: u32,
    pub(super) revision: u32,
    pub(super) requires_python: Option<String>,
    pub(super) options: LockOptions,
    pub(super) manifest_members: Vec<String>,
    pub(super) packages: Vec<LockedPackage>,
    pub(super) warnings: Vec<LockWarning>,
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

/// A key-value entry: the key's span and the value's node.
type Entry = (Option<Range<usize>>, NodeId);

/// A table-like node with the span of its header or braces.
type SubTable = (NodeId, Option<Range<usize>>);

/// Reads typed values out of the tree, turning a wrong shape into an error at its span.
pub(super) struct Reader<'a, 's> {
    pub(super) path: &'a Path,
    pub(super) tree: &'a Tree<'s>,
}

impl<'s> Reader<'_, 's> {
    fn error(&self, span: Option<Range<usize>>, message: impl Into<String>) -> ParseError {
        ParseError::new(self.path, span, message)
    }

    /// The value's span, else its key's.
    fn entry_span(&self, (key_span, id): &Entry) -> Option<Range<usize>> {
        self.tree.span(*id).or_else(|| key_span.clone())
    }

    fn wrong_type(&self, key: &str, at: At<'_>, expected: &str, entry: &Entry) -> ParseError {
        let found = self.tree.type_name(entry.1);
        let message = format!(
            "`{key}`{at} must be {expected}, found {} {found}",
            article(found)
        );
        self.error(self.entry_span(entry), message)
    }

    fn str_opt(
        &self,
        table: NodeId,
        key: &str,
        at: At<'_>,
    ) -> Result<Option<(&'s str, Range<usize>)>, ParseError> {
        let Some(entry) = self.tree.get(table, key) else {
            return Ok(None);
        };
        match self.tree.as_str(entry.1) {
            Some(s) => Ok(Some((s, self.entry_span(&entry).unwrap_or_default()))),
            None => Err(self.wrong_type(key, at, "a string", &entry)),
        }
    }

    fn string_opt(
        &self,
        table: NodeId,
        key: &str,
        at: At<'_>,
    ) -> Result<Option<String>, ParseError> {
        Ok(self.str_opt(table, key, at)?.map(|(s, _)| s.to_owned()))
    }

    /// A required string; a missing key is reported at `container` (the enclosing table).
    fn str_req(
        &self,
        table: NodeId,
        key: &str,
        at: At<'_>,
        container: Option<Range<usize>>,
    ) -> Result<(&'s str, Range<usize>), ParseError> {
        self.str_opt(table, key, at)?
            .ok_or_else(|| self.error(container, format!("missing `{key}`{at}")))
    }

    fn u64_opt(&self, table: NodeId, key: &str, at: At<'_>) -> Result<Option<u64>, ParseError> {
        let Some(entry) = self.tree.get(table, key) else {
            return Ok(None);
        };
        let Some(n) = self.tree.as_integer(entry.1) else {
            return Err(self.wrong_type(key, at, "an integer", &entry));
        };
        u64::try_from(n).map(Some).map_err(|_| {
            let message = format!("`{key}`{at} must not be negative, found {n}");
            self.error(self.entry_span(&entry), message)
        })
    }

    /// A timestamp written as an RFC 3339 string (or, leniently, a TOML offset date-time).
    fn timestamp(&self, key: &str, at: At<'_>, entry: &Entry) -> Result<Timestamp, ParseError> {
        let Some(text) = self
            .tree
            .as_str(entry.1)
            .or_else(|| self.tree.as_datetime(entry.1))
        else {
            return Err(self.wrong_type(key, at, "an RFC 3339 timestamp string", entry));
        };
        text.parse::<Timestamp>().map_err(|e| {
            let message = format!("`{key}`{at} is not an RFC 3339 timestamp `{text}`: {e}");
            self.error(self.entry_span(entry), message).with_help(
                "uv writes timestamps like `2026-10-22T00:02:38Z`; regenerate the lock with `uv lock`",
            )
        })
    }

    fn timestamp_opt(
        &self,
        table: NodeId,
        key: &str,
        at: At<'_>,
    ) -> Result<Option<Timestamp>, ParseError> {
        match self.tree.get(table, key) {
            Some(entry) => self.timestamp(key, at, &entry).map(Some),
            None => Ok(None),
        }
    }

    /// An ISO 8601 duration string (`P7D`, `-P1W`), validated and returned as written.
    fn duration_opt(
        &self,
        table: NodeId,
        key: &str,
        at: At<'_>,
    ) -> Result<Option<(&'s str, Range<usize>)>, ParseError> {
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
    fn strings(&self, key: &str, at: At<'_>, entry: &Entry) -> Result<Vec<String>, ParseError> {
        if !self.tree.is_array(entry.1) {
            return Err(self.wrong_type(key, at, "an array of strings", entry));
        }
        self.tree
            .elements(entry.1)
            .map(|v| {
                self.tree.as_str(v).map(str::to_owned).ok_or_else(|| {
                    let found = self.tree.type_name(v);
                    let message = format!(
                        "`{key}`{at} must hold strings, found {} {found}",
                        article(found)
                    );
                    self.error(self.tree.span(v), message)
                })
            })
            .collect()
    }

    fn strings_opt(&self, table: NodeId, key: &str, at: At<'_>) -> Result<Vec<String>, ParseError> {
        match self.tree.get(table, key) {
            Some(entry) => self.strings(key, at, &entry),
            None => Ok(Vec::new()),
        }
    }

    /// A sub-table (`[a.b]` or `b = { ... }`), if present, with its header's or braces' span.
    fn table_opt(
        &self,
        table: NodeId,
        key: &str,
        at: At<'_>,
    ) -> Result<Option<SubTable>, ParseError> {
        let Some(entry) = self.tree.get(table, key) else {
            return Ok(None);
        };
        if self.tree.is_table_like(entry.1) {
            Ok(Some((entry.1, self.entry_span(&entry))))
        } else {
            Err(self.wrong_type(key, at, "a table", &entry))
        }
    }

    /// Calls `f` on each table of an array of tables (`[[key]]`) or an array of inline tables
    /// (`key = [{ ... }]`), with the table's span.
    fn each_table(
        &self,
        key: &str,
        at: At<'_>,
        entry: &Entry,
        mut f: impl FnMut(NodeId, Option<Range<usize>>) -> Result<(), ParseError>,
    ) -> Result<(), ParseError> {
        let list = entry.1;
        if self.tree.is_array_of_tables(list) {
            for t in self.tree.elements(list) {
                f(t, self.tree.span(t))?;
            }
            return Ok(());
        }
        if !self.tree.is_array(list) {
            return Err(self.wrong_type(key, at, "an array of tables", entry));
        }
        for v in self.tree.elements(list) {
            if !self.tree.is_inline_table(v) {
                let found = self.tree.type_name(v);
                let message = format!(
                    "`{key}`{at} must hold tables, found {} {found}",
                    article(found)
                );
                return Err(self.error(self.tree.span(v), message));
            }
            f(v, self.tree.span(v))?;
        }
        Ok(())
    }

    pub(super) fn lock(&self) -> Result<LockBody, ParseError> {
        // The version is checked first: a lock of another major version may use any shape.
        let version = self.version()?;
        let mut warnings = Vec::new();
        let revision = match self.tree.get(ROOT, "revision") {
            None => 0,
            Some(entry) => {
                let span = self.entry_span(&entry);
                let Some(n) = self.tree.as_integer(entry.1) else {
                    return Err(self.wrong_type("revision", At::Root, "an integer", &entry));
                };
                let revision = u32::try_from(n).map_err(|_| {
                    let message =
                        format!("`revision` must be a small non-negative integer, found {n}");
                    self.error(span.clone(), message)
                })?;
                if revision > MAX_KNOWN_REVISION {
                    warnings.push(LockWarning {
                        span,
                        message: format!(
                            "uv.lock revision {revision} is newer than cordon knows \
                             ({MAX_KNOWN_REVISION}); some fields may be ignored"
                        ),
                    });
                }
                revision
            }
        };
        let requires_python = self.string_opt(ROOT, "requires-python", At::Root)?;
        let options = match self.table_opt(ROOT, "options", At::Root)? {
            Some((t, span)) => self.options(t, span)?,
            None => LockOptions::default(),
        };
        let manifest_members = match self.table_opt(ROOT, "manifest", At::Root)? {
            Some((t, _)) => self.strings_opt(t, "members", At::Table("manifest"))?,
            None => Vec::new(),
        };
        let mut packages = Vec::new();
        if let Some(entry) = self.tree.get(ROOT, "package") {
            packages.reserve(self.tree.len(entry.1));
            self.each_table("package", At::Root, &entry, |t, span| {
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

    fn version(&self) -> Result<u32, ParseError> {
        let Some(entry) = self.tree.get(ROOT, "version") else {
            return Err(self
                .error(None, "not a uv lockfile: no `version` key")
                .with_help("`uv.lock` files are written by `uv lock`"));
        };
        let Some(n) = self.tree.as_integer(entry.1) else {
            return Err(self
                .wrong_type("version", At::Root, "an integer", &entry)
                .with_help("`uv.lock` files are written by `uv lock`"));
        };
        if n != SUPPORTED_VERSION {
            let message = format!(
                "unsupported uv.lock version `{n}`; cordon understands version {SUPPORTED_VERSION}"
            );
            return Err(self
                .error(self.entry_span(&entry), message)
                .with_help(format!(
                    "this lock was written by a uv release cordon does not support; update cordon, \
                 or lock with a uv that writes `version = {SUPPORTED_VERSION}`"
                )));
        }
        Ok(1)
    }

    fn options(
        &self,
        table: NodeId,
        span: Option<Range<usize>>,
    ) -> Result<LockOptions, ParseError> {
        let at = At::Table("options");
        let timestamp = match self.tree.get(table, "exclude-newer") {
            // uv writes nothing for a disabled cooldown; `false` is read as the same thing.
            Some((_, id)) if self.tree.as_bool(id) == Some(false) => None,
            Some(entry) => {
                let t = self.timestamp("exclude-newer", at, &entry)?;
                Some((t, self.entry_span(&entry).unwrap_or_default()))
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
            exclude_newer_package.reserve(self.tree.len(packages));
            for (name, key_span, id) in self.tree.entries(packages) {
                let entry = (key_span, id);
                let cutoff = self.package_cutoff(name, at, &entry)?;
                let span = match (entry.0, self.tree.span(id)) {
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
        entry: &Entry,
    ) -> Result<LockPackageCutoff, ParseError> {
        let id = entry.1;
        if let Some(b) = self.tree.as_bool(id) {
            if b {
                let message =
                    format!("`{name}`{at} must be `false`, a timestamp or a table, found `true`");
                return Err(self
                    .error(self.entry_span(entry), message)
                    .with_help("uv writes `false` to exempt a package from the cooldown"));
            }
            return Ok(LockPackageCutoff::Disabled);
        }
        if self.tree.is_table_like(id) {
            let relative = self.duration_opt(id, "span", at)?;
            let timestamp = self.timestamp_opt(id, "timestamp", at)?;
            return match (relative, timestamp) {
                (Some((s, _)), _) => Ok(LockPackageCutoff::Relative {
                    span_iso: s.to_owned(),
                }),
                (None, Some(t)) => Ok(LockPackageCutoff::Absolute(t)),
                (None, None) => {
                    let message = format!("`{name}`{at} has neither `timestamp` nor `span`");
                    Err(self.error(self.entry_span(entry), message))
                }
            };
        }
        if self.tree.as_str(id).is_some() {
            return self
                .timestamp(name, at, entry)
                .map(LockPackageCutoff::Absolute);
        }
        Err(self.wrong_type(name, at, "`false`, a timestamp string or a table", entry))
    }

    fn package(
        &self,
        table: NodeId,
        header: Option<Range<usize>>,
    ) -> Result<LockedPackage, ParseError> {
        let Some((name, name_span)) = self.str_opt(table, "name", At::Table("[package]"))? else {
            return Err(self
                .error(header, "a `[[package]]` entry has no `name`")
                .with_help("`uv.lock` files are written by `uv lock`; regenerate it"));
        };
        let at = At::Package(name);
        let span = header.unwrap_or_else(|| name_span.clone());
        let version = self.string_opt(table, "version", at)?;

        let Some(source_entry) = self.tree.get(table, "source") else {
            return Err(self.error(Some(span), format!("package `{name}` has no `source`")));
        };
        let source_span = self.entry_span(&source_entry);
        if !self.tree.is_table_like(source_entry.1) {
            return Err(self.wrong_type("source", at, "an inline table", &source_entry));
        }
        let source = self.package_source(name, source_entry.1, source_span.clone())?;

        let sdist = match self.tree.get(table, "sdist") {
            Some(entry) => Some(self.artifact(ArtifactKind::Sdist, name, &entry)?),
            None => None,
        };
        let mut wheels = Vec::new();
        if let Some(entry) = self.tree.get(table, "wheels") {
            wheels.reserve(self.tree.len(entry.1));
            self.each_table("wheels", at, &entry, |t, span| {
                wheels.push(self.artifact_table(ArtifactKind::Wheel, name, t, span)?);
                Ok(())
            })?;
        }

        let dependencies = match self.tree.get(table, "dependencies") {
            Some(entry) => {
                self.edge_names("dependencies", At::InPackage("dependencies", name), &entry)?
            }
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
            if let Some(entry) = self.tree.get(metadata, "requires-dist") {
                let entry_at = At::InPackage("requires-dist", name);
                requires_dist = self.requirements("requires-dist", at, entry_at, &entry)?;
            }
            if let Some((groups, _)) = self.table_opt(metadata, "requires-dev", at)? {
                requires_dev.reserve(self.tree.len(groups));
                for (group, key_span, id) in self.tree.entries(groups) {
                    let at = At::Group("requires-dev", group, name);
                    let reqs = self.requirements(group, at, at, &(key_span, id))?;
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
        table: NodeId,
        span: Option<Range<usize>>,
    ) -> Result<PackageSource, ParseError> {
        let at = At::InPackage("source", name);
        let mut found: Option<(&str, &str)> = None;
        for kind in SOURCE_KINDS {
            let Some((value, value_span)) = self.str_opt(table, kind, at)? else {
                continue;
            };
            if let Some((first, _)) = found {
                let message = format!(
                    "`source` of package `{name}` has both `{first}` and `{kind}`; expected exactly one"
                );
                return Err(self.error(Some(value_span), message));
            }
            found = Some((kind, value));
        }
        let Some((kind, value)) = found else {
            let kinds: Vec<String> = SOURCE_KINDS.iter().map(|k| format!("`{k}`")).collect();
            return Err(self
                .error(
                    span,
                    format!("`source` of package `{name}` has no known kind"),
                )
                .with_help(format!("expected one of {}", kinds.join(", "))));
        };
        let owned = || value.to_owned();
        Ok(match kind {
            "registry" => PackageSource::Registry(owned()),
            "git" => PackageSource::git(value),
            "url" => PackageSource::Url(owned()),
            "path" => PackageSource::Path(owned()),
            "directory" => PackageSource::Directory(owned()),
            "editable" => PackageSource::Editable(owned()),
            _ => PackageSource::Virtual(owned()),
        })
    }

    fn artifact(
        &self,
        kind: ArtifactKind,
        package: &str,
        entry: &Entry,
    ) -> Result<Artifact, ParseError> {
        if !self.tree.is_table_like(entry.1) {
            let at = At::Package(package);
            return Err(self.wrong_type(kind.key(), at, "an inline table", entry));
        }
        self.artifact_table(kind, package, entry.1, self.entry_span(entry))
    }

    fn artifact_table(
        &self,
        kind: ArtifactKind,
        package: &str,
        table: NodeId,
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
    fn edge_names(&self, key: &str, at: At<'_>, entry: &Entry) -> Result<Vec<String>, ParseError> {
        let mut names = Vec::with_capacity(self.tree.len(entry.1));
        self.each_table(key, at, entry, |t, span| {
            let (name, _) = self.str_req(t, "name", at, span)?;
            names.push(name.to_owned());
            Ok(())
        })?;
        Ok(names)
    }

    /// A table of group (or extra) → edges, under the first of `keys` present.
    fn edge_groups(
        &self,
        table: NodeId,
        keys: &[&'static str],
        package: &str,
    ) -> Result<Vec<(String, Vec<String>)>, ParseError> {
        let Some(key) = keys
            .iter()
            .copied()
            .find(|k| self.tree.get(table, k).is_some())
        else {
            return Ok(Vec::new());
        };
        let Some((groups, _)) = self.table_opt(table, key, At::Package(package))? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::with_capacity(self.tree.len(groups));
        for (group, key_span, id) in self.tree.entries(groups) {
            let at = At::Group(key, group, package);
            let names = self.edge_names(group, at, &(key_span, id))?;
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
        entry: &Entry,
    ) -> Result<Vec<LockRequirement>, ParseError> {
        let mut out = Vec::with_capacity(self.tree.len(entry.1));
        self.each_table(key, at, entry, |t, span| {
            out.push(self.requirement(t, entry_at, span)?);
            Ok(())
        })?;
        Ok(out)
    }

    fn requirement(
        &self,
        table: NodeId,
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
