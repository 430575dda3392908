//! Reference data for cordon, and the network client that gets it: artifact downloads named
//! by a lock, through an on-disk cache keyed by hash (`fetch`), and the choice of which of a
//! lock's artifacts to scan for a platform (`lock_artifacts`); and which popular package a name
//! was likely made to be mistaken for (`typosquat`); the reference data itself: popular names,
//! malicious-package records and advisories, imported and kept under the cache directory
//! (`store`); and a client for the index itself: project pages, vulnerabilities, provenance
//! (`index`).

pub mod fetch;
pub mod index;
pub mod lock_artifacts;
pub mod matching;
pub mod store;
pub mod typosquat;

pub use fetch::{FetchError, Fetcher, Proxies};
pub use lock_artifacts::{ArtifactKind, LockArtifact, artifacts_to_scan};
