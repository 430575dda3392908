//! Zip archives (wheels, zip sdists, any zip), read through the central directory from memory
//! or a seekable file.

use std::io::{Read, Seek};

use cordon_diagnostics::Severity;
use zip::ZipArchive;
use zip::result::ZipError;

use super::collect::{Collector, Ratio, rule};
use super::names::sanitise;

/// The file-type bits of a Unix mode, and the types that are neither files nor directories.
const S_IFMT: u32 = 0o170_000;
const SPECIAL_TYPES: [(u32, &str); 4] = [
    (0o010_000, "FIFO entry"),
    (0o020_000, "character device entry"),
    (0o060_000, "block device entry"),
    (0o140_000, "socket entry"),
];

/// Reads every entry of the zip in `reader` (`len` bytes) into `c`. Err: not a readable zip.
pub(crate) fn read<R: Read + Seek>(
    c: &mut Collector<'_>,
    reader: R,
    len: u64,
    prefix: &str,
    depth: u8,
) -> Result<(), String> {
    let mut archive = ZipArchive::new(reader).map_err(|e| e.to_string())?;
    if archive.has_duplicate_names() {
        c.note(
            rule::DUPLICATE_NAME,
            Severity::Medium,
            "the zip's central directory names a file more than once: one copy is read, an \
             installer may use another"
                .to_owned(),
            prefix.strip_suffix("!/").unwrap_or(prefix),
        );
    }
    for index in 0..archive.len() {
        if c.stopped() || !c.admit() {
            break;
        }
        let entry = match archive.by_index_data(index) {
            Ok(entry) => entry,
            Err(e) => {
                corrupt(c, prefix, &e);
                continue;
            }
        };
        let name = sanitise(entry.name_raw());
        let (is_dir, is_symlink, encrypted) =
            (entry.is_dir(), entry.is_symlink(), entry.encrypted());
        let compressed = entry.compressed_size();
        let special = entry.unix_mode().and_then(|mode| {
            SPECIAL_TYPES
                .iter()
                .find(|(bits, _)| mode & S_IFMT == *bits)
                .map(|(_, what)| *what)
        });
        let path = format!("{prefix}{}", name.path);
        c.check_name(&name, &path);
        if is_dir || name.path.is_empty() {
            continue;
        }
        if is_symlink {
            c.link_entry("symbolic link entry", &path, &name.raw);
            continue;
        }
        if let Some(what) = special {
            c.link_entry(what, &path, &name.raw);
            continue;
        }
        if encrypted {
            c.note(
                rule::ENCRYPTED,
                Severity::Medium,
                "encrypted zip entry: its contents cannot be scanned".to_owned(),
                &path,
            );
            continue;
        }
        match archive.by_index(index) {
            Ok(file) => {
                // The declared compressed size is bounded by the archive's real size.
                let declared = file.size();
                c.file(
                    file,
                    &path,
                    depth,
                    Ratio::Compressed(compressed.min(len)),
                    false,
                    Some(declared),
                );
            }
            Err(ZipError::UnsupportedArchive(what)) => c.note(
                rule::UNSUPPORTED,
                Severity::Medium,
                format!("zip entry cannot be read ({what}): its contents are not scanned"),
                &path,
            ),
            Err(e) => corrupt(c, &path, &e),
        }
    }
    Ok(())
}

fn corrupt(c: &mut Collector<'_>, member: &str, error: &ZipError) {
    c.note(
        rule::CORRUPT,
        Severity::Medium,
        format!(
            "corrupt zip entry ({}): not read",
            crate::safe::snippet(&error.to_string())
        ),
        member.strip_suffix("!/").unwrap_or(member),
    );
}
