//! Runs the typosquat engine over lists of names, for `bench/typosquat-eval`.
//!
//! `typosquat_eval POPULAR NAMES...`: POPULAR holds popular names in rank order, one per line;
//! each NAMES file holds names to check, one per line. Prints one JSON object per NAMES file:
//! `{"file", "checked", "flagged": [[name, popular, rank, how]], "seconds"}`.

use std::fmt::Write as _;
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

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
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
        let flagged: Vec<String> = names
            .iter()
            .filter_map(|n| {
                popular.suspect(n, &tuning).map(|s| {
                    format!(
                        "[{},{},{},{}]",
                        quote(n),
                        quote(&s.popular),
                        s.rank,
                        quote(s.how.describe())
                    )
                })
            })
            .collect();
        let seconds = start.elapsed().as_secs_f64();
        println!(
            "{{\"file\":{},\"checked\":{},\"flagged\":[{}],\"seconds\":{seconds}}}",
            quote(file),
            names.len(),
            flagged.join(",")
        );
    }
}
