//! From evidence to a verdict. A capability alone (network, processes, file reads, `exec`) is
//! what honest packages do all day; a threat is a *chain* of behaviours in one place — secrets
//! read and sent out, a download run, decoded data executed, a shell wired to a socket — and
//! where the code runs weighs it: install-time code and `.pth` files run without anyone
//! importing anything; tests, docs, examples and vendored tooling run only when someone asks.
//!
//! Each chain is one rule of judgement below ([`CHAINS`]): the behaviours it needs in one
//! member (a decoded payload counts as part of the member it was decoded from), the roles it
//! applies to, the verdict and score it gives, and the sentence that explains it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cordon_diagnostics::Severity;

use crate::model::{Artifact, Behaviour, Evidence, Member, MemberRole, ScannedArtifact, Verdict};
use crate::rules::role_of;

use Behaviour as B;

/// One way evidence adds up to a threat.
struct Chain {
    /// Every group must be matched by at least one behaviour present.
    needs: &'static [&'static [Behaviour]],
    /// Roles this chain applies to (empty: any).
    roles: &'static [MemberRole],
    /// Behaviours of `needs` that count only when reported at High severity.
    high: &'static [Behaviour],
    verdict: Verdict,
    score: u32,
    reason: &'static str,
}

const RUNS_UNASKED: &[MemberRole] = &[MemberRole::InstallTime, MemberRole::Pth];
const RUNS: &[MemberRole] = &[
    MemberRole::InstallTime,
    MemberRole::Pth,
    MemberRole::Package,
    MemberRole::Other,
];

const SENDS: &[Behaviour] = &[B::NetworkSend, B::ExfilEndpoint, B::Network, B::Download];
const EXECUTES: &[Behaviour] = &[
    B::ProcessSpawn,
    B::HiddenProcess,
    B::DynamicExec,
    B::DecodeExec,
    B::DropExecutable,
];

