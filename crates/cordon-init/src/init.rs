//! The `cordon init` flow (and, with a narrower [`Scope`], `cordon check --fix`):
//!
//! 1. plan the manifest edits in memory — migration from requirements files, uv settings,
//!    exact pins to the versions already locked — plus CI and agent files;
//! 2. with `--dry-run`, stop there and hand back the plan;
//! 3. otherwise record every file that may change, write the manifests, run the real `uv lock`
//!    (under the cooldown now configured), pin what had no locked version before and lock again,
//!    prove `uv lock --check` passes, export requirements files, write CI and agent files;
//! 4. on any failure put every recorded file back as it was and say why.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cordon_check::agents::Agent;
use cordon_check::{CheckOptions, Policy, Project, run_checks};
use cordon_python::exclude_newer::ExcludeNewer;
use cordon_python::lock::Lock;
use cordon_python::pyproject::PyProject;
use cordon_python::settings::{Env, Settings};
use cordon_python::{ParseError, Source};
use jiff::Timestamp;
use pep440_rs::Version;

use crate::change::{Backup, Change, InitError, write_all};
use crate::ci::{self, ManualEdit, Provider};
use crate::toml_edits::{self, Edits, FindingEdits, Target};
use crate::uv::{Uv, UvOutput, names_in_error};
use crate::{agents, migrate};

/// Which parts of the hardening to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// `exclude-newer`, `add-bounds`, `required-version`, and removing an unsafe index strategy.
    pub settings: bool,
    /// Only these of `exclude-newer`, `add-bounds`, `required-version`, `index-strategy`
    /// (`None`: all).
    pub setting_keys: Option<Vec<&'static str>>,
    /// Exact pins to the locked versions.
    pub pins: bool,
    /// Run `uv lock` when the manifests changed or the lock is missing or stale.
    pub lock: bool,
    /// Add `--locked` to `uv sync`/`uv run` in existing CI files.
    pub ci_fix: bool,
    /// Write a CI job for this provider.
    pub ci_job: Option<Provider>,
    /// Agent instruction files and hooks for these agents (`None`: leave agent files alone).
    pub agents: Option<Vec<Agent>>,
    /// Turn requirements files into a uv project first.
    pub migrate: bool,
}

impl Scope {
    /// Everything `cordon init` does, for the agents given (default: the ones detected).
    pub fn init(
        root: &Path,
        agents: Option<Vec<Agent>>,
        ci_job: Option<Provider>,
        migrate: bool,
    ) -> Self {
        Self {
            settings: true,
            setting_keys: None,
            pins: true,
            lock: true,
            ci_fix: true,
            ci_job,
            agents: Some(agents.unwrap_or_else(|| agents::detected(root))),
            migrate,
        }
    }
}

/// Options of one run.
#[derive(Debug, Clone)]
pub struct Options {
    pub scope: Scope,
    pub dry_run: bool,
    /// The clock the cooldown is measured against (for naming the releases that block).
    pub now: Timestamp,
    /// Run uv with `--offline` (its cache only).
    pub offline: bool,
}

/// What a run did (or, with `--dry-run`, would do).
#[derive(Debug, Default)]
pub struct Outcome {
    /// Every file written (or to be written), with its old and new text.
    pub changes: Vec<Change>,
    /// Edits cordon could not make safely: for the user to make.
    pub manual: Vec<ManualEdit>,
    /// Things the user should know (dependencies left unpinned, what --dry-run did not run).
    pub notes: Vec<String>,
    /// The uv commands run, in order.
    pub uv_runs: Vec<String>,
}

impl Outcome {
    /// Nothing to change: the project is already hardened.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.manual.is_empty()
    }
}

