//! A virtual environment: one artifact per installed distribution (the files its RECORD
//! lists) and one for the files no RECORD lists.

use std::collections::HashSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

use cordon_diagnostics::Severity;
use walkdir::WalkDir;

use super::ScanError;
use super::collect::{Collector, rule};
use super::dir::{read_file, relative, unreadable};
use super::names::metadata_name_version;
use crate::model::{Artifact, ArtifactKind, Behaviour, Evidence, Limits};

/// How a member outside site-packages (a RECORD entry like `../../../bin/tool`) is named:
/// this prefix and its path relative to the virtual environment.
pub const VENV_PREFIX: &str = "@venv/";

/// A virtual environment: one Artifact (kind Installed) per `*.dist-info` in its site-packages
/// (every `lib/python*/site-packages`, `lib/pypy*/site-packages`, `Lib/site-packages`), with
/// the files its RECORD lists (paths relative to site-packages; entries pointing outside
/// site-packages but inside the venv are read as `@venv/<path>`, entries outside the venv are
/// reported, not read), plus one Artifact (kind Unlisted) holding every file in site-packages
/// that no RECORD lists (`.pth` files included; `__pycache__/*.pyc` of listed `.py` files
/// skipped). Each artifact has its own budget of `limits`.
pub fn venv(path: &Path, limits: &Limits) -> Result<Vec<Artifact>, ScanError> {
    let root = std::path::absolute(path).map_err(|e| ScanError::io(path, e))?;
    let root = normalize(&root);
    let metadata = fs::metadata(&root).map_err(|e| ScanError::io(path, e))?;
    let not_a_venv = || ScanError::NotAVenv {
        path: path.display().to_string(),
    };
    if !metadata.is_dir() {
        return Err(not_a_venv());
    }
    let sites = site_packages(&root);
    if sites.is_empty() {
        return Err(not_a_venv());
    }
    let real_root = fs::canonicalize(&root).map_err(|e| ScanError::io(path, e))?;
    let mut listed = HashSet::new();
    let mut artifacts = Vec::new();
    for site in &sites {
        let entries = fs::read_dir(site).map_err(|e| ScanError::io(site, e))?;
        let mut dist_infos: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| {
                e.file_type().is_ok_and(|t| t.is_dir())
                    && e.file_name().to_string_lossy().ends_with(".dist-info")
            })
            .map(|e| e.path())
            .collect();
        dist_infos.sort();
        for dist_info in dist_infos {
            let place = Place {
                root: &root,
                real_root: &real_root,
                site,
            };
            artifacts.push(installed(&place, &dist_info, limits, &mut listed));
        }
    }
    artifacts.push(unlisted(path, &sites, &listed, limits));
    Ok(artifacts)
}

/// Every site-packages directory of the venv at `root` (not through symlinks; `lib64` is
/// usually a link to `lib`).
fn site_packages(root: &Path) -> Vec<PathBuf> {
    let is_real_dir = |p: &Path| fs::symlink_metadata(p).is_ok_and(|m| m.is_dir());
    let mut sites = Vec::new();
    for lib in ["lib", "lib64"] {
        let lib = root.join(lib);
        if !is_real_dir(&lib) {
            continue;
        }
        let Ok(entries) = fs::read_dir(&lib) else {
            continue;
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| {
                let name = e.file_name().to_string_lossy().to_ascii_lowercase();
                name.starts_with("python") || name.starts_with("pypy")
            })
            .map(|e| e.path().join("site-packages"))
            .filter(|p| is_real_dir(p))
            .collect();
        found.sort();
        sites.extend(found);
    }
    let windows = root.join("Lib").join("site-packages");
    if is_real_dir(&windows) {
        sites.push(windows);
    }
    // `Lib` and `lib` are one directory on a case-insensitive file system.
    let mut seen = HashSet::new();
    sites.retain(|s| seen.insert(fs::canonicalize(s).unwrap_or_else(|_| s.clone())));
    sites
}

/// Where a distribution is installed.
struct Place<'a> {
    /// The venv, absolute and normalised.
    root: &'a Path,
    /// The venv with symlinks resolved.
    real_root: &'a Path,
    site: &'a Path,
}

