//! GitLab CI (`.gitlab-ci.yml`): the `before_script`, `script` and `after_script` of every job
//! (hidden `.template` jobs included) and of `default:`, plus `hooks.pre_get_sources_script`,
//! each with the global then job `variables:` in effect (honouring `inherit: variables:`).
//!
//! A script given as a list (nested lists from anchors included) becomes one [`Script`] whose
//! items are joined with `\n`, the way the runner feeds them to one shell. YAML anchors and `<<`
//! merge keys are resolved (so a job merging a template gets the template's scripts, mapped to
//! the template's lines); GitLab's own `extends:`, `include:` and `!reference [...]` are not
//! (their scripts are read where they are written, `!reference` items are skipped).

use std::rc::Rc;

use cordon_python::Source;

use super::offsets::OffsetMap;
use super::yaml::{self, Kind, MAX_DEPTH, Node, line_span, node_span, scalar_offsets};
use super::{
    Budget, CiFile, CiKind, EnvVar, MAX_ENV, MAX_SCRIPTS, Script, ScriptForm, ScriptOrigin,
};

/// Top-level keys that are not jobs.
const RESERVED: &[&str] = &[
    "default",
    "include",
    "stages",
    "variables",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
    "spec",
    "types",
];

const SCRIPT_KEYS: &[&str] = &["before_script", "script", "after_script"];

/// Items read from one script (lists of lists of aliases can expand a lot).
const MAX_SCRIPT_ITEMS: usize = 10_000;

/// Parses a GitLab CI file. Never fails: invalid YAML, a file that is not a mapping or a
/// misshapen script becomes a problem at its line.
///
/// `extends:` is not resolved: a job that extends a template does not get the template's
/// scripts or variables here; they are read (once) on the template, which is a hidden job.
/// Repeated keys are not reported: GitLab keeps the last, and so does this parser.
pub fn parse_gitlab(source: &Source) -> CiFile {
    let mut file = CiFile::new(&source.path, CiKind::Gitlab);
    let text: &str = &source.text;
    let doc = yaml::load(text);
    for problem in doc.problems {
        file.problem(problem.span, problem.message);
    }
    // a CI/CD component's header document (`spec:`) comes before the pipeline
    let (root, extra) = match doc.docs.as_slice() {
        [] => {
            if file.problems.is_empty() {
                file.problem(
                    0..0,
                    "the file is empty; a GitLab CI file is a mapping of jobs",
                );
            }
            return file;
        }
        [header, body, rest @ ..] if header.get("spec").is_some() => (body, rest.first()),
        [first, rest @ ..] => (first, rest.first()),
    };
    if let Some(extra) = extra {
        file.problem(
            line_span(text, extra.start),
            "more than one YAML document; only the pipeline's is read",
        );
    }
    if !root.is_map() {
        file.problem(
            line_span(text, root.start),
            format!(
                "a GitLab CI file must be a mapping, not {}",
                root.describe()
            ),
        );
        return file;
    }
    let mut parser = Gitlab {
        text,
        file: &mut file,
        budget: Budget::default(),
    };
    let global = parser.variables(root.get("variables"), "global", "variables");
    for key in ["before_script", "after_script"] {
        if let Some((k, v)) = root.get_entry(key)
            && parser
                .file
                .has_room(&mut parser.budget, line_span(text, k.start), global.len())
        {
            parser.script(k, v, key.to_owned(), &global);
        }
    }
    let default = root.get("default").filter(|d| d.is_map());
    // `default:` scripts run inside every job that does not set its own, with that job's
    // variables; they are analysed once per such job (findings at the same line are merged).
    let mut default_users: Vec<(String, Vec<EnvVar>, [bool; 2])> = Vec::new();
    let mut jobs = 0usize;
    for (key, job) in root.entries() {
        let Some(name) = key.as_str() else {
            continue;
        };
        if RESERVED.contains(&name) || !job.is_map() {
            continue;
        }
        let runs_something =
            SCRIPT_KEYS.iter().any(|k| job.get(k).is_some()) || job.get("hooks").is_some();
        if !runs_something {
            continue;
        }
        jobs += 1;
        if jobs > MAX_SCRIPTS {
            parser.file.problem(
                line_span(text, key.start),
                format!("more than {MAX_SCRIPTS} jobs; the rest of the file is not read"),
            );
            break;
        }
        let mut env = Gitlab::inherited(&global, job.get("inherit"));
        env.extend(parser.variables(job.get("variables"), "job", &format!("{name}.variables")));
        parser.scripts_of(job, name, &env, SCRIPT_KEYS);
        let own = [
            job.get("before_script").is_some(),
            job.get("after_script").is_some(),
        ];
        if !name.starts_with('.') && own.contains(&false) {
            default_users.push((name.to_owned(), env, own));
        }
    }
    if let Some(default) = default {
        for (i, key) in ["before_script", "after_script"].iter().enumerate() {
            let users: Vec<_> = default_users.iter().filter(|(_, _, own)| !own[i]).collect();
            if users.is_empty() {
                parser.scripts_of(default, "default", &global, &[key]);
            }
            for (job, env, _) in users {
                parser.scripts_of(default, &format!("default({job})"), env, &[key]);
            }
        }
    }
    file
}

