//! The reference-data store: popular package names by rank, malicious-package records and
//! vulnerability advisories (both OSV), kept under the user cache directory (`intel/`).
//!
//! Each kind lives in its own file, written atomically, so a check that needs only the popular
//! names reads only those. `import` reads the standard formats: the top-packages JSON
//! (`{"rows": [{"project": ...}]}`) and OSV records (one per file, or arrays of them), from
//! files, folders (recursively) and zip archives of them. Records are keyed by id: importing a
//! record again replaces it. `import_bytes` reads the same formats from memory (downloads, for
//! `cordon intel update`, from the [`DEFAULT_SOURCES`] unless told otherwise).

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use cordon_python::name::normalize;
use jiff::Timestamp;
use serde_json::{Value, json};

/// Largest file, download or zip member read by `import` and `import_bytes`.
pub const MAX_INPUT: u64 = 256 * 1024 * 1024;
/// Most zip members read from one archive.
const MAX_MEMBERS: usize = 500_000;

/// The public home of the top-packages list: the most downloaded PyPI projects of the last 30
/// days, most downloaded first (`{"rows": [{"project": ...}]}`), refreshed monthly.
pub const TOP_PACKAGES_URL: &str =
    "https://hugovk.github.io/top-pypi-packages/top-pypi-packages.min.json";

/// OSV's export of every PyPI record, one JSON file per record in a zip archive: malicious
/// packages (`MAL-*`) and vulnerability advisories (`PYSEC-*`, `GHSA-*`, ...), refreshed daily.
pub const OSV_PYPI_URL: &str = "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip";

/// Where `cordon intel update` downloads the reference data from when neither `--source` nor
/// [`SOURCES_ENV`] names sources: the top-packages list, then OSV's PyPI export.
pub const DEFAULT_SOURCES: [&str; 2] = [TOP_PACKAGES_URL, OSV_PYPI_URL];

/// The environment variable naming other sources for `cordon intel update` (URLs separated by
/// whitespace or commas), in place of [`DEFAULT_SOURCES`].
pub const SOURCES_ENV: &str = "CORDON_INTEL_SOURCES";

/// The sources `cordon intel update` downloads: `given` (its `--source` URLs) when there are
/// any, else the URLs in `env` (the value of [`SOURCES_ENV`], split at whitespace and commas)
/// when it names any, else [`DEFAULT_SOURCES`]. Duplicates are dropped, first one kept.
pub fn update_sources(given: &[String], env: Option<&str>) -> Vec<String> {
    let given: Vec<String> = given
        .iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    let from_env: Vec<String> = env
        .into_iter()
        .flat_map(|v| v.split(|c: char| c == ',' || c.is_whitespace()))
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let chosen = if !given.is_empty() {
        given
    } else if !from_env.is_empty() {
        from_env
    } else {
        DEFAULT_SOURCES.iter().map(|s| (*s).to_owned()).collect()
    };
    let mut out: Vec<String> = Vec::with_capacity(chosen.len());
    for s in chosen {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// A malicious-package record (OSV `MAL-*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malicious {
    pub id: String,
    /// Normalised package name.
    pub name: String,
    /// The versions known to be malicious (empty with `all_versions`).
    pub versions: Vec<String>,
    /// Every version is malicious (a range from `0` with no fix, or no versions listed).
    pub all_versions: bool,
}

/// One affected range of an advisory, as OSV events (`introduced`, then `fixed` or
/// `last_affected`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AffectedRange {
    pub introduced: Option<String>,
    pub fixed: Option<String>,
    pub last_affected: Option<String>,
}

/// A vulnerability advisory (OSV, any id but `MAL-*`) for one PyPI package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advisory {
    pub id: String,
    /// Normalised package name.
    pub name: String,
    pub aliases: Vec<String>,
    pub ranges: Vec<AffectedRange>,
    /// Versions listed as affected one by one.
    pub versions: Vec<String>,
}

/// What one kind of data holds, and since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub count: usize,
    /// When it was last imported or updated (`None`: never).
    pub updated: Option<Timestamp>,
    /// Where it came from (files or URLs).
    pub from: Vec<String>,
}

