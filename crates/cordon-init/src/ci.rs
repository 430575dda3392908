//! CI edits: `--locked` added to the `uv sync` / `uv run` commands that `ci-sync-not-locked`
//! reports, and a CI job that runs `cordon check` (`cordon init --ci github|gitlab`).
//!
//! The commands to fix are found by the same analysis `cordon check` uses (the parsed CI files
//! of [`Project::ci`], their install intents, and each script's [`OffsetMap`] back to the
//! file); nothing is re-detected with patterns. An edit is made only when it is provably safe:
//!
//! - the `sync`/`run` word is a verbatim copy of the file's bytes, and so is the whole line of
//!   the script around it (no escapes, no folded line breaks);
//! - in YAML, that line belongs to a plain scalar written on one line, a quoted scalar written
//!   on one line without escapes, or a literal (`|`) block scalar; never a folded (`>`) block,
//!   a scalar over several lines, or one behind an anchor, a tag or flow syntax;
//! - a Dockerfile `RUN` is in shell form or a heredoc (not the exec form);
//! - the edited file, parsed and analysed again exactly as `cordon check` does, yields the same
//!   scripts with ` --locked` inserted where intended, the same problems, and no longer
//!   reports the fixed commands.
//!
//! Every other case becomes a [`ManualEdit`]: where, what the command is, what it should be and
//! why cordon did not write it. `--frozen` (and `UV_LOCKED`/`UV_FROZEN` in the environment) is
//! left alone, as the check accepts it; so is a command the policy or an inline comment ignores.
//!
//! [`OffsetMap`]: cordon_check::ci::OffsetMap

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use cordon_check::ci::{CiKind, Script, ScriptForm};
use cordon_check::ci_scripts::{AnalyzedCi, env_value, script_location, truthy};
use cordon_check::{CheckOptions, Context, Policy, Project};
use cordon_python::Source;
use cordon_shell::{Action, Analysis, InstallIntent, Installer};

use crate::change::{Change, InitError};

/// The id of the check whose findings [`plan`] fixes.
const SYNC_NOT_LOCKED: &str = "ci-sync-not-locked";

/// What is inserted after the `sync`/`run` word.
const LOCKED: &str = " --locked";

/// The version of cordon the generated jobs install.
const CORDON_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A CI service cordon can write a job for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Github,
    Gitlab,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Github => "github",
            Provider::Gitlab => "gitlab",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Provider {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "github" => Ok(Provider::Github),
            "gitlab" => Ok(Provider::Gitlab),
            _ => Err(format!(
                "unknown CI provider `{s}`: expected `github` or `gitlab`"
            )),
        }
    }
}

/// An edit cordon could not make safely; printed for the user to make by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManualEdit {
    /// The file, as the project loaded it.
    pub path: PathBuf,
    /// 1-based line of the command in the file.
    pub line: usize,
    /// 1-based column (in characters) of the command in the file.
    pub column: usize,
    /// The command as it is now (for a job cordon could not append: empty).
    pub before: String,
    /// The command as it should be (or the job to add).
    pub after: String,
    /// Why cordon did not make the edit itself.
    pub why: String,
}

/// What [`plan`] proposes: file changes to write, and edits left to the user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CiPlan {
    pub changes: Vec<Change>,
    pub manual: Vec<ManualEdit>,
}

/// Plans the CI edits for `project`: `--locked` for every `uv sync`/`uv run` that
/// `ci-sync-not-locked` reports (in workflows, composite actions, GitLab CI and Dockerfiles),
/// and, with `provider`, a job running `cordon check` when that CI has none yet.
///
/// `provider`: write a cordon job for that CI if none exists (None: only fix existing files).
/// `uv_version`: the uv version to pin in the job, e.g. "0.13.9".
pub fn plan(
    project: &Project,
    provider: Option<Provider>,
    uv_version: &str,
) -> Result<CiPlan, InitError> {
    if provider.is_some() {
        check_uv_version(uv_version)?;
    }
    let mut plan = CiPlan::default();
    let policy = Policy::load(&project.root, project.pyproject.as_ref()).unwrap_or_default();
    let cx = Context::new(project, &policy, jiff::Timestamp::now(), None, None);
    let reported = if project.ci.is_empty() {
        HashSet::new()
    } else {
        reported_locations(project, &policy, cx.now)
    };
    for ci in &project.ci {
        let (change, manual) = lock_edits(project, &cx, ci, &reported);
        plan.changes.extend(change);
        plan.manual.extend(manual);
    }
    match provider {
        Some(Provider::Github) => plan.changes.extend(github_job(project, uv_version)),
        Some(Provider::Gitlab) => gitlab_job(project, uv_version, &mut plan),
        None => {}
    }
    plan.changes.sort_by(|a, b| a.path.cmp(&b.path));
    plan.manual
        .sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    Ok(plan)
}

fn check_uv_version(v: &str) -> Result<(), InitError> {
    let plain = !v.is_empty()
        && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
        && v.as_bytes()[0].is_ascii_digit();
    if plain && pep440_rs::Version::from_str(v).is_ok() {
        return Ok(());
    }
    Err(InitError::stop_with_help(
        format!("`{v}` is not a uv version to pin in CI"),
        "give an exact release, e.g. `0.13.9`",
    ))
}

// ---------------------------------------------------------------------------------------------
// `--locked` for `uv sync` / `uv run`
// ---------------------------------------------------------------------------------------------

// Why an edit was left to the user (`ManualEdit::why`).
const WHY_NO_WORD: &str = "cordon could not find the `sync`/`run` word to add `--locked` after \
                           (the command is built from quotes, escapes or variables)";
const WHY_NOT_VERBATIM: &str = "the command's text is not a verbatim copy of the file's bytes \
                                (escapes or folded line breaks), so an insertion could land \
                                in the wrong place";
const WHY_FOLDED: &str = "the command is in a folded (`>`) block scalar; cordon only edits \
                          plain one-line scalars and literal (`|`) blocks";
const WHY_MULTILINE: &str = "the command is in a scalar written over several lines, whose line \
                             breaks YAML folds; cordon only edits plain one-line scalars and \
                             literal (`|`) blocks";
const WHY_QUOTED: &str = "the command is in a quoted scalar with escapes or line breaks, whose \
                          text is not the file's bytes";
const WHY_AMBIGUOUS: &str = "cordon cannot tell exactly where the scalar holding the command \
                             starts (an anchor, a tag or flow syntax)";
const WHY_EXEC: &str = "the command is an exec-form `RUN [...]`: add `\"--locked\"` as an item \
                        right after `\"sync\"`/`\"run\"`";
const WHY_ROUND_TRIP: &str = "with `--locked` inserted, the file would not read back as the \
                              same commands with only `--locked` added";

