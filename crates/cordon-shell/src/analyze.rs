//! The walk over a parsed script: environment tracking (`export`, prefix assignments), command
//! wrappers (`sudo`, `env`, `timeout`, `xargs`, …), nested scripts (`bash -c`, `eval`,
//! `$( … )`, here-documents fed to a shell), dispatch to the installer readers, remote scripts
//! (`curl … | sh`) and the commands that cannot be understood.

use std::borrow::Cow;
use std::ops::Range;

use crate::args::{A, program_name};
use crate::installers::{self, Call, Outcome};
use crate::model::{
    Action, Analysis, Arg, EnvVar, Installer, PackageArg, PackageKind, RemoteScript, Unparsed,
};
use crate::options::skip_simple_options;
use crate::syntax::{self, Command, Group, List, Pipeline, RedirOp, Simple, Sub, Word};

/// Scripts inside scripts (`bash -c "sh -c '…'"`) deeper than this are reported, not read.
const MAX_NESTED_SCRIPTS: usize = 8;

/// Maps spans of a nested text to the caller's coordinates.
#[derive(Debug, Clone)]
enum SpanMap {
    /// The nested text is a verbatim slice starting at this offset.
    Offset(usize),
    /// The nested text was transformed (escapes removed): everything maps to this span.
    Collapse(Range<usize>),
}

impl SpanMap {
    fn apply(&self, r: &Range<usize>) -> Range<usize> {
        match self {
            Self::Offset(base) => r.start + base..r.end + base,
            Self::Collapse(span) => span.clone(),
        }
    }
}

/// One text being analysed: the script itself, or a nested one.
struct Cx<'s> {
    src: &'s str,
    map: SpanMap,
    nest: usize,
    heredocs: &'s [syntax::Heredoc],
}

impl Cx<'_> {
    fn span(&self, r: &Range<usize>) -> Range<usize> {
        self.map.apply(r)
    }

    fn text(&self, r: &Range<usize>) -> &str {
        self.src.get(r.clone()).unwrap_or("")
    }

    /// How a nested script taken from `word` maps back.
    fn word_map(&self, word: &Word) -> SpanMap {
        let raw = self.text(&word.span);
        let inner = if raw == word.text {
            Some(word.span.start)
        } else if raw.len() == word.text.len() + 2
            && (raw.starts_with('\'') || raw.starts_with('"'))
            && raw.get(1..raw.len() - 1) == Some(word.text.as_str())
        {
            Some(word.span.start + 1)
        } else {
            None
        };
        match (inner, &self.map) {
            (Some(off), SpanMap::Offset(base)) => SpanMap::Offset(off + base),
            _ => SpanMap::Collapse(self.span(&word.span)),
        }
    }
}

/// Shell variables: their values and whether they are exported to commands.
#[derive(Debug, Clone, Default)]
struct Env {
    vars: Vec<(EnvVar, bool)>,
}

impl Env {
    fn set(&mut self, var: EnvVar, export: Option<bool>) {
        if !installer_variable(&var.name) {
            return;
        }
        if let Some(slot) = self.vars.iter_mut().find(|(v, _)| v.name == var.name) {
            slot.0 = var;
            if let Some(e) = export {
                slot.1 = e;
            }
        } else {
            self.vars.push((var, export.unwrap_or(false)));
        }
    }

    fn export_name(&mut self, name: &str, export: bool) {
        if let Some(slot) = self.vars.iter_mut().find(|(v, _)| v.name == name) {
            slot.1 = export;
        }
    }

    fn unset(&mut self, name: &str) {
        self.vars.retain(|(v, _)| v.name != name);
    }

    /// The exported variables an installer may read (the others cannot change an intent).
    fn exported(&self) -> Vec<EnvVar> {
        self.vars
            .iter()
            .filter(|(v, e)| *e && installer_variable(&v.name))
            .map(|(v, _)| v.clone())
            .collect()
    }
}

fn installer_variable(name: &str) -> bool {
    [
        "UV_", "PIP_", "PIPX_", "POETRY_", "PDM_", "CONDA_", "MAMBA_", "PIXI_",
    ]
    .iter()
    .any(|p| name.starts_with(p))
}

fn set_var(env: &mut Vec<EnvVar>, var: EnvVar) {
    env.retain(|v| v.name != var.name);
    env.push(var);
}

/// What a pipeline stage does with its standard streams, for `curl … | sh`.
enum Stage {
    Other,
    /// Writes what it downloads from `url` to standard output.
    Fetch(Option<Arg>),
    /// Runs code read from standard input.
    Interpreter(String),
}

/// Where a command's standard input comes from, when the command itself supplies it.
#[derive(Clone, Copy)]
enum Stdin<'w> {
    Inherited,
    Heredoc(usize),
    HereString(&'w Word),
}

/// The command being dispatched.
struct Cmd<'w> {
    span: Range<usize>,
    env: Vec<EnvVar>,
    dynamic: bool,
    stdin: Stdin<'w>,
    /// Words (by span start) read as nested scripts, whose substitutions are therefore not
    /// analysed separately.
    reparsed: Vec<usize>,
}

/// Runs the analysis of a whole script.
pub(crate) fn run(src: &str) -> Analysis {
    let mut a = Analyzer::default();
    let mut env = Env::default();
    a.source(src, SpanMap::Offset(0), 0, &mut env);
    a.out.intents.sort_by_key(|i| i.span.start);
    a.out.remote_scripts.sort_by_key(|r| r.span.start);
    a.out.unparsed.sort_by_key(|u| u.span.start);
    a.out.approvals.sort_by_key(|r| r.start);
    a.out.writes.sort_by_key(|w| w.span.start);
    a.out
}

#[derive(Default)]
struct Analyzer {
    out: Analysis,
    /// Files written by a fetcher (`curl -o x.sh URL`), for `sh x.sh` later.
    downloads: Vec<(String, Arg)>,
    /// The interpreter of the nested script being read (`bash` in `bash -c …`), if any.
    shell: Option<String>,
}

const INSTALLER_WORDS: &[&str] = &[
    "pip",
    "pip3",
    "pip2",
    "uv",
    "uvx",
    "pipx",
    "poetry",
    "pdm",
    "conda",
    "mamba",
    "micromamba",
    "pixi",
];

/// True when `text` names an installer as a word (`pip`, `$PIP`, `python3 -m pip`, `pip3.11`).
pub(crate) fn mentions_installer(text: &str) -> bool {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| INSTALLER_WORDS.iter().any(|i| w.eq_ignore_ascii_case(i)))
        || text.contains("easy_install")
}

