//! The rule registry. A rule is one file here: a unit struct with its [`RuleMeta`], code that
//! reports [`Evidence`] for one member ([`Rule::check_member`]) or for the artifact as a whole
//! ([`Rule::check_artifact`]), and one entry in [`ALL`]. Each id has a section in
//! `docs/scanner-rules.md`.
//!
//! [`run`] reads each member once: its text, its Python AST (parsed once, shared by every rule
//! through [`MemberCx::python`]), then every rule. Payloads a rule decodes (base64 blobs,
//! `exec(b64decode(...))` arguments, PowerShell `-EncodedCommand`) are handed back with
//! [`MemberCx::push_payload`] and scanned by the same rules as a member of their own, named
//! `<member>#decoded`, up to [`codec::MAX_LAYERS`] layers and [`codec::MAX_DECODED`] bytes per
//! file. Callers that parallelise use [`scan_member`] and [`run_artifact_rules`].

// Paths are lower-cased before their extensions are compared; dotted Python names
// (`requests.post`) are case-sensitive by nature.
#![allow(clippy::case_sensitive_file_extension_comparisons)]

use std::borrow::Cow;
use std::cell::{Cell, OnceCell, RefCell};
use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::LazyLock;

use cordon_diagnostics::{Confidence, Severity};
use ruff_source_file::LineIndex;
use ruff_text_size::{TextRange, TextSize};

use crate::model::{Artifact, ArtifactKind, Behaviour, Evidence, Member, MemberRole};
use crate::python::{self, NoAst, PyFile};

pub mod codec;
mod common;

mod credential_access;
mod download;
mod drop_executable;
mod dynamic_exec;
mod embedded_binary;
mod encoded_payload;
mod env_dump;
mod evasion;
mod exfil_endpoint;
mod install_hook;
mod light;
mod metadata_mismatch;
mod network;
mod obfuscation;
mod persistence;
mod process_spawn;
mod pth_exec;
mod recon;
mod reverse_shell;
mod source_trick;

#[cfg(test)]
mod tests;

/// What every rule declares about itself.
#[derive(Debug)]
pub struct RuleMeta {
    /// Kebab-case id; also the anchor of its section in `docs/scanner-rules.md`.
    pub id: &'static str,
    pub summary: &'static str,
    /// Every behaviour the rule reports on members (checked when tests run). A member in a
    /// role where none of them can change the verdict is not given to the rule.
    pub emits: &'static [Behaviour],
    /// The rule hands decoded payloads back for scanning ([`MemberCx::push_payload`]): it runs
    /// on every member, since what it decodes is scanned by all the rules that count there.
    pub payloads: bool,
}

/// How a member is read by the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    /// Python source (`.py`, `.pyw`, a `python` shebang script, or a decoded payload).
    Python,
    /// A `.pth` file: only its `import` lines are code.
    Pth,
    /// A shell, batch, PowerShell or VBScript file.
    Script,
    /// Compiled bytecode (`.pyc`): only its strings are read.
    Bytecode,
    /// Anything else (data, text, binaries): only payload rules look at it.
    Data,
}

/// What a rule sees of one member.
pub struct MemberCx<'a> {
    pub artifact: &'a Artifact,
    pub member: &'a Member,
    pub role: MemberRole,
    /// The member as text: UTF-8 as is; code members (Python, scripts, bytecode, decoded
    /// payloads) that are not valid UTF-8 are decoded lossily.
    pub text: Option<&'a str>,
    /// The member as Python (its AST parsed once for every rule), when it is Python source or
    /// a `.pth` file. [`PyFile::has_ast`] is false when it did not parse.
    pub python: Option<&'a PyFile<'a>>,
    pub kind: CodeKind,
    /// 0 for a member itself, n for a payload decoded n layers deep from it.
    pub layer: u8,
    /// Line index of [`MemberCx::code_text`] (built on first use: most members report nothing).
    lines: OnceCell<LineIndex>,
    /// What decoding may still spend for this file (shared by its decoded layers).
    pub budget: &'a codec::Budget,
    payloads: &'a RefCell<Payloads>,
    /// [`common::strings`], computed once for every rule.
    strings: OnceCell<Vec<common::StrItem<'a>>>,
    /// The strings joined by newlines, for [`common::Gate`].
    joined: OnceCell<String>,
    /// [`MemberCx::string_commands`], computed once for every rule.
    commands: OnceCell<Vec<StringCommand>>,
    /// The rule being run (to check its [`RuleMeta`] while testing).
    rule: Cell<Option<&'static RuleMeta>>,
}

