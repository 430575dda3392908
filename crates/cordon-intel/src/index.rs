//! A client for a Python package index: the PEP 691 JSON simple API (project pages with their
//! files, hashes, upload times (PEP 700), provenance URLs (PEP 740) and project status (PEP
//! 792)), the project JSON API (a release's known vulnerabilities), and PEP 740 provenance
//! objects (who published a file).
//!
//! Every answer is kept in an on-disk cache keyed by URL (`<cache>/index/<hash>.json`, written
//! atomically): online, the index is asked every time and the cache refreshed; offline, only
//! the cache is read. A "not found" answer is cached too, so `--offline` can repeat it.
//! Which index to ask is the caller's business (DESIGN principle 4): nothing here names a host.

use std::fs;
use std::path::PathBuf;

use jiff::Timestamp;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::fetch::{FetchError, Fetcher};

/// The media type of the JSON simple API (PEP 691).
pub const SIMPLE_JSON: &str = "application/vnd.pypi.simple.v1+json";
/// The media type of PEP 740 provenance objects.
pub const INTEGRITY_JSON: &str = "application/vnd.pypi.integrity.v1+json";

/// Why the index gave no usable answer. Each names the URL.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// No answer, an HTTP error other than 404, a cut-short body, or offline without a cached
    /// answer.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The index answered, but not with JSON: an HTML-only index, or a login page.
    #[error(
        "{url} answered `{content_type}`, not the JSON simple API (PEP 691); cordon needs an \
         index that serves `{SIMPLE_JSON}`"
    )]
    NotJson { url: String, content_type: String },
    /// JSON that does not have the expected shape.
    #[error("{url} answered JSON cordon cannot read: {message}")]
    Invalid { url: String, message: String },
}

impl IndexError {
    /// True when the request never got an answer because network access is off.
    pub fn is_offline(&self) -> bool {
        matches!(self, Self::Fetch(FetchError::Offline { .. }))
    }
}

/// A project's page on the simple API.
#[derive(Debug, Clone)]
pub struct ProjectPage {
    /// The URL asked.
    pub url: String,
    /// The project's name as the index spells it.
    pub name: String,
    /// `meta.api-version`.
    pub api_version: Option<String>,
    /// PEP 700 `versions`, when the index lists them.
    pub versions: Vec<String>,
    pub files: Vec<IndexFile>,
    /// PEP 792 `project-status`; `None` when not given (the project is then active).
    pub status: Option<ProjectStatus>,
    /// True when the answer came from the cache (offline).
    pub from_cache: bool,
}

/// One file of a project.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexFile {
    pub filename: String,
    /// Absolute: a relative URL is resolved against the page.
    pub url: String,
    /// Lower-case hex, when the index gives a sha256.
    pub sha256: Option<String>,
    pub requires_python: Option<String>,
    /// `Some(reason)` when yanked (PEP 592; the reason may be empty).
    pub yanked: Option<String>,
    /// PEP 700 `upload-time`.
    pub upload_time: Option<Timestamp>,
    /// PEP 740: the URL of the file's provenance object.
    pub provenance: Option<String>,
    pub size: Option<u64>,
}

/// PEP 792: `active`, `archived`, `quarantined`, `deprecated` (or a value a later spec adds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectStatus {
    pub status: String,
    pub reason: Option<String>,
}

/// A known vulnerability, as the project JSON API lists them for a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vulnerability {
    pub id: String,
    pub aliases: Vec<String>,
    pub fixed_in: Vec<String>,
    pub summary: Option<String>,
}

/// Who published a file, from its PEP 740 provenance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publisher {
    /// `GitHub`, `GitLab`, `Google`, ...
    pub kind: String,
    /// `owner/repo` and the workflow when given.
    pub repository: Option<String>,
    pub workflow: Option<String>,
}

impl Publisher {
    /// `GitHub owner/repo (release.yml)`.
    pub fn describe(&self) -> String {
        let mut s = self.kind.clone();
        if let Some(r) = &self.repository {
            s.push(' ');
            s.push_str(r);
        }
        if let Some(w) = &self.workflow {
            s.push_str(" (");
            s.push_str(w);
            s.push(')');
        }
        s
    }
}

