//! The decision on file writes and edits, judged on the dependency diff: the old content (read
//! from disk) against the new one (the write, the replacements applied, or the patch applied).
//!
//! - Files that declare no dependencies are allowed without being read.
//! - `pyproject.toml`, requirements files, `setup.py`, `setup.cfg` and PEP 723 script headers:
//!   each requirement added or changed must be approved or locked at an accepted version (as
//!   for a shell install); a new package source, index or included file is refused; removals,
//!   reordering and formatting pass.
//! - Lockfiles are written by uv, never by hand: refused.
//! - The approvals file, and the `allow` list of the policy, are a human's: refused.
//! - What cannot be read or applied (invalid TOML in the new content, a replacement whose text
//!   is not in the file, a patch that does not apply) is refused: fail closed.

use crate::decide::{Judge, Outcome, Reasons, specifier, unapproved, unapproved_reason};
use crate::manifest::{self, FileKind};
use crate::patch;
use crate::protocol::{EditOp, FileEdit};

/// Decides on the file edits of one tool call.
pub(crate) fn decide_edits(edits: &[FileEdit], judge: &Judge<'_>) -> Outcome {
    let mut reasons = Reasons::default();
    let mut consulted = false;
    for edit in edits {
        for change in changes(edit, judge, &mut reasons) {
            consulted = true;
            judge_change(&change, judge, &mut reasons);
        }
    }
    let project = consulted.then(|| judge.project());
    reasons.into_outcome(project)
}

/// One file's old and new content.
struct Change {
    path: String,
    kind: FileKind,
    old: Option<String>,
    new: Option<String>,
}

/// The dependency files an edit changes, with their old and new content.
fn changes(edit: &FileEdit, judge: &Judge<'_>, out: &mut Reasons) -> Vec<Change> {
    match &edit.op {
        EditOp::Patch(text) => {
            let read = |p: &str| judge.read(p);
            match patch::apply_patch(text, &read) {
                Ok(files) => files
                    .into_iter()
                    .flat_map(|f| {
                        // A move empties the old path and fills the new one.
                        let moved = f.moved_from.as_ref().map(|from| Change {
                            kind: manifest::classify(from),
                            path: from.clone(),
                            old: f.old.clone(),
                            new: None,
                        });
                        let here = Change {
                            kind: manifest::classify(&f.path),
                            path: f.path,
                            old: if moved.is_some() { None } else { f.old },
                            new: f.new,
                        };
                        moved.into_iter().chain(std::iter::once(here))
                    })
                    .filter(|c| c.kind != FileKind::Other)
                    .collect(),
                Err(e) => {
                    if patch_names_dependency_file(text) {
                        out.push(
                            format!(
                                "cordon could not apply this patch to see what it changes in a dependency file ({e}), so it is blocked. Make the edit in smaller steps, or ask the user."
                            ),
                            false,
                        );
                    }
                    Vec::new()
                }
            }
        }
        EditOp::Write(content) => {
            let kind = manifest::classify(&edit.path);
            if kind == FileKind::Other {
                return Vec::new();
            }
            vec![Change {
                kind,
                old: judge.read(&edit.path),
                new: Some(content.clone()),
                path: edit.path.clone(),
            }]
        }
        EditOp::Replace(steps) => {
            let kind = manifest::classify(&edit.path);
            if kind == FileKind::Other {
                return Vec::new();
            }
            let old = judge.read(&edit.path);
            let Some(mut text) = old.clone() else {
                // A replacement in a file that is not there fails in the agent's tool too.
                return Vec::new();
            };
            for (from, to, all) in steps {
                match patch::apply_edit(&text, from, to, *all) {
                    Ok(t) => text = t,
                    Err(e) => {
                        out.push(
                            format!(
                                "cordon could not apply this edit to {} to see what it changes ({e}), so it is blocked. Re-read the file and edit it again.",
                                edit.path
                            ),
                            false,
                        );
                        return Vec::new();
                    }
                }
            }
            vec![Change {
                kind,
                old,
                new: Some(text),
                path: edit.path.clone(),
            }]
        }
    }
}

