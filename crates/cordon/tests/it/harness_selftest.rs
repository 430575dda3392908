//! Tests of the test harness itself: the wheels it builds are valid and reproducible, the index
//! speaks the simple API, and real uv locks against it through the `example.com` proxy, with
//! upload times and cooldowns behaving as they do against a real index.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;

use crate::harness::wheel::record_digest;
use crate::harness::{
    EXAMPLE_INDEX, IndexServer, PackageSpec, UV_VERSION, VersionSpec, build_sdist, build_wheel,
    lock, normalize_name, sha256_hex, uv_command, uv_path, wheel_filename,
};

/// A project `demo` depending on `dependencies`, with `extra` appended to its pyproject.toml.
fn project(dependencies: &[&str], extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let deps: Vec<String> = dependencies.iter().map(|d| format!("{d:?}")).collect();
    let pyproject = format!(
        "[project]\nname = \"demo\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\n\
         dependencies = [{}]\n{extra}",
        deps.join(", ")
    );
    std::fs::write(dir.path().join("pyproject.toml"), pyproject).unwrap();
    dir
}

fn read_lock(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("uv.lock")).unwrap()
}

/// The version uv locked for `name` (the line after `name = "<name>"` in a `[[package]]`).
fn locked_version(lock: &str, name: &str) -> Option<String> {
    let marker = format!("[[package]]\nname = \"{name}\"\nversion = \"");
    let start = lock.find(&marker)? + marker.len();
    let end = start + lock[start..].find('"')?;
    Some(lock[start..end].to_owned())
}

/// Whole seconds, RFC 3339, `days` before now.
fn days_ago(days: i64) -> String {
    let now = jiff::Timestamp::now().as_second();
    jiff::Timestamp::from_second(now - days * 86_400)
        .unwrap()
        .to_string()
}

fn alpha_beta_index() -> IndexServer {
    IndexServer::start(vec![
        PackageSpec::new(
            "alpha",
            vec![
                VersionSpec::new("1.0.0")
                    .requires(&["beta>=1.0"])
                    .uploaded("2024-03-01T10:00:00Z")
                    .sdist(),
            ],
        ),
        PackageSpec::new(
            "beta",
            vec![VersionSpec::new("1.0.0").uploaded("2024-02-01T09:30:00Z")],
        ),
    ])
}

/// A plain HTTP/1.0 exchange with the server; returns (status line, headers+body text).
fn http_get(index: &IndexServer, target: &str, accept: &str) -> (String, String) {
    let mut stream = TcpStream::connect(index.addr()).unwrap();
    write!(
        stream,
        "GET {target} HTTP/1.0\r\nHost: example.com\r\nAccept: {accept}\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response.lines().next().unwrap_or_default().to_owned();
    (status, response)
}

#[test]
fn pinned_uv_is_found_and_has_the_pinned_version() {
    let output = Command::new(uv_path()).arg("--version").output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.starts_with(&format!("uv {UV_VERSION} ")), "{stdout}");
}

#[test]
fn names_are_normalized_as_pep_503_says() {
    assert_eq!(normalize_name("Foo.Bar__baz-Qux"), "foo-bar-baz-qux");
    assert_eq!(normalize_name("typing_extensions"), "typing-extensions");
    assert_eq!(
        wheel_filename("Typing.Extensions", "4.0"),
        "typing_extensions-4.0-py3-none-any.whl"
    );
}

#[test]
fn wheels_are_reproducible_and_their_record_matches_their_members() {
    let wheel = build_wheel(
        "Alpha.Pkg",
        "1.2.3",
        &["beta>=1.0", "gamma; extra == \"x\""],
    );
    assert_eq!(
        wheel,
        build_wheel(
            "Alpha.Pkg",
            "1.2.3",
            &["beta>=1.0", "gamma; extra == \"x\""]
        )
    );
    assert_ne!(
        wheel,
        build_wheel(
            "Alpha.Pkg",
            "1.2.4",
            &["beta>=1.0", "gamma; extra == \"x\""]
        )
    );
    // RECORD digests are urlsafe base64 without padding (a known vector: the empty input).
    assert_eq!(
        record_digest(b""),
        "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
    );

    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&wheel)).unwrap();
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "alpha_pkg/__init__.py",
            "alpha_pkg-1.2.3.dist-info/METADATA",
            "alpha_pkg-1.2.3.dist-info/WHEEL",
            "alpha_pkg-1.2.3.dist-info/RECORD",
        ]
    );
    let mut read = |name: &str| {
        let mut contents = Vec::new();
        archive
            .by_name(name)
            .unwrap()
            .read_to_end(&mut contents)
            .unwrap();
        contents
    };
    let metadata = String::from_utf8(read("alpha_pkg-1.2.3.dist-info/METADATA")).unwrap();
    assert_eq!(
        metadata,
        "Metadata-Version: 2.1\nName: Alpha.Pkg\nVersion: 1.2.3\n\
         Requires-Dist: beta>=1.0\nRequires-Dist: gamma; extra == \"x\"\n"
    );
    let record = String::from_utf8(read("alpha_pkg-1.2.3.dist-info/RECORD")).unwrap();
    let lines: Vec<&str> = record.lines().collect();
    assert_eq!(lines.len(), 4, "{record}");
    assert_eq!(lines[3], "alpha_pkg-1.2.3.dist-info/RECORD,,");
    for line in &lines[..3] {
        let mut fields = line.split(',');
        let (path, digest, size) = (
            fields.next().unwrap(),
            fields.next().unwrap(),
            fields.next().unwrap(),
        );
        let contents = read(path);
        assert_eq!(digest, record_digest(&contents), "{path}");
        assert_eq!(size, contents.len().to_string(), "{path}");
    }
}

