//! Dependency files an agent may write, read for what they declare, and the dependency diff
//! between two versions of one file.
//!
//! The agent guard judges a file write or edit on what it changes about the project's
//! dependencies, not on the fact that a dependency file was touched: [`classify`] says what a
//! path is, [`read_deps`] reads the requirements (and the settings that decide where packages
//! come from) a text declares, and [`diff`] says which of them are new. Reordering entries,
//! reformatting, comments, hashes and removals change nothing that matters.
//!
//! Nothing here executes, imports or resolves anything: `setup.py` is scanned for literal lists,
//! and whatever cannot be read as literals is an error, so the caller fails closed.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;
use std::str::FromStr;

use cordon_python::Source;
use cordon_python::name::normalize;
use cordon_python::requirements_txt::{
    DirectRequirement, GlobalOption, IncludeKind, LineKind, NamedRequirement, RequirementsFile,
};
use pep508_rs::{MarkerTree, Requirement, VerbatimUrl, VersionOrUrl};
use toml_edit::{Document, Item, TableLike, Value};

/// What a file is, for the agent guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// `pyproject.toml`.
    PyProject,
    /// A pip requirements or constraints file.
    Requirements,
    /// `setup.py`.
    SetupPy,
    /// `setup.cfg`.
    SetupCfg,
    /// Any other `*.py`: judged by its PEP 723 `# /// script` block.
    Script,
    /// A lockfile (`uv.lock`, `poetry.lock`, `pdm.lock`, `pylock.toml`, a uv script lock).
    Lock,
    /// `.cordon/approvals.toml` or `cordon.toml`: what humans approved, cordon's policy.
    Approvals,
    /// Anything else.
    Other,
}

/// What a file declares, by file name. Names are case-sensitive (as on Linux); Windows
/// backslash separators are accepted.
///
/// - `pyproject.toml` → [`FileKind::PyProject`]
/// - requirements files: a `.txt`/`.in` file whose name contains `requirements`
///   (`requirements-dev.txt`, `dev-requirements.txt`) or starts with `constraints`, or any
///   `.txt`/`.in` file in a folder named `requirements` → [`FileKind::Requirements`]
/// - `setup.py`, `setup.cfg` → [`FileKind::SetupPy`], [`FileKind::SetupCfg`]
/// - `uv.lock`, `poetry.lock`, `pdm.lock`, `pylock.toml`, `pylock.*.toml`, `*.py.lock` →
///   [`FileKind::Lock`]
/// - `.cordon/approvals.toml`, `cordon.toml` → [`FileKind::Approvals`]
/// - any other `*.py` → [`FileKind::Script`]
#[allow(clippy::case_sensitive_file_extension_comparisons)] // case-sensitive on purpose
pub fn classify(path: &str) -> FileKind {
    let mut parts = path.rsplit(['/', '\\']);
    let name = parts.next().unwrap_or_default();
    let parent = parts.next().unwrap_or_default();
    match name {
        "pyproject.toml" => return FileKind::PyProject,
        "setup.py" => return FileKind::SetupPy,
        "setup.cfg" => return FileKind::SetupCfg,
        "cordon.toml" => return FileKind::Approvals,
        "approvals.toml" if parent == ".cordon" => return FileKind::Approvals,
        "uv.lock" | "poetry.lock" | "pdm.lock" | "pylock.toml" => return FileKind::Lock,
        _ => {}
    }
    if (name.starts_with("pylock.") && name.ends_with(".toml")) || name.ends_with(".py.lock") {
        return FileKind::Lock;
    }
    let stem = name
        .strip_suffix(".txt")
        .or_else(|| name.strip_suffix(".in"));
    if let Some(stem) = stem
        && (stem.contains("requirements")
            || stem.starts_with("constraints")
            || parent == "requirements")
    {
        return FileKind::Requirements;
    }
    if name.len() > ".py".len() && name.ends_with(".py") {
        return FileKind::Script;
    }
    FileKind::Other
}

/// One requirement as declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dep {
    /// The PEP 503 normalized name (for a URL or path that names no project: the text itself).
    pub name: String,
    /// The requirement as written, trimmed, for messages.
    pub text: String,
    /// Canonical identity for diffing: normalized name, sorted extras, specifiers without
    /// whitespace (sorted), the normalized marker, and the URL of a direct reference. Equal
    /// keys mean the same requirement however it is formatted.
    pub key: String,
}

/// What one file declares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepSet {
    /// The requirements, in file order.
    pub deps: Vec<Dep>,
    /// Other entries whose change matters, as short strings: where packages come from
    /// (`index-url: URL`, `extra-index-url: URL`, `find-links: URL`, `index: URL`,
    /// `source: name = {git = "..."}`), what else a requirements file pulls in
    /// (`include: other.txt`, `constraints: c.txt`, `editable: ./pkg`), and cordon policy keys
    /// (`policy: allowed-indexes: "..."`).
    pub others: Vec<String>,
    /// The `[tool.cordon] allow` entries and approvals, normalized.
    pub allow: Vec<String>,
}

/// What changed between two versions of a file, as far as dependencies go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Change {
    /// Requirements in the new version whose key is not in the old one (added, or changed
    /// version, extras, marker or URL), each once.
    pub added: Vec<Dep>,
    /// Entries of [`DepSet::others`] that are new, each once.
    pub other_added: Vec<String>,
    /// The `allow` entries were added to or removed from.
    pub allow_changed: bool,
}

impl Change {
    /// True when nothing that matters changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.other_added.is_empty() && !self.allow_changed
    }
}

/// Reads the dependencies a file of `kind` declares. An error means the text cannot be read
/// (invalid TOML, a malformed or repeated PEP 723 block, a `setup.py` that computes its
/// requirements, ...): the caller fails closed. [`FileKind::Lock`] and [`FileKind::Other`]
/// give an empty set; [`FileKind::Approvals`] fills only `allow` (and `others` with cordon
/// policy keys and approval entries).
pub fn read_deps(kind: FileKind, text: &str) -> Result<DepSet, String> {
    match kind {
        FileKind::PyProject => read_pyproject(text),
        FileKind::Requirements => Ok(read_requirements(text)),
        FileKind::SetupPy => read_setup_py(text),
        FileKind::SetupCfg => read_setup_cfg(text),
        FileKind::Script => read_script(text),
        FileKind::Approvals => read_approvals(text),
        FileKind::Lock | FileKind::Other => Ok(DepSet::default()),
    }
}

/// What is new in `new` compared with `old`.
pub fn diff(old: &DepSet, new: &DepSet) -> Change {
    let old_keys: HashSet<&str> = old.deps.iter().map(|d| d.key.as_str()).collect();
    let mut seen = HashSet::new();
    let added = new
        .deps
        .iter()
        .filter(|d| !old_keys.contains(d.key.as_str()) && seen.insert(d.key.as_str()))
        .cloned()
        .collect();
    let old_others: HashSet<&str> = old.others.iter().map(String::as_str).collect();
    let mut seen = HashSet::new();
    let other_added = new
        .others
        .iter()
        .filter(|o| !old_others.contains(o.as_str()) && seen.insert(o.as_str()))
        .cloned()
        .collect();
    let old_allow: HashSet<&str> = old.allow.iter().map(String::as_str).collect();
    let new_allow: HashSet<&str> = new.allow.iter().map(String::as_str).collect();
    Change {
        added,
        other_added,
        allow_changed: old_allow != new_allow,
    }
}

// ---- requirements ------------------------------------------------------------------------------

/// A PEP 508 requirement string; one that does not parse still counts, by its text.
fn pep508_dep(raw: &str) -> Dep {
    let text = raw.trim();
    match Requirement::<VerbatimUrl>::parse(text, Path::new("/")) {
        Ok(req) => Dep {
            name: normalize(req.name.as_ref()),
            text: text.to_owned(),
            key: requirement_key(&req),
        },
        Err(_) => fallback_dep(text),
    }
}

/// A requirement cordon cannot parse: named by its leading name-ish part, keyed by its text.
fn fallback_dep(text: &str) -> Dep {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(text.len());
    let head = text[..end].trim_end_matches(['-', '_', '.']);
    Dep {
        name: if head.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            normalize(head)
        } else {
            text.to_owned()
        },
        text: text.to_owned(),
        key: text.split_whitespace().collect(),
    }
}

