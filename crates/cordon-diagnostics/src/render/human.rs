//! The human format: one rustc/ruff-style diagnostic per finding, drawn with `annotate-snippets`
//! (the source lines of the primary location underlined, related locations as labelled secondary
//! annotations, then the help line), and a closing summary line. Reads fine without color; colors
//! are plain ANSI, only when asked for.

use std::io::{self, Write};
use std::ops::Range;
use std::sync::Arc;

use annotate_snippets::{
    Annotation, AnnotationKind, Group, Level, Renderer, Snippet, normalize_untrusted_str,
};

use super::RenderOptions;
use crate::{
    ArtifactEntry, Confidence, Finding, Location, PackageEntry, Report, Severity, SourceFile,
    Summary,
};

const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

pub(super) fn render(
    report: &Report,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    if let Some(artifacts) = &report.artifacts {
        return render_scan(artifacts, options, out);
    }
    if let Some(packages) = &report.packages {
        return render_vet(packages, options, out);
    }
    let renderer = if options.color {
        Renderer::styled().hyperlink(false)
    } else {
        Renderer::plain()
    };
    for finding in &report.findings {
        let (main, help, bare) = groups(finding);
        if bare {
            // Without a snippet or note there is nothing for a `|` gutter to lead into.
            writeln!(out, "{}", renderer.render(&[main]))?;
            writeln!(out, "{}", renderer.render(&[help]))?;
        } else {
            writeln!(out, "{}", renderer.render(&[main, help]))?;
        }
        writeln!(out)?;
    }
    let summary = summary_line(&report.summary());
    if options.color {
        writeln!(out, "{BOLD}{summary}{RESET}")
    } else {
        writeln!(out, "{summary}")
    }
}

/// `cordon scan`: one line per artifact with its verdict; for anything not clean, the reasons and
/// the evidence (member, line, message, and the source made safe to print).
/// Evidence lines shown per artifact in human output (JSON has them all).
const SHOWN: usize = 20;

fn render_scan(
    artifacts: &[ArtifactEntry],
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let paint = |code: &str, text: &str| paint(options, code, text);
    let mut counts = [0usize; 3];
    for a in artifacts {
        let (code, i) = verdict_slot(a.verdict, "malicious", "suspicious");
        counts[i] += 1;
        let what = match (&a.name, &a.version) {
            (Some(n), Some(v)) => format!(" ({n} {v})"),
            (Some(n), None) => format!(" ({n})"),
            _ => String::new(),
        };
        writeln!(
            out,
            "{} {}{what}  score {}",
            paint(code, &format!("{:<10}", a.verdict)),
            a.path,
            a.score
        )?;
        if a.verdict == "clean" {
            continue;
        }
        for r in &a.reasons {
            writeln!(out, "  why: {r}")?;
        }
        // The evidence, strongest first; context (Info) too, since it is part of the chain.
        for f in a.findings.iter().take(SHOWN) {
            let at = f.archive.as_ref().map_or(String::new(), |l| {
                let member = l.member.clone().unwrap_or_default();
                match (l.line, l.column) {
                    (Some(line), Some(col)) => format!("{member}:{line}:{col}"),
                    (Some(line), None) => format!("{member}:{line}"),
                    _ => member,
                }
            });
            writeln!(
                out,
                "  {:<6} {:<20} {at}  {}",
                f.severity.as_str(),
                f.id,
                f.message
            )?;
            if let Some(snippet) = f.archive.as_ref().and_then(|l| l.snippet.as_deref()) {
                writeln!(out, "         | {snippet}")?;
            }
        }
        if a.findings.len() > SHOWN {
            writeln!(
                out,
                "  … and {} more (see --format json)",
                a.findings.len() - SHOWN
            )?;
        }
        writeln!(out)?;
    }
    let line = format!(
        "scanned {} artifact{}: {} malicious, {} suspicious, {} clean",
        artifacts.len(),
        if artifacts.len() == 1 { "" } else { "s" },
        counts[0],
        counts[1],
        counts[2]
    );
    writeln!(out, "{}", paint(BOLD, &line))
}

/// `text` in the colour `code` when colours are on.
fn paint(options: &RenderOptions, code: &str, text: &str) -> String {
    if options.color {
        format!("{code}{text}{RESET}")
    } else {
        text.to_owned()
    }
}

/// The colour and tally slot of a verdict: `worst` red (0), `middle` yellow (1), else green (2).
fn verdict_slot(verdict: &str, worst: &str, middle: &str) -> (&'static str, usize) {
    if verdict == worst {
        ("\x1b[1;31m", 0)
    } else if verdict == middle {
        ("\x1b[1;33m", 1)
    } else {
        ("\x1b[32m", 2)
    }
}

