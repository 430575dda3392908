//! Members already scanned in this run. A lockfile's wheels for several platforms, or a wheel
//! and the sdist of the same release, ship the same Python files; scanning them once and
//! reusing the evidence keeps `cordon scan --lock --all-platforms` from paying for each copy.
//!
//! A member is reused only when everything its evidence depends on is the same: its bytes
//! (a 64-bit SipHash digest under a random per-process key, so a crafted collision cannot be
//! aimed at, and the length), its file name, its role, the rules it was given (all, or the
//! few `rules::rules_for` gives code that does not run), and that it is ordinary Python —
//! install-time code, `.pth` files, bytecode and metadata are judged against the rest of their
//! artifact and are always scanned afresh.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Condvar, Mutex};

use crate::model::{Evidence, Member, MemberRole};
use crate::rules::CodeKind;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    digest: u64,
    len: usize,
    file: String,
    role: MemberRole,
    /// Given only the rules that count where its code does not run (`rules::rules_for`).
    light: bool,
}

/// How a member is scanned, besides its bytes and name: what its evidence depends on.
#[derive(Debug, Clone, Copy)]
pub struct How {
    pub role: MemberRole,
    pub kind: CodeKind,
    /// Given only the rules `rules::rules_for` gives code that does not run.
    pub light: bool,
}

/// Evidence of members scanned so far, keyed by content; shared by the threads of one run.
#[derive(Debug, Default)]
pub struct MemberCache {
    key: RandomState,
    seen: Mutex<HashMap<Key, Arc<Slot>>>,
}

/// One key's entry: filled once its first scan ends. A thread meeting a member another thread
/// is scanning waits for that scan instead of repeating it (a wheel and its sdist are often
/// read at the same time).
#[derive(Debug, Default)]
struct Slot {
    done: Mutex<Option<Filled>>,
    ready: Condvar,
}

#[derive(Debug)]
enum Filled {
    Scanned(Arc<Cached>),
    /// The scan did not finish (it panicked): whoever waited scans for itself.
    Abandoned,
}

/// Fills a slot as abandoned unless the scan filled it (a panic unwinding through the scan).
struct Fill<'s> {
    slot: &'s Slot,
    filled: bool,
}

impl Fill<'_> {
    fn with(mut self, cached: Arc<Cached>) {
        self.set(Filled::Scanned(cached));
        self.filled = true;
    }

    fn set(&self, f: Filled) {
        if let Ok(mut d) = self.slot.done.lock() {
            *d = Some(f);
        }
        self.slot.ready.notify_all();
    }
}

