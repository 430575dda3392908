//! `cooldown-disabled`: the cooldown is switched off — `exclude-newer = false`, a zero span, or
//! an environment variable overriding the project's value with either.

use cordon_diagnostics::Finding;
use cordon_python::exclude_newer::ExcludeNewer;
use cordon_python::settings::Origin;

use crate::Context;
use crate::checks::Check;

crate::declare_check!(
    META,
    "cooldown-disabled",
    Cooldown,
    High,
    true,
    "the release cooldown is switched off (`false`, a zero span, or the environment)"
);

pub struct CooldownDisabled;

impl Check for CooldownDisabled {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let settings = &cx.project.settings;
        let Some(v) = settings.exclude_newer() else {
            return;
        };
        let how = match &v.value {
            ExcludeNewer::Disabled => match v.origin {
                Origin::Environment(var) => format!("`{var}=false`"),
                _ => "`exclude-newer = false`".to_owned(),
            },
            ExcludeNewer::Span(s) if s.is_zero() => format!("a zero cooldown (`{}`)", s.iso),
            _ => return,
        };
        let help = format!(
            "{}set `exclude-newer = \"{}\"` under `[tool.uv]`",
            if let Origin::Environment(var) = v.origin {
                format!("unset `{var}`, and ")
            } else {
                String::new()
            },
            cx.policy.min_cooldown.human()
        );
        let at = cx.loc_of(v).map_or_else(|| cx.project_anchor(), Into::into);
        let mut f = cx
            .finding(
                &META,
                format!(
                    "the release cooldown is disabled by {how} (from {})",
                    v.origin.describe()
                ),
                help,
                at,
            )
            // Only a project file can be edited; the environment and the user's files are not
            // the project's to change.
            .fixable(v.origin.is_project());
        if let Some(l) = settings
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
