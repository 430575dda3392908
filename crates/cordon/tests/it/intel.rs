//! `cordon intel import|status` end to end, on small fixtures of the standard formats.

use std::path::Path;

fn intel(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = assert_cmd::Command::cargo_bin("cordon")
        .unwrap()
        .current_dir(dir)
        .env_clear()
        .env("HOME", dir)
        .env("CORDON_CACHE_DIR", dir.join("cache"))
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
        out.matches("none loaded; run `cordon intel import FILE...`")
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
