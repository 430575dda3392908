//! Requirements files: `requirements-unpinned`, `requirements-unhashed`,
//! `requirements-without-lock` and `unparsed-file`; discovery (root, `requirements/`,
//! constraints, includes), a directory holding only requirements files, inline ignores in a
//! requirements file, and a `uv export` of a real uv lock, which must be quiet for all three.

use super::{Fixture, GOOD_TOOL_UV, OLD, Report, index_of, line_of, pyproject};
use crate::harness::uv_command;

/// A full commit hash (40 hex digits).
const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";
/// Well-formed sha256 digests (the content is never fetched).
const SHA_A: &str = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const SHA_B: &str = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

const REQUIREMENTS_IDS: [&str; 4] = [
    "requirements-unpinned",
    "requirements-unhashed",
    "requirements-without-lock",
    "unparsed-file",
];

/// A project of only `requirements.txt` holding `text`.
fn requirements_only(text: &str) -> Fixture {
    Fixture::new(&[("requirements.txt", text)])
}

/// A locked uv project (`alpha==1.0.0`) with `files` beside it.
fn locked_with(files: &[(&str, &str)]) -> Fixture {
    let index = index_of(&[("alpha", "1.0.0", OLD)]);
    let fixture = Fixture::pyproject(&pyproject(&["alpha==1.0.0"], GOOD_TOOL_UV));
    fixture.lock(&index);
    for (path, text) in files {
        fixture.write(path, text);
    }
    fixture
}

fn assert_quiet(report: &Report) {
    for id in REQUIREMENTS_IDS {
        report.none(id);
    }
}

// ---- discovery -----------------------------------------------------------------------------

#[test]
fn a_directory_with_only_requirements_files_is_a_project() {
    let text = "alpha==1.0.0\n";
    let report = requirements_only(text).cordon().json();
    let f = report.one("requirements-without-lock");
    f.assert_at("requirements.txt", 1);
    assert_eq!(f.severity, "medium");
}

#[test]
fn requirements_files_are_found_at_the_root_in_requirements_dir_and_through_includes() {
    let fixture = Fixture::new(&[
        ("requirements.txt", "-r shared/base.txt\nalpha>=1\n"),
        ("dev-requirements.txt", "beta>=1\n"),
        ("requirements/test.txt", "gamma>=1\n"),
        ("shared/base.txt", "delta>=1\n"),
        // Not a requirements file by name, and not included: not read.
        ("notes.txt", "epsilon>=1\n"),
        ("docs/requirements.txt", "zeta>=1\n"),
    ]);
    let report = fixture.cordon().json();
    let mut got: Vec<(String, String)> = report
        .all("requirements-unpinned")
        .iter()
        .map(|f| (f.path.clone().unwrap(), f.package.clone().unwrap()))
        .collect();
    got.sort();
    let want = [
        ("dev-requirements.txt", "beta"),
        ("requirements.txt", "alpha"),
        ("requirements/test.txt", "gamma"),
        ("shared/base.txt", "delta"),
    ];
    assert_eq!(
        got,
        want.map(|(p, n)| (p.to_owned(), n.to_owned())),
        "{report}"
    );
}

// ---- requirements-unpinned -----------------------------------------------------------------

#[test]
fn requirements_unpinned_fires_for_a_range_and_a_bare_name() {
    let text = format!("alpha>=1.0\nbeta\ngamma==1.0 --hash={SHA_A}\n");
    let report = requirements_only(&text).cordon().json();
    assert_eq!(report.all("requirements-unpinned").len(), 2, "{report}");
    let alpha = report.one_for("requirements-unpinned", "alpha");
    assert_eq!(alpha.severity, "medium");
    alpha.assert_at("requirements.txt", 1);
    alpha.assert_message("`alpha` allows a range (`>=1.0`)");
    assert!(alpha.help.contains("alpha==<version>"), "{}", alpha.help);
    let beta = report.one_for("requirements-unpinned", "beta");
    beta.assert_at("requirements.txt", 2);
    beta.assert_message("`beta` has no version constraint");
}

#[test]
fn requirements_unpinned_fires_for_vcs_lines_not_on_a_commit() {
    let text = "-e git+https://example.com/org/tool.git@main#egg=tool\n\
                git+https://example.com/org/lib.git#egg=lib\n\
                other @ git+https://example.com/org/other.git@v1.0\n";
    let report = requirements_only(text).cordon().json();
    let tool = report.one_for("requirements-unpinned", "tool");
    tool.assert_at("requirements.txt", 1);
    tool.assert_message("`tool` is installed from git `https://example.com/org/tool.git` at `@main`, not at a commit");
    report
        .one_for("requirements-unpinned", "lib")
        .assert_message("at the default branch");
    report
        .one_for("requirements-unpinned", "other")
        .assert_message("at `@v1.0`");
}

