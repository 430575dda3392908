//! Human approvals: `.cordon/approvals.toml` at the project root, written by `cordon approve`
//! and read by the agent guard. Commit it: the team shares what its people approved.
//!
//! ```toml
//! [[approval]]
//! name = "requests"
//! version = "2.32.3"          # optional: without it, any version
//! reason = "HTTP client for the billing API"
//! by = "Alice Example"
//! at = "2026-11-27T15:00:00Z"
//! vet = "allow"               # cordon vet's verdict when approved, if it ran
//! ```
//!
//! The file is edited with `toml_edit`, so comments and other entries survive; a file that does
//! not parse is an error naming it and is never rewritten.

use std::path::{Path, PathBuf};

use cordon_python::name::normalize;
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

/// Where approvals live, relative to the project root.
pub const APPROVALS_FILE: &str = ".cordon/approvals.toml";

/// The top of a new approvals file.
const HEADER: &str = "# Packages a person approved for AI coding agents to add (`cordon approve`).\n\
                      # The agent guard (`cordon hook`) lets agents install these; commit this file.\n";

/// One approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    /// Normalised.
    pub name: String,
    /// The only version approved; `None`: any.
    pub version: Option<String>,
    pub reason: String,
    pub by: String,
    /// RFC 3339.
    pub at: String,
    /// `cordon vet`'s verdict at the time, when it ran.
    pub vet: Option<String>,
}

/// A failure to read or write the approvals file, naming it.
#[derive(Debug, thiserror::Error)]
pub enum ApprovalsError {
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The approvals of the project at `root` (none when the file does not exist).
pub fn read(root: &Path) -> Result<Vec<Approval>, ApprovalsError> {
    let path = root.join(APPROVALS_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(ApprovalsError::Io { path, source }),
    };
    parse(&path, &text)
}

/// Reads the text of an approvals file (`path` names it in errors).
pub fn parse(path: &Path, text: &str) -> Result<Vec<Approval>, ApprovalsError> {
    let invalid = |message: String| ApprovalsError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    let doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| invalid(e.to_string().trim().to_owned()))?;
    let Some(item) = doc.get("approval") else {
        return Ok(Vec::new());
    };
    let tables = item
        .as_array_of_tables()
        .ok_or_else(|| invalid("`approval` must be an array of tables (`[[approval]]`)".into()))?;
    let mut out = Vec::new();
    for (i, t) in tables.iter().enumerate() {
        let field = |key: &str| t.get(key).and_then(Item::as_str).map(str::to_owned);
        let name = field("name")
            .filter(|n| cordon_python::name::is_valid(n))
            .ok_or_else(|| invalid(format!("approval #{} has no valid `name`", i + 1)))?;
        out.push(Approval {
            name: normalize(&name),
            version: field("version"),
            reason: field("reason").unwrap_or_default(),
            by: field("by").unwrap_or_default(),
            at: field("at").unwrap_or_default(),
            vet: field("vet"),
        });
    }
    Ok(out)
}

/// Adds `new` to the approvals of the project at `root` (an approval of the same name and
/// version is replaced), writing the file atomically; returns its path.
pub fn record(root: &Path, new: &[Approval]) -> Result<PathBuf, ApprovalsError> {
    let path = root.join(APPROVALS_FILE);
    let (text, header) = match std::fs::read_to_string(&path) {
        Ok(t) => (t, ""),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (String::new(), HEADER),
        Err(source) => return Err(ApprovalsError::Io { path, source }),
    };
    // Validates the whole file before anything is written.
    parse(&path, &text)?;
    let mut doc: DocumentMut =
        text.parse()
            .map_err(|e: toml_edit::TomlError| ApprovalsError::Invalid {
                path: path.clone(),
                message: e.to_string(),
            })?;
    if doc.get("approval").is_none() {
        doc.insert("approval", Item::ArrayOfTables(ArrayOfTables::new()));
    }
    let tables = doc
        .get_mut("approval")
        .and_then(Item::as_array_of_tables_mut)
        .ok_or_else(|| ApprovalsError::Invalid {
            path: path.clone(),
            message: "`approval` must be an array of tables".into(),
        })?;
    for a in new {
        tables.retain(|t| {
            let same_name = t
                .get("name")
                .and_then(Item::as_str)
                .is_some_and(|n| normalize(n) == a.name);
            let same_version = t.get("version").and_then(Item::as_str) == a.version.as_deref();
            !(same_name && same_version)
        });
        let mut t = Table::new();
        t.insert("name", value(a.name.as_str()));
        if let Some(v) = &a.version {
            t.insert("version", value(v.as_str()));
        }
        t.insert("reason", value(a.reason.as_str()));
        t.insert("by", value(a.by.as_str()));
        t.insert("at", value(a.at.as_str()));
        if let Some(v) = &a.vet {
            t.insert("vet", value(v.as_str()));
        }
        tables.push(t);
    }
    let out = format!("{header}{doc}");
    cordon_intel::store::write_atomically(&path, out.as_bytes()).map_err(|source| {
        ApprovalsError::Io {
            path: path.clone(),
            source,
        }
    })?;
    Ok(path)
}

/// Whether `approvals` cover `name` (normalised) at the version a command or manifest asks for:
/// `Some(true)` approved; `Some(false)` approved only at other versions; `None` not approved.
/// `exact`: the exact version asked for (`==V`), if any.
pub fn covers(approvals: &[Approval], name: &str, exact: Option<&str>) -> Option<bool> {
    let mut seen = false;
    for a in approvals.iter().filter(|a| a.name == name) {
        seen = true;
        match (&a.version, exact) {
            (None, _) => return Some(true),
            (Some(v), Some(e)) if cordon_intel::matching::same_version(v, e) => return Some(true),
            _ => {}
        }
    }
    seen.then_some(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approval(name: &str, version: Option<&str>) -> Approval {
        Approval {
            name: name.into(),
            version: version.map(Into::into),
            reason: "needed".into(),
            by: "Alice".into(),
            at: "2026-11-27T15:00:00Z".into(),
            vet: Some("allow".into()),
        }
    }

    #[test]
    fn records_and_reads_back_keeping_comments() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        assert!(read(root).unwrap().is_empty());
        let path = record(root, &[approval("requests", Some("2.32.3"))]).unwrap();
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("# kept\n");
        std::fs::write(&path, &text).unwrap();
        record(
            root,
            &[approval("rich", None), approval("requests", Some("2.32.3"))],
        )
        .unwrap();
        let all = read(root).unwrap();
        assert_eq!(
            all.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
            ["rich", "requests"]
        );
        assert!(std::fs::read_to_string(&path).unwrap().contains("# kept"));
        assert_eq!(covers(&all, "rich", None), Some(true));
        assert_eq!(covers(&all, "requests", Some("2.32.3.0")), Some(true));
        assert_eq!(covers(&all, "requests", None), Some(false));
        assert_eq!(covers(&all, "requests", Some("2.0")), Some(false));
        assert_eq!(covers(&all, "flask", None), None);
    }

    #[test]
    fn a_broken_file_is_an_error_and_is_not_rewritten() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(APPROVALS_FILE);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "[[approval]]\nname = \n").unwrap();
        let err = record(tmp.path(), &[approval("rich", None)]).unwrap_err();
        assert!(err.to_string().contains("approvals.toml"), "{err}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "[[approval]]\nname = \n"
        );
        std::fs::write(&path, "approval = 3\n").unwrap();
        assert!(read(tmp.path()).is_err());
    }
}
