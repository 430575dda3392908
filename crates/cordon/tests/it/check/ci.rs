//! CI and container files: `ci-sync-not-locked`, `ci-pip-install-unhashed`, `ci-uv-unpinned`,
//! `ci-cooldown-override` and `ci-install-unparsed` in GitHub workflows, composite actions,
//! GitLab CI and Dockerfiles — each at the exact line inside the YAML block or the Dockerfile
//! continuation — plus commands that only look like installs, the environment in effect at
//! every level, `unparsed-file` for CI files cordon cannot read, and inline ignores there.
//!
//! None of these projects has dependencies, so none needs a lock.

use std::fmt::Write as _;

use serde_json::Value;

use super::{Finding, Fixture, GOOD_TOOL_UV, Report, line_of, pyproject};

const WORKFLOW: &str = ".github/workflows/ci.yml";

const CI_IDS: [&str; 5] = [
    "ci-sync-not-locked",
    "ci-pip-install-unhashed",
    "ci-uv-unpinned",
    "ci-cooldown-override",
    "ci-install-unparsed",
];

/// Well-formed sha256 digests (the content is never fetched).
const SHA_A: &str = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const SHA_B: &str = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

/// A project every non-CI check accepts (uv pinned by `required-version`), with `files` beside
/// its `pyproject.toml`.
fn project(files: &[(&str, &str)]) -> Fixture {
    with_manifest(&pyproject(&[], GOOD_TOOL_UV), files)
}

/// The same project without `required-version`: nothing pins uv but CI itself.
fn project_without_uv_pin(files: &[(&str, &str)]) -> Fixture {
    let tool_uv = GOOD_TOOL_UV.replace("required-version = \">=0.13.9,<0.14\"\n", "");
    assert_ne!(tool_uv, GOOD_TOOL_UV);
    with_manifest(&pyproject(&[], &tool_uv), files)
}

fn with_manifest(manifest: &str, files: &[(&str, &str)]) -> Fixture {
    let mut all = vec![("pyproject.toml", manifest)];
    all.extend_from_slice(files);
    Fixture::new(&all)
}

/// Checks a good project holding one more file, `path`, with `text`.
fn check(path: &str, text: &str) -> Report {
    project(&[(path, text)]).cordon().json()
}

/// A workflow with one job, `test`, whose steps are `steps` (written at six spaces).
fn workflow(steps: &str) -> String {
    format!(
        "name: ci\non: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n{steps}"
    )
}

/// The one finding of `id` at `path`:`line`; panics (listing every finding) otherwise.
fn at<'r>(report: &'r Report, id: &str, path: &str, line: u64) -> &'r Finding {
    let found: Vec<&Finding> = report
        .all(id)
        .into_iter()
        .filter(|f| f.path.as_deref() == Some(path) && f.line == Some(line))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one `{id}` finding at {path}:{line}; all findings:\n{report}"
    );
    found[0]
}

/// The `confidence` the JSON report gives `finding`.
fn confidence(report: &Report, finding: &Finding) -> String {
    let hits: Vec<&Value> = report.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["id"] == finding.id.as_str()
                && f["message"] == finding.message.as_str()
                && f["location"]["path"].as_str() == finding.path.as_deref()
                && f["location"]["line"].as_u64() == finding.line
        })
        .collect();
    assert_eq!(hits.len(), 1, "{finding:#?}");
    hits[0]["confidence"].as_str().unwrap().to_owned()
}

/// Asserts `report` has no finding of any `ci-*` id; `case` names the fixture on failure.
fn assert_no_ci_finding(report: &Report, case: &str) {
    for id in CI_IDS {
        assert!(
            report.all(id).is_empty(),
            "{case}: expected no `{id}` finding; all findings:\n{report}"
        );
    }
}

// ---- a clean setup -------------------------------------------------------------------------

#[test]
fn a_locked_ci_setup_is_clean() {
    let wf = workflow(
        "      - uses: astral-sh/setup-uv@v6\n        with:\n          version: \"0.13.9\"\n      - run: uv sync --locked\n      - run: uv run --locked pytest\n      - run: uv lock --check\n",
    );
    let gitlab = "test:\n  script:\n    - uv sync --frozen\n    - uv run --frozen pytest\n";
    let dockerfile = "FROM python:3.12-slim\nENV UV_LOCKED=1\nCOPY . /app\nRUN uv sync --no-dev\n";
    let report = project(&[
        (WORKFLOW, &wf),
        (".gitlab-ci.yml", gitlab),
        ("Dockerfile", dockerfile),
    ])
    .cordon()
    .json();
    assert!(report.findings.is_empty(), "{report}");
    assert_eq!(report.code, 0);
}

// ---- ci-sync-not-locked --------------------------------------------------------------------