const INSTALL_VERBS: &[&str] = &[
    "install", "add", "sync", "inject", "download", "wheel", "create",
];

fn is_shell(name: &str) -> bool {
    matches!(
        name,
        "sh" | "bash" | "zsh" | "dash" | "ksh" | "ash" | "mksh" | "yash" | "fish"
    )
}

fn is_python(name: &str) -> bool {
    let name = name.strip_suffix('w').unwrap_or(name);
    if name == "py" {
        return true;
    }
    let rest = name
        .strip_prefix("python")
        .or_else(|| name.strip_prefix("pypy"));
    rest.is_some_and(|r| r.bytes().all(|c| c.is_ascii_digit() || c == b'.'))
}

fn is_pip(name: &str) -> bool {
    name.strip_prefix("pip").is_some_and(|r| {
        let r = r.strip_prefix('-').unwrap_or(r);
        r.bytes().all(|c| c.is_ascii_digit() || c == b'.')
            && (r.is_empty() || r.starts_with(|c: char| c.is_ascii_digit()))
    })
}

impl Analyzer {
    fn unparsed(&mut self, cx: &Cx<'_>, span: &Range<usize>, reason: &str, mentions: bool) {
        let out = cx.span(span);
        // One report per region and reason.
        let mentions = mentions || mentions_installer(cx.text(span));
        self.report(out, reason, mentions);
    }

    /// Records text that could not be understood (`span` already in the caller's coordinates),
    /// once: the same region can be reached twice (a word error and its command).
    fn report(&mut self, span: Range<usize>, reason: &str, mentions_installer: bool) {
        let mut recent = self.out.unparsed.iter().rev().take(4);
        if let Some(u) = recent.find(|u| u.span == span)
            && (u.reason == reason || !mentions_installer)
        {
            return;
        }
        self.out.unparsed.push(Unparsed {
            span,
            reason: reason.to_owned(),
            mentions_installer,
        });
    }

    fn source(&mut self, src: &str, map: SpanMap, nest: usize, env: &mut Env) {
        if nest > MAX_NESTED_SCRIPTS {
            let span = map.apply(&(0..src.len()));
            self.out.unparsed.push(Unparsed {
                span,
                reason: "scripts nested too deeply".to_owned(),
                mentions_installer: mentions_installer(src),
            });
            return;
        }
        let parsed = syntax::parse(src);
        let cx = Cx {
            src,
            map,
            nest,
            heredocs: &parsed.heredocs,
        };
        for e in &parsed.errors {
            self.unparsed(&cx, &e.span, e.reason, false);
        }
        self.list(&cx, &parsed.list, env);
    }

    fn list(&mut self, cx: &Cx<'_>, list: &List, env: &mut Env) {
        for p in &list.pipelines {
            self.pipeline(cx, p, env);
        }
    }

    fn pipeline(&mut self, cx: &Cx<'_>, p: &Pipeline, env: &mut Env) {
        let multi = p.commands.len() > 1;
        let mut fetch: Option<(Option<Arg>, Range<usize>)> = None;
        for c in &p.commands {
            match c {
                Command::Simple(s) => {
                    // Each stage of a pipeline runs in a subshell: its exports do not last.
                    let stage = if multi {
                        let mut scoped = env.clone();
                        self.simple(cx, s, &mut scoped)
                    } else {
                        self.simple(cx, s, env)
                    };
                    let span = cx.span(&s.span);
                    match stage {
                        Stage::Interpreter(name) => {
                            if let Some((url, start)) = &fetch {
                                self.out.remote_scripts.push(RemoteScript {
                                    url: url.clone(),
                                    interpreter: name,
                                    span: start.start.min(span.start)..span.end.max(start.end),
                                });
                            }
                        }
                        Stage::Fetch(url) => fetch = Some((url, span)),
                        Stage::Other => {}
                    }
                }
                Command::Group(g) => self.group(cx, g, env),
            }
        }
    }

    fn group(&mut self, cx: &Cx<'_>, g: &Group, env: &mut Env) {
        if g.subshell {
            let mut scoped = env.clone();
            self.list(cx, &g.body, &mut scoped);
        } else {
            self.list(cx, &g.body, env);
        }
        for r in &g.redirects {
            if let Some(t) = &r.target {
                self.word_subs(cx, t, env);
            }
        }
        self.redirect_writes(cx, &g.redirects);
    }

    /// Records the targets of output redirections as files written.
    fn redirect_writes(&mut self, cx: &Cx<'_>, redirects: &[crate::syntax::Redirect]) {
        for r in redirects {
            if let (RedirOp::Out, Some(t)) = (r.op, &r.target)
                && !t.text.starts_with("/dev/")
            {
                self.out
                    .writes
                    .push(A::from_word(t, cx.span(&t.span)).to_arg());
            }
        }
    }

    /// Analyses the command substitutions inside a word.
    fn word_subs(&mut self, cx: &Cx<'_>, w: &Word, env: &Env) {
        for sub in &w.subs {
            let mut scoped = env.clone();
            match sub {
                Sub::Inline(list) => self.list(cx, list, &mut scoped),
                Sub::Backtick { text, span } => {
                    let map = SpanMap::Collapse(cx.span(span));
                    self.source(text, map, cx.nest + 1, &mut scoped);
                }
            }
        }
    }

