//! pip (`pip`, `pip3.12`, `python -m pip`, `pipx runpip`): general options before the
//! subcommand, then `install`, `download` or `wheel` with pip's option grammar — Python's
//! optparse, which accepts any unambiguous prefix of a long option (`--require-h`) and
//! clustered short options (`-qr file`). The option table is pip 26.3's (`pip install --help`,
//! `pip download --help`, `pip wheel --help` and the general options); an option pip does not
//! know is read as a flag, so the word after it is reported as a package (fail closed).

use crate::args::A;
use crate::installers::{Call, Family, Outcome, common_option, is_help};
use crate::model::{Action, InstallIntent, Installer};
use crate::options::{Grammar, Item, Opt, Walker, o};
use crate::package::{Form, package};

const GENERAL: u32 = 1;
const INSTALL: u32 = 2;
const DOWNLOAD: u32 = 4;
const WHEEL: u32 = 8;
const CMDS: u32 = INSTALL | DOWNLOAD | WHEEL;
const ANY: u32 = GENERAL | CMDS;

static OPTS: &[Opt] = &[
    o(&["--abi"], "", true, INSTALL | DOWNLOAD),
    o(&["--all-releases"], "", true, CMDS),
    o(&["--break-system-packages"], "", false, INSTALL),
    o(&["--build-constraint"], "", true, CMDS),
    o(&["--cache-dir"], "", true, ANY),
    o(&["--cert"], "", true, ANY),
    o(&["--check-build-dependencies"], "", false, CMDS),
    o(&["--client-cert"], "", true, ANY),
    o(&["--compile"], "", false, INSTALL),
    o(&["--config-settings"], "C", true, INSTALL | WHEEL),
    o(&["--constraint"], "c", true, CMDS),
    o(&["--debug"], "", false, ANY),
    o(
        &["--dest", "--destination-dir", "--destination-directory"],
        "d",
        true,
        DOWNLOAD,
    ),
    o(&["--disable-pip-version-check"], "", false, ANY),
    o(&["--dry-run"], "", false, INSTALL),
    o(&["--editable"], "e", true, INSTALL | WHEEL),
    o(&["--exists-action"], "", true, ANY),
    o(&["--extra-index-url"], "", true, CMDS),
    o(&["--find-links"], "f", true, CMDS),
    o(&["--force-reinstall"], "", false, INSTALL),
    o(&["--group"], "", true, CMDS),
    o(&["--help"], "h", false, ANY),
    o(&["--ignore-installed"], "I", false, INSTALL),
    o(&["--ignore-requires-python"], "", false, CMDS),
    o(&["--implementation"], "", true, INSTALL | DOWNLOAD),
    o(&["--index-url", "--pypi-url"], "i", true, CMDS),
    o(&["--isolated"], "", false, ANY),
    o(&["--keyring-provider"], "", true, ANY),
    o(&["--log", "--log-file", "--local-log"], "", true, ANY),
    o(&["--no-binary"], "", true, CMDS),
    o(&["--no-build-isolation"], "", false, CMDS),
    o(&["--no-cache-dir"], "", false, ANY),
    o(&["--no-clean"], "", false, CMDS),
    o(&["--no-color"], "", false, ANY),
    o(&["--no-compile"], "", false, INSTALL),
    o(&["--no-deps", "--no-dependencies"], "", false, CMDS),
    o(&["--no-index"], "", false, CMDS),
    o(&["--no-input"], "", false, ANY),
    o(&["--no-proxy-env"], "", false, ANY),
    o(&["--no-python-version-warning"], "", false, ANY),
    o(&["--no-require-hashes"], "", false, CMDS),
    o(&["--no-user"], "", false, INSTALL),
    o(&["--no-verify"], "", false, WHEEL),
    o(&["--no-warn-conflicts"], "", false, INSTALL),
    o(&["--no-warn-script-location"], "", false, INSTALL),
    o(&["--only-binary"], "", true, CMDS),
    o(&["--only-deps", "--only-dependencies"], "", false, CMDS),
    o(&["--only-final"], "", true, CMDS),
    o(&["--platform"], "", true, INSTALL | DOWNLOAD),
    o(&["--pre"], "", false, CMDS),
    o(&["--prefer-binary"], "", false, CMDS),
    o(&["--prefix"], "", true, INSTALL),
    o(&["--progress-bar"], "", true, CMDS),
    o(&["--proxy"], "", true, ANY),
    o(&["--python"], "", true, ANY),
    o(&["--python-version"], "", true, INSTALL | DOWNLOAD),
    o(&["--quiet"], "q", false, ANY),
    o(&["--refresh-package"], "", true, CMDS),
    o(&["--report"], "", true, INSTALL),
    o(&["--require-hashes"], "", false, CMDS),
    o(&["--require-virtualenv", "--require-venv"], "", false, ANY),
    o(&["--requirement"], "r", true, CMDS),
    o(&["--requirements-from-script"], "", true, CMDS),
    o(&["--resume-retries"], "", true, ANY),
    o(&["--retries"], "", true, ANY),
    o(&["--root"], "", true, INSTALL),
    o(&["--root-user-action"], "", true, INSTALL),
    o(
        &["--src", "--source", "--source-dir", "--source-directory"],
        "",
        true,
        CMDS,
    ),
    o(&["--target"], "t", true, INSTALL),
    o(&["--timeout", "--default-timeout"], "", true, ANY),
    o(&["--trusted-host"], "", true, ANY),
    o(&["--upgrade"], "U", false, INSTALL),
    o(&["--upgrade-strategy"], "", true, INSTALL),
    o(&["--uploaded-prior-to"], "", true, CMDS),
    o(&["--use-deprecated"], "", true, ANY),
    o(&["--use-feature"], "", true, ANY),
    o(&["--use-pep517"], "", false, CMDS),
    o(&["--user"], "", false, INSTALL),
    o(&["--verbose"], "v", false, ANY),
    o(&["--version"], "V", false, ANY),
    o(&["--wheel-dir"], "w", true, WHEEL),
];

