//! pip requirements files (`requirements.txt`, constraints files), parsed with spans the way pip
//! reads them: physical lines joined at a trailing `\`, comments (`#` at the start of a line or
//! after whitespace, never inside a URL fragment such as `#sha256=` or `#egg=`), then each
//! logical line split into a requirement and its per-requirement options (`--hash`), or a line
//! of global options (`-r`, `-c`, `-e`, `--index-url`, `--require-hashes`, ...).
//!
//! Nothing here is a hard error except a root file that cannot be read at all: a line cordon
//! cannot parse, an option it does not know, a missing include or an include cycle is recorded
//! as a [`Problem`] with its span, and the rest of the file is still modelled.
//! [`RequirementsSet`] follows `-r`/`-c` includes (relative to the including file), each file
//! loaded once, and answers what installing one root file brings in ([`Install`]).

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use pep440_rs::VersionSpecifiers;
use pep508_rs::{MarkerTree, Requirement, VerbatimUrl, VersionOrUrl};

use crate::error::{ParseError, Source};
use crate::name::normalize;
use crate::requirement::{exact_version, is_full_commit};

/// One requirements file, parsed.
#[derive(Debug, Clone)]
pub struct RequirementsFile {
    pub source: Source,
    /// Every entry, in file order. A logical line with several options yields one entry per
    /// option; blank and comment lines yield none.
    pub lines: Vec<ReqLine>,
    /// What cordon could not read, in file order (the loader appends include problems).
    pub problems: Vec<Problem>,
}

/// One entry of a requirements file.
#[derive(Debug, Clone)]
pub struct ReqLine {
    pub kind: LineKind,
    /// Span of the entry: the requirement with its options, or one option with its value.
    /// Comments are excluded; a continued line spans several physical lines.
    pub span: Range<usize>,
    /// The 1-based line the entry starts on.
    pub line: usize,
}

/// What an entry is.
#[derive(Debug, Clone)]
pub enum LineKind {
    /// A PEP 508 requirement (`name[extras] specifiers ; marker` or `name @ url`).
    Requirement(NamedRequirement),
    /// `-e`/`--editable` with a local path or a VCS URL.
    Editable(DirectRequirement),
    /// A URL without a name in front: an archive (`https://.../x.whl`) or VCS (`git+https://...`).
    Url(DirectRequirement),
    /// A local path: a project directory, a wheel or an sdist (also `file:` URLs).
    Path(DirectRequirement),
    /// `-r`/`--requirement` or `-c`/`--constraint`.
    Include(Include),
    /// A global option (`--index-url`, `--require-hashes`, ...).
    Option(GlobalOption),
}

/// A named requirement and its per-requirement options.
#[derive(Debug, Clone)]
pub struct NamedRequirement {
    /// The requirement as written (continuations joined), without its options.
    pub raw: String,
    /// Span of the requirement text, without its options.
    pub span: Range<usize>,
    pub requirement: Requirement<VerbatimUrl>,
    /// `--hash` values, `algorithm:hex`.
    pub hashes: Vec<String>,
    /// Other per-requirement options (`--config-settings`, `--global-option`): name and value.
    pub options: Vec<(String, String)>,
}

/// A requirement given by location rather than by name: a URL, a VCS URL or a local path.
#[derive(Debug, Clone)]
pub struct DirectRequirement {
    /// The URL or path as written (fragment kept; extras and marker removed).
    pub target: String,
    pub target_span: Range<usize>,
    /// The normalized project name, from `#egg=` or an archive's file name, when it says.
    pub name: Option<String>,
    pub extras: Vec<String>,
    /// The environment marker, as written.
    pub marker: Option<String>,
    /// `--hash` values, `algorithm:hex`.
    pub hashes: Vec<String>,
    /// Other per-requirement options: name and value.
    pub options: Vec<(String, String)>,
}

/// `-r FILE` or `-c FILE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    pub kind: IncludeKind,
    /// The target as written.
    pub target: String,
    pub target_span: Range<usize>,
    pub location: IncludeLocation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncludeKind {
    /// `-r`/`--requirement`: more requirements.
    Requirements,
    /// `-c`/`--constraint`: versions for requirements named elsewhere.
    Constraints,
}

impl IncludeKind {
    pub fn flag(self) -> &'static str {
        match self {
            IncludeKind::Requirements => "-r",
            IncludeKind::Constraints => "-c",
        }
    }
}

/// Where an include points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncludeLocation {
    /// A local file, resolved against the including file's directory (lexically normalized).
    Path(PathBuf),
    /// A remote file (`http://`, `https://`); cordon never fetches it.
    Url(String),
}

/// A global option cordon understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GlobalOption {
    /// `-i`/`--index-url`
    IndexUrl(String),
    /// `--extra-index-url`
    ExtraIndexUrl(String),
    /// `--no-index`
    NoIndex,
    /// `-f`/`--find-links`
    FindLinks(String),
    /// `--trusted-host`
    TrustedHost(String),
    /// `--require-hashes`
    RequireHashes,
    /// `--no-binary`
    NoBinary(String),
    /// `--only-binary`
    OnlyBinary(String),
    /// `--pre`
    Pre,
    /// `--prefer-binary`
    PreferBinary,
    /// `--use-feature`
    UseFeature(String),
}

/// Something cordon could not read, at its span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub span: Range<usize>,
    /// The 1-based line the span starts on.
    pub line: usize,
    pub message: String,
    pub help: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// A line that is neither a requirement, a path, a URL nor options.
    InvalidLine,
    /// An option cordon (and pip) does not accept where it stands.
    UnknownOption,
    /// A known option with a missing or malformed value.
    InvalidOption,
    /// An include whose file does not exist.
    MissingInclude,
    /// An include that leads back to a file already being read.
    IncludeCycle,
    /// An include that exists but cannot be read (a directory, or an I/O error).
    UnreadableInclude,
    /// Bytes that are not UTF-8 (read with replacement characters).
    InvalidEncoding,
}

/// The tool a file says generated it, from its header comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generator {
    /// `uv export`: the file is derived from `uv.lock`.
    UvExport,
    /// `uv pip compile`: a separate resolution.
    UvPipCompile,
    /// pip-tools' `pip-compile`.
    PipCompile,
}

/// A VCS URL split into repository and reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VcsRef {
    /// `git`, `hg`, `svn` or `bzr`.
    pub vcs: &'static str,
    /// The repository URL, without the `vcs+` prefix, the `@ref` and the fragment.
    pub url: String,
    /// The `@ref` part, if any.
    pub reference: Option<String>,
}

impl VcsRef {
    /// True when the reference names one immutable revision: a full commit hash (git,
    /// Mercurial), or a revision number (Subversion).
    pub fn is_pinned(&self) -> bool {
        self.reference.as_deref().is_some_and(|r| {
            is_full_commit(r)
                || (self.vcs == "svn" && !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit()))
        })
    }
}

impl NamedRequirement {
    /// The normalized name.
    pub fn name(&self) -> String {
        normalize(self.requirement.name.as_ref())
    }

    pub fn specifiers(&self) -> Option<&VersionSpecifiers> {
        match self.requirement.version_or_url.as_ref()? {
            VersionOrUrl::VersionSpecifier(s) => Some(s),
            VersionOrUrl::Url(_) => None,
        }
    }

    /// The version an exact pin (`==`/`===`, no wildcard) fixes.
    pub fn exact_version(&self) -> Option<String> {
        self.specifiers().and_then(exact_version)
    }

    /// The direct URL (`name @ url`), as written.
    pub fn url(&self) -> Option<String> {
        match self.requirement.version_or_url.as_ref()? {
            VersionOrUrl::Url(u) => {
                Some(u.given().map_or_else(|| u.to_string(), ToOwned::to_owned))
            }
            VersionOrUrl::VersionSpecifier(_) => None,
        }
    }

    pub fn marker(&self) -> Option<String> {
        self.requirement.marker.contents().map(|m| m.to_string())
    }
}

impl DirectRequirement {
    /// The VCS reference, for a VCS URL.
    pub fn vcs(&self) -> Option<VcsRef> {
        parse_vcs_url(&self.target)
    }

    /// True for a local path or a `file:` URL.
    pub fn is_local(&self) -> bool {
        !is_url(&self.target) || self.target.to_ascii_lowercase().starts_with("file:")
    }
}

impl LineKind {
    /// True for entries that install something (requirements, editables, URLs, paths).
    pub fn is_install(&self) -> bool {
        !matches!(self, LineKind::Include(_) | LineKind::Option(_))
    }

