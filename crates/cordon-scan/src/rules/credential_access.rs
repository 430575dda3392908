//! `credential-access`: paths and queries of secret stores — browser password and cookie
//! databases, crypto wallets and wallet extensions, Discord and Telegram token stores, the
//! macOS keychain, DPAPI, `/etc/shadow` — and the configuration files of developer tools
//! (SSH keys, cloud credentials, `.netrc`, `.pypirc`, ...). A tool's own configuration file is
//! what its honest client reads: alone it is context (Info); a file reaching into several
//! stores is collecting them (High). Reading a notebook's input history (where keys get pasted)
//! is Medium.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::sync::LazyLock;

use cordon_diagnostics::{Confidence, Severity};
use regex::Regex;

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, ExprCall};

use super::common;
use super::{MemberCx, Report, Rule, RuleMeta};
use crate::model::{Behaviour, Evidence};
use crate::python::PyFile;

pub struct CredentialAccess;

static META: RuleMeta = RuleMeta {
    id: "credential-access",
    summary: "browser stores, wallets, chat tokens, keychain, DPAPI, /etc/shadow; developer credential files",
    emits: &[Behaviour::CredentialAccess, Behaviour::NetworkSend],
    payloads: false,
};

struct Store {
    re: Regex,
    /// Category, for counting distinct stores.
    category: &'static str,
    what: &'static str,
    severity: Severity,
}

static GATE: LazyLock<common::Gate> =
    LazyLock::new(|| common::Gate::new(STORES.iter().map(|s| &s.re)));

/// IPython's record of the cells a user ran.
static NOTEBOOK_INPUT: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r"\bhistory_manager\s*\.\s*(?:input_hist_raw|input_hist_parsed|get_range|get_tail|search)\b|\binput_hist_raw\b")
        .unwrap_or_else(|e| panic!("{e}"))
});

