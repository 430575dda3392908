//! Dockerfiles and Containerfiles, read as BuildKit reads them: the `# escape=` directive, line
//! continuations (the escape character and line break removed, comment and empty lines inside a
//! continuation dropped), `RUN` in shell form (builder flags such as `--mount=…` removed), exec
//! form (`["pip", "install", "x"]`, turned into an equivalent quoted command line) and with
//! heredocs (`RUN <<EOF … EOF`), and the environment each `RUN` sees: `ARG` and `ENV` (both
//! `k=v` and legacy `ENV k v`) of its stage, where `FROM` starts a new stage (inheriting `ENV`,
//! `SHELL` and `WORKDIR` from an earlier stage it builds on). `SHELL` and `WORKDIR` are tracked
//! too. Heredoc bodies of `COPY`/`ADD` are skipped so they are never read as instructions.
//! Variable references (`$VAR`) stay literal.

use std::collections::HashMap;
use std::ops::Range;

use cordon_python::Source;

use super::offsets::OffsetMap;
use super::{
    Budget, CiFile, CiKind, EnvVar, MAX_ENV, MAX_FILE_BYTES, Script, ScriptForm, ScriptOrigin,
};

/// Parses a Dockerfile. Never fails: an unterminated continuation or heredoc, a bad directive or
/// a malformed `ENV`/`SHELL` becomes a problem at its line, and the rest is still read.
pub fn parse_dockerfile(source: &Source) -> CiFile {
    let mut file = CiFile::new(&source.path, CiKind::Dockerfile);
    let text: &str = &source.text;
    if text.len() > MAX_FILE_BYTES {
        file.problem(
            0..0,
            format!(
                "file is larger than {} MiB; it is not read",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        );
        return file;
    }
    let mut parser = Docker {
        text,
        file: &mut file,
        lines: Lines {
            text,
            pos: if text.starts_with('\u{feff}') { 3 } else { 0 },
        },
        escape: '\\',
        stage: Stage::default(),
        in_stage: false,
        global_args: Vec::new(),
        stages: HashMap::new(),
        budget: Budget::default(),
    };
    parser.run();
    file
}

/// A physical line: its start and the end of its content (line break excluded).
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
}

struct Lines<'a> {
    text: &'a str,
    pos: usize,
}

impl Iterator for Lines<'_> {
    type Item = Line;

    fn next(&mut self) -> Option<Line> {
        if self.pos >= self.text.len() {
            return None;
        }
        let start = self.pos;
        let (end, next) = match self.text[start..].find('\n') {
            Some(i) => (start + i, start + i + 1),
            None => (self.text.len(), self.text.len()),
        };
        self.pos = next;
        let end = if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        Some(Line { start, end })
    }
}

#[derive(Debug, Clone, Default)]
struct Stage {
    /// `FROM … AS name`, lower-cased.
    name: Option<String>,
    env: Vec<EnvVar>,
    /// The stage reached [`MAX_ENV`] variables (said once).
    env_full: bool,
    shell: Option<String>,
    workdir: Option<String>,
}

/// An instruction with its continuations joined, and the map back to the file.
struct Logical {
    text: String,
    map: OffsetMap,
}

impl Logical {
    fn file_range(&self, range: Range<usize>) -> Range<usize> {
        self.map.to_file_range(range)
    }
}

struct Heredoc {
    name: String,
    /// `<<-`: leading tabs are stripped from the body and the terminator line.
    chomp: bool,
}

/// A heredoc body read from the file.
struct Body {
    content: Range<usize>,
    /// Where the terminator word starts, if the heredoc was terminated.
    terminator: Option<usize>,
}

struct Docker<'a> {
    text: &'a str,
    file: &'a mut CiFile,
    lines: Lines<'a>,
    escape: char,
    stage: Stage,
    in_stage: bool,
    /// `ARG`s before the first `FROM`: defaults a stage's `ARG NAME` picks up.
    global_args: Vec<EnvVar>,
    /// Finished stages by name (`FROM … AS name`), for `FROM name`.
    stages: HashMap<String, Stage>,
    budget: Budget,
}