    /// The normalized project name, when the entry says.
    pub fn name(&self) -> Option<String> {
        match self {
            LineKind::Requirement(r) => Some(r.name()),
            LineKind::Editable(d) | LineKind::Url(d) | LineKind::Path(d) => d.name.clone(),
            LineKind::Include(_) | LineKind::Option(_) => None,
        }
    }

    /// The `--hash` values of an install entry (empty otherwise).
    pub fn hashes(&self) -> &[String] {
        match self {
            LineKind::Requirement(r) => &r.hashes,
            LineKind::Editable(d) | LineKind::Url(d) | LineKind::Path(d) => &d.hashes,
            LineKind::Include(_) | LineKind::Option(_) => &[],
        }
    }

    /// The URL the entry installs from (`name @ url`, or a URL line), as written.
    pub fn url(&self) -> Option<String> {
        match self {
            LineKind::Requirement(r) => r.url(),
            LineKind::Editable(d) | LineKind::Url(d) if !d.is_local() => Some(d.target.clone()),
            _ => None,
        }
    }

    /// The VCS reference, for an entry installed from version control.
    pub fn vcs(&self) -> Option<VcsRef> {
        self.url().as_deref().and_then(parse_vcs_url)
    }

    /// True for local paths (also editable ones and `file:` URLs).
    pub fn is_local(&self) -> bool {
        match self {
            LineKind::Requirement(r) => r
                .url()
                .is_some_and(|u| u.to_ascii_lowercase().starts_with("file:") || !is_url(&u)),
            LineKind::Editable(d) | LineKind::Url(d) | LineKind::Path(d) => d.is_local(),
            LineKind::Include(_) | LineKind::Option(_) => false,
        }
    }
}

impl RequirementsFile {
    /// Reads and parses `path`. Bytes that are not UTF-8 are replaced and reported as a
    /// problem; only an I/O error is an error.
    pub fn read(path: &Path) -> Result<Self, ParseError> {
        let bytes = fs_err::read(path).map_err(|e| ParseError::io(path, &e))?;
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Self::parse(Source::from_string(path, text))),
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let mut file = Self::parse(Source::from_string(path, text));
                let start = valid.min(file.source.text.len());
                let line = line_of(&file.source.text, start);
                let end = file.source.text[start..]
                    .find('\n')
                    .map_or(file.source.text.len(), |i| start + i);
                file.problems.insert(
                    0,
                    Problem {
                        kind: ProblemKind::InvalidEncoding,
                        span: start..end,
                        line,
                        message: format!(
                            "the file is not valid UTF-8 (first invalid byte on line {line})"
                        ),
                        help: "save the file as UTF-8".to_owned(),
                    },
                );
                Ok(file)
            }
        }
    }

    /// Parses a file's text. Never fails: what cannot be read becomes a [`Problem`].
    pub fn parse(source: Source) -> Self {
        let dir = source
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let text = Arc::clone(&source.text);
        let mut parser = Parser {
            dir: &dir,
            text: &text,
            lines: Vec::new(),
            problems: Vec::new(),
        };
        for logical in logical_lines(&text) {
            parser.logical_line(&logical);
        }
        let (lines, problems) = (parser.lines, parser.problems);
        Self {
            source,
            lines,
            problems,
        }
    }

    /// The directory includes and relative paths are resolved against.
    pub fn dir(&self) -> &Path {
        self.source.path.parent().unwrap_or(Path::new(""))
    }

    /// Every `-r`/`-c` entry.
    pub fn includes(&self) -> impl Iterator<Item = (&ReqLine, &Include)> {
        self.lines.iter().filter_map(|l| match &l.kind {
            LineKind::Include(i) => Some((l, i)),
            _ => None,
        })
    }

    /// Every entry that installs something.
    pub fn installs(&self) -> impl Iterator<Item = &ReqLine> {
        self.lines.iter().filter(|l| l.kind.is_install())
    }

    /// Every global option.
    pub fn options(&self) -> impl Iterator<Item = (&ReqLine, &GlobalOption)> {
        self.lines.iter().filter_map(|l| match &l.kind {
            LineKind::Option(o) => Some((l, o)),
            _ => None,
        })
    }

    /// True when the file says `--require-hashes`.
    pub fn require_hashes(&self) -> bool {
        self.options()
            .any(|(_, o)| matches!(o, GlobalOption::RequireHashes))
    }

    /// The tool the header comment names, if any.
    pub fn generator(&self) -> Option<Generator> {
        let mut header = self
            .source
            .text
            .lines()
            .map(str::trim)
            .take_while(|l| l.is_empty() || l.starts_with('#'))
            .map(|l| l.trim_start_matches('#').trim());
        while let Some(line) = header.next() {
            if line.starts_with("This file was autogenerated by uv") {
                let command = header.find(|l| !l.is_empty()).unwrap_or_default();
                if command.starts_with("uv export") {
                    return Some(Generator::UvExport);
                }
                if command.starts_with("uv pip compile") {
                    return Some(Generator::UvPipCompile);
                }
                return None;
            }
            if line.starts_with("This file is autogenerated by pip-compile") {
                return Some(Generator::PipCompile);
            }
        }
        None
    }
}

/// True for a file name that says it holds constraints (`constraints.txt`,
/// `constraints-dev.txt`): installed with `-c`, it pins versions without installing anything.
pub fn looks_like_constraints(path: &Path) -> bool {
    path.file_name().is_some_and(|n| {
        n.to_string_lossy()
            .to_ascii_lowercase()
            .starts_with("constraint")
    })
}

/// Splits a VCS URL (`git+https://host/repo@ref#egg=x`, `hg+...`, `svn+...`, `bzr+...`,
/// `git://...`) into repository and reference.
pub fn parse_vcs_url(url: &str) -> Option<VcsRef> {
    let lower = url.to_ascii_lowercase();
    let (vcs, rest) = ["git", "hg", "svn", "bzr"].into_iter().find_map(|vcs| {
        if lower.starts_with(&format!("{vcs}+")) {
            Some((vcs, &url[vcs.len() + 1..]))
        } else if lower.starts_with(&format!("{vcs}://")) {
            Some((vcs, url))
        } else {
            None
        }
    })?;
    let rest = rest.split('#').next().unwrap_or(rest);
    // The reference follows the last `@` after the path starts (user-info `@` comes earlier).
    let path_start = rest.find("://").map_or(0, |i| i + 3);
    let path_start = rest[path_start..]
        .find('/')
        .map_or(rest.len(), |i| path_start + i);
    Some(match rest[path_start..].rfind('@') {
        Some(i) => VcsRef {
            vcs,
            url: rest[..path_start + i].to_owned(),
            reference: Some(rest[path_start + i + 1..].to_owned()),
        },
        None => VcsRef {
            vcs,
            url: rest.to_owned(),
            reference: None,
        },
    })
}

// ---- the set of files reached through includes -------------------------------------------------

/// Requirements files and everything they include, each file loaded once.
#[derive(Debug, Clone, Default)]
pub struct RequirementsSet {
    /// Every file, roots first in the order given, each followed by what it includes.
    pub files: Vec<RequirementsFile>,
    /// Indices of the root files (the ones asked for), in the order given.
    pub roots: Vec<usize>,
    /// Identity of each file (canonical path when it exists), parallel to `files`.
    keys: Vec<PathBuf>,
    by_key: HashMap<PathBuf, usize>,
}

/// How deep includes may nest before cordon stops following them.
const MAX_INCLUDE_DEPTH: usize = 32;

/// What installing one root file brings in.
#[derive(Debug, Clone)]
pub struct Install {
    pub root: usize,
    /// The files reached (root first), each once, and whether it was reached as constraints.
    pub files: Vec<Reached>,
    /// pip's hash-checking mode: some reached file says `--require-hashes`, or some entry
    /// carries a `--hash` (then pip demands a hash for every requirement).
    pub hash_checking: bool,
    /// Constraints reached, by normalized name.
    pub constraints: HashMap<String, ConstraintPin>,
}

/// A file reached by an install.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reached {
    pub file: usize,
    /// Reached through `-c` (or the root is a constraints file): its entries constrain only.
    pub constraint: bool,
}

/// What the constraints of an install say about one name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConstraintPin {
    /// Some constraint pins one exact version.
    pub exact: bool,
    /// Some constraint carries a `--hash`.
    pub hashed: bool,
}

/// How one file is used across the installs of every root.
#[derive(Debug, Clone, Default)]
pub struct FileUse {
    /// Some install reaches the file as requirements (not only as constraints).
    pub as_requirements: bool,
    /// Some install reaching it as requirements checks hashes.
    pub hash_checking: bool,
    /// Constraints of the installs reaching it as requirements, merged.
    pub constraints: HashMap<String, ConstraintPin>,
}

