//! The typosquat engine: which popular package a name was likely made to be mistaken for.
//!
//! Like PyPI's own check and typomania, it generates the confusions of the candidate name and
//! looks each one up among the popular names (hash lookups, no scan of the whole list): one
//! character extra, missing, substituted or two swapped; separators dropped or added; `py` and
//! `python` prefixes and suffixes; look-alike letters (`rn`/`m`, `vv`/`w`, `cl`/`d`; `l`/`1`/`i`
//! and `o`/`0` are substitutions); words reordered; a plural `s`; and a popular name with a
//! filler word added (`requests-api`). A name that is itself popular is never a suspect, and
//! neither is one whose only resemblance is a one-character edit of a very short name.

use std::collections::HashMap;

use cordon_python::name::normalize;

/// Characters of a normalised name.
const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789-";

/// Look-alike letter groups beyond single characters.
const LOOKALIKES: &[(&str, &str)] = &[
    ("rn", "m"),
    ("m", "rn"),
    ("vv", "w"),
    ("w", "vv"),
    ("cl", "d"),
    ("d", "cl"),
];

/// `py`/`python` added to or taken from a name.
const PY_PREFIXES: &[&str] = &["python-", "py-", "python", "py"];
const PY_SUFFIXES: &[&str] = &["-python", "-py", "python", "py"];

/// Filler words squatters add to a popular name (`requests-api`, `latest-numpy`).
/// (`cli` and `client` are left out: `rich-cli`, `redis-cli` are what their names say; `py`
/// and `python` are [`Confusion::PyAffix`].)
const FILLERS: &[&str] = &[
    "api", "core", "dev", "fix", "fixed", "helper", "helpers", "latest", "lib", "master", "new",
    "official", "patch", "plus", "pro", "sdk", "sec", "secure", "tool", "tools", "update",
    "updated", "util", "utils",
];

/// How a name resembles a popular one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confusion {
    /// One character more than the popular name.
    Extra,
    /// A letter typed twice (`requestss`, `reqquests`).
    Doubled,
    /// One character fewer, at either end.
    Missing,
    /// One character fewer, inside the name (`reqests`), or a doubled letter typed once.
    Dropped,
    /// One character replaced (also `l`/`1`/`i`, `o`/`0`).
    Substituted,
    /// Two neighbouring characters swapped.
    Swapped,
    /// `rn` for `m`, `vv` for `w`, `cl` for `d`, or the other way round.
    LookAlike,
    /// Separators dropped or added.
    Separator,
    /// `py` or `python` added or removed.
    PyAffix,
    /// The same words in another order.
    Reordered,
    /// A plural or singular `s`.
    Plural,
    /// The popular name with a filler word added.
    Filler,
}

impl Confusion {
    /// A short phrase for messages: "`reqeusts` ... (two letters swapped)".
    pub fn describe(self) -> &'static str {
        match self {
            Self::Extra => "one character added",
            Self::Doubled => "a letter doubled",
            Self::Missing => "one character left out at an end",
            Self::Dropped => "one character left out",
            Self::Substituted => "one character replaced",
            Self::Swapped => "two characters swapped",
            Self::LookAlike => "look-alike letters",
            Self::Separator => "separators changed",
            Self::PyAffix => "`py`/`python` added or removed",
            Self::Reordered => "words reordered",
            Self::Plural => "plural or singular",
            Self::Filler => "a filler word added",
        }
    }

    /// One-character edits: too easy to hit by chance between short names, and between
    /// versions of one name (`pyqt5`/`pyqt6`).
    fn is_edit(self) -> bool {
        matches!(
            self,
            Self::Extra
                | Self::Doubled
                | Self::Missing
                | Self::Dropped
                | Self::Substituted
                | Self::Swapped
                | Self::Plural
        )
    }

    /// Confusions that squatters use far more than honest names show by chance, even against
    /// less popular targets: on the development data, swapped and doubled letters matched no
    /// honest name at all.
    fn is_strong(self) -> bool {
        matches!(
            self,
            Self::Swapped | Self::Doubled | Self::Dropped | Self::LookAlike
        )
    }
}

