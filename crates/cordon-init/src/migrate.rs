//! `cordon init --migrate`: a project kept in pip requirements files becomes a uv project.
//!
//! [`plan`] reads the requirements files at the project root (and in `requirements/`), follows
//! their `-r`/`-c` includes, and plans one `pyproject.toml` holding all of it: the main file's
//! requirements as `[project] dependencies`, every other file as a PEP 735 dependency group,
//! constraints as `[tool.uv] constraint-dependencies`, `--index-url` as the default index and
//! local paths as `[tool.uv.sources]`. Anything it cannot carry over faithfully (an extra
//! index, `--find-links`, a path that does not exist, credentials in a URL, ...) is an error
//! before anything is written.
//!
//! The requirements files themselves are not deleted: once `uv lock` has run, the caller
//! rewrites each one as an export of the lock ([`export_args`], topped by [`export_header`]),
//! so whatever installs them keeps working, now with hashes from the lock.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::str::FromStr;

use cordon_python::name::{is_valid, normalize};
use cordon_python::pyproject::PyProject;
use cordon_python::requirement::{DeclaredIn, DeclaredRequirement};
use cordon_python::requirements_txt::{
    DirectRequirement, Generator, GlobalOption, IncludeKind, IncludeLocation, LineKind,
    NamedRequirement, ReqLine, RequirementsSet,
};
use cordon_python::{ParseError, Source};
use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, Value};

use crate::change::{Change, InitError};
use crate::toml_edits::basic_string;

/// A requirements file to regenerate from the lock once it exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// The file to overwrite (the root joined with its relative path).
    pub path: PathBuf,
    /// `None`: the project's main dependencies; `Some(g)`: dependency group `g`.
    pub group: Option<String>,
    /// For a group: the file also installed the main dependencies (it included the main file
    /// with `-r`), so its export lists them too (`--group g` rather than `--only-group g`).
    pub with_main: bool,
    /// The file's text now.
    pub before: String,
}

/// What `cordon init --migrate` would do.
#[derive(Debug, Clone)]
pub struct Migration {
    /// The new or edited `pyproject.toml`.
    pub pyproject: Change,
    /// Requirements files to rewrite as a hashed export of the lock once it exists (done by the
    /// caller with `uv export`, see [`export_args`] and [`export_header`]).
    pub exports: Vec<Export>,
    /// Lines for the user: what was carried over, what was dropped, what to clean up.
    pub notes: Vec<String>,
}

/// The file names (stems) in `requirements/` that hold the main dependencies, by priority.
const MAIN_IN_DIR: &[&str] = &["base", "main", "requirements", "prod", "production"];

/// The directory, beside the root, whose files are all requirements files.
const REQUIREMENTS_DIR: &str = "requirements";

/// Plans the migration of the requirements files in `root`. Validates everything before
/// returning: any problem is an error, and nothing has been written by anyone.
pub fn plan(root: &Path) -> Result<Migration, InitError> {
    let abs_root = absolute(root);
    let candidates = discover(root)?;
    if candidates.iter().all(|c| c.role == Role::Constraints) {
        return Err(InitError::stop_with_help(
            "there are no requirements files to migrate (`requirements.txt`, `requirements-<group>.txt`, `requirements/*.txt`)",
            "`cordon init --migrate` moves requirements files into `pyproject.toml`; to start a uv project from nothing, run `cordon init`",
        ));
    }
    let pyproject_path = root.join("pyproject.toml");
    let existing = read_existing(&pyproject_path)?;
    refuse_setup_files(root)?;

    let mut paths: Vec<PathBuf> = Vec::new();
    for c in &candidates {
        paths.push(c.source.clone());
        paths.extend(c.compiled.clone());
    }
    let set = RequirementsSet::load(&paths)?;
    first_problem(&set)?;

    let mut walker = Walker::new(&set, &abs_root, &candidates)?;
    let outcome = walker.run(&candidates)?;
    let Walker {
        mut notes, index, ..
    } = walker;

    // The project's name: the directory's, unless a dependency has it.
    let dir_name = abs_root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut name = project_name(&dir_name);
    let taken: HashSet<&str> = outcome
        .main
        .iter()
        .chain(outcome.groups.iter().flat_map(|g| g.deps.iter()))
        .map(|d| d.name.as_str())
        .collect();
    let named_already = existing.as_ref().is_some_and(|(_, p)| p.name.is_some());
    if !named_already && taken.contains(name.as_str()) {
        let renamed = format!("{name}-project");
        notes.push(format!(
            "named the project `{renamed}`: `{name}` is the name of one of its dependencies, which uv refuses"
        ));
        name = renamed;
    }
    let requires_python = if existing
        .as_ref()
        .is_some_and(|(_, p)| p.requires_python.is_some())
    {
        None
    } else {
        python_version(root, &mut notes)?
    };

    let spec = Spec {
        name,
        requires_python,
        main: outcome.main.iter().map(|d| d.text.clone()).collect(),
        groups: outcome
            .groups
            .iter()
            .map(|g| {
                let mut items: Vec<GroupItem> = g
                    .include_groups
                    .iter()
                    .map(|h| GroupItem::Include(h.clone()))
                    .collect();
                items.extend(
                    g.deps
                        .iter()
                        .map(|d| GroupItem::Requirement(d.text.clone())),
                );
                (g.name.clone(), items)
            })
            .collect(),
        constraints: outcome.constraints.iter().map(|d| d.text.clone()).collect(),
        index: index.as_ref().map(|i| i.url.clone()),
        sources: outcome.sources.clone(),
    };
    let (after, what) = render_pyproject(existing.as_ref(), &spec)?;
    check_rendered(&pyproject_path, &after, &spec)?;
    let mut change = Change::new(&pyproject_path, existing.map(|(text, _)| text), after);
    change.what = what;

    notes.extend(outcome.notes);
    Ok(Migration {
        pyproject: change,
        exports: outcome.exports,
        notes,
    })
}

/// The header put on top of an exported requirements file: it says the file is generated and
/// how to regenerate it, and ends with uv's own two header lines (the regenerating command), so
/// `cordon check` and people recognise it as an export of the lock. Running that command
/// rewrites the file with uv's header alone, which says the same.
pub fn export_header(export: &Export, root: &Path) -> String {
    let command = std::iter::once("uv".to_owned())
        .chain(regenerate_args(export, root))
        .map(|a| shell_quote(&a))
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "# Generated by `cordon init --migrate` from uv.lock — do not edit.\n\
         # Change dependencies in pyproject.toml, run `uv lock`, then regenerate with the command below.\n\
         # This file was autogenerated by uv via the following command:\n\
         #    {command}\n"
    )
}

/// The uv arguments (after the program name) that write this file's export without uv's
/// header, for the caller to put [`export_header`] on top. Run them in `root`.
pub fn export_args(export: &Export, root: &Path) -> Vec<String> {
    let mut args = regenerate_args(export, root);
    let at = args.len() - 2;
    args.insert(at, "--no-header".to_owned());
    args
}

/// The arguments of the command that regenerates the file, uv's header included.
fn regenerate_args(export: &Export, root: &Path) -> Vec<String> {
    let mut args: Vec<String> = [
        "export",
        "--locked",
        "--format",
        "requirements-txt",
        "--no-emit-project",
    ]
    .map(str::to_owned)
    .to_vec();
    match &export.group {
        // `--no-default-groups` rather than `--no-dev`: no group enters the main file even if
        // `tool.uv.default-groups` later names more than `dev`.
        None => args.push("--no-default-groups".to_owned()),
        Some(g) if export.with_main => {
            args.extend([
                "--no-default-groups".to_owned(),
                "--group".to_owned(),
                g.clone(),
            ]);
        }
        Some(g) => args.extend(["--only-group".to_owned(), g.clone()]),
    }
    args.push("-o".to_owned());
    args.push(rel(&absolute(root), &export.path));
    args
}

/// Quotes an argument for display in a POSIX shell command, when it needs it.
fn shell_quote(arg: &str) -> String {
    if !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@+,".contains(c))
    {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

// ---- discovery -----------------------------------------------------------------------------

/// What a requirements file becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Role {
    /// `[project] dependencies`.
    Main,
    /// A dependency group (normalized name).
    Group(String),
    /// A constraints file: `[tool.uv] constraint-dependencies`.
    Constraints,
}

/// A requirements file (or an `.in`/`.txt` pair) found at the root or in `requirements/`.
#[derive(Debug, Clone)]
struct Candidate {
    role: Role,
    /// Where the requirements are read: the `.in` of a pair.
    source: PathBuf,
    /// The `.txt` compiled from `source` (a pair), whose pins are kept.
    compiled: Option<PathBuf>,
    /// The file rewritten from the lock.
    export: PathBuf,
}

/// One `.txt`/`.in` file in a directory: path, lower-cased stem, and whether it is `.in`.
struct Listed {
    path: PathBuf,
    stem: String,
    is_in: bool,
}

fn list(dir: &Path) -> Vec<Listed> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<Listed> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_ascii_lowercase();
            let (stem, ext) = name.rsplit_once('.')?;
            (!stem.is_empty() && matches!(ext, "txt" | "in")).then(|| Listed {
                path: dir.join(e.file_name()),
                stem: stem.to_owned(),
                is_in: ext == "in",
            })
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// What a file at the root is, from its lower-cased stem: `None` when it is not a requirements
/// file, `Some(Err(()))` when it is one cordon cannot place.
fn classify_root(stem: &str) -> Option<Result<Role, ()>> {
    if stem.starts_with("constraint") {
        return Some(Ok(Role::Constraints));
    }
    if stem == "requirements" {
        return Some(Ok(Role::Main));
    }
    let sep = |c: char| matches!(c, '-' | '_' | '.');
    if let Some(rest) = stem.strip_prefix("requirements")
        && let Some(rest) = rest.strip_prefix(sep)
    {
        return Some(group_name(rest).map(Role::Group));
    }
    if let Some(rest) = stem.strip_suffix("requirements")
        && let Some(rest) = rest.strip_suffix(sep)
    {
        return Some(group_name(rest).map(Role::Group));
    }
    stem.contains("requirements").then_some(Err(()))
}

/// The dependency group a file name stands for, normalized like a package name (PEP 735).
fn group_name(raw: &str) -> Result<String, ()> {
    let n = normalize(raw);
    let n = match n.as_str() {
        "development" | "devel" => "dev".to_owned(),
        "tests" | "testing" => "test".to_owned(),
        "doc" => "docs".to_owned(),
        _ => n,
    };
    if is_valid(&n) { Ok(n) } else { Err(()) }
}

/// The requirements files of the project, each with its role; `.in`/`.txt` pairs joined.
fn discover(root: &Path) -> Result<Vec<Candidate>, InitError> {
    // (role, file, whether it is in `requirements/`)
    let mut found: Vec<(Role, Listed, bool)> = Vec::new();
    for l in list(root) {
        match classify_root(&l.stem) {
            None => {}
            Some(Ok(role)) => found.push((role, l, false)),
            Some(Err(())) => {
                let name = file_name(&l.path);
                return Err(InitError::stop_with_help(
                    format!(
                        "cordon cannot tell which dependencies `{name}` holds, so it cannot migrate it"
                    ),
                    "rename it `requirements-<group>.txt` to make it the dependency group `<group>` (or `requirements.txt` for the project's own dependencies), or move it out of the project root; then run again",
                ));
            }
        }
    }
    let root_has_main = found.iter().any(|(r, _, _)| *r == Role::Main);
    let dir = root.join(REQUIREMENTS_DIR);
    let in_dir = list(&dir);
    let dir_main = if root_has_main {
        None
    } else {
        MAIN_IN_DIR
            .iter()
            .find(|m| in_dir.iter().any(|l| l.stem == **m))
            .copied()
    };
    for l in in_dir {
        let role = if l.stem.starts_with("constraint") {
            Role::Constraints
        } else if Some(l.stem.as_str()) == dir_main {
            Role::Main
        } else {
            let raw = l
                .stem
                .strip_prefix("requirements-")
                .or_else(|| l.stem.strip_suffix("-requirements"))
                .unwrap_or(&l.stem);
            match group_name(raw) {
                Ok(g) => Role::Group(g),
                Err(()) => {
                    return Err(InitError::stop_with_help(
                        format!(
                            "`{REQUIREMENTS_DIR}/{}` does not name a valid dependency group",
                            file_name(&l.path)
                        ),
                        "rename it to a name of letters, digits and `-` (it becomes the dependency group of that name), then run again",
                    ));
                }
            }
        };
        found.push((role, l, true));
    }

    // Join `.in`/`.txt` pairs (same directory and stem); constraints files stay single.
    let mut out: Vec<Candidate> = Vec::new();
    let mut used: HashSet<usize> = HashSet::new();
    for i in 0..found.len() {
        if used.contains(&i) {
            continue;
        }
        used.insert(i);
        let (role, l, in_dir) = &found[i];
        let partner = (*role != Role::Constraints)
            .then(|| {
                (0..found.len()).find(|&j| {
                    !used.contains(&j)
                        && found[j].2 == *in_dir
                        && found[j].1.stem == l.stem
                        && found[j].1.is_in != l.is_in
                })
            })
            .flatten();
        let candidate = match partner {
            Some(j) => {
                used.insert(j);
                let (src, txt) = if l.is_in {
                    (&l.path, &found[j].1.path)
                } else {
                    (&found[j].1.path, &l.path)
                };
                Candidate {
                    role: role.clone(),
                    source: src.clone(),
                    compiled: Some(txt.clone()),
                    export: txt.clone(),
                }
            }
            None => Candidate {
                role: role.clone(),
                source: l.path.clone(),
                compiled: None,
                export: l.path.clone(),
            },
        };
        out.push(candidate);
    }

    // Two files for the same group (`requirements-test.txt` and `requirements/tests.txt`).
    for (i, a) in out.iter().enumerate() {
        if let Role::Group(g) = &a.role
            && let Some(b) = out[..i].iter().find(|b| b.role == a.role)
        {
            return Err(InitError::stop_with_help(
                format!(
                    "`{}` and `{}` would both become the dependency group `{g}`",
                    rel(&absolute(root), &b.source),
                    rel(&absolute(root), &a.source)
                ),
                "merge them into one file (or rename one), then run again",
            ));
        }
    }
    // The main file first, then the rest in the order found.
    out.sort_by_key(|c| c.role != Role::Main);
    Ok(out)
}

// ---- checks on the project around the requirements files -----------------------------------

/// Reads `pyproject.toml` when it exists, and stops if it already declares what the migration
/// would write.
fn read_existing(path: &Path) -> Result<Option<(String, PyProject)>, InitError> {
    match std::fs::symlink_metadata(path) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(ParseError::io(path, &e).into()),
    }
    let text = Source::read(path)?.text.to_string();
    let parsed = PyProject::parse(Source::from_string(path, text.clone()))?;
    let root = parsed.doc.as_table();
    if parsed
        .requirements
        .iter()
        .any(|r| r.declared_in == DeclaredIn::Dependencies)
    {
        return Err(InitError::stop_with_help(
            "`pyproject.toml` already declares dependencies in `[project]`; nothing to migrate",
            "run `cordon init` without `--migrate` to harden the project as it is; to replace its dependencies with the requirements files, empty `[project] dependencies` first",
        ));
    }
    let project = root.get("project").and_then(Item::as_table_like);
    if project
        .and_then(|p| p.get("dynamic"))
        .and_then(Item::as_array)
        .is_some_and(|a| a.iter().any(|v| v.as_str() == Some("dependencies")))
    {
        return Err(InitError::stop_with_help(
            "`pyproject.toml` declares `dependencies` as dynamic: the build backend reads them from elsewhere (often the requirements file)",
            "remove `\"dependencies\"` from `[project] dynamic` and the backend setting that reads the requirements file, then run again",
        ));
    }
    if cordon_python::tomlutil::get_path(root, &["tool", "poetry", "dependencies"]).is_some() {
        return Err(InitError::stop_with_help(
            "`pyproject.toml` declares dependencies for Poetry (`[tool.poetry.dependencies]`); the requirements files are probably exported from them",
            "move the Poetry dependencies into `[project]` by hand, then run `cordon init` without `--migrate`",
        ));
    }
    if !parsed.managed {
        return Err(InitError::stop_with_help(
            "`pyproject.toml` sets `[tool.uv] managed = false`: uv is told not to manage this project",
            "remove `managed = false` if uv should manage it, then run again",
        ));
    }
    Ok(Some((text, parsed)))
}

