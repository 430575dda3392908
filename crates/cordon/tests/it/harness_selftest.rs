use crate::harness::*;

#[test]
fn explore() {
    let index = IndexServer::start(vec![
        PackageSpec::new("alpha", vec![VersionSpec::new("1.0.0").requires(&["beta>=1.0"]).sdist()]),
        PackageSpec::new("beta", vec![VersionSpec::new("1.0.0").uploaded("2024-03-04T05:06:07Z"), VersionSpec::new("1.1.0").without_upload_time()]),
    ]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pyproject.toml"), "[project]\nname=\"demo\"\nversion=\"0.1.0\"\nrequires-python=\">=3.11\"\ndependencies=[\"alpha==1.0.0\"]\n[tool.uv]\nexclude-newer = \"7 days\"\n").unwrap();
    let out = uv_command(dir.path(), &index).args(["lock", "-v"]).output().unwrap();
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    eprintln!("{}", std::fs::read_to_string(dir.path().join("uv.lock")).unwrap_or_default());
    eprintln!("{:#?}", index.requests());
}
