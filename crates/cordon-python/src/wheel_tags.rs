//! Wheel file names (PEP 427) and the compatibility rules installers apply to their tags
//! (PEP 425, with the manylinux (PEP 600 and its legacy aliases), musllinux (PEP 656), macOS and
//! Windows platform tags): which of a locked package's wheels would be installed on a given
//! target, and which of those an installer prefers.
//!
//! The target is a CPython interpreter; the preference order is the one `packaging.tags`
//! gives for it (pip's and uv's order): the interpreter's own ABI first, then the stable ABI
//! (`abi3`) from newest to oldest, then pure-Python tags, and on each of those levels the newest
//! platform first (`manylinux_2_28` before `manylinux2014`, `macosx_14_0` before `macosx_11_0`),
//! with `any` last of all.

use std::fmt;

/// The parts of a wheel file name:
/// `{name}-{version}(-{build})?-{python tags}-{abi tags}-{platform tags}.whl`, with each tag
/// set split on `.` (`py2.py3`, `manylinux_2_17_x86_64.manylinux2014_x86_64`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WheelName {
    /// The distribution name as written (underscores for separators, by the spec).
    pub name: String,
    pub version: String,
    /// The optional build tag (starts with a digit).
    pub build: Option<String>,
    pub python_tags: Vec<String>,
    pub abi_tags: Vec<String>,
    pub platform_tags: Vec<String>,
}

/// A file name that is not a well-formed wheel name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{file_name}` is not a wheel file name: {reason}")]
pub struct WheelNameError {
    pub file_name: String,
    pub reason: &'static str,
}

impl WheelName {
    /// Splits a wheel file name (the last path segment, not a URL) into its parts.
    pub fn parse(file_name: &str) -> Result<Self, WheelNameError> {
        let err = |reason| WheelNameError {
            file_name: file_name.to_owned(),
            reason,
        };
        let stem = file_name
            .len()
            .checked_sub(4)
            .filter(|&cut| {
                file_name.is_char_boundary(cut) && file_name[cut..].eq_ignore_ascii_case(".whl")
            })
            .map(|cut| &file_name[..cut])
            .ok_or_else(|| err("it does not end in `.whl`"))?;
        let parts: Vec<&str> = stem.split('-').collect();
        let (name, version, build, python, abi, platform) = match parts.as_slice() {
            [name, version, python, abi, platform] => {
                (*name, *version, None, *python, *abi, *platform)
            }
            [name, version, build, python, abi, platform] => {
                (*name, *version, Some(*build), *python, *abi, *platform)
            }
            _ => return Err(err("it does not have 5 or 6 `-`-separated parts")),
        };
        if parts.iter().any(|p| p.is_empty()) {
            return Err(err("one of its parts is empty"));
        }
        if build.is_some_and(|b| !b.starts_with(|c: char| c.is_ascii_digit())) {
            return Err(err("its build tag does not start with a digit"));
        }
        let split = |set: &str| -> Result<Vec<String>, WheelNameError> {
            let tags: Vec<String> = set.split('.').map(str::to_owned).collect();
            if tags.iter().any(String::is_empty) {
                return Err(err("one of its tags is empty"));
            }
            Ok(tags)
        };
        Ok(Self {
            name: name.to_owned(),
            version: version.to_owned(),
            build: build.map(str::to_owned),
            python_tags: split(python)?,
            abi_tags: split(abi)?,
            platform_tags: split(platform)?,
        })
    }

    /// Every `(python, abi, platform)` tag the compressed tag sets stand for.
    pub fn tags(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.python_tags.iter().flat_map(move |py| {
            self.abi_tags.iter().flat_map(move |abi| {
                self.platform_tags
                    .iter()
                    .map(move |plat| (py.as_str(), abi.as_str(), plat.as_str()))
            })
        })
    }
}

/// The operating system of a [`Target`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    /// macOS, with the version wheels are judged against (`macosx_X_Y` needs `X.Y` or newer).
    MacOs {
        major: u32,
        minor: u32,
    },
    Windows,
    /// Anything else: only `any` wheels match.
    Other,
}

/// The CPU architecture of a [`Target`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arch {
    X86_64,
    Aarch64,
    /// 32-bit x86 (`i686`, `win32`).
    X86,
    /// 32-bit ARM (`armv7l`).
    Armv7,
    Ppc64le,
    S390x,
    Riscv64,
    Other,
}

