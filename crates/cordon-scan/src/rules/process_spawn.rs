//! `process-spawn`: code that starts processes, and how — hidden or detached, with an encoded
//! PowerShell command, or a command line that downloads and runs something.

use std::sync::LazyLock;

use cordon_diagnostics::{Confidence, Severity};
use regex::Regex;

use super::common::{self, CommandTrait};
use super::{MemberCx, MemberRole, Report, Rule, RuleMeta};
use crate::model::{Behaviour, Evidence};

pub struct ProcessSpawn;

static META: RuleMeta = RuleMeta {
    id: "process-spawn",
    summary: "starts processes; hidden or detached ones, encoded PowerShell, download-and-run command lines",
    emits: &[
        Behaviour::ProcessSpawn,
        Behaviour::HiddenProcess,
        Behaviour::Download,
    ],
    payloads: false,
};

static TEXT_SPAWN: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(
        r"\b(?:subprocess\s*\.\s*(?:Popen|run|call|check_call|check_output|getoutput|getstatusoutput)|os\s*\.\s*(?:system|popen[234]?|exec[lv]p?e?|spawn[lv]p?e?|posix_spawnp?|startfile)|pty\s*\.\s*spawn|create_subprocess_(?:exec|shell)|ShellExecute[AW]?|CreateProcess[AW]?|WinExec)\s*\(",
    )
    .unwrap_or_else(|e| panic!("{e}"))
});

static TEXT_HIDDEN: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r"CREATE_NO_WINDOW|DETACHED_PROCESS|0x08000000|SW_HIDE")
        .unwrap_or_else(|e| panic!("{e}"))
});

impl Rule for ProcessSpawn {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_member(&self, cx: &MemberCx<'_>, out: &mut Vec<Evidence>) {
        if !cx.is_code() {
            return;
        }
        let mut r = Report::new(cx, &META, out);
        if let Some(py) = cx.ast() {
            for s in common::spawns(py) {
                let range = s.call.range();
                let what = s.command.as_deref().map_or_else(
                    || format!("starts a process ({})", s.call.name),
                    |c| format!("starts a process ({}): {}", s.call.name, clip(c)),
                );
                r.add(
                    Behaviour::ProcessSpawn,
                    Severity::Low,
                    Confidence::High,
                    what,
                    range,
                );
                if let Some(flag) = common::hidden_flags(py, s.call)
                    && common::hides_something(s.command.as_deref(), s.shell)
                {
                    r.add(
                        Behaviour::HiddenProcess,
                        Severity::High,
                        Confidence::High,
                        format!("starts a hidden or detached process ({flag})"),
                        range,
                    );
                }
                if let Some(cmd) = &s.command {
                    report_command(&mut r, cmd, s.shell, range);
                    if cx.role == MemberRole::InstallTime
                        && let Some(program) = not_a_build_tool(cmd)
                    {
                        r.add(
                            Behaviour::ProcessSpawn,
                            Severity::High,
                            Confidence::High,
                            format!("runs `{program}` while installing, which is no build tool"),
                            range,
                        );
                    }
                }
            }
        } else if let Some(text) = cx.code_text() {
            for m in TEXT_SPAWN.find_iter(text) {
                let range = to_range(m.start(), m.end());
                r.add(
                    Behaviour::ProcessSpawn,
                    Severity::Low,
                    Confidence::Medium,
                    format!(
                        "starts a process ({})",
                        m.as_str().trim_end_matches('(').trim()
                    ),
                    range,
                );
                let line = line_of(text, m.start());
                if TEXT_HIDDEN.is_match(line) {
                    r.add(
                        Behaviour::HiddenProcess,
                        Severity::High,
                        Confidence::Medium,
                        "starts a hidden or detached process (window-hiding flags)",
                        range,
                    );
                }
                report_command(&mut r, line, true, range);
            }
            // Scripts and decoded PowerShell/shell payloads are command lines themselves.
            if cx.python.is_none() {
                for line in text.lines() {
                    let start = line.as_ptr() as usize - text.as_ptr() as usize;
                    let traits = common::command_traits_in_string(line);
                    report_traits(
                        &mut r,
                        line,
                        traits,
                        true,
                        to_range(start, start + line.len()),
                    );
                }
            }
        }
    }
}

fn line_of(text: &str, at: usize) -> &str {
    let s = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let e = text[at..].find('\n').map_or(text.len(), |i| at + i);
    &text[s..e]
}

