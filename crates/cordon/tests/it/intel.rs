//! `cordon intel import|update|status` end to end, on small fixtures of the standard formats;
//! `update` downloads them from a server on 127.0.0.1 run by the test.

use std::io::{Cursor, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

fn intel(dir: &Path, args: &[&str]) -> (i32, String, String) {
    intel_env(dir, args, &[])
}

/// Runs `cordon intel ARGS` with only `env` set besides the home and cache folders: the
/// environment is cleared, so no proxy (`HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`, ...) or other
/// setting of the machine applies, and nothing reaches beyond 127.0.0.1.
fn intel_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = assert_cmd::Command::cargo_bin("cordon")
        .unwrap()
        .current_dir(dir)
        .env_clear()
        .env("HOME", dir)
        .env("CORDON_CACHE_DIR", dir.join("cache"))
        .envs(env.iter().copied())
        .arg("intel")
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code().unwrap(), stdout, stderr)
}

#[test]
fn import_then_status() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (code, out, _) = intel(dir, &["status"]);
    assert_eq!(code, 0);
    assert_eq!(
        out.matches(
            "none loaded; run `cordon intel update` (or, offline, `cordon intel import FILE...`)"
        )
        .count(),
        3,
        "{out}"
    );

    std::fs::write(
        dir.join("top.json"),
        r#"{"rows":[{"project":"requests","download_count":3},{"project":"numpy","download_count":2}]}"#,
    )
    .unwrap();
    std::fs::create_dir(dir.join("osv")).unwrap();
    std::fs::write(
        dir.join("osv/MAL-2026-1.json"),
        r#"{"id":"MAL-2026-1","affected":[{"package":{"ecosystem":"PyPI","name":"reqeusts"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]}]}"#,
    )
    .unwrap();
    let (code, out, err) = intel(dir, &["import", "top.json", "osv"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("imported 2 popular names, 1 malicious-package records, 0 advisories"),
        "{out}"
    );

    let (code, out, _) = intel(dir, &["status", "--format", "json"]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["command"], "intel status");
    assert_eq!(doc["data"][0]["kind"], "popular");
    assert_eq!(doc["data"][0]["count"], 2);
    assert_eq!(doc["data"][1]["count"], 1);
    assert_eq!(doc["data"][1]["stale"], false);
    assert_eq!(doc["data"][2]["count"], 0);
    assert!(doc["data"][2]["updated"].is_null());
}

