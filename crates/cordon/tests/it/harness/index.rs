//! A package index on loopback, for tests: the PEP 691 JSON simple API (and PEP 503 HTML), the
//! project JSON API, and tiny wheels and sdists built in the test with chosen upload times.
//!
//! It doubles as an HTTP proxy for `http://example.com`: a client run with
//! `HTTP_PROXY=<proxy_url()>` and index `http://example.com/simple` sends absolute-form requests
//! (`GET http://example.com/simple/alpha/ HTTP/1.1`) here, and the server answers them itself,
//! with file URLs on `http://example.com/files/...`. Lockfiles that real uv writes through it
//! therefore name `example.com` and no random port, so they are byte-for-byte reproducible.
//! Requests for any other host are refused (502), never forwarded: tests never touch the network.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use serde_json::{Value, json};
use tiny_http::{Header, Method, Request, Response, Server};

use super::wheel::{
    build_sdist, build_wheel, build_wheel_with, metadata, normalize_name, sdist_filename,
    sha256_hex, wheel_filename,
};

/// The index URL tests give uv; requests for it reach the harness through its proxy.
pub const EXAMPLE_INDEX: &str = "http://example.com/simple";

/// The host the proxy answers for.
const EXAMPLE_HOST: &str = "example.com";

const SIMPLE_JSON: &str = "application/vnd.pypi.simple.v1+json";
const SIMPLE_HTML: &str = "application/vnd.pypi.simple.v1+html";

/// A project on the test index.
#[derive(Clone, Debug)]
pub struct PackageSpec {
    pub name: String,
    /// Listed oldest first; the last one is `info.version` in the project JSON API.
    pub versions: Vec<VersionSpec>,
    /// PEP 792 `project-status` (`status`, `reason`); a `quarantined` project lists no files.
    pub status: Option<(String, Option<String>)>,
}

/// One release of a project: always a wheel, optionally an sdist too.
#[derive(Clone, Debug)]
pub struct VersionSpec {
    pub version: String,
    /// PEP 508 strings, written as `Requires-Dist` lines.
    pub requires_dist: Vec<String>,
    /// RFC 3339, served verbatim as `upload-time`; `None` omits the key (as old indexes do).
    pub upload_time: Option<String>,
    pub with_sdist: bool,
    /// PEP 592: `Some(reason)` marks every file yanked.
    pub yanked: Option<String>,
    /// PEP 740: the wheel's provenance object, served at `/integrity/<wheel>/provenance`.
    pub provenance: Option<Value>,
    /// The wheel's members instead of the default `__init__.py` (scanner scenarios).
    pub code: Option<Vec<(String, Vec<u8>)>>,
    /// The index lists a hash that is not the wheel's (a tampered file).
    pub wrong_hash: bool,
}

impl PackageSpec {
    pub fn new(name: &str, versions: Vec<VersionSpec>) -> Self {
        Self {
            name: name.to_owned(),
            versions,
            status: None,
        }
    }

    /// PEP 792 status marker (`quarantined`, `archived`, `deprecated`) with a reason.
    pub fn status(mut self, status: &str, reason: Option<&str>) -> Self {
        self.status = Some((status.to_owned(), reason.map(str::to_owned)));
        self
    }
}

impl VersionSpec {
    /// The upload time [`VersionSpec::new`] gives: long past, so any cooldown is satisfied.
    pub const DEFAULT_UPLOAD_TIME: &str = "2024-01-02T03:04:05Z";

    /// A release with no dependencies, a wheel only, uploaded at [`Self::DEFAULT_UPLOAD_TIME`].
    pub fn new(version: &str) -> Self {
        Self {
            version: version.to_owned(),
            requires_dist: Vec::new(),
            upload_time: Some(Self::DEFAULT_UPLOAD_TIME.to_owned()),
            with_sdist: false,
            yanked: None,
            provenance: None,
            code: None,
            wrong_hash: false,
        }
    }

    pub fn yanked(mut self, reason: &str) -> Self {
        self.yanked = Some(reason.to_owned());
        self
    }

    pub fn provenance(mut self, provenance: Value) -> Self {
        self.provenance = Some(provenance);
        self
    }

