//! Accepting findings and the team policy: `unused-ignore`, inline and policy ignores, and
//! `[tool.cordon]` (`severity`, `min-cooldown`, unknown keys).

use super::{Fixture, GOOD_TOOL_UV, OLD, index_of, line_of, pyproject};

/// `[tool.uv]` with a 2-day cooldown (fires `cooldown-too-short`) written as `cooldown_line`.
fn short_cooldown(cooldown_line: &str) -> String {
    pyproject(
        &[],
        &format!(
            "[tool.uv]\n{cooldown_line}\nadd-bounds = \"exact\"\nrequired-version = \">=0.13.9,<0.14\"\n"
        ),
    )
}

// ---- unused-ignore and inline ignores ------------------------------------------------------

#[test]
fn inline_ignore_with_a_reason_suppresses_the_finding() {
    let text = short_cooldown(
        "exclude-newer = \"2 days\"  # cordon: ignore[cooldown-too-short] releases are vetted by hand",
    );
    let report = Fixture::pyproject(&text).cordon().json();
    report.none("cooldown-too-short");
    report.none("unused-ignore");
    assert!(report.findings.is_empty(), "{report}");
    assert_eq!(report.code, 0);
}

#[test]
fn inline_ignore_on_its_own_line_covers_the_next_line() {
    let text = short_cooldown(
        "# cordon: ignore[cooldown-too-short] releases are vetted by hand\nexclude-newer = \"2 days\"",
    );
    let report = Fixture::pyproject(&text).cordon().json();
    report.none("cooldown-too-short");
    report.none("unused-ignore");
}

#[test]
fn unused_ignore_fires_for_an_inline_ignore_without_a_reason() {
    let text = short_cooldown("exclude-newer = \"2 days\"  # cordon: ignore[cooldown-too-short]");
    let report = Fixture::pyproject(&text).cordon().json();
    // Without a reason the ignore does not apply...
    report
        .one("cooldown-too-short")
        .assert_at("pyproject.toml", line_of(&text, "exclude-newer"));
    // ...and is itself reported.
    let f = report.one("unused-ignore");
    assert_eq!(f.severity, "low");
    f.assert_at("pyproject.toml", line_of(&text, "# cordon: ignore"));
    f.assert_message("gives no reason");
}

#[test]
fn unused_ignore_fires_for_an_inline_ignore_matching_nothing() {
    let text = pyproject(
        &[],
        &format!("{GOOD_TOOL_UV}# cordon: ignore[index-strategy-unsafe] we need the mirror\n"),
    );
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("unused-ignore");
    f.assert_at("pyproject.toml", line_of(&text, "# cordon: ignore"));
    f.assert_message("the inline ignore for `index-strategy-unsafe` matches no finding");
}

#[test]
fn unused_ignore_fires_for_an_inline_ignore_of_an_unknown_id() {
    let text = short_cooldown(
        "exclude-newer = \"2 days\"  # cordon: ignore[cooldown-too-short, cooldown-short] vetted",
    );
    let report = Fixture::pyproject(&text).cordon().json();
    // The known id in the list still applies.
    report.none("cooldown-too-short");
    let f = report.one("unused-ignore");
    f.assert_message("`cooldown-short` is not a cordon check id");
}

#[test]
fn unused_ignore_fires_for_a_policy_entry_matching_nothing() {
    let index = index_of(&[("alpha", "1.0.0", OLD)]);
    let text = pyproject(
        &["alpha==1.0.0"],
        &format!(
            "{GOOD_TOOL_UV}\n[tool.cordon]\nignore = [\n    \
             {{ id = \"lockfile-missing\", reason = \"we lock in CI\" }},\n]\n"
        ),
    );
    let fixture = Fixture::pyproject(&text);
    fixture.lock(&index);
    let report = fixture.cordon().json();
    let f = report.one("unused-ignore");
    f.assert_at(
        "pyproject.toml",
        line_of(&text, "id = \"lockfile-missing\""),
    );
    f.assert_message("the ignore entry for `lockfile-missing` matches no finding");
}

#[test]
fn policy_ignore_suppresses_only_the_matching_package() {
    let text = pyproject(
        &["alpha>=1.0", "beta>=1.0"],
        &format!(
            "{GOOD_TOOL_UV}\n[[tool.cordon.ignore]]\nid = \"dependency-not-exact\"\n\
             package = \"Alpha\"\npath = \"pyproject.toml\"\nreason = \"tracks the newest alpha on purpose\"\n"
        ),
    );
    let report = Fixture::pyproject(&text).cordon().json();
    report
        .one("dependency-not-exact")
        .assert_at("pyproject.toml", line_of(&text, "\"beta>=1.0\""));
    report.none("unused-ignore");
}

#[test]
fn policy_ignore_with_another_path_does_not_apply() {
    let text = pyproject(
        &["alpha>=1.0"],
        &format!(
            "{GOOD_TOOL_UV}\n[[tool.cordon.ignore]]\nid = \"dependency-not-exact\"\n\
             path = \"packages/app/pyproject.toml\"\nreason = \"not this file\"\n"
        ),
    );
    let report = Fixture::pyproject(&text).cordon().json();
    report.one_for("dependency-not-exact", "alpha");
    report
        .one("unused-ignore")
        .assert_at("pyproject.toml", line_of(&text, "[[tool.cordon.ignore]]"));
}

