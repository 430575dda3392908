//! `typosquat-suspect`: a declared or locked package whose name is one confusion away from a
//! much more popular package (`reqeusts` for `requests`): the classic way to get code run by
//! a typo. Needs the popular names from `cordon intel`.

use cordon_diagnostics::{Confidence, Finding};

use crate::Context;
use crate::checks::Check;

crate::declare_check!(
    META,
    "typosquat-suspect",
    Names,
    Medium,
    false,
    "a dependency's name looks like a popular package's"
);

pub struct TyposquatSuspect;

impl Check for TyposquatSuspect {
    fn meta(&self) -> &'static crate::CheckMeta {
        &META
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(popular) = cx.names.and_then(|n| n.popular.as_ref()) else {
            return;
        };
        let tuning = cx.names.map(|n| n.tuning).unwrap_or_default();
        for pkg in cx.named_packages() {
            let Some(s) = popular.suspect(&pkg.name, &tuning) else {
                continue;
            };
            let Some(at) = cx.loc(&pkg.file, pkg.span.clone()) else {
                continue;
            };
            let whence = if pkg.direct { "declared" } else { "locked" };
            out.push(
                cx.finding(
                    &META,
                    format!(
                        "`{}` ({whence}) looks like `{}`, the #{} most downloaded package ({})",
                        pkg.name,
                        s.popular,
                        s.rank,
                        s.how.describe()
                    ),
                    format!(
                        "if you meant `{}`, depend on it instead; if `{}` is what you want, check \
                         who publishes it, then record that with an ignore and its reason",
                        s.popular, pkg.name
                    ),
                    at,
                )
                .with_confidence(Confidence::Medium)
                .with_package(pkg.name.clone(), pkg.version.clone()),
            );
        }
    }
}
