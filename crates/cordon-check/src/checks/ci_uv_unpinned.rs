//! `ci-uv-unpinned`: CI installs uv itself without fixing its version — `astral-sh/setup-uv`
//! without `version`, `pip install uv` without `==` — or runs an installer script downloaded
//! and piped straight into a shell.

use cordon_diagnostics::{Finding, Severity};
use cordon_shell::Installer;

use crate::Context;
use crate::checks::Check;
use crate::ci_scripts::script_location;

crate::declare_check!(
    META,
    "ci-uv-unpinned",
    Ci,
    Medium,
    false,
    "CI installs uv without a fixed version, or pipes a downloaded installer into a shell"
);

pub struct CiUvUnpinned;

/// True when an installer URL names a version (`…/uv/0.13.9/install.sh`).
fn url_has_version(url: &str) -> bool {
    url.split('/').any(|seg| {
        let seg = seg.trim_start_matches('v');
        let mut parts = seg.split('.');
        parts.clone().count() >= 2
            && parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    })
}

impl Check for CiUvUnpinned {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let project_pins_uv = cx.project.settings.required_version().is_some();
        for ci in &cx.project.ci {
            for u in &ci.file.uses {
                if u.action() != "astral-sh/setup-uv" {
                    continue;
                }
                if u.input("version").is_some()
                    || u.input("version-file").is_some()
                    || project_pins_uv
                {
                    continue;
                }
                let Some(at) = cx.loc(&ci.file.path, u.span.clone()) else {
                    continue;
                };
                out.push(cx.finding(
                    &META,
                    format!("`{}` installs the newest uv: no `version` input and no `required-version` in the project", u.uses),
                    "add `with: { version: \"0.13.9\" }` (the version you test with), or set `required-version` in `[tool.uv]`",
                    at,
                ));
            }
            for (script, analysis) in ci.scripts() {
                for intent in &analysis.intents {
                    let Some(uv) = intent
                        .packages
                        .iter()
                        .find(|p| p.name.as_deref() == Some("uv"))
                    else {
                        continue;
                    };
                    if !matches!(intent.installer, Installer::Pip | Installer::Pipx)
                        || uv.is_pinned()
                    {
                        continue;
                    }
                    let Some(at) = script_location(cx, ci, script, uv.arg.span.clone()) else {
                        continue;
                    };
                    out.push(cx.finding(
                        &META,
                        format!(
                            "`{} install {}` installs whatever uv is newest",
                            intent.installer.as_str(),
                            uv.arg.text
                        ),
                        "pin it: `uv==0.13.9` (and, better, `--require-hashes` with its hash)",
                        at,
                    ));
                }
                for remote in &analysis.remote_scripts {
                    let url = remote.url.as_ref().map(|u| u.text.as_str());
                    let Some(at) = script_location(cx, ci, script, remote.span.clone()) else {
                        continue;
                    };
                    let mut f = cx.finding(
                        &META,
                        match url {
                            Some(u) if url_has_version(u) => format!("a script downloaded from `{u}` is piped into `{}`, unverified", remote.interpreter),
                            Some(u) => format!("a script downloaded from `{u}` is piped into `{}`: whatever it serves today runs, unpinned and unverified", remote.interpreter),
                            None => format!("a downloaded script is piped into `{}`, unverified", remote.interpreter),
                        },
                        "install tools from a pinned, hashed package (`pip install --require-hashes -r tools.txt`) or a pinned action instead of piping a download into a shell",
                        at,
                    );
                    f.severity = if url.is_some_and(url_has_version) {
                        Severity::Low
                    } else {
                        Severity::High
                    };
                    out.push(f);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::url_has_version;

    #[test]
    fn versioned_installer_urls() {
        assert!(url_has_version("https://example.com/uv/0.13.9/install.sh"));
        assert!(!url_has_version("https://example.com/uv/install.sh"));
    }
}