#[test]
fn policy_ignore_without_a_reason_is_an_error() {
    let text = pyproject(
        &[],
        &format!("{GOOD_TOOL_UV}\n[tool.cordon]\nignore = [{{ id = \"cooldown-too-short\" }}]\n"),
    );
    let run = Fixture::pyproject(&text).cordon().output();
    let stderr = run.expect_error();
    assert!(stderr.contains("has no `reason`"), "{stderr}");
    let line = line_of(&text, "ignore = ");
    assert!(
        stderr.contains(&format!("pyproject.toml:{line}:")),
        "{stderr}"
    );
}

// ---- [tool.cordon] -------------------------------------------------------------------------

#[test]
fn policy_unknown_key_is_an_error_naming_file_and_line() {
    let text = pyproject(
        &[],
        &format!("{GOOD_TOOL_UV}\n[tool.cordon]\nmin-cooldwn = \"14 days\"\n"),
    );
    let run = Fixture::pyproject(&text).cordon().output();
    let stderr = run.expect_error();
    assert!(
        run.stdout.is_empty(),
        "no report on bad input: {}",
        run.stdout
    );
    assert!(
        stderr.contains("unknown key `min-cooldwn` in the cordon policy"),
        "{stderr}"
    );
    let line = line_of(&text, "min-cooldwn");
    assert!(
        stderr.contains(&format!("pyproject.toml:{line}:1")),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `min-cooldown`?"), "{stderr}");
}

#[test]
fn policy_unknown_check_id_in_severity_is_an_error() {
    let text = pyproject(
        &[],
        &format!("{GOOD_TOOL_UV}\n[tool.cordon.severity]\ncooldown-gone = \"low\"\n"),
    );
    let run = Fixture::pyproject(&text).cordon().output();
    let stderr = run.expect_error();
    assert!(
        stderr.contains("unknown check id `cooldown-gone`"),
        "{stderr}"
    );
}

#[test]
fn policy_severity_override_is_applied() {
    let text = pyproject(
        &["alpha>=1.0"],
        &format!(
            "{GOOD_TOOL_UV}\n[tool.cordon]\nseverity = {{ dependency-not-exact = \"high\" }}\n"
        ),
    );
    let report = Fixture::pyproject(&text).cordon().json();
    assert_eq!(report.one("dependency-not-exact").severity, "high");
    assert_eq!(report.json["summary"]["high"], 2, "{report}"); // and lockfile-missing
    report.none("unused-ignore");
}

#[test]
fn policy_severity_override_changes_the_exit_code() {
    let text = pyproject(
        &[],
        "[tool.uv]\nexclude-newer = \"2 days\"\nadd-bounds = \"exact\"\nrequired-version = \">=0.13.9,<0.14\"\n\n\
         [tool.cordon]\nseverity = { cooldown-too-short = \"info\" }\n",
    );
    let fixture = Fixture::pyproject(&text);
    let report = fixture.cordon().json();
    assert_eq!(report.one("cooldown-too-short").severity, "info");
    // `info` is below the default `--fail-on low`.
    assert_eq!(report.code, 0);
    assert_eq!(fixture.cordon().args(&["--fail-on", "info"]).json().code, 1);
}

#[test]
fn policy_min_cooldown_raises_the_bar_for_cooldown_too_short() {
    let text = pyproject(
        &[],
        &format!("{GOOD_TOOL_UV}\n[tool.cordon]\nmin-cooldown = \"14 days\"\n"),
    );
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("cooldown-too-short");
    f.assert_at("pyproject.toml", line_of(&text, "exclude-newer"));
    f.assert_message("`P7D` is shorter than the policy's minimum of 14 days");
    assert_eq!(f.help, "set `exclude-newer = \"14 days\"` (or longer)");
}

#[test]
fn policy_min_cooldown_can_lower_the_bar() {
    let text = short_cooldown("exclude-newer = \"2 days\"");
    let text = format!("{text}\n[tool.cordon]\nmin-cooldown = \"1 day\"\n");
    let report = Fixture::pyproject(&text).cordon().json();
    report.none("cooldown-too-short");
}

#[test]
fn policy_in_cordon_toml_is_read() {
    let fixture = Fixture::new(&[
        ("pyproject.toml", &pyproject(&[], GOOD_TOOL_UV)),
        ("cordon.toml", "min-cooldown = \"14 days\"\n"),
    ]);
    fixture.cordon().json().one("cooldown-too-short");
}

#[test]
fn policy_invalid_min_cooldown_is_an_error() {
    let text = pyproject(
        &[],
        &format!("{GOOD_TOOL_UV}\n[tool.cordon]\nmin-cooldown = \"0 days\"\n"),
    );
    let run = Fixture::pyproject(&text).cordon().output();
    let stderr = run.expect_error();
    assert!(stderr.contains("is not a positive duration"), "{stderr}");
}
