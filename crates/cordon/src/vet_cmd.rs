//! `cordon vet`: which index, which cooldown, which reference data; then the vetting itself
//! (`cordon-vet`) behind a progress line, and the report.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use cordon_check::{Policy, Project, ProjectError};
use cordon_diagnostics::{OutputFormat, PackageEntry, RenderOptions, Report, render};
use cordon_intel::fetch::Fetcher;
use cordon_intel::index::IndexClient;
use cordon_python::exclude_newer::ExcludeNewer;
use cordon_python::settings::Env;
use cordon_vet::{Cooldown, Deps, Request, Verdict, Vetter, reasons, uv};
use jiff::Timestamp;

use crate::cli::VetArgs;

/// How long asking uv for its default index may take.
const UV_QUERY_TIMEOUT: Duration = Duration::from_secs(20);

pub struct Ctx<'a> {
    pub format: OutputFormat,
    pub options: &'a RenderOptions,
    pub offline: bool,
    pub progress: bool,
    pub env: &'a Env,
    pub now: Timestamp,
}

/// What to vet, and how: `cordon vet`'s options, also used by `cordon approve` and
/// `cordon hook --vet`.
pub struct Plan<'a> {
    pub requests: Vec<Request>,
    pub project_dir: PathBuf,
    pub index_url: Option<&'a str>,
    pub deps: bool,
    pub max_deps: usize,
    pub timeout: Duration,
    pub deps_time_limit: Duration,
    pub scan: bool,
    pub offline: bool,
    pub progress: bool,
    pub env: &'a Env,
    pub now: Timestamp,
    /// Say on stderr when reference data is missing or stale.
    pub notes: bool,
}