static GRAMMAR: Grammar = Grammar {
    opts: OPTS,
    abbrev: true,
    short_eq: false,
};

/// Reads pip's arguments (everything after the program or `-m pip`).
pub(crate) fn pip<'a, 'w>(
    args: &'a [A<'w>],
    call: &Call<'_>,
    installer: Installer,
) -> Outcome<'a, 'w> {
    let mut general = Walker::new(args, &GRAMMAR, GENERAL);
    let mut before = Vec::new();
    let sub = loop {
        match general.next() {
            None => return Outcome::none(),
            Some(Item::Opt { name, short, value }) => {
                if is_help(name, short) {
                    return Outcome::none();
                }
                before.push((name, value));
            }
            Some(Item::Pos(a)) => break a,
        }
    };
    if sub.dynamic {
        return Outcome::dynamic();
    }
    let (action, scope) = match &*sub.text {
        "install" => (Action::Install, INSTALL),
        "download" => (Action::Download, DOWNLOAD),
        "wheel" => (Action::Wheel, WHEEL),
        _ => return Outcome::none(),
    };
    let mut intent = call.intent(installer, action, Family::Pip);
    for (name, value) in &before {
        common_option(&mut intent, name, value.as_ref());
    }
    if !read_command(&mut intent, general.rest(), scope) {
        return Outcome::none();
    }
    Outcome::intent(intent)
}

/// Reads a pip `install` command's own arguments into `intent`. False for `--help`.
fn read_command(intent: &mut InstallIntent, args: &[A<'_>], scope: u32) -> bool {
    let mut w = Walker::new(args, &GRAMMAR, scope);
    while let Some(item) = w.next() {
        match item {
            Item::Opt { name, short, value } => {
                if is_help(name, short) {
                    return false;
                }
                if name == "--editable" {
                    if let Some(v) = &value {
                        intent.dynamic |= v.dynamic;
                        intent.packages.push(package(v, Form::Pep508, true));
                    }
                } else {
                    common_option(intent, name, value.as_ref());
                }
            }
            Item::Pos(a) => {
                intent.dynamic |= a.dynamic;
                intent.packages.push(package(a, Form::Pep508, false));
            }
        }
    }
    true
}

/// Reads a string of pip install options (pipx's `--pip-args`) into `intent`.
pub(crate) fn pip_args(intent: &mut InstallIntent, arg: &A<'_>) {
    let parts: Vec<A<'_>> = arg
        .text
        .split_whitespace()
        .map(|p| arg.derived(p))
        .collect();
    read_command(intent, &parts, INSTALL);
}
