//! `known-malicious`: a declared or locked package that a malicious-package record (OSV
//! `MAL-*`) names, for every version or for the one the project resolves to. Needs the
//! records from `cordon intel`.

use cordon_diagnostics::Finding;

use crate::Context;
use crate::checks::Check;

crate::declare_check!(
    META,
    "known-malicious",
    Names,
    High,
    false,
    "a dependency is a known malicious package or release"
);

pub struct KnownMalicious;

impl Check for KnownMalicious {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(names) = cx.names.filter(|n| n.malicious.is_some()) else {
            return;
        };
        for pkg in cx.named_packages() {
            let version = pkg.version.as_deref();
            // Every version, or the one the project resolves to. A record of some versions
            // counts against a name with no known version too: nothing keeps a bad one out.
            let hit = names
                .malicious_records(&pkg.name)
                .find(|r| cordon_intel::matching::malicious_covers(r, version));
            let Some(record) = hit else { continue };
            let Some(at) = cx.loc(&pkg.file, pkg.span.clone()) else {
                continue;
            };
            let what = if record.all_versions {
                format!(
                    "`{}` is a known malicious package ({})",
                    pkg.name, record.id
                )
            } else {
                match version {
                    Some(v) => format!(
                        "`{} {v}` is a known malicious release ({})",
                        pkg.name, record.id
                    ),
                    None => format!(
                        "`{}` has known malicious releases ({}: {}) and no version is pinned",
                        pkg.name,
                        record.id,
                        record.versions.join(", ")
                    ),
                }
            };
            out.push(
                cx.finding(
                    &META,
                    what,
                    "remove it, and treat any machine that installed it as compromised: rotate the \
                     credentials it could read",
                    at,
                )
                .with_package(pkg.name.clone(), pkg.version.clone()),
            );
        }
    }
}
