//! `lock-upload-time-missing`: registry artifacts in `uv.lock` without `upload-time`, so the
//! cooldown cannot be verified for them (an old lock revision, or an index without PEP 700).

use cordon_diagnostics::Finding;
use cordon_python::exclude_newer::ExcludeNewer;
use cordon_python::lock::PackageSource;

use crate::Context;
use crate::checks::Check;

crate::declare_check!(
    META,
    "lock-upload-time-missing",
    Cooldown,
    Medium,
    false,
    "a locked registry artifact has no `upload-time`, so its age cannot be verified"
);

pub struct LockUploadTimeMissing;

impl Check for LockUploadTimeMissing {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(lock) = &cx.project.lock else { return };
        for pkg in &lock.packages {
            if !matches!(pkg.source, PackageSource::Registry(_)) {
                continue;
            }
            if cx
                .project
                .settings
                .exclude_newer_for(&pkg.name)
                .is_some_and(|v| matches!(v.value, ExcludeNewer::Disabled))
            {
                continue;
            }
            let mut missing = pkg.artifacts().filter(|a| a.upload_time.is_none());
            let Some(first) = missing.next() else {
                continue;
            };
            let count = 1 + missing.count();
            let Some(at) = cx.loc(&lock.source.path, first.span.clone()) else {
                continue;
            };
            out.push(
                cx.finding(
                    &META,
                    format!(
                        "`{} {}` has {count} artifact{} without `upload-time` (lock revision {})",
                        pkg.name,
                        pkg.version.as_deref().unwrap_or(""),
                        if count == 1 { "" } else { "s" },
                        lock.revision
                    ),
                    "re-lock with a current uv (`uv lock --refresh`) against an index that reports upload times (PEP 700)",
                    at,
                )
                .with_package(pkg.name.clone(), pkg.version.clone()),
            );
        }
    }
}
