//! `lockfile-stale`: `uv.lock` no longer matches what the project declares — requirements added,
//! removed or changed since the last `uv lock`, or a cooldown setting different from the one the
//! lock was resolved under. Judged statically from the lock's recorded metadata; with `--uv`,
//! also uv's own `uv lock --check --offline` verdict.

use std::collections::BTreeMap;
use std::str::FromStr;

use cordon_diagnostics::Finding;
use cordon_python::exclude_newer::ExcludeNewer;
use cordon_python::lock::{LockExcludeNewer, LockRequirement, LockedPackage};
use cordon_python::name::normalize;
use cordon_python::pyproject::PyProject;
use cordon_python::requirement::{DeclaredIn, DeclaredRequirement};
use pep440_rs::VersionSpecifiers;

use crate::Context;
use crate::checks::Check;

crate::declare_check!(
    META,
    "lockfile-stale",
    Lock,
    High,
    true,
    "`uv.lock` does not match the declared dependencies or cooldown"
);

pub struct LockfileStale;

const HELP: &str = "run `uv lock` and commit the result; in CI, install with `uv sync --locked` so a stale lock fails the build";

/// A requirement reduced to what decides staleness: name, extras and version specifiers.
fn key(name: &str, extras: &[String], spec: Option<&str>) -> String {
    let mut extras: Vec<String> = extras.iter().map(|e| normalize(e)).collect();
    extras.sort();
    let spec = spec.map_or_else(String::new, |s| {
        VersionSpecifiers::from_str(s).map_or_else(
            |_| s.replace(' ', ""),
            |v| {
                let mut parts: Vec<String> = v.iter().map(ToString::to_string).collect();
                parts.sort();
                parts.join(",")
            },
        )
    });
    format!("{}[{}]{spec}", normalize(name), extras.join(","))
}

fn declared_key(r: &DeclaredRequirement) -> Option<String> {
    let name = r.name()?;
    let spec = r
        .specifiers()
        .map(ToString::to_string)
        .filter(|s| !s.is_empty());
    Some(key(&name, &r.extras(), spec.as_deref()))
}

fn locked_key(r: &LockRequirement) -> String {
    key(&r.name, &r.extras, r.specifier.as_deref())
}

impl Check for LockfileStale {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(lock) = &cx.project.lock else { return };
        for manifest in cx.project.manifests() {
            let Some(name) = &manifest.name else { continue };
            if !manifest.managed {
                continue;
            }
            let locked = lock.packages.iter().find(|p| {
                &p.name == name
                    && !matches!(p.source, cordon_python::lock::PackageSource::Registry(_))
            });
            let Some(locked) = locked else {
                if let Some(at) = cx.loc(
                    &manifest.source.path,
                    manifest.project_span.clone().unwrap_or(0..0),
                ) {
                    out.push(cx.finding(
                        &META,
                        format!("the project `{name}` is not in `uv.lock`"),
                        HELP,
                        at,
                    ));
                }
                continue;
            };
            compare_manifest(cx, manifest, locked, out);
        }
        cooldown_mismatch(cx, out);
        if let Some(verdict) = cx.uv_lock_check
            && verdict.up_to_date == Some(false)
        {
            let first = verdict
                .output
                .lines()
                .find(|l| l.starts_with("error:"))
                .unwrap_or("the lockfile needs to be updated");
            if let Some(at) = cx.loc(&lock.source.path, 0..0) {
                out.push(cx.finding(
                    &META,
                    format!("`uv lock --check --offline` fails: {first}"),
                    HELP,
                    at,
                ));
            }
        }
    }
}

