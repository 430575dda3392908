//! Command-line option grammars and the walker that reads an argument list with one: long
//! options (`--opt value`, `--opt=value`, unambiguous prefixes where the installer accepts
//! them), clustered short options (`-qqr file`, `-rfile`), `--` and positionals.

use crate::args::A;

/// One option: its long names (the first is canonical), its short letters, whether it takes a
/// value, and the scopes (subcommands) it belongs to, as a bit set.
pub(crate) struct Opt {
    pub names: &'static [&'static str],
    pub shorts: &'static str,
    pub value: bool,
    pub scope: u32,
}

pub(crate) const fn o(
    names: &'static [&'static str],
    shorts: &'static str,
    value: bool,
    scope: u32,
) -> Opt {
    Opt {
        names,
        shorts,
        value,
        scope,
    }
}

/// How an installer reads its options.
pub(crate) struct Grammar {
    pub opts: &'static [Opt],
    /// Long options may be abbreviated to any unambiguous prefix (Python's optparse/argparse).
    pub abbrev: bool,
    /// `-r=file` means `file` (clap); otherwise the value is `=file` (optparse).
    pub short_eq: bool,
}

/// One item of an argument list.
pub(crate) enum Item<'a, 'w> {
    /// An option. `name` is the canonical long name when the grammar knows the option, else
    /// the long option as written (without `=value`), or `""` for an unknown short letter.
    Opt {
        name: &'a str,
        short: Option<char>,
        value: Option<A<'w>>,
    },
    /// A positional argument (also everything after `--`).
    Pos(&'a A<'w>),
}

pub(crate) struct Walker<'a, 'w> {
    args: &'a [A<'w>],
    i: usize,
    grammar: &'static Grammar,
    scope: u32,
    /// Inside a short-option cluster: the argument index and the byte offset of the next letter.
    cluster: Option<(usize, usize)>,
    ended: bool,
}

impl<'a, 'w> Walker<'a, 'w> {
    pub fn new(args: &'a [A<'w>], grammar: &'static Grammar, scope: u32) -> Self {
        Self {
            args,
            i: 0,
            grammar,
            scope,
            cluster: None,
            ended: false,
        }
    }

    /// The arguments not read yet.
    pub fn rest(&self) -> &'a [A<'w>] {
        self.args.get(self.i..).unwrap_or(&[])
    }

    /// The argument read last (a positional) and everything after it.
    pub fn last_and_rest(&self) -> &'a [A<'w>] {
        self.args.get(self.i.saturating_sub(1)..).unwrap_or(&[])
    }

    fn lookup_long(&self, name: &str) -> Option<&'static Opt> {
        let opts = self
            .grammar
            .opts
            .iter()
            .filter(|o| o.scope & self.scope != 0);
        let mut exact = None;
        let mut prefix: Option<&'static Opt> = None;
        let mut prefix_count = 0usize;
        for opt in opts {
            for n in opt.names {
                if *n == name {
                    exact = Some(opt);
                } else if self.grammar.abbrev && n.starts_with(name) {
                    prefix = Some(opt);
                    prefix_count += 1;
                }
            }
        }
        // optparse counts names, not options: `--no-dep` is ambiguous between `--no-deps` and
        // its alias `--no-dependencies`.
        exact.or(if prefix_count == 1 { prefix } else { None })
    }

    fn lookup_short(&self, c: char) -> Option<&'static Opt> {
        self.grammar
            .opts
            .iter()
            .find(|o| o.scope & self.scope != 0 && o.shorts.contains(c))
    }

    fn take_value(&mut self) -> Option<A<'w>> {
        let v = self.args.get(self.i).cloned();
        if v.is_some() {
            self.i += 1;
        }
        v
    }

    fn next_in_cluster(&mut self, idx: usize, off: usize) -> Option<Item<'a, 'w>> {
        let arg = self.args.get(idx)?;
        let text: &'a str = &arg.text;
        let Some(c) = text.get(off..).and_then(|r| r.chars().next()) else {
            self.cluster = None;
            return self.next();
        };
        let after = off + c.len_utf8();
        let opt = self.lookup_short(c);
        let takes_value = opt.is_some_and(|o| o.value);
        let name = opt.map_or("", |o| o.names.first().copied().unwrap_or(""));
        if takes_value {
            self.cluster = None;
            let rest = text.get(after..).unwrap_or("");
            let value = if rest.is_empty() {
                self.take_value()
            } else {
                let rest = if self.grammar.short_eq {
                    rest.strip_prefix('=').unwrap_or(rest)
                } else {
                    rest
                };
                Some(arg.derived(rest))
            };
            return Some(Item::Opt {
                name,
                short: Some(c),
                value,
            });
        }
        self.cluster = if after < text.len() {
            Some((idx, after))
        } else {
            None
        };
        Some(Item::Opt {
            name,
            short: Some(c),
            value: None,
        })
    }

    pub fn next(&mut self) -> Option<Item<'a, 'w>> {
        if let Some((idx, off)) = self.cluster {
            return self.next_in_cluster(idx, off);
        }
        let arg = self.args.get(self.i)?;
        self.i += 1;
        let text: &'a str = &arg.text;
        if self.ended || text == "-" || !text.starts_with('-') {
            return Some(Item::Pos(arg));
        }
        if text == "--" {
            self.ended = true;
            return self.next();
        }
        if let Some(long) = text.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (long, None),
            };
            let written = text.get(..name.len() + 2).unwrap_or(text);
            let opt = self.lookup_long(written);
            let value = match (opt, inline) {
                (Some(o), None) if o.value => self.take_value(),
                (_, Some(v)) => Some(arg.derived(v)),
                _ => None,
            };
            let name = opt.map_or(written, |o| o.names.first().copied().unwrap_or(written));
            return Some(Item::Opt {
                name,
                short: None,
                value,
            });
        }
        self.next_in_cluster(self.i - 1, 1)
    }
}

