//! `requirements-unhashed`: requirements installed without hashes. pip's rule decides the shape
//! of the finding: once any requirement of an install carries a `--hash` (or the install says
//! `--require-hashes`), every requirement must, so each unhashed line of such an install is
//! reported; a file installed with no hashes at all is reported once.
//!
//! What needs a hash: registry requirements and archive URLs. A `#sha256=` URL fragment or a
//! hashed constraint for the same name counts. Local paths, editables and VCS URLs cannot be
//! hashed (pip refuses them in hash-checking mode, uv skips them) and are left to
//! `requirements-unpinned`.

use cordon_diagnostics::Finding;
use cordon_python::requirement::url_has_hash;
use cordon_python::requirements_txt::{FileUse, LineKind, ReqLine};

use crate::Context;
use crate::checks::Check;

crate::declare_check!(
    META,
    "requirements-unhashed",
    Requirements,
    Medium,
    false,
    "a requirements file installs packages without hashes"
);

pub struct RequirementsUnhashed;

/// True for an entry pip can verify by hash: a registry requirement or an archive URL.
fn needs_hash(line: &ReqLine) -> bool {
    matches!(line.kind, LineKind::Requirement(_) | LineKind::Url(_))
        && !line.kind.is_local()
        && line.kind.vcs().is_none()
}

fn is_hashed(line: &ReqLine, usage: &FileUse) -> bool {
    !line.kind.hashes().is_empty()
        || line.kind.url().is_some_and(|u| url_has_hash(&u))
        || line
            .kind
            .name()
            .and_then(|n| usage.constraints.get(&n))
            .is_some_and(|p| p.hashed)
}

fn display_name(line: &ReqLine) -> String {
    line.kind
        .name()
        .map_or_else(|| "this requirement".to_owned(), |n| format!("`{n}`"))
}

impl Check for RequirementsUnhashed {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let set = &cx.project.requirements;
        let uses = set.uses();
        for (file, usage) in set.files.iter().zip(&uses) {
            if !usage.as_requirements {
                continue;
            }
            let unhashed: Vec<&ReqLine> = file
                .installs()
                .filter(|l| needs_hash(l) && !is_hashed(l, usage))
                .collect();
            let Some(first) = unhashed.first() else {
                continue;
            };
            let rel = cx.project.rel(&file.source.path);
            if usage.hash_checking {
                for line in &unhashed {
                    let Some(at) = cx.loc(&file.source.path, line.span.clone()) else {
                        continue;
                    };
                    let name = display_name(line);
                    let mut f = cx.finding(
                        &META,
                        format!(
                            "{name} has no `--hash`, but this install checks hashes (`--require-hashes`, or other requirements carry hashes): pip refuses the whole install, uv without `--require-hashes` installs {name} unverified"
                        ),
                        "add a `--hash=sha256:<digest>` for each of its files, or regenerate the whole file with hashes (`uv export --format requirements-txt`, `uv pip compile --generate-hashes`)",
                        at,
                    );
                    if let Some(n) = line.kind.name() {
                        f = f.with_package(n, None);
                    }
                    out.push(f);
                }
            } else {
                let Some(at) = cx.loc(&file.source.path, first.span.clone()) else {
                    continue;
                };
                let count = unhashed.len();
                let what = if count == 1 {
                    format!("{} without a hash", display_name(first))
                } else {
                    format!("{count} packages without hashes")
                };
                out.push(cx.finding(
                    &META,
                    format!("`{rel}` installs {what}: whatever the index serves is installed"),
                    format!(
                        "generate `{rel}` with hashes from a lock (`uv export --format requirements-txt`, or `uv pip compile --generate-hashes`) so every install checks them"
                    ),
                    at,
                ));
            }
        }
    }
}
