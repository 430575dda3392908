//! `stdlib-shadow`: a dependency named like a standard-library module (`asyncio`, `typing`,
//! `dataclasses`). The index no longer accepts such names, so what exists is an old backport or
//! a squat; installed, it can shadow the module Python ships, or run an attacker's code where
//! the project meant the standard library.

use cordon_diagnostics::Finding;
use cordon_python::name::normalize;

use crate::Context;
use crate::checks::Check;

crate::declare_check!(
    META,
    "stdlib-shadow",
    Names,
    Low,
    false,
    "a dependency has the name of a standard-library module"
);

/// The public top-level modules of the standard library (`sys.stdlib_module_names` of
/// CPython 3.11, leading-underscore modules left out).
const STDLIB: &[&str] = &[
    "abc",
    "aifc",
    "antigravity",
    "argparse",
    "array",
    "ast",
    "asynchat",
    "asyncio",
    "asyncore",
    "atexit",
    "audioop",
    "base64",
    "bdb",
    "binascii",
    "bisect",
    "builtins",
    "bz2",
    "cProfile",
    "calendar",
    "cgi",
    "cgitb",
    "chunk",
    "cmath",
    "cmd",
    "code",
    "codecs",
    "codeop",
    "collections",
    "colorsys",
    "compileall",
    "concurrent",
    "configparser",
    "contextlib",
    "contextvars",
    "copy",
    "copyreg",
    "crypt",
    "csv",
    "ctypes",
    "curses",
    "dataclasses",
    "datetime",
    "dbm",
    "decimal",
    "difflib",
    "dis",
    "distutils",
    "doctest",
    "email",
    "encodings",
    "ensurepip",
    "enum",
    "errno",
    "faulthandler",
    "fcntl",
    "filecmp",
    "fileinput",
    "fnmatch",
    "fractions",
    "ftplib",
    "functools",
    "gc",
    "genericpath",
    "getopt",
    "getpass",
    "gettext",
    "glob",
    "graphlib",
    "grp",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "http",
    "idlelib",
    "imaplib",
    "imghdr",
    "imp",
    "importlib",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "keyword",
    "lib2to3",
    "linecache",
    "locale",
    "logging",
    "lzma",
    "mailbox",
    "mailcap",
    "marshal",
    "math",
    "mimetypes",
    "mmap",
    "modulefinder",
    "msilib",
    "msvcrt",
    "multiprocessing",
    "netrc",
    "nis",
    "nntplib",
    "nt",
    "ntpath",
    "nturl2path",
    "numbers",
    "opcode",
    "operator",
    "optparse",
    "os",
    "ossaudiodev",
    "pathlib",
    "pdb",
    "pickle",
    "pickletools",
    "pipes",
    "pkgutil",
    "platform",
    "plistlib",
    "poplib",
    "posix",
    "posixpath",
    "pprint",
    "profile",
    "pstats",
    "pty",
    "pwd",
    "py_compile",
    "pyclbr",
    "pydoc",
    "pydoc_data",
    "pyexpat",
    "queue",
    "quopri",
    "random",
    "re",
    "readline",
    "reprlib",
    "resource",
    "rlcompleter",
    "runpy",
    "sched",
    "secrets",
    "select",
    "selectors",
    "shelve",
    "shlex",
    "shutil",
    "signal",
    "site",
    "smtpd",
    "smtplib",
    "sndhdr",
    "socket",
    "socketserver",
    "spwd",
    "sqlite3",
    "sre_compile",
    "sre_constants",
    "sre_parse",
    "ssl",
    "stat",
    "statistics",
    "string",
    "stringprep",
    "struct",
    "subprocess",
    "sunau",
    "symtable",
    "sys",
    "sysconfig",
    "syslog",
    "tabnanny",
    "tarfile",
    "telnetlib",
    "tempfile",
    "termios",
    "textwrap",
    "this",
    "threading",
    "time",
    "timeit",
    "tkinter",
    "token",
    "tokenize",
    "tomllib",
    "trace",
    "traceback",
    "tracemalloc",
    "tty",
    "turtle",
    "turtledemo",
    "types",
    "typing",
    "unicodedata",
    "unittest",
    "urllib",
    "uu",
    "uuid",
    "venv",
    "warnings",
    "wave",
    "weakref",
    "webbrowser",
    "winreg",
    "winsound",
    "wsgiref",
    "xdrlib",
    "xml",
    "xmlrpc",
    "zipapp",
    "zipfile",
    "zipimport",
    "zlib",
    "zoneinfo",
];

pub struct StdlibShadow;

impl Check for StdlibShadow {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        // A locked backport whose declaration limits it to old Pythons is what the fix asks for;
        // its lock entry is not reported either.
        let limited: Vec<&str> = cx
            .named_packages()
            .iter()
            .filter(|p| p.marker.as_deref().is_some_and(|m| m.contains("python")))
            .map(|p| p.name.as_str())
            .collect();
        for pkg in cx.named_packages() {
            let Some(module) = STDLIB.iter().find(|m| normalize(m) == pkg.name) else {
                continue;
            };
            if limited.contains(&pkg.name.as_str()) {
                continue;
            }
            let Some(at) = cx.loc(&pkg.file, pkg.span.clone()) else {
                continue;
            };
            let whence = if pkg.direct { "declared" } else { "locked" };
            out.push(
                cx.finding(
                    &META,
                    format!(
                        "`{}` ({whence}) has the name of the standard-library module `{module}`",
                        pkg.name
                    ),
                    format!(
                        "drop it: Python ships `{module}`; if it is a backport you still need for \
                         an old Python, limit it with a marker (`; python_version < \"3.x\"`)"
                    ),
                    at,
                )
                .with_package(pkg.name.clone(), pkg.version.clone()),
            );
        }
    }
}