/// What [`Store::import`] or [`Store::import_bytes`] read.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Imported {
    pub popular: usize,
    pub malicious: usize,
    pub advisories: usize,
    /// Files or members that were not one of the formats, with why.
    pub skipped: Vec<(String, String)>,
}

/// A failure to read or write the store, naming the file (for an input read from memory, its
/// label, such as the URL it was downloaded from, stands in `path`).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {error}")]
    Io { path: PathBuf, error: io::Error },
    #[error("{path}: not valid JSON: {message}")]
    Json { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    Format { path: PathBuf, message: String },
}

/// The store in one folder.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

/// The kinds of data, each in its own file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Popular,
    Malicious,
    Advisories,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Popular, Kind::Malicious, Kind::Advisories];

    fn file(self) -> &'static str {
        match self {
            Kind::Popular => "popular.json",
            Kind::Malicious => "malicious.json",
            Kind::Advisories => "advisories.json",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Popular => "popular packages",
            Kind::Malicious => "malicious-package records",
            Kind::Advisories => "vulnerability advisories",
        }
    }
}

impl Store {
    /// The store in `dir`.
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The store under the user cache directory (`CORDON_CACHE_DIR`, else the platform's).
    pub fn default_location() -> Option<Self> {
        crate::Fetcher::default_cache_dir().map(|d| Self::at(d.join("intel")))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Popular names in rank order, most downloaded first; `None` when never imported.
    pub fn popular(&self) -> Result<Option<Vec<String>>, StoreError> {
        let Some(doc) = self.read(Kind::Popular)? else {
            return Ok(None);
        };
        Ok(Some(strings(&doc["names"])))
    }

    /// Malicious-package records; `None` when never imported.
    pub fn malicious(&self) -> Result<Option<Vec<Malicious>>, StoreError> {
        self.records(Kind::Malicious, |r| {
            Some(Malicious {
                id: r["id"].as_str()?.to_owned(),
                name: r["name"].as_str()?.to_owned(),
                versions: strings(&r["versions"]),
                all_versions: r["all_versions"].as_bool().unwrap_or(false),
            })
        })
    }

    /// Advisories; `None` when never imported.
    pub fn advisories(&self) -> Result<Option<Vec<Advisory>>, StoreError> {
        self.records(Kind::Advisories, |r| {
            Some(Advisory {
                id: r["id"].as_str()?.to_owned(),
                name: r["name"].as_str()?.to_owned(),
                aliases: strings(&r["aliases"]),
                ranges: r["ranges"]
                    .as_array()
                    .map(|a| a.iter().map(range_of).collect())
                    .unwrap_or_default(),
                versions: strings(&r["versions"]),
            })
        })
    }

    /// The stored records of `kind`, each read by `read` (a malformed one is left out);
    /// `None` when never imported.
    fn records<T>(
        &self,
        kind: Kind,
        read: impl Fn(&Value) -> Option<T>,
    ) -> Result<Option<Vec<T>>, StoreError> {
        let Some(doc) = self.read(kind)? else {
            return Ok(None);
        };
        Ok(Some(
            doc["records"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(read)
                .collect(),
        ))
    }

    /// What each kind holds and when it was last imported: read from each kind's small
    /// summary file, so it costs nothing however large the data is.
    pub fn status(&self) -> Result<Vec<(Kind, Part)>, StoreError> {
        let mut out = Vec::new();
        for kind in Kind::ALL {
            // A summary written with the data; the data itself when the summary is missing.
            let doc = match read_json(&self.summary_path(kind))? {
                Some(summary) => Some(summary),
                None => self.read(kind)?.map(|doc| summary_of(kind, &doc)),
            };
            let part = match doc {
                None => Part {
                    count: 0,
                    updated: None,
                    from: Vec::new(),
                },
                Some(doc) => Part {
                    count: doc["count"]
                        .as_u64()
                        .and_then(|c| usize::try_from(c).ok())
                        .unwrap_or(0),
                    updated: doc["updated"].as_str().and_then(|t| t.parse().ok()),
                    from: strings(&doc["from"]),
                },
            };
            out.push((kind, part));
        }
        Ok(out)
    }

    /// Reads `paths` (files, folders, zip archives) and stores what they hold, as of `now`.
    /// Popular names replace the stored list; records replace those with the same id. Nothing
    /// is written when a path cannot be read.
    pub fn import(&self, paths: &[PathBuf], now: Timestamp) -> Result<Imported, StoreError> {
        let mut found = Found::default();
        for path in paths {
            read_path(path, &mut found)?;
        }
        let from: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        self.save(found, &from, now)
    }

    /// Reads inputs held in memory, each a `(label, bytes)` pair (the label, such as the URL
    /// the bytes were downloaded from, names the input in errors and in the store's sources),
    /// and stores what they hold, as of `now`, as [`Store::import`] does a file: a zip archive
    /// (by its first bytes) of JSON members, else one JSON document. All or nothing: unlike a
    /// folder given to `import`, every input must hold a top-packages list or OSV records about
    /// PyPI packages, and nothing is written when one cannot be read or holds none.
    pub fn import_bytes(
        &self,
        inputs: &[(String, Vec<u8>)],
        now: Timestamp,
    ) -> Result<Imported, StoreError> {
        let mut found = Found::default();
        for (label, bytes) in inputs {
            let before = (
                found.popular_lists,
                found.malicious.len() + found.advisories.len(),
                found.skipped.len(),
            );
            read_bytes(Path::new(label), bytes, &mut found)?;
            if found.popular_lists == before.0
                && found.malicious.len() + found.advisories.len() == before.1
            {
                let why = found.skipped[before.2..]
                    .first()
                    .map_or_else(String::new, |(what, why)| format!(" ({what}: {why})"));
                return Err(StoreError::Format {
                    path: PathBuf::from(label),
                    message: format!(
                        "holds neither a top-packages list nor OSV records about PyPI packages{why}"
                    ),
                });
            }
        }
        let from: Vec<String> = inputs.iter().map(|(label, _)| label.clone()).collect();
        self.save(found, &from, now)
    }

    /// Stores what the inputs held, as of `now`; `from` names the inputs.
    fn save(&self, found: Found, from: &[String], now: Timestamp) -> Result<Imported, StoreError> {
        let mut done = Imported {
            skipped: found.skipped,
            ..Imported::default()
        };
        if let Some((source, names)) = found.popular {
            done.popular = names.len();
            self.write(
                Kind::Popular,
                &json!({"updated": now.to_string(), "from": [source], "names": names}),
            )?;
        }
        for (kind, records) in [
            (Kind::Malicious, found.malicious),
            (Kind::Advisories, found.advisories),
        ] {
            if records.is_empty() {
                continue;
            }
            let old = self.read(kind)?;
            let mut by_id: BTreeMap<String, Value> = BTreeMap::new();
            for r in old
                .as_ref()
                .and_then(|d| d["records"].as_array())
                .into_iter()
                .flatten()
            {
                if let Some(id) = r["id"].as_str() {
                    by_id.insert(id.to_owned(), r.clone());
                }
            }
            let count = records.len();
            for r in records {
                if let Some(id) = r["id"].as_str() {
                    by_id.insert(id.to_owned(), r);
                }
            }
            match kind {
                Kind::Malicious => done.malicious = count,
                _ => done.advisories = count,
            }
            let mut sources = old
                .as_ref()
                .map(|d| strings(&d["from"]))
                .unwrap_or_default();
            for f in from {
                if !sources.contains(f) {
                    sources.push(f.clone());
                }
            }
            let records: Vec<Value> = by_id.into_values().collect();
            self.write(
                kind,
                &json!({"updated": now.to_string(), "from": sources, "records": records}),
            )?;
        }
        Ok(done)
    }

    fn path(&self, kind: Kind) -> PathBuf {
        self.dir.join(kind.file())
    }

    /// Where the summary of `kind` (count, sources, time) is kept.
    fn summary_path(&self, kind: Kind) -> PathBuf {
        self.dir.join(kind.file().replace(".json", ".summary.json"))
    }

    fn read(&self, kind: Kind) -> Result<Option<Value>, StoreError> {
        read_json(&self.path(kind))
    }

    /// Writes the data of `kind`, then its summary.
    fn write(&self, kind: Kind, doc: &Value) -> Result<(), StoreError> {
        write_json(&self.path(kind), doc)?;
        write_json(&self.summary_path(kind), &summary_of(kind, doc))
    }
}

/// The summary of a stored document: how many items, from where, when.
fn summary_of(kind: Kind, doc: &Value) -> Value {
    let key = if kind == Kind::Popular {
        "names"
    } else {
        "records"
    };
    json!({
        "count": doc[key].as_array().map_or(0, Vec::len),
        "from": doc["from"],
        "updated": doc["updated"],
    })
}

fn read_json(path: &Path) -> Result<Option<Value>, StoreError> {
    match fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| StoreError::Json {
                path: path.to_path_buf(),
                message: e.to_string(),
            }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(StoreError::Io {
            path: path.to_path_buf(),
            error,
        }),
    }
}

fn write_json(path: &Path, doc: &Value) -> Result<(), StoreError> {
    let bytes = serde_json::to_vec(doc).map_err(|e| StoreError::Json {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    write_atomically(path, &bytes).map_err(|error| StoreError::Io {
        path: path.to_path_buf(),
        error,
    })
}

/// Writes `bytes` to `path` through a temporary file beside it and a rename, so a reader sees
/// the old file or the new one, never half of one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let written = fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    if let Err(e) = written.and_then(|()| fs::rename(&tmp, path)) {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(())
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn range_of(v: &Value) -> AffectedRange {
    let s = |k: &str| v[k].as_str().map(str::to_owned);
    AffectedRange {
        introduced: s("introduced"),
        fixed: s("fixed"),
        last_affected: s("last_affected"),
    }
}

/// What the inputs held, before it is stored.
#[derive(Default)]
struct Found {
    popular: Option<(String, Vec<String>)>,
    /// How many top-packages lists were read (the last one is kept).
    popular_lists: usize,
    malicious: Vec<Value>,
    advisories: Vec<Value>,
    skipped: Vec<(String, String)>,
}

fn read_path(path: &Path, found: &mut Found) -> Result<(), StoreError> {
    let io_err = |error| StoreError::Io {
        path: path.to_path_buf(),
        error,
    };
    let meta = fs::metadata(path).map_err(io_err)?;
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = fs::read_dir(path)
            .map_err(io_err)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        for entry in entries {
            let is_json = entry
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"));
            let is_zip = entry
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
            if entry.is_dir() || is_json || is_zip {
                read_path(&entry, found)?;
            }
        }
        return Ok(());
    }
    if meta.len() > MAX_INPUT {
        return Err(too_large(path));
    }
    let bytes = fs::read(path).map_err(io_err)?;
    read_bytes(path, &bytes, found)
}

fn too_large(path: &Path) -> StoreError {
    StoreError::Format {
        path: path.to_path_buf(),
        message: format!("larger than {} MiB", MAX_INPUT / (1024 * 1024)),
    }
}

/// Reads one input's bytes, a file's or a download's, named `path` (or a label standing in for
/// it): a zip archive by its first bytes, else one JSON document.
fn read_bytes(path: &Path, bytes: &[u8], found: &mut Found) -> Result<(), StoreError> {
    if bytes.len() as u64 > MAX_INPUT {
        return Err(too_large(path));
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return read_zip(path, bytes, found);
    }
    let label = path.display().to_string();
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| StoreError::Json {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    take(&label, doc, found);
    Ok(())
}

fn read_zip(path: &Path, bytes: &[u8], found: &mut Found) -> Result<(), StoreError> {
    let format = |message: String| StoreError::Format {
        path: path.to_path_buf(),
        message,
    };
    let mut zip = zip::ZipArchive::new(io::Cursor::new(bytes))
        .map_err(|e| format(format!("not a readable zip archive: {e}")))?;
    if zip.len() > MAX_MEMBERS {
        return Err(format(format!("more than {MAX_MEMBERS} members")));
    }
    for i in 0..zip.len() {
        let mut member = zip
            .by_index(i)
            .map_err(|e| format(format!("member {i}: {e}")))?;
        let name = member
            .name()
            .map(std::borrow::Cow::into_owned)
            .unwrap_or_default();
        let json = Path::new(&name)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        if !member.is_file() || !json {
            continue;
        }
        let label = format!("{}!/{name}", path.display());
        let mut data = Vec::new();
        (&mut member)
            .take(MAX_INPUT + 1)
            .read_to_end(&mut data)
            .map_err(|e| format(format!("{label}: {e}")))?;
        if data.len() as u64 > MAX_INPUT {
            return Err(format(format!(
                "{label}: larger than {} MiB",
                MAX_INPUT / (1024 * 1024)
            )));
        }
        match serde_json::from_slice::<Value>(&data) {
            Ok(doc) => take(&label, doc, found),
            Err(e) => found.skipped.push((label, format!("not valid JSON: {e}"))),
        }
    }
    Ok(())
}

/// Sorts one JSON document into what it holds.
fn take(label: &str, doc: Value, found: &mut Found) {
    if let Some(rows) = doc.get("rows").and_then(Value::as_array) {
        let names: Vec<String> = rows
            .iter()
            .filter_map(|r| r["project"].as_str())
            .map(normalize)
            .collect();
        if names.is_empty() {
            found
                .skipped
                .push((label.to_owned(), "a `rows` list without projects".into()));
        } else {
            found.popular = Some((label.to_owned(), names));
            found.popular_lists += 1;
        }
        return;
    }
    let records = match doc {
        Value::Array(a) => a,
        other => vec![other],
    };
    for r in records {
        match osv(&r) {
            Ok(Some((true, v))) => found.malicious.push(v),
            Ok(Some((false, v))) => found.advisories.push(v),
            Ok(None) => {}
            Err(why) => found.skipped.push((label.to_owned(), why)),
        }
    }
}

/// An OSV record as stored: `(is_malicious, record)`, or `None` for one about no PyPI package.
fn osv(r: &Value) -> Result<Option<(bool, Value)>, String> {
    let Some(id) = r["id"].as_str() else {
        return Err("neither a top-packages list nor an OSV record (no `id`)".into());
    };
    if r.get("withdrawn").is_some_and(|w| !w.is_null()) {
        return Ok(None);
    }
    let Some(affected) = r["affected"].as_array() else {
        return Err(format!("OSV record {id} has no `affected` list"));
    };
    let pypi: Vec<&Value> = affected
        .iter()
        .filter(|a| {
            a["package"]["ecosystem"]
                .as_str()
                .is_some_and(|e| e.eq_ignore_ascii_case("pypi"))
        })
        .collect();
    let Some(name) = pypi
        .first()
        .and_then(|a| a["package"]["name"].as_str())
        .map(normalize)
    else {
        return Ok(None);
    };
    let mut versions: Vec<String> = Vec::new();
    let mut ranges: Vec<Value> = Vec::new();
    let mut open_from_zero = false;
    for a in &pypi {
        versions.extend(strings(&a["versions"]));
        for range in a["ranges"].as_array().into_iter().flatten() {
            if range["type"].as_str() == Some("GIT") {
                continue;
            }
            // OSV events come in order: each `introduced` opens a range, the next `fixed` or
            // `last_affected` closes it.
            let mut current: Option<(Option<String>, Option<String>, Option<String>)> = None;
            for ev in range["events"].as_array().into_iter().flatten() {
                let s = |k: &str| ev[k].as_str().map(str::to_owned);
                if let Some(intro) = s("introduced") {
                    if let Some((i, f, l)) = current.take() {
                        ranges.push(json!({"introduced": i, "fixed": f, "last_affected": l}));
                    }
                    current = Some((Some(intro), None, None));
                } else if let Some(fixed) = s("fixed") {
                    let (i, _, l) = current.take().unwrap_or((None, None, None));
                    ranges.push(json!({"introduced": i, "fixed": fixed, "last_affected": l}));
                } else if let Some(last) = s("last_affected") {
                    let (i, f, _) = current.take().unwrap_or((None, None, None));
                    ranges.push(json!({"introduced": i, "fixed": f, "last_affected": last}));
                }
            }
            if let Some((i, f, l)) = current {
                open_from_zero |= i.as_deref() == Some("0");
                ranges.push(json!({"introduced": i, "fixed": f, "last_affected": l}));
            }
        }
    }
    versions.sort();
    versions.dedup();
    if id.starts_with("MAL-") {
        let all_versions = open_from_zero || (versions.is_empty() && ranges.is_empty());
        return Ok(Some((
            true,
            json!({
                "id": id,
                "name": name,
                "versions": if all_versions { Vec::new() } else { versions },
                "all_versions": all_versions,
            }),
        )));
    }
    Ok(Some((
        false,
        json!({
            "id": id,
            "name": name,
            "aliases": strings(&r["aliases"]),
            "ranges": ranges,
            "versions": versions,
        }),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: &str = "2026-11-20T10:00:00Z";

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, text).unwrap();
        p
    }

    fn mal(id: &str, name: &str, affected_extra: &str) -> String {
        format!(
            r#"{{"id":"{id}","modified":"2026-01-01T00:00:00Z","affected":[{{"package":{{"ecosystem":"PyPI","name":"{name}"}}{affected_extra}}}]}}"#
        )
    }

    #[test]
    fn imports_top_packages_osv_files_folders_and_zips() {
        let tmp = tempfile::tempdir().unwrap();
        let input = tmp.path().join("in");
        let top = write(
            &input,
            "top.json",
            r#"{"last_update":"2026-04-01","rows":[{"download_count":9,"project":"Requests"},{"download_count":5,"project":"python_dateutil"}]}"#,
        );
        // A folder of OSV records: one malicious for all versions, one for two versions, one
        // advisory with a range, one withdrawn, one for another ecosystem.
        let osv = input.join("osv");
        write(
            &osv,
            "MAL-2026-1.json",
            &mal(
                "MAL-2026-1",
                "reqeusts",
                r#","ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]"#,
            ),
        );
        write(
            &osv,
            "nested/MAL-2026-2.json",
            &mal("MAL-2026-2", "Good_Lib", r#","versions":["1.0.1","1.0.2"]"#),
        );
        write(
            &osv,
            "PYSEC-2026-3.json",
            r#"{"id":"PYSEC-2026-3","aliases":["CVE-2026-1"],"affected":[{"package":{"ecosystem":"PyPI","name":"Django"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"4.0"},{"fixed":"4.2.1"},{"introduced":"5.0"},{"last_affected":"5.0.3"}]}]}]}"#,
        );
        write(
            &osv,
            "MAL-2026-4.json",
            &mal("MAL-2026-4", "gone", "")
                .replace(r#""id""#, r#""withdrawn":"2026-02-01T00:00:00Z","id""#),
        );
        write(
            &osv,
            "GHSA-x.json",
            r#"{"id":"GHSA-x","affected":[{"package":{"ecosystem":"npm","name":"left-pad"}}]}"#,
        );
        write(&osv, "notes.txt", "not read");
        // A zip of OSV records, as the OSV bulk download serves them.
        let zip_path = input.join("all.zip");
        {
            let f = fs::File::create(&zip_path).unwrap();
            let mut z = zip::ZipWriter::new(f);
            let opts = zip::write::SimpleFileOptions::default();
            z.start_file("MAL-2026-5.json", opts).unwrap();
            z.write_all(mal("MAL-2026-5", "colourama", "").as_bytes())
                .unwrap();
            z.start_file("broken.json", opts).unwrap();
            z.write_all(b"{not json").unwrap();
            z.finish().unwrap();
        }
        let store = Store::at(tmp.path().join("store"));
        assert_eq!(store.popular().unwrap(), None);
        let now: Timestamp = NOW.parse().unwrap();
        let done = store.import(&[top, osv, zip_path.clone()], now).unwrap();
        assert_eq!((done.popular, done.malicious, done.advisories), (2, 3, 1));
        assert_eq!(done.skipped.len(), 1, "{:?}", done.skipped);
        assert!(done.skipped[0].0.ends_with("all.zip!/broken.json"));

        assert_eq!(
            store.popular().unwrap().unwrap(),
            ["requests", "python-dateutil"]
        );
        let m = store.malicious().unwrap().unwrap();
        let by = |id: &str| m.iter().find(|r| r.id == id).unwrap().clone();
        assert!(by("MAL-2026-1").all_versions);
        assert_eq!(by("MAL-2026-1").name, "reqeusts");
        let two = by("MAL-2026-2");
        assert_eq!((two.name.as_str(), two.all_versions), ("good-lib", false));
        assert_eq!(two.versions, ["1.0.1", "1.0.2"]);
        // No versions and no ranges: every version.
        assert!(by("MAL-2026-5").all_versions);
        let a = store.advisories().unwrap().unwrap();
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].name, "django");
        assert_eq!(a[0].aliases, ["CVE-2026-1"]);
        assert_eq!(
            a[0].ranges,
            [
                AffectedRange {
                    introduced: Some("4.0".into()),
                    fixed: Some("4.2.1".into()),
                    last_affected: None
                },
                AffectedRange {
                    introduced: Some("5.0".into()),
                    fixed: None,
                    last_affected: Some("5.0.3".into())
                },
            ]
        );
        let status = store.status().unwrap();
        assert_eq!(status[0].1.count, 2);
        assert_eq!(status[1].1.count, 3);
        assert_eq!(status[1].1.updated, Some(now));

        // Importing a record again replaces it; other records stay.
        let again = write(
            &input,
            "again/MAL-2026-2.json",
            &mal("MAL-2026-2", "good-lib", r#","versions":["1.0.3"]"#),
        );
        store.import(&[again], now).unwrap();
        let m = store.malicious().unwrap().unwrap();
        assert_eq!(m.len(), 3);
        assert_eq!(
            m.iter().find(|r| r.id == "MAL-2026-2").unwrap().versions,
            ["1.0.3"]
        );
    }

    #[test]
    fn bad_input_names_the_file_and_stores_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::at(tmp.path().join("store"));
        let good = write(tmp.path(), "MAL-1.json", &mal("MAL-1", "x", ""));
        let bad = write(tmp.path(), "bad.json", "{\"id\": ");
        let err = store
            .import(&[good, bad.clone()], NOW.parse().unwrap())
            .unwrap_err();
        assert!(err.to_string().contains("bad.json"), "{err}");
        assert_eq!(store.malicious().unwrap(), None);
        let missing = tmp.path().join("nope.json");
        let err = store.import(&[missing], NOW.parse().unwrap()).unwrap_err();
        assert!(err.to_string().contains("nope.json"), "{err}");
        // A corrupt store file is an error naming it, not an empty store.
        fs::create_dir_all(store.dir()).unwrap();
        fs::write(store.dir().join("popular.json"), "{").unwrap();
        let err = store.popular().unwrap_err();
        assert!(err.to_string().contains("popular.json"), "{err}");
    }

    #[test]
    fn update_sources_flag_then_environment_then_defaults() {
        let given = ["http://a.example.com/x".to_owned(), " ".to_owned()];
        assert_eq!(
            update_sources(&given, Some("http://b.example.com/y")),
            ["http://a.example.com/x"]
        );
        assert_eq!(
            update_sources(
                &[],
                Some(" http://b.example.com/y,http://c.example.com/z\n\thttp://b.example.com/y ,")
            ),
            ["http://b.example.com/y", "http://c.example.com/z"]
        );
        for env in [None, Some(""), Some(" , ")] {
            assert_eq!(update_sources(&[], env), DEFAULT_SOURCES);
        }
        assert!(
            DEFAULT_SOURCES
                .iter()
                .all(|s| s.starts_with("https://") && !s.contains(char::is_whitespace))
        );
    }

    fn zip_of(members: &[(&str, &str)]) -> Vec<u8> {
        let mut z = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
        for (name, text) in members {
            z.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            z.write_all(text.as_bytes()).unwrap();
        }
        z.finish().unwrap().into_inner()
    }

    #[test]
    fn imports_bytes_as_files_labelled_by_their_source() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::at(tmp.path().join("store"));
        let now: Timestamp = NOW.parse().unwrap();
        let top_url = "http://127.0.0.1:1/top.json".to_owned();
        let osv_url = "http://127.0.0.1:1/all.zip".to_owned();
        let inputs = [
            (
                top_url.clone(),
                br#"{"rows":[{"project":"Requests"},{"project":"numpy"}]}"#.to_vec(),
            ),
            (
                osv_url.clone(),
                zip_of(&[
                    ("MAL-1.json", &mal("MAL-1", "reqeusts", "")),
                    (
                        "PYSEC-1.json",
                        r#"{"id":"PYSEC-1","affected":[{"package":{"ecosystem":"PyPI","name":"numpy"},"versions":["1.0"]}]}"#,
                    ),
                    ("broken.json", "{"),
                ]),
            ),
        ];
        let done = store.import_bytes(&inputs, now).unwrap();
        assert_eq!((done.popular, done.malicious, done.advisories), (2, 1, 1));
        assert_eq!(done.skipped.len(), 1, "{:?}", done.skipped);
        assert_eq!(done.skipped[0].0, format!("{osv_url}!/broken.json"));
        assert_eq!(store.popular().unwrap().unwrap(), ["requests", "numpy"]);
        assert_eq!(store.malicious().unwrap().unwrap()[0].name, "reqeusts");
        assert_eq!(store.advisories().unwrap().unwrap()[0].versions, ["1.0"]);
        let status = store.status().unwrap();
        assert_eq!(status[0].1.from, std::slice::from_ref(&top_url));
        assert_eq!(status[1].1.from, [top_url.clone(), osv_url.clone()]);
        assert_eq!(status[2].1.updated, Some(now));

        // Files and bytes share the store: a list downloaded replaces a list imported.
        let file = write(
            tmp.path(),
            "top.json",
            r#"{"rows":[{"project":"Requests"}]}"#,
        );
        let other = Store::at(tmp.path().join("other"));
        other.import(std::slice::from_ref(&file), now).unwrap();
        assert_eq!(other.popular().unwrap().unwrap(), ["requests"]);
        assert_eq!(
            other.status().unwrap()[0].1.from,
            [file.display().to_string()]
        );
        other
            .import_bytes(
                &[(
                    top_url.clone(),
                    b"{\"rows\":[{\"project\":\"x\"}]}".to_vec(),
                )],
                now,
            )
            .unwrap();
        assert_eq!(other.popular().unwrap().unwrap(), ["x"]);
        assert_eq!(other.status().unwrap()[0].1.from, [top_url]);
    }

    #[test]
    fn bad_bytes_name_their_source_and_store_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::at(tmp.path().join("store"));
        let now: Timestamp = NOW.parse().unwrap();
        let good = (
            "http://127.0.0.1:1/top.json".to_owned(),
            br#"{"rows":[{"project":"requests"}]}"#.to_vec(),
        );
        for (label, bytes, expected) in [
            (
                "http://127.0.0.1:1/garbage",
                b"<html>".to_vec(),
                "not valid JSON",
            ),
            (
                "http://127.0.0.1:1/other.json",
                br#"{"name":"x"}"#.to_vec(),
                "holds neither a top-packages list nor OSV records",
            ),
            (
                "http://127.0.0.1:1/empty.zip",
                zip_of(&[("notes.txt", "x")]),
                "holds neither",
            ),
            (
                "http://127.0.0.1:1/cut.zip",
                zip_of(&[("MAL-1.json", &mal("MAL-1", "x", ""))])[..40].to_vec(),
                "not a readable zip archive",
            ),
        ] {
            let err = store
                .import_bytes(&[good.clone(), (label.to_owned(), bytes)], now)
                .unwrap_err();
            let text = err.to_string();
            assert!(text.starts_with(label) && text.contains(expected), "{text}");
            assert_eq!(store.popular().unwrap(), None, "{label}");
        }
    }
}