#[test]
fn sync_not_locked_fires_inside_a_literal_run_block() {
    let wf = workflow(
        "      - name: install\n        run: |\n          echo installing\n          uv sync --all-extras\n          uv run --locked pytest\n",
    );
    let report = check(WORKFLOW, &wf);
    let f = report.one("ci-sync-not-locked");
    f.assert_at(WORKFLOW, line_of(&wf, "uv sync --all-extras"));
    f.assert_message("`uv sync` runs without `--locked`");
    assert_eq!(f.severity, "high");
    assert_eq!(report.code, 1);
}

#[test]
fn sync_not_locked_fires_inside_a_folded_run_block() {
    // A blank line keeps the break; the lines after it fold into one command.
    let wf = workflow(
        "      - run: >\n          echo folded\n\n          uv sync\n          --all-extras\n",
    );
    let report = check(WORKFLOW, &wf);
    report
        .one("ci-sync-not-locked")
        .assert_at(WORKFLOW, line_of(&wf, "uv sync"));
}

#[test]
fn sync_not_locked_follows_yaml_folding_of_adjacent_lines() {
    // Folded, `echo folded` and `uv sync` are one line: `uv sync` is only echoed.
    let wf = workflow("      - run: >\n          echo folded\n          uv sync\n");
    let report = check(WORKFLOW, &wf);
    report.none("ci-sync-not-locked");
}

#[test]
fn sync_not_locked_fires_in_a_gitlab_script_list() {
    let gitlab = "stages: [test]\ntest:\n  stage: test\n  script:\n    - echo start\n    - uv sync\n    - uv run --locked pytest\n";
    let report = check(".gitlab-ci.yml", gitlab);
    report
        .one("ci-sync-not-locked")
        .assert_at(".gitlab-ci.yml", line_of(gitlab, "- uv sync"));
}

#[test]
fn gitlab_default_before_script_runs_with_each_jobs_variables() {
    // Every job that inherits the default sets UV_LOCKED: quiet. One that does not: one finding,
    // reported once however many jobs share the line.
    let base = "default:\n  before_script:\n    - uv sync\n";
    let locked = format!(
        "{base}a:\n  variables:\n    UV_LOCKED: \"1\"\n  script: [echo a]\nb:\n  variables:\n    UV_LOCKED: \"1\"\n  script: [echo b]\n"
    );
    check(".gitlab-ci.yml", &locked).none("ci-sync-not-locked");
    let mixed = format!(
        "{base}a:\n  script: [echo a]\nb:\n  script: [echo b]\nc:\n  variables:\n    UV_LOCKED: \"1\"\n  script: [echo c]\n"
    );
    check(".gitlab-ci.yml", &mixed)
        .one("ci-sync-not-locked")
        .assert_at(".gitlab-ci.yml", 3);
}

#[test]
fn sync_not_locked_fires_on_the_continued_line_of_a_dockerfile_run() {
    let dockerfile = "FROM python:3.12-slim\nCOPY . /app\nRUN apt-get update \\\n    && uv sync \\\n         --all-extras\n";
    let report = check("Dockerfile", dockerfile);
    report
        .one("ci-sync-not-locked")
        .assert_at("Dockerfile", line_of(dockerfile, "&& uv sync"));
}

#[test]
fn sync_not_locked_fires_behind_bash_c() {
    let wf = workflow("      - run: echo setup\n      - run: bash -c 'uv sync --all-extras'\n");
    let report = check(WORKFLOW, &wf);
    report
        .one("ci-sync-not-locked")
        .assert_at(WORKFLOW, line_of(&wf, "bash -c"));
}

#[test]
fn sync_not_locked_fires_after_cd() {
    let wf = workflow("      - run: cd backend && uv sync\n");
    let report = check(WORKFLOW, &wf);
    report
        .one("ci-sync-not-locked")
        .assert_at(WORKFLOW, line_of(&wf, "cd backend"));
}

#[test]
fn sync_not_locked_fires_for_uv_run() {
    let wf = workflow("      - run: uv run pytest -q\n");
    let report = check(WORKFLOW, &wf);
    let f = report.one("ci-sync-not-locked");
    f.assert_at(WORKFLOW, line_of(&wf, "uv run pytest"));
    f.assert_message("`uv run` runs without `--locked`");
}