/// The locations `cordon check` reports `ci-sync-not-locked` at, after the policy's and inline
/// ignores (a policy that cannot be read counts as the default one).
fn reported_locations(
    project: &Project,
    policy: &Policy,
    now: jiff::Timestamp,
) -> HashSet<(String, Range<usize>)> {
    let report = cordon_check::run_checks(
        project,
        policy,
        &CheckOptions {
            now,
            uv_lock_check: None,
            names: None,
        },
    );
    report
        .findings
        .iter()
        .filter(|f| f.id == SYNC_NOT_LOCKED)
        .filter_map(|f| {
            let loc = f.location.as_ref()?;
            Some((loc.file.path().to_owned(), loc.span.clone()))
        })
        .collect()
}

/// Exactly the condition under which `ci-sync-not-locked` reports an intent.
fn is_flagged(script: &Script, intent: &InstallIntent) -> bool {
    if intent.installer != Installer::Uv || !matches!(intent.action, Action::Sync | Action::Run) {
        return false;
    }
    let env_locked = ["UV_LOCKED", "UV_FROZEN"]
        .iter()
        .any(|v| env_value(script, intent, v).is_some_and(truthy));
    !(intent.locked || intent.frozen || env_locked)
}

/// A flagged command, before it is known whether it can be edited.
struct Pending {
    /// File offset of the command's start.
    at: usize,
    verb: &'static str,
    before: String,
    after: String,
}

/// The `--locked` edits of one CI file: one [`Change`] for every safe edit, and a
/// [`ManualEdit`] for every other reported command.
fn lock_edits(
    project: &Project,
    cx: &Context<'_>,
    ci: &AnalyzedCi,
    reported: &HashSet<(String, Range<usize>)>,
) -> (Option<Change>, Vec<ManualEdit>) {
    let path = &ci.file.path;
    let Some(text) = file_text(project, path) else {
        return (None, Vec::new());
    };
    let mut sites: BTreeMap<usize, Vec<Pending>> = BTreeMap::new();
    let mut manual: Vec<ManualEdit> = Vec::new();
    for (script, analysis) in ci.scripts() {
        for (k, intent) in analysis.intents.iter().enumerate() {
            if !is_flagged(script, intent) {
                continue;
            }
            let Some(loc) = script_location(cx, ci, script, intent.span.clone()) else {
                continue;
            };
            if !reported.contains(&(loc.file.path().to_owned(), loc.span.clone())) {
                continue;
            }
            let verb = if intent.action == Action::Sync {
                "sync"
            } else {
                "run"
            };
            let end = verb_end(&script.text, analysis, k, verb);
            let before = script.text[intent.span.clone()].to_owned();
            let after = match end {
                Some(e) => {
                    let rel = e - intent.span.start;
                    format!("{}{LOCKED}{}", &before[..rel], &before[rel..])
                }
                None => suggest_locked(&before, verb),
            };
            let pending = Pending {
                at: script.offsets.to_file(intent.span.start),
                verb,
                before,
                after,
            };
            let site = end
                .ok_or(WHY_NO_WORD)
                .and_then(|e| edit_site(ci.file.kind, text, script, e - verb.len()..e));
            match site {
                Ok(site) => sites.entry(site).or_default().push(pending),
                Err(why) => push_manual(&mut manual, path, text, &pending, why),
            }
        }
    }
    let all: Vec<usize> = sites.keys().copied().collect();
    let accepted = if all.is_empty() || round_trips(ci, text, &all) {
        all
    } else {
        // Keep the edits that are sound on their own, if together they still are.
        let alone: Vec<usize> = all
            .iter()
            .copied()
            .filter(|s| round_trips(ci, text, &[*s]))
            .collect();
        if !alone.is_empty() && round_trips(ci, text, &alone) {
            alone
        } else {
            Vec::new()
        }
    };
    let mut change = None;
    if !accepted.is_empty() {
        let mut c = Change::new(path, Some(text.to_owned()), insert_all(text, &accepted));
        for site in &accepted {
            if let Some(p) = sites.get(site).and_then(|p| p.first()) {
                let line = line_col(text, p.at).0;
                c = c.with(format!(
                    "add `--locked` to `uv {}` on line {line}: a stale uv.lock then fails the \
                     build instead of being re-resolved",
                    p.verb
                ));
            }
        }
        change = Some(c);
    }
    for (site, pendings) in &sites {
        if accepted.contains(site) {
            continue;
        }
        for p in pendings {
            push_manual(&mut manual, path, text, p, WHY_ROUND_TRIP);
        }
    }
    (change, manual)
}

fn push_manual(out: &mut Vec<ManualEdit>, path: &Path, text: &str, p: &Pending, why: &str) {
    let (line, column) = line_col(text, p.at);
    let duplicate = out
        .iter()
        .any(|m| m.line == line && m.column == column && m.before == p.before);
    if duplicate {
        return;
    }
    out.push(ManualEdit {
        path: path.to_path_buf(),
        line,
        column,
        before: p.before.clone(),
        after: p.after.clone(),
        why: why.to_owned(),
    });
}

/// A best-effort suggestion when the word could not be located by analysis: `--locked` after
/// the first `sync`/`run` word following a `uv` word, else at the end.
fn suggest_locked(command: &str, verb: &str) -> String {
    let mut seen_uv = false;
    let mut pos = 0;
    for word in command.split_inclusive([' ', '\t']) {
        let w = word.trim_end();
        if seen_uv && w == verb {
            let end = pos + w.len();
            return format!("{}{LOCKED}{}", &command[..end], &command[end..]);
        }
        if w == "uv" || w.ends_with("/uv") {
            seen_uv = true;
        }
        pos += word.len();
    }
    format!("{}{LOCKED}", command.trim_end())
}

/// The offset in `text` just past the `sync`/`run` word of intent `index`: each whole-word
/// occurrence inside the command is tried in order, and the first one after which
/// ` --locked` makes the analyser read that intent as locked (and changes nothing else) wins.
fn verb_end(text: &str, analysis: &Analysis, index: usize, verb: &str) -> Option<usize> {
    let span = analysis.intents.get(index)?.span.clone();
    let command = text.get(span.clone())?;
    let bytes = text.as_bytes();
    for (i, _) in command.match_indices(verb) {
        let start = span.start + i;
        let end = start + verb.len();
        let word_before = start > 0 && matches!(bytes[start - 1], b' ' | b'\t');
        let word_after = end == text.len()
            || matches!(
                bytes[end],
                b' ' | b'\t' | b'\n' | b'\r' | b';' | b'&' | b'|' | b')'
            );
        if !word_before || !word_after {
            continue;
        }
        let probe = format!("{}{LOCKED}{}", &text[..end], &text[end..]);
        let again = cordon_shell::analyze(&probe);
        if again.intents.len() != analysis.intents.len() {
            continue;
        }
        let only_this =
            again
                .intents
                .iter()
                .zip(&analysis.intents)
                .enumerate()
                .all(|(j, (new, old))| {
                    new.installer == old.installer
                        && new.action == old.action
                        && if j == index {
                            new.locked
                        } else {
                            new.locked == old.locked
                        }
                });
        if only_this {
            return Some(end);
        }
    }
    None
}