/// A popular package a name resembles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspect {
    /// The popular package (normalised name).
    pub popular: String,
    /// Its rank among popular packages (1 is the most downloaded).
    pub rank: u32,
    pub how: Confusion,
}

/// Tuning of [`Popular::suspect`]: how popular a package must be to count as a target of each
/// kind of confusion. Chosen on the development data (popular names ranked 10,001-15,000 as
/// honest look-alikes, the names of known-malicious packages as squats): a one-character edit
/// of a top-1,000 name is a strong sign, of a rank-9,000 one mostly coincidence
/// (`scipp`/`scipy` is, `identity`/`identify` is not). Swapped letters stay a strong sign
/// further down the list.
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    /// Swapped, doubled or dropped letters and look-alikes: targets ranked this high or
    /// better.
    pub max_rank: u32,
    /// One character added, replaced or left out at an end, a plural, reordered words and
    /// filler words: targets ranked this high or better.
    pub max_edit_rank: u32,
    /// `py`/`python` added or removed, separators changed: targets ranked this high or better
    /// (`python-fire` and `fire`, `django-rest-framework` and `djangorestframework` are all
    /// honest).
    pub max_py_rank: u32,
    /// One-character edits and swaps count only against names at least this long.
    pub min_edit_len: usize,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            max_rank: 10_000,
            max_edit_rank: 1_000,
            max_py_rank: 300,
            min_edit_len: 5,
        }
    }
}

/// Maps looked up for every confusion of every name checked: hashed with foldhash (seeded per
/// process), not SipHash, which was most of the cost.
type Map<V> = HashMap<String, V, foldhash::fast::RandomState>;

/// Popular package names by rank, indexed for the lookups of [`Popular::suspect`].
#[derive(Debug, Default)]
pub struct Popular {
    rank: Map<u32>,
    /// Names without separators → the best-ranked popular name of that spelling.
    squashed: Map<String>,
    /// Names with `py`/`python` taken off → the best-ranked popular name.
    cores: Map<String>,
}

