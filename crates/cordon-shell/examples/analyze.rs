//! Prints what `cordon_shell::analyze` finds in a command: `cargo run -p cordon-shell --example
//! analyze -- 'UV_LOCKED=1 uv sync'` (or the text on standard input when no argument is given).

use std::io::Read;

fn main() {
    let mut src = std::env::args().skip(1).collect::<Vec<_>>().join(" ");
    if src.is_empty() {
        let _ = std::io::stdin().read_to_string(&mut src);
    }
    let analysis = cordon_shell::analyze(&src);
    for i in &analysis.intents {
        println!(
            "{:?} {:?} at {:?} {:?}",
            i.installer,
            i.action,
            i.span,
            src.get(i.span.clone())
        );
    }
    println!("{analysis:#?}");
}