#[test]
fn sync_not_locked_quiet_with_a_flag_or_the_environment() {
    let cases: [(&str, String); 9] = [
        ("--locked", workflow("      - run: uv sync --locked\n")),
        ("--frozen", workflow("      - run: uv sync --frozen\n")),
        ("uv lock --check", workflow("      - run: uv lock --check\n")),
        (
            "UV_LOCKED=1 prefix",
            workflow("      - run: UV_LOCKED=1 uv sync\n"),
        ),
        (
            "export UV_FROZEN",
            workflow("      - run: |\n          export UV_FROZEN=1\n          uv run pytest\n"),
        ),
        (
            "workflow env",
            "name: ci\non: push\nenv:\n  UV_LOCKED: 1\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: uv sync\n".to_owned(),
        ),
        (
            "job env",
            "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    env:\n      UV_LOCKED: \"1\"\n    steps:\n      - run: uv sync\n".to_owned(),
        ),
        (
            "step env",
            workflow("      - run: uv sync\n        env:\n          UV_LOCKED: true\n"),
        ),
        (
            "UV_FROZEN step env",
            workflow("      - run: uv run pytest\n        env:\n          UV_FROZEN: \"1\"\n"),
        ),
    ];
    for (case, wf) in &cases {
        let report = check(WORKFLOW, wf);
        assert!(
            report.all("ci-sync-not-locked").is_empty(),
            "{case}: {report}"
        );
    }
}

#[test]
fn sync_not_locked_fires_when_a_step_switches_uv_locked_off_again() {
    let wf = "on: push\nenv:\n  UV_LOCKED: 1\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: uv sync --no-dev\n        env:\n          UV_LOCKED: \"0\"\n      - run: uv sync\n";
    let report = check(WORKFLOW, wf);
    report
        .one("ci-sync-not-locked")
        .assert_at(WORKFLOW, line_of(wf, "uv sync --no-dev"));
}

#[test]
fn sync_not_locked_in_gitlab_reads_global_and_job_variables() {
    let gitlab = "variables:\n  UV_LOCKED: \"1\"\nlocked:\n  script:\n    - uv sync --no-dev\nflow:\n  variables: { UV_LOCKED: \"1\" }\n  script:\n    - uv run pytest\nunlocked:\n  variables:\n    UV_LOCKED: \"0\"\n  script:\n    - uv sync --all-extras\n";
    let report = check(".gitlab-ci.yml", gitlab);
    report
        .one("ci-sync-not-locked")
        .assert_at(".gitlab-ci.yml", line_of(gitlab, "uv sync --all-extras"));

    let only_job = "test:\n  variables: { UV_LOCKED: \"1\" }\n  script:\n    - uv sync\n";
    check(".gitlab-ci.yml", only_job).none("ci-sync-not-locked");
}

#[test]
fn sync_not_locked_in_a_dockerfile_honours_env_from_its_line_on() {
    let dockerfile =
        "FROM python:3.12-slim\nRUN uv sync --no-install-project\nENV UV_LOCKED=1\nRUN uv sync\n";
    let report = check("Dockerfile", dockerfile);
    report
        .one("ci-sync-not-locked")
        .assert_at("Dockerfile", line_of(dockerfile, "--no-install-project"));
}

// ---- ci-pip-install-unhashed ---------------------------------------------------------------

#[test]
fn pip_install_unhashed_fires_for_named_packages() {
    let wf =
        workflow("      - run: |\n          python -V\n          pip install requests pytest\n");
    let report = check(WORKFLOW, &wf);
    let f = report.one("ci-pip-install-unhashed");
    f.assert_at(WORKFLOW, line_of(&wf, "pip install requests"));
    f.assert_message("`requests`, `pytest`");
    assert_eq!(f.severity, "medium");
    assert_eq!(confidence(&report, f), "high");
}

#[test]
fn pip_install_unhashed_fires_for_an_unhashed_requirements_file() {
    let wf = workflow("      - run: pip install -r requirements.txt\n");
    let report = project(&[(WORKFLOW, &wf), ("requirements.txt", "alpha==1.0.0\n")])
        .cordon()
        .json();
    let f = report.one("ci-pip-install-unhashed");
    f.assert_at(WORKFLOW, line_of(&wf, "pip install -r"));
    f.assert_message("the requirements in `requirements.txt`");
}

#[test]
fn pip_install_unhashed_quiet_for_a_fully_hashed_requirements_file() {
    let hashed = format!("alpha==1.0.0 \\\n    --hash={SHA_A}\nbeta==2.0.0 --hash={SHA_B}\n");
    let wf = workflow("      - run: pip install -r requirements-ci.txt\n");
    let report = project(&[(WORKFLOW, &wf), ("requirements-ci.txt", &hashed)])
        .cordon()
        .json();
    report.none("ci-pip-install-unhashed");
}

#[test]
fn pip_install_unhashed_leaves_a_partly_hashed_file_to_requirements_unhashed() {
    let partly = format!("alpha==1.0.0 --hash={SHA_A}\nbeta==2.0.0\n");
    let wf = workflow("      - run: pip install -r requirements-ci.txt\n");
    let report = project(&[(WORKFLOW, &wf), ("requirements-ci.txt", &partly)])
        .cordon()
        .json();
    // One `--hash` puts pip in hash-checking mode: it refuses the install over `beta`, which
    // `requirements-unhashed` reports at its line.
    report.none("ci-pip-install-unhashed");
    report
        .one("requirements-unhashed")
        .assert_at("requirements-ci.txt", 2);
}

