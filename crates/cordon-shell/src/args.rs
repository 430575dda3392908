//! The argument vector of one command as the analysis sees it: each argument's text, its span
//! in the caller's coordinates, whether it is only known at run time, and the word it came from.

use std::borrow::Cow;
use std::ops::Range;

use crate::model::Arg;
use crate::syntax::Word;

/// One argument.
#[derive(Debug, Clone)]
pub(crate) struct A<'w> {
    pub text: Cow<'w, str>,
    pub span: Range<usize>,
    pub dynamic: bool,
    /// The word it came from (absent for arguments made by splitting, e.g. `env -S`).
    pub word: Option<&'w Word>,
}

impl<'w> A<'w> {
    pub fn from_word(word: &'w Word, span: Range<usize>) -> Self {
        Self {
            text: Cow::Borrowed(word.text.as_str()),
            span,
            dynamic: word.dynamic,
            word: Some(word),
        }
    }

    /// A part of this argument (`value` of `--opt=value`), with the argument's span.
    pub fn derived(&self, text: &str) -> Self {
        Self {
            text: Cow::Owned(text.to_owned()),
            span: self.span.clone(),
            dynamic: self.dynamic,
            word: None,
        }
    }

    pub fn to_arg(&self) -> Arg {
        Arg {
            text: self.text.clone().into_owned(),
            span: self.span.clone(),
            dynamic: self.dynamic,
        }
    }

    pub fn is(&self, s: &str) -> bool {
        self.text == s
    }
}

/// The program name of a command word: its last path component, without a Windows `.exe`.
pub(crate) fn program_name(text: &str) -> &str {
    let base = text.rsplit(['/', '\\']).next().unwrap_or(text);
    base.strip_suffix(".exe")
        .or_else(|| base.strip_suffix(".EXE"))
        .unwrap_or(base)
}
