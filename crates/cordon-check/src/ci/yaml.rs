//! A small YAML document model for the CI parsers, built from yaml-rust2's pull parser: nodes with
//! byte offsets, anchors and aliases resolved by sharing (never by copying), `<<` merge keys
//! applied, and nesting depth, node count and merge work capped so that hostile input costs
//! little and never exhausts the stack. Also maps a scalar's value back to its bytes in the file
//! ([`scalar_offsets`]), which the parser itself does not give.
//!
//! yaml-rust2 and not saphyr: saphyr's public API only loads through a recursive receiver (a few
//! thousand nested `- - -` overflow the stack before any caller sees a node, with no way to cap
//! it), whereas yaml-rust2 exposes `Parser::next_token`, so the depth is counted here, in a loop.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::rc::Rc;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{ScanError, TScalarStyle};

use super::offsets::OffsetMap;
use super::{CiProblem, MAX_FILE_BYTES};

/// Deeper nesting than this is refused: real CI files nest a dozen levels at most.
pub(crate) const MAX_DEPTH: usize = 64;
/// Parser events (roughly nodes) read before giving up.
const MAX_EVENTS: usize = 500_000;
/// Entries copied by `<<` merges in the whole document.
const MAX_MERGED: usize = 200_000;
/// Documents read from one stream.
const MAX_DOCUMENTS: usize = 16;

#[derive(Debug)]
pub(crate) struct Node {
    /// Byte offset of the node in the file: a scalar's first character (its opening quote; for
    /// a block scalar, the first content character after the indentation), a collection's first
    /// key or item.
    pub start: usize,
    /// A local tag as written (`!reference`), if any.
    pub tag: Option<String>,
    pub kind: Kind,
}

#[derive(Debug)]
pub(crate) enum Kind {
    Scalar {
        value: String,
        style: Style,
    },
    Seq(Vec<Rc<Node>>),
    /// Entries in file order, merge keys already applied (merged entries follow the own ones).
    Map(Entries),
}

/// A mapping's entries: key and value nodes.
pub(crate) type Entries = Vec<(Rc<Node>, Rc<Node>)>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Plain,
    Single,
    Double,
    Literal,
    Folded,
}

impl Node {
    fn null(start: usize) -> Self {
        Self {
            start,
            tag: None,
            kind: Kind::Scalar {
                value: String::new(),
                style: Style::Plain,
            },
        }
    }

    /// The value of a scalar (any type: `42` and `true` are returned as written).
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// A scalar's value, with YAML's null spellings (`~`, `null`, nothing) as the empty string.
    pub fn as_text(&self) -> Option<&str> {
        if self.is_null() {
            Some("")
        } else {
            self.as_str()
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar { value, style: Style::Plain }
            if matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    pub fn is_map(&self) -> bool {
        matches!(self.kind, Kind::Map(_))
    }

    pub fn entries(&self) -> &[(Rc<Node>, Rc<Node>)] {
        match &self.kind {
            Kind::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn items(&self) -> Option<&[Rc<Node>]> {
        match &self.kind {
            Kind::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The value of `key` in a mapping (the last one when a key repeats, as most loaders do).
    pub fn get(&self, key: &str) -> Option<&Rc<Node>> {
        self.get_entry(key).map(|(_, v)| v)
    }

    /// The key node and value of `key` in a mapping.
    pub fn get_entry(&self, key: &str) -> Option<(&Rc<Node>, &Rc<Node>)> {
        self.entries()
            .iter()
            .rev()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, v)| (k, v))
    }

    /// "a mapping", "a sequence", "a string", "null": for messages.
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            Kind::Map(_) => "a mapping",
            Kind::Seq(_) => "a sequence",
            Kind::Scalar { .. } if self.is_null() => "null",
            Kind::Scalar { .. } => "a scalar",
        }
    }

    fn is_merge_key(&self) -> bool {
        matches!(&self.kind, Kind::Scalar { value, style: Style::Plain } if value == "<<")
    }
}

/// A loaded YAML stream.
#[derive(Debug, Default)]
pub(crate) struct Document {
    /// The documents of the stream; empty when the stream could not be read as a whole.
    pub docs: Vec<Rc<Node>>,
    pub problems: Vec<CiProblem>,
    /// Keys repeated in one mapping: the key and the span of its later occurrence.
    pub duplicates: Vec<(String, Range<usize>)>,
}

/// Loads `text`. Any syntax error or exceeded limit leaves `docs` empty and says why (with the
/// position) in `problems`: a file only half read would hide commands.
pub(crate) fn load(text: &str) -> Document {
    let mut doc = Document::default();
    if text.len() > MAX_FILE_BYTES {
        doc.problems.push(CiProblem {
            span: 0..0,
            message: format!(
                "file is larger than {} MiB; it is not read",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        });
        return doc;
    }
    let mut loader = Loader {
        text,
        // yaml-rust2 would read a byte order mark as part of the first key
        bom: if text.starts_with('\u{feff}') { 3 } else { 0 },
        chars: CharIndex::new(text.strip_prefix('\u{feff}').unwrap_or(text)),
        stack: Vec::new(),
        anchors: HashMap::new(),
        merge_budget: MAX_MERGED,
        doc: Document::default(),
    };
    match loader.run() {
        Ok(()) => loader.doc,
        Err(problem) => {
            let mut doc = loader.doc;
            doc.docs.clear();
            doc.duplicates.clear();
            doc.problems.push(problem);
            doc
        }
    }
}

enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        tag: Option<String>,
        items: Vec<Rc<Node>>,
    },
    Map {
        start: usize,
        anchor: usize,
        tag: Option<String>,
        entries: Vec<(Rc<Node>, Rc<Node>)>,
        key: Option<Rc<Node>>,
    },
}

struct Loader<'a> {
    text: &'a str,
    /// Bytes of a leading byte order mark, not given to the parser.
    bom: usize,
    chars: CharIndex,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Rc<Node>>,
    merge_budget: usize,
    doc: Document,
}

