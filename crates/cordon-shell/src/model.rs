//! The public result types: what [`crate::analyze`] reports about a script — install intents,
//! remote scripts run by a shell, and the commands it could not understand. Every span is a byte
//! range into the text given to `analyze`.

use std::ops::Range;

/// Everything [`crate::analyze`] found in a script, each list in source order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analysis {
    /// One entry per simple command that invokes a Python installer.
    pub intents: Vec<InstallIntent>,
    /// Downloaded code handed to an interpreter (`curl … | sh`, `sh <(curl …)`, …).
    pub remote_scripts: Vec<RemoteScript>,
    /// Text that could not be understood. Callers treat an entry with
    /// `mentions_installer: true` as a possible install (fail closed); the others are
    /// informational.
    pub unparsed: Vec<Unparsed>,
    /// Simple commands that run `cordon approve` (a person's approval of a package), by span:
    /// the agent guard refuses them.
    pub approvals: Vec<Range<usize>>,
    /// Files the script writes: output redirections (`>`, `>>`), `tee FILE`, `sed -i … FILE`,
    /// and the destination of `cp`/`mv`. A dependency file written this way cannot be judged
    /// on what it adds.
    pub writes: Vec<Arg>,
}

/// The program that installs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Installer {
    /// `pip`, `pip3`, `pip3.12`, `pip-3.8`, `python -m pip`, `py -m pip`, `.venv/bin/pip`.
    Pip,
    /// `uv` (including `python -m uv`).
    Uv,
    /// `uvx` (the same as `uv tool run`, kept apart because users write it apart).
    Uvx,
    /// `pipx` (including `pipx runpip VENV install …`, read with pip's grammar).
    Pipx,
    /// `poetry`.
    Poetry,
    /// `pdm`.
    Pdm,
    /// `conda`.
    Conda,
    /// `mamba`.
    Mamba,
    /// `micromamba`.
    Micromamba,
    /// `pixi`.
    Pixi,
    /// `easy_install`, and `python setup.py install|develop` (setuptools' legacy path, which
    /// fetches dependencies through easy_install).
    EasyInstall,
}

impl Installer {
    /// The installer's command name, e.g. `"pip"`, `"easy_install"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pip => "pip",
            Self::Uv => "uv",
            Self::Uvx => "uvx",
            Self::Pipx => "pipx",
            Self::Poetry => "poetry",
            Self::Pdm => "pdm",
            Self::Conda => "conda",
            Self::Mamba => "mamba",
            Self::Micromamba => "micromamba",
            Self::Pixi => "pixi",
            Self::EasyInstall => "easy_install",
        }
    }
}

/// What the installer was asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Install into an environment: `pip install`, `pipx install`, `poetry install`,
    /// `pdm install`, `conda install`, `pixi install`, `easy_install`, `pipx runpip … install`.
    Install,
    /// `pip download`: fetches (and may build) distributions without installing them.
    Download,
    /// `pip wheel`: fetches and builds wheels.
    Wheel,
    /// Declare and install a dependency: `uv add`, `poetry add`, `pdm add`, `pixi add`.
    Add,
    /// `uv pip install`.
    PipInstall,
    /// `uv pip sync`.
    PipSync,
    /// Install the locked set: `uv sync`, `pdm sync`.
    Sync,
    /// Resolve and write the lock: `uv lock`, `poetry lock`, `pdm lock`, `pixi lock`.
    Lock,
    /// `uv run`: syncs the project (and `--with` packages) before running a command.
    Run,
    /// `uv tool install`.
    ToolInstall,
    /// An ephemeral tool environment: `uvx`, `uv tool run`, `pipx run`, `pixi exec`.
    ToolRun,
    /// `pipx inject`: add packages to an installed tool's environment.
    Inject,
    /// Create an environment with packages: `conda create`, `conda env create`.
    Create,
    /// Move to newer versions: `poetry update`, `pdm update`, `conda update`, `pipx upgrade`,
    /// `uv tool upgrade`, `pixi update`/`upgrade`.
    Update,
}

impl Action {
    /// A stable kebab-case name, e.g. `"pip-install"`, `"tool-run"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Install => "install",
            Self::Download => "download",
            Self::Wheel => "wheel",
            Self::Add => "add",
            Self::PipInstall => "pip-install",
            Self::PipSync => "pip-sync",
            Self::Sync => "sync",
            Self::Lock => "lock",
            Self::Run => "run",
            Self::ToolInstall => "tool-install",
            Self::ToolRun => "tool-run",
            Self::Inject => "inject",
            Self::Create => "create",
            Self::Update => "update",
        }
    }
}

/// One command-line argument (or option value) as the command receives it: quotes removed,
/// `$VAR`, `${VAR}` and `$(…)` kept literally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    /// The text after quote removal.
    pub text: String,
    /// Where the argument is in the analysed text: for an option written `--opt=value`, the
    /// whole word; inside a nested script whose text had escapes removed (`sh -c "… \"x\""`,
    /// backticks), the whole string holding it.
    pub span: Range<usize>,
    /// True when the shell expands part of it at run time (`$VAR`, `$(…)`, backticks), so
    /// `text` is not what the installer will see.
    pub dynamic: bool,
}

