//! uv and uvx. uv reads its options with clap: no abbreviations, `--opt value` or
//! `--opt=value`, global options (`--directory`, `--project`, `-q`, …) before or after the
//! subcommand. The table lists the options that take a value, per subcommand, as uv 0.13.9
//! accepts them (hidden aliases included); every other option is a flag.

use crate::args::A;
use crate::installers::{Call, Family, Outcome, common_option, is_help, truthy};
use crate::model::{Action, InstallIntent, Installer};
use crate::options::{Grammar, Item, Opt, Walker, o};
use crate::package::{Form, package};

const GLOBAL: u32 = 1;
const ADD: u32 = 1 << 1;
const PIP_INSTALL: u32 = 1 << 2;
const PIP_SYNC: u32 = 1 << 3;
const SYNC: u32 = 1 << 4;
const LOCK: u32 = 1 << 5;
const RUN: u32 = 1 << 6;
const TOOL_INSTALL: u32 = 1 << 7;
const TOOL_RUN: u32 = 1 << 8;
const TOOL_UPGRADE: u32 = 1 << 9;
const SUBS: u32 =
    ADD | PIP_INSTALL | PIP_SYNC | SYNC | LOCK | RUN | TOOL_INSTALL | TOOL_RUN | TOOL_UPGRADE;
const ALL: u32 = GLOBAL | SUBS;

