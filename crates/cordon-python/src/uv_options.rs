//! Which `[tool.uv]` (and `uv.toml`) keys and values uv 0.13.9 rejects, each reported with the
//! byte span of the offending key or value.
//!
//! uv deserializes its settings strictly: one unknown key or one bad value anywhere in
//! `[tool.uv]` makes it warn and ignore the *whole* table (cooldown and pins included) and carry on
//! with exit 0; in `uv.toml` the same mistake is a hard error. Some keys are also read by uv's
//! project model, and a bad value there stops uv outright even in `pyproject.toml`
//! ([`OptionError::uv_reaction`]). uv stops at the first problem; this module reports every one.
//!
//! The schema below is a compact table of uv 0.13.9's settings: the top-level keys are exactly the
//! list uv prints for an unknown field, and the value kinds come from uv's settings structs and
//! were checked one by one against the real binary. Where a structure is too rich to model
//! (`conflicts`, `dependency-groups`, the inside of `sources` entries), only its outer type is
//! checked. When in doubt a value is accepted: a false "invalid" is worse than a miss.
//!
//! Some mistakes uv does *not* reject but silently ignores, such as an unknown key in an
//! `[[tool.uv.index]]` entry (`explict = true` leaves the index non-explicit). Those are reported
//! apart, by [`ignored_uv_options`].

use std::fmt::Write as _;
use std::ops::Range;
use std::str::FromStr;

use toml_edit::{ArrayOfTables, InlineTable, Item, Key, Table, Value};

use crate::exclude_newer;

/// Which file the options come from; uv treats a few keys differently in each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConfigFileKind {
    /// The `[tool.uv]` table of a `pyproject.toml`.
    PyprojectToolUv,
    /// The root table of a `uv.toml` (project, user or system).
    UvToml,
}

/// One key or value uv 0.13.9 would not accept (or, from [`ignored_uv_options`], would ignore).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionError {
    /// Byte span of the offending key or value in the file's text.
    pub span: Range<usize>,
    /// Dotted path below `[tool.uv]` (or the `uv.toml` root): `exclude-newer`, `index[1].url`,
    /// `pip.index-url`, `exclude-newer-package.idna`.
    pub key: String,
    /// What uv would say, lower-case, literals in backticks.
    pub message: String,
}

/// What uv 0.13.9 does when it meets a problem reported by [`validate_uv_options`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UvReaction {
    /// uv warns ("Failed to parse `pyproject.toml` during settings discovery"), ignores the whole
    /// `[tool.uv]` table and carries on with exit status 0.
    IgnoresToolUv,
    /// uv stops with an error (exit status 2).
    Fails,
}

impl OptionError {
    /// How uv reacts to this problem in a file of `kind`. In `uv.toml` every problem is fatal; in
    /// `pyproject.toml` only problems in keys that uv's project model also reads are.
    pub fn uv_reaction(&self, kind: ConfigFileKind) -> UvReaction {
        let top = self.key.split(['.', '[']).next().unwrap_or_default();
        match kind {
            ConfigFileKind::UvToml => UvReaction::Fails,
            ConfigFileKind::PyprojectToolUv if PROJECT_MODEL_KEYS.contains(&top) => {
                UvReaction::Fails
            }
            ConfigFileKind::PyprojectToolUv => UvReaction::IgnoresToolUv,
        }
    }
}

/// Every key or value in `table` (the `[tool.uv]` table, or a `uv.toml` root) that uv 0.13.9
/// rejects, in document order of discovery.
pub fn validate_uv_options(table: &Table, kind: ConfigFileKind) -> Vec<OptionError> {
    walk(Node::Table(table), kind).errors
}

/// Like [`validate_uv_options`] for a `[tool.uv]` written as an inline table or dotted keys
/// (`tool.uv = { … }`). An item that is not a table is itself the error.
pub fn validate_uv_options_item(item: &Item, kind: ConfigFileKind) -> Vec<OptionError> {
    match Node::of_item(item) {
        Some(node @ (Node::Table(_) | Node::Inline(_))) => walk(node, kind).errors,
        Some(node) => vec![OptionError {
            span: node.span().unwrap_or(0..0),
            key: String::new(),
            message: format!("invalid type: {}, expected a table", node.describe()),
        }],
        None => Vec::new(),
    }
}

/// Keys uv 0.13.9 accepts but silently ignores, such as unknown keys inside an index entry,
/// `audit`, an index's `cache-control` or the table form of `exclude-newer`. Not errors for uv;
/// usually typos with a security cost (`explict = true`).
pub fn ignored_uv_options(table: &Table, kind: ConfigFileKind) -> Vec<OptionError> {
    walk(Node::Table(table), kind).ignored
}

/// Keys that uv's project model (the workspace reader) deserializes too. In `pyproject.toml`, a
/// bad value under one of them is fatal rather than a warning (verified on uv 0.13.9).
const PROJECT_MODEL_KEYS: &[&str] = &[
    "index",
    "sources",
    "workspace",
    "managed",
    "package",
    "default-groups",
    "dependency-groups",
    "dev-dependencies",
    "environments",
    "required-environments",
    "conflicts",
    "override-dependencies",
    "constraint-dependencies",
    "build-constraint-dependencies",
    "exclude-dependencies",
    "minimum-libc-version",
];

/// Keys uv refuses in `uv.toml` because they only make sense for a project.
const PYPROJECT_ONLY_KEYS: &[&str] = &[
    "conflicts",
    "workspace",
    "sources",
    "dev-dependencies",
    "default-groups",
    "dependency-groups",
    "managed",
    "package",
    "build-backend",
    "environments",
    "required-environments",
    "minimum-libc-version",
];

// ---------------------------------------------------------------------------------------------
// The schema

/// What a value must be.
#[derive(Debug)]
enum Kind {
    /// Anything (not modelled).
    Any,
    Bool,
    /// Any string.
    Str,
    /// A filesystem path.
    Path,
    /// An index URL or local path: anything but the empty string.
    IndexUrl,
    /// An absolute URL (with a scheme).
    Url,
    /// One of the listed strings, exactly.
    Enum(&'static [&'static str]),
    /// A positive integer.
    NonZero,
    /// An HTTP status code.
    StatusCode,
    /// A package or extra name.
    Name,
    /// An index name.
    IndexName,
    /// A PEP 508 requirement.
    Requirement,
    /// A PEP 508 marker expression.
    Marker,
    /// `required-version`: PEP 440 specifiers or a bare version.
    Specifiers,
    /// `<major>.<minor>`.
    LibcVersion,
    /// A string, `false` or a `{ timestamp, span }` table.
    ExcludeNewer,
    /// `"all"` or a list of group names.
    DefaultGroups,
    Array(&'static Kind),
    /// A table of arbitrary keys; the first kind checks the keys (`Any` or `Name`).
    Map(&'static Kind, &'static Kind),
    Struct(&'static Struct),
    /// The first alternative whose TOML type matches; the text says what was expected otherwise.
    Either(&'static Kind, &'static Kind, &'static str),
}

#[derive(Debug)]
struct Struct {
    fields: &'static [Field],
    /// Whether uv rejects keys it does not know (`deny_unknown_fields`) or ignores them.
    reject_unknown: bool,
}

#[derive(Debug)]
struct Field {
    name: &'static str,
    kind: Kind,
    required: bool,
}

const fn f(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: false,
    }
}

const fn required(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: true,
    }
}

const PYTHON_PREFERENCE: Kind = Kind::Enum(&["only-managed", "managed", "system", "only-system"]);
const PYTHON_DOWNLOADS: Kind = Kind::Enum(&["auto", "automatic", "manual", "never"]);
const INDEX_STRATEGY: Kind = Kind::Enum(&[
    "first-index",
    "unsafe-any-match",
    "unsafe-first-match",
    "unsafe-best-match",
]);
const KEYRING_PROVIDER: Kind = Kind::Enum(&["disabled", "subprocess"]);
const RESOLUTION: Kind = Kind::Enum(&["highest", "lowest", "lowest-direct"]);
const PRERELEASE: Kind = Kind::Enum(&[
    "disallow",
    "allow",
    "if-necessary",
    "explicit",
    "if-necessary-or-explicit",
]);
const FORK_STRATEGY: Kind = Kind::Enum(&["fewest", "requires-python"]);
const LINK_MODE: Kind = Kind::Enum(&["clone", "reflink", "copy", "hardlink", "symlink"]);
const TRUSTED_PUBLISHING: Kind = Kind::Enum(&["automatic", "always", "never"]);
const ADD_BOUNDS: Kind = Kind::Enum(&["lower", "major", "minor", "exact"]);