/// The file offset to insert ` --locked` at for the word at `word` in the script's text, when
/// that insertion is safe to make (see the module documentation); otherwise why not.
fn edit_site(
    kind: CiKind,
    file: &str,
    script: &Script,
    word: Range<usize>,
) -> Result<usize, &'static str> {
    if script.form == ScriptForm::Exec {
        return Err(WHY_EXEC);
    }
    let in_file = maps_verbatim(script, file, word.clone()).ok_or(WHY_NOT_VERBATIM)?;
    if kind == CiKind::Dockerfile {
        return Ok(in_file.end);
    }
    let text = &script.text;
    let line_start = text[..word.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[word.end..]
        .find('\n')
        .map_or(text.len(), |i| word.end + i);
    let line = maps_verbatim(script, file, line_start..line_end).ok_or(WHY_NOT_VERBATIM)?;
    if file[line.clone()].contains(['\n', '\r']) {
        return Err(WHY_NOT_VERBATIM);
    }
    yaml_scalar_is_safe(file, line)?;
    Ok(in_file.end)
}

/// The file range that `range` of the script's text maps to, when every byte of it is copied
/// verbatim and contiguously from the file.
fn maps_verbatim(script: &Script, file: &str, range: Range<usize>) -> Option<Range<usize>> {
    let text = script.text.get(range.clone())?;
    let in_file = script.offsets.to_file_range(range.clone());
    if in_file.len() != range.len() || file.get(in_file.clone())? != text {
        return None;
    }
    let contiguous = text
        .char_indices()
        .all(|(i, _)| script.offsets.to_file(range.start + i) == in_file.start + i);
    contiguous.then_some(in_file)
}

/// Start and end (line break excluded) of the line holding `at`.
fn line_bounds(file: &str, at: usize) -> (usize, usize) {
    let start = file[..at].rfind('\n').map_or(0, |i| i + 1);
    let mut end = file[at..].find('\n').map_or(file.len(), |i| at + i);
    if end > start && file.as_bytes()[end - 1] == b'\r' {
        end -= 1;
    }
    (start, end)
}

/// Whether the YAML scalar holding the one-line, verbatim text at `line` (a file range) is
/// one cordon edits: a literal block, or a plain or quoted scalar written on that one line.
fn yaml_scalar_is_safe(file: &str, line: Range<usize>) -> Result<(), &'static str> {
    let (start, end) = line_bounds(file, line.start);
    if line.end > end {
        return Err(WHY_NOT_VERBATIM);
    }
    let prefix = &file[start..line.start];
    let rest = &file[line.end..end];
    if prefix.trim().is_empty() {
        // A content line: of a block scalar, or the continuation of a flow scalar.
        return match block_header(file, start) {
            Some(b'|') => Ok(()),
            Some(_) => Err(WHY_FOLDED),
            None => Err(WHY_MULTILINE),
        };
    }
    if let Some(quote) = prefix.chars().last().filter(|c| matches!(c, '"' | '\'')) {
        let owner = &prefix[..prefix.len() - 1];
        owner_column(owner).ok_or(WHY_AMBIGUOUS)?;
        let Some(after) = rest.strip_prefix(quote) else {
            return Err(WHY_QUOTED);
        };
        if quote == '\'' && after.starts_with('\'') {
            return Err(WHY_QUOTED);
        }
        return if ends_the_line(after) {
            Ok(())
        } else {
            Err(WHY_AMBIGUOUS)
        };
    }
    let Some(owner) = owner_column(prefix) else {
        return Err(if prefix.contains(['"', '\'']) {
            WHY_QUOTED
        } else {
            WHY_AMBIGUOUS
        });
    };
    if !ends_the_line(rest) {
        return Err(WHY_AMBIGUOUS);
    }
    // A plain scalar goes on over the next lines that are indented more than its key or `-`.
    let next = file[end..].find('\n').map_or(file.len(), |i| end + i + 1);
    for l in file[next..].lines() {
        let trimmed = l.trim();
        if trimmed.is_empty() {
            continue;
        }
        if trimmed.starts_with('#') {
            break;
        }
        if indent(l) > owner {
            return Err(WHY_MULTILINE);
        }
        break;
    }
    Ok(())
}

/// Nothing but blanks, or blanks then a comment.
fn ends_the_line(rest: &str) -> bool {
    let trimmed = rest.trim_start_matches([' ', '\t']);
    trimmed.is_empty() || (trimmed.starts_with('#') && trimmed.len() < rest.len())
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// For the text before a scalar on its line — `key: `, `- `, `- key: `, `- - ` — the column
/// of the key or of the last `-`: continuation lines of the scalar are indented more.
fn owner_column(prefix: &str) -> Option<usize> {
    let p = prefix.trim_end_matches([' ', '\t']);
    if p.len() == prefix.len() {
        return None;
    }
    let body = p.trim_start_matches(' ');
    let mut col = p.len() - body.len();
    let mut rest = body;
    loop {
        if rest == "-" {
            return Some(col);
        }
        match rest.strip_prefix('-') {
            Some(r) if r.starts_with([' ', '\t']) => {
                let r2 = r.trim_start_matches([' ', '\t']);
                col += rest.len() - r2.len();
                rest = r2;
            }
            _ => break,
        }
    }
    let key = rest.strip_suffix(':')?;
    let plain_key = !key.is_empty()
        && !key.contains(": ")
        && !key.starts_with(['?', '&', '*', '!', '|', '>', '{', '['])
        && !key.contains(['#', '{', '}', '[', ']', ',']);
    plain_key.then_some(col)
}

/// The indicator (`|` or `>`) of the block scalar whose content includes the line starting at
/// `line_start`, if it is inside one: the topmost block header among the lines above that are
/// less indented than everything between them and this line.
fn block_header(file: &str, line_start: usize) -> Option<u8> {
    let (_, end) = line_bounds(file, line_start);
    let mut min = indent(&file[line_start..end]);
    let mut found = None;
    for line in file[..line_start].lines().rev() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let ind = indent(line);
        if ind < min {
            min = ind;
            if let Some(h) = header_indicator(line) {
                found = Some(h);
            }
        }
        if ind == 0 {
            break;
        }
    }
    found
}

/// `|` or `>` when the line ends with a block scalar header (`run: |`, `- >-`, `key: &a |2`).
fn header_indicator(line: &str) -> Option<u8> {
    let code = match line.find(" #").or_else(|| line.find("\t#")) {
        Some(i) => &line[..i],
        None => line,
    };
    let words: Vec<&str> = code.split_whitespace().collect();
    let last = *words.last()?;
    let indicator = last.as_bytes()[0];
    let header = matches!(indicator, b'|' | b'>')
        && last.len() <= 3
        && last[1..]
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'+' || b == b'-');
    if !header {
        return None;
    }
    match words.len().checked_sub(2).map(|i| words[i]) {
        None => Some(indicator),
        Some(p) if p == "-" || p.ends_with(':') || p.starts_with(['&', '!']) => Some(indicator),
        Some(_) => None,
    }
}

