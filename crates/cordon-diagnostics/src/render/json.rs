//! The JSON format, version 1 (see DESIGN.md, "JSON output, format version 1"). The wire structs
//! here are the format: fields may be added, never renamed or removed.

use std::io::{self, Write};

use serde::Serialize;

use super::{Region, RenderOptions};
use crate::{ArchiveLocation, Finding, Location, Report};

/// Bumped only for a change that is not an addition.
const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Output<'a> {
    tool: &'static str,
    version: &'a str,
    format_version: u32,
    command: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    artifacts: Option<Vec<WireArtifact<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    packages: Option<Vec<WirePackageEntry<'a>>>,
    findings: Vec<WireFinding<'a>>,
    summary: WireSummary,
}

#[derive(Serialize)]
struct WireArtifact<'a> {
    path: &'a str,
    kind: &'a str,
    name: Option<&'a str>,
    version: Option<&'a str>,
    verdict: &'a str,
    score: u32,
    reasons: &'a [String],
    findings: Vec<WireFinding<'a>>,
}

#[derive(Serialize)]
struct WirePackageEntry<'a> {
    name: &'a str,
    version: Option<&'a str>,
    verdict: &'a str,
    reasons: Vec<WireFinding<'a>>,
    required_by: Option<&'a str>,
}

#[derive(Serialize)]
struct WireFinding<'a> {
    id: &'a str,
    severity: &'static str,
    confidence: &'static str,
    message: &'a str,
    help: &'a str,
    location: Option<WireLocation<'a>>,
    related: Vec<WireRelated<'a>>,
    package: Option<WirePackage<'a>>,
    fixable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<&'a str>,
}

#[derive(Serialize)]
struct WireLocation<'a> {
    path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    member: Option<&'a str>,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
struct WireRelated<'a> {
    message: &'a str,
    location: WireLocation<'a>,
}

#[derive(Serialize)]
struct WirePackage<'a> {
    name: &'a str,
    version: Option<&'a str>,
}

#[derive(Serialize)]
struct WireSummary {
    high: usize,
    medium: usize,
    low: usize,
    info: usize,
}

pub(super) fn render(
    report: &Report,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let summary = report.summary();
    let output = Output {
        tool: "cordon",
        version: options.tool_version,
        format_version: FORMAT_VERSION,
        command: report.command,
        artifacts: report.artifacts.as_ref().map(|list| {
            list.iter()
                .map(|a| WireArtifact {
                    path: &a.path,
                    kind: a.kind,
                    name: a.name.as_deref(),
                    version: a.version.as_deref(),
                    verdict: a.verdict,
                    score: a.score,
                    reasons: &a.reasons,
                    findings: a.findings.iter().map(wire_finding).collect(),
                })
                .collect()
        }),
        packages: report.packages.as_ref().map(|list| {
            list.iter()
                .map(|p| WirePackageEntry {
                    name: &p.name,
                    version: p.version.as_deref(),
                    verdict: p.verdict,
                    reasons: p.reasons.iter().map(wire_finding).collect(),
                    required_by: p.required_by.as_deref(),
                })
                .collect()
        }),
        findings: report.findings.iter().map(wire_finding).collect(),
        summary: WireSummary {
            high: summary.high,
            medium: summary.medium,
            low: summary.low,
            info: summary.info,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &output)?;
    writeln!(out)
}

fn wire_finding(finding: &Finding) -> WireFinding<'_> {
    WireFinding {
        id: finding.id,
        severity: finding.severity.as_str(),
        confidence: finding.confidence.as_str(),
        message: &finding.message,
        help: &finding.help,
        location: finding
            .location
            .as_ref()
            .map(wire_location)
            .or_else(|| finding.archive.as_ref().map(archive_location)),
        related: finding
            .related
            .iter()
            .map(|r| WireRelated {
                message: &r.message,
                location: wire_location(&r.location),
            })
            .collect(),
        package: finding.package.as_ref().map(|p| WirePackage {
            name: &p.name,
            version: p.version.as_deref(),
        }),
        fixable: finding.fixable,
        snippet: finding.archive.as_ref().and_then(|a| a.snippet.as_deref()),
    }
}

/// A place inside an archive: the artifact's path, the member beside it, and the line (the
/// whole line: evidence carries no end).
fn archive_location(a: &ArchiveLocation) -> WireLocation<'_> {
    let line = a.line.unwrap_or(1);
    let column = a.column.unwrap_or(1);
    WireLocation {
        path: &a.path,
        member: a.member.as_deref(),
        line,
        column,
        end_line: line,
        end_column: column,
    }
}

