//! `cordon init` and `cordon check --fix`: the edits that harden a project, planned in memory,
//! shown as a diff, and written atomically.
//!
//! Every edit is a [`Change`]: a file's whole old and new text. Planners never touch the disk;
//! [`write_all`] writes a set of changes atomically (each file via a temporary file and a rename,
//! and every earlier file restored if a later one fails), and [`diff::unified`] renders them for
//! `--dry-run`.
//!
//! Where each kind of edit lives:
//! - `pyproject.toml` / `uv.toml` settings and exact pins: [`toml_edits`]
//! - CI jobs and `--locked` edits in existing workflows: [`ci`]
//! - agent instruction files and hook configurations: [`agents`]
//! - requirements files to `pyproject.toml`: [`migrate`]
//! - running the real uv: [`uv`]
//! - the whole `init` flow: [`init`]; `check --fix`: [`fix`]

pub mod agents;
pub mod change;
pub mod ci;
pub mod diff;
pub mod fix;
pub mod init;
pub mod migrate;
pub mod toml_edits;
pub mod uv;

pub use change::{Change, InitError, write_all};
