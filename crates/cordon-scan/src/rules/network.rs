//! `network`: the capability to use the network (imports of HTTP, socket, mail, FTP and DNS
//! clients) and calls that send data out (POST/PUT, `urlopen(data=...)`, socket sends, SMTP,
//! FTP uploads, data in DNS names, chat-bot APIs).

use std::collections::HashSet;
use std::sync::LazyLock;

use cordon_diagnostics::{Confidence, Severity};
use regex::Regex;
use ruff_python_ast::Expr;

use super::common;
use super::{MemberCx, Report, Rule, RuleMeta};
use crate::model::{Behaviour, Evidence};
use crate::python::PyFile;

pub struct Network;

static META: RuleMeta = RuleMeta {
    id: "network",
    summary: "network clients imported (capability); data sent out (POST, socket send, SMTP, FTP upload, DNS)",
    emits: &[Behaviour::Network, Behaviour::NetworkSend],
    payloads: false,
};

const NET_MODULES: &[&str] = &[
    "requests",
    "urllib",
    "urllib2",
    "urllib3",
    "http.client",
    "httplib",
    "socket",
    "httpx",
    "aiohttp",
    "smtplib",
    "ftplib",
    "telnetlib",
    "paramiko",
    "dns",
    "websocket",
    "websockets",
    "pycurl",
    "discord_webhook",
    "dhooks",
    "telebot",
    "telegram",
    "xmlrpc.client",
    "xmlrpclib",
    "tornado.httpclient",
    "mechanize",
    "wget",
];

static TEXT_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r"(?m)^[ \t]*(?:import|from)[ \t]+(requests|urllib[23]?|http\.client|httplib|socket|httpx|aiohttp|smtplib|ftplib|telnetlib|paramiko|websockets?|pycurl)\b")
        .unwrap_or_else(|e| panic!("{e}"))
});
/// Calls that read facts about the host or its user.
const HOST_FACTS: &[&str] = &[
    "getpass.getuser",
    "os.getlogin",
    "socket.gethostname",
    "socket.getfqdn",
    "platform.node",
    "platform.uname",
    "os.uname",
    "uuid.getnode",
    "os.getcwd",
];

static NET_TOOL: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r"(?i)(?:^|[\s;&|(`$])(?:curl|wget|nc|ncat|netcat|nslookup|dig|host|ping|ssh|scp|ftp|tftp|invoke-webrequest|iwr|invoke-restmethod|irm|bitsadmin|certutil)(?:\.exe)?\s")
        .unwrap_or_else(|e| panic!("{e}"))
});
static NET_TOOL_SEND: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r"(?i)\bcurl\b[^\n]*\s(?:-d|--data(?:-\w+)?|-F|--form|-T|--upload-file|--json|-X\s*(?:POST|PUT))\b|\bwget\b[^\n]*--post-(?:data|file)|\b(?:nslookup|dig|host|ping)\b[^\n]*(?:\$\(|`|%\w+%)|-Method\s+(?:POST|PUT)|\bscp\b[^\n]*\s\S+@\S+:")
        .unwrap_or_else(|e| panic!("{e}"))
});
static TEXT_SEND: LazyLock<Regex> = LazyLock::new(|| {
    crate::pattern::new(r"\b(?:requests|httpx|session|client)\s*\.\s*(?:post|put|patch)\s*\(|\.\s*(?:sendall|sendto|sendmail|send_message|storbinary)\s*\(|\burlopen\s*\([^\n)]*\bdata\s*=")
        .unwrap_or_else(|e| panic!("{e}"))
});

impl Rule for Network {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_member(&self, cx: &MemberCx<'_>, out: &mut Vec<Evidence>) {
        if !cx.is_code() {
            return;
        }
        let mut r = Report::new(cx, &META, out);
        if let Some(py) = cx.ast() {
            check_ast(py, &mut r);
        } else if let Some(text) = cx.code_text() {
            let mut seen = HashSet::new();
            for c in TEXT_IMPORT.captures_iter(text) {
                let (Some(m), Some(g)) = (c.get(0), c.get(1)) else {
                    continue;
                };
                if seen.insert(g.as_str()) {
                    r.add(
                        Behaviour::Network,
                        Severity::Info,
                        Confidence::Medium,
                        format!("uses the network ({})", g.as_str()),
                        common::span(m.start(), m.end()),
                    );
                }
            }
            for m in TEXT_SEND.find_iter(text).take(10) {
                r.add(
                    Behaviour::NetworkSend,
                    Severity::Low,
                    Confidence::Medium,
                    format!(
                        "sends data out ({})",
                        m.as_str().trim_end_matches('(').trim()
                    ),
                    common::span(m.start(), m.end()),
                );
            }
        }
    }
}

fn root_module(name: &str) -> Option<&'static str> {
    NET_MODULES.iter().copied().find(|m| {
        name == *m
            || name
                .strip_prefix(m)
                .is_some_and(|r| r.starts_with('.') || r.starts_with('('))
    })
}

