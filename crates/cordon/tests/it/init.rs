//! `cordon init` and `cordon check --fix` end to end: the real binary runs the pinned real uv
//! against the loopback test index, and `cordon check` judges the result.

use std::collections::BTreeMap;
use std::path::Path;

use crate::check::{Fixture, OLD, index_of, pyproject};
use crate::harness::{IndexServer, PackageSpec, VersionSpec, uv_command, uv_env, uv_path};

/// The families `cordon init` must leave without findings (issue: "nothing in the cooldown, uv
/// config, pinning, lock and agents families").
const HARDENED_FAMILIES: &[&str] = &["cooldown", "uv config", "pinning", "lock", "agents"];

/// One `cordon init` (or `check --fix`) run.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn ok(self) -> Run {
        assert_eq!(
            self.code,
            Some(0),
            "expected exit 0\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    fn failed(self) -> Run {
        assert_eq!(
            self.code,
            Some(2),
            "expected exit 2\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

/// Runs `cordon <args>` in `dir` with uv's scrubbed test environment and the pinned uv.
fn cordon(dir: &Path, index: &IndexServer, args: &[&str]) -> Run {
    let out = assert_cmd::Command::cargo_bin("cordon")
        .unwrap()
        .current_dir(dir)
        .env_clear()
        .envs(uv_env(index))
        .env("CORDON_UV", uv_path())
        .args(args)
        .output()
        .unwrap();
    let run = Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    };
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

fn init(f: &Fixture, index: &IndexServer, extra: &[&str]) -> Run {
    let root = f.root();
    let mut args = vec!["init", root.to_str().unwrap()];
    args.extend_from_slice(extra);
    cordon(f.tmp(), index, &args)
}

/// Every file under the project (but the virtual environment and caches), path → bytes.
fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if name == ".venv" {
                continue;
            }
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// Family of every check id, from `cordon check --list`.
fn families() -> BTreeMap<String, String> {
    let out = assert_cmd::Command::cargo_bin("cordon")
        .unwrap()
        .args(["check", "--list"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let id = l[..29].trim().to_owned();
            let family = l[38..52].trim().to_owned();
            (id, family)
        })
        .collect()
}

/// Asserts `cordon check` reports nothing in the hardened families.
fn assert_hardened(f: &Fixture) {
    let report = f.cordon().env("CORDON_NOW", &now()).json();
    let families = families();
    let left: Vec<String> = report
        .findings
        .iter()
        .filter(|x| HARDENED_FAMILIES.contains(&families[&x.id].as_str()))
        .map(|x| format!("{} {:?} at {:?}:{:?}", x.id, x.message, x.path, x.line))
        .collect();
    assert!(
        left.is_empty(),
        "findings left after init:\n{}\n--- pyproject.toml\n{}",
        left.join("\n"),
        f.read("pyproject.toml")
    );
}

fn now() -> String {
    jiff::Timestamp::now().to_string()
}

/// An upload time `days` before the real clock (uv measures cooldowns against it).
fn days_ago(days: i64) -> String {
    (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * days)).to_string()
}

fn two_package_index() -> IndexServer {
    index_of(&[("alpha", "1.0", OLD), ("beta", "2.0", OLD)])
}

#[test]
fn hardens_a_locked_project_and_a_second_run_changes_nothing() {
    let index = two_package_index();
    let f = Fixture::pyproject(&pyproject(&["alpha>=1", "beta"], ""));
    f.lock(&index);
    let run = init(&f, &index, &[]).ok();
    let toml = f.read("pyproject.toml");
    for expected in [
        "exclude-newer = \"7 days\"",
        "add-bounds = \"exact\"",
        "required-version = \">=0.13.9\"",
        "\"alpha==1.0\"",
        "\"beta==2.0\"",
    ] {
        assert!(toml.contains(expected), "{expected} missing:\n{toml}");
    }
    assert!(run.stdout.contains("pyproject.toml"), "{}", run.stdout);
    assert!(run.stdout.contains("uv lock"), "{}", run.stdout);
    // The lock is current for the new manifest, as uv itself says.
    let check = uv_command(&f.root(), &index)
        .args(["lock", "--check"])
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(f.read("uv.lock").contains("exclude-newer-span = \"P7D\""));
    assert_hardened(&f);

    let before = snapshot(&f.root());
    let again = init(&f, &index, &[]).ok();
    assert!(
        again.stdout.contains("already hardened"),
        "{}",
        again.stdout
    );
    assert_eq!(snapshot(&f.root()), before, "the second run changed files");
}

#[test]
fn a_project_without_a_lock_is_locked_then_pinned() {
    let index = two_package_index();
    let f = Fixture::pyproject(&pyproject(&["alpha", "beta>=1"], ""));
    init(&f, &index, &["--agents", "none"]).ok();
    let toml = f.read("pyproject.toml");
    assert!(
        toml.contains("\"alpha==1.0\"") && toml.contains("\"beta==2.0\""),
        "{toml}"
    );
    assert!(f.root().join("uv.lock").is_file());
    assert_hardened(&f);
}

#[test]
fn odd_formatting_is_kept_byte_for_byte_outside_the_edits() {
    let index = two_package_index();
    // Dotted keys at the top belong to the root table (after `[project]` they would not).
    let original = "# top comment\r\n\
                    tool.uv.package = false   # dotted\r\n\
                    tool.ruff = { line-length = 100 }   # inline\r\n\
                    \r\n\
                    [project]\r\n\
                    name = 'demo'   # single quotes\r\n\
                    version = \"0.1.0\"\r\n\
                    requires-python = '>=3.11'\r\n\
                    dependencies = [\r\n  \
                    'alpha >=1',  # a range\r\n  \
                    \"beta\",\r\n\
                    ]\r\n\
                    \r\n\
                    # groups below\r\n\
                    [dependency-groups]\r\n\
                    dev = []\r\n";
    let f = Fixture::pyproject(original);
    f.lock(&index);
    init(&f, &index, &["--agents", "none"]).ok();
    let expected = "# top comment\r\n\
                    tool.uv.package = false   # dotted\r\n\
                    tool.uv.exclude-newer = \"7 days\"\r\n\
                    tool.uv.add-bounds = \"exact\"\r\n\
                    tool.uv.required-version = \">=0.13.9\"\r\n\
                    tool.ruff = { line-length = 100 }   # inline\r\n\
                    \r\n\
                    [project]\r\n\
                    name = 'demo'   # single quotes\r\n\
                    version = \"0.1.0\"\r\n\
                    requires-python = '>=3.11'\r\n\
                    dependencies = [\r\n  \
                    'alpha==1.0',  # a range\r\n  \
                    \"beta==2.0\",\r\n\
                    ]\r\n\
                    \r\n\
                    # groups below\r\n\
                    [dependency-groups]\r\n\
                    dev = []\r\n";
    assert_eq!(f.read("pyproject.toml"), expected);
    assert_hardened(&f);
}

#[test]
fn an_inline_uv_table_grows_in_place() {
    let index = two_package_index();
    let original = pyproject(
        &["alpha==1.0"],
        "[tool]\nuv = { package = false }  # inline\n",
    );
    let f = Fixture::pyproject(&original);
    f.lock(&index);
    init(&f, &index, &["--agents", "none"]).ok();
    assert_eq!(
        f.read("pyproject.toml"),
        original.replace(
            "uv = { package = false }",
            "uv = { package = false, exclude-newer = \"7 days\", add-bounds = \"exact\", required-version = \">=0.13.9\" }"
        )
    );
}

#[test]
fn a_resolution_that_fails_under_the_cooldown_leaves_every_file_as_it_was() {
    let index = IndexServer::start(vec![PackageSpec::new(
        "fresh",
        vec![
            VersionSpec::new("1.0").uploaded(OLD),
            VersionSpec::new("2.0").uploaded(days_ago(1)),
        ],
    )]);
    let f = Fixture::new(&[
        ("pyproject.toml", &pyproject(&["fresh"], "")),
        (".claude/settings.json", "{}\n"),
    ]);
    f.lock(&index);
    assert!(f.read("uv.lock").contains("version = \"2.0\""));
    let before = snapshot(&f.root());
    let run = init(&f, &index, &[]).failed();
    assert!(run.stderr.contains("cooldown"), "{}", run.stderr);
    assert!(run.stderr.contains("fresh 2.0"), "{}", run.stderr);
    assert!(run.stderr.contains("restored"), "{}", run.stderr);
    assert_eq!(snapshot(&f.root()), before, "a failed init changed files");
}

#[test]
fn dry_run_prints_a_diff_and_writes_nothing() {
    let index = two_package_index();
    let f = Fixture::new(&[
        ("pyproject.toml", &pyproject(&["alpha>=1"], "")),
        (".claude/settings.json", "{}\n"),
    ]);
    f.lock(&index);
    let before = snapshot(&f.root());
    let run = init(&f, &index, &["--dry-run"]).ok();
    assert_eq!(snapshot(&f.root()), before, "--dry-run wrote files");
    for expected in [
        "--- a/pyproject.toml\n+++ b/pyproject.toml\n",
        "-    \"alpha>=1\",\n+    \"alpha==1.0\",\n",
        "+exclude-newer = \"7 days\"\n",
        "--- /dev/null\n+++ b/AGENTS.md\n",
        "+++ b/CLAUDE.md\n",
        "+++ b/.claude/settings.json\n",
        "cordon hook claude",
        "dry run: nothing was written",
    ] {
        assert!(
            run.stdout.contains(expected),
            "{expected:?} missing:\n{}",
            run.stdout
        );
    }
}

#[test]
fn agents_are_told_and_guarded() {
    let index = two_package_index();
    let f = Fixture::new(&[
        ("pyproject.toml", &pyproject(&["alpha==1.0"], "")),
        (
            ".claude/settings.json",
            "{\n  \"hooks\": {\n    \"PreToolUse\": [\n      {\n        \"matcher\": \"Bash\",\n        \"hooks\": [\n          {\n            \"type\": \"command\",\n            \"command\": \"./lint.sh\"\n          }\n        ]\n      }\n    ]\n  }\n}\n",
        ),
    ]);
    f.lock(&index);
    init(&f, &index, &["--agents", "claude,codex"]).ok();
    let settings = f.read(".claude/settings.json");
    assert!(
        settings.contains("./lint.sh"),
        "their hook was dropped:\n{settings}"
    );
    assert!(settings.contains("cordon hook claude"), "{settings}");
    assert!(f.read(".codex/hooks.json").contains("cordon hook codex"));
    assert!(f.read("CLAUDE.md").contains("@AGENTS.md"));
    assert!(f.read("AGENTS.md").contains("cordon:dependency-policy"));
    assert_hardened(&f);
}

#[test]
fn ci_github_writes_a_locked_job_and_fixes_existing_workflows() {
    let index = two_package_index();
    let f = Fixture::new(&[
        ("pyproject.toml", &pyproject(&["alpha==1.0"], "")),
        (
            ".github/workflows/test.yml",
            "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: uv sync\n      - run: uv run pytest\n",
        ),
    ]);
    f.lock(&index);
    init(&f, &index, &["--ci", "github", "--agents", "none"]).ok();
    let job = f.read(".github/workflows/cordon.yml");
    assert!(job.contains("uv sync --locked"), "{job}");
    assert!(job.contains("cordon check"), "{job}");
    assert!(job.contains("0.13.9"), "uv is not pinned:\n{job}");
    assert_eq!(
        f.read(".github/workflows/test.yml"),
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: uv sync --locked\n      - run: uv run --locked pytest\n"
    );
    let report = f.cordon().env("CORDON_NOW", &now()).json();
    let families = families();
    let ci: Vec<&str> = report
        .findings
        .iter()
        .filter(|x| families[&x.id] == "ci")
        .map(|x| x.id.as_str())
        .collect();
    assert!(ci.is_empty(), "ci findings left: {ci:?}\n{report}");
}

#[test]
fn global_writes_the_users_uv_toml_and_keeps_what_is_there() {
    let index = two_package_index();
    let home = index.client_home().to_path_buf();
    let user = home.join("config/uv/uv.toml");
    std::fs::create_dir_all(user.parent().unwrap()).unwrap();
    std::fs::write(&user, "# mine\nnative-tls = true\n").unwrap();
    let run = cordon(&home, &index, &["init", "--global"]).ok();
    let text = std::fs::read_to_string(&user).unwrap();
    assert!(
        text.contains("# mine\nnative-tls = true\nexclude-newer = \"7 days\"\n"),
        "{text}"
    );
    assert!(text.contains("add-bounds = \"exact\""), "{text}");
    assert!(text.contains("still wins"), "{text}");
    assert!(run.stdout.contains("still wins"), "{}", run.stdout);
    // uv reads it: a project without settings of its own locks with the cooldown.
    let f = Fixture::pyproject(&pyproject(&["alpha==1.0"], ""));
    let out = uv_command(&f.root(), &index).arg("lock").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(f.read("uv.lock").contains("exclude-newer-span = \"P7D\""));
    let again = cordon(&home, &index, &["init", "--global"]).ok();
    assert!(
        again.stdout.contains("already hardened"),
        "{}",
        again.stdout
    );
    assert_eq!(std::fs::read_to_string(&user).unwrap(), text);
}

#[test]
fn migrates_a_requirements_project() {
    let index = index_of(&[
        ("alpha", "1.0", OLD),
        ("beta", "2.0", OLD),
        ("gamma", "3.0", OLD),
    ]);
    let f = Fixture::new(&[
        ("requirements.txt", "alpha==1.0\nbeta  # any version\n"),
        ("requirements-dev.txt", "-r requirements.txt\ngamma\n"),
    ]);
    let run = init(&f, &index, &["--migrate", "--agents", "none"]).ok();
    let toml = f.read("pyproject.toml");
    for expected in [
        "\"alpha==1.0\"",
        "\"beta==2.0\"",
        "[dependency-groups]",
        "\"gamma==3.0\"",
        "exclude-newer = \"7 days\"",
    ] {
        assert!(
            toml.contains(expected),
            "{expected} missing:\n{toml}\n{}",
            run.stdout
        );
    }
    let req = f.read("requirements.txt");
    assert!(
        req.starts_with("# Generated by `cordon init --migrate`"),
        "{req}"
    );
    assert!(
        req.contains("alpha==1.0") && req.contains("--hash=sha256:"),
        "{req}"
    );
    assert!(!req.contains("gamma"), "{req}");
    let dev = f.read("requirements-dev.txt");
    assert!(
        dev.contains("gamma==3.0") && dev.contains("--hash=sha256:"),
        "{dev}"
    );
    assert_hardened(&f);
    // And once migrated, init has nothing left to do.
    let again = init(&f, &index, &["--agents", "none"]).ok();
    assert!(
        again.stdout.contains("already hardened"),
        "{}",
        again.stdout
    );
}

#[test]
fn migration_stops_before_writing_on_what_it_cannot_carry_over() {
    let index = two_package_index();
    let f = Fixture::new(&[(
        "requirements.txt",
        "alpha==1.0\n--extra-index-url https://example.com/extra/simple\nbeta\n",
    )]);
    let before = snapshot(&f.root());
    let run = init(&f, &index, &["--migrate"]).failed();
    assert!(run.stderr.contains("--extra-index-url"), "{}", run.stderr);
    assert!(run.stderr.contains("requirements.txt:2"), "{}", run.stderr);
    assert_eq!(snapshot(&f.root()), before);

    let f = Fixture::new(&[("requirements.txt", "-e ./libs/missing\n")]);
    let run = init(&f, &index, &["--migrate"]).failed();
    assert!(run.stderr.contains("does not exist"), "{}", run.stderr);
    assert!(!f.root().join("pyproject.toml").exists());
}

#[test]
fn an_invalid_pyproject_is_never_rewritten() {
    let index = two_package_index();
    let broken = "[project]\nname = \"demo\"\ndependencies = [\"alpha\"\n";
    let f = Fixture::pyproject(broken);
    let run = init(&f, &index, &[]).failed();
    assert!(run.stderr.contains("pyproject.toml:"), "{}", run.stderr);
    assert_eq!(f.read("pyproject.toml"), broken);
    // Nor one whose [tool.uv] uv would ignore: the new settings would be ignored with it.
    let f = Fixture::pyproject(&pyproject(
        &["alpha==1.0"],
        "[tool.uv]\nexclude-newr = \"7 days\"\n",
    ));
    let before = f.read("pyproject.toml");
    let run = init(&f, &index, &[]).failed();
    assert!(run.stderr.contains("exclude-newr"), "{}", run.stderr);
    assert_eq!(f.read("pyproject.toml"), before);
}

#[test]
fn check_fix_repairs_the_fixable_findings() {
    let index = two_package_index();
    let f = Fixture::pyproject(&pyproject(
        &["alpha>=1", "beta==2.0"],
        "[tool.uv]\nindex-strategy = \"unsafe-best-match\"\n",
    ));
    f.lock(&index);
    let root = f.root();
    let run = cordon(
        f.tmp(),
        &index,
        &["check", root.to_str().unwrap(), "--fix", "--format", "json"],
    );
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}\n--- stdout\n{}\n--- stderr\n{}",
            run.stdout, run.stderr
        )
    });
    let ids: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    for fixed in [
        "cooldown-missing",
        "bounds-not-exact",
        "uv-version-unpinned",
        "index-strategy-unsafe",
        "dependency-not-exact",
        "lockfile-stale",
    ] {
        assert!(
            !ids.contains(&fixed),
            "{fixed} still reported: {ids:?}\n{}",
            run.stderr
        );
    }
    let toml = f.read("pyproject.toml");
    assert!(
        toml.contains("\"alpha==1.0\"") && !toml.contains("index-strategy"),
        "{toml}"
    );
    assert!(run.stderr.contains("pyproject.toml"), "{}", run.stderr);
}

