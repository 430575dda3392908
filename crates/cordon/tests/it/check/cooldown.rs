//! The cooldown family: `cooldown-missing`, `cooldown-too-short`, `cooldown-disabled`,
//! `cooldown-exemption`, `lock-cooldown-violation`, `lock-upload-time-missing`.

use super::{Fixture, GOOD_TOOL_UV, NOW, OLD, RECENT, index_of, line_of, pyproject};
use crate::harness::{IndexServer, PackageSpec, VersionSpec};

/// `[tool.uv]` with exact bounds and a pinned uv, the cooldown line given by the test.
fn tool_uv(cooldown_lines: &str) -> String {
    format!(
        "[tool.uv]\n{cooldown_lines}add-bounds = \"exact\"\nrequired-version = \">=0.13.9,<0.14\"\n"
    )
}

// ---- cooldown-missing ----------------------------------------------------------------------

#[test]
fn cooldown_missing_fires_without_any_cooldown() {
    let text = pyproject(&[], &tool_uv(""));
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("cooldown-missing");
    assert_eq!(f.severity, "high");
    f.assert_at("pyproject.toml", line_of(&text, "[tool.uv]"));
    f.assert_message("no release cooldown is configured");
    assert!(f.help.contains("exclude-newer = \"7 days\""), "{f:?}");
}

#[test]
fn cooldown_missing_fires_without_a_tool_uv_table() {
    let text = pyproject(&[], "");
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("cooldown-missing");
    assert_eq!(f.severity, "high");
    f.assert_at("pyproject.toml", line_of(&text, "[project]"));
}

#[test]
fn cooldown_missing_is_medium_when_only_the_user_uv_toml_sets_it() {
    let text = pyproject(&[], &tool_uv(""));
    let fixture = Fixture::pyproject(&text);
    fixture.user_uv_toml("exclude-newer = \"7 days\"\n");
    let report = fixture.cordon().json();
    let f = report.one("cooldown-missing");
    assert_eq!(f.severity, "medium");
    f.assert_message("the user's uv.toml");
    f.assert_at("pyproject.toml", line_of(&text, "[tool.uv]"));
    // The user's cooldown is a real one: nothing says it is too short or off.
    report.none("cooldown-too-short");
    report.none("cooldown-disabled");
}

#[test]
fn cooldown_missing_is_medium_when_only_the_environment_sets_it() {
    let text = pyproject(&[], &tool_uv(""));
    let report = Fixture::pyproject(&text)
        .cordon()
        .env("UV_EXCLUDE_NEWER", "7 days")
        .json();
    let f = report.one("cooldown-missing");
    assert_eq!(f.severity, "medium");
    f.assert_message("UV_EXCLUDE_NEWER");
}

#[test]
fn cooldown_missing_quiet_when_set_in_the_project() {
    let report = Fixture::pyproject(&pyproject(&[], GOOD_TOOL_UV))
        .cordon()
        .json();
    report.none("cooldown-missing");
}

#[test]
fn cooldown_missing_quiet_when_set_in_the_project_uv_toml() {
    let fixture = Fixture::new(&[
        ("pyproject.toml", &pyproject(&[], "")),
        (
            "uv.toml",
            "exclude-newer = \"7 days\"\nadd-bounds = \"exact\"\nrequired-version = \">=0.13.9,<0.14\"\n",
        ),
    ]);
    let report = fixture.cordon().json();
    report.none("cooldown-missing");
    report.none("uv-config-invalid");
}

#[test]
fn cooldown_missing_fires_for_a_cooldown_in_a_tool_uv_that_uv_ignores() {
    // One unknown key makes uv drop the whole `[tool.uv]`, cooldown included.
    let text = pyproject(
        &[],
        &tool_uv("exclude-newer = \"7 days\"\ncooldown = \"7 days\"\n"),
    );
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("cooldown-missing");
    assert_eq!(f.severity, "high");
    let related = f.related();
    related.assert_at("pyproject.toml", line_of(&text, "exclude-newer = "));
    assert!(related.message.contains("ignored"), "{related:?}");
    report
        .one("uv-config-invalid")
        .assert_at("pyproject.toml", line_of(&text, "cooldown = "));
}

// ---- cooldown-too-short --------------------------------------------------------------------

#[test]
fn cooldown_too_short_fires_for_two_days() {
    let text = pyproject(&[], &tool_uv("exclude-newer = \"2 days\"\n"));
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("cooldown-too-short");
    assert_eq!(f.severity, "medium");
    f.assert_at(
        "pyproject.toml",
        line_of(&text, "exclude-newer = \"2 days\""),
    );
    f.assert_message("`P2D` is shorter than the policy's minimum of 7 days");
    report.none("cooldown-missing");
}