#[test]
fn requirements_unpinned_fires_for_an_include_from_a_url() {
    let text = "-r https://example.com/shared/requirements.txt\nalpha==1.0\n";
    let report = requirements_only(text).cordon().json();
    let f = report.one("requirements-unpinned");
    f.assert_at("requirements.txt", 1);
    f.assert_message("installs whatever that URL serves");
}

#[test]
fn requirements_unpinned_quiet_for_pins_commits_paths_and_constraints() {
    let text = format!(
        "alpha==1.0.0\nbeta===2.0\ngamma[fast]==3.0 ; python_version >= '3.11'\n\
         -e .\n./vendor/delta-1.0-py3-none-any.whl\n\
         https://example.com/epsilon-1.0.tar.gz#sha256=00\n\
         -e git+https://example.com/org/tool.git@{COMMIT}#egg=tool\n\
         -c constraints.txt\nzeta\n"
    );
    let fixture = Fixture::new(&[
        ("requirements.txt", &text),
        // A constraints file's ranges cap; they are not installs of their own.
        ("constraints.txt", "zeta==1.0\neta<2\n"),
    ]);
    let report = fixture.cordon().json();
    report.none("requirements-unpinned");
    report.none("unparsed-file");
}

// ---- requirements-unhashed -----------------------------------------------------------------

#[test]
fn requirements_unhashed_fires_once_for_a_file_without_any_hash() {
    let text = "alpha==1.0.0\nbeta==2.0.0\n-e .\n";
    let report = requirements_only(text).cordon().json();
    let f = report.one("requirements-unhashed");
    assert_eq!(f.severity, "medium");
    f.assert_at("requirements.txt", 1);
    f.assert_message("`requirements.txt` installs 2 packages without hashes");
    assert!(
        f.help.contains("uv export --format requirements-txt"),
        "{}",
        f.help
    );
}

#[test]
fn requirements_unhashed_fires_on_each_unhashed_line_of_a_partly_hashed_file() {
    let text = format!(
        "alpha==1.0.0 \\\n    --hash={SHA_A} \\\n    --hash={SHA_B}\nbeta==2.0.0\n\
         gamma==3.0.0 --hash={SHA_A}\nhttps://example.com/delta-1.0.tar.gz\n\
         https://example.com/eta-1.0.tar.gz#sha256=00ff\n-e ./local\n"
    );
    let report = requirements_only(&text).cordon().json();
    assert_eq!(report.all("requirements-unhashed").len(), 2, "{report}");
    let beta = report.one_for("requirements-unhashed", "beta");
    beta.assert_at("requirements.txt", line_of(&text, "beta=="));
    beta.assert_message("pip refuses the whole install");
    report
        .one_for("requirements-unhashed", "delta")
        .assert_at("requirements.txt", line_of(&text, "delta-1.0"));
}

#[test]
fn requirements_unhashed_fires_per_line_under_require_hashes() {
    let text = "--require-hashes\nalpha==1.0.0\n";
    let report = requirements_only(text).cordon().json();
    let f = report.one_for("requirements-unhashed", "alpha");
    f.assert_at("requirements.txt", 2);
}

#[test]
fn requirements_unhashed_fires_in_an_included_file_of_a_hashed_install() {
    // pip's hash-checking mode covers the whole install, included files too.
    let fixture = Fixture::new(&[
        (
            "requirements.txt",
            &format!("-r requirements/base.txt\nalpha==1.0.0 --hash={SHA_A}\n"),
        ),
        ("requirements/base.txt", "beta==2.0.0\n"),
    ]);
    let report = fixture.cordon().json();
    report
        .one_for("requirements-unhashed", "beta")
        .assert_at("requirements/base.txt", 1);
}

#[test]
fn requirements_unhashed_quiet_for_a_fully_hashed_file_and_hashed_constraints() {
    let text = format!(
        "--require-hashes\nalpha==1.0.0 --hash={SHA_A}\n-c constraints.txt\nbeta\n\
         git+https://example.com/org/lib.git@{COMMIT}#egg=lib\n./vendor/gamma-1.0-py3-none-any.whl\n"
    );
    let fixture = Fixture::new(&[
        ("requirements.txt", &text),
        ("constraints.txt", &format!("beta==2.0 --hash={SHA_B}\n")),
    ]);
    let report = fixture.cordon().json();
    report.none("requirements-unhashed");
    report.none("requirements-unpinned");
}

