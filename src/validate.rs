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

/// Accepts `https://`, `http://`, `ssh://`, scp-like `user@host:path`,
/// `git://`, `file://` and local paths. Refuses credentials in the URL:
/// they leak into shell history, logs and the mirror's config.
pub fn url(url: &str) -> Result<Transport, String> {
    if url.is_empty() {
        return Err("the URL is empty".into());
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the URL contains white space or control characters".into());
    }
    if let Some((scheme, rest)) = url.split_once("://") {
        if scheme.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(format!(
                "write the URL scheme '{scheme}://' in lower case: '{}://'",
                scheme.to_ascii_lowercase()
            ));
        }
        let transport = match scheme {
            "https" => Transport::Https,
            "http" => Transport::Http,
            "ssh" | "git+ssh" | "ssh+git" => Transport::Ssh,
            "git" => Transport::Git,
            "file" => return Ok(Transport::File),
            other => {
                return Err(format!(
                    "unsupported URL scheme '{other}://': use https://, http://, ssh://, git://, file://, user@host:path or a local path"
                ));
            }
        };
        let authority = rest.split('/').next().unwrap_or_default();
        if authority.is_empty() {
            return Err("the URL has no host".into());
        }
        if let Some((userinfo, _)) = authority.rsplit_once('@') {
            let inline_secret =
                userinfo.contains(':') || matches!(transport, Transport::Https | Transport::Http);
            if inline_secret {
                return Err(
                    "the URL carries credentials; they would leak into shell history and logs. Remove them and pass --username/--password as env:VAR or file:PATH references"
                        .into(),
                );
            }
        }
        if matches!(transport, Transport::Https | Transport::Http)
            && (rest.contains('?') || rest.contains('#'))
        {
            return Err(
                "the URL has a query string or fragment; a git remote needs neither, and a token hidden there would leak into logs"
                    .into(),
            );
        }
        return Ok(transport);
    }
    // scp-like `user@host:path` (no scheme, a colon before any slash).
    if let Some((host_part, _)) = url.split_once(':')
        && !host_part.contains('/')
        && !url.starts_with('/')
        && !url.starts_with('.')
    {
        if let Some((user, _)) = host_part.split_once('@')
            && user.contains(':')
        {
            return Err(
                "the URL carries a password; pass --ssh-key as env:VAR or file:PATH instead".into(),
            );
        }
        return Ok(Transport::Ssh);
    }
    Ok(Transport::File)
}

/// The host of an `http(s)://`, `ssh://` or `git://` URL, without brackets
/// or port; `None` for other forms.
pub fn url_host(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split('/').next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(v6) = host_port.strip_prefix('[') {
        return v6.split_once(']').map(|(h, _)| h);
    }
    Some(host_port.split(':').next().unwrap_or(host_port))
}

/// True for `localhost`, 127.0.0.0/8 and `::1`: where plain http may carry
/// credentials because nothing leaves the machine.
pub fn is_loopback_host(host: &str) -> bool {
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
    fn urls_with_credentials_are_refused() {
        assert!(url("https://user:tok@example.com/r.git").is_err());
        assert!(url("https://tok@example.com/r.git").is_err());
        assert!(url("git@example.com:org/r.git").is_ok());
        assert_eq!(url("ssh://git@example.com/r.git"), Ok(Transport::Ssh));
        assert_eq!(url("/srv/git/r.git"), Ok(Transport::File));
        assert_eq!(url("./r"), Ok(Transport::File));
        assert!(url("ftp://x/y").is_err());
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
