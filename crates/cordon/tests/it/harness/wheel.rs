//! Tiny, byte-for-byte deterministic distributions built in memory for the test index.
//!
//! Every byte is fixed (zip timestamps, entry order, permissions, host system field, tar and
//! gzip headers), so the sha256 of an artifact, and hence every `uv.lock` that uv writes
//! against the harness index, is the same on every run and every machine.

use std::fmt::Write as _;
use std::io::{Cursor, Write as _};

use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, System, ZipWriter};

/// The PEP 503 normalized form of a project name: lower-case, runs of `-`, `_`, `.` as one `-`.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_separator = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            pending_separator = true;
        } else {
            if pending_separator && !out.is_empty() {
                out.push('-');
            }
            pending_separator = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// The name as it appears in distribution file names and the `.dist-info` directory: normalized,
/// with `-` replaced by `_` (binary distribution format, PEP 625 for sdists).
pub fn escaped_name(name: &str) -> String {
    normalize_name(name).replace('-', "_")
}

/// `{escaped_name}-{version}-py3-none-any.whl`.
pub fn wheel_filename(name: &str, version: &str) -> String {
    format!("{}-{version}-py3-none-any.whl", escaped_name(name))
}

/// `{escaped_name}-{version}.tar.gz`.
pub fn sdist_filename(name: &str, version: &str) -> String {
    format!("{}-{version}.tar.gz", escaped_name(name))
}

/// Lower-case hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for byte in digest {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// A RECORD hash entry: `sha256=` and the urlsafe base64 digest without padding.
pub fn record_digest(bytes: &[u8]) -> String {
    format!("sha256={}", base64_urlsafe_nopad(&Sha256::digest(bytes)))
}

/// The core metadata (`METADATA` in a wheel, `PKG-INFO` in an sdist) of a tiny package. The
/// index serves exactly these bytes as `<wheel>.metadata`, so they must match the wheel's.
pub fn metadata(name: &str, version: &str, requires_dist: &[&str]) -> String {
    let mut out = format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n");
    for requirement in requires_dist {
        out.push_str("Requires-Dist: ");
        out.push_str(requirement);
        out.push('\n');
    }
    out
}

/// A valid pure-Python wheel holding `{package}/__init__.py` and its `.dist-info` (METADATA,
/// WHEEL, RECORD with sha256 entries). Deterministic: same arguments, same bytes.
pub fn build_wheel(name: &str, version: &str, requires_dist: &[&str]) -> Vec<u8> {
    let init = format!("{}/__init__.py", escaped_name(name));
    let body = format!("__version__ = \"{version}\"\n");
    build_wheel_with(name, version, requires_dist, &[(&init, body.as_bytes())])
}

/// Like [`build_wheel`], with the given `(path, contents)` members instead of the default
/// `__init__.py` (for scanner tests that need particular code inside a wheel). The `.dist-info`
/// files are added after them, RECORD last.
pub fn build_wheel_with(
    name: &str,
    version: &str,
    requires_dist: &[&str],
    files: &[(&str, &[u8])],
) -> Vec<u8> {
    let dist_info = format!("{}-{version}.dist-info", escaped_name(name));
    let wheel_file = "Wheel-Version: 1.0\n\
                      Generator: cordon-test-harness\n\
                      Root-Is-Purelib: true\n\
                      Tag: py3-none-any\n";
    let metadata = metadata(name, version, requires_dist);

    let mut members: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(path, contents)| ((*path).to_owned(), contents.to_vec()))
        .collect();
    members.push((format!("{dist_info}/METADATA"), metadata.into_bytes()));
    members.push((format!("{dist_info}/WHEEL"), wheel_file.as_bytes().to_vec()));

    let mut record = String::new();
    for (path, contents) in &members {
        let digest = record_digest(contents);
        let _ = writeln!(record, "{path},{digest},{}", contents.len());
    }
    let _ = writeln!(record, "{dist_info}/RECORD,,");
    members.push((format!("{dist_info}/RECORD"), record.into_bytes()));

    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644)
        .system(System::Unix);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (path, contents) in &members {
        zip.start_file(path.as_str(), options)
            .expect("start a wheel member");
        zip.write_all(contents).expect("write a wheel member");
    }
    zip.finish().expect("finish the wheel").into_inner()
}