const CONFIG_SETTINGS: Kind = Kind::Map(
    &Kind::Any,
    &Kind::Either(
        &Kind::Str,
        &Kind::Array(&Kind::Str),
        "a string or list of strings",
    ),
);

static INDEX: Struct = Struct {
    fields: &[
        f("name", Kind::IndexName),
        required("url", Kind::IndexUrl),
        f("explicit", Kind::Bool),
        f("default", Kind::Bool),
        f("format", Kind::Enum(&["simple", "flat"])),
        f("publish-url", Kind::Url),
        f("authenticate", Kind::Enum(&["auto", "always", "never"])),
        f("ignore-error-codes", Kind::Array(&Kind::StatusCode)),
        f(
            "cache-control",
            Kind::Struct(&Struct {
                fields: &[f("api", Kind::Str), f("files", Kind::Str)],
                reject_unknown: false,
            }),
        ),
        f("exclude-newer", Kind::ExcludeNewer),
        f(
            "hash-algorithm",
            Kind::Enum(&["md5", "sha256", "sha384", "sha512", "blake2b"]),
        ),
    ],
    reject_unknown: false,
};

static DEPENDENCY_METADATA: Struct = Struct {
    fields: &[
        required("name", Kind::Name),
        f("version", Kind::Str),
        f("requires-dist", Kind::Array(&Kind::Str)),
        f("requires-python", Kind::Str),
        f("provides-extra", Kind::Array(&Kind::Str)),
        f("provides-extras", Kind::Array(&Kind::Str)),
    ],
    reject_unknown: true,
};

static CACHE_KEY: Struct = Struct {
    fields: &[
        f("file", Kind::Str),
        f("dir", Kind::Str),
        f(
            "git",
            Kind::Either(
                &Kind::Bool,
                &Kind::Struct(&Struct {
                    fields: &[f("commit", Kind::Bool), f("tags", Kind::Bool)],
                    reject_unknown: true,
                }),
                "a boolean or a table",
            ),
        ),
        f("env", Kind::Str),
    ],
    reject_unknown: true,
};

static SOURCE: Struct = Struct {
    // Value types as uv 0.13.9 deserializes them (a wrong type stops uv: the project model
    // reads `sources`). Strings are not checked further than being strings.
    fields: &[
        f("git", Kind::Str),
        f("subdirectory", Kind::Str),
        f("rev", Kind::Str),
        f("tag", Kind::Str),
        f("branch", Kind::Str),
        f("lfs", Kind::Bool),
        f("url", Kind::Str),
        f("path", Kind::Str),
        f("editable", Kind::Bool),
        f("package", Kind::Bool),
        f("index", Kind::Str),
        f("workspace", Kind::Bool),
        f("marker", Kind::Str),
        f("extra", Kind::Str),
        f("group", Kind::Str),
    ],
    reject_unknown: true,
};

static AUDIT: Struct = Struct {
    fields: &[
        f("ignore", Kind::Array(&Kind::Str)),
        f("ignore-until-fixed", Kind::Array(&Kind::Str)),
        f("malware-check", Kind::Bool),
    ],
    reject_unknown: false,
};

static PIP: Struct = Struct {
    fields: &[
        f("python", Kind::Str),
        f("system", Kind::Bool),
        f("break-system-packages", Kind::Bool),
        f("target", Kind::Path),
        f("prefix", Kind::Path),
        f("index-url", Kind::IndexUrl),
        f("extra-index-url", Kind::Array(&Kind::IndexUrl)),
        f("no-index", Kind::Bool),
        f("find-links", Kind::Array(&Kind::IndexUrl)),
        f("index-strategy", INDEX_STRATEGY),
        f("keyring-provider", KEYRING_PROVIDER),
        f("no-build", Kind::Bool),
        // `:all:` and `:none:` are allowed besides names, so only the type is checked.
        f("no-binary", Kind::Array(&Kind::Str)),
        f("only-binary", Kind::Array(&Kind::Str)),
        f("no-build-isolation", Kind::Bool),
        f("require-build-hashes", Kind::Bool),
        f("no-build-isolation-package", Kind::Array(&Kind::Name)),
        f(
            "extra-build-dependencies",
            Kind::Map(&Kind::Any, &Kind::Array(&Kind::Any)),
        ),
        f(
            "extra-build-variables",
            Kind::Map(&Kind::Any, &Kind::Map(&Kind::Any, &Kind::Str)),
        ),
        f("strict", Kind::Bool),
        f("extra", Kind::Array(&Kind::Name)),
        f("all-extras", Kind::Bool),
        f("no-extra", Kind::Array(&Kind::Name)),
        f("no-deps", Kind::Bool),
        f("group", Kind::Array(&Kind::Str)),
        f("allow-empty-requirements", Kind::Bool),
        f("resolution", RESOLUTION),
        f("prerelease", PRERELEASE),
        f("fork-strategy", FORK_STRATEGY),
        f(
            "dependency-metadata",
            Kind::Array(&Kind::Struct(&DEPENDENCY_METADATA)),
        ),
        f("output-file", Kind::Path),
        f("no-strip-extras", Kind::Bool),
        f("no-strip-markers", Kind::Bool),
        f("no-annotate", Kind::Bool),
        f("no-header", Kind::Bool),
        f("custom-compile-command", Kind::Str),
        f("generate-hashes", Kind::Bool),
        f("config-settings", CONFIG_SETTINGS),
        f(
            "config-settings-package",
            Kind::Map(&Kind::Any, &CONFIG_SETTINGS),
        ),
        f("python-version", Kind::Str),
        f("python-platform", Kind::Str),
        f("universal", Kind::Bool),
        f("exclude-newer", Kind::ExcludeNewer),
        f(
            "exclude-newer-package",
            Kind::Map(&Kind::Name, &Kind::ExcludeNewer),
        ),
        f("no-emit-package", Kind::Array(&Kind::Name)),
        f("emit-index-url", Kind::Bool),
        f("emit-find-links", Kind::Bool),
        f("emit-build-options", Kind::Bool),
        f("emit-marker-expression", Kind::Bool),
        f("emit-index-annotation", Kind::Bool),
        f("annotation-style", Kind::Enum(&["line", "split"])),
        f("link-mode", LINK_MODE),
        f("compile-bytecode", Kind::Bool),
        f("require-hashes", Kind::Bool),
        f("verify-hashes", Kind::Bool),
        f("no-sources", Kind::Bool),
        f("no-sources-package", Kind::Array(&Kind::Name)),
        f("upgrade", Kind::Bool),
        f("upgrade-package", Kind::Array(&Kind::Requirement)),
        f("reinstall", Kind::Bool),
        f("reinstall-package", Kind::Array(&Kind::Name)),
        f("torch-backend", Kind::Str),
    ],
    reject_unknown: true,
};