/// True when a patch header names a file whose changes the guard judges.
fn patch_names_dependency_file(text: &str) -> bool {
    text.lines().any(|l| {
        [
            "*** Add File: ",
            "*** Update File: ",
            "*** Delete File: ",
            "*** Move to: ",
        ]
        .iter()
        .find_map(|h| l.strip_prefix(h))
        .is_some_and(|p| manifest::classify(p.trim()) != FileKind::Other)
    })
}

fn judge_change(c: &Change, judge: &Judge<'_>, out: &mut Reasons) {
    let file = short(&c.path);
    match c.kind {
        FileKind::Other => {}
        FileKind::Lock => out.push(
            format!(
                "{file} is a lockfile: uv writes it, so an agent may not edit it. Change the dependencies in pyproject.toml (a human approves new ones) and let `uv lock` write the lock."
            ),
            false,
        ),
        FileKind::Approvals
            if c.path
                .replace('\\', "/")
                .ends_with(crate::approvals::APPROVALS_FILE) =>
        {
            out.push(approvals_reason(&file), false);
        }
        // `cordon.toml`: its `allow` and its other policy keys are judged below.
        kind => {
            let Some(new_text) = &c.new else {
                // A dependency file deleted or moved away removes dependencies: allowed.
                return;
            };
            let new = match manifest::read_deps(kind, new_text) {
                Ok(set) => set,
                Err(e) => {
                    out.push(
                        format!(
                            "cordon cannot read the new {file} ({e}), so it cannot tell which dependencies this changes and it is blocked. Fix the edit so the file stays valid."
                        ),
                        false,
                    );
                    return;
                }
            };
            // An old file cordon cannot read counts as empty: everything in the new one is new.
            let old = c
                .old
                .as_deref()
                .and_then(|t| manifest::read_deps(kind, t).ok())
                .unwrap_or_default();
            let diff = manifest::diff(&old, &new);
            if diff.allow_changed {
                out.push(
                    format!(
                        "This edit changes `[tool.cordon] allow` in {file}: approvals are a human's to give. Ask the user to approve the package with `cordon approve NAME --reason TEXT`."
                    ),
                    false,
                );
            }
            if let Some(policy) = diff.other_added.iter().find_map(|o| o.strip_prefix("policy: ")) {
                out.push(
                    format!(
                        "This edit changes the cordon policy in {file} ({}): that is a human's decision, so ask the user to make this change.",
                        crate::decide::clip_text(policy)
                    ),
                    false,
                );
            } else if let Some(source) = diff.other_added.first() {
                out.push(
                    format!(
                        "This edit adds a package source to {file} ({}), which needs a human's approval: ask the user to make this change.",
                        crate::decide::clip_text(source)
                    ),
                    false,
                );
            }
            if diff.added.is_empty() {
                return;
            }
            let wanted: Vec<(String, Option<String>, String)> = diff
                .added
                .iter()
                .map(|d| (d.name.clone(), specifier(&d.text), d.text.clone()))
                .collect();
            let project = judge.project();
            let refused = unapproved(project, &wanted, out);
            if !refused.is_empty() {
                let what = format!("This edit to {file}");
                out.push(
                    unapproved_reason(&what, "would add", &refused, project, false),
                    true,
                );
            }
        }
    }
}

fn approvals_reason(file: &str) -> String {
    format!(
        "{file} records which packages a human approved, so an agent may not change it. Ask the user to approve the package with `cordon approve NAME --reason TEXT`."
    )
}

/// The file name, for messages (the agent knows where it is).
fn short(path: &str) -> String {
    let p = path.replace('\\', "/");
    let parts: Vec<&str> = p.rsplit('/').take(2).collect();
    match parts.as_slice() {
        [name, dir] if *dir == "requirements" || *dir == ".cordon" => format!("{dir}/{name}"),
        [name, ..] => (*name).to_owned(),
        [] => path.to_owned(),
    }
}
