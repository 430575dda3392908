//! The [`Finding`] type and its parts. A finding cannot be made without a message, a help line
//! and an explicit choice of location ([`Where::At`] or [`Where::Project`]).

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::Location;

/// How bad it is if the finding is true. Ordered: `Info < Low < Medium < High`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "info" => Ok(Severity::Info),
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            other => Err(format!(
                "unknown severity `{other}`; expected one of `high`, `medium`, `low`, `info`"
            )),
        }
    }
}

/// How sure the check is that the finding is true.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// The package a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageRef {
    pub name: String,
    pub version: Option<String>,
}

/// A secondary location: the config line that caused a finding, the other half of a conflict.
#[derive(Debug, Clone)]
pub struct Related {
    pub message: String,
    pub location: Location,
}

/// Where a finding points: a span in a file, or the project as a whole.
#[derive(Debug, Clone)]
pub enum Where {
    At(Location),
    Project,
}

impl From<Location> for Where {
    fn from(l: Location) -> Self {
        Where::At(l)
    }
}

/// Static metadata of one check or rule, as renderers need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleInfo {
    pub id: &'static str,
    pub summary: &'static str,
    pub default_severity: Severity,
    /// Anchor-qualified documentation URL, e.g. `docs/checks.md#cooldown-missing`.
    pub help_uri: &'static str,
}

/// One problem found, with where, why and what to do.
#[derive(Debug, Clone)]
pub struct Finding {
    pub id: &'static str,
    pub severity: Severity,
    pub confidence: Confidence,
    pub message: String,
    pub help: String,
    pub location: Option<Location>,
    pub related: Vec<Related>,
    pub package: Option<PackageRef>,
    pub fixable: bool,
    /// Where in an archive or installed distribution (`cordon scan`), when the finding is not
    /// in a project file.
    pub archive: Option<ArchiveLocation>,
}

/// A place inside a scanned artifact: the artifact's path, the member, and the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveLocation {
    /// The artifact as the user named it.
    pub path: String,
    /// The member inside it (`pkg/__init__.py`), `None` for the artifact as a whole.
    pub member: Option<String>,
    /// 1-based, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The offending source, already made safe to print.
    pub snippet: Option<String>,
}

impl Finding {
    /// A finding needs an id, a severity, a message, a help line and a location decision; the
    /// rest is optional and set through the `with_*` methods.
    pub fn new(
        id: &'static str,
        severity: Severity,
        message: impl Into<String>,
        help: impl Into<String>,
        at: impl Into<Where>,
    ) -> Self {
        let location = match at.into() {
            Where::At(l) => Some(l),
            Where::Project => None,
        };
        Self {
            id,
            severity,
            confidence: Confidence::High,
            message: message.into(),
            help: help.into(),
            location,
            related: Vec::new(),
            package: None,
            fixable: false,
            archive: None,
        }
    }

    #[must_use]
    pub fn with_confidence(mut self, confidence: Confidence) -> Self {
        self.confidence = confidence;
        self
    }

    #[must_use]
    pub fn with_related(mut self, message: impl Into<String>, location: Location) -> Self {
        self.related.push(Related {
            message: message.into(),
            location,
        });
        self
    }

    #[must_use]
    pub fn with_package(mut self, name: impl Into<String>, version: Option<String>) -> Self {
        self.package = Some(PackageRef {
            name: name.into(),
            version,
        });
        self
    }

    #[must_use]
    pub fn in_archive(mut self, archive: ArchiveLocation) -> Self {
        self.archive = Some(archive);
        self
    }

    #[must_use]
    pub fn fixable(mut self, fixable: bool) -> Self {
        self.fixable = fixable;
        self
    }
}
