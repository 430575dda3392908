//! A fast, strict reader for the TOML that `uv lock` writes: `key = value` lines, `[a.b]` and
//! `[[a]]` headers of bare keys, single-line basic or literal strings without escapes, decimal
//! integers, booleans, arrays and single-line inline tables, comments.
//!
//! `toml_edit` builds a full formatting-preserving document and takes most of the time of
//! reading a large lock; this scanner builds only the value tree the reader needs, with the same
//! spans. It accepts a strict subset of TOML and answers `None` for anything else, valid or not
//! (escapes, dotted keys, floats, date-time literals, multi-line strings, a table header that
//! re-opens an implied table, ...), and the caller then parses with `toml_edit`, which stays the
//! judge of validity and the source of every syntax error. So this never decides that a file is
//! valid TOML when `toml_edit` would not.

use std::ops::Range;

use super::tree::{NodeId, ROOT, TableKind, Tree};

/// Deepest nesting of arrays and inline tables taken; uv writes at most three levels.
const MAX_DEPTH: usize = 16;

/// Most segments in a table header; uv writes at most three.
const MAX_HEADER_SEGMENTS: usize = 8;

/// Reads `text` into a tree, or `None` when it strays from the subset.
pub(super) fn scan(text: &str) -> Option<Tree<'_>> {
    let mut scanner = Scanner {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        tree: Tree::new(text.len() / 24),
    };
    scanner.document()?;
    Some(scanner.tree)
}

struct Scanner<'s> {
    text: &'s str,
    bytes: &'s [u8],
    pos: usize,
    tree: Tree<'s>,
}

/// True for bytes TOML forbids in strings and comments (controls other than tab, and DEL).
fn is_forbidden_control(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f
}

fn is_bare_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

