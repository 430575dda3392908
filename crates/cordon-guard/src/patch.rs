//! What an agent's file edit would write, computed without touching the disk: Codex's
//! `apply_patch` envelope ([`apply_patch`]) and the string replacement of Claude Code's `Edit`
//! and Gemini CLI's `replace` ([`apply_edit`]). The results are only read for dependencies,
//! but they follow the agents' own algorithms so that they match what would be written.

use std::collections::HashMap;

/// One file a patch writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// The path as written in the patch; for a move, the new path.
    pub path: String,
    /// For `*** Move to:`, the path the file is moved from.
    pub moved_from: Option<String>,
    /// The content before the patch (for a move, of the old path); `None` when the file does
    /// not exist (an added file that is new).
    pub old: Option<String>,
    /// The content after the patch; `None` for a deleted file.
    pub new: Option<String>,
}

const BEGIN: &str = "*** Begin Patch";
const END: &str = "*** End Patch";
const ADD: &str = "*** Add File: ";
const DELETE: &str = "*** Delete File: ";
const UPDATE: &str = "*** Update File: ";
const MOVE: &str = "*** Move to: ";
const END_OF_FILE: &str = "*** End of File";

#[derive(Debug)]
enum Hunk<'a> {
    Add {
        path: &'a str,
        contents: String,
    },
    Delete {
        path: &'a str,
    },
    Update {
        path: &'a str,
        move_to: Option<&'a str>,
        chunks: Vec<Chunk<'a>>,
    },
}

#[derive(Debug, Default)]
struct Chunk<'a> {
    /// The `@@ line` the chunk's lines follow.
    context: Option<&'a str>,
    old: Vec<&'a str>,
    new: Vec<&'a str>,
    /// `*** End of File`: the old lines end the file.
    end_of_file: bool,
}

