//! What a check sees: the project, the policy, "now", and helpers that turn parsed spans into
//! diagnostics locations. Read-only.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use cordon_diagnostics::{Finding, Location, SourceFile, Where};
use cordon_python::settings::Val;
use jiff::Timestamp;

use crate::checks::CheckMeta;
use crate::policy::Policy;
use crate::project::Project;
use crate::uv::UvLockCheck;

pub struct Context<'a> {
    pub project: &'a Project,
    pub policy: &'a Policy,
    /// The moment cooldowns are measured from (`--now`, `CORDON_NOW`, or the clock).
    pub now: Timestamp,
    /// The verdict of `uv lock --check --offline`, when `--uv` asked for it.
    pub uv_lock_check: Option<&'a UvLockCheck>,
    /// Reference data for the name checks (`cordon intel`), when loaded.
    pub names: Option<&'a crate::Names>,
    /// [`Context::named_packages`], found once for every check that reads it.
    named: std::sync::OnceLock<Vec<crate::names::Named>>,
}

impl<'a> Context<'a> {
    pub fn new(
        project: &'a Project,
        policy: &'a Policy,
        now: Timestamp,
        uv_lock_check: Option<&'a UvLockCheck>,
        names: Option<&'a crate::Names>,
    ) -> Self {
        Self {
            project,
            policy,
            now,
            uv_lock_check,
            names,
            named: std::sync::OnceLock::new(),
        }
    }

    /// Every package the project declares or locks, once each ([`crate::names::named_packages`]).
    pub fn named_packages(&self) -> &[crate::names::Named] {
        self.named
            .get_or_init(|| crate::names::named_packages(self))
    }
}

impl Context<'_> {
    /// The source file for `path`, if the project loaded it.
    pub fn file(&self, path: &Path) -> Option<&Arc<SourceFile>> {
        self.project.files.get(path)
    }

    /// A location in a loaded file; `None` if the file was not loaded.
    pub fn loc(&self, path: &Path, span: Range<usize>) -> Option<Location> {
        self.file(path).map(|f| Location::new(f, span))
    }

    /// Where a setting was written; `None` for the environment.
    pub fn loc_of<T>(&self, v: &Val<T>) -> Option<Location> {
        self.loc(v.file.as_deref()?, v.span.clone())
    }

    /// The key-and-value span of a setting (`key = value`).
    pub fn loc_of_entry<T>(&self, v: &Val<T>) -> Option<Location> {
        let start = v.key_span.start.min(v.span.start);
        self.loc(v.file.as_deref()?, start..v.span.end.max(v.key_span.end))
    }

    /// The anchor for project-wide findings about uv configuration: `[tool.uv]` (or the project
    /// uv.toml's start), else `[project]`, else project-wide.
    pub fn project_anchor(&self) -> Where {
        if let Some(f) = self
            .project
            .settings
            .project_files()
            .find(|f| f.origin == cordon_python::settings::Origin::ProjectUvToml)
            && let Some(l) = self.loc(&f.source.path, 0..0)
        {
            return Where::At(l);
        }
        match &self.project.pyproject {
            Some(p) => self
                .loc(&p.source.path, p.anchor_span())
                .map_or(Where::Project, Where::At),
            None => Where::Project,
        }
    }

    /// Starts a finding of `meta`'s id at its default severity.
    pub fn finding(
        &self,
        meta: &CheckMeta,
        message: impl Into<String>,
        help: impl Into<String>,
        at: impl Into<Where>,
    ) -> Finding {
        Finding::new(meta.id, meta.severity, message, help, at).fixable(meta.fixable)
    }
}
