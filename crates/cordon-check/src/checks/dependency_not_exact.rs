//! `dependency-not-exact`: a declared registry dependency that is not pinned with `==` (or
//! `===`). Ranges let the next `uv lock --upgrade` pull in whatever was published last.

use cordon_diagnostics::Finding;
use cordon_python::requirement::exact_version;

use crate::Context;
use crate::checks::Check;

crate::declare_check!(
    META,
    "dependency-not-exact",
    Pinning,
    Medium,
    true,
    "a declared dependency is not pinned to one exact version"
);

pub struct DependencyNotExact;

impl Check for DependencyNotExact {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let members = cx.project.member_names();
        for manifest in cx.project.manifests() {
            for req in &manifest.requirements {
                let Some(name) = req.name() else { continue };
                if members.contains(&name) || req.url().is_some() {
                    continue;
                }
                // Local and VCS sources are judged by their own checks.
                if manifest.has_non_registry_source(cx.project.pyproject.as_ref(), &name) {
                    continue;
                }
                let specs = req.specifiers();
                if specs.and_then(exact_version).is_some() {
                    continue;
                }
                let locked = cx
                    .project
                    .lock
                    .as_ref()
                    .and_then(|l| l.package(&name))
                    .and_then(|p| p.version.clone());
                let help = match &locked {
                    Some(v) => format!("pin it to the locked version: `{name}=={v}`"),
                    None => format!("pin it exactly: `{name}==<version>`"),
                };
                let what = match specs {
                    Some(s) if !s.is_empty() => format!("allows a range (`{s}`)"),
                    _ => "has no version constraint".to_owned(),
                };
                let Some(at) = cx.loc(&manifest.source.path, req.span.clone()) else {
                    continue;
                };
                out.push(
                    cx.finding(
                        &META,
                        format!("`{name}` in {} {what}", req.declared_in.describe()),
                        help,
                        at,
                    )
                    .with_package(name.clone(), locked),
                );
            }
        }
    }
}