/// A command-line trait found in one of a member's strings.
#[derive(Debug, Clone)]
pub struct StringCommand {
    /// Index into [`MemberCx::strings`].
    pub string: usize,
    pub command: common::CommandTrait,
    /// Byte range of the match in that string.
    pub range: std::ops::Range<usize>,
}

/// A payload decoded by a rule, to be scanned as its own member.
#[derive(Debug)]
pub struct Payload {
    pub data: Vec<u8>,
    /// Where in the member it came from.
    pub origin: TextSize,
}

#[derive(Debug, Default)]
struct Payloads {
    found: Vec<Payload>,
    seen: HashSet<u64>,
}

impl<'a> MemberCx<'a> {
    /// The member path evidence names.
    pub fn path(&self) -> &'a str {
        &self.member.path
    }

    /// The text rules scan as code: the Python source (for a `.pth`, its executable lines
    /// only, other lines blanked), or the text of a script or bytecode; `None` for data.
    pub fn code_text(&self) -> Option<&'a str> {
        if let Some(py) = self.python {
            return Some(py.source);
        }
        match self.kind {
            CodeKind::Script | CodeKind::Bytecode | CodeKind::Python | CodeKind::Pth => self.text,
            CodeKind::Data => None,
        }
    }

    /// The Python file when it has an AST.
    pub fn ast(&self) -> Option<&'a PyFile<'a>> {
        self.python.filter(|p| p.has_ast())
    }

    /// 1-based line and column of `offset` in [`MemberCx::code_text`] (or the text).
    pub fn loc(&self, offset: TextSize) -> (usize, usize) {
        let src = self.code_text().or(self.text).unwrap_or("");
        if offset.to_usize() > src.len() {
            return (1, 1);
        }
        let lines = self.lines.get_or_init(|| LineIndex::from_source_text(src));
        python::line_col(lines, src, offset)
    }

    /// The source of `range` (cut to a few hundred bytes), for a snippet.
    pub fn source_of(&self, range: TextRange) -> &'a str {
        let src = self.code_text().or(self.text).unwrap_or("");
        let start = range.start().to_usize().min(src.len());
        let mut end = range
            .end()
            .to_usize()
            .clamp(start, src.len())
            .min(start + 300);
        while end > start && !src.is_char_boundary(end) {
            end -= 1;
        }
        if !src.is_char_boundary(start) {
            return "";
        }
        &src[start..end]
    }

    /// An evidence at `range` of this member, its source as the snippet.
    pub fn evidence(
        &self,
        meta: &'static RuleMeta,
        behaviour: Behaviour,
        severity: Severity,
        confidence: Confidence,
        message: impl Into<String>,
        range: TextRange,
    ) -> Evidence {
        let (line, col) = self.loc(range.start());
        Evidence::new(meta.id, behaviour, severity, message)
            .in_member(self.path())
            .at(line, col)
            .with_snippet(self.source_of(range))
            .with_confidence(confidence)
    }

    /// Hands a decoded payload back for scanning (deduplicated; ignored past the last layer).
    pub fn push_payload(&self, data: Vec<u8>, origin: TextSize) {
        debug_assert!(
            self.rule.get().is_none_or(|m| m.payloads),
            "a rule pushes payloads without RuleMeta::payloads"
        );
        if self.layer >= codec::MAX_LAYERS || data.is_empty() {
            return;
        }
        let mut h = DefaultHasher::new();
        data.hash(&mut h);
        let key = h.finish();
        let mut p = self.payloads.borrow_mut();
        if p.seen.insert(key) {
            p.found.push(Payload { data, origin });
        }
    }

    /// The strings rules read (see [`common::strings`]), computed once per member.
    pub fn strings(&self) -> &[common::StrItem<'a>] {
        self.strings.get_or_init(|| common::strings(self))
    }

    /// [`MemberCx::strings`] joined by newlines: one haystack for a [`common::Gate`].
    pub fn joined_strings(&self) -> &str {
        self.joined.get_or_init(|| {
            let items = self.strings();
            if let [one] = items {
                return one.text.to_owned();
            }
            let mut s = String::with_capacity(items.iter().map(|i| i.text.len() + 1).sum());
            for i in items {
                s.push_str(i.text);
                s.push('\n');
            }
            s
        })
    }

    /// The command-line traits of [`MemberCx::strings`]
    /// ([`common::command_traits_in_string`]), found once for the rules that read them.
    pub fn string_commands(&self) -> &[StringCommand] {
        self.commands.get_or_init(|| {
            let mut out = Vec::new();
            for (string, item) in self.strings().iter().enumerate() {
                for (command, range) in common::command_traits_in_string(item.text) {
                    out.push(StringCommand {
                        string,
                        command,
                        range,
                    });
                }
            }
            out
        })
    }

    /// The command-line traits of the `i`th of [`MemberCx::strings`], in pattern order.
    pub fn commands_in(&self, i: usize) -> &[StringCommand] {
        let all = self.string_commands();
        let start = all.partition_point(|c| c.string < i);
        let end = start + all[start..].partition_point(|c| c.string == i);
        &all[start..end]
    }

    /// True for members whose code runs (Python, `.pth`, scripts, bytecode).
    pub fn is_code(&self) -> bool {
        self.kind != CodeKind::Data
    }
}

