//! Unified diffs for `cordon init --dry-run` and `cordon check --fix --dry-run`.
//!
//! The output is what `diff -u --label a/<label> --label b/<label>` (GNU diffutils) or `git diff`
//! print: `---`/`+++` headers, `@@ -l,s +l,s @@` hunk headers, hunks merged when their context
//! overlaps, and `\ No newline at end of file` after a line that lacks its newline.
//!
//! Lines are compared with their terminators, so `a\r\n` and `a\n` differ, and a last line without
//! a newline differs from the same line with one.
//!
//! The comparison follows GNU diff: the common prefix and suffix are set aside, lines found on
//! one side only are changed outright, and Myers' O(ND) algorithm in linear space (the
//! middle-snake divide and conquer) finds a shortest edit script for the rest, so a few edits in
//! a long file cost little. Change groups are then slid over equal neighbouring lines the way
//! GNU diff does, which keeps the output readable when lines repeat (blank lines, closing
//! brackets); the result matches `diff -u` byte for byte except, rarely, where GNU diff's own
//! heuristics pick another script of the same length (or a longer one). A search that would
//! cost more than a fixed budget gives up on the region it is looking at and shows it as all
//! deleted, all added, so any two files diff in bounded time and memory linear in their length.

use std::collections::HashMap;

/// The marker GNU diff and git print after a line that has no final newline.
const NO_NEWLINE: &str = "\\ No newline at end of file\n";

/// Most diagonal and snake steps the Myers search may take for one diff: about 7 ms in a release
/// build, and enough for some two thousand scattered edits. Past it, every region still to be
/// compared is shown as all deleted, all added.
const WORK_BUDGET: usize = 1_000_000;

/// Renders the change from `before` (None: the file is new) to `after` as a unified diff with
/// `context` lines of context (3 by default from the caller), headers `--- a/<label>` /
/// `+++ b/<label>` (`--- /dev/null` for a new file), `@@ -l,s +l,s @@` hunk headers exactly as
/// GNU diff -u / git produce them (including the `-l,0` / `+0,0` conventions for empty sides and
/// omitting `,1` counts), and `\ No newline at end of file` markers where a side lacks a final
/// newline. Empty string when before == after.
///
/// A new empty file (`None` to `""`) has no lines to show and renders as the empty string too.
pub fn unified(label: &str, before: Option<&str>, after: &str, context: usize) -> String {
    let old_text = before.unwrap_or("");
    if old_text == after {
        return String::new();
    }
    let old: Vec<&str> = old_text.split_inclusive('\n').collect();
    let new: Vec<&str> = after.split_inclusive('\n').collect();
    let edits = edits(&old, &new, context);
    if edits.is_empty() {
        return String::new();
    }

    let mut out = String::new();
    if before.is_some() {
        out.push_str("--- a/");
        out.push_str(label);
        out.push('\n');
    } else {
        out.push_str("--- /dev/null\n");
    }
    out.push_str("+++ b/");
    out.push_str(label);
    out.push('\n');

    // Two change groups share a hunk when at most 2 * context unchanged lines separate them.
    let merge_gap = context.saturating_mul(2);
    let mut first = 0;
    while first < edits.len() {
        let mut last = first;
        while last + 1 < edits.len() && edits[last + 1].old - edits[last].old_end() <= merge_gap {
            last += 1;
        }
        render_hunk(&mut out, &old, &new, &edits[first..=last], context);
        first = last + 1;
    }
    out
}

/// One change group: `deleted` lines of the old file starting at `old` (0-based) replaced by
/// `inserted` lines of the new file starting at `new`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Edit {
    old: usize,
    deleted: usize,
    new: usize,
    inserted: usize,
}

impl Edit {
    fn old_end(self) -> usize {
        self.old + self.deleted
    }

    fn new_end(self) -> usize {
        self.new + self.inserted
    }
}

