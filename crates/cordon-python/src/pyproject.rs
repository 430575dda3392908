//! `pyproject.toml`: the parts cordon reads — `[project]` dependencies and optional
//! dependencies, `[dependency-groups]`, `[tool.uv]` (sources, workspace, and the raw table for
//! settings), and `[tool.cordon]`'s presence — all with spans into the file.

use std::ops::Range;
use std::path::{Path, PathBuf};

use toml_edit::{Document, Item, TableLike, Value};

use crate::error::{ParseError, Source};
use crate::name::normalize;
use crate::requirement::{DeclaredIn, DeclaredRequirement, GroupInclude};
use crate::tomlutil::{self, get_path};

/// A parsed `pyproject.toml`.
#[derive(Debug, Clone)]
pub struct PyProject {
    pub source: Source,
    pub doc: Document<String>,
    /// The directory holding the file.
    pub dir: PathBuf,
    /// `[project] name`, normalized.
    pub name: Option<String>,
    /// Span of the `[project]` table header (or its first key).
    pub project_span: Option<Range<usize>>,
    pub requires_python: Option<(String, Range<usize>)>,
    /// Every requirement string in dependencies, optional dependencies and dependency groups.
    pub requirements: Vec<DeclaredRequirement>,
    pub group_includes: Vec<GroupInclude>,
    /// Span of `[tool.uv]` (header or first key), when present.
    pub tool_uv_span: Option<Range<usize>>,
    /// `[tool.uv.sources]` entries.
    pub sources: Vec<SourceEntry>,
    /// `[tool.uv.workspace] members` globs, when this is a workspace root.
    pub workspace_members: Option<Vec<(String, Range<usize>)>>,
    pub workspace_exclude: Vec<String>,
    /// `[tool.uv] managed = false` opts the project out of uv's project commands.
    pub managed: bool,
    pub has_build_system: bool,
}

/// One `[tool.uv.sources]` entry (a package may have several, split by markers).
#[derive(Debug, Clone)]
pub struct SourceEntry {
    /// Normalized package name.
    pub package: String,
    pub kind: SourceKind,
    /// Span of the entry's value (the inline table).
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceKind {
    Git {
        url: String,
        rev: Option<String>,
        tag: Option<String>,
        branch: Option<String>,
    },
    Url(String),
    Path {
        path: String,
        editable: bool,
    },
    Index(String),
    Workspace,
    /// A shape cordon does not model; uv's own validation reports real errors.
    Other,
}

impl PyProject {
    /// Parses `source`. A TOML syntax error is a [`ParseError`] at its line; wrongly typed
    /// `[project]` fields are errors too, since uv would refuse the file.
    pub fn parse(source: Source) -> Result<Self, ParseError> {
        let doc =
            Document::parse(source.text.to_string()).map_err(|e| ParseError::toml(&source, &e))?;
        let dir = source
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let root = doc.as_table();
        let mut requirements = Vec::new();
        let mut group_includes = Vec::new();

        let project = root.get("project");
        let project_tbl = project.and_then(Item::as_table_like);
        if project.is_some() && project_tbl.is_none() {
            return Err(type_error(
                &source,
                project.and_then(Item::span),
                "`project` must be a table",
            ));
        }
        let name = project_tbl
            .and_then(|t| tomlutil::string(t, "name"))
            .map(|(n, _)| normalize(&n));
        let requires_python = project_tbl.and_then(|t| tomlutil::string(t, "requires-python"));
        if let Some(t) = project_tbl {
            if let Some(item) = t.get("dependencies") {
                collect_requirements(
                    &source,
                    &dir,
                    item,
                    "project.dependencies",
                    &DeclaredIn::Dependencies,
                    &mut requirements,
                )?;
            }
            if let Some(item) = t.get("optional-dependencies") {
                let tbl = item.as_table_like().ok_or_else(|| {
                    type_error(
                        &source,
                        item.span(),
                        "`project.optional-dependencies` must be a table of arrays",
                    )
                })?;
                for (extra, list) in tbl.iter() {
                    let ctx = format!("project.optional-dependencies.{extra}");
                    collect_requirements(
                        &source,
                        &dir,
                        list,
                        &ctx,
                        &DeclaredIn::OptionalDependencies(extra.to_owned()),
                        &mut requirements,
                    )?;
                }
            }
        }
        if let Some(item) = root.get("dependency-groups") {
            let tbl = item.as_table_like().ok_or_else(|| {
                type_error(
                    &source,
                    item.span(),
                    "`dependency-groups` must be a table of arrays",
                )
            })?;
            for (group, list) in tbl.iter() {
                let arr = list.as_array().ok_or_else(|| {
                    type_error(
                        &source,
                        list.span(),
                        &format!("`dependency-groups.{group}` must be an array"),
                    )
                })?;
                for v in arr {
                    match v {
                        Value::String(s) => requirements.push(DeclaredRequirement::parse(
                            s.value(),
                            v.span().unwrap_or(0..0),
                            DeclaredIn::DependencyGroup(normalize(group)),
                            &dir,
                        )),
                        Value::InlineTable(t) if t.get("include-group").is_some() => {
                            if let Some(inc) = t.get("include-group").and_then(Value::as_str) {
                                group_includes.push(GroupInclude {
                                    group: normalize(group),
                                    include: normalize(inc),
                                    span: v.span().unwrap_or(0..0),
                                });
                            }
                        }
                        _ => {
                            return Err(type_error(
                                &source,
                                v.span(),
                                &format!(
                                    "entries of `dependency-groups.{group}` must be strings or `{{ include-group = \"...\" }}`"
                                ),
                            ));
                        }
                    }
                }
            }
        }

        let tool_uv = get_path(root, &["tool", "uv"]);
        let tool_uv_span = tool_uv.and_then(tomlutil::table_span);
        let uv_tbl = tool_uv.and_then(Item::as_table_like);
        let mut sources = Vec::new();
        let mut workspace_members = None;
        let mut workspace_exclude = Vec::new();
        let mut managed = true;
        if let Some(uv) = uv_tbl {
            if let Some(item) = uv.get("dev-dependencies") {
                // Legacy spelling of the `dev` group; uv still reads it.
                collect_requirements(
                    &source,
                    &dir,
                    item,
                    "tool.uv.dev-dependencies",
                    &DeclaredIn::DependencyGroup("dev".into()),
                    &mut requirements,
                )?;
            }
            if let Some(src) = uv.get("sources").and_then(Item::as_table_like) {
                for (pkg, item) in src.iter() {
                    collect_sources(&normalize(pkg), item, &mut sources);
                }
            }
            if let Some(ws) = uv.get("workspace").and_then(Item::as_table_like) {
                workspace_members =
                    Some(ws.get("members").map(tomlutil::strings).unwrap_or_default());
                workspace_exclude = ws
                    .get("exclude")
                    .map(tomlutil::strings)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(s, _)| s)
                    .collect();
            }
            managed = tomlutil::boolean(uv, "managed").unwrap_or(true);
        }
        let project_span = project.and_then(tomlutil::table_span);
        let has_build_system = root.contains_key("build-system");
        Ok(Self {
            source,
            doc,
            dir,
            name,
            project_span,
            requires_python,
            requirements,
            group_includes,
            tool_uv_span,
            sources,
            workspace_members,
            workspace_exclude,
            managed,
            has_build_system,
        })
    }

