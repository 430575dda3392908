//! The pinning family: `dependency-not-exact`, `git-dependency-unpinned`,
//! `url-dependency-unhashed`; and a uv workspace checked from one of its members.

use super::{Fixture, GOOD_TOOL_UV, OLD, index_of, line_of, pyproject};

/// A full commit hash (40 hex digits).
const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

// ---- dependency-not-exact ------------------------------------------------------------------

#[test]
fn dependency_not_exact_fires_for_a_range() {
    let text = pyproject(&["alpha>=1.0", "beta==1.0.0"], GOOD_TOOL_UV);
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("dependency-not-exact");
    assert_eq!(f.severity, "medium");
    assert_eq!(f.package.as_deref(), Some("alpha"));
    f.assert_at("pyproject.toml", line_of(&text, "\"alpha>=1.0\""));
    f.assert_message("`alpha` in `[project] dependencies` allows a range (`>=1.0`)");
    assert_eq!(f.help, "pin it exactly: `alpha==<version>`");
}

#[test]
fn dependency_not_exact_names_the_locked_version() {
    let index = index_of(&[("alpha", "1.0.0", OLD)]);
    let text = pyproject(&["alpha>=1.0"], GOOD_TOOL_UV);
    let fixture = Fixture::pyproject(&text);
    fixture.lock(&index);
    let report = fixture.cordon().json();
    let f = report.one_for("dependency-not-exact", "alpha");
    assert_eq!(f.package_version.as_deref(), Some("1.0.0"));
    assert_eq!(f.help, "pin it to the locked version: `alpha==1.0.0`");
}

#[test]
fn dependency_not_exact_fires_in_groups_and_extras() {
    let text = pyproject(
        &["alpha==1.0.0"],
        &format!(
            "[project.optional-dependencies]\nfast = [\"gamma~=1.0\"]\n\n\
             [dependency-groups]\ndev = [\"beta\"]\n\n{GOOD_TOOL_UV}"
        ),
    );
    let report = Fixture::pyproject(&text).cordon().json();
    assert_eq!(report.all("dependency-not-exact").len(), 2, "{report}");
    let beta = report.one_for("dependency-not-exact", "beta");
    beta.assert_at("pyproject.toml", line_of(&text, "dev = "));
    beta.assert_message("has no version constraint");
    let gamma = report.one_for("dependency-not-exact", "gamma");
    gamma.assert_at("pyproject.toml", line_of(&text, "fast = "));
    gamma.assert_message("allows a range (`~=1.0`)");
}

#[test]
fn dependency_not_exact_quiet_for_exact_pins() {
    let text = pyproject(
        &[
            "alpha==1.0.0",
            "beta===1.0.0",
            "gamma[fast]==2.0; python_version >= '3.11'",
        ],
        GOOD_TOOL_UV,
    );
    let report = Fixture::pyproject(&text).cordon().json();
    report.none("dependency-not-exact");
}

#[test]
fn dependency_not_exact_quiet_for_git_and_path_sources() {
    let text = pyproject(
        &["lib", "local"],
        &format!(
            "{GOOD_TOOL_UV}\n[tool.uv.sources]\n\
             lib = {{ git = \"https://example.com/lib.git\", rev = \"{COMMIT}\" }}\n\
             local = {{ path = \"../local\" }}\n"
        ),
    );
    let report = Fixture::pyproject(&text).cordon().json();
    report.none("dependency-not-exact");
    report.none("git-dependency-unpinned");
}

// ---- git-dependency-unpinned ---------------------------------------------------------------
// No locking here: a git source would make uv clone, and tests never touch the network.

/// A project depending on `lib` with `source` as its `[tool.uv.sources]` entry.
fn git_source(source: &str) -> String {
    pyproject(
        &["lib"],
        &format!("{GOOD_TOOL_UV}\n[tool.uv.sources]\nlib = {source}\n"),
    )
}

#[test]
fn git_dependency_unpinned_fires_for_a_branch() {
    let text = git_source("{ git = \"https://example.com/lib.git\", branch = \"main\" }");
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("git-dependency-unpinned");
    assert_eq!(f.severity, "medium");
    assert_eq!(f.package.as_deref(), Some("lib"));
    f.assert_at("pyproject.toml", line_of(&text, "lib = { git"));
    f.assert_message("the git dependency `lib` follows the branch `main`, not a commit");
}

#[test]
fn git_dependency_unpinned_fires_for_a_tag() {
    let text = git_source("{ git = \"https://example.com/lib.git\", tag = \"v1.0\" }");
    let report = Fixture::pyproject(&text).cordon().json();
    report
        .one("git-dependency-unpinned")
        .assert_message("the tag `v1.0`");
}

#[test]
fn git_dependency_unpinned_fires_for_a_short_hash() {
    let text = git_source("{ git = \"https://example.com/lib.git\", rev = \"0123abc\" }");
    let report = Fixture::pyproject(&text).cordon().json();
    report
        .one("git-dependency-unpinned")
        .assert_message("the revision `0123abc`");
}

#[test]
fn git_dependency_unpinned_fires_without_any_reference() {
    let text = git_source("{ git = \"https://example.com/lib.git\" }");
    let report = Fixture::pyproject(&text).cordon().json();
    report
        .one("git-dependency-unpinned")
        .assert_message("the default branch");
}