    fn simple(&mut self, cx: &Cx<'_>, s: &Simple, env: &mut Env) -> Stage {
        if let Some(reason) = s.broken {
            self.unparsed(cx, &s.span, reason, false);
            return Stage::Other;
        }
        for a in &s.assigns {
            self.word_subs(cx, &a.value, env);
        }
        for r in &s.redirects {
            if let Some(t) = &r.target
                && r.heredoc.is_none()
                && r.op != RedirOp::HereString
            {
                self.word_subs(cx, t, env);
            }
        }
        let assigns = s
            .assigns
            .iter()
            .filter(|a| !a.name.is_empty())
            .map(|a| EnvVar {
                name: a.name.clone(),
                value: a.value.text.clone(),
                span: cx.span(&a.span),
            });
        if s.words.is_empty() {
            for var in assigns.collect::<Vec<_>>() {
                env.set(var, None);
            }
            return Stage::Other;
        }
        let mut cmd_env = env.exported();
        for var in assigns {
            set_var(&mut cmd_env, var);
        }
        let args: Vec<A<'_>> = s
            .words
            .iter()
            .map(|w| A::from_word(w, cx.span(&w.span)))
            .collect();
        if builtin_env(&args, env) {
            for w in &s.words {
                self.word_subs(cx, w, env);
            }
            return Stage::Other;
        }
        let mut stdin = Stdin::Inherited;
        for r in &s.redirects {
            match (r.op, r.heredoc, &r.target) {
                (RedirOp::Heredoc { .. }, Some(i), _) => stdin = Stdin::Heredoc(i),
                (RedirOp::HereString, _, Some(t)) => stdin = Stdin::HereString(t),
                (RedirOp::In, _, _) => stdin = Stdin::Inherited,
                _ => {}
            }
        }
        let mut cmd = Cmd {
            span: cx.span(&s.span),
            env: cmd_env,
            dynamic: false,
            stdin,
            reparsed: Vec::new(),
        };
        self.redirect_writes(cx, &s.redirects);
        self.command_writes(&args);
        let mut stage = self.dispatch(cx, &args, &mut cmd, env);
        // `curl URL > install.sh`: a download to a file, for a later `sh install.sh`.
        if let Stage::Fetch(url) = &stage
            && let Some(file) = s
                .redirects
                .iter()
                .rev()
                .find_map(|r| match (&r.op, &r.target) {
                    (RedirOp::Out, Some(t)) if t.text != "/dev/stdout" => Some(t.text.clone()),
                    _ => None,
                })
        {
            if let Some(u) = url {
                self.downloads.push((file, u.clone()));
            }
            stage = Stage::Other;
        }
        for w in &s.words {
            if !cmd.reparsed.contains(&w.span.start) {
                self.word_subs(cx, w, env);
            }
        }
        if let Stdin::HereString(t) = stdin
            && !cmd.reparsed.contains(&t.span.start)
        {
            self.word_subs(cx, t, env);
        }
        stage
    }

    fn remote(&mut self, url: Option<Arg>, interpreter: &str, span: Range<usize>) {
        self.out.remote_scripts.push(RemoteScript {
            url,
            interpreter: interpreter.to_owned(),
            span,
        });
    }

