//! `exfil-endpoint`: places stolen data is sent to — chat webhooks and bot APIs with their
//! credentials, paste and file-drop services, tunnels and interaction (OAST) services, dynamic
//! DNS hosts, raw IP addresses — in string literals, folded strings and decoded payloads — and
//! any URL the code decodes before use (base64, hex, XOR, ...), Medium.

use std::net::Ipv4Addr;
use std::sync::LazyLock;

use cordon_diagnostics::{Confidence, Severity};
use regex::Regex;

use super::common;
use super::{MemberCx, Report, Rule, RuleMeta};
use crate::model::{Behaviour, Evidence};
use crate::python::{PyFile, StrKind, Val};
use ruff_python_ast::Expr;

pub struct ExfilEndpoint;

static META: RuleMeta = RuleMeta {
    id: "exfil-endpoint",
    summary: "chat webhooks and bot tokens, paste/file-drop, tunnel and OAST services, dynamic DNS, raw IPs",
    emits: &[Behaviour::ExfilEndpoint],
    payloads: false,
};

struct Pattern {
    re: Regex,
    what: &'static str,
    severity: Severity,
}

static GATE: LazyLock<common::Gate> =
    LazyLock::new(|| common::Gate::new(PATTERNS.iter().map(|p| &p.re).chain([&*IP_URL])));

static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    let p = |re: &str, what, severity| Pattern {
        re: crate::pattern::new(re).unwrap_or_else(|e| panic!("{re}: {e}")),
        what,
        severity,
    };
    vec![
        p(
            r"(?i)discord(?:app)?\.com/api/(?:v\d+/)?webhooks/\d{15,22}/[\w-]{20,}",
            "a Discord webhook with its token",
            Severity::High,
        ),
        p(
            r"(?i)discord(?:app)?\.com/api/(?:v\d+/)?webhooks",
            "the Discord webhook API",
            Severity::Info,
        ),
        p(
            r"(?i)api\.telegram\.org/bot\d{6,12}:[\w-]{30,}",
            "a Telegram bot API URL with its token",
            Severity::High,
        ),
        p(
            r"\b\d{8,10}:AA[A-Za-z0-9_-]{33}\b",
            "a Telegram bot token",
            Severity::High,
        ),
        p(
            r"(?i)api\.telegram\.org/bot",
            "the Telegram bot API",
            Severity::Info,
        ),
        p(
            r"(?i)hooks\.slack\.com/services/T\w+/B\w+/\w+",
            "a Slack webhook with its token",
            Severity::High,
        ),
        p(
            r"(?i)hooks\.slack\.com/",
            "the Slack webhook API",
            Severity::Info,
        ),
        p(
            r"(?i)\b(?:ngrok(?:-free)?\.(?:io|app|dev|pizza)|loca\.lt|localtunnel\.me|serveo\.net|trycloudflare\.com|localhost\.run|pagekite\.me|bore\.pub)\b",
            "a tunnelling service",
            Severity::High,
        ),
        p(
            r"(?i)\b(?:webhook\.site|pipedream\.net|requestbin\.\w+|requestcatcher\.com|beeceptor\.com|hookbin\.com|burpcollaborator\.net|oastify\.com|interact\.sh|interactsh\.com|dnslog\.cn|ceye\.io|canarytokens\.com|postb\.in|ptsv[23]\.com|dnshook\.site|requestrepo\.com|webhook\.cool|xss\.ht|bxss\.me|smee\.io|hookdeck\.com|typedwebhook\.tools|pinggy\.(?:io|link)|tunnelmole\.net|loclx\.io)\b",
            "a request-capture (interaction) service",
            Severity::High,
        ),
        p(
            r"(?i)(?:^|[./@-])oast(?:ify)?[.-][\w.-]+",
            "an out-of-band interaction (OAST) host",
            Severity::High,
        ),
        p(
            r"(?i)\b[\w-]+\.mockapi\.io\b",
            "a hosted mock-API endpoint (stores whatever is posted)",
            Severity::Medium,
        ),
        p(
            r"(?i)\b(?:pastebin\.com|paste\.ee|hastebin\.com|rentry\.(?:co|org)|ghostbin\.\w+|controlc\.com|paste\.rs|dpaste\.(?:com|org)|pastie\.org|privatebin\.\w+|termbin\.com|ix\.io)/(?:raw/|r/|p/)?[A-Za-z0-9]{5,}\b",
            "a paste",
            Severity::Medium,
        ),
        p(
            r"(?i)\b(?:pastebin\.com|paste\.ee|hastebin\.com|rentry\.(?:co|org)|ghostbin\.\w+|controlc\.com|paste\.rs|dpaste\.(?:com|org)|pastie\.org|privatebin\.\w+|termbin\.com|ix\.io)\b",
            "a paste service",
            Severity::Info,
        ),
        p(
            r"(?i)\b(?:transfer\.sh|file\.io|anonfiles\.com|gofile\.io|catbox\.moe|filebin\.net|tmpfiles\.org|0x0\.st|bashupload\.com|temp\.sh|uguu\.se|pixeldrain\.com|send\.now|files\.fm)\b",
            "a file-drop service",
            Severity::Medium,
        ),
        p(
            r"(?i)\b[\w-]+\.(?:duckdns\.org|no-ip\.(?:com|org|biz|info)|noip\.com|ddns\.net|hopto\.org|zapto\.org|sytes\.net|dynu\.(?:com|net)|servebeer\.com|serveftp\.com|myftp\.(?:biz|org)|3utilities\.com|bounceme\.net|ddnsking\.com|freedns\.afraid\.org)\b",
            "a dynamic-DNS host",
            Severity::Medium,
        ),
    ]
});

