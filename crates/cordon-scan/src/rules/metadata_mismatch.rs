//! `metadata-mismatch`: metadata that contradicts the archive — the name or version in
//! `PKG-INFO`/`METADATA` against the file name, files of a wheel missing from its `RECORD` (or
//! listed there but absent, or of another size), and a literal `setup(name=..., version=...)`
//! in `setup.py` against `PKG-INFO`. Names compare PEP 503-normalized, versions loosely
//! (`1.0` = `1.0.0`).

use std::collections::{HashMap, HashSet};

use cordon_diagnostics::{Confidence, Severity};
use cordon_python::name::normalize;

use super::{MemberCx, MemberRole, Report, Rule, RuleMeta};
use crate::model::{Artifact, ArtifactKind, Behaviour, Evidence, Member};

pub struct MetadataMismatch;

static META: RuleMeta = RuleMeta {
    id: "metadata-mismatch",
    summary: "name/version in metadata vs file name; wheel RECORD vs contents; setup.py literals vs PKG-INFO",
    emits: &[Behaviour::MetadataMismatch],
    payloads: false,
};

/// `Name:` and `Version:` of a core-metadata file (the readers' own parser).
pub fn name_version(text: &str) -> (Option<String>, Option<String>) {
    crate::archive::core_metadata_name_version(text)
}

/// Versions equal up to trailing zero release segments, case, a leading `v` and separators.
pub fn same_version(a: &str, b: &str) -> bool {
    fn split(v: &str) -> (Vec<u64>, String) {
        let v = v.trim().to_ascii_lowercase();
        let v = v.strip_prefix('v').unwrap_or(&v).to_owned();
        let (epoch, v) = match v.split_once('!') {
            Some((e, rest)) => (e.to_owned(), rest.to_owned()),
            None => ("0".to_owned(), v),
        };
        let cut = v
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(v.len());
        let mut rel: Vec<u64> = v[..cut]
            .split('.')
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().unwrap_or(0))
            .collect();
        while rel.len() > 1 && rel.last() == Some(&0) {
            rel.pop();
        }
        let rest: String = v[cut..]
            .chars()
            .filter(|c| !matches!(c, '.' | '-' | '_'))
            .collect();
        (rel, format!("{epoch}!{rest}"))
    }
    split(a) == split(b)
}

/// The core-metadata member of an artifact: `*.dist-info/METADATA` for wheels and installed
/// distributions, the root `PKG-INFO` for sdists.
fn metadata_member(artifact: &Artifact) -> Option<&Member> {
    let depth = |m: &Member| m.path.matches('/').count();
    let mut candidates: Vec<&Member> = artifact
        .members
        .iter()
        .filter(|m| m.depth == 0)
        .filter(|m| match artifact.kind {
            ArtifactKind::Wheel | ArtifactKind::Installed => {
                m.path.ends_with(".dist-info/METADATA") && depth(m) == 1
            }
            ArtifactKind::Sdist | ArtifactKind::Directory => {
                m.path.ends_with("PKG-INFO") && (m.path == "PKG-INFO" || depth(m) == 1)
            }
            ArtifactKind::Unlisted => false,
        })
        .collect();
    candidates.sort_by_key(|m| depth(m));
    candidates.into_iter().next()
}

/// Rows of a wheel `RECORD`: path and declared size.
fn record_rows(text: &str) -> Vec<(String, Option<u64>)> {
    let mut rows = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            continue;
        }
        let fields = csv_fields(line);
        let Some(path) = fields.first() else { continue };
        let size = fields.get(2).and_then(|s| s.trim().parse().ok());
        rows.push((path.clone(), size));
    }
    rows
}

fn csv_fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

