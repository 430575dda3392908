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
pub fn strings<'s>(cx: &'s MemberCx<'_>) -> Vec<StrItem<'s>> {
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

static COMMAND_PATTERNS: LazyLock<Vec<(CommandTrait, Regex)>> = LazyLock::new(|| {
    use CommandTrait as T;
    let p = |t, re: &str| (t, Regex::new(re).unwrap_or_else(|e| panic!("{re}: {e}")));
    vec![
        p(
            T::Hidden,
            r"(?i)\b(?:powershell|pwsh)(?:\.exe)?\b[^\n]*\s-w(?:indowstyle)?\s+(?:h(?:idden)?|1)\b",
        ),
        p(
            T::Hidden,
            r"(?i)(?:^|[\s&|;])start\s+(?:\x22[^\x22]*\x22\s+)?/(?:b|min)\b",
        ),
        p(T::Hidden, r"(?i)(?:^|[\s;&|(])(?:nohup|setsid|disown)\b"),
        p(T::Hidden, r"(?i)\bpythonw(?:\.exe)?\b"),
        p(T::Hidden, r"(?i)>\s*/dev/null\s+2>&1\s*&\s*$"),
        p(T::Hidden, r"(?i)[^&]&\s*$"),
        p(
            T::Hidden,
            r"(?i)\b(?:wscript|cscript)(?:\.exe)?\b.*\.(?:vbs|js)\b",
        ),
        p(
            T::EncodedPowershell,
            r"(?i)\b(?:powershell|pwsh)(?:\.exe)?\b.*\s-(?:e|ec|en|enc|enco|encodedcommand)\s+[A-Za-z0-9+/=]{16,}",
        ),
        p(
            T::DownloadExec,
            r"(?i)\b(?:curl|wget)\b[^|;&\n]*\|\s*(?:sudo\s+)?(?:ba|z|da|k)?sh\b",
        ),
        p(
            T::DownloadExec,
            r"(?i)\b(?:curl|wget)\b[^|;&\n]*\|\s*python[0-9.]*\b",
        ),
        p(
            T::DownloadExec,
            r"(?i)\b(?:curl|wget)\b[^\n]*(?:&&|;|\|\|)\s*(?:sudo\s+)?(?:chmod\s+\+?[0-7x]+|\./|(?:ba|z)?sh\s|python[0-9.]*\s|start\s)",
        ),
        p(T::DownloadExec, r"(?i)\bcertutil(?:\.exe)?\b.*-urlcache"),
        p(T::DownloadExec, r"(?i)\bbitsadmin(?:\.exe)?\b.*/transfer"),
        p(
            T::DownloadExec,
            r"(?i)\bmshta(?:\.exe)?\s+(?:https?|vbscript|javascript):",
        ),
        p(
            T::DownloadExec,
            r"(?i)\brundll32(?:\.exe)?\s+(?:javascript:|url\.dll|\S*\\)",
        ),
        p(T::DownloadExec, r"(?i)\bregsvr32(?:\.exe)?\b.*/i:\s*https?"),
        p(T::DownloadExec, r"(?i)\b(?:iex|invoke-expression)\b"),
        p(T::DownloadExec, r"(?i)\.download(?:string|data)\s*\("),
        p(
            T::DownloadExec,
            r"(?i)\b(?:invoke-webrequest|iwr|invoke-restmethod|irm|start-bitstransfer)\b[^\n]*(?:;|\|)\s*(?:start-process|saps|start|&|\.\\)",
        ),
        p(
            T::Fetch,
            r"(?i)\bcurl\b[^\n|;&]*\s(?:-o|-O|--output|--remote-name)\b[^\n]*https?://|\bcurl\b[^\n|;&]*https?://\S*[^\n|;&]*\s(?:-o|-O|--output|>)|\bwget\s+[^\n|;&]*https?://",
        ),
        p(
            T::Fetch,
            r"(?i)\b(?:invoke-webrequest|iwr)\b[^\n]*-outfile\b|\bstart-bitstransfer\b|\.downloadfile\s*\(",
        ),
        p(
            T::PipInstall,
            r"(?i)\bpip[0-9.]*(?:\.exe)?\s+(?:-\S+\s+)*install\b",
        ),
        p(
            T::PipInstallUrl,
            r"(?i)\bpip[0-9.]*(?:\.exe)?\s+(?:-\S+\s+)*install\b[^\n]*(?:https?://|git\+|--index-url|--extra-index-url|\s-i\s+\S)",
        ),
        p(T::ReverseShell, r"(?i)/dev/(?:tcp|udp)/[\w.\-]+/\d+"),
        p(
            T::ReverseShell,
            r"(?i)\b(?:nc|ncat|netcat)(?:\.exe)?\b[^\n|;]*\s-(?:e|c)\s*\S*(?:sh|cmd|powershell)",
        ),
        p(T::ReverseShell, r"(?i)\bsocat\b[^\n]*\b(?:exec|system):"),
        p(T::ReverseShell, r"(?i)mkfifo\b[^\n]*\b(?:nc|ncat|netcat)\b"),
        p(T::ReverseShell, r"(?i)System\.Net\.Sockets\.TCPClient\s*\("),
        p(
            T::EnvDump,
            r"(?i)^\s*(?:env|printenv|set|export\s+-p|cmd(?:\.exe)?\s+/c\s+set|get-childitem\s+env:|gci\s+env:)\s*$",
        ),
        p(
            T::Recon,
            r"(?i)^\s*(?:whoami|hostname|systeminfo|ipconfig|ifconfig|uname|id|net\s+(?:user|view|config)|nltest|wmic|ip\s+a(?:ddr)?|arp)\b",
        ),
        p(
            T::Persistence,
            r"(?i)\bcrontab\s+(?:-u\s+\S+\s+)?(?:-(?:\s|$|\))|[^-\s]\S*)|@reboot\b|>>?\s*/etc/cron",
        ),
        p(T::Persistence, r"(?i)\bschtasks(?:\.exe)?\b.*/create\b"),
        p(
            T::Persistence,
            r"(?i)\breg(?:\.exe)?\s+add\b.*\\(?:Run|RunOnce|Winlogon)\b",
        ),
        p(T::Persistence, r"(?i)\bsystemctl\s+(?:--user\s+)?enable\b"),
        p(T::Persistence, r"(?i)\blaunchctl\s+(?:load|bootstrap)\b"),
        p(
            T::Persistence,
            r"(?i)>>\s*~?/?[\w/.]*\.(?:bashrc|zshrc|bash_profile|profile|zprofile)\b",
        ),
        p(
            T::Chmod,
            r"(?i)\bchmod\s+(?:-\w+\s+)*(?:\+x|[0-7]*[1357][0-7]{2}|u\+x|a\+x)\b",
        ),
    ]
});

/// The traits of a command line, each with the byte range of its match.
pub fn command_traits(cmd: &str) -> Vec<(CommandTrait, std::ops::Range<usize>)> {
    let mut out: Vec<(CommandTrait, std::ops::Range<usize>)> = Vec::new();
    for (t, re) in COMMAND_PATTERNS.iter() {
        if out.iter().any(|(x, _)| x == t) {
            continue;
        }
        if let Some(m) = re.find(cmd) {
            out.push((*t, m.range()));
        }
    }
    out
}

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