fn requirement_key(req: &Requirement<VerbatimUrl>) -> String {
    let mut key = normalize(req.name.as_ref());
    if !req.extras.is_empty() {
        let mut extras: Vec<String> = req.extras.iter().map(ToString::to_string).collect();
        extras.sort_unstable();
        extras.dedup();
        key.push('[');
        key.push_str(&extras.join(","));
        key.push(']');
    }
    match &req.version_or_url {
        Some(VersionOrUrl::VersionSpecifier(specifiers)) => {
            let mut parts: Vec<String> = specifiers
                .iter()
                .map(|s| s.to_string().split_whitespace().collect())
                .collect();
            parts.sort_unstable();
            parts.dedup();
            key.push_str(&parts.join(","));
        }
        Some(VersionOrUrl::Url(url)) => {
            key.push_str(" @ ");
            match url.given() {
                Some(given) => key.push_str(given.trim()),
                None => {
                    let _ = write!(key, "{url}");
                }
            }
        }
        None => {}
    }
    if let Some(marker) = req.marker.contents() {
        let _ = write!(key, "; {marker}");
    }
    key
}

/// A marker as written, normalized when it parses.
fn marker_key(marker: &str) -> String {
    match MarkerTree::from_str(marker).ok().and_then(|m| m.contents()) {
        Some(m) => m.to_string(),
        None => marker.split_whitespace().collect(),
    }
}

fn options_key(key: &mut String, options: &[(String, String)]) {
    let mut options: Vec<String> = options.iter().map(|(k, v)| format!("{k}={v}")).collect();
    options.sort_unstable();
    for o in options {
        key.push(' ');
        key.push_str(&o);
    }
}

fn named_dep(r: &NamedRequirement) -> Dep {
    let mut key = requirement_key(&r.requirement);
    options_key(&mut key, &r.options);
    Dep {
        name: r.name(),
        text: r.raw.trim().to_owned(),
        key,
    }
}

fn direct_dep(d: &DirectRequirement, editable: bool) -> Dep {
    let mut extras: Vec<String> = d.extras.iter().map(|e| normalize(e)).collect();
    extras.sort_unstable();
    extras.dedup();
    let mut text = String::new();
    let mut key = String::new();
    if editable {
        text.push_str("-e ");
        key.push_str("-e ");
    }
    text.push_str(&d.target);
    if let Some(name) = &d.name {
        key.push_str(name);
    }
    if !extras.is_empty() {
        let _ = write!(text, "[{}]", d.extras.join(","));
        let _ = write!(key, "[{}]", extras.join(","));
    }
    let _ = write!(key, " @ {}", d.target);
    if let Some(marker) = &d.marker {
        let _ = write!(text, " ; {}", marker.trim());
        let _ = write!(key, "; {}", marker_key(marker));
    }
    options_key(&mut key, &d.options);
    Dep {
        name: d.name.clone().unwrap_or_else(|| d.target.clone()),
        text,
        key,
    }
}

fn read_requirements(text: &str) -> DepSet {
    let file = RequirementsFile::parse(Source::from_string("requirements.txt", text));
    let mut out = DepSet::default();
    for line in &file.lines {
        match &line.kind {
            LineKind::Requirement(r) => out.deps.push(named_dep(r)),
            LineKind::Editable(d) => {
                out.others.push(format!("editable: {}", d.target));
                out.deps.push(direct_dep(d, true));
            }
            LineKind::Url(d) | LineKind::Path(d) => out.deps.push(direct_dep(d, false)),
            LineKind::Include(i) => out.others.push(match i.kind {
                IncludeKind::Requirements => format!("include: {}", i.target),
                IncludeKind::Constraints => format!("constraints: {}", i.target),
            }),
            LineKind::Option(o) => {
                if let Some(entry) = option_entry(o) {
                    out.others.push(entry);
                }
            }
        }
    }
    // A line the parser could not read is never dropped: it counts by its text.
    for p in &file.problems {
        let inside_entry = file
            .lines
            .iter()
            .any(|l| l.span.start <= p.span.start && p.span.end <= l.span.end);
        if inside_entry {
            // An option of an entry already read (a malformed `--hash`, an unknown option).
            continue;
        }
        let Some(bad) = file.source.text.get(p.span.clone()).map(str::trim) else {
            continue;
        };
        if bad.is_empty() {
            continue;
        }
        if bad.starts_with('-') {
            out.others.push(format!("option: {bad}"));
        } else {
            out.deps.push(fallback_dep(bad));
        }
    }
    out
}

/// Global options that can bring in other code; the ones that only restrict are left out.
fn option_entry(o: &GlobalOption) -> Option<String> {
    Some(match o {
        GlobalOption::IndexUrl(u) => format!("index-url: {u}"),
        GlobalOption::ExtraIndexUrl(u) => format!("extra-index-url: {u}"),
        GlobalOption::FindLinks(u) => format!("find-links: {u}"),
        GlobalOption::TrustedHost(h) => format!("trusted-host: {h}"),
        GlobalOption::NoBinary(v) => format!("option: --no-binary {v}"),
        GlobalOption::Pre => "option: --pre".to_owned(),
        GlobalOption::UseFeature(v) => format!("option: --use-feature {v}"),
        GlobalOption::NoIndex
        | GlobalOption::RequireHashes
        | GlobalOption::OnlyBinary(_)
        | GlobalOption::PreferBinary => return None,
    })
}

// ---- TOML ---------------------------------------------------------------------------------------

fn parse_toml<'a>(text: &'a str, what: &str) -> Result<Document<&'a str>, String> {
    Document::parse(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| format!(" (line {})", line_at(text, s.start)))
            .unwrap_or_default();
        format!("{what} is not valid TOML{line}: {}", e.message().trim())
    })
}

fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .split(|&b| b == b'\n')
        .count()
}

/// The PEP 508 strings of an array (anything else in it is skipped).
fn push_strings(item: Option<&Item>, deps: &mut Vec<Dep>) {
    if let Some(array) = item.and_then(Item::as_array) {
        deps.extend(array.iter().filter_map(Value::as_str).map(pep508_dep));
    }
}

/// Every string of a value that is a string or an array of strings.
fn each_string(item: Option<&Item>, mut f: impl FnMut(&str)) {
    match item {
        Some(Item::Value(Value::String(s))) => f(s.value()),
        Some(Item::Value(Value::Array(a))) => a.iter().filter_map(Value::as_str).for_each(f),
        _ => {}
    }
}

/// Every table of an array of tables (`[[x]]` or `x = [{...}]`).
fn each_table(item: Option<&Item>, mut f: impl FnMut(&dyn TableLike)) {
    match item {
        Some(Item::ArrayOfTables(a)) => a.iter().for_each(|t| f(t)),
        Some(Item::Value(Value::Array(a))) => a
            .iter()
            .filter_map(Value::as_inline_table)
            .for_each(|t| f(t)),
        _ => {}
    }
}

/// A value in one canonical form: tables sorted by key, no formatting or comments.
fn canonical(item: &Item) -> String {
    let mut out = String::new();
    canon_item(item, &mut out);
    out
}

fn canon_item(item: &Item, out: &mut String) {
    match item {
        Item::None => {}
        Item::Value(v) => canon_value(v, out),
        Item::Table(t) => canon_table(t, out),
        Item::ArrayOfTables(a) => {
            out.push('[');
            for (i, t) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                canon_table(t, out);
            }
            out.push(']');
        }
    }
}

fn canon_value(v: &Value, out: &mut String) {
    let _ = match v {
        Value::String(s) => write!(out, "{:?}", s.value()),
        Value::Integer(i) => write!(out, "{}", i.value()),
        Value::Float(f) => write!(out, "{}", f.value()),
        Value::Boolean(b) => write!(out, "{}", b.value()),
        Value::Datetime(d) => write!(out, "{}", d.value()),
        Value::Array(a) => {
            out.push('[');
            for (i, v) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                canon_value(v, out);
            }
            out.push(']');
            Ok(())
        }
        Value::InlineTable(t) => {
            canon_table(t, out);
            Ok(())
        }
    };
}

fn canon_table(t: &dyn TableLike, out: &mut String) {
    let mut entries: Vec<(&str, &Item)> = t.iter().collect();
    entries.sort_unstable_by_key(|(k, _)| *k);
    out.push('{');
    for (i, (k, v)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(k);
        out.push_str(" = ");
        canon_item(v, out);
    }
    out.push('}');
}

/// The text of a value as written in the file (its canonical form when it has no span).
fn written<'a>(text: &'a str, item: &Item) -> std::borrow::Cow<'a, str> {
    match item.span().and_then(|s| text.get(s)) {
        Some(s) if matches!(item, Item::Value(_)) => std::borrow::Cow::Borrowed(s.trim()),
        _ => std::borrow::Cow::Owned(canonical(item)),
    }
}

