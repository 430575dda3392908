//! Effective uv settings with provenance: where uv would read each setting from and which value
//! wins — the environment, then the project (`uv.toml` beside the project wins over
//! `[tool.uv]`), then the user's `uv.toml`, then the system's — mirroring how uv 0.13 discovers
//! configuration (`UV_CONFIG_FILE` replaces discovery; `UV_NO_CONFIG` turns it off).

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml_edit::{Document, Item, TableLike};

use crate::error::{ParseError, Source};
use crate::exclude_newer::{ExcludeNewer, parse_exclude_newer_env, parse_exclude_newer_str};
use crate::name::normalize;
use crate::pyproject::PyProject;
use crate::tomlutil;
use crate::uv_options::{
    ConfigFileKind, OptionError, ignored_uv_options, validate_uv_options, validate_uv_options_item,
};

/// Where a setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// `[tool.uv]` in the project's `pyproject.toml`.
    ProjectPyproject,
    /// `uv.toml` in the project directory.
    ProjectUvToml,
    /// The user's `uv.toml` (`$XDG_CONFIG_HOME/uv/uv.toml` or `~/.config/uv/uv.toml`).
    User,
    /// The system's `uv.toml` (`$XDG_CONFIG_DIRS/uv/uv.toml` or `/etc/uv/uv.toml`).
    System,
    /// The file named by `UV_CONFIG_FILE`.
    ConfigFileEnv,
    /// An environment variable.
    Environment(&'static str),
}

impl Origin {
    pub fn describe(&self) -> String {
        match self {
            Origin::ProjectPyproject => "`[tool.uv]` in pyproject.toml".into(),
            Origin::ProjectUvToml => "the project's uv.toml".into(),
            Origin::User => "the user's uv.toml".into(),
            Origin::System => "the system's uv.toml".into(),
            Origin::ConfigFileEnv => "the file named by `UV_CONFIG_FILE`".into(),
            Origin::Environment(var) => format!("the environment variable `{var}`"),
        }
    }

    /// True when the setting is committed with the project (and so holds for CI and the team).
    pub fn is_project(&self) -> bool {
        matches!(self, Origin::ProjectPyproject | Origin::ProjectUvToml)
    }
}

/// A setting's value and where it was written.
#[derive(Debug, Clone)]
pub struct Val<T> {
    pub value: T,
    pub origin: Origin,
    /// The file it was read from (`None` for the environment).
    pub file: Option<PathBuf>,
    /// Span of the value in that file.
    pub span: Range<usize>,
    /// Span of the key in that file.
    pub key_span: Range<usize>,
}

/// A configured package index.
#[derive(Debug, Clone)]
pub struct IndexDef {
    pub name: Option<String>,
    pub url: Val<String>,
    pub explicit: bool,
    pub default: bool,
    /// How it was configured: `index`, `index-url`, `extra-index-url`, `find-links`.
    pub via: &'static str,
    /// Span of the whole entry (the `[[tool.uv.index]]` table), when from a file.
    pub entry_span: Range<usize>,
}

/// The settings cordon reads from one configuration source.
#[derive(Debug, Clone, Default)]
pub struct UvOptions {
    pub exclude_newer: Option<Val<ExcludeNewer>>,
    /// A value uv would reject; kept so checks can point at it.
    pub exclude_newer_invalid: Option<Val<String>>,
    pub exclude_newer_package: Vec<(String, Val<ExcludeNewer>)>,
    pub add_bounds: Option<Val<String>>,
    pub required_version: Option<Val<String>>,
    pub index_strategy: Option<Val<String>>,
    pub indexes: Vec<IndexDef>,
    pub allow_insecure_host: Vec<Val<String>>,
    pub no_sources: Option<Val<bool>>,
}

/// A configuration file uv would read, with what it says and what uv would reject in it.
#[derive(Debug)]
pub struct ConfigFile {
    pub source: Source,
    pub origin: Origin,
    pub doc: Document<String>,
    pub options: UvOptions,
    /// Keys or values uv 0.13 rejects. For `[tool.uv]` any error makes uv ignore the whole table
    /// (with only a warning); for a `uv.toml` uv stops with an error.
    pub errors: Vec<OptionError>,
    /// Keys uv accepts but silently ignores (typos inside index entries and the like).
    pub ignored: Vec<OptionError>,
    /// Span of the table the options came from (`[tool.uv]`), when in a pyproject.
    pub table_span: Option<Range<usize>>,
}