/// `[tool.uv]` / `uv.toml`, in the order uv 0.13.9 lists its fields.
static TOP: Struct = Struct {
    fields: &[
        f("required-version", Kind::Specifiers),
        f("system-certs", Kind::Bool),
        f("native-tls", Kind::Bool),
        f("offline", Kind::Bool),
        f("no-cache", Kind::Bool),
        f("cache-dir", Kind::Path),
        f("preview", Kind::Bool),
        f(
            "preview-features",
            Kind::Either(
                &Kind::Bool,
                &Kind::Array(&Kind::Str),
                "a boolean or a list of preview feature names",
            ),
        ),
        f("python-preference", PYTHON_PREFERENCE),
        f("python-downloads", PYTHON_DOWNLOADS),
        f("concurrent-downloads", Kind::NonZero),
        f("concurrent-builds", Kind::NonZero),
        f("concurrent-installs", Kind::NonZero),
        f("index", Kind::Array(&Kind::Struct(&INDEX))),
        f("index-url", Kind::IndexUrl),
        f("extra-index-url", Kind::Array(&Kind::IndexUrl)),
        f("no-index", Kind::Bool),
        f("find-links", Kind::Array(&Kind::IndexUrl)),
        f("index-strategy", INDEX_STRATEGY),
        f("keyring-provider", KEYRING_PROVIDER),
        f("http-proxy", Kind::Str),
        f("https-proxy", Kind::Str),
        f("no-proxy", Kind::Array(&Kind::Str)),
        f("allow-insecure-host", Kind::Array(&Kind::Str)),
        f("resolution", RESOLUTION),
        f("prerelease", PRERELEASE),
        f("prerelease-package", Kind::Map(&Kind::Name, &PRERELEASE)),
        f("fork-strategy", FORK_STRATEGY),
        f(
            "dependency-metadata",
            Kind::Array(&Kind::Struct(&DEPENDENCY_METADATA)),
        ),
        f("config-settings", CONFIG_SETTINGS),
        f(
            "config-settings-package",
            Kind::Map(&Kind::Any, &CONFIG_SETTINGS),
        ),
        f("no-build-isolation", Kind::Bool),
        f("require-build-hashes", Kind::Bool),
        f("no-build-isolation-package", Kind::Array(&Kind::Name)),
        f(
            "extra-build-dependencies",
            Kind::Map(&Kind::Any, &Kind::Array(&Kind::Any)),
        ),
        f(
            "extra-build-variables",
            Kind::Map(&Kind::Any, &Kind::Map(&Kind::Any, &Kind::Str)),
        ),
        f("exclude-newer", Kind::ExcludeNewer),
        f(
            "exclude-newer-package",
            Kind::Map(&Kind::Name, &Kind::ExcludeNewer),
        ),
        f("link-mode", LINK_MODE),
        f("compile-bytecode", Kind::Bool),
        f("no-sources", Kind::Bool),
        f("no-sources-package", Kind::Array(&Kind::Name)),
        f("upgrade", Kind::Bool),
        f("upgrade-package", Kind::Array(&Kind::Requirement)),
        f("reinstall", Kind::Bool),
        f("reinstall-package", Kind::Array(&Kind::Name)),
        f("no-build", Kind::Bool),
        f("no-build-package", Kind::Array(&Kind::Name)),
        f("no-binary", Kind::Bool),
        f("no-binary-package", Kind::Array(&Kind::Name)),
        // The list of backends changes with every uv release.
        f("torch-backend", Kind::Str),
        f("python-install-mirror", Kind::Str),
        f("pypy-install-mirror", Kind::Str),
        f("graalpy-install-mirror", Kind::Str),
        f("pyodide-install-mirror", Kind::Str),
        f("python-downloads-json-url", Kind::Str),
        f("publish-url", Kind::Url),
        f("trusted-publishing", TRUSTED_PUBLISHING),
        f("check-url", Kind::IndexUrl),
        f("add-bounds", ADD_BOUNDS),
        f("audit", Kind::Struct(&AUDIT)),
        f("pip", Kind::Struct(&PIP)),
        f(
            "cache-keys",
            Kind::Array(&Kind::Either(
                &Kind::Str,
                &Kind::Struct(&CACHE_KEY),
                "a path or a cache key table",
            )),
        ),
        f("override-dependencies", Kind::Array(&Kind::Requirement)),
        f("exclude-dependencies", Kind::Array(&Kind::Name)),
        f("constraint-dependencies", Kind::Array(&Kind::Requirement)),
        f(
            "build-constraint-dependencies",
            Kind::Array(&Kind::Requirement),
        ),
        f(
            "environments",
            Kind::Either(
                &Kind::Marker,
                &Kind::Array(&Kind::Marker),
                "a string or a list of strings",
            ),
        ),
        f(
            "required-environments",
            Kind::Either(
                &Kind::Marker,
                &Kind::Array(&Kind::Marker),
                "a string or a list of strings",
            ),
        ),
        f(
            "minimum-libc-version",
            Kind::Struct(&Struct {
                fields: &[f("glibc", Kind::LibcVersion), f("musl", Kind::LibcVersion)],
                reject_unknown: true,
            }),
        ),
        f("conflicts", Kind::Array(&Kind::Array(&Kind::Any))),
        f(
            "workspace",
            Kind::Struct(&Struct {
                fields: &[
                    f("members", Kind::Array(&Kind::Str)),
                    f("exclude", Kind::Array(&Kind::Str)),
                ],
                reject_unknown: true,
            }),
        ),
        f(
            "sources",
            Kind::Map(
                &Kind::Name,
                &Kind::Either(
                    &Kind::Struct(&SOURCE),
                    &Kind::Array(&Kind::Struct(&SOURCE)),
                    "a single source (as a map) or list of sources",
                ),
            ),
        ),
        f("managed", Kind::Bool),
        f("package", Kind::Bool),
        f("default-groups", Kind::DefaultGroups),
        f(
            "dependency-groups",
            Kind::Map(&Kind::Any, &Kind::Map(&Kind::Any, &Kind::Any)),
        ),
        f("dev-dependencies", Kind::Array(&Kind::Requirement)),
        f("build-backend", Kind::Any),
    ],
    reject_unknown: true,
};

// ---------------------------------------------------------------------------------------------
// Table-like access: `[a]` tables, `a = { … }` inline tables, dotted keys and `[[a]]` arrays of
// tables all look the same to uv, so they look the same here.

