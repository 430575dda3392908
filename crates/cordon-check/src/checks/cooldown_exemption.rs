//! `cooldown-exemption`: a per-package `exclude-newer-package` entry that disables or shortens
//! the cooldown for one package.

use cordon_diagnostics::Finding;
use cordon_python::exclude_newer::ExcludeNewer;

use crate::Context;
use crate::checks::Check;

crate::declare_check!(
    META,
    "cooldown-exemption",
    Cooldown,
    Medium,
    true,
    "a per-package entry disables or shortens the cooldown for that package"
);

pub struct CooldownExemption;

impl Check for CooldownExemption {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let min = &cx.policy.min_cooldown;
        for (name, v) in cx.project.settings.exclude_newer_package() {
            let message = match &v.value {
                ExcludeNewer::Disabled => format!("the release cooldown is disabled for `{name}`"),
                ExcludeNewer::Span(s) if s.is_zero() => {
                    format!("the release cooldown is zero for `{name}`")
                }
                ExcludeNewer::Span(s) if s.seconds < min.seconds => {
                    format!(
                        "the release cooldown for `{name}` is shortened to `{}` (policy minimum: {})",
                        s.iso,
                        min.human()
                    )
                }
                ExcludeNewer::Timestamp(t) if t.as_second() > cx.now.as_second() - min.seconds => {
                    format!(
                        "the cutoff for `{name}` ({t}) admits releases younger than {}",
                        min.human()
                    )
                }
                _ => continue,
            };
            let at = cx
                .loc_of_entry(v)
                .map_or_else(|| cx.project_anchor(), Into::into);
            out.push(
                cx.finding(
                    &META,
                    message,
                    "remove the entry once the release you needed is older than the cooldown; if it must stay, record why with an ignore",
                    at,
                )
                .with_package(name.clone(), None)
                // `cordon check --fix` removes entries in the project's own files.
                .fixable(v.origin.is_project()),
            );
        }
    }
}
