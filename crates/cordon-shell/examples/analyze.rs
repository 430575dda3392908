//! Prints what `cordon_shell::analyze` finds in a script, one line per finding with the text it
//! covers: `cargo run -p cordon-shell --example analyze -- 'UV_LOCKED=1 uv sync'` (the script on
//! standard input when no argument is given; `-v` first for the full structures).

use std::io::Read;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.first().is_some_and(|a| a == "-v");
    if verbose {
        args.remove(0);
    }
    let mut src = args.join(" ");
    if src.is_empty() && std::io::stdin().read_to_string(&mut src).is_err() {
        eprintln!("error: standard input is not text");
        std::process::exit(2);
    }
    let a = cordon_shell::analyze(&src);
    let at = |span: &std::ops::Range<usize>| src.get(span.clone()).unwrap_or("").to_owned();
    for i in &a.intents {
        let packages: Vec<String> = i
            .packages
            .iter()
            .map(|p| {
                let name = p.name.as_deref().unwrap_or(&p.arg.text);
                format!("{name}{}", p.spec.as_deref().unwrap_or(""))
            })
            .collect();
        println!(
            "intent {} {} [{}] locked={} frozen={} hashes={} {:?}",
            i.installer.as_str(),
            i.action.as_str(),
            packages.join(", "),
            i.locked,
            i.frozen,
            i.require_hashes,
            at(&i.span)
        );
    }
    for r in &a.remote_scripts {
        let url = r.url.as_ref().map_or("-", |u| u.text.as_str());
        println!("remote {} {url} {:?}", r.interpreter, at(&r.span));
    }
    for u in &a.unparsed {
        println!(
            "unparsed {} (mentions installer: {}) {:?}",
            u.reason,
            u.mentions_installer,
            at(&u.span)
        );
    }
    if verbose {
        println!("{a:#?}");
    }
}