#[test]
fn sdists_are_reproducible_tar_gz_archives() {
    let sdist = build_sdist("alpha", "1.0.0", &["beta>=1.0"]);
    assert_eq!(sdist, build_sdist("alpha", "1.0.0", &["beta>=1.0"]));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alpha-1.0.0.tar.gz");
    std::fs::write(&path, &sdist).unwrap();
    // The system tar checks the gzip CRC and the tar header checksums.
    let output = Command::new("tar").arg("-tzf").arg(&path).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "alpha-1.0.0/PKG-INFO\nalpha-1.0.0/pyproject.toml\nalpha-1.0.0/alpha/__init__.py\n"
    );
}

#[test]
fn index_serves_pep_691_json_directly_and_through_the_example_com_proxy() {
    let index = alpha_beta_index();
    let accept = "application/vnd.pypi.simple.v1+json";
    let (status, direct) = http_get(&index, "/simple/Alpha/", accept);
    assert!(status.contains(" 200 "), "{direct}");
    let (status, proxied) = http_get(&index, "http://example.com/simple/alpha/", accept);
    assert!(status.contains(" 200 "), "{proxied}");
    assert!(
        proxied
            .to_ascii_lowercase()
            .contains("content-type: application/vnd.pypi.simple.v1+json"),
        "{proxied}"
    );
    let body = &proxied[proxied.find("\r\n\r\n").unwrap() + 4..];
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
    let wheel = build_wheel("alpha", "1.0.0", &["beta>=1.0"]);
    assert_eq!(json["meta"]["api-version"], "1.4");
    assert_eq!(json["name"], "alpha");
    assert_eq!(json["versions"], serde_json::json!(["1.0.0"]));
    let file = &json["files"][0];
    assert_eq!(file["filename"], "alpha-1.0.0-py3-none-any.whl");
    assert_eq!(
        file["url"],
        "http://example.com/files/alpha-1.0.0-py3-none-any.whl"
    );
    assert_eq!(file["hashes"]["sha256"], sha256_hex(&wheel));
    assert_eq!(file["size"], wheel.len());
    assert_eq!(file["upload-time"], "2024-03-01T10:00:00Z");
    assert!(file["core-metadata"]["sha256"].is_string());
    assert_eq!(json["files"][1]["filename"], "alpha-1.0.0.tar.gz");

    let (status, _) = http_get(&index, "http://example.com/simple/no-such-project/", accept);
    assert!(status.contains(" 404 "), "{status}");
    let (status, _) = http_get(
        &index,
        "http://example.com/files/alpha-1.0.0-py3-none-any.whl",
        "*/*",
    );
    assert!(status.contains(" 200 "), "{status}");
    // Anything but example.com is refused, never forwarded.
    let (status, _) = http_get(&index, "http://elsewhere.example.net/simple/alpha/", accept);
    assert!(status.contains(" 502 "), "{status}");
    assert!(
        index
            .requests()
            .contains(&"GET http://elsewhere.example.net/simple/alpha/ (refused)".to_owned())
    );
}

