//! What the guard knows of the project an agent works in, loaded only when a tool call needs
//! judging: its root, the packages `uv.lock` names, the policy (`[tool.cordon] allow` and
//! `agent-decision`) and the approvals file. Nothing here fails: what cannot be read is noted
//! in [`Project::problems`] and grants nothing, so the guard fails closed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use cordon_python::name::normalize;

use crate::approvals::{self, Approval};

/// The project, as far as the guard needs it.
#[derive(Debug, Default)]
pub struct Project {
    /// The nearest directory at or above the working directory with a `pyproject.toml` or a
    /// `uv.lock`; `None` outside any project.
    pub root: Option<PathBuf>,
    /// Locked packages: normalised name → versions.
    pub locked: HashMap<String, Vec<String>>,
    /// `[tool.cordon] allow` (normalised).
    pub allow: Vec<String>,
    pub approvals: Vec<Approval>,
    /// `agent-decision = "ask"`.
    pub ask: bool,
    /// What could not be read (it grants nothing).
    pub problems: Vec<String>,
}

/// Why a package may (or may not) be installed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permit {
    /// A human approved it (`cordon approve`, `[tool.cordon] allow`).
    Approved,
    /// The lock names it, at this version.
    Locked(String),
    /// Approved or locked, but not at the version asked for; says which versions are.
    OtherVersion(String),
    /// Neither approved nor locked.
    Unknown,
}

impl Permit {
    pub fn granted(&self) -> bool {
        matches!(self, Self::Approved | Self::Locked(_))
    }
}

impl Project {
    /// Loads the project containing `cwd`.
    pub fn load(cwd: &Path) -> Self {
        let Some(root) = find_root(cwd) else {
            return Self::default();
        };
        let mut p = Self {
            root: Some(root.clone()),
            ..Self::default()
        };
        let lock_path = root.join("uv.lock");
        if lock_path.is_file() {
            match cordon_python::Source::read(&lock_path).and_then(cordon_python::lock::parse_lock)
            {
                Ok(lock) => {
                    for pkg in lock.packages {
                        if let Some(v) = pkg.version {
                            p.locked.entry(normalize(&pkg.name)).or_default().push(v);
                        }
                    }
                }
                Err(e) => p.problems.push(format!("uv.lock could not be read ({e})")),
            }
        }
        let pyproject_path = root.join("pyproject.toml");
        let pyproject = if pyproject_path.is_file() {
            match cordon_python::Source::read(&pyproject_path)
                .and_then(cordon_python::pyproject::PyProject::parse)
            {
                Ok(py) => Some(py),
                Err(e) => {
                    p.problems
                        .push(format!("pyproject.toml could not be read ({e})"));
                    None
                }
            }
        } else {
            None
        };
        match cordon_check::Policy::load(&root, pyproject.as_ref()) {
            Ok(policy) => {
                p.allow = policy.allow;
                p.ask = policy.agent_ask;
            }
            Err(e) => p
                .problems
                .push(format!("the cordon policy could not be read ({e})")),
        }
        match approvals::read(&root) {
            Ok(a) => p.approvals = a,
            Err(e) => p
                .problems
                .push(format!("the approvals could not be read ({e})")),
        }
        p
    }

    /// The names the project already has (locked or approved), indexed for look-alike
    /// lookups: an agent that mistypes a dependency is told which one it likely meant.
    pub fn known_names(&self) -> cordon_intel::typosquat::Popular {
        cordon_intel::typosquat::Popular::new(
            self.locked
                .keys()
                .chain(&self.allow)
                .chain(self.approvals.iter().map(|a| &a.name))
                .map(String::as_str),
        )
    }

    /// May `name` be installed at `spec` (`==2.0`, `>=1,<2`, or `None` for any version)?
    pub fn permit(&self, name: &str, spec: Option<&str>) -> Permit {
        let name = normalize(name);
        let exact = spec.and_then(exact_version);
        if self.allow.contains(&name) {
            return Permit::Approved;
        }
        let approved = approvals::covers(&self.approvals, &name, exact);
        if approved == Some(true) {
            return Permit::Approved;
        }
        if let Some(versions) = self.locked.get(&name) {
            let fits = |v: &str| match spec {
                None => true,
                Some(s) => satisfies(v, s),
            };
            if let Some(v) = versions.iter().find(|v| fits(v)) {
                return Permit::Locked(v.clone());
            }
            return Permit::OtherVersion(format!("the lock has {}", versions.join(", ")));
        }
        if approved == Some(false) {
            let versions: Vec<&str> = self
                .approvals
                .iter()
                .filter(|a| a.name == name)
                .filter_map(|a| a.version.as_deref())
                .collect();
            return Permit::OtherVersion(format!("approved only at {}", versions.join(", ")));
        }
        Permit::Unknown
    }
}

/// The version of a single `==V` clause.
fn exact_version(spec: &str) -> Option<&str> {
    let v = spec.trim().strip_prefix("==")?.trim();
    (!v.is_empty() && !v.contains([',', '*', '<', '>', '!', '~', '='])).then_some(v)
}

/// Whether version `v` satisfies the PEP 440 specifiers `spec`; unreadable is "no".
fn satisfies(v: &str, spec: &str) -> bool {
    let (Ok(version), Ok(specifiers)) = (
        v.parse::<pep440_rs::Version>(),
        spec.parse::<pep440_rs::VersionSpecifiers>(),
    ) else {
        return false;
    };
    specifiers.contains(&version)
}

/// The nearest directory at or above `cwd` holding a `pyproject.toml` or a `uv.lock`.
pub fn find_root(cwd: &Path) -> Option<PathBuf> {
    cwd.ancestors()
        .find(|d| d.join("pyproject.toml").is_file() || d.join("uv.lock").is_file())
        .map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permits_follow_approvals_then_the_lock() {
        let mut p = Project::default();
        p.locked.insert("requests".into(), vec!["2.32.3".into()]);
        p.allow.push("rich".into());
        p.approvals.push(Approval {
            name: "flask".into(),
            version: Some("3.0.0".into()),
            reason: String::new(),
            by: String::new(),
            at: String::new(),
            vet: None,
        });
        assert_eq!(p.permit("Rich", Some(">=13")), Permit::Approved);
        assert_eq!(p.permit("flask", Some("==3.0.0")), Permit::Approved);
        assert!(matches!(p.permit("flask", None), Permit::OtherVersion(_)));
        assert_eq!(p.permit("requests", None), Permit::Locked("2.32.3".into()));
        assert_eq!(
            p.permit("requests", Some(">=2,<3")),
            Permit::Locked("2.32.3".into())
        );
        assert!(matches!(
            p.permit("requests", Some("==2.0")),
            Permit::OtherVersion(_)
        ));
        assert_eq!(p.permit("reqeusts", None), Permit::Unknown);
    }
}
