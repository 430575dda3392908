//! `index-credentials-committed`: a user name, password or token written into an index, source
//! or dependency URL in a committed file (pyproject.toml, uv.toml, uv.lock).

use std::ops::Range;
use std::path::Path;

use cordon_diagnostics::Finding;
use cordon_python::lock::PackageSource;
use cordon_python::pyproject::SourceKind;

use crate::Context;
use crate::checks::Check;
use crate::urlutil;

crate::declare_check!(
    META,
    "index-credentials-committed",
    UvConfig,
    High,
    false,
    "credentials written into an index, source or dependency URL in a committed file"
);

pub struct IndexCredentialsCommitted;

impl Check for IndexCredentialsCommitted {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let mut report = |path: &Path, span: Range<usize>, url: &str, what: &str| {
            if urlutil::embedded_credentials(url).is_none() {
                return;
            }
            let Some(at) = cx.loc(path, span) else { return };
            out.push(cx.finding(
                &META,
                format!("{what} `{}` carries credentials in its URL", urlutil::redact(url)),
                "remove them from the file and rotate them; give uv credentials through `UV_INDEX_<NAME>_USERNAME`/`_PASSWORD`, a keyring, or `.netrc`",
                at,
            ));
        };
        for f in cx.project.settings.project_files() {
            for idx in &f.options.indexes {
                report(
                    &f.source.path,
                    idx.url.span.clone(),
                    &idx.url.value,
                    "the index",
                );
            }
        }
        for p in cx.project.manifests() {
            for s in &p.sources {
                if let SourceKind::Git { url, .. } | SourceKind::Url(url) = &s.kind {
                    report(&p.source.path, s.span.clone(), url, "the source");
                }
            }
            for r in &p.requirements {
                if let Some(url) = r.url() {
                    report(&p.source.path, r.span.clone(), &url, "the dependency");
                }
            }
        }
        if let Some(lock) = &cx.project.lock {
            for pkg in &lock.packages {
                let url = match &pkg.source {
                    PackageSource::Registry(u) | PackageSource::Url(u) => u,
                    PackageSource::Git { url, .. } => url,
                    _ => continue,
                };
                report(
                    &lock.source.path,
                    pkg.source_span.clone().unwrap_or(pkg.span.clone()),
                    url,
                    "the locked source",
                );
            }
        }
    }
}