    /// The `[tool.uv]` table, in whatever form it was written.
    pub fn tool_uv(&self) -> Option<&dyn TableLike> {
        get_path(self.doc.as_table(), &["tool", "uv"]).and_then(Item::as_table_like)
    }

    /// The `[tool.cordon]` item, if present.
    pub fn tool_cordon(&self) -> Option<&Item> {
        get_path(self.doc.as_table(), &["tool", "cordon"])
    }

    /// The best span to anchor a project-wide finding on: `[tool.uv]`, else `[project]`, else
    /// the start of the file.
    pub fn anchor_span(&self) -> Range<usize> {
        self.tool_uv_span
            .clone()
            .or_else(|| self.project_span.clone())
            .unwrap_or(0..0)
    }

    /// Whether `name` comes from somewhere other than an index — a path, a workspace member,
    /// git or a URL — by a source in this manifest or in the workspace `root`'s.
    pub fn has_non_registry_source(&self, root: Option<&PyProject>, name: &str) -> bool {
        self.sources_for(name)
            .chain(root.into_iter().flat_map(|r| r.sources_for(name)))
            .any(|s| {
                matches!(
                    s.kind,
                    SourceKind::Path { .. }
                        | SourceKind::Workspace
                        | SourceKind::Git { .. }
                        | SourceKind::Url(_)
                )
            })
    }

    /// The source entries for a package.
    pub fn sources_for<'a>(
        &'a self,
        package: &'a str,
    ) -> impl Iterator<Item = &'a SourceEntry> + 'a {
        self.sources.iter().filter(move |s| s.package == package)
    }
}

fn type_error(source: &Source, span: Option<Range<usize>>, message: &str) -> ParseError {
    ParseError::new(&source.path, span, message.to_owned()).with_help(
        "uv refuses a `pyproject.toml` whose `[project]` or dependency tables have the wrong shape",
    )
}

