//! Members already scanned in this run. A lockfile's wheels for several platforms, or a wheel
//! and the sdist of the same release, ship the same Python files; scanning them once and
//! reusing the evidence keeps `cordon scan --lock --all-platforms` from paying for each copy.
//!
//! A member is reused only when everything its evidence depends on is the same: its bytes
//! (a 64-bit SipHash digest under a random per-process key, so a crafted collision cannot be
//! aimed at, and the length), its file name, its role, whether it is nested (which decides
//! the rules it is given, see `rules::rules_for`), and that it is ordinary Python —
//! install-time code, `.pth` files, bytecode and metadata are judged against the rest of their
//! artifact and are always scanned afresh.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex};

use crate::model::{Evidence, Member, MemberRole};
use crate::rules::CodeKind;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    digest: u64,
    len: usize,
    file: String,
    role: MemberRole,
    /// Inside an archive inside the artifact: given every rule whatever its role.
    nested: bool,
}

/// Evidence of members scanned so far, keyed by content; shared by the threads of one run.
#[derive(Debug, Default)]
pub struct MemberCache {
    key: RandomState,
    seen: Mutex<HashMap<Key, Arc<Cached>>>,
}

#[derive(Debug)]
struct Cached {
    /// The path the evidence was found under.
    path: String,
    evidence: Vec<Evidence>,
}

impl MemberCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// The key of a member that may be reused, or `None`.
    fn key(&self, member: &Member, role: MemberRole, kind: CodeKind) -> Option<Key> {
        let reusable = kind == CodeKind::Python
            && matches!(
                role,
                MemberRole::Package
                    | MemberRole::Peripheral
                    | MemberRole::Vendored
                    | MemberRole::Other
            );
        if !reusable {
            return None;
        }
        let file = member
            .path
            .rsplit(['/', '!'])
            .next()
            .unwrap_or(&member.path);
        Some(Key {
            digest: self.key.hash_one(&member.data),
            len: member.data.len(),
            file: file.to_owned(),
            role,
            nested: member.depth > 0,
        })
    }

    /// Scans `member` with `scan`, or reuses what an identical member gave, its paths renamed.
    pub fn scan_or_reuse(
        &self,
        member: &Member,
        role: MemberRole,
        kind: CodeKind,
        out: &mut Vec<Evidence>,
        scan: impl FnOnce(&mut Vec<Evidence>),
    ) {
        let Some(key) = self.key(member, role, kind) else {
            scan(out);
            return;
        };
        let hit = self.seen.lock().ok().and_then(|m| m.get(&key).cloned());
        if let Some(c) = hit {
            out.extend(c.evidence.iter().map(|e| {
                let mut e = e.clone();
                if let Some(m) = &e.member
                    && let Some(rest) = m.strip_prefix(&c.path)
                {
                    e.member = Some(format!("{}{rest}", member.path));
                }
                e
            }));
            return;
        }
        let mut found = Vec::new();
        scan(&mut found);
        out.extend(found.iter().cloned());
        if let Ok(mut m) = self.seen.lock() {
            m.insert(
                key,
                Arc::new(Cached {
                    path: member.path.clone(),
                    evidence: found,
                }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Behaviour;
    use cordon_diagnostics::Severity;

    fn member(path: &str, data: &[u8]) -> Member {
        Member::new(path.to_owned(), data.to_vec(), 0)
    }

    fn found(path: &str) -> Evidence {
        Evidence::new("t", Behaviour::Network, Severity::Low, "m")
            .in_member(format!("{path}#decoded"))
    }

    #[test]
    fn an_identical_member_is_reused_under_its_own_path() {
        let cache = MemberCache::new();
        let (a, b) = (
            member("x-1.0/x/m.py", b"import os\n"),
            member("x/m.py", b"import os\n"),
        );
        let mut out = Vec::new();
        let mut runs = 0;
        cache.scan_or_reuse(&a, MemberRole::Package, CodeKind::Python, &mut out, |o| {
            runs += 1;
            o.push(found(&a.path));
        });
        cache.scan_or_reuse(&b, MemberRole::Package, CodeKind::Python, &mut out, |o| {
            runs += 1;
            o.push(found(&b.path));
        });
        assert_eq!(runs, 1);
        assert_eq!(out[1].member.as_deref(), Some("x/m.py#decoded"));
    }

    #[test]
    fn different_bytes_names_roles_or_install_time_code_are_scanned_afresh() {
        let cache = MemberCache::new();
        let mut runs = 0;
        let mut scan = |m: &Member, role, kind| {
            cache.scan_or_reuse(m, role, kind, &mut Vec::new(), |_| runs += 1);
        };
        scan(
            &member("a/m.py", b"x = 1\n"),
            MemberRole::Package,
            CodeKind::Python,
        );
        scan(
            &member("b/m.py", b"x = 2\n"),
            MemberRole::Package,
            CodeKind::Python,
        );
        scan(
            &member("b/n.py", b"x = 1\n"),
            MemberRole::Package,
            CodeKind::Python,
        );
        scan(
            &member("b/m.py", b"x = 1\n"),
            MemberRole::Peripheral,
            CodeKind::Python,
        );
        scan(
            &member("a/setup.py", b"x = 1\n"),
            MemberRole::InstallTime,
            CodeKind::Python,
        );
        scan(
            &member("b/setup.py", b"x = 1\n"),
            MemberRole::InstallTime,
            CodeKind::Python,
        );
        scan(
            &member("a/x.pth", b"import x\n"),
            MemberRole::Pth,
            CodeKind::Pth,
        );
        scan(
            &member("b/x.pth", b"import x\n"),
            MemberRole::Pth,
            CodeKind::Pth,
        );
        assert_eq!(runs, 8);
    }
}