/// `text` with ` --locked` inserted at each of `sites` (sorted, distinct).
fn insert_all(text: &str, sites: &[usize]) -> String {
    let mut out = String::with_capacity(text.len() + sites.len() * LOCKED.len());
    let mut last = 0;
    for &s in sites {
        out.push_str(&text[last..s]);
        out.push_str(LOCKED);
        last = s;
    }
    out.push_str(&text[last..]);
    out
}

/// Whether inserting ` --locked` at `sites` changes exactly what it should when the file is read
/// the way `cordon check` reads it: the same scripts (each with ` --locked` after every copy of
/// an edited word), the same problems, the same commands, and the edited ones locked.
fn round_trips(ci: &AnalyzedCi, text: &str, sites: &[usize]) -> bool {
    let new_text = insert_all(text, sites);
    let source = Source::from_string(ci.file.path.clone(), new_text.as_str());
    let Some(file) = cordon_check::ci::parse(&source) else {
        return false;
    };
    let same_problems = file.problems.len() == ci.file.problems.len()
        && file
            .problems
            .iter()
            .zip(&ci.file.problems)
            .all(|(a, b)| a.message == b.message);
    if file.kind != ci.file.kind || file.scripts.len() != ci.file.scripts.len() || !same_problems {
        return false;
    }
    let again = AnalyzedCi::new(file);
    for ((old, old_a), (new, new_a)) in ci.scripts().zip(again.scripts()) {
        let inserted = insertions(old, text, sites);
        let expected = insert_all(&old.text, &inserted);
        if new.origin.path != old.origin.path
            || new.text != expected
            || new_a.intents.len() != old_a.intents.len()
        {
            return false;
        }
        for (o, n) in old_a.intents.iter().zip(&new_a.intents) {
            let edited = inserted
                .iter()
                .any(|&t| t > o.span.start && t <= o.span.end);
            let was = is_flagged(old, o);
            if n.installer != o.installer
                || n.action != o.action
                || is_flagged(new, n) != (was && !edited)
                || (edited && was && !n.locked)
            {
                return false;
            }
        }
    }
    true
}

/// The offsets in `script.text` right after a byte copied from the byte before one of `sites`:
/// where the re-read text must have ` --locked`.
fn insertions(script: &Script, file: &str, sites: &[usize]) -> Vec<usize> {
    let text = script.text.as_bytes();
    let mut out = Vec::new();
    for t in 1..=text.len() {
        if !script.text.is_char_boundary(t) || !script.text.is_char_boundary(t - 1) {
            continue;
        }
        let r = script.offsets.to_file_range(t - 1..t);
        if r.len() == 1
            && sites.binary_search(&r.end).is_ok()
            && file.as_bytes().get(r.start) == Some(&text[t - 1])
        {
            out.push(t);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// CI jobs running `cordon check`
// ---------------------------------------------------------------------------------------------

/// True when a script runs `cordon check` (`cordon check`, `./bin/cordon check --format …`).
fn runs_cordon_check(text: &str) -> bool {
    let words: Vec<&str> = text
        .split(|c: char| {
            c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')' | '`' | '"' | '\'')
        })
        .filter(|w| !w.is_empty())
        .collect();
    words.windows(2).any(|w| {
        let program = w[0].rsplit(['/', '\\']).next().unwrap_or(w[0]);
        (program == "cordon" || program == "cordon.exe") && w[1] == "check"
    })
}

/// Whether a parsed CI file runs `cordon check`; for a file cordon could not fully read, its
/// text is searched too.
fn ci_runs_cordon(project: &Project, ci: &AnalyzedCi) -> bool {
    ci.file.scripts.iter().any(|s| runs_cordon_check(&s.text))
        || (!ci.file.problems.is_empty()
            && file_text(project, &ci.file.path).is_some_and(runs_cordon_check))
}

fn file_text<'a>(project: &'a Project, path: &Path) -> Option<&'a str> {
    project.files.get(path).map(|f| f.text())
}

/// The command the generated jobs install cordon with, kept in one place. cordon is built from
/// its own git repository at its release tag with its committed `Cargo.lock` (`--locked`); the
/// repository's URL is the CI variable `CORDON_GIT_URL`, so the job fails loudly until the team
/// sets it. (A crate of the same name on the Rust registry belongs to another project: installing
/// by name alone would fetch it.)
fn install_cordon() -> String {
    format!("cargo install --locked --git \"$CORDON_GIT_URL\" --tag v{CORDON_VERSION} cordon")
}

fn github_workflow(uv_version: &str) -> String {
    format!(
        "# Written by `cordon init --ci github`: fails the build when `cordon check` finds a\n\
         # supply-chain problem. uv is pinned, and the project is installed from its lock only\n\
         # (`uv sync --locked` fails on a stale uv.lock).\n\
         name: cordon\n\
         \n\
         on: [push, pull_request]\n\
         \n\
         permissions:\n\
         \x20 contents: read\n\
         \n\
         jobs:\n\
         \x20 cordon:\n\
         \x20   runs-on: ubuntu-latest\n\
         \x20   env:\n\
         \x20     CORDON_GIT_URL: ${{{{ vars.CORDON_GIT_URL }}}}\n\
         \x20   steps:\n\
         \x20     - uses: actions/checkout@v5\n\
         \x20       with:\n\
         \x20         persist-credentials: false\n\
         \x20     - uses: astral-sh/setup-uv@v7\n\
         \x20       with:\n\
         \x20         version: \"{uv_version}\"\n\
         \x20     - run: uv sync --locked\n\
         \x20     - run: {}\n\
         \x20     - run: cordon check --format github\n",
        install_cordon()
    )
}

/// The first of `cordon`, `cordon-check`, `cordon-check-2`, … that is not `taken`.
fn free_name(taken: impl Fn(&str) -> bool) -> Option<String> {
    ["cordon".to_owned(), "cordon-check".to_owned()]
        .into_iter()
        .chain((2..100).map(|n| format!("cordon-check-{n}")))
        .find(|n| !taken(n))
}

/// A new `.github/workflows/cordon.yml` (or `cordon-check.yml` when that name is taken), unless
/// a workflow already runs `cordon check`.
fn github_job(project: &Project, uv_version: &str) -> Option<Change> {
    let already = project.ci.iter().any(|ci| {
        CiKind::detect(&ci.file.path) == Some(CiKind::GithubWorkflow) && ci_runs_cordon(project, ci)
    });
    if already {
        return None;
    }
    let dir = project.root.join(".github").join("workflows");
    let stem = free_name(|s| {
        dir.join(format!("{s}.yml")).exists() || dir.join(format!("{s}.yaml")).exists()
    })?;
    let path = dir.join(format!("{stem}.yml"));
    Some(
        Change::new(path, None, github_workflow(uv_version)).with(format!(
            "add a GitHub Actions workflow running `cordon check` on every push and pull \
             request (uv {uv_version} pinned by `astral-sh/setup-uv`, `uv sync --locked`, \
             cordon v{CORDON_VERSION} built from the git URL in the `CORDON_GIT_URL` variable)"
        )),
    )
}