/// Runs init on the project at `path`.
pub fn run(path: &Path, env: &Env, options: &Options) -> Result<Outcome, InitError> {
    let scope = &options.scope;
    let project = Project::load(path, env).map_err(project_error)?;
    let root = project.root.clone();
    let uv = Uv {
        offline: options.offline,
        ..Uv::from_env(env)
    };
    let uv_version = uv.version()?;
    let mut out = Outcome::default();

    // 1. Manifests, in memory.
    let migration = if scope.migrate {
        Some(migrate::plan(&root)?)
    } else {
        None
    };
    let root_pyproject: Option<PyProject> = match &migration {
        Some(m) => Some(PyProject::parse(Source::from_string(
            m.pyproject.path.clone(),
            m.pyproject.after.clone(),
        ))?),
        None => project.pyproject.clone(),
    };
    let mut manifest_changes: Vec<Change> = migration.iter().map(|m| m.pyproject.clone()).collect();
    if let Some(m) = &migration {
        out.notes.extend(m.notes.iter().cloned());
    }
    if scope.settings {
        let (settings, policy) = if migration.is_some() {
            let pp = root_pyproject.as_ref();
            (
                Settings::discover(&root, pp, env)?,
                Policy::load(&root, pp)?,
            )
        } else {
            (
                Settings::discover(&root, project.pyproject.as_ref(), env)?,
                Policy::load(&root, project.pyproject.as_ref())?,
            )
        };
        let extra = if migration.is_some() {
            FindingEdits::default()
        } else {
            let report = run_checks(
                &project,
                &policy,
                &CheckOptions {
                    now: options.now,
                    uv_lock_check: None,
                    names: None,
                },
            );
            FindingEdits::from_report(&project, &report.findings)
        };
        let change = toml_edits::settings_for(
            &root,
            root_pyproject.as_ref(),
            &settings,
            &policy,
            &uv_version,
            scope.setting_keys.as_deref(),
            &extra,
        )?;
        manifest_changes.extend(change);
    }
    manifest_changes = compose(manifest_changes);
    if scope.pins
        && let Some(lock) = &project.lock
    {
        let (pins, notes) = pins_over(&project, &manifest_changes, lock)?;
        manifest_changes = compose(manifest_changes.into_iter().chain(pins).collect());
        // Without --dry-run the pins are planned again after locking; only then are the
        // unresolved ones worth saying.
        if options.dry_run {
            out.notes.extend(notes.into_iter().map(|n| n.message));
        }
    }
    let mut other_changes = Vec::new();
    if scope.ci_fix || scope.ci_job.is_some() {
        let plan = ci::plan(&project, scope.ci_job, &uv_version.to_string())?;
        other_changes.extend(plan.changes);
        out.manual.extend(plan.manual);
    }
    // An empty list still gets the policy block where instruction files lack one.
    if let Some(list) = &scope.agents {
        other_changes.extend(agents::plan(&root, list)?);
    }
    let other_changes = compose(other_changes);

    if options.dry_run {
        let manifests_change = manifest_changes.iter().any(|c| !c.is_noop());
        out.changes = manifest_changes
            .into_iter()
            .chain(other_changes)
            .filter(|c| !c.is_noop())
            .collect();
        if scope.lock && (manifests_change || project.lock.is_none()) {
            out.notes.push(
                "uv.lock would be re-resolved with `uv lock` under the cooldown (--dry-run does not run uv)".to_owned(),
            );
        }
        if let Some(m) = &migration {
            for e in &m.exports {
                out.notes.push(format!(
                    "`{}` would be rewritten as a hashed export of uv.lock",
                    display(&root, &e.path)
                ));
            }
        }
        return Ok(out);
    }

    // 2. Write, lock, verify; restore everything on failure.
    let lock_path = root.join("uv.lock");
    let mut paths: Vec<PathBuf> = manifest_changes
        .iter()
        .chain(other_changes.iter())
        .map(|c| c.path.clone())
        .chain(project.manifests().map(|m| m.source.path.clone()))
        .chain(std::iter::once(lock_path.clone()))
        .chain(
            migration
                .iter()
                .flat_map(|m| m.exports.iter().map(|e| e.path.clone())),
        )
        .collect();
    paths.sort();
    paths.dedup();
    let backup = Backup::of(paths.iter().map(PathBuf::as_path))?;
    let result = write_and_lock(
        &root,
        env,
        &uv,
        &project,
        &manifest_changes,
        &other_changes,
        migration.as_ref(),
        options,
        &mut out,
    );
    if let Err(e) = result {
        let failed = backup.restore();
        if !failed.is_empty() {
            return Err(InitError::stop(format!(
                "{e}\n\ncordon could not restore: {}",
                failed
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        return Err(e);
    }
    // Report what changed on disk, file by file, with the reasons gathered on the way.
    let mut reasons: BTreeMap<PathBuf, Vec<String>> = BTreeMap::new();
    for c in manifest_changes
        .iter()
        .chain(other_changes.iter())
        .chain(out.changes.iter())
    {
        reasons
            .entry(c.path.clone())
            .or_default()
            .extend(c.what.iter().cloned());
    }
    out.changes.clear();
    for (path, before) in backup.entries() {
        let after = std::fs::read(path).ok();
        if after.as_deref() == before.as_deref() {
            continue;
        }
        let mut what = reasons.remove(path).unwrap_or_default();
        what.dedup();
        if *path == lock_path && what.is_empty() {
            what.push("re-resolved by `uv lock` under the cooldown".to_owned());
        }
        out.changes.push(Change {
            path: path.clone(),
            before: before
                .as_ref()
                .map(|b| String::from_utf8_lossy(b).into_owned()),
            after: after
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default(),
            what,
        });
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn write_and_lock(
    root: &Path,
    env: &Env,
    uv: &Uv,
    project: &Project,
    manifest_changes: &[Change],
    other_changes: &[Change],
    migration: Option<&migrate::Migration>,
    options: &Options,
    out: &mut Outcome,
) -> Result<(), InitError> {
    let scope = &options.scope;
    let manifests_changed = manifest_changes.iter().any(|c| !c.is_noop());
    write_all(manifest_changes)?;
    if scope.lock {
        let needs_lock = manifests_changed
            || project.lock.is_none()
            || project
                .lock
                .as_ref()
                .is_some_and(|l| holds_release_after(l, cutoff(&project.settings, options.now)))
            || !run_uv(out, uv.lock_check(root)?).success;
        if needs_lock {
            relock(root, env, uv, project, options, out)?;
        }
        if scope.pins {
            let project = Project::load(root, env).map_err(project_error)?;
            if let Some(locked) = &project.lock {
                let (pins, notes) = toml_edits::plan_pins(&project, locked);
                out.notes.extend(notes.into_iter().map(|n| n.message));
                if !pins.is_empty() {
                    write_all(&pins)?;
                    out.changes.extend(pins);
                    relock(root, env, uv, &project, options, out)?;
                }
            }
        }
        if needs_lock || manifests_changed {
            let check = run_uv(out, uv.lock_check(root)?);
            if !check.success {
                return Err(InitError::stop_with_help(
                    format!(
                        "`uv lock --check` still fails after `uv lock`; every file was restored\n{}",
                        indent(&check.stderr)
                    ),
                    "run `uv lock` yourself to see why",
                ));
            }
        }
    }
    if let Some(m) = migration {
        let mut exports = Vec::new();
        for e in &m.exports {
            let args = migrate::export_args(e, root);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let o = run_uv(out, uv.run(root, &args)?);
            if !o.success {
                return Err(InitError::stop(format!(
                    "`{}` failed; every file was restored\n{}",
                    o.command,
                    indent(&o.stderr)
                )));
            }
            // uv wrote the file itself (`-o`); read it back and put cordon's header on top.
            let exported = std::fs::read_to_string(&e.path).map_err(|source| InitError::Write {
                path: e.path.clone(),
                source,
            })?;
            let header = migrate::export_header(e, root);
            let after = if exported.starts_with(&header) {
                exported.clone()
            } else {
                format!("{header}{exported}")
            };
            exports.push(Change::new(&e.path, Some(exported), after).with(
                "rewritten as a hashed export of uv.lock (generated: edit pyproject.toml instead)",
            ));
        }
        write_all(&exports)?;
        out.changes.extend(exports);
    }
    write_all(other_changes)?;
    Ok(())
}

/// `uv lock`, with a failure explained: which pinned releases are newer than the cooldown.
fn relock(
    root: &Path,
    env: &Env,
    uv: &Uv,
    before: &Project,
    options: &Options,
    out: &mut Outcome,
) -> Result<(), InitError> {
    // A lock holding releases newer than the cooldown passes `uv lock --check` and is kept by a
    // plain `uv lock`; `--refresh` makes uv look at upload times again.
    let now_project = Project::load(root, env).map_err(project_error)?;
    let cutoff = cutoff(&now_project.settings, options.now);
    let refresh = before
        .lock
        .as_ref()
        .is_some_and(|l| holds_release_after(l, cutoff));
    let args: &[&str] = if refresh {
        &["lock", "--refresh", "--no-progress"]
    } else {
        &["lock", "--no-progress"]
    };
    let o = run_uv(out, uv.run(root, args)?);
    if o.success {
        return Ok(());
    }
    let names: Vec<String> = now_project
        .manifests()
        .flat_map(|m| {
            m.requirements
                .iter()
                .filter_map(cordon_python::requirement::DeclaredRequirement::name)
        })
        .collect();
    let mut blockers = Vec::new();
    if let (Some(lock), Some(c)) = (&before.lock, cutoff) {
        for m in now_project.manifests() {
            for r in &m.requirements {
                let (Some(name), Some(v)) = (
                    r.name(),
                    r.specifiers()
                        .and_then(cordon_python::requirement::exact_version),
                ) else {
                    continue;
                };
                if let Some(p) = lock
                    .packages
                    .iter()
                    .find(|p| p.name == name && p.version.as_deref() == Some(v.as_str()))
                    && let Some((t, _)) = p.newest_upload_time()
                    && t > c
                {
                    blockers.push(format!(
                        "{name} {v}: uploaded {}, after the cooldown's cutoff {}",
                        t.strftime("%Y-%m-%d %H:%M UTC"),
                        c.strftime("%Y-%m-%d %H:%M UTC")
                    ));
                }
            }
        }
    }
    if blockers.is_empty() {
        blockers.extend(
            names_in_error(&o.stderr, &names)
                .into_iter()
                .map(|n| format!("{n}: named in uv's error")),
        );
    }
    blockers.sort();
    blockers.dedup();
    let mut message = String::from(
        "uv could not resolve the project under the release cooldown; every file was restored",
    );
    if !blockers.is_empty() {
        message.push_str("\nblocked by:");
        for b in &blockers {
            message.push_str("\n  - ");
            message.push_str(b);
        }
    }
    message.push_str("\nuv said:\n");
    message.push_str(&indent(&o.stderr));
    Err(InitError::stop_with_help(
        message,
        "wait until those releases are older than the cooldown, or pin an earlier version of them, then run `cordon init` again",
    ))
}

/// Whether `lock` holds an artifact uploaded after `cutoff` (what `lock-cooldown-violation`
/// reports, and what `uv lock --check` does not notice).
fn holds_release_after(lock: &Lock, cutoff: Option<Timestamp>) -> bool {
    cutoff.is_some_and(|c| {
        lock.packages
            .iter()
            .any(|p| p.newest_upload_time().is_some_and(|(t, _)| t > c))
    })
}

/// The upload-time cutoff the project's cooldown sets at `now`.
fn cutoff(settings: &Settings, now: Timestamp) -> Option<Timestamp> {
    match &settings.exclude_newer()?.value {
        ExcludeNewer::Span(s) if !s.is_zero() => now
            .checked_sub(jiff::SignedDuration::from_secs(s.seconds))
            .ok(),
        ExcludeNewer::Timestamp(t) => Some(*t),
        _ => None,
    }
}

fn run_uv(out: &mut Outcome, o: UvOutput) -> UvOutput {
    out.uv_runs.push(o.command.clone());
    o
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Pins against `lock`, over the manifests as `changes` leave them.
fn pins_over(
    project: &Project,
    changes: &[Change],
    lock: &Lock,
) -> Result<(Vec<Change>, Vec<toml_edits::PinNote>), InitError> {
    let mut manifests = Vec::new();
    let root_path = project.pyproject.as_ref().map(|p| p.source.path.clone());
    let mut root = None;
    for m in project.manifests() {
        if let Some(c) = changes.iter().rev().find(|c| c.path == m.source.path) {
            let p = PyProject::parse(Source::from_string(c.path.clone(), c.after.clone()))?;
            if Some(&m.source.path) == root_path.as_ref() {
                root = Some(p.clone());
            }
            manifests.push(p);
        } else {
            if Some(&m.source.path) == root_path.as_ref() {
                root = Some(m.clone());
            }
            manifests.push(m.clone());
        }
    }
    let refs: Vec<&PyProject> = manifests.iter().collect();
    Ok(toml_edits::pins_for(
        &refs,
        root.as_ref(),
        &project.member_names(),
        lock,
    ))
}

/// Merges successive changes of one file into one (the second's `before` is the first's
/// `after`), keeping the first `before` and every reason. Order of first appearance is kept.
pub fn compose(changes: Vec<Change>) -> Vec<Change> {
    let mut out: Vec<Change> = Vec::new();
    for c in changes {
        if let Some(prev) = out.iter_mut().find(|p| p.path == c.path) {
            prev.after = c.after;
            prev.what.extend(c.what);
        } else {
            out.push(c);
        }
    }
    out
}

/// `cordon init --global`: the same uv settings in the user's `uv.toml`.
pub fn run_global(env: &Env, options: &Options) -> Result<(Outcome, PathBuf), InitError> {
    let path = cordon_python::settings::user_config_path(env).ok_or_else(|| {
        InitError::stop_with_help(
            "cannot tell where the user's uv.toml is: neither XDG_CONFIG_HOME nor HOME is set",
            "set HOME (or XDG_CONFIG_HOME) and run again",
        )
    })?;
    let uv = Uv::from_env(env);
    let uv_version: Version = uv.version()?;
    let text = match std::fs::read(&path) {
        Ok(b) => Some(
            String::from_utf8(b)
                .map_err(|_| ParseError::new(&path, None, "file is not valid UTF-8"))?,
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(ParseError::io(&path, &e).into()),
    };
    let file = match &text {
        Some(_) => Some(cordon_python::settings::read_config_file(
            &path,
            cordon_python::settings::Origin::User,
        )?),
        None => None,
    };
    if let Some(f) = &file
        && let Some(e) = f.errors.first()
    {
        return Err(ParseError::new(
            &path,
            Some(e.span.clone()),
            format!("uv refuses this file because of this entry: {}", e.message),
        )
        .with_help("fix or remove it first")
        .into());
    }
    let policy = Policy::default();
    let edits = Edits {
        set: toml_edits::wanted_settings(file.as_ref(), &policy, &uv_version),
        ..Edits::default()
    };
    let change = toml_edits::edit_settings(&Target::Global(path.clone()), text.as_deref(), &edits)?;
    let mut out = Outcome::default();
    if let Some(c) = change {
        if !options.dry_run {
            write_all(std::slice::from_ref(&c))?;
        }
        out.changes.push(c);
    }
    Ok((out, path))
}

fn project_error(e: cordon_check::ProjectError) -> InitError {
    match e {
        cordon_check::ProjectError::Parse(p) => InitError::Parse(p),
        cordon_check::ProjectError::NotFound(dir) => InitError::stop_with_help(
            format!("no Python project found in `{}`", dir.display()),
            "run cordon init in a directory with a `pyproject.toml` or requirements files",
        ),
    }
}

/// `path` relative to `root` for messages.
pub fn display(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}
