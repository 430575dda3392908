//! `recon`: host information collected — user name, host name, MAC address, login, platform
//! details, the public IP address from a lookup service, `whoami`/`systeminfo`/`ipconfig` run.
//! Context: it matters when it is sent out.

use std::sync::LazyLock;

use cordon_diagnostics::{Confidence, Severity};
use regex::Regex;

use super::common::{self, CommandTrait};
use super::{MemberCx, Report, Rule, RuleMeta};
use crate::model::{Behaviour, Evidence};

pub struct Recon;

static META: RuleMeta = RuleMeta {
    id: "recon",
    summary: "user, host, MAC, login and public-IP lookups; whoami/systeminfo/ipconfig",
    emits: &[Behaviour::Recon],
    payloads: false,
};

const HOST_INFO: &[(&str, &str)] = &[
    ("getpass.getuser", "the user name"),
    ("os.getlogin", "the login name"),
    ("socket.gethostname", "the host name"),
    ("socket.getfqdn", "the host name"),
    ("platform.node", "the host name"),
    ("platform.uname", "the platform and host name"),
    ("os.uname", "the platform and host name"),
    ("uuid.getnode", "the MAC address"),
    ("getmac.get_mac_address", "the MAC address"),
    ("psutil.users", "logged-in users"),
    ("win32api.GetUserName", "the user name"),
    ("win32api.GetComputerName", "the host name"),
];

static GATE: LazyLock<common::Gate> = LazyLock::new(|| common::Gate::new([&*IP_LOOKUP]));

static IP_LOOKUP: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r"(?i)\b(?:api\d?\.ipify\.org|ifconfig\.(?:me|co|io)|ipinfo\.io|ip-api\.com|checkip\.amazonaws\.com|checkip\.dyndns\.org|icanhazip\.com|ident\.me|myexternalip\.com|wtfismyip\.com|ipecho\.net|api\.myip\.com|ip\.42\.pl|httpbin\.org/ip|geolocation-db\.com|ipwho\.is|ipapi\.co|ipgeolocation\.io|db-ip\.com|freegeoip\.app|ip\.sb|myip\.dnsomatic\.com)\b")
        .unwrap_or_else(|e| panic!("{e}"))
});
static TEXT_CALLS: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r"\b(?:getpass\s*\.\s*getuser|os\s*\.\s*getlogin|socket\s*\.\s*gethostname|platform\s*\.\s*node|uuid\s*\.\s*getnode)\s*\(")
        .unwrap_or_else(|e| panic!("{e}"))
});

impl Rule for Recon {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_member(&self, cx: &MemberCx<'_>, out: &mut Vec<Evidence>) {
        if !cx.is_code() {
            return;
        }
        let mut r = Report::new(cx, &META, out);
        if let Some(py) = cx.ast() {
            for c in &py.calls {
                if let Some((_, what)) = HOST_INFO.iter().find(|(n, _)| *n == c.name) {
                    r.add(
                        Behaviour::Recon,
                        Severity::Low,
                        Confidence::High,
                        format!("reads {what} ({})", c.name),
                        c.range(),
                    );
                }
            }
            for s in common::spawns(py) {
                if let Some(cmd) = &s.command
                    && common::command_traits(cmd)
                        .iter()
                        .any(|(t, _)| *t == CommandTrait::Recon)
                {
                    r.add(
                        Behaviour::Recon,
                        Severity::Low,
                        Confidence::High,
                        format!("runs a host-reconnaissance command: {}", cmd.trim()),
                        s.call.range(),
                    );
                }
            }
        } else if let Some(text) = cx.code_text() {
            for m in TEXT_CALLS.find_iter(text) {
                r.add(
                    Behaviour::Recon,
                    Severity::Low,
                    Confidence::Medium,
                    format!(
                        "reads host information ({})",
                        m.as_str().trim_end_matches('(')
                    ),
                    common::span(m.start(), m.end()),
                );
            }
        }
        for item in GATE.strings(cx) {
            if let Some(m) = IP_LOOKUP.find(item.text) {
                r.add_snippet(
                    Behaviour::Recon,
                    Severity::Medium,
                    if item.exact {
                        Confidence::Medium
                    } else {
                        Confidence::High
                    },
                    format!("looks up the machine's public IP address ({})", m.as_str()),
                    item.at(m.start()),
                    item.window(m.start(), m.end()),
                );
            }
        }
    }
}
