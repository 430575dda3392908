//! Tar archives, plain or compressed (gzip, bzip2), read as one stream; and a compressed file
//! that is not a tar, read as one member.

use std::io::{Cursor, Read, Seek, SeekFrom};

use ::tar::{Archive, EntryType};
use bzip2::read::MultiBzDecoder;
use flate2::read::MultiGzDecoder;

use super::Format;
use super::collect::{Collector, CountIn, HEADER_BUDGET, Meter, Metered, Ratio, STREAM_SLACK};
use super::names::sanitise;

/// A plain (uncompressed) tar.
pub(crate) fn read_plain(c: &mut Collector<'_>, reader: impl Read, prefix: &str, depth: u8) {
    let meter = Meter::new();
    read_tar(
        c,
        Metered::new(reader, &meter),
        &meter,
        false,
        prefix,
        depth,
    );
}

/// A gzip or bzip2 stream: a tar when its first 512 bytes are a tar header, else one member
/// named `prefix` + `inner`. Err: the stream fails before anything could be read.
pub(crate) fn read_compressed(
    c: &mut Collector<'_>,
    reader: impl Read,
    format: Format,
    prefix: &str,
    depth: u8,
    inner: &str,
) -> Result<(), String> {
    let meter = Meter::new();
    let input = CountIn::new(reader, &meter);
    let decoder: Box<dyn Read + '_> = match format {
        Format::Bzip2 => Box::new(MultiBzDecoder::new(input)),
        _ => Box::new(MultiGzDecoder::new(input)),
    };
    let mut stream = Metered::new(decoder, &meter);
    meter.allow_until(HEADER_BUDGET);
    let mut head = Vec::with_capacity(512);
    let mut failed = None;
    while head.len() < 512 {
        let mut buf = [0u8; 512];
        let want = 512 - head.len();
        match stream.read(&mut buf[..want]) {
            Ok(0) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    if let Some(error) = &failed
        && head.is_empty()
    {
        return Err(error.to_string());
    }
    let cap = c.limits.max_total_size.saturating_add(STREAM_SLACK);
    if failed.is_none() && super::is_tar(&head) {
        read_tar(
            c,
            Cursor::new(head).chain(stream),
            &meter,
            true,
            prefix,
            depth,
        );
        return Ok(());
    }
    // One compressed file, not a tar.
    if !c.admit() {
        return Ok(());
    }
    let path = format!("{prefix}{inner}");
    meter.allow_until(cap);
    if let Some(error) = failed {
        c.stream_error(&error, &path, Ratio::Stream(&meter));
        c.file(
            Cursor::new(head),
            &path,
            depth,
            Ratio::Stream(&meter),
            false,
            None,
        );
    } else {
        c.file(
            Cursor::new(head).chain(stream),
            &path,
            depth,
            Ratio::Stream(&meter),
            false,
            None,
        );
    }
    Ok(())
}

/// A stream that seeks forward only, by reading and dropping bytes into one scratch buffer.
/// The tar crate, given a plain reader, skips every entry's padding through a fresh 32 KiB
/// zeroed buffer, which cost more than inflating small members; given a seekable one, it
/// seeks instead.
struct Forward<R> {
    inner: R,
    pos: u64,
    scratch: Vec<u8>,
}

impl<R: Read> Forward<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            pos: 0,
            scratch: Vec::new(),
        }
    }
}

impl<R: Read> Read for Forward<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: Read> Seek for Forward<R> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let SeekFrom::Current(delta) = to else {
            return Err(std::io::Error::other("a tar stream only skips forward"));
        };
        let mut left = u64::try_from(delta)
            .map_err(|_| std::io::Error::other("a tar stream only skips forward"))?;
        if left > 0 && self.scratch.is_empty() {
            self.scratch = vec![0; 16 * 1024];
        }
        while left > 0 {
            let want = usize::try_from(left.min(self.scratch.len() as u64)).unwrap_or(0);
            let n = match self.inner.read(&mut self.scratch[..want]) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                other => other?,
            };
            if n == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "unexpected end of the tar stream while skipping",
                ));
            }
            self.pos += n as u64;
            left -= n as u64;
        }
        Ok(self.pos)
    }
}