    /// Reads the words `rest` (joined with spaces, as `eval` and `powershell -Command` do) as a
    /// nested script; spans map into the word when there is exactly one.
    fn nested_words(
        &mut self,
        cx: &Cx<'_>,
        rest: &[A<'_>],
        env: &Env,
        cmd: &mut Cmd<'_>,
        interpreter: Option<&str>,
    ) {
        let text = rest.iter().map(|a| &*a.text).collect::<Vec<_>>().join(" ");
        let map = match rest {
            [one] => one
                .word
                .map_or(SpanMap::Collapse(cmd.span.clone()), |w| cx.word_map(w)),
            _ => SpanMap::Collapse(cmd.span.clone()),
        };
        for a in rest {
            if let Some(w) = a.word {
                cmd.reparsed.push(w.span.start);
            }
        }
        self.nested(cx, &text, map, env, cmd, interpreter);
    }

    /// Reads `text` as a script run by the current one (`bash -c`, `eval`, a here-document),
    /// by `interpreter` when it is a new one.
    fn nested(
        &mut self,
        cx: &Cx<'_>,
        text: &str,
        map: SpanMap,
        env: &Env,
        cmd: &Cmd<'_>,
        interpreter: Option<&str>,
    ) {
        // `eval` runs in this shell; a new interpreter sees only the command's environment
        // (after `sudo`'s reset or `env -i`), all of it exported.
        let mut scoped = if interpreter.is_none() {
            env.clone()
        } else {
            Env::default()
        };
        for var in &cmd.env {
            scoped.set(var.clone(), Some(true));
        }
        let saved = self.shell.clone();
        if let Some(i) = interpreter {
            self.shell = Some(i.to_owned());
        }
        self.source(text, map, cx.nest + 1, &mut scoped);
        self.shell = saved;
    }

    fn dispatch<'w>(&mut self, cx: &Cx<'_>, args: &[A<'w>], cmd: &mut Cmd<'w>, env: &Env) -> Stage {
        let Some(first) = args.first() else {
            return Stage::Other;
        };
        let name = program_name(&first.text);
        if first.dynamic && (first.word.is_none() || name.contains(['$', '`', '(', ')', '{', '}']))
        {
            return self.dynamic_command(cx, args, cmd, env);
        }
        let rest = args.get(1..).unwrap_or(&[]);
        match name {
            "sudo" | "doas" => {
                let i = skip_simple_options(
                    args,
                    1,
                    &[
                        "--user",
                        "--group",
                        "--close-from",
                        "--chdir",
                        "--role",
                        "--type",
                        "--prompt",
                        "--other-user",
                        "--host",
                        "--command-timeout",
                    ],
                    "ugCDprtTUR",
                );
                let keep_env = args.get(1..i).unwrap_or(&[]).iter().any(|a| {
                    a.text.starts_with("--preserve-env")
                        || (!a.text.starts_with("--")
                            && a.text.starts_with('-')
                            && a.text.contains('E'))
                });
                if !keep_env {
                    cmd.env.clear();
                }
                let j = take_assignments(args, i, cmd);
                self.dispatch(cx, args.get(j..).unwrap_or(&[]), cmd, env)
            }
            "env" => self.env_command(cx, args, cmd, env),
            "timeout" => {
                let i = skip_simple_options(args, 1, &["--signal", "--kill-after"], "sk");
                self.dispatch(cx, args.get(i + 1..).unwrap_or(&[]), cmd, env)
            }
            "nice" => {
                let mut i = skip_simple_options(args, 1, &["--adjustment"], "n");
                // `nice -10 cmd`
                while args
                    .get(i)
                    .is_some_and(|a| a.text.starts_with('-') && a.text.len() > 1)
                {
                    i += 1;
                }
                self.dispatch(cx, args.get(i..).unwrap_or(&[]), cmd, env)
            }
            "nohup" | "builtin" | "noglob" | "chronic" | "unbuffer" => {
                let i = skip_simple_options(args, 1, &[], "");
                self.dispatch(cx, args.get(i..).unwrap_or(&[]), cmd, env)
            }
            "time" => {
                let i = skip_simple_options(args, 1, &["--format", "--output"], "fo");
                self.dispatch(cx, args.get(i..).unwrap_or(&[]), cmd, env)
            }
            "exec" => {
                let i = skip_simple_options(args, 1, &[], "a");
                self.dispatch(cx, args.get(i..).unwrap_or(&[]), cmd, env)
            }
            "stdbuf" => {
                let i = skip_simple_options(args, 1, &["--input", "--output", "--error"], "ioe");
                self.dispatch(cx, args.get(i..).unwrap_or(&[]), cmd, env)
            }
            "command" => {
                if rest
                    .iter()
                    .take_while(|a| a.text.starts_with('-'))
                    .any(|a| a.text.contains(['v', 'V']))
                {
                    // `command -v pip`: a lookup, nothing runs.
                    return Stage::Other;
                }
                let i = skip_simple_options(args, 1, &[], "");
                self.dispatch(cx, args.get(i..).unwrap_or(&[]), cmd, env)
            }
            "busybox" => self.dispatch(cx, rest, cmd, env),
            "xargs" => {
                let i = skip_simple_options(
                    args,
                    1,
                    &[
                        "--arg-file",
                        "--delimiter",
                        "--max-args",
                        "--max-procs",
                        "--max-chars",
                        "--process-slot-var",
                    ],
                    "adEILnPs",
                );
                cmd.dynamic = true;
                self.dispatch(cx, args.get(i..).unwrap_or(&[]), cmd, env)
            }
            "eval" => {
                self.nested_words(cx, rest, env, cmd, None);
                Stage::Other
            }
            "source" | "." => {
                if let Some(file) = rest.first() {
                    if let Some(url) = self.downloaded(file) {
                        self.remote(Some(url), name, cmd.span.clone());
                    } else if let Some(fetched) = fetched_by_substitution(cx, file) {
                        self.remote(fetched.url, name, cmd.span.clone());
                    }
                }
                Stage::Other
            }
            "su" => {
                let mut i = 1;
                while let Some(a) = args.get(i) {
                    if a.is("-c") || a.is("--command") {
                        if let Some(script) = args.get(i + 1) {
                            self.script_arg(cx, script, cmd, env, "sh");
                        }
                        break;
                    }
                    if let Some(v) = a.text.strip_prefix("--command=") {
                        let owned = a.derived(v);
                        self.script_arg(cx, &owned, cmd, env, "sh");
                        break;
                    }
                    i += 1;
                }
                Stage::Other
            }
            "cordon" | "cordon.exe" => {
                // Global options may come before the subcommand.
                if rest
                    .iter()
                    .find(|a| !a.text.starts_with('-'))
                    .is_some_and(|a| a.is("approve"))
                {
                    self.out.approvals.push(cmd.span.clone());
                }
                Stage::Other
            }
            "powershell" | "pwsh" => self.powershell(cx, args, cmd, env),
            "iex" | "Invoke-Expression" => Stage::Interpreter(name.to_owned()),
            "curl" | "wget" | "irm" | "iwr" | "Invoke-WebRequest" | "Invoke-RestMethod"
            | "fetch" => self.fetcher(name, args),
            _ if is_shell(name) => self.shell(cx, name, args, cmd, env),
            _ if is_python(name) => self.python(cx, name, args, cmd, env),
            _ => self.installer(cx, name, args, cmd, env),
        }
    }

    /// Records the files `tee`, `sed -i`, `cp` and `mv` write (wrappers such as `sudo` are
    /// looked through).
    fn command_writes(&mut self, args: &[A<'_>]) {
        let start = args
            .iter()
            .position(|a| {
                !matches!(
                    program_name(&a.text),
                    "sudo" | "doas" | "command" | "env" | "nohup" | "time"
                )
            })
            .unwrap_or(args.len());
        let Some(first) = args.get(start) else { return };
        let rest = args.get(start + 1..).unwrap_or(&[]);
        let operands = || rest.iter().filter(|a| !a.text.starts_with('-'));
        match program_name(&first.text) {
            "tee" => self.out.writes.extend(operands().map(A::to_arg)),
            "sed" | "gsed"
                if rest
                    .iter()
                    .any(|a| a.text.starts_with("-i") || a.text.starts_with("--in-place")) =>
            {
                // The first operand is the script unless `-e`/`-f` gave it.
                let mut files = Vec::new();
                let mut scripted = false;
                let mut i = 0;
                while let Some(a) = rest.get(i) {
                    if a.is("-e") || a.is("-f") || a.is("--expression") || a.is("--file") {
                        scripted = true;
                        i += 1;
                    } else if a.text.starts_with("--expression=") || a.text.starts_with("--file=") {
                        scripted = true;
                    } else if !a.text.starts_with('-') {
                        files.push(a.to_arg());
                    }
                    i += 1;
                }
                let skip = usize::from(!scripted);
                self.out.writes.extend(files.into_iter().skip(skip));
            }
            "cp" | "mv" | "install" => {
                if let Some(dest) = operands().next_back() {
                    self.out.writes.push(dest.to_arg());
                }
            }
            _ => {}
        }
    }

    fn env_command<'w>(
        &mut self,
        cx: &Cx<'_>,
        args: &[A<'w>],
        cmd: &mut Cmd<'w>,
        env: &Env,
    ) -> Stage {
        let mut i = 1;
        let mut split: Option<Vec<A<'w>>> = None;
        while let Some(a) = args.get(i) {
            let t: &str = &a.text;
            match t {
                "--" => {
                    i += 1;
                    break;
                }
                "-" | "-i" | "--ignore-environment" => cmd.env.clear(),
                "-u" | "--unset" => {
                    if let Some(n) = args.get(i + 1) {
                        let n = n.text.to_string();
                        cmd.env.retain(|v| v.name != n);
                    }
                    i += 1;
                }
                "-C" | "--chdir" | "-P" => i += 1,
                "-S" | "--split-string" => {
                    if let Some(s) = args.get(i + 1) {
                        split = Some(s.text.split_whitespace().map(|p| s.derived(p)).collect());
                    }
                    i += 2;
                    break;
                }
                _ if t.starts_with("--unset=") => {
                    let n = t.trim_start_matches("--unset=").to_owned();
                    cmd.env.retain(|v| v.name != n);
                }
                _ if t.starts_with("--split-string=") || (t.starts_with("-S") && t.len() > 2) => {
                    let body = t
                        .strip_prefix("--split-string=")
                        .or_else(|| t.strip_prefix("-S"))
                        .unwrap_or("");
                    split = Some(body.split_whitespace().map(|p| a.derived(p)).collect());
                    i += 1;
                    break;
                }
                _ if t.starts_with('-') && t.len() > 1 => {
                    if t.starts_with('-') && !t.starts_with("--") && t.contains('i') {
                        cmd.env.clear();
                    }
                }
                _ => break,
            }
            i += 1;
        }
        if let Some(mut parts) = split {
            parts.extend(args.get(i..).unwrap_or(&[]).iter().cloned());
            let j = take_assignments(&parts, 0, cmd);
            return self.dispatch(cx, parts.get(j..).unwrap_or(&[]), cmd, env);
        }
        let j = take_assignments(args, i, cmd);
        self.dispatch(cx, args.get(j..).unwrap_or(&[]), cmd, env)
    }

    /// `$PIP install x`, `"$(which pip)" install x`: the program is only known at run time.
    fn dynamic_command<'w>(
        &mut self,
        cx: &Cx<'_>,
        args: &[A<'w>],
        cmd: &mut Cmd<'w>,
        env: &Env,
    ) -> Stage {
        let Some(first) = args.first() else {
            return Stage::Other;
        };
        // `$PYTHON -m pip install x`: whatever the interpreter, `-m pip` runs pip.
        let python_module = args
            .iter()
            .skip(1)
            .take_while(|a| a.text.starts_with('-') && !a.text.starts_with("--"))
            .any(|a| a.text.contains('m'));
        if python_module {
            cmd.dynamic = true;
            return self.python(cx, "python", args, cmd, env);
        }
        // `$(curl -fsSL URL)` as a command runs what was downloaded.
        if let Some(fetched) = fetched_by_substitution(cx, first) {
            let shell = self.shell.clone().unwrap_or_else(|| "sh".to_owned());
            self.remote(fetched.url, &shell, cmd.span.clone());
            return Stage::Other;
        }
        let verb = args
            .get(1)
            .is_some_and(|a| INSTALL_VERBS.contains(&&*a.text));
        let text = args.iter().map(|a| &*a.text).collect::<Vec<_>>().join(" ");
        let mentions = verb || mentions_installer(&text);
        let span = cmd.span.clone();
        self.report(span, "the command name is only known at run time", mentions);
        Stage::Other
    }

    /// The script text of `bash -c TEXT`, `su -c TEXT`: read as a nested script.
    fn script_arg<'w>(
        &mut self,
        cx: &Cx<'_>,
        script: &A<'w>,
        cmd: &mut Cmd<'w>,
        env: &Env,
        interpreter: &str,
    ) {
        let map = script
            .word
            .map_or(SpanMap::Collapse(script.span.clone()), |w| cx.word_map(w));
        if let Some(w) = script.word {
            cmd.reparsed.push(w.span.start);
        }
        self.nested(cx, &script.text, map, env, cmd, Some(interpreter));
    }

    fn shell<'w>(
        &mut self,
        cx: &Cx<'_>,
        name: &str,
        args: &[A<'w>],
        cmd: &mut Cmd<'w>,
        env: &Env,
    ) -> Stage {
        let mut has_c = false;
        let mut has_s = false;
        let mut i = 1;
        while let Some(a) = args.get(i) {
            let t: &str = &a.text;
            if t == "--" {
                i += 1;
                break;
            }
            if t == "-" || !(t.starts_with('-') || t.starts_with('+')) || t.len() < 2 {
                break;
            }
            if let Some(long) = t.strip_prefix("--") {
                if long == "command" {
                    has_c = true;
                } else if let Some(v) = long.strip_prefix("command=") {
                    let owned = a.derived(v);
                    self.script_arg(cx, &owned, cmd, env, name);
                    return Stage::Other;
                } else if matches!(long, "rcfile" | "init-file") {
                    i += 1;
                }
            } else {
                if t.starts_with('-') && t.contains('c') {
                    has_c = true;
                }
                if t.starts_with('-') && t.contains('s') {
                    has_s = true;
                }
                if t.contains(['o', 'O']) {
                    i += 1;
                }
            }
            i += 1;
        }
        let operand = args.get(i);
        if has_c {
            if let Some(script) = operand {
                self.script_arg(cx, script, cmd, env, name);
            }
            return Stage::Other;
        }
        match operand {
            Some(file) if !has_s && !file.is("-") && !file.is("/dev/stdin") => {
                if let Some(url) = self.downloaded(file) {
                    self.remote(Some(url), name, cmd.span.clone());
                } else if let Some(fetched) = fetched_by_substitution(cx, file) {
                    self.remote(fetched.url, name, cmd.span.clone());
                }
                Stage::Other
            }
            _ => self.stdin_script(cx, name, cmd, env, true),
        }
    }

    /// A program reading its code from standard input: a here-document or here-string is read
    /// as a script (`shell`) or checked for installer names; a pipe is the caller's business.
    fn stdin_script(
        &mut self,
        cx: &Cx<'_>,
        name: &str,
        cmd: &mut Cmd<'_>,
        env: &Env,
        shell: bool,
    ) -> Stage {
        match cmd.stdin {
            Stdin::Heredoc(i) => {
                let Some(h) = cx.heredocs.get(i) else {
                    return Stage::Other;
                };
                let body = cx.text(&h.body).to_owned();
                if shell {
                    let map = match &cx.map {
                        SpanMap::Offset(base) => SpanMap::Offset(base + h.body.start),
                        SpanMap::Collapse(r) => SpanMap::Collapse(r.clone()),
                    };
                    self.nested(cx, &body, map, env, cmd, Some(name));
                } else if mentions_installer(&body) {
                    self.code_mentions_installer(cx, &h.body);
                }
                Stage::Other
            }
            Stdin::HereString(w) => {
                if shell {
                    let map = cx.word_map(w);
                    cmd.reparsed.push(w.span.start);
                    let text = w.text.clone();
                    self.nested(cx, &text, map, env, cmd, Some(name));
                } else if mentions_installer(&w.text) {
                    self.code_mentions_installer(cx, &w.span);
                }
                Stage::Other
            }
            Stdin::Inherited => Stage::Interpreter(name.to_owned()),
        }
    }

    fn code_mentions_installer(&mut self, cx: &Cx<'_>, span: &Range<usize>) {
        self.unparsed(cx, span, "program text that mentions an installer", true);
    }

    fn python<'w>(
        &mut self,
        cx: &Cx<'_>,
        name: &str,
        args: &[A<'w>],
        cmd: &mut Cmd<'w>,
        env: &Env,
    ) -> Stage {
        let mut i = 1;
        while let Some(a) = args.get(i) {
            let t: &str = &a.text;
            if t == "-" || !t.starts_with('-') {
                break;
            }
            i += 1;
            if t == "--" {
                break;
            }
            if t.starts_with("--") {
                if t == "--check-hash-based-pycs" {
                    i += 1;
                }
                continue;
            }
            // A cluster of one-letter flags (`-Im`, `-u`, `-3.12` for `py`); `m`, `c`, `W`,
            // `X` take the rest of the word or the next argument.
            for (off, c) in t.char_indices().skip(1) {
                if !matches!(c, 'm' | 'c' | 'W' | 'X') {
                    continue;
                }
                let attached = t.get(off + 1..).unwrap_or("");
                let value = if attached.is_empty() {
                    i += 1;
                    args.get(i - 1).cloned()
                } else {
                    Some(a.derived(attached))
                };
                match (c, value) {
                    ('m', Some(module)) => {
                        let rest = args.get(i..).unwrap_or(&[]);
                        self.module(cx, &module.text, rest, cmd, env);
                        return Stage::Other;
                    }
                    ('c', Some(code)) => {
                        let by_word = if attached.is_empty() {
                            Some(&code)
                        } else {
                            None
                        };
                        if let Some(fetched) = by_word.and_then(|c| fetched_by_substitution(cx, c))
                        {
                            self.remote(fetched.url, name, cmd.span.clone());
                        } else if mentions_installer(&code.text) {
                            self.report(
                                code.span.clone(),
                                "program text that mentions an installer",
                                true,
                            );
                        }
                        return Stage::Other;
                    }
                    ('m' | 'c', None) => return Stage::Other,
                    _ => {}
                }
                break;
            }
        }
        match args.get(i) {
            Some(script) if !script.is("-") => {
                if let Some(url) = self.downloaded(script) {
                    self.remote(Some(url), name, cmd.span.clone());
                } else if let Some(fetched) = fetched_by_substitution(cx, script) {
                    self.remote(fetched.url, name, cmd.span.clone());
                } else if program_name(&script.text) == "setup.py" {
                    self.setup_py(script, args.get(i + 1..).unwrap_or(&[]), cmd);
                }
                Stage::Other
            }
            _ => self.stdin_script(cx, name, cmd, env, false),
        }
    }

    /// `python setup.py install|develop`: setuptools' legacy install, which fetches the
    /// dependencies through easy_install.
    fn setup_py(&mut self, script: &A<'_>, commands: &[A<'_>], cmd: &Cmd<'_>) {
        let installs = commands
            .iter()
            .any(|a| matches!(&*a.text, "install" | "develop" | "easy_install"));
        if !installs {
            return;
        }
        let call = Call {
            span: cmd.span.clone(),
            env: &cmd.env,
            dynamic: cmd.dynamic,
        };
        let mut intent = call.intent(
            Installer::EasyInstall,
            Action::Install,
            installers::Family::Other,
        );
        intent.packages.push(PackageArg {
            arg: script.to_arg(),
            kind: PackageKind::Path,
            name: None,
            spec: None,
            editable: commands.iter().any(|a| a.is("develop")),
        });
        self.out.intents.push(intent);
    }

