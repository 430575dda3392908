//! The scanner's data: an artifact and its members as read, the evidence rules report, and the
//! verdict.

use cordon_diagnostics::{Confidence, Severity};

/// Bounds on reading an artifact. A limit hit stops reading that part and becomes evidence
/// ([`Behaviour::LimitExceeded`]); it never aborts the scan or exhausts memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Members read per artifact (nested archives included).
    pub max_members: usize,
    /// Uncompressed bytes of one member.
    pub max_member_size: u64,
    /// Uncompressed bytes of the whole artifact.
    pub max_total_size: u64,
    /// Uncompressed / compressed size of one member (zip bombs).
    pub max_ratio: u64,
    /// Archives inside archives (a wheel inside an sdist is depth 1).
    pub max_depth: u8,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_members: 50_000,
            max_member_size: 64 * 1024 * 1024,
            max_total_size: 512 * 1024 * 1024,
            max_ratio: 250,
            max_depth: 3,
        }
    }
}

/// What kind of input an artifact is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArtifactKind {
    Wheel,
    Sdist,
    Directory,
    /// One distribution installed in a virtual environment (files from its RECORD).
    Installed,
    /// Files in a virtual environment's site-packages that no RECORD lists.
    Unlisted,
}

impl ArtifactKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ArtifactKind::Wheel => "wheel",
            ArtifactKind::Sdist => "sdist",
            ArtifactKind::Directory => "directory",
            ArtifactKind::Installed => "installed",
            ArtifactKind::Unlisted => "unlisted",
        }
    }
}

/// One file of an artifact, read into memory.
#[derive(Debug, Clone)]
pub struct Member {
    /// Path inside the artifact, `/`-separated, sanitised (no leading `/`, no `..`); a member
    /// of a nested archive is `outer.zip!/inner/path.py`.
    pub path: String,
    /// What was read: the whole file, or its start when only that is scanned (a binary blob's
    /// head, or a file cut at `max_member_size`).
    pub data: Vec<u8>,
    /// The whole file's size in bytes: `data.len()` when all of it was read; for a zip entry
    /// read only in part, the size its entry declares.
    pub size: u64,
    /// 0 for members of the artifact itself, 1 inside an archive inside it, ...
    pub depth: u8,
}

impl Member {
    /// A member read whole.
    pub fn new(path: String, data: Vec<u8>, depth: u8) -> Self {
        let size = data.len() as u64;
        Self {
            path,
            data,
            size,
            depth,
        }
    }
}

/// An input as read: its members and what went wrong reading it.
#[derive(Debug, Clone)]
pub struct Artifact {
    /// How the user named it (a path, or a URL for `--lock`).
    pub path: String,
    pub kind: ArtifactKind,
    /// Distribution name and version, from the file name (wheel/sdist) or metadata.
    pub name: Option<String>,
    pub version: Option<String>,
    pub members: Vec<Member>,
    /// Evidence found while reading: limits hit, unsafe member paths, symlinks, bad names.
    pub reading: Vec<Evidence>,
}

/// Where a member's code runs, which weighs its evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MemberRole {
    /// `setup.py`, build backends and custom commands: runs at install.
    InstallTime,
    /// A `.pth` file: runs at every interpreter start.
    Pth,
    /// Package code: runs at import.
    Package,
    /// Tests, docs, examples, benchmarks: not run by installing or importing.
    Peripheral,
    /// Vendored third-party or build tooling.
    Vendored,
    /// Metadata (`METADATA`, `RECORD`, `PKG-INFO`, `pyproject.toml`, `setup.cfg`, ...).
    Metadata,
    Other,
}

impl MemberRole {
    /// How much evidence here counts (percent).
    pub fn weight(self) -> u32 {
        match self {
            MemberRole::InstallTime | MemberRole::Pth => 150,
            MemberRole::Package | MemberRole::Metadata | MemberRole::Other => 100,
            MemberRole::Vendored => 60,
            MemberRole::Peripheral => 40,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MemberRole::InstallTime => "install-time",
            MemberRole::Pth => "pth",
            MemberRole::Package => "package",
            MemberRole::Peripheral => "tests/docs/examples",
            MemberRole::Vendored => "vendored",
            MemberRole::Metadata => "metadata",
            MemberRole::Other => "other",
        }
    }
}

