//! `lock-hash-missing`: a registry or URL artifact in `uv.lock` without a hash, so what is
//! installed is not tied to what was locked.

use cordon_diagnostics::Finding;
use cordon_python::lock::PackageSource;

use crate::Context;
use crate::checks::Check;

crate::declare_check!(
    META,
    "lock-hash-missing",
    Lock,
    High,
    false,
    "a locked artifact has no hash"
);

pub struct LockHashMissing;

impl Check for LockHashMissing {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(lock) = &cx.project.lock else { return };
        for pkg in &lock.packages {
            if !matches!(
                pkg.source,
                PackageSource::Registry(_) | PackageSource::Url(_)
            ) {
                continue;
            }
            let mut missing = pkg
                .artifacts()
                .filter(|a| a.hash.as_deref().is_none_or(str::is_empty));
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
                    format!("`{} {}` has {count} artifact{} without a hash", pkg.name, pkg.version.as_deref().unwrap_or(""), if count == 1 { "" } else { "s" }),
                    "re-lock with `uv lock --refresh-package` so uv records the hashes; never edit `uv.lock` by hand",
                    at,
                )
                .with_package(pkg.name.clone(), pkg.version.clone()),
            );
        }
    }
}
