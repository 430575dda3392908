//! [`OffsetMap`]: from byte offsets in a script's text to byte offsets in the file it came from,
//! so a span the shell parser finds in the text becomes an exact file line and column.

use std::ops::Range;

/// Maps byte offsets in a [`Script`](super::Script)'s text to byte offsets in its file.
///
/// The text is made of pieces copied from the file (a line of a block scalar, a Dockerfile line
/// between continuations) and of characters the format produced (a folded line break, a joined
/// list's `\n`, an unescaped `\t`). A copied byte maps to itself in the file; a produced
/// character maps to where it came from: an escape to the escape sequence, a fold or a join to the
/// end of the piece before it (the line break in the file).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OffsetMap {
    segments: Vec<Segment>,
    /// Where everything maps when there are no segments (an empty value).
    anchor: usize,
}

/// `text.len() == file.len()` is a verbatim copy (mapped byte for byte); otherwise the text range
/// was produced from the file range as a whole (an escape sequence, a quoted exec-form word).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Segment {
    text: Range<usize>,
    file: Range<usize>,
}

impl Segment {
    fn is_copy(&self) -> bool {
        self.text.len() == self.file.len()
    }
}

impl OffsetMap {
    /// An empty map whose offsets all land on `anchor`.
    pub(crate) fn new(anchor: usize) -> Self {
        Self {
            segments: Vec::new(),
            anchor,
        }
    }

    /// Records that `len` bytes at `text` were copied from `file`.
    pub(crate) fn push_copy(&mut self, text: usize, file: usize, len: usize) {
        if len == 0 {
            return;
        }
        if let Some(last) = self.segments.last_mut()
            && last.is_copy()
            && last.text.end == text
            && last.file.end == file
        {
            last.text.end += len;
            last.file.end += len;
            return;
        }
        self.segments.push(Segment {
            text: text..text + len,
            file: file..file + len,
        });
    }

    /// Records that the text range `text` was produced from the file range `file` as a whole.
    pub(crate) fn push_produced(&mut self, text: Range<usize>, file: Range<usize>) {
        if text.is_empty() {
            return;
        }
        if text.len() == file.len() {
            self.push_copy(text.start, file.start, text.len());
            return;
        }
        self.segments.push(Segment { text, file });
    }

    /// Appends `other`, whose text starts at `shift` in this map's text.
    pub(crate) fn append(&mut self, other: &OffsetMap, shift: usize) {
        if self.segments.is_empty() && other.segments.is_empty() {
            self.anchor = other.anchor;
        }
        for s in &other.segments {
            let text = s.text.start + shift..s.text.end + shift;
            if s.is_copy() {
                self.push_copy(text.start, s.file.start, text.len());
            } else {
                self.segments.push(Segment {
                    text,
                    file: s.file.clone(),
                });
            }
        }
    }

    /// The part of this map covering `range` of the text, rebased so that `range.start` is 0.
    pub(crate) fn slice(&self, range: Range<usize>) -> OffsetMap {
        let mut out = OffsetMap::new(self.to_file(range.start));
        for s in &self.segments {
            let start = s.text.start.max(range.start);
            let end = s.text.end.min(range.end);
            if start >= end {
                continue;
            }
            if s.is_copy() {
                let file = s.file.start + (start - s.text.start);
                out.push_copy(start - range.start, file, end - start);
            } else {
                out.segments.push(Segment {
                    text: start - range.start..end - range.start,
                    file: s.file.clone(),
                });
            }
        }
        out
    }

    /// The file offset of the text offset `offset`. Offsets before the first piece map to its
    /// start, offsets between pieces to the end of the piece before, offsets past the end to the
    /// end of the last piece.
    pub fn to_file(&self, offset: usize) -> usize {
        let Some(first) = self.segments.first() else {
            return self.anchor;
        };
        let idx = self.segments.partition_point(|s| s.text.start <= offset);
        if idx == 0 {
            return first.file.start;
        }
        let s = &self.segments[idx - 1];
        if offset < s.text.end {
            if s.is_copy() {
                s.file.start + (offset - s.text.start)
            } else {
                s.file.start
            }
        } else {
            s.file.end
        }
    }

    /// The file span of the text span `range`: its start by [`Self::to_file`], its end just past
    /// the file bytes its last character came from.
    pub fn to_file_range(&self, range: Range<usize>) -> Range<usize> {
        let start = self.to_file(range.start);
        if range.end <= range.start {
            return start..start;
        }
        let last = range.end - 1;
        let end = match self.segments.partition_point(|s| s.text.start <= last) {
            0 => self.segments.first().map_or(self.anchor, |s| s.file.start),
            idx => {
                let s = &self.segments[idx - 1];
                if last < s.text.end && s.is_copy() {
                    s.file.start + (range.end.min(s.text.end) - s.text.start)
                } else {
                    s.file.end
                }
            }
        };
        start..end.max(start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_map_byte_for_byte_and_gaps_map_to_the_piece_before() {
        // text "ab cd" from file "xxab\n  cd": "ab" at 2, "cd" at 7, the space is a fold
        let mut m = OffsetMap::new(0);
        m.push_copy(0, 2, 2);
        m.push_copy(3, 7, 2);
        assert_eq!(m.to_file(0), 2);
        assert_eq!(m.to_file(1), 3);
        assert_eq!(m.to_file(2), 4);
        assert_eq!(m.to_file(3), 7);
        assert_eq!(m.to_file(4), 8);
        assert_eq!(m.to_file(5), 9);
        assert_eq!(m.to_file_range(3..5), 7..9);
        assert_eq!(m.to_file_range(0..5), 2..9);
        assert_eq!(m.to_file_range(1..1), 3..3);
    }

    #[test]
    fn produced_ranges_map_as_a_whole() {
        // text "a\tb" from file `"a\tb"` at 10: `\t` is two bytes in the file
        let mut m = OffsetMap::new(10);
        m.push_copy(0, 11, 1);
        m.push_produced(1..2, 12..14);
        m.push_copy(2, 14, 1);
        assert_eq!(m.to_file(1), 12);
        assert_eq!(m.to_file(2), 14);
        assert_eq!(m.to_file_range(1..2), 12..14);
        assert_eq!(m.to_file_range(0..3), 11..15);
    }

    #[test]
    fn contiguous_copies_merge_and_empty_maps_use_the_anchor() {
        let mut m = OffsetMap::new(5);
        assert_eq!(m.to_file(3), 5);
        assert_eq!(m.to_file_range(0..4), 5..5);
        m.push_copy(0, 5, 2);
        m.push_copy(2, 7, 2);
        assert_eq!(m.segments.len(), 1);
    }

    #[test]
    fn slice_and_append_rebase_text_offsets() {
        let mut m = OffsetMap::new(0);
        m.push_copy(0, 100, 10);
        let s = m.slice(4..8);
        assert_eq!(s.to_file(0), 104);
        assert_eq!(s.to_file_range(0..4), 104..108);
        let mut joined = OffsetMap::new(0);
        joined.append(&s, 0);
        joined.append(&s, 5);
        assert_eq!(joined.to_file(5), 104);
        assert_eq!(joined.to_file(4), 108);
    }
}
