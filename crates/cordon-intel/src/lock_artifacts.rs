//! Which of the artifacts a `uv.lock` names to download and scan: for one platform, the wheel
//! an installer would pick for each package (else its sdist); for all platforms, every wheel
//! and sdist. Only artifacts with a URL (registry and direct-URL sources) are listed; the rest
//! are reported as notes.

use cordon_python::lock::{Artifact, Lock, LockedPackage, PackageSource};
use cordon_python::wheel_tags::{Target, select};

pub use cordon_python::lock::ArtifactKind;

use crate::fetch::percent_decode;

/// One artifact to download and scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockArtifact {
    /// The package name as the lock writes it.
    pub package: String,
    /// Absent only for a source tree with a dynamic version, which has no URL artifacts.
    pub version: Option<String>,
    /// The last segment of the URL, percent-decoded (`torch-2.5.1+cpu-…whl`).
    pub file_name: String,
    pub url: String,
    /// As the lock writes it (`sha256:<hex>`); `None` means the download cannot be verified.
    pub hash: Option<String>,
    pub size: Option<u64>,
    pub kind: ArtifactKind,
}

/// The artifacts to scan, in lock order, and notes on the packages that yield none.
///
/// With a `target`, each package contributes one artifact: its wheel the installer prefers
/// on that target (see [`select`]), else its sdist. With `None`, every wheel and the sdist.
/// Git, path and local-tree sources, artifacts without a URL, and packages with no artifact
/// for the target get a note each (virtual projects, which have nothing to install, none).
pub fn artifacts_to_scan(lock: &Lock, target: Option<&Target>) -> (Vec<LockArtifact>, Vec<String>) {
    let mut out = Vec::new();
    let mut notes = Vec::new();
    for package in &lock.packages {
        let label = label(package);
        match &package.source {
            PackageSource::Registry(_) | PackageSource::Url(_) => {}
            PackageSource::Virtual(_) => continue,
            source => {
                notes.push(format!(
                    "{label}: {} source `{}` is not downloaded from the lock; not scanned",
                    source.kind(),
                    source.location()
                ));
                continue;
            }
        }
        let downloadable = |a: &&Artifact| a.url.is_some();
        for artifact in package.artifacts().filter(|a| a.url.is_none()) {
            let what = artifact
                .path_or_filename
                .as_deref()
                .map_or_else(String::new, |p| format!(" `{p}`"));
            notes.push(format!(
                "{label}: the {}{what} has no URL; not scanned",
                kind_name(artifact.kind)
            ));
        }
        if !package.artifacts().any(|a| a.url.is_some()) {
            if package.sdist.is_none() && package.wheels.is_empty() {
                notes.push(format!("{label}: the lock names no artifact; not scanned"));
            }
            continue;
        }
        let Some(target) = target else {
            out.extend(
                package
                    .artifacts()
                    .filter(downloadable)
                    .map(|a| to_artifact(package, a)),
            );
            continue;
        };
        let wheels: Vec<&Artifact> = package.wheels.iter().filter(downloadable).collect();
        let names: Vec<String> = wheels.iter().map(|a| file_name(a)).collect();
        let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let chosen = select(&name_refs, target)
            .first()
            .map(|&i| wheels[i])
            .or_else(|| package.sdist.as_ref().filter(downloadable));
        match chosen {
            Some(artifact) => out.push(to_artifact(package, artifact)),
            // An sdist without a URL already has its note.
            None if package.sdist.is_some() => {}
            None => notes.push(format!(
                "{label}: no wheel for {target} and no sdist; not scanned (it is likely not \
                 installed on this platform)"
            )),
        }
    }
    (out, notes)
}

fn label(package: &LockedPackage) -> String {
    match &package.version {
        Some(version) => format!("{} {version}", package.name),
        None => package.name.clone(),
    }
}

fn kind_name(kind: ArtifactKind) -> &'static str {
    match kind {
        ArtifactKind::Sdist => "sdist",
        ArtifactKind::Wheel => "wheel",
    }
}

/// The URL's last path segment, percent-decoded; the lock's `filename` when the URL has none.
fn file_name(artifact: &Artifact) -> String {
    let from_url = artifact.url.as_deref().and_then(|url| {
        let path = url.split(['?', '#']).next().unwrap_or_default();
        let path = path.split_once("://").map_or(path, |(_, rest)| rest);
        let (_, path) = path.split_once('/')?;
        path.rsplit('/')
            .next()
            .filter(|s| !s.is_empty())
            .map(percent_decode)
    });
    from_url
        .or_else(|| artifact.path_or_filename.clone())
        .unwrap_or_default()
}