static STORES: LazyLock<Vec<Store>> = LazyLock::new(|| {
    let s = |re: &str, category, what, severity| Store {
        re: crate::pattern::new(re).unwrap_or_else(|e| panic!("{re}: {e}")),
        category,
        what,
        severity,
    };
    let sep = r"[/\\]+";
    vec![
        // Browsers.
        s(
            r"(?i)\bLogin Data(?: For Account)?\b",
            "browser",
            "the browser password database (Login Data)",
            Severity::High,
        ),
        s(
            r"(?i)\bWeb Data\b",
            "browser",
            "the browser autofill/card database (Web Data)",
            Severity::High,
        ),
        s(
            &format!(r"(?i)\bNetwork{sep}Cookies\b"),
            "browser",
            "the browser cookie database",
            Severity::High,
        ),
        s(
            r"(?i)\b(?:logins\.json|key[34]\.db|cookies\.sqlite|signons\.sqlite|formhistory\.sqlite)\b",
            "browser",
            "Firefox credential stores",
            Severity::High,
        ),
        s(
            r"(?i)\b(?:origin_url\s*,\s*(?:action_url\s*,\s*)?username_value\s*,\s*password_value|password_value\s+FROM\s+logins|encrypted_value\s+FROM\s+cookies|FROM\s+moz_(?:cookies|logins)|card_number_encrypted|name_on_card)\b",
            "browser",
            "a query over browser passwords, cookies or cards",
            Severity::High,
        ),
        s(
            r"(?i)\bLocal State\b",
            "browser",
            "the browser master-key file (Local State)",
            Severity::Medium,
        ),
        s(
            r"\bos_crypt\b",
            "browser",
            "the browser master key (os_crypt)",
            Severity::Medium,
        ),
        s(
            &format!(
                r"(?i)\b(?:Google{sep}Chrome|Chromium|Microsoft{sep}Edge|BraveSoftware|Opera Software|Yandex{sep}YandexBrowser|Vivaldi|Epic Privacy Browser|CocCoc|Chrome SxS){sep}User Data\b"
            ),
            "browser",
            "a browser profile directory",
            Severity::Medium,
        ),
        s(
            &format!(r"(?i)\.mozilla{sep}firefox|Mozilla{sep}Firefox{sep}Profiles"),
            "browser",
            "the Firefox profile directory",
            Severity::Medium,
        ),
        s(
            r"\bbrowser_cookie3\b|\bbrowsercookie\b",
            "browser",
            "a browser-cookie extraction library",
            Severity::High,
        ),
        // Wallets.
        s(
            &format!(r"(?i)\bexodus{sep}exodus\.wallet|exodus\.wallet\b|\bexodus\.conf\.json\b"),
            "wallet",
            "the Exodus wallet",
            Severity::High,
        ),
        s(
            &format!(r"(?i)\bElectrum{sep}wallets\b"),
            "wallet",
            "Electrum wallets",
            Severity::High,
        ),
        s(
            r"(?i)\bwallet\.dat\b",
            "wallet",
            "a Bitcoin Core wallet file",
            Severity::High,
        ),
        s(
            &format!(
                r"(?i)\b(?:Ethereum{sep}keystore|atomic{sep}Local Storage|Armory|com\.liberty\.jaxx|Coinomi{sep}Coinomi|Guarda{sep}Local Storage|Zcash|Bytecoin)\b"
            ),
            "wallet",
            "a desktop crypto wallet",
            Severity::High,
        ),
        s(
            r"\b(?:nkbihfbeogaeaoehlefnkodbefgpgknn|ejbalbakoplchlghecdalmeeeajnimhm|bfnaelmomeimhlpmgjnjophhpkkoljpa|hnfanknocfeofbddgcijnmhnfnkdnaad|fhbohimaelbohpjbbldcngcnapndodjp|ibnejdfjmmkpcnlpebklmnkoeoihofec|egjidjbpglichdcondbcbdnbeeppgdph|aholpfdialjgjfhomihkjbmgjidlcdno|ffnbelfdoeiohenkjibnmadjiehjhajb|jbdaocneiiinmjbjlgalhcelgbejmnid|afbcbjpbpfadlkmhmclhkeeodmamcflc)\b",
            "wallet",
            "a crypto-wallet browser extension",
            Severity::High,
        ),
        // Chat tokens.
        s(
            &format!(
                r"(?i)\bdiscord(?:canary|ptb|development)?{sep}(?:Local Storage{sep}leveldb|Local State)"
            ),
            "chat",
            "the Discord token store",
            Severity::High,
        ),
        s(
            &format!(r"(?i)Local Storage{sep}leveldb\b"),
            "chat",
            "an Electron/Chromium token store (Local Storage/leveldb)",
            Severity::Medium,
        ),
        s(
            r"\{24\}\\\.\[\\w-\]\{6\}\\\.\[\\w-\]\{2[57]\}|mfa\\\.\[\\w-\]\{84\}|dQw4w9WgXcQ:",
            "chat",
            "a Discord token pattern",
            Severity::High,
        ),
        s(
            &format!(r"(?i)Telegram Desktop{sep}tdata|{sep}tdata\b"),
            "chat",
            "the Telegram session store (tdata)",
            Severity::High,
        ),
        s(
            &format!(r"(?i)\b(?:Steam{sep}config|ssfn\*?|loginusers\.vdf)\b"),
            "chat",
            "the Steam session store",
            Severity::Medium,
        ),
        // OS secret stores.
        s(
            r"(?i)\bCryptUnprotectData\b",
            "dpapi",
            "Windows DPAPI decryption (CryptUnprotectData)",
            Severity::Medium,
        ),
        s(
            r"(?i)\bsecurity\s+(?:find-generic-password|find-internet-password|dump-keychain)\b|\blogin\.keychain(?:-db)?\b",
            "keychain",
            "the macOS keychain",
            Severity::High,
        ),
        s(
            r"/etc/shadow\b",
            "shadow",
            "the system password hashes (/etc/shadow)",
            Severity::High,
        ),
        s(
            r"(?i)\bvaultcmd\b|\bcmdkey\s+/list\b|\bCredEnumerate[AW]?\b",
            "wincred",
            "the Windows credential vault",
            Severity::High,
        ),
        // Developer tools' own configuration: context alone.
        s(
            &format!(r"(?i)\.ssh{sep}(?:id_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?|identity)\b"),
            "ssh",
            "an SSH private key",
            Severity::Info,
        ),
        s(
            &format!(r"(?i)\.aws{sep}credentials\b"),
            "aws",
            "AWS credentials",
            Severity::Info,
        ),
        s(
            r"(?i)\.git-credentials\b",
            "git",
            "git stored credentials",
            Severity::Info,
        ),
        s(
            &format!(r"(?i)\.config{sep}gh{sep}hosts\.yml\b"),
            "git",
            "GitHub CLI tokens",
            Severity::Info,
        ),
        s(
            &format!(r"(?i)\.config{sep}gcloud\b|application_default_credentials\.json\b"),
            "gcloud",
            "Google Cloud credentials",
            Severity::Info,
        ),
        s(
            &format!(r"(?i)\.azure{sep}(?:accessTokens\.json|msal_token_cache|azureProfile\.json)"),
            "azure",
            "Azure credentials",
            Severity::Info,
        ),
        s(
            &format!(r"(?i)\.kube{sep}config\b"),
            "kube",
            "the Kubernetes config",
            Severity::Info,
        ),
        s(
            &format!(r"(?i)\.docker{sep}config\.json\b"),
            "docker",
            "Docker registry credentials",
            Severity::Info,
        ),
        s(
            r"(?i)(?:^|[/\\~])\.npmrc\b",
            "npm",
            "npm tokens (.npmrc)",
            Severity::Info,
        ),
        s(
            r"(?i)(?:^|[/\\~])\.pypirc\b",
            "pypi",
            "package-index credentials (.pypirc)",
            Severity::Info,
        ),
        s(
            r"(?i)(?:^|[/\\~])[._]netrc\b",
            "netrc",
            "the .netrc password file",
            Severity::Info,
        ),
        s(
            r"(?i)/etc/passwd\b",
            "passwd",
            "the user list (/etc/passwd)",
            Severity::Info,
        ),
        s(
            r"(?i)\b169\.254\.169\.254\b|\b169\.254\.170\.2\b|\bmetadata\.google\.internal\b|/computeMetadata/v1|/latest/meta-data/iam|\bmetadata\.azure\.com\b|\b100\.100\.100\.200\b",
            "cloud-metadata",
            "the cloud instance-metadata service (instance credentials)",
            Severity::Info,
        ),
    ]
});

