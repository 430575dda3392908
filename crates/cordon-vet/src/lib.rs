//! `cordon vet`: judge packages before they are added. For each name (and version): does the
//! index know it, how old are the project and the release against the cooldown, is it yanked,
//! quarantined, archived or deprecated (PEP 792), does the name look like a popular one's, do
//! malicious-package records or advisories cover it, who published it (PEP 740); then the
//! artifact an installer here would pick is downloaded, verified against the index's hash and
//! scanned. What the package would bring with it is resolved by the real uv under the cooldown,
//! and each new package is vetted the same way, bounded in count and time.
//!
//! Every reason is a [`Finding`] whose id is listed in [`reasons`]; its severity decides the
//! verdict ([`Verdict::of`]).

pub mod reasons;
pub mod release;
pub mod uv;

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use cordon_check::Names;
use cordon_diagnostics::{Finding, Severity, Where};
use cordon_intel::fetch::{FetchError, Fetcher};
use cordon_intel::index::{IndexClient, IndexFile, ProjectPage};
use cordon_intel::matching;
use cordon_python::name::normalize;
use cordon_python::wheel_tags::Target;
use jiff::Timestamp;

use crate::reasons::Reason;
use crate::release::Release;

/// A package to vet: `NAME` or `NAME==VERSION`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub name: String,
    pub version: Option<String>,
}

impl Request {
    /// Reads `NAME` or `NAME==VERSION`; anything else (another operator, a URL, an invalid
    /// name) is an error that says what is accepted.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let spec = spec.trim();
        let (name, version) = match spec.split_once("==") {
            Some((n, v)) => (n.trim(), Some(v.trim())),
            None => (spec, None),
        };
        let bad = || {
            format!(
                "`{spec}` is not a package to vet: give `NAME` or `NAME==VERSION` (one exact \
                 version, no other operator, extra or URL)"
            )
        };
        if !cordon_python::name::is_valid(name) {
            return Err(bad());
        }
        if let Some(v) = version
            && (v.is_empty() || v.parse::<pep440_rs::Version>().is_err())
        {
            return Err(bad());
        }
        Ok(Self {
            name: name.to_owned(),
            version: version.map(str::to_owned),
        })
    }
}

/// The judgement on one package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Allow,
    Review,
    Block,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "allow",
            Self::Review => "review",
            Self::Block => "block",
        }
    }

    /// `block` with any high reason, `review` with any medium one, else `allow`.
    pub fn of(reasons: &[Finding]) -> Self {
        match reasons.iter().map(|r| r.severity).max() {
            Some(Severity::High) => Self::Block,
            Some(Severity::Medium) => Self::Review,
            _ => Self::Allow,
        }
    }
}

/// One vetted package.
#[derive(Debug, Clone)]
pub struct Vetted {
    /// Normalised.
    pub name: String,
    /// The release judged (asked for, or chosen), when there is one.
    pub version: Option<String>,
    pub verdict: Verdict,
    pub reasons: Vec<Finding>,
    /// For a package vetted because another would bring it in: that package.
    pub required_by: Option<String>,
}

/// The cooldown releases are judged against.
#[derive(Debug, Clone)]
pub struct Cooldown {
    /// Releases uploaded after this are too new.
    pub cutoff: Timestamp,
    /// How it reads to a user: `7 days`, `until 2026-01-01T00:00:00Z`.
    pub label: String,
}

/// Everything vetting one package needs.
pub struct Vetter<'a> {
    pub client: IndexClient<'a>,
    pub fetcher: &'a Fetcher,
    pub names: Option<&'a Names>,
    pub now: Timestamp,
    pub cooldown: Cooldown,
    /// The platform whose wheel an installer here would pick.
    pub target: Target,
    /// Download and scan the artifact.
    pub scan: bool,
}

