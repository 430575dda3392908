//! `extra-index-unscoped`: an additional index consulted for every package name — an
//! `extra-index-url`, `find-links`, or an `[[tool.uv.index]]` without `explicit = true` — instead
//! of only for the packages pinned to it.

use cordon_diagnostics::{Finding, Severity};

use crate::Context;
use crate::checks::Check;

crate::declare_check!(
    META,
    "extra-index-unscoped",
    UvConfig,
    Medium,
    true,
    "an extra index is consulted for every package, not only the ones pinned to it"
);

pub struct ExtraIndexUnscoped;

impl Check for ExtraIndexUnscoped {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for idx in cx.project.settings.indexes() {
            if idx.explicit || idx.default {
                continue;
            }
            let what = match idx.via {
                "extra-index-url" => format!(
                    "`extra-index-url` `{}`",
                    crate::urlutil::redact(&idx.url.value)
                ),
                "find-links" => {
                    format!("`find-links` `{}`", crate::urlutil::redact(&idx.url.value))
                }
                _ => format!(
                    "index {}`{}`",
                    idx.name
                        .as_ref()
                        .map(|n| format!("`{n}` at "))
                        .unwrap_or_default(),
                    crate::urlutil::redact(&idx.url.value)
                ),
            };
            let at = cx
                .loc_of(&idx.url)
                .map_or_else(|| cx.project_anchor(), Into::into);
            let mut f = cx.finding(
                &META,
                format!("{what} (from {}) is searched for every package name", idx.url.origin.describe()),
                "declare it as `[[tool.uv.index]]` with a `name` and `explicit = true`, and pin the packages that need it in `[tool.uv.sources]`",
                at,
            );
            if idx.via == "find-links" {
                f.severity = Severity::Low;
            }
            // `--fix` marks a named project index explicit when no locked package comes from
            // it (the lock does not change); one that serves packages needs them mapped by hand.
            let serves_locked = cx.project.lock.as_ref().is_some_and(|l| {
                l.packages.iter().any(|p| {
                    matches!(&p.source, cordon_python::lock::PackageSource::Registry(u)
                        if u.trim_end_matches('/') == idx.url.value.trim_end_matches('/'))
                })
            });
            f.fixable = idx.via == "index"
                && idx.name.is_some()
                && idx.url.origin.is_project()
                && !serves_locked;
            out.push(f);
        }
    }
}
