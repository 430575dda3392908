//! The uv configuration family: `uv-config-invalid`, `bounds-not-exact`, `uv-version-unpinned`,
//! `index-strategy-unsafe`, `extra-index-unscoped`, `insecure-index`,
//! `index-credentials-committed`.

use super::{Fixture, GOOD_TOOL_UV, OLD, index_of, line_of, pyproject};

/// A project with no dependencies and `GOOD_TOOL_UV` followed by `more` (keys of `[tool.uv]`).
fn with_tool_uv(more: &str) -> String {
    pyproject(&[], &format!("{GOOD_TOOL_UV}{more}"))
}

// ---- uv-config-invalid ---------------------------------------------------------------------

#[test]
fn uv_config_invalid_fires_for_an_unknown_key_with_a_hint() {
    let text = with_tool_uv("exclude-newr-package = { alpha = \"14 days\" }\n");
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("uv-config-invalid");
    assert_eq!(f.severity, "high");
    f.assert_at("pyproject.toml", line_of(&text, "exclude-newr-package"));
    f.assert_message("unknown field `exclude-newr-package`; did you mean `exclude-newer-package`?");
    assert!(
        f.help.contains("ignores the whole `[tool.uv]` table"),
        "{f:?}"
    );
    // uv drops the table, so its (valid) cooldown does not count either.
    report.one("cooldown-missing");
}

#[test]
fn uv_config_invalid_fires_for_a_bad_enum_value() {
    let text = with_tool_uv("index-strategy = \"fastest\"\n");
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("uv-config-invalid");
    f.assert_at("pyproject.toml", line_of(&text, "index-strategy = "));
    f.assert_message("unknown variant `fastest`");
    report.none("index-strategy-unsafe");
}

#[test]
fn uv_config_invalid_fires_for_a_cooldown_in_months() {
    let text = pyproject(
        &[],
        "[tool.uv]\nexclude-newer = \"1 month\"\nadd-bounds = \"exact\"\nrequired-version = \">=0.13.9,<0.14\"\n",
    );
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("uv-config-invalid");
    f.assert_at("pyproject.toml", line_of(&text, "exclude-newer = "));
    f.assert_message(
        "`1 month` uses 'months' which is not allowed; use days instead, e.g., `30 days`",
    );
    report.one("cooldown-missing");
}

#[test]
fn uv_config_invalid_fires_for_false_as_a_string() {
    let text = pyproject(
        &[],
        "[tool.uv]\nexclude-newer = \"false\"\nadd-bounds = \"exact\"\nrequired-version = \">=0.13.9,<0.14\"\n",
    );
    let report = Fixture::pyproject(&text).cordon().json();
    report
        .one("uv-config-invalid")
        .assert_at("pyproject.toml", line_of(&text, "exclude-newer = "));
    report.none("cooldown-disabled");
}

#[test]
fn uv_config_invalid_fires_in_a_project_uv_toml_beside_the_pyproject() {
    let uv_toml = "exclude-newer = \"7 days\"\nadd-bounds = \"exact\"\n\
                   required-version = \">=0.13.9,<0.14\"\nindex-strategy = \"fastest\"\n";
    let fixture = Fixture::new(&[
        ("pyproject.toml", &pyproject(&[], "")),
        ("uv.toml", uv_toml),
    ]);
    let report = fixture.cordon().json();
    let f = report.one("uv-config-invalid");
    f.assert_at("uv.toml", line_of(uv_toml, "index-strategy"));
    assert!(f.help.contains("uv refuses to run"), "{f:?}");
}

#[test]
fn uv_config_invalid_reports_a_tool_uv_shadowed_by_uv_toml_as_low() {
    let text = pyproject(&[], GOOD_TOOL_UV);
    let fixture = Fixture::new(&[
        ("pyproject.toml", &text),
        (
            "uv.toml",
            "exclude-newer = \"7 days\"\nadd-bounds = \"exact\"\nrequired-version = \">=0.13.9,<0.14\"\n",
        ),
    ]);
    let report = fixture.cordon().json();
    let f = report.one("uv-config-invalid");
    assert_eq!(f.severity, "low");
    f.assert_at("pyproject.toml", line_of(&text, "[tool.uv]"));
    f.assert_message("ignored because a uv.toml sits beside pyproject.toml");
}