/// Applies a Codex `apply_patch` patch to the files it names, read through `read` (the path as
/// written in the patch → the current content, `None` when missing). Later hunks see the
/// results of earlier ones. Errors when the patch is malformed, a file to update or delete
/// does not exist, or a hunk's lines cannot be found (compared exactly, then ignoring trailing
/// whitespace, then ignoring surrounding whitespace, then with Unicode punctuation folded,
/// searching forward from the previous hunk, as Codex does).
///
/// An `*** Add File:` of a file that exists replaces it; its `old` is the current content.
/// Updated files end with a newline, as Codex writes them; a file using `\r\n` keeps it.
pub fn apply_patch(
    patch: &str,
    read: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<FileChange>, String> {
    let hunks = parse(patch)?;
    // What earlier hunks wrote: path → content (None: deleted).
    let mut written: HashMap<&str, Option<String>> = HashMap::new();
    let current = |written: &HashMap<&str, Option<String>>, path: &str| match written.get(path) {
        Some(content) => content.clone(),
        None => read(path),
    };
    let mut out = Vec::with_capacity(hunks.len());
    for hunk in hunks {
        match hunk {
            Hunk::Add { path, contents } => {
                let old = current(&written, path);
                written.insert(path, Some(contents.clone()));
                out.push(FileChange {
                    path: path.to_owned(),
                    moved_from: None,
                    old,
                    new: Some(contents),
                });
            }
            Hunk::Delete { path } => {
                let old = current(&written, path)
                    .ok_or_else(|| format!("the patch deletes `{path}`, which does not exist"))?;
                written.insert(path, None);
                out.push(FileChange {
                    path: path.to_owned(),
                    moved_from: None,
                    old: Some(old),
                    new: None,
                });
            }
            Hunk::Update {
                path,
                move_to,
                chunks,
            } => {
                let old = current(&written, path)
                    .ok_or_else(|| format!("the patch updates `{path}`, which does not exist"))?;
                let new = apply_chunks(&old, &chunks, path)?;
                let change = if let Some(dest) = move_to {
                    written.insert(path, None);
                    written.insert(dest, Some(new.clone()));
                    FileChange {
                        path: dest.to_owned(),
                        moved_from: Some(path.to_owned()),
                        old: Some(old),
                        new: Some(new),
                    }
                } else {
                    written.insert(path, Some(new.clone()));
                    FileChange {
                        path: path.to_owned(),
                        moved_from: None,
                        old: Some(old),
                        new: Some(new),
                    }
                };
                out.push(change);
            }
        }
    }
    Ok(out)
}

/// Claude Code / Gemini CLI string replacement: `old_string` must occur in `old`, exactly once
/// unless `replace_all`. An empty `old_string` creates a file that is empty or missing (pass
/// `""`). When `old_string` is not found as given in a file with `\r\n` line endings, it is
/// tried with its line endings converted (the agents send `\n`).
pub fn apply_edit(
    old: &str,
    old_string: &str,
    new_string: &str,
    replace_all: bool,
) -> Result<String, String> {
    if old_string.is_empty() {
        return if old.is_empty() {
            Ok(new_string.to_owned())
        } else {
            Err("the edit has an empty `old_string` but the file is not empty".to_owned())
        };
    }
    let count = old.matches(old_string).count();
    match count {
        0 => {
            if old.contains("\r\n") && old_string.contains('\n') && !old_string.contains("\r\n") {
                let crlf = |s: &str| s.replace("\r\n", "\n").replace('\n', "\r\n");
                let converted = crlf(old_string);
                if old.contains(&converted) {
                    return apply_edit(old, &converted, &crlf(new_string), replace_all);
                }
            }
            Err("the edit's `old_string` does not occur in the file".to_owned())
        }
        1 => Ok(old.replacen(old_string, new_string, 1)),
        _ if replace_all => Ok(old.replace(old_string, new_string)),
        n => Err(format!(
            "the edit's `old_string` occurs {n} times in the file and `replace_all` is not set"
        )),
    }
}

// ---- parsing ------------------------------------------------------------------------------------

fn parse(patch: &str) -> Result<Vec<Hunk<'_>>, String> {
    let mut lines: Vec<&str> = patch.trim().lines().collect();
    // Codex also accepts the patch wrapped in a heredoc (`<<'EOF'` ... `EOF`).
    if lines.len() >= 4
        && matches!(lines[0].trim(), "<<EOF" | "<<'EOF'" | "<<\"EOF\"")
        && lines[lines.len() - 1].trim().ends_with("EOF")
    {
        lines = lines[1..lines.len() - 1].to_vec();
    }
    if lines.first().map(|l| l.trim()) != Some(BEGIN) {
        return Err(format!("the patch does not start with `{BEGIN}`"));
    }
    if lines.len() < 2 || lines.last().map(|l| l.trim()) != Some(END) {
        return Err(format!("the patch does not end with `{END}`"));
    }
    let body = &lines[1..lines.len() - 1];
    let mut hunks = Vec::new();
    let mut i = 0;
    while i < body.len() {
        let header = body[i].trim();
        // Patch line numbers are 1-based and the body starts on line 2.
        let line_no = i + 2;
        if header.is_empty() {
            i += 1;
        } else if let Some(path) = header.strip_prefix(ADD) {
            let path = file_path(path, line_no)?;
            i += 1;
            let mut contents = String::new();
            while let Some(line) = body.get(i).and_then(|l| l.strip_prefix('+')) {
                contents.push_str(line);
                contents.push('\n');
                i += 1;
            }
            hunks.push(Hunk::Add { path, contents });
        } else if let Some(path) = header.strip_prefix(DELETE) {
            hunks.push(Hunk::Delete {
                path: file_path(path, line_no)?,
            });
            i += 1;
        } else if let Some(path) = header.strip_prefix(UPDATE) {
            let path = file_path(path, line_no)?;
            i += 1;
            let move_to = match body.get(i).and_then(|l| l.trim().strip_prefix(MOVE)) {
                Some(dest) => {
                    let dest = file_path(dest, i + 2)?;
                    i += 1;
                    Some(dest)
                }
                None => None,
            };
            let mut chunks = Vec::new();
            while i < body.len() {
                if body[i].trim().is_empty() {
                    i += 1;
                } else if body[i].starts_with("***") {
                    break;
                } else {
                    let (chunk, next) = parse_chunk(body, i, chunks.is_empty())?;
                    chunks.push(chunk);
                    i = next;
                }
            }
            if chunks.is_empty() {
                return Err(format!(
                    "line {line_no}: `{UPDATE}{path}` is not followed by any change"
                ));
            }
            hunks.push(Hunk::Update {
                path,
                move_to,
                chunks,
            });
        } else {
            return Err(format!(
                "line {line_no}: `{header}` is not a valid hunk header (expected `{ADD}`, `{DELETE}` or `{UPDATE}`)"
            ));
        }
    }
    Ok(hunks)
}