/// `cordon vet`: one line per package with its verdict, then its reasons (worst first) and
/// what to do about each.
fn render_vet(
    packages: &[PackageEntry],
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let paint = |code: &str, text: &str| paint(options, code, text);
    let mut counts = [0usize; 3];
    for p in packages {
        let (code, i) = verdict_slot(p.verdict, "block", "review");
        counts[i] += 1;
        let version = p
            .version
            .as_deref()
            .map_or(String::new(), |v| format!(" {v}"));
        let via = p
            .required_by
            .as_deref()
            .map_or(String::new(), |r| format!("  (brought in by {r})"));
        writeln!(
            out,
            "{} {}{version}{via}",
            paint(code, &format!("{:<7}", p.verdict)),
            normalize_untrusted_str(&p.name)
        )?;
        let mut reasons: Vec<&Finding> = p.reasons.iter().collect();
        reasons.sort_by_key(|f| std::cmp::Reverse(f.severity));
        for f in reasons {
            writeln!(
                out,
                "  {:<6} {:<24} {}",
                f.severity.as_str(),
                f.id,
                normalize_untrusted_str(&f.message)
            )?;
            if f.severity >= Severity::Medium {
                writeln!(out, "         = help: {}", normalize_untrusted_str(&f.help))?;
            }
        }
        writeln!(out)?;
    }
    let line = format!(
        "vetted {} package{}: {} block, {} review, {} allow",
        packages.len(),
        if packages.len() == 1 { "" } else { "s" },
        counts[0],
        counts[1],
        counts[2]
    );
    writeln!(out, "{}", paint(BOLD, &line))
}

/// `found 3 findings: 1 high, 2 medium, 0 low, 0 info`, or `no findings`.
fn summary_line(s: &Summary) -> String {
    let total = s.high + s.medium + s.low + s.info;
    if total == 0 {
        return "no findings".to_owned();
    }
    let noun = if total == 1 { "finding" } else { "findings" };
    format!(
        "found {total} {noun}: {} high, {} medium, {} low, {} info",
        s.high, s.medium, s.low, s.info
    )
}

/// The level a severity is drawn with: its name in the header, the color of the error family it
/// most resembles.
fn level(severity: Severity) -> Level<'static> {
    let base = match severity {
        Severity::High => Level::ERROR,
        Severity::Medium => Level::WARNING,
        Severity::Low => Level::NOTE,
        Severity::Info => Level::INFO,
    };
    base.with_name(severity.as_str())
}

/// The finding's main group (header, snippets, notes), its help group, and whether the main group
/// is only a header.
fn groups(finding: &Finding) -> (Group<'_>, Group<'_>, bool) {
    // Text from findings can come from an index or a package: every piece of it goes through
    // `normalize_untrusted_str`, which turns control characters (terminal escapes) into visible
    // symbols. `annotate-snippets` does that itself only for titles and source text.
    let title = level(finding.severity)
        .primary_title(finding.message.as_str())
        .id(finding.id);
    let mut elements: Vec<annotate_snippets::Element<'_>> = Vec::new();

    // One snippet per file, the primary location's file first; related locations in the same
    // file share its snippet.
    let mut files: Vec<FileSnippet<'_>> = Vec::new();
    if let Some(location) = &finding.location {
        file_entry(&mut files, &location.file).marks.push(Mark {
            kind: AnnotationKind::Primary,
            span: clamp(location),
            label: None,
        });
    }
    for related in &finding.related {
        let location = &related.location;
        file_entry(&mut files, &location.file).marks.push(Mark {
            kind: AnnotationKind::Context,
            span: clamp(location),
            label: Some(normalize_untrusted_str(&related.message)),
        });
    }
    for file in &files {
        elements.push(file.snippet().into());
    }

    if let Some(package) = &finding.package {
        let text = match &package.version {
            Some(version) => format!("{} {version}", package.name),
            None => package.name.clone(),
        };
        elements.push(
            Level::NOTE
                .with_name("package")
                .message(normalize_untrusted_str(&text))
                .into(),
        );
    }
    if finding.confidence != Confidence::High {
        elements.push(
            Level::NOTE
                .with_name("confidence")
                .message(finding.confidence.as_str())
                .into(),
        );
    }

    let help =
        Group::with_title(Level::HELP.secondary_title(normalize_untrusted_str(&finding.help)));
    let bare = elements.is_empty();
    (Group::with_title(title).elements(elements), help, bare)
}

struct Mark {
    kind: AnnotationKind,
    span: Range<usize>,
    label: Option<String>,
}

struct FileSnippet<'a> {
    file: &'a Arc<SourceFile>,
    marks: Vec<Mark>,
}

