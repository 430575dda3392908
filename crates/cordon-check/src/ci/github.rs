//! GitHub Actions: workflows (`.github/workflows/*.yml`) and composite actions (`action.yml`).
//! Every `run:` step becomes a [`Script`] with the `env:` in effect (workflow, job, step) and the
//! effective `shell` and `working-directory` (step, then job and workflow `defaults.run`); every
//! `uses:` (step or reusable-workflow job) becomes an [`ActionUse`] with its `with:` inputs.
//! Expressions (`${{ … }}`) and matrices are left as literal text.

use std::rc::Rc;

use cordon_python::Source;

use super::yaml::{self, Kind, Node, line_span, node_span, scalar_offsets};
use super::{ActionUse, Budget, CiFile, CiKind, EnvVar, MAX_ENV, Script, ScriptForm, ScriptOrigin};

/// Parses a workflow, or a composite action when the file is named `action.yml`/`action.yaml`
/// (or has `runs:` and no `jobs:`). Never fails: invalid YAML, a file that is not a mapping or a
/// misshapen step becomes a problem at its line.
pub fn parse_github(source: &Source) -> CiFile {
    let named_action = source
        .path
        .file_name()
        .is_some_and(|n| n == "action.yml" || n == "action.yaml");
    let kind = if named_action {
        CiKind::GithubAction
    } else {
        CiKind::GithubWorkflow
    };
    let mut file = CiFile::new(&source.path, kind);
    let text: &str = &source.text;
    let doc = yaml::load(text);
    for problem in doc.problems {
        file.problem(problem.span, problem.message);
    }
    let Some(root) = doc.docs.first() else {
        if file.problems.is_empty() {
            file.problem(
                0..0,
                "the file is empty; a workflow is a mapping with `on` and `jobs`",
            );
        }
        return file;
    };
    if let Some(second) = doc.docs.get(1) {
        file.problem(
            line_span(text, second.start),
            "more than one YAML document; only the first is read",
        );
    }
    if !root.is_map() {
        let what = if kind == CiKind::GithubAction {
            "an action"
        } else {
            "a workflow"
        };
        file.problem(
            line_span(text, root.start),
            format!("{what} must be a mapping, not {}", root.describe()),
        );
        return file;
    }
    for (key, span) in doc.duplicates {
        file.problem(
            span,
            format!("duplicate key `{key}`: GitHub rejects a file that repeats a key"),
        );
    }
    if kind == CiKind::GithubWorkflow && root.get("jobs").is_none() && root.get("runs").is_some() {
        file.kind = CiKind::GithubAction;
    }
    let mut parser = Github {
        text,
        file: &mut file,
        budget: Budget::default(),
    };
    if parser.file.kind == CiKind::GithubAction {
        parser.action(root);
    } else {
        parser.workflow(root);
    }
    file
}

#[derive(Debug, Clone, Default)]
struct RunDefaults {
    shell: Option<String>,
    working_directory: Option<String>,
}

struct Github<'a> {
    text: &'a str,
    file: &'a mut CiFile,
    budget: Budget,
}

