//! A total parser for POSIX-ish shell (with the bash forms CI scripts use) into a flat syntax
//! tree: pipelines of simple commands and `( … )`/`{ …; }` groups. Control-flow keywords
//! (`if`, `while`, `for`, `case`, …) do not nest: the commands inside them are what matter
//! here. Words keep `$VAR`/`$(…)` literally and carry the command substitutions inside them,
//! parsed in place. The parser never fails: problems are recorded with their span and parsing
//! goes on.

use std::ops::Range;

/// Deeper nesting than this (`$( $( $( …`) is reported and the rest of the text is skipped,
/// so hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub list: List,
    pub errors: Vec<SyntaxError>,
    pub heredocs: Vec<Heredoc>,
}

#[derive(Debug)]
pub(crate) struct SyntaxError {
    pub span: Range<usize>,
    pub reason: &'static str,
}

#[derive(Debug, Default)]
pub(crate) struct List {
    pub pipelines: Vec<Pipeline>,
}

#[derive(Debug)]
pub(crate) struct Pipeline {
    pub commands: Vec<Command>,
}

#[derive(Debug)]
pub(crate) enum Command {
    Simple(Simple),
    Group(Group),
}

#[derive(Debug)]
pub(crate) struct Group {
    pub body: List,
    pub subshell: bool,
    pub redirects: Vec<Redirect>,
}

#[derive(Debug, Default)]
pub(crate) struct Simple {
    pub assigns: Vec<Assign>,
    pub words: Vec<Word>,
    pub redirects: Vec<Redirect>,
    pub span: Range<usize>,
    /// Set when a word of the command is malformed (unterminated quote, …).
    pub broken: Option<&'static str>,
}

#[derive(Debug)]
pub(crate) struct Assign {
    pub name: String,
    pub value: Word,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RedirOp {
    In,
    Out,
    Heredoc { strip_tabs: bool },
    HereString,
    Other,
}

#[derive(Debug)]
pub(crate) struct Redirect {
    pub op: RedirOp,
    pub target: Option<Word>,
    /// Index into [`Parsed::heredocs`] for `<<` and `<<-`.
    pub heredoc: Option<usize>,
}

#[derive(Debug, Clone)]
pub(crate) struct Heredoc {
    pub body: Range<usize>,
    pub terminated: bool,
}

#[derive(Debug, Default)]
pub(crate) struct Word {
    pub span: Range<usize>,
    /// The word after quote removal; expansions are kept as written.
    pub text: String,
    /// Contains an expansion the shell performs at run time.
    pub dynamic: bool,
    /// Some part was quoted or escaped (so it is never a keyword).
    pub quoted: bool,
    pub subs: Vec<Sub>,
    pub error: Option<&'static str>,
}

#[derive(Debug)]
pub(crate) enum Sub {
    /// `$( … )` or `<( … )`/`>( … )`, parsed in place.
    Inline(List),
    /// `` `…` ``: the body after backslash removal, to be parsed as its own text.
    Backtick { text: String, span: Range<usize> },
}

#[derive(Debug)]
enum Tok {
    Word(Word),
    Op(Op),
    Newline,
    Eof,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    AndIf,
    OrIf,
    Semi,
    CaseEnd,
    Pipe,
    Amp,
    LParen,
    RParen,
    Redir(RedirOp),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Top,
    Paren,
    /// The body of `$( … )` or `<( … )`: its caller reports a missing `)`.
    Subst,
    Brace,
    Case,
}

/// Parses `src` completely; never panics, never fails.
pub(crate) fn parse(src: &str) -> Parsed {
    let mut p = Parser {
        src,
        b: src.as_bytes(),
        pos: 0,
        peeked: None,
        last_end: 0,
        depth: 0,
        stmt_start: 0,
        pending: Vec::new(),
        errors: Vec::new(),
        heredocs: Vec::new(),
    };
    let list = p.list(Stop::Top);
    Parsed {
        list,
        errors: p.errors,
        heredocs: p.heredocs,
    }
}

struct Parser<'s> {
    src: &'s str,
    b: &'s [u8],
    pos: usize,
    peeked: Option<(Tok, Range<usize>)>,
    last_end: usize,
    depth: usize,
    stmt_start: usize,
    pending: Vec<(usize, String, bool)>,
    errors: Vec<SyntaxError>,
    heredocs: Vec<Heredoc>,
}

fn is_name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

impl<'s> Parser<'s> {
    // ---------------------------------------------------------------- tokens

    fn byte(&self, i: usize) -> Option<u8> {
        self.b.get(i).copied()
    }