fn file_path(path: &str, line_no: usize) -> Result<&str, String> {
    let path = path.trim();
    if path.is_empty() {
        Err(format!("line {line_no}: the hunk header names no file"))
    } else {
        Ok(path)
    }
}

/// One `@@` chunk of an update starting at `body[start]`; returns it and the index after it.
fn parse_chunk<'a>(
    body: &[&'a str],
    start: usize,
    first: bool,
) -> Result<(Chunk<'a>, usize), String> {
    let mut i = start;
    let mut chunk = Chunk::default();
    let head = body[i].trim_end();
    if head == "@@" {
        i += 1;
    } else if let Some(context) = head.strip_prefix("@@ ") {
        chunk.context = Some(context);
        i += 1;
    } else if !first {
        return Err(format!(
            "line {}: expected a `@@` line to start the next change, found `{}`",
            start + 2,
            body[i]
        ));
    }
    let mut count = 0;
    while let Some(&line) = body.get(i) {
        if line.trim_end() == END_OF_FILE {
            chunk.end_of_file = true;
            i += 1;
            break;
        }
        match line.as_bytes().first() {
            None => {
                chunk.old.push("");
                chunk.new.push("");
            }
            Some(b' ') => {
                chunk.old.push(&line[1..]);
                chunk.new.push(&line[1..]);
            }
            Some(b'-') => chunk.old.push(&line[1..]),
            Some(b'+') => chunk.new.push(&line[1..]),
            Some(_) if count == 0 => {
                return Err(format!(
                    "line {}: `{line}` in a change must start with ' ' (context), '+' (added) or '-' (removed)",
                    i + 2
                ));
            }
            // The next chunk (`@@`) or hunk (`***`).
            Some(_) => break,
        }
        count += 1;
        i += 1;
    }
    if count == 0 {
        return Err(format!("line {}: a change has no lines", start + 2));
    }
    Ok((chunk, i))
}

// ---- applying -----------------------------------------------------------------------------------

