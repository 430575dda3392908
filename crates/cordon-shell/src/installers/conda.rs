//! conda, mamba and micromamba: `install`, `create`, `update`/`upgrade`, `env create`/
//! `env update` (with `--file`), and `run CMD` (the command is analysed in turn). Channels
//! (`-c`) are reported as package sources; package arguments are conda match specs.

use crate::args::A;
use crate::installers::{Call, Family, Outcome, common_option, is_help, next_positional};
use crate::model::{Action, Installer};
use crate::options::{Grammar, Item, Opt, Walker, o};
use crate::package::{Form, package};

const GLOBAL: u32 = 1;
const CMD: u32 = 1 << 1;
const RUN: u32 = 1 << 2;
const ALL: u32 = GLOBAL | CMD | RUN;

static OPTS: &[Opt] = &[
    o(&["--name"], "n", true, CMD | RUN),
    o(&["--prefix"], "p", true, CMD | RUN),
    o(&["--root-prefix"], "r", true, ALL),
    o(&["--channel"], "c", true, CMD),
    o(&["--file"], "f", true, CMD),
    o(&["--repodata-fn"], "", true, CMD),
    o(&["--solver"], "", true, CMD),
    o(&["--subdir", "--platform"], "", true, CMD),
    o(&["--clone"], "", true, CMD),
    o(&["--revision"], "", true, CMD),
    o(&["--channel-priority"], "", true, CMD),
    o(&["--cwd"], "", true, RUN),
    o(&["--dry-run"], "d", false, CMD),
];

static GRAMMAR: Grammar = Grammar {
    opts: OPTS,
    abbrev: false,
    short_eq: false,
};

/// Reads the arguments of conda, mamba or micromamba (`installer`).
pub(crate) fn conda<'a, 'w>(
    args: &'a [A<'w>],
    call: &Call<'_>,
    installer: Installer,
) -> Outcome<'a, 'w> {
    let mut w = Walker::new(args, &GRAMMAR, GLOBAL);
    let mut sub = next_positional(&mut w);
    let env_group = sub.is_some_and(|s| s.is("env"));
    if env_group {
        sub = next_positional(&mut w);
    }
    let Some(sub) = sub else {
        return Outcome::none();
    };
    if sub.dynamic {
        return Outcome::dynamic();
    }
    let action = match (env_group, &*sub.text) {
        (false, "install") => Action::Install,
        (_, "create") => Action::Create,
        (_, "update") | (false, "upgrade") => Action::Update,
        (false, "run") => {
            let mut w = Walker::new(w.rest(), &GRAMMAR, RUN);
            while let Some(item) = w.next() {
                if let Item::Pos(_) = item {
                    return Outcome {
                        inner: Some(w.last_and_rest()),
                        ..Outcome::none()
                    };
                }
            }
            return Outcome::none();
        }
        _ => return Outcome::none(),
    };
    let mut intent = call.intent(installer, action, Family::Other);
    let mut w = Walker::new(w.rest(), &GRAMMAR, CMD);
    while let Some(item) = w.next() {
        match item {
            Item::Opt { name, short, value } => {
                if is_help(name, short) {
                    return Outcome::none();
                }
                if name == "--file" {
                    if let Some(v) = &value {
                        intent.dynamic |= v.dynamic;
                        intent.requirement_files.push(v.to_arg());
                    }
                } else {
                    common_option(&mut intent, name, value.as_ref());
                }
            }
            Item::Pos(a) => {
                intent.dynamic |= a.dynamic;
                intent.packages.push(package(a, Form::Conda, false));
            }
        }
    }
    if action == Action::Update {
        intent.upgrade = true;
    }
    Outcome::intent(intent)
}