impl Popular {
    /// From names in rank order, most popular first (normalised here; repeats keep their
    /// first rank).
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let names = names.into_iter();
        let mut p = Self::default();
        p.rank.reserve(names.size_hint().0);
        p.squashed.reserve(names.size_hint().0);
        for (i, name) in names.enumerate() {
            let n = normalize(name);
            let rank = u32::try_from(i + 1).unwrap_or(u32::MAX);
            if p.rank.contains_key(&n) {
                continue;
            }
            p.squashed
                .entry(n.replace('-', ""))
                .or_insert_with(|| n.clone());
            for core in py_cores(&n) {
                p.cores.entry(core).or_insert_with(|| n.clone());
            }
            p.rank.insert(n, rank);
        }
        p
    }

    /// How many names are known.
    pub fn len(&self) -> usize {
        self.rank.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rank.is_empty()
    }

    /// The rank of `name` (any spelling), if popular.
    pub fn rank(&self, name: &str) -> Option<u32> {
        self.rank.get(&normalize(name)).copied()
    }

    /// Up to `max` popular names within two edits of `name` (one for names of four letters or
    /// fewer; a swap of neighbours is one edit), closest first, then most popular: what to offer
    /// for a name that does not exist.
    pub fn nearest(&self, name: &str, max: usize) -> Vec<(String, u32)> {
        let n = normalize(name);
        let limit = if n.len() <= 4 { 1 } else { 2 };
        let mut found: Vec<(usize, u32, &String)> = self
            .rank
            .iter()
            .filter(|(p, _)| p.len().abs_diff(n.len()) <= limit && **p != n)
            .filter_map(|(p, &r)| osa_distance(&n, p, limit).map(|d| (d, r, p)))
            .collect();
        found.sort_unstable_by_key(|&(d, r, _)| (d, r));
        found
            .into_iter()
            .take(max)
            .map(|(_, r, p)| (p.clone(), r))
            .collect()
    }

    /// The popular package `name` was most likely made to be mistaken for: the best-ranked of
    /// all its confusions. `None` for a popular name and for one that resembles none.
    pub fn suspect(&self, name: &str, tuning: &Tuning) -> Option<Suspect> {
        let n = normalize(name);
        if n.is_empty() || self.rank.contains_key(&n) {
            return None;
        }
        let mut best: Option<Suspect> = None;
        let mut consider = |popular: &str, how: Confusion| {
            let Some(&rank) = self.rank.get(popular) else {
                return;
            };
            let limit = match how {
                Confusion::PyAffix | Confusion::Separator => tuning.max_py_rank,
                h if h.is_strong() => tuning.max_rank,
                _ => tuning.max_edit_rank,
            };
            if popular == n || rank > limit {
                return;
            }
            if how.is_edit()
                && (popular.len() < tuning.min_edit_len || only_digits_differ(&n, popular))
            {
                return;
            }
            if best.as_ref().is_none_or(|b| rank < b.rank) {
                best = Some(Suspect {
                    popular: popular.to_owned(),
                    rank,
                    how,
                });
            }
        };
        for_each_variant(&n, |v, how| consider(v, how));
        if let Some(p) = self.squashed.get(&n.replace('-', "")) {
            consider(p, Confusion::Separator);
        }
        let mut cores = py_cores(&n);
        cores.push(n.clone());
        for core in &cores {
            if let Some(p) = self.cores.get(core) {
                consider(p, Confusion::PyAffix);
            }
            if core != &n {
                consider(core, Confusion::PyAffix);
            }
        }
        if let Some((a, b)) = n.split_once('-')
            && !b.contains('-')
        {
            for (word, filler) in [(a, b), (b, a)] {
                if FILLERS.contains(&filler) {
                    consider(word, Confusion::Filler);
                }
            }
        }
        best
    }
}

/// True when `a` and `b` (one edit apart) differ only in digits: `netifaces2`, `pyqt6`, `ec2`
/// are versions or variants, not typos. A digit for a look-alike letter (`0`/`o`, `1`/`l`/`i`)
/// is a typo.
fn only_digits_differ(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (da, db) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let lookalike = |x: u8, y: u8| {
        matches!(
            (x, y),
            (b'0', b'o') | (b'o', b'0') | (b'1', b'l' | b'i') | (b'l' | b'i', b'1')
        )
    };
    if let ([x], [y]) = (da, db)
        && lookalike(*x, *y)
    {
        return false;
    }
    !(da.is_empty() && db.is_empty()) && da.iter().chain(db).all(u8::is_ascii_digit)
}

/// `name` with a `py`/`python` prefix or suffix taken off (when something is left).
fn py_cores(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for p in PY_PREFIXES {
        if let Some(rest) = name.strip_prefix(p)
            && rest.len() > 2
        {
            out.push(rest.trim_matches('-').to_owned());
        }
    }
    for s in PY_SUFFIXES {
        if let Some(rest) = name.strip_suffix(s)
            && rest.len() > 2
        {
            out.push(rest.trim_matches('-').to_owned());
        }
    }
    out.retain(|c| !c.is_empty() && c != name);
    out
}

