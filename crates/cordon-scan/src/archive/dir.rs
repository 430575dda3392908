//! A directory (a project, an unpacked sdist): its files, without following symlinks.

use std::fs::File;
use std::path::Path;

use cordon_diagnostics::Severity;
use walkdir::WalkDir;

use super::ScanError;
use super::collect::{Collector, Ratio, rule};
use super::names::{Sanitised, metadata_name_version, sanitise};
use crate::model::{Artifact, ArtifactKind, Limits};

/// Directories not read inside a project (version control, caches, dependencies, virtual
/// environments), except for the `.pth` files in them. A directory holding `pyvenv.cfg` is a
/// virtual environment too, whatever its name.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
];

pub(crate) fn read(root: &Path, limits: &Limits) -> Result<Artifact, ScanError> {
    let mut c = Collector::new(limits);
    let walker = WalkDir::new(root).follow_links(false).sort_by_file_name();
    // Inside a skipped directory (at this depth): only `.pth` files are read.
    let mut pth_only: Option<usize> = None;
    for item in walker {
        if c.stopped() {
            break;
        }
        let entry = match item {
            Ok(entry) => entry,
            Err(e) => {
                if e.depth() == 0 {
                    let source = e
                        .into_io_error()
                        .unwrap_or_else(|| std::io::Error::other("cannot walk the directory"));
                    return Err(ScanError::io(root, source));
                }
                let at = e
                    .path()
                    .and_then(|p| p.strip_prefix(root).ok())
                    .map(|p| relative(p).path)
                    .unwrap_or_default();
                unreadable(&mut c, &at, &e.to_string());
                continue;
            }
        };
        let depth = entry.depth();
        if depth == 0 {
            continue;
        }
        if pth_only.is_some_and(|d| depth <= d) {
            pth_only = None;
        }
        let file_type = entry.file_type();
        if file_type.is_dir() {
            if pth_only.is_none() && is_skipped(entry.path()) {
                pth_only = Some(depth);
            }
            continue;
        }
        let is_pth = entry
            .file_name()
            .to_string_lossy()
            .to_ascii_lowercase()
            .ends_with(".pth");
        if pth_only.is_some() && !is_pth {
            continue;
        }
        let name = relative(entry.path().strip_prefix(root).unwrap_or(entry.path()));
        if !c.admit() {
            break;
        }
        c.check_name(&name, &name.path);
        if file_type.is_symlink() {
            let target = std::fs::read_link(entry.path())
                .map(|t| t.to_string_lossy().into_owned())
                .unwrap_or_default();
            c.link_entry(
                "symbolic link",
                &name.path,
                &format!("{} -> {target}", name.raw),
            );
            continue;
        }
        if !file_type.is_file() {
            c.link_entry(
                "special file (FIFO, socket or device)",
                &name.path,
                &name.raw,
            );
            continue;
        }
        read_file(&mut c, entry.path(), &name.path);
    }
    let name_version = c
        .members
        .iter()
        .find(|m| m.path == "PKG-INFO")
        .and_then(|m| metadata_name_version(&m.data));
    Ok(c.finish(
        root.display().to_string(),
        ArtifactKind::Directory,
        name_version,
    ))
}

fn is_skipped(dir: &Path) -> bool {
    let name = dir.file_name().map(|n| n.to_string_lossy());
    name.is_some_and(|n| SKIPPED_DIRS.contains(&n.as_ref()))
        || std::fs::symlink_metadata(dir.join("pyvenv.cfg")).is_ok()
}

/// A relative path as a member name: `/`-separated; a name that is not UTF-8 is converted
/// lossily and flagged.
pub(crate) fn relative(path: &Path) -> Sanitised {
    let lossy = path.to_string_lossy();
    let mut name = sanitise(lossy.as_bytes());
    name.bad_name |= path.to_str().is_none();
    name
}

/// Reads one regular file from disk into `c` as `member`.
pub(crate) fn read_file(c: &mut Collector<'_>, path: &Path, member: &str) {
    match File::open(path) {
        Ok(file) => {
            let size = file.metadata().ok().map(|m| m.len());
            c.file(file, member, 0, Ratio::None, false, size);
        }
        Err(e) => unreadable(c, member, &e.to_string()),
    }
}