impl RequirementsSet {
    /// Loads `roots` and follows their includes. A root that cannot be read is an error;
    /// anything wrong with an include is a [`Problem`] on the include's line.
    pub fn load(roots: &[PathBuf]) -> Result<Self, ParseError> {
        let mut set = Self::default();
        for root in roots {
            let key = file_key(root);
            if let Some(&i) = set.by_key.get(&key) {
                if !set.roots.contains(&i) {
                    set.roots.push(i);
                }
                continue;
            }
            let file = RequirementsFile::read(root)?;
            let i = set.push(key, file);
            set.roots.push(i);
            set.follow(i, &mut vec![i]);
        }
        Ok(set)
    }

    /// A set of already parsed files (no includes followed), e.g. for a file given on stdin.
    pub fn from_files(files: Vec<RequirementsFile>) -> Self {
        let mut set = Self::default();
        for f in files {
            let key = file_key(&f.source.path);
            let i = set.push(key, f);
            set.roots.push(i);
        }
        set
    }

    fn push(&mut self, key: PathBuf, file: RequirementsFile) -> usize {
        let i = self.files.len();
        self.files.push(file);
        self.keys.push(key.clone());
        self.by_key.insert(key, i);
        i
    }

    /// Depth-first: an include of a file on `stack` closes a cycle.
    fn follow(&mut self, i: usize, stack: &mut Vec<usize>) {
        let includes: Vec<(Range<usize>, usize, Include)> = self.files[i]
            .includes()
            .map(|(l, inc)| (l.span.clone(), l.line, inc.clone()))
            .collect();
        for (span, line, inc) in includes {
            let IncludeLocation::Path(path) = &inc.location else {
                continue;
            };
            let key = file_key(path);
            let problem = |kind, message: String, help: &str| Problem {
                kind,
                span: span.clone(),
                line,
                message,
                help: help.to_owned(),
            };
            if let Some(pos) = stack.iter().position(|&s| self.keys[s] == key) {
                let chain: Vec<String> = stack[pos..]
                    .iter()
                    .map(|&s| file_name(&self.files[s].source.path))
                    .chain(std::iter::once(file_name(path)))
                    .collect();
                let p = problem(
                    ProblemKind::IncludeCycle,
                    format!(
                        "`{} {}` closes an include cycle ({}); cordon does not follow it again",
                        inc.kind.flag(),
                        inc.target,
                        chain.join(" → ")
                    ),
                    "remove the include that leads back; pip would recurse until it fails",
                );
                self.files[i].problems.push(p);
                continue;
            }
            if self.by_key.contains_key(&key) {
                continue;
            }
            if !path.exists() {
                let p = problem(
                    ProblemKind::MissingInclude,
                    format!(
                        "`{} {}` names a file that does not exist (`{}`); what it would install is not checked",
                        inc.kind.flag(),
                        inc.target,
                        path.display()
                    ),
                    "fix the path (it is relative to the including file) or remove the line",
                );
                self.files[i].problems.push(p);
                continue;
            }
            if !path.is_file() {
                let p = problem(
                    ProblemKind::UnreadableInclude,
                    format!(
                        "`{} {}` names a directory, not a file",
                        inc.kind.flag(),
                        inc.target
                    ),
                    "name the requirements file inside it",
                );
                self.files[i].problems.push(p);
                continue;
            }
            if stack.len() >= MAX_INCLUDE_DEPTH {
                let p = problem(
                    ProblemKind::UnreadableInclude,
                    format!(
                        "`{} {}` nests includes more than {MAX_INCLUDE_DEPTH} deep; cordon stops following them here",
                        inc.kind.flag(),
                        inc.target
                    ),
                    "flatten the includes",
                );
                self.files[i].problems.push(p);
                continue;
            }
            match RequirementsFile::read(path) {
                Ok(file) => {
                    let j = self.push(key, file);
                    stack.push(j);
                    self.follow(j, stack);
                    stack.pop();
                }
                Err(e) => {
                    let p = problem(
                        ProblemKind::UnreadableInclude,
                        format!(
                            "`{} {}` cannot be read: {}",
                            inc.kind.flag(),
                            inc.target,
                            e.message
                        ),
                        "make the file readable, or remove the line",
                    );
                    self.files[i].problems.push(p);
                }
            }
        }
    }

    /// The index of the file read from `path`, if loaded.
    pub fn index_of(&self, path: &Path) -> Option<usize> {
        self.by_key.get(&file_key(path)).copied()
    }

    /// The file an include points at, if it was loaded.
    pub fn resolve(&self, include: &Include) -> Option<usize> {
        match &include.location {
            IncludeLocation::Path(p) => self.index_of(p),
            IncludeLocation::Url(_) => None,
        }
    }

    /// What installing file `root` brings in; `as_constraints` when it is passed with `-c`.
    pub fn install(&self, root: usize, as_constraints: bool) -> Install {
        let mut seen: HashSet<(usize, bool)> = HashSet::new();
        let mut order: Vec<Reached> = Vec::new();
        let mut todo = vec![Reached {
            file: root,
            constraint: as_constraints,
        }];
        while let Some(r) = todo.pop() {
            if r.file >= self.files.len() || !seen.insert((r.file, r.constraint)) {
                continue;
            }
            order.push(r);
            // Reverse so the first include is visited first.
            let next: Vec<Reached> = self.files[r.file]
                .includes()
                .filter_map(|(_, inc)| {
                    self.resolve(inc).map(|file| Reached {
                        file,
                        constraint: r.constraint || inc.kind == IncludeKind::Constraints,
                    })
                })
                .collect();
            todo.extend(next.into_iter().rev());
        }
        let mut hash_checking = false;
        let mut constraints: HashMap<String, ConstraintPin> = HashMap::new();
        for r in &order {
            let f = &self.files[r.file];
            hash_checking |=
                f.require_hashes() || f.installs().any(|l| !l.kind.hashes().is_empty());
            if r.constraint {
                for l in f.installs() {
                    let Some(name) = l.kind.name() else { continue };
                    let pin = constraints.entry(name).or_default();
                    if let LineKind::Requirement(req) = &l.kind {
                        pin.exact |= req.exact_version().is_some();
                    }
                    pin.hashed |= !l.kind.hashes().is_empty();
                }
            }
        }
        Install {
            root,
            files: order,
            hash_checking,
            constraints,
        }
    }

    /// How each file (by index) is used across the installs of every root; a root whose name
    /// says it holds constraints ([`looks_like_constraints`]) is installed as constraints.
    pub fn uses(&self) -> Vec<FileUse> {
        let mut uses = vec![FileUse::default(); self.files.len()];
        for &root in &self.roots {
            let as_constraints = looks_like_constraints(&self.files[root].source.path);
            let install = self.install(root, as_constraints);
            for r in install.files.iter().filter(|r| !r.constraint) {
                let u = &mut uses[r.file];
                u.as_requirements = true;
                u.hash_checking |= install.hash_checking;
                for (name, pin) in &install.constraints {
                    let merged = u.constraints.entry(name.clone()).or_default();
                    merged.exact |= pin.exact;
                    merged.hashed |= pin.hashed;
                }
            }
        }
        uses
    }
}