impl Docker<'_> {
    fn run(&mut self) {
        let mut directives = true;
        while let Some(line) = self.lines.next() {
            let raw = &self.text[line.start..line.end];
            if directives {
                if let Some((key, value)) = directive(raw) {
                    if key.eq_ignore_ascii_case("escape") {
                        match value {
                            "\\" => self.escape = '\\',
                            "`" => self.escape = '`',
                            _ => self.file.problem(
                                line.start..line.end,
                                format!(
                                    "invalid escape directive `{value}`: the escape character is `\\` or a backtick"
                                ),
                            ),
                        }
                    }
                    continue;
                }
                directives = false;
            }
            let body = raw.trim_start();
            if body.is_empty() || body.starts_with('#') {
                continue;
            }
            let start = line.start + (raw.len() - body.len());
            let logical = self.logical_line(start, body, line);
            self.instruction(&logical);
        }
    }

    /// Joins `first` (starting at `start` in the file) with its continuation lines.
    fn logical_line(&mut self, start: usize, first: &str, line: Line) -> Logical {
        let mut text = String::new();
        let mut map = OffsetMap::new(start);
        let (len, mut continued) = continuation(first, self.escape);
        map.push_copy(0, start, len);
        text.push_str(&first[..len]);
        let mut escape_at = start + len;
        let mut escape_line_end = line.end;
        while continued {
            let Some(next) = self.lines.next() else {
                self.file.problem(
                    escape_at..escape_line_end,
                    format!(
                        "the file ends inside a line continuation: the last line ends with `{}`",
                        self.escape
                    ),
                );
                break;
            };
            let raw = &self.text[next.start..next.end];
            let trimmed = raw.trim_start();
            // as Docker does: comment lines inside a continuation are dropped, and so are
            // empty lines (deprecated, but still accepted)
            if trimmed.starts_with('#') || trimmed.is_empty() {
                continue;
            }
            let (len, more) = continuation(raw, self.escape);
            map.push_copy(text.len(), next.start, len);
            text.push_str(&raw[..len]);
            continued = more;
            escape_at = next.start + len;
            escape_line_end = next.end;
        }
        Logical { text, map }
    }

    fn instruction(&mut self, logical: &Logical) {
        let text = logical.text.as_str();
        let keyword_len = text.find(char::is_whitespace).unwrap_or(text.len());
        let args = skip_blanks(text, keyword_len);
        let keyword_span = logical.file_range(0..keyword_len);
        match text[..keyword_len].to_ascii_uppercase().as_str() {
            "FROM" => self.from(logical, args),
            "ARG" => self.arg(logical, args),
            "ENV" => self.env(logical, args),
            "RUN" => self.run_instruction(logical, args, keyword_span, "RUN"),
            "SHELL" => self.shell(logical, args, keyword_span),
            "WORKDIR" => self.workdir(logical, args),
            "COPY" | "ADD" => self.skip_heredocs(logical, args),
            "ONBUILD" => {
                let inner_len = text[args..]
                    .find(char::is_whitespace)
                    .map_or(text.len(), |i| args + i);
                let inner = text[args..inner_len].to_ascii_uppercase();
                let inner_args = skip_blanks(text, inner_len);
                match inner.as_str() {
                    "RUN" => {
                        let span = logical.file_range(0..inner_len);
                        self.run_instruction(logical, inner_args, span, "ONBUILD RUN");
                    }
                    "COPY" | "ADD" => self.skip_heredocs(logical, inner_args),
                    _ => {}
                }
            }
            _ => {}
        }
    }

    fn run_instruction(
        &mut self,
        logical: &Logical,
        args: usize,
        keyword_span: Range<usize>,
        origin: &str,
    ) {
        let text = logical.text.as_str();
        let start = skip_flags(text, args);
        let end = text.trim_end().len().max(start);
        let origin = ScriptOrigin {
            path: origin.to_owned(),
            span: keyword_span,
        };
        if start >= end {
            self.file.problem(
                origin.span.clone(),
                format!("`{}` has no command", origin.path),
            );
            return;
        }
        if !self
            .file
            .has_room(&mut self.budget, origin.span.clone(), self.stage.env.len())
        {
            return;
        }
        let command = &text[start..end];
        let mut script = Script {
            text: String::new(),
            origin,
            env: self.stage.env.clone(),
            working_directory: self.stage.workdir.clone(),
            shell: self.stage.shell.clone(),
            offsets: OffsetMap::new(0),
            form: ScriptForm::Shell,
        };
        if command.starts_with('[')
            && let Some(words) = json_array(command)
        {
            let (text, offsets) = self.exec_form(logical, start, &words);
            script.text = text;
            script.offsets = offsets;
            script.form = ScriptForm::Exec;
            script.shell = None;
            self.file.scripts.push(script);
            return;
        }
        let heredocs = if command.contains("<<") {
            heredocs(command, self.escape)
        } else {
            Vec::new()
        };
        if heredocs.is_empty() {
            command.clone_into(&mut script.text);
            script.offsets = logical.map.slice(start..end);
            self.file.scripts.push(script);
            return;
        }
        let bodies: Vec<Body> = heredocs
            .iter()
            .map(|h| self.read_heredoc(h, &script.origin.span))
            .collect();
        let alone = words(command, self.escape).len() == 1;
        if let ([heredoc], [body], true) = (heredocs.as_slice(), bodies.as_slice(), alone) {
            // `RUN <<EOF`: the body is the script (BuildKit runs it by its `#!` if it has one)
            let (text, offsets) = self.heredoc_script(body, heredoc.chomp);
            if let Some(interpreter) = text.strip_prefix("#!") {
                let line = interpreter.lines().next().unwrap_or("").trim();
                script.shell = Some(line.to_owned());
            }
            script.text = text;
            script.offsets = offsets;
            script.form = ScriptForm::HeredocScript;
        } else {
            // the shell gets the command line, then each body and its terminator
            let mut text = command.to_owned();
            let mut offsets = logical.map.slice(start..end);
            for (heredoc, body) in heredocs.iter().zip(&bodies) {
                text.push('\n');
                offsets.push_copy(text.len(), body.content.start, body.content.len());
                text.push_str(&self.text[body.content.clone()]);
                if let Some(at) = body.terminator {
                    offsets.push_copy(text.len(), at, heredoc.name.len());
                    text.push_str(&heredoc.name);
                }
            }
            script.text = text;
            script.offsets = offsets;
        }
        self.file.scripts.push(script);
    }

    /// An exec-form argument list as a command line a POSIX shell splits into the same words.
    fn exec_form(
        &self,
        logical: &Logical,
        start: usize,
        words: &[(String, Range<usize>)],
    ) -> (String, OffsetMap) {
        let mut text = String::new();
        let mut offsets = OffsetMap::new(logical.map.to_file(start));
        for (i, (word, token)) in words.iter().enumerate() {
            if i > 0 {
                text.push(' ');
            }
            let token = start + token.start..start + token.end;
            let inner = token.start + 1..token.end - 1;
            let file_inner = logical.file_range(inner.clone());
            // the word is written without escapes and on one line: its bytes are in the file
            let verbatim = logical.text[inner.clone()] == *word
                && self.text.get(file_inner.clone()) == Some(word.as_str());
            let quoted = shell_quote(word);
            if verbatim && quoted == *word {
                offsets.push_copy(text.len(), file_inner.start, word.len());
            } else if verbatim && quoted.len() == word.len() + 2 {
                // `'word'`: the quotes stand where the JSON quotes are, the word is copied
                let at = text.len();
                offsets.push_copy(at, file_inner.start - 1, 1);
                offsets.push_copy(at + 1, file_inner.start, word.len());
                offsets.push_copy(at + 1 + word.len(), file_inner.end, 1);
            } else {
                offsets.push_produced(
                    text.len()..text.len() + quoted.len(),
                    logical.file_range(token),
                );
            }
            text.push_str(&quoted);
        }
        (text, offsets)
    }

    fn heredoc_script(&self, body: &Body, chomp: bool) -> (String, OffsetMap) {
        let mut text = String::new();
        let mut offsets = OffsetMap::new(body.content.start);
        let mut at = body.content.start;
        for line in self.text[body.content.clone()].split_inclusive('\n') {
            let kept = if chomp {
                line.trim_start_matches('\t')
            } else {
                line
            };
            let skipped = line.len() - kept.len();
            offsets.push_copy(text.len(), at + skipped, kept.len());
            text.push_str(kept);
            at += line.len();
        }
        (text, offsets)
    }

    /// Reads the body of `heredoc` from the lines after the instruction.
    fn read_heredoc(&mut self, heredoc: &Heredoc, instruction: &Range<usize>) -> Body {
        let start = self.lines.pos;
        for line in self.lines.by_ref() {
            let raw = &self.text[line.start..line.end];
            let word = if heredoc.chomp {
                raw.trim_start_matches('\t')
            } else {
                raw
            };
            if word == heredoc.name {
                return Body {
                    content: start..line.start,
                    terminator: Some(line.end - word.len()),
                };
            }
        }
        self.file.problem(
            instruction.clone(),
            format!(
                "unterminated heredoc: no line `{}` ends it before the end of the file",
                heredoc.name
            ),
        );
        Body {
            content: start..self.text.len(),
            terminator: None,
        }
    }

    fn skip_heredocs(&mut self, logical: &Logical, args: usize) {
        let text = &logical.text[skip_flags(&logical.text, args)..];
        if text.starts_with('[') || !text.contains("<<") {
            return;
        }
        let span = logical.file_range(0..args);
        for heredoc in heredocs(text, self.escape) {
            self.read_heredoc(&heredoc, &span);
        }
    }

    fn from(&mut self, logical: &Logical, args: usize) {
        let text = &logical.text[args..];
        let words: Vec<&str> = words(text, self.escape)
            .into_iter()
            .map(|r| &text[r])
            .filter(|w| !w.starts_with("--"))
            .collect();
        let base = words.first().map(|w| w.to_ascii_lowercase());
        let name = match words.as_slice() {
            [_, r#as, name, ..] if r#as.eq_ignore_ascii_case("as") => {
                Some(name.to_ascii_lowercase())
            }
            _ => None,
        };
        let finished = std::mem::take(&mut self.stage);
        if self.in_stage
            && let Some(finished_name) = finished.name.clone()
        {
            self.stages.insert(finished_name, finished);
        }
        self.in_stage = true;
        // `FROM builder`: the image of an earlier stage, with its ENV, SHELL and WORKDIR
        let parent = base.and_then(|base| self.stages.get(&base));
        self.stage = match parent {
            Some(parent) => Stage {
                name,
                env: parent
                    .env
                    .iter()
                    .filter(|v| v.scope == "ENV")
                    .cloned()
                    .collect(),
                env_full: false,
                shell: parent.shell.clone(),
                workdir: parent.workdir.clone(),
            },
            None => Stage {
                name,
                ..Stage::default()
            },
        };
    }

    /// `ARG name[=default] …`. Before the first `FROM` an `ARG` only gives a default to later
    /// `ARG name` lines; a stage's `ARG` without a value and without such a default has no
    /// value cordon can know, and is left out.
    fn arg(&mut self, logical: &Logical, args: usize) {
        let text = &logical.text[args..];
        for range in words(text, self.escape) {
            let word = &text[range.clone()];
            let span = logical.file_range(args + range.start..args + range.end);
            let var = match word.split_once('=') {
                Some((name, value)) => {
                    let value_start = args + range.start + name.len() + 1;
                    EnvVar {
                        name: name.to_owned(),
                        value: unquote(value, self.escape),
                        span,
                        value_span: logical.file_range(value_start..args + range.end),
                        scope: "ARG",
                    }
                }
                None if self.in_stage => {
                    let Some(default) = self.global_args.iter().rev().find(|v| v.name == word)
                    else {
                        continue;
                    };
                    EnvVar {
                        name: word.to_owned(),
                        value: default.value.clone(),
                        value_span: span.end..span.end,
                        span,
                        scope: "ARG",
                    }
                }
                None => continue,
            };
            if !self.in_stage {
                self.global_args.push(var);
            } else if !self
                .stage
                .env
                .iter()
                .any(|v| v.scope == "ENV" && v.name == var.name)
            {
                // an ENV of the same name wins over an ARG whatever their order
                self.set_env(var);
            }
        }
    }

    /// `ENV k=v …` or the legacy `ENV k v` (the rest of the line is the value).
    fn env(&mut self, logical: &Logical, args: usize) {
        let text = &logical.text[args..];
        let ranges = words(text, self.escape);
        let Some(first) = ranges.first() else {
            self.file.problem(
                logical.file_range(0..args),
                "`ENV` needs a name and a value",
            );
            return;
        };
        let at = |r: &Range<usize>| args + r.start..args + r.end;
        if !text[first.clone()].contains('=') {
            let name = &text[first.clone()];
            let value_start = ranges.get(1).map_or(text.len(), |r| r.start);
            let value_end = text.trim_end().len().max(value_start);
            if ranges.len() < 2 {
                self.file.problem(
                    logical.file_range(at(first)),
                    format!("`ENV {name}` has no value: write `ENV {name}=value`"),
                );
                return;
            }
            self.set_env(EnvVar {
                name: name.to_owned(),
                value: unquote(&text[value_start..value_end], self.escape),
                span: logical.file_range(args + first.start..args + value_end),
                value_span: logical.file_range(args + value_start..args + value_end),
                scope: "ENV",
            });
            return;
        }
        for range in &ranges {
            let word = &text[range.clone()];
            let Some((name, value)) = word.split_once('=') else {
                self.file.problem(
                    logical.file_range(at(range)),
                    format!("`ENV` expects `name=value`, found `{word}`"),
                );
                continue;
            };
            let value_start = args + range.start + name.len() + 1;
            self.set_env(EnvVar {
                name: name.to_owned(),
                value: unquote(value, self.escape),
                span: logical.file_range(at(range)),
                value_span: logical.file_range(value_start..args + range.end),
                scope: "ENV",
            });
        }
    }

    /// Defines a variable in the stage, replacing an earlier one of the same name.
    fn set_env(&mut self, var: EnvVar) {
        if let Some(i) = self.stage.env.iter().position(|v| v.name == var.name) {
            self.stage.env.remove(i);
        } else if self.stage.env.len() >= MAX_ENV {
            if !self.stage.env_full {
                self.stage.env_full = true;
                self.file.problem(
                    var.span,
                    format!("more than {MAX_ENV} variables in one stage; the rest are not read"),
                );
            }
            return;
        }
        self.stage.env.push(var);
    }

    fn shell(&mut self, logical: &Logical, args: usize, keyword_span: Range<usize>) {
        let text = logical.text[args..].trim_end();
        match json_array(text) {
            Some(words) if !words.is_empty() => {
                let words: Vec<&str> = words.iter().map(|(w, _)| w.as_str()).collect();
                self.stage.shell = Some(words.join(" "));
            }
            _ => self.file.problem(
                keyword_span,
                "`SHELL` takes a JSON array of strings, e.g. `SHELL [\"/bin/bash\", \"-c\"]`",
            ),
        }
    }

    fn workdir(&mut self, logical: &Logical, args: usize) {
        let path = unquote(logical.text[args..].trim_end(), self.escape);
        if path.is_empty() {
            return;
        }
        self.stage.workdir = Some(match &self.stage.workdir {
            Some(previous) if !path.starts_with('/') => {
                format!("{}/{path}", previous.trim_end_matches('/'))
            }
            _ => path,
        });
    }
}