/// Appends one hunk covering `edits` (non-empty, in order) with `context` lines around them.
fn render_hunk(out: &mut String, old: &[&str], new: &[&str], edits: &[Edit], context: usize) {
    let (Some(&first), Some(&last)) = (edits.first(), edits.last()) else {
        return;
    };
    let old_start = first.old.saturating_sub(context);
    let old_end = last.old_end().saturating_add(context).min(old.len());
    let new_start = first.new.saturating_sub(context);
    let new_end = last.new_end().saturating_add(context).min(new.len());

    out.push_str("@@ -");
    push_range(out, old_start, old_end);
    out.push_str(" +");
    push_range(out, new_start, new_end);
    out.push_str(" @@\n");

    let mut at = old_start;
    for edit in edits {
        for line in &old[at..edit.old] {
            push_line(out, ' ', line);
        }
        for line in &old[edit.old..edit.old_end()] {
            push_line(out, '-', line);
        }
        for line in &new[edit.new..edit.new_end()] {
            push_line(out, '+', line);
        }
        at = edit.old_end();
    }
    for line in &old[at..old_end] {
        push_line(out, ' ', line);
    }
}

/// A hunk header range for the 0-based half-open line range `start..end`, as GNU diff prints it:
/// `l,s`; `l` alone when the range is one line; `l,0` (with `l` the line before the range) when
/// it is empty.
fn push_range(out: &mut String, start: usize, end: usize) {
    let count = end - start;
    match count {
        0 => {
            out.push_str(&start.to_string());
            out.push_str(",0");
        }
        1 => out.push_str(&(start + 1).to_string()),
        _ => {
            out.push_str(&(start + 1).to_string());
            out.push(',');
            out.push_str(&count.to_string());
        }
    }
}

fn push_line(out: &mut String, prefix: char, line: &str) {
    out.push(prefix);
    out.push_str(line);
    if !line.ends_with('\n') {
        out.push('\n');
        out.push_str(NO_NEWLINE);
    }
}

/// The change groups turning `old` into `new`, in order.
fn edits(old: &[&str], new: &[&str], context: usize) -> Vec<Edit> {
    let (mut old_changed, mut new_changed) = changed_lines(old, new, context);
    shift_boundaries(old, &mut old_changed, &new_changed);
    shift_boundaries(new, &mut new_changed, &old_changed);

    // Both flag vectors are padded: index `i + 1` is line `i`.
    let mut edits = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && !old_changed[i + 1] && !new_changed[j + 1] {
            i += 1;
            j += 1;
            continue;
        }
        let (old_start, new_start) = (i, j);
        while i < old.len() && old_changed[i + 1] {
            i += 1;
        }
        while j < new.len() && new_changed[j + 1] {
            j += 1;
        }
        if (i, j) == (old_start, new_start) {
            // Unchanged lines left on one side only: cannot happen, the flags pair up.
            debug_assert!(false, "unpaired unchanged lines");
            break;
        }
        edits.push(Edit {
            old: old_start,
            deleted: i - old_start,
            new: new_start,
            inserted: j - new_start,
        });
    }
    edits
}

/// Which lines of `old` are deleted and which of `new` are inserted, as padded flag vectors
/// (line `i` at index `i + 1`, `false` at both ends), for a shortest edit script (unless the
/// work budget runs out).
///
/// The common prefix and suffix are set aside first. Of the lines between, those that occur
/// nowhere in the other file's middle (nor in the `horizon` lines around it) cannot be matched:
/// they are changed, and the search runs on the rest only (as GNU diff does), which keeps it
/// small when whole blocks are new or unrelated. Discarding them leaves the longest common
/// subsequence as it was.
fn changed_lines(old: &[&str], new: &[&str], horizon: usize) -> (Vec<bool>, Vec<bool>) {
    let mut old_changed = vec![false; old.len() + 2];
    let mut new_changed = vec![false; new.len() + 2];

    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    // Number the distinct lines and count each one's occurrences on either side: in the middle
    // and, like GNU diff, in the `horizon` lines of prefix and suffix next to it.
    let lead = prefix.min(horizon);
    let trail = suffix.min(horizon);
    let mut ids: HashMap<&str, usize> =
        HashMap::with_capacity(old.len() - prefix - suffix + lead + trail);
    let mut counts: Vec<[usize; 2]> = Vec::new();
    let mut side_ids = [Vec::new(), Vec::new()];
    for (side, lines) in [old, new].into_iter().enumerate() {
        let counted = &lines[prefix - lead..lines.len() - suffix + trail];
        for &line in counted {
            let next = ids.len();
            let id = *ids.entry(line).or_insert(next);
            if id == counts.len() {
                counts.push([0, 0]);
            }
            counts[id][side] += 1;
            side_ids[side].push(id);
        }
        // Only the middle is searched.
        side_ids[side].truncate(counted.len() - trail);
        side_ids[side].drain(..lead);
    }
    let [old_ids, new_ids] = side_ids;

    // Keep the lines that have a counterpart, remembering where each one came from.
    let keep = |ids: &[usize], other_side: usize, changed: &mut [bool]| {
        let mut kept = Vec::new();
        let mut lines = Vec::new();
        for (i, &id) in ids.iter().enumerate() {
            if counts[id][other_side] == 0 {
                changed[prefix + i + 1] = true;
            } else {
                kept.push(id);
                lines.push(prefix + i);
            }
        }
        (kept, lines)
    };
    let (old_kept, old_lines) = keep(&old_ids, 1, &mut old_changed);
    let (new_kept, new_lines) = keep(&new_ids, 0, &mut new_changed);

    let mut search = Search::new(&old_kept, &new_kept);
    search.compare(0, old_kept.len(), 0, new_kept.len());
    for (k, &line) in old_lines.iter().enumerate() {
        old_changed[line + 1] = search.old_changed[k + 1];
    }
    for (k, &line) in new_lines.iter().enumerate() {
        new_changed[line + 1] = search.new_changed[k + 1];
    }
    (old_changed, new_changed)
}