/// Copies the directory tree `from` into `to`.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

#[test]
fn the_example_project_is_hardened() {
    let index = crate::example::example_index();
    let f = Fixture::new(&[]);
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/webapp");
    copy_tree(&example, &f.root());
    let run = init(&f, &index, &["--ci", "github"]).ok();
    for expected in [
        "pyproject.toml",
        "uv.lock",
        "AGENTS.md",
        "CLAUDE.md (created)",
        ".claude/settings.json",
        ".github/workflows/test.yml",
        ".github/workflows/cordon.yml (created)",
    ] {
        assert!(
            run.stdout.contains(expected),
            "{expected} missing:\n{}",
            run.stdout
        );
    }
    assert_hardened(&f);
    let toml = f.read("pyproject.toml");
    assert!(
        !toml.contains("index-strategy") && !toml.contains("exclude-newer-package"),
        "{toml}"
    );
    let before = snapshot(&f.root());
    let again = init(&f, &index, &["--ci", "github"]).ok();
    assert!(
        again.stdout.contains("already hardened"),
        "{}",
        again.stdout
    );
    assert_eq!(snapshot(&f.root()), before);
}

#[test]
fn migrate_dry_run_shows_the_new_pyproject_and_writes_nothing() {
    let index = two_package_index();
    let f = Fixture::new(&[("requirements.txt", "alpha==1.0\nbeta\n")]);
    let before = snapshot(&f.root());
    let run = init(&f, &index, &["--migrate", "--dry-run", "--agents", "none"]).ok();
    assert_eq!(snapshot(&f.root()), before);
    for expected in [
        "--- /dev/null\n+++ b/pyproject.toml\n",
        "+    \"alpha==1.0\",\n",
        "+exclude-newer = \"7 days\"\n",
        "`requirements.txt` would be rewritten as a hashed export of uv.lock",
    ] {
        assert!(
            run.stdout.contains(expected),
            "{expected:?} missing:\n{}",
            run.stdout
        );
    }
}

