//! Install-intent extraction per installer: each submodule reads one installer's command line
//! with that installer's own option grammar. This module holds what they share: the outcome
//! type, the meaning of the options most installers have in common, and the environment
//! variables each installer reads.

pub(crate) mod conda;
pub(crate) mod easy_install;
pub(crate) mod pip;
pub(crate) mod pipx;
pub(crate) mod pixi;
pub(crate) mod poetry_pdm;
pub(crate) mod uv;

use std::ops::Range;

use crate::args::A;
use crate::model::{Action, Arg, EnvVar, IndexArg, IndexKind, InstallIntent, Installer};
use crate::options::{Item, Walker};

/// What reading one installer command gave.
#[derive(Default)]
pub(crate) struct Outcome<'a, 'w> {
    pub intent: Option<InstallIntent>,
    /// A command the installer runs in its environment (`uv run CMD`, `poetry run CMD`); it is
    /// analysed in turn.
    pub inner: Option<&'a [A<'w>]>,
    /// `inner` starts with a Python module name (`uv run -m pip …`).
    pub inner_module: bool,
    /// The subcommand is only known at run time (`pip $CMD x`).
    pub dynamic_subcommand: bool,
}

impl Outcome<'_, '_> {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn intent(intent: InstallIntent) -> Self {
        Self {
            intent: Some(intent),
            ..Self::default()
        }
    }

    pub fn dynamic() -> Self {
        Self {
            dynamic_subcommand: true,
            ..Self::default()
        }
    }
}

/// Which environment variables an installer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    Uv,
    /// pip, and pipx (whose pip reads them).
    Pip,
    Pixi,
    Other,
}

/// The command being read: its span, the environment in effect, and whether something about it
/// is only known at run time.
pub(crate) struct Call<'e> {
    pub span: Range<usize>,
    pub env: &'e [EnvVar],
    pub dynamic: bool,
}

/// The prefixes of the environment variables an installer reads.
fn env_prefixes(installer: Installer) -> &'static [&'static str] {
    match installer {
        Installer::Uv | Installer::Uvx => &["UV_"],
        Installer::Pip => &["PIP_"],
        Installer::Pipx => &["PIPX_", "PIP_"],
        Installer::Poetry => &["POETRY_"],
        Installer::Pdm => &["PDM_"],
        Installer::Conda | Installer::Mamba | Installer::Micromamba => &["CONDA_", "MAMBA_"],
        Installer::Pixi => &["PIXI_"],
        Installer::EasyInstall => &[],
    }
}

impl Call<'_> {
    /// A new intent with the installer's environment applied.
    pub fn intent(&self, installer: Installer, action: Action, family: Family) -> InstallIntent {
        let mut intent = InstallIntent::new(installer, action, self.span.clone());
        intent.dynamic = self.dynamic;
        let prefixes = env_prefixes(installer);
        intent.env = self
            .env
            .iter()
            .filter(|v| prefixes.iter().any(|p| v.name.starts_with(p)))
            .cloned()
            .collect();
        for var in self.env {
            apply_env(&mut intent, var, family);
        }
        intent
    }
}

/// `1`, `true`, `yes`, … as uv's and pip's boolean environment variables read them.
pub(crate) fn truthy(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "t" | "yes" | "y" | "on"
    )
}

fn env_arg(var: &EnvVar, text: &str) -> Arg {
    Arg {
        text: text.to_owned(),
        span: var.span.clone(),
        dynamic: text.contains(['$', '`']),
    }
}

fn env_list(intent: &mut InstallIntent, var: &EnvVar, kind: IndexKind, sep: &[char]) {
    for part in var.value.split(sep).filter(|p| !p.is_empty()) {
        intent.indexes.push(IndexArg {
            kind,
            value: env_arg(var, part),
        });
    }
}

