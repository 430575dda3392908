//! The example project in `examples/webapp`: its `uv.lock` must be exactly what the pinned real
//! uv writes against the test index (regenerate with `CORDON_BLESS=1`), and `cordon check` must
//! report the problems planted in it.

use std::path::PathBuf;

use crate::harness::{IndexServer, PackageSpec, VersionSpec, lock};

fn example_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/webapp")
}

/// The line planted in the example after locking, so that the lock is stale.
const ADDED_AFTER_LOCK: &str = "    \"structlog==24.4.0\",  # added after the last `uv lock`\n";

/// The packages the example depends on, with fixed versions and upload times.
pub fn example_index() -> IndexServer {
    let p = |name: &str, version: &str, uploaded: &str, requires: &[&str]| {
        PackageSpec::new(
            name,
            vec![
                VersionSpec::new(version)
                    .uploaded(uploaded)
                    .requires(requires)
                    .sdist(),
            ],
        )
    };
    IndexServer::start(vec![
        p(
            "flask",
            "3.1.0",
            "2026-03-13T16:31:19Z",
            &[
                "werkzeug>=3.1",
                "jinja2>=3.1.2",
                "itsdangerous>=2.2",
                "click>=8.1.3",
                "blinker>=1.9",
            ],
        ),
        p(
            "werkzeug",
            "3.1.3",
            "2026-03-08T17:36:28Z",
            &["markupsafe>=2.1.1"],
        ),
        p(
            "jinja2",
            "3.1.4",
            "2026-02-21T20:02:17Z",
            &["markupsafe>=2.0"],
        ),
        p("markupsafe", "3.0.2", "2026-01-18T17:28:31Z", &[]),
        p("click", "8.1.7", "2026-02-10T12:55:22Z", &[]),
        p("blinker", "1.9.0", "2026-01-08T17:08:18Z", &[]),
        p("itsdangerous", "2.2.0", "2026-01-16T21:42:44Z", &[]),
        p(
            "requests",
            "2.32.3",
            "2026-05-29T15:37:49Z",
            &[
                "charset-normalizer>=2,<4",
                "idna>=2.5,<4",
                "urllib3>=1.21.1,<3",
                "certifi>=2017.4.17",
            ],
        ),
        p("charset-normalizer", "3.4.0", "2026-04-09T06:39:56Z", &[]),
        p("idna", "3.10", "2026-09-15T18:07:37Z", &[]),
        p("urllib3", "2.2.3", "2026-09-12T10:52:18Z", &[]),
        p("certifi", "2024.8.30", "2026-08-30T01:55:04Z", &[]),
        p(
            "pytest",
            "8.3.4",
            "2026-10-01T13:45:56Z",
            &["iniconfig", "packaging", "pluggy>=1.5,<2"],
        ),
        p("iniconfig", "2.0.0", "2026-01-03T11:24:00Z", &[]),
        p("packaging", "24.2", "2026-09-20T21:41:01Z", &[]),
        p("pluggy", "1.5.0", "2026-04-20T21:38:42Z", &[]),
        p("structlog", "24.4.0", "2026-07-17T12:00:00Z", &[]),
    ])
}

#[test]
fn example_lock_is_what_uv_writes() {
    let dir = tempfile::tempdir().unwrap();
    let pyproject = std::fs::read_to_string(example_dir().join("pyproject.toml")).unwrap();
    assert!(
        pyproject.contains(ADDED_AFTER_LOCK),
        "the example's planted stale line moved"
    );
    std::fs::write(
        dir.path().join("pyproject.toml"),
        pyproject.replace(ADDED_AFTER_LOCK, ""),
    )
    .unwrap();
    let index = example_index();
    lock(dir.path(), &index);
    let written = std::fs::read_to_string(dir.path().join("uv.lock")).unwrap();
    let committed_path = example_dir().join("uv.lock");
    if std::env::var_os("CORDON_BLESS").is_some() {
        std::fs::write(&committed_path, &written).unwrap();
    }
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    assert!(
        written == committed,
        "examples/webapp/uv.lock differs from what uv writes; regenerate with CORDON_BLESS=1\n--- uv wrote:\n{written}"
    );
}

#[test]
fn example_reports_its_planted_problems() {
    let out = assert_cmd::Command::cargo_bin("cordon")
        .unwrap()
        .env_clear()
        .env("HOME", "/nonexistent")
        .env("CORDON_NOW", "2026-11-26T00:00:00Z")
        .args(["check", "--format", "json"])
        .arg(example_dir())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: std::collections::BTreeSet<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    for id in [
        "cooldown-too-short",
        "cooldown-exemption",
        "index-strategy-unsafe",
        "bounds-not-exact",
        "uv-version-unpinned",
        "dependency-not-exact",
        "lockfile-stale",
        "requirements-unpinned",
        "requirements-unhashed",
        "ci-sync-not-locked",
        "ci-pip-install-unhashed",
        "ci-uv-unpinned",
        "ci-cooldown-override",
        "agent-policy-missing",
        "agent-guard-missing",
    ] {
        assert!(
            ids.contains(id),
            "expected `{id}` in the example's findings, got {ids:?}"
        );
    }
}
