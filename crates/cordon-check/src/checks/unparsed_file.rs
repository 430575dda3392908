//! `unparsed-file`: part of a file cordon reads could not be understood — a line it cannot
//! parse, an option it does not know, an include that is missing or closes a cycle. The rest of
//! the file and of the project is still checked, so a finding elsewhere is not hidden; but what
//! the unread part installs or configures is not judged, which this finding says.
//!
//! Generic by design: each reader records its problems with a span, and this check reports them
//! (requirements files, CI workflows, GitLab CI and Dockerfiles, unreadable files).

use std::ops::Range;
use std::path::Path;

use cordon_diagnostics::{Confidence, Finding};

use crate::Context;
use crate::checks::Check;

crate::declare_check!(
    META,
    "unparsed-file",
    Meta,
    Low,
    false,
    "a file cordon could not fully read; the rest of the project is checked"
);

pub struct UnparsedFile;

impl UnparsedFile {
    fn report(
        cx: &Context<'_>,
        out: &mut Vec<Finding>,
        path: &Path,
        span: Range<usize>,
        message: &str,
        help: &str,
    ) {
        let at = cx
            .loc(path, span)
            .map_or(cordon_diagnostics::Where::Project, Into::into);
        out.push(
            cx.finding(&META, message, help, at)
                .with_confidence(Confidence::Low),
        );
    }
}

impl Check for UnparsedFile {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for ci in &cx.project.ci {
            for p in &ci.file.problems {
                Self::report(
                    cx,
                    out,
                    &ci.file.path,
                    p.span.clone(),
                    &p.message,
                    "fix the file so its CI runner (or docker) accepts it; what it installs is not checked until then",
                );
            }
        }
        for e in &cx.project.unreadable {
            let message = format!("`{}`: {}", cx.project.rel(&e.path), e.message);
            Self::report(
                cx,
                out,
                &e.path,
                0..0,
                &message,
                "cordon reads only UTF-8 text files",
            );
        }
        for file in &cx.project.requirements.files {
            for p in &file.problems {
                Self::report(
                    cx,
                    out,
                    &file.source.path,
                    p.span.clone(),
                    &p.message,
                    &p.help,
                );
            }
        }
    }
}
