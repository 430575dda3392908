//! The reference data the name checks read (`typosquat-suspect`, `known-malicious`,
//! `known-vulnerable`), and the
//! package names a project brings in: its direct dependencies and every locked package.

use std::ops::Range;
use std::path::PathBuf;

use cordon_intel::store::{Advisory, Malicious};
use cordon_intel::typosquat::{Popular, Tuning};

use crate::Context;

/// Popular names and malicious-package records, as `cordon intel` stored them.
#[derive(Debug, Default)]
pub struct Names {
    pub popular: Option<Popular>,
    pub malicious: Option<Vec<Malicious>>,
    pub advisories: Option<Vec<Advisory>>,
    pub tuning: Tuning,
}

impl Names {
    /// The malicious-package records for normalised `name`.
    pub fn malicious_records<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Malicious> {
        self.malicious
            .iter()
            .flatten()
            .filter(move |r| r.name == name)
    }
}

/// A package the project brings in, where it is named.
#[derive(Debug, Clone)]
pub struct Named {
    /// Normalised name.
    pub name: String,
    /// The version it resolves to: the locked one, else an exact pin.
    pub version: Option<String>,
    pub file: PathBuf,
    pub span: Range<usize>,
    /// Declared in a manifest (else only locked).
    pub direct: bool,
    /// The declaration's environment marker (`python_version < "3.7"`), if any.
    pub marker: Option<String>,
}

/// Every package the project declares (in its manifests, then its requirements files) or
/// locks, once each (a declaration before its lock entry), workspace members and
/// non-registry sources left out.
pub(crate) fn named_packages(cx: &Context<'_>) -> Vec<Named> {
    let members = cx.project.member_names();
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let lock = cx.project.lock.as_ref();
    let locked_version = |name: &str| {
        lock.and_then(|l| l.package(name))
            .and_then(|p| p.version.clone())
    };
    let mut out: Vec<Named> = Vec::new();
    for manifest in cx.project.manifests() {
        for req in &manifest.requirements {
            let Some(name) = req.name() else { continue };
            if members.contains(&name)
                || req.url().is_some()
                || manifest.has_non_registry_source(cx.project.pyproject.as_ref(), &name)
                || !seen.insert(name.clone())
            {
                continue;
            }
            let version = locked_version(&name).or_else(|| {
                req.specifiers()
                    .and_then(cordon_python::requirement::exact_version)
            });
            out.push(Named {
                name,
                version,
                file: manifest.source.path.clone(),
                span: req.span.clone(),
                direct: true,
                marker: req.marker(),
            });
        }
    }
    // Requirements files a root installs (constraints files only cap versions).
    let set = &cx.project.requirements;
    for (file, usage) in set.files.iter().zip(set.uses()) {
        if !usage.as_requirements {
            continue;
        }
        for line in &file.lines {
            let cordon_python::requirements_txt::LineKind::Requirement(r) = &line.kind else {
                continue;
            };
            let name = r.name();
            if r.url().is_some() || members.contains(&name) || out.iter().any(|n| n.name == name) {
                continue;
            }
            let version = r.exact_version().or_else(|| locked_version(&name));
            out.push(Named {
                name,
                version,
                file: file.source.path.clone(),
                span: r.span.clone(),
                direct: true,
                marker: r.marker(),
            });
        }
    }
    if let Some(lock) = lock {
        for pkg in &lock.packages {
            if !matches!(pkg.source, cordon_python::lock::PackageSource::Registry(_))
                || members.contains(&pkg.name)
                || !seen.insert(pkg.name.clone())
            {
                continue;
            }
            out.push(Named {
                name: pkg.name.clone(),
                version: pkg.version.clone(),
                file: lock.source.path.clone(),
                span: pkg.name_span.clone(),
                direct: false,
                marker: None,
            });
        }
    }
    out
}