#[test]
fn git_dependency_unpinned_quiet_for_a_full_commit() {
    let text = git_source(&format!(
        "{{ git = \"https://example.com/lib.git\", rev = \"{COMMIT}\" }}"
    ));
    let report = Fixture::pyproject(&text).cordon().json();
    report.none("git-dependency-unpinned");
}

#[test]
fn git_dependency_unpinned_fires_for_a_direct_git_url_on_a_branch() {
    let text = pyproject(
        &["lib @ git+https://example.com/lib.git@main"],
        GOOD_TOOL_UV,
    );
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("git-dependency-unpinned");
    assert_eq!(f.package.as_deref(), Some("lib"));
    f.assert_at("pyproject.toml", line_of(&text, "lib @ git+"));
    f.assert_message("`@main`");
}

#[test]
fn git_dependency_unpinned_quiet_for_a_direct_git_url_at_a_full_commit() {
    let text = pyproject(
        &[&format!("lib @ git+https://example.com/lib.git@{COMMIT}")],
        GOOD_TOOL_UV,
    );
    let report = Fixture::pyproject(&text).cordon().json();
    report.none("git-dependency-unpinned");
    report.none("dependency-not-exact");
}

// ---- url-dependency-unhashed ---------------------------------------------------------------

const BETA_URL: &str = "http://example.com/files/beta-1.0.0-py3-none-any.whl";

#[test]
fn url_dependency_unhashed_fires_for_a_direct_url_without_a_hash() {
    let requirement = format!("beta @ {BETA_URL}");
    let text = pyproject(&[&requirement], GOOD_TOOL_UV);
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("url-dependency-unhashed");
    assert_eq!(f.severity, "medium");
    assert_eq!(f.package.as_deref(), Some("beta"));
    f.assert_at("pyproject.toml", line_of(&text, "beta @ "));
    f.assert_message(&format!("`beta` is fetched from `{BETA_URL}` with no hash"));
    report.none("dependency-not-exact");
}

#[test]
fn url_dependency_unhashed_fires_for_a_url_source_without_a_hash() {
    let text = pyproject(
        &["beta"],
        &format!("{GOOD_TOOL_UV}\n[tool.uv.sources]\nbeta = {{ url = \"{BETA_URL}\" }}\n"),
    );
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("url-dependency-unhashed");
    f.assert_at("pyproject.toml", line_of(&text, "beta = { url"));
    report.none("dependency-not-exact");
}

#[test]
fn url_dependency_unhashed_quiet_with_a_sha256_fragment() {
    let requirement = format!("beta @ {BETA_URL}#sha256={}", "ab".repeat(32));
    let text = pyproject(&[&requirement], GOOD_TOOL_UV);
    let report = Fixture::pyproject(&text).cordon().json();
    report.none("url-dependency-unhashed");
}

// ---- a uv workspace ------------------------------------------------------------------------

const MEMBER: &str = "[project]\nname = \"app\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n\
                      dependencies = [\n    \"alpha>=1.0\",\n]\n\n\
                      [build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n";

/// A workspace root (with a short cooldown) depending on its one member, which has a floating
/// dependency; locked.
fn workspace() -> (Fixture, String) {
    let root = "[project]\nname = \"root\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n\
                dependencies = [\"app\"]\n\n\
                [tool.uv.workspace]\nmembers = [\"packages/*\"]\n\n\
                [tool.uv.sources]\napp = { workspace = true }\n\n\
                [tool.uv]\nexclude-newer = \"2 days\"\nadd-bounds = \"exact\"\n\
                required-version = \">=0.13.9,<0.14\"\n";
    let fixture = Fixture::new(&[
        ("pyproject.toml", root),
        ("packages/app/pyproject.toml", MEMBER),
    ]);
    let index = index_of(&[("alpha", "1.0.0", OLD)]);
    fixture.lock(&index);
    (fixture, root.to_owned())
}

#[test]
fn workspace_member_is_checked_with_the_root_config_and_member_relative_paths() {
    let (fixture, root) = workspace();
    let report = fixture.cordon().at("packages/app").json();
    // The member's floating dependency, at a path relative to the workspace root.
    let f = report.one_for("dependency-not-exact", "alpha");
    f.assert_at(
        "packages/app/pyproject.toml",
        line_of(MEMBER, "\"alpha>=1.0\""),
    );
    assert_eq!(f.help, "pin it to the locked version: `alpha==1.0.0`");
    // The root's dependency on its member is a workspace source, not a floating pin.
    assert_eq!(report.all("dependency-not-exact").len(), 1, "{report}");
    // The root's configuration applies: its short cooldown, and no "missing" findings.
    report
        .one("cooldown-too-short")
        .assert_at("pyproject.toml", line_of(&root, "exclude-newer"));
    report.none("cooldown-missing");
    report.none("bounds-not-exact");
    report.none("lockfile-missing");
    report.none("lockfile-stale");
    report.none("lock-source-untrusted");
}

#[test]
fn workspace_root_and_member_give_the_same_report() {
    let (fixture, _) = workspace();
    let from_member = fixture.cordon().at("packages/app").json();
    let from_root = fixture.cordon().json();
    assert_eq!(from_member.json, from_root.json);
}