/// A file's identity: its canonical path (symlinks resolved) when it exists, else its absolute,
/// lexically normalized path.
fn file_key(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| {
        normalize_path(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
    })
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Removes `.` and resolves `..` components lexically (`a/b/../c` → `a/c`).
pub fn normalize_path(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

// ---- lines -------------------------------------------------------------------------------------

/// A logical line: physical lines joined at `\`, with the file offset of every byte.
struct Logical {
    text: String,
    map: Vec<usize>,
    /// File offset just past the last physical line's content.
    end: usize,
}

impl Logical {
    fn new() -> Self {
        Self {
            text: String::new(),
            map: Vec::new(),
            end: 0,
        }
    }

    fn push(&mut self, s: &str, file_start: usize) {
        self.text.push_str(s);
        self.map.extend(file_start..file_start + s.len());
        self.end = file_start + s.len();
    }

    /// pip puts a space before a comment line that ends a continuation, so the comment is
    /// always recognized.
    fn push_space(&mut self, at: usize) {
        self.text.push(' ');
        self.map.push(at);
    }

    /// The file span of a range of the logical text.
    fn span(&self, r: &Range<usize>) -> Range<usize> {
        if r.start >= r.end {
            let at = self.map.get(r.start).copied().unwrap_or(self.end);
            return at..at;
        }
        let end = self.map.get(r.end - 1).map_or(self.end, |&e| e + 1);
        self.map.get(r.start).copied().unwrap_or(self.end)..end
    }
}

/// Joins physical lines as pip's `join_lines` does: a line ending in `\` continues, unless it
/// is a comment line; a comment line ends a continuation.
fn logical_lines(text: &str) -> Vec<Logical> {
    let mut out = Vec::new();
    let mut current: Option<Logical> = None;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let content = raw.strip_suffix('\n').unwrap_or(raw);
        let content = content.strip_suffix('\r').unwrap_or(content);
        let is_comment = content.trim_start().starts_with('#');
        if !content.ends_with('\\') || is_comment {
            let mut l = current.take().unwrap_or_else(Logical::new);
            if is_comment && !l.text.is_empty() {
                l.push_space(start);
            }
            l.push(content, start);
            out.push(l);
        } else {
            current
                .get_or_insert_with(Logical::new)
                .push(content.trim_end_matches('\\'), start);
        }
    }
    if let Some(l) = current {
        out.push(l);
    }
    out
}

/// The end of the content before a comment: a `#` at the start or after whitespace.
fn strip_comment(text: &str) -> &str {
    let mut prev_ws = true;
    for (i, c) in text.char_indices() {
        if c == '#' && prev_ws {
            return &text[..i];
        }
        prev_ws = c.is_whitespace();
    }
    text
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .split(|&b| b == b'\n')
        .count()
}

/// A shell-like word of an options string (pip splits options with `shlex.split`).
struct Token {
    text: String,
    /// Range in the logical text.
    range: Range<usize>,
}

/// POSIX-shell word splitting with quotes and backslashes; `base` is the slice's offset.
fn tokenize(s: &str, base: usize) -> Result<Vec<Token>, (Range<usize>, &'static str)> {
    let mut out = Vec::new();
    let mut chars = s.char_indices().peekable();
    loop {
        while chars.next_if(|&(_, c)| c.is_whitespace()).is_some() {}
        let Some(&(start, _)) = chars.peek() else {
            break;
        };
        let mut text = String::new();
        let mut end = start;
        while let Some((i, c)) = chars.next_if(|&(_, c)| !c.is_whitespace()) {
            end = i + c.len_utf8();
            match c {
                '\'' | '"' => loop {
                    match chars.next() {
                        Some((j, q)) if q == c => {
                            end = j + 1;
                            break;
                        }
                        Some((_, '\\')) if c == '"' => {
                            if let Some((_, d)) = chars.next() {
                                if !matches!(d, '"' | '\\' | '$' | '`') {
                                    text.push('\\');
                                }
                                text.push(d);
                            }
                        }
                        Some((_, d)) => text.push(d),
                        None => {
                            return Err((base + start..base + s.len(), "an unterminated quote"));
                        }
                    }
                },
                '\\' => {
                    if let Some((j, d)) = chars.next() {
                        text.push(d);
                        end = j + d.len_utf8();
                    }
                }
                _ => text.push(c),
            }
        }
        out.push(Token {
            text,
            range: base + start..base + end,
        });
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opt {
    Requirement,
    Constraint,
    Editable,
    IndexUrl,
    ExtraIndexUrl,
    NoIndex,
    FindLinks,
    TrustedHost,
    RequireHashes,
    NoBinary,
    OnlyBinary,
    Pre,
    PreferBinary,
    UseFeature,
    Hash,
    ConfigSettings,
    SetupGlobal,
}

struct Spec {
    long: &'static str,
    short: Option<char>,
    takes_value: bool,
    opt: Opt,
}

const fn spec(long: &'static str, short: Option<char>, takes_value: bool, opt: Opt) -> Spec {
    Spec {
        long,
        short,
        takes_value,
        opt,
    }
}

/// The options pip accepts on a line of their own.
const GLOBAL: &[Spec] = &[
    spec("requirement", Some('r'), true, Opt::Requirement),
    spec("constraint", Some('c'), true, Opt::Constraint),
    spec("editable", Some('e'), true, Opt::Editable),
    spec("index-url", Some('i'), true, Opt::IndexUrl),
    spec("extra-index-url", None, true, Opt::ExtraIndexUrl),
    spec("no-index", None, false, Opt::NoIndex),
    spec("find-links", Some('f'), true, Opt::FindLinks),
    spec("trusted-host", None, true, Opt::TrustedHost),
    spec("require-hashes", None, false, Opt::RequireHashes),
    spec("no-binary", None, true, Opt::NoBinary),
    spec("only-binary", None, true, Opt::OnlyBinary),
    spec("pre", None, false, Opt::Pre),
    spec("prefer-binary", None, false, Opt::PreferBinary),
    spec("use-feature", None, true, Opt::UseFeature),
];

/// The options pip accepts after a requirement on the same line.
const PER_REQUIREMENT: &[Spec] = &[
    spec("hash", None, true, Opt::Hash),
    spec("config-settings", None, true, Opt::ConfigSettings),
    spec("global-option", None, true, Opt::SetupGlobal),
];

enum Lookup {
    Found(&'static Spec),
    Ambiguous(Vec<&'static str>),
    Unknown,
}

/// Long options match exactly or by an unambiguous prefix, as pip's optparse allows.
fn lookup_long(table: &'static [Spec], name: &str) -> Lookup {
    if let Some(s) = table.iter().find(|s| s.long == name) {
        return Lookup::Found(s);
    }
    let hits: Vec<&'static Spec> = table
        .iter()
        .filter(|s| !name.is_empty() && s.long.starts_with(name))
        .collect();
    match hits.as_slice() {
        [one] => Lookup::Found(one),
        [] => Lookup::Unknown,
        many => Lookup::Ambiguous(many.iter().map(|s| s.long).collect()),
    }
}

/// One option as parsed from tokens.
struct ParsedOpt {
    opt: Opt,
    /// The option as written (`--hash`, `-r`).
    written: String,
    value: Option<Token>,
    /// Range in the logical text, option and value.
    range: Range<usize>,
}

struct Parser<'a> {
    dir: &'a Path,
    text: &'a str,
    lines: Vec<ReqLine>,
    problems: Vec<Problem>,
}

fn is_url(s: &str) -> bool {
    let lower = s.trim_start().to_ascii_lowercase();
    ["http://", "https://", "file:", "ftp://", "git://"]
        .iter()
        .any(|p| lower.starts_with(p))
        || ["git+", "hg+", "svn+", "bzr+"]
            .iter()
            .any(|p| lower.starts_with(p) && lower.contains("://"))
}

const ARCHIVE_SUFFIXES: &[&str] = &[
    ".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar",
];

/// pip treats a line as a path when it looks like one: it starts with `.`, `/` or `~`, holds a
/// path separator before any `@`, or names an archive.
fn looks_like_path(s: &str) -> bool {
    let head = s
        .split(|c: char| c.is_whitespace() || c == ';' || c == '@')
        .next()
        .unwrap_or_default();
    let head_no_extras = head.split('[').next().unwrap_or(head);
    s.starts_with(['.', '/', '~', '\\'])
        || head.contains(['/', '\\'])
        || ARCHIVE_SUFFIXES
            .iter()
            .any(|x| head_no_extras.to_ascii_lowercase().ends_with(x))
}

/// The project name a URL or path says: `#egg=name`, or an archive's file name.
fn direct_name(target: &str) -> Option<String> {
    let (path, fragment) = target.split_once('#').unwrap_or((target, ""));
    if let Some(egg) = fragment.split('&').find_map(|kv| kv.strip_prefix("egg=")) {
        let egg = egg.split('[').next().unwrap_or(egg);
        if !egg.is_empty() {
            return Some(normalize(egg));
        }
    }
    let path = path.split('?').next().unwrap_or(path);
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let lower = file.to_ascii_lowercase();
    if Path::new(&lower)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("whl"))
    {
        return file.split('-').next().map(normalize);
    }
    let stem_len = ARCHIVE_SUFFIXES
        .iter()
        .find(|x| lower.ends_with(*x))
        .map(|x| file.len() - x.len())?;
    let stem = &file[..stem_len];
    // `name-1.0`: the name ends at the last `-` followed by a digit.
    let cut = stem
        .char_indices()
        .rev()
        .find(|&(i, c)| c == '-' && stem[i + 1..].starts_with(|d: char| d.is_ascii_digit()))
        .map(|(i, _)| i)?;
    Some(normalize(&stem[..cut]))
}

impl Parser<'_> {
    fn problem(
        &mut self,
        lg: &Logical,
        range: &Range<usize>,
        kind: ProblemKind,
        message: String,
        help: &str,
    ) {
        let span = lg.span(range);
        self.problems.push(Problem {
            kind,
            line: line_of(self.text, span.start),
            span,
            message,
            help: help.to_owned(),
        });
    }

    fn push(&mut self, lg: &Logical, range: &Range<usize>, kind: LineKind) {
        let span = lg.span(range);
        self.lines.push(ReqLine {
            kind,
            line: line_of(self.text, span.start),
            span,
        });
    }

    fn logical_line(&mut self, lg: &Logical) {
        let content = strip_comment(&lg.text);
        let start = content.len() - content.trim_start().len();
        let end = content.trim_end().len();
        if start >= end {
            return;
        }
        // pip's `break_args_options`: the requirement ends where the first word starting with
        // `-` begins.
        let mut opt_start = end;
        let mut prev_ws = true;
        for (i, c) in lg.text[start..end].char_indices() {
            if c == '-' && prev_ws {
                opt_start = start + i;
                break;
            }
            prev_ws = c.is_whitespace();
        }
        let args_end = start + lg.text[start..opt_start].trim_end().len();
        if args_end > start {
            self.requirement_line(lg, start..args_end, opt_start..end);
        } else {
            self.options_line(lg, start..end);
        }
    }

    /// Parses `range` as options from `table`; stops at the first error (reported).
    fn parse_options(
        &mut self,
        lg: &Logical,
        range: &Range<usize>,
        table: &'static [Spec],
        after_requirement: bool,
    ) -> Vec<ParsedOpt> {
        let mut out = Vec::new();
        let tokens = match tokenize(&lg.text[range.clone()], range.start) {
            Ok(t) => t,
            Err((r, what)) => {
                self.problem(
                    lg,
                    &r,
                    ProblemKind::InvalidLine,
                    format!("the options of this line contain {what}"),
                    "close the quote",
                );
                return out;
            }
        };
        let mut tokens = tokens.into_iter();
        while let Some(tok) = tokens.next() {
            let (spec, inline_value) = if let Some(long) = tok.text.strip_prefix("--") {
                let (name, value) = match long.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_owned())),
                    None => (long, None),
                };
                match lookup_long(table, name) {
                    Lookup::Found(s) => (s, value),
                    Lookup::Ambiguous(names) => {
                        let names: Vec<String> = names.iter().map(|n| format!("`--{n}`")).collect();
                        self.problem(
                            lg,
                            &tok.range,
                            ProblemKind::UnknownOption,
                            format!(
                                "`--{name}` is ambiguous (it could be {})",
                                names.join(" or ")
                            ),
                            "write the option in full",
                        );
                        return out;
                    }
                    Lookup::Unknown => {
                        self.unknown_option(lg, &tok, &format!("--{name}"), after_requirement);
                        return out;
                    }
                }
            } else if let Some(short) = tok.text.strip_prefix('-').filter(|s| !s.is_empty()) {
                let mut chars = short.chars();
                let c = chars.next().unwrap_or_default();
                let rest = chars.as_str();
                let Some(s) = table.iter().find(|s| s.short == Some(c)) else {
                    self.unknown_option(lg, &tok, &format!("-{c}"), after_requirement);
                    return out;
                };
                (s, (!rest.is_empty()).then(|| rest.to_owned()))
            } else {
                let message = if after_requirement {
                    format!("`{}` follows the options of a requirement", tok.text)
                } else {
                    format!(
                        "`{}` follows options on the same line; pip ignores it",
                        tok.text
                    )
                };
                self.problem(
                    lg,
                    &tok.range,
                    ProblemKind::InvalidLine,
                    message,
                    "put each requirement on its own line",
                );
                return out;
            };
            let written = tok.text.split('=').next().unwrap_or_default().to_owned();
            let written = if written.starts_with("--") {
                written
            } else {
                written.chars().take(2).collect()
            };
            if !spec.takes_value {
                if inline_value.is_some() {
                    self.problem(
                        lg,
                        &tok.range,
                        ProblemKind::InvalidOption,
                        format!("`--{}` takes no value", spec.long),
                        "remove the value",
                    );
                    return out;
                }
                out.push(ParsedOpt {
                    opt: spec.opt,
                    written,
                    value: None,
                    range: tok.range,
                });
                continue;
            }
            let value = match inline_value {
                Some(v) => {
                    // The value's own range: the part of the token after the option.
                    let vstart = tok.range.end - v.len().min(tok.range.len());
                    Token {
                        text: v,
                        range: vstart..tok.range.end,
                    }
                }
                None => {
                    if let Some(v) = tokens.next() {
                        v
                    } else {
                        self.problem(
                            lg,
                            &tok.range,
                            ProblemKind::InvalidOption,
                            format!("`{written}` needs a value"),
                            "give the value after the option",
                        );
                        return out;
                    }
                }
            };
            out.push(ParsedOpt {
                opt: spec.opt,
                written,
                range: tok.range.start..value.range.end,
                value: Some(value),
            });
        }
        out
    }

    fn unknown_option(&mut self, lg: &Logical, tok: &Token, name: &str, after_requirement: bool) {
        let bare = name.trim_start_matches('-');
        let other = if after_requirement {
            GLOBAL
        } else {
            PER_REQUIREMENT
        };
        let known_elsewhere = other
            .iter()
            .any(|s| s.long == bare || (name.len() == 2 && s.short == bare.chars().next()));
        let (message, help) = match (known_elsewhere, after_requirement) {
            (true, true) => (
                format!("`{name}` cannot follow a requirement; pip rejects the file"),
                "put the option on a line of its own",
            ),
            (true, false) => (
                format!("`{name}` must follow a requirement on the same logical line"),
                "join it to its requirement with a trailing `\\`",
            ),
            (false, _) => (
                format!(
                    "cordon does not know the option `{name}`; the rest of the line is skipped"
                ),
                "pip's requirements files accept -r, -c, -e, --index-url, --extra-index-url, --no-index, --find-links, --trusted-host, --require-hashes, --no-binary, --only-binary, --pre, --prefer-binary, --use-feature, and --hash after a requirement",
            ),
        };
        self.problem(lg, &tok.range, ProblemKind::UnknownOption, message, help);
    }

    fn options_line(&mut self, lg: &Logical, range: Range<usize>) {
        for p in self.parse_options(lg, &range, GLOBAL, false) {
            let value = p.value.as_ref().map(|v| v.text.clone()).unwrap_or_default();
            let kind = match p.opt {
                Opt::Requirement | Opt::Constraint => {
                    let Some(v) = &p.value else { continue };
                    let kind = if p.opt == Opt::Requirement {
                        IncludeKind::Requirements
                    } else {
                        IncludeKind::Constraints
                    };
                    LineKind::Include(self.include(lg, kind, v))
                }
                Opt::Editable => {
                    let Some(v) = &p.value else { continue };
                    match Self::direct(lg, &v.text, &v.range, true) {
                        Ok(d) => LineKind::Editable(d),
                        Err(message) => {
                            self.problem(
                                lg,
                                &p.range,
                                ProblemKind::InvalidLine,
                                message,
                                "`-e` takes a local project directory or a VCS URL (`git+https://...@<commit>#egg=name`)",
                            );
                            continue;
                        }
                    }
                }
                Opt::IndexUrl => LineKind::Option(GlobalOption::IndexUrl(value)),
                Opt::ExtraIndexUrl => LineKind::Option(GlobalOption::ExtraIndexUrl(value)),
                Opt::NoIndex => LineKind::Option(GlobalOption::NoIndex),
                Opt::FindLinks => LineKind::Option(GlobalOption::FindLinks(value)),
                Opt::TrustedHost => LineKind::Option(GlobalOption::TrustedHost(value)),
                Opt::RequireHashes => LineKind::Option(GlobalOption::RequireHashes),
                Opt::NoBinary => LineKind::Option(GlobalOption::NoBinary(value)),
                Opt::OnlyBinary => LineKind::Option(GlobalOption::OnlyBinary(value)),
                Opt::Pre => LineKind::Option(GlobalOption::Pre),
                Opt::PreferBinary => LineKind::Option(GlobalOption::PreferBinary),
                Opt::UseFeature => LineKind::Option(GlobalOption::UseFeature(value)),
                Opt::Hash | Opt::ConfigSettings | Opt::SetupGlobal => continue,
            };
            self.push(lg, &p.range, kind);
        }
    }

    fn include(&self, lg: &Logical, kind: IncludeKind, value: &Token) -> Include {
        let target = value.text.clone();
        let lower = target.to_ascii_lowercase();
        let location = if lower.starts_with("http://") || lower.starts_with("https://") {
            IncludeLocation::Url(target.clone())
        } else {
            let local = target
                .strip_prefix("file://")
                .or_else(|| target.strip_prefix("file:"))
                .unwrap_or(&target);
            IncludeLocation::Path(normalize_path(&self.dir.join(local)))
        };
        Include {
            kind,
            target,
            target_span: lg.span(&value.range),
            location,
        }
    }

    fn requirement_line(&mut self, lg: &Logical, args: Range<usize>, opts: Range<usize>) {
        let raw = &lg.text[args.clone()];
        let kind = if is_url(raw) || looks_like_path(raw) {
            match Self::direct(lg, raw, &args, false) {
                Ok(d) if d.is_local() => LineKind::Path(d),
                Ok(d) => LineKind::Url(d),
                Err(message) => {
                    self.problem(
                        lg,
                        &args,
                        ProblemKind::InvalidLine,
                        message,
                        "a URL or path is followed by extras in brackets and a marker after `; `",
                    );
                    return;
                }
            }
        } else {
            match Requirement::<VerbatimUrl>::parse(raw, self.dir) {
                Ok(requirement) => LineKind::Requirement(NamedRequirement {
                    raw: raw.to_owned(),
                    span: lg.span(&args),
                    requirement,
                    hashes: Vec::new(),
                    options: Vec::new(),
                }),
                Err(e) => {
                    // pep508_rs renders a multi-line error with a caret; keep its first line.
                    let first = e.to_string().lines().next().unwrap_or_default().to_owned();
                    self.problem(
                        lg,
                        &args,
                        ProblemKind::InvalidLine,
                        format!("cordon cannot parse the requirement `{raw}`: {first}"),
                        "requirements follow PEP 508, e.g. `requests==2.32.3`, `name @ https://...`, or a path or URL",
                    );
                    return;
                }
            }
        };
        let mut kind = kind;
        for p in self.parse_options(lg, &opts, PER_REQUIREMENT, true) {
            let Some(v) = p.value else { continue };
            let (hashes, options) = match &mut kind {
                LineKind::Requirement(r) => (&mut r.hashes, &mut r.options),
                LineKind::Url(d) | LineKind::Path(d) | LineKind::Editable(d) => {
                    (&mut d.hashes, &mut d.options)
                }
                LineKind::Include(_) | LineKind::Option(_) => continue,
            };
            if p.opt == Opt::Hash {
                match valid_hash(&v.text) {
                    Ok(()) => hashes.push(v.text),
                    Err(message) => {
                        let range = p.range.clone();
                        self.problem(
                            lg,
                            &range,
                            ProblemKind::InvalidOption,
                            message,
                            "write `--hash=sha256:<64 hex digits>` (sha384 and sha512 work too)",
                        );
                    }
                }
            } else {
                options.push((p.written, v.text));
            }
        }
        // The entry covers the requirement and its options, up to the end of the line.
        self.push(lg, &(args.start..opts.end.max(args.end)), kind);
    }

    /// Parses a URL or path with optional extras and marker.
    fn direct(
        lg: &Logical,
        raw: &str,
        range: &Range<usize>,
        editable: bool,
    ) -> Result<DirectRequirement, String> {
        // pip splits a URL's marker at `; ` (a URL may hold `;`), anything else at `;`.
        let sep = if is_url(raw) { "; " } else { ";" };
        let (target_part, marker) = match raw.split_once(sep) {
            Some((t, m)) if !editable => (t, Some(m.trim().to_owned())),
            _ => (raw, None),
        };
        if let Some(m) = &marker {
            MarkerTree::from_str(m).map_err(|e| {
                format!(
                    "invalid environment marker `{m}`: {}",
                    e.to_string().lines().next().unwrap_or_default()
                )
            })?;
        }
        let trimmed = target_part.trim_end();
        let lead = raw.len() - raw.trim_start().len();
        let (target, extras) = match trimmed.strip_suffix(']').and_then(|t| t.rsplit_once('[')) {
            Some((t, e)) if !t.is_empty() && !e.contains(['[', ']']) => (
                t,
                e.split(',')
                    .map(|x| x.trim().to_owned())
                    .filter(|x| !x.is_empty())
                    .collect(),
            ),
            _ => (trimmed, Vec::new()),
        };
        let target = target.trim_start();
        if target.is_empty() || target.contains(char::is_whitespace) {
            return Err(format!(
                "cordon cannot parse `{}` as a URL or path",
                raw.trim()
            ));
        }
        let tstart = range.start + lead;
        Ok(DirectRequirement {
            target: target.to_owned(),
            target_span: lg.span(&(tstart..tstart + target.len())),
            name: direct_name(target),
            extras,
            marker,
            hashes: Vec::new(),
            options: Vec::new(),
        })
    }
}