#[derive(Clone, Copy)]
enum Node<'a> {
    Table(&'a Table),
    Inline(&'a InlineTable),
    Tables(&'a ArrayOfTables),
    /// Any value but an inline table.
    Value(&'a Value),
}

/// The TOML type of a node, as far as uv's deserializer can tell them apart.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Bool,
    Str,
    Int,
    Float,
    Datetime,
    Array,
    Table,
}

struct Entry<'a> {
    name: &'a str,
    key: Option<&'a Key>,
    node: Node<'a>,
}

impl<'a> Node<'a> {
    fn of_item(item: &'a Item) -> Option<Self> {
        match item {
            Item::None => None,
            Item::Table(t) => Some(Self::Table(t)),
            Item::ArrayOfTables(a) => Some(Self::Tables(a)),
            Item::Value(v) => Some(Self::of_value(v)),
        }
    }

    fn of_value(value: &'a Value) -> Self {
        match value {
            Value::InlineTable(t) => Self::Inline(t),
            other => Self::Value(other),
        }
    }

    fn span(self) -> Option<Range<usize>> {
        match self {
            Self::Table(t) => t.span(),
            Self::Inline(t) => t.span(),
            Self::Tables(a) => a.span(),
            Self::Value(v) => v.span(),
        }
    }

    fn shape(self) -> Shape {
        match self {
            Self::Table(_) | Self::Inline(_) => Shape::Table,
            Self::Tables(_) => Shape::Array,
            Self::Value(v) => match v {
                Value::String(_) => Shape::Str,
                Value::Integer(_) => Shape::Int,
                Value::Float(_) => Shape::Float,
                Value::Boolean(_) => Shape::Bool,
                Value::Datetime(_) => Shape::Datetime,
                Value::Array(_) => Shape::Array,
                Value::InlineTable(_) => Shape::Table,
            },
        }
    }

    /// The entries of a table, in document order.
    fn entries(self) -> Vec<Entry<'a>> {
        match self {
            Self::Table(t) => t
                .iter()
                .filter_map(|(name, item)| {
                    Some(Entry {
                        name,
                        key: t.key(name),
                        node: Self::of_item(item)?,
                    })
                })
                .collect(),
            Self::Inline(t) => t
                .iter()
                .map(|(name, value)| Entry {
                    name,
                    key: t.key(name),
                    node: Self::of_value(value),
                })
                .collect(),
            Self::Tables(_) | Self::Value(_) => Vec::new(),
        }
    }

    fn get(self, name: &str) -> Option<Entry<'a>> {
        self.entries().into_iter().find(|e| e.name == name)
    }

    /// The elements of an array or array of tables.
    fn elements(self) -> Vec<Self> {
        match self {
            Self::Tables(a) => a.iter().map(Self::Table).collect(),
            Self::Value(Value::Array(a)) => a.iter().map(Self::of_value).collect(),
            _ => Vec::new(),
        }
    }

    fn as_str(self) -> Option<&'a str> {
        match self {
            Self::Value(Value::String(s)) => Some(s.value()),
            _ => None,
        }
    }

    fn as_bool(self) -> Option<bool> {
        match self {
            Self::Value(Value::Boolean(b)) => Some(*b.value()),
            _ => None,
        }
    }

    fn as_int(self) -> Option<i64> {
        match self {
            Self::Value(Value::Integer(i)) => Some(*i.value()),
            _ => None,
        }
    }

    /// The node the way serde names an unexpected value: ``integer `1` ``, `string "x"`.
    fn describe(self) -> String {
        match self {
            Self::Value(Value::String(s)) => format!("string {:?}", s.value()),
            Self::Value(Value::Integer(i)) => format!("integer `{}`", i.value()),
            Self::Value(Value::Float(x)) => format!("floating point `{:?}`", x.value()),
            Self::Value(Value::Boolean(b)) => format!("boolean `{}`", b.value()),
            Self::Value(Value::Array(_)) | Self::Tables(_) => "sequence".to_owned(),
            // A TOML datetime reaches uv's deserializer as a map.
            Self::Value(Value::Datetime(_) | Value::InlineTable(_))
            | Self::Table(_)
            | Self::Inline(_) => "map".to_owned(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The walk

struct Walk {
    kind: ConfigFileKind,
    errors: Vec<OptionError>,
    ignored: Vec<OptionError>,
}

fn walk(root: Node<'_>, kind: ConfigFileKind) -> Walk {
    let mut w = Walk {
        kind,
        errors: Vec::new(),
        ignored: Vec::new(),
    };
    let root_span = root.span().unwrap_or(0..0);
    w.check_struct(&TOP, root, "", &root_span);
    w.check_top_level_rules(root, &root_span);
    w
}

impl Walk {
    fn error(&mut self, span: Range<usize>, key: &str, message: impl AsRef<str>) {
        self.errors.push(OptionError {
            span,
            key: key.to_owned(),
            message: house_style(message.as_ref()),
        });
    }

    fn check(&mut self, kind: &Kind, node: Node<'_>, path: &str, at: &Range<usize>) {
        let span = node.span().unwrap_or_else(|| at.clone());
        match kind {
            Kind::Any => {}
            Kind::Bool => {
                if node.as_bool().is_none() {
                    self.type_error(node, path, &span, "a boolean");
                }
            }
            Kind::Str => self.check_str(node, path, &span, "a string", |_| None),
            Kind::Path => self.check_str(node, path, &span, "path string", |_| None),
            Kind::IndexUrl => self.check_str(node, path, &span, "a string", |s| {
                s.is_empty().then(|| {
                    "path could not be converted to an absolute path: the value is empty".to_owned()
                })
            }),
            Kind::Url => self.check_str(node, path, &span, "a string", |s| {
                (!has_url_scheme(s)).then(|| format!("relative URL without a base: {s:?}"))
            }),
            Kind::Enum(variants) => self.check_enum(variants, node, path, &span),
            Kind::NonZero => match node.as_int() {
                Some(i) if i > 0 => {}
                Some(i) => {
                    self.error(
                        span,
                        path,
                        format!("invalid value: integer `{i}`, expected a nonzero usize"),
                    );
                }
                None => self.type_error(node, path, &span, "a nonzero usize"),
            },
            Kind::StatusCode => match node.as_int() {
                Some(i) if !(0..=i64::from(u16::MAX)).contains(&i) => {
                    self.error(
                        span,
                        path,
                        format!("invalid value: integer `{i}`, expected u16"),
                    );
                }
                Some(i) if !(100..=999).contains(&i) => {
                    self.error(span, path, format!("{i} is not a valid HTTP status code"));
                }
                Some(_) => {}
                None => self.type_error(node, path, &span, "u16"),
            },
            Kind::Name => self.check_str(node, path, &span, "a string", name_error),
            Kind::IndexName => self.check_str(node, path, &span, "a string", index_name_error),
            Kind::Requirement => self.check_str(node, path, &span, "a string", requirement_error),
            Kind::Marker => self.check_str(node, path, &span, "a string", marker_error),
            Kind::Specifiers => self.check_str(node, path, &span, "a string", specifiers_error),
            Kind::LibcVersion => self.check_str(
                node,
                path,
                &span,
                "a libc version string in the form `<major>.<minor>`",
                libc_version_error,
            ),
            Kind::ExcludeNewer => {
                let result = match node {
                    Node::Table(t) => exclude_newer::parse_exclude_newer_table(t),
                    Node::Inline(t) => exclude_newer::parse_exclude_newer_table(t),
                    Node::Tables(_) => Err(format!(
                        "invalid type: sequence, expected {}",
                        exclude_newer::EXPECTED_VALUE
                    )),
                    Node::Value(v) => exclude_newer::parse_exclude_newer_value(v),
                };
                if let Err(message) = result {
                    self.error(span.clone(), path, message);
                }
                if matches!(node, Node::Table(_) | Node::Inline(_)) {
                    self.note_ignored_keys(node, path, &span, &["timestamp", "span"]);
                }
            }
            Kind::DefaultGroups => match node.shape() {
                Shape::Str if node.as_str() == Some("all") => {}
                Shape::Str => {
                    self.error(
                        span,
                        path,
                        r#"default-groups must be "all" or a ["list", "of", "groups"]"#,
                    );
                }
                Shape::Array => self.check(&Kind::Array(&Kind::Name), node, path, at),
                _ => self.type_error(
                    node,
                    path,
                    &span,
                    r#"the string "all" or a list of strings"#,
                ),
            },
            Kind::Array(item) => {
                if node.shape() != Shape::Array {
                    self.type_error(node, path, &span, "a sequence");
                    return;
                }
                for (i, element) in node.elements().into_iter().enumerate() {
                    self.check(item, element, &format!("{path}[{i}]"), &span);
                }
            }
            Kind::Map(key_kind, value_kind) => {
                if node.shape() != Shape::Table {
                    self.type_error(node, path, &span, "a map");
                    return;
                }
                for entry in node.entries() {
                    let child = join(path, entry.name);
                    let key_span = entry.key.and_then(Key::span).or_else(|| entry.node.span());
                    let key_span = key_span.unwrap_or_else(|| span.clone());
                    if matches!(key_kind, Kind::Name)
                        && let Some(message) = name_error(entry.name)
                    {
                        self.error(key_span.clone(), &child, message);
                    }
                    self.check(value_kind, entry.node, &child, &key_span);
                }
            }
            Kind::Struct(schema) => self.check_struct(schema, node, path, &span),
            Kind::Either(first, second, expected) => {
                let shape = node.shape();
                if accepts(first, shape) {
                    self.check(first, node, path, at);
                } else if accepts(second, shape) {
                    self.check(second, node, path, at);
                } else {
                    self.type_error(node, path, &span, expected);
                }
            }
        }
    }

    fn type_error(&mut self, node: Node<'_>, path: &str, span: &Range<usize>, expected: &str) {
        self.error(
            span.clone(),
            path,
            format!("invalid type: {}, expected {expected}", node.describe()),
        );
    }

    fn check_str(
        &mut self,
        node: Node<'_>,
        path: &str,
        span: &Range<usize>,
        expected: &str,
        validate: impl Fn(&str) -> Option<String>,
    ) {
        match node.as_str() {
            Some(s) => {
                if let Some(message) = validate(s) {
                    self.error(span.clone(), path, message);
                }
            }
            None => self.type_error(node, path, span, expected),
        }
    }

    fn check_enum(&mut self, variants: &[&str], node: Node<'_>, path: &str, span: &Range<usize>) {
        match node.shape() {
            Shape::Str => {
                let value = node.as_str().unwrap_or_default();
                if !variants.contains(&value) {
                    let mut message =
                        format!("unknown variant `{value}`, expected {}", one_of(variants));
                    if let Some(close) = closest(value, variants) {
                        let _ = write!(message, "; did you mean `{close}`?");
                    }
                    self.error(span.clone(), path, message);
                }
            }
            // uv's enum deserializer also takes a one-key table naming the variant; too exotic to
            // judge, so it passes.
            Shape::Table => {}
            _ => self.type_error(node, path, span, &format!("a string, {}", one_of(variants))),
        }
    }

    fn check_struct(&mut self, schema: &Struct, node: Node<'_>, path: &str, span: &Range<usize>) {
        match node.shape() {
            Shape::Table => {}
            // serde fills a struct from an array positionally; an empty one always fails, other
            // arrays are too exotic to judge.
            Shape::Array => {
                if node.elements().is_empty() {
                    self.error(span.clone(), path, "invalid length 0, expected a table");
                }
                return;
            }
            _ => {
                self.type_error(node, path, span, "a table");
                return;
            }
        }
        let names: Vec<&str> = schema.fields.iter().map(|field| field.name).collect();
        for entry in node.entries() {
            let child = join(path, entry.name);
            let key_span = entry.key.and_then(Key::span).or_else(|| entry.node.span());
            let key_span = key_span.unwrap_or_else(|| span.clone());
            if path.is_empty()
                && self.kind == ConfigFileKind::UvToml
                && PYPROJECT_ONLY_KEYS.contains(&entry.name)
            {
                let name = entry.name;
                self.error(
                    key_span,
                    &child,
                    format!(
                        "the `{name}` field is not allowed in a `uv.toml` file; `{name}` is only \
                         applicable in the context of a project, and should be placed in a \
                         `pyproject.toml` file instead"
                    ),
                );
                continue;
            }
            if let Some(field) = schema.fields.iter().find(|field| field.name == entry.name) {
                self.check(&field.kind, entry.node, &child, &key_span);
                continue;
            }
            let message = unknown_field(entry.name, &names);
            let error = OptionError {
                span: key_span,
                key: child,
                message,
            };
            if schema.reject_unknown {
                self.errors.push(error);
            } else {
                self.ignored.push(error);
            }
        }
        for field in schema.fields.iter().filter(|field| field.required) {
            if node.get(field.name).is_none() {
                self.error(
                    span.clone(),
                    path,
                    format!("missing field `{}`", field.name),
                );
            }
        }
    }

    /// Reports the keys of a table uv reads only partly (the `exclude-newer` table form).
    fn note_ignored_keys(
        &mut self,
        node: Node<'_>,
        path: &str,
        span: &Range<usize>,
        known: &[&str],
    ) {
        for entry in node.entries() {
            if !known.contains(&entry.name) {
                let key_span = entry.key.and_then(Key::span).or_else(|| entry.node.span());
                self.ignored.push(OptionError {
                    span: key_span.unwrap_or_else(|| span.clone()),
                    key: join(path, entry.name),
                    message: unknown_field(entry.name, known),
                });
            }
        }
    }

    /// Rules that span several keys: `preview` with `preview-features`, and the index list.
    fn check_top_level_rules(&mut self, root: Node<'_>, root_span: &Range<usize>) {
        if root.get("preview").is_some()
            && let Some(entry) = root.get("preview-features")
        {
            let span = entry.key.and_then(Key::span).or_else(|| entry.node.span());
            self.error(
                span.unwrap_or_else(|| root_span.clone()),
                "preview-features",
                "cannot specify both `preview` and `preview-features`",
            );
        }

        let Some(indexes) = root.get("index") else {
            return;
        };
        let mut seen_default = false;
        for (i, index) in indexes.node.elements().into_iter().enumerate() {
            if index.shape() != Shape::Table {
                continue;
            }
            let path = format!("index[{i}]");
            let span_of = |entry: &Entry<'_>| {
                entry
                    .node
                    .span()
                    .or_else(|| entry.key.and_then(Key::span))
                    .unwrap_or_else(|| root_span.clone())
            };
            if let Some(explicit) = index.get("explicit")
                && explicit.node.as_bool() == Some(true)
                && index.get("name").is_none()
            {
                let url = index
                    .get("url")
                    .and_then(|e| e.node.as_str())
                    .unwrap_or_default();
                self.error(
                    span_of(&explicit),
                    &format!("{path}.explicit"),
                    format!("an index with `explicit = true` requires a `name`: {url}"),
                );
            }
            if let Some(default) = index.get("default")
                && default.node.as_bool() == Some(true)
            {
                if seen_default {
                    self.error(
                        span_of(&default),
                        &format!("{path}.default"),
                        "found multiple indexes with `default = true`; only one index may be \
                         marked as default",
                    );
                }
                seen_default = true;
            }
        }
    }
}

/// Whether a kind can take a value of this TOML type (used to pick an `Either` branch).
fn accepts(kind: &Kind, shape: Shape) -> bool {
    match kind {
        Kind::Any => true,
        Kind::Bool => shape == Shape::Bool,
        Kind::Str
        | Kind::Path
        | Kind::IndexUrl
        | Kind::Url
        | Kind::Name
        | Kind::IndexName
        | Kind::Requirement
        | Kind::Marker
        | Kind::Specifiers
        | Kind::LibcVersion => shape == Shape::Str,
        Kind::Enum(_) => matches!(shape, Shape::Str | Shape::Table),
        Kind::NonZero | Kind::StatusCode => shape == Shape::Int,
        Kind::ExcludeNewer => matches!(shape, Shape::Str | Shape::Bool | Shape::Table),
        Kind::DefaultGroups => matches!(shape, Shape::Str | Shape::Array),
        Kind::Array(_) => shape == Shape::Array,
        Kind::Map(..) | Kind::Struct(_) => shape == Shape::Table,
        Kind::Either(first, second, _) => accepts(first, shape) || accepts(second, shape),
    }
}

// ---------------------------------------------------------------------------------------------
// Value validators: `None` when uv accepts the string, else uv's message.

fn name_error(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let valid = !bytes.is_empty()
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    (!valid).then(|| {
        format!(
            "Not a valid package or extra name: {s:?}. Names must start and end with a letter or \
             digit and may only contain -, _, ., and alphanumeric characters."
        )
    })
}

fn index_name_error(s: &str) -> Option<String> {
    if let Some(c) = s.chars().find(|c| !c.is_ascii()) {
        return Some(format!(
            "Index names must be ASCII, but found non-ASCII character (`{c}`) in: `{s}`"
        ));
    }
    s.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))).map(|c| {
        format!(
            "Index names may only contain letters, digits, hyphens, underscores, and periods, but \
             found unsupported character (`{c}`) in: `{s}`"
        )
    })
}