    /// The wheel holds these `(path, contents)` members.
    pub fn code(mut self, files: &[(&str, &str)]) -> Self {
        self.code = Some(
            files
                .iter()
                .map(|(p, c)| ((*p).to_owned(), c.as_bytes().to_vec()))
                .collect(),
        );
        self
    }

    pub fn wrong_hash(mut self) -> Self {
        self.wrong_hash = true;
        self
    }

    pub fn requires(mut self, requires_dist: &[&str]) -> Self {
        self.requires_dist = requires_dist.iter().map(|&r| r.to_owned()).collect();
        self
    }

    pub fn uploaded(mut self, upload_time: impl Into<String>) -> Self {
        self.upload_time = Some(upload_time.into());
        self
    }

    pub fn without_upload_time(mut self) -> Self {
        self.upload_time = None;
        self
    }

    pub fn sdist(mut self) -> Self {
        self.with_sdist = true;
        self
    }
}

/// A running test index. Stops (and its thread is joined) when dropped.
pub struct IndexServer {
    addr: SocketAddr,
    server: Arc<Server>,
    state: Arc<State>,
    thread: Option<JoinHandle<()>>,
    client_home: tempfile::TempDir,
}

impl IndexServer {
    /// Builds every artifact, binds `127.0.0.1:0` and serves from a background thread.
    pub fn start(packages: Vec<PackageSpec>) -> IndexServer {
        let catalog = Catalog::build(packages);
        let server = Arc::new(Server::http("127.0.0.1:0").expect("bind the test index"));
        let addr = server
            .server_addr()
            .to_ip()
            .expect("the test index listens on TCP");
        let state = Arc::new(State {
            addr,
            catalog,
            log: Mutex::new(Vec::new()),
        });
        let thread = {
            let server = Arc::clone(&server);
            let state = Arc::clone(&state);
            std::thread::Builder::new()
                .name(format!("test-index-{}", addr.port()))
                .spawn(move || {
                    // `recv` fails only once `unblock` (Drop) has been called: the loop ends
                    // with the server.
                    while let Ok(request) = server.recv() {
                        state.handle(request);
                    }
                })
                .expect("spawn the test index thread")
        };
        let client_home = tempfile::Builder::new()
            .prefix("cordon-test-client-")
            .tempdir()
            .expect("create the client home");
        IndexServer {
            addr,
            server,
            state,
            thread: Some(thread),
            client_home,
        }
    }

    /// `http://127.0.0.1:PORT`: give this as `HTTP_PROXY` with index [`EXAMPLE_INDEX`].
    pub fn proxy_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT/simple`: the index addressed directly (URLs then carry the port).
    pub fn direct_url(&self) -> String {
        format!("http://{}/simple", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A scratch directory owned by this server, where clients of it (uv) keep their home,
    /// XDG directories and cache. Tied to the server because cache entries are only valid for
    /// the content this server serves under its `example.com` URLs.
    pub fn client_home(&self) -> &Path {
        self.client_home.path()
    }

    /// Every request served so far, as `METHOD URL` with the URL in absolute form
    /// (`GET http://example.com/simple/alpha/`); refused proxy requests are included.
    pub fn requests(&self) -> Vec<String> {
        self.state.log.lock().expect("request log").clone()
    }
}

impl Drop for IndexServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            // A panic in the serving thread has already been reported; do not double-panic.
            let _ = thread.join();
        }
    }
}

struct State {
    addr: SocketAddr,
    catalog: Catalog,
    log: Mutex<Vec<String>>,
}

struct Catalog {
    /// By normalized name.
    projects: BTreeMap<String, Project>,
    /// By file name, as served under `/files/`.
    files: BTreeMap<String, Vec<u8>>,
}

struct Project {
    name: String,
    releases: Vec<Release>,
    status: Option<(String, Option<String>)>,
}

struct Release {
    version: String,
    requires_dist: Vec<String>,
    artifacts: Vec<Artifact>,
}

struct Artifact {
    filename: String,
    sha256: String,
    size: usize,
    upload_time: Option<String>,
    /// sha256 of the core metadata served at `<filename>.metadata` (wheels only).
    metadata_sha256: Option<String>,
    packagetype: &'static str,
    yanked: Option<String>,
    /// Whether `/integrity/<filename>/provenance` serves a provenance object.
    provenance: bool,
}