impl Drop for Fill<'_> {
    fn drop(&mut self) {
        if !self.filled {
            self.set(Filled::Abandoned);
        }
    }
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

    /// Waits for the thread scanning `slot`'s member; `None` when that scan was abandoned.
    fn wait(slot: &Slot) -> Option<Arc<Cached>> {
        let mut done = slot.done.lock().ok()?;
        while done.is_none() {
            done = slot.ready.wait(done).ok()?;
        }
        match done.as_ref()? {
            Filled::Scanned(c) => Some(Arc::clone(c)),
            Filled::Abandoned => None,
        }
    }

    /// The key of a member that may be reused, or `None`.
    fn key(&self, member: &Member, How { role, kind, light }: How) -> Option<Key> {
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
            light,
        })
    }

    /// Scans `member` with `scan`, or reuses what an identical member gave, its paths renamed.
    pub fn scan_or_reuse(
        &self,
        member: &Member,
        how: How,
        out: &mut Vec<Evidence>,
        scan: impl FnOnce(&mut Vec<Evidence>),
    ) {
        self.scan_reuse_or_defer(member, how, out, scan, false);
    }

    /// [`MemberCache::scan_or_reuse`], except that a member another thread is scanning right
    /// now is left alone: answers false, having done nothing, so the caller can do other work
    /// first and come back with `scan_or_reuse` (which then waits, if it must).
    pub fn scan_or_defer(
        &self,
        member: &Member,
        how: How,
        out: &mut Vec<Evidence>,
        scan: impl FnOnce(&mut Vec<Evidence>),
    ) -> bool {
        self.scan_reuse_or_defer(member, how, out, scan, true)
    }

    fn scan_reuse_or_defer(
        &self,
        member: &Member,
        how: How,
        out: &mut Vec<Evidence>,
        scan: impl FnOnce(&mut Vec<Evidence>),
        defer: bool,
    ) -> bool {
        let Some(key) = self.key(member, how) else {
            scan(out);
            return true;
        };
        // The first thread to meet the key claims its slot; the others wait on it.
        let Ok(mut map) = self.seen.lock() else {
            scan(out);
            return true;
        };
        let (slot, mine) = if let Some(slot) = map.get(&key) {
            (Arc::clone(slot), false)
        } else {
            let slot = Arc::new(Slot::default());
            map.insert(key, Arc::clone(&slot));
            (slot, true)
        };
        drop(map);
        if mine {
            let fill = Fill {
                slot: &slot,
                filled: false,
            };
            let mut found = Vec::new();
            scan(&mut found);
            out.extend(found.iter().cloned());
            fill.with(Arc::new(Cached {
                path: member.path.clone(),
                evidence: found,
            }));
            return true;
        }
        if defer && slot.done.lock().is_ok_and(|d| d.is_none()) {
            return false;
        }
        let Some(cached) = Self::wait(&slot) else {
            scan(out);
            return true;
        };
        out.extend(cached.evidence.iter().map(|e| {
            let mut e = e.clone();
            if let Some(m) = &e.member
                && let Some(rest) = m.strip_prefix(&cached.path)
            {
                e.member = Some(format!("{}{rest}", member.path));
            }
            e
        }));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ordinary package Python, given every rule.
    const PY: How = How {
        role: MemberRole::Package,
        kind: CodeKind::Python,
        light: false,
    };
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
        cache.scan_or_reuse(&a, PY, &mut out, |o| {
            runs += 1;
            o.push(found(&a.path));
        });
        cache.scan_or_reuse(&b, PY, &mut out, |o| {
            runs += 1;
            o.push(found(&b.path));
        });
        assert_eq!(runs, 1);
        assert_eq!(out[1].member.as_deref(), Some("x/m.py#decoded"));
    }

    #[test]
    fn a_member_being_scanned_by_another_thread_is_waited_for_not_scanned_again() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let cache = MemberCache::new();
        let runs = AtomicUsize::new(0);
        let copies: Vec<Member> = (0..4)
            .map(|i| member(&format!("copy{i}/x/m.py"), b"import os\n"))
            .collect();
        let outs: Vec<Vec<Evidence>> = std::thread::scope(|s| {
            let handles: Vec<_> = copies
                .iter()
                .map(|m| {
                    let (cache, runs) = (&cache, &runs);
                    s.spawn(move || {
                        let mut out = Vec::new();
                        cache.scan_or_reuse(m, PY, &mut out, |o| {
                            runs.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(std::time::Duration::from_millis(100));
                            o.push(found(&m.path));
                        });
                        out
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        for (m, out) in copies.iter().zip(&outs) {
            assert_eq!(out.len(), 1);
            assert_eq!(
                out[0].member.as_deref(),
                Some(format!("{}#decoded", m.path).as_str())
            );
        }

        // Deferring: while the first copy is being scanned, another is left alone.
        let cache = MemberCache::new();
        let (a, b) = (
            member("a/x/d.py", b"x = 1\n"),
            member("b/x/d.py", b"x = 1\n"),
        );
        let (started, release) = (std::sync::Barrier::new(2), std::sync::Barrier::new(2));
        std::thread::scope(|s| {
            s.spawn(|| {
                cache.scan_or_reuse(&a, PY, &mut Vec::new(), |o| {
                    started.wait();
                    release.wait();
                    o.push(found(&a.path));
                });
            });
            started.wait();
            let mut out = Vec::new();
            let done = cache.scan_or_defer(&b, PY, &mut out, |_| {
                panic!("a member another thread is scanning is not scanned again")
            });
            assert!(!done && out.is_empty());
            release.wait();
        });
        let mut out = Vec::new();
        assert!(cache.scan_or_defer(
            &b,
            How {
                role: MemberRole::Package,
                kind: CodeKind::Python,
                light: false
            },
            &mut out,
            |_| { panic!("reused, not scanned") }
        ));
        assert_eq!(out[0].member.as_deref(), Some("b/x/d.py#decoded"));

        // A scan that panics leaves its slot abandoned: the next copy is scanned afresh.
        let cache = MemberCache::new();
        let a = member("a/x/n.py", b"import sys\n");
        let b = member("b/x/n.py", b"import sys\n");
        let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            cache.scan_or_reuse(&a, PY, &mut Vec::new(), |_| panic!("scanner bug"));
        }));
        assert!(failed.is_err());
        let mut out = Vec::new();
        cache.scan_or_reuse(&b, PY, &mut out, |o| {
            o.push(found(&b.path));
        });
        assert_eq!(out[0].member.as_deref(), Some("b/x/n.py#decoded"));
    }

    #[test]
    fn different_bytes_names_roles_or_install_time_code_are_scanned_afresh() {
        let cache = MemberCache::new();
        let mut runs = 0;
        let mut scan = |m: &Member, role, kind| {
            cache.scan_or_reuse(
                m,
                How {
                    role,
                    kind,
                    light: false,
                },
                &mut Vec::new(),
                |_| runs += 1,
            );
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
