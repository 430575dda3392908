//! `requirements-unpinned`: a requirements-file entry that does not name one release — a
//! requirement not pinned with `==`/`===` (nor by an exact constraint installed with it), a VCS
//! line (editable or not) on a branch, tag or nothing instead of a full commit, or an include
//! fetched from a URL, whose content can change between installs.

use std::ops::Range;

use cordon_diagnostics::Finding;
use cordon_python::requirements_txt::{IncludeKind, IncludeLocation, LineKind, VcsRef};

use crate::Context;
use crate::checks::Check;
use crate::urlutil::redact;

crate::declare_check!(
    META,
    "requirements-unpinned",
    Requirements,
    Medium,
    false,
    "a requirements file installs something not pinned to one release"
);

pub struct RequirementsUnpinned;

/// What is wrong with one entry: span, package, message, help.
type Hit = (Range<usize>, Option<String>, String, String);

fn vcs_hit(span: Range<usize>, name: Option<&str>, vcs: &VcsRef) -> Option<Hit> {
    if vcs.is_pinned() {
        return None;
    }
    let what = match &vcs.reference {
        Some(r) => format!("`@{r}`"),
        None => "the default branch".to_owned(),
    };
    let who = name.map_or_else(|| "this line".to_owned(), |n| format!("`{n}`"));
    Some((
        span,
        name.map(ToOwned::to_owned),
        format!(
            "{who} is installed from {} `{}` at {what}, not at a commit",
            vcs.vcs,
            redact(&vcs.url)
        ),
        format!(
            "pin the full commit hash: `{}+{}@<full commit hash>`",
            vcs.vcs,
            redact(&vcs.url)
        ),
    ))
}

impl Check for RequirementsUnpinned {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let set = &cx.project.requirements;
        let uses = set.uses();
        for (file, usage) in set.files.iter().zip(&uses) {
            // A constraints file pins nothing by itself: its entries only cap what others name.
            if !usage.as_requirements {
                continue;
            }
            for line in &file.lines {
                let hit = match &line.kind {
                    LineKind::Requirement(r) => {
                        let name = r.name();
                        if r.url().is_some() {
                            // A VCS URL must name a commit; an archive URL names one file (its
                            // hash is `requirements-unhashed`'s job).
                            line.kind
                                .vcs()
                                .and_then(|v| vcs_hit(r.span.clone(), Some(&name), &v))
                        } else if r.exact_version().is_some()
                            || usage.constraints.get(&name).is_some_and(|p| p.exact)
                        {
                            None
                        } else {
                            let what = match r.specifiers() {
                                Some(s) if !s.is_empty() => format!("allows a range (`{s}`)"),
                                _ => "has no version constraint".to_owned(),
                            };
                            Some((
                                r.span.clone(),
                                Some(name.clone()),
                                format!("`{name}` {what}"),
                                format!(
                                    "pin it exactly (`{name}==<version>`), or generate the file from a lock: `uv export --format requirements-txt` or `uv pip compile --generate-hashes`"
                                ),
                            ))
                        }
                    }
                    LineKind::Url(d) | LineKind::Editable(d) => d
                        .vcs()
                        .and_then(|v| vcs_hit(d.target_span.clone(), d.name.as_deref(), &v)),
                    LineKind::Include(inc) => match &inc.location {
                        IncludeLocation::Url(url) => Some((
                            line.span.clone(),
                            None,
                            format!(
                                "`{} {}` {} whatever that URL serves at install time; cordon cannot see it",
                                inc.kind.flag(),
                                redact(url),
                                match inc.kind {
                                    IncludeKind::Requirements => "installs",
                                    IncludeKind::Constraints => "pins versions from",
                                }
                            ),
                            "commit the file to the repository and include it by path".to_owned(),
                        )),
                        IncludeLocation::Path(_) => None,
                    },
                    LineKind::Path(_) | LineKind::Option(_) => None,
                };
                let Some((span, package, message, help)) = hit else {
                    continue;
                };
                let Some(at) = cx.loc(&file.source.path, span) else {
                    continue;
                };
                let mut f = cx.finding(&META, message, help, at);
                if let Some(p) = package {
                    f = f.with_package(p, None);
                }
                out.push(f);
            }
        }
    }
}
