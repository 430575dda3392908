//! The pinned uv the tests run, and a scrubbed environment for running it against the test
//! index.
//!
//! Isolation: the environment is cleared, then only `PATH` (uv needs a Python interpreter to
//! lock; it finds one there) and the variables below are set. `HOME` and the XDG directories
//! point into the index server's scratch directory, so no user `uv.toml`, credentials, netrc or
//! uv-managed Python leaks in, and `XDG_CONFIG_DIRS` is pointed there too so `/etc/xdg/uv/uv.toml`
//! is not read. `UV_NO_CONFIG` is deliberately not set: tests need the project's own
//! `[tool.uv]` settings to be read. The one file still outside our control is a system-wide
//! `/etc/uv/uv.toml`; neither developer machines nor CI have one.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use super::index::{EXAMPLE_INDEX, IndexServer};

/// The uv version the tests are written against (see `scripts/uv-requirements.txt`).
pub const UV_VERSION: &str = "0.13.9";

/// The pinned uv: `CORDON_TEST_UV`, else `<workspace>/.tools/uv/bin/uv` (where
/// `scripts/install-uv` puts it), else `uv` on `PATH`. Panics if none is found or its version
/// is not [`UV_VERSION`].
pub fn uv_path() -> PathBuf {
    static UV: OnceLock<PathBuf> = OnceLock::new();
    UV.get_or_init(find_uv).clone()
}

fn find_uv() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let candidate = if let Some(path) = std::env::var_os("CORDON_TEST_UV") {
        PathBuf::from(path)
    } else if workspace.join(".tools/uv/bin/uv").is_file() {
        workspace.join(".tools/uv/bin/uv")
    } else if let Some(path) = std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("uv"))
        .find(|path| path.is_file())
    {
        path
    } else {
        panic!(
            "no uv found for the tests: run `scripts/install-uv` (it installs uv {UV_VERSION} \
             into .tools/uv), or set CORDON_TEST_UV to a uv {UV_VERSION} binary"
        );
    };
    let output = Command::new(&candidate)
        .arg("--version")
        .env_clear()
        .output()
        .unwrap_or_else(|err| {
            panic!(
                "cannot run {} ({err}): run `scripts/install-uv` or set CORDON_TEST_UV",
                candidate.display()
            )
        });
    // `uv 0.13.9 (x86_64-unknown-linux-gnu)`
    let stdout = String::from_utf8_lossy(&output.stdout);
    let version = stdout.split_whitespace().nth(1).unwrap_or_default();
    assert_eq!(
        version,
        UV_VERSION,
        "{} is uv `{}`, the tests need uv {UV_VERSION}: run `scripts/install-uv` and set \
         CORDON_TEST_UV to the path it prints",
        candidate.display(),
        stdout.trim()
    );
    candidate
}

/// The scrubbed environment for uv (or for `cordon` when it runs uv) against `index`, reached
/// as [`EXAMPLE_INDEX`] through the server's proxy. Apply it after `env_clear()`.
///
/// `UV_DEFAULT_INDEX` acts like `--default-index`, so it overrides a default index configured
/// in the project; a test about index configuration should `env_remove("UV_DEFAULT_INDEX")`.
/// `CORDON_TEST_PYTHON`, when set, becomes `UV_PYTHON` (the interpreter uv resolves for).
pub fn uv_env(index: &IndexServer) -> Vec<(&'static str, OsString)> {
    let home = index.client_home();
    let dir = |name: &str| {
        let path = home.join(name);
        std::fs::create_dir_all(&path).expect("create a client directory");
        path.into_os_string()
    };
    let proxy = OsString::from(index.proxy_url());
    let mut env = vec![
        ("HOME", dir("home")),
        ("XDG_CONFIG_HOME", dir("config")),
        ("XDG_CONFIG_DIRS", dir("config-dirs")),
        ("XDG_CACHE_HOME", dir("cache")),
        ("XDG_DATA_HOME", dir("data")),
        ("XDG_STATE_HOME", dir("state")),
        ("XDG_BIN_HOME", dir("bin")),
        ("UV_CACHE_DIR", dir("uv-cache")),
        ("UV_PYTHON_DOWNLOADS", "never".into()),
        ("UV_DEFAULT_INDEX", EXAMPLE_INDEX.into()),
        ("UV_NO_PROGRESS", "1".into()),
        ("UV_LINK_MODE", "copy".into()),
        ("HTTP_PROXY", proxy.clone()),
        ("http_proxy", proxy),
        ("NO_PROXY", OsString::new()),
        ("no_proxy", OsString::new()),
    ];
    if let Some(path) = std::env::var_os("PATH") {
        env.push(("PATH", path));
    }
    if let Some(python) = std::env::var_os("CORDON_TEST_PYTHON") {
        env.push(("UV_PYTHON", python));
    }
    env
}

/// `uv` with a cleared environment plus [`uv_env`], run in `project_dir`.
pub fn uv_command(project_dir: &Path, index: &IndexServer) -> Command {
    let mut command = Command::new(uv_path());
    command
        .current_dir(project_dir)
        .env_clear()
        .envs(uv_env(index));
    command
}

/// Runs `uv lock` in `project_dir` against `index`; panics with uv's output if it fails.
pub fn lock(project_dir: &Path, index: &IndexServer) -> Output {
    let output = uv_command(project_dir, index)
        .arg("lock")
        .output()
        .expect("run uv lock");
    assert!(
        output.status.success(),
        "`uv lock` failed in {} ({}):\n--- stderr\n{}\n--- stdout\n{}\n--- index requests\n{}",
        project_dir.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout),
        index.requests().join("\n"),
    );
    output
}
