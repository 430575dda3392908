//! Downloads of the artifacts a lock names, through an on-disk cache keyed by hash.
//!
//! An artifact with a known hash is looked up in `<cache>/artifacts/<algorithm>/<hex>` first
//! and, when it is there, verified again before it is returned (a cache file is never trusted
//! blindly: a damaged one is deleted and fetched again). Otherwise it is downloaded, verified
//! and stored atomically (a temporary file in the same folder, then a rename). A download whose
//! hash does not match is never stored. Offline, a cache miss is an error that says so; online,
//! every request has a connect timeout and an overall deadline, and a size cap, so nothing
//! hangs and nothing fills the memory.
//!
//! The network: `https` through ureq and rustls, trusting the system's certificate store (so
//! a corporate TLS-inspecting proxy's CA works), falling back to the Mozilla roots when the
//! system store is empty. Proxies come from the environment as curl reads them
//! (`http_proxy`/`HTTP_PROXY` for `http` URLs, `https_proxy`/`HTTPS_PROXY` for `https` ones,
//! `ALL_PROXY` for both, `NO_PROXY` for exceptions). `https` goes through a proxy in a CONNECT
//! tunnel (ureq); plain `http` through an `http://` proxy is sent the standard way, as an
//! absolute-form `GET http://host/path` (RFC 9112 §3.2.2), by a small client here, because ureq
//! tunnels every proxied request with CONNECT, which many proxies refuse for port 80.

use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256, Sha384, Sha512};

/// The ways a fetch fails. Every variant names the URL (or, for `Io`, the cache path).
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Not in the cache, and network access is off.
    #[error("{url} is not in the download cache and network access is off")]
    Offline { url: String },
    /// The server answered with a non-success status.
    #[error("{url}: the server answered HTTP {status}")]
    Http { url: String, status: u16 },
    /// No answer: DNS, refused or reset connections, TLS, proxies, timeouts.
    #[error("could not download {url}: {message}")]
    Network { url: String, message: String },
    /// The artifact is larger than the size cap.
    #[error("{url} is larger than the {limit}-byte limit for downloads")]
    TooLarge { url: String, limit: u64 },
    /// The downloaded bytes do not have the expected hash. Nothing was cached.
    #[error("{url} does not match its recorded hash: expected {expected}, got {actual}")]
    HashMismatch {
        url: String,
        expected: String,
        actual: String,
    },
    /// The connection ended before the announced `Content-Length`.
    #[error("{url} was cut short: got {got} of {expected_len} bytes")]
    Truncated {
        url: String,
        expected_len: u64,
        got: u64,
    },
    /// The expected hash is malformed or uses an algorithm other than sha256/384/512.
    #[error(
        "{url}: cannot verify against `{hash}` (expected `sha256:<64 hex digits>`, or sha384/sha512)"
    )]
    UnsupportedHash { url: String, hash: String },
    /// Only `http` and `https` URLs are fetched.
    #[error("{url}: not an http(s) URL")]
    UnsupportedUrl { url: String },
    /// The cache could not be read or written.
    #[error("download cache {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// The proxies requests go through, as curl reads them from the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proxies {
    /// For `http` URLs: `http_proxy`, `HTTP_PROXY`, then `all_proxy`, `ALL_PROXY`.
    pub http: Option<String>,
    /// For `https` URLs: `https_proxy`, `HTTPS_PROXY`, then `all_proxy`, `ALL_PROXY`.
    pub https: Option<String>,
    /// `NO_PROXY` / `no_proxy` entries: `*`, a host (`example.com`, which also covers its
    /// subdomains), or a domain suffix (`.example.com`). A `:port` is ignored.
    pub no_proxy: Vec<String>,
}

impl Proxies {
    /// No proxy at all.
    pub fn none() -> Self {
        Self::default()
    }

