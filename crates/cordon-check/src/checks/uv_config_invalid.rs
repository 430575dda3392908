//! `uv-config-invalid`: a `[tool.uv]` key or value uv 0.13 rejects. For most keys uv then
//! ignores the whole table with only a warning — cooldown, exact bounds and index settings
//! silently off; for keys its project model reads, and anywhere in a project `uv.toml`, uv stops.
//! Also keys uv accepts but silently ignores (a typo inside an index entry), and a `[tool.uv]`
//! shadowed by a `uv.toml`.

use cordon_diagnostics::{Finding, Severity};
use cordon_python::settings::Origin;
use cordon_python::{ConfigFileKind, UvReaction};

use crate::Context;
use crate::checks::Check;

crate::declare_check!(
    META,
    "uv-config-invalid",
    UvConfig,
    High,
    false,
    "a uv setting uv would reject, which silently disables the whole `[tool.uv]` table"
);

pub struct UvConfigInvalid;

impl Check for UvConfigInvalid {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let settings = &cx.project.settings;
        for file in settings.project_files() {
            let kind = match file.origin {
                Origin::ProjectPyproject => ConfigFileKind::PyprojectToolUv,
                _ => ConfigFileKind::UvToml,
            };
            for e in &file.errors {
                let Some(at) = cx.loc(&file.source.path, e.span.clone()) else {
                    continue;
                };
                let consequence = match (e.uv_reaction(kind), kind) {
                    (UvReaction::IgnoresToolUv, _) => {
                        "uv ignores the whole `[tool.uv]` table when any entry is invalid, with only a warning: the cooldown, exact bounds and index settings in it are all off"
                    }
                    (UvReaction::Fails, ConfigFileKind::UvToml) => {
                        "uv refuses to run with an invalid uv.toml"
                    }
                    (UvReaction::Fails, ConfigFileKind::PyprojectToolUv) => {
                        "uv refuses to run with this project until it is fixed"
                    }
                };
                out.push(cx.finding(
                    &META,
                    e.message.clone(),
                    format!("fix or remove this entry; {consequence}"),
                    at,
                ));
            }
            for e in &file.ignored {
                let Some(at) = cx.loc(&file.source.path, e.span.clone()) else {
                    continue;
                };
                let mut f = cx.finding(
                    &META,
                    e.message.clone(),
                    "uv accepts this key but silently ignores it, so the setting you meant is not applied; fix the spelling or remove it",
                    at,
                );
                f.severity = Severity::Medium;
                out.push(f);
            }
        }
        if settings.shadowed_by_uv_toml
            && let Some(p) = &cx.project.pyproject
            && let Some(at) = p
                .tool_uv_span
                .clone()
                .and_then(|s| cx.loc(&p.source.path, s))
        {
            let mut f = cx.finding(
                &META,
                "the settings in `[tool.uv]` are ignored because a uv.toml sits beside pyproject.toml",
                "keep uv settings in one place: move them into uv.toml, or delete uv.toml",
                at,
            );
            f.severity = Severity::Low;
            out.push(f);
        }
    }
}
