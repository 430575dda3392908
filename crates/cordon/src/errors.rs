//! Printing errors (exit code 2) to stderr: the file, line and column, the offending source line
//! with a caret, and a `help:` line — for bad input as much as for bad findings.

use cordon_check::ProjectError;
use cordon_init::InitError;
use cordon_python::ParseError;

pub fn print_error(err: &anyhow::Error, color: bool) {
    let (red, bold, blue, reset) = if color {
        ("\x1b[1;31m", "\x1b[1m", "\x1b[1;34m", "\x1b[0m")
    } else {
        ("", "", "", "")
    };
    if let Some(InitError::Stop { message, help }) = err.downcast_ref::<InitError>() {
        eprintln!("{red}error{reset}{bold}: {message}{reset}");
        if let Some(help) = help {
            eprintln!("{blue}help{reset}: {help}");
        }
        return;
    }
    let parse = err
        .downcast_ref::<ParseError>()
        .or_else(|| match err.downcast_ref::<ProjectError>() {
            Some(ProjectError::Parse(p)) => Some(p),
            _ => None,
        })
        .or_else(|| match err.downcast_ref::<InitError>() {
            Some(InitError::Parse(p)) => Some(p),
            _ => None,
        });
    let Some(p) = parse else {
        eprintln!("{red}error{reset}{bold}: {err:#}{reset}");
        if let Some(ProjectError::NotFound(_)) = err.downcast_ref::<ProjectError>() {
            eprintln!(
                "{blue}help{reset}: run cordon in a directory with a `pyproject.toml` or requirements files, or pass its path: `cordon check PATH`"
            );
        }
        return;
    };
    eprintln!("{red}error{reset}{bold}: {}{reset}", p.message);
    let text = std::fs::read(&p.path)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    let position = match (&p.span, &text) {
        (Some(span), Some(text)) => {
            let start = span.start.min(text.len());
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let line_no = text[..start].matches('\n').count() + 1;
            let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            let col = text[line_start..start].chars().count() + 1;
            Some((
                line_no,
                col,
                text[line_start..line_end].trim_end_matches('\r').to_owned(),
                (span.end.min(line_end).max(start) - start).max(1),
            ))
        }
        _ => None,
    };
    match position {
        Some((line, col, source, width)) => {
            let gutter = " ".repeat(line.to_string().len());
            eprintln!("{gutter}{blue}-->{reset} {}:{line}:{col}", p.path.display());
            eprintln!("{gutter} {blue}|{reset}");
            eprintln!("{blue}{line}{reset} {blue}|{reset} {source}");
            eprintln!(
                "{gutter} {blue}|{reset} {}{red}{}{reset}",
                " ".repeat(col - 1),
                "^".repeat(
                    source
                        .chars()
                        .count()
                        .saturating_sub(col - 1)
                        .clamp(1, width)
                )
            );
        }
        None => match p.line {
            Some(line) => eprintln!(" {blue}-->{reset} {}:{line}", p.path.display()),
            None => eprintln!(" {blue}-->{reset} {}", p.path.display()),
        },
    }
    if let Some(help) = &p.help {
        eprintln!("{blue}help{reset}: {help}");
    }
}