impl Catalog {
    fn build(packages: Vec<PackageSpec>) -> Catalog {
        let mut projects = BTreeMap::new();
        let mut files = BTreeMap::new();
        for package in packages {
            let mut releases = Vec::new();
            for spec in package.versions {
                let requires: Vec<&str> = spec.requires_dist.iter().map(String::as_str).collect();
                let mut artifacts = Vec::new();

                let wheel_name = wheel_filename(&package.name, &spec.version);
                let wheel = match &spec.code {
                    Some(files) => {
                        let files: Vec<(&str, &[u8])> = files
                            .iter()
                            .map(|(p, c)| (p.as_str(), c.as_slice()))
                            .collect();
                        build_wheel_with(&package.name, &spec.version, &requires, &files)
                    }
                    None => build_wheel(&package.name, &spec.version, &requires),
                };
                let core_metadata = metadata(&package.name, &spec.version, &requires);
                let sha256 = if spec.wrong_hash {
                    sha256_hex(b"not the wheel")
                } else {
                    sha256_hex(&wheel)
                };
                if let Some(p) = &spec.provenance {
                    files.insert(
                        format!("{wheel_name}.provenance"),
                        serde_json::to_vec(p).expect("serialize a provenance"),
                    );
                }
                artifacts.push(Artifact {
                    filename: wheel_name.clone(),
                    sha256,
                    size: wheel.len(),
                    upload_time: spec.upload_time.clone(),
                    metadata_sha256: Some(sha256_hex(core_metadata.as_bytes())),
                    packagetype: "bdist_wheel",
                    yanked: spec.yanked.clone(),
                    provenance: spec.provenance.is_some(),
                });
                files.insert(format!("{wheel_name}.metadata"), core_metadata.into_bytes());
                files.insert(wheel_name, wheel);

                if spec.with_sdist {
                    let sdist_name = sdist_filename(&package.name, &spec.version);
                    let sdist = build_sdist(&package.name, &spec.version, &requires);
                    artifacts.push(Artifact {
                        filename: sdist_name.clone(),
                        sha256: sha256_hex(&sdist),
                        size: sdist.len(),
                        upload_time: spec.upload_time.clone(),
                        metadata_sha256: None,
                        packagetype: "sdist",
                        yanked: spec.yanked.clone(),
                        provenance: false,
                    });
                    files.insert(sdist_name, sdist);
                }
                releases.push(Release {
                    version: spec.version,
                    requires_dist: spec.requires_dist,
                    artifacts,
                });
            }
            let key = normalize_name(&package.name);
            let previous = projects.insert(
                key,
                Project {
                    name: package.name,
                    releases,
                    status: package.status,
                },
            );
            assert!(
                previous.is_none(),
                "a project is listed twice on the test index"
            );
        }
        Catalog { projects, files }
    }
}

/// What the server answers with.
struct Reply {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
}

impl Reply {
    fn json(content_type: &'static str, value: &Value) -> Reply {
        Reply {
            status: 200,
            content_type,
            body: serde_json::to_vec_pretty(value).expect("serialize JSON"),
        }
    }

    fn text(status: u16, body: impl Into<String>) -> Reply {
        Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.into().into_bytes(),
        }
    }

    fn not_found() -> Reply {
        Reply::text(404, "not found on the cordon test index\n")
    }
}

impl State {
    fn handle(&self, request: Request) {
        let reply = self.route(&request);
        let response = Response::from_data(reply.body)
            .with_status_code(reply.status)
            .with_header(
                Header::from_bytes("Content-Type", reply.content_type).expect("valid header"),
            );
        // The client may have gone away; that is its business.
        let _ = request.respond(response);
    }