#[test]
fn uv_pip_install_of_a_partly_hashed_file_fires_because_uv_installs_unhashed_lines() {
    let partly = format!("alpha==1.0.0 --hash={SHA_A}\nbeta==2.0.0\n");
    let wf = workflow("      - run: uv pip install -r requirements-ci.txt\n");
    let report = project(&[(WORKFLOW, &wf), ("requirements-ci.txt", &partly)])
        .cordon()
        .json();
    report
        .one("ci-pip-install-unhashed")
        .assert_at(WORKFLOW, line_of(&wf, "uv pip install -r"));
    let hashed = format!("alpha==1.0.0 --hash={SHA_A}\nbeta==2.0.0 --hash={SHA_B}\n");
    let report = project(&[(WORKFLOW, &wf), ("requirements-ci.txt", &hashed)])
        .cordon()
        .json();
    report.none("ci-pip-install-unhashed");
}

#[test]
fn pip_install_unhashed_quiet_when_hashes_are_required() {
    let cases: [(&str, String); 3] = [
        (
            "--require-hashes",
            workflow("      - run: pip install --require-hashes -r requirements.txt\n"),
        ),
        (
            "pip's unambiguous prefix",
            workflow("      - run: pip install --require-h -r requirements.txt\n"),
        ),
        (
            "PIP_REQUIRE_HASHES in the job",
            "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    env:\n      PIP_REQUIRE_HASHES: \"1\"\n    steps:\n      - run: pip install -r requirements.txt\n".to_owned(),
        ),
    ];
    for (case, wf) in &cases {
        let report = project(&[(WORKFLOW, wf), ("requirements.txt", "alpha==1.0.0\n")])
            .cordon()
            .json();
        assert!(
            report.all("ci-pip-install-unhashed").is_empty(),
            "{case}: {report}"
        );
    }
}

#[test]
fn pip_install_unhashed_quiet_for_the_project_itself() {
    let wf = workflow(
        "      - run: pip install .\n      - run: pip install -e .\n      - run: python -m pip install --editable ./\n",
    );
    check(WORKFLOW, &wf).none("ci-pip-install-unhashed");
}

#[test]
fn pip_install_unhashed_fires_for_python_m_pip_and_uv_pip() {
    let wf = workflow(
        "      - run: python -m pip install ruff\n      - run: uv pip install --system mypy\n",
    );
    let report = check(WORKFLOW, &wf);
    assert_eq!(report.all("ci-pip-install-unhashed").len(), 2, "{report}");
    at(
        &report,
        "ci-pip-install-unhashed",
        WORKFLOW,
        line_of(&wf, "python -m pip"),
    )
    .assert_message("pip installs `ruff`");
    at(
        &report,
        "ci-pip-install-unhashed",
        WORKFLOW,
        line_of(&wf, "uv pip install"),
    )
    .assert_message("`uv pip install` installs `mypy`");
}

#[test]
fn pip_install_unhashed_in_gitlab_and_a_dockerfile() {
    let gitlab = "lint:\n  script:\n    - pip install ruff==0.6.9\n    - ruff check .\n";
    let dockerfile = "FROM python:3.12-slim\nWORKDIR /app\nRUN pip install --no-cache-dir \\\n      gunicorn==23.0.0\n";
    let report = project(&[(".gitlab-ci.yml", gitlab), ("Dockerfile", dockerfile)])
        .cordon()
        .json();
    at(
        &report,
        "ci-pip-install-unhashed",
        ".gitlab-ci.yml",
        line_of(gitlab, "pip install"),
    );
    at(
        &report,
        "ci-pip-install-unhashed",
        "Dockerfile",
        line_of(dockerfile, "pip install"),
    );
    assert_eq!(report.all("ci-pip-install-unhashed").len(), 2, "{report}");
}

#[test]
fn pip_install_unhashed_with_run_time_packages_is_low_confidence() {
    // `$PKGS` may carry `--require-hashes`: reported, but cordon cannot be sure.
    let wf = workflow("      - run: pip install $PKGS\n");
    let report = check(WORKFLOW, &wf);
    let f = report.one("ci-pip-install-unhashed");
    f.assert_at(WORKFLOW, line_of(&wf, "pip install $PKGS"));
    assert_eq!(confidence(&report, f), "low");
}

// ---- ci-uv-unpinned ------------------------------------------------------------------------

#[test]
fn uv_unpinned_fires_for_setup_uv_without_version_when_the_project_does_not_pin_uv() {
    let wf = workflow(
        "      - name: Install uv\n        uses: astral-sh/setup-uv@v6\n        with:\n          enable-cache: true\n      - run: uv sync --locked\n",
    );
    let report = project_without_uv_pin(&[(WORKFLOW, &wf)]).cordon().json();
    let f = report.one("ci-uv-unpinned");
    f.assert_at(WORKFLOW, line_of(&wf, "astral-sh/setup-uv@v6"));
    f.assert_message("installs the newest uv");
    assert_eq!(f.severity, "medium");
}