#[test]
fn uv_config_invalid_is_medium_for_a_key_uv_silently_ignores() {
    // uv accepts `explict` inside an index entry and ignores it: the index is not explicit.
    let text = with_tool_uv(
        "\n[[tool.uv.index]]\nname = \"internal\"\nurl = \"https://example.com/internal/simple\"\nexplict = true\n",
    );
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("uv-config-invalid");
    assert_eq!(f.severity, "medium");
    f.assert_at("pyproject.toml", line_of(&text, "explict"));
    assert!(f.help.contains("silently ignores"), "{f:?}");
    // ...and what the typo meant to prevent is reported too.
    report
        .one("extra-index-unscoped")
        .assert_at("pyproject.toml", line_of(&text, "url = "));
    // The rest of `[tool.uv]` still applies.
    report.none("cooldown-missing");
}

// uv 0.13.9 stops with "Failed to parse: pyproject.toml" on this, rather than dropping `[tool.uv]`.
#[test]
fn uv_config_invalid_says_uv_stops_for_a_bad_source() {
    let text = pyproject(
        &["alpha"],
        &format!(
            "{GOOD_TOOL_UV}\n[tool.uv.sources]\nalpha = {{ gitt = \"https://example.com/alpha.git\" }}\n"
        ),
    );
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("uv-config-invalid");
    assert_eq!(f.severity, "high");
    f.assert_at("pyproject.toml", line_of(&text, "alpha = {"));
    f.assert_message("unknown field `gitt`; did you mean `git`?");
    assert!(
        f.help.contains("uv refuses to run with this project"),
        "{f:?}"
    );
}

#[test]
fn uv_config_invalid_reports_a_tool_uv_that_is_not_a_table() {
    let text = pyproject(&[], "[tool]\nuv = \"7 days\"\n");
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("uv-config-invalid");
    f.assert_at("pyproject.toml", line_of(&text, "uv = "));
    f.assert_message("expected a table");
}

#[test]
fn uv_config_invalid_quiet_for_a_valid_tool_uv() {
    let text = with_tool_uv(
        "index-strategy = \"first-index\"\nexclude-newer-package = { alpha = \"14 days\" }\n",
    );
    let report = Fixture::pyproject(&text).cordon().json();
    report.none("uv-config-invalid");
    assert!(report.findings.is_empty(), "{report}");
}

// ---- bounds-not-exact ----------------------------------------------------------------------

#[test]
fn bounds_not_exact_fires_when_unset() {
    let text = pyproject(
        &[],
        "[tool.uv]\nexclude-newer = \"7 days\"\nrequired-version = \">=0.13.9,<0.14\"\n",
    );
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("bounds-not-exact");
    assert_eq!(f.severity, "medium");
    f.assert_at("pyproject.toml", line_of(&text, "[tool.uv]"));
    f.assert_message("`add-bounds` is not set");
}

#[test]
fn bounds_not_exact_fires_for_lower_bounds() {
    let text = pyproject(
        &[],
        "[tool.uv]\nexclude-newer = \"7 days\"\nadd-bounds = \"lower\"\nrequired-version = \">=0.13.9,<0.14\"\n",
    );
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("bounds-not-exact");
    f.assert_at("pyproject.toml", line_of(&text, "add-bounds"));
    f.assert_message("`add-bounds = \"lower\"`");
}

#[test]
fn bounds_not_exact_points_at_exact_bounds_in_a_tool_uv_that_uv_ignores() {
    let text = with_tool_uv("exclude-newwer = \"7 days\"\n");
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("bounds-not-exact");
    f.assert_at("pyproject.toml", line_of(&text, "add-bounds"));
    f.assert_message("`add-bounds` is ignored: uv drops the whole `[tool.uv]` table");
    // `required-version` is enforced by uv even then.
    report.none("uv-version-unpinned");
}

#[test]
fn bounds_not_exact_fires_when_exact_bounds_come_only_from_the_user_uv_toml() {
    let text = pyproject(
        &[],
        "[tool.uv]\nexclude-newer = \"7 days\"\nrequired-version = \">=0.13.9,<0.14\"\n",
    );
    let fixture = Fixture::pyproject(&text);
    fixture.user_uv_toml("add-bounds = \"exact\"\n");
    let report = fixture.cordon().json();
    let f = report.one("bounds-not-exact");
    f.assert_at("pyproject.toml", line_of(&text, "[tool.uv]"));
    f.assert_message("exact bounds come only from the user's uv.toml");
}

