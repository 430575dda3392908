//! Reading members within [`Limits`]: the budget one artifact shares (nested archives included),
//! the meters under a decompressor, and the evidence a hit becomes.

use std::cell::Cell;
use std::io::{self, Read};

use cordon_diagnostics::Severity;

use super::names::Sanitised;
use crate::model::{Behaviour, Evidence, Limits, Member};

/// Rule ids of the evidence reading reports (sections in `docs/scanner-rules.md`).
pub mod rule {
    /// A limit was hit: member count, member size, total size, ratio, nesting depth.
    pub const LIMIT: &str = "archive-limit";
    /// An absolute or `..` member path (or a venv RECORD entry outside the venv).
    pub const UNSAFE_PATH: &str = "archive-unsafe-path";
    /// A symlink, hardlink or device entry (not followed, not read).
    pub const LINK_ENTRY: &str = "archive-link-entry";
    /// A member name that is not UTF-8 or has control characters.
    pub const BAD_NAME: &str = "archive-bad-name";
    /// An encrypted zip entry (not read).
    pub const ENCRYPTED: &str = "archive-encrypted";
    /// A corrupt or truncated archive or stream (what was read before is kept).
    pub const CORRUPT: &str = "archive-corrupt";
    /// A zip entry compressed with a method this reader does not support (not read).
    pub const UNSUPPORTED: &str = "archive-unsupported";
    /// A zip central directory naming one file more than once.
    pub const DUPLICATE_NAME: &str = "archive-duplicate-name";
    /// A file that could not be read from a directory or virtual environment.
    pub const UNREADABLE: &str = "archive-unreadable";
}

/// The compression ratio is judged only for members larger than this.
pub const RATIO_FLOOR: u64 = 1024 * 1024;
/// A whole compressed stream's ratio is judged only past this many decompressed bytes.
pub const STREAM_RATIO_FLOOR: u64 = 64 * 1024 * 1024;
/// Bytes a tar reader may take from its stream between two members (headers, GNU long names,
/// PAX records), so a forged header cannot make it read without bound.
pub const HEADER_BUDGET: u64 = 1024 * 1024;
/// Bytes a decompressed stream may produce beyond `max_total_size` (tar headers and padding).
pub const STREAM_SLACK: u64 = 64 * 1024 * 1024;
const CHUNK: usize = 64 * 1024;
/// Bytes of a member read before judging whether it is a binary blob: data that is not UTF-8,
/// not an archive and not code by its name. Only this head of a blob is kept (magic bytes are
/// all any rule reads of one); a seekable source stops reading there.
pub const BLOB_HEAD: usize = 64 * 1024;

/// Accounting for one decompressed stream: bytes taken from the compressed input, bytes
/// produced, and how far production is allowed to go.
#[derive(Debug)]
pub struct Meter {
    compressed: Cell<u64>,
    produced: Cell<u64>,
    allow: Cell<u64>,
    tripped: Cell<bool>,
}

impl Meter {
    pub fn new() -> Self {
        Self {
            compressed: Cell::new(0),
            produced: Cell::new(0),
            allow: Cell::new(u64::MAX),
            tripped: Cell::new(false),
        }
    }

    pub fn produced(&self) -> u64 {
        self.produced.get()
    }

    /// Production may reach `bytes` in total, no further.
    pub fn allow_until(&self, bytes: u64) {
        self.allow.set(bytes);
    }

    /// Production hit the allowance (the stream then fails with an error).
    pub fn tripped(&self) -> bool {
        self.tripped.get()
    }

    fn ratio_exceeds(&self, max_ratio: u64) -> bool {
        // A whole stream is judged once it has produced more than a real sdist's highly
        // compressible start (generated tables, test data) could: a bomb is judged by its bulk.
        self.produced.get() > STREAM_RATIO_FLOOR
            && self.produced.get() > max_ratio.saturating_mul(self.compressed.get().max(1))
    }
}

/// Counts the compressed bytes a decoder takes.
pub struct CountIn<'m, R> {
    inner: R,
    meter: &'m Meter,
}

impl<'m, R> CountIn<'m, R> {
    pub fn new(inner: R, meter: &'m Meter) -> Self {
        Self { inner, meter }
    }
}

impl<R: Read> Read for CountIn<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.meter
            .compressed
            .set(self.meter.compressed.get().saturating_add(n as u64));
        Ok(n)
    }
}

/// Counts the bytes a stream produces and fails once its allowance is used.
pub struct Metered<'m, R> {
    inner: R,
    meter: &'m Meter,
}

