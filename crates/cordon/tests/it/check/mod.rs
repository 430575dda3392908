//! `cordon check` end to end: for every check id, a fixture where it fires and one where it must
//! stay quiet, plus snapshots of each output format and the handling of bad input.
//!
//! Every test writes its project into a temp dir ([`Fixture`]), locks it with the pinned real uv
//! against a loopback [`IndexServer`] where a lock is needed (never by hand; a few tests tamper
//! with a uv-written lock afterwards, and say so), and runs the real `cordon` binary with a
//! scrubbed environment: `HOME`, `XDG_CONFIG_HOME` and `XDG_CONFIG_DIRS` point into the temp dir
//! so no user or system `uv.toml` leaks in, and `CORDON_NOW` is fixed so cooldowns are measured
//! from the same moment on every run.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod agents;
mod bad_input;
mod catalogue;
mod ci;
mod cooldown;
mod formats;
mod ignores;
mod lock;
mod names;
mod pinning;
mod requirements;
mod uv_config;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::harness::{IndexServer, PackageSpec, VersionSpec};

/// The moment every run measures cooldowns from, unless a test passes `--now`.
pub const NOW: &str = "2026-02-01T00:00:00Z";

/// Long before [`NOW`]: outside any cooldown a test configures.
pub const OLD: &str = "2026-01-05T10:00:00Z";

/// Two and a half days before [`NOW`]: inside a 7-day cooldown measured from [`NOW`], and long
/// past for uv, which applies the cooldown against the real clock when it locks.
pub const RECENT: &str = "2026-01-29T12:00:00Z";

/// A `[tool.uv]` table every check is happy with.
pub const GOOD_TOOL_UV: &str = "[tool.uv]\n\
                                exclude-newer = \"7 days\"\n\
                                add-bounds = \"exact\"\n\
                                required-version = \">=0.13.9,<0.14\"\n";

/// A `pyproject.toml` for project `demo` with `dependencies` (one per line, quoted for you),
/// followed by `rest` (other tables, verbatim).
pub fn pyproject(dependencies: &[&str], rest: &str) -> String {
    let mut out = String::from(
        "[project]\nname = \"demo\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n",
    );
    if dependencies.is_empty() {
        out.push_str("dependencies = []\n");
    } else {
        out.push_str("dependencies = [\n");
        for d in dependencies {
            writeln!(out, "    {d:?},").unwrap();
        }
        out.push_str("]\n");
    }
    if !rest.is_empty() {
        out.push('\n');
        out.push_str(rest);
    }
    out
}

/// An index holding one release of each name, uploaded at `uploaded`, with no dependencies.
pub fn index_of(packages: &[(&str, &str, &str)]) -> IndexServer {
    IndexServer::start(
        packages
            .iter()
            .map(|(name, version, uploaded)| {
                PackageSpec::new(name, vec![VersionSpec::new(version).uploaded(*uploaded)])
            })
            .collect(),
    )
}

/// The 1-based line of the one line of `text` containing `needle`; panics if there is no such
/// line or more than one, so a test cannot silently point at the wrong place.
pub fn line_of(text: &str, needle: &str) -> u64 {
    let hits: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| line.contains(needle))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "expected exactly one line containing {needle:?}, found lines {hits:?} in:\n{text}"
    );
    u64::try_from(hits[0]).unwrap()
}

/// A project in a temp dir, with a private home and config directories beside it.
///
/// Layout: `<tmp>/project` (the project; what `cordon check` is pointed at), `<tmp>/home`,
/// `<tmp>/config` (`XDG_CONFIG_HOME`: a user `uv.toml` goes in `config/uv/uv.toml`) and
/// `<tmp>/config-dirs` (`XDG_CONFIG_DIRS`, empty so no system `uv.toml` is read).
pub struct Fixture {
    tmp: tempfile::TempDir,
}

impl Fixture {
    /// Writes `files` (`(path relative to the project, contents)`) into a fresh project dir.
    pub fn new(files: &[(&str, &str)]) -> Fixture {
        let tmp = tempfile::Builder::new()
            .prefix("cordon-check-")
            .tempdir()
            .unwrap();
        for dir in ["project", "home", "config", "config-dirs"] {
            std::fs::create_dir_all(tmp.path().join(dir)).unwrap();
        }
        let fixture = Fixture { tmp };
        for (path, contents) in files {
            fixture.write(path, contents);
        }
        fixture
    }

    /// A project holding only `pyproject.toml`.
    pub fn pyproject(contents: &str) -> Fixture {
        Fixture::new(&[("pyproject.toml", contents)])
    }

    /// The project directory.
    pub fn root(&self) -> PathBuf {
        self.tmp.path().join("project")
    }