/// `[tool.uv]` (of a pyproject or a PEP 723 script): requirements and package sources.
fn read_tool_uv(uv: &Item, out: &mut DepSet) {
    for key in [
        "dev-dependencies",
        "constraint-dependencies",
        "override-dependencies",
        "build-constraint-dependencies",
    ] {
        push_strings(uv.get(key), &mut out.deps);
    }
    if let Some(sources) = uv.get("sources").and_then(Item::as_table_like) {
        for (name, source) in sources.iter() {
            out.others.push(format!(
                "source: {} = {}",
                normalize(name),
                canonical(source)
            ));
        }
    }
    each_table(uv.get("index"), |t| {
        if let Some(url) = t.get("url").and_then(Item::as_str) {
            let default = t.get("default").and_then(Item::as_bool) == Some(true);
            out.others.push(if default {
                format!("index: {url} (default)")
            } else {
                format!("index: {url}")
            });
        }
    });
    index_settings(uv, out);
    if let Some(pip) = uv.get("pip") {
        index_settings(pip, out);
    }
}

/// pip-style index settings of uv (`index-url`, `extra-index-url`, `find-links`, ...).
fn index_settings(t: &Item, out: &mut DepSet) {
    for key in [
        "index-url",
        "extra-index-url",
        "find-links",
        "allow-insecure-host",
    ] {
        each_string(t.get(key), |v| out.others.push(format!("{key}: {v}")));
    }
}

/// One key of cordon's policy (`[tool.cordon]` or `cordon.toml`): `allow` fills the allow
/// list, every other key is an `others` entry (array and table entries one by one, so that
/// removing an entry changes nothing that matters).
fn read_policy_key(key: &str, item: &Item, out: &mut DepSet) {
    if key == "allow"
        && let Some(array) = item.as_array()
    {
        out.allow
            .extend(array.iter().filter_map(Value::as_str).map(normalize_allow));
        return;
    }
    if let Some(array) = item.as_array() {
        for v in array {
            let mut entry = format!("policy: {key}: ");
            canon_value(v, &mut entry);
            out.others.push(entry);
        }
    } else if let Some(table) = item.as_table_like() {
        for (k, v) in table.iter() {
            out.others
                .push(format!("policy: {key}.{k} = {}", canonical(v)));
        }
    } else {
        out.others
            .push(format!("policy: {key} = {}", canonical(item)));
    }
}

/// An approved name, normalized, with any version part kept (`Foo_Bar==1.0` → `foo-bar==1.0`).
fn normalize_allow(s: &str) -> String {
    let s = s.trim();
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(s.len());
    let mut out = normalize(&s[..end]);
    out.extend(s[end..].chars().filter(|c| !c.is_whitespace()));
    out
}

fn read_pyproject(text: &str) -> Result<DepSet, String> {
    let doc = parse_toml(text, "pyproject.toml")?;
    let root = doc.as_item();
    let mut out = DepSet::default();

    let project = root.get("project");
    push_strings(project.and_then(|p| p.get("dependencies")), &mut out.deps);
    if let Some(extras) = project
        .and_then(|p| p.get("optional-dependencies"))
        .and_then(Item::as_table_like)
    {
        for (_, list) in extras.iter() {
            push_strings(Some(list), &mut out.deps);
        }
    }
    if let Some(groups) = root.get("dependency-groups").and_then(Item::as_table_like) {
        // `{include-group = "..."}` entries are not strings and are skipped.
        for (_, list) in groups.iter() {
            push_strings(Some(list), &mut out.deps);
        }
    }
    push_strings(
        root.get("build-system").and_then(|b| b.get("requires")),
        &mut out.deps,
    );

    let tool = root.get("tool");
    if let Some(uv) = tool.and_then(|t| t.get("uv")) {
        read_tool_uv(uv, &mut out);
    }

    if let Some(poetry) = tool.and_then(|t| t.get("poetry")) {
        let mut tables = vec![poetry.get("dependencies"), poetry.get("dev-dependencies")];
        if let Some(groups) = poetry.get("group").and_then(Item::as_table_like) {
            tables.extend(groups.iter().map(|(_, g)| g.get("dependencies")));
        }
        for table in tables.into_iter().flatten().filter_map(Item::as_table_like) {
            for (name, spec) in table.iter() {
                if name == "python" {
                    continue;
                }
                out.deps.push(Dep {
                    name: normalize(name),
                    text: format!("{name} = {}", written(text, spec)),
                    key: format!("{} = {}", normalize(name), canonical(spec)),
                });
            }
        }
        each_table(poetry.get("source"), |t| {
            if let Some(url) = t.get("url").and_then(Item::as_str) {
                out.others.push(format!("index: {url}"));
            }
        });
    }

    if let Some(pdm) = tool.and_then(|t| t.get("pdm")) {
        if let Some(groups) = pdm.get("dev-dependencies").and_then(Item::as_table_like) {
            for (_, list) in groups.iter() {
                push_strings(Some(list), &mut out.deps);
            }
        }
        each_table(pdm.get("source"), |t| {
            if let Some(url) = t.get("url").and_then(Item::as_str) {
                out.others.push(format!("index: {url}"));
            }
        });
    }

    // setuptools reading the dependencies from another file.
    if let Some(dynamic) = tool
        .and_then(|t| t.get("setuptools"))
        .and_then(|s| s.get("dynamic"))
    {
        for key in ["dependencies", "optional-dependencies"] {
            if let Some(v) = dynamic.get(key) {
                out.others
                    .push(format!("include: dynamic {key} = {}", canonical(v)));
            }
        }
    }

    if let Some(cordon) = tool
        .and_then(|t| t.get("cordon"))
        .and_then(Item::as_table_like)
    {
        for (key, item) in cordon.iter() {
            read_policy_key(key, item, &mut out);
        }
    }
    Ok(out)
}

fn read_approvals(text: &str) -> Result<DepSet, String> {
    let doc = parse_toml(text, "the approvals file")?;
    let mut out = DepSet::default();
    for (key, item) in doc.as_table() {
        match key {
            // `[tool.cordon]` as in pyproject.toml.
            "tool" => {
                if let Some(cordon) = item.get("cordon").and_then(Item::as_table_like) {
                    for (key, item) in cordon.iter() {
                        read_policy_key(key, item, &mut out);
                    }
                }
            }
            // `.cordon/approvals.toml`: `[[approval]] name = "..."`.
            "approval" => each_table(Some(item), |t| {
                if let Some(name) = t.get("name").and_then(Item::as_str) {
                    let mut entry = normalize_allow(name);
                    if let Some(version) = t.get("version").and_then(Item::as_str) {
                        let _ = write!(entry, "=={}", version.trim());
                    }
                    out.allow.push(entry);
                }
                let mut entry = "approval: ".to_owned();
                canon_table(t, &mut entry);
                out.others.push(entry);
            }),
            // `cordon.toml`: the policy keys at the top level.
            _ => read_policy_key(key, item, &mut out),
        }
    }
    Ok(out)
}

// ---- PEP 723 scripts ----------------------------------------------------------------------------

fn read_script(text: &str) -> Result<DepSet, String> {
    let Some(toml) = cordon_python::script::metadata_block(text)? else {
        return Ok(DepSet::default());
    };
    let doc = parse_toml(&toml, "the `# /// script` block")?;
    let root = doc.as_item();
    let mut out = DepSet::default();
    push_strings(root.get("dependencies"), &mut out.deps);
    if let Some(uv) = root.get("tool").and_then(|t| t.get("uv")) {
        read_tool_uv(uv, &mut out);
    }
    Ok(out)
}

// ---- setup.cfg ----------------------------------------------------------------------------------

fn read_setup_cfg(text: &str) -> Result<DepSet, String> {
    let mut out = DepSet::default();
    let mut section = "";
    // The option being read: its section, name and value lines.
    let mut current: Option<(&str, String, Vec<&str>)> = None;
    for (n, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
            continue;
        }
        // An indented line continues the value (before any option, configparser reads it as
        // a new key).
        if line.starts_with([' ', '\t'])
            && let Some((_, _, values)) = &mut current
        {
            values.push(trimmed);
            continue;
        }
        if let Some((s, k, v)) = current.take() {
            setup_cfg_option(s, &k, &v, &mut out);
        }
        if let Some(name) = trimmed.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            section = name.trim();
            continue;
        }
        let Some(sep) = trimmed.find(['=', ':']) else {
            return Err(format!(
                "setup.cfg line {} is neither a `[section]` nor `key = value`",
                n + 1
            ));
        };
        let key = trimmed[..sep].trim().to_ascii_lowercase().replace('-', "_");
        current = Some((section, key, vec![trimmed[sep + 1..].trim()]));
    }
    if let Some((s, k, v)) = current {
        setup_cfg_option(s, &k, &v, &mut out);
    }
    Ok(out)
}