    fn route(&self, request: &Request) -> Reply {
        let target = request.url();
        let method = request.method();
        let own_authority = self.addr.to_string();

        // Absolute form (we are the client's proxy) or origin form (addressed directly).
        let (base, path) = if let Some(rest) = target.strip_prefix("http://") {
            let (authority, path) = rest.find('/').map_or((rest, "/"), |i| rest.split_at(i));
            let authority = authority.to_ascii_lowercase();
            if authority == EXAMPLE_HOST || authority == format!("{EXAMPLE_HOST}:80") {
                (format!("http://{EXAMPLE_HOST}"), path)
            } else if authority == own_authority
                || authority == format!("localhost:{}", self.addr.port())
            {
                (format!("http://{authority}"), path)
            } else {
                return self.refuse(method, target);
            }
        } else if target.starts_with('/') {
            let host = request
                .headers()
                .iter()
                .find(|h| h.field.equiv("Host"))
                .map_or_else(|| own_authority.clone(), |h| h.value.as_str().to_owned());
            (format!("http://{host}"), target)
        } else {
            // CONNECT host:443, https:// targets and the like: nothing here speaks TLS.
            return self.refuse(method, target);
        };

        self.log
            .lock()
            .expect("request log")
            .push(format!("{method} {base}{path}"));
        if !matches!(method, Method::Get | Method::Head) {
            return Reply::text(405, "method not allowed\n");
        }

        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let accept = request
            .headers()
            .iter()
            .find(|h| h.field.equiv("Accept"))
            .map_or("", |h| h.value.as_str());
        let wants_json = accept.contains(SIMPLE_JSON)
            || accept.contains("application/json")
            || query.contains("format=application/vnd.pypi.simple.v1%2Bjson")
            || query.contains("format=application/vnd.pypi.simple.v1+json");

        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        match segments.as_slice() {
            ["simple"] => self.project_list(wants_json),
            ["simple", name] => self.project_page(&base, name, wants_json),
            ["files", filename] => match self.catalog.files.get(*filename) {
                Some(bytes) => Reply {
                    status: 200,
                    content_type: "application/octet-stream",
                    body: bytes.clone(),
                },
                None => Reply::not_found(),
            },
            ["integrity", filename, "provenance"] => {
                match self.catalog.files.get(&format!("{filename}.provenance")) {
                    Some(bytes) => Reply {
                        status: 200,
                        content_type: "application/vnd.pypi.integrity.v1+json",
                        body: bytes.clone(),
                    },
                    None => Reply::not_found(),
                }
            }
            ["pypi", name, "json"] => self.project_json(&base, name, None),
            ["pypi", name, version, "json"] => self.project_json(&base, name, Some(version)),
            _ => Reply::not_found(),
        }
    }

    fn refuse(&self, method: &Method, target: &str) -> Reply {
        self.log
            .lock()
            .expect("request log")
            .push(format!("{method} {target} (refused)"));
        Reply::text(
            502,
            format!(
                "the cordon test index proxies only http://{EXAMPLE_HOST}, not {target}; \
                 tests never touch the network\n"
            ),
        )
    }

    fn project_list(&self, wants_json: bool) -> Reply {
        if wants_json {
            let projects: Vec<Value> = self
                .catalog
                .projects
                .values()
                .map(|p| json!({ "name": p.name }))
                .collect();
            Reply::json(
                SIMPLE_JSON,
                &json!({ "meta": { "api-version": "1.1" }, "projects": projects }),
            )
        } else {
            let mut html = String::from(
                "<!DOCTYPE html>\n<html><head><meta name=\"pypi:repository-version\" \
                 content=\"1.1\"><title>Simple index</title></head><body>\n",
            );
            for (key, project) in &self.catalog.projects {
                let _ = writeln!(html, "<a href=\"/simple/{key}/\">{}</a><br/>", project.name);
            }
            html.push_str("</body></html>\n");
            Reply {
                status: 200,
                content_type: SIMPLE_HTML,
                body: html.into_bytes(),
            }
        }
    }

