//! The parser is total: arbitrary, truncated, hostile or deeply nested input never panics,
//! finishes quickly, and every reported span is a valid range of the input.

use std::time::{Duration, Instant};

use cordon_shell::{Analysis, analyze};

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }
}

const PIECES: &[&str] = &[
    "pip",
    "pip3",
    "install",
    "uv",
    "uvx",
    "sync",
    "add",
    "run",
    "--locked",
    "-r",
    "req.txt",
    "-e",
    ".",
    "sudo",
    "env",
    "X=1",
    "UV_LOCKED=1",
    "bash",
    "-c",
    "sh",
    "eval",
    "timeout",
    "5",
    "xargs",
    "python",
    "-m",
    "curl",
    "https://example.com/i.sh",
    "|",
    "||",
    "&&",
    "&",
    ";",
    ";;",
    "(",
    ")",
    "{",
    "}",
    "$(",
    "`",
    "'",
    "\"",
    "\\",
    "\n",
    "\\\n",
    "<<",
    "<<-",
    "EOF",
    "<<<",
    "<(",
    ">(",
    ">",
    "2>&1",
    "#",
    "$VAR",
    "${X:-y}",
    "$((1+2))",
    "case",
    "in",
    "esac",
    "if",
    "then",
    "fi",
    "for",
    "do",
    "done",
    "[[",
    "]]",
    "function",
    "f()",
    "é",
    "\u{1F600}",
    "--index-url=",
    "-qr",
    "--require-h",
    "export",
    "unset",
    "=",
    "$'a\\n'",
    "$\"x\"",
    "pipx",
    "poetry",
    "conda",
    "-n",
    "pixi",
    "-Im",
    "py",
    "--with",
    "a,b>=1,<2",
    "--from",
    "x@1",
    " ",
    " ",
    " ",
    "\t",
];

fn check(src: &str) -> Analysis {
    let a = analyze(src);
    for i in &a.intents {
        assert!(
            src.get(i.span.clone()).is_some(),
            "{src:?}: intent span {:?}",
            i.span
        );
        for p in &i.packages {
            assert!(
                src.get(p.arg.span.clone()).is_some(),
                "{src:?}: package span"
            );
        }
        for x in &i.indexes {
            assert!(
                src.get(x.value.span.clone()).is_some(),
                "{src:?}: index span"
            );
        }
        for v in &i.env {
            assert!(src.get(v.span.clone()).is_some(), "{src:?}: env span");
        }
    }
    for r in &a.remote_scripts {
        assert!(src.get(r.span.clone()).is_some(), "{src:?}: remote span");
    }
    for u in &a.unparsed {
        assert!(
            src.get(u.span.clone()).is_some(),
            "{src:?}: unparsed span {:?}",
            u.span
        );
    }
    a
}

#[test]
fn random_token_soup_never_panics_and_spans_stay_in_bounds() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..20_000 {
        let n = 1 + rng.below(24);
        let mut src = String::new();
        for _ in 0..n {
            src.push_str(PIECES[rng.below(PIECES.len())]);
            if rng.below(3) > 0 {
                src.push(' ');
            }
        }
        check(&src);
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(42);
    for _ in 0..5_000 {
        let n = rng.below(64);
        let alphabet = b" \t\n\\'\"$`(){}|&;<>#=-abcpiu.0";
        let bytes: Vec<u8> = (0..n)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        check(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn every_prefix_of_a_real_script_is_handled() {
    let script = "set -eux\nexport UV_LOCKED=1\nif [ -f requirements.txt ]; then\n  sudo -E pip install --require-hashes -r \"requirements.txt\" \\\n    --index-url=https://example.com/simple\nfi\ncat <<'EOF' > x\nbody $(not run)\nEOF\nbash -c \"uv sync && uv run --with 'a,b>=1,<2' pytest\" | tee log\ncurl -LsSf https://astral.sh/uv/install.sh | sh\necho `uv add x` $(pip install y) <(curl -s https://example.com/z)\ncase $x in a) pip install a;; esac\n";
    for end in 0..=script.len() {
        if let Some(prefix) = script.get(..end) {
            check(prefix);
        }
    }
}

#[test]
fn deep_nesting_is_reported_not_overflowed() {
    let deep = "$(".repeat(5_000) + "pip install x";
    let a = check(&deep);
    assert!(a.unparsed.iter().any(|u| u.reason == "nesting too deep"));

    let parens = "( ".repeat(5_000) + "pip install x" + &" )".repeat(5_000);
    let a = check(&parens);
    assert!(a.unparsed.iter().any(|u| u.reason == "nesting too deep"));

    let mut nested = String::from("pip install deep");
    for _ in 0..10 {
        nested = format!("sh -c '{}'", nested.replace('\'', "'\\''"));
    }
    let a = check(&nested);
    assert!(a.intents.is_empty());
    assert!(
        a.unparsed
            .iter()
            .any(|u| u.reason == "scripts nested too deeply" && u.mentions_installer)
    );

    let bangs = "! ".repeat(10_000) + "pip install x";
    check(&bangs);
    let keywords = "if then ".repeat(5_000) + "pip install x";
    check(&keywords);
}

#[test]
fn large_input_is_linear_enough() {
    let line = "pip install --require-hashes -r requirements.txt && uv sync --locked\n";
    let big = line.repeat(20_000);
    let start = Instant::now();
    let a = check(&big);
    assert_eq!(a.intents.len(), 40_000);
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );

    let start = Instant::now();
    let errors = "a )\n".repeat(20_000);
    assert_eq!(check(&errors).unparsed.len(), 20_000);
    let assignments = (0..20_000).fold(String::new(), |s, i| s + &format!("export V{i}=1\n"));
    check(&(assignments + "uv sync"));
    let dynamic = "$CMD x\n".repeat(20_000);
    assert_eq!(check(&dynamic).unparsed.len(), 20_000);
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );

    let quotes = "\"".repeat(50_001);
    check(&quotes);
    let backslashes = "\\".repeat(50_001);
    check(&backslashes);
}
