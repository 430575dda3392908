//! `lock-source-untrusted`: a locked package that does not come from an allowed index — a git
//! repository, a direct URL, a local path outside the workspace, or another index.

use cordon_diagnostics::{Finding, Severity};
use cordon_python::lock::PackageSource;

use crate::Context;
use crate::checks::Check;
use crate::urlutil;

crate::declare_check!(
    META,
    "lock-source-untrusted",
    Lock,
    High,
    false,
    "a locked package comes from somewhere other than an allowed index"
);

pub struct LockSourceUntrusted;

fn norm(url: &str) -> &str {
    url.trim_end_matches('/')
}

impl Check for LockSourceUntrusted {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(lock) = &cx.project.lock else { return };
        let allowed = allowed_indexes(cx);
        let members = cx.project.member_names();
        for pkg in &lock.packages {
            let (message, severity, help) = match &pkg.source {
                PackageSource::Registry(url) => {
                    if allowed.iter().any(|a| a == norm(url)) {
                        continue;
                    }
                    (
                        format!(
                            "`{}` comes from the index `{}`, which is not an allowed index",
                            pkg.name,
                            urlutil::redact(url)
                        ),
                        Severity::High,
                        "if the index is yours, list it in `[tool.cordon] allowed-indexes` (or configure it in `[[tool.uv.index]]`); otherwise re-lock from the allowed index",
                    )
                }
                PackageSource::Git { url, .. } => {
                    let host = urlutil::split(url)
                        .map(|p| p.host.to_ascii_lowercase())
                        .unwrap_or_default();
                    if cx.policy.trusted_git_hosts.contains(&host) {
                        continue;
                    }
                    (
                        format!(
                            "`{}` comes from the git repository `{}`, not from an index",
                            pkg.name,
                            urlutil::redact(url)
                        ),
                        Severity::Medium,
                        "depend on a released version from an allowed index, or list the host in `[tool.cordon] trusted-git-hosts`",
                    )
                }
                PackageSource::Url(url) => (
                    format!(
                        "`{}` comes from the direct URL `{}`, not from an index",
                        pkg.name,
                        urlutil::redact(url)
                    ),
                    Severity::Medium,
                    "depend on a released version from an allowed index; if the URL must stay, ignore this finding with a reason",
                ),
                PackageSource::Path(p)
                | PackageSource::Directory(p)
                | PackageSource::Editable(p) => {
                    if members.contains(&pkg.name) {
                        continue;
                    }
                    (
                        format!(
                            "`{}` comes from the local path `{p}`, outside the workspace's members",
                            pkg.name
                        ),
                        Severity::Low,
                        "make it a workspace member, or publish it to an allowed index",
                    )
                }
                PackageSource::Virtual(_) => continue,
            };
            let Some(at) = cx.loc(
                &lock.source.path,
                pkg.source_span.clone().unwrap_or(pkg.span.clone()),
            ) else {
                continue;
            };
            let mut f = cx
                .finding(&META, message, help, at)
                .with_package(pkg.name.clone(), pkg.version.clone());
            f.severity = severity;
            out.push(f);
        }
    }
}

/// The policy's `allowed-indexes`, else the configured indexes, else the lock's own default
/// (its most common registry URL) — cordon never assumes an index host.
fn allowed_indexes(cx: &Context<'_>) -> Vec<String> {
    if !cx.policy.allowed_indexes.is_empty() {
        return cx.policy.allowed_indexes.clone();
    }
    let configured: Vec<String> = cx
        .project
        .settings
        .indexes()
        .map(|i| norm(&i.url.value).to_owned())
        .collect();
    let Some(lock) = &cx.project.lock else {
        return configured;
    };
    // Indexes only add to uv's default unless one is marked `default` (or `index-url` replaces it).
    let replaces_default = cx.project.settings.indexes().any(|i| i.default);
    let mut out = configured;
    if !replaces_default {
        let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
        for p in &lock.packages {
            if let PackageSource::Registry(u) = &p.source
                && !out.iter().any(|a| a == norm(u))
            {
                *counts.entry(norm(u)).or_default() += 1;
            }
        }
        if let Some((url, _)) = counts.into_iter().max_by_key(|(_, n)| *n) {
            out.push(url.to_owned());
        }
    }
    out
}
