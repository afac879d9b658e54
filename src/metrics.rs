//! The metrics file: every repo's health and last run in the Prometheus text
//! exposition format, for node_exporter's textfile collector, so that gitsync
//! can be monitored without a daemon. Written atomically after each sync.
// Times, sizes and counters here come from settings and hostile input:
// every operation is checked or saturating.
#![deny(clippy::arithmetic_side_effects)]

use crate::model::RunStatus;
use crate::status::{self, Health, RepoReport};
use crate::store;
use chrono::{DateTime, Utc};
use rusqlite::Connection;
use std::fmt::Write as _;
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
#[error("cannot write the metrics file {path}: {source}")]
pub struct MetricsError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// The statuses a run can have, each one sample of `gitsync_last_run_status`
/// so that an alert can test `== 1` without a stale series lingering.
const RUN_STATUSES: [RunStatus; 4] = [
    RunStatus::Running,
    RunStatus::Success,
    RunStatus::Partial,
    RunStatus::Failed,
];

/// The exposition text for every repo in the state file as of `now`.
pub fn render(conn: &Connection, now: DateTime<Utc>) -> store::Result<String> {
    let mut reports = Vec::new();
    for repo in store::repos::list(conn)? {
        let halted = store::halted_for(conn, &repo.config.namespace)?.is_some();
        reports.push((status::report(conn, repo, now)?, halted));
    }
    let halted = store::halted(conn)?.is_some();
    Ok(exposition(&reports, halted, now))
}

/// Render already gathered reports (each with whether its namespace is
/// halted).
pub fn exposition(reports: &[(RepoReport, bool)], halted: bool, now: DateTime<Utc>) -> String {
    let mut out = Exposition::default();
    out.family(
        "gitsync_halted",
        "1 while auto-apply is halted for every namespace (gitsync halt), else 0.",
        [(vec![], bool_value(halted))],
    );
    out.family(
        "gitsync_metrics_timestamp_seconds",
        "When gitsync last wrote this file, as a Unix time.",
        [(vec![], seconds(now))],
    );
    let each = |f: &dyn Fn(&RepoReport, bool) -> Option<f64>| -> Vec<(Labels, f64)> {
        reports
            .iter()
            .filter_map(|(r, halted)| {
                f(r, *halted).map(|v| (vec![("repo", r.repo.config.name.clone())], v))
            })
            .collect()
    };
    out.family(
        "gitsync_repo_info",
        "A registered repo, with its configuration as labels; always 1.",
        reports.iter().map(|(r, _)| {
            let c = &r.repo.config;
            (
                vec![
                    ("repo", c.name.clone()),
                    ("url", c.url.clone()),
                    ("ref", c.git_ref.clone()),
                    ("layout", c.layout.as_str().to_string()),
                    ("namespace", c.namespace.clone()),
                ],
                1.0,
            )
        }),
    );
    out.family(
        "gitsync_repo_health",
        "1 for the repo's health word (paused, never-synced, failing, stale, behind, in-sync), 0 for the others.",
        reports.iter().flat_map(|(r, _)| {
            Health::ALL.iter().map(move |h| {
                (
                    vec![
                        ("repo", r.repo.config.name.clone()),
                        ("health", h.as_str().to_string()),
                    ],
                    bool_value(r.health == *h),
                )
            })
        }),
    );
    out.family(
        "gitsync_repo_paused",
        "1 while the repo is paused, else 0.",
        each(&|r, _| Some(bool_value(r.repo.config.paused))),
    );
    out.family(
        "gitsync_repo_halted",
        "1 while auto-apply is halted for the repo's namespace, else 0.",
        each(&|_, halted| Some(bool_value(halted))),
    );
    out.family(
        "gitsync_repo_interval_seconds",
        "Seconds between scheduled syncs of the repo.",
        each(&|r, _| Some(r.repo.config.interval as f64)),
    );
    out.family(
        "gitsync_repo_next_due_timestamp_seconds",
        "When the repo is next due for a scheduled sync, as a Unix time (absent while paused).",
        each(&|r, _| r.next_due.map(seconds)),
    );
    out.family(
        "gitsync_repo_consecutive_failures",
        "Failed runs in a row since the repo's last successful or partial run.",
        each(&|r, _| Some(r.consecutive_failures as f64)),
    );
    out.family(
        "gitsync_open_proposals",
        "Open proposals (pending_review or approved) of the repo.",
        each(&|r, _| Some(r.open_proposals as f64)),
    );
    out.family(
        "gitsync_last_success_timestamp_seconds",
        "When the repo's last successful or partial sync started, as a Unix time (absent if never).",
        each(&|r, _| r.repo.last_success_at.map(seconds)),
    );
    out.family(
        "gitsync_last_run_status",
        "1 for the status of the repo's newest run (running, success, partial, failed), 0 for the others.",
        reports.iter().flat_map(|(r, _)| {
            r.last_run.iter().flat_map(move |run| {
                RUN_STATUSES.iter().map(move |s| {
                    (
                        vec![
                            ("repo", r.repo.config.name.clone()),
                            ("status", s.as_str().to_string()),
                        ],
                        bool_value(run.status == *s),
                    )
                })
            })
        }),
    );
    out.family(
        "gitsync_last_run_timestamp_seconds",
        "When the repo's newest run started, as a Unix time.",
        each(&|r, _| r.last_run.as_ref().map(|run| seconds(run.started_at))),
    );
    out.family(
        "gitsync_last_run_duration_seconds",
        "How long the repo's newest finished run took.",
        each(&|r, _| {
            let run = r.last_run.as_ref()?;
            let took = run.finished_at?.signed_duration_since(run.started_at);
            Some(took.num_milliseconds().max(0) as f64 / 1000.0)
        }),
    );
    out.family(
        "gitsync_last_run_diffs",
        "Diffs the repo's newest run found between git and the live state.",
        each(&|r, _| r.last_run.as_ref().map(|run| run.diff_count as f64)),
    );
    out.family(
        "gitsync_last_run_proposals_opened",
        "Proposals the repo's newest run opened.",
        each(&|r, _| r.last_run.as_ref().map(|run| run.opened.len() as f64)),
    );
    out.family(
        "gitsync_last_run_auto_applied",
        "Proposals the repo's newest run applied automatically.",
        each(&|r, _| r.last_run.as_ref().map(|run| run.auto_applied.len() as f64)),
    );
    out.text
}

