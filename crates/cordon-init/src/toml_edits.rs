//! Format-preserving edits of `pyproject.toml` and `uv.toml`: uv's safety settings and exact
//! pins.
//!
//! `toml_edit` parses and locates (every key and value keeps its byte span), but the new text is
//! spliced into the original string rather than re-rendered from the document: re-rendering
//! turns CRLF into LF and respaces inline tables. Every byte outside an edit is therefore kept by
//! construction, and each result is parsed again to prove the edit says what it should.

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use cordon_check::checks::uv_version_unpinned::{MIN_UV, admits_older_than};
use cordon_check::{Policy, Project};
use cordon_python::exclude_newer::ExcludeNewer;
use cordon_python::lock::Lock;
use cordon_python::pyproject::PyProject;
use cordon_python::requirement::exact_version;
use cordon_python::settings::{ConfigFile, Origin, Settings};
use cordon_python::{ParseError, Source};
use pep440_rs::{Version, VersionSpecifiers};
use toml_edit::{Document, Item, Table, TableLike, Value};

use crate::change::{Change, InitError};

/// A text replacement at a byte range of the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Splice {
    pub range: Range<usize>,
    pub text: String,
}

/// Applies non-overlapping splices (in any order) to `text`.
pub fn apply_splices(text: &str, splices: &[Splice]) -> String {
    let mut sorted: Vec<&Splice> = splices.iter().collect();
    sorted.sort_by_key(|s| (s.range.start, s.range.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for s in sorted {
        debug_assert!(s.range.start >= at, "overlapping splices");
        out.push_str(&text[at..s.range.start]);
        out.push_str(&s.text);
        at = s.range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The line ending a file uses (its first one; `\n` for a file without any).
pub fn newline_of(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// A TOML basic string literal.
pub fn basic_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A string literal for `s` in the quoting style of `old_literal` (the source text of the value
/// it replaces): single quotes stay single where `s` allows it.
pub fn string_like(old_literal: &str, s: &str) -> String {
    let literal_ok = !s.contains('\'') && !s.chars().any(char::is_control);
    if old_literal.starts_with('\'') && !old_literal.starts_with("'''") && literal_ok {
        format!("'{s}'")
    } else {
        basic_string(s)
    }
}

/// Where uv settings are written: the project's `uv.toml` when there is one (it wins over
/// `[tool.uv]`), else the root `pyproject.toml`'s `[tool.uv]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    UvToml(PathBuf),
    Pyproject(PathBuf),
    /// A user or other standalone `uv.toml` (`cordon init --global`).
    Global(PathBuf),
}

impl Target {
    pub fn path(&self) -> &Path {
        match self {
            Target::UvToml(p) | Target::Pyproject(p) | Target::Global(p) => p,
        }
    }

    fn is_pyproject(&self) -> bool {
        matches!(self, Target::Pyproject(_))
    }

    /// How the table is named in messages.
    pub fn table_name(&self) -> String {
        match self {
            Target::Pyproject(_) => "[tool.uv]".to_owned(),
            Target::UvToml(p) | Target::Global(p) => format!("`{}`", p.display()),
        }
    }
}

/// One setting to write: key and TOML value text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub key: &'static str,
    pub value: String,
    /// Why, for the `what` line.
    pub why: String,
}

/// The `required-version` cordon writes: at least the uv in use, never below 0.9.17.
pub fn required_version_for(uv_version: &Version) -> String {
    let floor = Version::from_str(MIN_UV).expect("valid constant");
    let v = if *uv_version > floor {
        uv_version.clone()
    } else {
        floor
    };
    format!(">={v}")
}

/// The uv settings the project lacks, judged as `cordon check` judges them, with the file to
/// write them to. A `[tool.uv]` uv would ignore (an invalid entry) stops init at that entry:
/// settings written there would protect nobody.
pub fn plan_uv_settings(
    project: &Project,
    policy: &Policy,
    uv_version: &Version,
) -> Result<Option<Change>, InitError> {
    settings_for(
        &project.root,
        project.pyproject.as_ref(),
        &project.settings,
        policy,
        uv_version,
        None,
        &FindingEdits::default(),
    )
}

/// [`plan_uv_settings`] for a root `pyproject` (possibly not on disk yet) and its settings;
/// `only` limits the keys touched (`--fix` of particular findings).
pub fn settings_for(
    root: &Path,
    pyproject: Option<&PyProject>,
    project_settings: &Settings,
    policy: &Policy,
    uv_version: &Version,
    only: Option<&[&'static str]>,
    extra: &FindingEdits,
) -> Result<Option<Change>, InitError> {
    let target = if root.join("uv.toml").is_file() {
        Target::UvToml(root.join("uv.toml"))
    } else {
        match pyproject {
            Some(p) => Target::Pyproject(p.source.path.clone()),
            None => {
                return Err(InitError::stop_with_help(
                    format!("`{}` has no pyproject.toml to harden", root.display()),
                    "run `cordon init --migrate` to turn its requirements files into a uv project",
                ));
            }
        }
    };
    let file = project_settings.project_files().find(|f| match &target {
        Target::UvToml(_) => f.origin == Origin::ProjectUvToml,
        _ => f.origin == Origin::ProjectPyproject,
    });
    if let Some(f) = file
        && let Some(e) = f.errors.first()
    {
        return Err(ParseError::new(
            &f.source.path,
            Some(e.span.clone()),
            format!(
                "uv ignores this whole configuration because of this entry: {}",
                e.message
            ),
        )
        .with_help("fix or remove it first; settings cordon adds next to it would be ignored too")
        .into());
    }
    let mut settings = wanted_settings(file, policy, uv_version);
    let wanted = |key: &str| only.is_none_or(|keys| keys.contains(&key));
    settings.retain(|s| wanted(s.key));
    let text = match &target {
        Target::Pyproject(_) => pyproject
            .map(|p| p.source.text.to_string())
            .unwrap_or_default(),
        Target::UvToml(_) | Target::Global(_) => {
            file.map(|f| f.source.text.to_string()).unwrap_or_default()
        }
    };
    let mut edits = Edits {
        set: settings,
        ..Edits::default()
    };
    if let Some(f) = file {
        if wanted("index-strategy")
            && f.options
                .index_strategy
                .as_ref()
                .is_some_and(|v| v.value.starts_with("unsafe-"))
        {
            edits.remove.push("index-strategy");
        }
        if wanted("exclude-newer-package") {
            edits.drop_exemptions.clone_from(&extra.exemptions);
        }
        if wanted("explicit") {
            // An unscoped index no locked package comes from can be made explicit without
            // changing the lock; one that serves packages needs them mapped by hand.
            for idx in &f.options.indexes {
                let Some(name) = &idx.name else { continue };
                if idx.explicit
                    || idx.default
                    || !extra.unscoped_index_spans.contains(&idx.url.span)
                {
                    continue;
                }
                if extra
                    .registries_in_use
                    .iter()
                    .any(|u| same_url(u, &idx.url.value))
                {
                    continue;
                }
                edits.explicit_indexes.push(name.clone());
            }
        }
    }
    edit_settings(&target, Some(&text), &edits)
}

/// Edits beyond the plain settings, decided from `cordon check`'s own findings (so a finding the
/// team ignored with a reason is left alone).
#[derive(Debug, Clone, Default)]
pub struct FindingEdits {
    /// Packages whose cooldown exemption `cooldown-exemption` reports.
    pub exemptions: Vec<String>,
    /// Spans of index URLs `extra-index-unscoped` reports (in the settings file).
    pub unscoped_index_spans: Vec<Range<usize>>,
    /// Registry URLs locked packages come from.
    pub registries_in_use: Vec<String>,
}

impl FindingEdits {
    /// From a check report over `project`.
    pub fn from_report(project: &Project, findings: &[cordon_diagnostics::Finding]) -> Self {
        let mut out = FindingEdits::default();
        for f in findings {
            match f.id {
                "cooldown-exemption" => {
                    if let Some(p) = &f.package {
                        out.exemptions.push(cordon_python::name::normalize(&p.name));
                    }
                }
                "extra-index-unscoped" => {
                    if let Some(l) = &f.location {
                        out.unscoped_index_spans.push(l.span.clone());
                    }
                }
                _ => {}
            }
        }
        if let Some(lock) = &project.lock {
            for p in &lock.packages {
                if let cordon_python::lock::PackageSource::Registry(url) = &p.source
                    && !out.registries_in_use.contains(url)
                {
                    out.registries_in_use.push(url.clone());
                }
            }
        }
        out
    }
}

fn same_url(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// The settings a configuration file (or its absence) lacks.
pub fn wanted_settings(
    file: Option<&ConfigFile>,
    policy: &Policy,
    uv_version: &Version,
) -> Vec<Setting> {
    let opts = file.map(|f| &f.options);
    let mut out = Vec::new();
    let span = policy.min_cooldown.human();
    let cooldown_ok = opts
        .and_then(|o| o.exclude_newer.as_ref())
        .is_some_and(|v| match &v.value {
            ExcludeNewer::Disabled => false,
            ExcludeNewer::Span(s) => !s.is_zero() && s.seconds >= policy.min_cooldown.seconds,
            ExcludeNewer::Timestamp(_) => true,
        });
    if !cooldown_ok {
        out.push(Setting {
            key: "exclude-newer",
            value: span.clone(),
            why: format!("a cooldown of {span} on new releases"),
        });
    }
    if opts
        .and_then(|o| o.add_bounds.as_ref())
        .is_none_or(|v| v.value != "exact")
    {
        out.push(Setting {
            key: "add-bounds",
            value: "exact".to_owned(),
            why: "`uv add` writes exact pins".to_owned(),
        });
    }
    let pinned = opts
        .and_then(|o| o.required_version.as_ref())
        .is_some_and(|v| {
            VersionSpecifiers::from_str(&v.value).is_ok_and(|s| !admits_older_than(&s, MIN_UV))
        });
    if !pinned {
        let value = required_version_for(uv_version);
        out.push(Setting {
            key: "required-version",
            why: format!("uv older than {MIN_UV} ignores the cooldown"),
            value,
        });
    }
    out
}

/// What to change in a uv table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Edits {
    /// Keys to set to string values (replaced in place when present, added otherwise).
    pub set: Vec<Setting>,
    /// Keys to remove (each must be alone on its line).
    pub remove: Vec<&'static str>,
    /// Packages whose `exclude-newer-package` entry is removed.
    pub drop_exemptions: Vec<String>,
    /// Names of `[[tool.uv.index]]` entries to mark `explicit = true`.
    pub explicit_indexes: Vec<String>,
}

impl Edits {
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
            && self.remove.is_empty()
            && self.drop_exemptions.is_empty()
            && self.explicit_indexes.is_empty()
    }
}

/// Applies `edits` to the uv table of `target`, whose current text is `text` (`None`: the file
/// does not exist). `None` when nothing changes. Each kind of edit is one pass over the text as
/// the previous pass left it, so edits never overlap.
pub fn edit_settings(
    target: &Target,
    text: Option<&str>,
    edits: &Edits,
) -> Result<Option<Change>, InitError> {
    if edits.is_empty() {
        return Ok(None);
    }
    let original = text.unwrap_or("");
    let nl = newline_of(original);
    let mut what = Vec::new();
    let mut current = original.to_owned();
    for key in &edits.remove {
        current = remove_key(target, &current, key, &mut what)?;
    }
    if !edits.drop_exemptions.is_empty() {
        current = drop_exemptions(target, &current, &edits.drop_exemptions, &mut what)?;
    }
    for name in &edits.explicit_indexes {
        current = make_explicit(target, &current, name, &mut what)?;
    }
    if !edits.set.is_empty() {
        current = set_keys(target, &current, &edits.set, &mut what)?;
    }
    if matches!(target, Target::Global(_)) && !current.contains(GLOBAL_NOTE_FIRST_LINE) {
        current = format!("{}{nl}{current}", GLOBAL_NOTE.replace('\n', nl));
    }
    verify_settings(target, &current, edits)?;
    if text == Some(current.as_str()) {
        return Ok(None);
    }
    Ok(Some(Change {
        path: target.path().to_path_buf(),
        before: text.map(ToOwned::to_owned),
        after: current,
        what,
    }))
}

fn parse(target: &Target, text: &str) -> Result<Document<String>, InitError> {
    Document::parse(text.to_owned())
        .map_err(|e| ParseError::toml(&Source::from_string(target.path(), text), &e).into())
}

fn uv_path(target: &Target) -> &'static [&'static str] {
    if target.is_pyproject() {
        &["tool", "uv"]
    } else {
        &[]
    }
}

fn set_keys(
    target: &Target,
    text: &str,
    settings: &[Setting],
    what: &mut Vec<String>,
) -> Result<String, InitError> {
    let doc = parse(target, text)?;
    let nl = newline_of(text);
    let uv = lookup(doc.as_table(), uv_path(target));
    let mut splices = Vec::new();
    let mut to_add: Vec<&Setting> = Vec::new();
    for s in settings {
        match uv
            .as_ref()
            .and_then(|u| u.table.get(s.key))
            .and_then(Item::span)
        {
            Some(span) => {
                let literal = string_like(&text[span.clone()], &s.value);
                what.push(format!(
                    "set `{} = {literal}` in {}: {}",
                    s.key,
                    target.table_name(),
                    s.why
                ));
                splices.push(Splice {
                    range: span,
                    text: literal,
                });
            }
            None => to_add.push(s),
        }
    }
    if !to_add.is_empty() {
        let lines: Vec<String> = to_add
            .iter()
            .map(|s| format!("{} = {}", s.key, basic_string(&s.value)))
            .collect();
        splices.push(insertion(target, text, &doc, uv.as_ref(), &lines, nl)?);
        for s in &to_add {
            what.push(format!(
                "set `{} = {}` in {}: {}",
                s.key,
                basic_string(&s.value),
                target.table_name(),
                s.why
            ));
        }
    }
    Ok(apply_splices(text, &splices))
}

fn remove_key(
    target: &Target,
    text: &str,
    key: &str,
    what: &mut Vec<String>,
) -> Result<String, InitError> {
    let doc = parse(target, text)?;
    let Some(uv) = lookup(doc.as_table(), uv_path(target)) else {
        return Ok(text.to_owned());
    };
    let Some((k, item)) = uv.table.get_key_value(key) else {
        return Ok(text.to_owned());
    };
    let (Some(ks), Some(vs)) = (k.span(), item.span()) else {
        return Ok(text.to_owned());
    };
    let range = whole_line(text, ks.start..vs.end).ok_or_else(|| {
        ParseError::new(
            target.path(),
            Some(ks.clone()),
            format!("cordon cannot remove `{key}` safely: it shares its line with other entries"),
        )
        .with_help(format!("remove `{key}` by hand"))
    })?;
    what.push(format!(
        "remove `{}` from {}: it lets any index answer for any package",
        text[ks.start..vs.end].trim(),
        target.table_name()
    ));
    Ok(apply_splices(
        text,
        &[Splice {
            range,
            text: String::new(),
        }],
    ))
}

/// Removes the `exclude-newer-package` entries of `names` (normalized package names).
fn drop_exemptions(
    target: &Target,
    text: &str,
    names: &[String],
    what: &mut Vec<String>,
) -> Result<String, InitError> {
    let doc = parse(target, text)?;
    let Some(uv) = lookup(doc.as_table(), uv_path(target)) else {
        return Ok(text.to_owned());
    };
    let Some((key, item)) = uv.table.get_key_value("exclude-newer-package") else {
        return Ok(text.to_owned());
    };
    let Some(table) = item.as_table_like() else {
        return Ok(text.to_owned());
    };
    let flagged = |k: &str| names.contains(&cordon_python::name::normalize(k));
    let entries: Vec<(String, Range<usize>)> = table
        .iter()
        .filter_map(|(k, _)| {
            let (key, v) = table.get_key_value(k)?;
            let start = key.span()?.start;
            let end = v.span()?.end;
            Some((k.to_owned(), start..end))
        })
        .collect();
    let removed: Vec<&(String, Range<usize>)> =
        entries.iter().filter(|(k, _)| flagged(k)).collect();
    if removed.is_empty() {
        return Ok(text.to_owned());
    }
    for (k, r) in &removed {
        what.push(format!(
            "remove the cooldown exemption `{}` for `{k}` from {}: it lets a release younger than the cooldown in",
            text[r.clone()].trim(),
            target.table_name()
        ));
    }
    let cannot = |span: Option<Range<usize>>| -> InitError {
        ParseError::new(
            target.path(),
            span,
            "cordon cannot remove this cooldown exemption safely: it shares its line with other entries",
        )
        .with_help("remove the entry by hand, or keep it and record why with a cordon ignore")
        .into()
    };
    let splices: Vec<Splice> = match item {
        Item::Value(Value::InlineTable(_)) => {
            let whole = key.span().zip(item.span()).map(|(k, v)| k.start..v.end);
            if removed.len() == entries.len() {
                let range = whole
                    .clone()
                    .and_then(|w| whole_line(text, w))
                    .ok_or_else(|| cannot(whole.clone()))?;
                vec![Splice {
                    range,
                    text: String::new(),
                }]
            } else {
                let kept: Vec<&str> = entries
                    .iter()
                    .filter(|(k, _)| !flagged(k))
                    .map(|(_, r)| text[r.clone()].trim())
                    .collect();
                let span = item.span().ok_or_else(|| cannot(None))?;
                vec![Splice {
                    range: span,
                    text: format!("{{ {} }}", kept.join(", ")),
                }]
            }
        }
        _ => removed
            .iter()
            .map(|(_, r)| {
                whole_line(text, r.clone())
                    .map(|range| Splice {
                        range,
                        text: String::new(),
                    })
                    .ok_or_else(|| cannot(Some(r.clone())))
            })
            .collect::<Result<_, _>>()?,
    };
    Ok(apply_splices(text, &splices))
}

/// Adds `explicit = true` to the `[[tool.uv.index]]` entry named `name`.
fn make_explicit(
    target: &Target,
    text: &str,
    name: &str,
    what: &mut Vec<String>,
) -> Result<String, InitError> {
    let doc = parse(target, text)?;
    let Some(uv) = lookup(doc.as_table(), uv_path(target)) else {
        return Ok(text.to_owned());
    };
    let Some(Item::ArrayOfTables(indexes)) = uv.table.get("index") else {
        return Ok(text.to_owned());
    };
    let Some(entry) = indexes
        .iter()
        .find(|t| t.get("name").and_then(Item::as_str) == Some(name))
    else {
        return Ok(text.to_owned());
    };
    if entry.get("explicit").is_some() {
        let span = entry.get("explicit").and_then(Item::span);
        let range = span
            .clone()
            .ok_or_else(|| InitError::stop("internal error: `explicit` without a span"))?;
        what.push(format!(
            "set `explicit = true` on index `{name}`: it is consulted only for the packages mapped to it in [tool.uv.sources]"
        ));
        return Ok(apply_splices(
            text,
            &[Splice {
                range,
                text: "true".to_owned(),
            }],
        ));
    }
    let end = last_leaf_end(entry)
        .or_else(|| entry.span().map(|s| s.end))
        .ok_or_else(|| InitError::stop("internal error: index entry without a span"))?;
    what.push(format!(
        "set `explicit = true` on index `{name}`: it is consulted only for the packages mapped to it in [tool.uv.sources]"
    ));
    Ok(apply_splices(
        text,
        &[after_line(
            text,
            end,
            &["explicit = true".to_owned()],
            newline_of(text),
            "",
        )],
    ))
}

/// The comment `cordon init --global` puts at the top of the user's `uv.toml`.
pub const GLOBAL_NOTE: &str = "# Release cooldown and exact pins for every uv project on this machine (cordon init --global).\n# A project's own [tool.uv] or uv.toml still wins for any setting it sets.";

const GLOBAL_NOTE_FIRST_LINE: &str = "(cordon init --global)";

/// Parses the result again and checks each edit reads back as intended.
fn verify_settings(target: &Target, after: &str, edits: &Edits) -> Result<(), InitError> {
    let internal = |why: String| {
        InitError::stop(format!(
            "internal error: the edit of `{}` would not {why}; nothing was written",
            target.path().display()
        ))
    };
    let doc = Document::parse(after.to_owned()).map_err(|e| internal(format!("parse ({e})")))?;
    let Some(table) = lookup(doc.as_table(), uv_path(target)) else {
        return Err(internal("have a uv table".into()));
    };
    for s in &edits.set {
        if table.table.get(s.key).and_then(Item::as_str) != Some(s.value.as_str()) {
            return Err(internal(format!("set `{}`", s.key)));
        }
    }
    for key in &edits.remove {
        if table.table.contains_key(key) {
            return Err(internal(format!("remove `{key}`")));
        }
    }
    if let Some(t) = table
        .table
        .get("exclude-newer-package")
        .and_then(Item::as_table_like)
        && t.iter().any(|(k, _)| {
            edits
                .drop_exemptions
                .contains(&cordon_python::name::normalize(k))
        })
    {
        return Err(internal("remove the cooldown exemptions".into()));
    }
    Ok(())
}

/// The uv table as written: how it is spelled decides where new keys go.
struct UvTable<'a> {
    table: &'a dyn TableLike,
    form: Form,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// The document root (`uv.toml`).
    Root,
    /// A `[tool.uv]` header.
    Header,
    /// Only implied by `[tool.uv.sources]`-style sub-headers: no header of its own.
    Implicit,
    /// `tool.uv.key = ...` at the root (prefix `tool.uv.`) or `uv.key = ...` under `[tool]`.
    Dotted { under_tool_header: bool },
    /// `uv = { ... }`.
    Inline,
}

fn lookup<'a>(root: &'a Table, path: &[&str]) -> Option<UvTable<'a>> {
    if path.is_empty() {
        return Some(UvTable {
            table: root,
            form: Form::Root,
        });
    }
    let tool = root.get("tool")?;
    let tool_is_header = matches!(tool, Item::Table(t) if !t.is_dotted());
    let uv = tool.as_table_like()?.get("uv")?;
    let form = match uv {
        Item::Table(t) if t.is_dotted() => Form::Dotted {
            under_tool_header: tool_is_header,
        },
        Item::Table(t) if t.is_implicit() => Form::Implicit,
        Item::Table(_) => Form::Header,
        Item::Value(Value::InlineTable(_)) => Form::Inline,
        _ => return None,
    };
    Some(UvTable {
        table: uv.as_table_like()?,
        form,
    })
}

