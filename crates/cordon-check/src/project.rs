//! Project discovery: from a path to the uv project (or workspace) it belongs to, with every
//! file cordon reads parsed once and kept as a diagnostics source for locations. A uv workspace
//! is one project: its root's configuration and lock apply to every member.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cordon_diagnostics::SourceFile;

use crate::agents::AgentFiles;
use crate::ci_scripts::AnalyzedCi;
use cordon_python::lock::{Lock, parse_lock};
use cordon_python::pyproject::PyProject;
use cordon_python::requirements_txt::RequirementsSet;
use cordon_python::settings::{Env, Settings};
use cordon_python::{ParseError, Source};

mod requirements;

/// Why a project could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("no Python project found in `{}`", .0.display())]
    NotFound(PathBuf),
    #[error(transparent)]
    Parse(#[from] ParseError),
}

/// A project (or uv workspace) ready for checks.
#[derive(Debug)]
pub struct Project {
    /// The directory all reported paths are relative to (the workspace root).
    pub root: PathBuf,
    /// The root `pyproject.toml`, if any (a directory may hold only requirements or `uv.toml`).
    pub pyproject: Option<PyProject>,
    /// Workspace members other than the root, in path order.
    pub members: Vec<PyProject>,
    pub settings: Settings,
    pub lock: Option<Lock>,
    /// Where the lock is, or would be.
    pub lock_path: PathBuf,
    /// Every loaded file as a diagnostics source, keyed by the path it was read from.
    pub files: HashMap<PathBuf, Arc<SourceFile>>,
    /// Agent instruction files and hook configurations.
    pub agents: AgentFiles,
    /// Requirements and constraints files at the root and in `requirements/`, and what they
    /// include (see `project/requirements.rs`).
    pub requirements: RequirementsSet,
    /// CI workflows, GitLab CI and Dockerfiles, with the install intents of their scripts.
    pub ci: Vec<AnalyzedCi>,
    /// Files cordon found but could not read at all (not UTF-8, unreadable); reported, not fatal.
    pub unreadable: Vec<ParseError>,
}

impl Project {
    /// Loads the project containing `path` (a directory or a `pyproject.toml`).
    pub fn load(path: &Path, env: &Env) -> Result<Self, ProjectError> {
        let dir = if path.is_file() {
            path.parent().unwrap_or(Path::new(".")).to_path_buf()
        } else {
            path.to_path_buf()
        };
        if !dir.is_dir() {
            return Err(ProjectError::NotFound(dir));
        }
        let has_pyproject = dir.join("pyproject.toml").is_file();
        if !has_pyproject
            && !dir.join("uv.toml").is_file()
            && !dir.join("uv.lock").is_file()
            && requirements::discover(&dir).is_empty()
        {
            return Err(ProjectError::NotFound(dir));
        }
        let mut root = dir.clone();
        let mut pyproject = if has_pyproject {
            Some(PyProject::parse(Source::read(
                &dir.join("pyproject.toml"),
            )?)?)
        } else {
            None
        };
        // A member of a workspace is checked as the workspace: find a root above that lists it.
        if pyproject
            .as_ref()
            .is_some_and(|p| p.workspace_members.is_none())
            && let Some((ws_root, ws)) = find_workspace_root(&dir)
        {
            root = ws_root;
            pyproject = Some(ws);
        }
        let members = match &pyproject {
            Some(p) => load_members(&root, p)?,
            None => Vec::new(),
        };
        // uv refuses a manifest with an invalid requirement; so does cordon, at the line.
        for m in pyproject.iter().chain(members.iter()) {
            if let Some((r, e)) = m
                .requirements
                .iter()
                .find_map(|r| r.parsed.as_ref().err().map(|e| (r, e)))
            {
                return Err(ParseError::new(
                    &m.source.path,
                    Some(r.span.clone()),
                    format!("invalid requirement `{}`: {e}", r.raw),
                )
                .with_help(
                    "requirements follow PEP 508, e.g. `requests==2.32.3` or `name @ https://...`",
                )
                .into());
            }
        }
        let settings = Settings::discover(&root, pyproject.as_ref(), env)?;
        let lock_path = root.join("uv.lock");
        let lock = if lock_path.is_file() {
            Some(parse_lock(Source::read(&lock_path)?)?)
        } else {
            None
        };

        let mut files = HashMap::new();
        let mut add = |source: &Source| {
            let rel = display_path(&root, &source.path);
            files
                .entry(source.path.clone())
                .or_insert_with(|| SourceFile::new(rel, source.text.to_string()));
        };
        if let Some(p) = &pyproject {
            add(&p.source);
        }
        for m in &members {
            add(&m.source);
        }
        for f in &settings.files {
            add(&f.source);
        }
        if let Some(l) = &lock {
            add(&l.source);
        }
        let agents = AgentFiles::load(&root);
        for source in agents.sources() {
            add(source);
        }
        // Requirements files: problems inside them are findings, not load errors.
        let requirements = requirements::load(&root)?;
        for f in &requirements.files {
            add(&f.source);
        }
        // CI and container files: a broken one is reported, and the rest still checked.
        let mut ci = Vec::new();
        let mut unreadable = Vec::new();
        for path in crate::ci::discover(&root) {
            match Source::read(&path) {
                Ok(source) => {
                    if let Some(file) = crate::ci::parse(&source) {
                        add(&source);
                        ci.push(AnalyzedCi::new(file));
                    }
                }
                Err(e) => unreadable.push(e),
            }
        }
        Ok(Self {
            root,
            pyproject,
            members,
            settings,
            lock,
            lock_path,
            files,
            agents,
            requirements,
            ci,
            unreadable,
        })
    }

