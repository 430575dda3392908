//! `ci-install-unparsed`: a command in CI or a container build that mentions an installer but
//! that cordon cannot understand (a variable as the command, `eval`, an unterminated quote). It
//! is reported with low confidence rather than passed as safe.

use cordon_diagnostics::{Confidence, Finding};

use crate::Context;
use crate::checks::Check;
use crate::ci_scripts::script_location;

crate::declare_check!(
    META,
    "ci-install-unparsed",
    Ci,
    Low,
    false,
    "a CI command mentions an installer but cannot be analysed"
);

pub struct CiInstallUnparsed;

impl Check for CiInstallUnparsed {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for ci in &cx.project.ci {
            for (script, analysis) in ci.scripts() {
                for u in analysis.unparsed.iter().filter(|u| u.mentions_installer) {
                    let Some(at) = script_location(cx, ci, script, u.span.clone()) else {
                        continue;
                    };
                    out.push(
                        cx.finding(
                            &META,
                            format!("this command mentions an installer but cordon cannot analyse it: {}", u.reason),
                            "write the install as a plain command (no `eval`, no installer in a variable) so it can be checked, or ignore this line with a reason",
                            at,
                        )
                        .with_confidence(Confidence::Low),
                    );
                }
            }
        }
    }
}
