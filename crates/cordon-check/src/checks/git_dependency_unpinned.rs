//! `git-dependency-unpinned`: a git dependency on a branch, a tag or nothing at all instead of
//! a full commit hash. Branches move and tags can be re-pointed.

use std::ops::Range;
use std::path::Path;

use cordon_diagnostics::Finding;
use cordon_python::pyproject::SourceKind;
use cordon_python::requirement::{is_full_commit, parse_git_url};

use crate::Context;
use crate::checks::Check;

crate::declare_check!(
    META,
    "git-dependency-unpinned",
    Pinning,
    Medium,
    false,
    "a git dependency is not pinned to a full commit hash"
);

pub struct GitDependencyUnpinned;

impl Check for GitDependencyUnpinned {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let mut report = |path: &Path, span: Range<usize>, package: &str, what: String| {
            let Some(at) = cx.loc(path, span) else { return };
            out.push(
                cx.finding(
                    &META,
                    format!("the git dependency `{package}` follows {what}, not a commit"),
                    "pin the full commit hash: `rev = \"<40 hex digits>\"` (the lock records the one in use)",
                    at,
                )
                .with_package(package.to_owned(), None),
            );
        };
        for manifest in cx.project.manifests() {
            for s in &manifest.sources {
                if let SourceKind::Git {
                    rev, tag, branch, ..
                } = &s.kind
                {
                    let what = match (rev, tag, branch) {
                        (Some(r), _, _) if is_full_commit(r) => continue,
                        (Some(r), _, _) => format!("the revision `{r}`"),
                        (_, Some(t), _) => format!("the tag `{t}`"),
                        (_, _, Some(b)) => format!("the branch `{b}`"),
                        _ => "the default branch".to_owned(),
                    };
                    report(&manifest.source.path, s.span.clone(), &s.package, what);
                }
            }
            for r in &manifest.requirements {
                let Some(git) = r.url().as_deref().and_then(parse_git_url) else {
                    continue;
                };
                let what = match &git.reference {
                    Some(reference) if is_full_commit(reference) => continue,
                    Some(reference) => format!("`@{reference}`"),
                    None => "the default branch".to_owned(),
                };
                report(
                    &manifest.source.path,
                    r.span.clone(),
                    &r.name().unwrap_or_default(),
                    what,
                );
            }
        }
    }
}