fn compare_manifest(
    cx: &Context<'_>,
    manifest: &PyProject,
    locked: &LockedPackage,
    out: &mut Vec<Finding>,
) {
    let lock = cx.project.lock.as_ref().expect("checked by caller");
    // Group by where requirements live: the dependency list (with extras) vs each group.
    let mut declared: BTreeMap<Option<String>, Vec<&DeclaredRequirement>> = BTreeMap::new();
    for r in &manifest.requirements {
        let group = match &r.declared_in {
            DeclaredIn::Dependencies | DeclaredIn::OptionalDependencies(_) => None,
            DeclaredIn::DependencyGroup(g) => Some(g.clone()),
        };
        declared.entry(group).or_default().push(r);
    }
    let mut recorded: BTreeMap<Option<String>, Vec<&LockRequirement>> = BTreeMap::new();
    recorded
        .entry(None)
        .or_default()
        .extend(locked.requires_dist.iter());
    for (g, reqs) in &locked.requires_dev {
        recorded
            .entry(Some(normalize(g)))
            .or_default()
            .extend(reqs.iter());
    }
    let groups: std::collections::BTreeSet<_> =
        declared.keys().chain(recorded.keys()).cloned().collect();
    for group in groups {
        let d = declared.get(&group).map(Vec::as_slice).unwrap_or_default();
        let l = recorded.get(&group).map(Vec::as_slice).unwrap_or_default();
        let mut l_keys: Vec<(String, &LockRequirement)> =
            l.iter().map(|r| (locked_key(r), *r)).collect();
        let mut unmatched_declared = Vec::new();
        for r in d {
            let Some(k) = declared_key(r) else { continue };
            if let Some(i) = l_keys.iter().position(|(lk, _)| *lk == k) {
                l_keys.swap_remove(i);
            } else {
                unmatched_declared.push(*r);
            }
        }
        for r in unmatched_declared {
            let name = r.name().unwrap_or_default();
            let changed = l_keys
                .iter()
                .position(|(_, lr)| normalize(&lr.name) == name);
            let message = match changed {
                Some(i) => {
                    let (_, lr) = l_keys.swap_remove(i);
                    format!(
                        "`{}` changed since `uv.lock` was written (locked from `{}{}`)",
                        r.raw,
                        lr.name,
                        lr.specifier.as_deref().unwrap_or("")
                    )
                }
                None => format!("`{}` is declared but not in `uv.lock`", r.raw),
            };
            if let Some(at) = cx.loc(&manifest.source.path, r.span.clone()) {
                out.push(
                    cx.finding(&META, message, HELP, at)
                        .with_package(name, None),
                );
            }
        }
        for (_, lr) in l_keys {
            if let Some(at) = cx.loc(&lock.source.path, lr.span.clone()) {
                let where_ = group
                    .as_ref()
                    .map_or_else(String::new, |g| format!(" (group `{g}`)"));
                out.push(
                    cx.finding(
                        &META,
                        format!(
                            "`uv.lock` still records `{}{}`{where_}, which is no longer declared",
                            lr.name,
                            lr.specifier.as_deref().unwrap_or("")
                        ),
                        HELP,
                        at,
                    )
                    .with_package(lr.name.clone(), None),
                );
            }
        }
    }
}

/// The cooldown uv would resolve with vs the one recorded in the lock's `[options]`.
fn cooldown_mismatch(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(lock) = &cx.project.lock else { return };
    let effective = cx.project.settings.exclude_newer();
    let recorded = lock.options.exclude_newer.as_ref();
    let describe = |v: Option<&ExcludeNewer>| match v {
        None | Some(ExcludeNewer::Disabled) => "no cooldown".to_owned(),
        Some(ExcludeNewer::Span(s)) => format!("`{}`", s.iso),
        Some(ExcludeNewer::Timestamp(t)) => format!("`{t}`"),
    };
    let same = match (effective.map(|v| &v.value), recorded.map(|r| &r.value)) {
        (None | Some(ExcludeNewer::Disabled), None) => true,
        (Some(ExcludeNewer::Span(s)), Some(LockExcludeNewer::Relative { span_iso })) => {
            s.iso == *span_iso
        }
        // uv tolerates a later absolute cutoff than the one locked.
        (Some(ExcludeNewer::Timestamp(t)), Some(LockExcludeNewer::Absolute(l))) => t >= l,
        _ => false,
    };
    if same {
        return;
    }
    let recorded_desc = match recorded.map(|r| &r.value) {
        None => "no cooldown".to_owned(),
        Some(LockExcludeNewer::Relative { span_iso }) => format!("`{span_iso}`"),
        Some(LockExcludeNewer::Absolute(t)) => format!("`{t}`"),
    };
    let at = match recorded {
        Some(r) => cx.loc(&lock.source.path, r.span.clone()),
        None => cx.loc(&lock.source.path, lock.options.span.clone().unwrap_or(0..0)),
    };
    let Some(at) = at else { return };
    let mut f = cx.finding(
        &META,
        format!(
            "`uv.lock` was resolved with {recorded_desc} but uv is configured with {}",
            describe(effective.map(|v| &v.value))
        ),
        HELP,
        at,
    );
    if let Some(l) = effective.and_then(|v| cx.loc_of_entry(v)) {
        f = f.with_related("the cooldown uv is configured with", l);
    }
    out.push(f);
}
