//! `embedded-binary` (artifact rule): native executables (PE, ELF, Mach-O, told by their magic
//! bytes, not their names) inside a distribution that should have none — a pure-Python wheel
//! (`*-none-any`, `Root-Is-Purelib: true`) or an sdist. Compiled extensions in platform wheels
//! are normal; script launchers (`t64.exe`, `cli-64.exe`, ...) and vendored copies are Low.

use cordon_diagnostics::{Confidence, Severity};

use super::{MemberRole, Rule, RuleMeta, role_of};
use crate::model::{Artifact, ArtifactKind, Behaviour, Evidence};

pub struct EmbeddedBinary;

static META: RuleMeta = RuleMeta {
    id: "embedded-binary",
    summary: "native executables (PE/ELF/Mach-O) in a pure-Python wheel or an sdist",
    emits: &[Behaviour::EmbeddedBinary],
    payloads: false,
};

/// What a native image is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Native {
    PeExe,
    PeDll,
    ElfExe,
    ElfShared,
    MachO,
}

impl Native {
    fn describe(self) -> &'static str {
        match self {
            Native::PeExe => "a Windows executable (PE)",
            Native::PeDll => "a Windows DLL (PE)",
            Native::ElfExe => "a Linux executable (ELF)",
            Native::ElfShared => "a Linux shared object or PIE (ELF)",
            Native::MachO => "a macOS binary (Mach-O)",
        }
    }

    fn is_library(self) -> bool {
        matches!(self, Native::PeDll | Native::ElfShared | Native::MachO)
    }
}

/// The native image `data` is, by its magic bytes.
pub fn native_kind(data: &[u8]) -> Option<Native> {
    if data.len() >= 64 && data.starts_with(b"MZ") {
        let lfanew = u32::from_le_bytes([data[0x3c], data[0x3d], data[0x3e], data[0x3f]]) as usize;
        if data.get(lfanew..lfanew + 4) == Some(b"PE\0\0") {
            let ch = data
                .get(lfanew + 22..lfanew + 24)
                .map_or(0, |b| u16::from_le_bytes([b[0], b[1]]));
            return Some(if ch & 0x2000 != 0 {
                Native::PeDll
            } else {
                Native::PeExe
            });
        }
        return None;
    }
    if data.len() >= 20 && data.starts_with(b"\x7fELF") {
        let e_type = if data[5] == 2 {
            u16::from_be_bytes([data[16], data[17]])
        } else {
            u16::from_le_bytes([data[16], data[17]])
        };
        return Some(if e_type == 2 {
            Native::ElfExe
        } else {
            Native::ElfShared
        });
    }
    if data.len() >= 8 {
        let magic = [data[0], data[1], data[2], data[3]];
        if matches!(
            magic,
            [0xfe, 0xed, 0xfa, 0xce | 0xcf] | [0xce | 0xcf, 0xfa, 0xed, 0xfe]
        ) {
            return Some(Native::MachO);
        }
        if magic == [0xca, 0xfe, 0xba, 0xbe] {
            let n = u32::from_be_bytes([data[4], data[5], data[6], data[7]]);
            if (1..20).contains(&n) {
                return Some(Native::MachO);
            }
        }
    }
    None
}

/// True when the artifact declares itself pure Python: `-none-any` wheel tags or
/// `Root-Is-Purelib: true`. `None` when it cannot tell.
fn is_pure(artifact: &Artifact) -> Option<bool> {
    let file = artifact
        .path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(&artifact.path);
    if let Ok(w) = cordon_python::wheel_tags::WheelName::parse(file) {
        return Some(
            w.abi_tags.iter().all(|a| a == "none") && w.platform_tags.iter().all(|p| p == "any"),
        );
    }
    let wheel = artifact
        .members
        .iter()
        .find(|m| m.path.ends_with(".dist-info/WHEEL") && m.depth == 0)?;
    let text = String::from_utf8_lossy(&wheel.data);
    let purelib = text
        .lines()
        .any(|l| l.trim().eq_ignore_ascii_case("Root-Is-Purelib: true"));
    let tags_any = text
        .lines()
        .filter_map(|l| l.strip_prefix("Tag:"))
        .all(|t| t.trim().ends_with("-none-any"));
    Some(purelib && tags_any)
}

fn is_launcher(file: &str) -> bool {
    let f = file.to_ascii_lowercase();
    let stem = f.trim_end_matches(".exe");
    f.ends_with(".exe")
        && (matches!(
            stem,
            "t32" | "t64" | "w32" | "w64" | "t64-arm" | "w64-arm" | "cli" | "gui"
        ) || stem.starts_with("cli-")
            || stem.starts_with("gui-"))
}

impl Rule for EmbeddedBinary {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_artifact(&self, artifact: &Artifact, out: &mut Vec<Evidence>) {
        let pure = match artifact.kind {
            ArtifactKind::Sdist => Some(true),
            ArtifactKind::Wheel | ArtifactKind::Installed => is_pure(artifact),
            ArtifactKind::Directory | ArtifactKind::Unlisted => None,
        };
        let mut n = 0;
        for m in &artifact.members {
            let Some(kind) = native_kind(&m.data) else {
                continue;
            };
            let file = m.path.rsplit('/').next().unwrap_or(&m.path);
            let role = role_of(artifact, m);
            let severity = match pure {
                Some(true) if is_launcher(file) || role == MemberRole::Vendored => Severity::Low,
                Some(true) => Severity::Medium,
                _ if kind.is_library() => continue,
                _ if is_launcher(file) => continue,
                _ => Severity::Low,
            };
            let context = match pure {
                Some(true) if artifact.kind == ArtifactKind::Sdist => "in a source distribution",
                Some(true) => "in a pure-Python distribution",
                _ => "in the distribution",
            };
            n += 1;
            if n > 25 {
                break;
            }
            out.push(
                Evidence::new(
                    META.id,
                    Behaviour::EmbeddedBinary,
                    severity,
                    format!("{} {context}: {file}", kind.describe()),
                )
                .in_member(&m.path)
                .with_confidence(Confidence::High),
            );
        }
    }
}