/// Collects one rule's evidence for one member: drops duplicates (same behaviour, line and
/// message) and stops after [`Report::CAP`] items so a hostile file cannot flood the report.
pub struct Report<'c, 'a, 'o> {
    cx: &'c MemberCx<'a>,
    meta: &'static RuleMeta,
    out: &'o mut Vec<Evidence>,
    seen: HashSet<(Behaviour, usize, String)>,
    count: usize,
}

impl<'c, 'a, 'o> Report<'c, 'a, 'o> {
    pub const CAP: usize = 25;

    pub fn new(cx: &'c MemberCx<'a>, meta: &'static RuleMeta, out: &'o mut Vec<Evidence>) -> Self {
        Self {
            cx,
            meta,
            out,
            seen: HashSet::new(),
            count: 0,
        }
    }

    /// Reports at `range`.
    pub fn add(
        &mut self,
        behaviour: Behaviour,
        severity: Severity,
        confidence: Confidence,
        message: impl Into<String>,
        range: TextRange,
    ) {
        let e = self
            .cx
            .evidence(self.meta, behaviour, severity, confidence, message, range);
        self.push(e);
    }

    /// Reports at `offset` with an explicit snippet.
    pub fn add_snippet(
        &mut self,
        behaviour: Behaviour,
        severity: Severity,
        confidence: Confidence,
        message: impl Into<String>,
        offset: TextSize,
        snippet: &str,
    ) {
        let (line, col) = self.cx.loc(offset);
        let mut e = Evidence::new(self.meta.id, behaviour, severity, message)
            .in_member(self.cx.path())
            .at(line, col)
            .with_confidence(confidence);
        if !snippet.trim().is_empty() {
            e = e.with_snippet(snippet);
        }
        self.push(e);
    }

    pub fn push(&mut self, e: Evidence) {
        debug_assert!(
            self.meta.emits.contains(&e.behaviour),
            "rule {} reports {:?}, which its RuleMeta::emits does not list",
            self.meta.id,
            e.behaviour
        );
        if self.count >= Self::CAP {
            return;
        }
        if self
            .seen
            .insert((e.behaviour, e.line.unwrap_or(0), e.message.clone()))
        {
            self.count += 1;
            self.out.push(e);
        }
    }

    /// True when something was reported with `behaviour`.
    pub fn has(&self, behaviour: Behaviour) -> bool {
        self.seen.iter().any(|(b, _, _)| *b == behaviour)
    }
}

/// A rule: reads members or the artifact, pushes evidence. Rules never print.
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check_member(&self, _cx: &MemberCx<'_>, _out: &mut Vec<Evidence>) {}
    fn check_artifact(&self, _artifact: &Artifact, _out: &mut Vec<Evidence>) {}
}