    /// The proxies the process environment names.
    pub fn from_env() -> Self {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// The proxies named by `lookup` (an environment); empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let first = |keys: &[&str]| {
            keys.iter().find_map(|k| {
                lookup(k)
                    .map(|v| v.trim().to_owned())
                    .filter(|v| !v.is_empty())
            })
        };
        let all = ["all_proxy", "ALL_PROXY"];
        Self {
            http: first(&["http_proxy", "HTTP_PROXY"]).or_else(|| first(&all)),
            https: first(&["https_proxy", "HTTPS_PROXY"]).or_else(|| first(&all)),
            no_proxy: first(&["no_proxy", "NO_PROXY"])
                .map(|v| {
                    v.split(',')
                        .map(|e| e.trim().to_ascii_lowercase())
                        .filter(|e| !e.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// The proxy for a URL's scheme and host, unless `no_proxy` exempts the host.
    fn for_url(&self, url: &Url<'_>) -> Option<&str> {
        let proxy = match url.scheme.as_str() {
            "http" => self.http.as_deref(),
            "https" => self.https.as_deref(),
            _ => None,
        }?;
        (!self.exempts(url.host)).then_some(proxy)
    }

    fn exempts(&self, host: &str) -> bool {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let host = host.to_ascii_lowercase();
        self.no_proxy.iter().any(|entry| {
            if entry == "*" {
                return true;
            }
            // `host:port` and `[v6]:port` entries: the port is not compared.
            let entry = match entry.rsplit_once(':') {
                Some((h, port))
                    if !h.is_empty()
                        && port.bytes().all(|b| b.is_ascii_digit())
                        && (h.starts_with('[') || !h.contains(':')) =>
                {
                    h
                }
                _ => entry.as_str(),
            };
            let entry = entry.trim_start_matches('[').trim_end_matches(']');
            let domain = entry.trim_start_matches("*.").trim_start_matches('.');
            host == domain
                || host
                    .strip_suffix(domain)
                    .is_some_and(|rest| rest.ends_with('.'))
        })
    }
}

/// Downloads artifacts through the on-disk cache. Cheap to share between threads.
#[derive(Debug)]
pub struct Fetcher {
    cache_dir: PathBuf,
    offline: bool,
    timeout: Duration,
    connect_timeout: Duration,
    max_size: u64,
    proxies: Proxies,
    /// One ureq agent per proxy (`None`: direct), built on first use, so an offline run never
    /// loads the certificate store.
    agents: Mutex<Vec<(Option<String>, AgentResult)>>,
}

/// An agent, or why the proxy it was for is unusable.
type AgentResult = Result<ureq::Agent, String>;

/// How many redirects a download follows.
const MAX_REDIRECTS: u32 = 10;
/// The longest response head (status line and headers) read from a proxy.
const MAX_HEAD: usize = 64 * 1024;

impl Fetcher {
    /// The overall deadline of one download, redirects included.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_mins(2);
    /// The limit on establishing a connection (DNS, TCP, proxy, TLS).
    pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
    /// The largest artifact downloaded: 512 MiB.
    pub const DEFAULT_MAX_SIZE: u64 = 512 * 1024 * 1024;

    /// A fetcher caching under `cache_dir`, with the proxies of the environment. Offline, only
    /// the cache is read.
    pub fn new(cache_dir: PathBuf, offline: bool) -> Self {
        Self {
            cache_dir,
            offline,
            timeout: Self::DEFAULT_TIMEOUT,
            connect_timeout: Self::CONNECT_TIMEOUT,
            max_size: Self::DEFAULT_MAX_SIZE,
            proxies: Proxies::from_env(),
            agents: Mutex::new(Vec::new()),
        }
    }

    /// Another overall deadline per download (the connect limit is capped by it).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self.connect_timeout = Self::CONNECT_TIMEOUT.min(timeout);
        self
    }

    /// Another size cap.
    #[must_use]
    pub fn with_max_size(mut self, max_size: u64) -> Self {
        self.max_size = max_size;
        self
    }

    /// Other proxies than the environment's.
    #[must_use]
    pub fn with_proxies(mut self, proxies: Proxies) -> Self {
        self.proxies = proxies;
        self
    }

    pub fn cache_dir(&self) -> &Path {
        &self.cache_dir
    }

    pub fn is_offline(&self) -> bool {
        self.offline
    }

    /// `CORDON_CACHE_DIR` when set, else the user's cache folder as uv finds its own
    /// (`$XDG_CACHE_HOME/cordon` or `~/.cache/cordon` on Linux and macOS,
    /// `%LOCALAPPDATA%\cordon` on Windows). `None` when there is no home folder.
    pub fn default_cache_dir() -> Option<PathBuf> {
        cache_dir_from(|key| std::env::var_os(key))
    }

    /// Where the artifact with this hash is (or would be) cached. `None` for a hash that
    /// cannot be verified.
    pub fn cache_path(&self, expected_hash: &str) -> Option<PathBuf> {
        ExpectedHash::parse(expected_hash).map(|h| self.path_for(&h))
    }

    fn path_for(&self, hash: &ExpectedHash) -> PathBuf {
        self.cache_dir
            .join("artifacts")
            .join(hash.algorithm.name())
            .join(&hash.hex)
    }

    /// The artifact's bytes: from the cache when a file with this hash is there (verified
    /// again on read), else downloaded, verified and cached. `expected_sha256` is
    /// `sha256:<hex>` as `uv.lock` writes it, or bare hex; `sha384:`/`sha512:` are verified
    /// too. Without a hash the bytes are downloaded every time, unverified and uncached: the
    /// caller reports the artifact as unverified.
    pub fn fetch(&self, url: &str, expected_sha256: Option<&str>) -> Result<Vec<u8>, FetchError> {
        let expected = expected_sha256
            .map(|h| {
                ExpectedHash::parse(h).ok_or_else(|| FetchError::UnsupportedHash {
                    url: url.to_owned(),
                    hash: h.to_owned(),
                })
            })
            .transpose()?;
        if let Some(hash) = &expected
            && let Some(bytes) = self.read_cached(hash)?
        {
            return Ok(bytes);
        }
        if self.offline {
            return Err(FetchError::Offline {
                url: url.to_owned(),
            });
        }
        let bytes = self.download(url, "*/*")?.bytes;
        if let Some(hash) = &expected {
            let actual = hash.algorithm.hex_digest(&bytes);
            if actual != hash.hex {
                return Err(FetchError::HashMismatch {
                    url: url.to_owned(),
                    expected: format!("{}:{}", hash.algorithm.name(), hash.hex),
                    actual: format!("{}:{actual}", hash.algorithm.name()),
                });
            }
            Self::store(&self.path_for(hash), &bytes)?;
        }
        Ok(bytes)
    }

    /// The cached bytes when present and intact; a damaged file is removed.
    fn read_cached(&self, hash: &ExpectedHash) -> Result<Option<Vec<u8>>, FetchError> {
        let path = self.path_for(hash);
        match fs::read(&path) {
            Ok(bytes) if hash.algorithm.hex_digest(&bytes) == hash.hex => Ok(Some(bytes)),
            Ok(_) => {
                // Damaged on disk: never trusted; fetched again (or reported missing offline).
                match fs::remove_file(&path) {
                    Ok(()) => Ok(None),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                    Err(source) => Err(FetchError::Io { path, source }),
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(FetchError::Io { path, source }),
        }
    }

    /// Writes `bytes` to `path` atomically ([`crate::store::write_atomically`]).
    fn store(path: &Path, bytes: &[u8]) -> Result<(), FetchError> {
        match crate::store::write_atomically(path, bytes) {
            Ok(()) => Ok(()),
            // Another process may have stored the same file meanwhile (Windows refuses to
            // replace a file that is open); its content is the same, by its name.
            Err(_) if path.is_file() => Ok(()),
            Err(source) => Err(FetchError::Io {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// GETs `url` asking for `accept`, with no cache: index pages and reference data, which
    /// the caller keeps as it sees fit. Same deadline, size cap, proxies and errors as
    /// [`Fetcher::fetch`]; offline it is [`FetchError::Offline`].
    pub fn get(&self, url: &str, accept: &str) -> Result<Body, FetchError> {
        if self.offline {
            return Err(FetchError::Offline {
                url: url.to_owned(),
            });
        }
        self.download(url, accept)
    }

    /// GETs `url`, following redirects, within the overall deadline.
    fn download(&self, url: &str, accept: &str) -> Result<Body, FetchError> {
        let deadline = Instant::now() + self.timeout;
        let mut current = url.to_owned();
        for _ in 0..=MAX_REDIRECTS {
            let parsed = Url::parse(&current).ok_or_else(|| FetchError::UnsupportedUrl {
                url: url.to_owned(),
            })?;
            let proxy = self.proxies.for_url(&parsed);
            match proxy.map(|p| (p, Url::parse_proxy(p))) {
                Some((_, Some(proxy_url)))
                    if parsed.scheme == "http" && proxy_url.scheme == "http" =>
                {
                    let request = Request {
                        url,
                        target: &parsed,
                        proxy: &proxy_url,
                        deadline,
                        accept,
                    };
                    match self.get_through_http_proxy(&request)? {
                        ProxyOutcome::Body(body) => return Ok(body),
                        ProxyOutcome::Redirect(location) => current = parsed.join(&location),
                    }
                }
                Some((raw, None)) => {
                    return Err(network(
                        url,
                        format!("the proxy `{raw}` is not a valid URL"),
                    ));
                }
                _ => return self.get_with_ureq(url, &current, proxy, deadline, accept),
            }
        }
        Err(network(url, format!("more than {MAX_REDIRECTS} redirects")))
    }

    fn agent(&self, proxy: Option<&str>) -> Result<ureq::Agent, String> {
        let mut agents = self.agents.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, agent)) = agents.iter().find(|(p, _)| p.as_deref() == proxy) {
            return agent.clone();
        }
        let agent = match proxy {
            None => Ok(self.build_agent(None)),
            Some(raw) => ureq::Proxy::new(raw)
                .map(|p| self.build_agent(Some(p)))
                .map_err(|e| format!("the proxy `{raw}` is not usable: {e}")),
        };
        agents.push((proxy.map(str::to_owned), agent.clone()));
        agent
    }

    fn build_agent(&self, proxy: Option<ureq::Proxy>) -> ureq::Agent {
        ureq::Agent::config_builder()
            // Set explicitly: ureq would otherwise read one proxy for every scheme itself.
            .proxy(proxy)
            .tls_config(tls_config())
            .http_status_as_error(false)
            .max_redirects(MAX_REDIRECTS)
            .timeout_global(Some(self.timeout))
            .timeout_resolve(Some(self.connect_timeout))
            .timeout_connect(Some(self.connect_timeout))
            .user_agent(USER_AGENT)
            .build()
            .new_agent()
    }

    /// Direct requests, `https` through any proxy, and `http` through a non-`http` proxy, via
    /// ureq (which tunnels through a proxy with CONNECT).
    fn get_with_ureq(
        &self,
        url: &str,
        current: &str,
        proxy: Option<&str>,
        deadline: Instant,
        accept: &str,
    ) -> Result<Body, FetchError> {
        let agent = self.agent(proxy).map_err(|m| network(url, m))?;
        let remaining = remaining(deadline).ok_or_else(|| self.timed_out(url))?;
        let response = agent
            .get(current)
            .header("Accept", accept)
            .config()
            .timeout_global(Some(remaining))
            .build()
            .call()
            .map_err(|e| self.ureq_error(url, e))?;
        let status = response.status().as_u16();
        if !response.status().is_success() {
            return Err(FetchError::Http {
                url: url.to_owned(),
                status,
            });
        }
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let content_length = response.body().content_length();
        self.check_announced_size(url, content_length)?;
        let reader = response.into_body().into_reader();
        let bytes = self.read_body(url, reader, content_length)?;
        Ok(Body {
            bytes,
            content_type,
        })
    }

    fn check_announced_size(&self, url: &str, len: Option<u64>) -> Result<(), FetchError> {
        match len {
            Some(len) if len > self.max_size => Err(FetchError::TooLarge {
                url: url.to_owned(),
                limit: self.max_size,
            }),
            _ => Ok(()),
        }
    }

    /// Reads a body to its end, within the size cap; a short read against a known length is
    /// [`FetchError::Truncated`].
    fn read_body(
        &self,
        url: &str,
        mut reader: impl Read,
        content_length: Option<u64>,
    ) -> Result<Vec<u8>, FetchError> {
        const PREALLOCATE_AT_MOST: u64 = 64 * 1024 * 1024;
        let capacity = content_length.unwrap_or(0).min(PREALLOCATE_AT_MOST);
        let mut body = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
        let mut chunk = vec![0; 64 * 1024];
        let truncated = |got: usize| {
            content_length.and_then(|expected_len| {
                let got = u64::try_from(got).unwrap_or(u64::MAX);
                (got < expected_len).then(|| FetchError::Truncated {
                    url: url.to_owned(),
                    expected_len,
                    got,
                })
            })
        };
        loop {
            match reader.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => {
                    if u64::try_from(body.len() + n).unwrap_or(u64::MAX) > self.max_size {
                        return Err(FetchError::TooLarge {
                            url: url.to_owned(),
                            limit: self.max_size,
                        });
                    }
                    body.extend_from_slice(&chunk[..n]);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if is_timeout(&e) => return Err(self.timed_out(url)),
                Err(e) => {
                    return Err(truncated(body.len()).unwrap_or_else(|| network(url, describe(&e))));
                }
            }
        }
        match truncated(body.len()) {
            Some(err) => Err(err),
            None => Ok(body),
        }
    }

    fn timed_out(&self, url: &str) -> FetchError {
        network(
            url,
            format!(
                "no complete answer within {} s (timed out)",
                self.timeout.as_secs_f64()
            ),
        )
    }

    fn ureq_error(&self, url: &str, err: ureq::Error) -> FetchError {
        match err {
            ureq::Error::Timeout(ureq::Timeout::Connect | ureq::Timeout::Resolve) => network(
                url,
                format!(
                    "could not connect within {} s (timed out)",
                    self.connect_timeout.as_secs_f64()
                ),
            ),
            ureq::Error::Timeout(_) => self.timed_out(url),
            ureq::Error::HostNotFound => network(url, "the host name could not be resolved"),
            ureq::Error::BodyExceedsLimit(_) => FetchError::TooLarge {
                url: url.to_owned(),
                limit: self.max_size,
            },
            ureq::Error::Io(e) if is_timeout(&e) => self.timed_out(url),
            ureq::Error::Io(e) => network(url, describe(&e)),
            other => network(url, other.to_string()),
        }
    }

    /// Plain `http` through an `http` proxy: `GET http://host/path HTTP/1.1` to the proxy.
    fn get_through_http_proxy(&self, req: &Request<'_>) -> Result<ProxyOutcome, FetchError> {
        let url = req.url;
        let mut stream = self.connect_to_proxy(req)?;
        let mut head = format!(
            "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: {USER_AGENT}\r\nAccept: {}\r\n\
             Accept-Encoding: identity\r\nConnection: close\r\n",
            req.target.absolute_form(),
            req.target.host_port,
            req.accept.replace(['\r', '\n'], "")
        );
        if let Some(credentials) = req.proxy.credentials() {
            head.push_str("Proxy-Authorization: Basic ");
            head.push_str(&base64(credentials.as_bytes()));
            head.push_str("\r\n");
        }
        head.push_str("\r\n");
        let remaining = remaining(req.deadline).ok_or_else(|| self.timed_out(url))?;
        stream
            .set_write_timeout(Some(remaining))
            .and_then(|()| stream.write_all(head.as_bytes()))
            .map_err(|e| self.io_error(url, &e))?;

        let mut reader = BufReader::new(DeadlineReader {
            stream,
            deadline: req.deadline,
        });
        let (status, headers) = loop {
            let (status, headers) = read_head(&mut reader).map_err(|e| self.io_error(url, &e))?;
            // Interim answers (100 Continue and the like) precede the real one.
            if !(100..200).contains(&status) {
                break (status, headers);
            }
        };
        let header = |name: &str| {
            headers
                .iter()
                .rev()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        if matches!(status, 301 | 302 | 303 | 307 | 308)
            && let Some(location) = header("location")
        {
            return Ok(ProxyOutcome::Redirect(location.to_owned()));
        }
        if !(200..300).contains(&status) {
            return Err(FetchError::Http {
                url: url.to_owned(),
                status,
            });
        }
        let content_type = header("content-type").map(str::to_owned);
        let body = |bytes| {
            ProxyOutcome::Body(Body {
                bytes,
                content_type: content_type.clone(),
            })
        };
        let chunked = header("transfer-encoding")
            .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"));
        if chunked {
            return self
                .read_body(url, ChunkedReader::new(reader), None)
                .map(body);
        }
        let content_length = match header("content-length") {
            Some(v) => Some(
                v.trim()
                    .parse::<u64>()
                    .map_err(|_| network(url, format!("the proxy sent Content-Length `{v}`")))?,
            ),
            None => None,
        };
        self.check_announced_size(url, content_length)?;
        match content_length {
            Some(len) => self.read_body(url, reader.take(len), Some(len)),
            None => self.read_body(url, reader, None),
        }
        .map(body)
    }

    fn connect_to_proxy(&self, req: &Request<'_>) -> Result<TcpStream, FetchError> {
        let url = req.url;
        let connect_deadline = req.deadline.min(Instant::now() + self.connect_timeout);
        let addrs = resolve(req.proxy.host, req.proxy.port, connect_deadline).map_err(|e| {
            network(
                url,
                format!(
                    "the proxy {} could not be resolved: {e}",
                    req.proxy.host_port
                ),
            )
        })?;
        let mut last = None;
        for addr in addrs {
            let Some(left) = remaining(connect_deadline) else {
                break;
            };
            match TcpStream::connect_timeout(&addr, left) {
                Ok(stream) => return Ok(stream),
                Err(e) => last = Some(e),
            }
        }
        let why = match last {
            Some(e) if !is_timeout(&e) => describe(&e),
            _ => format!(
                "no connection within {} s (timed out)",
                self.connect_timeout.as_secs_f64()
            ),
        };
        Err(network(
            url,
            format!(
                "could not connect to the proxy {}: {why}",
                req.proxy.host_port
            ),
        ))
    }

    fn io_error(&self, url: &str, e: &io::Error) -> FetchError {
        if is_timeout(e) {
            self.timed_out(url)
        } else {
            network(url, describe(e))
        }
    }
}

const USER_AGENT: &str = concat!("cordon/", env!("CARGO_PKG_VERSION"));

fn network(url: &str, message: impl Into<String>) -> FetchError {
    FetchError::Network {
        url: url.to_owned(),
        message: message.into(),
    }
}

fn remaining(deadline: Instant) -> Option<Duration> {
    deadline
        .checked_duration_since(Instant::now())
        .filter(|d| !d.is_zero())
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    ) || e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<ureq::Error>())
        .is_some_and(|u| matches!(u, ureq::Error::Timeout(_)))
}

/// An I/O error as a sentence fragment, without ureq's wrapping.
fn describe(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => "the connection was refused".to_owned(),
        io::ErrorKind::ConnectionReset => "the connection was reset".to_owned(),
        io::ErrorKind::UnexpectedEof => "the connection closed early".to_owned(),
        _ => e.to_string(),
    }
}

/// `CORDON_CACHE_DIR`, else the platform's user cache folder joined with `cordon`.
fn cache_dir_from(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    use etcetera::BaseStrategy as _;
    if let Some(dir) = var("CORDON_CACHE_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    etcetera::choose_base_strategy()
        .ok()
        .map(|s| s.cache_dir().join("cordon"))
}

/// rustls with the system's trust store (corporate CAs included), loaded once; the Mozilla
/// roots when the system has none.
fn tls_config() -> ureq::tls::TlsConfig {
    static ROOTS: OnceLock<ureq::tls::RootCerts> = OnceLock::new();
    let roots = ROOTS.get_or_init(|| {
        let native = rustls_native_certs::load_native_certs();
        let certs: Vec<ureq::tls::Certificate<'static>> = native
            .certs
            .iter()
            .map(|der| ureq::tls::Certificate::from_der(der.as_ref()).to_owned())
            .collect();
        if certs.is_empty() {
            ureq::tls::RootCerts::WebPki
        } else {
            ureq::tls::RootCerts::from(certs)
        }
    });
    ureq::tls::TlsConfig::builder()
        .provider(ureq::tls::TlsProvider::Rustls)
        .root_certs(roots.clone())
        .build()
}

/// A hash to verify against: the algorithm and lower-case hex.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ExpectedHash {
    algorithm: Algorithm,
    hex: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Algorithm {
    Sha256,
    Sha384,
    Sha512,
}

impl Algorithm {
    fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
        }
    }

    fn hex_len(self) -> usize {
        match self {
            Self::Sha256 => 64,
            Self::Sha384 => 96,
            Self::Sha512 => 128,
        }
    }

    fn hex_digest(self, bytes: &[u8]) -> String {
        match self {
            Self::Sha256 => hex::encode(Sha256::digest(bytes)),
            Self::Sha384 => hex::encode(Sha384::digest(bytes)),
            Self::Sha512 => hex::encode(Sha512::digest(bytes)),
        }
    }
}

impl ExpectedHash {
    /// `sha256:<hex>` (also `sha384:`, `sha512:`, any case), or bare sha256 hex.
    fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (algorithm, hex) = match text.split_once(':') {
            Some((name, hex)) => {
                let algorithm = match name.to_ascii_lowercase().as_str() {
                    "sha256" => Algorithm::Sha256,
                    "sha384" => Algorithm::Sha384,
                    "sha512" => Algorithm::Sha512,
                    _ => return None,
                };
                (algorithm, hex)
            }
            None => (Algorithm::Sha256, text),
        };
        (hex.len() == algorithm.hex_len() && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(
            || Self {
                algorithm,
                hex: hex.to_ascii_lowercase(),
            },
        )
    }
}

/// The parts of an `http(s)` URL this module needs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Url<'a> {
    /// Lower-case.
    scheme: String,
    /// `user:password`, still percent-encoded.
    userinfo: Option<&'a str>,
    /// `host[:port]` as written (IPv6 in brackets), without userinfo.
    host_port: &'a str,
    /// The host, with brackets for IPv6.
    host: &'a str,
    port: u16,
    /// From the first `/` (or `/` when empty), query included, fragment dropped.
    path: &'a str,
}

impl<'a> Url<'a> {
    fn parse(text: &'a str) -> Option<Self> {
        let (scheme, rest) = text.split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => return None,
        };
        Self::parts(scheme, rest, default_port)
    }

    /// A proxy setting: `http://host:port`, `https://…`, `socks5://…`, or a bare `host:port`
    /// (taken as `http`).
    fn parse_proxy(text: &'a str) -> Option<Self> {
        match text.split_once("://") {
            Some((scheme, rest)) => {
                let scheme = scheme.to_ascii_lowercase();
                let port = match scheme.as_str() {
                    "https" => 443,
                    "socks4" | "socks4a" | "socks5" | "socks5h" | "socks" => 1080,
                    _ => 80,
                };
                Self::parts(scheme, rest, port)
            }
            None => Self::parts("http".to_owned(), text, 80),
        }
    }

    fn parts(scheme: String, rest: &'a str, default_port: u16) -> Option<Self> {
        let rest = rest.split('#').next().unwrap_or_default();
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(end);
        let (userinfo, host_port) = match authority.rsplit_once('@') {
            Some((user, host_port)) => (Some(user), host_port),
            None => (None, authority),
        };
        let (host, port) = if host_port.starts_with('[') {
            let close = host_port.find(']')?;
            let (host, after) = host_port.split_at(close + 1);
            match after.strip_prefix(':') {
                Some(port) => (host, port.parse().ok()?),
                None if after.is_empty() => (host, default_port),
                None => return None,
            }
        } else {
            match host_port.rsplit_once(':') {
                Some((host, port)) => (host, port.parse().ok()?),
                None => (host_port, default_port),
            }
        };
        if host.is_empty() {
            return None;
        }
        Some(Self {
            scheme,
            userinfo,
            host_port,
            host,
            port,
            path: if path.is_empty() { "/" } else { path },
        })
    }

    /// The request target for a proxy: the URL without userinfo and fragment.
    fn absolute_form(&self) -> String {
        let path = if self.path.starts_with('?') {
            format!("/{}", self.path)
        } else {
            self.path.to_owned()
        };
        format!("{}://{}{path}", self.scheme, self.host_port)
    }

    /// `user:password`, percent-decoded, for Basic authentication.
    fn credentials(&self) -> Option<String> {
        self.userinfo.map(|u| {
            let (user, password) = u.split_once(':').unwrap_or((u, ""));
            format!("{}:{}", percent_decode(user), percent_decode(password))
        })
    }

    /// A `Location` resolved against this URL.
    fn join(&self, location: &str) -> String {
        let location = location.trim();
        if location.contains("://") {
            location.to_owned()
        } else if let Some(rest) = location.strip_prefix("//") {
            format!("{}://{rest}", self.scheme)
        } else if location.starts_with('/') {
            format!("{}://{}{location}", self.scheme, self.host_port)
        } else {
            let path = self.path.split('?').next().unwrap_or("/");
            let dir = &path[..=path.rfind('/').unwrap_or(0)];
            format!("{}://{}{dir}{location}", self.scheme, self.host_port)
        }
    }
}

pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'?'));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                let index = usize::try_from((n >> (18 - 6 * i)) & 63).unwrap_or(0);
                out.push(char::from(ALPHABET[index]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// One request through an `http` proxy.
struct Request<'a> {
    /// The URL as the caller gave it, for errors.
    url: &'a str,
    target: &'a Url<'a>,
    proxy: &'a Url<'a>,
    deadline: Instant,
    /// The `Accept` header sent.
    accept: &'a str,
}

/// What a GET brought back.
#[derive(Debug, Clone)]
pub struct Body {
    pub bytes: Vec<u8>,
    /// The `Content-Type` header, as sent.
    pub content_type: Option<String>,
}

enum ProxyOutcome {
    Body(Body),
    Redirect(String),
}

/// Resolves `host:port`, giving up at `deadline` (the lookup runs on its own thread, since
/// the system resolver has no timeout).
fn resolve(host: &str, port: u16, deadline: Instant) -> io::Result<Vec<SocketAddr>> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let name = bare.to_owned();
    std::thread::Builder::new()
        .name("cordon-resolve".to_owned())
        .spawn(move || {
            let _ = tx.send(
                (name.as_str(), port)
                    .to_socket_addrs()
                    .map(Iterator::collect),
            );
        })?;
    let wait = remaining(deadline).unwrap_or_default();
    match rx.recv_timeout(wait) {
        Ok(result) => result,
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "the host name lookup timed out",
        )),
    }
}