/// The C library of a Linux [`Target`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Libc {
    Glibc,
    Musl,
}

/// The platform wheels are selected for: a CPython version, an OS, an architecture and, on
/// Linux, the C library and its version (`manylinux_2_17` needs glibc 2.17 or newer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// `(major, minor)` of the CPython interpreter.
    pub python: (u32, u32),
    pub os: Os,
    pub arch: Arch,
    /// On Linux, the C library and its `(major, minor)` version; `None` when unknown (then
    /// every manylinux and musllinux wheel of the architecture matches).
    pub libc: Option<(Libc, u32, u32)>,
}

impl Target {
    /// The Python version assumed when the project does not say (`.python-version`,
    /// `requires-python`).
    pub const DEFAULT_PYTHON: (u32, u32) = (3, 12);
    /// The glibc assumed on Linux when the installed one cannot be read: manylinux2014's.
    pub const DEFAULT_GLIBC: (u32, u32) = (2, 17);
    /// The musl assumed on a musl system.
    pub const DEFAULT_MUSL: (u32, u32) = (1, 2);
    /// The macOS version assumed when the running one cannot be read.
    pub const DEFAULT_MACOS: (u32, u32) = (12, 0);

    /// The machine cordon runs on, with [`Self::DEFAULT_PYTHON`] (use [`Self::with_python`]
    /// for the project's version). On Linux the C library is read from the system (the newest
    /// `GLIBC_2.N` symbol version of `libc.so.6`, or a musl loader), falling back to glibc
    /// [`Self::DEFAULT_GLIBC`]; on macOS the version comes from `SystemVersion.plist`.
    pub fn current() -> Self {
        let mut target = Self::from_consts(std::env::consts::OS, std::env::consts::ARCH);
        match target.os {
            Os::Linux => target.libc = Some(detect_linux_libc()),
            Os::MacOs { .. } => {
                let (major, minor) = detect_macos_version().unwrap_or(Self::DEFAULT_MACOS);
                target.os = Os::MacOs { major, minor };
            }
            Os::Windows | Os::Other => {}
        }
        target
    }

    /// A target from `std::env::consts::{OS, ARCH}` spellings, without reading the system:
    /// Linux gets glibc [`Self::DEFAULT_GLIBC`], macOS [`Self::DEFAULT_MACOS`].
    pub fn from_consts(os: &str, arch: &str) -> Self {
        let os = match os {
            "linux" => Os::Linux,
            "macos" => Os::MacOs {
                major: Self::DEFAULT_MACOS.0,
                minor: Self::DEFAULT_MACOS.1,
            },
            "windows" => Os::Windows,
            _ => Os::Other,
        };
        let arch = match arch {
            "x86_64" => Arch::X86_64,
            "aarch64" => Arch::Aarch64,
            "x86" => Arch::X86,
            "arm" => Arch::Armv7,
            // Rust's `powerpc64` is both endiannesses; Python wheels exist for the little one.
            "powerpc64" => Arch::Ppc64le,
            "s390x" => Arch::S390x,
            "riscv64" => Arch::Riscv64,
            _ => Arch::Other,
        };
        let libc = (os == Os::Linux).then_some((
            Libc::Glibc,
            Self::DEFAULT_GLIBC.0,
            Self::DEFAULT_GLIBC.1,
        ));
        Self {
            python: Self::DEFAULT_PYTHON,
            os,
            arch,
            libc,
        }
    }

    /// The same target for another CPython version.
    #[must_use]
    pub fn with_python(mut self, major: u32, minor: u32) -> Self {
        self.python = (major, minor);
        self
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let arch = match self.arch {
            Arch::X86_64 => "x86_64",
            Arch::Aarch64 => "aarch64",
            Arch::X86 => "x86",
            Arch::Armv7 => "armv7",
            Arch::Ppc64le => "ppc64le",
            Arch::S390x => "s390x",
            Arch::Riscv64 => "riscv64",
            Arch::Other => "unknown-arch",
        };
        write!(f, "CPython {}.{} on ", self.python.0, self.python.1)?;
        match self.os {
            Os::Linux => write!(f, "Linux {arch}")?,
            Os::MacOs { major, minor } => write!(f, "macOS {major}.{minor} {arch}")?,
            Os::Windows => write!(f, "Windows {arch}")?,
            Os::Other => write!(f, "an unknown OS ({arch})")?,
        }
        match self.libc {
            Some((Libc::Glibc, major, minor)) => write!(f, " (glibc {major}.{minor})"),
            Some((Libc::Musl, major, minor)) => write!(f, " (musl {major}.{minor})"),
            None => Ok(()),
        }
    }
}