    /// `python -m MODULE args`.
    fn module<'w>(
        &mut self,
        cx: &Cx<'_>,
        module: &str,
        args: &[A<'w>],
        cmd: &mut Cmd<'w>,
        env: &Env,
    ) {
        let name = match module {
            "pip" => "pip",
            "uv" => "uv",
            "pipx" => "pipx",
            "poetry" => "poetry",
            "pdm" => "pdm",
            "easy_install" => "easy_install",
            "conda" => "conda",
            _ => return,
        };
        let mut argv = Vec::with_capacity(args.len() + 1);
        argv.push(A {
            text: Cow::Borrowed(name),
            span: cmd.span.clone(),
            dynamic: false,
            word: None,
        });
        argv.extend(args.iter().cloned());
        self.installer(cx, name, &argv, cmd, env);
    }

    fn installer<'w>(
        &mut self,
        cx: &Cx<'_>,
        name: &str,
        args: &[A<'w>],
        cmd: &mut Cmd<'w>,
        env: &Env,
    ) -> Stage {
        let rest = args.get(1..).unwrap_or(&[]);
        let call = Call {
            span: cmd.span.clone(),
            env: &cmd.env,
            dynamic: cmd.dynamic,
        };
        let outcome: Outcome<'_, 'w> = match name {
            "uv" => installers::uv::uv(rest, &call),
            "uvx" => installers::uv::uvx(rest, &call),
            "pipx" => installers::pipx::pipx(rest, &call),
            "poetry" => installers::poetry_pdm::poetry_pdm(rest, &call, Installer::Poetry),
            "pdm" => installers::poetry_pdm::poetry_pdm(rest, &call, Installer::Pdm),
            "conda" => installers::conda::conda(rest, &call, Installer::Conda),
            "mamba" => installers::conda::conda(rest, &call, Installer::Mamba),
            "micromamba" => installers::conda::conda(rest, &call, Installer::Micromamba),
            "pixi" => installers::pixi::pixi(rest, &call),
            _ if is_pip(name) => installers::pip::pip(rest, &call, Installer::Pip),
            _ if name == "easy_install" || name.starts_with("easy_install-") => {
                installers::easy_install::easy_install(rest, &call)
            }
            _ => return Stage::Other,
        };
        if outcome.dynamic_subcommand {
            let span = cmd.span.clone();
            self.report(span, "the subcommand is only known at run time", true);
        }
        if let Some(intent) = outcome.intent {
            self.out.intents.push(intent);
        }
        if let Some(inner) = outcome.inner {
            if outcome.inner_module {
                if let Some((m, rest)) = inner.split_first() {
                    let m = m.text.to_string();
                    self.module(cx, &m, rest, cmd, env);
                }
            } else {
                return self.dispatch(cx, inner, cmd, env);
            }
        }
        Stage::Other
    }

