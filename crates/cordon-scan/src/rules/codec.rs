//! Bounded, in-memory decoders for payloads found in sources: base64 (standard and URL-safe),
//! base32, base85, ascii85, hex, zlib/gzip/raw deflate, rot13 and UTF-16LE. Nothing decoded is
//! ever executed or written anywhere; every output is charged to a [`Budget`].

use std::cell::Cell;
use std::io::Read;

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};

/// Decoded bytes allowed per scanned file (all layers together).
pub const MAX_DECODED: usize = 8 * 1024 * 1024;
/// Payloads inside payloads: a file, then at most this many decoded layers under it.
pub const MAX_LAYERS: u8 = 4;
/// Expression nodes the constant evaluator may visit per file.
pub const MAX_FUEL: u64 = 4_000_000;

/// What decoding may still spend for one file: bytes produced and evaluation steps.
#[derive(Debug)]
pub struct Budget {
    left: Cell<usize>,
    fuel: Cell<u64>,
    exhausted: Cell<bool>,
}

impl Default for Budget {
    fn default() -> Self {
        Self::new(MAX_DECODED)
    }
}

impl Budget {
    pub fn new(bytes: usize) -> Self {
        Self {
            left: Cell::new(bytes),
            fuel: Cell::new(MAX_FUEL),
            exhausted: Cell::new(false),
        }
    }

    /// Reserves `n` bytes of output; false (and the budget marked exhausted) when they do not
    /// fit.
    pub fn take(&self, n: usize) -> bool {
        let left = self.left.get();
        if n > left {
            self.exhausted.set(true);
            return false;
        }
        self.left.set(left - n);
        true
    }

    /// Returns unused bytes of an earlier reservation.
    pub fn give_back(&self, n: usize) {
        self.left.set(self.left.get().saturating_add(n));
    }

    /// Bytes still available.
    pub fn left(&self) -> usize {
        self.left.get()
    }

    /// One evaluation step; false once the fuel is spent.
    pub fn burn(&self) -> bool {
        let f = self.fuel.get();
        if f == 0 {
            self.exhausted.set(true);
            return false;
        }
        self.fuel.set(f - 1);
        true
    }

    /// True once a decode or an evaluation was refused for lack of budget.
    pub fn exhausted(&self) -> bool {
        self.exhausted.get()
    }
}

const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
static STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);
static URL_SAFE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);

/// Base64 as Python's `b64decode` reads it by default: characters outside the alphabet are
/// skipped, padding is optional. `url_safe` selects `-_` instead of `+/`. When both `-_` and
/// `+/` could apply, the one that occurs is used.
pub fn base64(input: &[u8], url_safe: bool, budget: &Budget) -> Option<Vec<u8>> {
    let url_safe = url_safe || input.iter().any(|&c| c == b'-' || c == b'_');
    let clean: Vec<u8> = input
        .iter()
        .copied()
        .filter(|&c| {
            c.is_ascii_alphanumeric()
                || if url_safe {
                    c == b'-' || c == b'_'
                } else {
                    c == b'+' || c == b'/'
                }
        })
        .collect();
    if clean.len() % 4 == 1 || clean.is_empty() {
        return None;
    }
    let out_len = clean.len() / 4 * 3 + 3;
    if !budget.take(out_len) {
        return None;
    }
    let engine = if url_safe { &URL_SAFE } else { &STANDARD };
    let out = engine.decode(&clean).ok();
    budget.give_back(out_len - out.as_ref().map_or(0, Vec::len));
    out
}

/// `bytes.fromhex`, `binascii.unhexlify`, `base64.b16decode`: whitespace is skipped, any other
/// non-hex character fails.
pub fn hex(input: &[u8], budget: &Budget) -> Option<Vec<u8>> {
    let digits: Vec<u8> = input
        .iter()
        .copied()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    if !digits.len().is_multiple_of(2) || digits.is_empty() || !budget.take(digits.len() / 2) {
        return None;
    }
    let val = |c: u8| (c as char).to_digit(16);
    let mut out = Vec::with_capacity(digits.len() / 2);
    for pair in digits.chunks_exact(2) {
        let (Some(hi), Some(lo)) = (val(pair[0]), val(pair[1])) else {
            budget.give_back(digits.len() / 2);
            return None;
        };
        out.push(u8::try_from(hi * 16 + lo).unwrap_or_default());
    }
    Some(out)
}

/// `base64.b32decode` (RFC 4648 alphabet, padding optional, case-insensitive).
pub fn base32(input: &[u8], budget: &Budget) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut acc: u64 = 0;
    let mut bits = 0u32;
    let mut n = 0usize;
    for &c in input {
        let v = match c.to_ascii_uppercase() {
            c @ b'A'..=b'Z' => c - b'A',
            c @ b'2'..=b'7' => c - b'2' + 26,
            b'=' | b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return None,
        };
        acc = (acc << 5) | u64::from(v);
        bits += 5;
        n += 1;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).unwrap_or_default());
        }
    }
    if n == 0 || !budget.take(out.len()) {
        return None;
    }
    Some(out)
}

const B85_ALPHABET: &[u8] =
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";

/// `base64.b85decode` (the RFC 1924 / git alphabet).
pub fn base85(input: &[u8], budget: &Budget) -> Option<Vec<u8>> {
    let mut table = [255u8; 256];
    for (i, &c) in B85_ALPHABET.iter().enumerate() {
        table[c as usize] = u8::try_from(i).unwrap_or_default();
    }
    let digits: Vec<u8> = input
        .iter()
        .copied()
        .filter(|c| !c.is_ascii_whitespace())
        .map(|c| table[c as usize])
        .collect();
    if digits.is_empty() || digits.contains(&255) {
        return None;
    }
    decode85_groups(&digits, budget)
}

