//! `cordon scan`: read inputs (files, folders, a virtual environment, or every artifact a
//! `uv.lock` names), scan them in parallel, and report one verdict per artifact.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use cordon_diagnostics::{
    ArchiveLocation, ArtifactEntry, Finding, OutputFormat, RenderOptions, Report, RuleInfo,
    Severity, Where, render,
};
use cordon_scan::{Behaviour, Evidence, Limits, ScannedArtifact, Verdict};
use rayon::prelude::*;

use crate::cli::ScanArgs;

/// What to scan, resolved from the arguments.
enum Input {
    Path(PathBuf),
    /// An artifact named by a lock, with its bytes or why they could not be had.
    Fetched {
        display: String,
        file_name: String,
        result: Result<Vec<u8>, String>,
        hash_mismatch: bool,
    },
}

impl Input {
    /// Bytes to read (0 when unknown), to schedule the largest first.
    fn size(&self) -> u64 {
        match self {
            Input::Path(p) => std::fs::metadata(p).map_or(0, |m| m.len()),
            Input::Fetched { result, .. } => result.as_ref().map_or(0, |b| b.len() as u64),
        }
    }
}

/// Runs `cordon scan`; returns the exit code.
pub fn run(
    args: &ScanArgs,
    format: OutputFormat,
    options: &RenderOptions,
    offline: bool,
    progress: bool,
) -> anyhow::Result<u8> {
    let limits = Limits::default();
    let cache = cordon_scan::MemberCache::new();
    let mut inputs: Vec<Input> = args.paths.iter().cloned().map(Input::Path).collect();
    let mut notes = Vec::new();
    if let Some(lock) = &args.lock {
        let (fetched, more) = fetch_lock(lock, args.all_platforms, offline)?;
        inputs.extend(fetched);
        notes.extend(more);
    }
    let mut scanned: Vec<ScannedArtifact> = Vec::new();
    if let Some(venv) = &args.venv {
        let artifacts = cordon_scan::archive::venv(venv, &limits)?;
        scanned.extend(
            artifacts
                .par_iter()
                .map(|a| cordon_scan::scan_with(a, &cache))
                .collect::<Vec<_>>(),
        );
    }
    if inputs.is_empty() && args.venv.is_none() {
        anyhow::bail!("nothing to scan: give files or folders, `--lock [PATH]` or `--venv PATH`");
    }
    let bar = progress.then(|| Progress::new(inputs.len()));
    // Largest first, one at a time: the last artifact a core picks up is a small one, so the
    // cores finish together. Results are put back in the order given.
    let mut order: Vec<usize> = (0..inputs.len()).collect();
    // One stat per input, not one per comparison.
    order.sort_by_cached_key(|&i| std::cmp::Reverse(inputs[i].size()));
    let mut results: Vec<(usize, anyhow::Result<ScannedArtifact>)> = order
        .par_iter()
        .with_max_len(1)
        .map(|&i| {
            let r = scan_input(&inputs[i], &limits, &cache);
            if let Some(b) = &bar {
                b.tick();
            }
            (i, r)
        })
        .collect();
    results.sort_by_key(|(i, _)| *i);
    let results = results.into_iter().map(|(_, r)| r);
    if let Some(b) = &bar {
        b.finish();
    }
    for r in results {
        scanned.push(r?);
    }
    for n in &notes {
        eprintln!("note: {n}");
    }
    let report = report(&scanned);
    let mut out = std::io::stdout().lock();
    render(&report, format, options, &mut out)?;
    out.flush()?;
    let flagged = scanned.iter().any(|s| s.verdict >= Verdict::Suspicious);
    Ok(u8::from(flagged))
}

fn scan_input(
    input: &Input,
    limits: &Limits,
    cache: &cordon_scan::MemberCache,
) -> anyhow::Result<ScannedArtifact> {
    match input {
        Input::Path(p) => {
            let artifact = cordon_scan::archive::open(p, limits)?;
            Ok(cordon_scan::scan_with(&artifact, cache))
        }
        Input::Fetched {
            display,
            file_name,
            result,
            hash_mismatch,
        } => match result {
            Ok(bytes) => {
                let artifact = cordon_scan::archive::from_bytes(display, file_name, bytes, limits)?;
                let mut s = cordon_scan::scan_with(&artifact, cache);
                if *hash_mismatch {
                    mark_hash_mismatch(&mut s);
                }
                Ok(s)
            }
            Err(why) => {
                let (name, version) = cordon_scan::archive::name_version(file_name).unzip();
                let mut s = ScannedArtifact {
                    path: display.clone(),
                    kind: cordon_scan::ArtifactKind::Wheel,
                    name,
                    version,
                    verdict: Verdict::Clean,
                    score: 0,
                    evidence: Vec::new(),
                    reasons: Vec::new(),
                    members: 0,
                };
                if *hash_mismatch {
                    mark_hash_mismatch(&mut s);
                } else {
                    s.evidence.push(Evidence::new(
                        "artifact-unavailable",
                        Behaviour::LimitExceeded,
                        Severity::Medium,
                        format!("could not be fetched, so it was not scanned: {why}"),
                    ));
                    s.verdict = Verdict::Suspicious;
                    s.score = 30;
                    s.reasons
                        .push("could not be downloaded and scanned".to_owned());
                }
                Ok(s)
            }
        },
    }
}

