//! Findings and how they are shown: the types every check produces ([`Finding`], [`Severity`],
//! [`Confidence`], [`Location`]), the [`Report`] that collects them, and one renderer per output
//! format (human, JSON v1, SARIF 2.1.0, GitHub annotations). Nothing here knows what a check means.

mod finding;
mod source;

pub mod render;

pub use finding::{
    ArchiveLocation, Confidence, Finding, PackageRef, Related, RuleInfo, Severity, Where,
};
pub use render::{OutputFormat, RenderOptions, render};
pub use source::{LineCol, Location, SourceFile};

/// Everything one command produced, ready for a renderer.
#[derive(Debug, Clone)]
pub struct Report {
    /// The command that produced the report (`check`, `scan`, ...).
    pub command: &'static str,
    /// Findings, in the order they should be shown.
    pub findings: Vec<Finding>,
    /// Metadata of every rule that could have fired (SARIF lists them all).
    pub rules: Vec<RuleInfo>,
    /// `cordon scan`: one entry per artifact, with its verdict; `findings` then holds every
    /// artifact's findings in order.
    pub artifacts: Option<Vec<ArtifactEntry>>,
    /// `cordon vet`: one entry per package, with its verdict; `findings` then holds every
    /// package's reasons in order.
    pub packages: Option<Vec<PackageEntry>>,
}

/// One vetted package and the judgement on it.
#[derive(Debug, Clone)]
pub struct PackageEntry {
    pub name: String,
    pub version: Option<String>,
    /// `allow`, `review` or `block`.
    pub verdict: &'static str,
    /// Why: one finding per reason.
    pub reasons: Vec<Finding>,
    /// Vetted because this requested package would bring it in.
    pub required_by: Option<String>,
}

/// One scanned artifact and the judgement on it.
#[derive(Debug, Clone)]
pub struct ArtifactEntry {
    pub path: String,
    pub kind: &'static str,
    pub name: Option<String>,
    pub version: Option<String>,
    /// `malicious`, `suspicious` or `clean`.
    pub verdict: &'static str,
    /// 0..=100.
    pub score: u32,
    /// Why, one line per chain of behaviour that drove the verdict.
    pub reasons: Vec<String>,
    pub findings: Vec<Finding>,
}

/// Counts of findings per severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
}

impl Report {
    pub fn new(command: &'static str, rules: Vec<RuleInfo>) -> Self {
        Self {
            command,
            findings: Vec::new(),
            rules,
            artifacts: None,
            packages: None,
        }
    }

    /// Sorts findings by path, then position, then id, so output is stable.
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            let key = |f: &Finding| {
                (
                    f.location.as_ref().map(|l| l.file.path().to_owned()),
                    f.location.as_ref().map_or(0, |l| l.span.start),
                )
            };
            key(a)
                .cmp(&key(b))
                .then_with(|| a.id.cmp(b.id))
                .then_with(|| a.message.cmp(&b.message))
        });
    }

    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for f in &self.findings {
            match f.severity {
                Severity::High => s.high += 1,
                Severity::Medium => s.medium += 1,
                Severity::Low => s.low += 1,
                Severity::Info => s.info += 1,
            }
        }
        s
    }

    /// True when any finding is at or above `threshold`.
    pub fn fails(&self, threshold: Severity) -> bool {
        self.findings.iter().any(|f| f.severity >= threshold)
    }
}