/// How far the dependencies of the requested packages are followed.
pub struct Deps<'a> {
    pub uv: &'a uv::Uv,
    /// The project's locked packages (normalised name → version): already in, not vetted again.
    pub locked: &'a HashMap<String, String>,
    /// At most this many new packages are vetted for all requests together.
    pub max_packages: usize,
    /// Vetting of dependencies stops here.
    pub deadline: Instant,
    /// The limit on one uv run.
    pub uv_timeout: Duration,
    pub offline: bool,
}

/// Vets `requests`, then (with `deps`) what each would bring with it. Requested packages come
/// first, in order, each followed by nothing: dependencies are listed after all of them, with
/// `required_by` set. `progress` is told what is being done.
pub fn vet_all(
    vetter: &Vetter<'_>,
    requests: &[Request],
    deps: Option<&Deps<'_>>,
    progress: &(dyn Fn(&str) + Sync),
) -> Vec<Vetted> {
    let mut direct: Vec<Vetted> = parallel(requests, 4, |r| {
        progress(&format!("vetting {}", r.name));
        vetter.vet(r)
    });
    let Some(deps) = deps else {
        return direct;
    };
    let mut seen: BTreeSet<String> = direct.iter().map(|v| v.name.clone()).collect();
    let mut queued: Vec<(usize, Request)> = Vec::new();
    let mut budget = deps.max_packages;
    for (i, v) in direct.iter_mut().enumerate() {
        // Nothing to resolve for a name or release that does not exist, or one already
        // blocked on its own account.
        let Some(version) = v.version.clone() else {
            continue;
        };
        if v.verdict == Verdict::Block {
            continue;
        }
        if Instant::now() >= deps.deadline {
            v.reasons.push(reason(
                reasons::DEPENDENCIES_UNVETTED,
                v,
                "the time limit was reached before its dependencies were resolved".to_owned(),
                "run `cordon vet` again with a longer `--timeout`".to_owned(),
            ));
            continue;
        }
        progress(&format!("resolving what {} brings in", v.name));
        let resolved = uv::dependencies(
            deps.uv,
            &v.name,
            &version,
            &uv::Resolution {
                index: vetter.client.index_url(),
                cutoff: vetter.cooldown.cutoff,
                now: vetter.now,
                offline: deps.offline,
                timeout: deps.uv_timeout,
            },
        );
        match resolved {
            Err(why) => v.reasons.push(reason(
                reasons::RESOLUTION_FAILED,
                v,
                format!(
                    "what `{} {version}` would bring in could not be resolved: {why}",
                    v.name
                ),
                "resolve it yourself (`uv pip compile`) and vet what it lists".to_owned(),
            )),
            Ok(pins) => {
                let mut skipped = 0;
                for (name, pin) in pins {
                    let already = deps.locked.get(&name).is_some_and(|l| l == &pin);
                    if already || !seen.insert(name.clone()) {
                        continue;
                    }
                    if budget == 0 {
                        skipped += 1;
                        continue;
                    }
                    budget -= 1;
                    queued.push((
                        i,
                        Request {
                            name,
                            version: Some(pin),
                        },
                    ));
                }
                if skipped > 0 {
                    v.reasons.push(reason(
                        reasons::DEPENDENCIES_UNVETTED,
                        v,
                        format!(
                            "{skipped} of the packages it would bring in were not vetted: the \
                             limit of {} packages was reached",
                            deps.max_packages
                        ),
                        "vet them by name, or raise `--max-deps`".to_owned(),
                    ));
                }
            }
        }
    }
    let deadline = deps.deadline;
    let transitive: Vec<Option<Vetted>> = parallel(&queued, 4, |(parent, r)| {
        if Instant::now() >= deadline {
            return None;
        }
        progress(&format!(
            "vetting {} (for {})",
            r.name, direct[*parent].name
        ));
        let mut v = vetter.vet(r);
        v.required_by = Some(direct[*parent].name.clone());
        Some(v)
    });
    let mut out_of_time: HashMap<usize, usize> = HashMap::new();
    let mut vetted_deps = Vec::new();
    for ((parent, r), v) in queued.iter().zip(transitive) {
        let Some(v) = v else {
            *out_of_time.entry(*parent).or_default() += 1;
            continue;
        };
        let parent_v = &mut direct[*parent];
        let link = match v.verdict {
            Verdict::Block => Some(reasons::DEPENDENCY_BLOCKED),
            Verdict::Review => Some(reasons::DEPENDENCY_REVIEW),
            Verdict::Allow => None,
        };
        if let Some(kind) = link {
            let why: Vec<&str> = v
                .reasons
                .iter()
                .filter(|f| f.severity >= Severity::Medium)
                .map(|f| f.id)
                .collect();
            parent_v.reasons.push(reason(
                kind,
                parent_v,
                format!(
                    "it would bring in `{} {}`, judged {} ({})",
                    r.name,
                    r.version.as_deref().unwrap_or("?"),
                    v.verdict.as_str(),
                    why.join(", ")
                ),
                format!(
                    "see the reasons given for `{}` below; a package is only as safe as what it \
                     installs",
                    r.name
                ),
            ));
        }
        vetted_deps.push(v);
    }
    for (parent, n) in out_of_time {
        let v = &mut direct[parent];
        v.reasons.push(reason(
            reasons::DEPENDENCIES_UNVETTED,
            v,
            format!(
                "{n} of the packages it would bring in were not vetted: the time limit was reached"
            ),
            "run `cordon vet` again with a longer `--timeout`".to_owned(),
        ));
    }
    for v in &mut direct {
        v.verdict = Verdict::of(&v.reasons);
    }
    direct.extend(vetted_deps);
    direct
}

