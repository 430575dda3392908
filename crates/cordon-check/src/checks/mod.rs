//! The check registry. One file per check: a unit struct, its [`CheckMeta`] declared once next
//! to the code, and an entry in [`ALL`].

use cordon_diagnostics::{Finding, RuleInfo, Severity};

use crate::Context;

pub mod agent_guard_missing;
pub mod agent_policy_missing;
pub mod bounds_not_exact;
pub mod ci_cooldown_override;
pub mod ci_install_unparsed;
pub mod ci_pip_install_unhashed;
pub mod ci_sync_not_locked;
pub mod ci_uv_unpinned;
pub mod cooldown_disabled;
pub mod cooldown_exemption;
pub mod cooldown_missing;
pub mod cooldown_too_short;
pub mod dependency_not_exact;
pub mod extra_index_unscoped;
pub mod git_dependency_unpinned;
pub mod index_credentials_committed;
pub mod index_strategy_unsafe;
pub mod insecure_index;
pub mod known_malicious;
pub mod known_vulnerable;
pub mod lock_cooldown_violation;
pub mod lock_hash_missing;
pub mod lock_source_untrusted;
pub mod lock_upload_time_missing;
pub mod lockfile_missing;
pub mod lockfile_stale;
pub mod requirements_unhashed;
pub mod requirements_unpinned;
pub mod requirements_without_lock;
pub mod stdlib_shadow;
pub mod typosquat_suspect;
pub mod unparsed_file;
pub mod unused_ignore;
pub mod url_dependency_unhashed;
pub mod uv_config_invalid;
pub mod uv_version_unpinned;

/// The family a check belongs to (DESIGN's catalogue).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Cooldown,
    UvConfig,
    Pinning,
    Lock,
    Requirements,
    Ci,
    Agents,
    Names,
    Meta,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Cooldown => "cooldown",
            Family::UvConfig => "uv config",
            Family::Pinning => "pinning",
            Family::Lock => "lock",
            Family::Requirements => "requirements",
            Family::Ci => "ci",
            Family::Agents => "agents",
            Family::Names => "names",
            Family::Meta => "meta",
        }
    }
}

/// What every check declares about itself.
#[derive(Debug)]
pub struct CheckMeta {
    /// Kebab-case id naming the hazard; also the anchor of its section in `docs/checks.md`.
    pub id: &'static str,
    pub summary: &'static str,
    pub family: Family,
    pub severity: Severity,
    /// Whether `cordon check --fix` / `cordon init` can repair it.
    pub fixable: bool,
    /// `docs/checks.md#<id>`.
    pub docs: &'static str,
}

impl CheckMeta {
    pub fn rule_info(&self) -> RuleInfo {
        RuleInfo {
            id: self.id,
            summary: self.summary,
            default_severity: self.severity,
            help_uri: self.docs,
        }
    }
}

/// A check: reads the context, pushes findings.
pub trait Check: Sync {
    fn meta(&self) -> &'static CheckMeta;
    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>);
}

/// Every check, in catalogue order.
pub static ALL: &[&dyn Check] = &[
    &cooldown_missing::CooldownMissing,
    &cooldown_too_short::CooldownTooShort,
    &cooldown_disabled::CooldownDisabled,
    &cooldown_exemption::CooldownExemption,
    &lock_cooldown_violation::LockCooldownViolation,
    &lock_upload_time_missing::LockUploadTimeMissing,
    &uv_config_invalid::UvConfigInvalid,
    &bounds_not_exact::BoundsNotExact,
    &uv_version_unpinned::UvVersionUnpinned,
    &index_strategy_unsafe::IndexStrategyUnsafe,
    &extra_index_unscoped::ExtraIndexUnscoped,
    &insecure_index::InsecureIndex,
    &index_credentials_committed::IndexCredentialsCommitted,
    &dependency_not_exact::DependencyNotExact,
    &git_dependency_unpinned::GitDependencyUnpinned,
    &url_dependency_unhashed::UrlDependencyUnhashed,
    &lockfile_missing::LockfileMissing,
    &lockfile_stale::LockfileStale,
    &lock_hash_missing::LockHashMissing,
    &lock_source_untrusted::LockSourceUntrusted,
    &requirements_unpinned::RequirementsUnpinned,
    &requirements_unhashed::RequirementsUnhashed,
    &requirements_without_lock::RequirementsWithoutLock,
    &ci_sync_not_locked::CiSyncNotLocked,
    &ci_pip_install_unhashed::CiPipInstallUnhashed,
    &ci_uv_unpinned::CiUvUnpinned,
    &ci_cooldown_override::CiCooldownOverride,
    &ci_install_unparsed::CiInstallUnparsed,
    &agent_policy_missing::AgentPolicyMissing,
    &agent_guard_missing::AgentGuardMissing,
    &typosquat_suspect::TyposquatSuspect,
    &known_malicious::KnownMalicious,
    &known_vulnerable::KnownVulnerable,
    &stdlib_shadow::StdlibShadow,
    &unparsed_file::UnparsedFile,
];

/// Metadata of every id cordon check can report, including the meta check for ignores.
pub fn all_meta() -> impl Iterator<Item = &'static CheckMeta> {
    ALL.iter()
        .map(|c| c.meta())
        .chain(std::iter::once(&unused_ignore::META))
}

/// Metadata for an id.
pub fn meta(id: &str) -> Option<&'static CheckMeta> {
    all_meta().find(|m| m.id == id)
}

/// Declares a check's metadata static: `declare_check!(META, "id", Family, Severity, fixable, "summary");`
#[macro_export]
macro_rules! declare_check {
    ($name:ident, $id:literal, $family:ident, $severity:ident, $fixable:literal, $summary:literal) => {
        pub static $name: $crate::checks::CheckMeta = $crate::checks::CheckMeta {
            id: $id,
            summary: $summary,
            family: $crate::checks::Family::$family,
            severity: cordon_diagnostics::Severity::$severity,
            fixable: $fixable,
            docs: concat!("docs/checks.md#", $id),
        };
    };
}