/// `# key=value` at the top of the file (BuildKit's parser directives).
fn directive(line: &str) -> Option<(&str, &str)> {
    let rest = line.trim_start().strip_prefix('#')?.trim_start();
    if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let key_len = rest
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    let key = &rest[..key_len];
    let value = rest[key_len..].trim_start().strip_prefix('=')?.trim();
    let known = ["escape", "syntax", "check"]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(key));
    (known && !value.is_empty()).then_some((key, value))
}

/// Whether `line` continues on the next one, and the length of its content without the escape
/// character and the blanks after it (BuildKit: the escape character, not itself escaped, then
/// only spaces and tabs).
fn continuation(line: &str, escape: char) -> (usize, bool) {
    let trimmed = line.trim_end_matches([' ', '\t']);
    if let Some(before) = trimmed.strip_suffix(escape)
        && (before.is_empty() || !before.ends_with(escape))
    {
        return (before.len(), true);
    }
    (line.len(), false)
}

fn skip_blanks(text: &str, from: usize) -> usize {
    text[from..]
        .find(|c: char| !c.is_whitespace())
        .map_or(text.len(), |i| from + i)
}

/// Skips builder flags (`--mount=type=cache,target=/root/.cache/uv`, `--network=none`) before a
/// `RUN`'s command.
fn skip_flags(text: &str, mut at: usize) -> usize {
    loop {
        at = skip_blanks(text, at);
        let rest = &text[at..];
        if !rest.starts_with("--") || rest[2..].starts_with(char::is_whitespace) || rest.len() == 2
        {
            return at;
        }
        match words(rest, '\\').first() {
            Some(first) => at += first.end,
            None => return at,
        }
    }
}

