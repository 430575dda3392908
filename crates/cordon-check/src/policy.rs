//! The team's policy: `[tool.cordon]` in the root `pyproject.toml`, or a `cordon.toml` beside
//! it. Unknown keys are an error — a silently ignored policy is the very failure cordon warns
//! about in uv.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use cordon_diagnostics::Severity;
use cordon_python::exclude_newer::{CooldownSpan, ExcludeNewer, parse_exclude_newer_str};
use cordon_python::name::normalize;
use cordon_python::{ParseError, Source};
use toml_edit::{Document, Item, TableLike};

use crate::checks;

pub type PolicyError = ParseError;

const KEYS: &[&str] = &[
    "min-cooldown",
    "allowed-indexes",
    "allow",
    "ignore",
    "severity",
    "trusted-git-hosts",
    "agent-decision",
];
const DEFAULT_MIN_COOLDOWN_DAYS: i64 = 7;

/// One `ignore` entry: findings of `id` (optionally only at `path` or for `package`) are
/// accepted, for `reason`.
#[derive(Debug, Clone)]
pub struct IgnoreRule {
    pub id: String,
    pub path: Option<String>,
    pub package: Option<String>,
    pub reason: String,
    /// Where the entry is written.
    pub file: PathBuf,
    pub span: Range<usize>,
}

/// The effective policy.
#[derive(Debug, Clone)]
pub struct Policy {
    pub min_cooldown: CooldownSpan,
    /// Index URLs packages may come from; empty means "the indexes the project configures".
    pub allowed_indexes: Vec<String>,
    /// Packages a human approved (for the agent guard).
    pub allow: Vec<String>,
    /// What the agent guard answers for a dependency nobody approved: `deny`, or `ask` the user
    /// where the agent's hook protocol can (Claude Code, Cursor; the others deny).
    pub agent_ask: bool,
    pub ignore: Vec<IgnoreRule>,
    pub severity: BTreeMap<String, Severity>,
    pub trusted_git_hosts: Vec<String>,
    /// The file the policy came from, if any.
    pub file: Option<PathBuf>,
}

impl Default for Policy {
    fn default() -> Self {
        let min_cooldown = CooldownSpan::from_seconds(DEFAULT_MIN_COOLDOWN_DAYS * 86_400)
            .expect("seven days fits in a span");
        Self {
            min_cooldown,
            allowed_indexes: Vec::new(),
            allow: Vec::new(),
            agent_ask: false,
            ignore: Vec::new(),
            severity: BTreeMap::new(),
            trusted_git_hosts: Vec::new(),
            file: None,
        }
    }
}

impl Policy {
    /// Reads the policy for a project rooted at `root` whose root pyproject is `pyproject`.
    pub fn load(
        root: &Path,
        pyproject: Option<&cordon_python::pyproject::PyProject>,
    ) -> Result<Self, PolicyError> {
        let cordon_toml = root.join("cordon.toml");
        let in_pyproject = pyproject.and_then(|p| p.tool_cordon().map(|item| (p, item)));
        if cordon_toml.is_file() {
            if let Some((p, item)) = in_pyproject {
                return Err(ParseError::new(&p.source.path, item.span(), "`[tool.cordon]` is set here and in `cordon.toml`")
                    .with_help("keep the policy in one place: move these keys into `cordon.toml` or delete that file"));
            }
            let source = Source::read(&cordon_toml)?;
            let doc = Document::parse(source.text.to_string())
                .map_err(|e| ParseError::toml(&source, &e))?;
            return Self::from_table(&source, doc.as_table());
        }
        match in_pyproject {
            Some((p, item)) => {
                let table = item.as_table_like().ok_or_else(|| {
                    ParseError::new(&p.source.path, item.span(), "`tool.cordon` must be a table")
                })?;
                Self::from_table(&p.source, table)
            }
            None => Ok(Self::default()),
        }
    }

