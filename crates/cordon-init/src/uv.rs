//! Running the real uv (DESIGN principle 1: cordon never resolves by itself). uv is `CORDON_UV`
//! when set, else `uv` on `PATH`; it runs in the project root with the user's environment, so it
//! resolves against the same indexes and configuration the user's own `uv lock` would.

use std::path::Path;
use std::process::Command;
use std::str::FromStr;

use pep440_rs::Version;

use crate::change::InitError;

/// A uv to run.
#[derive(Debug, Clone)]
pub struct Uv {
    pub program: String,
    /// Pass `--offline` to every command that could reach an index (`cordon --offline`).
    pub offline: bool,
}

/// What one uv run said.
#[derive(Debug, Clone)]
pub struct UvOutput {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
    /// The command line, for messages.
    pub command: String,
}

impl Uv {
    /// `CORDON_UV` from `env`, else `uv`.
    pub fn from_env(env: &cordon_python::settings::Env) -> Self {
        Self {
            program: env.get("CORDON_UV").unwrap_or("uv").to_owned(),
            offline: false,
        }
    }

    /// Runs uv with `args` in `dir`. An error only when uv cannot be started at all.
    pub fn run(&self, dir: &Path, args: &[&str]) -> Result<UvOutput, InitError> {
        let mut args = args.to_vec();
        if self.offline && matches!(args.first(), Some(&("lock" | "export"))) {
            args.push("--offline");
        }
        let command = format!("uv {}", args.join(" "));
        let out = Command::new(&self.program)
            .args(&args)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .output()
            .map_err(|e| {
                InitError::stop_with_help(
                    format!("could not run uv (`{}`): {e}", self.program),
                    "install uv or point CORDON_UV at it",
                )
            })?;
        Ok(UvOutput {
            success: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).trim_end().to_owned(),
            command,
        })
    }

    /// The version of this uv (`uv --version` prints `uv 0.13.9 (abc 2026-01-01)`).
    pub fn version(&self) -> Result<Version, InitError> {
        let out = self.run(Path::new("."), &["--version"])?;
        parse_version(&out.stdout).ok_or_else(|| {
            InitError::stop(format!(
                "could not read uv's version from `{} --version`: {:?}",
                self.program,
                out.stdout.trim()
            ))
        })
    }

    /// `uv lock`.
    pub fn lock(&self, dir: &Path) -> Result<UvOutput, InitError> {
        self.run(dir, &["lock", "--no-progress"])
    }

    /// `uv lock --check`: whether the lock matches the project.
    pub fn lock_check(&self, dir: &Path) -> Result<UvOutput, InitError> {
        self.run(dir, &["lock", "--check", "--no-progress"])
    }
}

fn parse_version(out: &str) -> Option<Version> {
    let word = out.split_whitespace().nth(1)?;
    Version::from_str(word).ok()
}

/// Package names uv's resolver error names: `foo==1.2`, `foo>=1`, "of foo" — compared against
/// `candidates` (normalized), in the order given.
pub fn names_in_error(stderr: &str, candidates: &[String]) -> Vec<String> {
    let words: Vec<String> = stderr
        .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .filter(|w| !w.is_empty())
        .map(cordon_python::name::normalize)
        .collect();
    candidates
        .iter()
        .filter(|c| words.iter().any(|w| w == *c))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_versions() {
        assert_eq!(
            parse_version("uv 0.13.9 (abc123 2026-10-01)\n"),
            Some(Version::from_str("0.13.9").unwrap())
        );
        assert_eq!(parse_version("uv 0.13.9"), Version::from_str("0.13.9").ok());
        assert_eq!(parse_version("garbage"), None);
    }

    #[test]
    fn finds_blocking_names() {
        let err = "  × No solution found when resolving dependencies:\n  ╰─▶ Because there is no version of fresh-pkg==2.0.0 and your project depends on fresh-pkg==2.0.0, we can conclude that your project's requirements are unsatisfiable.";
        assert_eq!(
            names_in_error(err, &["fresh-pkg".into(), "other".into()]),
            vec!["fresh-pkg".to_owned()]
        );
    }
}