#[test]
fn uv_unpinned_quiet_for_setup_uv_with_a_version_or_a_project_pin() {
    let pinned = workflow(
        "      - uses: astral-sh/setup-uv@v6\n        with:\n          version: \"0.13.9\"\n",
    );
    project_without_uv_pin(&[(WORKFLOW, &pinned)])
        .cordon()
        .json()
        .none("ci-uv-unpinned");
    let version_file = workflow(
        "      - uses: astral-sh/setup-uv@v6\n        with:\n          version-file: pyproject.toml\n",
    );
    project_without_uv_pin(&[(WORKFLOW, &version_file)])
        .cordon()
        .json()
        .none("ci-uv-unpinned");
    // `required-version` in the project: setup-uv installs a version that satisfies it.
    let bare = workflow("      - uses: astral-sh/setup-uv@v6\n");
    check(WORKFLOW, &bare).none("ci-uv-unpinned");
}

#[test]
fn uv_unpinned_fires_for_pip_install_uv_without_a_version() {
    let wf = workflow("      - run: pip install uv\n      - run: pipx install uv\n");
    let report = check(WORKFLOW, &wf);
    assert_eq!(report.all("ci-uv-unpinned").len(), 2, "{report}");
    at(
        &report,
        "ci-uv-unpinned",
        WORKFLOW,
        line_of(&wf, "pip install uv"),
    )
    .assert_message("`pip install uv`");
    at(
        &report,
        "ci-uv-unpinned",
        WORKFLOW,
        line_of(&wf, "pipx install uv"),
    )
    .assert_message("`pipx install uv`");
}

#[test]
fn uv_unpinned_quiet_for_pip_install_of_a_pinned_uv() {
    let wf = workflow("      - run: pip install uv==0.13.9\n");
    let report = check(WORKFLOW, &wf);
    report.none("ci-uv-unpinned");
    // Pinned, but still unhashed: that is the other check's finding.
    report
        .one("ci-pip-install-unhashed")
        .assert_at(WORKFLOW, line_of(&wf, "uv==0.13.9"));
}

#[test]
fn uv_unpinned_fires_high_for_an_unversioned_installer_piped_into_a_shell() {
    let wf = workflow(
        "      - run: |\n          set -eu\n          curl -LsSf https://astral.sh/uv/install.sh | sh\n",
    );
    let report = check(WORKFLOW, &wf);
    let f = report.one("ci-uv-unpinned");
    f.assert_at(WORKFLOW, line_of(&wf, "curl -LsSf"));
    f.assert_message("https://astral.sh/uv/install.sh");
    assert_eq!(f.severity, "high");
}

#[test]
fn uv_unpinned_is_low_for_a_versioned_installer_url() {
    let dockerfile = "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y curl \\\n && curl -LsSf https://astral.sh/uv/0.13.9/install.sh | sh\n";
    let report = check("Dockerfile", dockerfile);
    let f = report.one("ci-uv-unpinned");
    f.assert_at("Dockerfile", line_of(dockerfile, "astral.sh/uv/0.13.9"));
    assert_eq!(f.severity, "low");
}

#[test]
fn uv_unpinned_quiet_for_pipes_into_a_shell_that_download_nothing() {
    let wf = workflow(
        "      - run: grep \"curl\" scripts/setup.txt | sh\n      - run: cat install.sh | bash\n      - run: curl -fsS https://example.com/health | jq .\n",
    );
    check(WORKFLOW, &wf).none("ci-uv-unpinned");
}

// ---- ci-cooldown-override ------------------------------------------------------------------

#[test]
fn cooldown_override_in_workflow_and_job_env() {
    let wf = "name: ci\non: push\nenv:\n  UV_EXCLUDE_NEWER: \"false\"\njobs:\n  short:\n    runs-on: ubuntu-latest\n    env:\n      UV_EXCLUDE_NEWER: 1 day\n    steps:\n      - run: uv sync --locked\n  long:\n    runs-on: ubuntu-latest\n    env:\n      UV_EXCLUDE_NEWER: \"30 days\"\n    steps:\n      - run: uv sync --locked\n";
    let report = check(WORKFLOW, wf);
    assert_eq!(report.all("ci-cooldown-override").len(), 3, "{report}");
    let off = at(
        &report,
        "ci-cooldown-override",
        WORKFLOW,
        line_of(wf, "\"false\""),
    );
    assert_eq!(off.severity, "high");
    off.assert_message("switches the cooldown off");
    let short = at(
        &report,
        "ci-cooldown-override",
        WORKFLOW,
        line_of(wf, "1 day"),
    );
    assert_eq!(short.severity, "high");
    short.assert_message("shortens the cooldown below the policy");
    let long = at(
        &report,
        "ci-cooldown-override",
        WORKFLOW,
        line_of(wf, "30 days"),
    );
    assert_eq!(long.severity, "medium");
}