fn mark_hash_mismatch(s: &mut ScannedArtifact) {
    s.evidence.insert(
        0,
        Evidence::new(
            "lock-hash-mismatch",
            Behaviour::MetadataMismatch,
            Severity::High,
            "the downloaded file does not match the hash uv.lock records for it",
        ),
    );
    s.reasons.insert(
        0,
        "the file served is not the one the lock pinned (hash mismatch)".to_owned(),
    );
    if s.verdict < Verdict::Suspicious {
        s.verdict = Verdict::Suspicious;
    }
    s.score = s.score.max(80);
}

/// Every artifact the lock at `path` names, fetched (or from the cache).
fn fetch_lock(
    path: &Path,
    all_platforms: bool,
    offline: bool,
) -> anyhow::Result<(Vec<Input>, Vec<String>)> {
    let lock_path = if path.is_dir() {
        path.join("uv.lock")
    } else {
        path.to_path_buf()
    };
    let source = cordon_python::Source::read(&lock_path)?;
    let lock = cordon_python::lock::parse_lock(source)?;
    let target = cordon_python::wheel_tags::Target::current();
    let (artifacts, notes) = cordon_intel::lock_artifacts::artifacts_to_scan(
        &lock,
        if all_platforms { None } else { Some(&target) },
    );
    let cache = cordon_intel::fetch::Fetcher::default_cache_dir()
        .ok_or_else(|| anyhow::anyhow!("no cache directory: set CORDON_CACHE_DIR (or HOME)"))?;
    let fetcher = cordon_intel::fetch::Fetcher::new(cache, offline);
    let inputs = artifacts
        .par_iter()
        .map(|a| {
            let display = format!(
                "{} ({} {})",
                a.file_name,
                a.package,
                a.version.as_deref().unwrap_or("?")
            );
            match fetcher.fetch(&a.url, a.hash.as_deref()) {
                Ok(bytes) => Input::Fetched {
                    display,
                    file_name: a.file_name.clone(),
                    result: Ok(bytes),
                    hash_mismatch: false,
                },
                Err(e) => Input::Fetched {
                    display,
                    file_name: a.file_name.clone(),
                    hash_mismatch: matches!(
                        e,
                        cordon_intel::fetch::FetchError::HashMismatch { .. }
                    ),
                    result: Err(e.to_string()),
                },
            }
        })
        .collect();
    Ok((inputs, notes))
}

/// The report: one entry per artifact, findings flattened in artifact order.
fn report(scanned: &[ScannedArtifact]) -> Report {
    let mut rules: Vec<RuleInfo> = cordon_scan::rules::ALL
        .iter()
        .map(|r| rule_info(r.meta().id, r.meta().summary))
        .collect();
    for (id, summary) in [
        (
            "archive-limit",
            "a reading limit was hit (size, count, ratio, nesting)",
        ),
        (
            "lock-hash-mismatch",
            "a downloaded artifact does not match the lock's hash",
        ),
        (
            "artifact-unavailable",
            "an artifact could not be fetched and was not scanned",
        ),
    ] {
        if !rules.iter().any(|r| r.id == id) {
            rules.push(rule_info(id, summary));
        }
    }
    let mut report = Report::new("scan", rules);
    let mut entries = Vec::new();
    for s in scanned {
        let findings: Vec<Finding> = s.evidence.iter().map(|e| finding(s, e)).collect();
        report.findings.extend(findings.iter().cloned());
        entries.push(ArtifactEntry {
            path: s.path.clone(),
            kind: s.kind.as_str(),
            name: s.name.clone(),
            version: s.version.clone(),
            verdict: s.verdict.as_str(),
            score: s.score,
            reasons: s.reasons.clone(),
            findings,
        });
    }
    report.artifacts = Some(entries);
    report
}

fn rule_info(id: &'static str, summary: &'static str) -> RuleInfo {
    RuleInfo {
        id,
        summary,
        default_severity: Severity::Medium,
        // One leaked string per rule id, once per run.
        help_uri: Box::leak(format!("docs/scanner-rules.md#{id}").into_boxed_str()),
    }
}

fn finding(s: &ScannedArtifact, e: &Evidence) -> Finding {
    let mut f = Finding::new(
        e.rule,
        e.severity,
        e.message.clone(),
        e.behaviour.help(),
        Where::Project,
    )
    .with_confidence(e.confidence)
    .in_archive(ArchiveLocation {
        path: s.path.clone(),
        member: e.member.clone(),
        line: e.line,
        column: e.column,
        snippet: e.snippet.clone(),
    });
    if let Some(name) = &s.name {
        f = f.with_package(name.clone(), s.version.clone());
    }
    f
}

/// A progress bar on stderr for long scans (only on a terminal, and not with `--no-progress`).
struct Progress {
    bar: indicatif::ProgressBar,
    done: AtomicUsize,
}

impl Progress {
    fn new(total: usize) -> Self {
        let bar = if std::io::stderr().is_terminal() && total > 1 {
            indicatif::ProgressBar::new(total as u64)
        } else {
            indicatif::ProgressBar::hidden()
        };
        bar.set_style(
            indicatif::ProgressStyle::with_template("scanning {pos}/{len} {wide_bar} {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Self {
            bar,
            done: AtomicUsize::new(0),
        }
    }

    fn tick(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
        self.bar.inc(1);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
