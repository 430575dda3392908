//! Fixture builder for `bench/check-large-lock` (ignored in normal runs): a project whose
//! `uv.lock`, written by the real uv against the loopback index, holds 600 packages. The bench
//! script runs it with `CORDON_BENCH_DIR` set; it leaves the project and the warm uv cache there so
//! `uv lock --check --offline` can run against the same lock.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::harness::{IndexServer, PackageSpec, VersionSpec, uv_command};

const DIRECT: usize = 120;
const TRANSITIVE: usize = 480;

#[test]
#[ignore = "builds the benchmark fixture; run by bench/check-large-lock"]
fn generate_large_lock() {
    let out = PathBuf::from(std::env::var("CORDON_BENCH_DIR").expect("set CORDON_BENCH_DIR"));
    let project = out.join("project");
    std::fs::create_dir_all(&project).unwrap();
    let mut packages = Vec::new();
    // Direct dependencies each pull in four transitive ones; upload times spread over months.
    for i in 0..TRANSITIVE {
        let day = 1 + i % 28;
        let month = 1 + i % 9;
        packages.push(PackageSpec::new(
            &format!("lib-{i:03}"),
            vec![
                VersionSpec::new("1.0.0")
                    .uploaded(format!("2026-{month:02}-{day:02}T10:00:00Z"))
                    .sdist(),
            ],
        ));
    }
    let mut deps = String::new();
    for i in 0..DIRECT {
        let requires: Vec<String> = (0..4)
            .map(|k| format!("lib-{:03}>=1", (i * 4 + k) % TRANSITIVE))
            .collect();
        let requires: Vec<&str> = requires.iter().map(String::as_str).collect();
        packages.push(PackageSpec::new(
            &format!("app-dep-{i:03}"),
            vec![
                VersionSpec::new("2.1.0")
                    .uploaded(format!("2026-0{}-15T08:30:00Z", 1 + i % 9))
                    .requires(&requires)
                    .sdist(),
            ],
        ));
        writeln!(deps, "    \"app-dep-{i:03}==2.1.0\",").unwrap();
    }
    std::fs::write(
        project.join("pyproject.toml"),
        format!(
            "[project]\nname = \"large\"\nversion = \"1.0.0\"\nrequires-python = \">=3.11\"\ndependencies = [\n{deps}]\n\n[tool.uv]\nexclude-newer = \"7 days\"\nadd-bounds = \"exact\"\nrequired-version = \">=0.13.9,<0.14\"\n"
        ),
    )
    .unwrap();
    let index = IndexServer::start(packages);
    let output = uv_command(&project, &index)
        .env("UV_CACHE_DIR", out.join("uv-cache"))
        .arg("lock")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lock = std::fs::read_to_string(project.join("uv.lock")).unwrap();
    assert!(lock.matches("[[package]]").count() > 500);
}

/// For `bench/init`: a project with 100 direct dependencies declared as ranges and no uv
/// settings, locked by the real uv (so `cordon init` has every dependency to pin and every
/// setting to write), with the warm uv cache beside it for offline re-locks.
#[test]
#[ignore = "builds the benchmark fixture; run by bench/init"]
fn generate_init_project() {
    const DIRECT_DEPS: usize = 100;
    let out = PathBuf::from(std::env::var("CORDON_BENCH_DIR").expect("set CORDON_BENCH_DIR"));
    let project = out.join("project");
    std::fs::create_dir_all(&project).unwrap();
    let mut packages = Vec::new();
    let mut deps = String::new();
    for i in 0..DIRECT_DEPS {
        let shared = format!("base-{:02}", i % 40);
        packages.push(PackageSpec::new(
            &format!("dep-{i:03}"),
            vec![
                VersionSpec::new("1.4.0")
                    .uploaded(format!("2026-0{}-11T09:00:00Z", 1 + i % 9))
                    .requires(&[&format!("{shared}>=1")])
                    .sdist(),
            ],
        ));
        writeln!(deps, "    \"dep-{i:03}>=1\",  # dependency {i}").unwrap();
    }
    for i in 0..40 {
        packages.push(PackageSpec::new(
            &format!("base-{i:02}"),
            vec![VersionSpec::new("2.0.1").uploaded(format!("2026-0{}-03T12:00:00Z", 1 + i % 9))],
        ));
    }
    std::fs::write(
        project.join("pyproject.toml"),
        format!(
            "# A service with 100 dependencies and no supply-chain settings yet.\n[project]\nname = \"hundred\"\nversion = \"1.0.0\"\nrequires-python = \">=3.11\"\ndependencies = [\n{deps}]\n\n[tool.ruff]\nline-length = 100\n"
        ),
    )
    .unwrap();
    let index = IndexServer::start(packages);
    let output = uv_command(&project, &index)
        .env("UV_CACHE_DIR", out.join("uv-cache"))
        .arg("lock")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lock = std::fs::read_to_string(project.join("uv.lock")).unwrap();
    assert_eq!(lock.matches("[[package]]").count(), 141);
}
