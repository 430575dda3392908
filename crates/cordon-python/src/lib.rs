//! Python packaging formats, parsed with spans: PEP 503 names, PEP 440/508 requirements,
//! `pyproject.toml`, `uv.toml`, `uv.lock`, and the effective uv settings with their provenance.
//! Nothing here knows about checks or output.

pub mod error;
pub mod lock;
pub mod uv_options;

pub use error::{ParseError, Source};
pub mod exclude_newer;
pub mod name;
pub mod pyproject;
pub mod requirement;
pub mod script;
pub mod settings;
pub mod tomlutil;
pub use exclude_newer::{
    CooldownSpan, ExcludeNewer, parse_exclude_newer_env, parse_exclude_newer_item,
    parse_exclude_newer_str, parse_exclude_newer_value,
};
pub use uv_options::{
    ConfigFileKind, OptionError, UvReaction, ignored_uv_options, validate_uv_options,
    validate_uv_options_item,
};
pub mod requirements_txt;
pub mod wheel_tags;