    fn from_table(source: &Source, t: &dyn TableLike) -> Result<Self, PolicyError> {
        let path = &source.path;
        let err = |span: Option<Range<usize>>, msg: String| ParseError::new(path, span, msg);
        let mut policy = Policy {
            file: Some(path.clone()),
            ..Policy::default()
        };
        for (key, item) in t.iter() {
            let key_span = t.get_key_value(key).and_then(|(k, _)| k.span());
            match key {
                "min-cooldown" => {
                    let s = item.as_str().ok_or_else(|| {
                        err(
                            item.span(),
                            "`min-cooldown` must be a string such as \"7 days\"".into(),
                        )
                    })?;
                    match parse_exclude_newer_str(s) {
                        Ok(ExcludeNewer::Span(span)) if !span.negative && !span.is_zero() => {
                            policy.min_cooldown = span;
                        }
                        Ok(_) => {
                            return Err(err(
                                item.span(),
                                format!("`min-cooldown = \"{s}\"` is not a positive duration"),
                            )
                            .with_help("use a duration such as \"7 days\" or \"P14D\""));
                        }
                        Err(e) => {
                            return Err(err(item.span(), format!("invalid `min-cooldown`: {e}")));
                        }
                    }
                }
                "allowed-indexes" => {
                    policy.allowed_indexes = string_list(path, key, item)?
                        .into_iter()
                        .map(|s| s.trim_end_matches('/').to_owned())
                        .collect();
                }
                "allow" => {
                    policy.allow = string_list(path, key, item)?
                        .iter()
                        .map(|s| normalize(s))
                        .collect();
                }
                "agent-decision" => match item.as_str() {
                    Some("deny") => policy.agent_ask = false,
                    Some("ask") => policy.agent_ask = true,
                    _ => {
                        return Err(err(
                            item.span(),
                            "`agent-decision` must be \"deny\" or \"ask\"".into(),
                        ));
                    }
                },
                "trusted-git-hosts" => {
                    policy.trusted_git_hosts = string_list(path, key, item)?
                        .into_iter()
                        .map(|s| s.to_ascii_lowercase())
                        .collect();
                }
                "severity" => {
                    let tbl = item.as_table_like().ok_or_else(|| {
                        err(
                            item.span(),
                            "`severity` must be a table of check id = severity".into(),
                        )
                    })?;
                    for (id, v) in tbl.iter() {
                        let span = tbl.get_key_value(id).and_then(|(k, _)| k.span());
                        if checks::meta(id).is_none() {
                            return Err(unknown_id(path, span, id));
                        }
                        let sev = v.as_str().ok_or_else(|| {
                            err(v.span(), format!("severity for `{id}` must be a string"))
                        })?;
                        let sev = sev.parse::<Severity>().map_err(|e| err(v.span(), e))?;
                        policy.severity.insert(id.to_owned(), sev);
                    }
                }
                "ignore" => policy.ignore = read_ignores(path, item)?,
                other => {
                    let hint = cordon_python::uv_options::closest(other, KEYS)
                        .map(|k| format!("did you mean `{k}`? "))
                        .unwrap_or_default();
                    return Err(err(
                        key_span,
                        format!("unknown key `{other}` in the cordon policy"),
                    )
                    .with_help(format!(
                        "{hint}known keys: {}",
                        KEYS.iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
            }
        }
        Ok(policy)
    }
}

fn unknown_id(path: &Path, span: Option<Range<usize>>, id: &str) -> ParseError {
    ParseError::new(path, span, format!("unknown check id `{id}`"))
        .with_help("`cordon check --list` shows every check id")
}

fn string_list(path: &Path, key: &str, item: &Item) -> Result<Vec<String>, PolicyError> {
    let arr = item.as_array().ok_or_else(|| {
        ParseError::new(
            path,
            item.span(),
            format!("`{key}` must be an array of strings"),
        )
    })?;
    arr.iter()
        .map(|v| {
            v.as_str().map(ToOwned::to_owned).ok_or_else(|| {
                ParseError::new(
                    path,
                    v.span(),
                    format!("entries of `{key}` must be strings"),
                )
            })
        })
        .collect()
}

fn read_ignores(path: &Path, item: &Item) -> Result<Vec<IgnoreRule>, PolicyError> {
    let entries: Vec<(&dyn TableLike, Range<usize>)> = match item {
        Item::ArrayOfTables(a) => a.iter().map(|t| (t as &dyn TableLike, t.span().unwrap_or(0..0))).collect(),
        Item::Value(toml_edit::Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_inline_table()
                    .map(|t| (t as &dyn TableLike, v.span().unwrap_or(0..0)))
                    .ok_or_else(|| ParseError::new(path, v.span(), "each `ignore` entry must be a table `{ id = \"...\", reason = \"...\" }`"))
            })
            .collect::<Result<_, _>>()?,
        _ => return Err(ParseError::new(path, item.span(), "`ignore` must be an array of tables")),
    };
    let mut out = Vec::new();
    for (t, span) in entries {
        let get = |k: &str| t.get(k).and_then(Item::as_str).map(ToOwned::to_owned);
        for (k, _) in t.iter() {
            if !matches!(k, "id" | "path" | "package" | "reason") {
                return Err(ParseError::new(
                    path,
                    t.get_key_value(k).and_then(|(k, _)| k.span()),
                    format!("unknown key `{k}` in an `ignore` entry"),
                )
                .with_help(
                    "an ignore entry takes `id`, `reason`, and optionally `path` and `package`",
                ));
            }
        }
        let id = get("id").ok_or_else(|| {
            ParseError::new(path, Some(span.clone()), "an `ignore` entry needs an `id`")
        })?;
        if checks::meta(&id).is_none() {
            return Err(unknown_id(path, t.get("id").and_then(Item::span), &id));
        }
        let reason = get("reason")
            .filter(|r| !r.trim().is_empty())
            .ok_or_else(|| {
                ParseError::new(
                    path,
                    Some(span.clone()),
                    format!("the `ignore` entry for `{id}` has no `reason`"),
                )
                .with_help("say why the finding is accepted: `reason = \"...\"`")
            })?;
        out.push(IgnoreRule {
            id,
            path: get("path"),
            package: get("package").map(|p| normalize(&p)),
            reason,
            file: path.to_path_buf(),
            span,
        });
    }
    Ok(out)
}
