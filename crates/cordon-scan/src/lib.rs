//! `cordon scan`: a static malicious-code scanner for Python distributions. Nothing it reads is
//! ever executed, imported, built, installed or unpacked to disk.
//!
//! The pipeline, one module each:
//! 1. [`archive`]: an input (wheel, sdist, folder, virtual environment) becomes an [`Artifact`]:
//!    its members read into memory within [`Limits`] — a limit hit is evidence, never a crash.
//! 2. [`rules`]: each rule (one file in `src/rules/`, registered in `rules::ALL`) looks at one
//!    member (or the artifact as a whole) and reports [`Evidence`]: a fact about behaviour
//!    (reads credentials, sends data out, spawns a process, decodes and executes, ...), with a
//!    location, a snippet and a weight.
//! 3. [`verdict`]: evidence is combined — a capability alone is not a threat; threats are
//!    chains of behaviour within a file or flow, weighed by context (install-time code counts
//!    more; tests, docs and examples less) — into `malicious` / `suspicious` / `clean`, a score,
//!    and the evidence that drove it.

pub mod archive;
pub mod cache;
pub mod model;
pub mod pattern;
pub mod python;
pub mod rules;
pub mod safe;
pub mod verdict;

pub use cache::MemberCache;
pub use model::{
    Artifact, ArtifactKind, Behaviour, Evidence, Limits, Member, MemberRole, ScannedArtifact,
    Verdict,
};

/// Scans one artifact that has been read: every rule, then the verdict.
pub fn scan(artifact: &Artifact) -> ScannedArtifact {
    scan_with(artifact, &MemberCache::new())
}

/// [`scan`] for one of many artifacts of a run: members identical to ones already scanned in
/// `cache` (the same file in a wheel and its sdist, or in every platform's wheel) are not
/// scanned again.
pub fn scan_with(artifact: &Artifact, cache: &MemberCache) -> ScannedArtifact {
    let mut evidence = artifact.reading.clone();
    evidence.extend(rules::run_with(artifact, cache));
    verdict::judge(artifact, evidence)
}