#[test]
fn cooldown_too_short_quiet_for_seven_days() {
    let text = pyproject(&[], &tool_uv("exclude-newer = \"7 days\"\n"));
    let report = Fixture::pyproject(&text).cordon().json();
    report.none("cooldown-too-short");
}

#[test]
fn cooldown_too_short_quiet_for_one_week_in_iso_form() {
    let text = pyproject(&[], &tool_uv("exclude-newer = \"P1W\"\n"));
    let report = Fixture::pyproject(&text).cordon().json();
    report.none("cooldown-too-short");
    report.none("uv-config-invalid");
}

#[test]
fn cooldown_too_short_fires_for_a_recent_absolute_cutoff() {
    // Three days before NOW.
    let text = pyproject(&[], &tool_uv("exclude-newer = \"2026-01-29T00:00:00Z\"\n"));
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("cooldown-too-short");
    f.assert_at("pyproject.toml", line_of(&text, "exclude-newer = "));
    f.assert_message("absolute cutoff 2026-01-29T00:00:00Z");
}

#[test]
fn cooldown_too_short_quiet_for_an_old_absolute_cutoff() {
    let text = pyproject(&[], &tool_uv("exclude-newer = \"2026-01-10T00:00:00Z\"\n"));
    let report = Fixture::pyproject(&text).cordon().json();
    report.none("cooldown-too-short");
    report.none("cooldown-missing");
}

// ---- cooldown-disabled ---------------------------------------------------------------------

#[test]
fn cooldown_disabled_fires_for_false() {
    let text = pyproject(&[], &tool_uv("exclude-newer = false\n"));
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("cooldown-disabled");
    assert_eq!(f.severity, "high");
    f.assert_at("pyproject.toml", line_of(&text, "exclude-newer = false"));
    f.assert_message("`exclude-newer = false`");
    report.none("cooldown-too-short");
}

#[test]
fn cooldown_disabled_fires_for_zero_days() {
    let text = pyproject(&[], &tool_uv("exclude-newer = \"0 days\"\n"));
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("cooldown-disabled");
    f.assert_at(
        "pyproject.toml",
        line_of(&text, "exclude-newer = \"0 days\""),
    );
    f.assert_message("zero cooldown");
    // A zero span is "off", not "short": one finding, not two.
    report.none("cooldown-too-short");
}

#[test]
fn cooldown_disabled_fires_when_uv_exclude_newer_false_overrides_the_project() {
    let text = pyproject(&[], GOOD_TOOL_UV);
    let report = Fixture::pyproject(&text)
        .cordon()
        .env("UV_EXCLUDE_NEWER", "false")
        .json();
    let f = report.one("cooldown-disabled");
    f.assert_message("UV_EXCLUDE_NEWER");
    assert!(f.help.contains("unset `UV_EXCLUDE_NEWER`"), "{f:?}");
    // No file line for the environment: anchored at `[tool.uv]`, with the overridden project
    // value as the second location.
    f.assert_at("pyproject.toml", line_of(&text, "[tool.uv]"));
    f.related().assert_at(
        "pyproject.toml",
        line_of(&text, "exclude-newer = \"7 days\""),
    );
}

#[test]
fn cooldown_disabled_quiet_for_seven_days() {
    let report = Fixture::pyproject(&pyproject(&[], GOOD_TOOL_UV))
        .cordon()
        .json();
    report.none("cooldown-disabled");
}

// ---- cooldown-exemption --------------------------------------------------------------------

#[test]
fn cooldown_exemption_fires_for_a_package_set_to_false() {
    let text = pyproject(
        &[],
        &tool_uv("exclude-newer = \"7 days\"\nexclude-newer-package = { alpha = false }\n"),
    );
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one_for("cooldown-exemption", "alpha");
    assert_eq!(f.severity, "medium");
    f.assert_at("pyproject.toml", line_of(&text, "alpha = false"));
    f.assert_message("disabled for `alpha`");
}

#[test]
fn cooldown_exemption_fires_for_a_span_shorter_than_the_policy() {
    let text = pyproject(
        &[],
        &format!(
            "{}\n[tool.uv.exclude-newer-package]\nAlpha_Pkg = \"1 day\"\n",
            tool_uv("exclude-newer = \"7 days\"\n")
        ),
    );
    let report = Fixture::pyproject(&text).cordon().json();
    // Reported under the normalized name.
    let f = report.one_for("cooldown-exemption", "alpha-pkg");
    f.assert_at("pyproject.toml", line_of(&text, "Alpha_Pkg = "));
    f.assert_message("shortened to `P1D`");
}

