//! The GitHub format: one GitHub Actions workflow command per finding (`::error`, `::warning` or
//! `::notice`), so findings show up as annotations on the pull request's diff.

use std::io::{self, Write};

use super::{Region, RenderOptions};
use crate::{Finding, Report, Severity};

pub(super) fn render(
    report: &Report,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let _ = options;
    for finding in &report.findings {
        writeln!(out, "{}", command(finding))?;
    }
    Ok(())
}

fn command(finding: &Finding) -> String {
    let level = match finding.severity {
        Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "notice",
    };
    let mut properties = Vec::new();
    if let Some(location) = &finding.location {
        let region = Region::of(location);
        properties.push(format!("file={}", escape_property(location.file.path())));
        properties.push(format!("line={}", region.start_line));
        properties.push(format!("col={}", region.start_column));
        properties.push(format!("endLine={}", region.end_line));
        properties.push(format!("endColumn={}", region.end_column));
    } else if let Some(a) = &finding.archive {
        properties.push(format!("file={}", escape_property(&a.path)));
        if let Some(line) = a.line {
            properties.push(format!("line={line}"));
        }
    }
    properties.push(format!(
        "title={}",
        escape_property(&format!("cordon {}", finding.id))
    ));
    let message = escape_data(&format!("{} (help: {})", finding.message, finding.help));
    format!("::{level} {}::{message}", properties.join(","))
}

/// The message part of a workflow command: a newline must not end the command early.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: as [`escape_data`], and `:` and `,` would end the value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Location, SourceFile, Where};

    const PYPROJECT: &str = "[project]\nname = \"demo\"\ndependencies = [\"requests>=2\"]\n";

    fn rendered(report: &Report) -> String {
        let mut out = Vec::new();
        let options = RenderOptions {
            color: true,
            tool_version: "0.1.0",
        };
        render(report, &options, &mut out).expect("render");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn one_command_per_finding_with_level_by_severity() {
        let pyproject = SourceFile::new("pyproject.toml", PYPROJECT);
        let lock = SourceFile::new("uv.lock", "version = 1\nrevision = 3\n");
        let dep = PYPROJECT.find("\"requests>=2\"").expect("dep");
        let mut report = Report::new("check", Vec::new());
        report.findings.push(
            Finding::new(
                "dependency-not-exact",
                Severity::Medium,
                "dependency `requests` is not pinned to an exact version",
                "pin it with `==`",
                Location::new(&pyproject, dep..dep + 13),
            )
            .with_related("locked here", Location::line(&lock, 2))
            .with_package("requests", Some("2.32.3".to_owned())),
        );
        report.findings.push(Finding::new(
            "cooldown-missing",
            Severity::High,
            "no release cooldown is configured for uv",
            "add `exclude-newer = \"7 days\"` under [tool.uv]",
            Where::Project,
        ));
        report.findings.push(Finding::new(
            "lock-upload-time-missing",
            Severity::Low,
            "m",
            "h",
            Location::line(&lock, 1),
        ));
        report
            .findings
            .push(Finding::new("x", Severity::Info, "m", "h", Where::Project));
        let want = "\
::warning file=pyproject.toml,line=3,col=17,endLine=3,endColumn=30,title=cordon dependency-not-exact::dependency `requests` is not pinned to an exact version (help: pin it with `==`)
::error title=cordon cooldown-missing::no release cooldown is configured for uv (help: add `exclude-newer = \"7 days\"` under [tool.uv])
::notice file=uv.lock,line=1,col=1,endLine=1,endColumn=12,title=cordon lock-upload-time-missing::m (help: h)
::notice title=cordon x::m (help: h)
";
        assert_eq!(rendered(&report), want);
    }

    #[test]
    fn escapes_message_and_properties() {
        let file = SourceFile::new("odd,dir/a:b%.toml", "a = 1\n");
        let mut report = Report::new("check", Vec::new());
        report.findings.push(Finding::new(
            "x",
            Severity::High,
            "100% sure:\r\nline two, really",
            "a, b: c",
            Location::new(&file, 0..1),
        ));
        let want = "::error file=odd%2Cdir/a%3Ab%25.toml,line=1,col=1,endLine=1,endColumn=2,title=cordon x::100%25 sure:%0D%0Aline two, really (help: a, b: c)\n";
        assert_eq!(rendered(&report), want);
    }

    #[test]
    fn end_of_line_and_empty_spans() {
        let text = "[tool.uv]\nexclude-newer = \"1 day\"\n";
        let file = SourceFile::new("pyproject.toml", text);
        let mut report = Report::new("check", Vec::new());
        report.findings.push(Finding::new(
            "a",
            Severity::Low,
            "m",
            "h",
            Location::new(&file, 10..text.len()),
        ));
        report.findings.push(Finding::new(
            "b",
            Severity::Low,
            "m",
            "h",
            Location::new(&file, 9..9),
        ));
        let want = "\
::notice file=pyproject.toml,line=2,col=1,endLine=2,endColumn=24,title=cordon a::m (help: h)
::notice file=pyproject.toml,line=1,col=10,endLine=1,endColumn=10,title=cordon b::m (help: h)
";
        assert_eq!(rendered(&report), want);
    }

    #[test]
    fn no_findings_no_output() {
        assert_eq!(rendered(&Report::new("check", Vec::new())), "");
    }
}