#[test]
fn fix_leaves_an_ignored_finding_alone() {
    let index = two_package_index();
    let f = Fixture::pyproject(&pyproject(
        &["alpha==1.0"],
        &format!(
            "{}exclude-newer-package = {{ alpha = false }}  # cordon: ignore[cooldown-exemption] vendor hotfix\n",
            crate::check::GOOD_TOOL_UV
        ),
    ));
    f.lock(&index);
    let before = f.read("pyproject.toml");
    let root = f.root();
    let run = cordon(f.tmp(), &index, &["check", root.to_str().unwrap(), "--fix"]);
    // (The test environment's plain-HTTP `UV_DEFAULT_INDEX` is reported; nothing else is.)
    assert!(
        matches!(run.code, Some(0 | 1)),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    assert!(!run.stdout.contains("cooldown-exemption"), "{}", run.stdout);
    assert_eq!(f.read("pyproject.toml"), before);
}

#[test]
fn a_lock_holding_releases_younger_than_the_cooldown_is_refreshed() {
    // uv measures the cooldown against the real clock, cordon against `--now`: five days in the
    // past, the 10-day-old release is inside the cooldown for cordon, so init must re-lock with
    // `--refresh` (a plain `uv lock`, and `uv lock --check`, keep such a lock as it is).
    let index = IndexServer::start(vec![PackageSpec::new(
        "fresh",
        vec![VersionSpec::new("2.0").uploaded(days_ago(10))],
    )]);
    let f = Fixture::pyproject(&pyproject(&["fresh==2.0"], crate::check::GOOD_TOOL_UV));
    f.lock(&index);
    let earlier = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * 5)).to_string();
    let run = init(&f, &index, &["--agents", "none", "--now", &earlier]).ok();
    assert!(run.stdout.contains("uv lock --refresh"), "{}", run.stdout);
}