/// The `(major, minor)` a `.python-version` file names: its first line that is neither blank
/// nor a comment, as uv writes it (`3.12`, `3.12.4`, `cpython-3.12`, `cpython@3.13`, `3.13t`).
pub fn python_version_from_file(text: &str) -> Option<(u32, u32)> {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))?;
    let start = line.find(|c: char| c.is_ascii_digit())?;
    major_minor(&line[start..])
}

/// The lowest `(major, minor)` a `requires-python` specifier allows (`>=3.10`, `~=3.11`,
/// `==3.12.*`, `>=3.9,<4`); `None` when it names no lower bound.
pub fn python_version_from_requires_python(spec: &str) -> Option<(u32, u32)> {
    spec.split(',').map(str::trim).find_map(|clause| {
        [">=", "~=", "==", ">"]
            .iter()
            .find_map(|op| clause.strip_prefix(op))
            .and_then(|v| major_minor(v.trim()))
    })
}

/// `3.12…` → `(3, 12)`; the minor must be followed by nothing or a non-digit.
fn major_minor(text: &str) -> Option<(u32, u32)> {
    let (major, rest) = text.split_once('.')?;
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    Some((major.parse().ok()?, rest[..digits].parse().ok()?))
}

/// True when an installer on `target` would accept this wheel. A malformed name never matches.
pub fn wheel_matches(file_name: &str, target: &Target) -> bool {
    wheel_rank(file_name, target).is_some()
}

/// The indices of the wheels among `files` that would install on `target`, the installer's
/// favourite first (ties keep their order). Empty when none matches: the package installs from
/// its sdist, if it has one.
pub fn select(files: &[&str], target: &Target) -> Vec<usize> {
    let mut ranked: Vec<(Rank, usize)> = files
        .iter()
        .enumerate()
        .filter_map(|(i, f)| wheel_rank(f, target).map(|r| (r, i)))
        .collect();
    ranked.sort_by_key(|&(rank, i)| (rank, i));
    ranked.into_iter().map(|(_, i)| i).collect()
}

/// Lower is preferred: (interpreter/ABI level, platform level), as `packaging.tags` orders them.
type Rank = (u32, u32);

/// The best rank of any of the wheel's tags on `target`, or `None` when no tag is supported.
fn wheel_rank(file_name: &str, target: &Target) -> Option<Rank> {
    let wheel = WheelName::parse(file_name).ok()?;
    wheel
        .tags()
        .filter_map(|(py, abi, plat)| tag_rank(py, abi, plat, target))
        .min()
}

fn tag_rank(py: &str, abi: &str, plat: &str, target: &Target) -> Option<Rank> {
    let (major, minor) = target.python;
    let (kind, tag_major, tag_minor) = python_tag(py)?;
    if tag_major != major {
        return None;
    }
    if plat == "any" {
        // `packaging.tags.compatible_tags`, last part: (cpXY, none, any), then the `py` tags.
        if abi != "none" {
            return None;
        }
        let level = match (kind, tag_minor) {
            ("cp", Some(m)) if m == minor => 0,
            ("py", Some(m)) if m == minor => 1,
            ("py", None) => 2,
            ("py", Some(m)) if m < minor => 2 + (minor - m),
            _ => return None,
        };
        return Some((10_000 + level, 0));
    }
    let plat_rank = platform_rank(plat, target)?;
    let own_abi = format!("cp{major}{minor}");
    let level = match (kind, tag_minor) {
        // `packaging.tags.cpython_tags`: the interpreter's ABI, abi3, none; then older abi3.
        ("cp", Some(m)) if m == minor => {
            if abi == own_abi || (minor <= 7 && abi == format!("{own_abi}m")) {
                0
            } else if abi == "abi3" && (major, minor) >= (3, 2) {
                1
            } else if abi == "none" {
                2
            } else {
                return None;
            }
        }
        ("cp", Some(m)) if m < minor && major == 3 && m >= 2 && abi == "abi3" => 2 + (minor - m),
        // `packaging.tags.compatible_tags`, first part: pure-Python tags on this platform.
        ("py", Some(m)) if m == minor && abi == "none" => 1_000,
        ("py", None) if abi == "none" => 1_001,
        ("py", Some(m)) if m < minor && abi == "none" => 1_001 + (minor - m),
        _ => return None,
    };
    Some((level, plat_rank))
}