fn wire_location(location: &Location) -> WireLocation<'_> {
    let region = Region::of(location);
    WireLocation {
        path: location.file.path(),
        member: None,
        line: region.start_line,
        column: region.start_column,
        end_line: region.end_line,
        end_column: region.end_column,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::{Confidence, RuleInfo, Severity, SourceFile, Where};

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

    fn sample() -> Report {
        let pyproject = SourceFile::new("pyproject.toml", PYPROJECT);
        let lock = SourceFile::new("uv.lock", "version = 1\nrevision = 3\n");
        let dep = PYPROJECT.find("\"requests>=2\"").expect("dep");
        let mut report = Report::new("check", Vec::<RuleInfo>::new());
        report.findings.push(
            Finding::new(
                "dependency-not-exact",
                Severity::Medium,
                "dependency `requests` is not pinned to an exact version",
                "pin it with `==`",
                Location::new(&pyproject, dep..dep + 13),
            )
            .with_confidence(Confidence::Low)
            .with_related("locked here", Location::line(&lock, 2))
            .with_package("requests", Some("2.32.3".to_owned()))
            .fixable(true),
        );
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
    fn writes_format_version_1() {
        let text = rendered(&sample());
        let got: Value = serde_json::from_str(&text).expect("valid json");
        let want = json!({
            "tool": "cordon",
            "version": "0.1.0",
            "format_version": 1,
            "command": "check",
            "findings": [
                {
                    "id": "dependency-not-exact",
                    "severity": "medium",
                    "confidence": "low",
                    "message": "dependency `requests` is not pinned to an exact version",
                    "help": "pin it with `==`",
                    "location": {"path": "pyproject.toml", "line": 3, "column": 17, "end_line": 3, "end_column": 30},
                    "related": [{
                        "message": "locked here",
                        "location": {"path": "uv.lock", "line": 2, "column": 1, "end_line": 2, "end_column": 13},
                    }],
                    "package": {"name": "requests", "version": "2.32.3"},
                    "fixable": true,
                },
                {
                    "id": "cooldown-missing",
                    "severity": "high",
                    "confidence": "high",
                    "message": "no release cooldown is configured for uv",
                    "help": "add `exclude-newer = \"7 days\"` under [tool.uv]",
                    "location": null,
                    "related": [],
                    "package": null,
                    "fixable": false,
                },
            ],
            "summary": {"high": 1, "medium": 1, "low": 0, "info": 0},
        });
        assert_eq!(got, want);
    }

    #[test]
    fn is_pretty_printed_with_two_spaces_and_a_trailing_newline() {
        let report = Report::new("scan", Vec::new());
        let text = rendered(&report);
        let want = "{\n  \"tool\": \"cordon\",\n  \"version\": \"0.1.0\",\n  \"format_version\": 1,\n  \"command\": \"scan\",\n  \"findings\": [],\n  \"summary\": {\n    \"high\": 0,\n    \"medium\": 0,\n    \"low\": 0,\n    \"info\": 0\n  }\n}\n";
        assert_eq!(text, want);
    }

    #[test]
    fn keeps_field_order_of_the_format() {
        let text = rendered(&sample());
        let keys = [
            "\"id\"",
            "\"severity\"",
            "\"confidence\"",
            "\"message\"",
            "\"help\"",
            "\"location\"",
            "\"related\"",
            "\"package\"",
            "\"fixable\"",
        ];
        let positions: Vec<usize> = keys.iter().map(|k| text.find(k).expect(k)).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    }

    #[test]
    fn package_without_version_has_null_version() {
        let mut report = Report::new("vet", Vec::new());
        report.findings.push(
            Finding::new(
                "typosquat-suspect",
                Severity::High,
                "m",
                "h",
                Where::Project,
            )
            .with_package("reqeusts", None),
        );
        let got: Value = serde_json::from_str(&rendered(&report)).expect("valid json");
        assert_eq!(
            got["findings"][0]["package"],
            json!({"name": "reqeusts", "version": null})
        );
    }

    #[test]
    fn end_of_line_and_empty_spans() {
        let text = "[tool.uv]\nexclude-newer = \"1 day\"\n";
        let file = SourceFile::new("pyproject.toml", text);
        let mut report = Report::new("check", Vec::new());
        // The whole of line 2, with and without its newline.
        report.findings.push(Finding::new(
            "a",
            Severity::Low,
            "m",
            "h",
            Location::line(&file, 2),
        ));
        report.findings.push(Finding::new(
            "b",
            Severity::Low,
            "m",
            "h",
            Location::new(&file, 10..text.len()),
        ));
        // An empty span: an insertion point after `[tool.uv]`.
        report.findings.push(Finding::new(
            "c",
            Severity::Low,
            "m",
            "h",
            Location::new(&file, 9..9),
        ));
        let got: Value = serde_json::from_str(&rendered(&report)).expect("valid json");
        let line2 = json!({"path": "pyproject.toml", "line": 2, "column": 1, "end_line": 2, "end_column": 24});
        assert_eq!(got["findings"][0]["location"], line2);
        assert_eq!(got["findings"][1]["location"], line2);
        assert_eq!(
            got["findings"][2]["location"],
            json!({"path": "pyproject.toml", "line": 1, "column": 10, "end_line": 1, "end_column": 10})
        );
    }
}