#[test]
fn import_of_bad_input_names_the_file_and_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("broken.json"), "{\"rows\": [").unwrap();
    let (code, _, err) = intel(dir, &["import", "broken.json"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("broken.json") && err.contains("not valid JSON"),
        "{err}"
    );
    let (code, _, err) = intel(dir, &["import", "missing.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("missing.json"), "{err}");
    // Valid JSON of another kind: nothing to import.
    std::fs::write(dir.join("other.json"), r#"{"name": "x"}"#).unwrap();
    let (code, _, err) = intel(dir, &["import", "other.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("nothing to import"), "{err}");
    assert!(err.contains("skipped"), "{err}");
    let (_, out, _) = intel(dir, &["status"]);
    assert_eq!(out.matches("none loaded").count(), 3, "{out}");
}

/// A server on 127.0.0.1 answering fixed paths with fixed bytes (any other path: 404), counting
/// the requests it gets.
struct Files {
    server: Arc<tiny_http::Server>,
    base: String,
    requests: Arc<AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

impl Files {
    fn serve(files: Vec<(&'static str, Vec<u8>)>) -> Self {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let addr = server.server_addr().to_ip().unwrap();
        let requests = Arc::new(AtomicUsize::new(0));
        let files = Arc::new(Mutex::new(files));
        let thread = {
            let (server, requests) = (Arc::clone(&server), Arc::clone(&requests));
            std::thread::spawn(move || {
                // `recv` fails once `unblock` (Drop) is called.
                while let Ok(request) = server.recv() {
                    requests.fetch_add(1, Ordering::SeqCst);
                    let body = files
                        .lock()
                        .unwrap()
                        .iter()
                        .find(|(path, _)| *path == request.url())
                        .map(|(_, bytes)| bytes.clone());
                    let _ = match body {
                        Some(bytes) => request.respond(tiny_http::Response::from_data(bytes)),
                        None => request.respond(
                            tiny_http::Response::from_string("not found").with_status_code(404),
                        ),
                    };
                }
            })
        };
        Self {
            server,
            base: format!("http://{addr}"),
            requests,
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

const TOP: &str = r#"{"last_update":"2026-04-01","rows":[{"project":"requests","download_count":3},{"project":"NumPy","download_count":2}]}"#;

/// OSV's export as it serves it: a zip of one JSON record per file.
fn osv_zip() -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, record) in [
        (
            "MAL-2026-1.json",
            r#"{"id":"MAL-2026-1","affected":[{"package":{"ecosystem":"PyPI","name":"reqeusts"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]}]}"#,
        ),
        (
            "PYSEC-2026-2.json",
            r#"{"id":"PYSEC-2026-2","affected":[{"package":{"ecosystem":"PyPI","name":"numpy"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"1.0"},{"fixed":"1.2"}]}]}]}"#,
        ),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(record.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn fixtures() -> Files {
    Files::serve(vec![
        ("/top.json", TOP.as_bytes().to_vec()),
        ("/osv/PyPI/all.zip", osv_zip()),
        (
            "/garbage",
            b"<html><body>maintenance</body></html>".to_vec(),
        ),
    ])
}

fn status_json(dir: &Path) -> serde_json::Value {
    let (code, out, err) = intel(dir, &["status", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn update_downloads_the_sources_then_status_names_them() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let files = fixtures();
    let (top, osv) = (files.url("/top.json"), files.url("/osv/PyPI/all.zip"));
    let (code, out, err) = intel(dir, &["update", "--source", &top, "--source", &osv]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with(
            "imported 2 popular names, 1 malicious-package records, 1 advisories from 2 sources into "
        ),
        "{out}"
    );
    assert!(
        err.contains(&format!("cordon: downloading {top}"))
            && err.contains(&format!("cordon: downloading {osv}")),
        "{err}"
    );
    assert_eq!(files.requests(), 2);

    let doc = status_json(dir);
    let data = &doc["data"];
    assert_eq!(
        (&data[0]["count"], &data[1]["count"], &data[2]["count"]),
        (&2.into(), &1.into(), &1.into()),
        "{doc}"
    );
    assert_eq!(data[0]["from"], serde_json::json!([top]));
    assert_eq!(data[1]["from"], serde_json::json!([top, osv]));
    assert_eq!(data[2]["stale"], false);
    let (_, out, _) = intel(dir, &["status"]);
    assert!(
        out.contains("popular packages: 2 (updated ") && out.contains(&format!("from {top}\n")),
        "{out}"
    );

    // JSON, quietly: the document on stdout, nothing on stderr.
    let (code, out, err) = intel(
        dir,
        &[
            "update",
            "-q",
            "--format",
            "json",
            "--source",
            &osv,
            "--timeout",
            "30",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["command"], "intel update");
    assert_eq!(doc["sources"], serde_json::json!([osv]));
    assert_eq!(doc["imported"]["popular"], 0);
    assert_eq!(doc["imported"]["malicious"], 1);
    assert_eq!(doc["imported"]["advisories"], 1);
    assert!(doc["store"].as_str().unwrap().ends_with("intel"), "{doc}");
    // The popular names from before stay.
    assert_eq!(status_json(dir)["data"][0]["count"], 2);
}

#[test]
fn update_reads_the_sources_from_the_environment() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let files = fixtures();
    let (top, osv) = (files.url("/top.json"), files.url("/osv/PyPI/all.zip"));
    let sources = format!(" {top},\n  {osv} ");
    let (code, out, err) = intel_env(
        dir,
        &["update"],
        &[("CORDON_INTEL_SOURCES", sources.as_str())],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("imported 2 popular names"), "{out}");
    let doc = status_json(dir);
    assert_eq!(doc["data"][0]["from"], serde_json::json!([top]));
    assert_eq!(doc["data"][2]["from"], serde_json::json!([top, osv]));

    // `--source` wins over the environment.
    let (code, out, err) = intel_env(
        dir,
        &["update", "--source", &top],
        &[("CORDON_INTEL_SOURCES", files.url("/missing").as_str())],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(&format!("from {top} into")), "{out}");
}

#[test]
fn update_with_a_missing_source_fails_naming_it_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let files = fixtures();
    let (top, osv, missing) = (
        files.url("/top.json"),
        files.url("/osv/PyPI/all.zip"),
        files.url("/osv/PyPI/missing.zip"),
    );
    // Nothing stored yet: nothing stored after.
    let (code, out, err) = intel(dir, &["update", "--source", &top, "--source", &missing]);
    assert_eq!(code, 2, "{out}");
    assert!(err.contains(&missing) && err.contains("HTTP 404"), "{err}");
    assert!(err.contains("the store was not changed"), "{err}");
    let (_, out, _) = intel(dir, &["status"]);
    assert_eq!(out.matches("none loaded").count(), 3, "{out}");

    // Data stored before stays as it was, though the first source was downloaded.
    let (code, _, err) = intel(dir, &["update", "--source", &top]);
    assert_eq!(code, 0, "{err}");
    let before = status_json(dir);
    let (code, _, err) = intel(dir, &["update", "--source", &osv, "--source", &missing]);
    assert_eq!(code, 2);
    assert!(err.contains(&missing), "{err}");
    assert_eq!(status_json(dir), before);
    assert_eq!(before["data"][1]["count"], 0);
}

#[test]
fn update_offline_is_an_error_pointing_at_import() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let files = fixtures();
    let top = files.url("/top.json");
    for args in [
        vec!["update", "--offline", "--source", top.as_str()],
        vec!["update", "--offline"],
    ] {
        let (code, _, err) = intel(dir, &args);
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains("needs the network") && err.contains("cordon intel import FILE..."),
            "{err}"
        );
    }
    assert_eq!(files.requests(), 0);
    let (_, out, _) = intel(dir, &["status"]);
    assert_eq!(out.matches("none loaded").count(), 3, "{out}");
}

#[test]
fn update_from_a_source_of_garbage_fails_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let files = fixtures();
    let (top, garbage) = (files.url("/top.json"), files.url("/garbage"));
    let (code, _, err) = intel(dir, &["update", "--source", &top, "--source", &garbage]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&garbage)
            && err.contains("not valid JSON")
            && err.contains("the store was not changed"),
        "{err}"
    );
    let (_, out, _) = intel(dir, &["status"]);
    assert_eq!(out.matches("none loaded").count(), 3, "{out}");
    // A URL cordon cannot download is refused before anything is.
    let (code, _, err) = intel(dir, &["update", "--source", &top, "--source", "ftp://x/y"]);
    assert_eq!(code, 2);
    assert!(err.contains("ftp://x/y"), "{err}");
}