fn apply_chunks(old: &str, chunks: &[Chunk<'_>], path: &str) -> Result<String, String> {
    let crlf = old.contains("\r\n");
    let mut lines: Vec<&str> = old
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    // The empty element after the final newline.
    if lines.last() == Some(&"") {
        lines.pop();
    }
    let mut replacements: Vec<(usize, usize, &[&str])> = Vec::with_capacity(chunks.len());
    let mut at = 0;
    for chunk in chunks {
        if let Some(context) = chunk.context {
            let found = seek(&lines, &[context], at, false).ok_or_else(|| {
                format!("the patch for `{path}` names the context line `{context}`, which is not in the file")
            })?;
            at = found + 1;
        }
        if chunk.old.is_empty() {
            // A pure addition goes at the end of the file.
            let end = if lines.last() == Some(&"") {
                lines.len() - 1
            } else {
                lines.len()
            };
            replacements.push((end, 0, &chunk.new));
            continue;
        }
        let mut pattern: &[&str] = &chunk.old;
        let mut new: &[&str] = &chunk.new;
        let mut found = seek(&lines, pattern, at, chunk.end_of_file);
        if found.is_none() && pattern.last() == Some(&"") {
            // The final empty line stands for the file's final newline.
            pattern = &pattern[..pattern.len() - 1];
            if new.last() == Some(&"") {
                new = &new[..new.len() - 1];
            }
            found = seek(&lines, pattern, at, chunk.end_of_file);
        }
        let start = found.ok_or_else(|| {
            format!(
                "the patch for `{path}` changes lines that are not in the file:\n{}",
                chunk.old.join("\n")
            )
        })?;
        replacements.push((start, pattern.len(), new));
        at = start + pattern.len();
    }
    replacements.sort_by_key(|r| r.0);
    // An `*** End of File` chunk is searched from the end, so it may overlap an earlier one.
    if replacements.windows(2).any(|w| w[0].0 + w[0].1 > w[1].0) {
        return Err(format!("the patch for `{path}` changes overlapping lines"));
    }
    for &(start, len, new) in replacements.iter().rev() {
        lines.splice(start..start + len, new.iter().copied());
    }
    let eol = if crlf { "\r\n" } else { "\n" };
    let mut out = String::with_capacity(old.len() + 64);
    for line in &lines {
        out.push_str(line);
        out.push_str(eol);
    }
    Ok(out)
}

/// Where `pattern` occurs in `lines` at or after `start` (from the end when `eof`), compared
/// exactly, then without trailing whitespace, then trimmed, then with Unicode punctuation
/// folded to ASCII.
fn seek(lines: &[&str], pattern: &[&str], start: usize, eof: bool) -> Option<usize> {
    if pattern.is_empty() {
        return Some(start);
    }
    if pattern.len() > lines.len() {
        return None;
    }
    let last = lines.len() - pattern.len();
    let from = if eof { last } else { start };
    let find = |eq: &dyn Fn(&str, &str) -> bool| {
        (from..=last).find(|&i| {
            lines[i..i + pattern.len()]
                .iter()
                .zip(pattern)
                .all(|(a, b)| eq(a, b))
        })
    };
    find(&|a, b| a == b)
        .or_else(|| find(&|a, b| a.trim_end() == b.trim_end()))
        .or_else(|| find(&|a, b| a.trim() == b.trim()))
        .or_else(|| find(&|a, b| folded(a.trim()).eq(folded(b.trim()))))
}

/// Typographic dashes, quotes and spaces as their ASCII forms.
fn folded(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().map(|c| match c {
        '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' => '"',
        '\u{00A0}' | '\u{2002}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => ' ',
        c => c,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |p: &str| map.get(p).cloned()
    }

    fn apply(patch: &str, pairs: &[(&str, &str)]) -> Result<Vec<FileChange>, String> {
        apply_patch(patch, &files(pairs))
    }

    const PYPROJECT: &str = "[project]\nname = \"demo\"\ndependencies = [\n    \"requests\",\n]\n\n[tool.uv]\ndev-dependencies = [\"pytest\"]\n";

    #[test]
    fn add_update_delete() {
        let patch = "*** Begin Patch\n*** Add File: requirements.txt\n+requests\n+rich\n*** Update File: pyproject.toml\n@@\n dependencies = [\n     \"requests\",\n+    \"httpx\",\n ]\n*** Delete File: old.txt\n*** End Patch\n";
        let changes =
            apply(patch, &[("pyproject.toml", PYPROJECT), ("old.txt", "x\n")]).expect("applies");
        assert_eq!(changes.len(), 3);
        assert_eq!(
            changes[0],
            FileChange {
                path: "requirements.txt".into(),
                moved_from: None,
                old: None,
                new: Some("requests\nrich\n".into()),
            }
        );
        assert_eq!(changes[1].path, "pyproject.toml");
        assert_eq!(changes[1].old.as_deref(), Some(PYPROJECT));
        assert_eq!(
            changes[1].new.as_deref(),
            Some(
                PYPROJECT
                    .replace("    \"requests\",\n", "    \"requests\",\n    \"httpx\",\n")
                    .as_str()
            )
        );
        assert_eq!(changes[2].old.as_deref(), Some("x\n"));
        assert_eq!(changes[2].new, None);
    }

    #[test]
    fn adding_over_an_existing_file_keeps_its_old_content() {
        let patch = "*** Begin Patch\n*** Add File: a.txt\n+new\n*** End Patch";
        let changes = apply(patch, &[("a.txt", "old\n")]).expect("applies");
        assert_eq!(changes[0].old.as_deref(), Some("old\n"));
        assert_eq!(changes[0].new.as_deref(), Some("new\n"));
    }

    #[test]
    fn move_reports_the_new_path() {
        let patch = "*** Begin Patch\n*** Update File: a/pyproject.toml\n*** Move to: b/pyproject.toml\n@@ [tool.uv]\n-dev-dependencies = [\"pytest\"]\n+dev-dependencies = [\"pytest\", \"mypy\"]\n*** End Patch\n";
        let changes = apply(patch, &[("a/pyproject.toml", PYPROJECT)]).expect("applies");
        assert_eq!(changes.len(), 1);
        let c = &changes[0];
        assert_eq!(c.path, "b/pyproject.toml");
        assert_eq!(c.moved_from.as_deref(), Some("a/pyproject.toml"));
        assert_eq!(c.old.as_deref(), Some(PYPROJECT));
        assert!(
            c.new
                .as_deref()
                .expect("new")
                .ends_with("[\"pytest\", \"mypy\"]\n")
        );
    }

    #[test]
    fn multiple_hunks_search_forward() {
        let old = "a\nx\nb\nx\nc\n";
        let patch = "*** Begin Patch\n*** Update File: f\n@@ a\n-x\n+first\n@@ b\n-x\n+second\n*** End Patch";
        let changes = apply(patch, &[("f", old)]).expect("applies");
        assert_eq!(changes[0].new.as_deref(), Some("a\nfirst\nb\nsecond\nc\n"));
        // Without headers, the second `-x` is found after the first.
        let patch = "*** Begin Patch\n*** Update File: f\n-x\n+1\n@@\n-x\n+2\n*** End Patch";
        let changes = apply(patch, &[("f", old)]).expect("applies");
        assert_eq!(changes[0].new.as_deref(), Some("a\n1\nb\n2\nc\n"));
    }

    #[test]
    fn later_hunks_see_earlier_ones() {
        let patch = "*** Begin Patch\n*** Add File: n.txt\n+one\n*** Update File: n.txt\n-one\n+two\n*** End Patch";
        let changes = apply(patch, &[]).expect("applies");
        assert_eq!(changes[1].old.as_deref(), Some("one\n"));
        assert_eq!(changes[1].new.as_deref(), Some("two\n"));
    }

    #[test]
    fn context_matches_with_trailing_whitespace_and_indentation() {
        let old = "[project]   \ndependencies = [\n  \"a\",\n]\n";
        let patch = "*** Begin Patch\n*** Update File: pyproject.toml\n@@ [project]\n dependencies = [\n-    \"a\",\n+    \"a\", \"b\",\n ]\n*** End Patch";
        let changes = apply(patch, &[("pyproject.toml", old)]).expect("applies");
        assert_eq!(
            changes[0].new.as_deref(),
            Some("[project]   \ndependencies = [\n    \"a\", \"b\",\n]\n")
        );
        // Typographic quotes in the patch still match.
        let patch =
            "*** Begin Patch\n*** Update File: f\n-say \u{201C}hi\u{201D}\n+bye\n*** End Patch";
        let changes = apply(patch, &[("f", "say \"hi\"\n")]).expect("applies");
        assert_eq!(changes[0].new.as_deref(), Some("bye\n"));
    }

    #[test]
    fn end_of_file_and_final_newline() {
        let old = "x\nend\nx";
        let patch = "*** Begin Patch\n*** Update File: f\n-x\n+y\n*** End of File\n*** End Patch";
        let changes = apply(patch, &[("f", old)]).expect("applies");
        // The last `x` is changed, and the file ends with a newline as Codex writes it.
        assert_eq!(changes[0].new.as_deref(), Some("x\nend\ny\n"));
        // A file with CRLF line endings keeps them.
        let patch = "*** Begin Patch\n*** Update File: f\n a\n+b\n*** End Patch";
        let changes = apply(patch, &[("f", "a\r\nc\r\n")]).expect("applies");
        assert_eq!(changes[0].new.as_deref(), Some("a\r\nb\r\nc\r\n"));
        // A pure addition goes to the end.
        let patch = "*** Begin Patch\n*** Update File: f\n@@\n+z\n*** End Patch";
        let changes = apply(patch, &[("f", "a\n")]).expect("applies");
        assert_eq!(changes[0].new.as_deref(), Some("a\nz\n"));
    }

    #[test]
    fn heredoc_wrapper_is_accepted() {
        let patch = "<<'EOF'\n*** Begin Patch\n*** Delete File: a\n*** End Patch\nEOF\n";
        let changes = apply(patch, &[("a", "1\n")]).expect("applies");
        assert_eq!(changes[0].path, "a");
    }

    #[test]
    fn lines_not_found_are_errors() {
        let patch = "*** Begin Patch\n*** Update File: f\n@@\n-missing\n+new\n*** End Patch";
        let err = apply(patch, &[("f", "a\n")]).expect_err("not found");
        assert!(err.contains("not in the file"), "{err}");
        let patch = "*** Begin Patch\n*** Update File: f\n@@ nowhere\n-a\n+b\n*** End Patch";
        let err = apply(patch, &[("f", "a\n")]).expect_err("context not found");
        assert!(err.contains("`nowhere`"), "{err}");
        // Searching forward: the second hunk cannot go back before the first.
        let patch = "*** Begin Patch\n*** Update File: f\n-b\n+B\n@@\n-a\n+A\n*** End Patch";
        assert!(apply(patch, &[("f", "a\nb\n")]).is_err());
        let patch = "*** Begin Patch\n*** Update File: missing\n-a\n+b\n*** End Patch";
        assert!(
            apply(patch, &[])
                .expect_err("missing")
                .contains("does not exist")
        );
        let patch = "*** Begin Patch\n*** Delete File: missing\n*** End Patch";
        assert!(apply(patch, &[]).is_err());
        // An end-of-file chunk overlapping an earlier one.
        let patch = "*** Begin Patch\n*** Update File: f\n-a\n-b\n+x\n@@\n-b\n+y\n*** End of File\n*** End Patch";
        let err = apply(patch, &[("f", "a\nb\n")]).expect_err("overlap");
        assert!(err.contains("overlapping"), "{err}");
    }

    #[test]
    fn malformed_patches_are_errors() {
        let cases = [
            "",
            "*** Add File: a\n+x\n*** End Patch",
            "*** Begin Patch\n*** Add File: a\n+x\n",
            "*** Begin Patch\n*** Frobnicate File: a\n*** End Patch",
            "*** Begin Patch\n*** Add File: \n+x\n*** End Patch",
            "*** Begin Patch\n*** Update File: a\n*** End Patch",
            "*** Begin Patch\n*** Update File: a\n@@\n*** End Patch",
            "*** Begin Patch\n*** Update File: a\nno prefix\n*** End Patch",
            "*** Begin Patch\n*** Update File: a\n-a\n+b\nnot a header\n*** End Patch",
            "*** Begin Patch\n*** Add File: a\n+x\ngarbage\n*** End Patch",
        ];
        for patch in cases {
            assert!(apply(patch, &[("a", "a\n")]).is_err(), "{patch:?}");
        }
        let err = apply(cases[3], &[]).expect_err("bad header");
        assert!(err.contains("not a valid hunk header"), "{err}");
    }

    #[test]
    fn edits_replace_strings() {
        assert_eq!(
            apply_edit("a = 1\nb = 2\n", "b = 2", "b = 3", false).as_deref(),
            Ok("a = 1\nb = 3\n")
        );
        assert_eq!(apply_edit("x x y", "x", "z", true).as_deref(), Ok("z z y"));
        let err = apply_edit("x x y", "x", "z", false).expect_err("ambiguous");
        assert!(err.contains("2 times"), "{err}");
        assert!(apply_edit("abc", "d", "e", false).is_err());
        assert!(apply_edit("abc", "d", "e", true).is_err());
        // Creating a file.
        assert_eq!(apply_edit("", "", "new", false).as_deref(), Ok("new"));
        assert!(apply_edit("content", "", "new", false).is_err());
        // CRLF files, edits sent with LF.
        assert_eq!(
            apply_edit("a\r\nb\r\n", "a\nb", "a\nc", false).as_deref(),
            Ok("a\r\nc\r\n")
        );
    }
}