/// Every rule, in documentation order.
pub static ALL: &[&dyn Rule] = &[
    &install_hook::InstallHook,
    &process_spawn::ProcessSpawn,
    &dynamic_exec::DynamicExec,
    &encoded_payload::EncodedPayload,
    &obfuscation::Obfuscation,
    &download::Download,
    &network::Network,
    &exfil_endpoint::ExfilEndpoint,
    &credential_access::CredentialAccess,
    &env_dump::EnvDump,
    &recon::Recon,
    &persistence::Persistence,
    &reverse_shell::ReverseShell,
    &drop_executable::DropExecutable,
    &pth_exec::PthExec,
    &embedded_binary::EmbeddedBinary,
    &metadata_mismatch::MetadataMismatch,
    &source_trick::SourceTrick,
    &evasion::Evasion,
];

/// The part of a member path that names a file inside the artifact (after the last `!/` of a
/// nested archive), and how many directories deep it is.
fn inner_path(path: &str) -> &str {
    path.rsplit("!/").next().unwrap_or(path)
}

const PERIPHERAL_DIRS: &[&str] = &[
    "tests",
    "test",
    "testing",
    "docs",
    "doc",
    "examples",
    "example",
    "benchmarks",
    "benchmark",
];
/// Vendored code and build or CI tooling that installing the distribution does not run.
const VENDORED_DIRS: &[&str] = &[
    "_vendor",
    "vendor",
    "vendored",
    "third_party",
    "thirdparty",
    "ci",
    ".github",
    "winbuild",
    "build_tools",
    "buildscripts",
    "tools",
];
const METADATA_FILES: &[&str] = &[
    "pkg-info",
    "metadata",
    "record",
    "wheel",
    "entry_points.txt",
    "top_level.txt",
    "pyproject.toml",
    "setup.cfg",
    "sources.txt",
];

/// True when `p` (lower-case, inner path) is at the root of the distribution: `setup.py`, or
/// `name-1.0/setup.py` in an sdist.
fn at_root(artifact: &Artifact, p: &str) -> bool {
    let parts = p.split('/').filter(|s| !s.is_empty()).count();
    match artifact.kind {
        ArtifactKind::Wheel | ArtifactKind::Installed | ArtifactKind::Unlisted => false,
        ArtifactKind::Sdist | ArtifactKind::Directory => parts <= 2,
    }
}

/// The root `setup.py` of an artifact, if any.
fn root_setup_py(artifact: &Artifact) -> Option<&Member> {
    // Runs for every root-level module: compare without allocating first.
    artifact.members.iter().find(|m| {
        let p = inner_path(&m.path);
        let named = p.len() >= 8
            && p.is_char_boundary(p.len() - 8)
            && p[p.len() - 8..].eq_ignore_ascii_case("setup.py")
            && (p.len() == 8 || p.as_bytes()[p.len() - 9] == b'/');
        named && m.depth == 0 && at_root(artifact, p)
    })
}

/// True when `setup` imports module `stem` (`import stem`, `from stem import ...`).
fn setup_imports(setup: &Member, stem: &str) -> bool {
    let Ok(text) = std::str::from_utf8(&setup.data) else {
        return false;
    };
    text.lines().any(|l| {
        let l = l.trim_start();
        let rest = l
            .strip_prefix("from ")
            .or_else(|| l.strip_prefix("import "))
            .map(str::trim_start);
        rest.is_some_and(|r| {
            r.strip_prefix(stem).is_some_and(|after| {
                after.is_empty() || after.starts_with([' ', '.', ',', ';', '\t', '\r'])
            })
        })
    })
}

