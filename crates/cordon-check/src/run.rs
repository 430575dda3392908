//! One `cordon check` run: every registered check over the project, then severity overrides,
//! ignores, and a stable order.

use cordon_diagnostics::{Finding, Report};
use jiff::Timestamp;

use crate::checks::{self, ALL};
use crate::ignore;
use crate::{Context, Policy, Project, UvLockCheck};

/// Options of a run that are not part of the project.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub now: Timestamp,
    pub uv_lock_check: Option<UvLockCheck>,
    /// Reference data for the name checks; without it they do not run.
    pub names: Option<std::sync::Arc<crate::Names>>,
}

/// Runs every check and returns the report.
pub fn run_checks(project: &Project, policy: &Policy, options: &CheckOptions) -> Report {
    let cx = Context::new(
        project,
        policy,
        options.now,
        options.uv_lock_check.as_ref(),
        options.names.as_deref(),
    );
    let mut findings: Vec<Finding> = Vec::new();
    for check in ALL {
        check.run(&cx, &mut findings);
    }
    for f in &mut findings {
        if let Some(sev) = policy.severity.get(f.id) {
            f.severity = *sev;
        }
    }
    let mut files: Vec<_> = project.files.values().cloned().collect();
    files.sort_by(|a, b| a.path().cmp(b.path()));
    let inline: Vec<_> = files.iter().flat_map(ignore::inline_ignores).collect();
    let rule_locs: Vec<_> = policy
        .ignore
        .iter()
        .map(|r| cx.loc(&r.file, r.span.clone()))
        .collect();
    let findings = ignore::apply(findings, &policy.ignore, &rule_locs, &inline);
    let mut report = Report::new(
        "check",
        checks::all_meta()
            .map(checks::CheckMeta::rule_info)
            .collect(),
    );
    report.findings = findings;
    report.sort();
    // The same problem reached twice (a GitLab `default:` script analysed for each job) is
    // one finding.
    report.findings.dedup_by(|a, b| {
        a.id == b.id
            && a.message == b.message
            && match (&a.location, &b.location) {
                (Some(x), Some(y)) => x.file.path() == y.file.path() && x.span == y.span,
                (None, None) => true,
                _ => false,
            }
    });
    report
}
