//! Repo health from recorded facts: the last run, the last successful sync,
//! open proposals and the paused flag.
// Times, sizes and counters here come from settings and hostile input:
// every operation is checked or saturating.
#![deny(clippy::arithmetic_side_effects)]

use crate::model::{RepoConfig, RunStatus};
use crate::store::{self, RepoState, Run};
use crate::validate::{self, Transport};
use chrono::{DateTime, Duration, Utc};
use rusqlite::Connection;

/// One word for a repo's health; where several hold, the first wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Paused,
    NeverSynced,
    Failing,
    Stale,
    Behind,
    InSync,
}

impl Health {
    /// Every health word, in precedence order.
    pub const ALL: [Health; 6] = [
        Health::Paused,
        Health::NeverSynced,
        Health::Failing,
        Health::Stale,
        Health::Behind,
        Health::InSync,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Health::Paused => "paused",
            Health::NeverSynced => "never-synced",
            Health::Failing => "failing",
            Health::Stale => "stale",
            Health::Behind => "behind",
            Health::InSync => "in-sync",
        }
    }
}

/// Everything `status` and the metrics file say about one repo, read from
/// the state file.
#[derive(Debug, Clone)]
pub struct RepoReport {
    pub repo: RepoState,
    pub health: Health,
    /// The newest run, which may still be running.
    pub last_run: Option<Run>,
    pub open_proposals: u64,
    /// Failed runs in a row since the last good one (drives the backoff).
    pub consecutive_failures: u64,
    /// When the next scheduled sync may run: `None` while paused; `now`
    /// for a repo that was never scheduled.
    pub next_due: Option<DateTime<Utc>>,
    pub recovery: Option<String>,
}

/// Gather a repo's report.
pub fn report(conn: &Connection, repo: RepoState, now: DateTime<Utc>) -> store::Result<RepoReport> {
    let name = repo.config.name.as_str();
    let last_run = store::runs::last(conn, name)?;
    // A run in progress says nothing yet: judge by the last finished one.
    let judged = match &last_run {
        Some(r) if r.status == RunStatus::Running => store::runs::last_finished(conn, name)?,
        other => other.clone(),
    };
    let open_proposals = store::proposals::open_count(conn, name)?;
    let health = health(&repo, judged.as_ref(), open_proposals, now);
    Ok(RepoReport {
        health,
        last_run,
        open_proposals,
        consecutive_failures: store::runs::consecutive_failures(conn, name)?,
        next_due: if repo.config.paused {
            None
        } else {
            Some(repo.next_due.unwrap_or(now))
        },
        recovery: recovery(conn, name)?,
        repo,
    })
}

/// The health word of a repo from its recorded facts and its last finished
/// run, in SPEC.md's precedence order.
pub fn health(
    repo: &RepoState,
    last_run: Option<&Run>,
    open_proposals: u64,
    now: DateTime<Utc>,
) -> Health {
    if repo.config.paused {
        return Health::Paused;
    }
    match last_run {
        None if repo.last_success_at.is_none() => return Health::NeverSynced,
        Some(last) if last.status == RunStatus::Failed => return Health::Failing,
        _ => {}
    }
    let stale_after = i64::try_from(repo.config.interval)
        .ok()
        .and_then(|secs| Duration::try_seconds(secs.saturating_mul(2)))
        .unwrap_or(Duration::MAX);
    if repo
        .last_success_at
        .is_none_or(|t| now.signed_duration_since(t) > stale_after)
    {
        return Health::Stale;
    }
    let behind = open_proposals > 0
        || last_run.is_some_and(|last| last.remaining > 0)
        || (repo.fetched_commit.is_some() && repo.fetched_commit != repo.applied_commit);
    if behind {
        Health::Behind
    } else {
        Health::InSync
    }
}

