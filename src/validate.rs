//! Checks of repo settings given on the command line: name, URL, path,
//! interval, and whether credentials fit the URL's transport. Each error
//! names the value and the rule it breaks (never a secret value).

use crate::model::RepoSettings;

/// `[a-z0-9][a-z0-9._-]{0,62}`.
pub fn repo_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let rest_ok =
        chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if first_ok && rest_ok && name.len() <= 63 {
        Ok(())
    } else {
        Err(format!(
            "invalid repo name '{name}': use 1 to 63 characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit"
        ))
    }
}

/// The transport a URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Https,
    Http,
    Ssh,
    Git,
    File,
}

/// A remote URL as the fetch reads it: parsed by gix's own parser, so that
/// what is checked here is what is fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteUrl {
    pub transport: Transport,
    /// The host, without brackets around an IPv6 address; `None` for local
    /// paths and `file://`.
    pub host: Option<String>,
    pub port: Option<u16>,
    /// The ssh login name (never a secret: no other transport may have one).
    pub user: Option<String>,
    /// The path on the server (or the local path).
    pub path: String,
    /// Scp-like `user@host:path`.
    pub scp_like: bool,
}

/// Longest URL accepted: far longer than any real remote's.
const MAX_URL_LEN: usize = 2048;
/// Scheme names that, before a `:` without `//`, mean a mistyped URL
/// (gix would read `https:/tok@host/x` as ssh to a host named `https`).
const SCHEMES: [&str; 7] = ["https", "http", "ssh", "git+ssh", "ssh+git", "git", "file"];

/// Why a URL is refused. The text never repeats the URL: it may hold the
/// very secret that makes it wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct UrlError {
    message: String,
    /// The URL (probably) holds a password or token.
    pub credentials: bool,
}

impl UrlError {
    fn new(message: impl Into<String>) -> UrlError {
        UrlError {
            message: message.into(),
            credentials: false,
        }
    }

    fn credentials(message: impl Into<String>) -> UrlError {
        UrlError {
            message: message.into(),
            credentials: true,
        }
    }
}

const CREDENTIALS: &str = "the URL carries credentials; they would leak into shell history, logs and the mirror's config. Remove them and pass --username/--password (https) or --ssh-key (ssh) as env:VAR or file:PATH references";
const FORMS: &str =
    "use https://, http://, ssh://, git://, file://, user@host:path or a local path";

/// Accepts `https://`, `http://`, `ssh://`, scp-like `user@host:path`,
/// `git://`, `file://` and local paths; see [`parse_url`].
pub fn url(url: &str) -> Result<Transport, String> {
    parse_url(url)
        .map(|u| u.transport)
        .map_err(|e| e.to_string())
}