/// Where a member's code runs.
pub fn role_of(artifact: &Artifact, member: &Member) -> MemberRole {
    let p = inner_path(&member.path).to_ascii_lowercase();
    let file = p.rsplit('/').next().unwrap_or(&p);
    let dirs: Vec<&str> = p.split('/').collect();
    let dirs = &dirs[..dirs.len().saturating_sub(1)];
    if file.ends_with(".pth") {
        return MemberRole::Pth;
    }
    if Path::is_py(file) && at_root(artifact, &p) {
        if file == "setup.py" || file.starts_with("build_backend") || file.starts_with("_build") {
            return MemberRole::InstallTime;
        }
        // A root-level module the root setup.py imports runs at install too.
        let stem = file.trim_end_matches(".py");
        if let Some(setup) = root_setup_py(artifact)
            && !std::ptr::eq(setup, member)
            && setup_imports(setup, stem)
        {
            return MemberRole::InstallTime;
        }
    }
    if METADATA_FILES.contains(&file) {
        return MemberRole::Metadata;
    }
    if dirs.iter().any(|d| PERIPHERAL_DIRS.contains(d))
        || (Path::is_py(file)
            && (file.starts_with("test_") || file.ends_with("_test.py") || file == "conftest.py"))
    {
        return MemberRole::Peripheral;
    }
    if dirs.iter().any(|d| {
        VENDORED_DIRS.contains(d) || d.starts_with("vendored-") || d.starts_with("vendor-")
    }) {
        return MemberRole::Vendored;
    }
    if Path::is_py(file) {
        return MemberRole::Package;
    }
    MemberRole::Other
}

struct Path;

impl Path {
    fn is_py(file: &str) -> bool {
        file.ends_with(".py") || file.ends_with(".pyw")
    }
}

/// How the rules read a member.
pub fn code_kind(member: &Member, layer: u8) -> CodeKind {
    code_kind_of(&member.path, &member.data, layer)
}

/// [`code_kind`] of a member at `path` whose data is (or starts with) `data`.
pub fn code_kind_of(path: &str, data: &[u8], layer: u8) -> CodeKind {
    let p = path.to_ascii_lowercase();
    let file = p.rsplit('/').next().unwrap_or(&p);
    if layer > 0 {
        if codec::is_text(data) {
            return CodeKind::Python;
        }
        if data.first() == Some(&0xe3) || data.first() == Some(&0x63) {
            return CodeKind::Bytecode;
        }
        return CodeKind::Data;
    }
    if file.ends_with(".pth") {
        CodeKind::Pth
    } else if Path::is_py(file) {
        CodeKind::Python
    } else if file.ends_with(".pyc") || file.ends_with(".pyo") {
        CodeKind::Bytecode
    } else if [".sh", ".bash", ".bat", ".cmd", ".ps1", ".psm1", ".vbs"]
        .iter()
        .any(|e| file.ends_with(e))
    {
        CodeKind::Script
    } else if !file.contains('.')
        && data.starts_with(b"#!")
        && data
            .iter()
            .take(128)
            .position(|&c| c == b'\n')
            .is_some_and(|n| String::from_utf8_lossy(&data[..n]).contains("python"))
    {
        CodeKind::Python
    } else {
        CodeKind::Data
    }
}

/// The executable lines of a `.pth` file (those `site` runs: starting with `import ` or
/// `import\t`), other lines blanked so offsets stay those of the file.
pub fn pth_code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if line.starts_with("import ") || line.starts_with("import\t") {
            out.push_str(line);
        } else {
            for c in line.chars() {
                if c == '\n' || c == '\r' {
                    out.push(c);
                } else {
                    for _ in 0..c.len_utf8() {
                        out.push(' ');
                    }
                }
            }
        }
    }
    out
}

/// Runs every rule over the artifact, its members in parallel (evidence stays in member order).
pub fn run(artifact: &Artifact) -> Vec<Evidence> {
    run_with(artifact, &crate::cache::MemberCache::new())
}

/// [`run`], reusing the evidence of members identical to ones `cache` has seen.
pub fn run_with(artifact: &Artifact, cache: &crate::cache::MemberCache) -> Vec<Evidence> {
    use rayon::prelude::*;
    let mut out = Vec::new();
    run_artifact_rules(artifact, &mut out);
    let loaders = crate::verdict::Loaders::of(artifact);
    // Members another thread is scanning (the same file in a wheel and its sdist) are left for
    // a second pass, by when that scan has most likely ended.
    let scan_one = |member: &Member, defer: bool| {
        let mut ev = Vec::new();
        let (role, kind) = (role_of(artifact, member), code_kind(member, 0));
        let rules = rules_for(member, loaders.role(artifact, member));
        let light = rules.len() < ALL.len();
        if skips(member, kind, light) {
            return Some(ev);
        }
        let scan = |out: &mut Vec<Evidence>| {
            scan(
                artifact,
                member,
                role,
                rules,
                0,
                &mut codec::Budget::default(),
                out,
            );
        };
        let how = crate::cache::How { role, kind, light };
        if defer {
            cache
                .scan_or_defer(member, how, &mut ev, scan)
                .then_some(ev)
        } else {
            cache.scan_or_reuse(member, how, &mut ev, scan);
            Some(ev)
        }
    };
    let mut per_member: Vec<Option<Vec<Evidence>>> = artifact
        .members
        .par_iter()
        .map(|member| scan_one(member, true))
        .collect();
    let deferred: Vec<usize> = (0..per_member.len())
        .filter(|&i| per_member[i].is_none())
        .collect();
    let late: Vec<(usize, Option<Vec<Evidence>>)> = deferred
        .into_par_iter()
        .map(|i| (i, scan_one(&artifact.members[i], false)))
        .collect();
    for (i, ev) in late {
        per_member[i] = ev;
    }
    out.extend(per_member.into_iter().flatten().flatten());
    out
}

