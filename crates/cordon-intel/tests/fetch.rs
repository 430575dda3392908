//! `Fetcher` against loopback servers: a `tiny_http` index (also acting as an HTTP proxy for
//! `http://example.com`), and raw sockets that misbehave (a short body, no answer at all).

#![allow(clippy::unwrap_used)]

use std::io::{Cursor, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cordon_intel::{FetchError, Fetcher, Proxies};
use sha2::{Digest, Sha256};
use tiny_http::{Header, Response, ResponseBox, StatusCode};

type Handler = dyn Fn(&str) -> ResponseBox + Send + Sync;

/// A loopback HTTP server that logs every request target and answers with `handler`.
struct Server {
    addr: SocketAddr,
    http: Arc<tiny_http::Server>,
    log: Arc<Mutex<Vec<String>>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(handler: impl Fn(&str) -> ResponseBox + Send + Sync + 'static) -> Self {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let addr = server.server_addr().to_ip().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let thread = {
            let (server, log) = (Arc::clone(&server), Arc::clone(&log));
            std::thread::spawn(move || {
                while let Ok(request) = server.recv() {
                    let target = request.url().to_owned();
                    log.lock().unwrap().push(target.clone());
                    let _ = request.respond(handler(&target));
                }
            })
        };
        Self {
            addr,
            http: server,
            log,
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.http.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn artifact() -> Vec<u8> {
    (0..10_000u32).flat_map(u32::to_le_bytes).collect()
}

fn bytes(data: Vec<u8>) -> ResponseBox {
    Response::from_data(data).boxed()
}

fn status(code: u16) -> ResponseBox {
    Response::from_string("nope").with_status_code(code).boxed()
}

/// A body with no Content-Length: tiny_http sends it chunked.
fn chunked(data: Vec<u8>) -> ResponseBox {
    Response::new(StatusCode(200), Vec::new(), Cursor::new(data), None, None).boxed()
}

fn fetcher(cache: &Path) -> Fetcher {
    Fetcher::new(cache.to_path_buf(), false).with_proxies(Proxies::none())
}

/// Every file under `dir`, relative, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.push(
                    path.strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn good_artifact_is_verified_cached_and_then_served_from_the_cache() {
    let data = artifact();
    let server = Server::start({
        let data = data.clone();
        move |_| bytes(data.clone())
    });
    let cache = tempfile::tempdir().unwrap();
    let hex = sha256(&data);
    let url = server.url("/files/good-1.0-py3-none-any.whl");

    let fetcher = fetcher(cache.path());
    assert_eq!(
        fetcher.fetch(&url, Some(&format!("sha256:{hex}"))).unwrap(),
        data
    );
    assert_eq!(
        files_under(cache.path()),
        [format!("artifacts/sha256/{hex}")]
    );
    assert_eq!(
        fetcher.cache_path(&hex).unwrap(),
        cache.path().join("artifacts").join("sha256").join(&hex)
    );
    // Again, with bare upper-case hex and a fresh fetcher: no request.
    let again = Fetcher::new(cache.path().to_path_buf(), false).with_proxies(Proxies::none());
    assert_eq!(again.fetch(&url, Some(&hex.to_uppercase())).unwrap(), data);
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn wrong_hash_is_a_mismatch_and_nothing_is_cached() {
    let server = Server::start(|_| bytes(b"evil".to_vec()));
    let cache = tempfile::tempdir().unwrap();
    let expected = sha256(b"good");
    let url = server.url("/files/a-1.0.tar.gz");
    let err = fetcher(cache.path())
        .fetch(&url, Some(&format!("sha256:{expected}")))
        .unwrap_err();
    match &err {
        FetchError::HashMismatch {
            url: u,
            expected: e,
            actual,
        } => {
            assert_eq!(u, &url);
            assert_eq!(e, &format!("sha256:{expected}"));
            assert_eq!(actual, &format!("sha256:{}", sha256(b"evil")));
        }
        other => panic!("expected a mismatch, got {other:?}"),
    }
    assert!(err.to_string().contains("does not match its recorded hash"));
    assert_eq!(files_under(cache.path()), Vec::<String>::new());
}

#[test]
fn sha512_hashes_are_verified_and_cached_under_their_algorithm() {
    use sha2::Sha512;
    let server = Server::start(|_| bytes(b"wheel".to_vec()));
    let cache = tempfile::tempdir().unwrap();
    let hex = hex::encode(Sha512::digest(b"wheel"));
    let got = fetcher(cache.path())
        .fetch(&server.url("/w.whl"), Some(&format!("sha512:{hex}")))
        .unwrap();
    assert_eq!(got, b"wheel");
    assert_eq!(
        files_under(cache.path()),
        [format!("artifacts/sha512/{hex}")]
    );
}

#[test]
fn unsupported_hashes_and_urls_are_refused_before_any_request() {
    let server = Server::start(|_| bytes(b"x".to_vec()));
    let cache = tempfile::tempdir().unwrap();
    let fetcher = fetcher(cache.path());
    for hash in [format!("md5:{}", "0".repeat(32)), "sha256:aaaa".to_owned()] {
        let err = fetcher.fetch(&server.url("/x"), Some(&hash)).unwrap_err();
        assert!(
            matches!(&err, FetchError::UnsupportedHash { hash: h, .. } if *h == hash),
            "{err:?}"
        );
    }
    let err = fetcher.fetch("file:///etc/passwd", None).unwrap_err();
    assert!(matches!(err, FetchError::UnsupportedUrl { .. }), "{err:?}");
    assert!(server.requests().is_empty());
}

#[test]
fn without_a_hash_bytes_are_returned_and_not_cached() {
    let server = Server::start(|_| bytes(b"unverified".to_vec()));
    let cache = tempfile::tempdir().unwrap();
    let fetcher = fetcher(cache.path());
    assert_eq!(
        fetcher.fetch(&server.url("/u"), None).unwrap(),
        b"unverified"
    );
    assert_eq!(
        fetcher.fetch(&server.url("/u"), None).unwrap(),
        b"unverified"
    );
    assert_eq!(server.requests().len(), 2);
    assert_eq!(files_under(cache.path()), Vec::<String>::new());
}

#[test]
fn http_errors_and_redirects() {
    let server = Server::start(|target| match target {
        "/moved" => Response::empty(302)
            .with_header(Header::from_bytes("Location", "/files/real.whl").unwrap())
            .boxed(),
        "/files/real.whl" => bytes(b"real".to_vec()),
        "/gone" => status(404),
        _ => status(500),
    });
    let cache = tempfile::tempdir().unwrap();
    let fetcher = fetcher(cache.path());
    let url = server.url("/gone");
    let err = fetcher.fetch(&url, None).unwrap_err();
    assert!(
        matches!(&err, FetchError::Http { url: u, status: 404 } if *u == url),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("{url}: the server answered HTTP 404")
    );
    let err = fetcher.fetch(&server.url("/boom"), None).unwrap_err();
    assert!(
        matches!(err, FetchError::Http { status: 500, .. }),
        "{err:?}"
    );
    assert_eq!(fetcher.fetch(&server.url("/moved"), None).unwrap(), b"real");
}

/// Accepts one connection, reads the request head, writes `answer` and closes.
fn raw_server(answer: Vec<u8>) -> (SocketAddr, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let thread = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
            head.push(byte[0]);
        }
        let _ = stream.write_all(&answer);
    });
    (addr, thread)
}

#[test]
fn a_body_shorter_than_its_content_length_is_truncated() {
    let (addr, thread) =
        raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly ten!!".to_vec());
    let cache = tempfile::tempdir().unwrap();
    let url = format!("http://{addr}/files/short.whl");
    let err = fetcher(cache.path())
        .fetch(&url, Some(&sha256(b"whatever")))
        .unwrap_err();
    thread.join().unwrap();
    match err {
        FetchError::Truncated {
            expected_len, got, ..
        } => {
            assert_eq!((expected_len, got), (1000, 10));
        }
        other => panic!("expected a truncated download, got {other:?}"),
    }
    assert_eq!(files_under(cache.path()), Vec::<String>::new());
}

#[test]
fn a_server_that_never_answers_times_out() {
    // The kernel completes the handshake for the backlog; nobody ever reads or answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/files/hang.whl", listener.local_addr().unwrap());
    let cache = tempfile::tempdir().unwrap();
    let fetcher = fetcher(cache.path()).with_timeout(Duration::from_secs(1));
    let started = Instant::now();
    let err = fetcher.fetch(&url, None).unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_millis(2500),
        "took {elapsed:?}: {err:?}"
    );
    match &err {
        FetchError::Network { message, .. } => assert!(message.contains("timed out"), "{message}"),
        other => panic!("expected a network error, got {other:?}"),
    }
    drop(listener);
}