/// A web link to a commit for GitHub, GitLab and Gitea style URLs, from the
/// URL as the fetch reads it ([`validate::parse_url`]).
pub fn commit_url(config: &RepoConfig, commit: &str) -> Option<String> {
    let url = validate::parse_url(&config.url).ok()?;
    let host = url.host.as_deref()?;
    let host = match (url.transport, url.port) {
        (Transport::Https | Transport::Http, Some(port)) if host.contains(':') => {
            format!("[{host}]:{port}")
        }
        (Transport::Https | Transport::Http, Some(port)) => format!("{host}:{port}"),
        (Transport::Https | Transport::Http, None) => host.to_string(),
        // The web interface is not on the ssh port.
        (Transport::Ssh, _) if host.contains(':') => format!("[{host}]"),
        (Transport::Ssh, _) => host.to_string(),
        _ => return None,
    };
    let path = url.path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path).trim_matches('/');
    if path.split('/').count() < 2 || path.split('/').any(str::is_empty) {
        return None;
    }
    let sep = if host.contains("gitlab") {
        "/-/commit/"
    } else {
        "/commit/"
    };
    Some(format!("https://{host}/{path}{sep}{commit}"))
}

/// What `status` says about recovery of a repo's failed applies: `None`
/// when nothing is being retried.
pub fn recovery(conn: &rusqlite::Connection, repo: &str) -> crate::store::Result<Option<String>> {
    use crate::store::{self, ProposalFilter};
    let open = store::proposals::list(
        conn,
        &ProposalFilter {
            repo: Some(repo),
            ..Default::default()
        },
    )?;
    let failing: Vec<_> = open.iter().filter(|p| p.retry && p.attempts > 0).collect();
    let Some(worst) = failing.iter().max_by_key(|p| p.attempts) else {
        return Ok(None);
    };
    let reason = worst.reason.as_deref().unwrap_or("unknown reason");
    let what = format!(
        "{} {} (proposal {})",
        worst.key.kind, worst.key.name, worst.id
    );
    Ok(Some(if crate::apply::recovery_exhausted(conn, worst) {
        format!(
            "recovery retried {} times and still failed: {what}: {reason}",
            worst.attempts
        )
    } else {
        format!(
            "recovery: {what} failed {} time(s), retried on the next apply or sync: {reason}",
            worst.attempts
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: &str) -> RepoConfig {
        RepoConfig {
            name: "r".into(),
            url: url.into(),
            git_ref: "main".into(),
            path: String::new(),
            layout: crate::model::LayoutKind::Fleet,
            namespace: "default".into(),
            interval: 300,
            auto_apply: false,
            max_proposals: 25,
            paused: false,
            settings: Default::default(),
        }
    }

    #[test]
    fn web_links_for_forges() {
        assert_eq!(
            commit_url(&config("https://github.com/acme/fleet.git"), "abc").as_deref(),
            Some("https://github.com/acme/fleet/commit/abc")
        );
        assert_eq!(
            commit_url(&config("git@gitlab.com:acme/ops/fleet.git"), "abc").as_deref(),
            Some("https://gitlab.com/acme/ops/fleet/-/commit/abc")
        );
        assert_eq!(
            commit_url(
                &config("ssh://git@gitea.example.com:2222/acme/fleet.git"),
                "abc"
            )
            .as_deref(),
            Some("https://gitea.example.com/acme/fleet/commit/abc")
        );
        assert_eq!(
            commit_url(&config("https://git.corp:3000/acme/fleet/"), "abc").as_deref(),
            Some("https://git.corp:3000/acme/fleet/commit/abc")
        );
        assert_eq!(commit_url(&config("/srv/git/fleet"), "abc"), None);
        assert_eq!(commit_url(&config("git://example.com/a/b"), "abc"), None);
        assert_eq!(
            commit_url(&config("https://example.com/fleet.git"), "abc"),
            None
        );
        // A URL the checks refuse gets no link (and its token is not shown).
        assert_eq!(
            commit_url(&config("user:TOKEN@example.com:acme/fleet"), "abc"),
            None
        );
    }
}