fn setup_cfg_option(section: &str, key: &str, values: &[&str], out: &mut DepSet) {
    let wanted = match section {
        "options" => matches!(key, "install_requires" | "setup_requires" | "tests_require"),
        "options.extras_require" => true,
        _ => false,
    };
    if !wanted {
        return;
    }
    let first = values.first().copied().unwrap_or_default();
    if let Some(file) = first.strip_prefix("file:") {
        out.others
            .push(format!("include: {section} {key} = file: {}", file.trim()));
        return;
    }
    // setuptools: one requirement per line of a multi-line value, else split at `;`.
    let items: Vec<&str> = if values.len() > 1 {
        values.to_vec()
    } else {
        first.split(';').collect()
    };
    for item in items {
        let item = item.trim();
        if !item.is_empty() && !item.starts_with('#') {
            out.deps.push(pep508_dep(item));
        }
    }
}

// ---- setup.py -----------------------------------------------------------------------------------

/// A Python token, as far as reading literal requirement lists goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok<'a> {
    Name(&'a str),
    /// A string literal's value; `None` for an f-string with replacement fields.
    Str(Option<String>),
    /// An operator (maximal run of operator characters), or `.`.
    Op(&'a str),
    Open(u8),
    Close,
    Comma,
    /// The end of a statement at bracket depth 0 (a newline or `;`).
    End,
    /// A number or anything else.
    Other,
}

struct PyTok<'a> {
    tok: Tok<'a>,
    /// Bracket depth the token stands at.
    depth: u32,
    line: u32,
}

const OP_CHARS: &[u8] = b"=!<>+-*/%&|^~@:";

fn lex_python(src: &str) -> Result<Vec<PyTok<'_>>, String> {
    let b = src.as_bytes();
    let mut toks: Vec<PyTok<'_>> = Vec::new();
    let mut i = 0;
    let mut depth: u32 = 0;
    let mut line: u32 = 1;
    while i < b.len() {
        let c = b[i];
        let start_line = line;
        let tok = match c {
            b'\n' => {
                line += 1;
                i += 1;
                if depth > 0 || matches!(toks.last(), None | Some(PyTok { tok: Tok::End, .. })) {
                    continue;
                }
                Tok::End
            }
            b' ' | b'\t' | b'\r' | 0x0c => {
                i += 1;
                continue;
            }
            b'#' => {
                i = b[i..]
                    .iter()
                    .position(|&x| x == b'\n')
                    .map_or(b.len(), |p| i + p);
                continue;
            }
            b'\\' => {
                // A line continuation.
                i += 1;
                if b.get(i) == Some(&b'\r') {
                    i += 1;
                }
                if b.get(i) == Some(&b'\n') {
                    i += 1;
                    line += 1;
                }
                continue;
            }
            b'\'' | b'"' => {
                let (value, end) = lex_string(src, i, "", &mut line)?;
                i = end;
                Tok::Str(value)
            }
            b'(' | b'[' | b'{' => {
                i += 1;
                depth += 1;
                toks.push(PyTok {
                    tok: Tok::Open(c),
                    depth: depth - 1,
                    line,
                });
                continue;
            }
            b')' | b']' | b'}' => {
                i += 1;
                depth = depth.saturating_sub(1);
                Tok::Close
            }
            b',' => {
                i += 1;
                Tok::Comma
            }
            b';' => {
                i += 1;
                if depth == 0 { Tok::End } else { Tok::Other }
            }
            b'.' if !b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i += 1;
                Tok::Op(".")
            }
            _ if c.is_ascii_digit() || c == b'.' => {
                while i < b.len() && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'.' | b'_')) {
                    i += 1;
                }
                Tok::Other
            }
            _ if c == b'_' || c.is_ascii_alphabetic() || c >= 0x80 => {
                let start = i;
                while i < b.len() && (b[i] == b'_' || b[i].is_ascii_alphanumeric() || b[i] >= 0x80)
                {
                    i += 1;
                }
                let word = &src[start..i];
                if matches!(b.get(i), Some(b'\'' | b'"')) && is_string_prefix(word) {
                    let (value, end) = lex_string(src, i, word, &mut line)?;
                    i = end;
                    Tok::Str(value)
                } else {
                    Tok::Name(word)
                }
            }
            _ if OP_CHARS.contains(&c) => {
                let start = i;
                while i < b.len() && OP_CHARS.contains(&b[i]) {
                    i += 1;
                }
                Tok::Op(&src[start..i])
            }
            _ => {
                i += 1;
                Tok::Other
            }
        };
        toks.push(PyTok {
            tok,
            depth,
            line: start_line,
        });
    }
    Ok(toks)
}

fn is_string_prefix(word: &str) -> bool {
    word.len() <= 2 && word.bytes().all(|c| b"rRbBuUfFtT".contains(&c))
}

/// A string literal starting with the quote at `start`; returns its value and the index after
/// it.
fn lex_string(
    src: &str,
    start: usize,
    prefix: &str,
    line: &mut u32,
) -> Result<(Option<String>, usize), String> {
    let b = src.as_bytes();
    let q = b[start];
    let triple = b.len() >= start + 3 && b[start + 1] == q && b[start + 2] == q;
    let open = if triple { 3 } else { 1 };
    let first_line = *line;
    let unterminated = || format!("setup.py has an unterminated string on line {first_line}");
    let mut j = start + open;
    loop {
        match b.get(j) {
            None => return Err(unterminated()),
            Some(b'\\') => {
                if b.get(j + 1) == Some(&b'\n') {
                    *line += 1;
                }
                j += 2;
            }
            Some(b'\n') => {
                if !triple {
                    return Err(unterminated());
                }
                *line += 1;
                j += 1;
            }
            Some(&x) if x == q && (!triple || b[j..].starts_with(&[q, q, q])) => break,
            Some(_) => j += 1,
        }
    }
    let body = &src[start + open..j];
    let raw = prefix.bytes().any(|c| c.eq_ignore_ascii_case(&b'r'));
    let formatted = prefix
        .bytes()
        .any(|c| c.eq_ignore_ascii_case(&b'f') || c.eq_ignore_ascii_case(&b't'));
    let value = if formatted && body.contains('{') {
        None
    } else if raw {
        Some(body.to_owned())
    } else {
        Some(unescape(body))
    };
    Ok((value, j + open))
}

fn unescape(body: &str) -> String {
    if !body.contains('\\') {
        return body.to_owned();
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\n') | None => {}
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(c @ ('\\' | '\'' | '"')) => out.push(c),
            Some(c) => {
                out.push('\\');
                out.push(c);
            }
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// A list (or tuple) of requirement strings, or one string of lines.
    List,
    /// `extras_require`: a dict of lists.
    Dict,
}

fn keyword_shape(name: &str) -> Option<Shape> {
    match name {
        "install_requires" | "setup_requires" | "tests_require" => Some(Shape::List),
        "extras_require" => Some(Shape::Dict),
        _ => None,
    }
}

struct SetupPy<'t, 'a> {
    toks: &'t [PyTok<'a>],
    /// Values already read: start token → token after the value.
    read: HashMap<usize, usize>,
    /// Name tokens read as references to a variable.
    references: HashSet<usize>,
    deps: Vec<Dep>,
    /// A setuptools keyword was found.
    found: bool,
}

fn computed(kw: &str, line: u32, why: &str) -> String {
    format!(
        "setup.py computes its requirements (`{kw}` on line {line} {why}); cordon reads only literal lists and does not run setup.py"
    )
}

impl<'t, 'a> SetupPy<'t, 'a> {
    fn tok(&self, i: usize) -> Option<&'t Tok<'a>> {
        self.toks.get(i).map(|t| &t.tok)
    }

    fn line(&self, i: usize) -> u32 {
        self.toks.get(i).or(self.toks.last()).map_or(1, |t| t.line)
    }

    fn next_is_op(&self, i: usize, op: &str) -> bool {
        matches!(self.tok(i + 1), Some(Tok::Op(o)) if *o == op)
    }

    /// `NAME = ...` at the start of a statement, at bracket depth 0.
    fn is_assignment(&self, i: usize) -> bool {
        self.toks[i].depth == 0
            && self.next_is_op(i, "=")
            && (i == 0
                || matches!(
                    &self.toks[i - 1],
                    PyTok { tok: Tok::End, .. }
                        | PyTok {
                            tok: Tok::Op(":"),
                            depth: 0,
                            ..
                        }
                ))
    }