/// The one URL check: parse `text` as the fetch will (gix's parser) and
/// refuse credentials in every form, and anything gix would read
/// differently from how it looks (see [`SCHEMES`]).
pub fn parse_url(text: &str) -> Result<RemoteUrl, UrlError> {
    if text.is_empty() {
        return Err(UrlError::new("the URL is empty"));
    }
    if text.len() > MAX_URL_LEN {
        return Err(UrlError::new(format!(
            "the URL is longer than {MAX_URL_LEN} bytes"
        )));
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(UrlError::new(
            "the URL contains white space or control characters",
        ));
    }
    if let Some((scheme, _)) = text.split_once("://")
        && scheme.chars().any(|c| c.is_ascii_uppercase())
        && SCHEMES.contains(&scheme.to_ascii_lowercase().as_str())
    {
        return Err(UrlError::new(format!(
            "write the URL scheme '{scheme}://' in lower case: '{}://'",
            scheme.to_ascii_lowercase()
        )));
    }
    // gix's error text repeats the input, so it is not passed on.
    let parsed = gix::url::parse(gix::bstr::BStr::new(text.as_bytes())).map_err(|_| {
        UrlError::new(format!(
            "the URL cannot be read as a git remote (it needs a host and a repository path): {FORMS}"
        ))
    })?;
    let transport = match &parsed.scheme {
        gix::url::Scheme::Https => Transport::Https,
        gix::url::Scheme::Http => Transport::Http,
        gix::url::Scheme::Ssh => Transport::Ssh,
        gix::url::Scheme::Git => Transport::Git,
        gix::url::Scheme::File => Transport::File,
        gix::url::Scheme::HelperUrl(scheme)
            if scheme.len() <= 12 && scheme.chars().all(|c| c.is_ascii_alphabetic()) =>
        {
            return Err(UrlError::new(format!(
                "unsupported URL scheme '{scheme}://': {FORMS}"
            )));
        }
        gix::url::Scheme::HelperUrl(_) => {
            return Err(UrlError::new(format!("unsupported URL scheme: {FORMS}")));
        }
        // `ext::COMMAND` runs a command; other helpers are other programs.
        gix::url::Scheme::Ext | gix::url::Scheme::Helper(_) => {
            return Err(UrlError::new(format!(
                "remote helpers ('NAME::ADDRESS') are not supported: {FORMS}"
            )));
        }
    };
    let scp_like = transport == Transport::Ssh && parsed.serialize_alternative_form;
    let local = transport == Transport::File && parsed.serialize_alternative_form;
    let host = parsed.host().map(|h| {
        h.strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(h)
            .to_string()
    });
    let user = parsed.user().map(str::to_string);
    let path = String::from_utf8_lossy(&parsed.path).into_owned();
    let first_segment = path.trim_start_matches('/').split('/').next().unwrap_or("");
    if parsed.password().is_some() || user.as_deref().is_some_and(|u| u.contains(':')) {
        return Err(UrlError::credentials(CREDENTIALS));
    }
    match transport {
        // A user name there is a token: forges take one in its place.
        Transport::Https | Transport::Http | Transport::Git if user.is_some() => {
            return Err(UrlError::credentials(CREDENTIALS));
        }
        Transport::Ssh if scp_like && SCHEMES.contains(&host.as_deref().unwrap_or("")) => {
            return Err(UrlError::credentials(format!(
                "the URL looks like a mistyped '{}://' URL (gix would read it as ssh to a host named '{0}'): write the scheme with '://', and no credentials in it",
                host.as_deref().unwrap_or("")
            )));
        }
        // `user:TOKEN@host:path` reads as host `user`, path `TOKEN@host:path`;
        // not even the "host" is shown: in `TOKEN:x@host:path` it is the token.
        Transport::Ssh if scp_like && first_segment.contains('@') => {
            return Err(UrlError::credentials(
                "the URL is ambiguous: the part after its first ':' holds an '@' before any '/', as in user:password@host:path, which would send the password to the server as the path. Credentials in URLs are refused: pass --ssh-key as env:VAR or file:PATH. If the path really holds '@', write ssh://user@host/path",
            ));
        }
        Transport::File if !local && host.as_deref().is_some_and(|h| h != "localhost") => {
            let message = "a file:// URL names no host and no user: write file:///absolute/path";
            return Err(if host.as_deref().is_some_and(|h| h.contains('@')) {
                UrlError::credentials(format!("{message} ({CREDENTIALS})"))
            } else {
                UrlError::new(message)
            });
        }
        Transport::File
            if local
                && SCHEMES.iter().any(|s| {
                    text.strip_prefix(s)
                        .is_some_and(|rest| rest.starts_with('/') || rest.starts_with('\\'))
                }) =>
        {
            return Err(UrlError::credentials(
                "the URL looks like a mistyped URL (a scheme without '://'); write ./PATH for a local folder of that name",
            ));
        }
        _ => {}
    }
    if transport != Transport::File {
        match host.as_deref() {
            None | Some("") => return Err(UrlError::new("the URL has no host")),
            // ssh would read it as an option (gix refuses it too, later).
            Some(h) if h.starts_with('-') => {
                return Err(UrlError::new("the URL's host starts with '-'"));
            }
            _ => {}
        }
        if user.as_deref().is_some_and(|u| u.starts_with('-')) {
            return Err(UrlError::new("the URL's user name starts with '-'"));
        }
    }
    if matches!(transport, Transport::Https | Transport::Http)
        && (path.contains('?') || path.contains('#'))
    {
        return Err(UrlError::credentials(
            "the URL has a query string or fragment; a git remote needs neither, and a token hidden there would leak into logs",
        ));
    }
    Ok(RemoteUrl {
        transport,
        host,
        port: parsed.port,
        user,
        path,
        scp_like,
    })
}

/// True when `text` is a URL refused because it (probably) holds a secret:
/// such an argument must not be repeated anywhere.
pub fn carries_credentials(text: &str) -> bool {
    parse_url(text).is_err_and(|e| e.credentials)
}

/// The host of a remote URL (not of a local path), without brackets or
/// port, as the fetch reads it.
pub fn url_host(url: &str) -> Option<String> {
    parse_url(url).ok()?.host
}