fn file_entry<'a, 'b>(
    files: &'b mut Vec<FileSnippet<'a>>,
    file: &'a Arc<SourceFile>,
) -> &'b mut FileSnippet<'a> {
    // Spans index the text they were taken from, so only the same text may share a snippet.
    let found = files.iter().position(|f| {
        Arc::ptr_eq(f.file, file) || (f.file.path() == file.path() && f.file.text() == file.text())
    });
    let index = if let Some(index) = found {
        index
    } else {
        files.push(FileSnippet {
            file,
            marks: Vec::new(),
        });
        files.len() - 1
    };
    &mut files[index]
}

impl<'a> FileSnippet<'a> {
    /// Only the lines from the first mark to the last are handed to `annotate-snippets`, so a
    /// finding in a 10 000-line lock file does not make it index the whole file.
    fn snippet(&self) -> Snippet<'a, Annotation<'a>> {
        let text = self.file.text();
        let first = self.marks.iter().map(|m| m.span.start).min().unwrap_or(0);
        let last = self.marks.iter().map(|m| m.span.end).max().unwrap_or(0);
        let first_line = self.file.line_col(first).line;
        let last_line = self.file.line_col(last).line;
        let start = self.file.line_start(first_line).unwrap_or(0);
        let end = self
            .file
            .line_start(last_line)
            .map_or(text.len(), |s| s + self.file.line_text(last_line).len());
        let end = end.max(last).min(text.len());
        let source = &text[start..end];
        let annotations = self.marks.iter().map(|m| {
            let span =
                (m.span.start - start).min(source.len())..(m.span.end - start).min(source.len());
            let annotation = m.kind.span(span);
            match &m.label {
                Some(label) => annotation.label(label.clone()),
                None => annotation,
            }
        });
        Snippet::source(source)
            .line_start(first_line)
            .path(normalize_untrusted_str(self.file.path()))
            .annotations(annotations)
    }
}