impl Github<'_> {
    fn workflow(&mut self, root: &Node) {
        let workflow_env = self.env(root.get("env"), "workflow", "env");
        let workflow_defaults =
            self.defaults(root.get("defaults"), &RunDefaults::default(), "defaults");
        let Some(jobs) = root.get("jobs") else {
            self.problem_at(root.start, "the workflow has no `jobs`".into());
            return;
        };
        if !jobs.is_map() {
            self.problem_at(
                jobs.start,
                format!("`jobs` must be a mapping, not {}", jobs.describe()),
            );
            return;
        }
        for (key, job) in jobs.entries() {
            let Some(id) = key.as_str() else {
                continue;
            };
            let path = format!("jobs.{id}");
            if !job.is_map() {
                self.problem_at(
                    job.start,
                    format!("`{path}` must be a mapping, not {}", job.describe()),
                );
                continue;
            }
            let mut env = workflow_env.clone();
            env.extend(self.env(job.get("env"), "job", &format!("{path}.env")));
            let defaults = self.defaults(
                job.get("defaults"),
                &workflow_defaults,
                &format!("{path}.defaults"),
            );
            if let Some(uses) = job.get("uses") {
                self.uses(uses, job.get("with"), path.clone());
            }
            if let Some(steps) = job.get("steps") {
                self.steps(steps, &path, &env, &defaults);
            }
        }
    }

    /// A composite action's `runs.steps` (other kinds of action run no shell text).
    fn action(&mut self, root: &Node) {
        let Some(runs) = root.get("runs") else {
            self.problem_at(root.start, "the action has no `runs`".into());
            return;
        };
        if !runs.is_map() {
            self.problem_at(
                runs.start,
                format!("`runs` must be a mapping, not {}", runs.describe()),
            );
            return;
        }
        if let Some(steps) = runs.get("steps") {
            self.steps(steps, "runs", &[], &RunDefaults::default());
        }
    }

    fn steps(&mut self, steps: &Node, prefix: &str, env: &[EnvVar], defaults: &RunDefaults) {
        let Some(items) = steps.items() else {
            if !steps.is_null() {
                self.problem_at(
                    steps.start,
                    format!(
                        "`{prefix}.steps` must be a sequence, not {}",
                        steps.describe()
                    ),
                );
            }
            return;
        };
        for (i, step) in items.iter().enumerate() {
            let path = format!("{prefix}.steps[{i}]");
            if !step.is_map() {
                self.problem_at(
                    step.start,
                    format!("`{path}` must be a mapping, not {}", step.describe()),
                );
                continue;
            }
            if let Some((key, run)) = step.get_entry("run") {
                let step_env = self.env(step.get("env"), "step", &format!("{path}.env"));
                self.run(key, run, step, &path, [env, &step_env], defaults);
            }
            if let Some(uses) = step.get("uses") {
                self.uses(uses, step.get("with"), path);
            }
        }
    }

    fn run(
        &mut self,
        key: &Node,
        run: &Node,
        step: &Node,
        path: &str,
        env: [&[EnvVar]; 2],
        defaults: &RunDefaults,
    ) {
        let origin = ScriptOrigin {
            path: format!("{path}.run"),
            span: node_span(self.text, key),
        };
        let value = match &run.kind {
            Kind::Scalar { .. } if run.is_null() => {
                self.file
                    .problem(origin.span, format!("`{}` is empty", origin.path));
                return;
            }
            Kind::Scalar { value, .. } => value.clone(),
            Kind::Seq(_) | Kind::Map(_) => {
                self.problem_at(
                    run.start,
                    format!("`{}` must be a string, not {}", origin.path, run.describe()),
                );
                return;
            }
        };
        let env_len = env[0].len() + env[1].len();
        if !self
            .file
            .has_room(&mut self.budget, origin.span.clone(), env_len)
        {
            return;
        }
        let (offsets, _) = scalar_offsets(self.text, run);
        let shell = self
            .string(step.get("shell"), &format!("{path}.shell"))
            .or_else(|| defaults.shell.clone());
        let working_directory = self
            .string(
                step.get("working-directory"),
                &format!("{path}.working-directory"),
            )
            .or_else(|| defaults.working_directory.clone());
        self.file.scripts.push(Script {
            text: value,
            origin,
            env: env.concat(),
            working_directory,
            shell,
            offsets,
            form: ScriptForm::Shell,
        });
    }

    fn uses(&mut self, uses: &Node, with: Option<&Rc<Node>>, origin: String) {
        let Some(name) = uses.as_str().filter(|_| !uses.is_null()) else {
            self.problem_at(
                uses.start,
                format!("`{origin}.uses` must be a string, not {}", uses.describe()),
            );
            return;
        };
        let mut inputs = Vec::new();
        if let Some(with) = with {
            match &with.kind {
                Kind::Map(entries) => {
                    for (k, v) in entries {
                        let Some(input) = k.as_str() else {
                            continue;
                        };
                        let Some(value) = v.as_text() else {
                            self.problem_at(
                                v.start,
                                format!(
                                    "input `{input}` of `{origin}` must be a string, not {}",
                                    v.describe()
                                ),
                            );
                            continue;
                        };
                        inputs.push((input.to_owned(), value.to_owned(), node_span(self.text, v)));
                    }
                }
                Kind::Scalar { .. } if with.is_null() => {}
                _ => self.problem_at(
                    with.start,
                    format!("`{origin}.with` must be a mapping, not {}", with.describe()),
                ),
            }
        }
        self.file.uses.push(ActionUse {
            uses: name.to_owned(),
            with: inputs,
            span: node_span(self.text, uses),
            origin,
        });
    }

    /// `defaults.run.shell` and `defaults.run.working-directory` over `base`.
    fn defaults(&mut self, node: Option<&Rc<Node>>, base: &RunDefaults, path: &str) -> RunDefaults {
        let mut out = base.clone();
        let Some(run) = node.and_then(|n| n.get("run")) else {
            return out;
        };
        if let Some(shell) = self.string(run.get("shell"), &format!("{path}.run.shell")) {
            out.shell = Some(shell);
        }
        if let Some(dir) = self.string(
            run.get("working-directory"),
            &format!("{path}.run.working-directory"),
        ) {
            out.working_directory = Some(dir);
        }
        out
    }

    /// An `env:` mapping. An expression in place of the mapping (`env: ${{ … }}`) names no
    /// variable cordon could know, and yields none.
    fn env(&mut self, node: Option<&Rc<Node>>, scope: &'static str, path: &str) -> Vec<EnvVar> {
        let Some(node) = node else {
            return Vec::new();
        };
        let entries = match &node.kind {
            Kind::Map(entries) => entries,
            Kind::Scalar { .. } => return Vec::new(),
            Kind::Seq(_) => {
                self.problem_at(
                    node.start,
                    format!("`{path}` must be a mapping, not a sequence"),
                );
                return Vec::new();
            }
        };
        if entries.len() > MAX_ENV {
            self.problem_at(
                node.start,
                format!("`{path}` has more than {MAX_ENV} variables; the rest are not read"),
            );
        }
        let mut vars = Vec::with_capacity(entries.len().min(MAX_ENV));
        for (k, v) in entries.iter().take(MAX_ENV) {
            let Some(name) = k.as_str() else {
                continue;
            };
            let Some(value) = v.as_text() else {
                self.problem_at(
                    v.start,
                    format!("`{path}.{name}` must be a string, not {}", v.describe()),
                );
                continue;
            };
            let key_span = node_span(self.text, k);
            let value_span = if v.is_null() {
                key_span.end..key_span.end
            } else {
                node_span(self.text, v)
            };
            vars.push(EnvVar {
                name: name.to_owned(),
                value: value.to_owned(),
                span: key_span.start..value_span.end.max(key_span.end),
                value_span,
                scope,
            });
        }
        vars
    }

    fn string(&mut self, node: Option<&Rc<Node>>, path: &str) -> Option<String> {
        let node = node?;
        match node.as_str() {
            Some(_) if node.is_null() => None,
            Some(s) => Some(s.to_owned()),
            None => {
                self.problem_at(
                    node.start,
                    format!("`{path}` must be a string, not {}", node.describe()),
                );
                None
            }
        }
    }

    fn problem_at(&mut self, at: usize, message: String) {
        self.file.problem(line_span(self.text, at), message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ci::testutil::{assert_maps, line_of, script};

    const WORKFLOW: &str = r#"name: CI
on:
  push:
    branches: [main]
env:
  UV_LOCKED: "1"
  PYTHONUNBUFFERED: 1
defaults:
  run:
    shell: bash
    working-directory: app
jobs:
  test:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        python: ["3.12", "3.13"]
    env:
      UV_EXCLUDE_NEWER: "7 days"
    defaults:
      run:
        working-directory: backend
    steps:
      - uses: actions/checkout@v4
      - name: Install uv
        uses: astral-sh/setup-uv@v6
        with:
          version: "0.9.5"
          enable-cache: true
      - name: Sync and test
        env:
          UV_EXCLUDE_NEWER: false
        run: |
          uv sync --locked
          uv run --python ${{ matrix.python }} pytest -q \
            --cov
      - name: Folded
        run: >
          pip install
          --require-hashes
          -r requirements.txt

          echo done
        working-directory: tools
        shell: sh
      - run: uv pip install "httpx==0.27.0"  # trailing comment
      - run: "pip install \"x==1\"\tquiet"
  call:
    uses: ./.github/workflows/reusable.yml
    with:
      target: prod
"#;

    fn parse(text: &str) -> CiFile {
        parse_github(&Source::from_string(".github/workflows/ci.yml", text))
    }

    #[test]
    fn run_blocks_keep_their_text_and_map_each_word_to_the_file() {
        let f = parse(WORKFLOW);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(f.kind, CiKind::GithubWorkflow);
        let origins: Vec<_> = f.scripts.iter().map(|s| s.origin.path.as_str()).collect();
        assert_eq!(
            origins,
            [
                "jobs.test.steps[2].run",
                "jobs.test.steps[3].run",
                "jobs.test.steps[4].run",
                "jobs.test.steps[5].run",
            ]
        );
        let sync = script(&f, "jobs.test.steps[2].run");
        assert_eq!(
            sync.text,
            "uv sync --locked\nuv run --python ${{ matrix.python }} pytest -q \\\n  --cov\n"
        );
        let at = assert_maps(WORKFLOW, sync, "--locked", 0);
        assert_eq!(line_of(WORKFLOW, at), 34);
        assert_maps(WORKFLOW, sync, "${{ matrix.python }}", 0);
        let cov = assert_maps(WORKFLOW, sync, "--cov", 0);
        assert_eq!(line_of(WORKFLOW, cov), 36);
        assert_eq!(&WORKFLOW[sync.origin.span.clone()], "run");

        let folded = script(&f, "jobs.test.steps[3].run");
        assert_eq!(
            folded.text,
            "pip install --require-hashes -r requirements.txt\necho done\n"
        );
        let at = assert_maps(WORKFLOW, folded, "--require-hashes", 0);
        assert_eq!(line_of(WORKFLOW, at), 40);
        assert_maps(WORKFLOW, folded, "requirements.txt", 0);
        assert_maps(WORKFLOW, folded, "done", 0);

        let plain = script(&f, "jobs.test.steps[4].run");
        assert_eq!(plain.text, "uv pip install \"httpx==0.27.0\"");
        assert_maps(WORKFLOW, plain, "\"httpx==0.27.0\"", 0);
        assert_eq!(&WORKFLOW[plain.span()], "uv pip install \"httpx==0.27.0\"");

        let quoted = script(&f, "jobs.test.steps[5].run");
        assert_eq!(quoted.text, "pip install \"x==1\"\tquiet");
        assert_maps(WORKFLOW, quoted, "install", 0);
        assert_maps(WORKFLOW, quoted, "quiet", 0);
        // an escape maps to its escape sequence
        let q = quoted.text.find('"').expect("quote");
        assert_eq!(&WORKFLOW[quoted.offsets.to_file_range(q..q + 1)], "\\\"");
    }

    #[test]
    fn truncated_and_mangled_workflows_never_panic() {
        crate::ci::testutil::assert_robust(parse_github, "ci.yml", WORKFLOW);
    }

    #[test]
    fn env_is_collected_at_three_levels_outermost_first() {
        let f = parse(WORKFLOW);
        let sync = script(&f, "jobs.test.steps[2].run");
        let names: Vec<_> = sync
            .env
            .iter()
            .map(|v| (v.scope, v.name.as_str(), v.value.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("workflow", "UV_LOCKED", "1"),
                ("workflow", "PYTHONUNBUFFERED", "1"),
                ("job", "UV_EXCLUDE_NEWER", "7 days"),
                ("step", "UV_EXCLUDE_NEWER", "false"),
            ]
        );
        let effective = sync.env_var("UV_EXCLUDE_NEWER").expect("set");
        assert_eq!(effective.scope, "step");
        assert_eq!(&WORKFLOW[effective.span.clone()], "UV_EXCLUDE_NEWER: false");
        assert_eq!(&WORKFLOW[effective.value_span.clone()], "false");
        assert_eq!(line_of(WORKFLOW, effective.span.start), 32);
        let locked = sync.env_var("UV_LOCKED").expect("set");
        assert_eq!(&WORKFLOW[locked.value_span.clone()], "\"1\"");
        // the folded step has no step env
        let folded = script(&f, "jobs.test.steps[3].run");
        assert_eq!(
            folded.env_var("UV_EXCLUDE_NEWER").map(|v| v.scope),
            Some("job")
        );
    }

    #[test]
    fn shell_and_working_directory_resolve_step_then_job_then_workflow() {
        let f = parse(WORKFLOW);
        let sync = script(&f, "jobs.test.steps[2].run");
        assert_eq!(sync.working_directory.as_deref(), Some("backend"));
        assert_eq!(sync.shell.as_deref(), Some("bash"));
        let folded = script(&f, "jobs.test.steps[3].run");
        assert_eq!(folded.working_directory.as_deref(), Some("tools"));
        assert_eq!(folded.shell.as_deref(), Some("sh"));
    }

    #[test]
    fn uses_steps_and_reusable_workflows_carry_their_inputs() {
        let f = parse(WORKFLOW);
        let uses: Vec<_> = f
            .uses
            .iter()
            .map(|u| (u.origin.as_str(), u.uses.as_str()))
            .collect();
        assert_eq!(
            uses,
            [
                ("jobs.test.steps[0]", "actions/checkout@v4"),
                ("jobs.test.steps[1]", "astral-sh/setup-uv@v6"),
                ("jobs.call", "./.github/workflows/reusable.yml"),
            ]
        );
        let setup = &f.uses[1];
        assert_eq!(setup.action(), "astral-sh/setup-uv");
        assert_eq!(&WORKFLOW[setup.span.clone()], "astral-sh/setup-uv@v6");
        let (version, span) = setup.input("version").expect("version");
        assert_eq!(version, "0.9.5");
        assert_eq!(&WORKFLOW[span.clone()], "\"0.9.5\"");
        assert_eq!(line_of(WORKFLOW, span.start), 28);
        assert_eq!(setup.input("enable-cache").map(|(v, _)| v), Some("true"));
        assert_eq!(f.uses[2].input("target").map(|(v, _)| v), Some("prod"));
    }

    #[test]
    fn composite_actions_read_runs_steps() {
        let text = "name: setup\nruns:\n  using: composite\n  steps:\n    - uses: astral-sh/setup-uv@v6\n    - shell: bash\n      env:\n        UV_FROZEN: 1\n      run: |\n        uv sync\n";
        let f = parse_github(&Source::from_string(
            ".github/actions/setup/action.yml",
            text,
        ));
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(f.kind, CiKind::GithubAction);
        let s = script(&f, "runs.steps[1].run");
        assert_eq!(s.text, "uv sync\n");
        assert_eq!(s.shell.as_deref(), Some("bash"));
        assert_eq!(s.env_var("UV_FROZEN").map(|v| v.scope), Some("step"));
        assert_maps(text, s, "sync", 0);
        assert_eq!(f.uses[0].origin, "runs.steps[0]");
        // content decides when the name does not
        let g = parse_github(&Source::from_string("ci/composite.yml", text));
        assert_eq!(g.kind, CiKind::GithubAction);
        assert_eq!(g.scripts.len(), 1);
    }

    #[test]
    fn anchors_in_workflows_resolve() {
        let text = "jobs:\n  a:\n    env: &e\n      UV_LOCKED: 1\n    steps:\n      - &s\n        run: uv sync\n  b:\n    env: *e\n    steps:\n      - *s\n";
        let f = parse(text);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(f.scripts.len(), 2);
        let b = script(&f, "jobs.b.steps[0].run");
        assert_eq!(b.env_var("UV_LOCKED").map(|v| v.scope), Some("job"));
        assert_maps(text, b, "sync", 0);
    }

    #[test]
    fn invalid_yaml_is_a_problem_at_its_line() {
        let text = "on: push\njobs:\n  test:\n    steps:\n      - run: uv sync\n        env: {A: 1\n      - run: echo\n";
        let f = parse(text);
        assert!(f.scripts.is_empty());
        assert_eq!(f.problems.len(), 1);
        assert!(
            f.problems[0].message.starts_with("invalid YAML"),
            "{:?}",
            f.problems
        );
        assert_eq!(line_of(text, f.problems[0].span.start), 7);
        let text = "on: push\njobs:\n  test:\n   steps: [\n  - bad\n";
        let f = parse(text);
        assert!(f.scripts.is_empty());
        assert!(!f.problems.is_empty());
        assert!(line_of(text, f.problems[0].span.start) >= 4);
    }

    #[test]
    fn a_workflow_that_is_not_a_mapping_is_a_problem() {
        let f = parse("- run: uv sync\n- run: pip install x\n");
        assert!(f.scripts.is_empty());
        assert_eq!(f.problems.len(), 1);
        assert_eq!(
            f.problems[0].message,
            "a workflow must be a mapping, not a sequence"
        );
        assert_eq!(f.problems[0].span.start, 0);
        let f = parse("\n\njust a string\n");
        assert_eq!(
            f.problems[0].message,
            "a workflow must be a mapping, not a scalar"
        );
        assert_eq!(line_of("\n\njust a string\n", f.problems[0].span.start), 3);
        let f = parse("");
        assert_eq!(f.problems.len(), 1);
        let f = parse("# only a comment\n");
        assert_eq!(f.problems.len(), 1);
    }

    #[test]
    fn non_string_runs_and_misshapen_steps_are_problems_at_their_lines() {
        let text = "jobs:\n  t:\n    steps:\n      - run:\n          - uv sync\n      - run: {a: b}\n      - run:\n      - just a string\n      - run: 42\n      - run: uv sync --frozen\n";
        let f = parse(text);
        let problems: Vec<_> = f
            .problems
            .iter()
            .map(|p| (line_of(text, p.span.start), p.message.as_str()))
            .collect();
        assert_eq!(
            problems,
            [
                (5, "`jobs.t.steps[0].run` must be a string, not a sequence"),
                (6, "`jobs.t.steps[1].run` must be a string, not a mapping"),
                (7, "`jobs.t.steps[2].run` is empty"),
                (8, "`jobs.t.steps[3]` must be a mapping, not a scalar"),
            ]
        );
        // a number is shell text like any other; the good step is still read
        assert_eq!(script(&f, "jobs.t.steps[4].run").text, "42");
        assert_eq!(script(&f, "jobs.t.steps[5].run").text, "uv sync --frozen");
    }

    #[test]
    fn hostile_nesting_is_a_problem_not_a_crash() {
        let text = format!(
            "jobs:\n  t:\n    steps:\n      - run: {}x\n",
            "[".repeat(100_000)
        );
        let f = parse(&text);
        assert!(f.scripts.is_empty());
        assert_eq!(f.problems.len(), 1, "{:?}", f.problems);
        assert_eq!(line_of(&text, f.problems[0].span.start), 4);
        let text = format!("jobs:\n{}", "  - ".repeat(50_000));
        let f = parse(&text);
        assert!(
            f.problems[0].message.contains("nesting deeper than"),
            "{:?}",
            f.problems
        );
    }

    #[test]
    fn duplicate_keys_and_missing_jobs_are_reported() {
        let text = "on: push\njobs:\n  t:\n    steps:\n      - run: a\n        run: b\n";
        let f = parse(text);
        assert_eq!(f.problems.len(), 1);
        assert_eq!(line_of(text, f.problems[0].span.start), 6);
        assert_eq!(script(&f, "jobs.t.steps[0].run").text, "b");
        let f = parse("on: push\nname: x\n");
        assert_eq!(f.problems[0].message, "the workflow has no `jobs`");
    }
}