/// A `setup.py` (or a `setup.cfg` with metadata) describes the project to setuptools; a new
/// `[project]` table would silently replace that metadata, `install_requires` included.
fn refuse_setup_files(root: &Path) -> Result<(), InitError> {
    let help = "move the metadata and `install_requires` into `[project]` in `pyproject.toml` (or delete the file if nothing builds the project), then run again";
    if root.join("setup.py").is_file() {
        return Err(InitError::stop_with_help(
            "`setup.py` describes this project to setuptools; a new `[project]` table would override it",
            help,
        ));
    }
    let cfg = root.join("setup.cfg");
    if let Ok(text) = std::fs::read_to_string(&cfg)
        && text.lines().any(|l| {
            let l = l.trim().to_ascii_lowercase();
            l == "[metadata]" || l == "[options]"
        })
    {
        return Err(InitError::stop_with_help(
            "`setup.cfg` describes this project to setuptools (`[metadata]`/`[options]`); a new `[project]` table would override it",
            help,
        ));
    }
    Ok(())
}

/// The first thing the parser could not read, in any file: the file is not migrated half-read.
fn first_problem(set: &RequirementsSet) -> Result<(), InitError> {
    for f in &set.files {
        if let Some(p) = f.problems.first() {
            return Err(
                ParseError::new(&f.source.path, Some(p.span.clone()), &p.message)
                    .with_help(&p.help)
                    .into(),
            );
        }
    }
    Ok(())
}

/// `requires-python` from `.python-version` (`3.12`, `3.12.4`, `cpython-3.12`): `>=3.12`, the
/// lowest version it names.
fn python_version(root: &Path, notes: &mut Vec<String>) -> Result<Option<String>, InitError> {
    let path = root.join(".python-version");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(ParseError::io(&path, &e).into()),
    };
    let lowest = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(major_minor)
        .min();
    let Some((major, minor)) = lowest else {
        notes.push(
            "`.python-version` names no `X.Y` version; `requires-python` was left out".to_owned(),
        );
        return Ok(None);
    };
    let spec = format!(">={major}.{minor}");
    notes.push(format!(
        "set `requires-python = \"{spec}\"` from `.python-version`"
    ));
    Ok(Some(spec))
}

/// The first `X.Y` in a `.python-version` line.
fn major_minor(line: &str) -> Option<(u32, u32)> {
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_digit()) {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if i + 1 < bytes.len() && bytes[i] == b'.' && bytes[i + 1].is_ascii_digit() {
                let major = line[start..i].parse().ok()?;
                let mstart = i + 1;
                let mut j = mstart;
                while j < bytes.len() && bytes[j].is_ascii_digit() {
                    j += 1;
                }
                let minor = line[mstart..j].parse().ok()?;
                return Some((major, minor));
            }
        }
        i += 1;
    }
    None
}

/// A valid project name from a directory name: lower-case letters, digits and single `-`.
fn project_name(dir: &str) -> String {
    let mut out = String::new();
    for c in dir.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() {
        "project".to_owned()
    } else {
        out
    }
}

// ---- reading the requirements --------------------------------------------------------------

/// One requirement to write, and where it came from.
#[derive(Debug, Clone)]
struct Dep {
    /// The PEP 508 text to write.
    text: String,
    /// Normalized name.
    name: String,
    /// The marker, compared without spaces and quote style (distinct markers may ask for
    /// distinct versions).
    marker: String,
    /// The extras, normalized and sorted.
    extras: Vec<String>,
    /// What it asks for: the specifiers, the URL, or the local path.
    asks: String,
    /// A local path, when the requirement comes from one.
    path_source: Option<PathSource>,
    at: At,
}

/// A `[tool.uv.sources]` path entry.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PathSource {
    /// Relative to the project root, with `/`.
    path: String,
    /// `Some` for a directory (editable or not), `None` for an archive.
    editable: Option<bool>,
}

/// A file and span, for errors.
#[derive(Debug, Clone)]
struct At {
    file: usize,
    span: Range<usize>,
    line: usize,
}

/// The requirements gathered for `[project] dependencies`, a group, or the constraints.
#[derive(Debug)]
struct Ctx {
    role: Role,
    deps: Vec<Dep>,
    include_groups: Vec<String>,
    with_main: bool,
    visited: HashSet<usize>,
    /// Exact versions from the compiled `.txt` of a pair, by name.
    pins: HashMap<String, String>,
    /// The names pinned from the compiled file.
    pinned: Vec<String>,
    /// Files merged in through `-r` (beside the root file).
    merged: Vec<usize>,
}

impl Ctx {
    fn new(role: Role) -> Self {
        Self {
            role,
            deps: Vec::new(),
            include_groups: Vec::new(),
            with_main: false,
            visited: HashSet::new(),
            pins: HashMap::new(),
            pinned: Vec::new(),
            merged: Vec::new(),
        }
    }
}

/// A dependency group as planned.
#[derive(Debug)]
struct GroupPlan {
    name: String,
    deps: Vec<Dep>,
    include_groups: Vec<String>,
}

/// Everything read from the requirements files.
#[derive(Debug, Default)]
struct Outcome {
    main: Vec<Dep>,
    groups: Vec<GroupPlan>,
    constraints: Vec<Dep>,
    sources: Vec<(String, PathSource)>,
    exports: Vec<Export>,
    notes: Vec<String>,
}

/// Who a loaded file belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Owner {
    /// The main file, its compiled output, or a file it includes.
    Main,
    /// A group's file or its compiled output.
    Group(String),
    /// A constraints file found at the root or in `requirements/`.
    Constraints,
}

/// The `--index-url` carried over.
#[derive(Debug, Clone)]
struct IndexUrl {
    url: String,
    at: At,
}

struct Walker<'a> {
    set: &'a RequirementsSet,
    root: &'a Path,
    root_canonical: Option<PathBuf>,
    owners: HashMap<usize, Owner>,
    /// The files found at the root or in `requirements/` (and compiled outputs).
    candidate_files: HashSet<usize>,
    index: Option<IndexUrl>,
    constraints: Ctx,
    /// Files whose `--hash` values were dropped.
    hashes: BTreeSet<usize>,
    /// Files whose `--require-hashes` was dropped.
    require_hashes: BTreeSet<usize>,
    /// `-c` includes of migrated files, dropped: (including file, included file).
    dropped_constraints: BTreeSet<(usize, usize)>,
    notes: Vec<String>,
}

impl<'a> Walker<'a> {
    fn new(
        set: &'a RequirementsSet,
        root: &'a Path,
        candidates: &[Candidate],
    ) -> Result<Self, InitError> {
        let index_of = |p: &Path| {
            set.index_of(p)
                .ok_or_else(|| InitError::stop(format!("cordon could not read `{}`", p.display())))
        };
        let mut owners: HashMap<usize, Owner> = HashMap::new();
        let mut candidate_files = HashSet::new();
        for c in candidates {
            let owner = match &c.role {
                Role::Main => Owner::Main,
                Role::Group(g) => Owner::Group(g.clone()),
                Role::Constraints => Owner::Constraints,
            };
            let src = index_of(&c.source)?;
            owners.insert(src, owner.clone());
            candidate_files.insert(src);
            if let Some(t) = &c.compiled {
                let t = index_of(t)?;
                owners.insert(t, owner);
                candidate_files.insert(t);
            }
        }
        // Everything the main file includes with `-r` is part of the main dependencies.
        if let Some(main) = candidates.iter().find(|c| c.role == Role::Main) {
            let mut todo = vec![index_of(&main.source)?];
            let mut seen = HashSet::new();
            while let Some(i) = todo.pop() {
                if !seen.insert(i) {
                    continue;
                }
                owners.insert(i, Owner::Main);
                for (_, inc) in set.files[i].includes() {
                    if inc.kind == IncludeKind::Requirements
                        && let Some(j) = set.resolve(inc)
                    {
                        todo.push(j);
                    }
                }
            }
        }
        Ok(Self {
            set,
            root,
            root_canonical: std::fs::canonicalize(root).ok(),
            owners,
            candidate_files,
            index: None,
            constraints: Ctx::new(Role::Constraints),
            hashes: BTreeSet::new(),
            require_hashes: BTreeSet::new(),
            dropped_constraints: BTreeSet::new(),
            notes: Vec::new(),
        })
    }

    fn path_of(&self, file: usize) -> &Path {
        &self.set.files[file].source.path
    }

    /// A file's path relative to the root, for messages.
    fn shown(&self, file: usize) -> String {
        rel(self.root, self.path_of(file))
    }

    fn error(&self, at: &At, message: String, help: &str) -> InitError {
        ParseError::new(self.path_of(at.file), Some(at.span.clone()), message)
            .with_help(help)
            .into()
    }

    fn index_of(&self, p: &Path) -> Result<usize, InitError> {
        self.set
            .index_of(p)
            .ok_or_else(|| InitError::stop(format!("cordon could not read `{}`", p.display())))
    }