    fn slice(&self, r: Range<usize>) -> &'s str {
        self.src.get(r).unwrap_or("")
    }

    fn error(&mut self, span: Range<usize>, reason: &'static str) {
        self.errors.push(SyntaxError { span, reason });
    }

    /// An error that makes the current statement uncertain: its span runs from the start of
    /// the statement to `end`.
    fn stmt_error(&mut self, end: usize, reason: &'static str) {
        let start = self.stmt_start.min(end);
        self.error(start..end.max(start), reason);
    }

    fn peek(&mut self) -> &Tok {
        if self.peeked.is_none() {
            let t = self.lex();
            self.peeked = Some(t);
        }
        match &self.peeked {
            Some((t, _)) => t,
            None => &Tok::Eof,
        }
    }

    fn peek_span(&mut self) -> Range<usize> {
        self.peek();
        self.peeked
            .as_ref()
            .map_or(self.pos..self.pos, |(_, s)| s.clone())
    }

    fn take(&mut self) -> Tok {
        self.peek();
        match self.peeked.take() {
            Some((t, span)) => {
                if !matches!(t, Tok::Eof) {
                    self.last_end = span.end;
                }
                t
            }
            None => Tok::Eof,
        }
    }

    fn peek_is_word(&mut self, kw: &str) -> bool {
        matches!(self.peek(), Tok::Word(w) if !w.quoted && w.text == kw)
    }

    fn skip_blanks(&mut self) {
        loop {
            match self.byte(self.pos) {
                Some(b' ' | b'\t' | b'\r') => self.pos += 1,
                Some(b'\\') if self.byte(self.pos + 1) == Some(b'\n') => self.pos += 2,
                Some(b'\\')
                    if self.byte(self.pos + 1) == Some(b'\r')
                        && self.byte(self.pos + 2) == Some(b'\n') =>
                {
                    self.pos += 3;
                }
                Some(b'#') => {
                    while let Some(c) = self.byte(self.pos) {
                        if c == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                _ => return,
            }
        }
    }

    fn lex(&mut self) -> (Tok, Range<usize>) {
        self.skip_blanks();
        let start = self.pos;
        let Some(c) = self.byte(start) else {
            return (Tok::Eof, start..start);
        };
        let next = self.byte(start + 1);
        let op = |p: &mut Self, op: Op, len: usize| {
            p.pos = start + len;
            (Tok::Op(op), start..start + len)
        };
        match c {
            b'\n' => {
                self.pos += 1;
                self.read_heredocs();
                (Tok::Newline, start..start + 1)
            }
            b';' => match (next, self.byte(start + 2)) {
                (Some(b';'), Some(b'&')) => op(self, Op::CaseEnd, 3),
                (Some(b';' | b'&'), _) => op(self, Op::CaseEnd, 2),
                _ => op(self, Op::Semi, 1),
            },
            b'&' => match (next, self.byte(start + 2)) {
                (Some(b'&'), _) => op(self, Op::AndIf, 2),
                (Some(b'>'), Some(b'>')) => op(self, Op::Redir(RedirOp::Out), 3),
                (Some(b'>'), _) => op(self, Op::Redir(RedirOp::Out), 2),
                _ => op(self, Op::Amp, 1),
            },
            b'|' => match next {
                Some(b'|') => op(self, Op::OrIf, 2),
                Some(b'&') => op(self, Op::Pipe, 2),
                _ => op(self, Op::Pipe, 1),
            },
            b'(' => op(self, Op::LParen, 1),
            b')' => op(self, Op::RParen, 1),
            b'<' | b'>' if next == Some(b'(') => {
                let w = self.process_subst(start);
                let span = w.span.clone();
                (Tok::Word(w), span)
            }
            b'<' | b'>' => self.redirection(start),
            _ => {
                let w = self.word(start);
                // `2>file`, `2>&1`: an all-digit word glued to a redirection is its fd.
                if !w.quoted
                    && !w.text.is_empty()
                    && w.text.bytes().all(|d| d.is_ascii_digit())
                    && matches!(self.byte(self.pos), Some(b'<' | b'>'))
                {
                    if self.byte(self.pos + 1) == Some(b'(') {
                        return (Tok::Word(w), start..self.pos);
                    }
                    let p = self.pos;
                    let (t, span) = self.redirection(p);
                    return (t, start..span.end);
                }
                let span = w.span.clone();
                (Tok::Word(w), span)
            }
        }
    }

    fn redirection(&mut self, start: usize) -> (Tok, Range<usize>) {
        let rest = self.b.get(start..).unwrap_or(&[]);
        let (op, len) = if rest.starts_with(b"<<<") {
            (RedirOp::HereString, 3)
        } else if rest.starts_with(b"<<-") {
            (RedirOp::Heredoc { strip_tabs: true }, 3)
        } else if rest.starts_with(b"<<") {
            (RedirOp::Heredoc { strip_tabs: false }, 2)
        } else if rest.starts_with(b"<&") || rest.starts_with(b"<>") {
            (RedirOp::Other, 2)
        } else if rest.starts_with(b"<") {
            (RedirOp::In, 1)
        } else if rest.starts_with(b">>") || rest.starts_with(b">|") {
            (RedirOp::Out, 2)
        } else if rest.starts_with(b">&") {
            (RedirOp::Other, 2)
        } else {
            (RedirOp::Out, 1)
        };
        self.pos = start + len;
        (Tok::Op(Op::Redir(op)), start..self.pos)
    }

    fn read_heredocs(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        for (idx, delim, strip) in pending {
            let body_start = self.pos;
            let mut terminated = false;
            let mut body_end = self.b.len();
            while self.pos < self.b.len() {
                let line_start = self.pos;
                let line_end = self.b[line_start..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(self.b.len(), |i| line_start + i);
                let mut line = self.slice(line_start..line_end);
                line = line.strip_suffix('\r').unwrap_or(line);
                if strip {
                    line = line.trim_start_matches('\t');
                }
                self.pos = (line_end + 1).min(self.b.len());
                if line == delim {
                    body_end = line_start;
                    terminated = true;
                    break;
                }
            }
            if let Some(h) = self.heredocs.get_mut(idx) {
                h.body = body_start..body_end.max(body_start);
                h.terminated = terminated;
            }
            if !terminated {
                self.error(body_start..self.b.len(), "unterminated here-document");
            }
        }
    }

    // ----------------------------------------------------------------- words

    fn push_char(&mut self, w: &mut Word) {
        let rest = self.src.get(self.pos..).unwrap_or("");
        match rest.chars().next() {
            Some(ch) => {
                w.text.push(ch);
                self.pos += ch.len_utf8();
            }
            None => self.pos = self.b.len(),
        }
    }

    /// The length of `NAME=` or `NAME+=` at `start`, if the raw text starts with one.
    fn assignment_prefix(&self, start: usize) -> Option<usize> {
        if !self.byte(start).is_some_and(is_name_start) {
            return None;
        }
        let mut i = start + 1;
        while self.byte(i).is_some_and(is_name_char) {
            i += 1;
        }
        match (self.byte(i), self.byte(i + 1)) {
            (Some(b'='), _) => Some(i + 1 - start),
            (Some(b'+'), Some(b'=')) => Some(i + 2 - start),
            _ => None,
        }
    }

    fn word(&mut self, start: usize) -> Word {
        let mut w = Word::default();
        let assign = self.assignment_prefix(start);
        self.pos = start;
        while let Some(c) = self.byte(self.pos) {
            match c {
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b')' => break,
                b'(' => {
                    // `NAME=(a b c)`: an array assignment is one word.
                    if assign.is_some_and(|n| start + n == self.pos) {
                        let end = self.balanced_parens(self.pos);
                        let raw = self.slice(self.pos..end).to_owned();
                        w.text.push_str(&raw);
                        self.pos = end;
                    } else {
                        break;
                    }
                }
                b'\\' => match self.byte(self.pos + 1) {
                    Some(b'\n') => self.pos += 2,
                    Some(_) => {
                        w.quoted = true;
                        self.pos += 1;
                        self.push_char(&mut w);
                    }
                    None => {
                        self.pos += 1;
                    }
                },
                b'\'' => self.single_quote(&mut w),
                b'"' => {
                    self.pos += 1;
                    self.double_quote(&mut w);
                }
                b'$' => self.dollar(&mut w, false),
                b'`' => self.backtick(&mut w),
                _ => self.push_char(&mut w),
            }
        }
        w.span = start..self.pos;
        w
    }

    fn single_quote(&mut self, w: &mut Word) {
        w.quoted = true;
        self.pos += 1;
        let body = self.pos;
        if let Some(i) = self.b[body..].iter().position(|&c| c == b'\'') {
            w.text.push_str(self.slice(body..body + i));
            self.pos = body + i + 1;
        } else {
            w.text.push_str(self.slice(body..self.b.len()));
            self.pos = self.b.len();
            w.error.get_or_insert("unterminated single quote");
        }
    }

    /// After the opening `"`.
    fn double_quote(&mut self, w: &mut Word) {
        w.quoted = true;
        loop {
            let Some(c) = self.byte(self.pos) else {
                w.error.get_or_insert("unterminated double quote");
                return;
            };
            match c {
                b'"' => {
                    self.pos += 1;
                    return;
                }
                b'\\' => match self.byte(self.pos + 1) {
                    Some(b'\n') => self.pos += 2,
                    Some(b'$' | b'`' | b'"' | b'\\') => {
                        self.pos += 1;
                        self.push_char(w);
                    }
                    _ => {
                        w.text.push('\\');
                        self.pos += 1;
                    }
                },
                b'$' => self.dollar(w, true),
                b'`' => self.backtick(w),
                _ => self.push_char(w),
            }
        }
    }

    fn dollar(&mut self, w: &mut Word, in_dq: bool) {
        let start = self.pos;
        match self.byte(start + 1) {
            Some(b'(') if self.byte(start + 2) == Some(b'(') => {
                // `$(( … ))`: arithmetic, nothing runs.
                let end = self.balanced_parens(start + 1);
                w.text.push_str(self.slice(start..end));
                w.dynamic = true;
                self.pos = end;
            }
            Some(b'(') => {
                self.pos = start + 2;
                match self.nested() {
                    Some(list) => w.subs.push(Sub::Inline(list)),
                    None => {
                        w.error.get_or_insert("unterminated `$(`");
                    }
                }
                w.text.push_str(self.slice(start..self.pos));
                w.dynamic = true;
            }
            Some(b'{') => {
                let mut depth = 0usize;
                let mut i = start + 1;
                let mut closed = false;
                while let Some(c) = self.byte(i) {
                    match c {
                        b'\\' => i += 1,
                        b'\'' if !in_dq => {
                            i += 1;
                            while self.byte(i).is_some_and(|c| c != b'\'') {
                                i += 1;
                            }
                        }
                        b'{' => depth += 1,
                        b'}' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                i += 1;
                                closed = true;
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                let end = i.min(self.b.len());
                if !closed {
                    w.error.get_or_insert("unterminated `${`");
                }
                w.text.push_str(self.slice(start..end));
                w.dynamic = true;
                self.pos = end;
            }
            Some(b'\'') if !in_dq => {
                self.pos = start + 2;
                self.ansi_c_quote(w);
            }
            Some(b'"') if !in_dq => {
                self.pos = start + 2;
                self.double_quote(w);
            }
            Some(c) if is_name_start(c) => {
                let mut i = start + 2;
                while self.byte(i).is_some_and(is_name_char) {
                    i += 1;
                }
                w.text.push_str(self.slice(start..i));
                w.dynamic = true;
                self.pos = i;
            }
            Some(c) if c.is_ascii_digit() || b"@*#?$!-".contains(&c) => {
                w.text.push_str(self.slice(start..start + 2));
                w.dynamic = true;
                self.pos = start + 2;
            }
            _ => {
                w.text.push('$');
                self.pos = start + 1;
            }
        }
    }

    /// `$'…'` (after `$'`): the common escapes are decoded, nothing is expanded.
    fn ansi_c_quote(&mut self, w: &mut Word) {
        w.quoted = true;
        loop {
            let Some(c) = self.byte(self.pos) else {
                w.error.get_or_insert("unterminated `$'` quote");
                return;
            };
            match c {
                b'\'' => {
                    self.pos += 1;
                    return;
                }
                b'\\' => {
                    let esc = self.byte(self.pos + 1);
                    let decoded = match esc {
                        Some(b'n') => Some('\n'),
                        Some(b't') => Some('\t'),
                        Some(b'r') => Some('\r'),
                        Some(b'\\') => Some('\\'),
                        Some(b'\'') => Some('\''),
                        Some(b'"') => Some('"'),
                        Some(b'e' | b'E') => Some('\u{1b}'),
                        _ => None,
                    };
                    if let Some(d) = decoded {
                        w.text.push(d);
                        self.pos += 2;
                    } else {
                        w.text.push('\\');
                        self.pos += 1;
                    }
                }
                _ => self.push_char(w),
            }
        }
    }

    fn backtick(&mut self, w: &mut Word) {
        let start = self.pos;
        self.pos += 1;
        let mut inner = String::new();
        loop {
            let Some(c) = self.byte(self.pos) else {
                w.error.get_or_insert("unterminated backquote");
                break;
            };
            match c {
                b'`' => {
                    self.pos += 1;
                    break;
                }
                b'\\' if matches!(self.byte(self.pos + 1), Some(b'`' | b'$' | b'\\')) => {
                    self.pos += 1;
                    let rest = self.src.get(self.pos..).unwrap_or("");
                    if let Some(ch) = rest.chars().next() {
                        inner.push(ch);
                        self.pos += ch.len_utf8();
                    }
                }
                _ => {
                    let rest = self.src.get(self.pos..).unwrap_or("");
                    match rest.chars().next() {
                        Some(ch) => {
                            inner.push(ch);
                            self.pos += ch.len_utf8();
                        }
                        None => self.pos = self.b.len(),
                    }
                }
            }
        }
        w.text.push_str(self.slice(start..self.pos));
        w.dynamic = true;
        w.subs.push(Sub::Backtick {
            text: inner,
            span: start..self.pos,
        });
    }

    /// `<( … )` or `>( … )` at `start`.
    fn process_subst(&mut self, start: usize) -> Word {
        let mut w = Word {
            dynamic: true,
            ..Word::default()
        };
        self.pos = start + 2;
        match self.nested() {
            Some(list) => w.subs.push(Sub::Inline(list)),
            None => {
                w.error.get_or_insert("unterminated process substitution");
            }
        }
        w.text.push_str(self.slice(start..self.pos));
        w.span = start..self.pos;
        w
    }

    /// Parses a list up to its closing `)` (consumed). `None` when the text ends first.
    fn nested(&mut self) -> Option<List> {
        let saved_peek = self.peeked.take();
        let saved_stmt = self.stmt_start;
        let saved_end = self.last_end;
        let list = self.list(Stop::Subst);
        let closed = matches!(self.take(), Tok::Op(Op::RParen));
        // The closing `)` is part of the word being lexed: leave the caller's lookahead as it
        // was, and keep statement spans of the outer level.
        self.peeked = saved_peek;
        self.stmt_start = saved_stmt;
        self.last_end = saved_end;
        closed.then_some(list)
    }

    /// The end of the parenthesised text starting at `open` (which holds `(`); quotes are
    /// skipped. The text end when unbalanced.
    fn balanced_parens(&self, open: usize) -> usize {
        let mut depth = 0usize;
        let mut i = open;
        while let Some(c) = self.byte(i) {
            match c {
                b'\\' => i += 1,
                b'\'' => {
                    i += 1;
                    while self.byte(i).is_some_and(|c| c != b'\'') {
                        i += 1;
                    }
                }
                b'(' => depth += 1,
                b')' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return i + 1;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        self.b.len()
    }

    // --------------------------------------------------------------- grammar

    fn enter(&mut self) -> bool {
        if self.depth >= MAX_DEPTH {
            let p = self.pos;
            self.error(p..self.b.len(), "nesting too deep");
            self.pos = self.b.len();
            self.peeked = None;
            return false;
        }
        self.depth += 1;
        true
    }

    fn list(&mut self, stop: Stop) -> List {
        let mut list = List::default();
        if !self.enter() {
            return list;
        }
        loop {
            let span = self.peek_span();
            let unexpected: Option<&'static str> = match self.peek() {
                Tok::Newline | Tok::Op(Op::Semi | Op::Amp) => {
                    self.take();
                    continue;
                }
                Tok::Eof => {
                    match stop {
                        Stop::Top | Stop::Subst => {}
                        Stop::Paren => self.stmt_error(span.end, "unbalanced parentheses"),
                        Stop::Brace => self.stmt_error(span.end, "unterminated `{` group"),
                        Stop::Case => self.stmt_error(span.end, "unterminated `case`"),
                    }
                    break;
                }
                Tok::Op(Op::RParen) if matches!(stop, Stop::Paren | Stop::Subst) => break,
                Tok::Op(Op::CaseEnd) if stop == Stop::Case => break,
                Tok::Op(Op::RParen) => Some("unmatched `)`"),
                Tok::Op(Op::CaseEnd) => Some("`;;` outside `case`"),
                Tok::Op(Op::AndIf | Op::OrIf | Op::Pipe) => Some("operator without a command"),
                Tok::Word(w) if !w.quoted && w.text == "}" => {
                    if stop == Stop::Brace {
                        break;
                    }
                    Some("unmatched `}`")
                }
                Tok::Word(w) if !w.quoted && w.text == "esac" => {
                    if stop == Stop::Case {
                        break;
                    }
                    Some("unmatched `esac`")
                }
                _ => None,
            };
            if let Some(reason) = unexpected {
                self.stmt_start = span.start;
                self.take();
                self.error(span, reason);
                continue;
            }
            self.stmt_start = span.start;
            self.and_or(&mut list);
        }
        self.depth -= 1;
        list
    }

    fn and_or(&mut self, list: &mut List) {
        loop {
            let Some(p) = self.pipeline() else {
                // Nothing parsable here: consume the token so the caller progresses.
                let span = self.peek_span();
                if !matches!(self.peek(), Tok::Eof) {
                    self.take();
                    self.error(span, "unexpected token");
                }
                return;
            };
            list.pipelines.push(p);
            match self.peek() {
                Tok::Op(Op::AndIf | Op::OrIf) => {
                    self.take();
                    self.skip_newlines();
                    if !self.command_can_start() {
                        let end = self.last_end;
                        self.stmt_error(end, "command expected after `&&` or `||`");
                        return;
                    }
                }
                _ => return,
            }
        }
    }

    fn skip_newlines(&mut self) {
        while matches!(self.peek(), Tok::Newline) {
            self.take();
        }
    }

    fn command_can_start(&mut self) -> bool {
        match self.peek() {
            Tok::Word(w) => w.quoted || !matches!(w.text.as_str(), "}" | "esac"),
            Tok::Op(Op::LParen | Op::Redir(_)) => true,
            _ => false,
        }
    }

    fn pipeline(&mut self) -> Option<Pipeline> {
        if !self.command_can_start() {
            return None;
        }
        let mut commands = vec![self.command()?];
        while matches!(self.peek(), Tok::Op(Op::Pipe)) {
            self.take();
            self.skip_newlines();
            if !self.command_can_start() {
                let end = self.last_end;
                self.stmt_error(end, "command expected after `|`");
                break;
            }
            match self.command() {
                Some(c) => commands.push(c),
                None => break,
            }
        }
        Some(Pipeline { commands })
    }

    fn empty_command(at: usize) -> Command {
        Command::Simple(Simple {
            span: at..at,
            ..Simple::default()
        })
    }

    fn command(&mut self) -> Option<Command> {
        if !self.enter() {
            return None;
        }
        let c = self.command_inner();
        self.depth = self.depth.saturating_sub(1);
        c
    }

    fn command_inner(&mut self) -> Option<Command> {
        let span = self.peek_span();
        let kw = match self.peek() {
            Tok::Word(w) if !w.quoted => Some(w.text.clone()),
            Tok::Op(Op::LParen) => {
                if self.byte(span.end) == Some(b'(') {
                    // `(( … ))`: arithmetic.
                    self.take();
                    let end = self.balanced_parens(span.start);
                    self.pos = end;
                    self.last_end = end;
                    let mut s = Simple {
                        span: span.start..end,
                        ..Simple::default()
                    };
                    self.redirects(&mut s.redirects);
                    return Some(Command::Simple(s));
                }
                self.take();
                let body = self.list(Stop::Paren);
                // The closing `)`, or the end of the text (already reported by `list`).
                self.take();
                let mut redirects = Vec::new();
                self.redirects(&mut redirects);
                return Some(Command::Group(Group {
                    body,
                    subshell: true,
                    redirects,
                }));
            }
            _ => None,
        };
        match kw.as_deref() {
            Some("{") => {
                self.take();
                let body = self.list(Stop::Brace);
                if self.peek_is_word("}") {
                    self.take();
                }
                let mut redirects = Vec::new();
                self.redirects(&mut redirects);
                Some(Command::Group(Group {
                    body,
                    subshell: false,
                    redirects,
                }))
            }
            Some("if" | "then" | "else" | "elif" | "do" | "while" | "until" | "!") => {
                self.take();
                self.skip_newlines();
                if self.command_can_start() {
                    self.command()
                } else {
                    Some(Self::empty_command(span.end))
                }
            }
            Some("fi" | "done") => {
                self.take();
                let mut s = Simple {
                    span: span.clone(),
                    ..Simple::default()
                };
                self.redirects(&mut s.redirects);
                Some(Command::Simple(s))
            }
            Some("case") => Some(self.case_command()),
            Some("[[") => Some(Command::Simple(self.test_command())),
            Some("function") => {
                self.take();
                if matches!(self.peek(), Tok::Word(_)) {
                    self.take();
                }
                if matches!(self.peek(), Tok::Op(Op::LParen)) {
                    self.take();
                    if matches!(self.peek(), Tok::Op(Op::RParen)) {
                        self.take();
                    }
                }
                self.skip_newlines();
                if self.command_can_start() {
                    self.command()
                } else {
                    Some(Self::empty_command(span.end))
                }
            }
            _ => self.simple(),
        }
    }

    /// Redirections after a group or a closing keyword.
    fn redirects(&mut self, out: &mut Vec<Redirect>) {
        while let Tok::Op(Op::Redir(op)) = self.peek() {
            let op = *op;
            self.take();
            let r = self.redirect_target(op);
            if let Some((span, e)) = r
                .target
                .as_ref()
                .and_then(|t| Some((t.span.clone(), t.error?)))
            {
                self.error(span, e);
            }
            out.push(r);
        }
    }

    fn redirect_target(&mut self, op: RedirOp) -> Redirect {
        let target = if let Tok::Word(_) = self.peek() {
            match self.take() {
                Tok::Word(w) => Some(w),
                _ => None,
            }
        } else {
            let end = self.last_end;
            self.stmt_error(end, "redirection without a target");
            None
        };
        let mut heredoc = None;
        if let (RedirOp::Heredoc { strip_tabs }, Some(t)) = (op, &target) {
            let idx = self.heredocs.len();
            self.heredocs.push(Heredoc {
                body: 0..0,
                terminated: false,
            });
            self.pending.push((idx, t.text.clone(), strip_tabs));
            heredoc = Some(idx);
        }
        Redirect {
            op,
            target,
            heredoc,
        }
    }

    fn simple(&mut self) -> Option<Command> {
        let mut s = Simple::default();
        let start = self.peek_span().start;
        loop {
            match self.peek() {
                Tok::Word(_) => {
                    let Tok::Word(w) = self.take() else { break };
                    if w.error.is_some() {
                        s.broken = s.broken.or(w.error);
                    }
                    let prefix = if s.words.is_empty() {
                        self.assignment_prefix(w.span.start)
                    } else {
                        None
                    };
                    if let Some(n) = prefix {
                        let name = self
                            .slice(w.span.start..w.span.start + n)
                            .trim_end_matches('=')
                            .trim_end_matches('+')
                            .to_owned();
                        let span = w.span.clone();
                        let value = split_assignment(w, n);
                        s.assigns.push(Assign { name, value, span });
                    } else {
                        s.words.push(w);
                    }
                }
                Tok::Op(Op::Redir(op)) => {
                    let op = *op;
                    self.take();
                    let r = self.redirect_target(op);
                    if let Some(e) = r.target.as_ref().and_then(|t| t.error) {
                        s.broken = s.broken.or(Some(e));
                    }
                    s.redirects.push(r);
                }
                Tok::Op(Op::LParen)
                    if s.words.len() == 1 && s.assigns.is_empty() && s.redirects.is_empty() =>
                {
                    // `name() body`: a function definition; its body is analysed as if run.
                    self.take();
                    if matches!(self.peek(), Tok::Op(Op::RParen)) {
                        self.take();
                    } else {
                        let end = self.last_end;
                        self.stmt_error(end, "malformed function definition");
                    }
                    self.skip_newlines();
                    if self.command_can_start() {
                        return self.command();
                    }
                    let end = self.last_end;
                    return Some(Self::empty_command(end));
                }
                _ => break,
            }
        }
        s.span = start..self.last_end.max(start);
        Some(Command::Simple(s))
    }

    fn test_command(&mut self) -> Simple {
        let start = self.peek_span().start;
        let mut s = Simple::default();
        loop {
            match self.peek() {
                Tok::Eof => {
                    self.stmt_error(self.b.len(), "unterminated `[[`");
                    break;
                }
                Tok::Word(w) if !w.quoted && w.text == "]]" => {
                    self.take();
                    break;
                }
                Tok::Word(_) => {
                    if let Tok::Word(w) = self.take() {
                        s.broken = s.broken.or(w.error);
                        s.words.push(w);
                    }
                }
                Tok::Newline | Tok::Op(..) => {
                    self.take();
                }
            }
        }
        s.span = start..self.last_end.max(start);
        s
    }

    fn case_command(&mut self) -> Command {
        let start = self.peek_span().start;
        self.take();
        let mut head = Simple::default();
        if let Tok::Word(_) = self.peek()
            && let Tok::Word(w) = self.take()
        {
            head.broken = w.error;
            head.words.push(w);
        }
        self.skip_newlines();
        if self.peek_is_word("in") {
            self.take();
        } else {
            let end = self.last_end;
            self.stmt_error(end, "`case` without `in`");
        }
        head.span = start..self.last_end;
        let mut body = List::default();
        // Keep the subject's substitutions: they run.
        let subject_has_subs = head.words.iter().any(|w| !w.subs.is_empty());
        if subject_has_subs {
            // A command named by nothing: the analyser looks only at the substitutions.
            let mut carrier = Simple {
                span: head.span.clone(),
                broken: head.broken,
                ..Simple::default()
            };
            carrier.assigns = head
                .words
                .drain(..)
                .map(|w| Assign {
                    name: String::new(),
                    span: w.span.clone(),
                    value: w,
                })
                .collect();
            body.pipelines.push(Pipeline {
                commands: vec![Command::Simple(carrier)],
            });
        }
        loop {
            self.skip_newlines();
            match self.peek() {
                Tok::Eof => {
                    self.stmt_error(self.b.len(), "unterminated `case`");
                    break;
                }
                Tok::Word(w) if !w.quoted && w.text == "esac" => {
                    self.take();
                    break;
                }
                _ => {}
            }
            // Patterns up to `)`.
            if matches!(self.peek(), Tok::Op(Op::LParen)) {
                self.take();
            }
            loop {
                match self.peek() {
                    Tok::Op(Op::RParen) => {
                        self.take();
                        break;
                    }
                    Tok::Eof => break,
                    Tok::Newline => {
                        let end = self.last_end;
                        self.stmt_error(end, "malformed `case` pattern");
                        break;
                    }
                    _ => {
                        self.take();
                    }
                }
            }
            let items = self.list(Stop::Case);
            body.pipelines.extend(items.pipelines);
            if matches!(self.peek(), Tok::Op(Op::CaseEnd)) {
                self.take();
            }
        }
        let mut redirects = Vec::new();
        self.redirects(&mut redirects);
        Command::Group(Group {
            body,
            subshell: false,
            redirects,
        })
    }
}

/// Splits an assignment word `NAME=value` after its `n`-byte `NAME=` prefix.
fn split_assignment(w: Word, n: usize) -> Word {
    let text = w.text.get(n..).unwrap_or("").to_owned();
    Word {
        span: (w.span.start + n).min(w.span.end)..w.span.end,
        text,
        dynamic: w.dynamic,
        quoted: w.quoted,
        subs: w.subs,
        error: w.error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn simples(list: &List) -> Vec<&Simple> {
        let mut out = Vec::new();
        for p in &list.pipelines {
            for c in &p.commands {
                match c {
                    Command::Simple(s) => out.push(s),
                    Command::Group(g) => out.extend(simples(&g.body)),
                }
            }
        }
        out
    }

    fn words(s: &Simple) -> Vec<&str> {
        s.words.iter().map(|w| w.text.as_str()).collect()
    }

    #[test]
    fn operators_split_commands_even_without_spaces() {
        let p = parse("a&&b;c|d||e&f");
        let names: Vec<_> = simples(&p.list).iter().map(|s| words(s)[0]).collect();
        assert_eq!(names, ["a", "b", "c", "d", "e", "f"]);
        assert_eq!(p.list.pipelines.len(), 5, "`c|d` is one pipeline");
        assert!(p.errors.is_empty());
    }

    #[test]
    fn quotes_are_removed_and_expansions_kept_literally() {
        let p = parse(r#"echo 'a b'"c $X"d\ e ${Y:-z}"#);
        let s = simples(&p.list)[0];
        assert_eq!(words(s), ["echo", "a bc $Xd e", "${Y:-z}"]);
        assert!(s.words[1].quoted && s.words[1].dynamic);
        assert!(!s.words[0].quoted && !s.words[0].dynamic);
    }

    #[test]
    fn command_substitution_is_parsed_in_place_with_source_spans() {
        let src = r#"echo "v=$(pip install x)""#;
        let p = parse(src);
        let w = &simples(&p.list)[0].words[1];
        assert_eq!(w.text, "v=$(pip install x)");
        let Some(Sub::Inline(inner)) = w.subs.first() else {
            panic!("no inline substitution: {w:?}");
        };
        let inner = simples(inner)[0];
        assert_eq!(words(inner), ["pip", "install", "x"]);
        assert_eq!(&src[inner.span.clone()], "pip install x");
    }

    #[test]
    fn backtick_body_is_unescaped() {
        let p = parse(r"echo `a \`b\` \$c`");
        let w = &simples(&p.list)[0].words[1];
        let Some(Sub::Backtick { text, span }) = w.subs.first() else {
            panic!("no backtick substitution: {w:?}");
        };
        assert_eq!(text, "a `b` $c");
        assert_eq!(span.clone(), 5..18);
    }

    #[test]
    fn heredoc_bodies_are_skipped_and_recorded() {
        let src = "cat <<EOF >out\npip install x\nEOF\nuv sync";
        let p = parse(src);
        let all = simples(&p.list);
        assert_eq!(all.len(), 2);
        assert_eq!(words(all[1]), ["uv", "sync"]);
        let h = &p.heredocs[0];
        assert!(h.terminated);
        assert_eq!(&src[h.body.clone()], "pip install x\n");
    }

    #[test]
    fn heredoc_with_quoted_delimiter_and_tab_stripping() {
        let src = "cat <<-'END'\n\tbody\n\tEND\necho after";
        let p = parse(src);
        assert!(p.heredocs[0].terminated);
        assert_eq!(words(simples(&p.list)[1]), ["echo", "after"]);
    }

    #[test]
    fn unterminated_heredoc_is_an_error() {
        let p = parse("cat <<EOF\npip install x");
        assert_eq!(p.errors[0].reason, "unterminated here-document");
        assert!(!p.heredocs[0].terminated);
    }

    #[test]
    fn line_continuations_join_words() {
        let p = parse("pip \\\n  install \\\r\n x");
        assert_eq!(words(simples(&p.list)[0]), ["pip", "install", "x"]);
    }

    #[test]
    fn a_comment_starts_only_at_a_word() {
        let p = parse("echo a#b # pip install c\nls");
        let all = simples(&p.list);
        assert_eq!(words(all[0]), ["echo", "a#b"]);
        assert_eq!(words(all[1]), ["ls"]);
    }

    #[test]
    fn assignments_before_the_command_are_split_off() {
        let src = "A=1 B='x y' cmd C=2";
        let p = parse(src);
        let s = simples(&p.list)[0];
        let assigns: Vec<_> = s
            .assigns
            .iter()
            .map(|a| (a.name.as_str(), a.value.text.as_str()))
            .collect();
        assert_eq!(assigns, [("A", "1"), ("B", "x y")]);
        assert_eq!(&src[s.assigns[1].span.clone()], "B='x y'");
        assert_eq!(words(s), ["cmd", "C=2"]);
    }

    #[test]
    fn redirections_with_descriptors_are_not_words() {
        let p = parse("cmd 2>&1 >out <in &>all");
        let s = simples(&p.list)[0];
        assert_eq!(words(s), ["cmd"]);
        assert_eq!(s.redirects.len(), 4);
    }

    #[test]
    fn test_and_arithmetic_commands_do_not_split_on_their_operators() {
        let p = parse("[[ -f a && -f b ]] && c; (( i++ )); d");
        let names: Vec<_> = simples(&p.list)
            .iter()
            .filter_map(|s| s.words.first().map(|w| w.text.as_str()))
            .collect();
        assert_eq!(names, ["[[", "c", "d"]);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
    }

    #[test]
    fn unterminated_quote_marks_the_command_broken() {
        let p = parse("pip install \"requests");
        assert_eq!(
            simples(&p.list)[0].broken,
            Some("unterminated double quote")
        );
        let p = parse("pip install 'requests");
        assert_eq!(
            simples(&p.list)[0].broken,
            Some("unterminated single quote")
        );
    }

    #[test]
    fn unbalanced_parenthesis_is_reported_over_the_statement() {
        let src = "(pip install x";
        let p = parse(src);
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.errors[0].reason, "unbalanced parentheses");
        assert_eq!(&src[p.errors[0].span.clone()], "pip install x");
        let p = parse("a )");
        assert_eq!(p.errors[0].reason, "unmatched `)`");
    }

    #[test]
    fn case_items_and_function_bodies_are_commands() {
        let p = parse("case $x in a|b) pip install a;; (*) uv sync;; esac\nf() { uv add y; }");
        let names: Vec<_> = simples(&p.list)
            .iter()
            .filter_map(|s| s.words.first().map(|w| w.text.as_str()))
            .collect();
        assert_eq!(names, ["pip", "uv", "uv"]);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
    }

    #[test]
    fn process_substitution_is_a_word_with_a_parsed_body() {
        let p = parse("sh <(curl -fsSL https://example.com/x.sh)");
        let w = &simples(&p.list)[0].words[1];
        assert!(w.dynamic);
        let Some(Sub::Inline(inner)) = w.subs.first() else {
            panic!("no substitution: {w:?}");
        };
        assert_eq!(words(simples(inner)[0])[0], "curl");
    }

    #[test]
    fn array_assignment_is_one_word() {
        let p = parse("ARGS=(--locked --frozen) uv sync");
        let s = simples(&p.list)[0];
        assert_eq!(s.assigns[0].value.text, "(--locked --frozen)");
        assert_eq!(words(s), ["uv", "sync"]);
    }

    #[test]
    fn keywords_are_transparent_but_quoted_keywords_are_words() {
        let p = parse("if true; then pip install x; fi; 'if' y");
        let names: Vec<_> = simples(&p.list)
            .iter()
            .filter_map(|s| s.words.first().map(|w| w.text.as_str()))
            .collect();
        assert_eq!(names, ["true", "pip", "if"]);
    }
}