/// The Myers search over two sequences of line numbers (equal lines, equal numbers): marks the
/// elements of each side that are not part of a longest common subsequence.
struct Search<'a> {
    old: &'a [usize],
    new: &'a [usize],
    /// Deleted lines of `old`, padded with a `false` sentinel at each end (line `i` at `i + 1`).
    old_changed: Vec<bool>,
    /// Inserted lines of `new`, padded the same way.
    new_changed: Vec<bool>,
    /// Furthest-reaching forward path on each diagonal `x - y`, stored at `x - y + new.len() + 1`.
    /// Values may lie one step outside the region being searched; they are only compared.
    forward: Vec<isize>,
    /// Furthest-reaching backward path on each diagonal, stored the same way.
    backward: Vec<isize>,
    work_left: usize,
}

impl<'a> Search<'a> {
    fn new(old: &'a [usize], new: &'a [usize]) -> Self {
        // Diagonals run from -new.len() to old.len(), plus a sentinel beyond each end.
        let diagonals = old.len() + new.len() + 3;
        Self {
            old,
            new,
            old_changed: vec![false; old.len() + 2],
            new_changed: vec![false; new.len() + 2],
            forward: vec![0; diagonals],
            backward: vec![0; diagonals],
            work_left: WORK_BUDGET,
        }
    }

    /// Compares `old[xoff..xlim]` with `new[yoff..ylim]`, marking the changed lines.
    fn compare(&mut self, mut xoff: usize, mut xlim: usize, mut yoff: usize, mut ylim: usize) {
        while xoff < xlim && yoff < ylim && self.old[xoff] == self.new[yoff] {
            xoff += 1;
            yoff += 1;
        }
        while xoff < xlim && yoff < ylim && self.old[xlim - 1] == self.new[ylim - 1] {
            xlim -= 1;
            ylim -= 1;
        }
        if xoff == xlim || yoff == ylim {
            self.mark(xoff, xlim, yoff, ylim);
        } else if let Some((xmid, ymid)) = self.middle_snake(xoff, xlim, yoff, ylim) {
            self.compare(xoff, xmid, yoff, ymid);
            self.compare(xmid, xlim, ymid, ylim);
        } else {
            self.mark(xoff, xlim, yoff, ylim);
        }
    }

    /// Marks `old[xoff..xlim]` deleted and `new[yoff..ylim]` inserted.
    fn mark(&mut self, xoff: usize, xlim: usize, yoff: usize, ylim: usize) {
        self.old_changed[xoff + 1..=xlim].fill(true);
        self.new_changed[yoff + 1..=ylim].fill(true);
    }

