//! easy_install, setuptools' legacy installer (`easy_install`, `easy_install-3.8`).

use crate::args::A;
use crate::installers::{Call, Family, Outcome, common_option, is_help};
use crate::model::{Action, Installer};
use crate::options::{Grammar, Item, Opt, Walker, o};
use crate::package::{Form, package};

const ALL: u32 = 1;

static OPTS: &[Opt] = &[
    o(&["--index-url"], "i", true, ALL),
    o(&["--find-links"], "f", true, ALL),
    o(&["--install-dir"], "d", true, ALL),
    o(&["--script-dir"], "s", true, ALL),
    o(&["--allow-hosts"], "H", true, ALL),
    o(&["--build-directory"], "b", true, ALL),
    o(&["--upgrade"], "U", false, ALL),
    o(&["--no-deps"], "N", false, ALL),
];

static GRAMMAR: Grammar = Grammar {
    opts: OPTS,
    abbrev: false,
    short_eq: false,
};

/// Reads easy_install's arguments.
pub(crate) fn easy_install<'a, 'w>(args: &'a [A<'w>], call: &Call<'_>) -> Outcome<'a, 'w> {
    let mut intent = call.intent(Installer::EasyInstall, Action::Install, Family::Other);
    let mut w = Walker::new(args, &GRAMMAR, ALL);
    while let Some(item) = w.next() {
        match item {
            Item::Opt { name, short, value } => {
                if is_help(name, short) {
                    return Outcome::none();
                }
                common_option(&mut intent, name, value.as_ref());
            }
            Item::Pos(a) => {
                intent.dynamic |= a.dynamic;
                intent.packages.push(package(a, Form::Pep508, false));
            }
        }
    }
    Outcome::intent(intent)
}
