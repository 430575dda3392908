//! The lock family: `lockfile-missing`, `lockfile-stale`, `lock-hash-missing`,
//! `lock-source-untrusted`.

use super::{Fixture, GOOD_TOOL_UV, OLD, index_of, line_of, pyproject};
use crate::harness::IndexServer;

fn alpha_beta_index() -> IndexServer {
    index_of(&[("alpha", "1.0.0", OLD), ("beta", "1.0.0", OLD)])
}

// ---- lockfile-missing ----------------------------------------------------------------------

#[test]
fn lockfile_missing_fires_for_dependencies_without_a_lock() {
    let text = pyproject(&["alpha==1.0.0"], GOOD_TOOL_UV);
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("lockfile-missing");
    assert_eq!(f.severity, "high");
    f.assert_at("pyproject.toml", line_of(&text, "[project]"));
    assert!(f.help.contains("uv sync --locked"), "{f:?}");
}

#[test]
fn lockfile_missing_quiet_with_a_lock() {
    let index = alpha_beta_index();
    let fixture = Fixture::pyproject(&pyproject(&["alpha==1.0.0"], GOOD_TOOL_UV));
    fixture.lock(&index);
    fixture.cordon().json().none("lockfile-missing");
}

#[test]
fn lockfile_missing_quiet_for_a_project_without_dependencies() {
    let report = Fixture::pyproject(&pyproject(&[], GOOD_TOOL_UV))
        .cordon()
        .json();
    report.none("lockfile-missing");
}

// ---- lockfile-stale ------------------------------------------------------------------------

#[test]
fn lockfile_stale_quiet_right_after_locking() {
    let index = alpha_beta_index();
    let fixture = Fixture::pyproject(&pyproject(
        &["alpha==1.0.0"],
        &format!("[dependency-groups]\ndev = [\"beta==1.0.0\"]\n\n{GOOD_TOOL_UV}"),
    ));
    fixture.lock(&index);
    let report = fixture.cordon().json();
    report.none("lockfile-stale");
    assert!(
        report.findings.is_empty(),
        "a freshly locked project is clean:\n{report}"
    );
}

#[test]
fn lockfile_stale_quiet_for_unnormalized_group_and_extra_names() {
    // uv records `Dev_Tools` as `dev-tools` and `Fast_X` as `fast-x`.
    let index = alpha_beta_index();
    let fixture = Fixture::pyproject(&pyproject(
        &["alpha==1.0.0"],
        &format!(
            "[project.optional-dependencies]\nFast_X = [\"beta==1.0.0\"]\n\n\
             [dependency-groups]\nDev_Tools = [\"Beta == 1.0.0\"]\n\n{GOOD_TOOL_UV}"
        ),
    ));
    let lock = fixture.lock(&index);
    assert!(lock.contains("dev-tools = ["), "{lock}");
    fixture.cordon().json().none("lockfile-stale");
}

#[test]
fn lockfile_stale_fires_for_a_project_renamed_after_locking() {
    let index = alpha_beta_index();
    let fixture = Fixture::pyproject(&pyproject(&["alpha==1.0.0"], GOOD_TOOL_UV));
    fixture.lock(&index);
    fixture.edit(
        "pyproject.toml",
        "name = \"demo\"",
        "name = \"demo-renamed\"",
    );
    let text = fixture.read("pyproject.toml");
    let report = fixture.cordon().json();
    let f = report.one("lockfile-stale");
    f.assert_at("pyproject.toml", line_of(&text, "[project]"));
    f.assert_message("the project `demo-renamed` is not in `uv.lock`");
}

#[test]
fn lockfile_stale_fires_for_a_dependency_added_after_locking() {
    let index = alpha_beta_index();
    let fixture = Fixture::pyproject(&pyproject(&["alpha==1.0.0"], GOOD_TOOL_UV));
    fixture.lock(&index);
    let text = pyproject(&["alpha==1.0.0", "beta==1.0.0"], GOOD_TOOL_UV);
    fixture.write("pyproject.toml", &text);
    let report = fixture.cordon().json();
    let f = report.one("lockfile-stale");
    assert_eq!(f.severity, "high");
    assert_eq!(f.package.as_deref(), Some("beta"));
    f.assert_at("pyproject.toml", line_of(&text, "\"beta==1.0.0\""));
    f.assert_message("`beta==1.0.0` is declared but not in `uv.lock`");
}