#[test]
fn an_agents_md_without_a_policy_gets_one_even_with_no_agent_configured() {
    let index = two_package_index();
    let f = Fixture::new(&[
        ("pyproject.toml", &pyproject(&["alpha==1.0"], "")),
        ("AGENTS.md", "# Notes for agents\n\nRun the tests.\n"),
    ]);
    f.lock(&index);
    init(&f, &index, &[]).ok();
    let agents = f.read("AGENTS.md");
    assert!(
        agents.starts_with("# Notes for agents\n\nRun the tests.\n"),
        "{agents}"
    );
    assert!(
        agents.contains("<!-- cordon:dependency-policy -->"),
        "{agents}"
    );
    assert!(!f.root().join("CLAUDE.md").exists());
    assert_hardened(&f);
    // `--agents none` leaves agent files alone.
    let g = Fixture::new(&[
        ("pyproject.toml", &pyproject(&["alpha==1.0"], "")),
        ("AGENTS.md", "# Notes\n"),
    ]);
    g.lock(&index);
    init(&g, &index, &["--agents", "none"]).ok();
    assert_eq!(g.read("AGENTS.md"), "# Notes\n");
}

#[test]
fn an_unknown_agent_or_ci_is_a_usage_error() {
    let index = two_package_index();
    let f = Fixture::pyproject(&pyproject(&["alpha==1.0"], ""));
    let run = init(&f, &index, &["--agents", "claude,vim"]).failed();
    assert!(
        run.stderr.contains("vim") && run.stderr.contains("codex"),
        "{}",
        run.stderr
    );
    let run = init(&f, &index, &["--ci", "jenkins"]).failed();
    assert!(
        run.stderr.contains("github") && run.stderr.contains("gitlab"),
        "{}",
        run.stderr
    );
}

