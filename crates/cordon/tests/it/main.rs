//! The integration-test binary: one binary for all integration tests (faster to link, one
//! harness). Add a module per area below.

mod example;
mod harness;
mod harness_selftest;
mod bench_fixture;
