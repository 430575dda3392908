//! Renderers: one file per output format, all reading a finished [`Report`]. Renderers never
//! decide anything; they only show. To add a format: a file here, a variant of [`OutputFormat`]
//! and one arm in [`render`]. This module also owns what the formats share: turning a byte span
//! into the 1-based line/column region every format reports (`Region`).

mod github;
mod human;
mod json;
mod sarif;

use std::io::{self, Write};

use crate::{Location, Report};

/// The output formats of every command that reports findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Human,
    Json,
    Sarif,
    Github,
}

/// What a renderer needs beyond the report itself.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// Use ANSI colors (human format only).
    pub color: bool,
    /// The version string of the tool, e.g. `0.1.0`.
    pub tool_version: &'static str,
}

/// Writes `report` to `out` in `format`.
pub fn render(
    report: &Report,
    format: OutputFormat,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        OutputFormat::Human => human::render(report, options, out),
        OutputFormat::Json => json::render(report, options, out),
        OutputFormat::Sarif => sarif::render(report, options, out),
        OutputFormat::Github => github::render(report, options, out),
    }
}

/// A location as the machine formats report it: 1-based lines and columns (columns count
/// characters), the end exclusive, so a span covering `abc` at column 1 ends at column 4 and an
/// empty span ends where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Region {
    pub start_line: usize,
    pub start_column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Region {
    /// A span that ends just after a line break (a whole line taken with its newline) ends at the
    /// end of that line, not at column 1 of the next one: annotations then stay on the line the
    /// user has to look at.
    pub fn of(location: &Location) -> Self {
        let file = &location.file;
        let text = file.text();
        let start_offset = location.span.start.min(text.len());
        let end_offset = location.span.end.clamp(start_offset, text.len());
        let start = file.line_col(start_offset);
        let ends_with_newline =
            end_offset > start_offset && text.as_bytes()[end_offset - 1] == b'\n';
        let (end_line, end_column) = if ends_with_newline {
            let line = file.line_col(end_offset - 1).line;
            (line, file.line_text(line).chars().count() + 1)
        } else {
            let end = file.line_col(end_offset);
            (end.line, end.column)
        };
        // A span that starts on the line break it ends with (`\r\n` alone) must not end before it
        // starts.
        let (end_line, end_column) = if (end_line, end_column) < (start.line, start.column) {
            (start.line, start.column)
        } else {
            (end_line, end_column)
        };
        Self {
            start_line: start.line,
            start_column: start.column,
            end_line,
            end_column,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SourceFile;

    fn region(text: &str, span: std::ops::Range<usize>) -> Region {
        let file = SourceFile::new("a.toml", text);
        Region::of(&Location::new(&file, span))
    }

    #[test]
    fn region_end_is_exclusive() {
        let r = region("abc = 1\n", 0..3);
        assert_eq!(
            r,
            Region {
                start_line: 1,
                start_column: 1,
                end_line: 1,
                end_column: 4
            }
        );
    }

    #[test]
    fn region_of_span_ending_at_end_of_line() {
        let text = "[tool.uv]\nexclude-newer = \"7 days\"\n";
        let file = SourceFile::new("a.toml", text);
        // Up to the end of the line's text, as `Location::line` makes it.
        let r = Region::of(&Location::line(&file, 2));
        assert_eq!(
            r,
            Region {
                start_line: 2,
                start_column: 1,
                end_line: 2,
                end_column: 25
            }
        );
        // The same line taken with its newline ends on the same line, not on line 3.
        let r = Region::of(&Location::new(&file, 10..text.len()));
        assert_eq!(
            r,
            Region {
                start_line: 2,
                start_column: 1,
                end_line: 2,
                end_column: 25
            }
        );
        // And with a CRLF line ending.
        let r = region("a = 1\r\nb = 2\r\n", 0..7);
        assert_eq!(
            r,
            Region {
                start_line: 1,
                start_column: 1,
                end_line: 1,
                end_column: 6
            }
        );
        // A span over a line without a trailing newline, at the end of the file.
        let r = region("a = 1\nb = 22", 6..12);
        assert_eq!(
            r,
            Region {
                start_line: 2,
                start_column: 1,
                end_line: 2,
                end_column: 7
            }
        );
    }

    #[test]
    fn region_of_empty_span_ends_where_it_starts() {
        let r = region("a = 1\nb = 2\n", 8..8);
        assert_eq!(
            r,
            Region {
                start_line: 2,
                start_column: 3,
                end_line: 2,
                end_column: 3
            }
        );
        let r = region("", 0..0);
        assert_eq!(
            r,
            Region {
                start_line: 1,
                start_column: 1,
                end_line: 1,
                end_column: 1
            }
        );
    }

    #[test]
    fn region_clamps_spans_outside_the_text() {
        let r = region("ab\n", std::ops::Range { start: 2, end: 1 });
        assert_eq!(
            r,
            Region {
                start_line: 1,
                start_column: 3,
                end_line: 1,
                end_column: 3
            }
        );
        let r = region("ab", 1..99);
        assert_eq!(
            r,
            Region {
                start_line: 1,
                start_column: 2,
                end_line: 1,
                end_column: 3
            }
        );
    }

    #[test]
    fn region_counts_characters_not_bytes() {
        let r = region("name = \"çé\"\n", 7..13);
        assert_eq!(
            r,
            Region {
                start_line: 1,
                start_column: 8,
                end_line: 1,
                end_column: 12
            }
        );
    }
}