/// A socket whose every read waits at most until the deadline.
struct DeadlineReader {
    stream: TcpStream,
    deadline: Instant,
}

impl Read for DeadlineReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = remaining(self.deadline)
            .ok_or_else(|| io::Error::new(io::ErrorKind::TimedOut, "deadline passed"))?;
        self.stream.set_read_timeout(Some(left))?;
        self.stream.read(buf)
    }
}

/// Reads a status line and headers, up to the blank line.
fn read_head(reader: &mut impl BufRead) -> io::Result<(u16, Vec<(String, String)>)> {
    let mut total = 0;
    let mut next_line = |reader: &mut dyn BufRead| -> io::Result<String> {
        let mut line = Vec::new();
        let limit = u64::try_from(MAX_HEAD.saturating_sub(total)).unwrap_or(0);
        reader.take(limit).read_until(b'\n', &mut line)?;
        total += line.len();
        if line.last() != Some(&b'\n') {
            return Err(if total >= MAX_HEAD {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    "the proxy's answer head is too long",
                )
            } else {
                io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the connection closed before an answer",
                )
            });
        }
        while matches!(line.last(), Some(b'\n' | b'\r')) {
            line.pop();
        }
        Ok(String::from_utf8_lossy(&line).into_owned())
    };
    let status_line = next_line(reader)?;
    let status = status_line
        .strip_prefix("HTTP/")
        .and_then(|rest| rest.split_whitespace().nth(1))
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("the proxy answered `{status_line}`, not HTTP"),
            )
        })?;
    let mut headers = Vec::new();
    loop {
        let line = next_line(reader)?;
        if line.is_empty() {
            return Ok((status, headers));
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
}

/// The body of a `Transfer-Encoding: chunked` answer.
struct ChunkedReader<R> {
    inner: R,
    /// Bytes left in the current chunk.
    left: u64,
    done: bool,
}

impl<R: BufRead> ChunkedReader<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            left: 0,
            done: false,
        }
    }

    fn line(&mut self) -> io::Result<String> {
        let mut line = Vec::new();
        (&mut self.inner).take(4096).read_until(b'\n', &mut line)?;
        if line.last() != Some(&b'\n') {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the connection closed inside a chunked body",
            ));
        }
        Ok(String::from_utf8_lossy(&line).trim().to_owned())
    }
}