/// Words separated by whitespace, quotes and escapes kept in the word (as BuildKit's lexer with
/// raw quotes): ranges in `text`.
fn words(text: &str, escape: char) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    let mut quote: Option<char> = None;
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                } else if c == escape && q == '"' {
                    chars.next();
                }
            }
            None if c.is_whitespace() => {
                if let Some(s) = start.take() {
                    out.push(s..i);
                }
            }
            None => {
                start.get_or_insert(i);
                if c == '\'' || c == '"' {
                    quote = Some(c);
                } else if c == escape {
                    chars.next();
                }
            }
        }
    }
    if let Some(s) = start {
        out.push(s..text.len());
    }
    out
}

/// Removes quotes and escapes from a word as Docker does for `ENV`/`ARG` values (variable
/// references are left as written).
fn unquote(word: &str, escape: char) -> String {
    let mut out = String::with_capacity(word.len());
    let mut quote: Option<char> = None;
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some('\'') => {
                if c == '\'' {
                    quote = None;
                } else {
                    out.push(c);
                }
            }
            Some(_) => {
                if c == '"' {
                    quote = None;
                } else if c == escape
                    && chars
                        .peek()
                        .is_some_and(|n| *n == '"' || *n == escape || *n == '$')
                {
                    out.extend(chars.next());
                } else {
                    out.push(c);
                }
            }
            None => {
                if c == '\'' || c == '"' {
                    quote = Some(c);
                } else if c == escape {
                    match chars.next() {
                        Some(n) => out.push(n),
                        None => out.push(c),
                    }
                } else {
                    out.push(c);
                }
            }
        }
    }
    out
}