/// `cp312` → `("cp", 3, Some(12))`, `py3` → `("py", 3, None)`. Other interpreters (`pp`,
/// `graalpy`) and suffixed tags (`cp313t`) are returned as-is and never match a CPython target.
fn python_tag(tag: &str) -> Option<(&str, u32, Option<u32>)> {
    let digits_at = tag.find(|c: char| c.is_ascii_digit())?;
    let (kind, digits) = tag.split_at(digits_at);
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let major = digits[..1].parse().ok()?;
    let minor = if digits.len() > 1 {
        Some(digits[1..].parse().ok()?)
    } else {
        None
    };
    Some((kind, major, minor))
}

/// Lower is newer/preferred; `None` when the platform tag does not run on `target`.
fn platform_rank(plat: &str, target: &Target) -> Option<u32> {
    match target.os {
        Os::Linux => linux_rank(plat, target),
        Os::MacOs { major, minor } => macos_rank(plat, target.arch, (major, minor)),
        Os::Windows => {
            let want = match target.arch {
                Arch::X86_64 => "win_amd64",
                Arch::X86 => "win32",
                Arch::Aarch64 => "win_arm64",
                _ => return None,
            };
            (plat == want).then_some(0)
        }
        Os::Other => None,
    }
}

fn linux_arch(arch: Arch) -> Option<&'static str> {
    Some(match arch {
        Arch::X86_64 => "x86_64",
        Arch::Aarch64 => "aarch64",
        Arch::X86 => "i686",
        Arch::Armv7 => "armv7l",
        Arch::Ppc64le => "ppc64le",
        Arch::S390x => "s390x",
        Arch::Riscv64 => "riscv64",
        Arch::Other => return None,
    })
}

/// The `(major, minor, arch)` of `{prefix}_{major}_{minor}_{arch}`.
fn versioned<'a>(plat: &'a str, prefix: &str) -> Option<(u32, u32, &'a str)> {
    let rest = plat.strip_prefix(prefix)?.strip_prefix('_')?;
    let (major, rest) = rest.split_once('_')?;
    let (minor, arch) = rest.split_once('_')?;
    Some((major.parse().ok()?, minor.parse().ok()?, arch))
}

fn linux_rank(plat: &str, target: &Target) -> Option<u32> {
    let arch = linux_arch(target.arch)?;
    let legacy = [
        ("manylinux2014_", (2, 17)),
        ("manylinux2010_", (2, 12)),
        ("manylinux1_", (2, 5)),
    ];
    let manylinux = versioned(plat, "manylinux").or_else(|| {
        legacy.iter().find_map(|(prefix, (major, minor))| {
            plat.strip_prefix(prefix).map(|a| (*major, *minor, a))
        })
    });
    if let Some((major, minor, tag_arch)) = manylinux {
        if tag_arch != arch {
            return None;
        }
        return match target.libc {
            Some((Libc::Glibc, have_major, have_minor)) => ((major, minor)
                <= (have_major, have_minor))
                .then(|| distance((have_major, have_minor), (major, minor))),
            Some((Libc::Musl, ..)) => None,
            None => Some(distance((2, 999), (major, minor))),
        };
    }
    if let Some((major, minor, tag_arch)) = versioned(plat, "musllinux") {
        if tag_arch != arch {
            return None;
        }
        return match target.libc {
            Some((Libc::Musl, have_major, have_minor)) => ((major, minor)
                <= (have_major, have_minor))
                .then(|| distance((have_major, have_minor), (major, minor))),
            Some((Libc::Glibc, ..)) => None,
            // After every manylinux wheel.
            None => Some(5_000 + distance((1, 999), (major, minor))),
        };
    }
    // The plain tag of a local build: accepted on Linux, after every portable tag.
    (plat.strip_prefix("linux_") == Some(arch)).then_some(9_000)
}

/// How far an older `(major, minor)` is behind a newer one, for ordering only.
fn distance(newer: (u32, u32), older: (u32, u32)) -> u32 {
    (newer.0 * 1_000 + newer.1).saturating_sub(older.0 * 1_000 + older.1)
}