#[test]
fn uv_locks_through_the_proxy_with_example_com_urls_and_chosen_upload_times() {
    let index = alpha_beta_index();
    let dir = project(&["alpha==1.0.0"], "");
    lock(dir.path(), &index);
    let lock = read_lock(dir.path());

    assert_eq!(
        locked_version(&lock, "alpha").as_deref(),
        Some("1.0.0"),
        "{lock}"
    );
    assert_eq!(
        locked_version(&lock, "beta").as_deref(),
        Some("1.0.0"),
        "{lock}"
    );
    let registry = format!("source = {{ registry = \"{EXAMPLE_INDEX}\" }}");
    assert_eq!(lock.matches(&registry).count(), 2, "{lock}");
    for (name, requires, uploaded) in [
        ("alpha", &["beta>=1.0"][..], "2024-03-01T10:00:00Z"),
        ("beta", &[][..], "2024-02-01T09:30:00Z"),
    ] {
        let wheel = build_wheel(name, "1.0.0", requires);
        let entry = format!(
            "{{ url = \"http://example.com/files/{name}-1.0.0-py3-none-any.whl\", \
             hash = \"sha256:{}\", size = {}, upload-time = \"{uploaded}\" }}",
            sha256_hex(&wheel),
            wheel.len()
        );
        assert!(lock.contains(&entry), "missing {entry} in\n{lock}");
    }
    let sdist = build_sdist("alpha", "1.0.0", &["beta>=1.0"]);
    assert!(lock.contains(&format!(
        "sdist = {{ url = \"http://example.com/files/alpha-1.0.0.tar.gz\", hash = \"sha256:{}\", \
         size = {}, upload-time = \"2024-03-01T10:00:00Z\" }}",
        sha256_hex(&sdist),
        sdist.len()
    )), "{lock}");
    assert!(!lock.contains("127.0.0.1"), "{lock}");
    // uv went through the proxy: every request was for example.com.
    let requests = index.requests();
    assert!(!requests.is_empty());
    assert!(
        requests
            .iter()
            .all(|r| r.starts_with("GET http://example.com/")),
        "{requests:#?}"
    );
}

#[test]
fn locking_the_same_project_twice_gives_identical_lockfiles() {
    // Fresh servers (so different ports) and fresh directories each time.
    let first = project(&["alpha==1.0.0"], "");
    lock(first.path(), &alpha_beta_index());
    let second = project(&["alpha==1.0.0"], "");
    lock(second.path(), &alpha_beta_index());
    assert_eq!(read_lock(first.path()), read_lock(second.path()));
}

#[test]
fn a_cooldown_makes_uv_pick_the_version_uploaded_before_it() {
    let index = IndexServer::start(vec![PackageSpec::new(
        "beta",
        vec![
            VersionSpec::new("1.0.0").uploaded(days_ago(30)),
            VersionSpec::new("1.1.0").uploaded(days_ago(1)),
        ],
    )]);

    // Control: without a cooldown the newest version wins.
    let open = project(&["beta>=1.0"], "");
    lock(open.path(), &index);
    assert_eq!(
        locked_version(&read_lock(open.path()), "beta").as_deref(),
        Some("1.1.0")
    );

    let cooled = project(&["beta>=1.0"], "\n[tool.uv]\nexclude-newer = \"7 days\"\n");
    lock(cooled.path(), &index);
    let lock = read_lock(cooled.path());
    assert_eq!(
        locked_version(&lock, "beta").as_deref(),
        Some("1.0.0"),
        "{lock}"
    );
    assert!(lock.contains("exclude-newer-span = \"P7D\""), "{lock}");
}

#[test]
fn a_cooldown_refuses_a_version_without_an_upload_time() {
    let index = IndexServer::start(vec![PackageSpec::new(
        "beta",
        vec![VersionSpec::new("1.0.0").without_upload_time()],
    )]);
    let dir = project(
        &["beta==1.0.0"],
        "\n[tool.uv]\nexclude-newer = \"7 days\"\n",
    );
    let output = uv_command(dir.path(), &index).arg("lock").output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "uv locked an undated release:\n{stderr}"
    );
    assert!(stderr.contains("missing an upload date"), "{stderr}");
    assert!(!dir.path().join("uv.lock").exists());

    // The same project without a cooldown locks: the refusal is the cooldown's doing.
    let open = project(&["beta==1.0.0"], "");
    lock(open.path(), &index);
    let lock = read_lock(open.path());
    assert_eq!(
        locked_version(&lock, "beta").as_deref(),
        Some("1.0.0"),
        "{lock}"
    );
    assert!(!lock.contains("upload-time"), "{lock}");
}

#[test]
fn uv_installs_the_harness_wheels() {
    let index = alpha_beta_index();
    let dir = project(&["alpha==1.0.0"], "");
    lock(dir.path(), &index);
    let output = uv_command(dir.path(), &index)
        .args(["sync", "--locked"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let site_packages = std::fs::read_dir(dir.path().join(".venv/lib"))
        .unwrap()
        .map(|entry| entry.unwrap().path().join("site-packages"))
        .find(|path| path.is_dir())
        .expect("a site-packages directory in .venv");
    for name in ["alpha", "beta"] {
        let init = std::fs::read_to_string(site_packages.join(name).join("__init__.py")).unwrap();
        assert_eq!(init, "__version__ = \"1.0.0\"\n");
        assert!(
            site_packages
                .join(format!("{name}-1.0.0.dist-info/RECORD"))
                .is_file()
        );
    }
}
