//! `cordon intel import|update|status`: the reference-data store.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use cordon_intel::Fetcher;
use cordon_intel::store::{self, Imported, Kind, Store, StoreError};
use jiff::Timestamp;

use crate::cli::{Format, IntelAction};

/// Reference data older than this is stale: `status` says so.
const STALE_DAYS: i64 = 30;

/// How long `update` waits for one source by default (the OSV export is tens of MiB).
const UPDATE_TIMEOUT: Duration = Duration::from_mins(5);

pub fn run(action: &IntelAction, format: Format, now: Timestamp) -> anyhow::Result<u8> {
    // Whole seconds: what status shows.
    let now = Timestamp::from_second(now.as_second()).unwrap_or(now);
    let store = Store::default_location()
        .context("no cache directory: set CORDON_CACHE_DIR to where cordon may keep its data")?;
    let mut out = std::io::stdout().lock();
    match action {
        IntelAction::Import { paths } => {
            let done = store.import(paths, now)?;
            for (what, why) in &done.skipped {
                eprintln!("cordon: skipped {what}: {why}");
            }
            if done.popular + done.malicious + done.advisories == 0 {
                anyhow::bail!(
                    "nothing to import in {}: expected a top-packages JSON or OSV records",
                    paths
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            report(&mut out, format, "intel import", None, &done, &store)?;
            Ok(0)
        }
        IntelAction::Update {
            source,
            timeout,
            offline,
            quiet,
        } => {
            let sources =
                store::update_sources(source, std::env::var(store::SOURCES_ENV).ok().as_deref());
            if *offline {
                anyhow::bail!(
                    "`cordon intel update` downloads the reference data and needs the network, \
                     but --offline is set; without network, fetch the files elsewhere ({}) and \
                     load them with `cordon intel import FILE...`",
                    sources.join(", ")
                );
            }
            if let Some(bad) = sources.iter().find(|s| !is_http_url(s)) {
                anyhow::bail!("`{bad}` is not an http(s) URL; nothing was downloaded");
            }
            let cache = Fetcher::default_cache_dir().context(
                "no cache directory: set CORDON_CACHE_DIR to where cordon may keep its data",
            )?;
            let fetcher = Fetcher::new(cache, false)
                .with_timeout(timeout.map_or(UPDATE_TIMEOUT, Duration::from_secs))
                .with_max_size(store::MAX_INPUT);
            let mut inputs = Vec::with_capacity(sources.len());
            for url in &sources {
                if *quiet == 0 {
                    eprintln!("cordon: downloading {url}");
                }
                let bytes = fetcher
                    .fetch(url, None)
                    .context("intel update failed; the store was not changed")?;
                inputs.push((url.clone(), bytes));
            }
            let done = store.import_bytes(&inputs, now).map_err(|e| {
                // A source that could not be read: nothing was written.
                let unreadable = matches!(
                    &e,
                    StoreError::Json { path, .. } | StoreError::Format { path, .. }
                        if sources.iter().any(|s| Path::new(s) == path)
                );
                let e = anyhow::Error::new(e);
                if unreadable {
                    e.context("intel update failed; the store was not changed")
                } else {
                    e
                }
            })?;
            if *quiet == 0 {
                for (what, why) in &done.skipped {
                    eprintln!("cordon: skipped {what}: {why}");
                }
            }
            report(
                &mut out,
                format,
                "intel update",
                Some(&sources),
                &done,
                &store,
            )?;
            Ok(0)
        }
        IntelAction::Status => {
            let status = store.status()?;
            if format == Format::Json {
                let parts: Vec<serde_json::Value> = status
                    .iter()
                    .map(|(kind, part)| {
                        serde_json::json!({
                            "kind": key(*kind),
                            "count": part.count,
                            "updated": part.updated.map(|t| t.to_string()),
                            "stale": part.updated.is_some_and(|t| stale(t, now)),
                            "from": part.from,
                        })
                    })
                    .collect();
                let doc = serde_json::json!({
                    "tool": "cordon",
                    "version": env!("CARGO_PKG_VERSION"),
                    "format_version": 1,
                    "command": "intel status",
                    "store": store.dir().display().to_string(),
                    "data": parts,
                });
                writeln!(out, "{doc}")?;
                return Ok(0);
            }
            writeln!(out, "reference data in {}", store.dir().display())?;
            for (kind, part) in &status {
                match part.updated {
                    None => writeln!(
                        out,
                        "  {}: none loaded; run `cordon intel update` (or, offline, `cordon intel import FILE...`)",
                        kind.label()
                    )?,
                    Some(t) => {
                        let days = now.duration_since(t).as_hours() / 24;
                        writeln!(
                            out,
                            "  {}: {} (updated {t}, {days} day{} ago{}) from {}",
                            kind.label(),
                            part.count,
                            if days == 1 { "" } else { "s" },
                            if stale(t, now) {
                                "; stale: run `cordon intel update`"
                            } else {
                                ""
                            },
                            part.from.join(", ")
                        )?;
                    }
                }
            }
            Ok(0)
        }
    }
}

/// What an import or update loaded: one line, or a JSON document naming `command`.
fn report(
    out: &mut impl Write,
    format: Format,
    command: &str,
    sources: Option<&[String]>,
    done: &Imported,
    store: &Store,
) -> anyhow::Result<()> {
    if format == Format::Json {
        let mut doc = serde_json::json!({
            "tool": "cordon",
            "version": env!("CARGO_PKG_VERSION"),
            "format_version": 1,
            "command": command,
            "imported": {
                "popular": done.popular,
                "malicious": done.malicious,
                "advisories": done.advisories,
                "skipped": done.skipped.len(),
            },
            "store": store.dir().display().to_string(),
        });
        if let Some(sources) = sources {
            doc["sources"] = serde_json::json!(sources);
        }
        writeln!(out, "{doc}")?;
    } else {
        let from = match sources {
            Some([one]) => format!(" from {one}"),
            Some(many) => format!(" from {} sources", many.len()),
            None => String::new(),
        };
        writeln!(
            out,
            "imported {} popular names, {} malicious-package records, {} advisories{from} into {}",
            done.popular,
            done.malicious,
            done.advisories,
            store.dir().display()
        )?;
    }
    Ok(())
}

/// An `http://` or `https://` URL with something after the scheme.
fn is_http_url(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    ["http://", "https://"].iter().any(|scheme| {
        lower
            .strip_prefix(scheme)
            .is_some_and(|rest| !rest.is_empty())
    })
}

fn key(kind: Kind) -> &'static str {
    match kind {
        Kind::Popular => "popular",
        Kind::Malicious => "malicious",
        Kind::Advisories => "advisories",
    }
}

/// Older than [`STALE_DAYS`].
pub fn stale(updated: Timestamp, now: Timestamp) -> bool {
    now.duration_since(updated).as_hours() > STALE_DAYS * 24
}