static OPTS: &[Opt] = &[
    o(&["--allow-insecure-host", "--trusted-host"], "", true, ALL),
    o(&["--bounds"], "", true, ADD),
    o(&["--branch"], "", true, ADD),
    o(
        &["--build-constraints"],
        "b",
        true,
        PIP_INSTALL | PIP_SYNC | TOOL_INSTALL | TOOL_RUN,
    ),
    o(&["--cache-dir"], "", true, ALL),
    o(&["--cert"], "", true, PIP_INSTALL | PIP_SYNC),
    o(&["--client-cert"], "", true, PIP_SYNC),
    o(&["--color"], "", true, ALL),
    o(&["--config-file"], "", true, ALL),
    o(&["--config-setting", "--config-settings"], "C", true, SUBS),
    o(&["--config-setting-package"], "", true, TOOL_UPGRADE),
    o(&["--config-settings-package"], "", true, SUBS),
    o(
        &["--constraints", "--constraint"],
        "c",
        true,
        ADD | PIP_INSTALL | PIP_SYNC | TOOL_INSTALL | TOOL_RUN,
    ),
    o(&["--default-index"], "", true, SUBS),
    o(&["--directory"], "", true, ALL),
    o(&["--editable"], "e", true, PIP_INSTALL),
    o(&["--env-file"], "", true, RUN | TOOL_RUN),
    o(&["--exclude-newer"], "", true, SUBS),
    o(&["--exclude-newer-package"], "", true, SUBS),
    o(
        &["--excludes", "--exclude"],
        "",
        true,
        PIP_INSTALL | TOOL_INSTALL,
    ),
    o(
        &["--extra"],
        "",
        true,
        ADD | PIP_INSTALL | PIP_SYNC | SYNC | RUN,
    ),
    o(&["--extra-index-url"], "", true, SUBS),
    o(&["--find-links"], "f", true, SUBS),
    o(
        &["--fork-strategy"],
        "",
        true,
        ADD | PIP_INSTALL | SYNC | LOCK | RUN | TOOL_INSTALL | TOOL_RUN | TOOL_UPGRADE,
    ),
    o(&["--from"], "", true, TOOL_INSTALL | TOOL_RUN),
    o(
        &["--group"],
        "",
        true,
        ADD | PIP_INSTALL | PIP_SYNC | SYNC | RUN,
    ),
    o(&["--index"], "", true, SUBS),
    o(&["--index-strategy"], "", true, SUBS),
    o(&["--index-url"], "i", true, SUBS),
    o(&["--keyring-provider"], "", true, SUBS),
    o(&["--link-mode"], "", true, SUBS),
    o(&["--marker"], "m", true, ADD),
    o(&["--no-binary"], "", true, PIP_INSTALL | PIP_SYNC),
    o(
        &["--no-binary-package"],
        "",
        true,
        ADD | SYNC | LOCK | RUN | TOOL_INSTALL | TOOL_RUN | TOOL_UPGRADE,
    ),
    o(
        &["--no-build-isolation-package"],
        "",
        true,
        ADD | PIP_INSTALL | SYNC | LOCK | RUN | TOOL_INSTALL | TOOL_RUN | TOOL_UPGRADE,
    ),
    o(
        &["--no-build-package"],
        "",
        true,
        ADD | SYNC | LOCK | RUN | TOOL_INSTALL | TOOL_RUN | TOOL_UPGRADE,
    ),
    o(
        &["--no-editable-package"],
        "",
        true,
        ADD | PIP_INSTALL | SYNC | RUN,
    ),
    o(&["--no-extra"], "", true, SYNC | RUN),
    o(&["--no-group"], "", true, SYNC | RUN),
    o(&["--no-install-package"], "", true, ADD | SYNC),
    o(&["--no-sources-package"], "", true, SUBS),
    o(&["--only-binary"], "", true, PIP_INSTALL | PIP_SYNC),
    o(&["--only-group"], "", true, SYNC | RUN),
    o(&["--optional"], "", true, ADD),
    o(
        &["--output-format"],
        "",
        true,
        PIP_INSTALL | PIP_SYNC | SYNC,
    ),
    o(
        &["--overrides", "--override"],
        "",
        true,
        PIP_INSTALL | TOOL_INSTALL | TOOL_RUN,
    ),
    o(&["--package"], "", true, ADD | SYNC | RUN),
    o(&["--prefix"], "", true, PIP_INSTALL | PIP_SYNC),
    o(
        &["--prerelease"],
        "",
        true,
        ADD | PIP_INSTALL | SYNC | LOCK | RUN | TOOL_INSTALL | TOOL_RUN | TOOL_UPGRADE,
    ),
    o(
        &["--prerelease-package"],
        "",
        true,
        ADD | PIP_INSTALL | SYNC | LOCK | RUN | TOOL_INSTALL | TOOL_RUN | TOOL_UPGRADE,
    ),
    o(&["--preview-features"], "", true, ALL),
    o(&["--project"], "", true, ALL),
    o(&["--python"], "p", true, SUBS),
    o(&["--python-fetch"], "", true, ALL),
    o(
        &["--python-platform"],
        "",
        true,
        PIP_INSTALL | PIP_SYNC | SYNC | RUN | TOOL_INSTALL | TOOL_RUN | TOOL_UPGRADE,
    ),
    o(&["--python-preference"], "", true, ALL),
    o(&["--python-version"], "", true, PIP_INSTALL | PIP_SYNC),
    o(
        &["--refresh-package"],
        "",
        true,
        ADD | PIP_INSTALL | PIP_SYNC | SYNC | LOCK | RUN | TOOL_INSTALL | TOOL_RUN,
    ),
    o(
        &["--reinstall-package"],
        "",
        true,
        ADD | PIP_INSTALL | PIP_SYNC | SYNC | RUN | TOOL_INSTALL | TOOL_RUN | TOOL_UPGRADE,
    ),
    o(
        &["--requirements", "--requirement"],
        "r",
        true,
        ADD | PIP_INSTALL,
    ),
    o(
        &["--resolution"],
        "",
        true,
        ADD | PIP_INSTALL | SYNC | LOCK | RUN | TOOL_INSTALL | TOOL_RUN | TOOL_UPGRADE,
    ),
    o(&["--rev"], "", true, ADD),
    o(&["--script"], "", true, ADD | SYNC | LOCK),
    o(&["--tag"], "", true, ADD),
    o(&["--target"], "t", true, PIP_INSTALL | PIP_SYNC),
    o(
        &["--torch-backend"],
        "",
        true,
        PIP_INSTALL | PIP_SYNC | TOOL_INSTALL | TOOL_RUN,
    ),
    o(
        &["--upgrade-group"],
        "",
        true,
        ADD | PIP_INSTALL | SYNC | LOCK | RUN | TOOL_INSTALL | TOOL_RUN | TOOL_UPGRADE,
    ),
    o(
        &["--upgrade-package"],
        "P",
        true,
        ADD | PIP_INSTALL | SYNC | LOCK | RUN | TOOL_INSTALL | TOOL_RUN | TOOL_UPGRADE,
    ),
    o(&["--with"], "w", true, RUN | TOOL_INSTALL | TOOL_RUN),
    o(
        &["--with-editable"],
        "",
        true,
        RUN | TOOL_INSTALL | TOOL_RUN,
    ),
    o(&["--with-executables-from"], "", true, TOOL_INSTALL),
    o(
        &["--with-requirements"],
        "",
        true,
        RUN | TOOL_INSTALL | TOOL_RUN,
    ),
    // Flags whose short letter matters.
    o(
        &["--upgrade"],
        "U",
        false,
        ADD | PIP_INSTALL | SYNC | LOCK | RUN | TOOL_INSTALL | TOOL_RUN,
    ),
    o(&["--module"], "m", false, RUN),
    o(&["--script"], "s", false, RUN),
    o(&["--editable"], "e", false, TOOL_INSTALL),
];