/// `NAME` / `NAME==VERSION` arguments; the first bad one is a usage error.
pub fn parse_requests(specs: &[String]) -> anyhow::Result<Vec<Request>> {
    specs
        .iter()
        .map(|p| Request::parse(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(anyhow::Error::msg)
}

/// Runs `cordon vet`; returns the exit code.
pub fn run(args: &VetArgs, cx: &Ctx<'_>) -> anyhow::Result<u8> {
    let requests = parse_requests(&args.packages)?;
    let vetted = vet(&Plan {
        requests,
        project_dir: args.project.clone().unwrap_or_else(|| PathBuf::from(".")),
        index_url: args.index_url.as_deref(),
        deps: !args.no_deps,
        max_deps: args.max_deps,
        timeout: Duration::from_secs(args.timeout.max(1)),
        deps_time_limit: Duration::from_secs(args.deps_time_limit),
        scan: !args.no_scan,
        offline: cx.offline,
        progress: cx.progress,
        env: cx.env,
        now: cx.now,
        notes: true,
    })?;
    let report = report(&vetted);
    let mut out = std::io::stdout().lock();
    render(&report, cx.format, cx.options, &mut out)?;
    out.flush()?;
    let worst = vetted
        .iter()
        .map(|v| v.verdict)
        .max()
        .unwrap_or(Verdict::Allow);
    Ok(u8::from(
        worst == Verdict::Block || (args.strict && worst == Verdict::Review),
    ))
}

/// The report of vetted packages: one entry each, with its reasons worst first, and every
/// reason among the findings.
pub fn report(vetted: &[cordon_vet::Vetted]) -> Report {
    let mut report = Report::new("vet", reasons::ALL.iter().map(|r| r.rule_info()).collect());
    let mut entries = Vec::with_capacity(vetted.len());
    for v in vetted {
        let mut reasons = v.reasons.clone();
        reasons.sort_by_key(|f| std::cmp::Reverse(f.severity));
        report.findings.extend(reasons.iter().cloned());
        entries.push(PackageEntry {
            name: v.name.clone(),
            version: v.version.clone(),
            verdict: v.verdict.as_str(),
            reasons,
            required_by: v.required_by.clone(),
        });
    }
    report.packages = Some(entries);
    report
}

/// Vets what `plan` names.
pub fn vet(plan: &Plan<'_>) -> anyhow::Result<Vec<cordon_vet::Vetted>> {
    let dir = &plan.project_dir;
    let project = match Project::load(dir, plan.env) {
        Ok(p) => Some(p),
        // No project here: vet with the defaults.
        Err(ProjectError::NotFound(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let policy = match &project {
        Some(p) => Policy::load(&p.root, p.pyproject.as_ref())?,
        None => Policy::default(),
    };
    let cooldown = cooldown(project.as_ref(), &policy, plan.now);
    let uv_dir = project.as_ref().map_or(dir.clone(), |p| p.root.clone());
    let uv = uv::find(plan.env.get("CORDON_UV"), &uv_dir);
    let index = index_url(plan.index_url, plan.env, uv.as_ref(), project.as_ref())?;

    let cache = Fetcher::default_cache_dir()
        .context("no cache directory: set CORDON_CACHE_DIR (or HOME)")?;
    let fetcher = Fetcher::new(cache, plan.offline).with_timeout(plan.timeout);
    let names = if plan.notes {
        crate::load_names(plan.now)
    } else {
        crate::load_names_quietly(plan.now)
    };
    let vetter = Vetter {
        client: IndexClient::new(&fetcher, &index),
        fetcher: &fetcher,
        names: names.as_deref(),
        now: plan.now,
        cooldown,
        target: cordon_python::wheel_tags::Target::current(),
        scan: plan.scan,
    };
    let locked: HashMap<String, String> = project
        .as_ref()
        .and_then(|p| p.lock.as_ref())
        .map(|l| {
            l.packages
                .iter()
                .filter_map(|p| Some((cordon_python::name::normalize(&p.name), p.version.clone()?)))
                .collect()
        })
        .unwrap_or_default();

    let spinner = Spinner::new(plan.progress);
    let say = |what: &str| spinner.say(what);
    let requests = &plan.requests;
    let vetted = match (&uv, plan.deps) {
        (_, false) => cordon_vet::vet_all(&vetter, requests, None, &say),
        (Some(uv), true) => {
            let deps = Deps {
                uv,
                locked: &locked,
                max_packages: plan.max_deps,
                deadline: Instant::now() + plan.deps_time_limit,
                uv_timeout: plan.deps_time_limit.max(Duration::from_secs(1)),
                offline: plan.offline,
            };
            cordon_vet::vet_all(&vetter, requests, Some(&deps), &say)
        }
        (None, true) => {
            let mut v = cordon_vet::vet_all(&vetter, requests, None, &say);
            for p in &mut v {
                p.reasons.push(
                    cordon_diagnostics::Finding::new(
                        reasons::RESOLUTION_FAILED.id,
                        reasons::RESOLUTION_FAILED.severity,
                        "uv was not found, so what it would bring in was not resolved",
                        "install uv or set CORDON_UV; or pass `--no-deps` to vet only the named \
                         packages",
                        cordon_diagnostics::Where::Project,
                    )
                    .with_package(p.name.clone(), p.version.clone()),
                );
                p.verdict = Verdict::of(&p.reasons);
            }
            v
        }
    };
    spinner.finish();
    Ok(vetted)
}

/// The cooldown to judge against: the project's `exclude-newer` or the policy's
/// `min-cooldown`, whichever is longer.
fn cooldown(project: Option<&Project>, policy: &Policy, now: Timestamp) -> Cooldown {
    let minimum = policy.min_cooldown.seconds.max(0);
    let from_minimum = Cooldown {
        cutoff: now - jiff::SignedDuration::from_secs(minimum),
        label: policy.min_cooldown.human(),
    };
    let configured = project
        .and_then(|p| p.settings.exclude_newer())
        .map(|v| &v.value);
    match configured {
        Some(ExcludeNewer::Span(s)) if s.seconds > minimum => Cooldown {
            cutoff: now - jiff::SignedDuration::from_secs(s.seconds),
            label: s.human(),
        },
        Some(ExcludeNewer::Timestamp(t)) if *t < from_minimum.cutoff => Cooldown {
            cutoff: *t,
            label: format!("exclude-newer {t}"),
        },
        _ => from_minimum,
    }
}

/// DESIGN principle 4: `--index-url`, `CORDON_INDEX_URL`, what uv would use here, the
/// registry the lock records.
fn index_url(
    flag: Option<&str>,
    env: &Env,
    uv: Option<&uv::Uv>,
    project: Option<&Project>,
) -> anyhow::Result<String> {
    if let Some(u) = flag {
        return Ok(u.to_owned());
    }
    if let Some(u) = env.get("CORDON_INDEX_URL").filter(|u| !u.is_empty()) {
        return Ok(u.to_owned());
    }
    let why = match uv.map(|uv| uv::default_index(uv, UV_QUERY_TIMEOUT)) {
        Some(Ok(Some(u))) => return Ok(u),
        Some(Ok(None)) => "uv printed no index URL".to_owned(),
        Some(Err(e)) => e,
        None => "uv was not found".to_owned(),
    };
    let from_lock = project.and_then(|p| p.lock.as_ref()).and_then(|l| {
        l.packages
            .iter()
            .find(|p| p.source.is_registry())
            .map(|p| p.source.location().to_owned())
    });
    if let Some(u) = from_lock {
        return Ok(u);
    }
    bail!(
        "no package index to ask ({why}, and no uv.lock names one): give `--index-url URL` or \
         set CORDON_INDEX_URL"
    )
}

/// A one-line progress spinner on stderr (only on a terminal, and not with `--no-progress`).
struct Spinner {
    bar: indicatif::ProgressBar,
}

impl Spinner {
    fn new(enabled: bool) -> Self {
        let bar = if enabled && std::io::stderr().is_terminal() {
            let b = indicatif::ProgressBar::new_spinner();
            b.enable_steady_tick(Duration::from_millis(120));
            b
        } else {
            indicatif::ProgressBar::hidden()
        };
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        Self { bar }
    }

    fn say(&self, what: &str) {
        self.bar.set_message(what.to_owned());
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