fn check_ast(py: &PyFile<'_>, r: &mut Report<'_, '_, '_>) {
    let mut seen = HashSet::new();
    for i in &py.imports {
        let candidates: Vec<String> = if i.names.is_empty() {
            vec![i.module.clone()]
        } else {
            std::iter::once(i.module.clone())
                .chain(i.names.iter().map(|n| format!("{}.{n}", i.module)))
                .collect()
        };
        for c in candidates {
            if let Some(m) = root_module(&c)
                && seen.insert(m)
            {
                r.add(
                    Behaviour::Network,
                    Severity::Info,
                    Confidence::High,
                    format!("uses the network ({m})"),
                    i.range,
                );
            }
        }
    }
    let imports_socket = py.imports_module("socket");
    let mut sends = 0;
    for c in &py.calls {
        if sends >= 10 {
            break;
        }
        let name = c.name.as_str();
        let method = c.method();
        let root = root_module(name);
        let what: Option<(&str, Severity)> = match (root, method) {
            (Some("requests" | "httpx" | "aiohttp" | "urllib3"), "post" | "put" | "patch") => {
                Some(("an HTTP request with a body", Severity::Low))
            }
            (Some("requests" | "httpx" | "urllib3"), "request")
                if c.arg(0).is_some_and(|a| {
                    py.eval(a, c.scope)
                        .and_then(|f| f.val.text().map(|t| t.eq_ignore_ascii_case("post") || t.eq_ignore_ascii_case("put")))
                        .unwrap_or(false)
                }) =>
            {
                Some(("an HTTP request with a body", Severity::Low))
            }
            (Some("urllib" | "urllib2"), "urlopen" | "Request")
                if c.arg(1).is_some() || c.kwarg("data").is_some() =>
            {
                Some(("an HTTP request with a body", Severity::Low))
            }
            (Some("socket"), "send" | "sendall" | "sendto" | "sendmsg") => {
                Some(("data over a socket", Severity::Low))
            }
            (None, "sendall" | "sendto") if imports_socket && name.starts_with("?.") => {
                Some(("data over a socket", Severity::Low))
            }
            (Some("smtplib"), "sendmail" | "send_message") => Some(("e-mail", Severity::Low)),
            (Some("ftplib"), "storbinary" | "storlines") => Some(("a file by FTP", Severity::Low)),
            (Some("http.client" | "httplib"), "request")
                if c.arg(0).is_some_and(|a| matches!(a, Expr::StringLiteral(s) if s.value.to_str().eq_ignore_ascii_case("POST"))) =>
            {
                Some(("an HTTP request with a body", Severity::Low))
            }
            (Some("socket"), "gethostbyname" | "getaddrinfo" | "gethostbyname_ex")
                if c.arg(0).is_some_and(|a| !matches!(a, Expr::StringLiteral(_)) && py.eval(a, c.scope).is_none() && py.eval_partial(a, c.scope).is_some()) =>
            {
                Some(("data inside a DNS name", Severity::Medium))
            }
            (Some("dns"), "resolve" | "query")
                if c.arg(0).is_some_and(|a| !matches!(a, Expr::StringLiteral(_)) && py.eval_partial(a, c.scope).is_some()) =>
            {
                Some(("data inside a DNS name", Severity::Medium))
            }
            (Some("telebot" | "telegram"), m) if m.starts_with("send_") => Some(("a chat message", Severity::Low)),
            (Some("discord_webhook" | "dhooks"), "execute" | "send") => Some(("a chat message", Severity::Low)),
            _ => None,
        };
        if let Some((what, sev)) = what {
            sends += 1;
            r.add(
                Behaviour::NetworkSend,
                sev,
                Confidence::High,
                format!("sends {what} ({name})"),
                c.range(),
            );
        }
    }
    // Host facts sent in a request (URL, query, body).
    for c in py.calls.iter().filter(|c| {
        super::common::is_fetch(&c.name)
            || matches!(c.method(), "post" | "put" | "Request" | "send" | "sendall")
    }) {
        let args = c
            .call
            .arguments
            .args
            .iter()
            .chain(c.call.arguments.keywords.iter().map(|k| &k.value));
        let mut found = None;
        for a in args {
            found = py.find_call_in(a, c.scope, &|n, _| HOST_FACTS.contains(&n));
            if found.is_some() {
                break;
            }
        }
        if let Some(f) = found {
            r.add(
                Behaviour::NetworkSend,
                Severity::Medium,
                Confidence::High,
                format!("sends host information ({f}) in a request ({})", c.name),
                c.range(),
            );
        }
    }
    // Network tools run as processes.
    for s in super::common::spawns(py) {
        let Some(cmd) = &s.command else { continue };
        let Some(m) = NET_TOOL.find(cmd) else {
            continue;
        };
        let sends = NET_TOOL_SEND.is_match(cmd);
        r.add(
            if sends {
                Behaviour::NetworkSend
            } else {
                Behaviour::Network
            },
            if sends {
                Severity::Medium
            } else {
                Severity::Info
            },
            Confidence::High,
            format!(
                "{} with {}",
                if sends {
                    "sends data out"
                } else {
                    "uses the network"
                },
                m.as_str().trim()
            ),
            s.call.range(),
        );
    }
}
