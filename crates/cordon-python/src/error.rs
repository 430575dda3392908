//! Errors for files that cannot be read or parsed. Every error names its file and, where known,
//! the byte span of the problem inside it, so the caller can show the line.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file's path and its text, shared by the parsed model and by any finding pointing into it.
#[derive(Debug, Clone)]
pub struct Source {
    /// Path as given (absolute or relative to the working directory).
    pub path: PathBuf,
    pub text: Arc<str>,
}

impl Source {
    /// Reads a file as UTF-8. A non-UTF-8 file is an error naming the first bad byte's line.
    pub fn read(path: &Path) -> Result<Self, ParseError> {
        let bytes = fs_err::read(path).map_err(|e| ParseError::io(path, &e))?;
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Self {
                path: path.to_path_buf(),
                text: text.into(),
            }),
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                let line = std::str::from_utf8(&bytes[..valid])
                    .map_or(0, |t| t.lines().count())
                    .max(1);
                Err(ParseError {
                    path: path.to_path_buf(),
                    span: None,
                    line: Some(line),
                    message: format!("file is not valid UTF-8 (first invalid byte on line {line})"),
                    help: None,
                })
            }
        }
    }

    pub fn from_string(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> Self {
        Self {
            path: path.into(),
            text: text.into(),
        }
    }
}

/// A file that could not be read or understood.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct ParseError {
    pub path: PathBuf,
    /// Byte span of the problem in the file's text, when known.
    pub span: Option<Range<usize>>,
    /// 1-based line, when known without a span (e.g. invalid UTF-8).
    pub line: Option<usize>,
    pub message: String,
    pub help: Option<String>,
}

impl ParseError {
    pub fn new(path: &Path, span: Option<Range<usize>>, message: impl Into<String>) -> Self {
        Self {
            path: path.to_path_buf(),
            span,
            line: None,
            message: message.into(),
            help: None,
        }
    }

    pub fn io(path: &Path, err: &std::io::Error) -> Self {
        // fs-err already names the path in its message; keep only the cause.
        let message = match err.kind() {
            std::io::ErrorKind::NotFound => "file not found".to_owned(),
            _ => {
                std::error::Error::source(err).map_or_else(|| err.to_string(), ToString::to_string)
            }
        };
        Self::new(path, None, format!("cannot read file: {message}"))
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Converts a `toml_edit` parse error of `source`'s text.
    pub fn toml(source: &Source, err: &toml_edit::TomlError) -> Self {
        Self::new(
            &source.path,
            err.span(),
            format!("invalid TOML: {}", err.message().trim()),
        )
    }
}