/// Programs a build runs: compilers, build systems, code generators, version control, package
/// managers of other ecosystems, and the file tools build scripts use.
const BUILD_TOOLS: &[&str] = &[
    "python",
    "python2",
    "python3",
    "py",
    "pip",
    "pip3",
    "cython",
    "f2py",
    "cc",
    "gcc",
    "g++",
    "c++",
    "clang",
    "clang++",
    "cl",
    "link",
    "ld",
    "ar",
    "ranlib",
    "nm",
    "strip",
    "objcopy",
    "as",
    "nasm",
    "yasm",
    "gfortran",
    "nvcc",
    "hipcc",
    "make",
    "gmake",
    "nmake",
    "cmake",
    "ninja",
    "meson",
    "scons",
    "bazel",
    "configure",
    "autoreconf",
    "autoconf",
    "automake",
    "autogen.sh",
    "libtool",
    "libtoolize",
    "pkg-config",
    "pkgconf",
    "swig",
    "protoc",
    "flex",
    "bison",
    "yacc",
    "lex",
    "git",
    "hg",
    "svn",
    "npm",
    "npx",
    "yarn",
    "pnpm",
    "node",
    "cargo",
    "rustc",
    "rustup",
    "maturin",
    "go",
    "javac",
    "java",
    "mvn",
    "gradle",
    "ant",
    "dotnet",
    "msbuild",
    "xcrun",
    "xcodebuild",
    "xcode-select",
    "lipo",
    "install_name_tool",
    "otool",
    "codesign",
    "patchelf",
    "auditwheel",
    "delocate-wheel",
    "sphinx-build",
    "doxygen",
    "jupyter",
    "r",
    "rscript",
    "perl",
    "sh",
    "bash",
    "cmd",
    "powershell",
    "pwsh",
    "env",
    "which",
    "where",
    "uname",
    "sw_vers",
    "lsb_release",
    "ldconfig",
    "brew",
    "port",
    "conda",
    "cp",
    "mv",
    "rm",
    "mkdir",
    "ln",
    "install",
    "tar",
    "unzip",
    "zip",
    "gzip",
    "find",
    "sed",
    "awk",
    "patch",
    "chmod",
    "touch",
    "cat",
    "ls",
    "test",
    "true",
    "cd",
    "sysctl",
    "nproc",
    "getconf",
    "vswhere",
    "vcvarsall.bat",
    "llvm-config",
    "icu-config",
    "mysql_config",
    "pg_config",
    "python-config",
    "python3-config",
    "gdal-config",
    "geos-config",
    "freetype-config",
    "xml2-config",
    "xslt-config",
    "curl-config",
    "sdl2-config",
    "qmake",
    "moc",
    "uic",
    "rcc",
    "glib-compile-resources",
    "msgfmt",
    "pybind11-config",
];

/// The program a command line starts at install time when it is not a build tool (`None` when
/// it is, or when the program is known only at run time).
fn not_a_build_tool(cmd: &str) -> Option<String> {
    let first = cmd.split_whitespace().next()?;
    if first.contains(['*', '$', '%', '{']) {
        return None;
    }
    let file = first.trim_matches(['"', '\'']).rsplit(['/', '\\']).next()?;
    let lower = file.to_ascii_lowercase();
    let stem = lower.strip_suffix(".exe").unwrap_or(&lower);
    let versioned = stem.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.' || c == '-');
    if stem.is_empty()
        || BUILD_TOOLS.contains(&stem)
        || BUILD_TOOLS.contains(&versioned)
        || stem.ends_with(".py")
        || stem.ends_with(".sh")
        || stem.starts_with("python")
    {
        return None;
    }
    Some(file.to_owned())
}

fn to_range(s: usize, e: usize) -> ruff_text_size::TextRange {
    ruff_text_size::TextRange::new(
        ruff_text_size::TextSize::try_from(s).unwrap_or_default(),
        ruff_text_size::TextSize::try_from(e).unwrap_or_default(),
    )
}

fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(100).collect();
    if s.chars().count() > 100 {
        out.push('…');
    }
    out
}

/// Reports what a command line run by a process does.
fn report_command(
    r: &mut Report<'_, '_, '_>,
    cmd: &str,
    shell: bool,
    range: ruff_text_size::TextRange,
) {
    report_traits(r, cmd, common::command_traits(cmd), shell, range);
}

fn report_traits(
    r: &mut Report<'_, '_, '_>,
    cmd: &str,
    traits: Vec<(CommandTrait, std::ops::Range<usize>)>,
    shell: bool,
    range: ruff_text_size::TextRange,
) {
    for (t, m) in traits {
        let trailing_amp = cmd[m.clone()].trim_end().ends_with('&');
        let frag = clip(&cmd[m]);
        match t {
            CommandTrait::Hidden if shell || !trailing_amp => r.add(
                Behaviour::HiddenProcess,
                Severity::High,
                Confidence::High,
                format!("runs a command hidden or detached: {frag}"),
                range,
            ),
            CommandTrait::EncodedPowershell => r.add(
                Behaviour::HiddenProcess,
                Severity::High,
                Confidence::High,
                "runs PowerShell with an encoded command",
                range,
            ),
            CommandTrait::DownloadExec => r.add(
                Behaviour::Download,
                Severity::High,
                Confidence::High,
                format!("runs a command that downloads and executes: {frag}"),
                range,
            ),
            CommandTrait::Fetch => r.add(
                Behaviour::Download,
                Severity::Medium,
                Confidence::High,
                format!("runs a command that downloads: {frag}"),
                range,
            ),
            _ => {}
        }
    }
}