/// What kind of thing a package argument names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PackageKind {
    /// A requirement by name, e.g. `requests`, `requests==2.32.3`, `flask[async]>=3`,
    /// `ruff@0.6.0` (uv tools), `numpy=1.26` (conda).
    Name,
    /// A direct URL to an archive, with or without `name @`.
    Url,
    /// A version-control reference (`git+https://…`, `name @ git+…`, `hg+…`).
    Vcs,
    /// A local file or directory (`.`, `./dist/x.whl`, `../lib`, `file:…`).
    Path,
    /// Not recognisable, usually because it is only known at run time (`$PKG`).
    Unknown,
}

/// A package named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageArg {
    /// The argument as written (after quote removal), with its span.
    pub arg: Arg,
    /// What it names.
    pub kind: PackageKind,
    /// The PEP 503-normalized project name, when the argument carries one (`Name`, and
    /// `name @ url` forms).
    pub name: Option<String>,
    /// The version constraint as written, whitespace removed (`==2.32.3`, `>=2,<3`); `None`
    /// when there is none.
    pub spec: Option<String>,
    /// Installed in editable mode (`-e`, `--editable`, `--with-editable`).
    pub editable: bool,
}

impl PackageArg {
    /// True for an exact pin: a single `==V` clause without wildcard, or `===V`.
    pub fn is_pinned(&self) -> bool {
        let Some(spec) = self.spec.as_deref() else {
            return false;
        };
        if let Some(v) = spec.strip_prefix("===") {
            return !v.is_empty();
        }
        spec.strip_prefix("==")
            .is_some_and(|v| !v.is_empty() && !v.contains(['*', ',', '<', '>', '!', '=', '~']))
    }
}

/// Which kind of package source an [`IndexArg`] adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndexKind {
    /// `-i`/`--index-url` (pip, uv, pipx, easy_install), `PIP_INDEX_URL`, `UV_INDEX_URL`.
    IndexUrl,
    /// `--extra-index-url`, `PIP_EXTRA_INDEX_URL`, `UV_EXTRA_INDEX_URL`.
    ExtraIndexUrl,
    /// uv's `--default-index`, `UV_DEFAULT_INDEX`.
    DefaultIndex,
    /// uv's `--index`, `UV_INDEX`.
    Index,
    /// `-f`/`--find-links`, `PIP_FIND_LINKS`, `UV_FIND_LINKS`.
    FindLinks,
    /// `--trusted-host` (pip), `--allow-insecure-host` (uv), `PIP_TRUSTED_HOST`,
    /// `UV_INSECURE_HOST`.
    TrustedHost,
    /// A conda/pixi channel: `-c`/`--channel`.
    Channel,
    /// A package source given to poetry (`--source`).
    Source,
}

impl IndexKind {
    /// A stable kebab-case name, e.g. `"extra-index-url"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::IndexUrl => "index-url",
            Self::ExtraIndexUrl => "extra-index-url",
            Self::DefaultIndex => "default-index",
            Self::Index => "index",
            Self::FindLinks => "find-links",
            Self::TrustedHost => "trusted-host",
            Self::Channel => "channel",
            Self::Source => "source",
        }
    }
}

/// A package source named by an option or an environment variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexArg {
    /// What the value is.
    pub kind: IndexKind,
    /// The URL, path, host or channel name; its span is the option value's, or the
    /// environment assignment's when it came from one.
    pub value: Arg,
}

/// An environment variable in effect for an install command, set by a prefix assignment
/// (`UV_LOCKED=1 uv sync`), `env`/`sudo` arguments, or an earlier `export` in the same script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    /// The variable name.
    pub name: String,
    /// The value after quote removal (`$VAR` kept literally).
    pub value: String,
    /// The span of the whole `NAME=value` assignment.
    pub span: Range<usize>,
}