/// One installed distribution: the files its RECORD lists.
fn installed(
    place: &Place<'_>,
    dist_info: &Path,
    limits: &Limits,
    listed: &mut HashSet<PathBuf>,
) -> Artifact {
    let mut c = Collector::new(limits);
    let dir_name = dist_info
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let record_member = format!("{dir_name}/RECORD");
    let record = match read_small(&dist_info.join("RECORD"), limits.max_member_size) {
        Ok(Some(text)) => text,
        Ok(None) => {
            c.limit(
                format!(
                    "RECORD is larger than {} bytes (max_member_size): the distribution's \
                     files are not read",
                    limits.max_member_size
                ),
                &record_member,
            );
            String::new()
        }
        Err(e) => {
            unreadable(&mut c, &record_member, &e.to_string());
            String::new()
        }
    };
    // Everything RECORD lists is listed, whether or not a limit stops reading it.
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    let mut seen = HashSet::new();
    for entry in record_paths(&record) {
        match resolve(place, &entry) {
            Some((path, member)) => {
                if member.is_empty() || !seen.insert(path.clone()) {
                    continue;
                }
                listed.insert(path.clone());
                files.push((path, member));
            }
            None => c.push(
                Evidence::new(
                    rule::UNSAFE_PATH,
                    Behaviour::LimitExceeded,
                    Severity::High,
                    "RECORD lists a file outside the virtual environment: not read",
                )
                .in_member(&record_member)
                .with_snippet(&entry),
            ),
        }
    }
    for (path, member) in files {
        if c.stopped() || !c.admit() {
            break;
        }
        let metadata = match fs::symlink_metadata(&path) {
            Ok(m) => m,
            // Listed but gone (a deleted .pyc): nothing to read.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                unreadable(&mut c, &member, &e.to_string());
                continue;
            }
        };
        if metadata.is_symlink() {
            let target = fs::read_link(&path)
                .map(|t| t.to_string_lossy().into_owned())
                .unwrap_or_default();
            c.link_entry("symbolic link", &member, &format!("{member} -> {target}"));
            continue;
        }
        if metadata.is_dir() {
            continue;
        }
        if !metadata.is_file() {
            c.link_entry("special file (FIFO, socket or device)", &member, &member);
            continue;
        }
        match fs::canonicalize(&path) {
            Ok(real) if real.starts_with(place.real_root) => read_file(&mut c, &path, &member),
            Ok(_) => c.push(
                Evidence::new(
                    rule::UNSAFE_PATH,
                    Behaviour::LimitExceeded,
                    Severity::High,
                    "RECORD lists a file that resolves outside the virtual environment through \
                     a symbolic link: not read",
                )
                .in_member(&member)
                .with_snippet(&member),
            ),
            Err(e) => unreadable(&mut c, &member, &e.to_string()),
        }
    }
    let metadata_member = format!("{dir_name}/METADATA");
    let from_metadata = match c.members.iter().find(|m| m.path == metadata_member) {
        Some(m) => metadata_name_version(&m.data),
        None => read_small(&dist_info.join("METADATA"), limits.max_member_size)
            .ok()
            .flatten()
            .and_then(|m| metadata_name_version(m.as_bytes())),
    };
    let name_version = from_metadata.or_else(|| {
        let stem = dir_name.strip_suffix(".dist-info")?;
        let (name, version) = stem.split_once('-')?;
        Some((name.to_owned(), version.to_owned()))
    });
    c.finish(
        dist_info.display().to_string(),
        ArtifactKind::Installed,
        name_version,
    )
}

/// A RECORD entry as a path (absolute, normalised) and a member name: relative to
/// site-packages, or [`VENV_PREFIX`] and relative to the venv. None: outside the venv.
fn resolve(place: &Place<'_>, entry: &str) -> Option<(PathBuf, String)> {
    let raw = Path::new(entry);
    let joined = if raw.is_absolute() || raw.has_root() {
        raw.to_path_buf()
    } else {
        place.site.join(raw)
    };
    let path = normalize(&joined);
    if let Ok(rel) = path.strip_prefix(place.site) {
        let member = relative(rel).path;
        return Some((path, member));
    }
    let rel = path.strip_prefix(place.root).ok()?;
    let member = format!("{VENV_PREFIX}{}", relative(rel).path);
    Some((path, member))
}