#[test]
fn cooldown_exemption_quiet_for_a_longer_span() {
    let text = pyproject(
        &[],
        &tool_uv("exclude-newer = \"7 days\"\nexclude-newer-package = { alpha = \"14 days\" }\n"),
    );
    let report = Fixture::pyproject(&text).cordon().json();
    report.none("cooldown-exemption");
}

#[test]
fn cooldown_exemption_quiet_for_an_old_absolute_cutoff() {
    let text = pyproject(
        &[],
        &tool_uv(
            "exclude-newer = \"7 days\"\nexclude-newer-package = { alpha = \"2026-01-01T00:00:00Z\" }\n",
        ),
    );
    let report = Fixture::pyproject(&text).cordon().json();
    report.none("cooldown-exemption");
}

// ---- lock-cooldown-violation ---------------------------------------------------------------

#[test]
fn lock_cooldown_violation_fires_when_now_is_inside_the_span_of_an_upload() {
    let index = index_of(&[("alpha", "1.0.0", RECENT), ("beta", "1.0.0", OLD)]);
    let text = pyproject(&["alpha==1.0.0", "beta==1.0.0"], GOOD_TOOL_UV);
    let fixture = Fixture::pyproject(&text);
    // uv locks under the cooldown against the real clock, long after RECENT.
    let lock = fixture.lock(&index);
    let report = fixture.cordon().json();
    let f = report.one("lock-cooldown-violation");
    assert_eq!(f.severity, "high");
    assert_eq!(f.package.as_deref(), Some("alpha"));
    assert_eq!(f.package_version.as_deref(), Some("1.0.0"));
    f.assert_at("uv.lock", line_of(&lock, "alpha-1.0.0-py3-none-any.whl"));
    f.assert_message(&format!(
        "uploaded {RECENT} (2 days ago), inside the 7 days cooldown"
    ));
    f.related()
        .assert_at("pyproject.toml", line_of(&text, "exclude-newer = "));
}

#[test]
fn lock_cooldown_violation_quiet_once_the_upload_is_older_than_the_span() {
    let index = index_of(&[("alpha", "1.0.0", RECENT)]);
    let fixture = Fixture::pyproject(&pyproject(&["alpha==1.0.0"], GOOD_TOOL_UV));
    fixture.lock(&index);
    // Eight days after the upload.
    let report = fixture.cordon().now("2026-02-06T12:00:01Z").json();
    report.none("lock-cooldown-violation");
    // The same lock, measured from NOW, does violate it: the quiet run is not vacuous.
    fixture.cordon().json().one("lock-cooldown-violation");
}

#[test]
fn lock_cooldown_violation_respects_a_shorter_per_package_override() {
    let index = index_of(&[("alpha", "1.0.0", RECENT)]);
    let text = pyproject(
        &["alpha==1.0.0"],
        &tool_uv("exclude-newer = \"7 days\"\nexclude-newer-package = { alpha = \"1 day\" }\n"),
    );
    let fixture = Fixture::pyproject(&text);
    fixture.lock(&index);
    let report = fixture.cordon().json();
    // Uploaded 2.5 days before NOW: inside the global 7 days, outside alpha's own 1 day.
    report.none("lock-cooldown-violation");
    report.one_for("cooldown-exemption", "alpha");
}

#[test]
fn lock_cooldown_violation_respects_a_longer_per_package_override() {
    let index = index_of(&[
        ("alpha", "1.0.0", "2026-01-20T00:00:00Z"),
        ("beta", "1.0.0", "2026-01-20T00:00:00Z"),
    ]);
    let text = pyproject(
        &["alpha==1.0.0", "beta==1.0.0"],
        &tool_uv("exclude-newer = \"7 days\"\nexclude-newer-package = { alpha = \"30 days\" }\n"),
    );
    let fixture = Fixture::pyproject(&text);
    let lock = fixture.lock(&index);
    let report = fixture.cordon().json();
    // Twelve days old: fine for beta under 7 days, too young for alpha's 30.
    let f = report.one("lock-cooldown-violation");
    assert_eq!(f.package.as_deref(), Some("alpha"));
    f.assert_at("uv.lock", line_of(&lock, "alpha-1.0.0-py3-none-any.whl"));
    f.assert_message("inside the 30 days cooldown");
    f.related()
        .assert_at("pyproject.toml", line_of(&text, "alpha = \"30 days\""));
}

#[test]
fn lock_cooldown_violation_fires_for_a_tampered_upload_time() {
    let index = index_of(&[("alpha", "1.0.0", OLD)]);
    let fixture = Fixture::pyproject(&pyproject(&["alpha==1.0.0"], GOOD_TOOL_UV));
    fixture.lock(&index);
    fixture.cordon().json().none("lock-cooldown-violation");
    // Deliberate tampering with the uv-written lock: the attack this check exists for (a
    // hand-edited lock still passes `uv lock --check`).
    fixture.edit(
        "uv.lock",
        "upload-time = \"2026-01-05T10:00:00Z\"",
        "upload-time = \"2026-01-31T00:00:00Z\"",
    );
    let report = fixture.cordon().json();
    let f = report.one_for("lock-cooldown-violation", "alpha");
    f.assert_message("(1 day ago)");
}

