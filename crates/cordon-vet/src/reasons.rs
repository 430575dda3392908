//! Every reason `cordon vet` can give, with its severity. The severity decides the verdict:
//! a `high` reason blocks the package, a `medium` one asks for review, `low` and `info` only
//! inform. A new reason is one line here, a section in `docs/checks.md`, and the code that
//! gives it.

use cordon_diagnostics::{RuleInfo, Severity};

/// One kind of reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reason {
    pub id: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
}

macro_rules! reasons {
    ($($konst:ident = $id:literal, $sev:ident, $summary:literal;)*) => {
        $(pub const $konst: Reason = Reason {
            id: $id,
            severity: Severity::$sev,
            summary: $summary,
        };)*
        /// All of them, for SARIF and the docs test.
        pub const ALL: &[Reason] = &[$($konst),*];
    };
}

reasons! {
    NOT_FOUND = "package-not-found", High, "the index has no package of this name";
    VERSION_NOT_FOUND = "version-not-found", High, "the index has no release of this version";
    QUARANTINED = "project-quarantined", High, "the index quarantined the project (PEP 792)";
    KNOWN_MALICIOUS = "known-malicious", High, "a malicious-package record covers this release";
    HASH_MISMATCH = "artifact-hash-mismatch", High, "the downloaded file does not match the index's hash";
    ARTIFACT_MALICIOUS = "artifact-malicious", High, "the scanner judged the artifact malicious";
    DEPENDENCY_BLOCKED = "dependency-blocked", High, "a package it would bring in is blocked";
    TYPOSQUAT = "typosquat-suspect", Medium, "the name looks like a popular package's";
    RELEASE_TOO_NEW = "release-too-new", Medium, "the release is younger than the cooldown";
    PROJECT_TOO_NEW = "project-too-new", Medium, "the project's first upload is recent";
    YANKED = "release-yanked", Medium, "the release was yanked";
    ARCHIVED = "project-archived", Medium, "the project is archived (PEP 792)";
    DEPRECATED = "project-deprecated", Medium, "the project is deprecated (PEP 792)";
    KNOWN_VULNERABLE = "known-vulnerable", Medium, "the release has known vulnerabilities";
    ARTIFACT_SUSPICIOUS = "artifact-suspicious", Medium, "the scanner judged the artifact suspicious";
    ARTIFACT_UNAVAILABLE = "artifact-unavailable", Medium, "the artifact could not be downloaded and scanned";
    ARTIFACT_UNVERIFIED = "artifact-unverified", Medium, "the index gives no sha256 for the artifact";
    NO_FILES = "no-files", Medium, "the release has no files to install";
    INDEX_UNAVAILABLE = "index-unavailable", Medium, "the index could not be asked, or did not answer usably";
    DEPENDENCY_REVIEW = "dependency-review", Medium, "a package it would bring in needs review";
    RESOLUTION_FAILED = "resolution-failed", Medium, "uv could not resolve what it would bring in";
    DEPENDENCIES_UNVETTED = "dependencies-unvetted", Medium, "some packages it would bring in were not vetted (limits)";
    UPLOAD_TIME_MISSING = "upload-time-missing", Low, "the index gives no upload time, so the cooldown cannot be judged";
    PROVENANCE_MISSING = "provenance-missing", Low, "the artifact has no provenance (PEP 740)";
    PROVENANCE = "provenance", Info, "who published the artifact (PEP 740)";
    COOLDOWN_HELD_BACK = "newer-release-held-back", Info, "a newer release is inside the cooldown";
}

impl Reason {
    pub fn rule_info(self) -> RuleInfo {
        RuleInfo {
            id: self.id,
            summary: self.summary,
            default_severity: self.severity,
            help_uri: Box::leak(format!("docs/checks.md#{}", self.id).into_boxed_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_reason_has_a_section_in_the_docs() {
        let docs = include_str!("../../../docs/checks.md");
        for r in super::ALL {
            assert!(
                docs.contains(&format!("\n### {}\n", r.id)),
                "`{}` has no section in docs/checks.md",
                r.id
            );
        }
    }
}