/// Where and how to add key lines to the uv table.
fn insertion(
    target: &Target,
    text: &str,
    doc: &Document<String>,
    uv: Option<&UvTable<'_>>,
    lines: &[String],
    nl: &str,
) -> Result<Splice, InitError> {
    let append_table = |header: &str| {
        let mut s = String::new();
        if !text.is_empty() && !text.ends_with('\n') {
            s.push_str(nl);
        }
        if !text.trim().is_empty() {
            s.push_str(nl);
        }
        if !header.is_empty() {
            s.push_str(header);
            s.push_str(nl);
        }
        for l in lines {
            s.push_str(l);
            s.push_str(nl);
        }
        Splice {
            range: text.len()..text.len(),
            text: s,
        }
    };
    let Some(uv) = uv else {
        if !target.is_pyproject() {
            // An empty document root.
            return Ok(append_table(""));
        }
        if let Some(tool) = doc.as_table().get("tool")
            && !matches!(tool, Item::Table(_))
        {
            return Err(ParseError::new(
                target.path(),
                tool.span(),
                "cordon cannot add `[tool.uv]` next to an inline `tool = { ... }` table",
            )
            .with_help("write `tool` as `[tool.*]` tables, or add the settings by hand")
            .into());
        }
        return Ok(append_table("[tool.uv]"));
    };
    let leaf_end = last_leaf_end(uv.table);
    match uv.form {
        Form::Root => {
            if let Some(end) = leaf_end {
                Ok(after_line(text, end, lines, nl, ""))
            } else {
                // Keys must precede the first table header: put them at the top of the file,
                // after any leading comment lines.
                let first_header = doc
                    .as_table()
                    .iter()
                    .filter_map(|(_, i)| match i {
                        Item::Table(t) if !t.is_dotted() => t.span().map(|s| s.start),
                        Item::ArrayOfTables(a) => {
                            a.iter().filter_map(Table::span).map(|s| s.start).min()
                        }
                        _ => None,
                    })
                    .min();
                match first_header {
                    Some(at) => {
                        let at = text[..at].rfind('\n').map_or(0, |i| i + 1);
                        let mut s = String::new();
                        for l in lines {
                            s.push_str(l);
                            s.push_str(nl);
                        }
                        s.push_str(nl);
                        Ok(Splice {
                            range: at..at,
                            text: s,
                        })
                    }
                    None => Ok(append_table("")),
                }
            }
        }
        Form::Header => {
            let end = leaf_end.or_else(|| header_span(doc).map(|s| s.end));
            match end {
                Some(end) => Ok(after_line(text, end, lines, nl, "")),
                None => Ok(append_table("[tool.uv]")),
            }
        }
        Form::Implicit => Ok(append_table("[tool.uv]")),
        Form::Dotted { under_tool_header } => {
            let prefix = if under_tool_header { "uv." } else { "tool.uv." };
            match leaf_end {
                Some(end) => Ok(after_line(text, end, lines, nl, prefix)),
                None => Ok(append_table("[tool.uv]")),
            }
        }
        Form::Inline => {
            let item = doc
                .as_table()
                .get("tool")
                .and_then(Item::as_table_like)
                .and_then(|t| t.get("uv"));
            let span = item.and_then(Item::span).ok_or_else(|| {
                InitError::stop("internal error: inline `uv` table without a span")
            })?;
            let body = lines.join(", ");
            match leaf_end {
                Some(end) => Ok(Splice {
                    range: end..end,
                    text: format!(", {body}"),
                }),
                None => Ok(Splice {
                    range: span.start..span.end,
                    text: format!("{{ {body} }}"),
                }),
            }
        }
    }
}