impl ConfigFile {
    /// True when uv would ignore this source (a `[tool.uv]` table with errors).
    pub fn ignored_by_uv(&self) -> bool {
        self.origin == Origin::ProjectPyproject && !self.errors.is_empty()
    }
}

/// The environment as cordon sees it (a snapshot, so tests can pass their own).
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: BTreeMap<String, String>,
}

impl Env {
    pub fn from_process() -> Self {
        Self {
            vars: std::env::vars().collect(),
        }
    }

    pub fn from_pairs<I: IntoIterator<Item = (K, V)>, K: Into<String>, V: Into<String>>(
        pairs: I,
    ) -> Self {
        Self {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.vars
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    fn flag(&self, key: &str) -> bool {
        self.get(key)
            .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"))
    }
}

/// All configuration layers for a project, in uv's precedence order, and the effective values.
#[derive(Debug, Default)]
pub struct Settings {
    /// Settings from environment variables.
    pub env: UvOptions,
    /// Project, `UV_CONFIG_FILE`, user and system files, highest precedence first. A `[tool.uv]`
    /// that uv would ignore is still listed (see [`ConfigFile::ignored_by_uv`]).
    pub files: Vec<ConfigFile>,
    /// `[tool.uv]` keys shadowed by a project `uv.toml` (uv warns and ignores them).
    pub shadowed_by_uv_toml: bool,
    /// Errors reading a `uv.toml` outside the project: uv refuses to run with them too.
    pub notes: Vec<String>,
}

impl Settings {
    /// Discovers configuration for a project whose root `pyproject.toml` is `pyproject` (or
    /// none, for a bare directory at `root`).
    pub fn discover(
        root: &Path,
        pyproject: Option<&PyProject>,
        env: &Env,
    ) -> Result<Self, ParseError> {
        let mut settings = Settings {
            env: env_options(env),
            ..Settings::default()
        };
        if env.flag("UV_NO_CONFIG") {
            return Ok(settings);
        }
        if let Some(path) = env.get("UV_CONFIG_FILE") {
            let path = PathBuf::from(path);
            let path = if path.is_relative() {
                root.join(path)
            } else {
                path
            };
            settings
                .files
                .push(read_uv_toml(&path, Origin::ConfigFileEnv)?);
            return Ok(settings);
        }
        let uv_toml = root.join("uv.toml");
        if uv_toml.is_file() {
            settings
                .files
                .push(read_uv_toml(&uv_toml, Origin::ProjectUvToml)?);
            settings.shadowed_by_uv_toml =
                pyproject.is_some_and(|p| p.tool_uv().is_some_and(|t| !t.is_empty()));
        }
        if let Some(p) = pyproject
            && let Some(file) = from_pyproject(p)
        {
            settings.files.push(file);
        }
        if let Some(path) = user_config_path(env).filter(|p| p.is_file()) {
            settings.files.push(read_uv_toml(&path, Origin::User)?);
        }
        if !env.flag("UV_NO_SYSTEM_CONFIG")
            && let Some(path) = system_config_path(env)
        {
            settings.files.push(read_uv_toml(&path, Origin::System)?);
        }
        Ok(settings)
    }

    /// The layers uv actually applies, highest precedence first (environment not included).
    pub fn applied_files(&self) -> impl Iterator<Item = &ConfigFile> {
        let has_uv_toml = self.files.iter().any(|f| f.origin == Origin::ProjectUvToml);
        self.files.iter().filter(move |f| {
            !f.ignored_by_uv() && (!has_uv_toml || f.origin != Origin::ProjectPyproject)
        })
    }

    fn first<T: Clone>(&self, get: impl Fn(&UvOptions) -> Option<&Val<T>>) -> Option<&Val<T>> {
        get(&self.env).or_else(|| self.applied_files().find_map(|f| get(&f.options)))
    }

    pub fn exclude_newer(&self) -> Option<&Val<ExcludeNewer>> {
        self.first(|o| o.exclude_newer.as_ref())
    }

    /// The value a lower layer sets that the winning one overrides (for "overridden by" notes).
    pub fn exclude_newer_overridden(&self) -> Option<&Val<ExcludeNewer>> {
        self.env.exclude_newer.as_ref()?;
        self.applied_files()
            .find_map(|f| f.options.exclude_newer.as_ref())
    }

    pub fn add_bounds(&self) -> Option<&Val<String>> {
        self.first(|o| o.add_bounds.as_ref())
    }

    pub fn required_version(&self) -> Option<&Val<String>> {
        self.first(|o| o.required_version.as_ref())
    }

    pub fn index_strategy(&self) -> Option<&Val<String>> {
        self.first(|o| o.index_strategy.as_ref())
    }

    /// Per-package cooldown overrides; a package's first (highest-precedence) entry wins.
    pub fn exclude_newer_package(&self) -> Vec<&(String, Val<ExcludeNewer>)> {
        let mut seen = std::collections::BTreeSet::new();
        self.applied_files()
            .flat_map(|f| f.options.exclude_newer_package.iter())
            .filter(|(name, _)| seen.insert(name.clone()))
            .collect()
    }

    /// The override for one package, if any.
    pub fn exclude_newer_for(&self, package: &str) -> Option<&Val<ExcludeNewer>> {
        self.applied_files()
            .flat_map(|f| f.options.exclude_newer_package.iter())
            .find(|(name, _)| name == package)
            .map(|(_, v)| v)
    }

    /// Every configured index (arrays concatenate across layers, as in uv).
    pub fn indexes(&self) -> impl Iterator<Item = &IndexDef> {
        self.env
            .indexes
            .iter()
            .chain(self.applied_files().flat_map(|f| f.options.indexes.iter()))
    }

    pub fn allow_insecure_hosts(&self) -> impl Iterator<Item = &Val<String>> {
        self.env.allow_insecure_host.iter().chain(
            self.applied_files()
                .flat_map(|f| f.options.allow_insecure_host.iter()),
        )
    }

    /// The project's own configuration files (pyproject `[tool.uv]`, uv.toml), applied or not.
    pub fn project_files(&self) -> impl Iterator<Item = &ConfigFile> {
        self.files.iter().filter(|f| f.origin.is_project())
    }
}

/// Reads a standalone `uv.toml` (validated as uv would) as a configuration layer.
pub fn read_config_file(path: &Path, origin: Origin) -> Result<ConfigFile, ParseError> {
    read_uv_toml(path, origin)
}

fn read_uv_toml(path: &Path, origin: Origin) -> Result<ConfigFile, ParseError> {
    let source = Source::read(path)?;
    let doc =
        Document::parse(source.text.to_string()).map_err(|e| ParseError::toml(&source, &e))?;
    let table = doc.as_table();
    let errors = validate_uv_options(table, ConfigFileKind::UvToml);
    let ignored = ignored_uv_options(table, ConfigFileKind::UvToml);
    let options = read_options(table, &origin, &source.path);
    Ok(ConfigFile {
        source,
        origin,
        options,
        errors,
        ignored,
        table_span: None,
        doc,
    })
}

fn from_pyproject(p: &PyProject) -> Option<ConfigFile> {
    let item = tomlutil::get_path(p.doc.as_table(), &["tool", "uv"])?;
    let errors = validate_uv_options_item(item, ConfigFileKind::PyprojectToolUv);
    let ignored = match item {
        Item::Table(t) => ignored_uv_options(t, ConfigFileKind::PyprojectToolUv),
        _ => Vec::new(),
    };
    let options = item
        .as_table_like()
        .map(|t| read_options(t, &Origin::ProjectPyproject, &p.source.path))
        .unwrap_or_default();
    Some(ConfigFile {
        source: p.source.clone(),
        origin: Origin::ProjectPyproject,
        doc: p.doc.clone(),
        options,
        errors,
        ignored,
        table_span: p.tool_uv_span.clone(),
    })
}

fn val<T>(
    value: T,
    origin: &Origin,
    file: &Path,
    span: Range<usize>,
    key_span: Range<usize>,
) -> Val<T> {
    Val {
        value,
        origin: origin.clone(),
        file: Some(file.to_path_buf()),
        span,
        key_span,
    }
}

/// Reads the settings cordon judges from a `[tool.uv]` table or a `uv.toml` root. Lenient:
/// values of the wrong type are skipped here (the schema validation reports them).
fn read_options(t: &dyn TableLike, origin: &Origin, file: &Path) -> UvOptions {
    let mut o = UvOptions::default();
    let key_span = |k: &str| tomlutil::key_span(t, k).unwrap_or(0..0);
    let string =
        |k: &str| tomlutil::string(t, k).map(|(v, span)| val(v, origin, file, span, key_span(k)));
    if let Some((k, item)) = t.get_key_value("exclude-newer") {
        let span = item.span().unwrap_or(0..0);
        let ks = k.span().unwrap_or(0..0);
        match (item.as_str(), item.as_bool()) {
            (Some(s), _) => match parse_exclude_newer_str(s) {
                Ok(v) => o.exclude_newer = Some(val(v, origin, file, span, ks)),
                Err(_) => o.exclude_newer_invalid = Some(val(s.to_owned(), origin, file, span, ks)),
            },
            (None, Some(false)) => {
                o.exclude_newer = Some(val(ExcludeNewer::Disabled, origin, file, span, ks));
            }
            _ => {}
        }
    }
    if let Some(pkgs) = t.get("exclude-newer-package").and_then(Item::as_table_like) {
        for (name, item) in pkgs.iter() {
            let span = item.span().unwrap_or(0..0);
            let ks = tomlutil::key_span(pkgs, name).unwrap_or(0..0);
            let value = match (item.as_str(), item.as_bool()) {
                (Some(s), _) => parse_exclude_newer_str(s).ok(),
                (None, Some(false)) => Some(ExcludeNewer::Disabled),
                _ => None,
            };
            if let Some(v) = value {
                o.exclude_newer_package
                    .push((normalize(name), val(v, origin, file, span, ks)));
            }
        }
    }
    o.add_bounds = string("add-bounds");
    o.required_version = string("required-version");
    o.index_strategy = string("index-strategy");
    // `[[tool.uv.index]]` tables and an inline `index = [{ ... }]` array read the same way.
    let entries: Vec<(&dyn TableLike, Range<usize>)> = match t.get("index") {
        Some(Item::ArrayOfTables(arr)) => arr
            .iter()
            .map(|e| (e as &dyn TableLike, e.span().unwrap_or(0..0)))
            .collect(),
        Some(Item::Value(toml_edit::Value::Array(arr))) => arr
            .iter()
            .filter_map(|v| {
                Some((
                    v.as_inline_table()? as &dyn TableLike,
                    v.span().unwrap_or(0..0),
                ))
            })
            .collect(),
        _ => Vec::new(),
    };
    for (entry, entry_span) in entries {
        if let Some((url, span)) = tomlutil::string(entry, "url") {
            let key = tomlutil::key_span(entry, "url").unwrap_or_else(|| span.clone());
            o.indexes.push(IndexDef {
                name: tomlutil::string(entry, "name").map(|(n, _)| n),
                url: val(url, origin, file, span, key),
                explicit: tomlutil::boolean(entry, "explicit").unwrap_or(false),
                default: tomlutil::boolean(entry, "default").unwrap_or(false),
                via: "index",
                entry_span,
            });
        }
    }
    for (key, via, default) in [
        ("index-url", "index-url", true),
        ("extra-index-url", "extra-index-url", false),
        ("find-links", "find-links", false),
    ] {
        if let Some(item) = t.get(key) {
            for (url, span) in tomlutil::strings(item) {
                o.indexes.push(IndexDef {
                    name: None,
                    url: val(url, origin, file, span.clone(), key_span(key)),
                    explicit: false,
                    default,
                    via,
                    entry_span: span,
                });
            }
        }
    }
    if let Some(item) = t.get("allow-insecure-host") {
        for (host, span) in tomlutil::strings(item) {
            o.allow_insecure_host.push(val(
                host,
                origin,
                file,
                span,
                key_span("allow-insecure-host"),
            ));
        }
    }
    if let Some(b) = tomlutil::boolean(t, "no-sources") {
        o.no_sources = Some(val(
            b,
            origin,
            file,
            tomlutil::item_span(t, "no-sources").unwrap_or(0..0),
            key_span("no-sources"),
        ));
    }
    o
}

fn env_val<T>(value: T, var: &'static str) -> Val<T> {
    Val {
        value,
        origin: Origin::Environment(var),
        file: None,
        span: 0..0,
        key_span: 0..0,
    }
}

/// The settings uv reads from environment variables.
fn env_options(env: &Env) -> UvOptions {
    let mut o = UvOptions::default();
    if let Some(v) = env.get("UV_EXCLUDE_NEWER") {
        match parse_exclude_newer_env(v) {
            Ok(x) => o.exclude_newer = Some(env_val(x, "UV_EXCLUDE_NEWER")),
            Err(_) => o.exclude_newer_invalid = Some(env_val(v.to_owned(), "UV_EXCLUDE_NEWER")),
        }
    }
    if let Some(v) = env.get("UV_INDEX_STRATEGY") {
        o.index_strategy = Some(env_val(v.to_owned(), "UV_INDEX_STRATEGY"));
    }
    let mut push = |var: &'static str, url: &str, default: bool, via: &'static str| {
        // `UV_INDEX` entries may be `name=url`.
        let (name, url) = match url.split_once('=') {
            Some((n, u)) if !n.contains('/') && !n.contains(':') => (Some(n.to_owned()), u),
            _ => (None, url),
        };
        o.indexes.push(IndexDef {
            name,
            url: env_val(url.to_owned(), var),
            explicit: false,
            default,
            via,
            entry_span: 0..0,
        });
    };
    for (var, default, via) in [
        ("UV_DEFAULT_INDEX", true, "index"),
        ("UV_INDEX_URL", true, "index-url"),
        ("UV_INDEX", false, "index"),
        ("UV_EXTRA_INDEX_URL", false, "extra-index-url"),
        ("UV_FIND_LINKS", false, "find-links"),
    ] {
        if let Some(v) = env.get(var) {
            for url in v.split([' ', ',']).filter(|s| !s.is_empty()) {
                push(var, url, default, via);
            }
        }
    }
    if let Some(v) = env.get("UV_INSECURE_HOST") {
        for host in v.split([' ', ',']).filter(|s| !s.is_empty()) {
            o.allow_insecure_host
                .push(env_val(host.to_owned(), "UV_INSECURE_HOST"));
        }
    }
    if env.flag("UV_NO_SOURCES") {
        o.no_sources = Some(env_val(true, "UV_NO_SOURCES"));
    }
    o
}

/// `$XDG_CONFIG_HOME/uv/uv.toml`, else `$HOME/.config/uv/uv.toml` (as uv does on Linux and macOS).
pub fn user_config_path(env: &Env) -> Option<PathBuf> {
    let base = env
        .get("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| env.get("HOME").map(|h| Path::new(h).join(".config")))?;
    Some(base.join("uv").join("uv.toml"))
}

/// The first existing of `$XDG_CONFIG_DIRS/uv/uv.toml` (default `/etc/xdg`), then `/etc/uv/uv.toml`.
pub fn system_config_path(env: &Env) -> Option<PathBuf> {
    let dirs = env.get("XDG_CONFIG_DIRS").unwrap_or("/etc/xdg");
    dirs.split(':')
        .filter(|d| !d.is_empty())
        .map(|d| Path::new(d).join("uv").join("uv.toml"))
        .chain(std::iter::once(PathBuf::from("/etc/uv/uv.toml")))
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Dirs {
        _tmp: tempdir::Dir,
        root: PathBuf,
        config: PathBuf,
    }

    mod tempdir {
        /// A throwaway directory removed on drop (no dev-dependency needed for this).
        pub struct Dir(pub std::path::PathBuf);
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    fn dirs(name: &str) -> Dirs {
        let base =
            std::env::temp_dir().join(format!("cordon-settings-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let root = base.join("project");
        let config = base.join("config");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::create_dir_all(config.join("uv")).unwrap();
        Dirs {
            _tmp: tempdir::Dir(base),
            root,
            config,
        }
    }

    fn pyproject(root: &Path, tool_uv: &str) -> PyProject {
        let text = format!("[project]\nname = \"p\"\nversion = \"0\"\n\n[tool.uv]\n{tool_uv}");
        std::fs::write(root.join("pyproject.toml"), &text).unwrap();
        PyProject::parse(Source::read(&root.join("pyproject.toml")).unwrap()).unwrap()
    }

    fn env(d: &Dirs, extra: &[(&str, &str)]) -> Env {
        let mut pairs = vec![
            ("XDG_CONFIG_HOME".to_owned(), d.config.display().to_string()),
            (
                "XDG_CONFIG_DIRS".to_owned(),
                d.config.join("none").display().to_string(),
            ),
            ("UV_NO_SYSTEM_CONFIG".to_owned(), "1".to_owned()),
        ];
        pairs.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        Env::from_pairs(pairs)
    }

    fn span_iso(s: &Settings) -> Option<(String, Origin)> {
        s.exclude_newer().map(|v| match &v.value {
            ExcludeNewer::Span(sp) => (sp.iso.clone(), v.origin.clone()),
            other => (format!("{other:?}"), v.origin.clone()),
        })
    }

    #[test]
    fn project_wins_over_user_and_environment_wins_over_project() {
        let d = dirs("precedence");
        std::fs::write(d.config.join("uv/uv.toml"), "exclude-newer = \"3 days\"\n").unwrap();
        let p = pyproject(&d.root, "exclude-newer = \"7 days\"\n");
        let s = Settings::discover(&d.root, Some(&p), &env(&d, &[])).unwrap();
        assert_eq!(span_iso(&s), Some(("P7D".into(), Origin::ProjectPyproject)));
        let s = Settings::discover(
            &d.root,
            Some(&p),
            &env(&d, &[("UV_EXCLUDE_NEWER", "false")]),
        )
        .unwrap();
        assert!(matches!(
            s.exclude_newer().unwrap().value,
            ExcludeNewer::Disabled
        ));
        assert_eq!(
            s.exclude_newer_overridden().unwrap().origin,
            Origin::ProjectPyproject
        );
    }

    #[test]
    fn user_config_applies_when_the_project_sets_nothing() {
        let d = dirs("user");
        std::fs::write(d.config.join("uv/uv.toml"), "exclude-newer = \"3 days\"\n").unwrap();
        let p = pyproject(&d.root, "add-bounds = \"exact\"\n");
        let s = Settings::discover(&d.root, Some(&p), &env(&d, &[])).unwrap();
        assert_eq!(span_iso(&s), Some(("P3D".into(), Origin::User)));
    }

    #[test]
    fn project_uv_toml_wins_over_tool_uv() {
        let d = dirs("uvtoml");
        std::fs::write(d.root.join("uv.toml"), "exclude-newer = \"14 days\"\n").unwrap();
        let p = pyproject(
            &d.root,
            "exclude-newer = \"7 days\"\nadd-bounds = \"exact\"\n",
        );
        let s = Settings::discover(&d.root, Some(&p), &env(&d, &[])).unwrap();
        assert_eq!(span_iso(&s), Some(("P14D".into(), Origin::ProjectUvToml)));
        assert!(s.shadowed_by_uv_toml);
        // `add-bounds` from the shadowed `[tool.uv]` does not apply either.
        assert!(s.add_bounds().is_none());
    }

    #[test]
    fn invalid_tool_uv_is_dropped_whole() {
        let d = dirs("invalid");
        let p = pyproject(&d.root, "exclude-newer = \"7 days\"\nexclude-newr = 1\n");
        let s = Settings::discover(&d.root, Some(&p), &env(&d, &[])).unwrap();
        assert!(s.exclude_newer().is_none());
        assert!(s.files[0].ignored_by_uv());
    }

    #[test]
    fn uv_config_file_replaces_discovery_and_no_config_disables_it() {
        let d = dirs("configfile");
        let other = d.config.join("other.toml");
        std::fs::write(&other, "exclude-newer = \"10 days\"\n").unwrap();
        let p = pyproject(&d.root, "exclude-newer = \"7 days\"\n");
        let path = other.display().to_string();
        let s =
            Settings::discover(&d.root, Some(&p), &env(&d, &[("UV_CONFIG_FILE", &path)])).unwrap();
        assert_eq!(span_iso(&s), Some(("P10D".into(), Origin::ConfigFileEnv)));
        let s = Settings::discover(&d.root, Some(&p), &env(&d, &[("UV_NO_CONFIG", "1")])).unwrap();
        assert!(s.exclude_newer().is_none());
    }

    #[test]
    fn invalid_uv_toml_syntax_is_an_error_naming_the_file() {
        let d = dirs("badtoml");
        std::fs::write(d.root.join("uv.toml"), "exclude-newer = \n").unwrap();
        let err = Settings::discover(&d.root, None, &env(&d, &[])).unwrap_err();
        assert!(err.path.ends_with("uv.toml"));
        assert!(err.span.is_some());
    }

    #[test]
    fn environment_indexes_and_insecure_hosts_are_read() {
        let d = dirs("envidx");
        let s = Settings::discover(
            &d.root,
            None,
            &env(
                &d,
                &[
                    (
                        "UV_EXTRA_INDEX_URL",
                        "https://a.example.com/simple https://b.example.com/simple",
                    ),
                    ("UV_INSECURE_HOST", "a.example.com"),
                    ("UV_INDEX_STRATEGY", "unsafe-best-match"),
                ],
            ),
        )
        .unwrap();
        assert_eq!(s.indexes().count(), 2);
        assert_eq!(s.allow_insecure_hosts().count(), 1);
        assert_eq!(
            s.index_strategy().unwrap().origin,
            Origin::Environment("UV_INDEX_STRATEGY")
        );
    }
}