/// What a piece of evidence says the code does. Capabilities (network, processes, file reads)
/// are not threats by themselves; the verdict combines them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Behaviour {
    /// Code that runs at install (`setup.py` top level, a custom install command).
    InstallHook,
    /// Uses the network (imports or calls an HTTP/socket client).
    Network,
    /// Sends data out (POST, socket send, DNS exfiltration, SMTP).
    NetworkSend,
    /// Fetches content from a URL to run or save it.
    Download,
    /// Starts a process (`subprocess`, `os.system`, `os.popen`, ...).
    ProcessSpawn,
    /// Starts a process hidden or detached (no window, `-WindowStyle Hidden`, `nohup`, `&`).
    HiddenProcess,
    /// Runs code built at run time (`exec`/`eval`/`compile` on a non-literal).
    DynamicExec,
    /// Executes decoded or deobfuscated data (`exec(b64decode(...))`, `marshal.loads`, ...).
    DecodeExec,
    /// Obfuscation: long encoded blobs, `chr()` chains, reversed strings, layered encodings.
    Obfuscation,
    /// Reads credentials or secrets: SSH keys, cloud credentials, browser profiles and
    /// cookies, wallets, chat token stores, keychains.
    CredentialAccess,
    /// Collects the whole environment (`os.environ` as a whole, `env`/`printenv`).
    EnvDump,
    /// Collects host information (user, hostname, IP, platform) to send.
    Recon,
    /// An exfiltration endpoint: chat webhooks, paste and tunnelling services, raw IPs.
    ExfilEndpoint,
    /// Persistence: cron, systemd, autostart, shell rc files, registry run keys, startup folders.
    Persistence,
    /// A reverse shell (socket wired to a shell's stdin/stdout).
    ReverseShell,
    /// Writes an executable or script to disk (and often runs it).
    DropExecutable,
    /// A `.pth` file with an executable line.
    PthExec,
    /// A native executable inside a pure-Python distribution.
    EmbeddedBinary,
    /// Metadata that contradicts the archive (name/version vs file name, RECORD mismatches).
    MetadataMismatch,
    /// Bidirectional-control characters or homoglyphs in source.
    SourceTrick,
    /// Anti-analysis: sandbox/VM checks, `sdist` argv checks, OS checks guarding a payload.
    Evasion,
    /// A reading limit was hit, or a member path is unsafe (absolute, `..`, symlink).
    LimitExceeded,
}

impl Behaviour {
    /// What to do about evidence of this behaviour.
    pub fn help(self) -> &'static str {
        match self {
            Behaviour::InstallHook
            | Behaviour::Network
            | Behaviour::ProcessSpawn
            | Behaviour::DynamicExec
            | Behaviour::Recon
            | Behaviour::Evasion => {
                "a capability, not a threat by itself: read the code around it if the verdict is not clean"
            }
            Behaviour::LimitExceeded => {
                "the archive is malformed or hostile; do not install it until it is explained"
            }
            Behaviour::MetadataMismatch => {
                "the archive is not what its name and metadata say; get it from the project's own release"
            }
            _ => {
                "do not install this artifact; report it to the index's security contact if it is published"
            }
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Behaviour::InstallHook => "install-hook",
            Behaviour::Network => "network",
            Behaviour::NetworkSend => "network-send",
            Behaviour::Download => "download",
            Behaviour::ProcessSpawn => "process-spawn",
            Behaviour::HiddenProcess => "hidden-process",
            Behaviour::DynamicExec => "dynamic-exec",
            Behaviour::DecodeExec => "decode-exec",
            Behaviour::Obfuscation => "obfuscation",
            Behaviour::CredentialAccess => "credential-access",
            Behaviour::EnvDump => "env-dump",
            Behaviour::Recon => "recon",
            Behaviour::ExfilEndpoint => "exfil-endpoint",
            Behaviour::Persistence => "persistence",
            Behaviour::ReverseShell => "reverse-shell",
            Behaviour::DropExecutable => "drop-executable",
            Behaviour::PthExec => "pth-exec",
            Behaviour::EmbeddedBinary => "embedded-binary",
            Behaviour::MetadataMismatch => "metadata-mismatch",
            Behaviour::SourceTrick => "source-trick",
            Behaviour::Evasion => "evasion",
            Behaviour::LimitExceeded => "limit-exceeded",
        }
    }
}

/// One fact a rule found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// The rule's id (a section in `docs/scanner-rules.md`).
    pub rule: &'static str,
    pub behaviour: Behaviour,
    pub severity: Severity,
    pub confidence: Confidence,
    pub message: String,
    /// The member it is in (`None`: the artifact as a whole).
    pub member: Option<String>,
    /// 1-based line and column in the member, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The offending source, made safe to print ([`crate::safe::snippet`]).
    pub snippet: Option<String>,
}

impl Evidence {
    pub fn new(
        rule: &'static str,
        behaviour: Behaviour,
        severity: Severity,
        message: impl Into<String>,
    ) -> Self {
        Self {
            rule,
            behaviour,
            severity,
            confidence: Confidence::High,
            message: message.into(),
            member: None,
            line: None,
            column: None,
            snippet: None,
        }
    }

    #[must_use]
    pub fn in_member(mut self, member: impl Into<String>) -> Self {
        self.member = Some(member.into());
        self
    }

    #[must_use]
    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    #[must_use]
    pub fn with_snippet(mut self, raw: &str) -> Self {
        self.snippet = Some(crate::safe::snippet(raw));
        self
    }

    #[must_use]
    pub fn with_confidence(mut self, confidence: Confidence) -> Self {
        self.confidence = confidence;
        self
    }
}

/// The judgement on an artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Clean,
    Suspicious,
    Malicious,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Clean => "clean",
            Verdict::Suspicious => "suspicious",
            Verdict::Malicious => "malicious",
        }
    }
}

/// An artifact after scanning.
#[derive(Debug, Clone)]
pub struct ScannedArtifact {
    pub path: String,
    pub kind: ArtifactKind,
    pub name: Option<String>,
    pub version: Option<String>,
    pub verdict: Verdict,
    /// 0..=100.
    pub score: u32,
    /// Every piece of evidence, strongest first.
    pub evidence: Vec<Evidence>,
    /// Why the verdict is what it is, one line per chain of behaviour that drove it.
    pub reasons: Vec<String>,
    /// Members read.
    pub members: usize,
}