fn requirement_error(s: &str) -> Option<String> {
    let parse = |s: &str| pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::from_str(s);
    let err = parse(s).err()?;
    // uv's parser, unlike PEP 508, allows one trailing comma after the version specifiers
    // (`foo>=1,`, `foo (>=1,)`, `foo>=1, ; marker`).
    if let Some(relaxed) = without_trailing_specifier_comma(s)
        && parse(&relaxed).is_ok()
    {
        return None;
    }
    Some(err.to_string())
}

fn without_trailing_specifier_comma(s: &str) -> Option<String> {
    if s.contains('@') {
        return None;
    }
    let specifiers = s.split(';').next().unwrap_or(s);
    let (at, _) = specifiers
        .char_indices()
        .filter(|&(_, c)| c == ',')
        .find(|&(at, _)| {
            let rest = s[at + 1..].trim_start();
            s[..at].contains(['<', '>', '=', '!', '~'])
                && (rest.is_empty() || rest.starts_with([';', ')']))
        })?;
    Some(format!("{}{}", &s[..at], &s[at + 1..]))
}

fn marker_error(s: &str) -> Option<String> {
    pep508_rs::MarkerTree::from_str(s)
        .err()
        .map(|err| err.to_string())
}

fn specifiers_error(s: &str) -> Option<String> {
    // uv takes a bare version as `==version`.
    match pep440_rs::VersionSpecifiers::from_str(s) {
        Ok(_) => None,
        Err(_) if pep440_rs::Version::from_str(s).is_ok() => None,
        Err(err) => {
            let err = err.to_string();
            if err.starts_with("Failed to parse version") {
                Some(err)
            } else {
                Some(format!("Failed to parse version: {err}"))
            }
        }
    }
}