impl Loader<'_> {
    fn run(&mut self) -> Result<(), CiProblem> {
        let mut parser = Parser::new_from_str(&self.text[self.bom..]);
        let mut events = 0usize;
        loop {
            let (event, mark) = parser.next_token().map_err(|e| self.scan_error(&e))?;
            events += 1;
            let at = self.byte(mark.index());
            if events > MAX_EVENTS {
                return Err(self.limit(at, &format!("more than {MAX_EVENTS} YAML nodes")));
            }
            let is_seq = matches!(event, Event::SequenceStart(..));
            match event {
                Event::StreamEnd => return Ok(()),
                Event::DocumentStart => {
                    if self.doc.docs.len() >= MAX_DOCUMENTS {
                        return Err(self.limit(at, &format!("more than {MAX_DOCUMENTS} documents")));
                    }
                }
                Event::Alias(id) => {
                    let node = match self.anchors.get(&id) {
                        Some(node) => Rc::clone(node),
                        None => {
                            return Err(CiProblem {
                                span: self.line_span(at),
                                message: "alias to an anchor that is not (yet) defined".into(),
                            });
                        }
                    };
                    self.attach(node);
                }
                Event::Scalar(value, style, anchor, tag) => {
                    let node = Rc::new(Node {
                        start: at,
                        tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                        kind: Kind::Scalar {
                            value,
                            style: match style {
                                TScalarStyle::Plain => Style::Plain,
                                TScalarStyle::SingleQuoted => Style::Single,
                                TScalarStyle::DoubleQuoted => Style::Double,
                                TScalarStyle::Literal => Style::Literal,
                                TScalarStyle::Folded => Style::Folded,
                            },
                        },
                    });
                    if anchor > 0 {
                        self.anchors.insert(anchor, Rc::clone(&node));
                    }
                    self.attach(node);
                }
                Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag) => {
                    if self.stack.len() >= MAX_DEPTH {
                        return Err(
                            self.limit(at, &format!("nesting deeper than {MAX_DEPTH} levels"))
                        );
                    }
                    let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                    self.stack.push(if is_seq {
                        Frame::Seq {
                            start: at,
                            anchor,
                            tag,
                            items: Vec::new(),
                        }
                    } else {
                        Frame::Map {
                            start: at,
                            anchor,
                            tag,
                            entries: Vec::new(),
                            key: None,
                        }
                    });
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let Some(frame) = self.stack.pop() else {
                        continue;
                    };
                    let (node, anchor) = match frame {
                        Frame::Seq {
                            start,
                            anchor,
                            tag,
                            items,
                        } => {
                            let start = items.first().map_or(start, |n| n.start.min(start));
                            (
                                Node {
                                    start,
                                    tag,
                                    kind: Kind::Seq(items),
                                },
                                anchor,
                            )
                        }
                        Frame::Map {
                            start,
                            anchor,
                            tag,
                            entries,
                            key,
                        } => {
                            let mut entries = entries;
                            if let Some(key) = key {
                                // a key whose value never came: treat it as null
                                let start = key.start;
                                entries.push((key, Rc::new(Node::null(start))));
                            }
                            let start = entries.first().map_or(start, |(k, _)| k.start);
                            let entries = self.merge(entries)?;
                            (
                                Node {
                                    start,
                                    tag,
                                    kind: Kind::Map(entries),
                                },
                                anchor,
                            )
                        }
                    };
                    let node = Rc::new(node);
                    if anchor > 0 {
                        self.anchors.insert(anchor, Rc::clone(&node));
                    }
                    self.attach(node);
                }
                Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
            }
        }
    }

    fn attach(&mut self, node: Rc<Node>) {
        match self.stack.last_mut() {
            None => self.doc.docs.push(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
    }

    /// Applies `<<` merge keys: own entries first, then the merged mappings' entries whose keys
    /// are not already present (earlier sources win, as YAML's merge-key type says). Also records
    /// repeated own keys.
    fn merge(&mut self, entries: Entries) -> Result<Entries, CiProblem> {
        let has_merge = entries.iter().any(|(k, _)| k.is_merge_key());
        let mut seen: HashSet<String> = HashSet::new();
        let mut out = Vec::with_capacity(entries.len());
        let mut sources = Vec::new();
        for (k, v) in entries {
            if k.is_merge_key() {
                match &v.kind {
                    Kind::Map(_) => sources.push(v),
                    Kind::Seq(items) => {
                        sources.extend(items.iter().filter(|n| n.is_map()).cloned());
                    }
                    Kind::Scalar { .. } => {}
                }
                continue;
            }
            if let Some(name) = k.as_str()
                && !seen.insert(name.to_owned())
            {
                let span = k.start..k.start + name.len();
                self.doc.duplicates.push((name.to_owned(), span));
            }
            out.push((k, v));
        }
        if !has_merge {
            return Ok(out);
        }
        for source in sources {
            for (k, v) in source.entries() {
                if self.merge_budget == 0 {
                    return Err(self.limit(
                        source.start,
                        &format!("`<<` merges copying more than {MAX_MERGED} entries"),
                    ));
                }
                self.merge_budget -= 1;
                if let Some(name) = k.as_str() {
                    if seen.insert(name.to_owned()) {
                        out.push((Rc::clone(k), Rc::clone(v)));
                    }
                } else {
                    out.push((Rc::clone(k), Rc::clone(v)));
                }
            }
        }
        Ok(out)
    }

    fn scan_error(&self, e: &ScanError) -> CiProblem {
        let mut at = self.byte(e.marker().index());
        // An error found at the end of the input (an unclosed `[`) belongs to the last line that
        // has anything on it, not to the empty line after it.
        let text = self.text;
        if text[at.min(text.len())..].trim().is_empty() {
            let content_end = text.trim_end().len();
            at = text[..content_end].rfind('\n').map_or(0, |i| i + 1);
        }
        CiProblem {
            span: self.line_span(at),
            message: format!("invalid YAML: {}", e.info()),
        }
    }

    fn limit(&self, at: usize, what: &str) -> CiProblem {
        CiProblem {
            span: self.line_span(at),
            message: format!("{what}; the file is not read"),
        }
    }

    fn line_span(&self, at: usize) -> Range<usize> {
        line_span(self.text, at)
    }

    /// The byte offset in the file of a parser character index.
    fn byte(&self, char_index: usize) -> usize {
        (self.bom + self.chars.byte(char_index)).min(self.text.len())
    }
}

/// From `at` to the end of its line (so a problem underlines something visible).
pub(crate) fn line_span(text: &str, at: usize) -> Range<usize> {
    let at = floor_boundary(text, at);
    let end = text[at..].find(['\n', '\r']).map_or(text.len(), |i| at + i);
    at..end
}

/// `at`, or the nearest character boundary before it (offsets from the parser are exact; this
/// keeps a surprise from becoming a panic).
fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Converts yaml-rust2's character indices to byte offsets.
struct CharIndex {
    /// For each non-ASCII character: its character index and the extra bytes (beyond one per
    /// character) up to and including it. Empty for ASCII text.
    extra: Vec<(usize, usize)>,
}

impl CharIndex {
    fn new(text: &str) -> Self {
        let mut extra = Vec::new();
        if !text.is_ascii() {
            let mut total = 0;
            for (i, c) in text.chars().enumerate() {
                if c.len_utf8() > 1 {
                    total += c.len_utf8() - 1;
                    extra.push((i, total));
                }
            }
        }
        Self { extra }
    }

    fn byte(&self, char_index: usize) -> usize {
        match self.extra.partition_point(|&(i, _)| i < char_index) {
            0 => char_index,
            n => char_index + self.extra[n - 1].1,
        }
    }
}

/// The span of a scalar node in the file (quotes included), or of a collection's start.
pub(crate) fn node_span(text: &str, node: &Node) -> Range<usize> {
    scalar_offsets(text, node).1
}

/// Maps a scalar's value to the file, and gives the scalar's span in the file. Literal and folded
/// blocks and plain scalars map piece by piece (each line's content is copied verbatim; folds map
/// to the line break before them); quoted scalars map escapes (`\t`, `''`) to their sequence.
/// Whatever cannot be aligned maps to the last aligned position (at worst the scalar's start).
pub(crate) fn scalar_offsets(text: &str, node: &Node) -> (OffsetMap, Range<usize>) {
    let start = floor_boundary(text, node.start);
    let mut map = OffsetMap::new(start);
    let Kind::Scalar { value, style } = &node.kind else {
        return (map, start..start);
    };
    let end = match style {
        Style::Literal | Style::Folded => align_block(text, start, value, &mut map),
        Style::Plain => align_flow(text, start, value, None, &mut map),
        Style::Single | Style::Double => {
            let quote = if *style == Style::Single { '\'' } else { '"' };
            if text[start..].starts_with(quote) {
                align_flow(text, start + 1, value, Some(quote), &mut map)
            } else {
                start
            }
        }
    };
    (map, start..end.max(start))
}

/// The line containing `at`: (start, end of content without the line break, start of next line).
fn line_at(text: &str, at: usize) -> (usize, usize, usize) {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let (content_end, next) = match text[at..].find('\n') {
        Some(i) => (at + i, at + i + 1),
        None => (text.len(), text.len()),
    };
    let content_end = if content_end > start && text.as_bytes()[content_end - 1] == b'\r' {
        content_end - 1
    } else {
        content_end
    };
    (start, content_end, next)
}

/// Length in bytes of the longest common prefix of `a` and `b`, on character boundaries.
fn common_prefix(a: &str, b: &str) -> usize {
    a.chars()
        .zip(b.chars())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum()
}

fn skip_in_value(value: &str, from: usize, chars: &[char]) -> usize {
    value[from..]
        .find(|c: char| !chars.contains(&c))
        .map_or(value.len(), |i| from + i)
}

/// Literal (`|`) and folded (`>`) scalars: `start` is the first content character, so its column
/// is the block's indentation. Every content line is copied verbatim from the indentation on;
/// only line breaks, folds and more-indented lines' leading spaces are produced.
fn align_block(text: &str, start: usize, value: &str, map: &mut OffsetMap) -> usize {
    let (first_line, _, _) = line_at(text, start);
    if !text[first_line..start].bytes().all(|b| b == b' ') {
        // the content does not start after plain indentation: nothing to align against
        return start;
    }
    let indent = start - first_line;
    let mut v = 0;
    let mut end = start;
    let mut line = first_line;
    while line < text.len() && v < value.len() {
        let (_, content_end, next) = line_at(text, line);
        let content = &text[line..content_end];
        let spaces = content.len() - content.trim_start_matches(' ').len();
        if spaces == content.len() {
            // a blank line (it may have fewer spaces than the indentation)
            line = next;
            continue;
        }
        if spaces < indent {
            break;
        }
        let piece_start = line + indent;
        let rest = &content[indent..];
        let lead = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        if lead == rest.len() {
            // only whitespace beyond the indentation: a blank line of the block
            line = next;
            continue;
        }
        let f0 = piece_start + lead;
        let vp = skip_in_value(value, v, &['\n', ' ', '\t']);
        if vp >= value.len() {
            break;
        }
        // give back leading whitespace that the value keeps (a more-indented line)
        let mut k = 0;
        while k < lead
            && vp - k > v
            && matches!(value.as_bytes()[vp - k - 1], b' ' | b'\t')
            && value.as_bytes()[vp - k - 1] == text.as_bytes()[f0 - k - 1]
        {
            k += 1;
        }
        let n = common_prefix(&value[vp - k..], &text[f0 - k..content_end]);
        if n == 0 {
            break;
        }
        map.push_copy(vp - k, f0 - k, n);
        v = vp - k + n;
        end = f0 - k + n;
        if f0 - k + n < content_end {
            break;
        }
        line = next;
    }
    end
}

/// Plain and quoted scalars: `first` is the first content character (after an opening quote).
/// Lines fold: trailing whitespace is dropped, the next line starts at its first non-blank.
fn align_flow(
    text: &str,
    first: usize,
    value: &str,
    quote: Option<char>,
    map: &mut OffsetMap,
) -> usize {
    let mut v = 0;
    let mut f = first;
    let mut end = first;
    let mut first_line = true;
    let mut escaped_break = false;
    loop {
        let (_, content_end, next) = line_at(text, f);
        if !first_line && !escaped_break {
            v = skip_in_value(value, v, &[' ', '\n']);
        }
        escaped_break = false;
        if quote.is_none() && v >= value.len() {
            return end;
        }
        let mut i = f;
        while i < content_end {
            let Some(c) = text[i..].chars().next() else {
                break;
            };
            if Some(c) == quote {
                if c == '\'' && text[i + 1..].starts_with('\'') {
                    if !value[v..].starts_with('\'') {
                        return end;
                    }
                    map.push_produced(v..v + 1, i..i + 2);
                    v += 1;
                    i += 2;
                    end = i;
                    continue;
                }
                return i + 1;
            }
            if c == '\\' && quote == Some('"') {
                let Some(escaped) = text[i + 1..content_end].chars().next() else {
                    // an escaped line break: joins the lines without a space
                    escaped_break = true;
                    break;
                };
                let len = match escaped {
                    'x' => 4,
                    'u' => 6,
                    'U' => 10,
                    other => 1 + other.len_utf8(),
                };
                let len = len.min(content_end - i);
                if !text.is_char_boundary(i + len) {
                    return end;
                }
                let Some(produced) = value[v..].chars().next() else {
                    return end;
                };
                map.push_produced(v..v + produced.len_utf8(), i..i + len);
                v += produced.len_utf8();
                i += len;
                end = i;
                continue;
            }
            if value[v..].starts_with(c) {
                map.push_copy(v, i, c.len_utf8());
                v += c.len_utf8();
                i += c.len_utf8();
                end = i;
                continue;
            }
            if text[i..content_end].trim_matches([' ', '\t']).is_empty() {
                // trailing whitespace, folded away
                break;
            }
            // a plain scalar ended (a comment, a flow indicator) or the value is not aligned
            return end;
        }
        if quote.is_none() && v >= value.len() {
            return end;
        }
        if next >= text.len() {
            return end;
        }
        // the next line, from its first non-blank character
        let (_, next_end, _) = line_at(text, next);
        let line = &text[next..next_end];
        f = next + (line.len() - line.trim_start_matches([' ', '\t']).len());
        first_line = false;
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    #[test]
    fn an_error_at_the_end_of_input_points_at_the_last_line_with_content() {
        let text = "on: push\njobs:\n  bad: [unclosed\n\n";
        let doc = load(text);
        let span = doc.problems[0].span.clone();
        assert_eq!(&text[span], "  bad: [unclosed");
    }

    fn root(text: &str) -> Rc<Node> {
        let doc = load(text);
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
        Rc::clone(&doc.docs[0])
    }

    /// Every word of the value maps to the same word in the file.
    #[track_caller]
    fn assert_all_words_map(text: &str, node: &Node) {
        let (map, span) = scalar_offsets(text, node);
        let value = node.as_str().expect("scalar");
        let mut pos = 0;
        for word in value.split([' ', '\n']) {
            if !word.is_empty() && !word.contains(['\\', '\'', '\t', '"']) {
                let r = map.to_file_range(pos..pos + word.len());
                assert_eq!(&text[r.clone()], word, "{value:?} word at {pos}");
                assert!(
                    span.start <= r.start && r.end <= span.end,
                    "{span:?} ⊉ {r:?}"
                );
            }
            pos += word.len() + 1;
        }
    }

    #[test]
    fn offsets_are_bytes_even_after_multibyte_characters() {
        let text = "name: \"café ☕\"\nkey: välue\nrun: |\n  echo ünïcode\n";
        let r = root(text);
        let run = r.get("run").expect("run");
        assert_eq!(&text[run.start..run.start + 4], "echo");
        let key = r.get("key").expect("key");
        assert_eq!(&text[node_span(text, key)], "välue");
        assert_all_words_map(text, run);
    }

    #[test]
    fn a_byte_order_mark_does_not_shift_offsets() {
        let text = "\u{feff}key: value\nrun: |\n  echo hi\n";
        let r = root(text);
        let run = r.get("run").expect("run");
        assert_eq!(&text[run.start..run.start + 4], "echo");
        assert_eq!(&text[node_span(text, r.get("key").expect("key"))], "value");
    }

    #[test]
    fn literal_blocks_map_every_line_with_their_indentation() {
        let text = "a: |\n\n  \n  echo one\n    two  \n  # not a comment\n\n  last\nb: x\n";
        let r = root(text);
        let a = r.get("a").expect("a");
        assert_eq!(
            a.as_str(),
            Some("\n\necho one\n  two  \n# not a comment\n\nlast\n")
        );
        assert_all_words_map(text, a);
        let (map, span) = scalar_offsets(text, a);
        // the two spaces before `two` are copied too
        let at = a.as_str().expect("s").find("  two").expect("two");
        assert_eq!(&text[map.to_file_range(at..at + 5)], "  two");
        assert_eq!(&text[span.end - 4..span.end], "last");
    }

    #[test]
    fn folded_blocks_and_indicators_map_line_pieces() {
        let text = "c: >-\n  uv pip\n  install x\n\n   more indented\n  back\nd: |2\n    x\n   y\n";
        let r = root(text);
        let c = r.get("c").expect("c");
        assert_eq!(c.as_str(), Some("uv pip install x\n\n more indented\nback"));
        assert_all_words_map(text, c);
        let (map, _) = scalar_offsets(text, c);
        // the folded space maps to the end of `uv pip`, the line break in the file
        let fold = "uv pip".len();
        assert_eq!(map.to_file(fold), text.find("pip\n").expect("pip") + 3);
        let d = r.get("d").expect("d");
        assert_eq!(d.as_str(), Some("  x\n y\n"));
        assert_all_words_map(text, d);
    }

    #[test]
    fn plain_and_quoted_scalars_map_across_folds_and_escapes() {
        let text = "p: plain text\n  continued here # comment\ns: 'it''s a\n  test'\nq: \"a\\tb \\\n   c\\u00e9 d\n\n  e\"\nf: [one, \"two\", three]\n";
        let doc = root(text);
        let plain = doc.get("p").expect("p");
        assert_eq!(plain.as_str(), Some("plain text continued here"));
        assert_all_words_map(text, plain);
        assert_eq!(
            &text[node_span(text, plain)],
            "plain text\n  continued here"
        );
        let single = doc.get("s").expect("s");
        assert_eq!(single.as_str(), Some("it's a test"));
        assert_all_words_map(text, single);
        let (map, span) = scalar_offsets(text, single);
        assert_eq!(&text[span], "'it''s a\n  test'");
        assert_eq!(&text[map.to_file_range(2..3)], "''");
        let double = doc.get("q").expect("q");
        assert_eq!(double.as_str(), Some("a\tb c\u{e9} d\ne"));
        let (map, span) = scalar_offsets(text, double);
        assert!(text[span].ends_with("e\""));
        assert_eq!(&text[map.to_file_range(1..2)], "\\t");
        let e_at = double.as_str().expect("q").find('\u{e9}').expect("é");
        assert_eq!(&text[map.to_file_range(e_at..e_at + 2)], "\\u00e9");
        let d_at = double.as_str().expect("q").find('d').expect("d");
        assert_eq!(&text[map.to_file_range(d_at..d_at + 1)], "d");
        let flow = doc.get("f").expect("f");
        let items = flow.items().expect("seq");
        assert_eq!(&text[node_span(text, &items[0])], "one");
        assert_eq!(&text[node_span(text, &items[1])], "\"two\"");
        assert_eq!(&text[node_span(text, &items[2])], "three");
    }

    #[test]
    fn crlf_line_breaks_are_not_content() {
        let text = "run: |\r\n  echo one\r\n  echo two\r\nx: y\r\n";
        let r = root(text);
        let run = r.get("run").expect("run");
        assert_eq!(run.as_str(), Some("echo one\necho two\n"));
        assert_all_words_map(text, run);
    }

    #[test]
    fn anchors_are_shared_and_merge_keys_apply() {
        let text = "base: &b\n  x: 1\n  y: 2\nlist: &l [a, b]\nuse:\n  <<: *b\n  y: 3\n  l: *l\nmulti:\n  <<: [*b, {z: 9}]\n";
        let doc = root(text);
        let merged = doc.get("use").expect("use");
        assert_eq!(merged.get("x").and_then(|n| n.as_str()), Some("1"));
        assert_eq!(merged.get("y").and_then(|n| n.as_str()), Some("3"));
        assert!(merged.get("<<").is_none());
        let x = merged.get("x").expect("x");
        assert_eq!(&text[node_span(text, x)], "1");
        assert_eq!(x.start, text.find("x: 1").expect("x") + 3);
        let list = merged.get("l").expect("l");
        assert_eq!(list.items().map(<[_]>::len), Some(2));
        let multi = doc.get("multi").expect("multi");
        assert_eq!(multi.get("z").and_then(|n| n.as_str()), Some("9"));
        assert_eq!(multi.get("x").and_then(|n| n.as_str()), Some("1"));
    }

    #[test]
    fn duplicate_keys_are_recorded_and_the_last_wins() {
        let doc = load("a: 1\nb: 2\na: 3\n");
        assert_eq!(doc.duplicates, vec![("a".to_string(), 10..11)]);
        assert_eq!(doc.docs[0].get("a").and_then(|n| n.as_str()), Some("3"));
    }

    #[test]
    fn tags_are_kept() {
        let r = root("script:\n  - !reference [.setup, script]\n  - echo\n");
        let items = r.get("script").and_then(|s| s.items()).expect("items");
        assert_eq!(items[0].tag.as_deref(), Some("!reference"));
        assert_eq!(items[1].tag, None);
    }

    #[test]
    fn syntax_errors_give_the_line_and_no_document() {
        let text = "a: 1\nb: [1, 2\nc: 3\n";
        let doc = load(text);
        assert!(doc.docs.is_empty());
        assert_eq!(doc.problems.len(), 1);
        assert!(
            doc.problems[0].message.starts_with("invalid YAML: "),
            "{:?}",
            doc.problems
        );
    }

    #[test]
    fn deep_nesting_is_refused_without_exhausting_the_stack() {
        // 200 000 nested block sequences overflow a recursive loader; here the depth cap stops
        // the pull parser after 64 levels
        let text = format!("{}x\n", "- ".repeat(200_000));
        let doc = load(&text);
        assert!(doc.docs.is_empty());
        assert!(
            doc.problems[0].message.contains("nesting deeper than 64"),
            "{:?}",
            doc.problems
        );
        let flow = format!("a: {}{}\n", "[".repeat(1000), "]".repeat(1000));
        let doc = load(&flow);
        assert!(doc.docs.is_empty());
        assert_eq!(doc.problems.len(), 1);
    }

    #[test]
    fn exponential_aliases_and_huge_files_stay_cheap() {
        // each level doubles the logical size; sharing keeps it linear, merges are budgeted
        let mut text = String::from("a0: &a0 {k0: v}\n");
        for i in 1..40 {
            let _ = write!(
                text,
                "a{i}: &a{i}\n  <<: [*a{}, *a{}]\n  k{i}: v\n",
                i - 1,
                i - 1
            );
        }
        let started = std::time::Instant::now();
        let doc = load(&text);
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
        assert_eq!(doc.docs[0].get("a39").map(|n| n.entries().len()), Some(40));
        let big = "k: v\n".repeat(MAX_FILE_BYTES / 5 + 1);
        let doc = load(&big);
        assert!(doc.docs.is_empty());
        assert!(doc.problems[0].message.contains("larger than"));
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}
