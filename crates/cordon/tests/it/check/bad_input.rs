//! Bad input: exit code 2 with a message naming the file (and line where there is one), never a
//! panic (the shared runner asserts stderr has no "panicked") and never a report on stdout.

use super::{Fixture, GOOD_TOOL_UV, OLD, Run, index_of, pyproject};

/// Asserts exit 2, nothing on stdout, and that stderr contains every one of `parts`.
fn assert_error(run: &Run, parts: &[&str]) {
    let stderr = run.expect_error();
    assert!(
        run.stdout.is_empty(),
        "bad input must not produce a report:\n{}",
        run.stdout
    );
    assert!(stderr.starts_with("error: "), "{stderr}");
    for part in parts {
        assert!(stderr.contains(part), "stderr lacks {part:?}:\n{stderr}");
    }
}

/// A locked one-package project, for tests that then damage its uv-written lock.
fn locked() -> Fixture {
    let index = index_of(&[("alpha", "1.0.0", OLD)]);
    let fixture = Fixture::pyproject(&pyproject(&["alpha==1.0.0"], GOOD_TOOL_UV));
    fixture.lock(&index);
    fixture
}

#[test]
fn malformed_pyproject_names_the_file_and_line() {
    let text = "[project]\nname = \"demo\"\nversion = \"0.1.0\"\ndependencies = [\n    \"alpha==1.0.0\"\n\n[tool.uv]\n";
    let run = Fixture::pyproject(text).cordon().output();
    assert_error(&run, &["pyproject.toml:7:"]);
}

#[test]
fn malformed_pyproject_with_an_unterminated_string() {
    let text = "[project]\nname = \"demo\nversion = \"0.1.0\"\n";
    let run = Fixture::pyproject(text).cordon().output();
    assert_error(&run, &["pyproject.toml:2:"]);
}

#[test]
fn truncated_lock_is_an_error_naming_uv_lock() {
    let fixture = locked();
    // Damage to the uv-written lock: cut off mid-way through an inline table.
    let lock = fixture.read("uv.lock");
    let cut = lock.find("hash = \"sha256:").unwrap() + 20;
    fixture.write("uv.lock", &lock[..cut]);
    let run = fixture.cordon().output();
    assert_error(&run, &["invalid TOML", "uv.lock:"]);
}

#[test]
fn foreign_toml_as_lock_is_an_error() {
    let fixture = Fixture::new(&[
        (
            "pyproject.toml",
            &pyproject(&["alpha==1.0.0"], GOOD_TOOL_UV),
        ),
        // Not something uv wrote: a TOML file with no `version`.
        ("uv.lock", "[tool.poetry]\nname = \"demo\"\n"),
    ]);
    let run = fixture.cordon().output();
    assert_error(&run, &["not a uv lockfile: no `version` key", "uv.lock"]);
}

#[test]
fn lock_version_two_is_an_error_with_a_clear_message() {
    let fixture = locked();
    // Tampering with the uv-written lock: a major format version cordon does not know.
    fixture.edit("uv.lock", "version = 1\n", "version = 2\n");
    let run = fixture.cordon().output();
    assert_error(
        &run,
        &[
            "unsupported uv.lock version `2`; cordon understands version 1",
            "uv.lock:1:",
        ],
    );
}

#[test]
fn lock_from_a_newer_revision_is_still_checked() {
    let fixture = locked();
    let lock = fixture.read("uv.lock");
    let revision = lock
        .lines()
        .find(|l| l.starts_with("revision = "))
        .unwrap()
        .to_owned();
    // Tampering with the uv-written lock: a future minor revision, which stays readable.
    fixture.edit("uv.lock", &format!("{revision}\n"), "revision = 99\n");
    let report = fixture.cordon().json();
    assert_eq!(report.code, 0, "{report}\n{}", report.stderr);
    assert!(report.findings.is_empty(), "{report}");
    // ...with a warning that fields of the newer revision are not read.
    assert!(
        report.stderr.starts_with("warning: uv.lock: ") && report.stderr.contains("99"),
        "{}",
        report.stderr
    );
}

#[test]
fn non_utf8_pyproject_is_an_error() {
    let fixture = Fixture::new(&[]);
    fixture.write(
        "pyproject.toml",
        b"[project]\nname = \"d\xffmo\"\nversion = \"0.1.0\"\n".as_slice(),
    );
    let run = fixture.cordon().output();
    assert_error(&run, &["not valid UTF-8", "pyproject.toml:2"]);
}

#[test]
fn directory_without_a_project_is_an_error() {
    let fixture = Fixture::new(&[("README.md", "not a project\n")]);
    let run = fixture.cordon().output();
    assert_error(&run, &["no Python project found"]);
    assert!(run.stderr.contains("help: "), "{}", run.stderr);
}

#[test]
fn missing_path_is_an_error() {
    let fixture = Fixture::new(&[]);
    let run = fixture.cordon().at("does-not-exist").output();
    assert_error(&run, &["does-not-exist"]);
}

#[test]
fn invalid_pep508_requirement_names_the_file_and_line() {
    let text = pyproject(&["alpha==1.0.0", "beta >>> 1.0"], GOOD_TOOL_UV);
    let run = Fixture::pyproject(&text).cordon().output();
    let line = super::line_of(&text, "beta >>> 1.0");
    assert_error(
        &run,
        &[
            "invalid requirement `beta >>> 1.0`",
            &format!("pyproject.toml:{line}:5"),
        ],
    );
}

#[test]
fn invalid_now_is_a_usage_error() {
    let run = Fixture::pyproject(&pyproject(&[], GOOD_TOOL_UV))
        .cordon()
        .now("last tuesday")
        .output();
    assert_error(&run, &["invalid --now `last tuesday`"]);
}

#[test]
fn malformed_user_uv_toml_is_an_error() {
    let fixture = Fixture::pyproject(&pyproject(&[], GOOD_TOOL_UV));
    fixture.user_uv_toml("exclude-newer = \n");
    let run = fixture.cordon().output();
    assert_error(&run, &["uv.toml:1:"]);
}