/// The span of `location`, clamped to the text and to character boundaries, never inverted.
fn clamp(location: &Location) -> Range<usize> {
    let text = location.file.text();
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(location.span.start);
    let end = floor(location.span.end).max(start);
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RuleInfo, SourceFile, Where};

    const PYPROJECT: &str = "[project]\nname = \"demo\"\ndependencies = [\"requests>=2\"]\n\n[tool.uv]\nindex-strategy = \"unsafe-best-match\"\n";

    fn options(color: bool) -> RenderOptions {
        RenderOptions {
            color,
            tool_version: "0.1.0",
        }
    }

    fn rendered(report: &Report, color: bool) -> String {
        let mut out = Vec::new();
        render(report, &options(color), &mut out).expect("render");
        String::from_utf8(out).expect("utf-8")
    }

    fn sample() -> Report {
        let pyproject = SourceFile::new("pyproject.toml", PYPROJECT);
        let lock = SourceFile::new("uv.lock", "version = 1\nrevision = 3\n");
        let mut report = Report::new("check", Vec::<RuleInfo>::new());
        let dep = PYPROJECT.find("\"requests>=2\"").expect("dep");
        let strategy = PYPROJECT.find("index-strategy").expect("strategy");
        report.findings.push(
            Finding::new(
                "dependency-not-exact",
                Severity::Medium,
                "dependency `requests` is not pinned to an exact version",
                "pin it with `==`, e.g. `requests==2.32.3`",
                Location::new(&pyproject, dep..dep + 13),
            )
            .with_related("the lock says `2.32.3`", Location::line(&lock, 2))
            .with_related("resolved with this strategy", Location::line(&pyproject, 6))
            .with_package("requests", Some("2.32.3".to_owned()))
            .with_confidence(Confidence::Medium),
        );
        report.findings.push(Finding::new(
            "index-strategy-unsafe",
            Severity::High,
            "`index-strategy` lets any index serve any package",
            "remove `index-strategy` or set it to `first-index`",
            Location::new(&pyproject, strategy..strategy + 14),
        ));
        report.findings.push(Finding::new(
            "cooldown-missing",
            Severity::High,
            "no release cooldown is configured for uv",
            "add `exclude-newer = \"7 days\"` under [tool.uv]",
            Where::Project,
        ));
        report
    }

    #[test]
    fn prints_snippets_related_locations_help_and_summary() {
        let want = r#"medium[dependency-not-exact]: dependency `requests` is not pinned to an exact version
 --> pyproject.toml:3:17
  |
3 | dependencies = ["requests>=2"]
  |                 ^^^^^^^^^^^^^
...
6 | index-strategy = "unsafe-best-match"
  | ------------------------------------ resolved with this strategy
  |
 ::: uv.lock:2:1
  |
2 | revision = 3
  | ------------ the lock says `2.32.3`
  |
  = package: requests 2.32.3
  = confidence: medium
help: pin it with `==`, e.g. `requests==2.32.3`

high[index-strategy-unsafe]: `index-strategy` lets any index serve any package
 --> pyproject.toml:6:1
  |
6 | index-strategy = "unsafe-best-match"
  | ^^^^^^^^^^^^^^
  |
help: remove `index-strategy` or set it to `first-index`

high[cooldown-missing]: no release cooldown is configured for uv
help: add `exclude-newer = "7 days"` under [tool.uv]

found 3 findings: 2 high, 1 medium, 0 low, 0 info
"#;
        assert_eq!(rendered(&sample(), false), want);
    }

    #[test]
    fn empty_span_and_span_to_end_of_line() {
        let text = "[tool.uv]\r\nexclude-newer = \"1 day\"\r\n";
        let file = SourceFile::new("pyproject.toml", text);
        let mut report = Report::new("check", Vec::new());
        report.findings.push(Finding::new(
            "a",
            Severity::Low,
            "to the end",
            "h",
            Location::new(&file, 11..text.len()),
        ));
        report.findings.push(Finding::new(
            "b",
            Severity::Info,
            "empty",
            "h",
            Location::new(&file, 9..9),
        ));
        let want = r#"low[a]: to the end
 --> pyproject.toml:2:1
  |
2 | exclude-newer = "1 day"
  | ^^^^^^^^^^^^^^^^^^^^^^^
  |
help: h

info[b]: empty
 --> pyproject.toml:1:10
  |
1 | [tool.uv]
  |          ^
  |
help: h

found 2 findings: 0 high, 0 medium, 1 low, 1 info
"#;
        assert_eq!(rendered(&report, false), want);
    }

    #[test]
    fn spans_outside_the_text_or_inside_a_character_do_not_panic() {
        let file = SourceFile::new("a.toml", "é = 1\n");
        let empty = SourceFile::new("empty.toml", "");
        let mut report = Report::new("check", Vec::new());
        report.findings.push(Finding::new(
            "a",
            Severity::Low,
            "m",
            "h",
            Location::new(&file, 1..99),
        ));
        report.findings.push(Finding::new(
            "b",
            Severity::Low,
            "m",
            "h",
            Location::new(&file, Range { start: 5, end: 2 }),
        ));
        report.findings.push(Finding::new(
            "c",
            Severity::Low,
            "m",
            "h",
            Location::new(&empty, 0..0),
        ));
        let got = rendered(&report, false);
        assert!(got.contains(" --> empty.toml:1:1\n"), "{got}");
        assert!(
            got.ends_with("found 3 findings: 0 high, 0 medium, 3 low, 0 info\n"),
            "{got}"
        );
    }

    #[test]
    fn related_location_without_primary_is_still_shown() {
        let file = SourceFile::new("uv.toml", "index-url = \"http://127.0.0.1/simple\"\n");
        let mut report = Report::new("check", Vec::new());
        report.findings.push(
            Finding::new("insecure-index", Severity::High, "m", "h", Where::Project)
                .with_related("configured here", Location::line(&file, 1)),
        );
        let got = rendered(&report, false);
        assert!(got.contains(" --> uv.toml:1:1\n"), "{got}");
        assert!(got.contains("- configured here\n"), "{got}");
    }

    #[test]
    fn summary_counts_and_grammar() {
        assert_eq!(
            rendered(&Report::new("check", Vec::new()), false),
            "no findings\n"
        );
        let mut report = Report::new("check", Vec::new());
        report
            .findings
            .push(Finding::new("x", Severity::Info, "m", "h", Where::Project));
        let got = rendered(&report, false);
        assert!(
            got.ends_with("\nfound 1 finding: 0 high, 0 medium, 0 low, 1 info\n"),
            "{got}"
        );
    }

    #[test]
    fn color_only_when_asked() {
        let plain = rendered(&sample(), false);
        assert!(!plain.contains('\x1b'), "{plain}");
        let colored = rendered(&sample(), true);
        assert!(colored.contains("\x1b["), "{colored}");
        // Hyperlink escapes (OSC 8) would garble terminals and logs that do not know them.
        assert!(!colored.contains("\x1b]"), "{colored}");
        assert!(
            colored.ends_with("\x1b[1mfound 3 findings: 2 high, 1 medium, 0 low, 0 info\x1b[0m\n")
        );
    }

    #[test]
    fn terminal_escapes_in_untrusted_text_are_neutralised() {
        // Package names and help text can come from an index: they must not drive the terminal.
        let mut report = Report::new("vet", Vec::new());
        report.findings.push(
            Finding::new(
                "known-malicious",
                Severity::High,
                "evil\x1b[2J",
                "run \x1b]0;x\x07",
                Where::Project,
            )
            .with_package("pkg\x1b[31m", Some("1.0".to_owned()))
            .with_related(
                "here\x1b[1m",
                Location::line(&SourceFile::new("a\x1b.toml", "x\x1b = 1\n"), 1),
            ),
        );
        let got = rendered(&report, false);
        assert!(!got.contains('\x1b'), "{got:?}");
    }
}
