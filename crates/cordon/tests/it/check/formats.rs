//! Output formats and exit codes. One small locked project fires findings at three severities,
//! one of them with a related location, and each format's output is pinned as an insta
//! snapshot (in `snapshots/`). Everything in it is deterministic: fixed upload times, a fixed
//! `--now`, `example.com` URLs in the lock, and the temp dir redacted should it ever appear.

use super::{Fixture, GOOD_TOOL_UV, OLD, RECENT, index_of, pyproject};

const PYPROJECT: &str = r#"[project]
name = "demo"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = [
    "alpha==1.0.0",
    "beta>=1.0",
]

[tool.uv]
exclude-newer = "7 days"
add-bounds = "exact"
required-version = ">=0.13.9,<0.14"
exclude-newer-package = { beta = "1 day" }
# cordon: ignore[lockfile-missing] the lock is made in CI
"#;

/// The snapshot project, locked: `alpha` was uploaded inside the cooldown (high, with the
/// cooldown as related location), `beta` floats and has a shortened cooldown (two medium), and
/// a stale inline ignore (low).
fn project() -> Fixture {
    let index = index_of(&[("alpha", "1.0.0", RECENT), ("beta", "1.0.0", OLD)]);
    let fixture = Fixture::pyproject(PYPROJECT);
    fixture.lock(&index);
    fixture
}

/// `cordon check --format <format>` on `fixture`, expecting exit 1; stdout with the temp dir
/// redacted.
fn render(fixture: &Fixture, format: &str) -> String {
    let run = fixture
        .cordon()
        .args(&["--format", format, "--color", "never"])
        .output();
    assert_eq!(run.code, Some(1), "{}\n{}", run.stderr, run.stdout);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let tmp = fixture.tmp().to_str().unwrap();
    assert!(!tmp.is_empty());
    run.stdout.replace(tmp, "[TMP]")
}

#[test]
fn snapshot_project_fires_what_the_snapshots_show() {
    let report = project().cordon().json();
    assert_eq!(
        report.ids(),
        // By file, then line.
        [
            "dependency-not-exact",
            "cooldown-exemption",
            "unused-ignore",
            "lock-cooldown-violation",
        ],
        "{report}"
    );
    report.one("lock-cooldown-violation").related();
}

#[test]
fn human_output() {
    insta::assert_snapshot!("human", render(&project(), "human"));
}

#[test]
fn json_output() {
    let out = render(&project(), "json");
    let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(parsed["format_version"], 1);
    insta::assert_snapshot!("json", out);
}

#[test]
fn sarif_output() {
    let out = render(&project(), "sarif");
    let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(parsed["version"], "2.1.0");
    insta::assert_snapshot!("sarif", out);
}

#[test]
fn github_output() {
    insta::assert_snapshot!("github", render(&project(), "github"));
}

#[test]
fn exit_code_is_one_with_findings() {
    let report = project().cordon().json();
    assert_eq!(report.code, 1);
    assert_eq!(report.json["summary"]["high"], 1);
    assert_eq!(report.json["summary"]["medium"], 2);
    assert_eq!(report.json["summary"]["low"], 1);
}

#[test]
fn fail_on_high_exits_zero_when_only_medium_findings_exist() {
    let index = index_of(&[("alpha", "1.0.0", OLD)]);
    let fixture = Fixture::pyproject(&pyproject(&["alpha>=1.0"], GOOD_TOOL_UV));
    fixture.lock(&index);
    let report = fixture.cordon().args(&["--fail-on", "high"]).json();
    assert_eq!(report.ids(), ["dependency-not-exact"], "{report}");
    assert_eq!(report.findings[0].severity, "medium");
    assert_eq!(report.code, 0);
    // The same findings fail the default `--fail-on low` and `--fail-on medium`.
    assert_eq!(fixture.cordon().json().code, 1);
    assert_eq!(
        fixture.cordon().args(&["--fail-on", "medium"]).json().code,
        1
    );
}

#[test]
fn quiet_hides_findings_below_fail_on_in_human_output() {
    let run = project()
        .cordon()
        .args(&["--color", "never", "--fail-on", "high", "-q"])
        .output();
    assert_eq!(run.code, Some(1));
    assert!(
        run.stdout.contains("lock-cooldown-violation"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("dependency-not-exact"),
        "{}",
        run.stdout
    );
}

#[test]
fn well_configured_project_has_no_findings_and_exits_zero() {
    // Cooldown, exact bounds, a pinned uv, exact pins (in dependencies, an extra and a group),
    // everything from the default index, and a fresh lock.
    let index = index_of(&[
        ("alpha", "1.0.0", OLD),
        ("beta", "2.0.0", OLD),
        ("gamma", "3.0.0", OLD),
    ]);
    let fixture = Fixture::pyproject(&pyproject(
        &["alpha==1.0.0"],
        &format!(
            "[project.optional-dependencies]\nfast = [\"gamma==3.0.0\"]\n\n\
             [dependency-groups]\ndev = [\"beta==2.0.0\"]\n\n{GOOD_TOOL_UV}"
        ),
    ));
    fixture.lock(&index);
    let report = fixture.cordon().json();
    assert!(report.findings.is_empty(), "{report}");
    assert_eq!(report.code, 0);
    assert_eq!(
        report.json["summary"],
        serde_json::json!({"high": 0, "medium": 0, "low": 0, "info": 0})
    );
    // Strictest threshold, every format.
    for format in ["human", "json", "sarif", "github"] {
        let run = fixture
            .cordon()
            .args(&["--format", format, "--fail-on", "info", "--color", "never"])
            .output();
        assert_eq!(
            run.code,
            Some(0),
            "{format}: {}\n{}",
            run.stdout,
            run.stderr
        );
        assert!(run.stderr.is_empty(), "{format}: {}", run.stderr);
    }
}

#[test]
fn check_accepts_the_pyproject_path_as_well_as_the_directory() {
    let fixture = project();
    let by_dir = fixture.cordon().json();
    let by_file = fixture.cordon().at("pyproject.toml").json();
    assert_eq!(by_dir.json, by_file.json);
}
