//! Reading an input into an [`Artifact`]: a wheel, an sdist (`.tar.gz`, `.tgz`, `.tar.bz2`,
//! `.tar`, `.zip`), any zip, a directory, or a virtual environment's installed distributions.
//!
//! Nothing is executed, imported or unpacked to disk: members are read into memory, streaming
//! where the format allows, within [`Limits`]. The format is told by content (magic bytes), not
//! by the file name. Sizes declared in headers are never trusted: bytes are counted as they are
//! decompressed. A limit hit, an unsafe path, a link entry or a corrupt stream becomes evidence
//! in [`Artifact::reading`] (behaviour [`Behaviour::LimitExceeded`](crate::Behaviour)) and
//! reading goes on with what it has; only an input that cannot be opened at all is an error.
//!
//! Archives inside archives (a wheel in an sdist, a zip in a wheel) are expanded in memory in
//! place of the member that holds them, their members named `outer.zip!/inner/path` one level
//! deeper, up to `max_depth`.
//!
//! Each limit hit is `archive-limit` evidence (High) naming the limit:
//! - `max_members`: entries seen (directories and links too, nested archives' included); past
//!   it reading of the artifact stops.
//! - `max_member_size`: bytes actually decompressed, whatever the header claims; the member keeps
//!   its first `max_member_size` bytes (a tar stream reads on, dropping, to its next member).
//! - `max_total_size`: every byte decompressed for the artifact (skipped tar data included); past
//!   it reading stops.
//! - `max_ratio`, judged once a member passes 1 MiB: a zip entry against its compressed size
//!   (that member stops), a `.tar.gz`/`.tar.bz2` as a whole stream (the artifact stops: skipping
//!   the rest of a bomb would mean inflating it).
//! - `max_depth`: an archive at that depth is kept as a member, not expanded.
//!
//! Between two tar members the stream may produce at most 1 MiB (headers, GNU long names, PAX
//! records), so a forged header cannot make the tar reader buffer without bound. The other
//! evidence ids are in [`rule`].

mod collect;
mod dir;
mod names;
mod tar;
mod venv;
mod zip;

#[cfg(test)]
pub(crate) mod fixtures;

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

pub use collect::rule;
pub use names::{core_metadata_name_version, name_version};
pub use venv::{VENV_PREFIX, venv};

use crate::model::{Artifact, ArtifactKind, Limits};
use collect::Collector;

/// Why an input could not be read at all. Each message names the input.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    // The cause is part of the message, not a `source` (thiserror's name for one): with both,
    // an error chain printed in full (`{:#}`) says it twice.
    #[error("cannot read {path}: {cause}")]
    Io { path: String, cause: std::io::Error },
    #[error(
        "{path} is not a wheel, an sdist or a zip/tar archive (by its content), nor a directory"
    )]
    NotAnArchive { path: String },
    #[error("{path} is a corrupt {format} archive: {message}")]
    Corrupt {
        path: String,
        format: &'static str,
        message: String,
    },
    #[error(
        "{path} is not a virtual environment: no lib/python*/site-packages or Lib/site-packages"
    )]
    NotAVenv { path: String },
}

impl ScanError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        ScanError::Io {
            path: path.display().to_string(),
            cause: source,
        }
    }
}

/// An archive format, told by magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Zip,
    Tar,
    Gzip,
    Bzip2,
}

impl Format {
    /// The format of data starting with `head` (the first 512 bytes are enough), if any.
    pub(crate) fn detect(head: &[u8]) -> Option<Format> {
        if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
            Some(Format::Zip)
        } else if head.starts_with(&[0x1f, 0x8b, 0x08]) {
            Some(Format::Gzip)
        } else if is_bzip2(head) {
            Some(Format::Bzip2)
        } else if is_tar(head) {
            Some(Format::Tar)
        } else {
            None
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Format::Zip => "zip",
            Format::Tar => "tar",
            Format::Gzip => "gzip",
            Format::Bzip2 => "bzip2",
        }
    }
}

/// `BZh`, a block size digit, and a block or end-of-stream magic.
fn is_bzip2(head: &[u8]) -> bool {
    head.len() >= 10
        && head.starts_with(b"BZh")
        && (b'1'..=b'9').contains(&head[3])
        && (head[4..10] == [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]
            || head[4..10] == [0x17, 0x72, 0x45, 0x38, 0x50, 0x90])
}

/// A tar header: `ustar` at offset 257, or (old V7 tars) a valid header checksum and a name.
pub(crate) fn is_tar(head: &[u8]) -> bool {
    if head.len() < 512 {
        return false;
    }
    if &head[257..262] == b"ustar" {
        return true;
    }
    if head[0] == 0 {
        return false;
    }
    let stored = head[148..156]
        .iter()
        .skip_while(|b| **b == b' ' || **b == 0)
        .take_while(|b| (b'0'..=b'7').contains(*b))
        .try_fold(0u32, |acc, b| {
            acc.checked_mul(8)?.checked_add(u32::from(b - b'0'))
        });
    let sum: u32 = head[..512]
        .iter()
        .enumerate()
        .map(|(i, b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(*b)
            }
        })
        .sum();
    stored == Some(sum)
}