impl<R: BufRead> Read for ChunkedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            let size_line = self.line()?;
            let size = size_line.split(';').next().unwrap_or_default().trim();
            self.left = u64::from_str_radix(size, 16).map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("bad chunk size `{size_line}`"),
                )
            })?;
            if self.left == 0 {
                // Trailers, up to the blank line.
                while !self.line()?.is_empty() {}
                self.done = true;
                return Ok(0);
            }
        }
        let want = usize::try_from(self.left)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the connection closed inside a chunked body",
            ));
        }
        self.left -= u64::try_from(n).unwrap_or(self.left);
        if self.left == 0 && !self.line()?.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "a chunk does not end with CRLF",
            ));
        }
        Ok(n)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn expected_hashes() {
        let hex = "AB".repeat(32);
        let h = ExpectedHash::parse(&format!("sha256:{hex}")).unwrap();
        assert_eq!(
            (h.algorithm, h.hex.as_str()),
            (Algorithm::Sha256, "ab".repeat(32).as_str())
        );
        assert_eq!(
            ExpectedHash::parse(&hex).unwrap().algorithm,
            Algorithm::Sha256
        );
        assert_eq!(
            ExpectedHash::parse(&format!("SHA512:{}", "0".repeat(128)))
                .unwrap()
                .algorithm,
            Algorithm::Sha512
        );
        assert_eq!(
            ExpectedHash::parse(&format!("sha384:{}", "0".repeat(96)))
                .unwrap()
                .algorithm,
            Algorithm::Sha384
        );
        for bad in [
            "sha256:aaaa".to_owned(),
            format!("md5:{}", "0".repeat(32)),
            format!("sha256:{}", "g".repeat(64)),
            format!("sha512:{}", "0".repeat(64)),
            String::new(),
        ] {
            assert_eq!(ExpectedHash::parse(&bad), None, "{bad}");
        }
        assert_eq!(
            Algorithm::Sha256.hex_digest(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn urls() {
        let u = Url::parse("HTTP://user:p%40ss@example.com:8080/a/b.whl?x=1#frag").unwrap();
        assert_eq!(u.scheme, "http");
        assert_eq!(u.host, "example.com");
        assert_eq!(u.port, 8080);
        assert_eq!(u.host_port, "example.com:8080");
        assert_eq!(u.path, "/a/b.whl?x=1");
        assert_eq!(u.absolute_form(), "http://example.com:8080/a/b.whl?x=1");
        assert_eq!(u.credentials().as_deref(), Some("user:p@ss"));
        assert_eq!(u.join("c.whl"), "http://example.com:8080/a/c.whl");
        assert_eq!(u.join("/d"), "http://example.com:8080/d");
        assert_eq!(
            u.join("//other.example.com/e"),
            "http://other.example.com/e"
        );
        assert_eq!(u.join("https://example.com/f"), "https://example.com/f");

        let u = Url::parse("https://[::1]/x").unwrap();
        assert_eq!((u.host, u.port), ("[::1]", 443));
        assert_eq!(Url::parse("http://example.com").unwrap().path, "/");
        assert_eq!(Url::parse("ftp://example.com/x"), None);
        assert_eq!(Url::parse("http:///x"), None);
        assert_eq!(Url::parse("http://example.com:port/x"), None);

        let p = Url::parse_proxy("127.0.0.1:3128").unwrap();
        assert_eq!(
            (p.scheme.as_str(), p.host, p.port),
            ("http", "127.0.0.1", 3128)
        );
        let p = Url::parse_proxy("http://proxy.example.com").unwrap();
        assert_eq!(p.port, 80);
        assert_eq!(Url::parse_proxy("socks5://127.0.0.1").unwrap().port, 1080);
    }

    #[test]
    fn proxies_from_the_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |key: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let p = Proxies::from_lookup(env(&[
            ("HTTP_PROXY", "http://127.0.0.1:3128"),
            ("HTTPS_PROXY", " "),
            ("ALL_PROXY", "http://127.0.0.1:9999"),
            (
                "NO_PROXY",
                "localhost, .internal.example.com,example.org:8080,[::1]",
            ),
        ]));
        assert_eq!(p.http.as_deref(), Some("http://127.0.0.1:3128"));
        assert_eq!(p.https.as_deref(), Some("http://127.0.0.1:9999"));
        let proxy_for = |url: &str| p.for_url(&Url::parse(url).unwrap()).map(str::to_owned);
        assert_eq!(
            proxy_for("http://example.com/x").as_deref(),
            Some("http://127.0.0.1:3128")
        );
        assert_eq!(
            proxy_for("https://example.com/x").as_deref(),
            Some("http://127.0.0.1:9999")
        );
        assert_eq!(proxy_for("http://localhost:8000/x"), None);
        assert_eq!(proxy_for("http://a.internal.example.com/x"), None);
        assert_eq!(proxy_for("http://internal.example.com/x"), None);
        assert!(proxy_for("http://notinternal.example.com/x").is_some());
        assert_eq!(proxy_for("https://sub.example.org/x"), None);
        assert_eq!(proxy_for("http://[::1]:8000/x"), None);

        let lower = Proxies::from_lookup(env(&[
            ("http_proxy", "http://127.0.0.1:1"),
            ("HTTP_PROXY", "http://127.0.0.1:2"),
            ("no_proxy", "*"),
        ]));
        assert_eq!(lower.http.as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(lower.https, None);
        assert_eq!(
            lower.for_url(&Url::parse("http://example.com/").unwrap()),
            None
        );
        assert_eq!(Proxies::from_lookup(|_| None), Proxies::none());
    }

    #[test]
    fn cache_dir_override_and_default() {
        let dir = cache_dir_from(|k| (k == "CORDON_CACHE_DIR").then(|| "/tmp/c".into()));
        assert_eq!(dir, Some(PathBuf::from("/tmp/c")));
        // An empty override is ignored.
        let dir = cache_dir_from(|k| (k == "CORDON_CACHE_DIR").then(std::ffi::OsString::new));
        if let Some(dir) = dir {
            assert!(dir.ends_with("cordon"), "{}", dir.display());
        }
    }

    #[test]
    fn fetcher_is_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Fetcher>();
        assert_send_sync::<FetchError>();
    }

    #[test]
    fn helpers() {
        assert_eq!(base64(b"user:pass"), "dXNlcjpwYXNz");
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b""), "");
        assert_eq!(percent_decode("a%2Bb%zz%4"), "a+b%zz%4");

        let body = b"4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: 1\r\n\r\n";
        let mut out = String::new();
        ChunkedReader::new(&body[..])
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "Wikipedia");
        let cut = b"4\r\nWi";
        let err = ChunkedReader::new(&cut[..])
            .read_to_end(&mut Vec::new())
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);

        let mut head = &b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-A:  b \r\n\r\nabc"[..];
        let (status, headers) = read_head(&mut head).unwrap();
        assert_eq!(status, 200);
        assert_eq!(headers[1], ("X-A".to_owned(), "b".to_owned()));
        assert_eq!(head, b"abc");
        assert!(read_head(&mut &b"SSH-2.0\r\n\r\n"[..]).is_err());
    }
}
