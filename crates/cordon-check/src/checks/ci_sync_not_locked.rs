//! `ci-sync-not-locked`: CI or a container build runs `uv sync` or `uv run` without `--locked`
//! (or `--frozen`, or `UV_LOCKED`/`UV_FROZEN` in the environment), so a stale or missing lock is
//! silently re-resolved against whatever the index serves that day.

use cordon_diagnostics::Finding;
use cordon_shell::{Action, Installer};

use crate::Context;
use crate::checks::Check;
use crate::ci_scripts::{env_value, script_location, truthy};

crate::declare_check!(
    META,
    "ci-sync-not-locked",
    Ci,
    High,
    true,
    "CI runs `uv sync` or `uv run` without `--locked`"
);

pub struct CiSyncNotLocked;

impl Check for CiSyncNotLocked {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for ci in &cx.project.ci {
            for (script, analysis) in ci.scripts() {
                for intent in &analysis.intents {
                    if intent.installer != Installer::Uv
                        || !matches!(intent.action, Action::Sync | Action::Run)
                    {
                        continue;
                    }
                    let env_locked = ["UV_LOCKED", "UV_FROZEN"]
                        .iter()
                        .any(|v| env_value(script, intent, v).is_some_and(truthy));
                    if intent.locked || intent.frozen || env_locked {
                        continue;
                    }
                    let Some(at) = script_location(cx, ci, script, intent.span.clone()) else {
                        continue;
                    };
                    let verb = if intent.action == Action::Sync {
                        "sync"
                    } else {
                        "run"
                    };
                    out.push(cx.finding(
                        &META,
                        format!("`uv {verb}` runs without `--locked`: a stale lock is re-resolved instead of failing the build"),
                        format!("use `uv {verb} --locked` (or set `UV_LOCKED: 1` for the whole job)"),
                        at,
                    ));
                }
            }
        }
    }
}