/// Runs the artifact-wide rules.
pub fn run_artifact_rules(artifact: &Artifact, out: &mut Vec<Evidence>) {
    for rule in ALL {
        rule.check_artifact(artifact, out);
    }
}

/// Runs the member rules over one member (and the payloads decoded from it).
pub fn scan_member(artifact: &Artifact, member: &Member, out: &mut Vec<Evidence>) {
    let role = role_of(artifact, member);
    let loaders = crate::verdict::Loaders::of(artifact);
    let rules = rules_for(member, loaders.role(artifact, member));
    if skips(member, code_kind(member, 0), rules.len() < ALL.len()) {
        return;
    }
    let mut budget = codec::Budget::default();
    scan(artifact, member, role, rules, 0, &mut budget, out);
}

/// True for Python source given the light selection ([`rules_for`]) that shows nothing those
/// rules could find there ([`light::worth_parsing`]): it is not parsed at all.
fn skips(member: &Member, kind: CodeKind, light: bool) -> bool {
    light && kind == CodeKind::Python && !light::worth_parsing(&member.data)
}

/// The rules a member is given, by the role the verdict weighs it as (`weighed`, from
/// [`crate::verdict::Loaders::role`]): every one, except where the code is neither installed
/// nor imported (tests, docs, vendored tooling, a distribution shipped inside this one). There
/// only the rules that can report a behaviour still able to change the verdict run
/// ([`crate::verdict::behaviours_that_count`]: a reverse shell, and for a `.pth` file what
/// makes it run code), with those that decode payloads, whose payloads get the same selection.
/// Evidence that could not change the verdict is not gathered, and Python files given this
/// selection are parsed only when [`light::worth_parsing`].
pub fn rules_for(member: &Member, weighed: MemberRole) -> &'static [&'static dyn Rule] {
    // The selection depends only on the role and on being a `.pth` file: made once per pair.
    type Selection = (MemberRole, bool, Vec<&'static dyn Rule>);
    static LIGHT: LazyLock<Vec<Selection>> = LazyLock::new(|| {
        let mut out = Vec::new();
        for role in [MemberRole::Peripheral, MemberRole::Vendored] {
            for pth in [false, true] {
                let counts = crate::verdict::behaviours_that_count(role, pth);
                let rules = ALL
                    .iter()
                    .copied()
                    .filter(|r| {
                        r.meta().payloads || r.meta().emits.iter().any(|b| counts.contains(b))
                    })
                    .collect();
                out.push((role, pth, rules));
            }
        }
        out
    });
    if !crate::verdict::weighed_down(weighed) {
        return ALL;
    }
    let pth = code_kind(member, 0) == CodeKind::Pth;
    // A role weighed down but not listed above gets every rule: never fewer than it needs.
    LIGHT
        .iter()
        .find(|(r, p, _)| *r == weighed && *p == pth)
        .map_or(ALL, |(_, _, rules)| rules.as_slice())
}

/// Stack for members whose expressions nest deeply (the AST and its walks are recursive).
const DEEP_STACK: usize = 512 * 1024 * 1024;

fn scan(
    artifact: &Artifact,
    member: &Member,
    role: MemberRole,
    rules: &[&dyn Rule],
    layer: u8,
    budget: &mut codec::Budget,
    out: &mut Vec<Evidence>,
) {
    let kind = code_kind(member, layer);
    let text: Option<Cow<'_, str>> = match std::str::from_utf8(&member.data) {
        Ok(s) => Some(Cow::Borrowed(s)),
        Err(_) if kind != CodeKind::Data => Some(String::from_utf8_lossy(&member.data)),
        Err(_) => None,
    };
    let py_source: Option<Cow<'_, str>> = match (kind, &text) {
        (CodeKind::Python, Some(t)) => Some(Cow::Borrowed(t.as_ref())),
        (CodeKind::Pth, Some(t)) => Some(Cow::Owned(pth_code(t))),
        _ => None,
    };
    let nesting = py_source
        .as_deref()
        .filter(|s| s.len() <= python::MAX_AST_SOURCE)
        .map_or(0, python::nesting_estimate);
    let payloads = if nesting > python::DEEP_NESTING && nesting <= python::MAX_NESTING {
        let b = std::mem::take(budget);
        let text = text.as_deref();
        let py_source = py_source.as_deref();
        let res = std::thread::scope(|s| {
            std::thread::Builder::new()
                .stack_size(DEEP_STACK)
                .spawn_scoped(s, move || {
                    let mut ev = Vec::new();
                    let p = analyze(
                        artifact, member, role, rules, layer, kind, text, py_source, nesting, &b,
                        &mut ev,
                    );
                    (ev, p, b)
                })
                .ok()
                .and_then(|h| h.join().ok())
        });
        if let Some((ev, p, b)) = res {
            out.extend(ev);
            *budget = b;
            p
        } else {
            out.push(
                Evidence::new(
                    "encoded-payload",
                    Behaviour::LimitExceeded,
                    Severity::Low,
                    "analysis of this deeply nested file failed; it was not scanned",
                )
                .in_member(&member.path),
            );
            Vec::new()
        }
    } else {
        analyze(
            artifact,
            member,
            role,
            rules,
            layer,
            kind,
            text.as_deref(),
            py_source.as_deref(),
            nesting,
            budget,
            out,
        )
    };
    for (i, p) in payloads.into_iter().enumerate() {
        let base = member.path.split('#').next().unwrap_or(&member.path);
        let suffix = "#decoded".repeat(usize::from(layer) + 1);
        let path = if i == 0 {
            format!("{base}{suffix}")
        } else {
            format!("{base}{suffix}-{}", i + 1)
        };
        let _ = p.origin;
        let virt = Member::new(path, p.data, member.depth);
        scan(artifact, &virt, role, rules, layer + 1, budget, out);
    }
}

