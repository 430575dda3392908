//! CI and container files as cordon sees them: the shell commands that GitHub Actions workflows
//! and composite actions, GitLab CI files and Dockerfiles run, each with the environment in effect
//! and an exact map from the command text back to the file, plus the actions a workflow uses.
//!
//! Parsing never fails: input that cannot be read becomes a [`CiProblem`] at its line, and the
//! rest is still modelled where that is sound. Understanding the shell text is `cordon-shell`'s
//! job and judging it is the checks'; this module only hands the text over, verbatim, with its
//! positions.
//!
//! What is not resolved (on purpose, and said here so nobody relies on it): GitLab `extends:`,
//! `include:` and `!reference` tags, GitHub expressions (`${{ … }}` stay literal text), matrix
//! expansion, and Dockerfile variable substitution (`$VAR` stays literal).

mod dockerfile;
mod github;
mod gitlab;
mod offsets;
mod yaml;

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use cordon_python::Source;

pub use dockerfile::parse_dockerfile;
pub use github::parse_github;
pub use gitlab::parse_gitlab;
pub use offsets::OffsetMap;

/// Files larger than this are not parsed (a problem says so): CI files are small, and the cap
/// keeps a hostile file from costing more than a few milliseconds.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;

/// Scripts read from one file: real CI files have a few hundred at most, and every script
/// carries a copy of its environment.
pub const MAX_SCRIPTS: usize = 5_000;

/// Variables read from one level (`env:`, `variables:`, a Dockerfile stage).
pub const MAX_ENV: usize = 256;

/// Problems listed for one file; one more says the rest were left out.
const MAX_PROBLEMS: usize = 100;

/// Environment variables copied into the scripts of one file (each script holds its own).
pub const MAX_ENV_COPIES: usize = 200_000;

const TOO_MANY_SCRIPTS: &str = "more than 5000 scripts (or 200000 environment variables in \
                                their environments); the rest of the file is not read";

/// What kind of file a [`CiFile`] was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CiKind {
    /// `.github/workflows/*.yml`.
    GithubWorkflow,
    /// `action.yml` / `action.yaml` (composite actions run shell steps).
    GithubAction,
    /// `.gitlab-ci.yml`.
    Gitlab,
    /// `Dockerfile`, `Containerfile`, `*.Dockerfile`, `Dockerfile.*`.
    Dockerfile,
}

impl CiKind {
    /// The kind a path names, from its file name (and, for workflows, its directory); `None` for
    /// a file cordon does not read as CI.
    pub fn detect(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?;
        if name == "action.yml" || name == "action.yaml" {
            return Some(Self::GithubAction);
        }
        if name == ".gitlab-ci.yml" || name == ".gitlab-ci.yaml" {
            return Some(Self::Gitlab);
        }
        if is_container_file_name(name) {
            return Some(Self::Dockerfile);
        }
        let is_yaml = Path::new(name)
            .extension()
            .is_some_and(|e| e == "yml" || e == "yaml");
        let in_workflows = path
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|d| d == "workflows");
        if is_yaml && in_workflows {
            return Some(Self::GithubWorkflow);
        }
        None
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::GithubWorkflow => "github-workflow",
            Self::GithubAction => "github-action",
            Self::Gitlab => "gitlab",
            Self::Dockerfile => "dockerfile",
        }
    }
}

impl fmt::Display for CiKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One parsed CI or container file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiFile {
    pub path: PathBuf,
    pub kind: CiKind,
    /// Every shell command text the file runs, in file order.
    pub scripts: Vec<Script>,
    /// GitHub only: every `uses:` (steps, and jobs calling reusable workflows), in file order.
    pub uses: Vec<ActionUse>,
    /// What could not be read: invalid syntax, wrong shapes, limits hit. Never fatal.
    pub problems: Vec<CiProblem>,
}

impl CiFile {
    pub(crate) fn new(path: &Path, kind: CiKind) -> Self {
        Self {
            path: path.to_path_buf(),
            kind,
            scripts: Vec::new(),
            uses: Vec::new(),
            problems: Vec::new(),
        }
    }