static IP_URL: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(
        r"(?i)\b(?:https?|ftp|tcp|udp|wss?)://(\d{1,3}(?:\.\d{1,3}){3})(?::\d{1,5})?",
    )
    .unwrap_or_else(|e| panic!("{e}"))
});

/// Public (routable) IPv4 addresses; well-known resolvers are not endpoints.
fn classify_ip(s: &str) -> Option<bool> {
    let ip: Ipv4Addr = s.parse().ok()?;
    let o = ip.octets();
    let resolver = matches!(
        o,
        [8, 8, 8, 8] | [8, 8, 4, 4] | [1, 1, 1, 1] | [1, 0, 0, 1] | [9, 9, 9, 9]
    );
    if resolver || ip.is_unspecified() || ip.is_broadcast() || ip.is_documentation() {
        return None;
    }
    Some(
        !(ip.is_private()
            || ip.is_loopback()
            || ip.is_link_local()
            || o[0] == 100 && (64..128).contains(&o[1])),
    )
}

/// A URL the code decodes before use (base64, hex, XOR, ...): honest code has no reason to hide
/// where it connects; a canary or a drop site does.
fn hidden_urls(py: &PyFile<'_>, r: &mut Report<'_, '_, '_>) {
    for s in &py.strings {
        if s.kind != StrKind::Folded
            || !s
                .steps
                .iter()
                .any(|x| crate::python::DECODING_STEPS.contains(x))
        {
            continue;
        }
        let v = s.value.trim_start();
        let scheme = v.get(..8).unwrap_or(v).to_ascii_lowercase();
        if !(scheme.starts_with("http://") || scheme.starts_with("https://")) {
            continue;
        }
        let host = v.split("://").nth(1).unwrap_or("");
        let host = host.split(['/', '?', '#', ':']).next().unwrap_or("");
        if !host.contains('.') {
            continue;
        }
        r.add(
            Behaviour::ExfilEndpoint,
            Severity::Medium,
            Confidence::High,
            format!(
                "a URL hidden by encoding ({}): {}",
                s.steps.join(" → "),
                clip(v)
            ),
            s.range,
        );
    }
}

impl Rule for ExfilEndpoint {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_member(&self, cx: &MemberCx<'_>, out: &mut Vec<Evidence>) {
        if !cx.is_code() {
            return;
        }
        let mut r = Report::new(cx, &META, out);
        if let Some(py) = cx.ast() {
            hidden_urls(py, &mut r);
        }
        // Sockets connected to a literal address.
        if let Some(py) = cx.ast() {
            for c in &py.calls {
                let connects = c.name == "socket.create_connection"
                    || (c.name.ends_with(".connect")
                        && (c.name.starts_with("socket.")
                            || (c.name.starts_with("?.") && py.imports_module("socket"))));
                if !connects {
                    continue;
                }
                let Some(Expr::Tuple(t)) = c.arg(0) else {
                    continue;
                };
                let Some(host) = t.elts.first().and_then(|h| py.eval(h, c.scope)) else {
                    continue;
                };
                let Val::Str(host) = host.val else { continue };
                let Some(public) = classify_ip(&host) else {
                    continue;
                };
                r.add(
                    Behaviour::ExfilEndpoint,
                    if public {
                        Severity::Medium
                    } else {
                        Severity::Info
                    },
                    Confidence::High,
                    format!(
                        "connects a socket to a raw {} IP address: {host}",
                        if public {
                            "public"
                        } else {
                            "private or loopback"
                        }
                    ),
                    c.range(),
                );
            }
        }
        let mask = GATE.mask(cx);
        let ip_urls = mask & (1 << PATTERNS.len()) != 0;
        for item in cx.strings().iter().filter(|_| mask != 0) {
            let mut specific = false;
            for p in common::masked(&PATTERNS, mask) {
                // A generic API mention is context only when no credentialed form matched.
                if p.severity == Severity::Info && specific {
                    continue;
                }
                for m in p.re.find_iter(item.text).take(5) {
                    if p.severity != Severity::Info {
                        specific = true;
                    }
                    r.add_snippet(
                        Behaviour::ExfilEndpoint,
                        p.severity,
                        if item.exact {
                            Confidence::Medium
                        } else {
                            Confidence::High
                        },
                        format!("names {}: {}", p.what, clip(m.as_str())),
                        item.at(m.start()),
                        item.window(m.start(), m.end()),
                    );
                }
            }
            for c in ip_urls
                .then_some(item.text)
                .into_iter()
                .flat_map(|t| IP_URL.captures_iter(t))
                .take(5)
            {
                let (Some(m), Some(ip)) = (c.get(0), c.get(1)) else {
                    continue;
                };
                let Some(public) = classify_ip(ip.as_str()) else {
                    continue;
                };
                r.add_snippet(
                    Behaviour::ExfilEndpoint,
                    if public {
                        Severity::Medium
                    } else {
                        Severity::Info
                    },
                    Confidence::High,
                    format!(
                        "a URL to a raw {} IP address: {}",
                        if public {
                            "public"
                        } else {
                            "private or loopback"
                        },
                        m.as_str()
                    ),
                    item.at(m.start()),
                    item.window(m.start(), m.end()),
                );
            }
        }
    }
}

fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(90).collect();
    if s.chars().count() > 90 {
        out.push('…');
    }
    out
}