    fn powershell<'w>(
        &mut self,
        cx: &Cx<'_>,
        args: &[A<'w>],
        cmd: &mut Cmd<'w>,
        env: &Env,
    ) -> Stage {
        for (i, a) in args.iter().enumerate().skip(1) {
            let t = a.text.to_ascii_lowercase();
            if t.len() >= 2 && "-command".starts_with(&t) {
                let rest = args.get(i + 1..).unwrap_or(&[]);
                self.nested_words(cx, rest, env, cmd, Some("powershell"));
                return Stage::Other;
            }
        }
        Stage::Other
    }

    /// `curl`, `wget`, PowerShell's `irm`/`iwr`: what is fetched and where it goes.
    fn fetcher(&mut self, name: &str, args: &[A<'_>]) -> Stage {
        let mut url: Option<&A<'_>> = None;
        let mut out_file: Option<String> = None;
        let mut remote_name = false;
        let mut i = 1;
        let curl = name == "curl";
        let wget = name == "wget";
        while let Some(a) = args.get(i) {
            let t: &str = &a.text;
            if t.contains("://") && url.is_none() && !t.starts_with('-') {
                url = Some(a);
            } else if curl && (t == "-o" || t == "--output") {
                out_file = args.get(i + 1).map(|f| f.text.to_string());
                i += 1;
            } else if curl && (t == "-O" || t == "--remote-name") {
                remote_name = true;
            } else if wget && (t == "-O" || t == "--output-document") {
                out_file = args.get(i + 1).map(|f| f.text.to_string());
                i += 1;
            } else if wget && let Some(f) = t.strip_prefix("--output-document=") {
                out_file = Some(f.to_owned());
            } else if (curl || wget) && t.starts_with('-') && !t.starts_with("--") && t.len() > 2 {
                // A cluster such as `-qO-`, `-fsSLo file`.
                let letter = if curl { 'o' } else { 'O' };
                if let Some(pos) = t.find(letter) {
                    let attached = &t[pos + 1..];
                    if attached.is_empty() {
                        out_file = args.get(i + 1).map(|f| f.text.to_string());
                        i += 1;
                    } else {
                        out_file = Some(attached.to_owned());
                    }
                } else if curl && t.contains('O') {
                    remote_name = true;
                }
            } else if name == "Invoke-WebRequest" || name == "iwr" {
                if t.eq_ignore_ascii_case("-OutFile") {
                    out_file = args.get(i + 1).map(|f| f.text.to_string());
                    i += 1;
                }
            } else if curl && takes_value_curl(t) {
                i += 1;
            }
            i += 1;
        }
        if url.is_none() {
            // curl accepts a scheme-less URL: the first operand.
            url = args.iter().skip(1).find(|a| !a.text.starts_with('-'));
        }
        let url_arg = url.map(A::to_arg);
        if wget && out_file.is_none() {
            remote_name = true;
        }
        if remote_name && out_file.is_none() {
            out_file = url.and_then(|u| {
                let path = u.text.split(['?', '#']).next().unwrap_or("");
                path.rsplit('/')
                    .next()
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned)
            });
        }
        match out_file.as_deref() {
            None | Some("-" | "/dev/stdout") => Stage::Fetch(url_arg),
            Some(file) => {
                if let Some(u) = url_arg {
                    self.downloads.push((file.to_owned(), u));
                }
                Stage::Other
            }
        }
    }