    pub(crate) fn problem(&mut self, span: Range<usize>, message: impl Into<String>) {
        let message = match self.problems.len() {
            n if n < MAX_PROBLEMS => message.into(),
            MAX_PROBLEMS => format!("more than {MAX_PROBLEMS} problems; the rest are not listed"),
            _ => return,
        };
        self.problems.push(CiProblem { span, message });
    }

    /// Whether another script, with `env` variables, may be added under `budget`; the first
    /// refusal is recorded as a problem at `span`.
    pub(crate) fn has_room(&mut self, budget: &mut Budget, span: Range<usize>, env: usize) -> bool {
        if budget.exhausted {
            return false;
        }
        if self.scripts.len() < MAX_SCRIPTS && budget.env_copies + env <= MAX_ENV_COPIES {
            budget.env_copies += env;
            return true;
        }
        budget.exhausted = true;
        self.problem(span, TOO_MANY_SCRIPTS);
        false
    }
}

/// What a parser has spent on one file (see [`CiFile::has_room`]).
#[derive(Debug, Default)]
pub(crate) struct Budget {
    env_copies: usize,
    exhausted: bool,
}

/// A shell command text as the runner executes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    /// The text: a YAML scalar's value (block scalars folded or kept as YAML defines, quoted
    /// scalars unescaped), GitLab list items joined with `\n`, a Dockerfile instruction with its
    /// continuations joined as Docker joins them (escape and line break removed, comment lines
    /// dropped), an exec-form argument list quoted for a POSIX shell, or a heredoc's body.
    pub text: String,
    pub origin: ScriptOrigin,
    /// The environment in effect, outermost first: workflow, job, step `env:` for GitHub; global
    /// then job `variables:` for GitLab; `ARG` and `ENV` before the `RUN` in its stage for
    /// Dockerfiles. A later entry with the same name overrides an earlier one ([`Script::env_var`]
    /// finds the one in effect).
    pub env: Vec<EnvVar>,
    /// The effective working directory, when the file sets one (GitHub `working-directory` or
    /// `defaults.run.working-directory`; Dockerfile `WORKDIR`).
    pub working_directory: Option<String>,
    /// The shell, when the file sets one (GitHub `shell:` or `defaults.run.shell`; Dockerfile
    /// `SHELL`, as its words joined by spaces; a heredoc script's `#!` interpreter). `None` is
    /// the runner's default (`bash -e` on GitHub's Linux runners, `/bin/sh -c` in Docker, the
    /// runner's shell on GitLab), and always for the exec form, which runs no shell.
    pub shell: Option<String>,
    /// Byte offsets in `text` → byte offsets in the file.
    pub offsets: OffsetMap,
    pub form: ScriptForm,
}

impl Script {
    /// The variable `name` in effect for this script (the innermost definition).
    pub fn env_var(&self, name: &str) -> Option<&EnvVar> {
        self.env.iter().rev().find(|v| v.name == name)
    }

    /// The span in the file that the whole text comes from.
    pub fn span(&self) -> Range<usize> {
        self.offsets.to_file_range(0..self.text.len())
    }
}

/// How the runner hands a [`Script`] to a program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScriptForm {
    /// Run by a shell (the usual case).
    Shell,
    /// Dockerfile exec form (`RUN ["pip", "install", "x"]`): no shell runs; `text` is the
    /// argument list quoted so that a POSIX shell would split it into the same words.
    Exec,
    /// Dockerfile `RUN <<EOF` whose only argument is the heredoc: the body runs as a script, by
    /// its `#!` interpreter when it has one (see [`Script::shell`]).
    HeredocScript,
}

/// Where a [`Script`] comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptOrigin {
    /// A path naming the place: `jobs.test.steps[2].run`, `runs.steps[0].run`, `test.script`,
    /// `default.before_script`, `RUN`, `ONBUILD RUN`.
    pub path: String,
    /// The span of the key or instruction keyword that introduces the script (`run`, `script`,
    /// `RUN`), for findings about the script as a whole.
    pub span: Range<usize>,
}

