//! The names family: `typosquat-suspect` and `known-malicious`, read from reference data a
//! test loads with `cordon intel import` (small fixtures of the standard formats).

use super::{Fixture, GOOD_TOOL_UV, OLD, index_of, line_of, pyproject};

/// Loads popular names (in rank order) and OSV records into the fixture's store, through the
/// real `cordon intel import`.
fn load(fixture: &Fixture, popular: &[&str], osv: &[&str]) {
    let rows: Vec<String> = popular
        .iter()
        .map(|p| format!(r#"{{"project":"{p}","download_count":1}}"#))
        .collect();
    let dir = fixture.tmp().join("intel-input");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("top.json"),
        format!(r#"{{"rows":[{}]}}"#, rows.join(",")),
    )
    .unwrap();
    for (i, record) in osv.iter().enumerate() {
        std::fs::write(dir.join(format!("osv-{i}.json")), record).unwrap();
    }
    let out = assert_cmd::Command::cargo_bin("cordon")
        .unwrap()
        .env_clear()
        .env("HOME", fixture.tmp().join("home"))
        .env("CORDON_CACHE_DIR", fixture.tmp().join("cache"))
        .args(["intel", "import"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn malicious(id: &str, name: &str, versions: &[&str]) -> String {
    let affected = if versions.is_empty() {
        r#""ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]"#.to_owned()
    } else {
        format!(
            r#""versions":[{}]"#,
            versions
                .iter()
                .map(|v| format!("\"{v}\""))
                .collect::<Vec<_>>()
                .join(",")
        )
    };
    format!(
        r#"{{"id":"{id}","affected":[{{"package":{{"ecosystem":"PyPI","name":"{name}"}},{affected}}}]}}"#
    )
}

const POPULAR: &[&str] = &["requests", "numpy", "colorama", "setuptools"];

// ---- typosquat-suspect ---------------------------------------------------------------------

#[test]
fn typosquat_suspect_fires_on_declared_and_locked_look_alikes() {
    let index = index_of(&[("reqeusts", "1.0.0", OLD), ("helper", "1.0.0", OLD)]);
    let text = pyproject(&["reqeusts==1.0.0", "helper==1.0.0"], GOOD_TOOL_UV);
    let fixture = Fixture::pyproject(&text);
    fixture.lock(&index);
    load(&fixture, POPULAR, &[]);
    let report = fixture.cordon().json();
    let f = report.one("typosquat-suspect");
    assert_eq!(f.severity, "medium");
    assert_eq!(f.package.as_deref(), Some("reqeusts"));
    f.assert_at("pyproject.toml", line_of(&text, "\"reqeusts==1.0.0\""));
    f.assert_message("`reqeusts` (declared) looks like `requests`, the #1 most downloaded package (two characters swapped)");
    assert_eq!(report.code, 1);
}

#[test]
fn typosquat_suspect_reads_locked_packages_too() {
    // `colorarna` only arrives as a dependency of `helper`: it is found in the lock.
    use crate::harness::{IndexServer, PackageSpec, VersionSpec};
    let index = IndexServer::start(vec![
        PackageSpec::new(
            "helper",
            vec![
                VersionSpec::new("1.0.0")
                    .uploaded(OLD)
                    .requires(&["colorarna==1.0.0"]),
            ],
        ),
        PackageSpec::new("colorarna", vec![VersionSpec::new("1.0.0").uploaded(OLD)]),
    ]);
    let text = pyproject(&["helper==1.0.0"], GOOD_TOOL_UV);
    let fixture = Fixture::pyproject(&text);
    let lock = fixture.lock(&index);
    load(&fixture, POPULAR, &[]);
    let report = fixture.cordon().json();
    let f = report.one("typosquat-suspect");
    assert_eq!(f.package.as_deref(), Some("colorarna"));
    let line = lock
        .lines()
        .position(|l| l == "name = \"colorarna\"")
        .unwrap();
    f.assert_at("uv.lock", u64::try_from(line + 1).unwrap());
    f.assert_message("`colorarna` (locked) looks like `colorama`");
}

#[test]
fn typosquat_suspect_quiet_for_popular_and_unrelated_names() {
    let text = pyproject(
        &["requests==2.0.0", "my-internal-tool==1.0.0"],
        GOOD_TOOL_UV,
    );
    let fixture = Fixture::pyproject(&text);
    load(&fixture, POPULAR, &[]);
    let report = fixture.cordon().json();
    assert!(report.all("typosquat-suspect").is_empty(), "{report}");
}

// ---- known-malicious -----------------------------------------------------------------------

#[test]
fn known_malicious_fires_for_every_version_records_and_matching_releases() {
    let text = pyproject(
        &["evil-pkg==0.1", "good-lib==1.0.2", "fine-lib==2.0.0"],
        GOOD_TOOL_UV,
    );
    let fixture = Fixture::pyproject(&text);
    load(
        &fixture,
        POPULAR,
        &[
            &malicious("MAL-2026-1", "evil-pkg", &[]),
            &malicious("MAL-2026-2", "Good_Lib", &["1.0.2", "1.0.3"]),
            &malicious("MAL-2026-3", "fine-lib", &["1.9.0"]),
        ],
    );
    let report = fixture.cordon().json();
    assert_eq!(report.all("known-malicious").len(), 2, "{report}");
    let evil = report.one_for("known-malicious", "evil-pkg");
    assert_eq!(evil.severity, "high");
    evil.assert_at("pyproject.toml", line_of(&text, "\"evil-pkg==0.1\""));
    evil.assert_message("`evil-pkg` is a known malicious package (MAL-2026-1)");
    let good = report.one_for("known-malicious", "good-lib");
    good.assert_message("`good-lib 1.0.2` is a known malicious release (MAL-2026-2)");
}

#[test]
fn known_malicious_counts_an_unpinned_dependency_with_bad_releases() {
    let text = pyproject(&["good-lib>=1.0"], GOOD_TOOL_UV);
    let fixture = Fixture::pyproject(&text);
    load(
        &fixture,
        POPULAR,
        &[&malicious("MAL-2026-2", "good-lib", &["1.0.3"])],
    );
    let report = fixture.cordon().json();
    report.one("known-malicious").assert_message(
        "`good-lib` has known malicious releases (MAL-2026-2: 1.0.3) and no version is pinned",
    );
}

// ---- without reference data ----------------------------------------------------------------

#[test]
fn without_reference_data_the_name_checks_say_how_to_load_it() {
    let text = pyproject(&["reqeusts==1.0.0"], GOOD_TOOL_UV);
    let fixture = Fixture::pyproject(&text);
    std::fs::remove_dir_all(fixture.tmp().join("cache/intel")).ok();
    let run = fixture
        .cordon()
        .env(
            "CORDON_CACHE_DIR",
            fixture.tmp().join("empty").to_str().unwrap(),
        )
        .output();
    assert!(
        run.stderr.contains("no reference data") && run.stderr.contains("cordon intel import"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("typosquat-suspect"), "{}", run.stdout);
}

// ---- known-vulnerable ----------------------------------------------------------------------

fn advisory(id: &str, name: &str, ranges: &str, versions: &str) -> String {
    format!(
        r#"{{"id":"{id}","aliases":["CVE-2026-{n}"],"affected":[{{"package":{{"ecosystem":"PyPI","name":"{name}"}},"ranges":[{ranges}],"versions":[{versions}]}}]}}"#,
        n = id.len()
    )
}

#[test]
fn known_vulnerable_fires_for_versions_in_a_range_or_listed() {
    let text = pyproject(
        &[
            "django==4.1.0",
            "flask==2.0.0",
            "jinja2==3.0.0",
            "pyyaml==5.0",
        ],
        GOOD_TOOL_UV,
    );
    let fixture = Fixture::pyproject(&text);
    load(
        &fixture,
        POPULAR,
        &[
            &advisory(
                "PYSEC-2026-1",
                "Django",
                r#"{"type":"ECOSYSTEM","events":[{"introduced":"4.0"},{"fixed":"4.2.1"}]}"#,
                "",
            ),
            &advisory(
                "PYSEC-2026-2",
                "flask",
                r#"{"type":"ECOSYSTEM","events":[{"introduced":"2.1"},{"fixed":"2.2"}]}"#,
                "",
            ),
            &advisory("PYSEC-2026-3", "jinja2", "", r#""3.0.0","3.0.1""#),
            &advisory(
                "GHSA-2026-4",
                "pyyaml",
                r#"{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"last_affected":"5.0"}]}"#,
                "",
            ),
        ],
    );
    let report = fixture.cordon().json();
    assert_eq!(report.all("known-vulnerable").len(), 3, "{report}");
    let django = report.one_for("known-vulnerable", "django");
    assert_eq!(django.severity, "medium");
    django.assert_at("pyproject.toml", line_of(&text, "\"django==4.1.0\""));
    django.assert_message("`django 4.1.0` is affected by 1 advisory: PYSEC-2026-1 (CVE-2026-12)");
    assert!(
        django.help.contains("`django==4.2.1` or later"),
        "{}",
        django.help
    );
    report
        .one_for("known-vulnerable", "jinja2")
        .assert_message("PYSEC-2026-3");
    let yaml = report.one_for("known-vulnerable", "pyyaml");
    assert!(yaml.help.contains("no fixed version"), "{}", yaml.help);
}

// ---- stdlib-shadow -------------------------------------------------------------------------

#[test]
fn stdlib_shadow_fires_for_a_standard_library_name_unless_limited_to_old_pythons() {
    let text = pyproject(
        &[
            "asyncio==3.4.3",
            "dataclasses==0.8; python_version < \"3.7\"",
            "requests==2.0.0",
        ],
        GOOD_TOOL_UV,
    );
    let report = Fixture::pyproject(&text).cordon().json();
    let f = report.one("stdlib-shadow");
    assert_eq!(f.severity, "low");
    f.assert_at("pyproject.toml", line_of(&text, "\"asyncio==3.4.3\""));
    f.assert_message("`asyncio` (declared) has the name of the standard-library module `asyncio`");
}

// ---- requirements files --------------------------------------------------------------------

#[test]
fn name_checks_read_requirements_files() {
    let requirements = "colorama==0.4.6\nreqeusts==1.0.0\nasyncio==3.4.3\n";
    let fixture = Fixture::new(&[("requirements.txt", requirements)]);
    load(
        &fixture,
        POPULAR,
        &[&malicious("MAL-2026-9", "reqeusts", &[])],
    );
    let report = fixture.cordon().json();
    let squat = report.one("typosquat-suspect");
    squat.assert_at("requirements.txt", 2);
    squat.assert_message("`reqeusts` (declared) looks like `requests`");
    report
        .one("known-malicious")
        .assert_at("requirements.txt", 2);
    report.one("stdlib-shadow").assert_at("requirements.txt", 3);
}