/// `base64.a85decode` (Adobe ascii85, `z` for four zero bytes, optional `<~ ~>` frame).
pub fn ascii85(input: &[u8], budget: &Budget) -> Option<Vec<u8>> {
    let mut body = input;
    if let Some(rest) = body.strip_prefix(b"<~") {
        body = rest;
    }
    if let Some(rest) = body.strip_suffix(b"~>") {
        body = rest;
    }
    let mut digits = Vec::with_capacity(body.len());
    for &c in body {
        match c {
            b'z' => digits.extend_from_slice(&[0, 0, 0, 0, 0]),
            b'!'..=b'u' => digits.push(c - b'!'),
            c if c.is_ascii_whitespace() => {}
            _ => return None,
        }
    }
    if digits.is_empty() {
        return None;
    }
    decode85_groups(&digits, budget)
}

fn decode85_groups(digits: &[u8], budget: &Budget) -> Option<Vec<u8>> {
    let out_len = digits.len() / 5 * 4 + 4;
    if !budget.take(out_len) {
        return None;
    }
    let mut out = Vec::with_capacity(out_len);
    for chunk in digits.chunks(5) {
        let pad = 5 - chunk.len();
        let mut acc: u64 = 0;
        for i in 0..5 {
            acc = acc * 85 + u64::from(*chunk.get(i).unwrap_or(&84));
        }
        if acc > u64::from(u32::MAX) {
            budget.give_back(out_len);
            return None;
        }
        let bytes = u32::try_from(acc).unwrap_or_default().to_be_bytes();
        out.extend_from_slice(&bytes[..4 - pad]);
    }
    budget.give_back(out_len - out.len());
    Some(out)
}

/// zlib, gzip or raw deflate data inflated, at most what the budget allows; `None` when the
/// data is none of these or the output would not fit.
pub fn inflate(input: &[u8], budget: &Budget) -> Option<Vec<u8>> {
    let limit = budget.left();
    let read = |r: &mut dyn Read| -> Option<Vec<u8>> {
        let mut out = Vec::new();
        let mut taken = r.take(limit as u64 + 1);
        taken.read_to_end(&mut out).ok()?;
        Some(out)
    };
    let out = if input.len() >= 2 && input[0] == 0x1f && input[1] == 0x8b {
        read(&mut flate2::read::MultiGzDecoder::new(input))
    } else if input.len() >= 2
        && input[0] & 0x0f == 8
        && (u16::from(input[0]) << 8 | u16::from(input[1])) % 31 == 0
    {
        read(&mut flate2::read::ZlibDecoder::new(input))
    } else {
        read(&mut flate2::read::DeflateDecoder::new(input))
    }?;
    if out.is_empty() || !budget.take(out.len()) {
        return None;
    }
    Some(out)
}

/// True when `data` starts like a zlib stream (CMF/FLG check) or a gzip member.
pub fn looks_compressed(data: &[u8]) -> bool {
    data.len() >= 8
        && ((data[0] == 0x1f && data[1] == 0x8b)
            || (data[0] == 0x78 && (u16::from(data[0]) << 8 | u16::from(data[1])) % 31 == 0))
}

/// rot13 over ASCII letters.
pub fn rot13(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'a'..='z' => char::from((c as u8 - b'a' + 13) % 26 + b'a'),
            'A'..='Z' => char::from((c as u8 - b'A' + 13) % 26 + b'A'),
            _ => c,
        })
        .collect()
}

/// UTF-16LE bytes (PowerShell `-EncodedCommand`) as text.
pub fn utf16le(data: &[u8]) -> Option<String> {
    if data.len() < 2 {
        return None;
    }
    let units: Vec<u16> = data
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .collect();
    String::from_utf16(&units).ok()
}

/// Shannon entropy of `s` in bits per byte.
pub fn entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[b as usize] += 1;
    }
    #[allow(clippy::cast_precision_loss)]
    let len = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

/// True when `data` is mostly printable text (UTF-8, few control characters): worth scanning
/// as source.
pub fn is_text(data: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(data) else {
        return false;
    };
    if s.is_empty() {
        return false;
    }
    let bad = s
        .chars()
        .filter(|&c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0c'))
        .count();
    bad * 50 <= s.chars().count()
}

/// Standard base64, for tests that build payloads.
#[cfg(test)]
pub fn encode_b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_codec_roundtrips() {
        let b = Budget::default();
        assert_eq!(base64(b"aGVs bG8=\n", false, &b).unwrap(), b"hello");
        assert_eq!(base64(b"aGVsbG8", false, &b).unwrap(), b"hello");
        assert_eq!(hex(b"68 65 6c6c6f", &b).unwrap(), b"hello");
        assert_eq!(base32(b"NBSWY3DP", &b).unwrap(), b"hello");
        assert_eq!(base85(b"Xk~0{Zv", &b).unwrap(), b"hello");
        assert_eq!(ascii85(b"<~BOu!rDZ~>", &b).unwrap(), b"hello");
        assert_eq!(rot13("uryyb"), "hello");
        assert_eq!(utf16le(b"h\0i\0").unwrap(), "hi");
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut z, b"hello hello hello").unwrap();
        let z = z.finish().unwrap();
        assert!(looks_compressed(&z));
        assert_eq!(inflate(&z, &b).unwrap(), b"hello hello hello");
    }

    #[test]
    fn rules_codec_budget_is_enforced() {
        let b = Budget::new(4);
        assert!(base64(b"aGVsbG8gd29ybGQ=", false, &b).is_none());
        assert!(b.exhausted());
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut z, &vec![b'a'; 1 << 20]).unwrap();
        let z = z.finish().unwrap();
        let b = Budget::new(1000);
        assert!(inflate(&z, &b).is_none());
    }
}