    /// A use of a variable that may change it: augmented assignment, a method call
    /// (`.append`), item assignment, a `for`/`with ... as` target, a chained assignment.
    fn modifies(&self, i: usize) -> bool {
        let next = match self.tok(i + 1) {
            Some(Tok::Op(o)) => {
                (o.ends_with('=') && !matches!(*o, "==" | "<=" | ">=" | "!=" | "="))
                    || *o == "."
                    || (*o == "=" && self.toks[i].depth == 0)
            }
            Some(Tok::Open(b'[')) => true,
            _ => false,
        };
        let prev = i > 0
            && matches!(
                self.tok(i - 1),
                Some(Tok::Name("for" | "as" | "del" | "global" | "nonlocal"))
            );
        next || prev
    }

    /// The token ends a keyword argument, a dict entry or a statement.
    fn ends_value(&self, i: usize) -> bool {
        matches!(self.tok(i), None | Some(Tok::Comma | Tok::Close | Tok::End))
    }

    /// Adjacent string literals from `i`, concatenated; the index after them.
    fn strings(&self, mut i: usize, kw: &str) -> Result<(String, usize), String> {
        let mut s = String::new();
        while let Some(Tok::Str(v)) = self.tok(i) {
            let Some(v) = v else {
                return Err(computed(kw, self.line(i), "holds an f-string"));
            };
            s.push_str(v);
            i += 1;
        }
        Ok((s, i))
    }

    fn push_requirements(&mut self, s: &str) {
        for line in s.lines() {
            let line = line.trim();
            if !line.is_empty() && !line.starts_with('#') {
                self.deps.push(pep508_dep(line));
            }
        }
    }

    /// Reads the value starting at token `at`; returns the index after it.
    fn value(&mut self, at: usize, shape: Shape, kw: &str, hops: u32) -> Result<usize, String> {
        if let Some(&end) = self.read.get(&at) {
            return Ok(end);
        }
        if hops > 8 {
            return Err(computed(kw, self.line(at), "goes through too many names"));
        }
        let line = self.line(at);
        let end = match (self.tok(at), shape) {
            (Some(Tok::Open(b'[' | b'(')), Shape::List) => {
                let mut i = at + 1;
                loop {
                    match self.tok(i) {
                        Some(Tok::Close) => break i + 1,
                        Some(Tok::Str(_)) => {
                            let (s, next) = self.strings(i, kw)?;
                            self.push_requirements(&s);
                            i = next;
                            match self.tok(i) {
                                Some(Tok::Comma) => i += 1,
                                Some(Tok::Close) => break i + 1,
                                _ => {
                                    return Err(computed(
                                        kw,
                                        self.line(i),
                                        "is not a literal list",
                                    ));
                                }
                            }
                        }
                        _ => {
                            return Err(computed(
                                kw,
                                self.line(i),
                                "holds something other than string literals",
                            ));
                        }
                    }
                }
            }
            (Some(Tok::Str(_)), Shape::List) => {
                let (s, next) = self.strings(at, kw)?;
                self.push_requirements(&s);
                next
            }
            (Some(Tok::Open(b'{')), Shape::Dict) => {
                let mut i = at + 1;
                loop {
                    match self.tok(i) {
                        Some(Tok::Close) => break i + 1,
                        Some(Tok::Str(_)) => {
                            i = self.strings(i, kw)?.1;
                        }
                        _ => return Err(computed(kw, self.line(i), "is not a literal dict")),
                    }
                    if !matches!(self.tok(i), Some(Tok::Op(":"))) {
                        return Err(computed(kw, self.line(i), "is not a literal dict"));
                    }
                    i = self.value(i + 1, Shape::List, kw, hops)?;
                    match self.tok(i) {
                        Some(Tok::Comma) => i += 1,
                        Some(Tok::Close) => break i + 1,
                        _ => return Err(computed(kw, self.line(i), "is not a literal dict")),
                    }
                }
            }
            (Some(Tok::Name(var)), _) => {
                self.references.insert(at);
                if *var != "None" {
                    self.resolve(var, shape, kw, hops, line)?;
                }
                at + 1
            }
            _ => {
                let why = match shape {
                    Shape::List => "is not a literal list or a name assigned one",
                    Shape::Dict => "is not a literal dict or a name assigned one",
                };
                return Err(computed(kw, line, why));
            }
        };
        self.read.insert(at, end);
        Ok(end)
    }

    /// Reads the single module-level literal assigned to `var`.
    fn resolve(
        &mut self,
        var: &str,
        shape: Shape,
        kw: &str,
        hops: u32,
        line: u32,
    ) -> Result<(), String> {
        let mut assignment = None;
        for (j, t) in self.toks.iter().enumerate() {
            if t.tok != Tok::Name(var) {
                continue;
            }
            if self.is_assignment(j) {
                if assignment.replace(j).is_some() {
                    return Err(computed(
                        kw,
                        line,
                        &format!("names `{var}`, which is assigned more than once"),
                    ));
                }
            } else if self.modifies(j) {
                return Err(computed(
                    kw,
                    line,
                    &format!("names `{var}`, which line {} changes", t.line),
                ));
            }
        }
        let Some(j) = assignment else {
            return Err(computed(
                kw,
                line,
                &format!("names `{var}`, which is not assigned a literal in setup.py"),
            ));
        };
        let end = self.value(j + 2, shape, kw, hops + 1)?;
        if !matches!(self.tok(end), None | Some(Tok::End)) {
            return Err(computed(
                kw,
                line,
                &format!("names `{var}`, which line {} computes", self.line(j)),
            ));
        }
        Ok(())
    }