/// Skips a wrapper's own options (`sudo -u root`, `timeout -s KILL`) and returns the index of
/// the first operand. `value_longs` and `value_shorts` list the options that take a value.
pub(crate) fn skip_simple_options(
    args: &[A<'_>],
    from: usize,
    value_longs: &[&str],
    value_shorts: &str,
) -> usize {
    let mut i = from;
    while let Some(a) = args.get(i) {
        let t: &str = &a.text;
        if t == "--" {
            return i + 1;
        }
        if t == "-" || !t.starts_with('-') {
            return i;
        }
        if let Some(long) = t.strip_prefix("--") {
            if !long.contains('=') && value_longs.contains(&t) {
                i += 1;
            }
        } else {
            // A cluster: the first letter that takes a value consumes the rest or the next arg.
            for (off, c) in t.char_indices().skip(1) {
                if value_shorts.contains(c) {
                    if off + c.len_utf8() == t.len() {
                        i += 1;
                    }
                    break;
                }
            }
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    static OPTS: &[Opt] = &[
        o(&["--requirement"], "r", true, 1),
        o(&["--require-hashes"], "", false, 1),
        o(&["--no-deps", "--no-dependencies"], "", false, 1),
        o(&["--no-index"], "", false, 1),
        o(&["--quiet"], "q", false, 1),
        o(&["--index-url"], "i", true, 1),
        o(&["--only-sub"], "", true, 2),
    ];
    static PREFIXES: Grammar = Grammar {
        opts: OPTS,
        abbrev: true,
        short_eq: false,
    };
    static EXACT: Grammar = Grammar {
        opts: OPTS,
        abbrev: false,
        short_eq: true,
    };

    fn argv(words: &[&'static str]) -> Vec<A<'static>> {
        words
            .iter()
            .enumerate()
            .map(|(i, w)| A {
                text: Cow::Borrowed(*w),
                span: i..i + 1,
                dynamic: false,
                word: None,
            })
            .collect()
    }

    /// Each item as `name=value`, `name` or `pos:text`.
    fn walk(grammar: &'static Grammar, scope: u32, words: &[&'static str]) -> Vec<String> {
        let args = argv(words);
        let mut w = Walker::new(&args, grammar, scope);
        let mut out = Vec::new();
        while let Some(item) = w.next() {
            out.push(match item {
                Item::Opt {
                    name,
                    value: Some(v),
                    ..
                } => format!("{name}={}", v.text),
                Item::Opt {
                    name: "",
                    short: Some(c),
                    ..
                } => format!("-{c}"),
                Item::Opt { name, .. } => name.to_owned(),
                Item::Pos(a) => format!("pos:{}", a.text),
            });
        }
        out
    }

    #[test]
    fn unambiguous_prefix_resolves_where_the_grammar_allows_it() {
        assert_eq!(
            walk(&PREFIXES, 1, &["--require-h", "x"]),
            ["--require-hashes", "pos:x"]
        );
        assert_eq!(
            walk(&PREFIXES, 1, &["--req", "f", "x"]),
            ["--req", "pos:f", "pos:x"]
        );
        assert_eq!(
            walk(&PREFIXES, 1, &["--requir", "f"]),
            ["--requir", "pos:f"]
        );
        assert_eq!(
            walk(&PREFIXES, 1, &["--requirem", "f"]),
            ["--requirement=f"]
        );
        assert_eq!(
            walk(&EXACT, 1, &["--require-h", "x"]),
            ["--require-h", "pos:x"]
        );
    }

    #[test]
    fn ambiguity_is_counted_over_names_as_optparse_does() {
        // `--no-dep` matches `--no-deps` and its alias `--no-dependencies`.
        assert_eq!(walk(&PREFIXES, 1, &["--no-dep"]), ["--no-dep"]);
        assert_eq!(walk(&PREFIXES, 1, &["--no-dependencies"]), ["--no-deps"]);
        assert_eq!(walk(&PREFIXES, 1, &["--no-i"]), ["--no-index"]);
    }

    #[test]
    fn values_come_inline_or_from_the_next_argument() {
        assert_eq!(
            walk(&PREFIXES, 1, &["--index-url=u", "--index-url", "v"]),
            ["--index-url=u", "--index-url=v"]
        );
        assert_eq!(walk(&PREFIXES, 1, &["-iu"]), ["--index-url=u"]);
        assert_eq!(walk(&PREFIXES, 1, &["-i=u"]), ["--index-url==u"]);
        assert_eq!(walk(&EXACT, 1, &["-i=u"]), ["--index-url=u"]);
        assert_eq!(walk(&PREFIXES, 1, &["--index-url"]), ["--index-url"]);
    }

    #[test]
    fn short_clusters_end_at_the_first_option_with_a_value() {
        assert_eq!(
            walk(&PREFIXES, 1, &["-qqr", "req.txt", "-qx"]),
            [
                "--quiet",
                "--quiet",
                "--requirement=req.txt",
                "--quiet",
                "-x"
            ]
        );
    }

    #[test]
    fn double_dash_and_single_dash_are_positional() {
        assert_eq!(
            walk(&PREFIXES, 1, &["-", "--", "-q", "--x"]),
            ["pos:-", "pos:-q", "pos:--x"]
        );
    }

    #[test]
    fn options_outside_the_scope_are_unknown_flags() {
        assert_eq!(
            walk(&PREFIXES, 1, &["--only-sub", "v"]),
            ["--only-sub", "pos:v"]
        );
        assert_eq!(walk(&PREFIXES, 2, &["--only-sub", "v"]), ["--only-sub=v"]);
    }

    #[test]
    fn wrapper_options_are_skipped_to_the_operand() {
        let args = argv(&["sudo", "-u", "root", "-E", "--", "pip"]);
        assert_eq!(skip_simple_options(&args, 1, &["--user"], "u"), 5);
        let args = argv(&["timeout", "-sKILL", "--kill-after", "5", "10", "cmd"]);
        assert_eq!(skip_simple_options(&args, 1, &["--kill-after"], "sk"), 4);
    }
}