/// pip accepts `--hash=<algorithm>:<hex>` with sha256, sha384 or sha512.
fn valid_hash(value: &str) -> Result<(), String> {
    let Some((algo, hex)) = value.split_once(':') else {
        return Err(format!(
            "`--hash={value}` is not `<algorithm>:<hex digest>`"
        ));
    };
    let len = match algo {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => {
            return Err(format!(
                "`--hash` uses `{algo}`; pip accepts sha256, sha384 and sha512"
            ));
        }
    };
    if hex.len() != len || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "`--hash={value}` is not a {algo} digest ({len} hex digits)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA_A: &str = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const SHA_B: &str = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

    fn parse(text: &str) -> RequirementsFile {
        RequirementsFile::parse(Source::from_string("/nowhere/requirements.txt", text))
    }

    /// The text a span covers.
    fn slice<'a>(f: &'a RequirementsFile, span: &Range<usize>) -> &'a str {
        &f.source.text[span.clone()]
    }

    fn named(l: &ReqLine) -> &NamedRequirement {
        match &l.kind {
            LineKind::Requirement(r) => r,
            other => panic!("expected a requirement, got {other:?}"),
        }
    }

    /// A scratch directory removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Self {
            let dir =
                std::env::temp_dir().join(format!("cordon-reqs-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }

        fn write(&self, path: &str, text: &str) -> PathBuf {
            let p = self.0.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text).unwrap();
            p
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn named_requirements_with_specifiers_extras_and_markers() {
        let f = parse(
            "requests==2.32.3\nFoo_Bar[fast] >= 1.0, <2 ; python_version < \"3.12\"\nplain\n",
        );
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(f.lines.len(), 3);
        let r = named(&f.lines[0]);
        assert_eq!(r.name(), "requests");
        assert_eq!(r.exact_version().as_deref(), Some("2.32.3"));
        assert_eq!(slice(&f, &f.lines[0].span), "requests==2.32.3");
        let r = named(&f.lines[1]);
        assert_eq!(r.name(), "foo-bar");
        assert_eq!(r.exact_version(), None);
        assert_eq!(r.marker().as_deref(), Some("python_full_version < '3.12'"));
        assert_eq!(
            slice(&f, &r.span),
            "Foo_Bar[fast] >= 1.0, <2 ; python_version < \"3.12\""
        );
        assert_eq!(f.lines[1].line, 2);
        assert_eq!(named(&f.lines[2]).specifiers(), None);
        assert_eq!(named(&f.lines[2]).exact_version(), None);
    }

    #[test]
    fn hashes_on_continued_lines_belong_to_their_requirement() {
        let text = format!(
            "alpha==1.0.0 \\\n    --hash={SHA_A} \\\n    --hash {SHA_B}\n    # via demo\nbeta==2.0\n"
        );
        let f = parse(&text);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(f.lines.len(), 2);
        let alpha = named(&f.lines[0]);
        assert_eq!(alpha.hashes, vec![SHA_A.to_owned(), SHA_B.to_owned()]);
        assert_eq!(slice(&f, &alpha.span), "alpha==1.0.0");
        // The entry spans from the requirement to its last hash, across three lines.
        let span = slice(&f, &f.lines[0].span);
        assert!(span.starts_with("alpha==1.0.0 \\\n"), "{span:?}");
        assert!(span.ends_with(SHA_B), "{span:?}");
        assert_eq!(f.lines[1].line, 5);
        assert!(named(&f.lines[1]).hashes.is_empty());
    }

    #[test]
    fn comments_need_whitespace_before_the_hash_sign() {
        let f = parse(
            "# a comment\n\
             \n\
             alpha==1.0 # trailing\n\
             https://example.com/beta-1.0-py3-none-any.whl#sha256=abcd\n\
             git+https://example.com/gamma.git@main#egg=gamma   # on a branch\n\
             delta==1.0#not-a-comment\n",
        );
        assert_eq!(f.lines.len(), 3, "{:?}", f.lines);
        assert_eq!(slice(&f, &f.lines[0].span), "alpha==1.0");
        let LineKind::Url(beta) = &f.lines[1].kind else {
            panic!("{:?}", f.lines[1].kind)
        };
        assert_eq!(
            beta.target,
            "https://example.com/beta-1.0-py3-none-any.whl#sha256=abcd"
        );
        assert_eq!(beta.name.as_deref(), Some("beta"));
        assert!(crate::requirement::url_has_hash(&beta.target));
        let LineKind::Url(gamma) = &f.lines[2].kind else {
            panic!("{:?}", f.lines[2].kind)
        };
        assert_eq!(gamma.name.as_deref(), Some("gamma"));
        assert_eq!(
            slice(&f, &f.lines[2].span),
            "git+https://example.com/gamma.git@main#egg=gamma"
        );
        let vcs = gamma.vcs().unwrap();
        assert_eq!(
            (vcs.vcs, vcs.url.as_str(), vcs.reference.as_deref()),
            ("git", "https://example.com/gamma.git", Some("main"))
        );
        assert!(!vcs.is_pinned());
        // `#` glued to the version is not a comment; PEP 508 rejects it.
        assert_eq!(f.problems.len(), 1, "{:?}", f.problems);
        assert_eq!(f.problems[0].kind, ProblemKind::InvalidLine);
        assert_eq!(f.problems[0].line, 6);
    }

    #[test]
    fn a_comment_line_ends_a_continuation_and_a_trailing_backslash_in_a_comment_continues() {
        // pip: a comment line inside a continuation ends it, so the next `--hash` stands alone.
        let text = format!("alpha==1.0 \\\n# note\n--hash={SHA_A}\n");
        let f = parse(&text);
        assert_eq!(f.lines.len(), 1);
        assert!(named(&f.lines[0]).hashes.is_empty());
        assert_eq!(f.problems.len(), 1);
        assert_eq!(f.problems[0].kind, ProblemKind::UnknownOption);
        assert_eq!(f.problems[0].line, 3);
        assert!(f.problems[0].message.contains("must follow a requirement"));
        // pip: `x # comment \` joins the next line into the comment, so `beta` is not read.
        let f = parse("alpha==1.0 # note \\\nbeta==2.0\ngamma==3.0\n");
        let names: Vec<String> = f.installs().filter_map(|l| l.kind.name()).collect();
        assert_eq!(names, ["alpha", "gamma"]);
    }

    #[test]
    fn crlf_line_endings_keep_spans_exact() {
        let text = format!("alpha==1.0 \\\r\n    --hash={SHA_A}\r\nbeta>=2\r\n-r other.txt\r\n");
        let f = parse(&text);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(named(&f.lines[0]).hashes, [SHA_A]);
        assert_eq!(slice(&f, &f.lines[1].span), "beta>=2");
        assert_eq!(f.lines[1].line, 3);
        let (line, inc) = f.includes().next().unwrap();
        assert_eq!(slice(&f, &line.span), "-r other.txt");
        assert_eq!(slice(&f, &inc.target_span), "other.txt");
        assert_eq!(
            inc.location,
            IncludeLocation::Path(PathBuf::from("/nowhere/other.txt"))
        );
    }

    #[test]
    fn includes_in_every_spelling() {
        let f = parse(
            "-r base.txt\n--requirement=dev/extra.txt\n-cconstraints.txt\n--constraint ../up.txt\n\
             -r https://example.com/reqs.txt\n--requirem sub/x.txt\n",
        );
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        let got: Vec<(IncludeKind, &str, &IncludeLocation)> = f
            .includes()
            .map(|(_, i)| (i.kind, i.target.as_str(), &i.location))
            .collect();
        let p = |s: &str| IncludeLocation::Path(PathBuf::from(s));
        assert_eq!(
            got,
            [
                (
                    IncludeKind::Requirements,
                    "base.txt",
                    &p("/nowhere/base.txt")
                ),
                (
                    IncludeKind::Requirements,
                    "dev/extra.txt",
                    &p("/nowhere/dev/extra.txt")
                ),
                (
                    IncludeKind::Constraints,
                    "constraints.txt",
                    &p("/nowhere/constraints.txt")
                ),
                (IncludeKind::Constraints, "../up.txt", &p("/up.txt")),
                (
                    IncludeKind::Requirements,
                    "https://example.com/reqs.txt",
                    &IncludeLocation::Url("https://example.com/reqs.txt".to_owned())
                ),
                (
                    IncludeKind::Requirements,
                    "sub/x.txt",
                    &p("/nowhere/sub/x.txt")
                ),
            ]
        );
        assert_eq!(slice(&f, &f.lines[2].span), "-cconstraints.txt");
    }

    #[test]
    fn editable_lines_take_paths_and_vcs_urls() {
        let f = parse(&format!(
            "-e .\n--editable ./libs/core[dev]\n-e git+https://example.com/org/tool.git@{COMMIT}#egg=tool\n"
        ));
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        let eds: Vec<&DirectRequirement> = f
            .lines
            .iter()
            .map(|l| match &l.kind {
                LineKind::Editable(d) => d,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(eds[0].target, ".");
        assert!(eds[0].is_local() && f.lines[0].kind.is_local());
        assert_eq!(eds[1].target, "./libs/core");
        assert_eq!(eds[1].extras, ["dev"]);
        assert_eq!(slice(&f, &eds[1].target_span), "./libs/core");
        assert!(!eds[2].is_local());
        assert_eq!(eds[2].name.as_deref(), Some("tool"));
        assert!(eds[2].vcs().unwrap().is_pinned());
        assert!(f.lines[2].kind.vcs().unwrap().is_pinned());
    }

    #[test]
    fn url_and_path_lines_with_markers_and_hashes() {
        let text = format!(
            "./dist/my_pkg-1.0-py3-none-any.whl --hash={SHA_A}\n\
             ../vendored/other-2.1.tar.gz\n\
             file:///opt/wheels/x-1.0-py3-none-any.whl\n\
             https://example.com/a-1.0.tar.gz ; sys_platform == 'linux'\n\
             hg+https://example.com/repo@{COMMIT}#egg=repo\n\
             svn+https://example.com/repo@1234#egg=svnpkg\n\
             name @ https://example.com/name-1.0-py3-none-any.whl#sha256=ff\n"
        );
        let f = parse(&text);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        let kinds: Vec<&str> = f
            .lines
            .iter()
            .map(|l| match &l.kind {
                LineKind::Path(_) => "path",
                LineKind::Url(_) => "url",
                LineKind::Requirement(_) => "requirement",
                _ => "other",
            })
            .collect();
        assert_eq!(
            kinds,
            ["path", "path", "path", "url", "url", "url", "requirement"]
        );
        assert_eq!(f.lines[0].kind.name().as_deref(), Some("my-pkg"));
        assert_eq!(f.lines[0].kind.hashes(), [SHA_A]);
        assert_eq!(f.lines[1].kind.name().as_deref(), Some("other"));
        let LineKind::Url(a) = &f.lines[3].kind else {
            unreachable!()
        };
        assert_eq!(a.target, "https://example.com/a-1.0.tar.gz");
        assert_eq!(a.marker.as_deref(), Some("sys_platform == 'linux'"));
        assert_eq!(a.name.as_deref(), Some("a"));
        assert!(f.lines[4].kind.vcs().unwrap().is_pinned());
        assert!(f.lines[5].kind.vcs().unwrap().is_pinned());
        assert_eq!(
            f.lines[6].kind.url().as_deref(),
            Some("https://example.com/name-1.0-py3-none-any.whl#sha256=ff")
        );
    }

    #[test]
    fn global_options_one_entry_each() {
        let f = parse(
            "--index-url https://example.com/simple\n-i https://example.com/other\n\
             --extra-index-url=https://example.com/extra\n--no-index\n-f ./wheels\n\
             --trusted-host example.com\n--require-hashes\n--no-binary :all: --only-binary numpy\n\
             --pre --prefer-binary\n--use-feature truststore\n--extra-index https://example.com/p\n",
        );
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        let opts: Vec<&GlobalOption> = f.options().map(|(_, o)| o).collect();
        let s = |v: &str| v.to_owned();
        assert_eq!(
            opts,
            [
                &GlobalOption::IndexUrl(s("https://example.com/simple")),
                &GlobalOption::IndexUrl(s("https://example.com/other")),
                &GlobalOption::ExtraIndexUrl(s("https://example.com/extra")),
                &GlobalOption::NoIndex,
                &GlobalOption::FindLinks(s("./wheels")),
                &GlobalOption::TrustedHost(s("example.com")),
                &GlobalOption::RequireHashes,
                &GlobalOption::NoBinary(s(":all:")),
                &GlobalOption::OnlyBinary(s("numpy")),
                &GlobalOption::Pre,
                &GlobalOption::PreferBinary,
                &GlobalOption::UseFeature(s("truststore")),
                // pip's optparse accepts an unambiguous prefix.
                &GlobalOption::ExtraIndexUrl(s("https://example.com/p")),
            ]
        );
        assert!(f.require_hashes());
        let only = f
            .lines
            .iter()
            .find(|l| matches!(&l.kind, LineKind::Option(GlobalOption::OnlyBinary(_))))
            .unwrap();
        assert_eq!(slice(&f, &only.span), "--only-binary numpy");
        assert_eq!(only.line, 8);
    }

    #[test]
    fn unknown_options_and_bad_lines_are_problems_not_errors() {
        let f = parse(
            "--frobnicate yes\nalpha==1.0 --index-url https://example.com/simple\n\
             beta==1.0 --hash=md5:abc\n--pre gamma\n-r\nfoo >>> 1\n--no-deps\n-e\n--hash=sha256:ab\n\
             delta==1.0\n--pr x\n",
        );
        let kinds: Vec<(usize, ProblemKind)> =
            f.problems.iter().map(|p| (p.line, p.kind)).collect();
        assert_eq!(
            kinds,
            [
                (1, ProblemKind::UnknownOption),
                (2, ProblemKind::UnknownOption),
                (3, ProblemKind::InvalidOption),
                (4, ProblemKind::InvalidLine),
                (5, ProblemKind::InvalidOption),
                (6, ProblemKind::InvalidLine),
                (7, ProblemKind::UnknownOption),
                (8, ProblemKind::InvalidOption),
                (9, ProblemKind::UnknownOption),
                (11, ProblemKind::UnknownOption),
            ]
        );
        assert_eq!(slice(&f, &f.problems[0].span), "--frobnicate");
        assert!(f.problems[0].message.contains("`--frobnicate`"));
        assert!(
            f.problems[1]
                .message
                .contains("cannot follow a requirement")
        );
        assert!(f.problems[2].message.contains("md5"));
        assert_eq!(slice(&f, &f.problems[5].span), "foo >>> 1");
        assert!(f.problems[9].message.contains("ambiguous"));
        // The parseable entries are still there.
        let names: Vec<String> = f.installs().filter_map(|l| l.kind.name()).collect();
        assert_eq!(names, ["alpha", "beta", "delta"]);
        assert!(named(&f.lines[1]).hashes.is_empty());
    }

    #[test]
    fn generators_are_recognized_from_the_header() {
        let uv = "# This file was autogenerated by uv via the following command:\n\
                  #    uv export --format requirements-txt\nalpha==1.0\n";
        assert_eq!(parse(uv).generator(), Some(Generator::UvExport));
        let compile = "# This file was autogenerated by uv via the following command:\n\
                       #    uv pip compile requirements.in -o requirements.txt\n";
        assert_eq!(parse(compile).generator(), Some(Generator::UvPipCompile));
        let pip_tools = "#\n# This file is autogenerated by pip-compile with Python 3.12\n\
                         # by the following command:\n";
        assert_eq!(parse(pip_tools).generator(), Some(Generator::PipCompile));
        assert_eq!(
            parse("alpha==1.0\n# This file was autogenerated by uv via the following command:\n")
                .generator(),
            None
        );
    }

    #[test]
    fn quoted_option_values_and_tabs() {
        let f = parse(
            "-r \"my reqs.txt\"\nalpha==1.0\t--hash='sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'\n--index-url 'https://example.com/x\n",
        );
        let (_, inc) = f.includes().next().unwrap();
        assert_eq!(inc.target, "my reqs.txt");
        assert_eq!(named(&f.lines[1]).hashes, [SHA_A]);
        assert_eq!(f.problems.len(), 1);
        assert!(f.problems[0].message.contains("unterminated quote"));
    }

    #[test]
    fn invalid_utf8_is_read_with_a_problem() {
        let dir = Scratch::new("utf8");
        let path = dir.0.join("requirements.txt");
        std::fs::write(&path, b"alpha==1.0\nbeta==1.0 # caf\xe9\n").unwrap();
        let f = RequirementsFile::read(&path).unwrap();
        assert_eq!(f.problems[0].kind, ProblemKind::InvalidEncoding);
        assert_eq!(f.problems[0].line, 2);
        assert_eq!(f.installs().count(), 2);
        assert!(RequirementsFile::read(&dir.0.join("missing.txt")).is_err());
    }

    #[test]
    fn the_set_follows_includes_once_and_reports_cycles_and_missing_files() {
        let dir = Scratch::new("set");
        let root = dir.write(
            "requirements.txt",
            "-r requirements/base.txt\n-c constraints.txt\n-r missing.txt\nalpha\n",
        );
        dir.write(
            "requirements/base.txt",
            "-r ../requirements.txt\n-r common.txt\nbeta==1.0\n",
        );
        dir.write("requirements/common.txt", "-r ./common.txt\ngamma==1.0\n");
        dir.write("constraints.txt", &format!("alpha==2.0 --hash={SHA_A}\n"));
        let set =
            RequirementsSet::load(&[root.clone(), dir.0.join("requirements/base.txt")]).unwrap();
        let names: Vec<String> = set
            .files
            .iter()
            .map(|f| {
                f.source
                    .path
                    .strip_prefix(&dir.0)
                    .unwrap()
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(
            names,
            [
                "requirements.txt",
                "requirements/base.txt",
                "requirements/common.txt",
                "constraints.txt"
            ]
        );
        // base.txt, already loaded through requirements.txt, is a root without a second copy.
        assert_eq!(set.roots, [0, 1]);
        let problems = |i: usize| -> Vec<(usize, ProblemKind)> {
            set.files[i]
                .problems
                .iter()
                .map(|p| (p.line, p.kind))
                .collect()
        };
        assert_eq!(problems(0), [(3, ProblemKind::MissingInclude)]);
        assert_eq!(problems(1), [(1, ProblemKind::IncludeCycle)]);
        assert_eq!(problems(2), [(1, ProblemKind::IncludeCycle)]);
        let cycle = &set.files[1].problems[0];
        assert_eq!(slice(&set.files[1], &cycle.span), "-r ../requirements.txt");
        assert!(
            cycle
                .message
                .contains("requirements.txt → base.txt → requirements.txt"),
            "{}",
            cycle.message
        );
        assert!(
            set.files[2].problems[0]
                .message
                .contains("common.txt → common.txt")
        );
        assert!(set.files[0].problems[0].message.contains("does not exist"));

        let install = set.install(0, false);
        let reached: Vec<(usize, bool)> = install
            .files
            .iter()
            .map(|r| (r.file, r.constraint))
            .collect();
        assert_eq!(reached, [(0, false), (1, false), (2, false), (3, true)]);
        // The constraint carries a hash, so pip checks hashes for the whole install.
        assert!(install.hash_checking);
        assert_eq!(
            install.constraints.get("alpha"),
            Some(&ConstraintPin {
                exact: true,
                hashed: true
            })
        );
        let uses = set.uses();
        assert!(uses[0].as_requirements && uses[1].as_requirements && uses[2].as_requirements);
        assert!(!uses[3].as_requirements, "constraints only");
        assert!(uses[1].hash_checking);
    }

    #[test]
    fn a_root_named_constraints_is_installed_as_constraints() {
        let dir = Scratch::new("constraints-root");
        let root = dir.write("constraints.txt", "alpha>=1\n");
        let set = RequirementsSet::load(&[root]).unwrap();
        let uses = set.uses();
        assert!(!uses[0].as_requirements);
        assert!(!set.install(0, true).hash_checking);
    }

    #[test]
    fn vcs_urls_split_and_pin() {
        let v = parse_vcs_url("git+ssh://git@example.com/org/repo.git@v1.2#egg=x").unwrap();
        assert_eq!(v.url, "ssh://git@example.com/org/repo.git");
        assert_eq!(v.reference.as_deref(), Some("v1.2"));
        assert!(!v.is_pinned());
        let v = parse_vcs_url("git://example.com/repo").unwrap();
        assert_eq!((v.vcs, v.reference), ("git", None));
        assert!(parse_vcs_url("https://example.com/a.whl").is_none());
        assert!(
            parse_vcs_url(&format!("git+https://example.com/r@{COMMIT}"))
                .unwrap()
                .is_pinned()
        );
    }

    #[test]
    fn names_from_archive_file_names() {
        assert_eq!(
            direct_name("./x/my_pkg-1.0-py3-none-any.whl").as_deref(),
            Some("my-pkg")
        );
        assert_eq!(
            direct_name("https://example.com/zope.interface-6.0.tar.gz").as_deref(),
            Some("zope-interface")
        );
        assert_eq!(
            direct_name("https://example.com/a-b-2.zip?x=1").as_deref(),
            Some("a-b")
        );
        assert_eq!(
            direct_name("git+https://example.com/r@main#egg=Tool[x]&subdirectory=y").as_deref(),
            Some("tool")
        );
        assert_eq!(direct_name("./project"), None);
    }
}