fn macos_rank(plat: &str, arch: Arch, version: (u32, u32)) -> Option<u32> {
    let (major, minor, format) = versioned(plat, "macosx")?;
    // The binary formats that run on the architecture, preferred first.
    let formats: &[&str] = match arch {
        Arch::X86_64 => &[
            "x86_64",
            "intel",
            "fat64",
            "fat32",
            "universal2",
            "universal",
        ],
        Arch::Aarch64 => &["arm64", "universal2"],
        Arch::X86 => &["i386", "intel", "fat32", "fat", "universal"],
        _ => return None,
    };
    let format_index = formats.iter().position(|f| *f == format)?;
    if (major, minor) > version {
        return None;
    }
    // Since macOS 11 the major version counts releases; before it, 10.x did.
    let step = |(major, minor): (u32, u32)| {
        if major >= 11 {
            major * 100
        } else {
            1_000 + minor
        }
    };
    let behind = step(version).saturating_sub(step((major, minor)));
    Some(behind * 10 + u32::try_from(format_index).unwrap_or(9))
}

/// The installed C library, best effort, without running anything: glibc with the newest
/// `GLIBC_2.N` symbol version its `libc.so.6` defines (a lower bound of its real version), else
/// musl when its loader is present, else glibc [`Target::DEFAULT_GLIBC`].
fn detect_linux_libc() -> (Libc, u32, u32) {
    const LIBC_PATHS: &[&str] = &[
        "/lib64/libc.so.6",
        "/usr/lib64/libc.so.6",
        "/lib/x86_64-linux-gnu/libc.so.6",
        "/usr/lib/x86_64-linux-gnu/libc.so.6",
        "/lib/aarch64-linux-gnu/libc.so.6",
        "/usr/lib/aarch64-linux-gnu/libc.so.6",
        "/lib/libc.so.6",
        "/usr/lib/libc.so.6",
    ];
    for path in LIBC_PATHS {
        if let Ok(bytes) = std::fs::read(path)
            && let Some(minor) = newest_glibc_symbol_version(&bytes)
        {
            return (Libc::Glibc, 2, minor.max(Target::DEFAULT_GLIBC.1));
        }
    }
    let has_musl_loader = std::fs::read_dir("/lib").is_ok_and(|entries| {
        entries
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().starts_with("ld-musl-"))
    });
    if has_musl_loader {
        (Libc::Musl, Target::DEFAULT_MUSL.0, Target::DEFAULT_MUSL.1)
    } else {
        (
            Libc::Glibc,
            Target::DEFAULT_GLIBC.0,
            Target::DEFAULT_GLIBC.1,
        )
    }
}

/// The largest `N` of the `GLIBC_2.N` strings in a libc binary.
fn newest_glibc_symbol_version(bytes: &[u8]) -> Option<u32> {
    const NEEDLE: &[u8] = b"GLIBC_2.";
    let mut newest = None;
    let mut at = 0;
    while let Some(found) = bytes[at..].windows(NEEDLE.len()).position(|w| w == NEEDLE) {
        let start = at + found + NEEDLE.len();
        let digits = bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if let Some(minor) = std::str::from_utf8(&bytes[start..start + digits])
            .ok()
            .and_then(|d| d.parse::<u32>().ok())
        {
            newest = newest.max(Some(minor));
        }
        at = start;
    }
    newest
}