/// The span of the `[tool.uv]` header itself.
fn header_span(doc: &Document<String>) -> Option<Range<usize>> {
    match doc.as_table().get("tool")?.as_table_like()?.get("uv")? {
        Item::Table(t) => t.span(),
        _ => None,
    }
}

/// The end of the last value written directly in a table (dotted keys included, sub-tables with
/// their own header excluded).
fn last_leaf_end(table: &dyn TableLike) -> Option<usize> {
    let mut end: Option<usize> = None;
    for (_, item) in table.iter() {
        let e = match item {
            Item::Value(v) => v.span().map(|s| s.end),
            Item::Table(t) if t.is_dotted() => last_leaf_end(t),
            _ => None,
        };
        end = end.max(e);
    }
    end
}

/// Inserts `lines` (each prefixed) on new lines after the line containing byte `end`.
fn after_line(text: &str, end: usize, lines: &[String], nl: &str, prefix: &str) -> Splice {
    let eol = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let at = if eol > 0
        && eol <= text.len()
        && text.as_bytes().get(eol.wrapping_sub(1)) == Some(&b'\r')
        && eol < text.len()
    {
        eol - 1
    } else {
        eol
    };
    let mut s = String::new();
    for l in lines {
        s.push_str(nl);
        s.push_str(prefix);
        s.push_str(l);
    }
    Splice {
        range: at..at,
        text: s,
    }
}