/// A valid, deterministic `.tar.gz` sdist: `{base}/PKG-INFO`, `{base}/pyproject.toml` and
/// `{base}/{package}/__init__.py`. uv never builds it in the tests (a wheel always exists); it
/// is there so the index lists an sdist the way real indexes do, and for scanner tests.
pub fn build_sdist(name: &str, version: &str, requires_dist: &[&str]) -> Vec<u8> {
    let init = format!("__version__ = \"{version}\"\n");
    let package_init = format!("{}/__init__.py", escaped_name(name));
    build_sdist_with(
        name,
        version,
        requires_dist,
        &[(package_init.as_str(), init.as_bytes())],
    )
}

/// Like [`build_sdist`], with the given `(path under the base directory, contents)` members
/// instead of the default `__init__.py` (for scanner tests: a `setup.py`, a `.pth`, ...).
pub fn build_sdist_with(
    name: &str,
    version: &str,
    requires_dist: &[&str],
    files: &[(&str, &[u8])],
) -> Vec<u8> {
    let base = format!("{}-{version}", escaped_name(name));
    let pyproject = format!(
        "[build-system]\nrequires = []\nbuild-backend = \"unused\"\n\n\
         [project]\nname = \"{name}\"\nversion = \"{version}\"\n"
    );
    let mut members = vec![
        (
            format!("{base}/PKG-INFO"),
            metadata(name, version, requires_dist).into_bytes(),
        ),
        (format!("{base}/pyproject.toml"), pyproject.into_bytes()),
    ];
    for (path, contents) in files {
        members.push((format!("{base}/{path}"), contents.to_vec()));
    }
    let mut tar = Vec::new();
    for (path, contents) in &members {
        tar.extend_from_slice(&tar_header(path, contents.len()));
        tar.extend_from_slice(contents);
        tar.resize(tar.len().next_multiple_of(512), 0);
    }
    tar.resize(tar.len() + 1024, 0);
    gzip_stored(&tar)
}

fn base64_urlsafe_nopad(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let sextets = [n >> 18, n >> 12, n >> 6, n];
        for sextet in &sextets[..=chunk.len()] {
            out.push(char::from(ALPHABET[(sextet & 63) as usize]));
        }
    }
    out
}

/// A ustar header for a regular file with fixed owner, mode and mtime.
fn tar_header(path: &str, size: usize) -> [u8; 512] {
    fn put(header: &mut [u8; 512], offset: usize, value: &[u8]) {
        header[offset..offset + value.len()].copy_from_slice(value);
    }
    assert!(path.len() <= 100, "tar member path too long: {path}");
    let mut header = [0u8; 512];
    put(&mut header, 0, path.as_bytes());
    put(&mut header, 100, b"0000644\0");
    put(&mut header, 108, b"0000000\0");
    put(&mut header, 116, b"0000000\0");
    put(&mut header, 124, format!("{size:011o}\0").as_bytes());
    put(&mut header, 136, b"00000000000\0");
    put(&mut header, 148, b"        ");
    header[156] = b'0';
    put(&mut header, 257, b"ustar\0");
    put(&mut header, 263, b"00");
    let checksum: u32 = header.iter().map(|&b| u32::from(b)).sum();
    put(&mut header, 148, format!("{checksum:06o}\0 ").as_bytes());
    header
}

/// gzip with deflate "stored" blocks: valid, deterministic (mtime 0), no compressor needed.
fn gzip_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let mut blocks = data.chunks(usize::from(u16::MAX)).peekable();
    if blocks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(block) = blocks.next() {
        let last = blocks.peek().is_none();
        let len = u16::try_from(block.len()).expect("block fits u16");
        out.push(u8::from(last));
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out.extend_from_slice(&crc32(data).to_le_bytes());
    let size = u32::try_from(data.len() % (1 << 32)).expect("reduced modulo 2^32");
    out.extend_from_slice(&size.to_le_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
