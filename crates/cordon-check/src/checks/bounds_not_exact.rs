//! `bounds-not-exact`: `uv add` is not configured to write exact pins (`add-bounds = "exact"`),
//! so new dependencies land as `>=` ranges that float on the next re-lock.

use cordon_diagnostics::Finding;

use crate::Context;
use crate::checks::Check;

crate::declare_check!(
    META,
    "bounds-not-exact",
    UvConfig,
    Medium,
    true,
    "`uv add` does not write exact pins (`add-bounds = \"exact\"` is not set)"
);

pub struct BoundsNotExact;

impl Check for BoundsNotExact {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        // `add-bounds` only matters to `uv add`, which needs a pyproject.toml.
        if cx.project.pyproject.is_none() {
            return;
        }
        let help = "set `add-bounds = \"exact\"` under `[tool.uv]` so `uv add` pins `==` versions";
        match cx.project.settings.add_bounds() {
            Some(v) if v.value == "exact" => {
                if !v.origin.is_project() {
                    out.push(cx.finding(
                        &META,
                        format!("exact bounds come only from {}, which CI and other machines do not share", v.origin.describe()),
                        help,
                        cx.project_anchor(),
                    ));
                }
            }
            Some(v) => {
                let at = cx.loc_of(v).map_or_else(|| cx.project_anchor(), Into::into);
                out.push(cx.finding(
                    &META,
                    format!(
                        "`add-bounds = \"{}\"` makes `uv add` write ranges, not exact pins",
                        v.value
                    ),
                    help,
                    at,
                ));
            }
            None => {
                let ignored = cx
                    .project
                    .settings
                    .files
                    .iter()
                    .filter(|f| f.ignored_by_uv())
                    .find_map(|f| f.options.add_bounds.as_ref());
                let (message, at) = match ignored.and_then(|v| cx.loc_of_entry(v)) {
                    Some(l) => (
                        "`add-bounds` is ignored: uv drops the whole `[tool.uv]` table because it has an invalid entry".to_owned(),
                        l.into(),
                    ),
                    None => (
                        "`uv add` will write `>=` lower bounds: `add-bounds` is not set".to_owned(),
                        cx.project_anchor(),
                    ),
                };
                out.push(cx.finding(&META, message, help, at));
            }
        }
    }
}
