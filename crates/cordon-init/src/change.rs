//! A planned file edit, and writing a set of them atomically.

use std::path::{Path, PathBuf};

use cordon_python::ParseError;

/// One file cordon would write: its whole text before (`None` when the file is new) and after,
/// with one line per edit saying what changed and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Absolute path, or relative to the working directory.
    pub path: PathBuf,
    pub before: Option<String>,
    pub after: String,
    /// Human-readable lines: "set `exclude-newer = \"7 days\"` in [tool.uv]".
    pub what: Vec<String>,
}

impl Change {
    /// A change to an existing file (or a new one when `before` is `None`).
    pub fn new(path: impl Into<PathBuf>, before: Option<String>, after: String) -> Self {
        Self {
            path: path.into(),
            before,
            after,
            what: Vec::new(),
        }
    }

    /// Adds a description line.
    #[must_use]
    pub fn with(mut self, what: impl Into<String>) -> Self {
        self.what.push(what.into());
        self
    }

    /// Whether writing this change would change anything.
    pub fn is_noop(&self) -> bool {
        self.before.as_deref() == Some(self.after.as_str())
    }
}

/// Why `init` (or `--fix`) stopped. Nothing has been written when one of these is returned,
/// or everything written has been restored.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// A file cordon must edit (or carry over) is invalid or cannot be carried over; points
    /// at the file and line.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// A condition that stops the run, with what to do about it.
    #[error("{message}")]
    Stop {
        message: String,
        help: Option<String>,
    },
    /// Writing a file failed (every file written before it has been restored).
    #[error("could not write `{}`: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl InitError {
    pub fn stop(message: impl Into<String>) -> Self {
        InitError::Stop {
            message: message.into(),
            help: None,
        }
    }

    pub fn stop_with_help(message: impl Into<String>, help: impl Into<String>) -> Self {
        InitError::Stop {
            message: message.into(),
            help: Some(help.into()),
        }
    }
}

/// What was on disk before a write, to put back on failure.
#[derive(Debug)]
pub struct Backup {
    entries: Vec<(PathBuf, Option<Vec<u8>>)>,
}

impl Backup {
    /// Records the current content of `paths` (missing files recorded as absent).
    pub fn of<'a>(paths: impl IntoIterator<Item = &'a Path>) -> Result<Self, InitError> {
        let mut entries = Vec::new();
        for p in paths {
            let old = match std::fs::read(p) {
                Ok(b) => Some(b),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(source) => {
                    return Err(InitError::Write {
                        path: p.to_path_buf(),
                        source,
                    });
                }
            };
            entries.push((p.to_path_buf(), old));
        }
        Ok(Self { entries })
    }

    /// The recorded paths and their content (`None`: the file did not exist).
    pub fn entries(&self) -> &[(PathBuf, Option<Vec<u8>>)] {
        &self.entries
    }

    /// Puts every recorded file back as it was (deleting ones that did not exist). Best effort:
    /// returns the paths that could not be restored.
    pub fn restore(&self) -> Vec<PathBuf> {
        let mut failed = Vec::new();
        for (path, old) in self.entries.iter().rev() {
            let ok = match old {
                Some(bytes) => atomic_write(path, bytes).is_ok(),
                None => match std::fs::remove_file(path) {
                    Ok(()) => true,
                    Err(e) => e.kind() == std::io::ErrorKind::NotFound,
                },
            };
            if !ok {
                failed.push(path.clone());
            }
        }
        failed
    }
}

/// Writes every change that changes something, each atomically; if one fails, the files
/// written before it are restored and the error names the file that failed. Returns the backup
/// of what was there, so a later step (a failing `uv lock`) can restore it too.
pub fn write_all(changes: &[Change]) -> Result<Backup, InitError> {
    let todo: Vec<&Change> = changes.iter().filter(|c| !c.is_noop()).collect();
    // A file that changed on disk since it was planned is not overwritten.
    for c in &todo {
        let now = match std::fs::read(&c.path) {
            Ok(b) => Some(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => {
                return Err(InitError::Write {
                    path: c.path.clone(),
                    source,
                });
            }
        };
        if now.as_deref() != c.before.as_deref().map(str::as_bytes) {
            return Err(InitError::stop_with_help(
                format!("`{}` changed while cordon was working", c.path.display()),
                "run the command again",
            ));
        }
    }
    let backup = Backup::of(todo.iter().map(|c| c.path.as_path()))?;
    for (i, c) in todo.iter().enumerate() {
        if let Err(source) = atomic_write(&c.path, c.after.as_bytes()) {
            let written = Backup {
                entries: backup.entries[..i].to_vec(),
            };
            written.restore();
            return Err(InitError::Write {
                path: c.path.clone(),
                source,
            });
        }
    }
    Ok(backup)
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename, so a
/// reader sees the old file or the new one, never half of either. Creates missing parent
/// directories and keeps the old file's permissions.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let mut n = 0u32;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(".{name}.cordon-{}-{n}.tmp", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(e),
        }
    };
    let result = (|| {
        file.write_all(bytes)?;
        if let Ok(meta) = std::fs::metadata(path) {
            file.set_permissions(meta.permissions())?;
        }
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_atomically_and_restores() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.txt");
        let b = dir.path().join("sub/b.txt");
        std::fs::write(&a, "old a").unwrap();
        let changes = vec![
            Change::new(&a, Some("old a".into()), "new a".into()),
            Change::new(&b, None, "new b".into()),
        ];
        let backup = write_all(&changes).unwrap();
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "new a");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "new b");
        assert!(backup.restore().is_empty());
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "old a");
        assert!(!b.exists());
        // No temporary files are left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(names.iter().all(|n| !n.contains("cordon-")), "{names:?}");
    }

    #[test]
    fn refuses_a_file_changed_since_planning() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.txt");
        std::fs::write(&a, "edited meanwhile").unwrap();
        let err = write_all(&[Change::new(&a, Some("old".into()), "new".into())]).unwrap_err();
        assert!(err.to_string().contains("changed while"), "{err}");
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "edited meanwhile");
    }

    #[test]
    fn a_failed_write_restores_earlier_files() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.txt");
        std::fs::write(&a, "old").unwrap();
        // A path under a regular file cannot be created.
        let bad = a.join("child.txt");
        let err = write_all(&[
            Change::new(&a, Some("old".into()), "new".into()),
            Change::new(&bad, None, "x".into()),
        ])
        .unwrap_err();
        assert!(matches!(err, InitError::Write { .. }), "{err}");
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "old");
    }
}
