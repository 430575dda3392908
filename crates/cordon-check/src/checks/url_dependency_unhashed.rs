//! `url-dependency-unhashed`: a dependency fetched from a direct URL with no `#sha256=` hash, so
//! whatever the server hands out at lock time is trusted.

use std::ops::Range;
use std::path::Path;

use cordon_diagnostics::Finding;
use cordon_python::pyproject::SourceKind;
use cordon_python::requirement::url_has_hash;

use crate::Context;
use crate::checks::Check;

crate::declare_check!(
    META,
    "url-dependency-unhashed",
    Pinning,
    Medium,
    false,
    "a direct-URL dependency carries no hash"
);

pub struct UrlDependencyUnhashed;

fn is_remote_archive(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://")) && !url.starts_with("git+")
}

impl Check for UrlDependencyUnhashed {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let mut report = |path: &Path, span: Range<usize>, package: &str, url: &str| {
            if !is_remote_archive(url) || url_has_hash(url) {
                return;
            }
            let Some(at) = cx.loc(path, span) else { return };
            out.push(
                cx.finding(
                    &META,
                    format!("`{package}` is fetched from `{}` with no hash", crate::urlutil::redact(url)),
                    "append the archive's digest to the URL: `#sha256=<hex>`, or depend on a released version from your index instead",
                    at,
                )
                .with_package(package.to_owned(), None),
            );
        };
        for manifest in cx.project.manifests() {
            for s in &manifest.sources {
                if let SourceKind::Url(url) = &s.kind {
                    report(&manifest.source.path, s.span.clone(), &s.package, url);
                }
            }
            for r in &manifest.requirements {
                if let Some(url) = r.url() {
                    report(
                        &manifest.source.path,
                        r.span.clone(),
                        &r.name().unwrap_or_default(),
                        &url,
                    );
                }
            }
        }
    }
}
