//! `lockfile-missing`: a project with dependencies but no `uv.lock`, so every install resolves
//! afresh against whatever the index serves that day.

use cordon_diagnostics::Finding;

use crate::Context;
use crate::checks::Check;

crate::declare_check!(
    META,
    "lockfile-missing",
    Lock,
    High,
    true,
    "the project declares dependencies but has no `uv.lock`"
);

pub struct LockfileMissing;

impl Check for LockfileMissing {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        if cx.project.lock.is_some() || !cx.project.has_dependencies() {
            return;
        }
        let at = match &cx.project.pyproject {
            Some(p) => cx
                .loc(&p.source.path, p.project_span.clone().unwrap_or(0..0))
                .map_or(cordon_diagnostics::Where::Project, Into::into),
            None => cordon_diagnostics::Where::Project,
        };
        out.push(cx.finding(
            &META,
            "there is no `uv.lock`: every install resolves dependencies afresh",
            "run `uv lock` under the cooldown, commit `uv.lock`, and install with `uv sync --locked`",
            at,
        ));
    }
}