/// Calls `f` with every one-step confusion of `n`: the names it could have been typed from.
fn for_each_variant(n: &str, mut f: impl FnMut(&str, Confusion)) {
    let b = n.as_bytes();
    let mut buf: Vec<u8> = Vec::with_capacity(b.len() + 2);
    let emit = |buf: &[u8], how: Confusion, f: &mut dyn FnMut(&str, Confusion)| {
        if let Ok(s) = std::str::from_utf8(buf) {
            f(s, how);
        }
    };
    // One character extra in `n` (a trailing `s`: a plural; a repeated letter: doubled).
    for i in 0..b.len() {
        buf.clear();
        buf.extend_from_slice(&b[..i]);
        buf.extend_from_slice(&b[i + 1..]);
        let repeated = (i > 0 && b[i - 1] == b[i]) || b.get(i + 1) == Some(&b[i]);
        let how = if b[i] == b'-' {
            Confusion::Separator
        } else if repeated {
            Confusion::Doubled
        } else if i + 1 == b.len() && b[i] == b's' && !buf.ends_with(b"s") {
            Confusion::Plural
        } else {
            Confusion::Extra
        };
        emit(&buf, how, &mut f);
    }
    // One character missing from `n`.
    for i in 0..=b.len() {
        for &c in ALPHABET {
            buf.clear();
            buf.extend_from_slice(&b[..i]);
            buf.push(c);
            buf.extend_from_slice(&b[i..]);
            let repeated = (i > 0 && b[i - 1] == c) || b.get(i) == Some(&c);
            let how = if c == b'-' {
                Confusion::Separator
            } else if i == b.len() && c == b's' && !b.ends_with(b"s") {
                Confusion::Plural
            } else if repeated || (i > 0 && i < b.len()) {
                Confusion::Dropped
            } else {
                Confusion::Missing
            };
            emit(&buf, how, &mut f);
        }
    }
    // One character replaced.
    for i in 0..b.len() {
        for &c in ALPHABET {
            if c == b[i] {
                continue;
            }
            buf.clear();
            buf.extend_from_slice(b);
            buf[i] = c;
            emit(&buf, Confusion::Substituted, &mut f);
        }
    }
    // Two neighbours swapped.
    for i in 0..b.len().saturating_sub(1) {
        if b[i] == b[i + 1] {
            continue;
        }
        buf.clear();
        buf.extend_from_slice(b);
        buf.swap(i, i + 1);
        emit(&buf, Confusion::Swapped, &mut f);
    }
    // Look-alike letter groups.
    for (from, to) in LOOKALIKES {
        for (i, _) in n.match_indices(from) {
            let v = format!("{}{}{}", &n[..i], to, &n[i + from.len()..]);
            f(&v, Confusion::LookAlike);
        }
    }
    // The same words in another order (at most four words: 24 orders).
    let words: Vec<&str> = n.split('-').collect();
    if (2..=4).contains(&words.len()) {
        permute(&mut words.clone(), 0, &mut |w| {
            let v = w.join("-");
            if v != n {
                f(&v, Confusion::Reordered);
            }
        });
    }
}

fn permute<'a>(w: &mut Vec<&'a str>, k: usize, f: &mut dyn FnMut(&[&'a str])) {
    if k == w.len() {
        f(w);
        return;
    }
    for i in k..w.len() {
        w.swap(k, i);
        permute(w, k + 1, f);
        w.swap(k, i);
    }
}

/// The optimal-string-alignment distance between `a` and `b` (edits and swaps of neighbours),
/// or `None` when it is above `limit`.
fn osa_distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let width = b.len() + 1;
    let mut rows = vec![0usize; width * (a.len() + 1)];
    for (j, cell) in rows.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        rows[i * width] = i;
        let mut best = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[(i - 1) * width + j] + 1)
                .min(rows[i * width + j - 1] + 1)
                .min(rows[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[(i - 2) * width + j - 2] + 1);
            }
            rows[i * width + j] = d;
            best = best.min(d);
        }
        if best > limit {
            return None;
        }
    }
    Some(rows[a.len() * width + b.len()]).filter(|&d| d <= limit)
}

#[cfg(test)]
mod tests {
    #[test]
    fn nearest_offers_close_popular_names_closest_first() {
        let p = Popular::new([
            "requests",
            "request",
            "numpy",
            "pandas",
            "requests-oauthlib",
        ]);
        let near: Vec<String> = p
            .nearest("reqeusts", 3)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(near, ["requests", "request"]);
        assert!(p.nearest("zzzzzzzz", 3).is_empty());
        assert_eq!(osa_distance("numpy", "nupmy", 2), Some(1));
        assert_eq!(osa_distance("numpy", "pandas", 2), None);
    }