fn to_artifact(package: &LockedPackage, artifact: &Artifact) -> LockArtifact {
    LockArtifact {
        package: package.name.clone(),
        version: package.version.clone(),
        file_name: file_name(artifact),
        url: artifact.url.clone().unwrap_or_default(),
        hash: artifact.hash.clone(),
        size: artifact.size,
        kind: artifact.kind,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use cordon_python::Source;
    use cordon_python::lock::parse_lock;
    use cordon_python::wheel_tags::{Arch, Libc, Os};

    use super::*;

    const LOCK: &str = r#"version = 1
revision = 3
requires-python = ">=3.12"

[[package]]
name = "numpy"
version = "2.1.3"
source = { registry = "https://example.com/simple" }
sdist = { url = "https://example.com/files/numpy-2.1.3.tar.gz", hash = "sha256:aa", size = 100 }
wheels = [
    { url = "https://example.com/files/numpy-2.1.3-cp312-cp312-macosx_11_0_arm64.whl", hash = "sha256:01", size = 1 },
    { url = "https://example.com/files/numpy-2.1.3-cp312-cp312-macosx_14_0_arm64.whl", hash = "sha256:02", size = 2 },
    { url = "https://example.com/files/numpy-2.1.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", hash = "sha256:03", size = 3 },
    { url = "https://example.com/files/numpy-2.1.3-cp312-cp312-manylinux_2_28_x86_64.whl", hash = "sha256:04", size = 4 },
    { url = "https://example.com/files/numpy-2.1.3-cp312-cp312-win_amd64.whl", hash = "sha256:05", size = 5 },
]

[[package]]
name = "pywin32"
version = "308"
source = { registry = "https://example.com/simple" }
wheels = [
    { url = "https://example.com/files/pywin32-308-cp312-cp312-win_amd64.whl", hash = "sha256:06" },
]

[[package]]
name = "six"
version = "1.16.0"
source = { registry = "https://example.com/simple" }
sdist = { url = "https://example.com/files/six-1.16.0.tar.gz", hash = "sha256:07" }
wheels = [
    { url = "https://example.com/files/six-1.16.0-py2.py3-none-any.whl", hash = "sha256:08" },
]

[[package]]
name = "onlysdist"
version = "0.1"
source = { registry = "https://example.com/simple" }
sdist = { url = "https://example.com/files/onlysdist-0.1.tar.gz" }

[[package]]
name = "torch"
version = "2.5.1+cpu"
source = { url = "https://example.com/whl/cpu/torch-2.5.1%2Bcpu-cp312-cp312-linux_x86_64.whl" }
wheels = [
    { url = "https://example.com/whl/cpu/torch-2.5.1%2Bcpu-cp312-cp312-linux_x86_64.whl", hash = "sha256:09" },
]

[[package]]
name = "gitpkg"
version = "0.2.0"
source = { git = "https://example.com/org/gitpkg.git?tag=v0.2.0#20cc1fafee73644678859460320b80f4caadc023" }

[[package]]
name = "localwheel"
version = "1.0.0"
source = { path = "dist/localwheel-1.0.0-py3-none-any.whl" }
wheels = [
    { filename = "localwheel-1.0.0-py3-none-any.whl", hash = "sha256:dddd" },
]

[[package]]
name = "flat"
version = "1.0"
source = { registry = "../wheels" }
wheels = [
    { path = "flat-1.0-py3-none-any.whl" },
]

[[package]]
name = "member"
version = "0.1.0"
source = { editable = "packages/member" }

[[package]]
name = "root"
version = "0.1.0"
source = { virtual = "." }
"#;

    fn lock() -> Lock {
        parse_lock(Source::from_string("uv.lock", LOCK)).unwrap()
    }

    fn files(artifacts: &[LockArtifact]) -> Vec<&str> {
        artifacts.iter().map(|a| a.file_name.as_str()).collect()
    }

    fn target(os: Os, arch: Arch, libc: Option<(Libc, u32, u32)>) -> Target {
        Target {
            python: (3, 12),
            os,
            arch,
            libc,
        }
    }

    const COMMON_NOTES: [&str; 4] = [
        "gitpkg 0.2.0: git source `https://example.com/org/gitpkg.git` is not downloaded from the lock; not scanned",
        "localwheel 1.0.0: path source `dist/localwheel-1.0.0-py3-none-any.whl` is not downloaded from the lock; not scanned",
        "flat 1.0: the wheel `flat-1.0-py3-none-any.whl` has no URL; not scanned",
        "member 0.1.0: editable source `packages/member` is not downloaded from the lock; not scanned",
    ];

    #[test]
    fn linux_target_takes_the_preferred_wheel_else_the_sdist() {
        let lock = lock();
        let linux = target(Os::Linux, Arch::X86_64, Some((Libc::Glibc, 2, 31)));
        let (artifacts, notes) = artifacts_to_scan(&lock, Some(&linux));
        assert_eq!(
            files(&artifacts),
            [
                "numpy-2.1.3-cp312-cp312-manylinux_2_28_x86_64.whl",
                "six-1.16.0-py2.py3-none-any.whl",
                "onlysdist-0.1.tar.gz",
                "torch-2.5.1+cpu-cp312-cp312-linux_x86_64.whl",
            ]
        );
        let numpy = &artifacts[0];
        assert_eq!(numpy.package, "numpy");
        assert_eq!(numpy.version.as_deref(), Some("2.1.3"));
        assert_eq!(numpy.hash.as_deref(), Some("sha256:04"));
        assert_eq!(numpy.size, Some(4));
        assert_eq!(numpy.kind, ArtifactKind::Wheel);
        assert!(numpy.url.ends_with("manylinux_2_28_x86_64.whl"));
        assert_eq!(artifacts[2].kind, ArtifactKind::Sdist);
        assert_eq!(artifacts[2].hash, None);
        assert_eq!(
            notes,
            [
                "pywin32 308: no wheel for CPython 3.12 on Linux x86_64 (glibc 2.31) and no \
                 sdist; not scanned (it is likely not installed on this platform)",
                COMMON_NOTES[0],
                COMMON_NOTES[1],
                COMMON_NOTES[2],
                COMMON_NOTES[3],
            ]
        );

        // An older glibc gets the manylinux2014 wheel; aarch64 has none and gets the sdist.
        let old = target(Os::Linux, Arch::X86_64, Some((Libc::Glibc, 2, 17)));
        let (artifacts, _) = artifacts_to_scan(&lock, Some(&old));
        assert_eq!(
            artifacts[0].file_name,
            "numpy-2.1.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
        );
        let arm = target(Os::Linux, Arch::Aarch64, Some((Libc::Glibc, 2, 31)));
        let (artifacts, _) = artifacts_to_scan(&lock, Some(&arm));
        assert_eq!(
            files(&artifacts),
            [
                "numpy-2.1.3.tar.gz",
                "six-1.16.0-py2.py3-none-any.whl",
                "onlysdist-0.1.tar.gz"
            ]
        );
    }

    #[test]
    fn macos_and_windows_targets() {
        let lock = lock();
        let mac = target(
            Os::MacOs {
                major: 15,
                minor: 0,
            },
            Arch::Aarch64,
            None,
        );
        let (artifacts, notes) = artifacts_to_scan(&lock, Some(&mac));
        assert_eq!(
            files(&artifacts),
            [
                "numpy-2.1.3-cp312-cp312-macosx_14_0_arm64.whl",
                "six-1.16.0-py2.py3-none-any.whl",
                "onlysdist-0.1.tar.gz",
            ]
        );
        assert_eq!(notes.len(), 6, "{notes:#?}");
        assert!(notes[0].starts_with("pywin32 308: no wheel for CPython 3.12 on macOS 15.0"));
        assert!(notes[1].starts_with("torch 2.5.1+cpu: no wheel"));

        let win = target(Os::Windows, Arch::X86_64, None);
        let (artifacts, notes) = artifacts_to_scan(&lock, Some(&win));
        assert_eq!(
            files(&artifacts),
            [
                "numpy-2.1.3-cp312-cp312-win_amd64.whl",
                "pywin32-308-cp312-cp312-win_amd64.whl",
                "six-1.16.0-py2.py3-none-any.whl",
                "onlysdist-0.1.tar.gz",
            ]
        );
        assert!(notes[0].starts_with("torch 2.5.1+cpu: no wheel for CPython 3.12 on Windows"));
    }

    #[test]
    fn all_platforms_takes_every_artifact_with_a_url() {
        let lock = lock();
        let (artifacts, notes) = artifacts_to_scan(&lock, None);
        assert_eq!(
            files(&artifacts),
            [
                "numpy-2.1.3.tar.gz",
                "numpy-2.1.3-cp312-cp312-macosx_11_0_arm64.whl",
                "numpy-2.1.3-cp312-cp312-macosx_14_0_arm64.whl",
                "numpy-2.1.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                "numpy-2.1.3-cp312-cp312-manylinux_2_28_x86_64.whl",
                "numpy-2.1.3-cp312-cp312-win_amd64.whl",
                "pywin32-308-cp312-cp312-win_amd64.whl",
                "six-1.16.0.tar.gz",
                "six-1.16.0-py2.py3-none-any.whl",
                "onlysdist-0.1.tar.gz",
                "torch-2.5.1+cpu-cp312-cp312-linux_x86_64.whl",
            ]
        );
        assert_eq!(notes, COMMON_NOTES);
    }

    #[test]
    fn file_names_come_from_the_url() {
        let artifact = |url: Option<&str>, name: Option<&str>| Artifact {
            kind: ArtifactKind::Wheel,
            url: url.map(str::to_owned),
            path_or_filename: name.map(str::to_owned),
            hash: None,
            size: None,
            upload_time: None,
            span: 0..0,
        };
        assert_eq!(
            file_name(&artifact(
                Some("http://127.0.0.1:8080/f/a-1.whl?x=1#sha256=00"),
                None
            )),
            "a-1.whl"
        );
        assert_eq!(
            file_name(&artifact(Some("http://127.0.0.1:8080/"), Some("b-1.whl"))),
            "b-1.whl"
        );
        assert_eq!(file_name(&artifact(None, Some("c-1.whl"))), "c-1.whl");
    }
}
