//! `cordon intel import|status`: the reference-data store.

use std::io::Write;

use anyhow::Context as _;
use cordon_intel::store::{Kind, Store};
use jiff::Timestamp;

use crate::cli::{Format, IntelAction};

/// Reference data older than this is stale: `status` says so.
const STALE_DAYS: i64 = 30;

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
            if format == Format::Json {
                let doc = serde_json::json!({
                    "tool": "cordon",
                    "version": env!("CARGO_PKG_VERSION"),
                    "format_version": 1,
                    "command": "intel import",
                    "imported": {
                        "popular": done.popular,
                        "malicious": done.malicious,
                        "advisories": done.advisories,
                        "skipped": done.skipped.len(),
                    },
                    "store": store.dir().display().to_string(),
                });
                writeln!(out, "{doc}")?;
            } else {
                writeln!(
                    out,
                    "imported {} popular names, {} malicious-package records, {} advisories into {}",
                    done.popular,
                    done.malicious,
                    done.advisories,
                    store.dir().display()
                )?;
            }
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
                        "  {}: none loaded; run `cordon intel import FILE...`",
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
                                "; stale: import it again"
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
