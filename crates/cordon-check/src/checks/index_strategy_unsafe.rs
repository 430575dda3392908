//! `index-strategy-unsafe`: `unsafe-first-match` or `unsafe-best-match` lets a package name on
//! one index be satisfied from another — the dependency-confusion door.

use cordon_diagnostics::Finding;

use crate::Context;
use crate::checks::Check;

crate::declare_check!(
    META,
    "index-strategy-unsafe",
    UvConfig,
    High,
    true,
    "an index strategy that lets any index answer for any package name"
);

pub struct IndexStrategyUnsafe;

impl Check for IndexStrategyUnsafe {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(v) = cx.project.settings.index_strategy() else {
            return;
        };
        if !v.value.starts_with("unsafe-") {
            return;
        }
        let at = cx.loc_of(v).map_or_else(|| cx.project_anchor(), Into::into);
        out.push(cx.finding(
            &META,
            format!("`index-strategy = \"{}\"` (from {}) lets a look-alike on another index win: the dependency-confusion attack", v.value, v.origin.describe()),
            "remove it (uv's default `first-index` is the safe one) and pin internal packages to their index with `[tool.uv.sources]`",
            at,
        ).fixable(v.origin.is_project()));
    }
}