#[test]
fn a_closed_port_is_a_network_error() {
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let cache = tempfile::tempdir().unwrap();
    let err = fetcher(cache.path())
        .fetch(&format!("http://{addr}/x.whl"), None)
        .unwrap_err();
    assert!(matches!(err, FetchError::Network { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("could not download http://127.0.0.1:")
    );
}

#[test]
fn offline_reads_only_the_cache() {
    let data = artifact();
    let hex = sha256(&data);
    let server = Server::start({
        let data = data.clone();
        move |_| bytes(data.clone())
    });
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/files/o.whl");
    let offline = Fetcher::new(cache.path().to_path_buf(), true);
    assert!(offline.is_offline());

    let err = offline.fetch(&url, Some(&hex)).unwrap_err();
    assert!(
        matches!(&err, FetchError::Offline { url: u } if *u == url),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("{url} is not in the download cache and network access is off")
    );
    let err = offline.fetch(&url, None).unwrap_err();
    assert!(matches!(err, FetchError::Offline { .. }), "{err:?}");
    assert!(server.requests().is_empty());

    fetcher(cache.path()).fetch(&url, Some(&hex)).unwrap();
    assert_eq!(offline.fetch(&url, Some(&hex)).unwrap(), data);
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_corrupted_cache_file_is_not_trusted() {
    let data = artifact();
    let hex = sha256(&data);
    let server = Server::start({
        let data = data.clone();
        move |_| bytes(data.clone())
    });
    let cache = tempfile::tempdir().unwrap();
    let url = server.url("/files/c.whl");
    let fetcher = fetcher(cache.path());
    fetcher.fetch(&url, Some(&hex)).unwrap();
    let path = fetcher.cache_path(&hex).unwrap();

    std::fs::write(&path, b"tampered").unwrap();
    assert_eq!(fetcher.fetch(&url, Some(&hex)).unwrap(), data);
    assert_eq!(server.requests().len(), 2, "downloaded again");
    assert_eq!(std::fs::read(&path).unwrap(), data, "and repaired");

    // Offline, a damaged file is a miss (and is removed).
    std::fs::write(&path, b"tampered").unwrap();
    let offline = Fetcher::new(cache.path().to_path_buf(), true);
    let err = offline.fetch(&url, Some(&hex)).unwrap_err();
    assert!(matches!(err, FetchError::Offline { .. }), "{err:?}");
    assert!(!path.exists());
}

#[test]
fn artifacts_over_the_size_cap_are_refused() {
    let server = Server::start(|target| match target {
        "/announced" => bytes(vec![7; 1000]),
        _ => chunked(vec![7; 1000]),
    });
    let cache = tempfile::tempdir().unwrap();
    let fetcher = fetcher(cache.path()).with_max_size(100);
    for path in ["/announced", "/chunked"] {
        let err = fetcher.fetch(&server.url(path), None).unwrap_err();
        assert!(
            matches!(err, FetchError::TooLarge { limit: 100, .. }),
            "{path}: {err:?}"
        );
    }
    assert_eq!(
        fetcher
            .fetch(&server.url("/announced"), None)
            .unwrap_err()
            .to_string(),
        format!(
            "{} is larger than the 100-byte limit for downloads",
            server.url("/announced")
        )
    );
    // At the cap exactly is fine.
    let at_cap = Fetcher::new(cache.path().to_path_buf(), false)
        .with_proxies(Proxies::none())
        .with_max_size(1000);
    assert_eq!(
        at_cap.fetch(&server.url("/chunked"), None).unwrap().len(),
        1000
    );
}

#[test]
fn plain_http_goes_through_an_http_proxy_in_absolute_form() {
    let data = artifact();
    let proxy = Server::start({
        let data = data.clone();
        move |target| match target {
            "http://example.com/files/p.whl" => bytes(data.clone()),
            "http://example.com/files/chunked.whl" => chunked(data.clone()),
            "http://example.com/old/p.whl" => Response::empty(301)
                .with_header(Header::from_bytes("Location", "/files/p.whl").unwrap())
                .boxed(),
            _ => status(404),
        }
    });
    let cache = tempfile::tempdir().unwrap();
    let proxies = Proxies {
        http: Some(proxy.url("")),
        https: None,
        no_proxy: vec!["localhost".to_owned()],
    };
    let fetcher = Fetcher::new(cache.path().to_path_buf(), false).with_proxies(proxies);
    let hex = sha256(&data);
    assert_eq!(
        fetcher
            .fetch("http://example.com/files/p.whl", Some(&hex))
            .unwrap(),
        data
    );
    assert_eq!(
        fetcher
            .fetch("http://example.com/files/chunked.whl", None)
            .unwrap(),
        data
    );
    assert_eq!(
        fetcher.fetch("http://example.com/old/p.whl", None).unwrap(),
        data
    );
    let err = fetcher
        .fetch("http://example.com/files/missing.whl", None)
        .unwrap_err();
    assert!(
        matches!(err, FetchError::Http { status: 404, .. }),
        "{err:?}"
    );
    assert_eq!(
        proxy.requests(),
        [
            "http://example.com/files/p.whl",
            "http://example.com/files/chunked.whl",
            "http://example.com/old/p.whl",
            "http://example.com/files/p.whl",
            "http://example.com/files/missing.whl",
        ]
    );

    // A proxy answering with a short body and one that never answers.
    let (addr, thread) = raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort".to_vec());
    let short = Fetcher::new(cache.path().to_path_buf(), false).with_proxies(Proxies {
        http: Some(format!("{addr}")),
        ..Proxies::none()
    });
    let err = short.fetch("http://example.com/s.whl", None).unwrap_err();
    thread.join().unwrap();
    assert!(
        matches!(
            err,
            FetchError::Truncated {
                expected_len: 50,
                got: 5,
                ..
            }
        ),
        "{err:?}"
    );
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let hanging = Fetcher::new(cache.path().to_path_buf(), false)
        .with_timeout(Duration::from_secs(1))
        .with_proxies(Proxies {
            http: Some(format!("http://{}", silent.local_addr().unwrap())),
            ..Proxies::none()
        });
    let started = Instant::now();
    let err = hanging.fetch("http://example.com/h.whl", None).unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(2500));
    assert!(
        matches!(&err, FetchError::Network { message, .. } if message.contains("timed out")),
        "{err:?}"
    );
}

#[test]
fn default_cache_dir_is_named_cordon() {
    // Whatever the environment says, the folder exists as a path (or there is no home).
    if let Some(dir) = Fetcher::default_cache_dir() {
        assert!(dir.is_absolute() || std::env::var_os("CORDON_CACHE_DIR").is_some());
    }
}
