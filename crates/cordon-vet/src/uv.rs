//! Running the real uv, bounded in time: which index it would use (`--emit-index-url`), and
//! what a package would bring with it (`uv pip compile`, under the cooldown).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use jiff::Timestamp;

/// How to run uv: the program (`CORDON_UV`, else `uv` on PATH) and where (the project, so its
/// uv configuration applies).
#[derive(Debug, Clone)]
pub struct Uv {
    pub program: PathBuf,
    pub dir: PathBuf,
}

/// What a run gave: stdout, or why there is none.
fn run(uv: &Uv, args: &[&str], stdin: &str, timeout: Duration) -> Result<String, String> {
    let mut child = Command::new(&uv.program)
        .args(args)
        .current_dir(&uv.dir)
        .env("UV_NO_PROGRESS", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not run `{}`: {e}", uv.program.display()))?;
    if let Some(mut input) = child.stdin.take() {
        // A uv that exits early closes the pipe; its exit status tells the rest.
        let _ = input.write_all(stdin.as_bytes());
    }
    // Both pipes are drained on threads so a chatty uv never blocks on a full pipe.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_string(&mut text);
            }
            text
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "uv did not finish within {} s and was stopped",
                    timeout.as_secs()
                ));
            }
            Err(e) => return Err(format!("could not wait for uv: {e}")),
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    if status.success() {
        Ok(stdout)
    } else {
        let tail: Vec<&str> = stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .rev()
            .take(6)
            .collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        Err(format!("uv failed ({status}): {}", tail.join(" / ")))
    }
}

/// The default index uv would use here (`uv pip compile - --emit-index-url --offline` on empty
/// input).
pub fn default_index(uv: &Uv, timeout: Duration) -> Result<Option<String>, String> {
    let out = run(
        uv,
        &[
            "pip",
            "compile",
            "-",
            "--emit-index-url",
            "--offline",
            "--no-header",
            "--quiet",
        ],
        "",
        timeout,
    )?;
    Ok(out
        .lines()
        .find_map(|l| l.strip_prefix("--index-url "))
        .map(|u| u.trim().to_owned()))
}

/// How dependencies are resolved: from which index, with which cutoff, within what time.
#[derive(Debug, Clone)]
pub struct Resolution<'a> {
    pub index: &'a str,
    /// Nothing uploaded after this is considered (the cooldown)...
    pub cutoff: Timestamp,
    /// ...but the package asked for, up to now: asked for by version, it may be newer, which
    /// is judged as its own reason, not a failure to resolve.
    pub now: Timestamp,
    pub offline: bool,
    pub timeout: Duration,
}

/// Everything `name==version` brings with it (itself left out), as uv resolves it:
/// `(normalised name, version)` pairs.
pub fn dependencies(
    uv: &Uv,
    name: &str,
    version: &str,
    how: &Resolution<'_>,
) -> Result<Vec<(String, String)>, String> {
    let cutoff = how.cutoff.to_string();
    let exempt = format!("{name}={}", how.now);
    let mut args = vec![
        "pip",
        "compile",
        "-",
        "--no-header",
        "--no-annotate",
        "--quiet",
        "--default-index",
        how.index,
        "--exclude-newer",
        &cutoff,
        "--exclude-newer-package",
        &exempt,
    ];
    if how.offline {
        args.push("--offline");
    }
    let out = run(uv, &args, &format!("{name}=={version}\n"), how.timeout)?;
    let me = cordon_python::name::normalize(name);
    Ok(parse_pins(&out)
        .into_iter()
        .filter(|(n, _)| *n != me)
        .collect())
}

/// `name==version` lines of a compiled requirements file (markers and comments dropped).
fn parse_pins(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| {
            let l = l.split('#').next()?.split(';').next()?.trim();
            let (name, version) = l.split_once("==")?;
            let name = name.split('[').next()?.trim();
            Some((
                cordon_python::name::normalize(name),
                version.trim().trim_end_matches('\\').trim().to_owned(),
            ))
        })
        .collect()
}

/// `CORDON_UV`, else the first `uv` on `PATH`.
pub fn find(cordon_uv: Option<&str>, dir: &Path) -> Option<Uv> {
    let program = match cordon_uv {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => std::env::var_os("PATH")
            .iter()
            .flat_map(std::env::split_paths)
            .map(|d| d.join(if cfg!(windows) { "uv.exe" } else { "uv" }))
            .find(|p| p.is_file())?,
    };
    Some(Uv {
        program,
        dir: dir.to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pins_with_extras_markers_and_comments() {
        let text = "# comment\nalpha==1.0\nBeta_Two[x]==2.0 ; python_version >= \"3.8\"\n    # via alpha\n-e ./local\n";
        assert_eq!(
            parse_pins(text),
            [
                ("alpha".to_owned(), "1.0".to_owned()),
                ("beta-two".to_owned(), "2.0".to_owned())
            ]
        );
    }
}