/// The chains, strongest first. Honest libraries read credentials (requests reads `.netrc`,
/// botocore `~/.aws/credentials`), talk to chat APIs (tqdm's Telegram and Discord helpers),
/// download and run things (pip, virtualenv): in package code a chain needs the marks of theft —
/// an exfiltration endpoint, a hidden process, a dropped executable, executed decoded data. Code
/// that runs without anyone asking (install-time, `.pth`) is held to a stricter standard.
static CHAINS: &[Chain] = &[
    Chain {
        needs: &[&[B::ReverseShell]],
        roles: &[],
        high: &[],
        verdict: Verdict::Malicious,
        score: 98,
        reason: "opens a reverse shell: a remote party gets a shell on the machine",
    },
    Chain {
        needs: &[&[B::CredentialAccess, B::EnvDump], SENDS],
        roles: RUNS_UNASKED,
        high: &[],
        verdict: Verdict::Malicious,
        score: 96,
        reason: "reads credentials or the whole environment and sends data out",
    },
    Chain {
        needs: &[&[B::CredentialAccess], &[B::NetworkSend]],
        roles: RUNS,
        high: &[B::CredentialAccess, B::NetworkSend],
        verdict: Verdict::Malicious,
        score: 95,
        reason: "puts secrets it collected (wallet keys, cloud credentials, private key files) into data it sends out",
    },
    Chain {
        needs: &[&[B::CredentialAccess, B::EnvDump], &[B::ExfilEndpoint]],
        roles: RUNS,
        high: &[],
        verdict: Verdict::Malicious,
        score: 95,
        reason: "reads credentials or the whole environment next to an exfiltration endpoint",
    },
    Chain {
        needs: &[&[B::Download], EXECUTES],
        roles: RUNS_UNASKED,
        high: &[],
        verdict: Verdict::Malicious,
        score: 92,
        reason: "downloads code or an executable and runs it",
    },
    Chain {
        needs: &[
            &[B::Download],
            &[B::HiddenProcess, B::DropExecutable, B::DecodeExec],
        ],
        roles: RUNS,
        high: &[],
        verdict: Verdict::Malicious,
        score: 90,
        reason: "downloads code or an executable and runs it: hidden, from a dropped file, or straight from the response",
    },
    Chain {
        needs: &[&[B::DecodeExec]],
        roles: RUNS,
        high: &[],
        verdict: Verdict::Malicious,
        score: 90,
        reason: "executes code it decodes, deobfuscates or fetches at run time",
    },
    Chain {
        needs: &[
            &[B::PthExec],
            &[
                B::Network,
                B::NetworkSend,
                B::Download,
                B::ProcessSpawn,
                B::HiddenProcess,
                B::DynamicExec,
                B::DecodeExec,
                B::Obfuscation,
                B::ExfilEndpoint,
            ],
        ],
        roles: &[],
        high: &[],
        verdict: Verdict::Malicious,
        score: 90,
        reason: "a .pth file runs code that reaches the network, spawns processes or executes data at every Python start",
    },
    Chain {
        needs: &[
            &[B::DropExecutable],
            &[B::ProcessSpawn, B::HiddenProcess, B::Persistence],
        ],
        roles: RUNS,
        high: &[],
        verdict: Verdict::Malicious,
        score: 88,
        reason: "writes an executable to disk and starts it",
    },
    Chain {
        needs: &[
            &[B::Persistence],
            &[
                B::Download,
                B::HiddenProcess,
                B::DropExecutable,
                B::DecodeExec,
            ],
        ],
        roles: RUNS,
        high: &[],
        verdict: Verdict::Malicious,
        score: 88,
        reason: "installs itself to run again (cron, autostart, shell rc, run keys) and fetches or hides code",
    },
    Chain {
        needs: &[&[B::HiddenProcess]],
        roles: RUNS_UNASKED,
        high: &[],
        verdict: Verdict::Malicious,
        score: 85,
        reason: "starts a hidden or detached process while installing",
    },
    Chain {
        needs: &[
            &[B::ExfilEndpoint],
            &[
                B::NetworkSend,
                B::Recon,
                B::Network,
                B::Download,
                B::ProcessSpawn,
            ],
        ],
        roles: RUNS_UNASKED,
        high: &[],
        verdict: Verdict::Malicious,
        score: 85,
        reason: "talks to an exfiltration endpoint (chat webhook, paste or tunnelling service, raw IP) while installing",
    },
    Chain {
        needs: &[&[B::EnvDump], &[B::Recon], &[B::NetworkSend]],
        roles: RUNS,
        high: &[],
        verdict: Verdict::Malicious,
        score: 84,
        reason: "sends the whole environment out together with the host's identity",
    },
    Chain {
        needs: &[
            &[B::Recon],
            &[B::ExfilEndpoint],
            &[B::NetworkSend, B::Network],
        ],
        roles: RUNS,
        high: &[],
        verdict: Verdict::Malicious,
        score: 82,
        reason: "collects host information and sends it to an exfiltration endpoint",
    },
    Chain {
        needs: &[
            &[B::Recon, B::CredentialAccess, B::EnvDump],
            &[B::NetworkSend],
        ],
        roles: RUNS_UNASKED,
        high: &[],
        verdict: Verdict::Malicious,
        score: 80,
        reason: "collects host information and sends it out while installing",
    },
    Chain {
        needs: &[&[B::ExfilEndpoint], &[B::NetworkSend, B::Network]],
        roles: RUNS,
        high: &[B::ExfilEndpoint],
        verdict: Verdict::Suspicious,
        score: 65,
        reason: "makes requests next to a capture or interaction service, or a chat bot or webhook with its token",
    },
    Chain {
        needs: &[&[B::ProcessSpawn]],
        roles: RUNS_UNASKED,
        high: &[B::ProcessSpawn],
        verdict: Verdict::Suspicious,
        score: 55,
        reason: "runs a program that is no build tool while installing",
    },
    Chain {
        needs: &[&[B::Persistence, B::Download]],
        roles: RUNS_UNASKED,
        high: &[],
        verdict: Verdict::Suspicious,
        score: 50,
        reason: "fetches code or touches persistence locations while installing",
    },
    Chain {
        needs: &[&[B::Network, B::NetworkSend, B::ExfilEndpoint]],
        roles: RUNS_UNASKED,
        high: &[],
        verdict: Verdict::Suspicious,
        score: 50,
        reason: "reaches the network while installing",
    },
    Chain {
        needs: &[
            &[B::HiddenProcess],
            &[
                B::Network,
                B::NetworkSend,
                B::Download,
                B::ExfilEndpoint,
                B::Obfuscation,
                B::DecodeExec,
            ],
        ],
        roles: &[],
        high: &[],
        verdict: Verdict::Suspicious,
        score: 55,
        reason: "starts a hidden or detached process in code that reaches the network or hides itself",
    },
    Chain {
        needs: &[&[B::DecodeExec]],
        roles: &[],
        high: &[],
        verdict: Verdict::Suspicious,
        score: 50,
        reason: "executes decoded data (in tests, docs or vendored code)",
    },
    Chain {
        needs: &[
            &[B::Obfuscation],
            &[B::DynamicExec, B::ProcessSpawn, B::NetworkSend],
        ],
        roles: RUNS_UNASKED,
        high: &[],
        verdict: Verdict::Suspicious,
        score: 55,
        reason: "obfuscated code that executes or reaches out while installing",
    },
    Chain {
        needs: &[&[B::SourceTrick]],
        roles: RUNS,
        high: &[],
        verdict: Verdict::Suspicious,
        score: 50,
        reason: "hides code with bidirectional-control characters or homoglyphs",
    },
];