impl<'m, R> Metered<'m, R> {
    pub fn new(inner: R, meter: &'m Meter) -> Self {
        Self { inner, meter }
    }
}

impl<R: Read> Read for Metered<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let room = self
            .meter
            .allow
            .get()
            .saturating_sub(self.meter.produced.get());
        if room == 0 {
            self.meter.tripped.set(true);
            return Err(io::Error::other("cordon: stream read limit reached"));
        }
        let max = usize::try_from(room).unwrap_or(usize::MAX).min(buf.len());
        let n = self.inner.read(&mut buf[..max])?;
        self.meter
            .produced
            .set(self.meter.produced.get().saturating_add(n as u64));
        Ok(n)
    }
}

/// What the compression ratio of a member is judged against.
#[derive(Clone, Copy)]
pub enum Ratio<'m> {
    /// Not compressed (a plain tar, a file on disk).
    None,
    /// A zip entry's compressed size (bounded by the archive's size).
    Compressed(u64),
    /// A whole compressed stream (tar.gz, tar.bz2): judged as a whole.
    Stream(&'m Meter),
}

/// How one member read ended.
#[derive(Debug)]
pub struct Readout {
    /// What was kept (at most `max_member_size` bytes; a binary blob's [`BLOB_HEAD`]).
    pub data: Vec<u8>,
    /// The member's size: the bytes read, or the declared size when reading stopped early.
    pub size: u64,
    /// The whole member is in `data`.
    pub complete: bool,
    /// The underlying stream failed (corrupt, truncated or cut off by a limit).
    pub failed: bool,
}

/// True when a member that starts with `head` is a binary blob: no code by its name (or
/// shebang), no archive by its magic, and not UTF-8 (an invalid sequence, not merely a
/// character cut at the end of the head). No rule reads such a member past its magic bytes.
fn is_blob(path: &str, head: &[u8]) -> bool {
    crate::rules::code_kind_of(path, head, 0) == crate::rules::CodeKind::Data
        && super::Format::detect(head).is_none()
        && std::str::from_utf8(head).is_err_and(|e| e.error_len().is_some())
}

impl Readout {
    /// Reading ended before the member's end: a failed stream, a limit, or a blob's head.
    fn cut(data: Vec<u8>, size: u64, failed: bool) -> Self {
        Self {
            data,
            size,
            complete: false,
            failed,
        }
    }
}

/// The members and evidence of one artifact as it is read, and the budget it shares.
pub struct Collector<'l> {
    pub limits: &'l Limits,
    pub members: Vec<Member>,
    pub reading: Vec<Evidence>,
    entries: usize,
    total: u64,
    stopped: bool,
    /// The read buffer, reused from member to member.
    buf: Vec<u8>,
}

impl<'l> Collector<'l> {
    pub fn new(limits: &'l Limits) -> Self {
        Self {
            limits,
            members: Vec::new(),
            reading: Vec::new(),
            entries: 0,
            total: 0,
            stopped: false,
            buf: Vec::new(),
        }
    }

    /// A limit stopped reading this artifact.
    pub fn stopped(&self) -> bool {
        self.stopped
    }

    pub fn push(&mut self, evidence: Evidence) {
        self.reading.push(evidence);
    }

    /// Evidence about reading (behaviour [`Behaviour::LimitExceeded`]).
    pub fn note(&mut self, rule: &'static str, severity: Severity, message: String, member: &str) {
        let mut evidence = Evidence::new(rule, Behaviour::LimitExceeded, severity, message);
        if !member.is_empty() {
            evidence = evidence.in_member(member);
        }
        self.reading.push(evidence);
    }

    /// A limit hit: high-severity evidence naming the limit.
    pub fn limit(&mut self, message: String, member: &str) {
        self.note(rule::LIMIT, Severity::High, message, member);
    }

    /// Counts one entry; past `max_members` it records the limit (once), stops the artifact and
    /// answers false.
    pub fn admit(&mut self) -> bool {
        if self.stopped {
            return false;
        }
        self.entries += 1;
        if self.entries > self.limits.max_members {
            self.limit(
                format!(
                    "more than {} members (max_members): reading stopped, the rest is unread",
                    self.limits.max_members
                ),
                "",
            );
            self.stopped = true;
            return false;
        }
        true
    }