fn libc_version_error(s: &str) -> Option<String> {
    let valid = s.split_once('.').is_some_and(|(major, minor)| {
        [major, minor]
            .iter()
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
    });
    (!valid).then(|| {
        "expected a libc version in the form `<major>.<minor>` (e.g., `2.31` or `1.2`)".to_owned()
    })
}

fn has_url_scheme(s: &str) -> bool {
    s.split_once(':').is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

// ---------------------------------------------------------------------------------------------
// Messages

/// uv's messages are sentences over several lines; cordon's are one lower-case line without a
/// trailing period.
fn house_style(message: &str) -> String {
    let first = message.lines().next().unwrap_or_default().trim_end();
    let first = first.strip_suffix(':').unwrap_or(first);
    let first = first.strip_suffix('.').unwrap_or(first);
    let mut chars = first.chars();
    match chars.next() {
        // Keep acronyms and identifiers (`URL`, `HTTP`) as they are.
        Some(c) if c.is_uppercase() && !chars.next().is_some_and(char::is_uppercase) => c
            .to_lowercase()
            .chain(first[c.len_utf8()..].chars())
            .collect(),
        _ => first.to_owned(),
    }
}

fn unknown_field(name: &str, known: &[&str]) -> String {
    match closest(name, known) {
        Some(close) => format!("unknown field `{name}`; did you mean `{close}`?"),
        None => format!("unknown field `{name}`"),
    }
}

/// `` `a` `` / `` `a` or `b` `` / `` one of `a`, `b`, `c` ``, as serde lists expected variants.
fn one_of(variants: &[&str]) -> String {
    match variants {
        [] => "nothing".to_owned(),
        [only] => format!("`{only}`"),
        [a, b] => format!("`{a}` or `{b}`"),
        _ => {
            let listed: Vec<String> = variants.iter().map(|v| format!("`{v}`")).collect();
            format!("one of {}", listed.join(", "))
        }
    }
}

/// The candidate closest to `name`, when close enough to be a likely typo (for "did you mean"
/// hints anywhere cordon reads a key).
pub fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let budget = match name.chars().count() {
        0..=3 => 1,
        4..=8 => 2,
        _ => 3,
    };
    candidates
        .iter()
        .map(|candidate| (levenshtein(name, candidate), *candidate))
        .filter(|&(distance, _)| distance <= budget)
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, candidate)| candidate)
}

