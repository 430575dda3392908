//! The SARIF 2.1.0 format: one run, one rule per entry of [`Report::rules`], one result per
//! finding. The wire structs mirror the parts of the SARIF schema cordon writes.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

use serde::Serialize;

use super::{Region, RenderOptions};
use crate::{ArchiveLocation, Finding, Location, PackageRef, Report, Severity};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    /// Our columns count characters; SARIF's default would be UTF-16 code units.
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
struct Driver<'a> {
    name: &'static str,
    version: &'a str,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    short_description: Text<'a>,
    help_uri: &'a str,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Text<'a> {
    text: Cow<'a, str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation<'a>>,
    properties: Properties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: SarifRegion,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRegion {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
struct Properties<'a> {
    severity: &'static str,
    confidence: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    package: Option<&'a PackageRef>,
}

pub(super) fn render(
    report: &Report,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let rules = report
        .rules
        .iter()
        .map(|rule| Rule {
            id: rule.id,
            short_description: Text {
                text: rule.summary.into(),
            },
            help_uri: rule.help_uri,
            default_configuration: Configuration {
                level: level(rule.default_severity),
            },
        })
        .collect();
    let results = report.findings.iter().map(|f| result(report, f)).collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "cordon",
                    version: options.tool_version,
                    rules,
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn result<'a>(report: &Report, finding: &'a Finding) -> SarifResult<'a> {
    SarifResult {
        rule_id: finding.id,
        // A finding whose rule the report does not list still gets a result, only unindexed:
        // a wrong index would make the whole log invalid.
        rule_index: report.rules.iter().position(|r| r.id == finding.id),
        level: level(finding.severity),
        message: Text {
            text: format!("{}\nhelp: {}", finding.message, finding.help).into(),
        },
        locations: finding
            .location
            .iter()
            .map(|l| SarifLocation {
                id: None,
                physical_location: physical(l),
                message: None,
            })
            .chain(finding.archive.iter().map(|a| SarifLocation {
                id: None,
                physical_location: archive_physical(a),
                // SARIF has no plain field for a member inside an archive file: say it.
                message: a.member.as_deref().map(|m| Text {
                    text: format!("in `{m}`").into(),
                }),
            }))
            .collect(),
        related_locations: finding
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| SarifLocation {
                id: Some(i),
                physical_location: physical(&r.location),
                message: Some(Text {
                    text: r.message.as_str().into(),
                }),
            })
            .collect(),
        properties: Properties {
            severity: finding.severity.as_str(),
            confidence: finding.confidence.as_str(),
            package: finding.package.as_ref(),
        },
    }
}

fn physical(location: &Location) -> PhysicalLocation {
    let region = Region::of(location);
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: uri_path(location.file.path()),
        },
        region: SarifRegion {
            start_line: region.start_line,
            start_column: region.start_column,
            end_line: region.end_line,
            end_column: region.end_column,
        },
    }
}

fn archive_physical(a: &ArchiveLocation) -> PhysicalLocation {
    let line = a.line.unwrap_or(1);
    let column = a.column.unwrap_or(1);
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: uri_path(&a.path),
        },
        region: SarifRegion {
            start_line: line,
            start_column: column,
            end_line: line,
            end_column: column,
        },
    }
}