#[allow(clippy::too_many_arguments)]
fn analyze(
    artifact: &Artifact,
    member: &Member,
    role: MemberRole,
    rules: &[&dyn Rule],
    layer: u8,
    kind: CodeKind,
    text: Option<&str>,
    py_source: Option<&str>,
    nesting: u32,
    budget: &codec::Budget,
    out: &mut Vec<Evidence>,
) -> Vec<Payload> {
    let parsed = py_source.map(|src| {
        if src.len() > python::MAX_AST_SOURCE {
            Err(NoAst::TooLarge)
        } else if nesting > python::MAX_NESTING {
            Err(NoAst::TooDeep(nesting))
        } else {
            python::parse(src)
        }
    });
    let py = match (py_source, &parsed) {
        (Some(src), Some(Ok(p))) => Some(PyFile::new(src, p, budget)),
        (Some(src), Some(Err(e))) => Some(PyFile::without_ast(src, e.clone(), budget)),
        _ => None,
    };
    // A decoded payload that is not Python is read as text (PowerShell, shell, data).
    let (kind, py) = match (layer, &py) {
        (l, Some(p)) if l > 0 && !p.has_ast() => (CodeKind::Script, None),
        _ => (kind, py),
    };
    let payloads = RefCell::new(Payloads::default());
    let cx = MemberCx {
        artifact,
        member,
        role,
        text,
        python: py.as_ref(),
        kind,
        layer,
        lines: OnceCell::new(),
        budget,
        payloads: &payloads,
        strings: OnceCell::new(),
        joined: OnceCell::new(),
        commands: OnceCell::new(),
        rule: Cell::new(None),
    };
    for rule in rules {
        cx.rule.set(Some(rule.meta()));
        rule.check_member(&cx, out);
    }
    payloads.into_inner().found
}