#[test]
fn offline_runs_uv_from_its_cache_only() {
    let index = two_package_index();
    let f = Fixture::pyproject(&pyproject(&["alpha>=1"], ""));
    f.lock(&index); // warms uv's cache
    let root = f.root();
    let run = cordon(
        f.tmp(),
        &index,
        &[
            "--offline",
            "init",
            root.to_str().unwrap(),
            "--agents",
            "none",
        ],
    )
    .ok();
    assert!(
        run.stdout.contains("uv lock --no-progress --offline"),
        "{}",
        run.stdout
    );
    assert!(f.read("pyproject.toml").contains("\"alpha==1.0\""));
}

#[test]
fn ci_gitlab_appends_a_job_and_keeps_the_file() {
    let index = two_package_index();
    let existing =
        "stages: [test]\n\n# unit tests\ntest:\n  stage: test\n  script:\n    - uv run pytest\n";
    let f = Fixture::new(&[
        ("pyproject.toml", &pyproject(&["alpha==1.0"], "")),
        (".gitlab-ci.yml", existing),
    ]);
    f.lock(&index);
    init(&f, &index, &["--ci", "gitlab", "--agents", "none"]).ok();
    let text = f.read(".gitlab-ci.yml");
    let expected_prefix = existing.replace("uv run pytest", "uv run --locked pytest");
    assert!(text.starts_with(&expected_prefix), "{text}");
    let job = &text[expected_prefix.len()..];
    assert!(job.contains("\ncordon:\n"), "{job}");
    assert!(
        job.contains("uv sync --locked") && job.contains("cordon check"),
        "{job}"
    );
    assert!(job.contains("--version 0.13.9"), "uv is not pinned:\n{job}");
    let again = init(&f, &index, &["--ci", "gitlab", "--agents", "none"]).ok();
    assert!(
        again.stdout.contains("already hardened"),
        "{}",
        again.stdout
    );
}