/// Edit distance (insertions, deletions, substitutions) between two strings, by characters.
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// `pip` + `index-url` → `pip.index-url`; keys that are not bare TOML keys are quoted.
fn join(path: &str, name: &str) -> String {
    let bare = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
    let name = if bare {
        name.to_owned()
    } else {
        format!("{name:?}")
    };
    if path.is_empty() {
        name
    } else {
        format!("{path}.{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses a `pyproject.toml` and validates its `[tool.uv]`, returning the text too.
    fn pyproject(body: &str) -> (String, Vec<OptionError>) {
        let text = format!("[project]\nname = \"p\"\nversion = \"0.1.0\"\n\n[tool.uv]\n{body}\n");
        let errors = {
            let doc = toml_edit::Document::parse(text.as_str()).expect("valid TOML");
            let uv = doc["tool"]["uv"].as_table().expect("tool.uv table");
            validate_uv_options(uv, ConfigFileKind::PyprojectToolUv)
        };
        (text, errors)
    }

    fn uv_toml(body: &str) -> (String, Vec<OptionError>) {
        let text = format!("{body}\n");
        let errors = {
            let doc = toml_edit::Document::parse(text.as_str()).expect("valid TOML");
            validate_uv_options(doc.as_table(), ConfigFileKind::UvToml)
        };
        (text, errors)
    }

    /// The single error for `body`, with the text its span covers.
    fn one_error(body: &str) -> (OptionError, String) {
        let (text, errors) = pyproject(body);
        assert_eq!(
            errors.len(),
            1,
            "expected one error for {body:?}, got {errors:#?}"
        );
        let error = errors.into_iter().next().expect("one error");
        let spanned = text[error.span.clone()].to_owned();
        (error, spanned)
    }

    fn accepted(body: &str) {
        let (_, errors) = pyproject(body);
        assert!(
            errors.is_empty(),
            "{body:?} should be accepted, got {errors:#?}"
        );
    }

    #[test]
    fn enum_keys_accept_their_variants_and_reject_others() {
        let cases: &[(&str, &[&str])] = &[
            ("add-bounds", &["lower", "major", "minor", "exact"]),
            (
                "index-strategy",
                &[
                    "first-index",
                    "unsafe-any-match",
                    "unsafe-first-match",
                    "unsafe-best-match",
                ],
            ),
            ("resolution", &["highest", "lowest", "lowest-direct"]),
            (
                "prerelease",
                &[
                    "disallow",
                    "allow",
                    "if-necessary",
                    "explicit",
                    "if-necessary-or-explicit",
                ],
            ),
            ("fork-strategy", &["fewest", "requires-python"]),
            (
                "link-mode",
                &["clone", "reflink", "copy", "hardlink", "symlink"],
            ),
            ("keyring-provider", &["disabled", "subprocess"]),
            ("trusted-publishing", &["automatic", "always", "never"]),
            (
                "python-preference",
                &["only-managed", "managed", "system", "only-system"],
            ),
            (
                "python-downloads",
                &["auto", "automatic", "manual", "never"],
            ),
        ];
        for (key, variants) in cases {
            for variant in *variants {
                accepted(&format!("{key} = \"{variant}\""));
            }
            // Case matters to uv, and so do separators.
            let upper = variants[0].to_uppercase();
            let (error, spanned) = one_error(&format!("{key} = \"{upper}\""));
            assert_eq!(error.key, *key);
            assert_eq!(spanned, format!("\"{upper}\""));
            assert!(
                error
                    .message
                    .starts_with(&format!("unknown variant `{upper}`, expected ")),
                "{error:?}"
            );
        }
        let (error, _) = one_error("add-bounds = \"exakt\"");
        assert_eq!(
            error.message,
            "unknown variant `exakt`, expected one of `lower`, `major`, `minor`, `exact`; did you mean `exact`?"
        );
        let (error, _) = one_error("keyring-provider = \"import\"");
        assert_eq!(
            error.message,
            "unknown variant `import`, expected `disabled` or `subprocess`"
        );
        let (error, _) = one_error("pip = { annotation-style = \"x\" }");
        assert_eq!(error.key, "pip.annotation-style");
        assert_eq!(
            error.message,
            "unknown variant `x`, expected `line` or `split`"
        );
    }

    #[test]
    fn wrong_type_for_an_enum_names_the_variants() {
        let (error, spanned) = one_error("add-bounds = 1");
        assert_eq!(error.key, "add-bounds");
        assert_eq!(spanned, "1");
        assert_eq!(
            error.message,
            "invalid type: integer `1`, expected a string, one of `lower`, `major`, `minor`, `exact`"
        );
    }

    #[test]
    fn unknown_key_gets_a_did_you_mean_hint() {
        let (error, spanned) = one_error("exclude-newr = \"7 days\"");
        assert_eq!(error.key, "exclude-newr");
        assert_eq!(spanned, "exclude-newr");
        assert_eq!(
            error.message,
            "unknown field `exclude-newr`; did you mean `exclude-newer`?"
        );

        let (error, _) = one_error("exclude_newer = \"7 days\"");
        assert_eq!(
            error.message,
            "unknown field `exclude_newer`; did you mean `exclude-newer`?"
        );

        let (error, _) = one_error("exclude-newr-package = { idna = false }");
        assert_eq!(
            error.message,
            "unknown field `exclude-newr-package`; did you mean `exclude-newer-package`?"
        );

        let (error, _) = one_error("bogus-key = 1");
        assert_eq!(error.message, "unknown field `bogus-key`");
        assert_eq!(
            error.uv_reaction(ConfigFileKind::PyprojectToolUv),
            UvReaction::IgnoresToolUv
        );
    }

    #[test]
    fn exclude_newer_values() {
        let (error, spanned) = one_error("exclude-newer = \"1 month\"");
        assert_eq!(error.key, "exclude-newer");
        assert_eq!(spanned, "\"1 month\"");
        assert_eq!(
            error.message,
            "duration `1 month` uses 'months' which is not allowed; use days instead, e.g., `30 days`"
        );

        let (error, _) = one_error("exclude-newer = \"false\"");
        assert_eq!(
            error.message,
            "`false` could not be parsed as a valid exclude-newer value (expected a date like \
             `2024-01-01`, a timestamp like `2024-01-01T00:00:00Z`, or a duration like `3 days` \
             or `P3D`)"
        );

        accepted("exclude-newer = false");
        accepted("exclude-newer = \"7 days\"");
        accepted("exclude-newer = \"2026-11-01\"");
        accepted("exclude-newer = { timestamp = \"2026-11-01T00:00:00Z\", span = \"P7D\" }");

        let (error, _) = one_error("exclude-newer = true");
        assert_eq!(
            error.message,
            "expected false to disable exclude-newer, got true"
        );
        let (error, _) = one_error("exclude-newer = 7");
        assert!(
            error.message.starts_with(
                "invalid type: integer `7`, expected a date/timestamp/duration string"
            )
        );
        let (error, _) = one_error("exclude-newer = 2026-11-01T00:00:00Z");
        assert_eq!(error.message, "missing field `timestamp`");
    }

    #[test]
    fn exclude_newer_package_checks_names_and_values() {
        accepted(
            "exclude-newer-package = { idna = false, certifi = \"30 days\", urllib3 = \"2026-01-01T00:00:00Z\" }",
        );
        let (error, spanned) = one_error("exclude-newer-package = { idna = \"1 month\" }");
        assert_eq!(error.key, "exclude-newer-package.idna");
        assert_eq!(spanned, "\"1 month\"");
        let (error, spanned) =
            one_error("exclude-newer-package = { \"Not A Name!\" = \"7 days\" }");
        assert_eq!(error.key, "exclude-newer-package.\"Not A Name!\"");
        assert_eq!(spanned, "\"Not A Name!\"");
        assert!(
            error
                .message
                .starts_with("not a valid package or extra name: \"Not A Name!\"")
        );
        let (error, _) = one_error("exclude-newer-package = \"7 days\"");
        assert_eq!(
            error.message,
            "invalid type: string \"7 days\", expected a map"
        );
    }

    #[test]
    fn required_version_takes_specifiers_or_a_bare_version() {
        accepted("required-version = \">=0.13.9,<0.14\"");
        accepted("required-version = \"0.13.9\"");
        accepted("required-version = \"\"");
        let (error, spanned) = one_error("required-version = \"banana\"");
        assert_eq!(error.key, "required-version");
        assert_eq!(spanned, "\"banana\"");
        assert!(
            error.message.starts_with("failed to parse version: "),
            "{error:?}"
        );
        assert!(!error.message.contains('\n'));
        let (error, _) = one_error("required-version = 1");
        assert_eq!(
            error.message,
            "invalid type: integer `1`, expected a string"
        );
    }

    #[test]
    fn wrong_value_types() {
        let (error, _) = one_error("offline = \"true\"");
        assert_eq!(
            error.message,
            "invalid type: string \"true\", expected a boolean"
        );
        let (error, _) = one_error("compile-bytecode = 1.0");
        assert_eq!(
            error.message,
            "invalid type: floating point `1.0`, expected a boolean"
        );
        let (error, _) = one_error("no-build-package = \"foo\"");
        assert_eq!(
            error.message,
            "invalid type: string \"foo\", expected a sequence"
        );
        let (error, _) = one_error("no-build-package = [1]");
        assert_eq!(error.key, "no-build-package[0]");
        assert_eq!(
            error.message,
            "invalid type: integer `1`, expected a string"
        );
        let (error, _) = one_error("concurrent-downloads = 0");
        assert_eq!(
            error.message,
            "invalid value: integer `0`, expected a nonzero usize"
        );
        let (error, _) = one_error("pip = 1");
        assert_eq!(error.message, "invalid type: integer `1`, expected a table");
        let (error, _) = one_error("cache-keys = [1]");
        assert_eq!(
            error.message,
            "invalid type: integer `1`, expected a path or a cache key table"
        );
        let (error, _) = one_error("preview-features = \"x\"");
        assert_eq!(
            error.message,
            "invalid type: string \"x\", expected a boolean or a list of preview feature names"
        );
        accepted("preview-features = true");
        accepted("preview-features = [\"index-exclude-newer\"]");
    }

    #[test]
    fn names_requirements_and_markers() {
        accepted("no-build-package = [\"Foo_Bar.baz\"]");
        let (error, _) = one_error("no-build-package = [\"-a\"]");
        assert_eq!(error.key, "no-build-package[0]");
        accepted(
            "override-dependencies = [\"foo[bar] @ https://example.com/foo-1.0-py3-none-any.whl ; python_version >= '3.8'\"]",
        );
        accepted("override-dependencies = [\"foo ==1.0 , <2\", \"foo==1.0+local\"]");
        let (error, spanned) = one_error("override-dependencies = [\"ok\", \"foo>=1.*\"]");
        assert_eq!(error.key, "override-dependencies[1]");
        assert_eq!(spanned, "\"foo>=1.*\"");
        assert_eq!(
            error.uv_reaction(ConfigFileKind::PyprojectToolUv),
            UvReaction::Fails
        );
        // uv allows one trailing comma after the specifiers, PEP 508 does not.
        accepted(
            "override-dependencies = [\"foo>=1,\", \"foo (>=1,)\", \"foo>=1, ; python_version >= '3.8'\"]",
        );
        let (error, _) = one_error("override-dependencies = [\"foo,\"]");
        assert_eq!(error.key, "override-dependencies[0]");
        let (error, _) = one_error("override-dependencies = [\"foo>=1,,<2\"]");
        assert_eq!(error.key, "override-dependencies[0]");
        accepted("environments = [\"python_version >= '3.11' and sys_platform == 'linux'\"]");
        accepted("environments = \"sys_platform == 'linux'\"");
        let (error, _) = one_error("environments = [\"python_version > 3\"]");
        assert_eq!(error.key, "environments[0]");
    }

    #[test]
    fn index_entries() {
        accepted(
            "[[tool.uv.index]]\nname = \"internal\"\nurl = \"https://example.com/simple\"\nexplicit = true\n\
             format = \"flat\"\nauthenticate = \"always\"\nignore-error-codes = [401, 403]\n\
             cache-control = { api = \"max-age=600\" }\nexclude-newer = false\n\
             publish-url = \"https://example.com/upload\"",
        );
        let (error, spanned) = one_error(
            "[[tool.uv.index]]\nname = \"a\"\nurl = \"https://example.com/a\"\n\n\
             [[tool.uv.index]]\nname = \"b\"\nurl = \"http://127.0.0.1:8000/simple\"\nformat = \"bogus\"",
        );
        assert_eq!(error.key, "index[1].format");
        assert_eq!(spanned, "\"bogus\"");
        assert_eq!(
            error.message,
            "unknown variant `bogus`, expected `simple` or `flat`"
        );
        assert_eq!(
            error.uv_reaction(ConfigFileKind::PyprojectToolUv),
            UvReaction::Fails
        );

        let (error, _) = one_error("index = [{ name = \"x\" }]");
        assert_eq!(error.key, "index[0]");
        assert_eq!(error.message, "missing field `url`");
        let (error, _) =
            one_error("index = [{ url = \"https://example.com/simple\", explicit = true }]");
        assert_eq!(error.key, "index[0].explicit");
        assert_eq!(
            error.message,
            "an index with `explicit = true` requires a `name`: https://example.com/simple"
        );
        let (error, _) = one_error(
            "index = [{ name = \"a\", url = \"https://example.com/a\", default = true }, \
             { name = \"b\", url = \"https://example.com/b\", default = true }]",
        );
        assert_eq!(error.key, "index[1].default");
        let (error, _) =
            one_error("index = [{ name = \"a b\", url = \"https://example.com/simple\" }]");
        assert_eq!(error.key, "index[0].name");
        let (error, _) = one_error(
            "index = [{ name = \"a\", url = \"https://example.com/simple\", ignore-error-codes = [1000] }]",
        );
        assert_eq!(error.message, "1000 is not a valid HTTP status code");
        let (error, _) = one_error(
            "index = [{ name = \"a\", url = \"https://example.com/simple\", publish-url = \"not a url\" }]",
        );
        assert_eq!(error.message, "relative URL without a base: \"not a url\"");
        let (error, _) =
            one_error("index = { name = \"x\", url = \"https://example.com/simple\" }");
        assert_eq!(error.message, "invalid type: map, expected a sequence");
    }

    #[test]
    fn unknown_index_key_is_ignored_by_uv_and_reported_apart() {
        let body =
            "[[tool.uv.index]]\nname = \"x\"\nurl = \"https://example.com/simple\"\nexplict = true";
        accepted(body);
        let text = format!("[tool.uv]\n{body}\n");
        let doc = toml_edit::Document::parse(text.as_str()).expect("valid TOML");
        let uv = doc["tool"]["uv"].as_table().expect("table");
        let ignored = ignored_uv_options(uv, ConfigFileKind::PyprojectToolUv);
        assert_eq!(ignored.len(), 1, "{ignored:#?}");
        assert_eq!(ignored[0].key, "index[0].explict");
        assert_eq!(&text[ignored[0].span.clone()], "explict");
        assert_eq!(
            ignored[0].message,
            "unknown field `explict`; did you mean `explicit`?"
        );
    }

    #[test]
    fn nested_tables_reject_unknown_keys() {
        let (error, spanned) = one_error("pip = { index-urll = \"https://example.com/simple\" }");
        assert_eq!(error.key, "pip.index-urll");
        assert_eq!(spanned, "index-urll");
        assert_eq!(
            error.message,
            "unknown field `index-urll`; did you mean `index-url`?"
        );
        let (error, _) = one_error("workspace = { bogus = 1 }");
        assert_eq!(error.key, "workspace.bogus");
        assert_eq!(
            error.uv_reaction(ConfigFileKind::PyprojectToolUv),
            UvReaction::Fails
        );
        let (error, spanned) =
            one_error("sources = { foo = { git = \"https://example.com/r.git\", branch = 1 } }");
        assert_eq!(error.key, "sources.foo.branch");
        assert_eq!(spanned, "1");
        assert_eq!(
            error.uv_reaction(ConfigFileKind::PyprojectToolUv),
            UvReaction::Fails
        );

        let (error, _) = one_error("sources = { foo = { bogus = 1 } }");
        assert_eq!(error.key, "sources.foo.bogus");
        let (error, _) = one_error("cache-keys = [{ git = { commit = true, bogus = 1 } }]");
        assert_eq!(error.key, "cache-keys[0].git.bogus");
        accepted("audit = { ignore = [\"X\"], malware-check = true, future-key = 1 }");
    }

    #[test]
    fn dotted_keys_and_header_tables_are_the_same_table() {
        let text = "[tool]\nuv.exclude-newer = \"1 month\"\nuv.pip.bogus = 1\n";
        let doc = toml_edit::Document::parse(text).expect("valid TOML");
        let uv = doc["tool"]["uv"].as_table().expect("dotted table");
        let errors = validate_uv_options(uv, ConfigFileKind::PyprojectToolUv);
        let found: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.key.as_str(), &text[e.span.clone()]))
            .collect();
        assert_eq!(
            found,
            [("exclude-newer", "\"1 month\""), ("pip.bogus", "bogus")]
        );

        let text = "[tool.uv.pip]\nresolution = \"newest\"\n";
        let doc = toml_edit::Document::parse(text).expect("valid TOML");
        let uv = doc["tool"]["uv"].as_table().expect("implicit table");
        let errors = validate_uv_options(uv, ConfigFileKind::PyprojectToolUv);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].key, "pip.resolution");
        assert_eq!(&text[errors[0].span.clone()], "\"newest\"");

        let text = "[tool]\nuv = { add-bounds = \"exakt\" }\n";
        let doc = toml_edit::Document::parse(text).expect("valid TOML");
        let errors = validate_uv_options_item(&doc["tool"]["uv"], ConfigFileKind::PyprojectToolUv);
        assert_eq!(errors.len(), 1);
        assert_eq!(&text[errors[0].span.clone()], "\"exakt\"");
    }

    #[test]
    fn every_problem_is_reported_not_just_the_first() {
        let (text, errors) =
            pyproject("exclude-newer = \"1 month\"\nadd-bounds = \"exakt\"\nbogus = 1");
        let found: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.key.as_str(), &text[e.span.clone()]))
            .collect();
        assert_eq!(
            found,
            [
                ("exclude-newer", "\"1 month\""),
                ("add-bounds", "\"exakt\""),
                ("bogus", "bogus")
            ]
        );
    }

    #[test]
    fn uv_toml_rejects_project_only_keys() {
        let (text, errors) =
            uv_toml("exclude-newer = \"7 days\"\nsources = { foo = { index = \"x\" } }");
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert_eq!(errors[0].key, "sources");
        assert_eq!(&text[errors[0].span.clone()], "sources");
        assert!(
            errors[0]
                .message
                .starts_with("the `sources` field is not allowed in a `uv.toml` file")
        );
        assert_eq!(
            errors[0].uv_reaction(ConfigFileKind::UvToml),
            UvReaction::Fails
        );
        for key in PYPROJECT_ONLY_KEYS {
            let (_, errors) = uv_toml(&format!("{key} = []"));
            assert_eq!(errors.len(), 1, "{key}: {errors:#?}");
        }
        // The same keys are fine in pyproject.toml.
        accepted("sources = { foo = { index = \"x\" } }\nmanaged = true\nconflicts = []");
        // Everything else reads the same in both.
        let (_, errors) = uv_toml("bogus = 1");
        assert_eq!(
            errors[0].uv_reaction(ConfigFileKind::UvToml),
            UvReaction::Fails
        );
        let (_, errors) = uv_toml("system-certs = true\nexclude-newer = false");
        assert!(errors.is_empty());
    }

    #[test]
    fn preview_and_preview_features_exclude_each_other() {
        let (error, spanned) = one_error("preview = true\npreview-features = [\"x\"]");
        assert_eq!(error.key, "preview-features");
        assert_eq!(spanned, "preview-features");
        assert_eq!(
            error.message,
            "cannot specify both `preview` and `preview-features`"
        );
    }

    #[test]
    fn default_groups_and_libc() {
        accepted("default-groups = \"all\"");
        accepted("default-groups = [\"dev\"]");
        let (error, _) = one_error("default-groups = \"bogus\"");
        assert_eq!(
            error.message,
            r#"default-groups must be "all" or a ["list", "of", "groups"]"#
        );
        accepted("minimum-libc-version = { glibc = \"2.17\" }");
        let (error, _) = one_error("minimum-libc-version = { glibc = \"2.17.1\" }");
        assert_eq!(error.key, "minimum-libc-version.glibc");
    }

    #[test]
    fn house_style_lowercases_sentences_but_not_acronyms() {
        assert_eq!(house_style("Duration `x` is bad."), "duration `x` is bad");
        assert_eq!(house_style("URL is bad"), "URL is bad");
        assert_eq!(house_style("Failed:\n  detail"), "failed");
        assert_eq!(house_style("`x` is bad"), "`x` is bad");
    }

    #[test]
    fn levenshtein_distances() {
        assert_eq!(levenshtein("", ""), 0);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("exclude-newr", "exclude-newer"), 1);
        assert_eq!(
            closest("resolutoin", &["resolution", "prerelease"]),
            Some("resolution")
        );
        assert_eq!(closest("zzz", &["resolution"]), None);
    }
}