    /// Evidence for an unsafe or badly encoded member name.
    pub fn check_name(&mut self, name: &Sanitised, member: &str) {
        if name.escapes {
            let mut evidence = Evidence::new(
                rule::UNSAFE_PATH,
                Behaviour::LimitExceeded,
                Severity::High,
                "member path is absolute or climbs out with `..`: unpacking it could write \
                 outside the target directory",
            )
            .with_snippet(&name.raw);
            if !member.is_empty() {
                evidence = evidence.in_member(member);
            }
            self.reading.push(evidence);
        }
        if name.bad_name {
            let mut evidence = Evidence::new(
                rule::BAD_NAME,
                Behaviour::LimitExceeded,
                Severity::Medium,
                "member name is not valid UTF-8 or contains control characters",
            )
            .with_snippet(&name.raw);
            if !member.is_empty() {
                evidence = evidence.in_member(member);
            }
            self.reading.push(evidence);
        }
    }

    /// A link or special entry, not followed and not read.
    pub fn link_entry(&mut self, what: &str, member: &str, raw: &str) {
        let evidence = Evidence::new(
            rule::LINK_ENTRY,
            Behaviour::LimitExceeded,
            Severity::Medium,
            format!("{what}: not followed, not read"),
        )
        .in_member(member)
        .with_snippet(raw);
        self.reading.push(evidence);
    }

    /// Reads one member within the limits and adds it ([`Collector::add`]): a complete member
    /// may be an archive to expand; a cut-off one is kept as read. `drain`: a member over
    /// `max_member_size` (or a binary blob past its head) is read to its end and dropped, as a
    /// stream reader must to reach the next member. `declared`: the size the archive states,
    /// a hint for the buffer and the size of a member not read to its end. Answers whether
    /// the stream failed.
    pub fn file(
        &mut self,
        reader: impl Read,
        path: &str,
        depth: u8,
        ratio: Ratio<'_>,
        drain: bool,
        declared: Option<u64>,
    ) -> bool {
        let readout = self.read(reader, path, ratio, true, drain, declared);
        if readout.complete {
            self.add(path.to_owned(), readout.data, depth);
        } else if !readout.data.is_empty() {
            self.members.push(Member {
                path: path.to_owned(),
                data: readout.data,
                size: readout.size,
                depth,
            });
        }
        readout.failed
    }

    /// Reads a member's data to its end and drops it (a stream reader's skip, bounded by the
    /// same limits). Answers whether the stream failed.
    pub fn skip(&mut self, reader: impl Read, path: &str, ratio: Ratio<'_>) -> bool {
        self.read(reader, path, ratio, false, true, None).failed
    }

    /// Reads `reader` to its end or to a limit. Never trusts a declared size to bound reading:
    /// it counts what it reads.
    pub fn read(
        &mut self,
        reader: impl Read,
        path: &str,
        ratio: Ratio<'_>,
        keep: bool,
        drain: bool,
        declared: Option<u64>,
    ) -> Readout {
        let mut buf = std::mem::take(&mut self.buf);
        if buf.len() < CHUNK {
            buf = vec![0u8; CHUNK];
        }
        let readout = self.read_with(reader, &mut buf, path, ratio, keep, drain, declared);
        self.buf = buf;
        readout
    }

