//! Just enough URL splitting for the checks: scheme, user-info and host. No crate needed for it.

/// The parts of `scheme://[userinfo@]host[:port]/path` cordon looks at.
#[derive(Debug, PartialEq, Eq)]
pub struct UrlParts<'a> {
    pub scheme: &'a str,
    pub userinfo: Option<&'a str>,
    /// Host without port, lower-cased by the caller if needed.
    pub host: &'a str,
}

pub fn split(url: &str) -> Option<UrlParts<'_>> {
    let url = url.strip_prefix("git+").unwrap_or(url);
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let (userinfo, hostport) = match authority.rfind('@') {
        Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
        None => (None, authority),
    };
    let host = if hostport.starts_with('[') {
        hostport
            .split(']')
            .next()
            .map_or(hostport, |h| &hostport[..=h.len()])
    } else {
        hostport.split(':').next().unwrap_or(hostport)
    };
    Some(UrlParts {
        scheme,
        userinfo,
        host,
    })
}

/// True for loopback hosts, where plain HTTP does not cross a network.
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The credentials embedded in a URL, if any: a password, or a user name that is not the
/// conventional `git` of SSH remotes.
pub fn embedded_credentials(url: &str) -> Option<&str> {
    let parts = split(url)?;
    let info = parts.userinfo.filter(|u| !u.is_empty())?;
    match info.split_once(':') {
        // `user:secret`, and `token:` (a token with an empty password, as some indexes document).
        Some((user, pass)) if !pass.is_empty() || !user.is_empty() => Some(info),
        Some(_) => None,
        None if parts.scheme == "ssh" || info == "git" => None,
        None => Some(info),
    }
}

/// Redacts the user-info of a URL for display.
pub fn redact(url: &str) -> String {
    match split(url).and_then(|p| p.userinfo) {
        Some(info) => url.replacen(&format!("{info}@"), "***@", 1),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_urls() {
        let p = split("https://user:pw@example.com:8443/simple").unwrap();
        assert_eq!(p.scheme, "https");
        assert_eq!(p.userinfo, Some("user:pw"));
        assert_eq!(p.host, "example.com");
        assert_eq!(
            split("http://127.0.0.1:8080/simple").unwrap().host,
            "127.0.0.1"
        );
        assert!(split("not a url").is_none());
    }

    #[test]
    fn finds_credentials_but_not_ssh_users() {
        assert_eq!(
            embedded_credentials("https://u:secret@example.com/simple"),
            Some("u:secret")
        );
        assert_eq!(
            embedded_credentials("https://ghp_abc123@example.com/r.git"),
            Some("ghp_abc123")
        );
        assert_eq!(embedded_credentials("ssh://git@example.com/r.git"), None);
        assert_eq!(
            embedded_credentials("git+ssh://git@example.com/r.git"),
            None
        );
        assert_eq!(embedded_credentials("https://example.com/simple"), None);
        assert_eq!(
            embedded_credentials("https://tok3n:@example.com/simple"),
            Some("tok3n:")
        );
        assert!(is_loopback("127.0.0.1") && is_loopback("LOCALHOST") && is_loopback("[::1]"));
        assert!(!is_loopback("127.0.0.1.example.com"));
        assert_eq!(
            redact("https://u:secret@example.com/simple"),
            "https://***@example.com/simple"
        );
    }
}
