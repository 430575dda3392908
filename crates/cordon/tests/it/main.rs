//! The integration-test binary: one binary for all integration tests (faster to link, one
//! harness). Add a module per area below.

// Test code: a panic with the error is the right failure report.
#![allow(clippy::unwrap_used)]

mod bench_fixture;
mod example;
mod harness;
mod harness_selftest;

mod check;
mod guard;
mod hook;
mod init;
mod intel;
mod scan;
mod vet;
