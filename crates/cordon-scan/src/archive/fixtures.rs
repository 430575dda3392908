//! Archives built in memory for the tests.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::model::{Artifact, Evidence, Limits, Member};

pub fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Deflated)
}

/// A zip of `files`, deflated.
pub fn zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    zip_with(|w| {
        for (name, data) in files {
            w.start_file(*name, deflated()).unwrap();
            w.write_all(data).unwrap();
        }
    })
}

pub fn zip_with(build: impl FnOnce(&mut ZipWriter<Cursor<Vec<u8>>>)) -> Vec<u8> {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    build(&mut w);
    w.finish().unwrap().into_inner()
}

/// A tar of regular `files`.
pub fn tar(files: &[(&str, &[u8])]) -> Vec<u8> {
    tar_with(|b| {
        for (name, data) in files {
            let mut header = ::tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_entry_type(::tar::EntryType::Regular);
            b.append_data(&mut header, name, *data).unwrap();
        }
    })
}

pub fn tar_with(build: impl FnOnce(&mut ::tar::Builder<Vec<u8>>)) -> Vec<u8> {
    let mut b = ::tar::Builder::new(Vec::new());
    build(&mut b);
    b.into_inner().unwrap()
}

/// Appends an entry whose name is written as raw bytes (absolute, `..`, not UTF-8: what a
/// careful builder refuses to write).
pub fn tar_raw(
    b: &mut ::tar::Builder<Vec<u8>>,
    name: &[u8],
    kind: ::tar::EntryType,
    link: &[u8],
    data: &[u8],
) {
    let mut header = ::tar::Header::new_old();
    header.as_old_mut().name[..name.len()].copy_from_slice(name);
    header.as_old_mut().linkname[..link.len()].copy_from_slice(link);
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_entry_type(kind);
    header.set_cksum();
    b.append(&header, data).unwrap();
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub fn bzip2(data: &[u8]) -> Vec<u8> {
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub fn small_limits() -> Limits {
    Limits {
        max_members: 100,
        max_member_size: 64 * 1024,
        max_total_size: 1024 * 1024,
        max_ratio: 250,
        max_depth: 3,
    }
}

pub fn member<'a>(artifact: &'a Artifact, path: &str) -> &'a Member {
    artifact
        .members
        .iter()
        .find(|m| m.path == path)
        .unwrap_or_else(|| panic!("no member {path} in {:?}", paths(artifact)))
}

pub fn paths(artifact: &Artifact) -> Vec<&str> {
    artifact.members.iter().map(|m| m.path.as_str()).collect()
}

pub fn evidence<'a>(artifact: &'a Artifact, rule: &str) -> Vec<&'a Evidence> {
    artifact.reading.iter().filter(|e| e.rule == rule).collect()
}

/// Raw deflate of `prefix`, `mib` MiB of zeros, then `suffix`, built fast: the zeros are
/// compressed twice (a 1 MiB block that only refers back to zeros is then repeated), so the
/// gigabyte never exists anywhere. Also the CRC-32 and length of the uncompressed data.
pub fn deflate_zeros(prefix: &[u8], mib: usize, suffix: &[u8]) -> (Vec<u8>, u32, u64) {
    use flate2::{Compress, Compression, Crc, FlushCompress};
    fn run(c: &mut Compress, mut input: &[u8], flush: FlushCompress) -> Vec<u8> {
        let finish = flush == FlushCompress::Finish;
        let mut out = Vec::with_capacity(64 * 1024);
        loop {
            if out.capacity() - out.len() < 1024 {
                out.reserve(64 * 1024);
            }
            let before = c.total_in();
            let status = c.compress_vec(input, &mut out, flush).unwrap();
            input = &input[usize::try_from(c.total_in() - before).unwrap()..];
            if finish && status == flate2::Status::StreamEnd {
                return out;
            }
            if !finish && input.is_empty() && out.len() < out.capacity() {
                return out;
            }
        }
    }
    assert!(mib >= 2);
    let zeros = vec![0u8; 1024 * 1024];
    let mut c = Compress::new(Compression::best(), false);
    let head = run(&mut c, prefix, FlushCompress::Sync);
    let first = run(&mut c, &zeros, FlushCompress::Sync);
    let repeat = run(&mut c, &zeros, FlushCompress::Sync);
    let tail = run(&mut c, suffix, FlushCompress::Finish);
    let mut out = head;
    out.extend_from_slice(&first);
    for _ in 1..mib {
        out.extend_from_slice(&repeat);
    }
    out.extend_from_slice(&tail);
    let mut crc = Crc::new();
    crc.update(prefix);
    for _ in 0..mib {
        crc.update(&zeros);
    }
    crc.update(suffix);
    let len = (prefix.len() + mib * zeros.len() + suffix.len()) as u64;
    (out, crc.sum(), len)
}

/// A gzip member around raw deflate `data` of `len` bytes with `crc`.
pub fn gzip_raw(deflated: &[u8], crc: u32, len: u64) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    out.extend_from_slice(deflated);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&((len & 0xffff_ffff) as u32).to_le_bytes());
    out
}

/// A zip written by hand: (name, method 0 stored / 8 deflated, data as stored, crc,
/// uncompressed size) per entry.
pub fn zip_raw(entries: &[(&str, u16, &[u8], u32, u64)]) -> Vec<u8> {
    fn u16le(out: &mut Vec<u8>, v: u16) {
        out.extend_from_slice(&v.to_le_bytes());
    }
    fn u32le(out: &mut Vec<u8>, v: u64) {
        out.extend_from_slice(&u32::try_from(v).unwrap().to_le_bytes());
    }
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, method, data, crc, size) in entries {
        let offset = out.len() as u64;
        for (buf, local) in [(&mut out, true), (&mut central, false)] {
            buf.extend_from_slice(if local { b"PK\x03\x04" } else { b"PK\x01\x02" });
            if !local {
                u16le(buf, 20);
            }
            u16le(buf, 20);
            u16le(buf, 0);
            u16le(buf, *method);
            u16le(buf, 0);
            u16le(buf, 0x21);
            u32le(buf, u64::from(*crc));
            u32le(buf, data.len() as u64);
            u32le(buf, *size);
            u16le(buf, u16::try_from(name.len()).unwrap());
            u16le(buf, 0);
            if !local {
                u16le(buf, 0);
                u16le(buf, 0);
                u16le(buf, 0);
                u32le(buf, 0);
                u32le(buf, offset);
            }
            buf.extend_from_slice(name.as_bytes());
        }
        out.extend_from_slice(data);
    }
    let (cd_offset, cd_len) = (out.len() as u64, central.len() as u64);
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    u16le(&mut out, 0);
    u16le(&mut out, 0);
    u16le(&mut out, u16::try_from(entries.len()).unwrap());
    u16le(&mut out, u16::try_from(entries.len()).unwrap());
    u32le(&mut out, cd_len);
    u32le(&mut out, cd_offset);
    u16le(&mut out, 0);
    out
}

pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(data);
    crc.sum()
}

/// A small deterministic xorshift generator, for tests that want varied but repeatable input.
pub fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }
}