/// The part of a member path evidence belongs to: a payload decoded from `setup.py` is part of
/// `setup.py` (`setup.py#decoded`).
fn host_member(path: &str) -> &str {
    path.split('#').next().unwrap_or(path)
}

/// Judges an artifact from all the evidence found in it.
pub fn judge(artifact: &Artifact, mut evidence: Vec<Evidence>) -> ScannedArtifact {
    let loaders = Loaders::of(artifact);
    let by_path: HashMap<&str, &Member> = artifact
        .members
        .iter()
        .map(|m| (m.path.as_str(), m))
        .collect();
    let role_for = |path: &str| role_for(artifact, &by_path, &loaders, path);
    // Behaviours per member (artifact-wide evidence under ""), with the strongest severity.
    let mut by_member: BTreeMap<&str, BTreeMap<Behaviour, Severity>> = BTreeMap::new();
    for e in &evidence {
        let key = e.member.as_deref().map_or("", host_member);
        let slot = by_member
            .entry(key)
            .or_default()
            .entry(e.behaviour)
            .or_insert(e.severity);
        if e.severity > *slot {
            *slot = e.severity;
        }
    }
    let mut verdict = Verdict::Clean;
    let mut score = 0u32;
    let mut reasons: Vec<String> = Vec::new();
    // Members whose code installing or importing does not run: no part of a clean score.
    let mut weighed: BTreeSet<&str> = BTreeSet::new();
    for (member, behaviours) in &by_member {
        let role = role_for(member);
        if weighed_down(role) {
            weighed.insert(member);
        }
        // Rules report context at Info (a developer tool's own config file, a chat API base
        // URL, a place only named): in package code that is never a link of a chain.
        // Capabilities are Info by nature and do count.
        // Code that runs unasked (setup.py, .pth) has no business with any of it, so there
        // context counts too; so it does next to a capture service or a chat bot's token, which
        // honest code has no use for.
        let context_counts = RUNS_UNASKED.contains(&role)
            || behaviours.get(&B::ExfilEndpoint) == Some(&Severity::High);
        let present: BTreeSet<Behaviour> = behaviours
            .iter()
            .filter(|(b, sev)| **sev > Severity::Info || is_capability(**b) || context_counts)
            .map(|(b, _)| *b)
            .collect();
        for chain in CHAINS {
            if !chain.roles.is_empty() && !chain.roles.contains(&role) {
                continue;
            }
            if !chain.needs.iter().all(|g| {
                g.iter().any(|b| {
                    present.contains(b)
                        && (!chain.high.contains(b) || behaviours.get(b) == Some(&Severity::High))
                })
            }) {
                continue;
            }
            let (v, s) = weigh(chain.verdict, chain.score, role);
            if v == Verdict::Clean {
                continue;
            }
            let place = if member.is_empty() {
                String::new()
            } else {
                format!(" ({} code in `{member}`)", role.as_str())
            };
            reasons.push(format!("{}{place}", chain.reason));
            if (v, s) > (verdict, score) {
                verdict = v;
                score = s;
            }
            // The strongest chain of a member explains it; weaker ones would repeat it.
            break;
        }
    }
    // A hostile or broken archive (a bomb, path traversal) is never clean: part of it is unread.
    if verdict == Verdict::Clean
        && evidence.iter().any(|e| {
            e.behaviour == B::LimitExceeded
                && e.severity == Severity::High
                // Data shipped in tests or benchmarks (scipy's sparse `.npz` matrices compress
                // a thousandfold) and archives nested inside are not what gets installed.
                && e.member.as_deref().is_none_or(|m| {
                    !m.contains("!/")
                        && !matches!(
                            role_for(m),
                            MemberRole::Peripheral | MemberRole::Vendored
                        )
                })
        })
    {
        verdict = Verdict::Suspicious;
        score = 50;
        reasons.push("the archive is hostile or malformed: a reading limit was hit, or a member path escapes it".to_owned());
    }
    if verdict == Verdict::Clean {
        // A clean artifact still gets a small score from what its code can do.
        score = evidence
            .iter()
            .filter(|e| !weighed.contains(e.member.as_deref().map_or("", host_member)))
            .map(|e| match e.severity {
                Severity::High => 8,
                Severity::Medium => 4,
                Severity::Low => 1,
                Severity::Info => 0,
            })
            .sum::<u32>()
            .min(30);
    }
    evidence.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.member.cmp(&b.member))
            .then_with(|| a.line.cmp(&b.line))
    });
    ScannedArtifact {
        path: artifact.path.clone(),
        kind: artifact.kind,
        name: artifact.name.clone(),
        version: artifact.version.clone(),
        verdict,
        score: score.min(100),
        evidence,
        reasons,
        members: artifact.members.len(),
    }
}

