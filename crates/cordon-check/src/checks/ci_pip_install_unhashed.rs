//! `ci-pip-install-unhashed`: CI or a container build installs with pip (or `uv pip install`)
//! packages that no hash binds: names on the command line, or requirement files installed
//! without `--require-hashes` whose lines carry no hashes.

use cordon_diagnostics::{Confidence, Finding};
use cordon_shell::{Action, Installer, PackageKind};

use crate::Context;
use crate::checks::Check;
use crate::ci_scripts::{env_value, script_location, truthy};

crate::declare_check!(
    META,
    "ci-pip-install-unhashed",
    Ci,
    Medium,
    false,
    "CI installs packages with pip without hashes"
);

pub struct CiPipInstallUnhashed;

impl Check for CiPipInstallUnhashed {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for ci in &cx.project.ci {
            for (script, analysis) in ci.scripts() {
                for intent in &analysis.intents {
                    let pip_like = matches!(
                        (intent.installer, intent.action),
                        (Installer::Pip, Action::Install)
                            | (Installer::Uv, Action::PipInstall | Action::PipSync)
                    );
                    if !pip_like {
                        continue;
                    }
                    let hashes_required = intent.require_hashes
                        || env_value(script, intent, "PIP_REQUIRE_HASHES").is_some_and(truthy)
                        || intent.requirement_files.iter().any(|f| {
                            cx.project.requirements_file_is_hashed(
                                &ci.file.path,
                                script,
                                &f.text,
                                intent.installer == Installer::Uv,
                            )
                        });
                    if hashes_required {
                        continue;
                    }
                    // Installing the project itself (`pip install .`, `-e .`) pulls dependencies
                    // unhashed too, but is judged by how the project pins them.
                    let named: Vec<&str> = intent
                        .packages
                        .iter()
                        .filter(|p| !matches!(p.kind, PackageKind::Path))
                        .map(|p| p.arg.text.as_str())
                        .collect();
                    let files: Vec<&str> = intent
                        .requirement_files
                        .iter()
                        .map(|f| f.text.as_str())
                        .collect();
                    if named.is_empty() && files.is_empty() {
                        continue;
                    }
                    let what = match (named.is_empty(), files.is_empty()) {
                        (false, _) => format!("`{}`", named.join("`, `")),
                        (true, false) => format!("the requirements in `{}`", files.join("`, `")),
                        (true, true) => unreachable!("one of them is non-empty"),
                    };
                    let Some(at) = script_location(cx, ci, script, intent.span.clone()) else {
                        continue;
                    };
                    let f = cx.finding(
                        &META,
                        format!("{} installs {what} with no hash checking", if intent.installer == Installer::Uv { "`uv pip install`" } else { "pip" }),
                        "install from the lock (`uv sync --locked`), or from a hashed requirements file (`uv export --format requirements-txt`) with `--require-hashes`",
                        at,
                    );
                    // A word known only at run time where an option may stand (`$PKGS`), or a
                    // requirements file cordon cannot name, may bring the hashes with it.
                    let unknowable = intent
                        .packages
                        .iter()
                        .any(|p| p.arg.dynamic && p.kind == PackageKind::Unknown)
                        || intent.requirement_files.iter().any(|f| f.dynamic);
                    out.push(if unknowable {
                        f.with_confidence(Confidence::Low)
                    } else {
                        f
                    });
                }
            }
        }
    }
}
