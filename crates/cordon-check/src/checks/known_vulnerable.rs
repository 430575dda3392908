//! `known-vulnerable`: a declared or locked package whose version an advisory (OSV, from the
//! Python Packaging Advisory Database or any OSV source) lists as affected. Needs the
//! advisories from `cordon intel`.

use cordon_diagnostics::Finding;
use cordon_intel::matching::{affects, describe_ids, first_fix_above};
use cordon_intel::store::Advisory;
use pep440_rs::Version;

use crate::Context;
use crate::checks::Check;

crate::declare_check!(
    META,
    "known-vulnerable",
    Names,
    Medium,
    false,
    "a dependency's version has a known vulnerability"
);

pub struct KnownVulnerable;

impl Check for KnownVulnerable {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(advisories) = cx.names.and_then(|n| n.advisories.as_ref()) else {
            return;
        };
        for pkg in cx.named_packages() {
            // Without a version (an unpinned, unlocked dependency) nothing can be said.
            let Some(version) = pkg.version.as_deref() else {
                continue;
            };
            let Ok(v) = version.parse::<Version>() else {
                continue;
            };
            let hits: Vec<&Advisory> = advisories
                .iter()
                .filter(|a| a.name == pkg.name && affects(a, &v))
                .collect();
            if hits.is_empty() {
                continue;
            }
            let Some(at) = cx.loc(&pkg.file, pkg.span.clone()) else {
                continue;
            };
            let ids = describe_ids(&hits);
            let fixed = first_fix_above(&hits, &v);
            let help = match fixed {
                Some(f) => format!(
                    "upgrade to `{}=={f}` or later, then re-lock (`uv lock --upgrade-package {}`)",
                    pkg.name, pkg.name
                ),
                None => "no fixed version is recorded: replace the package or confirm the \
                         vulnerable code is not reachable, and record that with an ignore"
                    .to_owned(),
            };
            out.push(
                cx.finding(
                    &META,
                    format!(
                        "`{} {version}` is affected by {} advisor{}: {}",
                        pkg.name,
                        hits.len(),
                        if hits.len() == 1 { "y" } else { "ies" },
                        ids.join(", ")
                    ),
                    help,
                    at,
                )
                .with_package(pkg.name.clone(), pkg.version.clone()),
            );
        }
    }
}