impl<'s> Scanner<'s> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.pos + offset).copied()
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    /// Skips a `#` comment up to (not including) the line break.
    fn comment(&mut self) -> Option<()> {
        debug_assert_eq!(self.peek(), Some(b'#'));
        self.pos += 1;
        while let Some(b) = self.peek() {
            if b == b'\n' || b == b'\r' {
                break;
            }
            if is_forbidden_control(b) {
                return None;
            }
            self.pos += 1;
        }
        Some(())
    }

    /// Consumes a line break (`\n` or `\r\n`), if one is next.
    fn newline(&mut self) -> Option<bool> {
        match self.peek() {
            Some(b'\n') => {
                self.pos += 1;
                Some(true)
            }
            Some(b'\r') if self.peek_at(1) == Some(b'\n') => {
                self.pos += 2;
                Some(true)
            }
            Some(b'\r') => None,
            _ => Some(false),
        }
    }

    /// Blanks, an optional comment, then a line break or the end of the text.
    fn line_end(&mut self) -> Option<()> {
        self.skip_blanks();
        if self.peek() == Some(b'#') {
            self.comment()?;
        }
        if self.pos == self.bytes.len() || self.newline()? {
            Some(())
        } else {
            None
        }
    }

    /// Blanks, comments and line breaks, as allowed between array elements.
    fn skip_array_space(&mut self) -> Option<()> {
        loop {
            self.skip_blanks();
            match self.peek() {
                Some(b'#') => self.comment()?,
                Some(b'\n' | b'\r') => {
                    self.newline()?;
                }
                _ => return Some(()),
            }
        }
    }

    fn document(&mut self) -> Option<()> {
        let mut current = ROOT;
        loop {
            self.skip_blanks();
            match self.peek() {
                None => return Some(()),
                Some(b'\n' | b'\r') => {
                    self.newline()?;
                }
                Some(b'#') => self.line_end()?,
                Some(b'[') => {
                    current = self.header()?;
                    self.line_end()?;
                }
                Some(_) => {
                    self.key_value(current, 0)?;
                    self.line_end()?;
                }
            }
        }
    }

    /// A `[a.b]` or `[[a.b]]` header of bare keys; returns the table it opens.
    fn header(&mut self) -> Option<NodeId> {
        let start = self.pos;
        let double = self.peek_at(1) == Some(b'[');
        self.pos += if double { 2 } else { 1 };
        let mut segments: [(&'s str, Range<usize>); MAX_HEADER_SEGMENTS] = Default::default();
        let mut count = 0;
        loop {
            let (key, span) = self.bare_key()?;
            *segments.get_mut(count)? = (key, span);
            count += 1;
            match self.peek() {
                Some(b'.') => self.pos += 1,
                Some(b']') => break,
                _ => return None,
            }
        }
        self.pos += 1;
        if double {
            if self.peek() != Some(b']') {
                return None;
            }
            self.pos += 1;
        }
        let header_span = start..self.pos;
        let (last, parents) = segments.get(..count)?.split_last()?;

        let mut table = ROOT;
        for (key, span) in parents {
            table = if let Some((_, child)) = self.tree.get(table, key) {
                match self.tree.table_kind(child) {
                    TableKind::Explicit | TableKind::Implicit => child,
                    TableKind::ArrayOfTables => self.tree.last_element(child)?,
                    TableKind::Inline | TableKind::NotATable => return None,
                }
            } else {
                let child = self.tree.table(Some(span.clone()), false);
                self.tree
                    .insert(table, key, Some(span.clone()), child, false);
                child
            };
        }
        let (key, key_span) = last;
        let existing = self.tree.get(table, key).map(|(_, id)| id);
        if double {
            let list = match existing {
                Some(list) if self.tree.table_kind(list) == TableKind::ArrayOfTables => list,
                Some(_) => return None,
                None => {
                    let list = self.tree.array_of_tables(Some(header_span.clone()));
                    self.tree
                        .insert(table, key, Some(key_span.clone()), list, false);
                    list
                }
            };
            let child = self.tree.table(Some(header_span), true);
            self.tree.push_element(list, child);
            Some(child)
        } else {
            // A table defined twice is an error; one implied by an earlier header and defined
            // now is valid TOML, but `uv lock` never writes it, so `toml_edit` decides.
            if existing.is_some() {
                return None;
            }
            let child = self.tree.table(Some(header_span), true);
            self.tree
                .insert(table, key, Some(key_span.clone()), child, false);
            Some(child)
        }
    }

    fn bare_key(&mut self) -> Option<(&'s str, Range<usize>)> {
        let start = self.pos;
        while self.peek().is_some_and(is_bare_key_byte) {
            self.pos += 1;
        }
        if self.pos == start {
            return None;
        }
        Some((self.text.get(start..self.pos)?, start..self.pos))
    }

    /// A bare key, or a quoted one without escapes (its span includes the quotes).
    fn key(&mut self) -> Option<(&'s str, Range<usize>)> {
        match self.peek() {
            Some(quote @ (b'"' | b'\'')) => {
                let start = self.pos;
                let content = self.quoted(quote)?;
                Some((content, start..self.pos))
            }
            _ => self.bare_key(),
        }
    }

    /// The content of a single-line string opened by `quote`, without escapes.
    fn quoted(&mut self, quote: u8) -> Option<&'s str> {
        self.pos += 1;
        let start = self.pos;
        loop {
            let b = self.peek()?;
            if b == quote {
                let content = self.text.get(start..self.pos)?;
                self.pos += 1;
                return Some(content);
            }
            if b == b'\\' || is_forbidden_control(b) {
                return None;
            }
            self.pos += 1;
        }
    }

    /// `key = value` into `table`.
    fn key_value(&mut self, table: NodeId, depth: usize) -> Option<()> {
        let (key, key_span) = self.key()?;
        self.skip_blanks();
        if self.peek() != Some(b'=') {
            return None;
        }
        self.pos += 1;
        self.skip_blanks();
        let value = self.value(depth)?;
        self.tree
            .insert(table, key, Some(key_span), value, true)
            .then_some(())
    }

    fn value(&mut self, depth: usize) -> Option<NodeId> {
        if depth > MAX_DEPTH {
            return None;
        }
        let start = self.pos;
        match self.peek()? {
            quote @ (b'"' | b'\'') => {
                if self.peek_at(1) == Some(quote) && self.peek_at(2) == Some(quote) {
                    return None;
                }
                let content = self.quoted(quote)?;
                Some(self.tree.string(content, start..self.pos))
            }
            b'[' => self.array(depth),
            b'{' => self.inline_table(depth),
            b't' | b'f' => {
                let value = if self.bytes.get(start..start + 4) == Some(b"true") {
                    true
                } else if self.bytes.get(start..start + 5) == Some(b"false") {
                    false
                } else {
                    return None;
                };
                self.pos += if value { 4 } else { 5 };
                self.delimiter()?;
                Some(self.tree.boolean(value, start..self.pos))
            }
            b'+' | b'-' | b'0'..=b'9' => {
                if matches!(self.peek(), Some(b'+' | b'-')) {
                    self.pos += 1;
                }
                let digits = self.pos;
                while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                    self.pos += 1;
                }
                let len = self.pos - digits;
                if len == 0 || (len > 1 && self.bytes.get(digits) == Some(&b'0')) {
                    return None;
                }
                self.delimiter()?;
                let n = self.text.get(start..self.pos)?.parse::<i64>().ok()?;
                Some(self.tree.integer(n, start..self.pos))
            }
            _ => None,
        }
    }

    /// What may follow a scalar: the context checks which of these is actually allowed.
    fn delimiter(&self) -> Option<()> {
        match self.peek() {
            None | Some(b' ' | b'\t' | b'\n' | b'\r' | b',' | b']' | b'}' | b'#') => Some(()),
            Some(_) => None,
        }
    }

    fn array(&mut self, depth: usize) -> Option<NodeId> {
        let start = self.pos;
        self.pos += 1;
        let id = self.tree.array(None);
        loop {
            self.skip_array_space()?;
            if self.peek()? == b']' {
                break;
            }
            let element = self.value(depth + 1)?;
            self.tree.push_element(id, element);
            self.skip_array_space()?;
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => break,
                _ => return None,
            }
        }
        self.pos += 1;
        self.tree.set_span(id, start..self.pos);
        Some(id)
    }

    /// A single-line inline table without a trailing comma (TOML 1.0 form).
    fn inline_table(&mut self, depth: usize) -> Option<NodeId> {
        let start = self.pos;
        self.pos += 1;
        let id = self.tree.inline_table(None);
        self.skip_blanks();
        if self.peek()? != b'}' {
            loop {
                self.key_value(id, depth + 1)?;
                self.skip_blanks();
                match self.peek()? {
                    b',' => {
                        self.pos += 1;
                        self.skip_blanks();
                    }
                    b'}' => break,
                    _ => return None,
                }
            }
        }
        self.pos += 1;
        self.tree.set_span(id, start..self.pos);
        Some(id)
    }
}
