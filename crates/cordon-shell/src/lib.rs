//! Shell command lines, read for what they install.
//!
//! [`analyze`] takes a script — a GitHub Actions `run:` block, a GitLab `script:` line, a
//! Dockerfile `RUN` command, an AI agent's shell command — and reports:
//!
//! - an [`InstallIntent`] for every simple command that runs a Python installer (pip, uv, uvx,
//!   pipx, poetry, pdm, conda, mamba, micromamba, pixi, easy_install): the action, the packages,
//!   requirement and constraint files, package sources, and the guarantees asked for
//!   (`--locked`, `--frozen`, `--require-hashes`, `--no-deps`, `--exclude-newer`, …), including
//!   those set by environment variables;
//! - a [`RemoteScript`] for downloaded code handed to an interpreter (`curl … | sh`);
//! - an [`Unparsed`] entry for text it could not understand. One with
//!   `mentions_installer: true` may hide an install: callers must not treat it as safe.
//!
//! The shell parser is total and written for this job: operators, subshells and groups,
//! `$( … )` and backticks, `bash -c`/`sh -c` strings (read recursively), `eval`, prefix
//! assignments and `export`, wrappers (`sudo`, `env`, `timeout`, `nice`, `nohup`, `time`,
//! `exec`, `xargs`, …), quotes, line continuations, comments and here-documents. Each
//! installer's options are read with its own grammar (pip's unambiguous long-option prefixes,
//! uv's exact names, global options before the subcommand).
//!
//! ```
//! let a = cordon_shell::analyze("UV_LOCKED=1 uv sync && pip install --require-hashes -r req.txt");
//! assert_eq!(a.intents.len(), 2);
//! assert!(a.intents[0].locked);
//! assert_eq!(a.intents[1].requirement_files[0].text, "req.txt");
//! ```

mod analyze;
mod args;
mod installers;
mod model;
mod options;
mod package;
mod syntax;

pub use model::{
    Action, Analysis, Arg, EnvVar, IndexArg, IndexKind, InstallIntent, Installer, PackageArg,
    PackageKind, RemoteScript, Unparsed,
};

/// Analyses a whole script (any number of lines). Never panics and never fails: what cannot
/// be understood is reported in [`Analysis::unparsed`]. Spans are byte ranges into `src`.
pub fn analyze(src: &str) -> Analysis {
    analyze::run(src)
}

/// True when `text` names a Python installer as a word (`pip`, `pip3.11`, `$PIP`, `uvx`, …):
/// the test behind [`Unparsed::mentions_installer`], for callers that skip text themselves.
pub fn mentions_installer(text: &str) -> bool {
    analyze::mentions_installer(text)
}
