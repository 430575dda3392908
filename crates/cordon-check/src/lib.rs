//! `cordon check`: project discovery ([`Project`]), the policy in `[tool.cordon]` ([`Policy`]),
//! the check registry ([`checks::ALL`], one file per check) and the run that turns a project
//! into a [`Report`]. Checks never print; they push findings.
//!
//! To add a check: a file in `src/checks/`, one `mod` line and one entry in `checks::ALL`, and a
//! section in `docs/checks.md`.

pub mod agents;
pub mod checks;
pub mod ci_scripts;
mod context;
mod ignore;
pub mod names;
pub mod policy;
pub mod project;
mod run;
pub mod urlutil;
pub mod uv;

pub use checks::{Check, CheckMeta, Family};
pub use context::Context;
pub use names::Names;
pub use policy::{Policy, PolicyError};
pub use project::{Project, ProjectError};
pub use run::{CheckOptions, run_checks};
pub use uv::UvLockCheck;
pub mod ci;
