//! Ignores: policy `ignore` entries and inline `# cordon: ignore[id, ...] reason` comments. A
//! comment applies to findings on its own line, or on the next line when it stands alone. An
//! ignore that matches nothing, names an unknown id, or gives no reason is reported.

use std::ops::Range;
use std::sync::Arc;

use cordon_diagnostics::{Finding, Location, SourceFile};

use crate::checks;
use crate::policy::IgnoreRule;

/// One inline ignore comment.
#[derive(Debug)]
pub struct InlineIgnore {
    pub file: Arc<SourceFile>,
    /// 1-based lines the comment covers.
    pub lines: Range<usize>,
    pub ids: Vec<String>,
    pub reason: String,
    pub span: Range<usize>,
}

const MARKER: &str = "cordon: ignore[";

/// Finds inline ignore comments in a TOML, YAML, requirements or Dockerfile text.
pub fn inline_ignores(file: &Arc<SourceFile>) -> Vec<InlineIgnore> {
    let mut out = Vec::new();
    let text = file.text();
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let line_no = i + 1;
        // The `#` that opens the ignore comment: the last one before the marker (a URL
        // fragment such as `#sha256=` may come earlier on the line).
        let hash = line.find(MARKER).and_then(|m| line[..m].rfind('#'));
        if let Some(hash) = hash {
            let comment = &line[hash + 1..];
            if let Some(pos) = comment.find(MARKER) {
                let rest = &comment[pos + MARKER.len()..];
                if let Some(close) = rest.find(']') {
                    let ids = rest[..close]
                        .split(',')
                        .map(|s| s.trim().to_owned())
                        .filter(|s| !s.is_empty())
                        .collect();
                    let reason = rest[close + 1..].trim().to_owned();
                    let standalone = line[..hash].trim().is_empty();
                    let start = offset + hash;
                    let end = offset + line.trim_end_matches(['\n', '\r']).len();
                    let lines = if standalone {
                        line_no + 1..line_no + 2
                    } else {
                        line_no..line_no + 1
                    };
                    out.push(InlineIgnore {
                        file: Arc::clone(file),
                        lines,
                        ids,
                        reason,
                        span: start..end,
                    });
                }
            }
        }
        offset += line.len();
    }
    out
}

/// Removes ignored findings and adds `unused-ignore` findings for ignores that did nothing.
pub fn apply(
    findings: Vec<Finding>,
    rules: &[IgnoreRule],
    rule_locs: &[Option<Location>],
    inline: &[InlineIgnore],
) -> Vec<Finding> {
    let mut used_rules = vec![false; rules.len()];
    let mut used_inline: Vec<Vec<bool>> = inline.iter().map(|c| vec![false; c.ids.len()]).collect();
    let mut kept = Vec::new();
    'findings: for f in findings {
        for (i, r) in rules.iter().enumerate() {
            if rule_matches(r, &f) {
                used_rules[i] = true;
                continue 'findings;
            }
        }
        if let Some(loc) = &f.location {
            let line = loc.start().line;
            for (ci, c) in inline.iter().enumerate() {
                if c.reason.is_empty()
                    || !Arc::ptr_eq(&c.file, &loc.file)
                    || !c.lines.contains(&line)
                {
                    continue;
                }
                if let Some(k) = c.ids.iter().position(|id| id == f.id) {
                    used_inline[ci][k] = true;
                    continue 'findings;
                }
            }
        }
        kept.push(f);
    }
    let meta = &checks::unused_ignore::META;
    for (i, r) in rules.iter().enumerate() {
        if !used_rules[i] {
            let at = rule_locs
                .get(i)
                .cloned()
                .flatten()
                .map_or(cordon_diagnostics::Where::Project, Into::into);
            kept.push(Finding::new(
                meta.id,
                meta.severity,
                format!("the ignore entry for `{}` matches no finding", r.id),
                "remove the entry, or fix its `path` or `package` so it matches what it was meant to accept",
                at,
            ));
        }
    }
    for (ci, c) in inline.iter().enumerate() {
        let loc = Location::new(&c.file, c.span.clone());
        if c.reason.is_empty() {
            kept.push(Finding::new(
                meta.id,
                meta.severity,
                "this inline ignore gives no reason, so it does not apply",
                "write why the finding is accepted after the brackets: `# cordon: ignore[id] reason`",
                loc,
            ));
            continue;
        }
        for (k, id) in c.ids.iter().enumerate() {
            if used_inline[ci][k] {
                continue;
            }
            let message = if checks::meta(id).is_none() {
                format!("`{id}` is not a cordon check id")
            } else {
                format!("the inline ignore for `{id}` matches no finding")
            };
            kept.push(Finding::new(
                meta.id,
                meta.severity,
                message,
                "remove the ignore, or move it onto the line the finding points at",
                loc.clone(),
            ));
        }
    }
    kept
}

fn rule_matches(r: &IgnoreRule, f: &Finding) -> bool {
    if r.id != f.id {
        return false;
    }
    if let Some(p) = &r.path
        && f.location
            .as_ref()
            .is_none_or(|l| l.file.path() != p.trim_start_matches("./"))
    {
        return false;
    }
    if let Some(pkg) = &r.package
        && f.package
            .as_ref()
            .is_none_or(|p| &cordon_python::name::normalize(&p.name) != pkg)
    {
        return false;
    }
    true
}
