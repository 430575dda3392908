//! `cooldown-missing`: uv has no release cooldown (`exclude-newer`) from the project, so a
//! release published minutes ago can be resolved and installed.

use cordon_diagnostics::{Finding, Severity};
use cordon_python::exclude_newer::ExcludeNewer;

use crate::Context;
use crate::checks::Check;

crate::declare_check!(
    META,
    "cooldown-missing",
    Cooldown,
    High,
    true,
    "no release cooldown (`exclude-newer`) is configured in the project"
);

pub struct CooldownMissing;

impl Check for CooldownMissing {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let s = &cx.project.settings;
        let in_project = s
            .applied_files()
            .any(|f| f.origin.is_project() && f.options.exclude_newer.is_some());
        if in_project {
            return;
        }
        let span = cx.policy.min_cooldown.human();
        let help = format!(
            "add `exclude-newer = \"{span}\"` under `[tool.uv]` in pyproject.toml (or to the project's uv.toml)"
        );
        // A cooldown switched off outside the project (`UV_EXCLUDE_NEWER=false`, `false` in the
        // user's uv.toml) is no cooldown at all: that is the high finding, not the medium one.
        let effective = s.exclude_newer().filter(|v| match &v.value {
            ExcludeNewer::Disabled => false,
            ExcludeNewer::Span(d) => !d.is_zero(),
            ExcludeNewer::Timestamp(_) => true,
        });
        let mut f = match effective {
            Some(v) => cx
                .finding(
                    &META,
                    format!("the release cooldown comes only from {}, which CI and other machines do not share", v.origin.describe()),
                    help,
                    cx.project_anchor(),
                )
                .with_confidence(cordon_diagnostics::Confidence::High),
            None => cx.finding(&META, "no release cooldown is configured for uv", help, cx.project_anchor()),
        };
        if effective.is_some() {
            f.severity = Severity::Medium;
        }
        // A cooldown written in a `[tool.uv]` that uv ignores protects nobody: point at it.
        for file in s.files.iter().filter(|f| f.ignored_by_uv()) {
            if let Some(v) = &file.options.exclude_newer
                && let Some(l) = cx.loc_of_entry(v)
            {
                f = f.with_related("this cooldown is ignored: uv drops the whole `[tool.uv]` table because it has an invalid entry", l);
            }
        }
        out.push(f);
    }
}