/// The whole line(s) covering `span`, with their line ending, when nothing but the span,
/// whitespace and a comment is on them.
fn whole_line(text: &str, span: Range<usize>) -> Option<Range<usize>> {
    let start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    if !text[start..span.start].trim().is_empty() {
        return None;
    }
    let end = text[span.end..]
        .find('\n')
        .map_or(text.len(), |i| span.end + i + 1);
    let rest = text[span.end..end].trim();
    if !(rest.is_empty() || rest.starts_with('#')) {
        return None;
    }
    Some(start..end)
}

/// A dependency pinned (or left alone) by [`plan_pins`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinNote {
    pub name: String,
    pub message: String,
}

/// Pins every registry dependency of every manifest to `==` the version `lock` holds for it.
/// Returns the changes (one per manifest that changes) and notes for dependencies that could not
/// be pinned (not in the lock, or locked at several versions).
pub fn plan_pins(project: &Project, lock: &Lock) -> (Vec<Change>, Vec<PinNote>) {
    let manifests: Vec<&PyProject> = project.manifests().collect();
    pins_for(
        &manifests,
        project.pyproject.as_ref(),
        &project.member_names(),
        lock,
    )
}

/// [`plan_pins`] over explicit manifests (`root` holds the workspace-wide sources).
pub fn pins_for(
    manifests: &[&PyProject],
    root_sources: Option<&PyProject>,
    members: &[String],
    lock: &Lock,
) -> (Vec<Change>, Vec<PinNote>) {
    let mut changes = Vec::new();
    let mut notes = Vec::new();
    for manifest in manifests {
        let text = &*manifest.source.text;
        let mut splices = Vec::new();
        let mut what = Vec::new();
        for req in &manifest.requirements {
            let Some(name) = req.name() else { continue };
            if members.contains(&name)
                || req.url().is_some()
                || manifest.has_non_registry_source(root_sources, &name)
            {
                continue;
            }
            if req.specifiers().and_then(exact_version).is_some() {
                continue;
            }
            let versions: Vec<&str> = lock
                .packages
                .iter()
                .filter(|p| p.name == name)
                .filter_map(|p| p.version.as_deref())
                .collect();
            let version = match versions.as_slice() {
                [v] => *v,
                [] => {
                    notes.push(PinNote {
                        name: name.clone(),
                        message: format!("`{name}` is not in uv.lock; left as `{}`", req.raw),
                    });
                    continue;
                }
                many => {
                    notes.push(PinNote {
                        name: name.clone(),
                        message: format!(
                            "`{name}` is locked at several versions ({}) for different environments; left as `{}`",
                            many.join(", "),
                            req.raw
                        ),
                    });
                    continue;
                }
            };
            let Some(pinned) = pin_requirement(&req.raw, version) else {
                continue;
            };
            let literal = string_like(&text[req.span.clone()], &pinned);
            what.push(format!(
                "pin `{}` → `{pinned}` ({})",
                req.raw,
                req.declared_in.describe()
            ));
            splices.push(Splice {
                range: req.span.clone(),
                text: literal,
            });
        }
        if !splices.is_empty() {
            changes.push(Change {
                path: manifest.source.path.clone(),
                before: Some(text.to_owned()),
                after: apply_splices(text, &splices),
                what,
            });
        }
    }
    (changes, notes)
}