impl fmt::Display for ScriptOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)
    }
}

/// One environment variable definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    pub name: String,
    /// The value as the file gives it (unquoted; expressions and `$VAR` references literal).
    pub value: String,
    /// The whole definition in the file (`NAME: value`, `NAME=value`).
    pub span: Range<usize>,
    /// The value alone in the file (empty at the end of the name when there is no value).
    pub value_span: Range<usize>,
    /// `workflow`, `job`, `step` (GitHub); `global`, `job` (GitLab); `ARG`, `ENV` (Dockerfile).
    pub scope: &'static str,
}

/// A GitHub `uses:` (an action in a step, or a reusable workflow called by a job).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionUse {
    /// As written: `astral-sh/setup-uv@v6`, `./.github/actions/x`, `docker://…`.
    pub uses: String,
    /// `with:` inputs: name, value (scalars as written), span of the value in the file.
    pub with: Vec<(String, String, Range<usize>)>,
    /// The span of the `uses` value.
    pub span: Range<usize>,
    /// `jobs.test.steps[0]`, `jobs.call`, `runs.steps[1]`.
    pub origin: String,
}

impl ActionUse {
    /// The action without its ref: `astral-sh/setup-uv` for `astral-sh/setup-uv@v6`.
    pub fn action(&self) -> &str {
        self.uses.split_once('@').map_or(&self.uses, |(a, _)| a)
    }

    /// The ref after `@`, if any: `v6`, a tag, a branch or a commit SHA.
    pub fn git_ref(&self) -> Option<&str> {
        self.uses.split_once('@').map(|(_, r)| r)
    }

    /// The `with:` input `name`: its value and the value's span.
    pub fn input(&self, name: &str) -> Option<(&str, Range<usize>)> {
        self.with
            .iter()
            .rev()
            .find(|(n, _, _)| n == name)
            .map(|(_, v, s)| (v.as_str(), s.clone()))
    }
}

/// Something in a CI file that could not be read as intended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiProblem {
    pub span: Range<usize>,
    pub message: String,
}

/// Parses `source` by the kind its path names ([`CiKind::detect`]); `None` for other files.
pub fn parse(source: &Source) -> Option<CiFile> {
    Some(match CiKind::detect(&source.path)? {
        CiKind::GithubWorkflow | CiKind::GithubAction => parse_github(source),
        CiKind::Gitlab => parse_gitlab(source),
        CiKind::Dockerfile => parse_dockerfile(source),
    })
}

/// Directories never searched for container files.
const SKIP_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    ".venv",
    "venv",
    "target",
    "__pycache__",
    ".tox",
    ".nox",
];

/// The CI and container files of the project at `root`, sorted: `.github/workflows/*.yml` and
/// `*.yaml`; `action.yml`/`action.yaml` at the root and in `.github/actions/*/`; `.gitlab-ci.yml`;
/// `Dockerfile`, `Containerfile`, `*.Dockerfile`, `Dockerfile.*` (and `Containerfile.*`) at the
/// root and one directory down, skipping `.git`, `node_modules`, `.venv`, `target` and similar.
/// Unreadable directories are skipped; symbolic links to directories are not followed.
pub fn discover(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in dir_entries(&root.join(".github").join("workflows")) {
        let is_yaml = entry.extension().is_some_and(|e| e == "yml" || e == "yaml");
        if is_yaml && entry.is_file() {
            found.push(entry);
        }
    }
    let action_dirs = std::iter::once(root.to_path_buf()).chain(
        dir_entries(&root.join(".github").join("actions"))
            .into_iter()
            .filter(|d| is_real_dir(d)),
    );
    for dir in action_dirs {
        for name in ["action.yml", "action.yaml"] {
            let path = dir.join(name);
            if path.is_file() {
                found.push(path);
            }
        }
    }
    for name in [".gitlab-ci.yml", ".gitlab-ci.yaml"] {
        let path = root.join(name);
        if path.is_file() {
            found.push(path);
        }
    }
    for entry in dir_entries(root) {
        let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if is_real_dir(&entry) {
            if SKIP_DIRS.contains(&name) {
                continue;
            }
            for inner in dir_entries(&entry) {
                if is_container_path(&inner) {
                    found.push(inner);
                }
            }
        } else if is_container_path(&entry) {
            found.push(entry);
        }
    }
    found.sort();
    found.dedup();
    found
}