/// Reads an archive of `format` from `reader` (`len` bytes) into `c`: members named
/// `prefix` + their path, at `depth`. `inner` names the one member of a compressed file that is
/// not a tar. Err: the archive could not be opened at all.
pub(crate) fn expand<R: Read + Seek>(
    c: &mut Collector<'_>,
    format: Format,
    reader: R,
    len: u64,
    prefix: &str,
    depth: u8,
    inner: &str,
) -> Result<(), String> {
    match format {
        Format::Zip => zip::read(c, reader, len, prefix, depth),
        Format::Tar => {
            tar::read_plain(c, reader, prefix, depth);
            Ok(())
        }
        Format::Gzip | Format::Bzip2 => {
            tar::read_compressed(c, reader, format, prefix, depth, inner)
        }
    }
}

/// The name of the file inside a compressed single file (`data.json.gz` → `data.json`).
pub(crate) fn inner_name(outer: &str) -> String {
    let base = outer.rsplit(['/', '!']).next().unwrap_or(outer);
    let lower = base.to_ascii_lowercase();
    for (ending, replacement) in [
        (".tgz", ".tar"),
        (".tbz2", ".tar"),
        (".tbz", ".tar"),
        (".gz", ""),
        (".bz2", ""),
    ] {
        if lower.ends_with(ending) && lower.len() > ending.len() {
            return format!("{}{replacement}", &base[..base.len() - ending.len()]);
        }
    }
    "data".to_owned()
}

/// A file (wheel, sdist `.tar.gz`/`.tgz`/`.zip`/`.tar.bz2`/`.tar`, any zip) or a directory.
pub fn open(path: &Path, limits: &Limits) -> Result<Artifact, ScanError> {
    let metadata = std::fs::metadata(path).map_err(|e| ScanError::io(path, e))?;
    if metadata.is_dir() {
        return dir::read(path, limits);
    }
    let display = path.display().to_string();
    if !metadata.is_file() {
        return Err(ScanError::NotAnArchive { path: display });
    }
    let mut file = File::open(path).map_err(|e| ScanError::io(path, e))?;
    let mut head = Vec::with_capacity(512);
    (&mut file)
        .take(512)
        .read_to_end(&mut head)
        .and_then(|_| file.seek(SeekFrom::Start(0)))
        .map_err(|e| ScanError::io(path, e))?;
    let format = Format::detect(&head).ok_or(ScanError::NotAnArchive {
        path: display.clone(),
    })?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    read_top(
        &display,
        &file_name,
        format,
        BufReader::new(file),
        metadata.len(),
        limits,
    )
}