#[test]
fn cooldown_override_on_the_command_line() {
    let wf = workflow(
        "      - run: |\n          uv lock --exclude-newer \"0 days\"\n          uv sync --locked\n",
    );
    let report = check(WORKFLOW, &wf);
    let f = report.one("ci-cooldown-override");
    f.assert_at(WORKFLOW, line_of(&wf, "--exclude-newer"));
    assert_eq!(f.severity, "high");
}

#[test]
fn cooldown_override_as_a_prefix_or_export_is_reported_once() {
    let wf = workflow(
        "      - run: UV_EXCLUDE_NEWER=false uv lock\n      - run: |\n          export UV_EXCLUDE_NEWER=\"2 days\"\n          uv lock\n          uv sync --locked\n",
    );
    let report = check(WORKFLOW, &wf);
    assert_eq!(report.all("ci-cooldown-override").len(), 2, "{report}");
    let prefix = at(
        &report,
        "ci-cooldown-override",
        WORKFLOW,
        line_of(&wf, "UV_EXCLUDE_NEWER=false"),
    );
    prefix.assert_message("`UV_EXCLUDE_NEWER=false`");
    assert!(
        !prefix.message.contains("--exclude-newer"),
        "no `--exclude-newer` was written: {prefix:#?}"
    );
    assert_eq!(prefix.severity, "high");
    let export = at(
        &report,
        "ci-cooldown-override",
        WORKFLOW,
        line_of(&wf, "export UV_EXCLUDE_NEWER"),
    );
    assert_eq!(export.severity, "high");
}

#[test]
fn cooldown_override_in_gitlab_variables_and_dockerfile_env() {
    let gitlab =
        "variables:\n  UV_EXCLUDE_NEWER: \"false\"\ntest:\n  script:\n    - uv sync --locked\n";
    let dockerfile = "FROM python:3.12-slim\nENV UV_EXCLUDE_NEWER=false\nRUN uv sync --locked\n";
    let report = project(&[(".gitlab-ci.yml", gitlab), ("Dockerfile", dockerfile)])
        .cordon()
        .json();
    assert_eq!(report.all("ci-cooldown-override").len(), 2, "{report}");
    let g = at(&report, "ci-cooldown-override", ".gitlab-ci.yml", 2);
    assert_eq!(g.severity, "high");
    let d = at(&report, "ci-cooldown-override", "Dockerfile", 2);
    assert_eq!(d.severity, "high");
}

#[test]
fn cooldown_override_quiet_without_overrides() {
    let wf = workflow(
        "      - run: uv lock\n      - run: uv sync --locked\n        env:\n          UV_LOCKED: 1\n",
    );
    let gitlab = "test:\n  script:\n    - uv lock --check\n";
    let dockerfile = "FROM python:3.12-slim\nENV UV_COMPILE_BYTECODE=1\nRUN uv sync --locked\n";
    let report = project(&[
        (WORKFLOW, &wf),
        (".gitlab-ci.yml", gitlab),
        ("Dockerfile", dockerfile),
    ])
    .cordon()
    .json();
    report.none("ci-cooldown-override");
}

// ---- ci-install-unparsed -------------------------------------------------------------------

#[test]
fn install_unparsed_fires_for_an_installer_in_a_variable() {
    let wf = workflow("      - run: $PIP install requests\n");
    let report = check(WORKFLOW, &wf);
    let f = report.one("ci-install-unparsed");
    f.assert_at(WORKFLOW, line_of(&wf, "$PIP install"));
    assert_eq!(f.severity, "low");
    assert_eq!(confidence(&report, f), "low");
}

#[test]
fn install_unparsed_fires_for_an_unterminated_quote() {
    let gitlab = "test:\n  script:\n    - echo start\n    - 'pip install \"requests'\n";
    let report = check(".gitlab-ci.yml", gitlab);
    let f = report.one("ci-install-unparsed");
    f.assert_at(".gitlab-ci.yml", line_of(gitlab, "pip install"));
    assert_eq!(confidence(&report, f), "low");
}

#[test]
fn eval_of_an_install_with_run_time_packages_is_reported_with_low_confidence() {
    // cordon reads the `eval` string as a script: the install is found, and what `$PKGS`
    // holds is unknown, so it is reported, with low confidence.
    let wf = workflow("      - run: eval \"pip install $PKGS\"\n");
    let report = check(WORKFLOW, &wf);
    let line = line_of(&wf, "eval");
    let found: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.id.starts_with("ci-"))
        .collect();
    assert_eq!(found.len(), 1, "{report}");
    found[0].assert_at(WORKFLOW, line);
    assert_eq!(confidence(&report, found[0]), "low");
}