fn collect_requirements(
    source: &Source,
    dir: &Path,
    item: &Item,
    ctx: &str,
    declared_in: &DeclaredIn,
    out: &mut Vec<DeclaredRequirement>,
) -> Result<(), ParseError> {
    let arr = item.as_array().ok_or_else(|| {
        type_error(
            source,
            item.span(),
            &format!("`{ctx}` must be an array of strings"),
        )
    })?;
    for v in arr {
        let s = v.as_str().ok_or_else(|| {
            type_error(
                source,
                v.span(),
                &format!("entries of `{ctx}` must be strings"),
            )
        })?;
        out.push(DeclaredRequirement::parse(
            s,
            v.span().unwrap_or(0..0),
            declared_in.clone(),
            dir,
        ));
    }
    Ok(())
}

fn collect_sources(package: &str, item: &Item, out: &mut Vec<SourceEntry>) {
    let mut push = |t: &dyn TableLike, span: Range<usize>| {
        let s = |k: &str| t.get(k).and_then(Item::as_str).map(ToOwned::to_owned);
        let kind = if let Some(url) = s("git") {
            SourceKind::Git {
                url,
                rev: s("rev"),
                tag: s("tag"),
                branch: s("branch"),
            }
        } else if let Some(url) = s("url") {
            SourceKind::Url(url)
        } else if let Some(path) = s("path") {
            SourceKind::Path {
                path,
                editable: t.get("editable").and_then(Item::as_bool).unwrap_or(false),
            }
        } else if let Some(index) = s("index") {
            SourceKind::Index(index)
        } else if t.get("workspace").and_then(Item::as_bool) == Some(true) {
            SourceKind::Workspace
        } else {
            SourceKind::Other
        };
        out.push(SourceEntry {
            package: package.to_owned(),
            kind,
            span,
        });
    };
    match item {
        Item::Value(Value::Array(arr)) => {
            for v in arr {
                if let Value::InlineTable(t) = v {
                    push(t, v.span().unwrap_or(0..0));
                }
            }
        }
        other => {
            if let Some(t) = other.as_table_like() {
                push(t, other.span().unwrap_or(0..0));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<PyProject, ParseError> {
        PyProject::parse(Source::from_string("/p/pyproject.toml", text))
    }

    const SAMPLE: &str = r#"[project]
name = "Demo_App"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["requests==2.32.3", "flask>=3"]

[project.optional-dependencies]
socks = ["pysocks"]

[dependency-groups]
dev = ["pytest==8.0.0", { include-group = "lint" }]
lint = ["ruff"]

[tool.uv]
exclude-newer = "7 days"

[tool.uv.sources]
mylib = { git = "https://example.com/org/mylib.git", branch = "main" }
torch = [{ index = "cpu", marker = "sys_platform == 'linux'" }, { index = "mac", marker = "sys_platform == 'darwin'" }]
local = { path = "libs/local", editable = true }
"#;

    #[test]
    fn reads_every_kind_of_requirement_with_spans() {
        let p = parse(SAMPLE).unwrap();
        assert_eq!(p.name.as_deref(), Some("demo-app"));
        let raws: Vec<_> = p.requirements.iter().map(|r| r.raw.as_str()).collect();
        assert_eq!(
            raws,
            [
                "requests==2.32.3",
                "flask>=3",
                "pysocks",
                "pytest==8.0.0",
                "ruff"
            ]
        );
        let r = &p.requirements[1];
        assert_eq!(&SAMPLE[r.span.clone()], "\"flask>=3\"");
        assert_eq!(
            p.requirements[2].declared_in,
            DeclaredIn::OptionalDependencies("socks".into())
        );
        assert_eq!(p.group_includes.len(), 1);
        assert_eq!(&SAMPLE[p.tool_uv_span.clone().unwrap()], "[tool.uv]");
    }

    #[test]
    fn reads_sources_including_marker_lists() {
        let p = parse(SAMPLE).unwrap();
        assert_eq!(p.sources.len(), 4);
        assert!(
            matches!(&p.sources[0].kind, SourceKind::Git { branch: Some(b), .. } if b == "main")
        );
        assert_eq!(p.sources_for("torch").count(), 2);
        assert!(matches!(
            &p.sources[3].kind,
            SourceKind::Path { editable: true, .. }
        ));
    }

    #[test]
    fn syntax_errors_point_at_the_line() {
        let e = parse("[project]\nname = \"x\"\ndependencies = [\"a\"\n").unwrap_err();
        assert!(e.message.starts_with("invalid TOML"), "{}", e.message);
        assert!(e.span.is_some());
    }

    #[test]
    fn wrongly_typed_dependencies_are_errors() {
        let e = parse("[project]\nname = \"x\"\ndependencies = \"requests\"\n").unwrap_err();
        assert!(e.message.contains("project.dependencies"), "{}", e.message);
        let e = parse("[project]\ndependencies = [1]\n").unwrap_err();
        assert!(e.message.contains("must be strings"), "{}", e.message);
    }
}
