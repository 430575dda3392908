//! CI and container files as the checks see them: each parsed [`CiFile`] with the install
//! intents of every script in it, worked out once (by `cordon-shell`) and shared by the `ci-*`
//! checks, plus the helpers that turn a span in a script into a location in the file.

use std::ops::Range;

use cordon_diagnostics::Location;
use cordon_shell::{Analysis, InstallIntent};

use crate::Context;
use crate::ci::{CiFile, Script};

/// One CI or container file and the analysis of each of its scripts (same order as
/// `file.scripts`).
#[derive(Debug)]
pub struct AnalyzedCi {
    pub file: CiFile,
    pub analyses: Vec<Analysis>,
}

impl AnalyzedCi {
    pub fn new(file: CiFile) -> Self {
        let analyses = file
            .scripts
            .iter()
            .map(|s| cordon_shell::analyze(&s.text))
            .collect();
        Self { file, analyses }
    }

    /// Every script with its analysis.
    pub fn scripts(&self) -> impl Iterator<Item = (&Script, &Analysis)> {
        self.file.scripts.iter().zip(self.analyses.iter())
    }
}

/// Where a span of a script's text is in the file, clipped to the line it starts on.
pub fn script_location(
    cx: &Context<'_>,
    ci: &AnalyzedCi,
    script: &Script,
    span: Range<usize>,
) -> Option<Location> {
    let file = cx.file(&ci.file.path)?;
    let range = script.offsets.to_file_range(span);
    let start = range.start.min(file.text().len());
    let line_end = file.text()[start..]
        .find('\n')
        .map_or(file.text().len(), |i| start + i);
    Some(Location::new(file, start..range.end.clamp(start, line_end)))
}

/// The value of `name` in effect for an intent: the command's own prefix first, then the
/// script's environment (step over job over workflow, as the parser ordered it).
pub fn env_value<'a>(script: &'a Script, intent: &'a InstallIntent, name: &str) -> Option<&'a str> {
    intent
        .env_var(name)
        .or_else(|| script.env_var(name).map(|v| v.value.as_str()))
}

/// True for an environment value that switches a flag on (`1`, `true`, `yes`, an expression).
pub fn truthy(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    !(v.is_empty() || v == "0" || v == "false" || v == "no" || v == "off")
}