/// One invocation of a Python installer.
///
/// Guarantee fields (`locked`, `frozen`, `require_hashes`, `no_deps`, `no_build`,
/// `exclude_newer`, `indexes`, …) give the combined effect of the command-line options and of
/// the installer's environment variables listed in `env`; a command-line option wins over the
/// environment. Options are read with each installer's own grammar: pip accepts unambiguous
/// prefixes of long options (`--require-h`), uv does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallIntent {
    /// The installer.
    pub installer: Installer,
    /// What it was asked to do.
    pub action: Action,
    /// The whole simple command, wrappers such as `sudo` and prefix assignments included (a
    /// command run by an installer, as in `uv run pip install x`, shares its span); inside a
    /// nested script, the command within the string, or the whole string when escapes were
    /// removed from it.
    pub span: Range<usize>,
    /// Packages named on the command line (positionals, `-e`, `--with`, `--from`, …).
    pub packages: Vec<PackageArg>,
    /// Requirement files: `-r`/`--requirement`, uv's `--requirements`/`--with-requirements`,
    /// `uv pip sync FILE`, conda's `--file`.
    pub requirement_files: Vec<Arg>,
    /// Constraint files: `-c`/`--constraint`, `PIP_CONSTRAINT`, `UV_CONSTRAINT`.
    pub constraint_files: Vec<Arg>,
    /// Package sources: index URLs, find-links, trusted hosts, channels.
    pub indexes: Vec<IndexArg>,
    /// `--no-index`: no package index is consulted.
    pub no_index: bool,
    /// `--locked` (uv, pixi, `pdm install --check`) or `UV_LOCKED`/`PIXI_LOCKED`.
    pub locked: bool,
    /// `--frozen` (uv, pixi, pdm's `--frozen-lockfile`) or `UV_FROZEN`/`PIXI_FROZEN`.
    pub frozen: bool,
    /// `--require-hashes` or `PIP_REQUIRE_HASHES`/`UV_REQUIRE_HASHES`.
    pub require_hashes: bool,
    /// `--no-deps` (also easy_install's `-N`, conda's `--no-deps`) or `PIP_NO_DEPS`.
    pub no_deps: bool,
    /// No source distribution may be built: uv's `--no-build`, `--only-binary :all:`,
    /// `UV_NO_BUILD`, `PIP_ONLY_BINARY=:all:`.
    pub no_build: bool,
    /// The values of `--only-binary` (pip, `uv pip`).
    pub only_binary: Vec<Arg>,
    /// A release cooldown: uv's `--exclude-newer`, pip's `--uploaded-prior-to`, or
    /// `UV_EXCLUDE_NEWER`/`PIP_UPLOADED_PRIOR_TO`.
    pub exclude_newer: Option<Arg>,
    /// Asks for newer versions than the lock or the environment holds: `-U`/`--upgrade`,
    /// `--upgrade-package`.
    pub upgrade: bool,
    /// `--dry-run`: resolves (and may build) but installs nothing.
    pub dry_run: bool,
    /// The environment variables in effect that this installer reads: `UV_*` (uv, uvx),
    /// `PIP_*` (pip, pipx), `PIPX_*`, `POETRY_*`, `PDM_*`, `CONDA_*`/`MAMBA_*`, `PIXI_*`.
    pub env: Vec<EnvVar>,
    /// Some arguments are only known at run time (`$VAR`, `$(…)`, `xargs`, a variable as the
    /// interpreter): the lists above may be incomplete.
    pub dynamic: bool,
}

impl InstallIntent {
    pub(crate) fn new(installer: Installer, action: Action, span: Range<usize>) -> Self {
        Self {
            installer,
            action,
            span,
            packages: Vec::new(),
            requirement_files: Vec::new(),
            constraint_files: Vec::new(),
            indexes: Vec::new(),
            no_index: false,
            locked: false,
            frozen: false,
            require_hashes: false,
            no_deps: false,
            no_build: false,
            only_binary: Vec::new(),
            exclude_newer: None,
            upgrade: false,
            dry_run: false,
            env: Vec::new(),
            dynamic: false,
        }
    }

    /// The value of an environment variable in effect for this command, if set.
    pub fn env_var(&self, name: &str) -> Option<&str> {
        self.env
            .iter()
            .rev()
            .find(|v| v.name == name)
            .map(|v| v.value.as_str())
    }
}

/// Code fetched from the network and run by an interpreter: `curl -LsSf URL | sh`,
/// `wget -qO- URL | bash`, `sh <(curl …)`, `bash -c "$(curl …)"`, `curl -o x.sh URL && sh x.sh`,
/// `irm URL | iex`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteScript {
    /// The URL the fetcher was given, when one was found.
    pub url: Option<Arg>,
    /// The program that runs the code (`sh`, `bash`, `python3`, `iex`, …).
    pub interpreter: String,
    /// From the fetching command to the running one.
    pub span: Range<usize>,
}

/// Text that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unparsed {
    /// The command or region concerned.
    pub span: Range<usize>,
    /// Why, lower-case, e.g. `unterminated double quote`.
    pub reason: String,
    /// The text names an installer (`pip`, `uv`, `poetry`, …): a caller must treat it as a
    /// possible install.
    pub mentions_installer: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stable() {
        assert_eq!(Installer::EasyInstall.as_str(), "easy_install");
        assert_eq!(Installer::Micromamba.as_str(), "micromamba");
        assert_eq!(Action::PipInstall.as_str(), "pip-install");
        assert_eq!(Action::ToolRun.as_str(), "tool-run");
        assert_eq!(IndexKind::ExtraIndexUrl.as_str(), "extra-index-url");
    }

    #[test]
    fn env_var_returns_the_last_assignment() {
        let mut i = InstallIntent::new(Installer::Uv, Action::Sync, 0..7);
        for value in ["0", "1"] {
            i.env.push(EnvVar {
                name: "UV_LOCKED".to_owned(),
                value: value.to_owned(),
                span: 0..0,
            });
        }
        assert_eq!(i.env_var("UV_LOCKED"), Some("1"));
        assert_eq!(i.env_var("UV_FROZEN"), None);
    }
}
