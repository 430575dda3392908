//! pipx: `install`, `run`, `inject`, `upgrade`/`upgrade-all` and `runpip` (pip's own grammar
//! in a tool's environment). `--pip-args` is read with pip's install options, as pipx hands it
//! to pip.

use crate::args::A;
use crate::installers::pip::{pip, pip_args};
use crate::installers::{Call, Family, Outcome, common_option, is_help};
use crate::model::{Action, Installer};
use crate::options::{Grammar, Item, Opt, Walker, o};
use crate::package::{Form, package};

const GLOBAL: u32 = 1;
const INSTALL: u32 = 1 << 1;
const RUN: u32 = 1 << 2;
const INJECT: u32 = 1 << 3;
const UPGRADE: u32 = 1 << 4;
const CMDS: u32 = INSTALL | RUN | INJECT | UPGRADE;

static OPTS: &[Opt] = &[
    o(&["--index-url"], "i", true, CMDS),
    o(&["--pip-args"], "", true, CMDS),
    o(&["--python"], "", true, CMDS),
    o(&["--backend"], "", true, CMDS),
    o(&["--suffix"], "", true, INSTALL),
    o(&["--preinstall"], "", true, INSTALL),
    o(&["--spec"], "", true, RUN),
    o(&["--requirement"], "r", true, INJECT),
    o(&["--editable"], "e", false, INSTALL | INJECT),
    o(&["--force"], "f", false, CMDS),
];

static GRAMMAR: Grammar = Grammar {
    opts: OPTS,
    abbrev: false,
    short_eq: false,
};

/// Reads pipx's arguments.
pub(crate) fn pipx<'a, 'w>(args: &'a [A<'w>], call: &Call<'_>) -> Outcome<'a, 'w> {
    let mut w = Walker::new(args, &GRAMMAR, GLOBAL);
    let sub = loop {
        match w.next() {
            None => return Outcome::none(),
            Some(Item::Opt { name, short, .. }) => {
                if is_help(name, short) {
                    return Outcome::none();
                }
            }
            Some(Item::Pos(a)) => break a,
        }
    };
    if sub.dynamic {
        return Outcome::dynamic();
    }
    let (action, scope) = match &*sub.text {
        "install" => (Action::Install, INSTALL),
        "run" => (Action::ToolRun, RUN),
        "inject" => (Action::Inject, INJECT),
        "upgrade" | "upgrade-all" => (Action::Update, UPGRADE),
        "runpip" => {
            // `pipx runpip VENV install …`
            let rest = w.rest();
            return match rest.split_first() {
                Some((_venv, pip_argv)) => pip(pip_argv, call, Installer::Pipx),
                None => Outcome::none(),
            };
        }
        _ => return Outcome::none(),
    };
    let mut intent = call.intent(Installer::Pipx, action, Family::Pip);
    if sub.is("upgrade-all") {
        intent.upgrade = true;
        return Outcome::intent(intent);
    }
    let mut w = Walker::new(w.rest(), &GRAMMAR, scope);
    let mut editable = false;
    let mut spec = false;
    let mut positionals: Vec<&A<'w>> = Vec::new();
    while let Some(item) = w.next() {
        match item {
            Item::Opt { name, short, value } => {
                if is_help(name, short) {
                    return Outcome::none();
                }
                match (name, &value) {
                    ("--editable", _) => editable = true,
                    ("--pip-args", Some(v)) => pip_args(&mut intent, v),
                    ("--spec", Some(v)) => {
                        spec = true;
                        intent.dynamic |= v.dynamic;
                        intent.packages.push(package(v, Form::Pep508, false));
                    }
                    _ => {
                        common_option(&mut intent, name, value.as_ref());
                    }
                }
            }
            Item::Pos(a) => {
                intent.dynamic |= a.dynamic;
                positionals.push(a);
                if scope == RUN {
                    // The app and its own arguments follow.
                    break;
                }
            }
        }
    }
    let packages: &[&A<'w>] = match scope {
        RUN if spec => &[],
        INJECT => positionals.get(1..).unwrap_or(&[]),
        _ => &positionals,
    };
    for a in packages {
        intent.packages.push(package(a, Form::Pep508, editable));
    }
    if scope == UPGRADE {
        intent.upgrade = true;
    }
    Outcome::intent(intent)
}