// ---- lock-upload-time-missing --------------------------------------------------------------

/// An index that does not report upload times (no PEP 700).
fn index_without_upload_times() -> IndexServer {
    IndexServer::start(vec![PackageSpec::new(
        "alpha",
        vec![VersionSpec::new("1.0.0").without_upload_time()],
    )])
}

#[test]
fn lock_upload_time_missing_fires_for_an_index_without_upload_times() {
    let index = index_without_upload_times();
    // No cooldown configured, so uv accepts artifacts without an upload time and locks.
    let tool_uv = "[tool.uv]\nadd-bounds = \"exact\"\nrequired-version = \">=0.13.9,<0.14\"\n";
    let fixture = Fixture::pyproject(&pyproject(&["alpha==1.0.0"], tool_uv));
    let lock = fixture.lock(&index);
    assert!(!lock.contains("upload-time"), "{lock}");
    let report = fixture.cordon().json();
    let f = report.one("lock-upload-time-missing");
    assert_eq!(f.severity, "medium");
    assert_eq!(f.package.as_deref(), Some("alpha"));
    f.assert_at("uv.lock", line_of(&lock, "alpha-1.0.0-py3-none-any.whl"));
    f.assert_message("1 artifact without `upload-time`");
    report.one("cooldown-missing");
}

#[test]
fn lock_upload_time_missing_quiet_when_the_index_reports_upload_times() {
    let index = index_of(&[("alpha", "1.0.0", OLD)]);
    let fixture = Fixture::pyproject(&pyproject(&["alpha==1.0.0"], GOOD_TOOL_UV));
    fixture.lock(&index);
    let report = fixture.cordon().json();
    report.none("lock-upload-time-missing");
}

#[test]
fn lock_upload_time_missing_quiet_for_a_package_exempted_with_false() {
    let index = index_without_upload_times();
    let tool_uv = "[tool.uv]\nadd-bounds = \"exact\"\nrequired-version = \">=0.13.9,<0.14\"\n\
                   exclude-newer-package = { alpha = false }\n";
    let fixture = Fixture::pyproject(&pyproject(&["alpha==1.0.0"], tool_uv));
    fixture.lock(&index);
    let report = fixture.cordon().json();
    report.none("lock-upload-time-missing");
    report.one_for("cooldown-exemption", "alpha");
}

#[test]
fn cooldown_checks_measure_from_cordon_now() {
    // The same lock judged from two moments given only through CORDON_NOW.
    let index = index_of(&[("alpha", "1.0.0", RECENT)]);
    let fixture = Fixture::pyproject(&pyproject(&["alpha==1.0.0"], GOOD_TOOL_UV));
    fixture.lock(&index);
    assert_eq!(NOW, "2026-02-01T00:00:00Z");
    fixture.cordon().json().one("lock-cooldown-violation");
    fixture
        .cordon()
        .env("CORDON_NOW", "2026-03-01T00:00:00Z")
        .json()
        .none("lock-cooldown-violation");
}

// Regression: a cooldown switched off outside the project was reported as "the cooldown comes
// only from the user's uv.toml" at medium severity, as if there were one.
#[test]
fn cooldown_missing_is_high_when_the_user_uv_toml_disables_the_cooldown() {
    let text = pyproject(&[], &tool_uv(""));
    let fixture = Fixture::pyproject(&text);
    fixture.user_uv_toml("exclude-newer = false\n");
    let report = fixture.cordon().json();
    let f = report.one("cooldown-missing");
    assert_eq!(f.severity, "high");
    f.assert_message("no release cooldown is configured");
    // The switch itself is reported where it is written, outside the project.
    let disabled = report.one("cooldown-disabled");
    disabled.assert_message("the user's uv.toml");
    let user_uv_toml = fixture.tmp().join("config/uv/uv.toml");
    disabled.assert_at(user_uv_toml.to_str().unwrap(), 1);
}

#[test]
fn cooldown_missing_is_high_when_uv_exclude_newer_false_is_the_only_setting() {
    let text = pyproject(&[], &tool_uv(""));
    let report = Fixture::pyproject(&text)
        .cordon()
        .env("UV_EXCLUDE_NEWER", "false")
        .json();
    assert_eq!(report.one("cooldown-missing").severity, "high");
    report
        .one("cooldown-disabled")
        .assert_message("UV_EXCLUDE_NEWER");
}