/// The running macOS version from `SystemVersion.plist` (`<key>ProductVersion</key>` then
/// `<string>14.5</string>`).
fn detect_macos_version() -> Option<(u32, u32)> {
    let text = std::fs::read_to_string("/System/Library/CoreServices/SystemVersion.plist").ok()?;
    let after_key = &text[text.find("<key>ProductVersion</key>")?..];
    let value = &after_key[after_key.find("<string>")? + "<string>".len()..];
    let value = &value[..value.find('<')?];
    let mut parts = value.trim().split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().map_or(Some(0), |m| m.parse().ok())?;
    Some((major, minor))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn linux(arch: Arch, glibc_minor: u32) -> Target {
        Target {
            python: (3, 12),
            os: Os::Linux,
            arch,
            libc: Some((Libc::Glibc, 2, glibc_minor)),
        }
    }

    fn musl(arch: Arch, minor: u32) -> Target {
        Target {
            libc: Some((Libc::Musl, 1, minor)),
            ..linux(arch, 17)
        }
    }

    fn mac(arch: Arch, major: u32, minor: u32) -> Target {
        Target {
            python: (3, 12),
            os: Os::MacOs { major, minor },
            arch,
            libc: None,
        }
    }

    fn windows(arch: Arch) -> Target {
        Target {
            python: (3, 12),
            os: Os::Windows,
            arch,
            libc: None,
        }
    }

    #[test]
    fn parses_wheel_names() {
        let w = WheelName::parse(
            "numpy-2.1.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        )
        .unwrap();
        assert_eq!(w.name, "numpy");
        assert_eq!(w.version, "2.1.3");
        assert_eq!(w.build, None);
        assert_eq!(w.python_tags, ["cp312"]);
        assert_eq!(w.abi_tags, ["cp312"]);
        assert_eq!(
            w.platform_tags,
            ["manylinux_2_17_x86_64", "manylinux2014_x86_64"]
        );
        assert_eq!(w.tags().count(), 2);

        let w = WheelName::parse("six-1.16.0-1build-py2.py3-none-any.WHL").unwrap();
        assert_eq!(w.build.as_deref(), Some("1build"));
        assert_eq!(w.python_tags, ["py2", "py3"]);
        assert_eq!(
            w.tags().collect::<Vec<_>>(),
            [("py2", "none", "any"), ("py3", "none", "any")]
        );

        for bad in [
            "six-1.16.0.tar.gz",
            "six-py3-none-any.whl",
            "six-1.16.0-x-py3-none-any.whl",
            "six-1.16.0--none-any.whl",
            "six-1.16.0-py3..py2-none-any.whl",
            "a-1-2-3-py3-none-any.whl",
            ".whl",
            "é.whl",
        ] {
            assert!(WheelName::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            WheelName::parse("six.zip").unwrap_err().to_string(),
            "`six.zip` is not a wheel file name: it does not end in `.whl`"
        );
    }

    #[test]
    fn compatibility_table() {
        let x86_linux = linux(Arch::X86_64, 28);
        let old_linux = linux(Arch::X86_64, 17);
        let arm_linux = linux(Arch::Aarch64, 31);
        let alpine = musl(Arch::X86_64, 2);
        let mac_arm = mac(Arch::Aarch64, 14, 0);
        let mac_intel = mac(Arch::X86_64, 13, 0);
        let mac_old = mac(Arch::X86_64, 10, 15);
        let win = windows(Arch::X86_64);
        let win32 = windows(Arch::X86);
        let win_arm = windows(Arch::Aarch64);
        let py311 = x86_linux.with_python(3, 11);
        let py313 = x86_linux.with_python(3, 13);

        let table: &[(&str, &Target, bool)] = &[
            // Pure Python.
            ("six-1.16.0-py2.py3-none-any.whl", &x86_linux, true),
            ("six-1.16.0-py2.py3-none-any.whl", &win, true),
            ("six-1.16.0-py2.py3-none-any.whl", &mac_arm, true),
            ("idna-3.10-py3-none-any.whl", &alpine, true),
            ("oldlib-1.0-py2-none-any.whl", &x86_linux, false),
            (
                "typing_extensions-4.12.2-py312-none-any.whl",
                &x86_linux,
                true,
            ),
            ("typing_extensions-4.12.2-py312-none-any.whl", &py311, false),
            (
                "typing_extensions-4.12.2-py38-none-any.whl",
                &x86_linux,
                true,
            ),
            ("pkg-1.0-cp312-none-any.whl", &x86_linux, true),
            ("pkg-1.0-cp311-none-any.whl", &x86_linux, false),
            ("pkg-1.0-cp312-abi3-any.whl", &x86_linux, false),
            ("pkg-1.0-pp310-pypy310_pp73-any.whl", &x86_linux, false),
            // CPython ABI and the stable ABI.
            (
                "numpy-2.1.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                &x86_linux,
                true,
            ),
            (
                "numpy-2.1.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                &py311,
                false,
            ),
            (
                "numpy-2.1.3-cp313-cp313t-manylinux_2_17_x86_64.whl",
                &py313,
                false,
            ),
            (
                "cryptography-43.0.3-cp39-abi3-manylinux_2_28_x86_64.whl",
                &x86_linux,
                true,
            ),
            (
                "cryptography-43.0.3-cp39-abi3-manylinux_2_28_x86_64.whl",
                &old_linux,
                false,
            ),
            (
                "cryptography-43.0.3-cp313-abi3-manylinux_2_17_x86_64.whl",
                &x86_linux,
                false,
            ),
            (
                "cryptography-43.0.3-cp37-abi3-manylinux2014_x86_64.whl",
                &old_linux,
                true,
            ),
            (
                "cffi-1.17.1-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
                &x86_linux,
                false,
            ),
            (
                "cffi-1.17.1-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
                &arm_linux,
                true,
            ),
            (
                "old-1.0-cp312-cp312-manylinux1_x86_64.whl",
                &old_linux,
                true,
            ),
            (
                "old-1.0-cp312-cp312-manylinux2010_x86_64.whl",
                &old_linux,
                true,
            ),
            ("old-1.0-cp312-cp312-manylinux1_i686.whl", &old_linux, false),
            ("local-1.0-cp312-cp312-linux_x86_64.whl", &x86_linux, true),
            ("local-1.0-cp312-cp312-linux_aarch64.whl", &x86_linux, false),
            (
                "pure-1.0-py3-none-manylinux_2_17_x86_64.whl",
                &x86_linux,
                true,
            ),
            // musl.
            (
                "orjson-3.10.11-cp312-cp312-musllinux_1_2_x86_64.whl",
                &alpine,
                true,
            ),
            (
                "orjson-3.10.11-cp312-cp312-musllinux_1_2_x86_64.whl",
                &x86_linux,
                false,
            ),
            (
                "orjson-3.10.11-cp312-cp312-manylinux_2_17_x86_64.whl",
                &alpine,
                false,
            ),
            (
                "orjson-3.10.11-cp312-cp312-musllinux_1_2_aarch64.whl",
                &alpine,
                false,
            ),
            // macOS.
            (
                "numpy-2.1.3-cp312-cp312-macosx_14_0_arm64.whl",
                &mac_arm,
                true,
            ),
            (
                "numpy-2.1.3-cp312-cp312-macosx_14_0_x86_64.whl",
                &mac_arm,
                false,
            ),
            (
                "numpy-2.1.3-cp312-cp312-macosx_14_0_x86_64.whl",
                &mac_intel,
                false,
            ),
            (
                "numpy-2.1.3-cp312-cp312-macosx_10_13_x86_64.whl",
                &mac_intel,
                true,
            ),
            (
                "numpy-2.1.3-cp312-cp312-macosx_10_13_x86_64.whl",
                &mac_old,
                true,
            ),
            (
                "numpy-2.1.3-cp312-cp312-macosx_11_0_arm64.whl",
                &mac_old,
                false,
            ),
            (
                "pyyaml-6.0.2-cp312-cp312-macosx_10_9_universal2.whl",
                &mac_arm,
                true,
            ),
            (
                "pyyaml-6.0.2-cp312-cp312-macosx_10_9_universal2.whl",
                &mac_intel,
                true,
            ),
            (
                "numpy-2.1.3-cp312-cp312-macosx_14_0_arm64.whl",
                &x86_linux,
                false,
            ),
            // Windows.
            ("numpy-2.1.3-cp312-cp312-win_amd64.whl", &win, true),
            ("numpy-2.1.3-cp312-cp312-win_amd64.whl", &win32, false),
            ("numpy-2.1.3-cp312-cp312-win32.whl", &win32, true),
            ("numpy-2.1.3-cp312-cp312-win_arm64.whl", &win_arm, true),
            ("numpy-2.1.3-cp312-cp312-win_arm64.whl", &win, false),
            ("numpy-2.1.3-cp312-cp312-win_amd64.whl", &x86_linux, false),
            // Not wheels.
            ("numpy-2.1.3.tar.gz", &x86_linux, false),
        ];
        for (file, target, expected) in table {
            assert_eq!(wheel_matches(file, target), *expected, "{file} on {target}");
        }
    }

    #[test]
    fn unknown_libc_accepts_any_manylinux_and_other_os_only_any() {
        let unknown = Target {
            libc: None,
            ..linux(Arch::X86_64, 17)
        };
        assert!(wheel_matches(
            "a-1-cp312-cp312-manylinux_2_39_x86_64.whl",
            &unknown
        ));
        assert!(wheel_matches(
            "a-1-cp312-cp312-musllinux_1_2_x86_64.whl",
            &unknown
        ));
        let bsd = Target {
            os: Os::Other,
            libc: None,
            ..linux(Arch::X86_64, 17)
        };
        assert!(wheel_matches("a-1-py3-none-any.whl", &bsd));
        assert!(!wheel_matches(
            "a-1-cp312-cp312-manylinux_2_17_x86_64.whl",
            &bsd
        ));
    }

    #[test]
    fn select_orders_by_installer_preference() {
        let files = [
            "numpy-2.1.3-cp312-cp312-win_amd64.whl",
            "numpy-2.1.3-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "numpy-2.1.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "numpy-2.1.3-cp312-cp312-musllinux_1_2_x86_64.whl",
            "numpy-2.1.3-cp312-cp312-manylinux_2_28_x86_64.whl",
            "numpy-2.1.3-cp312-cp312-macosx_10_13_x86_64.whl",
            "numpy-2.1.3-cp312-cp312-macosx_11_0_arm64.whl",
            "numpy-2.1.3-cp312-cp312-macosx_14_0_arm64.whl",
        ];
        assert_eq!(select(&files, &linux(Arch::X86_64, 31)), [4, 2]);
        assert_eq!(select(&files, &linux(Arch::X86_64, 17)), [2]);
        assert_eq!(select(&files, &musl(Arch::X86_64, 2)), [3]);
        assert_eq!(select(&files, &mac(Arch::Aarch64, 15, 1)), [7, 6]);
        assert_eq!(select(&files, &mac(Arch::Aarch64, 13, 0)), [6]);
        assert_eq!(select(&files, &mac(Arch::X86_64, 14, 0)), [5]);
        assert_eq!(select(&files, &windows(Arch::X86_64)), [0]);
        assert!(select(&files, &windows(Arch::Aarch64)).is_empty());
        assert!(select(&files, &linux(Arch::X86_64, 31).with_python(3, 10)).is_empty());

        // Own ABI before abi3 before pure Python before `any`.
        let files = [
            "pkg-1.0-py3-none-any.whl",
            "pkg-1.0-cp38-abi3-manylinux_2_17_x86_64.whl",
            "pkg-1.0-py3-none-manylinux_2_17_x86_64.whl",
            "pkg-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
            "pkg-1.0-cp310-abi3-manylinux_2_17_x86_64.whl",
        ];
        assert_eq!(select(&files, &linux(Arch::X86_64, 28)), [3, 4, 1, 2, 0]);
        assert_eq!(select(&files, &windows(Arch::X86_64)), [0]);
        // `py2.py3` and `py3` tie: file order decides.
        let files = ["a-1-py2.py3-none-any.whl", "a-1-py3-none-any.whl"];
        assert_eq!(select(&files, &windows(Arch::X86_64)), [0, 1]);
    }

    #[test]
    fn python_versions_from_project_files() {
        assert_eq!(python_version_from_file("3.12\n"), Some((3, 12)));
        assert_eq!(
            python_version_from_file("# pinned\n\ncpython-3.11.4-linux\n"),
            Some((3, 11))
        );
        assert_eq!(python_version_from_file("cpython@3.13t"), Some((3, 13)));
        assert_eq!(python_version_from_file("3"), None);
        assert_eq!(python_version_from_file(""), None);
        assert_eq!(
            python_version_from_requires_python(">=3.10, <4"),
            Some((3, 10))
        );
        assert_eq!(
            python_version_from_requires_python("~=3.11.2"),
            Some((3, 11))
        );
        assert_eq!(
            python_version_from_requires_python("==3.12.*"),
            Some((3, 12))
        );
        assert_eq!(python_version_from_requires_python("<3.13"), None);
    }

    #[test]
    fn current_and_consts() {
        let t = Target::current();
        assert_eq!(t.python, Target::DEFAULT_PYTHON);
        assert_eq!(t.os == Os::Linux, t.libc.is_some());
        let t = Target::from_consts("macos", "aarch64");
        assert_eq!(
            (t.os, t.arch, t.libc),
            (
                Os::MacOs {
                    major: 12,
                    minor: 0
                },
                Arch::Aarch64,
                None
            )
        );
        assert_eq!(
            Target::from_consts("linux", "x86_64").to_string(),
            "CPython 3.12 on Linux x86_64 (glibc 2.17)"
        );
        assert_eq!(
            Target::from_consts("windows", "x86").to_string(),
            "CPython 3.12 on Windows x86"
        );
        assert_eq!(
            newest_glibc_symbol_version(
                b"\0GLIBC_2.2.5\0GLIBC_2.34\0GLIBC_2.4\0GLIBC_PRIVATE\0GLIBC_2."
            ),
            Some(34)
        );
        assert_eq!(newest_glibc_symbol_version(b"musl"), None);
    }
}