pub(crate) fn unreadable(c: &mut Collector<'_>, member: &str, error: &str) {
    c.note(
        rule::UNREADABLE,
        Severity::Medium,
        format!(
            "cannot be read ({}): not scanned",
            crate::safe::snippet(error)
        ),
        member,
    );
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::fixtures::{evidence, member, paths, small_limits, zip};
    use super::super::{open, rule};
    use crate::model::{ArtifactKind, Limits};

    fn write(root: &Path, rel: &str, data: &[u8]) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, data).unwrap();
    }

    #[test]
    fn archive_directory_skips_vcs_caches_and_venvs_but_reads_pth() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("project");
        write(&root, "setup.py", b"setup()");
        write(&root, "PKG-INFO", b"Name: project\nVersion: 0.3\n");
        write(&root, "src/pkg/__init__.py", b"init");
        write(
            &root,
            "src/pkg/__pycache__/__init__.cpython-312.pyc",
            b"pyc",
        );
        write(&root, ".git/config", b"[core]");
        write(&root, ".git/hooks/pre-commit", b"#!/bin/sh");
        write(&root, "node_modules/left-pad/index.js", b"js");
        write(&root, "node_modules/left-pad/odd.pth", b"import os");
        write(&root, ".venv/pyvenv.cfg", b"home = /usr/bin");
        write(
            &root,
            ".venv/lib/python3.12/site-packages/mod.py",
            b"vendored",
        );
        write(
            &root,
            ".venv/lib/python3.12/site-packages/sneaky.pth",
            b"import sneaky",
        );
        write(&root, "env2/pyvenv.cfg", b"home = /usr/bin");
        write(&root, "env2/lib/x.py", b"x");
        write(&root, "env2/y.pth", b"import y");
        write(
            &root,
            "dist/pkg-1.0-py3-none-any.whl",
            &zip(&[
                ("pkg/__init__.py", b"built"),
                ("pkg-1.0.dist-info/WHEEL", b"w"),
            ]),
        );
        let artifact = open(&root, &Limits::default()).unwrap();
        assert_eq!(artifact.kind, ArtifactKind::Directory);
        assert_eq!(artifact.path, root.display().to_string());
        assert_eq!(artifact.name.as_deref(), Some("project"));
        assert_eq!(artifact.version.as_deref(), Some("0.3"));
        let mut got = paths(&artifact);
        got.sort_unstable();
        assert_eq!(
            got,
            [
                ".venv/lib/python3.12/site-packages/sneaky.pth",
                "PKG-INFO",
                "dist/pkg-1.0-py3-none-any.whl!/pkg-1.0.dist-info/WHEEL",
                "dist/pkg-1.0-py3-none-any.whl!/pkg/__init__.py",
                "env2/y.pth",
                "node_modules/left-pad/odd.pth",
                "setup.py",
                "src/pkg/__init__.py",
            ]
        );
        assert_eq!(member(&artifact, "env2/y.pth").data, b"import y");
        assert!(artifact.reading.is_empty(), "{:?}", artifact.reading);
    }

    #[cfg(unix)]
    #[test]
    fn archive_directory_reports_symlinks_and_special_files() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("project");
        write(&root, "pkg/real.py", b"real");
        write(tmp.path(), "outside/secret.txt", b"secret");
        std::os::unix::fs::symlink(
            tmp.path().join("outside/secret.txt"),
            root.join("pkg/link.py"),
        )
        .unwrap();
        std::os::unix::fs::symlink(tmp.path().join("outside"), root.join("linked-dir")).unwrap();
        let _socket = std::os::unix::net::UnixListener::bind(root.join("pkg/sock")).unwrap();
        let artifact = open(&root, &Limits::default()).unwrap();
        assert_eq!(paths(&artifact), ["pkg/real.py"]);
        let hits = evidence(&artifact, rule::LINK_ENTRY);
        assert_eq!(hits.len(), 3, "{:?}", artifact.reading);
        let members: Vec<_> = hits.iter().map(|e| e.member.as_deref().unwrap()).collect();
        assert_eq!(members, ["linked-dir", "pkg/link.py", "pkg/sock"]);
        assert!(hits[1].snippet.as_deref().unwrap().contains("secret.txt"));
    }

    #[test]
    fn archive_directory_limits() {
        let tmp = tempfile::tempdir().unwrap();
        for i in 0..150 {
            write(tmp.path(), &format!("f{i:03}.py"), b"x");
        }
        write(tmp.path(), "zz/big.bin", &vec![7u8; 100 * 1024]);
        let limits = small_limits();
        let artifact = open(tmp.path(), &limits).unwrap();
        assert_eq!(artifact.members.len(), limits.max_members);
        let hits = evidence(&artifact, rule::LIMIT);
        assert_eq!(hits.len(), 1);
        assert!(hits[0].message.contains("max_members"));

        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), "big.bin", &vec![7u8; 100 * 1024]);
        let artifact = open(tmp.path(), &limits).unwrap();
        assert_eq!(member(&artifact, "big.bin").data.len(), 64 * 1024);
        assert!(
            evidence(&artifact, rule::LIMIT)[0]
                .message
                .contains("max_member_size")
        );
    }
}