/// The GitLab job, with `eol` line breaks. `stage` is set when the job joins a pipeline that
/// declares its own `stages:`, which may leave out the default `test`: `.pre` always exists.
fn gitlab_job_text(name: &str, uv_version: &str, stage: bool, eol: &str) -> String {
    let stage = if stage { "  stage: .pre\n" } else { "" };
    let job = format!(
        "# Written by `cordon init --ci gitlab`: fails the pipeline when `cordon check` finds a\n\
         # supply-chain problem. uv and cordon are built at pinned versions from their locked\n\
         # sources, and the project is installed from its lock only (`uv sync --locked`).\n\
         {name}:\n\
         \x20 image: rust:1-slim\n\
         {stage}\
         \x20 script:\n\
         \x20   - cargo install --locked uv --version {uv_version}\n\
         \x20   - {}\n\
         \x20   - uv sync --locked\n\
         \x20   - cordon check\n",
        install_cordon()
    );
    if eol == "\n" {
        job
    } else {
        job.replace('\n', eol)
    }
}

/// Top-level keys of a YAML mapping written in block style (lines starting in column 0).
fn top_level_keys(text: &str) -> HashSet<String> {
    let mut keys = HashSet::new();
    for line in text.lines() {
        let Some(first) = line.chars().next() else {
            continue;
        };
        if first.is_whitespace() || matches!(first, '#' | '-' | '%' | '.' | '{' | '[') {
            continue;
        }
        let Some(colon) = line
            .match_indices(':')
            .map(|(i, _)| i)
            .find(|&i| line[i + 1..].is_empty() || line[i + 1..].starts_with([' ', '\t']))
        else {
            continue;
        };
        let key = line[..colon].trim();
        let key = key
            .strip_prefix('"')
            .and_then(|k| k.strip_suffix('"'))
            .or_else(|| key.strip_prefix('\'').and_then(|k| k.strip_suffix('\'')))
            .unwrap_or(key);
        keys.insert(key.to_owned());
    }
    keys
}

/// Adds a `cordon` job to `.gitlab-ci.yml` (appended, or a new file) unless one runs
/// `cordon check` already. Works on top of a `--locked` change already planned for the file.
fn gitlab_job(project: &Project, uv_version: &str, plan: &mut CiPlan) {
    let existing = project.ci.iter().find(|ci| {
        ci.file.kind == CiKind::Gitlab
            && ci.file.path.parent() == Some(project.root.as_path())
            && ci
                .file
                .path
                .file_name()
                .is_some_and(|n| n == ".gitlab-ci.yml" || n == ".gitlab-ci.yaml")
    });
    let Some(ci) = existing else {
        let on_disk = [".gitlab-ci.yml", ".gitlab-ci.yaml"]
            .iter()
            .map(|n| project.root.join(n))
            .find(|p| p.exists());
        match on_disk {
            // There, but not read (not UTF-8, unreadable): not cordon's to rewrite.
            Some(path) => plan.manual.push(ManualEdit {
                path,
                line: 1,
                column: 1,
                before: String::new(),
                after: gitlab_job_text("cordon", uv_version, true, "\n"),
                why: "cordon could not read this file (it is not UTF-8 text); add the job by \
                      hand"
                    .to_owned(),
            }),
            None => plan.changes.push(
                Change::new(
                    project.root.join(".gitlab-ci.yml"),
                    None,
                    gitlab_job_text("cordon", uv_version, false, "\n"),
                )
                .with(gitlab_what("cordon", uv_version)),
            ),
        }
        return;
    };
    if ci_runs_cordon(project, ci) {
        return;
    }
    let path = &ci.file.path;
    let Some(original) = file_text(project, path) else {
        return;
    };
    let index = plan.changes.iter().position(|c| &c.path == path);
    let base = index.map_or(original, |i| plan.changes[i].after.as_str());
    let keys = top_level_keys(base);
    let Some(name) = free_name(|n| keys.contains(n)) else {
        return;
    };
    let eol = match base.find('\n') {
        Some(i) if i > 0 && base.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    };
    let job = gitlab_job_text(&name, uv_version, keys.contains("stages"), eol);
    let mut after = base.to_owned();
    if !after.is_empty() {
        if !after.ends_with('\n') {
            after.push_str(eol);
        }
        // The last line (the one the final line break ends): a blank one is the separator.
        let body = after.strip_suffix('\n').unwrap_or(&after);
        let last_line = body.rsplit('\n').next().unwrap_or(body);
        if !last_line.trim().is_empty() {
            after.push_str(eol);
        }
    }
    after.push_str(&job);
    if !gitlab_append_reads_back(path, base, &after, &name) {
        let (line, _) = line_col(base, base.len());
        plan.manual.push(ManualEdit {
            path: path.clone(),
            line,
            column: 1,
            before: String::new(),
            after: job,
            why: "appended at the end, the job would not be read as one more job of this file \
                  (a flow mapping, several documents, or YAML cordon cannot read); add it by \
                  hand"
                .to_owned(),
        });
        return;
    }
    let what = gitlab_what(&name, uv_version);
    match index {
        Some(i) => {
            let c = &mut plan.changes[i];
            c.after = after;
            c.what.push(what);
        }
        None => plan
            .changes
            .push(Change::new(path, Some(original.to_owned()), after).with(what)),
    }
}

fn gitlab_what(name: &str, uv_version: &str) -> String {
    format!(
        "add a `{name}` job running `cordon check` (uv {uv_version} and cordon v{CORDON_VERSION} \
         built with `cargo install --locked`, cordon from the git URL in the `CORDON_GIT_URL` \
         variable; `uv sync --locked`)"
    )
}

/// Whether `after` (the GitLab file with the job appended to `before`) reads as the same file
/// plus a job `name` that runs `cordon check`.
fn gitlab_append_reads_back(path: &Path, before: &str, after: &str, name: &str) -> bool {
    let parse = |text: &str| cordon_check::ci::parse(&Source::from_string(path, text));
    let (Some(old), Some(new)) = (parse(before), parse(after)) else {
        return false;
    };
    let messages = |f: &cordon_check::ci::CiFile| {
        f.problems
            .iter()
            .map(|p| p.message.clone())
            .collect::<Vec<_>>()
    };
    let script_path = format!("{name}.script");
    // Nothing the file had wrong is hidden, and nothing new is wrong (an empty file stops being
    // one).
    let was = messages(&old);
    messages(&new).iter().all(|m| was.contains(m))
        && new
            .scripts
            .iter()
            .any(|s| s.origin.path == script_path && runs_cordon_check(&s.text))
}