/// The heredocs a command line opens: words `<<NAME`, `<<-NAME`, `<<"NAME"`, `2<<NAME`.
fn heredocs(command: &str, escape: char) -> Vec<Heredoc> {
    words(command, escape)
        .into_iter()
        .filter_map(|r| {
            let word = command[r].trim_start_matches(|c: char| c.is_ascii_digit());
            let rest = word.strip_prefix("<<")?;
            let (chomp, rest) = match rest.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, rest),
            };
            if rest.is_empty() || rest.contains('<') {
                return None;
            }
            let name = unquote(rest, escape);
            (!name.is_empty()).then_some(Heredoc { name, chomp })
        })
        .collect()
}

/// A JSON array of strings, with each string's token range (quotes included); `None` if `text`
/// is anything else (Docker then reads the instruction in shell form).
fn json_array(text: &str) -> Option<Vec<(String, Range<usize>)>> {
    let bytes = text.as_bytes();
    let ws = |mut i: usize| {
        while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        i
    };
    let mut i = ws(0);
    if bytes.get(i) != Some(&b'[') {
        return None;
    }
    i = ws(i + 1);
    let mut out = Vec::new();
    if bytes.get(i) == Some(&b']') {
        return (ws(i + 1) == bytes.len()).then_some(out);
    }
    loop {
        if bytes.get(i) != Some(&b'"') {
            return None;
        }
        let start = i;
        i += 1;
        loop {
            match bytes.get(i)? {
                b'"' => break,
                b'\\' => i += 2,
                _ => i += 1,
            }
        }
        let token = start..i + 1;
        let word: String = serde_json::from_str(text.get(token.clone())?).ok()?;
        out.push((word, token));
        i = ws(i + 1);
        match bytes.get(i)? {
            b',' => i = ws(i + 1),
            b']' => return (ws(i + 1) == bytes.len()).then_some(out),
            _ => return None,
        }
    }
}