/// A relative path as a relative URI reference: `/` kept, anything outside RFC 3986's unreserved
/// set percent-encoded (a space, `#` or `?` in a file name would otherwise change what the URI
/// means).
fn uri_path(path: &str) -> String {
    let mut uri = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            uri.push(char::from(byte));
        } else {
            let _ = write!(uri, "%{byte:02X}");
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::{Confidence, RuleInfo, SourceFile, Where};

    const PYPROJECT: &str = "[project]\nname = \"demo\"\ndependencies = [\"requests>=2\"]\n";

    const RULES: [RuleInfo; 2] = [
        RuleInfo {
            id: "cooldown-missing",
            summary: "no release cooldown is configured",
            default_severity: Severity::High,
            help_uri: "docs/checks.md#cooldown-missing",
        },
        RuleInfo {
            id: "dependency-not-exact",
            summary: "a dependency is not pinned to an exact version",
            default_severity: Severity::Low,
            help_uri: "docs/checks.md#dependency-not-exact",
        },
    ];

    fn rendered(report: &Report) -> Value {
        let mut out = Vec::new();
        let options = RenderOptions {
            color: false,
            tool_version: "0.1.0",
        };
        render(report, &options, &mut out).expect("render");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(text.ends_with("}\n"));
        serde_json::from_str(&text).expect("valid json")
    }

    fn sample() -> Report {
        let pyproject = SourceFile::new("pyproject.toml", PYPROJECT);
        let lock = SourceFile::new("uv.lock", "version = 1\nrevision = 3\n");
        let dep = PYPROJECT.find("\"requests>=2\"").expect("dep");
        let mut report = Report::new("check", RULES.to_vec());
        report.findings.push(
            Finding::new(
                "dependency-not-exact",
                Severity::Medium,
                "dependency `requests` is not pinned to an exact version",
                "pin it with `==`",
                Location::new(&pyproject, dep..dep + 13),
            )
            .with_confidence(Confidence::Medium)
            .with_related("locked here", Location::line(&lock, 2))
            .with_package("requests", Some("2.32.3".to_owned())),
        );
        report.findings.push(Finding::new(
            "cooldown-missing",
            Severity::High,
            "no release cooldown is configured for uv",
            "add `exclude-newer` under [tool.uv]",
            Where::Project,
        ));
        report
    }

    #[test]
    fn writes_one_run_with_rules_and_results() {
        let got = rendered(&sample());
        assert_eq!(
            got["$schema"],
            "https://json.schemastore.org/sarif-2.1.0.json"
        );
        assert_eq!(got["version"], "2.1.0");
        assert_eq!(got["runs"].as_array().map(Vec::len), Some(1));
        let run = &got["runs"][0];
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        assert_eq!(
            run["tool"],
            json!({"driver": {
                "name": "cordon",
                "version": "0.1.0",
                "rules": [
                    {
                        "id": "cooldown-missing",
                        "shortDescription": {"text": "no release cooldown is configured"},
                        "helpUri": "docs/checks.md#cooldown-missing",
                        "defaultConfiguration": {"level": "error"},
                    },
                    {
                        "id": "dependency-not-exact",
                        "shortDescription": {"text": "a dependency is not pinned to an exact version"},
                        "helpUri": "docs/checks.md#dependency-not-exact",
                        "defaultConfiguration": {"level": "note"},
                    },
                ],
            }})
        );
        assert_eq!(
            run["results"][0],
            json!({
                "ruleId": "dependency-not-exact",
                "ruleIndex": 1,
                "level": "warning",
                "message": {"text": "dependency `requests` is not pinned to an exact version\nhelp: pin it with `==`"},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": "pyproject.toml"},
                    "region": {"startLine": 3, "startColumn": 17, "endLine": 3, "endColumn": 30},
                }}],
                "relatedLocations": [{
                    "id": 0,
                    "physicalLocation": {
                        "artifactLocation": {"uri": "uv.lock"},
                        "region": {"startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 13},
                    },
                    "message": {"text": "locked here"},
                }],
                "properties": {
                    "severity": "medium",
                    "confidence": "medium",
                    "package": {"name": "requests", "version": "2.32.3"},
                },
            })
        );
    }

    #[test]
    fn finding_without_location_has_no_locations() {
        let got = rendered(&sample());
        assert_eq!(
            got["runs"][0]["results"][1],
            json!({
                "ruleId": "cooldown-missing",
                "ruleIndex": 0,
                "level": "error",
                "message": {"text": "no release cooldown is configured for uv\nhelp: add `exclude-newer` under [tool.uv]"},
                "properties": {"severity": "high", "confidence": "high"},
            })
        );
    }

    #[test]
    fn finding_of_an_unlisted_rule_has_no_rule_index() {
        let mut report = Report::new("check", Vec::new());
        report
            .findings
            .push(Finding::new("x", Severity::Info, "m", "h", Where::Project));
        let got = rendered(&report);
        let result = &got["runs"][0]["results"][0];
        assert_eq!(result["ruleId"], "x");
        assert_eq!(result["level"], "note");
        assert!(result.get("ruleIndex").is_none());
        assert_eq!(got["runs"][0]["tool"]["driver"]["rules"], json!([]));
    }

    #[test]
    fn regions_of_end_of_line_and_empty_spans() {
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
        let got = rendered(&report);
        let region = |i: usize| {
            got["runs"][0]["results"][i]["locations"][0]["physicalLocation"]["region"].clone()
        };
        assert_eq!(
            region(0),
            json!({"startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 24})
        );
        assert_eq!(
            region(1),
            json!({"startLine": 1, "startColumn": 10, "endLine": 1, "endColumn": 10})
        );
    }

    #[test]
    fn uris_percent_encode_what_a_uri_reserves() {
        assert_eq!(
            uri_path("sub dir/requirements#1.txt"),
            "sub%20dir/requirements%231.txt"
        );
        assert_eq!(
            uri_path(".github/workflows/ci.yml"),
            ".github/workflows/ci.yml"
        );
        assert_eq!(uri_path("é.toml"), "%C3%A9.toml");
    }
}
