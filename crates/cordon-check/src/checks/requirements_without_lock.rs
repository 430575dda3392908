//! `requirements-without-lock`: dependencies kept in requirements files instead of a uv lock.
//! With no `pyproject.toml` and `uv.lock`, the requirements files are all there is: no cooldown
//! recorded, no lock to install with `--locked` (reported once, at the main file). Beside a
//! locked uv project, a hand-kept requirements file is a second dependency list that installs
//! around the lock (reported per file, at low severity); one exported from the lock
//! (`uv export`'s header) is quiet.

use cordon_diagnostics::{Finding, Severity};
use cordon_python::requirements_txt::{Generator, RequirementsFile};

use crate::Context;
use crate::checks::Check;

crate::declare_check!(
    META,
    "requirements-without-lock",
    Requirements,
    Medium,
    false,
    "dependencies are kept in requirements files rather than a uv lock"
);

pub struct RequirementsWithoutLock;

fn is_named(file: &RequirementsFile, name: &str) -> bool {
    file.source
        .path
        .file_name()
        .is_some_and(|n| n.eq_ignore_ascii_case(name))
}

impl Check for RequirementsWithoutLock {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let set = &cx.project.requirements;
        let uses = set.uses();
        // Files that install something (constraints-only files install nothing).
        let files: Vec<&RequirementsFile> = set
            .files
            .iter()
            .zip(&uses)
            .filter(|(f, u)| u.as_requirements && f.installs().next().is_some())
            .map(|(f, _)| f)
            .collect();
        let Some(&fallback) = files.first() else {
            return;
        };
        let first_install = |f: &RequirementsFile| {
            f.installs()
                .next()
                .and_then(|l| cx.loc(&f.source.path, l.span.clone()))
        };
        let project = &cx.project;
        if project.pyproject.is_none() || project.lock.is_none() {
            let main = files
                .iter()
                .copied()
                .find(|f| is_named(f, "requirements.txt"))
                .unwrap_or(fallback);
            let Some(at) = first_install(main) else {
                return;
            };
            let rel = project.rel(&main.source.path);
            let what = match files.len() {
                1 => format!("`{rel}`"),
                2 => format!("requirements files (`{rel}` and 1 more)"),
                n => format!("requirements files (`{rel}` and {} more)", n - 1),
            };
            let message = if project.pyproject.is_some() {
                format!(
                    "the dependencies are installed from {what}, and `pyproject.toml` has no `uv.lock`"
                )
            } else {
                format!(
                    "the project's dependencies are managed by {what} alone, with no `pyproject.toml` and `uv.lock`"
                )
            };
            let help = if main.generator() == Some(Generator::UvExport) {
                format!(
                    "`{rel}` was exported from a `uv.lock` that is not here: commit the `pyproject.toml` and `uv.lock` it came from, and install with `uv sync --locked`"
                )
            } else {
                "run `cordon init --migrate` to move them into `pyproject.toml`, lock them with uv under the cooldown, and install with `uv sync --locked`".to_owned()
            };
            out.push(cx.finding(&META, message, help, at));
            return;
        }
        for file in files {
            if file.generator() == Some(Generator::UvExport) {
                continue;
            }
            let Some(at) = first_install(file) else {
                continue;
            };
            let rel = project.rel(&file.source.path);
            let mut f = cx.finding(
                &META,
                format!(
                    "`{rel}` lists dependencies outside `uv.lock`: installing it bypasses the lock and its cooldown"
                ),
                format!(
                    "move them into `pyproject.toml` (`[dependency-groups]`; `cordon init --migrate` does it) and install with `uv sync --locked`, or generate the file from the lock: `uv export --format requirements-txt -o {rel}`"
                ),
                at,
            );
            f.severity = Severity::Low;
            out.push(f);
        }
    }
}