/// Write `text` to `path` atomically: a temporary file in the same folder,
/// flushed to disk, then renamed over `path`, so that a collector never
/// reads half a file.
pub fn write(path: &Path, text: &str) -> Result<(), MetricsError> {
    let err = |source| MetricsError {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .ok_or_else(|| err(std::io::Error::other("the path names no file")))?;
    // Not ending in .prom, so the textfile collector never reads it.
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(file_name);
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = dir.join(tmp_name);
    let written = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        // Readable by the collector whatever the umask (a hardened service
        // runs with 0077); the metrics hold nothing secret.
        file.set_permissions(std::fs::Permissions::from_mode(0o644))?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.map_err(err)
}

type Labels = Vec<(&'static str, String)>;

#[derive(Default)]
struct Exposition {
    text: String,
}

impl Exposition {
    /// One metric family: HELP and TYPE, then its samples together. A
    /// family without samples is left out.
    fn family(&mut self, name: &str, help: &str, samples: impl IntoIterator<Item = (Labels, f64)>) {
        let mut samples = samples.into_iter().peekable();
        if samples.peek().is_none() {
            return;
        }
        let help = help.replace('\\', "\\\\").replace('\n', "\\n");
        let _ = writeln!(self.text, "# HELP {name} {help}");
        let _ = writeln!(self.text, "# TYPE {name} gauge");
        for (labels, value) in samples {
            self.text.push_str(name);
            if !labels.is_empty() {
                let pairs: Vec<String> = labels
                    .iter()
                    .map(|(k, v)| format!("{k}=\"{}\"", escape_label(v)))
                    .collect();
                let _ = write!(self.text, "{{{}}}", pairs.join(","));
            }
            let _ = writeln!(self.text, " {value}");
        }
    }
}

/// Label values escape backslash, double quote and line feed.
fn escape_label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn bool_value(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

fn seconds(t: DateTime<Utc>) -> f64 {
    t.timestamp() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn families_have_help_and_type_and_skip_when_empty() {
        let mut e = Exposition::default();
        e.family("x", "An x.", [(vec![("repo", "a\"b".into())], 2.5)]);
        e.family("y", "Nothing.", std::iter::empty());
        assert_eq!(
            e.text,
            "# HELP x An x.\n# TYPE x gauge\nx{repo=\"a\\\"b\"} 2.5\n"
        );
    }

    #[test]
    fn write_replaces_the_file_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gitsync.prom");
        write(&path, "a 1\n").unwrap();
        write(&path, "a 2\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a 2\n");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file is left behind");
    }
}