#[test]
fn lockfile_stale_fires_for_a_dependency_removed_after_locking() {
    let index = alpha_beta_index();
    let fixture = Fixture::pyproject(&pyproject(&["alpha==1.0.0", "beta==1.0.0"], GOOD_TOOL_UV));
    let lock = fixture.lock(&index);
    fixture.write("pyproject.toml", pyproject(&["alpha==1.0.0"], GOOD_TOOL_UV));
    let report = fixture.cordon().json();
    let f = report.one_for("lockfile-stale", "beta");
    f.assert_at(
        "uv.lock",
        line_of(&lock, "{ name = \"beta\", specifier = \"==1.0.0\" }"),
    );
    f.assert_message("no longer declared");
}

#[test]
fn lockfile_stale_fires_for_a_changed_specifier() {
    let index = alpha_beta_index();
    let fixture = Fixture::pyproject(&pyproject(&["alpha==1.0.0"], GOOD_TOOL_UV));
    fixture.lock(&index);
    fixture.edit("pyproject.toml", "\"alpha==1.0.0\"", "\"alpha==1.0.1\"");
    let report = fixture.cordon().json();
    let f = report.one_for("lockfile-stale", "alpha");
    f.assert_message(
        "`alpha==1.0.1` changed since `uv.lock` was written (locked from `alpha==1.0.0`)",
    );
}

#[test]
fn lockfile_stale_fires_when_exclude_newer_changed_after_locking() {
    let index = alpha_beta_index();
    let fixture = Fixture::pyproject(&pyproject(&["alpha==1.0.0"], GOOD_TOOL_UV));
    let lock = fixture.lock(&index);
    fixture.edit(
        "pyproject.toml",
        "exclude-newer = \"7 days\"",
        "exclude-newer = \"14 days\"",
    );
    let text = fixture.read("pyproject.toml");
    let report = fixture.cordon().json();
    let f = report.one("lockfile-stale");
    f.assert_at("uv.lock", line_of(&lock, "exclude-newer-span = \"P7D\""));
    f.assert_message("resolved with `P7D` but uv is configured with `P14D`");
    f.related().assert_at(
        "pyproject.toml",
        line_of(&text, "exclude-newer = \"14 days\""),
    );
}

#[test]
fn lockfile_stale_fires_for_a_tampered_exclude_newer_span() {
    let index = alpha_beta_index();
    let fixture = Fixture::pyproject(&pyproject(&["alpha==1.0.0"], GOOD_TOOL_UV));
    fixture.lock(&index);
    // Deliberate tampering with the uv-written lock: the recorded cooldown no longer matches the
    // configured one.
    fixture.edit(
        "uv.lock",
        "exclude-newer-span = \"P7D\"",
        "exclude-newer-span = \"P1D\"",
    );
    let lock = fixture.read("uv.lock");
    let report = fixture.cordon().json();
    let f = report.one("lockfile-stale");
    f.assert_at("uv.lock", line_of(&lock, "exclude-newer-span = "));
    f.assert_message("resolved with `P1D` but uv is configured with `P7D`");
}

#[test]
fn lockfile_stale_fires_when_a_cooldown_is_added_after_locking() {
    let index = alpha_beta_index();
    let no_cooldown = "[tool.uv]\nadd-bounds = \"exact\"\nrequired-version = \">=0.13.9,<0.14\"\n";
    let fixture = Fixture::pyproject(&pyproject(&["alpha==1.0.0"], no_cooldown));
    let lock = fixture.lock(&index);
    assert!(!lock.contains("[options]"), "{lock}");
    fixture.write("pyproject.toml", pyproject(&["alpha==1.0.0"], GOOD_TOOL_UV));
    let report = fixture.cordon().json();
    let f = report.one("lockfile-stale");
    f.assert_message("resolved with no cooldown but uv is configured with `P7D`");
}

// ---- lock-hash-missing ---------------------------------------------------------------------

#[test]
fn lock_hash_missing_quiet_for_a_uv_written_lock() {
    let index = alpha_beta_index();
    let fixture = Fixture::pyproject(&pyproject(&["alpha==1.0.0", "beta==1.0.0"], GOOD_TOOL_UV));
    let lock = fixture.lock(&index);
    assert_eq!(lock.matches("hash = \"sha256:").count(), 2, "{lock}");
    fixture.cordon().json().none("lock-hash-missing");
}

/// Removes the `hash = "...", ` of the artifact line mentioning `file` (tampering).
fn strip_hash(fixture: &Fixture, file: &str) {
    let lock = fixture.read("uv.lock");
    let line = lock
        .lines()
        .find(|l| l.contains(file) && l.contains("hash = "))
        .unwrap()
        .to_owned();
    // `, hash = "sha256:..."` sits between other keys or last in the inline table.
    let start = line.find(", hash = \"").unwrap();
    let value_start = start + ", hash = \"".len();
    let end = value_start + line[value_start..].find('"').unwrap() + 1;
    let tampered = format!("{}{}", &line[..start], &line[end..]);
    fixture.edit("uv.lock", &line, &tampered);
}