    /// Finds a point on a shortest edit path from `(xoff, yoff)` to `(xlim, ylim)` that splits
    /// its cost in half (Myers' middle snake), searching forward and backward at once. Both
    /// ranges are non-empty and differ at both ends, so the cost is at least 2 and the point
    /// splits the problem into two strictly smaller ones.
    ///
    /// `None` when the work budget runs out first.
    fn middle_snake(
        &mut self,
        xoff: usize,
        xlim: usize,
        yoff: usize,
        ylim: usize,
    ) -> Option<(usize, usize)> {
        let (old, new) = (self.old, self.new);
        let (xoff, xlim, yoff, ylim) = (signed(xoff), signed(xlim), signed(yoff), signed(ylim));
        let equal = |x: isize, y: isize| old[unsigned(x)] == new[unsigned(y)];
        let at = {
            let offset = signed(new.len()) + 1;
            move |d: isize| unsigned(d + offset)
        };
        let dmin = xoff - ylim;
        let dmax = xlim - yoff;
        let fmid = xoff - yoff;
        let bmid = xlim - ylim;
        let (mut fmin, mut fmax) = (fmid, fmid);
        let (mut bmin, mut bmax) = (bmid, bmid);
        // Whether the end corner is on an odd diagonal relative to the start corner: then the
        // paths meet during a forward step, otherwise during a backward one.
        let odd = (fmid - bmid) & 1 == 1;
        let forward = &mut self.forward;
        let backward = &mut self.backward;
        forward[at(fmid)] = xoff;
        backward[at(bmid)] = xlim;

        loop {
            let mut work = 0;

            // One more edit step forward on every active diagonal.
            if fmin > dmin {
                fmin -= 1;
                forward[at(fmin - 1)] = -1;
            } else {
                fmin += 1;
            }
            if fmax < dmax {
                fmax += 1;
                forward[at(fmax + 1)] = -1;
            } else {
                fmax -= 1;
            }
            for d in (fmin..=fmax).rev().step_by(2) {
                let (lo, hi) = (forward[at(d - 1)], forward[at(d + 1)]);
                let x0 = if lo < hi { hi } else { lo + 1 };
                let (mut x, mut y) = (x0, x0 - d);
                while x < xlim && y < ylim && equal(x, y) {
                    x += 1;
                    y += 1;
                }
                work += 1 + (x - x0).unsigned_abs();
                forward[at(d)] = x;
                if odd && bmin <= d && d <= bmax && backward[at(d)] <= x {
                    return Some((unsigned(x), unsigned(y)));
                }
            }

            // And one more backward.
            if bmin > dmin {
                bmin -= 1;
                backward[at(bmin - 1)] = isize::MAX;
            } else {
                bmin += 1;
            }
            if bmax < dmax {
                bmax += 1;
                backward[at(bmax + 1)] = isize::MAX;
            } else {
                bmax -= 1;
            }
            for d in (bmin..=bmax).rev().step_by(2) {
                let (lo, hi) = (backward[at(d - 1)], backward[at(d + 1)]);
                let x0 = if lo < hi { lo } else { hi - 1 };
                let (mut x, mut y) = (x0, x0 - d);
                while xoff < x && yoff < y && equal(x - 1, y - 1) {
                    x -= 1;
                    y -= 1;
                }
                work += 1 + (x0 - x).unsigned_abs();
                backward[at(d)] = x;
                if !odd && fmin <= d && d <= fmax && x <= forward[at(d)] {
                    return Some((unsigned(x), unsigned(y)));
                }
            }

            if work > self.work_left {
                self.work_left = 0;
                return None;
            }
            self.work_left -= work;
        }
    }
}

/// A line index or count as a signed number; slice lengths always fit.
fn signed(n: usize) -> isize {
    isize::try_from(n).unwrap_or(isize::MAX)
}

/// A signed index known to be non-negative.
fn unsigned(n: isize) -> usize {
    debug_assert!(n >= 0, "negative index {n}");
    n.unsigned_abs()
}