/// Behaviours that are capabilities, reported at Info by nature.
fn is_capability(b: Behaviour) -> bool {
    matches!(
        b,
        B::InstallHook | B::Network | B::ProcessSpawn | B::DynamicExec | B::Recon | B::Evasion
    )
}

/// The role of the member at `path` (`""`: the artifact as a whole).
fn role_for(
    artifact: &Artifact,
    by_path: &HashMap<&str, &Member>,
    loaders: &Loaders<'_>,
    path: &str,
) -> MemberRole {
    if path.is_empty() {
        return MemberRole::Metadata;
    }
    match by_path.get(path) {
        Some(m) => loaders.role(artifact, m),
        None => MemberRole::Other,
    }
}

/// The install-time files of an artifact that load an archive with `zipimport` (almost always
/// none): they decide whether the code of an archive nested in the artifact runs at install.
pub struct Loaders<'a>(Vec<&'a Member>);

impl<'a> Loaders<'a> {
    pub fn of(artifact: &'a Artifact) -> Self {
        Self(
            artifact
                .members
                .iter()
                .filter(|m| {
                    // Install-time code is Python (setup.py and what it imports): data files,
                    // however large, are never searched.
                    m.depth == 0
                        && std::path::Path::new(&m.path)
                            .extension()
                            .is_some_and(|e| e.eq_ignore_ascii_case("py"))
                        && memchr::memmem::find(&m.data, b"zipimport").is_some()
                        && role_of(artifact, m) == MemberRole::InstallTime
                })
                .collect(),
        )
    }

    /// True when the archive holding the nested member `path` is loaded by one of the loaders
    /// (named in the same file).
    fn load(&self, path: &str) -> bool {
        let Some((outer, _)) = path.split_once("!/") else {
            return false;
        };
        let file = outer.rsplit('/').next().unwrap_or(outer).as_bytes();
        !file.is_empty()
            && self
                .0
                .iter()
                .any(|m| memchr::memmem::find(&m.data, file).is_some())
    }

    /// The role the verdict weighs `member` by. A distribution shipped inside this one
    /// (virtualenv's seed wheels) is data here: its code runs only when someone installs it,
    /// as its own artifact — unless setup.py itself loads the archive
    /// (`zipimport.zipimporter('my.zip')`): then it runs at install.
    pub fn role(&self, artifact: &Artifact, member: &Member) -> MemberRole {
        if member.depth == 0 {
            role_of(artifact, member)
        } else if self.load(&member.path) {
            MemberRole::InstallTime
        } else {
            MemberRole::Vendored
        }
    }
}

/// Tests, docs, examples and vendored tooling are not run by installing or importing: a
/// chain found there counts one level less.
fn weigh(verdict: Verdict, score: u32, role: MemberRole) -> (Verdict, u32) {
    if !weighed_down(role) {
        return (verdict, score);
    }
    match verdict {
        Verdict::Malicious => (Verdict::Suspicious, score * role.weight() / 100),
        _ => (Verdict::Clean, 0),
    }
}

/// Roles whose code neither installing nor importing runs (tests, docs, examples, vendored
/// tooling): a chain found there counts one level less ([`weigh`]).
pub fn weighed_down(role: MemberRole) -> bool {
    matches!(role, MemberRole::Peripheral | MemberRole::Vendored)
}

