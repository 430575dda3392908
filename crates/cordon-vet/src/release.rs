//! A project's files grouped into releases, the release to judge, and the artifact to download.

use std::collections::HashMap;

use cordon_intel::index::{IndexFile, ProjectPage};
use cordon_python::wheel_tags::{Target, select};
use jiff::Timestamp;
use pep440_rs::Version;

/// One version of a project and its files.
#[derive(Debug, Clone)]
pub struct Release<'a> {
    pub version: String,
    pub parsed: Option<Version>,
    pub files: Vec<&'a IndexFile>,
}

impl Release<'_> {
    /// The first upload of any of its files.
    pub fn uploaded(&self) -> Option<Timestamp> {
        self.files.iter().filter_map(|f| f.upload_time).min()
    }

    /// Every file is yanked (a release with one good file still installs).
    pub fn yanked(&self) -> Option<&str> {
        if self.files.is_empty() || self.files.iter().any(|f| f.yanked.is_none()) {
            return None;
        }
        self.files[0].yanked.as_deref()
    }

    fn is_prerelease(&self) -> bool {
        self.parsed.as_ref().is_some_and(Version::any_prerelease)
    }

    /// The file an installer on this machine would pick: its best wheel, else the sdist,
    /// else any wheel.
    pub fn artifact(&self, target: &Target) -> Option<&IndexFile> {
        let live: Vec<&IndexFile> = self
            .files
            .iter()
            .copied()
            .filter(|f| f.yanked.is_none())
            .collect();
        let pool = if live.is_empty() { &self.files } else { &live };
        let names: Vec<&str> = pool.iter().map(|f| f.filename.as_str()).collect();
        if let Some(&i) = select(&names, target).first() {
            return Some(pool[i]);
        }
        pool.iter()
            .find(|f| {
                !std::path::Path::new(&f.filename)
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("whl"))
            })
            .or_else(|| pool.first())
            .copied()
    }
}

/// The project's releases, oldest first (by version; unparsable versions first). Files are
/// grouped by their PEP 440 version (`1.0` and `1.0.0` are one release), else by the version
/// as written.
pub fn releases(page: &ProjectPage) -> Vec<Release<'_>> {
    let mut out: Vec<Release<'_>> = Vec::new();
    let mut by_version: HashMap<Version, usize> = HashMap::new();
    let mut by_text: HashMap<String, usize> = HashMap::new();
    for f in &page.files {
        let Some((_, version)) = cordon_scan::archive::name_version(&f.filename) else {
            continue;
        };
        let parsed = version.parse::<Version>().ok();
        let slot = match &parsed {
            Some(v) => by_version.get(v).copied(),
            None => by_text.get(&version).copied(),
        };
        if let Some(i) = slot {
            out[i].files.push(f);
            continue;
        }
        match &parsed {
            Some(v) => by_version.insert(v.clone(), out.len()),
            None => by_text.insert(version.clone(), out.len()),
        };
        out.push(Release {
            version,
            parsed,
            files: vec![f],
        });
    }
    out.sort_by(|a, b| a.parsed.cmp(&b.parsed));
    out
}

/// What `vet NAME` (no version) judges: the newest final release, not yanked, uploaded before
/// `cutoff`, which is what uv installs under the cooldown; and the newest release when it is
/// newer (held back by the cooldown). When no release is old enough, the newest one, to be
/// judged too new.
pub fn choose<'r, 'a>(
    releases: &'r [Release<'a>],
    cutoff: Timestamp,
) -> (Option<&'r Release<'a>>, Option<&'r Release<'a>>) {
    let candidates: Vec<&Release<'_>> = releases
        .iter()
        .filter(|r| r.yanked().is_none() && !r.is_prerelease())
        .collect();
    let candidates = if candidates.is_empty() {
        releases.iter().filter(|r| r.yanked().is_none()).collect()
    } else {
        candidates
    };
    let newest = candidates.last().copied();
    let settled = candidates
        .iter()
        .rev()
        .find(|r| r.uploaded().is_none_or(|t| t <= cutoff))
        .copied();
    match settled {
        Some(s) => {
            let held = newest.filter(|n| n.version != s.version);
            (Some(s), held)
        }
        None => (newest, None),
    }
}

/// The release of `version` (compared as PEP 440 versions).
pub fn find<'r, 'a>(releases: &'r [Release<'a>], version: &str) -> Option<&'r Release<'a>> {
    let wanted = version.parse::<Version>().ok();
    releases.iter().find(|r| match (&r.parsed, &wanted) {
        (Some(a), Some(b)) => a == b,
        _ => r.version == version,
    })
}
