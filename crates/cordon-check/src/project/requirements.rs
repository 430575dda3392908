//! The project's requirements files: which files cordon reads (`requirements*.txt`,
//! `*requirements*.txt` and `constraints*.txt` at the root, and every `.txt` in
//! `requirements/`), loaded with everything they include. Problems inside them are findings
//! (`unparsed-file`), never load errors.

use std::path::{Path, PathBuf};

use cordon_python::ParseError;
use cordon_python::requirements_txt::RequirementsSet;

/// The directory, beside the root, whose `.txt` files are all requirements files.
const REQUIREMENTS_DIR: &str = "requirements";

/// The requirements files directly in `dir` (and its `requirements/`), sorted: the root's
/// files first, then `requirements/`.
pub fn discover(dir: &Path) -> Vec<PathBuf> {
    let mut out = list(dir, |name| {
        name.contains("requirements") || name.starts_with("constraints")
    });
    out.extend(list(&dir.join(REQUIREMENTS_DIR), |_| true));
    out
}

/// `.txt` files in `dir` whose lower-cased name passes `keep`, sorted by name.
fn list(dir: &Path, keep: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy().to_ascii_lowercase();
            Path::new(&name).extension().is_some_and(|x| x == "txt")
                && Path::new(&name).file_stem().is_some_and(|s| !s.is_empty())
                && keep(&name)
                && e.path().is_file()
        })
        .map(|e| dir.join(e.file_name()))
        .collect();
    out.sort();
    out
}

/// Loads the requirements files of the project at `root`, following their includes.
pub fn load(root: &Path) -> Result<RequirementsSet, ParseError> {
    RequirementsSet::load(&discover(root))
}