    #[allow(clippy::too_many_arguments, clippy::too_many_lines)]
    fn read_with(
        &mut self,
        mut reader: impl Read,
        buf: &mut [u8],
        path: &str,
        ratio: Ratio<'_>,
        mut keep: bool,
        drain: bool,
        declared: Option<u64>,
    ) -> Readout {
        let limits = *self.limits;
        let max_member = usize::try_from(limits.max_member_size).unwrap_or(usize::MAX);
        // A declared size sizes the buffer, never beyond what may be kept (it may lie).
        let wanted = |declared: Option<u64>| {
            usize::try_from(declared.unwrap_or(0))
                .unwrap_or(usize::MAX)
                .min(max_member)
        };
        let mut data = Vec::with_capacity(if keep {
            wanted(declared).min(BLOB_HEAD)
        } else {
            0
        });
        let mut read: u64 = 0;
        let mut over_size = false;
        let mut judged = !keep;
        let mut blob = false;
        loop {
            let n = match reader.read(buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.stream_error(&e, path, ratio);
                    return Readout::cut(data, read, true);
                }
            };
            read = read.saturating_add(n as u64);
            self.total = self.total.saturating_add(n as u64);
            if keep && !over_size {
                let room = max_member.saturating_sub(data.len());
                data.extend_from_slice(&buf[..n.min(room)]);
            }
            if !judged && data.len() >= BLOB_HEAD.min(max_member) {
                judged = true;
                if is_blob(path, &data) {
                    blob = true;
                    keep = false;
                    data.truncate(BLOB_HEAD);
                    data.shrink_to_fit();
                    if !drain {
                        return Readout::cut(data, declared.unwrap_or(read).max(read), false);
                    }
                } else {
                    data.reserve(wanted(declared).saturating_sub(data.len()));
                }
            }
            if self.total > limits.max_total_size {
                self.limit(
                    format!(
                        "the artifact holds more than {} bytes uncompressed (max_total_size): \
                         reading stopped, the rest is unread",
                        limits.max_total_size
                    ),
                    path,
                );
                self.stopped = true;
                return Readout::cut(data, read, true);
            }
            if read > RATIO_FLOOR {
                match ratio {
                    Ratio::Compressed(compressed)
                        if read > limits.max_ratio.saturating_mul(compressed.max(1)) =>
                    {
                        self.limit(
                            format!(
                                "member decompresses to more than {}x its compressed size of {} \
                                 bytes (max_ratio): a decompression bomb, reading stopped after \
                                 {read} bytes",
                                limits.max_ratio, compressed
                            ),
                            path,
                        );
                        return Readout::cut(data, read, false);
                    }
                    Ratio::Stream(meter) if meter.ratio_exceeds(limits.max_ratio) => {
                        self.limit(
                            format!(
                                "the compressed stream decompresses to more than {}x its size \
                                 (max_ratio): a decompression bomb, reading stopped at this \
                                 member, the rest is unread",
                                limits.max_ratio
                            ),
                            path,
                        );
                        self.stopped = true;
                        return Readout::cut(data, read, true);
                    }
                    _ => {}
                }
            }
            if keep && !over_size && read > limits.max_member_size {
                self.limit(
                    format!(
                        "member is larger than {} bytes uncompressed (max_member_size): only its \
                         first {} bytes are scanned",
                        limits.max_member_size, limits.max_member_size
                    ),
                    path,
                );
                if !drain {
                    return Readout::cut(data, declared.unwrap_or(read).max(read), false);
                }
                over_size = true;
            }
        }
        Readout {
            data,
            size: read,
            complete: !over_size && !blob,
            failed: false,
        }
    }

    /// A stream failed: a read allowance ran out (a limit) or the data is corrupt.
    pub fn stream_error(&mut self, error: &io::Error, path: &str, ratio: Ratio<'_>) {
        if let Ratio::Stream(meter) = ratio
            && meter.tripped()
        {
            self.limit(
                format!(
                    "the archive's stream goes on past its limits (max_total_size {} bytes, or \
                     {HEADER_BUDGET} bytes of headers between members): reading stopped, the \
                     rest is unread",
                    self.limits.max_total_size
                ),
                path,
            );
            self.stopped = true;
            return;
        }
        self.note(
            rule::CORRUPT,
            Severity::Medium,
            format!(
                "corrupt or truncated archive data ({}): what was read before is kept",
                crate::safe::snippet(&error.to_string())
            ),
            path,
        );
    }

    /// Adds a fully read member; one that is itself an archive (by its magic bytes) is
    /// expanded in its place, its members `path!/inner` one level deeper, up to `max_depth`.
    /// An archive that cannot be expanded is kept as a member.
    pub fn add(&mut self, path: String, data: Vec<u8>, depth: u8) {
        let Some(format) = super::Format::detect(&data) else {
            self.members.push(Member::new(path, data, depth));
            return;
        };
        if depth >= self.limits.max_depth {
            self.limit(
                format!(
                    "archive nested more than {} levels deep (max_depth): not expanded",
                    self.limits.max_depth
                ),
                &path,
            );
            self.members.push(Member::new(path, data, depth));
            return;
        }
        let prefix = format!("{path}!/");
        let inner = super::inner_name(&path);
        let len = data.len() as u64;
        let opened = super::expand(
            self,
            format,
            io::Cursor::new(&data[..]),
            len,
            &prefix,
            depth + 1,
            &inner,
        );
        if let Err(message) = opened {
            self.note(
                rule::CORRUPT,
                Severity::Medium,
                format!(
                    "looks like a {} archive but cannot be opened ({}): kept as it is",
                    format.as_str(),
                    crate::safe::snippet(&message)
                ),
                &path,
            );
            self.members.push(Member::new(path, data, depth));
        }
    }

    /// The artifact as read.
    pub fn finish(
        self,
        path: String,
        kind: crate::model::ArtifactKind,
        name_version: Option<(String, String)>,
    ) -> crate::model::Artifact {
        let (name, version) = name_version.unzip();
        crate::model::Artifact {
            path,
            kind,
            name,
            version,
            members: self.members,
            reading: self.reading,
        }
    }
}