impl Rule for CredentialAccess {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_member(&self, cx: &MemberCx<'_>, out: &mut Vec<Evidence>) {
        if !cx.is_code() {
            return;
        }
        let mut r = Report::new(cx, &META, out);
        if let Some(py) = cx.ast() {
            secrets_sent(py, &mut r);
        }
        // What users typed into a notebook: keys and tokens get pasted there.
        if let Some(m) = cx.code_text().and_then(|t| NOTEBOOK_INPUT.find(t)) {
            r.add(
                Behaviour::CredentialAccess,
                Severity::Medium,
                Confidence::Medium,
                "reads the notebook's input history, where keys and tokens get pasted",
                common::span(m.start(), m.end()),
            );
        }
        let mut categories: BTreeSet<&'static str> = BTreeSet::new();
        let mut first = None;
        let mask = GATE.mask(cx);
        for item in cx.strings().iter().filter(|_| mask != 0) {
            for st in common::masked(&STORES, mask) {
                if let Some(m) = st.re.find(item.text) {
                    categories.insert(st.category);
                    let at = item.at(m.start());
                    first.get_or_insert((at, item.window(m.start(), m.end()).to_owned()));
                    r.add_snippet(
                        Behaviour::CredentialAccess,
                        st.severity,
                        if item.exact {
                            Confidence::Medium
                        } else {
                            Confidence::High
                        },
                        format!("reaches {}", st.what),
                        at,
                        item.window(m.start(), m.end()),
                    );
                }
            }
        }
        if categories.len() >= 3
            && let Some((at, snippet)) = first
        {
            r.add_snippet(
                Behaviour::CredentialAccess,
                Severity::High,
                Confidence::High,
                format!(
                    "collects secrets from {} kinds of stores ({})",
                    categories.len(),
                    categories.iter().copied().collect::<Vec<_>>().join(", ")
                ),
                at,
                &snippet,
            );
        }
    }
}

static SECRET_NAME: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r"(?i)^_*(?:private_?key|priv_?key|privkey|pk_?hex|mnemonic|mnemonic_?phrase|seed_?phrase|seed_?words|recovery_?phrase|wallet_?(?:key|seed|secret)|keystore(?:_json)?|secret_?phrase)s?_*$")
        .unwrap_or_else(|e| panic!("{e}"))
});