impl Rule for MetadataMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_artifact(&self, artifact: &Artifact, out: &mut Vec<Evidence>) {
        let ev = |sev: Severity, msg: String, member: Option<&str>| {
            let e = Evidence::new(META.id, Behaviour::MetadataMismatch, sev, msg)
                .with_confidence(Confidence::High);
            match member {
                Some(m) => e.in_member(m),
                None => e,
            }
        };
        if let Some(md) = metadata_member(artifact) {
            let text = String::from_utf8_lossy(&md.data);
            let (name, version) = name_version(&text);
            if let (Some(n), Some(a)) = (&name, &artifact.name)
                && normalize(n) != normalize(a)
            {
                out.push(ev(
                    Severity::Medium,
                    format!("metadata names the distribution `{n}` but the file is `{a}`"),
                    Some(&md.path),
                ));
            }
            if let (Some(v), Some(a)) = (&version, &artifact.version)
                && !same_version(v, a)
            {
                out.push(ev(
                    Severity::Medium,
                    format!("metadata says version {v} but the file says {a}"),
                    Some(&md.path),
                ));
            }
        }
        if artifact.kind != ArtifactKind::Wheel {
            return;
        }
        let Some(record) = artifact.members.iter().find(|m| {
            m.depth == 0
                && m.path.ends_with(".dist-info/RECORD")
                && m.path.matches('/').count() == 1
        }) else {
            out.push(ev(
                Severity::Medium,
                "the wheel has no RECORD".to_owned(),
                None,
            ));
            return;
        };
        let rows = record_rows(&String::from_utf8_lossy(&record.data));
        let listed: HashMap<&str, Option<u64>> =
            rows.iter().map(|(p, s)| (p.as_str(), *s)).collect();
        let present: HashSet<&str> = artifact
            .members
            .iter()
            .filter(|m| m.depth == 0 && !m.path.contains("!/"))
            .map(|m| m.path.as_str())
            .collect();
        let mut unlisted: Vec<&str> = present
            .iter()
            .copied()
            .filter(|p| {
                !listed.contains_key(p)
                    && *p != record.path
                    && !p.ends_with("RECORD.jws")
                    && !p.ends_with("RECORD.p7s")
                    && !p.ends_with('/')
            })
            .collect();
        unlisted.sort_unstable();
        for p in unlisted.iter().take(10) {
            out.push(ev(
                Severity::Medium,
                format!("`{p}` is in the wheel but not in its RECORD"),
                Some(p),
            ));
        }
        let mut absent: Vec<&str> = listed
            .keys()
            .copied()
            .filter(|p| !present.contains(p) && !p.ends_with('/'))
            .collect();
        absent.sort_unstable();
        for p in absent.iter().take(10) {
            out.push(ev(
                Severity::Low,
                format!("RECORD lists `{p}` but the wheel does not contain it"),
                Some(&record.path),
            ));
        }
        let mut wrong_size = 0;
        for m in artifact.members.iter().filter(|m| m.depth == 0) {
            if let Some(Some(size)) = listed.get(m.path.as_str())
                && *size != m.size
                && wrong_size < 10
            {
                wrong_size += 1;
                out.push(ev(
                    Severity::Medium,
                    format!("`{}` is {} bytes but RECORD says {size}", m.path, m.size),
                    Some(&m.path),
                ));
            }
        }
    }

    fn check_member(&self, cx: &MemberCx<'_>, out: &mut Vec<Evidence>) {
        if cx.role != MemberRole::InstallTime || cx.layer > 0 || !cx.path().ends_with("setup.py") {
            return;
        }
        let Some(py) = cx.ast() else { return };
        let Some(md) = metadata_member(cx.artifact) else {
            return;
        };
        let (name, version) = name_version(&String::from_utf8_lossy(&md.data));
        let mut r = Report::new(cx, &META, out);
        for c in py.calls.iter().filter(|c| {
            matches!(
                c.name.as_str(),
                "setup" | "setuptools.setup" | "distutils.core.setup"
            )
        }) {
            let lit = |k: &str| {
                c.kwarg(k)
                    .and_then(|v| py.eval(v, c.scope))
                    .and_then(|f| f.val.text().map(str::to_owned))
            };
            if let (Some(s), Some(m)) = (lit("name"), &name)
                && normalize(&s) != normalize(m)
            {
                r.add(
                    Behaviour::MetadataMismatch,
                    Severity::Medium,
                    Confidence::High,
                    format!("setup.py names the distribution `{s}` but PKG-INFO says `{m}`"),
                    c.range(),
                );
            }
            if let (Some(s), Some(m)) = (lit("version"), &version)
                && !same_version(&s, m)
            {
                r.add(
                    Behaviour::MetadataMismatch,
                    Severity::Medium,
                    Confidence::High,
                    format!("setup.py says version {s} but PKG-INFO says {m}"),
                    c.range(),
                );
            }
        }
    }
}