static GRAMMAR: Grammar = Grammar {
    opts: OPTS,
    abbrev: false,
    short_eq: true,
};

/// Reads uv's arguments (everything after `uv` or `-m uv`).
pub(crate) fn uv<'a, 'w>(args: &'a [A<'w>], call: &Call<'_>) -> Outcome<'a, 'w> {
    let mut w = Walker::new(args, &GRAMMAR, GLOBAL);
    let mut before = Vec::new();
    let Some(sub) = next_subcommand(&mut w, &mut before) else {
        return Outcome::none();
    };
    if sub.dynamic {
        return Outcome::dynamic();
    }
    let (action, scope) = match &*sub.text {
        "add" => (Action::Add, ADD),
        "sync" => (Action::Sync, SYNC),
        "lock" => (Action::Lock, LOCK),
        "run" => (Action::Run, RUN),
        "pip" | "tool" => {
            let Some(sub2) = next_subcommand(&mut w, &mut before) else {
                return Outcome::none();
            };
            if sub2.dynamic {
                return Outcome::dynamic();
            }
            match (&*sub.text, &*sub2.text) {
                ("pip", "install") => (Action::PipInstall, PIP_INSTALL),
                ("pip", "sync") => (Action::PipSync, PIP_SYNC),
                ("tool", "install") => (Action::ToolInstall, TOOL_INSTALL),
                ("tool", "run") => (Action::ToolRun, TOOL_RUN),
                ("tool", "upgrade") => (Action::Update, TOOL_UPGRADE),
                _ => return Outcome::none(),
            }
        }
        _ => return Outcome::none(),
    };
    let mut intent = call.intent(Installer::Uv, action, Family::Uv);
    for (name, value) in &before {
        common_option(&mut intent, name, value.as_ref());
    }
    command(intent, w.rest(), scope)
}

/// Reads `uvx`'s arguments (the same as `uv tool run`).
pub(crate) fn uvx<'a, 'w>(args: &'a [A<'w>], call: &Call<'_>) -> Outcome<'a, 'w> {
    let intent = call.intent(Installer::Uvx, Action::ToolRun, Family::Uv);
    command(intent, args, TOOL_RUN)
}

fn next_subcommand<'a, 'w>(
    w: &mut Walker<'a, 'w>,
    before: &mut Vec<(&'a str, Option<A<'w>>)>,
) -> Option<&'a A<'w>> {
    loop {
        match w.next()? {
            Item::Opt { name, short, value } => {
                if is_help(name, short) || short == Some('V') {
                    return None;
                }
                before.push((name, value));
            }
            Item::Pos(a) => return Some(a),
        }
    }
}

