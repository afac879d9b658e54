//! `gitsync sync`: sync the repos that are due, or the named ones now.

use super::error::{CmdResult, CommandError, Exit};
use super::{Ctx, json, ui};
use gitsync::model::RunStatus;
use gitsync::reconcile::{self, Selection, SyncOutcome};
use gitsync::{metrics, store};
use serde_json::json;

/// Sync repos: every active repo that is due, the named ones now, or --all now
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Repos to sync now, ignoring their timers
    pub names: Vec<String>,
    /// Sync every active repo now
    #[arg(long, conflicts_with = "names")]
    pub all: bool,
    /// Sync paused repos too
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub retention: super::gc::RetentionArgs,
}

pub fn run(ctx: &mut Ctx, args: Args) -> CmdResult {
    for name in &args.names {
        super::repo::find(ctx, name)?;
    }
    let selection = if args.all {
        Selection::All
    } else if args.names.is_empty() {
        Selection::Due
    } else {
        Selection::Named(args.names.clone())
    };
    let verbose = ctx.ui.verbose && !ctx.ui.quiet;
    let spinner = ctx.ui.spinner("syncing");
    let metrics_file = ctx.metrics_file.clone();
    let context = ctx.open()?;
    context.retention = (&args.retention).into();
    let mut log = |msg: &str| {
        if let Some(bar) = &spinner {
            // The spinner shows what is happening now, the repo first.
            let msg = gitsync::text::escape_line(msg);
            bar.set_message(msg.to_string());
            if verbose {
                bar.suspend(|| super::ui::progress_line(&msg));
            }
        } else if verbose {
            super::ui::progress_line(msg);
        }
    };
    let outcomes = reconcile::sync(context, &selection, args.force, &mut log)?;
    if let Some(bar) = spinner {
        bar.finish_and_clear();
    }
    // Written whatever happened, so that monitoring sees failures too.
    let metrics = match &metrics_file {
        Some(path) => {
            let text = metrics::render(context.store.conn(), context.clock())?;
            metrics::write(path, &text).map_err(|e| {
                CommandError::failure(e.to_string())
                    .with_hint("check that its folder exists and that this user may write there")
            })
        }
        None => Ok(()),
    };
    let mut exit = Exit::Success;
    let mut values = Vec::new();
    for outcome in &outcomes {
        match outcome {
            SyncOutcome::Ran(run) => {
                // A failed run, or an auto-apply that failed (SPEC: exit 1
                // for "a failed apply"), so that cron mail says so.
                if run.status == RunStatus::Failed || !run.failed.is_empty() {
                    exit = Exit::Failure;
                }
                values.push(json::run(run));
                ctx.ui.note(&summary_line(run));
            }
            SyncOutcome::Skipped { repo, reason, busy } => {
                if *busy && exit == Exit::Success {
                    exit = Exit::Busy;
                }
                values.push(json!({ "repo": repo, "status": "skipped", "reason": reason }));
                if *busy || !args.names.is_empty() || ctx.ui.verbose {
                    ctx.ui.note(&format!("{repo}: skipped: {reason}"));
                }
            }
        }
    }
    if ctx.ui.json_mode() {
        ctx.ui.value(&serde_json::Value::Array(values))?;
    }
    if exit != Exit::Failure {
        metrics?;
    } else if let Err(e) = metrics {
        // The failed sync is the error to report; say this one too.
        super::ui::error_line("error", &e.message);
    }
    if exit == Exit::Failure {
        // The reasons, even with -q: they are the errors cron mails.
        let failed: Vec<String> = outcomes
            .iter()
            .filter_map(|o| match o {
                SyncOutcome::Ran(r) if r.status == RunStatus::Failed => Some(format!(
                    "{}: {}",
                    r.repo,
                    r.error.as_deref().unwrap_or("unknown error")
                )),
                SyncOutcome::Ran(r) if !r.failed.is_empty() => Some(format!(
                    "{}: {} auto-apply(s) failed ({}); see 'gitsync proposals show ID'",
                    r.repo,
                    r.failed.len(),
                    r.failed
                        .iter()
                        .map(|id| id.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
                _ => None,
            })
            .collect();
        return Err(
            CommandError::failure(format!("sync failed: {}", failed.join("; ")))
                .with_hint("see 'gitsync runs' and 'gitsync status' for details"),
        );
    }
    Ok(exit)
}

/// One line per repo after each sync.
fn summary_line(run: &store::Run) -> String {
    let rev = run
        .revision
        .as_deref()
        .map(ui::short)
        .unwrap_or_else(|| "-".into());
    match run.status {
        RunStatus::Failed => format!(
            "{}: failed: {}",
            run.repo,
            run.error.as_deref().unwrap_or("unknown error")
        ),
        status => {
            let mut line = format!(
                "{}: {} at {rev}: {} diff(s), {} proposal(s) opened, {} auto-applied",
                run.repo,
                status.as_str(),
                run.diff_count,
                run.opened.len(),
                run.auto_applied.len()
            );
            if !run.failed.is_empty() {
                line.push_str(&format!(", {} failed", run.failed.len()));
            }
            if run.remaining > 0 {
                line.push_str(&format!(", {} left by the cap", run.remaining));
            }
            if let (RunStatus::Partial, Some(e)) = (status, &run.error) {
                line.push_str(&format!(" ({e})"));
            }
            line
        }
    }
}