fn dir_entries(dir: &Path) -> Vec<PathBuf> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    read.filter_map(Result::ok).map(|e| e.path()).collect()
}

fn is_real_dir(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

fn is_container_path(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(is_container_file_name)
        && path.is_file()
}

/// `Dockerfile`, `Containerfile`, `x.Dockerfile`, `Dockerfile.x`, `Containerfile.x` (any case),
/// but not `Dockerfile.dockerignore` and the like, which only sit beside one.
fn is_container_file_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let extension = Path::new(&lower).extension();
    if extension.is_some_and(|e| e == "dockerignore" || e == "md") {
        return false;
    }
    lower == "dockerfile"
        || lower == "containerfile"
        || lower.starts_with("dockerfile.")
        || lower.starts_with("containerfile.")
        || (lower.ends_with(".dockerfile") && lower.len() > ".dockerfile".len())
        || (lower.ends_with(".containerfile") && lower.len() > ".containerfile".len())
}

/// Shared helpers for the parsers' tests.
#[cfg(test)]
pub(crate) mod testutil {
    use super::{CiFile, Script};

    /// Asserts that the `nth` occurrence of `word` in the script's text maps to the same word in
    /// the file, and returns the file offset.
    #[track_caller]
    pub fn assert_maps(file_text: &str, script: &Script, word: &str, nth: usize) -> usize {
        let (at, _) = script
            .text
            .match_indices(word)
            .nth(nth)
            .unwrap_or_else(|| panic!("`{word}` #{nth} not in script text {:?}", script.text));
        let range = script.offsets.to_file_range(at..at + word.len());
        assert_eq!(
            &file_text[range.clone()],
            word,
            "`{word}` maps to {range:?} in the file; text {:?}",
            script.text
        );
        assert_eq!(script.offsets.to_file(at), range.start);
        range.start
    }

    /// 1-based line of a byte offset.
    pub fn line_of(text: &str, offset: usize) -> usize {
        text[..offset].matches('\n').count() + 1
    }

    /// Parses every prefix of `text` (cut at every `step`-th character), and `text` with
    /// multi-byte characters, tabs and CRLF line breaks worked in, and checks that nothing
    /// panics and that every offset map lands on character boundaries inside the file.
    pub fn assert_robust(parse: fn(&cordon_python::Source) -> CiFile, name: &str, text: &str) {
        let mut variants: Vec<String> = Vec::new();
        let boundaries: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        for at in boundaries.iter().step_by(5) {
            variants.push(text[..*at].to_string());
        }
        variants.push(text.replace('\n', "\r\n"));
        variants.push(text.replace("uv", "üv☕"));
        variants.push(text.replace(' ', "\t"));
        variants.push(text.replace(':', "é:"));
        for variant in &variants {
            let source = cordon_python::Source::from_string(name, variant.as_str());
            let file = parse(&source);
            for problem in &file.problems {
                assert!(problem.span.end <= variant.len());
                assert!(variant.is_char_boundary(problem.span.start));
            }
            for script in &file.scripts {
                for (i, _) in script.text.char_indices().chain([(script.text.len(), ' ')]) {
                    let at = script.offsets.to_file(i);
                    assert!(at <= variant.len() && variant.is_char_boundary(at), "{at}");
                    let r = script.offsets.to_file_range(i..script.text.len());
                    assert!(r.start <= r.end && r.end <= variant.len());
                    assert!(variant.is_char_boundary(r.end), "{r:?}");
                }
            }
        }
    }

