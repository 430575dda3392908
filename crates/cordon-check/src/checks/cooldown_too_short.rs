//! `cooldown-too-short`: the effective cooldown is shorter than the policy's `min-cooldown`.

use cordon_diagnostics::Finding;
use cordon_python::exclude_newer::ExcludeNewer;

use crate::Context;
use crate::checks::Check;

crate::declare_check!(
    META,
    "cooldown-too-short",
    Cooldown,
    Medium,
    true,
    "the release cooldown is shorter than the policy's `min-cooldown`"
);

pub struct CooldownTooShort;

impl Check for CooldownTooShort {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(v) = cx.project.settings.exclude_newer() else {
            return;
        };
        let min = &cx.policy.min_cooldown;
        let message = match &v.value {
            ExcludeNewer::Span(s) if !s.is_zero() && s.seconds < min.seconds => format!(
                "the release cooldown `{}` is shorter than the policy's minimum of {}",
                s.iso,
                min.human()
            ),
            ExcludeNewer::Timestamp(t) if t.as_second() > cx.now.as_second() - min.seconds => {
                format!(
                    "the absolute cutoff {t} admits releases younger than the policy's minimum of {}",
                    min.human()
                )
            }
            _ => return,
        };
        let help = format!("set `exclude-newer = \"{}\"` (or longer)", min.human());
        let at = cx.loc_of(v).map_or_else(|| cx.project_anchor(), Into::into);
        let mut f = cx.finding(
            &META,
            format!("{message} (set in {})", v.origin.describe()),
            help,
            at,
        );
        if let Some(l) = cx
            .project
            .settings
            .exclude_newer_overridden()
            .and_then(|o| cx.loc_of_entry(o))
        {
            f = f.with_related(
                "the project's own cooldown, overridden by the environment",
                l,
            );
        }
        out.push(f);
    }
}