/// Reads the tar stream `reader`, metered by `meter`; `compressed`: judge the whole stream's
/// compression ratio.
fn read_tar<R: Read>(
    c: &mut Collector<'_>,
    reader: R,
    meter: &Meter,
    compressed: bool,
    prefix: &str,
    depth: u8,
) {
    let cap = c.limits.max_total_size.saturating_add(STREAM_SLACK);
    let ratio = if compressed {
        Ratio::Stream(meter)
    } else {
        Ratio::None
    };
    let at = prefix.strip_suffix("!/").unwrap_or(prefix);
    let mut archive = Archive::new(Forward::new(reader));
    let mut entries = match archive.entries_with_seek() {
        Ok(entries) => entries,
        Err(e) => {
            c.stream_error(&e, at, Ratio::Stream(meter));
            return;
        }
    };
    loop {
        if c.stopped() {
            break;
        }
        // Between members the reader may take headers only: a bounded amount.
        meter.allow_until(meter.produced().saturating_add(HEADER_BUDGET).min(cap));
        let mut entry = match entries.next() {
            None => break,
            Some(Ok(entry)) => entry,
            Some(Err(e)) => {
                c.stream_error(&e, at, Ratio::Stream(meter));
                break;
            }
        };
        meter.allow_until(cap);
        if !c.admit() {
            break;
        }
        let name = sanitise(&entry.path_bytes());
        let path = format!("{prefix}{}", name.path);
        c.check_name(&name, &path);
        let kind = entry.header().entry_type();
        let link = match kind {
            EntryType::Symlink => Some("symbolic link entry"),
            EntryType::Link => Some("hard link entry"),
            EntryType::Char => Some("character device entry"),
            EntryType::Block => Some("block device entry"),
            EntryType::Fifo => Some("FIFO entry"),
            _ => None,
        };
        let failed = if let Some(what) = link {
            let target = entry
                .link_name_bytes()
                .map(|t| String::from_utf8_lossy(&t).into_owned());
            let shown = match target {
                Some(target) => format!("{} -> {target}", name.raw),
                None => name.raw.clone(),
            };
            c.link_entry(what, &path, &shown);
            c.skip(&mut entry, &path, ratio)
        } else if matches!(
            kind,
            EntryType::Directory
                | EntryType::XGlobalHeader
                | EntryType::XHeader
                | EntryType::GNULongName
                | EntryType::GNULongLink
        ) || name.path.is_empty()
        {
            c.skip(&mut entry, &path, ratio)
        } else {
            // Regular, contiguous, sparse, and unknown types (read as files, as tar readers do).
            let declared = entry.size();
            c.file(&mut entry, &path, depth, ratio, true, Some(declared))
        };
        if failed {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_seeks_by_reading_and_refuses_to_go_back() {
        let data: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
        let mut f = Forward::new(&data[..]);
        let mut two = [0u8; 2];
        f.read_exact(&mut two).unwrap();
        assert_eq!(two, [0, 1]);
        // Further than one scratch buffer.
        assert_eq!(f.seek(SeekFrom::Current(40_000)).unwrap(), 40_002);
        f.read_exact(&mut two).unwrap();
        assert_eq!(two, [data[40_002], data[40_003]]);
        assert_eq!(f.stream_position().unwrap(), 40_004);
        assert!(f.seek(SeekFrom::Current(-1)).is_err());
        assert!(f.seek(SeekFrom::Start(0)).is_err());
        let past_the_end = f.seek(SeekFrom::Current(40_000)).unwrap_err();
        assert_eq!(past_the_end.kind(), std::io::ErrorKind::UnexpectedEof);
    }
}
