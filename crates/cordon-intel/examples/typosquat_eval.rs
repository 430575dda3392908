//! Runs the typosquat engine over lists of names, for `bench/typosquat-eval`.
//!
//! `typosquat_eval POPULAR NAMES...`: POPULAR holds popular names in rank order, one per line;
//! each NAMES file holds names to check, one per line. Prints one JSON object per NAMES file:
//! `{"file", "checked", "flagged": [[name, popular, rank, how]], "seconds"}`.

use std::time::Instant;

use cordon_intel::typosquat::{Popular, Tuning};

fn lines(path: &str) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((popular, files)) = args.split_first() else {
        eprintln!("usage: typosquat_eval POPULAR NAMES...");
        std::process::exit(2);
    };
    let names = lines(popular);
    let popular = Popular::new(names.iter().map(String::as_str));
    let tuning = Tuning::default();
    for file in files {
        let names = lines(file);
        let start = Instant::now();
        let flagged: Vec<serde_json::Value> = names
            .iter()
            .filter_map(|n| {
                popular
                    .suspect(n, &tuning)
                    .map(|s| serde_json::json!([n, s.popular, s.rank, s.how.describe()]))
            })
            .collect();
        let seconds = start.elapsed().as_secs_f64();
        let doc = serde_json::json!({
            "file": file,
            "checked": names.len(),
            "flagged": flagged,
            "seconds": seconds,
        });
        println!("{doc}");
    }
}