/// 1-based line and column (in characters) of byte offset `at`.
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..at].matches('\n').count() + 1;
    let column = text
        .get(line_start..at)
        .map_or(at - line_start, |s| s.chars().count())
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use cordon_check::{CheckOptions, Family, Policy, Project};
    use cordon_python::settings::Env;

    use super::*;
    use crate::change::write_all;

    const PYPROJECT: &str = "[project]\nname = \"x\"\nversion = \"0\"\ndependencies = []\n";
    const UV: &str = "0.13.9";

    fn workflow(steps: &str) -> String {
        format!(
            "name: ci\non: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v5\n{steps}"
        )
    }

    fn project_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pyproject.toml"), PYPROJECT).unwrap();
        for (name, text) in files {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        dir
    }

    fn load(dir: &Path) -> Project {
        Project::load(dir, &Env::from_pairs(Vec::<(String, String)>::new())).unwrap()
    }

    fn plan_for(dir: &Path, provider: Option<Provider>) -> CiPlan {
        plan(&load(dir), provider, UV).unwrap()
    }

    /// Ids of the findings in the `ci` family, plus `unparsed-file`, after a fresh load.
    fn ci_findings(dir: &Path) -> Vec<String> {
        let project = load(dir);
        let policy = Policy::load(&project.root, project.pyproject.as_ref()).unwrap();
        let report = cordon_check::run_checks(
            &project,
            &policy,
            &CheckOptions {
                now: jiff::Timestamp::now(),
                uv_lock_check: None,
                names: None,
            },
        );
        report
            .findings
            .iter()
            .filter(|f| {
                f.id == "unparsed-file"
                    || cordon_check::checks::meta(f.id).is_some_and(|m| m.family == Family::Ci)
            })
            .map(|f| {
                let at = f
                    .location
                    .as_ref()
                    .map(|l| format!("{}:{}", l.file.path(), l.start().line))
                    .unwrap_or_default();
                format!("{} {at}", f.id)
            })
            .collect()
    }

    fn read(dir: &Path, name: &str) -> String {
        std::fs::read_to_string(dir.join(name)).unwrap()
    }

    /// Applies the plan, then checks that planning again proposes nothing.
    fn apply(dir: &Path, plan: &CiPlan, provider: Option<Provider>) {
        write_all(&plan.changes).unwrap();
        let again = plan_for(dir, provider);
        assert!(again.changes.is_empty(), "{:#?}", again.changes);
    }

    #[test]
    fn providers_parse_and_name_both_on_error() {
        assert_eq!("github".parse::<Provider>(), Ok(Provider::Github));
        assert_eq!("GitLab".parse::<Provider>(), Ok(Provider::Gitlab));
        let err = "jenkins".parse::<Provider>().unwrap_err();
        assert!(err.contains("github") && err.contains("gitlab"), "{err}");
        assert_eq!(Provider::Gitlab.to_string(), "gitlab");
    }

    #[test]
    fn plain_one_line_run_gets_locked() {
        let wf = workflow("      - run: uv sync\n      - run: uv run pytest -k sync\n");
        let dir = project_with(&[(".github/workflows/ci.yml", &wf)]);
        let before = ci_findings(dir.path());
        assert_eq!(
            before
                .iter()
                .filter(|f| f.starts_with(SYNC_NOT_LOCKED))
                .count(),
            2,
            "{before:?}"
        );
        let plan = plan_for(dir.path(), None);
        assert!(plan.manual.is_empty(), "{:#?}", plan.manual);
        assert_eq!(plan.changes.len(), 1);
        assert_eq!(plan.changes[0].what.len(), 2, "{:?}", plan.changes[0].what);
        apply(dir.path(), &plan, None);
        assert_eq!(
            read(dir.path(), ".github/workflows/ci.yml"),
            workflow(
                "      - run: uv sync --locked\n      - run: uv run --locked pytest -k sync\n"
            )
        );
        assert!(ci_findings(dir.path()).is_empty());
    }

    #[test]
    fn literal_block_commands_get_locked_and_nothing_else_changes() {
        let wf = workflow(
            "      - name: test\n        run: |\n          # set up\n          uv sync --dev\n          uv run pytest   # the tests\n          echo done\n      - run: echo sync run\n",
        );
        let dir = project_with(&[(".github/workflows/ci.yml", &wf)]);
        let plan = plan_for(dir.path(), None);
        assert!(plan.manual.is_empty(), "{:#?}", plan.manual);
        apply(dir.path(), &plan, None);
        let after = read(dir.path(), ".github/workflows/ci.yml");
        // Removing the two insertions gives back the original, byte for byte.
        assert_eq!(after.matches(LOCKED).count(), 2);
        assert_eq!(after.replacen(LOCKED, "", 2), wf);
        assert!(after.contains("          uv sync --locked --dev\n"));
        assert!(after.contains("          uv run --locked pytest   # the tests\n"));
        assert!(ci_findings(dir.path()).is_empty());
    }

    #[test]
    fn folded_and_escaped_scalars_are_left_to_the_user() {
        let wf = workflow(
            "      - run: >\n          uv sync\n      - run: >\n          uv sync\n          --dev\n      - run: \"uv sync\\necho done\"\n      - run: 'uv ''run'' x'\n",
        );
        let dir = project_with(&[(".github/workflows/ci.yml", &wf)]);
        let plan = plan_for(dir.path(), None);
        assert!(plan.changes.is_empty(), "{:#?}", plan.changes);
        let whys: Vec<(usize, &str)> = plan
            .manual
            .iter()
            .map(|m| (m.line, m.why.as_str()))
            .collect();
        assert_eq!(plan.manual.len(), 4, "{whys:#?}");
        assert_eq!(plan.manual[0].why, WHY_FOLDED);
        assert_eq!(plan.manual[0].line, 9);
        assert_eq!(plan.manual[0].column, 11);
        assert_eq!(plan.manual[0].before, "uv sync");
        assert_eq!(plan.manual[0].after, "uv sync --locked");
        assert_eq!(plan.manual[1].why, WHY_NOT_VERBATIM);
        assert_eq!(plan.manual[1].after, "uv sync --locked --dev");
        assert_eq!(plan.manual[2].why, WHY_QUOTED);
        assert_eq!(
            plan.manual[2].path,
            dir.path().join(".github/workflows/ci.yml")
        );
        // `''run''` is not a plain word: the suggestion is still sensible.
        assert_eq!(plan.manual[3].before, "uv 'run' x");
        write_all(&plan.changes).unwrap();
        assert_eq!(read(dir.path(), ".github/workflows/ci.yml"), wf);
    }

    #[test]
    fn frozen_locked_env_and_ignored_commands_are_not_touched() {
        let wf = workflow(
            "      - run: uv sync --frozen\n      - run: UV_LOCKED=1 uv run x\n      - env:\n          UV_FROZEN: true\n        run: uv sync\n      - run: uv sync  # cordon: ignore[ci-sync-not-locked] the lock is regenerated here\n",
        );
        let dir = project_with(&[(".github/workflows/ci.yml", &wf)]);
        let plan = plan_for(dir.path(), None);
        assert!(plan.changes.is_empty(), "{:#?}", plan.changes);
        assert!(plan.manual.is_empty(), "{:#?}", plan.manual);
        // Without its ignore comment, the last step is fixed.
        let (kept, _) = wf.split_once("  # cordon").unwrap();
        std::fs::write(
            dir.path().join(".github/workflows/ci.yml"),
            format!("{kept}\n"),
        )
        .unwrap();
        let plan = plan_for(dir.path(), None);
        assert_eq!(plan.changes.len(), 1);
        assert!(
            plan.changes[0]
                .after
                .ends_with("      - run: uv sync --locked\n")
        );
    }

    #[test]
    fn an_empty_gitlab_file_gets_the_job() {
        let dir = project_with(&[(".gitlab-ci.yml", "# pipelines to come\n")]);
        let plan = plan_for(dir.path(), Some(Provider::Gitlab));
        assert!(plan.manual.is_empty(), "{:#?}", plan.manual);
        let after = &plan.changes[0].after;
        assert!(
            after.starts_with("# pipelines to come\n\n# Written"),
            "{after}"
        );
        assert!(!after.contains("stage:"));
        apply(dir.path(), &plan, Some(Provider::Gitlab));
        assert!(
            ci_findings(dir.path()).is_empty(),
            "{:?}",
            ci_findings(dir.path())
        );
    }

    #[test]
    fn unparseable_workflow_is_left_alone() {
        let bad = "on: push\njobs:\n  a: [unclosed\n    - run: uv sync\n";
        let dir = project_with(&[(".github/workflows/bad.yml", bad)]);
        let plan = plan_for(dir.path(), None);
        assert_eq!(plan, CiPlan::default());
    }

    #[test]
    fn gitlab_lists_plain_quoted_and_literal_items() {
        let gl = "test:\n  script:\n    - uv sync\n    - \"uv run pytest\"\n    - |\n      uv run mypy\n";
        let dir = project_with(&[(".gitlab-ci.yml", gl)]);
        let plan = plan_for(dir.path(), None);
        assert!(plan.manual.is_empty(), "{:#?}", plan.manual);
        apply(dir.path(), &plan, None);
        assert_eq!(
            read(dir.path(), ".gitlab-ci.yml"),
            "test:\n  script:\n    - uv sync --locked\n    - \"uv run --locked pytest\"\n    - |\n      uv run --locked mypy\n"
        );
        assert!(ci_findings(dir.path()).is_empty());
    }

    #[test]
    fn gitlab_anchor_shared_by_jobs_is_edited_once() {
        let gl = ".setup: &setup\n  - uv sync\na:\n  script:\n    - *setup\n    - echo a\nb:\n  script: *setup\n";
        let dir = project_with(&[(".gitlab-ci.yml", gl)]);
        let plan = plan_for(dir.path(), None);
        assert!(plan.manual.is_empty(), "{:#?}", plan.manual);
        apply(dir.path(), &plan, None);
        assert_eq!(
            read(dir.path(), ".gitlab-ci.yml"),
            gl.replacen("uv sync", "uv sync --locked", 1)
        );
        assert!(ci_findings(dir.path()).is_empty());
    }

    #[test]
    fn dockerfile_runs_get_locked_but_not_the_exec_form() {
        let df =
            "FROM python:3.12-slim\nRUN uv sync \\\n    --no-dev\nRUN [\"uv\", \"run\", \"app\"]\n";
        let dir = project_with(&[("Dockerfile", df)]);
        let plan = plan_for(dir.path(), None);
        assert_eq!(plan.manual.len(), 1, "{:#?}", plan.manual);
        assert_eq!(plan.manual[0].why, WHY_EXEC);
        assert_eq!(plan.manual[0].line, 4);
        write_all(&plan.changes).unwrap();
        assert_eq!(
            read(dir.path(), "Dockerfile"),
            "FROM python:3.12-slim\nRUN uv sync --locked \\\n    --no-dev\nRUN [\"uv\", \"run\", \"app\"]\n"
        );
        let left = ci_findings(dir.path());
        assert_eq!(left, vec![format!("{SYNC_NOT_LOCKED} Dockerfile:4")]);
    }

    #[test]
    fn crlf_workflows_stay_crlf() {
        let wf = workflow("      - run: |\n          uv sync\n          uv run x\n")
            .replace('\n', "\r\n");
        let dir = project_with(&[(".github/workflows/ci.yml", &wf)]);
        let plan = plan_for(dir.path(), None);
        assert!(plan.manual.is_empty(), "{:#?}", plan.manual);
        apply(dir.path(), &plan, None);
        let after = read(dir.path(), ".github/workflows/ci.yml");
        assert_eq!(after.replace(LOCKED, ""), wf);
        assert_eq!(after.matches("\r\n").count(), after.matches('\n').count());
        assert!(ci_findings(dir.path()).is_empty());
    }

    #[test]
    fn github_job_is_written_and_clean() {
        let dir = project_with(&[]);
        let plan = plan_for(dir.path(), Some(Provider::Github));
        assert_eq!(plan.changes.len(), 1);
        let c = &plan.changes[0];
        assert_eq!(c.path, dir.path().join(".github/workflows/cordon.yml"));
        assert_eq!(c.before, None);
        assert!(
            c.after
                .starts_with("# Written by `cordon init --ci github`")
        );
        assert!(c.after.contains("version: \"0.13.9\""));
        assert!(c.after.contains(&install_cordon()));
        assert!(
            c.after
                .contains("CORDON_GIT_URL: ${{ vars.CORDON_GIT_URL }}")
        );
        apply(dir.path(), &plan, Some(Provider::Github));
        let project = load(dir.path());
        assert_eq!(project.ci.len(), 1);
        let ci = &project.ci[0];
        assert!(ci.file.problems.is_empty(), "{:?}", ci.file.problems);
        assert_eq!(ci.file.scripts.len(), 3);
        assert_eq!(ci.file.uses[1].input("version").map(|v| v.0), Some(UV));
        assert!(
            ci_findings(dir.path()).is_empty(),
            "{:?}",
            ci_findings(dir.path())
        );
    }

    #[test]
    fn github_name_clash_uses_cordon_check_yml() {
        let other = workflow("      - run: uv sync --locked\n");
        let dir = project_with(&[(".github/workflows/cordon.yml", &other)]);
        let plan = plan_for(dir.path(), Some(Provider::Github));
        assert_eq!(plan.changes.len(), 1);
        assert_eq!(
            plan.changes[0].path,
            dir.path().join(".github/workflows/cordon-check.yml")
        );
        apply(dir.path(), &plan, Some(Provider::Github));
        assert_eq!(read(dir.path(), ".github/workflows/cordon.yml"), other);
        assert!(ci_findings(dir.path()).is_empty());
    }

    #[test]
    fn a_workflow_running_cordon_means_no_new_job() {
        let wf = workflow(
            "      - run: |\n          cargo install --locked cordon\n          ./bin/cordon check --format github\n",
        );
        let dir = project_with(&[(".github/workflows/guard.yml", &wf)]);
        let plan = plan_for(dir.path(), Some(Provider::Github));
        assert_eq!(plan, CiPlan::default());
    }

    #[test]
    fn fixes_and_job_together_are_idempotent() {
        let wf = workflow("      - run: uv sync\n");
        let gl = "test:\n  script:\n    - uv run pytest\n";
        let dir = project_with(&[(".github/workflows/ci.yml", &wf), (".gitlab-ci.yml", gl)]);
        for provider in [Provider::Github, Provider::Gitlab] {
            let plan = plan_for(dir.path(), Some(provider));
            assert!(plan.manual.is_empty(), "{:#?}", plan.manual);
            apply(dir.path(), &plan, Some(provider));
            let again = plan_for(dir.path(), Some(provider));
            assert_eq!(again, CiPlan::default());
        }
        assert!(
            ci_findings(dir.path()).is_empty(),
            "{:?}",
            ci_findings(dir.path())
        );
        // The GitLab file got its `--locked` and the job in one change.
        let gitlab = read(dir.path(), ".gitlab-ci.yml");
        assert!(gitlab.starts_with("test:\n  script:\n    - uv run --locked pytest\n\n# Written"));
    }

    #[test]
    fn gitlab_job_is_created_and_clean() {
        let dir = project_with(&[]);
        let plan = plan_for(dir.path(), Some(Provider::Gitlab));
        assert_eq!(plan.changes.len(), 1);
        assert_eq!(plan.changes[0].path, dir.path().join(".gitlab-ci.yml"));
        assert!(!plan.changes[0].after.contains("stage:"));
        apply(dir.path(), &plan, Some(Provider::Gitlab));
        let project = load(dir.path());
        let ci = &project.ci[0];
        assert!(ci.file.problems.is_empty(), "{:?}", ci.file.problems);
        assert_eq!(ci.file.scripts[0].origin.path, "cordon.script");
        assert!(
            ci_findings(dir.path()).is_empty(),
            "{:?}",
            ci_findings(dir.path())
        );
    }

    #[test]
    fn gitlab_job_is_appended_after_the_existing_bytes() {
        let gl = "stages: [build, test]\n\ncordon:\n  stage: build\n  script:\n    - echo cordon is a name here   \n# trailing comment";
        let dir = project_with(&[(".gitlab-ci.yml", gl)]);
        let plan = plan_for(dir.path(), Some(Provider::Gitlab));
        assert_eq!(plan.changes.len(), 1);
        let after = &plan.changes[0].after;
        assert!(after.starts_with(gl), "{after}");
        let added = &after[gl.len()..];
        assert!(
            added.starts_with("\n\n# Written by `cordon init --ci gitlab`"),
            "{added:?}"
        );
        assert!(added.contains("\ncordon-check:\n  image: rust:1-slim\n  stage: .pre\n"));
        assert!(added.contains("    - cargo install --locked uv --version 0.13.9\n"));
        apply(dir.path(), &plan, Some(Provider::Gitlab));
        assert!(
            ci_findings(dir.path()).is_empty(),
            "{:?}",
            ci_findings(dir.path())
        );
    }

    #[test]
    fn gitlab_append_keeps_one_blank_line_and_crlf() {
        let gl = "build:\r\n  script:\r\n    - uv sync\r\n\r\n";
        let dir = project_with(&[(".gitlab-ci.yml", gl)]);
        let plan = plan_for(dir.path(), Some(Provider::Gitlab));
        assert!(plan.manual.is_empty(), "{:#?}", plan.manual);
        assert_eq!(plan.changes.len(), 1);
        assert_eq!(plan.changes[0].what.len(), 2);
        apply(dir.path(), &plan, Some(Provider::Gitlab));
        let after = read(dir.path(), ".gitlab-ci.yml");
        let fixed = "build:\r\n  script:\r\n    - uv sync --locked\r\n\r\n# Written";
        assert!(after.starts_with(fixed), "{after:?}");
        assert_eq!(after.matches("\r\n").count(), after.matches('\n').count());
        assert!(after.ends_with("    - cordon check\r\n"));
        assert!(
            ci_findings(dir.path()).is_empty(),
            "{:?}",
            ci_findings(dir.path())
        );
    }

    #[test]
    fn gitlab_file_that_cannot_take_a_job_gets_a_manual_edit() {
        let gl = "{build: {script: [uv sync --locked]}}\n";
        let dir = project_with(&[(".gitlab-ci.yml", gl)]);
        let plan = plan_for(dir.path(), Some(Provider::Gitlab));
        assert!(plan.changes.is_empty(), "{:#?}", plan.changes);
        assert_eq!(plan.manual.len(), 1);
        assert!(plan.manual[0].after.contains("cordon check"));
    }

    #[test]
    fn a_bad_uv_version_stops() {
        let dir = project_with(&[]);
        let err = plan(&load(dir.path()), Some(Provider::Github), "latest\"").unwrap_err();
        assert!(err.to_string().contains("not a uv version"), "{err}");
    }

    #[test]
    fn multi_line_and_next_line_plain_scalars_are_left_to_the_user() {
        let wf =
            workflow("      - run: uv sync\n          --dev\n      - run:\n          uv run x\n");
        let dir = project_with(&[(".github/workflows/ci.yml", &wf)]);
        let plan = plan_for(dir.path(), None);
        assert!(plan.changes.is_empty(), "{:#?}", plan.changes);
        let whys: Vec<&str> = plan.manual.iter().map(|m| m.why.as_str()).collect();
        assert_eq!(whys, [WHY_NOT_VERBATIM, WHY_MULTILINE]);
        assert_eq!(plan.manual[0].after, "uv sync --locked --dev");
        assert_eq!(plan.manual[1].after, "uv run --locked x");
    }

    #[test]
    fn the_round_trip_catches_an_insertion_in_the_wrong_place() {
        let wf = workflow("      - run: uv sync\n");
        let dir = project_with(&[(".github/workflows/ci.yml", &wf)]);
        let project = load(dir.path());
        let ci = &project.ci[0];
        let end = wf.find("uv sync").unwrap() + "uv sync".len();
        assert!(round_trips(ci, &wf, &[end]));
        assert!(!round_trips(ci, &wf, &[end - 1]));
        assert!(!round_trips(ci, &wf, &[end - 7]));
    }

    #[test]
    fn scalar_shapes() {
        assert_eq!(owner_column("      - run: "), Some(8));
        assert_eq!(owner_column("  - "), Some(2));
        assert_eq!(owner_column("- - "), Some(2));
        assert_eq!(owner_column("run: &a "), None);
        assert_eq!(owner_column("script: ["), None);
        assert_eq!(header_indicator("      - run: |"), Some(b'|'));
        assert_eq!(header_indicator("  key: &a >- # note"), Some(b'>'));
        assert_eq!(header_indicator("  cat x |"), None);
        assert_eq!(header_indicator("  - |2"), Some(b'|'));
        assert!(runs_cordon_check(
            "set -e\n./target/release/cordon check --format json"
        ));
        assert!(!runs_cordon_check("cordon --version"));
        assert_eq!(
            suggest_locked("sudo uv run x", "run"),
            "sudo uv run --locked x"
        );
    }
}
