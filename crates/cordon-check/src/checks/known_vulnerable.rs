//! `known-vulnerable`: a declared or locked package whose version an advisory (OSV, from the
//! Python Packaging Advisory Database or any OSV source) lists as affected. Needs the
//! advisories from `cordon intel`.

use cordon_diagnostics::Finding;
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
            let ids: Vec<String> = hits
                .iter()
                .map(|a| match a.aliases.iter().find(|x| x.starts_with("CVE-")) {
                    Some(cve) => format!("{} ({cve})", a.id),
                    None => a.id.clone(),
                })
                .collect();
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

fn parse(s: Option<&str>) -> Option<Version> {
    s.and_then(|s| s.parse().ok())
}

/// True when `v` is listed, or falls in one of the advisory's ranges (`introduced` ≤ v, and
/// v < `fixed` or v ≤ `last_affected`; `introduced` `0` or absent is the beginning).
fn affects(a: &Advisory, v: &Version) -> bool {
    if a.versions
        .iter()
        .any(|x| x.parse::<Version>().is_ok_and(|x| &x == v))
    {
        return true;
    }
    a.ranges.iter().any(|r| {
        let from = match r.introduced.as_deref() {
            None | Some("0") => true,
            intro => parse(intro).is_some_and(|i| &i <= v),
        };
        let below_fix = parse(r.fixed.as_deref()).is_none_or(|f| v < &f);
        let up_to_last = parse(r.last_affected.as_deref()).is_none_or(|l| v <= &l);
        // A range with neither end recorded beyond `introduced` is open.
        from && below_fix && up_to_last
    })
}

/// The lowest fix above `v` among the advisories' ranges, when every advisory has one.
fn first_fix_above(hits: &[&Advisory], v: &Version) -> Option<Version> {
    let mut needed: Option<Version> = None;
    for a in hits {
        let fix = a
            .ranges
            .iter()
            .filter_map(|r| parse(r.fixed.as_deref()))
            .filter(|f| f > v)
            .min()?;
        if needed.as_ref().is_none_or(|n| &fix > n) {
            needed = Some(fix);
        }
    }
    needed
}