/// True for `localhost`, 127.0.0.0/8 and `::1`: where plain http may carry
/// credentials because nothing leaves the machine.
pub fn is_loopback_host(host: impl AsRef<str>) -> bool {
    let host = host.as_ref();
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Credentials must fit the transport: `--username/--password` (and
/// `--ca-file`) go with http(s), `--ssh-key/--ssh-passphrase/--known-hosts`
/// with ssh, and plain `http://` carries credentials only to loopback.
pub fn credentials(url_text: &str, settings: &RepoSettings) -> Result<(), String> {
    let transport = url(url_text)?;
    let http_flags = [
        ("--username", settings.username.is_some()),
        ("--password", settings.password.is_some()),
        ("--ca-file", settings.ca_file.is_some()),
    ];
    let ssh_flags = [
        ("--ssh-key", settings.ssh_key.is_some()),
        ("--ssh-passphrase", settings.ssh_passphrase.is_some()),
        ("--known-hosts", settings.known_hosts.is_some()),
    ];
    let scheme = match transport {
        Transport::Https => "an https://",
        Transport::Http => "an http://",
        Transport::Ssh => "an ssh",
        Transport::Git => "a git://",
        Transport::File => "a local",
    };
    let misplaced = match transport {
        Transport::Https | Transport::Http => ssh_flags.iter().find(|(_, set)| *set),
        Transport::Ssh => http_flags.iter().find(|(_, set)| *set),
        Transport::Git | Transport::File => {
            http_flags.iter().chain(&ssh_flags).find(|(_, set)| *set)
        }
    };
    if let Some((flag, _)) = misplaced {
        let fits = if http_flags.iter().any(|(f, _)| f == flag) {
            "https:// and http:// URLs"
        } else {
            "ssh:// and user@host:path URLs"
        };
        return Err(format!(
            "protocol mismatch: {flag} goes with {fits}, not with {scheme} URL"
        ));
    }
    if settings.username.is_some() && settings.password.is_none() {
        return Err("--username needs --password (the password or access token)".into());
    }
    if settings.ssh_passphrase.is_some() && settings.ssh_key.is_none() {
        return Err("--ssh-passphrase needs --ssh-key: the key it unlocks".into());
    }
    if transport == Transport::Http
        && settings.password.is_some()
        && !url_host(url_text).is_some_and(is_loopback_host)
    {
        return Err(
            "credentials are never sent over plain http:// except to a loopback address (localhost, 127.0.0.0/8, ::1): use https://"
                .into(),
        );
    }
    Ok(())
}

/// `--path` as given on the command line, checked and normalised by
/// [`normalize_repo_path`].
pub fn repo_path(path: &str) -> Result<String, String> {
    normalize_repo_path(path).map_err(|reason| {
        format!(
            "invalid --path '{}': {reason}",
            crate::text::escape_line(path)
        )
    })
}

/// The one rule for a repo path, used by `repo add/set` and by every sync:
/// relative, `/`-separated, no `..`, no `\`, NUL or other control
/// character. Returns it normalised: `""` for the root, else `a/b` (`.`
/// and empty components dropped).
pub fn normalize_repo_path(path: &str) -> Result<String, &'static str> {
    if path.starts_with('/') {
        return Err("it must be relative to the repository root (no leading '/')");
    }
    if path.contains('\\') || path.chars().any(crate::text::is_unsafe_char) {
        return Err("it must use '/' as separator and contain no '\\' or control character");
    }
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.contains(&"..") {
        return Err("'..' may not escape the repository");
    }
    Ok(parts.join("/"))
}

/// Namespaces follow the repo name rule.
pub fn namespace(ns: &str) -> Result<(), String> {
    repo_name(ns).map_err(|_| {
        format!("invalid namespace '{ns}': use 1 to 63 characters of a-z, 0-9, '.', '_' and '-'")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_with_credentials_are_refused_in_every_form_without_repeating_them() {
        for bad in [
            "https://user:TOKEN@example.com/r.git",
            "https://TOKEN@example.com/r.git",
            "https://user%3ATOKEN@example.com/r.git",
            "http://TOKEN@127.0.0.1/r.git",
            "ssh://git:TOKEN@example.com/r.git",
            "git://TOKEN@example.com/r.git",
            "file://user:TOKEN@example.com/srv/r.git",
            "file://TOKEN@/srv/r.git",
            // Scp-like: gix reads host `user`, path `TOKEN@example.com:org/r.git`.
            "user:TOKEN@example.com:org/r.git",
            "TOKEN:x-oauth-basic@github.com:org/r.git",
            "[user:TOKEN@example.com]:org/r.git",
            // Read by gix as ssh to a host named `https`.
            "https:/TOKEN@example.com/r.git",
            "https:TOKEN@example.com/r.git",
            "https://example.com/r.git?TOKEN",
            "https://example.com/r.git#TOKEN",
            "https//TOKEN@example.com/r.git",
        ] {
            let err = url(bad).expect_err(bad);
            assert!(!err.contains("TOKEN"), "{bad}: {err}");
            assert!(!err.contains("example.com"), "{bad}: {err}");
        }
        assert!(carries_credentials("https://TOKEN@example.com/r.git"));
        assert!(carries_credentials("user:TOKEN@example.com:org/r.git"));
        assert!(!carries_credentials("git@example.com:org/r.git"));
    }

    #[test]
    fn plain_ssh_users_and_the_usual_forms_are_accepted() {
        let scp = parse_url("git@example.com:org/r.git").unwrap();
        assert_eq!(scp.transport, Transport::Ssh);
        assert!(scp.scp_like);
        assert_eq!(scp.user.as_deref(), Some("git"));
        assert_eq!(scp.host.as_deref(), Some("example.com"));
        assert_eq!(scp.path, "org/r.git");
        let ssh = parse_url("ssh://git@[::1]:2222/srv/r.git").unwrap();
        assert_eq!(
            (ssh.host.as_deref(), ssh.port, ssh.user.as_deref()),
            (Some("::1"), Some(2222), Some("git"))
        );
        assert_eq!(url("example.com:org/r.git"), Ok(Transport::Ssh));
        assert_eq!(url("git://127.0.0.1:9418/r.git"), Ok(Transport::Git));
        assert_eq!(url("https://git.example.com/r"), Ok(Transport::Https));
        assert_eq!(url("file:///srv/git/r.git"), Ok(Transport::File));
        assert_eq!(url("file://localhost/srv/git/r.git"), Ok(Transport::File));
        assert_eq!(url("/srv/git/r.git"), Ok(Transport::File));
        assert_eq!(url("./r"), Ok(Transport::File));
        assert_eq!(url("./with:colon"), Ok(Transport::File));
        assert_eq!(url_host("http://[::1]:8080/r.git").as_deref(), Some("::1"));
        assert_eq!(
            url_host("https://h.example:3000/r").as_deref(),
            Some("h.example")
        );
        assert_eq!(url_host("/srv/git/r.git"), None);
    }

    #[test]
    fn helpers_other_schemes_and_option_lookalikes_are_refused() {
        assert!(url("ftp://x/y").unwrap_err().contains("'ftp://'"));
        assert!(url("ext::sh -c touch%20x").is_err());
        assert!(url("ext::sh").is_err());
        assert!(url("foo::https://example.com/r").is_err());
        assert!(url("ssh://-oProxyCommand=x/r").is_err());
        assert!(url("-oProxyCommand=x:r").is_err());
        assert!(url("ssh://example.com").is_err(), "no repository path");
        assert!(url("git@example.com:").is_err());
        assert!(url("").is_err());
        assert!(url(&format!("https://example.com/{}", "a".repeat(3000))).is_err());
    }

    #[test]
    fn credentials_must_fit_the_transport() {
        let http = RepoSettings {
            username: Some("env:U".into()),
            password: Some("env:P".into()),
            ..Default::default()
        };
        let ssh = RepoSettings {
            ssh_key: Some("file:/k".into()),
            ..Default::default()
        };
        assert!(credentials("https://git.example.com/r.git", &http).is_ok());
        assert!(credentials("http://127.0.0.1:8080/r.git", &http).is_ok());
        assert!(credentials("http://[::1]:8080/r.git", &http).is_ok());
        assert!(credentials("http://localhost/r.git", &http).is_ok());
        let err = credentials("http://git.example.com/r.git", &http).unwrap_err();
        assert!(err.contains("plain http://"), "{err}");
        let err = credentials("ssh://git@example.com/r.git", &http).unwrap_err();
        assert!(err.starts_with("protocol mismatch: --username"), "{err}");
        let err = credentials("https://example.com/r.git", &ssh).unwrap_err();
        assert!(err.starts_with("protocol mismatch: --ssh-key"), "{err}");
        assert!(credentials("git@example.com:org/r.git", &ssh).is_ok());
        assert!(credentials("git://example.com/r.git", &ssh).is_err());
        // A token alone is fine; a user name alone is not.
        let token = RepoSettings {
            password: Some("env:P".into()),
            ..Default::default()
        };
        assert!(credentials("https://example.com/r", &token).is_ok());
        let user = RepoSettings {
            username: Some("env:U".into()),
            ..Default::default()
        };
        assert!(credentials("https://example.com/r", &user).is_err());
    }

    #[test]
    fn tokens_in_queries_and_upper_case_schemes_are_refused() {
        assert!(
            url("https://git.example.com/x.git?token=abc")
                .unwrap_err()
                .contains("query string")
        );
        assert!(url("https://git.example.com/x.git#abc").is_err());
        assert!(
            url("HTTPS://git.example.com/x.git")
                .unwrap_err()
                .contains("'https://'")
        );
    }

    #[test]
    fn repo_names_follow_the_rule() {
        assert!(repo_name("fleet-prod.1").is_ok());
        assert!(repo_name("Fleet").is_err());
        assert!(repo_name("-x").is_err());
        assert!(repo_name(&"a".repeat(64)).is_err());
    }

    #[test]
    fn paths_stay_inside_the_repo() {
        assert_eq!(repo_path("./a//b/").unwrap(), "a/b");
        assert!(repo_path("/etc").is_err());
        assert!(repo_path("a/../../b").is_err());
    }
}
