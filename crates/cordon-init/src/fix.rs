//! `cordon check --fix`: which parts of init's edit code the fixable findings call for. A check
//! marks itself fixable in its metadata; this table says which edit repairs it. A new fixable
//! check adds one arm here.

use std::path::Path;

use crate::agents;
use crate::init::Scope;

/// The part of [`Scope`] that repairs one check id, or `None` for an id `--fix` cannot repair.
fn part(id: &str) -> Option<Part> {
    Some(match id {
        "cooldown-missing" | "cooldown-too-short" | "cooldown-disabled" => {
            Part::Setting("exclude-newer")
        }
        "bounds-not-exact" => Part::Setting("add-bounds"),
        "uv-version-unpinned" => Part::Setting("required-version"),
        "index-strategy-unsafe" => Part::Setting("index-strategy"),
        "cooldown-exemption" => Part::Setting("exclude-newer-package"),
        "extra-index-unscoped" => Part::Setting("explicit"),
        "dependency-not-exact" => Part::Pins,
        "lockfile-missing" | "lockfile-stale" => Part::Lock,
        "ci-sync-not-locked" => Part::Ci,
        "agent-policy-missing" | "agent-guard-missing" => Part::Agents,
        _ => return None,
    })
}

enum Part {
    Setting(&'static str),
    Pins,
    Lock,
    Ci,
    Agents,
}

/// The scope that repairs the findings with these (fixable) ids; `None` when none can be.
pub fn scope_for(root: &Path, ids: &[&str]) -> Option<Scope> {
    let mut scope = Scope {
        settings: false,
        setting_keys: Some(Vec::new()),
        pins: false,
        lock: false,
        ci_fix: false,
        ci_job: None,
        agents: None,
        migrate: false,
    };
    let mut any = false;
    for id in ids {
        let Some(p) = part(id) else { continue };
        any = true;
        match p {
            Part::Setting(key) => {
                scope.settings = true;
                if let Some(keys) = &mut scope.setting_keys
                    && !keys.contains(&key)
                {
                    keys.push(key);
                }
                // A changed manifest needs a fresh lock.
                scope.lock = true;
            }
            Part::Pins => {
                scope.pins = true;
                scope.lock = true;
            }
            Part::Lock => scope.lock = true,
            Part::Ci => scope.ci_fix = true,
            Part::Agents => scope.agents = Some(agents::detected(root)),
        }
    }
    any.then_some(scope)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_ids_to_parts() {
        let s = scope_for(
            Path::new("/nonexistent"),
            &["bounds-not-exact", "dependency-not-exact"],
        )
        .unwrap();
        assert!(s.settings && s.pins && s.lock && !s.ci_fix);
        assert_eq!(s.setting_keys, Some(vec!["add-bounds"]));
        assert!(scope_for(Path::new("/x"), &["lock-hash-missing"]).is_none());
        let s = scope_for(Path::new("/x"), &["ci-sync-not-locked"]).unwrap();
        assert!(s.ci_fix && !s.lock && !s.settings);
    }

    #[test]
    fn every_fixable_check_has_a_repair() {
        for m in cordon_check::checks::all_meta() {
            assert_eq!(
                m.fixable,
                part(m.id).is_some(),
                "`{}`: fixable in its metadata must match the --fix table",
                m.id
            );
        }
    }

    #[test]
    fn docs_say_what_fix_does_for_exactly_the_fixable_checks() {
        let docs =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/checks.md"))
                .unwrap();
        for m in cordon_check::checks::all_meta() {
            let start = docs
                .find(&format!("\n### {}\n", m.id))
                .unwrap_or_else(|| panic!("no section for `{}`", m.id));
            let rest = &docs[start + 5..];
            let end = rest
                .find("\n## ")
                .into_iter()
                .chain(rest.find("\n### "))
                .min();
            let section = &rest[..end.unwrap_or(rest.len())];
            assert_eq!(
                section.contains("**`--fix`:**"),
                m.fixable,
                "docs/checks.md#{}: a `--fix` line exactly when the check is fixable",
                m.id
            );
        }
    }
}