    /// The temp dir holding the project, home and config directories.
    pub fn tmp(&self) -> &Path {
        self.tmp.path()
    }

    pub fn write(&self, path: &str, contents: impl AsRef<[u8]>) {
        let path = self.root().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }

    pub fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.root().join(path)).unwrap()
    }

    /// Replaces the one occurrence of `from` in `path` with `to`.
    pub fn edit(&self, path: &str, from: &str, to: &str) {
        let text = self.read(path);
        assert_eq!(
            text.matches(from).count(),
            1,
            "expected {from:?} exactly once in {path}:\n{text}"
        );
        self.write(path, text.replacen(from, to, 1));
    }

    /// Writes the user's `uv.toml` (`$XDG_CONFIG_HOME/uv/uv.toml`).
    pub fn user_uv_toml(&self, contents: &str) {
        let dir = self.tmp().join("config/uv");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("uv.toml"), contents).unwrap();
    }

    /// Locks the project with the pinned real uv against `index`; returns the lock's text.
    pub fn lock(&self, index: &IndexServer) -> String {
        crate::harness::lock(&self.root(), index);
        self.read("uv.lock")
    }

    /// `cordon check <project>`, not yet run.
    pub fn cordon(&self) -> Cordon {
        Cordon::new(self.tmp(), self.root())
    }
}

/// One `cordon check` invocation in a scrubbed environment.
pub struct Cordon {
    command: assert_cmd::Command,
    target: PathBuf,
    args: Vec<String>,
}

impl Cordon {
    fn new(tmp: &Path, target: PathBuf) -> Cordon {
        let mut command = assert_cmd::Command::cargo_bin("cordon").unwrap();
        command
            .env_clear()
            .current_dir(tmp)
            .env("HOME", tmp.join("home"))
            .env("XDG_CONFIG_HOME", tmp.join("config"))
            .env("XDG_CONFIG_DIRS", tmp.join("config-dirs"))
            .env("CORDON_NOW", NOW)
            .env("CORDON_CACHE_DIR", tmp.join("cache"));
        // Reference data with nothing in it, so the name checks run and report nothing unless a
        // test loads some (`Fixture::intel`).
        let intel = tmp.join("cache/intel");
        if !intel.exists() {
            std::fs::create_dir_all(&intel).unwrap();
            for (file, key) in [("popular.json", "names"), ("malicious.json", "records")] {
                std::fs::write(
                    intel.join(file),
                    format!(r#"{{"updated":"{NOW}","from":["tests"],"{key}":[]}}"#),
                )
                .unwrap();
            }
        }
        if let Some(path) = std::env::var_os("PATH") {
            command.env("PATH", path);
        }
        Cordon {
            command,
            target,
            args: Vec::new(),
        }
    }

    /// Checks `path` (relative to the project) instead of the project root.
    pub fn at(mut self, path: &str) -> Cordon {
        self.target = self.target.join(path);
        self
    }

    pub fn arg(mut self, arg: &str) -> Cordon {
        self.args.push(arg.to_owned());
        self
    }

    pub fn args(mut self, args: &[&str]) -> Cordon {
        self.args.extend(args.iter().map(|&a| a.to_owned()));
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Cordon {
        self.command.env(key, value);
        self
    }

    /// `--now` (overrides `CORDON_NOW`).
    pub fn now(self, now: &str) -> Cordon {
        self.args(&["--now", now])
    }

    /// Runs `cordon check <target> <args>`.
    pub fn output(mut self) -> Run {
        let output: Output = self
            .command
            .arg("check")
            .arg(&self.target)
            .args(&self.args)
            .output()
            .unwrap();
        let run = Run {
            code: output.status.code(),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        };
        assert!(
            !run.stderr.contains("panicked"),
            "cordon panicked:\n{}",
            run.stderr
        );
        run
    }

    /// Runs with `--format json` and parses the report; panics unless cordon ran the checks
    /// (exit 0 or 1).
    pub fn json(self) -> Report {
        let run = self.args(&["--format", "json"]).output();
        assert!(
            matches!(run.code, Some(0 | 1)),
            "cordon check failed ({:?}):\n--- stderr\n{}\n--- stdout\n{}",
            run.code,
            run.stderr,
            run.stdout
        );
        let json: Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("cordon's JSON does not parse ({e}):\n{}", run.stdout));
        let findings = json["findings"]
            .as_array()
            .expect("a `findings` array")
            .iter()
            .map(Finding::from_json)
            .collect();
        Report {
            code: run.code.unwrap(),
            stderr: run.stderr,
            json,
            findings,
        }
    }
}

/// What a run printed and how it exited.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts exit code 2 (bad input) and returns stderr.
    pub fn expect_error(&self) -> &str {
        assert_eq!(
            self.code,
            Some(2),
            "expected exit 2:\n--- stderr\n{}\n--- stdout\n{}",
            self.stderr,
            self.stdout
        );
        &self.stderr
    }
}

