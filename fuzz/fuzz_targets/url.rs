//! URL and repo-path validation. Beyond "no panic": a URL accepted for
//! http(s) or ssh carries no credentials as gix (which fetches it) reads it,
//! the loopback exception for plain http holds for the host gix connects
//! to, and a repo path normalises to one inside the repository, idempotently.
#![no_main]

use gitsync::model::RepoSettings;
use gitsync::validate::{self, Transport};
use libfuzzer_sys::fuzz_target;

fn check_url(url: &str) {
    let Ok(transport) = validate::url(url) else {
        return;
    };
    assert!(
        !url.chars().any(|c| c.is_whitespace() || c.is_control()),
        "accepted white space or a control character: {url:?}"
    );
    let Ok(parsed) = gix::url::parse(url.as_bytes()) else {
        return;
    };
    if matches!(transport, Transport::Https | Transport::Http) {
        assert!(
            parsed.user().is_none() && parsed.password().is_none(),
            "accepted an http(s) URL that gix reads with credentials: {url:?}"
        );
    }
    if transport == Transport::Ssh {
        assert!(
            parsed.password().is_none(),
            "accepted an ssh URL that gix reads with a password: {url:?}"
        );
    }
    // Plain http may carry credentials to a loopback host only: the host
    // validate sees must be the one gix connects to.
    if transport == Transport::Http
        && validate::url_host(url).is_some_and(validate::is_loopback_host)
    {
        // gix keeps the colon of an empty port (`http://127.0.0.1:/`) in
        // the host; curl, which connects, reads it as the default port.
        let host = parsed.host().unwrap_or_default();
        let host = host.strip_suffix(':').unwrap_or(host);
        let host = host.trim_start_matches('[').trim_end_matches(']');
        assert!(
            validate::is_loopback_host(host),
            "validate sees a loopback host in {url:?}, gix connects to {host:?}"
        );
        let settings = RepoSettings {
            password: Some("env:P".into()),
            ..Default::default()
        };
        assert!(validate::credentials(url, &settings).is_ok());
    }
}

fn check_repo_path(path: &str) {
    let Ok(normal) = validate::normalize_repo_path(path) else {
        assert!(validate::repo_path(path).is_err());
        return;
    };
    assert_eq!(validate::repo_path(path).as_deref(), Ok(normal.as_str()));
    assert!(!normal.starts_with('/') && !normal.ends_with('/'), "{normal:?}");
    assert!(
        normal
            .split('/')
            .all(|part| normal.is_empty() || !matches!(part, "" | "." | "..")),
        "{path:?} normalised to {normal:?}"
    );
    assert_eq!(
        validate::normalize_repo_path(&normal).as_deref(),
        Ok(normal.as_str()),
        "normalising is not idempotent"
    );
}

fn check_name(name: &str) {
    if validate::repo_name(name).is_ok() {
        assert!(name.len() <= 63 && !name.is_empty(), "{name:?}");
        assert!(!name.starts_with(['.', '_', '-']), "{name:?}");
        assert!(name.bytes().all(|b| b.is_ascii_lowercase()
            || b.is_ascii_digit()
            || matches!(b, b'.' | b'_' | b'-')));
    }
    assert_eq!(
        validate::repo_name(name).is_ok(),
        validate::namespace(name).is_ok()
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check_url(text);
    let _ = validate::url_host(text);
    check_repo_path(text);
    check_name(text);
});