    fn run(&mut self) -> Result<(), String> {
        let toks = self.toks;
        for (i, t) in toks.iter().enumerate() {
            match &t.tok {
                Tok::Name(name) => {
                    let Some(shape) = keyword_shape(name) else {
                        continue;
                    };
                    self.found = true;
                    if self.references.contains(&i) {
                        continue;
                    }
                    if self.is_assignment(i) || (t.depth > 0 && self.next_is_op(i, "=")) {
                        // `install_requires = [...]` at module level, or a keyword argument.
                        let end = self.value(i + 2, shape, name, 0)?;
                        if !self.ends_value(end) {
                            return Err(computed(name, t.line, "is not a literal"));
                        }
                    } else {
                        return Err(computed(
                            name,
                            t.line,
                            "is used in a way cordon cannot read",
                        ));
                    }
                }
                Tok::Str(Some(s)) if t.depth > 0 => {
                    let Some(shape) = keyword_shape(s) else {
                        continue;
                    };
                    self.found = true;
                    if !matches!(self.tok(i + 1), Some(Tok::Op(":"))) {
                        return Err(computed(s, t.line, "is used in a way cordon cannot read"));
                    }
                    // `{"install_requires": [...]}`, e.g. poetry's generated `setup_kwargs`.
                    let end = self.value(i + 2, shape, s, 0)?;
                    if !self.ends_value(end) {
                        return Err(computed(s, t.line, "is not a literal"));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// `setup(..., **kwargs)`: keyword arguments cordon cannot see.
    fn setup_unpacks(&self) -> Option<u32> {
        let toks = self.toks;
        for (i, t) in toks.iter().enumerate() {
            if t.tok != Tok::Name("setup") || !matches!(self.tok(i + 1), Some(Tok::Open(b'('))) {
                continue;
            }
            let inner = toks[i + 1].depth + 1;
            for (k, u) in toks.iter().enumerate().skip(i + 2) {
                if u.depth < inner {
                    break;
                }
                if u.depth == inner
                    && u.tok == Tok::Op("**")
                    && matches!(self.tok(k - 1), Some(Tok::Open(_) | Tok::Comma))
                {
                    return Some(u.line);
                }
            }
        }
        None
    }
}

fn read_setup_py(text: &str) -> Result<DepSet, String> {
    let toks = lex_python(text)?;
    let mut p = SetupPy {
        toks: &toks,
        read: HashMap::new(),
        references: HashSet::new(),
        deps: Vec::new(),
        found: false,
    };
    p.run()?;
    if !p.found
        && let Some(line) = p.setup_unpacks()
    {
        return Err(format!(
            "setup.py computes its requirements (`setup(**...)` on line {line} passes keyword arguments built elsewhere); cordon does not run setup.py"
        ));
    }
    Ok(DepSet {
        deps: p.deps,
        ..DepSet::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deps(kind: FileKind, text: &str) -> DepSet {
        read_deps(kind, text).expect("readable")
    }

    fn change(kind: FileKind, old: &str, new: &str) -> Change {
        diff(&deps(kind, old), &deps(kind, new))
    }

    fn added_names(c: &Change) -> Vec<&str> {
        c.added.iter().map(|d| d.name.as_str()).collect()
    }

    fn names(set: &DepSet) -> Vec<&str> {
        set.deps.iter().map(|d| d.name.as_str()).collect()
    }

    // ---- classify -------------------------------------------------------------------------

    #[test]
    fn classifies_by_file_name() {
        use FileKind::*;
        let cases = [
            ("pyproject.toml", PyProject),
            ("sub/pkg/pyproject.toml", PyProject),
            ("C:\\work\\proj\\pyproject.toml", PyProject),
            ("requirements.txt", Requirements),
            ("requirements-dev.txt", Requirements),
            ("requirements.in", Requirements),
            ("dev-requirements.txt", Requirements),
            ("constraints.txt", Requirements),
            ("constraints-py312.txt", Requirements),
            ("requirements/base.txt", Requirements),
            ("requirements\\prod.in", Requirements),
            ("setup.py", SetupPy),
            ("a/setup.cfg", SetupCfg),
            ("uv.lock", Lock),
            ("poetry.lock", Lock),
            ("pdm.lock", Lock),
            ("pylock.toml", Lock),
            ("pylock.dev.toml", Lock),
            ("scripts/tool.py.lock", Lock),
            (".cordon/approvals.toml", Approvals),
            ("/repo/.cordon/approvals.toml", Approvals),
            ("C:\\repo\\.cordon\\approvals.toml", Approvals),
            ("cordon.toml", Approvals),
            ("tool.py", Script),
            ("src/pkg/__init__.py", Script),
            ("README.md", Other),
            ("notes.txt", Other),
            ("approvals.toml", Other),
            ("Pyproject.toml", Other),
            ("Requirements.txt", Other),
            (".py", Other),
            ("uv.toml", Other),
        ];
        for (path, kind) in cases {
            assert_eq!(classify(path), kind, "{path}");
        }
    }

    // ---- pyproject ------------------------------------------------------------------------

    const PYPROJECT: &str = r#"
[project]
name = "demo"
dependencies = [
    "requests>=2.31",  # http
    "rich",
]

[project.optional-dependencies]
cli = ["click>=8"]
"#;

    #[test]
    fn pyproject_declares_its_requirements() {
        let set = deps(FileKind::PyProject, PYPROJECT);
        assert_eq!(names(&set), ["requests", "rich", "click"]);
        assert_eq!(set.deps[0].text, "requests>=2.31");
        assert_eq!(set.deps[0].key, "requests>=2.31");
    }

    #[test]
    fn pyproject_additions_and_changes_are_detected() {
        let added = PYPROJECT.replace("\"rich\",", "\"rich\",\n    \"Flask_Login==0.6\",");
        let c = change(FileKind::PyProject, PYPROJECT, &added);
        assert_eq!(added_names(&c), ["flask-login"]);
        assert_eq!(c.added[0].text, "Flask_Login==0.6");
        assert!(c.other_added.is_empty() && !c.allow_changed && !c.is_empty());

        let version = PYPROJECT.replace("requests>=2.31", "requests>=2.32");
        assert_eq!(
            added_names(&change(FileKind::PyProject, PYPROJECT, &version)),
            ["requests"]
        );

        let extras = PYPROJECT.replace("\"rich\"", "\"rich[jupyter]\"");
        assert_eq!(
            added_names(&change(FileKind::PyProject, PYPROJECT, &extras)),
            ["rich"]
        );

        let marker = PYPROJECT.replace("\"rich\"", "\"rich; sys_platform == 'linux'\"");
        assert_eq!(
            added_names(&change(FileKind::PyProject, PYPROJECT, &marker)),
            ["rich"]
        );

        let url = PYPROJECT.replace(
            "\"rich\"",
            "\"rich @ https://example.com/rich-13.0-py3-none-any.whl\"",
        );
        assert_eq!(
            added_names(&change(FileKind::PyProject, PYPROJECT, &url)),
            ["rich"]
        );
    }

    #[test]
    fn pyproject_reordering_reformatting_comments_and_removals_change_nothing() {
        let reordered = r#"
# a comment
[project]
name = "demo"
dependencies = ["rich", "Requests >= 2.31"]   # reordered, spaced, case changed
[project.optional-dependencies]
cli = [ "click >=8" ]
"#;
        assert!(change(FileKind::PyProject, PYPROJECT, reordered).is_empty());
        let comment = PYPROJECT.replace("# http", "# the http client");
        assert!(change(FileKind::PyProject, PYPROJECT, &comment).is_empty());
        let removed = PYPROJECT.replace("    \"rich\",\n", "");
        let c = change(FileKind::PyProject, PYPROJECT, &removed);
        assert!(c.added.is_empty() && c.is_empty());
        // The same marker written differently.
        let a = r#"[project]
dependencies = ["x; python_version >= '3.9' and sys_platform == 'linux'"]"#;
        let b = r#"[project]
dependencies = ["x ; python_version>=\"3.9\" and sys_platform==\"linux\""]"#;
        assert!(change(FileKind::PyProject, a, b).is_empty());
        // Specifier order and extras order.
        let a = "[project]\ndependencies = [\"x[b,a]>=1,<2\"]";
        let b = "[project]\ndependencies = [\"x[a,b]<2,>=1\"]";
        assert!(change(FileKind::PyProject, a, b).is_empty());
    }

    #[test]
    fn invalid_toml_is_an_error() {
        let err =
            read_deps(FileKind::PyProject, "[project\ndependencies = [").expect_err("invalid");
        assert!(
            err.contains("not valid TOML") && err.contains("line 1"),
            "{err}"
        );
        assert!(read_deps(FileKind::Approvals, "allow = [").is_err());
    }

    #[test]
    fn unparseable_requirements_still_count() {
        let set = deps(
            FileKind::PyProject,
            "[project]\ndependencies = [\"foo >>> 1\", \"-e ./local\"]",
        );
        assert_eq!(names(&set), ["foo", "-e ./local"]);
        assert_eq!(set.deps[0].key, "foo>>>1");
        let c = change(
            FileKind::PyProject,
            "[project]\ndependencies = [\"foo >>> 1\"]",
            "[project]\ndependencies = [\"foo>>>2\"]",
        );
        assert_eq!(added_names(&c), ["foo"]);
    }

    #[test]
    fn pyproject_groups_tools_and_build_requirements() {
        let text = r#"
[build-system]
requires = ["hatchling"]

[dependency-groups]
dev = ["pytest", { include-group = "lint" }]
lint = ["ruff"]

[tool.uv]
dev-dependencies = ["mypy"]
constraint-dependencies = ["urllib3<3"]
override-dependencies = ["idna==3.7"]

[tool.pdm.dev-dependencies]
test = ["coverage"]
"#;
        let set = deps(FileKind::PyProject, text);
        let mut got = names(&set);
        got.sort_unstable();
        assert_eq!(
            got,
            [
                "coverage",
                "hatchling",
                "idna",
                "mypy",
                "pytest",
                "ruff",
                "urllib3"
            ]
        );
        let more = text.replace("lint = [\"ruff\"]", "lint = [\"ruff\", \"black\"]");
        assert_eq!(
            added_names(&change(FileKind::PyProject, text, &more)),
            ["black"]
        );
    }

    #[test]
    fn poetry_dependencies() {
        let text = r#"
[tool.poetry.dependencies]
python = "^3.11"
requests = "^2.31"
Rich = { version = "^13", extras = ["jupyter"] }

[tool.poetry.group.dev.dependencies]
pytest = "*"

[tool.poetry.dev-dependencies]
black = "24.1"
"#;
        let set = deps(FileKind::PyProject, text);
        assert_eq!(names(&set), ["requests", "rich", "black", "pytest"]);
        assert_eq!(
            set.deps[1].text,
            r#"Rich = { version = "^13", extras = ["jupyter"] }"#
        );
        // Reformatting the inline table changes nothing; a new version does.
        let reformatted = text.replace(
            r#"{ version = "^13", extras = ["jupyter"] }"#,
            r#"{extras=["jupyter"],version="^13"}"#,
        );
        assert!(change(FileKind::PyProject, text, &reformatted).is_empty());
        let bumped = text.replace("\"^2.31\"", "\"^2.32\"");
        assert_eq!(
            added_names(&change(FileKind::PyProject, text, &bumped)),
            ["requests"]
        );
        let python = text.replace("^3.11", "^3.12");
        assert!(change(FileKind::PyProject, text, &python).is_empty());
        let added = format!("{text}\n[tool.poetry.group.docs.dependencies]\nmkdocs = \"^1\"\n");
        assert_eq!(
            added_names(&change(FileKind::PyProject, text, &added)),
            ["mkdocs"]
        );
    }

    #[test]
    fn uv_sources_and_indexes_are_others() {
        let base = r#"
[project]
dependencies = ["foo"]

[tool.uv]
extra-index-url = ["https://extra.example.com/simple"]

[[tool.uv.index]]
name = "internal"
url = "https://pkgs.example.com/simple"
"#;
        let set = deps(FileKind::PyProject, base);
        assert_eq!(
            set.others,
            [
                "index: https://pkgs.example.com/simple",
                "extra-index-url: https://extra.example.com/simple"
            ]
        );
        let git = format!(
            "{base}\n[tool.uv.sources]\nfoo = {{ git = \"https://github.com/evil/foo\", rev = \"main\" }}\n"
        );
        let c = change(FileKind::PyProject, base, &git);
        assert!(c.added.is_empty());
        assert_eq!(
            c.other_added,
            [r#"source: foo = {git = "https://github.com/evil/foo", rev = "main"}"#]
        );
        let index = base.replace("pkgs.example.com", "pkgs.evil.com");
        assert_eq!(
            change(FileKind::PyProject, base, &index).other_added,
            ["index: https://pkgs.evil.com/simple"]
        );
        let primary =
            format!("{base}\n[tool.uv.pip]\nindex-url = \"https://mirror.example.com\"\n");
        assert_eq!(
            change(FileKind::PyProject, base, &primary).other_added,
            ["index-url: https://mirror.example.com"]
        );
    }

    #[test]
    fn cordon_allow_changes_are_flagged() {
        let base = "[tool.cordon]\nallow = [\"Internal_Tools\"]\nmin-cooldown = \"7 days\"\n";
        let set = deps(FileKind::PyProject, base);
        assert_eq!(set.allow, ["internal-tools"]);
        assert_eq!(set.others, ["policy: min-cooldown = \"7 days\""]);
        let more = base.replace("[\"Internal_Tools\"]", "[\"internal-tools\", \"evil\"]");
        let c = change(FileKind::PyProject, base, &more);
        assert!(c.allow_changed && c.added.is_empty() && c.other_added.is_empty());
        let fewer = base.replace("[\"Internal_Tools\"]", "[]");
        assert!(change(FileKind::PyProject, base, &fewer).allow_changed);
        let same = base.replace("[\"Internal_Tools\"]", "[ \"internal.tools\" ]");
        assert!(change(FileKind::PyProject, base, &same).is_empty());
        let ignore = format!("{base}ignore = [{{ id = \"cooldown-missing\", reason = \"x\" }}]\n");
        assert_eq!(
            change(FileKind::PyProject, base, &ignore).other_added,
            [r#"policy: ignore: {id = "cooldown-missing", reason = "x"}"#]
        );
    }

    // ---- approvals ------------------------------------------------------------------------

    #[test]
    fn approvals_fill_allow() {
        let approvals = r#"
[[approval]]
name = "Flask_Login"
reason = "needed for auth"

[[approval]]
name = "httpx"
version = "0.27.0"
"#;
        let set = deps(FileKind::Approvals, approvals);
        assert_eq!(set.allow, ["flask-login", "httpx==0.27.0"]);
        assert!(set.deps.is_empty());
        let more = format!("{approvals}\n[[approval]]\nname = \"evil\"\n");
        assert!(change(FileKind::Approvals, approvals, &more).allow_changed);

        // cordon.toml: the policy keys at the top level, or under [tool.cordon].
        assert_eq!(
            deps(FileKind::Approvals, "allow = [\"A.B\"]\n").allow,
            ["a-b"]
        );
        assert_eq!(
            deps(FileKind::Approvals, "[tool.cordon]\nallow = [\"x\"]\n").allow,
            ["x"]
        );
        let policy = deps(
            FileKind::Approvals,
            "allowed-indexes = [\"https://i.example.com\"]\n",
        );
        assert_eq!(
            policy.others,
            ["policy: allowed-indexes: \"https://i.example.com\""]
        );
    }

    #[test]
    fn locks_and_other_files_declare_nothing() {
        assert_eq!(deps(FileKind::Lock, "not [ toml"), DepSet::default());
        assert_eq!(deps(FileKind::Other, "requests"), DepSet::default());
    }

    // ---- requirements files ---------------------------------------------------------------

    const SHA_A: &str = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const SHA_B: &str = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    #[test]
    fn requirements_lines_continuations_comments_and_hashes() {
        let text = format!(
            "# pinned\nrequests==2.32.3 \\\n    --hash={SHA_A}  # http\nrich>=13 ; python_version >= '3.9'\n\nFlask[async]\n"
        );
        let set = deps(FileKind::Requirements, &text);
        assert_eq!(names(&set), ["requests", "rich", "flask"]);
        assert_eq!(set.deps[0].text, "requests==2.32.3");
        assert_eq!(set.deps[0].key, "requests==2.32.3");
        assert_eq!(set.deps[1].key, "rich>=13; python_full_version >= '3.9'");

        let rehashed = text.replace(SHA_A, SHA_B);
        assert!(change(FileKind::Requirements, &text, &rehashed).is_empty());
        let comments = text
            .replace("# http", "# the http client")
            .replace("# pinned", "");
        assert!(change(FileKind::Requirements, &text, &comments).is_empty());
        let bumped = text.replace("2.32.3", "2.32.4");
        assert_eq!(
            added_names(&change(FileKind::Requirements, &text, &bumped)),
            ["requests"]
        );
        let added = format!("{text}numpy\n");
        assert_eq!(
            added_names(&change(FileKind::Requirements, &text, &added)),
            ["numpy"]
        );
    }

    #[test]
    fn requirements_options_are_others() {
        let base = "requests\n";
        let c = change(
            FileKind::Requirements,
            base,
            "-r other.txt\n--index-url https://evil.example.com/simple\n-c constraints.txt\nrequests\n",
        );
        assert!(c.added.is_empty());
        assert_eq!(
            c.other_added,
            [
                "include: other.txt",
                "index-url: https://evil.example.com/simple",
                "constraints: constraints.txt"
            ]
        );
        let c = change(
            FileKind::Requirements,
            base,
            "requests\n--extra-index-url=https://x.example.com\n-f ./wheels\n--trusted-host x.example.com\n",
        );
        assert_eq!(
            c.other_added,
            [
                "extra-index-url: https://x.example.com",
                "find-links: ./wheels",
                "trusted-host: x.example.com"
            ]
        );
        let c = change(FileKind::Requirements, base, "requests\n-e ./local/pkg\n");
        assert_eq!(c.other_added, ["editable: ./local/pkg"]);
        assert_eq!(added_names(&c), ["./local/pkg"]);
        assert_eq!(c.added[0].text, "-e ./local/pkg");
        // Restricting options are not worth a question.
        assert!(change(FileKind::Requirements, base, "--require-hashes\nrequests\n").is_empty());
    }

    #[test]
    fn requirements_urls_and_paths() {
        let text = "https://example.com/pkgs/My_Pkg-1.0-py3-none-any.whl\ngit+https://github.com/org/tool.git@v1#egg=Tool\n./vendor/thing\nname @ https://example.com/name-1.0.tar.gz\n";
        let set = deps(FileKind::Requirements, text);
        assert_eq!(names(&set), ["my-pkg", "tool", "./vendor/thing", "name"]);
        assert!(
            set.deps[1]
                .key
                .contains("git+https://github.com/org/tool.git@v1#egg=Tool")
        );
        let moved = text.replace("@v1", "@v2");
        assert_eq!(
            added_names(&change(FileKind::Requirements, text, &moved)),
            ["tool"]
        );
        let other = text.replace("name-1.0", "name-1.1");
        assert_eq!(
            added_names(&change(FileKind::Requirements, text, &other)),
            ["name"]
        );
    }

    #[test]
    fn unreadable_requirement_lines_still_count() {
        let set = deps(FileKind::Requirements, "foo >>> 1\n--bogus-option x\n");
        assert_eq!(names(&set), ["foo"]);
        assert_eq!(set.others, ["option: --bogus-option"]);
    }

    // ---- setup.py -------------------------------------------------------------------------

    #[test]
    fn setup_py_literal_lists_and_extras() {
        let text = r#"
from setuptools import setup  # install_requires in a comment is fine

setup(
    name="demo",
    description="pulls [brackets] and {braces} and 'quotes' (parens",
    install_requires=[
        "requests>=2",  # the client ]
        'rich[jupyter]',
        "click" ">=8",
    ],
    setup_requires=("wheel",),
    tests_require=["pytest"],
    extras_require={
        "docs": ["mkdocs", "mkdocs-material"],
        'ssl': "pyopenssl\ncryptography",
    },
)
"#;
        let set = deps(FileKind::SetupPy, text);
        assert_eq!(
            names(&set),
            [
                "requests",
                "rich",
                "click",
                "wheel",
                "pytest",
                "mkdocs",
                "mkdocs-material",
                "pyopenssl",
                "cryptography"
            ]
        );
        assert_eq!(set.deps[2].text, "click>=8");
        let added = text.replace("'rich[jupyter]',", "'rich[jupyter]', \"evil\",");
        assert_eq!(
            added_names(&change(FileKind::SetupPy, text, &added)),
            ["evil"]
        );
        let reordered = text.replace(
            "\"mkdocs\", \"mkdocs-material\"",
            "\"mkdocs-material\",\"mkdocs\"",
        );
        assert!(change(FileKind::SetupPy, text, &reordered).is_empty());
    }

    #[test]
    fn setup_py_variables_are_followed() {
        let text = r#"
import setuptools

REQUIRES = [
    "requests",
    "rich",
]
EXTRAS = {"test": TEST_REQUIRES}
TEST_REQUIRES = ["pytest"]
install_requires = ["click"]

setuptools.setup(
    install_requires=REQUIRES,
    extras_require=EXTRAS,
    setup_requires=install_requires,
)
"#;
        let set = deps(FileKind::SetupPy, text);
        let mut got = names(&set);
        got.sort_unstable();
        assert_eq!(got, ["click", "pytest", "requests", "rich"]);

        // poetry's generated setup.py
        let poetry = r"
from setuptools import setup
packages = ['demo']
install_requires = \
['requests>=2.31,<3.0']
extras_require = \
{'cli': ['click>=8']}
setup_kwargs = {
    'name': 'demo',
    'install_requires': install_requires,
    'extras_require': extras_require,
}
setup(**setup_kwargs)
";
        assert_eq!(
            names(&deps(FileKind::SetupPy, poetry)),
            ["requests", "click"]
        );
        assert_eq!(
            names(&deps(FileKind::SetupPy, "setup(install_requires=None)")),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn setup_py_computed_requirements_are_errors() {
        let computed = [
            "setup(install_requires=open('requirements.txt').read().splitlines())",
            "REQS = [\"a\"]\nREQS.append(\"b\")\nsetup(install_requires=REQS)",
            "REQS = [\"a\"]\nREQS += [\"b\"]\nsetup(install_requires=REQS)",
            "REQS = [\"a\"] + OTHER\nsetup(install_requires=REQS)",
            "setup(install_requires=[\"a\"] + EXTRA)",
            "setup(install_requires=[f\"pkg=={VERSION}\"])",
            "setup(install_requires=parse_requirements('r.txt'))",
            "setup(install_requires=REQS)",
            "if X:\n    REQS = ['a']\nelse:\n    REQS = ['b']\nsetup(install_requires=REQS)",
            "setup(extras_require=dict(test=['x']))",
            "kwargs['install_requires'] = get()\nsetup(**kwargs)",
            "setup(**load_config())",
            "install_requires = compute()\nsetup(install_requires=install_requires)",
        ];
        for text in computed {
            let err = read_deps(FileKind::SetupPy, text).expect_err(text);
            assert!(
                err.starts_with("setup.py computes its requirements ("),
                "{text}: {err}"
            );
        }
        assert!(read_deps(FileKind::SetupPy, "setup(install_requires=['a)").is_err());
        // No requirements at all is fine.
        assert_eq!(
            deps(
                FileKind::SetupPy,
                "from setuptools import setup\nsetup(name='x')\n"
            ),
            DepSet::default()
        );
    }

    // ---- setup.cfg ------------------------------------------------------------------------

    #[test]
    fn setup_cfg_multi_line_values() {
        let text = "[metadata]\nname = demo\ninstall_requires = not-me\n\n[options]\npackages = find:\ninstall_requires =\n    requests>=2\n    # a comment\n    rich ; python_version >= \"3.9\"\n\n    click\nsetup_requires = wheel; setuptools>=61\n\n[options.extras_require]\ndocs =\n    mkdocs\ntest = pytest\n";
        let set = deps(FileKind::SetupCfg, text);
        assert_eq!(
            names(&set),
            [
                "requests",
                "rich",
                "click",
                "wheel",
                "setuptools",
                "mkdocs",
                "pytest"
            ]
        );
        let added = text.replace("    click\n", "    click\n    evil\n");
        assert_eq!(
            added_names(&change(FileKind::SetupCfg, text, &added)),
            ["evil"]
        );
        let reordered = text
            .replace("    requests>=2\n", "")
            .replace("    click\n", "    click\n    requests >= 2\n");
        assert!(change(FileKind::SetupCfg, text, &reordered).is_empty());
        let file = deps(
            FileKind::SetupCfg,
            "[options]\ninstall_requires = file: requirements.txt\n",
        );
        assert_eq!(
            file.others,
            ["include: options install_requires = file: requirements.txt"]
        );
        assert!(read_deps(FileKind::SetupCfg, "[options]\nnot an option\n").is_err());
    }

    // ---- PEP 723 scripts ------------------------------------------------------------------

    const SCRIPT: &str = "#!/usr/bin/env python\n# /// script\n# requires-python = \">=3.11\"\n# dependencies = [\n#   \"requests<3\",\n#   \"rich\",\n# ]\n#\n# [tool.uv]\n# extra-index-url = [\"https://x.example.com/simple\"]\n# ///\n\nimport requests\n";

    #[test]
    fn script_blocks() {
        let set = deps(FileKind::Script, SCRIPT);
        assert_eq!(names(&set), ["requests", "rich"]);
        assert_eq!(
            set.others,
            ["extra-index-url: https://x.example.com/simple"]
        );
        let added = SCRIPT.replace("#   \"rich\",\n", "#   \"rich\",\n#   \"httpx\",\n");
        assert_eq!(
            added_names(&change(FileKind::Script, SCRIPT, &added)),
            ["httpx"]
        );
        let reordered = SCRIPT.replace(
            "#   \"requests<3\",\n#   \"rich\",\n",
            "#   \"rich\",\n#   \"requests <3\",\n",
        );
        assert!(change(FileKind::Script, SCRIPT, &reordered).is_empty());
        let crlf = SCRIPT.replace('\n', "\r\n");
        assert_eq!(names(&deps(FileKind::Script, &crlf)), ["requests", "rich"]);
        let sources = SCRIPT.replace(
            "# ///\n",
            "# [tool.uv.sources]\n# rich = { git = \"https://github.com/x/rich\" }\n# ///\n",
        );
        assert_eq!(
            change(FileKind::Script, SCRIPT, &sources).other_added,
            [r#"source: rich = {git = "https://github.com/x/rich"}"#]
        );
    }

    #[test]
    fn scripts_without_a_block_declare_nothing() {
        assert_eq!(
            deps(FileKind::Script, "import os\n# ///\n"),
            DepSet::default()
        );
        // Another block type is not a script block.
        assert_eq!(
            deps(FileKind::Script, "# /// pyproject\n# x = 1\n# ///\n"),
            DepSet::default()
        );
        // A comment line ending the run before a closing line: no block (as in the regex).
        assert_eq!(
            deps(FileKind::Script, "# /// other\n# x\n\n# ///\n"),
            DepSet::default()
        );
    }

    #[test]
    fn malformed_script_blocks_are_errors() {
        let unterminated = "# /// script\n# dependencies = [\"rich\"]\n\nimport rich\n";
        let err = read_deps(FileKind::Script, unterminated).expect_err("unterminated");
        assert!(err.contains("no closing"), "{err}");
        let twice = format!("{SCRIPT}\n# /// script\n# dependencies = []\n# ///\n");
        let err = read_deps(FileKind::Script, &twice).expect_err("twice");
        assert!(err.contains("two `# /// script` blocks"), "{err}");
        let bad_toml = "# /// script\n# dependencies = [\n# ///\n";
        assert!(read_deps(FileKind::Script, bad_toml).is_err());
        // The block ends at the last `# ///` of the comment run (as in the reference regex),
        // so a first `# ///` followed by more comment lines and another `# ///` is inside
        // the TOML, which is then invalid.
        let last = "# /// script\n# dependencies = [\"a\"]\n# ///\n# [tool.x]\n# ///\n";
        assert!(read_deps(FileKind::Script, last).is_err());
        let ends = "# /// script\n# dependencies = [\"a\"]\n# ///\n\n# ///\n";
        assert_eq!(names(&deps(FileKind::Script, ends)), ["a"]);
    }

    // ---- diff -----------------------------------------------------------------------------

    #[test]
    fn diff_reports_each_new_key_once() {
        let old = deps(FileKind::Requirements, "a\n");
        let new = deps(FileKind::Requirements, "a\nb\nb\n-r x.txt\n-r x.txt\n");
        let c = diff(&old, &new);
        assert_eq!(added_names(&c), ["b"]);
        assert_eq!(c.other_added, ["include: x.txt"]);
        assert!(diff(&new, &old).is_empty());
    }
}
