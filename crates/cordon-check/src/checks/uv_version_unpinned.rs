//! `uv-version-unpinned`: no `required-version`, or one that admits a uv older than 0.9.17 —
//! such a uv cannot read relative cooldowns and drops the whole `[tool.uv]` table.

use std::str::FromStr;

use cordon_diagnostics::Finding;
use pep440_rs::{Operator, Version, VersionSpecifiers};

use crate::Context;
use crate::checks::Check;

crate::declare_check!(
    META,
    "uv-version-unpinned",
    UvConfig,
    Medium,
    true,
    "uv's version is not constrained to one that enforces the cooldown (>= 0.9.17)"
);

/// The first uv release that understands relative `exclude-newer` spans.
pub const MIN_UV: &str = "0.9.17";

pub struct UvVersionUnpinned;

impl Check for UvVersionUnpinned {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let help = format!(
            "set `required-version = \">={MIN_UV}\"` under `[tool.uv]` (better: the minor version you test with, e.g. \">=0.13.9,<0.14\")"
        );
        // uv enforces `required-version` even when the rest of `[tool.uv]` fails to parse.
        let project_value = cx
            .project
            .settings
            .project_files()
            .find_map(|f| f.options.required_version.as_ref());
        let Some(v) = project_value else {
            out.push(cx.finding(
                &META,
                "uv's version is not pinned: `required-version` is not set",
                help,
                cx.project_anchor(),
            ));
            return;
        };
        let Ok(specs) = VersionSpecifiers::from_str(&v.value) else {
            return;
        }; // uv-config-invalid reports it
        if !admits_older_than(&specs, MIN_UV) {
            return;
        }
        let at = cx.loc_of(v).map_or_else(|| cx.project_anchor(), Into::into);
        out.push(cx.finding(
            &META,
            format!("`required-version = \"{}\"` admits uv older than {MIN_UV}, which ignores relative cooldowns", v.value),
            help,
            at,
        ));
    }
}

/// True unless some specifier puts a lower bound at or above `floor` (all must hold at once, so
/// one such bound excludes every older version).
pub fn admits_older_than(specs: &VersionSpecifiers, floor: &str) -> bool {
    let Ok(floor) = Version::from_str(floor) else {
        return true;
    };
    !specs.iter().any(|s| {
        let bounded = matches!(
            s.operator(),
            Operator::GreaterThanEqual
                | Operator::GreaterThan
                | Operator::Equal
                | Operator::ExactEqual
                | Operator::TildeEqual
        );
        bounded && *s.version() >= floor
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admits(s: &str) -> bool {
        admits_older_than(&VersionSpecifiers::from_str(s).unwrap(), MIN_UV)
    }

    #[test]
    fn lower_bounds_decide() {
        assert!(!admits(">=0.9.17"));
        assert!(!admits(">=0.13.9,<0.14"));
        assert!(!admits("==0.13.9"));
        assert!(!admits("~=0.13.0"));
        assert!(admits(">=0.9"));
        assert!(admits("<0.14"));
        assert!(admits("!=0.5.0"));
        assert!(admits("==0.9.*"));
    }
}