/// The behaviours that can change the verdict of a member the verdict weighs as `role`
/// ([`Loaders::role`]; `pth`: the member is a `.pth` file, the only place `PthExec` comes
/// from): those of every chain that applies to the role, can be completed there, and still
/// counts after [`weigh`]. For tests, docs and vendored code that is a reverse shell and
/// nothing else.
pub fn behaviours_that_count(role: MemberRole, pth: bool) -> BTreeSet<Behaviour> {
    CHAINS
        .iter()
        .filter(|c| c.roles.is_empty() || c.roles.contains(&role))
        .filter(|c| weigh(c.verdict, c.score, role).0 != Verdict::Clean)
        .filter(|c| {
            c.needs
                .iter()
                .all(|g| g.iter().any(|b| *b != B::PthExec || pth))
        })
        .flat_map(|c| c.needs.iter().flat_map(|g| g.iter().copied()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ArtifactKind, Member};

    fn artifact(paths: &[&str]) -> Artifact {
        Artifact {
            path: "x.tar.gz".into(),
            kind: ArtifactKind::Sdist,
            name: Some("x".into()),
            version: Some("1.0".into()),
            members: paths
                .iter()
                .map(|p| Member::new((*p).to_owned(), Vec::new(), 0))
                .collect(),
            reading: Vec::new(),
        }
    }

    fn ev(member: &str, b: Behaviour, sev: Severity) -> Evidence {
        Evidence::new("test", b, sev, "m").in_member(member)
    }

    #[test]
    fn a_capability_alone_is_clean() {
        let a = artifact(&["x-1.0/x/net.py"]);
        let s = judge(
            &a,
            vec![
                ev("x-1.0/x/net.py", B::Network, Severity::Info),
                ev("x-1.0/x/net.py", B::ProcessSpawn, Severity::Low),
            ],
        );
        assert_eq!(s.verdict, Verdict::Clean);
        assert!(s.reasons.is_empty());
    }

    #[test]
    fn credentials_sent_out_are_malicious() {
        let a = artifact(&["x-1.0/setup.py"]);
        let s = judge(
            &a,
            vec![
                ev("x-1.0/setup.py", B::CredentialAccess, Severity::High),
                ev("x-1.0/setup.py", B::NetworkSend, Severity::Medium),
            ],
        );
        assert_eq!(s.verdict, Verdict::Malicious);
        assert!(s.reasons[0].contains("credentials"), "{:?}", s.reasons);
        assert!(s.reasons[0].contains("install-time"), "{:?}", s.reasons);
    }

    #[test]
    fn decoded_payload_counts_for_its_host_member() {
        let a = artifact(&["x-1.0/setup.py"]);
        let s = judge(
            &a,
            vec![
                ev("x-1.0/setup.py", B::DecodeExec, Severity::High),
                ev("x-1.0/setup.py#decoded", B::Download, Severity::High),
            ],
        );
        assert_eq!(s.verdict, Verdict::Malicious);
    }

    #[test]
    fn the_same_chain_in_tests_is_only_suspicious() {
        let a = artifact(&["x-1.0/tests/test_x.py"]);
        let s = judge(
            &a,
            vec![
                ev("x-1.0/tests/test_x.py", B::CredentialAccess, Severity::High),
                ev("x-1.0/tests/test_x.py", B::NetworkSend, Severity::Medium),
            ],
        );
        // In tests the chain would need an exfiltration endpoint to count at all.
        assert_eq!(s.verdict, Verdict::Clean);
    }

    #[test]
    fn chains_need_one_member() {
        let a = artifact(&["x-1.0/x/a.py", "x-1.0/x/b.py"]);
        let s = judge(
            &a,
            vec![
                ev("x-1.0/x/a.py", B::CredentialAccess, Severity::High),
                ev("x-1.0/x/b.py", B::NetworkSend, Severity::Medium),
            ],
        );
        assert_eq!(s.verdict, Verdict::Clean);
    }

    #[test]
    fn a_hostile_archive_is_never_clean_but_test_data_may_compress_well() {
        let a = artifact(&["x-1.0/bomb.bin", "x-1.0/tests/data.npz!/a.npy"]);
        let bomb = Evidence::new("archive-limit", B::LimitExceeded, Severity::High, "ratio")
            .in_member("x-1.0/bomb.bin");
        assert_eq!(judge(&a, vec![bomb]).verdict, Verdict::Suspicious);
        let data = Evidence::new("archive-limit", B::LimitExceeded, Severity::High, "ratio")
            .in_member("x-1.0/tests/data.npz!/a.npy");
        assert_eq!(judge(&a, vec![data]).verdict, Verdict::Clean);
    }
}