    fn project_page(&self, base: &str, name: &str, wants_json: bool) -> Reply {
        let Some(project) = self.catalog.projects.get(&normalize_name(name)) else {
            return Reply::not_found();
        };
        // A quarantined project's files are not offered (PEP 792).
        let quarantined = project
            .status
            .as_ref()
            .is_some_and(|(s, _)| s == "quarantined");
        let artifacts = || {
            project
                .releases
                .iter()
                .filter(move |_| !quarantined)
                .flat_map(|release| release.artifacts.iter())
        };
        if wants_json {
            let files: Vec<Value> = artifacts()
                .map(|artifact| simple_file_json(base, artifact))
                .collect();
            let versions: Vec<&str> = project
                .releases
                .iter()
                .map(|r| r.version.as_str())
                .collect();
            let mut page = json!({
                "meta": { "api-version": "1.4" },
                "name": normalize_name(&project.name),
                "versions": versions,
                "files": files,
            });
            if let Some((status, reason)) = &project.status {
                page["project-status"] = json!({ "status": status, "reason": reason });
            }
            Reply::json(SIMPLE_JSON, &page)
        } else {
            let mut html = format!(
                "<!DOCTYPE html>\n<html><head><meta name=\"pypi:repository-version\" \
                 content=\"1.1\"><title>Links for {0}</title></head><body>\n\
                 <h1>Links for {0}</h1>\n",
                project.name
            );
            for artifact in artifacts() {
                let metadata = artifact.metadata_sha256.as_ref().map_or_else(String::new, |sha| {
                    format!(
                        " data-dist-info-metadata=\"sha256={sha}\" data-core-metadata=\"sha256={sha}\""
                    )
                });
                let _ = writeln!(
                    html,
                    "<a href=\"{base}/files/{0}#sha256={1}\"{metadata}>{0}</a><br/>",
                    artifact.filename, artifact.sha256
                );
            }
            html.push_str("</body></html>\n");
            Reply {
                status: 200,
                content_type: SIMPLE_HTML,
                body: html.into_bytes(),
            }
        }
    }

    /// The project JSON API (`/pypi/<name>/json`, `/pypi/<name>/<version>/json`), the fields
    /// a client is likely to read; "latest" is the last version listed.
    fn project_json(&self, base: &str, name: &str, version: Option<&str>) -> Reply {
        let Some(project) = self.catalog.projects.get(&normalize_name(name)) else {
            return Reply::not_found();
        };
        let release = match version {
            Some(version) => project.releases.iter().find(|r| r.version == version),
            None => project.releases.last(),
        };
        let Some(release) = release else {
            return Reply::not_found();
        };
        let releases: serde_json::Map<String, Value> = project
            .releases
            .iter()
            .map(|r| {
                let files = r
                    .artifacts
                    .iter()
                    .map(|a| project_file_json(base, a))
                    .collect();
                (r.version.clone(), Value::Array(files))
            })
            .collect();
        let urls: Vec<Value> = release
            .artifacts
            .iter()
            .map(|a| project_file_json(base, a))
            .collect();
        let requires_dist = if release.requires_dist.is_empty() {
            Value::Null
        } else {
            json!(release.requires_dist)
        };
        let mut body = json!({
            "info": {
                "name": project.name,
                "version": release.version,
                "summary": format!("{} test package", project.name),
                "requires_dist": requires_dist,
                "requires_python": null,
                "yanked": false,
            },
            "last_serial": 1,
            "urls": urls,
            "vulnerabilities": [],
        });
        if version.is_none() {
            body["releases"] = Value::Object(releases);
        }
        Reply::json("application/json", &body)
    }
}

fn simple_file_json(base: &str, artifact: &Artifact) -> Value {
    let mut file = json!({
        "filename": artifact.filename,
        "url": format!("{base}/files/{}", artifact.filename),
        "hashes": { "sha256": artifact.sha256 },
        "requires-python": null,
        "size": artifact.size,
        "yanked": artifact.yanked.as_ref().map_or(json!(false), |r| json!(r)),
    });
    if let Some(upload_time) = &artifact.upload_time {
        file["upload-time"] = json!(upload_time);
    }
    if artifact.provenance {
        file["provenance"] = json!(format!("{base}/integrity/{}/provenance", artifact.filename));
    }
    let metadata = artifact
        .metadata_sha256
        .as_ref()
        .map_or(json!(false), |sha| json!({ "sha256": sha }));
    file["core-metadata"] = metadata.clone();
    file["dist-info-metadata"] = metadata;
    file
}

fn project_file_json(base: &str, artifact: &Artifact) -> Value {
    json!({
        "filename": artifact.filename,
        "url": format!("{base}/files/{}", artifact.filename),
        "digests": { "sha256": artifact.sha256 },
        "packagetype": artifact.packagetype,
        "python_version": if artifact.packagetype == "sdist" { "source" } else { "py3" },
        "requires_python": null,
        "size": artifact.size,
        "upload_time_iso_8601": artifact.upload_time,
        "yanked": false,
    })
}