#[test]
fn lock_hash_missing_fires_for_a_registry_artifact_without_a_hash() {
    let index = alpha_beta_index();
    let fixture = Fixture::pyproject(&pyproject(&["alpha==1.0.0", "beta==1.0.0"], GOOD_TOOL_UV));
    fixture.lock(&index);
    // Deliberate tampering with the uv-written lock: the hash binding what gets installed is
    // deleted.
    strip_hash(&fixture, "alpha-1.0.0-py3-none-any.whl");
    let lock = fixture.read("uv.lock");
    let report = fixture.cordon().json();
    let f = report.one("lock-hash-missing");
    assert_eq!(f.severity, "high");
    assert_eq!(f.package.as_deref(), Some("alpha"));
    f.assert_at("uv.lock", line_of(&lock, "alpha-1.0.0-py3-none-any.whl"));
    f.assert_message("`alpha 1.0.0` has 1 artifact without a hash");
}

#[test]
fn lock_hash_missing_fires_for_a_url_artifact_without_a_hash() {
    let index = alpha_beta_index();
    let fixture = Fixture::pyproject(&pyproject(
        &["beta @ http://example.com/files/beta-1.0.0-py3-none-any.whl"],
        GOOD_TOOL_UV,
    ));
    fixture.lock(&index);
    // Deliberate tampering, as above, on a direct-URL package.
    strip_hash(&fixture, "beta-1.0.0-py3-none-any.whl");
    let lock = fixture.read("uv.lock");
    let report = fixture.cordon().json();
    let f = report.one_for("lock-hash-missing", "beta");
    f.assert_at(
        "uv.lock",
        line_of(&lock, "    { url = \"http://example.com/files/beta-1.0.0"),
    );
}

// ---- lock-source-untrusted -----------------------------------------------------------------

#[test]
fn lock_source_untrusted_quiet_when_everything_comes_from_the_default_index() {
    let index = alpha_beta_index();
    let fixture = Fixture::pyproject(&pyproject(&["alpha==1.0.0", "beta==1.0.0"], GOOD_TOOL_UV));
    fixture.lock(&index);
    fixture.cordon().json().none("lock-source-untrusted");
}

#[test]
fn lock_source_untrusted_fires_for_a_direct_url_source() {
    let index = alpha_beta_index();
    // Served by the harness at http://example.com/files/<wheel>; uv locks it with its hash.
    let fixture = Fixture::pyproject(&pyproject(
        &[
            "alpha==1.0.0",
            "beta @ http://example.com/files/beta-1.0.0-py3-none-any.whl",
        ],
        GOOD_TOOL_UV,
    ));
    let lock = fixture.lock(&index);
    let report = fixture.cordon().json();
    let f = report.one("lock-source-untrusted");
    assert_eq!(f.severity, "medium");
    assert_eq!(f.package.as_deref(), Some("beta"));
    f.assert_at("uv.lock", line_of(&lock, "source = { url = "));
    f.assert_message(
        "comes from the direct URL `http://example.com/files/beta-1.0.0-py3-none-any.whl`",
    );
    // uv hashed what it downloaded: no hash finding for the lock.
    report.none("lock-hash-missing");
}

/// A project taking `gamma` from a second, explicit index (the same harness addressed
/// directly, `http://127.0.0.1:PORT/simple`) and everything else from the default one.
fn second_registry(cordon_policy: &str) -> (Fixture, IndexServer, String) {
    let index = index_of(&[
        ("alpha", "1.0.0", OLD),
        ("beta", "1.0.0", OLD),
        ("gamma", "1.0.0", OLD),
    ]);
    let rest = format!(
        "{GOOD_TOOL_UV}\n[[tool.uv.index]]\nname = \"mirror\"\nurl = \"{}\"\nexplicit = true\n\n\
         [tool.uv.sources]\ngamma = {{ index = \"mirror\" }}\n{cordon_policy}",
        index.direct_url()
    );
    let fixture = Fixture::pyproject(&pyproject(
        &["alpha==1.0.0", "beta==1.0.0", "gamma==1.0.0"],
        &rest,
    ));
    let lock = fixture.lock(&index);
    (fixture, index, lock)
}

#[test]
fn lock_source_untrusted_quiet_for_a_configured_explicit_index() {
    let (fixture, index, lock) = second_registry("");
    assert!(
        lock.contains(&format!("registry = \"{}\"", index.direct_url())),
        "{lock}"
    );
    fixture.cordon().json().none("lock-source-untrusted");
}