#[test]
fn bounds_not_exact_quiet_for_exact() {
    let report = Fixture::pyproject(&pyproject(&[], GOOD_TOOL_UV))
        .cordon()
        .json();
    report.none("bounds-not-exact");
}

// ---- uv-version-unpinned -------------------------------------------------------------------

#[test]
fn uv_version_unpinned_fires_when_unset() {
    let text = pyproject(
        &[],
        "[tool.uv]\nexclude-newer = \"7 days\"\nadd-bounds = \"exact\"\n",
    );
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("uv-version-unpinned");
    assert_eq!(f.severity, "medium");
    f.assert_at("pyproject.toml", line_of(&text, "[tool.uv]"));
}

#[test]
fn uv_version_unpinned_fires_for_a_version_admitting_old_uv() {
    let text = pyproject(
        &[],
        "[tool.uv]\nexclude-newer = \"7 days\"\nadd-bounds = \"exact\"\nrequired-version = \">=0.9\"\n",
    );
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("uv-version-unpinned");
    f.assert_at("pyproject.toml", line_of(&text, "required-version"));
    f.assert_message("admits uv older than 0.9.17");
}

#[test]
fn uv_version_unpinned_quiet_for_the_tested_minor() {
    let report = Fixture::pyproject(&pyproject(&[], GOOD_TOOL_UV))
        .cordon()
        .json();
    report.none("uv-version-unpinned");
}

// ---- index-strategy-unsafe -----------------------------------------------------------------

#[test]
fn index_strategy_unsafe_fires_for_the_config() {
    let text = with_tool_uv("index-strategy = \"unsafe-best-match\"\n");
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("index-strategy-unsafe");
    assert_eq!(f.severity, "high");
    f.assert_at("pyproject.toml", line_of(&text, "index-strategy"));
    f.assert_message("`index-strategy = \"unsafe-best-match\"`");
}

#[test]
fn index_strategy_unsafe_fires_for_uv_index_strategy_in_the_environment() {
    let text = pyproject(&[], GOOD_TOOL_UV);
    let report = Fixture::pyproject(&text)
        .cordon()
        .env("UV_INDEX_STRATEGY", "unsafe-first-match")
        .json();
    let f = report.one("index-strategy-unsafe");
    f.assert_message("(from the environment variable `UV_INDEX_STRATEGY`)");
    f.assert_at("pyproject.toml", line_of(&text, "[tool.uv]"));
}

#[test]
fn index_strategy_unsafe_quiet_for_first_index() {
    let text = with_tool_uv("index-strategy = \"first-index\"\n");
    let report = Fixture::pyproject(&text).cordon().json();
    report.none("index-strategy-unsafe");
}

// ---- extra-index-unscoped ------------------------------------------------------------------

#[test]
fn extra_index_unscoped_fires_for_an_index_that_is_not_explicit() {
    let text = with_tool_uv(
        "\n[[tool.uv.index]]\nname = \"internal\"\nurl = \"https://example.com/internal/simple\"\n",
    );
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("extra-index-unscoped");
    assert_eq!(f.severity, "medium");
    f.assert_at("pyproject.toml", line_of(&text, "url = "));
    f.assert_message("index `internal` at `https://example.com/internal/simple`");
}

#[test]
fn extra_index_unscoped_fires_for_extra_index_url() {
    let text = with_tool_uv("extra-index-url = [\"https://example.com/extra/simple\"]\n");
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("extra-index-unscoped");
    assert_eq!(f.severity, "medium");
    f.assert_at("pyproject.toml", line_of(&text, "extra-index-url"));
    f.assert_message("`extra-index-url`");
}

#[test]
fn extra_index_unscoped_is_low_for_find_links() {
    let text = with_tool_uv("find-links = [\"https://example.com/wheels/\"]\n");
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("extra-index-unscoped");
    assert_eq!(f.severity, "low");
    f.assert_at("pyproject.toml", line_of(&text, "find-links"));
}

#[test]
fn extra_index_unscoped_quiet_for_an_explicit_or_default_index() {
    let text = with_tool_uv(
        "\n[[tool.uv.index]]\nname = \"internal\"\nurl = \"https://example.com/internal/simple\"\nexplicit = true\n\n\
         [[tool.uv.index]]\nname = \"main\"\nurl = \"https://example.com/simple\"\ndefault = true\n",
    );
    let report = Fixture::pyproject(&text).cordon().json();
    report.none("extra-index-unscoped");
    report.none("uv-config-invalid");
}

// ---- insecure-index ------------------------------------------------------------------------