/// Asks one index, through a [`Fetcher`] and the URL-keyed cache.
#[derive(Debug)]
pub struct IndexClient<'a> {
    fetcher: &'a Fetcher,
    /// The simple API root, without a trailing slash.
    index_url: String,
}

/// An answer: the body, or "not found".
enum Answer {
    Found { body: Vec<u8>, from_cache: bool },
    NotFound,
}

impl<'a> IndexClient<'a> {
    pub fn new(fetcher: &'a Fetcher, index_url: &str) -> Self {
        Self {
            fetcher,
            index_url: index_url.trim_end_matches('/').to_owned(),
        }
    }

    pub fn index_url(&self) -> &str {
        &self.index_url
    }

    /// The project's page (`<index>/<normalized name>/`), or `None` when the index does not
    /// know the name (HTTP 404).
    pub fn project(&self, name: &str) -> Result<Option<ProjectPage>, IndexError> {
        let url = format!(
            "{}/{}/",
            self.index_url,
            cordon_python::name::normalize(name)
        );
        let (body, from_cache) = match self.get(&url, SIMPLE_JSON, true)? {
            Answer::NotFound => return Ok(None),
            Answer::Found { body, from_cache } => (body, from_cache),
        };
        let doc: Value = serde_json::from_slice(&body).map_err(|e| IndexError::Invalid {
            url: url.clone(),
            message: e.to_string(),
        })?;
        parse_project(&url, &doc, from_cache).map(Some)
    }

    /// The project JSON API's list of known vulnerabilities of `name` `version`
    /// (`<base>/pypi/<name>/<version>/json`, where the simple API lives at `<base>/simple`).
    /// `None` when the index has no such API (its URL does not end in `/simple`, or it
    /// answers 404).
    pub fn vulnerabilities(
        &self,
        name: &str,
        version: &str,
    ) -> Result<Option<Vec<Vulnerability>>, IndexError> {
        let Some(base) = self.index_url.strip_suffix("/simple") else {
            return Ok(None);
        };
        let url = format!(
            "{base}/pypi/{}/{version}/json",
            cordon_python::name::normalize(name)
        );
        let body = match self.get(&url, "application/json", false)? {
            Answer::NotFound => return Ok(None),
            Answer::Found { body, .. } => body,
        };
        let doc: Value = serde_json::from_slice(&body).map_err(|e| IndexError::Invalid {
            url: url.clone(),
            message: e.to_string(),
        })?;
        let list = doc["vulnerabilities"].as_array().into_iter().flatten();
        Ok(Some(
            list.filter(|v| v["withdrawn"].is_null())
                .filter_map(|v| {
                    Some(Vulnerability {
                        id: v["id"].as_str()?.to_owned(),
                        aliases: strings(&v["aliases"]),
                        fixed_in: strings(&v["fixed_in"]),
                        summary: v["summary"]
                            .as_str()
                            .or_else(|| v["details"].as_str())
                            .map(str::to_owned),
                    })
                })
                .collect(),
        ))
    }

    /// The publishers named by the PEP 740 provenance object at `url`; `None` when the index
    /// has none (404).
    pub fn publishers(&self, url: &str) -> Result<Option<Vec<Publisher>>, IndexError> {
        let body = match self.get(url, INTEGRITY_JSON, false)? {
            Answer::NotFound => return Ok(None),
            Answer::Found { body, .. } => body,
        };
        let doc: Value = serde_json::from_slice(&body).map_err(|e| IndexError::Invalid {
            url: url.to_owned(),
            message: e.to_string(),
        })?;
        let bundles = doc["attestation_bundles"]
            .as_array()
            .ok_or_else(|| IndexError::Invalid {
                url: url.to_owned(),
                message: "no `attestation_bundles` list".to_owned(),
            })?;
        Ok(Some(
            bundles
                .iter()
                .filter_map(|b| {
                    let p = &b["publisher"];
                    Some(Publisher {
                        kind: p["kind"].as_str()?.to_owned(),
                        repository: p["repository"]
                            .as_str()
                            .or_else(|| p["project"].as_str())
                            .map(str::to_owned),
                        workflow: p["workflow"].as_str().map(str::to_owned),
                    })
                })
                .collect(),
        ))
    }