// ---- requirements-without-lock -------------------------------------------------------------

#[test]
fn requirements_without_lock_fires_once_for_a_project_of_requirements_files() {
    let fixture = Fixture::new(&[
        ("requirements/dev.txt", "pytest==8.0\n"),
        ("requirements.txt", "# the app\nalpha==1.0.0\n"),
    ]);
    let report = fixture.cordon().json();
    let f = report.one("requirements-without-lock");
    // At the main file's first requirement.
    f.assert_at("requirements.txt", 2);
    f.assert_message("managed by requirements files (`requirements.txt` and 1 more) alone");
    assert!(f.help.contains("cordon init --migrate"), "{}", f.help);
}

#[test]
fn requirements_without_lock_fires_beside_a_pyproject_without_a_lock() {
    let fixture = Fixture::new(&[
        ("pyproject.toml", &pyproject(&[], GOOD_TOOL_UV)),
        ("requirements.txt", "alpha==1.0.0\n"),
    ]);
    let report = fixture.cordon().json();
    report
        .one("requirements-without-lock")
        .assert_message("`pyproject.toml` has no `uv.lock`");
}

#[test]
fn requirements_without_lock_is_low_for_a_hand_kept_file_beside_a_uv_lock() {
    let fixture = locked_with(&[("requirements-dev.txt", "pytest==8.0\n")]);
    let report = fixture.cordon().json();
    let f = report.one("requirements-without-lock");
    assert_eq!(f.severity, "low");
    f.assert_at("requirements-dev.txt", 1);
    f.assert_message("lists dependencies outside `uv.lock`");
}

#[test]
fn requirements_without_lock_quiet_without_requirements_files() {
    let fixture = locked_with(&[("constraints.txt", "alpha<2\n")]);
    let report = fixture.cordon().json();
    report.none("requirements-without-lock");
    report.none("requirements-unhashed");
}

// ---- a real `uv export` --------------------------------------------------------------------

/// A locked project whose `requirements.txt` is written by the real uv from its lock.
fn exported() -> (Fixture, String) {
    export_of(&pyproject(&["alpha==1.0.0", "beta==2.0.0"], GOOD_TOOL_UV))
}