#[test]
fn lock_source_untrusted_fires_for_a_registry_outside_allowed_indexes() {
    let (fixture, index, lock) =
        second_registry("\n[tool.cordon]\nallowed-indexes = [\"http://example.com/simple/\"]\n");
    let report = fixture.cordon().json();
    let f = report.one("lock-source-untrusted");
    assert_eq!(f.severity, "high");
    assert_eq!(f.package.as_deref(), Some("gamma"));
    f.assert_at(
        "uv.lock",
        line_of(
            &lock,
            &format!("source = {{ registry = \"{}\" }}", index.direct_url()),
        ),
    );
    f.assert_message("is not an allowed index");
}

#[test]
fn lock_source_untrusted_fires_for_a_registry_the_project_no_longer_configures() {
    let (fixture, index, lock) = second_registry("");
    // The index and its source are removed from the project; the lock still takes `gamma` from
    // it (the lock records requirements, not sources, so this is not "stale" statically).
    let text = pyproject(
        &["alpha==1.0.0", "beta==1.0.0", "gamma==1.0.0"],
        GOOD_TOOL_UV,
    );
    fixture.write("pyproject.toml", &text);
    let report = fixture.cordon().json();
    let f = report.one_for("lock-source-untrusted", "gamma");
    assert_eq!(f.severity, "high");
    f.assert_at(
        "uv.lock",
        line_of(
            &lock,
            &format!("source = {{ registry = \"{}\" }}", index.direct_url()),
        ),
    );
}

#[test]
fn lock_source_untrusted_is_low_for_a_path_outside_the_workspace() {
    let index = alpha_beta_index();
    let fixture = Fixture::pyproject(&pyproject(
        &["local"],
        &format!("{GOOD_TOOL_UV}\n[tool.uv.sources]\nlocal = {{ path = \"../local\" }}\n"),
    ));
    // A sibling project, not a workspace member (its metadata is static: uv builds nothing).
    fixture.write(
        "../local/pyproject.toml",
        "[project]\nname = \"local\"\nversion = \"0.1.0\"\ndependencies = [\"beta==1.0.0\"]\n\n\
         [build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n",
    );
    let lock = fixture.lock(&index);
    let report = fixture.cordon().json();
    let f = report.one("lock-source-untrusted");
    assert_eq!(f.severity, "low");
    assert_eq!(f.package.as_deref(), Some("local"));
    f.assert_at(
        "uv.lock",
        line_of(&lock, "source = { directory = \"../local\" }"),
    );
    f.assert_message("comes from the local path `../local`");
    // `beta`, its dependency, comes from the default index.
    report.none("lockfile-stale");
}

// ---- lockfile-stale with `--uv` ------------------------------------------------------------

/// `cordon check --uv --format json`, with uv (the pinned one, as `CORDON_UV`) seeing the same
/// index and cache as the `uv lock` that wrote the lock.
fn check_with_uv(fixture: &Fixture, index: &IndexServer) -> super::Report {
    let mut cordon = fixture.cordon().arg("--uv");
    for (key, value) in crate::harness::uv_env(index) {
        cordon = cordon.env(key, value.to_str().unwrap());
    }
    cordon
        .env("CORDON_UV", crate::harness::uv_path().to_str().unwrap())
        .json()
}

#[test]
fn lockfile_stale_with_uv_quiet_right_after_locking() {
    let index = alpha_beta_index();
    let fixture = Fixture::pyproject(&pyproject(&["alpha==1.0.0"], GOOD_TOOL_UV));
    fixture.lock(&index);
    check_with_uv(&fixture, &index).none("lockfile-stale");
}

#[test]
fn lockfile_stale_with_uv_reports_a_marker_change_the_static_check_cannot_see() {
    let index = alpha_beta_index();
    let fixture = Fixture::pyproject(&pyproject(&["alpha==1.0.0"], GOOD_TOOL_UV));
    fixture.lock(&index);
    fixture.edit(
        "pyproject.toml",
        "\"alpha==1.0.0\"",
        "\"alpha==1.0.0; sys_platform == 'win32'\"",
    );
    // Statically the requirement still matches (markers are not compared)...
    fixture.cordon().json().none("lockfile-stale");
    // ...uv's own check sees it.
    let report = check_with_uv(&fixture, &index);
    let f = report.one("lockfile-stale");
    f.assert_at("uv.lock", 1);
    f.assert_message(
        "`uv lock --check --offline` fails: error: The lockfile at `uv.lock` needs to be updated",
    );
}