struct Gitlab<'a> {
    text: &'a str,
    file: &'a mut CiFile,
    budget: Budget,
}

impl Gitlab<'_> {
    fn scripts_of(&mut self, owner: &Node, name: &str, env: &[EnvVar], keys: &[&str]) {
        for key in keys {
            if let Some((k, v)) = owner.get_entry(key) {
                if !self
                    .file
                    .has_room(&mut self.budget, line_span(self.text, k.start), env.len())
                {
                    return;
                }
                self.script(k, v, format!("{name}.{key}"), env);
            }
        }
        if let Some((k, v)) = owner
            .get("hooks")
            .and_then(|h| h.get_entry("pre_get_sources_script"))
            && self
                .file
                .has_room(&mut self.budget, line_span(self.text, k.start), env.len())
        {
            self.script(k, v, format!("{name}.hooks.pre_get_sources_script"), env);
        }
    }

    /// A string, or a list of strings nested up to any depth: items joined with `\n`.
    fn script(&mut self, key: &Node, value: &Rc<Node>, path: String, env: &[EnvVar]) {
        let origin = ScriptOrigin {
            path,
            span: node_span(self.text, key),
        };
        let mut text = String::new();
        let mut offsets = OffsetMap::new(value.start);
        let mut items = 0usize;
        let mut any = false;
        match &value.kind {
            Kind::Scalar { .. } if value.is_null() => {
                self.file
                    .problem(origin.span, format!("`{}` is empty", origin.path));
                return;
            }
            Kind::Scalar { .. } => {
                self.push_item(&mut text, &mut offsets, value);
                any = true;
            }
            Kind::Map(_) => {
                self.problem_at(
                    value.start,
                    format!(
                        "`{}` must be a string or a list of strings, not a mapping",
                        origin.path
                    ),
                );
                return;
            }
            Kind::Seq(list) => {
                // depth-first, without recursion: aliases can chain lists arbitrarily deep
                let mut stack: Vec<(&[Rc<Node>], usize)> = vec![(list, 0)];
                while let Some((list, i)) = stack.pop() {
                    let Some(item) = list.get(i) else {
                        continue;
                    };
                    stack.push((list, i + 1));
                    items += 1;
                    if items > MAX_SCRIPT_ITEMS {
                        self.problem_at(
                            item.start,
                            format!(
                                "`{}` has more than {MAX_SCRIPT_ITEMS} items; the rest is not read",
                                origin.path
                            ),
                        );
                        break;
                    }
                    if item.tag.as_deref() == Some("!reference") {
                        continue;
                    }
                    match &item.kind {
                        Kind::Scalar { .. } if item.is_null() => {}
                        Kind::Scalar { .. } => {
                            self.push_item(&mut text, &mut offsets, item);
                            any = true;
                        }
                        Kind::Seq(inner) => {
                            if stack.len() >= MAX_DEPTH {
                                self.problem_at(
                                    item.start,
                                    format!(
                                        "`{}` nests lists deeper than {MAX_DEPTH} levels",
                                        origin.path
                                    ),
                                );
                                continue;
                            }
                            stack.push((inner, 0));
                        }
                        Kind::Map(_) => self.problem_at(
                            item.start,
                            format!("items of `{}` must be strings, not a mapping", origin.path),
                        ),
                    }
                }
            }
        }
        if !any {
            return;
        }
        self.file.scripts.push(Script {
            text,
            origin,
            env: env.to_vec(),
            working_directory: None,
            shell: None,
            offsets,
            form: ScriptForm::Shell,
        });
    }

    fn push_item(&self, text: &mut String, offsets: &mut OffsetMap, item: &Node) {
        let Some(value) = item.as_str() else {
            return;
        };
        if !text.is_empty() {
            text.push('\n');
        }
        let (map, _) = scalar_offsets(self.text, item);
        offsets.append(&map, text.len());
        text.push_str(value);
    }

    /// `variables:`: `NAME: value` or `NAME: { value: …, description: … }`.
    fn variables(
        &mut self,
        node: Option<&Rc<Node>>,
        scope: &'static str,
        path: &str,
    ) -> Vec<EnvVar> {
        let Some(node) = node else {
            return Vec::new();
        };
        if node.is_null() {
            return Vec::new();
        }
        if !node.is_map() {
            self.problem_at(
                node.start,
                format!("`{path}` must be a mapping, not {}", node.describe()),
            );
            return Vec::new();
        }
        if node.entries().len() > MAX_ENV {
            self.problem_at(
                node.start,
                format!("`{path}` has more than {MAX_ENV} variables; the rest are not read"),
            );
        }
        let mut vars = Vec::new();
        for (k, v) in node.entries().iter().take(MAX_ENV) {
            let Some(name) = k.as_str() else {
                continue;
            };
            let key_span = node_span(self.text, k);
            let value_node = if v.is_map() { v.get("value") } else { Some(v) };
            let (value, value_span) = match value_node {
                None => (String::new(), key_span.end..key_span.end),
                Some(n) if n.is_null() => (String::new(), key_span.end..key_span.end),
                Some(n) => {
                    let Some(s) = n.as_str() else {
                        self.problem_at(
                            n.start,
                            format!("`{path}.{name}` must be a string, not {}", n.describe()),
                        );
                        continue;
                    };
                    (s.to_owned(), node_span(self.text, n))
                }
            };
            vars.push(EnvVar {
                name: name.to_owned(),
                value,
                span: key_span.start..value_span.end.max(key_span.end),
                value_span,
                scope,
            });
        }
        vars
    }

    /// The global variables a job inherits: all, none (`inherit: variables: false`), or the
    /// ones listed.
    fn inherited(global: &[EnvVar], inherit: Option<&Rc<Node>>) -> Vec<EnvVar> {
        let Some(setting) = inherit.and_then(|i| i.get("variables")) else {
            return global.to_vec();
        };
        match (&setting.kind, setting.as_str()) {
            (_, Some("false")) => Vec::new(),
            (Kind::Seq(names), _) => global
                .iter()
                .filter(|v| names.iter().any(|n| n.as_str() == Some(v.name.as_str())))
                .cloned()
                .collect(),
            _ => global.to_vec(),
        }
    }

    fn problem_at(&mut self, at: usize, message: String) {
        self.file.problem(line_span(self.text, at), message);
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;
    use crate::ci::testutil::{assert_maps, line_of, script};

    const PIPELINE: &str = r#"variables:
  UV_CACHE_DIR: .uv-cache
  PIP_INDEX_URL:
    value: "https://example.com/simple"
    description: the mirror

default:
  image: python:3.12
  before_script:
    - pip install uv==0.9.5
    - uv --version

.uv-base: &uv-base
  variables:
    UV_FROZEN: "1"
  before_script:
    - uv sync --frozen

.setup: &setup
  - echo setting up
  - export UV_LOCKED=1

stages: [test, deploy]

test:
  <<: *uv-base
  stage: test
  variables:
    UV_EXCLUDE_NEWER: "2024-01-01T00:00:00Z"
  script:
    - *setup
    - uv run pytest
    - |
      uv pip install \
        --require-hashes -r requirements.txt
  after_script: echo done

lint:
  extends: .uv-base
  inherit:
    variables: [UV_CACHE_DIR]
  script: >
    uv run
    ruff check

deploy:
  stage: deploy
  inherit:
    variables: false
  script:
    - !reference [.setup]
    - pip install twine
  hooks:
    pre_get_sources_script: git config --global http.sslVerify true
"#;

    fn parse(text: &str) -> CiFile {
        parse_gitlab(&Source::from_string(".gitlab-ci.yml", text))
    }

    #[test]
    fn scripts_of_jobs_templates_and_default_are_read() {
        let f = parse(PIPELINE);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        let origins: Vec<_> = f.scripts.iter().map(|s| s.origin.path.as_str()).collect();
        assert_eq!(
            origins,
            [
                ".uv-base.before_script",
                "test.before_script",
                "test.script",
                "test.after_script",
                "lint.script",
                "deploy.script",
                "deploy.hooks.pre_get_sources_script",
                // `default:` runs in each job without its own `before_script`, with its variables
                "default(lint).before_script",
                "default(deploy).before_script",
            ]
        );
        let default = script(&f, "default(lint).before_script");
        assert_eq!(default.text, "pip install uv==0.9.5\nuv --version");
        let at = assert_maps(PIPELINE, default, "uv==0.9.5", 0);
        assert_eq!(line_of(PIPELINE, at), 10);
        assert_maps(PIPELINE, default, "--version", 0);
        // the newline joining two items maps to the end of the first
        let nl = default.text.find('\n').expect("two items");
        assert_eq!(&PIPELINE[default.offsets.to_file(nl)..][..1], "\n");
    }

    #[test]
    fn nested_lists_from_anchors_join_in_order_and_map_to_their_lines() {
        let f = parse(PIPELINE);
        let test = script(&f, "test.script");
        assert_eq!(
            test.text,
            "echo setting up\nexport UV_LOCKED=1\nuv run pytest\nuv pip install \\\n  --require-hashes -r requirements.txt\n"
        );
        let at = assert_maps(PIPELINE, test, "UV_LOCKED=1", 0);
        assert_eq!(line_of(PIPELINE, at), 21);
        assert_maps(PIPELINE, test, "pytest", 0);
        let at = assert_maps(PIPELINE, test, "--require-hashes", 0);
        assert_eq!(line_of(PIPELINE, at), 35);
        assert_eq!(&PIPELINE[test.origin.span.clone()], "script");
        // a merged template's script maps to the template
        let merged = script(&f, "test.before_script");
        let at = assert_maps(PIPELINE, merged, "--frozen", 0);
        assert_eq!(line_of(PIPELINE, at), 17);
        assert_eq!(script(&f, "test.after_script").text, "echo done");
        assert_eq!(script(&f, "lint.script").text, "uv run ruff check\n");
        assert_maps(PIPELINE, script(&f, "lint.script"), "ruff", 0);
        assert_eq!(script(&f, "deploy.script").text, "pip install twine");
    }

    #[test]
    fn variables_are_global_then_job_and_honour_inherit() {
        let f = parse(PIPELINE);
        let vars = |origin: &str| -> Vec<(&'static str, String, String)> {
            script(&f, origin)
                .env
                .iter()
                .map(|v| (v.scope, v.name.clone(), v.value.clone()))
                .collect()
        };
        let s = |x: &str| x.to_string();
        assert_eq!(
            vars("test.script"),
            [
                ("global", s("UV_CACHE_DIR"), s(".uv-cache")),
                (
                    "global",
                    s("PIP_INDEX_URL"),
                    s("https://example.com/simple")
                ),
                // the job's own `variables` replaces the merged template's (merges are shallow)
                ("job", s("UV_EXCLUDE_NEWER"), s("2024-01-01T00:00:00Z")),
            ]
        );
        assert_eq!(
            vars(".uv-base.before_script"),
            [
                ("global", s("UV_CACHE_DIR"), s(".uv-cache")),
                (
                    "global",
                    s("PIP_INDEX_URL"),
                    s("https://example.com/simple")
                ),
                ("job", s("UV_FROZEN"), s("1")),
            ]
        );
        assert_eq!(
            vars("lint.script"),
            [("global", s("UV_CACHE_DIR"), s(".uv-cache"))]
        );
        assert!(vars("deploy.script").is_empty());
        let test = script(&f, "test.script");
        let index = test.env_var("PIP_INDEX_URL").expect("set");
        assert_eq!(
            &PIPELINE[index.value_span.clone()],
            "\"https://example.com/simple\""
        );
        assert_eq!(line_of(PIPELINE, index.span.start), 3);
        let newer = test.env_var("UV_EXCLUDE_NEWER").expect("set");
        assert_eq!(
            &PIPELINE[newer.span.clone()],
            "UV_EXCLUDE_NEWER: \"2024-01-01T00:00:00Z\""
        );
    }

    #[test]
    fn truncated_and_mangled_pipelines_never_panic() {
        crate::ci::testutil::assert_robust(parse_gitlab, ".gitlab-ci.yml", PIPELINE);
    }

    #[test]
    fn component_headers_are_skipped() {
        let text = "spec:\n  inputs:\n    stage:\n      default: test\n---\njob:\n  script: uv sync --locked\n";
        let f = parse(text);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        let s = script(&f, "job.script");
        assert_maps(text, s, "--locked", 0);
    }

    #[test]
    fn bad_input_is_a_problem_at_its_line() {
        let f = parse("- a\n- b\n");
        assert_eq!(
            f.problems[0].message,
            "a GitLab CI file must be a mapping, not a sequence"
        );
        let text = "job:\n  script:\n    - echo ok\n   - bad indent\n";
        let f = parse(text);
        assert!(f.scripts.is_empty());
        assert!(f.problems[0].message.starts_with("invalid YAML"));
        assert_eq!(line_of(text, f.problems[0].span.start), 4);
        let text =
            "a:\n  script:\n    - {x: 1}\n    - echo ok\nb:\n  script:\nc:\n  script: {x: 1}\n";
        let f = parse(text);
        let problems: Vec<_> = f
            .problems
            .iter()
            .map(|p| (line_of(text, p.span.start), p.message.as_str()))
            .collect();
        assert_eq!(
            problems,
            [
                (3, "items of `a.script` must be strings, not a mapping"),
                (6, "`b.script` is empty"),
                (
                    8,
                    "`c.script` must be a string or a list of strings, not a mapping"
                ),
            ]
        );
        assert_eq!(script(&f, "a.script").text, "echo ok");
    }

    #[test]
    fn exponential_script_aliases_are_capped() {
        let mut text = String::from("l0: &l0 [a, b]\n");
        for i in 1..30 {
            let _ = writeln!(text, "l{i}: &l{i} [*l{}, *l{}]", i - 1, i - 1);
        }
        text.push_str("job:\n  script: *l29\n");
        let f = parse(&text);
        assert_eq!(f.problems.len(), 1, "{:?}", f.problems);
        assert!(f.problems[0].message.contains("more than 10000 items"));
        assert_eq!(f.scripts.len(), 1);
    }
}