fn command<'a, 'w>(mut intent: InstallIntent, args: &'a [A<'w>], scope: u32) -> Outcome<'a, 'w> {
    let mut w = Walker::new(args, &GRAMMAR, scope);
    let mut editable = false;
    let mut check = false;
    let mut module = false;
    let mut from = false;
    let mut no_sync = intent.env_var("UV_NO_SYNC").is_some_and(truthy);
    let mut positionals: Vec<&'a A<'w>> = Vec::new();
    let mut inner = None;
    while let Some(item) = w.next() {
        match item {
            Item::Opt { name, short, value } => {
                if is_help(name, short) {
                    return Outcome::none();
                }
                match name {
                    "--editable" if scope == PIP_INSTALL => {
                        if let Some(v) = &value {
                            intent.dynamic |= v.dynamic;
                            intent.packages.push(package(v, Form::Pep508, true));
                        }
                    }
                    "--editable" => editable = true,
                    "--check" | "--check-exists" => check = true,
                    "--locked" if scope == LOCK => check = true,
                    "--module" => module = true,
                    "--no-sync" => no_sync = true,
                    "--sync" => no_sync = false,
                    "--with" | "--with-editable" => {
                        if let Some(v) = &value {
                            intent.dynamic |= v.dynamic;
                            for part in split_with(&v.text) {
                                let part = v.derived(part);
                                intent.packages.push(package(
                                    &part,
                                    Form::Pep508,
                                    name == "--with-editable",
                                ));
                            }
                        }
                    }
                    "--from" => {
                        if let Some(v) = &value {
                            from = true;
                            intent.dynamic |= v.dynamic;
                            intent.packages.insert(0, package(v, Form::At, false));
                        }
                    }
                    _ => {
                        common_option(&mut intent, name, value.as_ref());
                    }
                }
            }
            Item::Pos(a) => {
                intent.dynamic |= a.dynamic;
                if scope == RUN || scope == TOOL_RUN {
                    // The command and its own arguments follow; uv reads no more options.
                    inner = Some(w.last_and_rest());
                    if scope == TOOL_RUN && !from {
                        intent.packages.insert(0, package(a, Form::At, false));
                    }
                    break;
                }
                positionals.push(a);
            }
        }
    }
    if check && (scope == LOCK || scope == SYNC) {
        // `uv lock --check`, `uv sync --check`: nothing is written or installed.
        return Outcome::none();
    }
    match scope {
        PIP_SYNC => intent
            .requirement_files
            .extend(positionals.iter().map(|a| a.to_arg())),
        TOOL_INSTALL => {
            // `uv tool install --from SPEC NAME`: NAME is the executable, not a package.
            if !from {
                for (i, a) in positionals.iter().enumerate() {
                    intent.packages.insert(i, package(a, Form::At, editable));
                }
            }
        }
        TOOL_UPGRADE => {
            intent.upgrade = true;
            intent
                .packages
                .extend(positionals.iter().map(|a| package(a, Form::At, false)));
        }
        // uv sync and uv lock take no operands; a `"$@"` there may hold options.
        SYNC | LOCK => {}
        _ => intent.packages.extend(
            positionals
                .iter()
                .map(|a| package(a, Form::Pep508, editable)),
        ),
    }
    let inner = if scope == RUN { inner } else { None };
    if scope == RUN && no_sync && intent.packages.is_empty() && intent.requirement_files.is_empty()
    {
        // `uv run --no-sync CMD`: the environment is used as it is; nothing is installed.
        return Outcome {
            inner,
            inner_module: module && inner.is_some(),
            ..Outcome::none()
        };
    }
    Outcome {
        intent: Some(intent),
        inner,
        inner_module: module && inner.is_some(),
        dynamic_subcommand: false,
    }
}

/// Splits a `--with` value as uv does: at commas, except a comma that continues a version
/// specifier (`pkg>=1,<2`).
fn split_with(value: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c) in value.char_indices() {
        if c == ',' {
            let next = value[i + 1..].trim_start();
            if !next.starts_with(['<', '>', '=', '~', '!']) {
                parts.push(value[start..i].trim());
                start = i + 1;
            }
        }
    }
    parts.push(value[start..].trim());
    parts.retain(|p| !p.is_empty());
    parts
}