/// `raw` (a PEP 508 requirement without a URL) with its version specifiers replaced by
/// `==version`, keeping the name and extras as written and the marker verbatim.
pub fn pin_requirement(raw: &str, version: &str) -> Option<String> {
    let (head, marker) = match raw.find(';') {
        Some(i) => (&raw[..i], Some(&raw[i..])),
        None => (raw, None),
    };
    let name_end = head
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(head.len());
    let name = head[..name_end].trim();
    if name.is_empty() {
        return None;
    }
    let rest = head[name_end..].trim_start();
    let extras = if rest.starts_with('[') {
        let close = rest.find(']')?;
        &rest[..=close]
    } else {
        ""
    };
    let mut out = format!("{name}{extras}=={version}");
    if let Some(m) = marker {
        out.push(' ');
        out.push_str(m.trim_end());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::from_str(s).unwrap()
    }

    fn set(settings: Vec<Setting>) -> Edits {
        Edits {
            set: settings,
            ..Edits::default()
        }
    }

    fn settings() -> Vec<Setting> {
        vec![
            Setting {
                key: "exclude-newer",
                value: "7 days".into(),
                why: "w".into(),
            },
            Setting {
                key: "add-bounds",
                value: "exact".into(),
                why: "w".into(),
            },
        ]
    }

    fn edit(text: &str) -> String {
        edit_settings(
            &Target::Pyproject("pyproject.toml".into()),
            Some(text),
            &set(settings()),
        )
        .unwrap()
        .unwrap()
        .after
    }

    #[test]
    fn required_version_floor() {
        assert_eq!(required_version_for(&v("0.13.9")), ">=0.13.9");
        assert_eq!(required_version_for(&v("0.9.1")), ">=0.9.17");
    }

    #[test]
    fn pins_keep_name_extras_and_marker() {
        assert_eq!(
            pin_requirement("Flask>=3", "3.1.0").unwrap(),
            "Flask==3.1.0"
        );
        assert_eq!(
            pin_requirement("requests[socks] >=2,<3 ; python_version < '3.12'", "2.32.3").unwrap(),
            "requests[socks]==2.32.3 ; python_version < '3.12'"
        );
        assert_eq!(pin_requirement("six", "1.17.0").unwrap(), "six==1.17.0");
    }

    #[test]
    fn adds_to_an_existing_header_table_keeping_everything_else() {
        let text = "[project]\r\nname = 'x' # c\r\n\r\n[tool.uv]\r\n# note\r\npackage = false # keep\r\n\r\n# about sources\r\n[tool.uv.sources]\r\nfoo = { path = 'x' }\r\n";
        let after = edit(text);
        assert_eq!(
            after,
            "[project]\r\nname = 'x' # c\r\n\r\n[tool.uv]\r\n# note\r\npackage = false # keep\r\nexclude-newer = \"7 days\"\r\nadd-bounds = \"exact\"\r\n\r\n# about sources\r\n[tool.uv.sources]\r\nfoo = { path = 'x' }\r\n"
        );
    }

    #[test]
    fn replaces_values_in_their_quoting_style() {
        let text = "[tool.uv]\nexclude-newer = '1 day'   # too short\nadd-bounds = \"lower\"\n";
        assert_eq!(
            edit(text),
            "[tool.uv]\nexclude-newer = '7 days'   # too short\nadd-bounds = \"exact\"\n"
        );
    }

    #[test]
    fn dotted_keys_stay_dotted() {
        assert_eq!(
            edit("tool.uv.package = false\n[project]\nname = \"x\"\n"),
            "tool.uv.package = false\ntool.uv.exclude-newer = \"7 days\"\ntool.uv.add-bounds = \"exact\"\n[project]\nname = \"x\"\n"
        );
        assert_eq!(
            edit("[tool]\nuv.package = false\nruff.line-length = 1\n"),
            "[tool]\nuv.package = false\nuv.exclude-newer = \"7 days\"\nuv.add-bounds = \"exact\"\nruff.line-length = 1\n"
        );
    }

    #[test]
    fn inline_tables_grow_in_place() {
        assert_eq!(
            edit("[tool]\nuv = { package = false }  # inline\n"),
            "[tool]\nuv = { package = false, exclude-newer = \"7 days\", add-bounds = \"exact\" }  # inline\n"
        );
        assert_eq!(
            edit("[tool]\nuv = {}\n"),
            "[tool]\nuv = { exclude-newer = \"7 days\", add-bounds = \"exact\" }\n"
        );
    }

    #[test]
    fn a_missing_table_is_appended() {
        assert_eq!(
            edit("[project]\nname = \"x\"\n# trailing"),
            "[project]\nname = \"x\"\n# trailing\n\n[tool.uv]\nexclude-newer = \"7 days\"\nadd-bounds = \"exact\"\n"
        );
        assert_eq!(
            edit("[tool.uv.sources]\nfoo = { path = \"x\" }\n"),
            "[tool.uv.sources]\nfoo = { path = \"x\" }\n\n[tool.uv]\nexclude-newer = \"7 days\"\nadd-bounds = \"exact\"\n"
        );
    }

    #[test]
    fn an_inline_tool_table_is_refused() {
        let err = edit_settings(
            &Target::Pyproject("pyproject.toml".into()),
            Some("tool = { black = {} }\n"),
            &set(settings()),
        )
        .unwrap_err();
        assert!(err.to_string().contains("inline"), "{err}");
    }

    #[test]
    fn uv_toml_keys_go_before_the_first_table() {
        let target = Target::UvToml("uv.toml".into());
        let text = "# config\n[[index]]\nurl = \"https://example.com/simple\"\n";
        let after = edit_settings(&target, Some(text), &set(settings()))
            .unwrap()
            .unwrap()
            .after;
        assert_eq!(
            after,
            "# config\nexclude-newer = \"7 days\"\nadd-bounds = \"exact\"\n\n[[index]]\nurl = \"https://example.com/simple\"\n"
        );
        let after = edit_settings(&target, Some("native-tls = true\n"), &set(settings()))
            .unwrap()
            .unwrap()
            .after;
        assert_eq!(
            after,
            "native-tls = true\nexclude-newer = \"7 days\"\nadd-bounds = \"exact\"\n"
        );
    }

    #[test]
    fn global_file_gets_the_precedence_note_once() {
        let target = Target::Global("uv.toml".into());
        let first = edit_settings(&target, None, &set(settings()))
            .unwrap()
            .unwrap();
        assert!(first.before.is_none());
        assert!(first.after.starts_with(GLOBAL_NOTE), "{}", first.after);
        assert!(first.after.contains("exclude-newer = \"7 days\"\n"));
        // Setting what is already there changes nothing.
        assert!(
            edit_settings(&target, Some(&first.after), &set(settings()))
                .unwrap()
                .is_none()
        );
        let mut longer = settings();
        longer[0].value = "14 days".into();
        let again = edit_settings(&target, Some(&first.after), &set(longer))
            .unwrap()
            .unwrap();
        assert_eq!(again.after.matches("cordon init --global").count(), 1);
        assert!(again.after.contains("exclude-newer = \"14 days\""));
    }

    #[test]
    fn removes_a_key_on_its_own_line() {
        let text = "[tool.uv]\nindex-strategy = \"unsafe-best-match\"  # why\nfoo = 1\n";
        let after = edit_settings(
            &Target::Pyproject("pyproject.toml".into()),
            Some(text),
            &Edits {
                remove: vec!["index-strategy"],
                ..Edits::default()
            },
        )
        .unwrap()
        .unwrap()
        .after;
        assert_eq!(after, "[tool.uv]\nfoo = 1\n");
    }

    fn pyproject_edit(text: &str, edits: &Edits) -> String {
        edit_settings(
            &Target::Pyproject("pyproject.toml".into()),
            Some(text),
            edits,
        )
        .unwrap()
        .unwrap()
        .after
    }

    #[test]
    fn removes_flagged_cooldown_exemptions() {
        let drop = |names: &[&str]| Edits {
            drop_exemptions: names.iter().map(|n| (*n).to_owned()).collect(),
            ..Edits::default()
        };
        // The only entry: the whole line goes.
        assert_eq!(
            pyproject_edit(
                "[tool.uv]\nexclude-newer = \"7 days\"\nexclude-newer-package = { Requests = false }  # hotfix\nx = 1\n",
                &drop(&["requests"])
            ),
            "[tool.uv]\nexclude-newer = \"7 days\"\nx = 1\n"
        );
        // One of two: the inline table keeps the other.
        assert_eq!(
            pyproject_edit(
                "[tool.uv]\nexclude-newer-package = { a = false, b = \"30 days\" }\n",
                &drop(&["a"])
            ),
            "[tool.uv]\nexclude-newer-package = { b = \"30 days\" }\n"
        );
        // A table of its own: the entry's line goes.
        assert_eq!(
            pyproject_edit(
                "[tool.uv.exclude-newer-package]\na = false\nb = \"30 days\"\n",
                &drop(&["a"])
            ),
            "[tool.uv.exclude-newer-package]\nb = \"30 days\"\n"
        );
    }

    #[test]
    fn marks_an_index_explicit() {
        let edits = Edits {
            explicit_indexes: vec!["internal".into()],
            ..Edits::default()
        };
        assert_eq!(
            pyproject_edit(
                "[[tool.uv.index]]\nname = \"internal\"\nurl = \"https://example.com/simple\"  # ours\n\n[[tool.uv.index]]\nname = \"other\"\nurl = \"https://example.com/o\"\n",
                &edits
            ),
            "[[tool.uv.index]]\nname = \"internal\"\nurl = \"https://example.com/simple\"  # ours\nexplicit = true\n\n[[tool.uv.index]]\nname = \"other\"\nurl = \"https://example.com/o\"\n"
        );
        assert_eq!(
            pyproject_edit(
                "[[tool.uv.index]]\nname = \"internal\"\nexplicit = false\nurl = \"https://example.com/simple\"\n",
                &edits
            ),
            "[[tool.uv.index]]\nname = \"internal\"\nexplicit = true\nurl = \"https://example.com/simple\"\n"
        );
    }
}