#[test]
fn insecure_index_fires_for_plain_http() {
    let text = with_tool_uv(
        "\n[[tool.uv.index]]\nname = \"internal\"\nurl = \"http://example.com/internal/simple\"\nexplicit = true\n",
    );
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("insecure-index");
    assert_eq!(f.severity, "high");
    f.assert_at("pyproject.toml", line_of(&text, "url = "));
    f.assert_message("`http://example.com/internal/simple`");
}

#[test]
fn insecure_index_fires_for_allow_insecure_host() {
    let text = with_tool_uv("allow-insecure-host = [\"example.com\"]\n");
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("insecure-index");
    f.assert_at("pyproject.toml", line_of(&text, "allow-insecure-host"));
    f.assert_message("TLS certificate checks are off for `example.com`");
}

#[test]
fn insecure_index_fires_for_uv_insecure_host_in_the_environment() {
    let report = Fixture::pyproject(&pyproject(&[], GOOD_TOOL_UV))
        .cordon()
        .env("UV_INSECURE_HOST", "example.com")
        .json();
    let f = report.one("insecure-index");
    f.assert_message("(from the environment variable `UV_INSECURE_HOST`)");
}

#[test]
fn insecure_index_quiet_for_https_and_loopback() {
    let text = with_tool_uv(
        "\n[[tool.uv.index]]\nname = \"internal\"\nurl = \"https://example.com/internal/simple\"\nexplicit = true\n\n\
         [[tool.uv.index]]\nname = \"local\"\nurl = \"http://127.0.0.1:8080/simple\"\nexplicit = true\n\n\
         [[tool.uv.index]]\nname = \"dev\"\nurl = \"http://localhost:8080/simple\"\nexplicit = true\n",
    );
    let report = Fixture::pyproject(&text).cordon().json();
    report.none("insecure-index");
}

// ---- index-credentials-committed -----------------------------------------------------------

#[test]
fn index_credentials_committed_fires_for_a_password_in_an_index_url() {
    let text = with_tool_uv(
        "\n[[tool.uv.index]]\nname = \"internal\"\nurl = \"https://deploy:hunter2@example.com/internal/simple\"\nexplicit = true\n",
    );
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("index-credentials-committed");
    assert_eq!(f.severity, "high");
    f.assert_at("pyproject.toml", line_of(&text, "url = "));
    f.assert_message("carries credentials in its URL");
    // The report itself must not repeat the secret.
    let json = report.json.to_string();
    assert!(
        !json.contains("hunter2"),
        "the password leaks into the report: {json}"
    );
}

#[test]
fn index_credentials_committed_fires_for_a_token_in_a_source_url() {
    let text = pyproject(
        &["beta"],
        &format!(
            "{GOOD_TOOL_UV}\n[tool.uv.sources]\n\
             beta = {{ url = \"https://__token__:s3cr3t@example.com/files/beta-1.0.0-py3-none-any.whl\" }}\n"
        ),
    );
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("index-credentials-committed");
    f.assert_at("pyproject.toml", line_of(&text, "beta = { url"));
    assert!(!report.json.to_string().contains("s3cr3t"));
}

#[test]
fn index_credentials_committed_fires_for_credentials_recorded_in_the_lock() {
    let index = index_of(&[("alpha", "1.0.0", OLD)]);
    let text = pyproject(&["alpha==1.0.0"], GOOD_TOOL_UV);
    let fixture = Fixture::pyproject(&text);
    fixture.lock(&index);
    // Deliberate tampering with the uv-written lock (uv itself strips credentials): a URL with
    // a user and password, as an old or hand-edited lock may hold.
    fixture.edit(
        "uv.lock",
        "source = { registry = \"http://example.com/simple\" }",
        "source = { registry = \"http://deploy:hunter2@example.com/simple\" }",
    );
    let lock = fixture.read("uv.lock");
    let report = fixture.cordon().json();
    let f = report.one("index-credentials-committed");
    f.assert_at("uv.lock", line_of(&lock, "source = { registry"));
    assert!(!report.json.to_string().contains("hunter2"));
}

#[test]
fn index_credentials_committed_quiet_without_credentials() {
    let text = with_tool_uv(
        "\n[[tool.uv.index]]\nname = \"internal\"\nurl = \"https://example.com/internal/simple\"\nexplicit = true\n",
    );
    let report = Fixture::pyproject(&text).cordon().json();
    report.none("index-credentials-committed");
}