/// `word` quoted for a POSIX shell when it needs it.
fn shell_quote(word: &str) -> String {
    let safe = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c));
    if safe {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ci::testutil::{assert_maps, line_of};

    const DOCKERFILE: &str = r#"# syntax=docker/dockerfile:1
ARG PYTHON=3.12
ARG UV_VERSION=0.9.5

FROM python:${PYTHON}-slim AS builder
ARG UV_VERSION
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy
ENV PIP_INDEX_URL https://example.com/simple
WORKDIR /app
RUN pip install "uv==${UV_VERSION}" && \
    # refresh the lock if needed
    uv --version \
 && uv sync --locked --no-install-project
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen
RUN ["pip", "install", "--require-hashes", "-r", "requirements.txt", "x>=1"]
RUN <<EOF
set -eux
uv pip install --system "httpx==0.27.0"
EOF
RUN python3 - <<'PY' > /tmp/out
import sys
PY
COPY <<EOF /app/notes.txt
RUN this is not an instruction
EOF
WORKDIR src

FROM builder AS test
ENV UV_EXCLUDE_NEWER=false
RUN uv run pytest

FROM python:3.12-slim
run echo final
"#;

    fn parse(text: &str) -> CiFile {
        parse_dockerfile(&Source::from_string("Dockerfile", text))
    }

    fn env_of(script: &Script) -> Vec<(&'static str, &str, &str)> {
        script
            .env
            .iter()
            .map(|v| (v.scope, v.name.as_str(), v.value.as_str()))
            .collect()
    }

    #[test]
    fn continuations_join_as_docker_joins_them_and_map_back_per_line() {
        let f = parse(DOCKERFILE);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(f.scripts.len(), 7);
        let first = &f.scripts[0];
        assert_eq!(
            first.text,
            "pip install \"uv==${UV_VERSION}\" &&     uv --version  && uv sync --locked --no-install-project"
        );
        assert_eq!(first.origin.path, "RUN");
        assert_eq!(&DOCKERFILE[first.origin.span.clone()], "RUN");
        let at = assert_maps(DOCKERFILE, first, "--locked", 0);
        assert_eq!(line_of(DOCKERFILE, at), 14);
        let at = assert_maps(DOCKERFILE, first, "--version", 0);
        assert_eq!(line_of(DOCKERFILE, at), 13);
        assert_maps(DOCKERFILE, first, "\"uv==${UV_VERSION}\"", 0);
        assert_eq!(first.working_directory.as_deref(), Some("/app"));
        assert_eq!(first.form, ScriptForm::Shell);
    }

    #[test]
    fn env_and_arg_before_the_run_are_in_effect() {
        let f = parse(DOCKERFILE);
        let first = &f.scripts[0];
        assert_eq!(
            env_of(first),
            [
                ("ARG", "UV_VERSION", "0.9.5"),
                ("ENV", "UV_COMPILE_BYTECODE", "1"),
                ("ENV", "UV_LINK_MODE", "copy"),
                ("ENV", "PIP_INDEX_URL", "https://example.com/simple"),
            ]
        );
        let link = first.env_var("UV_LINK_MODE").expect("set");
        assert_eq!(&DOCKERFILE[link.span.clone()], "UV_LINK_MODE=copy");
        assert_eq!(&DOCKERFILE[link.value_span.clone()], "copy");
        assert_eq!(line_of(DOCKERFILE, link.span.start), 8);
        let legacy = first.env_var("PIP_INDEX_URL").expect("set");
        assert_eq!(
            &DOCKERFILE[legacy.span.clone()],
            "PIP_INDEX_URL https://example.com/simple"
        );
        assert_eq!(
            &DOCKERFILE[legacy.value_span.clone()],
            "https://example.com/simple"
        );
    }

    #[test]
    fn builder_flags_are_not_part_of_the_command() {
        let f = parse(DOCKERFILE);
        let cached = &f.scripts[1];
        assert_eq!(cached.text, "uv sync --frozen");
        let at = assert_maps(DOCKERFILE, cached, "--frozen", 0);
        assert_eq!(line_of(DOCKERFILE, at), 16);
    }

    #[test]
    fn exec_form_becomes_a_quoted_command_line() {
        let f = parse(DOCKERFILE);
        let exec = &f.scripts[2];
        assert_eq!(exec.form, ScriptForm::Exec);
        assert_eq!(
            exec.text,
            "pip install --require-hashes -r requirements.txt 'x>=1'"
        );
        let at = assert_maps(DOCKERFILE, exec, "--require-hashes", 0);
        assert_eq!(line_of(DOCKERFILE, at), 17);
        assert_maps(DOCKERFILE, exec, "requirements.txt", 0);
        assert_maps(DOCKERFILE, exec, "x>=1", 0);
        // the shell quotes stand where the JSON quotes are
        let q = exec.text.find('\'').expect("quoted");
        assert_eq!(
            &DOCKERFILE[exec.offsets.to_file_range(q..q + 6)],
            "\"x>=1\""
        );
    }

    #[test]
    fn heredocs_run_as_scripts_or_feed_the_command() {
        let f = parse(DOCKERFILE);
        let script = &f.scripts[3];
        assert_eq!(script.form, ScriptForm::HeredocScript);
        assert_eq!(
            script.text,
            "set -eux\nuv pip install --system \"httpx==0.27.0\"\n"
        );
        let at = assert_maps(DOCKERFILE, script, "--system", 0);
        assert_eq!(line_of(DOCKERFILE, at), 20);
        let fed = &f.scripts[4];
        assert_eq!(fed.form, ScriptForm::Shell);
        assert_eq!(fed.text, "python3 - <<'PY' > /tmp/out\nimport sys\nPY");
        assert_maps(DOCKERFILE, fed, "import sys", 0);
        assert_maps(DOCKERFILE, fed, "PY", 1);
        // the COPY heredoc's body is not an instruction
        assert!(
            f.scripts
                .iter()
                .all(|s| !s.text.contains("not an instruction"))
        );
    }

    #[test]
    fn from_starts_a_stage_and_inherits_from_a_named_one() {
        let f = parse(DOCKERFILE);
        let test = &f.scripts[5];
        assert_eq!(test.text, "uv run pytest");
        assert_eq!(
            env_of(test),
            [
                ("ENV", "UV_COMPILE_BYTECODE", "1"),
                ("ENV", "UV_LINK_MODE", "copy"),
                ("ENV", "PIP_INDEX_URL", "https://example.com/simple"),
                ("ENV", "UV_EXCLUDE_NEWER", "false"),
            ]
        );
        assert_eq!(test.working_directory.as_deref(), Some("/app/src"));
        let last = &f.scripts[6];
        assert_eq!(last.text, "echo final");
        assert!(last.env.is_empty());
        assert_eq!(last.working_directory, None);
    }

    #[test]
    fn shell_and_escape_directives_apply() {
        let text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore\nSHELL [\"powershell\", \"-Command\"]\nRUN pip install `\n    requests\n";
        let f = parse(text);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        let s = &f.scripts[0];
        assert_eq!(s.text, "pip install     requests");
        assert_eq!(s.shell.as_deref(), Some("powershell -Command"));
        let at = assert_maps(text, s, "requests", 0);
        assert_eq!(line_of(text, at), 5);
        // a directive after an instruction is only a comment
        let f = parse("FROM x\n# escape=`\nRUN a \\\n  b\n");
        assert_eq!(f.scripts[0].text, "a   b");
    }

    #[test]
    fn heredoc_shebangs_and_chomped_bodies() {
        let text =
            "FROM x\nRUN <<-EOT\n\t#!/usr/bin/env python3\n\timport os\n\tEOT\nRUN echo after\n";
        let f = parse(text);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        let s = &f.scripts[0];
        assert_eq!(s.text, "#!/usr/bin/env python3\nimport os\n");
        assert_eq!(s.shell.as_deref(), Some("/usr/bin/env python3"));
        assert_maps(text, s, "import os", 0);
        assert_eq!(f.scripts[1].text, "echo after");
    }

    #[test]
    fn crlf_files_map_exactly() {
        let text = "FROM x\r\nRUN pip install \\\r\n    requests\r\n";
        let f = parse(text);
        let s = &f.scripts[0];
        assert_eq!(s.text, "pip install     requests");
        assert_maps(text, s, "requests", 0);
    }

    #[test]
    fn unterminated_continuations_and_heredocs_are_problems_at_their_lines() {
        let text = "FROM x\nRUN echo ok\nRUN pip install \\\n    requests \\\n";
        let f = parse(text);
        assert_eq!(f.problems.len(), 1, "{:?}", f.problems);
        assert!(
            f.problems[0]
                .message
                .contains("ends inside a line continuation")
        );
        assert_eq!(line_of(text, f.problems[0].span.start), 4);
        assert_eq!(&text[f.problems[0].span.clone()], "\\");
        // what was read is still modelled
        assert_eq!(f.scripts.len(), 2);
        assert_eq!(f.scripts[1].text, "pip install     requests");
        let text = "FROM x\nRUN <<EOF\nuv sync\n";
        let f = parse(text);
        assert_eq!(f.problems.len(), 1);
        assert!(f.problems[0].message.starts_with("unterminated heredoc"));
        assert_eq!(line_of(text, f.problems[0].span.start), 2);
        assert_eq!(f.scripts[0].text, "uv sync\n");
    }

    #[test]
    fn scripts_per_file_are_capped() {
        let text = format!(
            "FROM x\n{}",
            "RUN uv sync\n".repeat(crate::ci::MAX_SCRIPTS + 3)
        );
        let f = parse(&text);
        assert_eq!(f.scripts.len(), crate::ci::MAX_SCRIPTS);
        assert_eq!(f.problems.len(), 1);
        assert_eq!(
            line_of(&text, f.problems[0].span.start),
            crate::ci::MAX_SCRIPTS + 2
        );
    }

    #[test]
    fn truncated_and_mangled_dockerfiles_never_panic() {
        crate::ci::testutil::assert_robust(parse_dockerfile, "Dockerfile", DOCKERFILE);
    }

    #[test]
    fn malformed_instructions_are_problems() {
        let text = "# escape=x\nFROM x\nENV ONLYNAME\nENV A=1 B\nSHELL /bin/bash -c\nRUN\nRUN --mount=type=cache,target=/x\n";
        let f = parse(text);
        let problems: Vec<_> = f
            .problems
            .iter()
            .map(|p| line_of(text, p.span.start))
            .collect();
        assert_eq!(problems, [1, 3, 4, 5, 6, 7], "{:?}", f.problems);
        assert!(f.scripts.is_empty());
    }

    #[test]
    fn args_and_envs_follow_docker_rules() {
        let text = "ARG GLOBAL=g\nARG UNSET\nFROM x\nENV MODE=env\nARG MODE=arg\nARG GLOBAL\nARG UNSET\nENV Q=\"a b\" R='c d' S=e\\ f\nRUN run\n";
        let f = parse(text);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(
            env_of(&f.scripts[0]),
            [
                ("ENV", "MODE", "env"),
                ("ARG", "GLOBAL", "g"),
                ("ENV", "Q", "a b"),
                ("ENV", "R", "c d"),
                ("ENV", "S", "e f"),
            ]
        );
    }

    #[test]
    fn json_arrays_and_quoting() {
        assert_eq!(
            json_array(r#"["a", "b\"c", "\u00e9"]"#)
                .map(|v| v.into_iter().map(|(w, _)| w).collect::<Vec<_>>()),
            Some(vec!["a".to_string(), "b\"c".into(), "é".into()])
        );
        assert_eq!(json_array("[]").map(|v| v.len()), Some(0));
        assert!(json_array("[\"a\",]").is_none());
        assert!(json_array("[\"a\"] trailing").is_none());
        assert!(json_array("[a]").is_none());
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("x==1"), "x==1");
        // not JSON: shell form, like Docker
        let f = parse("FROM x\nRUN [ -f x ] && pip install y\n");
        assert_eq!(f.scripts[0].text, "[ -f x ] && pip install y");
        assert_eq!(f.scripts[0].form, ScriptForm::Shell);
    }
}
