//! The test harness shared by every integration test: a loopback package index that also
//! proxies `http://example.com` ([`index`]), tiny deterministic wheels and sdists ([`wheel`]),
//! and the pinned uv run in a scrubbed environment against that index ([`uv`]).

// A shared toolbox: not every helper is used by the tests in the tree at any one time.
#![allow(dead_code)]

pub mod index;
pub mod uv;
pub mod wheel;

// Re-exported for the test modules, whichever of them happen to exist.
#[allow(unused_imports)]
pub use index::{EXAMPLE_INDEX, IndexServer, PackageSpec, VersionSpec};
#[allow(unused_imports)]
pub use uv::{UV_VERSION, lock, uv_command, uv_env, uv_path};
#[allow(unused_imports)]
pub use wheel::{
    build_sdist, build_sdist_with, build_wheel, build_wheel_with, normalize_name, sdist_filename,
    sha256_hex, wheel_filename,
};
