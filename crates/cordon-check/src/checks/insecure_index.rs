//! `insecure-index`: an index reached over plain HTTP (not loopback), or TLS verification
//! switched off with `allow-insecure-host` / `UV_INSECURE_HOST` — anyone on the path can swap
//! packages.

use cordon_diagnostics::Finding;

use crate::Context;
use crate::checks::Check;
use crate::urlutil;

crate::declare_check!(
    META,
    "insecure-index",
    UvConfig,
    High,
    false,
    "a package index reached without TLS verification"
);

pub struct InsecureIndex;

impl Check for InsecureIndex {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let settings = &cx.project.settings;
        for idx in settings.indexes() {
            let Some(parts) = urlutil::split(&idx.url.value) else {
                continue;
            };
            if parts.scheme != "http" || urlutil::is_loopback(parts.host) {
                continue;
            }
            let at = cx
                .loc_of(&idx.url)
                .map_or_else(|| cx.project_anchor(), Into::into);
            out.push(cx.finding(
                &META,
                format!(
                    "the index `{}` (from {}) is reached over plain HTTP",
                    urlutil::redact(&idx.url.value),
                    idx.url.origin.describe()
                ),
                "use the index's `https://` URL",
                at,
            ));
        }
        for host in settings.allow_insecure_hosts() {
            let at = cx
                .loc_of(host)
                .map_or_else(|| cx.project_anchor(), Into::into);
            out.push(cx.finding(
                &META,
                format!("TLS certificate checks are off for `{}` (from {})", host.value, host.origin.describe()),
                "remove it; for a private CA, add the CA with `SSL_CERT_FILE` or `native-tls` instead of switching verification off",
                at,
            ));
        }
    }
}