/// `f` over `items` on up to `threads` threads, results in order.
fn parallel<T: Sync, R: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads.min(items.len()) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = f(item);
                    results
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .into_iter()
        .flatten()
        .collect()
}

fn reason(kind: Reason, v: &Vetted, message: String, help: String) -> Finding {
    Finding::new(kind.id, kind.severity, message, help, Where::Project)
        .with_package(v.name.clone(), v.version.clone())
}

fn days(d: jiff::SignedDuration) -> String {
    let hours = d.as_hours();
    if hours < 48 {
        format!("{hours} hours")
    } else {
        format!("{} days", hours / 24)
    }
}

impl Vetter<'_> {
    /// Vets one package.
    pub fn vet(&self, req: &Request) -> Vetted {
        let mut v = Vetted {
            name: normalize(&req.name),
            version: req.version.clone(),
            verdict: Verdict::Allow,
            reasons: Vec::new(),
            required_by: None,
        };
        self.name_reasons(&mut v);
        match self.client.project(&v.name) {
            Err(e) => {
                let help = if e.is_offline() {
                    "run without `--offline` so the index can be asked".to_owned()
                } else {
                    "check the index URL and the network, then vet again; do not add the \
                     package before it is vetted"
                        .to_owned()
                };
                v.reasons.push(reason(
                    reasons::INDEX_UNAVAILABLE,
                    &v,
                    format!("the index could not be asked about `{}`: {e}", v.name),
                    help,
                ));
            }
            Ok(None) => self.not_found(&mut v),
            Ok(Some(page)) => self.judge_page(&mut v, req, &page),
        }
        self.malicious_reasons(&mut v);
        v.verdict = Verdict::of(&v.reasons);
        v
    }

    /// What the name alone says: a popular name's look-alike.
    fn name_reasons(&self, v: &mut Vetted) {
        let Some(names) = self.names else { return };
        if let Some(popular) = &names.popular
            && let Some(s) = popular.suspect(&v.name, &names.tuning)
        {
            v.reasons.push(
                reason(
                    reasons::TYPOSQUAT,
                    v,
                    format!(
                        "`{}` looks like `{}`, the #{} most downloaded package ({})",
                        v.name,
                        s.popular,
                        s.rank,
                        s.how.describe()
                    ),
                    format!(
                        "if you meant `{}`, add that instead; otherwise check who publishes `{}` \
                         before adding it",
                        s.popular, v.name
                    ),
                )
                .with_confidence(cordon_diagnostics::Confidence::Medium),
            );
        }
    }

    /// Malicious-package records for the name (and the judged version).
    fn malicious_reasons(&self, v: &mut Vetted) {
        let Some(names) = self.names else { return };
        if v.reasons
            .iter()
            .any(|r| r.id == reasons::KNOWN_MALICIOUS.id)
        {
            return;
        }
        let hit = names
            .malicious_records(&v.name)
            .find(|r| matching::malicious_covers(r, v.version.as_deref()));
        if let Some(record) = hit {
            let what = if record.all_versions {
                format!("`{}` is a known malicious package ({})", v.name, record.id)
            } else {
                format!(
                    "`{}` has known malicious releases ({}: {})",
                    v.name,
                    record.id,
                    record.versions.join(", ")
                )
            };
            v.reasons.push(reason(
                reasons::KNOWN_MALICIOUS,
                v,
                what,
                "do not install it; if it was installed anywhere, treat that machine as \
                 compromised and rotate the credentials it could read"
                    .to_owned(),
            ));
        }
    }

    fn not_found(&self, v: &mut Vetted) {
        let near = self
            .names
            .and_then(|n| n.popular.as_ref())
            .map(|p| p.nearest(&v.name, 3))
            .unwrap_or_default();
        let help = if near.is_empty() {
            "check the spelling and where the name came from; an AI assistant may have invented \
             it, and an attacker can register an invented name at any time"
                .to_owned()
        } else {
            let list: Vec<String> = near
                .iter()
                .map(|(n, rank)| format!("`{n}` (#{rank})"))
                .collect();
            format!(
                "did you mean {}? Check where the name came from: an AI assistant may have \
                 invented it, and an attacker can register an invented name at any time",
                list.join(", ")
            )
        };
        v.reasons.push(reason(
            reasons::NOT_FOUND,
            v,
            format!(
                "`{}` does not exist on {}: likely a hallucinated or mistyped name",
                v.name,
                self.client.index_url()
            ),
            help,
        ));
    }

    fn judge_page(&self, v: &mut Vetted, req: &Request, page: &ProjectPage) {
        if let Some(status) = &page.status {
            let why = status
                .reason
                .as_deref()
                .map_or(String::new(), |r| format!(": {r}"));
            let (kind, help) = match status.status.as_str() {
                "quarantined" => (
                    reasons::QUARANTINED,
                    "do not install it: the index holds it back as unsafe (often malware)",
                ),
                "archived" => (
                    reasons::ARCHIVED,
                    "it will get no more fixes: prefer a maintained alternative",
                ),
                "deprecated" => (
                    reasons::DEPRECATED,
                    "it is obsolete: look for the project that replaces it",
                ),
                _ => (reasons::PROVENANCE, ""),
            };
            if !help.is_empty() {
                v.reasons.push(reason(
                    kind,
                    v,
                    format!("the index marks `{}` as {}{why}", v.name, status.status),
                    help.to_owned(),
                ));
            }
        }
        let releases = release::releases(page);
        if releases.is_empty() {
            if !v.reasons.iter().any(|r| r.id == reasons::QUARANTINED.id) {
                v.reasons.push(reason(
                    reasons::NO_FILES,
                    v,
                    format!("`{}` has no files on the index", v.name),
                    "there is nothing to install; it may have been removed".to_owned(),
                ));
            }
            return;
        }
        let chosen = if let Some(wanted) = &req.version {
            let Some(r) = release::find(&releases, wanted) else {
                let latest = releases.last().map_or("?", |r| r.version.as_str());
                v.reasons.push(reason(
                    reasons::VERSION_NOT_FOUND,
                    v,
                    format!(
                        "`{}` has no release {wanted} (the newest is {latest})",
                        v.name
                    ),
                    "check the version; a version that does not exist cannot be installed, \
                     and one published later has not been vetted"
                        .to_owned(),
                ));
                return;
            };
            r
        } else {
            let (chosen, held) = release::choose(&releases, self.cooldown.cutoff);
            let Some(chosen) = chosen else {
                v.reasons.push(reason(
                    reasons::YANKED,
                    v,
                    format!("every release of `{}` is yanked", v.name),
                    "do not add it; its maintainers withdrew every release".to_owned(),
                ));
                return;
            };
            if let Some(h) = held {
                let age = h.uploaded().map_or(String::new(), |t| {
                    format!(", uploaded {} ago", days(self.now.duration_since(t)))
                });
                v.reasons.push(reason(
                    reasons::COOLDOWN_HELD_BACK,
                    v,
                    format!(
                        "the newest release, {}{age}, is inside the cooldown ({}); {} is judged, \
                         as uv would install it",
                        h.version, self.cooldown.label, chosen.version
                    ),
                    format!("pin `{}=={}`", v.name, chosen.version),
                ));
            }
            chosen
        };
        v.version = Some(chosen.version.clone());
        self.age_reasons(v, &releases, chosen);
        if let Some(why) = chosen.yanked() {
            let why = if why.is_empty() {
                String::new()
            } else {
                format!(": {why}")
            };
            v.reasons.push(reason(
                reasons::YANKED,
                v,
                format!("`{} {}` was yanked{why}", v.name, chosen.version),
                "pick a release that is not yanked".to_owned(),
            ));
        }
        self.vulnerability_reasons(v, &chosen.version);
        self.malicious_reasons(v);
        if v.reasons.iter().any(|r| r.severity == Severity::High) {
            // Already blocked: nothing is downloaded for it.
            return;
        }
        match chosen.artifact(&self.target) {
            Some(file) => self.artifact_reasons(v, file),
            None => v.reasons.push(reason(
                reasons::NO_FILES,
                v,
                format!("`{} {}` has no files", v.name, chosen.version),
                "there is nothing to install".to_owned(),
            )),
        }
    }

    fn age_reasons(&self, v: &mut Vetted, releases: &[Release<'_>], chosen: &Release<'_>) {
        let first = releases.iter().filter_map(Release::uploaded).min();
        match chosen.uploaded() {
            None => v.reasons.push(reason(
                reasons::UPLOAD_TIME_MISSING,
                v,
                format!(
                    "the index gives no upload time for `{} {}`, so its age is unknown",
                    v.name, chosen.version
                ),
                "use an index that serves PEP 700 upload times, or check the release date \
                 yourself"
                    .to_owned(),
            )),
            Some(t) if t > self.cooldown.cutoff => v.reasons.push(reason(
                reasons::RELEASE_TOO_NEW,
                v,
                format!(
                    "`{} {}` was uploaded {} ago, inside the cooldown ({})",
                    v.name,
                    chosen.version,
                    days(self.now.duration_since(t)),
                    self.cooldown.label
                ),
                "wait until the cooldown has passed (most malicious releases are found and \
                 removed within days), or pin an older release"
                    .to_owned(),
            )),
            Some(_) => {}
        }
        if let Some(first) = first
            && first > self.cooldown.cutoff
        {
            v.reasons.push(reason(
                reasons::PROJECT_TOO_NEW,
                v,
                format!(
                    "`{}` first appeared on the index {} ago, inside the cooldown ({})",
                    v.name,
                    days(self.now.duration_since(first)),
                    self.cooldown.label
                ),
                "a brand-new project has no track record: check who publishes it and why you \
                 need it"
                    .to_owned(),
            ));
        }
    }

    fn vulnerability_reasons(&self, v: &mut Vetted, version: &str) {
        let mut ids: Vec<String> = Vec::new();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut fixes: Vec<String> = Vec::new();
        let mut fix_unknown = false;
        if let Some(adv) = self.names.and_then(|n| n.advisories.as_ref())
            && let Ok(parsed) = version.parse::<pep440_rs::Version>()
        {
            let hits: Vec<_> = adv
                .iter()
                .filter(|a| a.name == v.name && matching::affects(a, &parsed))
                .collect();
            for a in &hits {
                seen.insert(a.id.clone());
                seen.extend(a.aliases.iter().cloned());
            }
            ids.extend(matching::describe_ids(&hits));
            match matching::first_fix_above(&hits, &parsed) {
                Some(f) => fixes.push(f.to_string()),
                None => fix_unknown |= !hits.is_empty(),
            }
        }
        // The index's own list (the project JSON API), where it has one.
        if let Ok(Some(list)) = self.client.vulnerabilities(&v.name, version) {
            for vuln in list {
                if seen.contains(&vuln.id) || vuln.aliases.iter().any(|a| seen.contains(a)) {
                    continue;
                }
                seen.insert(vuln.id.clone());
                if vuln.id.starts_with("MAL-") {
                    v.reasons.push(reason(
                        reasons::KNOWN_MALICIOUS,
                        v,
                        format!(
                            "the index reports `{} {version}` as malicious ({})",
                            v.name, vuln.id
                        ),
                        "do not install it".to_owned(),
                    ));
                    continue;
                }
                ids.push(vuln.id.clone());
                match vuln
                    .fixed_in
                    .iter()
                    .filter_map(|f| f.parse::<pep440_rs::Version>().ok())
                    .min()
                {
                    Some(f) => fixes.push(f.to_string()),
                    None => fix_unknown = true,
                }
            }
        }
        if ids.is_empty() {
            return;
        }
        let highest_fix = fixes
            .iter()
            .filter_map(|f| f.parse::<pep440_rs::Version>().ok())
            .max();
        let help = match (highest_fix, fix_unknown) {
            (Some(f), false) => format!("add `{}=={f}` or later instead", v.name),
            _ => "no release fixes them all: choose another release or package, or confirm the \
                  vulnerable code is not reachable"
                .to_owned(),
        };
        v.reasons.push(reason(
            reasons::KNOWN_VULNERABLE,
            v,
            format!(
                "`{} {version}` is affected by {} advisor{}: {}",
                v.name,
                ids.len(),
                if ids.len() == 1 { "y" } else { "ies" },
                ids.join(", ")
            ),
            help,
        ));
    }

    fn artifact_reasons(&self, v: &mut Vetted, file: &IndexFile) {
        match &file.provenance {
            Some(url) => match self.client.publishers(url) {
                Ok(Some(list)) if !list.is_empty() => {
                    let who: Vec<String> = list
                        .iter()
                        .map(cordon_intel::index::Publisher::describe)
                        .collect();
                    v.reasons.push(reason(
                        reasons::PROVENANCE,
                        v,
                        format!(
                            "{} was published by {} (PEP 740 attestation)",
                            file.filename,
                            who.join(", ")
                        ),
                        "check that this is the project's own repository".to_owned(),
                    ));
                }
                Ok(_) => v.reasons.push(reason(
                    reasons::PROVENANCE_MISSING,
                    v,
                    format!(
                        "{} names a provenance, but the index has none for it",
                        file.filename
                    ),
                    "who built and uploaded it cannot be checked".to_owned(),
                )),
                Err(e) => v.reasons.push(reason(
                    reasons::PROVENANCE_MISSING,
                    v,
                    format!("the provenance of {} could not be read: {e}", file.filename),
                    "who built and uploaded it cannot be checked".to_owned(),
                )),
            },
            None => v.reasons.push(reason(
                reasons::PROVENANCE_MISSING,
                v,
                format!("{} has no provenance (PEP 740)", file.filename),
                "who built and uploaded it cannot be checked; many projects publish without \
                 attestations, so this alone is not a warning sign"
                    .to_owned(),
            )),
        }
        if !self.scan {
            return;
        }
        if file.sha256.is_none() {
            v.reasons.push(reason(
                reasons::ARTIFACT_UNVERIFIED,
                v,
                format!(
                    "the index gives no sha256 for {}, so the download cannot be verified",
                    file.filename
                ),
                "use an index that publishes hashes".to_owned(),
            ));
        }
        let bytes = match self.fetcher.fetch(&file.url, file.sha256.as_deref()) {
            Ok(b) => b,
            Err(e @ FetchError::HashMismatch { .. }) => {
                v.reasons.push(reason(
                    reasons::HASH_MISMATCH,
                    v,
                    format!(
                        "{} does not match the hash the index lists: {e}",
                        file.filename
                    ),
                    "do not install it: the file was changed between the index and you".to_owned(),
                ));
                return;
            }
            Err(e) => {
                v.reasons.push(reason(
                    reasons::ARTIFACT_UNAVAILABLE,
                    v,
                    format!(
                        "{} could not be downloaded, so it was not scanned: {e}",
                        file.filename
                    ),
                    "vet it again when the index answers; do not add it unscanned".to_owned(),
                ));
                return;
            }
        };
        let limits = cordon_scan::Limits::default();
        let artifact =
            match cordon_scan::archive::from_bytes(&file.filename, &file.filename, &bytes, &limits)
            {
                Ok(a) => a,
                Err(e) => {
                    v.reasons.push(reason(
                        reasons::ARTIFACT_SUSPICIOUS,
                        v,
                        format!("{} cannot be read as a wheel or sdist: {e}", file.filename),
                        "an installer may still read it: look at it by hand before adding it"
                            .to_owned(),
                    ));
                    return;
                }
            };
        let scanned = cordon_scan::scan(&artifact);
        let kind = match scanned.verdict {
            cordon_scan::Verdict::Malicious => reasons::ARTIFACT_MALICIOUS,
            cordon_scan::Verdict::Suspicious => reasons::ARTIFACT_SUSPICIOUS,
            cordon_scan::Verdict::Clean => return,
        };
        let evidence: Vec<String> = scanned
            .evidence
            .iter()
            .filter(|e| e.severity >= Severity::Medium)
            .take(3)
            .map(|e| {
                let at = match (&e.member, e.line) {
                    (Some(m), Some(l)) => format!("{m}:{l}: "),
                    (Some(m), None) => format!("{m}: "),
                    _ => String::new(),
                };
                format!("{at}{}", e.message)
            })
            .collect();
        v.reasons.push(reason(
            kind,
            v,
            format!(
                "the scanner judged {} {} (score {}): {}{}",
                file.filename,
                scanned.verdict.as_str(),
                scanned.score,
                scanned.reasons.join("; "),
                if evidence.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", evidence.join("; "))
                }
            ),
            format!(
                "see the evidence with `cordon scan` on the file ({}); do not add it until a \
                 person has read that code",
                file.url
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_a_name_or_one_exact_version() {
        assert_eq!(
            Request::parse("Requests==2.32.3").unwrap(),
            Request {
                name: "Requests".into(),
                version: Some("2.32.3".into())
            }
        );
        assert_eq!(Request::parse("numpy").unwrap().version, None);
        for bad in [
            "numpy>=1",
            "numpy==",
            "http://x/y.whl",
            "numpy==not a version",
            "",
        ] {
            assert!(Request::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_worst_reason_decides() {
        let f = |s| Finding::new("x", s, "m", "h", Where::Project);
        assert_eq!(Verdict::of(&[]), Verdict::Allow);
        assert_eq!(
            Verdict::of(&[f(Severity::Low), f(Severity::Info)]),
            Verdict::Allow
        );
        assert_eq!(Verdict::of(&[f(Severity::Medium)]), Verdict::Review);
        assert_eq!(
            Verdict::of(&[f(Severity::Medium), f(Severity::High)]),
            Verdict::Block
        );
    }
}