    /// The URL a file was downloaded from earlier in the script.
    fn downloaded(&self, file: &A<'_>) -> Option<Arg> {
        let want = file.text.trim_start_matches("./");
        self.downloads
            .iter()
            .rev()
            .find(|(f, _)| f.trim_start_matches("./") == want)
            .map(|(_, u)| u.clone())
    }
}

/// `NAME=value` words after `sudo`/`env` options; returns the index after them.
fn take_assignments(args: &[A<'_>], from: usize, cmd: &mut Cmd<'_>) -> usize {
    let mut i = from;
    while let Some(a) = args.get(i) {
        let Some((name, value)) = a.text.split_once('=') else {
            break;
        };
        if name.is_empty()
            || !name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
            || name.as_bytes().first().is_some_and(u8::is_ascii_digit)
        {
            break;
        }
        set_var(
            &mut cmd.env,
            EnvVar {
                name: name.to_owned(),
                value: value.to_owned(),
                span: a.span.clone(),
            },
        );
        i += 1;
    }
    i
}

/// `export`, `unset`, `declare -x`: changes to the script's environment. True when handled.
fn builtin_env(args: &[A<'_>], env: &mut Env) -> bool {
    let Some(first) = args.first() else {
        return false;
    };
    let export = match &*first.text {
        "export" => !args.iter().any(|a| a.is("-n")),
        "declare" | "typeset" | "local" | "readonly" => args
            .iter()
            .skip(1)
            .any(|a| a.text.starts_with('-') && a.text.contains('x')),
        "unset" => {
            for a in args.iter().skip(1).filter(|a| !a.text.starts_with('-')) {
                env.unset(&a.text);
            }
            return true;
        }
        _ => return false,
    };
    for a in args.iter().skip(1).filter(|a| !a.text.starts_with('-')) {
        match a.text.split_once('=') {
            Some((name, value)) => env.set(
                EnvVar {
                    name: name.to_owned(),
                    value: value.to_owned(),
                    span: a.span.clone(),
                },
                Some(export),
            ),
            None => env.export_name(&a.text, export),
        }
    }
    true
}

fn takes_value_curl(opt: &str) -> bool {
    matches!(
        opt,
        "-H" | "--header"
            | "-A"
            | "--user-agent"
            | "-d"
            | "--data"
            | "-u"
            | "--user"
            | "-x"
            | "--proxy"
            | "-e"
            | "--referer"
            | "-b"
            | "--cookie"
            | "-c"
            | "--cookie-jar"
            | "-X"
            | "--request"
            | "-w"
            | "--write-out"
            | "-m"
            | "--max-time"
            | "--connect-timeout"
            | "--retry"
            | "--retry-delay"
            | "--retry-max-time"
            | "-T"
            | "--upload-file"
            | "-F"
            | "--form"
            | "-r"
            | "--range"
            | "-K"
            | "--config"
            | "--proto"
            | "--proto-redir"
            | "--cacert"
            | "--cert"
            | "--key"
            | "--data-raw"
            | "--data-binary"
            | "--url"
            | "--resolve"
            | "--output-dir"
            | "-z"
            | "--time-cond"
    )
}

/// A download found inside a substitution, with the URL when one was given.
struct Fetched {
    url: Option<Arg>,
}

/// When `arg` holds `$(curl URL)`, `` `curl URL` `` or `<(curl URL)`: the download.
fn fetched_by_substitution(cx: &Cx<'_>, arg: &A<'_>) -> Option<Fetched> {
    let word = arg.word?;
    for sub in &word.subs {
        match sub {
            Sub::Inline(list) => {
                for p in &list.pipelines {
                    for c in &p.commands {
                        if let Command::Simple(s) = c
                            && let Some(url) = fetch_url(s)
                        {
                            return Some(Fetched {
                                url: url.url.map(|mut u| {
                                    u.span = cx.span(&u.span);
                                    u
                                }),
                            });
                        }
                    }
                }
            }
            Sub::Backtick { text, .. } => {
                let t = text.trim_start();
                if t.starts_with("curl ") || t.starts_with("wget ") {
                    let url = t
                        .split_whitespace()
                        .find(|w| w.contains("://"))
                        .map(|u| Arg {
                            text: u.trim_matches(['"', '\'']).to_owned(),
                            span: arg.span.clone(),
                            dynamic: false,
                        });
                    return Some(Fetched { url });
                }
            }
        }
    }
    None
}

/// The URL of a `curl`/`wget` simple command (inside a substitution), with its span in the
/// text being analysed (not yet mapped).
fn fetch_url(s: &Simple) -> Option<Fetched> {
    let mut words = s.words.iter();
    let first = words.next()?;
    let mut name = program_name(&first.text);
    let mut rest: Vec<&Word> = words.collect();
    if matches!(name, "sudo" | "command" | "env") {
        let next = rest
            .iter()
            .position(|w| !w.text.starts_with('-') && !w.text.contains('='))?;
        name = program_name(&rest.get(next)?.text);
        rest = rest.split_off(next + 1);
    }
    if !matches!(
        name,
        "curl" | "wget" | "irm" | "iwr" | "Invoke-WebRequest" | "Invoke-RestMethod"
    ) {
        return None;
    }
    Some(Fetched {
        url: rest.iter().find(|w| w.text.contains("://")).map(|w| Arg {
            text: w.text.clone(),
            span: w.span.clone(),
            dynamic: w.dynamic,
        }),
    })
}

#[cfg(test)]
mod tests {
    use crate::{Action, Installer, analyze, mentions_installer};

    #[test]
    fn installer_mentions_are_whole_words() {
        assert!(mentions_installer("$PIP install x"));
        assert!(mentions_installer("python3.11 -m pip"));
        assert!(mentions_installer("pip3.12 install"));
        assert!(mentions_installer("run(['uv', 'add'])"));
        assert!(mentions_installer("easy_install x"));
        assert!(!mentions_installer("pipeline --uvicorn"));
        assert!(!mentions_installer("make install"));
    }

    #[test]
    fn files_written_and_approvals_are_reported() {
        let written = |src: &str| -> Vec<String> {
            analyze(src).writes.into_iter().map(|w| w.text).collect()
        };
        assert_eq!(written("echo x >> req.txt 2>/dev/null"), ["req.txt"]);
        assert_eq!(written("{ echo a; echo b; } > out.txt"), ["out.txt"]);
        assert_eq!(
            written("curl -s u | sudo tee -a a.txt b.txt"),
            ["a.txt", "b.txt"]
        );
        assert_eq!(
            written("sed -i.bak 's/a/b/' x.toml y.toml"),
            ["x.toml", "y.toml"]
        );
        assert_eq!(written("sed -i -e 's/a/b/' z.toml"), ["z.toml"]);
        assert_eq!(written("cp -r a b dest/"), ["dest/"]);
        assert_eq!(written("bash -c 'echo x > inner.txt'"), ["inner.txt"]);
        assert!(written("sed -n 1p x.toml; cat x.toml | grep y").is_empty());
        let a = analyze("cd app && sudo cordon --offline approve flask --reason x");
        assert_eq!(a.approvals.len(), 1);
        assert!(
            analyze("git commit -m 'cordon approve'")
                .approvals
                .is_empty()
        );
    }

    #[test]
    fn a_verbatim_nested_script_keeps_exact_spans() {
        let src = "bash -c 'pip install requests==1.0'";
        let a = analyze(src);
        let i = &a.intents[0];
        assert_eq!(&src[i.span.clone()], "pip install requests==1.0");
        assert_eq!(&src[i.packages[0].arg.span.clone()], "requests==1.0");
    }

    #[test]
    fn an_escaped_nested_script_maps_to_the_whole_string() {
        let src = r#"sh -c "pip install \"a==1\"""#;
        let a = analyze(src);
        let i = &a.intents[0];
        assert_eq!(&src[i.span.clone()], r#""pip install \"a==1\"""#);
        assert_eq!(i.packages[0].name.as_deref(), Some("a"));
    }

    #[test]
    fn substitutions_of_a_reparsed_string_are_read_once() {
        let a = analyze(r#"bash -c "echo $(pip install x)""#);
        assert_eq!(a.intents.len(), 1);
        let a = analyze(r#"eval "uv add y""#);
        assert_eq!(a.intents.len(), 1);
    }

    #[test]
    fn environment_spans_point_at_the_assignment() {
        let src = "export UV_EXCLUDE_NEWER=2024-01-01\nuv lock";
        let a = analyze(src);
        let i = &a.intents[0];
        assert_eq!(i.env_var("UV_EXCLUDE_NEWER"), Some("2024-01-01"));
        let cooldown = i.exclude_newer.as_ref().map(|v| &src[v.span.clone()]);
        assert_eq!(cooldown, Some("UV_EXCLUDE_NEWER=2024-01-01"));
    }

    #[test]
    fn an_option_value_span_is_its_word() {
        let src = "pip install --index-url=https://example.com/simple -r req.txt x";
        let i = &analyze(src).intents[0];
        assert_eq!(
            &src[i.indexes[0].value.span.clone()],
            "--index-url=https://example.com/simple"
        );
        assert_eq!(&src[i.requirement_files[0].span.clone()], "req.txt");
    }

    #[test]
    fn a_remote_script_spans_the_fetch_and_the_interpreter() {
        let src = "echo hi; curl -LsSf https://astral.sh/uv/install.sh | sh; echo bye";
        let a = analyze(src);
        let r = &a.remote_scripts[0];
        assert_eq!(
            &src[r.span.clone()],
            "curl -LsSf https://astral.sh/uv/install.sh | sh"
        );
        let url = r.url.as_ref().map(|u| &src[u.span.clone()]);
        assert_eq!(url, Some("https://astral.sh/uv/install.sh"));
    }

    #[test]
    fn a_command_run_by_an_installer_is_analysed_with_the_same_span() {
        let src = "uv run --locked python -m pip install x";
        let a = analyze(src);
        let kinds: Vec<_> = a.intents.iter().map(|i| (i.installer, i.action)).collect();
        assert_eq!(
            kinds,
            [
                (Installer::Uv, Action::Run),
                (Installer::Pip, Action::Install)
            ]
        );
        assert!(a.intents.iter().all(|i| i.span == (0..src.len())));
    }

    #[test]
    fn sudo_resets_the_environment_unless_asked_to_keep_it() {
        assert!(!analyze("export UV_LOCKED=1; sudo uv sync").intents[0].locked);
        assert!(analyze("export UV_LOCKED=1; sudo -E uv sync").intents[0].locked);
        assert!(
            analyze("export UV_LOCKED=1; sudo --preserve-env=UV_LOCKED uv sync").intents[0].locked
        );
    }

    #[test]
    fn unparsed_text_is_flagged_when_it_names_an_installer() {
        let a = analyze("pip install 'x");
        assert_eq!(a.unparsed.len(), 1);
        assert!(a.unparsed[0].mentions_installer);
        assert_eq!(a.unparsed[0].span, 0..14);
        let a = analyze("ls 'x");
        assert!(!a.unparsed[0].mentions_installer);
        assert!(a.intents.is_empty());
    }
}