/// Names and string keys inside an expression.
struct Names<'a> {
    found: Vec<&'a str>,
}

impl<'a> Visitor<'a> for Names<'a> {
    fn visit_expr(&mut self, e: &'a Expr) {
        match e {
            Expr::Name(n) => self.found.push(n.id.as_str()),
            Expr::StringLiteral(s) if s.value.len() <= 40 => self.found.push(s.value.to_str()),
            Expr::Attribute(a) => self.found.push(a.attr.as_str()),
            _ => {}
        }
        visitor::walk_expr(self, e);
    }
}

/// Wallet secrets (private keys, seed phrases) put into data sent over the network: honest
/// wallet code signs locally and never sends them.
fn secrets_sent(py: &PyFile<'_>, r: &mut Report<'_, '_, '_>) {
    for c in &py.calls {
        let m = c.method();
        let sends = (matches!(m, "post" | "put" | "patch")
            && (c.name.starts_with("requests")
                || c.name.starts_with("httpx")
                || c.name.starts_with("aiohttp")
                || c.name.starts_with("?.")))
            || (matches!(m, "urlopen" | "Request")
                && (c.arg(1).is_some() || c.kwarg("data").is_some()))
            || matches!(
                m,
                "send" | "sendall" | "sendto" | "sendmail" | "send_message"
            );
        if !sends {
            continue;
        }
        let mut names = Names { found: Vec::new() };
        let args: Vec<&Expr> = c
            .call
            .arguments
            .args
            .iter()
            .skip(usize::from(!matches!(m, "send" | "sendall" | "sendto")))
            .chain(c.call.arguments.keywords.iter().map(|k| &k.value))
            .collect();
        for a in &args {
            names.visit_expr(a);
            // One level through a variable: `payload = {'private_key': k}; post(json=payload)`.
            if let Expr::Name(n) = a
                && let Some((_, v)) = py.binding(c.scope, n.id.as_str(), n.range.start())
            {
                names.visit_expr(v);
            }
        }
        let what = if let Some(n) = names.found.iter().find(|n| SECRET_NAME.is_match(n)) {
            format!("a wallet secret (`{n}`)")
        } else if let Some(f) = c
            // Signing a request with them is what SDKs do.
            .args_except(&["headers", "auth"])
            .find_map(|a| py.find_call_in(a, c.scope, &|n, _| is_credential_provider(n)))
        {
            format!("cloud credentials taken from the SDK ({f})")
        } else if let Some(store) = args.iter().find_map(|a| {
            let hit = Cell::new(None);
            py.find_call_in(a, c.scope, &|n, call| {
                hit.set(read_store(py, n, call, c.scope));
                hit.get().is_some()
            });
            hit.get()
        }) {
            format!("the contents of {store}")
        } else {
            continue;
        };
        r.add(
            Behaviour::CredentialAccess,
            Severity::High,
            Confidence::Medium,
            format!("sends {what} over the network"),
            c.range(),
        );
        // The sending itself: secrets in a request body are what a stealer ships.
        r.add(
            Behaviour::NetworkSend,
            Severity::High,
            Confidence::Medium,
            format!("puts {what} into the data it sends"),
            c.range(),
        );
    }
}

/// What credential store the call `name` reads, when it opens one (`open('~/.ssh/id_rsa')`).
/// A public key (`.pub`) is no secret: uploading one is how keys get registered.
fn read_store(py: &PyFile<'_>, name: &str, call: &ExprCall, scope: u32) -> Option<&'static str> {
    if !matches!(name, "open" | "io.open" | "codecs.open" | "builtins.open") {
        return None;
    }
    let path = py.eval_partial(call.arguments.args.first()?, scope)?;
    if path.trim_end().ends_with(".pub") {
        return None;
    }
    STORES.iter().find(|s| s.re.is_match(&path)).map(|s| s.what)
}

/// Calls that hand out a cloud SDK's live credentials.
fn is_credential_provider(name: &str) -> bool {
    let m = name.rsplit('.').next().unwrap_or(name);
    matches!(
        m,
        "get_credentials" | "get_frozen_credentials" | "get_access_token" | "get_session_token"
    ) || name.ends_with("google.auth.default")
}
