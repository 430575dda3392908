//! poetry and pdm, the project managers that declare dependencies in `pyproject.toml`:
//! `add`, `install`, `sync` (pdm), `lock`, `update`, `self add`/`self install` (poetry and
//! pdm's own environment), and `run CMD` (the command is analysed in turn).

use crate::args::A;
use crate::installers::{Call, Family, Outcome, common_option, is_help, next_positional};
use crate::model::{Action, Installer};
use crate::options::{Grammar, Item, Opt, Walker, o};
use crate::package::{Form, package};

const GLOBAL: u32 = 1;
const ADD: u32 = 1 << 1;
const INSTALL: u32 = 1 << 2;
const LOCK: u32 = 1 << 3;
const UPDATE: u32 = 1 << 4;
const RUN: u32 = 1 << 5;
const CMDS: u32 = ADD | INSTALL | LOCK | UPDATE | RUN;
const ALL: u32 = GLOBAL | CMDS;

static POETRY_OPTS: &[Opt] = &[
    o(&["--directory"], "C", true, ALL),
    o(&["--project"], "P", true, ALL),
    o(&["--group"], "G", true, ADD),
    o(&["--extras"], "E", true, ADD | INSTALL | UPDATE),
    o(&["--python"], "", true, ADD),
    o(&["--platform"], "", true, ADD),
    o(&["--markers"], "", true, ADD),
    o(&["--source"], "", true, ADD),
    o(&["--with"], "", true, INSTALL | UPDATE),
    o(&["--without"], "", true, INSTALL | UPDATE),
    o(&["--only"], "", true, INSTALL | UPDATE),
    o(&["--editable"], "e", false, ADD),
];

static POETRY: Grammar = Grammar {
    opts: POETRY_OPTS,
    abbrev: false,
    short_eq: false,
};

static PDM_OPTS: &[Opt] = &[
    o(&["--project"], "p", true, ALL),
    o(&["--config"], "c", true, GLOBAL),
    o(&["--group"], "G", true, CMDS),
    o(&["--without"], "", true, INSTALL | UPDATE),
    o(&["--lockfile"], "L", true, CMDS),
    o(&["--venv"], "", true, CMDS),
    o(&["--skip"], "k", true, CMDS),
    o(&["--strategy"], "S", true, LOCK | ADD),
    o(&["--update-strategy"], "", true, ADD | UPDATE),
    o(&["--editable"], "e", true, ADD),
    o(&["--frozen-lockfile", "--frozen"], "", false, ADD | INSTALL),
];

static PDM: Grammar = Grammar {
    opts: PDM_OPTS,
    abbrev: false,
    short_eq: false,
};

/// Reads poetry's (`installer` is `Poetry`) or pdm's arguments.
pub(crate) fn poetry_pdm<'a, 'w>(
    args: &'a [A<'w>],
    call: &Call<'_>,
    installer: Installer,
) -> Outcome<'a, 'w> {
    let grammar = if installer == Installer::Poetry {
        &POETRY
    } else {
        &PDM
    };
    let mut w = Walker::new(args, grammar, GLOBAL);
    let mut sub = next_positional(&mut w);
    if sub.is_some_and(|s| s.is("self")) {
        sub = next_positional(&mut w);
    }
    let Some(sub) = sub else {
        return Outcome::none();
    };
    if sub.dynamic {
        return Outcome::dynamic();
    }
    let (action, scope) = match &*sub.text {
        "add" => (Action::Add, ADD),
        "install" => (Action::Install, INSTALL),
        "sync" if installer == Installer::Pdm => (Action::Sync, INSTALL),
        "lock" => (Action::Lock, LOCK),
        "update" => (Action::Update, UPDATE),
        "run" => (Action::Run, RUN),
        _ => return Outcome::none(),
    };
    let mut intent = call.intent(installer, action, Family::Other);
    let mut w = Walker::new(w.rest(), grammar, scope);
    let mut positionals = Vec::new();
    let mut editable = false;
    while let Some(item) = w.next() {
        match item {
            Item::Opt { name, short, value } => {
                if is_help(name, short) {
                    return Outcome::none();
                }
                match name {
                    "--check" if scope == LOCK => return Outcome::none(),
                    // `pdm install --check`: fail unless the lock is up to date.
                    "--check" => intent.locked = true,
                    "--frozen-lockfile" => intent.frozen = true,
                    "--editable" if installer == Installer::Poetry => editable = true,
                    "--editable" => {
                        if let Some(v) = &value {
                            intent.dynamic |= v.dynamic;
                            intent.packages.push(package(v, Form::Pep508, true));
                        }
                    }
                    _ => {
                        common_option(&mut intent, name, value.as_ref());
                    }
                }
            }
            Item::Pos(a) => {
                if scope == RUN {
                    // `poetry run CMD …`: the command is not a package; it is analysed itself.
                    return Outcome {
                        intent: None,
                        inner: Some(w.last_and_rest()),
                        inner_module: false,
                        dynamic_subcommand: false,
                    };
                }
                intent.dynamic |= a.dynamic;
                positionals.push(a);
            }
        }
    }
    if scope == RUN {
        return Outcome::none();
    }
    for a in positionals {
        intent.packages.push(package(a, Form::At, editable));
    }
    Outcome::intent(intent)
}