    use super::*;

    fn popular() -> Popular {
        Popular::new([
            "requests",
            "numpy",
            "python-dateutil",
            "pyyaml",
            "beautifulsoup4",
            "colorama",
            "six",
            "django",
            "scikit-learn",
            "setuptools",
            "attrs",
            "attr",
        ])
    }

    fn how(name: &str) -> Option<(String, u32, Confusion)> {
        popular()
            .suspect(name, &Tuning::default())
            .map(|s| (s.popular, s.rank, s.how))
    }

    #[test]
    fn finds_each_kind_of_confusion() {
        for (name, target, confusion) in [
            ("requestss", "requests", Confusion::Doubled),
            ("reqquests", "requests", Confusion::Doubled),
            ("requestsx", "requests", Confusion::Extra),
            ("equests", "requests", Confusion::Missing),
            ("colrama", "colorama", Confusion::Dropped),
            ("reqests", "requests", Confusion::Dropped),
            ("requesys", "requests", Confusion::Substituted),
            ("reqeusts", "requests", Confusion::Swapped),
            ("nurnpy", "numpy", Confusion::LookAlike),
            ("colorarna", "colorama", Confusion::LookAlike),
            ("setup-tools", "setuptools", Confusion::Separator),
            ("pythondateutil", "python-dateutil", Confusion::Separator),
            ("setuptols", "setuptools", Confusion::Dropped),
            ("dateutil", "python-dateutil", Confusion::PyAffix),
            ("yaml", "pyyaml", Confusion::PyAffix),
            ("python-numpy", "numpy", Confusion::PyAffix),
            ("learn-scikit", "scikit-learn", Confusion::Reordered),
            ("request", "requests", Confusion::Plural),
            ("djangos", "django", Confusion::Plural),
            ("requests-api", "requests", Confusion::Filler),
            ("latest-numpy", "numpy", Confusion::Filler),
            ("nump0", "numpy", Confusion::Substituted),
            ("c0lorama", "colorama", Confusion::Substituted),
            ("Beautiful.Soup4", "beautifulsoup4", Confusion::Separator),
        ] {
            let got = how(name);
            assert_eq!(
                got.as_ref().map(|(p, _, h)| (p.as_str(), *h)),
                Some((target, confusion)),
                "{name}: {got:?}"
            );
        }
        assert_eq!(how("requestss").map(|(_, r, _)| r), Some(1));
    }

    #[test]
    fn popular_names_and_unrelated_names_are_not_suspects() {
        for name in [
            "requests",
            "Requests",
            "PyYAML",
            "attr",
            "attrs",
            "flask",
            "httpx",
            "my-internal-tool",
            // One edit away from a very short popular name: too easy to hit by chance.
            "sax",
            "sixx",
            // Only digits differ: a version or variant.
            "numpy2",
            "beautifulsoup",
            "beautifulsoup3",
            "",
        ] {
            assert_eq!(how(name), None, "{name}");
        }
    }

    #[test]
    fn prefers_the_more_popular_target_and_respects_max_rank() {
        let p = Popular::new(["numpy", "numba"]);
        // `numpa` is one substitution from both: the better-ranked one is named.
        let s = p.suspect("numpa", &Tuning::default());
        assert_eq!(s.map(|s| s.popular), Some("numpy".to_owned()));
        let only_top1 = Tuning {
            max_edit_rank: 1,
            ..Tuning::default()
        };
        assert_eq!(p.suspect("numbax", &only_top1), None);
        // Most confusions count only on the most popular names; swaps further down.
        let few = Tuning {
            max_edit_rank: 1,
            ..Tuning::default()
        };
        assert_eq!(p.suspect("numba-utils", &few), None);
        assert!(p.suspect("numpy-utils", &few).is_some());
        assert!(p.suspect("nubma", &few).is_some());
    }
}