    /// GETs `url` (or reads the cache offline). `json_simple`: the answer must be the JSON
    /// simple API, not HTML.
    fn get(&self, url: &str, accept: &str, json_simple: bool) -> Result<Answer, IndexError> {
        let cache = self.cache_path(url);
        if self.fetcher.is_offline() {
            return match read_cached(&cache) {
                Some(answer) => Ok(answer),
                None => Err(FetchError::Offline {
                    url: url.to_owned(),
                }
                .into()),
            };
        }
        match self.fetcher.get(url, accept) {
            Ok(body) => {
                let content_type = body.content_type.clone().unwrap_or_default();
                let ct = content_type.to_ascii_lowercase();
                let is_json = ct.contains("json");
                if !is_json && (json_simple || ct.contains("html")) {
                    return Err(IndexError::NotJson {
                        url: url.to_owned(),
                        content_type: if content_type.is_empty() {
                            "no content type".to_owned()
                        } else {
                            content_type
                        },
                    });
                }
                write_cached(&cache, url, Some(&body.bytes));
                Ok(Answer::Found {
                    body: body.bytes,
                    from_cache: false,
                })
            }
            Err(FetchError::Http { status: 404, .. }) => {
                write_cached(&cache, url, None);
                Ok(Answer::NotFound)
            }
            Err(e) => Err(e.into()),
        }
    }

    fn cache_path(&self, url: &str) -> PathBuf {
        let digest = hex::encode(Sha256::digest(url.as_bytes()));
        self.fetcher
            .cache_dir()
            .join("index")
            .join(format!("{}.json", &digest[..40]))
    }
}

/// The cached answer for a URL: `{"url", "found", "body"}` (body as text).
fn read_cached(path: &std::path::Path) -> Option<Answer> {
    let doc: Value = serde_json::from_slice(&fs::read(path).ok()?).ok()?;
    if doc["found"].as_bool()? {
        Some(Answer::Found {
            body: doc["body"].as_str()?.as_bytes().to_vec(),
            from_cache: true,
        })
    } else {
        Some(Answer::NotFound)
    }
}

/// Caches an answer; a failure to cache is not an error (the answer is still good).
fn write_cached(path: &std::path::Path, url: &str, body: Option<&[u8]>) {
    let doc = match body {
        Some(b) => match std::str::from_utf8(b) {
            Ok(text) => json!({"url": url, "found": true, "body": text}),
            Err(_) => return,
        },
        None => json!({"url": url, "found": false}),
    };
    if let Ok(bytes) = serde_json::to_vec(&doc) {
        let _ = crate::store::write_atomically(path, &bytes);
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_owned))
        .collect()
}

/// Reads a PEP 691 project page.
fn parse_project(url: &str, doc: &Value, from_cache: bool) -> Result<ProjectPage, IndexError> {
    let invalid = |message: &str| IndexError::Invalid {
        url: url.to_owned(),
        message: message.to_owned(),
    };
    let files = doc["files"]
        .as_array()
        .ok_or_else(|| invalid("no `files` list"))?;
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        let (Some(filename), Some(href)) = (f["filename"].as_str(), f["url"].as_str()) else {
            return Err(invalid("a file without `filename` or `url`"));
        };
        let yanked = match &f["yanked"] {
            Value::Bool(true) => Some(String::new()),
            Value::String(reason) => Some(reason.clone()),
            _ => None,
        };
        out.push(IndexFile {
            filename: filename.to_owned(),
            url: join_url(url, href),
            sha256: f["hashes"]["sha256"].as_str().map(str::to_ascii_lowercase),
            requires_python: f["requires-python"].as_str().map(str::to_owned),
            yanked,
            upload_time: f["upload-time"].as_str().and_then(|t| t.parse().ok()),
            provenance: f["provenance"].as_str().map(|p| join_url(url, p)),
            size: f["size"].as_u64(),
        });
    }
    // PEP 792 puts it at the top level; its own example once showed it under `meta`.
    let status_value = if doc["project-status"].is_object() {
        &doc["project-status"]
    } else {
        &doc["meta"]["project-status"]
    };
    let status = status_value["status"].as_str().map(|s| ProjectStatus {
        status: s.to_ascii_lowercase(),
        reason: status_value["reason"].as_str().map(str::to_owned),
    });
    Ok(ProjectPage {
        url: url.to_owned(),
        name: doc["name"].as_str().unwrap_or_default().to_owned(),
        api_version: doc["meta"]["api-version"].as_str().map(str::to_owned),
        versions: strings(&doc["versions"]),
        files: out,
        status,
        from_cache,
    })
}