/// Bytes already in memory (downloads): `display` is how it is reported, `file_name` gives
/// name/version.
pub fn from_bytes(
    display: &str,
    file_name: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Artifact, ScanError> {
    let format = Format::detect(bytes).ok_or(ScanError::NotAnArchive {
        path: display.to_owned(),
    })?;
    read_top(
        display,
        file_name,
        format,
        std::io::Cursor::new(bytes),
        bytes.len() as u64,
        limits,
    )
}

fn read_top<R: Read + Seek>(
    display: &str,
    file_name: &str,
    format: Format,
    reader: R,
    len: u64,
    limits: &Limits,
) -> Result<Artifact, ScanError> {
    let mut c = Collector::new(limits);
    let base = names::base_name(file_name);
    expand(&mut c, format, reader, len, "", 0, &inner_name(base)).map_err(|message| {
        ScanError::Corrupt {
            path: display.to_owned(),
            format: format.as_str(),
            message: crate::safe::snippet(&message),
        }
    })?;
    let wheel = format == Format::Zip
        && (names::base_name(file_name)
            .to_ascii_lowercase()
            .ends_with(".whl")
            || c.members
                .iter()
                .any(|m| m.depth == 0 && is_top_dist_info(&m.path, "WHEEL")));
    let (kind, name_version) = if wheel {
        let from_metadata = c
            .members
            .iter()
            .find(|m| m.depth == 0 && is_top_dist_info(&m.path, "METADATA"));
        (
            ArtifactKind::Wheel,
            names::wheel_name_version(file_name)
                .or_else(|| from_metadata.and_then(|m| names::metadata_name_version(&m.data))),
        )
    } else {
        let from_metadata = c.members.iter().find(|m| {
            m.depth == 0
                && (m.path == "PKG-INFO"
                    || m.path
                        .split_once('/')
                        .is_some_and(|(_, rest)| rest == "PKG-INFO"))
        });
        (
            ArtifactKind::Sdist,
            name_version(file_name)
                .or_else(|| from_metadata.and_then(|m| names::metadata_name_version(&m.data))),
        )
    };
    Ok(c.finish(display.to_owned(), kind, name_version))
}

/// `{dir}.dist-info/{file}` at the top of an archive.
fn is_top_dist_info(path: &str, file: &str) -> bool {
    path.split_once('/')
        .is_some_and(|(dir, rest)| dir.ends_with(".dist-info") && rest == file)
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::time::Instant;

    use cordon_diagnostics::Severity;

    use super::fixtures::{
        bzip2, crc32, deflate_zeros, evidence, gzip, gzip_raw, member, paths, small_limits, tar,
        tar_raw, tar_with, zip, zip_raw, zip_with,
    };
    use super::*;

    /// Deterministic incompressible bytes.
    fn noise(len: usize, seed: u64) -> Vec<u8> {
        let mut next = super::fixtures::xorshift(seed);
        (0..len).map(|_| next().to_le_bytes()[0]).collect()
    }

    fn wheel_bytes() -> Vec<u8> {
        zip(&[
            ("foo_bar/__init__.py", b"print('hi')\n"),
            ("foo_bar/sub/mod.py", b"X = 1\n"),
            (
                "foo_bar-1.2.0.dist-info/METADATA",
                b"Metadata-Version: 2.1\nName: foo-bar\nVersion: 1.2.0\n",
            ),
            ("foo_bar-1.2.0.dist-info/WHEEL", b"Wheel-Version: 1.0\n"),
            ("foo_bar-1.2.0.dist-info/RECORD", b""),
        ])
    }

    fn sdist_tar() -> Vec<u8> {
        tar_with(|b| {
            let mut dir = ::tar::Header::new_gnu();
            dir.set_entry_type(::tar::EntryType::Directory);
            dir.set_size(0);
            dir.set_mode(0o755);
            b.append_data(&mut dir, "foo-bar-1.2.0/", std::io::empty())
                .unwrap();
            for (name, data) in [
                (
                    "foo-bar-1.2.0/setup.py",
                    &b"from setuptools import setup\nsetup()\n"[..],
                ),
                (
                    "foo-bar-1.2.0/PKG-INFO",
                    b"Metadata-Version: 2.1\nName: foo-bar\nVersion: 1.2.0\n",
                ),
                ("foo-bar-1.2.0/foo_bar/__init__.py", b"print('hi')\n"),
            ] {
                let mut h = ::tar::Header::new_gnu();
                h.set_size(data.len() as u64);
                h.set_mode(0o644);
                b.append_data(&mut h, name, data).unwrap();
            }
        })
    }

    fn write_temp(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn archive_wheel_round_trip() {
        let bytes = wheel_bytes();
        let tmp = tempfile::tempdir().unwrap();
        let path = write_temp(&tmp, "foo_bar-1.2.0-py3-none-any.whl", &bytes);
        for artifact in [
            open(&path, &Limits::default()).unwrap(),
            from_bytes(
                "downloaded wheel",
                "foo_bar-1.2.0-py3-none-any.whl",
                &bytes,
                &Limits::default(),
            )
            .unwrap(),
        ] {
            assert_eq!(artifact.kind, ArtifactKind::Wheel);
            assert_eq!(artifact.name.as_deref(), Some("foo_bar"));
            assert_eq!(artifact.version.as_deref(), Some("1.2.0"));
            assert_eq!(
                paths(&artifact),
                [
                    "foo_bar/__init__.py",
                    "foo_bar/sub/mod.py",
                    "foo_bar-1.2.0.dist-info/METADATA",
                    "foo_bar-1.2.0.dist-info/WHEEL",
                    "foo_bar-1.2.0.dist-info/RECORD",
                ]
            );
            assert_eq!(
                member(&artifact, "foo_bar/__init__.py").data,
                b"print('hi')\n"
            );
            assert!(artifact.members.iter().all(|m| m.depth == 0));
            assert!(artifact.reading.is_empty(), "{:?}", artifact.reading);
        }
        let downloaded = from_bytes(
            "https://index.example/x.whl",
            "x.whl",
            &bytes,
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(downloaded.path, "https://index.example/x.whl");
        // The file name does not parse: the name comes from METADATA.
        assert_eq!(downloaded.name.as_deref(), Some("foo-bar"));
    }

    #[test]
    fn archive_sdist_round_trip() {
        let bytes = gzip(&sdist_tar());
        let tmp = tempfile::tempdir().unwrap();
        let path = write_temp(&tmp, "foo-bar-1.2.0.tar.gz", &bytes);
        let artifact = open(&path, &Limits::default()).unwrap();
        assert_eq!(artifact.kind, ArtifactKind::Sdist);
        assert_eq!(artifact.path, path.display().to_string());
        assert_eq!(artifact.name.as_deref(), Some("foo-bar"));
        assert_eq!(artifact.version.as_deref(), Some("1.2.0"));
        assert_eq!(
            paths(&artifact),
            [
                "foo-bar-1.2.0/setup.py",
                "foo-bar-1.2.0/PKG-INFO",
                "foo-bar-1.2.0/foo_bar/__init__.py"
            ]
        );
        assert_eq!(
            member(&artifact, "foo-bar-1.2.0/setup.py").data,
            b"from setuptools import setup\nsetup()\n"
        );
        assert!(artifact.reading.is_empty(), "{:?}", artifact.reading);
        // The name from PKG-INFO when the file name says nothing.
        let unnamed = from_bytes("blob", "download", &bytes, &Limits::default()).unwrap();
        assert_eq!(unnamed.name.as_deref(), Some("foo-bar"));
        assert_eq!(unnamed.version.as_deref(), Some("1.2.0"));
    }

    #[test]
    fn archive_misnamed_wheel_is_read_as_zip() {
        let tmp = tempfile::tempdir().unwrap();
        let path = write_temp(&tmp, "foo_bar-1.2.0-py3-none-any.tar.gz", &wheel_bytes());
        let artifact = open(&path, &Limits::default()).unwrap();
        assert_eq!(artifact.kind, ArtifactKind::Wheel);
        assert_eq!(artifact.name.as_deref(), Some("foo_bar"));
        assert_eq!(artifact.version.as_deref(), Some("1.2.0"));
        assert_eq!(artifact.members.len(), 5);
        // And an sdist misnamed `.zip` is still a tar.
        let path = write_temp(&tmp, "foo-bar-1.2.0.zip", &gzip(&sdist_tar()));
        assert_eq!(open(&path, &Limits::default()).unwrap().members.len(), 3);
    }

    #[test]
    fn archive_tar_bz2_plain_tar_and_zip_sdists() {
        let tmp = tempfile::tempdir().unwrap();
        let bz = write_temp(&tmp, "foo-bar-1.2.0.tar.bz2", &bzip2(&sdist_tar()));
        let plain = write_temp(&tmp, "foo-bar-1.2.0.tar", &sdist_tar());
        for path in [bz, plain] {
            let artifact = open(&path, &Limits::default()).unwrap();
            assert_eq!(artifact.kind, ArtifactKind::Sdist);
            assert_eq!(artifact.version.as_deref(), Some("1.2.0"));
            assert_eq!(
                member(&artifact, "foo-bar-1.2.0/foo_bar/__init__.py").data,
                b"print('hi')\n"
            );
            assert!(artifact.reading.is_empty(), "{:?}", artifact.reading);
        }
        let zipped = zip(&[("foo-1.0/setup.py", b"setup()\n")]);
        let artifact = from_bytes("z", "foo-1.0.zip", &zipped, &Limits::default()).unwrap();
        assert_eq!(artifact.kind, ArtifactKind::Sdist);
        assert_eq!(paths(&artifact), ["foo-1.0/setup.py"]);
    }

    #[test]
    fn archive_errors_name_the_input() {
        let err =
            from_bytes("notes.txt", "notes.txt", b"just text", &Limits::default()).unwrap_err();
        assert!(matches!(err, ScanError::NotAnArchive { .. }));
        assert!(err.to_string().contains("notes.txt"), "{err}");
        let err = open(Path::new("/nonexistent/cordon/x.whl"), &Limits::default()).unwrap_err();
        assert!(matches!(err, ScanError::Io { .. }));
        assert!(
            err.to_string().contains("/nonexistent/cordon/x.whl"),
            "{err}"
        );
        let mut broken = b"PK\x03\x04".to_vec();
        broken.extend(noise(600, 7));
        let err = from_bytes("broken.whl", "broken.whl", &broken, &Limits::default()).unwrap_err();
        assert!(matches!(err, ScanError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("broken.whl"), "{err}");
    }

    /// One member of 1 GiB of zeros, deflated to about 1 MiB (a ratio near 1000), built
    /// without the gigabyte ever being in memory; then an ordinary member.
    fn zip_bomb() -> Vec<u8> {
        let (deflated, crc, len) = deflate_zeros(b"", 1024, b"");
        let after = b"print('after')\n";
        zip_raw(&[
            ("bomb.bin", 8, &deflated, crc, len),
            ("after.py", 0, after, crc32(after), after.len() as u64),
        ])
    }

    #[test]
    fn archive_zip_bomb_is_bounded() {
        let built = Instant::now();
        let bomb = zip_bomb();
        eprintln!(
            "zip bomb: {} bytes, built in {:?}",
            bomb.len(),
            built.elapsed()
        );
        assert!(bomb.len() < 4 * 1024 * 1024);

        let limits = Limits::default();
        let started = Instant::now();
        let artifact = from_bytes("bomb.whl", "bomb.whl", &bomb, &limits).unwrap();
        let took = started.elapsed();
        assert!(took.as_secs_f64() < 2.0, "took {took:?}");
        let hits = evidence(&artifact, rule::LIMIT);
        assert_eq!(hits.len(), 1, "{:?}", artifact.reading);
        assert_eq!(hits[0].severity, Severity::High);
        assert_eq!(hits[0].member.as_deref(), Some("bomb.bin"));
        assert!(
            hits[0].message.contains("max_member_size"),
            "{}",
            hits[0].message
        );
        // Memory is bounded by the member limit: only that much was kept.
        let kept = member(&artifact, "bomb.bin").data.len() as u64;
        assert!(kept <= limits.max_member_size, "{kept}");
        // The next member is still read.
        assert_eq!(member(&artifact, "after.py").data, b"print('after')\n");

        // A lower ratio limit catches it as a bomb before the size limit.
        let strict = Limits {
            max_ratio: 10,
            ..Limits::default()
        };
        let artifact = from_bytes("bomb.whl", "bomb.whl", &bomb, &strict).unwrap();
        let hits = evidence(&artifact, rule::LIMIT);
        assert!(hits[0].message.contains("max_ratio"), "{}", hits[0].message);
        assert!(member(&artifact, "bomb.bin").data.len() < 16 * 1024 * 1024);
    }

    #[test]
    fn archive_gzip_bomb_tar_is_bounded() {
        let built = Instant::now();
        // A tar holding 1 GiB of zeros then one more member, gzipped near 1000:1.
        let mut h = ::tar::Header::new_gnu();
        h.set_path("pkg-1.0/bomb.bin").unwrap();
        h.set_size(1 << 30);
        h.set_mode(0o644);
        h.set_cksum();
        let after = tar(&[("pkg-1.0/after.py", b"x=1")]);
        let (deflated, crc, len) = deflate_zeros(h.as_bytes(), 1024, &after);
        let bomb = gzip_raw(&deflated, crc, len);
        eprintln!(
            "gzip bomb: {} bytes, built in {:?}",
            bomb.len(),
            built.elapsed()
        );
        assert!(bomb.len() < 4 * 1024 * 1024);

        let started = Instant::now();
        let artifact = from_bytes(
            "pkg-1.0.tar.gz",
            "pkg-1.0.tar.gz",
            &bomb,
            &Limits::default(),
        )
        .unwrap();
        let took = started.elapsed();
        assert!(took.as_secs_f64() < 2.0, "took {took:?}");
        let hits = evidence(&artifact, rule::LIMIT);
        assert_eq!(hits.len(), 1, "{:?}", artifact.reading);
        assert!(hits[0].message.contains("max_ratio"), "{}", hits[0].message);
        assert_eq!(hits[0].severity, Severity::High);
        // Reading stopped once the stream was past `STREAM_RATIO_FLOOR` (a real sdist's
        // compressible start is not judged), and nothing after it was read.
        let kept = member(&artifact, "pkg-1.0/bomb.bin").data.len() as u64;
        assert!(kept <= collect::STREAM_RATIO_FLOOR + 1024 * 1024, "{kept}");
        assert!(!paths(&artifact).contains(&"pkg-1.0/after.py"));
    }

    fn many_members(count: usize) -> Vec<u8> {
        zip_with(|w| {
            let stored = ::zip::write::SimpleFileOptions::default()
                .compression_method(::zip::CompressionMethod::Stored);
            for i in 0..count {
                w.start_file(format!("m/{i}.py"), stored).unwrap();
                w.write_all(b"x").unwrap();
            }
        })
    }

    #[test]
    fn archive_member_count_stops_at_max_members() {
        let bytes = many_members(1_000);
        let limits = small_limits();
        let artifact = from_bytes("many.zip", "many.zip", &bytes, &limits).unwrap();
        assert_eq!(artifact.members.len(), limits.max_members);
        let hits = evidence(&artifact, rule::LIMIT);
        assert_eq!(hits.len(), 1);
        assert!(
            hits[0].message.contains("max_members"),
            "{}",
            hits[0].message
        );
        // The same in a tar.gz.
        let files: Vec<(String, Vec<u8>)> = (0..1_000)
            .map(|i| (format!("p/{i}.py"), b"x".to_vec()))
            .collect();
        let refs: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(n, d)| (n.as_str(), d.as_slice()))
            .collect();
        let artifact = from_bytes("many.tgz", "many.tgz", &gzip(&tar(&refs)), &limits).unwrap();
        assert_eq!(artifact.members.len(), limits.max_members);
        assert_eq!(evidence(&artifact, rule::LIMIT).len(), 1);
    }

    #[test]
    fn archive_member_count_at_the_default_limit() {
        let bytes = many_members(100_000);
        let started = Instant::now();
        let artifact = from_bytes("many.zip", "many.zip", &bytes, &Limits::default()).unwrap();
        let took = started.elapsed();
        assert!(took.as_secs_f64() < 5.0, "took {took:?}");
        assert_eq!(artifact.members.len(), Limits::default().max_members);
        assert!(
            evidence(&artifact, rule::LIMIT)[0]
                .message
                .contains("max_members")
        );
    }

    #[test]
    fn archive_member_and_total_size_limits() {
        let limits = small_limits();
        let big = noise(100 * 1024, 1);
        // A member over max_member_size is cut at the limit; reading goes on. (Named as code:
        // a binary blob keeps only its head anyway, see the next test.)
        for bytes in [
            zip(&[("big.py", &big), ("after.py", b"x")]),
            gzip(&tar(&[("big.py", &big), ("after.py", b"x")])),
            tar(&[("big.py", &big), ("after.py", b"x")]),
        ] {
            let artifact = from_bytes("a", "a", &bytes, &limits).unwrap();
            let hits = evidence(&artifact, rule::LIMIT);
            assert_eq!(hits.len(), 1, "{:?}", artifact.reading);
            assert!(hits[0].message.contains("max_member_size"));
            let cut = member(&artifact, "big.py");
            assert_eq!(cut.data, &big[..64 * 1024]);
            assert_eq!(cut.size, big.len() as u64);
            assert_eq!(member(&artifact, "after.py").data, b"x");
        }
        // Past max_total_size, reading stops.
        let chunk = noise(60 * 1024, 2);
        let names: Vec<String> = (0..30).map(|i| format!("f{i:02}.bin")).collect();
        let files: Vec<(&str, &[u8])> = names
            .iter()
            .map(|n| (n.as_str(), chunk.as_slice()))
            .collect();
        for bytes in [zip(&files), gzip(&tar(&files))] {
            let artifact = from_bytes("a", "a", &bytes, &limits).unwrap();
            let hits = evidence(&artifact, rule::LIMIT);
            assert_eq!(hits.len(), 1, "{:?}", artifact.reading);
            assert!(hits[0].message.contains("max_total_size"));
            let read: usize = artifact.members.iter().map(|m| m.data.len()).sum();
            assert!(read as u64 <= limits.max_total_size + 64 * 1024, "{read}");
            assert!(artifact.members.len() < 30);
        }
    }

    #[test]
    fn a_binary_blob_keeps_only_its_head_and_a_zip_is_not_inflated_past_it() {
        use collect::BLOB_HEAD;
        // Not UTF-8 from the first byte (a numpy array file, say), then 1 GiB of zeros: read
        // to its end, the entry would trip the ratio limit and cost seconds.
        let mut head = b"\x93NUMPY".to_vec();
        head.extend(noise(BLOB_HEAD, 3));
        let (deflated, crc, len) = super::fixtures::deflate_zeros(&head, 1024, b"tail");
        let bytes = super::fixtures::zip_raw(&[
            ("pkg/data/array.npy", 8, &deflated, crc, len),
            ("pkg/after.py", 0, b"x", super::fixtures::crc32(b"x"), 1),
        ]);
        let started = Instant::now();
        let artifact = from_bytes("a.zip", "a.zip", &bytes, &Limits::default()).unwrap();
        assert!(started.elapsed().as_secs_f64() < 5.0);
        assert!(artifact.reading.is_empty(), "{:?}", artifact.reading);
        let blob = member(&artifact, "pkg/data/array.npy");
        assert_eq!(blob.data, &head[..BLOB_HEAD]);
        assert_eq!(blob.size, len);
        assert_eq!(member(&artifact, "pkg/after.py").data, b"x");

        // A stream must be read through: the blob is drained, not kept, and not reported as
        // over max_member_size; its size is what was counted.
        let limits = small_limits();
        let big = noise(200 * 1024, 4);
        let mut blob = b"\xff\xfe".to_vec();
        blob.extend_from_slice(&big);
        for bytes in [
            gzip(&tar(&[("img.png", &blob), ("after.py", b"x")])),
            tar(&[("img.png", &blob), ("after.py", b"x")]),
        ] {
            let artifact = from_bytes("a", "a", &bytes, &limits).unwrap();
            assert!(
                evidence(&artifact, rule::LIMIT).is_empty(),
                "{:?}",
                artifact.reading
            );
            let kept = member(&artifact, "img.png");
            assert_eq!(kept.data, &blob[..BLOB_HEAD.min(64 * 1024)]);
            assert_eq!(kept.size, blob.len() as u64);
            assert_eq!(member(&artifact, "after.py").data, b"x");
        }

        // Text, code by name, and archives are read whole whatever their first bytes.
        let text = "é".repeat(BLOB_HEAD);
        let mut code = b"\xff".to_vec();
        code.extend(noise(BLOB_HEAD, 5));
        let inner = zip(&[("inner.py", b"y")]);
        let bytes = zip(&[
            ("notes.txt", text.as_bytes()),
            ("mod.py", &code),
            ("inner.whl", &inner),
        ]);
        let artifact = from_bytes("a.zip", "a.zip", &bytes, &Limits::default()).unwrap();
        assert_eq!(member(&artifact, "notes.txt").data, text.as_bytes());
        assert_eq!(member(&artifact, "mod.py").data, code);
        assert_eq!(member(&artifact, "inner.whl!/inner.py").data, b"y");
    }

    /// `level0.zip` holding `level1.zip` holding ... `level{depth-1}.zip` holding `deep.py`.
    fn nested(depth: usize) -> Vec<u8> {
        let mut bytes = zip(&[("deep.py", b"print('deep')")]);
        for level in (0..depth).rev() {
            bytes = zip(&[(&format!("level{level}.zip"), &bytes), ("here.py", b"x")]);
        }
        bytes
    }

    #[test]
    fn archive_nesting_stops_at_max_depth() {
        let artifact = from_bytes("n.zip", "n.zip", &nested(5), &Limits::default()).unwrap();
        assert_eq!(
            paths(&artifact),
            [
                "level0.zip!/level1.zip!/level2.zip!/level3.zip",
                "level0.zip!/level1.zip!/level2.zip!/here.py",
                "level0.zip!/level1.zip!/here.py",
                "level0.zip!/here.py",
                "here.py",
            ]
        );
        let kept = member(&artifact, "level0.zip!/level1.zip!/level2.zip!/level3.zip");
        assert_eq!(kept.depth, 3);
        assert_eq!(Format::detect(&kept.data), Some(Format::Zip));
        assert!(artifact.members.iter().all(|m| m.depth <= 3));
        let hits = evidence(&artifact, rule::LIMIT);
        assert_eq!(hits.len(), 1, "{:?}", artifact.reading);
        assert!(hits[0].message.contains("max_depth"));
        // Within the limit everything is expanded.
        let artifact = from_bytes("n.zip", "n.zip", &nested(2), &Limits::default()).unwrap();
        let deep = member(&artifact, "level0.zip!/level1.zip!/deep.py");
        assert_eq!(
            (deep.depth, deep.data.as_slice()),
            (2, &b"print('deep')"[..])
        );
        assert!(artifact.reading.is_empty());
    }

    #[test]
    fn archive_nested_archives_are_expanded_in_place() {
        let wheel = wheel_bytes();
        let sdist = gzip(&tar(&[
            ("pkg-1.0/setup.py", b"setup()"),
            ("pkg-1.0/dist/foo_bar-1.2.0-py3-none-any.whl", &wheel),
            ("pkg-1.0/data/blob.json.gz", &gzip(b"{\"a\": 1}")),
            (
                "pkg-1.0/data/vendored.tar.bz2",
                &bzip2(&tar(&[("v/x.py", b"v")])),
            ),
            (
                "pkg-1.0/data/broken.zip",
                b"PK\x03\x04 not really a zip at all",
            ),
        ]));
        let artifact = from_bytes("s", "pkg-1.0.tar.gz", &sdist, &Limits::default()).unwrap();
        let inner = member(
            &artifact,
            "pkg-1.0/dist/foo_bar-1.2.0-py3-none-any.whl!/foo_bar/__init__.py",
        );
        assert_eq!(
            (inner.depth, inner.data.as_slice()),
            (1, &b"print('hi')\n"[..])
        );
        assert!(!paths(&artifact).contains(&"pkg-1.0/dist/foo_bar-1.2.0-py3-none-any.whl"));
        assert_eq!(
            member(&artifact, "pkg-1.0/data/blob.json.gz!/blob.json").data,
            b"{\"a\": 1}"
        );
        assert_eq!(
            member(&artifact, "pkg-1.0/data/vendored.tar.bz2!/v/x.py").data,
            b"v"
        );
        // What cannot be expanded is kept, with evidence.
        assert_eq!(member(&artifact, "pkg-1.0/data/broken.zip").depth, 0);
        let corrupt = evidence(&artifact, rule::CORRUPT);
        assert_eq!(corrupt.len(), 1, "{:?}", artifact.reading);
        assert_eq!(
            corrupt[0].member.as_deref(),
            Some("pkg-1.0/data/broken.zip")
        );
    }

    #[test]
    fn archive_absolute_and_parent_paths_are_reported() {
        let tarred = tar_with(|b| {
            tar_raw(
                b,
                b"/etc/cron.d/evil",
                ::tar::EntryType::Regular,
                b"",
                b"* * * * * x",
            );
            tar_raw(
                b,
                b"../../escape.pth",
                ::tar::EntryType::Regular,
                b"",
                b"import os",
            );
            tar_raw(b, b"./pkg/ok.py", ::tar::EntryType::Regular, b"", b"ok");
        });
        let zipped = zip(&[
            ("../zip-escape.py", b"z"),
            ("/abs.py", b"a"),
            ("fine.py", b"f"),
        ]);
        for (bytes, expect) in [
            (
                gzip(&tarred),
                vec!["etc/cron.d/evil", "escape.pth", "pkg/ok.py"],
            ),
            (zipped, vec!["zip-escape.py", "abs.py", "fine.py"]),
        ] {
            let artifact = from_bytes("a", "a", &bytes, &Limits::default()).unwrap();
            assert_eq!(paths(&artifact), expect);
            let hits = evidence(&artifact, rule::UNSAFE_PATH);
            assert_eq!(hits.len(), 2, "{:?}", artifact.reading);
            assert!(
                hits.iter().all(|e| e.severity == Severity::High
                    && e.behaviour == crate::Behaviour::LimitExceeded)
            );
            assert_eq!(hits[0].member.as_deref(), Some(expect[0]));
            assert!(
                hits.iter()
                    .any(|e| e.snippet.as_deref().unwrap().contains(".."))
            );
            assert!(
                hits.iter()
                    .any(|e| e.snippet.as_deref().unwrap().starts_with('/'))
            );
        }
    }

    #[test]
    fn archive_link_entries_are_reported_not_followed() {
        let tarred = tar_with(|b| {
            tar_raw(
                b,
                b"pkg/passwd.py",
                ::tar::EntryType::Symlink,
                b"/etc/passwd",
                b"",
            );
            tar_raw(
                b,
                b"pkg/hard.py",
                ::tar::EntryType::Link,
                b"pkg/real.py",
                b"",
            );
            tar_raw(b, b"pkg/tty", ::tar::EntryType::Char, b"", b"");
            tar_raw(b, b"pkg/pipe", ::tar::EntryType::Fifo, b"", b"");
            tar_raw(b, b"pkg/real.py", ::tar::EntryType::Regular, b"", b"real");
        });
        let artifact = from_bytes("t", "t.tar", &tarred, &Limits::default()).unwrap();
        assert_eq!(paths(&artifact), ["pkg/real.py"]);
        let hits = evidence(&artifact, rule::LINK_ENTRY);
        assert_eq!(hits.len(), 4, "{:?}", artifact.reading);
        assert!(hits.iter().all(|e| e.severity == Severity::Medium));
        assert_eq!(
            hits[0].snippet.as_deref(),
            Some("pkg/passwd.py -> /etc/passwd")
        );

        let zipped = zip_with(|w| {
            w.add_symlink(
                "pkg/link.py",
                "/etc/passwd",
                ::zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            w.start_file("pkg/real.py", ::zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(b"real").unwrap();
        });
        let artifact = from_bytes("z", "z.zip", &zipped, &Limits::default()).unwrap();
        assert_eq!(paths(&artifact), ["pkg/real.py"]);
        assert_eq!(evidence(&artifact, rule::LINK_ENTRY).len(), 1);
    }

    #[test]
    fn archive_invalid_utf8_names_are_lossy_and_reported() {
        let tarred = tar_with(|b| {
            tar_raw(
                b,
                b"pkg/bad\xff\xfe.py",
                ::tar::EntryType::Regular,
                b"",
                b"t",
            );
        });
        // The zip writer takes only UTF-8 names: write one, then put invalid bytes in its place
        // (local header and central directory alike).
        let mut zipped = zip(&[("pkg/badXX.py", b"z")]);
        let mut patched = 0;
        for i in 0..zipped.len() - 12 {
            if &zipped[i..i + 12] == b"pkg/badXX.py" {
                zipped[i + 7..i + 9].copy_from_slice(b"\xff\xfe");
                patched += 1;
            }
        }
        assert_eq!(patched, 2);
        for bytes in [tarred, zipped] {
            let artifact = from_bytes("a", "a", &bytes, &Limits::default()).unwrap();
            assert_eq!(paths(&artifact), ["pkg/bad\u{fffd}\u{fffd}.py"]);
            let hits = evidence(&artifact, rule::BAD_NAME);
            assert_eq!(hits.len(), 1, "{:?}", artifact.reading);
            assert_eq!(hits[0].severity, Severity::Medium);
        }
    }

    #[test]
    fn archive_truncated_gzip_keeps_what_was_read() {
        let first = noise(40 * 1024, 3);
        let second = noise(40 * 1024, 4);
        let third = noise(200 * 1024, 5);
        let whole = gzip(&tar(&[
            ("pkg/a.bin", &first),
            ("pkg/b.bin", &second),
            ("pkg/c.bin", &third),
        ]));
        let cut = &whole[..whole.len() * 2 / 3];
        let artifact = from_bytes("t.tar.gz", "t.tar.gz", cut, &Limits::default()).unwrap();
        assert_eq!(member(&artifact, "pkg/a.bin").data, first);
        assert_eq!(member(&artifact, "pkg/b.bin").data, second);
        let partial = member(&artifact, "pkg/c.bin");
        assert!(partial.data.len() < third.len());
        assert_eq!(partial.data, third[..partial.data.len()]);
        let hits = evidence(&artifact, rule::CORRUPT);
        assert_eq!(hits.len(), 1, "{:?}", artifact.reading);
        assert_eq!(hits[0].severity, Severity::Medium);
        // Cut inside the gzip header: nothing at all can be read.
        let err = from_bytes("t.tar.gz", "t.tar.gz", &whole[..5], &Limits::default()).unwrap_err();
        assert!(matches!(err, ScanError::Corrupt { .. }), "{err}");
    }

    #[test]
    fn archive_encrypted_zip_entries_are_skipped() {
        let mut zipped = zip(&[("secret.py", b"hidden"), ("open.py", b"visible")]);
        // Set the "encrypted" flag of the first entry, in its local header and in the central
        // directory (the zip writer here has no public way to encrypt).
        zipped[6] |= 1;
        let central = zipped.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
        zipped[central + 8] |= 1;
        let artifact = from_bytes("e.zip", "e.zip", &zipped, &Limits::default()).unwrap();
        assert_eq!(paths(&artifact), ["open.py"]);
        let hits = evidence(&artifact, rule::ENCRYPTED);
        assert_eq!(hits.len(), 1, "{:?}", artifact.reading);
        assert_eq!(hits[0].member.as_deref(), Some("secret.py"));
    }

    #[test]
    fn archive_duplicate_zip_names_are_reported() {
        let mut zipped = zip(&[("pkg/aa.py", b"first"), ("pkg/bb.py", b"second")]);
        for i in 0..zipped.len() - 9 {
            if &zipped[i..i + 9] == b"pkg/bb.py" {
                zipped[i + 4..i + 6].copy_from_slice(b"aa");
            }
        }
        let artifact = from_bytes("d.zip", "d.zip", &zipped, &Limits::default()).unwrap();
        assert_eq!(evidence(&artifact, rule::DUPLICATE_NAME).len(), 1);
        assert_eq!(artifact.members.len(), 1);
    }

    #[test]
    fn archive_forged_tar_headers_are_bounded() {
        // A GNU long-name entry declaring 64 MiB: the tar reader would hold it all in memory;
        // the stream allowance between members stops it.
        let mut h = ::tar::Header::new_gnu();
        h.set_path("././@LongLink").unwrap();
        h.set_entry_type(::tar::EntryType::GNULongName);
        h.set_size(64 * 1024 * 1024);
        h.set_cksum();
        let (deflated, crc, len) = deflate_zeros(h.as_bytes(), 64, &[]);
        let bytes = gzip_raw(&deflated, crc, len);
        let started = Instant::now();
        let artifact = from_bytes("f.tgz", "f.tgz", &bytes, &Limits::default()).unwrap();
        assert!(started.elapsed().as_secs_f64() < 2.0);
        assert!(artifact.members.is_empty());
        let hits = evidence(&artifact, rule::LIMIT);
        assert_eq!(hits.len(), 1, "{:?}", artifact.reading);
        assert!(
            hits[0].message.contains("headers between members"),
            "{}",
            hits[0].message
        );
    }

    #[test]
    fn archive_reading_an_sdist_never_runs_its_setup_py() {
        let tmp = tempfile::tempdir().unwrap();
        let marker = tmp.path().join("cordon-ran");
        let setup = format!(
            "open({:?}, 'w').write('ran')\nimport os\nos.system('touch {}')\n",
            marker.display().to_string(),
            marker.display()
        );
        let sdist = gzip(&tar(&[
            ("evil-1.0/setup.py", setup.as_bytes()),
            (
                "evil-1.0/pyproject.toml",
                b"[build-system]\nrequires = ['setuptools']\n",
            ),
        ]));
        let path = write_temp(&tmp, "evil-1.0.tar.gz", &sdist);
        let read = open(&path, &Limits::default()).unwrap();
        let from_memory =
            from_bytes("evil", "evil-1.0.tar.gz", &sdist, &Limits::default()).unwrap();
        let dir = tmp.path().join("unpacked");
        std::fs::create_dir_all(dir.join("evil-1.0")).unwrap();
        std::fs::write(dir.join("evil-1.0/setup.py"), &setup).unwrap();
        let walked = open(&dir, &Limits::default()).unwrap();
        for artifact in [&read, &from_memory] {
            assert_eq!(member(artifact, "evil-1.0/setup.py").data, setup.as_bytes());
        }
        assert_eq!(member(&walked, "evil-1.0/setup.py").data, setup.as_bytes());
        assert!(!marker.exists(), "reading the sdist ran its setup.py");
        // Nothing was unpacked next to it either.
        let mut left: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        left.sort();
        assert_eq!(left, ["evil-1.0.tar.gz", "unpacked"]);
    }

    #[test]
    fn archive_inner_names_of_compressed_files() {
        assert_eq!(inner_name("a/b/data.json.gz"), "data.json");
        assert_eq!(inner_name("x.whl!/y.tgz"), "y.tar");
        assert_eq!(inner_name("blob.bz2"), "blob");
        assert_eq!(inner_name("blob"), "data");
        assert_eq!(inner_name(".gz"), "data");
    }
}
