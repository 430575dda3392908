//! pixi: `add` (conda specs, or PEP 508 with `--pypi`), `install`, `lock`, `update`/`upgrade`,
//! `global install`, `exec` (an ephemeral environment, like uvx) and `run CMD` (the command is
//! analysed in turn). pixi has uv's `--locked`/`--frozen` and reads `PIXI_LOCKED`/`PIXI_FROZEN`.

use crate::args::A;
use crate::installers::{Call, Family, Outcome, common_option, is_help, next_positional};
use crate::model::{Action, Installer};
use crate::options::{Grammar, Item, Opt, Walker, o};
use crate::package::{Form, package};

const GLOBAL: u32 = 1;
const CMD: u32 = 1 << 1;
const EXEC: u32 = 1 << 2;
const RUN: u32 = 1 << 3;

static OPTS: &[Opt] = &[
    o(&["--color"], "", true, GLOBAL | CMD | EXEC | RUN),
    o(&["--manifest-path"], "", true, CMD | RUN),
    o(&["--feature"], "f", true, CMD),
    o(&["--environment"], "e", true, CMD | RUN),
    o(&["--platform"], "p", true, CMD | EXEC),
    o(&["--git"], "", true, CMD),
    o(&["--branch"], "", true, CMD),
    o(&["--tag"], "", true, CMD),
    o(&["--rev"], "", true, CMD),
    o(&["--subdir"], "", true, CMD),
    o(&["--channel"], "c", true, CMD | EXEC),
    o(&["--spec"], "s", true, EXEC),
    o(&["--with"], "w", true, EXEC),
];

static GRAMMAR: Grammar = Grammar {
    opts: OPTS,
    abbrev: false,
    short_eq: true,
};

/// Reads pixi's arguments.
pub(crate) fn pixi<'a, 'w>(args: &'a [A<'w>], call: &Call<'_>) -> Outcome<'a, 'w> {
    let mut w = Walker::new(args, &GRAMMAR, GLOBAL);
    let mut sub = next_positional(&mut w);
    let global = sub.is_some_and(|s| s.is("global"));
    if global {
        sub = next_positional(&mut w);
    }
    let Some(sub) = sub else {
        return Outcome::none();
    };
    if sub.dynamic {
        return Outcome::dynamic();
    }
    let (action, scope) = match (global, &*sub.text) {
        (false, "add") => (Action::Add, CMD),
        (_, "install") => (Action::Install, CMD),
        (false, "lock") => (Action::Lock, CMD),
        (_, "update" | "upgrade") => (Action::Update, CMD),
        (false, "exec" | "x") => (Action::ToolRun, EXEC),
        (false, "run" | "r") => {
            let mut w = Walker::new(w.rest(), &GRAMMAR, RUN);
            let mut intent = call.intent(Installer::Pixi, Action::Run, Family::Pixi);
            while let Some(item) = w.next() {
                match item {
                    Item::Opt { name, value, .. } => {
                        common_option(&mut intent, name, value.as_ref());
                    }
                    Item::Pos(_) => {
                        return Outcome {
                            intent: Some(intent),
                            inner: Some(w.last_and_rest()),
                            ..Outcome::none()
                        };
                    }
                }
            }
            return Outcome::intent(intent);
        }
        _ => return Outcome::none(),
    };
    let mut intent = call.intent(Installer::Pixi, action, Family::Pixi);
    let mut w = Walker::new(w.rest(), &GRAMMAR, scope);
    let mut pypi = false;
    let mut spec = false;
    let mut positionals = Vec::new();
    while let Some(item) = w.next() {
        match item {
            Item::Opt { name, short, value } => {
                if is_help(name, short) {
                    return Outcome::none();
                }
                match name {
                    "--pypi" => pypi = true,
                    "--spec" | "--with" => {
                        if let Some(v) = &value {
                            spec |= name == "--spec";
                            intent.dynamic |= v.dynamic;
                            intent.packages.push(package(v, Form::Conda, false));
                        }
                    }
                    _ => {
                        common_option(&mut intent, name, value.as_ref());
                    }
                }
            }
            Item::Pos(a) => {
                intent.dynamic |= a.dynamic;
                positionals.push(a);
                if scope == EXEC {
                    break;
                }
            }
        }
    }
    if scope == EXEC && spec {
        positionals.clear();
    }
    let form = if pypi { Form::Pep508 } else { Form::Conda };
    for a in positionals {
        intent.packages.push(package(a, form, false));
    }
    if action == Action::Update {
        intent.upgrade = true;
    }
    Outcome::intent(intent)
}