/// `href` resolved against the page `base` (absolute, root-relative or relative).
fn join_url(base: &str, href: &str) -> String {
    if href.contains("://") {
        return href.to_owned();
    }
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    if let Some(rest) = href.strip_prefix('/') {
        let host_end = base[scheme_end..]
            .find('/')
            .map_or(base.len(), |i| scheme_end + i);
        return format!("{}/{rest}", &base[..host_end]);
    }
    let dir_end = base
        .rfind('/')
        .filter(|&i| i >= scheme_end)
        .map_or(base.len(), |i| i + 1);
    let mut dir = base[..dir_end].to_owned();
    let mut href = href;
    while let Some(rest) = href.strip_prefix("../") {
        href = rest;
        let trimmed = dir.trim_end_matches('/');
        if let Some(i) = trimmed.rfind('/').filter(|&i| i >= scheme_end) {
            dir.truncate(i + 1);
        }
    }
    let href = href.strip_prefix("./").unwrap_or(href);
    dir.push_str(href);
    dir
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_relative_urls_against_the_page() {
        let page = "http://127.0.0.1:8080/simple/alpha/";
        assert_eq!(
            join_url(page, "../../files/a.whl"),
            "http://127.0.0.1:8080/files/a.whl"
        );
        assert_eq!(join_url(page, "/f/a.whl"), "http://127.0.0.1:8080/f/a.whl");
        assert_eq!(
            join_url(page, "a.whl"),
            "http://127.0.0.1:8080/simple/alpha/a.whl"
        );
        assert_eq!(
            join_url(page, "http://example.com/x"),
            "http://example.com/x"
        );
    }

    #[test]
    fn reads_files_yanks_status_and_provenance() {
        let doc = json!({
            "meta": {"api-version": "1.4"},
            "name": "alpha",
            "versions": ["1.0", "2.0"],
            "project-status": {"status": "Quarantined", "reason": "malware"},
            "files": [
                {"filename": "alpha-1.0-py3-none-any.whl", "url": "../../files/alpha-1.0-py3-none-any.whl",
                 "hashes": {"sha256": "AB"}, "yanked": "broken", "upload-time": "2024-01-02T03:04:05Z",
                 "provenance": "/integrity/alpha/1.0/alpha-1.0-py3-none-any.whl/provenance"},
                {"filename": "alpha-2.0.tar.gz", "url": "http://example.com/a.tar.gz", "hashes": {}, "yanked": false}
            ]
        });
        let page = parse_project("http://example.com/simple/alpha/", &doc, false).unwrap();
        assert_eq!(page.versions, ["1.0", "2.0"]);
        assert_eq!(
            page.status,
            Some(ProjectStatus {
                status: "quarantined".into(),
                reason: Some("malware".into())
            })
        );
        let f = &page.files[0];
        assert_eq!(f.url, "http://example.com/files/alpha-1.0-py3-none-any.whl");
        assert_eq!(f.sha256.as_deref(), Some("ab"));
        assert_eq!(f.yanked.as_deref(), Some("broken"));
        assert!(f.upload_time.is_some());
        assert_eq!(
            f.provenance.as_deref(),
            Some("http://example.com/integrity/alpha/1.0/alpha-1.0-py3-none-any.whl/provenance")
        );
        assert_eq!(page.files[1].sha256, None);
        assert_eq!(page.files[1].yanked, None);
        let bad = json!({"name": "alpha"});
        assert!(matches!(
            parse_project("u", &bad, false),
            Err(IndexError::Invalid { .. })
        ));
    }
}