/// Slides each run of changed lines in one file over equal neighbouring lines, as GNU diff's
/// `shift_boundaries` does: first back as far as it goes (merging with earlier runs), then
/// forward as far as it goes (merging with later ones), repeated while the run grows; finally
/// back again to the last place where it lines up with a run of changes in the other file.
///
/// `changed` and `other` are padded flag vectors (line `i` at index `i + 1`, `false` at both
/// ends); `lines` are this file's lines. The number of changed lines never changes, only which
/// of several equal lines count as changed.
fn shift_boundaries(lines: &[&str], changed: &mut [bool], other: &[bool]) {
    let same = |a: usize, b: usize| lines[a - 1] == lines[b - 1];
    let end = lines.len() + 1;
    // `i` walks this file and `j` the other, both in padded indices; outside a run, `j` is just
    // past the other file's line that pairs with this file's line `i - 1`.
    let (mut i, mut j) = (1, 1);
    loop {
        // Find the next run of changes, keeping `j` in step.
        while i < end && !changed[i] {
            while other[j] {
                j += 1;
            }
            j += 1;
            i += 1;
        }
        if i == end {
            break;
        }
        let mut start = i;
        i += 1;
        while changed[i] {
            i += 1;
        }
        // `j` now pairs with `i`: the first unchanged line after the run.
        while other[j] {
            j += 1;
        }

        let mut corresponding;
        loop {
            let run = i - start;

            // Back, while the line before the run equals its last line.
            while start > 1 && same(start - 1, i - 1) {
                start -= 1;
                changed[start] = true;
                i -= 1;
                changed[i] = false;
                while changed[start - 1] {
                    start -= 1;
                }
                j -= 1;
                while other[j] {
                    j -= 1;
                }
            }

            // Where the run's end last lined up with changes in the other file (`end`: nowhere).
            corresponding = if other[j - 1] { i } else { end };

            // Forward, while the line after the run equals its first line.
            while i != end && same(start, i) {
                changed[start] = false;
                start += 1;
                changed[i] = true;
                i += 1;
                while changed[i] {
                    i += 1;
                }
                j += 1;
                while other[j] {
                    j += 1;
                    corresponding = i;
                }
            }

            if i - start == run {
                break;
            }
        }

        // Back to where the run lines up with changes in the other file, if it ever did.
        while corresponding < i {
            start -= 1;
            changed[start] = true;
            i -= 1;
            changed[i] = false;
            j -= 1;
            while other[j] {
                j -= 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    fn diff(before: Option<&str>, after: &str) -> String {
        unified("x", before, after, 3)
    }

    /// `{prefix}{n}\n` for each `n` in `range`.
    fn lines_of(prefix: &str, range: impl Iterator<Item = usize>) -> String {
        let mut text = String::new();
        for n in range {
            writeln!(text, "{prefix}{n}").unwrap();
        }
        text
    }

    fn numbered(range: std::ops::RangeInclusive<usize>) -> String {
        lines_of("", range)
    }

    /// Lines `1..=last`, each `n\n`, except those in `edits`, which become the given text.
    fn numbered_with(last: usize, edits: &[(usize, &str)]) -> String {
        (1..=last)
            .map(|n| match edits.iter().find(|(at, _)| *at == n) {
                Some((_, text)) => (*text).to_owned(),
                None => n.to_string() + "\n",
            })
            .collect()
    }

    #[test]
    fn identical_is_empty() {
        assert_eq!(diff(Some("a\nb\n"), "a\nb\n"), "");
        assert_eq!(diff(Some(""), ""), "");
        assert_eq!(diff(None, ""), "");
        assert_eq!(diff(Some("no newline"), "no newline"), "");
    }

    #[test]
    fn insertion_in_the_middle() {
        let before = numbered(1..=10);
        let after = numbered_with(10, &[(5, "5\nnew\n")]);
        assert_eq!(
            diff(Some(&before), &after),
            "--- a/x\n+++ b/x\n@@ -3,6 +3,7 @@\n 3\n 4\n 5\n+new\n 6\n 7\n 8\n"
        );
    }

    #[test]
    fn deletion() {
        let before = numbered(1..=10);
        let after = numbered_with(10, &[(5, ""), (6, "")]);
        assert_eq!(
            diff(Some(&before), &after),
            "--- a/x\n+++ b/x\n@@ -2,8 +2,6 @@\n 2\n 3\n 4\n-5\n-6\n 7\n 8\n 9\n"
        );
    }

    #[test]
    fn replacement() {
        let before = numbered(1..=10);
        let after = numbered_with(10, &[(5, "five\nFIVE\n")]);
        assert_eq!(
            diff(Some(&before), &after),
            "--- a/x\n+++ b/x\n@@ -2,7 +2,8 @@\n 2\n 3\n 4\n-5\n+five\n+FIVE\n 6\n 7\n 8\n"
        );
    }

    #[test]
    fn edits_at_the_edges_clip_context() {
        assert_eq!(
            diff(Some("a\nb\n"), "z\na\nb\nc\n"),
            "--- a/x\n+++ b/x\n@@ -1,2 +1,4 @@\n+z\n a\n b\n+c\n"
        );
        assert_eq!(
            diff(Some("a\n"), "b\n"),
            "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n"
        );
    }

    #[test]
    fn new_file() {
        assert_eq!(
            diff(None, "a\nb\n"),
            "--- /dev/null\n+++ b/x\n@@ -0,0 +1,2 @@\n+a\n+b\n"
        );
        assert_eq!(
            diff(None, "only\n"),
            "--- /dev/null\n+++ b/x\n@@ -0,0 +1 @@\n+only\n"
        );
        // An existing empty file that gains lines keeps its `a/` header.
        assert_eq!(
            diff(Some(""), "a\n"),
            "--- a/x\n+++ b/x\n@@ -0,0 +1 @@\n+a\n"
        );
    }

    #[test]
    fn file_becoming_empty() {
        assert_eq!(
            diff(Some("a\nb\nc\n"), ""),
            "--- a/x\n+++ b/x\n@@ -1,3 +0,0 @@\n-a\n-b\n-c\n"
        );
    }

    #[test]
    fn no_trailing_newline_on_either_side() {
        // Only the old side lacks it.
        assert_eq!(
            diff(Some("a\nb"), "a\nb\n"),
            "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"
        );
        // Only the new side lacks it.
        assert_eq!(
            diff(Some("a\nb\n"), "a\nc"),
            "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n\\ No newline at end of file\n"
        );
        // Both lack it and the last line changes.
        assert_eq!(
            diff(Some("a\nb"), "a\nc"),
            "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n\
             +c\n\\ No newline at end of file\n"
        );
        // Both lack it and the unterminated last line is context.
        assert_eq!(
            diff(Some("a\nb\nc"), "A\nb\nc"),
            "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n-a\n+A\n b\n c\n\\ No newline at end of file\n"
        );
    }

    #[test]
    fn crlf_lines_keep_their_carriage_returns() {
        assert_eq!(
            diff(Some("a\nb\n"), "a\r\nb\r\n"),
            "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a\n-b\n+a\r\n+b\r\n"
        );
        assert_eq!(
            diff(Some("a\r\nb\r\n"), "a\r\nc\r\n"),
            "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\r\n-b\r\n+c\r\n"
        );
    }

    #[test]
    fn two_distant_edits_make_two_hunks() {
        let before = numbered(1..=20);
        let after = numbered_with(20, &[(3, "three\n"), (18, "eighteen\n")]);
        assert_eq!(
            diff(Some(&before), &after),
            "--- a/x\n+++ b/x\n\
             @@ -1,6 +1,6 @@\n 1\n 2\n-3\n+three\n 4\n 5\n 6\n\
             @@ -15,6 +15,6 @@\n 15\n 16\n 17\n-18\n+eighteen\n 19\n 20\n"
        );
    }

    #[test]
    fn two_close_edits_share_a_hunk() {
        // Six unchanged lines between the edits: the two contexts touch, so one hunk.
        let before = numbered(1..=20);
        let after = numbered_with(20, &[(5, "five\n"), (12, "twelve\n")]);
        assert_eq!(
            diff(Some(&before), &after),
            "--- a/x\n+++ b/x\n@@ -2,14 +2,14 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n 9\n 10\n 11\n\
             -12\n+twelve\n 13\n 14\n 15\n"
        );
        // Seven unchanged lines between them: two hunks.
        let after = numbered_with(20, &[(5, "five\n"), (13, "thirteen\n")]);
        assert_eq!(
            diff(Some(&before), &after),
            "--- a/x\n+++ b/x\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n\
             @@ -10,7 +10,7 @@\n 10\n 11\n 12\n-13\n+thirteen\n 14\n 15\n 16\n"
        );
    }

    #[test]
    fn zero_context() {
        let before = numbered(1..=10);
        let after = numbered_with(10, &[(5, "5\nnew\n"), (8, "")]);
        assert_eq!(
            unified("x", Some(&before), &after, 0),
            "--- a/x\n+++ b/x\n@@ -5,0 +6 @@\n+new\n@@ -8 +8,0 @@\n-8\n"
        );
    }

    #[test]
    fn repeated_lines_slide_like_gnu_diff() {
        // The inserted block could be matched several ways; GNU diff and git show it whole,
        // after the existing one.
        let before = "fn a() {\n}\n\nfn c() {\n}\n";
        let after = "fn a() {\n}\n\nfn b() {\n}\n\nfn c() {\n}\n";
        assert_eq!(
            diff(Some(before), after),
            "--- a/x\n+++ b/x\n@@ -1,5 +1,8 @@\n fn a() {\n }\n \n+fn b() {\n+}\n+\n fn c() {\n }\n"
        );
    }

    /// Applies `diff` (as `unified` renders it) to `old`, checking every hunk header, context
    /// line and deleted line on the way.
    fn apply(old: &str, diff: &str) -> String {
        let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
        let mut lines = diff.split_inclusive('\n').skip(2).peekable();
        let mut out = String::new();
        let mut at = 0;
        // Lines of each side still expected in the current hunk.
        let (mut old_left, mut new_left) = (0, 0);
        while let Some(line) = lines.next() {
            if let Some(header) = line.strip_prefix("@@ -") {
                assert_eq!((old_left, new_left), (0, 0), "short hunk before {line:?}");
                let (ranges, rest) = header.split_once(" @@").unwrap();
                assert_eq!(rest, "\n");
                let (old_range, new_range) = ranges.split_once(" +").unwrap();
                let range = |r: &str| -> (usize, usize) {
                    match r.split_once(',') {
                        Some((start, count)) => (start.parse().unwrap(), count.parse().unwrap()),
                        None => (r.parse().unwrap(), 1),
                    }
                };
                let (old_start, old_count) = range(old_range);
                let first = if old_count == 0 {
                    old_start
                } else {
                    old_start - 1
                };
                assert!(first >= at, "overlapping hunks");
                for line in &old_lines[at..first] {
                    out.push_str(line);
                }
                at = first;
                old_left = old_count;
                new_left = range(new_range).1;
                continue;
            }
            let (prefix, text) = line.split_at(1);
            let mut text = text.to_owned();
            if lines.peek() == Some(&NO_NEWLINE) {
                lines.next();
                assert_eq!(text.pop(), Some('\n'));
            }
            if prefix != "+" {
                assert_eq!(old_lines[at], text, "at old line {}", at + 1);
                at += 1;
                old_left -= 1;
            }
            if prefix != "-" {
                out.push_str(&text);
                new_left -= 1;
            }
        }
        assert_eq!((old_left, new_left), (0, 0), "short last hunk");
        for line in &old_lines[at..] {
            out.push_str(line);
        }
        out
    }

    /// splitmix64: a small deterministic generator for the cases below.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        /// A number in `0..n`.
        fn below(&mut self, n: usize) -> usize {
            usize::try_from(self.next() % u64::try_from(n).unwrap()).unwrap()
        }
    }

    /// A random-ish pair of texts: a file of mostly distinct lines (with some blank lines and
    /// closing brackets that repeat), a few deletions, insertions and replacements, and now and
    /// then a missing final newline, CRLF endings or an empty side.
    fn random_case(rng: &mut Rng, fresh: &mut usize) -> (String, String) {
        let mut line = |rng: &mut Rng| -> String {
            match rng.below(10) {
                0 => "\n".to_owned(),
                1 => "}\n".to_owned(),
                _ => {
                    *fresh += 1;
                    format!("line {fresh}\n")
                }
            }
        };
        let len = match rng.below(8) {
            0 => 0,
            1 => rng.below(3),
            _ => rng.below(60),
        };
        let old: Vec<String> = (0..len).map(|_| line(rng)).collect();
        let mut new = old.clone();
        for _ in 0..=rng.below(4) {
            let at = rng.below(new.len() + 1);
            let span = rng.below(4).min(new.len() - at);
            match rng.below(3) {
                0 => {
                    new.drain(at..at + span);
                }
                1 => {
                    let added: Vec<String> = (0..=rng.below(3)).map(|_| line(rng)).collect();
                    new.splice(at..at, added);
                }
                _ => {
                    let added: Vec<String> = (0..=rng.below(3)).map(|_| line(rng)).collect();
                    new.splice(at..at + span, added);
                }
            }
        }
        if rng.below(6) == 0 && !new.is_empty() {
            let at = rng.below(new.len());
            new[at] = new[at].replace('\n', "\r\n");
        }
        let (mut old, mut new) = (old.concat(), new.concat());
        if rng.below(4) == 0 {
            old.pop();
        }
        if rng.below(4) == 0 {
            new.pop();
        }
        (old, new)
    }

    #[test]
    fn matches_gnu_diff_byte_for_byte() {
        let gnu = std::process::Command::new("diff")
            .arg("--version")
            .output()
            .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains("GNU diffutils"));
        if !gnu {
            eprintln!("skipping: GNU diff is not installed");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let (old_path, new_path) = (dir.path().join("old"), dir.path().join("new"));
        // A fixed seed: GNU diff's heuristics very rarely pick another edit script (twice in
        // forty thousand cases from this generator: once as long, once longer); none of these do.
        let mut rng = Rng(0x00C0_4D04);
        let mut fresh = 0;
        for compared in 0..200 {
            let (old, new) = random_case(&mut rng, &mut fresh);
            let new_file = old.is_empty() && rng.below(2) == 0;
            std::fs::write(&old_path, &old).unwrap();
            std::fs::write(&new_path, &new).unwrap();
            let out = std::process::Command::new("diff")
                .arg("-u")
                .args(["--label", if new_file { "/dev/null" } else { "a/x" }])
                .args(["--label", "b/x"])
                .arg(&old_path)
                .arg(&new_path)
                .output()
                .unwrap();
            assert!(
                out.status.code().is_some_and(|c| c < 2),
                "diff failed: {out:?}"
            );
            let before = if new_file { None } else { Some(old.as_str()) };
            let ours = unified("x", before, &new, 3);
            if !ours.is_empty() {
                assert_eq!(apply(&old, &ours), new, "case {compared}");
            }
            assert_eq!(
                ours,
                String::from_utf8(out.stdout).unwrap(),
                "case {compared}: {old:?} -> {new:?}"
            );
        }
    }

    #[test]
    fn long_file_with_few_edits_is_fast() {
        let before = numbered(1..=10_000);
        let after = numbered_with(
            10_000,
            &[(100, "100\ninserted\n"), (5000, "changed\n"), (9000, "")],
        );
        let start = std::time::Instant::now();
        let out = diff(Some(&before), &after);
        let elapsed = start.elapsed();
        assert_eq!(
            out,
            "--- a/x\n+++ b/x\n\
             @@ -98,6 +98,7 @@\n 98\n 99\n 100\n+inserted\n 101\n 102\n 103\n\
             @@ -4997,7 +4998,7 @@\n 4997\n 4998\n 4999\n-5000\n+changed\n 5001\n 5002\n 5003\n\
             @@ -8997,7 +8998,6 @@\n 8997\n 8998\n 8999\n-9000\n 9001\n 9002\n 9003\n"
        );
        assert!(elapsed.as_millis() < 200, "took {elapsed:?}");
    }

    #[test]
    fn unrelated_large_files_stay_bounded() {
        let before = lines_of("old ", 0..5_000);
        let after = lines_of("new ", 0..5_000);
        let start = std::time::Instant::now();
        let out = diff(Some(&before), &after);
        let elapsed = start.elapsed();
        assert!(out.starts_with("--- a/x\n+++ b/x\n@@ -1,5000 +1,5000 @@\n-old 0\n"));
        assert_eq!(out.lines().filter(|l| l.starts_with('-')).count(), 5_001);
        assert_eq!(out.lines().filter(|l| l.starts_with('+')).count(), 5_001);
        assert!(elapsed.as_secs() < 5, "took {elapsed:?}");
    }

    #[test]
    fn an_exhausted_budget_shows_all_deleted_all_added() {
        // Every line has counterparts on the other side, but few line up: the search would need
        // thousands of edit steps, so it gives up and shows the whole region replaced.
        let before = lines_of("", (0..5_000).map(|n| n % 100));
        let after = lines_of("", (0..5_000).map(|n| 99 - n * 7 % 100));
        let start = std::time::Instant::now();
        let out = diff(Some(&before), &after);
        let elapsed = start.elapsed();
        assert_eq!(apply(&before, &out), after);
        assert_eq!(out.lines().filter(|l| l.starts_with('-')).count(), 5_001);
        assert_eq!(out.lines().filter(|l| l.starts_with('+')).count(), 5_001);
        assert!(elapsed.as_secs() < 5, "took {elapsed:?}");
    }

    #[test]
    fn every_rendered_diff_applies() {
        let mut rng = Rng(7);
        let mut fresh = 0;
        for _ in 0..300 {
            let (old, new) = random_case(&mut rng, &mut fresh);
            for context in [0, 1, 3, 10] {
                let out = unified("x", Some(&old), &new, context);
                if old == new {
                    assert_eq!(out, "");
                } else {
                    assert_eq!(apply(&old, &out), new, "{old:?} -> {new:?} with {context}");
                }
            }
        }
    }
}