/// The file no RECORD lists.
fn unlisted(
    venv: &Path,
    sites: &[PathBuf],
    listed: &HashSet<PathBuf>,
    limits: &Limits,
) -> Artifact {
    let mut c = Collector::new(limits);
    'sites: for site in sites {
        for item in WalkDir::new(site).follow_links(false).sort_by_file_name() {
            if c.stopped() {
                break 'sites;
            }
            let entry = match item {
                Ok(entry) => entry,
                Err(e) => {
                    let at = e
                        .path()
                        .and_then(|p| p.strip_prefix(site).ok())
                        .map(|p| relative(p).path)
                        .unwrap_or_default();
                    unreadable(&mut c, &at, &e.to_string());
                    continue;
                }
            };
            let path = entry.path();
            let file_type = entry.file_type();
            if entry.depth() == 0
                || file_type.is_dir()
                || listed.contains(path)
                || is_compiled_listed(path, listed)
            {
                continue;
            }
            let name = relative(path.strip_prefix(site).unwrap_or(path));
            if !c.admit() {
                break 'sites;
            }
            c.check_name(&name, &name.path);
            if file_type.is_symlink() {
                let target = fs::read_link(path)
                    .map(|t| t.to_string_lossy().into_owned())
                    .unwrap_or_default();
                c.link_entry(
                    "symbolic link",
                    &name.path,
                    &format!("{} -> {target}", name.raw),
                );
            } else if file_type.is_file() {
                read_file(&mut c, path, &name.path);
            } else {
                c.link_entry(
                    "special file (FIFO, socket or device)",
                    &name.path,
                    &name.raw,
                );
            }
        }
    }
    c.finish(venv.display().to_string(), ArtifactKind::Unlisted, None)
}

/// `dir/__pycache__/mod.cpython-312.pyc` whose `dir/mod.py` a RECORD lists.
fn is_compiled_listed(path: &Path, listed: &HashSet<PathBuf>) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let Some(cache) = path.parent() else {
        return false;
    };
    let compiled = path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("pyc"));
    if !compiled || cache.file_name().is_none_or(|n| n != "__pycache__") {
        return false;
    }
    let module = name.split('.').next().unwrap_or(name);
    cache
        .parent()
        .is_some_and(|dir| listed.contains(&dir.join(format!("{module}.py"))))
}

/// A file read as text, if it is at most `max` bytes (None: larger).
fn read_small(path: &Path, max: u64) -> std::io::Result<Option<String>> {
    use std::io::Read;
    let mut data = Vec::new();
    fs::File::open(path)?
        .take(max.saturating_add(1))
        .read_to_end(&mut data)?;
    if data.len() as u64 > max {
        return Ok(None);
    }
    Ok(Some(String::from_utf8_lossy(&data).into_owned()))
}

/// The first field (the path) of each RECORD line (CSV, `"` quoting).
fn record_paths(text: &str) -> Vec<String> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let line = line.trim_end_matches('\r');
            if let Some(rest) = line.strip_prefix('"') {
                let mut field = String::new();
                let mut chars = rest.chars().peekable();
                while let Some(ch) = chars.next() {
                    if ch == '"' {
                        if chars.peek() == Some(&'"') {
                            chars.next();
                            field.push('"');
                        } else {
                            break;
                        }
                    } else {
                        field.push(ch);
                    }
                }
                field
            } else {
                line.split(',').next().unwrap_or(line).to_owned()
            }
        })
        .collect()
}

