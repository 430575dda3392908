//! `lock-cooldown-violation`: a registry package in `uv.lock` has an artifact uploaded more
//! recently than the effective cooldown allows. `uv lock --check` and `uv sync --locked` do not
//! catch this: they compare the lock's recorded options, not its contents.

use cordon_diagnostics::Finding;
use cordon_python::exclude_newer::ExcludeNewer;
use cordon_python::lock::PackageSource;
use jiff::Timestamp;

use crate::Context;
use crate::checks::Check;

crate::declare_check!(
    META,
    "lock-cooldown-violation",
    Cooldown,
    High,
    false,
    "a locked package was uploaded more recently than the cooldown allows"
);

pub struct LockCooldownViolation;

impl Check for LockCooldownViolation {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(lock) = &cx.project.lock else { return };
        let settings = &cx.project.settings;
        let global = settings.exclude_newer();
        for pkg in &lock.packages {
            if !matches!(pkg.source, PackageSource::Registry(_)) {
                continue;
            }
            let Some(rule) = settings.exclude_newer_for(&pkg.name).or(global) else {
                continue;
            };
            let (cutoff, what) = match &rule.value {
                ExcludeNewer::Disabled => continue,
                ExcludeNewer::Span(s) => (
                    cx.now.as_second() - s.seconds,
                    format!("the {} cooldown", s.human()),
                ),
                ExcludeNewer::Timestamp(t) => (t.as_second(), format!("the cutoff {t}")),
            };
            let Some((uploaded, artifact_span)) = pkg.newest_upload_time() else {
                continue;
            };
            if uploaded.as_second() <= cutoff {
                continue;
            }
            let age = age(cx.now, uploaded);
            let version = pkg.version.clone().unwrap_or_default();
            let Some(at) = cx.loc(&lock.source.path, artifact_span) else {
                continue;
            };
            let mut f = cx
                .finding(
                    &META,
                    format!("`{} {version}` has an artifact uploaded {uploaded} ({age}), inside {what}", pkg.name),
                    format!(
                        "re-lock under the cooldown with `uv lock --refresh --upgrade-package {}`; if this release is needed now, exempt it explicitly with `exclude-newer-package`",
                        pkg.name
                    ),
                    at,
                )
                .with_package(pkg.name.clone(), pkg.version.clone());
            if let Some(l) = cx.loc_of_entry(rule) {
                f = f.with_related("the cooldown this release violates", l);
            }
            out.push(f);
        }
    }
}

/// "3 days ago", "5 hours ago", or "in the future" for clock skew.
pub fn age(now: Timestamp, then: Timestamp) -> String {
    let secs = now.as_second() - then.as_second();
    if secs < 0 {
        return "in the future".into();
    }
    let (n, unit) = if secs >= 86_400 {
        (secs / 86_400, "day")
    } else if secs >= 3600 {
        (secs / 3600, "hour")
    } else {
        (secs / 60, "minute")
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}