/// A parsed `--format json` report.
pub struct Report {
    pub code: i32,
    pub stderr: String,
    pub json: Value,
    pub findings: Vec<Finding>,
}

impl Report {
    /// Every finding of `id`.
    pub fn all(&self, id: &str) -> Vec<&Finding> {
        self.findings.iter().filter(|f| f.id == id).collect()
    }

    /// The one finding of `id`; panics (listing every finding) if there are none or several.
    pub fn one(&self, id: &str) -> &Finding {
        let found = self.all(id);
        assert_eq!(
            found.len(),
            1,
            "expected exactly one `{id}` finding; all findings:\n{self}"
        );
        found[0]
    }

    /// The one finding of `id` about `package`.
    pub fn one_for(&self, id: &str, package: &str) -> &Finding {
        let found: Vec<&Finding> = self
            .all(id)
            .into_iter()
            .filter(|f| f.package.as_deref() == Some(package))
            .collect();
        assert_eq!(
            found.len(),
            1,
            "expected exactly one `{id}` finding for `{package}`; all findings:\n{self}"
        );
        found[0]
    }

    /// Asserts there is no finding of `id`.
    pub fn none(&self, id: &str) {
        assert!(
            self.all(id).is_empty(),
            "expected no `{id}` finding; all findings:\n{self}"
        );
    }

    /// The ids reported, in report order.
    pub fn ids(&self) -> Vec<&str> {
        self.findings.iter().map(|f| f.id.as_str()).collect()
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for finding in &self.findings {
            writeln!(
                f,
                "  {} [{}] {}:{} {:?} package={:?}",
                finding.id,
                finding.severity,
                finding.path.as_deref().unwrap_or("-"),
                finding.line.unwrap_or(0),
                finding.message,
                finding.package
            )?;
        }
        if self.findings.is_empty() {
            writeln!(f, "  (none)")?;
        }
        Ok(())
    }
}

/// One finding of a JSON report, with the fields tests look at.
#[derive(Debug)]
pub struct Finding {
    pub id: String,
    pub severity: String,
    pub message: String,
    pub help: String,
    pub path: Option<String>,
    pub line: Option<u64>,
    pub package: Option<String>,
    pub package_version: Option<String>,
    pub related: Vec<Related>,
}

/// A finding's second location.
#[derive(Debug)]
pub struct Related {
    pub message: String,
    pub path: Option<String>,
    pub line: Option<u64>,
}

fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(ToOwned::to_owned)
}

impl Finding {
    fn from_json(v: &Value) -> Finding {
        let location = v.get("location").filter(|l| !l.is_null());
        let package = v.get("package").filter(|p| !p.is_null());
        Finding {
            id: str_field(v, "id").expect("a finding has an id"),
            severity: str_field(v, "severity").expect("a finding has a severity"),
            message: str_field(v, "message").expect("a finding has a message"),
            help: str_field(v, "help").expect("a finding has help"),
            path: location.and_then(|l| str_field(l, "path")),
            line: location.and_then(|l| l["line"].as_u64()),
            package: package.and_then(|p| str_field(p, "name")),
            package_version: package.and_then(|p| str_field(p, "version")),
            related: v["related"]
                .as_array()
                .expect("a finding has a `related` array")
                .iter()
                .map(|r| {
                    let location = r.get("location").filter(|l| !l.is_null());
                    Related {
                        message: str_field(r, "message").unwrap_or_default(),
                        path: location.and_then(|l| str_field(l, "path")),
                        line: location.and_then(|l| l["line"].as_u64()),
                    }
                })
                .collect(),
        }
    }

    /// Asserts the primary location is `path`:`line`.
    pub fn assert_at(&self, path: &str, line: u64) {
        assert_eq!(
            (self.path.as_deref(), self.line),
            (Some(path), Some(line)),
            "`{}` is reported at the wrong place: {self:#?}",
            self.id
        );
    }

    /// Asserts the message contains `part`.
    pub fn assert_message(&self, part: &str) {
        assert!(
            self.message.contains(part),
            "the `{}` message {:?} does not contain {part:?}",
            self.id,
            self.message
        );
    }

    /// The one related location; panics if there is none or several.
    pub fn related(&self) -> &Related {
        assert_eq!(
            self.related.len(),
            1,
            "expected one related location: {self:#?}"
        );
        &self.related[0]
    }
}

impl Related {
    pub fn assert_at(&self, path: &str, line: u64) {
        assert_eq!(
            (self.path.as_deref(), self.line),
            (Some(path), Some(line)),
            "the related location is wrong: {self:#?}"
        );
    }
}