/// `uv export` (the real uv) of the project `pyproject_toml`, locked against an index of
/// `alpha` and `beta`, written to `requirements.txt`.
fn export_of(pyproject_toml: &str) -> (Fixture, String) {
    let index = index_of(&[("alpha", "1.0.0", OLD), ("beta", "2.0.0", OLD)]);
    let fixture = Fixture::pyproject(pyproject_toml);
    fixture.lock(&index);
    let output = uv_command(&fixture.root(), &index)
        .args([
            "export",
            "--format",
            "requirements-txt",
            "--frozen",
            "--output-file",
            "requirements.txt",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "uv export failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = fixture.read("requirements.txt");
    (fixture, text)
}

#[test]
fn a_uv_export_beside_its_lock_is_quiet() {
    let (fixture, text) = exported();
    // What makes it quiet: uv's header, exact pins and a hash on every requirement.
    assert!(
        text.starts_with(
            "# This file was autogenerated by uv via the following command:\n#    uv export"
        ),
        "{text}"
    );
    assert!(text.contains("alpha==1.0.0"), "{text}");
    assert!(text.contains("--hash=sha256:"), "{text}");
    let report = fixture.cordon().json();
    assert_quiet(&report);
}

#[test]
fn a_uv_export_of_a_packaged_project_with_its_editable_root_is_quiet() {
    let (fixture, text) = export_of(&pyproject(
        &["alpha==1.0.0"],
        &format!(
            "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n{GOOD_TOOL_UV}"
        ),
    ));
    // uv exports the project itself as `-e .`, which has nothing to hash or pin.
    assert!(text.lines().any(|l| l == "-e ."), "{text}");
    let report = fixture.cordon().json();
    assert_quiet(&report);
}

#[test]
fn a_uv_export_without_its_lock_points_at_the_missing_lock() {
    let (fixture, text) = exported();
    std::fs::remove_file(fixture.root().join("uv.lock")).unwrap();
    std::fs::remove_file(fixture.root().join("pyproject.toml")).unwrap();
    let report = fixture.cordon().json();
    let f = report.one("requirements-without-lock");
    f.assert_at("requirements.txt", line_of(&text, "alpha=="));
    assert!(
        f.help
            .contains("was exported from a `uv.lock` that is not here"),
        "{}",
        f.help
    );
    // Still exact and hashed.
    report.none("requirements-unpinned");
    report.none("requirements-unhashed");
}

#[test]
fn a_uv_export_with_a_hand_edit_fires_on_the_edit() {
    let (fixture, _) = exported();
    fixture.edit("requirements.txt", "alpha==1.0.0", "alpha>=1.0");
    let mut text = fixture.read("requirements.txt");
    text.push_str("gamma==1.0\n");
    fixture.write("requirements.txt", &text);
    let report = fixture.cordon().json();
    report
        .one_for("requirements-unpinned", "alpha")
        .assert_at("requirements.txt", line_of(&text, "alpha>=1.0"));
    // The export's other lines are hashed, so pip would refuse the added unhashed one.
    report
        .one_for("requirements-unhashed", "gamma")
        .assert_at("requirements.txt", line_of(&text, "gamma=="));
    report.none("requirements-without-lock");
}

// ---- unparsed-file -------------------------------------------------------------------------

#[test]
fn unparsed_file_reports_unknown_options_and_bad_lines_and_the_rest_is_checked() {
    let text =
        "--frobnicate\nalpha>=1\nfoo >>> 1\nbeta==1.0 --index-url https://example.com/simple\n";
    let report = requirements_only(text).cordon().json();
    let found = report.all("unparsed-file");
    assert_eq!(found.len(), 3, "{report}");
    found[0].assert_at("requirements.txt", 1);
    found[0].assert_message("cordon does not know the option `--frobnicate`");
    assert_eq!(found[0].severity, "low");
    assert_eq!(
        report.json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == "unparsed-file")
            .unwrap()["confidence"],
        "low"
    );
    found[1].assert_at("requirements.txt", 3);
    found[2].assert_at("requirements.txt", 4);
    found[2].assert_message("cannot follow a requirement");
    // The readable lines are still judged.
    report
        .one_for("requirements-unpinned", "alpha")
        .assert_at("requirements.txt", 2);
}

#[test]
fn unparsed_file_reports_a_missing_include_and_a_cycle() {
    let fixture = Fixture::new(&[
        (
            "requirements.txt",
            "-r requirements/dev.txt\n-c missing-constraints.txt\nalpha==1.0\n",
        ),
        ("requirements/dev.txt", "-r ../requirements.txt\nbeta>=1\n"),
    ]);
    let report = fixture.cordon().json();
    let found = report.all("unparsed-file");
    assert_eq!(found.len(), 2, "{report}");
    let missing = found
        .iter()
        .find(|f| f.message.contains("does not exist"))
        .unwrap();
    missing.assert_at("requirements.txt", 2);
    missing.assert_message("`-c missing-constraints.txt`");
    let cycle = found.iter().find(|f| f.message.contains("cycle")).unwrap();
    cycle.assert_at("requirements/dev.txt", 1);
    cycle.assert_message("requirements.txt → dev.txt → requirements.txt");
    // Each file is read once and still checked.
    report
        .one_for("requirements-unpinned", "beta")
        .assert_at("requirements/dev.txt", 2);
}

// ---- inline ignores ------------------------------------------------------------------------

#[test]
fn inline_ignores_work_in_requirements_files() {
    let text = "alpha>=1.0  # cordon: ignore[requirements-unpinned] tracked upstream, see ticket 12\n\
                # cordon: ignore[requirements-unpinned] the test runner floats on purpose\n\
                beta\n\
                gamma>=2\n\
                https://example.com/x.whl#sha256=00 # cordon: ignore[requirements-unpinned] stale\n";
    let report = requirements_only(text).cordon().json();
    let unpinned = report.one("requirements-unpinned");
    assert_eq!(unpinned.package.as_deref(), Some("gamma"));
    // The ignore after a URL fragment is found, and reported as matching nothing.
    let unused = report.one("unused-ignore");
    unused.assert_at("requirements.txt", 5);
    unused.assert_message("the inline ignore for `requirements-unpinned` matches no finding");
}

#[test]
fn an_inline_ignore_accepts_the_whole_file_finding_at_its_first_requirement() {
    let text = "# cordon: ignore[requirements-unhashed, requirements-without-lock] a throwaway tool env\nalpha==1.0\n";
    let report = requirements_only(text).cordon().json();
    assert_quiet(&report);
    report.none("unused-ignore");
}
