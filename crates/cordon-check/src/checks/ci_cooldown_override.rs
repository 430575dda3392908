//! `ci-cooldown-override`: CI or a container build overrides the project's release cooldown —
//! `UV_EXCLUDE_NEWER` in a workflow, job, step or `ENV`, or `--exclude-newer` /
//! `--exclude-newer-package` on a uv command line.

use cordon_diagnostics::{Finding, Severity};
use cordon_python::exclude_newer::{ExcludeNewer, parse_exclude_newer_env};
use cordon_shell::Installer;

use crate::Context;
use crate::checks::Check;
use crate::ci_scripts::script_location;

crate::declare_check!(
    META,
    "ci-cooldown-override",
    Ci,
    High,
    false,
    "CI overrides the project's release cooldown"
);

pub struct CiCooldownOverride;

/// How bad an override value is: disabling or shortening the cooldown is high, anything else
/// (a longer span, a date) still means CI resolves under other rules than the developers.
fn severity(value: &str, min_seconds: i64) -> (Severity, &'static str) {
    match parse_exclude_newer_env(value) {
        Ok(ExcludeNewer::Disabled) => (Severity::High, "switches the cooldown off"),
        Ok(ExcludeNewer::Span(s)) if s.is_zero() => (Severity::High, "switches the cooldown off"),
        Ok(ExcludeNewer::Span(s)) if s.seconds < min_seconds => {
            (Severity::High, "shortens the cooldown below the policy")
        }
        Ok(_) => (Severity::Medium, "replaces the project's cooldown"),
        Err(_) => (Severity::Medium, "sets a value uv rejects"),
    }
}

impl Check for CiCooldownOverride {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let min = cx.policy.min_cooldown.seconds;
        let help = "remove the override: let uv read the cooldown from `[tool.uv]`; if one package needs an exception, add it to `exclude-newer-package` in the project with a reason";
        for ci in &cx.project.ci {
            let mut reported = std::collections::BTreeSet::new();
            for script in &ci.file.scripts {
                for var in script.env.iter().filter(|v| v.name == "UV_EXCLUDE_NEWER") {
                    if !reported.insert((var.span.start, var.span.end)) {
                        continue;
                    }
                    let Some(at) = cx.loc(&ci.file.path, var.span.clone()) else {
                        continue;
                    };
                    let (sev, what) = severity(&var.value, min);
                    let mut f = cx.finding(
                        &META,
                        format!(
                            "`UV_EXCLUDE_NEWER={}` ({} env) {what}",
                            var.value, var.scope
                        ),
                        help,
                        at,
                    );
                    f.severity = sev;
                    out.push(f);
                }
            }
            for (script, analysis) in ci.scripts() {
                for intent in analysis
                    .intents
                    .iter()
                    .filter(|i| matches!(i.installer, Installer::Uv | Installer::Uvx))
                {
                    let mut hits = Vec::new();
                    // `exclude_newer` also holds a `UV_EXCLUDE_NEWER` prefix or `export` (with the
                    // assignment's span), which is reported below as what it is.
                    let from_env = |arg: &cordon_shell::Arg| {
                        intent
                            .env
                            .iter()
                            .any(|v| v.name == "UV_EXCLUDE_NEWER" && v.span == arg.span)
                    };
                    if let Some(arg) = intent.exclude_newer.as_ref().filter(|a| !from_env(a)) {
                        hits.push((
                            arg.span.clone(),
                            format!("`--exclude-newer {}`", arg.text),
                            severity(&arg.text, min),
                        ));
                    }
                    if let Some(v) = intent.env.iter().rfind(|v| v.name == "UV_EXCLUDE_NEWER") {
                        hits.push((
                            v.span.clone(),
                            format!("`UV_EXCLUDE_NEWER={}`", v.value),
                            severity(&v.value, min),
                        ));
                    }
                    for (span, what, (sev, effect)) in hits {
                        // One `export` before several uv commands is one override.
                        let in_file = script.offsets.to_file_range(span.clone());
                        if !reported.insert((in_file.start, in_file.end)) {
                            continue;
                        }
                        let Some(at) = script_location(cx, ci, script, span) else {
                            continue;
                        };
                        let mut f = cx.finding(
                            &META,
                            format!("{what} on the command line {effect}"),
                            help,
                            at,
                        );
                        f.severity = sev;
                        out.push(f);
                    }
                }
            }
        }
    }
}