    /// True when the requirements file `name`, as a CI script in `ci_path` would pass it to
    /// pip, installs under pip's hash-checking mode (any entry hashed, or `--require-hashes`);
    /// with `strict` (uv's rule), every remote entry must be hashed.
    pub fn requirements_file_is_hashed(
        &self,
        ci_path: &Path,
        script: &crate::ci::Script,
        name: &str,
        strict: bool,
    ) -> bool {
        let base = match script.working_directory.as_deref() {
            Some(dir) => self.root.join(dir),
            // Dockerfiles run where the build context puts them; workflows at the repository root.
            None => match crate::ci::CiKind::detect(ci_path) {
                Some(crate::ci::CiKind::Dockerfile) => ci_path
                    .parent()
                    .map_or_else(|| self.root.clone(), Path::to_path_buf),
                _ => self.root.clone(),
            },
        };
        let name = name.trim_start_matches("./");
        [base.join(name), self.root.join(name)]
            .iter()
            .find_map(|p| self.requirements.index_of(p))
            .is_some_and(|i| {
                let install = self.requirements.install(i, false);
                if !strict {
                    return install.hash_checking;
                }
                // uv verifies the hashes it is given but installs unhashed lines as they come,
                // unless `--require-hashes` is in force: every remote entry must carry one.
                install
                    .files
                    .iter()
                    .any(|r| self.requirements.files[r.file].require_hashes())
                    || install.files.iter().filter(|r| !r.constraint).all(|r| {
                        self.requirements.files[r.file]
                            .installs()
                            .all(|l| l.kind.is_local() || !l.kind.hashes().is_empty())
                    })
            })
    }

    /// The root and every member manifest.
    pub fn manifests(&self) -> impl Iterator<Item = &PyProject> {
        self.pyproject.iter().chain(self.members.iter())
    }

    /// Normalized names of the root project and the workspace members.
    pub fn member_names(&self) -> Vec<String> {
        self.manifests().filter_map(|p| p.name.clone()).collect()
    }

    /// True when the project declares any dependency at all.
    pub fn has_dependencies(&self) -> bool {
        self.manifests().any(|p| !p.requirements.is_empty())
    }

    /// A path relative to the root, with `/` separators, for messages.
    pub fn rel(&self, path: &Path) -> String {
        display_path(&self.root, path)
    }
}

/// `path` relative to `root` with `/` separators; absolute when outside the root.
pub fn display_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let s = rel.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(ToOwned::to_owned).unwrap_or(s)
}

fn find_workspace_root(dir: &Path) -> Option<(PathBuf, PyProject)> {
    let abs = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    for ancestor in abs.ancestors().skip(1) {
        let candidate = ancestor.join("pyproject.toml");
        if !candidate.is_file() {
            continue;
        }
        let Ok(source) = Source::read(&candidate) else {
            continue;
        };
        // An unrelated, broken pyproject above us is not our business.
        let Ok(p) = PyProject::parse(source) else {
            continue;
        };
        if p.workspace_members.is_some() {
            let members = expand_members(ancestor, &p);
            if members.iter().any(|m| m == &abs) {
                return Some((ancestor.to_path_buf(), p));
            }
            return None;
        }
    }
    None
}

fn load_members(root: &Path, p: &PyProject) -> Result<Vec<PyProject>, ParseError> {
    let mut out = Vec::new();
    let abs_root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    for dir in expand_members(root, p) {
        if dir == abs_root || dir == root {
            continue;
        }
        let file = dir.join("pyproject.toml");
        if file.is_file() {
            // Read through the root-relative path so reported paths stay relative.
            let rel = dir
                .strip_prefix(&abs_root)
                .map_or_else(|_| file.clone(), |r| root.join(r).join("pyproject.toml"));
            out.push(PyProject::parse(Source::read(&rel)?)?);
        }
    }
    Ok(out)
}

/// Expands `[tool.uv.workspace] members` globs (`*`, `?`, one level per segment) into absolute
/// member directories, minus `exclude`.
fn expand_members(root: &Path, p: &PyProject) -> Vec<PathBuf> {
    let abs_root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let mut out = Vec::new();
    for (pattern, _) in p.workspace_members.iter().flatten() {
        let mut dirs = vec![abs_root.clone()];
        for seg in pattern.split('/').filter(|s| !s.is_empty() && *s != ".") {
            let mut next = Vec::new();
            for d in &dirs {
                if seg.contains(['*', '?']) {
                    if let Ok(rd) = std::fs::read_dir(d) {
                        let mut names: Vec<_> = rd
                            .filter_map(Result::ok)
                            .filter(|e| e.path().is_dir())
                            .collect();
                        names.sort_by_key(std::fs::DirEntry::file_name);
                        for e in names {
                            if glob_match(seg, &e.file_name().to_string_lossy()) {
                                next.push(e.path());
                            }
                        }
                    }
                } else {
                    next.push(d.join(seg));
                }
            }
            dirs = next;
        }
        out.extend(
            dirs.into_iter()
                .filter(|d| d.join("pyproject.toml").is_file()),
        );
    }
    let excluded: Vec<PathBuf> = p
        .workspace_exclude
        .iter()
        .map(|e| abs_root.join(e))
        .collect();
    out.retain(|d| !excluded.contains(d));
    out.sort();
    out.dedup();
    out
}

/// Matches one path segment against a pattern with `*` and `?`.
fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn segment_globs() {
        assert!(glob_match("*", "pkg"));
        assert!(glob_match("lib-*", "lib-a"));
        assert!(!glob_match("lib-*", "app"));
        assert!(glob_match("a?c", "abc"));
    }
}
