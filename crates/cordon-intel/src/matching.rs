//! Whether a release is covered by a stored record: a malicious-package record (every version,
//! or listed ones) or an advisory (listed versions and OSV ranges), versions compared as PEP 440
//! versions. Shared by `cordon check` and `cordon vet`.

use pep440_rs::Version;

use crate::store::{Advisory, Malicious};

/// True when `record` covers `version`; a record of some versions covers an unknown version
/// too (nothing keeps a bad one out).
pub fn malicious_covers(record: &Malicious, version: Option<&str>) -> bool {
    record.all_versions
        || version.is_none_or(|v| record.versions.iter().any(|m| same_version(m, v)))
}

/// Equal as PEP 440 versions (`1.0` is `1.0.0`), else as written.
pub fn same_version(a: &str, b: &str) -> bool {
    match (a.parse::<Version>(), b.parse::<Version>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a.trim() == b.trim(),
    }
}

fn parse(s: Option<&str>) -> Option<Version> {
    s.and_then(|s| s.parse().ok())
}

/// True when `v` is listed, or falls in one of the advisory's ranges (`introduced` ≤ v, and
/// v < `fixed` or v ≤ `last_affected`; `introduced` `0` or absent is the beginning).
pub fn affects(a: &Advisory, v: &Version) -> bool {
    if a.versions
        .iter()
        .any(|x| x.parse::<Version>().is_ok_and(|x| &x == v))
    {
        return true;
    }
    a.ranges.iter().any(|r| {
        let from = match r.introduced.as_deref() {
            None | Some("0") => true,
            intro => parse(intro).is_some_and(|i| &i <= v),
        };
        let below_fix = parse(r.fixed.as_deref()).is_none_or(|f| v < &f);
        let up_to_last = parse(r.last_affected.as_deref()).is_none_or(|l| v <= &l);
        // A range with neither end recorded beyond `introduced` is open.
        from && below_fix && up_to_last
    })
}

/// The lowest fix above `v` among the advisories' ranges, when every advisory has one.
pub fn first_fix_above(hits: &[&Advisory], v: &Version) -> Option<Version> {
    let mut needed: Option<Version> = None;
    for a in hits {
        let fix = a
            .ranges
            .iter()
            .filter_map(|r| parse(r.fixed.as_deref()))
            .filter(|f| f > v)
            .min()?;
        if needed.as_ref().is_none_or(|n| &fix > n) {
            needed = Some(fix);
        }
    }
    needed
}

/// The advisory ids, each with its CVE alias when it has one: `PYSEC-1 (CVE-2024-1)`.
pub fn describe_ids(hits: &[&Advisory]) -> Vec<String> {
    hits.iter()
        .map(|a| match a.aliases.iter().find(|x| x.starts_with("CVE-")) {
            Some(cve) => format!("{} ({cve})", a.id),
            None => a.id.clone(),
        })
        .collect()
}