    pub fn script<'a>(file: &'a CiFile, origin: &str) -> &'a Script {
        file.scripts
            .iter()
            .find(|s| s.origin.path == origin)
            .unwrap_or_else(|| {
                let all: Vec<_> = file.scripts.iter().map(|s| &s.origin.path).collect();
                panic!("no script at {origin}; have {all:?}")
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_kinds_from_paths() {
        let k = |p: &str| CiKind::detect(Path::new(p));
        assert_eq!(k(".github/workflows/ci.yml"), Some(CiKind::GithubWorkflow));
        assert_eq!(
            k("x/.github/workflows/ci.yaml"),
            Some(CiKind::GithubWorkflow)
        );
        assert_eq!(k("action.yml"), Some(CiKind::GithubAction));
        assert_eq!(
            k(".github/actions/setup/action.yaml"),
            Some(CiKind::GithubAction)
        );
        assert_eq!(k(".gitlab-ci.yml"), Some(CiKind::Gitlab));
        assert_eq!(k("Dockerfile"), Some(CiKind::Dockerfile));
        assert_eq!(k("docker/Containerfile"), Some(CiKind::Dockerfile));
        assert_eq!(k("api.Dockerfile"), Some(CiKind::Dockerfile));
        assert_eq!(k("Dockerfile.dev"), Some(CiKind::Dockerfile));
        assert_eq!(k("Dockerfile.dockerignore"), None);
        assert_eq!(k(".Dockerfile"), None);
        assert_eq!(k("ci.yml"), None);
        assert_eq!(k("README.md"), None);
    }

    #[test]
    fn discovers_ci_files_and_skips_vendored_directories() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let files = [
            ".github/workflows/ci.yml",
            ".github/workflows/release.yaml",
            ".github/workflows/notes.txt",
            ".github/workflows/nested/deep.yml",
            ".github/actions/setup/action.yml",
            "action.yaml",
            ".gitlab-ci.yml",
            "Dockerfile",
            "Containerfile",
            "api.Dockerfile",
            "Dockerfile.dev",
            "Dockerfile.dockerignore",
            "docker/Dockerfile",
            ".devcontainer/Dockerfile",
            "a/b/Dockerfile",
            "node_modules/x/Dockerfile",
            "node_modules/Dockerfile",
            ".venv/Dockerfile",
            "target/Dockerfile",
            ".git/Dockerfile",
        ];
        for f in files {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(&p, "x").expect("write");
        }
        let found: Vec<String> = discover(root)
            .iter()
            .map(|p| {
                p.strip_prefix(root)
                    .expect("under root")
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        assert_eq!(
            found,
            [
                ".devcontainer/Dockerfile",
                ".github/actions/setup/action.yml",
                ".github/workflows/ci.yml",
                ".github/workflows/release.yaml",
                ".gitlab-ci.yml",
                "Containerfile",
                "Dockerfile",
                "Dockerfile.dev",
                "action.yaml",
                "api.Dockerfile",
                "docker/Dockerfile",
            ]
        );
    }

    #[test]
    fn parse_dispatches_on_the_path() {
        let src = Source::from_string("Dockerfile", "FROM x\nRUN echo hi\n");
        let file = parse(&src).expect("a dockerfile");
        assert_eq!(file.kind, CiKind::Dockerfile);
        assert_eq!(file.scripts[0].text, "echo hi");
        assert!(parse(&Source::from_string("notes.txt", "x")).is_none());
    }

    #[test]
    fn action_use_splits_its_ref() {
        let u = ActionUse {
            uses: "astral-sh/setup-uv@v6".into(),
            with: vec![("version".into(), "0.9.1".into(), 3..8)],
            span: 0..1,
            origin: "jobs.a.steps[0]".into(),
        };
        assert_eq!(u.action(), "astral-sh/setup-uv");
        assert_eq!(u.git_ref(), Some("v6"));
        assert_eq!(u.input("version"), Some(("0.9.1", 3..8)));
        assert_eq!(u.input("python-version"), None);
    }
}
