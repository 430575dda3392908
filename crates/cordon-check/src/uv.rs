//! Running the real uv when asked (`cordon check --uv`): `uv lock --check --offline` in the
//! project root, with uv found as `CORDON_UV` or on `PATH`. cordon never resolves by itself.

use std::path::Path;
use std::process::Command;

/// What `uv lock --check --offline` said.
#[derive(Debug, Clone)]
pub struct UvLockCheck {
    /// `Some(true)` when uv said the lock is up to date; `None` when uv could not run.
    pub up_to_date: Option<bool>,
    /// uv's stderr, trimmed (or why it could not run).
    pub output: String,
}

/// Runs `uv lock --check --offline` in `root`.
pub fn uv_lock_check(root: &Path, uv: Option<&str>) -> UvLockCheck {
    let program = uv.unwrap_or("uv");
    match Command::new(program)
        .args(["lock", "--check", "--offline", "--no-progress"])
        .current_dir(root)
        .output()
    {
        Ok(out) => {
            let stderr = String::from_utf8_lossy(&out.stderr).trim().to_owned();
            let up_to_date = match out.status.code() {
                Some(0) => Some(true),
                // Exit 1 also means "no solution", e.g. a cache miss under `--offline`: only
                // uv's own words make it a stale lock.
                Some(1) if stderr.contains("needs to be updated") => Some(false),
                _ => None,
            };
            UvLockCheck {
                up_to_date,
                output: stderr,
            }
        }
        Err(e) => UvLockCheck {
            up_to_date: None,
            output: format!("could not run `{program}`: {e}"),
        },
    }
}