#[test]
fn install_unparsed_quiet_for_an_echoed_install() {
    let wf = workflow("      - run: echo \"pip install x\"\n      - run: eval \"$SETUP\"\n");
    let report = check(WORKFLOW, &wf);
    assert_no_ci_finding(&report, "echo");
}

// ---- look-alikes ---------------------------------------------------------------------------

#[test]
fn commands_that_only_mention_installers_produce_no_ci_finding() {
    let lookalikes = [
        "grep \"pip install\" README.md",
        "echo uv add x",
        "git commit -m \"uv add\"",
        "pip --version",
        "uv --version",
        "command -v pip",
        "pip list --outdated",
        "uv lock --check",
        "echo 'curl https://astral.sh/uv/install.sh | sh'",
    ];
    let mut steps = String::new();
    let mut gitlab = String::from("test:\n  script:\n");
    let mut dockerfile = String::from("FROM python:3.12-slim\n");
    for c in lookalikes {
        writeln!(steps, "      - run: {}", yaml_quote(c)).unwrap();
        writeln!(gitlab, "    - {}", yaml_quote(c)).unwrap();
        writeln!(dockerfile, "RUN {c}").unwrap();
    }
    let wf = workflow(&steps);
    let report = project(&[
        (WORKFLOW, &wf),
        (".gitlab-ci.yml", &gitlab),
        ("Dockerfile", &dockerfile),
    ])
    .cordon()
    .json();
    assert_no_ci_finding(&report, "look-alikes");
    report.none("unparsed-file");
}

/// `text` as a single-quoted YAML scalar.
fn yaml_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

// ---- unparsed-file -------------------------------------------------------------------------

#[test]
fn unparsed_file_for_invalid_yaml_and_the_other_workflow_is_still_checked() {
    let broken = workflow("      - run: uv sync\n        name: step: one\n      - run: echo\n");
    let good = workflow("      - run: pip install requests\n");
    let report = project(&[
        (".github/workflows/broken.yml", &broken),
        (".github/workflows/good.yml", &good),
    ])
    .cordon()
    .json();
    let f = report.one("unparsed-file");
    f.assert_at(
        ".github/workflows/broken.yml",
        line_of(&broken, "step: one"),
    );
    f.assert_message("invalid YAML");
    assert_eq!(f.severity, "low");
    assert_eq!(confidence(&report, f), "low");
    report.one("ci-pip-install-unhashed").assert_at(
        ".github/workflows/good.yml",
        line_of(&good, "pip install requests"),
    );
    assert_eq!(report.code, 1);
}

#[test]
fn unparsed_file_for_a_workflow_that_is_a_list() {
    let listed = "- run: uv sync\n- run: pip install x\n";
    let dockerfile = "FROM python:3.12-slim\nRUN uv sync\n";
    let report = project(&[(WORKFLOW, listed), ("Dockerfile", dockerfile)])
        .cordon()
        .json();
    let f = report.one("unparsed-file");
    f.assert_at(WORKFLOW, 1);
    f.assert_message("must be a mapping, not a sequence");
    // Nothing of the list is read as steps; the Dockerfile is still checked.
    report.none("ci-pip-install-unhashed");
    report.one("ci-sync-not-locked").assert_at("Dockerfile", 2);
    assert_eq!(report.code, 1);
}

#[test]
fn unparsed_file_for_a_gitlab_file_that_is_not_a_mapping() {
    let report = check(".gitlab-ci.yml", "- uv sync\n");
    let f = report.one("unparsed-file");
    f.assert_at(".gitlab-ci.yml", 1);
    f.assert_message("must be a mapping");
    report.none("ci-sync-not-locked");
    assert_eq!(report.code, 1);
}

#[test]
fn unparsed_file_for_a_dockerfile_ending_inside_a_continuation() {
    let dockerfile =
        "FROM python:3.12-slim\nRUN pip install requests\nRUN uv sync --locked && \\\n";
    let report = check("Dockerfile", dockerfile);
    let f = report.one("unparsed-file");
    f.assert_at("Dockerfile", 3);
    f.assert_message("ends inside a line continuation");
    // The earlier instruction is still checked.
    report
        .one("ci-pip-install-unhashed")
        .assert_at("Dockerfile", 2);
    report.none("ci-sync-not-locked");
    assert_eq!(report.code, 1);
}