    fn run(&mut self, candidates: &[Candidate]) -> Result<Outcome, InitError> {
        let mut out = Outcome::default();
        let mut main_ctx: Option<Ctx> = None;
        let mut groups: Vec<Ctx> = Vec::new();
        let mut unreferenced_constraints: Vec<usize> = Vec::new();
        for c in candidates {
            let src = self.index_of(&c.source)?;
            let role = match (&c.role, self.owners.get(&src)) {
                // The main file includes it with `-r`: it is part of the main dependencies.
                (Role::Constraints, Some(Owner::Main)) => continue,
                (Role::Group(_), Some(Owner::Main)) => Role::Main,
                (role, _) => role.clone(),
            };
            if role == Role::Constraints {
                unreferenced_constraints.push(src);
                continue;
            }
            let mut ctx = Ctx::new(role.clone());
            if let Some(t) = &c.compiled {
                let t = self.index_of(t)?;
                ctx.pins = self.compiled_pins(t)?;
            }
            // A file reached from the main one is walked as part of the main file's context.
            let is_main_root = c.role == Role::Main;
            if role == Role::Main && !is_main_root {
                out.exports.push(Export {
                    path: c.export.clone(),
                    group: None,
                    with_main: false,
                    before: self.text_of(&c.export)?,
                });
                continue;
            }
            self.walk(src, &mut ctx)?;
            if c.compiled.is_none()
                && !self.set.files[src].source.text.is_empty()
                && matches!(
                    self.set.files[src].generator(),
                    Some(Generator::PipCompile | Generator::UvPipCompile | Generator::UvExport)
                )
            {
                self.notes.push(format!(
                    "`{}` was generated by a tool from a source that is not here: every package it pins, transitive ones too, became a direct requirement; trim them to the ones the project imports",
                    self.shown(src)
                ));
            }
            if let Some(t) = &c.compiled {
                let t = self.index_of(t)?;
                if !ctx.pinned.is_empty() {
                    self.notes.push(format!(
                        "took the versions of {} from `{}`, where `{}` left them open, so they do not change",
                        list_names(&ctx.pinned),
                        self.shown(t),
                        self.shown(src)
                    ));
                }
                self.notes.push(format!(
                    "`{}` is superseded by `pyproject.toml`: delete it once the migration is done",
                    self.shown(src)
                ));
            } else if c.source.extension().is_some_and(|e| e == "in") {
                self.notes.push(format!(
                    "`{}` will be rewritten as an export of the lock, like a compiled file",
                    self.shown(src)
                ));
            }
            let export = Export {
                path: c.export.clone(),
                group: match &role {
                    Role::Group(g) => Some(g.clone()),
                    _ => None,
                },
                with_main: false,
                before: self.text_of(&c.export)?,
            };
            if role == Role::Main {
                out.exports.insert(0, export);
                main_ctx = Some(ctx);
            } else {
                out.exports.push(export);
                groups.push(ctx);
            }
        }
        // Constraints files nothing includes are probably passed with `-c` on the command line.
        for i in unreferenced_constraints {
            if self.constraints.visited.contains(&i) {
                continue;
            }
            self.notes.push(format!(
                "`{}` is included by no requirements file; cordon carried it over as constraints, assuming it is passed with `-c`",
                self.shown(i)
            ));
            let mut ctx = std::mem::replace(&mut self.constraints, Ctx::new(Role::Constraints));
            let r = self.walk(i, &mut ctx);
            self.constraints = ctx;
            r?;
        }

        // A group that includes a group including the main file installs the main file too.
        loop {
            let with_main: HashSet<String> = groups
                .iter()
                .filter(|g| g.with_main)
                .filter_map(|g| match &g.role {
                    Role::Group(n) => Some(n.clone()),
                    _ => None,
                })
                .collect();
            let mut changed = false;
            for g in &mut groups {
                if !g.with_main && g.include_groups.iter().any(|h| with_main.contains(h)) {
                    g.with_main = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        for e in &mut out.exports {
            if let Some(name) = &e.group {
                e.with_main = groups
                    .iter()
                    .any(|g| g.with_main && g.role == Role::Group(name.clone()));
            }
        }

        // One `[tool.uv.sources]` entry per name, and no other way to install that name.
        let main = main_ctx.unwrap_or_else(|| Ctx::new(Role::Main));
        let all: Vec<&Dep> = main
            .deps
            .iter()
            .chain(groups.iter().flat_map(|g| g.deps.iter()))
            .chain(self.constraints.deps.iter())
            .collect();
        let mut sources: Vec<(String, PathSource, At)> = Vec::new();
        for d in &all {
            if let Some(s) = &d.path_source
                && !sources.iter().any(|(n, _, _)| n == &d.name)
            {
                sources.push((d.name.clone(), s.clone(), d.at.clone()));
            }
        }
        for d in &all {
            let Some((_, s, first)) = sources.iter().find(|(n, _, _)| n == &d.name) else {
                continue;
            };
            if d.path_source.as_ref() != Some(s) {
                let what = match &d.path_source {
                    Some(other) => format!("from `{}`", other.path),
                    None => format!("as `{}`", d.text),
                };
                return Err(self.error(
                    &d.at,
                    format!(
                        "`{}` is installed from the local path `{}` ({} line {}), and here {what}; uv's `[tool.uv.sources]` applies one source to every group",
                        d.name,
                        s.path,
                        self.shown(first.file),
                        first.line
                    ),
                    "install the package one way in every requirements file, then run again",
                ));
            }
        }
        out.sources = sources.into_iter().map(|(n, s, _)| (n, s)).collect();

        self.summarise(&main, &groups);
        out.main = main.deps;
        out.groups = groups
            .into_iter()
            .map(|g| GroupPlan {
                name: match g.role {
                    Role::Group(n) => n,
                    _ => String::new(),
                },
                deps: g.deps,
                include_groups: g.include_groups,
            })
            .collect();
        out.constraints =
            std::mem::replace(&mut self.constraints, Ctx::new(Role::Constraints)).deps;
        Ok(out)
    }

    /// The notes on what went where and what was dropped.
    fn summarise(&mut self, main: &Ctx, groups: &[Ctx]) {
        let mut notes = Vec::new();
        let from = |ctx: &Ctx, w: &Self| -> String {
            let mut files: Vec<String> = ctx
                .visited
                .iter()
                .copied()
                .filter(|i| !ctx.merged.contains(i))
                .map(|i| format!("`{}`", w.shown(i)))
                .collect();
            files.sort();
            let mut merged: Vec<String> = ctx
                .merged
                .iter()
                .map(|&i| format!("`{}`", w.shown(i)))
                .collect();
            merged.sort();
            if merged.is_empty() {
                files.join(", ")
            } else {
                format!("{} (with {})", files.join(", "), merged.join(", "))
            }
        };
        if !main.visited.is_empty() {
            notes.push(format!(
                "moved {} from {} into `[project] dependencies`",
                count(main.deps.len(), "requirement", "requirements"),
                from(main, self)
            ));
        }
        for g in groups {
            let Role::Group(name) = &g.role else { continue };
            let mut line = format!(
                "moved {} from {} into the dependency group `{name}`",
                count(g.deps.len(), "requirement", "requirements"),
                from(g, self)
            );
            if !g.include_groups.is_empty() {
                let inc: Vec<String> = g.include_groups.iter().map(|h| format!("`{h}`")).collect();
                line.push_str(", which includes the group ");
                line.push_str(&inc.join(", "));
            }
            if g.with_main {
                line.push_str(
                    "; the file installed the main requirements too, so its export lists them as well",
                );
            }
            notes.push(line);
        }
        let merged: BTreeSet<usize> = std::iter::once(main)
            .chain(groups)
            .flat_map(|c| c.merged.iter().copied())
            .filter(|i| !self.candidate_files.contains(i))
            .collect();
        for i in merged {
            notes.push(format!(
                "`{}` was merged into the files that include it; once they are exported nothing reads it: delete it",
                self.shown(i)
            ));
        }
        if !self.constraints.deps.is_empty() {
            let mut files: Vec<String> = self
                .constraints
                .visited
                .iter()
                .map(|&i| format!("`{}`", self.shown(i)))
                .collect();
            files.sort();
            notes.push(format!(
                "carried over {} from {} into `[tool.uv] constraint-dependencies` (uv applies them to every group); the constraints files are not rewritten and nothing reads them afterwards",
                count(self.constraints.deps.len(), "constraint", "constraints"),
                files.join(", ")
            ));
        }
        for &(by, of) in &self.dropped_constraints {
            notes.push(format!(
                "dropped `-c {}` from `{}`: one `uv.lock` keeps the versions of every group consistent",
                file_name(self.path_of(of)),
                self.shown(by)
            ));
        }
        if let Some(index) = &self.index {
            notes.push(format!(
                "carried over `--index-url {}` ({}) as the default index (`[[tool.uv.index]]` named `default`), used instead of the public one",
                index.url,
                self.shown(index.at.file)
            ));
        }
        if !self.hashes.is_empty() {
            let files: Vec<String> = self
                .hashes
                .iter()
                .map(|&i| format!("`{}`", self.shown(i)))
                .collect();
            notes.push(format!(
                "dropped the `--hash` values of {}: `uv.lock` records a hash for every file, and the exported requirements files list them again",
                files.join(", ")
            ));
        }
        if !self.require_hashes.is_empty() {
            let files: Vec<String> = self
                .require_hashes
                .iter()
                .map(|&i| format!("`{}`", self.shown(i)))
                .collect();
            notes.push(format!(
                "dropped `--require-hashes` from {}: the exported files carry a hash for every package, which turns on pip's hash checking by itself",
                files.join(", ")
            ));
        }
        let others: Vec<String> = groups
            .iter()
            .filter_map(|g| match &g.role {
                Role::Group(n) if n != "dev" => Some(format!("`--group {n}`")),
                _ => None,
            })
            .collect();
        if !others.is_empty() {
            notes.push(format!(
                "`uv sync` installs the `dev` group by default; install the others with {}",
                others.join(", ")
            ));
        }
        notes.push(
            "versions left open (and every transitive dependency) are chosen by `uv lock` under the cooldown: check its output before committing".to_owned(),
        );
        // Earlier notes (pins, superseded files) come after the summary.
        notes.append(&mut self.notes);
        self.notes = notes;
    }

    fn text_of(&self, path: &Path) -> Result<String, InitError> {
        let i = self.index_of(path)?;
        Ok(self.set.files[i].source.text.to_string())
    }

    /// The exact pins of a compiled `.txt`, by name (names pinned to several versions, under
    /// different markers, are left out). Its options are checked like any file's.
    fn compiled_pins(&mut self, file: usize) -> Result<HashMap<String, String>, InitError> {
        let mut all: HashMap<String, Vec<String>> = HashMap::new();
        for line in &self.set.files[file].lines {
            match &line.kind {
                LineKind::Option(o) => self.option(file, line, o)?,
                LineKind::Requirement(r) => {
                    if let Some(v) = r.exact_version() {
                        all.entry(r.name()).or_default().push(v);
                    }
                }
                _ => {}
            }
        }
        Ok(all
            .into_iter()
            .filter_map(|(name, mut versions)| {
                versions.dedup();
                (versions.len() == 1).then(|| (name, versions.remove(0)))
            })
            .collect())
    }

    /// Gathers the entries of `file` (and what it includes) into `ctx`.
    fn walk(&mut self, file: usize, ctx: &mut Ctx) -> Result<(), InitError> {
        if !ctx.visited.insert(file) {
            return Ok(());
        }
        let set = self.set;
        for line in &set.files[file].lines {
            let at = At {
                file,
                span: line.span.clone(),
                line: line.line,
            };
            match &line.kind {
                LineKind::Option(o) => self.option(file, line, o)?,
                LineKind::Include(inc) => {
                    let IncludeLocation::Path(_) = &inc.location else {
                        return Err(self.error(
                            &at,
                            format!(
                                "cordon cannot carry over `{} {}`: it does not fetch remote files",
                                inc.kind.flag(),
                                inc.target
                            ),
                            "download the file into the project and include it by path (or move its lines in), then run again",
                        ));
                    };
                    // A missing include or a cycle is a problem the parser reported already.
                    let Some(target) = set.resolve(inc) else {
                        continue;
                    };
                    if inc.kind == IncludeKind::Constraints {
                        if matches!(
                            self.owners.get(&target),
                            Some(Owner::Main | Owner::Group(_))
                        ) {
                            self.dropped_constraints.insert((file, target));
                            continue;
                        }
                        let mut cx =
                            std::mem::replace(&mut self.constraints, Ctx::new(Role::Constraints));
                        let r = self.walk(target, &mut cx);
                        self.constraints = cx;
                        r?;
                        continue;
                    }
                    if let Role::Group(g) = &ctx.role {
                        match self.owners.get(&target) {
                            Some(Owner::Main) => {
                                ctx.with_main = true;
                                continue;
                            }
                            Some(Owner::Group(h)) => {
                                if h != g && !ctx.include_groups.contains(h) {
                                    ctx.include_groups.push(h.clone());
                                }
                                continue;
                            }
                            _ => {}
                        }
                    }
                    if !ctx.visited.contains(&target) {
                        ctx.merged.push(target);
                    }
                    self.walk(target, ctx)?;
                }
                _ => {
                    if let Some(dep) = self.entry(&at, line, ctx)? {
                        self.add(ctx, dep)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Adds `dep` unless the same requirement is there; the same name under the same marker
    /// asking for something else is an error.
    fn add(&self, ctx: &mut Ctx, dep: Dep) -> Result<(), InitError> {
        let same = |d: &&Dep| d.name == dep.name && d.marker == dep.marker;
        if ctx
            .deps
            .iter()
            .filter(same)
            .any(|d| d.asks == dep.asks && d.extras == dep.extras)
        {
            return Ok(());
        }
        // pip applies every constraint, and so does uv: constraints are only deduplicated.
        if ctx.role != Role::Constraints
            && let Some(prev) = ctx.deps.iter().find(|d| same(d) && d.asks != dep.asks)
        {
            let whose = match &ctx.role {
                Role::Group(g) => format!("the group `{g}`"),
                _ => "the main requirements".to_owned(),
            };
            return Err(self.error(
                &dep.at,
                format!(
                    "`{}` is already required as `{}` ({} line {}) in {whose}",
                    dep.name,
                    prev.text,
                    self.shown(prev.at.file),
                    prev.at.line
                ),
                "keep one requirement per package (or give them distinct markers), then run again",
            ));
        }
        ctx.deps.push(dep);
        Ok(())
    }

    /// A global option: `--index-url` is carried over, `--require-hashes` dropped, anything
    /// else stops the migration at its line.
    fn option(&mut self, file: usize, line: &ReqLine, o: &GlobalOption) -> Result<(), InitError> {
        let at = At {
            file,
            span: line.span.clone(),
            line: line.line,
        };
        let (flag, why, help): (&str, &str, &str) = match o {
            GlobalOption::IndexUrl(url) => {
                if let Some(shown) = secret_in_url(url) {
                    return Err(InitError::stop_with_help(
                        format!(
                            "`{}` line {}: the index URL `{shown}` carries credentials (or an environment variable); cordon never copies them into `pyproject.toml`",
                            self.shown(file),
                            line.line
                        ),
                        "remove them from the URL (uv reads them from `UV_INDEX_DEFAULT_USERNAME` and `UV_INDEX_DEFAULT_PASSWORD`, a keyring or `.netrc`), then run again",
                    ));
                }
                match &self.index {
                    Some(prev) if prev.url.trim_end_matches('/') != url.trim_end_matches('/') => {
                        return Err(self.error(
                            &at,
                            format!(
                                "a second `--index-url` (`{}` line {} names `{}`); uv has one default index",
                                self.shown(prev.at.file),
                                prev.at.line,
                                prev.url
                            ),
                            "keep one `--index-url` in every requirements file, then run again",
                        ));
                    }
                    Some(_) => {}
                    None => {
                        self.index = Some(IndexUrl {
                            url: url.clone(),
                            at,
                        });
                    }
                }
                return Ok(());
            }
            GlobalOption::RequireHashes => {
                self.require_hashes.insert(file);
                return Ok(());
            }
            GlobalOption::ExtraIndexUrl(_) => (
                "--extra-index-url",
                "uv would consult that index for every package, the way pip does (the opening for dependency confusion)",
                "declare it by hand as an explicit index (`[[tool.uv.index]]` with a `name`, the `url` and `explicit = true`) and map the packages that come from it in `[tool.uv.sources]` (`pkg = { index = \"<name>\" }`); then remove the line and run again",
            ),
            GlobalOption::FindLinks(_) => (
                "--find-links",
                "uv would search that location for every package",
                "declare it by hand as an index with `format = \"flat\"` and `explicit = true`, mapping its packages in `[tool.uv.sources]` (or use `find-links` in `[tool.uv]`); then remove the line and run again",
            ),
            GlobalOption::TrustedHost(_) => (
                "--trusted-host",
                "it turns off TLS verification for a host",
                "fix the host's certificate (or, knowingly, set `allow-insecure-host` in `[tool.uv]` by hand); then remove the line and run again",
            ),
            GlobalOption::NoIndex => (
                "--no-index",
                "it changes where every package comes from",
                "decide how uv finds packages (`no-index = true` with `find-links`, or a flat index) and set it in `[tool.uv]` by hand; then remove the line and run again",
            ),
            GlobalOption::NoBinary(_) => (
                "--no-binary",
                "it changes which files may be installed",
                "set `no-binary-package = [\"...\"]` (or `no-binary = true` for `:all:`) in `[tool.uv]` by hand; then remove the line and run again",
            ),
            GlobalOption::OnlyBinary(_) => (
                "--only-binary",
                "it changes which files may be installed",
                "set `no-build-package = [\"...\"]` (or `no-build = true` for `:all:`) in `[tool.uv]` by hand; then remove the line and run again",
            ),
            GlobalOption::Pre => (
                "--pre",
                "it admits pre-releases of every package",
                "pin the pre-releases you need (`name==1.0rc1`), or set `prerelease = \"allow\"` in `[tool.uv]` by hand; then remove the line and run again",
            ),
            GlobalOption::PreferBinary => (
                "--prefer-binary",
                "uv has no such setting",
                "remove the line and run again (pin the versions that have wheels if that is what it was for)",
            ),
            GlobalOption::UseFeature(_) => (
                "--use-feature",
                "pip's feature flags mean nothing to uv",
                "remove the line and run again",
            ),
        };
        Err(self.error(
            &at,
            format!("cordon cannot carry over `{flag}` into `pyproject.toml`: {why}"),
            help,
        ))
    }

    /// The requirement an install line becomes (`None`: nothing to write, e.g. `-e .`).
    fn entry(&mut self, at: &At, line: &ReqLine, ctx: &mut Ctx) -> Result<Option<Dep>, InitError> {
        let constraint = ctx.role == Role::Constraints;
        let (hashes, options) = match &line.kind {
            LineKind::Requirement(r) => (&r.hashes, &r.options),
            LineKind::Editable(d) | LineKind::Url(d) | LineKind::Path(d) => (&d.hashes, &d.options),
            LineKind::Include(_) | LineKind::Option(_) => return Ok(None),
        };
        if let Some((flag, _)) = options.first() {
            return Err(self.error(
                at,
                format!("cordon cannot carry over `{flag}` into `pyproject.toml`"),
                "uv sets build options per package in `[tool.uv]` (`config-settings-package`); set it there by hand, remove the option from the line, and run again",
            ));
        }
        if !hashes.is_empty() {
            self.hashes.insert(at.file);
        }
        if let LineKind::Requirement(r) = &line.kind
            && !(constraint && r.url().is_some())
        {
            return self.named(at, r, ctx).map(Some);
        }
        if constraint {
            return Err(self.error(
                at,
                "a constraint must name a package and its versions; cordon cannot carry over a path or URL as a constraint".to_owned(),
                "write it as a requirement in a requirements file (or remove it), then run again",
            ));
        }
        match &line.kind {
            LineKind::Editable(d) if d.is_local() => self.local(at, d, None, true),
            LineKind::Path(d) | LineKind::Url(d) if d.is_local() => self.local(at, d, None, false),
            LineKind::Editable(d) | LineKind::Url(d) => {
                let dep = self.url(at, d)?;
                if matches!(line.kind, LineKind::Editable(_)) {
                    self.notes.push(format!(
                        "`{}` line {}: uv installs `{}` from version control as a regular package, not as an editable checkout",
                        self.shown(at.file),
                        at.line,
                        dep.name
                    ));
                }
                Ok(Some(dep))
            }
            _ => Ok(None),
        }
    }

    /// A named requirement: kept as written (a compiled pin added where it is open).
    fn named(&mut self, at: &At, r: &NamedRequirement, ctx: &mut Ctx) -> Result<Dep, InitError> {
        let name = r.name();
        let raw = r.raw.trim();
        let (head, marker) = split_marker(raw);
        let written = written_name(head);
        let rest = &head[written.len()..];
        let extras = rest
            .trim_start()
            .strip_prefix('[')
            .and_then(|e| e.split_once(']'))
            .map(|(e, _)| e.trim())
            .filter(|e| !e.is_empty());
        if let Some(url) = r.url() {
            if is_local_url(&url) {
                let direct = DirectRequirement {
                    target: url,
                    target_span: r.span.clone(),
                    name: Some(name),
                    extras: extras
                        .map(|e| e.split(',').map(|x| x.trim().to_owned()).collect())
                        .unwrap_or_default(),
                    marker: marker.map(str::to_owned),
                    hashes: Vec::new(),
                    options: Vec::new(),
                };
                return match self.local(at, &direct, Some(written), false)? {
                    Some(d) => Ok(d),
                    None => Err(self.error(
                        at,
                        "this line installs the project itself, by name".to_owned(),
                        "remove the line (uv installs the project itself), then run again",
                    )),
                };
            }
            self.refuse_secret(at, &url)?;
            return Ok(Dep {
                text: raw.to_owned(),
                name,
                marker: marker_key(marker),
                extras: extras_key(r.requirement.extras.iter().map(ToString::to_string)),
                asks: url,
                path_source: None,
                at: at.clone(),
            });
        }
        let specifiers = r.specifiers().map(ToString::to_string).unwrap_or_default();
        let mut text = raw.to_owned();
        let mut asks = specifiers.clone();
        if r.exact_version().is_none()
            && let Some(v) = ctx.pins.get(&name)
        {
            let fits = match (pep440_rs::Version::from_str(v), r.specifiers()) {
                (Ok(version), Some(s)) => s.contains(&version),
                (Ok(_), None) => true,
                (Err(_), _) => false,
            };
            if fits {
                text = format!(
                    "{written}{}=={v}{}",
                    extras.map(|e| format!("[{e}]")).unwrap_or_default(),
                    marker.map(|m| format!(" ; {m}")).unwrap_or_default()
                );
                asks = format!("=={v}");
                if !ctx.pinned.contains(&name) {
                    ctx.pinned.push(name.clone());
                }
            } else {
                self.notes.push(format!(
                    "`{}` line {}: the compiled version `{name}=={v}` does not satisfy `{raw}`; left as written",
                    self.shown(at.file),
                    at.line
                ));
            }
        }
        self.validate(at, &text)?;
        Ok(Dep {
            text,
            name,
            marker: marker_key(marker),
            extras: extras_key(r.requirement.extras.iter().map(ToString::to_string)),
            asks,
            path_source: None,
            at: at.clone(),
        })
    }

    /// A URL (VCS or archive) without a name in front: `name @ url`.
    fn url(&self, at: &At, d: &DirectRequirement) -> Result<Dep, InitError> {
        let target_at = At {
            file: at.file,
            span: d.target_span.clone(),
            line: at.line,
        };
        self.refuse_secret(at, &d.target)?;
        let Some(name) = d.name.clone() else {
            return Err(self.error(
                &target_at,
                format!("cordon cannot tell which package `{}` installs", d.target),
                "name it: add `#egg=<name>` to the URL, or write `<name> @ <url>`; then run again",
            ));
        };
        let url = strip_egg(&d.target);
        let text = format!(
            "{name}{} @ {url}{}",
            extras_text(&d.extras),
            d.marker
                .as_deref()
                .map(|m| format!(" ; {m}"))
                .unwrap_or_default()
        );
        self.validate(at, &text)?;
        Ok(Dep {
            text,
            name,
            marker: marker_key(d.marker.as_deref()),
            extras: extras_key(d.extras.iter().cloned()),
            asks: url,
            path_source: None,
            at: at.clone(),
        })
    }

    /// A local directory or archive: the name, with a `[tool.uv.sources]` path entry.
    fn local(
        &mut self,
        at: &At,
        d: &DirectRequirement,
        written: Option<&str>,
        editable: bool,
    ) -> Result<Option<Dep>, InitError> {
        let target_at = At {
            file: at.file,
            span: d.target_span.clone(),
            line: at.line,
        };
        let raw_path = local_path_text(&d.target);
        let written_path = Path::new(&raw_path);
        let dir = self.path_of(at.file).parent().unwrap_or(Path::new(""));
        let full = absolute(&dir.join(written_path));
        if !full.exists() {
            return Err(self.error(
                &target_at,
                format!("local path `{raw_path}` does not exist"),
                &format!(
                    "the path is relative to the directory of `{}`; fix it (or remove the line), then run again",
                    self.shown(at.file)
                ),
            ));
        }
        if full == self.root
            || (self.root_canonical.is_some()
                && std::fs::canonicalize(&full).ok() == self.root_canonical)
        {
            self.notes.push(format!(
                "`{}` line {}: `{}` installs this project itself; `uv sync` does that for a project with a `[build-system]`, so the line was not carried over",
                self.shown(at.file),
                at.line,
                d.target
            ));
            return Ok(None);
        }
        let (name, source) = if full.is_dir() {
            let found = directory_name(&full)?;
            let name = match (found, d.name.clone()) {
                (Some(found), Some(said)) if found != said => {
                    return Err(self.error(
                        &target_at,
                        format!(
                            "the line names the package `{said}`, but the project in `{raw_path}` is `{found}`"
                        ),
                        "fix the name on the line, then run again",
                    ));
                }
                (Some(n), _) | (None, Some(n)) => n,
                (None, None) => {
                    return Err(self.error(
                        &target_at,
                        format!(
                            "cordon cannot tell the name of the project in `{raw_path}`: it has no `[project] name` in `pyproject.toml` nor `[metadata] name` in `setup.cfg` (cordon never runs `setup.py`)"
                        ),
                        &format!(
                            "name it on the line (`{}{raw_path}#egg=<name>`), or declare the name in its `pyproject.toml`; then run again",
                            if editable { "-e " } else { "" }
                        ),
                    ));
                }
            };
            (
                name,
                PathSource {
                    path: rel(self.root, &full),
                    editable: Some(editable),
                },
            )
        } else {
            let Some(name) = d.name.clone() else {
                return Err(self.error(
                    &target_at,
                    format!("cordon cannot tell which package `{raw_path}` holds"),
                    "name the archive `<name>-<version>...` or write `<name> @ <path>`; then run again",
                ));
            };
            (
                name,
                PathSource {
                    path: rel(self.root, &full),
                    editable: None,
                },
            )
        };
        let shown_name = written.map_or_else(|| name.clone(), str::to_owned);
        let text = format!(
            "{shown_name}{}{}",
            extras_text(&d.extras),
            d.marker
                .as_deref()
                .map(|m| format!(" ; {m}"))
                .unwrap_or_default()
        );
        self.validate(at, &text)?;
        Ok(Some(Dep {
            text,
            name,
            marker: marker_key(d.marker.as_deref()),
            extras: extras_key(d.extras.iter().cloned()),
            asks: format!("path {}", source.path),
            path_source: Some(source),
            at: at.clone(),
        }))
    }

    /// Stops on a URL that carries credentials: they would end up committed.
    fn refuse_secret(&self, at: &At, url: &str) -> Result<(), InitError> {
        if let Some(shown) = secret_in_url(url) {
            return Err(InitError::stop_with_help(
                format!(
                    "`{}` line {}: the URL `{shown}` carries credentials (or an environment variable); cordon never copies them into `pyproject.toml`",
                    self.shown(at.file),
                    at.line
                ),
                "remove them from the URL and let the tool find them (a git credential helper, a keyring or `.netrc`), then run again",
            ));
        }
        Ok(())
    }

    /// Checks that a requirement cordon wrote is valid PEP 508.
    fn validate(&self, at: &At, text: &str) -> Result<(), InitError> {
        let parsed = DeclaredRequirement::parse(text, 0..0, DeclaredIn::Dependencies, self.root);
        match parsed.parsed {
            Ok(_) => Ok(()),
            Err(e) => Err(self.error(
                at,
                format!("cordon cannot write this line as the PEP 508 requirement `{text}`: {e}"),
                "write it as `<name> @ <url>` or `<name><specifiers>`, then run again",
            )),
        }
    }
}

/// The PEP 508 name at the start of a requirement, as written.
fn written_name(raw: &str) -> &str {
    let end = raw
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(raw.len());
    &raw[..end]
}

/// Splits a requirement at the `;` of its marker (outside quotes).
fn split_marker(raw: &str) -> (&str, Option<&str>) {
    let mut quote: Option<char> = None;
    for (i, c) in raw.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ';') => return (raw[..i].trim_end(), Some(raw[i + 1..].trim())),
            _ => {}
        }
    }
    (raw, None)
}

/// A marker for comparison: no spaces, one quote style.
fn marker_key(marker: Option<&str>) -> String {
    marker
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == '\'' { '"' } else { c })
        .collect()
}

/// Extras for comparison: normalized and sorted.
fn extras_key(extras: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = extras.map(|e| normalize(&e)).collect();
    out.sort();
    out.dedup();
    out
}

fn extras_text(extras: &[String]) -> String {
    if extras.is_empty() {
        String::new()
    } else {
        format!("[{}]", extras.join(","))
    }
}

/// A URL without pip's `egg=` fragment part (the name now stands in front).
fn strip_egg(url: &str) -> String {
    let Some((base, fragment)) = url.split_once('#') else {
        return url.to_owned();
    };
    let kept: Vec<&str> = fragment
        .split('&')
        .filter(|kv| !kv.starts_with("egg=") && !kv.is_empty())
        .collect();
    if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}#{}", kept.join("&"))
    }
}

/// True for a `file:` URL or a path given as a direct reference.
fn is_local_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    lower.starts_with("file:") || !lower.contains("://")
}

/// The path a local target names: fragment removed, `file:` URLs turned into paths.
fn local_path_text(target: &str) -> String {
    let t = target.split('#').next().unwrap_or(target);
    let lower = t.to_ascii_lowercase();
    let t = if lower.starts_with("file://") {
        let rest = &t["file://".len()..];
        rest.strip_prefix("localhost").unwrap_or(rest)
    } else if lower.starts_with("file:") {
        &t["file:".len()..]
    } else {
        t
    };
    percent_decode(t)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The URL with its user-info masked, when it carries credentials (as `cordon check`'s
/// `index-credentials-committed` judges them) or an environment variable.
fn secret_in_url(url: &str) -> Option<String> {
    if url.contains("${") || url.contains("%24%7B") || url.contains("%24%7b") {
        return Some(url.to_owned());
    }
    cordon_check::urlutil::embedded_credentials(url).map(|_| cordon_check::urlutil::redact(url))
}

/// The normalized `[project] name` in a directory's `pyproject.toml`, else its `setup.cfg`'s
/// `[metadata] name`.
fn directory_name(dir: &Path) -> Result<Option<String>, InitError> {
    let pyproject = dir.join("pyproject.toml");
    if pyproject.is_file() {
        let parsed = PyProject::parse(Source::read(&pyproject)?)?;
        if let Some(name) = parsed.name {
            return Ok(Some(name));
        }
    }
    if let Ok(text) = std::fs::read_to_string(dir.join("setup.cfg")) {
        let mut in_metadata = false;
        for line in text.lines() {
            let l = line.trim();
            if l.starts_with('[') {
                in_metadata = l.eq_ignore_ascii_case("[metadata]");
                continue;
            }
            if in_metadata
                && let Some((k, v)) = l.split_once(['=', ':'])
                && k.trim() == "name"
                && !v.trim().is_empty()
            {
                return Ok(Some(normalize(v.trim())));
            }
        }
    }
    Ok(None)
}

/// `1 requirement`, `2 requirements`; `what` is the singular, `whats` the plural.
fn count(n: usize, what: &str, whats: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {whats}")
    }
}

fn list_names(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

// ---- paths ---------------------------------------------------------------------------------

/// Absolute and lexically normalized (no `.`, `..` resolved where possible).
fn absolute(path: &Path) -> PathBuf {
    cordon_python::requirements_txt::normalize_path(
        &std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    )
}

/// `path` relative to `root` (absolute, normalized), with `/`; `..` where it lies outside.
fn rel(root: &Path, path: &Path) -> String {
    let path = absolute(path);
    let a: Vec<Component> = root.components().collect();
    let b: Vec<Component> = path.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return path.display().to_string();
    }
    let mut parts: Vec<String> = std::iter::repeat_n("..".to_owned(), a.len() - common).collect();
    parts.extend(
        b[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

// ---- writing pyproject.toml ----------------------------------------------------------------

/// An entry of a dependency group.
#[derive(Debug, Clone)]
enum GroupItem {
    Include(String),
    Requirement(String),
}

/// What goes into `pyproject.toml`.
#[derive(Debug)]
struct Spec {
    name: String,
    requires_python: Option<String>,
    main: Vec<String>,
    groups: Vec<(String, Vec<GroupItem>)>,
    constraints: Vec<String>,
    index: Option<String>,
    sources: Vec<(String, PathSource)>,
}

fn value(toml: &str) -> Value {
    // Only ever called with text built here from escaped strings.
    Value::from_str(toml).unwrap_or_else(|_| Value::from(toml))
}

fn string_value(s: &str) -> Value {
    value(&basic_string(s))
}

/// A multi-line array, one value per line, with a trailing comma.
fn multiline(values: impl IntoIterator<Item = Value>) -> Array {
    let mut arr = Array::new();
    for mut v in values {
        v.decor_mut().set_prefix("\n    ");
        v.decor_mut().set_suffix("");
        arr.push_formatted(v);
    }
    if !arr.is_empty() {
        arr.set_trailing_comma(true);
        arr.set_trailing("\n");
    }
    arr
}

fn array_item(arr: Array) -> Item {
    Item::Value(Value::Array(arr))
}

/// The lowest and highest positions of the tables rendered with a header (the root excluded).
fn positions(table: &Table, is_root: bool, lo: &mut isize, hi: &mut isize) {
    if !is_root
        && !table.is_implicit()
        && !table.is_dotted()
        && let Some(p) = table.position()
    {
        *lo = (*lo).min(p);
        *hi = (*hi).max(p);
    }
    for (_, item) in table {
        match item {
            Item::Table(t) => positions(t, false, lo, hi),
            Item::ArrayOfTables(a) => {
                for t in a {
                    positions(t, false, lo, hi);
                }
            }
            _ => {}
        }
    }
}

/// The table rendered at `pos` (explicit, not the root).
fn table_at(table: &mut Table, pos: isize, is_root: bool) -> Option<&mut Table> {
    if !is_root && !table.is_implicit() && !table.is_dotted() && table.position() == Some(pos) {
        return Some(table);
    }
    for (_, item) in table.iter_mut() {
        match item {
            Item::Table(t) => {
                if let Some(found) = table_at(t, pos, false) {
                    return Some(found);
                }
            }
            Item::ArrayOfTables(a) => {
                for t in a.iter_mut() {
                    if let Some(found) = table_at(t, pos, false) {
                        return Some(found);
                    }
                }
            }
            _ => {}
        }
    }
    None
}

fn cannot_edit(what: &str) -> InitError {
    InitError::stop_with_help(
        format!("`pyproject.toml` writes `{what}` in a form cordon cannot edit safely"),
        format!("write `{what}` as a `[{what}]` table (or remove it), then run again"),
    )
}

/// The new `pyproject.toml` text and what changed. An existing file keeps every byte it had:
/// new tables go before it when it has no `[project]`, after it otherwise.
fn render_pyproject(
    existing: Option<&(String, PyProject)>,
    spec: &Spec,
) -> Result<(String, Vec<String>), InitError> {
    let mut what = Vec::new();
    let mut doc = match existing {
        Some((text, _)) => {
            let mut text = text.clone();
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            DocumentMut::from_str(&text).map_err(|e| {
                ParseError::toml(&Source::from_string("pyproject.toml", text.clone()), &e)
            })?
        }
        None => DocumentMut::new(),
    };
    let (mut lo, mut hi) = (isize::MAX, isize::MIN);
    positions(doc.as_table(), true, &mut lo, &mut hi);
    let had_tables = lo <= hi;
    if !had_tables {
        (lo, hi) = (0, 0);
    }
    let had_project = doc.get("project").is_some();
    // New top-level tables: before everything (no `[project]` yet), else after everything.
    let mut next = if had_project { hi + 1 } else { lo - 100 };
    let first_existing = lo;
    let mut take = || {
        let p = next;
        next += 1;
        p
    };

    let deps = || array_item(multiline(spec.main.iter().map(|r| string_value(r))));
    match doc.get_mut("project") {
        None => {
            let mut t = Table::new();
            t.insert("name", Item::Value(string_value(&spec.name)));
            t.insert("version", Item::Value(string_value("0.0.0")));
            if let Some(rp) = &spec.requires_python {
                t.insert("requires-python", Item::Value(string_value(rp)));
            }
            t.insert("dependencies", deps());
            t.set_position(Some(take()));
            doc.insert("project", Item::Table(t));
            what.push(format!(
                "declare the project `{}` with {}",
                spec.name,
                count(spec.main.len(), "dependency", "dependencies")
            ));
        }
        Some(Item::Table(t)) if !t.is_dotted() => {
            let dynamic: Vec<String> = t
                .get("dynamic")
                .and_then(Item::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            if !t.contains_key("name") {
                t.insert("name", Item::Value(string_value(&spec.name)));
            }
            if !t.contains_key("version") && !dynamic.iter().any(|d| d == "version") {
                t.insert("version", Item::Value(string_value("0.0.0")));
            }
            if !t.contains_key("requires-python")
                && let Some(rp) = &spec.requires_python
            {
                t.insert("requires-python", Item::Value(string_value(rp)));
            }
            match t.get_mut("dependencies") {
                Some(item) => *item = deps(),
                None => {
                    t.insert("dependencies", deps());
                }
            }
            what.push(format!(
                "fill `[project] dependencies` with {}",
                count(spec.main.len(), "requirement", "requirements")
            ));
        }
        Some(_) => return Err(cannot_edit("project")),
    }

    if !spec.groups.is_empty() {
        let make = |items: &[GroupItem]| {
            array_item(multiline(items.iter().map(|i| match i {
                GroupItem::Include(g) => {
                    value(&format!("{{ include-group = {} }}", basic_string(g)))
                }
                GroupItem::Requirement(r) => string_value(r),
            })))
        };
        if doc.get("dependency-groups").is_none() {
            let mut t = Table::new();
            t.set_position(Some(take()));
            doc.insert("dependency-groups", Item::Table(t));
        }
        let Some(Item::Table(t)) = doc.get_mut("dependency-groups") else {
            return Err(cannot_edit("dependency-groups"));
        };
        if t.is_dotted() {
            return Err(cannot_edit("dependency-groups"));
        }
        for (name, items) in &spec.groups {
            if t.iter().any(|(k, _)| normalize(k) == *name) {
                return Err(InitError::stop_with_help(
                    format!("`pyproject.toml` already has the dependency group `{name}`"),
                    "merge the requirements file into it by hand (or rename the group), then run again",
                ));
            }
            t.insert(name, make(items));
            what.push(format!(
                "add the dependency group `{name}` ({})",
                count(items.len(), "entry", "entries")
            ));
        }
    }
    if spec.groups.iter().any(|(g, _)| g == "dev")
        && existing.is_some_and(|(_, p)| {
            p.tool_uv()
                .and_then(|uv| uv.get("dev-dependencies"))
                .is_some()
        })
    {
        return Err(InitError::stop_with_help(
            "`pyproject.toml` already has `[tool.uv] dev-dependencies` (the `dev` group)",
            "move them into `[dependency-groups] dev` or the requirements file by hand, then run again",
        ));
    }

    if !spec.constraints.is_empty() || spec.index.is_some() || !spec.sources.is_empty() {
        if doc.get("tool").is_none() {
            let mut t = Table::new();
            t.set_implicit(true);
            doc.insert("tool", Item::Table(t));
        }
        let Some(Item::Table(tool)) = doc.get_mut("tool") else {
            return Err(cannot_edit("tool"));
        };
        if tool.is_dotted() {
            return Err(cannot_edit("tool"));
        }
        let tool_pos = (!tool.is_implicit()).then(|| tool.position()).flatten();
        if tool.get("uv").is_none() {
            let mut t = Table::new();
            t.set_implicit(true);
            t.set_position(Some(tool_pos.unwrap_or_else(&mut take)));
            tool.insert("uv", Item::Table(t));
        }
        let Some(Item::Table(uv)) = tool.get_mut("uv") else {
            return Err(cannot_edit("tool.uv"));
        };
        if uv.is_dotted() {
            return Err(cannot_edit("tool.uv"));
        }
        // Sub-tables of an existing `[tool.uv]` go right after it.
        let uv_pos = (!uv.is_implicit()).then(|| uv.position()).flatten();
        let mut sub_pos = || uv_pos.unwrap_or_else(&mut take);

        if !spec.constraints.is_empty() {
            match uv.get_mut("constraint-dependencies") {
                None => {
                    uv.insert(
                        "constraint-dependencies",
                        array_item(multiline(spec.constraints.iter().map(|c| string_value(c)))),
                    );
                    uv.set_implicit(false);
                }
                Some(item) => {
                    let Some(arr) = item.as_array_mut() else {
                        return Err(cannot_edit("tool.uv.constraint-dependencies"));
                    };
                    for c in &spec.constraints {
                        if !arr.iter().any(|v| v.as_str() == Some(c)) {
                            let multi = arr.iter().any(|v| {
                                v.decor()
                                    .prefix()
                                    .and_then(|p| p.as_str())
                                    .is_some_and(|p| p.contains('\n'))
                            });
                            let mut v = string_value(c);
                            v.decor_mut().set_prefix(if multi { "\n    " } else { " " });
                            arr.push_formatted(v);
                        }
                    }
                }
            }
            what.push(format!(
                "set `[tool.uv] constraint-dependencies` ({})",
                count(spec.constraints.len(), "constraint", "constraints")
            ));
        }

        if let Some(url) = &spec.index {
            let mut entry = Table::new();
            entry.insert("name", Item::Value(string_value("default")));
            entry.insert("url", Item::Value(string_value(url)));
            entry.insert("default", Item::Value(value("true")));
            match uv.get_mut("index") {
                None => {
                    entry.set_position(Some(sub_pos()));
                    let mut aot = ArrayOfTables::new();
                    aot.push(entry);
                    uv.insert("index", Item::ArrayOfTables(aot));
                }
                Some(Item::ArrayOfTables(aot)) => {
                    let same = aot.iter().any(|t| {
                        t.get("url")
                            .and_then(Item::as_str)
                            .is_some_and(|u| u.trim_end_matches('/') == url.trim_end_matches('/'))
                    });
                    let clash = aot.iter().any(|t| {
                        t.get("default").and_then(Item::as_bool) == Some(true)
                            || t.get("name").and_then(Item::as_str) == Some("default")
                    });
                    if clash && !same {
                        return Err(InitError::stop_with_help(
                            "`pyproject.toml` already declares a default index (or one named `default`), and `--index-url` names another",
                            "make the requirements files and `[[tool.uv.index]]` agree on the index, then run again",
                        ));
                    }
                    if !same {
                        let last = aot.iter().filter_map(Table::position).max();
                        entry.set_position(Some(last.unwrap_or_else(&mut sub_pos)));
                        aot.push(entry);
                    }
                }
                Some(_) => return Err(cannot_edit("tool.uv.index")),
            }
            what.push(format!(
                "add the default index `{url}` (from `--index-url`)"
            ));
        }

        if !spec.sources.is_empty() {
            if uv.get("sources").is_none() {
                let mut t = Table::new();
                t.set_position(Some(sub_pos()));
                uv.insert("sources", Item::Table(t));
            }
            let Some(Item::Table(sources)) = uv.get_mut("sources") else {
                return Err(cannot_edit("tool.uv.sources"));
            };
            for (name, s) in &spec.sources {
                if sources.iter().any(|(k, _)| normalize(k) == *name) {
                    return Err(InitError::stop_with_help(
                        format!(
                            "`pyproject.toml` already has a `[tool.uv.sources]` entry for `{name}`"
                        ),
                        "remove it or the requirements line installing the package from a path, then run again",
                    ));
                }
                let text = match s.editable {
                    Some(e) => format!("{{ path = {}, editable = {e} }}", basic_string(&s.path)),
                    None => format!("{{ path = {} }}", basic_string(&s.path)),
                };
                sources.insert(name, Item::Value(value(&text)));
            }
            let names: Vec<String> = spec.sources.iter().map(|(n, _)| n.clone()).collect();
            what.push(format!(
                "install {} from local paths (`[tool.uv.sources]`)",
                list_names(&names)
            ));
        }
    }

    // A blank line between the new tables and the file's first table.
    if had_tables
        && !had_project
        && let Some(t) = table_at(doc.as_table_mut(), first_existing, true)
    {
        let prefix = t
            .decor()
            .prefix()
            .and_then(|p| p.as_str())
            .unwrap_or("")
            .to_owned();
        t.decor_mut().set_prefix(format!("\n{prefix}"));
    }
    let mut text = doc.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok((text, what))
}

/// Parses the planned file back: a bug here must not reach the disk.
fn check_rendered(path: &Path, text: &str, spec: &Spec) -> Result<(), InitError> {
    let bug = |why: String| {
        InitError::stop(format!(
            "cordon planned an invalid `pyproject.toml` ({why}); this is a bug in cordon, nothing was written"
        ))
    };
    let parsed =
        PyProject::parse(Source::from_string(path, text.to_owned())).map_err(|e| bug(e.message))?;
    let main = parsed
        .requirements
        .iter()
        .filter(|r| r.declared_in == DeclaredIn::Dependencies)
        .count();
    if main != spec.main.len() {
        return Err(bug(format!(
            "{main} dependencies instead of {}",
            spec.main.len()
        )));
    }
    if let Some(r) = parsed.requirements.iter().find(|r| r.parsed.is_err()) {
        return Err(bug(format!("`{}` is not PEP 508", r.raw)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cordon_python::requirement::DeclaredIn;

    const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";
    const SHA_A: &str = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const SHA_B: &str = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    /// A project directory named `demo-app` inside a temporary directory.
    struct Project {
        _tmp: tempfile::TempDir,
        root: PathBuf,
    }

    impl Project {
        fn new() -> Self {
            let tmp = tempfile::tempdir().unwrap();
            let root = tmp.path().join("demo-app");
            std::fs::create_dir(&root).unwrap();
            Self { _tmp: tmp, root }
        }

        fn write(&self, rel: &str, text: &str) -> &Self {
            let path = self.root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
            self
        }

        fn plan(&self) -> Migration {
            match plan(&self.root) {
                Ok(m) => m,
                Err(e) => panic!("{e}: {e:?}"),
            }
        }

        fn error(&self) -> InitError {
            plan(&self.root).unwrap_err()
        }
    }

    /// The requirement strings of `[project] dependencies` and of each group, as parsed back.
    fn parsed(m: &Migration) -> (Vec<String>, Vec<(String, String)>, PyProject) {
        let p = PyProject::parse(Source::from_string(
            m.pyproject.path.clone(),
            m.pyproject.after.clone(),
        ))
        .unwrap();
        let main = p
            .requirements
            .iter()
            .filter(|r| r.declared_in == DeclaredIn::Dependencies)
            .map(|r| {
                assert!(r.parsed.is_ok(), "{}", r.raw);
                r.raw.clone()
            })
            .collect();
        let groups = p
            .requirements
            .iter()
            .filter_map(|r| match &r.declared_in {
                DeclaredIn::DependencyGroup(g) => Some((g.clone(), r.raw.clone())),
                _ => None,
            })
            .collect();
        (main, groups, p)
    }

    /// The file, 1-based line and spanned text of a parse error.
    fn at(e: &InitError) -> (String, usize, String) {
        let InitError::Parse(p) = e else {
            panic!("not a parse error: {e:?}")
        };
        let text = std::fs::read_to_string(&p.path).unwrap();
        let span = p.span.clone().unwrap();
        let line = text[..span.start].matches('\n').count() + 1;
        (file_name(&p.path), line, text[span].to_owned())
    }

    fn message(e: &InitError) -> String {
        match e {
            InitError::Parse(p) => {
                format!("{} / {}", p.message, p.help.clone().unwrap_or_default())
            }
            InitError::Stop { message, help } => {
                format!("{message} / {}", help.clone().unwrap_or_default())
            }
            InitError::Write { .. } => e.to_string(),
        }
    }

    #[test]
    fn plain_requirements_become_project_dependencies() {
        let p = Project::new();
        p.write(
            "requirements.txt",
            "# web app\nrequests==2.32.3\nFlask>=3.0  # the framework\nclick\nrich[jupyter]==13.7.1\n",
        );
        let m = p.plan();
        assert_eq!(m.pyproject.before, None);
        assert_eq!(m.pyproject.path, p.root.join("pyproject.toml"));
        assert_eq!(
            m.pyproject.after,
            r#"[project]
name = "demo-app"
version = "0.0.0"
dependencies = [
    "requests==2.32.3",
    "Flask>=3.0",
    "click",
    "rich[jupyter]==13.7.1",
]
"#
        );
        let (main, groups, project) = parsed(&m);
        assert_eq!(
            main,
            [
                "requests==2.32.3",
                "Flask>=3.0",
                "click",
                "rich[jupyter]==13.7.1"
            ]
        );
        assert!(groups.is_empty());
        assert_eq!(project.name.as_deref(), Some("demo-app"));
        assert_eq!(
            m.exports,
            [Export {
                path: p.root.join("requirements.txt"),
                group: None,
                with_main: false,
                before: std::fs::read_to_string(p.root.join("requirements.txt")).unwrap(),
            }]
        );
        assert!(
            m.notes
                .iter()
                .any(|n| n.contains("moved 4 requirements from `requirements.txt`")),
            "{:?}",
            m.notes
        );
    }

    #[test]
    fn a_dev_file_including_the_main_file_keeps_only_its_own_lines() {
        let p = Project::new();
        p.write("requirements.txt", "django==5.0.6\nrequests==2.32.3\n");
        p.write(
            "requirements-dev.txt",
            "-r requirements.txt\npytest==8.2.0\nrequests==2.32.3\n",
        );
        p.write("requirements-docs.txt", "sphinx==7.3.7\n");
        let m = p.plan();
        let (main, groups, _) = parsed(&m);
        assert_eq!(main, ["django==5.0.6", "requests==2.32.3"]);
        // A duplicate of a main requirement in a group is fine.
        assert_eq!(
            groups,
            [
                ("dev".to_owned(), "pytest==8.2.0".to_owned()),
                ("dev".to_owned(), "requests==2.32.3".to_owned()),
                ("docs".to_owned(), "sphinx==7.3.7".to_owned()),
            ]
        );
        assert!(m.pyproject.after.ends_with(
            "[dependency-groups]\ndev = [\n    \"pytest==8.2.0\",\n    \"requests==2.32.3\",\n]\ndocs = [\n    \"sphinx==7.3.7\",\n]\n"
        ), "{}", m.pyproject.after);
        let shape: Vec<(String, Option<String>, bool)> = m
            .exports
            .iter()
            .map(|e| (file_name(&e.path), e.group.clone(), e.with_main))
            .collect();
        assert_eq!(
            shape,
            [
                ("requirements.txt".to_owned(), None, false),
                (
                    "requirements-dev.txt".to_owned(),
                    Some("dev".to_owned()),
                    true
                ),
                (
                    "requirements-docs.txt".to_owned(),
                    Some("docs".to_owned()),
                    false
                ),
            ]
        );
        assert_eq!(
            export_args(&m.exports[1], &p.root),
            [
                "export",
                "--locked",
                "--format",
                "requirements-txt",
                "--no-emit-project",
                "--no-default-groups",
                "--group",
                "dev",
                "--no-header",
                "-o",
                "requirements-dev.txt"
            ]
        );
        assert_eq!(
            export_args(&m.exports[2], &p.root)[5..],
            [
                "--only-group",
                "docs",
                "--no-header",
                "-o",
                "requirements-docs.txt"
            ]
        );
        assert!(
            m.notes.iter().any(|n| n.contains("`--group docs`")),
            "{:?}",
            m.notes
        );
    }

    #[test]
    fn export_header_names_the_command_that_regenerates_the_file() {
        let root = Path::new("/work/demo");
        let main = Export {
            path: root.join("requirements.txt"),
            group: None,
            with_main: false,
            before: String::new(),
        };
        assert_eq!(
            export_header(&main, root),
            "# Generated by `cordon init --migrate` from uv.lock — do not edit.\n\
             # Change dependencies in pyproject.toml, run `uv lock`, then regenerate with the command below.\n\
             # This file was autogenerated by uv via the following command:\n\
             #    uv export --locked --format requirements-txt --no-emit-project --no-default-groups -o requirements.txt\n"
        );
        assert_eq!(
            export_args(&main, root),
            [
                "export",
                "--locked",
                "--format",
                "requirements-txt",
                "--no-emit-project",
                "--no-default-groups",
                "--no-header",
                "-o",
                "requirements.txt"
            ]
        );
        let dev = Export {
            path: root.join("requirements/dev tools.txt"),
            group: Some("dev".into()),
            with_main: false,
            before: String::new(),
        };
        assert!(
            export_header(&dev, root).ends_with(
                "#    uv export --locked --format requirements-txt --no-emit-project --only-group dev -o 'requirements/dev tools.txt'\n"
            ),
            "{}",
            export_header(&dev, root)
        );
        // The header reads as uv's own export header to `cordon check`.
        let text = format!(
            "{}alpha==1.0 \\\n    --hash={SHA_A}\n",
            export_header(&dev, root)
        );
        let f = cordon_python::requirements_txt::RequirementsFile::parse(Source::from_string(
            root.join("requirements.txt"),
            text,
        ));
        assert_eq!(f.generator(), Some(Generator::UvExport));
    }

    #[test]
    fn an_in_file_is_the_source_and_its_compiled_txt_keeps_the_versions() {
        let p = Project::new();
        p.write(
            "requirements.in",
            "django>=4.2\nrequests\ncelery[redis] ; sys_platform != 'win32'\nattrs>=30\n",
        );
        p.write(
            "requirements.txt",
            &format!(
                "#\n# This file is autogenerated by pip-compile with Python 3.12\n# by the following command:\n#\n#    pip-compile --generate-hashes requirements.in\n#\n\
                 asgiref==3.8.1 \\\n    --hash={SHA_A}\n    # via django\n\
                 attrs==23.2.0\n    # via -r requirements.in\n\
                 celery[redis]==5.4.0 ; sys_platform != 'win32'\n    # via -r requirements.in\n\
                 django==4.2.13 \\\n    --hash={SHA_B}\n    # via -r requirements.in\n\
                 requests==2.32.3\n    # via -r requirements.in\n"
            ),
        );
        let m = p.plan();
        let (main, _, _) = parsed(&m);
        assert_eq!(
            main,
            [
                "django==4.2.13",
                "requests==2.32.3",
                "celery[redis]==5.4.0 ; sys_platform != 'win32'",
                // The compiled version does not satisfy the source: left as written.
                "attrs>=30",
            ]
        );
        assert_eq!(m.exports.len(), 1);
        assert_eq!(m.exports[0].path, p.root.join("requirements.txt"));
        assert!(m.exports[0].before.contains("pip-compile"));
        let notes = m.notes.join("\n");
        assert!(
            notes.contains("took the versions of `django`, `requests`, `celery`"),
            "{notes}"
        );
        assert!(notes.contains("`requirements.in` is superseded"), "{notes}");
        assert!(
            notes.contains("`attrs==23.2.0` does not satisfy `attrs>=30`"),
            "{notes}"
        );
        // Hashes of the compiled file are not "dropped": the export writes them again.
        assert!(!notes.contains("--hash"), "{notes}");
    }

    #[test]
    fn hashes_and_require_hashes_are_dropped_with_a_note() {
        let p = Project::new();
        p.write(
            "requirements.txt",
            &format!(
                "--require-hashes\nalpha==1.0 \\\n    --hash={SHA_A} \\\n    --hash={SHA_B}\nbeta==2.0 --hash={SHA_B}\n"
            ),
        );
        let m = p.plan();
        let (main, _, _) = parsed(&m);
        assert_eq!(main, ["alpha==1.0", "beta==2.0"]);
        let hash_notes: Vec<&String> = m.notes.iter().filter(|n| n.contains("--hash")).collect();
        assert_eq!(hash_notes.len(), 1, "{:?}", m.notes);
        assert!(
            m.notes
                .iter()
                .any(|n| n.contains("dropped `--require-hashes`")),
            "{:?}",
            m.notes
        );
    }

    #[test]
    fn index_url_becomes_the_default_index() {
        let p = Project::new();
        p.write(
            "requirements.txt",
            "--index-url https://example.com/simple\nalpha==1.0\n",
        );
        p.write(
            "requirements-dev.txt",
            "-i https://example.com/simple/\nbeta\n",
        );
        let m = p.plan();
        assert_eq!(
            m.pyproject.after,
            r#"[project]
name = "demo-app"
version = "0.0.0"
dependencies = [
    "alpha==1.0",
]

[dependency-groups]
dev = [
    "beta",
]

[[tool.uv.index]]
name = "default"
url = "https://example.com/simple"
default = true
"#
        );
        let (_, _, project) = parsed(&m);
        let uv = project.tool_uv().unwrap();
        let index = uv.get("index").unwrap().as_array_of_tables().unwrap();
        assert_eq!(index.len(), 1);
        assert!(
            m.notes
                .iter()
                .any(|n| n.contains("`--index-url https://example.com/simple`")),
            "{:?}",
            m.notes
        );
    }

    #[test]
    fn an_index_url_with_credentials_stops_without_showing_them() {
        let p = Project::new();
        p.write(
            "requirements.txt",
            "alpha==1.0\n--index-url https://user:s3cret@example.com/simple\n",
        );
        let e = p.error();
        assert!(matches!(e, InitError::Stop { .. }), "{e:?}");
        let text = message(&e);
        assert!(text.contains("`requirements.txt` line 2"), "{text}");
        assert!(text.contains("https://***@example.com/simple"), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
        assert!(!p.root.join("pyproject.toml").exists());
    }

    #[test]
    fn a_second_different_index_url_is_an_error() {
        let p = Project::new();
        p.write("requirements.txt", "-i https://example.com/simple\nalpha\n");
        p.write(
            "requirements-dev.txt",
            "-i https://example.org/simple\nbeta\n",
        );
        let e = p.error();
        assert_eq!(
            at(&e),
            (
                "requirements-dev.txt".to_owned(),
                1,
                "-i https://example.org/simple".to_owned()
            )
        );
    }

    #[test]
    fn extra_index_url_is_an_error_naming_the_line() {
        let p = Project::new();
        p.write(
            "requirements.txt",
            "alpha==1.0\n--extra-index-url https://example.com/private/simple\nbeta==2.0\n",
        );
        let e = p.error();
        assert_eq!(
            at(&e),
            (
                "requirements.txt".to_owned(),
                2,
                "--extra-index-url https://example.com/private/simple".to_owned()
            )
        );
        let text = message(&e);
        assert!(
            text.contains("cordon cannot carry over `--extra-index-url`"),
            "{text}"
        );
        assert!(text.contains("explicit = true"), "{text}");
        assert!(text.contains("[tool.uv.sources]"), "{text}");
    }

    #[test]
    fn other_pip_options_are_errors_at_their_line() {
        for (option, flag) in [
            ("--find-links ./wheels", "--find-links"),
            ("--trusted-host example.com", "--trusted-host"),
            ("--no-index", "--no-index"),
            ("--no-binary :all:", "--no-binary"),
            ("--only-binary numpy", "--only-binary"),
            ("--pre", "--pre"),
            ("--prefer-binary", "--prefer-binary"),
        ] {
            let p = Project::new();
            p.write("requirements-dev.txt", &format!("alpha\n{option}\n"));
            let e = p.error();
            assert_eq!(at(&e).1, 2, "{option}");
            assert!(
                message(&e).contains(&format!("`{flag}`")),
                "{}",
                message(&e)
            );
        }
        // A line the parser cannot read stops the migration too.
        let p = Project::new();
        p.write("requirements.txt", "alpha==1.0\nbeta >>> 2\n");
        let e = p.error();
        assert_eq!(
            at(&e),
            ("requirements.txt".to_owned(), 2, "beta >>> 2".to_owned())
        );
    }

    #[test]
    fn an_editable_local_path_becomes_a_path_source() {
        let p = Project::new();
        p.write(
            "libs/foo/pyproject.toml",
            "[project]\nname = \"Foo\"\nversion = \"1.0\"\n",
        );
        p.write("libs/bar/setup.cfg", "[metadata]\nname = bar_lib\n");
        p.write("requirements.txt", "requests==2.32.3\n./libs/bar\n");
        p.write("requirements/dev.txt", "-e ../libs/foo[test]\npytest\n");
        let m = p.plan();
        let (main, groups, project) = parsed(&m);
        assert_eq!(main, ["requests==2.32.3", "bar-lib"]);
        assert_eq!(
            groups,
            [
                ("dev".to_owned(), "foo[test]".to_owned()),
                ("dev".to_owned(), "pytest".to_owned())
            ]
        );
        let sources: Vec<(String, cordon_python::pyproject::SourceKind)> = project
            .sources
            .iter()
            .map(|s| (s.package.clone(), s.kind.clone()))
            .collect();
        assert_eq!(
            sources,
            [
                (
                    "bar-lib".to_owned(),
                    cordon_python::pyproject::SourceKind::Path {
                        path: "libs/bar".into(),
                        editable: false
                    }
                ),
                (
                    "foo".to_owned(),
                    cordon_python::pyproject::SourceKind::Path {
                        path: "libs/foo".into(),
                        editable: true
                    }
                ),
            ]
        );
        assert!(
            m.pyproject.after.ends_with(
                "[tool.uv.sources]\nbar-lib = { path = \"libs/bar\", editable = false }\nfoo = { path = \"libs/foo\", editable = true }\n"
            ),
            "{}",
            m.pyproject.after
        );
    }

    #[test]
    fn a_local_path_without_a_known_name_is_an_error() {
        let p = Project::new();
        p.write(
            "libs/legacy/setup.py",
            "from setuptools import setup\nsetup()\n",
        );
        p.write("requirements.txt", "alpha\n-e ./libs/legacy\n");
        let e = p.error();
        assert_eq!(
            at(&e),
            ("requirements.txt".to_owned(), 2, "./libs/legacy".to_owned())
        );
        assert!(
            message(&e).contains("never runs `setup.py`"),
            "{}",
            message(&e)
        );
        // `#egg=` names it.
        p.write("requirements.txt", "alpha\n-e ./libs/legacy#egg=legacy\n");
        let (main, _, _) = parsed(&p.plan());
        assert_eq!(main, ["alpha", "legacy"]);
    }

    #[test]
    fn a_missing_local_path_is_an_error_at_its_line() {
        let p = Project::new();
        p.write("requirements.txt", "alpha==1.0\n\n-e ./libs/gone\n");
        let e = p.error();
        assert_eq!(
            at(&e),
            ("requirements.txt".to_owned(), 3, "./libs/gone".to_owned())
        );
        assert!(
            message(&e).contains("local path `./libs/gone` does not exist"),
            "{}",
            message(&e)
        );
    }

    #[test]
    fn vcs_urls_become_direct_references() {
        let p = Project::new();
        p.write(
            "requirements.txt",
            &format!(
                "git+https://example.com/org/tool.git@{COMMIT}#egg=tool\n\
                 -e git+https://example.com/org/other.git@v1.2#egg=Other&subdirectory=py\n\
                 named @ git+https://example.com/org/named.git@{COMMIT}\n"
            ),
        );
        let m = p.plan();
        let (main, _, _) = parsed(&m);
        assert_eq!(
            main,
            [
                format!("tool @ git+https://example.com/org/tool.git@{COMMIT}"),
                "other @ git+https://example.com/org/other.git@v1.2#subdirectory=py".to_owned(),
                format!("named @ git+https://example.com/org/named.git@{COMMIT}"),
            ]
        );
        assert!(
            m.notes
                .iter()
                .any(|n| n.contains("not as an editable checkout")),
            "{:?}",
            m.notes
        );
        // Without a name, the line is an error.
        p.write(
            "requirements.txt",
            &format!("alpha\ngit+https://example.com/org/tool.git@{COMMIT}\n"),
        );
        let e = p.error();
        assert_eq!(at(&e).1, 2);
        assert!(message(&e).contains("#egg=<name>"), "{}", message(&e));
        // Nor are tokens in the URL copied.
        p.write(
            "requirements.txt",
            "tool @ git+https://token@example.com/org/tool.git@main\n",
        );
        assert!(matches!(p.error(), InitError::Stop { .. }));
    }

    #[test]
    fn markers_are_kept_as_written() {
        let p = Project::new();
        p.write(
            "requirements.txt",
            "numpy==1.24.4 ; python_version < \"3.9\"\nnumpy==1.26.4 ; python_version >= \"3.9\"\npywin32==306; sys_platform == 'win32'\n",
        );
        let m = p.plan();
        let (main, _, _) = parsed(&m);
        assert_eq!(
            main,
            [
                "numpy==1.24.4 ; python_version < \"3.9\"",
                "numpy==1.26.4 ; python_version >= \"3.9\"",
                "pywin32==306; sys_platform == 'win32'",
            ]
        );
        assert!(
            m.pyproject
                .after
                .contains("    \"numpy==1.24.4 ; python_version < \\\"3.9\\\"\",\n"),
            "{}",
            m.pyproject.after
        );
    }

    #[test]
    fn the_same_package_twice_in_one_file_is_an_error_at_the_second() {
        let p = Project::new();
        p.write("requirements.txt", "-r base.txt\nalpha==1.0\n");
        p.write("base.txt", "beta\nalpha==2.0\n");
        let e = p.error();
        assert_eq!(
            at(&e),
            ("requirements.txt".to_owned(), 2, "alpha==1.0".to_owned())
        );
        assert!(
            message(&e).contains("`alpha==2.0` (base.txt line 2)"),
            "{}",
            message(&e)
        );
        // The same requirement twice is kept once.
        p.write("requirements.txt", "-r base.txt\nalpha==2.0\n");
        let (main, _, _) = parsed(&p.plan());
        assert_eq!(main, ["beta", "alpha==2.0"]);
    }

    #[test]
    fn constraints_become_constraint_dependencies() {
        let p = Project::new();
        p.write("requirements.txt", "-c constraints.txt\nrequests\n");
        p.write(
            "constraints.txt",
            &format!("urllib3<3 --hash={SHA_A}\ncertifi>=2024.2.2\n"),
        );
        let m = p.plan();
        let (main, _, project) = parsed(&m);
        assert_eq!(main, ["requests"]);
        let uv = project.tool_uv().unwrap();
        let constraints: Vec<&str> = uv
            .get("constraint-dependencies")
            .and_then(Item::as_array)
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(constraints, ["urllib3<3", "certifi>=2024.2.2"]);
        assert!(m.pyproject.after.contains(
            "[tool.uv]\nconstraint-dependencies = [\n    \"urllib3<3\",\n    \"certifi>=2024.2.2\",\n]\n"
        ), "{}", m.pyproject.after);
        // The constraints file is not rewritten.
        assert_eq!(m.exports.len(), 1);
        assert!(
            m.notes
                .iter()
                .any(|n| n.contains("constraint-dependencies"))
        );
    }

    #[test]
    fn existing_pyproject_with_only_tool_tables_is_edited_in_place() {
        let p = Project::new();
        let ruff = "# Lint settings.\n[tool.ruff]\nline-length = 100   # wide\n\n[tool.ruff.lint]\nselect = ['E', \"F\"]\n";
        p.write("pyproject.toml", ruff);
        p.write("requirements.txt", "alpha==1.0\n");
        p.write("requirements-test.txt", "pytest\n");
        let m = p.plan();
        assert_eq!(m.pyproject.before.as_deref(), Some(ruff));
        assert_eq!(
            m.pyproject.after,
            format!(
                "[project]\nname = \"demo-app\"\nversion = \"0.0.0\"\ndependencies = [\n    \"alpha==1.0\",\n]\n\n\
                 [dependency-groups]\ntest = [\n    \"pytest\",\n]\n\n{ruff}"
            )
        );
        let (main, groups, _) = parsed(&m);
        assert_eq!(main, ["alpha==1.0"]);
        assert_eq!(groups, [("test".to_owned(), "pytest".to_owned())]);
    }

    #[test]
    fn existing_tool_uv_keeps_its_bytes_and_gains_sources() {
        let p = Project::new();
        let before = "[tool.uv]\nexclude-newer = \"7 days\"\n\n[tool.black]\nline-length = 88\n";
        p.write("pyproject.toml", before);
        p.write("libs/foo/pyproject.toml", "[project]\nname = \"foo\"\n");
        p.write("requirements.txt", "-e ./libs/foo\n");
        let m = p.plan();
        assert_eq!(
            m.pyproject.after,
            "[project]\nname = \"demo-app\"\nversion = \"0.0.0\"\ndependencies = [\n    \"foo\",\n]\n\n\
             [tool.uv]\nexclude-newer = \"7 days\"\n\n\
             [tool.uv.sources]\nfoo = { path = \"libs/foo\", editable = true }\n\n\
             [tool.black]\nline-length = 88\n"
        );
    }

    #[test]
    fn existing_project_table_without_dependencies_is_filled() {
        let p = Project::new();
        let before = "[project]\nname = \"my-service\"\ndescription = \"A service.\"\n\n[tool.ruff]\nline-length = 100\n";
        p.write("pyproject.toml", before);
        p.write("requirements.txt", "alpha==1.0\n");
        p.write("requirements-dev.txt", "pytest\n");
        let m = p.plan();
        assert_eq!(
            m.pyproject.after,
            "[project]\nname = \"my-service\"\ndescription = \"A service.\"\nversion = \"0.0.0\"\n\
             dependencies = [\n    \"alpha==1.0\",\n]\n\n[tool.ruff]\nline-length = 100\n\n\
             [dependency-groups]\ndev = [\n    \"pytest\",\n]\n"
        );
    }

    #[test]
    fn existing_pyproject_with_dependencies_stops() {
        let p = Project::new();
        p.write(
            "pyproject.toml",
            "[project]\nname = \"x\"\nversion = \"1\"\ndependencies = [\"alpha\"]\n",
        );
        p.write("requirements.txt", "alpha==1.0\n");
        let e = p.error();
        assert!(matches!(e, InitError::Stop { .. }), "{e:?}");
        let text = message(&e);
        assert!(text.contains("already declares dependencies"), "{text}");
        assert!(text.contains("without `--migrate`"), "{text}");
        // So does a setup.py, whose metadata a new `[project]` would override.
        let p = Project::new();
        p.write(
            "setup.py",
            "from setuptools import setup\nsetup(name='x')\n",
        );
        p.write("requirements.txt", "alpha==1.0\n");
        assert!(message(&p.error()).contains("`setup.py`"));
    }

    #[test]
    fn no_requirements_file_stops() {
        let p = Project::new();
        p.write("README.txt", "hello\n");
        p.write("constraints.txt", "alpha<2\n");
        let e = p.error();
        assert!(matches!(e, InitError::Stop { .. }), "{e:?}");
        assert!(
            message(&e).contains("no requirements files to migrate"),
            "{}",
            message(&e)
        );
    }

    #[test]
    fn python_version_sets_requires_python() {
        for (file, spec) in [("3.12\n", ">=3.12"), ("cpython-3.11.4\n", ">=3.11")] {
            let p = Project::new();
            p.write(".python-version", file);
            p.write("requirements.txt", "alpha==1.0\n");
            let m = p.plan();
            assert!(
                m.pyproject.after.starts_with(&format!(
                    "[project]\nname = \"demo-app\"\nversion = \"0.0.0\"\nrequires-python = \"{spec}\"\ndependencies = [\n"
                )),
                "{}",
                m.pyproject.after
            );
            let (_, _, project) = parsed(&m);
            assert_eq!(project.requires_python.unwrap().0, spec);
        }
    }

    #[test]
    fn a_requirements_directory_layout() {
        let p = Project::new();
        p.write("requirements/base.txt", "django==5.0.6\n");
        p.write("requirements/prod.txt", "-r base.txt\ngunicorn==22.0.0\n");
        p.write(
            "requirements/dev.txt",
            "-r base.txt\n-r tests.txt\nipython\n",
        );
        p.write("requirements/tests.txt", "pytest==8.2.0\n");
        let m = p.plan();
        let (main, groups, _) = parsed(&m);
        assert_eq!(main, ["django==5.0.6"]);
        assert_eq!(
            groups,
            [
                ("dev".to_owned(), "ipython".to_owned()),
                ("prod".to_owned(), "gunicorn==22.0.0".to_owned()),
                ("test".to_owned(), "pytest==8.2.0".to_owned()),
            ]
        );
        assert!(
            m.pyproject
                .after
                .contains("dev = [\n    { include-group = \"test\" },\n    \"ipython\",\n]\n"),
            "{}",
            m.pyproject.after
        );
        let shape: Vec<(String, Option<String>, bool)> = m
            .exports
            .iter()
            .map(|e| {
                (
                    rel(&absolute(&p.root), &e.path),
                    e.group.clone(),
                    e.with_main,
                )
            })
            .collect();
        assert_eq!(
            shape,
            [
                ("requirements/base.txt".to_owned(), None, false),
                (
                    "requirements/dev.txt".to_owned(),
                    Some("dev".to_owned()),
                    true
                ),
                (
                    "requirements/prod.txt".to_owned(),
                    Some("prod".to_owned()),
                    true
                ),
                (
                    "requirements/tests.txt".to_owned(),
                    Some("test".to_owned()),
                    false
                ),
            ]
        );
    }

    #[test]
    fn files_cordon_cannot_place_stop() {
        let p = Project::new();
        p.write("requirements.txt", "alpha\n");
        p.write("requirements-test.txt", "pytest\n");
        p.write("test-requirements.txt", "pytest\n");
        assert!(message(&p.error()).contains("would both become the dependency group `test`"));
        let p = Project::new();
        p.write("myrequirements.txt", "alpha\n");
        assert!(message(&p.error()).contains("`myrequirements.txt`"));
    }

    #[test]
    fn minus_e_dot_is_the_project_itself() {
        let p = Project::new();
        p.write("requirements.txt", "alpha==1.0\n");
        p.write("requirements-dev.txt", "-e .\npytest\n");
        let m = p.plan();
        let (_, groups, _) = parsed(&m);
        assert_eq!(groups, [("dev".to_owned(), "pytest".to_owned())]);
        assert!(
            m.notes
                .iter()
                .any(|n| n.contains("installs this project itself"))
        );
    }

    #[test]
    fn a_dependency_named_like_the_directory_renames_the_project() {
        let p = Project::new();
        p.write("requirements.txt", "Demo_App==1.0\n");
        let (_, _, project) = parsed(&p.plan());
        assert_eq!(project.name.as_deref(), Some("demo-app-project"));
    }

    #[test]
    fn pip_tools_groups_constrained_by_the_main_output() {
        let p = Project::new();
        p.write("requirements.in", "django\n");
        p.write("requirements.txt", "asgiref==3.8.1\ndjango==5.0.6\n");
        p.write("requirements-dev.in", "-c requirements.txt\npytest\n");
        p.write("requirements-dev.txt", "pytest==8.2.0\n");
        p.write("requirements-lint.in", "ruff\n");
        let m = p.plan();
        let (main, groups, project) = parsed(&m);
        assert_eq!(main, ["django==5.0.6"]);
        assert_eq!(
            groups,
            [
                ("dev".to_owned(), "pytest==8.2.0".to_owned()),
                ("lint".to_owned(), "ruff".to_owned())
            ]
        );
        // The `-c` of a migrated file is not a constraint to carry over.
        assert!(
            project
                .tool_uv()
                .is_none_or(|uv| uv.get("constraint-dependencies").is_none())
        );
        let exported: Vec<String> = m.exports.iter().map(|e| file_name(&e.path)).collect();
        // A lone `.in` is exported into itself.
        assert_eq!(
            exported,
            [
                "requirements.txt",
                "requirements-dev.txt",
                "requirements-lint.in"
            ]
        );
        let notes = m.notes.join("\n");
        assert!(
            notes.contains("dropped `-c requirements.txt` from `requirements-dev.in`"),
            "{notes}"
        );
        assert!(
            notes.contains("`requirements-lint.in` will be rewritten"),
            "{notes}"
        );
    }

    #[test]
    fn remote_includes_and_build_options_are_errors() {
        let p = Project::new();
        p.write(
            "requirements.txt",
            "alpha\n-r https://example.com/reqs.txt\n",
        );
        let e = p.error();
        assert_eq!(at(&e).1, 2);
        assert!(
            message(&e).contains("does not fetch remote files"),
            "{}",
            message(&e)
        );
        p.write(
            "requirements.txt",
            "alpha==1.0 --config-settings=editable_mode=compat\n",
        );
        let e = p.error();
        assert_eq!(at(&e).1, 1);
        assert!(
            message(&e).contains("`--config-settings`"),
            "{}",
            message(&e)
        );
    }

    #[test]
    fn the_same_requirement_spelled_differently_is_kept_once() {
        let p = Project::new();
        p.write(
            "requirements.txt",
            "alpha==1.0\nalpha == 1.0\nbeta[x,y]>=2 ; python_version < '3.13'\nBeta[y,x] >= 2;python_version<\"3.13\"\nbeta[z]>=2 ; python_version < '3.13'\n",
        );
        let (main, _, _) = parsed(&p.plan());
        assert_eq!(
            main,
            [
                "alpha==1.0",
                "beta[x,y]>=2 ; python_version < '3.13'",
                "beta[z]>=2 ; python_version < '3.13'"
            ]
        );
    }

    #[test]
    fn included_helper_files_are_merged_and_named_in_the_notes() {
        let p = Project::new();
        p.write("requirements.txt", "-r shared/common.txt\nalpha==1.0\n");
        p.write("requirements-test.txt", "-r shared/testing.txt\n");
        p.write("shared/common.txt", "beta==2.0\n");
        p.write("shared/testing.txt", "pytest==8.2.0\n");
        p.write("libs/baz/pyproject.toml", "[project]\nname = \"baz\"\n");
        p.write(
            "requirements-dev.txt",
            &format!("baz @ file://{}/libs/baz\n", p.root.display()),
        );
        let m = p.plan();
        let (main, groups, project) = parsed(&m);
        assert_eq!(main, ["beta==2.0", "alpha==1.0"]);
        assert_eq!(
            groups,
            [
                ("dev".to_owned(), "baz".to_owned()),
                ("test".to_owned(), "pytest==8.2.0".to_owned())
            ]
        );
        assert_eq!(
            project.sources[0].kind,
            cordon_python::pyproject::SourceKind::Path {
                path: "libs/baz".into(),
                editable: false
            }
        );
        let notes = m.notes.join("\n");
        assert!(
            notes.contains("from `requirements.txt` (with `shared/common.txt`)"),
            "{notes}"
        );
        assert!(notes.contains("`shared/testing.txt` was merged"), "{notes}");
        assert_eq!(m.exports.len(), 3);
    }

    #[test]
    fn helpers() {
        assert_eq!(project_name("My Project!"), "my-project");
        assert_eq!(project_name("__"), "project");
        assert_eq!(major_minor("pypy3.10"), Some((3, 10)));
        assert_eq!(major_minor("3"), None);
        assert_eq!(
            strip_egg("git+https://example.com/r@v1#egg=x&subdirectory=y"),
            "git+https://example.com/r@v1#subdirectory=y"
        );
        assert_eq!(local_path_text("file:///opt/my%20lib#egg=x"), "/opt/my lib");
        assert_eq!(local_path_text("file:../x"), "../x");
        assert_eq!(secret_in_url("git+ssh://git@example.com/r.git"), None);
        assert_eq!(
            secret_in_url("https://tok@example.com/simple").as_deref(),
            Some("https://***@example.com/simple")
        );
        assert!(secret_in_url("https://${TOKEN}@example.com/simple").is_some());
        assert_eq!(basic_string("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(
            classify_root("dev-requirements"),
            Some(Ok(Role::Group("dev".into())))
        );
        assert_eq!(
            classify_root("requirements_tests"),
            Some(Ok(Role::Group("test".into())))
        );
        assert_eq!(
            classify_root("requirements-lint"),
            Some(Ok(Role::Group("lint".into())))
        );
        assert_eq!(classify_root("notes"), None);
        assert_eq!(rel(Path::new("/a/b"), Path::new("/a/c/d")), "../c/d");
    }
}