fn apply_env(intent: &mut InstallIntent, var: &EnvVar, family: Family) {
    let v = var.value.as_str();
    match (family, var.name.as_str()) {
        (Family::Uv, "UV_LOCKED") | (Family::Pixi, "PIXI_LOCKED") => intent.locked = truthy(v),
        (Family::Uv, "UV_FROZEN") | (Family::Pixi, "PIXI_FROZEN") => intent.frozen = truthy(v),
        (Family::Uv, "UV_REQUIRE_HASHES") | (Family::Pip, "PIP_REQUIRE_HASHES") => {
            intent.require_hashes = truthy(v);
        }
        (Family::Uv, "UV_NO_BUILD") => intent.no_build = truthy(v),
        (Family::Pip, "PIP_NO_DEPS" | "PIP_NO_DEPENDENCIES") => intent.no_deps = truthy(v),
        (Family::Pip, "PIP_NO_INDEX") => intent.no_index = truthy(v),
        (Family::Pip, "PIP_ONLY_BINARY") => {
            intent.only_binary.push(env_arg(var, v));
            intent.no_build |= v.split(',').any(|p| p.trim() == ":all:");
        }
        (Family::Uv, "UV_EXCLUDE_NEWER") | (Family::Pip, "PIP_UPLOADED_PRIOR_TO") => {
            intent.exclude_newer = Some(env_arg(var, v));
        }
        (Family::Uv, "UV_INDEX_URL") | (Family::Pip, "PIP_INDEX_URL") => {
            env_list(intent, var, IndexKind::IndexUrl, &[]);
        }
        (Family::Uv, "UV_EXTRA_INDEX_URL") | (Family::Pip, "PIP_EXTRA_INDEX_URL") => {
            env_list(intent, var, IndexKind::ExtraIndexUrl, &[' ', '\n', '\t']);
        }
        (Family::Uv, "UV_DEFAULT_INDEX") => env_list(intent, var, IndexKind::DefaultIndex, &[]),
        (Family::Uv, "UV_INDEX") => env_list(intent, var, IndexKind::Index, &[' ', '\n', '\t']),
        (Family::Uv, "UV_FIND_LINKS") => env_list(intent, var, IndexKind::FindLinks, &[',']),
        (Family::Pip, "PIP_FIND_LINKS") => {
            env_list(intent, var, IndexKind::FindLinks, &[' ', '\n', '\t']);
        }
        (Family::Uv, "UV_INSECURE_HOST") | (Family::Pip, "PIP_TRUSTED_HOST") => {
            env_list(intent, var, IndexKind::TrustedHost, &[' ', '\n', '\t']);
        }
        (Family::Uv, "UV_CONSTRAINT") | (Family::Pip, "PIP_CONSTRAINT") => {
            for part in v.split([' ', '\n', '\t']).filter(|p| !p.is_empty()) {
                intent.constraint_files.push(env_arg(var, part));
            }
        }
        _ => {}
    }
}

/// Applies an option most installers share, by canonical long name. Returns false when the
/// option means nothing here.
pub(crate) fn common_option(intent: &mut InstallIntent, name: &str, value: Option<&A<'_>>) -> bool {
    if value.is_some_and(|v| v.dynamic) {
        intent.dynamic = true;
    }
    let index = |intent: &mut InstallIntent, kind| {
        if let Some(v) = value {
            intent.indexes.push(IndexArg {
                kind,
                value: v.to_arg(),
            });
        }
    };
    match name {
        "--requirement" | "--requirements" | "--with-requirements" => {
            if let Some(v) = value {
                intent.requirement_files.push(v.to_arg());
            }
        }
        "--constraint" | "--constraints" => {
            if let Some(v) = value {
                intent.constraint_files.push(v.to_arg());
            }
        }
        "--index-url" => index(intent, IndexKind::IndexUrl),
        "--extra-index-url" => index(intent, IndexKind::ExtraIndexUrl),
        "--default-index" => index(intent, IndexKind::DefaultIndex),
        "--index" => index(intent, IndexKind::Index),
        "--find-links" => index(intent, IndexKind::FindLinks),
        "--trusted-host" | "--allow-insecure-host" => index(intent, IndexKind::TrustedHost),
        "--channel" => index(intent, IndexKind::Channel),
        "--source" => index(intent, IndexKind::Source),
        "--no-index" => intent.no_index = true,
        "--locked" => intent.locked = true,
        "--no-locked" => intent.locked = false,
        "--frozen" => intent.frozen = true,
        "--no-frozen" => intent.frozen = false,
        "--require-hashes" => intent.require_hashes = true,
        "--no-require-hashes" => intent.require_hashes = false,
        "--no-deps" => intent.no_deps = true,
        "--no-build" => intent.no_build = true,
        "--only-binary" => {
            if let Some(v) = value {
                intent.no_build |= v.text.split(',').any(|p| p.trim() == ":all:");
                intent.only_binary.push(v.to_arg());
            }
        }
        "--exclude-newer" | "--uploaded-prior-to" => intent.exclude_newer = value.map(A::to_arg),
        "--upgrade" | "--upgrade-package" => intent.upgrade = true,
        "--dry-run" => intent.dry_run = true,
        _ => return false,
    }
    true
}

/// True for `-h`/`--help`/`--version`: the command prints and installs nothing.
pub(crate) fn is_help(name: &str, short: Option<char>) -> bool {
    matches!(name, "--help" | "--version") || matches!(short, Some('h'))
}

/// Reads past options to the next positional (a subcommand). `None` at the end or at `--help`.
pub(crate) fn next_positional<'a, 'w>(w: &mut Walker<'a, 'w>) -> Option<&'a A<'w>> {
    loop {
        match w.next()? {
            Item::Opt { name, short, .. } if is_help(name, short) => return None,
            Item::Opt { .. } => {}
            Item::Pos(a) => return Some(a),
        }
    }
}