#[test]
fn unparsed_file_for_a_workflow_that_is_not_utf8_and_the_rest_is_checked() {
    let fixture = project(&[(
        ".github/workflows/good.yml",
        &workflow("      - run: uv sync\n"),
    )]);
    fixture.write(
        ".github/workflows/latin1.yml",
        b"on: push\njobs:\n  test:\n    steps:\n      - run: echo caf\xe9\n      - run: pip install x\n",
    );
    let report = fixture.cordon().json();
    let f = report.one("unparsed-file");
    f.assert_message("`.github/workflows/latin1.yml`");
    f.assert_message("not valid UTF-8");
    f.assert_message("line 5");
    report.one("ci-sync-not-locked").assert_at(
        ".github/workflows/good.yml",
        line_of(&workflow("      - run: uv sync\n"), "uv sync"),
    );
    report.none("ci-pip-install-unhashed");
    assert_eq!(report.code, 1);
}

// ---- inline ignores ------------------------------------------------------------------------

#[test]
fn inline_ignore_inside_a_run_block_suppresses_the_finding() {
    let wf = workflow(
        "      - run: |\n          echo start\n          uv sync  # cordon: ignore[ci-sync-not-locked] relocks on purpose in this job\n          uv run --locked pytest\n",
    );
    let report = check(WORKFLOW, &wf);
    report.none("ci-sync-not-locked");
    report.none("unused-ignore");
}

#[test]
fn inline_ignore_on_the_line_before_a_step_suppresses_the_finding() {
    let wf = workflow(
        "      # cordon: ignore[ci-pip-install-unhashed] nightly smoke test of the newest release\n      - run: pip install requests\n",
    );
    let report = check(WORKFLOW, &wf);
    report.none("ci-pip-install-unhashed");
    report.none("unused-ignore");
}

#[test]
fn inline_ignore_in_a_dockerfile_suppresses_the_finding() {
    let dockerfile = "FROM python:3.12-slim\n# cordon: ignore[ci-pip-install-unhashed] base tooling, vetted\nRUN pip install ruff\nRUN apt-get update && \\\n    uv sync  # cordon: ignore[ci-sync-not-locked] the image relocks\n";
    let report = check("Dockerfile", dockerfile);
    report.none("ci-pip-install-unhashed");
    report.none("ci-sync-not-locked");
    report.none("unused-ignore");
}

#[test]
fn unused_inline_ignore_in_a_workflow_is_reported() {
    let wf = workflow(
        "      - run: |\n          uv sync --locked  # cordon: ignore[ci-sync-not-locked] stale\n",
    );
    let report = check(WORKFLOW, &wf);
    report.none("ci-sync-not-locked");
    let f = report.one("unused-ignore");
    f.assert_at(WORKFLOW, line_of(&wf, "stale"));
    f.assert_message("ci-sync-not-locked");
}

#[test]
fn inline_ignore_without_a_reason_does_not_apply_in_a_workflow() {
    let wf = workflow("      - run: uv sync  # cordon: ignore[ci-sync-not-locked]\n");
    let report = check(WORKFLOW, &wf);
    report
        .one("ci-sync-not-locked")
        .assert_at(WORKFLOW, line_of(&wf, "uv sync"));
    report
        .one("unused-ignore")
        .assert_at(WORKFLOW, line_of(&wf, "uv sync"));
}

// ---- composite actions and GitLab defaults -------------------------------------------------

#[test]
fn composite_actions_are_checked() {
    let root_action = "name: setup\ndescription: set up\nruns:\n  using: composite\n  steps:\n    - run: echo hi\n      shell: bash\n    - run: uv sync\n      shell: bash\n";
    let nested = "name: lint\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: |\n        pip install ruff\n";
    let report = project(&[
        ("action.yml", root_action),
        (".github/actions/lint/action.yml", nested),
    ])
    .cordon()
    .json();
    report
        .one("ci-sync-not-locked")
        .assert_at("action.yml", line_of(root_action, "uv sync"));
    report.one("ci-pip-install-unhashed").assert_at(
        ".github/actions/lint/action.yml",
        line_of(nested, "pip install"),
    );
}

#[test]
fn composite_action_with_setup_uv_without_version_is_checked() {
    let action =
        "name: setup\nruns:\n  using: composite\n  steps:\n    - uses: astral-sh/setup-uv@v6\n";
    let report = project_without_uv_pin(&[("action.yml", action)])
        .cordon()
        .json();
    report
        .one("ci-uv-unpinned")
        .assert_at("action.yml", line_of(action, "setup-uv"));
}

#[test]
fn gitlab_default_before_script_is_checked() {
    let gitlab = "default:\n  image: python:3.12\n  before_script:\n    - pip install ruff\n    - uv sync\ntest:\n  script:\n    - uv run --locked pytest\n";
    let report = check(".gitlab-ci.yml", gitlab);
    report
        .one("ci-pip-install-unhashed")
        .assert_at(".gitlab-ci.yml", line_of(gitlab, "pip install ruff"));
    report
        .one("ci-sync-not-locked")
        .assert_at(".gitlab-ci.yml", line_of(gitlab, "- uv sync"));
}