/// `path` with `.` and `..` resolved lexically (`..` at the root stays at the root).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::fixtures::{evidence, member, paths};
    use super::super::{ScanError, rule};
    use super::*;

    fn write(root: &Path, rel: &str, data: &[u8]) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, data).unwrap();
    }

    const SITE: &str = "lib/python3.12/site-packages";

    fn make_venv(root: &Path) {
        write(root, "pyvenv.cfg", b"home = /usr/bin\n");
        write(root, "bin/python", b"not really python");
        write(
            root,
            "bin/foo-cli",
            b"#!/usr/bin/env python\nfrom foo import main\n",
        );
        let site = root.join(SITE);
        write(&site, "foo/__init__.py", b"print('foo')\n");
        write(
            &site,
            "foo/__pycache__/__init__.cpython-312.pyc",
            b"compiled",
        );
        write(&site, "foo/data.bin", b"listed data");
        write(
            &site,
            "foo-1.0.dist-info/METADATA",
            b"Metadata-Version: 2.1\nName: foo\nVersion: 1.0\n",
        );
        write(&site, "foo-1.0.dist-info/WHEEL", b"Wheel-Version: 1.0\n");
        write(
            &site,
            "foo-1.0.dist-info/RECORD",
            b"foo/__init__.py,sha256=abc,13\n\
              \"foo/data.bin\",,\n\
              foo-1.0.dist-info/METADATA,,\n\
              foo-1.0.dist-info/WHEEL,,\n\
              foo-1.0.dist-info/RECORD,,\n\
              ../../../bin/foo-cli,,\n\
              ../../../../../etc/passwd,,\n\
              foo/deleted.pyc,,\n",
        );
        // Files no RECORD lists.
        write(&site, "zzz-stray.pth", b"import os; os.system('x')\n");
        write(&site, "_virtualenv.py", b"# virtualenv's own\n");
        write(
            &site,
            "orphan/__pycache__/mod.cpython-312.pyc",
            b"orphan pyc",
        );
    }

    #[test]
    fn archive_venv_record_pth_and_unlisted() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join(".venv");
        make_venv(&root);
        let artifacts = venv(&root, &Limits::default()).unwrap();
        assert_eq!(artifacts.len(), 2);

        let foo = &artifacts[0];
        assert_eq!(foo.kind, ArtifactKind::Installed);
        assert_eq!(
            (foo.name.as_deref(), foo.version.as_deref()),
            (Some("foo"), Some("1.0"))
        );
        assert!(foo.path.ends_with("foo-1.0.dist-info"), "{}", foo.path);
        assert_eq!(
            paths(foo),
            [
                "foo/__init__.py",
                "foo/data.bin",
                "foo-1.0.dist-info/METADATA",
                "foo-1.0.dist-info/WHEEL",
                "foo-1.0.dist-info/RECORD",
                "@venv/bin/foo-cli",
            ]
        );
        assert_eq!(
            member(foo, "@venv/bin/foo-cli").data,
            b"#!/usr/bin/env python\nfrom foo import main\n"
        );
        let unsafe_paths = evidence(foo, rule::UNSAFE_PATH);
        assert_eq!(unsafe_paths.len(), 1, "{:?}", foo.reading);
        assert_eq!(
            unsafe_paths[0].snippet.as_deref(),
            Some("../../../../../etc/passwd")
        );
        assert_eq!(foo.reading.len(), 1, "{:?}", foo.reading);

        let unlisted = &artifacts[1];
        assert_eq!(unlisted.kind, ArtifactKind::Unlisted);
        assert_eq!(unlisted.path, root.display().to_string());
        assert_eq!(
            paths(unlisted),
            [
                "_virtualenv.py",
                "orphan/__pycache__/mod.cpython-312.pyc",
                "zzz-stray.pth",
            ]
        );
        assert_eq!(
            member(unlisted, "zzz-stray.pth").data,
            b"import os; os.system('x')\n"
        );
        assert!(unlisted.reading.is_empty(), "{:?}", unlisted.reading);
    }

    #[cfg(unix)]
    #[test]
    fn archive_venv_symlinks_are_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("venv");
        make_venv(&root);
        write(tmp.path(), "outside/secret.py", b"secret");
        let site = root.join(SITE);
        std::os::unix::fs::symlink(
            tmp.path().join("outside/secret.py"),
            site.join("foo/link.py"),
        )
        .unwrap();
        std::os::unix::fs::symlink(tmp.path().join("outside"), site.join("foo/linked")).unwrap();
        let mut record = std::fs::read(site.join("foo-1.0.dist-info/RECORD")).unwrap();
        record.extend_from_slice(b"foo/link.py,,\nfoo/linked/secret.py,,\n");
        std::fs::write(site.join("foo-1.0.dist-info/RECORD"), record).unwrap();
        let artifacts = venv(&root, &Limits::default()).unwrap();
        let foo = &artifacts[0];
        assert!(!paths(foo).iter().any(|p| p.contains("link")));
        assert_eq!(
            evidence(foo, rule::LINK_ENTRY).len(),
            1,
            "{:?}",
            foo.reading
        );
        assert_eq!(
            evidence(foo, rule::UNSAFE_PATH).len(),
            2,
            "{:?}",
            foo.reading
        );
        assert!(
            artifacts
                .iter()
                .all(|a| a.members.iter().all(|m| m.data != b"secret"))
        );
    }

    #[test]
    fn archive_venv_windows_layout_and_errors() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("win");
        write(
            &root,
            "Lib/site-packages/bar-2.0.dist-info/RECORD",
            b"bar.py,,\nbar-2.0.dist-info/RECORD,,\n",
        );
        write(&root, "Lib/site-packages/bar.py", b"bar");
        let artifacts = venv(&root, &Limits::default()).unwrap();
        assert_eq!(paths(&artifacts[0]), ["bar.py", "bar-2.0.dist-info/RECORD"]);
        assert_eq!(artifacts[0].name.as_deref(), Some("bar"));
        assert_eq!(artifacts[0].version.as_deref(), Some("2.0"));
        assert!(artifacts[1].members.is_empty());

        let err = venv(tmp.path(), &Limits::default()).unwrap_err();
        assert!(matches!(err, ScanError::NotAVenv { .. }), "{err}");
        assert!(err.to_string().contains(&tmp.path().display().to_string()));
    }

    #[test]
    fn archive_record_paths_parse_csv() {
        assert_eq!(
            record_paths("a.py,sha256=x,1\r\n\"b,c.py\",,\n\"d\"\"e.py\",,\n\n"),
            ["a.py", "b,c.py", "d\"e.py"]
        );
    }
}
